//! Message conversion (§5.4): the caller's messages as OpenAI chat messages for a vLLM model.

use super::model::{accepts, compat_bool};
use super::notes::{Action, Notes};
use super::request::{Content, ContentPart, Message, ToolCall};
use crate::models::ModelDefinition;
use super::{obj1, put, put_s, s, tagged};
use serde_json::{Map, Value};

/// OpenClaw's placeholder for images a model cannot take.
pub const IMAGE_OMITTED: &str = "(image omitted: model does not support images)";
/// OpenClaw's placeholder for videos a model cannot take.
pub const VIDEO_OMITTED: &str = "(video omitted: provider does not support video input)";
/// What a blank tool result becomes.
pub const NO_OUTPUT: &str = "(no output)";

/// What an id made only of characters strict mode removes becomes.
pub const EMPTY_TOOL_CALL_ID: &str = "defaulttoolid";

/// Converts the conversation; records notes for media placeholders, dropped reasoning and renamed ids.
pub fn convert(model: &ModelDefinition, messages: &[Message], notes: &mut Notes) -> Vec<Value> {
    let mut out = Vec::new();
    let mut pending_images: Vec<Value> = Vec::new();
    let mut result_number = 0usize;
    let mut media = MediaNotes::default();
    for message in messages {
        if !matches!(message, Message::Tool { .. }) && !pending_images.is_empty() {
            out.push(Value::Object(tagged("role", "user", "content", Value::Array(std::mem::take(&mut pending_images)))));
        }
        match message {
            Message::System { content } => out.push(Value::Object(tagged("role", system_role(model, notes), "content", s(content)))),
            Message::User { content } => {
                if let Some(content) = user_content(model, content, &mut media) {
                    out.push(Value::Object(tagged("role", "user", "content", content)));
                }
            }
            Message::Assistant { content, reasoning, reasoning_field, tool_calls } => {
                let calls = tool_calls.as_deref().unwrap_or(&[]);
                if let Some(m) = assistant(model, content.as_ref(), reasoning.as_deref(), reasoning_field.as_deref(), calls, notes) {
                    out.push(m);
                }
            }
            Message::Tool { tool_call_id, tool_name, content } => {
                result_number += 1;
                let (text, images) = tool_result(model, content, &mut media);
                let mut m = tagged("role", "tool", "content", Value::String(text));
                put(&mut m, "tool_call_id", Value::String(wire_id(tool_call_id, notes)));
                out.push(Value::Object(m));
                if !images.is_empty() {
                    let name = super::first_chars(tool_name.as_deref().unwrap_or("tool"), 64);
                    pending_images.push(text_part(&["Image(s) from tool result #", &result_number.to_string(), " (", &name, "):"].concat()));
                    pending_images.extend(images);
                }
            }
        }
    }
    if !pending_images.is_empty() {
        out.push(Value::Object(tagged("role", "user", "content", Value::Array(pending_images))));
    }
    media.report(notes);
    out
}

fn system_role(model: &ModelDefinition, notes: &mut Notes) -> &'static str {
    if model.reasoning && compat_bool(model, "supportsDeveloperRole", false) {
        return "developer";
    }
    if !notes.has("messages[].role") {
        notes.push(
            "messages[].role",
            Action::Renamed,
            "System prompts are sent with role \"system\" rather than OpenAI's \"developer\", because vLLM chat templates only know \"system\" (set compat.supportsDeveloperRole on a reasoning model to change this).",
        );
    }
    "system"
}

#[derive(Default)]
struct MediaNotes {
    images: bool,
    videos: bool,
}

impl MediaNotes {
    fn report(&self, notes: &mut Notes) {
        if self.images {
            notes.push("messages[].content", Action::Dropped, "Images were replaced by a placeholder text because the model's input list does not include \"image\".");
        }
        if self.videos {
            notes.push("messages[].content", Action::Dropped, "Videos were replaced by a placeholder text because the model's input list does not include \"video\".");
        }
    }
}

/// A part on the wire, or the placeholder text when the model cannot take it.
fn part(model: &ModelDefinition, p: &ContentPart, media: &mut MediaNotes) -> Value {
    match p {
        ContentPart::Text { text } => text_part(text),
        ContentPart::Image { data, mime_type } if accepts(model, "image") => {
            media_part("image_url", mime_type, data)
        }
        ContentPart::Video { data, mime_type } if accepts(model, "video") => {
            media_part("video_url", mime_type, data)
        }
        ContentPart::Image { .. } => {
            media.images = true;
            text_part(IMAGE_OMITTED)
        }
        ContentPart::Video { .. } => {
            media.videos = true;
            text_part(VIDEO_OMITTED)
        }
    }
}

fn text_part(text: &str) -> Value {
    Value::Object(tagged("type", "text", "text", s(text)))
}

/// `{type: "image_url", image_url: {url: "data:<mime>;base64,<data>"}}` (or `video_url`).
fn media_part(kind: &str, mime_type: &str, data: &str) -> Value {
    let url = ["data:", mime_type, ";base64,", data].concat();
    Value::Object(tagged("type", kind, kind, obj1("url", Value::String(url))))
}

