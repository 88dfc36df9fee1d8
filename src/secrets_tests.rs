//! A canary key through every key source never shows on any surface, whatever form a server echoes
//! it back in: `describe()`, prepared requests, config errors and warnings, HTTP and transport
//! errors, in-band stream errors, discovered model ids, a chat's id and model, diagnose reports.
// The helpers build the core's own `Outcome` (a transport failure is about as large as a response).
#![allow(clippy::result_large_err)]

use crate::config::{resolve, ConfigInput, Provider, ResolveInput};
use crate::diagnose::{DiagnoseOptions, Diagnosis, Probe};
use crate::http::HttpResponse;
use crate::redact::echo_tests::forms;
use crate::stream::{plan, Answer, Body, CallTimeouts, ChatCall, Next, Piece};
use crate::transport::{classify_transport, FailureKind, TransportFailure};
use serde_json::json;

/// With `+ / = "` so that every echo form differs from the key itself.
const CANARY: &str = "Can4ry+k3y/Qx=9\"Zt";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.to_ascii_lowercase().contains("can4ry"), "{what}: {text}");
    for (form, f) in forms(CANARY) {
        assert!(!text.contains(&f), "{what}: the {form} form shows in {text}");
    }
}

/// The canary percent-encoded, as a key must be written inside a URL.
fn encoded() -> String {
    CANARY.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// `@K` in the texts stands for the canary, `@E` for it percent-encoded.
type Source = (&'static str, &'static [(&'static str, &'static str)], Option<&'static str>);

const SOURCES: &[Source] = &[
    ("{}", &[("VLLM_API_KEY", "@K")], None),
    ("{models:{providers:{vllm:{apiKey:'@K'}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'${K}'}}}}", &[("K", "@K")], None),
    ("{models:{providers:{vllm:{apiKey:'VLLM_API_KEY'}}}}", &[("VLLM_API_KEY", "@K")], None),
    ("{models:{providers:{vllm:{apiKey:{source:'env', provider:'default', id:'K'}}}}}", &[("K", "@K")], None),
    ("{}", &[], Some("{profiles:{'vllm:default':{type:'api_key', provider:'vllm', key:'@K'}}}")),
    ("{}", &[], Some("{profiles:{'vllm:t':{type:'token', provider:'vllm', token:'@K'}}}")),
    ("{}", &[("PK", "@K")], Some("{profiles:{'vllm:default':{type:'api_key', provider:'vllm', keyRef:{source:'env', provider:'default', id:'PK'}}}}")),
    ("{models:{providers:{vllm:{apiKey:'k', request:{auth:{mode:'header', headerName:'X-Gate', value:'@K'}}}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'k', request:{auth:{mode:'authorization-bearer', token:'@K'}}}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'k', headers:{'X-Api-Key':'@K'}}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'k', headers:{'X-Other-Key':'@K'}}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'k', request:{headers:{'X-Session-Token':'@K'}}}}}}", &[], None),
    ("{models:{providers:{vllm:{apiKey:'k', headers:{'X-Custom':{source:'env', provider:'default', id:'H'}}}}}}", &[("H", "@K")], None),
    ("{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1?api_key=${K}', apiKey:'k'}}}}", &[("K", "@K")], None),
    ("{models:{providers:{vllm:{baseUrl:'http://127.0.0.1:8000/v1?api_key=@E', apiKey:'k'}}}}", &[], None),
    ("{models:{providers:{vllm:{baseUrl:'http://user:${K}@127.0.0.1:8000/v1', apiKey:'k'}}}}", &[("K", "@E")], None),
    ("{models:{providers:{vllm:{baseUrl:'http://@E@127.0.0.1:8000/v1', apiKey:'k'}}}}", &[], None),
];

fn fill(text: &str) -> String {
    text.replace("@K", CANARY).replace("@E", &encoded())
}

fn provider((config, env, profiles): &Source) -> Provider {
    let mut config = fill(config);
    // Every provider declares a model row, so requests can be shaped and sent.
    config = if config == "{}" { "{models:{providers:{vllm:{models:[{id:'m', name:'m'}]}}}}".to_string() } else { config.replacen("{vllm:{", "{vllm:{models:[{id:'m', name:'m'}], ", 1) };
    let input = ResolveInput {
        config: Some(ConfigInput::Text(config.clone())),
        env: env.iter().map(|(k, v)| (k.to_string(), fill(v))).collect(),
        auth_profiles: profiles.map(|p| ConfigInput::Text(fill(p))),
        ..Default::default()
    };
    let p = resolve(&input).unwrap_or_else(|e| panic!("{config}: {e}"));
    let sent: Vec<String> = p.chat_headers(Some("m")).into_iter().map(|(_, v)| v).chain(std::iter::once(p.base().endpoint(""))).collect();
    let b64 = crate::redact::with_echo_forms(vec![CANARY.to_string()]);
    assert!(sent.iter().any(|v| v.contains(CANARY) || v.contains(&encoded()) || b64.iter().any(|f| f.len() > 8 && v.contains(f.as_str()))), "{config}: the key must still be sent: {sent:?}");
    p
}

/// Every echo form of the canary in one text.
fn echoes() -> String {
    forms(CANARY).into_iter().map(|(_, f)| f).collect::<Vec<_>>().join(" | ")
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse { status, headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), body: body.as_bytes().to_vec(), ..Default::default() }
}

/// The answers of a proxy that echoes the key: in an error envelope, as plain text, in model ids.
fn echo_bodies() -> Vec<(u16, String)> {
    let e = echoes();
    let rows: Vec<_> = forms(CANARY).into_iter().map(|(_, f)| json!({"id": format!("m-{f}"), "object": "model", "root": f, "parent": f, "max_model_len": 64})).collect();
    vec![
        (400, json!({"object": "error", "message": e, "type": "BadRequestError", "param": null, "code": 400}).to_string()),
        (401, json!({"error": e}).to_string()),
        (500, e.clone()),
        (404, json!({"detail": e}).to_string()),
        (200, json!({"object": "list", "data": rows}).to_string()),
        (200, format!("<html>{e}</html>")),
    ]
}

#[test]
fn describe_prepared_requests_and_refusals_never_show_the_key() {
    for source in SOURCES {
        let p = provider(source);
        let what = source.0;
        assert_clean(what, &serde_json::to_string(p.describe()).unwrap());
        assert_clean(what, &format!("{p:?}"));
        let shaped = crate::shaping::build_from_json(&p, r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
        assert_clean(what, &serde_json::to_string(&shaped.prepared).unwrap());
        let bad = crate::shaping::build_from_json(&p, &format!(r#"{{"model":"vllm/{CANARY}","messages":[]}}"#)).unwrap_err();
        assert_clean(what, &serde_json::to_string(&bad).unwrap());
    }
}

#[test]
fn server_echoes_in_every_form_are_scrubbed_from_errors_and_model_ids() {
    for source in SOURCES {
        let p = provider(source);
        let what = source.0;
        for (status, body) in echo_bodies() {
            let r = resp(status, &[("content-type", "application/json"), ("x-echo", &echoes())], &body);
            let out = match p.parse_discovery(&r) {
                Ok(rows) => serde_json::to_string(&rows).unwrap(),
                Err(e) => serde_json::to_string(&e).unwrap(),
            };
            assert_clean(&format!("{what} discovery {status}"), &out);
            let catalog = p.catalog(Some((p.parse_discovery(&r), 1))).unwrap();
            assert_clean(&format!("{what} catalog {status}"), &serde_json::to_string(&catalog).unwrap());
        }
    }
}

/// Runs a chat call that gets `answer` and then `body`; returns everything it gave out.
fn chat(p: &Provider, answer: Result<Answer, TransportFailure>, body: &str) -> String {
    let mut c = ChatCall::new(plan(p, r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#, CallTimeouts::default(), [7; 4]));
    let mut out = String::new();
    let mut answer = Some(answer);
    let mut body = Some(body.as_bytes().to_vec());
    for _ in 0..100 {
        match c.next(false) {
            Next::Open => c.opened(answer.take().expect("opened once")),
            Next::Read(_) => {
                c.piece(body.take().map_or(Piece::End, Piece::Bytes));
            }
            Next::Events(events) => events.events().iter().for_each(|event| out.push_str(&serde_json::to_string(event).unwrap())),
            Next::Pause => {}
            Next::Wait(_) | Next::Follow | Next::Probe(..) => unreachable!("a call over one server neither waits nor redirects nor probes"),
            Next::End => return out,
            Next::Fail(e) => {
                out.push_str(&serde_json::to_string(&e).unwrap());
                return out;
            }
        }
    }
    panic!("the call must end");
}

#[test]
fn chat_errors_stream_errors_and_reply_ids_never_show_the_key() {
    let e = echoes();
    let chunk = json!({"id": format!("chatcmpl-{e}"), "model": format!("m-{e}"), "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}]});
    let in_band = json!({"error": {"message": e, "type": "BadRequestError", "code": 400}});
    let stream = format!("data: {chunk}\n\ndata: {in_band}\n\n");
    for source in SOURCES {
        let p = provider(source);
        let what = source.0;
        let sse = |status| Ok(Answer { status, headers: vec![("content-type".into(), "text/event-stream".into())], body: Body::Stream, location: None });
        assert_clean(&format!("{what} stream"), &chat(&p, sse(200), &stream));
        for (status, body) in echo_bodies() {
            let answer = Ok(Answer { status, headers: vec![("content-type".into(), "application/json".into())], body: Body::Stream, location: None });
            assert_clean(&format!("{what} chat {status}"), &chat(&p, answer, &body));
        }
        // A content type that echoes the key is quoted in the error.
        for (_, f) in forms(CANARY).into_iter().filter(|(_, f)| !f.contains(';')) {
            let answer = Ok(Answer { status: 200, headers: vec![("content-type".into(), format!("text/x-{f}"))], body: Body::Stream, location: None });
            assert_clean(&format!("{what} content type"), &chat(&p, answer, "x"));
        }
        let url = p.base().endpoint("/chat/completions");
        let failure = TransportFailure {
            kind: FailureKind::Network,
            name: "TypeError".into(),
            message: format!("fetch failed for {url} ({e})"),
            cause_code: None,
            cause_message: None,
            page_origin: None,
            url,
            timeout_ms: Some(10),
            probe_reachable: None,
            health_readable: None,
            sent_authorization: true,
            rejected: true,
        };
        assert_clean(&format!("{what} transport"), &chat(&p, Err(failure.clone()), ""));
        let timeout = TransportFailure { kind: FailureKind::Timeout, ..failure.clone() };
        assert_clean(&format!("{what} timeout"), &serde_json::to_string(&classify_transport(&timeout, &p.describe().base_url).redact(p.secrets())).unwrap());
    }
}

#[test]
fn diagnose_reports_never_show_the_key() {
    for source in SOURCES {
        let p = provider(source);
        for (status, body) in echo_bodies() {
            let opts = DiagnoseOptions { model: Some(format!("vllm/m-{CANARY}")), probe_chat: true, ..Default::default() };
            let mut d = Diagnosis::new(&p, opts);
            let mut n = 0;
            while let Some((probe, _)) = d.next_request() {
                n += 1;
                assert!(n < 10);
                let answer = match probe {
                    Probe::Health => resp(200, &[], ""),
                    Probe::Version => resp(200, &[], &json!({"version": echoes()}).to_string()),
                    Probe::Models | Probe::Chat => resp(status, &[("content-type", "application/json")], &body),
                };
                d.record(probe, Ok(answer), 1);
            }
            assert_clean(&format!("{} diagnose {status}", source.0), &serde_json::to_string(&d.report()).unwrap());
        }
    }
}

#[test]
fn config_errors_name_the_source_of_a_value_instead_of_quoting_it() {
    let env = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), fill(v))).collect();
    // (config, env, what the message says instead)
    type Case = (&'static str, &'static [(&'static str, &'static str)], &'static str);
    let cases: &[Case] = &[
        ("{models:{providers:{vllm:{baseUrl:'${VLLM_API_KEY}'}}}}", &[("VLLM_API_KEY", "@K")], "baseUrl \"$VLLM_API_KEY\" is not an absolute http(s) URL"),
        ("{models:{providers:{vllm:{api:'${K}'}}}}", &[("K", "@K")], "unknown api \"$K\""),
        ("{models:{providers:{vllm:{auth:'${K}'}}}}", &[("K", "@K")], "got \"$K\""),
        ("{models:{mode:'${K}'}}", &[("K", "@K")], "models.mode"),
        ("{models:{providers:{vllm:{request:{auth:{mode:'${K}'}}}}}}", &[("K", "@K")], "got \"$K\""),
        ("{models:{providers:{vllm:{headers:{'X-A':{source:'${K}', id:'X'}}}}}}", &[("K", "@K")], "got \"$K\""),
        ("{models:{providers:{vllm:{baseUrl:'http://user:${K}@h/v1'}}}}", &[("K", "@K")], "baseUrl \"http://user:[redacted]@h/v1\""),
        ("{models:{providers:{vllm:{baseUrl:'http://h h/v1?api_key=@K'}}}}", &[], "?api_key=[redacted]"),
        ("{models:{providers:{vllm:{apiKey:'@K', api:'@K'}}}}", &[], "unknown api \"[redacted]\""),
        ("{models:{providers:{vllm:{apiKey:'${VLLM_API_KEY}', models:[{id:'m', name:'m', reasoning:'${VLLM_API_KEY}'}]}}}}", &[("VLLM_API_KEY", "@K")], "reasoning"),
    ];
    for (config, pairs, needle) in cases {
        let input = ResolveInput { config: Some(ConfigInput::Text(fill(config))), env: env(pairs), ..Default::default() };
        let e = resolve(&input).unwrap_err();
        let text = serde_json::to_string(&e).unwrap();
        assert_clean(config, &text);
        assert!(e.message.contains(needle), "{config}: {}", e.message);
    }
    // A profile's key quoted by an error is named by its profile.
    let input = ResolveInput {
        config: Some(ConfigInput::Text(format!("{{models:{{providers:{{vllm:{{api:'{CANARY}'}}}}}}}}"))),
        auth_profiles: Some(ConfigInput::Text(fill("{profiles:{'vllm:default':{type:'api_key', provider:'vllm', key:'@K'}}}"))),
        ..Default::default()
    };
    let e = resolve(&input).unwrap_err();
    assert_clean("profile", &e.message);
    assert!(e.message.contains("auth profile \"vllm:default\""), "{}", e.message);
    // Warnings quote values too (`api "…" is not what vLLM speaks`).
    let input = ResolveInput { config: Some(ConfigInput::Text("{models:{providers:{vllm:{api:'${K}', apiKey:'k'}}}}".into())), env: env(&[("K", "ollama")]), ..Default::default() };
    let d = resolve(&input).unwrap();
    assert!(d.describe().warnings.iter().any(|w| w.message.contains("api \"$K\"")), "{:?}", d.describe().warnings);
}

#[test]
fn url_credentials_go_out_as_basic_auth_and_query_keys_stay_in_the_sent_url() {
    let p = provider(&SOURCES[16]);
    let basic = format!("Basic {}", crate::redact::base64(format!("user:{CANARY}").as_bytes()));
    assert_eq!(crate::http::header_value(&p.chat_headers(Some("m")), "authorization"), Some(basic.as_str()));
    assert_eq!(p.describe().base_url, "http://user:[redacted]@127.0.0.1:8000/v1");
    assert!(p.describe().auth.sends_authorization);
    let p = provider(&SOURCES[14]);
    assert_eq!(p.discovery_request(None).url, format!("http://127.0.0.1:8000/v1/models?api_key={CANARY}"));
    assert_eq!(p.describe().base_url, "http://127.0.0.1:8000/v1?api_key=[redacted]");
    let prepared = crate::shaping::build_from_json(&p, r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#).unwrap().prepared;
    assert_eq!(prepared.url, "http://127.0.0.1:8000/v1/chat/completions?api_key=[redacted]");
    assert_eq!(prepared.headers["Authorization"], "Bearer [redacted]");
    let p = provider(&SOURCES[11]);
    assert_eq!(p.describe().headers["X-Other-Key"], "[redacted]");
    let prepared = crate::shaping::build_from_json(&p, r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#).unwrap().prepared;
    assert_eq!(prepared.headers["X-Other-Key"], "[redacted]");
}
