//! The pest parser and the walk from pest pairs to the AST.
//!
//! This file and `grammar/cairn.pest` are the only places that know pest.
//! Parse errors are rewritten into sentences ("expected `}` or `by`, found
//! `bye`"): every rule has a human name in `expected::describe`.

use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use super::error::SyntaxError;
use cairn_base::source::Span;

#[derive(Parser)]
#[grammar = "../grammar/cairn.pest"]
struct CairnParser;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a whole policy (limits are checked by the caller).
pub fn parse(text: &str) -> Result<Parsed> {
    let mut pairs =
        CairnParser::parse(Rule::policy, text).map_err(|e| super::expected::convert(text, &e))?;
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
    let mut imports = Vec::new();
    let mut block = None;
    for p in kids(policy) {
        match p.as_rule() {
            Rule::import => imports.push(import(p)?),
            Rule::layout | Rule::library => block = Some(p),
            _ => return Err(internal(&p)),
        }
    }
    let block = block.ok_or_else(|| internal_at("policy", Span::new(0, 0)))?;
    Ok(Parsed {
        imports,
        library: block.as_rule() == Rule::library,
        layout: layout(block)?,
        comments,
    })
}

fn import(p: Pair<'_, Rule>) -> Result<ImportDecl> {
    let mut it = kids(p.clone());
    let path = string(&next(&p, &mut it, Rule::string)?)?;
    let alias = ident(&next(&p, &mut it, Rule::ident)?);
    Ok(ImportDecl {
        path,
        alias,
        loc: loc(&p),
    })
}

fn uses(p: &Pair<'_, Rule>) -> Result<UseDecl> {
    let mut it = kids(p.clone());
    Ok(UseDecl {
        name: ident(&next(p, &mut it, Rule::qname)?),
        loc: loc(p),
    })
}

fn type_ref(t: &Pair<'_, Rule>) -> Result<TypeRef> {
    Ok(match t.as_rule() {
        Rule::alias => TypeRef::Alias(token(t)),
        Rule::string => TypeRef::Uri(string(t)?),
        _ => return Err(internal(t)),
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
            | Rule::kw_trust_root
            | Rule::kw_identity
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
            | Rule::kw_cel
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
            | Rule::kw_import
            | Rule::kw_as
            | Rule::kw_library
            | Rule::kw_checks
            | Rule::kw_for
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
        Rule::trust_root => Item::TrustRoot(Clause {
            value: string(&next(&p, &mut it, Rule::string)?)?,
            loc: whole,
        }),
        Rule::identity => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let kind = ident(&next(&p, &mut it, Rule::ident)?);
            let header = Loc(Span::new(whole.0.start, kind.loc.0.end));
            let claims = it
                .filter(|c| c.as_rule() == Rule::claim)
                .map(|c| {
                    let l = loc(&c);
                    // `matches` is kept here: it is what makes the value a regex.
                    let mut cit = c
                        .clone()
                        .into_inner()
                        .filter(|k| k.as_rule() != Rule::COMMENT);
                    let name = ident(&next(&c, &mut cit, Rule::ident)?);
                    let mut regex = false;
                    let mut value = None;
                    for part in cit {
                        match part.as_rule() {
                            Rule::kw_matches => regex = true,
                            Rule::string => value = Some(string(&part)?),
                            _ => return Err(internal(&part)),
                        }
                    }
                    Ok(ClaimDecl {
                        name,
                        regex,
                        value,
                        loc: l,
                    })
                })
                .collect::<Result<_>>()?;
            Item::Identity(IdentityDecl {
                name,
                kind,
                claims,
                header,
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
        Rule::check_set => {
            let name = ident(&next(&p, &mut it, Rule::ident)?);
            let t = it.next().ok_or_else(|| internal(&p))?;
            let predicate_type = type_ref(&t)?;
            let header = Loc(Span::new(whole.0.start, span(&t).end));
            let items = it
                .map(|c| match c.as_rule() {
                    Rule::check => Ok(SetItem::Check(check(c)?)),
                    Rule::uses => Ok(SetItem::Use(uses(&c)?)),
                    _ => Err(internal(&c)),
                })
                .collect::<Result<_>>()?;
            Item::CheckSet(CheckSetDecl {
                name,
                predicate_type,
                items,
                header,
                loc: whole,
            })
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
            Rule::qname => names.push(ident(&c)),
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
    let predicate_type = type_ref(&t)?;
    let header = Loc(Span::new(whole.0.start, span(&t).end));
    let items = it
        .map(|c| {
            Ok(match c.as_rule() {
                Rule::by => AttestationItem::By(by(c)?),
                Rule::materials | Rule::products => AttestationItem::Rules(rule_block(c)?),
                Rule::check => AttestationItem::Check(check(c)?),
                Rule::uses => AttestationItem::Use(uses(&c)?),
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
    if c.as_rule() == Rule::cel_check {
        let mut cit = kids(c.clone());
        let s = next(&c, &mut cit, Rule::string)?;
        let expr = string(&s)?;
        // The text between the quotes as written, for columns inside it.
        let raw = Token {
            text: s
                .as_str()
                .strip_prefix('"')
                .and_then(|b| b.strip_suffix('"'))
                .ok_or_else(|| internal(&s))?
                .to_string(),
            loc: Loc(Span::new(expr.loc.0.start + 1, expr.loc.0.end - 1)),
        };
        let if_present = cit
            .next()
            .filter(|n| n.as_rule() == Rule::if_present)
            .map(|n| loc(&n));
        return Ok(CheckDecl {
            level,
            quantifier: None,
            path: Token {
                text: String::new(),
                loc: loc(&c),
            },
            test: TestDecl::Cel {
                expr,
                raw,
                if_present,
            },
            loc: whole,
        });
    }
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
