//! The hubs decoder: no panic and no unbounded allocation for any body.
#![no_main]

use dropday::feed::FeedKind;
use dropday::feed::client::decode_outcome;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = decode_outcome(FeedKind::Fulfilment, body);
});
