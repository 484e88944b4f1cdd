//! Classic layout (`signed` object) to IR, collecting every error.
//!
//! Meaning is kept exactly: in-toto ends every rule list with an implicit
//! `ALLOW *` where cairn ends it with an implicit `disallow "*"`, so each
//! imported list gains an explicit `allow "*"` unless it already ends with a
//! `DISALLOW` of a match-everything pattern. Inputs whose meaning differs by
//! design (`docs/in-toto-compat.md`) are refused, never reinterpreted.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::locate::Path;
use super::reader::{template, type_name, Reader};
use super::rules::{self, Classic};
use super::{keys, suggest};
use crate::interop::InteropError;
use crate::ir::{self, InspectionId, RuleKind, StepId, Target};
use crate::pattern::Pattern;

const LAYOUT_MEMBERS: &[&str] = &["_type", "expires", "readme", "keys", "steps", "inspect"];
const LAYOUT_EXTENSIONS: &[&str] = &["rootcas", "intermediatecas"];
const STEP_MEMBERS: &[&str] = &[
    "_type",
    "name",
    "threshold",
    "pubkeys",
    "expected_command",
    "expected_materials",
    "expected_products",
];
const INSPECTION_MEMBERS: &[&str] = &[
    "_type",
    "name",
    "run",
    "expected_materials",
    "expected_products",
];

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
    let mut r = Reader::new(text);
    let root = Path::default();
    let layout = import_layout(&mut r, signed, &root, name);
    match layout {
        Some(layout) if r.errors.is_empty() => Ok(layout),
        _ => Err(r.errors),
    }
}

/// A step or inspection being imported, before MATCH targets are resolved.
struct Item {
    /// Whether the step or inspection itself imported (it is then the next
    /// one in the output list).
    imported: bool,
    path: Path,
    materials: Option<Vec<(Classic, Path)>>,
    products: Option<Vec<(Classic, Path)>>,
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
        params: Vec::new(),
        steps,
        inspections,
        artifact: None,
        summary: None,
    })
}

#[derive(Clone, Copy)]
enum Side {
    Materials,
    Products,
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

fn name(r: &mut Reader<'_>, m: &Map<String, Value>, path: &Path) -> Option<String> {
    let name = r.str_member(m, path, "name")?;
    if name.is_empty() {
        let at = r.at(&path.key("name"));
        r.push(InteropError::EmptyName {
            field: path.key("name").to_string(),
            at,
        });
        return None;
    }
    Some(name.to_string())
}

fn command(r: &mut Reader<'_>, v: &Value, path: &Path) -> Option<ir::Command> {
    let argv = r.strings(v, path)?;
    Some(ir::Command {
        argv: argv.iter().map(|a| template(a)).collect(),
        span: r.span(path),
    })
}

/// Parses a rule list; `None` when the member is absent or malformed (errors recorded).
fn rule_list(
    r: &mut Reader<'_>,
    m: &Map<String, Value>,
    path: &Path,
    key: &str,
) -> Option<Vec<(Classic, Path)>> {
    let lpath = path.key(key);
    let Some(v) = m.get(key) else {
        // python defaults an absent list to `[]`: accept everything.
        return Some(Vec::new());
    };
    let items = r.array(v, &lpath)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, rule) in items.iter().enumerate() {
        let rpath = lpath.index(i);
        match rules::unpack(rule) {
            Ok(classic) => {
                check_pattern(r, &classic, &rpath);
                out.push((classic, rpath));
            }
            Err(reason) => {
                let at = r.at(&rpath);
                r.push(InteropError::BadRule {
                    field: rpath.to_string(),
                    reason,
                    at,
                });
            }
        }
    }
    Some(out)
}

