//! The pest parser and the walk from pest pairs to the AST.
//!
//! This file and `grammar/cairn.pest` are the only places that know pest.
//! Parse errors are rewritten into sentences ("expected `}` or `by`, found
//! `bye`"): every rule has a human name in [`describe`].

use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use super::error::SyntaxError;
use crate::source::Span;

#[derive(Parser)]
#[grammar = "../grammar/cairn.pest"]
struct CairnParser;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a whole policy (limits are checked by the caller).
pub fn parse(text: &str) -> Result<Parsed> {
    let mut pairs = CairnParser::parse(Rule::policy, text).map_err(|e| convert(text, &e))?;
    let policy = pairs
        .next()
        .ok_or_else(|| internal_at("policy", Span::new(0, 0)))?;
    let comments = policy
        .clone()
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::COMMENT)
        .map(|p| Comment {
            text: p.as_str().trim_end().to_string(),
            loc: loc(&p),
        })
        .collect();
    let layout_pair = kids(policy)
        .find(|p| p.as_rule() == Rule::layout)
        .ok_or_else(|| internal_at("policy", Span::new(0, 0)))?;
    Ok(Parsed {
        layout: layout(layout_pair)?,
        comments,
    })
}

/// A pair's span without the blanks and comments pest may have skipped
/// after its last token (while trying an optional part that was absent).
fn span(p: &Pair<'_, Rule>) -> Span {
    Span::new(p.as_span().start(), end_of(p))
}

fn end_of(p: &Pair<'_, Rule>) -> usize {
    if p.as_rule() == Rule::string {
        return p.as_span().end();
    }
    match p
        .clone()
        .into_inner()
        .filter(|c| c.as_rule() != Rule::COMMENT)
        .last()
    {
        Some(last) => end_of(&last),
        None => p.as_span().end(),
    }
}

fn loc(p: &Pair<'_, Rule>) -> Loc {
    Loc(span(p))
}

fn internal_at(rule: &str, span: Span) -> SyntaxError {
    SyntaxError::Internal {
        rule: rule.to_string(),
        span,
    }
}

fn internal(p: &Pair<'_, Rule>) -> SyntaxError {
    internal_at(&format!("{:?}", p.as_rule()), span(p))
}

/// The meaningful children of a pair: no comments, keywords or punctuation.
fn kids<'a>(p: Pair<'a, Rule>) -> impl Iterator<Item = Pair<'a, Rule>> {
    p.into_inner().filter(|c| !is_trivia(c.as_rule()))
}

fn is_trivia(r: Rule) -> bool {
    matches!(
        r,
        Rule::COMMENT
            | Rule::EOI
            | Rule::open
            | Rule::close
            | Rule::open_bracket
            | Rule::close_bracket
            | Rule::comma
            | Rule::equals
            | Rule::kw_layout
            | Rule::kw_expires
            | Rule::kw_readme
            | Rule::kw_key
            | Rule::kw_scheme
            | Rule::kw_param
            | Rule::kw_step
            | Rule::kw_by
            | Rule::kw_of
            | Rule::kw_command
            | Rule::kw_materials
            | Rule::kw_products
            | Rule::kw_in
            | Rule::kw_with
            | Rule::kw_from
            | Rule::kw_attestation
            | Rule::kw_matches
            | Rule::kw_exists
            | Rule::kw_is
            | Rule::kw_not
            | Rule::kw_empty
            | Rule::kw_inspection
            | Rule::kw_run
            | Rule::kw_artifact
            | Rule::kw_summary
            | Rule::kw_verifier
            | Rule::kw_levels
    )
}

/// Takes the next child, which must be of `rule`.
fn next<'a>(
    parent: &Pair<'a, Rule>,
    it: &mut impl Iterator<Item = Pair<'a, Rule>>,
    want: Rule,
) -> Result<Pair<'a, Rule>> {
    match it.next() {
        Some(p) if p.as_rule() == want => Ok(p),
        Some(p) => Err(internal(&p)),
        None => Err(internal(parent)),
    }
}

fn ident(p: &Pair<'_, Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        loc: loc(p),
    }
}

fn token(p: &Pair<'_, Rule>) -> Token {
    Token {
        text: p.as_str().to_string(),
        loc: loc(p),
    }
}

