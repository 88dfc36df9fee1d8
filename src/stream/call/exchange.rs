//! What a call and the I/O layer tell each other: the next thing to do ([`Next`]), an answer's head
//! ([`Answer`]), a piece of its body ([`Piece`]), and which timer fired.

use super::super::Crossing;
use crate::error::ProviderError;

/// A watchdog the caller runs while it waits for the next piece of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watchdog {
    /// No event yet.
    FirstEvent,
    /// Events arrived; waiting for the next.
    Idle,
}

/// Which of the caller's timers fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    /// The whole-request timer.
    Request,
    /// A watchdog.
    Watchdog(Watchdog),
}

impl Fired {
    /// The timer as a number, for the JS that runs it.
    pub fn code(self) -> u32 {
        match self {
            Fired::Request => 0,
            Fired::Watchdog(Watchdog::FirstEvent) => 1,
            Fired::Watchdog(Watchdog::Idle) => 2,
        }
    }

    /// The timer [`Fired::code`] gave this number (the request's for any other).
    pub fn of_code(code: u32) -> Fired {
        [Fired::Watchdog(Watchdog::FirstEvent), Fired::Watchdog(Watchdog::Idle)].into_iter().find(|f| f.code() == code).unwrap_or(Fired::Request)
    }
}

/// What the caller does next.
#[derive(Debug)]
pub enum Next {
    /// Give these events out, in order: all that one piece of the body completed (`stream()` hands
    /// them to JS as one batch; `chat()` keeps only the result the last one, `done`, carries).
    Events(Crossing),
    /// Give this error out: it ends the call.
    Fail(ProviderError),
    /// The call is over: nothing more to give.
    End,
    /// Send the request ([`ChatCall::plan`]'s `http`; [`super::Driven::request`]), then report with
    /// [`ChatCall::opened`]. A fresh request: the call's guard readied anew, and its own timer.
    Open,
    /// Send the request again, to where its answer redirected ([`super::Driven::request`]), under the
    /// same guard and timer.
    Follow,
    /// A browser's probe: a bodiless GET of this URL in this mode (`no-cors` or `cors`) with its own
    /// timer ([`crate::http::PROBE_TIMEOUT_MS`]), to tell a dead server, a CORS refusal and a hidden 401 apart; report with
    /// [`super::Driven::probed`].
    Probe(String, &'static str),
    /// Read the next piece of the body, then report with [`ChatCall::piece`]; first (re)start this
    /// watchdog, when given.
    Read(Option<(Watchdog, u32)>),
    /// Part of a large read is still to decode: let the event loop run (a macrotask), then ask again.
    Pause,
    /// A try failed before its first byte and is made again: wait this many milliseconds (the
    /// caller's abort and timer still end the wait, reported as a failed [`Piece`]), then ask again.
    Wait(u32),
}

/// How much of a read is decoded at a time: a 24 MB body read at once is decoded in slices, with the
/// event loop free in between (a few milliseconds of work each).
pub const DECODE_SLICE: usize = 1 << 20;

/// The body of an answer, as the runtime has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// No body at all.
    None,
    /// A stream of bytes.
    Stream,
    /// Something that cannot be read as a stream (a caller's `fetch` may answer with anything).
    NotAStream,
}

/// The answer's head, once it arrived.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, as the runtime has it.
    pub body: Body,
    /// The `Location` header resolved against the request's URL (as the platform resolves it).
    pub location: Option<String>,
}

/// What one read of the body gave.
#[derive(Debug)]
pub enum Piece {
    /// Bytes (possibly none).
    Bytes(Vec<u8>),
    /// The end of the body.
    End,
    /// A chunk that was not bytes.
    NotBytes,
    /// The body's reader threw instead of reading (a caller's stream); what it threw.
    Unreadable(String),
    /// The read failed: the caller's abort, one of the caller's timers, or the connection.
    Failed {
        /// Whether the caller's signal has fired.
        caller_aborted: bool,
        /// Which of the caller's timers fired first, if one did.
        fired: Option<Fired>,
        /// The runtime's message, for a broken connection.
        message: String,
    },
}
