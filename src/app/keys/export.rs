//! `:export FILE`: the triage table as it is shown (filter and sort applied, every row, not
//! only those on screen) as CSV for the carrier call. The text is made here; writing it is an
//! effect (`room::export` puts it on disk and answers with `Event::Exported`).

use chrono::{DateTime, Utc};

use super::super::effect::Effect;
use super::super::rows;
use super::super::state::{MessageKind, RoomMut};

/// The CSV header: the triage table's columns, in its order, with units in the names.
pub const HEADER: [&str; 7] = [
    "hub",
    "order",
    "drop",
    "stage",
    "reason",
    "due_utc",
    "overdue_minutes",
];

/// Builds the CSV of the triage table and asks for it to be written to `file`.
pub(super) fn triage(state: &mut RoomMut<'_>, file: String, now: DateTime<Utc>) -> Vec<Effect> {
    let csv = {
        let view = state.read();
        let server_now = view.shown_server_now(now);
        let table = rows::triage(&view);
        to_csv(table.iter().map(|(hub, o)| {
            let overdue = (server_now - o.due_at).num_minutes().max(0);
            [
                hub.to_owned(),
                o.order_id.clone(),
                o.drop_id.clone(),
                o.stage.as_str().to_owned(),
                o.reason.clone(),
                o.due_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                overdue.to_string(),
            ]
        }))
    };
    match csv {
        Ok((csv, rows)) => {
            state.say(
                MessageKind::Info,
                format!("exporting {rows} overdue order(s) to {file}…"),
                now,
            );
            vec![Effect::Export { file, csv }]
        }
        Err(e) => {
            state.say(MessageKind::Error, format!("export failed: {e}"), now);
            Vec::new()
        }
    }
}

/// The rows as CSV text with [`HEADER`] (RFC 4180 quoting), and how many rows.
fn to_csv(rows: impl Iterator<Item = [String; 7]>) -> Result<(String, usize), String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).map_err(|e| e.to_string())?;
    let mut count = 0;
    for row in rows {
        writer.write_record(&row).map_err(|e| e.to_string())?;
        count += 1;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map(|text| (text, count))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        let row = [
            "ewr-1".to_owned(),
            "HD-1, \"rush\"".to_owned(),
            "hoodie-01".to_owned(),
            "picked".to_owned(),
            "carrier\nno show".to_owned(),
            "2026-11-27T18:00:00Z".to_owned(),
            "12".to_owned(),
        ];
        let (text, rows) = to_csv(std::iter::once(row)).expect("csv");
        assert_eq!(rows, 1);
        assert_eq!(
            text,
            "hub,order,drop,stage,reason,due_utc,overdue_minutes\n\
             ewr-1,\"HD-1, \"\"rush\"\"\",hoodie-01,picked,\"carrier\nno show\",2026-11-27T18:00:00Z,12\n"
        );
    }
}
