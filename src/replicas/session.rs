//! `CallOptions.sessionId`: a stable id for one conversation, sent as `X-Session-ID` (vllm-router's
//! first affinity key under `--policy consistent_hash`, which AIBrix and llm-d session routing also
//! read), and hashed onto one replica when there are several.

use crate::error::ProviderError;

/// The header the session id is sent in.
pub const SESSION_HEADER: &str = "X-Session-ID";
/// The longest session id accepted, in characters.
pub const MAX_SESSION_ID_CHARS: usize = 256;

/// A caller's `sessionId`: `None` means the option was given but is not a string. Accepted: 1 to
/// 256 printable ASCII characters without leading or trailing spaces (a header value `fetch` sends
/// unchanged, so a router hashes exactly what the replicas were chosen by).
pub fn session_id_from(value: Option<&str>) -> Result<String, ProviderError> {
    let ok = |s: &str| {
        (1..=MAX_SESSION_ID_CHARS).contains(&s.len()) && s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.trim() == s
    };
    match value {
        Some(s) if ok(s) => Ok(s.to_string()),
        _ => Err(ProviderError::config_at(
            "sessionId",
            "sessionId must be a string of 1 to 256 printable ASCII characters, without leading or trailing spaces",
            "Use a stable id per conversation, such as a UUID (crypto.randomUUID()), and the same one for every turn.",
        )),
    }
}

/// Puts `X-Session-ID: <session_id>` into `headers`, replacing one the config may set (the call's own
/// session wins); `X-Request-Id` and every other header stay as they are.
pub fn set_session_header(headers: &mut Vec<(String, String)>, session_id: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(SESSION_HEADER));
    headers.push((SESSION_HEADER.to_string(), session_id.to_string()));
}

/// The rendezvous (highest random weight) score of `replica_key` for `session`: each session goes to
/// its highest-scoring usable replica, so it stays there while that replica is healthy, and when one
/// replica leaves or returns only the sessions it holds move. FNV-1a, then a 64-bit finaliser
/// (splitmix64) to spread nearby inputs.
pub(super) fn weight(session: &str, replica_key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in session.bytes().chain([0xff]).chain(replica_key.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::super::tests::set;
    use super::*;

    #[test]
    fn session_ids_are_printable_ascii_of_reasonable_length() {
        assert_eq!(session_id_from(Some("conv-42")).unwrap(), "conv-42");
        assert_eq!(session_id_from(Some("a b")).unwrap(), "a b");
        let long = "x".repeat(MAX_SESSION_ID_CHARS);
        assert!(session_id_from(Some(&long)).is_ok());
        for bad in [None, Some(""), Some(" a"), Some("a\n"), Some("é"), Some("a\u{7f}")] {
            let e = session_id_from(bad).unwrap_err();
            assert_eq!((e.code.as_str(), e.path.as_deref()), ("config", Some("sessionId")), "{bad:?}");
        }
        assert!(session_id_from(Some(&format!("{long}x"))).is_err());
    }

    #[test]
    fn the_session_header_joins_the_request_id_and_replaces_a_configured_one() {
        let mut h = vec![("X-Request-Id".to_string(), "r1".to_string()), ("x-session-id".to_string(), "from-config".to_string())];
        set_session_header(&mut h, "s1");
        assert_eq!(h, [("X-Request-Id".to_string(), "r1".to_string()), ("X-Session-ID".to_string(), "s1".to_string())]);
    }

    #[test]
    fn a_session_stays_on_one_replica_and_sessions_spread() {
        let mut s = set(3);
        let mut used = [0usize; 3];
        for n in 0..300 {
            let id = format!("session-{n}");
            let first = s.pick(Some(&id), &[], 0);
            for _ in 0..3 {
                assert_eq!(s.pick(Some(&id), &[], 0), first, "{id} moved");
            }
            used[first] += 1;
        }
        // 300 sessions over 3 replicas: each gets its share (expected 100; 60 is far outside chance).
        assert!(used.iter().all(|&u| u > 60), "{used:?}");
    }

    #[test]
    fn a_session_moves_only_while_its_replica_is_unhealthy_and_only_its_sessions_move() {
        let mut s = set(3);
        let ids: Vec<String> = (0..60).map(|n| format!("s{n}")).collect();
        let before: Vec<usize> = ids.iter().map(|id| s.pick(Some(id), &[], 0)).collect();
        s.failed(1, 0, "503".into());
        for (id, &was) in ids.iter().zip(&before) {
            let now = s.pick(Some(id), &[], 1);
            if was == 1 {
                assert_ne!(now, 1, "{id} stays on an unhealthy replica");
            } else {
                assert_eq!(now, was, "{id} moved although its replica is healthy");
            }
        }
        s.answered(1);
        let after: Vec<usize> = ids.iter().map(|id| s.pick(Some(id), &[], 2)).collect();
        assert_eq!(after, before, "back where they were once the replica is healthy");
    }

    #[test]
    fn weights_differ_by_session_and_by_replica() {
        assert_ne!(weight("a", "http://h:1/v1"), weight("b", "http://h:1/v1"));
        assert_ne!(weight("a", "http://h:1/v1"), weight("a", "http://h:2/v1"));
        assert_eq!(weight("a", "k"), weight("a", "k"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(weight("ab", "c"), weight("a", "bc"));
    }
}
