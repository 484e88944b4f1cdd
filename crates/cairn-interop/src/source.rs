//! Prints an IR layout as `.cairn` source text (what `cairn import` writes).
//!
//! This is the one place that knows the surface syntax on the way out; it
//! follows the language sketch of DESIGN.md. Names that are not plain
//! identifiers are written as string literals. Every IR construct has a
//! spelling, but not every value: a string holding a control character
//! (other than newline, tab and carriage return) or an invisible one cannot
//! be written in a policy (E103), and [`to_cairn`] names the first such value
//! and where it came from instead of printing it.

use std::fmt::Write as _;

use cairn_lang::ir::{
    Check, ExpectedAttestation, Functionaries, Layout, Level, Quantifier, Rule, RuleKind, RuleList,
    Side, Target, Test,
};

/// The `.cairn` source text of `layout`, or the first of its values that no
/// policy can spell.
pub fn to_cairn(layout: &Layout) -> Result<String, Unspellable> {
    spellable_layout(layout)?;
    let mut p = Printer {
        layout,
        out: String::new(),
    };
    p.layout();
    Ok(p.out)
}

/// A value that no policy string can hold, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unspellable {
    /// Where the value is (`step `build`'s command`).
    pub at: String,
    /// The value, its control and invisible characters escaped.
    pub value: String,
}

impl std::fmt::Display for Unspellable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} holds `{}`, with a control or invisible character, which a policy cannot spell",
            self.at, self.value
        )
    }
}

/// Whether a policy can hold `text` (as a string, a name or a path): no
/// control character other than newline, tab and carriage return, and no
/// invisible one (what the parser refuses, E103).
pub fn spellable(text: &str) -> bool {
    !text.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || cairn_base::escape::is_invisible_format(c)
    })
}

/// `Ok` when `value` (found at `at`) is [`spellable`].
fn spell(at: impl FnOnce() -> String, value: &str) -> Result<(), Unspellable> {
    if spellable(value) {
        Ok(())
    } else {
        Err(Unspellable {
            at: at(),
            value: cairn_base::escape::escape_controls(value),
        })
    }
}

/// The first value of `layout` the printer could not spell, if any.
fn spellable_layout(l: &Layout) -> Result<(), Unspellable> {
    let shown = cairn_base::escape::escape_controls;
    spell(|| "the layout's name".into(), &l.name)?;
    if let Some(readme) = &l.readme {
        spell(|| "the layout's readme".into(), readme)?;
    }
    for key in &l.keys {
        spell(|| "a key's name".into(), &key.name)?;
        spell(|| format!("key `{}`", shown(&key.name)), &key.public)?;
    }
    for param in &l.params {
        spell(|| "a parameter's name".into(), &param.name)?;
        if let Some(default) = &param.default {
            let at = || format!("the default of parameter `{}`", shown(&param.name));
            spell(at, default)?;
        }
    }
    for step in &l.steps {
        spell(|| "a step's name".into(), &step.name)?;
        let at = |what: &str| format!("step `{}`'s {what}", shown(&step.name));
        if let Some(command) = &step.command {
            for arg in &command.argv {
                spell(|| at("command"), arg)?;
            }
        }
        for list in [&step.materials, &step.products].into_iter().flatten() {
            spell_rules(&|| at("rules"), list)?;
        }
        for a in &step.attestations {
            spell(|| at("attestation type"), &a.predicate_type)?;
            for list in [&a.materials, &a.products].into_iter().flatten() {
                spell_rules(&|| at("attestation rules"), list)?;
            }
            for check in &a.checks {
                spell(|| at("check path"), &check.path)?;
                let values: Vec<&serde_json::Value> = match &check.test {
                    Test::Compare { value, .. } => vec![value],
                    Test::In { values } => values.iter().collect(),
                    Test::Matches { .. }
                    | Test::Exists
                    | Test::IsEmpty
                    | Test::IsNotEmpty
                    | Test::Cel { .. } => Vec::new(),
                };
                for value in values {
                    if let serde_json::Value::String(text) = value {
                        spell(|| at("check value"), text)?;
                    }
                }
                if let Test::Matches { regex } = &check.test {
                    spell(|| at("check regex"), regex)?;
                }
                if let Test::Cel { expr, .. } = &check.test {
                    spell(|| at("CEL expression"), expr)?;
                }
            }
        }
    }
    for inspection in &l.inspections {
        spell(|| "an inspection's name".into(), &inspection.name)?;
        let at = |what: &str| format!("inspection `{}`'s {what}", shown(&inspection.name));
        for arg in &inspection.run.argv {
            spell(|| at("command"), arg)?;
        }
        for list in [&inspection.materials, &inspection.products]
            .into_iter()
            .flatten()
        {
            spell_rules(&|| at("rules"), list)?;
        }
    }
    if let Some(summary) = &l.summary {
        spell(|| "the summary's verifier".into(), &summary.verifier)?;
        for level in &summary.levels {
            spell(|| "the summary's levels".into(), level)?;
        }
    }
    Ok(())
}

/// The first pattern, prefix or name of `list` that is not [`spellable`].
fn spell_rules(at: &dyn Fn() -> String, list: &RuleList) -> Result<(), Unspellable> {
    for rule in &list.rules {
        let texts: Vec<&String> = match &rule.kind {
            RuleKind::Create { pattern }
            | RuleKind::Delete { pattern }
            | RuleKind::Modify { pattern }
            | RuleKind::Allow { pattern }
            | RuleKind::Disallow { pattern } => vec![pattern],
            RuleKind::Require { name } => vec![name],
            RuleKind::Match {
                pattern,
                src_prefix,
                dst_prefix,
                ..
            } => [Some(pattern), src_prefix.as_ref(), dst_prefix.as_ref()]
                .into_iter()
                .flatten()
                .collect(),
        };
        for text in texts {
            spell(at, text)?;
        }
    }
    Ok(())
}

struct Printer<'a> {
    layout: &'a Layout,
    out: String,
}

/// A string literal: `"` and `\` escaped, newline, tab and carriage return
/// as `\n`, `\t`, `\r`. Template braces (`{param}`, `{{`) are source syntax
/// and pass through. The language has no escape for other control
/// characters: callers refuse text that is not [`spellable`] first.
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
        Test::Cel { expr, if_present } => {
            let when = if *if_present { " if present" } else { "" };
            return format!("{level} cel {}{when}", quote(expr));
        }
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
    format!("{level} {quantifier}{} {test}", check.shown_path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_lang::ir;
    use cairn_lang::ir::CompareOp;

    #[test]
    fn quotes_and_identifiers() {
        assert_eq!(quote("a\"b\\c\nd{x}"), r#""a\"b\\c\nd{x}""#);
        assert!(spellable("tab\tnewline\nreturn\r"));
        assert!(!spellable("\u{1b}[31m"));
        assert!(!spellable("a\u{202e}b"));
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
            root: ir::Root::Predicate,
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
        let text = to_cairn(&layout).unwrap();
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
