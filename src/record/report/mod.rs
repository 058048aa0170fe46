//! The post-drop scorecard (`dropday report`): figures read from a recording's documents, in
//! the order they arrived, plus the alert and action timelines it recorded. Every figure comes
//! from the feeds' own counters (conversion, sell-through, on-time % as FEEDS.md defines them);
//! where the recording ends before a figure is final (a hub's window still open), the model's
//! projection is given with its 90 % interval, and said to be one.
//!
//! [`PostDrop`] serialises as the `--format json` interface (README, "Report JSON"): keys are
//! only ever added; a figure that does not exist is `null`.

pub mod html;
pub mod markdown;
mod scan;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::reader::Recording;

pub use scan::build;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostDrop {
    /// What was read.
    pub recording: RecordingInfo,
    /// Hours of server time between the first and the last document.
    pub covered_hours: f64,
    /// One entry per drop, in the marketplace's order.
    pub drops: Vec<DropScore>,
    /// One entry per hub.
    pub hubs: Vec<HubScore>,
    /// One entry per pop-up.
    pub popups: Vec<PopupScore>,
    /// Every alert raised, oldest first.
    pub alerts: Vec<AlertLine>,
    /// Every control action, oldest first.
    pub actions: Vec<ActionLine>,
    /// Return and repeat-buyer rates over every drop, from the latest `after_sale` read.
    pub after_sale: Option<AfterSaleScore>,
    /// Time series for the charts of `--format html` (not part of the JSON interface).
    #[serde(skip)]
    pub charts: Charts,
}

/// The recording itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingInfo {
    /// Environment of the first segment.
    pub environment: String,
    /// Starts (segments) in the file.
    pub segments: usize,
    /// Server time of the first document.
    pub first_document: Option<DateTime<Utc>>,
    /// Server time of the last document.
    pub last_document: Option<DateTime<Utc>>,
    /// Feed documents read (304s and failures not counted).
    pub documents: usize,
    /// Polls that failed.
    pub failed_polls: usize,
    /// Bytes of a cut last frame that were not read (a recorder killed mid-write).
    pub cut_bytes: usize,
}

/// One drop's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropScore {
    /// Drop id.
    pub id: String,
    /// Display title.
    pub title: Option<String>,
    /// ISO 4217 code of the money figures.
    pub currency: String,
    /// When the drop opened and closes (server time).
    pub opens_at: DateTime<Utc>,
    /// End of the sale window.
    pub closes_at: DateTime<Utc>,
    /// State in the last document.
    pub state: String,
    /// orders / sessions × 100 over the whole drop (`null` with no sessions).
    pub conversion_pct: Option<f64>,
    /// The same at 48 hours after opening; `null` when the recording covers less.
    pub conversion_48h_pct: Option<f64>,
    /// Conversion per price band.
    pub bands: Vec<BandScore>,
    /// Each change of the active band, with conversion before and after.
    pub band_switches: Vec<BandSwitch>,
    /// Most orders in one minute of server time.
    pub peak_orders_per_min: Option<u64>,
    /// Median orders per minute over the minutes the drop was live.
    pub median_orders_per_min: Option<f64>,
    /// Seconds from `opens_at` to the first order seen; `null` when the first document
    /// already had orders (the recording started late) or no order came.
    pub time_to_first_order_s: Option<i64>,
    /// sold / allocated × 100.
    pub sell_through_pct: Option<f64>,
    /// First document that said `sold_out`.
    pub sold_out_at: Option<DateTime<Utc>>,
    /// allocated − sold in the last document (at close when the recording reached it).
    pub units_left: u64,
    /// Whether `units_left` is at close (else: when the recording ended).
    pub units_left_at_close: bool,
    /// Each pause: who, when, how long.
    pub pauses: Vec<Pause>,
    /// Revenue in minor units of `currency`.
    pub revenue_minor: i64,
    /// Orders over the drop.
    pub orders: u64,
    /// Sessions over the drop.
    pub sessions: u64,
}

/// Conversion of one band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandScore {
    /// Band id.
    pub id: String,
    /// orders / sessions × 100 while the band was active.
    pub conversion_pct: Option<f64>,
    /// Orders under the band.
    pub orders: u64,
    /// Sessions under the band.
    pub sessions: u64,
}

/// One band switch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandSwitch {
    /// First document with the new band (server time).
    pub at: DateTime<Utc>,
    /// Band before.
    pub from: String,
    /// Band after.
    pub to: String,
    /// Who switched it (from the recorded action), when known.
    pub by: Option<String>,
    /// Conversion over the window before, with its 90 % interval.
    pub before: ConversionWindow,
    /// Conversion over the window after.
    pub after: ConversionWindow,
    /// `higher`, `lower`, `no clear change` or `too little evidence`.
    pub verdict: String,
}

/// Conversion over a window of server time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversionWindow {
    /// Minutes of the window.
    pub minutes: f64,
    /// Sessions in it.
    pub sessions: u64,
    /// Orders in it.
    pub orders: u64,
    /// orders / sessions × 100.
    pub conversion_pct: Option<f64>,
    /// Low end of the 90 % interval (Clopper–Pearson).
    pub conversion_pct_low: Option<f64>,
    /// High end.
    pub conversion_pct_high: Option<f64>,
}

