//! Target `models`: reading a `/v1/models` answer (`Provider::parse_discovery`, i.e.
//! `discovery::parse_models_response` plus the scrub of the server's strings), then merging the rows
//! with declared ones (`models::merge_models`).
//!
//! Input: two bytes choose the status (mostly 200) and whether the body was truncated; the rest is
//! the body. Properties: no panic; a 2xx answer is rows or `bad_response`, another answer one of the
//! HTTP codes; no more rows than `data[]` entries; every row has an id; the rows' JSON is bounded by
//! the body; the canary key never appears in an error or a row (ids, names and parents are scrubbed).

use crate::common::{code_in, head, no_secret_in, no_secret_in_error, SECRET};
use std::cell::RefCell;
use vllm_provider::error::ErrorCode::{self, *};
use vllm_provider::http::HttpResponse;
use vllm_provider::models::merge_models;
use vllm_provider::{resolve, ConfigInput, Provider, ResolveInput};

const HTTP_CODES: &[ErrorCode] = &[Auth, ModelNotFound, ContextOverflow, ToolChoiceUnsupported, BadRequest, RateLimit, ServerError, Overloaded, BadResponse, Timeout];
const STATUSES: [u16; 8] = [200, 200, 200, 200, 201, 404, 401, 503];

thread_local! {
    static PROVIDER: RefCell<Provider> = RefCell::new(resolve(&ResolveInput {
        config: Some(ConfigInput::Text(r#"{ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "${VLLM_API_KEY}",
            models: [{ id: "m", name: "M", contextWindow: 4096, maxTokens: 512 }, { id: "qwen3-8b", name: "Q", reasoning: true }] } } } }"#.into())),
        env: [("VLLM_API_KEY", SECRET)].into_iter().collect(),
        ..Default::default()
    }).expect("the fixed config resolves"));
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([pick, extra], body) = head::<2>(data);
    let status = match pick & 15 {
        n @ 0..=7 => STATUSES[n as usize],
        _ => 100 + u16::from(extra) * 2 + u16::from(pick >> 7),
    };
    let resp = HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_vec(),
        truncated: pick & 16 != 0,
        duration_ms: 1,
    };
    PROVIDER.with(|p| {
        let provider = p.borrow();
        match provider.parse_discovery(&resp) {
            Ok(rows) => {
                assert!(resp.is_success() && !resp.truncated, "rows from status {status}");
                // Bytes that are not UTF-8 read as U+FFFD, as `response.json()` decodes them.
                let value: serde_json::Value = serde_json::from_str(&String::from_utf8_lossy(body)).expect("rows came from JSON");
                let entries = value["data"].as_array().map_or(0, Vec::len);
                assert!(rows.len() <= entries, "{} rows from {entries} entries", rows.len());
                for row in &rows {
                    assert!(!row.id.trim().is_empty(), "a row without an id: {row:?}");
                }
                let json = serde_json::to_string(&rows).expect("rows serialize");
                assert!(json.len() <= 4 * body.len() + 2048 * rows.len() + 64, "{} bytes of rows from {} bytes", json.len(), body.len());
                no_secret_in(&rows, "discovered rows");
                let merged = merge_models(&provider.describe().models, rows.clone());
                assert!(merged.len() <= rows.len() + provider.describe().models.len());
                for row in &merged {
                    assert!(!row.id.trim().is_empty(), "a merged row without an id: {row:?}");
                }
            }
            Err(e) => {
                code_in(&e, HTTP_CODES, "discovery");
                if resp.is_success() {
                    assert_eq!(e.code, BadResponse, "a 2xx answer refused with {e:?}");
                }
                assert_eq!(e.status, Some(status));
                no_secret_in_error(&e, "discovery error");
            }
        }
    });
}
