//! Classic layout (`signed` object) to IR, collecting every error.
//!
//! Meaning is kept exactly: in-toto ends every rule list with an implicit
//! `ALLOW *` where cairn ends it with an implicit `disallow "*"`, so each
//! imported list gains an explicit `allow "*"` unless it already ends with an
//! `ALLOW` or `DISALLOW` of a match-everything pattern. Inputs whose meaning differs by
//! design (`docs/in-toto-compat.md`) are refused, never reinterpreted.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::items::{import_inspection, import_step};
use super::keys;
use super::lists::{resolve, Side};
use super::locate::Path;
use super::reader::Reader;
use crate::InteropError;
use cairn_lang::ir::{self, InspectionId, StepId, Target};

const LAYOUT_MEMBERS: &[&str] = &["_type", "expires", "readme", "keys", "steps", "inspect"];
const LAYOUT_EXTENSIONS: &[&str] = &["rootcas", "intermediatecas"];

/// Converts a classic layout's `signed` object into the IR.
///
/// `signed` must already be parsed strictly and its signature verified by the
/// caller. `text` is the JSON text it came from (a metablock, or the decoded
/// payload of a DSSE envelope); it is only used to give spans into the file.
/// `name` becomes the layout's name (classic layouts have none; callers pass
/// the file stem, or `root`). Every error is collected.
pub fn layout_to_ir(
    signed: &Value,
    text: &str,
    name: &str,
) -> Result<ir::Layout, Vec<InteropError>> {
    layout_to_ir_with(signed, text, name, false)
}

/// [`layout_to_ir`], and with `x509` in-toto-golang's `rootcas`,
/// `intermediatecas` and `cert_constraints` are accepted rather than
/// refused: the IR cannot hold them, so only a caller that checks them
/// itself ([`cairn_evidence::x509`], `cairn verify --layout`) may ask.
/// A step with `cert_constraints` may then have a threshold above its
/// number of `pubkeys` (certificate functionaries make up the rest).
pub fn layout_to_ir_with(
    signed: &Value,
    text: &str,
    name: &str,
    x509: bool,
) -> Result<ir::Layout, Vec<InteropError>> {
    let mut r = Reader::new(text);
    r.x509 = x509;
    let root = Path::default();
    let layout = import_layout(&mut r, signed, &root, name);
    match layout {
        Some(layout) if r.errors.is_empty() => Ok(layout),
        _ => Err(r.errors),
    }
}

