//! A [`Steps`] call driven like every other ([`Driven`]): each request's body is read whole, up to
//! its cap (the request's for a 2xx answer, 64 KiB for an error's), before the call hears of it.

use super::{Step, Steps};
use crate::http::{HttpRequest, HttpResponse, MAX_ERROR_BODY_BYTES};
use crate::stream::{Answer, Body, Driven, Halt, Moment, Next, Piece, NOT_A_STREAM};
use crate::transport::{absorb, FailureKind, Thrown, TransportFailure};

/// `steps`, with their requests' bodies read whole.
#[derive(Debug)]
pub struct Fetched<S> {
    steps: S,
    state: State,
}

/// The request in flight (apart from the steps, so that its code is compiled once for every kind).
#[derive(Debug)]
struct State {
    /// The request in flight and when it was sent.
    sent: Option<(HttpRequest, u64)>,
    /// Its answer, while the body is read.
    answer: Option<HttpResponse>,
}

impl<S: Steps> Fetched<S> {
    /// `steps`, with their requests' bodies read whole.
    pub fn new(steps: S) -> Self {
        Fetched { steps, state: State { sent: None, answer: None } }
    }
}

impl State {
    /// The request in flight is over: its response (with how long it took) or its failure.
    fn done(&mut self, steps: &mut dyn Steps, outcome: Result<HttpResponse, TransportFailure>, at: Moment) {
        let started = self.sent.take().map_or(at.now_ms, |(_, t)| t);
        let outcome = outcome.map(|r| HttpResponse { duration_ms: at.now_ms.saturating_sub(started) as u32, ..r });
        self.answer = None;
        steps.answered(outcome, at.caller_aborted, at.now_ms, at.random);
    }

    /// The answer arrived but its body could not be read. No page origin is named: the answer's head
    /// was readable, so it is no CORS refusal, which a page's failure without a cause would read as.
    fn failed(&mut self, steps: &mut dyn Steps, kind: FailureKind, what: String, at: Moment) {
        if let Some((req, _)) = &self.sent {
            let f = Thrown::text(what).failure(kind, req, None);
            self.done(steps, Err(f), at);
        }
    }

    fn ask(&mut self, steps: &mut dyn Steps, at: Moment) -> Next {
        if self.answer.is_some() {
            return Next::Read(None);
        }
        match steps.next(at.now_ms) {
            Step::Send(req) => {
                self.sent = Some((req, at.now_ms));
                Next::Open
            }
            Step::Wait(ms) => Next::Wait(ms),
            Step::Done => Next::End,
        }
    }

    fn opened(&mut self, steps: &mut dyn Steps, answer: Result<Answer, TransportFailure>, at: Moment) {
        match answer {
            Err(f) => self.done(steps, Err(f), at),
            Ok(Answer { body: Body::NotAStream, .. }) => self.failed(steps, FailureKind::UnreadableBody, NOT_A_STREAM.into(), at),
            Ok(Answer { status, headers, body, .. }) => {
                let out = HttpResponse { status, headers, ..HttpResponse::default() };
                if body == Body::None {
                    self.done(steps, Ok(out), at);
                } else {
                    self.answer = Some(out);
                }
            }
        }
    }

    fn read(&mut self, steps: &mut dyn Steps, piece: Piece, at: Moment) {
        let (Some(out), Some((req, _))) = (&mut self.answer, &self.sent) else { return };
        let cap = if out.is_success() { req.max_body_bytes } else { MAX_ERROR_BODY_BYTES };
        match absorb(out, piece, cap) {
            Ok(true) => {}
            Ok(false) => {
                let out = std::mem::take(out);
                self.done(steps, Ok(out), at);
            }
            Err((kind, what)) => self.failed(steps, kind, what, at),
        }
    }
}

impl<S: Steps> Driven for Fetched<S> {
    fn ask(&mut self, at: Moment) -> Next {
        self.state.ask(&mut self.steps, at)
    }

    fn request(&mut self, _: Moment) -> Option<HttpRequest> {
        self.state.sent.as_ref().map(|(req, _)| req.clone())
    }

    fn opened(&mut self, answer: Result<Answer, TransportFailure>, at: Moment) {
        self.state.opened(&mut self.steps, answer, at);
    }

    fn read(&mut self, piece: Piece, at: Moment) -> bool {
        self.state.read(&mut self.steps, piece, at);
        false
    }

    fn waited(&mut self, cut: Option<Halt>, _: Moment) {
        self.steps.waited(cut.as_ref().map(Halt::kind));
    }
}

#[cfg(test)]
mod tests;
