//! Lowering artifact rules, predicate checks and string templates.

use super::error::LowerError;
use super::Lowerer;
use crate::ir;
use crate::pattern::Pattern;
use crate::syntax::ast;
use cairn_base::suggest;

const VERBS: &[&str] = &[
    "create", "delete", "modify", "allow", "disallow", "require", "match",
];

/// Shortens user text quoted in a message.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push_str("...");
    }
    s.replace('\n', " ")
}

impl Lowerer<'_> {
    /// Checks the `{name}` placeholders of a template string.
    pub(super) fn template(&mut self, s: &ast::Str) {
        let span = s.loc.span();
        let mut rest = s.value.as_str();
        while let Some(pos) = rest.find(['{', '}']) {
            let tail = rest.get(pos..).unwrap_or("");
            if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
                rest = after;
            } else if let Some(after) = tail.strip_prefix('{') {
                let Some(end) = after.find('}') else {
                    self.error(LowerError::BadTemplate {
                        reason: "a `{` is never closed".into(),
                        span,
                    });
                    return;
                };
                let name = after.get(..end).unwrap_or("");
                let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !valid {
                    self.error(LowerError::BadTemplate {
                        reason: format!("`{{{}}}` is not a parameter name", short(name)),
                        span,
                    });
                } else if !self.params.contains_key(name) {
                    let names: Vec<&str> = self.params.keys().map(String::as_str).collect();
                    let help = suggest::help(name, "parameter", &names);
                    self.error(LowerError::UnknownParam {
                        name: name.to_string(),
                        span,
                        help,
                    });
                }
                rest = after.get(end + 1..).unwrap_or("");
            } else {
                self.error(LowerError::BadTemplate {
                    reason: "a `}` is never opened".into(),
                    span,
                });
                return;
            }
        }
    }

    fn pattern(&mut self, s: &ast::Str) {
        self.template(s);
        if let Err(e) = Pattern::new(&s.value) {
            self.error(LowerError::BadPattern {
                pattern: short(&s.value),
                reason: e.to_string(),
                span: s.loc.span(),
            });
        }
    }

    /// Lowers a rule block; `None` when it had errors (already recorded).
    pub(super) fn rule_list(&mut self, block: &ast::RuleBlock) -> Option<ir::RuleList> {
        let before = self.errors.len();
        let rules: Vec<ir::Rule> = block.rules.iter().filter_map(|r| self.rule(r)).collect();
        (self.errors.len() == before).then(|| ir::RuleList {
            rules,
            span: block.loc.span(),
        })
    }

    fn rule(&mut self, r: &ast::RuleDecl) -> Option<ir::Rule> {
        let verb = r.verb.name.as_str();
        let pattern = r.pattern.value.clone();
        if verb != "match" {
            if !VERBS.contains(&verb) {
                self.error(LowerError::UnknownVerb {
                    verb: verb.to_string(),
                    span: r.verb.loc.span(),
                    help: suggest::help(verb, "rule", VERBS),
                });
                return None;
            }
            if let Some(extra) = r
                .src_prefix
                .as_ref()
                .map(|p| p.loc)
                .or(r.with.as_ref().map(|w| w.loc))
            {
                self.error(LowerError::MalformedRule {
                    message: format!("`{verb}` takes a pattern only"),
                    span: extra.span(),
                    help: "only `match` takes `in \"PREFIX\"` and `with ... from STEP`".into(),
                });
                return None;
            }
            if verb == "require" {
                self.template(&r.pattern);
            } else {
                self.pattern(&r.pattern);
            }
        }
        let kind = match verb {
            "create" => ir::RuleKind::Create { pattern },
            "delete" => ir::RuleKind::Delete { pattern },
            "modify" => ir::RuleKind::Modify { pattern },
            "allow" => ir::RuleKind::Allow { pattern },
            "disallow" => ir::RuleKind::Disallow { pattern },
            "require" => ir::RuleKind::Require { name: pattern },
            _ => return self.match_rule(r),
        };
        Some(ir::Rule {
            kind,
            span: r.loc.span(),
        })
    }

    fn match_rule(&mut self, r: &ast::RuleDecl) -> Option<ir::Rule> {
        self.pattern(&r.pattern);
        let Some(with) = &r.with else {
            self.error(LowerError::MalformedRule {
                message: "`match` needs `with materials|products from STEP`".into(),
                span: r.loc.span(),
                help: "write e.g. `match \"foo\" with products from build`".into(),
            });
            return None;
        };
        for prefix in [&r.src_prefix, &with.dst_prefix].into_iter().flatten() {
            self.template(prefix);
        }
        let side = match with.side.name.as_str() {
            "materials" => Some(ir::Side::Materials),
            "products" => Some(ir::Side::Products),
            other => {
                self.error(LowerError::UnknownSide {
                    side: other.to_string(),
                    span: with.side.loc.span(),
                    help: suggest::help(other, "side", &["materials", "products"]),
                });
                None
            }
        };
        let from = self.target(&with.from);
        Some(ir::Rule {
            kind: ir::RuleKind::Match {
                pattern: r.pattern.value.clone(),
                src_prefix: r.src_prefix.as_ref().map(|p| p.value.clone()),
                side: side?,
                dst_prefix: with.dst_prefix.as_ref().map(|p| p.value.clone()),
                from: from?,
            },
            span: r.loc.span(),
        })
    }

    fn target(&mut self, name: &ast::Ident) -> Option<ir::Target> {
        if let Some(t) = self.targets.get(&name.name) {
            return Some(*t);
        }
        let names: Vec<&str> = self.targets.keys().map(String::as_str).collect();
        let help = suggest::help(&name.name, "step", &names);
        self.error(LowerError::UnknownTarget {
            what: "step or inspection",
            name: name.name.clone(),
            span: name.loc.span(),
            help,
        });
        None
    }

    /// Lowers a predicate check.
    pub(super) fn check(&mut self, c: &ast::CheckDecl) -> Option<ir::Check> {
        let level = match c.level.name.as_str() {
            "require" => Some(ir::Level::Deny),
            "warn" => Some(ir::Level::Warn),
            other => {
                self.error(LowerError::UnknownLevel {
                    level: other.to_string(),
                    span: c.level.loc.span(),
                    help: suggest::help(other, "level", &["require", "warn"]),
                });
                None
            }
        };
        let quantifier = match c.quantifier.as_ref().map(|q| (q, q.name.as_str())) {
            None => Some(ir::Quantifier::One),
            Some((_, "all")) => Some(ir::Quantifier::All),
            Some((_, "any")) => Some(ir::Quantifier::Any),
            Some((_, "count")) => Some(ir::Quantifier::Count),
            Some((q, other)) => {
                self.error(LowerError::UnknownQuantifier {
                    quantifier: other.to_string(),
                    span: q.loc.span(),
                    help: suggest::help(other, "quantifier", &["all", "any", "count"]),
                });
                None
            }
        };
        if let ast::TestDecl::Cel {
            expr,
            raw,
            if_present,
        } = &c.test
        {
            let test = self.cel(expr, raw, if_present.is_some());
            return Some(ir::Check {
                level: level?,
                path: String::new(),
                root: ir::Root::Predicate,
                quantifier: ir::Quantifier::One,
                test: test?,
                span: c.loc.span(),
            });
        }
        // `statement.subject[0]` is the JSONPath `$.subject[0]` over the Statement.
        let (root, written) = match c.path.text.strip_prefix("statement") {
            Some(rest) => (
                ir::Root::Statement,
                ast::Token {
                    text: format!("${rest}"),
                    loc: ast::Loc(cairn_base::source::Span::new(
                        c.path.loc.span().start + "statement".len() - 1,
                        c.path.loc.span().end,
                    )),
                },
            ),
            None => (ir::Root::Predicate, c.path.clone()),
        };
        let path = self.json_path(&written, &c.path.text);
        let test = self.test(&c.test, quantifier == Some(ir::Quantifier::Count));
        Some(ir::Check {
            level: level?,
            path: path?,
            root,
            quantifier: quantifier?,
            test: test?,
            span: c.loc.span(),
        })
    }

    /// Compiles a CEL check's expression; an error points at its place in
    /// the source, through the text as written between the quotes.
    fn cel(&mut self, expr: &ast::Str, raw: &ast::Token, if_present: bool) -> Option<ir::Test> {
        match crate::cel::compile(&expr.value) {
            Ok(_) => Some(ir::Test::Cel {
                expr: expr.value.clone(),
                if_present,
            }),
            Err(e) => {
                let at = raw.loc.span().start + raw_offset(&raw.text, e.offset);
                let end = raw.loc.span().end.max(at);
                let span = cairn_base::source::Span::new(at, (at + 1).min(end));
                let reason = e.message;
                self.error(match e.kind {
                    crate::cel::CelErrorKind::Syntax => LowerError::BadCel { reason, span },
                    crate::cel::CelErrorKind::TooLong | crate::cel::CelErrorKind::TooNested => {
                        LowerError::CelTooCostly { reason, span }
                    }
                    crate::cel::CelErrorKind::UnknownVariable => {
                        LowerError::CelUnknownVariable { reason, span }
                    }
                });
                None
            }
        }
    }

    /// Validates JSONPath `p`; `shown` is the path as the policy writes it.
    fn json_path(&mut self, p: &ast::Token, shown: &str) -> Option<String> {
        use cairn_base::limits::{JsonPathError, LIMITS};
        let span = p.loc.span();
        match LIMITS.json_path(&p.text) {
            Ok(_) => Some(p.text.clone()),
            Err(JsonPathError::TooLong { len, limit }) => {
                self.error(LowerError::JsonPathTooLong {
                    len,
                    limit,
                    span: cairn_base::source::Span::new(span.start, span.start + 1),
                });
                None
            }
            Err(JsonPathError::Syntax(e)) => {
                use jsonpath_rust::parser::errors::JsonPathError;
                let (reason, at) = match &e {
                    JsonPathError::PestError(pe) => {
                        let col = match pe.line_col {
                            pest::error::LineColLocation::Pos((_, c))
                            | pest::error::LineColLocation::Span((_, c), _) => c,
                        };
                        let offset = p
                            .text
                            .char_indices()
                            .nth(col.saturating_sub(1))
                            .map_or(p.text.len(), |(i, _)| i);
                        let at = span.start + offset;
                        (
                            format!(
                                "the path stops making sense at column {}: {}",
                                // A column of the path as written (`statement` for `$`).
                                (col + shown.chars().count())
                                    .saturating_sub(p.text.chars().count()),
                                pe.variant.message()
                            ),
                            cairn_base::source::Span::new(at, (at + 1).min(span.end.max(at))),
                        )
                    }
                    other => (one_line(&other.to_string()), span),
                };
                self.error(LowerError::BadJsonPath {
                    path: short(shown),
                    reason,
                    span: if at.is_empty() { span } else { at },
                });
                None
            }
            Err(JsonPathError::TooCostly { count, at }) => {
                let at = span.start + at;
                self.error(LowerError::JsonPathTooCostly {
                    count,
                    span: cairn_base::source::Span::new(at, (at + 2).min(span.end.max(at))),
                });
                None
            }
        }
    }

    fn test(&mut self, t: &ast::TestDecl, count: bool) -> Option<ir::Test> {
        let test = match t {
            ast::TestDecl::Compare { op, value } => {
                let op_ir = match op.text.as_str() {
                    "==" => ir::CompareOp::Eq,
                    "!=" => ir::CompareOp::Ne,
                    "<" => ir::CompareOp::Lt,
                    "<=" => ir::CompareOp::Le,
                    ">" => ir::CompareOp::Gt,
                    _ => ir::CompareOp::Ge,
                };
                let v = self.value(value)?;
                let ordering = !matches!(op_ir, ir::CompareOp::Eq | ir::CompareOp::Ne);
                if count && !(v.is_u64()) {
                    self.error(LowerError::BadCount {
                        span: value.loc().span(),
                    });
                    return None;
                }
                if ordering && !v.is_number() {
                    self.error(LowerError::OrderNeedsNumber {
                        op: op.text.clone(),
                        span: value.loc().span(),
                    });
                    return None;
                }
                ir::Test::Compare {
                    op: op_ir,
                    value: v,
                }
            }
            ast::TestDecl::In(list) => {
                let values: Vec<_> = list.value.iter().map(|v| self.value(v)).collect();
                ir::Test::In {
                    values: values.into_iter().collect::<Option<_>>()?,
                }
            }
            ast::TestDecl::Matches(re) => {
                if let Err(e) = cairn_base::limits::LIMITS.regex(&re.value) {
                    self.error(LowerError::BadRegex {
                        regex: short(&re.value),
                        reason: regex_reason(&e),
                        span: re.loc.span(),
                    });
                    return None;
                }
                ir::Test::Matches {
                    regex: re.value.clone(),
                }
            }
            ast::TestDecl::Exists(_) => ir::Test::Exists,
            ast::TestDecl::IsEmpty(_) => ir::Test::IsEmpty,
            ast::TestDecl::IsNotEmpty(_) => ir::Test::IsNotEmpty,
            ast::TestDecl::Cel {
                expr,
                raw,
                if_present,
            } => self.cel(expr, raw, if_present.is_some())?,
        };
        if count && !matches!(test, ir::Test::Compare { .. }) {
            let span = match t {
                ast::TestDecl::In(c) => c.loc,
                ast::TestDecl::Matches(s) => s.loc,
                ast::TestDecl::Exists(l)
                | ast::TestDecl::IsEmpty(l)
                | ast::TestDecl::IsNotEmpty(l) => *l,
                ast::TestDecl::Compare { op, .. } => op.loc,
                ast::TestDecl::Cel { expr, .. } => expr.loc,
            };
            self.error(LowerError::BadCount { span: span.span() });
            return None;
        }
        Some(test)
    }

    fn value(&mut self, v: &ast::Value) -> Option<serde_json::Value> {
        Some(match v {
            ast::Value::Str(s) => {
                self.template(s);
                serde_json::Value::String(s.value.clone())
            }
            ast::Value::Number(n) => match json_number(&n.text) {
                Ok(num) => serde_json::Value::Number(num),
                Err(reason) => {
                    self.error(LowerError::BadNumber {
                        text: short(&n.text),
                        reason: reason.to_string(),
                        span: n.loc.span(),
                    });
                    return None;
                }
            },
            ast::Value::Bool(b, _) => serde_json::Value::Bool(*b),
            ast::Value::Null(_) => serde_json::Value::Null,
        })
    }
}

