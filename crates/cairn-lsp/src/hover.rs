//! Hover: what the thing under the cursor is.
//!
//! A key shows its kind and keyid (a key file is read relative to the
//! policy, as `cairn check` reads it); an identity its claims; a step, an
//! inspection or a parameter its declaration; a predicate type its URI and
//! fields; a segment of a check's JSONPath the type and documentation of
//! that field.

use std::fmt::Write as _;

use cairn_base::source::Span;
use cairn_lang::lint::schema::Segment;
use cairn_lang::syntax::{ast, fmt::quote};

use crate::analysis::Analysis;
use crate::fields;
use crate::index::{DefKind, Symbol};

/// Markdown about what stands at `offset`, and the span it is about.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<(String, Span)> {
    let Some(parsed) = analysis.parsed.as_ref() else {
        return keyword(&analysis.text, offset);
    };
    if let Some((symbol, span)) = analysis.index.symbol_at(offset) {
        let def = analysis.index.definition(&symbol)?;
        return Some((declaration(analysis, parsed, &symbol, def.kind)?, span));
    }
    for att in attestations(parsed) {
        let (written, span) = match &att.predicate_type {
            ast::TypeRef::Alias(t) => (t.text.as_str(), t.loc.span()),
            ast::TypeRef::Uri(s) => (s.value.as_str(), s.loc.span()),
        };
        if covers(span, offset) {
            return Some((predicate_type(written), span));
        }
        for item in &att.items {
            let ast::AttestationItem::Check(check) = item else {
                continue;
            };
            let span = check.path.loc.span();
            if covers(span, offset) {
                return path_hover(written, &check.path.text, span.start, offset);
            }
        }
    }
    keyword(&analysis.text, offset)
}

/// What a keyword means (the grammar's own words, shortened).
const KEYWORDS: &[(&str, &str)] = &[
    ("layout", "`layout \"NAME\" { ... }`: the policy; exactly one per file."),
    ("import", "`import \"PATH\" as NAME`: a library of checks, keys and identities, by a path relative to this file; its names are used as `NAME.x`."),
    ("library", "`library \"NAME\" { ... }`: a file of named check sets, keys and identities that policies import."),
    ("checks", "`checks NAME for TYPE { ... }` in a library: a named set of checks; `checks IMPORT.NAME` in an attestation uses one."),
    ("cel", "`require cel \"EXPR\" [if present]`: a CEL expression over the Statement (`_type`, `subject`, `predicateType`, `predicate`) that must be true; `if present` passes when it reads something absent."),
    ("statement", "`statement.PATH`: a check's path into the whole Statement (`statement.subject[0].digest.gitCommit`) instead of the predicate (`$`)."),
    ("present", "`if present` after a CEL check: a field or variable the Statement lacks passes the check (attestation-verifier's `allowIfNoClaim`)."),
    ("expires", "`expires TIMESTAMP`: the instant (RFC 3339, UTC) from which the layout no longer verifies."),
    ("readme", "`readme \"TEXT\"`: free text for humans."),
    ("key", "`key NAME = ed25519 \"HEX\" | pem \"PEM\" | file \"PATH\" [scheme \"S\"]`: a functionary's public key; a file is relative to the policy."),
    ("trust-root", "`trust-root \"FILE\"`: the Sigstore trusted root, relative to the policy file."),
    ("identity", "`identity NAME = sigstore { CLAIM* }`: a signer known by its certificate's claims."),
    ("param", "`param NAME [= \"DEFAULT\"]`: a value substituted for `{NAME}` in strings (`--param NAME=VALUE`)."),
    ("step", "`step NAME { ... }`: a step of the supply chain, with who performs it and what it may do."),
    ("inspection", "`inspection NAME { run ... }`: a command the verifier runs only when asked (`--run-inspections`)."),
    ("by", "`by NAME, ...` or `by K of NAME, ...`: the keys or identities that must sign, and how many."),
    ("command", "`command \"ARG\" ...`: the expected command line (a mismatch is a warning)."),
    ("materials", "`materials { RULE* }`: rules on what the step used."),
    ("products", "`products { RULE* }`: rules on what the step produced."),
    ("attestation", "`attestation TYPE { ... }`: an attestation the step must have, of this predicate type, with checks on its predicate."),
    ("artifact", "`artifact from STEP`: the artifact given to `verify` must be among this step's products."),
    ("summary", "`summary { verifier \"ID\" levels \"LEVEL\" ... }`: what a verification summary attestation reports."),
    ("require", "In an attestation: `require [all|any|count] PATH TEST`, a check that must hold. In a rule block: `require \"NAME\"`, the name must be in the queue."),
    ("warn", "`warn [all|any|count] PATH TEST`: a check whose failure is reported, not fatal."),
    ("match", "`match \"PATTERN\" [in \"PREFIX\"] with materials|products [in \"PREFIX\"] from STEP`: the artifacts must equal those of another step."),
    ("create", "`create \"PATTERN\"`: matching products must be new (not among the materials)."),
    ("delete", "`delete \"PATTERN\"`: matching materials must be gone from the products."),
    ("modify", "`modify \"PATTERN\"`: matching artifacts must have changed."),
    ("allow", "`allow \"PATTERN\"`: matching artifacts are allowed."),
    ("disallow", "`disallow \"PATTERN\"`: any matching artifact left in the queue fails the step."),
];