fn check_pattern(r: &mut Reader<'_>, rule: &Classic, path: &Path) {
    let pattern = match rule {
        Classic::Simple(
            RuleKind::Create { pattern }
            | RuleKind::Delete { pattern }
            | RuleKind::Modify { pattern }
            | RuleKind::Allow { pattern }
            | RuleKind::Disallow { pattern },
        )
        | Classic::Match { pattern, .. } => pattern,
        Classic::Simple(_) => return,
    };
    if Pattern::new(pattern).is_err() {
        let at = r.at(path);
        r.push(InteropError::BadPattern {
            field: path.to_string(),
            pattern: pattern.clone(),
            at,
        });
    }
}

fn import_step(
    r: &mut Reader<'_>,
    v: &Value,
    path: &Path,
    keyids: &[String],
    all_keyids: &[String],
) -> (Option<ir::Step>, Option<Item>) {
    let Some(m) = r.object(v, path) else {
        return (None, None);
    };
    r.kind(m, path, "step", false);
    r.only(m, path, STEP_MEMBERS, &["cert_constraints"]);
    let name = name(r, m, path);
    let by = functionaries(
        r,
        m,
        path,
        name.as_deref().unwrap_or("?"),
        keyids,
        all_keyids,
    );
    let command = match m.get("expected_command") {
        Some(c) => command(r, c, &path.key("expected_command")),
        None => None,
    };
    let materials = rule_list(r, m, path, "expected_materials");
    let products = rule_list(r, m, path, "expected_products");
    let step = match (name, by) {
        (Some(name), Some(by)) => Some(ir::Step {
            name,
            span: r.span(path),
            by,
            command: command.filter(|c| !c.argv.is_empty()),
            materials: None,
            products: None,
            attestations: Vec::new(),
            expects_link: true,
        }),
        _ => None,
    };
    let item = Item {
        imported: step.is_some(),
        path: path.clone(),
        materials,
        products,
    };
    (step, Some(item))
}

fn functionaries(
    r: &mut Reader<'_>,
    m: &Map<String, Value>,
    path: &Path,
    step: &str,
    keyids: &[String],
    all_keyids: &[String],
) -> Option<ir::Functionaries> {
    let ppath = path.key("pubkeys");
    let pubkeys = r
        .member(m, path, "pubkeys")
        .and_then(|v| r.strings(v, &ppath));
    let tpath = path.key("threshold");
    let threshold = r.member(m, path, "threshold");
    let pubkeys = pubkeys?;
    let mut ids = Vec::new();
    let mut ok = true;
    for (i, keyid) in pubkeys.iter().enumerate() {
        let at = r.at(&ppath.index(i));
        match keyids.iter().position(|k| k == keyid) {
            Some(index) => {
                let id = ir::KeyId(u32::try_from(index).unwrap_or(u32::MAX));
                if ids.contains(&id) {
                    r.push(InteropError::DuplicateKeyid {
                        step: step.to_string(),
                        keyid: keyid.clone(),
                        at,
                    });
                    ok = false;
                }
                ids.push(id);
            }
            // A key that failed to import was already reported.
            None if all_keyids.contains(keyid) => ok = false,
            None => {
                r.push(InteropError::UnknownKeyid {
                    field: ppath.index(i).to_string(),
                    keyid: keyid.clone(),
                    at,
                });
                ok = false;
            }
        }
    }
    let threshold = threshold?;
    let t = match threshold {
        Value::Number(n) => n.as_u64(),
        other => {
            let at = r.at(&tpath);
            r.push(InteropError::WrongType {
                field: tpath.to_string(),
                expected: "an integer",
                found: type_name(other),
                at,
            });
            return None;
        }
    };
    let max = pubkeys.len();
    let t = match t.and_then(|t| u32::try_from(t).ok()) {
        Some(t) if t >= 1 && usize::try_from(t).is_ok_and(|t| t <= max) => t,
        _ => {
            let at = r.at(&tpath);
            r.push(InteropError::BadThreshold {
                step: step.to_string(),
                threshold: threshold.to_string(),
                max,
                at,
            });
            return None;
        }
    };
    ok.then(|| ir::Functionaries {
        keys: ids,
        threshold: t,
        span: r.span(&ppath),
    })
}

