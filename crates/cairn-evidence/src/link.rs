//! Classic in-toto links, and the conversion of link/v0.3 predicates to them.
//!
//! A link is read from the same raw value whose canonical form is signed;
//! `name`, `materials` and `products` are required, the rest defaults to empty.

use serde_json::{Map, Value};

use super::document::check_case;
use super::error::{EvidenceError, Location};
use super::members::{bad, digest_set, strings};
use super::model::{Artifacts, Link, Statement};

fn artifacts(value: Option<&Value>, at: &Location, path: &str) -> Result<Artifacts, EvidenceError> {
    let Some(Value::Object(obj)) = value else {
        return Err(bad(
            at,
            path,
            "link",
            "must be an object of artifact name to digests",
        ));
    };
    let mut out = Artifacts::new();
    for (name, digests) in obj {
        let field = format!("{path}[{}]", Value::String(name.clone()));
        if let Some(reason) = super::names::artifact_name_problem(name) {
            return Err(EvidenceError::BadArtifactName {
                at: at.clone().with_field(path),
                name: cairn_base::escape::escape(name),
                reason: reason.to_owned(),
            });
        }
        out.insert(name.clone(), digest_set(digests, at, &field)?);
    }
    Ok(out)
}

/// Reads a classic link (`_type: link`) from its JSON value, strictly.
pub(super) fn link(value: &Value, at: &Location) -> Result<Link, EvidenceError> {
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
        materials: artifacts(obj.get("materials"), at, "$.materials")?,
        products: artifacts(obj.get("products"), at, "$.products")?,
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
                if let Some(reason) = super::names::artifact_name_problem(name) {
                    return Err(format!(
                        "bad material name `{}`: {reason}",
                        cairn_base::escape::escape(name)
                    ));
                }
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
    use crate::members::STATEMENT_V1;
    use crate::statement::statement;

    fn statement_of(v: Value) -> Result<Statement, EvidenceError> {
        statement(v, STATEMENT_V1, &Location::file("f"))
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
}
