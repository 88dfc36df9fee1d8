//! Joining texts with a separator, compiled once: `[String]::join` and `[&str]::join` are two
//! generic copies of std's joiner (about 0.9 KB of wasm each).

/// What `parts.join(sep)` gives, for a slice of `String`s or of `&str`s.
pub(crate) fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    join_at(parts.len(), &|i| parts[i].as_ref(), sep)
}

/// The joiner itself: the `n` parts given by `part`, `sep` between each two, allocated once.
#[inline(never)]
fn join_at<'a>(n: usize, part: &dyn Fn(usize) -> &'a str, sep: &str) -> String {
    let len = (0..n).map(|i| part(i).len()).sum::<usize>() + sep.len() * n.saturating_sub(1);
    let mut out = String::with_capacity(len);
    for i in 0..n {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_as_std_does() {
        let owned: Vec<String> = vec!["a".into(), "".into(), "ccc".into()];
        let borrowed: Vec<&str> = owned.iter().map(String::as_str).collect();
        for sep in ["", ", ", "\n"] {
            assert_eq!(join(&owned, sep), owned.join(sep));
            assert_eq!(join(&borrowed, sep), borrowed.join(sep));
            assert_eq!(join(&borrowed[..1], sep), "a");
            assert_eq!(join::<&str>(&[], sep), "");
        }
    }
}
