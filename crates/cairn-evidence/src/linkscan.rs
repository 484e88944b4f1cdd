//! Links read in one pass, without a tree of their artifacts.
//!
//! A link of 100,000 artifacts is two objects of 100,000 members. Read into
//! a tree, each member is a node and each digest set an object of its own,
//! only to be copied into [`Artifacts`] and dropped. Here the link is walked
//! member by member with [`Scanner`]: the artifact maps go straight into
//! [`Artifacts`], and only the small members (`_type`, `name`, `command`,
//! ...) become values, read by the one reader of links (see
//! [`super::bulk`]). A metablock's canonical JSON, what its signatures are
//! over, is a function of what was read, so it is written again from the
//! walked link in pieces while the signatures are checked
//! ([`write_canonical`]), never held whole (20 MB for such a link).
//!
//! Like every fast road it only declines: repeated or unknown top-level
//! keys, repeated names, names the ordinary reader refuses, numbers without
//! a canonical form, anything unexpected return `None`, and the caller
//! reads the document the ordinary way, which reports the problem.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::canonical::{write_string, write_value};
use super::limits::Limits;
use super::members::hex_len;
use super::model::{Artifacts, DigestSet};
use cairn_json::{Borrowed, Scanner};

/// A link's `signed` object, walked.
pub struct Signed {
    /// Every member but the artifact maps, as values.
    pub small: Map<String, Value>,
    /// `materials`, when it was an object.
    pub materials: Option<Artifacts>,
    /// `products`, when it was an object.
    pub products: Option<Artifacts>,
}

/// A `{"signatures": [...], "signed": {...}}` metablock whose `signed` walks
/// cleanly: the signatures as a value and the walked `signed`. Its
/// canonical JSON is written from what was read ([`canonical`],
/// [`write_canonical`]), so the members may come in any order.
pub fn metablock(bytes: &[u8], limits: &Limits) -> Option<(Value, Signed)> {
    // The walk enters objects by hand, four levels deep at most.
    if limits.max_depth < 4 {
        return None;
    }
    let mut scan = Scanner::new(bytes, limits.max_depth).ok()?;
    if !scan.enter_object().ok()? {
        return None;
    }
    let mut signatures = None;
    let mut signed = None;
    loop {
        let key = scan.key().ok()?;
        match key.as_ref() {
            "signatures" if signatures.is_none() => {
                signatures = Some(scan.value(1).ok()?.to_value());
            }
            "signed" if signed.is_none() => signed = Some(walk_signed(&mut scan)?),
            _ => return None,
        }
        if !scan.next_member().ok()? {
            break;
        }
    }
    scan.finish().ok()?;
    let signed = signed?;
    // Only a link whose canonical form exists takes this road: its small
    // members are the only part that may have none (a non-integer number).
    let mut scratch = Vec::new();
    for (key, value) in &signed.small {
        let walked = match key.as_str() {
            "materials" => signed.materials.is_some(),
            "products" => signed.products.is_some(),
            _ => false,
        };
        if !walked {
            write_value(value, &mut scratch).ok()?;
            scratch.clear();
        }
    }
    Some((signatures?, signed))
}

/// A link document on its own (the payload of a DSSE envelope).
pub fn payload(bytes: &[u8], limits: &Limits) -> Option<Signed> {
    if limits.max_depth < 4 {
        return None;
    }
    let mut scan = Scanner::new(bytes, limits.max_depth).ok()?;
    let signed = walk_signed(&mut scan)?;
    scan.finish().ok()?;
    Some(signed)
}

/// The canonical JSON of a walked link, written again from what the walk
/// read: the members in key order, each artifact list as the object it was
/// (names and digests exactly as given, so the bytes are those of the
/// document itself). Appends to `out`; `None` if a small member has no
/// canonical form (a non-integer number).
pub fn canonical(signed: &Signed, out: &mut Vec<u8>) -> Option<()> {
    emit(signed, out, &mut |_| {})
}

