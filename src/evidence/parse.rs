//! What a signed document says: a Statement, a classic link or a classic layout.
//!
//! This file dispatches on the payload type and `_type`; the shapes are read
//! in [`super::statement`], [`super::link`] and [`super::layout`]. It never
//! decides whether the content is trusted: that is [`super::verify`]'s job.

use serde_json::Value;

use super::document::{check_case, parse_json, Document};
use super::dsse::INTOTO_PAYLOAD_TYPE;
use super::error::{EvidenceError, Location};
use super::layout::{self, ClassicLayout};
use super::limits::Limits;
use super::link::link;
use super::model::{Link, Statement};
use super::statement::statement;

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
            let type_name = type_of(&value, at, true)?;
            match type_name.as_str() {
                STATEMENT_V1 | STATEMENT_V01 => {
                    statement(value, &type_name, at).map(Content::Statement)
                }
                "link" | "layout" if env.payload_type == INTOTO_PAYLOAD_TYPE => {
                    // Classic metadata in DSSE is JSON that python may write
                    // with floats nowhere; it is read like a metablock's `signed`.
                    classic(&value, &type_name, at)
                }
                _ => Err(EvidenceError::UnsupportedType {
                    at: at.clone().with_field("payload $._type"),
                    type_name,
                }),
            }
        }
        Document::Metablock { signed, .. } => {
            let type_name = type_of(signed, at, false)?;
            match type_name.as_str() {
                "link" | "layout" => classic(signed, &type_name, at),
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

/// The `_type` of signed content. In a DSSE payload (`statement_alias`), a
/// Statement may spell it `type`, its protobuf field name (see
/// [`super::statement::statement_type`]).
fn type_of(value: &Value, at: &Location, statement_alias: bool) -> Result<String, EvidenceError> {
    let Value::Object(obj) = value else {
        return Err(EvidenceError::Unrecognised {
            at: at.clone(),
            reason: "the signed content is not a JSON object".into(),
        });
    };
    check_case(obj, &["_type"], at, "$")?;
    if statement_alias {
        if let Some(t) = super::statement::statement_type(obj, at)? {
            return Ok(t);
        }
    }
    match obj.get("_type") {
        Some(Value::String(t)) => Ok(t.clone()),
        _ => Err(EvidenceError::UnsupportedType {
            at: at.clone().with_field("$._type"),
            type_name: String::from("(missing)"),
        }),
    }
}

fn classic(value: &Value, type_name: &str, at: &Location) -> Result<Content, EvidenceError> {
    if type_name == "link" {
        link(value, at).map(Content::Link)
    } else {
        layout::layout(value, at).map(|l| Content::Layout(Box::new(l)))
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

#[cfg(test)]
mod tests {
    use super::*;

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
