//! Where the provider's key comes from, and whether it is a real key or a non-secret marker.
//!
//! OpenClaw resolves the key twice, in two orders: at discovery time (§4.1: env, config, profiles),
//! which also decides whether an implicit provider exists, and at request time (§4.2: config markers,
//! profiles, env, config, then the synthetic `custom-local` key). [`resolve`] computes both.

use super::profiles::{Profile, Profiles};
use super::secret::{self, env_value, Resolved, SecretInput};
use super::Diagnostic;
use crate::str_map::StrMap;

/// The env var OpenClaw reads for vLLM.
pub const API_KEY_ENV: &str = "VLLM_API_KEY";
/// The key OpenClaw synthesises for explicit local providers without one (never sent).
pub const SYNTHETIC_LOCAL_KEY: &str = "custom-local";

/// Values that name a credential instead of being one (OpenClaw's non-secret markers); a request
/// never sends them as `Bearer …`.
pub fn is_marker(value: &str) -> bool {
    let v = value.trim();
    matches!(
        v,
        "custom-local" | "codex-app-server" | "gcp-vertex-credentials" | "ollama-local" | "secretref-managed"
            | "AWS_BEARER_TOKEN_BEDROCK" | "AWS_ACCESS_KEY_ID" | "AWS_PROFILE"
    ) || v.starts_with("oauth:")
        || v.starts_with("secretref-env:")
        || is_known_env_name(v)
}

/// Provider env-var names OpenClaw knows; a config `apiKey` equal to one is a pointer to it.
pub fn is_known_env_name(v: &str) -> bool {
    const NAMES: &[&str] = &[
        "VLLM_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY",
        "OPENROUTER_API_KEY", "GROQ_API_KEY", "MISTRAL_API_KEY", "SGLANG_API_KEY", "LMSTUDIO_API_KEY",
        "OLLAMA_API_KEY", "LITELLM_API_KEY", "TOGETHER_API_KEY", "XAI_API_KEY",
    ];
    NAMES.contains(&v)
}

/// Where the key was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthSource {
    /// `VLLM_API_KEY` (or the env var a config ref names).
    Env,
    /// `models.providers.vllm.apiKey`.
    Config,
    /// An auth profile.
    Profile,
    /// OpenClaw's `custom-local` key for explicit local providers: no `Authorization` header.
    SyntheticLocal,
    /// No key.
    None,
}

impl AuthSource {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthSource::Env => "env",
            AuthSource::Config => "config",
            AuthSource::Profile => "profile",
            AuthSource::SyntheticLocal => "synthetic-local",
            AuthSource::None => "none",
        }
    }
}

serialize_as_str!(AuthSource);

/// The resolved key and how it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedAuth {
    /// Source of the key.
    pub source: AuthSource,
    /// The env var the key came from, if any.
    pub env_var: Option<String>,
    /// The auth profile the key came from, if any.
    pub profile_id: Option<String>,
    /// The value to send as `Bearer …`; `None` for markers and no key.
    pub secret: Option<String>,
    /// Whether a key (real or marker) resolved at all: OpenClaw's registration signal.
    pub has_key: bool,
    /// The key is exactly `custom-local`: OpenClaw nulls the `Authorization` header.
    pub local_no_auth: bool,
}

impl ResolvedAuth {
    /// No key at all.
    pub fn none() -> Self {
        ResolvedAuth { source: AuthSource::None, env_var: None, profile_id: None, secret: None, has_key: false, local_no_auth: false }
    }

    fn key(source: AuthSource, value: String, env_var: Option<String>, profile_id: Option<String>) -> Self {
        let marker = is_marker(&value);
        ResolvedAuth {
            source,
            env_var,
            profile_id,
            local_no_auth: value.trim() == SYNTHETIC_LOCAL_KEY,
            secret: (!marker).then_some(value),
            has_key: true,
        }
    }

    /// A key that exists but cannot be read here (`secretref-managed`).
    fn managed(source: AuthSource, profile_id: Option<String>) -> Self {
        ResolvedAuth { source, profile_id, has_key: true, ..ResolvedAuth::none() }
    }

    /// The synthetic `custom-local` key.
    pub fn synthetic_local() -> Self {
        ResolvedAuth { source: AuthSource::SyntheticLocal, has_key: true, local_no_auth: true, ..ResolvedAuth::none() }
    }

    /// Whether the key is a non-secret marker (resolved, but never sent).
    pub fn is_marker(&self) -> bool {
        self.has_key && self.secret.is_none()
    }
}

