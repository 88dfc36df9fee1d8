//! Tool-call deltas merged by `index`, and their finalisation (§6.3).
//!
//! Arguments are kept as the model's raw JSON text and only checked to be a JSON object; the parsed
//! `Value` keeps integers up to 2^64 exactly (serde_json stores them as `u64`/`i64`), and the raw text
//! stays available ([`ToolCall::arguments_text`]) for callers that need larger integers verbatim.

use super::chunk::ToolDelta;
use super::{EventOut, Fragment, StopReason, StreamEvent};
use crate::error::{ErrorCode, ProviderError};
use serde::Serialize;
use serde_json::Value;
use crate::name_index::NameIndex;
use std::borrow::Cow;

/// Per-call cap on argument bytes (OpenClaw's limit).
pub const MAX_TOOL_ARGS: usize = 256_000;

/// The message of a tool call whose name or arguments are unusable.
pub const MALFORMED_TOOL_CALL: &str = "Provider returned an incomplete or malformed tool call";

/// A finished tool call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolCall {
    /// The server's call id (`chatcmpl-tool-…`), or `""` when it sent none.
    pub id: String,
    /// The function name.
    pub name: String,
    /// The arguments, a JSON object.
    pub arguments: Value,
    /// The arguments exactly as the model wrote them.
    #[serde(skip)]
    pub arguments_text: String,
}

#[derive(Debug, Default)]
struct Slot {
    index: u64,
    /// No earlier slot has this index (so a delta with it belongs here).
    first_of_index: bool,
    id: String,
    name: String,
    args: String,
}

/// Tool calls being assembled from deltas.
#[derive(Debug, Default)]
pub struct ToolCalls {
    slots: Vec<Slot>,
    /// The slot of each `index` (by its decimal text), and the first slot holding each id, so a
    /// delta finds its call at once however many calls there are.
    by_index: NameIndex,
    by_id: NameIndex,
    /// The slot the last delta went to (the next delta is most often for the same call).
    last: usize,
}

impl ToolCalls {
    /// Whether any tool-call delta was seen.
    pub fn any(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Merges one `tool_calls` array; entries without `index` take their position (entries that are
    /// not objects are `None`, and count for the position). With `out`, the deltas become events.
    pub(super) fn apply(&mut self, deltas: Vec<ToolDelta>, mut out: Option<&mut dyn EventOut>) -> Result<(), ProviderError> {
        for (pos, d) in deltas.into_iter().enumerate() {
            if !d.object {
                continue;
            }
            let id = d.id.filter(|s| !s.is_empty());
            let name = d.function.name.filter(|s| !s.is_empty());
            let args = d.function.arguments.unwrap_or_default();
            let found = match d.index.0 {
                Some(i) if self.slots.get(self.last).is_some_and(|s| s.index == i && s.first_of_index) => Some(self.last),
                Some(i) => self.by_index.get(&i.to_string()),
                None => id.as_deref().and_then(|id| self.by_id.get(id)),
            };
            let k = match found {
                Some(k) => k,
                None => {
                    let index = d.index.0.unwrap_or(pos as u64);
                    let k = self.slots.len();
                    let first_of_index = self.by_index.first(&index.to_string(), k) == k;
                    self.slots.push(Slot { index, first_of_index, ..Slot::default() });
                    k
                }
            };
            self.last = k;
            if let Some(id) = id.as_deref() {
                self.set_id(k, id);
            }
            let slot = &mut self.slots[k];
            if let Some(name) = name.as_deref() {
                if slot.name != name {
                    slot.name = name.to_string();
                }
            }
            if slot.args.len() + args.len() > MAX_TOOL_ARGS {
                return Err(ProviderError::new(
                    ErrorCode::MalformedToolCall,
                    "Exceeded tool-call argument buffer limit",
                    "The model wrote more than 256000 bytes of tool arguments; lower max_tokens or simplify the tool's schema.",
                ));
            }
            slot.args.push_str(&args);
            if let Some(out) = out.as_deref_mut() {
                match (id, name) {
                    (None, None) => out.fragment(Fragment::Arguments(slot.index), &args),
                    (id, name) => out.event(StreamEvent::ToolCall { index: slot.index, id: id.map(Cow::into_owned), name: name.map(Cow::into_owned), arguments_delta: args.into_owned() }),
                }
            }
        }
        Ok(())
    }

    /// Gives slot `k` the id `id`, keeping [`ToolCalls::by_id`] pointing at each id's first slot.
    fn set_id(&mut self, k: usize, id: &str) {
        let old = &self.slots[k].id;
        if old == id {
            return;
        }
        if !old.is_empty() && self.by_id.get(old) == Some(k) {
            // Rare (a server that renames a call): the next slot with the old id, if any, takes over.
            let old = old.clone();
            match self.slots.iter().enumerate().position(|(j, s)| j != k && s.id == old) {
                Some(j) => self.by_id.set(&old, j),
                None => self.by_id.remove(&old),
            }
        }
        self.slots[k].id = id.to_string();
        if self.by_id.first(id, k) > k {
            self.by_id.set(id, k);
        }
    }

    /// Finalises: decides the stop reason and returns the calls, or the malformed-call message.
    /// `promote` says a `stop` may become `toolUse` (finish reason `stop`, or `[DONE]` without one).
    pub fn finish(self, stop: StopReason, has_text: bool, promote: bool) -> (Vec<ToolCall>, StopReason, Option<&'static str>) {
        let stop = match stop {
            StopReason::ToolUse if self.slots.is_empty() => StopReason::Stop,
            StopReason::Stop if !self.slots.is_empty() && !has_text && promote => StopReason::ToolUse,
            s => s,
        };
        if stop != StopReason::ToolUse {
            return (Vec::new(), stop, None);
        }
        let mut calls = Vec::new();
        for s in self.slots {
            let arguments = match crate::json::parse(s.args.as_bytes()) {
                Ok(v @ Value::Object(_)) if !s.name.is_empty() => v,
                _ => return (Vec::new(), StopReason::Error, Some(MALFORMED_TOOL_CALL)),
            };
            calls.push(ToolCall { id: s.id, name: s.name, arguments, arguments_text: s.args });
        }
        (calls, stop, None)
    }
}
