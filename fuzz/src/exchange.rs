//! Target `exchange`: a call driven as the runtime drives every call, through `steps::Exchanging`:
//! a discovery across two replicas (over `steps::Fetched` over `steps::DiscoveryCall`), or a chat call
//! (over `stream::Chat`, its events read as `chat()` or `stream()` reads them). Each request is
//! answered by a redirect (within the origin, to another origin, to a location that is no URL, or with
//! none), an answer whose body is read in pieces, or a transport failure (a browser page's, which is
//! probed); each wait runs out or is cut short; the caller may abort at any point.
//!
//! Input: a head byte (the routing's retries, the call's timeout, whether it runs in a cross-origin
//! page, a chat instead of a discovery, its watchdogs, its reading), then records split at byte 0xFF,
//! each taken by the next thing the call asks for: an answer (its first byte says which), a piece of a
//! body, a probe's outcome or a wait's. Properties: no panic; the call ends within a bounded number of
//! steps, with models (or a chat's events) or one error, which never holds the canary key; a request
//! follows at most `MAX_REDIRECTS` redirects, all within its origin, and a failure is probed at most
//! twice; a body is never read once the call moved on.

// The outcomes built here are the ones the runtime reports: an answer or a transport failure.
#![allow(clippy::result_large_err)]

use crate::common::{head, no_secret_in_error, SECRET};
use vllm_provider::redirect::{is_redirect, MAX_REDIRECTS};
use vllm_provider::replicas::CallRouting;
use std::rc::Rc;
use vllm_provider::error::ProviderError;
use vllm_provider::http::HttpRequest;
use vllm_provider::steps::{DiscoveryCall, Exchanging, Fetched};
use vllm_provider::stream::{Answer, Body, CallTimeouts, Chat, ChatCall, Driven, Fired, Halt, Moment, Next, Piece, Reading, Watchdog};
use vllm_provider::transport::{FailureKind, Thrown, TransportFailure};
use vllm_provider::{resolve, ResolveInput};

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];
const LOCATIONS: [Option<&str>; 5] = [
    Some("http://127.0.0.1:8000/v1/models/"),
    Some("http://127.0.0.1:8001/v1/models"),
    Some("https://evil.example/v1/models"),
    Some("ftp://127.0.0.1/x"),
    None,
];
const STATUSES: [u16; 8] = [200, 200, 200, 429, 500, 502, 503, 401];

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([h], rest) = head::<1>(data);
    let provider = Rc::new(
        resolve(&ResolveInput {
            env: [("VLLM_API_KEY", SECRET)].into_iter().collect(),
            base_url: Some("http://127.0.0.1:8000/v1".into()),
            base_urls: Some(serde_json::json!(["http://127.0.0.1:8001/v1"])),
            ..Default::default()
        })
        .expect("the fixed provider resolves"),
    );
    let routing = CallRouting { retries: u32::from(h & 3), ..Default::default() };
    let timeout = (h & 4 != 0).then_some(5_000);
    let page = (h & 8 != 0).then(|| "http://127.0.0.1:5173".to_string());
    if h & 16 != 0 {
        // A chat()/stream() call instead, its events read as stream() or chat() reads them.
        let request = r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#;
        let timeouts = CallTimeouts { request_ms: timeout, first_event_ms: (h & 32 != 0).then_some(1_000), idle_ms: (h & 32 != 0).then_some(500) };
        let reading = if h & 64 != 0 { Reading::Events } else { Reading::Result };
        let chat = ChatCall::routed(&provider, request, timeouts, routing, [1, 2, 3, 4], 0).reading(reading);
        let errors = drive(&mut Exchanging::new(Chat::new(chat, provider.clone())), true, rest, &page);
        errors.iter().for_each(|e| no_secret_in_error(e, "chat error"));
        assert!(errors.len() <= 1, "two errors: {errors:?}");
        return;
    }
    let mut discovery = DiscoveryCall::new(&provider, routing, timeout, 0);
    drive(&mut Exchanging::new(Fetched::new(&mut discovery)), false, rest, &page);
    match discovery.result() {
        Ok(models) => assert!(models.iter().all(|m| !m.id.is_empty())),
        Err(e) => no_secret_in_error(&e, "discovery error"),
    }
}

