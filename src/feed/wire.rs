//! Wire types of feed protocol v1 (`shared/FEEDS.md`), used by the client to read and by the
//! simulator to serve.
//!
//! Decoding is tolerant in the ways the contract asks: unknown fields are ignored, an unknown
//! enum value is kept as the text it came as, and one entry of a list that cannot be decoded is
//! skipped and reported while the other entries are used (see [`decode_document`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::timestamp;

/// Declares a string enum of the protocol that keeps values it does not know as `Other(text)`,
/// so a newer server never turns into a decode failure.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(into = "String")]
        pub enum $name {
            $(#[doc = concat!("`", $text, "` on the wire.")] $variant,)+
            /// A value this client does not know, shown as it came.
            Other(String),
        }

        impl $name {
            /// The protocol's text for this value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => Self::$variant,)+
                    _ => Self::Other(text),
                }
            }
        }

        // By hand rather than `from = "String"`: a known value is matched in the document's
        // text without allocating a `String` for it (a hubs document has tens of thousands).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(reader: D) -> Result<Self, D::Error> {
                struct Text;
                impl serde::de::Visitor<'_> for Text {
                    type Value = $name;
                    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                        // `String`'s wording, so a decode error reads as it did.
                        formatter.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok(match text {
                            $($text => $name::$variant,)+
                            _ => $name::Other(text.to_owned()),
                        })
                    }
                    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                reader.deserialize_string(Text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }

        /// Readable words for the screen (`sold out`, `needs attention`); JSON and the
        /// protocol keep [`Self::as_str`]'s text.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for (i, word) in self.as_str().split('_').enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(word)?;
                }
                Ok(())
            }
        }
    };
}

open_enum!(
    /// Where a drop is in its life.
    DropState {
        Scheduled => "scheduled",
        Live => "live",
        Paused => "paused",
        Ended => "ended",
        SoldOut => "sold_out",
    }
);

open_enum!(
    /// The last fulfilment stage an overdue order reached.
    OrderStage {
        Received => "received",
        Picked => "picked",
        Packed => "packed",
        AwaitingCarrier => "awaiting_carrier",
    }
);

open_enum!(
    /// Health of a pop-up's point-of-sale terminal.
    TerminalStatus {
        Online => "online",
        Offline => "offline",
        NeedsAttention => "needs_attention",
    }
);

// ---------------------------------------------------------------------------------------------
// Marketplace: GET /v1/drops
// ---------------------------------------------------------------------------------------------

/// A micro-drop: one SKU on sale for a short window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drop {
    /// Unique id of the drop within the marketplace.
    pub id: String,
    /// Display title (optional on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Stock-keeping unit (optional on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Where the drop is in its life.
    pub state: DropState,
    /// Start of the sale window.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub opens_at: DateTime<Utc>,
    /// End of the sale window.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub closes_at: DateTime<Utc>,
    /// ISO 4217 code of every `*_minor` amount of this drop.
    pub currency: String,
    /// Units allocated to the drop and sold so far.
    pub stock: DropStock,
    /// Every price the drop can be sold at.
    pub price_bands: Vec<PriceBand>,
    /// Id of the band currently charged.
    pub active_band: String,
    /// Minimum margin, in percent, a band must have to be activated.
    pub margin_floor_pct: f64,
    /// Sessions active in the last 5 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitors_now: Option<u64>,
    /// Cumulative funnel counters over the whole drop.
    pub funnel: Funnel,
    /// The same counters per price band id (optional on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funnel_by_band: Option<BTreeMap<String, Funnel>>,
    /// Downstream counters that keep moving after close (optional on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_sale: Option<AfterSale>,
    /// Why the feed cannot count sessions, so `funnel.sessions` is 0 and conversion has no
    /// figure (FEEDS v1's 0 sessions) — e.g. a Shopify token without the `read_reports` scope.
    /// A dropday extension of FEEDS v1 that mapped sources send; other clients ignore it as any
    /// unknown field, and the room shows it where the conversion would be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_unavailable: Option<String>,
}

/// A drop's downstream counters, cumulative, still moving after the drop closes: return rate
/// is `returned_units / funnel.units`, repeat-buyer rate `repeat_buyers / buyers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSale {
    /// Units sent back so far.
    pub returned_units: u64,
    /// Distinct buyers of the drop.
    pub buyers: u64,
    /// Buyers of the drop who bought again since.
    pub repeat_buyers: u64,
}

/// Units allocated to a drop and units sold so far (cumulative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropStock {
    /// Units set aside for the drop.
    pub allocated: u64,
    /// Units sold so far (cumulative).
    pub sold: u64,
}