fn string(p: &Pair<'_, Rule>) -> Result<Str> {
    if p.as_rule() != Rule::string {
        return Err(internal(p));
    }
    let body = p.as_str();
    let body = body
        .strip_prefix('"')
        .and_then(|b| b.strip_suffix('"'))
        .ok_or_else(|| internal(p))?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('r') => value.push('\r'),
                Some(c @ ('"' | '\\')) => value.push(c),
                _ => return Err(internal(p)),
            }
        } else {
            value.push(c);
        }
    }
    Ok(Str { value, loc: loc(p) })
}

fn strings<'a>(it: impl Iterator<Item = Pair<'a, Rule>>) -> Result<Vec<Str>> {
    it.map(|p| string(&p)).collect()
}

fn layout(p: Pair<'_, Rule>) -> Result<Layout> {
    let whole = loc(&p);
    let mut it = kids(p.clone());
    let name = string(&next(&p, &mut it, Rule::string)?)?;
    let header = Loc(Span::new(whole.0.start, name.loc.0.end));
    let items = it.map(item).collect::<Result<_>>()?;
    Ok(Layout {
        name,
        items,
        header,
        loc: whole,
    })
}

fn item(p: Pair<'_, Rule>) -> Result<Item> {
    let whole = loc(&p);
    let kind = p.as_rule();
    let mut it = kids(p.clone());
    Ok(match kind {
        Rule::expires => Item::Expires(Clause {
            value: token(&next(&p, &mut it, Rule::timestamp)?),
            loc: whole,
        }),
        Rule::readme => Item::Readme(Clause {
            value: string(&next(&p, &mut it, Rule::string)?)?,
            loc: whole,
        }),
        Rule::key => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let kind = ident(&next(&p, &mut it, Rule::ident)?);
            let value = string(&next(&p, &mut it, Rule::string)?)?;
            let scheme = match it.next() {
                Some(s) => {
                    let mut sit = kids(s.clone());
                    Some(string(&next(&s, &mut sit, Rule::string)?)?)
                }
                None => None,
            };
            Item::Key(KeyDecl {
                name,
                kind,
                value,
                scheme,
                loc: whole,
            })
        }
        Rule::param => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let default = it.next().map(|s| string(&s)).transpose()?;
            Item::Param(ParamDecl {
                name,
                default,
                loc: whole,
            })
        }
        Rule::step => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let header = Loc(Span::new(whole.0.start, name.loc.0.end));
            let items = it.map(step_item).collect::<Result<_>>()?;
            Item::Step(StepDecl {
                name,
                items,
                header,
                loc: whole,
            })
        }
        Rule::inspection => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let header = Loc(Span::new(whole.0.start, name.loc.0.end));
            let items = it
                .map(|c| match c.as_rule() {
                    Rule::run => Ok(InspectionItem::Run(Clause {
                        loc: loc(&c),
                        value: strings(kids(c))?,
                    })),
                    Rule::materials | Rule::products => Ok(InspectionItem::Rules(rule_block(c)?)),
                    _ => Err(internal(&c)),
                })
                .collect::<Result<_>>()?;
            Item::Inspection(InspectionDecl {
                name,
                items,
                header,
                loc: whole,
            })
        }
        Rule::artifact => Item::Artifact(Clause {
            value: ident(&next(&p, &mut it, Rule::ident)?),
            loc: whole,
        }),
        Rule::summary => {
            let items = it
                .map(|c| {
                    let l = loc(&c);
                    match c.as_rule() {
                        Rule::verifier => {
                            let mut vit = kids(c.clone());
                            Ok(SummaryItem::Verifier(Clause {
                                value: string(&next(&c, &mut vit, Rule::string)?)?,
                                loc: l,
                            }))
                        }
                        Rule::levels => Ok(SummaryItem::Levels(Clause {
                            value: strings(kids(c))?,
                            loc: l,
                        })),
                        _ => Err(internal(&c)),
                    }
                })
                .collect::<Result<_>>()?;
            Item::Summary(SummaryDecl { items, loc: whole })
        }
        _ => return Err(internal(&p)),
    })
}

