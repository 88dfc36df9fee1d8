//! Variables the caller's process has but did not pass in `env`. `resolve()` reads nothing but its
//! input, so `${VLLM_API_KEY}` with the key exported and no `env` resolves to nothing; the JS entry for
//! Node passes the names set in `process.env` (never a value), and the warnings and the 401 hint then
//! say to pass `env: process.env` instead of "set VLLM_API_KEY", which the user already did.

use super::auth::API_KEY_ENV;
use super::Diagnostic;
use crate::hints;
use crate::str_map::StrMap;

/// The names in `host` that resolution wanted and `env` lacks (unset or empty): those a warning names
/// (every unset `${VAR}`, env SecretRef and key variable has one), and VLLM_API_KEY, OpenClaw's own key
/// variable, when no key was found (`keyless`). Each warning naming one gets the sentence saying to pass
/// `env: process.env`; VLLM_API_KEY that no warning names gets a warning of its own.
pub fn unpassed(host: &[String], env: &StrMap, keyless: bool, warnings: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in host.iter().filter(|n| env.get(n).is_none_or(|v| v.is_empty())) {
        if out.contains(name) {
            continue;
        }
        let mut named = false;
        for w in warnings.iter_mut().filter(|w| names(&w.message, name)) {
            if !w.message.ends_with('.') {
                w.message.push('.');
            }
            w.message.push(' ');
            w.message.push_str(&hints::pass_process_env(std::slice::from_ref(name), ""));
            named = true;
        }
        if !named && keyless && name == API_KEY_ENV {
            warnings.push(Diagnostic::warning("", hints::pass_process_env(std::slice::from_ref(name), "")));
            named = true;
        }
        if named {
            out.push(name.clone());
        }
    }
    out
}

/// Whether `text` names the variable `name` as a whole word (`VLLM_API_KEY`, not `VLLM_API_KEY_2`).
fn names(text: &str, name: &str) -> bool {
    // A plain byte scan: str's pattern searchers would add code to the wasm for this one use.
    let (t, n) = (text.as_bytes(), name.as_bytes());
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    !n.is_empty()
        && (0..t.len()).any(|i| {
            t[i..].starts_with(n) && (i == 0 || !word(&t[i - 1])) && !t.get(i + n.len()).is_some_and(word)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> StrMap {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn host(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_warning_naming_a_variable_the_process_has_says_to_pass_process_env() {
        let mut w = vec![Diagnostic::warning("models.providers.vllm.apiKey", "models.providers.vllm.apiKey points at $VLLM_API_KEY, which is not set")];
        let out = unpassed(&host(&["HOME", "VLLM_API_KEY"]), &env(&[]), true, &mut w);
        assert_eq!(out, ["VLLM_API_KEY"]);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.starts_with("models.providers.vllm.apiKey points at $VLLM_API_KEY, which is not set. "), "{}", w[0].message);
        assert!(w[0].message.contains("pass `env: process.env`"), "{}", w[0].message);
    }

    #[test]
    fn passed_variables_and_unrelated_names_change_nothing() {
        let text = "${GPU_HOST} is not set in the environment; the text stays literally ${GPU_HOST}";
        let mut w = vec![Diagnostic::warning("models.providers.vllm.baseUrl", text)];
        assert!(unpassed(&host(&["GPU_HOST"]), &env(&[("GPU_HOST", "gpu1")]), true, &mut w).is_empty());
        assert!(unpassed(&host(&["GPU", "HOST", "GPU_HOST_2"]), &env(&[]), false, &mut w).is_empty());
        assert_eq!(w[0].message, text);
        // An empty value counts as unset, as in substitution.
        assert_eq!(unpassed(&host(&["GPU_HOST"]), &env(&[("GPU_HOST", "")]), false, &mut w), ["GPU_HOST"]);
    }

    #[test]
    fn resolve_with_the_key_exported_but_no_env_warns_and_the_401_hint_says_to_pass_process_env() {
        let config = r#"{ models: { providers: { vllm: { baseUrl: "http://gpu.example:8000/v1", apiKey: "${VLLM_API_KEY}", api: "openai-completions", models: [{ id: "m", name: "m" }] } } } }"#;
        let input = |names: &[&str], pairs: &[(&str, &str)]| super::super::ResolveInput {
            config: Some(super::super::ConfigInput::Text(config.into())),
            env: env(pairs),
            host_env_names: host(names),
            ..Default::default()
        };
        let p = super::super::resolve(&input(&["PATH", "VLLM_API_KEY"], &[])).unwrap();
        let warned = p.describe().warnings.iter().find(|w| w.message.contains("VLLM_API_KEY")).expect("a warning names the variable");
        assert!(warned.message.contains("pass `env: process.env`"), "{}", warned.message);
        assert_eq!(p.unpassed_env(), ["VLLM_API_KEY"]);
        let e = crate::classify::classify_http(Some(401), r#"{"error":"Unauthorized"}"#, &[], &p.classify_context(None));
        assert!(e.hint.starts_with("VLLM_API_KEY is set in this process but not in the `env`"), "{}", e.hint);
        assert!(e.hint.ends_with(&hints::auth()), "the usual advice follows: {}", e.hint);
        // Passed (or not in the process either): the usual texts.
        for p in [super::super::resolve(&input(&["VLLM_API_KEY"], &[("VLLM_API_KEY", "k")])).unwrap(), super::super::resolve(&input(&["PATH"], &[])).unwrap()] {
            assert!(p.describe().warnings.iter().all(|w| !w.message.contains("process.env")));
            assert!(p.unpassed_env().is_empty());
            assert_eq!(crate::classify::classify_http(Some(401), "", &[], &p.classify_context(None)).hint, hints::auth());
        }
    }

    #[test]
    fn an_unpassed_vllm_api_key_is_a_warning_of_its_own_only_when_no_key_was_found() {
        let mut w = Vec::new();
        assert!(unpassed(&host(&["VLLM_API_KEY"]), &env(&[]), false, &mut w).is_empty());
        assert!(w.is_empty());
        assert_eq!(unpassed(&host(&["VLLM_API_KEY", "VLLM_API_KEY"]), &env(&[]), true, &mut w), ["VLLM_API_KEY"]);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.starts_with("VLLM_API_KEY is set in this process"), "{}", w[0].message);
    }
}
