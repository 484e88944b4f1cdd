//! In-file severity: `# cairn: allow(L004)` allows codes on the next item.
//!
//! The comment stands on its own line(s) above a clause (a layout item, a
//! step clause, a rule, a check); it allows the listed codes (or rule names)
//! on that clause and everything inside it. Placed after code on the same
//! line, it applies to the clause that ends just before it. A finding with
//! several places (the clause it underlines, the related ones) is allowed
//! when any of them lies in that clause. Free text may
//! follow the closing parenthesis, and should say why. A malformed directive,
//! an unknown code or a directive followed by nothing is itself a finding
//! (L022).

use super::finding::Finding;
use super::registry::RULES;
use crate::syntax::ast;
use cairn_base::source::Span;

/// The marker a directive starts with, after `#`.
const MARKER: &str = "cairn:";

/// A parsed directive: the codes it allows and the span it covers.
struct Directive {
    codes: Vec<&'static str>,
    covers: Span,
}

/// Drops the findings that directives allow; adds findings for bad directives.
pub(super) fn apply(text: &str, parsed: &ast::Parsed, findings: Vec<Finding>) -> Vec<Finding> {
    let items = item_spans(&parsed.layout);
    let mut bad = Vec::new();
    let mut directives = Vec::new();
    for c in &parsed.comments {
        let body = c.text.trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix(MARKER) else {
            continue;
        };
        let span = c.loc.span();
        let codes = match parse(rest.trim()) {
            Ok(codes) => codes,
            Err(why) => {
                bad.push(
                    Finding::new("L022", span, format!("malformed lint comment: {why}"))
                        .label("ignored")
                        .help("write `# cairn: allow(L004)` or `# cairn: allow(L004, L008) why`, on the line above the clause"),
                );
                continue;
            }
        };
        let Some(covers) = target(text, &items, span) else {
            bad.push(
                Finding::new("L022", span, "lint comment applies to nothing")
                    .label("no clause follows")
                    .help("put the comment on the line above the clause it is about"),
            );
            continue;
        };
        directives.push(Directive { codes, covers });
    }
    // A finding is allowed where any of its places lies in the clause:
    // the span it underlines or one of its related spans.
    let inside = |span: Span, covers: Span| span.start >= covers.start && span.end <= covers.end;
    findings
        .into_iter()
        .filter(|f| {
            !directives.iter().any(|d| {
                d.codes.contains(&f.code)
                    && (inside(f.span, d.covers)
                        || f.related.iter().any(|(span, _)| inside(*span, d.covers)))
            })
        })
        .chain(bad)
        .collect()
}

/// Parses `allow(CODE, ...) [text]`.
fn parse(text: &str) -> Result<Vec<&'static str>, String> {
    let Some(args) = text.strip_prefix("allow") else {
        return Err(format!(
            "expected `allow(...)` after `{MARKER}`, found `{}`",
            text.chars().take(30).collect::<String>()
        ));
    };
    let Some(args) = args.trim_start().strip_prefix('(') else {
        return Err("expected `(` after `allow`".into());
    };
    let Some((list, _reason)) = args.split_once(')') else {
        return Err("`allow(` is never closed".into());
    };
    let mut codes = Vec::new();
    for word in list.split(',').map(str::trim) {
        match RULES
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(word) || r.name == word)
        {
            Some(r) => codes.push(r.code),
            None if word.is_empty() => return Err("no code between the parentheses".into()),
            None => return Err(format!("no lint rule is called `{word}`")),
        }
    }
    Ok(codes)
}

/// The clause a directive at `comment` applies to: the clause ending just
/// before it when it follows code on the same line, else the next clause.
fn target(text: &str, items: &[Span], comment: Span) -> Option<Span> {
    let before = text.get(..comment.start).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    if !line.trim().is_empty() {
        return items
            .iter()
            .filter(|s| s.end <= comment.start)
            .max_by_key(|s| (s.end, std::cmp::Reverse(s.start)))
            .copied();
    }
    items
        .iter()
        .filter(|s| s.start >= comment.end)
        .min_by_key(|s| (s.start, std::cmp::Reverse(s.end)))
        .copied()
}

/// The span of every clause, at every depth.
fn item_spans(layout: &ast::Layout) -> Vec<Span> {
    let mut out = vec![layout.loc.span()];
    let rules = |block: &ast::RuleBlock, out: &mut Vec<Span>| {
        out.push(block.loc.span());
        out.extend(block.rules.iter().map(|r| r.loc.span()));
    };
    for item in &layout.items {
        out.push(item.loc().span());
        match item {
            ast::Item::Step(s) => {
                for si in &s.items {
                    out.push(si.loc().span());
                    match si {
                        ast::StepItem::Rules(b) => rules(b, &mut out),
                        ast::StepItem::Attestation(a) => {
                            for ai in &a.items {
                                out.push(ai.loc().span());
                                if let ast::AttestationItem::Rules(b) = ai {
                                    rules(b, &mut out);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            ast::Item::Inspection(i) => {
                for ii in &i.items {
                    out.push(ii.loc().span());
                    if let ast::InspectionItem::Rules(b) = ii {
                        rules(b, &mut out);
                    }
                }
            }
            ast::Item::Summary(s) => out.extend(s.items.iter().map(|i| i.loc().span())),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_names() {
        assert_eq!(parse("allow(L004)"), Ok(vec!["L004"]));
        assert_eq!(
            parse("allow( l004 , unused-key ) kept on purpose"),
            Ok(vec!["L004", "L008"])
        );
        assert!(parse("allow(L999)").is_err());
        assert!(parse("allow()").is_err());
        assert!(parse("allow(L004").is_err());
        assert!(parse("deny(L004)").is_err());
    }

    #[test]
    fn targets_the_next_clause_or_the_one_before_on_the_line() {
        let text = "a\n# c\nbb # d\n";
        let items = [Span::new(0, 1), Span::new(6, 8)];
        assert_eq!(target(text, &items, Span::new(2, 5)), Some(Span::new(6, 8)));
        assert_eq!(
            target(text, &items, Span::new(9, 12)),
            Some(Span::new(6, 8))
        );
        assert_eq!(target(text, &items[..1], Span::new(2, 5)), None);
    }
}
