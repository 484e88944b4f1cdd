//! [`Artifacts`]: artifact name to digest set, as in a link's `materials` or
//! `products`, stored compactly.
//!
//! A link of 100,000 artifacts would be 100,000 owned names and tree nodes
//! in a `BTreeMap`. Here the names live one after the other in a single
//! string and the entries in a single vector sorted by name (an entry is the
//! end of its name and its [`DigestSet`], 48 bytes), so a link's artifacts
//! are two allocations. Lookups are binary searches; [`Cursor`] finds a
//! sequence of names given in ascending order in about one comparison each,
//! which is how the rule evaluator walks two lists side by side. The
//! methods are those of a map (`get`, `insert`, `iter`, ...), iterating in
//! name order as a `BTreeMap` would; it serialises as a JSON object.

use std::fmt;

use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::digest_set::DigestSet;

/// Artifact name to digests, sorted by name, names distinct.
#[derive(Clone, Default)]
pub struct Artifacts {
    /// Every name, in entry order, one after the other.
    names: String,
    /// (end of the name in `names`, digests), sorted by name.
    entries: Vec<(usize, DigestSet)>,
}

impl Artifacts {
    /// An empty list.
    pub fn new() -> Artifacts {
        Artifacts::default()
    }

    /// An empty list with room for `entries` names of `name_bytes` bytes in all.
    pub fn with_capacity(entries: usize, name_bytes: usize) -> Artifacts {
        Artifacts {
            names: String::with_capacity(name_bytes),
            entries: Vec::with_capacity(entries),
        }
    }

    /// The number of artifacts.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The name of the entry at `index` (empty past the end).
    pub fn name_at(&self, index: usize) -> &str {
        let start = match index.checked_sub(1) {
            Some(before) => self.entries.get(before).map_or(0, |(end, _)| *end),
            None => 0,
        };
        let end = self.entries.get(index).map_or(start, |(end, _)| *end);
        self.names.get(start..end).unwrap_or_default()
    }

    /// The digests of the entry at `index`.
    pub fn digest_at(&self, index: usize) -> Option<&DigestSet> {
        self.entries.get(index).map(|(_, set)| set)
    }

    /// The index of `name`, or where it would be inserted.
    pub fn search(&self, name: &str) -> Result<usize, usize> {
        self.search_in(0, self.entries.len(), name)
    }

