//! Steps and inspections of a classic layout: names, functionaries and
//! thresholds, commands. Their rule lists are read here and resolved in
//! `lists` once every name is known.

use serde_json::{Map, Value};

use super::lists::{rule_list, Item};
use super::locate::Path;
use super::reader::{template, Reader};
use crate::InteropError;
use cairn_lang::ir;

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

pub(crate) fn import_step(
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
    // The type of `threshold` is checked even when `pubkeys` is unusable.
    let t = match threshold {
        Some(Value::Number(n)) => Some(n.as_u64()),
        Some(other) => {
            let at = r.at(&tpath);
            r.push(InteropError::WrongType {
                field: tpath.to_string(),
                expected: "an integer",
                found: cairn_base::diag::json_kind(other),
                at,
            });
            None
        }
        None => None,
    };
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
    let (threshold, t) = (threshold?, t?);
    let max = pubkeys.len();
    let certified = r.x509 && m.get("cert_constraints").is_some_and(|c| !c.is_null());
    let t = match t.and_then(|t| u32::try_from(t).ok()) {
        Some(t) if t >= 1 && (certified || usize::try_from(t).is_ok_and(|t| t <= max)) => t,
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

pub(crate) fn import_inspection(
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
