//! Bad configs: every one is a `code: "config"` error with a path or a line, never a panic.

use super::*;
use crate::error::ErrorCode;

const P: &str = "models.providers.vllm";

fn run(config: &str, profiles: Option<&str>) -> ProviderError {
    let input = ResolveInput {
        config: Some(ConfigInput::Text(config.to_string())),
        auth_profiles: profiles.map(|p| ConfigInput::Text(p.to_string())),
        env: [("VLLM_API_KEY".to_string(), "k".to_string())].into(),
        ..Default::default()
    };
    let outcome = std::panic::catch_unwind(|| resolve(&input));
    match outcome {
        Ok(Err(e)) => e,
        Ok(Ok(_)) => panic!("accepted: {config} / {profiles:?}"),
        Err(_) => panic!("panicked: {config}"),
    }
}

fn entry(body: &str) -> String {
    format!("{{models:{{providers:{{vllm:{{{body}}}}}}}}}")
}

fn row(body: &str) -> String {
    entry(&format!("models:[{{id:'a', name:'A', {body}}}]"))
}

#[test]
fn schema_errors_name_the_dotted_path() {
    let m0 = format!("{P}.models[0]");
    let cases: Vec<(String, String)> = vec![
        // wrong types on the provider
        (entry("baseUrl: 5"), format!("{P}.baseUrl")),
        (entry("apiKey: 5"), format!("{P}.apiKey")),
        (entry("apiKey: ['k']"), format!("{P}.apiKey")),
        (entry("auth: 'password'"), format!("{P}.auth")),
        (entry("api: 'openai-codex-responses'"), format!("{P}.api")),
        (entry("api: 'completions'"), format!("{P}.api")),
        (entry("api: 3"), format!("{P}.api")),
        (entry("headers: []"), format!("{P}.headers")),
        (entry("headers: {'X-A': 1}"), format!("{P}.headers.X-A")),
        (entry("headers: {'bad name': 'v'}"), format!("{P}.headers.bad name")),
        (entry("headers: {'X-A': 'a\\nb'}"), format!("{P}.headers.X-A")),
        (entry("headers: {'X-A': {source:'env', id:'lower'}}"), format!("{P}.headers.X-A.id")),
        (entry("authHeader: 'yes'"), format!("{P}.authHeader")),
        (entry("timeoutSeconds: 0"), format!("{P}.timeoutSeconds")),
        (entry("timeoutSeconds: -5"), format!("{P}.timeoutSeconds")),
        (entry("timeoutSeconds: 1.5"), format!("{P}.timeoutSeconds")),
        (entry("timeoutSeconds: '300'"), format!("{P}.timeoutSeconds")),
        (entry("timeoutSeconds: 1e300"), format!("{P}.timeoutSeconds")),
        (entry("maxTokens: -1"), format!("{P}.maxTokens")),
        (entry("maxTokens: Infinity"), format!("{P}.maxTokens")),
        (entry("params: 3"), format!("{P}.params")),
        (entry("region: ''"), format!("{P}.region")),
        (entry("injectNumCtxForOpenAICompat: 1"), format!("{P}.injectNumCtxForOpenAICompat")),
        (entry("agentRuntime: {name: 'x'}"), format!("{P}.agentRuntime.name")),
        (entry("localService: {args: []}"), format!("{P}.localService.command")),
        (entry("localService: {command: 'vllm', args: [1]}"), format!("{P}.localService.args[0]")),
        (entry("models: {}"), format!("{P}.models")),
        (entry("models: [3]"), format!("{P}.models[0]")),
        (entry("baseURL: 'x'"), format!("{P}.baseURL")),
        (entry("apikey: 'x'"), format!("{P}.apikey")),
        // SecretRefs
        (entry("apiKey: {source:'vault', id:'K'}"), format!("{P}.apiKey.source")),
        (entry("apiKey: {source:'env'}"), format!("{P}.apiKey.id")),
        (entry("apiKey: {source:'env', id:'vllm_key'}"), format!("{P}.apiKey.id")),
        (entry("apiKey: {source:'env', id:'K', provider:'Default'}"), format!("{P}.apiKey.provider")),
        (entry("apiKey: {source:'file', id:'relative'}"), format!("{P}.apiKey.id")),
        (entry("apiKey: {source:'env', id:'K', key:'x'}"), format!("{P}.apiKey.key")),
        // request
        (entry("request: []"), format!("{P}.request")),
        (entry("request: {timeout: 5}"), format!("{P}.request.timeout")),
        (entry("request: {tls: {insecureSkipVerify: true}}"), format!("{P}.request.tls.insecureSkipVerify")),
        (entry("request: {tls: {verify: false}}"), format!("{P}.request.tls.verify")),
        (entry("request: {allowPrivateNetwork: 'yes'}"), format!("{P}.request.allowPrivateNetwork")),
        (entry("request: {auth: {}}"), format!("{P}.request.auth.mode")),
        (entry("request: {auth: {mode: 'basic'}}"), format!("{P}.request.auth.mode")),
        (entry("request: {auth: {mode: 'authorization-bearer'}}"), format!("{P}.request.auth.token")),
        (entry("request: {auth: {mode: 'authorization-bearer', token: ''}}"), format!("{P}.request.auth.token")),
        (entry("request: {auth: {mode: 'header', value: 'v'}}"), format!("{P}.request.auth.headerName")),
        (entry("request: {auth: {mode: 'header', headerName: 'X', value: 5}}"), format!("{P}.request.auth.value")),
        (entry("request: {auth: {mode: 'provider-default', token: 't'}}"), format!("{P}.request.auth.token")),
        (entry("request: {headers: {'X-A': true}}"), format!("{P}.request.headers.X-A")),
        (entry("request: {proxy: {mode: 'socks'}}"), format!("{P}.request.proxy.mode")),
        (entry("request: {proxy: {mode: 'explicit-proxy'}}"), format!("{P}.request.proxy.url")),
        // model rows
        (entry("models: [{name: 'A'}]"), format!("{m0}.id")),
        (entry("models: [{id: '', name: 'A'}]"), format!("{m0}.id")),
        (entry("models: [{id: 'a'}]"), format!("{m0}.name")),
        (entry("models: [{id: 5, name: 'A'}]"), format!("{m0}.id")),
        (row("contextWindow: 'big'"), format!("{m0}.contextWindow")),
        (row("contextWindow: -1"), format!("{m0}.contextWindow")),
        (row("contextWindow: 0"), format!("{m0}.contextWindow")),
        (row("contextWindow: 1e300"), format!("{m0}.contextWindow")),
        (row("maxTokens: null"), format!("{m0}.maxTokens")),
        (row("contextTokens: 2.5"), format!("{m0}.contextTokens")),
        (row("reasoning: 'true'"), format!("{m0}.reasoning")),
        (row("input: 'text'"), format!("{m0}.input")),
        (row("input: ['smell']"), format!("{m0}.input[0]")),
        (row("cost: {input: -1}"), format!("{m0}.cost.input")),
        (row("cost: {inputs: 1}"), format!("{m0}.cost.inputs")),
        (row("cost: {tieredPricing: [{range: 'all'}]}"), format!("{m0}.cost.tieredPricing[0].range")),
        (row("api: 'openai-codex-responses'"), format!("{m0}.api")),
        (row("headers: {'X-A': {source:'env', id:'K'}}"), format!("{m0}.headers.X-A")),
        (row("compat: {supportsTools: 'no'}"), format!("{m0}.compat.supportsTools")),
        (row("compat: {thinkingFormat: 'qwen3'}"), format!("{m0}.compat.thinkingFormat")),
        (row("compat: {maxTokensField: 'max_new_tokens'}"), format!("{m0}.compat.maxTokensField")),
        (row("compat: {visibleReasoningDetailTypes: 'all'}"), format!("{m0}.compat.visibleReasoningDetailTypes")),
        (row("compat: {reasoningEffortMap: {low: 1}}"), format!("{m0}.compat.reasoningEffortMap")),
        (row("compat: {supportsDeveloperrole: true}"), format!("{m0}.compat.supportsDeveloperrole")),
        (row("thinkingLevelMap: {ultra: 'x'}"), format!("{m0}.thinkingLevelMap.ultra")),
        (row("thinkingLevelMap: {low: 1}"), format!("{m0}.thinkingLevelMap.low")),
        (row("mediaInput: {image: {tokenMode: 'pixels'}}"), format!("{m0}.mediaInput.image.tokenMode")),
        (row("metadataSource: 'server'"), format!("{m0}.metadataSource")),
        (row("contextwindow: 1"), format!("{m0}.contextwindow")),
        // the models block and the structure above the entry
        ("{models: []}".to_string(), "models".to_string()),
        ("{models: {providers: []}}".to_string(), "models.providers".to_string()),
        ("{models: {providers: {vllm: 3}}}".to_string(), P.to_string()),
        ("{models: {mode: 'append'}}".to_string(), "models.mode".to_string()),
        ("{models: {provider: {}}}".to_string(), "models.provider".to_string()),
        ("{models: {catalogRefresh: {enabled: 'yes'}}}".to_string(), "models.catalogRefresh.enabled".to_string()),
        // agents
        ("{agents: []}".to_string(), "agents".to_string()),
        ("{agents: {defaults: {modelPolicy: {allow: 'vllm/*'}}}}".to_string(), "agents.defaults.modelPolicy.allow".to_string()),
        ("{agents: {defaults: {modelPolicy: {allow: [1]}}}}".to_string(), "agents.defaults.modelPolicy.allow[0]".to_string()),
        ("{agents: {defaults: {model: 5}}}".to_string(), "agents.defaults.model".to_string()),
        ("{agents: {defaults: {model: {fallbacks: 'vllm/a'}}}}".to_string(), "agents.defaults.model.fallbacks".to_string()),
        ("{agents: {defaults: {models: {'vllm/a': {alias: 3}}}}}".to_string(), "agents.defaults.models[\"vllm/a\"].alias".to_string()),
        // unresolved ${VAR} in the URL, and non-URLs
        (entry("baseUrl: 'http://${NOPE}:8000/v1'"), format!("{P}.baseUrl")),
        (entry("baseUrl: 'localhost:8000/v1'"), format!("{P}.baseUrl")),
        (entry("baseUrl: 'ftp://h/v1'"), format!("{P}.baseUrl")),
    ];
    assert!(cases.len() >= 60, "{}", cases.len());
    for (cfg, path) in &cases {
        let e = run(cfg, None);
        assert_eq!(e.code, ErrorCode::Config, "{cfg}");
        assert_eq!(e.path.as_deref(), Some(path.as_str()), "{cfg}: {}", e.message);
        assert!(!e.hint.is_empty() && !e.message.is_empty(), "{cfg}");
    }
}

