//! The one way the runtime drives every call (`chat()`, `stream()`, discovery, diagnosis): it asks
//! [`Driven::ask`] what to do, does it, and reports what came of it. The runtime's loop is the same
//! for every kind of call, so it holds no decision of any.

use super::{Answer, ChatCall, Fired, Next, Piece};
use crate::config::Provider;
use crate::http::HttpRequest;
use crate::stream::UNUSABLE_RESPONSE;
use crate::transport::{FailureKind, Thrown, TransportFailure};
use std::rc::Rc;

/// What the runtime knows each time it asks or reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moment {
    /// Milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// Whether the caller's signal has fired.
    pub caller_aborted: bool,
    /// A random number (a retry's backoff is jittered with it).
    pub random: u32,
}

/// Why one of the runtime's waits ended without what it awaited.
#[derive(Debug)]
pub enum Halt {
    /// One of the call's timers fired (the request has been aborted).
    Timer(Fired),
    /// The caller's signal fired, or the call was ended.
    Aborted,
    /// The awaited promise rejected with this.
    Rejected(Thrown),
    /// The body's reader threw this instead of reading (a caller's stream, not a platform one).
    ReadThrew(Thrown),
}

impl Halt {
    /// What a wait that ended so means for a request: it timed out, or it was aborted.
    pub fn kind(&self) -> FailureKind {
        if let Halt::Timer(_) = self { FailureKind::Timeout } else { FailureKind::Aborted }
    }

    /// The failure of `req` when sending it ended so (a rejection is the network's).
    pub fn failure(self, req: &HttpRequest, page_origin: Option<String>) -> TransportFailure {
        match self {
            Halt::Rejected(thrown) | Halt::ReadThrew(thrown) => TransportFailure { rejected: true, ..thrown.failure(FailureKind::Network, req, page_origin) },
            halt => Thrown::default().failure(halt.kind(), req, page_origin),
        }
    }

    /// The piece of a body a read that ended so gives.
    pub fn piece(self, caller_aborted: bool) -> Piece {
        let (fired, message) = match self {
            Halt::ReadThrew(thrown) => return Piece::Unreadable(format!("{UNUSABLE_RESPONSE}: its reader's read() threw ({})", thrown.message)),
            Halt::Timer(fired) => (Some(fired), String::new()),
            Halt::Rejected(thrown) => (None, thrown.read_failure()),
            Halt::Aborted => (None, String::new()),
        };
        Piece::Failed { caller_aborted, fired, message }
    }

    /// What a browser probe's wait found ([`Next::Probe`]): whether an answer came; `None` when its
    /// own timer ([`crate::http::PROBE_TIMEOUT_MS`]) or the call's end came first.
    pub fn reachable(waited: Result<(), Halt>) -> Option<bool> {
        match waited {
            Ok(()) => Some(true),
            Err(Halt::Rejected(_)) => Some(false),
            Err(_) => None,
        }
    }
}

/// A call as the runtime drives it. Each method is told the [`Moment`]; nothing is awaited here.
pub trait Driven {
    /// What to do next.
    fn ask(&mut self, at: Moment) -> Next;
    /// The request to send for [`Next::Open`] (`None`: nothing to send after all; ask again).
    fn request(&mut self, at: Moment) -> Option<HttpRequest>;
    /// What came of sending: the answer's head, or why none arrived.
    fn opened(&mut self, answer: Result<Answer, TransportFailure>, at: Moment);
    /// What one read of the body gave; `true` when the server showed a sign of life (the runtime then
    /// stops the watchdogs).
    fn read(&mut self, piece: Piece, at: Moment) -> bool;
    /// How a [`Next::Wait`] ended: `None` when it ran out.
    fn waited(&mut self, cut: Option<Halt>, at: Moment);
    /// What a [`Next::Probe`] found: whether an answer came (`None`: its own timer fired first).
    fn probed(&mut self, _reachable: Option<bool>, _at: Moment) {}
    /// `Some(abort)` once the call has ended: the runtime cancels the body and clears the timers
    /// (aborting the request too with `true`).
    fn take_release(&mut self) -> Option<bool> {
        None
    }
    /// The call is dropped unfinished (a `stream()` iterator nobody drained): it stops, and gives up
    /// what it holds (then [`Driven::take_release`] says to abort the request).
    fn abandon(&mut self) {}
}

/// `chat()`/`stream()`: a [`ChatCall`] over its provider's replicas.
#[derive(Debug)]
pub struct Chat {
    call: ChatCall,
    provider: Rc<Provider>,
}

impl Chat {
    /// The call `call` (see [`ChatCall::routed`]) on `provider`.
    pub fn new(call: ChatCall, provider: Rc<Provider>) -> Self {
        Chat { call, provider }
    }
}

impl std::ops::Deref for Chat {
    type Target = ChatCall;
    fn deref(&self) -> &ChatCall {
        &self.call
    }
}

impl std::ops::DerefMut for Chat {
    fn deref_mut(&mut self) -> &mut ChatCall {
        &mut self.call
    }
}

impl Driven for Chat {
    fn ask(&mut self, at: Moment) -> Next {
        self.call.next(at.caller_aborted)
    }

    fn request(&mut self, at: Moment) -> Option<HttpRequest> {
        self.call.aim(&self.provider, at.now_ms);
        self.call.plan().map(|p| p.http.clone())
    }

    fn opened(&mut self, answer: Result<Answer, TransportFailure>, at: Moment) {
        // Not kept (tried again): the runtime cancels the body when it waits or sends next.
        self.call.answered(answer, &self.provider, at.now_ms, at.random);
    }

    fn read(&mut self, piece: Piece, _: Moment) -> bool {
        self.call.piece(piece);
        self.call.take_alive()
    }

    fn waited(&mut self, cut: Option<Halt>, at: Moment) {
        if let Some(halt) = cut {
            self.call.piece(halt.piece(at.caller_aborted));
        }
    }

    fn take_release(&mut self) -> Option<bool> {
        self.call.take_release()
    }

    // A trial request it held on a recovering replica is freed too.
    fn abandon(&mut self) {
        self.call.cancel();
        self.call.abandon(&self.provider);
    }
}
