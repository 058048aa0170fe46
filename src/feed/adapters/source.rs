//! A mapped feed as configured: its mapping and the `config` its program sees (the mapping's
//! settings, overridden by the feed's `[feeds.<name>.settings]`, and the feed's lists such as
//! `[[feeds.pos.popups]]`), and the pure step from answers to a document.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use jaq_json::Val;
use serde_json::Value;
use serde_json::value::RawValue;

use super::entries::{EntryCall, EntryInput, EntryMemo};
use super::mapping::Mapping;
use super::program::{AsJson, to_val};
use crate::feed::client::decode_outcome;
use crate::feed::events::PollOutcome;
use crate::feed::wire::{Drop, FeedEntry, Hub, Popup};
use crate::feed::{FeedFailure, FeedKind};

/// A feed read through a mapping.
#[derive(Debug)]
pub struct MappedSource {
    /// The mapping.
    pub mapping: Arc<Mapping>,
    /// What the program reads as `.config` (and requests as `{…}`).
    pub config: Value,
    /// `config` as a jaq value, built once.
    config_val: Val,
    /// Where a mapped marketplace's control actions go (a FEEDS v1 control server); none:
    /// the marketplace is read-only.
    pub control: Option<MappedControl>,
}

/// A FEEDS v1 control server for a mapped marketplace, with its own token (the platform's
/// token never goes there).
#[derive(Debug, Clone)]
pub struct MappedControl {
    /// Base URL, without a trailing slash.
    pub url: String,
    /// Its bearer token.
    pub token: Option<crate::feed::secret::Token>,
}

/// What one run of the program gave.
#[derive(Debug)]
pub struct Mapped {
    /// The document's JSON text, as the decoder read it.
    pub document: Box<RawValue>,
    /// The decoded document (or the decoder's failure).
    pub outcome: PollOutcome,
    /// The state the next poll starts from, kept as jaq's value: it goes back into the next
    /// run as it is, never through JSON text (at a thousand pop-ups that round trip cost about
    /// as much as reading the answers).
    pub state: Val,
}

impl MappedSource {
    /// The source of `mapping` with the feed's `config`.
    ///
    /// # Errors
    /// Never for a config built from TOML; kept for values made elsewhere.
    pub fn new(mapping: Arc<Mapping>, config: Value) -> Result<MappedSource, String> {
        let config_val = to_val(&config)?;
        Ok(MappedSource {
            mapping,
            config,
            config_val,
            control: None,
        })
    }

    /// Why control actions are refused, when they are: a mapped marketplace without a
    /// `control_url` has no way to pause a drop or change its band.
    #[must_use]
    pub fn read_only_reason(&self) -> Option<String> {
        (self.control.is_none()).then(|| {
            format!(
                "mapped: the marketplace is read through {}, which takes no control actions; \
                 set control_url to a FEEDS v1 control server to act",
                self.mapping.name
            )
        })
    }

    /// A failure of this mapping, at `request` when one is named.
    #[must_use]
    pub fn failure(&self, request: Option<&str>, cause: FeedFailure) -> FeedFailure {
        FeedFailure::Mapping {
            mapping: self.mapping.name.clone(),
            request: request.map(str::to_owned),
            cause: Box::new(cause),
        }
    }

    /// The entries of config list `name` as jaq values (built once, shared by every poll).
    #[must_use]
    pub fn list_vals(&self, name: &str) -> &[Val] {
        match &self.config_val {
            Val::Obj(fields) => match fields.get(&Val::from(name.to_owned())) {
                Some(Val::Arr(items)) => items,
                _ => &[],
            },
            _ => &[],
        }
    }

