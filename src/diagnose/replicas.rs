//! One report for several servers: each replica's checks, named, after a summary of which answer.

use super::{Check, CheckStatus, DiagnosisReport};

/// Merges the reports of one diagnosis per replica (`(shown base URL, report)`, in the order of
/// `describe().replicas`, the base URL first) into one. A single report is returned unchanged.
/// Otherwise: the `config` check once, a `replicas` check saying which replicas answer, then every
/// replica's own checks with `replica` set and the detail starting with its base URL. `ok` is false
/// when any check failed (a replica that does not answer included); `server` is the first replica's
/// that said anything about itself.
pub fn merge_replica_reports(reports: Vec<(String, DiagnosisReport)>) -> DiagnosisReport {
    if reports.len() == 1 {
        return reports.into_iter().next().map(|(_, r)| r).unwrap_or(DiagnosisReport { ok: false, checks: Vec::new(), server: None });
    }
    let answering: Vec<&str> = reports
        .iter()
        .filter(|(_, r)| r.checks.iter().any(|c| c.id == "reachable" && matches!(c.status, CheckStatus::Pass | CheckStatus::Warn)))
        .map(|(url, _)| url.as_str())
        .collect();
    let silent: Vec<&str> = reports.iter().map(|(url, _)| url.as_str()).filter(|url| !answering.contains(url)).collect();
    let n = reports.len();
    let (status, detail) = match (answering.len(), silent.is_empty()) {
        (_, true) => (CheckStatus::Pass, format!("all {n} servers answer: {}", crate::join::join(&answering, ", "))),
        (0, _) => (CheckStatus::Fail, format!("none of the {n} servers answers: {}", crate::join::join(&silent, ", "))),
        (k, _) => (CheckStatus::Warn, format!("{k} of {n} servers answer; calls skip {} while it does not", crate::join::join(&silent, ", "))),
    };
    let summary = Check {
        id: "replicas",
        status,
        title: "Replicas",
        detail,
        hint: (status != CheckStatus::Pass)
            .then(|| "Start the servers that do not answer (each replica's checks below say why), or remove them from baseUrls.".to_string()),
        duration_ms: None,
        replica: None,
    };
    let mut checks = Vec::new();
    let mut server = None;
    for (n, (url, report)) in reports.into_iter().enumerate() {
        for mut c in report.checks {
            if c.id == "config" {
                if n == 0 {
                    checks.push(c);
                    checks.push(summary.clone());
                }
                continue;
            }
            c.detail = format!("{url}: {}", c.detail);
            c.replica = Some(url.clone());
            checks.push(c);
        }
        server = server.or(report.server);
    }
    DiagnosisReport { ok: checks.iter().all(|c| c.status != CheckStatus::Fail), checks, server }
}

#[cfg(test)]
mod tests {
    use super::super::{Diagnosis, DiagnoseOptions, Probe};
    use super::*;
    use crate::config::{resolve, ResolveInput};
    use crate::http::HttpResponse;

    const MODELS: &str = r#"{"object":"list","data":[{"id":"tiny-model","object":"model","root":"tiny-model","parent":null,"max_model_len":512}]}"#;

    /// Diagnoses every replica of a provider with `baseUrls`; replicas listed in `down` refuse
    /// every connection, the others answer like vLLM 0.32.
    fn diagnose_all(down: &[usize]) -> DiagnosisReport {
        let input = ResolveInput {
            base_url: Some("http://10.0.0.1:8000/v1".into()),
            base_urls: Some(serde_json::json!(["http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1"])),
            env: [("VLLM_API_KEY".to_string(), "sk-diag-replicas".to_string())].into(),
            ..Default::default()
        };
        let p = resolve(&input).unwrap();
        let n = p.replica_set().borrow().len();
        let mut reports = Vec::new();
        for i in 0..n {
            let replica = p.replica(i);
            let mut d = Diagnosis::new(&replica, DiagnoseOptions { model: Some("vllm/tiny-model".into()), ..Default::default() });
            while let Some((probe, req)) = d.next_request() {
                assert!(req.url.starts_with(&replica.describe().base_url[..20]), "{} asked of replica {i}", req.url);
                let outcome = if down.contains(&i) {
                    Err(crate::replicas::tests::refused(&req.url))
                } else {
                    let body = match probe {
                        Probe::Models => MODELS,
                        Probe::Version => r#"{"version":"0.32.0"}"#,
                        _ => "",
                    };
                    Ok(HttpResponse { status: 200, body: body.into(), ..Default::default() })
                };
                d.record(probe, outcome, 2);
            }
            reports.push((p.replica_set().borrow().replica(i).shown.clone(), d.report()));
        }
        merge_replica_reports(reports)
    }

    fn of<'r>(r: &'r DiagnosisReport, id: &str, replica: Option<&str>) -> &'r Check {
        r.checks.iter().find(|c| c.id == id && c.replica.as_deref() == replica).unwrap_or_else(|| panic!("no {id} for {replica:?}"))
    }

    #[test]
    fn every_replica_is_checked_and_named() {
        let r = diagnose_all(&[]);
        assert!(r.ok);
        assert_eq!(r.checks.iter().filter(|c| c.id == "config").count(), 1);
        assert_eq!(r.checks[1].id, "replicas");
        assert_eq!(r.checks[1].detail, "all 3 servers answer: http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1, http://10.0.0.3:8000/v1");
        for url in ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1"] {
            let c = of(&r, "reachable", Some(url));
            assert_eq!(c.status, CheckStatus::Pass);
            assert!(c.detail.starts_with(&format!("{url}: ")), "{}", c.detail);
            assert_eq!(of(&r, "model", Some(url)).status, CheckStatus::Pass);
        }
        assert_eq!(r.server.as_ref().unwrap().version.as_deref(), Some("0.32.0"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["checks"][2]["replica"], "http://10.0.0.1:8000/v1");
        assert!(json["checks"][0].get("replica").is_none());
        assert!(!json.to_string().contains("sk-diag-replicas"));
    }

    #[test]
    fn a_replica_that_does_not_answer_is_named_and_fails_the_report() {
        let r = diagnose_all(&[1]);
        assert!(!r.ok);
        let summary = of(&r, "replicas", None);
        assert_eq!(summary.status, CheckStatus::Warn);
        assert_eq!(summary.detail, "2 of 3 servers answer; calls skip http://10.0.0.2:8000/v1 while it does not");
        assert!(summary.hint.as_deref().unwrap().contains("baseUrls"));
        let c = of(&r, "reachable", Some("http://10.0.0.2:8000/v1"));
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(c.detail.contains("connection refused"), "{}", c.detail);
        assert_eq!(of(&r, "reachable", Some("http://10.0.0.3:8000/v1")).status, CheckStatus::Pass);
        let none = diagnose_all(&[0, 1, 2]);
        assert_eq!(of(&none, "replicas", None).status, CheckStatus::Fail);
        assert!(none.server.is_none());
    }

    #[test]
    fn one_server_keeps_its_report_as_it_was() {
        let r = DiagnosisReport { ok: true, checks: vec![], server: None };
        assert_eq!(merge_replica_reports(vec![("http://h/v1".into(), r.clone())]), r);
    }
}
