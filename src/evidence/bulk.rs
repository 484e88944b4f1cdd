//! Links of many artifacts, read without building a `serde_json::Value` tree.
//!
//! A link of 100,000 artifacts is 25 MB of JSON; as a `Value` it is a tree
//! node and three strings per artifact, built, canonicalised and dropped
//! again. Here a metablock link is walked by [`super::linkscan`] (its
//! artifacts straight into the model, its canonical JSON written again in
//! pieces for the signature check), and a DSSE envelope is read into a
//! [`Borrowed`] value (strings borrowed from the input, the same strictness
//! as [`json::parse`]) whose payload is decoded once and walked the same
//! way. Everything else about the link (its small fields, `_type`,
//! case-variant keys, signatures) is still checked by the one reader of each
//! part, on a `Value` of that part alone.
//!
//! This is only a faster road to the same result: on any input it does not
//! accept, the caller takes the ordinary road, which then reports the
//! problem with its exact location. It must never accept more.

use serde_json::{Map, Value};

use super::document::{document_from_value, read_document, read_signatures, Document};
use super::dsse::Signature;
use super::dsse::{b64_decode, b64_decoded_len, Envelope, INTOTO_PAYLOAD_TYPE};
use super::error::{EvidenceError, Location};
use super::json::{self, Borrowed};
use super::limits::Limits;
use super::linkscan::Signed;
use super::model::Link;
use super::parse::{content, Content};
use super::scheme::Written;

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
    read_with(bytes, at, limits, false, false, |_| (), |_, _| None).map(|(read, _)| read)
}

