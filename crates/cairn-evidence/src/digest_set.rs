//! [`DigestSet`]: algorithm name to hex digest, stored compactly.
//!
//! A link of 100,000 artifacts has 100,000 digest sets of usually one entry,
//! a SHA-256 digest. A `BTreeMap` allocates a whole node (over 500 bytes) for
//! that one entry and its hex text; this set keeps a lone SHA-256 digest as
//! its 32 bytes inline (40 bytes in all, no heap block) and anything else as
//! a vector of pairs sorted by algorithm name. It has the map-like methods
//! the rest of cairn uses (`get`, `insert`, `iter`, ...), iterating in the
//! same order a `BTreeMap` would; digests are handed out as text (`Cow`),
//! exactly as given. It serialises as a JSON object.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Algorithm name to lowercase hex digest (`{"sha256": "..."}`), sorted by name.
#[derive(Clone, Default)]
pub struct DigestSet {
    entries: Entries,
}

/// The pairs. Almost every set is one SHA-256 digest in lowercase hex: that
/// one is kept as its 32 bytes (rendered back to the same hex on demand),
/// without a heap block; anything else is a sorted vector of pairs.
#[derive(Clone, Debug)]
enum Entries {
    Sha256([u8; 32]),
    Many(Vec<(Alg, String)>),
}

impl Default for Entries {
    fn default() -> Entries {
        Entries::Many(Vec::new())
    }
}

/// The value of a lowercase hex digit; 0xff for every other byte.
fn nibble(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => 0xff,
    }
}

/// The 32 bytes of `digest` when it is exactly 64 lowercase hex digits (so
/// that encoding them again gives back the same text), checked and decoded
/// in one pass: links carry hundreds of thousands of these.
pub fn raw_sha256(digest: &str) -> Option<[u8; 32]> {
    raw_sha256_bytes(digest.as_bytes())
}

/// [`raw_sha256`] of the bytes of a digest's text, as a link's walk finds
/// them (anything but 64 lowercase hex digits gives `None`).
pub fn raw_sha256_bytes(bytes: &[u8]) -> Option<[u8; 32]> {
    let bytes: &[u8; 64] = bytes.try_into().ok()?;
    // Two passes over arrays of known length, each of which vectorises:
    // the digits to their values (checking all of them), then the pairs
    // of values to bytes.
    let mut values = [0u8; 64];
    let mut bad = 0u8;
    for (value, &b) in values.iter_mut().zip(bytes) {
        *value = nibble(b);
        bad |= *value;
    }
    if bad & 0xf0 != 0 {
        return None;
    }
    let mut raw = [0u8; 32];
    for (out, pair) in raw.iter_mut().zip(values.chunks_exact(2)) {
        if let [hi, lo] = pair {
            *out = (hi << 4) | lo;
        }
    }
    Some(raw)
}

impl Entries {
    fn len(&self) -> usize {
        match self {
            Entries::Sha256(_) => 1,
            Entries::Many(pairs) => pairs.len(),
        }
    }

    /// The pairs as a vector (a raw digest becomes its hex text again).
    fn into_vec(self) -> Vec<(Alg, String)> {
        match self {
            Entries::Sha256(raw) => vec![(Alg::Shared(&SHA256), hex::encode(raw))],
            Entries::Many(pairs) => pairs,
        }
    }

    /// Settles the pairs into the compact form when they allow it.
    fn settle(&mut self) {
        if let Entries::Many(pairs) = self {
            if let [(alg, digest)] = pairs.as_slice() {
                if alg.as_str() == "sha256" {
                    if let Some(raw) = raw_sha256(digest) {
                        *self = Entries::Sha256(raw);
                    }
                }
            }
        }
    }
}

impl PartialEq for DigestSet {
    fn eq(&self, other: &DigestSet) -> bool {
        match (&self.entries, &other.entries) {
            (Entries::Sha256(a), Entries::Sha256(b)) => a == b,
            _ => self.iter().eq(other.iter()),
        }
    }
}

impl Eq for DigestSet {}

