//! `dropday serve`: the room's launch without a terminal. The pollers, the shared board with
//! its alert rules on a tick, the one control client, the audit log and the recording, as the
//! local room has them, and the SSH server opening a room per session over that board. One
//! loop owns the effect runner and applies every board event once; signals reload keys or stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::board::BoardConfig;
use crate::app::ids::RandomKeys;
use crate::app::keymap::Keymap;
use crate::app::state::Deployment;
use crate::app::{Effect, EffectRunner, Event, SharedBoard};
use crate::cli::ServeArgs;
use crate::config::Config;
use crate::feed::poller::spawn_tapped_pollers;
use crate::record::Recorder;
use crate::serve::host_key::{self, HostKey};
use crate::serve::settings::SshSettings;
use crate::stderr_log;

use super::outputs::{OutputSettings, Outputs};
use super::shared::{BoardEvents, FromSessions, ServedRooms, SharedRoom, SharedRoomConfig};
use super::{
    EVENT_QUEUE, RoomEffects, config_failure, control_client, log_setup, make_audit_folder,
    recording,
};

/// How often every room is drawn without a board change: clocks and countdowns move.
const REDRAW_EVERY: Duration = Duration::from_secs(1);
/// How often the alert rules run: the only place they run (a new document is in the alerts by
/// the next tick; staleness and a drop opening soon change without one).
const TICK_EVERY: Duration = Duration::from_secs(1);

