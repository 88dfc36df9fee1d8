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

fn with_profiles(config: &str, env: &[(&str, &str)], profiles: &str) -> Result<Provider, ProviderError> {
    let mut i = input(Some(config), env);
    i.auth_profiles = Some(ConfigInput::Text(profiles.to_string()));
    resolve(&i)
}

#[test]
fn an_auth_profile_alone_registers_an_implicit_provider() {
    let p = with_profiles("{}", &[], "{version:1, profiles:{'vllm:default':{type:'api_key', provider:'vllm', key:'pk'}}}").unwrap();
    let d = p.describe();
    assert_eq!(d.status, Status::Implicit);
    assert_eq!((d.auth.source, d.auth.profile_id.as_deref()), (AuthSource::Profile, Some("vllm:default")));
    assert!(p.request_headers().contains(&("Authorization".into(), "Bearer pk".into())));
    let v = serde_json::to_value(d).unwrap();
    assert_eq!(v["auth"], json!({"source":"profile","profileId":"vllm:default","sendsAuthorization":true}));
}

#[test]
fn auth_profiles_accept_an_object_too() {
    let i = ResolveInput {
        auth_profiles: Some(ConfigInput::Value(json!({"profiles":{"vllm:default":{"type":"token","provider":"vllm","token":"t"}}}))),
        ..Default::default()
    };
    assert_eq!(resolve(&i).unwrap().describe().auth.source, AuthSource::Profile);
}

#[test]
fn unreadable_secret_refs_warn_and_block_requests_without_crashing() {
    let p = with_profiles("{}", &[], "{profiles:{'vllm:default':{type:'api_key', provider:'vllm', keyRef:{source:'file', provider:'vault', id:'/vllm'}}}}").unwrap();
    let d = p.describe();
    assert_eq!(d.status, Status::Implicit, "OpenClaw registers on the secretref-managed marker");
    assert!(d.warnings.iter().any(|w| w.message.contains("\"file\" SecretRef") && w.message.contains("cannot read")), "{:?}", d.warnings);
    assert!(p.request_headers().iter().all(|(k, _)| k != "Authorization"));
    assert!(p.ensure_can_send().unwrap_err().message.starts_with("No API key found for provider \"vllm\""));
    for source in ["exec", "store"] {
        let id = if source == "exec" { "get-key" } else { "VLLM_KEY" };
        let cfg = format!("{{models:{{providers:{{vllm:{{baseUrl:'http://vllm.example.com/v1', apiKey:{{source:'{source}', provider:'p', id:'{id}'}}}}}}}}}}");
        let p = resolve(&input(Some(&cfg), &[])).unwrap();
        assert!(p.describe().warnings.iter().any(|w| w.path == "models.providers.vllm.apiKey" && w.message.contains("cannot read")));
        assert!(p.ensure_can_send().is_err());
    }
}

#[test]
fn a_configured_marker_key_resolves_but_is_never_sent() {
    let p = resolve(&input(Some("{models:{providers:{vllm:{baseUrl:'http://vllm.example.com/v1', apiKey:'custom-local'}}}}"), &[])).unwrap();
    assert_eq!(p.describe().auth.source, AuthSource::Config);
    assert!(!p.describe().auth.sends_authorization);
    assert!(p.ensure_can_send().is_ok());
}

#[test]
fn substitution_escapes_and_missing_variables_in_any_string() {
    let cfg = "{models:{providers:{vllm:{apiKey:'k', headers:{'X-Lit':'$${HOME}', 'X-Missing':'${NOT_SET}', 'X-Set':'${REGION}'}}}}}";
    let d = described(Some(cfg), &[("REGION", "eu"), ("HOME", "/root")]);
    assert_eq!(d.headers["X-Lit"], "${HOME}");
    assert_eq!(d.headers["X-Missing"], "${NOT_SET}");
    assert_eq!(d.headers["X-Set"], "eu");
    assert!(d.warnings.iter().any(|w| w.path == "models.providers.vllm.headers.X-Missing" && w.message.contains("${NOT_SET} is not set")));
    let other = described(Some("{models:{providers:{openai:{apiKey:'${OPENAI_API_KEY}'}, vllm:{apiKey:'k'}}}}"), &[]);
    assert!(other.warnings.is_empty(), "other providers' variables are not reported: {:?}", other.warnings);
}

#[test]
fn configured_rows_without_values_follow_openclaws_configured_defaults() {
    let d = described(Some("{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A'}]}}}}"), &[]);
    let m = &d.models[0];
    assert_eq!((m.context_window, m.max_tokens, m.reasoning), (200_000, None, false));
    assert_eq!(m.input, vec!["text"]);
    assert_eq!(serde_json::to_value(m).unwrap()["origins"], json!({"contextWindow":"default","maxTokens":"default","reasoning":"default","input":"default"}));
    let d = described(Some("{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A', contextWindow:4096, maxTokens:512, reasoning:true, input:['text','image']}]}}}}"), &[]);
    assert_eq!(serde_json::to_value(&d.models[0]).unwrap()["origins"], json!({"contextWindow":"config","maxTokens":"config","reasoning":"config","input":"config"}));
}