impl PartialOrd for DigestSet {
    fn partial_cmp(&self, other: &DigestSet) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DigestSet {
    fn cmp(&self, other: &DigestSet) -> std::cmp::Ordering {
        self.iter().cmp(other.iter())
    }
}

impl std::hash::Hash for DigestSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (alg, digest) in self {
            alg.hash(state);
            digest.hash(state);
        }
    }
}

/// An algorithm name. The common names are shared by every set instead of
/// allocated once per artifact (a link of 100,000 artifacts would otherwise
/// hold 100,000 copies of `sha256`).
#[derive(Clone, Debug)]
enum Alg {
    Shared(&'static String),
    Owned(String),
}

static SHA256: LazyLock<String> = LazyLock::new(|| "sha256".to_owned());
static SHA384: LazyLock<String> = LazyLock::new(|| "sha384".to_owned());
static SHA512: LazyLock<String> = LazyLock::new(|| "sha512".to_owned());
static SHA1: LazyLock<String> = LazyLock::new(|| "sha1".to_owned());

impl Alg {
    fn shared(name: &str) -> Option<&'static String> {
        Some(match name {
            "sha256" => &SHA256,
            "sha384" => &SHA384,
            "sha512" => &SHA512,
            "sha1" => &SHA1,
            _ => return None,
        })
    }

    fn from_string(name: String) -> Alg {
        Alg::shared(&name).map_or(Alg::Owned(name), Alg::Shared)
    }

    fn as_str(&self) -> &str {
        match self {
            Alg::Shared(name) => name,
            Alg::Owned(name) => name,
        }
    }

    fn into_string(self) -> String {
        match self {
            Alg::Shared(name) => name.clone(),
            Alg::Owned(name) => name,
        }
    }
}

impl PartialEq for Alg {
    fn eq(&self, other: &Alg) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Alg {}

impl PartialOrd for Alg {
    fn partial_cmp(&self, other: &Alg) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Alg {
    fn cmp(&self, other: &Alg) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Alg {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl DigestSet {
    /// An empty set.
    pub fn new() -> DigestSet {
        DigestSet::default()
    }

    /// Changes the pairs with `f`, then settles them back into the compact
    /// form when they allow it.
    fn change<R>(&mut self, f: impl FnOnce(&mut Vec<(Alg, String)>) -> R) -> R {
        let mut pairs = std::mem::take(&mut self.entries).into_vec();
        let out = f(&mut pairs);
        self.entries = Entries::Many(pairs);
        self.entries.settle();
        out
    }

    /// Sets the digest of `alg`, returning the previous one.
    pub fn insert(&mut self, alg: String, digest: String) -> Option<String> {
        self.insert_alg(Alg::from_string(alg), digest)
    }

    /// [`DigestSet::insert`] with a borrowed algorithm name, copied only
    /// when it is not one of the common names.
    pub fn insert_str(&mut self, alg: &str, digest: String) -> Option<String> {
        let alg = Alg::shared(alg).map_or_else(|| Alg::Owned(alg.to_owned()), Alg::Shared);
        self.insert_alg(alg, digest)
    }

    fn insert_alg(&mut self, alg: Alg, digest: String) -> Option<String> {
        if self.is_empty() && alg.as_str() == "sha256" {
            if let Some(raw) = raw_sha256(&digest) {
                self.entries = Entries::Sha256(raw);
                return None;
            }
        }
        self.change(|pairs| {
            match pairs.binary_search_by(|(name, _)| name.as_str().cmp(alg.as_str())) {
                Ok(i) => pairs
                    .get_mut(i)
                    .map(|slot| std::mem::replace(&mut slot.1, digest)),
                Err(i) => {
                    // Sets hold one or two digests: grow by exactly one.
                    pairs.reserve_exact(1);
                    pairs.insert(i, (alg, digest));
                    None
                }
            }
        })
    }

    /// The set of just this SHA-256 digest, given as its 32 bytes.
    pub fn from_sha256(raw: [u8; 32]) -> DigestSet {
        DigestSet {
            entries: Entries::Sha256(raw),
        }
    }

    /// The 32 bytes of the set's SHA-256 digest when that is all it holds.
    pub fn as_sha256(&self) -> Option<&[u8; 32]> {
        match &self.entries {
            Entries::Sha256(raw) => Some(raw),
            Entries::Many(_) => None,
        }
    }

    /// The digest of `alg`.
    pub fn get(&self, alg: &str) -> Option<Cow<'_, str>> {
        match &self.entries {
            Entries::Sha256(raw) => (alg == "sha256").then(|| Cow::Owned(hex::encode(raw))),
            Entries::Many(pairs) => pairs
                .binary_search_by(|(name, _)| name.as_str().cmp(alg))
                .ok()
                .and_then(|i| pairs.get(i))
                .map(|(_, d)| Cow::Borrowed(d.as_str())),
        }
    }

    /// Whether the set has a digest of `alg`.
    pub fn contains_key(&self, alg: &str) -> bool {
        self.keys().any(|k| k == alg)
    }

    /// Removes and returns the digest of `alg`.
    pub fn remove(&mut self, alg: &str) -> Option<String> {
        if !self.contains_key(alg) {
            return None;
        }
        self.change(|pairs| {
            let i = pairs
                .binary_search_by(|(name, _)| name.as_str().cmp(alg))
                .ok()?;
            (i < pairs.len()).then(|| pairs.remove(i).1)
        })
    }

    /// The number of algorithms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// (algorithm, digest) pairs, sorted by algorithm.
    pub fn iter(&self) -> Iter<'_> {
        match &self.entries {
            Entries::Sha256(raw) => Iter(Pairs::One(Some(raw))),
            Entries::Many(pairs) => Iter(Pairs::Many(pairs.iter())),
        }
    }

    /// The algorithm names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(alg, _)| alg)
    }

