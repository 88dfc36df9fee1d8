//! Message conversion (§5.4): the caller's messages as OpenAI chat messages for a vLLM model.

use super::body::{self as wire, Part};
use super::model::{accepts, compat_bool};
use super::notes::{Action, Notes};
use super::request::{Content, ContentPart, Message, ToolCall};
use crate::models::ModelDefinition;

/// OpenClaw's placeholder for images a model cannot take.
pub const IMAGE_OMITTED: &str = "(image omitted: model does not support images)";
/// OpenClaw's placeholder for videos a model cannot take.
pub const VIDEO_OMITTED: &str = "(video omitted: provider does not support video input)";
/// What a blank tool result becomes.
pub const NO_OUTPUT: &str = "(no output)";

/// What an id made only of characters strict mode removes becomes.
pub const EMPTY_TOOL_CALL_ID: &str = "defaulttoolid";

/// Converts the conversation; records notes for media placeholders, dropped reasoning and renamed ids.
pub fn convert(model: &ModelDefinition, messages: Vec<Message>, notes: &mut Notes) -> Vec<wire::Message> {
    let mut out = Vec::with_capacity(messages.len());
    let mut pending_images: Vec<Part> = Vec::new();
    let mut result_number = 0usize;
    let mut media = MediaNotes::default();
    for message in messages {
        if !matches!(message, Message::Tool { .. }) && !pending_images.is_empty() {
            out.push(wire::Message::User(wire::Content::Parts(std::mem::take(&mut pending_images))));
        }
        match message {
            Message::System { content } => out.push(wire::Message::System { role: system_role(model, notes), content }),
            Message::User { content } => {
                if let Some(content) = user_content(model, content, &mut media) {
                    out.push(wire::Message::User(content));
                }
            }
            Message::Assistant { content, reasoning, reasoning_field, tool_calls } => {
                let calls = tool_calls.unwrap_or_default();
                if let Some(m) = assistant(model, content.as_ref(), reasoning, reasoning_field.as_deref(), calls, notes) {
                    out.push(m);
                }
            }
            Message::Tool { tool_call_id, tool_name, content } => {
                result_number += 1;
                let (text, images) = tool_result(model, content, &mut media);
                out.push(wire::Message::Tool { content: text, tool_call_id: wire_id(&tool_call_id, notes) });
                if !images.is_empty() {
                    let name = super::first_chars(tool_name.as_deref().unwrap_or("tool"), 64);
                    pending_images.push(Part::Text(["Image(s) from tool result #", &result_number.to_string(), " (", &name, "):"].concat()));
                    pending_images.extend(images);
                }
            }
        }
    }
    if !pending_images.is_empty() {
        out.push(wire::Message::User(wire::Content::Parts(pending_images)));
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
fn part(model: &ModelDefinition, p: ContentPart, media: &mut MediaNotes) -> Part {
    match p {
        ContentPart::Text { text } => Part::Text(text),
        ContentPart::Image { data, mime_type } if accepts(model, "image") => media_part("image_url", &mime_type, &data),
        ContentPart::Video { data, mime_type } if accepts(model, "video") => media_part("video_url", &mime_type, &data),
        ContentPart::Image { .. } => {
            media.images = true;
            Part::Text(IMAGE_OMITTED.to_string())
        }
        ContentPart::Video { .. } => {
            media.videos = true;
            Part::Text(VIDEO_OMITTED.to_string())
        }
    }
}

/// `{type: "image_url", image_url: {url: "data:<mime>;base64,<data>"}}` (or `video_url`).
fn media_part(kind: &'static str, mime_type: &str, data: &str) -> Part {
    Part::Media { kind, url: ["data:", mime_type, ";base64,", data].concat() }
}

fn is_placeholder(p: &Part) -> bool {
    matches!(p, Part::Text(t) if t == IMAGE_OMITTED || t == VIDEO_OMITTED)
}

fn user_content(model: &ModelDefinition, content: Content, media: &mut MediaNotes) -> Option<wire::Content> {
    match content {
        Content::Text(t) => Some(wire::Content::Text(t)),
        Content::Parts(parts) => {
            let mut out: Vec<Part> = Vec::with_capacity(parts.len());
            for p in parts {
                let v = part(model, p, media);
                // Consecutive identical placeholders collapse into one, as OpenClaw's transcript transform does.
                if is_placeholder(&v) && out.last() == Some(&v) {
                    continue;
                }
                out.push(v);
            }
            (!out.is_empty()).then_some(wire::Content::Parts(out))
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

fn assistant(model: &ModelDefinition, content: Option<&Content>, reasoning: Option<String>, field: Option<&str>, calls: Vec<ToolCall>, notes: &mut Notes) -> Option<wire::Message> {
    let mut text = texts(content);
    text.retain(|t| !t.trim().is_empty());
    let mut reasoning_content = None;
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
            None => reasoning_content = Some(r),
            Some(why) => {
                let path = format!("messages[].{field}");
                if !notes.has(&path) {
                    notes.push(path, Action::Dropped, why);
                }
            }
        }
    }
    let mut tool_calls = Vec::with_capacity(calls.len());
    for c in calls {
        let arguments = if c.arguments.is_null() { "{}".to_string() } else { crate::json::to_string(&c.arguments) };
        tool_calls.push(wire::ToolCall { id: wire_id(&c.id, notes), name: c.name, arguments });
    }
    if text.is_empty() && tool_calls.is_empty() {
        return None;
    }
    // A turn with tool calls and no text is sent with `content: null`, as OpenClaw sends it.
    Some(wire::Message::Assistant { content: (!text.is_empty()).then(|| crate::join::join(&text, "\n")), reasoning_content, tool_calls })
}

fn tool_result(model: &ModelDefinition, content: Content, media: &mut MediaNotes) -> (String, Vec<Part>) {
    let text = crate::join::join(&texts(Some(&content)), "\n");
    let mut images = Vec::new();
    let mut placeholder = None;
    if let Content::Parts(parts) = content {
        for p in parts {
            if matches!(p, ContentPart::Text { .. }) {
                continue;
            }
            let image = matches!(p, ContentPart::Image { .. });
            let v = part(model, p, media);
            if is_placeholder(&v) {
                if let (None, Part::Text(t)) = (&placeholder, v) {
                    placeholder = Some(t);
                }
            } else if image {
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