    /// Binary search for `name` among the entries `lo..hi`.
    fn search_in(&self, mut lo: usize, mut hi: usize, name: &str) -> Result<usize, usize> {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.name_at(mid).cmp(name) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// [`Artifacts::search`] starting from `from`: galloping forward when
    /// `name` sorts at or after the entry at `from`, so that names given in
    /// ascending order cost about one comparison each.
    pub fn search_from(&self, from: usize, name: &str) -> Result<usize, usize> {
        let len = self.entries.len();
        if from >= len {
            return match self.name_at(len.wrapping_sub(1)).cmp(name) {
                std::cmp::Ordering::Less => Err(len),
                _ => self.search(name),
            };
        }
        match self.name_at(from).cmp(name) {
            std::cmp::Ordering::Equal => return Ok(from),
            std::cmp::Ordering::Greater => return self.search_in(0, from, name),
            std::cmp::Ordering::Less => {}
        }
        // name_at(lo) < name; find hi with name <= name_at(hi) or hi = len.
        let mut lo = from;
        let mut step = 1usize;
        loop {
            let probe = lo.saturating_add(step);
            if probe >= len {
                return self.search_in(lo + 1, len, name);
            }
            match self.name_at(probe).cmp(name) {
                std::cmp::Ordering::Less => {
                    lo = probe;
                    step = step.saturating_mul(2);
                }
                std::cmp::Ordering::Equal => return Ok(probe),
                std::cmp::Ordering::Greater => return self.search_in(lo + 1, probe, name),
            }
        }
    }

    /// The digests of `name`.
    pub fn get(&self, name: &str) -> Option<&DigestSet> {
        self.search(name).ok().and_then(|i| self.digest_at(i))
    }

    /// Whether `name` is listed.
    pub fn contains_key(&self, name: &str) -> bool {
        self.search(name).is_ok()
    }

    /// Sets the digests of `name`, returning the previous ones. Appending in
    /// name order is cheap; inserting before the last name moves the names
    /// after it.
    pub fn insert(&mut self, name: String, set: DigestSet) -> Option<DigestSet> {
        let name = name.as_str();
        let last = self.entries.len().checked_sub(1);
        let after_last = last.is_none_or(|last| self.name_at(last) < name);
        if after_last {
            self.push_unchecked(name, set);
            return None;
        }
        match self.search(name) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, slot)| std::mem::replace(slot, set)),
            Err(i) => {
                let start = i
                    .checked_sub(1)
                    .and_then(|before| self.entries.get(before))
                    .map_or(0, |(end, _)| *end);
                self.names.insert_str(start, name);
                for (end, _) in self.entries.iter_mut().skip(i) {
                    *end += name.len();
                }
                self.entries.insert(i, (start + name.len(), set));
                None
            }
        }
    }

    /// Appends `name` when it sorts after every name listed; otherwise gives
    /// `set` back and changes nothing. Inlined: a link's walk calls it once
    /// an artifact, and the set is then built in place rather than moved.
    #[inline]
    pub fn push_last(&mut self, name: &str, set: DigestSet) -> Result<(), DigestSet> {
        let last = self.entries.len().checked_sub(1);
        if last.is_none_or(|last| self.name_at(last) < name) {
            self.push_unchecked(name, set);
            Ok(())
        } else {
            Err(set)
        }
    }

    /// Appends `name` without checking the order (callers know it sorts last).
    fn push_unchecked(&mut self, name: &str, set: DigestSet) {
        self.names.push_str(name);
        self.entries.push((self.names.len(), set));
    }

    /// (name, digests) in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            artifacts: self,
            front: 0,
            back: self.entries.len(),
        }
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(name, _)| name)
    }

    /// The digest sets, in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &DigestSet> + ExactSizeIterator {
        self.entries.iter().map(|(_, set)| set)
    }

    /// A cursor for looking up names in ascending order.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor {
            artifacts: self,
            at: 0,
        }
    }
}

/// Looks up names in one [`Artifacts`], remembering where the last one was:
/// a run of ascending names costs about one comparison each (any order is
/// still answered correctly, only more slowly).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    artifacts: &'a Artifacts,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The index of `name`.
    pub fn find(&mut self, name: &str) -> Option<usize> {
        match self.artifacts.search_from(self.at, name) {
            Ok(i) => {
                // The next name asked for is most likely the next one listed.
                self.at = i + 1;
                Some(i)
            }
            Err(i) => {
                self.at = i;
                None
            }
        }
    }

    /// The digests of `name`.
    pub fn get(&mut self, name: &str) -> Option<&'a DigestSet> {
        let artifacts = self.artifacts;
        self.find(name).and_then(|i| artifacts.digest_at(i))
    }
}

