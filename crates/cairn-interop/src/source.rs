//! Prints an IR layout as `.cairn` source text (what `cairn import` writes).
//!
//! This is the one place that knows the surface syntax on the way out; it
//! follows the language sketch of DESIGN.md. Names that are not plain
//! identifiers are written as string literals. It never fails: every IR
//! construct has a spelling.

use std::fmt::Write as _;

use cairn_lang::ir::{
    Check, ExpectedAttestation, Functionaries, Layout, Level, Quantifier, Rule, RuleKind, RuleList,
    Side, Target, Test,
};

/// The `.cairn` source text of `layout`.
pub fn to_cairn(layout: &Layout) -> String {
    let mut p = Printer {
        layout,
        out: String::new(),
    };
    p.layout();
    p.out
}

struct Printer<'a> {
    layout: &'a Layout,
    out: String,
}

/// A string literal: `"` and `\` escaped, control characters as escapes.
/// Template braces (`{param}`, `{{`) are source syntax and pass through.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name as written in source: bare when it is an identifier
/// (`[A-Za-z_][A-Za-z0-9_-]*`), quoted otherwise.
pub fn ident(name: &str) -> String {
    let mut chars = name.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_string()
    } else {
        quote(name)
    }
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn layout(&mut self) {
        let l = self.layout;
        self.line(0, &format!("layout {} {{", quote(&l.name)));
        if let Some(e) = &l.expires {
            self.line(1, &format!("expires {}", e.text));
        }
        if let Some(r) = &l.readme {
            self.line(1, &format!("readme {}", quote(r)));
        }
        if !l.keys.is_empty() {
            self.out.push('\n');
        }
        for key in &l.keys {
            let value = if key.keytype == "ed25519" && !key.public.contains('-') {
                format!("ed25519 {}", quote(&key.public))
            } else {
                format!("pem {}", quote(&key.public))
            };
            self.line(1, &format!("key {} = {value}", ident(&key.name)));
        }
        if !l.params.is_empty() {
            self.out.push('\n');
        }
        for param in &l.params {
            match &param.default {
                Some(d) => self.line(1, &format!("param {} = {}", ident(&param.name), quote(d))),
                None => self.line(1, &format!("param {}", ident(&param.name))),
            }
        }
        for step in &l.steps {
            self.out.push('\n');
            self.line(1, &format!("step {} {{", ident(&step.name)));
            self.by(2, &step.by);
            if let Some(c) = &step.command {
                self.line(2, &format!("command {}", argv(&c.argv)));
            }
            self.rules(2, Side::Materials, step.materials.as_ref());
            self.rules(2, Side::Products, step.products.as_ref());
            for a in &step.attestations {
                self.attestation(2, a);
            }
            self.line(1, "}");
        }
        for inspection in &l.inspections {
            self.out.push('\n');
            self.line(1, &format!("inspection {} {{", ident(&inspection.name)));
            self.line(2, &format!("run {}", argv(&inspection.run.argv)));
            self.rules(2, Side::Materials, inspection.materials.as_ref());
            self.rules(2, Side::Products, inspection.products.as_ref());
            self.line(1, "}");
        }
        if let Some(a) = &l.artifact {
            self.out.push('\n');
            let step = self.target(Target::Step(a.step));
            self.line(1, &format!("artifact from {step}"));
        }
        if let Some(s) = &l.summary {
            self.out.push('\n');
            let levels: Vec<String> = s.levels.iter().map(|l| quote(l)).collect();
            self.line(
                1,
                &format!(
                    "summary {{ verifier {} levels {} }}",
                    quote(&s.verifier),
                    levels.join(" ")
                ),
            );
        }
        self.line(0, "}");
    }

    fn by(&mut self, depth: usize, by: &Functionaries) {
        let names: Vec<String> = by
            .keys
            .iter()
            .map(|k| {
                usize::try_from(k.0)
                    .ok()
                    .and_then(|i| self.layout.keys.get(i))
                    .map_or_else(|| format!("key{}", k.0), |key| ident(&key.name))
            })
            .collect();
        if by.threshold == 1 && names.len() == 1 {
            self.line(depth, &format!("by {}", names.join(", ")));
        } else {
            self.line(
                depth,
                &format!("by {} of {}", by.threshold, names.join(", ")),
            );
        }
    }

    fn rules(&mut self, depth: usize, side: Side, list: Option<&RuleList>) {
        let Some(list) = list else { return };
        let word = side.name();
        match list.rules.as_slice() {
            [] => self.line(depth, &format!("{word} {{}}")),
            [rule] => {
                let text = self.rule(rule);
                self.line(depth, &format!("{word} {{ {text} }}"));
            }
            rules => {
                self.line(depth, &format!("{word} {{"));
                for rule in rules {
                    let text = self.rule(rule);
                    self.line(depth + 1, &text);
                }
                self.line(depth, "}");
            }
        }
    }

    fn rule(&self, rule: &Rule) -> String {
        match &rule.kind {
            RuleKind::Create { pattern } => format!("create {}", quote(pattern)),
            RuleKind::Delete { pattern } => format!("delete {}", quote(pattern)),
            RuleKind::Modify { pattern } => format!("modify {}", quote(pattern)),
            RuleKind::Allow { pattern } => format!("allow {}", quote(pattern)),
            RuleKind::Disallow { pattern } => format!("disallow {}", quote(pattern)),
            RuleKind::Require { name } => format!("require {}", quote(name)),
            RuleKind::Match {
                pattern,
                src_prefix,
                side,
                dst_prefix,
                from,
            } => {
                let mut s = format!("match {}", quote(pattern));
                if let Some(p) = src_prefix {
                    let _ = write!(s, " in {}", quote(p));
                }
                let _ = write!(s, " with {}", side.name());
                if let Some(p) = dst_prefix {
                    let _ = write!(s, " in {}", quote(p));
                }
                let _ = write!(s, " from {}", self.target(*from));
                s
            }
        }
    }

    fn target(&self, target: Target) -> String {
        let name = self.layout.target_name(target);
        ident(name.unwrap_or("?"))
    }

    fn attestation(&mut self, depth: usize, a: &ExpectedAttestation) {
        let kind = match &a.alias {
            Some(alias) => alias.clone(),
            None => quote(&a.predicate_type),
        };
        self.line(depth, &format!("attestation {kind} {{"));
        if let Some(by) = &a.by {
            self.by(depth + 1, by);
        }
        self.rules(depth + 1, Side::Materials, a.materials.as_ref());
        self.rules(depth + 1, Side::Products, a.products.as_ref());
        for check in &a.checks {
            self.line(depth + 1, &check_text(check));
        }
        self.line(depth, "}");
    }
}