#[test]
fn provider_params_are_merged_under_model_params() {
    let d = described(Some("{models:{providers:{vllm:{apiKey:'k', params:{temperature:0.2, seed:1}, models:[{id:'a', name:'A', params:{seed:7}}]}}}}"), &[]);
    assert_eq!(serde_json::to_value(&d.models[0].params).unwrap(), json!({"temperature":0.2, "seed":7}));
}

#[test]
fn legacy_qwen_thinking_param_becomes_compat_and_reasoning() {
    let d = described(Some("{models:{providers:{vllm:{apiKey:'k', models:[{id:'q', name:'Q', params:{qwenThinkingFormat:'chat-template'}}]}}}}"), &[]);
    let m = &d.models[0];
    assert_eq!(m.compat.as_ref().unwrap()["thinkingFormat"], "qwen-chat-template");
    assert!(m.reasoning);
    assert!(!m.params.as_ref().unwrap().contains_key("qwenThinkingFormat"));
    assert!(d.warnings.iter().any(|w| w.message.contains("legacy key")));
}

#[test]
fn compat_flags_are_kept_as_written() {
    let d = described(Some("{models:{providers:{vllm:{apiKey:'k', models:[{id:'q', name:'Q', compat:{supportsDeveloperRole:true, maxTokensField:'max_tokens', thinkingFormat:'qwen', visibleReasoningDetailTypes:['summary']}}]}}}}"), &[]);
    let c = d.models[0].compat.as_ref().unwrap();
    assert_eq!((c["supportsDeveloperRole"].as_bool(), c["maxTokensField"].as_str()), (Some(true), Some("max_tokens")));
    assert!(d.models[0].reasoning, "a Qwen thinking format without reasoning means reasoning");
}

#[test]
fn duplicate_rows_per_model_base_url_and_unapplied_transport_settings_warn() {
    let cfg = "{models:{providers:{vllm:{apiKey:'k', localService:{command:'vllm', args:['serve']}, request:{proxy:{mode:'env-proxy'}, tls:{ca:'pem'}, allowPrivateNetwork:false}, models:[{id:'a', name:'A', baseUrl:'http://x/v1'}, {id:'a', name:'B'}]}}}}";
    let d = described(Some(cfg), &[]);
    let paths: Vec<&str> = d.warnings.iter().map(|w| w.path.as_str()).collect();
    for p in ["models.providers.vllm.localService", "models.providers.vllm.request.proxy", "models.providers.vllm.request.tls", "models.providers.vllm.models[0].baseUrl", "models.providers.vllm.models[1].id"] {
        assert!(paths.contains(&p), "{p}: {paths:?}");
    }
    assert_eq!(d.models.len(), 1);
    assert_eq!(d.allow_private_network, Some(false));
}

#[test]
fn a_mixed_case_provider_key_is_found_and_named_in_paths() {
    let d = described(Some("{models:{providers:{VLLM:{apiKey:'k', baseUrl:'http://h:1/v1'}}}}"), &[]);
    assert_eq!((d.status, d.base_url.as_str()), (Status::Explicit, "http://h:1/v1"));
    let e = resolve(&input(Some("{models:{providers:{VLLM:{timeoutSeconds:-1}}}}"), &[])).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("models.providers.VLLM.timeoutSeconds"));
}

#[test]
fn non_secret_headers_are_shown_and_secret_ones_redacted() {
    let cfg = "{models:{providers:{vllm:{apiKey:'sk-abc', headers:{'X-Team':'ml', 'X-Echo':'key=sk-abc', Cookie:'s=1'}, request:{headers:{'X-Team':'infra'}}}}}}";
    let d = described(Some(cfg), &[]);
    assert_eq!(d.headers["X-Team"], "infra", "request.headers win over headers");
    assert_eq!(d.headers["X-Echo"], "[redacted]", "a value holding the key is a secret");
    assert_eq!(d.headers["Cookie"], "[redacted]");
}

#[test]
fn header_auth_mode_hides_a_configured_authorization_in_describe() {
    let cfg = "{models:{providers:{vllm:{apiKey:'sk-abc', headers:{authorization:'Basic x', 'X-Team':'ml'}, request:{auth:{mode:'header', headerName:'X-Api-Key', value:'sk-abc'}}}}}}";
    let d = described(Some(cfg), &[]);
    assert!(d.headers.keys().all(|k| !k.eq_ignore_ascii_case("authorization")), "{:?}", d.headers);
    assert_eq!(d.headers["X-Api-Key"], "[redacted]");
    assert_eq!(d.headers["X-Team"], "ml");
}

