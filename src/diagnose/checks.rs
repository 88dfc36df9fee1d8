//! Turning what a diagnosis saw into its checks, in the order OpenClaw's troubleshooting reads.

use super::closest::{closest, Served};
use super::server::{self, ServedModel};
use super::url_lint::{self, UrlIssue};
use super::{Check, CheckStatus, CheckStatus::*, Diagnosis, DiagnosisReport, Probe, ServerInfo};
use crate::classify::classify_http;
use crate::config::Status;
use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::model_ref::parse_model_ref;
use crate::redact::redact;
use crate::transport::classify_transport;

// Not generic and not inlined: a report builds a few dozen checks, each call site stays a call.
fn check(id: &'static str, title: &'static str, status: CheckStatus, detail: impl Into<String>) -> Check {
    new_check(id, title, status, detail.into())
}

#[inline(never)]
fn new_check(id: &'static str, title: &'static str, status: CheckStatus, detail: String) -> Check {
    Check { id, status, title, detail, hint: None, duration_ms: None, replica: None }
}

impl Check {
    fn hint(self, hint: impl Into<String>) -> Self {
        self.with_hint(hint.into())
    }
    #[inline(never)]
    fn with_hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }
    #[inline(never)]
    fn took(mut self, ms: u64) -> Self {
        self.duration_ms = Some(ms);
        self
    }
    fn from_error(id: &'static str, title: &'static str, e: &ProviderError) -> Self {
        check(id, title, Fail, e.message.clone()).hint(e.hint.clone())
    }
}

/// The served rows, when `/v1/models` answered with a list.
fn served(d: &Diagnosis) -> Option<Vec<ServedModel>> {
    match d.outcome(Probe::Models) {
        Some((Ok(r), _)) if r.is_success() => server::served_models(&r.body),
        _ => None,
    }
}

/// The model to check: the option, else the first declared row.
fn wanted_model(d: &Diagnosis) -> Option<String> {
    match &d.opts.model {
        Some(m) => Some(parse_model_ref(m).map(|r| r.model).unwrap_or_else(|_| m.clone())),
        None => d.provider.describe().models.first().map(|m| m.id.clone()),
    }
}

/// The chosen model when the server serves it under exactly that id (what the chat probe needs).
pub(super) fn served_model(d: &Diagnosis) -> Option<String> {
    let wanted = wanted_model(d)?;
    served(d)?.iter().any(|m| m.id == wanted).then_some(wanted)
}

pub(super) fn report(d: &Diagnosis) -> DiagnosisReport {
    let base = &d.provider.describe().base_url;
    // Inside a container `localhost` may still be right (vLLM in the same container): that advice is
    // only given when nothing answered.
    let issues = url_lint::lint(d.provider.base(), false);
    let unreachable_issues = url_lint::lint(d.provider.base(), d.opts.in_container);
    let health = d.outcome(Probe::Health);
    let transport = |p: Probe| match d.outcome(p) {
        Some((Err(f), _)) => Some(classify_transport(f, base)),
        _ => None,
    };
    let mut checks = vec![config(d), base_url(base, &issues, models_route_missing(d))];
    checks.push(match health {
        None => check("reachable", "Server reachable", Skip, "not tried"),
        Some((Ok(r), ms)) => check("reachable", "Server reachable", Pass, format!("{} answered HTTP {}", d.fixed.origin(), r.status)).took(*ms),
        Some((Err(f), ms)) if f.probe_reachable == Some(true) => {
            check("reachable", "Server reachable", Pass, format!("{} answers (seen through a no-cors probe)", d.fixed.origin())).took(*ms)
        }
        Some((Err(_), ms)) => {
            let e = transport(Probe::Health).unwrap_or_else(|| ProviderError::new(ErrorCode::Unreachable, "", ""));
            let mut c = Check::from_error("reachable", "Server reachable", &e).took(*ms);
            // The listen address is the likely cause, so it comes first; a container is only a maybe.
            if let Some(i) = unreachable_issues.iter().find(|i| i.problem.contains("0.0.0.0")) {
                c.hint = Some(format!("{} {}", i.fix, e.hint));
            } else if let Some(i) = unreachable_issues.iter().find(|i| i.problem.contains("container")) {
                c.hint = Some(format!("{} {}", e.hint, i.fix));
            }
            c
        }
    });
    checks.push(health_check(d));
    checks.extend(auth_and_models(d, &issues));
    checks.push(version_check(d));
    checks.push(model_check(d));
    checks.push(chat_check(d));
    checks.push(cors_check(d));
    let secrets = d.provider.secrets();
    for c in &mut checks {
        c.detail = redact(&c.detail, secrets);
        c.hint = c.hint.take().map(|h| redact(&h, secrets));
    }
    let mut info = ServerInfo { version: version_of(d), ..Default::default() };
    if let Some(rows) = served(d) {
        for m in rows {
            if let Some(n) = m.max_model_len {
                info.max_model_len.push((redact(&m.id, secrets), n));
            }
            info.models.push(redact(&m.id, secrets));
        }
    }
    let server = (info.version.is_some() || served(d).is_some()).then_some(info);
    DiagnosisReport { ok: checks.iter().all(|c| c.status != Fail), checks, server }
}