/// What `models.providers.vllm.apiKey` says, read before `${VAR}` substitution.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigKey {
    /// Not configured (or blank).
    Absent,
    /// `"${NAME}"`, `"NAME"` for a known provider env name, or `{ source: "env", id: "NAME" }`.
    EnvRef(String),
    /// A non-secret marker such as `custom-local`.
    Marker(String),
    /// The id of a stored auth profile (a per-entry binding).
    Profile(String),
    /// A `file`/`exec`/`store` SecretRef (`secretref-managed`).
    Managed,
    /// Anything else: the key itself (after substitution).
    Literal(String),
}

impl ConfigKey {
    /// Classifies the configured key. `raw` is the value as written, `substituted` after `${VAR}`.
    pub fn classify(raw: Option<&SecretInput>, substituted: Option<&SecretInput>, profiles: &Profiles) -> ConfigKey {
        match (raw, substituted) {
            (Some(SecretInput::Ref(r)), _) if r.source == secret::RefSource::Env => ConfigKey::EnvRef(r.id.clone()),
            (Some(SecretInput::Ref(_)), _) => ConfigKey::Managed,
            (Some(SecretInput::Literal(raw)), Some(SecretInput::Literal(sub))) => {
                let raw = raw.trim();
                let whole_var = raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')).filter(|n| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                });
                if let Some(name) = whole_var.or_else(|| is_known_env_name(raw).then_some(raw)) {
                    ConfigKey::EnvRef(name.to_string())
                } else if raw.is_empty() {
                    ConfigKey::Absent
                } else if profiles.ordered.iter().any(|p| p.id == raw) || profiles.oauth_ids.iter().any(|p| p == raw) {
                    ConfigKey::Profile(raw.to_string())
                } else if is_marker(raw) {
                    ConfigKey::Marker(raw.to_string())
                } else {
                    ConfigKey::Literal(sub.trim().to_string())
                }
            }
            _ => ConfigKey::Absent,
        }
    }
}

/// Everything key resolution reads.
pub struct AuthContext<'a> {
    /// The configured key.
    pub config_key: &'a ConfigKey,
    /// Path of `apiKey`, for warnings.
    pub path: &'a str,
    /// The caller's environment.
    pub env: &'a StrMap,
    /// `vllm` profiles in order.
    pub profiles: &'a Profiles,
    /// `models.providers.vllm.auth`.
    pub auth_mode: Option<&'a str>,
}

/// Both resolutions: (discovery-time, request-time before the synthetic local key).
pub fn resolve(ctx: &AuthContext, warnings: &mut Vec<Diagnostic>) -> (ResolvedAuth, ResolvedAuth) {
    let bound = match ctx.config_key {
        ConfigKey::Profile(id) => match ctx.profiles.ordered.iter().find(|p| &p.id == id) {
            Some(p) => Some(p.clone()),
            None => {
                warnings.push(Diagnostic::warning(ctx.path, format!("{} names auth profile \"{id}\", which authProfiles does not hold", ctx.path)));
                None
            }
        },
        _ => None,
    };
    let discovery = discovery_time(ctx, bound.as_ref(), warnings);
    let request = request_time(ctx, bound.as_ref());
    (discovery, request)
}

fn from_env_var(name: &str, env: &StrMap) -> Option<ResolvedAuth> {
    env_value(env, name).map(|v| ResolvedAuth::key(AuthSource::Env, v, Some(name.to_string()), None))
}

/// The config key, when it yields one.
fn from_config(ctx: &AuthContext, bound: Option<&Profile>, warnings: Option<&mut Vec<Diagnostic>>) -> Option<ResolvedAuth> {
    match ctx.config_key {
        ConfigKey::Absent => None,
        ConfigKey::EnvRef(name) => {
            let found = from_env_var(name, ctx.env);
            if found.is_none() {
                if let Some(w) = warnings {
                    w.push(Diagnostic::warning(ctx.path, format!("{} points at ${name}, which is not set", ctx.path)));
                }
            }
            found
        }
        ConfigKey::Marker(m) => Some(ResolvedAuth::key(AuthSource::Config, m.clone(), None, None)),
        ConfigKey::Literal(s) if s.contains("${") => None,
        ConfigKey::Literal(s) => Some(ResolvedAuth::key(AuthSource::Config, s.clone(), None, None)),
        ConfigKey::Managed => Some(ResolvedAuth::managed(AuthSource::Config, None)),
        ConfigKey::Profile(_) => bound.and_then(|p| from_profile(p, ctx.env)),
    }
}