    /// The program's input for one poll: `{requests, config, now, state}`.
    #[must_use]
    pub fn input(&self, requests: Val, now: DateTime<Utc>, state: &Val) -> Val {
        let mut input = jaq_json::Map::default();
        input.insert(Val::from("requests".to_owned()), requests);
        input.insert(Val::from("config".to_owned()), self.config_val.clone());
        input.insert(
            Val::from("now".to_owned()),
            Val::from(now.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        input.insert(Val::from("state".to_owned()), state.clone());
        Val::obj(input)
    }

    /// Runs the program on the answers of one poll (`requests`: name → list of calls, each
    /// `{item, pages}`), decodes the document it gives and returns it with the next state.
    ///
    /// # Errors
    /// The program's error, an output that is not `{document, state}`, or a document the
    /// decoder refuses as a whole: each a [`FeedFailure::Mapping`].
    pub fn map(
        &self,
        requests: Val,
        now: DateTime<Utc>,
        state: &Val,
    ) -> Result<Mapped, FeedFailure> {
        self.map_with(requests, now, state, &mut EntryMemo::default())
    }

    /// [`Self::map`], keeping each entry's mapping in `memo` between polls when the program
    /// runs per entry (`[program] each`): an entry nothing changed for is not mapped again.
    ///
    /// # Errors
    /// As [`Self::map`].
    pub fn map_with(
        &self,
        requests: Val,
        now: DateTime<Utc>,
        state: &Val,
        memo: &mut EntryMemo,
    ) -> Result<Mapped, FeedFailure> {
        let malformed = |text: String| self.failure(None, FeedFailure::Malformed(text));
        let shape =
            |what: &str| malformed(format!("the program must give {{document, state}}: {what}"));
        let (document, state, outcome) = if let Some(list) = &self.mapping.each {
            let (entries, state) = self.map_entries(list, &requests, now, state, memo)?;
            let as_of = now.to_rfc3339_opts(SecondsFormat::Secs, true);
            // The entries' texts as they were written when each was mapped, copied as they are.
            let document = serde_json::value::to_raw_value(&EntriesDocument {
                as_of: &as_of,
                list: list_key(self.mapping.feed),
                entries: &entries,
            })
            .map_err(|e| shape(&e.to_string()))?;
            // The document as the decoder reads it, each entry decoded once (`decoded.rs`).
            let as_of = crate::feed::timestamp::parse(&as_of).map_err(|e| shape(&e.to_string()))?;
            let decoded = &mut memo.decoded;
            let outcome = match self.mapping.feed {
                FeedKind::Marketplace => PollOutcome::Drops(decoded.document(as_of, &entries)),
                FeedKind::Fulfilment => PollOutcome::Hubs(decoded.document(as_of, &entries)),
                FeedKind::Pos => PollOutcome::Popups(decoded.document(as_of, &entries)),
            };
            (document, state, outcome)
        } else {
            let output = self
                .mapping
                .program
                .run(self.input(requests, now, state))
                .map_err(|e| malformed(format!("jq: {e}")))?;
            let Val::Obj(fields) = &output else {
                return Err(shape("it gave no object"));
            };
            let Some(document) = fields.get(&Val::from("document".to_owned())) else {
                return Err(shape("missing field `document`"));
            };
            let state = fields
                .get(&Val::from("state".to_owned()))
                .cloned()
                .unwrap_or(Val::Null);
            // Written straight into a raw value: serde wrote it, so it is not read again to
            // check it is JSON (658 kB at a thousand pop-ups, every poll).
            let document = serde_json::value::to_raw_value(&AsJson(document))
                .map_err(|e| shape(&e.to_string()))?;
            let outcome = decode_outcome(self.mapping.feed, document.get().as_bytes());
            (document, state, outcome)
        };
        if let PollOutcome::Failed(cause) = outcome {
            return Err(self.failure(None, cause));
        }
        Ok(Mapped {
            document,
            outcome,
            state,
        })
    }

    /// The program run per entry of config list `list`: the entries it gives (as JSON text),
    /// in the list's order, for the document; the state keeps each entry's under its id.
    fn map_entries(
        &self,
        list: &str,
        requests: &Val,
        now: DateTime<Utc>,
        state: &Val,
        memo: &mut EntryMemo,
    ) -> Result<(Vec<Arc<RawValue>>, Val), FeedFailure> {
        let items = self.list_vals(list);
        memo.start_poll(items.len());
        let calls_of = |name: &str| match field(requests, name) {
            Some(Val::Arr(calls)) => calls.as_slice(),
            _ => &[],
        };
        let was = field(state, list);
        // Each entry's id as the config gave it (a shared string, not a copy): its state's key.
        let ids: Vec<Val> = items
            .iter()
            .enumerate()
            .map(|(index, item)| match field(item, "id") {
                Some(id @ Val::TStr(_)) => id.clone(),
                _ => Val::from(index.to_string()),
            })
            .collect();
        // Every entry's calls in one list, each entry's a slice of it.
        let per_entry = self.mapping.requests.len();
        let calls: Vec<EntryCall<'_>> = (0..items.len())
            .flat_map(|index| {
                self.mapping.requests.iter().map(move |request| {
                    let name = request.spec.name.as_str();
                    let at = if request.spec.for_each.is_some() {
                        index
                    } else {
                        0
                    };
                    EntryCall {
                        name,
                        call: calls_of(name).get(at).unwrap_or(&Val::Null),
                        repeats: request.repeats.as_deref(),
                        answer: request.answer.as_ref(),
                    }
                })
            })
            .collect();
        let inputs: Vec<EntryInput<'_>> = items
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(index, (item, id))| EntryInput {
                index,
                item,
                calls: &calls[index * per_entry..(index + 1) * per_entry],
                state: match was {
                    Some(Val::Obj(entries)) => entries.get(id).unwrap_or(&Val::Null),
                    _ => &Val::Null,
                },
            })
            .collect();
        let outputs = memo
            .map_all(&self.mapping.program, &inputs, &self.config_val, now)
            .map_err(|(index, e)| {
                let id = match &ids[index] {
                    Val::TStr(id) => String::from_utf8_lossy(id).into_owned(),
                    other => other.to_string(),
                };
                self.failure(
                    None,
                    FeedFailure::Malformed(format!("jq: {list}[{index}] {id}: {e}")),
                )
            })?;
        let mut entries = Vec::with_capacity(outputs.len());
        let mut kept = jaq_json::Map::default();
        for (id, output) in ids.into_iter().zip(outputs) {
            entries.push(output.text);
            kept.insert(id, output.state);
        }
        let mut next = jaq_json::Map::default();
        next.insert(Val::from(list.to_owned()), Val::obj(kept));
        Ok((entries, Val::obj(next)))
    }
}

/// The document of a program run per entry, `{as_of, <list>: [entries…]}`, its entries
/// already JSON text.
struct EntriesDocument<'a> {
    as_of: &'a str,
    list: &'a str,
    entries: &'a [Arc<RawValue>],
}