fn config(d: &Diagnosis) -> Check {
    let p = d.provider.describe();
    if p.status == Status::Unregistered {
        return check("config", "Provider config", Fail, format!("The vllm provider is not registered: {}", p.discovery.reason)).hint(hints::unregistered());
    }
    let how = format!("{} provider at {}, key source: {}", if p.status == Status::Explicit { "explicit" } else { "implicit" }, p.base_url, auth_source(d));
    if p.warnings.is_empty() {
        return check("config", "Provider config", Pass, how);
    }
    let list: Vec<String> = p.warnings.iter().map(|w| if w.path.is_empty() { w.message.clone() } else { format!("{}: {}", w.path, w.message) }).collect();
    check("config", "Provider config", Warn, format!("{how}; {}", crate::join::join(&list, "; "))).hint("Fix the config entries the warnings name.")
}

fn auth_source(d: &Diagnosis) -> String {
    let a = &d.provider.describe().auth;
    let source = a.source.as_str();
    match (&a.env_var, &a.profile_id) {
        (Some(v), _) => format!("{source} ({v})"),
        (_, Some(p)) => format!("{source} ({p})"),
        _ => source.to_string(),
    }
}

/// Whether `/v1/models` got an answer that means the path is wrong (FastAPI's or a proxy's not-found).
fn models_route_missing(d: &Diagnosis) -> bool {
    match d.outcome(Probe::Models) {
        Some((Ok(r), _)) if !r.is_success() => {
            classify_http(Some(r.status), &r.text(), &r.headers, &Default::default()).code == ErrorCode::BadResponse
        }
        _ => false,
    }
}

fn base_url(base: &str, issues: &[UrlIssue], route_missing: bool) -> Check {
    if issues.is_empty() {
        return check("base-url", "Base URL", Pass, base.to_string());
    }
    let problems: Vec<&str> = issues.iter().map(|i| i.problem).collect();
    let fixes: Vec<&str> = issues.iter().map(|i| i.fix.as_str()).collect();
    // 0.0.0.0 works from Node on Linux but not from browsers or Windows: a warning, not a failure.
    let status = if route_missing { Fail } else { Warn };
    check("base-url", "Base URL", status, format!("{base}: {}", crate::join::join(&problems, "; "))).hint(crate::join::join(&fixes, " "))
}

fn health_check(d: &Diagnosis) -> Check {
    let title = "Health (/health, no auth)";
    match d.outcome(Probe::Health) {
        None => check("health", title, Skip, "not tried"),
        Some((Err(_), _)) => check("health", title, Skip, "the server did not answer (see reachable)"),
        Some((Ok(r), ms)) => {
            let url = d.fixed.server_endpoint("/health");
            let c = match r.status {
                200..=299 => check("health", title, Pass, format!("GET {url}: {}, the engine is up", r.status)),
                503 => check("health", title, Fail, format!("GET {url}: 503, the engine is not healthy")).hint(hints::server_error()),
                404 | 405 => check("health", title, Warn, format!("GET {url}: {}, no vLLM health endpoint there", r.status))
                    .hint("Something other than vLLM answers at this address (another server or a proxy that does not forward /health); check the host and port."),
                s => check("health", title, Warn, format!("GET {url}: {s}")).hint(hints::server_error()),
            };
            c.took(*ms)
        }
    }
}

