//! Alert rules over the board, and the book of alerts: raised, kept, cleared, acknowledged,
//! silenced.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::feed::FeedKind;
use crate::feed::wire::DropState;

use super::board::Board;
use super::figures::{CountdownTarget, Exhaustion};
use super::money::format_money;
use super::rate::RateWindow;
use super::views::{DropFigures, HubOutlook, PopupSummary};

/// How urgent an alert is. Orders critical first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    /// The stable lower-case name (`critical`, `warning`, `info`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alert is about. The `snake_case` names are a stable interface (`status --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A hub's capacity is projected to run out (or has run out) before its window ends.
    CapacityExhaustion,
    /// A hub's projected consumption at window end is below its minimum commitment.
    CapacityUnderuse,
    /// A hub's on-time % is below its target, over enough orders.
    SlaBreach,
    /// A hub has orders past due and not shipped.
    OrdersOverdue,
    /// An open pop-up has a terminal offline.
    TerminalOffline,
    /// A pop-up has pick-ups waiting past their time.
    PickupsOverdue,
    /// A drop's active price band has a margin below the drop's floor.
    MarginBelowFloor,
    /// A live drop is projected to sell out before it closes.
    SelloutSoon,
    /// A scheduled drop opens soon.
    DropOpening,
    /// A live drop converts much worse now than over its whole life.
    ConversionDrop,
    /// The last poll of a feed failed.
    FeedError,
    /// A feed had no successful poll for several intervals.
    FeedStale,
}

impl AlertKind {
    /// Every kind.
    pub const ALL: [AlertKind; 12] = [
        AlertKind::CapacityExhaustion,
        AlertKind::CapacityUnderuse,
        AlertKind::SlaBreach,
        AlertKind::OrdersOverdue,
        AlertKind::TerminalOffline,
        AlertKind::PickupsOverdue,
        AlertKind::MarginBelowFloor,
        AlertKind::SelloutSoon,
        AlertKind::DropOpening,
        AlertKind::ConversionDrop,
        AlertKind::FeedError,
        AlertKind::FeedStale,
    ];

