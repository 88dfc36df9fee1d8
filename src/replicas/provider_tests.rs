//! `baseUrls` through `resolve()`, and one whole call driven the way the wasm layer drives it: the
//! provider aimed at each replica, retries, `X-Session-ID`, and `ChatResult.baseUrl`.

use super::*;
use crate::config::{resolve, ConfigInput, Provider, ResolveInput};
use crate::error::ErrorCode;
use crate::stream::{plan, Answer, Body, CallTimeouts, ChatCall, Next, Piece, StreamEvent};
use crate::transport::TransportFailure;
use serde_json::json;

const KEY: &str = "sk-replica-test-secret";

fn provider(base_urls: serde_json::Value) -> Provider {
    let config = json!({"models": {"providers": {"vllm": {"baseUrl": "http://10.0.0.1:8000/v1", "apiKey": KEY, "api": "openai-completions", "models": [{"id": "m", "name": "m"}]}}}});
    resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), base_urls: Some(base_urls), ..Default::default() }).unwrap()
}

#[test]
fn describe_lists_the_replicas_after_the_base_url_with_their_health_and_no_secret() {
    let p = provider(json!(["http://10.0.0.2:8000/v1", format!("http://10.0.0.3:8000/v1?api_key={KEY}")]));
    let d = serde_json::to_value(p.describe()).unwrap();
    assert_eq!(d["baseUrl"], "http://10.0.0.1:8000/v1");
    assert_eq!(
        d["replicas"],
        json!([
            {"baseUrl": "http://10.0.0.1:8000/v1", "health": "healthy"},
            {"baseUrl": "http://10.0.0.2:8000/v1", "health": "healthy"},
            {"baseUrl": "http://10.0.0.3:8000/v1?api_key=[redacted]", "health": "healthy"},
        ])
    );
    assert!(!d.to_string().contains(KEY));
    // After a failure, describe_at shows it.
    let mut call = ReplicaCall::new(CallRouting::default(), None, 0);
    let mut set = p.replica_set().borrow_mut();
    assert_eq!(call.target(&mut set, 1_000), 0);
    call.report(&mut set, &[], Outcome::Answered { status: 503, headers: &[] }, 1_000, 0);
    drop(set);
    let d = serde_json::to_value(p.describe_at(2_000)).unwrap();
    assert_eq!(d["replicas"][0], json!({"baseUrl": "http://10.0.0.1:8000/v1", "health": "unhealthy", "retryInMs": 4000, "lastFailure": "503"}));
    assert_eq!(serde_json::to_value(p.describe_at(6_000)).unwrap()["replicas"][0]["health"], "trial");
}

#[test]
fn a_replicas_own_credentials_are_secrets_and_its_user_info_is_sent_as_basic_auth() {
    let p = provider(json!(["http://ops:pw-replica-secret@10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1?api_key=k-replica-secret"]));
    let shown = serde_json::to_string(&p.describe()).unwrap();
    assert!(!shown.contains("pw-replica-secret") && !shown.contains("k-replica-secret"), "{shown}");
    let auth = |i: usize| p.replica(i).chat_headers(Some("m")).into_iter().find(|(k, _)| k == "Authorization").map(|(_, v)| v);
    assert_eq!(auth(1).as_deref(), Some(format!("Basic {}", crate::redact::base64(b"ops:pw-replica-secret")).as_str()));
    assert_eq!(auth(2), Some(format!("Bearer {KEY}")), "no credentials in its URL: the provider's key");
    assert_eq!(auth(0), Some(format!("Bearer {KEY}")));
}

#[test]
fn one_server_shows_no_replica_list() {
    let p = resolve(&ResolveInput::default()).unwrap();
    assert!(serde_json::to_value(p.describe()).unwrap().get("replicas").is_none());
    assert_eq!(p.replica_set().borrow().len(), 1);
    assert!(serde_json::to_value(provider(json!(["http://10.0.0.1:8000/v1/"])).describe()).unwrap().get("replicas").is_none(), "the base URL again");
}

#[test]
fn a_malformed_entry_stops_resolution_with_its_path() {
    let input = ResolveInput { base_urls: Some(json!(["http://a:1/v1", "http://b:1/v1", "b:1/v1"])), ..Default::default() };
    let e = resolve(&input).unwrap_err();
    assert_eq!((e.code, e.path.as_deref()), (ErrorCode::Config, Some("baseUrls[2]")));
}

