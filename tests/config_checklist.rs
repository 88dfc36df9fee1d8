//! OpenClaw's conformance checklist, items 1–26 (openclaw-vllm.md), as far as they concern config,
//! auth, discovery decisions, discovery mapping and headers. Items that describe OpenClaw internals
//! are adapted and say how.

use serde_json::json;
use vllm_provider::config::{resolve, AuthSource, ConfigInput, Provider, ResolveInput, Status};
use vllm_provider::error::ErrorCode;
use vllm_provider::http::HttpResponse;
use vllm_provider::models::{map_discovered_rows, Origin};

fn input(config: &str, env: &[(&str, &str)]) -> ResolveInput {
    ResolveInput {
        config: (!config.is_empty()).then(|| ConfigInput::Text(config.to_string())),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    }
}

fn provider(config: &str, env: &[(&str, &str)]) -> Provider {
    resolve(&input(config, env)).unwrap()
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse { status: 200, body: body.as_bytes().to_vec(), ..Default::default() }
}

const WILDCARD: &str = "agents:{defaults:{modelPolicy:{allow:['vllm/*']}}}";

#[test]
fn c01_env_key_alone_discovers_with_a_bearer_no_accept_and_5s() {
    let p = provider("", &[("VLLM_API_KEY", "vllm-local")]);
    assert!(p.wants_discovery());
    let r = p.discovery_request(None);
    assert_eq!((r.method.as_str(), r.url.as_str()), ("GET", "http://127.0.0.1:8000/v1/models"));
    assert_eq!(header(&r.headers, "authorization"), Some("Bearer vllm-local"));
    assert_eq!(header(&r.headers, "accept"), None);
    assert_eq!(r.timeout_ms, Some(5000));
}

#[test]
fn c02_no_key_anywhere_is_unregistered_and_refuses_with_openclaws_words() {
    let p = provider("", &[]);
    assert_eq!(p.describe().status, Status::Unregistered);
    assert!(!p.wants_discovery());
    let e = p.ensure_can_send_to("vllm/x").unwrap_err();
    assert_eq!(e.code, ErrorCode::Unregistered);
    assert_eq!(
        e.message,
        "Unknown model: vllm/x. vLLM requires authentication to be registered as a provider. Set VLLM_API_KEY (any value works) or run \"openclaw configure\". See: https://docs.openclaw.ai/providers/vllm"
    );
    assert_eq!(p.ensure_can_send().unwrap_err().code, ErrorCode::Unregistered);
}

#[test]
fn c03_explicit_without_wildcard_only_declared_rows() {
    let p = provider("{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A'}]}}}}", &[("VLLM_API_KEY", "k")]);
    assert!(!p.wants_discovery());
    let c = p.catalog(None).unwrap();
    assert_eq!(c.models.len(), 1);
    assert!(!c.discovery.attempted);
}

#[test]
fn c04_explicit_with_wildcard_discovers_at_the_normalised_url() {
    let p = provider(&format!("{{models:{{providers:{{vllm:{{baseUrl:'http://10.0.0.5:9000/v1/', apiKey:'k'}}}}}}, {WILDCARD}}}"), &[]);
    assert!(p.wants_discovery());
    assert_eq!(p.discovery_request(None).url, "http://10.0.0.5:9000/v1/models");
}

#[test]
fn c05_marker_key_sends_no_authorization() {
    let p = provider("{models:{providers:{vllm:{apiKey:'VLLM_API_KEY'}}}}", &[("VLLM_API_KEY", "custom-local")]);
    assert_eq!(header(&p.request_headers(), "authorization"), None);
    assert_eq!(header(&p.chat_headers(None), "authorization"), None);
    assert!(!p.describe().auth.sends_authorization);
}

