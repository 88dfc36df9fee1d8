//! Tests of the chat call's state machine (`ChatCall`).

use super::*;
use crate::config::{resolve, ConfigInput, ResolveInput};
use crate::error::ErrorCode;
use crate::stream::{plan, CallTimeouts};

/// A call to a remote host (both watchdogs on), for a row `m`.
fn call(timeouts: CallTimeouts) -> ChatCall {
    let config = r#"{ models: { providers: { vllm: { baseUrl: "https://vllm.example.com/v1", apiKey: "sk-call-secret", models: [{ id: "m", name: "m" }] } } } }"#;
    let p = resolve(&ResolveInput { config: Some(ConfigInput::Text(config.into())), ..Default::default() }).unwrap();
    ChatCall::new(plan(&p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, timeouts, [1; 4]))
}

fn sse_answer(status: u16) -> Answer {
    let content_type = if status == 200 { "text/event-stream" } else { "application/json" };
    Answer { status, headers: vec![("content-type".into(), content_type.into())], body: Body::Stream, location: None }
}

/// A call whose 200 event-stream answer has come, waiting for its first read.
fn reading() -> ChatCall {
    let mut c = call(CallTimeouts::default());
    c.next(false);
    c.opened(Ok(sse_answer(200)));
    c.next(false);
    c
}

const CHUNK_A: &str = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n";
const CHUNK_END: &str = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

/// Gives out everything the call has; returns the events (`error:<code>` for an error) and what
/// stopped it (`None`: the end).
fn give_all(c: &mut ChatCall) -> (Vec<String>, Option<Next>) {
    let mut out = Vec::new();
    loop {
        match c.next(false) {
            Next::Events(events) => {
                assert!(!events.is_empty(), "a batch is never empty");
                out.extend(events.events().iter().map(|e| serde_json::to_value(e).unwrap()["type"].as_str().unwrap().to_string()));
            }
            Next::End => return (out, None),
            Next::Fail(e) => {
                out.push(format!("error:{}", e.code.as_str()));
                return (out, None);
            }
            next => return (out, Some(next)),
        }
    }
}

fn drain(c: &mut ChatCall) -> Vec<String> {
    give_all(c).0
}

