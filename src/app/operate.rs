//! Control actions from the operator's side: checks before anything is asked (read-only, drop
//! state, margin floor), the confirmation dialog, the one request a confirmation sends, and what
//! the answers do to the state (the Actions view, the audit log, read-only after a 403).

use chrono::{DateTime, Utc};

use crate::feed::events::{AttemptResult, ControlAction, ControlReport, ControlRequest};
use crate::feed::wire::DropState;
use crate::model::money::{format_money, format_pct};
use crate::model::views::DropFigures;

use super::audit::AuditRecord;
use super::effect::Effect;
use super::ledger::{ActionStatus, describe_action};
use super::overlay::{BandPicker, Choice, Confirm, Overlay};
use super::state::{Access, MessageKind, RoomMut};

/// Why nothing was asked: said on the status line, nothing is sent.
fn refuse(state: &mut RoomMut<'_>, text: String, now: DateTime<Utc>) {
    state.say(MessageKind::Warning, text, now);
}

/// Whether control is allowed; otherwise says why `what` does nothing.
fn writable(state: &mut RoomMut<'_>, what: &str, now: DateTime<Utc>) -> bool {
    match state.access() {
        Access::ReadWrite => true,
        Access::ReadOnly { reason } => {
            let text = format!("read-only ({reason}): {what} does nothing");
            refuse(state, text, now);
            false
        }
    }
}

/// `p` or `:pause`/`:resume`: opens the confirmation for pausing a live drop or resuming a
/// paused one. `wanted` is `None` for the toggle key, or the action the command named.
pub(in crate::app) fn request_pause_resume(
    state: &mut RoomMut<'_>,
    drop_id: &str,
    wanted: Option<ControlAction>,
    now: DateTime<Utc>,
) {
    let what = match &wanted {
        Some(action) => action.name(),
        None => "pause/resume",
    };
    if !writable(state, what, now) {
        return;
    }
    let Some(drop) = state.board.feeds.drop_by_id(drop_id) else {
        refuse(state, format!("no drop `{drop_id}` on the board"), now);
        return;
    };
    let (action, change, consequence) = match (&drop.state, wanted) {
        (DropState::Live, None | Some(ControlAction::Pause)) => (
            ControlAction::Pause,
            "state live → paused",
            "the storefront stops taking orders for this drop",
        ),
        (DropState::Paused, None | Some(ControlAction::Resume)) => (
            ControlAction::Resume,
            "state paused → live",
            "the storefront takes orders again",
        ),
        (other, wanted) => {
            let verb = wanted
                .as_ref()
                .map_or("pause or resume", ControlAction::name);
            let text = format!(
                "{drop_id} is {other}: nothing to {verb} (only live drops pause, only paused ones resume)"
            );
            refuse(state, text, now);
            return;
        }
    };
    state.session.overlay = Some(Overlay::Confirm(Confirm {
        drop_id: drop.id.clone(),
        action,
        drop_title: drop.title.clone(),
        environment: state.board.deployment.environment.clone(),
        change: change.to_owned(),
        consequence: consequence.to_owned(),
        choice: Choice::Cancel,
        typed: state.board.deployment.type_to_confirm.then(String::new),
    }));
}

/// `b`: opens the band picker of a drop, on its active band. A read-only session opens it too,
/// to look at the margins; choosing a band there is refused with the reason.
pub(in crate::app) fn open_band_picker(state: &mut RoomMut<'_>, drop_id: &str, now: DateTime<Utc>) {
    if let Access::ReadOnly { reason } = state.access() {
        let text = format!("read-only ({reason}): the bands are shown, nothing can be sent");
        state.say(MessageKind::Info, text, now);
    }
    let Some(drop) = state.board.feeds.drop_by_id(drop_id) else {
        refuse(state, format!("no drop `{drop_id}` on the board"), now);
        return;
    };
    if drop.price_bands.is_empty() {
        refuse(state, format!("{drop_id} lists no price bands"), now);
        return;
    }
    let selected = drop
        .price_bands
        .iter()
        .position(|b| b.id == drop.active_band)
        .unwrap_or(0);
    state.session.overlay = Some(Overlay::BandPicker(BandPicker {
        drop_id: drop_id.to_owned(),
        selected,
    }));
}

/// A band chosen in the picker or with `:band`: refused on the spot when it is below the
/// margin floor, unknown or already active; otherwise the confirmation opens.
pub(in crate::app) fn request_band(
    state: &mut RoomMut<'_>,
    drop_id: &str,
    band_id: &str,
    now: DateTime<Utc>,
) {
    if !writable(state, "band", now) {
        return;
    }
    let server_now = state.board.feeds.server_now(now);
    let Some(figures) = state.board.feeds.drop_figures(drop_id, server_now) else {
        refuse(state, format!("no drop `{drop_id}` on the board"), now);
        return;
    };
    let Some(target) = figures.bands.iter().find(|b| b.band.id == band_id) else {
        let known: Vec<&str> = figures.bands.iter().map(|b| b.band.id.as_str()).collect();
        let text = format!(
            "{drop_id} has no band `{band_id}` (bands: {})",
            known.join(", ")
        );
        refuse(state, text, now);
        return;
    };
    let floor = figures.drop.margin_floor_pct;
    if !target.allowed {
        // The server would refuse too; refusing here means nothing is sent at all.
        let text = format!(
            "refused, nothing sent: band {band_id}'s margin {} is under the {} floor",
            format_pct(target.margin_pct),
            format_pct(Some(floor)),
        );
        state.say(MessageKind::Error, text, now);
        return;
    }
    if target.is_active {
        refuse(
            state,
            format!("band {band_id} is already active on {drop_id}"),
            now,
        );
        return;
    }
    let change = format!(
        "{} → {}",
        band_words(&figures, figures.drop.active_band.as_str()),
        band_words(&figures, band_id)
    );
    let drop = figures.drop;
    let confirm = Confirm {
        drop_id: drop.id.clone(),
        action: ControlAction::SetBand(band_id.to_owned()),
        drop_title: drop.title.clone(),
        environment: state.board.deployment.environment.clone(),
        change,
        consequence: "new orders are charged the new price".to_owned(),
        choice: Choice::Cancel,
        typed: state.board.deployment.type_to_confirm.then(String::new),
    };
    state.session.overlay = Some(Overlay::Confirm(confirm));
}