/// One price a drop can be sold at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBand {
    /// Band id (`A`, `B`, …), unique within the drop.
    pub id: String,
    /// Human name of the band (`launch`, `premium`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Price charged per unit, in minor units of the drop's currency.
    pub price_minor: i64,
    /// What one unit costs the seller, in minor units; the margin is taken against it.
    pub unit_cost_minor: i64,
}

/// Cumulative funnel counters of a drop (or of one band of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    /// Storefront sessions that saw the drop.
    pub sessions: u64,
    /// Sessions that put the drop in a cart.
    pub carts: u64,
    /// Orders placed.
    pub orders: u64,
    /// Units in those orders.
    pub units: u64,
    /// Revenue of those orders, in minor units.
    pub revenue_minor: i64,
}

// ---------------------------------------------------------------------------------------------
// Fulfilment: GET /v1/hubs
// ---------------------------------------------------------------------------------------------

/// A fulfilment hub with capacity pre-contracted for a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hub {
    /// Unique id of the hub.
    pub id: String,
    /// Display name of the hub.
    pub name: String,
    /// Drops whose orders the hub fulfils.
    #[serde(default)]
    pub drop_ids: Vec<String>,
    /// The contracted allocation for the window.
    pub capacity: Capacity,
    /// Orders through each fulfilment stage.
    pub pipeline: Pipeline,
    /// Shipping service level and its counts.
    pub sla: Sla,
    /// Orders not shipped and past due, most overdue first; a server may cut this list.
    #[serde(default)]
    pub overdue: Vec<OverdueOrder>,
}

/// The pre-contracted allocation of a hub for its window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// Units paid for in advance; beyond them each unit costs `overage_cost_minor`.
    pub contracted_units: u64,
    /// Units accepted in the window (cumulative).
    pub consumed_units: u64,
    /// Units the seller pays for at `window_end` even when unused.
    pub min_commit_units: u64,
    /// Start of the contracted window.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub window_start: DateTime<Utc>,
    /// End of the contracted window; the minimum commitment is settled then.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub window_end: DateTime<Utc>,
    /// ISO 4217 code of the capacity prices.
    pub currency: String,
    /// Cost of each unit beyond `contracted_units`.
    pub overage_cost_minor: i64,
    /// Penalty for each unit short of `min_commit_units` at `window_end`.
    pub unused_penalty_minor: i64,
}

/// Cumulative counts of orders through each fulfilment stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// Orders the hub received (cumulative).
    pub received: u64,
    /// Orders picked (cumulative).
    pub picked: u64,
    /// Orders packed (cumulative).
    pub packed: u64,
    /// Orders shipped (cumulative).
    pub shipped: u64,
}

/// Shipping service level of a hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    /// Minutes from order to shipment the hub promises.
    pub ship_within_min: u64,
    /// Share of orders, in percent, that must ship on time.
    pub target_pct: f64,
    /// Shipped orders, shipped by their due time.
    pub on_time: u64,
    /// Shipped orders, shipped after their due time.
    pub late: u64,
    /// Orders not shipped and past due; they count as late.
    pub overdue_open: u64,
}

/// An order that is past its due time and not shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueOrder {
    /// The marketplace's order id.
    pub order_id: String,
    /// The drop the order belongs to.
    pub drop_id: String,
    /// When the customer placed the order.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub placed_at: DateTime<Utc>,
    /// When the order had to ship by.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub due_at: DateTime<Utc>,
    /// The last stage the order reached.
    pub stage: OrderStage,
    /// Free text: `carrier_no_show`, `short_pick`, `address_hold`, …
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Pop-up point of sale: GET /v1/popups
// ---------------------------------------------------------------------------------------------

/// A physical pop-up shop selling drops in person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Popup {
    /// Unique id of the pop-up.
    pub id: String,
    /// Display name of the pop-up.
    pub name: String,
    /// Drops the pop-up sells.
    #[serde(default)]
    pub drop_ids: Vec<String>,
    /// When the pop-up opens its doors.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub opens_at: DateTime<Utc>,
    /// When the pop-up closes.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub closes_at: DateTime<Utc>,
    /// ISO 4217 code of the pop-up's amounts.
    pub currency: String,
    /// Point-of-sale terminals of the pop-up.
    #[serde(default)]
    pub terminals: Vec<Terminal>,
    /// In-person sales so far.
    pub sales: PopupSales,
    /// Stock physically at the pop-up.
    pub stock: PopupStock,
    /// Online orders collected at the pop-up.
    pub pickups: Pickups,
}

