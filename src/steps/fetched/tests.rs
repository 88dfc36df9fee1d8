//! Bodies read whole, capped, for the calls that want them whole.

// The outcomes built here are the ones the runtime reports: a response or a transport failure.
#![allow(clippy::result_large_err)]

use super::*;

/// Steps that send one request (after an optional wait) and keep what came of it.
#[derive(Default)]
struct Keep {
    wait_first: Option<u32>,
    cut: Option<Option<FailureKind>>,
    sent: bool,
    got: Option<Result<HttpResponse, TransportFailure>>,
}

impl Steps for Keep {
    fn next(&mut self, _: u64) -> Step {
        if let (Some(ms), None) = (self.wait_first, &self.cut) {
            return Step::Wait(ms);
        }
        if self.got.is_some() || matches!(self.cut, Some(Some(_))) {
            return Step::Done;
        }
        self.sent = true;
        Step::Send(HttpRequest { method: "GET".into(), url: "http://10.0.0.1:8000/v1/models".into(), headers: vec![], body: None, timeout_ms: None, max_body_bytes: 12 })
    }
    fn answered(&mut self, outcome: Result<HttpResponse, TransportFailure>, _: bool, _: u64, _: u32) {
        self.got = Some(outcome);
    }
    fn waited(&mut self, cut: Option<FailureKind>) {
        self.cut = Some(cut);
    }
}

fn at(now_ms: u64) -> Moment {
    Moment { now_ms, ..Moment::default() }
}

fn opened(status: u16, body: Body) -> Fetched<Keep> {
    let mut c = Fetched::new(Keep::default());
    assert!(matches!(c.ask(at(100)), Next::Open));
    assert_eq!(c.request(at(100)).unwrap().url, "http://10.0.0.1:8000/v1/models");
    c.opened(Ok(Answer { status, headers: vec![("content-type".into(), "application/json".into())], body, location: None }), at(110));
    c
}

#[test]
fn a_body_is_read_to_its_end_and_the_steps_get_it_whole_with_the_time_it_took() {
    let mut c = opened(200, Body::Stream);
    for piece in [&b"{\"da"[..], b"ta\":[]}"] {
        assert!(matches!(c.ask(at(120)), Next::Read(None)));
        c.read(Piece::Bytes(piece.to_vec()), at(120));
    }
    assert!(c.steps.got.is_none(), "not before its end");
    assert!(matches!(c.ask(at(130)), Next::Read(None)));
    c.read(Piece::End, at(150));
    let r = c.steps.got.take().unwrap().unwrap();
    assert_eq!((r.status, r.text().as_str(), r.truncated, r.duration_ms), (200, "{\"data\":[]}", false, 50));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
}

#[test]
fn a_body_past_the_requests_cap_is_cut_there_and_reading_stops() {
    let mut c = opened(200, Body::Stream);
    c.read(Piece::Bytes(b"0123456789abcdef".to_vec()), at(120));
    assert!(matches!(c.ask(at(120)), Next::End), "no more reads once the cap is reached");
    let r = c.steps.got.take().unwrap().unwrap();
    assert_eq!((r.text().as_str(), r.truncated), ("0123456789ab", true));
}

#[test]
fn an_error_answer_is_read_up_to_64_kib_whatever_the_requests_cap() {
    let mut c = opened(500, Body::Stream);
    c.read(Piece::Bytes(vec![b'x'; 70_000]), at(120));
    let r = c.steps.got.take().unwrap().unwrap();
    assert_eq!((r.body.len(), r.truncated), (MAX_ERROR_BODY_BYTES, true));
}

#[test]
fn an_answer_without_a_body_is_given_at_once_and_one_that_is_not_a_stream_is_a_failure() {
    let c = opened(204, Body::None);
    assert_eq!(c.steps.got.as_ref().unwrap().as_ref().unwrap().status, 204);
    let c = opened(200, Body::NotAStream);
    let f = c.steps.got.as_ref().unwrap().as_ref().unwrap_err();
    assert_eq!((&f.kind, f.message.as_str()), (&FailureKind::UnreadableBody, NOT_A_STREAM));
}

#[test]
fn a_read_that_fails_ends_the_request_as_its_failure() {
    let mut c = opened(200, Body::Stream);
    c.read(Piece::Failed { caller_aborted: false, fired: Some(crate::stream::Fired::Request), message: String::new() }, at(120));
    assert_eq!(c.steps.got.as_ref().unwrap().as_ref().unwrap_err().kind, FailureKind::Timeout);
    let mut c = opened(200, Body::Stream);
    c.read(Piece::Unreadable("the reader threw".into()), at(120));
    let f = c.steps.got.as_ref().unwrap().as_ref().unwrap_err();
    assert_eq!((&f.kind, f.message.as_str()), (&FailureKind::UnreadableBody, "the reader threw"));
}

#[test]
fn a_wait_cut_short_tells_the_steps_why() {
    let mut c = Fetched::new(Keep { wait_first: Some(500), ..Keep::default() });
    assert!(matches!(c.ask(at(0)), Next::Wait(500)));
    c.waited(Some(Halt::Timer(crate::stream::Fired::Request)), at(10));
    assert_eq!(c.steps.cut, Some(Some(FailureKind::Timeout)));
    assert!(matches!(c.ask(at(10)), Next::End));
    let mut c = Fetched::new(Keep { wait_first: Some(500), ..Keep::default() });
    c.ask(at(0));
    c.waited(None, at(500));
    assert!(matches!(c.ask(at(500)), Next::Open), "a wait that ran out goes on");
}

#[test]
fn a_read_the_callers_abort_ended_is_an_abort_and_an_error_answer_that_is_not_a_stream_is_unreadable() {
    let mut c = opened(200, Body::Stream);
    c.read(Piece::Failed { caller_aborted: true, fired: Some(crate::stream::Fired::Request), message: String::new() }, at(120));
    assert_eq!(c.steps.got.as_ref().unwrap().as_ref().unwrap_err().kind, FailureKind::Aborted);
    let c = opened(503, Body::NotAStream);
    assert_eq!(c.steps.got.as_ref().unwrap().as_ref().unwrap_err().kind, FailureKind::UnreadableBody);
}

#[test]
fn a_body_that_breaks_after_its_head_arrived_is_a_network_failure_not_a_cors_refusal() {
    let mut c = opened(200, Body::Stream);
    c.read(Piece::Failed { caller_aborted: false, fired: None, message: "network error".into() }, at(120));
    let f = c.steps.got.take().unwrap().unwrap_err();
    assert_eq!((&f.kind, f.page_origin.as_deref()), (&FailureKind::Network, None), "the head was readable: no page's refusal");
    let e = crate::transport::classify_transport(&f, "http://10.0.0.1:8000/v1");
    assert_eq!(e.code, crate::error::ErrorCode::Unreachable, "{}", e.message);
}
