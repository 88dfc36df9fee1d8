//! The advice attached to errors: the one place user-facing troubleshooting prose lives.
//!
//! The first three follow the troubleshooting section of OpenClaw's vLLM page.

/// Nothing answered at the base URL.
pub fn unreachable(base_url: &str) -> String {
    format!(
        "Check that vLLM is running as an OpenAI-compatible server (`vllm serve <model>`) and that \
         `curl {base_url}/models` answers from this machine; fix models.providers.vllm.baseUrl if it points elsewhere."
    )
}

/// The server rejected the key.
pub fn auth() -> String {
    "Set a real VLLM_API_KEY that matches the server's --api-key, or configure models.providers.vllm.apiKey \
     explicitly; without server auth any non-empty value works."
        .to_string()
}

/// Variables the process has were not passed in `env` (the Node entry tells the names, never values),
/// followed by the advice `then` (empty for none).
pub fn pass_process_env(names: &[String], then: &str) -> String {
    let mut out = crate::join::join(names, ", ");
    out.push_str(if names.len() == 1 { " is" } else { " are" });
    out.push_str(" set in this process but not in the `env` given to VllmProvider.resolve(), which reads nothing else: pass `env: process.env`.");
    if !then.is_empty() {
        out.push(' ');
        out.push_str(then);
    }
    out
}

/// No models could be discovered.
pub fn no_models() -> String {
    "Discovery requires VLLM_API_KEY (any value works if the server has no --api-key); with an explicit \
     models.providers.vllm only declared models are used unless the model allow-list has \"vllm/*\" \
     (agents.defaults.modelPolicy.allow, or agents.defaults.models in older configs)."
        .to_string()
}

/// The provider has no key and no explicit entry.
pub fn unregistered() -> String {
    "vLLM requires authentication to be registered as a provider. Set VLLM_API_KEY (any value works) or \
     declare models.providers.vllm in the config. See: https://docs.openclaw.ai/providers/vllm"
        .to_string()
}

/// The answer came from something that is not vLLM's OpenAI API (wrong path or port).
pub fn wrong_route(base_url: &str) -> String {
    format!(
        "The base URL {base_url} does not lead to vLLM's OpenAI API. OpenAI-compatible servers expect a /v1 \
         path prefix (e.g. http://127.0.0.1:8000/v1); check `curl {base_url}/models`."
    )
}

/// The request timed out on our side.
pub fn timeout(timeout_ms: u32) -> String {
    format!(
        "No answer within {timeout_ms} ms. A large model may still be loading; check `curl` against the server, \
         or raise models.providers.vllm.timeoutSeconds."
    )
}

/// The model is not served.
pub fn model_not_found() -> String {
    "Use a model id exactly as GET /v1/models lists it (vLLM serves the --served-model-name, or the --model \
     argument as typed)."
        .to_string()
}

/// A browser blocked a cross-origin answer.
pub fn cors(page_origin: &str) -> String {
    format!(
        "The browser blocked the answer: start vLLM with --allowed-origins '[\"{page_origin}\"]' (vLLM 0.32+ \
         allows no other origin by default), or serve this page from the same origin as the server."
    )
}

/// An https page cannot call an http server.
pub fn mixed_content() -> String {
    "An https page cannot call an http server (mixed content): open the page over http, or put vLLM behind https."
        .to_string()
}

/// Tools were sent to a server without the tool-calling flags.
pub fn tool_flags() -> String {
    "Start vLLM with --enable-auto-tool-choice --tool-call-parser <parser> (e.g. hermes for Qwen2.5, \
     qwen3_xml for Qwen3-Coder), or send the request without tools."
        .to_string()
}

/// The prompt does not fit.
pub fn context_overflow() -> String {
    "Shorten the conversation or lower the output budget (maxTokens); check that the configured \
     contextWindow matches the server's max_model_len."
        .to_string()
}

/// `max_tokens` above `max_model_len`.
pub fn max_tokens_too_large() -> String {
    "Lower maxTokens for this model (models.providers.vllm.models[].maxTokens) below the server's \
     max_model_len, or start vLLM with a larger --max-model-len."
        .to_string()
}

/// Too many requests.
pub fn rate_limit() -> String {
    "The server is rate limiting; wait (see Retry-After) and try again.".to_string()
}

/// The server is busy.
pub fn overloaded() -> String {
    "The server's queue is full; try again shortly, or raise vLLM's --max-num-queued-reqs.".to_string()
}

/// The server failed.
pub fn server_error() -> String {
    "The vLLM server failed; check its log, and `curl` its /health endpoint (503 means the engine died).".to_string()
}

/// A generic invalid request.
pub fn bad_request() -> String {
    "The server rejected the request; the message names the parameter. Check model params and extraBody.".to_string()
}

/// The response body is unusable.
pub fn bad_response(base_url: &str) -> String {
    format!("The server's answer is not what vLLM sends; check that {base_url} is vLLM's OpenAI API (`curl {base_url}/models`).")
}

