//! Classic in-toto layouts (`_type: layout`) as typed data, for importing them.
//!
//! Read strictly: unknown members of the layout, its steps and inspections
//! are refused (python would drop them silently and go would refuse them), as
//! are keys that differ from a known member only in case (`Run` beside `run`).
//! Rules stay arrays of strings; their grammar belongs to the importer.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::document::check_case;
use super::error::{EvidenceError, Location};
use super::keyfile::key_from_object;
use super::keys::PublicKey;
use super::members::{bad, strings};
use super::scheme::Scheme;

/// A classic layout.
#[derive(Debug, Clone)]
pub struct ClassicLayout {
    /// `expires`, `YYYY-MM-DDTHH:MM:SSZ` (format checked).
    pub expires: String,
    /// `readme`.
    pub readme: String,
    /// `keys`: keyid (as the map key) to key.
    pub keys: BTreeMap<String, LayoutKey>,
    /// `steps`, in order.
    pub steps: Vec<ClassicStep>,
    /// `inspect`, in order.
    pub inspections: Vec<ClassicInspection>,
}

/// A functionary key of a layout.
#[derive(Debug, Clone)]
pub struct LayoutKey {
    /// The key.
    pub key: PublicKey,
    /// Its scheme.
    pub scheme: Scheme,
    /// The `keyid` member, if present.
    pub keyid: Option<String>,
    /// The `keyval.public` text exactly as written (keyids depend on it).
    pub public_text: String,
    /// Whether the object carries `keyid_hash_algorithms` (legacy formula).
    pub legacy: bool,
}

/// A step of a classic layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicStep {
    /// `name`.
    pub name: String,
    /// `threshold` as written (range checks belong to the importer).
    pub threshold: i64,
    /// `expected_materials`: rules as arrays of strings.
    pub expected_materials: Vec<Vec<String>>,
    /// `expected_products`.
    pub expected_products: Vec<Vec<String>>,
    /// `pubkeys`: authorised keyids.
    pub pubkeys: Vec<String>,
    /// `expected_command`.
    pub expected_command: Vec<String>,
}

/// An inspection of a classic layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicInspection {
    /// `name`.
    pub name: String,
    /// `run`: the argv a verifier would execute.
    pub run: Vec<String>,
    /// `expected_materials`.
    pub expected_materials: Vec<Vec<String>>,
    /// `expected_products`.
    pub expected_products: Vec<Vec<String>>,
}

const WHAT: &str = "layout";

fn only_known(
    obj: &Map<String, Value>,
    known: &[&str],
    at: &Location,
    path: &str,
) -> Result<(), EvidenceError> {
    check_case(obj, known, at, path)?;
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(bad(
            at,
            &format!("{path}.{k}"),
            WHAT,
            format!("unknown member `{k}`"),
        )),
        None => Ok(()),
    }
}

fn string(
    obj: &Map<String, Value>,
    name: &str,
    at: &Location,
    path: &str,
) -> Result<String, EvidenceError> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        // in-toto python fills in an absent `expires` (a month from now);
        // cairn does not guess how long a layout is valid.
        None if name == "expires" => Err(bad(
            at,
            &format!("{path}.{name}"),
            WHAT,
            "`expires` is missing: a layout must say until when it is valid (cairn does not fill in one month from now as in-toto python does)",
        )),
        None => Err(bad(
            at,
            &format!("{path}.{name}"),
            WHAT,
            format!("`{name}` is missing"),
        )),
        Some(_) => Err(bad(
            at,
            &format!("{path}.{name}"),
            WHAT,
            format!("`{name}` must be a string"),
        )),
    }
}

