//! Everything a `chat()`/`stream()` call decides before and around the network: the request to send
//! (with its `X-Request-Id`), how to read the reply, its timers (§5.10, §7.6), and the errors that
//! end a reply early. The wasm layer only runs the timers and the reads.

use super::{emit_reasoning, StreamOptions};
use crate::config::Provider;
use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::http::{header_value, HttpRequest, MAX_TIMEOUT_MS};
use crate::unreadable;
use crate::url::{is_local_host, BaseUrl};

/// OpenClaw's first-event watchdog for self-hosted providers such as vLLM: 300 s.
pub const FIRST_EVENT_TIMEOUT_MS: u32 = 300_000;
/// OpenClaw's idle watchdog for a self-hosted provider on a remote host: 300 s. On a local host
/// (loopback, private network) it is off unless a timeout is configured.
pub const REMOTE_IDLE_TIMEOUT_MS: u32 = 300_000;

/// The timeouts a caller passed with the call; `Some(0)` turns a watchdog off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallTimeouts {
    /// `timeoutMs`: the whole request.
    pub request_ms: Option<u32>,
    /// `firstEventTimeoutMs`: from the response headers to the first event.
    pub first_event_ms: Option<u32>,
    /// `idleTimeoutMs`: between two events.
    pub idle_ms: Option<u32>,
}

/// The timers of one call; `None` means no such timer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Watchdogs {
    /// The whole request, from sending to the last byte.
    pub request_ms: Option<u32>,
    /// From the response headers to the first event.
    pub first_event_ms: Option<u32>,
    /// Between two events, counted while the reader waits for the server.
    pub idle_ms: Option<u32>,
}

/// OpenClaw's timers for a vLLM host (§7.6): a configured timeout (`timeoutSeconds`, or the call's
/// `timeoutMs`) bounds the request and sets both watchdogs; without one the first-event watchdog is
/// 300 s and the idle watchdog 300 s on a remote host, off on a local one. The call's own
/// watchdog options win.
pub fn watchdogs(base: &BaseUrl, provider_timeout_ms: Option<u64>, call: CallTimeouts) -> Watchdogs {
    let request_ms = call.request_ms.or(provider_timeout_ms.map(|t| t.min(MAX_TIMEOUT_MS as u64) as u32));
    let idle_default = if watchdog_local(&base.host) { None } else { Some(REMOTE_IDLE_TIMEOUT_MS) };
    let own = |given: Option<u32>, default: Option<u32>| match given {
        Some(0) => None,
        Some(ms) => Some(ms),
        None => request_ms.or(default),
    };
    Watchdogs { request_ms, first_event_ms: own(call.first_event_ms, Some(FIRST_EVENT_TIMEOUT_MS)), idle_ms: own(call.idle_ms, idle_default) }
}

/// OpenClaw's "local" hosts for the idle watchdog: loopback, RFC 1918, CGNAT `100.64/10`, `.local`,
/// `0.0.0.0`, IPv6 unique-local and link-local, container host aliases.
pub fn watchdog_local(host: &str) -> bool {
    if is_local_host(host) {
        return true;
    }
    let h = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if h.contains(':') {
        return h.starts_with("fc") || h.starts_with("fd") || h.starts_with("fe8") || h.starts_with("fe9") || h.starts_with("fea") || h.starts_with("feb");
    }
    let mut parts = h.split('.').map(|p| p.parse::<u8>());
    matches!((parts.next(), parts.next(), parts.clone().count()), (Some(Ok(100)), Some(Ok(b)), 2) if (64..128).contains(&b))
}

/// A watchdog option (`firstEventTimeoutMs`, `idleTimeoutMs`): 0 (off) or milliseconds up to 2^31 − 1.
pub fn watchdog_from_number(ms: f64, path: &str) -> Result<u32, ProviderError> {
    if (0.0..=MAX_TIMEOUT_MS).contains(&ms) && ms.fract() == 0.0 {
        return Ok(ms as u32);
    }
    Err(ProviderError::config_at(
        path,
        format!("{path} must be 0 (off) or a whole number of milliseconds up to 2147483647"),
        "Check the argument against the package's TypeScript types.",
    ))
}

/// A request id from 128 random bits: 32 lowercase hex digits (vLLM answers with `chatcmpl-<id>`).
pub fn request_id(random: [u32; 4]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for word in random {
        for shift in (0..8).rev() {
            out.push(HEX[(word >> (shift * 4)) as usize & 15] as char);
        }
    }
    out
}

