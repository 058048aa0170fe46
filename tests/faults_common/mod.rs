//! The control room wired for real without a terminal: the simulator on an ephemeral loopback
//! port, the real pollers sending `app::Event`s on a channel, `update` applying them and
//! `ui::view` drawing on a `TestBackend` after every event. Used by `faults_room.rs`,
//! `control_faults.rs` and `access_tokens.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test
#![allow(dead_code)] // Each test file uses a different part of this.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use dropday::app::audit::Operator;
use dropday::app::ids::RandomKeys;
use dropday::app::keymap::Keymap;
use dropday::app::session::Bell;
use dropday::app::{self, Effect, Event, RoomConfig};
use dropday::feed::client::FeedEndpoint;
use dropday::feed::control::{ControlClient, RetryPolicy};
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::poller::{Pollers, spawn_pollers};
use dropday::feed::{FeedFailure, FeedKind};
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::{Board, BoardSettings};
use dropday::room::audit_log::append_audit;
use dropday::sim::{RunningSim, ScenarioSource, SimOptions, start};
use dropday::ui::panel::Freshness;
use dropday::ui::{self, ColorMode, Theme};

/// Healthy poll interval of every feed.
pub const POLL: Duration = Duration::from_millis(100);
/// Request timeout of every feed: long enough that a healthy simulator answers within it on a
/// loaded machine (at 300 ms a 1 MB body or a busy scheduler timed out healthy feeds at load
/// 10), short enough that the hang cases stay quick, and below the backoff cap as the config
/// requires of a timeout.
pub const TIMEOUT: Duration = Duration::from_millis(700);
/// Cap of a failing feed's backoff.
pub const MAX_BACKOFF: Duration = Duration::from_millis(800);
/// Body limit of every feed (small, so oversized bodies stay cheap to make).
pub const BODY_LIMIT: u64 = 256 * 1024;
/// The screen: wide enough that the header's health line and panel titles are not cut.
pub const WIDTH: u16 = 250;
pub const HEIGHT: u16 = 60;
/// Longest wait for anything the room should show: a deadline against a hang only (every
/// wait ends as soon as the screen says so), generous for a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The launch scenario on a manual clock standing at 2026-11-27T18:00:00Z.
pub async fn launch() -> RunningSim {
    launch_with(|_| {}).await
}

/// The launch scenario with options changed by `tweak`.
pub async fn launch_with(tweak: impl FnOnce(&mut SimOptions)) -> RunningSim {
    let mut options = SimOptions::for_tests(ScenarioSource::Builtin("launch".to_owned()));
    tweak(&mut options);
    start(options).await.expect("simulator starts")
}

/// An endpoint with the short test timings.
pub fn endpoint(kind: FeedKind, base_url: &str) -> FeedEndpoint {
    let mut endpoint = FeedEndpoint::with_defaults(kind, base_url);
    endpoint.poll_every = POLL;
    endpoint.timeout = TIMEOUT;
    endpoint.body_limit = BODY_LIMIT;
    endpoint
}

/// The three endpoints of a simulator.
pub fn endpoints(sim: &RunningSim) -> Vec<FeedEndpoint> {
    FeedKind::ALL
        .iter()
        .map(|&kind| endpoint(kind, &sim.feed_url(kind)))
        .collect()
}

/// One poll as the room saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub feed: FeedKind,
    pub sent_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub failure: Option<FeedFailure>,
}

/// The control room without a terminal.
pub struct Room {
    pub state: app::Room,
    events: mpsc::Receiver<Event>,
    /// Lets a test (or the control executor) post events on the room's channel.
    pub sender: mpsc::Sender<Event>,
    pollers: Option<Pollers>,
    /// Every poll report received, in order.
    pub seen: Vec<Seen>,
    /// Every effect `update` asked for, in order.
    pub effects: Vec<Effect>,
    /// Runs `Effect::Send` as the binary does; `None` is a session without one (read-only).
    pub control: Option<ControlClient>,
    /// Where `Effect::Audit` records are appended, when set.
    pub audit_log: Option<PathBuf>,
    theme: Theme,
    /// The screen as last drawn.
    pub screen: String,
}

/// A state config as the binary builds it, for a test.
pub fn state_config(read_only: bool, stale_after_intervals: u32) -> RoomConfig {
    RoomConfig {
        environment: "staging".to_owned(),
        simulated: true,
        read_only,
        keymap: Keymap::default(),
        operator: Operator {
            user: Some("ana".to_owned()),
            ssh_client: Some("10.0.0.7".to_owned()),
            ..Operator::default()
        },
        thresholds: AlertThresholds {
            stale_after_intervals,
            ..AlertThresholds::default()
        },
        color: ColorMode::Never,
        ascii: false,
        type_to_confirm: false,
        bell: Bell::Off,
        // As the binary: these rooms talk to one real simulator, like two operators' processes,
        // and two processes counting from 1 would send each other's idempotency keys.
        ids: Box::new(RandomKeys),
    }
}

impl Room {
    /// A room polling `endpoints`; a feed goes stale after `stale_after_intervals` polls
    /// without success.
    pub fn start(endpoints: Vec<FeedEndpoint>, stale_after_intervals: u32) -> Room {
        Room::start_with(endpoints, state_config(false, stale_after_intervals))
    }