    /// The digests, in the order of their algorithm names.
    pub fn values(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.iter().map(|(_, digest)| digest)
    }
}

/// Iterator over a [`DigestSet`]'s pairs, shaped like a map's.
#[derive(Debug, Clone)]
pub struct Iter<'a>(Pairs<'a>);

#[derive(Debug, Clone)]
enum Pairs<'a> {
    /// A compact SHA-256 digest, not yet given out.
    One(Option<&'a [u8; 32]>),
    /// Pairs.
    Many(std::slice::Iter<'a, (Alg, String)>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Pairs::One(raw) => raw
                .take()
                .map(|raw| ("sha256", Cow::Owned(hex::encode(raw)))),
            Pairs::Many(pairs) => pairs
                .next()
                .map(|(a, d)| (a.as_str(), Cow::Borrowed(d.as_str()))),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            Pairs::One(raw) => usize::from(raw.is_some()),
            Pairs::Many(pairs) => pairs.len(),
        };
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Pairs::One(_) => self.next(),
            Pairs::Many(pairs) => pairs
                .next_back()
                .map(|(a, d)| (a.as_str(), Cow::Borrowed(d.as_str()))),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a DigestSet {
    type Item = (&'a str, Cow<'a, str>);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for DigestSet {
    type Item = (String, String);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter {
            inner: self.entries.into_vec().into_iter(),
        }
    }
}

/// Owning iterator over a [`DigestSet`]'s pairs, sorted by algorithm.
#[derive(Debug)]
pub struct IntoIter {
    inner: std::vec::IntoIter<(Alg, String)>,
}

impl Iterator for IntoIter {
    type Item = (String, String);

    fn next(&mut self) -> Option<(String, String)> {
        self.inner
            .next()
            .map(|(alg, digest)| (alg.into_string(), digest))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<(String, String)> {
        self.inner
            .next_back()
            .map(|(alg, digest)| (alg.into_string(), digest))
    }
}

impl ExactSizeIterator for IntoIter {}

impl FromIterator<(String, String)> for DigestSet {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> DigestSet {
        let mut set = DigestSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<(String, String)> for DigestSet {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (alg, digest) in iter {
            self.insert(alg, digest);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for DigestSet {
    fn from(pairs: [(String, String); N]) -> DigestSet {
        pairs.into_iter().collect()
    }
}

impl fmt::Debug for DigestSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for DigestSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (alg, digest) in self {
            map.serialize_entry(alg, &digest)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for DigestSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DigestSet, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = DigestSet;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of algorithm name to digest")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<DigestSet, A::Error> {
                let mut set = DigestSet::new();
                while let Some((alg, digest)) = access.next_entry::<String, String>()? {
                    set.insert(alg, digest);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_map(SetVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_btreemap() {
        let pairs = [
            ("sha512", "b"),
            ("sha256", "a"),
            ("gitCommit", "c"),
            ("sha256", "d"),
        ];
        let mut set = DigestSet::new();
        let mut map = BTreeMap::new();
        for (alg, d) in pairs {
            assert_eq!(
                set.insert(alg.into(), d.into()),
                map.insert(alg.to_string(), d.to_string())
            );
        }
        assert!(set.iter().eq(map
            .iter()
            .map(|(a, d)| (a.as_str(), Cow::Borrowed(d.as_str())))));
        assert_eq!(
            set.get("sha256").as_deref(),
            map.get("sha256").map(String::as_str)
        );
        assert_eq!(set.len(), 3);
        assert!(set.contains_key("gitCommit") && !set.contains_key("md5"));
        assert_eq!(
            serde_json::to_value(&set).unwrap(),
            serde_json::to_value(&map).unwrap()
        );
        let back: DigestSet = serde_json::from_value(serde_json::to_value(&map).unwrap()).unwrap();
        assert_eq!(back, set);
        assert_eq!(format!("{set:?}"), format!("{map:?}"));
        assert!(set.clone().into_iter().eq(map.clone()));
        assert!(set
            .clone()
            .into_iter()
            .rev()
            .eq(map.clone().into_iter().rev()));
        let mut borrowed = DigestSet::new();
        for (alg, d) in &map {
            assert_eq!(borrowed.insert_str(alg, d.clone()), None);
        }
        assert_eq!(borrowed, set);
        assert_eq!(
            borrowed.insert_str("sha256", "e".into()).as_deref(),
            Some("d")
        );
        assert_eq!(set.remove("sha512").as_deref(), Some("b"));
        assert_eq!(set.len(), 2);
        let mut one = DigestSet::new();
        assert_eq!(one.insert("sha256".into(), "a".into()), None);
        assert_eq!(one.get("sha256").as_deref(), Some("a"));
        assert_eq!(one.remove("md5"), None);
        assert_eq!(one.remove("sha256").as_deref(), Some("a"));
        assert!(one.is_empty() && one == DigestSet::new());
        one.insert_str("md5", "x".into());
        one.insert_str("gitCommit", "y".into());
        assert!(one.keys().eq(["gitCommit", "md5"]));
        assert!(one.values().eq(["y", "x"]));
    }

    #[test]
    fn a_lone_sha256_digest_is_kept_as_bytes_and_given_back_as_written() {
        let hex = "0123456789abcdef".repeat(4);
        let set: DigestSet = [("sha256".to_string(), hex.clone())].into();
        assert!(set.as_sha256().is_some());
        assert_eq!(set.get("sha256").as_deref(), Some(hex.as_str()));
        assert_eq!(
            serde_json::to_value(&set).unwrap(),
            serde_json::json!({"sha256": hex})
        );
        assert_eq!(set, DigestSet::from_sha256(raw_sha256(&hex).unwrap()));
        // Anything that would not encode back to the same text stays text.
        for other in [
            hex.to_uppercase(),
            hex[1..].to_string(),
            format!("{}g", &hex[1..]),
        ] {
            assert_eq!(raw_sha256(&other), None);
            let set: DigestSet = [("sha256".to_string(), other.clone())].into();
            assert!(set.as_sha256().is_none());
            assert_eq!(set.get("sha256").as_deref(), Some(other.as_str()));
        }
        // A second digest turns the bytes back into a pair; removing it
        // settles the set again, equal to the compact one.
        let mut two = set.clone();
        two.insert("sha512".into(), "ab".into());
        assert!(two.as_sha256().is_none());
        assert_eq!(two.get("sha256").as_deref(), Some(hex.as_str()));
        assert_eq!(two.len(), 2);
        assert_eq!(two.remove("sha512").as_deref(), Some("ab"));
        assert_eq!(two, set);
        assert!(two.as_sha256().is_some());
        assert!(two
            .clone()
            .into_iter()
            .eq([("sha256".to_string(), hex.clone())]));
    }
}
