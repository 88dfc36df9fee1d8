//! Tools and `tool_choice` (§5.3 item 9) for a proxy-style endpoint.

use super::body;
use super::model::compat_bool;
use super::notes::{Action, Notes};
use super::request::{Tool, ToolChoice};
use crate::error::ProviderError;
use crate::models::ModelDefinition;
use serde_json::Value;

/// The `tools` and `tool_choice` values to send (`None` = key absent).
pub struct ToolFields {
    /// Sorted tool definitions.
    pub tools: Option<Vec<body::Tool>>,
    /// The reconciled choice.
    pub tool_choice: Option<body::ToolChoice>,
}

fn choice_error(message: String) -> ProviderError {
    ProviderError::config_at("toolChoice", message, "Pass the tool in `tools`, or leave `toolChoice` unset.")
}

/// Converts the tools (sorted by name) and reconciles the caller's choice against the survivors.
pub fn tool_fields(model: &ModelDefinition, tools: Option<Vec<Tool>>, choice: Option<&ToolChoice>, notes: &mut Notes) -> Result<ToolFields, ProviderError> {
    let tools = tools.unwrap_or_default();
    let mut kept: Vec<(&str, usize)> = Vec::new();
    if !compat_bool(model, "supportsTools", true) && !tools.is_empty() {
        notes.push("tools", Action::Dropped, "Tools were left out because the model row sets compat.supportsTools to false.");
    } else {
        for (i, t) in tools.iter().enumerate() {
            if t.name.trim().is_empty() || !t.parameters.as_ref().is_none_or(Value::is_object) {
                notes.push("tools", Action::Dropped, format!("Tool \"{}\" was left out because it needs a non-empty name and an object as parameters.", t.name));
                continue;
            }
            kept.push((&t.name, i));
        }
    }
    // Sorted by name, equal names in the order given (a heap's sort, by name then position: the
    // stable sort's code is kept out of the wasm, see scripts/size.mjs).
    let sorted: Vec<usize> = std::collections::BinaryHeap::from(kept).into_sorted_vec().into_iter().map(|(_, i)| i).collect();
    let strict = model.compat.as_ref().and_then(|c| c.get("supportsStrictMode")).and_then(Value::as_bool) == Some(true);
    // The kept tools move into the body (the request is read for this build alone).
    let mut tools: Vec<Option<Tool>> = tools.into_iter().map(Some).collect();
    let wire: Vec<body::Tool> = sorted
        .into_iter()
        .filter_map(|i| tools[i].take())
        .map(|function| body::Tool { function, strict })
        .collect();
    let list = &wire;
    let tool_choice = match choice {
        None if list.is_empty() => None,
        None => {
            notes.push("tool_choice", Action::Added, "tool_choice \"auto\" is sent explicitly because OpenClaw does so for proxy-style servers whenever tools are offered.");
            Some(body::ToolChoice::Mode("auto".to_string()))
        }
        Some(ToolChoice::Mode(mode)) => match mode.as_str() {
            "required" if list.is_empty() => {
                return Err(choice_error("OpenAI Chat Completions tool_choice requires a tool, but no tools survived schema conversion".into()))
            }
            "auto" | "none" | "required" if list.is_empty() => {
                notes.push("tool_choice", Action::Dropped, format!("tool_choice \"{mode}\" was left out because no tools are sent, and vLLM rejects a tool_choice without tools."));
                None
            }
            "auto" | "none" | "required" => Some(body::ToolChoice::Mode(mode.clone())),
            other => return Err(choice_error(format!("Unsupported tool_choice \"{other}\": use \"auto\", \"none\", \"required\" or {{ name }}"))),
        },
        Some(ToolChoice::Named { name }) | Some(ToolChoice::Function { function: super::request::NamedFunction { name } }) => {
            if !list.iter().any(|t| t.function.name == *name) {
                return Err(choice_error(format!("OpenAI Chat Completions tool_choice requested unavailable tool \"{name}\" after schema conversion")));
            }
            Some(body::ToolChoice::Named(name.clone()))
        }
    };
    if strict && !wire.is_empty() {
        notes.push("tools[].function.strict", Action::Added, "strict: false is sent on every tool because the model row sets compat.supportsStrictMode on a non-OpenAI endpoint.");
    }
    Ok(ToolFields { tools: (!wire.is_empty()).then_some(wire), tool_choice })
}