fn auth_and_models(d: &Diagnosis, issues: &[UrlIssue]) -> [Check; 2] {
    let (auth_t, models_t) = ("Key accepted (/v1/models, with auth)", "Models listed");
    let sends = d.provider.describe().auth.sends_authorization;
    let base = &d.provider.describe().base_url;
    let Some((outcome, ms)) = d.outcome(Probe::Models) else {
        let why = if d.has(Probe::Health) { "the server did not answer (see reachable)" } else { "not tried" };
        return [check("auth", auth_t, Skip, why), check("models", models_t, Skip, why)];
    };
    let ms = *ms;
    match outcome {
        Err(f) => {
            let e = classify_transport(f, base);
            if e.code == ErrorCode::Auth {
                return [Check::from_error("auth", auth_t, &e).took(ms), check("models", models_t, Skip, "the key was refused (see auth)")];
            }
            [check("auth", auth_t, Skip, "/v1/models did not answer"), Check::from_error("models", models_t, &e).took(ms)]
        }
        Ok(r) if r.status == 401 || r.status == 403 => {
            let e = classify_http(Some(r.status), &r.text(), &r.headers, &d.provider.classify_context(None));
            let detail = if sends {
                format!("{}: the server refused the key sent", e.message)
            } else {
                format!("{}: the server requires a key (--api-key) and none was sent", e.message)
            };
            [check("auth", auth_t, Fail, detail).hint(e.hint.clone()).took(ms), check("models", models_t, Skip, "the key was refused (see auth)")]
        }
        Ok(r) if r.is_success() => {
            let auth = check("auth", auth_t, Pass, if sends { "the server accepted the key" } else { "the server needs no key (none sent)" }).took(ms);
            [auth, models_listed(d, r, ms)]
        }
        Ok(r) => {
            let e = classify_http(Some(r.status), &r.text(), &r.headers, &d.provider.classify_context(None));
            let mut c = Check::from_error("models", models_t, &e).took(ms);
            if let Some(i) = issues.first() {
                c.hint = Some(i.fix.clone());
            }
            [check("auth", auth_t, Skip, format!("{} did not reach vLLM's API (see models)", d.provider.base().endpoint("/models"))), c]
        }
    }
}

fn models_listed(d: &Diagnosis, r: &crate::http::HttpResponse, ms: u64) -> Check {
    let title = "Models listed";
    if let Err(e) = d.provider.parse_discovery(r) {
        return Check::from_error("models", title, &e).took(ms);
    }
    let rows = server::served_models(&r.body).unwrap_or_default();
    if rows.is_empty() {
        return check("models", title, Fail, "GET /v1/models listed no model").hint(hints::no_models()).took(ms);
    }
    let list: Vec<String> = rows
        .iter()
        .map(|m| match (m.max_model_len, &m.parent) {
            (Some(n), _) => format!("{} (max_model_len {n})", m.id),
            (None, Some(p)) => format!("{} (LoRA of {p})", m.id),
            _ => m.id.clone(),
        })
        .collect();
    let discovery = &d.provider.describe().discovery;
    let mut c = check("models", title, Pass, format!("{} served: {}", rows.len(), crate::join::join(&list, ", ")));
    if !discovery.enabled {
        c.status = Warn;
        c.detail.push_str(&format!("; listModels() will not use them: {}", discovery.reason));
        c.hint = Some(hints::no_models());
    }
    c.took(ms)
}

fn version_of(d: &Diagnosis) -> Option<String> {
    match d.outcome(Probe::Version) {
        Some((Ok(r), _)) if r.is_success() => server::version(&r.body, d.provider.secrets()),
        _ => None,
    }
}