/// The body did not decode as its `Content-Encoding` header says.
pub fn undecodable_body(base_url: &str) -> String {
    format!(
        "The answer's body does not match its Content-Encoding header (gzip, deflate or br). vLLM does not \
         compress its answers: a proxy or gateway in front of it mangles them (compresses twice, or labels a plain \
         body as compressed). Fix or turn off compression at that proxy; `curl -sv --compressed {base_url}/models` \
         shows what it sends."
    )
}

/// The answer's headers were larger than the runtime accepts.
pub fn oversized_headers(base_url: &str) -> String {
    format!(
        "The server, or a proxy in front of it, sends more response headers than the runtime accepts (Node's fetch \
         takes 16 KB by default): remove the extra headers at the proxy (`curl -s -D - -o /dev/null {base_url}/models` lists them), \
         or raise Node's limit with `node --max-http-header-size=131072`."
    )
}

/// The caller aborted.
pub fn aborted() -> String {
    "The request was aborted by the caller; nothing to fix.".to_string()
}

/// The loaded model does not serve the chat API (vLLM answers 501).
pub fn not_implemented() -> String {
    "The served model does not support this endpoint (e.g. an embedding model behind /v1/chat/completions); \
     serve a generative model, or check the --runner/--task flags."
        .to_string()
}

/// Thinking tags arrived inside `content`: the server has no reasoning parser.
pub fn reasoning_parser() -> String {
    "The reply carries <think> tags in its content: start vLLM with --reasoning-parser <parser> (e.g. qwen3, \
     deepseek_r1) so reasoning arrives in its own field, or mark the model reasoning: false."
        .to_string()
}

/// The base URL lacks the `/v1` prefix.
pub fn url_missing_v1(suggested: &str) -> String {
    format!("vLLM serves its OpenAI API under /v1: set models.providers.vllm.baseUrl to {suggested}.")
}

/// The base URL repeats `/v1`.
pub fn url_double_v1(suggested: &str) -> String {
    format!("The base URL repeats /v1 (clients append only the endpoint): use {suggested}.")
}

/// The base URL has an empty path segment.
pub fn url_double_slash(suggested: &str) -> String {
    format!("The base URL has an empty path segment (//), which vLLM does not route: use {suggested}.")
}

/// A full endpoint URL was pasted as the base URL.
pub fn url_endpoint_pasted(suggested: &str) -> String {
    format!("The base URL is the server's API root, not an endpoint (the library appends /chat/completions and /models): use {suggested}.")
}

/// `0.0.0.0` is a listen address, not a destination.
pub fn url_unspecified_host(suggested: &str) -> String {
    format!("0.0.0.0 is the address vLLM listens on, not one to connect to: use {suggested} (or the server's LAN address).")
}

/// `localhost` inside a container is the container itself.
pub fn url_localhost_in_container(suggested: &str) -> String {
    format!("If vLLM runs on the host and this runs in a container, localhost is the container itself: use {suggested} \
     (on Linux start the container with --add-host=host.docker.internal:host-gateway).")
}

/// The requested model is not served; the closest served name, when there is one.
pub fn unknown_model(model: &str, closest: Option<&str>, served: &[String]) -> String {
    let list = if served.is_empty() { "none".to_string() } else { crate::join::join(served, ", ") };
    match closest {
        Some(c) => format!("The server does not serve `{model}`; did you mean `{c}`? Use the id exactly as GET /v1/models lists it (served: {list})."),
        None => format!("The server does not serve `{model}`. Use an id exactly as GET /v1/models lists it (served: {list}), or start vLLM with --served-model-name {model}."),
    }
}

/// The configured context window is larger than what the server allows.
pub fn context_window_too_large(model: &str, window: u64, max_model_len: u64) -> String {
    format!("Set contextWindow of {model} to {max_model_len} (it is {window}, but the server's max_model_len is {max_model_len}), \
     or start vLLM with a larger --max-model-len.")
}


/// The whole-request timer fired while the reply was still arriving.
pub fn reply_timeout() -> &'static str {
    "The reply took longer than the whole-request timeout: raise timeoutMs (or models.providers.vllm.timeoutSeconds), \
     or lower maxTokens so the reply ends sooner."
}

/// The server answered with headers but sent no event.
pub fn first_event_timeout() -> &'static str {
    "The server accepted the request but sent no event: the model may be stalled (for example while parsing a large \
     tool payload) or queued behind other requests; retry with fewer tools, check the server's log, or raise \
     firstEventTimeoutMs."
}

/// The server stopped sending mid-reply.
pub fn idle_timeout() -> &'static str {
    "The server stopped sending in the middle of the reply: check its log and load (a stuck or preempted request), \
     or raise idleTimeoutMs (or timeoutSeconds) for slow models."
}

/// The connection broke while the reply was being read.
pub fn stream_cut() -> &'static str {
    "The server or a proxy cut the stream before it ended: check the server's log for a crash or restart, and retry."
}

/// A router or gateway answered 502: the vLLM server behind it did not answer.
pub fn bad_gateway() -> String {
    "A router or gateway in front of vLLM (vllm-router, the production stack, llm-d, KServe, nginx) answered 502: \
     the vLLM server behind it did not answer (down, restarting or crashed). Check the router's log and each \
     worker's /health; retrying may reach a healthy worker."
        .to_string()
}

