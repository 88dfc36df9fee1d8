//! Redirects and probes, as every request of every call goes through them.

// The outcomes built here are the ones the runtime reports: an answer or a transport failure.
#![allow(clippy::result_large_err)]

use super::*;
use crate::redirect::Refusal;
use crate::stream::Body;

/// A call that sends one request and keeps what came of it.
#[derive(Default)]
struct One {
    sent: bool,
    got: Option<Result<Answer, TransportFailure>>,
}

impl Driven for One {
    fn ask(&mut self, _: Moment) -> Next {
        if self.got.is_some() { Next::End } else { Next::Open }
    }
    fn request(&mut self, _: Moment) -> Option<HttpRequest> {
        self.sent = true;
        Some(HttpRequest { method: "POST".into(), url: "http://10.0.0.1:8000/v1/chat/completions".into(), headers: vec![], body: Some("{}".into()), timeout_ms: Some(9_000), max_body_bytes: 1 << 20 })
    }
    fn opened(&mut self, answer: Result<Answer, TransportFailure>, _: Moment) {
        self.got = Some(answer);
    }
    fn read(&mut self, _: Piece, _: Moment) -> bool {
        false
    }
    fn waited(&mut self, _: Option<Halt>, _: Moment) {}
}

fn answer(status: u16, location: Option<&str>) -> Result<Answer, TransportFailure> {
    Ok(Answer { status, headers: vec![], body: Body::Stream, location: location.map(Into::into) })
}

fn sent<C: Driven>(c: &mut Exchanging<C>, expect: Next) -> HttpRequest {
    let next = c.ask(Moment::default());
    assert_eq!(std::mem::discriminant(&next), std::mem::discriminant(&expect), "{next:?}");
    c.request(Moment::default()).unwrap()
}

#[test]
fn a_same_origin_redirect_is_followed_under_the_same_timer_and_the_call_sees_only_the_last_answer() {
    let mut c = Exchanging::new(One::default());
    let first = sent(&mut c, Next::Open);
    c.opened(answer(307, Some("http://10.0.0.1:8000/v1/chat/completions/")), Moment::default());
    assert!(c.got.is_none(), "the redirect itself is not the answer");
    let second = sent(&mut c, Next::Follow);
    assert_eq!(second.url, "http://10.0.0.1:8000/v1/chat/completions/");
    assert_eq!((second.method.as_str(), second.body.as_deref(), second.timeout_ms), ("POST", Some("{}"), first.timeout_ms));
    c.opened(answer(200, None), Moment::default());
    assert!(matches!(c.got, Some(Ok(Answer { status: 200, .. }))));
    assert!(matches!(c.ask(Moment::default()), Next::End));
}

#[test]
fn a_cross_origin_redirect_ends_the_request_as_a_refusal() {
    let mut c = Exchanging::new(One::default());
    sent(&mut c, Next::Open);
    c.opened(answer(302, Some("http://evil.example/v1/chat/completions")), Moment::default());
    let f = c.got.take().unwrap().unwrap_err();
    assert!(matches!(f.kind, FailureKind::Redirect(Refusal::CrossOrigin { status: 302, .. })), "{f:?}");
    assert_eq!(f.url, "http://10.0.0.1:8000/v1/chat/completions");
}

#[test]
fn redirects_past_the_limit_are_refused() {
    let mut c = Exchanging::new(One::default());
    let mut next = Next::Open;
    for hop in 0..=crate::redirect::MAX_REDIRECTS + 1 {
        let req = sent(&mut c, next);
        c.opened(answer(307, Some(&format!("{}x", req.url))), Moment::default());
        if c.got.is_some() {
            assert_eq!(hop, crate::redirect::MAX_REDIRECTS, "the answer after the last redirect followed is refused");
            break;
        }
        next = Next::Follow;
    }
    assert!(matches!(c.got, Some(Err(TransportFailure { kind: FailureKind::Redirect(Refusal::TooMany { .. }), .. }))));
}

/// A browser's `TypeError: Failed to fetch`, as the runtime reports a rejected fetch.
fn failed_in_a_page(req: &HttpRequest) -> Result<Answer, TransportFailure> {
    let thrown = crate::transport::Thrown { name: Some("TypeError".into()), ..crate::transport::Thrown::text("Failed to fetch") };
    Err(Halt::Rejected(thrown).failure(req, Some("http://127.0.0.1:5173".into())))
}

