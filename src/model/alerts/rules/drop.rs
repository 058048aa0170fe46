//! Rules `margin_below_floor`, `sellout_soon`, `drop_opening`, `conversion_drop`.

use chrono::TimeDelta;

use crate::feed::wire::DropState;
use crate::model::figures::CountdownTarget;
use crate::model::format::{utc_clock, utc_hhmm};
use crate::model::views::DropFigures;

use super::super::finding::{Findings, graded};
use super::super::kind::AlertKind;
use super::super::thresholds::AlertThresholds;
use super::{minutes, minutes_words, rate_words};

pub(super) fn rules(
    f: &DropFigures<'_>,
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
            AlertKind::MarginBelowFloor.severity(),
            format!(
                "{}: active band {} has {} margin, below the {:.1} % floor",
                d.id, band.band.id, margin, d.margin_floor_pct,
            ),
        );
    }
    sellout(f, t, out);
    if let Some(c) = f.countdown
        && c.target == CountdownTarget::Opens
    {
        let lead = TimeDelta::minutes(i64::from(t.drop_opening_within_min));
        if c.remaining <= lead {
            let message = if c.is_due() {
                format!("{} is opening ({})", d.id, utc_hhmm(c.at))
            } else {
                format!(
                    "{} opens in {} min ({})",
                    d.id,
                    minutes(c.remaining),
                    utc_hhmm(c.at)
                )
            };
            let found = out.push(
                AlertKind::DropOpening,
                &d.id,
                AlertKind::DropOpening.severity(),
                message,
            );
            found.began = Some(c.at - lead);
        }
    }
    conversion(f, rate_window, t, out);
}

/// Info when even the latest sell-out is before the drop closes; nothing when only the point
/// is (the interval straddles the close: one step below info).
#[allow(clippy::many_single_char_names)] // f, t, d: every rule's shorthand for figures, thresholds, drop
fn sellout(f: &DropFigures<'_>, t: &AlertThresholds, out: &mut Findings) {
    let d = f.drop;
    let Some(stock) = f.stock_outlook.filter(|_| d.state == DropState::Live) else {
        return;
    };
    let sure = stock.sellout_latest.is_some();
    let Some(severity) = graded(
        AlertKind::SelloutSoon.severity(),
        sure,
        stock.sellout_at.is_some(),
    ) else {
        return;
    };
    let Some(at) = stock.sellout_at else {
        return;
    };
    let range = match (stock.sellout_earliest, stock.sellout_latest) {
        (Some(e), Some(l)) if e != l => format!(" ({}–{})", utc_clock(e, at), utc_clock(l, at)),
        _ => String::new(),
    };
    out.push(
        AlertKind::SelloutSoon,
        &d.id,
        severity,
        format!(
            "{} sells out at {}{range}, {} before it closes ({} left at {})",
            d.id,
            utc_hhmm(at),
            minutes_words(d.closes_at - at),
            f.remaining_stock,
            rate_words(f.sales.map(|r| r.per_min), t),
        ),
    );
}

/// Warning when even the top of live conversion's interval is below the share of the
/// overall figure; info when only its point is.
fn conversion(
    f: &DropFigures<'_>,
    rate_window: TimeDelta,
    t: &AlertThresholds,
    out: &mut Findings,
) {
    let d = f.drop;
    if d.state != DropState::Live {
        return;
    }
    let (Some(live), Some(overall), Some(sessions)) =
        (f.live_conversion, f.conversion_pct, f.window_sessions)
    else {
        return;
    };
    if sessions < t.conversion_min_window_sessions {
        return;
    }
    let threshold = overall * t.conversion_drop_ratio;
    let Some(severity) = graded(
        AlertKind::ConversionDrop.severity(),
        live.high < threshold,
        live.point < threshold,
    ) else {
        return;
    };
    let found = out.push(
        AlertKind::ConversionDrop,
        &d.id,
        severity,
        format!(
            "{} converts {:.2} % ({:.2}–{:.2}) over the last {} min, against {:.2} % overall ({} sessions)",
            d.id,
            live.point,
            live.low,
            live.high,
            minutes(rate_window),
            overall,
            sessions,
        ),
    );
    found.figure = Some(threshold - live.point);
}
