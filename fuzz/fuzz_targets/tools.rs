#![no_main]
//! See `vllm_provider_fuzz::tools` for the input's layout and the properties checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vllm_provider_fuzz::tools::check(data));
