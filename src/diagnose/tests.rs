//! The diagnosis protocol fed with recorded vLLM answers.
// The helpers build the core's own `Outcome` (a transport failure is about as large as a response).
#![allow(clippy::result_large_err)]

use super::*;
use crate::config::{resolve, ConfigInput, ResolveInput};
use crate::transport::FailureKind;

const CANARY: &str = "sk-canary-7f3e9a1c";
const BASE: &str = "http://127.0.0.1:8000/v1";

fn provider(base: &str, key: Option<&str>, config: Option<&str>) -> Provider {
    let mut input = ResolveInput { base_url: Some(base.to_string()), ..Default::default() };
    if let Some(k) = key {
        input.env.insert("VLLM_API_KEY".into(), k.into());
    }
    input.config = config.map(|c| ConfigInput::Text(c.to_string()));
    resolve(&input).unwrap()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/vllm/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn resp(status: u16, body: &str) -> Outcome {
    Ok(HttpResponse { status, body: body.as_bytes().to_vec(), ..Default::default() })
}

fn refused(url: &str) -> Outcome {
    Err(TransportFailure {
        kind: FailureKind::Network,
        name: "TypeError".into(),
        message: "fetch failed".into(),
        cause_code: Some("ECONNREFUSED".into()),
        cause_message: Some("connect ECONNREFUSED 127.0.0.1:8000".into()),
        page_origin: None,
        url: url.into(),
        timeout_ms: Some(5000),
        probe_reachable: None,
        health_readable: None,
        sent_authorization: false,
        rejected: true,
    })
}

/// A server that answers each probe with the given outcome; returns the report and the URLs asked.
fn run(p: &Provider, opts: DiagnoseOptions, mut answer: impl FnMut(Probe, &HttpRequest) -> Outcome) -> (DiagnosisReport, Vec<String>) {
    let mut d = Diagnosis::new(p, opts);
    let mut asked = Vec::new();
    while let Some((probe, req)) = d.next_request() {
        assert!(asked.len() < 10, "the plan must end");
        asked.push(format!("{} {}", req.method, req.url));
        let outcome = answer(probe, &req);
        d.record(probe, outcome, 3);
    }
    (d.report(), asked)
}

fn vllm(models: &'static str) -> impl FnMut(Probe, &HttpRequest) -> Outcome {
    move |probe, _| match probe {
        Probe::Health => resp(200, ""),
        Probe::Version => resp(200, r#"{"version":"0.32.0"}"#),
        Probe::Models => resp(200, models),
        Probe::Chat => resp(200, &fixture("v0.33.0/chat_completion_plain.json")),
    }
}

fn status_of<'r>(r: &'r DiagnosisReport, id: &str) -> &'r Check {
    r.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}"))
}

fn assert_no_canary(r: &DiagnosisReport) {
    let json = serde_json::to_string(r).unwrap();
    assert!(!json.contains(CANARY), "{json}");
}

const TINY: &str = r#"{"object":"list","data":[{"id":"tiny-model","object":"model","root":"/models/tiny","parent":null,"max_model_len":512}]}"#;

#[test]
fn a_healthy_server_with_the_right_key_passes_every_check() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { model: Some("vllm/tiny-model".into()), ..Default::default() };
    let (r, asked) = run(&p, opts, vllm(TINY));
    assert_eq!(asked, ["GET http://127.0.0.1:8000/health", "GET http://127.0.0.1:8000/version", "GET http://127.0.0.1:8000/v1/models"]);
    assert!(r.ok, "{r:#?}");
    let ids: Vec<&str> = r.checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["config", "base-url", "reachable", "health", "auth", "models", "version", "model", "chat", "cors"]);
    assert_eq!(status_of(&r, "model").status, CheckStatus::Pass);
    assert_eq!(status_of(&r, "chat").status, CheckStatus::Skip);
    assert_eq!(status_of(&r, "cors").status, CheckStatus::Skip);
    assert_eq!(status_of(&r, "reachable").duration_ms, Some(3));
    let server = r.server.as_ref().unwrap();
    assert_eq!(server.version.as_deref(), Some("0.32.0"));
    assert_eq!(server.max_model_len, [("tiny-model".to_string(), 512)]);
    assert_no_canary(&r);
}

