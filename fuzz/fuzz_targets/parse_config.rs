//! The config parser: no panic for any text, and every error is one line.
#![no_main]

use dropday::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Err(error) = Config::parse(text, None) {
            assert!(!error.to_string().contains('\n'));
        }
    }
});