    /// A room with its own state config.
    pub fn start_with(endpoints: Vec<FeedEndpoint>, config: RoomConfig) -> Room {
        let mut board = Board::new(BoardSettings {
            rate_window: TimeDelta::minutes(5),
            stale_after_intervals: config.thresholds.stale_after_intervals,
            ..BoardSettings::default()
        });
        for endpoint in &endpoints {
            board.set_poll_interval(
                endpoint.kind,
                TimeDelta::from_std(endpoint.poll_every).expect("interval"),
            );
        }
        let (sender, events) = mpsc::channel::<Event>(1024);
        let pollers = spawn_pollers(endpoints, MAX_BACKOFF, sender.clone()).expect("pollers");
        Room {
            state: app::Room::new(config, board),
            events,
            sender,
            pollers: Some(pollers),
            seen: Vec::new(),
            effects: Vec::new(),
            control: None,
            audit_log: None,
            theme: Theme::fixed(ColorMode::Never, false),
            screen: String::new(),
        }
    }

    /// Stops polling (the pollers' tasks are aborted).
    pub fn stop_polling(&mut self) {
        self.pollers = None;
    }

    /// Gives the room a control client for the marketplace `endpoint` (its timeout; four
    /// attempts 100 ms, 200 ms, 400 ms apart).
    pub fn with_control(mut self, endpoint: FeedEndpoint) -> Room {
        let retry = RetryPolicy {
            attempts: 4,
            first_wait: Duration::from_millis(100),
        };
        self.control = Some(ControlClient::new(endpoint, retry).expect("control client"));
        self
    }

    /// Applies one event at the local clock, carries out its effects the way the binary does
    /// (send, poll now, audit) and redraws.
    /// A poll report is followed by a tick: the binary's loop runs the alert rules on its
    /// one-second tick, so a report is in the alerts within a second; here at once.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let polled = matches!(event, Event::Poll(_));
        if let Event::Poll(report) = &event {
            self.seen.push(seen(report));
        }
        let now = Utc::now();
        let mut effects = self.state.update(event, now);
        if polled {
            effects.extend(self.state.update(Event::Tick(now), now));
        }
        for effect in &effects {
            self.run(effect.clone());
        }
        self.effects.extend(effects.iter().cloned());
        self.redraw(now);
        effects
    }

    /// Applies events one after the other (key presses), returning every effect.
    pub fn press(&mut self, events: impl IntoIterator<Item = Event>) -> Vec<Effect> {
        events.into_iter().flat_map(|e| self.apply(e)).collect()
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Send(request) => {
                if let Some(control) = self.control.clone() {
                    let events = self.sender.clone();
                    tokio::spawn(async move { control.execute(request, events).await });
                }
            }
            Effect::PollNow => {
                if let Some(pollers) = &self.pollers {
                    pollers.poll_now();
                }
            }
            Effect::Audit(record) => {
                if let Some(path) = &self.audit_log {
                    append_audit(path, &record).expect("audit line written");
                }
            }
            // These rooms have no terminal to ring and export nothing.
            Effect::Export { .. } | Effect::Bell | Effect::Quit => {}
        }
    }

    /// Draws the state at `now`.
    pub fn redraw(&mut self, now: DateTime<Utc>) {
        self.screen = draw(&self.state, &self.theme, now);
    }

    /// Receives and applies events until `done` holds for the state and the screen (checked
    /// after each event). Panics with the last screen when it does not within `within`.
    pub async fn until(
        &mut self,
        within: Duration,
        what: &str,
        mut done: impl FnMut(&app::Room, &str) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if done(&self.state, &self.screen) {
                return;
            }
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => {
                    self.apply(event);
                }
                Ok(None) => panic!("{what}: the event channel closed\n{}", self.screen),
                Err(elapsed) => panic!(
                    "{what}: not within {within:?} ({elapsed}); last screen:\n{}",
                    self.screen
                ),
            }
        }
    }

    /// Receives and applies events for `span` of wall time (to count polls over a period).
    pub async fn run_for(&mut self, span: Duration) {
        let deadline = tokio::time::Instant::now() + span;
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.events.recv()).await {
            self.apply(event);
        }
    }

    /// Waits until every feed shows `ok` in the header and every panel is fresh.
    pub async fn until_all_ok(&mut self, what: &str) {
        self.until(PATIENCE, what, all_ok).await;
    }

    /// Polls of `feed` sent at or after `from`.
    pub fn polls_since(&self, feed: FeedKind, from: DateTime<Utc>) -> Vec<&Seen> {
        self.seen
            .iter()
            .filter(|s| s.feed == feed && s.sent_at >= from)
            .collect()
    }
}

fn seen(report: &PollReport) -> Seen {
    Seen {
        feed: report.feed,
        sent_at: report.sent_at,
        received_at: report.received_at,
        failure: match &report.outcome {
            PollOutcome::Failed(failure) => Some(failure.clone()),
            _ => None,
        },
    }
}

/// The whole screen as text, rows separated by newlines.
pub fn draw(state: &app::Room, theme: &Theme, now: DateTime<Utc>) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal
        .draw(|frame| ui::view(frame, &state.state(), theme, now))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The header's feed-health line (the second row).
pub fn health_line(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or("")
}

/// Every feed says `ok` in the header and is fresh.
pub fn all_ok(state: &app::Room, screen: &str) -> bool {
    let health = health_line(screen);
    FeedKind::ALL.iter().all(|feed| {
        health.contains(&format!("{feed} ok"))
            && Freshness::of(&state.state(), *feed, Utc::now()) == Freshness::Fresh
    })
}

/// A key press.
pub fn ch(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// A special key press.
pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The control requests among `effects`.
pub fn sends(effects: &[Effect]) -> Vec<dropday::feed::events::ControlRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(request) => Some(request.clone()),
            _ => None,
        })
        .collect()
}

/// The audit records among `effects`.
pub fn audits(effects: &[Effect]) -> Vec<dropday::app::audit::AuditRecord> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(record) => Some(record.clone()),
            _ => None,
        })
        .collect()
}