/// vllm-router's own error for a worker it could not reach (`Request failed: error sending request
/// for url (…)`), naming that worker.
pub fn router_worker_down(worker: &str) -> String {
    format!(
        "vllm-router could not reach its worker {worker}: that vLLM server is down or restarting. Check \
         `curl {worker}/health`, then restart it or remove it from the router's --worker-urls (the router stops \
         sending to it once its circuit breaker opens)."
    )
}

/// A 503 that is not vLLM's JSON: a router or proxy has no worker free.
pub fn proxy_unavailable() -> String {
    "A router or proxy in front of vLLM answered 503 (vLLM's own 503 is JSON): its workers are busy or none is \
     healthy. Retry shortly; check the router's worker list and each worker's /health, or add workers."
        .to_string()
}

/// llm-d's scheduler dropped the request (`x-llm-d-request-dropped-reason`).
pub fn llm_d_dropped(reason: &str) -> String {
    format!(
        "llm-d's inference scheduler dropped the request ({reason}): the model servers of its pool are saturated. \
         Retry later with backoff, or add replicas to the pool."
    )
}

/// 529: the serving frontend (NVIDIA Dynamo) has no capacity left.
pub fn overloaded_529() -> String {
    "529 is a serving frontend's \"overloaded\" (NVIDIA Dynamo sends it when every worker is busy): retry \
     shortly, or add workers."
        .to_string()
}

#[cfg(test)]
mod tests {
    //! One test per hint: each names the action the user takes, in OpenClaw's words where it has them.
    use super::*;

    #[test]
    fn unreachable_names_the_curl_check_and_server_mode() {
        let h = unreachable("http://10.0.0.5:8000/v1");
        assert!(h.contains("curl http://10.0.0.5:8000/v1/models"));
        assert!(h.contains("OpenAI-compatible server"));
    }

    #[test]
    fn auth_asks_for_a_real_key_or_explicit_config() {
        let h = auth();
        assert!(h.contains("real VLLM_API_KEY") && h.contains("explicitly") && h.contains("any non-empty value"));
    }

    #[test]
    fn no_models_names_the_key_requirement_and_the_explicit_provider_rule() {
        let h = no_models();
        assert!(h.contains("Discovery requires VLLM_API_KEY"));
        assert!(h.contains("only declared models are used") && h.contains("\"vllm/*\""));
    }

    #[test]
    fn unregistered_is_openclaws_sentence() {
        assert!(unregistered().starts_with("vLLM requires authentication to be registered as a provider. Set VLLM_API_KEY (any value works)"));
    }

    #[test]
    fn route_and_response_hints_name_the_v1_prefix() {
        assert!(wrong_route("http://h:8000").contains("/v1 path prefix"));
        assert!(bad_response("http://h:8000/v1").contains("curl http://h:8000/v1/models"));
    }

    #[test]
    fn server_flag_hints_name_the_flag() {
        assert!(tool_flags().contains("--enable-auto-tool-choice --tool-call-parser"));
        assert!(max_tokens_too_large().contains("--max-model-len"));
        assert!(reasoning_parser().contains("--reasoning-parser"));
        assert!(overloaded().contains("--max-num-queued-reqs"));
        assert!(not_implemented().contains("--runner"));
        assert!(cors("http://localhost:5173").contains("--allowed-origins '[\"http://localhost:5173\"]'"));
    }

    #[test]
    fn other_codes_have_actionable_hints() {
        assert!(timeout(5000).contains("5000 ms") && timeout(5000).contains("timeoutSeconds"));
        assert!(model_not_found().contains("GET /v1/models"));
        assert!(mixed_content().contains("mixed content"));
        assert!(context_overflow().contains("contextWindow"));
        assert!(rate_limit().contains("Retry-After"));
        assert!(server_error().contains("/health"));
        assert!(bad_request().contains("parameter"));
        assert!(aborted().contains("aborted"));
    }

    #[test]
    fn url_hints_name_the_corrected_url() {
        let u = "http://127.0.0.1:8000/v1";
        for h in [url_missing_v1(u), url_double_v1(u), url_double_slash(u), url_endpoint_pasted(u), url_unspecified_host(u)] {
            assert!(h.contains(u), "{h}");
        }
        assert!(url_localhost_in_container("http://host.docker.internal:8000/v1").contains("host-gateway"));
    }

    #[test]
    fn model_hints_suggest_the_closest_name_or_the_served_flag() {
        let served = vec!["qwen3".to_string(), "qwen3-lora".to_string()];
        assert!(unknown_model("qwen", Some("qwen3"), &served).contains("did you mean `qwen3`?"));
        let h = unknown_model("llama", None, &served);
        assert!(h.contains("served: qwen3, qwen3-lora") && h.contains("--served-model-name llama"));
        assert!(context_window_too_large("m", 8192, 512).contains("contextWindow of m to 512"));
    }
}