/// Why a reply stopped before its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Interrupt {
    /// The caller's signal fired.
    Aborted,
    /// The whole-request timer fired after the headers arrived.
    RequestTimeout,
    /// No event arrived within the first-event timeout.
    FirstEvent,
    /// No event arrived within the idle timeout.
    Idle,
    /// Reading the body failed (the runtime's message): the connection closed or broke.
    Network(String),
}

/// One call, planned: what to send and how to read the answer.
#[derive(Clone, Debug)]
pub struct ChatPlan {
    /// The request to send (the shaped request plus `X-Request-Id`).
    pub http: HttpRequest,
    /// How to read the reply.
    pub stream: StreamOptions,
    /// The timers.
    pub watchdogs: Watchdogs,
    /// The `X-Request-Id` sent.
    pub request_id: String,
}

/// Plans a call: shapes `request_json` exactly as `buildChatRequest` does (same rows, same body text),
/// adds `X-Request-Id` (unless the config sets one) and works out the timers.
pub fn plan(provider: &Provider, request_json: &str, call: CallTimeouts, random: [u32; 4]) -> Result<ChatPlan, ProviderError> {
    let request = crate::shaping::parse_request(request_json).map_err(|e| e.redact(provider.secrets()))?;
    let thinking = request.thinking.clone();
    let shaped = crate::shaping::build_owned(provider, request).map_err(|e| e.redact(provider.secrets()))?;
    let mut http = shaped.http;
    let request_id = match header_value(&http.headers, "x-request-id") {
        Some(configured) => configured.to_string(),
        None => {
            let id = request_id(random);
            http.headers.push(("X-Request-Id".to_string(), id.clone()));
            id
        }
    };
    let described = provider.describe();
    let watchdogs = watchdogs(provider.base(), described.timeout_ms, call);
    http.timeout_ms = watchdogs.request_ms;
    let stream = StreamOptions {
        model: shaped.model.id.clone(),
        emit_reasoning: emit_reasoning(shaped.model.reasoning, thinking.as_deref()),
        request_id: Some(request_id.clone()),
        base_url: described.base_url.clone(),
        secrets: provider.secrets().to_vec(),
        unpassed_env: provider.unpassed_env().to_vec(),
    };
    Ok(ChatPlan { http, stream, watchdogs, request_id })
}

impl ChatPlan {
    /// Any error of this call, made safe to show and tied to the request: keys removed, `requestId` set.
    pub fn tag(&self, e: ProviderError) -> ProviderError {
        let mut e = e.redact(&self.stream.secrets);
        e.request_id = Some(self.request_id.clone());
        e
    }

