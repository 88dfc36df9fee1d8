//! Classification pinned on recorded vLLM bodies and on the statuses OpenClaw maps.

use super::*;

fn classify(status: u16, body: &str) -> ProviderError {
    classify_http(Some(status), body, &[], &ClassifyContext::default())
}

#[test]
fn string_401_is_auth_with_the_key_hint() {
    let e = classify(401, r#"{"error":"Unauthorized"}"#);
    assert_eq!(e.code, ErrorCode::Auth);
    assert_eq!(e.message, "401 Unauthorized");
    assert!(e.hint.contains("VLLM_API_KEY"));
    assert!(!e.retryable);
}

#[test]
fn nested_404_keeps_the_servers_words() {
    let e = classify(404, r#"{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}}"#);
    assert_eq!(e.code, ErrorCode::ModelNotFound);
    assert_eq!(e.message, "404 The model `x` does not exist.");
}

#[test]
fn flat_context_error_is_overflow() {
    let e = classify(400, r#"{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens","type":"BadRequestError","code":400}"#);
    assert_eq!(e.code, ErrorCode::ContextOverflow);
    assert!(e.message.starts_with("400 This model's maximum context length is 32768 tokens"));
}

#[test]
fn fastapi_not_found_points_at_the_v1_prefix() {
    let e = classify(404, r#"{"detail":"Not Found"}"#);
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert!(e.hint.contains("/v1"));
}

#[test]
fn empty_body_reads_no_body() {
    let e = classify(500, "");
    assert_eq!(e.message, "500 status code (no body)");
    assert_eq!(e.code, ErrorCode::ServerError);
    assert!(e.retryable);
}

#[test]
fn statuses_map_as_openclaw_does() {
    assert_eq!(classify(429, "{}").code, ErrorCode::RateLimit);
    assert_eq!(classify(504, "").code, ErrorCode::Timeout);
    assert_eq!(classify(502, "").code, ErrorCode::ServerError);
    assert_eq!(classify(529, "").code, ErrorCode::Overloaded);
}

#[test]
fn retry_after_is_read_and_reported() {
    let h = vec![("Retry-After".to_string(), "7".to_string())];
    let e = classify_http(Some(429), "{}", &h, &ClassifyContext::default());
    assert_eq!(e.retry_after_ms, Some(7000));
    assert!(e.message.ends_with("; Retry-After: 7 seconds"));
}

#[test]
fn kept_body_is_cut_and_scrubbed() {
    let secrets = vec!["sk-secret-1".to_string()];
    let body = format!("{{\"error\":{{\"message\":\"bad key sk-secret-1 {}\"}}}}", "x".repeat(900));
    let ctx = ClassifyContext { secrets: &secrets, ..Default::default() };
    let e = classify_http(Some(400), &body, &[], &ctx);
    assert!(e.body.as_ref().unwrap().chars().count() <= MAX_KEPT_BODY_CHARS);
    assert!(!format!("{e:?}").contains("sk-secret-1"));
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/vllm/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_recorded_error_fixture_gets_its_code() {
    use ErrorCode::*;
    for (path, status, code, hint_word) in [
        ("v0.11.0/error_400_context_length_max_tokens_too_large.json", 400, ContextOverflow, "maxTokens"),
        ("v0.11.0/error_400_context_length_prompt_too_long.json", 400, ContextOverflow, "contextWindow"),
        ("v0.11.0/error_404_model_not_found.json", 404, ModelNotFound, "/v1/models"),
        ("v0.33.0/error_400_auto_tool_choice_not_enabled.json", 400, ToolChoiceUnsupported, "--enable-auto-tool-choice"),
        ("v0.33.0/error_400_bad_param_type.json", 400, BadRequest, "parameter"),
        ("v0.33.0/error_400_context_length.json", 400, ContextOverflow, "max_model_len"),
        ("v0.33.0/error_400_max_tokens_exceeds_max_model_len.json", 400, ContextOverflow, "--max-model-len"),
        ("v0.33.0/error_400_stream_options_without_stream.json", 400, BadRequest, "parameter"),
        ("v0.33.0/error_401_unauthorized.json", 401, Auth, "VLLM_API_KEY"),
        ("v0.33.0/error_404_model_not_found.json", 404, ModelNotFound, "/v1/models"),
        ("v0.33.0/error_404_unknown_route.json", 404, BadResponse, "/v1"),
        ("v0.33.0/error_503_queue_full.json", 503, Overloaded, "--max-num-queued-reqs"),
    ] {
        let e = classify(status, &fixture(path));
        assert_eq!(e.code, code, "{path}");
        assert!(e.hint.contains(hint_word), "{path}: {}", e.hint);
        assert_eq!(e.retryable, code.default_retryable(), "{path}");
        assert!(e.message.starts_with(&status.to_string()), "{path}");
    }
}

#[test]
fn the_401_http_fixture_head_does_not_matter() {
    let raw = fixture("v0.33.0/error_401_unauthorized.http");
    let body = raw.replace("\r\n", "\n").split("\n\n").nth(1).unwrap().to_string();
    assert_eq!(classify(401, &body).code, ErrorCode::Auth);
}

#[test]
fn the_trailing_none_of_old_releases_is_dropped() {
    let e = classify(400, &fixture("v0.11.0/error_400_context_length_prompt_too_long.json"));
    assert!(e.message.ends_with("input messages."), "{}", e.message);
}

#[test]
fn old_validation_dumps_show_fields_not_server_paths() {
    let body = r#"{"object":"error","message":"[{'type': 'float_parsing', 'loc': ('body', 'temperature'), 'msg': 'Input should be a valid number, unable to parse string as a number', 'input': 'hot'}] File \"/usr/lib/python3/site-packages/vllm/entrypoints/openai/api_server.py\", line 123","type":"Bad Request","param":null,"code":400}"#;
    let e = classify(400, body);
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert_eq!(e.message, "400 body.temperature: Input should be a valid number, unable to parse string as a number");
    let e = classify(400, r#"{"object":"error","message":"bad thing at /opt/venv/lib/python3.12/site-packages/vllm/x.py line 3","type":"Bad Request","code":400}"#);
    assert_eq!(e.message, "400 bad thing at <path> line 3");
}

#[test]
fn method_not_allowed_and_html_are_wrong_routes() {
    let e = classify(405, r#"{"detail":"Method Not Allowed"}"#);
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::BadResponse, "405 Method Not Allowed"));
    let e = classify(404, "<html><body>nginx</body></html>");
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert_eq!(e.message, "404 status code (non-JSON body)");
    assert!(e.hint.contains("/v1"));
}

#[test]
fn a_model_without_chat_support_is_not_retried() {
    let e = classify(501, r#"{"error":{"message":"The model does not support Chat Completions API","type":"NotImplementedError","param":null,"code":501}}"#);
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert!(!e.retryable);
    assert!(e.hint.contains("--runner"));
}

#[test]
fn throttling_texts_are_not_overflow() {
    assert!(!is_context_overflow("Throttling error: too many tokens"));
    assert!(!is_context_overflow("Service unavailable: too many tokens"));
    assert!(is_context_overflow("You passed 10 input tokens and requested 600 output tokens. However, the model's context length is only 512 tokens. max_tokens would exceed the context"));
}

#[test]
fn model_missing_wordings_on_400_are_model_not_found() {
    for text in ["unknown model foo", "Model not found", "invalid model id"] {
        let body = format!(r#"{{"error":{{"message":"{text}","type":"BadRequestError","code":400}}}}"#);
        assert_eq!(classify(400, &body).code, ErrorCode::ModelNotFound, "{text}");
    }
}

#[test]
fn auth_403_and_other_statuses() {
    assert_eq!(classify(403, "").code, ErrorCode::Auth);
    for s in [408, 499, 522, 524] {
        assert_eq!(classify(s, "").code, ErrorCode::Timeout, "{s}");
    }
    assert_eq!(classify(500, "").code, ErrorCode::ServerError);
    let e = classify(503, r#"{"error":{"message":"x","type":"ServiceUnavailableError","code":503}}"#);
    assert_eq!(e.code, ErrorCode::Overloaded);
    assert!(e.retryable);
    assert_eq!(classify(418, "<html>teapot</html>").code, ErrorCode::BadResponse);
}

#[test]
fn valid_aliases_lead_to_the_closest_name() {
    let e = classify(404, &fixture("v0.33.0/error_404_model_not_found.json"));
    assert!(e.hint.contains("did you mean `qwen3-8b`?"), "{}", e.hint);
    assert!(e.hint.contains("served: qwen3-8b, qwen3"), "{}", e.hint);
}

#[test]
fn in_band_errors_without_a_status() {
    let e = classify_http(None, r#"{"error":{"message":"engine died","type":"InternalServerError","code":500}}"#, &[], &ClassifyContext::default());
    assert_eq!((e.code, e.status), (ErrorCode::StreamError, None));
    assert!(e.retryable);
    let e = classify_http(None, r#"{"error":{"message":"This model's maximum context length is 512 tokens.","code":400}}"#, &[], &ClassifyContext::default());
    assert_eq!(e.code, ErrorCode::ContextOverflow);
}

#[test]
fn thinking_tags_in_content_are_noticed() {
    assert!(thinking_in_content("<think>hmm</think>Hi"));
    assert!(!thinking_in_content("Hi"));
}

#[test]
fn retry_after_as_an_http_date_is_measured_against_the_date_header() {
    let h = vec![
        ("date".to_string(), "Tue, 24 Nov 2026 13:40:00 GMT".to_string()),
        ("retry-after".to_string(), "Tue, 24 Nov 2026 13:40:30 GMT".to_string()),
    ];
    let e = classify_http(Some(503), "", &h, &ClassifyContext::default());
    assert_eq!(e.retry_after_ms, Some(30_000));
    assert_eq!(words::http_date_secs("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(words::http_date_secs("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
    let no_date = vec![("retry-after".to_string(), "Tue, 24 Nov 2026 13:40:30 GMT".to_string())];
    assert_eq!(classify_http(Some(503), "", &no_date, &ClassifyContext::default()).retry_after_ms, None);
}

#[test]
fn fastapi_validation_details_are_kept_as_compact_json_in_key_order() {
    let e = classify(422, r#"{"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}]}"#);
    assert_eq!(e.message, r#"422 [{"type":"missing","loc":["body","model"],"msg":"Field required"}]"#);
    assert_eq!(e.code, ErrorCode::BadRequest);
}

#[test]
fn retry_after_fractions_and_garbage() {
    let ms = |v: &str| classify_http(Some(429), "{}", &[("retry-after".to_string(), v.to_string())], &ClassifyContext::default()).retry_after_ms;
    assert_eq!(ms("2.5"), Some(2000));
    assert_eq!(ms(" 10 "), Some(10_000));
    assert_eq!(ms("-1"), None);
    assert_eq!(ms("soon"), None);
}

#[test]
fn classify_error_checks_its_arguments_before_reading_them() {
    let e = classify_error(Some(404.0), Some(r#"{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}"#.into()), None).unwrap();
    assert_eq!(e.code, ErrorCode::ModelNotFound);
    let e = classify_error(Some(429.0), Some("{}".into()), Some(r#"{"retry-after":"7","x":1}"#)).unwrap();
    assert_eq!(e.retry_after_ms, Some(7000));
    assert_eq!(classify_error(Some(500.0), None, None).unwrap_err().path.as_deref(), Some("body"));
    assert_eq!(classify_error(Some(f64::NAN), Some(String::new()), None).unwrap_err().path.as_deref(), Some("status"));
    assert_eq!(classify_error(None, Some(String::new()), Some("[1]")).unwrap_err().path.as_deref(), Some("headers"));
}

#[test]
fn a_model_hint_never_quotes_a_key_the_server_echoed_as_the_model_name() {
    // Found by the `classify` fuzz target: the hint names the model and the aliases the server listed.
    let secrets = vec!["sk-secret-1".to_string()];
    let body = r#"{"error":{"message":"The model `sk-secret-1` does not exist. Valid aliases: sk-secret-2, b.","type":"NotFoundError"}}"#;
    let ctx = ClassifyContext { secrets: &secrets, ..Default::default() };
    let e = classify_http(Some(404), body, &[], &ctx);
    assert_eq!(e.code, ErrorCode::ModelNotFound);
    assert!(!format!("{e:?}").contains("sk-secret-1"), "{e:?}");
    assert!(e.hint.contains("[redacted]") && e.hint.contains("sk-secret-2"), "{}", e.hint);
}

#[test]
fn a_retry_after_date_out_of_any_calendar_is_ignored_not_overflowed() {
    // Found by the `classify` fuzz target: a 20-digit day multiplied past i64 (a panic with overflow
    // checks, a wrapped wait without them).
    let headers = |retry: &str| vec![("retry-after".to_string(), retry.to_string()), ("date".to_string(), "Wed, 21 Oct 2026 07:28:00 GMT".to_string())];
    for retry in ["Wed, 27777777777777777717 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 99999999999999 07:28:00 GMT", "Wed, 21 Oct 2026 99999999999:28:00 GMT", "Wed, 0 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 -1:28:00 GMT"] {
        let e = classify_http(Some(429), "{}", &headers(retry), &ClassifyContext::default());
        assert_eq!((e.code, e.retry_after_ms), (ErrorCode::RateLimit, None), "{retry}");
    }
    let e = classify_http(Some(429), "{}", &headers("Wed, 21 Oct 2026 07:29:30 GMT"), &ClassifyContext::default());
    assert_eq!(e.retry_after_ms, Some(90_000));
}

/// The reading before typed wire structs, kept as the oracle: a `Value` walked.
fn parse_body_by_value(body: &str) -> ServerError {
    use serde_json::Value;
    let Ok(v) = crate::json::parse(body.as_bytes()) else {
        return ServerError::default();
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    match v.get("error") {
        Some(Value::Object(inner)) => ServerError { message: text(inner.get("message")), kind: text(inner.get("type")), param: text(inner.get("param")), fastapi_detail: false },
        Some(Value::String(s)) => ServerError { message: Some(s.clone()), ..Default::default() },
        _ if v.get("object").and_then(Value::as_str) == Some("error") => {
            ServerError { message: text(v.get("message")), kind: text(v.get("type")), param: text(v.get("param")), fastapi_detail: false }
        }
        _ => match v.get("detail") {
            Some(Value::String(s)) => ServerError { message: Some(s.clone()), fastapi_detail: true, ..Default::default() },
            Some(d @ Value::Array(_)) => ServerError { message: Some(crate::json::to_string(d)), fastapi_detail: true, ..Default::default() },
            _ => ServerError::default(),
        },
    }
}

#[test]
fn typed_reading_of_error_bodies_agrees_with_walking_a_value() {
    let mut bodies: Vec<String> = std::fs::read_dir("tests/fixtures/vllm/v0.33.0")
        .unwrap()
        .chain(std::fs::read_dir("tests/fixtures/vllm/v0.11.0").unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("error"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    bodies.extend(
        [
            r#"{"error":null,"object":"error","message":"flat","type":"T","param":3}"#,
            r#"{"error":5,"detail":"Not Found"}"#,
            r#"{"error":{"message":"a"},"error":"b"}"#,
            r#"{"error":"b","error":{"message":"a","type":null,"param":"p"}}"#,
            r#"{"detail":[{"loc":["body","temperature"],"msg":"Input should be a valid number","type":"float_parsing","input":"hot","ctx":{"e":1.5e3,"n":-0}}]}"#,
            r#"{"detail":{"x":1}}"#, r#"{"detail":[]}"#, r#"{"detail":null}"#, r#"[1]"#, "\"str\"", "{", "", r#"{"object":"list","message":"m"}"#,
            r#"{"error":{"message":"esc\"aped \u00e9"}}"#, r#"{"detail":"x","detail":[true,"y\n"]}"#,
        ]
        .map(String::from),
    );
    for body in bodies {
        assert_eq!(parse_body(&body), parse_body_by_value(&body), "{body}");
    }
}