impl serde::Serialize for EntriesDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Entries<'e>(&'e [Arc<RawValue>]);
        impl serde::Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
                let mut seq = out.serialize_seq(Some(self.0.len()))?;
                for entry in self.0 {
                    seq.serialize_element(&**entry)?;
                }
                seq.end()
            }
        }
        let mut map = out.serialize_map(Some(2))?;
        map.serialize_entry("as_of", self.as_of)?;
        map.serialize_entry(self.list, &Entries(self.entries))?;
        map.end()
    }
}

/// Field `name` of a jaq object.
fn field<'v>(value: &'v Val, name: &str) -> Option<&'v Val> {
    match value {
        Val::Obj(fields) => fields.get(&Val::from(name.to_owned())),
        _ => None,
    }
}

/// The list a feed's document holds its entries in.
fn list_key(feed: FeedKind) -> &'static str {
    match feed {
        FeedKind::Marketplace => <Drop as FeedEntry>::LIST_KEY,
        FeedKind::Fulfilment => <Hub as FeedEntry>::LIST_KEY,
        FeedKind::Pos => <Popup as FeedEntry>::LIST_KEY,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use jaq_json::Val;
    use serde_json::{Value, json};

    use super::MappedSource;
    use crate::feed::adapters::entries::EntryMemo;
    use crate::feed::adapters::program::to_val;
    use crate::feed::events::PollOutcome;

    fn square_pos() -> MappedSource {
        let mapping = crate::feed::adapters::load("square-pos").expect("built in");
        let mut config = mapping.settings.clone();
        config.insert(
            "popups".to_owned(),
            json!([{"id": "soho-1", "name": "SoHo", "location_id": "L1",
                    "opens_at": "2026-12-05T10:00:00-05:00", "closes_at": "2026-12-05T20:00:00-05:00",
                    "drop_ids": ["hoodie-01"], "catalog_object_ids": ["W6"]}]),
        );
        MappedSource::new(Arc::new(mapping), Value::Object(config)).expect("config")
    }

    /// One poll's calls: the pop-up's devices, `orders` and stock, each one page.
    fn requests(source: &MappedSource, orders: &Value) -> Val {
        let item = source.list_vals("popups")[0].clone();
        let call = |page: Value| {
            let mut call = jaq_json::Map::default();
            call.insert(Val::from("item".to_owned()), item.clone());
            call.insert(
                Val::from("pages".to_owned()),
                [to_val(&page).expect("json")].into_iter().collect(),
            );
            [Val::obj(call)].into_iter().collect::<Val>()
        };
        let mut requests = jaq_json::Map::default();
        for (name, page) in [
            (
                "devices",
                json!({"devices": [{"id": "d1", "status": {"category": "AVAILABLE"},
                                            "attributes": {"name": "till", "updated_at": "2026-12-05T15:00:00Z"}}]}),
            ),
            ("orders", orders.clone()),
            (
                "stock",
                json!({"counts": [{"state": "IN_STOCK", "quantity": "40"}]}),
            ),
        ] {
            requests.insert(Val::from(name.to_owned()), call(page));
        }
        Val::obj(requests)
    }

    fn order(id: &str, state: &str, pickup: Option<&str>) -> Value {
        let mut order = json!({"id": id, "state": state, "created_at": "2026-12-05T15:00:00.000Z",
            "updated_at": "2026-12-05T15:10:00.250Z",
            "line_items": [{"quantity": "1"}], "total_money": {"amount": 6500, "currency": "USD"}});
        if let Some(pickup) = pickup {
            order["fulfillments"] = json!([{"type": "PICKUP", "state": pickup,
                "pickup_details": {"pickup_at": "2026-12-05T17:30:00.000Z"}}]);
        }
        order
    }

    /// The documents square-pos's memo gives, poll after poll, are the ones mapping every
    /// answer anew gives: the repeats rule keeps only what mapping again would give.
    #[test]
    fn square_pos_keeps_a_pop_up_only_when_mapping_it_again_would_give_the_same() {
        let source = square_pos();
        let now: DateTime<Utc> = "2026-12-05T15:10:05Z".parse().expect("time");
        let mut memo = EntryMemo::default();
        let mut state = Val::Null;
        let watermark = order("o2", "OPEN", Some("PREPARED"));
        for (orders, mapped) in [
            // Two sales: mapped.
            (
                json!({"orders": [order("o1", "COMPLETED", None), watermark]}),
                1,
            ),
            // The order at the watermark alone, unchanged: kept.
            (json!({"orders": [watermark]}), 0),
            (json!({"orders": [watermark]}), 0),
            // The same order collected within the watermark's millisecond: mapped.
            (
                json!({"orders": [order("o2", "COMPLETED", Some("COMPLETED"))]}),
                1,
            ),
        ] {
            let requests = requests(&source, &orders);
            let fresh = source.map(requests.clone(), now, &state).expect("maps");
            let kept = source
                .map_with(requests, now, &state, &mut memo)
                .expect("maps");
            assert_eq!(memo.mapped_last_poll, mapped, "{orders}");
            assert_eq!(kept.document.get(), fresh.document.get(), "{orders}");
            // Entries decoded one by one, some from the last poll's decoding, are the
            // document as the decoder reads it whole.
            let whole = crate::feed::client::decode_outcome(
                crate::feed::FeedKind::Pos,
                kept.document.get().as_bytes(),
            );
            match (&kept.outcome, &whole) {
                (PollOutcome::Popups(kept), PollOutcome::Popups(whole)) => {
                    assert_eq!(kept, whole, "{orders}");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(kept.state, fresh.state, "{orders}");
            state = kept.state;
        }
        let figures: Value = serde_json::from_str(
            source
                .map(requests(&source, &json!({})), now, &state)
                .expect("maps")
                .document
                .get(),
        )
        .expect("json");
        assert_eq!(
            figures["popups"][0]["sales"],
            json!({"transactions": 2, "units": 2, "revenue_minor": 13000})
        );
    }
}
