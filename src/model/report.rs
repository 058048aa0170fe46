//! The snapshot printed by `dropday status --json`: a documented interface for scripts.
//!
//! Every figure that does not exist is `null` (never NaN, never a made-up 0); percentages and
//! rates are rounded to 2 decimals; money is integer minor units with the entity's `currency`;
//! instants are RFC 3339 UTC. Keys are only ever added, never renamed or removed.
//!
//! Estimated figures have `X_low` and `X_high` siblings: the ends of their 90 % interval (for
//! instants, `_low` is the earliest). `rate_span_s` says how many seconds of samples the rates
//! of a drop or hub rest on (`null` while measuring).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::feed::FeedKind;

use super::alerts::{AlertBook, AlertKind, Severity};
use super::board::Board;
use super::estimate::Estimate;

/// The whole snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Server time at which the figures were computed.
    pub as_of: DateTime<Utc>,
    /// Server clock minus local clock, in seconds; `null` before any document.
    pub clock_skew_s: Option<f64>,
    /// Health of each feed, in `marketplace`, `fulfilment`, `pos` order.
    pub feeds: Vec<FeedReport>,
    /// The marketplace's drops, in the feed's order.
    pub drops: Vec<DropReport>,
    /// The fulfilment hubs, in the feed's order.
    pub hubs: Vec<HubReport>,
    /// The pop-up shops, in the feed's order.
    pub popups: Vec<PopupReport>,
    /// Alerts whose condition holds (firing or pending), critical first, then oldest first.
    pub alerts: Vec<AlertReport>,
    /// Entries of the feeds' last documents that could not be used.
    pub skipped: Vec<SkippedReport>,
    /// The most urgent firing or pending, not silenced alert, for [`Report::exit_code`].
    #[serde(skip)]
    worst: Option<Severity>,
}

/// One feed's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedReport {
    /// `marketplace`, `fulfilment` or `pos`.
    pub name: &'static str,
    /// The last poll succeeded.
    pub ok: bool,
    /// Why the last poll failed; `null` when it succeeded.
    pub error: Option<String>,
    /// Local time of the last successful poll.
    pub last_success: Option<DateTime<Utc>>,
    /// Request-to-answer time of the last successful poll, in milliseconds.
    pub latency_ms: Option<u64>,
    /// No successful poll for the configured number of intervals.
    pub stale: bool,
    /// Failed polls since the last success (0 after a success).
    pub consecutive_failures: u32,
}

/// One drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropReport {
    /// The drop's id in the marketplace feed (what control requests name).
    pub id: String,
    /// The drop's display title; `null` when the feed sent none.
    pub title: Option<String>,
    /// As the feed sent it (unknown states pass through).
    pub state: String,
    /// Seconds to `opens_at` (scheduled) or `closes_at` (live, paused), 0 once due; else null.
    pub countdown_s: Option<i64>,
    /// Orders / sessions × 100 since the drop opened; `null` with no sessions.
    pub conversion_pct: Option<f64>,
    /// Why `conversion_pct` is null when the feed said (a mapped Shopify store without the
    /// `read_reports` scope); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_unavailable: Option<String>,
    /// Conversion over the trailing window's deltas; `null` while either delta is unknown.
    pub live_conversion_pct: Option<f64>,
    /// Low end of `live_conversion_pct`'s 90 % interval.
    pub live_conversion_pct_low: Option<f64>,
    /// High end of `live_conversion_pct`'s 90 % interval.
    pub live_conversion_pct_high: Option<f64>,
    /// Orders per minute over the trailing window; `null` while measuring.
    pub orders_per_min: Option<f64>,
    /// Low end of `orders_per_min`'s 90 % interval.
    pub orders_per_min_low: Option<f64>,
    /// High end of `orders_per_min`'s 90 % interval.
    pub orders_per_min_high: Option<f64>,
    /// Units sold per minute (the rate sell-out is projected with).
    pub units_per_min: Option<f64>,
    /// Low end of `units_per_min`'s 90 % interval.
    pub units_per_min_low: Option<f64>,
    /// High end of `units_per_min`'s 90 % interval.
    pub units_per_min_high: Option<f64>,
    /// Seconds of samples behind the sales rate; `null` while measuring.
    pub rate_span_s: Option<i64>,
    /// Units sold / units allocated × 100; `null` when nothing was allocated.
    pub sell_through_pct: Option<f64>,
    /// Never after `closes_at`: a drop that will not sell out before it closes has `null`
    /// here and its `units_left_at_close`.
    pub sellout_at: Option<DateTime<Utc>>,
    /// Earliest sell-out (at the interval's high rate), never after `closes_at`.
    pub sellout_at_low: Option<DateTime<Utc>>,
    /// Latest sell-out (at the interval's low rate); `null` when it may not sell out.
    pub sellout_at_high: Option<DateTime<Utc>>,
    /// Units expected to be left when the drop closes (0 when it sells out before).
    pub units_left_at_close: Option<u64>,
    /// Fewest units expected left at close (at the interval's high rate).
    pub units_left_at_close_low: Option<u64>,
    /// Most units expected left at close (at the interval's low rate).
    pub units_left_at_close_high: Option<u64>,
    /// Id of the price band the drop sells at now.
    pub active_band: String,
    /// ISO 4217 code of the drop's prices (`price_minor` of its bands).
    pub currency: String,
    /// The drop's price bands, in the feed's order.
    pub bands: Vec<BandReport>,
}

