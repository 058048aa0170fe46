//! One poll of a mapped feed: every named request (per list entry, page after page), within
//! the platform's rate limits, then the program, then the tolerant decoder.
//!
//! A failure anywhere fails the whole poll with a [`FeedFailure::Mapping`] naming the request;
//! the state is kept as it was, so the next poll asks again from the same watermark, and the
//! panel keeps its last good data like any failing feed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jaq_json::Val;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use tokio::time::Instant;

use super::entries::EntryMemo;
use super::mapping::Request;
use super::pages::PageCache;
use super::source::MappedSource;
use super::template::{Scope, fill_json, fill_text};
use crate::feed::FeedFailure;
use crate::feed::client::{FeedEndpoint, classify, read_limited};
use crate::feed::events::{PollOutcome, PollReport, RawAnswer};

/// Polls a mapped feed, keeping the mapping's state between polls.
#[derive(Debug)]
pub struct MappedClient {
    http: reqwest::Client,
    endpoint: FeedEndpoint,
    source: Arc<MappedSource>,
    /// The program's state as jaq keeps it (cloning it shares it); the requests of a poll read
    /// it for `{state…}` without copying it.
    state: Val,
    budget: MinuteBudget,
    cost: CostBucket,
    /// Each page's last answer, parsed once while its bytes stay the same.
    pages: PageCache,
    /// Each entry's last mapping, when the program runs per entry.
    memo: EntryMemo,
}

impl MappedClient {
    /// A client for `endpoint`, read through `source`.
    #[must_use]
    pub fn new(http: reqwest::Client, endpoint: FeedEndpoint, source: Arc<MappedSource>) -> Self {
        let budget = MinuteBudget::new(source.mapping.throttle.per_minute);
        MappedClient {
            http,
            endpoint,
            source,
            state: Val::Null,
            budget,
            cost: CostBucket::default(),
            pages: PageCache::default(),
            memo: EntryMemo::default(),
        }
    }

    /// The endpoint this client polls.
    #[must_use]
    pub fn endpoint(&self) -> &FeedEndpoint {
        &self.endpoint
    }

    /// The mapping's state after the last good poll, as JSON.
    #[must_use]
    pub fn state(&self) -> Value {
        super::program::to_json(&self.state).unwrap_or(Value::Null)
    }

    /// The work of the last poll: pages read anew (the rest had the same bytes as before) and
    /// entries mapped (the rest were kept; always 0 for a program run once per poll).
    #[must_use]
    pub fn last_poll_work(&self) -> (usize, usize) {
        (self.pages.parsed_last_poll, self.memo.mapped_last_poll)
    }

    /// Polls once. Never fails: a failure is a [`PollOutcome::Failed`].
    pub async fn poll(&mut self) -> PollReport {
        self.poll_at(None).await
    }

    /// [`Self::poll`], with the mapped document as the body a recording keeps: a recording
    /// holds what the room read, never the platform's answers (customer data stays out).
    pub async fn poll_with_body(&mut self) -> (PollReport, Option<RawAnswer>) {
        self.poll_with_body_at(None).await
    }

    /// Polls once with the program's `now` fixed (tests; `None`: the local clock when the
    /// answers are in).
    pub async fn poll_at(&mut self, now: Option<DateTime<Utc>>) -> PollReport {
        self.poll_with_body_at(now).await.0
    }

    /// [`Self::poll_at`], with the mapped document when the mapping gave one.
    async fn poll_with_body_at(
        &mut self,
        now: Option<DateTime<Utc>>,
    ) -> (PollReport, Option<RawAnswer>) {
        let sent_at = Utc::now();
        let (outcome, raw) = match self.fetch_all().await {
            Ok(requests) => {
                match self.source.map_with(
                    requests,
                    now.unwrap_or_else(Utc::now),
                    &self.state,
                    &mut self.memo,
                ) {
                    Ok(mapped) => {
                        self.state = mapped.state;
                        let raw = RawAnswer {
                            status: 200,
                            body: mapped.document.get().as_bytes().to_vec(),
                        };
                        (mapped.outcome, Some(raw))
                    }
                    Err(failure) => (PollOutcome::Failed(failure), None),
                }
            }
            Err(failure) => (PollOutcome::Failed(failure), None),
        };
        let report = PollReport {
            feed: self.endpoint.kind,
            sent_at,
            received_at: Utc::now(),
            outcome,
        };
        (report, raw)
    }