/// The documentation of the keyword at `offset`, from the tokens.
fn keyword(text: &str, offset: usize) -> Option<(String, Span)> {
    let token = crate::lex::tokens(text)
        .into_iter()
        .find(|t| t.kind == crate::lex::Kind::Word && covers(t.span, offset))?;
    let word = crate::lex::text(text, token);
    let (_, doc) = KEYWORDS.iter().find(|(k, _)| *k == word)?;
    Some(((*doc).to_string(), token.span))
}

fn covers(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Every `attestation` block of the layout.
pub fn attestations(parsed: &ast::Parsed) -> impl Iterator<Item = &ast::AttestationDecl> {
    parsed.layout.items.iter().flat_map(|item| match item {
        ast::Item::Step(s) => s
            .items
            .iter()
            .filter_map(|si| match si {
                ast::StepItem::Attestation(a) => Some(a),
                _ => None,
            })
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    })
}

/// An alias or URI: the type URI and the fields of its tree.
pub fn predicate_type(written: &str) -> String {
    let mut out = String::new();
    match fields::type_uri(written) {
        Some(uri) => {
            let _ = writeln!(out, "**predicate type** `{written}`\n\n`{uri}`");
            match fields::tree(written) {
                Some(root) => {
                    let _ = writeln!(out, "\nfields:\n");
                    for (name, ty) in fields::members(root) {
                        let _ = write!(out, "- `{name}`: {}", fields::describe(*ty));
                        if let Some(d) = fields::doc(uri, &[name], root) {
                            let _ = write!(out, " — {d}");
                        }
                        out.push('\n');
                    }
                }
                None => {
                    let _ = writeln!(out, "\ncairn has no field tree for this type: its checks are not checked against one.");
                }
            }
        }
        None => {
            let _ = writeln!(out, "**predicate type** `{written}`\n\nnot a type cairn knows: matched as an exact string.");
        }
    }
    out
}

/// The field of a JSONPath segment under the cursor.
fn path_hover(written: &str, path: &str, start: usize, offset: usize) -> Option<(String, Span)> {
    let uri = fields::type_uri(written)?;
    let root = fields::tree(written)?;
    let located = fields::locate(path);
    let at = offset.saturating_sub(start);
    let index = located.iter().position(|l| covers(l.span, at))?;
    let segments: Vec<Segment> = located
        .iter()
        .take(index + 1)
        .map(|l| l.segment.clone())
        .collect();
    let ty = fields::type_after(root, &segments)?;
    let parent = fields::type_after(root, segments.get(..index).unwrap_or(&[]))?;
    let names: Vec<&str> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Name(n) => Some(n.as_str()),
            Segment::Some => None,
        })
        .collect();
    let span = located.get(index)?.span;
    let mut out = format!(
        "**field** `{}`: {}\n",
        names.join("."),
        fields::describe(ty)
    );
    if let Some(d) = fields::doc(uri, &names, parent) {
        let _ = write!(out, "\n{d}\n");
    }
    let _ = write!(out, "\nof `{written}`");
    Some((out, Span::new(start + span.start, start + span.end)))
}