/// Runs `dropday serve` until SIGTERM or SIGINT.
pub async fn run(args: ServeArgs) -> ExitCode {
    stderr_log::init_timed(log::Level::Info);
    let config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return config_failure(&e),
    };
    let keymap = match Keymap::with_overrides(&config.keys) {
        Ok(keymap) => keymap,
        Err(e) => return config_failure(&config.key_error(e.action(), e.to_string())),
    };
    let settings = match config.serve.settings(args.listen.as_deref()) {
        Ok(settings) => settings,
        Err(e) => return config_failure(&e),
    };
    let metrics = args.metrics.or(config.metrics_listen);
    if settings.ssh.is_none() && config.notify.is_empty() && metrics.is_none() {
        eprintln!(
            "dropday serve: nothing to serve: set `listen` (e.g. \":2222\") and `authorized_keys` \
             under [serve] in the config (or pass --listen :2222), a [[notify]] sink, or \
             [metrics] listen (or pass --metrics :9464)"
        );
        return ExitCode::from(crate::config::EXIT_STATUS);
    }
    if let Err(exit) = make_audit_folder(&config) {
        return exit;
    }
    let ssh = match settings.ssh {
        Some(ssh) => match host_key::load_or_create(&ssh.host_key) {
            Ok(key) => Some((ssh, key)),
            Err(e) => {
                eprintln!("dropday serve: {e}");
                return ExitCode::from(crate::config::EXIT_STATUS);
            }
        },
        None => None,
    };
    // A path that cannot be recorded into (or is recorded by another dropday) is refused
    // now, before anyone is served.
    let path = args.record.as_ref().or(config.record.as_ref());
    let recorder = match recording::start(path.map(PathBuf::as_path), &config, None, "serve") {
        Ok(recorder) => recorder,
        Err(exit) => return exit,
    };
    let served = serve_room(&config, keymap, ssh, metrics, recorder.as_ref()).await;
    if let Some(recorder) = recorder
        && let Err(e) = recording::finish(recorder, "serve")
    {
        log::error!("serve: {e}");
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("serve: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve_room(
    config: &Config,
    keymap: Keymap,
    ssh: Option<(SshSettings, HostKey)>,
    metrics: Option<SocketAddr>,
    recorder: Option<&Recorder>,
) -> Result<(), Box<dyn std::error::Error>> {
    // Installed first, so no signal arrives unhandled.
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    log_setup(config);
    if let Some((ssh, host_key)) = &ssh {
        log::info!(
            "serve: host key {} ({}{})",
            host_key.fingerprint,
            ssh.host_key.display(),
            if host_key.created { ", made now" } else { "" }
        );
    }
    let (events_tx, mut events_rx) = mpsc::channel::<Event>(EVENT_QUEUE);
    let mut outputs = Outputs::start(
        OutputSettings {
            sinks: &config.notify,
            environment: &config.ui.environment,
            metrics,
        },
        events_tx.clone(),
    )
    .await?;
    let record = recorder.map(Recorder::handle);
    let pollers = spawn_tapped_pollers(
        config.feeds.clone(),
        config.max_backoff,
        events_tx.clone(),
        record.clone().map(recording::tap),
    )?;
    let control = control_client(config)?;
    let board = SharedBoard::new(
        BoardConfig {
            deployment: Deployment {
                environment: config.ui.environment.clone(),
                simulated: false,
                type_to_confirm: config.ui.confirms_by_typing(),
            },
            thresholds: config.alerts.clone(),
            ids: Box::new(RandomKeys),
        },
        config.board(),
    );
    let (to_loop, mut from_sessions) = mpsc::unbounded_channel();
    let shared = Arc::new(SharedRoom::new(
        board,
        SharedRoomConfig {
            keymap,
            read_only: config.ui.read_only,
            mapped_read_only: super::mapped_read_only(config),
            zone: config.ui.timezone,
            settled_pct: config.alerts.settled_within_pct,
            bell: config.ui.bell,
            export_dir: config.serve.raw.export_dir.clone(),
        },
        to_loop,
    ));
    let mut board_events = BoardEvents::new(shared.clone());
    let mut runner = RoomEffects {
        pollers,
        control,
        events: events_tx.clone(),
        audit_log: config.audit_log.clone(),
        record,
        watch: crate::record::observe::AlertWatch::new(),
        export_dir: config.serve.raw.export_dir.clone(),
        outputs: None,
    };
    let serve = if let Some((ssh, host_key)) = ssh {
        let serve = crate::serve::start(
            ssh,
            host_key,
            Arc::new(ServedRooms(shared.clone())),
            REDRAW_EVERY,
        )
        .await?;
        log::info!(
            "serve: listening on {}; host key {}",
            serve.local_addr(),
            serve.host_key_fingerprint()
        );
        outputs.watch_serve(serve.watch());
        Some(serve)
    } else {
        log::info!("serve: no SSH (no [serve] listen); running headless");
        None
    };
    let mut tick = tokio::time::interval(TICK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            Some(event) = events_rx.recv() => {
                // Everything that already arrived, then one redraw for all rooms when someone
                // is waiting for an answer. Poll reports and delivery outcomes wait for the
                // rooms' own redraw (once a second), as the local room shows them with its
                // tick: three feeds answering at different moments would otherwise redraw every
                // room three more times a second (measured: 4 frames/s per session).
                let mut next = Some(event);
                let mut answer = false;
                while let Some(event) = next {
                    let now = Utc::now();
                    answer |= !matches!(event, Event::Poll(_) | Event::Delivery(_));
                    run_all(&mut runner, board_events.apply(event, now));
                    after_update(&mut runner, &mut outputs, &shared, now);
                    next = events_rx.try_recv().ok();
                }
                if answer && let Some(serve) = &serve {
                    serve.board_changed();
                }
            }
            _ = tick.tick() => {
                let now = Utc::now();
                run_all(&mut runner, board_events.apply(Event::Tick(now), now));
                after_update(&mut runner, &mut outputs, &shared, now);
            }
            Some(message) = from_sessions.recv() => {
                let mut next = Some(message);
                let mut touched = false;
                while let Some(message) = next {
                    match message {
                        FromSessions::Effect(effect) => runner.run(*effect),
                        FromSessions::BoardTouched => touched = true,
                    }
                    next = from_sessions.try_recv().ok();
                }
                if touched {
                    // An acknowledgement or a silence in a session: the sinks and the
                    // recording hear of it now, with who.
                    after_update(&mut runner, &mut outputs, &shared, Utc::now());
                    if let Some(serve) = &serve {
                        serve.board_changed();
                    }
                }
            }
            _ = hangup.recv() => match serve.as_ref().map(crate::serve::RunningServe::reload_authorized_keys) {
                Some(Ok(summary)) => log::info!(
                    "serve: reloaded authorized keys: {} keys, {} sessions ended, {} roles changed",
                    summary.keys, summary.sessions_ended, summary.roles_changed
                ),
                Some(Err(e)) => log::error!("serve: reload refused, the keys in force stay: {e}"),
                None => log::info!("serve: SIGHUP: no SSH served, no keys to reload"),
            },
            _ = terminate.recv() => { log::info!("serve: SIGTERM received"); break }
            _ = interrupt.recv() => { log::info!("serve: SIGINT received"); break }
        }
    }
    log::info!("serve: stopping; ending every session");
    if let Some(serve) = serve {
        serve.shutdown().await;
    }
    Ok(())
}

/// The edges that watch the board: the recording (alert transitions, acknowledgements and
/// silences with who) and the outputs (sinks, `/metrics`).
fn after_update(
    runner: &mut RoomEffects,
    outputs: &mut Outputs,
    shared: &SharedRoom,
    now: chrono::DateTime<Utc>,
) {
    let board = shared.read();
    runner.after_update(&board, now);
    outputs.after_update(&board, now);
}

fn run_all(runner: &mut RoomEffects, effects: Vec<Effect>) {
    for effect in effects {
        runner.run(effect);
    }
}