    /// The answers of every request: name → `[{item, pages: [answer…]}]`.
    async fn fetch_all(&mut self) -> Result<Val, FeedFailure> {
        let source = Arc::clone(&self.source);
        let mut requests = jaq_json::Map::default();
        self.pages.start_poll();
        for (request_index, request) in source.mapping.requests.iter().enumerate() {
            let name = request.spec.name.as_str();
            // Each entry of the list, as JSON for the requests' `{item…}` and as the jaq value
            // built once with the source (not converted again on every poll).
            let (items, item_vals): (&[Value], &[Val]) = match &request.spec.for_each {
                Some(list) => (
                    source
                        .config
                        .get(list)
                        .and_then(Value::as_array)
                        .map_or(&[], Vec::as_slice),
                    source.list_vals(list),
                ),
                None => (&[Value::Null], &[Val::Null]),
            };
            let mut calls = Vec::with_capacity(items.len());
            for (item_index, (item, item_val)) in items.iter().zip(item_vals).enumerate() {
                let pages = self
                    .fetch_pages(request, item, (request_index, item_index))
                    .await
                    .map_err(|cause| source.failure(Some(name), cause))?;
                calls.push(
                    self.pages
                        .call((request_index, item_index), item_val, pages),
                );
            }
            requests.insert(Val::from(name.to_owned()), calls.into_iter().collect());
        }
        Ok(Val::obj(requests))
    }

    async fn fetch_pages(
        &mut self,
        request: &Request,
        item: &Value,
        (request_index, item_index): (usize, usize),
    ) -> Result<Vec<Val>, FeedFailure> {
        // What the program kept about this entry last time (its watermark, say).
        let kept = match (
            &request.spec.for_each,
            item.get("id").and_then(Value::as_str),
        ) {
            (Some(list), Some(id)) => field(&self.state, list).and_then(|l| field(l, id)).cloned(),
            _ => None,
        }
        .unwrap_or(Val::Null);
        let state = self.state.clone();
        let config = Arc::clone(&self.source);
        let scope = Scope::of(&config.config)
            .with("item", item)
            .with_val("state", &state)
            .with_val("item_state", &kept);
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let bytes = self.send(request, &scope, cursor.as_deref()).await?;
            let (answer, next) = self.pages.read(
                (request_index, item_index, pages.len()),
                bytes,
                |bytes| {
                    match &request.keep {
                        Some(keep) => keep.read(bytes),
                        None => serde_json::from_slice::<Val>(bytes),
                    }
                    .map_err(|e| {
                        FeedFailure::Malformed(format!(
                            "answer is not JSON ({e}){}",
                            excerpt(bytes)
                        ))
                    })
                },
                |answer| match &request.next_cursor {
                    Some(program) => program
                        .run(answer.clone())
                        .map_err(|e| FeedFailure::Malformed(format!("pages.next: {e}"))),
                    None => Ok(Val::Null),
                },
            )?;
            if self.source.mapping.throttle.graphql_cost {
                self.cost.observe(&answer);
            }
            pages.push(answer);
            let next = match next {
                Val::Null | Val::Bool(false) => None,
                // Page-numbered APIs (ShipBob's `Page`): `true` asks for the next number.
                Val::Bool(true) => Some((pages.len() + 1).to_string()),
                other => {
                    let text = other.to_string();
                    Some(serde_json::from_str::<String>(&text).unwrap_or(text))
                }
            };
            let limit = request.spec.pages.as_ref().map_or(1, |p| p.max_pages) as usize;
            match next {
                Some(next) if pages.len() < limit && cursor.as_deref() != Some(next.as_str()) => {
                    cursor = Some(next);
                }
                Some(_) if pages.len() >= limit => {
                    return Err(FeedFailure::Malformed(format!(
                        "still more pages after {limit} (pages.max_pages)"
                    )));
                }
                _ => return Ok(pages),
            }
        }
    }

    /// One HTTP request, after waiting for the platform's budget.
    async fn send(
        &mut self,
        request: &Request,
        scope: &Scope<'_>,
        cursor: Option<&str>,
    ) -> Result<Vec<u8>, FeedFailure> {
        let spec = &request.spec;
        let bad = |e: String| FeedFailure::Malformed(e);
        let path = fill_text(&spec.path, scope).map_err(bad)?;
        let mut query: Vec<(String, String)> = spec
            .query
            .iter()
            .map(|(k, v)| Ok((k.clone(), fill_text(v, scope)?)))
            .collect::<Result<_, String>>()
            .map_err(bad)?;
        let mut body = request
            .body
            .as_ref()
            .map(|b| fill_json(b, scope))
            .transpose()
            .map_err(bad)?;
        if let (Some(cursor), Some(pages)) = (cursor, &spec.pages) {
            if let Some(name) = pages.send_as.strip_prefix("query.") {
                query.retain(|(key, _)| key != name);
                query.push((name.to_owned(), cursor.to_owned()));
            } else if let Some(path) = pages.send_as.strip_prefix("body.") {
                set_path(
                    body.get_or_insert_with(|| Value::Object(serde_json::Map::new())),
                    path,
                    cursor,
                );
            }
        }
        let url = self.endpoint.url(&path);
        let mut builder = match spec.method.as_str() {
            "POST" => self.http.post(&url),
            _ => self.http.get(&url),
        }
        .timeout(self.endpoint.timeout)
        .query(&query);
        // The token goes only into headers, and only into those that ask for it.
        let token = self
            .endpoint
            .token
            .as_ref()
            .map(|token| Value::String(token.expose().to_owned()));
        let header_scope = match &token {
            Some(token) => scope.with("token", token),
            None => *scope,
        };
        for (name, value) in &spec.headers {
            let value = fill_text(value, &header_scope).map_err(bad)?;
            let name = HeaderName::try_from(name.as_str())
                .map_err(|e| bad(format!("header {name}: {e}")))?;
            let value =
                HeaderValue::try_from(value).map_err(|e| bad(format!("header {name}: {e}")))?;
            builder = builder.header(name, value);
        }
        if let Some(body) = &body {
            let bytes = serde_json::to_vec(body).map_err(|e| bad(e.to_string()))?;
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes);
        }
        self.wait_for_budget().await;
        let response = builder
            .send()
            .await
            .map_err(|e| classify(&e, self.endpoint.timeout))?;
        let status = response.status();
        let answer =
            read_limited(response, self.endpoint.body_limit, self.endpoint.timeout).await?;
        if !status.is_success() {
            return Err(answer.into_status_failure(status));
        }
        Ok(answer.bytes)
    }

    /// Waits while the per-minute budget is spent or the GraphQL bucket is too low for the
    /// next query; never longer than `max_retry_after`.
    async fn wait_for_budget(&mut self) {
        let now = Instant::now();
        let wait = self
            .budget
            .wait(now)
            .max(self.cost.wait(now))
            .min(self.endpoint.max_retry_after);
        if !wait.is_zero() {
            log::info!(
                "{} feed: waiting {} ms for the platform's rate limit",
                self.endpoint.kind,
                wait.as_millis()
            );
            tokio::time::sleep(wait).await;
        }
        self.budget.spend(Instant::now());
    }
}

