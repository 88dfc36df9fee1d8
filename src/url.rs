//! Base URLs: normalising them, joining endpoint paths, and telling local hosts from remote ones.
//!
//! A small parser of our own instead of the `url` crate: we only need scheme, host, port, path and
//! query of http(s) URLs, and the `url` crate's IDNA tables would dominate the wasm size.

/// vLLM's default OpenAI-compatible base URL, as OpenClaw uses it.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8000/v1";

/// The parts of an http(s) URL this library needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    /// `http` or `https`, lower-cased.
    pub scheme: String,
    /// Host as written, lower-cased; IPv6 keeps its brackets.
    pub host: String,
    /// Explicit port, if any.
    pub port: Option<u16>,
    /// Path without trailing slashes (`/v1`, or empty).
    pub path: String,
    /// Query string without the `?`, if any.
    pub query: Option<String>,
    /// Credentials written before the host (`user:pass` of `http://user:pass@host`), as written.
    pub userinfo: Option<String>,
}

impl BaseUrl {
    /// Parses a base URL; `None` when it is not an absolute http(s) URL with a host.
    pub fn parse(text: &str) -> Option<BaseUrl> {
        let text = text.trim();
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or("");
        let (before_query, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q.to_string())),
            None => (rest, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(i) => (&before_query[..i], &before_query[i..]),
            None => (before_query, ""),
        };
        let (userinfo, authority) = match authority.rsplit_once('@') {
            Some((info, host)) => (Some(info.to_string()), host),
            None => (None, authority),
        };
        let (host, port) = split_host_port(authority)?;
        if !valid_host(host) {
            return None;
        }
        Some(BaseUrl {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: path.trim_end_matches('/').to_string(),
            query: query.filter(|q| !q.is_empty()),
            userinfo: userinfo.filter(|u| !u.is_empty()),
        })
    }

    /// The secrets written in the URL, decoded (the redaction also catches them percent-encoded): its
    /// password (or the whole credentials when they hold no `:`), and the values of query parameters
    /// whose names look secret (`api_key`, `token`, …).
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        // With a password, the user name is not a secret (and stays readable where the URL is shown).
        if let Some(info) = &self.userinfo {
            out.push(percent_decode(info.split_once(':').map_or(info, |(_, password)| password)));
        }
        for pair in self.query.as_deref().unwrap_or("").split('&') {
            if let Some((name, value)) = pair.split_once('=') {
                if crate::redact::is_secret_name(&percent_decode(name)) {
                    out.push(percent_decode(value));
                }
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }

    /// The URL's credentials as an `Authorization: Basic …` value. `fetch` refuses a URL with
    /// credentials, so they are sent the way browsers and curl send them.
    pub fn basic_auth(&self) -> Option<String> {
        let info = percent_decode(self.userinfo.as_deref()?);
        let pair = if info.contains(':') { info } else { format!("{info}:") };
        Some(format!("Basic {}", crate::redact::base64(pair.as_bytes())))
    }

    /// `scheme://host[:port]`, the browser's notion of an origin.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) if Some(p) != default_port(&self.scheme) => format!("{}://{}:{}", self.scheme, self.host, p),
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// The endpoint URL for `suffix` (e.g. `/models`) under this base, keeping the base's query.
    pub fn endpoint(&self, suffix: &str) -> String {
        let mut url = format!("{}{}{}", self.origin(), self.path, suffix);
        if let Some(q) = &self.query {
            url.push('?');
            url.push_str(q);
        }
        url
    }

    /// The server root: the base path with a trailing `/v1` removed (where `/health` lives).
    pub fn server_endpoint(&self, suffix: &str) -> String {
        let root = self.path.strip_suffix("/v1").unwrap_or(&self.path);
        format!("{}{}{}", self.origin(), root, suffix)
    }

    /// Whether the host is this machine, a private network or a container alias, as OpenClaw's
    /// synthetic-local-key rule counts it (loopback, `0.0.0.0`, `localhost`, `*.local`, RFC 1918,
    /// Docker/OrbStack host aliases).
    pub fn is_local_host(&self) -> bool {
        is_local_host(&self.host)
    }
}

fn valid_host(host: &str) -> bool {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        None => !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(small_number(p)?),
            Some(_) | None if after.is_empty() || after == ":" => None,
            _ => return None,
        };
        return Some((host, port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() => Some((h, Some(small_number(p)?))),
        Some((h, _)) => Some((h, None)),
        None => Some((authority, None)),
    }
}

/// See [`BaseUrl::is_local_host`].
pub fn is_local_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if matches!(
        host.as_str(),
        "localhost" | "0.0.0.0" | "::1" | "::" | "host.docker.internal" | "docker.orb.internal" | "host.orb.internal"
    ) || host.ends_with(".localhost")
        || host.ends_with(".local")
    {
        return true;
    }
    match parse_ipv4(&host) {
        Some([127, ..]) | Some([10, ..]) | Some([192, 168, ..]) => true,
        Some([172, b, ..]) => (16..=31).contains(&b),
        _ => false,
    }
}

