//! Tool-call deltas merged by `index`, and their finalisation (§6.3).
//!
//! Arguments are kept as the model's raw JSON text and only checked to be a JSON object; the parsed
//! `Value` keeps integers up to 2^64 exactly (serde_json stores them as `u64`/`i64`), and the raw text
//! stays available ([`ToolCall::arguments_text`]) for callers that need larger integers verbatim.

use super::{StopReason, StreamEvent};
use crate::error::{ErrorCode, ProviderError};
use serde::Serialize;
use serde_json::Value;

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
    id: String,
    name: String,
    args: String,
}

/// Tool calls being assembled from deltas.
#[derive(Debug, Default)]
pub struct ToolCalls {
    slots: Vec<Slot>,
}

impl ToolCalls {
    /// Whether any tool-call delta was seen.
    pub fn any(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Merges one `tool_calls` array; entries without `index` take their position.
    pub fn apply(&mut self, deltas: &[Value], out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        for (pos, d) in deltas.iter().enumerate() {
            let Some(d) = d.as_object() else { continue };
            let id = d.get("id").and_then(Value::as_str).filter(|s| !s.is_empty());
            let function = d.get("function");
            let name = function.and_then(|f| f.get("name")).and_then(Value::as_str).filter(|s| !s.is_empty());
            let args = function.and_then(|f| f.get("arguments")).and_then(Value::as_str).unwrap_or("");
            let index = d.get("index").and_then(Value::as_u64);
            let found = match index {
                Some(i) => self.slots.iter().position(|s| s.index == i),
                None => id.and_then(|id| self.slots.iter().position(|s| s.id == id)),
            };
            let slot = match found {
                Some(k) => &mut self.slots[k],
                None => {
                    let index = index.unwrap_or(pos as u64);
                    self.slots.push(Slot { index, ..Slot::default() });
                    let last = self.slots.len() - 1;
                    &mut self.slots[last]
                }
            };
            if let Some(id) = id {
                slot.id = id.to_string();
            }
            if let Some(name) = name {
                slot.name = name.to_string();
            }
            if slot.args.len() + args.len() > MAX_TOOL_ARGS {
                return Err(ProviderError::new(
                    ErrorCode::MalformedToolCall,
                    "Exceeded tool-call argument buffer limit",
                    "The model wrote more than 256000 bytes of tool arguments; lower max_tokens or simplify the tool's schema.",
                ));
            }
            slot.args.push_str(args);
            out.push(StreamEvent::ToolCall {
                index: slot.index,
                id: id.map(str::to_string),
                name: name.map(str::to_string),
                arguments_delta: args.to_string(),
            });
        }
        Ok(())
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
