//! Target `request`: the chat request builder (`shaping::build_from_json`: request parsing, model
//! resolution, params merge, messages, tools, thinking switches, the output cap), under a few
//! providers that cover its branches (an implicit one, declared rows of every thinking family with
//! params and headers, a keyless local one).
//!
//! Input: a byte chooses the provider; the rest is the request's JSON text. Properties: no panic;
//! refusals are `config` or `context_overflow` errors; building twice gives the same request; the body
//! sent is the body shown and is bounded by the input; the canary key is sent in `Authorization` but
//! never appears in the shown URL, headers, notes or an error.

use crate::common::{code_in, head, nearly_equal, no_secret, no_secret_in, no_secret_in_error, SECRET};
use vllm_provider::error::ErrorCode::*;
use vllm_provider::shaping::build_from_json;
use vllm_provider::{resolve, ConfigInput, Provider, ResolveInput};

const CONFIGS: [&str; 3] = [
    "",
    r#"{
  models: { providers: { vllm: {
    baseUrl: "http://127.0.0.1:8000/v1", apiKey: "${VLLM_API_KEY}", api: "openai-completions",
    headers: { "X-Api-Key": "${OTHER_KEY}", "X-Team": "t" },
    params: { temperature: 0.2 },
    models: [
      { id: "m", name: "M", contextWindow: 4096, maxTokens: 512, params: { top_p: 0.9, maxTokens: 300 } },
      { id: "qwen3-8b", name: "Q", reasoning: true, contextWindow: 32768, compat: { thinkingFormat: "qwen-chat-template" } },
      { id: "deepseek-v4-flash", name: "D", reasoning: true, contextWindow: 65536 },
      { id: "nemotron-3-super", name: "N", reasoning: true, compat: { supportedReasoningEfforts: ["low", "medium", "high"] } },
      { id: "tiny", name: "T", contextWindow: 64, maxTokens: 32, input: ["text", "image"], compat: { supportsUsageInStreaming: false, supportsTools: false } },
    ],
  } } },
  agents: { defaults: { models: { "vllm/m": { alias: "em", params: { maxTokens: 100 } } }, modelPolicy: { allow: ["vllm/*"] } } },
}"#,
    r#"{ models: { providers: { vllm: { baseUrl: "http://localhost:8000/v1", api: "openai-completions", models: [{ id: "local", name: "L", contextWindow: 2048 }] } } } }"#,
];

thread_local! {
    static PROVIDERS: Vec<Provider> = CONFIGS
        .iter()
        .map(|config| {
            let input = ResolveInput {
                config: (!config.is_empty()).then(|| ConfigInput::Text(config.to_string())),
                env: [("VLLM_API_KEY", SECRET), ("OTHER_KEY", "fzk-other-Zr5Yq1Pn")].into_iter().collect(),
                ..Default::default()
            };
            resolve(&input).unwrap_or_else(|e| panic!("fixed config {config}: {e:?}"))
        })
        .collect();
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([pick], rest) = head::<1>(data);
    let json = String::from_utf8_lossy(rest);
    PROVIDERS.with(|providers| {
        let provider = &providers[usize::from(pick) % providers.len()];
        let first = build_from_json(provider, &json);
        let again = build_from_json(provider, &json);
        match (first, again) {
            (Err(e), Err(e2)) => {
                assert_eq!(e, e2, "two builds refused differently");
                code_in(&e, &[Config, ContextOverflow], "build");
                no_secret_in_error(&e, "build error");
            }
            (Ok(a), Ok(b)) => {
                assert!(a.prepared == b.prepared && a.http == b.http, "two builds differ");
                let p = &a.prepared;
                no_secret(&p.url, "shown url");
                no_secret_in(&p.headers, "shown headers");
                no_secret_in(&p.notes, "notes");
                let body = a.http.body.as_deref().expect("a body");
                assert!(body.len() <= 4 * json.len() + 16 * 1024, "{}-byte body from a {}-byte request", body.len(), json.len());
                let sent: serde_json::Value = serde_json::from_str(body).expect("the body is JSON");
                assert!(nearly_equal(&sent, &serde_json::to_value(&p.body).unwrap()), "the body sent is not the body shown");
                let auth = a.http.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
                if usize::from(pick) % providers.len() < 2 {
                    assert_eq!(auth, Some(format!("Bearer {SECRET}").as_str()), "the key is not sent");
                }
            }
            (a, b) => panic!("two builds disagree: {a:?} vs {b:?}"),
        }
    });
}
