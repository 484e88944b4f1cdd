//! Declarations and who uses them: unused keys (L008), unused parameters
//! (L009), placeholders where nothing is substituted (L010),
//! one key on both sides of a separation of duties (L011), and a threshold
//! of one among several functionaries (L012).

use std::collections::{BTreeMap, BTreeSet};

use super::finding::Finding;
use super::Lint;
use crate::ir::{self, RuleKind, Test};
use crate::syntax::ast;
use cairn_base::source::Span;

/// The `{name}` placeholders of a template (`{{` and `}}` are literal braces).
pub(super) fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        let tail = rest.get(pos..).unwrap_or("");
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let Some(end) = after.find('}') else { break };
            out.push(after.get(..end).unwrap_or("").to_string());
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            rest = tail.get(1..).unwrap_or("");
        }
    }
    out
}

/// Every template string of the layout (where `eval` substitutes parameters).
fn templates(layout: &ir::Layout) -> Vec<&str> {
    fn rules<'a>(list: &'a Option<ir::RuleList>, out: &mut Vec<&'a str>) {
        for rule in list.iter().flat_map(|l| &l.rules) {
            match &rule.kind {
                RuleKind::Create { pattern }
                | RuleKind::Delete { pattern }
                | RuleKind::Modify { pattern }
                | RuleKind::Allow { pattern }
                | RuleKind::Disallow { pattern } => out.push(pattern.as_str()),
                RuleKind::Require { name } => out.push(name.as_str()),
                RuleKind::Match {
                    pattern,
                    src_prefix,
                    dst_prefix,
                    ..
                } => {
                    out.push(pattern.as_str());
                    for p in [src_prefix, dst_prefix].into_iter().flatten() {
                        out.push(p.as_str());
                    }
                }
            }
        }
    }
    fn values<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s.as_str()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| values(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| values(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for step in &layout.steps {
        for arg in step.command.iter().flat_map(|c| &c.argv) {
            out.push(arg.as_str());
        }
        rules(&step.materials, &mut out);
        rules(&step.products, &mut out);
        for att in &step.attestations {
            rules(&att.materials, &mut out);
            rules(&att.products, &mut out);
            for check in &att.checks {
                match &check.test {
                    Test::Compare { value, .. } => values(value, &mut out),
                    Test::In { values: vs } => vs.iter().for_each(|v| values(v, &mut out)),
                    Test::Matches { regex } => out.push(regex.as_str()),
                    // CEL text is no template: no parameter is substituted in it.
                    Test::Exists | Test::IsEmpty | Test::IsNotEmpty | Test::Cel { .. } => {}
                }
            }
        }
    }
    for insp in &layout.inspections {
        for arg in &insp.run.argv {
            out.push(arg.as_str());
        }
        rules(&insp.materials, &mut out);
        rules(&insp.products, &mut out);
    }
    out
}

/// Strings of the AST that are kept literally (no substitution), with what they are.
fn literal_strings(layout: &ast::Layout) -> Vec<(&ast::Str, &'static str)> {
    let mut out = Vec::new();
    for item in &layout.items {
        match item {
            ast::Item::Readme(c) => out.push((&c.value, "a `readme`")),
            ast::Item::Key(k) if k.kind.name == "file" => out.push((&k.value, "a key file path")),
            ast::Item::Summary(s) => {
                for si in &s.items {
                    match si {
                        ast::SummaryItem::Verifier(v) => out.push((&v.value, "the verifier id")),
                        ast::SummaryItem::Levels(l) => {
                            out.extend(l.value.iter().map(|s| (s, "a level")));
                        }
                    }
                }
            }
            ast::Item::Step(s) => {
                for si in &s.items {
                    if let ast::StepItem::Attestation(a) = si {
                        if let ast::TypeRef::Uri(u) = &a.predicate_type {
                            out.push((u, "a predicate type"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Lowercase words of a name (`build-linux_x86` -> `build`, `linux`, `x86`).
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

const BUILD_WORDS: &[&str] = &[
    "build", "builds", "compile", "package", "release", "publish", "make",
];
const VERIFY_WORDS: &[&str] = &[
    "review", "reviews", "test", "tests", "testing", "audit", "approve", "approval", "scan",
    "verify", "qa", "check",
];

/// What a step does for separation of duties: builds, verifies, or neither.
fn duty(step: &ir::Step) -> (bool, bool) {
    let w = words(&step.name);
    let types: Vec<&str> = step
        .attestations
        .iter()
        .map(|a| a.predicate_type.as_str())
        .collect();
    let builds = w.iter().any(|w| BUILD_WORDS.contains(&w.as_str()))
        || types
            .iter()
            .any(|t| t.starts_with("https://slsa.dev/provenance/"));
    let verifies = w.iter().any(|w| VERIFY_WORDS.contains(&w.as_str()))
        || types
            .iter()
            .any(|t| t.contains("/test-result/") || t.contains("review") || t.contains("/vulns/"));
    (builds && !verifies, verifies && !builds)
}

impl Lint<'_> {
    pub(super) fn names(&mut self) {
        let layout = self.layout;
        // Who each key may act for: (step index, the `by` span).
        let mut uses: BTreeMap<u32, Vec<(usize, Span)>> = BTreeMap::new();
        for (i, step) in layout.steps.iter().enumerate() {
            let all = std::iter::once(&step.by)
                .chain(step.attestations.iter().filter_map(|a| a.by.as_ref()));
            for by in all {
                for k in &by.keys {
                    uses.entry(k.0).or_default().push((i, by.span));
                }
                if by.threshold == 1 && by.keys.len() > 1 {
                    self.push(
                        Finding::new(
                            "L012",
                            by.span,
                            format!("one signature among {} functionaries suffices for step `{}`", by.keys.len(), step.name),
                        )
                        .label("threshold 1")
                        .help(format!("if each functionary should vouch independently, write `by {} of ...`; one key alone can then not pass the step", by.keys.len().min(2))),
                    );
                }
            }
        }
        for (id, key) in layout.keys.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let Some(used) = uses.get(&id) else {
                self.push(
                    Finding::new(
                        "L008",
                        key.span,
                        format!("key `{}` is never used", key.name),
                    )
                    .label("no `by` names it")
                    .help("remove the key, or name it in the `by` of the step it signs for"),
                );
                continue;
            };
            let build = used
                .iter()
                .find(|(s, _)| layout.steps.get(*s).is_some_and(|s| duty(s).0));
            let verify = used
                .iter()
                .find(|(s, _)| layout.steps.get(*s).is_some_and(|s| duty(s).1));
            if let (Some((b, bspan)), Some((v, vspan))) = (build, verify) {
                let (bn, vn) = (
                    layout.steps.get(*b).map_or("", |s| s.name.as_str()),
                    layout.steps.get(*v).map_or("", |s| s.name.as_str()),
                );
                self.push(
                    Finding::new(
                        "L011",
                        key.span,
                        format!("key `{}` may both build (`{bn}`) and review or test (`{vn}`)", key.name),
                    )
                    .label("one key, two duties")
                    .related(*bspan, format!("authorised to build in `{bn}`"))
                    .related(*vspan, format!("authorised to check in `{vn}`"))
                    .help("whoever builds should not also vouch for the review or the tests: give each duty its own key"),
                );
            }
        }
        self.params();
    }

    fn params(&mut self) {
        let layout = self.layout;
        let declared: BTreeSet<&str> = layout.params.iter().map(|p| p.name.as_str()).collect();
        let mut used = BTreeSet::new();
        for template in templates(layout) {
            used.extend(
                placeholders(template)
                    .into_iter()
                    .filter(|n| declared.contains(n.as_str())),
            );
        }
        for p in &layout.params {
            if !used.contains(&p.name) {
                self.push(
                    Finding::new(
                        "L009",
                        p.span,
                        format!("parameter `{}` is never used", p.name),
                    )
                    .label("no template refers to it")
                    .help(format!(
                        "remove it, or use it as `{{{}}}` in a command, pattern or check value",
                        p.name
                    )),
                );
            }
        }
        for (s, what) in literal_strings(&self.parsed.layout) {
            let names = placeholders(&s.value);
            if let Some(name) = names.first() {
                let declared = if declared.contains(name.as_str()) {
                    format!("parameter `{name}` is")
                } else {
                    format!("no parameter `{name}` is declared, and parameters are")
                };
                self.push(
                    Finding::new("L010", s.loc.span(), format!("`{{{name}}}` in {what} is never substituted"))
                        .label("kept literally")
                        .help(format!("{declared} substituted only in commands, rule patterns, prefixes and check values; write the value itself here")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_skip_escapes() {
        assert_eq!(placeholders("{a}-{{b}}-{c}"), vec!["a", "c"]);
        assert_eq!(placeholders("none"), Vec::<String>::new());
        assert_eq!(placeholders("{open"), Vec::<String>::new());
    }

    #[test]
    fn words_split() {
        assert_eq!(words("build-linux_x86"), vec!["build", "linux", "x86"]);
    }
}