/// A check value as a JSON number, or why it is none: not JSON's number
/// syntax (`01`, `+1`, `1.`), beyond a double's range, or so small that it
/// would silently read as 0 (`1e-400`).
fn json_number(text: &str) -> Result<serde_json::Number, &'static str> {
    let number = serde_json::from_str::<serde_json::Number>(text).map_err(|e| {
        if e.to_string().contains("out of range") {
            "it is beyond the range of a JSON double"
        } else {
            "it is not a JSON number (no leading zeros, `+`, or `.` without digits after it)"
        }
    })?;
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let zero = number.as_f64() == Some(0.0);
    if zero && mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        return Err("it is too small for a JSON double and would read as 0");
    }
    Ok(number)
}

/// The gist of a regex error: its `error:` line, or the whole message.
fn regex_reason(e: &regex::Error) -> String {
    if let regex::Error::CompiledTooBig(limit) = e {
        return format!(
            "compiled, the regex exceeds the size limit of {} KiB that verification \
             enforces (a counted repetition is multiplied out, and Unicode classes such as \
             `\\w` are large): repeat less, or use an ASCII class such as `[A-Za-z0-9_]`",
            limit / 1024
        );
    }
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(
            || one_line(&text),
            |gist| format!("the regex is malformed: {gist}"),
        )
}