fn import_layout(
    r: &mut Reader<'_>,
    signed: &Value,
    root: &Path,
    name: &str,
) -> Option<ir::Layout> {
    let m = r.object(signed, root)?;
    r.kind(m, root, "layout", true);
    r.only(m, root, LAYOUT_MEMBERS, LAYOUT_EXTENSIONS);
    let expires = expiry(r, m, root);
    let readme = match m.get("readme") {
        Some(v) => r.string(v, &root.key("readme")).map(str::to_string),
        None => None,
    };

    let (keys, keyids) = match r.member(m, root, "keys") {
        Some(v) => match r.object(v, &root.key("keys")) {
            Some(k) => keys::import(r, k, &root.key("keys")),
            None => (Vec::new(), Vec::new()),
        },
        None => (Vec::new(), Vec::new()),
    };
    let all_keyids: Vec<String> = match m.get("keys") {
        Some(Value::Object(k)) => k.keys().cloned().collect(),
        _ => Vec::new(),
    };

    let steps_v = list(r, m, root, "steps");
    let inspect_v = list(r, m, root, "inspect");

    // Every name written, even of items that fail to import, so that a
    // MATCH naming a broken step is not reported a second time.
    let written: Vec<&str> = steps_v
        .iter()
        .chain(inspect_v)
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .filter(|n| !n.is_empty())
        .collect();
    let mut names: BTreeMap<String, Target> = BTreeMap::new();
    let mut steps = Vec::new();
    let mut step_items = Vec::new();
    for (i, v) in steps_v.iter().enumerate() {
        let path = root.key("steps").index(i);
        let id = StepId(u32::try_from(steps.len()).unwrap_or(u32::MAX));
        let (step, item) = import_step(r, v, &path, &keyids, &all_keyids);
        if let Some(step) = step {
            declare(r, &mut names, &step.name, Target::Step(id), &path);
            steps.push(step);
        }
        step_items.push(item);
    }
    let mut inspections = Vec::new();
    let mut inspection_items = Vec::new();
    for (i, v) in inspect_v.iter().enumerate() {
        let path = root.key("inspect").index(i);
        let id = InspectionId(u32::try_from(inspections.len()).unwrap_or(u32::MAX));
        let (inspection, item) = import_inspection(r, v, &path);
        if let Some(inspection) = inspection {
            declare(
                r,
                &mut names,
                &inspection.name,
                Target::Inspection(id),
                &path,
            );
            inspections.push(inspection);
        }
        inspection_items.push(item);
    }
    // Rules of items that failed to import are still checked, so that every
    // error is reported in one run; the layout is then refused anyway.
    let mut step_iter = steps.iter_mut();
    for item in step_items.iter().flatten() {
        let materials = resolve(r, item, Side::Materials, &names, &written);
        let products = resolve(r, item, Side::Products, &names, &written);
        if item.imported {
            if let Some(step) = step_iter.next() {
                step.materials = materials;
                step.products = products;
            }
        }
    }
    let mut inspection_iter = inspections.iter_mut();
    for item in inspection_items.iter().flatten() {
        let materials = resolve(r, item, Side::Materials, &names, &written);
        let products = resolve(r, item, Side::Products, &names, &written);
        if item.imported {
            if let Some(inspection) = inspection_iter.next() {
                inspection.materials = materials;
                inspection.products = products;
            }
        }
    }

    Some(ir::Layout {
        ir_version: ir::IR_VERSION,
        name: name.to_string(),
        span: r.span(root),
        expires,
        readme: readme.filter(|s| !s.is_empty()),
        keys,
        identities: Vec::new(),
        trust_root: None,
        params: Vec::new(),
        steps,
        inspections,
        artifact: None,
        summary: None,
    })
}

fn list<'v>(r: &mut Reader<'_>, m: &'v Map<String, Value>, root: &Path, key: &str) -> &'v [Value] {
    match r.member(m, root, key) {
        Some(v) => r.array(v, &root.key(key)).map_or(&[], Vec::as_slice),
        None => &[],
    }
}

fn declare(
    r: &mut Reader<'_>,
    names: &mut BTreeMap<String, Target>,
    name: &str,
    target: Target,
    path: &Path,
) {
    if names.insert(name.to_string(), target).is_some() {
        let at = r.at(&path.key("name"));
        r.push(InteropError::DuplicateName {
            name: name.to_string(),
            at,
        });
    }
}

