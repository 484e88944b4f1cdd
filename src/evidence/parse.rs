//! What a signed document says: a Statement, a classic link or a classic layout.
//!
//! Statements ignore unknown fields (the attestation spec requires it) but
//! refuse a key that differs from a known field only in case. Classic links
//! and layouts are read from the same raw value whose canonical form is signed.

use serde_json::{Map, Value};

use super::document::{check_case, parse_json, Document};
use super::dsse::INTOTO_PAYLOAD_TYPE;
use super::error::{EvidenceError, Location};
use super::layout::{self, ClassicLayout};
use super::limits::Limits;
use super::model::{Artifacts, DigestSet, Link, Statement, Subject};

/// The Statement v1 `_type`.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// The Statement v0.1 `_type`.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// The content of a document.
#[derive(Debug, Clone)]
pub enum Content {
    /// A Statement.
    Statement(Statement),
    /// A classic link.
    Link(Link),
    /// A classic layout.
    Layout(Box<ClassicLayout>),
}

/// Whether `t` is a payload type cairn reads as in-toto JSON.
pub fn is_intoto_payload_type(t: &str) -> bool {
    if t == INTOTO_PAYLOAD_TYPE {
        return true;
    }
    t.strip_prefix("application/vnd.in-toto.")
        .and_then(|rest| rest.strip_suffix("+json"))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// Reads what `doc` says.
pub fn content(doc: &Document, at: &Location, limits: &Limits) -> Result<Content, EvidenceError> {
    match doc {
        Document::Dsse(env) => {
            if !is_intoto_payload_type(&env.payload_type) {
                return Err(EvidenceError::PayloadType {
                    at: at.clone().with_field("$.payloadType"),
                    payload_type: env.payload_type.clone(),
                });
            }
            let payload_at = Location {
                field: None,
                ..at.clone()
            };
            let value =
                parse_json(&env.payload, &payload_at, limits.max_depth).map_err(in_payload)?;
            let type_name = type_of(&value, at)?;
            match type_name.as_str() {
                STATEMENT_V1 | STATEMENT_V01 => {
                    statement(&value, &type_name, at, limits).map(Content::Statement)
                }
                "link" | "layout" if env.payload_type == INTOTO_PAYLOAD_TYPE => {
                    // Classic metadata in DSSE is JSON that python may write
                    // with floats nowhere; it is read like a metablock's `signed`.
                    classic(&value, &type_name, at, limits)
                }
                _ => Err(EvidenceError::UnsupportedType {
                    at: at.clone().with_field("payload $._type"),
                    type_name,
                }),
            }
        }
        Document::Metablock { signed, .. } => {
            let type_name = type_of(signed, at)?;
            match type_name.as_str() {
                "link" | "layout" => classic(signed, &type_name, at, limits),
                _ => Err(EvidenceError::UnsupportedType {
                    at: at.clone().with_field("$.signed._type"),
                    type_name,
                }),
            }
        }
    }
}

/// Marks a payload parse error's field as being inside the payload.
fn in_payload(e: EvidenceError) -> EvidenceError {
    let relabel = |at: Location| -> Location {
        let field = format!("payload {}", at.field.as_deref().unwrap_or("$"));
        Location {
            line: at.line,
            column: None,
            field: Some(field),
            file: at.file,
        }
    };
    match e {
        EvidenceError::Json { at, reason } => EvidenceError::Json {
            at: relabel(at),
            reason,
        },
        EvidenceError::TrailingData { at } => EvidenceError::TrailingData { at: relabel(at) },
        EvidenceError::DuplicateKey { at, key } => EvidenceError::DuplicateKey {
            at: relabel(at),
            key,
        },
        EvidenceError::TooDeep { at, limit } => EvidenceError::TooDeep {
            at: relabel(at),
            limit,
        },
        other => other,
    }
}

fn type_of(value: &Value, at: &Location) -> Result<String, EvidenceError> {
    let Value::Object(obj) = value else {
        return Err(EvidenceError::Unrecognised {
            at: at.clone(),
            reason: "the signed content is not a JSON object".into(),
        });
    };
    check_case(obj, &["_type"], at, "$")?;
    match obj.get("_type") {
        Some(Value::String(t)) => Ok(t.clone()),
        _ => Err(EvidenceError::UnsupportedType {
            at: at.clone().with_field("$._type"),
            type_name: String::from("(missing)"),
        }),
    }
}

fn classic(
    value: &Value,
    type_name: &str,
    at: &Location,
    limits: &Limits,
) -> Result<Content, EvidenceError> {
    if type_name == "link" {
        link(value, at, limits).map(Content::Link)
    } else {
        layout::layout(value, at, limits).map(|l| Content::Layout(Box::new(l)))
    }
}

pub(super) fn bad(
    at: &Location,
    field: &str,
    what: &'static str,
    reason: impl Into<String>,
) -> EvidenceError {
    EvidenceError::Malformed {
        at: at.clone().with_field(field),
        what,
        reason: reason.into(),
    }
}

fn statement(
    value: &Value,
    type_name: &str,
    at: &Location,
    limits: &Limits,
) -> Result<Statement, EvidenceError> {
    let what = "statement";
    let obj = value
        .as_object()
        .ok_or_else(|| bad(at, "$", what, "not an object"))?;
    check_case(
        obj,
        &["_type", "subject", "predicateType", "predicate"],
        at,
        "$",
    )?;
    let Some(Value::Array(subjects)) = obj.get("subject") else {
        return Err(EvidenceError::BadSubject {
            at: at.clone().with_field("$.subject"),
            reason: "`subject` must be an array".into(),
        });
    };
    if subjects.is_empty() {
        return Err(EvidenceError::BadSubject {
            at: at.clone().with_field("$.subject"),
            reason: "`subject` is empty".into(),
        });
    }
    if subjects.len() > limits.max_subjects {
        return Err(EvidenceError::TooMany {
            at: at.clone().with_field("$.subject"),
            what: "subjects",
            limit: limits.max_subjects,
        });
    }
    let v01 = type_name == STATEMENT_V01;
    let mut out = Vec::with_capacity(subjects.len());
    for (i, s) in subjects.iter().enumerate() {
        let path = format!("$.subject[{i}]");
        let subject_err = |reason: &str| EvidenceError::BadSubject {
            at: at.clone().with_field(path.clone()),
            reason: reason.to_owned(),
        };
        let Value::Object(s) = s else {
            return Err(subject_err("a subject must be an object"));
        };
        check_case(
            s,
            &[
                "name",
                "uri",
                "digest",
                "content",
                "downloadLocation",
                "mediaType",
                "annotations",
            ],
            at,
            &path,
        )?;
        let name = match s.get("name") {
            Some(Value::String(n)) => n.clone(),
            None => String::new(),
            Some(_) => return Err(subject_err("`name` must be a string")),
        };
        if v01 && name.is_empty() {
            return Err(subject_err("a v0.1 subject needs a non-empty `name`"));
        }
        if v01 && out.iter().any(|o: &Subject| o.name == name) {
            return Err(subject_err("v0.1 subject names must be unique"));
        }
        let digest = match s.get("digest") {
            Some(d) => digest_set(d, at, &format!("{path}.digest"))?,
            None => return Err(subject_err("the subject has no `digest`")),
        };
        if digest.is_empty() {
            return Err(subject_err("`digest` is empty"));
        }
        out.push(Subject { name, digest });
    }
    let predicate_type = match obj.get("predicateType") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        _ => {
            return Err(bad(
                at,
                "$.predicateType",
                what,
                "`predicateType` must be a non-empty string",
            ))
        }
    };
    let predicate = match obj.get("predicate") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => {
            return Err(bad(
                at,
                "$.predicate",
                what,
                "`predicate` must be an object",
            ))
        }
    };
    Ok(Statement {
        statement_type: type_name.to_owned(),
        subjects: out,
        predicate_type,
        predicate,
    })
}

