//! Links of many artifacts, read without building a `serde_json::Value` tree.
//!
//! A link of 100,000 artifacts is 25 MB of JSON; as a `Value` it is a tree
//! node and three strings per artifact, built, canonicalised and dropped
//! again. Here the document is read once into a [`Borrowed`] value (strings
//! borrowed from the input, the same strictness as [`json::parse`]), the
//! canonical bytes are written from it, and the artifacts go straight into
//! the model. Everything else about the link (its small fields, `_type`,
//! case-variant keys, signatures) is still checked by the one reader of each
//! part, on a `Value` of that part alone.
//!
//! This is only a faster road to the same result: on any input it does not
//! accept, the caller takes the ordinary road, which then reports the
//! problem with its exact location. It must never accept more.

use serde_json::{Map, Value};

use super::canonical::borrowed_to_canonical;
use super::document::{document_from_value, read_document, read_signatures, Document};
use super::dsse::{Envelope, INTOTO_PAYLOAD_TYPE};
use super::error::{EvidenceError, Location};
use super::json::{self, Borrowed};
use super::limits::Limits;
use super::linkscan::Signed;
use super::model::{Artifacts, DigestSet, Link};
use super::parse::{content, Content};

/// What reading a document gave: a link read on the fast road, or a
/// document for the ordinary road.
pub enum Read {
    /// A link metablock or DSSE-wrapped link, completely read and checked.
    Link(Document, Box<Link>, Vec<EvidenceError>),
    /// Any other document.
    Other(Document, Vec<EvidenceError>),
}

/// Reads one document from `bytes`, taking the fast road for links.
pub fn read(bytes: &[u8], at: &Location, limits: &Limits) -> Result<Read, EvidenceError> {
    if let Some(read) = scanned_metablock(bytes, at, limits) {
        return Ok(read);
    }
    let Ok(root) = json::parse_borrowed(bytes, limits.max_depth) else {
        // The ordinary reader reports exactly where and why.
        return read_document(bytes, at, limits).map(|(doc, notes)| Read::Other(doc, notes));
    };
    // Canonical JSON is shorter than the file it came from: one allocation.
    if let Some(read) = metablock_link(&root, bytes.len(), at, limits) {
        return Ok(read);
    }
    let (document, notes) = document_from_value(root.to_value(), at, limits)?;
    if let Document::Dsse(envelope) = &document {
        if let Some(link) = dsse_link(envelope, at, limits) {
            return Ok(Read::Link(document, Box::new(link), notes));
        }
    }
    Ok(Read::Other(document, notes))
}

/// A `{signed, signatures}` metablock whose `signed` is a valid link.
fn metablock_link(
    root: &Borrowed<'_>,
    size_hint: usize,
    at: &Location,
    limits: &Limits,
) -> Option<Read> {
    let Borrowed::Object(members) = root else {
        return None;
    };
    if !members
        .iter()
        .all(|(k, _)| k == "signed" || k == "signatures")
    {
        return None;
    }
    let signed = root.get("signed")?;
    let link = link(signed, at, limits)?;
    let canonical = borrowed_to_canonical(signed, size_hint).ok()?;
    let signatures = root.get("signatures").map(Borrowed::to_value);
    let (signatures, notes) = read_signatures(signatures, at, limits, false).ok()?;
    let document = Document::Metablock {
        signed: Value::Null,
        canonical,
        signatures,
    };
    Some(Read::Link(document, Box::new(link), notes))
}

/// A link metablock read in one pass by [`super::linkscan`].
fn scanned_metablock(bytes: &[u8], at: &Location, limits: &Limits) -> Option<Read> {
    let (signatures, signed, canonical) = super::linkscan::metablock(bytes, limits)?;
    let link = link_from_parts(signed, at, limits)?;
    let (signatures, notes) = read_signatures(Some(signatures), at, limits, false).ok()?;
    let document = Document::Metablock {
        signed: Value::Null,
        canonical,
        signatures,
    };
    Some(Read::Link(document, Box::new(link), notes))
}

