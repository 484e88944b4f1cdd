//! Links of many artifacts, read without building a `serde_json::Value` tree.
//!
//! A link of 100,000 artifacts is 25 MB of JSON; as a `Value` it is a tree
//! node and three strings per artifact, built, canonicalised and dropped
//! again. Here a metablock link is walked by [`super::linkscan`] (its
//! artifacts straight into the model, its canonical JSON written again in
//! pieces for the signature check), and a DSSE envelope is read into a
//! [`Borrowed`] value (strings borrowed from the input, the same strictness
//! as [`cairn_json::parse`]) whose payload is decoded once and walked the same
//! way. Everything else about the link (its small fields, `_type`,
//! case-variant keys, signatures) is still checked by the one reader of each
//! part, on a `Value` of that part alone.
//!
//! This is only a faster road to the same result: on any input it does not
//! accept, the caller takes the ordinary road, which then reports the
//! problem with its exact location. It must never accept more.

use std::borrow::Cow;
use std::ops::Range;

use serde_json::{Map, Value};

use super::document::{document_from_value, read_document, read_signatures, Document};
use super::dsse::Signature;
use super::dsse::{
    b64_check, b64_decode, pae_header, CheckedBase64, Envelope, INTOTO_PAYLOAD_TYPE,
};
use super::error::{EvidenceError, Location};
use super::limits::Limits;
use super::linkscan::Signed;
use super::model::Link;
use super::parse::{content, Content};
use super::scheme::Written;
use cairn_json::Borrowed;

/// What reading a document gave: a link read on the fast road, or a
/// document for the ordinary road.
pub enum Read {
    /// A link metablock or DSSE-wrapped link, completely read and checked.
    Link(Document, Box<Link>, Vec<EvidenceError>),
    /// Any other document.
    Other(Document, Vec<EvidenceError>),
}

/// What [`read_with`] gives: a document read (with what checked it, if
/// anything did), or a DSSE envelope read but for its payload, whose base64
/// text is still in the input (see [`Pending`]).
pub(super) enum Begun<T> {
    /// The document, and the result of checking it (see [`read_with`]).
    Read(Read, Option<T>),
    /// To be finished by [`Pending::finish`].
    Envelope(Pending),
    /// A link metablock walked, to be checked by [`Walked::check`] (only
    /// with [`Options::defer`]).
    Walked(Box<Walked>),
}

/// How a document is read: where it is from, its limits, whether its work
/// may be split over two threads, and whether the signed bytes of a link
/// whose signatures were checked while it was read are released.
#[derive(Clone, Copy)]
pub(super) struct Options<'a> {
    /// Where the document is, for diagnostics.
    pub at: &'a Location,
    /// Its limits.
    pub limits: &'a Limits,
    /// Whether a second thread may take part.
    pub split: bool,
    /// Whether a checked link's document is returned empty.
    pub release: bool,
    /// Whether a walked metablock link is returned unchecked
    /// ([`Begun::Walked`]), for its check to be done as work of its own.
    pub defer: bool,
}

/// Reads one document from `bytes`, taking the fast road for links (a DSSE
/// payload decoded into a buffer of its own).
#[cfg(test)]
pub(super) fn read(bytes: &[u8], at: &Location, limits: &Limits) -> Result<Read, EvidenceError> {
    let options = Options {
        at,
        limits,
        split: false,
        release: false,
        defer: false,
    };
    match read_with(bytes, options, |_| (), |_, _| None)? {
        Begun::Read(read, _) => Ok(read),
        Begun::Walked(walked) => {
            let (link, notes, ()) = walked.check(|_, _| ());
            Ok(Read::Link(released(), link, notes))
        }
        Begun::Envelope(pending) => {
            let payload = pending.decode(bytes, at)?;
            let (read, _) = pending.finish(payload.into(), options, |_| (), |_, _| None);
            Ok(read)
        }
    }
}

