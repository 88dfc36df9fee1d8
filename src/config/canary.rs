//! A canary key through every key source: `describe()` (what `JSON.stringify(provider)` gives),
//! its warnings and every refusal stay free of it, and the provider still knows it as a secret.

use super::*;

const CANARY: &str = "sk-CANARY-4242";

fn check(config: &str, env: &[(&str, &str)], profiles: Option<&str>) {
    let input = ResolveInput {
        config: Some(ConfigInput::Text(config.replace("@K", CANARY))),
        env: env.iter().map(|(k, v)| (k.to_string(), v.replace("@K", CANARY))).collect(),
        auth_profiles: profiles.map(|p| ConfigInput::Text(p.replace("@K", CANARY))),
        ..Default::default()
    };
    let p = resolve(&input).unwrap_or_else(|e| panic!("{config}: {e}"));
    let text = serde_json::to_string(p.describe()).unwrap();
    assert!(!text.contains(CANARY), "{config} {env:?} {profiles:?}: {text}");
    assert!(!format!("{p:?}").contains(CANARY), "{config}: Debug");
    for e in [p.ensure_can_send().err(), p.ensure_can_send_to("vllm/m").err()].into_iter().flatten() {
        assert!(!serde_json::to_string(&e).unwrap().contains(CANARY), "{config}");
    }
    assert!(p.secrets().iter().any(|s| s.contains(CANARY)), "{config} {env:?} {profiles:?}: the canary must be known as a secret");
    let sent = p.chat_headers(Some("m")).into_iter().chain(p.request_headers()).any(|(_, v)| v.contains(CANARY));
    assert!(sent, "{config} {env:?} {profiles:?}: the canary is the key, so some request carries it");
}

#[test]
fn no_key_source_leaks_into_describe() {
    let profile = "{profiles:{'vllm:default':{type:'api_key', provider:'vllm', key:'@K'}}}";
    let token = "{profiles:{'vllm:t':{type:'token', provider:'vllm', token:'@K'}}}";
    let key_ref = "{profiles:{'vllm:default':{type:'api_key', provider:'vllm', keyRef:{source:'env', provider:'default', id:'PK'}}}}";
    let bound = "{profiles:{'vllm:a':{type:'api_key', provider:'vllm', key:'other'}, 'vllm:b':{type:'api_key', provider:'vllm', key:'@K'}}}";
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<&'a str>);
    let cases: [Case; 16] = [
        ("{}", &[("VLLM_API_KEY", "@K")], None),
        ("{models:{providers:{vllm:{apiKey:'@K'}}}}", &[], None),
        ("{models:{providers:{vllm:{apiKey:'${K}'}}}}", &[("K", "@K")], None),
        ("{models:{providers:{vllm:{apiKey:'VLLM_API_KEY'}}}}", &[("VLLM_API_KEY", "@K")], None),
        ("{models:{providers:{vllm:{apiKey:{source:'env', provider:'default', id:'K'}}}}}", &[("K", "@K")], None),
        ("{}", &[], Some(profile)),
        ("{}", &[], Some(token)),
        ("{}", &[("PK", "@K")], Some(key_ref)),
        ("{models:{providers:{vllm:{apiKey:'vllm:b'}}}}", &[], Some(bound)),
        ("{models:{providers:{vllm:{auth:'api-key', apiKey:'@K'}}}}", &[("VLLM_API_KEY", "env-key")], None),
        ("{models:{providers:{vllm:{apiKey:'k', headers:{Authorization:'Bearer @K'}}}}}", &[], None),
        ("{models:{providers:{vllm:{apiKey:'k', headers:{'X-Api-Key':'@K'}}}}}", &[], None),
        ("{models:{providers:{vllm:{apiKey:'k', headers:{'X-Custom':{source:'env', provider:'default', id:'H'}}}}}}", &[("H", "@K")], None),
        ("{models:{providers:{vllm:{apiKey:'k', request:{headers:{'X-Token':'@K'}}}}}}", &[], None),
        ("{models:{providers:{vllm:{apiKey:'k', request:{auth:{mode:'authorization-bearer', token:'@K'}}}}}}", &[], None),
        ("{models:{providers:{vllm:{apiKey:'k', request:{auth:{mode:'header', headerName:'X-Gate', value:'@K'}}}}}}", &[], None),
    ];
    for (config, env, profiles) in cases {
        check(config, env, profiles);
    }
}

#[test]
fn keys_that_are_not_chosen_are_still_scrubbed() {
    let input = ResolveInput {
        config: Some(ConfigInput::Text("{models:{providers:{vllm:{apiKey:'sk-config-1'}}}}".into())),
        env: [("VLLM_API_KEY".to_string(), "sk-env-2".to_string())].into(),
        auth_profiles: Some(ConfigInput::Text("{profiles:{'vllm:default':{type:'api_key', provider:'vllm', key:'sk-profile-3'}}}".into())),
        ..Default::default()
    };
    let p = resolve(&input).unwrap();
    for s in ["sk-config-1", "sk-env-2", "sk-profile-3"] {
        assert!(p.secrets().iter().any(|x| x == s), "{s}");
        assert!(!serde_json::to_string(p.describe()).unwrap().contains(s));
    }
    assert!(p.describe().warnings.iter().any(|w| w.message.contains("discovery uses the key from env VLLM_API_KEY, requests use the key from auth profile \"vllm:default\"")));
}