/// Drives `call` as the runtime does, each report (an answer, a probe's, a read's, a wait's) taken from
/// the next record; the errors it gave out.
fn drive(call: &mut dyn Driven, chat: bool, rest: &[u8], page: &Option<String>) -> Vec<ProviderError> {
    let mut records = rest.split(|&b| b == 0xFF);
    let (mut now, mut aborted, mut follows, mut probes, mut reading) = (0u64, false, 0usize, 0, false);
    let (mut origin, mut errors) = (String::new(), Vec::new());
    for step in 0..10_000u32 {
        assert!(step < 9_999, "the call never ended");
        let at = Moment { now_ms: now, caller_aborted: aborted, random: step.wrapping_mul(2_654_435_761) };
        let next = call.ask(at);
        assert!(reading || !matches!(next, Next::Read(_)), "a body read before an answer had one");
        // The next record, its first byte (the op) and the rest.
        let mut take = || {
            let record = records.next().unwrap_or(&[]);
            let (op, bytes) = record.split_first().map_or((0xF0, &[][..]), |(op, rest)| (*op, rest));
            (op, bytes, record)
        };
        match next {
            Next::End => break,
            Next::Fail(e) => {
                assert!(chat, "a discovery gave out an error: {e:?}");
                errors.push(e);
            }
            Next::Events(batch) => assert!(chat && errors.is_empty(), "events after the error: {:?}", batch.events()),
            Next::Pause => assert!(chat, "a discovery paused"),
            Next::Open | Next::Follow => {
                let (op, bytes, _) = take();
                let req = call.request(at).expect("a request to send");
                if matches!(next, Next::Open) {
                    (follows, probes) = (0, 0);
                    origin = req.url.split("/v1").next().unwrap_or_default().to_string();
                } else {
                    follows += 1;
                    assert!(follows <= MAX_REDIRECTS, "{follows} redirects followed");
                    assert!(req.url.starts_with(&origin), "a redirect to {} followed from {origin}", req.url);
                }
                let answer = answer(op, bytes, &req, page.clone(), chat, &mut aborted);
                // A redirect with a location is followed or refused: its body is never the answer's.
                reading = matches!(&answer, Ok(Answer { body: Body::Stream, status, location, .. }) if !(is_redirect(*status) && location.is_some()));
                call.opened(answer, at);
            }
            Next::Probe(url, mode) => {
                let (op, _, _) = take();
                probes += 1;
                assert!(probes <= 2 && (mode == "no-cors" || mode == "cors"), "probe {probes} of {url} in {mode}");
                call.probed([Some(true), Some(false), None][usize::from(op % 3)], at);
            }
            Next::Read(watchdog) => {
                assert!(chat || watchdog.is_none(), "a whole body is read without watchdogs");
                let (op, _, record) = take();
                let piece = match op {
                    0xF0 => Piece::End,
                    0xF1 => Piece::Failed { caller_aborted: false, fired: Some(Fired::Request), message: String::new() },
                    0xF2 => Piece::Failed { caller_aborted: false, fired: None, message: format!("terminated {SECRET}") },
                    0xF3 => Piece::Unreadable(format!("read() threw {SECRET}")),
                    0xF4 => Piece::NotBytes,
                    0xF5 => Piece::Failed { caller_aborted: false, fired: Some(Fired::Watchdog(Watchdog::Idle)), message: String::new() },
                    _ => Piece::Bytes(record.to_vec()),
                };
                reading = matches!(piece, Piece::Bytes(_));
                call.read(piece, at);
            }
            Next::Wait(ms) => {
                let (op, _, _) = take();
                reading = false;
                now += u64::from(ms);
                let cut = match op {
                    0xF1 => Some(Halt::Timer(Fired::Request)),
                    0xF2 => Some(Halt::Aborted),
                    0xF3 => Some(Halt::Rejected(Thrown::text("?"))),
                    _ => None,
                };
                aborted |= matches!(cut, Some(Halt::Aborted));
                call.waited(cut, at);
            }
        }
        now += 1;
    }
    errors
}

/// What sending `req` came to, as the record's first byte says.
fn answer(op: u8, bytes: &[u8], req: &HttpRequest, page: Option<String>, chat: bool, aborted: &mut bool) -> Result<Answer, TransportFailure> {
    let pick = usize::from(bytes.first().copied().unwrap_or(0));
    // A chat's 2xx is mostly a stream; its error answers and a discovery's are JSON.
    let content_type = if chat && pick % 4 != 0 { "text/event-stream" } else { "application/json" };
    let head = |status, body, location: Option<&str>| Ok(Answer { status, headers: vec![("content-type".into(), content_type.into())], body, location: location.map(Into::into) });
    let failed = |kind, cause: Option<&str>| {
        let thrown = Thrown { name: Some("TypeError".into()), message: format!("Failed to fetch {SECRET}"), cause_code: cause.map(Into::into), cause_message: None };
        // A network failure is fetch rejecting, as the runtime reports it (and the only kind probed).
        Err(if kind == FailureKind::Network { Halt::Rejected(thrown).failure(req, page.clone()) } else { thrown.failure(kind, req, page.clone()) })
    };
    match op % 8 {
        0 | 1 => head(STATUSES[pick % STATUSES.len()], Body::Stream, None),
        2 | 3 => head(REDIRECTS[pick % REDIRECTS.len()], Body::Stream, LOCATIONS[usize::from(op >> 3) % LOCATIONS.len()]),
        4 => failed(FailureKind::Network, [None, Some("ECONNREFUSED")][pick % 2]),
        5 => failed(if pick % 2 == 0 { FailureKind::Timeout } else { FailureKind::UnreadableBody }, None),
        6 => {
            *aborted = true;
            failed(FailureKind::Aborted, None)
        }
        _ => head([204, 200][pick % 2], [Body::None, Body::NotAStream][pick % 2], None),
    }
}