#[test]
fn a_reply_read_in_pieces_gives_its_events_then_ends_without_aborting() {
    let mut c = call(CallTimeouts::default());
    assert!(matches!(c.next(false), Next::Open));
    c.opened(Ok(sse_answer(200)));
    assert!(matches!(c.next(false), Next::Read(Some((Watchdog::FirstEvent, 300_000)))));
    c.piece(Piece::Bytes(CHUNK_A.as_bytes()[..20].to_vec()));
    assert!(matches!(c.next(false), Next::Read(None)), "the watchdog already runs");
    assert!(!c.take_alive(), "half an event is no sign of life");
    c.piece(Piece::Bytes(CHUNK_A.as_bytes()[20..].to_vec()));
    match c.next(false) {
        Next::Events(batch) => assert_eq!(batch.events().len(), 2, "one read, one batch: start and text"),
        other => panic!("{other:?}"),
    }
    assert!(c.take_alive());
    let (events, then) = give_all(&mut c);
    assert!(events.is_empty());
    assert!(matches!(then, Some(Next::Read(Some((Watchdog::Idle, 300_000))))), "after an event, the idle watchdog");
    assert_eq!(c.take_release(), None);
    c.piece(Piece::Bytes(CHUNK_END.into()));
    assert_eq!(c.take_release(), None, "bytes are decoded by next()");
    assert_eq!(drain(&mut c), ["text", "done"]);
    assert_eq!(c.take_release(), Some(false), "ended by the reply: release, no abort");
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn chats_reader_gives_only_done_and_streams_gives_every_event_yet_both_keep_the_watchdogs_fed() {
    for (reading, expected) in [(Reading::Result, vec!["done"]), (Reading::Events, vec!["start", "text", "text", "done"])] {
        let mut c = call(CallTimeouts::default()).reading(reading);
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        assert!(matches!(c.next(false), Next::Read(Some((Watchdog::FirstEvent, _)))));
        c.piece(Piece::Bytes(CHUNK_A.into()));
        let (mut events, then) = give_all(&mut c);
        assert!(c.take_alive(), "{reading:?}: an event is a sign of life, given out or not");
        assert!(matches!(then, Some(Next::Read(Some((Watchdog::Idle, _))))), "{reading:?}");
        c.piece(Piece::Bytes(CHUNK_END.into()));
        events.extend(drain(&mut c));
        assert_eq!(events, expected, "{reading:?}");
        assert_eq!(c.take_release(), Some(false));
    }
}

#[test]
fn an_error_answer_is_read_to_its_end_and_classified_without_watchdogs() {
    let mut c = call(CallTimeouts::default());
    c.next(false);
    c.opened(Ok(sse_answer(404)));
    assert!(matches!(c.next(false), Next::Read(None)));
    c.piece(Piece::Bytes(br#"{"object":"error","message":"The model `m` does not exist.","type":"NotFoundError","param":null,"code":404}"#.to_vec()));
    assert!(matches!(c.next(false), Next::Read(None)));
    c.piece(Piece::End);
    assert_eq!(c.take_release(), Some(true));
    assert_eq!(drain(&mut c), ["error:model_not_found"]);
}

#[test]
fn the_callers_abort_wins_over_events_already_read_and_aborts_the_request() {
    let mut c = reading();
    c.piece(Piece::Bytes(CHUNK_A.into()));
    match c.next(true) {
        Next::Fail(e) => assert_eq!(e.code, ErrorCode::Aborted),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.take_release(), Some(true));
    assert!(matches!(c.next(true), Next::End));
}

#[test]
fn a_failed_read_says_which_timer_fired_and_the_events_before_it_come_first() {
    for (fired, code, needle) in [
        (Some(Fired::Watchdog(Watchdog::Idle)), "timeout", "idle timeout"),
        (Some(Fired::Watchdog(Watchdog::FirstEvent)), "timeout", "first-event timeout"),
        (Some(Fired::Request), "timeout", "whole-request timeout"),
        (None, "stream_error", "connection closed"),
    ] {
        let mut c = reading();
        c.piece(Piece::Bytes(CHUNK_A.into()));
        let (mut events, then) = give_all(&mut c);
        assert!(matches!(then, Some(Next::Read(_))));
        c.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
        assert_eq!(c.take_release(), Some(true));
        events.extend(drain(&mut c));
        assert_eq!(events, ["start".to_string(), "text".into(), format!("error:{code}")]);
        let mut c2 = call(CallTimeouts::default());
        c2.next(false);
        c2.opened(Ok(sse_answer(200)));
        c2.next(false);
        c2.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
        match c2.next(false) {
            Next::Fail(e) => assert!(e.message.contains(needle), "{}", e.message),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn cancel_drops_queued_events_and_a_stored_error_and_later_reads_give_nothing() {
    let mut c = reading();
    c.piece(Piece::Bytes(format!("{CHUNK_A}data: {{\"error\":{{\"message\":\"boom\"}}}}\n\n").into_bytes()));
    c.cancel();
    assert_eq!(c.take_release(), Some(true));
    c.piece(Piece::Bytes(CHUNK_END.into()));
    assert!(!c.take_alive(), "a read pending at cancel gives nothing");
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn stopping_from_outside_gives_the_abort_error_once_or_nothing_for_return() {
    let mut c = reading();
    c.piece(Piece::Bytes(CHUNK_A.into()));
    assert!(matches!(c.next(false), Next::Events(_)), "the events are out, in the caller's hands");
    assert_eq!(c.stop(true).map(|e| e.code), Some(ErrorCode::Aborted), "the abort wins over them");
    assert_eq!(c.stop(true), None, "once");
    assert!(matches!(c.next(true), Next::End));
    let mut c = call(CallTimeouts::default());
    assert_eq!(c.stop(false), None);
    assert_eq!(c.take_release(), Some(true));
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn cancel_while_the_request_is_pending_ends_it_when_the_answer_comes() {
    let mut c = call(CallTimeouts::default());
    assert!(matches!(c.next(false), Next::Open));
    c.cancel();
    assert_eq!(c.take_release(), Some(true));
    c.opened(Ok(sse_answer(200)));
    assert_eq!(c.take_release(), Some(true));
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn bodies_that_are_not_bytes_and_transport_failures_are_typed_errors() {
    let mut c = call(CallTimeouts::default());
    c.next(false);
    c.opened(Ok(Answer { status: 200, headers: vec![], body: Body::NotAStream, location: None }));
    assert_eq!(drain(&mut c), ["error:bad_response"]);
    let mut c = reading();
    c.piece(Piece::NotBytes);
    assert_eq!(drain(&mut c), ["error:bad_response"]);
    let mut c = reading();
    c.piece(Piece::Unreadable("read() threw (boom)".into()));
    assert_eq!(drain(&mut c), ["error:bad_response"]);
    let mut c = call(CallTimeouts { request_ms: Some(50), ..Default::default() });
    c.next(false);
    c.opened(Ok(Answer { status: 200, headers: vec![], body: Body::None, location: None }));
    // No body at all reads as an empty one, which the parser refuses.
    assert_eq!(drain(&mut c).len(), 1);
}

#[test]
fn a_planning_error_is_given_once_then_the_end() {
    let mut c = ChatCall::new(Err(ProviderError::config_at("model", "bad", "h")));
    assert!(c.plan().is_none());
    assert!(matches!(c.next(false), Next::Fail(_)));
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn a_huge_read_is_decoded_in_slices_with_a_pause_between_and_small_reads_never_pause() {
    let mut c = reading();
    let mut body = CHUNK_A.repeat(3 * DECODE_SLICE / CHUNK_A.len());
    body.push_str(CHUNK_END);
    c.piece(Piece::Bytes(body.into_bytes()));
    let (mut batches, mut pauses, mut events) = (0, 0, 0);
    loop {
        match c.next(false) {
            Next::Events(batch) => {
                batches += 1;
                events += batch.events().len();
            }
            Next::Pause => pauses += 1,
            Next::End => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((batches, pauses), (4, 3), "four slices, the event loop free between them");
    assert_eq!(events, 3 * DECODE_SLICE / CHUNK_A.len() + 3, "start, every text, the last text and done");
    assert_eq!(c.take_release(), Some(false));
    let mut c = call(CallTimeouts::default());
    c.next(false);
    c.opened(Ok(sse_answer(200)));
    for piece in [CHUNK_A, CHUNK_A, CHUNK_END] {
        assert!(matches!(c.next(false), Next::Read(_)));
        c.piece(Piece::Bytes(piece.into()));
        assert!(matches!(c.next(false), Next::Events(_)));
    }
    assert!(matches!(c.next(false), Next::End));
}

#[test]
fn cancel_in_the_middle_of_a_sliced_read_drops_the_rest() {
    let mut c = reading();
    c.piece(Piece::Bytes(CHUNK_A.repeat(2 * DECODE_SLICE / CHUNK_A.len()).into_bytes()));
    assert!(matches!(c.next(false), Next::Events(_)));
    c.cancel();
    assert!(matches!(c.next(false), Next::End));
}

/// `n` content events and the end, as one body.
fn body_of(n: usize) -> Vec<u8> {
    let mut body = CHUNK_A.repeat(n);
    body.push_str(CHUNK_END);
    body.into_bytes()
}

/// Reads `body` as one piece and takes every batch (pauses included); how many events there were.
fn drain_one_piece(body: &[u8]) -> usize {
    let mut c = reading();
    c.piece(Piece::Bytes(body.to_vec()));
    let mut n = 0;
    loop {
        match c.next(false) {
            Next::Events(batch) => n += batch.events().len(),
            Next::Pause => {}
            _ => return n,
        }
    }
}

#[test]
fn a_whole_body_in_one_read_is_given_out_in_time_proportional_to_it() {
    // start, one text per event, the last text, done.
    assert_eq!(drain_one_piece(&body_of(1000)), 1003);
    crate::growth::assert_linear("events of one read", 20_000, body_of, |b| {
        drain_one_piece(b);
    });
}

#[test]
fn each_timer_has_its_own_code_and_comes_back_from_it() {
    let timers = [Fired::Request, Fired::Watchdog(Watchdog::FirstEvent), Fired::Watchdog(Watchdog::Idle)];
    for t in timers {
        assert_eq!(Fired::of_code(t.code()), t);
    }
    assert_eq!(timers.map(Fired::code), [0, 1, 2]);
}

#[test]
fn a_halted_wait_reads_as_the_failure_or_piece_it_stands_for() {
    let req = crate::http::HttpRequest { method: "GET".into(), url: "http://10.0.0.1:8000/v1/models".into(), headers: vec![], body: None, timeout_ms: Some(5_000), max_body_bytes: 1 };
    let thrown = || crate::transport::Thrown { name: Some("TypeError".into()), message: "terminated".into(), cause_code: Some("UND_ERR_SOCKET".into()), cause_message: Some("other side closed".into()) };
    use crate::transport::FailureKind;
    let (timer, aborted) = (Halt::Timer(Fired::Request).failure(&req, None), Halt::Aborted.failure(&req, None));
    assert_eq!((timer.kind, timer.rejected), (FailureKind::Timeout, false));
    assert_eq!((aborted.kind, aborted.rejected), (FailureKind::Aborted, false));
    let f = Halt::Rejected(thrown()).failure(&req, Some("http://127.0.0.1:5173".into()));
    assert_eq!((f.kind, f.name.as_str(), f.cause_code.as_deref(), f.page_origin.as_deref(), f.timeout_ms), (FailureKind::Network, "TypeError", Some("UND_ERR_SOCKET"), Some("http://127.0.0.1:5173"), Some(5_000)));
    assert!(f.rejected, "only a rejected fetch may be probed");
    assert!(matches!(Halt::Timer(Fired::Watchdog(Watchdog::Idle)).piece(false), Piece::Failed { caller_aborted: false, fired: Some(Fired::Watchdog(Watchdog::Idle)), .. }));
    assert!(matches!(Halt::Aborted.piece(true), Piece::Failed { caller_aborted: true, fired: None, .. }));
    match Halt::Rejected(thrown()).piece(false) {
        Piece::Failed { message, fired: None, .. } => assert!(message.contains("terminated") && message.contains("other side closed"), "{message}"),
        other => panic!("{other:?}"),
    }
    match Halt::ReadThrew(thrown()).piece(false) {
        Piece::Unreadable(what) => assert_eq!(what, format!("{}: its reader's read() threw (terminated)", crate::stream::UNUSABLE_RESPONSE)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_probe_is_reachable_when_it_answers_and_unreachable_when_it_is_refused() {
    assert_eq!(Halt::reachable(Ok(())), Some(true));
    assert_eq!(Halt::reachable(Err(Halt::Rejected(crate::transport::Thrown::text("refused")))), Some(false));
    assert_eq!(Halt::reachable(Err(Halt::Timer(Fired::Request))), None);
    assert_eq!(Halt::reachable(Err(Halt::Aborted)), None);
}