#[test]
fn a_network_failure_in_a_cross_origin_page_is_probed_before_the_call_hears_of_it() {
    let mut c = Exchanging::new(One::default());
    let req = sent(&mut c, Next::Open);
    c.opened(failed_in_a_page(&req), Moment::default());
    assert!(c.got.is_none(), "held for the probes");
    match c.ask(Moment::default()) {
        Next::Probe(url, "no-cors") => assert_eq!(url, req.url),
        other => panic!("{other:?}"),
    }
    c.probed(Some(true), Moment::default());
    match c.ask(Moment::default()) {
        Next::Probe(url, "cors") => assert_eq!(url, "http://10.0.0.1:8000/health"),
        other => panic!("{other:?}"),
    }
    c.probed(Some(true), Moment::default());
    assert!(matches!(c.ask(Moment::default()), Next::End));
    let f = c.got.take().unwrap().unwrap_err();
    assert_eq!((f.probe_reachable, f.health_readable), (Some(true), Some(true)));
}

/// A call whose request failed in a cross-origin page, once its `no-cors` probe found `reachable`.
fn probed_once(reachable: Option<bool>) -> Exchanging<One> {
    let mut c = Exchanging::new(One::default());
    let req = sent(&mut c, Next::Open);
    c.opened(failed_in_a_page(&req), Moment::default());
    assert!(matches!(c.ask(Moment::default()), Next::Probe(_, "no-cors")));
    c.probed(reachable, Moment::default());
    c
}

#[test]
fn nothing_answering_the_no_cors_probe_skips_the_health_probe() {
    let mut c = probed_once(Some(false));
    assert!(matches!(c.ask(Moment::default()), Next::End));
    let f = c.got.take().unwrap().unwrap_err();
    assert_eq!((f.probe_reachable, f.health_readable), (Some(false), None));
}

#[test]
fn a_failure_node_names_is_not_probed() {
    let mut c = Exchanging::new(One::default());
    let req = sent(&mut c, Next::Open);
    // Rejected in a cross-origin page, as a probed failure is, but with Node's cause code.
    let f = failed_in_a_page(&req).map_err(|f| TransportFailure { cause_code: Some("ECONNREFUSED".into()), ..f });
    c.opened(f, Moment::default());
    assert!(matches!(c.got, Some(Err(TransportFailure { kind: FailureKind::Network, .. }))));
}

#[test]
fn an_answer_the_runtime_could_not_use_is_not_probed() {
    // `Response.error()` (status 0) from a caller's fetch: a network failure, but fetch did not reject.
    let mut c = Exchanging::new(One::default());
    let req = sent(&mut c, Next::Open);
    let unusable = crate::transport::Thrown::text("fetch answered a network error (a Response of status 0)");
    c.opened(Err(unusable.failure(FailureKind::Network, &req, Some("http://127.0.0.1:5173".into()))), Moment::default());
    assert!(matches!(c.got, Some(Err(TransportFailure { kind: FailureKind::Network, probe_reachable: None, .. }))));
}

#[test]
fn once_the_caller_aborted_a_held_failure_is_given_without_its_probes() {
    let mut c = probed_once(Some(true));
    let aborted = Moment { caller_aborted: true, ..Moment::default() };
    assert!(matches!(c.ask(aborted), Next::End), "no health probe after the abort");
    let f = c.got.take().unwrap().unwrap_err();
    assert_eq!((f.probe_reachable, f.health_readable), (Some(true), None));
}

#[test]
fn a_chat_redirected_then_answered_503_is_tried_again_on_the_next_replica_at_its_own_url() {
    use crate::config::{resolve, ConfigInput, ResolveInput};
    use crate::stream::{CallTimeouts, Chat, ChatCall};
    let config = serde_json::json!({"models": {"providers": {"vllm": {"baseUrl": "http://10.0.0.1:8000/v1", "apiKey": "k", "api": "openai-completions", "models": [{"id": "m", "name": "m"}]}}}});
    let base_urls = Some(serde_json::json!(["http://10.0.0.2:8000/v1"]));
    let p = std::rc::Rc::new(resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), base_urls, ..Default::default() }).unwrap());
    let timeouts = CallTimeouts { request_ms: Some(60_000), ..Default::default() };
    let chat = ChatCall::routed(&p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, timeouts, crate::replicas::CallRouting::default(), [7; 4], 0);
    let mut c = Exchanging::new(Chat::new(chat, p.clone()));
    assert_eq!(sent(&mut c, Next::Open).url, "http://10.0.0.1:8000/v1/chat/completions");
    c.opened(answer(307, Some("http://10.0.0.1:8000/v1/chat/completions/")), Moment::default());
    assert_eq!(sent(&mut c, Next::Follow).url, "http://10.0.0.1:8000/v1/chat/completions/");
    c.opened(answer(503, None), Moment::default());
    let retry = sent(&mut c, Next::Open);
    assert_eq!(retry.url, "http://10.0.0.2:8000/v1/chat/completions", "a fresh request to the next replica, not the last hop");
}
