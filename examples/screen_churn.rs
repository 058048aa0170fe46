//! Which cells of the screen change each second, and what they cost a terminal: the room's
//! Overview drawn once a simulated second from a scenario's world, on a fixed clock, through
//! the same crossterm backend the program writes to its terminal (256 colours). Deterministic
//! and free of wall time, so a change to the screen can be compared before and after.
//!
//! ```text
//! cargo run --example screen_churn -- --size 120x40 --seconds 65 --skip 5
//! cargo run --example screen_churn -- --size 120x40 --dump /tmp/churn   # the bytes, per frame
//! ```
//!
//! Flags: `--scenario NAME` (default `launch`), `--size WxH` (default 120x40), `--seconds N`
//! frames after the first (default 65), `--skip N` frames not counted in the totals (default 5,
//! as `pty_measure` waits 5 s), `--dump PREFIX` (writes `PREFIX-WxH.bin`, the bytes a terminal
//! would get, for an analysis of the byte stream), `--rows` (each counted frame's changed rows,
//! old and new text).
//!
//! Each second: the world advances, the three feeds' documents arrive 0.3 s into the second
//! (as poll reports do, between ticks), and the tick at the second draws the frame. It prints
//! the bytes per frame and, per screen row, how many frames changed it and the cells changed.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use dropday::app::audit::Operator;
use dropday::app::ids::CountedKeys;
use dropday::app::keymap::Keymap;
use dropday::app::{Event, Room, RoomConfig};
use dropday::feed::FeedKind;
use dropday::feed::events::{PollOutcome, PollReport};
use dropday::feed::wire::Document;
use dropday::model::alerts::AlertThresholds;
use dropday::model::board::Board;
use dropday::sim::ScenarioSource;
use dropday::sim::world::World;
use dropday::ui::{self, ColorMode, Theme};

struct Options {
    scenario: String,
    size: (u16, u16),
    seconds: i64,
    skip: usize,
    dump: Option<String>,
    rows: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        scenario: "launch".to_owned(),
        size: (120, 40),
        seconds: 65,
        skip: 5,
        dump: None,
        rows: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--scenario" => options.scenario = value("--scenario")?,
            "--size" => {
                let text = value("--size")?;
                let (w, h) = text
                    .split_once('x')
                    .ok_or(format!("size {text:?}: expected WxH"))?;
                options.size = (
                    w.parse().map_err(|e| format!("size {text:?}: {e}"))?,
                    h.parse().map_err(|e| format!("size {text:?}: {e}"))?,
                );
            }
            "--seconds" => {
                options.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?;
            }
            "--skip" => {
                options.skip = value("--skip")?
                    .parse()
                    .map_err(|e| format!("--skip: {e}"))?;
            }
            "--dump" => options.dump = Some(value("--dump")?),
            "--rows" => options.rows = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(options)
}

/// The room as `dropday demo` makes it: simulated, environment `demo`, 256 colours.
fn demo_room() -> Room {
    let config = RoomConfig {
        environment: "demo".to_owned(),
        simulated: true,
        read_only: false,
        keymap: Keymap::default(),
        operator: Operator::default(),
        thresholds: AlertThresholds::default(),
        color: ColorMode::Ansi256,
        ascii: false,
        type_to_confirm: false,
        bell: dropday::app::session::Bell::Off,
        ids: Box::new(CountedKeys::default()),
    };
    let mut board = Board::default();
    for feed in FeedKind::ALL {
        board.set_poll_interval(feed, TimeDelta::seconds(1));
    }
    Room::new(config, board)
}

fn document<T>(as_of: DateTime<Utc>, entries: Vec<T>) -> Document<T> {
    Document {
        as_of,
        entries,
        skipped: Vec::new(),
    }
}

/// The three feeds' documents of `world` at `at`, as poll reports received then.
fn poll_all(room: &mut Room, world: &World, at: DateTime<Utc>) {
    let outcomes = [
        (
            FeedKind::Marketplace,
            PollOutcome::Drops(document(at, world.drops())),
        ),
        (
            FeedKind::Fulfilment,
            PollOutcome::Hubs(document(at, world.hubs())),
        ),
        (
            FeedKind::Pos,
            PollOutcome::Popups(document(at, world.popups())),
        ),
    ];
    for (feed, outcome) in outcomes {
        room.update(
            Event::Poll(PollReport {
                feed,
                sent_at: at,
                received_at: at,
                outcome,
            }),
            at,
        );
    }
}

