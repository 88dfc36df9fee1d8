//! `GET {baseUrl}/models`: the request to send and what to make of the answer.

use crate::classify::{classify_http, ClassifyContext};
use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::http::{HttpRequest, HttpResponse, DISCOVERY_TIMEOUT_MS, MAX_JSON_BODY_BYTES};
use crate::models::{map_cards, ModelDefinition, ModelList};

/// The discovery request: no `Accept` header (OpenClaw sends none to vLLM), the given headers, 5 s.
pub fn models_request(url: String, headers: Vec<(String, String)>, timeout_ms: Option<u32>) -> HttpRequest {
    HttpRequest {
        method: "GET".to_string(),
        url,
        headers,
        body: None,
        timeout_ms: Some(timeout_ms.unwrap_or(DISCOVERY_TIMEOUT_MS)),
        max_body_bytes: MAX_JSON_BODY_BYTES,
    }
}

/// Reads a `/v1/models` answer: the mapped rows, or the reason there are none.
pub fn parse_models_response(resp: &HttpResponse, ctx: &ClassifyContext) -> Result<Vec<ModelDefinition>, ProviderError> {
    if !resp.is_success() {
        return Err(classify_http(Some(resp.status), &resp.text(), &resp.headers, ctx));
    }
    let bad = |what: String| {
        let mut e = ProviderError::new(ErrorCode::BadResponse, what, hints::wrong_route(ctx.base_url));
        e.status = Some(resp.status);
        e.request_id = ctx.request_id.map(str::to_string);
        e.body = Some(crate::redact::redact_cut(&resp.text(), crate::classify::MAX_KEPT_BODY_CHARS, ctx.secrets));
        e.redact(ctx.secrets)
    };
    if resp.truncated {
        return Err(bad(format!("vLLM discovery: model list exceeded {MAX_JSON_BODY_BYTES} bytes")));
    }
    // Bytes that are not UTF-8 read as U+FFFD, as `response.json()` decodes them in OpenClaw.
    let text = crate::json::utf8_lossy(&resp.body);
    let list = crate::wire::parse::<ModelList>(&text).map_err(|e| bad(format!("vLLM discovery: malformed JSON response: {e}")))?;
    match list.data.0 {
        Some(rows) => {
            let mut found = map_cards(rows);
            crate::models::thinking::attach_thinking(&mut found);
            Ok(found)
        }
        None => Err(bad("vLLM discovery: malformed JSON response: model list must contain data[]".to_string())),
    }
}

impl crate::config::Provider {
    /// The classification context for this provider's requests.
    pub fn classify_context<'a>(&'a self, request_id: Option<&'a str>) -> ClassifyContext<'a> {
        ClassifyContext { base_url: &self.describe().base_url, secrets: self.secrets(), request_id, unpassed_env: self.unpassed_env() }
    }

    /// `GET {baseUrl}/models` with this provider's headers.
    pub fn discovery_request(&self, timeout_ms: Option<u32>) -> HttpRequest {
        models_request(self.base().endpoint("/models"), self.request_headers(), timeout_ms)
    }

    /// Reads a discovery answer, scrubbed of this provider's secrets: errors, and the server's strings
    /// in the rows (a proxy may echo a key into a model id).
    pub fn parse_discovery(&self, resp: &HttpResponse) -> Result<Vec<ModelDefinition>, ProviderError> {
        let mut rows = parse_models_response(resp, &self.classify_context(None))?;
        let scrub = |s: &mut String| crate::redact::redact_in_place(s, self.secrets());
        for row in &mut rows {
            // A discovered row's name is its id: redacted once.
            let named_by_id = row.name == row.id;
            scrub(&mut row.id);
            if named_by_id {
                row.name.clone_from(&row.id);
            } else {
                scrub(&mut row.name);
            }
            row.parent.as_mut().map(scrub);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn request_has_no_accept_header_and_a_5s_timeout() {
        let r = models_request("http://127.0.0.1:8000/v1/models".into(), vec![], None);
        assert_eq!(r.method, "GET");
        assert_eq!(r.timeout_ms, Some(5000));
        assert!(r.headers.iter().all(|(k, _)| !k.eq_ignore_ascii_case("accept")));
    }

    #[test]
    fn recorded_vllm_bodies_map_to_models() {
        let body = include_str!("../tests/fixtures/vllm/v0.33.0/models_list_with_lora.json");
        let m = parse_models_response(&resp(200, body), &ClassifyContext::default()).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].id.as_str(), m[0].context_window), ("qwen3-8b", 32768));
        assert_eq!((m[1].id.as_str(), m[1].context_window), ("sql-lora", 32768));
        let old = include_str!("../tests/fixtures/vllm/v0.11.0/models_list_single.json");
        assert_eq!(parse_models_response(&resp(200, old), &ClassifyContext::default()).unwrap().len(), 1);
    }

    #[test]
    fn malformed_bodies_are_bad_responses() {
        let ctx = ClassifyContext::default();
        for body in ["not json", r#"{"object":"list"}"#, r#"{"data":{}}"#, "<html></html>"] {
            let e = parse_models_response(&resp(200, body), &ctx).unwrap_err();
            assert_eq!(e.code, ErrorCode::BadResponse, "{body}");
            assert!(e.message.starts_with("vLLM discovery: malformed JSON response:"), "{}", e.message);
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_read_as_replacement_characters() {
        let mut r = resp(200, r#"{"data":[{"id":"m-","max_model_len":512}]}"#);
        r.body.insert(17, 0xff);
        let m = parse_models_response(&r, &ClassifyContext::default()).unwrap();
        assert_eq!((m[0].id.as_str(), m[0].context_window), ("m\u{fffd}-", 512));
    }

    #[test]
    fn a_thousand_cards_with_parents_map_in_time_proportional_to_their_number() {
        let body = |n: usize| {
            let rows: Vec<String> = (0..n)
                .map(|i| if i % 2 == 1 { format!(r#"{{"id":"lora{i}","parent":"base{}"}}"#, i - 1) } else { format!(r#"{{"id":"base{i}","max_model_len":{}}}"#, 1000 + i) })
                .collect();
            resp(200, &format!(r#"{{"object":"list","data":[{}]}}"#, rows.join(",")))
        };
        let m = parse_models_response(&body(1000), &ClassifyContext::default()).unwrap();
        assert_eq!((m[999].id.as_str(), m[999].context_window, m[999].parent.as_deref()), ("lora999", 1998, Some("base998")));
        crate::growth::assert_linear("discovery", 4000, body, |r| {
            parse_models_response(r, &ClassifyContext::default()).unwrap();
        });
    }

    #[test]
    fn empty_list_is_ok_and_empty() {
        assert!(parse_models_response(&resp(200, r#"{"data":[]}"#), &ClassifyContext::default()).unwrap().is_empty());
    }

    #[test]
    fn oversize_body_is_refused() {
        let mut r = resp(200, "{\"data\":[");
        r.truncated = true;
        let e = parse_models_response(&r, &ClassifyContext::default()).unwrap_err();
        assert!(e.message.contains("exceeded"));
    }

    #[test]
    fn http_errors_are_classified() {
        let e = parse_models_response(&resp(401, r#"{"error":"Unauthorized"}"#), &ClassifyContext::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Auth);
        let e = parse_models_response(&resp(503, ""), &ClassifyContext::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::ServerError);
    }
}