#[test]
fn default_model_and_fallbacks_are_readable_from_describe() {
    let d = described(Some("{agents:{defaults:{model:'vllm/Qwen/Qwen3-8B'}}}"), &[]);
    assert_eq!(d.default_model.unwrap().primary.as_deref(), Some("vllm/Qwen/Qwen3-8B"));
    let v = serde_json::to_value(described(None, &[])).unwrap();
    assert!(v.get("defaultModel").is_none() && v.get("aliases").is_none());
}

#[test]
fn a_key_substituted_into_a_header_name_is_shown_redacted_and_a_bad_header_name_is_refused() {
    // Found by the `config` fuzz target: request.auth.headerName took any text, `${VLLM_API_KEY}`
    // included, and describe() showed that name as it was.
    let key = "sk-name-leak-4c2e9a";
    let config = |name: &str| {
        format!(r#"{{ models: {{ providers: {{ vllm: {{ baseUrl: "http://h:8000/v1", apiKey: "${{VLLM_API_KEY}}", headers: {{ "X-${{VLLM_API_KEY}}": "v" }},
            request: {{ auth: {{ mode: "header", headerName: "{name}", value: "${{VLLM_API_KEY}}" }} }} }} }} }} }}"#)
    };
    let input = |name: &str| ResolveInput { config: Some(ConfigInput::Text(config(name))), env: [("VLLM_API_KEY", key)].into_iter().collect(), ..Default::default() };
    let p = resolve(&input("X-Auth-${VLLM_API_KEY}")).unwrap();
    let shown = format!("{:?}", p.describe().headers);
    assert!(!shown.contains(key) && shown.contains("X-Auth-[redacted]"), "{shown}");
    for bad in ["X Auth", "X-Auth:", "X-\u{0}", "X-é"] {
        let e = resolve(&input(bad)).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("models.providers.vllm.request.auth.headerName"), "{bad:?}: {e:?}");
    }
}
/// A config with `n` model rows (every tenth declared twice), `n` headers (half of them secret), and
/// `n` aliases; and an auth-profile store of `n` profiles.
fn big_input(n: usize) -> ResolveInput {
    let rows: Vec<String> = (0..n).map(|i| format!("{{id:'m{}',name:'M {i}'}}", if i % 10 == 9 { i - 1 } else { i })).collect();
    let headers: Vec<String> = (0..n).map(|i| format!("'X-{}-{i}':'value-{i}'", if i % 2 == 0 { "Token" } else { "Plain" })).collect();
    let aliases: Vec<String> = (0..n).map(|i| format!("'vllm/m{i}':{{alias:'a{}'}}", i % (n / 2))).collect();
    let profiles: Vec<String> = (0..n).map(|i| format!("'vllm:p{i}':{{type:'{}',provider:'vllm',key:'key-{i}',token:'tok-{i}'}}", if i % 3 == 0 { "token" } else { "api_key" })).collect();
    let config = format!(
        "{{models:{{providers:{{vllm:{{baseUrl:'http://127.0.0.1:8000/v1',headers:{{{}}},models:[{}]}}}}}},agents:{{defaults:{{models:{{{}}}}}}}}}",
        headers.join(","),
        rows.join(","),
        aliases.join(",")
    );
    ResolveInput {
        config: Some(ConfigInput::Text(config)),
        auth_profiles: Some(ConfigInput::Text(format!("{{profiles:{{{}}},usageStats:{{'vllm:p4':{{lastUsed:9}}}}}}", profiles.join(",")))),
        ..Default::default()
    }
}

#[test]
fn resolve_takes_time_proportional_to_rows_headers_aliases_and_profiles() {
    let p = resolve(&big_input(100)).unwrap();
    let d = p.describe();
    assert_eq!(d.models.len(), 90, "each row declared twice is used once");
    assert_eq!(d.warnings.iter().filter(|w| w.message.contains("declared twice")).count(), 10);
    assert_eq!((d.headers.len(), d.headers.get("X-Token-0").map(String::as_str), d.headers.get("X-Plain-1").map(String::as_str)), (100, Some("[redacted]"), Some("value-1")));
    assert_eq!((d.aliases.len(), d.aliases.get("a7").map(String::as_str)), (50, Some("vllm/m57")), "a later alias wins");
    // Token profiles first, then the least recently used, then by id.
    assert_eq!(d.auth.profile_id.as_deref(), Some("vllm:p0"));
    assert!(p.secrets().iter().any(|s| s == "tok-99") && p.secrets().iter().any(|s| s == "key-98"));
    crate::growth::assert_linear("resolve", 1500, big_input, |input| {
        resolve(input).unwrap();
    });
}
