//! The names of a policy: where each step, inspection, key, identity and
//! parameter is declared and every place that names it.
//!
//! Built from the syntax tree of one file. A name is a [`Symbol`] (its
//! namespace and text); navigation looks symbols up with
//! [`Index::definition`] and [`Index::references`], so names declared in
//! other files can later be served by looking in their indexes too.

use cairn_base::source::Span;
use cairn_lang::syntax::ast;

/// The namespaces of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    /// Steps and inspections (one namespace in the language).
    Target,
    /// Keys and identities (both sign; `by` names either).
    Signer,
    /// Parameters (`{name}` in strings).
    Param,
}

/// What a declaration declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    /// `step NAME`.
    Step,
    /// `inspection NAME`.
    Inspection,
    /// `key NAME = ...`.
    Key,
    /// `identity NAME = ...`.
    Identity,
    /// `param NAME`.
    Param,
}

impl DefKind {
    /// The namespace names of this kind live in.
    pub fn namespace(self) -> Namespace {
        match self {
            DefKind::Step | DefKind::Inspection => Namespace::Target,
            DefKind::Key | DefKind::Identity => Namespace::Signer,
            DefKind::Param => Namespace::Param,
        }
    }

    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            DefKind::Step => "step",
            DefKind::Inspection => "inspection",
            DefKind::Key => "key",
            DefKind::Identity => "identity",
            DefKind::Param => "param",
        }
    }
}

/// A name in its namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Symbol {
    /// Where the name lives.
    pub namespace: Namespace,
    /// The name.
    pub name: String,
}

/// A declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    /// What it declares.
    pub kind: DefKind,
    /// The name.
    pub name: String,
    /// The name where it is declared.
    pub span: Span,
    /// The whole declaration.
    pub whole: Span,
}

impl Def {
    /// The symbol it declares.
    pub fn symbol(&self) -> Symbol {
        Symbol {
            namespace: self.kind.namespace(),
            name: self.name.clone(),
        }
    }
}

/// A use of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The name used.
    pub symbol: Symbol,
    /// The name where it is used (inside a string: the name between the braces).
    pub span: Span,
}

/// Declarations and uses of one file.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Every declaration, in source order.
    pub defs: Vec<Def>,
    /// Every use, in source order.
    pub refs: Vec<Ref>,
}

impl Index {
    /// The index of a parsed policy; `text` is its source.
    pub fn new(text: &str, parsed: &ast::Parsed) -> Index {
        let mut index = Index::default();
        for item in &parsed.layout.items {
            index.item(item);
        }
        index.strings(text);
        index.refs.sort_by_key(|r| r.span.start);
        index
    }

    fn def(&mut self, kind: DefKind, name: &ast::Ident, whole: ast::Loc) {
        self.defs.push(Def {
            kind,
            name: name.name.clone(),
            span: name.loc.span(),
            whole: whole.span(),
        });
    }

    fn reference(&mut self, namespace: Namespace, name: &ast::Ident) {
        self.refs.push(Ref {
            symbol: Symbol {
                namespace,
                name: name.name.clone(),
            },
            span: name.loc.span(),
        });
    }