fn expiry(r: &mut Reader<'_>, m: &Map<String, Value>, root: &Path) -> Option<ir::Expiry> {
    let text = r.str_member(m, root, "expires")?;
    let path = root.key("expires");
    match parse_expiry(text) {
        Some(unix) => Some(ir::Expiry {
            text: text.to_string(),
            unix,
            span: r.span(&path),
        }),
        None => {
            let at = r.at(&path);
            r.push(InteropError::BadExpiry {
                found: text.to_string(),
                at,
            });
            None
        }
    }
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` (python's regex plus a
/// real-date parse), or `None`.
pub(crate) fn parse_expiry(text: &str) -> Option<i64> {
    let shape = text.len() == 20
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let dt = time::PrimitiveDateTime::parse(text, &format).ok()?;
    Some(dt.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_lang::ir::RuleKind;
    use serde_json::json;

    const KEY: &str = "7345b83c121ea0d9ffc3b38d69958718b8435e8cb0552f889d695586693e1b89";
    const KEYID: &str = "956a5cbc364625b71fb4fcc861044ab3e75ba3017af739c5774baf9391ff4090";

    fn layout(products: Value) -> Value {
        json!({
            "_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "",
            "keys": {KEYID: {"keyid": KEYID, "keytype": "ed25519", "scheme": "ed25519",
                             "keyval": {"public": KEY}}},
            "steps": [{"_type": "step", "name": "s", "threshold": 1, "pubkeys": [KEYID],
                       "expected_command": [], "expected_materials": [],
                       "expected_products": products}],
            "inspect": []
        })
    }

    fn products(rules: Value) -> Vec<RuleKind> {
        let l = layout_to_ir(&layout(rules), "", "x").unwrap();
        l.steps[0]
            .products
            .as_ref()
            .unwrap()
            .rules
            .iter()
            .map(|r| r.kind.clone())
            .collect()
    }

    fn allow(p: &str) -> RuleKind {
        RuleKind::Allow { pattern: p.into() }
    }

    fn disallow(p: &str) -> RuleKind {
        RuleKind::Disallow { pattern: p.into() }
    }

    #[test]
    fn lists_keep_the_implicit_allow_all() {
        assert_eq!(products(json!([])), vec![allow("*")]);
        assert_eq!(products(json!([["DISALLOW", "*"]])), vec![disallow("*")]);
        assert_eq!(products(json!([["disallow", "**"]])), vec![disallow("**")]);
        assert_eq!(products(json!([["ALLOW", "*"]])), vec![allow("*")]);
        // Only a match-everything DISALLOW closes the list.
        assert_eq!(
            products(json!([["DISALLOW", "*.tmp"]])),
            vec![disallow("*.tmp"), allow("*")]
        );
        assert_eq!(
            products(json!([["CREATE", "{x}"]])),
            vec![
                RuleKind::Create {
                    pattern: "{{x}}".into()
                },
                allow("*")
            ]
        );
    }

    #[test]
    fn expiry_is_strict() {
        assert_eq!(parse_expiry("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_expiry("2030-01-01T00:00:00Z"), Some(1_893_456_000));
        for bad in [
            "2030-01-01T00:00:00z",
            "2030-01-01 00:00:00Z",
            "2030-13-01T00:00:00Z",
            "2030-01-01T24:00:00Z",
            "2030-01-01T00:00:00",
            "+030-01-01T00:00:00Z",
            "２030-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_expiry(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_error_is_collected() {
        let mut l = layout(json!([
            ["CREATE"],
            ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "t"]
        ]));
        l["steps"][0]["threshold"] = json!(2);
        l["expires"] = json!("soon");
        let errors = layout_to_ir(&l, "", "x").unwrap_err();
        let codes: Vec<String> = errors
            .iter()
            .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
            .collect();
        assert_eq!(codes, ["E505", "E514", "E515", "E517"]);
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[A-Za-z*\\[!]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Replacing any one member of a valid layout by arbitrary JSON never
        /// panics, and yields errors unless the layout is still valid.
        #[test]
        fn any_single_replacement_is_handled(
            which in 0usize..12,
            value in arbitrary_json(),
        ) {
            let mut l = layout(json!([["CREATE", "a"], ["DISALLOW", "*"]]));
            let slot = match which {
                0 => &mut l["_type"],
                1 => &mut l["expires"],
                2 => &mut l["keys"],
                3 => &mut l["keys"][KEYID],
                4 => &mut l["keys"][KEYID]["keyval"],
                5 => &mut l["steps"],
                6 => &mut l["steps"][0],
                7 => &mut l["steps"][0]["threshold"],
                8 => &mut l["steps"][0]["pubkeys"],
                9 => &mut l["steps"][0]["expected_products"],
                10 => &mut l["steps"][0]["expected_products"][0],
                _ => &mut l["inspect"],
            };
            *slot = value;
            let text = serde_json::to_string_pretty(&l).unwrap();
            match layout_to_ir(&l, &text, "x") {
                Ok(ir) => proptest::prop_assert!(ir.steps.len() <= 1),
                Err(errors) => proptest::prop_assert!(!errors.is_empty()),
            }
        }
    }
}
