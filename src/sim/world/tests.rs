//! Behaviour of the world over sim time.

use chrono::{DateTime, TimeDelta, Utc};

use super::{DropAction, Refusal, World};
use crate::feed::wire::{DropState, OrderStage, TerminalStatus};
use crate::sim::scenario::Scenario;

const SCENARIO: &str = r#"
[scenario]
name = "world-test"
history = "10m"
seed = 3
noise = 0.05

[[drops]]
id = "live"
opens = "-5m"
closes = "1h"
currency = "USD"
allocated = 100000
active_band = "A"
margin_floor_pct = 50.0
cart_rate = 0.3
demand = [{ at = "-5m", per_min = 600 }]
[[drops.bands]]
id = "A"
price_minor = 1000
unit_cost_minor = 400
conversion = 0.05
[[drops.bands]]
id = "B"
price_minor = 1200
unit_cost_minor = 400
conversion = 0.2
[[drops.bands]]
id = "C"
price_minor = 700
unit_cost_minor = 400
conversion = 0.2

[[drops]]
id = "later"
opens = "5m"
closes = "10m"
currency = "USD"
allocated = 20
active_band = "A"
margin_floor_pct = 10.0
cart_rate = 1.0
demand = [{ at = "0", per_min = 600 }]
[[drops.bands]]
id = "A"
price_minor = 1000
unit_cost_minor = 400
conversion = 0.5

[[hubs]]
id = "slow"
name = "Slow hub"
drop_ids = ["live"]
share = 1.0
contracted_units = 100
min_commit_units = 50
window_start = "-10m"
window_end = "2h"
currency = "USD"
overage_cost_minor = 10
unused_penalty_minor = 5
ship_within = "2m"
target_pct = 95.0
pick_per_min = 20.0
pack_per_min = 10.0
ship_per_min = 5.0
overdue_reasons = ["short_pick", "address_hold"]
carrier_outages = [{ from = "20m", until = "30m" }]

[[popups]]
id = "pop"
name = "Pop"
drop_ids = ["live"]
opens = "-10m"
closes = "1h"
currency = "USD"
price_minor = 1000
on_hand = 50
sales = [{ at = "0", per_min = 2 }]
pickups_per_min = 1.0
collect_per_min = 2.0
pickup_due = "5m"
pickup_terminal = "T2"
[[popups.terminals]]
id = "T1"
name = "till"
status = "online"
[[popups.terminals]]
id = "T2"
name = "desk"
status = "online"
changes = [{ at = "1m", status = "offline" }]
"#;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .expect("fixed time")
}

fn world() -> World {
    let scenario = Scenario::from_toml(SCENARIO, "world-test").expect("valid scenario");
    World::new(&scenario, start())
}

fn at(minutes: i64) -> DateTime<Utc> {
    start() + TimeDelta::minutes(minutes)
}

#[test]
fn history_is_simulated_before_the_start() {
    let w = world();
    let live = w.drop_by_id("live").expect("drop");
    assert_eq!(live.state, DropState::Live);
    // 5 minutes at 600 sessions/min, ± noise.
    assert!(
        (2700..=3300).contains(&live.funnel.sessions),
        "{}",
        live.funnel.sessions
    );
    assert!(live.funnel.orders > 0);
    assert!(live.visitors_now.is_some_and(|v| v > 2000));
    assert_eq!(w.time(), start());
}

#[test]
fn counters_never_decrease_and_the_run_is_reproducible() {
    let mut a = world();
    let mut b = world();
    let mut last = a.drops()[0].funnel;
    for minute in 1..=30 {
        a.advance_to(at(minute));
        let now = a.drops()[0].funnel;
        assert!(now.sessions >= last.sessions && now.orders >= last.orders);
        assert!(now.carts >= now.orders);
        last = now;
    }
    // Sampled differently, same result.
    b.advance_to(at(30) + TimeDelta::milliseconds(900));
    assert_eq!(a.drops(), b.drops());
    assert_eq!(a.hubs(), b.hubs());
    assert_eq!(a.popups(), b.popups());
}

#[test]
fn pausing_stops_orders_but_not_sessions() {
    let mut w = world();
    let paused = w
        .control("live", &DropAction::Pause, at(1))
        .expect("pause live");
    assert_eq!(paused.state, DropState::Paused);
    w.advance_to(at(10));
    let later = w.drop_by_id("live").expect("drop");
    assert_eq!(later.funnel.orders, paused.funnel.orders);
    assert!(later.funnel.sessions > paused.funnel.sessions + 4000);
    assert_eq!(
        w.control("live", &DropAction::Pause, at(10)),
        Err(Refusal::InvalidState(
            "drop `live` is paused; only a live drop can be paused".to_owned()
        ))
    );
    let resumed = w
        .control("live", &DropAction::Resume, at(11))
        .expect("resume");
    assert_eq!(resumed.state, DropState::Live);
}

