//! The discovery and diagnosis drivers, stepped the way the wasm layer steps them.

// The outcomes built here are the ones the runtime reports: a response or a transport failure.
#![allow(clippy::result_large_err)]

use super::*;
use crate::config::{resolve, ConfigInput, ResolveInput};
use serde_json::json;

const KEY: &str = "sk-steps-test-secret";

fn provider(base_urls: serde_json::Value) -> Provider {
    let config = json!({"models": {"providers": {"vllm": {"baseUrl": "http://10.0.0.1:8000/v1", "apiKey": KEY, "api": "openai-completions", "models": [{"id": "m", "name": "m"}]}}}});
    resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), base_urls: Some(base_urls), ..Default::default() }).unwrap()
}

fn answer(status: u16, body: &str) -> crate::diagnose::Outcome {
    Ok(HttpResponse { status, body: body.as_bytes().to_vec(), ..Default::default() })
}

fn refused(req: &HttpRequest) -> crate::diagnose::Outcome {
    Err(TransportFailure { cause_code: Some("ECONNREFUSED".into()), message: "fetch failed".into(), ..TransportFailure::new(FailureKind::Network, req) })
}

fn sent(step: Step) -> HttpRequest {
    match step {
        Step::Send(req) => req,
        other => panic!("expected a request, got {other:?}"),
    }
}

const MODELS: &str = r#"{"object":"list","data":[{"id":"Qwen/Qwen3-8B","object":"model","max_model_len":32768}]}"#;

#[test]
fn discovery_tries_the_next_replica_after_a_503_and_returns_its_models() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let mut call = DiscoveryCall::new(&p, CallRouting::default(), Some(10_000), 0);
    let first = sent(call.next(0));
    assert_eq!(first.url, "http://10.0.0.1:8000/v1/models");
    call.answered(answer(503, "busy"), false, 10, 0);
    assert!(matches!(call.next(10), Step::Wait(0)), "another healthy replica: no backoff");
    call.waited(None);
    let second = sent(call.next(20));
    assert_eq!(second.url, "http://10.0.0.2:8000/v1/models");
    assert!(second.timeout_ms.is_some_and(|ms| ms <= 9_980), "the try gets what is left of the call's time");
    call.answered(answer(200, MODELS), false, 30, 0);
    assert!(matches!(call.next(30), Step::Done));
    assert_eq!(call.result().unwrap()[0].id, "Qwen/Qwen3-8B");
}

#[test]
fn discovery_gives_a_refusal_it_does_not_retry_as_an_error_without_secrets() {
    let p = provider(json!([]));
    let mut call = DiscoveryCall::new(&p, CallRouting { retries: 0, ..Default::default() }, None, 0);
    let req = sent(call.next(0));
    call.answered(answer(401, &format!("bad key {KEY}")), false, 5, 0);
    assert!(matches!(call.next(5), Step::Done));
    let e = call.result().unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth);
    assert!(!format!("{e:?}").contains(KEY));
    assert!(req.headers.iter().any(|(k, _)| k == "Authorization"));
}

#[test]
fn discovery_ended_by_its_timer_during_a_retry_wait_times_out() {
    let p = provider(json!([]));
    let mut call = DiscoveryCall::new(&p, CallRouting { retries: 2, ..Default::default() }, Some(60_000), 0);
    let req = sent(call.next(100));
    assert_eq!(req.timeout_ms, Some(59_900));
    call.answered(refused(&req), false, 105, 0);
    let Step::Wait(ms) = call.next(105) else { panic!("a single refused server is tried again after a backoff") };
    assert!(ms > 0);
    call.waited(Some(FailureKind::Timeout));
    assert!(matches!(call.next(60_000), Step::Done));
    let e = call.result().unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.message.contains("within 60000 ms"), "the caller's timeout, not what the try had left: {}", e.message);
}

#[test]
fn a_discovery_that_times_out_names_the_callers_timeout_not_what_its_try_had_left() {
    let p = provider(json!([]));
    let mut call = DiscoveryCall::new(&p, CallRouting::default(), Some(200), 0);
    let req = sent(call.next(1));
    assert_eq!(req.timeout_ms, Some(199), "the try's own timer is what is left");
    call.answered(Err(TransportFailure::new(FailureKind::Timeout, &req)), false, 200, 0);
    assert!(matches!(call.next(200), Step::Done));
    let e = call.result().unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.message.contains("within 200 ms"), "{}", e.message);
}

#[test]
fn diagnose_runs_each_replica_in_turn_and_merges_their_reports() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let mut run = DiagnoseRun::new(&p, DiagnoseOptions::default());
    let mut urls = Vec::new();
    loop {
        match run.next(100) {
            Step::Send(req) => {
                urls.push(req.url.clone());
                run.answered(refused(&req), false, 150, 0);
            }
            Step::Wait(_) => panic!("a diagnosis does not wait"),
            Step::Done => break,
        }
    }
    let report = run.result().unwrap();
    assert_eq!(urls, ["http://10.0.0.1:8000/health", "http://10.0.0.2:8000/health"], "an unreachable server gets no further probes");
    assert!(!report.ok);
    assert!(report.checks.iter().any(|c| c.id == "replicas"));
}

#[test]
fn diagnose_ends_with_aborted_once_the_callers_signal_fired() {
    let p = provider(json!([]));
    let mut run = DiagnoseRun::new(&p, DiagnoseOptions::default());
    let req = sent(run.next(0));
    run.answered(refused(&req), true, 1, 0);
    assert!(matches!(run.next(1), Step::Done));
    assert_eq!(run.result().unwrap_err().code, ErrorCode::Aborted);
}

#[test]
fn a_failed_try_whose_words_hold_the_key_leaves_it_in_neither_the_error_nor_the_replicas_health() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let mut call = DiscoveryCall::new(&p, CallRouting::default(), None, 0);
    let first = sent(call.next(0));
    // A caller's fetch may throw with the request's headers in its message.
    call.answered(Err(TransportFailure { message: format!("fetch failed: Authorization: Bearer {KEY}"), ..TransportFailure::new(FailureKind::Network, &first) }), false, 1, 0);
    if let Step::Wait(_) = call.next(1) {
        call.waited(None);
    }
    sent(call.next(2));
    call.answered(answer(200, "{not json"), false, 3, 0);
    let e = call.result().unwrap_err();
    assert!(e.message.contains("2 attempts"), "{}", e.message);
    let shown = format!("{e:?} {}", serde_json::to_string(&e).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
    let health = serde_json::to_string(&p.describe_at(3)).unwrap();
    assert!(!health.contains(KEY), "{health}");
}

#[test]
fn a_key_in_a_replicas_url_stays_out_of_the_list_of_tries() {
    let p = provider(json!([format!("http://10.0.0.2:8000/v1?api_key={KEY}")]));
    let mut call = DiscoveryCall::new(&p, CallRouting::default(), None, 0);
    sent(call.next(0));
    call.answered(answer(503, "busy"), false, 1, 0);
    if let Step::Wait(_) = call.next(1) {
        call.waited(None);
    }
    let second = sent(call.next(2));
    assert!(second.url.contains(KEY), "the key goes in the query: {}", second.url);
    call.answered(Err(TransportFailure::new(FailureKind::Timeout, &second)), false, 3, 0);
    let e = call.result().unwrap_err();
    assert!(e.message.contains("2 attempts"), "{}", e.message);
    let shown = format!("{e:?} {}", serde_json::to_string(&e).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
}