#[test]
fn the_provider_aimed_at_a_replica_sends_everything_there() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let r = p.replica(1);
    assert_eq!(r.discovery_request(None).url, "http://10.0.0.2:8000/v1/models");
    assert_eq!(r.describe().base_url, "http://10.0.0.2:8000/v1");
    let planned = plan(&r, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, CallTimeouts::default(), [1; 4]).unwrap();
    assert_eq!(planned.http.url, "http://10.0.0.2:8000/v1/chat/completions");
    assert_eq!(planned.stream.base_url, "http://10.0.0.2:8000/v1");
    assert_eq!(p.replica(0).base(), p.base());
}

const REPLY: &str = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

/// Runs one chat call as the wasm layer drives [`ChatCall::routed`], against scripted answers per
/// replica (`None`: the connection is refused). Returns the outcome, the requests sent (URL and
/// headers) and the waits asked for.
fn run_call(p: &Provider, routing: CallRouting, answers: &mut Vec<(usize, Option<u16>)>) -> (Result<crate::stream::ChatResult, crate::error::ProviderError>, Vec<crate::http::HttpRequest>) {
    let mut sent = Vec::new();
    let mut now = 0u64;
    let mut chat = ChatCall::routed(p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, CallTimeouts { request_ms: Some(60_000), ..Default::default() }, routing, [7; 4], now);
    let mut body = None;
    for _ in 0..100 {
        match chat.next(false) {
            Next::Open => {
                chat.aim(p, now);
                let planned = chat.plan().unwrap();
                sent.push(planned.http.clone());
                let (replica, status) = answers.remove(0);
                assert_eq!(planned.http.url, p.replica(replica).discovery_request(None).url.replace("/models", "/chat/completions"), "the script expected replica {replica}");
                let answer = match status {
                    None => Err(super::tests::refused(&planned.http.url)),
                    // A caller's fetch may throw with the request's headers in its words.
                    Some(0) => Err(TransportFailure { message: format!("fetch failed: Authorization: Bearer {KEY}"), cause_code: None, cause_message: None, ..super::tests::refused(&planned.http.url) }),
                    Some(status) => {
                        let content_type = if status == 200 { "text/event-stream" } else { "text/plain" };
                        body = Some(if status == 200 { REPLY.into() } else { b"Service Unavailable".to_vec() });
                        Ok(Answer { status, headers: vec![("content-type".into(), content_type.into())], body: Body::Stream, location: None })
                    }
                };
                if !chat.answered(answer, p, now, 0) {
                    body = None; // dropped unread
                }
            }
            Next::Wait(ms) => now += u64::from(ms),
            Next::Read(_) => chat.piece(body.take().map_or(Piece::End, Piece::Bytes)),
            Next::Events(events) => {
                if let Some(StreamEvent::Done { result }) = events.events().into_iter().last() {
                    return (Ok(*result), sent);
                }
            }
            Next::Fail(e) => return (Err(e), sent),
            Next::Pause => {}
            Next::End => panic!("ended without a result"),
            Next::Follow | Next::Probe(..) => panic!("redirects and probes are the exchange's, not the call's"),
        }
    }
    panic!("the call must end");
}

#[test]
fn a_refused_replica_is_skipped_and_the_result_names_the_server_that_answered() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let (result, sent) = run_call(&p, CallRouting::default(), &mut vec![(0, None), (1, Some(200))]);
    let result = result.unwrap();
    assert_eq!(result.base_url, "http://10.0.0.2:8000/v1");
    assert_eq!(result.message.content, "hi");
    assert_eq!(sent.iter().map(|r| r.url.as_str()).collect::<Vec<_>>(), ["http://10.0.0.1:8000/v1/chat/completions", "http://10.0.0.2:8000/v1/chat/completions"]);
    // Both tries carry the same X-Request-Id (one logical request) and no session header.
    let ids: Vec<_> = sent.iter().map(|r| crate::http::header_value(&r.headers, "x-request-id").unwrap().to_string()).collect();
    assert_eq!(ids[0], ids[1]);
    assert!(sent.iter().all(|r| crate::http::header_value(&r.headers, "x-session-id").is_none()));
    // The next call does not try the refused replica during its cooldown.
    let (result, _) = run_call(&p, CallRouting::default(), &mut vec![(1, Some(200))]);
    assert_eq!(result.unwrap().base_url, "http://10.0.0.2:8000/v1");
}