/// A point-of-sale terminal at a pop-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    /// Terminal id, unique within the pop-up.
    pub id: String,
    /// What the staff call it (`front till`, `pickup desk`).
    pub name: String,
    /// Whether it can take payments.
    pub status: TerminalStatus,
    /// When the terminal was last heard from.
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub last_seen: DateTime<Utc>,
    /// Battery charge in percent, when the terminal reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub battery_pct: Option<u8>,
}

/// Cumulative in-person sales of a pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopupSales {
    /// Payments taken (cumulative).
    pub transactions: u64,
    /// Units sold (cumulative).
    pub units: u64,
    /// Revenue taken, in minor units.
    pub revenue_minor: i64,
}

/// Stock physically at the pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopupStock {
    /// Units on hand now.
    pub on_hand: u64,
}

/// Online orders collected at the pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pickups {
    /// Orders ready for collection.
    pub ready: u64,
    /// Orders collected (cumulative).
    pub collected: u64,
    /// Orders waiting past their pick-up time.
    pub overdue: u64,
}

// ---------------------------------------------------------------------------------------------
// Documents, control bodies and errors
// ---------------------------------------------------------------------------------------------

/// A list entry of a feed document: a drop, a hub or a pop-up.
pub trait FeedEntry: DeserializeOwned + Serialize {
    /// The key of the list in the document (`drops`, `hubs`, `popups`).
    const LIST_KEY: &'static str;
    /// The entry's id.
    fn id(&self) -> &str;
}

impl FeedEntry for Drop {
    const LIST_KEY: &'static str = "drops";
    fn id(&self) -> &str {
        &self.id
    }
}

impl FeedEntry for Hub {
    const LIST_KEY: &'static str = "hubs";
    fn id(&self) -> &str {
        &self.id
    }
}

impl FeedEntry for Popup {
    const LIST_KEY: &'static str = "popups";
    fn id(&self) -> &str {
        &self.id
    }
}

/// A decoded feed document: the server's clock and the entries that decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<T> {
    /// The server's clock when it made the document.
    pub as_of: DateTime<Utc>,
    /// The entries of the document's list that decoded, in document order.
    pub entries: Vec<T>,
    /// Entries that could not be decoded; the others are in `entries`.
    pub skipped: Vec<SkippedEntry>,
}

/// A list entry that was skipped because it could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedEntry {
    /// Position in the document's list.
    pub index: usize,
    /// The entry's `id`, when it had a readable one.
    pub id: Option<String>,
    /// What was wrong with it.
    pub reason: String,
}

/// Why a whole document could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The body is not JSON at all.
    #[error("body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("body is not a JSON object")]
    NotAnObject,
    /// `as_of` is missing or not an RFC 3339 time.
    #[error("missing or unreadable `as_of`: {0}")]
    AsOf(String),
    /// The entry list is missing or not a list.
    #[error("missing or non-list `{0}`")]
    List(&'static str),
}

/// Decodes a feed document, keeping every entry that decodes and reporting the others.
///
/// Each entry is kept as raw JSON text first and decoded into its type on its own, so one bad
/// entry costs only itself, without building a generic JSON tree of the whole document (a hubs
/// document can hold tens of thousands of overdue orders). A well-formed document is read in one
/// pass that finds `as_of` and the entries ([`outline`]); anything else goes through the
/// step-by-step reading ([`outline_or_error`]), which says what is wrong with it.
///
/// # Errors
/// When the body is not a JSON object with an RFC 3339 `as_of` and a list under
/// [`FeedEntry::LIST_KEY`].
pub fn decode_document<T: FeedEntry>(body: &[u8]) -> Result<Document<T>, DocumentError> {
    let text = std::str::from_utf8(body).map_err(|e| DocumentError::NotJson(e.to_string()))?;
    let (as_of, items) = match outline(text, T::LIST_KEY) {
        Some(found) => found,
        None => outline_or_error(text, T::LIST_KEY)?,
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut skipped = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match decode_entry(index, item) {
            Ok(entry) => entries.push(entry),
            Err(skip) => skipped.push(skip),
        }
    }
    Ok(Document {
        as_of,
        entries,
        skipped,
    })
}

/// Entry `index` of a document's list, as [`decode_document`] reads each one: the entry, or why
/// it is skipped.
///
/// # Errors
/// The entry does not decode: its index, its id when readable, and why.
pub fn decode_entry<T: FeedEntry>(index: usize, item: &RawValue) -> Result<T, SkippedEntry> {
    serde_json::from_str::<T>(item.get()).map_err(|e| SkippedEntry {
        index,
        id: entry_id(item),
        reason: e.to_string(),
    })
}

