//! Tools and `tool_choice` (§5.3 item 9) for a proxy-style endpoint.

use super::model::compat_bool;
use super::notes::{Action, Notes};
use super::request::{Tool, ToolChoice};
use crate::error::ProviderError;
use crate::models::ModelDefinition;
use super::{obj1, put, put_s, s, tagged};
use serde_json::{Map, Value};

/// The `tools` and `tool_choice` values to send (`None` = key absent).
pub struct ToolFields {
    /// Sorted tool definitions.
    pub tools: Option<Value>,
    /// The reconciled choice.
    pub tool_choice: Option<Value>,
}

fn choice_error(message: String) -> ProviderError {
    ProviderError::config_at("toolChoice", message, "Pass the tool in `tools`, or leave `toolChoice` unset.")
}

/// Converts the tools (sorted by name) and reconciles the caller's choice against the survivors.
pub fn tool_fields(model: &ModelDefinition, tools: Option<&[Tool]>, choice: Option<&ToolChoice>, notes: &mut Notes) -> Result<ToolFields, ProviderError> {
    let tools = tools.unwrap_or(&[]);
    let mut list: Vec<&Tool> = Vec::new();
    if !compat_bool(model, "supportsTools", true) && !tools.is_empty() {
        notes.push("tools", Action::Dropped, "Tools were left out because the model row sets compat.supportsTools to false.");
    } else {
        for t in tools {
            if t.name.trim().is_empty() || !t.parameters.as_ref().is_none_or(Value::is_object) {
                notes.push("tools", Action::Dropped, format!("Tool \"{}\" was left out because it needs a non-empty name and an object as parameters.", t.name));
                continue;
            }
            // Sorted by name as they come, after equal names (stable, and no sort code in the wasm).
            let at = list.iter().position(|u| u.name > t.name).unwrap_or(list.len());
            list.insert(at, t);
        }
    }
    let strict = model.compat.as_ref().and_then(|c| c.get("supportsStrictMode")).and_then(Value::as_bool) == Some(true);
    let mut wire = Vec::new();
    for t in &list {
        let mut f = Map::new();
        put_s(&mut f, "name", &t.name);
        if let Some(d) = &t.description {
            put_s(&mut f, "description", d);
        }
        put(&mut f, "parameters", t.parameters.clone().unwrap_or_else(|| Value::Object(tagged("type", "object", "properties", Value::Object(Map::new())))));
        if strict {
            put(&mut f, "strict", Value::Bool(false));
        }
        wire.push(Value::Object(tagged("type", "function", "function", Value::Object(f))));
    }
    let tool_choice = match choice {
        None if list.is_empty() => None,
        None => {
            notes.push("tool_choice", Action::Added, "tool_choice \"auto\" is sent explicitly because OpenClaw does so for proxy-style servers whenever tools are offered.");
            Some(s("auto"))
        }
        Some(ToolChoice::Mode(mode)) => match mode.as_str() {
            "required" if list.is_empty() => {
                return Err(choice_error("OpenAI Chat Completions tool_choice requires a tool, but no tools survived schema conversion".into()))
            }
            "auto" | "none" | "required" if list.is_empty() => {
                notes.push("tool_choice", Action::Dropped, format!("tool_choice \"{mode}\" was left out because no tools are sent, and vLLM rejects a tool_choice without tools."));
                None
            }
            "auto" | "none" | "required" => Some(s(mode)),
            other => return Err(choice_error(format!("Unsupported tool_choice \"{other}\": use \"auto\", \"none\", \"required\" or {{ name }}"))),
        },
        Some(ToolChoice::Named { name }) | Some(ToolChoice::Function { function: super::request::NamedFunction { name } }) => {
            if !list.iter().any(|t| t.name == *name) {
                return Err(choice_error(format!("OpenAI Chat Completions tool_choice requested unavailable tool \"{name}\" after schema conversion")));
            }
            Some(Value::Object(tagged("type", "function", "function", obj1("name", s(name)))))
        }
    };
    if strict && !wire.is_empty() {
        notes.push("tools[].function.strict", Action::Added, "strict: false is sent on every tool because the model row sets compat.supportsStrictMode on a non-OpenAI endpoint.");
    }
    Ok(ToolFields { tools: (!wire.is_empty()).then_some(Value::Array(wire)), tool_choice })
}
