//! Signature verification: the only way to obtain a [`Verified`] value.
//!
//! Every signature is checked on its own. A DSSE or classic `keyid` is only a
//! hint that decides which trusted keys are tried first; every trusted key is
//! tried. A key counts once however many signatures it made, and a signature
//! that fails is ignored while the others still count. A failed verification
//! is not an error: it is a [`Rejected`] value saying why.

use super::document::Document;
use super::dsse::Signature;
use super::keyfile::TrustedKey;
use super::layout::ClassicLayout;

use super::error::EvidenceError;
use super::model::{Attestation, Body, Link, Origin, Verified};
use super::scheme;
pub use super::unverified::Outcome;
use super::unverified::{Claim, LayoutSource, Unverified, UnverifiedLayout};

/// An attestation that no trusted key verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{claim} in `{origin}` is not signed by any trusted key")]
pub struct Rejected {
    /// Where it came from.
    pub origin: Origin,
    /// sha256 of its bytes.
    pub sha256: String,
    /// What it claimed to be (unauthenticated; for diagnostics only).
    pub claim: Claim,
    /// The keyid hints its signatures gave.
    pub hints: Vec<String>,
    /// The trusted key whose keyid shares the longest prefix with a hint:
    /// (hint, key label, shared prefix length).
    pub nearest: Option<(String, String, usize)>,
    /// Why each signature failed, in order.
    pub failures: Vec<String>,
    /// For a Sigstore bundle whose certificate verified: who it names
    /// (`SAN (issuer ...)`), for a finding that names both identities.
    pub signer: Option<String>,
}

impl miette::Diagnostic for Rejected {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("V190"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.help_text()))
    }
}

impl Rejected {
    fn help_text(&self) -> String {
        let mut text = String::new();
        if self.signer.is_some()
            || self
                .failures
                .iter()
                .any(|f| f.contains("Sigstore") || f.starts_with('V'))
        {
            // A Sigstore bundle: say which check refused it, and for whom.
            return self.failures.join("; ");
        }
        if self.hints.is_empty() {
            text.push_str("its signatures name no keyid; ");
        } else {
            text.push_str(&format!(
                "its signatures name keyid(s) {}; ",
                self.hints
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        match &self.nearest {
            Some((hint, label, shared)) if *shared >= 8 => text.push_str(&format!(
                "the trusted key `{label}` has a keyid starting like `{hint}` but did not verify it"
            )),
            _ => text.push_str("no trusted key has a matching keyid; pass the signer's public key"),
        }
        text
    }
}

/// Checks the signatures of `items` against `keys`. Verified attestations
/// carry the indexes (into `keys`) of the keys that signed them.
pub fn verify(
    items: Vec<Unverified>,
    keys: &[TrustedKey],
) -> (Vec<Verified<Attestation>>, Vec<Rejected>) {
    let mut verified = Vec::new();
    let mut rejected = Vec::new();
    // Signatures are checked on every core; the documents (and the bytes
    // they sign) are dropped as soon as each item is released.
    let identities = identities(keys);
    let outcomes = cairn_base::parallel::map(&items, |item| match &item.outcome {
        // Checked with these keys while it was read (see `load_verified`).
        Some(outcome) => outcome.clone(),
        None => check_with(&item.document, keys, &identities),
    });
    for (item, outcome) in items.into_iter().zip(outcomes) {
        if outcome.signers.is_empty() {
            rejected.push(Rejected {
                origin: item.origin,
                sha256: item.sha256,
                claim: item.claim,
                nearest: nearest(&outcome.hints, keys),
                hints: outcome.hints,
                failures: outcome.failures,
                signer: outcome.signer,
            });
        } else {
            let attestation = Attestation {
                origin: item.origin,
                sha256: item.sha256,
                body: item.body,
                sigstore: outcome.summary,
            };
            verified.push(Verified::new(attestation, outcome.signers));
        }
    }
    (verified, rejected)
}

/// What [`super::load_verified`] found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Attestations a trusted key signed, in file (and line) order.
    pub verified: Vec<Verified<Attestation>>,
    /// Attestations no trusted key signed.
    pub rejected: Vec<Rejected>,
    /// Classic layouts among the inputs, unverified.
    pub layouts: Vec<UnverifiedLayout>,
    /// Every loading problem, as [`super::load()`] reports them.
    pub problems: Vec<EvidenceError>,
}

/// Checks a classic layout's signatures against `keys` (usually the owner keys).
pub fn verify_layout(
    item: UnverifiedLayout,
    keys: &[TrustedKey],
) -> Result<Verified<ClassicLayout>, Box<Rejected>> {
    let outcome = check(&item.document, keys);
    if outcome.signers.is_empty() {
        return Err(Box::new(Rejected {
            origin: item.origin,
            sha256: item.sha256,
            claim: Claim::Layout,
            nearest: nearest(&outcome.hints, keys),
            hints: outcome.hints,
            failures: outcome.failures,
            signer: None,
        }));
    }
    Ok(Verified::new(item.layout, outcome.signers))
}

/// Like [`verify_layout`], but releases the layout's signed source (raw
/// `signed` value and its text) for importers, with the layout's origin.
pub fn verify_layout_source(
    item: UnverifiedLayout,
    keys: &[TrustedKey],
) -> Result<(Origin, Verified<LayoutSource>), Box<Rejected>> {
    let origin = item.origin.clone();
    let source = item.source.clone();
    verify_layout(item, keys).map(|v| (origin, Verified::new(source, v.signers().to_vec())))
}

/// Checks documents against one list of trusted keys.
pub(super) struct Checker<'a> {
    keys: &'a [TrustedKey],
    identities: Vec<Vec<u8>>,
    /// How Sigstore bundles are checked (`None`: they count for no one).
    pub(super) sigstore: Option<&'a super::sigstore::SigstoreTrust>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(keys: &'a [TrustedKey]) -> Self {
        Checker {
            keys,
            identities: identities(keys),
            sigstore: None,
        }
    }