    /// The error for a reply stopped after its headers arrived.
    pub fn interrupted(&self, why: Interrupt) -> ProviderError {
        let model = &self.stream.model;
        let ms = |t: Option<u32>| t.unwrap_or(0);
        let e = match why {
            Interrupt::Aborted => ProviderError::new(ErrorCode::Aborted, "Request was aborted", hints::aborted()),
            Interrupt::RequestTimeout => {
                let t = ms(self.watchdogs.request_ms);
                ProviderError::new(ErrorCode::Timeout, format!("vllm/{model}: the reply did not finish within {t} ms (whole-request timeout)"), hints::reply_timeout())
            }
            Interrupt::FirstEvent => ProviderError::new(
                ErrorCode::Timeout,
                format!(
                    "completions HTTP stream opened but did not deliver a first SSE event within {}ms after streaming headers (first-event timeout). provider=vllm api=openai-completions model={model}",
                    ms(self.watchdogs.first_event_ms)
                ),
                hints::first_event_timeout(),
            ),
            Interrupt::Idle => {
                let t = ms(self.watchdogs.idle_ms);
                let shown = if t % 1000 == 0 { format!("{}s", t / 1000) } else { format!("{t}ms") };
                ProviderError::new(ErrorCode::Timeout, format!("LLM idle timeout ({shown}): no response from model"), hints::idle_timeout())
            }
            Interrupt::Network(detail) => match unreadable::recognise(&detail) {
                // The server answered, with a body the runtime could not decode: not a cut stream.
                Some(kind) => unreadable::unreadable_answer(kind, &format!("vllm/{model}"), &detail, &self.stream.base_url),
                None => {
                    let detail = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
                    ProviderError::new(ErrorCode::StreamError, format!("vllm/{model}: the connection closed before the reply ended{detail}"), hints::stream_cut())
                }
            },
        };
        self.tag(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{resolve, ConfigInput, ResolveInput};

    fn base(url: &str) -> BaseUrl {
        BaseUrl::parse(url).unwrap()
    }

    fn provider(base_url: &str, extra: &str) -> Provider {
        let config = format!(
            r#"{{ models: {{ providers: {{ vllm: {{ baseUrl: "{base_url}", apiKey: "sk-plan-secret", api: "openai-completions", {extra} models: [{{ id: "m", name: "m", reasoning: true }}] }} }} }} }}"#
        );
        resolve(&ResolveInput { config: Some(ConfigInput::Text(config)), ..Default::default() }).unwrap()
    }

    const HI: &str = r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#;

    #[test]
    fn a_local_host_gets_a_300_s_first_event_watchdog_and_no_idle_one() {
        // Checklist 72: loopback, no timeouts configured.
        let w = watchdogs(&base("http://127.0.0.1:8000/v1"), None, CallTimeouts::default());
        assert_eq!(w, Watchdogs { request_ms: None, first_event_ms: Some(300_000), idle_ms: None });
        for host in ["http://192.168.1.50:8000/v1", "http://100.100.1.2/v1", "http://[fd00::1]:8000/v1", "http://box.local/v1", "http://host.docker.internal:8000/v1"] {
            assert_eq!(watchdogs(&base(host), None, CallTimeouts::default()).idle_ms, None, "{host}");
        }
    }

    #[test]
    fn a_remote_host_gets_both_watchdogs_at_300_s() {
        for host in ["https://gpu.example.com/v1", "http://vllm:8000/v1", "http://100.128.0.1/v1", "http://8.8.8.8/v1"] {
            let w = watchdogs(&base(host), None, CallTimeouts::default());
            assert_eq!((w.first_event_ms, w.idle_ms), (Some(300_000), Some(300_000)), "{host}");
        }
    }

    #[test]
    fn a_configured_timeout_bounds_the_request_and_sets_both_watchdogs() {
        // Checklist 72: timeoutSeconds 300 → request timeout and watchdog cap 300 000 ms, also locally.
        let w = watchdogs(&base("http://127.0.0.1:8000/v1"), Some(300_000), CallTimeouts::default());
        assert_eq!(w, Watchdogs { request_ms: Some(300_000), first_event_ms: Some(300_000), idle_ms: Some(300_000) });
        let call = CallTimeouts { request_ms: Some(5_000), ..Default::default() };
        let w = watchdogs(&base("https://gpu.example.com/v1"), Some(300_000), call);
        assert_eq!(w, Watchdogs { request_ms: Some(5_000), first_event_ms: Some(5_000), idle_ms: Some(5_000) });
    }

    #[test]
    fn the_calls_watchdog_options_win_and_zero_turns_one_off() {
        let call = CallTimeouts { request_ms: None, first_event_ms: Some(250), idle_ms: Some(0) };
        let w = watchdogs(&base("https://gpu.example.com/v1"), Some(60_000), call);
        assert_eq!(w, Watchdogs { request_ms: Some(60_000), first_event_ms: Some(250), idle_ms: None });
        assert_eq!(watchdog_from_number(0.0, "idleTimeoutMs"), Ok(0));
        assert_eq!(watchdog_from_number(1500.0, "idleTimeoutMs"), Ok(1500));
        for bad in [-1.0, 0.5, f64::NAN, MAX_TIMEOUT_MS + 1.0] {
            assert_eq!(watchdog_from_number(bad, "idleTimeoutMs").unwrap_err().path.as_deref(), Some("idleTimeoutMs"), "{bad}");
        }
    }

    #[test]
    fn request_ids_are_32_hex_digits_from_the_random_words() {
        assert_eq!(request_id([0, 1, 0xdeadbeef, u32::MAX]), "0000000000000001deadbeefffffffff");
    }

    #[test]
    fn the_plan_sends_the_shaped_body_unchanged_plus_a_request_id() {
        let p = provider("http://127.0.0.1:8000/v1", "timeoutSeconds: 30,");
        let shaped = crate::shaping::build_from_json(&p, HI).unwrap();
        let plan = plan(&p, HI, CallTimeouts::default(), [1, 2, 3, 4]).unwrap();
        assert_eq!(plan.http.body, shaped.http.body);
        assert_eq!(plan.http.url, "http://127.0.0.1:8000/v1/chat/completions");
        assert_eq!(plan.request_id, "00000001000000020000000300000004");
        assert_eq!(header_value(&plan.http.headers, "x-request-id"), Some(plan.request_id.as_str()));
        assert_eq!(&plan.http.headers[..shaped.http.headers.len()], &shaped.http.headers[..]);
        assert_eq!(plan.http.timeout_ms, Some(30_000));
        assert_eq!(plan.stream.model, "m");
        assert!(plan.stream.emit_reasoning);
        assert_eq!(plan.stream.request_id.as_deref(), Some(plan.request_id.as_str()));
        let off = plan_for(&p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"thinking":"off"}"#);
        assert!(!off.stream.emit_reasoning);
    }

    fn plan_for(p: &Provider, json: &str) -> ChatPlan {
        plan(p, json, CallTimeouts::default(), [0; 4]).unwrap()
    }

    #[test]
    fn a_configured_request_id_header_is_kept() {
        let p = provider("http://127.0.0.1:8000/v1", r#"headers: { "X-Request-Id": "fixed-1" },"#);
        let plan = plan_for(&p, HI);
        assert_eq!(plan.request_id, "fixed-1");
        assert_eq!(plan.http.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("x-request-id")).count(), 1);
    }

    #[test]
    fn planning_errors_are_the_shaping_errors_without_the_key() {
        let p = provider("http://127.0.0.1:8000/v1", "");
        let e = plan(&p, r#"{"model":"m","messages":[{"role":"robot","content":"sk-plan-secret"}]}"#, CallTimeouts::default(), [0; 4]).unwrap_err();
        assert_eq!((e.code, e.path.as_deref()), (ErrorCode::Config, Some("messages[0].role")));
        assert!(!format!("{} {}", e.message, e.hint).contains("sk-plan-secret"));
    }

    #[test]
    fn each_interruption_has_its_own_message_and_carries_the_request_id() {
        let p = provider("http://127.0.0.1:8000/v1", "");
        let call = CallTimeouts { request_ms: Some(90_000), first_event_ms: Some(250), idle_ms: Some(300_000) };
        let plan = plan(&p, HI, call, [0, 0, 0, 7]).unwrap();
        let cases = [
            (Interrupt::Aborted, ErrorCode::Aborted, "Request was aborted"),
            (Interrupt::RequestTimeout, ErrorCode::Timeout, "vllm/m: the reply did not finish within 90000 ms (whole-request timeout)"),
            (Interrupt::FirstEvent, ErrorCode::Timeout, "completions HTTP stream opened but did not deliver a first SSE event within 250ms after streaming headers (first-event timeout). provider=vllm api=openai-completions model=m"),
            (Interrupt::Idle, ErrorCode::Timeout, "LLM idle timeout (300s): no response from model"),
            (Interrupt::Network("terminated".into()), ErrorCode::StreamError, "vllm/m: the connection closed before the reply ended (terminated)"),
        ];
        let mut hints = Vec::new();
        for (why, code, message) in cases {
            let e = plan.interrupted(why);
            assert_eq!((e.code, e.message.as_str()), (code, message));
            assert_eq!(e.request_id.as_deref(), Some("00000000000000000000000000000007"));
            assert!(!hints.contains(&e.hint), "each interruption has its own hint: {}", e.hint);
            hints.push(e.hint.clone());
        }
        let short = ChatPlan { watchdogs: Watchdogs { idle_ms: Some(300), ..plan.watchdogs }, ..plan.clone() };
        assert_eq!(short.interrupted(Interrupt::Idle).message, "LLM idle timeout (300ms): no response from model");
    }

    #[test]
    fn a_body_that_does_not_decode_is_a_bad_response_not_a_cut_stream() {
        let p = provider("http://127.0.0.1:8000/v1", "");
        let plan = plan_for(&p, HI);
        let e = plan.interrupted(Interrupt::Network("terminated: incorrect header check (Z_DATA_ERROR)".into()));
        assert_eq!((e.code, e.retryable), (ErrorCode::BadResponse, false));
        assert!(e.message.starts_with("vllm/m answered with a body that does not decode"), "{}", e.message);
        assert!(e.hint.contains("curl -sv --compressed http://127.0.0.1:8000/v1/models"), "{}", e.hint);
        assert!(e.request_id.is_some());
        let cut = plan.interrupted(Interrupt::Network("terminated: other side closed (UND_ERR_SOCKET)".into()));
        assert_eq!(cut.code, ErrorCode::StreamError);
    }

    #[test]
    fn tagging_removes_keys_and_sets_the_request_id() {
        let p = provider("http://127.0.0.1:8000/v1", "");
        let plan = plan_for(&p, HI);
        let e = plan.tag(ProviderError::new(ErrorCode::Auth, "bad key sk-plan-secret", "x"));
        assert_eq!(e.message, "bad key [redacted]");
        assert_eq!(e.request_id.as_deref(), Some(plan.request_id.as_str()));
    }
}
