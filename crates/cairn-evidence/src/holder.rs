//! Documents that hold attestations rather than being one: npm's
//! attestations document and gcloud's provenance output.
//!
//! - npm (`npm audit signatures`, the registry's attestations endpoint):
//!   `{"attestations": [{"predicateType": ..., "bundle": <Sigstore bundle>}, ...]}`.
//!   Each `bundle` is read as a Sigstore bundle of its own; `predicateType`
//!   is unsigned and not used (the bundle's Statement says what it is).
//! - Google Cloud Build (`gcloud artifacts docker images describe IMAGE
//!   --show-provenance --format=json`, and the build's provenance in
//!   `gcloud builds describe --format=json`):
//!   `{"provenance_summary": {"provenance": [{"envelope": <DSSE envelope>, ...}]}, ...}`.
//!   Each `envelope` is read as a DSSE envelope of its own. The unsigned
//!   copies beside it (`build.intotoStatement`, `image_summary`,
//!   `resourceUri`) are not read: only what a signature covers counts.
//!
//! A holder is recognised by its top-level member (`attestations` or
//! `provenance_summary`) in an object that is neither an envelope, a
//! metablock nor a bundle; its entries are then required to have the shape
//! above (`E340` otherwise).

use serde_json::Value;

use super::error::{EvidenceError, Location};

/// The kinds of holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// npm's attestations document: each entry a Sigstore bundle.
    Npm,
    /// gcloud's provenance output: each entry a DSSE envelope.
    CloudBuild,
}

/// One entry of a holder.
#[derive(Debug, Clone)]
pub struct Entry<'v> {
    /// Where it is, as a JSON path (`$.attestations[0].bundle`).
    pub path: String,
    /// The document it holds.
    pub value: &'v Value,
}

/// Whether `bytes` may be a holder: they name one of the members a holder
/// is recognised by (a cheap test before the whole document is parsed).
pub fn may_hold(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\"attestations\"").is_some()
        || memchr::memmem::find(bytes, b"\"provenance_summary\"").is_some()
}

fn refuse(at: &Location, field: &str, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::Holder {
        at: at.clone().with_field(field),
        reason: reason.into(),
    }
}

/// The entries of `value` when it is a holder; `Ok(None)` when it is not
/// one (an envelope, a metablock, a bundle or anything else is left to the
/// other readers).
pub fn entries<'v>(
    value: &'v Value,
    at: &Location,
) -> Result<Option<(Holder, Vec<Entry<'v>>)>, EvidenceError> {
    let Value::Object(obj) = value else {
        return Ok(None);
    };
    let signed = ["payload", "payloadType", "signed", "mediaType"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if signed {
        return Ok(None);
    }
    let (holder, list, path, member) = if let Some(list) = obj.get("attestations") {
        (Holder::Npm, list, "$.attestations".to_owned(), "bundle")
    } else if let Some(summary) = obj.get("provenance_summary") {
        let Value::Object(summary) = summary else {
            return Err(refuse(at, "$.provenance_summary", "not an object"));
        };
        let Some(list) = summary.get("provenance") else {
            return Err(refuse(
                at,
                "$.provenance_summary.provenance",
                "missing: the output holds no provenance",
            ));
        };
        (
            Holder::CloudBuild,
            list,
            "$.provenance_summary.provenance".to_owned(),
            "envelope",
        )
    } else {
        return Ok(None);
    };
    let Value::Array(list) = list else {
        return Err(refuse(at, &path, "not an array"));
    };
    if list.is_empty() {
        return Err(refuse(
            at,
            &path,
            "empty: the document holds no attestation",
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let Value::Object(item) = item else {
            return Err(refuse(at, &here, "an entry must be an object"));
        };
        let Some(inner @ Value::Object(_)) = item.get(member) else {
            return Err(refuse(
                at,
                &format!("{here}.{member}"),
                format!("missing or not an object: each entry holds its `{member}`"),
            ));
        };
        if holder == Holder::Npm {
            if let Some(t) = item.get("predicateType") {
                if !t.is_string() {
                    return Err(refuse(at, &format!("{here}.predicateType"), "not a string"));
                }
            }
            if !super::sigstore::looks_like_bundle(inner) {
                return Err(refuse(
                    at,
                    &format!("{here}.bundle.mediaType"),
                    "not a Sigstore bundle media type",
                ));
            }
        }
        if holder == Holder::CloudBuild && inner.get("payload").is_none() {
            return Err(refuse(
                at,
                &format!("{here}.envelope.payload"),
                "missing: the entry's `envelope` is not a DSSE envelope",
            ));
        }
        out.push(Entry {
            path: format!("{here}.{member}"),
            value: inner,
        });
    }
    Ok(Some((holder, out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at() -> Location {
        Location::file("h.json")
    }

    #[test]
    fn npm_and_cloud_build_holders_are_recognised() {
        let bundle = json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"});
        let npm = json!({"attestations": [
            {"predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle},
        ]});
        let (holder, found) = entries(&npm, &at()).unwrap().unwrap();
        assert_eq!(holder, Holder::Npm);
        assert_eq!(found[0].path, "$.attestations[0].bundle");
        let gcb = json!({"image_summary": {}, "provenance_summary": {"provenance": [
            {"build": {}, "envelope": {"payload": ""}},
            {"envelope": {"payload": ""}},
        ]}});
        let (holder, found) = entries(&gcb, &at()).unwrap().unwrap();
        assert_eq!(holder, Holder::CloudBuild);
        assert_eq!(found[1].path, "$.provenance_summary.provenance[1].envelope");
    }

    #[test]
    fn other_documents_are_not_holders() {
        for v in [
            json!({"payload": "", "attestations": []}),
            json!({"signed": {}, "attestations": []}),
            json!({"mediaType": "x", "provenance_summary": {}}),
            json!({"hello": 1}),
            json!([1]),
        ] {
            assert!(entries(&v, &at()).unwrap().is_none(), "{v}");
        }
    }

    #[test]
    fn malformed_holders_are_refused_with_e340() {
        use miette::Diagnostic as _;
        for (v, says) in [
            (json!({"attestations": []}), "empty"),
            (json!({"attestations": {}}), "not an array"),
            (json!({"attestations": [1]}), "must be an object"),
            (
                json!({"attestations": [{"predicateType": "x"}]}),
                "each entry holds its `bundle`",
            ),
            (
                json!({"attestations": [{"bundle": {"payload": "", "signatures": []}}]}),
                "not a Sigstore bundle",
            ),
            (
                json!({"attestations": [{"predicateType": 1, "bundle": {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}}]}),
                "not a string",
            ),
            (json!({"provenance_summary": []}), "not an object"),
            (json!({"provenance_summary": {}}), "holds no provenance"),
            (
                json!({"provenance_summary": {"provenance": [{"envelope": {"provenance_summary": {}}}]}}),
                "not a DSSE envelope",
            ),
            (
                json!({"provenance_summary": {"provenance": [{"build": {}}]}}),
                "each entry holds its `envelope`",
            ),
        ] {
            let e = entries(&v, &at()).unwrap_err();
            assert_eq!(
                e.code().map(|c| c.to_string()).as_deref(),
                Some("E340"),
                "{v}"
            );
            assert!(e.to_string().contains(says), "{v}: {e}");
        }
        // Only the file's bytes bound how many entries there are.
        let many = json!({"attestations": vec![json!({"bundle": {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}}); 65]});
        let (_, read) = entries(&many, &at()).unwrap().unwrap();
        assert_eq!(read.len(), 65);
    }
}