fn from_profile(p: &Profile, env: &StrMap) -> Option<ResolvedAuth> {
    let id = Some(p.id.clone());
    match secret::resolve(p.secret.as_ref()?, env) {
        Resolved::Value { value, env_var } => Some(ResolvedAuth::key(AuthSource::Profile, value, env_var, id)),
        Resolved::Unset(_) => None,
        Resolved::Unavailable(_) => Some(ResolvedAuth::managed(AuthSource::Profile, id)),
    }
}

/// The first profile that yields a key; `usable_only` skips keys this runtime cannot read.
fn first_profile(ctx: &AuthContext, usable_only: bool) -> Option<ResolvedAuth> {
    ctx.profiles.ordered.iter().filter_map(|p| from_profile(p, ctx.env)).find(|a| !usable_only || a.secret.is_some())
}

/// §4.1: env, then config, then profiles.
fn discovery_time(ctx: &AuthContext, bound: Option<&Profile>, warnings: &mut Vec<Diagnostic>) -> ResolvedAuth {
    for p in &ctx.profiles.ordered {
        if let Some(s) = &p.secret {
            if let Some(w) = secret::unusable_warning(&p.path, &secret::resolve(s, ctx.env)) {
                warnings.push(w);
            }
        }
    }
    if matches!(ctx.config_key, ConfigKey::Managed) {
        warnings.push(Diagnostic::warning(
            ctx.path,
            format!("{} is a file/exec/store SecretRef, which this runtime cannot read (OpenClaw's gateway materialises it); pass the key through env with {{ source: \"env\", id: \"…\" }} instead", ctx.path),
        ));
    }
    from_env_var(API_KEY_ENV, ctx.env)
        .or_else(|| from_config(ctx, bound, Some(warnings)))
        .or_else(|| first_profile(ctx, false))
        .unwrap_or_else(ResolvedAuth::none)
}