#[test]
fn when_every_try_fails_the_error_is_the_last_answers_with_every_try_listed() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let (result, _) = run_call(&p, CallRouting::default(), &mut vec![(0, Some(503)), (1, Some(503)), (0, Some(503))]);
    let e = result.unwrap_err();
    assert_eq!(e.code, ErrorCode::Overloaded, "{e:?}");
    assert!(e.message.starts_with("503 Service Unavailable (3 attempts: http://10.0.0.1:8000/v1 → 503, http://10.0.0.2:8000/v1 → 503, http://10.0.0.1:8000/v1 → 503)"), "{}", e.message);
    assert_eq!(e.attempts.len(), 3);
    assert!(e.request_id.is_some());
}

#[test]
fn a_session_is_sent_and_kept_on_its_replica() {
    let p = provider(json!(["http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1"]));
    let routing = CallRouting { session_id: Some("conversation-1".into()), retries: 2 };
    let home = ReplicaCall::new(routing.clone(), None, 0).target(&mut p.replica_set().borrow_mut(), 0);
    for _ in 0..3 {
        let (result, sent) = run_call(&p, routing.clone(), &mut vec![(home, Some(200))]);
        assert_eq!(result.unwrap().base_url, p.replica_set().borrow().replica(home).shown);
        assert_eq!(crate::http::header_value(&sent[0].headers, "X-Session-ID"), Some("conversation-1"));
        assert!(crate::http::header_value(&sent[0].headers, "X-Request-Id").is_some());
    }
}

#[test]
fn a_failed_try_whose_words_hold_the_key_leaves_it_in_neither_the_error_nor_the_replicas_health() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let (result, _) = run_call(&p, CallRouting::default(), &mut vec![(0, Some(0)), (1, Some(401))]);
    let e = result.unwrap_err();
    assert!(e.message.contains("2 attempts"), "{}", e.message);
    let shown = format!("{e:?} {}", serde_json::to_string(&e).unwrap());
    assert!(!shown.contains(KEY), "{shown}");
    let health = serde_json::to_string(&p.describe_at(1)).unwrap();
    assert!(health.contains("\"lastFailure\":\"fetch failed"), "the failed try is recorded in the health: {health}");
    assert!(!health.contains(KEY), "{health}");
}

#[test]
fn a_retried_try_is_timed_by_what_is_left_yet_its_timeout_and_watchdogs_keep_the_callers_figure() {
    let p = provider(json!(["http://10.0.0.2:8000/v1"]));
    let timeouts = CallTimeouts { request_ms: Some(60_000), ..Default::default() };
    let mut chat = ChatCall::routed(&p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, timeouts, CallRouting::default(), [7; 4], 0);
    assert!(matches!(chat.next(false), Next::Open));
    chat.aim(&p, 0);
    let first = chat.plan().unwrap().clone();
    assert_eq!(first.http.timeout_ms, Some(60_000));
    assert!(!chat.answered(Err(super::tests::refused(&first.http.url)), &p, 1_500, 0), "a refused connection is tried again");
    while !matches!(chat.next(false), Next::Open) {}
    chat.aim(&p, 1_500);
    let second = chat.plan().unwrap().clone();
    assert_eq!(second.http.url, "http://10.0.0.2:8000/v1/chat/completions");
    assert_eq!(second.http.timeout_ms, Some(58_500), "the try's timer is what is left of the call's time");
    assert_eq!(second.watchdogs, first.watchdogs, "the first-event and idle watchdogs derive from the caller's timeout");
    chat.answered(Err(TransportFailure::new(crate::transport::FailureKind::Timeout, &second.http)), &p, 60_000, 0);
    let Next::Fail(e) = chat.next(false) else { panic!("a timed-out call fails") };
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.message.contains("within 60000 ms"), "{}", e.message);
    assert!(!e.message.contains("58500"), "the tries' words name the caller's timeout too: {}", e.message);
}
