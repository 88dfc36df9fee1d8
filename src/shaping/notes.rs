//! Notes: why the prepared body differs from what a native-OpenAI client would send.

use serde::Serialize;

/// What happened to a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Left out of the body (or the headers).
    Dropped,
    /// Put in although a native client would not send it.
    Added,
    /// Sent under another name.
    Renamed,
    /// Sent with a smaller value than asked.
    Clamped,
    /// Replaced by a later source.
    Overridden,
}

impl Action {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dropped => "dropped",
            Action::Added => "added",
            Action::Renamed => "renamed",
            Action::Clamped => "clamped",
            Action::Overridden => "overridden",
        }
    }
}

serialize_as_str!(Action);

/// One explained difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The body field (dotted) or `headers.<Name>`.
    pub field: String,
    /// What happened.
    pub action: Action,
    /// Why, in a full sentence.
    pub reason: String,
}

/// The notes of one build, in the order the decisions were made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes(pub Vec<Note>);

impl Notes {
    /// Records a decision.
    pub fn push(&mut self, field: impl Into<String>, action: Action, reason: impl Into<String>) {
        self.record(field.into(), action, reason.into());
    }

    /// Whether a note about `field` was recorded.
    #[inline(never)]
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|n| n.field == field)
    }

    #[inline(never)]
    fn record(&mut self, field: String, action: Action, reason: String) {
        self.0.push(Note { field, action, reason });
    }
}
