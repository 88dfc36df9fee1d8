//! One chunk of a chat reply (or a whole non-streaming reply), read typed and borrowed from the event's
//! text: only the fields OpenClaw reads, each as `value.get(k)` with the JSON kind it expects (another
//! kind reads as absent; a repeated key's last value counts, as in a parsed object).

use super::usage::{Usage, UsageWire};
use crate::wire::{object_sink, First, Index, List, Present, Sink, Text, Truthy};
use std::borrow::Cow;

/// A string field.
type Str<'a> = Option<Cow<'a, str>>;

/// The top-level value of a chunk.
#[derive(Debug, Default)]
pub(super) struct Chunk<'a> {
    /// It is an object (anything else is skipped).
    pub object: bool,
    /// A truthy `error` field: the server reports a failure in band.
    pub error: Truthy,
    pub id: Str<'a>,
    pub model: Str<'a>,
    choices: First<Choice<'a>>,
    /// `usage`, when the key is there (whatever it holds: it hides `choices[0].usage`).
    usage: Present<UsageWire>,
}

object_sink!(impl<'de> for Chunk<'de>, object: object { "error" => error, "id" => id, "model" => model, "choices" => choices, "usage" => usage });

impl<'a> Chunk<'a> {
    /// `choices[0]`, when it is an object, and the usage: `chunk.usage`, else `choices[0].usage`.
    pub fn parts(self) -> (Option<Choice<'a>>, Option<Usage>) {
        let choice = self.choices.into_inner().filter(|c| c.object);
        let wire = match (&self.usage.0, &choice) {
            (Some(u), _) => Some(u),
            (None, Some(c)) => c.usage.0.as_ref(),
            (None, None) => None,
        };
        let usage = wire.filter(|u| u.object).map(UsageWire::usage);
        (choice, usage)
    }

    /// When all the chunk says is one string of `choices[0].delta` (no finish reason, usage, error,
    /// refusal, content parts, tool-call id or name, nor a second string), borrowed from the text (it
    /// held no escapes): which one, and the string.
    pub fn lone(&self) -> Option<(Lone, &'a str)> {
        if self.error.0 || self.usage.0.is_some() {
            return None;
        }
        let c = self.choices.first().filter(|c| c.object && c.finish_reason.is_none() && c.usage.0.is_none())?;
        let d = c.delta.0.as_ref().filter(|d| d.object && d.refusal.is_none() && d.content.parts.0.is_none())?;
        let mut said = match d.tool_calls.0.as_deref() {
            None => None,
            Some([ToolDelta { object: true, id: None, index: Index(Some(i)), function: Function { name: None, arguments } }]) => Some((Lone::Arguments(*i), arguments)),
            Some(_) => return None,
        };
        for (k, s) in (0..).zip([&d.reasoning_content, &d.reasoning, &d.reasoning_text, &d.content.text]) {
            if s.is_some() && said.replace((Lone::Text(k), s)).is_some() {
                return None;
            }
        }
        match said? {
            (lone, Some(Cow::Borrowed(s))) => Some((lone, s)),
            _ => None,
        }
    }
}

/// The string a chunk read by [`Chunk::lone`] says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lone {
    /// `reasoning_content`, `reasoning`, `reasoning_text` or `content` (0 to 3).
    Text(u8),
    /// `tool_calls[0].function.arguments`, of the call with this index.
    Arguments(u64),
}

/// `choices[0]`.
#[derive(Debug, Default)]
pub(super) struct Choice<'a> {
    object: bool,
    pub finish_reason: Str<'a>,
    delta: Present<Delta<'a>>,
    message: Present<Delta<'a>>,
    usage: Present<UsageWire>,
}

object_sink!(impl<'de> for Choice<'de>, object: object { "finish_reason" => finish_reason, "delta" => delta, "message" => message, "usage" => usage });

impl<'a> Choice<'a> {
    /// `choice.delta ?? choice.message`, when it is an object (a `delta` that is not one hides `message`).
    pub fn take_delta(&mut self) -> Option<Delta<'a>> {
        match self.delta.0.take() {
            Some(d) => Some(d).filter(|d| d.object),
            None => self.message.0.take().filter(|m| m.object),
        }
    }
}

