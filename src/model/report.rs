//! The snapshot printed by `dropday status --json`: a documented interface for scripts.
//!
//! Every figure that does not exist is `null` (never NaN, never a made-up 0); percentages and
//! rates are rounded to 2 decimals; money is integer minor units with the entity's `currency`;
//! instants are RFC 3339 UTC. Keys are only ever added, never renamed or removed.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::feed::FeedKind;

use super::alerts::{AlertBook, AlertKind, Severity};
use super::board::Board;

/// The whole snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Server time at which the figures were computed.
    pub as_of: DateTime<Utc>,
    /// Server clock minus local clock, in seconds; `null` before any document.
    pub clock_skew_s: Option<f64>,
    pub feeds: Vec<FeedReport>,
    pub drops: Vec<DropReport>,
    pub hubs: Vec<HubReport>,
    pub popups: Vec<PopupReport>,
    /// Firing alerts, critical first, then oldest first.
    pub alerts: Vec<AlertReport>,
    /// Entries of the feeds' last documents that could not be used.
    pub skipped: Vec<SkippedReport>,
    /// The most urgent firing, not silenced alert, for [`Report::exit_code`].
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
    pub consecutive_failures: u32,
}

/// One drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropReport {
    pub id: String,
    pub title: Option<String>,
    /// As the feed sent it (unknown states pass through).
    pub state: String,
    /// Seconds to `opens_at` (scheduled) or `closes_at` (live, paused), 0 once due; else null.
    pub countdown_s: Option<i64>,
    pub conversion_pct: Option<f64>,
    pub live_conversion_pct: Option<f64>,
    pub sell_through_pct: Option<f64>,
    pub sellout_at: Option<DateTime<Utc>>,
    pub active_band: String,
    pub currency: String,
    pub bands: Vec<BandReport>,
}

/// One price band of a drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandReport {
    pub id: String,
    pub price_minor: i64,
    pub margin_pct: Option<f64>,
    pub conversion_pct: Option<f64>,
    /// The margin clears the drop's floor: the band may be activated.
    pub allowed: bool,
}

/// One hub's capacity and SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HubReport {
    pub id: String,
    pub name: String,
    /// contracted − consumed; negative once over contract.
    pub remaining_units: i64,
    pub burn_units_per_min: Option<f64>,
    /// `null` without a positive burn rate and once the contract is used up (see
    /// `capacity_reached`).
    pub projected_exhaustion_at: Option<DateTime<Utc>>,
    /// Consumed has reached the contracted units.
    pub capacity_reached: bool,
    pub projected_at_window_end: Option<u64>,
    pub overage_units: Option<u64>,
    pub overage_cost_minor: Option<i64>,
    pub shortfall_units: Option<u64>,
    pub penalty_minor: Option<i64>,
    pub currency: String,
    pub on_time_pct: Option<f64>,
    pub overdue_open: u64,
}

/// One pop-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopupReport {
    pub id: String,
    pub name: String,
    pub open: bool,
    pub terminals_online: usize,
    pub terminals_total: usize,
    pub revenue_minor: i64,
    pub currency: String,
    pub pickups_overdue: u64,
}

/// One firing alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertReport {
    pub kind: AlertKind,
    pub severity: Severity,
    pub subject: String,
    pub message: String,
    /// Local time it started firing.
    pub since: DateTime<Utc>,
    pub silenced: bool,
}