    /// [`check`] with these keys.
    pub(super) fn check(&self, doc: &Document) -> Outcome {
        check_with(doc, self.keys, &self.identities)
    }

    /// [`Checker::check`] of a document given as its signatures and the
    /// message they are over, handed over in pieces.
    pub(super) fn check_written(
        &self,
        signatures: &[Signature],
        message: &scheme::Written<'_>,
    ) -> Outcome {
        check_signatures(signatures, message, self.keys, &self.identities)
    }
}

/// The identity of each key: entries with equal key material count as one.
fn identities(keys: &[TrustedKey]) -> Vec<Vec<u8>> {
    keys.iter().map(|k| k.key.identity()).collect()
}

/// Checks every signature of `doc` against every key, hinted keys first.
/// Key material counts once, even if it is listed under several entries.
pub fn check(doc: &Document, keys: &[TrustedKey]) -> Outcome {
    check_with(doc, keys, &identities(keys))
}

fn check_with(doc: &Document, keys: &[TrustedKey], identities: &[Vec<u8>]) -> Outcome {
    let message = doc.message_parts();
    let parts = message.parts();
    let written = |sink: &mut dyn FnMut(&[u8])| parts.iter().for_each(|part| sink(part));
    let mut outcome = check_signatures(doc.signatures(), &written, keys, identities);
    if let Document::Dsse(envelope) = doc {
        legacy_signing(envelope, keys, &mut outcome);
    }
    outcome
}