/// Joins a multi-line message into one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The byte offset in `raw` (a string's text between its quotes, escapes as
/// written) of byte `offset` of the decoded string.
fn raw_offset(raw: &str, offset: usize) -> usize {
    let mut decoded = 0;
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if decoded >= offset {
            return i;
        }
        if c == '\\' {
            // An escape is two bytes written for one decoded.
            chars.next();
            decoded += 1;
        } else {
            decoded += c.len_utf8();
        }
    }
    raw.len()
}

#[cfg(test)]
mod tests {
    use super::raw_offset;
    use crate::ir;
    use crate::lower::compile_source;
    use std::path::Path;

    #[test]
    fn raw_offsets_count_escapes_as_written() {
        // Decoded `a"b\c` is written `a\"b\\c`.
        assert_eq!(raw_offset(r#"a\"b\\c"#, 0), 0);
        assert_eq!(raw_offset(r#"a\"b\\c"#, 2), 3);
        assert_eq!(raw_offset(r#"a\"b\\c"#, 4), 6);
        assert_eq!(raw_offset("é=x", 2), 2);
        assert_eq!(raw_offset("ab", 9), 2);
    }

    fn checks(body: &str) -> Vec<ir::Check> {
        let text = format!(
            "layout \"t\" {{ key k = ed25519 \"ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37\" step s {{ by k attestation link/v0.3 {{ {body} }} }} }}"
        );
        let layout = compile_source("t.cairn", &text, Path::new(".")).unwrap();
        layout.steps[0].attestations[0].checks.clone()
    }

    #[test]
    fn statement_paths_and_cel_checks_lower() {
        let c = checks(
            "require any statement.subject[*].digest.gitCommit exists \
             require statement['_type'] == \"x\" \
             require $.name == \"s\" \
             warn cel \"size(subject) != 0\"",
        );
        assert_eq!(c[0].root, ir::Root::Statement);
        assert_eq!(c[0].path, "$.subject[*].digest.gitCommit");
        assert_eq!(c[0].shown_path(), "statement.subject[*].digest.gitCommit");
        assert_eq!(c[1].path, "$['_type']");
        assert_eq!(c[2].root, ir::Root::Predicate);
        assert_eq!(
            c[3].test,
            ir::Test::Cel {
                expr: "size(subject) != 0".into(),
                if_present: false,
            }
        );
        assert_eq!(c[3].level, ir::Level::Warn);
        assert!(c[3].path.is_empty());
    }
}
