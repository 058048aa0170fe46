//! Launching the control room: config and flags into one setup, the pollers, the control client
//! and the audit log wired as the effect runner, the terminal taken and always given back.
//! `dropday demo` runs the same thing against the simulator started in-process.

pub mod audit_log;
pub mod export;
pub mod notify_test;
pub mod outputs;
pub mod recording;
pub mod replay;
pub mod report;
pub mod serve;
pub mod shared;
pub mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::app::audit::Operator;
use crate::app::ids::RandomKeys;
use crate::app::keymap::Keymap;
use crate::app::{Effect, EffectRunner, Event, Exit, Room, RoomConfig, SharedBoard};
use crate::cli::{DemoArgs, RoomArgs};
use crate::config::{Config, ConfigError};
use crate::feed::FeedKind;
use crate::feed::control::{ControlClient, RetryPolicy};
use crate::feed::poller::{Pollers, spawn_tapped_pollers};
use crate::record::observe::{AlertWatch, action_entry};
use crate::record::{RecordHandle, Recorder};
#[cfg(feature = "sim")]
use crate::sim::{self, RunningSim, ScenarioSource, SimOptions};
use crate::ui::{self, theme::Theme};

use audit_log::append_audit;
use outputs::{OutputSettings, Outputs};

/// Events waiting for the loop; the loop drains them all once per frame, so this only bounds a
/// burst while the screen is being drawn.
const EVENT_QUEUE: usize = 1024;

/// Runs the control room until the operator quits, a signal arrives or the terminal goes away.
/// With `demo`, the feeds are the simulator started here on a loopback ephemeral port.
pub async fn run(args: RoomArgs, demo: Option<DemoArgs>) -> ExitCode {
    #[cfg(not(feature = "sim"))]
    if demo.is_some() {
        return without_simulator("demo");
    }
    let mut config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return config_failure(&e),
    };
    apply_flags(&mut config, &args);
    let keymap = match Keymap::with_overrides(&config.keys) {
        Ok(keymap) => keymap,
        Err(e) => return config_failure(&config.key_error(e.action(), e.to_string())),
    };
    // `demo --scenario FILE` takes a recording as well as a scenario: it is replayed.
    if let Some(demo) = &demo
        && let Some(recording) = recording_scenario(&demo.scenario)
    {
        return replay::run(crate::cli::ReplayArgs {
            file: recording,
            speed: demo.speed,
            from: None,
            config: args.config.clone(),
            ascii: args.ascii,
        })
        .await;
    }
    #[cfg(feature = "sim")]
    let simulator = match &demo {
        Some(demo) => match start_demo(demo, &mut config, &args).await {
            Ok(sim) => Some(sim),
            Err(e) => {
                eprintln!("dropday demo: {e}");
                return ExitCode::from(1);
            }
        },
        None => None,
    };

    #[cfg(feature = "sim")]
    if demo.is_some() {
        // A demo's actions are not drop-day actions: never in the real audit log.
        config.audit_log = demo_audit_log();
    }
    if let Err(exit) = make_audit_folder(&config) {
        return exit;
    }
    let speed = demo.as_ref().map(|d| d.speed);
    // `demo` delivers nothing unless asked with --notify, and then everything it sends is
    // labelled environment="demo", whatever --environment says on the screen.
    let (sinks, environment) = match &demo {
        Some(demo) if !demo.notify => (Vec::new(), "demo".to_owned()),
        Some(_) => (config.notify.clone(), "demo".to_owned()),
        None => (config.notify.clone(), config.ui.environment.clone()),
    };
    let outputs = OutputSettings {
        sinks: &sinks,
        environment: &environment,
        metrics: args.metrics.or(config.metrics_listen),
    };
    let command = if demo.is_some() { "demo" } else { "run" };
    // A path that cannot be recorded into is refused now, before the screen is taken. The
    // config's `record` is for `run` (a demo records only when asked on its command line).
    let record_path = args
        .record
        .clone()
        .or_else(|| demo.is_none().then(|| config.record.clone()).flatten());
    let recorder = match recording::start(record_path.as_deref(), &config, speed, command) {
        Ok(recorder) => recorder,
        Err(exit) => return exit,
    };
    let exit = control_room(&config, keymap, speed, outputs, recorder.as_ref()).await;
    if let Some(recorder) = recorder
        && let Err(e) = recording::finish(recorder, command)
    {
        say_on_the_way_out(format_args!("dropday: {e}"));
    }
    #[cfg(feature = "sim")]
    if let Some(sim) = simulator {
        sim.shutdown().await;
        let written = if config.audit_log.exists() {
            ""
        } else {
            " (no action was sent, so it was not written)"
        };
        say_on_the_way_out(format_args!(
            "dropday demo: this run's audit log: {}{written}",
            config.audit_log.display()
        ));
    }
    match exit {
        Ok(Exit::Quit) => ExitCode::SUCCESS,
        Ok(Exit::Signal(name)) => {
            say_on_the_way_out(format_args!("dropday: {name} received, terminal restored"));
            ExitCode::SUCCESS
        }
        Ok(Exit::TerminalGone) => {
            say_on_the_way_out(format_args!("dropday: the terminal went away; leaving"));
            ExitCode::from(1)
        }
        Err(e) => {
            say_on_the_way_out(format_args!("dropday: {e}"));
            ExitCode::from(1)
        }
    }
}

