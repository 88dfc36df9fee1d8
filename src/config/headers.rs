//! Request headers: what the config declares (`headers`, model `headers`, `request.headers`,
//! `request.auth`, `authHeader`) and the one function that merges them with the resolved key.
//!
//! Merge order (OpenClaw §5.9): the SDK's `Authorization: Bearer <key>` first, then provider
//! `headers`, model `headers` (with OpenClaw's `Authorization: null` for the `custom-local` key),
//! `request.headers`, `request.auth`, `authHeader`. Later names replace earlier ones case-insensitively.
//!
//! `request.auth` `header` mode (checklist 24, errata §0.1 item 9) adds the named header and removes
//! any configured `Authorization`, but the resolved key's own `Authorization: Bearer <key>` is still
//! sent, as OpenClaw 2026.9.6 sends it: the mode adds a header, it does not replace the bearer.

use super::reader::{expected, join, Obj};
use super::secret::{self, read_input, Resolved};
use super::Diagnostic;
use crate::error::ProviderError;
use crate::name_index::NameIndex;
use crate::str_map::StrMap;
use serde_json::{Map, Value};

/// One header value, and whether it is a secret.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderValue {
    /// Header name as configured.
    pub name: String,
    /// Value to send.
    pub value: String,
    /// Redact it in `describe()` and every text.
    pub secret: bool,
}

/// `request.auth`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RequestAuth {
    /// `provider-default` or absent: the resolved key as `Authorization: Bearer`.
    #[default]
    ProviderDefault,
    /// `authorization-bearer`: `Authorization: Bearer <token>`.
    Bearer(String),
    /// `header`: `<name>: <prefix><value>`; a configured `Authorization` is removed, the key's bearer stays.
    Header(String, String),
    /// A mode whose value cannot be read here (unset env var, file ref): nothing is added.
    Unusable,
}

/// Every configured header source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeaderPlan {
    /// `models.providers.vllm.headers`.
    pub provider: Vec<HeaderValue>,
    /// Model id → that row's `headers`.
    pub models: Vec<(String, Vec<HeaderValue>)>,
    /// `request.headers`.
    pub request: Vec<HeaderValue>,
    /// `request.auth`.
    pub auth: RequestAuth,
    /// `authHeader: true`.
    pub auth_header: bool,
    /// The base URL's credentials as `Basic …`: sent in place of the key's bearer (later sources still
    /// replace them, as they replace the bearer).
    pub url_auth: Option<String>,
}

/// Names whose values are secrets whatever they hold (`auth`, `key`, `token`, `secret`, `cookie`,
/// `session`, `password`, `credential` in any case).
pub use crate::redact::is_secret_name;

/// Reads a `record<string, string | SecretRef>` of headers.
pub fn read_header_record(map: &Map<String, Value>, path: &str, env: &StrMap, warnings: &mut Vec<Diagnostic>) -> Result<Vec<HeaderValue>, ProviderError> {
    let mut out = Vec::new();
    for (k, v) in map {
        let hpath = join(path, k);
        check_name(k, &hpath)?;
        let input = read_input(v, &hpath)?;
        let from_ref = matches!(input, secret::SecretInput::Ref(_));
        match secret::resolve(&input, env) {
            Resolved::Value { value, .. } => {
                if value.contains(['\r', '\n']) {
                    return Err(ProviderError::config_at(&hpath, format!("{hpath}: header values cannot contain line breaks"), "Put the value on one line."));
                }
                // What `fetch` refuses at send time (its Headers take bytes), refused here with the path.
                if value.chars().any(|c| c == '\0' || c > '\u{FF}') {
                    return Err(ProviderError::config_at(
                        &hpath,
                        format!("{hpath}: header values cannot contain NUL or characters beyond U+00FF"),
                        "fetch sends header values as bytes: percent-encode the value, or put it in the request body instead.",
                    ));
                }
                out.push(HeaderValue { secret: from_ref || is_secret_name(k), name: k.clone(), value })
            }
            unusable => warnings.extend(secret::unusable_warning(&hpath, &unusable).map(|mut w| {
                w.message.push_str("; the header is not sent");
                w
            })),
        }
    }
    Ok(out)
}

