//! Pieces every target shares: a tiny deterministic RNG, chunkings, the canary secret.

use vllm_provider::error::{ErrorCode, ProviderError};

/// The canary key: it is given to the provider as its key, so no text a caller sees may hold it.
pub const SECRET: &str = "fzk-Q7x9Lm2Vb8Rt4Wc";

/// splitmix64: deterministic, so a crash replays.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.bits() % n as u64) as usize
    }
}

/// Splits `data` at the first `n` bytes: (head, rest), padding the head with zeros when short.
pub fn head<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut h = [0u8; N];
    let n = data.len().min(N);
    h[..n].copy_from_slice(&data[..n]);
    (h, &data[n..])
}

/// `data` cut into random pieces: sizes drawn up to one of a few scales (1 byte, a few, a line, a
/// network read), chosen by the seed.
pub fn chunks(data: &[u8], seed: u64) -> Vec<&[u8]> {
    let mut rng = Rng(seed);
    let scale = [1, 2, 7, 64, 1500][rng.below(5)];
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let n = (1 + rng.below(scale)).min(data.len() - at);
        out.push(&data[at..at + n]);
        at += n;
    }
    out
}

/// Fails if `text` holds the canary secret.
pub fn no_secret(text: &str, what: &str) {
    assert!(!text.contains(SECRET), "the secret leaked into {what}: {text:?}");
}

/// Fails if any string of a serializable value (keys included) holds the canary secret. Strings are
/// checked as they are, not as JSON text, where an escape (`\f` + `zk-…`) could spell the canary.
pub fn no_secret_in<T: serde::Serialize>(value: &T, what: &str) {
    fn walk(v: &serde_json::Value, what: &str) {
        match v {
            serde_json::Value::String(s) => no_secret(s, what),
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, what)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, x)| {
                no_secret(k, what);
                walk(x, what);
            }),
            _ => {}
        }
    }
    walk(&serde_json::to_value(value).expect("serializable"), what);
}

/// Fails if any text of the error holds the canary secret.
pub fn no_secret_in_error(e: &ProviderError, what: &str) {
    no_secret(&e.message, &format!("{what}: message"));
    no_secret(&e.hint, &format!("{what}: hint"));
    if let Some(body) = &e.body {
        no_secret(body, &format!("{what}: body"));
    }
    if let Some(path) = &e.path {
        no_secret(path, &format!("{what}: path"));
    }
}

/// Fails unless the error's code is one of `allowed`.
pub fn code_in(e: &ProviderError, allowed: &[ErrorCode], what: &str) {
    assert!(allowed.contains(&e.code), "{what}: unexpected code {:?}: {e:?}", e.code);
}

/// Equal but for floats a few units in the last place apart (serde_json's float reading is not
/// always correctly rounded, so a float printed and read back may move by one unit).
pub fn nearly_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs() * 1e-15,
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| nearly_equal(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((kx, x), (ky, y))| kx == ky && nearly_equal(x, y))
        }
        _ => a == b,
    }
}
