//! Resolution rules, pinned.

use super::*;
use crate::error::ErrorCode;
use serde_json::json;

fn input(config: Option<&str>, env: &[(&str, &str)]) -> ResolveInput {
    ResolveInput {
        config: config.map(|c| ConfigInput::Text(c.to_string())),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    }
}

fn described(config: Option<&str>, env: &[(&str, &str)]) -> ResolvedProvider {
    resolve(&input(config, env)).unwrap().describe().clone()
}

#[test]
fn empty_input_is_unregistered_at_the_default_url() {
    let d = described(None, &[]);
    assert_eq!(d.status, Status::Unregistered);
    assert_eq!(d.base_url, "http://127.0.0.1:8000/v1");
    assert!(!d.discovery.enabled);
    assert!(d.discovery.reason.contains("VLLM_API_KEY"));
    assert_eq!(d.auth.source, AuthSource::None);
}

#[test]
fn env_key_alone_makes_an_implicit_provider_that_discovers() {
    let p = resolve(&input(None, &[("VLLM_API_KEY", "vllm-local")])).unwrap();
    let d = p.describe();
    assert_eq!(d.status, Status::Implicit);
    assert!(d.discovery.enabled);
    assert_eq!(d.auth.source, AuthSource::Env);
    assert_eq!(d.auth.env_var.as_deref(), Some("VLLM_API_KEY"));
    assert!(p.request_headers().contains(&("Authorization".into(), "Bearer vllm-local".into())));
}

#[test]
fn explicit_entry_with_base_url_is_normalised_and_does_not_discover() {
    let d = described(Some("{models:{providers:{vllm:{baseUrl:'http://10.0.0.5:9000/v1/', apiKey:'k'}}}}"), &[]);
    assert_eq!(d.status, Status::Explicit);
    assert_eq!(d.base_url, "http://10.0.0.5:9000/v1");
    assert!(!d.discovery.enabled);
}

#[test]
fn wildcard_in_the_allow_list_turns_discovery_on_for_explicit_providers() {
    let cfg = "{models:{providers:{vllm:{baseUrl:'http://10.0.0.5:9000/v1'}}}, agents:{defaults:{modelPolicy:{allow:['vllm/*']}}}}";
    let key = [("VLLM_API_KEY", "k")];
    assert!(described(Some(cfg), &key).discovery.enabled);
    let legacy = "{models:{providers:{vllm:{}}}, agents:{defaults:{models:{'vllm/*':{}}}}}";
    assert!(described(Some(legacy), &key).discovery.enabled);
    let migrated = "{models:{providers:{vllm:{}}}, agents:{defaults:{modelPolicy:{allow:[]}, models:{'vllm/*':{}}}}}";
    assert!(!described(Some(migrated), &key).discovery.enabled);
    let per_agent = "{models:{providers:{vllm:{}}}, agents:{entries:{ops:{modelPolicy:{allow:['vllm/*']}}}}}";
    let mut i = input(Some(per_agent), &key);
    assert!(!resolve(&i).unwrap().describe().discovery.enabled);
    i.agent_id = Some("ops".into());
    assert!(resolve(&i).unwrap().describe().discovery.enabled);
}

#[test]
fn wildcard_without_any_key_does_not_discover() {
    let cfg = "{models:{providers:{vllm:{baseUrl:'http://10.0.0.5:9000/v1'}}}, agents:{defaults:{modelPolicy:{allow:['vllm/*']}}}}";
    let d = described(Some(cfg), &[]);
    assert!(!d.discovery.enabled);
    assert!(d.discovery.reason.contains("no key resolves"), "{}", d.discovery.reason);
}

#[test]
fn explicit_local_provider_without_key_uses_the_synthetic_local_key() {
    let cfg = "{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1', api:'openai-completions', models:[{id:'m', name:'M'}]}}}}";
    let p = resolve(&input(Some(cfg), &[])).unwrap();
    assert_eq!(p.describe().auth.source, AuthSource::SyntheticLocal);
    assert!(!p.describe().auth.sends_authorization);
    assert!(p.request_headers().iter().all(|(k, _)| !k.eq_ignore_ascii_case("authorization")));
}

#[test]
fn explicit_remote_provider_without_key_warns() {
    let cfg = "{models:{providers:{vllm:{baseUrl:'http://vllm.example.com/v1', models:[{id:'m', name:'M'}]}}}}";
    let d = described(Some(cfg), &[]);
    assert_eq!(d.auth.source, AuthSource::None);
    assert!(d.warnings.iter().any(|w| w.message.contains("No API key found for provider \"vllm\"")));
}

#[test]
fn declared_rows_get_configured_defaults() {
    let cfg = "{models:{providers:{vllm:{apiKey:'k', maxTokens: 4096, models:[{id:'a', name:'A'}, {id:'b', name:'B', contextWindow: 2048, maxTokens: 9000}]}}}}";
    let d = described(Some(cfg), &[]);
    assert_eq!(d.models[0].context_window, 200_000);
    assert_eq!(d.models[0].max_tokens, Some(4096));
    assert_eq!(d.models[1].max_tokens, Some(2048), "clamped to the context window");
}