/// Says so when a DSSE signature that verified with no key over the PAE
/// verifies over the payload itself (for ECDSA P-256: over its sha256), as
/// Google Cloud Build's legacy regional keys sign. It stays refused: the
/// DSSE specification signs the PAE, so that the payload type is signed too.
fn legacy_signing(envelope: &super::dsse::Envelope, keys: &[TrustedKey], outcome: &mut Outcome) {
    // The payload is hashed once per algorithm here too, and its Ed25519
    // tries are bounded as the PAE's are.
    let payload = |sink: &mut dyn FnMut(&[u8])| sink(&envelope.payload);
    let message = scheme::Message::new(&payload);
    for failure in &mut outcome.failures {
        let index = failure
            .strip_prefix("signature ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse::<usize>().ok());
        let Some(sig) = index.and_then(|i| envelope.signatures.get(i)) else {
            continue;
        };
        let legacy = keys
            .iter()
            .find(|k| scheme::verify_message(&k.key, k.scheme, &message, &sig.sig).is_ok());
        if let Some(key) = legacy {
            let over = if matches!(key.scheme, scheme::Scheme::EcdsaP256) {
                "over sha256(payload)"
            } else {
                "over the payload itself"
            };
            *failure = format!(
                "signature {}: does not verify over the DSSE PAE, but verifies {over} with `{}`: Google Cloud Build's legacy signing, not DSSE; refused, as the DSSE specification requires",
                index.unwrap_or_default(),
                cairn_base::escape::escape(&key.label)
            );
        }
    }
}

/// Checks every signature against every key (hinted keys first) over the
/// message `message` writes.
fn check_signatures(
    signatures: &[Signature],
    message: &scheme::Written<'_>,
    keys: &[TrustedKey],
    identities: &[Vec<u8>],
) -> Outcome {
    // The message is hashed once per hash algorithm for every key and
    // signature, and Ed25519 tries are bounded (scheme::Message).
    check_message(signatures, &scheme::Message::new(message), keys, identities)
}

/// [`check_signatures`] over a [`scheme::Message`]. Every signature is
/// first tried with the keys its keyid names, then each signature still
/// unverified with the other keys: signatures without a keyid (or with a
/// wrong one) placed first cannot spend the bounded Ed25519 tries before a
/// signature that names its key is checked.
fn check_message(
    signatures: &[Signature],
    message: &scheme::Message<'_>,
    keys: &[TrustedKey],
    identities: &[Vec<u8>],
) -> Outcome {
    let mut out = Outcome::default();
    // Signatures are counted by bytes alone: each hint is looked up once.
    let mut seen = std::collections::HashSet::new();
    for sig in signatures {
        if let Some(hint) = &sig.keyid {
            if seen.insert(hint.as_str()) {
                out.hints.push(hint.clone());
            }
        }
    }
    let mut last: Vec<Option<String>> = vec![None; signatures.len()];
    let mut done = vec![false; signatures.len()];
    for hinted in [true, false] {
        for (i, sig) in signatures.iter().enumerate() {
            if done.get(i).copied().unwrap_or(true) {
                continue;
            }
            match check_one(message, sig, keys, identities, &out.signers, hinted) {
                Ok(index) => {
                    out.signers.push(index);
                    if let Some(d) = done.get_mut(i) {
                        *d = true;
                    }
                }
                Err(Some(reason)) => {
                    if let Some(l) = last.get_mut(i) {
                        *l = Some(reason);
                    }
                }
                Err(None) => {}
            }
        }
    }
    let tried = keys.len();
    for (i, (done, last)) in done.iter().zip(last).enumerate() {
        if *done {
            continue;
        }
        let last = last.unwrap_or_else(|| String::from("no trusted keys"));
        let reason = if tried > 1 {
            format!("no trusted key verifies it (last: {last})")
        } else {
            last
        };
        out.failures.push(format!("signature {i}: {reason}"));
    }
    out.signers.sort_unstable();
    out.signers.dedup();
    out
}

/// Tries `sig` with the keys its keyid names (`hinted`) or with the others:
/// the index of the key that verifies it, or the reason the last key tried
/// gave (`None` when no key was tried).
fn check_one(
    message: &scheme::Message<'_>,
    sig: &Signature,
    keys: &[TrustedKey],
    identities: &[Vec<u8>],
    counted: &[usize],
    hinted: bool,
) -> Result<usize, Option<String>> {
    let already = |index: usize| {
        let id = identities.get(index);
        counted.iter().any(|&c| identities.get(c) == id)
    };
    let names = |k: &TrustedKey| sig.keyid.as_ref().is_some_and(|h| k.keyids.contains(h));
    let mut last = None;
    for (index, key) in keys.iter().enumerate().filter(|(_, k)| names(k) == hinted) {
        if already(index) {
            last = Some("only keys that already signed it verify this signature".into());
            continue;
        }
        match scheme::verify_message(&key.key, key.scheme, message, &sig.sig) {
            Ok(()) => return Ok(index),
            Err(reason) => last = Some(reason),
        }
    }
    Err(last)
}

fn nearest(hints: &[String], keys: &[TrustedKey]) -> Option<(String, String, usize)> {
    let mut best: Option<(String, String, usize)> = None;
    for hint in hints {
        for key in keys {
            for id in &key.keyids {
                let shared = hint
                    .bytes()
                    .zip(id.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                if shared > 0 && best.as_ref().is_none_or(|b| shared > b.2) {
                    best = Some((hint.clone(), key.label.clone(), shared));
                }
            }
        }
    }
    best
}

/// Checks a sublayout (a classic layout found at a step's link path) with the
/// one functionary key at `index` in `keys`, as in-toto does: the key whose
/// keyid the file name carries is the sublayout's only layout key. The
/// result's signer is `index`, so that its summary link counts for that key.
pub fn verify_sublayout(
    item: UnverifiedLayout,
    keys: &[TrustedKey],
    index: usize,
) -> Result<Verified<LayoutSource>, Box<Rejected>> {
    let one = keys.get(index..=index).unwrap_or_default();
    let source = item.source.clone();
    verify_layout(item, one).map(|_| Verified::new(source, vec![index]))
}

/// The link that stands for a verified sublayout in its parent (in-toto's
/// summary link, `reference/in-toto.md` 3.8): signed by whoever signed the
/// sublayout, whose own links supplied `link`'s materials and products.
pub fn summary_link(
    sublayout: &Verified<LayoutSource>,
    origin: Origin,
    sha256: String,
    link: Link,
) -> Verified<Attestation> {
    let attestation = Attestation {
        origin,
        sha256,
        body: Body::Link(link),
        sigstore: None,
    };
    Verified::new(attestation, sublayout.signers().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsse::{sign_dsse, INTOTO_PAYLOAD_TYPE};
    use crate::keyfile::SigningKey;
    use crate::limits::Limits;
    use crate::load::load_verified;
    use crate::scheme::Scheme;

    fn link(name: &str, artifact: &str) -> String {
        format!(
            r#"{{"_type":"link","name":"{name}","command":[],"materials":{{}},"products":{{"{artifact}":{{"sha256":"{}"}}}},"byproducts":{{}},"environment":{{}}}}"#,
            "ab".repeat(32)
        )
    }

    fn metablock(signed: &str, key: &SigningKey) -> String {
        let value = cairn_json::parse(signed.as_bytes(), 64).unwrap();
        let canonical = crate::canonical::to_canonical(&value).unwrap();
        let sig = hex::encode(key.sign(&canonical));
        format!(
            r#"{{"signatures":[{{"keyid":"{}","sig":"{sig}"}}],"signed":{signed}}}"#,
            key.keyid()
        )
    }

    /// Trusted keys of each kind, and what they signed: a DSSE envelope
    /// whose signatures name no keyid and verify with none of the keys.
    fn junk_envelope(signatures: usize, payload: &[u8]) -> crate::dsse::Envelope {
        let stranger = SigningKey::generate_ed25519();
        let mut envelope = sign_dsse(INTOTO_PAYLOAD_TYPE, payload, &stranger);
        let real = envelope.signatures[0].sig.clone();
        // Well-formed signatures: the stranger's `R`, other canonical `s`.
        envelope.signatures = (0..signatures)
            .map(|i| {
                let mut sig = real.clone();
                sig[32] = u8::try_from(i % 200).unwrap();
                sig[63] = 0x01;
                Signature { keyid: None, sig }
            })
            .collect();
        envelope
    }

    fn trusted(keys: &[SigningKey]) -> Vec<TrustedKey> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| {
                let public = k.public();
                let scheme = Scheme::default_for(&public);
                TrustedKey::new(public, scheme, format!("k{i}"))
            })
            .collect()
    }

    /// The Ed25519 budget of the tests' messages.
    const BUDGET: u64 = 64 << 10;

    /// Writes of the message a check of `envelope` with `keys` makes.
    fn writes(envelope: &crate::dsse::Envelope, keys: &[TrustedKey]) -> (usize, Outcome) {
        let count = std::sync::atomic::AtomicUsize::new(0);
        let pae = envelope.pae();
        let message = |sink: &mut dyn FnMut(&[u8])| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            sink(&pae);
        };
        let message = scheme::Message::with_budget(&message, BUDGET);
        let outcome = check_message(&envelope.signatures, &message, keys, &identities(keys));
        (count.into_inner(), outcome)
    }

    /// ECDSA keys hash the message once per hash algorithm, whatever the
    /// number of signatures and keys.
    #[test]
    fn the_message_is_hashed_once_per_algorithm() {
        let keys: Vec<SigningKey> = (0..4)
            .map(|_| SigningKey::EcdsaP256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng)))
            .chain((0..2).map(|_| {
                SigningKey::EcdsaP384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng))
            }))
            .collect();
        let keys = trusted(&keys);
        let envelope = junk_envelope(16, b"{}");
        let (n, outcome) = writes(&envelope, &keys);
        assert_eq!(n, 2, "one SHA-256 and one SHA-384");
        assert!(outcome.signers.is_empty());
        assert_eq!(outcome.failures.len(), 16);
        // A real signature among them still counts.
        let signer = SigningKey::EcdsaP256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng));
        let mut envelope = envelope;
        let real = sign_dsse(INTOTO_PAYLOAD_TYPE, b"{}", &signer).signatures[0].clone();
        envelope.signatures.push(Signature {
            keyid: None,
            ..real
        });
        let mut all = keys.clone();
        all.extend(trusted(&[signer]));
        let (n, outcome) = writes(&envelope, &all);
        assert_eq!(n, 2);
        assert_eq!(outcome.signers, vec![6]);
    }

    /// Ed25519 tries hash the message each: a long message gets
    /// `ED25519_MIN_TRIES` of them, the rest are refused unchecked; a
    /// signature whose keyid names its key is tried with that key first.
    #[test]
    fn ed25519_tries_are_bounded_by_the_message_length() {
        let keys: Vec<SigningKey> = (0..8).map(|_| SigningKey::generate_ed25519()).collect();
        let trusted = trusted(&keys);
        let long = vec![b'a'; usize::try_from(BUDGET / 2).unwrap()];
        let envelope = junk_envelope(16, &long);
        let (n, outcome) = writes(&envelope, &trusted);
        assert_eq!(n, usize::try_from(scheme::ED25519_MIN_TRIES).unwrap());
        assert!(outcome.signers.is_empty());
        assert_eq!(outcome.failures.len(), 16);
        let last = outcome.failures.last().unwrap();
        assert!(last.contains(scheme::NOT_CHECKED), "{last}");
        // The text a report shows (the 128th try, the last key of the last signature).
        assert_eq!(
            *last,
            format!(
                "signature 15: no trusted key verifies it (last: not checked: 127 Ed25519 tries over this {}-byte message were made already, the most cairn makes for a message this long; give each signature the `keyid` of its key)",
                envelope.pae().len()
            )
        );
        // The key's own signature, named by keyid, is still checked first.
        let mut envelope = envelope;
        let mut real = sign_dsse(INTOTO_PAYLOAD_TYPE, &long, &keys[7]).signatures[0].clone();
        real.keyid = Some(keys[7].keyid());
        envelope.signatures.push(real);
        let (_, outcome) = writes(&envelope, &trusted);
        assert_eq!(outcome.signers, vec![7]);
        // A short message allows a try of every key for every signature.
        let envelope = junk_envelope(16, b"{}");
        let (n, outcome) = writes(&envelope, &trusted);
        assert_eq!(n, 16 * 8);
        assert!(outcome
            .failures
            .iter()
            .all(|f| !f.contains(scheme::NOT_CHECKED)));
    }

    /// Checking signatures while reading gives what reading and then
    /// checking gives: the same verified and rejected items, in the same
    /// order, and the same problems.
    #[test]
    fn checked_while_read_is_checked_after_reading() {
        let dir = std::env::temp_dir().join(format!("cairn-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let trusted = SigningKey::generate_ed25519();
        let other = SigningKey::generate_ed25519();
        let statement = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"DIGEST"}}],"predicateType":"https://example.com/p","predicate":{}}"#
            .replace("DIGEST", &"ab".repeat(32));
        let dsse = |name: &str, key: &SigningKey| {
            sign_dsse(INTOTO_PAYLOAD_TYPE, link(name, "x").as_bytes(), key)
        };
        let mut tampered = dsse("h", &trusted);
        tampered.payload = link("h", "y").into_bytes();
        // A payload whose base64 has `+` or `/`, written in the URL-safe alphabet.
        let url = sign_dsse(
            INTOTO_PAYLOAD_TYPE,
            link("i", "a~~~?>").as_bytes(),
            &trusted,
        );
        let text = crate::dsse::b64_encode(&url.payload);
        assert!(text.contains(['+', '/']));
        let url = url
            .to_line()
            .replace(&text, &text.replace('+', "-").replace('/', "_"));
        // A payload whose text has a JSON escape is decoded from a copy.
        let escaped =
            dsse("j", &trusted)
                .to_line()
                .replacen("\"payload\":\"e", "\"payload\":\"\\u0065", 1);
        assert!(escaped.contains("\\u0065"));
        // (file, its text, whether the trusted key verifies it: `None` when
        // it is refused as it is read)
        let files = [
            ("a.link", metablock(&link("a", "x"), &trusted), Some(true)),
            ("b.link", metablock(&link("b", "x"), &other), Some(false)),
            ("c.link", metablock(&link("c", "../x"), &trusted), None),
            ("d.link", dsse("d", &trusted).to_line(), Some(true)),
            (
                "e.json",
                sign_dsse(INTOTO_PAYLOAD_TYPE, statement.as_bytes(), &trusted).to_line(),
                Some(true),
            ),
            (
                "f.link",
                metablock(&link("f", "x"), &trusted).replace("\"sig\":\"", "\"sig\":\"0"),
                Some(false),
            ),
            ("g.link", dsse("g", &other).to_line(), Some(false)),
            ("h.link", tampered.to_line(), Some(false)),
            ("i.link", url, Some(true)),
            ("j.link", escaped, Some(true)),
        ];
        for (name, text, _) in &files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let bundle: Vec<&str> = files.iter().map(|(_, text, _)| text.as_str()).collect();
        let bundle = format!("{}\n\nnot json\n{}\n", bundle.join("\n"), bundle.join("\n"));
        std::fs::write(dir.join("z.jsonl"), bundle).unwrap();
        let keys = [TrustedKey::new(trusted.public(), Scheme::Ed25519, "t")];
        // An item's sha256 is that of its bytes as read, before any payload
        // was decoded where its text was.
        let sha256s: Vec<String> = files
            .iter()
            .map(|(_, text, _)| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text)))
            .collect();
        {
            let limits = Limits::default();
            let paths = [dir.clone()];
            let loaded = super::super::load::load(&paths, &limits);
            let (verified, rejected) = verify(loaded.items, &keys);
            let checked = load_verified(&paths, &limits, &keys);
            assert_eq!(format!("{:?}", checked.verified), format!("{verified:?}"));
            assert_eq!(format!("{:?}", checked.rejected), format!("{rejected:?}"));
            assert_eq!(
                format!("{:?}", checked.problems),
                format!("{:?}", loaded.problems)
            );
            // The files, then the bundle's lines.
            let verdicts = files.iter().map(|f| f.2);
            let lines = verdicts.clone().chain(verdicts.clone());
            let all: Vec<_> = verdicts.chain(lines).collect();
            let count = |verdict| all.iter().filter(|v| **v == Some(verdict)).count();
            assert_eq!(checked.verified.len(), count(true));
            assert_eq!(checked.rejected.len(), count(false));
            for item in checked.verified.iter().map(|v| v.value()) {
                assert!(sha256s.contains(&item.sha256), "{}", item.origin);
            }
            for item in &checked.rejected {
                assert!(sha256s.contains(&item.sha256), "{}", item.origin);
            }
        }
    }
}