/// A last line on stderr that may find no terminal any more: after a hang-up (SIGHUP, the SSH
/// link dropped) stderr is a hung-up tty, and `eprintln!` would panic on its EIO and turn a
/// clean exit into exit status 101.
fn say_on_the_way_out(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn apply_flags(config: &mut Config, args: &RoomArgs) {
    if let Some(every) = args.poll {
        config.set_poll_every(every);
    }
    config.ui.read_only |= args.read_only;
    config.ui.ascii |= args.ascii;
    if let Some(color) = args.color {
        config.ui.color = color;
    }
    if let Some(environment) = &args.environment {
        config.ui.environment.clone_from(environment);
    }
}

/// `dropday demo` or `dropday sim` in a build without the simulator: one line saying how to get
/// it, and the exit status of a command line that cannot be used.
#[cfg(not(feature = "sim"))]
#[must_use]
pub fn without_simulator(command: &str) -> ExitCode {
    eprintln!(
        "dropday {command}: this dropday was built without the simulator (cargo feature `sim`); \
         build it with the default features (cargo build --release) to get `dropday {command}`"
    );
    ExitCode::from(crate::config::EXIT_STATUS)
}

/// The passwd entry's name of the process's real uid, for the audit's `user` when `$USER` and
/// `$LOGNAME` are unset; `uid N` when the uid has no entry (a container user).
fn login_name_of_uid() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        Ok(None) | Err(_) => format!("uid {uid}"),
    }
}

/// A fresh audit file for one `demo` run, in the temporary folder: named by the start time and
/// the process id, so two demos never share one and the real audit log is never touched.
#[cfg(feature = "sim")]
fn demo_audit_log() -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    std::env::temp_dir()
        .join("dropday-demo")
        .join(format!("audit-{stamp}-{}.jsonl", std::process::id()))
}

/// Starts the scenario's simulator on `127.0.0.1:0` and points every feed at it.
#[cfg(feature = "sim")]
async fn start_demo(
    demo: &DemoArgs,
    config: &mut Config,
    args: &RoomArgs,
) -> Result<RunningSim, sim::SimError> {
    let mut options = SimOptions::new(ScenarioSource::from_arg(&demo.scenario));
    options.speed = demo.speed;
    options.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = sim::start(options).await?;
    config.point_all_feeds_at(&sim.base_url());
    if args.environment.is_none() {
        "demo".clone_into(&mut config.ui.environment);
    }
    Ok(sim)
}

/// The file a demo's `--scenario` names, when it is a recording rather than a scenario.
fn recording_scenario(scenario: &str) -> Option<PathBuf> {
    let path = PathBuf::from(scenario);
    (path.is_file() && crate::record::Recording::read(&path).is_ok()).then_some(path)
}

/// What the launch says at start: deprecated settings, each feed, the environment.
fn log_setup(config: &Config) {
    if let Some(warning) = config.alerts.deprecation_warning() {
        log::warn!("{warning}");
    }
    for endpoint in &config.feeds {
        log::info!(
            "{} feed: {} every {} (timeout {}){}",
            endpoint.kind,
            match &endpoint.mapped {
                Some(source) =>
                    format!("{} read through {}", endpoint.base_url, source.mapping.name),
                None => endpoint.url(endpoint.kind.path()),
            },
            humantime::format_duration(endpoint.poll_every),
            humantime::format_duration(endpoint.timeout),
            if endpoint.token.is_some() {
                ", with a token"
            } else {
                ""
            }
        );
    }
    log::info!(
        "environment {}, {}, audit log {}",
        config.ui.environment,
        if config.ui.read_only {
            "read-only"
        } else if mapped_read_only(config).is_some() {
            "read-only (mapped marketplace without control_url)"
        } else {
            "read-write"
        },
        config.audit_log.display()
    );
}