/// Reads one document from `bytes`, taking the fast road for links and
/// checking the signatures of what it reads. A walked metablock link is
/// checked by `written`, over its canonical JSON handed over in pieces after
/// the walk (when `written` gives `None`, the bytes are made whole and
/// `side` checks the document); with `release` its document is returned
/// empty, its canonical bytes not kept. The result of the check is returned
/// for a link and for any DSSE envelope; otherwise (`None`) nothing of it
/// is kept, and the caller does that work itself.
///
/// A DSSE envelope whose payload is plain base64 text in `bytes` comes back
/// as [`Begun::Envelope`]: the caller decodes the payload (where it is, if
/// it may change `bytes`) and finishes it with [`Pending::finish`], which
/// walks its link while `written` checks it on another thread (`split`).
/// One whose payload text has escapes is finished here, from the unescaped
/// copy.
pub(super) fn read_with<T: Send>(
    bytes: &[u8],
    options: Options<'_>,
    side: impl Fn(&Document) -> T + Sync,
    written: impl Fn(&[Signature], &Written<'_>) -> Option<T> + Sync,
) -> Result<Begun<T>, EvidenceError> {
    let Options { at, limits, .. } = options;
    if let Some(walked) = scanned_metablock(bytes, options) {
        if options.defer {
            return Ok(Begun::Walked(Box::new(walked)));
        }
        if let Some((read, done)) = walked.check_now(options, &side, &written) {
            return Ok(Begun::Read(read, done));
        }
    }
    let Ok(root) = cairn_json::parse_borrowed(bytes, limits.max_depth) else {
        // The ordinary reader reports exactly where and why.
        return read_document(bytes, at, limits)
            .map(|(doc, notes)| Begun::Read(Read::Other(doc, notes), None));
    };
    let Some(parts) = envelope_parts(&root, at) else {
        let (document, notes) = document_from_value(root.to_value(), at)?;
        return Ok(Begun::Read(Read::Other(document, notes), None));
    };
    let EnvelopeParts {
        text,
        checked,
        envelope,
        notes,
    } = parts;
    if let Some(text) = within(bytes, text) {
        return Ok(Begun::Envelope(Pending {
            text,
            checked,
            envelope,
            notes,
        }));
    }
    // The text had escapes: the payload is decoded from the unescaped copy.
    let payload = b64_decode(text);
    drop(root);
    let Some(payload) = payload else {
        return Err(not_base64(at));
    };
    let (read, done) = finish(envelope, payload.into(), notes, options, side, written);
    Ok(Begun::Read(read, done))
}

/// Where `text` lies in `bytes`, when it is a part of them.
fn within(bytes: &[u8], text: &str) -> Option<Range<usize>> {
    let start = (text.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
    let range = start..start.checked_add(text.len())?;
    let part = bytes.get(range.clone())?;
    std::ptr::eq(part.as_ptr(), text.as_ptr()).then_some(range)
}

/// A DSSE envelope of exactly `payload`, `payloadType` and `signatures`
/// that the ordinary reader accepts, with its payload not yet decoded: its
/// base64 text, already checked, is at `text` in the input it was read
/// from, and only that input may be given to `Pending::decode` (into a
/// buffer of its own) or [`Pending::decode_in_place`] (where the text is,
/// so that a link's 20 MB payload needs no second buffer); either way
/// [`Pending::finish`] reads it.
pub(super) struct Pending {
    text: Range<usize>,
    checked: CheckedBase64,
    /// The envelope, its payload left empty.
    envelope: Envelope,
    notes: Vec<EvidenceError>,
}

impl Pending {
    /// The payload decoded from `bytes`, the input the envelope at `at`
    /// was read from, into a new buffer.
    #[cfg(test)]
    pub(super) fn decode(&self, bytes: &[u8], at: &Location) -> Result<Vec<u8>, EvidenceError> {
        let text = bytes.get(self.text.clone());
        text.and_then(|text| b64_decode(std::str::from_utf8(text).ok()?))
            .ok_or_else(|| not_base64(at))
    }

    /// The payload decoded where its text is in `bytes`, the input the
    /// envelope at `at` was read from (which is changed: the text is gone).
    pub(super) fn decode_in_place<'b>(
        &self,
        bytes: &'b mut [u8],
        at: &Location,
    ) -> Result<&'b [u8], EvidenceError> {
        let decoded = bytes
            .get_mut(self.text.clone())
            .and_then(|text| self.checked.decode_in_place(text));
        match decoded {
            Some(payload) => Ok(payload),
            None => Err(not_base64(at)),
        }
    }

    /// Reads the envelope with its decoded `payload` (see [`finish`]).
    pub(super) fn finish<T: Send>(
        self,
        payload: Cow<'_, [u8]>,
        options: Options<'_>,
        side: impl Fn(&Document) -> T + Sync,
        written: impl Fn(&[Signature], &Written<'_>) -> Option<T> + Sync,
    ) -> (Read, Option<T>) {
        finish(self.envelope, payload, self.notes, options, side, written)
    }
}

/// Reads an envelope (its payload field left empty) with its decoded
/// `payload`, as [`read_with`] reads a metablock: a link in it is walked
/// while `written` checks the signatures over the payload's PAE, given in
/// two parts (`side` checks the document when `written` does not). With
/// `options.release`, a checked link's document is returned empty, and a
/// borrowed payload is never copied; any other document (a Statement, a
/// layout, a link kept whole) owns a copy of the payload.
fn finish<T: Send>(
    envelope: Envelope,
    payload: Cow<'_, [u8]>,
    notes: Vec<EvidenceError>,
    options: Options<'_>,
    side: impl Fn(&Document) -> T + Sync,
    written: impl Fn(&[Signature], &Written<'_>) -> Option<T> + Sync,
) -> (Read, Option<T>) {
    let Options {
        at,
        limits,
        split,
        release,
        ..
    } = options;
    let header = pae_header(envelope.payload_type.as_bytes(), payload.len(), 0);
    let message = |sink: &mut dyn FnMut(&[u8])| {
        sink(&header);
        sink(&payload);
    };
    // The envelope is what it is whatever its payload says.
    let (link, done) = cairn_base::parallel::both(
        split,
        || dsse_link(&envelope.payload_type, &payload, at, limits),
        || written(&envelope.signatures, &message),
    );
    match (link, done) {
        (Some(link), Some(done)) if release => {
            (Read::Link(released(), Box::new(link), notes), Some(done))
        }
        (link, done) => {
            let document = Document::Dsse(Envelope {
                payload: payload.into_owned(),
                ..envelope
            });
            let done = done.unwrap_or_else(|| side(&document));
            let read = match link {
                Some(link) if release => Read::Link(released(), Box::new(link), notes),
                Some(link) => Read::Link(document, Box::new(link), notes),
                None => Read::Other(document, notes),
            };
            (read, Some(done))
        }
    }
}

/// What the ordinary reader says of an envelope whose payload is not
/// base64 (a pending payload's text was checked, so this is not expected).
fn not_base64(at: &Location) -> EvidenceError {
    EvidenceError::Encoding {
        at: at.clone().with_field("$.payload"),
        encoding: "base64",
    }
}

/// A document without signatures or signed bytes.
pub fn released() -> Document {
    Document::Metablock {
        signed: Value::Null,
        canonical: Vec::new(),
        signatures: Vec::new(),
    }
}

/// The parts of an envelope of exactly `payload`, `payloadType` and
/// `signatures` that the ordinary reader accepts, read from the borrowed
/// tree: the payload's base64 text (checked, not decoded), its type, the
/// signatures and their notes. Anything else (another member, a wrong
/// type, a payload over the limit or not base64, bad signatures) is left to
/// the ordinary reader, which says why.
fn envelope_parts<'r>(root: &'r Borrowed<'_>, at: &Location) -> Option<EnvelopeParts<'r>> {
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
    let checked = b64_check(text.as_bytes())?;
    let signatures = root.get("signatures").map(Borrowed::to_value);
    let (signatures, notes) = read_signatures(signatures, at, true).ok()?;
    let envelope = Envelope {
        payload_type: payload_type.as_ref().to_owned(),
        payload: Vec::new(),
        signatures,
    };
    Some(EnvelopeParts {
        text,
        checked,
        envelope,
        notes,
    })
}

/// What [`envelope_parts`] gives.
struct EnvelopeParts<'r> {
    /// The payload's base64 text, as read (unescaped).
    text: &'r str,
    /// What checked it.
    checked: CheckedBase64,
    /// The envelope, its payload left empty.
    envelope: Envelope,
    notes: Vec<EvidenceError>,
}

/// A link metablock read in one pass by [`super::linkscan`], its signatures
/// not checked yet: [`Walked::check`] (or [`Walked::check_now`]) checks them
/// over its canonical JSON, written again in pieces from the walked link.
pub(super) struct Walked {
    /// The link's small members, its artifact lists empty.
    link: Link,
    /// The walked link, its artifact lists both present.
    signed: Signed,
    signatures: Vec<Signature>,
    notes: Vec<EvidenceError>,
}

/// Walks a link metablock ([`Walked`]); `None` leaves it to the ordinary
/// reader.
fn scanned_metablock(bytes: &[u8], options: Options<'_>) -> Option<Walked> {
    let Options { at, limits, .. } = options;
    let (signatures, signed) = super::linkscan::metablock(bytes, limits)?;
    // A link whose lists are not both objects is the ordinary reader's.
    if signed.materials.is_none() || signed.products.is_none() {
        return None;
    }
    let link = link_shell(&signed.small, at, limits)?;
    let (signatures, notes) = read_signatures(Some(signatures), at, false).ok()?;
    Some(Walked {
        link,
        signed,
        signatures,
        notes,
    })
}

impl Walked {
    /// Notes on the signatures (problems the reader found and ignored),
    /// taken out.
    pub(super) fn take_notes(&mut self) -> Vec<EvidenceError> {
        std::mem::take(&mut self.notes)
    }

    /// What `check` gives for the signatures and the canonical JSON they
    /// are over, written again in pieces from the walked link.
    fn check_with<T>(&self, check: impl FnOnce(&[Signature], &Written<'_>) -> T) -> T {
        let message = |sink: &mut dyn FnMut(&[u8])| {
            // The walk checked that every member has a canonical form.
            let _ = super::linkscan::write_canonical(&self.signed, sink);
        };
        check(&self.signatures, &message)
    }

    /// The link, the notes on its signatures (unless taken out), and what
    /// `check` gave for its signatures and the message they are over. Its
    /// document is not kept.
    pub(super) fn check<T>(
        self,
        check: impl FnOnce(&[Signature], &Written<'_>) -> T,
    ) -> (Box<Link>, Vec<EvidenceError>, T) {
        let done = self.check_with(check);
        let Walked {
            link,
            signed,
            notes,
            ..
        } = self;
        (Box::new(with_lists(link, signed)), notes, done)
    }

    /// Checks the signatures as [`read_with`] says: with `written`, or the
    /// canonical bytes made whole and `side`.
    fn check_now<T>(
        self,
        options: Options<'_>,
        side: &impl Fn(&Document) -> T,
        written: &impl Fn(&[Signature], &Written<'_>) -> Option<T>,
    ) -> Option<(Read, Option<T>)> {
        let checked = self.check_with(written);
        let Walked {
            link,
            signed,
            signatures,
            notes,
        } = self;
        let (document, done) = match checked {
            Some(done) if options.release => (released(), done),
            checked => {
                let mut canonical = Vec::new();
                super::linkscan::canonical(&signed, &mut canonical)?;
                let document = Document::Metablock {
                    signed: Value::Null,
                    canonical,
                    signatures,
                };
                let done = checked.unwrap_or_else(|| side(&document));
                (
                    if options.release {
                        released()
                    } else {
                        document
                    },
                    done,
                )
            }
        };
        let link = with_lists(link, signed);
        Some((Read::Link(document, Box::new(link), notes), Some(done)))
    }
}

/// `link` with the artifact lists of the walked `signed`.
fn with_lists(mut link: Link, signed: Signed) -> Link {
    link.materials = signed.materials.unwrap_or_default();
    link.products = signed.products.unwrap_or_default();
    link
}

/// The link in a DSSE envelope of classic in-toto metadata.
fn dsse_link(payload_type: &str, payload: &[u8], at: &Location, limits: &Limits) -> Option<Link> {
    if payload_type != INTOTO_PAYLOAD_TYPE {
        return None;
    }
    let signed = super::linkscan::payload(payload, limits)?;
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
        for (split, release, pieces, defer) in [
            (false, false, false, false),
            (true, false, false, false),
            (true, true, false, false),
            (false, false, true, false),
            (true, true, true, false),
            (true, true, true, true),
        ] {
            let ordinary = ordinary.clone();
            let options = Options {
                at: &at,
                limits: &limits,
                split,
                release,
                defer,
            };
            let side = Document::message;
            let fast = if pieces {
                read_whole(text.as_bytes(), options, side, whole)
            } else {
                read_whole(text.as_bytes(), options, side, |_, _| None)
            };
            match (ordinary, fast) {
                (
                    Ok((doc, Content::Link(link))),
                    Ok((Read::Link(fast_doc, fast_link, _), side)),
                ) => {
                    assert_eq!(*fast_link, link, "{text}");
                    if release {
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

    /// [`read_with`] finished as its callers finish it: a pending envelope's
    /// payload is decoded in place (in a copy of `bytes`), and the same
    /// envelope finished with the payload decoded into a buffer of its own
    /// must give the same link, signed bytes and check.
    fn read_whole<T: Send + PartialEq + std::fmt::Debug>(
        bytes: &[u8],
        options: Options<'_>,
        side: impl Fn(&Document) -> T + Sync + Copy,
        written: impl Fn(&[Signature], &Written<'_>) -> Option<T> + Sync + Copy,
    ) -> Result<(Read, Option<T>), EvidenceError> {
        let pending = match read_with(bytes, options, side, written)? {
            Begun::Read(read, done) => return Ok((read, done)),
            Begun::Envelope(pending) => pending,
            // Checked later, as its callers check it.
            Begun::Walked(walked) => {
                let (link, notes, done) = walked.check(written);
                return Ok((Read::Link(released(), link, notes), done));
            }
        };
        let copied = pending.decode(bytes, options.at)?;
        let mut own = bytes.to_vec();
        let in_place = pending.decode_in_place(&mut own, options.at)?;
        assert_eq!(in_place, copied);
        let again = match read_with(bytes, options, side, written)? {
            Begun::Envelope(again) => again,
            Begun::Read(..) | Begun::Walked(_) => panic!("the same bytes read differently"),
        };
        let (read, done) = pending.finish(Cow::Borrowed(in_place), options, side, written);
        let (read_copied, done_copied) = again.finish(copied.into(), options, side, written);
        assert_eq!(done, done_copied);
        match (&read, &read_copied) {
            (Read::Link(doc, link, notes), Read::Link(doc2, link2, notes2)) => {
                assert_eq!(link, link2);
                assert_eq!(doc.message(), doc2.message());
                assert_eq!(doc.signatures(), doc2.signatures());
                assert_eq!(format!("{notes:?}"), format!("{notes2:?}"));
            }
            (Read::Other(doc, notes), Read::Other(doc2, notes2)) => {
                assert_eq!(doc.message(), doc2.message());
                assert_eq!(doc.signatures(), doc2.signatures());
                assert_eq!(format!("{notes:?}"), format!("{notes2:?}"));
            }
            _ => panic!("in place and copied roads differ"),
        }
        Ok((read, done))
    }

    /// The envelope read from the borrowed tree is the ordinary reader's,
    /// and every envelope the ordinary reader refuses is declined.
    fn envelope_agrees(text: &str, limits: &Limits) -> bool {
        let at = Location::file("t.dsse");
        let ordinary = read_document(text.as_bytes(), &at, limits);
        let root = cairn_json::parse_borrowed(text.as_bytes(), limits.max_depth).unwrap();
        let fast = envelope_parts(&root, &at).map(|parts| {
            let envelope = Envelope {
                payload: b64_decode(parts.text).unwrap(),
                ..parts.envelope
            };
            (envelope, parts.notes)
        });
        match (ordinary, fast) {
            (Ok((Document::Dsse(env), notes)), Some((fast_env, fast_notes))) => {
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