/// Reads `models.providers.vllm.request` (strict) into the plan; rejects `tls.insecureSkipVerify`.
pub fn read_request(o: &Obj, env: &StrMap, plan: &mut HeaderPlan, warnings: &mut Vec<Diagnostic>) -> Result<Option<bool>, ProviderError> {
    let Some((m, path)) = o.opt_obj("request")? else { return Ok(None) };
    let r = Obj { map: m, path: &path };
    r.only_keys(&["headers", "auth", "proxy", "tls", "allowPrivateNetwork"])?;
    if let Some((h, hpath)) = r.opt_obj("headers")? {
        plan.request = read_header_record(h, &hpath, env, warnings)?;
    }
    if let Some((a, apath)) = r.opt_obj("auth")? {
        plan.auth = read_request_auth(a, &apath, env, warnings)?;
    }
    if let Some((t, tpath)) = r.opt_obj("tls")? {
        read_tls(t, &tpath, warnings)?;
    }
    if let Some((p, ppath)) = r.opt_obj("proxy")? {
        let po = Obj { map: p, path: &ppath };
        match po.opt_str("mode")? {
            Some("env-proxy") => po.only_keys(&["mode", "tls"])?,
            Some("explicit-proxy") => {
                po.only_keys(&["mode", "url", "tls"])?;
                po.opt_nonempty_str("url")?.ok_or_else(|| required(&join(&ppath, "url")))?;
            }
            Some(other) => return Err(bad_mode(&join(&ppath, "mode"), other, "\"env-proxy\" or \"explicit-proxy\"")),
            None => return Err(required(&join(&ppath, "mode"))),
        }
        if let Some((t, tpath)) = po.opt_obj("tls")? {
            read_tls(t, &tpath, warnings)?;
        }
        warnings.push(Diagnostic::warning(&ppath, "request.proxy is not applied by this library: fetch uses the runtime's own proxy settings"));
    }
    r.opt_bool("allowPrivateNetwork")
}

fn read_tls(t: &Map<String, Value>, path: &str, warnings: &mut Vec<Diagnostic>) -> Result<(), ProviderError> {
    let o = Obj { map: t, path };
    o.only_keys(&["ca", "cert", "key", "passphrase", "serverName", "insecureSkipVerify"])?;
    if o.opt_bool("insecureSkipVerify")? == Some(true) {
        return Err(ProviderError::config_at(
            &join(path, "insecureSkipVerify"),
            "Provider transport overrides do not allow insecureSkipVerify",
            "Remove insecureSkipVerify; give the server's CA in tls.ca instead, or serve vLLM over plain http on a trusted network.",
        ));
    }
    for k in ["ca", "cert", "key", "passphrase", "serverName"] {
        if let Some(v) = t.get(k) {
            read_input(v, &join(path, k))?;
        }
    }
    if !t.is_empty() {
        warnings.push(Diagnostic::warning(path, "TLS overrides are not applied by this library: fetch uses the runtime's trust store"));
    }
    Ok(())
}

/// A header name `fetch` accepts: ASCII without spaces, control characters or colons.
fn check_name(name: &str, path: &str) -> Result<(), ProviderError> {
    if name.trim().is_empty() || !name.chars().all(|c| c.is_ascii_graphic() && c != ':') {
        return Err(ProviderError::config_at(path, format!("{path}: \"{name}\" is not a valid header name"), "Header names are ASCII without spaces or colons."));
    }
    Ok(())
}