/// The one control client; a read-only room has none at all, so nothing can send a control
/// request.
fn control_client(config: &Config) -> Result<Option<ControlClient>, Box<dyn std::error::Error>> {
    if config.ui.read_only {
        return Ok(None);
    }
    let mut marketplace = config
        .feed(FeedKind::Marketplace)
        .ok_or("no marketplace feed configured")?
        .clone();
    // A mapped marketplace acts through its own FEEDS v1 control server, with that server's
    // token; without one it has no control client at all.
    if let Some(source) = marketplace.mapped.take() {
        let Some(control) = &source.control else {
            return Ok(None);
        };
        marketplace.base_url.clone_from(&control.url);
        marketplace.token.clone_from(&control.token);
    }
    Ok(Some(ControlClient::new(
        marketplace,
        RetryPolicy::default(),
    )?))
}

/// Why a mapped marketplace refuses control actions, when it does.
fn mapped_read_only(config: &Config) -> Option<String> {
    config
        .feed(FeedKind::Marketplace)
        .and_then(|endpoint| endpoint.mapped.as_ref())
        .and_then(|source| source.read_only_reason())
}

/// Makes the audit log's folder, or says what to set.
fn make_audit_folder(config: &Config) -> Result<(), ExitCode> {
    if let Some(parent) = config.audit_log.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        eprintln!(
            "dropday: cannot create the audit log's folder {}: {e} (set audit_log in the config)",
            parent.display()
        );
        return Err(ExitCode::from(crate::config::EXIT_STATUS));
    }
    Ok(())
}

async fn control_room(
    config: &Config,
    keymap: Keymap,
    demo_speed: Option<f64>,
    outputs: OutputSettings<'_>,
    recorder: Option<&Recorder>,
) -> Result<Exit, Box<dyn std::error::Error>> {
    let (events_tx, events_rx) = mpsc::channel::<Event>(EVENT_QUEUE);
    init_log_widget();
    log_setup(config);
    let outputs = Outputs::start(outputs, events_tx.clone()).await?;
    let outputs = outputs.any().then_some(outputs);
    let record = recorder.map(Recorder::handle);
    let pollers = spawn_tapped_pollers(
        config.feeds.clone(),
        config.max_backoff,
        events_tx.clone(),
        record.clone().map(recording::tap),
    )?;
    let control = control_client(config)?;
    let room_config = RoomConfig {
        environment: config.ui.environment.clone(),
        simulated: demo_speed.is_some(),
        read_only: config.ui.read_only,
        keymap,
        operator: Operator::from_env(|| Some(login_name_of_uid())),
        thresholds: config.alerts.clone(),
        color: config.ui.color.resolve_from_env(),
        ascii: config.ui.ascii,
        type_to_confirm: config.ui.confirms_by_typing(),
        bell: config.ui.bell,
        ids: Box::new(RandomKeys),
    };
    let mut board = config.board();
    // The demo's simulator runs its clock `--speed` times faster: speed, not skew.
    board.set_clock_rate(demo_speed.unwrap_or(1.0));
    let mut room = Room::new(room_config, board);
    if let Some(reason) = mapped_read_only(config) {
        room.session.refuse_actions(reason);
    }
    let theme =
        Theme::new(room.session.color(), room.session.ascii()).with_zone(config.ui.timezone);
    let mut runner = RoomEffects {
        pollers,
        control,
        events: events_tx.clone(),
        audit_log: config.audit_log.clone(),
        record,
        watch: AlertWatch::new(),
        export_dir: config.serve.raw.export_dir.clone(),
        outputs,
    };

    #[cfg(feature = "test-hooks")]
    let panic_at = test_panic_deadline();
    let exit = terminal::run_in_terminal(
        &mut room,
        events_rx,
        events_tx,
        &mut runner,
        |frame, state, now| {
            // A deliberate panic standing in for a bug in drawing, not an invariant `assert!` checks.
            #[cfg(feature = "test-hooks")]
            #[allow(clippy::manual_assert)]
            if panic_at.is_some_and(|at| std::time::Instant::now() >= at) {
                panic!("{PANIC_AFTER_ENV} test hook: the view panics as a bug in drawing would");
            }
            ui::view(frame, state, &theme, now);
        },
    )
    .await?;
    Ok(exit)
}