/// The link in a DSSE envelope of classic in-toto metadata.
fn dsse_link(envelope: &Envelope, at: &Location, limits: &Limits) -> Option<Link> {
    if envelope.payload_type != INTOTO_PAYLOAD_TYPE {
        return None;
    }
    let signed = super::linkscan::payload(&envelope.payload, limits)?;
    link_from_parts(signed, at, limits)
}

/// A link from its walked parts: the small members read by the ordinary
/// reader (with empty artifact maps), the walked artifacts put in after.
fn link_from_parts(signed: Signed, at: &Location, limits: &Limits) -> Option<Link> {
    if signed.small.get("_type").and_then(Value::as_str) != Some("link") {
        return None;
    }
    let placeholder = Document::Metablock {
        signed: Value::Object(signed.small),
        canonical: Vec::new(),
        signatures: Vec::new(),
    };
    let Ok(Content::Link(mut link)) = content(&placeholder, at, limits) else {
        return None;
    };
    link.materials = signed.materials?;
    link.products = signed.products?;
    Some(link)
}

/// Reads a link from its `signed` object: the small fields by the ordinary
/// reader (on a `Value` without the artifacts), the artifacts here.
fn link(signed: &Borrowed<'_>, at: &Location, limits: &Limits) -> Option<Link> {
    let Borrowed::Object(members) = signed else {
        return None;
    };
    if !matches!(signed.get("_type"), Some(Borrowed::String(t)) if t == "link") {
        return None;
    }
    let mut small = Map::new();
    for (key, value) in members {
        let value = match (key.as_ref(), value) {
            ("materials" | "products", Borrowed::Object(_)) => Value::Object(Map::new()),
            ("materials" | "products", _) => return None,
            _ => value.to_value(),
        };
        small.insert(key.as_ref().to_owned(), value);
    }
    let placeholder = Document::Metablock {
        signed: Value::Object(small),
        canonical: Vec::new(),
        signatures: Vec::new(),
    };
    let Ok(Content::Link(mut link)) = content(&placeholder, at, limits) else {
        return None;
    };
    link.materials = artifacts(signed.get("materials")?, limits)?;
    link.products = artifacts(signed.get("products")?, limits)?;
    Some(link)
}

