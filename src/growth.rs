//! Growth-rate checks for the tests: work on 4× the input may take at most 6× the time. Times are
//! never compared with a constant, only with each other, measured in the same test on the same
//! machine; each is the fastest of several interleaved runs, and a failing ratio is measured again
//! before the test fails, so a busy machine does not fail a linear path (a quadratic one gives 16×).

use std::time::{Duration, Instant};

/// Asserts that `run` on `make(4 * n)` takes at most 6× its time on `make(n)`.
pub fn assert_linear<T>(what: &str, n: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let (small, large) = (make(n), make(4 * n));
    let mut ratios = Vec::new();
    for _attempt in 0..4 {
        let mut best = [Duration::MAX; 2];
        for _ in 0..7 {
            for (i, input) in [&small, &large].into_iter().enumerate() {
                let t = Instant::now();
                run(input);
                best[i] = best[i].min(t.elapsed());
            }
        }
        let ratio = best[1].as_secs_f64() / best[0].as_secs_f64().max(1e-9);
        if ratio <= 6.0 {
            return;
        }
        ratios.push(format!("{ratio:.1}× ({:?} → {:?})", best[0], best[1]));
    }
    panic!("{what}: 4× the input took {}", ratios.join(", then "));
}