/// One skipped entry of a feed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedReport {
    pub feed: &'static str,
    /// The entry's id, or `#<position>` when it had no readable id.
    pub entry: String,
    /// Why it could not be used.
    pub error: String,
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
            .map(|f| DropReport {
                id: f.drop.id.clone(),
                title: f.drop.title.clone(),
                state: f.drop.state.as_str().to_owned(),
                countdown_s: f.countdown.map(|c| c.seconds()),
                conversion_pct: round2(f.conversion_pct),
                live_conversion_pct: round2(f.live_conversion_pct),
                sell_through_pct: round2(f.sell_through_pct),
                sellout_at: f.sellout_at,
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
            })
            .collect();
        let hubs = board
            .all_hub_outlooks(now)
            .map(|o| {
                let c = &o.capacity;
                HubReport {
                    id: o.hub.id.clone(),
                    name: o.hub.name.clone(),
                    remaining_units: c.remaining_units,
                    burn_units_per_min: round2(c.burn_units_per_min),
                    projected_exhaustion_at: c.exhaustion.at(),
                    capacity_reached: matches!(
                        c.exhaustion,
                        super::figures::Exhaustion::Reached { .. }
                    ),
                    projected_at_window_end: c.projected_at_window_end,
                    overage_units: c.overage_units,
                    overage_cost_minor: c.overage_cost_minor,
                    shortfall_units: c.shortfall_units,
                    penalty_minor: c.penalty_minor,
                    currency: o.hub.capacity.currency.clone(),
                    on_time_pct: round2(o.on_time_pct),
                    overdue_open: o.hub.sla.overdue_open,
                }
            })
            .collect();
        let popups = board
            .all_popup_summaries(now)
            .map(|s| PopupReport {
                id: s.popup.id.clone(),
                name: s.popup.name.clone(),
                open: s.is_open,
                terminals_online: s.terminals_online,
                terminals_total: s.terminals_total,
                revenue_minor: s.popup.sales.revenue_minor,
                currency: s.popup.currency.clone(),
                pickups_overdue: s.popup.pickups.overdue,
            })
            .collect();
        let alert_rows = alerts
            .firing()
            .map(|a| AlertReport {
                kind: a.kind,
                severity: a.severity,
                subject: a.subject.clone(),
                message: a.message.clone(),
                since: a.since,
                silenced: a.is_silenced(local_now),
            })
            .collect();
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
                #[allow(clippy::cast_precision_loss)]
                let ms = s.num_milliseconds() as f64;
                ms / 1000.0
            })),
            feeds,
            drops,
            hubs,
            popups,
            alerts: alert_rows,
            skipped,
            worst: alerts.counts(local_now).worst(),
        }
    }

    /// Exit status of `status --check`: 0 when no alert fires (or only info ones), 1 when the
    /// worst firing alert is a warning, 2 when it is critical. Silenced alerts do not count.
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
        let mut hubs = at_time(fixtures::hubs(), at(-60));
        hubs.entries[0].capacity.consumed_units = 208;
        board.ingest_hubs(hubs, at(-60) - skew, at(-60) - skew);
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
                "live_conversion_pct": 5.0,
                "sell_through_pct": 24.0,
                "sellout_at": "2026-11-27T18:38:00Z",
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
                "burn_units_per_min": 2.0,
                "projected_exhaustion_at": "2026-11-27T21:15:00Z",
                "capacity_reached": false,
                "projected_at_window_end": 630,
                "overage_units": 30,
                "overage_cost_minor": 27000,
                "shortfall_units": 0,
                "penalty_minor": 0,
                "currency": "USD",
                "on_time_pct": 93.46,
                "overdue_open": 4
            }],
            "popups": [{
                "id": "bk-1", "name": "Brooklyn pop-up", "open": true,
                "terminals_online": 1, "terminals_total": 2,
                "revenue_minor": 617500, "currency": "USD", "pickups_overdue": 3
            }],
            "alerts": [
                {"kind": "capacity_exhaustion", "severity": "critical", "subject": "ewr-1",
                 "message": "ewr-1 runs out at 21:15 UTC, 15 min before its window ends (390 units left at 2.0/min)",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "sla_breach", "severity": "critical", "subject": "ewr-1",
                 "message": "ewr-1 ships 93.5 % on time, below its 95.0 % target (200 of 214 orders)",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "orders_overdue", "severity": "warning", "subject": "ewr-1",
                 "message": "ewr-1 has 4 orders past due and not shipped",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "terminal_offline", "severity": "warning", "subject": "bk-1",
                 "message": "bk-1: 1 of 2 terminals offline: T2 (pickup desk) since 17:51 UTC",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "pickups_overdue", "severity": "warning", "subject": "bk-1",
                 "message": "bk-1: 3 pick-ups overdue (30 ready)",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "feed_error", "severity": "warning", "subject": "pos",
                 "message": "pos: last poll failed (1 in a row): no answer within 3000 ms",
                 "since": "2026-11-27T17:59:58Z", "silenced": false},
                {"kind": "sellout_soon", "severity": "info", "subject": "hoodie-01",
                 "message": "hoodie-01 sells out at 18:38 UTC, 52 min before it closes (380 left at 10.0/min)",
                 "since": "2026-11-27T17:59:58Z", "silenced": false}
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
        for kind in [AlertKind::CapacityExhaustion, AlertKind::SlaBreach] {
            assert!(book.silence(kind, "ewr-1", later));
        }
        assert_eq!(Report::build(&board, &book, local_now).exit_code(), 1);
        for (kind, subject) in [
            (AlertKind::OrdersOverdue, "ewr-1"),
            (AlertKind::TerminalOffline, "bk-1"),
            (AlertKind::PickupsOverdue, "bk-1"),
            (AlertKind::FeedError, "pos"),
        ] {
            assert!(book.silence(kind, subject, later));
        }
        // only the info alert is left
        assert_eq!(Report::build(&board, &book, local_now).exit_code(), 0);
    }
}
