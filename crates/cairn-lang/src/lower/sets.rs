//! Lowering what imports give: the signers a layout uses as `NAME.key`, and
//! check sets (`checks NAME for TYPE { ... }` in a library, `checks NAME`
//! where they are used).

use super::error::LowerError;
use super::library::{CheckSet, CrossFileError, Note};
use super::Lowerer;
use crate::ir;
use crate::syntax::ast;
use cairn_base::source::Span;
use cairn_base::suggest;
use cairn_evidence::predicates;

impl Lowerer<'_> {
    /// Adds to `keys` and `identities` every imported signer the layout's
    /// `by` clauses name (`slsa.builder`), in order of first use; each is
    /// named as used and placed at its `import` line.
    pub(super) fn imported_signers(
        &mut self,
        l: &ast::Layout,
        keys: &mut Vec<ir::Key>,
        identities: &mut Vec<ir::Identity>,
    ) {
        let mut uses: Vec<&ast::Ident> = Vec::new();
        for item in &l.items {
            let ast::Item::Step(s) = item else { continue };
            for si in &s.items {
                match si {
                    ast::StepItem::By(b) => uses.extend(&b.names),
                    ast::StepItem::Attestation(a) => {
                        for ai in &a.items {
                            if let ast::AttestationItem::By(b) = ai {
                                uses.extend(&b.names);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for n in uses {
            let Some((alias, name)) = n.name.split_once('.') else {
                continue;
            };
            if self.keys.contains_key(&n.name) || self.failed_keys.contains(&n.name) {
                continue;
            }
            let Some(import) = self.imports.get(alias).cloned() else {
                continue;
            };
            let Some(lib) = import.lib else {
                // The import failed and said so; its uses stay quiet.
                self.failed_keys.insert(n.name.clone());
                continue;
            };
            if let Some(k) = lib.keys.get(name) {
                if let Some((first_name, _)) = self.material.get(&k.material) {
                    self.cross.push(CrossFileError::SameKey {
                        name: n.name.clone(),
                        first_name: first_name.clone(),
                        span: n.loc.span(),
                        note: vec![Note {
                            message: format!("`{}` declares `{name}`", lib.source.name()),
                            file: lib.source.clone(),
                            span: k.key.span,
                            label: "declared here".to_string(),
                        }],
                    });
                    self.failed_keys.insert(n.name.clone());
                    continue;
                }
                self.material
                    .insert(k.material.clone(), (n.name.clone(), n.loc.span()));
                let id = ir::KeyId(u32::try_from(keys.len()).unwrap_or(u32::MAX));
                self.keys.insert(n.name.clone(), id);
                keys.push(ir::Key {
                    name: n.name.clone(),
                    span: import.span,
                    ..k.key.clone()
                });
            } else if let Some(i) = lib.identities.get(name) {
                let mut i = i.clone();
                i.name = n.name.clone();
                i.span = import.span;
                for c in &mut i.constraints {
                    c.span = import.span;
                }
                identities.push(i);
            }
        }
    }

    /// The help of an unknown `NAME.key`.
    pub(super) fn imported_name_help(&self, qualified: &str, what: &str) -> Option<String> {
        let (alias, name) = qualified.split_once('.')?;
        let Some(import) = self.imports.get(alias) else {
            let aliases: Vec<&str> = self.imports.keys().map(String::as_str).collect();
            return Some(match suggest::closest(alias, aliases.iter().copied()) {
                Some(c) => format!("this file imports nothing named `{alias}`; did you mean `{c}`?"),
                None => format!("this file imports nothing named `{alias}`: add `import \"PATH\" as {alias}` before the block"),
            });
        };
        let lib = import.lib.as_ref()?;
        let names: Vec<&str> = if what == "check set" {
            lib.sets.keys().map(String::as_str).collect()
        } else {
            lib.keys
                .keys()
                .chain(lib.identities.keys())
                .map(String::as_str)
                .collect()
        };
        Some(format!(
            "`{alias}` ({}): {}",
            lib.source.name(),
            suggest::help(name, what, &names)
        ))
    }

    /// The checks of the set a `checks NAME` names, if it exists, lowered
    /// and is for `predicate_type` (`shown` as written); reports why not.
    pub(super) fn use_set(
        &mut self,
        u: &ast::UseDecl,
        predicate_type: &str,
        shown: &str,
    ) -> Option<Vec<ir::Check>> {
        let name = &u.name.name;
        let set = if let Some((alias, set_name)) = name.split_once('.') {
            match self.imports.get(alias) {
                Some(import) => match &import.lib {
                    None => return None,
                    Some(lib) if lib.failed_sets.contains(set_name) => return None,
                    Some(lib) => lib.sets.get(set_name).cloned(),
                },
                None => None,
            }
        } else if self.set_decls.contains_key(name) {
            // A set that did not lower has said why.
            return self.local_set(name, Some(u.loc.span()));
        } else {
            None
        };
        let Some(set) = set else {
            let help = self
                .imported_name_help(name, "check set")
                .unwrap_or_else(|| {
                    let local: Vec<&str> = self.set_decls.keys().map(String::as_str).collect();
                    if local.is_empty() {
                        "a layout uses the check sets of the libraries it imports: `checks IMPORT.NAME`".to_string()
                    } else {
                        suggest::help(name, "check set", &local)
                    }
                });
            // The import of an unloadable library said so already.
            if name
                .split_once('.')
                .and_then(|(a, _)| self.imports.get(a))
                .is_some_and(|i| i.lib.is_none())
            {
                return None;
            }
            self.error(LowerError::UnknownSet {
                name: name.clone(),
                span: u.name.loc.span(),
                help,
            });
            return None;
        };
        if set.predicate_type != predicate_type {
            self.error(LowerError::SetType {
                name: name.clone(),
                set_type: set.shown.clone(),
                used_type: shown.to_string(),
                span: u.name.loc.span(),
            });
            return None;
        }
        Some(set.checks)
    }

    /// Lowers the library's set `name` once (`at`: the `checks` line that
    /// uses it, if any); a set that includes itself is an error.
    pub(super) fn local_set(&mut self, name: &str, at: Option<Span>) -> Option<Vec<ir::Check>> {
        if let Some(done) = self.sets.get(name) {
            return done.as_ref().map(|s| s.checks.clone());
        }
        let decl = self.set_decls.get(name)?.clone();
        if let Some(k) = self.set_stack.iter().position(|n| n == name) {
            let mut chain: Vec<&str> = self
                .set_stack
                .get(k..)
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .collect();
            chain.push(name);
            let cycle = chain.join(" -> ");
            self.error(LowerError::SetCycle {
                name: name.to_string(),
                cycle,
                span: at.unwrap_or(decl.header.span()),
                first: decl.name.loc.span(),
            });
            return None;
        }
        self.set_stack.push(name.to_string());
        let set = self.lower_set(&decl);
        self.set_stack.pop();
        // A cycle through this set was reported while it was being lowered.
        if let Some(done) = self.sets.get(name) {
            return done.as_ref().map(|s| s.checks.clone());
        }
        self.sets.insert(name.to_string(), set.clone());
        set.map(|s| s.checks)
    }

    fn lower_set(&mut self, decl: &ast::CheckSetDecl) -> Option<CheckSet> {
        let before = self.errors.len();
        let (predicate_type, shown) = self.predicate_type(&decl.predicate_type)?;
        let mut checks = Vec::new();
        for item in &decl.items {
            match item {
                ast::SetItem::Check(c) => checks.extend(self.check(c)),
                ast::SetItem::Use(u) => {
                    if let Some(more) = self.use_set(u, &predicate_type, &shown) {
                        checks.extend(more);
                    }
                }
            }
        }
        (self.errors.len() == before).then_some(CheckSet {
            predicate_type,
            shown,
            checks,
        })
    }

    /// A predicate type as its URI and as written; reports a bad one.
    pub(super) fn predicate_type(&mut self, t: &ast::TypeRef) -> Option<(String, String)> {
        match t {
            ast::TypeRef::Alias(t) => match predicates::by_alias(&t.text) {
                Some(p) => Some((p.uri.to_string(), t.text.clone())),
                None => {
                    let aliases: Vec<&str> = predicates::KNOWN.iter().map(|p| p.alias).collect();
                    self.error(LowerError::UnknownAlias {
                        alias: t.text.clone(),
                        span: t.loc.span(),
                        help: suggest::help(&t.text, "alias", &aliases),
                    });
                    None
                }
            },
            ast::TypeRef::Uri(s) => {
                if !super::steps::is_type_uri(&s.value) {
                    self.error(LowerError::BadTypeUri {
                        uri: s.value.clone(),
                        span: s.loc.span(),
                    });
                    return None;
                }
                Some((s.value.clone(), s.value.clone()))
            }
        }
    }
}
