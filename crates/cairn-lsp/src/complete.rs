//! Completion: keywords of the block the cursor is in, names in scope where
//! a name is expected, predicate aliases after `attestation`, and the fields
//! of the attestation's type inside a check's JSONPath.
//!
//! It reads tokens ([`crate::lex`]), not the syntax tree: the text being
//! typed rarely parses.

use cairn_base::source::Span;
use cairn_evidence::predicates;
use cairn_lang::lint::schema::{Segment, Ty};

use crate::fields;
use crate::index::DefKind;
use crate::lex::{self, Kind, Token};

/// What a completion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// A keyword or a fixed word of a slot (a rule verb, a key kind).
    Keyword,
    /// A declared name.
    Name(DefKind),
    /// A predicate type alias.
    Alias,
    /// A predicate field.
    Field,
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// What it is.
    pub what: What,
    /// A short description.
    pub detail: String,
    /// The text to put in place of [`Completion::replace`].
    pub insert: String,
    /// The text replaced (what was typed of the word so far).
    pub replace: Span,
}

/// The blocks the cursor can be in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Layout,
    Step,
    /// With the type as written, if any.
    Attestation(Option<String>),
    Rules,
    Inspection,
    Summary,
    Identity,
    Other,
}

const BLOCK_WORDS: &[&str] = &[
    "layout",
    "step",
    "attestation",
    "materials",
    "products",
    "inspection",
    "summary",
    "identity",
];

/// The completions at `offset` of `text`.
pub fn complete(text: &str, offset: usize) -> Vec<Completion> {
    let tokens = lex::tokens(text);
    // The token being typed: punctuation just typed is finished.
    let current = tokens.iter().copied().find(|t| {
        t.span.start < offset
            && offset <= t.span.end
            && !matches!(t.kind, Kind::Open | Kind::Close | Kind::Punct)
    });
    let before: Vec<Token> = tokens
        .iter()
        .copied()
        .take_while(|t| t.span.end <= offset && Some(*t) != current)
        .collect();
    let stack = blocks(text, &before);
    let mut replace = Span::new(offset, offset);
    if let Some(cur) = current {
        match cur.kind {
            Kind::Comment | Kind::Number => return Vec::new(),
            Kind::Str => return in_string(text, cur, offset),
            Kind::Path => {
                let written = stack.iter().rev().find_map(|b| match b {
                    Block::Attestation(t) => Some(t.clone()),
                    _ => None,
                });
                return match written.flatten() {
                    Some(written) => path_fields(text, cur, offset, &written),
                    None => Vec::new(),
                };
            }
            Kind::Word | Kind::Open | Kind::Close | Kind::Punct => {
                replace = Span::new(cur.span.start, offset)
            }
        }
    }
    let mut out = in_slot(text, &tokens, &before, &stack, current);
    let typed = text.get(replace.start..replace.end).unwrap_or("");
    out.retain(|c| c.label.starts_with(typed));
    for c in &mut out {
        c.replace = replace;
    }
    out
}

