//! IR to the unsigned `signed` object of a classic in-toto layout: the
//! inverse of the import. Everything a classic layout cannot say is listed,
//! each with its span, instead of being dropped.
//!
//! cairn lists end with an implicit `disallow "*"`, classic lists with an
//! implicit `ALLOW *`: each exported list gains an explicit
//! `["DISALLOW", "*"]` unless it already ends with an `allow` or `disallow`
//! of a match-everything pattern.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::rules::{matches_all, pack};
use crate::Unsupported;
use cairn_base::source::Span;
use cairn_lang::ir::{self, RuleKind, Target};

/// Converts an IR layout into a classic layout's unsigned `signed` object
/// (`_type`, `expires`, `readme`, `keys`, `steps`, `inspect`).
///
/// Parameters are replaced by their defaults; a template whose parameter has
/// no default is unsupported, like expected attestations, `artifact from`, a
/// `summary`, and a missing expiry. Keys are written with their modern
/// securesystemslib keyid, except a key named `key-` plus a prefix of its
/// legacy keyid (as the import names legacy keys), which keeps the legacy form.
pub fn ir_to_layout_json(layout: &ir::Layout) -> Result<Value, Vec<Unsupported>> {
    let mut x = Exporter {
        layout,
        defaults: layout
            .params
            .iter()
            .filter_map(|p| Some((p.name.clone(), p.default.clone()?)))
            .collect(),
        problems: Vec::new(),
    };
    let value = x.layout();
    if x.problems.is_empty() {
        Ok(value)
    } else {
        Err(x.problems)
    }
}

struct Exporter<'a> {
    layout: &'a ir::Layout,
    defaults: BTreeMap<String, String>,
    problems: Vec<Unsupported>,
}

impl Exporter<'_> {
    fn unsupported(&mut self, what: String, span: Span) {
        self.problems.push(Unsupported {
            what,
            at: span.into(),
        });
    }

    /// A template with parameters replaced by their defaults.
    fn text(&mut self, template: &str, span: Span) -> String {
        match ir::substitute(template, &self.defaults) {
            Ok(s) => s,
            Err(missing) => {
                for name in missing {
                    self.unsupported(format!("the parameter `{name}` without a default"), span);
                }
                template.to_string()
            }
        }
    }

    fn layout(&mut self) -> Value {
        let l = self.layout;
        let expires = match &l.expires {
            Some(e) => e.text.clone(),
            None => {
                self.unsupported("a layout without `expires`".into(), l.span);
                String::new()
            }
        };
        if let Some(a) = &l.artifact {
            self.unsupported("`artifact from`".into(), a.span);
        }
        if let Some(s) = &l.summary {
            self.unsupported("a `summary`".into(), s.span);
        }
        let mut keys = Map::new();
        for key in &l.keys {
            let (id, object) = key_object(key);
            keys.insert(id, object);
        }
        let steps: Vec<Value> = l.steps.iter().map(|s| self.step(s)).collect();
        let inspect: Vec<Value> = l.inspections.iter().map(|i| self.inspection(i)).collect();
        json!({
            "_type": "layout",
            "expires": expires,
            "readme": l.readme.clone().unwrap_or_default(),
            "keys": keys,
            "steps": steps,
            "inspect": inspect,
        })
    }

    fn step(&mut self, step: &ir::Step) -> Value {
        for a in &step.attestations {
            let name = a.alias.as_deref().unwrap_or(&a.predicate_type);
            self.unsupported(
                format!("the expected attestation `{name}` of step `{}`", step.name),
                a.span,
            );
        }
        if !step.expects_link && step.attestations.is_empty() {
            self.unsupported(format!("step `{}` expecting no link", step.name), step.span);
        }
        if step
            .by
            .keys
            .iter()
            .any(|k| usize::try_from(k.0).is_ok_and(|k| k >= self.layout.keys.len()))
        {
            self.unsupported(
                format!("step `{}` signed by a Sigstore identity", step.name),
                step.by.span,
            );
        }
        let pubkeys: Vec<String> = step
            .by
            .keys
            .iter()
            .filter_map(|k| self.layout.keys.get(usize::try_from(k.0).ok()?))
            .map(|k| key_object(k).0)
            .collect();
        let command = match &step.command {
            Some(c) => self.argv(c),
            None => Vec::new(),
        };
        json!({
            "_type": "step",
            "name": step.name,
            "threshold": step.by.threshold,
            "pubkeys": pubkeys,
            "expected_command": command,
            "expected_materials": self.rules(step.materials.as_ref()),
            "expected_products": self.rules(step.products.as_ref()),
        })
    }

    fn inspection(&mut self, inspection: &ir::Inspection) -> Value {
        json!({
            "_type": "inspection",
            "name": inspection.name,
            "run": self.argv(&inspection.run),
            "expected_materials": self.rules(inspection.materials.as_ref()),
            "expected_products": self.rules(inspection.products.as_ref()),
        })
    }

    fn argv(&mut self, command: &ir::Command) -> Vec<String> {
        command
            .argv
            .iter()
            .map(|a| self.text(a, command.span))
            .collect()
    }

    fn rules(&mut self, list: Option<&ir::RuleList>) -> Vec<Vec<String>> {
        // No block: cairn accepts anything, as an empty classic list does.
        let Some(list) = list else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(list.rules.len() + 1);
        for rule in &list.rules {
            let target = match &rule.kind {
                RuleKind::Match { from, .. } => self.target_name(*from),
                _ => String::new(),
            };
            let packed = pack(&rule.kind, &target);
            out.push(packed.iter().map(|t| self.text(t, rule.span)).collect());
        }
        let closed = matches!(
            list.rules.last().map(|r| &r.kind),
            Some(RuleKind::Allow { pattern } | RuleKind::Disallow { pattern }) if matches_all(pattern)
        );
        if !closed {
            out.push(vec!["DISALLOW".into(), "*".into()]);
        }
        out
    }

    fn target_name(&self, target: Target) -> String {
        // `{`/`}` in names are escaped so that `text` restores them.
        let name = self.layout.target_name(target);
        name.unwrap_or("").replace('{', "{{").replace('}', "}}")
    }
}