/// `as_of` and the raw entries of a document that is exactly what the contract describes: a
/// JSON object (valid to its end) with one `as_of` that reads as a timestamp and one `list_key`
/// holding an array. `None` for anything else — including documents that are still usable, such
/// as one with a repeated key — which [`outline_or_error`] then reads as it always has, so this
/// shortcut changes no outcome and no error text, only how often the body is scanned (once
/// instead of three times).
fn outline<'a>(text: &'a str, list_key: &str) -> Option<(DateTime<Utc>, Vec<&'a RawValue>)> {
    #[derive(Deserialize)]
    struct AsOf(#[serde(deserialize_with = "timestamp::deserialize")] DateTime<Utc>);
    let mut reader = serde_json::Deserializer::from_str(text);
    let Outline { as_of, items } =
        serde::de::DeserializeSeed::deserialize(OutlineSeed { list_key }, &mut reader).ok()??;
    reader.end().ok()?;
    let AsOf(as_of) = serde_json::from_str(as_of.get()).ok()?;
    Some((as_of, items))
}

/// The two parts of a document the client reads, still raw.
struct Outline<'a> {
    as_of: &'a RawValue,
    items: Vec<&'a RawValue>,
}

/// Reads the top-level object of a document, keeping `as_of` and the entries of `list_key`
/// and skipping every other value; `None` when either is missing or repeated.
struct OutlineSeed<'k> {
    list_key: &'k str,
}

impl<'de> serde::de::DeserializeSeed<'de> for OutlineSeed<'_> {
    type Value = Option<Outline<'de>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, reader: D) -> Result<Self::Value, D::Error> {
        reader.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for OutlineSeed<'_> {
    type Value = Option<Outline<'de>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a feed document")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut as_of, mut items, mut repeated) = (None, None, false);
        while let Some(key) = map.next_key::<&'de str>()? {
            if key == "as_of" {
                repeated |= as_of.replace(map.next_value::<&'de RawValue>()?).is_some();
            } else if key == self.list_key {
                repeated |= items
                    .replace(map.next_value::<Vec<&'de RawValue>>()?)
                    .is_some();
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(match (as_of, items, repeated) {
            (Some(as_of), Some(items), false) => Some(Outline { as_of, items }),
            _ => None,
        })
    }
}

/// `as_of` and the raw entries of a document, read step by step: the whole body, its fields,
/// `as_of`, the list. The first step that fails is the error.
fn outline_or_error<'a>(
    text: &'a str,
    list_key: &'static str,
) -> Result<(DateTime<Utc>, Vec<&'a RawValue>), DocumentError> {
    let whole: &RawValue =
        serde_json::from_str(text).map_err(|e| DocumentError::NotJson(e.to_string()))?;
    if !whole.get().starts_with('{') {
        return Err(DocumentError::NotAnObject);
    }
    let fields: HashMap<&str, &RawValue> =
        serde_json::from_str(whole.get()).map_err(|e| DocumentError::NotJson(e.to_string()))?;
    let as_of = match fields.get("as_of") {
        Some(raw) => serde_json::from_str::<DateTime<Utc>>(raw.get())
            .map_err(|e| DocumentError::AsOf(e.to_string()))?,
        None => return Err(DocumentError::AsOf("absent".to_owned())),
    };
    let items: Vec<&RawValue> = fields
        .get(list_key)
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .ok_or(DocumentError::List(list_key))?;
    Ok((as_of, items))
}

/// The `id` of an entry that did not decode, when it has a readable one.
fn entry_id(item: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<serde_json::Value>,
    }
    let IdOnly { id } = serde_json::from_str(item.get()).ok()?;
    match id? {
        serde_json::Value::String(id) => Some(id),
        _ => None,
    }
}

/// The body a server sends for a document (`{"as_of": …, "<list>": […]}`).
#[must_use]
pub fn encode_document<T: FeedEntry>(as_of: DateTime<Utc>, entries: &[T]) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert(
        "as_of".to_owned(),
        serde_json::Value::String(as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    object.insert(
        T::LIST_KEY.to_owned(),
        serde_json::to_value(entries).unwrap_or(serde_json::Value::Array(Vec::new())),
    );
    serde_json::Value::Object(object)
}

/// Body of `POST /v1/drops/{id}/price-band`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandChange {
    /// Id of the band to make active.
    pub band: String,
}

/// Body of every 4xx/5xx answer: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What was refused and why.
    pub error: ErrorDetail,
}