/// One price band of a drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandReport {
    /// The band's id (what `switch price band` sends).
    pub id: String,
    /// Unit price in minor units of the drop's `currency`.
    pub price_minor: i64,
    /// (price − unit cost) / price × 100; `null` when the price is not positive.
    pub margin_pct: Option<f64>,
    /// Orders / sessions × 100 of this band's funnel (`funnel_by_band`); `null` with no sessions.
    pub conversion_pct: Option<f64>,
    /// The margin clears the drop's floor: the band may be activated.
    pub allowed: bool,
}

/// One hub's capacity and SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HubReport {
    /// The hub's id in the fulfilment feed.
    pub id: String,
    /// The hub's display name.
    pub name: String,
    /// contracted − consumed, never negative (see `over_contract_units`).
    pub remaining_units: u64,
    /// consumed − contracted when positive, else 0.
    pub over_contract_units: u64,
    /// Units consumed per minute (least squares over the window); `null` while measuring.
    pub burn_units_per_min: Option<f64>,
    /// Low end of `burn_units_per_min`'s 90 % interval.
    pub burn_units_per_min_low: Option<f64>,
    /// High end of `burn_units_per_min`'s 90 % interval.
    pub burn_units_per_min_high: Option<f64>,
    /// Seconds of samples behind the burn rate; `null` while measuring.
    pub rate_span_s: Option<i64>,
    /// `null` without a positive burn rate and once the contract is used up (see
    /// `capacity_reached`).
    pub projected_exhaustion_at: Option<DateTime<Utc>>,
    /// Earliest (at the interval's high rate) and latest (at its low rate; `null` when that
    /// rate may be 0) exhaustion.
    pub projected_exhaustion_at_low: Option<DateTime<Utc>>,
    /// Latest exhaustion (the interval's low rate); see `projected_exhaustion_at_low`.
    pub projected_exhaustion_at_high: Option<DateTime<Utc>>,
    /// Consumed has reached the contracted units.
    pub capacity_reached: bool,
    /// The contract lasts until `window_end` at the current rate; `null` while measuring.
    pub lasts_window: Option<bool>,
    /// Units consumed by `window_end` at the point rate; `null` without a rate.
    pub projected_at_window_end: Option<u64>,
    /// `projected_at_window_end` at the interval's low rate.
    pub projected_at_window_end_low: Option<u64>,
    /// `projected_at_window_end` at the interval's high rate.
    pub projected_at_window_end_high: Option<u64>,
    /// Projected units beyond the contract at `window_end` (0 when within); `null` without a projection.
    pub overage_units: Option<u64>,
    /// `overage_units` at the interval's low rate.
    pub overage_units_low: Option<u64>,
    /// `overage_units` at the interval's high rate.
    pub overage_units_high: Option<u64>,
    /// `overage_units` × the contract's overage cost, in minor units of `currency`.
    pub overage_cost_minor: Option<i64>,
    /// `overage_cost_minor` at the interval's low rate.
    pub overage_cost_minor_low: Option<i64>,
    /// `overage_cost_minor` at the interval's high rate.
    pub overage_cost_minor_high: Option<i64>,
    /// Projected units short of the minimum commitment at `window_end` (0 when met).
    pub shortfall_units: Option<u64>,
    /// `shortfall_units` at the interval's high rate (the smaller shortfall).
    pub shortfall_units_low: Option<u64>,
    /// `shortfall_units` at the interval's low rate (the larger shortfall).
    pub shortfall_units_high: Option<u64>,
    /// `shortfall_units` × the contract's unused-unit penalty, in minor units of `currency`.
    pub penalty_minor: Option<i64>,
    /// `penalty_minor` of `shortfall_units_low`.
    pub penalty_minor_low: Option<i64>,
    /// `penalty_minor` of `shortfall_units_high`.
    pub penalty_minor_high: Option<i64>,
    /// ISO 4217 code of the contract's costs and penalties.
    pub currency: String,
    /// `on_time / (on_time + late + overdue_open) × 100`; `null` while the sum is 0.
    pub on_time_pct: Option<f64>,
    /// Orders not shipped and past their due time (they count as late).
    pub overdue_open: u64,
}