fn import_inspection(
    r: &mut Reader<'_>,
    v: &Value,
    path: &Path,
) -> (Option<ir::Inspection>, Option<Item>) {
    let Some(m) = r.object(v, path) else {
        return (None, None);
    };
    r.kind(m, path, "inspection", false);
    r.only(m, path, INSPECTION_MEMBERS, &[]);
    let name = name(r, m, path);
    let run = r
        .member(m, path, "run")
        .and_then(|v| command(r, v, &path.key("run")));
    let materials = rule_list(r, m, path, "expected_materials");
    let products = rule_list(r, m, path, "expected_products");
    let inspection = match (name, run) {
        (Some(name), Some(run)) => Some(ir::Inspection {
            name,
            span: r.span(path),
            run,
            materials: None,
            products: None,
        }),
        _ => None,
    };
    let item = Item {
        imported: inspection.is_some(),
        path: path.clone(),
        materials,
        products,
    };
    (inspection, Some(item))
}

/// Resolves MATCH targets and appends the `allow "*"` that keeps in-toto's
/// implicit final rule (unless the list already ends with an `ALLOW` or a
/// `DISALLOW` of a match-everything pattern: nothing is left for it).
fn resolve(
    r: &mut Reader<'_>,
    item: &Item,
    side: Side,
    names: &BTreeMap<String, Target>,
    written: &[&str],
) -> Option<ir::RuleList> {
    let (rules, key) = match side {
        Side::Materials => (item.materials.as_ref()?, "expected_materials"),
        Side::Products => (item.products.as_ref()?, "expected_products"),
    };
    let lpath = item.path.key(key);
    let list_span = r.span(&lpath);
    let mut out = Vec::with_capacity(rules.len() + 1);
    for (rule, rpath) in rules {
        let kind = match rule {
            Classic::Simple(kind) => escape(kind.clone()),
            Classic::Match {
                pattern,
                src_prefix,
                side,
                dst_prefix,
                from,
            } => {
                let Some(target) = names.get(from) else {
                    if written.contains(&from.as_str()) {
                        continue;
                    }
                    let at = r.at(rpath);
                    r.push(InteropError::UnknownTarget {
                        field: rpath.to_string(),
                        target: from.clone(),
                        help: suggest::help(from, written.iter().copied()),
                        at,
                    });
                    continue;
                };
                RuleKind::Match {
                    pattern: template(pattern),
                    src_prefix: src_prefix.as_deref().map(template),
                    side: *side,
                    dst_prefix: dst_prefix.as_deref().map(template),
                    from: *target,
                }
            }
        };
        out.push(ir::Rule {
            kind,
            span: r.span(rpath),
        });
    }
    let ends_closed = matches!(
        out.last().map(|rule| &rule.kind),
        Some(RuleKind::Allow { pattern } | RuleKind::Disallow { pattern }) if rules::matches_all(pattern)
    );
    if !ends_closed {
        out.push(ir::Rule {
            kind: RuleKind::Allow {
                pattern: "*".into(),
            },
            span: list_span,
        });
    }
    Some(ir::RuleList {
        rules: out,
        span: list_span,
    })
}

fn escape(kind: RuleKind) -> RuleKind {
    match kind {
        RuleKind::Create { pattern } => RuleKind::Create {
            pattern: template(&pattern),
        },
        RuleKind::Delete { pattern } => RuleKind::Delete {
            pattern: template(&pattern),
        },
        RuleKind::Modify { pattern } => RuleKind::Modify {
            pattern: template(&pattern),
        },
        RuleKind::Allow { pattern } => RuleKind::Allow {
            pattern: template(&pattern),
        },
        RuleKind::Disallow { pattern } => RuleKind::Disallow {
            pattern: template(&pattern),
        },
        RuleKind::Require { name } => RuleKind::Require {
            name: template(&name),
        },
        other @ RuleKind::Match { .. } => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