/// The blocks open at the end of `before`, outermost first.
fn blocks(text: &str, before: &[Token]) -> Vec<Block> {
    let mut stack = Vec::new();
    for (i, t) in before.iter().enumerate() {
        match t.kind {
            Kind::Open => {
                let head = before.get(..i).unwrap_or(&[]);
                let start = head
                    .iter()
                    .rposition(|t| matches!(t.kind, Kind::Open | Kind::Close))
                    .map_or(0, |p| p + 1);
                let statement = head.get(start..).unwrap_or(&[]);
                let at = statement.iter().rposition(|t| {
                    t.kind == Kind::Word && BLOCK_WORDS.contains(&lex::text(text, *t))
                });
                let block = match at.map(|p| (p, statement.get(p).map(|t| lex::text(text, *t)))) {
                    Some((_, Some("layout"))) => Block::Layout,
                    Some((_, Some("step"))) => Block::Step,
                    Some((p, Some("attestation"))) => {
                        Block::Attestation(statement.get(p + 1).map(|t| type_text(text, *t)))
                    }
                    Some((_, Some("materials" | "products"))) => Block::Rules,
                    Some((_, Some("inspection"))) => Block::Inspection,
                    Some((_, Some("summary"))) => Block::Summary,
                    Some((_, Some("identity"))) => Block::Identity,
                    _ => Block::Other,
                };
                stack.push(block);
            }
            Kind::Close => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

/// An attestation's type as written: an alias, or a string's contents.
fn type_text(text: &str, token: Token) -> String {
    let raw = lex::text(text, token);
    match token.kind {
        Kind::Str => raw
            .trim_start_matches('"')
            .trim_end_matches('"')
            .to_string(),
        _ => raw.to_string(),
    }
}

fn keyword(word: &str, detail: &str) -> Completion {
    Completion {
        label: word.to_string(),
        what: What::Keyword,
        detail: detail.to_string(),
        insert: word.to_string(),
        replace: Span::default(),
    }
}

fn keywords(words: &[&str], detail: &str) -> Vec<Completion> {
    words.iter().map(|w| keyword(w, detail)).collect()
}

/// What may stand at the cursor, judged by the tokens before it.
fn in_slot(
    text: &str,
    tokens: &[Token],
    before: &[Token],
    stack: &[Block],
    current: Option<Token>,
) -> Vec<Completion> {
    let word = |t: Option<&Token>| t.map_or("", |t| lex::text(text, *t));
    let last = before.last();
    let last_text = word(last);
    let second = word(before.len().checked_sub(2).and_then(|i| before.get(i)));
    let third = word(before.len().checked_sub(3).and_then(|i| before.get(i)));
    let block = stack.last();
    if in_by_clause(text, before) {
        return names(text, tokens, current, &[DefKind::Key, DefKind::Identity]);
    }
    match last_text {
        "from" => return names(text, tokens, current, &[DefKind::Step, DefKind::Inspection]),
        "attestation" => {
            return predicates::KNOWN
                .iter()
                .map(|p| Completion {
                    label: p.alias.to_string(),
                    what: What::Alias,
                    detail: p.uri.to_string(),
                    insert: p.alias.to_string(),
                    replace: Span::default(),
                })
                .collect()
        }
        "=" if third == "key" => return keywords(&["ed25519", "pem", "file"], "key kind"),
        "=" if third == "identity" => return keywords(&["sigstore"], "identity kind"),
        "with" => return keywords(&["materials", "products"], "side"),
        "is" => return keywords(&["empty", "not"], "test"),
        "not" => return keywords(&["empty"], "test"),
        "key" | "step" | "inspection" | "identity" | "param" | "layout" | "=" => return Vec::new(),
        "require" | "warn" if matches!(block, Some(Block::Attestation(_))) => {
            let mut out = keywords(&["all", "any", "count"], "quantifier");
            out.extend(root_paths(block));
            return out;
        }
        "all" | "any" | "count"
            if matches!(block, Some(Block::Attestation(_)))
                && matches!(second, "require" | "warn") =>
        {
            return root_paths(block)
        }
        _ => {}
    }
    if last.is_some_and(|t| t.kind == Kind::Path) {
        return keywords(&["matches", "exists", "is", "in"], "test");
    }
    match block {
        None => keywords(&["layout"], "the policy"),
        Some(Block::Layout) => keywords(
            &[
                "expires",
                "readme",
                "trust-root",
                "key",
                "identity",
                "param",
                "step",
                "inspection",
                "artifact",
                "summary",
            ],
            "layout clause",
        ),
        Some(Block::Step) => keywords(
            &["by", "command", "materials", "products", "attestation"],
            "step clause",
        ),
        Some(Block::Attestation(_)) => keywords(
            &["require", "warn", "by", "materials", "products"],
            "attestation clause",
        ),
        Some(Block::Rules) => keywords(
            &[
                "create", "delete", "modify", "allow", "disallow", "require", "match",
            ],
            "artifact rule",
        ),
        Some(Block::Inspection) => keywords(&["run", "materials", "products"], "inspection clause"),
        Some(Block::Summary) => keywords(&["verifier", "levels"], "summary clause"),
        Some(Block::Identity) => {
            let mut names = cairn_lang::lower::identity::claim_names();
            names.extend(cairn_lang::lower::identity::SHORTHANDS);
            keywords(&names, "claim")
        }
        Some(Block::Other) => Vec::new(),
    }
}

/// Where a check's path starts: `$.FIELD` for each field at the root of the
/// attestation's type.
fn root_paths(block: Option<&Block>) -> Vec<Completion> {
    let Some(Block::Attestation(Some(written))) = block else {
        return Vec::new();
    };
    let (Some(uri), Some(root)) = (fields::type_uri(written), fields::tree(written)) else {
        return Vec::new();
    };
    fields::members(root)
        .iter()
        .map(|(name, ty)| {
            let mut detail = fields::describe(*ty);
            if let Some(d) = fields::doc(uri, &[name], root) {
                detail = format!("{detail}: {d}");
            }
            Completion {
                label: (*name).to_string(),
                what: What::Field,
                detail,
                insert: format!("$.{name}"),
                replace: Span::default(),
            }
        })
        .collect()
}

/// True when the cursor follows `by`, `by K of` or a comma of a `by` list.
fn in_by_clause(text: &str, before: &[Token]) -> bool {
    let mut expect_name_or_by = true;
    for t in before.iter().rev() {
        let w = lex::text(text, *t);
        if expect_name_or_by {
            match (t.kind, w) {
                (Kind::Word, "by" | "of") => return true,
                (Kind::Punct, ",") => expect_name_or_by = false,
                _ => return false,
            }
        } else {
            match t.kind {
                Kind::Word => expect_name_or_by = true,
                _ => return false,
            }
        }
    }
    false
}

/// The declared names of the given kinds, found in the tokens (the text may
/// not parse), except the word being typed.
fn names(
    text: &str,
    tokens: &[Token],
    current: Option<Token>,
    kinds: &[DefKind],
) -> Vec<Completion> {
    let mut out: Vec<Completion> = Vec::new();
    for pair in tokens.windows(2) {
        let [decl, name] = pair else { continue };
        if decl.kind != Kind::Word || name.kind != Kind::Word || Some(*name) == current {
            continue;
        }
        let Some(kind) = kinds
            .iter()
            .copied()
            .find(|k| k.keyword() == lex::text(text, *decl))
        else {
            continue;
        };
        let label = lex::text(text, *name).to_string();
        if out.iter().any(|c| c.label == label) {
            continue;
        }
        out.push(Completion {
            insert: label.clone(),
            label,
            what: What::Name(kind),
            detail: kind.keyword().to_string(),
            replace: Span::default(),
        });
    }
    out
}

/// Inside a string: the parameters, after an unclosed `{`.
fn in_string(text: &str, token: Token, offset: usize) -> Vec<Completion> {
    let typed = text.get(token.span.start..offset).unwrap_or("");
    let Some(open) = typed.rfind('{') else {
        return Vec::new();
    };
    let partial = typed.get(open + 1..).unwrap_or("");
    if partial.contains('}') || typed.get(..open).is_some_and(|b| b.ends_with('{')) {
        return Vec::new();
    }
    let start = token.span.start + open + 1;
    let tokens = lex::tokens(text);
    let mut out = names(text, &tokens, None, &[DefKind::Param]);
    out.retain(|c| c.label.starts_with(partial));
    for c in &mut out {
        c.replace = Span::new(start, offset);
    }
    out
}

/// Inside a JSONPath: the fields the attestation's type defines there.
fn path_fields(text: &str, token: Token, offset: usize, written: &str) -> Vec<Completion> {
    let Some(uri) = fields::type_uri(written) else {
        return Vec::new();
    };
    let Some(root) = fields::tree(written) else {
        return Vec::new();
    };
    let typed = text.get(token.span.start..offset).unwrap_or("");
    let located = fields::locate(typed);
    // `$` alone: the root's fields, each with its dot.
    let (parent, partial, replace, dot) = match located.split_last() {
        None if typed == "$" => (Vec::new(), "", Span::new(offset, offset), true),
        Some((last, earlier)) => match &last.segment {
            Segment::Name(n) if last.span.end == typed.len() => (
                earlier
                    .iter()
                    .map(|l| l.segment.clone())
                    .collect::<Vec<_>>(),
                n.as_str(),
                Span::new(token.span.start + last.span.start, offset),
                false,
            ),
            _ => return Vec::new(),
        },
        None => return Vec::new(),
    };
    let Some(parent_ty) = fields::type_after(root, &parent) else {
        return Vec::new();
    };
    // A name after an array selects nothing: complete to `[*].name`.
    let (through_array, replace) = match parent_ty {
        Ty::Arr(_) if !dot && replace.start > token.span.start => {
            (true, Span::new(replace.start - 1, replace.end))
        }
        _ => (false, replace),
    };
    let names: Vec<&str> = parent
        .iter()
        .filter_map(|s| match s {
            Segment::Name(n) => Some(n.as_str()),
            Segment::Some => None,
        })
        .collect();
    fields::members(parent_ty)
        .iter()
        .filter(|(name, _)| name.starts_with(partial))
        .map(|(name, ty)| {
            let mut path = names.clone();
            path.push(name);
            let mut detail = fields::describe(*ty);
            if let Some(d) = fields::doc(uri, &path, parent_ty) {
                detail = format!("{detail}: {d}");
            }
            let insert = if through_array {
                format!("[*].{name}")
            } else if dot {
                format!(".{name}")
            } else {
                (*name).to_string()
            };
            Completion {
                label: (*name).to_string(),
                what: What::Field,
                detail,
                insert,
                replace,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let offset = text.find('|').unwrap();
        let text = text.replacen('|', "", 1);
        complete(&text, offset)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn fields_of_the_attestation_type() {
        let l = labels("layout \"x\" { step s { attestation slsa-provenance/v1 {\n require $.runDetails.|\n} } }");
        assert_eq!(l, vec!["builder", "metadata", "byproducts"]);
        let l = labels("layout \"x\" { step s { attestation slsa-provenance/v1 {\n require $.runDetails.b|\n} } }");
        assert_eq!(l, vec!["builder", "byproducts"]);
        let l = labels("layout \"x\" { step s { attestation \"https://slsa.dev/provenance/v1\" { require $| } } }");
        assert_eq!(l, vec!["buildDefinition", "runDetails"]);
        let text = "layout \"x\" { step s { attestation slsa-provenance/v1 { require $.buildDefinition.resolvedDependencies.u";
        let c = complete(text, text.len());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].insert, "[*].uri");
        assert_eq!(&text[c[0].replace.start..], ".u");
        let l = labels("layout \"x\" { step s { attestation test-result/v0.1 { require any |");
        assert_eq!(
            l,
            vec![
                "result",
                "configuration",
                "url",
                "passedTests",
                "warnedTests",
                "failedTests"
            ]
        );
        let l = labels("layout \"x\" { step s { attestation vsa/v1 { warn |");
        assert!(
            l.contains(&"count".to_string()) && l.contains(&"verificationResult".to_string()),
            "{l:?}"
        );
    }

    #[test]
    fn names_and_keywords() {
        let base = "layout \"x\" {\n key alice = ed25519 \"00\"\n identity rel = sigstore { }\n param p\n step a { by alice }\n step b {\n";
        assert_eq!(labels(&format!("{base} by alice, |")), vec!["alice", "rel"]);
        assert_eq!(labels(&format!("{base} by 2 of |")), vec!["alice", "rel"]);
        assert_eq!(
            labels(&format!(
                "{base} materials {{ match \"x\" with products from | }}"
            )),
            vec!["a", "b"]
        );
        assert_eq!(labels(&format!("{base} att|")), vec!["attestation"]);
        assert!(labels(&format!("{base} attestation slsa|"))
            .contains(&"slsa-provenance/v1".to_string()));
        assert_eq!(labels(&format!("{base} command \"{{|")), vec!["p"]);
        assert_eq!(labels("layout \"x\" { key k = e|"), vec!["ed25519"]);
        assert_eq!(labels("|"), vec!["layout"]);
        assert_eq!(
            labels("layout \"x\" { step s { products {|"),
            vec!["create", "delete", "modify", "allow", "disallow", "require", "match"]
        );
        assert_eq!(
            labels("layout \"x\" { key k = ed25519 \"00\" step s { by k,|"),
            vec!["k"]
        );
        assert!(labels("layout \"x\" { # com|").is_empty());
    }
}