/// [`canonical`] handed to `sink` in pieces of about 64 KiB, never held
/// whole: what a link's signatures are checked over.
pub fn write_canonical(signed: &Signed, sink: &mut dyn FnMut(&[u8])) -> Option<()> {
    let mut out = Vec::with_capacity(CHUNK + 1024);
    emit(signed, &mut out, &mut |out: &mut Vec<u8>| {
        if out.len() >= CHUNK {
            sink(out);
            out.clear();
        }
    })?;
    sink(&out);
    Some(())
}

/// The size of the pieces [`write_canonical`] hands over.
const CHUNK: usize = 64 * 1024;

/// Writes the canonical JSON of `signed` to `out`, calling `flush` with it
/// between artifacts (to take what is there so far).
fn emit(signed: &Signed, out: &mut Vec<u8>, flush: &mut dyn FnMut(&mut Vec<u8>)) -> Option<()> {
    out.push(b'{');
    // A `serde_json::Map` iterates its keys in byte order: canonical order.
    for (i, (key, value)) in signed.small.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        let artifacts = match key.as_str() {
            "materials" => signed.materials.as_ref(),
            "products" => signed.products.as_ref(),
            _ => None,
        };
        match artifacts {
            Some(artifacts) => write_artifacts(artifacts, out, flush),
            None => write_value(value, out).ok()?,
        }
    }
    out.push(b'}');
    Some(())
}

/// An artifact list as canonical JSON (names in byte order, digest sets
/// by algorithm name).
fn write_artifacts(artifacts: &Artifacts, out: &mut Vec<u8>, flush: &mut dyn FnMut(&mut Vec<u8>)) {
    out.push(b'{');
    for (i, (name, set)) in artifacts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
            flush(out);
        }
        write_string(name, out);
        if let Some(raw) = set.as_sha256() {
            out.extend_from_slice(&sha256_set(raw));
            continue;
        }
        out.extend_from_slice(b":{");
        for (j, (alg, digest)) in set.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write_string(alg, out);
            out.push(b':');
            write_string(&digest, out);
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// The canonical JSON after an artifact's name when its set is the usual
/// one, `:{"sha256":"<hex>"}`, made in one piece on the stack: appending it
/// digit by digit checked the vector's room 64 times an artifact.
fn sha256_set(raw: &[u8; 32]) -> [u8; SHA256_SET] {
    const HEAD: &[u8; 12] = b":{\"sha256\":\"";
    let mut text = [0u8; SHA256_SET];
    let (head, rest) = text.split_at_mut(HEAD.len());
    head.copy_from_slice(HEAD);
    let (hex, tail) = rest.split_at_mut(64);
    // A nibble's digit without a table: `a` to `f` are 39 past `9` + 1.
    let digit = |nibble: u8| b'0' + nibble + (9u8.wrapping_sub(nibble) >> 7) * 39;
    for (pair, byte) in hex.chunks_exact_mut(2).zip(raw) {
        if let [hi, lo] = pair {
            *hi = digit(byte >> 4);
            *lo = digit(byte & 0x0f);
        }
    }
    tail.copy_from_slice(b"\"}");
    text
}

/// The length of [`sha256_set`]'s text.
const SHA256_SET: usize = 12 + 64 + 2;

/// Walks the link object at the scanner (one level in). Repeated keys
/// decline.
fn walk_signed(scan: &mut Scanner<'_>) -> Option<Signed> {
    let mut out = Signed {
        small: Map::new(),
        materials: None,
        products: None,
    };
    if !scan.enter_object().ok()? {
        return None;
    }
    loop {
        let key = scan.key().ok()?;
        let value = match key.as_ref() {
            "materials" | "products" if scan.at_object() => {
                let artifacts = walk_artifacts(scan)?;
                if key == "materials" {
                    out.materials = Some(artifacts);
                } else {
                    out.products = Some(artifacts);
                }
                // The reader of the small members sees an empty map here.
                Value::Object(Map::new())
            }
            _ => scan.value(2).ok()?.to_value(),
        };
        // A document that says it is no link (a Statement, whose `_type`
        // comes first) is declined before its predicate is read.
        if key == "_type" && value.as_str() != Some("link") {
            return None;
        }
        if out.small.insert(key.into_owned(), value).is_some() {
            return None;
        }
        if !scan.next_member().ok()? {
            break;
        }
    }
    Some(out)
}