fn read_request_auth(a: &Map<String, Value>, path: &str, env: &StrMap, warnings: &mut Vec<Diagnostic>) -> Result<RequestAuth, ProviderError> {
    let o = Obj { map: a, path };
    let value_of = |key: &str, warnings: &mut Vec<Diagnostic>| -> Result<Option<String>, ProviderError> {
        let kpath = join(path, key);
        let v = a.get(key).ok_or_else(|| required(&kpath))?;
        let r = secret::resolve(&read_input(v, &kpath)?, env);
        match r {
            Resolved::Value { value, .. } if !value.trim().is_empty() => Ok(Some(value)),
            Resolved::Value { .. } => Err(ProviderError::config_at(&kpath, format!("{kpath}: must not be empty"), "Give it a value or remove request.auth.")),
            other => {
                warnings.extend(secret::unusable_warning(&kpath, &other));
                Ok(None)
            }
        }
    };
    match o.opt_str("mode")? {
        Some("provider-default") => {
            o.only_keys(&["mode"])?;
            Ok(RequestAuth::ProviderDefault)
        }
        Some("authorization-bearer") => {
            o.only_keys(&["mode", "token"])?;
            Ok(value_of("token", warnings)?.map_or(RequestAuth::Unusable, RequestAuth::Bearer))
        }
        Some("header") => {
            o.only_keys(&["mode", "headerName", "value", "prefix"])?;
            let name = o.opt_nonempty_str("headerName")?.ok_or_else(|| required(&join(path, "headerName")))?.trim().to_string();
            // Checked like every configured header's name (found by fuzzing: any text went through).
            check_name(&name, &join(path, "headerName"))?;
            let prefix = o.opt_str("prefix")?.unwrap_or("").to_string();
            Ok(value_of("value", warnings)?.map_or(RequestAuth::Unusable, |v| RequestAuth::Header(name, format!("{prefix}{v}"))))
        }
        Some(other) => Err(bad_mode(&join(path, "mode"), other, "\"provider-default\", \"authorization-bearer\" or \"header\"")),
        None => Err(required(&join(path, "mode"))),
    }
}

fn required(path: &str) -> ProviderError {
    ProviderError::config_at(path, format!("{path}: required"), "Add it, as OpenClaw's config schema requires.")
}

fn bad_mode(path: &str, got: &str, allowed: &str) -> ProviderError {
    ProviderError::config_at(path, format!("{path}: expected {allowed}, got \"{got}\""), format!("Set {path} to {allowed}."))
}

/// Reads a model row's `headers` (`record<string, string>`).
pub fn read_model_headers(o: &Obj, warnings: &mut Vec<Diagnostic>) -> Result<Vec<HeaderValue>, ProviderError> {
    let Some((h, hpath)) = o.opt_obj("headers")? else { return Ok(Vec::new()) };
    if let Some((k, v)) = h.iter().find(|(_, v)| !v.is_string()) {
        return Err(expected(&join(&hpath, k), "a string", v));
    }
    read_header_record(h, &hpath, &StrMap::new(), warnings)
}

/// Headers being merged: a later name replaces an earlier one case-insensitively and moves to the
/// end, in constant time however many there are (a replaced entry is left empty, then dropped).
#[derive(Default)]
struct Merged {
    items: Vec<Option<(String, String)>>,
    /// Lower-cased name → its live entry.
    live: NameIndex,
}

impl Merged {
    fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.live.set(&name.to_ascii_lowercase(), self.items.len());
        self.items.push(Some((name.to_string(), value.to_string())));
    }

    fn remove(&mut self, name: &str) {
        let key = name.to_ascii_lowercase();
        if let Some(i) = self.live.get(&key) {
            self.items[i] = None;
            self.live.remove(&key);
        }
    }

    fn into_vec(self) -> Vec<(String, String)> {
        self.items.into_iter().flatten().collect()
    }
}

impl HeaderPlan {
    /// Merges every source with the resolved key (`None`: no key or a marker). `local_no_auth` is the
    /// `custom-local` key's `Authorization: null`; `model` adds that row's headers.
    pub fn build(&self, key: Option<&str>, local_no_auth: bool, model: Option<&str>) -> Vec<(String, String)> {
        let mut out = Merged::default();
        let bearer = key.map(|k| ["Bearer ", k].concat());
        // URL credentials (`user:pass@`, which fetch refuses in a URL) take the bearer's place.
        let base = self.url_auth.clone().or_else(|| bearer.clone());
        if let Some(b) = &base {
            out.set("Authorization", b);
        }
        for h in &self.provider {
            out.set(&h.name, &h.value);
        }
        if let Some((_, hs)) = model.and_then(|m| self.models.iter().find(|(id, _)| id == m)) {
            for h in hs {
                out.set(&h.name, &h.value);
            }
        }
        if local_no_auth {
            out.remove("authorization");
        }
        for h in &self.request {
            out.set(&h.name, &h.value);
        }
        match &self.auth {
            RequestAuth::Bearer(token) => out.set("Authorization", &format!("Bearer {token}")),
            RequestAuth::Header(name, value) => {
                out.remove("authorization");
                if let (Some(b), false) = (&base, local_no_auth) {
                    out.set("Authorization", b);
                }
                out.set(name, value);
            }
            RequestAuth::ProviderDefault | RequestAuth::Unusable => {}
        }
        if let (true, Some(b)) = (self.auth_header, &bearer) {
            out.set("Authorization", b);
        }
        out.into_vec()
    }

