//! Answers of the routers in front of vLLM (vllm-router, llm-d, NVIDIA Dynamo, gateways), pinned.
//! The vllm-router bodies are what vllm-router 0.1.17 sent in front of simulators (tests/router/).

use super::*;

fn classify(status: u16, body: &str, headers: &[(&str, &str)]) -> ProviderError {
    let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    classify_http(Some(status), body, &headers, &ClassifyContext::default())
}

#[test]
fn a_plain_text_503_is_overloaded_with_the_router_hint() {
    for body in ["No available workers (all circuits open or unhealthy)", "Service Unavailable", "no healthy upstream", "<html><body>503 Service Temporarily Unavailable</body></html>"] {
        let e = classify(503, body, &[("content-type", "text/plain; charset=utf-8")]);
        assert_eq!(e.code, ErrorCode::Overloaded, "{body}");
        assert!(e.retryable);
        assert!(e.hint.contains("router or proxy") && e.hint.contains("/health"), "{}", e.hint);
    }
    let e = classify(503, "No available workers (all circuits open or unhealthy)", &[]);
    assert_eq!(e.message, "503 No available workers (all circuits open or unhealthy)");
    // vLLM's own JSON 503s keep their meaning: a full queue is overloaded, anything else a server error.
    assert_eq!(classify(503, r#"{"error":{"message":"x","type":"ServiceUnavailableError","code":503}}"#, &[]).hint, hints::overloaded());
    assert_eq!(classify(503, r#"{"error":{"message":"engine restarting","type":"InternalServerError","code":503}}"#, &[]).code, ErrorCode::ServerError);
    assert_eq!(classify(503, "", &[]).code, ErrorCode::ServerError, "no body: vLLM's /health of a dead engine");
}

#[test]
fn llm_d_drops_are_overloaded_with_their_reason() {
    for status in [429, 503] {
        let e = classify(status, "", &[("X-LLM-D-Request-Dropped-Reason", "queue full for flow model-a")]);
        assert_eq!(e.code, ErrorCode::Overloaded, "{status}");
        assert!(e.hint.contains("llm-d") && e.hint.contains("(queue full for flow model-a)"), "{}", e.hint);
    }
    let long = "x".repeat(300);
    assert!(classify(429, "", &[("x-llm-d-request-dropped-reason", &long)]).hint.len() < 300, "the reason is cut");
    let secret = vec!["sk-drop-secret".to_string()];
    let h = vec![("x-llm-d-request-dropped-reason".to_string(), "key sk-drop-secret over quota".to_string())];
    assert!(!classify_http(Some(429), "", &h, &ClassifyContext { secrets: &secret, ..Default::default() }).hint.contains("sk-drop"));
}

#[test]
fn dynamos_529_is_overloaded() {
    let e = classify(529, r#"{"error":"Too many requests: all workers busy"}"#, &[]);
    assert_eq!(e.code, ErrorCode::Overloaded);
    assert!(e.retryable);
    assert!(e.hint.contains("Dynamo"), "{}", e.hint);
}

#[test]
fn a_gateways_502_is_a_server_error_naming_the_router() {
    for body in ["", "Bad Gateway", "<html><head><title>502 Bad Gateway</title></head></html>", "upstream connect error or disconnect/reset before headers"] {
        let e = classify(502, body, &[]);
        assert_eq!(e.code, ErrorCode::ServerError, "{body}");
        assert!(e.retryable);
        assert!(e.hint.contains("router or gateway") && e.hint.contains("vllm-router"), "{}", e.hint);
    }
}

#[test]
fn vllm_routers_500_for_a_dead_worker_names_the_router_and_the_worker() {
    let e = classify(500, "Request failed: error sending request for url (http://127.0.0.1:38737/v1/chat/completions)", &[("content-type", "text/plain; charset=utf-8")]);
    assert_eq!(e.code, ErrorCode::ServerError);
    assert_eq!(e.message, "500 Request failed: error sending request for url (http://127.0.0.1:38737/v1/chat/completions)");
    assert!(e.hint.starts_with("vllm-router could not reach its worker http://127.0.0.1:38737:"), "{}", e.hint);
    assert!(e.hint.contains("curl http://127.0.0.1:38737/health"));
    assert_eq!(classify(500, "Request failed: something else", &[]).hint, hints::server_error());
    assert_eq!(classify(500, r#"{"error":{"message":"EngineCore died","type":"InternalServerError","code":500}}"#, &[]).hint, hints::server_error());
}

#[test]
fn retry_after_dates_fall_back_to_the_callers_clock() {
    let h = |v: &str| vec![("Retry-After".to_string(), v.to_string())];
    let now = 1_795_527_600_000; // Tue, 24 Nov 2026 13:40:00 GMT
    assert_eq!(retry_after_ms(&h("Tue, 24 Nov 2026 13:40:05 GMT"), Some(now)), Some(5_000));
    assert_eq!(retry_after_ms(&h("Tue, 24 Nov 2026 13:39:00 GMT"), Some(now)), Some(0), "already past");
    assert_eq!(retry_after_ms(&h("Tue, 24 Nov 2026 13:40:05 GMT"), None), None);
    assert_eq!(retry_after_ms(&h("4"), None), Some(4_000));
    assert_eq!(retry_after_ms(&[], Some(now)), None);
    let mut with_date = h("Tue, 24 Nov 2026 13:40:05 GMT");
    with_date.push(("date".to_string(), "Tue, 24 Nov 2026 13:40:03 GMT".to_string()));
    assert_eq!(retry_after_ms(&with_date, Some(now)), Some(2_000), "the answer's own Date wins");
}