#[test]
fn timeout_seconds_becomes_milliseconds() {
    assert_eq!(described(Some("{models:{providers:{vllm:{timeoutSeconds:300}}}}"), &[]).timeout_ms, Some(300_000));
}

#[test]
fn env_substitution_applies_to_the_base_url_and_warns_when_missing() {
    let d = described(Some("{models:{providers:{vllm:{baseUrl:'http://${VLLM_HOST}:8000/v1'}}}}"), &[("VLLM_HOST", "gpu1")]);
    assert_eq!(d.base_url, "http://gpu1:8000/v1");
    let e = resolve(&input(Some("{models:{providers:{vllm:{baseUrl:'http://${NOPE}:8000/v1'}}}}"), &[])).unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
}

#[test]
fn schema_errors_carry_dotted_paths() {
    let cases = [
        ("{models:{providers:{vllm:{baseUrl: 5}}}}", "models.providers.vllm.baseUrl"),
        ("{models:{providers:{vllm:{models:[{id:'a', name:'A', contextWindow:'big'}]}}}}", "models.providers.vllm.models[0].contextWindow"),
        ("{models:{providers:{vllm:{models:[{id:'a', name:'A', contextWindow:-1}]}}}}", "models.providers.vllm.models[0].contextWindow"),
        ("{models:{providers:{vllm:{models:[{id:'a'}]}}}}", "models.providers.vllm.models[0].name"),
        ("{models:{providers:{vllm:{models:[{id:'a', name:'A', input:['smell']}]}}}}", "models.providers.vllm.models[0].input[0]"),
        ("{models:{providers:{vllm:{baseURL:'x'}}}}", "models.providers.vllm.baseURL"),
        ("{models:{providers:{vllm:{timeoutSeconds: 1.5}}}}", "models.providers.vllm.timeoutSeconds"),
        ("{models:{providers:{vllm:{api:'openai-codex-responses'}}}}", "models.providers.vllm.api"),
        ("{models:{providers:{vllm: 3}}}", "models.providers.vllm"),
        ("{models: []}", "models"),
    ];
    for (cfg, path) in cases {
        let e = resolve(&input(Some(cfg), &[])).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config, "{cfg}");
        assert_eq!(e.path.as_deref(), Some(path), "{cfg}: {}", e.message);
    }
}

#[test]
fn invalid_base_url_is_a_config_error() {
    let e = resolve(&input(Some("{models:{providers:{vllm:{baseUrl:'127.0.0.1:8000/v1'}}}}"), &[])).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("models.providers.vllm.baseUrl"));
}

#[test]
fn non_object_config_is_refused() {
    for cfg in ["[]", "3", "'text'", "null"] {
        assert_eq!(resolve(&input(Some(cfg), &[])).unwrap_err().code, ErrorCode::Config, "{cfg}");
    }
}

#[test]
fn object_input_is_accepted_like_text() {
    let i = ResolveInput { config: Some(ConfigInput::Value(json!({"models":{"providers":{"vllm":{"baseUrl":"http://h:1/v1"}}}}))), ..Default::default() };
    assert_eq!(resolve(&i).unwrap().describe().base_url, "http://h:1/v1");
}

#[test]
fn describe_never_contains_the_key_from_any_source() {
    let canary = "sk-CANARY-4242";
    let configs = [
        (format!("{{models:{{providers:{{vllm:{{apiKey:'{canary}'}}}}}}}}"), vec![]),
        ("{models:{providers:{vllm:{apiKey:'${K}'}}}}".to_string(), vec![("K", canary)]),
        ("{}".to_string(), vec![("VLLM_API_KEY", canary)]),
        (format!("{{models:{{providers:{{vllm:{{headers:{{Authorization:'Bearer {canary}', 'X-Api-Key':'{canary}'}}}}}}}}}}"), vec![]),
        ("{models:{providers:{vllm:{apiKey:{source:'env', provider:'default', id:'K'}}}}}".to_string(), vec![("K", canary)]),
    ];
    for (cfg, env) in configs {
        let p = resolve(&input(Some(&cfg), &env)).unwrap();
        let text = serde_json::to_string(p.describe()).unwrap();
        assert!(!text.contains(canary), "{cfg}: {text}");
        assert!(p.secrets().iter().any(|s| s.contains(canary)), "{cfg}: the canary must be known as a secret");
    }
}

#[test]
fn base_url_input_overrides_the_config() {
    let mut i = input(Some("{models:{providers:{vllm:{baseUrl:'http://a:1/v1'}}}}"), &[]);
    i.base_url = Some("http://b:2/v1/".into());
    assert_eq!(resolve(&i).unwrap().describe().base_url, "http://b:2/v1");
}

#[test]
fn an_unset_key_variable_is_reported_once() {
    let d = described(Some("{models:{providers:{vllm:{apiKey:'${VLLM_API_KEY}'}}}}"), &[]);
    assert_eq!(d.warnings.iter().filter(|w| w.path == "models.providers.vllm.apiKey").count(), 1, "{:?}", d.warnings);
}