/// The machine code and the human message of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine-readable code (`invalid_state`, `below_margin_floor`, …).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// The control-request header that makes a retry safe.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Paths of the protocol, appended to a feed's base URL.
pub mod paths {
    /// The marketplace's document of drops.
    pub const DROPS: &str = "/v1/drops";
    /// The fulfilment feed's document of hubs.
    pub const HUBS: &str = "/v1/hubs";
    /// The point of sale's document of pop-ups.
    pub const POPUPS: &str = "/v1/popups";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_read_as_words_on_screen_and_stay_as_sent_in_json() {
        assert_eq!(DropState::SoldOut.to_string(), "sold out");
        assert_eq!(
            TerminalStatus::NeedsAttention.to_string(),
            "needs attention"
        );
        assert_eq!(OrderStage::AwaitingCarrier.to_string(), "awaiting carrier");
        assert_eq!(DropState::Other("on_hold".into()).to_string(), "on hold");
        assert_eq!(
            serde_json::to_string(&DropState::SoldOut).expect("json"),
            "\"sold_out\""
        );
    }
    use proptest::prelude::*;

    const HUBS: &str = include_str!("../../tests/fixtures/feeds_md_hubs.json");

    /// What the one-pass reading found, as comparable text.
    fn one_pass(text: &str, key: &str) -> Option<(DateTime<Utc>, Vec<String>)> {
        outline(text, key)
            .map(|(at, items)| (at, items.iter().map(|i| i.get().to_owned()).collect()))
    }

    /// What the step-by-step reading found (the reading used before the one-pass one).
    fn step_by_step(
        text: &str,
        key: &'static str,
    ) -> Result<(DateTime<Utc>, Vec<String>), DocumentError> {
        outline_or_error(text, key)
            .map(|(at, items)| (at, items.iter().map(|i| i.get().to_owned()).collect()))
    }

    #[test]
    fn one_pass_reading_takes_only_documents_the_step_by_step_reading_takes_alike() {
        let cases = [
            (HUBS, true),
            (r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": []}"#, true),
            (
                r#" {"hubs": [1, {"x": [2]}], "extra": {"a": [1, "s"]}, "as_of": "2026-11-27T19:00:00+01:00"} "#,
                true,
            ),
            // Usable, but left to the step-by-step reading: a repeated key (the last one counts).
            (
                r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": [1], "hubs": [2, 3]}"#,
                false,
            ),
            (
                r#"{"as_of": "x", "as_of": "2026-11-27T18:00:00Z", "hubs": []}"#,
                false,
            ),
            // And the ones that fail, each with its own error.
            (r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": []} x"#, false),
            (r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": [}"#, false),
            (r#"[{"as_of": "2026-11-27T18:00:00Z", "hubs": []}]"#, false),
            (r#""text""#, false),
            (r#"{"hubs": []}"#, false),
            (r#"{"as_of": "yesterday", "hubs": []}"#, false),
            (r#"{"as_of": 5, "hubs": []}"#, false),
            (r#"{"as_of": "2026-11-27T18:00:00Z"}"#, false),
            (
                r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": {"a": 1}}"#,
                false,
            ),
            (
                r#"{"as_of": "2026-11-27T18:00:00Z", "hu\u0062s": []}"#,
                false,
            ),
            (
                r#"{"as_of": "2026-11-27T18:00:00Z", "hubs": ["\u00"]}"#,
                false,
            ),
        ];
        for (text, direct) in cases {
            let fast = one_pass(text, "hubs");
            assert_eq!(fast.is_some(), direct, "{text}");
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), step_by_step(text, "hubs"), "{text}");
            }
            // The document decodes (or fails) as the step-by-step reading says.
            let decoded = decode_document::<Hub>(text.as_bytes()).map(|d| d.as_of);
            assert_eq!(
                decoded,
                step_by_step(text, "hubs").map(|(at, _)| at),
                "{text}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Bytes of the FEEDS.md hubs example changed here and there: whenever the one-pass
        /// reading takes the text, it finds what the step-by-step reading finds.
        #[test]
        fn one_pass_reading_agrees_with_step_by_step_reading(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0_u8..3), 0..6)
        ) {
            let mut bytes = HUBS.as_bytes().to_vec();
            for (position, byte, op) in edits {
                let at = position % bytes.len().max(1);
                match op {
                    0 if !bytes.is_empty() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if !bytes.is_empty() => { bytes.remove(at); }
                    _ => {}
                }
            }
            if let Ok(text) = std::str::from_utf8(&bytes)
                && let Some(fast) = one_pass(text, "hubs")
            {
                prop_assert_eq!(Ok(fast), step_by_step(text, "hubs"));
            }
        }
    }
}