/// Field `name` of a jaq object.
fn field<'v>(value: &'v Val, name: &str) -> Option<&'v Val> {
    match value {
        Val::Obj(fields) => fields.get(&Val::from(name.to_owned())),
        _ => None,
    }
}

fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let title = text
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title.trim().to_owned());
    match title {
        Some(title) => format!(": an HTML page \"{title}\""),
        None => String::new(),
    }
}

fn set_path(body: &mut Value, path: &str, cursor: &str) {
    let mut at = body;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !at.is_object() {
            *at = Value::Object(serde_json::Map::new());
        }
        let Value::Object(fields) = at else { return };
        if i + 1 == parts.len() {
            fields.insert((*part).to_owned(), Value::String(cursor.to_owned()));
            return;
        }
        at = fields
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
}

/// A rolling minute of requests, for platforms that give a per-minute budget (ShipBob).
#[derive(Debug)]
pub struct MinuteBudget {
    per_minute: Option<u32>,
    sent: VecDeque<Instant>,
}

impl MinuteBudget {
    /// A budget of `per_minute` requests (none: unlimited).
    #[must_use]
    pub fn new(per_minute: Option<u32>) -> Self {
        MinuteBudget {
            per_minute,
            sent: VecDeque::new(),
        }
    }

    /// How long to wait at `now` before the next request stays within the budget.
    #[must_use]
    pub fn wait(&mut self, now: Instant) -> Duration {
        let Some(limit) = self.per_minute else {
            return Duration::ZERO;
        };
        while self
            .sent
            .front()
            .is_some_and(|&at| now.duration_since(at) >= Duration::from_secs(60))
        {
            self.sent.pop_front();
        }
        if self.sent.len() < limit as usize {
            return Duration::ZERO;
        }
        self.sent.front().map_or(Duration::ZERO, |&oldest| {
            (oldest + Duration::from_secs(60)).saturating_duration_since(now)
        })
    }

