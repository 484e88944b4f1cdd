//! X.509 functionaries of in-toto-golang layouts: the layout's `rootcas` and
//! `intermediatecas` (key objects whose `keyval.certificate` is a PEM
//! certificate) and a step's `cert_constraints`. A link signed by a key that
//! is not one of the step's `pubkeys` counts for the step when its signature
//! carries a certificate (`signatures[].cert`, PEM) that
//!
//! - chains to one of the layout's roots, through its intermediates, every
//!   certificate of the chain valid at the verification time;
//! - matches one of the step's constraints, attribute by attribute, with
//!   in-toto-golang's semantics (`certconstraint.go`): a list `["*"]` allows
//!   anything, an empty list (or `""`) allows nothing, and otherwise the
//!   certificate's values must be exactly the constraint's (as sets, each
//!   value once); `roots` is compared with the keyids of all the layout's
//!   `rootcas`, as in-toto-golang does;
//!
//! and whose key then verifies the link's signature (checked by the usual
//! link verification, with the certificate's key). Only this module reads
//! certificates for classic layouts; chain signatures are checked with the
//! same RustCrypto backend as Sigstore bundles.

use std::collections::BTreeMap;

use der::{Decode as _, Encode as _};
use serde_json::{Map, Value};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectAltName};
use x509_cert::Certificate;

use super::keys::PublicKey;

/// How many certificates a chain may have between leaf and root.
const MAX_CHAIN: usize = 8;

/// A CA certificate of the layout (`rootcas` or `intermediatecas`).
#[derive(Debug, Clone)]
pub struct CaCert {
    /// Its keyid in the layout.
    pub keyid: String,
    /// The certificate's DER.
    pub der: Vec<u8>,
    cert: Certificate,
}

/// One `cert_constraints` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraint {
    /// `common_name`.
    pub common_name: String,
    /// `dns_names`.
    pub dns_names: Vec<String>,
    /// `emails`.
    pub emails: Vec<String>,
    /// `organizations`.
    pub organizations: Vec<String>,
    /// `roots`: keyids of `rootcas`.
    pub roots: Vec<String>,
    /// `uris`.
    pub uris: Vec<String>,
}

/// The X.509 part of a classic layout.
#[derive(Debug, Clone, Default)]
pub struct CertPolicy {
    /// `rootcas`, in keyid order.
    pub roots: Vec<CaCert>,
    /// `intermediatecas`, in keyid order.
    pub intermediates: Vec<CaCert>,
    /// Each step's `cert_constraints`, by step name (steps without any are absent).
    pub steps: BTreeMap<String, Vec<Constraint>>,
}

/// A certificate whose chain and constraints held: its key, for the step.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The certificate's public key.
    pub key: PublicKey,
    /// Its subject, for labels.
    pub subject: String,
}

impl CertPolicy {
    /// Reads `rootcas`, `intermediatecas` and every step's
    /// `cert_constraints` from a layout's `signed` object. `Ok(None)` when
    /// it has none of them. An error names the JSON field.
    pub fn read(signed: &Value) -> Result<Option<CertPolicy>, String> {
        let Some(m) = signed.as_object() else {
            return Ok(None);
        };
        let roots = cas(m, "rootcas")?;
        let intermediates = cas(m, "intermediatecas")?;
        let mut steps = BTreeMap::new();
        for (i, step) in m
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(list) = step.get("cert_constraints") else {
                continue;
            };
            let at = format!("steps[{i}].cert_constraints");
            let name = step
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("steps[{i}].name: expected a string"))?;
            let constraints = match list {
                Value::Null => Vec::new(),
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(j, c)| constraint(c, &format!("{at}[{j}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                _ => return Err(format!("{at}: expected a list")),
            };
            if !constraints.is_empty() {
                steps.insert(name.to_string(), constraints);
            }
        }
        if roots.is_empty() && intermediates.is_empty() && steps.is_empty() {
            return Ok(None);
        }
        Ok(Some(CertPolicy {
            roots,
            intermediates,
            steps,
        }))
    }