/// A delta (or a non-streaming reply's message).
#[derive(Debug, Default)]
pub(super) struct Delta<'a> {
    object: bool,
    reasoning_content: Str<'a>,
    reasoning: Str<'a>,
    reasoning_text: Str<'a>,
    pub content: Content<'a>,
    pub refusal: Str<'a>,
    /// `tool_calls`, when it is an array.
    pub tool_calls: List<ToolDelta<'a>>,
}

object_sink!(impl<'de> for Delta<'de>, object: object {
    "reasoning_content" => reasoning_content, "reasoning" => reasoning, "reasoning_text" => reasoning_text,
    "content" => content, "refusal" => refusal, "tool_calls" => tool_calls,
});

impl<'a> Delta<'a> {
    /// The delta of a chunk [`Chunk::lone`] reads as `lone`, with `s` as its string.
    pub fn lone(lone: Lone, s: &'a str) -> Self {
        let mut d = Delta { object: true, ..Delta::default() };
        let s = Some(Cow::Borrowed(s));
        match lone {
            Lone::Text(k) => *[&mut d.reasoning_content, &mut d.reasoning, &mut d.reasoning_text, &mut d.content.text][usize::from(k) & 3] = s,
            Lone::Arguments(i) => d.tool_calls = List(Some(vec![ToolDelta { object: true, id: None, index: Index(Some(i)), function: Function { name: None, arguments: s } }])),
        }
        d
    }

    /// The first non-empty string among `reasoning_content`, `reasoning`, `reasoning_text`, and its field.
    pub fn reasoning(&mut self) -> Option<(&'static str, Cow<'a, str>)> {
        let fields = [
            ("reasoning_content", &mut self.reasoning_content),
            ("reasoning", &mut self.reasoning),
            ("reasoning_text", &mut self.reasoning_text),
        ];
        fields.into_iter().find_map(|(f, s)| s.take().filter(|s| !s.is_empty()).map(|s| (f, s)))
    }
}

/// `content`: a string, an array of parts, or anything else (ignored).
#[derive(Debug, Default)]
pub(super) struct Content<'a> {
    pub text: Str<'a>,
    pub parts: List<Part<'a>>,
}

impl<'de> Sink<'de> for Content<'de> {
    fn text(&mut self, s: Text<'de, '_>) {
        self.text = Some(s.into_cow());
    }
    fn array(&mut self) {
        self.parts.array();
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        self.parts.element()
    }
    fn end(&mut self) {
        self.parts.end();
    }
}

/// One content part: a bare string, or an object with a `type` (anything else is ignored).
#[derive(Debug, Default)]
pub(super) struct Part<'a> {
    /// A bare string.
    pub bare: Str<'a>,
    pub object: bool,
    /// `type` (`text` when it is missing or not a string).
    pub kind: Str<'a>,
    pub text: Str<'a>,
    pub refusal: Str<'a>,
    pub thinking: Str<'a>,
    pub reasoning: Str<'a>,
}

object_sink!(impl<'de> for Part<'de>, object: object {
    "type" => kind, "text" => text, "refusal" => refusal, "thinking" => thinking, "reasoning" => reasoning,
}
    fn text(&mut self, s: Text<'de, '_>) {
        self.bare = Some(s.into_cow());
    }
);

/// One entry of `delta.tool_calls` (entries that are not objects are skipped, and count for the position).
#[derive(Debug, Default)]
pub(super) struct ToolDelta<'a> {
    pub object: bool,
    pub id: Str<'a>,
    /// `index`, when it is a non-negative integer.
    pub index: Index,
    /// `function`: its `name` and `arguments` are read when it is an object.
    pub function: Function<'a>,
}

object_sink!(impl<'de> for ToolDelta<'de>, object: object { "id" => id, "index" => index, "function" => function });

/// `function` of a tool-call delta.
#[derive(Debug, Default)]
pub(super) struct Function<'a> {
    pub name: Str<'a>,
    pub arguments: Str<'a>,
}

object_sink!(impl<'de> for Function<'de> { "name" => name, "arguments" => arguments });

/// An in-band error frame, as far as telling a bare error object from a wrapped one goes.
#[derive(Debug, Default)]
pub(super) struct ErrorFrame {
    pub object: bool,
    /// `error` is there (whatever it holds).
    pub error: bool,
    /// `message` is there (whatever it holds).
    pub message: bool,
}