fn by(p: Pair<'_, Rule>) -> Result<By> {
    let whole = loc(&p);
    let mut threshold = None;
    let mut names = Vec::new();
    for c in kids(p) {
        match c.as_rule() {
            Rule::threshold => threshold = Some(token(&c)),
            Rule::ident => names.push(ident(&c)),
            _ => return Err(internal(&c)),
        }
    }
    Ok(By {
        threshold,
        names,
        loc: whole,
    })
}

fn step_item(p: Pair<'_, Rule>) -> Result<StepItem> {
    Ok(match p.as_rule() {
        Rule::by => StepItem::By(by(p)?),
        Rule::command => StepItem::Command(Clause {
            loc: loc(&p),
            value: strings(kids(p))?,
        }),
        Rule::materials | Rule::products => StepItem::Rules(rule_block(p)?),
        Rule::attestation => StepItem::Attestation(attestation(p)?),
        _ => return Err(internal(&p)),
    })
}

fn rule_block(p: Pair<'_, Rule>) -> Result<RuleBlock> {
    let side = if p.as_rule() == Rule::materials {
        BlockSide::Materials
    } else {
        BlockSide::Products
    };
    let whole = loc(&p);
    let rules = kids(p).map(rule_decl).collect::<Result<_>>()?;
    Ok(RuleBlock {
        side,
        rules,
        loc: whole,
    })
}

fn rule_decl(p: Pair<'_, Rule>) -> Result<RuleDecl> {
    if p.as_rule() != Rule::rule {
        return Err(internal(&p));
    }
    let whole = loc(&p);
    let mut it = kids(p.clone());
    let verb = ident(&next(&p, &mut it, Rule::ident)?);
    let pattern = string(&next(&p, &mut it, Rule::string)?)?;
    let mut src_prefix = None;
    let mut with = None;
    for c in it {
        match c.as_rule() {
            Rule::src_prefix => {
                let mut sit = kids(c.clone());
                src_prefix = Some(string(&next(&c, &mut sit, Rule::string)?)?);
            }
            Rule::with_clause => {
                let wloc = loc(&c);
                let mut wit = kids(c.clone());
                let side = ident(&next(&c, &mut wit, Rule::ident)?);
                let mut dst_prefix = None;
                let mut from = None;
                for w in wit {
                    match w.as_rule() {
                        Rule::dst_prefix => {
                            let mut dit = kids(w.clone());
                            dst_prefix = Some(string(&next(&w, &mut dit, Rule::string)?)?);
                        }
                        Rule::ident => from = Some(ident(&w)),
                        _ => return Err(internal(&w)),
                    }
                }
                let from = from.ok_or_else(|| internal(&c))?;
                with = Some(WithClause {
                    side,
                    dst_prefix,
                    from,
                    loc: wloc,
                });
            }
            _ => return Err(internal(&c)),
        }
    }
    Ok(RuleDecl {
        verb,
        pattern,
        src_prefix,
        with,
        loc: whole,
    })
}

fn attestation(p: Pair<'_, Rule>) -> Result<AttestationDecl> {
    let whole = loc(&p);
    let mut it = kids(p.clone());
    let t = it.next().ok_or_else(|| internal(&p))?;
    let predicate_type = match t.as_rule() {
        Rule::alias => TypeRef::Alias(token(&t)),
        Rule::string => TypeRef::Uri(string(&t)?),
        _ => return Err(internal(&t)),
    };
    let header = Loc(Span::new(whole.0.start, span(&t).end));
    let items = it
        .map(|c| {
            Ok(match c.as_rule() {
                Rule::by => AttestationItem::By(by(c)?),
                Rule::materials | Rule::products => AttestationItem::Rules(rule_block(c)?),
                Rule::check => AttestationItem::Check(check(c)?),
                _ => return Err(internal(&c)),
            })
        })
        .collect::<Result<_>>()?;
    Ok(AttestationDecl {
        predicate_type,
        items,
        header,
        loc: whole,
    })
}