#[test]
fn syntax_errors_and_huge_inputs_give_a_line_or_a_message() {
    let deep = format!("{{a:{}1{}}}", "[".repeat(500), "]".repeat(500));
    let long_string = format!("{{a:'{}'", "x".repeat(100_000));
    let cases = [
        "{", "}", "{models: }", "{models: {providers: ]}}", "{a: 'unterminated}", "{a: 1,, b: 2}", "{'a' 1}",
        "{a: 0x}", "{a: tru}", "/* unterminated comment", "{a: 1} trailing", deep.as_str(), long_string.as_str(), "\u{feff}{a:", "{a: \"\\u12\"}",
    ];
    for cfg in cases {
        let e = run(cfg, None);
        assert_eq!(e.code, ErrorCode::Config, "{cfg:.40}");
        assert!(e.line.is_some() || e.message.contains("bytes") || e.message.contains("deeper"), "{cfg:.40}: {}", e.message);
    }
    let huge = format!("{{a:'{}'}}", "x".repeat(json5::MAX_CONFIG_BYTES));
    assert!(run(&huge, None).message.contains("bytes"));
}

#[test]
fn bad_auth_profile_stores_are_config_errors() {
    let cases = [
        ("[]", "authProfiles"),
        ("{profiles: 1}", "authProfiles.profiles"),
        ("{profiles: {'vllm:default': 'k'}}", "authProfiles.profiles.vllm:default"),
        ("{profiles: {'vllm:default': {provider: 'vllm', type: 'basic'}}}", "authProfiles.profiles.vllm:default.type"),
        ("{profiles: {'vllm:default': {provider: 'vllm', type: 'api_key', key: 5}}}", "authProfiles.profiles.vllm:default.key"),
        ("{profiles: {'vllm:default': {provider: 'vllm', type: 'token', tokenRef: {source: 'env'}}}}", "authProfiles.profiles.vllm:default.tokenRef.id"),
        ("{profiles: {}, order: []}", "authProfiles.order"),
    ];
    for (store, path) in cases {
        let e = run("{}", Some(store));
        assert_eq!((e.code, e.path.as_deref()), (ErrorCode::Config, Some(path)), "{store}: {}", e.message);
    }
    let e = run("{}", Some("{profiles: "));
    assert!(e.line.is_some() && e.message.contains("authProfiles"), "{}", e.message);
    assert_eq!(e.path.as_deref(), Some("authProfiles"));
    let oauth = "{profiles: {'vllm:sso': {provider: 'vllm', type: 'oauth', access: 'a'}}}";
    let e = run(&entry("apiKey: 'vllm:sso'"), Some(oauth));
    assert!(e.message.starts_with("Per-entry apiKey \"vllm:sso\" for provider \"vllm\" references a \"oauth\" credential"), "{}", e.message);
}

#[test]
fn the_removed_codex_api_id_has_openclaws_message() {
    let e = run(&entry("api: 'openai-codex-responses'"), None);
    assert_eq!(e.message, "\"openai-codex-responses\" is a removed api id; use \"openai-chatgpt-responses\"");
}