    /// The stable `snake_case` name, the same as its serde form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::CapacityExhaustion => "capacity_exhaustion",
            AlertKind::CapacityUnderuse => "capacity_underuse",
            AlertKind::SlaBreach => "sla_breach",
            AlertKind::OrdersOverdue => "orders_overdue",
            AlertKind::TerminalOffline => "terminal_offline",
            AlertKind::PickupsOverdue => "pickups_overdue",
            AlertKind::MarginBelowFloor => "margin_below_floor",
            AlertKind::SelloutSoon => "sellout_soon",
            AlertKind::DropOpening => "drop_opening",
            AlertKind::ConversionDrop => "conversion_drop",
            AlertKind::FeedError => "feed_error",
            AlertKind::FeedStale => "feed_stale",
        }
    }

    /// How urgent alerts of this kind are.
    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            AlertKind::CapacityExhaustion
            | AlertKind::SlaBreach
            | AlertKind::MarginBelowFloor
            | AlertKind::FeedStale => Severity::Critical,
            AlertKind::CapacityUnderuse
            | AlertKind::OrdersOverdue
            | AlertKind::TerminalOffline
            | AlertKind::PickupsOverdue
            | AlertKind::ConversionDrop
            | AlertKind::FeedError => Severity::Warning,
            AlertKind::SelloutSoon | AlertKind::DropOpening => Severity::Info,
        }
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every configurable number of the alert rules; the config file embeds it as `[alerts]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertThresholds {
    /// `sla_breach` needs at least this many orders counted in the on-time %.
    pub sla_min_orders: u64,
    /// `drop_opening` fires this many minutes before a scheduled drop opens.
    pub drop_opening_within_min: u32,
    /// `conversion_drop` fires when live conversion is below this share of the cumulative one.
    pub conversion_drop_ratio: f64,
    /// … and at least this many sessions arrived in the trailing window.
    pub conversion_min_window_sessions: u64,
    /// `feed_stale` fires after this many poll intervals without a successful poll.
    pub stale_after_intervals: u32,
    /// Cleared alerts stay listed this many minutes, then are forgotten.
    pub cleared_retention_min: u32,
    /// Projection alerts (`capacity_exhaustion` ahead of time, `capacity_underuse`,
    /// `sellout_soon`) wait until the rate behind them spans this many seconds of samples: a
    /// rate from the first few polls swings with every unit and would raise and clear
    /// critical alerts within seconds.
    pub projection_min_span_s: u32,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self {
            sla_min_orders: 20,
            drop_opening_within_min: 10,
            conversion_drop_ratio: 0.5,
            conversion_min_window_sessions: 200,
            stale_after_intervals: 3,
            cleared_retention_min: 10,
            projection_min_span_s: 60,
        }
    }
}

/// What one evaluation changed, in words for the program's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertChanges {
    /// `severity kind subject: message` of each alert that started firing.
    pub raised: Vec<String>,
    /// `kind subject` of each alert that stopped firing.
    pub cleared: Vec<String>,
}

fn describe(kind: AlertKind, subject: &str, message: &str) -> String {
    format!(
        "{} {} {subject}: {message}",
        kind.severity().as_str(),
        kind.as_str()
    )
}

/// One alert of the book. Instants are local time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// Id of the drop, hub or pop-up, or the feed's name.
    pub subject: String,
    /// What is wrong, with the figures (updated on each evaluation while firing).
    pub message: String,
    /// When it started firing (this time).
    pub since: DateTime<Utc>,
    /// When it stopped firing; `None` while it fires.
    pub cleared_at: Option<DateTime<Utc>>,
    /// Seen by the operator; reset when it fires again after clearing.
    pub acknowledged: bool,
    /// Not counted or signalled until then.
    pub silenced_until: Option<DateTime<Utc>>,
}

impl Alert {
    /// Whether it fires (has not cleared).
    #[must_use]
    pub fn is_firing(&self) -> bool {
        self.cleared_at.is_none()
    }

    /// Whether it is silenced at `local_now`.
    #[must_use]
    pub fn is_silenced(&self, local_now: DateTime<Utc>) -> bool {
        self.silenced_until.is_some_and(|until| until > local_now)
    }
}

/// Firing alerts per severity, silenced ones left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
}

impl SeverityCounts {
    /// The most urgent severity counted.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        if self.critical > 0 {
            Some(Severity::Critical)
        } else if self.warning > 0 {
            Some(Severity::Warning)
        } else if self.info > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

/// The alerts raised so far: firing ones and those cleared within the retention.
///
/// Kept sorted (firing first, then severity, then oldest first) after every change, so readers
/// never sort. Memory is bounded by entities × kinds plus what cleared within the retention.
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    alerts: Vec<Alert>,
    /// Position in `alerts` of each (kind, subject).
    index: HashMap<(AlertKind, String), usize>,
}

/// One rule's finding: (kind, subject, message).
type Finding = (AlertKind, String, String);

impl AlertBook {
    /// An empty book.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs every rule on `board` at `local_now`: new findings are raised with `since = now`,
    /// continuing ones keep their `since` and get the new message, alerts no rule finds any
    /// more are cleared, and alerts cleared longer than the retention are forgotten.
    ///
    /// Returns what changed, for the program's log.
    pub fn evaluate(
        &mut self,
        board: &Board,
        local_now: DateTime<Utc>,
        thresholds: &AlertThresholds,
    ) -> AlertChanges {
        let findings = findings(board, local_now, thresholds);
        let mut changes = AlertChanges::default();
        let mut alive = vec![false; self.alerts.len()];
        let mut added = Vec::new();
        for (kind, subject, message) in findings {
            let key = (kind, subject);
            match self.index.get(&key) {
                Some(&i) => {
                    let alert = &mut self.alerts[i];
                    alive[i] = true;
                    if alert.cleared_at.is_some() {
                        // Fires again: a new occurrence (the silence, if any, still holds).
                        alert.since = local_now;
                        alert.cleared_at = None;
                        alert.acknowledged = false;
                        changes
                            .raised
                            .push(describe(alert.kind, &alert.subject, &message));
                    }
                    alert.message = message;
                }
                None => {
                    changes.raised.push(describe(kind, &key.1, &message));
                    added.push(Alert {
                        kind,
                        severity: kind.severity(),
                        subject: key.1,
                        message,
                        since: local_now,
                        cleared_at: None,
                        acknowledged: false,
                        silenced_until: None,
                    });
                }
            }
        }
        let retention = TimeDelta::minutes(i64::from(thresholds.cleared_retention_min));
        for (alert, alive) in self.alerts.iter_mut().zip(alive) {
            if !alive && alert.cleared_at.is_none() {
                alert.cleared_at = Some(local_now);
                changes
                    .cleared
                    .push(format!("{} {}", alert.kind.as_str(), alert.subject));
            }
            if alert.silenced_until.is_some_and(|until| until <= local_now) {
                alert.silenced_until = None;
            }
        }
        self.alerts
            .retain(|a| a.cleared_at.is_none_or(|at| local_now - at < retention));
        self.alerts.extend(added);
        self.reindex();
        changes
    }

    fn reindex(&mut self) {
        self.alerts.sort_by(|a, b| {
            (
                a.cleared_at.is_some(),
                a.severity,
                a.since,
                a.kind,
                &a.subject,
            )
                .cmp(&(
                    b.cleared_at.is_some(),
                    b.severity,
                    b.since,
                    b.kind,
                    &b.subject,
                ))
        });
        self.index.clear();
        for (i, alert) in self.alerts.iter().enumerate() {
            self.index.insert((alert.kind, alert.subject.clone()), i);
        }
    }

    fn find_mut(&mut self, kind: AlertKind, subject: &str) -> Option<&mut Alert> {
        let &i = self.index.get(&(kind, subject.to_owned()))?;
        self.alerts.get_mut(i)
    }

    /// Marks an alert as seen; `false` when there is no such alert.
    pub fn acknowledge(&mut self, kind: AlertKind, subject: &str) -> bool {
        self.find_mut(kind, subject)
            .map(|a| a.acknowledged = true)
            .is_some()
    }

    /// Silences an alert until `until` (local time); `false` when there is no such alert.
    pub fn silence(&mut self, kind: AlertKind, subject: &str, until: DateTime<Utc>) -> bool {
        self.find_mut(kind, subject)
            .map(|a| a.silenced_until = Some(until))
            .is_some()
    }

    /// One alert, firing or recently cleared.
    #[must_use]
    pub fn get(&self, kind: AlertKind, subject: &str) -> Option<&Alert> {
        let &i = self.index.get(&(kind, subject.to_owned()))?;
        self.alerts.get(i)
    }

    /// Firing alerts (silenced ones included), critical first, then oldest first.
    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().take_while(|a| a.is_firing())
    }

    /// Alerts cleared within the retention, critical first, then oldest first.
    pub fn recently_cleared(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().skip_while(|a| a.is_firing())
    }

    /// Firing alerts per severity at `local_now`, silenced ones left out.
    #[must_use]
    pub fn counts(&self, local_now: DateTime<Utc>) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for alert in self.firing().filter(|a| !a.is_silenced(local_now)) {
            match alert.severity {
                Severity::Critical => counts.critical += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        counts
    }
}

/// `HH:MM UTC` of an instant, for messages.
fn hhmm(at: DateTime<Utc>) -> String {
    at.format("%H:%M UTC").to_string()
}

/// Whole minutes of a span, rounded down, never negative.
fn minutes(span: TimeDelta) -> i64 {
    span.num_minutes().max(0)
}

/// What every rule finds on `board` at `local_now`, one finding per (kind, subject).
fn findings(board: &Board, local_now: DateTime<Utc>, t: &AlertThresholds) -> Vec<Finding> {
    let now = board.server_now(local_now);
    let mut out = Findings(Vec::new());
    let min_span = TimeDelta::seconds(i64::from(t.projection_min_span_s));
    let settled = |window: &RateWindow| window.span(now).is_some_and(|span| span >= min_span);
    for hub in board.all_hub_outlooks(now) {
        let projected = board
            .hub_track(&hub.hub.id)
            .is_some_and(|track| settled(&track.consumed));
        hub_rules(&hub, projected, t, &mut out);
    }
    for popup in board.all_popup_summaries(now) {
        popup_rules(&popup, &mut out);
    }
    let rate_window = board.settings().rate_window;
    for figures in board.all_drop_figures(now) {
        let projected = board
            .drop_track(&figures.drop.id)
            .is_some_and(|track| settled(&track.sold));
        drop_rules(&figures, projected, rate_window, t, &mut out);
    }
    for feed in FeedKind::ALL {
        feed_rules(board, feed, local_now, t, &mut out);
    }
    out.0
}

/// Findings of the rules, one per (kind, subject).
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, kind: AlertKind, subject: &str, message: String) {
        self.0.push((kind, subject.to_owned(), message));
    }
}

/// Rules `capacity_exhaustion`, `capacity_underuse`, `sla_breach`, `orders_overdue`.
/// `projected`: the burn rate spans enough samples for projections to be alerted on.
fn hub_rules(hub: &HubOutlook<'_>, projected: bool, t: &AlertThresholds, out: &mut Findings) {
    let h = hub.hub;
    let cap = &h.capacity;
    let outlook = &hub.capacity;
    let reached = matches!(outlook.exhaustion, Exhaustion::Reached { .. });
    if (projected || reached) && outlook.exhausts_before(cap.window_end) {
        let message = match outlook.exhaustion {
            Exhaustion::At(at) => format!(
                "{} runs out at {}, {} min before its window ends ({} units left at {:.1}/min)",
                h.id,
                hhmm(at),
                minutes(cap.window_end - at),
                outlook.remaining_units,
                outlook.burn_units_per_min.unwrap_or_default(),
            ),
            Exhaustion::Reached { over_by: 0 } => format!(
                "{} has used all {} contracted units with {} min of its window left",
                h.id,
                cap.contracted_units,
                minutes(outlook.time_left),
            ),
            Exhaustion::Reached { over_by } => format!(
                "{} is {} units over its contract of {} with {} min of its window left",
                h.id,
                over_by,
                cap.contracted_units,
                minutes(outlook.time_left),
            ),
            // `exhausts_before` is false without a projection.
            Exhaustion::NotBurning => format!("{} runs out before its window ends", h.id),
        };
        out.push(AlertKind::CapacityExhaustion, &h.id, message);
    }
    if let Some(at_end) = outlook.projected_at_window_end
        && (projected || outlook.time_left.is_zero())
        && at_end < cap.min_commit_units
    {
        out.push(
            AlertKind::CapacityUnderuse,
            &h.id,
            format!(
                "{} heads for {} of its {} committed units by {}: {} short, penalty {}",
                h.id,
                at_end,
                cap.min_commit_units,
                hhmm(cap.window_end),
                outlook.shortfall_units.unwrap_or_default(),
                format_money(outlook.penalty_minor.unwrap_or_default(), &cap.currency),
            ),
        );
    }
    if let Some(pct) = hub.on_time_pct
        && hub.sla_orders >= t.sla_min_orders
        && pct < h.sla.target_pct
    {
        out.push(
            AlertKind::SlaBreach,
            &h.id,
            format!(
                "{} ships {:.1} % on time, below its {:.1} % target ({} of {} orders)",
                h.id, pct, h.sla.target_pct, h.sla.on_time, hub.sla_orders,
            ),
        );
    }
    if h.sla.overdue_open > 0 {
        out.push(
            AlertKind::OrdersOverdue,
            &h.id,
            format!(
                "{} has {} order{} past due and not shipped",
                h.id,
                h.sla.overdue_open,
                plural(h.sla.overdue_open),
            ),
        );
    }
}

/// Rules `terminal_offline`, `pickups_overdue`.
fn popup_rules(popup: &PopupSummary<'_>, out: &mut Findings) {
    let p = popup.popup;
    if popup.is_open {
        let offline: Vec<String> = popup
            .offline()
            .map(|term| format!("{} ({}) since {}", term.id, term.name, hhmm(term.last_seen)))
            .collect();
        if !offline.is_empty() {
            out.push(
                AlertKind::TerminalOffline,
                &p.id,
                format!(
                    "{}: {} of {} terminals offline: {}",
                    p.id,
                    offline.len(),
                    popup.terminals_total,
                    offline.join(", "),
                ),
            );
        }
    }
    if p.pickups.overdue > 0 {
        out.push(
            AlertKind::PickupsOverdue,
            &p.id,
            format!(
                "{}: {} pick-up{} overdue ({} ready)",
                p.id,
                p.pickups.overdue,
                plural(p.pickups.overdue),
                p.pickups.ready,
            ),
        );
    }
}

/// Rules `margin_below_floor`, `sellout_soon`, `drop_opening`, `conversion_drop`.
/// `projected`: the sales rate spans enough samples for projections to be alerted on.
fn drop_rules(
    f: &DropFigures<'_>,
    projected: bool,
    rate_window: TimeDelta,
    t: &AlertThresholds,
    out: &mut Findings,
) {
    let d = f.drop;
    let on_sale = matches!(
        d.state,
        DropState::Scheduled | DropState::Live | DropState::Paused
    );
    if on_sale
        && let Some(band) = f.active_band()
        && !band.allowed
    {
        let margin = band
            .margin_pct
            .map_or_else(|| "no".to_owned(), |m| format!("{m:.1} %"));
        out.push(
            AlertKind::MarginBelowFloor,
            &d.id,
            format!(
                "{}: active band {} has {} margin, below the {:.1} % floor",
                d.id, band.band.id, margin, d.margin_floor_pct,
            ),
        );
    }
    if d.state == DropState::Live
        && projected
        && let Some(at) = f.sellout_at
        && at < d.closes_at
    {
        out.push(
            AlertKind::SelloutSoon,
            &d.id,
            format!(
                "{} sells out at {}, {} min before it closes ({} left at {:.1}/min)",
                d.id,
                hhmm(at),
                minutes(d.closes_at - at),
                f.remaining_stock,
                f.units_per_min.unwrap_or_default(),
            ),
        );
    }
    if let Some(c) = f.countdown
        && c.target == CountdownTarget::Opens
        && c.remaining <= TimeDelta::minutes(i64::from(t.drop_opening_within_min))
    {
        let message = if c.is_due() {
            format!("{} is opening ({})", d.id, hhmm(c.at))
        } else {
            format!(
                "{} opens in {} min ({})",
                d.id,
                minutes(c.remaining),
                hhmm(c.at)
            )
        };
        out.push(AlertKind::DropOpening, &d.id, message);
    }
    if d.state == DropState::Live
        && let (Some(live), Some(overall), Some(sessions)) =
            (f.live_conversion_pct, f.conversion_pct, f.window_sessions)
        && sessions >= t.conversion_min_window_sessions
        && live < overall * t.conversion_drop_ratio
    {
        out.push(
            AlertKind::ConversionDrop,
            &d.id,
            format!(
                "{} converts {:.2} % over the last {} min, against {:.2} % overall ({} sessions)",
                d.id,
                live,
                minutes(rate_window),
                overall,
                sessions,
            ),
        );
    }
}

/// Rules `feed_error`, `feed_stale`.
fn feed_rules(
    board: &Board,
    feed: FeedKind,
    local_now: DateTime<Utc>,
    t: &AlertThresholds,
    out: &mut Findings,
) {
    let health = board.health(feed);
    if let Some(error) = &health.last_error {
        out.push(
            AlertKind::FeedError,
            feed.name(),
            format!(
                "{feed}: last poll failed ({} in a row): {error}",
                health.consecutive_failures
            ),
        );
    }
    if health.is_stale(local_now, t.stale_after_intervals) {
        let since = health.last_success.or(health.first_attempt);
        let age = since.map_or(0, |s| (local_now - s).num_seconds());
        let message = match health.last_success {
            Some(_) => format!("{feed}: no successful poll for {age} s"),
            None => format!("{feed}: no successful poll since starting {age} s ago"),
        };
        out.push(AlertKind::FeedStale, feed.name(), message);
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedFailure;
    use crate::model::fixtures::{self, at, at_time};

    fn keys(book: &AlertBook) -> Vec<(AlertKind, &str)> {
        book.firing()
            .map(|a| (a.kind, a.subject.as_str()))
            .collect()
    }

    fn example_board() -> Board {
        let mut board = Board::default();
        board.ingest_drops(fixtures::drops(), at(0), at(0));
        board.ingest_hubs(fixtures::hubs(), at(0), at(0));
        board.ingest_popups(fixtures::popups(), at(0), at(0));
        board
    }

    #[test]
    fn names_are_stable_and_match_serde() {
        for kind in AlertKind::ALL {
            let json = serde_json::to_string(&kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(
            serde_json::to_string(&Severity::Critical).expect("serialize"),
            "\"critical\""
        );
        assert!(Severity::Critical < Severity::Warning && Severity::Warning < Severity::Info);
    }

    #[test]
    fn thresholds_from_toml() {
        let t: AlertThresholds = toml::from_str("sla_min_orders = 50").expect("partial table");
        assert_eq!(t.sla_min_orders, 50);
        assert_eq!(t.drop_opening_within_min, 10);
        let err = toml::from_str::<AlertThresholds>("sla_min_order = 50").expect_err("typo");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn the_feeds_md_examples_raise_four_alerts() {
        let board = example_board();
        let mut book = AlertBook::new();
        book.evaluate(&board, at(0), &AlertThresholds::default());
        assert_eq!(
            keys(&book),
            [
                (AlertKind::SlaBreach, "ewr-1"),
                (AlertKind::OrdersOverdue, "ewr-1"),
                (AlertKind::TerminalOffline, "bk-1"),
                (AlertKind::PickupsOverdue, "bk-1"),
            ]
        );
        let messages: Vec<&str> = book.firing().map(|a| a.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "ewr-1 ships 93.5 % on time, below its 95.0 % target (200 of 214 orders)",
                "ewr-1 has 4 orders past due and not shipped",
                "bk-1: 1 of 2 terminals offline: T2 (pickup desk) since 17:51 UTC",
                "bk-1: 3 pick-ups overdue (30 ready)",
            ]
        );
        assert_eq!(
            book.counts(at(0)),
            SeverityCounts {
                critical: 1,
                warning: 3,
                info: 0
            }
        );
        // fewer orders than the minimum: no SLA breach
        let strict = AlertThresholds {
            sla_min_orders: 500,
            ..AlertThresholds::default()
        };
        book.evaluate(&board, at(1), &strict);
        assert_eq!(
            book.get(AlertKind::SlaBreach, "ewr-1")
                .and_then(|a| a.cleared_at),
            Some(at(1))
        );
    }

    #[test]
    fn raise_keep_since_clear_refire_and_retention() {
        let t = AlertThresholds::default();
        let mut board = example_board();
        let mut book = AlertBook::new();
        book.evaluate(&board, at(0), &t);
        assert!(book.acknowledge(AlertKind::OrdersOverdue, "ewr-1"));
        assert!(!book.acknowledge(AlertKind::OrdersOverdue, "nope"));

        // Still firing a minute later with another figure: since kept, message updated.
        let mut hubs = at_time(fixtures::hubs(), at(60));
        hubs.entries[0].sla.overdue_open = 7;
        board.ingest_hubs(hubs, at(60), at(60));
        book.evaluate(&board, at(60), &t);
        let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
        assert_eq!(a.since, at(0));
        assert!(a.acknowledged);
        assert!(a.message.contains("7 orders"), "{}", a.message);

        // Overdue orders gone: cleared, kept as recently cleared.
        let mut hubs = at_time(fixtures::hubs(), at(120));
        hubs.entries[0].sla.overdue_open = 0;
        hubs.entries[0].sla.late = 14; // on-time stays at 93.5 %
        board.ingest_hubs(hubs, at(120), at(120));
        book.evaluate(&board, at(120), &t);
        assert!(!keys(&book).contains(&(AlertKind::OrdersOverdue, "ewr-1")));
        let cleared: Vec<(AlertKind, Option<DateTime<Utc>>)> = book
            .recently_cleared()
            .map(|a| (a.kind, a.cleared_at))
            .collect();
        assert_eq!(cleared, [(AlertKind::OrdersOverdue, Some(at(120)))]);
        // the SLA alert kept its since
        assert_eq!(
            book.get(AlertKind::SlaBreach, "ewr-1").map(|a| a.since),
            Some(at(0))
        );

        // Fires again: a new occurrence, not acknowledged.
        let mut hubs = at_time(fixtures::hubs(), at(180));
        hubs.entries[0].sla.overdue_open = 1;
        board.ingest_hubs(hubs, at(180), at(180));
        book.evaluate(&board, at(180), &t);
        let a = book.get(AlertKind::OrdersOverdue, "ewr-1").expect("alert");
        assert_eq!(
            (a.since, a.cleared_at, a.acknowledged),
            (at(180), None, false)
        );
        assert_eq!(a.message, "ewr-1 has 1 order past due and not shipped");

        // Clear again and let the retention pass.
        let mut hubs = at_time(fixtures::hubs(), at(240));
        hubs.entries[0].sla.overdue_open = 0;
        board.ingest_hubs(hubs, at(240), at(240));
        book.evaluate(&board, at(240), &t);
        book.evaluate(&board, at(240 + 599), &t);
        assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_some());
        book.evaluate(&board, at(240 + 600), &t);
        assert!(book.get(AlertKind::OrdersOverdue, "ewr-1").is_none());
        assert!(
            book.recently_cleared()
                .all(|a| a.cleared_at > Some(at(240)))
        );
    }

    #[test]
    fn silence_hides_from_counts_until_it_expires() {
        let t = AlertThresholds::default();
        let board = example_board();
        let mut book = AlertBook::new();
        book.evaluate(&board, at(0), &t);
        assert!(book.silence(AlertKind::SlaBreach, "ewr-1", at(300)));
        assert_eq!(book.counts(at(10)).critical, 0);
        assert_eq!(book.counts(at(10)).worst(), Some(Severity::Warning));
        // still listed as firing
        assert_eq!(book.firing().count(), 4);
        book.evaluate(&board, at(200), &t);
        assert_eq!(book.counts(at(200)).critical, 0);
        book.evaluate(&board, at(300), &t);
        assert_eq!(book.counts(at(300)).critical, 1);
        assert_eq!(
            book.get(AlertKind::SlaBreach, "ewr-1")
                .and_then(|a| a.silenced_until),
            None
        );
    }

    /// Fires the rules on one board at 18:00 and returns the firing (kind, subject, message).
    fn fire(board: &Board, local_now: DateTime<Utc>) -> Vec<(AlertKind, String, String)> {
        let mut book = AlertBook::new();
        book.evaluate(board, local_now, &AlertThresholds::default());
        book.firing()
            .map(|a| (a.kind, a.subject.clone(), a.message.clone()))
            .collect()
    }

    fn find(found: &[(AlertKind, String, String)], kind: AlertKind) -> Option<&str> {
        found
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(_, _, m)| m.as_str())
    }

    #[test]
    fn capacity_rules() {
        let cases: &[(u64, u64, AlertKind, &str)] = &[
            // 2 units/min: out at 21:15, window ends 21:30
            (
                208,
                210,
                AlertKind::CapacityExhaustion,
                "ewr-1 runs out at 21:15 UTC, 15 min before its window ends (390 units left at 2.0/min)",
            ),
            // 0.2 units/min isn't representable per minute with integers: use 0 over a minute
            (
                210,
                210,
                AlertKind::CapacityUnderuse,
                "ewr-1 heads for 210 of its 300 committed units by 21:30 UTC: 90 short, penalty 135.00 USD",
            ),
            (
                640,
                650,
                AlertKind::CapacityExhaustion,
                "ewr-1 is 50 units over its contract of 600 with 210 min of its window left",
            ),
            (
                590,
                600,
                AlertKind::CapacityExhaustion,
                "ewr-1 has used all 600 contracted units with 210 min of its window left",
            ),
        ];
        for &(before, now_units, kind, message) in cases {
            let mut board = Board::default();
            let mut hubs = at_time(fixtures::hubs(), at(-60));
            hubs.entries[0].capacity.consumed_units = before;
            board.ingest_hubs(hubs, at(-60), at(-60));
            let mut hubs = fixtures::hubs();
            hubs.entries[0].capacity.consumed_units = now_units;
            board.ingest_hubs(hubs, at(0), at(0));
            let found = fire(&board, at(0));
            assert_eq!(
                find(&found, kind),
                Some(message),
                "{before}->{now_units}: {found:?}"
            );
        }
        // one document only: no rate, no capacity alert of either kind
        let found = fire(&example_board(), at(0));
        assert_eq!(find(&found, AlertKind::CapacityExhaustion), None);
        assert_eq!(find(&found, AlertKind::CapacityUnderuse), None);
    }

    #[test]
    fn projections_wait_for_a_settled_rate_but_a_reached_contract_does_not() {
        let board_with = |before: u64, now_units: u64, seconds: i64| {
            let mut board = Board::default();
            let mut hubs = at_time(fixtures::hubs(), at(-seconds));
            hubs.entries[0].capacity.consumed_units = before;
            board.ingest_hubs(hubs, at(-seconds), at(-seconds));
            let mut hubs = fixtures::hubs();
            hubs.entries[0].capacity.consumed_units = now_units;
            board.ingest_hubs(hubs, at(0), at(0));
            board
        };
        // 20 s of samples: a steep burn is not yet alerted on, nor is a shortfall.
        let early = fire(&board_with(200, 210, 20), at(0));
        assert_eq!(
            find(&early, AlertKind::CapacityExhaustion),
            None,
            "{early:?}"
        );
        assert_eq!(find(&early, AlertKind::CapacityUnderuse), None, "{early:?}");
        // The same burn over the default 60 s span is.
        let settled = fire(&board_with(180, 210, 60), at(0));
        assert!(
            find(&settled, AlertKind::CapacityExhaustion).is_some(),
            "{settled:?}"
        );
        // A contract already used up needs no projection.
        let reached = fire(&board_with(595, 600, 20), at(0));
        assert!(
            find(&reached, AlertKind::CapacityExhaustion).is_some(),
            "{reached:?}"
        );
    }

    #[test]
    fn drop_rules() {
        // Margin: active band priced under the floor.
        let mut board = Board::default();
        let mut drops = fixtures::drops();
        drops.entries[0].price_bands[0].price_minor = 5000;
        board.ingest_drops(drops, at(0), at(0));
        assert_eq!(
            find(&fire(&board, at(0)), AlertKind::MarginBelowFloor),
            Some("hoodie-01: active band A has 52.0 % margin, below the 55.0 % floor")
        );

        // Opening: scheduled 7 minutes from now; not yet at 11 minutes.
        for (opens_in, expected) in [
            (420, Some("hoodie-01 opens in 7 min (18:07 UTC)")),
            (660, None),
            (-5, Some("hoodie-01 is opening (17:59 UTC)")),
        ] {
            let mut board = Board::default();
            let mut drops = fixtures::drops();
            drops.entries[0].state = DropState::Scheduled;
            drops.entries[0].opens_at = at(opens_in);
            board.ingest_drops(drops, at(0), at(0));
            assert_eq!(find(&fire(&board, at(0)), AlertKind::DropOpening), expected);
        }

        // Sell-out and conversion drop from two documents a minute apart.
        let mut board = Board::default();
        let mut drops = at_time(fixtures::drops(), at(-60));
        drops.entries[0].stock.sold = 110;
        drops.entries[0].funnel.sessions = 10_234 - 300;
        drops.entries[0].funnel.orders = 397;
        board.ingest_drops(drops, at(-60), at(-60));
        board.ingest_drops(fixtures::drops(), at(0), at(0));
        let found = fire(&board, at(0));
        assert_eq!(
            find(&found, AlertKind::SelloutSoon),
            Some(
                "hoodie-01 sells out at 18:38 UTC, 52 min before it closes (380 left at 10.0/min)"
            )
        );
        assert_eq!(
            find(&found, AlertKind::ConversionDrop),
            Some(
                "hoodie-01 converts 1.00 % over the last 5 min, against 3.91 % overall (300 sessions)"
            )
        );

        // Too few sessions in the window: no conversion alert.
        let mut board = Board::default();
        let mut drops = at_time(fixtures::drops(), at(-60));
        drops.entries[0].funnel.sessions = 10_234 - 100;
        drops.entries[0].funnel.orders = 400;
        board.ingest_drops(drops, at(-60), at(-60));
        board.ingest_drops(fixtures::drops(), at(0), at(0));
        assert_eq!(find(&fire(&board, at(0)), AlertKind::ConversionDrop), None);
    }

    #[test]
    fn feed_rules() {
        let mut board = example_board();
        board.set_poll_interval(FeedKind::Pos, TimeDelta::seconds(5));
        board.record_failure(FeedKind::Pos, FeedFailure::Connect("refused".into()), at(5));
        let found = fire(&board, at(5));
        assert_eq!(
            find(&found, AlertKind::FeedError),
            Some("pos: last poll failed (1 in a row): cannot connect: refused")
        );
        assert_eq!(find(&found, AlertKind::FeedStale), None);
        let found = fire(&board, at(16));
        assert_eq!(
            find(&found, AlertKind::FeedStale),
            Some("pos: no successful poll for 16 s")
        );
        let stale = found
            .iter()
            .find(|f| f.0 == AlertKind::FeedStale)
            .expect("stale");
        assert_eq!(stale.1, "pos");
    }

    #[test]
    fn closed_popup_has_no_terminal_alert() {
        let mut board = Board::default();
        let mut popups = fixtures::popups();
        popups.entries[0].closes_at = at(-1);
        board.ingest_popups(popups, at(0), at(0));
        let found = fire(&board, at(0));
        assert_eq!(find(&found, AlertKind::TerminalOffline), None);
        assert!(find(&found, AlertKind::PickupsOverdue).is_some());
    }
}
