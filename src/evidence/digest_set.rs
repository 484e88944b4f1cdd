//! [`DigestSet`]: algorithm name to hex digest, stored compactly.
//!
//! A link of 100,000 artifacts has 100,000 digest sets of usually one entry.
//! A `BTreeMap` allocates a whole node (over 500 bytes) for that one entry;
//! this set is a vector of pairs kept sorted by algorithm name (a single
//! pair is kept inline, without an allocation), with the map-like methods the rest of cairn uses (`get`, `insert`, `iter`, ...),
//! iterating in the same order a `BTreeMap` would. It serialises as a JSON
//! object.

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

/// The pairs: almost every set has exactly one, kept without a heap block.
#[derive(Clone, Debug)]
enum Entries {
    One((Alg, String)),
    Many(Vec<(Alg, String)>),
}

impl Default for Entries {
    fn default() -> Entries {
        Entries::Many(Vec::new())
    }
}

impl Entries {
    fn as_slice(&self) -> &[(Alg, String)] {
        match self {
            Entries::One(pair) => std::slice::from_ref(pair),
            Entries::Many(pairs) => pairs,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [(Alg, String)] {
        match self {
            Entries::One(pair) => std::slice::from_mut(pair),
            Entries::Many(pairs) => pairs,
        }
    }

    fn into_vec(self) -> Vec<(Alg, String)> {
        match self {
            Entries::One(pair) => vec![pair],
            Entries::Many(pairs) => pairs,
        }
    }

    /// Inserts `pair` at `index` (at most the length).
    fn insert(&mut self, index: usize, pair: (Alg, String)) {
        *self = match std::mem::take(self) {
            Entries::Many(pairs) if pairs.is_empty() => Entries::One(pair),
            Entries::One(first) if index == 0 => Entries::Many(vec![pair, first]),
            Entries::One(first) => Entries::Many(vec![first, pair]),
            Entries::Many(mut pairs) => {
                // Sets hold one or two digests: grow by exactly one, not to four.
                pairs.reserve_exact(1);
                pairs.insert(index, pair);
                Entries::Many(pairs)
            }
        };
    }

    /// Removes the pair at `index` (found by a search).
    fn remove(&mut self, index: usize) -> Option<(Alg, String)> {
        match self {
            Entries::One(_) if index == 0 => match std::mem::take(self) {
                Entries::One(pair) => Some(pair),
                Entries::Many(_) => None,
            },
            Entries::One(_) => None,
            Entries::Many(pairs) => (index < pairs.len()).then(|| pairs.remove(index)),
        }
    }
}

impl PartialEq for DigestSet {
    fn eq(&self, other: &DigestSet) -> bool {
        self.entries.as_slice() == other.entries.as_slice()
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
        self.entries.as_slice().cmp(other.entries.as_slice())
    }
}

impl std::hash::Hash for DigestSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.entries.as_slice().hash(state);
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

    fn from_str(name: &str) -> Alg {
        Alg::shared(name).map_or_else(|| Alg::Owned(name.to_owned()), Alg::Shared)
    }

    fn as_string(&self) -> &String {
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
        self.as_string() == other.as_string()
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
        self.as_string().cmp(other.as_string())
    }
}

impl std::hash::Hash for Alg {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_string().hash(state);
    }
}

impl DigestSet {
    /// An empty set.
    pub fn new() -> DigestSet {
        DigestSet::default()
    }

    fn find(&self, alg: &str) -> Result<usize, usize> {
        self.entries
            .as_slice()
            .binary_search_by(|(name, _)| name.as_string().as_str().cmp(alg))
    }

    /// Sets the digest of `alg`, returning the previous one.
    pub fn insert(&mut self, alg: String, digest: String) -> Option<String> {
        match self.find(&alg) {
            Ok(i) => self.replace(i, digest),
            Err(i) => {
                self.entries.insert(i, (Alg::from_string(alg), digest));
                None
            }
        }
    }

    /// [`DigestSet::insert`] with a borrowed algorithm name, copied only
    /// when it is not one of the common names.
    pub fn insert_str(&mut self, alg: &str, digest: String) -> Option<String> {
        match self.find(alg) {
            Ok(i) => self.replace(i, digest),
            Err(i) => {
                self.entries.insert(i, (Alg::from_str(alg), digest));
                None
            }
        }
    }

    fn replace(&mut self, index: usize, digest: String) -> Option<String> {
        self.entries
            .as_mut_slice()
            .get_mut(index)
            .map(|slot| std::mem::replace(&mut slot.1, digest))
    }

    /// The digest of `alg`.
    pub fn get(&self, alg: &str) -> Option<&String> {
        self.find(alg)
            .ok()
            .and_then(|i| self.entries.as_slice().get(i))
            .map(|(_, d)| d)
    }

    /// Whether the set has a digest of `alg`.
    pub fn contains_key(&self, alg: &str) -> bool {
        self.find(alg).is_ok()
    }

    /// Removes and returns the digest of `alg`.
    pub fn remove(&mut self, alg: &str) -> Option<String> {
        let index = self.find(alg).ok()?;
        self.entries.remove(index).map(|(_, digest)| digest)
    }

    /// The number of algorithms.
    pub fn len(&self) -> usize {
        self.entries.as_slice().len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.as_slice().is_empty()
    }

    /// (algorithm, digest) pairs, sorted by algorithm.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            inner: self.entries.as_slice().iter(),
        }
    }

    /// The algorithm names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.as_slice().iter().map(|(a, _)| a.as_string())
    }

    /// The digests, in the order of their algorithm names.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.entries.as_slice().iter().map(|(_, d)| d)
    }
}

/// Iterator over a [`DigestSet`]'s pairs, shaped like a map's.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    inner: std::slice::Iter<'a, (Alg, String)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a String);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(a, d)| (a.as_string(), d))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(a, d)| (a.as_string(), d))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a DigestSet {
    type Item = (&'a String, &'a String);
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
            map.serialize_entry(alg, digest)?;
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
        assert!(set.iter().eq(map.iter()));
        assert_eq!(set.get("sha256"), map.get("sha256"));
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
        assert_eq!(one.get("sha256").map(String::as_str), Some("a"));
        assert_eq!(one.remove("md5"), None);
        assert_eq!(one.remove("sha256").as_deref(), Some("a"));
        assert!(one.is_empty() && one == DigestSet::new());
        one.insert_str("md5", "x".into());
        one.insert_str("gitCommit", "y".into());
        assert!(one.keys().eq(["gitCommit", "md5"]));
        assert!(one.values().eq(["y", "x"]));
    }
}