/// The hover text of a declared name.
fn declaration(
    analysis: &Analysis,
    parsed: &ast::Parsed,
    symbol: &Symbol,
    kind: DefKind,
) -> Option<String> {
    for item in &parsed.layout.items {
        match (item, kind) {
            (ast::Item::Key(k), DefKind::Key) if k.name.name == symbol.name => {
                return Some(key(analysis, k));
            }
            (ast::Item::Identity(i), DefKind::Identity) if i.name.name == symbol.name => {
                let mut out = format!(
                    "**identity** `{}` = {}\n\nclaims:\n\n",
                    i.name.name, i.kind.name
                );
                for c in &i.claims {
                    let _ = write!(out, "- `{}`", c.name.name);
                    if c.regex {
                        out.push_str(" matches");
                    }
                    if let Some(v) = &c.value {
                        let _ = write!(out, " `{}`", quote(&v.value));
                    }
                    out.push('\n');
                }
                return Some(out);
            }
            (ast::Item::Param(p), DefKind::Param) if p.name.name == symbol.name => {
                return Some(match &p.default {
                    Some(d) => format!("**param** `{}` = `{}`", p.name.name, quote(&d.value)),
                    None => format!(
                        "**param** `{}` (no default: give it with `--param {}=VALUE`)",
                        p.name.name, p.name.name
                    ),
                });
            }
            (ast::Item::Step(s), DefKind::Step) if s.name.name == symbol.name => {
                let mut out = format!("**step** `{}`\n", s.name.name);
                for si in &s.items {
                    match si {
                        ast::StepItem::By(by) => {
                            let names: Vec<&str> =
                                by.names.iter().map(|n| n.name.as_str()).collect();
                            let _ = match &by.threshold {
                                Some(k) => writeln!(out, "\nby {} of {}", k.text, names.join(", ")),
                                None => writeln!(out, "\nby {}", names.join(", ")),
                            };
                        }
                        ast::StepItem::Attestation(a) => {
                            let t = match &a.predicate_type {
                                ast::TypeRef::Alias(t) => t.text.clone(),
                                ast::TypeRef::Uri(s) => quote(&s.value),
                            };
                            let _ = writeln!(out, "\nattestation `{t}`");
                        }
                        _ => {}
                    }
                }
                return Some(out);
            }
            (ast::Item::Inspection(i), DefKind::Inspection) if i.name.name == symbol.name => {
                let mut out = format!("**inspection** `{}`\n", i.name.name);
                for ii in &i.items {
                    if let ast::InspectionItem::Run(r) = ii {
                        let args: Vec<String> = r.value.iter().map(|a| quote(&a.value)).collect();
                        let _ = writeln!(out, "\nrun {}", args.join(" "));
                    }
                }
                return Some(out);
            }
            _ => {}
        }
    }
    None
}

/// A key's kind and keyid, its file read relative to the policy.
fn key(analysis: &Analysis, k: &ast::KeyDecl) -> String {
    let mut out = format!("**key** `{}` = {}", k.name.name, k.kind.name);
    if k.kind.name == "file" {
        let _ = write!(out, " `{}`", quote(&k.value.value));
    }
    out.push('\n');
    match cairn_lang::lower::keys::lower_key(k, &analysis.base_dir) {
        Ok(lowered) => {
            let key = lowered.key;
            let _ = write!(
                out,
                "\nkeytype `{}`, scheme `{}`\n\nkeyid `{}`\n",
                key.keytype, key.scheme, key.keyid
            );
        }
        Err(e) => {
            let _ = write!(out, "\n{e}\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const POLICY: &str = "layout \"x\" {\n  key k = ed25519 \"ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37\"\n  identity rel = sigstore { issuer \"https://x\" san matches \"^a$\" }\n  step build {\n    by k\n    attestation slsa-provenance/v1 {\n      require $.runDetails.builder.id == \"b\"\n    }\n  }\n}\n";

    fn at(needle: &str, plus: usize) -> usize {
        POLICY.find(needle).unwrap() + plus
    }

    #[test]
    fn hovers() {
        let a = Analysis::new(POLICY.into(), Path::new("."), 0);
        let (text, _) = hover(&a, at("by k", 3)).unwrap();
        assert!(text.contains("keyid `"), "{text}");
        let (text, _) = hover(&a, at("rel", 1)).unwrap();
        assert!(text.contains("`issuer` `\"https://x\"`"), "{text}");
        let (text, _) = hover(&a, at("slsa-provenance", 2)).unwrap();
        assert!(text.contains("https://slsa.dev/provenance/v1"), "{text}");
        assert!(text.contains("`runDetails`"), "{text}");
        let (text, span) = hover(&a, at("builder.id", 2)).unwrap();
        assert!(
            text.starts_with("**field** `runDetails.builder`: object"),
            "{text}"
        );
        assert_eq!(&POLICY[span.start..span.end], "builder");
        let (text, _) = hover(&a, at("step build", 1)).unwrap();
        assert!(text.starts_with("`step NAME"), "{text}");
        let (text, _) = hover(&a, at("builder.id", 9)).unwrap();
        assert!(text.contains("`runDetails.builder.id`: string"), "{text}");
    }
}