/// What `text.parse::<T>()` gives for an unsigned `T` (a `+` sign allowed, nothing out of `T`'s
/// range), through `u64`'s parser: one integer parser in the wasm instead of one per width.
pub(crate) fn small_number<T: TryFrom<u64>>(text: &str) -> Option<T> {
    T::try_from(text.parse::<u64>().ok()?).ok()
}

fn parse_ipv4(host: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = host.split('.');
    for slot in out.iter_mut() {
        *slot = small_number(parts.next()?)?;
    }
    parts.next().is_none().then_some(out)
}

/// Decodes `%XX` escapes (invalid UTF-8 replaced); anything else is kept as written.
pub fn percent_decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match crate::redact::pct_byte(b, i + 1).filter(|_| b[i] == b'%') {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Trims a configured base URL and removes trailing slashes; empty → the default.
pub fn normalize_base_url(configured: Option<&str>) -> String {
    let trimmed = configured.map(str::trim).unwrap_or("");
    let trimmed = trimmed.trim_end_matches('/');
    if trimmed.is_empty() {
        DEFAULT_BASE_URL.to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_base_url_when_unset_or_blank() {
        assert_eq!(normalize_base_url(None), DEFAULT_BASE_URL);
        assert_eq!(normalize_base_url(Some("  ")), DEFAULT_BASE_URL);
        assert_eq!(normalize_base_url(Some("http://h:9000/v1///")), "http://h:9000/v1");
    }

    #[test]
    fn endpoint_keeps_the_query_of_the_base_url() {
        let b = BaseUrl::parse("http://10.0.0.5:9000/v1?x=1").unwrap();
        assert_eq!(b.endpoint("/models"), "http://10.0.0.5:9000/v1/models?x=1");
        assert_eq!(b.server_endpoint("/health"), "http://10.0.0.5:9000/health");
    }

    #[test]
    fn origin_drops_default_ports_and_keeps_others() {
        assert_eq!(BaseUrl::parse("https://h:443/v1").unwrap().origin(), "https://h");
        assert_eq!(BaseUrl::parse("http://[::1]:8000/v1").unwrap().origin(), "http://[::1]:8000");
        assert_eq!(BaseUrl::parse("HTTP://User@Host.Example/v1").unwrap().origin(), "http://host.example");
    }

    #[test]
    fn credentials_in_the_url_are_secrets_and_go_out_as_basic_auth() {
        let b = BaseUrl::parse("http://me%40x:p%2Bw@h:8/v1?api_key=k%3D1&page=2&Token=t").unwrap();
        assert_eq!(b.origin(), "http://h:8", "never in the origin, so never in a fetched URL");
        assert_eq!(b.endpoint("/models"), "http://h:8/v1/models?api_key=k%3D1&page=2&Token=t");
        assert_eq!(b.secrets(), ["p+w", "k=1", "t"]);
        assert_eq!(b.basic_auth().as_deref(), Some("Basic bWVAeDpwK3c="));
        assert_eq!(BaseUrl::parse("http://tok@h/v1").unwrap().basic_auth().as_deref(), Some("Basic dG9rOg=="));
        assert_eq!(BaseUrl::parse("http://h/v1?x=1").unwrap().basic_auth(), None);
        assert_eq!(percent_decode("a%2b%zz%"), "a+%zz%");
    }

    #[test]
    fn rejects_what_is_not_an_http_url() {
        for bad in ["http://${HOST}:8000/v1", "http://a b/v1", "127.0.0.1:8000/v1", "ftp://h/v1", "http://", "http://h:99999/v1", "http://h:x/v1"] {
            assert!(BaseUrl::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn local_hosts_as_openclaw_counts_them() {
        for h in ["127.0.0.1", "localhost", "0.0.0.0", "[::1]", "192.168.1.50", "10.0.0.5", "172.20.0.1", "vllm.local", "host.docker.internal"] {
            assert!(is_local_host(h), "{h}");
        }
        for h in ["vllm.example.com", "172.32.0.1", "8.8.8.8", "100.64.0.1"] {
            assert!(!is_local_host(h), "{h}");
        }
    }

    #[test]
    fn small_number_reads_as_parse_does_for_each_width() {
        for t in ["0", "+7", "255", "256", "65535", "65536", "-1", "-0", "", "+", "1e3", " 1", "007", "18446744073709551616"] {
            assert_eq!(small_number::<u8>(t), t.parse::<u8>().ok(), "{t:?}");
            assert_eq!(small_number::<u16>(t), t.parse::<u16>().ok(), "{t:?}");
        }
    }
}