fn is_placeholder(v: &Value) -> bool {
    matches!(v.get("text").and_then(Value::as_str), Some(IMAGE_OMITTED | VIDEO_OMITTED))
}

fn user_content(model: &ModelDefinition, content: &Content, media: &mut MediaNotes) -> Option<Value> {
    match content {
        Content::Text(t) => Some(Value::String(t.clone())),
        Content::Parts(parts) => {
            let mut out: Vec<Value> = Vec::new();
            for p in parts {
                let v = part(model, p, media);
                // Consecutive identical placeholders collapse into one, as OpenClaw's transcript transform does.
                if is_placeholder(&v) && out.last() == Some(&v) {
                    continue;
                }
                out.push(v);
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

fn texts(content: Option<&Content>) -> Vec<&str> {
    let mut out = Vec::new();
    match content {
        None => {}
        Some(Content::Text(t)) => out.push(t.as_str()),
        Some(Content::Parts(parts)) => {
            for p in parts {
                if let ContentPart::Text { text } = p {
                    out.push(text.as_str());
                }
            }
        }
    }
    out
}

fn assistant(model: &ModelDefinition, content: Option<&Content>, reasoning: Option<&str>, field: Option<&str>, calls: &[ToolCall], notes: &mut Notes) -> Option<Value> {
    let mut text = texts(content);
    text.retain(|t| !t.trim().is_empty());
    let mut m = Map::new();
    put_s(&mut m, "role", "assistant");
    // A turn with tool calls and no text is sent with `content: null`, as OpenClaw sends it.
    put(&mut m, "content", if text.is_empty() { Value::Null } else { Value::String(text.join("\n")) });
    if let Some(r) = reasoning.filter(|r| !r.trim().is_empty()) {
        let field = field.unwrap_or("reasoning_content");
        // OpenClaw's replay policy for vLLM keeps reasoning in the history of reasoning rows only, and
        // there only a string `reasoning_content`: reasoning that arrived in `reasoning` is deleted.
        let why = match field {
            _ if !model.reasoning => Some("Replayed reasoning was left out because the model is not marked as a reasoning model.".to_string()),
            "reasoning_content" => None,
            _ => Some(format!("Replayed reasoning that arrived in {field} was left out: OpenClaw replays only reasoning_content to vLLM.")),
        };
        match why {
            None => put(&mut m, field, Value::String(r.to_string())),
            Some(why) => {
                let path = format!("messages[].{field}");
                if !notes.has(&path) {
                    notes.push(path, Action::Dropped, why);
                }
            }
        }
    }
    if !calls.is_empty() {
        let mut wire = Vec::new();
        for c in calls {
            let args = if c.arguments.is_null() { "{}".to_string() } else { crate::json::to_string(&c.arguments) };
            let mut m = Map::new();
            put(&mut m, "id", Value::String(wire_id(&c.id, notes)));
            put_s(&mut m, "type", "function");
            put(&mut m, "function", Value::Object(tagged("name", &c.name, "arguments", Value::String(args))));
            wire.push(Value::Object(m));
        }
        put(&mut m, "tool_calls", Value::Array(wire));
    }
    (!text.is_empty() || !calls.is_empty()).then_some(Value::Object(m))
}

fn tool_result(model: &ModelDefinition, content: &Content, media: &mut MediaNotes) -> (String, Vec<Value>) {
    let text = texts(Some(content)).join("\n");
    let mut images = Vec::new();
    let mut placeholder = None;
    if let Content::Parts(parts) = content {
        for p in parts {
            if matches!(p, ContentPart::Text { .. }) {
                continue;
            }
            let v = part(model, p, media);
            if is_placeholder(&v) {
                placeholder = placeholder.or_else(|| v.get("text").and_then(Value::as_str).map(str::to_string));
            } else if matches!(p, ContentPart::Image { .. }) {
                images.push(v);
            }
        }
    }
    let text = if !text.trim().is_empty() {
        text
    } else {
        placeholder.unwrap_or_else(|| NO_OUTPUT.to_string())
    };
    (text, images)
}

/// OpenClaw's strict tool-call ids (its transcript policy for vLLM): ASCII letters and digits only,
/// nothing cut (`call_9|item/x` → `call9itemx`); an id left empty becomes [`EMPTY_TOOL_CALL_ID`].
pub fn normalize_tool_call_id(id: &str) -> String {
    let mut kept = String::new();
    for c in id.chars().filter(char::is_ascii_alphanumeric) {
        kept.push(c);
    }
    if kept.is_empty() {
        kept.push_str(EMPTY_TOOL_CALL_ID);
    }
    kept
}

/// A tool-call id as sent, noting the first one strict mode changes. The mapping depends on the id
/// alone, so an assistant's `tool_calls[].id` and the tool message answering it stay matched.
fn wire_id(id: &str, notes: &mut Notes) -> String {
    let wire = normalize_tool_call_id(id);
    if wire != id && !notes.has("messages[].tool_call_id") {
        notes.push(
            "messages[].tool_call_id",
            Action::Renamed,
            "Tool-call ids keep only ASCII letters and digits (call_a1 as calla1), as OpenClaw's strict policy for vLLM sends them, the same on a call and on its result.",
        );
    }
    wire
}