    /// Counts a request sent at `now`.
    pub fn spend(&mut self, now: Instant) {
        if self.per_minute.is_some() {
            self.sent.push_back(now);
        }
    }
}

/// Shopify's GraphQL leaky bucket as the last answer described it
/// (`extensions.cost.throttleStatus`): points available then, the refill rate, and what the
/// last query asked for (the next one is assumed to cost as much).
#[derive(Debug, Default)]
pub struct CostBucket {
    seen: Option<(Instant, f64, f64, f64)>,
}

impl CostBucket {
    /// Reads `extensions.cost` of an answer, when it has one.
    pub fn observe(&mut self, answer: &Val) {
        let text = answer.to_string();
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        let cost = &value["extensions"]["cost"];
        let status = &cost["throttleStatus"];
        if let (Some(available), Some(restore), Some(requested)) = (
            status["currentlyAvailable"].as_f64(),
            status["restoreRate"].as_f64(),
            cost["requestedQueryCost"].as_f64(),
        ) {
            self.seen = Some((Instant::now(), available, restore, requested));
        }
    }

    /// How long to wait at `now` so the bucket holds enough for the next query.
    #[must_use]
    pub fn wait(&self, now: Instant) -> Duration {
        let Some((at, available, restore, requested)) = self.seen else {
            return Duration::ZERO;
        };
        if restore <= 0.0 {
            return Duration::ZERO;
        }
        let refilled = available + restore * now.duration_since(at).as_secs_f64();
        if refilled >= requested {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((requested - refilled) / restore)
        }
    }

    #[cfg(test)]
    fn set(&mut self, at: Instant, available: f64, restore: f64, requested: f64) {
        self.seen = Some((at, available, restore, requested));
    }
}

#[cfg(test)]
mod tests {
    use super::{CostBucket, MinuteBudget, set_path};
    use serde_json::json;
    use std::time::Duration;
    use tokio::time::Instant;

    #[test]
    fn the_minute_budget_waits_for_the_oldest_request_to_age_out() {
        let start = Instant::now();
        let mut budget = MinuteBudget::new(Some(2));
        assert_eq!(budget.wait(start), Duration::ZERO);
        budget.spend(start);
        budget.spend(start + Duration::from_secs(10));
        assert_eq!(
            budget.wait(start + Duration::from_secs(20)),
            Duration::from_secs(40)
        );
        assert_eq!(budget.wait(start + Duration::from_secs(60)), Duration::ZERO);
        let mut unlimited = MinuteBudget::new(None);
        unlimited.spend(start);
        assert_eq!(unlimited.wait(start), Duration::ZERO);
    }

    #[test]
    fn the_graphql_bucket_waits_for_enough_points() {
        let start = Instant::now();
        let mut bucket = CostBucket::default();
        assert_eq!(bucket.wait(start), Duration::ZERO);
        // 10 points left, 50 a second back, the query asks for 110: 2 s to refill.
        bucket.set(start, 10.0, 50.0, 110.0);
        assert_eq!(bucket.wait(start), Duration::from_secs(2));
        assert_eq!(
            bucket.wait(start + Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        assert_eq!(bucket.wait(start + Duration::from_secs(3)), Duration::ZERO);
    }

    #[test]
    fn graphql_costs_are_read_from_the_answer() {
        let answer = json!({"data": {}, "extensions": {"cost": {"requestedQueryCost": 60, "actualQueryCost": 12,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 0, "restoreRate": 100.0}}}});
        let mut bucket = CostBucket::default();
        bucket.observe(&super::super::program::to_val(&answer).expect("val"));
        let wait = bucket.wait(Instant::now());
        assert!(
            wait > Duration::from_millis(500) && wait <= Duration::from_millis(600),
            "{wait:?}"
        );
    }

    #[test]
    fn cursors_go_into_nested_bodies() {
        let mut body = json!({"query": "q", "variables": {"first": 50}});
        set_path(&mut body, "variables.after", "abc");
        assert_eq!(
            body,
            json!({"query": "q", "variables": {"first": 50, "after": "abc"}})
        );
    }
}