fn rules(
    obj: &Map<String, Value>,
    name: &str,
    at: &Location,
    path: &str,
) -> Result<Vec<Vec<String>>, EvidenceError> {
    let path = format!("{path}.{name}");
    let Some(Value::Array(items)) = obj.get(name) else {
        return Err(bad(
            at,
            &path,
            WHAT,
            format!("`{name}` must be an array of rules"),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, r)| strings(Some(r), at, &format!("{path}[{i}]"), WHAT))
        .collect()
}

fn is_expiry(s: &str) -> bool {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    s.len() == 20 && time::PrimitiveDateTime::parse(s, format).is_ok()
}

/// Reads a classic layout from its raw `signed` value.
pub fn layout(value: &Value, at: &Location) -> Result<ClassicLayout, EvidenceError> {
    let obj = value
        .as_object()
        .ok_or_else(|| bad(at, "$", WHAT, "not an object"))?;
    // in-toto-golang's X.509 members are kept for the importer, which
    // refuses them (E510) unless `verify --layout` checks them itself.
    only_known(
        obj,
        &[
            "_type",
            "expires",
            "readme",
            "keys",
            "steps",
            "inspect",
            "rootcas",
            "intermediatecas",
        ],
        at,
        "$",
    )?;
    let expires = string(obj, "expires", at, "$")?;
    if !is_expiry(&expires) {
        return Err(bad(
            at,
            "$.expires",
            WHAT,
            "`expires` must be `YYYY-MM-DDTHH:MM:SSZ`",
        ));
    }
    let readme = match obj.get("readme") {
        None => String::new(),
        Some(_) => string(obj, "readme", at, "$")?,
    };
    let Some(Value::Object(key_map)) = obj.get("keys") else {
        return Err(bad(
            at,
            "$.keys",
            WHAT,
            "`keys` must be an object of keyid to key",
        ));
    };
    let mut keys = BTreeMap::new();
    for (keyid, k) in key_map {
        let path = format!("$.keys[{}]", Value::String(keyid.clone()));
        let (key, scheme, stated) = key_from_object(k).map_err(|e| EvidenceError::BadKey {
            at: at.clone().with_field(path.clone()),
            reason: e.to_string(),
        })?;
        let public_text = k
            .pointer("/keyval/public")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let legacy = k.get("keyid_hash_algorithms").is_some();
        keys.insert(
            keyid.clone(),
            LayoutKey {
                key,
                scheme,
                keyid: stated,
                public_text,
                legacy,
            },
        );
    }
    let mut steps = Vec::new();
    for (i, s) in items(obj, "steps", at)?.iter().enumerate() {
        let path = format!("$.steps[{i}]");
        let s = s
            .as_object()
            .ok_or_else(|| bad(at, &path, WHAT, "a step must be an object"))?;
        only_known(
            s,
            &[
                "_type",
                "name",
                "threshold",
                "expected_materials",
                "expected_products",
                "pubkeys",
                "expected_command",
                "cert_constraints",
            ],
            at,
            &path,
        )?;
        let threshold = match s.get("threshold") {
            None => 1,
            Some(v) => v.as_i64().ok_or_else(|| {
                bad(
                    at,
                    &format!("{path}.threshold"),
                    WHAT,
                    "`threshold` must be an integer",
                )
            })?,
        };
        steps.push(ClassicStep {
            name: string(s, "name", at, &path)?,
            threshold,
            expected_materials: rules(s, "expected_materials", at, &path)?,
            expected_products: rules(s, "expected_products", at, &path)?,
            pubkeys: strings(s.get("pubkeys"), at, &format!("{path}.pubkeys"), WHAT)?,
            expected_command: match s.get("expected_command") {
                None => Vec::new(),
                some => strings(some, at, &format!("{path}.expected_command"), WHAT)?,
            },
        });
    }
    let mut inspections = Vec::new();
    for (i, s) in items(obj, "inspect", at)?.iter().enumerate() {
        let path = format!("$.inspect[{i}]");
        let s = s
            .as_object()
            .ok_or_else(|| bad(at, &path, WHAT, "an inspection must be an object"))?;
        only_known(
            s,
            &[
                "_type",
                "name",
                "run",
                "expected_materials",
                "expected_products",
            ],
            at,
            &path,
        )?;
        inspections.push(ClassicInspection {
            name: string(s, "name", at, &path)?,
            run: strings(s.get("run"), at, &format!("{path}.run"), WHAT)?,
            expected_materials: rules(s, "expected_materials", at, &path)?,
            expected_products: rules(s, "expected_products", at, &path)?,
        });
    }
    Ok(ClassicLayout {
        expires,
        readme,
        keys,
        steps,
        inspections,
    })
}

fn items<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    at: &Location,
) -> Result<&'a Vec<Value>, EvidenceError> {
    let Some(Value::Array(list)) = obj.get(name) else {
        return Err(bad(
            at,
            &format!("$.{name}"),
            WHAT,
            format!("`{name}` must be an array"),
        ));
    };
    Ok(list)
}