fn check(p: Pair<'_, Rule>) -> Result<CheckDecl> {
    let whole = loc(&p);
    let mut it = kids(p.clone());
    let level = ident(&next(&p, &mut it, Rule::ident)?);
    let mut c = it.next().ok_or_else(|| internal(&p))?;
    let mut quantifier = None;
    if c.as_rule() == Rule::quantifier {
        let mut qit = kids(c.clone());
        quantifier = Some(ident(&next(&c, &mut qit, Rule::ident)?));
        c = it.next().ok_or_else(|| internal(&p))?;
    }
    if c.as_rule() != Rule::path {
        return Err(internal(&c));
    }
    let path = token(&c);
    let t = it.next().ok_or_else(|| internal(&p))?;
    let tloc = loc(&t);
    let test = match t.as_rule() {
        Rule::compare => {
            let mut cit = kids(t.clone());
            let op = token(&next(&t, &mut cit, Rule::compare_op)?);
            let v = cit.next().ok_or_else(|| internal(&t))?;
            TestDecl::Compare {
                op,
                value: value(&v)?,
            }
        }
        Rule::in_list => TestDecl::In(Clause {
            value: kids(t).map(|v| value(&v)).collect::<Result<_>>()?,
            loc: tloc,
        }),
        Rule::matches => {
            let mut mit = kids(t.clone());
            TestDecl::Matches(string(&next(&t, &mut mit, Rule::string)?)?)
        }
        Rule::exists => TestDecl::Exists(tloc),
        Rule::is_empty => TestDecl::IsEmpty(tloc),
        Rule::is_not_empty => TestDecl::IsNotEmpty(tloc),
        _ => return Err(internal(&t)),
    };
    Ok(CheckDecl {
        level,
        quantifier,
        path,
        test,
        loc: whole,
    })
}

fn value(p: &Pair<'_, Rule>) -> Result<Value> {
    Ok(match p.as_rule() {
        Rule::string => Value::Str(string(p)?),
        Rule::number => Value::Number(token(p)),
        Rule::boolean => Value::Bool(p.as_str() == "true", loc(p)),
        Rule::null => Value::Null(loc(p)),
        _ => return Err(internal(p)),
    })
}

/// The human name of a rule, as a parse error says it.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::WHITESPACE | Rule::COMMENT => return None,
        Rule::EOI => "end of file",
        Rule::policy | Rule::layout | Rule::kw_layout => "`layout`",
        Rule::expires | Rule::kw_expires => "`expires`",
        Rule::readme | Rule::kw_readme => "`readme`",
        Rule::key | Rule::kw_key => "`key`",
        Rule::scheme | Rule::kw_scheme => "`scheme`",
        Rule::param | Rule::kw_param => "`param`",
        Rule::step | Rule::kw_step => "`step`",
        Rule::by | Rule::kw_by => "`by`",
        Rule::kw_of => "`of`",
        Rule::threshold => "a threshold",
        Rule::command | Rule::kw_command => "`command`",
        Rule::materials | Rule::kw_materials => "`materials`",
        Rule::products | Rule::kw_products => "`products`",
        Rule::rule => "an artifact rule",
        Rule::src_prefix | Rule::dst_prefix | Rule::kw_in => "`in`",
        Rule::with_clause | Rule::kw_with => "`with`",
        Rule::kw_from => "`from`",
        Rule::attestation | Rule::kw_attestation => "`attestation`",
        Rule::alias => "a predicate type",
        Rule::check => "a check",
        Rule::quantifier => "a quantifier",
        Rule::path => "a JSONPath starting with `$`",
        Rule::compare | Rule::compare_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_list => "`in`",
        Rule::matches | Rule::kw_matches => "`matches`",
        Rule::exists | Rule::kw_exists => "`exists`",
        Rule::is_empty | Rule::is_not_empty | Rule::kw_is => "`is`",
        Rule::kw_not => "`not`",
        Rule::kw_empty => "`empty`",
        Rule::inspection | Rule::kw_inspection => "`inspection`",
        Rule::run | Rule::kw_run => "`run`",
        Rule::artifact | Rule::kw_artifact => "`artifact`",
        Rule::summary | Rule::kw_summary => "`summary`",
        Rule::verifier | Rule::kw_verifier => "`verifier`",
        Rule::levels | Rule::kw_levels => "`levels`",
        Rule::number => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::null => "`null`",
        Rule::string | Rule::string_body => "a string",
        Rule::timestamp => "a timestamp such as `2027-12-31T00:00:00Z`",
        Rule::ident => "a name",
        Rule::open => "`{`",
        Rule::close => "`}`",
        Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        _ => return None,
    })
}