/// Walks an artifact map (two levels in): each name checked as
/// [`super::bulk`] checks it, each digest set as [`digest_set`] reads it.
/// Names in ascending order (as in-toto writes them) go straight into the
/// list; any other order is sorted at the end, and a repeated name declines.
fn walk_artifacts(scan: &mut Scanner<'_>) -> Option<Artifacts> {
    // Room for as many entries as the rest of the input could hold (an
    // entry takes at least 8 bytes): growing a list of a million by
    // doubling moves it again and again. Room not written to costs address
    // space, not memory.
    let room = scan.remaining() / 8;
    let mut sorted = Artifacts::with_capacity(room, scan.remaining().min(room.saturating_mul(64)));
    // Entries after the first one out of order.
    let mut rest: Vec<(Cow<'_, str>, DigestSet)> = Vec::new();
    if scan.enter_object().ok()? {
        loop {
            // The usual entry, `"<plain name>": {"sha256": "<hex>"}`, read
            // in one go: each byte is looked at once, the name checked as
            // its end is found (a name it cannot pass at once gets the full
            // check below), the digest decoded as it is checked.
            let member = scan.sha256_member(
                super::names::plain_name,
                super::digest_set::raw_sha256_bytes,
            );
            let (name, surely_normal, set) = match member {
                Some((name, normal, raw)) => {
                    (Cow::Borrowed(name), normal, DigestSet::from_sha256(raw))
                }
                None => {
                    let name = scan.key().ok()?;
                    let set = match scan.plain_pair() {
                        // `{"sha256": "<hex>"}`: no tree, nothing to unescape.
                        Some((alg, digest)) => pair_set(alg, digest)?,
                        None => digest_set(&scan.value(3).ok()?)?,
                    };
                    (name, false, set)
                }
            };
            // A refused name goes to the ordinary reader, which says why (E320).
            if !surely_normal && super::names::artifact_name_problem(&name).is_some() {
                return None;
            }
            let set = match rest.is_empty() {
                true => sorted.push_last(&name, set).err(),
                false => Some(set),
            };
            if let Some(set) = set {
                rest.push((name, set));
            }
            if !scan.next_member().ok()? {
                break;
            }
        }
    }
    if rest.is_empty() {
        return Some(sorted);
    }
    let mut all: Vec<(Cow<'_, str>, DigestSet)> = sorted
        .into_iter()
        .map(|(name, set)| (Cow::Owned(name), set))
        .chain(rest)
        .collect();
    all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if all.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return None;
    }
    Some(all.into_iter().collect())
}

/// A one-digest set read by [`Scanner::plain_pair`], checked as
/// [`digest_set`] checks it.
fn pair_set(alg: &str, digest: &str) -> Option<DigestSet> {
    if alg == "sha256" {
        if let Some(raw) = super::digest_set::raw_sha256(digest) {
            return Some(DigestSet::from_sha256(raw));
        }
    }
    if hex_len(alg).is_some_and(|lens| !lens.contains(&digest.len())) {
        return None;
    }
    let mut set = DigestSet::new();
    set.insert_str(alg, digest.to_owned());
    Some(set)
}

/// A digest set checked like [`super::members::digest_set`]: strings,
/// known algorithms in lowercase hex of their length.
pub(super) fn digest_set(value: &Borrowed<'_>) -> Option<DigestSet> {
    let Borrowed::Object(digests) = value else {
        return None;
    };
    // The usual entry, one SHA-256 digest, is kept as its bytes.
    if let [(alg, Borrowed::String(digest))] = digests.as_slice() {
        if alg == "sha256" {
            if let Some(raw) = super::digest_set::raw_sha256(digest) {
                return Some(DigestSet::from_sha256(raw));
            }
        }
    }
    let mut set = DigestSet::new();
    for (alg, digest) in digests {
        let Borrowed::String(digest) = digest else {
            return None;
        };
        if let Some(lens) = hex_len(alg) {
            let ok = lens.contains(&digest.len())
                && digest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return None;
            }
        }
        set.insert_str(alg, digest.as_ref().to_owned());
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the ordinary reader's canonical bytes of `text` are.
    fn ordinary(text: &str) -> Option<Vec<u8>> {
        let value = cairn_json::parse(text.as_bytes(), 128).ok()?;
        super::super::canonical::to_canonical(&value).ok()
    }

    /// A walked link's canonical bytes, written again, are the ordinary
    /// reader's; a metablock's are also the ones written during the walk.
    fn written_again_agrees(signed: &str) -> bool {
        let limits = Limits::default();
        let Some(walked) = payload(signed.as_bytes(), &limits) else {
            return false;
        };
        let mut again = Vec::new();
        let again = canonical(&walked, &mut again).map(|()| again);
        assert_eq!(again, ordinary(signed), "{signed}");
        let mut pieces = Vec::new();
        let whole = write_canonical(&walked, &mut |piece| pieces.extend_from_slice(piece));
        assert_eq!(whole.map(|()| pieces), ordinary(signed), "{signed}");
        true
    }

    #[test]
    fn canonical_bytes_written_again_are_the_documents() {
        let d = "0123456789abcdef".repeat(4);
        for signed in [
            format!(
                r#"{{"_type":"link","byproducts":{{"return-value":0}},"command":["a","\"q\""],"environment":{{}},"materials":{{"a":{{"sha256":"{d}"}},"b\u00e9\/c":{{"md5":"{}","sha256":"{d}"}}}},"name":"n","products":{{}}}}"#,
                &d[..32]
            ),
            format!(
                r#"{{"name":"n","products":{{"z":{{"sha256":"{d}"}},"y":{{"sha1":"{}"}}}},"materials":{{}},"_type":"link","command":[],"environment":{{"k":-3}}, "byproducts":{{}},"x":[null,true]}}"#,
                &d[..40]
            ),
            r#"{"_type":"link","command":[],"materials":{},"name":"n","products":{},"environment":{"f":1.5}}"#.to_owned(),
            r#"{"_type":"link","command":[],"materials":[],"name":"n","products":{}}"#.to_owned(),
        ] {
            // Sorted or not, with escapes, floats or a list for materials:
            // every one is walked and written again.
            assert!(written_again_agrees(&signed), "{signed}");
        }
    }

    /// The materials of `signed` as the ordinary reader reads the link, or
    /// `None` when it refuses it.
    fn ordinary_materials(signed: &str) -> Option<Artifacts> {
        use super::super::error::Location;
        use super::super::parse::{content, Content};
        let keyid = "ab".repeat(32);
        let text =
            format!(r#"{{"signatures":[{{"keyid":"{keyid}","sig":"00"}}],"signed":{signed}}}"#);
        let at = Location::file("t.link");
        let limits = Limits::default();
        let (document, _) =
            super::super::document::read_document(text.as_bytes(), &at, &limits).ok()?;
        match content(&document, &at, &limits).ok()? {
            Content::Link(link) => Some(link.materials),
            _ => None,
        }
    }

    proptest::proptest! {
        /// Artifact maps of generated entries, as in-toto writes them and
        /// nearly so: names with escapes, non-ASCII, control bytes, aliases
        /// or repeated; digests in uppercase, of the wrong length, of other
        /// algorithms or more than one; whitespace anywhere in an entry;
        /// any order. What the walk reads is what the ordinary reader
        /// reads, it declines whatever that reader refuses, and it reads
        /// every map of plain distinct names and SHA-256 digests.
        #[test]
        fn generated_entries_are_read_as_the_ordinary_reader_reads_them(
            entries in proptest::collection::vec(
                (
                    proptest::prop_oneof![
                        4 => "[a-c]{1,3}(/[a-c.]{1,4}){0,3}",
                        1 => "[a-c/.\"\\\\\u{e9}\u{1}\u{7f} ]{0,6}",
                    ],
                    proptest::bool::ANY,
                    0usize..16,
                    proptest::collection::vec(proptest::sample::select(vec!["", " ", "\n    ", "\t", "\r\n"]), 7),
                ),
                0..6,
            ),
            sorted in proptest::bool::ANY,
        ) {
            let d = "0123456789abcdef".repeat(4);
            let mut entries = entries;
            if sorted {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            let mut usual = true;
            let members: Vec<String> = entries
                .iter()
                .map(|(name, escaped, digest, ws)| {
                    let mut name = serde_json::to_string(name).unwrap();
                    if *escaped {
                        // The same name, spelled with an escape.
                        name = name.replacen('b', "\\u0062", 1).replacen('/', "\\/", 1);
                    }
                    let (alg, value) = match digest {
                        11 => ("sha256", d.to_uppercase()),
                        12 => ("sha256", d[1..].to_owned()),
                        13 => ("sha256", format!("{d}0")),
                        14 => ("sha512", format!("{d}{d}")),
                        15 => ("md5", d[..32].to_owned()),
                        _ => ("sha256", d.clone()),
                    };
                    usual &= *digest <= 10;
                    let [w0, w1, w2, w3, w4, w5, w6] = [0, 1, 2, 3, 4, 5, 6].map(|i| ws[i]);
                    format!(r#"{w0}{name}{w1}:{w2}{{{w3}"{alg}"{w4}:{w5}"{value}"{w6}}}"#)
                })
                .collect();
            let signed = format!(
                r#"{{"_type":"link","byproducts":{{}},"command":[],"environment":{{}},"materials":{{{}}},"name":"x","products":{{}}}}"#,
                members.join(",")
            );
            let names: Vec<&String> = entries.iter().map(|(name, ..)| name).collect();
            usual &= names.windows(2).all(|w| w[0] < w[1])
                && names.iter().all(|n| super::super::names::artifact_name_problem(n).is_none());
            let ordinary = ordinary_materials(&signed);
            match payload(signed.as_bytes(), &Limits::default()) {
                Some(walked) => {
                    proptest::prop_assert_eq!(walked.materials, ordinary, "{}", signed);
                    proptest::prop_assert!(written_again_agrees(&signed), "{}", signed);
                }
                None => proptest::prop_assert!(!usual, "declined: {}", signed),
            }
        }

        #[test]
        fn generated_links_are_written_again_exactly(
            entries in proptest::collection::vec(
                ("[a-c/.\"\\\\\u{e9} ]{1,5}", "[0-9a-f]{0,2}", proptest::bool::ANY),
                0..6,
            ),
        ) {
            let d = "0123456789abcdef".repeat(4);
            let members: Vec<String> = entries
                .iter()
                .map(|(name, tail, long)| {
                    let value = if *long { format!("{}{tail}", &d[tail.len()..]) } else { tail.clone() };
                    format!(r#"{}:{{"sha256":"{value}"}}"#, serde_json::to_string(name).unwrap())
                })
                .collect();
            let signed = format!(
                r#"{{"_type":"link","byproducts":{{}},"command":[],"environment":{{}},"materials":{{{}}},"name":"x","products":{{}}}}"#,
                members.join(",")
            );
            written_again_agrees(&signed);
        }
    }
}