    /// Configured header values that are secrets (for redaction).
    pub fn secret_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        let all = self.provider.iter().chain(self.request.iter()).chain(self.models.iter().flat_map(|(_, h)| h.iter()));
        for h in all.filter(|h| h.secret) {
            out.push(h.value.clone());
            if let Some((_, token)) = h.value.split_once(' ') {
                out.push(token.trim().to_string());
            }
        }
        match &self.auth {
            RequestAuth::Bearer(t) => out.push(t.clone()),
            RequestAuth::Header(_, v) => out.push(v.clone()),
            _ => {}
        }
        out.extend(self.url_auth.clone());
        out.retain(|s| !s.is_empty());
        out
    }

    /// Configured provider-level headers for `describe()`, secrets redacted.
    pub fn shown(&self, secrets: &[String]) -> StrMap {
        let mut out = StrMap::new();
        let mut merged = Merged::default();
        for h in self.provider.iter().chain(self.request.iter()) {
            merged.set(&h.name, &h.value);
        }
        // Whether the header that wins each name is a secret.
        let mut is_secret = NameIndex::new();
        for h in self.provider.iter().chain(self.request.iter()) {
            is_secret.set(&h.name.to_ascii_lowercase(), usize::from(h.secret));
        }
        let found = crate::redact::SecretFinder::new(secrets);
        // A header-named key replaces any configured Authorization, so a configured one is not shown.
        let header_auth = matches!(self.auth, RequestAuth::Header(..));
        for (name, value) in merged.into_vec() {
            if header_auth && name.eq_ignore_ascii_case("authorization") {
                continue;
            }
            // A value holding a secret in any form is a secret as a whole.
            let secret = is_secret.get(&name.to_ascii_lowercase()) == Some(1) || found.holds(&value);
            // A name can hold a key too (`${VAR}` in a name; found by fuzzing): shown redacted.
            let name = if found.holds(&name) { crate::redact::redact(&name, secrets) } else { name };
            out.insert(name, if secret { crate::redact::REDACTED.to_string() } else { value });
        }
        match &self.auth {
            RequestAuth::Bearer(_) => {
                out.insert("Authorization".to_string(), format!("Bearer {}", crate::redact::REDACTED));
            }
            RequestAuth::Header(name, _) => {
                out.insert(crate::redact::redact(name, secrets), crate::redact::REDACTED.to_string());
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hv(name: &str, value: &str) -> HeaderValue {
        HeaderValue { name: name.into(), value: value.into(), secret: is_secret_name(name) }
    }

    fn get<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
        h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn header_values_fetch_would_refuse_are_config_errors_that_name_the_header_not_the_value() {
        // Found by the bad-input corpus: these resolved, then every request failed as `unreachable`.
        let env: StrMap = [("TOKEN", "t\u{0}ok")].into_iter().collect();
        for (value, env) in [(serde_json::json!("a\u{0}b"), StrMap::new()), (serde_json::json!("中文"), StrMap::new()), (serde_json::json!({ "source": "env", "provider": "default", "id": "TOKEN" }), env)] {
            let map = serde_json::json!({ "X-Team": value });
            let e = read_header_record(map.as_object().unwrap(), "models.providers.vllm.headers", &env, &mut Vec::new()).unwrap_err();
            assert_eq!(e.path.as_deref(), Some("models.providers.vllm.headers.X-Team"));
            assert!(e.message.ends_with("header values cannot contain NUL or characters beyond U+00FF"), "{}", e.message);
            assert!(!e.message.contains("中") && !e.message.contains("t\u{0}ok"));
        }
        let latin1 = serde_json::json!({ "X-Team": "café" });
        assert_eq!(read_header_record(latin1.as_object().unwrap(), "h", &StrMap::new(), &mut Vec::new()).unwrap()[0].value, "café");
    }

    #[test]
    fn later_sources_win_case_insensitively() {
        let plan = HeaderPlan {
            provider: vec![hv("X-A", "provider"), hv("X-B", "provider")],
            models: vec![("m".into(), vec![hv("x-a", "model")])],
            request: vec![hv("X-B", "request")],
            ..Default::default()
        };
        let h = plan.build(Some("k"), false, Some("m"));
        assert_eq!((get(&h, "x-a"), get(&h, "x-b")), (Some("model"), Some("request")));
        assert_eq!(get(&h, "authorization"), Some("Bearer k"));
        assert_eq!(get(&plan.build(None, false, Some("other")), "x-a"), Some("provider"));
    }

    #[test]
    fn a_configured_authorization_overrides_the_key() {
        let plan = HeaderPlan { provider: vec![hv("Authorization", "Bearer other")], ..Default::default() };
        let h = plan.build(Some("k"), false, None);
        assert_eq!(h.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).count(), 1);
        assert_eq!(get(&h, "authorization"), Some("Bearer other"));
    }

    #[test]
    fn header_mode_sends_the_named_header_and_the_keys_bearer_not_a_configured_one() {
        let plan = HeaderPlan {
            provider: vec![hv("Authorization", "Bearer other")],
            auth: RequestAuth::Header("X-Api-Key".into(), "k".into()),
            ..Default::default()
        };
        let h = plan.build(Some("resolved"), false, None);
        assert_eq!(get(&h, "x-api-key"), Some("k"));
        assert_eq!(get(&h, "authorization"), Some("Bearer resolved"), "the resolved key's bearer, not the configured one");
        assert_eq!(h.iter().filter(|(k, _)| k.eq_ignore_ascii_case("authorization")).count(), 1);
        assert_eq!(get(&plan.build(None, false, None), "authorization"), None, "a marker key sends no bearer");
        assert_eq!(get(&plan.build(Some("custom-local"), true, None), "authorization"), None, "nor does custom-local");
    }

    #[test]
    fn bearer_mode_and_auth_header() {
        let plan = HeaderPlan { auth: RequestAuth::Bearer("tok".into()), ..Default::default() };
        assert_eq!(get(&plan.build(Some("k"), false, None), "authorization"), Some("Bearer tok"));
        let plan = HeaderPlan { provider: vec![hv("authorization", "Bearer cfg")], auth_header: true, ..Default::default() };
        assert_eq!(get(&plan.build(Some("k"), false, None), "authorization"), Some("Bearer k"));
        assert_eq!(get(&plan.build(None, false, None), "authorization"), Some("Bearer cfg"), "a marker key changes nothing");
    }

    #[test]
    fn custom_local_nulls_provider_and_model_authorization_only() {
        let plan = HeaderPlan { provider: vec![hv("Authorization", "Bearer cfg")], ..Default::default() };
        assert_eq!(get(&plan.build(None, true, None), "authorization"), None);
        let plan = HeaderPlan { request: vec![hv("Authorization", "Bearer req")], ..Default::default() };
        assert_eq!(get(&plan.build(None, true, None), "authorization"), Some("Bearer req"));
    }

    #[test]
    fn shown_headers_hide_secrets_by_the_winning_header_and_by_value() {
        let plan = HeaderPlan {
            provider: vec![HeaderValue { name: "X-A".into(), value: "from-ref".into(), secret: true }, hv("X-B", "has sk-one inside"), hv("X-C", "plain")],
            request: vec![hv("x-a", "plain now")],
            ..Default::default()
        };
        let shown = plan.shown(&["sk-one".into(), "ab".into()]);
        assert_eq!(shown.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(), [("X-B", "[redacted]"), ("X-C", "plain"), ("x-a", "plain now")]);
    }

    #[test]
    fn merging_many_headers_takes_time_proportional_to_them() {
        let plan = |n: usize| HeaderPlan {
            provider: (0..n).map(|i| hv(&format!("X-H-{i}"), &format!("v{i}"))).collect(),
            request: (0..n).step_by(2).map(|i| hv(&format!("x-h-{i}"), "again")).collect(),
            ..Default::default()
        };
        let secrets: Vec<String> = (0..2000).map(|i| format!("secret-{i}")).collect();
        let h = plan(10).build(Some("k"), false, None);
        assert_eq!(h.len(), 11);
        assert_eq!((h[0].0.as_str(), h[5].0.as_str(), h[10].0.as_str()), ("Authorization", "X-H-9", "x-h-8"));
        crate::growth::assert_linear("headers", 4000, plan, |p| {
            p.build(Some("k"), false, None);
            p.shown(&secrets);
        });
    }
}