/// Artifact name to digests, checked like [`super::statement::digest_set`].
fn artifacts(value: &Borrowed<'_>, limits: &Limits) -> Option<Artifacts> {
    let Borrowed::Object(members) = value else {
        return None;
    };
    if members.len() > limits.max_artifacts {
        return None;
    }
    let mut out: Vec<(&str, DigestSet)> = Vec::with_capacity(members.len());
    for (name, digests) in members {
        // A refused name goes to the ordinary reader, which says why (E320).
        if super::names::artifact_name_problem(name).is_some() {
            return None;
        }
        out.push((name, super::linkscan::digest_set(digests)?));
    }
    // Names are distinct (the reader refuses repeated keys); a sorted list
    // (as in-toto writes it) is stored in one pass, any other order sorted.
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast road gives the ordinary road's link and signed bytes, and
    /// declines whatever the ordinary road refuses.
    fn agrees(text: &str) {
        let at = Location::file("t.link");
        let limits = Limits::default();
        let ordinary = read_document(text.as_bytes(), &at, &limits)
            .and_then(|(doc, _)| content(&doc, &at, &limits).map(|c| (doc, c)));
        let fast = read(text.as_bytes(), &at, &limits);
        match (ordinary, fast) {
            (Ok((doc, Content::Link(link))), Ok(Read::Link(fast_doc, fast_link, _))) => {
                assert_eq!(*fast_link, link, "{text}");
                assert_eq!(fast_doc.message(), doc.message(), "{text}");
                assert_eq!(fast_doc.signatures(), doc.signatures(), "{text}");
            }
            (Ok((_, Content::Link(_))), _) => panic!("fast road declined a valid link: {text}"),
            (_, Ok(Read::Link(..))) => panic!("fast road accepted what is refused: {text}"),
            _ => {}
        }
    }

    #[test]
    fn fast_road_agrees_with_the_ordinary_one() {
        let digest = "ab".repeat(32);
        let link = |materials: &str, extra: &str| {
            format!(
                r#"{{"signatures":[{{"keyid":"k","sig":"00ff"}}],"signed":{{"_type":"link",
                "name":"build","command":["make"],"materials":{materials},
                "products":{{"b/x.o":{{"sha256":"{digest}"}},"a":{{"sha256":"{digest}","md5":"{}"}}}},
                "byproducts":{{}},"environment":{{"n":1}}{extra}}}}}"#,
                "cd".repeat(16)
            )
        };
        // The same link with its members in sorted order, as in-toto writes
        // it: the one-pass reader takes these.
        let sorted = |materials: &str, extra: &str| {
            format!(
                r#"{{"signatures":[{{"keyid":"k","sig":"00ff"}}],"signed":{{"_type":"link",
                "byproducts":{{}},"command":["make"],"environment":{{"n":1}},"materials":{materials},
                "name":"build","products":{{"a":{{"md5":"{}","sha256":"{digest}"}},"b/x.o":{{"sha256":"{digest}"}}}}{extra}}}}}"#,
                "cd".repeat(16)
            )
        };
        let good = format!(r#"{{"src/é\"q":{{"sha256":"{digest}"}}}}"#);
        let escaped = format!(
            r#"{{"a":{{"sha256":"{digest}"}},"src/\u00e9\/x":{{"sha256":"{digest}"}},"z":{{"sha512":"{}"}}}}"#,
            "ef".repeat(64)
        );
        assert!(super::super::linkscan::metablock(
            sorted(&good, "").as_bytes(),
            &Limits::default()
        )
        .is_some());
        let mut cases = Vec::new();
        for (materials, extra) in [
            (good.as_str(), ""),
            (escaped.as_str(), ""),
            ("{}", r#","x":{"z":[1,2,{"a":null}]}"#),
            (good.as_str(), r#","_type":"link""#),
            (good.as_str(), r#","materials":{}"#),
            (good.as_str(), r#","environment":{"f":1.5}"#),
            (r#"{"a":{"sha256":"AB"}}"#, ""),
            (r#"{"b":{"sha256":"ab"},"a":{}}"#, ""),
            (r#"{"a":{"sha1":"ab"},"a":{}}"#, ""),
            (r#"{"a":{"sha256":1}}"#, ""),
            (r#"{"a":[]}"#, ""),
            ("[]", ""),
            (r#"{"bin/../x":{"sha256":"ab"}}"#, ""),
        ] {
            cases.push(sorted(materials, extra));
            cases.push(link(materials, extra));
        }
        cases.push(sorted(&good, "").replace(r#""sig":"00ff""#, r#""sig":"zz""#));
        cases.push(sorted(&good, "").replace("}}", "}} "));
        cases.push(sorted(&good, "") + " x");
        cases.push(sorted(&good, "").replace(r#""name":"build""#, r#""name":"build","name":"b""#));
        cases.push(
            sorted(&good, "").replace(r#""signatures":"#, r#""signatures":[],"signatures":"#),
        );
        let key = super::super::keyfile::SigningKey::generate_ed25519();
        for text in &cases {
            agrees(text);
            // The same `signed` object as a DSSE payload.
            if let Some(signed) = text
                .split_once(r#""signed":"#)
                .and_then(|(_, rest)| rest.strip_suffix('}'))
            {
                let dsse =
                    super::super::dsse::sign_dsse(INTOTO_PAYLOAD_TYPE, signed.as_bytes(), &key);
                agrees(&dsse.to_line());
            }
        }
        for text in [
            link(&good, ""),
            link("{}", r#","x":{"z":[1,2,{"a":null}]}"#),
            link(&good, r#","environment":{}"#),
            link(&format!(r#"{{"a":{{"sha256":"{digest}"}},"a":{{}}}}"#), ""),
            link(r#"{"a":{"sha256":"AB"}}"#, ""),
            link(
                &format!(r#"{{"bin/../etc/passwd":{{"sha256":"{digest}"}}}}"#),
                "",
            ),
            link(&format!(r#"{{"a//b":{{"sha256":"{digest}"}}}}"#), ""),
            link(r#"{"a":{"sha256":1}}"#, ""),
            link(r#"{"a":[]}"#, ""),
            link("[]", ""),
            link(&good, r#","Name":"x""#),
            link(&good, r#","environment":{"f":1.5}"#),
            link(&good, r#","command":"make""#),
            link(&good, "").replace(r#""_type":"link""#, r#""_type":"layout""#),
            link(&good, "").replace(r#""sig":"00ff""#, r#""sig":"zz""#),
            link(&good, "").replace(r#""signatures":[{"keyid":"k","sig":"00ff"}],"#, ""),
            link(&good, "").replace("\"signatures\"", "\"Signatures\""),
            r#"{"payload":"e30=","payloadType":"x","signatures":[]}"#.to_string(),
        ] {
            agrees(&text);
        }
        let dsse = super::super::dsse::sign_dsse(
            INTOTO_PAYLOAD_TYPE,
            link(&good, "")
                .split_once(r#""signed":"#)
                .and_then(|(_, rest)| rest.strip_suffix('}'))
                .unwrap()
                .as_bytes(),
            &super::super::keyfile::SigningKey::generate_ed25519(),
        );
        agrees(&dsse.to_line());
        let at = Location::file("t.link");
        let read_dsse = read(dsse.to_line().as_bytes(), &at, &Limits::default());
        assert!(matches!(read_dsse, Ok(Read::Link(..))));
    }

    proptest::proptest! {
        /// Links of generated names and digests, written in sorted order
        /// (read in one pass) and shuffled (read the ordinary way), as
        /// metablocks and as DSSE payloads: the fast roads agree with the
        /// ordinary one.
        #[test]
        fn generated_links_agree(
            entries in proptest::collection::vec(
                ("[a-c/.\"\\\\\u{e9}\u{1} ]{0,5}", "[0-9a-fA]{0,3}", proptest::bool::ANY),
                0..6,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let digest = "0123456789abcdef".repeat(4);
            let mut members: Vec<(String, String)> = entries
                .iter()
                .map(|(name, tail, long)| {
                    let value = if *long { format!("{}{tail}", &digest[tail.len()..]) } else { tail.clone() };
                    (name.clone(), format!(r#"{{"sha256":"{value}"}}"#))
                })
                .collect();
            members.sort();
            let ws = if spaced { "\n " } else { "" };
            let map = |members: &[(String, String)]| {
                let inner: Vec<String> = members
                    .iter()
                    .map(|(n, d)| format!("{}:{ws}{d}", serde_json::to_string(n).unwrap()))
                    .collect();
                format!("{{{ws}{}{ws}}}", inner.join(&format!(",{ws}")))
            };
            let signed = |materials: &str| {
                format!(
                    r#"{{"_type":"link","byproducts":{{}},"command":[],"environment":{{}},"materials":{materials},"name":"x","products":{{}}}}"#
                )
            };
            let key = super::super::keyfile::SigningKey::generate_ed25519();
            let mut reversed = members.clone();
            reversed.reverse();
            for materials in [map(&members), map(&reversed)] {
                let body = signed(&materials);
                agrees(&format!(r#"{{"signatures":[],"signed":{body}}}"#));
                let dsse = super::super::dsse::sign_dsse(INTOTO_PAYLOAD_TYPE, body.as_bytes(), &key);
                agrees(&dsse.to_line());
            }
        }
    }
}