    /// Checks a link signer's certificate (PEM) for `step` at `now` (unix
    /// seconds): the chain to a root, then each constraint. The error says
    /// which check failed, in the layout's terms.
    pub fn admit(&self, step: &str, cert_pem: &str, now: i64) -> Result<Admitted, String> {
        let constraints = self
            .steps
            .get(step)
            .ok_or_else(|| format!("step `{step}` has no `cert_constraints`"))?;
        let der = pem_certificate(cert_pem)?;
        let leaf = Certificate::from_der(&der)
            .map_err(|e| format!("the signature's certificate does not decode: {e}"))?;
        let subject = cairn_base::escape::escape(&leaf.tbs_certificate.subject.to_string());
        let chain = self.chain(&leaf, now);
        let root_ids: Vec<String> = self.roots.iter().map(|r| r.keyid.clone()).collect();
        let values = Values::of(&leaf)?;
        let mut misses = Vec::new();
        for (i, c) in constraints.iter().enumerate() {
            let mut errors = Vec::new();
            let checks: [(&str, Vec<String>, &Vec<String>); 4] = [
                ("dns_names", c.dns_names.clone(), &values.dns_names),
                ("emails", c.emails.clone(), &values.emails),
                (
                    "organizations",
                    c.organizations.clone(),
                    &values.organizations,
                ),
                ("uris", c.uris.clone(), &values.uris),
            ];
            if let Err(e) = attribute(
                "common_name",
                std::slice::from_ref(&c.common_name),
                std::slice::from_ref(&values.common_name),
            ) {
                errors.push(e);
            }
            for (name, allowed, actual) in &checks {
                if let Err(e) = attribute(name, allowed, actual) {
                    errors.push(e);
                }
            }
            match &chain {
                Err(e) => errors.push(format!("roots: {e}")),
                Ok(()) => {
                    if let Err(e) = attribute("roots", &c.roots, &root_ids) {
                        errors.push(e);
                    }
                }
            }
            if errors.is_empty() {
                let key = leaf_key(&leaf)?;
                return Ok(Admitted { key, subject });
            }
            misses.push(format!("cert_constraints[{i}]: {}", errors.join("; ")));
        }
        Err(format!(
            "certificate `{subject}` matches no constraint of step `{step}`: {}",
            misses.join(" | ")
        ))
    }

    /// Whether `leaf` chains to a root through the intermediates, every
    /// certificate valid at `now`.
    fn chain(&self, leaf: &Certificate, now: i64) -> Result<(), String> {
        if self.roots.is_empty() {
            return Err("the layout lists no `rootcas`".into());
        }
        valid_at(leaf, now, "the certificate")?;
        server_auth(leaf, "the certificate")?;
        let mut why = None;
        if self.climb(leaf, now, 0, &mut why) {
            return Ok(());
        }
        Err(why.unwrap_or_else(|| {
            format!(
                "the certificate (issuer `{}`) does not chain to a `rootcas` certificate through the `intermediatecas`",
                cairn_base::escape::escape(&leaf.tbs_certificate.issuer.to_string())
            )
        }))
    }

    fn climb(&self, cert: &Certificate, now: i64, depth: usize, why: &mut Option<String>) -> bool {
        if depth > MAX_CHAIN {
            return false;
        }
        let issuer = &cert.tbs_certificate.issuer;
        for (is_root, ca) in self
            .roots
            .iter()
            .map(|c| (true, c))
            .chain(self.intermediates.iter().map(|c| (false, c)))
        {
            if &ca.cert.tbs_certificate.subject != issuer || !signed_by(cert, &ca.cert) {
                continue;
            }
            let kind = if is_root {
                "rootcas"
            } else {
                "intermediatecas"
            };
            let what = format!("{kind} certificate `{}`", ca.keyid);
            if let Err(e) = valid_at(&ca.cert, now, &what).and_then(|()| is_ca(&ca.cert, &what)) {
                why.get_or_insert(e);
                continue;
            }
            if is_root {
                return true;
            }
            if let Err(e) = server_auth(&ca.cert, &what) {
                why.get_or_insert(e);
                continue;
            }
            if self.climb(&ca.cert, now, depth + 1, why) {
                return true;
            }
        }
        false
    }
}