/// §4.2 steps 4–11 (the synthetic local key, step 13, needs the provider's URL and rows).
fn request_time(ctx: &AuthContext, bound: Option<&Profile>) -> ResolvedAuth {
    if let (ConfigKey::Profile(_), Some(p)) = (ctx.config_key, bound) {
        if let Some(a) = from_profile(p, ctx.env) {
            return a;
        }
    }
    let config = from_config(ctx, bound, None);
    let config_usable = config.clone().filter(|a| a.secret.is_some());
    if ctx.auth_mode == Some("api-key") {
        if let Some(a) = config_usable.clone() {
            return a;
        }
    }
    if let (ConfigKey::Marker(_), Some(a)) = (ctx.config_key, config.clone()) {
        return a;
    }
    let env = from_env_var(API_KEY_ENV, ctx.env);
    if let Some(a) = env.clone().filter(ResolvedAuth::is_marker) {
        return a;
    }
    first_profile(ctx, true).or(env).or(config_usable).unwrap_or_else(ResolvedAuth::none)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::SecretRef;
    use crate::config::profiles::ProfileKind;

    fn env(pairs: &[(&str, &str)]) -> StrMap {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn lit(s: &str) -> SecretInput {
        SecretInput::Literal(s.to_string())
    }

    fn profile(id: &str, key: &str) -> Profile {
        Profile { id: id.into(), kind: ProfileKind::ApiKey, secret: Some(lit(key)), path: "authProfiles".into() }
    }

    fn both(key: ConfigKey, env_pairs: &[(&str, &str)], profiles: Vec<Profile>, mode: Option<&str>) -> (ResolvedAuth, ResolvedAuth) {
        let e = env(env_pairs);
        let p = Profiles { ordered: profiles, oauth_ids: vec![] };
        resolve(&AuthContext { config_key: &key, path: "p", env: &e, profiles: &p, auth_mode: mode }, &mut vec![])
    }

    #[test]
    fn classify_reads_env_refs_pointers_markers_bindings_and_literals() {
        let p = Profiles { ordered: vec![profile("vllm:work", "k")], oauth_ids: vec![] };
        let c = |raw: &str, sub: &str| ConfigKey::classify(Some(&lit(raw)), Some(&lit(sub)), &p);
        assert_eq!(c("${MY_KEY}", "v"), ConfigKey::EnvRef("MY_KEY".into()));
        assert_eq!(c("VLLM_API_KEY", "VLLM_API_KEY"), ConfigKey::EnvRef("VLLM_API_KEY".into()));
        assert_eq!(c("custom-local", "custom-local"), ConfigKey::Marker("custom-local".into()));
        assert_eq!(c("vllm:work", "vllm:work"), ConfigKey::Profile("vllm:work".into()));
        assert_eq!(c("sk-1", "sk-1"), ConfigKey::Literal("sk-1".into()));
        assert_eq!(c(" ", " "), ConfigKey::Absent);
        let file = SecretInput::Ref(SecretRef { source: secret::RefSource::File, id: "/k".into() });
        assert_eq!(ConfigKey::classify(Some(&file), Some(&file), &p), ConfigKey::Managed);
    }

    #[test]
    fn discovery_time_prefers_env_request_time_prefers_profiles() {
        let (d, r) = both(ConfigKey::Absent, &[("VLLM_API_KEY", "from-env")], vec![profile("vllm:default", "from-profile")], None);
        assert_eq!((d.source, d.secret.as_deref()), (AuthSource::Env, Some("from-env")));
        assert_eq!((r.source, r.secret.as_deref(), r.profile_id.as_deref()), (AuthSource::Profile, Some("from-profile"), Some("vllm:default")));
    }

    #[test]
    fn env_beats_a_config_literal_at_request_time_unless_auth_is_api_key() {
        let (_, r) = both(ConfigKey::Literal("cfg".into()), &[("VLLM_API_KEY", "env")], vec![], None);
        assert_eq!(r.secret.as_deref(), Some("env"));
        let (_, r) = both(ConfigKey::Literal("cfg".into()), &[("VLLM_API_KEY", "env")], vec![], Some("api-key"));
        assert_eq!(r.secret.as_deref(), Some("cfg"));
    }

    #[test]
    fn markers_resolve_but_are_never_sent() {
        let (d, r) = both(ConfigKey::Marker("custom-local".into()), &[("VLLM_API_KEY", "real")], vec![profile("vllm:default", "p")], None);
        assert_eq!(d.secret.as_deref(), Some("real"), "discovery reads env first");
        assert!(r.is_marker() && r.local_no_auth && r.source == AuthSource::Config);
        let (d, r) = both(ConfigKey::EnvRef("VLLM_API_KEY".into()), &[("VLLM_API_KEY", "custom-local")], vec![], None);
        assert!(d.is_marker() && r.is_marker());
    }

    #[test]
    fn env_name_pointer_without_the_variable_resolves_nothing() {
        let mut w = vec![];
        let e = env(&[]);
        let p = Profiles::default();
        let key = ConfigKey::EnvRef("VLLM_API_KEY".into());
        let (d, r) = resolve(&AuthContext { config_key: &key, path: "p", env: &e, profiles: &p, auth_mode: None }, &mut w);
        assert!(!d.has_key && !r.has_key);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn per_entry_binding_uses_that_profile() {
        let (d, r) = both(ConfigKey::Profile("vllm:b".into()), &[("VLLM_API_KEY", "env")], vec![profile("vllm:a", "a"), profile("vllm:b", "b")], None);
        assert_eq!(r.secret.as_deref(), Some("b"));
        assert_eq!(d.secret.as_deref(), Some("env"));
    }

    #[test]
    fn request_time_skips_profiles_it_cannot_read() {
        let managed = Profile {
            id: "vllm:vault".into(),
            kind: ProfileKind::ApiKey,
            secret: Some(SecretInput::Ref(SecretRef { source: secret::RefSource::File, id: "/k".into() })),
            path: "p".into(),
        };
        let (d, r) = both(ConfigKey::Absent, &[], vec![managed, profile("vllm:default", "usable")], None);
        assert_eq!(d.profile_id.as_deref(), Some("vllm:vault"), "discovery-time takes the first profile, as OpenClaw");
        assert_eq!(r.secret.as_deref(), Some("usable"));
    }

    #[test]
    fn a_profile_like_literal_without_that_profile_is_a_key() {
        let p = Profiles::default();
        assert_eq!(ConfigKey::classify(Some(&lit("vllm:x")), Some(&lit("vllm:x")), &p), ConfigKey::Literal("vllm:x".into()));
    }

    #[test]
    fn managed_refs_register_without_a_usable_key() {
        let (d, r) = both(ConfigKey::Managed, &[], vec![], None);
        assert!(d.has_key && d.secret.is_none());
        assert!(!r.has_key, "nothing to send: the request-time resolver falls through");
    }
}
