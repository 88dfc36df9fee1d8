//! Boundary tests, run under Node by `wasm-bindgen-test-runner`: what JS receives from the exports.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, JSON};
use vllm_provider::wasm::{classify_error, parse_model_ref, VllmProvider};
use wasm_bindgen::{JsCast, JsValue};

/// Typed arguments from plain values (what JS callers pass).
fn arg<T: JsCast>(v: JsValue) -> Option<T> {
    Some(v.unchecked_into())
}
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn prop(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn resolve_err(input: JsValue) -> JsValue {
    match VllmProvider::resolve(arg(input)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn is_plain_object(v: &JsValue) -> bool {
    // A plain object's prototype is the global Object.prototype.
    let object_prototype = prop(&prop(&js_sys::global(), "Object"), "prototype");
    v.is_object() && JsValue::from(Object::get_prototype_of(v)) == object_prototype
}

#[wasm_bindgen_test]
fn config_errors_are_real_errors_with_code_hint_and_position() {
    let err = resolve_err(json(r#"{"config":"{\n  models: ]\n}"}"#));
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&err, "name"), "VllmProviderError");
    assert_eq!(prop(&err, "code"), "config");
    assert_eq!(prop(&err, "line"), 2);
    assert!(prop(&err, "column").as_f64().is_some());
    assert!(prop(&err, "hint").as_string().is_some_and(|h| !h.is_empty()));
    assert_eq!(prop(&err, "retryable"), false);
    assert!(prop(&err, "message").as_string().unwrap().contains("line 2"));
}

#[wasm_bindgen_test]
fn schema_errors_carry_the_dotted_path() {
    let err = resolve_err(json(r#"{"config":{"models":{"providers":{"vllm":{"models":[{"id":"a","name":"A","contextWindow":"big"}]}}}}}"#));
    assert_eq!(prop(&err, "path"), "models.providers.vllm.models[0].contextWindow");
}

#[wasm_bindgen_test]
fn wrong_argument_types_are_config_errors_not_traps() {
    for bad in [JsValue::from(5), JsValue::from_str("text"), json(r#"{"config":5}"#), json(r#"{"env":"x"}"#), json(r#"{"agentId":3}"#)] {
        assert_eq!(prop(&resolve_err(bad), "code"), "config");
    }
    let with_bad_fetch = json("{}");
    Reflect::set(&with_bad_fetch, &"fetch".into(), &JsValue::from(1)).unwrap();
    assert_eq!(prop(&resolve_err(with_bad_fetch), "path"), "fetch");
    let cyclic = Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let input = Object::new();
    Reflect::set(&input, &"config".into(), &cyclic).unwrap();
    assert_eq!(prop(&resolve_err(input.into()), "code"), "config");
}

#[wasm_bindgen_test]
fn describe_is_a_plain_json_object_with_absent_not_undefined_fields() {
    let p = VllmProvider::resolve(None).unwrap();
    let d = p.describe().unwrap();
    assert!(is_plain_object(&d));
    assert_eq!(prop(&d, "status"), "unregistered");
    assert_eq!(prop(&d, "baseUrl"), "http://127.0.0.1:8000/v1");
    assert!(!Reflect::has(&d, &"timeoutMs".into()).unwrap(), "unset optional fields are absent");
    assert!(js_sys::Array::is_array(&prop(&d, "models")));
    assert!(is_plain_object(&prop(&d, "headers")));
    assert_eq!(JSON::stringify(&p.to_json().unwrap()).unwrap(), JSON::stringify(&d).unwrap());
}

#[wasm_bindgen_test]
fn describe_never_holds_the_key() {
    let p = VllmProvider::resolve(arg(json(r#"{"env":{"VLLM_API_KEY":"sk-CANARY-77"}}"#))).unwrap();
    let text = JSON::stringify(&p.describe().unwrap()).unwrap().as_string().unwrap();
    assert!(!text.contains("sk-CANARY-77"));
    assert!(text.contains("\"sendsAuthorization\":true"));
}

#[wasm_bindgen_test]
fn classify_error_returns_a_plain_object() {
    let info = classify_error(JsValue::from(404), r#"{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}}"#.into(), None).unwrap();
    assert!(is_plain_object(&info));
    assert_eq!(prop(&info, "code"), "model_not_found");
    assert_eq!(prop(&info, "status"), 404);
    assert_eq!(prop(&info, "message"), "404 The model `x` does not exist.");
    let err = classify_error(JsValue::from(1000), JsValue::from_str(""), None).unwrap_err();
    assert_eq!(prop(&err, "code"), "config");
}

#[wasm_bindgen_test]
fn classify_error_reads_header_objects_and_refuses_other_shapes() {
    let headers = json(r#"{"Retry-After":"7","X-Other":3}"#);
    let info = classify_error(JsValue::from(429), "{}".into(), arg(headers)).unwrap();
    assert_eq!(prop(&info, "retryAfterMs"), 7000);
    for bad in [r#"["Retry-After"]"#, r#""Retry-After: 7""#, "12.5"] {
        let err = classify_error(JsValue::from(429), "{}".into(), arg(json(bad))).unwrap_err();
        assert_eq!(prop(&err, "code"), "config", "{bad}");
        assert_eq!(prop(&err, "path"), "headers", "{bad}");
    }
}

#[wasm_bindgen_test]
fn env_keeps_string_values_only() {
    let input = json(r#"{"env":{"VLLM_API_KEY":"sk-1","NUM":3,"OBJ":{"a":1},"NONE":null},"config":"{models:{providers:{vllm:{baseUrl:'${NUM}'}}}}"}"#);
    let err = resolve_err(input);
    assert_eq!(prop(&err, "path"), "models.providers.vllm.baseUrl");
    let p = VllmProvider::resolve(arg(json(r#"{"env":{"VLLM_API_KEY":"sk-1","NUM":3}}"#))).unwrap();
    assert_eq!(prop(&prop(&p.describe().unwrap(), "auth"), "envVar"), "VLLM_API_KEY");
}

#[wasm_bindgen_test]
fn parse_model_ref_round_trips_and_rejects_non_strings() {
    let r = parse_model_ref("vllm/Qwen/Qwen3-8B".into()).unwrap();
    assert_eq!(prop(&r, "model"), "Qwen/Qwen3-8B");
    assert_eq!(prop(&parse_model_ref(JsValue::from(3)).unwrap_err(), "code"), "config");
}

#[wasm_bindgen_test]
async fn network_failures_reject_with_a_typed_error() {
    // Port 1 is on fetch's "bad port" list: refused by the runtime without touching the network.
    let p = VllmProvider::resolve(arg(json(r#"{"baseUrl":"http://127.0.0.1:1/v1"}"#))).unwrap();
    let err = JsFuture::from(p.discover_models(None)).await.unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&err, "code"), "unreachable");
    assert!(prop(&err, "hint").as_string().unwrap().contains("curl http://127.0.0.1:1/v1/models"));
    let bad_opts = JsFuture::from(p.discover_models(arg(json(r#"{"timeoutMs":0}"#)))).await.unwrap_err();
    assert_eq!(prop(&bad_opts, "path"), "timeoutMs");
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_rejects_with_aborted() {
    let p = VllmProvider::resolve(arg(json(r#"{"baseUrl":"http://127.0.0.1:1/v1"}"#))).unwrap();
    let controller = web_sys_abort_controller();
    let abort: js_sys::Function = prop(&controller, "abort").unchecked_into();
    abort.call0(&controller).unwrap();
    let opts = Object::new();
    Reflect::set(&opts, &"signal".into(), &prop(&controller, "signal")).unwrap();
    let err = JsFuture::from(p.discover_models(arg(opts.into()))).await.unwrap_err();
    assert_eq!(prop(&err, "code"), "aborted");
}

fn web_sys_abort_controller() -> JsValue {
    let ctor: js_sys::Function = prop(&js_sys::global(), "AbortController").unchecked_into();
    Reflect::construct(&ctor, &js_sys::Array::new()).unwrap()
}

/// A provider with one declared model `m`, for the conversions of prepared requests.
fn provider_with_model() -> VllmProvider {
    VllmProvider::resolve(arg(json(r#"{"config":{"models":{"providers":{"vllm":{"baseUrl":"http://127.0.0.1:1/v1","apiKey":"k","headers":{"X-B":"1","X-A":"2"},"models":[{"id":"m","name":"m","maxTokens":64}]}}}}}"#))).unwrap()
}

#[wasm_bindgen_test]
fn serde_wasm_bindgen_gives_null_for_null_and_leaves_absent_fields_out() {
    // A JSON null in the body stays null (present), never undefined; a skipped Option is absent.
    let p = provider_with_model();
    let prepared = p.build_chat_request(json(r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"params":{"extraBody":{"keep_null":null}}}"#).unchecked_into()).unwrap();
    let body = prop(&prepared, "body");
    assert!(Reflect::has(&body, &"keep_null".into()).unwrap());
    assert!(prop(&body, "keep_null").is_null());
    let info = classify_error(JsValue::from(500), JsValue::from_str("{}"), None).unwrap();
    for absent in ["path", "line", "column", "requestId", "retryAfterMs"] {
        assert!(!Reflect::has(&info, &absent.into()).unwrap(), "{absent} is absent, not undefined");
    }
    let d = p.describe().unwrap();
    assert!(!Reflect::has(&d, &"timeoutMs".into()).unwrap());
}

#[wasm_bindgen_test]
fn serde_wasm_bindgen_gives_maps_as_plain_objects_in_their_order() {
    let p = provider_with_model();
    let headers = prop(&p.describe().unwrap(), "headers");
    assert!(is_plain_object(&headers), "a map is a plain object, not a JS Map");
    assert_eq!(JSON::stringify(&Object::keys(headers.unchecked_ref::<Object>())).unwrap(), r#"["X-B","X-A"]"#);
    let prepared = p.build_chat_request(json(r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"params":{"extraBody":{"zeta":1,"alpha":{"b":2,"a":3}}}}"#).unchecked_into()).unwrap();
    let extra = prop(&prop(&prepared, "body"), "alpha");
    assert!(is_plain_object(&extra));
    assert_eq!(JSON::stringify(&extra).unwrap(), r#"{"b":2,"a":3}"#);
    assert!(js_sys::Array::is_array(&prop(&prepared, "notes")));
}

#[wasm_bindgen_test]
fn serde_wasm_bindgen_gives_numbers_as_numbers_and_refuses_what_a_number_cannot_hold() {
    let p = provider_with_model();
    let prepared = p.build_chat_request(json(r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"params":{"temperature":0.25,"seed":9007199254740991}}"#).unchecked_into()).unwrap();
    let body = prop(&prepared, "body");
    assert_eq!(prop(&body, "temperature").as_f64(), Some(0.25));
    assert_eq!(prop(&body, "seed").as_f64(), Some(9_007_199_254_740_991.0), "2^53 - 1 is exact");
    assert_eq!(prop(&body, "max_completion_tokens").as_f64(), Some(64.0));
    let models = prop(&p.describe().unwrap(), "models");
    assert!(prop(&js_sys::Array::from(&models).get(0), "contextWindow").as_f64().is_some());
    // 2^60 read back as an integer above 2^53, which a JS number cannot promise to hold exactly: a
    // typed error, not a silently different value.
    let err = p.build_chat_request(json(r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"params":{"extraBody":{"big":1152921504606846976}}}"#).unchecked_into()).unwrap_err();
    assert_eq!(prop(&err, "code"), "config");
    assert!(prop(&err, "message").as_string().unwrap().contains("can't be represented as a JavaScript number"));
}
