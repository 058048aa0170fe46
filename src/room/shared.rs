//! The product side of `dropday serve`: one [`SharedBoard`] for everybody and a [`Session`] per
//! SSH session, both changed only through `app::update`. Keys change the board under its lock
//! with the session they came from; the board's own events (polls, control answers, the tick)
//! are applied once by serve's loop ([`BoardEvents`]); each session follows the board when it
//! draws ([`follow_board`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use tokio::sync::mpsc;

use crate::app::audit::Operator;
use crate::app::keymap::Keymap;
use crate::app::session::Bell;
use crate::app::session::SessionConfig;
use crate::app::state::{Access, Audience};
use crate::app::{ColorMode, Effect, Event, Session, SharedBoard, State, follow_board, update};
use crate::model::format::Zone;
use crate::model::report::Report;
use crate::serve::keys::Role;
use crate::serve::{
    RoomControl, Rooms, SessionInfo, SessionRoom, StatusAnswer, StatusRequest, TermSize,
};
use crate::status::render_table;
use crate::ui::{self, theme::Theme};

use super::export;

/// What a session's key asks of serve's loop: effects to run through the one control client
/// and audit log, and a nudge so every other room draws the changed board.
#[derive(Debug)]
pub enum FromSessions {
    /// An effect of a key (a control request, an audit record, a poll now).
    Effect(Box<Effect>),
    /// The board may have changed (an acknowledgement, a silence, an action sent).
    BoardTouched,
}

/// What every served room shares: the board, the way to serve's loop, and who is watching.
pub struct SharedRoom {
    /// A mutex, not a read-write lock: the board holds its id source, which is `Send` only.
    /// Drawing a room takes it for about a millisecond.
    board: Mutex<SharedBoard>,
    to_loop: mpsc::UnboundedSender<FromSessions>,
    keymap: Keymap,
    /// Rooms open now.
    watching: AtomicUsize,
    /// `[ui] read_only`: nobody may act, whatever their role.
    read_only: bool,
    /// Why operators may not act either: a mapped marketplace without a `control_url` has
    /// nowhere to send an action (the local room says the same).
    mapped_read_only: Option<String>,
    /// `[ui] timezone`, for sessions that send no `TZ`.
    zone: Zone,
    /// `alerts.settled_within_pct`, for the status table.
    settled_pct: f64,
    /// `ui.bell`, each session's own bell.
    bell: Bell,
    /// `[serve] export_dir`: where `:export` writes on the server.
    export_dir: Option<PathBuf>,
}

/// How a [`SharedRoom`] is set up.
pub struct SharedRoomConfig {
    /// Everyone's keys (`[keys]` of the config).
    pub keymap: Keymap,
    /// `[ui] read_only`.
    pub read_only: bool,
    /// Why a mapped marketplace takes no actions, when it does not.
    pub mapped_read_only: Option<String>,
    /// `[ui] timezone`.
    pub zone: Zone,
    /// `alerts.settled_within_pct`.
    pub settled_pct: f64,
    /// `ui.bell`.
    pub bell: Bell,
    /// `[serve] export_dir`.
    pub export_dir: Option<PathBuf>,
}

impl SharedRoom {
    /// The shared room around `board`; sessions' effects and nudges go to `to_loop`.
    #[must_use]
    pub fn new(
        board: SharedBoard,
        config: SharedRoomConfig,
        to_loop: mpsc::UnboundedSender<FromSessions>,
    ) -> Self {
        Self {
            board: Mutex::new(board),
            to_loop,
            keymap: config.keymap,
            watching: AtomicUsize::new(0),
            read_only: config.read_only,
            mapped_read_only: config.mapped_read_only,
            zone: config.zone,
            settled_pct: config.settled_pct,
            bell: config.bell,
            export_dir: config.export_dir,
        }
    }

    /// The board, for reading (drawing, `status`).
    pub fn read(&self) -> MutexGuard<'_, SharedBoard> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> MutexGuard<'_, SharedBoard> {
        self.read()
    }

    /// Rooms open now.
    #[must_use]
    pub fn watching(&self) -> usize {
        self.watching.load(Ordering::SeqCst)
    }