/// in-toto-golang's `checkCertConstraint`.
fn attribute(name: &str, allowed: &[String], actual: &[String]) -> Result<(), String> {
    if allowed.len() == 1 && allowed.first().is_some_and(|a| a == "*") {
        return Ok(());
    }
    let allowed: &[String] = if allowed.len() == 1 && allowed.first().is_some_and(String::is_empty)
    {
        &[]
    } else {
        allowed
    };
    let actual: &[String] = if actual.len() == 1 && actual.first().is_some_and(String::is_empty) {
        &[]
    } else {
        actual
    };
    let shown = |v: &[String]| format!("{v:?}");
    if allowed.is_empty() && !actual.is_empty() {
        return Err(format!(
            "{name} expects none, the certificate has {}",
            shown(actual)
        ));
    }
    let mut unmet: Vec<&String> = allowed.iter().collect();
    unmet.sort();
    unmet.dedup();
    for v in actual {
        match unmet.iter().position(|u| *u == v) {
            Some(i) => {
                unmet.remove(i);
            }
            None => {
                return Err(format!(
                    "{name} expects {}, the certificate has `{v}`, which is not allowed",
                    shown(allowed)
                ))
            }
        }
    }
    if !unmet.is_empty() {
        return Err(format!(
            "{name} expects {}, the certificate has {}",
            shown(allowed),
            shown(actual)
        ));
    }
    Ok(())
}

/// What a certificate says, as in-toto-golang reads it.
#[derive(Debug, Default)]
struct Values {
    common_name: String,
    organizations: Vec<String>,
    dns_names: Vec<String>,
    emails: Vec<String>,
    uris: Vec<String>,
}

impl Values {
    fn of(cert: &Certificate) -> Result<Values, String> {
        let mut out = Values::default();
        for rdn in cert.tbs_certificate.subject.0.iter() {
            for atv in rdn.0.iter() {
                let oid = atv.oid.to_string();
                if oid != "2.5.4.3" && oid != "2.5.4.10" {
                    continue;
                }
                let text = directory_string(&atv.value).ok_or_else(|| {
                    format!("the certificate's subject attribute {oid} is not a string")
                })?;
                if oid == "2.5.4.3" {
                    // Go keeps the last common name.
                    out.common_name = text;
                } else {
                    out.organizations.push(text);
                }
            }
        }
        for ext in cert.tbs_certificate.extensions.iter().flatten() {
            if ext.extn_id.to_string() != "2.5.29.17" {
                continue;
            }
            let names = SubjectAltName::from_der(ext.extn_value.as_bytes()).map_err(|e| {
                format!("the certificate's subject alternative name does not decode: {e}")
            })?;
            for name in names.0 {
                match name {
                    GeneralName::DnsName(n) => out.dns_names.push(n.as_str().to_owned()),
                    GeneralName::Rfc822Name(n) => out.emails.push(n.as_str().to_owned()),
                    GeneralName::UniformResourceIdentifier(n) => {
                        out.uris.push(n.as_str().to_owned())
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    }
}

fn directory_string(value: &der::Any) -> Option<String> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    let bytes = value.to_der().ok()?;
    Utf8StringRef::from_der(&bytes)
        .map(|s| s.as_str().to_owned())
        .or_else(|_| PrintableStringRef::from_der(&bytes).map(|s| s.as_str().to_owned()))
        .or_else(|_| Ia5StringRef::from_der(&bytes).map(|s| s.as_str().to_owned()))
        .or_else(|_| TeletexStringRef::from_der(&bytes).map(|s| s.as_str().to_owned()))
        .ok()
}

fn valid_at(cert: &Certificate, now: i64, what: &str) -> Result<(), String> {
    let v = &cert.tbs_certificate.validity;
    let secs = |t: x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
    };
    let (start, end) = (secs(v.not_before), secs(v.not_after));
    if now < start || now > end {
        return Err(format!(
            "{what} is valid from {} to {}, not at the verification time {}",
            v.not_before,
            v.not_after,
            rfc3339(now)
        ));
    }
    Ok(())
}

fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map_or_else(|_| unix.to_string(), |t| t.to_string())
}

fn extension<'a>(cert: &'a Certificate, oid: &str) -> Option<&'a [u8]> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