/// The keyid and key object a key is exported as.
fn key_object(key: &ir::Key) -> (String, Value) {
    let legacy = key.name.strip_prefix("key-").is_some_and(|p| {
        p.len() >= 8 && key.legacy_keyid.starts_with(p) && !key.keyid.starts_with(p)
    });
    let mut object = Map::new();
    object.insert("keytype".into(), json!(key.keytype));
    object.insert("scheme".into(), json!(key.scheme));
    object.insert("keyval".into(), json!({ "public": key.public }));
    let id = if legacy {
        object.insert("keyid_hash_algorithms".into(), json!(["sha256", "sha512"]));
        key.legacy_keyid.clone()
    } else {
        key.keyid.clone()
    };
    object.insert("keyid".into(), json!(id));
    (id, Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::layout_to_ir;

    fn imported() -> ir::Layout {
        let key = "7345b83c121ea0d9ffc3b38d69958718b8435e8cb0552f889d695586693e1b89";
        let id = "956a5cbc364625b71fb4fcc861044ab3e75ba3017af739c5774baf9391ff4090";
        let signed = json!({
            "_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "r",
            "keys": {id: {"keyid": id, "keytype": "ed25519", "scheme": "ed25519",
                          "keyval": {"public": key}}},
            "steps": [{"_type": "step", "name": "s", "threshold": 1, "pubkeys": [id],
                       "expected_command": ["make", "{x}"],
                       "expected_materials": [["DISALLOW", "*.tmp"]],
                       "expected_products": [["CREATE", "a"], ["DISALLOW", "*"]]}],
            "inspect": []
        });
        layout_to_ir(&signed, "", "x").unwrap()
    }

    #[test]
    fn cairn_lists_gain_a_final_disallow() {
        let mut layout = imported();
        let step = &mut layout.steps[0];
        step.materials = None;
        step.products.as_mut().unwrap().rules.pop();
        let out = ir_to_layout_json(&layout).unwrap();
        assert_eq!(out["steps"][0]["expected_materials"], json!([]));
        assert_eq!(
            out["steps"][0]["expected_products"],
            json!([["CREATE", "a"], ["DISALLOW", "*"]])
        );
        assert_eq!(out["steps"][0]["expected_command"], json!(["make", "{x}"]));
    }

    #[test]
    fn every_unsupported_construct_is_listed() {
        let mut layout = imported();
        let span = Span::new(1, 2);
        layout.expires = None;
        layout.artifact = Some(ir::FinalArtifact {
            step: ir::StepId(0),
            span,
        });
        layout.summary = Some(ir::Summary {
            verifier: "v".into(),
            levels: vec![],
            span,
        });
        layout.params.push(ir::Param {
            name: "repo".into(),
            default: None,
            span,
        });
        let step = &mut layout.steps[0];
        step.command = Some(ir::Command {
            argv: vec!["git".into(), "{repo}".into()],
            span,
        });
        step.attestations.push(ir::ExpectedAttestation {
            predicate_type: "https://slsa.dev/provenance/v1".into(),
            alias: Some("slsa-provenance/v1".into()),
            span,
            by: None,
            materials: None,
            products: None,
            checks: vec![],
        });
        let problems: Vec<String> = ir_to_layout_json(&layout)
            .unwrap_err()
            .into_iter()
            .map(|p| p.what)
            .collect();
        assert_eq!(
            problems,
            [
                "a layout without `expires`",
                "`artifact from`",
                "a `summary`",
                "the expected attestation `slsa-provenance/v1` of step `s`",
                "the parameter `repo` without a default",
            ]
        );
    }

    #[test]
    fn defaults_are_substituted() {
        let mut layout = imported();
        layout.params.push(ir::Param {
            name: "repo".into(),
            default: Some("r.git".into()),
            span: Span::default(),
        });
        layout.steps[0].command = Some(ir::Command {
            argv: vec!["git".into(), "{repo}".into()],
            span: Span::default(),
        });
        let out = ir_to_layout_json(&layout).unwrap();
        assert_eq!(out["steps"][0]["expected_command"], json!(["git", "r.git"]));
    }
}