/// Iterator over an [`Artifacts`]' entries in name order.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    artifacts: &'a Artifacts,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a DigestSet);

    fn next(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let i = self.front;
        self.front += 1;
        let set = self.artifacts.digest_at(i)?;
        Some((self.artifacts.name_at(i), set))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back.saturating_sub(self.front);
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        let i = self.back;
        let set = self.artifacts.digest_at(i)?;
        Some((self.artifacts.name_at(i), set))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Artifacts {
    type Item = (&'a str, &'a DigestSet);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Artifacts {
    type Item = (String, DigestSet);
    type IntoIter = std::vec::IntoIter<(String, DigestSet)>;

    fn into_iter(self) -> Self::IntoIter {
        let names: Vec<String> = self.keys().map(str::to_owned).collect();
        names
            .into_iter()
            .zip(self.entries.into_iter().map(|(_, set)| set))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// Collects entries given in any order; a name given twice keeps the last
/// digests, as inserting into a map would.
impl<N: AsRef<str>> FromIterator<(N, DigestSet)> for Artifacts {
    fn from_iter<I: IntoIterator<Item = (N, DigestSet)>>(iter: I) -> Artifacts {
        let mut entries: Vec<(N, DigestSet)> = iter.into_iter().collect();
        let sorted = entries
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.0.as_ref() < b.0.as_ref()));
        if !sorted {
            // Stable: among equal names the last given comes last.
            entries.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        }
        let bytes = entries.iter().map(|(n, _)| n.as_ref().len()).sum();
        let mut out = Artifacts::with_capacity(entries.len(), bytes);
        let mut entries = entries.into_iter().peekable();
        while let Some((name, set)) = entries.next() {
            let repeated = entries
                .peek()
                .is_some_and(|(next, _)| next.as_ref() == name.as_ref());
            if !repeated {
                out.push_unchecked(name.as_ref(), set);
            }
        }
        out
    }
}

impl<const K: usize> From<[(String, DigestSet); K]> for Artifacts {
    fn from(pairs: [(String, DigestSet); K]) -> Artifacts {
        pairs.into_iter().collect()
    }
}

impl PartialEq for Artifacts {
    fn eq(&self, other: &Artifacts) -> bool {
        self.names == other.names && self.entries == other.entries
    }
}

impl Eq for Artifacts {}

impl fmt::Debug for Artifacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Artifacts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, set) in self {
            map.serialize_entry(name, set)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Artifacts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Artifacts, D::Error> {
        let map = std::collections::BTreeMap::<String, DigestSet>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn set(d: &str) -> DigestSet {
        [("sha256".to_string(), d.to_string())].into()
    }

    #[test]
    fn behaves_like_a_btreemap() {
        let ops = [
            ("src/b.c", "1"),
            ("a", "2"),
            ("src/b.c", "3"),
            ("z/y", "4"),
            ("m", "5"),
            ("", "6"),
        ];
        let mut arts = Artifacts::new();
        let mut map = BTreeMap::new();
        for (name, d) in ops {
            assert_eq!(
                arts.insert(name.into(), set(d)),
                map.insert(name.to_string(), set(d))
            );
            assert!(arts.iter().eq(map.iter().map(|(k, v)| (k.as_str(), v))));
        }
        assert_eq!(arts.len(), map.len());
        assert_eq!(arts.get("m"), map.get("m"));
        assert_eq!(arts.get("n"), None);
        assert!(arts.keys().rev().eq(map.keys().rev().map(String::as_str)));
        assert_eq!(
            serde_json::to_value(&arts).unwrap(),
            serde_json::to_value(&map).unwrap()
        );
        assert_eq!(format!("{arts:?}"), format!("{map:?}"));
        let collected: Artifacts = map.clone().into_iter().collect();
        assert_eq!(collected, arts);
        assert!(arts.clone().into_iter().eq(map.clone()));
        let repeated: Artifacts = [
            ("b".to_string(), set("1")),
            ("a".to_string(), set("2")),
            ("b".to_string(), set("3")),
        ]
        .into();
        assert_eq!(repeated.get("b"), Some(&set("3")));
        assert_eq!(repeated.len(), 2);
    }

    proptest! {
        #[test]
        fn searches_agree(
            names in proptest::collection::btree_set("[a-c/]{0,4}", 0..40),
            queries in proptest::collection::vec("[a-c/]{0,4}", 0..40),
            from in 0usize..45,
        ) {
            let arts: Artifacts = names.iter().map(|n| (n.clone(), set("x"))).collect();
            let sorted: Vec<&String> = names.iter().collect();
            for q in &queries {
                let want = sorted.binary_search(&q);
                prop_assert_eq!(arts.search(q), want);
                prop_assert_eq!(arts.search_from(from, q), want);
            }
            let mut cursor = arts.cursor();
            let mut ascending = queries.clone();
            ascending.sort();
            for q in queries.iter().chain(&ascending) {
                prop_assert_eq!(cursor.find(q), sorted.binary_search(&q).ok());
            }
        }
    }
}