#[test]
fn switching_band_changes_conversion_from_then_on() {
    let mut w = world();
    let before = w.drop_by_id("live").expect("drop");
    let by_band = before.funnel_by_band.clone().expect("by band");
    assert_eq!(by_band["B"].sessions, 0);
    w.control("live", &DropAction::PriceBand("B".to_owned()), at(0))
        .expect("band B");
    w.advance_to(at(10));
    let after = w.drop_by_id("live").expect("drop");
    let by_band = after.funnel_by_band.expect("by band");
    let b = by_band["B"];
    assert_eq!(after.active_band, "B");
    // Band B converts at 20 %, band A at 5 %.
    let conversion = b.orders as f64 / b.sessions as f64;
    assert!((0.18..0.22).contains(&conversion), "{conversion}");
    assert_eq!(by_band["A"].orders, before.funnel.orders);
    assert_eq!(
        b.revenue_minor,
        i64::try_from(b.units).expect("small") * 1200
    );
}

#[test]
fn band_refusals_change_nothing() {
    let mut w = world();
    let before = w.drop_by_id("live");
    assert!(matches!(
        w.control("live", &DropAction::PriceBand("C".to_owned()), at(0)),
        Err(Refusal::BelowMarginFloor(_))
    ));
    assert!(matches!(
        w.control("live", &DropAction::PriceBand("Z".to_owned()), at(0)),
        Err(Refusal::UnknownBand(_))
    ));
    assert!(matches!(
        w.control("nope", &DropAction::Pause, at(0)),
        Err(Refusal::UnknownDrop(_))
    ));
    assert_eq!(w.drop_by_id("live"), before);
}

#[test]
fn drops_open_sell_out_and_cannot_resume_after_closing() {
    let mut w = world();
    assert_eq!(
        w.drop_by_id("later").map(|d| d.state),
        Some(DropState::Scheduled)
    );
    assert!(matches!(
        w.control("later", &DropAction::Pause, at(1)),
        Err(Refusal::InvalidState(_))
    ));
    w.advance_to(at(5));
    assert_eq!(
        w.drop_by_id("later").map(|d| d.state),
        Some(DropState::Live)
    );
    w.advance_to(at(7));
    let later = w.drop_by_id("later").expect("drop");
    assert_eq!(later.state, DropState::SoldOut);
    assert_eq!(later.stock.sold, 20);

    w.control("live", &DropAction::Pause, at(59))
        .expect("pause");
    w.advance_to(at(60));
    assert_eq!(
        w.drop_by_id("live").map(|d| d.state),
        Some(DropState::Ended)
    );
    assert!(matches!(
        w.control("live", &DropAction::Resume, at(61)),
        Err(Refusal::InvalidState(_))
    ));
}

#[test]
fn slow_hub_piles_up_overdue_orders_most_overdue_first() {
    let mut w = world();
    w.advance_to(at(25));
    let hub = w.hubs().remove(0);
    let sla = &hub.sla;
    assert!(sla.overdue_open > 0);
    assert!(hub.overdue.len() <= super::OVERDUE_LIST_LIMIT);
    assert!(sla.overdue_open as usize >= hub.overdue.len());
    assert!(hub.overdue.windows(2).all(|w| w[0].due_at <= w[1].due_at));
    assert!(hub.overdue.iter().all(|o| o.due_at < at(25)));
    assert!(hub.pipeline.received >= hub.pipeline.picked);
    assert!(hub.pipeline.picked >= hub.pipeline.packed);
    assert!(hub.pipeline.packed >= hub.pipeline.shipped);
    assert_eq!(hub.pipeline.shipped, sla.on_time + sla.late);
    // Over-consumed: every unit of the drop goes here at ~30 units/min.
    assert!(hub.capacity.consumed_units > hub.capacity.contracted_units);
    // During the carrier outage packed orders wait for the carrier.
    let stages: Vec<&OrderStage> = hub.overdue.iter().map(|o| &o.stage).collect();
    assert!(stages.contains(&&OrderStage::AwaitingCarrier), "{stages:?}");
    assert!(
        hub.overdue
            .iter()
            .any(|o| o.reason == "short_pick" || o.reason == "address_hold")
    );
    assert!(hub.overdue[0].order_id.starts_with("LI-"));
}

#[test]
fn pickups_go_overdue_while_the_desk_is_offline() {
    let mut w = world();
    w.advance_to(at(20));
    let pop = w.popups().remove(0);
    let desk = &pop.terminals[1];
    assert_eq!(desk.status, TerminalStatus::Offline);
    assert_eq!(desk.last_seen, at(1));
    assert_eq!(pop.terminals[0].last_seen, at(20));
    assert!(pop.pickups.overdue >= 10, "{:?}", pop.pickups);
    assert!(pop.sales.transactions > 0);
    assert_eq!(pop.stock.on_hand + pop.sales.units, 50);
}
