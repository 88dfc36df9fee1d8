//! Target `call`: one `chat()`/`stream()` call's life (`stream::ChatCall`): planned by `stream::plan`,
//! opened with an answer or a transport failure, read piece by piece (bytes, the end, a non-byte
//! chunk, a failed read for each reason), cancelled or aborted by the caller at any point.
//!
//! Input: a head byte (status, content type, body kind, whether opening fails), then records split at
//! byte 0xFF, each a read: its first byte says what the read gives (mostly bytes: the rest of the
//! record) or that the caller cancels or aborts first. Properties: no panic; the call always ends,
//! within a bounded number of steps; it gives events, then either `done` (last, once) or one error,
//! then only the end; `start` comes first; a non-2xx answer gives no event; errors carry the
//! request id and never the canary key; the caller is told to release the request once it ended.

use crate::common::{head, no_secret_in_error, SECRET};
use vllm_provider::error::ErrorCode;
use vllm_provider::stream::{plan, Answer, Body, CallTimeouts, ChatCall, Fired, Next, Piece, StreamEvent, Watchdog};
use vllm_provider::transport::{FailureKind, TransportFailure};
use vllm_provider::{resolve, Provider, ResolveInput};

const STATUSES: [u16; 16] = [200, 200, 200, 200, 200, 201, 204, 400, 401, 404, 429, 500, 503, 0, 99, 65535];
const TYPES: [Option<&str>; 4] = [Some("text/event-stream"), Some("application/json"), None, Some("text/html")];

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([h, timeouts], rest) = head::<2>(data);
    PROVIDER.with(|provider| run(provider, h, timeouts, rest));
}

thread_local! {
    static PROVIDER: Provider = resolve(&ResolveInput {
        env: [("VLLM_API_KEY", SECRET)].into_iter().collect(),
        base_url: Some("http://127.0.0.1:8000/v1".into()),
        ..Default::default()
    })
    .expect("the fixed provider resolves");
}

fn run(provider: &Provider, h: u8, timeouts: u8, rest: &[u8]) {
    let request = r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#;
    let call_timeouts = CallTimeouts {
        request_ms: (timeouts & 1 != 0).then_some(1000),
        first_event_ms: (timeouts & 2 != 0).then_some(u32::from(timeouts >> 4)),
        idle_ms: (timeouts & 4 != 0).then_some(0),
    };
    let mut call = ChatCall::new(plan(provider, request, call_timeouts, [1, 2, 3, 4]));
    let status = STATUSES[usize::from(h & 15)];
    let content_type = TYPES[usize::from(h >> 4 & 3)];
    let body = [Body::Stream, Body::Stream, Body::None, Body::NotAStream][usize::from(h >> 6)];
    let fail_open = timeouts & 8 != 0 && h & 1 != 0;

    let mut reads = rest.split(|&b| b == 0xFF);
    let (mut events, mut errors, mut ended, mut releases, mut opened, mut aborted, mut cancelled) = (Vec::new(), Vec::new(), 0, 0, false, false, false);
    for step in 0..100_000 {
        assert!(step < 99_999, "the call never ended");
        match call.next(aborted) {
            Next::Events(batch) => {
                for event in batch.events() {
                    assert!(errors.is_empty(), "an event after the error: {event:?}");
                    assert!(!matches!(events.last(), Some(StreamEvent::Done { .. })), "an event after done");
                    events.push(event);
                }
            }
            Next::Pause | Next::Wait(_) => {}
            Next::Follow | Next::Probe(..) => unreachable!("redirects and probes are the exchange's, not the call's"),
            Next::End => {
                ended += 1;
                if ended == 3 {
                    break;
                }
            }
            Next::Fail(e) => {
                assert_eq!(ended, 0, "an error after the end: {e:?}");
                assert!(errors.is_empty(), "two errors: {errors:?} then {e:?}");
                no_secret_in_error(&e, "call error");
                if opened {
                    assert!(e.request_id.is_some(), "an error without the request id: {e:?}");
                }
                errors.push(e);
            }
            Next::Open => {
                assert!(!opened, "opened twice");
                opened = true;
                let answer = if fail_open {
                    let kind = match timeouts >> 4 & 3 {
                        0 => FailureKind::Network,
                        1 => FailureKind::Timeout,
                        2 => FailureKind::Aborted,
                        _ => FailureKind::UnreadableBody,
                    };
                    Err(TransportFailure {
                        kind, name: "TypeError".into(), message: format!("fetch failed {SECRET}"), cause_code: Some("ECONNREFUSED".into()),
                        cause_message: None, page_origin: None, url: "http://127.0.0.1:8000/v1/chat/completions".into(), timeout_ms: Some(1000),
                        probe_reachable: None, health_readable: None, sent_authorization: true, rejected: false,
                    })
                } else {
                    let headers = content_type.map(|t| vec![("content-type".to_string(), t.to_string())]).unwrap_or_default();
                    Ok(Answer { status, headers, body, location: None })
                };
                call.opened(answer);
            }
            Next::Read(_) => {
                let piece = match reads.next() {
                    None => Piece::End,
                    Some([]) => Piece::Bytes(Vec::new()),
                    Some([op, bytes @ ..]) => match op {
                        0xF0 => Piece::NotBytes,
                        0xEF => Piece::Unreadable(format!("read() threw {SECRET}")),
                        0xF1 => Piece::Failed { caller_aborted: false, fired: None, message: format!("socket hang up {SECRET}") },
                        0xF2 => Piece::Failed { caller_aborted: false, fired: Some(Fired::Request), message: String::new() },
                        0xF3 => Piece::Failed { caller_aborted: false, fired: Some(Fired::Watchdog(Watchdog::FirstEvent)), message: String::new() },
                        0xF4 => Piece::Failed { caller_aborted: false, fired: Some(Fired::Watchdog(Watchdog::Idle)), message: String::new() },
                        0xF5 => Piece::Failed { caller_aborted: true, fired: None, message: String::new() },
                        0xF6 => {
                            call.cancel();
                            cancelled = true;
                            Piece::Bytes(bytes.to_vec())
                        }
                        0xF7 => {
                            aborted = true;
                            Piece::Bytes(bytes.to_vec())
                        }
                        _ => Piece::Bytes(bytes.to_vec()),
                    },
                };
                call.piece(piece);
            }
        }
        releases += usize::from(call.take_release().is_some());
    }
    if opened {
        assert!(releases >= 1, "the call ended without telling the caller to release the request");
    }
    if let Some(first) = events.first() {
        assert!(matches!(first, StreamEvent::Start { .. }), "the first event is {first:?}");
        assert!(opened && (200..300).contains(&status), "events from a status {status} answer");
    }
    assert!(events.iter().filter(|e| matches!(e, StreamEvent::Done { .. })).count() <= 1);
    let done = matches!(events.last(), Some(StreamEvent::Done { .. }));
    // Unless the caller cancelled (return()), a call ends with exactly one of done and an error.
    assert!(cancelled || done != !errors.is_empty(), "done: {done}, errors: {errors:?}, events: {events:?}");
    if let Some(e) = errors.first() {
        assert!(!done, "done and an error: {e:?}");
        assert_ne!(e.code, ErrorCode::Config, "a planned call failed as a config error: {e:?}");
    }
}