impl<'de> Sink<'de> for ErrorFrame {
    fn object(&mut self) {
        self.object = true;
    }
    fn field(&mut self, key: &str) -> Option<&mut dyn Sink<'de>> {
        match key {
            "error" => self.error = true,
            "message" => self.message = true,
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;
    use serde_json::Value;

    /// What a chunk says, as the reading before typed structs took it from a walked `Value` (the oracle).
    fn by_value(text: &str) -> Option<String> {
        let v: Value = crate::json::parse(text.as_bytes()).ok()?;
        let Some(obj) = v.as_object() else { return Some("not an object".into()) };
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let truthy = match obj.get("error") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(t)) => !t.is_empty(),
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            _ => true,
        };
        let choice = obj.get("choices").and_then(|c| c.get(0)).and_then(Value::as_object);
        let delta = choice.and_then(|c| c.get("delta").or_else(|| c.get("message"))).and_then(Value::as_object);
        let usage = obj.get("usage").or_else(|| choice.and_then(|c| c.get("usage"))).and_then(super::super::usage::parse_usage);
        let mut out = format!("{truthy} {:?} {:?} {:?} {usage:?}", s(obj.get("id")), s(obj.get("model")), choice.map(|c| s(c.get("finish_reason"))));
        if let Some(d) = delta {
            let reasoning = ["reasoning_content", "reasoning", "reasoning_text"].iter().find_map(|f| d.get(*f).and_then(Value::as_str).filter(|t| !t.is_empty()).map(|t| (*f, t)));
            let content = match d.get("content") {
                Some(Value::String(t)) => format!("text {t:?}"),
                Some(Value::Array(parts)) => format!(
                    "parts {:?}",
                    parts
                        .iter()
                        .map(|p| match p {
                            Value::String(t) => format!("bare {t:?}"),
                            Value::Object(o) => format!("{:?} {:?} {:?} {:?} {:?}", s(o.get("type")), s(o.get("text")), s(o.get("refusal")), s(o.get("thinking")), s(o.get("reasoning"))),
                            _ => "skip".into(),
                        })
                        .collect::<Vec<_>>()
                ),
                _ => "none".into(),
            };
            let tools = match d.get("tool_calls") {
                Some(Value::Array(calls)) => format!(
                    "{:?}",
                    calls
                        .iter()
                        .map(|c| c.as_object().map(|c| {
                            let f = c.get("function");
                            (s(c.get("id")), c.get("index").and_then(Value::as_u64), s(f.and_then(|f| f.get("name"))), s(f.and_then(|f| f.get("arguments"))))
                        }))
                        .collect::<Vec<_>>()
                ),
                _ => "none".into(),
            };
            out.push_str(&format!(" delta {reasoning:?} {content} {:?} {tools}", s(d.get("refusal"))));
        }
        Some(out)
    }

    fn typed(text: &str) -> Option<String> {
        let c = crate::wire::parse::<Chunk>(text).ok()?;
        if !c.object {
            return Some("not an object".into());
        }
        let head = format!("{} {:?} {:?}", c.error.0, c.id.as_deref().map(str::to_string), c.model.as_deref().map(str::to_string));
        let (choice, usage) = c.parts();
        let mut out = format!("{head} {:?} {usage:?}", choice.as_ref().map(|c| c.finish_reason.as_deref().map(str::to_string)));
        if let Some(mut d) = choice.and_then(|mut c| c.take_delta()) {
            let reasoning = d.reasoning();
            let content = match (&d.content.text, &d.content.parts.0) {
                (Some(t), _) => format!("text {t:?}"),
                (None, Some(parts)) => format!(
                    "parts {:?}",
                    parts
                        .iter()
                        .map(|p| match (&p.bare, p.object) {
                            (Some(t), _) => format!("bare {t:?}"),
                            (None, true) => format!("{:?} {:?} {:?} {:?} {:?}", p.kind, p.text, p.refusal, p.thinking, p.reasoning),
                            _ => "skip".into(),
                        })
                        .collect::<Vec<_>>()
                ),
                _ => "none".into(),
            };
            let tools = match &d.tool_calls.0 {
                Some(calls) => format!(
                    "{:?}",
                    calls.iter().map(|c| c.object.then(|| (c.id.as_deref().map(str::to_string), c.index.0, c.function.name.as_deref().map(str::to_string), c.function.arguments.as_deref().map(str::to_string)))).collect::<Vec<_>>()
                ),
                None => "none".into(),
            };
            out.push_str(&format!(" delta {:?} {content} {:?} {tools}", reasoning.as_ref().map(|(f, t)| (*f, &**t)), d.refusal.as_deref().map(str::to_string)));
        }
        Some(out)
    }

    /// A value of a random kind; `depth` bounds nesting.
    fn any(rng: &mut Rng, depth: usize, keys: &[&str]) -> String {
        match rng.below(if depth == 0 { 7 } else { 9 }) {
            0 => "null".into(),
            1 => rng.pick(&["true", "false"]).into(),
            2 => rng.pick(&["0", "1", "-3", "2.5", "1e2", "-0", "18446744073709551616"]).into(),
            3 | 4 => rng.pick(&["\"\"", "\"a\"", "\"</think>b\"", "\"x\\ny\"", "\"text\"", "\"refusal\"", "\"thinking\"", "\"a.output_text\""]).into(),
            5 | 6 if depth > 0 => object(rng, depth - 1, keys),
            _ => {
                let n = rng.below(3);
                let items: Vec<String> = (0..n).map(|_| any(rng, depth.saturating_sub(1), keys)).collect();
                format!("[{}]", crate::join::join(&items, ","))
            }
        }
    }

    fn object(rng: &mut Rng, depth: usize, keys: &[&str]) -> String {
        let n = rng.below(6);
        let fields: Vec<String> = (0..n)
            .map(|_| {
                let k = rng.pick(keys);
                // Mostly the shape the key has on the wire, so that deep fields are reached.
                let v = match k {
                    "choices" | "tool_calls" | "content" if depth > 0 && rng.chance(70) => {
                        let items: Vec<String> = (0..rng.below(3) + 1).map(|_| object(rng, depth - 1, keys)).collect();
                        format!("[{}]", crate::join::join(&items, ","))
                    }
                    "delta" | "message" | "function" | "usage" | "prompt_tokens_details" if depth > 0 && rng.chance(70) => object(rng, depth - 1, keys),
                    _ => any(rng, depth, keys),
                };
                format!("\"{k}\":{v}")
            })
            .collect();
        format!("{{{}}}", crate::join::join(&fields, ","))
    }

    #[test]
    fn typed_reading_of_chunks_agrees_with_walking_a_value() {
        let keys = [
            "error", "id", "model", "choices", "usage", "finish_reason", "delta", "message", "reasoning_content", "reasoning",
            "reasoning_text", "content", "refusal", "tool_calls", "type", "text", "thinking", "index", "function", "name",
            "arguments", "prompt_tokens", "completion_tokens", "prompt_tokens_details", "cached_tokens", "completion_tokens_details",
            "reasoning_tokens", "other",
        ];
        let mut rng = Rng(2026);
        let mut objects = 0;
        for _ in 0..20_000 {
            let text = match rng.below(2) {
                0 => object(&mut rng, 5, &keys),
                _ => {
                    let (id, delta, finish, usage) = (any(&mut rng, 1, &keys), object(&mut rng, 4, &keys), any(&mut rng, 0, &keys), object(&mut rng, 2, &keys));
                    format!(r#"{{"id":{id},"choices":[{{"delta":{delta},"finish_reason":{finish}}}],"usage":{usage}}}"#)
                }
            };
            let want = by_value(&text);
            assert_eq!(typed(&text), want, "{text}");
            objects += usize::from(want.is_some_and(|w| w.contains("delta")));
        }
        assert!(objects > 5000, "the generator reaches deltas ({objects})");
        for fixture in std::fs::read_dir("tests/fixtures/vllm/v0.33.0").unwrap().chain(std::fs::read_dir("tests/fixtures/vllm/v0.11.0").unwrap()) {
            let text = std::fs::read_to_string(fixture.unwrap().path()).unwrap();
            for line in text.lines().filter_map(|l| l.strip_prefix("data: ")).chain([text.as_str()]) {
                assert_eq!(typed(line), by_value(line), "{line}");
            }
        }
    }
}
