//! What a signed document says: a Statement, a classic link or a classic layout.
//!
//! This file dispatches on the payload type and `_type`; the shapes are read
//! in [`super::statement`], [`super::link`] and [`super::layout`]. It never
//! decides whether the content is trusted: that is [`super::verify()`]'s job.

use serde_json::{Map, Value};

use super::document::{check_case, parse_json, Document};
use super::dsse::INTOTO_PAYLOAD_TYPE;
use super::error::{EvidenceError, Location};
use super::layout::{self, ClassicLayout};
use super::limits::Limits;
use super::link::link;
use super::model::{Link, Predicate, Statement};
use super::statement::statement;
use cairn_json::Scanner;

pub use super::members::{STATEMENT_V01, STATEMENT_V1};

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
            if let Some(read) = statement_with_text(&env.payload, at, limits) {
                return read.map(Content::Statement);
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

/// Predicates of fewer bytes are read into a value at once.
const TEXT_PREDICATE: usize = 64 * 1024;

/// A Statement whose predicate is kept as its text (checked, not built:
/// see [`Predicate`]): the payload read member by member, the predicate
/// checked by the strict reader without a value of it, the rest read and
/// judged as the ordinary road reads it, with `{}` for the predicate. Only
/// a fast road: `None` (a payload that is no such Statement, a small
/// predicate, anything unexpected) leaves the payload to the ordinary
/// road, which says what is wrong with it.
fn statement_with_text(
    payload: &[u8],
    at: &Location,
    limits: &Limits,
) -> Option<Result<Statement, EvidenceError>> {
    if payload.len() < TEXT_PREDICATE {
        return None;
    }
    let mut scan = Scanner::new(payload, limits.max_depth).ok()?;
    if !scan.enter_object().ok()? {
        return None;
    }
    let mut members = Map::new();
    let mut text = None;
    loop {
        let key = scan.key().ok()?;
        let value = if key == "predicate" && scan.at_object() {
            text = Some(scan.skip_value(1).ok()?);
            Value::Object(Map::new())
        } else {
            scan.value(1).ok()?.to_value()
        };
        if members.insert(key.into_owned(), value).is_some() {
            return None;
        }
        if !scan.next_member().ok()? {
            break;
        }
    }
    let text = scan.text(text?)?;
    scan.finish().ok()?;
    let value = Value::Object(members);
    let type_name = type_of(&value, at, true).ok()?;
    if !matches!(type_name.as_str(), STATEMENT_V1 | STATEMENT_V01) {
        return None;
    }
    Some(statement(value, &type_name, at).map(|mut st| {
        st.predicate = Predicate::checked_text(text.into(), limits.max_depth);
        st
    }))
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

    /// A large Statement read with its predicate as text is the Statement
    /// the ordinary road reads; what the ordinary road refuses (a repeated
    /// key deep in the predicate, too deep a predicate) it refuses the same.
    #[test]
    fn statements_with_text_predicates() {
        use super::super::dsse::Envelope;
        let at = Location::file("big.intoto.jsonl");
        let limits = Limits::default();
        let items: Vec<String> = (0..3000)
            .map(|i| {
                format!(r#"{{"name": "pkg-{i}", "licenses": [{{"license": {{"id": "MIT"}}}}]}}"#)
            })
            .collect();
        let make = |predicate: &str| {
            format!(
                r#"{{"_type": "https://in-toto.io/Statement/v1", "subject": [{{"name": "a", "digest": {{"sha256": "{}"}}}}], "predicateType": "https://cyclonedx.org/bom", "predicate": {predicate}}}"#,
                "ab".repeat(32)
            )
        };
        let read = |payload: String| {
            let doc = Document::Dsse(Envelope {
                payload_type: INTOTO_PAYLOAD_TYPE.into(),
                payload: payload.into_bytes(),
                signatures: Vec::new(),
            });
            content(&doc, &at, &limits)
        };
        let ordinary = |payload: String| {
            let value =
                parse_json(payload.as_bytes(), &at, limits.max_depth).map_err(in_payload)?;
            statement_of(value, &at)
        };
        fn statement_of(value: Value, at: &Location) -> Result<Statement, EvidenceError> {
            let t = type_of(&value, at, true)?;
            statement(value, &t, at)
        }
        let good = make(&format!(
            r#"{{"components": [{}], "bomFormat": "CycloneDX"}}"#,
            items.join(",")
        ));
        assert!(good.len() > TEXT_PREDICATE);
        let Ok(Content::Statement(st)) = read(good.clone()) else {
            panic!("not read");
        };
        assert!(st.predicate.text().is_some());
        assert_eq!(st, ordinary(good.clone()).unwrap());
        let repeated = make(&format!(
            r#"{{"components": [{}, {{"a": 1, "a": 2}}]}}"#,
            items.join(",")
        ));
        let deep = make(&format!(
            r#"{{"components": [{}], "x": {}1{}}}"#,
            items.join(","),
            "[".repeat(127),
            "]".repeat(127)
        ));
        let twice = format!("{}, \"predicate\": {{}}}}", good.trim_end_matches('}'));
        for bad in [repeated, deep, twice] {
            let Err(e) = read(bad.clone()) else {
                panic!("read");
            };
            assert_eq!(e.to_string(), ordinary(bad).unwrap_err().to_string());
        }
    }
}
