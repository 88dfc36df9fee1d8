//! Target `config`: `resolve()` (JSON5 plus OpenClaw's schema, env substitution, auth profiles), then
//! `describe()` and a request built from the result.
//!
//! Input: one flag byte, then up to three parts split at byte 0xFE: the config text, the auth-profile
//! store, a `baseUrl` override. Flags: bit 0 sets `VLLM_API_KEY` to the canary, bit 1 sets `OTHER_KEY`
//! to it, bit 2 passes the store, bit 3 the override, bit 4 passes the config parsed (as a value)
//! rather than as text, bit 5 names an agent.
//! Properties: no panic; every refusal is a `config` error; the canary never appears in an error, in
//! the described provider's base URL, headers, auth, discovery reason or warnings, nor in the
//! request's shown URL, headers and notes (unless the config text itself holds it).

use crate::common::{no_secret, no_secret_in, no_secret_in_error, SECRET};
use vllm_provider::config::json5;
use vllm_provider::error::ErrorCode;
use vllm_provider::{resolve, ConfigInput, ResolveInput};

const REQUEST: &str = r#"{"model":"vllm/m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"params":{"maxTokens":16}}"#;

/// Checks one input.
pub fn check(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else { return };
    let mut parts = rest.split(|&b| b == 0xFE).map(|p| String::from_utf8_lossy(p).into_owned());
    let text = parts.next().unwrap_or_default();
    let store = parts.next();
    let base_url = parts.next();
    let mut input = ResolveInput::default();
    if flags & 1 != 0 {
        input.env.insert("VLLM_API_KEY".into(), SECRET.into());
    }
    if flags & 2 != 0 {
        input.env.insert("OTHER_KEY".into(), SECRET.into());
    }
    input.env.insert("HOST".into(), "127.0.0.1".into());
    input.config = Some(if flags & 16 != 0 {
        match json5::parse(&text, "config") {
            Ok(v) => ConfigInput::Value(v),
            Err(_) => return,
        }
    } else {
        ConfigInput::Text(text.clone())
    });
    if flags & 4 != 0 {
        input.auth_profiles = store.clone().map(ConfigInput::Text);
    }
    if flags & 8 != 0 {
        input.base_url = base_url.clone();
    }
    if flags & 32 != 0 {
        input.agent_id = Some("main".into());
    }
    // The user may write the canary into the config themselves; only what the library adds is checked.
    let written = text.contains(SECRET) || store.as_deref().is_some_and(|s| s.contains(SECRET)) || base_url.as_deref().is_some_and(|s| s.contains(SECRET));
    let provider = match resolve(&input) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(e.code, ErrorCode::Config, "resolve refused with another code: {e:?}");
            if !written {
                no_secret_in_error(&e, "resolve error");
            }
            return;
        }
    };
    let d = provider.describe();
    let shown = serde_json::to_string(d).expect("describe() serializes");
    if !written {
        no_secret(&d.base_url, "describe().baseUrl");
        no_secret_in(&d.headers, "describe().headers");
        no_secret_in(&d.auth, "describe().auth");
        no_secret(&d.discovery.reason, "describe().discovery");
        no_secret_in(&d.warnings, "describe().warnings");
    }
    assert!(shown.len() <= 64 * text.len() + 64 * 1024, "describe() is {} bytes for a {}-byte config", shown.len(), text.len());
    match vllm_provider::shaping::build_from_json(&provider, REQUEST) {
        Ok(shaped) => {
            if !written {
                let p = &shaped.prepared;
                no_secret(&p.url, "prepared url");
                no_secret_in(&p.headers, "prepared headers");
                no_secret_in(&p.notes, "prepared notes");
            }
            let body = shaped.http.body.as_deref().expect("a body");
            let back: serde_json::Value = serde_json::from_str(body).expect("the body is JSON");
            assert!(crate::common::nearly_equal(&back, &serde_json::to_value(&shaped.prepared.body).unwrap()), "the body sent differs from the body shown");
        }
        Err(e) => {
            if !written {
                no_secret_in_error(&e, "build error");
            }
        }
    }
}