/// A hint for the construct the parser expected.
fn hint(expected: &[Rule]) -> &'static str {
    let has = |r: Rule| expected.contains(&r);
    if has(Rule::EOI) {
        "a policy file holds exactly one `layout` block; nothing may follow its closing `}`"
    } else if has(Rule::policy) || has(Rule::kw_layout) || has(Rule::layout) {
        "a policy is one block: `layout \"NAME\" { ... }`"
    } else if has(Rule::check) || has(Rule::path) {
        "a check reads `require [all|any|count] $.PATH TEST`, e.g. `require $.result == \"PASSED\"`"
    } else if has(Rule::rule) {
        "a rule reads `VERB \"PATTERN\"`, e.g. `create \"foo\"` or `match \"foo\" with products from build`"
    } else if has(Rule::step) || has(Rule::kw_step) || has(Rule::key) {
        "a layout holds `expires`, `readme`, `key`, `param`, `step`, `inspection`, `artifact` and `summary` clauses"
    } else if has(Rule::command) || has(Rule::kw_command) {
        "a step holds `by`, `command`, `materials`, `products` and `attestation` clauses"
    } else if has(Rule::check) || has(Rule::kw_by) || has(Rule::by) {
        "an attestation holds `by`, `materials`, `products` and checks such as `require $.result == \"PASSED\"`"
    } else if has(Rule::run) || has(Rule::kw_run) {
        "an inspection holds `run`, `materials` and `products` clauses"
    } else if has(Rule::verifier) || has(Rule::kw_verifier) {
        "a summary holds `verifier \"URI\"` and `levels \"LEVEL\" ...`"
    } else if has(Rule::threshold) || has(Rule::kw_of) {
        "write `by KEY, ...` or `by K of KEY, KEY, ...`"
    } else if has(Rule::equals) {
        "a key reads `key NAME = ed25519 \"HEX\"`, `key NAME = pem \"PEM\"` or `key NAME = file \"PATH\"`"
    } else if has(Rule::close_bracket) {
        "a list reads `[VALUE, VALUE, ...]`"
    } else if has(Rule::by) {
        "a step holds `by`, `command`, `materials`, `products` and `attestation` clauses"
    } else if has(Rule::string) {
        "strings are written in double quotes; the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\r`"
    } else {
        "see docs/language.md for the syntax of a policy"
    }
}

/// Rewrites a pest error as a sentence at the place it happened.
fn convert(text: &str, e: &pest::error::Error<Rule>) -> SyntaxError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (positives, negatives): (Vec<Rule>, Vec<Rule>) = match &e.variant {
        pest::error::ErrorVariant::ParsingError {
            positives,
            negatives,
        } => (positives.clone(), negatives.clone()),
        pest::error::ErrorVariant::CustomError { .. } => (Vec::new(), Vec::new()),
    };
    let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
    names.sort_unstable();
    names.dedup();
    let rest = text.get(pos..).unwrap_or("");
    let found = found_text(rest);
    let expected = match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let message = if rest.starts_with('"') && positives.contains(&Rule::string) {
        "malformed string: an unknown escape or no closing quote".to_string()
    } else if expected.is_empty() {
        let unexpected: Vec<&str> = negatives.iter().filter_map(|r| describe(*r)).collect();
        if unexpected.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("unexpected {}", unexpected.join(" or "))
        }
    } else {
        format!("expected {expected}, found {found}")
    };
    let len = rest.chars().next().map_or(0, char::len_utf8);
    let label = if expected.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {expected}")
    };
    SyntaxError::Unexpected {
        message,
        span: Span::new(pos, pos + len),
        label,
        help: hint(&positives).to_string(),
    }
}

/// How a parse error names what it found: a word in backticks or "end of file".
fn found_text(rest: &str) -> String {
    let Some(first) = rest.chars().next() else {
        return "end of file".to_string();
    };
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            .take(40)
            .collect();
        format!("`{word}`")
    } else if first == '\n' {
        "end of line".to_string()
    } else if first.is_whitespace() {
        "whitespace".to_string()
    } else if first == '`' {
        "a backtick".to_string()
    } else {
        format!("`{first}`")
    }
}
