//! `dropday report FILE`: the post-drop scorecard of a recording, as Markdown (default), JSON
//! or one HTML file; `--refresh` first polls the marketplace once and appends the answer to
//! the recording, so the `after_sale` counters are as of now.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{ReportArgs, ReportFormat};
use crate::config::Config;
use crate::feed::FeedKind;
use crate::feed::client::{FeedClient, FeedEndpoint, build_http};
use crate::record::format::Header;
use crate::record::report::{self, html, markdown};
use crate::record::{Entry, Recorder, Recording};

/// Prints (or writes) the report.
pub async fn run(args: ReportArgs) -> ExitCode {
    crate::stderr_log::init(log::Level::Warn);
    let usage = || ExitCode::from(crate::config::EXIT_STATUS);
    let mut recording = match Recording::read(&args.file) {
        Ok(recording) => recording,
        Err(e) => {
            eprintln!("dropday report: {e}");
            return usage();
        }
    };
    if args.refresh {
        if let Err(e) = refresh(&args, &recording).await {
            eprintln!("dropday report --refresh: {e}");
            return ExitCode::from(1);
        }
        recording = match Recording::read(&args.file) {
            Ok(recording) => recording,
            Err(e) => {
                eprintln!("dropday report: {e}");
                return usage();
            }
        };
    }
    if recording.cut_bytes > 0 {
        eprintln!(
            "dropday report: the recording ends with {} bytes of a cut frame (the recorder was killed); reporting up to its last whole frame",
            recording.cut_bytes
        );
    }
    let post = report::build(&recording);
    let text = match args.format {
        ReportFormat::Md => markdown::render(&post),
        ReportFormat::Html => html::render(&post),
        ReportFormat::Json => match serde_json::to_string_pretty(&post) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("dropday report: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let Some(path) = &args.output else {
        print!("{text}");
        return ExitCode::SUCCESS;
    };
    match std::fs::write(path, text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dropday report: cannot write {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

/// Polls the marketplace once (the config's, with its token, when `--config` is given; else
/// the URL the recording names) and appends the answer as a segment of its own.
async fn refresh(args: &ReportArgs, recording: &Recording) -> Result<(), String> {
    let endpoint = if let Some(path) = &args.config {
        Config::load(Some(path))
            .map_err(|e| e.to_string())?
            .feed(FeedKind::Marketplace)
            .cloned()
            .ok_or("the config has no marketplace feed")?
    } else {
        let url = recording
            .header()
            .feeds
            .iter()
            .find(|f| f.feed == FeedKind::Marketplace.name())
            .map(|f| f.url.clone())
            .ok_or("the recording names no marketplace feed; give --config")?;
        let base = url
            .strip_suffix(FeedKind::Marketplace.path())
            .unwrap_or(&url)
            .to_owned();
        FeedEndpoint::with_defaults(FeedKind::Marketplace, &base)
    };
    let http = build_http(&endpoint)?;
    let mut client = FeedClient::new(http, endpoint.clone());
    let (report, raw) = client.poll_with_body().await;
    if let crate::feed::events::PollOutcome::Failed(failure) = &report.outcome {
        return Err(format!(
            "{}: {failure}",
            endpoint.url(FeedKind::Marketplace.path())
        ));
    }
    let header = Entry::Header(Header {
        command: "report --refresh".to_owned(),
        started_at: report.sent_at,
        feeds: vec![crate::record::format::FeedSource {
            feed: FeedKind::Marketplace.name().to_owned(),
            url: crate::record::url_without_credentials(
                &endpoint.url(FeedKind::Marketplace.path()),
            ),
        }],
        ..recording.header().clone()
    });
    append(
        &args.file,
        &header,
        Entry::of_poll(
            &report,
            raw.as_ref().map(|r| r.status),
            raw.as_ref().map(|r| r.body.as_slice()),
        ),
    )
}

fn append(path: &Path, header: &Entry, entry: Entry) -> Result<(), String> {
    let recorder = Recorder::start(path, header).map_err(|e| e.to_string())?;
    recorder.handle().write(entry);
    recorder.finish().map(|_| ()).map_err(|e| e.to_string())
}
