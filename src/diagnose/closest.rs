//! The served name closest to a requested one, for "did you mean" hints.

/// Levenshtein distance over characters, ASCII case-insensitive (Unicode case tables would cost wasm size).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_ascii_lowercase().chars().collect();
    let b: Vec<char> = b.to_ascii_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A served model as `/v1/models` lists it: its id and the `root` it was loaded from.
#[derive(Clone, Debug, PartialEq)]
pub struct Served<'a> {
    /// The name to send.
    pub id: &'a str,
    /// What `--model` was (a path or a hub name), if listed.
    pub root: Option<&'a str>,
}

/// The served id closest to `wanted`, matching against ids and roots, or `None` when nothing is close.
/// A name that differs only in an `org/` prefix or in case counts as closest of all.
pub fn closest<'a>(wanted: &str, served: &[Served<'a>]) -> Option<&'a str> {
    let w = wanted.to_ascii_lowercase();
    let tail = |s: &str| s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase();
    let score = |name: &str| {
        let n = name.to_ascii_lowercase();
        if n == w || tail(&n) == tail(&w) {
            0
        } else {
            edit_distance(&n, &w)
        }
    };
    let (best, distance) = served
        .iter()
        .map(|s| (s.id, s.root.map_or(usize::MAX, score).min(score(s.id))))
        .min_by_key(|(_, d)| *d)?;
    let limit = (w.chars().count() / 2).max(2);
    (distance <= limit).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served<'a>(rows: &[(&'a str, Option<&'a str>)]) -> Vec<Served<'a>> {
        rows.iter().map(|(id, root)| Served { id, root: *root }).collect()
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Qwen", "qwen"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn a_typo_finds_the_served_name() {
        let s = served(&[("tiny-model", None), ("qwen3-8b", None)]);
        assert_eq!(closest("tiny-modle", &s), Some("tiny-model"));
        assert_eq!(closest("qwen3-7b", &s), Some("qwen3-8b"));
    }

    #[test]
    fn the_root_leads_to_its_served_alias() {
        let s = served(&[("qwen3", Some("/models/Qwen/Qwen3-8B"))]);
        assert_eq!(closest("Qwen/Qwen3-8B", &s), Some("qwen3"));
    }

    #[test]
    fn a_name_without_the_org_prefix_matches() {
        let s = served(&[("Qwen/Qwen3-8B", None)]);
        assert_eq!(closest("qwen3-8b", &s), Some("Qwen/Qwen3-8B"));
    }

    #[test]
    fn nothing_close_means_no_suggestion() {
        let s = served(&[("tiny-model", None)]);
        assert_eq!(closest("llama-3-70b-instruct", &s), None);
        assert_eq!(closest("x", &[]), None);
    }
}