    /// What a person with `role` may do here.
    fn access(&self, role: Role) -> Access {
        match role {
            _ if self.read_only => Access::ReadOnly {
                reason: "this room is served read-only".to_owned(),
            },
            Role::Operator => match &self.mapped_read_only {
                Some(reason) => Access::ReadOnly {
                    reason: reason.clone(),
                },
                None => Access::ReadWrite,
            },
            Role::Viewer => Access::ReadOnly {
                // Short: it is said in the status line and the tab bar of an 80-column phone.
                reason: "viewer key".to_owned(),
            },
        }
    }
}

/// Applies the board's own events once (polls, control answers, ticks) with a session nobody
/// watches: its messages are logged, not drawn.
pub struct BoardEvents {
    room: Arc<SharedRoom>,
    session: Session,
}

impl BoardEvents {
    /// The board's own applier for `room`.
    #[must_use]
    pub fn new(room: Arc<SharedRoom>) -> Self {
        let session = {
            let board = room.read();
            Session::new(
                SessionConfig {
                    read_only: Some("the board's own session".to_owned()),
                    shared: true,
                    keymap: room.keymap.clone(),
                    operator: Operator::default(),
                    color: ColorMode::Never,
                    ascii: true,
                    bell: Bell::Off,
                },
                &board,
            )
        };
        Self { room, session }
    }

    /// Applies `event` to the board at `now`; returns the effects to run.
    pub fn apply(&mut self, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
        let before = self.session.message().cloned();
        let effects = update(&mut self.room.write(), &mut self.session, event, now);
        if let Some(message) = self.session.message()
            && before.as_ref() != Some(message)
        {
            log::info!("{}", message.text);
        }
        effects
    }
}

/// [`Rooms`] over a [`SharedRoom`]: what serve opens a room per session with.
#[derive(Clone)]
pub struct ServedRooms(pub Arc<SharedRoom>);

impl Rooms for ServedRooms {
    fn open(&self, info: &SessionInfo) -> Box<dyn SessionRoom> {
        let shared = &self.0;
        let operator = Operator {
            user: Some(info.ssh_user.clone()),
            ssh_client: Some(info.client_addr.ip().to_string()),
            key_name: Some(info.name.clone()),
            key_fingerprint: Some(info.key_fingerprint.clone()),
        };
        let color = info.colour;
        // The client's `TZ` read as the C library reads it (`:Europe/Berlin`, a zoneinfo
        // path); one chrono-tz cannot name (a POSIX rule) leaves the room's own zone.
        let zone = info
            .tz
            .as_deref()
            .and_then(crate::config::tz_zone)
            .unwrap_or(shared.zone);
        let read_only = match shared.access(info.role) {
            Access::ReadWrite => None,
            Access::ReadOnly { reason } => Some(reason),
        };
        let mut session = Session::new(
            SessionConfig {
                read_only,
                shared: true,
                keymap: shared.keymap.clone(),
                operator,
                color,
                ascii: info.ascii,
                bell: shared.bell,
            },
            &shared.read(),
        );
        update(
            &mut shared.write(),
            &mut session,
            Event::Resize(info.size.cols, info.size.rows),
            Utc::now(),
        );
        shared.watching.fetch_add(1, Ordering::SeqCst);
        let _ = shared.to_loop.send(FromSessions::BoardTouched);
        Box::new(ServedRoom {
            shared: shared.clone(),
            session,
            audience: Audience {
                name: info.name.clone(),
                watching: 1,
            },
            theme: Theme::new(color, info.ascii).with_zone(zone),
            bell: false,
        })
    }

    fn status(&self, request: StatusRequest) -> StatusAnswer {
        let report = {
            let board = self.0.read();
            Report::build(board.feeds(), board.alerts(), Utc::now())
        };
        let text = if request.json {
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("dropday: cannot write JSON: {e}"))
        } else {
            render_table(&report, self.0.settled_pct)
        };
        let exit_status = if request.check {
            u32::try_from(report.exit_code()).unwrap_or(2)
        } else {
            0
        };
        StatusAnswer { text, exit_status }
    }
}

/// One person's room over the shared board.
struct ServedRoom {
    shared: Arc<SharedRoom>,
    session: Session,
    audience: Audience,
    theme: Theme,
    /// A bell is owed to this person's terminal (written before their next frame).
    bell: bool,
}