/// One pop-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopupReport {
    /// The pop-up's id in the POS feed.
    pub id: String,
    /// The pop-up's display name.
    pub name: String,
    /// Open now: `opens_at <= as_of < closes_at`.
    pub open: bool,
    /// Payment terminals whose status is `online`.
    pub terminals_online: usize,
    /// Payment terminals the pop-up has.
    pub terminals_total: usize,
    /// Takings so far, in minor units of `currency`.
    pub revenue_minor: i64,
    /// ISO 4217 code of `revenue_minor`.
    pub currency: String,
    /// Pickups past due, as the POS feed counts them (`pickups.overdue`).
    pub pickups_overdue: u64,
    /// Units sold in person per minute over the trailing window (`sales.units`, the rate
    /// stock on hand runs out at); `null` while measuring.
    pub sales_per_min: Option<f64>,
    /// Low end of `sales_per_min`'s 90 % interval.
    pub sales_per_min_low: Option<f64>,
    /// High end of `sales_per_min`'s 90 % interval.
    pub sales_per_min_high: Option<f64>,
    /// Seconds of samples behind the sales rate; `null` while measuring.
    pub rate_span_s: Option<i64>,
}

/// Whether an alert's condition has held for its pending time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Raised: its condition held for its kind's pending time (`for`).
    Firing,
    /// Its condition holds, but has not held for its pending time yet.
    Pending,
}

/// One alert whose condition holds (firing or pending).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertReport {
    /// The rule that raised it (`capacity_exhaustion`, `feed_stale`, …).
    pub kind: AlertKind,
    /// `critical`, `warning` or `info`.
    pub severity: Severity,
    /// What it is about: a drop, hub, pop-up or feed id.
    pub subject: String,
    /// The sentence the room shows, with its figures.
    pub message: String,
    /// `firing` or `pending`; `status --check` counts both.
    pub state: AlertState,
    /// When the problem began (server time): where the feed says so (a terminal's
    /// `last_seen`, the oldest overdue order's `due_at`, the drop's `opens_at` − lead), else
    /// `first_seen`. Never after `as_of`.
    pub since: DateTime<Utc>,
    /// When the control room first found the condition (server time), never after `as_of`.
    pub first_seen: DateTime<Utc>,
    /// An operator silenced it; `status --check` ignores it until the silence ends.
    pub silenced: bool,
}

/// One skipped entry of a feed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedReport {
    /// The feed whose document held the entry: `marketplace`, `fulfilment` or `pos`.
    pub feed: &'static str,
    /// The entry's id, or `#<position>` when it had no readable id.
    pub entry: String,
    /// Why it could not be used.
    pub error: String,
}

/// The ends of an optional estimate, rounded like its point.
fn ends(e: Option<Estimate>) -> (Option<f64>, Option<f64>) {
    (round2(e.map(|e| e.low)), round2(e.map(|e| e.high)))
}

/// An estimate of a count as whole units (the interval of a count of units is reported in
/// units).
fn whole(value: f64) -> Option<u64> {
    // Float-to-int `as` saturates; non-finite values have no figure.
    value.is_finite().then(|| value.max(0.0).round() as u64)
}

