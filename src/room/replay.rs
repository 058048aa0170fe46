//! `dropday replay FILE`: the control room played from a recording, through the same `update`
//! and the same views, read-only, with the recording's clock. The replay's own keys (space,
//! ←/→, `[`/`]`, `g`) are looked at first; every other key goes to the room as usual, so the
//! views, tables and details work as they did live (actions are refused: read-only).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::audit::Operator;
use crate::app::ids::RandomKeys;
use crate::app::keymap::Keymap;
use crate::app::session::SessionConfig;
use crate::app::state::Access;
use crate::app::{Effect, Event, Room, RoomConfig, Session};
use crate::cli::ReplayArgs;
use crate::config::Config;
use crate::model::format::Zone;
use crate::record::Recording;
use crate::record::replay::Player;
use crate::ui::replay_banner::ReplayBanner;
use crate::ui::{self, theme::Theme};

use super::terminal;

/// How often the replay advances and redraws.
const FRAME: Duration = Duration::from_millis(100);
/// Slowest and fastest replay speeds `[`/`]` reach.
const SPEEDS: (f64, f64) = (0.25, 3600.0);

/// Runs the replay until the operator quits.
pub async fn run(args: ReplayArgs) -> ExitCode {
    super::init_log_widget();
    let config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("dropday: {e}");
            return ExitCode::from(crate::config::EXIT_STATUS);
        }
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        eprintln!(
            "dropday replay: --speed must be a positive number, not {}",
            args.speed
        );
        return ExitCode::from(crate::config::EXIT_STATUS);
    }
    let recording = match Recording::read(&args.file) {
        Ok(recording) => recording,
        Err(e) => {
            eprintln!("dropday replay: {e}");
            return ExitCode::from(crate::config::EXIT_STATUS);
        }
    };
    let keymap = match Keymap::with_overrides(&config.keys) {
        Ok(keymap) => keymap,
        Err(e) => {
            eprintln!("dropday: {}", config.key_error(e.action(), e.to_string()));
            return ExitCode::from(crate::config::EXIT_STATUS);
        }
    };
    let mut replay = Replay::new(&recording, &config, keymap, args.ascii);
    replay.speed = args.speed;
    if let Some(from) = &args.from {
        match replay.player.moment(from, replay.zone) {
            Ok(at) => replay.seek(at),
            Err(e) => {
                eprintln!("dropday replay: --from {e}");
                return ExitCode::from(crate::config::EXIT_STATUS);
            }
        }
    }
    if recording.cut_bytes > 0 {
        log::warn!(
            "the recording ends with {} bytes of a cut frame (the recorder was killed): replayed up to the last whole frame",
            recording.cut_bytes
        );
    }
    match play(&mut replay).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dropday replay: {e}");
            ExitCode::from(1)
        }
    }
}

/// The room being replayed and where the replay stands.
struct Replay {
    room: Room,
    player: Player,
    speed: f64,
    paused: bool,
    typing: Option<String>,
    problem: Option<String>,
    /// `ui.timezone`: the header's and the banner's clock, and how `HH:MM` is read.
    zone: Zone,
    fresh: Box<dyn Fn() -> Room>,
}

impl Replay {
    fn new(recording: &Recording, config: &Config, keymap: Keymap, ascii: bool) -> Replay {
        let header = recording.header().clone();
        let zone = config.ui.timezone;
        let config = config.clone();
        let fresh = move || {
            let room_config = RoomConfig {
                environment: header.environment.clone(),
                simulated: header.command == "demo",
                read_only: true,
                keymap: keymap.clone(),
                operator: Operator::default(),
                thresholds: config.alerts.clone(),
                color: config.ui.color.resolve_from_env(),
                ascii: config.ui.ascii || ascii,
                // Read-only: nothing to confirm. A replay rings no bell: the alerts it shows
                // are history, not news.
                type_to_confirm: false,
                bell: crate::app::session::Bell::Off,
                ids: Box::new(RandomKeys),
            };
            let mut board = config.board();
            board.set_clock_rate(header.clock_rate);
            let mut room = Room::new(room_config, board);
            // The actions and acknowledgements were other people's: the views say who, as a
            // served room does (a room of one leaves it out, it is always you).
            room.session = Session::new(
                SessionConfig {
                    shared: true,
                    read_only: Some("a replay sends nothing".to_owned()),
                    keymap: keymap.clone(),
                    operator: Operator::default(),
                    color: room.session.color(),
                    ascii: room.session.ascii(),
                    bell: crate::app::session::Bell::Off,
                },
                &room.board,
            );
            // Says why on the tab bar instead of blaming a --read-only nobody gave.
            room.update(
                Event::Access(Access::ReadOnly {
                    reason: "a replay sends nothing".to_owned(),
                }),
                header.started_at,
            );
            room
        };
        Replay {
            room: fresh(),
            player: Player::new(recording),
            speed: 1.0,
            paused: false,
            typing: None,
            problem: None,
            zone,
            fresh: Box::new(fresh),
        }
    }

