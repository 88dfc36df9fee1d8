//! What every request of every call goes through: its redirects, followed or refused as
//! [`crate::redirect::next_hop`] decides, and, after a network failure in a browser, the probes that
//! tell a dead server, a CORS refusal and a hidden 401 apart (all three are `Failed to fetch` to a
//! page; in `no-cors` mode even an opaque answer means a server is there).

use crate::http::HttpRequest;
use crate::redirect::{next_hop, Hop};
use crate::stream::{Answer, Driven, Halt, Moment, Next, Piece};
use crate::transport::{cors_check_url, wants_reachability_probe, FailureKind, TransportFailure};

/// A call whose requests are exchanged this way.
#[derive(Debug)]
pub struct Exchanging<C> {
    inner: C,
    state: State,
}

/// The exchange in flight (apart from the call, so that its code is compiled once for every call).
#[derive(Debug, Default)]
struct State {
    /// The request in flight (the latest hop) and how many redirects led to it; between an answer
    /// and the next request, only a followed redirect's target, which is sent next.
    hop: Option<(HttpRequest, usize)>,
    /// A network failure held for its probes, and how many have run.
    probing: Option<(TransportFailure, u8)>,
}

impl<C: Driven> Exchanging<C> {
    /// `inner`, its requests exchanged.
    pub fn new(inner: C) -> Self {
        Exchanging { inner, state: State::default() }
    }
}

impl<C> std::ops::Deref for Exchanging<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.inner
    }
}

impl<C> std::ops::DerefMut for Exchanging<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.inner
    }
}

impl State {
    fn ask(&mut self, inner: &mut dyn Driven, at: Moment) -> Next {
        // Once the caller has aborted, the failure is given as it is: its probes would only delay that.
        if let Some((f, done)) = self.probing.as_ref().filter(|_| !at.caller_aborted) {
            let probe = match done {
                0 => Some((f.url.clone(), "no-cors")),
                1 => cors_check_url(f).map(|url| (url, "cors")),
                _ => None,
            };
            if let Some((url, mode)) = probe {
                return Next::Probe(url, mode);
            }
        }
        if let Some((f, _)) = self.probing.take() {
            inner.opened(Err(f), at);
        }
        if self.hop.is_some() {
            return Next::Follow;
        }
        inner.ask(at)
    }

    fn request(&mut self, inner: &mut dyn Driven, at: Moment) -> Option<HttpRequest> {
        if let Some((req, _)) = &self.hop {
            return Some(req.clone());
        }
        let req = inner.request(at)?;
        self.hop = Some((req.clone(), 0));
        Some(req)
    }

    fn opened(&mut self, inner: &mut dyn Driven, answer: Result<Answer, TransportFailure>, at: Moment) {
        let Some((req, hops)) = self.hop.take() else { return inner.opened(answer, at) };
        let answer = match answer {
            Ok(a) => match next_hop(&req, a.status, a.location.as_deref(), hops) {
                Hop::Done => Ok(a),
                Hop::Follow(next) => {
                    self.hop = Some((next, hops + 1));
                    return;
                }
                Hop::Refuse(r) => Err(TransportFailure::new(FailureKind::Redirect(r), &req)),
            },
            Err(f) if wants_reachability_probe(&f) => {
                self.probing = Some((f, 0));
                return;
            }
            Err(f) => Err(f),
        };
        inner.opened(answer, at);
    }

    fn probed(&mut self, reachable: Option<bool>) {
        if let Some((f, done)) = &mut self.probing {
            match done {
                0 => f.probe_reachable = reachable,
                _ => f.health_readable = reachable,
            }
            *done += 1;
        }
    }
}

impl<C: Driven> Driven for Exchanging<C> {
    fn ask(&mut self, at: Moment) -> Next {
        self.state.ask(&mut self.inner, at)
    }

    fn request(&mut self, at: Moment) -> Option<HttpRequest> {
        self.state.request(&mut self.inner, at)
    }

    fn opened(&mut self, answer: Result<Answer, TransportFailure>, at: Moment) {
        self.state.opened(&mut self.inner, answer, at);
    }

    fn read(&mut self, piece: Piece, at: Moment) -> bool {
        self.inner.read(piece, at)
    }

    fn waited(&mut self, cut: Option<Halt>, at: Moment) {
        self.inner.waited(cut, at);
    }

    fn probed(&mut self, reachable: Option<bool>, _: Moment) {
        self.state.probed(reachable);
    }

    fn take_release(&mut self) -> Option<bool> {
        self.inner.take_release()
    }

    fn abandon(&mut self) {
        self.inner.abandon();
    }
}

#[cfg(test)]
mod tests;
