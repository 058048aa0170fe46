//! `/metrics`: the shared board's figures for Prometheus, encoded by the Prometheus org's
//! `prometheus-client` (OpenMetrics text), built afresh from the board at each scrape so
//! nothing is kept twice. Names follow Prometheus conventions: base units (ratios not
//! percents, per second not per minute, seconds), `_total` on counters. docs/alerting.md lists
//! them; that list is the interface.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use chrono::{DateTime, Utc};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Metric, Registry};
use tokio::net::TcpListener;

use crate::feed::{FeedFailure, FeedKind};
use crate::model::alerts::AlertBook;
use crate::model::board::Board;
use crate::model::report::Report;
use crate::notify::SinkStats;
use crate::serve::ServeFigures;

/// The address `/metrics` listens on when `--metrics` or `[metrics] listen` gives only a port.
pub const DEFAULT_HOST: [u8; 4] = [127, 0, 0, 1];

type Labels = Vec<(String, String)>;
type Value = Gauge<f64, AtomicU64>;

/// Poll failures per feed and reason since the start, counted from the board after each
/// update (the board keeps only the last failure).
#[derive(Debug, Clone, Default)]
pub struct FeedFailureTally {
    last_attempt: BTreeMap<&'static str, DateTime<Utc>>,
    counts: BTreeMap<(&'static str, &'static str), u64>,
}

/// A failure's reason label.
#[must_use]
pub fn failure_reason(failure: &FeedFailure) -> &'static str {
    match failure {
        FeedFailure::Connect(_) => "connect",
        FeedFailure::Timeout { .. } => "timeout",
        FeedFailure::Status { .. } => "http_status",
        FeedFailure::Truncated(_) => "truncated",
        FeedFailure::TooLarge { .. } => "too_large",
        FeedFailure::Malformed(_) => "malformed",
        FeedFailure::UnexpectedNotModified => "unexpected_not_modified",
        FeedFailure::Mapping { .. } => "mapping",
    }
}

impl FeedFailureTally {
    /// Counts the poll failures `board` shows that were not counted yet.
    pub fn observe(&mut self, board: &Board) {
        for feed in FeedKind::ALL {
            let health = board.health(feed);
            let Some(attempt) = health.last_attempt else {
                continue;
            };
            if self.last_attempt.insert(feed.name(), attempt) == Some(attempt) {
                continue;
            }
            if let Some(failure) = &health.last_error
                && health.consecutive_failures > 0
            {
                *self
                    .counts
                    .entry((feed.name(), failure_reason(failure)))
                    .or_default() += 1;
            }
        }
    }
}

/// Everything one scrape reads.
pub struct Scrape<'a> {
    /// The shared board's feeds and figures.
    pub board: &'a Board,
    /// The alert book.
    pub alerts: &'a AlertBook,
    /// Poll failures counted so far.
    pub failures: &'a FeedFailureTally,
    /// The sinks' counts.
    pub sinks: &'a [SinkStats],
    /// Served sessions and their frames, when `dropday serve` serves SSH.
    pub serve: Option<ServeFigures>,
    /// Local time of the scrape.
    pub now: DateTime<Utc>,
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A family of gauges being filled for one scrape.
struct Gauges(Family<Labels, Value>);

impl Gauges {
    fn new() -> Self {
        Gauges(Family::default())
    }

    fn set(&self, pairs: &[(&str, &str)], value: Option<f64>) {
        if let Some(value) = value.filter(|v| v.is_finite()) {
            self.0.get_or_create(&labels(pairs)).set(value);
        }
    }
}

struct Book {
    registry: Registry,
}

impl Book {
    fn gauge(&mut self, name: &str, help: &str) -> Gauges {
        let gauges = Gauges::new();
        self.registry.register(name, help, gauges.0.clone());
        gauges
    }

    /// A counter family; the encoder appends `_total` to `name`.
    fn counter(&mut self, name: &str, help: &str) -> Family<Labels, Counter> {
        let family = Family::<Labels, Counter>::default();
        self.registry.register(name, help, family.clone());
        family
    }

    fn register(&mut self, name: &str, help: &str, metric: impl Metric) {
        self.registry.register(name, help, metric);
    }
}

fn ratio(pct: Option<f64>) -> Option<f64> {
    pct.map(|p| p / 100.0)
}

fn per_second(per_min: Option<f64>) -> Option<f64> {
    per_min.map(|p| p / 60.0)
}

