//! What the benches share: the large-state generator.

pub mod large_state;