/// One pause of a drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pause {
    /// First document that showed it paused (server time).
    pub from: DateTime<Utc>,
    /// First document that showed it not paused; `null` while still paused.
    pub until: Option<DateTime<Utc>>,
    /// Seconds paused (to the recording's end while still paused).
    pub duration_s: i64,
    /// Who paused it, when the recording has the action.
    pub by: Option<String>,
    /// Who resumed it.
    pub resumed_by: Option<String>,
}

/// One hub's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HubScore {
    /// Hub id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 code of the money figures.
    pub currency: String,
    /// End of the capacity window.
    pub window_end: DateTime<Utc>,
    /// Whether the figures below are projections (the recording ends before `window_end`).
    pub projected: bool,
    /// Consumed at window end (or in the last document, when projected).
    pub consumed_units: u64,
    /// Projected consumption at window end, with its interval (`null` when realised).
    pub projected_units: Option<u64>,
    /// Low end of the projection's interval.
    pub projected_units_low: Option<u64>,
    /// High end.
    pub projected_units_high: Option<u64>,
    /// The contract.
    pub contracted_units: u64,
    /// Minimum commitment.
    pub min_commit_units: u64,
    /// Units beyond the contract (realised or projected).
    pub overage_units: Option<u64>,
    /// Their cost in minor units.
    pub overage_cost_minor: Option<i64>,
    /// Low end of the cost (projected only).
    pub overage_cost_minor_low: Option<i64>,
    /// High end of the cost (projected only).
    pub overage_cost_minor_high: Option<i64>,
    /// Units short of the minimum commitment.
    pub shortfall_units: Option<u64>,
    /// Their penalty in minor units.
    pub penalty_minor: Option<i64>,
    /// On-time % in the last document.
    pub on_time_pct: Option<f64>,
    /// The SLA's target.
    pub target_pct: f64,
    /// Minutes on-time % was below target.
    pub breach_minutes: f64,
    /// Most open overdue orders at once.
    pub peak_overdue: u64,
    /// Distinct overdue orders seen per reason.
    pub overdue_by_reason: BTreeMap<String, u64>,
}

/// One pop-up's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopupScore {
    /// Pop-up id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Revenue in minor units.
    pub revenue_minor: i64,
    /// Payments taken.
    pub transactions: u64,
    /// Seconds each terminal was not `online`, by terminal id.
    pub terminal_downtime_s: BTreeMap<String, i64>,
    /// Most pick-ups overdue at once.
    pub peak_pickups_overdue: u64,
}

/// One alert of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertLine {
    /// The rule.
    pub kind: String,
    /// Drop, hub, pop-up or feed.
    pub subject: String,
    /// The worst severity it reached.
    pub severity: String,
    /// When the problem began (the alert's `since`, server time).
    pub raised_at: DateTime<Utc>,
    /// When an evaluation first found it (server time).
    pub first_seen: DateTime<Utc>,
    /// When it cleared; `null` while it still fired at the recording's end.
    pub cleared_at: Option<DateTime<Utc>>,
    /// Who acknowledged it, when someone did.
    pub acked_by: Option<String>,
    /// Seconds from `raised_at` to `cleared_at` (or to the last document).
    pub duration_s: i64,
    /// The alert's text when raised.
    pub message: String,
}

/// One control action of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionLine {
    /// Local clock of the final outcome.
    pub at: DateTime<Utc>,
    /// Who.
    pub who: String,
    /// The drop.
    pub drop: String,
    /// `pause`, `resume`, `band B`.
    pub action: String,
    /// `applied`, `refused`, `unknown`.
    pub outcome: String,
    /// The refusal or failure, in words.
    pub detail: Option<String>,
    /// First attempt to final answer.
    pub latency_ms: i64,
}

/// Return and repeat-buyer rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterSaleScore {
    /// `returned_units` / units × 100 over every drop that reported them.
    pub return_rate_pct: Option<f64>,
    /// `repeat_buyers` / buyers × 100.
    pub repeat_buyer_rate_pct: Option<f64>,
    /// Days between the latest `closes_at` and the document the counters were read from
    /// (negative: read before close).
    pub days_after_close: f64,
    /// Server time of that document.
    pub read_at: DateTime<Utc>,
}

/// Series the HTML charts draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Charts {
    /// Per drop id: orders per server minute `(minute start, orders)`.
    pub orders_per_min: BTreeMap<String, Vec<(DateTime<Utc>, u64)>>,
    /// Per hub id: `(server time, consumed units)`.
    pub burn_down: BTreeMap<String, Vec<(DateTime<Utc>, u64)>>,
    /// Per hub id: `(server time, on-time %)`.
    pub on_time: BTreeMap<String, Vec<(DateTime<Utc>, f64)>>,
}

/// Rounds a percentage or rate for the report (2 decimals).
#[must_use]
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The report of `recording` (see [`build`]).
#[must_use]
pub fn of(recording: &Recording) -> PostDrop {
    build(recording)
}
