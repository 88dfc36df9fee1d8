//! Base URL mistakes people make with vLLM, each with the URL that would work.

use crate::hints;
use crate::url::BaseUrl;

/// One mistake found in a base URL.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlIssue {
    /// What is wrong, in a sentence.
    pub problem: &'static str,
    /// What to do, naming the corrected URL.
    pub fix: String,
}

/// The base URL with every mistake [`lint`] knows corrected (what the `/health` probe aims at, too).
pub fn corrected(base: &BaseUrl, in_container: bool) -> BaseUrl {
    let mut fixed = base.clone();
    let mut path = base.path.clone();
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    for tail in ["/chat/completions", "/completions", "/models"] {
        if let Some(p) = path.strip_suffix(tail) {
            path = p.to_string();
        }
    }
    while let Some(p) = path.strip_suffix("/v1/v1") {
        path = format!("{p}/v1");
    }
    if !path.ends_with("/v1") && !path.contains("/v1/") {
        path.push_str("/v1");
    }
    fixed.path = path;
    if fixed.host == "0.0.0.0" || fixed.host == "[::]" {
        fixed.host = "127.0.0.1".to_string();
    }
    if in_container && is_loopback(&fixed.host) {
        fixed.host = "host.docker.internal".to_string();
    }
    fixed
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// Finds the mistakes in a base URL. `in_container`: the caller runs inside a container, where
/// `localhost` is not the host.
pub fn lint(base: &BaseUrl, in_container: bool) -> Vec<UrlIssue> {
    let suggested = corrected(base, in_container).endpoint("");
    let path = base.path.as_str();
    let mut out = Vec::new();
    let mut push = |problem: &'static str, fix: String| out.push(UrlIssue { problem, fix });
    if path.contains("//") {
        push("the path has an empty segment (//)", hints::url_double_slash(&suggested));
    }
    if path.ends_with("/chat/completions") || path.ends_with("/completions") || path.ends_with("/models") {
        push("an endpoint URL was given as the base URL", hints::url_endpoint_pasted(&suggested));
    } else if path.contains("/v1/v1") {
        push("the path repeats /v1", hints::url_double_v1(&suggested));
    } else if !path.split('/').any(|seg| seg == "v1") {
        push("the path lacks vLLM's /v1 prefix", hints::url_missing_v1(&suggested));
    }
    if base.host == "0.0.0.0" || base.host == "[::]" {
        push("0.0.0.0 is a listen address", hints::url_unspecified_host(&suggested));
    }
    if in_container && is_loopback(&base.host) {
        push("localhost inside a container is the container", hints::url_localhost_in_container(&suggested));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(url: &str, in_container: bool) -> (Vec<&'static str>, String) {
        let base = BaseUrl::parse(url).unwrap();
        let found = lint(&base, in_container);
        (found.iter().map(|i| i.problem).collect(), found.first().map(|i| i.fix.clone()).unwrap_or_default())
    }

    #[test]
    fn a_correct_url_has_no_issue() {
        assert!(issues("http://127.0.0.1:8000/v1", false).0.is_empty());
        assert!(issues("https://gw.example/openai/v1", false).0.is_empty());
    }

    #[test]
    fn missing_v1_names_the_url_with_it() {
        let (p, fix) = issues("http://127.0.0.1:8000", false);
        assert_eq!(p, ["the path lacks vLLM's /v1 prefix"]);
        assert!(fix.contains("http://127.0.0.1:8000/v1"), "{fix}");
    }

    #[test]
    fn doubled_v1_and_double_slash_are_found() {
        let (p, fix) = issues("http://h:8000/v1/v1", false);
        assert_eq!(p, ["the path repeats /v1"]);
        assert!(fix.ends_with("use http://h:8000/v1."), "{fix}");
        let (p, fix) = issues("http://h:8000//v1", false);
        assert_eq!(p, ["the path has an empty segment (//)"]);
        assert!(fix.contains("http://h:8000/v1."), "{fix}");
    }

    #[test]
    fn a_pasted_endpoint_is_cut_back_to_the_root() {
        let (p, fix) = issues("http://h:8000/v1/chat/completions", false);
        assert_eq!(p, ["an endpoint URL was given as the base URL"]);
        assert!(fix.contains("use http://h:8000/v1."), "{fix}");
    }

    #[test]
    fn listen_address_and_container_localhost() {
        let (p, fix) = issues("http://0.0.0.0:8000/v1", false);
        assert_eq!(p, ["0.0.0.0 is a listen address"]);
        assert!(fix.contains("http://127.0.0.1:8000/v1"));
        assert!(issues("http://localhost:8000/v1", false).0.is_empty());
        let (p, fix) = issues("http://localhost:8000/v1", true);
        assert_eq!(p, ["localhost inside a container is the container"]);
        assert!(fix.contains("http://host.docker.internal:8000/v1"), "{fix}");
    }
}
