//! A program run once per entry (`[program] each = "popups"`), and the memo that spares the
//! entries nothing changed for.
//!
//! Why: jaq interprets a mapping at about a microsecond a step, and a poll of a thousand Square
//! locations took about a second of CPU mapped as one program, while at any one poll only the
//! locations that sold something (about one in six at the large state's rate, a unit per 30 s
//! per pop-up, over a 5 s poll) have answers that differ from the poll before. Run per entry, a
//! poll maps only those: an entry whose item, answers and state are the ones it was last mapped
//! from, and whose `until` has not come, keeps its last entry and state.
//!
//! Sameness is by identity first (the client hands back the very same parsed page when the
//! platform's bytes are unchanged, so most comparisons stop at a pointer), then by value.
//! Time is the program's to declare: its `until` says how long its entry holds without new
//! answers (absent: only for this poll's `now`; null: until the answers or state change; a time:
//! until then), so a pick-up turning overdue at 14:15 is counted at 14:15 and not later.
//!
//! A request may declare that its answers repeat entries (`repeats = ".orders[]"`: Square's
//! `start_at` is inclusive, so the order at the watermark comes back at every poll, alone when
//! nothing else sold). The mapping promises its program takes such an entry into its state once.
//! Then an entry given the very state the program gave at its last mapping, with answers whose
//! repeated lists hold only entries it was mapped from (equal, so an order changed within the
//! watermark's millisecond is new) and are otherwise the same, would map to that same entry and
//! state: it is kept. At the large state's rate this spares half of a steady poll's mappings
//! (the poll after each sale).

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use jaq_json::Val;
use serde_json::value::RawValue;

use super::program::{AsJson, Program};

/// How long an entry's mapping holds without new answers, as the program said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// `until` absent: it may depend on `now` in ways the program did not say; map again.
    ThisPoll,
    /// `until: null`: it does not depend on `now`.
    InputsChange,
    /// Until this instant (Unix seconds).
    At(i64),
}

/// What one entry was last mapped from and to.
#[derive(Debug)]
struct Slot {
    /// The item, each request's call and the entry's state, as they were given.
    inputs: Vec<Val>,
    until: Until,
    text: Arc<RawValue>,
    state: Val,
    /// Each request's answer (its own program's output) for the call in `inputs`, for the
    /// requests that have a program.
    answers: Vec<Option<Val>>,
}

/// The last mapping of each entry, kept by the client between polls.
#[derive(Debug, Default)]
pub struct EntryMemo {
    slots: Vec<Option<Slot>>,
    /// Each entry's text as the decoder read it.
    pub(super) decoded: super::decoded::DecodedEntries,
    /// Entries mapped by the last poll (the rest were kept): for tests and the bench's report.
    pub mapped_last_poll: usize,
    /// Calls a request's own program ran on in the last poll (the rest of the mapped entries'
    /// answers were their last ones): for tests and the bench's report.
    pub answered_last_poll: usize,
}

/// A request's call for one entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct EntryCall<'a> {
    /// The request's name: the program reads the call, or its answer, under it.
    pub name: &'a str,
    /// The call, `{item, pages}`.
    pub call: &'a Val,
    /// The keys of the list its answers repeat, if it declares one.
    pub repeats: Option<&'a [String]>,
    /// The request's own program (`jq`): what the program reads of the call.
    pub answer: Option<&'a Program>,
}

/// One entry's part of a poll.
pub(super) struct EntryInput<'a> {
    /// Its index in the list.
    pub index: usize,
    /// The config list's entry.
    pub item: &'a Val,
    /// Each request's call for this entry, in the mapping's order.
    pub calls: &'a [EntryCall<'a>],
    /// What the program kept for this entry at the last good poll (null: nothing yet).
    pub state: &'a Val,
}

impl EntryInput<'_> {
    /// The values the entry is mapped from, in the order a slot keeps them: the item, each
    /// request's call, the state.
    fn values(&self) -> impl DoubleEndedIterator<Item = &Val> {
        std::iter::once(self.item)
            .chain(self.calls.iter().map(|call| call.call))
            .chain(std::iter::once(self.state))
    }
}

/// What the program gave for one entry.
#[derive(Debug, Clone)]
pub(super) struct EntryOutput {
    /// The entry as JSON text, written once when it was mapped: a kept entry goes into the
    /// document as it is (writing a thousand pop-ups' entries as JSON at every poll cost more
    /// than mapping the few that changed).
    pub text: Arc<RawValue>,
    pub state: Val,
}