impl ServedRoom {
    /// `update` with this session; effects go to serve's loop. `true` when the person quit.
    fn update(&mut self, event: Event) -> bool {
        let effects = update(
            &mut self.shared.write(),
            &mut self.session,
            event,
            Utc::now(),
        );
        let mut quit = false;
        for effect in effects {
            match effect {
                Effect::Quit => quit = true,
                // This person's own: their terminal, and a file on the server they are told of.
                Effect::Bell => self.bell = true,
                Effect::Export { file, csv } => {
                    let answer = export::served_path(self.shared.export_dir.as_deref(), &file)
                        .and_then(|path| export::write(&path, &csv));
                    if let Ok(path) = &answer {
                        log::info!(
                            "serve: {} exported the triage list to {path}",
                            self.audience.name
                        );
                    }
                    quit |= self.update(Event::Exported(answer));
                }
                effect => {
                    let _ = self
                        .shared
                        .to_loop
                        .send(FromSessions::Effect(Box::new(effect)));
                }
            }
        }
        quit || self.session.quitting()
    }
}

impl SessionRoom for ServedRoom {
    fn on_key(&mut self, key: KeyEvent) -> RoomControl {
        let quit = self.update(Event::Key(key));
        // Any key may have changed what everyone sees (an ack, a silence, an action sent):
        // the other rooms draw again; latest-frame-wins keeps that cheap.
        let _ = self.shared.to_loop.send(FromSessions::BoardTouched);
        if quit {
            RoomControl::Leave
        } else {
            RoomControl::Stay
        }
    }

    fn on_resize(&mut self, size: TermSize) {
        self.update(Event::Resize(size.cols, size.rows));
    }

    fn on_role_changed(&mut self, role: Role) {
        let access = self.shared.access(role);
        self.update(Event::Access(access));
    }

    fn draw(&mut self, frame: &mut Frame<'_>) {
        let now = Utc::now();
        let board = self.shared.read();
        if follow_board(&board, &mut self.session, now).contains(&Effect::Bell) {
            self.bell = true;
        }
        self.audience.watching = self.shared.watching();
        let state = State::new(&board, &self.session).with_audience(&self.audience);
        ui::view(frame, &state, &self.theme, now);
    }

    fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }
}

impl Drop for ServedRoom {
    fn drop(&mut self) {
        self.shared.watching.fetch_sub(1, Ordering::SeqCst);
        let _ = self.shared.to_loop.send(FromSessions::BoardTouched);
    }
}

#[cfg(test)]
mod tests {
    use super::{Access, Bell, Role, SharedRoom, SharedRoomConfig, Zone};
    use crate::app::SharedBoard;
    use crate::app::board::BoardConfig;
    use crate::app::ids::RandomKeys;
    use crate::app::keymap::Keymap;
    use crate::app::state::Deployment;
    use crate::config::Config;

    fn room(mapped_read_only: Option<&str>) -> SharedRoom {
        let config = Config::defaults().expect("the default config");
        let board = SharedBoard::new(
            BoardConfig {
                deployment: Deployment {
                    environment: "test".to_owned(),
                    simulated: false,
                    type_to_confirm: false,
                },
                thresholds: config.alerts.clone(),
                ids: Box::new(RandomKeys),
            },
            config.board(),
        );
        let (to_loop, _) = tokio::sync::mpsc::unbounded_channel();
        SharedRoom::new(
            board,
            SharedRoomConfig {
                keymap: Keymap::default(),
                read_only: false,
                mapped_read_only: mapped_read_only.map(str::to_owned),
                zone: Zone::Utc,
                settled_pct: 25.0,
                bell: Bell::Off,
                export_dir: None,
            },
            to_loop,
        )
    }

    #[test]
    fn a_mapped_marketplace_without_control_url_makes_operators_read_only_with_its_reason() {
        let reason = "mapped: the marketplace is read through shopify-marketplace, which takes no control actions; set control_url to a FEEDS v1 control server to act";
        let mapped = room(Some(reason));
        assert_eq!(
            mapped.access(Role::Operator),
            Access::ReadOnly {
                reason: reason.to_owned()
            }
        );
        // A viewer's own reason stays the shorter one it always had.
        assert_eq!(
            mapped.access(Role::Viewer),
            Access::ReadOnly {
                reason: "viewer key".to_owned()
            }
        );
        assert_eq!(room(None).access(Role::Operator), Access::ReadWrite);
    }
}
