//! Document symbols: the layout, its keys, identities, parameters, steps
//! (with their attestations), inspections and summary, as a tree.

#![allow(deprecated)] // `DocumentSymbol::deprecated` must be written to build one.

use lsp_types::{DocumentSymbol, SymbolKind};

use cairn_base::source::Span;
use cairn_lang::syntax::ast;

use crate::lines::Lines;

fn symbol(
    lines: &Lines<'_>,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    whole: Span,
    selection: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(whole),
        selection_range: lines.range(selection),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The symbol tree of a parsed policy.
pub fn outline(lines: &Lines<'_>, parsed: &ast::Parsed) -> Vec<DocumentSymbol> {
    let layout = &parsed.layout;
    let mut children = Vec::new();
    for item in &layout.items {
        let s = match item {
            ast::Item::Key(k) => symbol(
                lines,
                k.name.name.clone(),
                Some(format!("key = {}", k.kind.name)),
                SymbolKind::KEY,
                k.loc.span(),
                k.name.loc.span(),
                Vec::new(),
            ),
            ast::Item::Identity(i) => symbol(
                lines,
                i.name.name.clone(),
                Some(format!("identity = {}", i.kind.name)),
                SymbolKind::OBJECT,
                i.loc.span(),
                i.name.loc.span(),
                Vec::new(),
            ),
            ast::Item::Param(p) => symbol(
                lines,
                p.name.name.clone(),
                Some("param".into()),
                SymbolKind::VARIABLE,
                p.loc.span(),
                p.name.loc.span(),
                Vec::new(),
            ),
            ast::Item::Step(s) => {
                let atts = s
                    .items
                    .iter()
                    .filter_map(|si| match si {
                        ast::StepItem::Attestation(a) => {
                            let (name, span) = match &a.predicate_type {
                                ast::TypeRef::Alias(t) => (t.text.clone(), t.loc.span()),
                                ast::TypeRef::Uri(u) => (u.value.clone(), u.loc.span()),
                            };
                            Some(symbol(
                                lines,
                                name,
                                Some("attestation".into()),
                                SymbolKind::STRUCT,
                                a.loc.span(),
                                span,
                                Vec::new(),
                            ))
                        }
                        _ => None,
                    })
                    .collect();
                symbol(
                    lines,
                    s.name.name.clone(),
                    Some("step".into()),
                    SymbolKind::FUNCTION,
                    s.loc.span(),
                    s.name.loc.span(),
                    atts,
                )
            }
            ast::Item::Inspection(i) => symbol(
                lines,
                i.name.name.clone(),
                Some("inspection".into()),
                SymbolKind::METHOD,
                i.loc.span(),
                i.name.loc.span(),
                Vec::new(),
            ),
            ast::Item::Summary(s) => symbol(
                lines,
                "summary".into(),
                None,
                SymbolKind::NAMESPACE,
                s.loc.span(),
                s.loc.span(),
                Vec::new(),
            ),
            ast::Item::Artifact(a) => symbol(
                lines,
                format!("artifact from {}", a.value.name),
                None,
                SymbolKind::FIELD,
                a.loc.span(),
                a.value.loc.span(),
                Vec::new(),
            ),
            _ => continue,
        };
        children.push(s);
    }
    vec![symbol(
        lines,
        layout.name.value.clone(),
        Some("layout".into()),
        SymbolKind::MODULE,
        layout.loc.span(),
        layout.name.loc.span(),
        children,
    )]
}