fn is_ca(cert: &Certificate, what: &str) -> Result<(), String> {
    let ok = extension(cert, "2.5.29.19")
        .and_then(|v| BasicConstraints::from_der(v).ok())
        .is_some_and(|b| b.ca);
    if ok {
        Ok(())
    } else {
        Err(format!("{what} is not a CA (no basicConstraints CA:TRUE)"))
    }
}

/// Go's `x509.Verify` with no key usage asked checks for TLS server use: a
/// certificate that lists extended key usages must allow `serverAuth` (or any).
fn server_auth(cert: &Certificate, what: &str) -> Result<(), String> {
    let Some(value) = extension(cert, "2.5.29.37") else {
        return Ok(());
    };
    let ekus = ExtendedKeyUsage::from_der(value)
        .map_err(|e| format!("{what}: its extended key usage does not decode: {e}"))?;
    if ekus
        .0
        .iter()
        .any(|o| matches!(o.to_string().as_str(), "1.3.6.1.5.5.7.3.1" | "2.5.29.37.0"))
    {
        Ok(())
    } else {
        Err(format!(
            "{what} lists extended key usages without serverAuth, which in-toto-golang's chain check requires"
        ))
    }
}

/// Whether `issuer`'s key made `cert`'s signature.
fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    use sigstore_verify::crypto::SigningScheme as S;
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(signature) = cert.signature.as_bytes() else {
        return false;
    };
    let spki = &issuer.tbs_certificate.subject_public_key_info;
    let Some(key) = spki.subject_public_key.as_bytes() else {
        return false;
    };
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
        .map(|o| o.to_string());
    let p384 = curve.as_deref() == Some("1.3.132.0.34");
    let scheme = match cert.signature_algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.11" => S::RsaPkcs1Sha256,
        "1.2.840.113549.1.1.12" => S::RsaPkcs1Sha384,
        "1.2.840.113549.1.1.13" => S::RsaPkcs1Sha512,
        "1.2.840.10045.4.3.2" if p384 => S::EcdsaP384Sha256,
        "1.2.840.10045.4.3.2" => S::EcdsaP256Sha256,
        "1.2.840.10045.4.3.3" if p384 => S::EcdsaP384Sha384,
        "1.2.840.10045.4.3.3" => S::EcdsaP256Sha384,
        "1.3.101.112" => S::Ed25519,
        _ => return false,
    };
    super::sigstore::crypto::verify(scheme, key, &tbs, signature)
}

/// The DER of the one `CERTIFICATE` block of `pem`.
fn pem_certificate(pem: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let start = pem
        .find(begin)
        .ok_or("expected a PEM `-----BEGIN CERTIFICATE-----` block")?;
    let rest = pem.get(start + begin.len()..).unwrap_or("");
    let stop = rest
        .find(end)
        .ok_or("the PEM certificate has no END line")?;
    let body: String = rest
        .get(..stop)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("the PEM certificate is not base64: {e}"))
}

fn leaf_key(cert: &Certificate) -> Result<PublicKey, String> {
    use base64::Engine as _;
    let der = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| format!("the certificate's key does not encode: {e}"))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    PublicKey::from_pem(&pem).map_err(|e| format!("the certificate's key is not usable: {e}"))
}