/// Expected hex lengths of the digest algorithms cairn knows.
fn hex_len(alg: &str) -> Option<&'static [usize]> {
    Some(match alg {
        "sha256" | "sha512_256" | "sha3_256" | "dirHash" => &[64],
        "sha224" | "sha512_224" | "sha3_224" => &[56],
        "sha384" | "sha3_384" => &[96],
        "sha512" | "sha3_512" => &[128],
        "sha1" | "ripemd160" => &[40],
        "md5" => &[32],
        "gitCommit" | "gitTree" | "gitBlob" | "gitTag" => &[40, 64],
        _ => return None,
    })
}

/// Reads a DigestSet: every value a string; known algorithms lowercase hex of the right length.
pub fn digest_set(value: &Value, at: &Location, path: &str) -> Result<DigestSet, EvidenceError> {
    let Value::Object(obj) = value else {
        return Err(EvidenceError::BadSubject {
            at: at.clone().with_field(path),
            reason: "a digest set must be an object".into(),
        });
    };
    let mut out = DigestSet::new();
    for (alg, v) in obj {
        let field = format!("{path}.{alg}");
        let Value::String(v) = v else {
            return Err(EvidenceError::BadSubject {
                at: at.clone().with_field(field),
                reason: "a digest must be a string".into(),
            });
        };
        if let Some(lens) = hex_len(alg) {
            let ok = lens.contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return Err(EvidenceError::BadSubject {
                    at: at.clone().with_field(field),
                    reason: format!(
                        "`{alg}` must be lowercase hex of {} digits",
                        lens.first().copied().unwrap_or(0)
                    ),
                });
            }
        }
        out.insert(alg.clone(), v.clone());
    }
    Ok(out)
}

fn artifacts(
    value: Option<&Value>,
    at: &Location,
    path: &str,
    limits: &Limits,
) -> Result<Artifacts, EvidenceError> {
    let Some(Value::Object(obj)) = value else {
        return Err(bad(
            at,
            path,
            "link",
            "must be an object of artifact name to digests",
        ));
    };
    if obj.len() > limits.max_artifacts {
        return Err(EvidenceError::TooMany {
            at: at.clone().with_field(path),
            what: "artifacts",
            limit: limits.max_artifacts,
        });
    }
    let mut out = Artifacts::new();
    for (name, digests) in obj {
        let field = format!("{path}[{}]", Value::String(name.clone()));
        out.insert(name.clone(), digest_set(digests, at, &field)?);
    }
    Ok(out)
}