#[test]
fn the_health_and_version_probes_carry_no_key() {
    let p = provider(BASE, Some(CANARY), None);
    run(&p, DiagnoseOptions::default(), |probe, req| {
        let has_auth = req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        assert_eq!(has_auth, probe == Probe::Models || probe == Probe::Chat, "{probe:?}");
        vllm(TINY)(probe, req)
    });
}

#[test]
fn nothing_listening_fails_reachable_with_the_curl_hint_and_stops() {
    let p = provider(BASE, Some(CANARY), None);
    let (r, asked) = run(&p, DiagnoseOptions::default(), |_, req| refused(&req.url));
    assert_eq!(asked.len(), 1);
    assert!(!r.ok);
    let c = status_of(&r, "reachable");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.detail.contains("connection refused"), "{}", c.detail);
    assert!(c.hint.as_ref().unwrap().contains("curl http://127.0.0.1:8000/v1/models"));
    for id in ["health", "auth", "models", "version", "model"] {
        assert_eq!(status_of(&r, id).status, CheckStatus::Skip, "{id}");
    }
}

#[test]
fn a_wrong_key_fails_auth_while_health_passes() {
    let p = provider(BASE, Some(CANARY), None);
    let (r, _) = run(&p, DiagnoseOptions::default(), |probe, req| match probe {
        Probe::Models => resp(401, &fixture("v0.33.0/error_401_unauthorized.json")),
        _ => vllm(TINY)(probe, req),
    });
    assert!(!r.ok);
    assert_eq!(status_of(&r, "health").status, CheckStatus::Pass);
    let c = status_of(&r, "auth");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.detail.contains("refused the key"), "{}", c.detail);
    assert!(c.hint.as_ref().unwrap().contains("VLLM_API_KEY"));
    assert_eq!(status_of(&r, "models").status, CheckStatus::Skip);
    assert_no_canary(&r);
}

#[test]
fn no_key_against_a_guarded_server_says_none_was_sent() {
    let config = r#"{ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", models: [{ id: "tiny-model", name: "t" }] } } } }"#;
    let p = provider(BASE, None, Some(config));
    let (r, _) = run(&p, DiagnoseOptions::default(), |probe, req| match probe {
        Probe::Models => resp(401, r#"{"error":"Unauthorized"}"#),
        _ => vllm(TINY)(probe, req),
    });
    assert!(status_of(&r, "auth").detail.contains("none was sent"));
}

#[test]
fn a_base_url_without_v1_fails_models_and_base_url_with_the_corrected_url() {
    let p = provider("http://127.0.0.1:8000", Some(CANARY), None);
    let (r, asked) = run(&p, DiagnoseOptions::default(), |probe, req| match probe {
        Probe::Models => resp(404, &fixture("v0.33.0/error_404_unknown_route.json")),
        _ => vllm(TINY)(probe, req),
    });
    assert_eq!(asked[0], "GET http://127.0.0.1:8000/health");
    assert!(!r.ok);
    let b = status_of(&r, "base-url");
    assert_eq!(b.status, CheckStatus::Fail);
    assert!(b.hint.as_ref().unwrap().contains("http://127.0.0.1:8000/v1"));
    let m = status_of(&r, "models");
    assert_eq!(m.status, CheckStatus::Fail);
    assert_eq!(m.detail, "404 Not Found");
    assert!(m.hint.as_ref().unwrap().contains("http://127.0.0.1:8000/v1"));
    assert_eq!(status_of(&r, "auth").status, CheckStatus::Skip);
}

#[test]
fn an_unknown_model_fails_with_the_closest_served_name() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { model: Some("vllm/tiny-modle".into()), probe_chat: true, ..Default::default() };
    let (r, asked) = run(&p, opts, vllm(TINY));
    assert_eq!(asked.len(), 3, "no chat probe for a model that is not served");
    let c = status_of(&r, "model");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.hint.as_ref().unwrap().contains("did you mean `tiny-model`"), "{:?}", c.hint);
    assert_eq!(status_of(&r, "chat").status, CheckStatus::Skip);
}

#[test]
fn the_root_of_a_served_model_points_at_its_alias() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { model: Some("Qwen/Qwen3-8B".into()), ..Default::default() };
    let body: &'static str = Box::leak(fixture("v0.33.0/models_list_with_lora.json").into_boxed_str());
    let (r, _) = run(&p, opts, vllm(body));
    assert!(status_of(&r, "model").hint.as_ref().unwrap().contains("did you mean `qwen3-8b`"));
}