    fn item(&mut self, item: &ast::Item) {
        match item {
            ast::Item::Key(k) => self.def(DefKind::Key, &k.name, k.loc),
            ast::Item::Identity(i) => self.def(DefKind::Identity, &i.name, i.loc),
            ast::Item::Param(p) => self.def(DefKind::Param, &p.name, p.loc),
            ast::Item::Step(s) => {
                self.def(DefKind::Step, &s.name, s.loc);
                for si in &s.items {
                    match si {
                        ast::StepItem::By(by) => self.by(by),
                        ast::StepItem::Rules(block) => self.rules(block),
                        ast::StepItem::Attestation(a) => {
                            for ai in &a.items {
                                match ai {
                                    ast::AttestationItem::By(by) => self.by(by),
                                    ast::AttestationItem::Rules(block) => self.rules(block),
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            ast::Item::Inspection(i) => {
                self.def(DefKind::Inspection, &i.name, i.loc);
                for ii in &i.items {
                    if let ast::InspectionItem::Rules(block) = ii {
                        self.rules(block);
                    }
                }
            }
            ast::Item::Artifact(a) => self.reference(Namespace::Target, &a.value),
            // Clauses that declare and name nothing (and any added later).
            _ => {}
        }
    }

    fn by(&mut self, by: &ast::By) {
        for name in &by.names {
            self.reference(Namespace::Signer, name);
        }
    }

    fn rules(&mut self, block: &ast::RuleBlock) {
        for rule in &block.rules {
            if let Some(with) = &rule.with {
                self.reference(Namespace::Target, &with.from);
            }
        }
    }

    /// `{name}` placeholders in every string literal of the source.
    fn strings(&mut self, text: &str) {
        for token in crate::lex::tokens(text) {
            if token.kind != crate::lex::Kind::Str {
                continue;
            }
            let raw = crate::lex::text(text, token);
            for (offset, name) in placeholders(raw) {
                let start = token.span.start + offset;
                self.refs.push(Ref {
                    symbol: Symbol {
                        namespace: Namespace::Param,
                        name: name.to_string(),
                    },
                    span: Span::new(start, start + name.len()),
                });
            }
        }
    }

    /// The declaration of a symbol.
    pub fn definition(&self, symbol: &Symbol) -> Option<&Def> {
        self.defs.iter().find(|d| d.symbol() == *symbol)
    }

    /// Every use of a symbol.
    pub fn references<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Ref> + 'a {
        self.refs.iter().filter(move |r| r.symbol == *symbol)
    }

    /// The symbol whose name (declared or used) covers `offset`.
    pub fn symbol_at(&self, offset: usize) -> Option<(Symbol, Span)> {
        let covers = |s: Span| s.start <= offset && offset <= s.end;
        if let Some(d) = self.defs.iter().find(|d| covers(d.span)) {
            return Some((d.symbol(), d.span));
        }
        self.refs
            .iter()
            .find(|r| covers(r.span))
            .map(|r| (r.symbol.clone(), r.span))
    }

    /// The declarations of a namespace.
    pub fn in_namespace(&self, namespace: Namespace) -> impl Iterator<Item = &Def> {
        self.defs
            .iter()
            .filter(move |d| d.kind.namespace() == namespace)
    }
}

/// The `{name}` placeholders of a string literal as written (`{{` and `}}`
/// are literal braces), with their byte offsets in it.
pub fn placeholders(raw: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = raw.get(i..).and_then(|r| r.find(['{', '}'])) {
        let at = i + pos;
        let tail = raw.get(at..).unwrap_or("");
        if tail.starts_with("{{") || tail.starts_with("}}") {
            i = at + 2;
        } else if tail.starts_with('{') {
            let Some(end) = tail.find('}') else { break };
            let name = tail.get(1..end).unwrap_or("");
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                out.push((at + 1, name));
            }
            i = at + end + 1;
        } else {
            i = at + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_braces() {
        assert_eq!(
            placeholders("\"a{x}{{y}}{z-1}\""),
            vec![(3, "x"), (11, "z-1")]
        );
    }

    #[test]
    fn defs_and_refs() {
        let text = "layout \"x\" {\n key k = ed25519 \"00\"\n param p\n step a { by k command \"{p}\" }\n step b { by k materials { match \"*\" with products from a } }\n artifact from b\n}\n";
        let parsed = cairn_lang::syntax::parse(text).unwrap();
        let index = Index::new(text, &parsed);
        let at = |s: &str| text.find(s).unwrap();
        let (symbol, _) = index.symbol_at(at("from a") + 5).unwrap();
        assert_eq!(symbol.name, "a");
        let def = index.definition(&symbol).unwrap();
        assert_eq!(def.span.start, at("a {"));
        let (param, span) = index.symbol_at(at("{p}") + 1).unwrap();
        assert_eq!(param.namespace, Namespace::Param);
        assert_eq!(span.start, at("{p}") + 1);
        let key = Symbol {
            namespace: Namespace::Signer,
            name: "k".into(),
        };
        assert_eq!(index.references(&key).count(), 2);
    }
}