    /// Plays up to `to` (a local instant of the recording); `true` when the room wants to quit.
    fn advance(&mut self, to: DateTime<Utc>) -> bool {
        let mut quit = false;
        for (event, at) in self.player.advance(to.min(self.player.end())) {
            quit |= self.room.update(event, at).contains(&Effect::Quit);
        }
        quit
    }

    /// Goes to `to`: forward by playing on, backward by playing a fresh room from the start
    /// (the person's view, selection and filters are kept).
    fn seek(&mut self, to: DateTime<Utc>) {
        let to = to.clamp(self.player.start(), self.player.end());
        if to < self.player.clock() {
            let session = self.room.session.clone();
            self.room = (self.fresh)();
            self.room.session = session;
            self.player.rewind();
        }
        self.advance(to);
    }

    fn banner(&self) -> ReplayBanner {
        let (start, end, at) = (self.player.start(), self.player.end(), self.player.clock());
        let span = (end - start).num_milliseconds().max(1) as f64;
        ReplayBanner {
            at: self.room.board.feeds().server_now(at),
            speed: self.speed,
            paused: self.paused,
            progress_pct: ((at - start).num_milliseconds() as f64 / span * 100.0).clamp(0.0, 100.0),
            finished: self.player.finished(),
            typing: self.typing.clone(),
            problem: self.problem.clone(),
        }
    }

    /// The replay's key table; `false` for a key that is not the replay's (the room's).
    fn on_key(&mut self, key: KeyEvent) -> bool {
        if let Some(typing) = &mut self.typing {
            match key.code {
                KeyCode::Char(c) => typing.push(c),
                KeyCode::Backspace => {
                    typing.pop();
                }
                KeyCode::Esc => self.typing = None,
                KeyCode::Enter => {
                    let text = self.typing.take().unwrap_or_default();
                    match self.player.moment(&text, self.zone) {
                        Ok(at) => {
                            self.problem = None;
                            self.seek(at);
                        }
                        Err(e) => self.problem = Some(e),
                    }
                }
                _ => {}
            }
            return true;
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        let minute = TimeDelta::minutes(1);
        match key.code {
            KeyCode::Char(' ') => self.paused = !self.paused,
            KeyCode::Left => self.seek(self.player.clock() - scaled(minute, self.rate())),
            KeyCode::Right => self.seek(self.player.clock() + scaled(minute, self.rate())),
            KeyCode::Char('[') => self.speed = (self.speed / 2.0).max(SPEEDS.0),
            KeyCode::Char(']') => self.speed = (self.speed * 2.0).min(SPEEDS.1),
            KeyCode::Char('g') => {
                self.problem = None;
                self.typing = Some(String::new());
            }
            _ => return false,
        }
        true
    }

    /// Server seconds per local second of the recording (the demo's speed).
    fn rate(&self) -> f64 {
        self.room.board.feeds().settings().clock_rate
    }
}

/// A minute of server time is `1 / rate` of a minute on the recording's local clock.
fn scaled(delta: TimeDelta, rate: f64) -> TimeDelta {
    let rate = if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        1.0
    };
    TimeDelta::milliseconds((delta.num_milliseconds() as f64 / rate) as i64)
}

