//! What a Fulcio leaf certificate says about its subject: the SAN (URI,
//! email or Fulcio's OtherName), the OIDC issuer and every Fulcio extension
//! under `1.3.6.1.4.1.57264.1`, each by a readable name.
//!
//! Read by cairn itself (x509-cert) rather than taken from the verifier
//! crate, which reads no OtherName SAN. Extensions `.1.1` to `.1.6` hold
//! their value as raw bytes; `.1.8` and later as a DER `UTF8String`
//! (Fulcio's `docs/oid-info.md`). Reading one kind as the other is refused.

use std::collections::BTreeMap;

use der::asn1::{Ia5StringRef, Utf8StringRef};
use der::{Decode as _, Encode as _};
use serde::Serialize;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

/// Fulcio's arc, `1.3.6.1.4.1.57264.1`.
const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1";

/// The OtherName type Fulcio uses for usernames (`1.3.6.1.4.1.57264.1.7`).
const OTHERNAME_OID: &str = "1.3.6.1.4.1.57264.1.7";

/// How an extension's value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// The extension value is the string's bytes (`.1.1` to `.1.6`).
    Raw,
    /// The extension value is a DER `UTF8String` (`.1.8` onwards).
    Utf8,
}

/// Every Fulcio extension cairn reads: arc suffix, readable name, encoding.
pub const EXTENSIONS: &[(u32, &str, &str)] = &[
    (1, "issuer-v1", "OIDC issuer (deprecated, raw bytes)"),
    (
        2,
        "github-workflow-trigger",
        "GitHub workflow trigger (deprecated, raw bytes)",
    ),
    (
        3,
        "github-workflow-sha",
        "GitHub workflow commit (deprecated, raw bytes)",
    ),
    (
        4,
        "github-workflow-name",
        "GitHub workflow name (deprecated, raw bytes)",
    ),
    (
        5,
        "github-workflow-repository",
        "GitHub workflow repository (deprecated, raw bytes)",
    ),
    (
        6,
        "github-workflow-ref",
        "GitHub workflow ref (deprecated, raw bytes)",
    ),
    (8, "issuer", "OIDC issuer"),
    (
        9,
        "build-signer-uri",
        "the build configuration that signed (a workflow file at a ref)",
    ),
    (
        10,
        "build-signer-digest",
        "the commit of the build configuration that signed",
    ),
    (11, "runner-environment", "`github-hosted` or `self-hosted`"),
    (
        12,
        "source-repository-uri",
        "the repository the build ran for",
    ),
    (
        13,
        "source-repository-digest",
        "the commit the build ran for",
    ),
    (
        14,
        "source-repository-ref",
        "the ref the build ran for (`refs/tags/v1.0`)",
    ),
    (
        15,
        "source-repository-identifier",
        "the repository's immutable id",
    ),
    (
        16,
        "source-repository-owner-uri",
        "the repository owner (`https://github.com/acme`)",
    ),
    (
        17,
        "source-repository-owner-identifier",
        "the owner's immutable id",
    ),
    (
        18,
        "build-config-uri",
        "the top-level build configuration (a workflow at a ref)",
    ),
    (
        19,
        "build-config-digest",
        "the commit of the top-level build configuration",
    ),
    (
        20,
        "build-trigger",
        "the event that started the build (`push`, `release`)",
    ),
    (21, "run-invocation-uri", "the run that signed"),
    (
        22,
        "source-repository-visibility",
        "`public` or `private` at signing time",
    ),
];

fn encoding(arc: u32) -> Encoding {
    if arc <= 6 {
        Encoding::Raw
    } else {
        Encoding::Utf8
    }
}

/// The readable name of the extension at `arc` (`12` -> `source-repository-uri`).
pub fn extension_name(arc: u32) -> Option<&'static str> {
    EXTENSIONS
        .iter()
        .find(|(a, _, _)| *a == arc)
        .map(|(_, name, _)| *name)
}

/// A subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum San {
    /// A URI (workflows, SPIFFE ids).
    Uri(String),
    /// An email address.
    Email(String),
    /// Fulcio's OtherName (`1.3.6.1.4.1.57264.1.7`), a username.
    Othername(String),
}

impl San {
    /// The value, whatever its kind.
    pub fn as_str(&self) -> &str {
        match self {
            San::Uri(v) | San::Email(v) | San::Othername(v) => v,
        }
    }
}