/// Rounded to 2 decimals; `None` for a non-finite value.
fn round2(value: Option<f64>) -> Option<f64> {
    value
        .filter(|v| v.is_finite())
        .map(|v| (v * 100.0).round() / 100.0)
}

impl Report {
    /// The snapshot of `board` and `alerts` at `local_now`.
    #[must_use]
    pub fn build(board: &Board, alerts: &AlertBook, local_now: DateTime<Utc>) -> Self {
        let now = board.server_now(local_now);
        let feeds = FeedKind::ALL
            .iter()
            .map(|&feed| {
                let h = board.health(feed);
                FeedReport {
                    name: feed.name(),
                    ok: h.is_ok(),
                    error: h.last_error.as_ref().map(ToString::to_string),
                    last_success: h.last_success,
                    latency_ms: h.latency_ms,
                    stale: board.is_stale(feed, local_now),
                    consecutive_failures: h.consecutive_failures,
                }
            })
            .collect();
        let drops = board
            .all_drop_figures(now)
            .map(|f| {
                let (live_low, live_high) = ends(f.live_conversion);
                let orders = f.orders.map(|r| r.per_min);
                let sales = f.sales.map(|r| r.per_min);
                let stock = f.stock_outlook;
                let left = stock.map(|s| s.left_at_close);
                DropReport {
                    id: f.drop.id.clone(),
                    title: f.drop.title.clone(),
                    state: f.drop.state.as_str().to_owned(),
                    countdown_s: f.countdown.map(|c| c.seconds()),
                    conversion_pct: round2(f.conversion_pct),
                    conversion_unavailable: f
                        .conversion_pct
                        .is_none()
                        .then(|| f.drop.sessions_unavailable.clone())
                        .flatten(),
                    live_conversion_pct: round2(f.live_conversion_pct),
                    live_conversion_pct_low: live_low,
                    live_conversion_pct_high: live_high,
                    orders_per_min: round2(f.orders_per_min),
                    orders_per_min_low: ends(orders).0,
                    orders_per_min_high: ends(orders).1,
                    units_per_min: round2(f.units_per_min),
                    units_per_min_low: ends(sales).0,
                    units_per_min_high: ends(sales).1,
                    rate_span_s: f.sales.map(|r| r.span_s()),
                    sell_through_pct: round2(f.sell_through_pct),
                    sellout_at: f.sellout_at,
                    sellout_at_low: stock.and_then(|s| s.sellout_earliest),
                    sellout_at_high: stock.and_then(|s| s.sellout_latest),
                    units_left_at_close: left.and_then(|e| whole(e.point)),
                    units_left_at_close_low: left.and_then(|e| whole(e.low)),
                    units_left_at_close_high: left.and_then(|e| whole(e.high)),
                    active_band: f.drop.active_band.clone(),
                    currency: f.drop.currency.clone(),
                    bands: f
                        .bands
                        .iter()
                        .map(|b| BandReport {
                            id: b.band.id.clone(),
                            price_minor: b.band.price_minor,
                            margin_pct: round2(b.margin_pct),
                            conversion_pct: round2(b.conversion_pct),
                            allowed: b.allowed,
                        })
                        .collect(),
                }
            })
            .collect();
        let hubs = board
            .all_hub_outlooks(now)
            .map(|o| {
                let c = &o.capacity;
                let reached = matches!(c.exhaustion, super::figures::Exhaustion::Reached { .. });
                HubReport {
                    id: o.hub.id.clone(),
                    name: o.hub.name.clone(),
                    remaining_units: c.remaining_units,
                    over_contract_units: c.over_contract_units,
                    burn_units_per_min: round2(c.burn_units_per_min),
                    burn_units_per_min_low: ends(c.burn).0,
                    burn_units_per_min_high: ends(c.burn).1,
                    rate_span_s: o.burn.map(|r| r.span_s()),
                    projected_exhaustion_at: c.exhaustion.at(),
                    projected_exhaustion_at_low: c.exhaustion_earliest.filter(|_| !reached),
                    projected_exhaustion_at_high: c.exhaustion_latest.filter(|_| !reached),
                    capacity_reached: reached,
                    lasts_window: c.lasts_window(o.hub.capacity.window_end),
                    projected_at_window_end: c.projected_at_window_end,
                    projected_at_window_end_low: c.projected_range.map(|r| r.low),
                    projected_at_window_end_high: c.projected_range.map(|r| r.high),
                    overage_units: c.overage_units,
                    overage_units_low: c.overage_range.map(|r| r.low),
                    overage_units_high: c.overage_range.map(|r| r.high),
                    overage_cost_minor: c.overage_cost_minor,
                    overage_cost_minor_low: c.overage_cost_range.map(|r| r.low),
                    overage_cost_minor_high: c.overage_cost_range.map(|r| r.high),
                    shortfall_units: c.shortfall_units,
                    shortfall_units_low: c.shortfall_range.map(|r| r.low),
                    shortfall_units_high: c.shortfall_range.map(|r| r.high),
                    penalty_minor: c.penalty_minor,
                    penalty_minor_low: c.penalty_range.map(|r| r.low),
                    penalty_minor_high: c.penalty_range.map(|r| r.high),
                    currency: o.hub.capacity.currency.clone(),
                    on_time_pct: round2(o.on_time_pct),
                    overdue_open: o.hub.sla.overdue_open,
                }
            })
            .collect();
        let popups = board
            .all_popup_summaries(now)
            .map(|s| {
                let sales = s.sales();
                let rate = sales.map(|r| r.per_min);
                PopupReport {
                    id: s.popup.id.clone(),
                    name: s.popup.name.clone(),
                    open: s.is_open,
                    terminals_online: s.terminals_online,
                    terminals_total: s.terminals_total,
                    revenue_minor: s.popup.sales.revenue_minor,
                    currency: s.popup.currency.clone(),
                    pickups_overdue: s.popup.pickups.overdue,
                    sales_per_min: round2(rate.map(|r| r.point)),
                    sales_per_min_low: ends(rate).0,
                    sales_per_min_high: ends(rate).1,
                    rate_span_s: sales.map(|r| r.span_s()),
                }
            })
            .collect();
        let mut alert_rows: Vec<AlertReport> = alerts
            .firing()
            .map(|a| AlertReport {
                kind: a.kind,
                severity: a.severity,
                subject: a.subject.clone(),
                message: a.message.clone(),
                state: AlertState::Firing,
                since: a.since.min(now),
                first_seen: a.first_seen.min(now),
                silenced: a.is_silenced(local_now),
            })
            .collect();
        alert_rows.extend(alerts.pending().into_iter().map(|p| AlertReport {
            kind: p.kind,
            severity: p.severity,
            subject: p.subject.clone(),
            message: p.message.clone(),
            state: AlertState::Pending,
            since: p.since.min(now),
            first_seen: p.first_seen.min(now),
            silenced: false,
        }));
        // One list, critical first, then oldest first, whatever the state.
        alert_rows.sort_by_key(|a| (a.severity, a.since));
        let worst = alert_rows
            .iter()
            .filter(|a| !a.silenced)
            .map(|a| a.severity)
            .min();
        let skipped = FeedKind::ALL
            .iter()
            .flat_map(|&feed| {
                board.skipped(feed).iter().map(move |s| SkippedReport {
                    feed: feed.name(),
                    entry: s.id.clone().unwrap_or_else(|| format!("#{}", s.index)),
                    error: s.reason.clone(),
                })
            })
            .collect();
        Self {
            as_of: now,
            clock_skew_s: round2(board.clock_skew().map(|s| {
                // Precision loss only beyond 2^53 ms.
                let ms = s.num_milliseconds() as f64;
                ms / 1000.0
            })),
            feeds,
            drops,
            hubs,
            popups,
            alerts: alert_rows,
            skipped,
            worst,
        }
    }