fn argv(argv: &[String]) -> String {
    argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// A JSON value as a literal; strings use the language's quoting.
fn literal(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

fn check_text(check: &Check) -> String {
    let level = match check.level {
        Level::Deny => "require",
        Level::Warn => "warn",
    };
    let quantifier = match check.quantifier {
        Quantifier::One => "",
        Quantifier::All => "all ",
        Quantifier::Any => "any ",
        Quantifier::Count => "count ",
    };
    let test = match &check.test {
        Test::Compare { op, value } => {
            let op = op.as_str();
            format!("{op} {}", literal(value))
        }
        Test::In { values } => {
            let values: Vec<String> = values.iter().map(literal).collect();
            format!("in [{}]", values.join(", "))
        }
        Test::Matches { regex } => format!("matches {}", quote(regex)),
        Test::Exists => "exists".into(),
        Test::IsEmpty => "is empty".into(),
        Test::IsNotEmpty => "is not empty".into(),
    };
    format!("{level} {quantifier}{} {test}", check.path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_lang::ir;
    use cairn_lang::ir::CompareOp;

    #[test]
    fn quotes_and_identifiers() {
        assert_eq!(quote("a\"b\\c\nd{x}\u{1b}"), r#""a\"b\\c\nd{x}\u{1b}""#);
        assert_eq!(ident("build-2"), "build-2");
        assert_eq!(ident("2build"), "\"2build\"");
        assert_eq!(ident("my step"), "\"my step\"");
        assert_eq!(ident(""), "\"\"");
    }

    #[test]
    fn prints_attestations_checks_and_summary() {
        let span = cairn_base::source::Span::default();
        let check = |level, quantifier, test| ir::Check {
            level,
            path: "$.x".into(),
            quantifier,
            test,
            span,
        };
        let layout = Layout {
            ir_version: ir::IR_VERSION,
            name: "l".into(),
            span,
            expires: None,
            readme: None,
            keys: vec![],
            identities: Vec::new(),
            trust_root: None,
            params: vec![ir::Param {
                name: "repo".into(),
                default: Some("r".into()),
                span,
            }],
            steps: vec![ir::Step {
                name: "build".into(),
                span,
                by: Functionaries {
                    keys: vec![],
                    threshold: 1,
                    span,
                },
                command: None,
                materials: None,
                products: Some(RuleList {
                    rules: vec![],
                    span,
                }),
                attestations: vec![ExpectedAttestation {
                    predicate_type: "https://example.com/p/v1".into(),
                    alias: None,
                    span,
                    by: None,
                    materials: None,
                    products: None,
                    checks: vec![
                        check(
                            Level::Deny,
                            Quantifier::One,
                            Test::Compare {
                                op: CompareOp::Eq,
                                value: "ok".into(),
                            },
                        ),
                        check(
                            Level::Warn,
                            Quantifier::All,
                            Test::In {
                                values: vec![1.into(), "a".into()],
                            },
                        ),
                        check(
                            Level::Deny,
                            Quantifier::Any,
                            Test::Matches { regex: "^a".into() },
                        ),
                        check(Level::Deny, Quantifier::One, Test::IsNotEmpty),
                    ],
                }],
                expects_link: false,
            }],
            inspections: vec![],
            artifact: Some(ir::FinalArtifact {
                step: ir::StepId(0),
                span,
            }),
            summary: Some(ir::Summary {
                verifier: "https://v".into(),
                levels: vec!["SLSA_BUILD_LEVEL_3".into()],
                span,
            }),
        };
        let text = to_cairn(&layout);
        for line in [
            "  param repo = \"r\"",
            "  step build {",
            "    by 1 of ",
            "    products {}",
            "    attestation \"https://example.com/p/v1\" {",
            "      require $.x == \"ok\"",
            "      warn all $.x in [1, \"a\"]",
            "      require any $.x matches \"^a\"",
            "      require $.x is not empty",
            "  artifact from build",
            "  summary { verifier \"https://v\" levels \"SLSA_BUILD_LEVEL_3\" }",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(line)),
                "{line:?} not in\n{text}"
            );
        }
    }
}