async fn play(replay: &mut Replay) -> Result<(), Box<dyn std::error::Error>> {
    let (mut screen, guard) = terminal::enter(replay.room.session.color())?;
    let (signals_tx, mut signals) = mpsc::channel::<Event>(4);
    let forwarder = terminal::spawn_signal_forwarder(signals_tx)?;
    let theme =
        Theme::new(replay.room.session.color(), replay.room.session.ascii()).with_zone(replay.zone);
    if let Ok(size) = screen.size() {
        replay.room.update(
            Event::Resize(size.width, size.height),
            replay.player.clock(),
        );
    }
    let mut input = crossterm::event::EventStream::new();
    let mut frame = tokio::time::interval(FRAME);
    let mut last = Instant::now();
    let result = loop {
        let mut quit = false;
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(raw)) => {
                    if let Some(event) = Event::from_terminal(raw) {
                        let handled = matches!(&event, Event::Key(key) if replay.on_key(*key));
                        if !handled {
                            let at = replay.player.clock();
                            quit = replay.room.update(event, at).contains(&Effect::Quit)
                                || replay.room.session.quitting();
                        }
                    }
                }
                _ => quit = true,
            },
            _ = signals.recv() => quit = true,
            _ = frame.tick() => {
                let now = Instant::now();
                let real = now - last;
                last = now;
                if !replay.paused && !replay.player.finished() {
                    // `--speed` is recording time per real time: x1 plays as it was lived.
                    let step = TimeDelta::milliseconds((real.as_secs_f64() * 1000.0 * replay.speed) as i64);
                    let to = replay.player.clock() + step;
                    quit = replay.advance(to);
                }
            }
        }
        if quit {
            break Ok(());
        }
        let at = replay.player.clock();
        let banner = replay.banner();
        if let Err(e) = screen.draw(|frame| {
            ui::view(frame, &replay.room.state(), &theme, at);
            ui::replay_banner::render(frame, &banner, &theme);
        }) {
            break Err(e.into());
        }
    };
    forwarder.abort();
    drop(guard);
    let _ = screen.show_cursor();
    result
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};
    use crossterm::event::{KeyCode, KeyEvent};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::Replay;
    use crate::app::Event;
    use crate::app::keymap::Keymap;
    use crate::config::Config;
    use crate::config::paths::ProcessEnvironment;
    use crate::model::alerts::AlertKind;
    use crate::record::format::{Entry, FORMAT_VERSION, Header, RecordedAction};
    use crate::record::{Recording, Segment};
    use crate::ui::{self, theme::Theme};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
            + TimeDelta::minutes(minute)
    }

    /// A recording of someone else's pause and acknowledgement.
    fn recording() -> Recording {
        let doc = |minute| Entry::Doc {
            feed: "marketplace".to_owned(),
            sent_at: at(minute),
            received_at: at(minute),
            status: 200,
            body: format!("{{\"as_of\":\"{}\",\"drops\":[]}}", at(minute).to_rfc3339()),
        };
        Recording {
            segments: vec![Segment {
                header: Header {
                    format: FORMAT_VERSION,
                    dropday: "test".to_owned(),
                    environment: "prod".to_owned(),
                    feeds: Vec::new(),
                    started_at: at(0),
                    clock_rate: 1.0,
                    command: "serve".to_owned(),
                },
                entries: vec![
                    doc(0),
                    Entry::Action(RecordedAction {
                        at: at(1),
                        who: "ravi".to_owned(),
                        drop: "hoodie-01".to_owned(),
                        action: "pause".to_owned(),
                        parameters: serde_json::Map::new(),
                        outcome: "applied".to_owned(),
                        detail: None,
                        attempts: 1,
                        latency_ms: 40,
                    }),
                    Entry::Ack {
                        at: at(2),
                        kind: AlertKind::FeedStale,
                        subject: "marketplace".to_owned(),
                        by: "maya".to_owned(),
                    },
                    doc(3),
                ],
            }],
            ..Recording::default()
        }
    }

    #[test]
    fn a_replay_says_who_acted() {
        let config = Config::parse_in("", None, &ProcessEnvironment).expect("defaults");
        let mut replay = Replay::new(&recording(), &config, Keymap::default(), true);
        replay.seek(replay.player.end());
        replay
            .room
            .update(Event::Resize(120, 30), replay.player.clock());
        replay
            .room
            .update(Event::Key(KeyEvent::from(KeyCode::Char('4'))), at(3));
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
        let theme = Theme::fixed(crate::app::ColorMode::Never, true);
        terminal
            .draw(|frame| ui::view(frame, &replay.room.state(), &theme, at(3)))
            .expect("draw");
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        assert!(screen.contains("Control actions"), "{screen}");
        assert!(screen.contains("By"), "{screen}");
        assert!(screen.contains("ravi"), "{screen}");
    }
}