/// [`read`], checking the signatures of what it reads: a walked metablock
/// link with `written` (over its canonical JSON handed over in pieces; when
/// that gives `None`, the bytes are made whole and `side` checks the
/// document), a DSSE envelope with `side`, with `split` on another thread
/// while the payload's link is walked. The result is returned for a link
/// and for any DSSE envelope; otherwise (`None`) nothing of it is kept, and
/// the caller does that work itself. With `release`, a metablock link's
/// document is returned empty: its canonical bytes are not kept.
pub fn read_with<T: Send>(
    bytes: &[u8],
    at: &Location,
    limits: &Limits,
    split: bool,
    release: bool,
    side: impl Fn(&Document) -> T + Sync,
    written: impl Fn(&[Signature], &Written<'_>) -> Option<T>,
) -> Result<(Read, Option<T>), EvidenceError> {
    if let Some(read) = scanned_metablock(bytes, at, limits, release, &side, &written) {
        return Ok(read);
    }
    let Ok(root) = json::parse_borrowed(bytes, limits.max_depth) else {
        // The ordinary reader reports exactly where and why.
        return read_document(bytes, at, limits)
            .map(|(doc, notes)| (Read::Other(doc, notes), None));
    };
    let (document, notes) = match dsse_envelope(&root, at, limits) {
        Some(read) => read,
        None => document_from_value(root.to_value(), at, limits)?,
    };
    drop(root);
    if let Document::Dsse(envelope) = &document {
        // The envelope is what it is whatever its payload says.
        let (link, done) = super::parallel::both(
            split,
            || dsse_link(envelope, at, limits),
            || side(&document),
        );
        return Ok(match link {
            Some(link) => (Read::Link(document, Box::new(link), notes), Some(done)),
            None => (Read::Other(document, notes), Some(done)),
        });
    }
    Ok((Read::Other(document, notes), None))
}

/// A document without signatures or signed bytes.
pub fn released() -> Document {
    Document::Metablock {
        signed: Value::Null,
        canonical: Vec::new(),
        signatures: Vec::new(),
    }
}

/// An envelope of exactly `payload`, `payloadType` and `signatures` that
/// the ordinary reader accepts, read from the borrowed tree: the payload is
/// decoded from the input's text, not from a copy of it. Anything else
/// (another member, a wrong type, a payload over the limit or not base64,
/// bad signatures) is left to the ordinary reader, which says why.
fn dsse_envelope(
    root: &Borrowed<'_>,
    at: &Location,
    limits: &Limits,
) -> Option<(Document, Vec<EvidenceError>)> {
    let Borrowed::Object(members) = root else {
        return None;
    };
    // Keys are distinct, so these are the three members.
    let exact = members.len() == 3
        && members
            .iter()
            .all(|(k, _)| matches!(k.as_ref(), "payload" | "payloadType" | "signatures"));
    if !exact {
        return None;
    }
    let Some(Borrowed::String(text)) = root.get("payload") else {
        return None;
    };
    let Some(Borrowed::String(payload_type)) = root.get("payloadType") else {
        return None;
    };
    if b64_decoded_len(text) > limits.max_payload_bytes {
        return None;
    }
    let signatures = root.get("signatures").map(Borrowed::to_value);
    let (signatures, notes) = read_signatures(signatures, at, limits, true).ok()?;
    let payload = b64_decode(text)?;
    let envelope = Envelope {
        payload_type: payload_type.as_ref().to_owned(),
        payload,
        signatures,
    };
    Some((Document::Dsse(envelope), notes))
}

/// A link metablock read in one pass by [`super::linkscan`]. Its signatures
/// are checked by `written` over its canonical JSON written again in pieces
/// from the walked link; when `written` does not check (`None`), the
/// canonical bytes are made whole and `side` checks the document.
fn scanned_metablock<T>(
    bytes: &[u8],
    at: &Location,
    limits: &Limits,
    release: bool,
    side: &impl Fn(&Document) -> T,
    written: &impl Fn(&[Signature], &Written<'_>) -> Option<T>,
) -> Option<(Read, Option<T>)> {
    let (signatures, mut signed) = super::linkscan::metablock(bytes, limits)?;
    let mut link = link_shell(&signed.small, at, limits)?;
    let (signatures, notes) = read_signatures(Some(signatures), at, limits, false).ok()?;
    let message = |sink: &mut dyn FnMut(&[u8])| {
        // The walk checked that every member has a canonical form.
        let _ = super::linkscan::write_canonical(&signed, sink);
    };
    let (document, done) = match written(&signatures, &message) {
        Some(done) if release => (released(), done),
        checked => {
            let mut canonical = Vec::new();
            super::linkscan::canonical(&signed, &mut canonical)?;
            let document = Document::Metablock {
                signed: Value::Null,
                canonical,
                signatures,
            };
            let done = checked.unwrap_or_else(|| side(&document));
            (if release { released() } else { document }, done)
        }
    };
    link.materials = signed.materials.take()?;
    link.products = signed.products.take()?;
    Some((Read::Link(document, Box::new(link), notes), Some(done)))
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
    let mut link = link_shell(&signed.small, at, limits)?;
    link.materials = signed.materials?;
    link.products = signed.products?;
    Some(link)
}

/// The link the small members of a walked link make, with no artifacts yet.
fn link_shell(small: &Map<String, Value>, at: &Location, limits: &Limits) -> Option<Link> {
    if small.get("_type").and_then(Value::as_str) != Some("link") {
        return None;
    }
    let placeholder = Document::Metablock {
        signed: Value::Object(small.clone()),
        canonical: Vec::new(),
        signatures: Vec::new(),
    };
    match content(&placeholder, at, limits) {
        Ok(Content::Link(link)) => Some(link),
        _ => None,
    }
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
        // `written` gives the message it is handed, in one buffer.
        let whole = |_: &[Signature], message: &Written<'_>| {
            let mut bytes = Vec::new();
            message(&mut |piece| bytes.extend_from_slice(piece));
            Some(bytes)
        };
        for (split, release, pieces) in [
            (false, false, false),
            (true, false, false),
            (true, true, false),
            (false, false, true),
            (true, true, true),
        ] {
            let ordinary = ordinary.clone();
            let side = Document::message;
            let fast = if pieces {
                read_with(text.as_bytes(), &at, &limits, split, release, side, whole)
            } else {
                read_with(
                    text.as_bytes(),
                    &at,
                    &limits,
                    split,
                    release,
                    side,
                    |_, _| None,
                )
            };
            match (ordinary, fast) {
                (
                    Ok((doc, Content::Link(link))),
                    Ok((Read::Link(fast_doc, fast_link, _), side)),
                ) => {
                    assert_eq!(*fast_link, link, "{text}");
                    if release && matches!(doc, Document::Metablock { .. }) {
                        assert_eq!(side, Some(doc.message()), "{text}");
                        assert!(fast_doc.message().is_empty(), "{text}");
                        continue;
                    }
                    assert_eq!(fast_doc.message(), doc.message(), "{text}");
                    assert_eq!(side, Some(doc.message()), "{text}");
                    assert_eq!(fast_doc.signatures(), doc.signatures(), "{text}");
                }
                (Ok((_, Content::Link(_))), _) => panic!("fast road declined a valid link: {text}"),
                (_, Ok((Read::Link(..), _))) => {
                    panic!("fast road accepted what is refused: {text}")
                }
                _ => {}
            }
        }
    }

    /// The envelope read from the borrowed tree is the ordinary reader's,
    /// and every envelope the ordinary reader refuses is declined.
    fn envelope_agrees(text: &str, limits: &Limits) -> bool {
        let at = Location::file("t.dsse");
        let ordinary = read_document(text.as_bytes(), &at, limits);
        let root = json::parse_borrowed(text.as_bytes(), limits.max_depth).unwrap();
        let fast = dsse_envelope(&root, &at, limits);
        match (ordinary, fast) {
            (Ok((Document::Dsse(env), notes)), Some((Document::Dsse(fast_env), fast_notes))) => {
                assert_eq!(fast_env, env, "{text}");
                assert_eq!(format!("{fast_notes:?}"), format!("{notes:?}"), "{text}");
                true
            }
            (_, Some(_)) => panic!("fast road accepted what is refused: {text}"),
            (_, None) => false,
        }
    }

    #[test]
    fn envelope_fast_road_agrees_with_the_ordinary_one() {
        let limits = Limits::default();
        let env = |payload: &str, extra: &str, sigs: &str| {
            format!(
                r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{payload}"{extra},"signatures":{sigs}}}"#
            )
        };
        let sigs = r#"[{"keyid":"k","sig":"AAEC"},{"sig":"%%"}]"#;
        for (text, taken) in [
            (env("eyJhIjoxfQ==", "", sigs), true),
            (env("eyJhIjoxfQ==", "", r#"[{"sig":"AAEC"}]"#), true),
            (env("-_8=", "", sigs), true),
            (env("+\\/8=", "", sigs), true),
            (env("", "", sigs), true),
            (env("eyJhIjoxfQ", "", sigs), false),
            (env("eyJh\\nIjoxfQ==", "", sigs), false),
            (env("eyJhIjoxfQ==", r#","x":1"#, sigs), false),
            (env("eyJhIjoxfQ==", "", "[]"), false),
            (env("eyJhIjoxfQ==", "", "{}"), false),
            (env("eyJhIjoxfQ==", "", r#"[{"sig":1}]"#), false),
            (
                env("eyJhIjoxfQ==", "", r#"[{"Sig":"AAEC","sig":"AAEC"}]"#),
                false,
            ),
            (
                env("eyJhIjoxfQ==", "", sigs).replace("\"payloadType\"", "\"PayloadType\""),
                false,
            ),
            (
                env("eyJhIjoxfQ==", "", sigs).replace("\"application/vnd.in-toto+json\"", "null"),
                false,
            ),
            (
                r#"{"payload":1,"payloadType":"x","signatures":[]}"#.to_owned(),
                false,
            ),
            (r#"{"signed":{},"signatures":[]}"#.to_owned(), false),
        ] {
            assert_eq!(envelope_agrees(&text, &limits), taken, "{text}");
            agrees(&text);
        }
        let tight = Limits {
            max_payload_bytes: 5,
            ..Limits::default()
        };
        assert!(!envelope_agrees(&env("eyJhIjoxfQ==", "", sigs), &tight));
        let three = Limits {
            max_payload_bytes: 6,
            max_signatures: 1,
            ..Limits::default()
        };
        assert!(!envelope_agrees(&env("eyJhIjoxfQ==", "", sigs), &three));
    }

    /// A signed DSSE link, tampered in every byte of its payload and
    /// signature text: both roads give the same document and verdict.
    #[test]
    fn tampered_envelopes_agree() {
        let key = super::super::keyfile::SigningKey::generate_ed25519();
        let payload = br#"{"_type":"link","name":"b","command":[],"materials":{},"products":{"a":{"sha256":"00"}},"byproducts":{},"environment":{}}"#;
        let line = super::super::dsse::sign_dsse(INTOTO_PAYLOAD_TYPE, payload, &key).to_line();
        let trusted = super::super::keyfile::TrustedKey::new(
            key.public(),
            super::super::scheme::Scheme::Ed25519,
            "k",
        );
        let keys = [trusted];
        let at = Location::file("t.dsse");
        let limits = Limits::default();
        let alphabet = b"Aa+=\"";
        for i in 0..line.len() {
            for &c in alphabet {
                let mut bytes = line.clone().into_bytes();
                if let Some(b) = bytes.get_mut(i) {
                    *b = c;
                }
                let ordinary = read_document(&bytes, &at, &limits);
                let fast = read(&bytes, &at, &limits);
                match (ordinary, fast) {
                    (Ok((doc, _)), Ok(Read::Link(fast_doc, ..) | Read::Other(fast_doc, _))) => {
                        assert_eq!(fast_doc.message(), doc.message());
                        assert_eq!(fast_doc.signatures(), doc.signatures());
                        let verdict = super::super::verify::check(&doc, &keys).signers;
                        let fast_verdict = super::super::verify::check(&fast_doc, &keys).signers;
                        assert_eq!(verdict, fast_verdict);
                    }
                    (Err(e), Err(fast_e)) => assert_eq!(format!("{e:?}"), format!("{fast_e:?}")),
                    (o, f) => panic!("roads differ: {} {}", o.is_ok(), f.is_ok()),
                }
            }
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
