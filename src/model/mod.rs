//! The pure core: drops, hubs, pop-ups, rate windows, derived figures and alert rules.