/// What the backend wrote, kept where the loop can read it (the backend's own writer is not
/// public in ratatui 0.30).
#[derive(Clone, Default)]
struct Written(Rc<RefCell<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn row_text(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("screen_churn: {e}");
            std::process::exit(2);
        }
    };
    let scenario = match ScenarioSource::Builtin(options.scenario.clone()).load() {
        Ok(scenario) => scenario,
        Err(e) => {
            eprintln!("screen_churn: {e}");
            std::process::exit(2);
        }
    };
    // The manual clock's round start, as the simulator's tests use.
    let start = DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc));
    let mut world = World::new(&scenario, start);
    let mut room = demo_room();
    let theme = Theme::fixed(ColorMode::Ansi256, false);
    let (width, height) = options.size;
    let written = Written::default();
    let backend = CrosstermBackend::new(written.clone());
    let Ok(mut terminal) = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    ) else {
        eprintln!("screen_churn: cannot make the terminal");
        std::process::exit(1);
    };
    let mut previous: Option<Buffer> = None;
    let mut frame_bytes = Vec::new();
    // Per row: frames in which it changed, cells changed.
    let mut row_frames = vec![0_u32; usize::from(height)];
    let mut row_cells = vec![0_u32; usize::from(height)];
    for second in 0..=options.seconds {
        let at = start + TimeDelta::seconds(second);
        let polled = at + TimeDelta::milliseconds(300);
        let tick = at + TimeDelta::seconds(1);
        world.advance_to(polled);
        poll_all(&mut room, &world, polled);
        room.update(Event::Tick(tick), tick);
        let before = written.0.borrow().len();
        let drawn = terminal.draw(|frame| ui::view(frame, &room.state(), &theme, tick));
        let buffer = match drawn {
            Ok(completed) => completed.buffer.clone(),
            Err(e) => {
                eprintln!("screen_churn: draw: {e}");
                std::process::exit(1);
            }
        };
        let bytes = written.0.borrow().len() - before;
        let counted = usize::try_from(second).unwrap_or(usize::MAX) > options.skip;
        if counted && let Some(old) = &previous {
            frame_bytes.push(bytes);
            let mut shown = false;
            for y in 0..height {
                let changed = (0..width)
                    .filter(|&x| old[(x, y)] != buffer[(x, y)])
                    .count();
                if changed > 0 {
                    row_frames[usize::from(y)] += 1;
                    row_cells[usize::from(y)] += u32::try_from(changed).unwrap_or(u32::MAX);
                    if options.rows {
                        if !shown {
                            println!("--- second {second}: {bytes} bytes");
                            shown = true;
                        }
                        println!("  {y:2} was |{}|", row_text(old, y));
                        println!("  {y:2} now |{}|", row_text(&buffer, y));
                    }
                }
            }
        }
        previous = Some(buffer);
    }
    let frames = frame_bytes.len().max(1);
    let total: usize = frame_bytes.iter().sum();
    println!(
        "{} {}x{}: {} frames counted, {} bytes, {:.0} bytes per frame (min {}, max {})",
        options.scenario,
        width,
        height,
        frame_bytes.len(),
        total,
        total as f64 / frames as f64,
        frame_bytes.iter().min().unwrap_or(&0),
        frame_bytes.iter().max().unwrap_or(&0),
    );
    if let Some(last) = &previous {
        println!("row  frames  cells/frame  text (last frame)");
        for y in 0..height {
            let i = usize::from(y);
            println!(
                "{y:3} {:7} {:12.1}  |{}|",
                row_frames[i],
                f64::from(row_cells[i]) / frames as f64,
                row_text(last, y)
            );
        }
    }
    if let Some(prefix) = &options.dump {
        let path = format!("{prefix}-{width}x{height}.bin");
        let written =
            std::fs::File::create(&path).and_then(|mut f| f.write_all(&written.0.borrow()));
        match written {
            Ok(()) => eprintln!("wrote {path}"),
            Err(e) => eprintln!("screen_churn: {path}: {e}"),
        }
    }
}