/// `band A 65.00 USD, margin 63.1 %` (or `band X (not listed)`).
fn band_words(figures: &DropFigures<'_>, band_id: &str) -> String {
    match figures.bands.iter().find(|b| b.band.id == band_id) {
        Some(b) => format!(
            "band {band_id} {}, margin {}",
            format_money(b.band.price_minor, &figures.drop.currency),
            format_pct(b.margin_pct)
        ),
        None => format!("band {band_id} (not listed)"),
    }
}

/// The operator confirmed: one request with a fresh idempotency key, recorded in the ledger.
pub(in crate::app) fn send_confirmed(
    state: &mut RoomMut<'_>,
    confirm: Confirm,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    // Access may have changed while the dialog was open (a 403 on another action).
    if !writable(state, confirm.action.name(), now) {
        return Vec::new();
    }
    let request = ControlRequest {
        action_id: state.board.ledger.next_action_id(),
        drop_id: confirm.drop_id,
        action: confirm.action,
        idempotency_key: state.board.ids.next_key(),
    };
    let text = format!(
        "sent: {} {} (action #{}) — see Actions",
        describe_action(&request.action),
        request.drop_id,
        request.action_id
    );
    state.say(MessageKind::Info, text, now);
    let operator = state.session.operator.clone();
    state.board.ledger.push(request.clone(), operator, now);
    state.session.awaiting.push(request.action_id);
    vec![Effect::Send(request)]
}

/// `pause hoodie-01: applied`: an action's state in words, for the status line.
fn outcome_words(entry: &super::ledger::ActionEntry) -> String {
    format!(
        "{} {}: {}",
        entry.describe_action(),
        entry.request.drop_id,
        entry.status.describe()
    )
}

/// The final answers to this session's actions that reached the board on another session's
/// update (a served room: the board's own loop applies the control reports): said on this
/// session's status line, once each.
pub(in crate::app) fn tell_answers(
    board: &super::SharedBoard,
    session: &mut super::Session,
    now: DateTime<Utc>,
) {
    if session.awaiting.is_empty() {
        return;
    }
    let mut told = Vec::new();
    for id in &session.awaiting {
        let Some(entry) = board
            .ledger
            .entries()
            .iter()
            .find(|e| e.request.action_id == *id)
        else {
            continue;
        };
        if entry.status.audit_outcome().is_none() {
            continue;
        }
        let kind = match entry.status {
            ActionStatus::Applied => MessageKind::Info,
            ActionStatus::Refused { .. } => MessageKind::Error,
            _ => MessageKind::Warning,
        };
        told.push((*id, kind, outcome_words(entry)));
    }
    for (id, kind, text) in told {
        session.awaiting.retain(|a| *a != id);
        session.say(kind, text, now);
    }
}

/// One attempt's report: the ledger learns it; a final outcome is audited once and told to the
/// operator; a 403 turns the session read-only; an applied change is fetched right away.
pub(in crate::app) fn on_report(
    state: &mut RoomMut<'_>,
    report: &ControlReport,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let AttemptResult::Refused {
        status: 403,
        code,
        message,
    } = &report.result
    {
        let reason = format!("the marketplace refused control with 403 {code}: {message}");
        state.board.control_refused = Some(reason);
    }
    let Some(entry) = state.board.ledger.record(report) else {
        return effects;
    };
    let entry = entry.clone();
    let kind = match entry.status {
        ActionStatus::Applied => MessageKind::Info,
        ActionStatus::Refused { .. } => MessageKind::Error,
        _ => MessageKind::Warning,
    };
    let text = outcome_words(&entry);
    state.say(kind, text, now);
    if entry.status.audit_outcome().is_some() {
        state
            .session
            .awaiting
            .retain(|id| *id != entry.request.action_id);
    }
    if matches!(entry.status, ActionStatus::Applied) {
        effects.push(Effect::PollNow);
    }
    if let Some(outcome) = entry.status.audit_outcome() {
        let mut parameters = serde_json::Map::new();
        if let ControlAction::SetBand(band) = &entry.request.action {
            parameters.insert("band".to_owned(), serde_json::Value::from(band.as_str()));
        }
        let detail = match &entry.status {
            ActionStatus::Refused {
                status,
                code,
                message,
            } => Some(format!("{status} {code}: {message}")),
            ActionStatus::Unknown { reason } => Some(reason.clone()),
            _ => None,
        };
        effects.push(Effect::Audit(AuditRecord {
            time: now,
            user: entry.operator.user.clone(),
            ssh_client: entry.operator.ssh_client.clone(),
            key_name: entry.operator.key_name.clone(),
            key_fingerprint: entry.operator.key_fingerprint.clone(),
            environment: state.board.deployment.environment.clone(),
            drop: entry.request.drop_id.clone(),
            action: entry.request.action.name().to_owned(),
            parameters,
            idempotency_key: entry.request.idempotency_key.clone(),
            outcome,
            detail,
            attempts: entry.attempts,
            latency_ms: entry.latency().map_or(0, |l| l.num_milliseconds()),
        }));
    }
    effects
}
