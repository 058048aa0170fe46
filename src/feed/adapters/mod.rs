//! Mapped sources: a feed read from a platform's own API (Square, Shopify, ShipBob, or any JSON
//! API) through a mapping — named HTTP requests plus a jq program — instead of from a server
//! that speaks FEEDS v1. The program's document goes through the same tolerant decoder, so
//! everything downstream (figures, intervals, alerts, recording) is unchanged.
//!
//! - [`mapping`]: the mapping file (TOML), parsed and compiled
//! - [`template`]: `{name}` substitution in requests
//! - [`keep`]: the parts of an answer a request keeps, pruned while it is parsed
//! - [`pages`]: the last answer of each page, parsed once while its bytes stay the same
//! - [`program`]: the jq program (jaq), with the per-field helpers as natives (`natives`)
//! - [`entries`]: a program run per entry, and the memo of entries nothing changed for
//! - [`source`]: a configured mapped feed, and the pure step from answers to a document
//! - [`client`]: one poll over HTTP, with pagination and the platform's rate limits

pub mod check;
pub mod client;
pub mod decoded;
pub mod entries;
pub mod keep;
pub mod mapping;
mod natives;
pub mod pages;
pub mod program;
pub mod source;
pub mod template;

pub use client::MappedClient;
pub use mapping::Mapping;
pub use source::{MappedControl, MappedSource};

/// The mappings built into the binary: name and text.
pub const BUILTINS: [(&str, &str); 3] = [
    (
        "square-pos",
        include_str!("../../../assets/adapters/square-pos.toml"),
    ),
    (
        "shopify-marketplace",
        include_str!("../../../assets/adapters/shopify-marketplace.toml"),
    ),
    (
        "shipbob-fulfilment",
        include_str!("../../../assets/adapters/shipbob-fulfilment.toml"),
    ),
];

/// Mapped feeds poll every 5 s unless the feed says otherwise: each poll is several requests
/// per pop-up, hub or drop against a platform's shared rate limit (Square and ShipBob count
/// requests, Shopify query cost), and the platforms themselves refresh device and order data
/// every few seconds, so a 1 s poll would spend the budget without showing anything sooner.
pub const DEFAULT_MAPPED_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// The mapping an `adapter = "…"` names: a built-in's name, else a path to a mapping file.
///
/// # Errors
/// An unknown name that is no readable file, or a mapping that does not parse or compile.
pub fn load(adapter: &str) -> Result<Mapping, String> {
    if let Some((name, text)) = BUILTINS.iter().find(|(name, _)| *name == adapter) {
        return Mapping::parse(name, text).map_err(|e| format!("built-in mapping {name}: {e}"));
    }
    let text = std::fs::read_to_string(adapter).map_err(|e| {
        let names: Vec<&str> = BUILTINS.iter().map(|(name, _)| *name).collect();
        format!(
            "`{adapter}` is neither a built-in mapping ({}) nor a readable file: {e}",
            names.join(", ")
        )
    })?;
    Mapping::parse(adapter, &text).map_err(|e| format!("mapping {adapter}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{BUILTINS, load};

    #[test]
    fn every_builtin_mapping_parses_and_compiles() {
        for (name, _) in BUILTINS {
            let mapping = load(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(mapping.name, name);
        }
    }

    #[test]
    fn an_unknown_adapter_lists_the_builtins() {
        let error = load("no-such-adapter").expect_err("unknown");
        assert!(error.contains("square-pos"), "{error}");
    }
}
