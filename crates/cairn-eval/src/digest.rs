//! Digest-set matching (DESIGN decision 7), used by MATCH, MODIFY and the
//! final artifact.
//!
//! Two sets match when every algorithm present on both sides has the same
//! value and at least one *strong* algorithm is shared. Hex values are
//! compared without regard to ASCII case. A set that shares only weak
//! algorithms (md5, sha1, sha224, ...) with the other never matches.

use cairn_evidence::DigestSet;

/// The algorithms strong enough to identify an artifact on their own:
/// SHA-256 or better, and the git object ids (whose strength is the
/// repository's choice, accepted as the in-toto ecosystem does).
pub const STRONG: &[&str] = &[
    "sha256",
    "sha384",
    "sha512",
    "sha512_256",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "blake2b",
    "gitCommit",
    "gitTree",
    "gitBlob",
    "gitTag",
];

/// Whether `alg` is in [`STRONG`].
pub fn is_strong(alg: &str) -> bool {
    STRONG.contains(&alg)
}

/// Whether two digest sets identify the same artifact.
pub fn matches(a: &DigestSet, b: &DigestSet) -> bool {
    // The common case: one SHA-256 digest on each side, kept as bytes.
    if let (Some(a), Some(b)) = (a.as_sha256(), b.as_sha256()) {
        return a == b;
    }
    let mut strong_shared = false;
    for (alg, va) in a {
        if let Some(vb) = b.get(alg) {
            if !va.eq_ignore_ascii_case(&vb) {
                return false;
            }
            strong_shared |= is_strong(alg);
        }
    }
    strong_shared
}

/// A short, stable rendering of a digest set for reports (`sha256:ab12…`).
pub fn describe(set: &DigestSet) -> String {
    if set.is_empty() {
        return "no digest".to_string();
    }
    set.iter()
        .map(|(alg, value)| format!("{alg}:{value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> DigestSet {
        pairs
            .iter()
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spec_examples() {
        // in-toto attestation DigestSet examples (reference 6.3).
        assert!(matches(
            &set(&[("sha256", "abcd"), ("sha512", "1234")]),
            &set(&[("sha256", "abcd")])
        ));
        assert!(!matches(
            &set(&[("sha256", "abcd")]),
            &set(&[("sha256", "fedb"), ("sha512", "abcd")])
        ));
    }

    #[test]
    fn every_shared_algorithm_must_agree() {
        assert!(!matches(
            &set(&[("sha256", "aa"), ("sha512", "bb")]),
            &set(&[("sha256", "aa"), ("sha512", "cc")])
        ));
        assert!(!matches(
            &set(&[("sha256", "aa"), ("md5", "01")]),
            &set(&[("sha256", "aa"), ("md5", "02")])
        ));
    }

    #[test]
    fn weak_only_never_matches() {
        assert!(!matches(&set(&[("md5", "01")]), &set(&[("md5", "01")])));
        assert!(!matches(&set(&[("sha1", "01")]), &set(&[("sha1", "01")])));
        assert!(!matches(&set(&[]), &set(&[])));
        assert!(!matches(
            &set(&[("sha256", "aa")]),
            &set(&[("sha512", "aa")])
        ));
    }

    #[test]
    fn strong_and_case() {
        assert!(matches(
            &set(&[("gitCommit", "AB")]),
            &set(&[("gitCommit", "ab")])
        ));
        assert!(matches(
            &set(&[("sha256", "aa"), ("sha1", "01")]),
            &set(&[("sha256", "aa"), ("sha1", "01")])
        ));
        assert!(is_strong("sha3_512"));
        assert!(!is_strong("sha224"));
    }
}