fn cas(m: &Map<String, Value>, member: &str) -> Result<Vec<CaCert>, String> {
    let Some(v) = m.get(member) else {
        return Ok(Vec::new());
    };
    let Some(o) = v.as_object() else {
        if v.is_null() {
            return Ok(Vec::new());
        }
        return Err(format!("{member}: expected an object of keyid to key"));
    };
    let mut out = Vec::new();
    for (keyid, key) in o {
        let at = format!("{member}.{keyid}");
        let pem = key
            .get("keyval")
            .and_then(|k| k.get("certificate"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{at}.keyval.certificate: expected a PEM certificate"))?;
        let der = pem_certificate(pem).map_err(|e| format!("{at}.keyval.certificate: {e}"))?;
        let cert = Certificate::from_der(&der)
            .map_err(|e| format!("{at}.keyval.certificate: not an X.509 certificate: {e}"))?;
        out.push(CaCert {
            keyid: keyid.clone(),
            der,
            cert,
        });
    }
    Ok(out)
}

fn strings(c: &Map<String, Value>, at: &str, member: &str) -> Result<Vec<String>, String> {
    match c.get(member) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{at}.{member}[{i}]: expected a string"))
            })
            .collect(),
        Some(_) => Err(format!("{at}.{member}: expected a list of strings")),
    }
}

fn constraint(v: &Value, at: &str) -> Result<Constraint, String> {
    let c = v
        .as_object()
        .ok_or_else(|| format!("{at}: expected an object"))?;
    const MEMBERS: [&str; 6] = [
        "common_name",
        "dns_names",
        "emails",
        "organizations",
        "roots",
        "uris",
    ];
    if let Some(other) = c.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
        return Err(format!(
            "{at}.{other}: unknown member (expected one of {MEMBERS:?})"
        ));
    }
    let common_name = match c.get("common_name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("{at}.common_name: expected a string")),
    };
    Ok(Constraint {
        common_name,
        dns_names: strings(c, at, "dns_names")?,
        emails: strings(c, at, "emails")?,
        organizations: strings(c, at, "organizations")?,
        roots: strings(c, at, "roots")?,
        uris: strings(c, at, "uris")?,
    })
}

#[cfg(test)]
mod tests {
    use super::attribute;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn attributes_follow_in_toto_golang() {
        assert!(attribute("uris", &v(&["*"]), &v(&["a", "b"])).is_ok());
        assert!(attribute("uris", &v(&[]), &v(&[])).is_ok());
        assert!(attribute("uris", &v(&[""]), &v(&[])).is_ok());
        assert!(attribute("common_name", &v(&[""]), &v(&[""])).is_ok());
        assert!(attribute("uris", &v(&[]), &v(&["a"])).is_err());
        assert!(attribute("uris", &v(&["a", "b"]), &v(&["b", "a"])).is_ok());
        assert!(attribute("uris", &v(&["a", "b"]), &v(&["a"])).is_err());
        assert!(attribute("uris", &v(&["a"]), &v(&["a", "a"])).is_err());
        assert!(attribute("uris", &v(&["a"]), &v(&["c"])).is_err());
        // `*` only as the one value: otherwise it is literal.
        assert!(attribute("uris", &v(&["*", "a"]), &v(&["a"])).is_err());
    }

    #[test]
    fn garbage_policies_are_errors_naming_the_field() {
        let bad = serde_json::json!({"rootcas": {"ab": {"keyval": {"certificate": "x"}}}});
        let e = super::CertPolicy::read(&bad).unwrap_err();
        assert!(e.starts_with("rootcas.ab.keyval.certificate"), "{e}");
        let bad =
            serde_json::json!({"steps": [{"name": "s", "cert_constraints": [{"uris": "x"}]}]});
        let e = super::CertPolicy::read(&bad).unwrap_err();
        assert!(e.contains("steps[0].cert_constraints[0].uris"), "{e}");
        let none = serde_json::json!({"steps": [{"name": "s"}]});
        assert!(super::CertPolicy::read(&none).unwrap().is_none());
    }
}
