//! Parameter instantiation: every template string of a layout with its
//! `{param}` placeholders replaced, before evaluation.
//!
//! Values come from the caller (`--param NAME=VALUE`), then from the policy's
//! defaults. A placeholder with neither is an error naming the parameter and
//! the template's span; every such error is collected. Patterns that no longer
//! compile after substitution are reported by [`crate::evaluate`] as
//! finding `V114`, with the rule's span.

use std::collections::BTreeMap;

use serde_json::Value;

use cairn_base::source::Span;
use cairn_lang::ir::{
    self, Check, Command, ExpectedAttestation, Layout, MissingParam, Rule, RuleKind, RuleList, Test,
};

/// Substitutes parameters throughout `layout`.
pub fn instantiate(
    layout: &Layout,
    values: &BTreeMap<String, String>,
) -> Result<Layout, Vec<MissingParam>> {
    let mut all = BTreeMap::new();
    for param in &layout.params {
        if let Some(default) = &param.default {
            all.insert(param.name.clone(), default.clone());
        }
    }
    for (name, value) in values {
        all.insert(name.clone(), value.clone());
    }
    let mut sub = Sub {
        values: &all,
        missing: Vec::new(),
    };
    let mut out = layout.clone();
    for step in &mut out.steps {
        if let Some(command) = &mut step.command {
            sub.command(command);
        }
        sub.rules(&mut step.materials);
        sub.rules(&mut step.products);
        for expected in &mut step.attestations {
            sub.expected(expected);
        }
    }
    for inspection in &mut out.inspections {
        sub.command(&mut inspection.run);
        sub.rules(&mut inspection.materials);
        sub.rules(&mut inspection.products);
    }
    if sub.missing.is_empty() {
        Ok(out)
    } else {
        sub.missing
            .sort_by(|a, b| (a.span.start, &a.name).cmp(&(b.span.start, &b.name)));
        sub.missing.dedup();
        Err(sub.missing)
    }
}

struct Sub<'a> {
    values: &'a BTreeMap<String, String>,
    missing: Vec<MissingParam>,
}

impl Sub<'_> {
    fn text(&mut self, template: &mut String, span: Span) {
        match ir::substitute(template, self.values) {
            Ok(done) => *template = done,
            Err(names) => self
                .missing
                .extend(names.into_iter().map(|name| MissingParam { name, span })),
        }
    }

    fn command(&mut self, command: &mut Command) {
        for arg in &mut command.argv {
            self.text(arg, command.span);
        }
    }

    fn rules(&mut self, list: &mut Option<RuleList>) {
        let Some(list) = list else { return };
        for Rule { kind, span } in &mut list.rules {
            let span = *span;
            match kind {
                RuleKind::Create { pattern }
                | RuleKind::Delete { pattern }
                | RuleKind::Modify { pattern }
                | RuleKind::Allow { pattern }
                | RuleKind::Disallow { pattern } => self.text(pattern, span),
                RuleKind::Require { name } => self.text(name, span),
                RuleKind::Match {
                    pattern,
                    src_prefix,
                    dst_prefix,
                    ..
                } => {
                    self.text(pattern, span);
                    for prefix in [src_prefix, dst_prefix].into_iter().flatten() {
                        self.text(prefix, span);
                    }
                }
            }
        }
    }

    fn expected(&mut self, expected: &mut ExpectedAttestation) {
        self.rules(&mut expected.materials);
        self.rules(&mut expected.products);
        for check in &mut expected.checks {
            self.check(check);
        }
    }

    fn check(&mut self, check: &mut Check) {
        let span = check.span;
        match &mut check.test {
            Test::Compare { value, .. } => self.value(value, span),
            Test::In { values } => {
                for value in values {
                    self.value(value, span);
                }
            }
            // A regex is plain text: its braces are repetitions (`{40}`).
            Test::Matches { .. } => {}
            Test::Exists | Test::IsEmpty | Test::IsNotEmpty => {}
            // CEL text is plain text: its braces are CEL's maps.
            Test::Cel { .. } => {}
        }
    }

    fn value(&mut self, value: &mut Value, span: Span) {
        match value {
            Value::String(s) => self.text(s, span),
            Value::Array(items) => {
                for item in items {
                    self.value(item, span);
                }
            }
            Value::Object(map) => {
                for item in map.values_mut() {
                    self.value(item, span);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}