fn units(n: Option<u64>) -> Option<f64> {
    n.map(|n| n as f64)
}

fn minor(n: Option<i64>) -> Option<f64> {
    n.map(|n| n as f64)
}

/// The scrape as OpenMetrics text.
///
/// # Errors
/// Only when the encoder's writer fails, which a `String` never does.
pub fn render(scrape: &Scrape<'_>) -> Result<String, std::fmt::Error> {
    let report = Report::build(scrape.board, scrape.alerts, scrape.now);
    let mut book = Book {
        registry: Registry::default(),
    };

    let conversion = book.gauge(
        "dropday_drop_conversion_ratio",
        "Orders per session over the drop's life",
    );
    let live = book.gauge(
        "dropday_drop_live_conversion_ratio",
        "Orders per session over the rate window; bound=point|low|high",
    );
    let sell_through = book.gauge(
        "dropday_drop_sell_through_ratio",
        "Units sold per unit allocated",
    );
    let orders = book.gauge(
        "dropday_drop_orders_per_second",
        "Orders per second over the rate window; bound=point|low|high",
    );
    let state = book.gauge(
        "dropday_drop_state",
        "1 for the drop's state (scheduled, live, paused, sold_out, ended)",
    );
    for d in &report.drops {
        let id = d.id.as_str();
        conversion.set(&[("drop", id)], ratio(d.conversion_pct));
        for (bound, pct, per_min) in [
            ("point", d.live_conversion_pct, d.orders_per_min),
            ("low", d.live_conversion_pct_low, d.orders_per_min_low),
            ("high", d.live_conversion_pct_high, d.orders_per_min_high),
        ] {
            live.set(&[("drop", id), ("bound", bound)], ratio(pct));
            orders.set(&[("drop", id), ("bound", bound)], per_second(per_min));
        }
        sell_through.set(&[("drop", id)], ratio(d.sell_through_pct));
        state.set(&[("drop", id), ("state", d.state.as_str())], Some(1.0));
    }

    let remaining = book.gauge(
        "dropday_hub_remaining_units",
        "Contracted units not yet consumed",
    );
    let burn = book.gauge(
        "dropday_hub_burn_rate_units_per_second",
        "Units consumed per second over the rate window; bound=point|low|high",
    );
    let overage = book.gauge(
        "dropday_hub_projected_overage_units",
        "Units projected past the contract at window end; bound=point|low|high",
    );
    let overage_cost = book.gauge(
        "dropday_hub_projected_overage_cost_minor_units",
        "Cost of the projected overage, in minor units of currency; bound=point|low|high",
    );
    let shortfall = book.gauge(
        "dropday_hub_projected_shortfall_units",
        "Units projected below the minimum commitment at window end; bound=point|low|high",
    );
    let penalty = book.gauge(
        "dropday_hub_projected_shortfall_penalty_minor_units",
        "Penalty of the projected shortfall, in minor units of currency; bound=point|low|high",
    );
    let on_time = book.gauge(
        "dropday_hub_on_time_ratio",
        "Orders shipped on time per order due",
    );
    let target = book.gauge(
        "dropday_hub_on_time_target_ratio",
        "The on-time share the hub promises",
    );
    let overdue = book.gauge(
        "dropday_hub_overdue_orders",
        "Orders past due and not shipped",
    );
    for h in &report.hubs {
        let id = h.id.as_str();
        let currency = h.currency.as_str();
        remaining.set(&[("hub", id)], units(Some(h.remaining_units)));
        for (bound, rate, over, cost, short, pen) in [
            (
                "point",
                h.burn_units_per_min,
                h.overage_units,
                h.overage_cost_minor,
                h.shortfall_units,
                h.penalty_minor,
            ),
            (
                "low",
                h.burn_units_per_min_low,
                h.overage_units_low,
                h.overage_cost_minor_low,
                h.shortfall_units_low,
                h.penalty_minor_low,
            ),
            (
                "high",
                h.burn_units_per_min_high,
                h.overage_units_high,
                h.overage_cost_minor_high,
                h.shortfall_units_high,
                h.penalty_minor_high,
            ),
        ] {
            burn.set(&[("hub", id), ("bound", bound)], per_second(rate));
            overage.set(&[("hub", id), ("bound", bound)], units(over));
            overage_cost.set(
                &[("hub", id), ("currency", currency), ("bound", bound)],
                minor(cost),
            );
            shortfall.set(&[("hub", id), ("bound", bound)], units(short));
            penalty.set(
                &[("hub", id), ("currency", currency), ("bound", bound)],
                minor(pen),
            );
        }
        on_time.set(&[("hub", id)], ratio(h.on_time_pct));
        overdue.set(&[("hub", id)], units(Some(h.overdue_open)));
    }
    for hub in scrape.board.hubs() {
        target.set(
            &[("hub", hub.id.as_str())],
            Some(hub.sla.target_pct / 100.0),
        );
    }

    let online = book.gauge("dropday_popup_terminals_online", "Payment terminals online");
    let total = book.gauge(
        "dropday_popup_terminals",
        "Payment terminals the pop-up has",
    );
    let revenue = book.gauge(
        "dropday_popup_revenue_minor_units",
        "Takings so far, in minor units of currency",
    );
    let pickups = book.gauge("dropday_popup_pickups_overdue", "Pick-ups past due");
    for p in &report.popups {
        let id = p.id.as_str();
        online.set(&[("popup", id)], Some(p.terminals_online as f64));
        total.set(&[("popup", id)], Some(p.terminals_total as f64));
        revenue.set(
            &[("popup", id), ("currency", p.currency.as_str())],
            minor(Some(p.revenue_minor)),
        );
        pickups.set(&[("popup", id)], units(Some(p.pickups_overdue)));
    }

    let firing = book.gauge(
        "dropday_alerts_firing",
        "Alerts firing, silenced ones included, by kind and severity",
    );
    let mut by_kind: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for alert in scrape.alerts.firing() {
        *by_kind
            .entry((alert.kind.as_str(), alert.severity.as_str()))
            .or_default() += 1.0;
    }
    for ((kind, severity), n) in by_kind {
        firing.set(&[("kind", kind), ("severity", severity)], Some(n));
    }

    let up = book.gauge("dropday_feed_up", "1 when the feed's last poll succeeded");
    let last_success = book.gauge(
        "dropday_feed_last_success_timestamp_seconds",
        "Unix time of the feed's last successful poll",
    );
    let latency = book.gauge(
        "dropday_feed_poll_latency_seconds",
        "Duration of the feed's last poll",
    );
    for f in &report.feeds {
        up.set(&[("feed", f.name)], Some(if f.ok { 1.0 } else { 0.0 }));
        last_success.set(
            &[("feed", f.name)],
            f.last_success.map(|t| t.timestamp_millis() as f64 / 1000.0),
        );
        latency.set(
            &[("feed", f.name)],
            f.latency_ms.map(|ms| ms as f64 / 1000.0),
        );
    }
    let failures = book.counter("dropday_feed_failures", "Failed polls by feed and reason");
    for ((feed, reason), n) in &scrape.failures.counts {
        failures
            .get_or_create(&labels(&[("feed", feed), ("reason", reason)]))
            .inc_by(*n);
    }

    let sent = book.counter("dropday_notifications_sent", "Requests a sink took (2xx)");
    let failed = book.counter(
        "dropday_notifications_failed",
        "Attempts to reach a sink that failed (timeout, no connection, 5xx, 429, refused)",
    );
    let dropped = book.counter(
        "dropday_notifications_dropped",
        "Notifications dropped from a sink's full queue",
    );
    for s in scrape.sinks {
        let l = labels(&[("sink", s.name.as_str()), ("kind", s.kind.as_str())]);
        sent.get_or_create(&l).inc_by(s.sent);
        failed.get_or_create(&l).inc_by(s.failed);
        dropped.get_or_create(&l).inc_by(s.dropped);
    }
    if let Some(serve) = &scrape.serve {
        let sessions = book.gauge(
            "dropday_serve_sessions",
            "Control rooms open over SSH, by role",
        );
        sessions.set(&[("role", "viewer")], Some(serve.viewers as f64));
        sessions.set(&[("role", "operator")], Some(serve.operators as f64));
        let frames = book.counter(
            "dropday_serve_frames",
            "Frames of the served rooms: sent to a client, or replaced unsent by a newer one \
             (a client reading slower than the room draws)",
        );
        frames
            .get_or_create(&labels(&[("outcome", "sent")]))
            .inc_by(serve.frames_sent);
        frames
            .get_or_create(&labels(&[("outcome", "replaced")]))
            .inc_by(serve.frames_replaced);
        let pending = book.gauge(
            "dropday_serve_pending_frame_bytes",
            "Bytes of frames waiting for their clients: at most one frame per session",
        );
        pending.set(&[], Some(serve.pending_bytes as f64));
    }

    let scrape_time = Gauge::<f64, AtomicU64>::default();
    scrape_time.set(scrape.now.timestamp_millis() as f64 / 1000.0);
    book.register(
        "dropday_scrape_timestamp_seconds",
        "Local Unix time the figures were read",
        scrape_time,
    );

    let mut text = String::new();
    encode(&mut text, &book.registry)?;
    Ok(text)
}

