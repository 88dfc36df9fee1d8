#![no_main]
//! See `vllm_provider_fuzz::exchange` for the input's layout and the properties checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vllm_provider_fuzz::exchange::check(data));