/// Test hook for the end-to-end tests (`tests/pty_e2e.rs`): with this variable set to N at
/// start, the first frame drawn N milliseconds later panics inside the view, on the loop's
/// thread, exactly where a drawing bug would. It proves that the panic hook gives the terminal
/// back and the message lands on the normal screen. Read once at start. Compiled only with the
/// `test-hooks` feature, which `cargo test` turns on and a release build never has.
#[cfg(feature = "test-hooks")]
pub const PANIC_AFTER_ENV: &str = "DROPDAY_PANIC_AFTER_MS";

#[cfg(feature = "test-hooks")]
fn test_panic_deadline() -> Option<std::time::Instant> {
    let ms: u64 = std::env::var(PANIC_AFTER_ENV).ok()?.trim().parse().ok()?;
    Some(std::time::Instant::now() + std::time::Duration::from_millis(ms))
}

/// The program's own log goes to the Log view (tui-logger); nothing is written to the terminal
/// underneath the screen.
fn init_log_widget() {
    if tui_logger::init_logger(log::LevelFilter::Info).is_ok() {
        tui_logger::set_default_level(log::LevelFilter::Info);
    }
}

/// Carries out the control room's effects: polls, control requests, audit lines.
struct RoomEffects {
    pollers: Pollers,
    control: Option<ControlClient>,
    events: mpsc::Sender<Event>,
    audit_log: PathBuf,
    /// The recording, when `--record` is on.
    record: Option<RecordHandle>,
    /// The alert book as last recorded.
    watch: AlertWatch,
    /// `[serve] export_dir`: where `:export` puts a relative file name (else the current
    /// folder).
    export_dir: Option<PathBuf>,
    /// Alert delivery and `/metrics` of a one-person room (serve watches its shared board
    /// itself).
    outputs: Option<Outputs>,
}

impl EffectRunner for RoomEffects {
    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Send(request) => match &self.control {
                Some(control) => {
                    log::info!(
                        "sending {} for {} (key {})",
                        request.action.name(),
                        request.drop_id,
                        request.idempotency_key
                    );
                    let control = control.clone();
                    let events = self.events.clone();
                    tokio::spawn(async move { control.execute(request, events).await });
                }
                None => log::error!(
                    "read-only session: {} for {} not sent",
                    request.action.name(),
                    request.drop_id
                ),
            },
            Effect::PollNow => self.pollers.poll_now(),
            Effect::Audit(record) => {
                if let Some(recording) = &self.record {
                    recording.write(action_entry(&record));
                }
                log::info!(
                    "{} {} {}: {:?}{} after {} attempt(s), {} ms",
                    record.action,
                    record.drop,
                    serde_json::Value::Object(record.parameters.clone()),
                    record.outcome,
                    record
                        .detail
                        .as_deref()
                        .map_or_else(String::new, |d| format!(" ({d})")),
                    record.attempts,
                    record.latency_ms
                );
                let path = self.audit_log.clone();
                // A small append; off the loop's thread so a slow disk never stalls a frame.
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = append_audit(&path, &record) {
                        log::error!("{e}");
                    }
                });
            }
            Effect::Export { file, csv } => {
                let path = export::local_path(self.export_dir.as_deref(), &file);
                let events = self.events.clone();
                tokio::task::spawn_blocking(move || {
                    let answer = export::write(&path, &csv);
                    let _ = events.blocking_send(Event::Exported(answer));
                });
            }
            Effect::Bell => {
                use std::io::Write;
                // Between two frames, on the loop's thread: BEL never lands inside a sequence.
                let mut out = std::io::stdout();
                let _ = out.write_all(b"\x07").and_then(|()| out.flush());
            }
            Effect::Quit => {}
        }
    }

    fn after_update(&mut self, board: &SharedBoard, now: DateTime<Utc>) {
        if let Some(recording) = &self.record {
            for entry in self.watch.changes(board.alerts(), now) {
                recording.write(entry);
            }
        }
        if let Some(outputs) = &mut self.outputs {
            outputs.after_update(board, now);
        }
    }
}

fn config_failure(error: &ConfigError) -> ExitCode {
    eprintln!("dropday: {error}");
    ExitCode::from(crate::config::EXIT_STATUS)
}