/// Reads the board and renders it: what the room gives the metrics server.
pub type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// The content type of OpenMetrics text, which Prometheus asks for.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `/metrics` listening; dropped, it stops.
pub struct MetricsServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MetricsServer {
    /// The address it listens on (the port chosen when 0 was asked).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `/metrics` on `addr` (HTTP/1.1), each scrape rendered by `render`.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve(addr: SocketAddr, render: RenderMetrics) -> std::io::Result<MetricsServer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let render = render.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let render = render.clone();
                    async move { Ok::<_, Infallible>(answer(&request, &render)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(MetricsServer { addr, task })
}

fn answer<B>(request: &hyper::Request<B>, render: &RenderMetrics) -> hyper::Response<String> {
    let mut response = hyper::Response::new(String::new());
    if request.uri().path() != "/metrics" {
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        "dropday serves /metrics only\n".clone_into(response.body_mut());
        return response;
    }
    if request.method() != hyper::Method::GET && request.method() != hyper::Method::HEAD {
        *response.status_mut() = hyper::StatusCode::METHOD_NOT_ALLOWED;
        return response;
    }
    *response.body_mut() = render();
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(CONTENT_TYPE),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerts::AlertThresholds;
    use crate::model::fixtures::{self, at};

    #[test]
    fn the_board_reads_as_openmetrics_in_base_units() {
        let mut board = Board::default();
        board.ingest_drops(fixtures::drops(), at(0), at(0));
        board.ingest_hubs(fixtures::hubs(), at(0), at(0));
        board.ingest_popups(fixtures::popups(), at(0), at(0));
        let mut alerts = AlertBook::new();
        alerts.evaluate(&board, at(0), &AlertThresholds::immediate());
        let mut failures = FeedFailureTally::default();
        failures.observe(&board);
        let sinks = [SinkStats {
            name: "ops".into(),
            kind: crate::notify::SinkKind::Webhook,
            sent: 3,
            failed: 1,
            dropped: 0,
        }];
        let text = render(&Scrape {
            board: &board,
            alerts: &alerts,
            failures: &failures,
            sinks: &sinks,
            serve: Some(ServeFigures {
                viewers: 3,
                operators: 1,
                frames_sent: 120,
                frames_replaced: 7,
                pending_bytes: 4096,
            }),
            now: at(0),
        })
        .unwrap();
        let report = Report::build(&board, &alerts, at(0));
        let ewr = report.hubs.iter().find(|h| h.id == "ewr-1").unwrap();
        for line in [
            format!(
                "dropday_hub_remaining_units{{hub=\"ewr-1\"}} {}.0",
                ewr.remaining_units
            ),
            "dropday_hub_on_time_target_ratio{hub=\"ewr-1\"} 0.95".to_owned(),
            "dropday_hub_overdue_orders{hub=\"ewr-1\"} 4.0".to_owned(),
            "dropday_alerts_firing{kind=\"orders_overdue\",severity=\"warning\"} 1.0".to_owned(),
            "dropday_feed_up{feed=\"fulfilment\"} 1.0".to_owned(),
            "dropday_notifications_sent_total{sink=\"ops\",kind=\"webhook\"} 3".to_owned(),
            "# TYPE dropday_notifications_sent counter".to_owned(),
            "dropday_serve_sessions{role=\"viewer\"} 3.0".to_owned(),
            "dropday_serve_sessions{role=\"operator\"} 1.0".to_owned(),
            "dropday_serve_frames_total{outcome=\"sent\"} 120".to_owned(),
            "dropday_serve_frames_total{outcome=\"replaced\"} 7".to_owned(),
            "dropday_serve_pending_frame_bytes 4096.0".to_owned(),
            "# EOF".to_owned(),
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
        }
        let on_time = ewr.on_time_pct.unwrap() / 100.0;
        assert!(
            text.contains(&format!(
                "dropday_hub_on_time_ratio{{hub=\"ewr-1\"}} {on_time}"
            )),
            "{text}"
        );
    }
}