    /// Exit status of `status --check`: 0 when no alert holds (or only info ones), 1 when the
    /// worst alert, firing or pending, is a warning, 2 when it is critical. Silenced alerts do
    /// not count. A one-shot check counts pending alerts: the interval rule, not waiting,
    /// guards it against noise.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self.worst {
            Some(Severity::Critical) => 2,
            Some(Severity::Warning) => 1,
            Some(Severity::Info) | None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::json;

    use super::*;
    use crate::feed::FeedFailure;
    use crate::feed::wire::{Document, Popup, decode_document};
    use crate::model::alerts::AlertThresholds;
    use crate::model::fixtures::{self, at, at_time};

    /// The FEEDS.md examples, each preceded by a document one minute earlier, received with a
    /// 2-second skew; the POS feed then fails once.
    fn fixed_state() -> (Board, AlertBook, DateTime<Utc>) {
        let skew = TimeDelta::seconds(2);
        let mut board = Board::default();
        let mut drops = at_time(fixtures::drops(), at(-60));
        drops.entries[0].stock.sold = 110;
        drops.entries[0].funnel.sessions = 10_034;
        drops.entries[0].funnel.orders = 390;
        board.ingest_drops(drops, at(-60) - skew, at(-60) - skew);
        board.ingest_drops(fixtures::drops(), at(0) - skew, at(0) - skew);
        let mut hubs = at_time(fixtures::hubs(), at(-180));
        hubs.entries[0].capacity.consumed_units = 204;
        board.ingest_hubs(hubs, at(-180) - skew, at(-180) - skew);
        board.ingest_hubs(
            fixtures::hubs(),
            at(0) - skew - TimeDelta::milliseconds(85),
            at(0) - skew + TimeDelta::milliseconds(85),
        );
        let mut popups: Document<Popup> = decode_document(
            fixtures::POPUPS
                .replace(r#""popups": [{"#, r#""popups": [{"id": 7}, {"#)
                .as_bytes(),
        )
        .expect("doc");
        popups.as_of = at(0);
        board.ingest_popups(popups, at(0) - skew, at(0) - skew);
        board.record_failure(
            FeedKind::Pos,
            FeedFailure::Timeout { timeout_ms: 3000 },
            at(1) - skew,
        );
        let local_now = at(0) - skew;
        let mut book = AlertBook::new();
        book.evaluate(&board, local_now, &AlertThresholds::default());
        (board, book, local_now)
    }

    #[test]
    fn json_shape_of_a_fixed_state() {
        let (board, book, local_now) = fixed_state();
        let report = Report::build(&board, &book, local_now);
        let value = serde_json::to_value(&report).expect("serialize");
        let expected = json!({
            "as_of": "2026-11-27T18:00:00Z",
            "clock_skew_s": 2.0,
            "feeds": [
                {"name": "marketplace", "ok": true, "error": null,
                 "last_success": "2026-11-27T17:59:58Z", "latency_ms": 0, "stale": false,
                 "consecutive_failures": 0},
                {"name": "fulfilment", "ok": true, "error": null,
                 "last_success": "2026-11-27T17:59:58.085Z", "latency_ms": 170, "stale": false,
                 "consecutive_failures": 0},
                {"name": "pos", "ok": false, "error": "no answer within 3000 ms",
                 "last_success": "2026-11-27T17:59:58Z", "latency_ms": 0, "stale": false,
                 "consecutive_failures": 1}
            ],
            "drops": [{
                "id": "hoodie-01",
                "title": "Midnight Hoodie — Drop 01",
                "state": "live",
                "countdown_s": 5400,
                "conversion_pct": 3.91,
                // 10 orders of 200 sessions in the minute: Clopper–Pearson 90 %
                "live_conversion_pct": 5.0,
                "live_conversion_pct_low": 2.74,
                "live_conversion_pct_high": 8.33,
                // 10 events in 60 s: Garwood [5.43, 16.96] per minute
                "orders_per_min": 10.0,
                "orders_per_min_low": 5.43,
                "orders_per_min_high": 16.96,
                "units_per_min": 10.0,
                "units_per_min_low": 5.43,
                "units_per_min_high": 16.96,
                "rate_span_s": 60,
                "sell_through_pct": 24.0,
                // 380 left: at 16.96/min by 18:22:24, at 5.43/min by 19:10:02, both before
                // the 19:30 close: nothing left at close at any rate of the interval
                "sellout_at": "2026-11-27T18:38:00Z",
                "sellout_at_low": "2026-11-27T18:22:24.164Z",
                "sellout_at_high": "2026-11-27T19:10:02.451Z",
                "units_left_at_close": 0,
                "units_left_at_close_low": 0,
                "units_left_at_close_high": 0,
                "active_band": "A",
                "currency": "USD",
                "bands": [
                    {"id": "A", "price_minor": 6500, "margin_pct": 63.08, "conversion_pct": 4.13,
                     "allowed": true},
                    {"id": "B", "price_minor": 7200, "margin_pct": 66.67, "conversion_pct": 3.13,
                     "allowed": true}
                ]
            }],
            "hubs": [{
                "id": "ewr-1",
                "name": "Newark micro-hub",
                "remaining_units": 390,
                "over_contract_units": 0,
                // 6 units in 180 s: Garwood [2.613, 11.842] / 3 = [0.871, 3.947] per minute
                // (5 events at least, so its point may grade an alert)
                "burn_units_per_min": 2.0,
                "burn_units_per_min_low": 0.87,
                "burn_units_per_min_high": 3.95,
                "rate_span_s": 180,
                // 390 left: at 3.947/min in 98.8 min, at 0.871/min in 447.8 min
                "projected_exhaustion_at": "2026-11-27T21:15:00Z",
                "projected_exhaustion_at_low": "2026-11-27T19:38:47.855Z",
                "projected_exhaustion_at_high": "2026-11-28T01:27:45.520Z",
                "capacity_reached": false,
                "lasts_window": false,
                // 210 + 210 min × rate: 393 at 0.871/min, 1039 at 3.947/min
                "projected_at_window_end": 630,
                "projected_at_window_end_low": 393,
                "projected_at_window_end_high": 1039,
                "overage_units": 30,
                "overage_units_low": 0,
                "overage_units_high": 439,
                "overage_cost_minor": 27000,
                "overage_cost_minor_low": 0,
                "overage_cost_minor_high": 395_100,
                "shortfall_units": 0,
                "shortfall_units_low": 0,
                "shortfall_units_high": 0,
                "penalty_minor": 0,
                "penalty_minor_low": 0,
                "penalty_minor_high": 0,
                "currency": "USD",
                "on_time_pct": 93.46,
                "overdue_open": 4
            }],
            "popups": [{
                "id": "bk-1", "name": "Brooklyn pop-up", "open": true,
                "terminals_online": 1, "terminals_total": 2,
                "revenue_minor": 617_500, "currency": "USD", "pickups_overdue": 3,
                // One POS document: no rate yet, and no made-up 0
                "sales_per_min": null, "sales_per_min_low": null, "sales_per_min_high": null,
                "rate_span_s": null
            }],
            // Critical first, then oldest first. `since` is when the problem began where the
            // feed says so (the overdue order due 17:40, the terminal last seen 17:51:10),
            // else when first seen; both on the server's clock, never after `as_of`. The
            // projections hold for less than their pending time: listed as pending, and the
            // burn's interval straddles the window's end, so a warning, not a page.
            "alerts": [
                {"kind": "sla_breach", "severity": "critical", "subject": "ewr-1",
                 "message": "ewr-1 ships 93.5 % on time, below its 95.0 % target (200 of 214 orders)",
                 "state": "firing", "since": "2026-11-27T18:00:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "orders_overdue", "severity": "warning", "subject": "ewr-1",
                 "message": "ewr-1 has 4 orders past due and not shipped",
                 "state": "firing", "since": "2026-11-27T17:40:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "terminal_offline", "severity": "warning", "subject": "bk-1",
                 "message": "bk-1: 1 of 2 terminals offline: T2 (pickup desk) since 17:51 UTC",
                 "state": "firing", "since": "2026-11-27T17:51:10Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "pickups_overdue", "severity": "warning", "subject": "bk-1",
                 "message": "bk-1: 3 pick-ups overdue (30 ready)",
                 "state": "firing", "since": "2026-11-27T18:00:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "feed_error", "severity": "warning", "subject": "pos",
                 "message": "pos: last poll failed (1 in a row): no answer within 3000 ms",
                 "state": "firing", "since": "2026-11-27T18:00:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "capacity_exhaustion", "severity": "warning", "subject": "ewr-1",
                 "message": "ewr-1 runs out at 21:15 UTC (19:38–Sat 01:27), 15 min before its window ends (390 units left at ~2/min (0.9–3.9)); about 30 over, 270.00 USD",
                 "state": "pending", "since": "2026-11-27T18:00:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false},
                {"kind": "sellout_soon", "severity": "info", "subject": "hoodie-01",
                 "message": "hoodie-01 sells out at 18:38 UTC (18:22–19:10), 52 min before it closes (380 left at ~10/min (5.4–17))",
                 "state": "pending", "since": "2026-11-27T18:00:00Z",
                 "first_seen": "2026-11-27T18:00:00Z", "silenced": false}
            ],
            "skipped": [{"feed": "pos", "entry": "#0", "error": value["skipped"][0]["error"]}]
        });
        assert_eq!(
            value,
            expected,
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        assert!(
            value["skipped"][0]["error"]
                .as_str()
                .is_some_and(|e| e.contains("id")),
            "{}",
            value["skipped"][0]["error"]
        );
        assert_eq!(report.exit_code(), 2);
    }

    #[test]
    fn popup_sales_rate_with_its_interval() {
        let mut board = Board::default();
        let mut earlier = at_time(fixtures::popups(), at(-60));
        earlier.entries[0].sales.units = 85;
        board.ingest_popups(earlier, at(-60), at(-60));
        board.ingest_popups(fixtures::popups(), at(0), at(0));
        let report = Report::build(&board, &AlertBook::new(), at(0));
        let value = serde_json::to_value(&report).expect("serialize");
        let popup = &value["popups"][0];
        // 10 units in 60 s: Garwood [5.43, 16.96] per minute, as a drop's orders.
        assert_eq!(popup["sales_per_min"], 10.0, "{popup}");
        assert_eq!(popup["sales_per_min_low"], 5.43, "{popup}");
        assert_eq!(popup["sales_per_min_high"], 16.96, "{popup}");
        assert_eq!(popup["rate_span_s"], 60, "{popup}");
    }

    #[test]
    fn empty_board_has_nulls_not_zeros() {
        let report = Report::build(&Board::default(), &AlertBook::new(), at(0));
        let value = serde_json::to_value(&report).expect("serialize");
        assert_eq!(value["as_of"], "2026-11-27T18:00:00Z");
        assert!(value["clock_skew_s"].is_null());
        assert_eq!(value["feeds"][0]["ok"], false);
        assert!(value["feeds"][0]["last_success"].is_null());
        assert!(value["feeds"][0]["latency_ms"].is_null());
        assert_eq!(value["drops"], json!([]));
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn exit_codes_follow_the_worst_unsilenced_alert() {
        let (board, mut book, local_now) = fixed_state();
        assert_eq!(Report::build(&board, &book, local_now).exit_code(), 2);
        let later = local_now + TimeDelta::hours(1);
        assert!(book.silence(AlertKind::SlaBreach, "ewr-1", later));
        assert_eq!(Report::build(&board, &book, local_now).exit_code(), 1);
        for (kind, subject) in [
            (AlertKind::OrdersOverdue, "ewr-1"),
            (AlertKind::TerminalOffline, "bk-1"),
            (AlertKind::PickupsOverdue, "bk-1"),
            (AlertKind::FeedError, "pos"),
        ] {
            assert!(book.silence(kind, subject, later));
        }
        // The pending capacity warning still counts: a one-shot check reports a condition
        // that holds, whether or not it has held for its pending time.
        assert_eq!(Report::build(&board, &book, local_now).exit_code(), 1);
        // Without it only the info alert is left.
        let mut hubs = at_time(fixtures::hubs(), at(0));
        hubs.entries[0].capacity.contracted_units = 10_000;
        let mut relaxed = board.clone();
        relaxed.ingest_hubs(hubs, local_now, local_now);
        let mut book = AlertBook::new();
        book.evaluate(&relaxed, local_now, &AlertThresholds::default());
        for (kind, subject) in [
            (AlertKind::SlaBreach, "ewr-1"),
            (AlertKind::OrdersOverdue, "ewr-1"),
            (AlertKind::TerminalOffline, "bk-1"),
            (AlertKind::PickupsOverdue, "bk-1"),
            (AlertKind::FeedError, "pos"),
        ] {
            assert!(book.silence(kind, subject, later), "{kind}");
        }
        assert_eq!(Report::build(&relaxed, &book, local_now).exit_code(), 0);
    }
}