#[test]
fn the_chat_probe_sends_one_token_and_classifies_the_answer() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { model: Some("tiny-model".into()), probe_chat: true, ..Default::default() };
    let (r, asked) = run(&p, opts.clone(), |probe, req| {
        if probe == Probe::Chat {
            let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
            assert_eq!(body, serde_json::json!({"model":"tiny-model","messages":[{"role":"user","content":"hi"}],"max_tokens":1}));
            assert_eq!(req.body.as_deref(), Some(r#"{"model":"tiny-model","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"#), "key order as sent");
            assert_eq!(req.method, "POST");
        }
        vllm(TINY)(probe, req)
    });
    assert_eq!(asked.last().unwrap(), "POST http://127.0.0.1:8000/v1/chat/completions");
    assert_eq!(status_of(&r, "chat").status, CheckStatus::Pass);
    let (r, _) = run(&p, opts, |probe, req| match probe {
        Probe::Chat => resp(503, &fixture("v0.33.0/error_503_queue_full.json")),
        _ => vllm(TINY)(probe, req),
    });
    let c = status_of(&r, "chat");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.detail.starts_with("503 The engine is currently busy"));
}

#[test]
fn thinking_tags_in_the_probe_answer_ask_for_a_reasoning_parser() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { model: Some("tiny-model".into()), probe_chat: true, ..Default::default() };
    let (r, _) = run(&p, opts, |probe, req| match probe {
        Probe::Chat => resp(200, r#"{"choices":[{"message":{"content":"<think>"}}]}"#),
        _ => vllm(TINY)(probe, req),
    });
    let c = status_of(&r, "chat");
    assert_eq!(c.status, CheckStatus::Warn);
    assert!(c.hint.as_ref().unwrap().contains("--reasoning-parser"));
}

#[test]
fn a_dead_engine_fails_health() {
    let p = provider(BASE, Some(CANARY), None);
    let (r, _) = run(&p, DiagnoseOptions::default(), |probe, req| match probe {
        Probe::Health => resp(503, ""),
        _ => vllm(TINY)(probe, req),
    });
    assert_eq!(status_of(&r, "health").status, CheckStatus::Fail);
}

