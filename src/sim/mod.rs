//! The feed simulator: serves the three feeds and the control endpoints from a scenario.