/// Reads a list of strings (`command`, `run`, `pubkeys`).
pub(super) fn strings(
    value: Option<&Value>,
    at: &Location,
    path: &str,
    what: &'static str,
) -> Result<Vec<String>, EvidenceError> {
    let Some(Value::Array(items)) = value else {
        return Err(bad(at, path, what, "must be an array of strings"));
    };
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(at, path, what, "must be an array of strings"))
        })
        .collect()
}

fn link(value: &Value, at: &Location, limits: &Limits) -> Result<Link, EvidenceError> {
    let what = "link";
    let obj = value
        .as_object()
        .ok_or_else(|| bad(at, "$", what, "not an object"))?;
    let known = [
        "_type",
        "name",
        "command",
        "materials",
        "products",
        "byproducts",
        "environment",
    ];
    check_case(obj, &known, at, "$")?;
    let name = match obj.get("name") {
        Some(Value::String(n)) => n.clone(),
        _ => return Err(bad(at, "$.name", what, "`name` must be a string")),
    };
    let command = match obj.get("command") {
        None => Vec::new(),
        some => strings(some, at, "$.command", what)?,
    };
    let opaque = |field: &str| -> Result<Value, EvidenceError> {
        match obj.get(field) {
            None => Ok(Value::Object(Map::new())),
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            Some(_) => Err(bad(
                at,
                &format!("$.{field}"),
                what,
                format!("`{field}` must be an object"),
            )),
        }
    };
    Ok(Link {
        name,
        command,
        materials: artifacts(obj.get("materials"), at, "$.materials", limits)?,
        products: artifacts(obj.get("products"), at, "$.products", limits)?,
        byproducts: opaque("byproducts")?,
        environment: opaque("environment")?,
    })
}

/// Converts a Statement whose predicate is a link/v0.3 into a classic [`Link`]:
/// products from the subjects, materials from `predicate.materials`.
pub fn link_from_v03(statement: &Statement) -> Result<Link, String> {
    let p = statement
        .predicate
        .as_object()
        .ok_or("the predicate is not an object")?;
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("`predicate.name` must be a non-empty string")?
        .to_owned();
    let command = match p.get("command") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or("`predicate.command` must be an array of strings")?,
        Some(_) => return Err("`predicate.command` must be an array of strings".into()),
    };
    let mut products = Artifacts::new();
    for s in &statement.subjects {
        if s.name.is_empty() || products.insert(s.name.clone(), s.digest.clone()).is_some() {
            return Err(format!(
                "subject names must be unique and non-empty (`{}`)",
                s.name
            ));
        }
    }
    let mut materials = Artifacts::new();
    match p.get("materials") {
        None => {}
        Some(Value::Array(items)) => {
            let at = Location::default();
            for m in items {
                let name = m
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                    .ok_or("every material needs a non-empty `name`")?;
                let digest = m.get("digest").ok_or("every material needs a `digest`")?;
                let digest = digest_set(digest, &at, "digest").map_err(|e| e.to_string())?;
                if materials.insert(name.to_owned(), digest).is_some() {
                    return Err(format!("material `{name}` is listed twice"));
                }
            }
        }
        Some(_) => return Err("`predicate.materials` must be an array".into()),
    }
    let opaque = |field: &str| {
        p.get(field)
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()))
    };
    Ok(Link {
        name,
        command,
        materials,
        products,
        byproducts: opaque("byproducts"),
        environment: opaque("environment"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement_of(v: Value) -> Result<Statement, EvidenceError> {
        statement(&v, STATEMENT_V1, &Location::file("f"), &Limits::default())
    }

    #[test]
    fn link_v03_converts() {
        let s = statement_of(serde_json::json!({
            "_type": STATEMENT_V1,
            "subject": [{"name": "out", "digest": {"sha256": "ab".repeat(32)}}],
            "predicateType": crate::predicates::LINK_V03,
            "predicate": {"name": "build", "command": ["make"],
                "materials": [{"name": "in", "digest": {"sha256": "cd".repeat(32)}}]}
        }))
        .unwrap();
        let link = link_from_v03(&s).unwrap();
        assert_eq!(link.name, "build");
        assert_eq!(link.command, vec!["make"]);
        assert!(link.products.contains_key("out"));
        assert!(link.materials.contains_key("in"));
    }

    #[test]
    fn payload_types() {
        assert!(is_intoto_payload_type("application/vnd.in-toto+json"));
        assert!(is_intoto_payload_type(
            "application/vnd.in-toto.provenance+json"
        ));
        assert!(!is_intoto_payload_type("application/vnd.in-toto+JSON"));
        assert!(!is_intoto_payload_type("application/json"));
        assert!(!is_intoto_payload_type("application/vnd.in-toto+json "));
    }
}