fn version_check(d: &Diagnosis) -> Check {
    let title = "vLLM version (/version)";
    match (d.outcome(Probe::Version), version_of(d)) {
        (None, _) => check("version", title, Skip, "the server did not answer (see reachable)"),
        (Some((_, ms)), Some(v)) => check("version", title, Pass, format!("vLLM {v}")).took(*ms),
        // Nothing read at all (a refused redirect, a timeout): say why, as the other checks do.
        (Some((Err(f), ms)), None) => {
            let e = classify_transport(f, &d.provider.describe().base_url);
            Check { status: Warn, ..Check::from_error("version", title, &e) }.took(*ms)
        }
        (Some((_, ms)), None) => check("version", title, Warn, "no vLLM version at /version").hint("The server at this address may not be vLLM (or a proxy hides /version); the other checks still apply.").took(*ms),
    }
}

fn model_check(d: &Diagnosis) -> Check {
    let title = "Chosen model served";
    let Some(wanted) = wanted_model(d) else {
        return check("model", title, Skip, "no model chosen and none declared (pass a model, e.g. --model vllm/<id>)");
    };
    let Some(rows) = served(d) else {
        return check("model", title, Skip, format!("cannot check `{wanted}`: the model list is not available (see models)"));
    };
    if let Some(m) = rows.iter().find(|m| m.id == wanted) {
        let declared = d.provider.describe().models.iter().find(|x| x.id == wanted);
        if let (Some(n), Some(row)) = (m.max_model_len, declared) {
            if row.origins.context_window == crate::models::Origin::Config && row.context_window > n {
                return check("model", title, Warn, format!("`{wanted}` is served with max_model_len {n}, but contextWindow is {}", row.context_window))
                    .hint(hints::context_window_too_large(&wanted, row.context_window, n));
            }
        }
        let len = m.max_model_len.map(|n| format!(", max_model_len {n}")).unwrap_or_default();
        return check("model", title, Pass, format!("`{wanted}` is served{len}"));
    }
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let served: Vec<Served> = rows.iter().map(|m| Served { id: &m.id, root: m.root.as_deref() }).collect();
    let near = closest(&wanted, &served);
    check("model", title, Fail, format!("the server does not serve `{wanted}`")).hint(hints::unknown_model(&wanted, near, &ids))
}

fn chat_check(d: &Diagnosis) -> Check {
    let title = "One-token chat";
    if !d.opts.probe_chat {
        return check("chat", title, Skip, "not requested (probeChat: true, or --probe-chat, sends a one-token request)");
    }
    let base = &d.provider.describe().base_url;
    match d.outcome(Probe::Chat) {
        None => check("chat", title, Skip, "no served model to ask (see model)"),
        Some((Err(f), ms)) => Check::from_error("chat", title, &classify_transport(f, base)).took(*ms),
        Some((Ok(r), ms)) if r.is_success() => {
            let text = r.text();
            let c = if crate::classify::thinking_in_content(&text) {
                check("chat", title, Warn, "the model answered, with thinking tags inside its content").hint(hints::reasoning_parser())
            } else {
                check("chat", title, Pass, format!("the model answered (HTTP {})", r.status))
            };
            c.took(*ms)
        }
        Some((Ok(r), ms)) => {
            let e = classify_http(Some(r.status), &r.text(), &r.headers, &d.provider.classify_context(None));
            Check::from_error("chat", title, &e).took(*ms)
        }
    }
}

fn cors_check(d: &Diagnosis) -> Check {
    let title = "Browser access (CORS)";
    let Some(page) = d.opts.page_origin.as_deref() else {
        return check("cors", title, Skip, "not running in a browser page");
    };
    let target = d.provider.base().origin();
    if page == target {
        return check("cors", title, Pass, format!("this page is served from the server's origin {page}"));
    }
    let base = &d.provider.describe().base_url;
    for p in [Probe::Health, Probe::Models] {
        if let Some((Err(f), _)) = d.outcome(p) {
            let e = classify_transport(f, base);
            if e.code == ErrorCode::Cors {
                return Check::from_error("cors", title, &e);
            }
        }
    }
    match d.outcome(Probe::Health) {
        Some((Ok(_), _)) => check("cors", title, Pass, format!("{target} lets pages from {page} read its answers")),
        _ => check("cors", title, Skip, "the server did not answer (see reachable)"),
    }
}