impl EntryMemo {
    /// Maps each entry of `inputs` (in list order, `inputs[k].index == k`) with `program`, or
    /// gives back its last mapping when nothing it was mapped from changed. The entries to map
    /// are mapped on up to [`MAX_WORKERS`] threads (each entry's run is independent of the
    /// others'), then kept in their slots in list order, so the outputs, the memo and any error
    /// are the ones mapping them one after the other gives.
    ///
    /// # Errors
    /// The first entry (in list order) whose program failed or gave an output that is not
    /// `{entry, state, until?}`: its index and the error.
    pub(super) fn map_all(
        &mut self,
        program: &Program,
        inputs: &[EntryInput<'_>],
        config: &Val,
        now: DateTime<Utc>,
    ) -> Result<Vec<EntryOutput>, (usize, String)> {
        if self.slots.len() < inputs.len() {
            self.slots.resize_with(inputs.len(), || None);
        }
        let mut outputs: Vec<Option<EntryOutput>> =
            inputs.iter().map(|input| self.kept(input, now)).collect();
        let anew: Vec<&EntryInput<'_>> = inputs
            .iter()
            .zip(&outputs)
            .filter_map(|(input, kept)| kept.is_none().then_some(input))
            .collect();
        self.mapped_last_poll += anew.len();
        // Each entry to map with its last mapping, whose answers it may reuse.
        let jobs: Vec<(&EntryInput<'_>, Option<&Slot>)> = anew
            .iter()
            .map(|input| (*input, self.slots.get(input.index).and_then(Option::as_ref)))
            .collect();
        let fresh = spread(&jobs, |&(input, slot)| {
            map_one(program, input, slot, config, now)
        });
        drop(jobs);
        for (input, fresh) in anew.into_iter().zip(fresh) {
            let fresh = fresh.map_err(|e| (input.index, e))?;
            self.answered_last_poll += fresh.answered;
            outputs[input.index] = Some(self.keep(input, fresh));
        }
        Ok(outputs.into_iter().flatten().collect())
    }

    /// The last mapping of entry `input`, when nothing it was mapped from changed.
    fn kept(&mut self, input: &EntryInput<'_>, now: DateTime<Utc>) -> Option<EntryOutput> {
        let slot = self.slots.get_mut(input.index)?.as_mut()?;
        if !holds(slot.until, now) || slot.inputs.len() != input.calls.len() + 2 {
            return None;
        }
        // The state first: it is the one input that differs after a mapping that changed it.
        // Unchanged answers are the very values of the last poll (the page cache's calls), so
        // most entries stop at pointers.
        let from_these = slot
            .inputs
            .iter()
            .rev()
            .zip(input.values().rev())
            .all(|(a, b)| same(a, b));
        if !from_these {
            if !only_repeats(slot, input) {
                return None;
            }
            // What mapping these inputs would give is what the slot holds: it is now mapped
            // from them, so the next poll with the same answers finds them at once. A request's
            // answer was read from the call it replaces, not from this one: it is read anew
            // when the entry is next mapped.
            for (k, call) in input.calls.iter().enumerate() {
                if !slot
                    .inputs
                    .get(k + 1)
                    .is_some_and(|was| same(was, call.call))
                    && let Some(answer) = slot.answers.get_mut(k)
                {
                    *answer = None;
                }
            }
            slot.inputs = input.values().cloned().collect();
        }
        Some(EntryOutput {
            text: Arc::clone(&slot.text),
            state: slot.state.clone(),
        })
    }

    /// Keeps entry `input`'s new mapping in its slot.
    fn keep(&mut self, input: &EntryInput<'_>, fresh: Fresh) -> EntryOutput {
        // The slot is keyed by the state it was mapped from: an entry is kept only when the
        // program gave back its state unchanged (so mapping it again would give the same). That
        // state is kept as the very value it was, so the next poll finds it by identity.
        let state = if fresh.state == *input.state {
            input.state.clone()
        } else {
            fresh.state
        };
        self.slots[input.index] = Some(Slot {
            inputs: input.values().cloned().collect(),
            until: fresh.until,
            text: Arc::clone(&fresh.text),
            state: state.clone(),
            answers: fresh.answers,
        });
        EntryOutput {
            text: fresh.text,
            state,
        }
    }

    /// Starts a poll's count of mapped entries; a list that shrank forgets its tail.
    pub(super) fn start_poll(&mut self, entries: usize) {
        self.mapped_last_poll = 0;
        self.answered_last_poll = 0;
        self.slots.truncate(entries);
    }
}

/// One entry's new mapping, before it is kept.
struct Fresh {
    text: Arc<RawValue>,
    state: Val,
    until: Until,
    /// Each request's answer, for those with a program of their own.
    answers: Vec<Option<Val>>,
    /// How many of them were read anew.
    answered: usize,
}

/// Runs `program` on entry `input`: `{item, requests: {name: call or answer}, config, now,
/// state}`. A request with a program of its own gives its answer: the one of the entry's last
/// mapping (`slot`) when its call is the same, else the program's output for this call.
fn map_one(
    program: &Program,
    input: &EntryInput<'_>,
    slot: Option<&Slot>,
    config: &Val,
    now: DateTime<Utc>,
) -> Result<Fresh, String> {
    let mut requests = jaq_json::Map::default();
    let mut answers = Vec::with_capacity(input.calls.len());
    let mut answered = 0;
    for (k, call) in input.calls.iter().enumerate() {
        let answer = match call.answer {
            None => None,
            Some(read) => {
                let last = slot.and_then(|slot| {
                    let was = slot.inputs.get(k + 1)?;
                    let answer = slot.answers.get(k)?.as_ref()?;
                    same(was, call.call).then(|| answer.clone())
                });
                if let Some(answer) = last {
                    Some(answer)
                } else {
                    answered += 1;
                    let answer = read
                        .run(call.call.clone())
                        .map_err(|e| format!("request {}: {e}", call.name))?;
                    Some(answer)
                }
            }
        };
        let value = match (&answer, call.repeats, slot) {
            (Some(answer), _, _) => answer.clone(),
            // Given the state its last mapping gave, the program has taken in the repeated
            // entries that call had: by the promise `repeats` makes, reading them again
            // changes nothing, so it reads only the others (at the large state's rate, a
            // pop-up that sold reads its new order, not the one at its watermark too).
            (None, Some(keys), Some(slot)) if same(&slot.state, input.state) => {
                match slot.inputs.get(k + 1) {
                    Some(was) => without_taken(call.call, was, keys),
                    None => call.call.clone(),
                }
            }
            (None, _, _) => call.call.clone(),
        };
        requests.insert(Val::from(call.name.to_owned()), value);
        answers.push(answer);
    }
    let mut whole = jaq_json::Map::default();
    whole.insert(Val::from("item".to_owned()), input.item.clone());
    whole.insert(Val::from("requests".to_owned()), Val::obj(requests));
    whole.insert(Val::from("config".to_owned()), config.clone());
    whole.insert(
        Val::from("now".to_owned()),
        Val::from(now.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    whole.insert(Val::from("state".to_owned()), input.state.clone());
    let output = program.run(Val::obj(whole))?;
    let shape = |what: &str| format!("each entry must give {{entry, state, until?}}: {what}");
    let Val::Obj(fields) = &output else {
        return Err(shape("it gave no object"));
    };
    let entry = fields
        .get(&Val::from("entry".to_owned()))
        .ok_or_else(|| shape("missing field `entry`"))?;
    let state = fields
        .get(&Val::from("state".to_owned()))
        .cloned()
        .unwrap_or(Val::Null);
    let until = match fields.get(&Val::from("until".to_owned())) {
        None => Until::ThisPoll,
        Some(Val::Null) => Until::InputsChange,
        Some(Val::Num(n)) => Until::At(n.to_string().parse::<f64>().map_or(i64::MIN, |f| {
            // A fraction of a second still holds until the next whole one.
            f.ceil() as i64
        })),
        Some(Val::TStr(text)) => {
            let text = String::from_utf8_lossy(text);
            let at = crate::feed::timestamp::parse(&text)
                .map_err(|e| shape(&format!("`until`: {e}")))?;
            Until::At(at.timestamp())
        }
        Some(other) => {
            return Err(shape(&format!(
                "`until` is {other}, not a time, a number of Unix seconds or null"
            )));
        }
    };
    let text: Arc<RawValue> = serde_json::value::to_raw_value(&AsJson(entry))
        .map_err(|e| shape(&format!("`entry`: {e}")))?
        .into();
    Ok(Fresh {
        text,
        state,
        until,
        answers,
        answered,
    })
}

/// At most this many threads map a poll's entries.
pub const MAX_WORKERS: usize = 4;

/// Below this many entries a poll maps them on its own thread: starting another costs more
/// than it saves.
const ENTRIES_PER_WORKER: usize = 8;

/// `run` over `jobs`, in order, spread over the machine's cores (up to [`MAX_WORKERS`]
/// threads, the caller's one of them): a poll of a thousand Square locations maps about 140
/// pop-ups, each about 0.3 ms of jq, and on one core that alone was most of the ingest budget.
/// A thread that cannot be started leaves its share to the caller's.
fn spread<J: Sync, R: Send>(jobs: &[J], run: impl Fn(&J) -> R + Sync) -> Vec<R> {
    // Asked once: on Linux the answer reads the cgroup's CPU quota from files.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let workers = cores
        .min(MAX_WORKERS)
        .min(jobs.len() / ENTRIES_PER_WORKER)
        .max(1);
    if workers == 1 {
        return jobs.iter().map(&run).collect();
    }
    let share = jobs.len().div_ceil(workers);
    let run = &run;
    std::thread::scope(|scope| {
        let mut parts = jobs.chunks(share);
        let mine = parts.next().unwrap_or(&[]);
        let theirs: Vec<_> = parts
            .map(|part| {
                let started = std::thread::Builder::new()
                    .name("dropday-map".to_owned())
                    .spawn_scoped(scope, move || part.iter().map(run).collect::<Vec<R>>());
                (part, started.ok())
            })
            .collect();
        let mut results: Vec<R> = mine.iter().map(run).collect();
        for (part, worker) in theirs {
            match worker.map(std::thread::ScopedJoinHandle::join) {
                Some(Ok(done)) => results.extend(done),
                // A worker that panicked: the panic goes on, as it would have on this thread.
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => results.extend(part.iter().map(run)),
            }
        }
        results
    })
}

/// Whether `input` gives the entry the state its last mapping gave and answers that differ
/// from that mapping's only by repeating entries of a declared list it was mapped from: what
/// a program that takes each such entry once maps to that same entry and state.
fn only_repeats(slot: &Slot, input: &EntryInput<'_>) -> bool {
    let Some((item, rest)) = slot.inputs.split_first() else {
        return false;
    };
    // Without a declared list there is no promise: the state it gave may add up again.
    input.calls.iter().any(|call| call.repeats.is_some())
        && same(item, input.item)
        && same(&slot.state, input.state)
        && rest.iter().zip(input.calls).all(|(was, now)| {
            same(was, now.call)
                || now.repeats.is_some_and(|keys| {
                    same_but(was, now.call, keys)
                        && listed(now.call, keys)
                            .all(|new| listed(was, keys).any(|old| same(old, new)))
                })
        })
}

/// Call `now` without the entries of its repeated list (at `keys` in each page) that call
/// `was` had, equal (an entry changed since is new): what a program that took `was` in has
/// still to read. Pages whose list is not where `keys` say are left as they are, so a changed
/// shape reaches the program and fails there, named.
fn without_taken(now: &Val, was: &Val, keys: &[String]) -> Val {
    let taken: Vec<&Val> = listed(was, keys).collect();
    let (false, Val::Obj(fields), Some(Val::Arr(pages))) =
        (taken.is_empty(), now, field(now, "pages"))
    else {
        return now.clone();
    };
    let pages: Val = pages
        .iter()
        .map(|page| untaken(page, keys, &taken))
        .collect();
    let mut fields = (**fields).clone();
    fields.insert(Val::from("pages".to_owned()), pages);
    Val::obj(fields)
}

/// `page` without the entries of its list at `keys` that are in `taken`.
fn untaken(page: &Val, keys: &[String], taken: &[&Val]) -> Val {
    match (keys.split_first(), page) {
        (None, Val::Arr(entries)) => entries
            .iter()
            .filter(|entry| !taken.iter().any(|old| same(old, entry)))
            .cloned()
            .collect(),
        (Some((key, rest)), Val::Obj(fields)) => {
            let key = Val::from(key.clone());
            match fields.get(&key) {
                Some(inner) => {
                    let inner = untaken(inner, rest, taken);
                    let mut fields = (**fields).clone();
                    fields.insert(key, inner);
                    Val::obj(fields)
                }
                None => page.clone(),
            }
        }
        _ => page.clone(),
    }
}

/// The entries of the repeated list (`keys`, under each page of the call).
fn listed<'v>(call: &'v Val, keys: &'v [String]) -> impl Iterator<Item = &'v Val> {
    let pages = match field(call, "pages") {
        Some(Val::Arr(pages)) => pages.as_slice(),
        _ => &[],
    };
    pages.iter().flat_map(move |page| {
        let list = keys.iter().try_fold(page, |at, key| field(at, key));
        match list {
            Some(Val::Arr(items)) => items.as_slice(),
            _ => &[],
        }
        .iter()
    })
}

/// Field `name` of an object.
fn field<'v>(value: &'v Val, name: &str) -> Option<&'v Val> {
    match value {
        Val::Obj(fields) => fields.get(&Val::from(name.to_owned())),
        _ => None,
    }
}

/// Whether calls `was` and `now` are the same but for the repeated lists: the same item, as
/// many pages, each page the same but for the list at `keys` (which both have, as lists).
fn same_but(was: &Val, now: &Val, keys: &[String]) -> bool {
    same_fields(was, now, |key, old, new| match (key, old, new) {
        (Val::TStr(name), Val::Arr(old_pages), Val::Arr(new_pages))
            if name.as_ref() == b"pages".as_slice() =>
        {
            old_pages.len() == new_pages.len()
                && old_pages
                    .iter()
                    .zip(new_pages.iter())
                    .all(|(old, new)| page_same_but(old, new, keys))
        }
        _ => same(old, new),
    })
}

/// A page the same as another but for the list at `keys`, which both have.
fn page_same_but(was: &Val, now: &Val, keys: &[String]) -> bool {
    let Some((first, rest)) = keys.split_first() else {
        return matches!((was, now), (Val::Arr(_), Val::Arr(_)));
    };
    same_fields(was, now, |key, old, new| match key {
        Val::TStr(name) if name.as_ref() == first.as_bytes() => page_same_but(old, new, rest),
        _ => same(old, new),
    })
}

/// Whether `was` and `now` are objects with the same keys whose values `alike` finds alike
/// (it is given the key, the old value and the new one).
fn same_fields(was: &Val, now: &Val, alike: impl Fn(&Val, &Val, &Val) -> bool) -> bool {
    let (Val::Obj(old_fields), Val::Obj(new_fields)) = (was, now) else {
        return false;
    };
    old_fields.len() == new_fields.len()
        && old_fields
            .iter()
            .all(|(key, old)| new_fields.get(key).is_some_and(|new| alike(key, old, new)))
}

/// Whether a mapping that holds `until` still holds at `now`.
fn holds(until: Until, now: DateTime<Utc>) -> bool {
    match until {
        Until::ThisPoll => false,
        Until::InputsChange => true,
        Until::At(at) => now.timestamp() < at,
    }
}

/// The same value: the same list or object (by identity, which is what an unchanged answer
/// is), or equal lists and objects entry by entry, or equal scalars.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Arr(x), Val::Arr(y)) => {
            jaq_json::Rc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b)))
        }
        (Val::Obj(x), Val::Obj(y)) => {
            jaq_json::Rc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::{EntryCall, EntryInput, EntryMemo, EntryOutput, field, same, spread};
    use crate::feed::adapters::program::{Program, to_val};
    use chrono::{DateTime, Utc};
    use jaq_json::Val;
    use serde_json::json;

    fn val(v: &serde_json::Value) -> Val {
        to_val(v).expect("json")
    }

    /// The entry an output gives, read back from its text.
    fn entry(out: &EntryOutput) -> Val {
        val(&serde_json::from_str(out.text.get()).expect("the entry's text is JSON"))
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    /// A program that counts the units of each sale once (by id, as square-pos counts orders)
    /// and says how long its figure holds: until the earliest `due` still ahead of now, if any.
    fn program() -> Program {
        Program::compile(
            r"(.now | epoch) as $now
            | (reduce .requests.sales.pages[] as $s (.state // {seen: {}, units: 0};
                 if .seen[$s.id] then . else .seen[$s.id] = true | .units += $s.units end)) as $kept
            | { entry: {id: .item.id, units: $kept.units,
                        late: ([.requests.sales.pages[].due | select(epoch <= $now)] | length)},
                state: $kept,
                until: ([.requests.sales.pages[].due | epoch | select(. > $now)] | min) }",
        )
        .expect("compiles")
    }

    /// One entry's inputs, owned. Its call is built anew each poll, as the client builds the
    /// call of pages that changed; its pages are what repeat.
    struct Entry<'k> {
        item: Val,
        call: Val,
        state: Val,
        repeats: Option<&'k [String]>,
    }

    fn input<'k>(item: &Val, pages: &Val, state: &Val) -> Entry<'k> {
        let mut call = jaq_json::Map::default();
        call.insert(Val::from("item".to_owned()), item.clone());
        call.insert(Val::from("pages".to_owned()), pages.clone());
        Entry {
            item: item.clone(),
            call: Val::obj(call),
            state: state.clone(),
            repeats: None,
        }
    }

    impl EntryMemo {
        /// Maps one entry, as a poll of a list of one maps it.
        fn map(
            &mut self,
            program: &Program,
            entry: &Entry<'_>,
            config: &Val,
            now: DateTime<Utc>,
        ) -> Result<EntryOutput, String> {
            let calls = [EntryCall {
                name: "sales",
                call: &entry.call,
                repeats: entry.repeats,
                answer: None,
            }];
            let input = EntryInput {
                index: 0,
                item: &entry.item,
                calls: &calls,
                state: &entry.state,
            };
            self.map_all(program, std::slice::from_ref(&input), config, now)
                .map(|mut outputs| outputs.pop().expect("one entry, one output"))
                .map_err(|(_, error)| error)
        }

        /// Maps one entry with these calls and no state at 14:00:05, as a poll of a list of
        /// one maps it: the entry it gives.
        fn map_calls(
            &mut self,
            program: &Program,
            item: &Val,
            calls: &[EntryCall<'_>],
        ) -> Result<Val, String> {
            let input = EntryInput {
                index: 0,
                item,
                calls,
                state: &Val::Null,
            };
            self.start_poll(1);
            self.map_all(
                program,
                std::slice::from_ref(&input),
                &Val::Null,
                at("2026-12-05T14:00:05Z"),
            )
            .map(|mut outputs| entry(&outputs.remove(0)))
            .map_err(|(_, error)| error)
        }
    }

    #[test]
    fn an_entry_is_kept_while_its_answers_state_and_time_hold() {
        let program = program();
        let config = Val::Null;
        let item = val(&json!({"id": "soho-1"}));
        let pages = val(&json!([{"id": "a", "units": 2, "due": "2026-12-05T14:15:00Z"}]));
        let mut memo = EntryMemo::default();
        let mut poll = |pages: &Val, state: &Val, now: &str| {
            memo.map(&program, &input(&item, pages, state), &config, at(now))
                .map(|out| (out, memo.mapped_last_poll))
                .expect("maps")
        };
        let (first, mapped) = poll(&pages, &Val::Null, "2026-12-05T14:00:00Z");
        assert_eq!(mapped, 1);
        assert_eq!(
            entry(&first),
            val(&json!({"id": "soho-1", "units": 2, "late": 0}))
        );
        // The state it gave is not the one it was mapped from: mapped again (the sale is known
        // now, so it is not counted twice, and the state comes back unchanged).
        let (second, mapped) = poll(&pages, &first.state, "2026-12-05T14:00:05Z");
        assert_eq!(mapped, 2);
        assert_eq!(entry(&second), entry(&first));
        // The very same pages, the state it gave back unchanged, before `until`: kept.
        let (kept, mapped) = poll(&pages, &second.state, "2026-12-05T14:10:00Z");
        assert_eq!(mapped, 2);
        assert_eq!(entry(&kept), entry(&second));
        // An equal answer parsed anew is the same answer.
        let reparsed = val(&json!([{"id": "a", "units": 2, "due": "2026-12-05T14:15:00Z"}]));
        let (_, mapped) = poll(&reparsed, &second.state, "2026-12-05T14:10:05Z");
        assert_eq!(mapped, 2);
        // At `until` the pick-up turns late: mapped again, though nothing else changed.
        let (late, mapped) = poll(&pages, &second.state, "2026-12-05T14:15:00Z");
        assert_eq!(mapped, 3);
        assert_eq!(
            entry(&late),
            val(&json!({"id": "soho-1", "units": 2, "late": 1}))
        );
        // A changed answer: mapped again.
        let changed = val(&json!([{"id": "b", "units": 3, "due": "2026-12-05T14:15:00Z"}]));
        let (sold, mapped) = poll(&changed, &late.state, "2026-12-05T14:15:01Z");
        assert_eq!(mapped, 4);
        assert_eq!(
            entry(&sold),
            val(&json!({"id": "soho-1", "units": 5, "late": 1}))
        );
    }

    #[test]
    fn without_until_an_entry_is_mapped_every_poll() {
        let program = Program::compile("{entry: .now, state: .state}").expect("compiles");
        let item = val(&json!({"id": "a"}));
        let pages = val(&json!([]));
        let mut memo = EntryMemo::default();
        for (k, now) in ["2026-12-05T14:00:00Z", "2026-12-05T14:00:05Z"]
            .into_iter()
            .enumerate()
        {
            let out = memo
                .map(
                    &program,
                    &input(&item, &pages, &Val::Null),
                    &Val::Null,
                    at(now),
                )
                .expect("maps");
            assert_eq!(entry(&out), Val::from(now.to_owned()));
            assert_eq!(memo.mapped_last_poll, k + 1);
        }
    }

    #[test]
    fn a_bad_output_or_until_says_what_is_wrong() {
        let item = val(&json!({"id": "a"}));
        let pages = val(&json!([]));
        for (code, words) in [
            ("1", "it gave no object"),
            ("{state: 1}", "missing field `entry`"),
            ("{entry: 1, until: [1]}", "not a time"),
            ("{entry: 1, until: \"soon\"}", "`until`"),
        ] {
            let program = Program::compile(code).expect("compiles");
            let error = EntryMemo::default()
                .map(
                    &program,
                    &input(&item, &pages, &Val::Null),
                    &Val::Null,
                    at("2026-12-05T14:00:00Z"),
                )
                .expect_err(code);
            assert!(error.contains(words), "{code}: {error}");
        }
    }

    #[test]
    fn answers_that_only_repeat_what_was_taken_in_keep_the_entry() {
        // A program that takes each sale in once, by id (as square-pos takes orders).
        let program = Program::compile(
            r"(reduce .requests.sales.pages[].sales[] as $s (.state // {seen: {}, units: 0};
                 if .seen[$s.id] then . else .seen[$s.id] = true | .units += $s.units end)) as $kept
            | {entry: {id: .item.id, units: $kept.units}, state: $kept, until: null}",
        )
        .expect("compiles");
        let item = val(&json!({"id": "soho-1"}));
        let page = |sales: serde_json::Value| val(&json!([{"sales": sales}]));
        let a = json!({"id": "a", "units": 2, "updated_at": "14:00:00.250"});
        let b = json!({"id": "b", "units": 3, "updated_at": "14:00:01.500"});
        let keys = ["sales".to_owned()];
        let poll = |memo: &mut EntryMemo, pages: &Val, state: &Val, repeats: bool| {
            let mut call = input(&item, pages, state);
            call.repeats = repeats.then_some(keys.as_slice());
            let out = memo
                .map(&program, &call, &Val::Null, at("2026-12-05T14:00:05Z"))
                .expect("maps");
            (out, memo.mapped_last_poll)
        };
        for repeats in [true, false] {
            let mut memo = EntryMemo::default();
            let (sold, _) = poll(&mut memo, &page(json!([a, b])), &Val::Null, repeats);
            assert_eq!(entry(&sold), val(&json!({"id": "soho-1", "units": 5})));
            // The poll after: the sale at the watermark comes back alone, unchanged.
            let (after, mapped) = poll(&mut memo, &page(json!([b])), &sold.state, repeats);
            assert_eq!(entry(&after), entry(&sold));
            // Kept only when the request declares the list repeats; mapped otherwise.
            assert_eq!(mapped, if repeats { 1 } else { 2 }, "repeats: {repeats}");
        }
        let mut memo = EntryMemo::default();
        let (sold, _) = poll(&mut memo, &page(json!([a, b])), &Val::Null, true);
        // A sale changed within the watermark's millisecond is not a repeat: mapped.
        let changed = json!({"id": "b", "units": 4, "updated_at": "14:00:01.500"});
        let (_, mapped) = poll(&mut memo, &page(json!([changed])), &sold.state, true);
        assert_eq!(mapped, 2);
        // Nor is a new sale beside a repeated one, nor a page that changed elsewhere, nor the
        // state before the sales were taken in.
        let mut memo = EntryMemo::default();
        let (sold, _) = poll(&mut memo, &page(json!([a, b])), &Val::Null, true);
        let c = json!({"id": "c", "units": 1, "updated_at": "14:00:04.000"});
        assert_eq!(
            poll(&mut memo, &page(json!([b, c])), &sold.state, true).1,
            2
        );
        let mut memo = EntryMemo::default();
        let (sold, _) = poll(&mut memo, &page(json!([a, b])), &Val::Null, true);
        let cursor = val(&json!([{"sales": [b], "cursor": "x"}]));
        assert_eq!(poll(&mut memo, &cursor, &sold.state, true).1, 2);
        let mut memo = EntryMemo::default();
        poll(&mut memo, &page(json!([a, b])), &Val::Null, true);
        assert_eq!(poll(&mut memo, &page(json!([b])), &Val::Null, true).1, 2);
    }

    #[test]
    fn a_program_given_its_own_state_reads_only_the_repeated_entries_it_has_not_taken_in() {
        // A program that says which sales it read, and takes each in once, by id.
        let program = Program::compile(
            r"(reduce .requests.sales.pages[].sales[] as $s (.state // {seen: {}, units: 0};
                 if .seen[$s.id] then . else .seen[$s.id] = true | .units += $s.units end)) as $kept
            | {entry: {id: .item.id, units: $kept.units,
                       read: [.requests.sales.pages[].sales[].id]},
               state: $kept, until: null}",
        )
        .expect("compiles");
        let item = val(&json!({"id": "soho-1"}));
        let page = |sales: serde_json::Value| val(&json!([{"sales": sales, "cursor": null}]));
        let sale_a = json!({"id": "a", "units": 2, "updated_at": "14:00:00.250"});
        let sale_b = json!({"id": "b", "units": 3, "updated_at": "14:00:01.500"});
        let sale_c = json!({"id": "c", "units": 1, "updated_at": "14:00:04.000"});
        let keys = ["sales".to_owned()];
        let poll = |memo: &mut EntryMemo, sales: serde_json::Value, state: &Val| {
            let mut call = input(&item, &page(sales), state);
            call.repeats = Some(keys.as_slice());
            memo.map(&program, &call, &Val::Null, at("2026-12-05T14:00:05Z"))
                .expect("maps")
        };
        let mut memo = EntryMemo::default();
        let sold = poll(&mut memo, json!([sale_a, sale_b]), &Val::Null);
        assert_eq!(
            entry(&sold),
            val(&json!({"id": "soho-1", "units": 5, "read": ["a", "b"]}))
        );
        // The next sale beside the one at the watermark: only the new one is read, and the
        // totals are the ones reading both gives.
        let next = poll(&mut memo, json!([sale_b, sale_c]), &sold.state);
        assert_eq!(
            entry(&next),
            val(&json!({"id": "soho-1", "units": 6, "read": ["c"]}))
        );
        let mut afresh = EntryMemo::default();
        let both = poll(&mut afresh, json!([sale_b, sale_c]), &sold.state);
        assert_eq!(both.state, next.state);
        assert_eq!(
            entry(&both),
            val(&json!({"id": "soho-1", "units": 6, "read": ["b", "c"]}))
        );
        // A repeated sale changed since is read; so is every sale when the state given is not
        // the one the program gave (a failed poll's state before them).
        let changed = json!({"id": "c", "units": 4, "updated_at": "14:00:04.000"});
        let sale_d = json!({"id": "d", "units": 1, "updated_at": "14:00:04.500"});
        let again = poll(&mut memo, json!([changed, sale_d]), &next.state);
        assert_eq!(
            field(&entry(&again), "read"),
            Some(&val(&json!(["c", "d"])))
        );
        let sale_e = json!({"id": "e", "units": 1, "updated_at": "14:00:05.000"});
        let older = poll(&mut memo, json!([sale_d, sale_e]), &next.state);
        assert_eq!(
            field(&entry(&older), "read"),
            Some(&val(&json!(["d", "e"])))
        );
    }

    #[test]
    fn a_request_program_reads_a_call_again_only_when_it_changed() {
        // The request's own program turns its pages into the tills the entry shows.
        let tills = Program::compile("[.pages[].devices[] | {id, up: (.status == \"AVAILABLE\")}]")
            .expect("compiles");
        let program = Program::compile(
            r"{entry: {id: .item.id, tills: .requests.devices, sold: (.requests.sales.pages | length)},
               state: null, until: null}",
        )
        .expect("compiles");
        let item = val(&json!({"id": "soho-1"}));
        let call = |pages: serde_json::Value| input(&item, &val(&pages), &Val::Null).call;
        let up = call(json!([{"devices": [{"id": "t1", "status": "AVAILABLE"}]}]));
        let down = call(json!([{"devices": [{"id": "t1", "status": "OFFLINE"}]}]));
        let broken = call(json!([{"devices": 3}]));
        let poll = |memo: &mut EntryMemo, devices: &Val, sales: usize| {
            let sales = call(serde_json::Value::Array(vec![json!({}); sales]));
            let calls = [
                EntryCall {
                    name: "devices",
                    call: devices,
                    repeats: None,
                    answer: Some(&tills),
                },
                EntryCall {
                    name: "sales",
                    call: &sales,
                    repeats: None,
                    answer: None,
                },
            ];
            let out = memo.map_calls(&program, &item, &calls);
            (out, memo.mapped_last_poll, memo.answered_last_poll)
        };
        let mut memo = EntryMemo::default();
        let first = json!({"id": "soho-1", "tills": [{"id": "t1", "up": true}], "sold": 1});
        assert_eq!(poll(&mut memo, &up, 1), (Ok(val(&first)), 1, 1));
        // A sale: the entry is mapped again, its tills are the ones read last time.
        let sold = json!({"id": "soho-1", "tills": [{"id": "t1", "up": true}], "sold": 2});
        assert_eq!(poll(&mut memo, &up, 2), (Ok(val(&sold)), 1, 0));
        // The tills changed: read again.
        let off = json!({"id": "soho-1", "tills": [{"id": "t1", "up": false}], "sold": 2});
        assert_eq!(poll(&mut memo, &down, 2), (Ok(val(&off)), 1, 1));
        // A request program that fails names its request.
        let (failed, _, _) = poll(&mut memo, &broken, 2);
        let error = failed.expect_err("devices is a number");
        assert!(error.starts_with("request devices: "), "{error}");
    }

    #[test]
    fn an_answer_is_read_again_after_its_call_was_replaced_by_a_repeat() {
        // A request whose answers repeat and that has a program of its own: the ids it lists.
        let ids = Program::compile("[.pages[].sales[].id]").expect("compiles");
        let program = Program::compile(
            r"{entry: {id: .item.id, ids: .requests.sales, other: .requests.other.pages}, state: null, until: null}",
        )
        .expect("compiles");
        let item = val(&json!({"id": "soho-1"}));
        let call = |pages: serde_json::Value| input(&item, &val(&pages), &Val::Null).call;
        let keys = ["sales".to_owned()];
        let poll = |memo: &mut EntryMemo, sales: &Val, other: &Val| {
            let calls = [
                EntryCall {
                    name: "sales",
                    call: sales,
                    repeats: Some(keys.as_slice()),
                    answer: Some(&ids),
                },
                EntryCall {
                    name: "other",
                    call: other,
                    repeats: None,
                    answer: None,
                },
            ];
            let out = memo.map_calls(&program, &item, &calls).expect("maps");
            (field(&out, "ids").cloned(), memo.mapped_last_poll)
        };
        let sale = |id: &str| json!({"id": id, "updated_at": "14:00:00.250"});
        let both = call(json!([{"sales": [sale("a"), sale("b")]}]));
        let repeat = || call(json!([{"sales": [sale("b")]}]));
        let other = call(json!([1]));
        let mut memo = EntryMemo::default();
        assert_eq!(
            poll(&mut memo, &both, &other),
            (Some(val(&json!(["a", "b"]))), 1)
        );
        // Only a repeat: kept, and the slot now holds this call.
        assert_eq!(
            poll(&mut memo, &repeat(), &other),
            (Some(val(&json!(["a", "b"]))), 0)
        );
        // Mapped for another request: the repeat's call is the one the slot holds, and its
        // answer is read from it, not taken from the call it replaced.
        let changed = call(json!([2]));
        assert_eq!(
            poll(&mut memo, &repeat(), &changed),
            (Some(val(&json!(["b"]))), 1)
        );
    }

    #[test]
    fn a_list_maps_as_its_entries_one_by_one_whichever_thread_maps_them() {
        // Forty entries: enough for the runs to be spread over every core.
        let program = Program::compile(
            r#"if .item.n == 23 or .item.n == 31 then error("no \(.item.n)") else
               {entry: {id: .item.id, twice: (.item.n * 2), units: (.requests.sales.pages | length)},
                state: {seen: .item.n}, until: null} end"#,
        )
        .expect("compiles");
        let items: Vec<Val> = (0..40)
            .map(|n| val(&json!({"id": format!("p{n}"), "n": n})))
            .collect();
        let entries: Vec<Entry<'_>> = items
            .iter()
            .map(|item| input(item, &val(&json!([1, 2])), &Val::Null))
            .collect();
        let calls: Vec<[EntryCall<'_>; 1]> = entries
            .iter()
            .map(|entry| {
                [EntryCall {
                    name: "sales",
                    call: &entry.call,
                    repeats: None,
                    answer: None,
                }]
            })
            .collect();
        let inputs = |upto: usize| -> Vec<EntryInput<'_>> {
            entries[..upto]
                .iter()
                .zip(&calls)
                .enumerate()
                .map(|(index, (entry, calls))| EntryInput {
                    index,
                    item: &entry.item,
                    calls,
                    state: &entry.state,
                })
                .collect()
        };
        let now = at("2026-12-05T14:00:00Z");
        // The first failing entry in list order names the failure, as mapping one by one does.
        let mut failed = EntryMemo::default();
        failed.start_poll(40);
        let (index, error) = failed
            .map_all(&program, &inputs(40), &Val::Null, now)
            .expect_err("entry 23 fails");
        assert_eq!(index, 23);
        assert!(error.contains("no 23"), "{error}");
        assert_eq!(failed.mapped_last_poll, 40);
        // Without the failing ones: every entry, in order, each its own.
        let mut memo = EntryMemo::default();
        memo.start_poll(23);
        let outputs = memo
            .map_all(&program, &inputs(23), &Val::Null, now)
            .expect("maps");
        assert_eq!(memo.mapped_last_poll, 23);
        assert_eq!(outputs.len(), 23);
        for (n, output) in outputs.iter().enumerate() {
            assert_eq!(
                entry(output),
                val(&json!({"id": format!("p{n}"), "twice": 2 * n, "units": 2}))
            );
            assert_eq!(output.state, val(&json!({"seen": n})));
        }
        // The entries mapped before the failure were kept in their slots: the same outputs,
        // none mapped again.
        failed.start_poll(23);
        let again = failed
            .map_all(&program, &inputs(23), &Val::Null, now)
            .expect("maps");
        assert_eq!(failed.mapped_last_poll, 0);
        let texts = |outputs: &[EntryOutput]| -> Vec<String> {
            outputs.iter().map(|o| o.text.get().to_owned()).collect()
        };
        assert_eq!(texts(&again), texts(&outputs));
    }

    #[test]
    fn spread_work_comes_back_in_order() {
        for jobs in [0, 1, 7, 8, 15, 16, 17, 100, 1001] {
            let numbers: Vec<usize> = (0..jobs).collect();
            let doubled = spread(&numbers, |n| n * 2);
            assert_eq!(
                doubled,
                (0..jobs).map(|n| n * 2).collect::<Vec<_>>(),
                "{jobs}"
            );
        }
    }

    #[test]
    fn sameness_is_identity_or_equal_values() {
        let a = val(&json!({"x": [1, {"y": "z"}]}));
        assert!(same(&a, &a.clone()));
        assert!(same(&a, &val(&json!({"x": [1, {"y": "z"}]}))));
        assert!(!same(&a, &val(&json!({"x": [1, {"y": "w"}]}))));
        assert!(!same(&a, &val(&json!({"x": [1]}))));
    }
}