#[test]
fn c06_to_c12_discovery_mapping() {
    let m = map_discovered_rows(json!([{"id":"Qwen/Qwen3-8B","max_model_len":32768}]).as_array().unwrap());
    let v = serde_json::to_value(&m[0]).unwrap();
    assert_eq!(v["id"], "Qwen/Qwen3-8B");
    assert_eq!(v["name"], "Qwen/Qwen3-8B");
    assert_eq!(v["reasoning"], false);
    assert_eq!(v["input"], json!(["text"]));
    assert_eq!(v["cost"], json!({"input":0.0,"output":0.0,"cacheRead":0.0,"cacheWrite":0.0}));
    assert_eq!((v["contextWindow"].as_u64(), v["maxTokens"].as_u64()), (Some(32768), Some(8192)));
    assert_eq!(m[0].origins.context_window, Origin::Server);
    // 7: no context field
    assert_eq!(map_discovered_rows(json!([{"id":"x"}]).as_array().unwrap())[0].context_window, 128_000);
    // 8: LoRA inherits (vLLM sends max_model_len: null on adapters)
    let lora = map_discovered_rows(json!([{"id":"base","max_model_len":16384},{"id":"lora1","parent":"base","max_model_len":null}]).as_array().unwrap());
    assert_eq!((lora[1].context_window, lora[1].origins.context_window), (16384, Origin::Server));
    // 9, 10: meta first, then context_length > context_window > context_size
    assert_eq!(map_discovered_rows(json!([{"id":"x","meta":{"n_ctx_train":24576},"max_model_len":16384}]).as_array().unwrap())[0].context_window, 24576);
    assert_eq!(map_discovered_rows(json!([{"id":"x","context_length":200000,"context_window":100000,"context_size":50000}]).as_array().unwrap())[0].context_window, 200_000);
    // 11: reasoning heuristic
    let r = map_discovered_rows(json!([{"id":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"},{"id":"Qwen/Qwen3-32B"}]).as_array().unwrap());
    assert_eq!((r[0].reasoning, r[1].reasoning), (true, false));
    // 12: unusable rows skipped
    assert!(map_discovered_rows(json!([{"id":""},{"id":"  "},{},"x",null,7]).as_array().unwrap()).is_empty());
}

#[test]
fn c13_to_c17_discovery_failures_keep_the_declared_rows() {
    let p = provider(&format!("{{models:{{providers:{{vllm:{{apiKey:'k', models:[{{id:'a', name:'A'}}]}}}}}}, {WILDCARD}}}"), &[]);
    for (status, body, code) in [(401, "{\"error\":\"Unauthorized\"}", ErrorCode::Auth), (503, "", ErrorCode::ServerError)] {
        let e = p.parse_discovery(&HttpResponse { status, body: body.as_bytes().to_vec(), ..Default::default() }).unwrap_err();
        assert_eq!(e.code, code);
        let c = p.catalog(Some((Err(e), 1))).unwrap();
        assert_eq!((c.models.len(), c.discovery.ok), (1, false), "13: the provider stays registered with its rows");
    }
    let e = p.parse_discovery(&ok("not json")).unwrap_err();
    assert!(e.message.starts_with("vLLM discovery: malformed JSON response:"), "14");
    assert!(p.parse_discovery(&ok("{\"object\":\"list\"}")).is_err(), "15");
    assert!(p.parse_discovery(&ok("{\"data\":[]}")).unwrap().is_empty(), "15");
    let mut big = ok("{\"data\":[");
    big.truncated = true;
    assert!(p.parse_discovery(&big).is_err(), "16: the transport stops at 16 MiB and marks the body truncated");
    assert_eq!(p.discovery_request(None).max_body_bytes, 16 * 1024 * 1024);
}

#[test]
fn c18_adapted_no_test_environment_short_circuit_in_a_library() {
    let p = provider("", &[("VLLM_API_KEY", "k"), ("NODE_ENV", "test"), ("VITEST", "1")]);
    assert!(p.wants_discovery(), "a library never silently skips the request its caller asked for");
}

#[test]
fn c19_explicit_rows_win_and_come_first() {
    let p = provider(&format!("{{models:{{providers:{{vllm:{{apiKey:'k', models:[{{id:'Qwen/Qwen3-8B', name:'Q', contextWindow:65536}}]}}}}}}, {WILDCARD}}}"), &[]);
    let found = p.parse_discovery(&ok(r#"{"data":[{"id":"other"},{"id":"Qwen/Qwen3-8B","max_model_len":32768}]}"#)).unwrap();
    let c = p.catalog(Some((Ok(found), 3))).unwrap();
    assert_eq!(c.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["Qwen/Qwen3-8B", "other"]);
    assert_eq!(c.models[0].context_window, 65536);
    assert_eq!(c.warnings.len(), 1, "beyond OpenClaw: the disagreement is reported");
}

#[test]
fn c20_explicit_local_provider_without_key_uses_custom_local_and_no_authorization() {
    let p = provider("{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1', api:'openai-completions', models:[{id:'m', name:'M'}]}}}}", &[]);
    assert_eq!(p.describe().auth.source, AuthSource::SyntheticLocal);
    assert!(p.ensure_can_send().is_ok());
    assert_eq!(header(&p.chat_headers(Some("m")), "authorization"), None);
    assert!(!p.describe().auth.sends_authorization);
}

#[test]
fn c21_remote_explicit_provider_without_key_fails_before_any_request() {
    let p = provider("{models:{providers:{vllm:{baseUrl:'http://vllm.example.com/v1', api:'openai-completions', models:[{id:'m', name:'M'}]}}}}", &[]);
    let e = p.ensure_can_send().unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.starts_with("No API key found for provider \"vllm\"."), "{}", e.message);
    assert!(e.message.contains("vllm.example.com is not a local address"));
    assert!(e.hint.contains("VLLM_API_KEY") && e.hint.contains("vllm:default"), "{}", e.hint);
    assert_eq!(e.path.as_deref(), Some("models.providers.vllm.apiKey"));
    assert!(p.describe().warnings.iter().any(|w| w.message.contains("No API key found")));
}

#[test]
fn c21_local_host_without_api_or_rows_gets_no_synthetic_key() {
    for cfg in [
        "{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1', models:[{id:'m', name:'M'}]}}}}",
        "{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1', api:'openai-completions'}}}}",
        "{models:{providers:{vllm:{api:'openai-completions', models:[{id:'m', name:'M'}]}}}}",
        "{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1', api:'openai-completions', auth:'token', models:[{id:'m', name:'M'}]}}}}",
    ] {
        assert!(provider(cfg, &[]).ensure_can_send().is_err(), "{cfg}");
    }
}

#[test]
fn c22_env_reference_in_api_key_sends_the_value_and_reports_the_env_name() {
    let p = provider("{models:{providers:{vllm:{apiKey:'${VLLM_API_KEY}', models:[{id:'m', name:'M'}]}}}}", &[("VLLM_API_KEY", "s3cret")]);
    assert_eq!(header(&p.chat_headers(Some("m")), "authorization"), Some("Bearer s3cret"));
    let d = p.describe();
    assert_eq!((d.auth.source, d.auth.env_var.as_deref()), (AuthSource::Env, Some("VLLM_API_KEY")));
    assert!(!serde_json::to_string(d).unwrap().contains("s3cret"));
}

#[test]
fn c23_configured_authorization_header_overrides_the_bearer() {
    let p = provider("{models:{providers:{vllm:{headers:{Authorization:'Bearer other'}}}}}", &[("VLLM_API_KEY", "k")]);
    for h in [p.request_headers(), p.chat_headers(None)] {
        assert_eq!(header(&h, "authorization"), Some("Bearer other"));
        assert_eq!(h.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).count(), 1);
    }
    assert_eq!(p.describe().headers["Authorization"], "[redacted]");
}

#[test]
fn c24_request_auth_header_mode_sends_the_named_header_and_the_keys_bearer() {
    let p = provider(
        "{models:{providers:{vllm:{headers:{Authorization:'Bearer cfg'}, request:{auth:{mode:'header', headerName:'X-Api-Key', value:'k'}}}}}}",
        &[("VLLM_API_KEY", "resolved")],
    );
    let h = p.chat_headers(None);
    assert_eq!(header(&h, "x-api-key"), Some("k"));
    // Errata §0.1 item 9: the configured Authorization goes, the resolved key's bearer stays.
    assert_eq!(header(&h, "authorization"), Some("Bearer resolved"));
    assert_eq!(h.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).count(), 1);
    assert_eq!(header(&p.request_headers(), "authorization"), Some("Bearer resolved"));
    assert!(p.describe().auth.sends_authorization);
    assert_eq!(p.describe().headers["X-Api-Key"], "[redacted]");
    let prefixed = provider("{models:{providers:{vllm:{request:{auth:{mode:'header', headerName:'api-key', value:'k', prefix:'Token '}}}}}}", &[]);
    assert_eq!(header(&prefixed.request_headers(), "api-key"), Some("Token k"));
    let bearer = provider("{models:{providers:{vllm:{request:{auth:{mode:'authorization-bearer', token:{source:'env', provider:'default', id:'TOK'}}}}}}}", &[("TOK", "t0k"), ("VLLM_API_KEY", "k")]);
    assert_eq!(header(&bearer.chat_headers(None), "authorization"), Some("Bearer t0k"));
}

#[test]
fn c25_auth_header_true_uses_the_key_and_leaves_markers_alone() {
    let p = provider("{models:{providers:{vllm:{authHeader:true, headers:{authorization:'Bearer cfg'}}}}}", &[("VLLM_API_KEY", "real")]);
    assert_eq!(header(&p.chat_headers(None), "authorization"), Some("Bearer real"));
    let m = provider("{models:{providers:{vllm:{authHeader:true, headers:{authorization:'Bearer cfg'}}}}}", &[("VLLM_API_KEY", "custom-local")]);
    assert_eq!(header(&m.chat_headers(None), "authorization"), None, "custom-local nulls Authorization");
    let m = provider("{models:{providers:{vllm:{authHeader:true, headers:{authorization:'Bearer cfg'}}}}}", &[("VLLM_API_KEY", "ollama-local")]);
    assert_eq!(header(&m.chat_headers(None), "authorization"), Some("Bearer cfg"), "another marker: unchanged");
}

#[test]
fn c26_no_openclaw_attribution_headers() {
    let p = provider("{models:{providers:{vllm:{apiKey:'k', models:[{id:'m', name:'M', headers:{'X-Model':'1'}}]}}}}", &[]);
    for h in [p.request_headers(), p.chat_headers(Some("m"))] {
        for name in ["originator", "version", "user-agent"] {
            assert_eq!(header(&h, name), None, "{name}");
        }
    }
    assert_eq!(header(&p.chat_headers(Some("m")), "x-model"), Some("1"));
    assert_eq!(header(&p.request_headers(), "x-model"), None, "model headers only on that model's requests");
}
