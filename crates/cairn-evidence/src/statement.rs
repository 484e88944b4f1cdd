//! in-toto Statements (v1 and v0.1); their DigestSets are read by
//! [`super::members::digest_set`].
//!
//! Unknown fields are ignored, as the attestation spec requires, but a key
//! that differs from a known field only in case is refused. Every subject
//! needs a non-empty digest set; digests of known algorithms must be
//! lowercase hex of the right length.
//!
//! The Statement's type may be spelled `_type` or `type`: the attestation
//! specification defines the Statement in protobuf (`string type = 1
//! [json_name = "_type"]`), and protobuf's JSON mapping accepts a field's
//! `json_name` and its own name alike. Exactly one of the two is allowed.

use serde_json::{Map, Value};

use super::document::check_case;
use super::error::{EvidenceError, Location};
use super::members::{bad, digest_set, STATEMENT_V01, STATEMENT_V1};
use super::model::{Statement, Subject};

/// A Statement's type when it is spelled `type` (its protobuf field name)
/// and `_type` is absent; `None` when `_type` is used or neither is a
/// Statement type. Both spellings at once are refused as a duplicate member.
pub(super) fn statement_type(
    obj: &Map<String, Value>,
    at: &Location,
) -> Result<Option<String>, EvidenceError> {
    let is_statement = |v: Option<&Value>| matches!(v, Some(Value::String(t)) if t == STATEMENT_V1 || t == STATEMENT_V01);
    let alias = obj.get("type");
    if alias.is_some()
        && obj.contains_key("_type")
        && (is_statement(alias) || is_statement(obj.get("_type")))
    {
        return Err(EvidenceError::DuplicateKey {
            at: at.clone().with_field("payload $.type"),
            key: "_type` and its protobuf name `type".to_owned(),
        });
    }
    match alias {
        Some(Value::String(t)) if is_statement(alias) => Ok(Some(t.clone())),
        _ => Ok(None),
    }
}

pub(super) fn statement(
    value: Value,
    type_name: &str,
    at: &Location,
) -> Result<Statement, EvidenceError> {
    let what = "statement";
    let Value::Object(mut obj) = value else {
        return Err(bad(at, "$", what, "not an object"));
    };
    check_case(
        &obj,
        &["_type", "type", "subject", "predicateType", "predicate"],
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
        if let Some(reason) = (!name.is_empty())
            .then(|| super::names::artifact_name_problem(&name))
            .flatten()
        {
            return Err(EvidenceError::BadArtifactName {
                at: at.clone().with_field(format!("{path}.name")),
                name: cairn_base::escape::escape(&name),
                reason: reason.to_owned(),
            });
        }
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
    let predicate = match obj.remove("predicate") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p,
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
        predicate: predicate.into(),
    })
}