#[test]
fn an_empty_model_list_fails_with_the_discovery_hint() {
    let p = provider(BASE, Some(CANARY), None);
    let (r, _) = run(&p, DiagnoseOptions::default(), vllm(r#"{"object":"list","data":[]}"#));
    let c = status_of(&r, "models");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.hint.as_ref().unwrap().contains("Discovery requires VLLM_API_KEY"));
}

#[test]
fn an_unregistered_provider_fails_config_but_still_probes() {
    let p = provider(BASE, None, None);
    let (r, asked) = run(&p, DiagnoseOptions::default(), vllm(TINY));
    assert_eq!(status_of(&r, "config").status, CheckStatus::Fail);
    assert!(status_of(&r, "config").hint.as_ref().unwrap().contains("VLLM_API_KEY"));
    assert_eq!(asked.len(), 3);
}

#[test]
fn a_context_window_above_max_model_len_warns() {
    let config = r#"{ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "sk-canary-7f3e9a1c", models: [{ id: "tiny-model", name: "t", contextWindow: 4096 }] } } } }"#;
    let p = provider(BASE, None, Some(config));
    let (r, _) = run(&p, DiagnoseOptions::default(), vllm(TINY));
    let c = status_of(&r, "model");
    assert_eq!(c.status, CheckStatus::Warn, "{c:?}");
    assert!(c.hint.as_ref().unwrap().contains("Set contextWindow of tiny-model to 512"));
    assert_no_canary(&r);
}

#[test]
fn a_canary_key_from_config_and_headers_never_reaches_the_report() {
    let config = r#"{ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "sk-canary-7f3e9a1c", headers: { "X-Api-Key": "sk-canary-7f3e9a1c" }, models: [{ id: "tiny-model", name: "t" }] } } } }"#;
    let p = provider(BASE, None, Some(config));
    // A server (or proxy) that echoes the key back in every answer.
    let echo = format!(r#"{{"error":{{"message":"bad key {CANARY} Bearer {CANARY}","type":"BadRequestError","code":400}}}}"#);
    let (r, _) = run(&p, DiagnoseOptions { probe_chat: true, ..Default::default() }, |probe, req| match probe {
        Probe::Models => resp(200, &TINY.replace("tiny-model\",\"object", &format!("tiny-model\",\"note\":\"{CANARY}\",\"object"))),
        Probe::Chat => resp(400, &echo),
        Probe::Version => resp(200, &format!(r#"{{"version":"{CANARY}"}}"#)),
        _ => vllm(TINY)(probe, req),
    });
    assert_eq!(status_of(&r, "chat").status, CheckStatus::Fail);
    assert_no_canary(&r);
    let (r, _) = run(&p, DiagnoseOptions::default(), |_, req| refused(&format!("{}?key={CANARY}", req.url)));
    assert_no_canary(&r);
}

#[test]
fn a_browser_page_on_another_origin_reports_cors() {
    let p = provider(BASE, Some(CANARY), None);
    let opts = DiagnoseOptions { page_origin: Some("http://127.0.0.1:5173".into()), ..Default::default() };
    let (r, asked) = run(&p, opts.clone(), |_, req| {
        let mut f = refused(&req.url).unwrap_err();
        f.cause_code = None;
        f.cause_message = None;
        f.message = "Failed to fetch".into();
        f.page_origin = Some("http://127.0.0.1:5173".into());
        f.probe_reachable = Some(true);
        f.health_readable = Some(false);
        Err(f)
    });
    assert!(asked.len() > 1, "the server is known to be up");
    assert_eq!(status_of(&r, "reachable").status, CheckStatus::Pass);
    let c = status_of(&r, "cors");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.hint.as_ref().unwrap().contains("--allowed-origins"));
    let (r, _) = run(&p, opts, vllm(TINY));
    assert_eq!(status_of(&r, "cors").status, CheckStatus::Pass);
}

#[test]
fn report_serializes_as_the_contract_spells_it() {
    let p = provider(BASE, Some(CANARY), None);
    let (r, _) = run(&p, DiagnoseOptions::default(), vllm(TINY));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["checks"][2]["id"], "reachable");
    assert_eq!(v["checks"][2]["status"], "pass");
    assert_eq!(v["checks"][2]["durationMs"], 3);
    assert_eq!(v["server"]["maxModelLen"]["tiny-model"], 512);
}

#[test]
fn localhost_in_a_container_is_advised_only_when_nothing_answers() {
    let p = provider("http://localhost:8000/v1", Some(CANARY), None);
    let opts = DiagnoseOptions { in_container: true, ..Default::default() };
    let (r, _) = run(&p, opts.clone(), vllm(TINY));
    assert_eq!(status_of(&r, "base-url").status, CheckStatus::Pass);
    let (r, _) = run(&p, opts, |_, req| refused(&req.url));
    let hint = status_of(&r, "reachable").hint.clone().unwrap();
    assert!(hint.contains("http://host.docker.internal:8000/v1"), "{hint}");
    assert!(hint.contains("curl"), "{hint}");
}

#[test]
fn a_listen_address_warns_in_base_url_and_explains_reachable() {
    let p = provider("http://0.0.0.0:8000/v1", Some(CANARY), None);
    let (r, asked) = run(&p, DiagnoseOptions::default(), |_, req| refused(&req.url));
    assert_eq!(asked, ["GET http://0.0.0.0:8000/health"]);
    assert_eq!(status_of(&r, "base-url").status, CheckStatus::Warn);
    assert!(status_of(&r, "reachable").hint.as_ref().unwrap().contains("http://127.0.0.1:8000/v1"));
}

#[test]
fn a_redirect_to_another_origin_is_a_failed_check_naming_it_on_every_probe() {
    let p = provider(BASE, Some(CANARY), None);
    let other = "http://other.example:9000";
    for redirected in [Probe::Health, Probe::Version, Probe::Models, Probe::Chat] {
        let opts = DiagnoseOptions { model: Some("vllm/tiny-model".into()), probe_chat: true, ..Default::default() };
        let (r, _) = run(&p, opts, |probe, req| {
            if probe != redirected {
                return vllm(r#"{"object":"list","data":[{"id":"tiny-model","object":"model","max_model_len":512}]}"#)(probe, req);
            }
            let to = format!("{other}/elsewhere");
            Err(TransportFailure::new(FailureKind::Redirect(crate::redirect::Refusal::CrossOrigin { status: 307, to }), req))
        });
        let named = r.checks.iter().filter(|c| c.status == CheckStatus::Fail || c.status == CheckStatus::Warn).any(|c| c.detail.contains(other));
        assert!(named, "{redirected:?}: {:?}", r.checks);
        assert!(!format!("{r:?}").contains(CANARY));
    }
}