/// What the leaf certificate claims. Claims, not proof: they count only
/// once the certificate itself has verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// Subject alternative names, in certificate order (Fulcio issues one).
    pub san: Vec<San>,
    /// The OIDC issuer: `.1.8`, or the deprecated `.1.1` when `.1.8` is absent.
    pub issuer: Option<String>,
    /// Every Fulcio extension present, by readable name (`issuer` and
    /// `issuer-v1` included).
    pub extensions: BTreeMap<String, String>,
}

impl Claims {
    /// The first SAN's value, for messages.
    pub fn subject(&self) -> Option<&str> {
        self.san.first().map(San::as_str)
    }

    /// The value of a claim by its readable name: `san` (the first), `issuer`,
    /// or an extension name.
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "san" => self.subject(),
            "issuer" => self.issuer.as_deref(),
            other => self.extensions.get(other).map(String::as_str),
        }
    }
}

/// Reads the claims of a DER certificate. An extension whose value does not
/// decode as its kind requires is an error naming it.
pub fn read(der: &[u8]) -> Result<Claims, String> {
    let cert = Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let mut claims = Claims::default();
    let mut seen = std::collections::BTreeSet::new();
    for ext in cert.tbs_certificate.extensions.iter().flatten() {
        let oid = ext.extn_id.to_string();
        // RFC 5280 4.2: an extension appears at most once; with two, which
        // one a reader believes decides who signed.
        if !seen.insert(oid.clone()) {
            return Err(format!("the certificate repeats extension {oid}"));
        }
        let value = ext.extn_value.as_bytes();
        if oid == "2.5.29.17" {
            let names = SubjectAltName::from_der(value)
                .map_err(|e| format!("the subject alternative name does not decode: {e}"))?;
            for name in names.0 {
                if let Some(san) = san(&name)? {
                    claims.san.push(san);
                }
            }
            continue;
        }
        let Some(arc) = oid
            .strip_prefix(FULCIO_ARC)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.parse::<u32>().ok())
        else {
            continue;
        };
        let Some(name) = extension_name(arc) else {
            continue;
        };
        let text = match encoding(arc) {
            Encoding::Raw => std::str::from_utf8(value)
                .map_err(|_| format!("extension {oid} ({name}) is not UTF-8 text"))?
                .to_owned(),
            Encoding::Utf8 => Utf8StringRef::from_der(value)
                .map_err(|_| format!("extension {oid} ({name}) is not a DER UTF8String"))?
                .as_str()
                .to_owned(),
        };
        claims.extensions.insert(name.to_owned(), text);
    }
    claims.issuer = claims
        .extensions
        .get("issuer")
        .or_else(|| claims.extensions.get("issuer-v1"))
        .cloned();
    Ok(claims)
}

fn san(name: &GeneralName) -> Result<Option<San>, String> {
    Ok(match name {
        GeneralName::UniformResourceIdentifier(uri) => Some(San::Uri(uri.as_str().to_owned())),
        GeneralName::Rfc822Name(email) => Some(San::Email(email.as_str().to_owned())),
        GeneralName::OtherName(other) if other.type_id.to_string() == OTHERNAME_OID => {
            // The value is `[0] EXPLICIT UTF8String`; x509-cert strips the tag.
            let bytes = other
                .value
                .to_der()
                .map_err(|e| format!("the OtherName SAN does not encode: {e}"))?;
            let text = Utf8StringRef::from_der(&bytes)
                .map(|s| s.as_str().to_owned())
                .or_else(|_| Ia5StringRef::from_der(&bytes).map(|s| s.as_str().to_owned()))
                .map_err(|_| "the OtherName SAN is not a UTF8String".to_owned())?;
            Some(San::Othername(text))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fulcio_extension_has_a_distinct_name() {
        let mut names: Vec<_> = EXTENSIONS.iter().map(|(_, n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EXTENSIONS.len());
        assert_eq!(extension_name(12), Some("source-repository-uri"));
        assert_eq!(
            extension_name(7),
            None,
            "the OtherName OID is a SAN, not an extension"
        );
        assert_eq!(encoding(6), Encoding::Raw);
        assert_eq!(encoding(8), Encoding::Utf8);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"").is_err());
        assert!(read(&[0x30, 0x82, 0xff, 0xff]).is_err());
    }
}
