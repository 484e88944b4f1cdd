//! Lowering steps, expected attestations and inspections: functionaries and
//! thresholds, commands, rule blocks, predicate types, and the decisions
//! that keep a step from checking nothing (a `by` is required; link rules
//! need a step that expects a link).

use std::collections::{BTreeMap, BTreeSet};

use super::error::LowerError;
use super::{Lowerer, Once};
use crate::ir;
use crate::syntax::ast;
use cairn_base::source::Span;
use cairn_base::suggest;
use cairn_evidence::predicates;

/// True for an absolute URI, as a predicate type must be.
pub(super) fn is_type_uri(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl Lowerer<'_> {
    pub(super) fn functionaries(&mut self, b: &ast::By) -> Option<ir::Functionaries> {
        let before = self.errors.len();
        let mut ids = Vec::new();
        let mut seen = BTreeSet::new();
        for n in &b.names {
            if !seen.insert(n.name.as_str()) {
                self.error(LowerError::DuplicateFunctionary {
                    name: n.name.clone(),
                    span: n.loc.span(),
                });
                continue;
            }
            match self.keys.get(&n.name) {
                Some(id) => ids.push(*id),
                None if self.failed_keys.contains(&n.name) => {}
                None => {
                    let names: Vec<&str> = self
                        .keys
                        .keys()
                        .map(String::as_str)
                        .chain(self.failed_keys.iter().map(String::as_str))
                        .collect();
                    let help = self
                        .imported_name_help(&n.name, "key or identity")
                        .unwrap_or_else(|| suggest::help(&n.name, "key", &names));
                    self.error(LowerError::UnknownKey {
                        name: n.name.clone(),
                        span: n.loc.span(),
                        help,
                    });
                }
            }
        }
        let threshold = match &b.threshold {
            None => 1,
            Some(t) => match t.text.parse::<u64>() {
                Ok(k) if k >= 1 && k <= b.names.len() as u64 => {
                    u32::try_from(k).unwrap_or(u32::MAX)
                }
                Ok(k) => {
                    self.error(LowerError::ThresholdRange {
                        threshold: k,
                        count: b.names.len(),
                        span: t.loc.span(),
                    });
                    return None;
                }
                Err(e) => {
                    self.error(LowerError::BadNumber {
                        text: t.text.clone(),
                        reason: e.to_string(),
                        span: t.loc.span(),
                    });
                    return None;
                }
            },
        };
        (self.errors.len() == before && ids.len() == b.names.len()).then(|| ir::Functionaries {
            keys: ids,
            threshold,
            span: b.loc.span(),
        })
    }

    fn command(&mut self, c: &ast::Clause<Vec<ast::Str>>) -> ir::Command {
        for arg in &c.value {
            self.template(arg);
        }
        ir::Command {
            argv: c.value.iter().map(|s| s.value.clone()).collect(),
            span: c.loc.span(),
        }
    }

    pub(super) fn step(&mut self, s: &ast::StepDecl) -> Option<ir::Step> {
        let before = self.errors.len();
        let mut once = Once::new();
        let mut by = None;
        let mut has_by = false;
        let mut command = None;
        let (mut materials, mut products) = (None, None);
        let mut link_rules = Vec::new();
        let mut attestations: Vec<ir::ExpectedAttestation> = Vec::new();
        let mut types: BTreeMap<String, Span> = BTreeMap::new();
        for item in &s.items {
            match item {
                ast::StepItem::By(b) => {
                    has_by = true;
                    if !once.seen(self, "by", b.loc.span()) {
                        by = self.functionaries(b);
                    }
                }
                ast::StepItem::Command(c) => {
                    if !once.seen(self, "command", c.loc.span()) {
                        command = Some(self.command(c));
                    }
                }
                ast::StepItem::Rules(r) => {
                    link_rules.push(r.loc.span());
                    let (what, slot) = match r.side {
                        ast::BlockSide::Materials => ("materials", &mut materials),
                        ast::BlockSide::Products => ("products", &mut products),
                    };
                    if !once.seen(self, what, r.loc.span()) {
                        *slot = self.rule_list(r);
                    }
                }
                ast::StepItem::Attestation(a) => {
                    if let Some(att) = self.attestation(a) {
                        if let Some(first) = types.get(&att.predicate_type) {
                            self.error(LowerError::DuplicateClause {
                                what: format!("attestation {}", att.predicate_type),
                                span: a.header.span(),
                                first: *first,
                            });
                        } else {
                            types.insert(att.predicate_type.clone(), a.header.span());
                            attestations.push(att);
                        }
                    }
                }
            }
        }
        if !has_by {
            self.error(LowerError::NoFunctionaries {
                step: s.name.name.clone(),
                span: s.header.span(),
            });
        }
        let expects_link = attestations.is_empty()
            || attestations
                .iter()
                .any(|a| a.predicate_type == predicates::LINK_V03);
        let written = s
            .items
            .iter()
            .filter(|i| matches!(i, ast::StepItem::Attestation(_)))
            .count();
        // Only judge when every attestation block lowered, so that a
        // misspelt link alias does not also report its step's rules.
        if !expects_link && attestations.len() == written {
            for span in link_rules {
                self.error(LowerError::RulesWithoutLink {
                    step: s.name.name.clone(),
                    span,
                });
            }
        }
        if self.errors.len() != before {
            return None;
        }
        Some(ir::Step {
            name: s.name.name.clone(),
            span: s.header.span(),
            by: by?,
            command,
            materials,
            products,
            attestations,
            expects_link,
        })
    }

    fn attestation(&mut self, a: &ast::AttestationDecl) -> Option<ir::ExpectedAttestation> {
        let before = self.errors.len();
        let (predicate_type, alias) = match &a.predicate_type {
            ast::TypeRef::Alias(t) => match predicates::by_alias(&t.text) {
                Some(p) => (p.uri.to_string(), Some(t.text.clone())),
                None => {
                    let aliases: Vec<&str> = predicates::KNOWN.iter().map(|p| p.alias).collect();
                    self.error(LowerError::UnknownAlias {
                        alias: t.text.clone(),
                        span: t.loc.span(),
                        help: suggest::help(&t.text, "alias", &aliases),
                    });
                    (String::new(), None)
                }
            },
            ast::TypeRef::Uri(s) => {
                if !is_type_uri(&s.value) {
                    self.error(LowerError::BadTypeUri {
                        uri: s.value.clone(),
                        span: s.loc.span(),
                    });
                }
                (s.value.clone(), None)
            }
        };
        let mut once = Once::new();
        let mut by = None;
        let (mut materials, mut products) = (None, None);
        let mut checks = Vec::new();
        for item in &a.items {
            match item {
                ast::AttestationItem::By(b) => {
                    if !once.seen(self, "by", b.loc.span()) {
                        by = self.functionaries(b);
                    }
                }
                ast::AttestationItem::Rules(r) => {
                    let (what, slot) = match r.side {
                        ast::BlockSide::Materials => ("materials", &mut materials),
                        ast::BlockSide::Products => ("products", &mut products),
                    };
                    if !once.seen(self, what, r.loc.span()) {
                        *slot = self.rule_list(r);
                    }
                }
                ast::AttestationItem::Check(c) => {
                    if let Some(check) = self.check(c) {
                        checks.push(check);
                    }
                }
                ast::AttestationItem::Use(u) => {
                    if predicate_type.is_empty() {
                        continue;
                    }
                    let shown = alias.clone().unwrap_or_else(|| predicate_type.clone());
                    if let Some(more) = self.use_set(u, &predicate_type, &shown) {
                        // The checks stand where the set is used: the IR's
                        // spans point into this file only.
                        checks.extend(more.into_iter().map(|c| ir::Check {
                            span: u.loc.span(),
                            ..c
                        }));
                    }
                }
            }
        }
        (self.errors.len() == before).then(|| ir::ExpectedAttestation {
            predicate_type,
            alias,
            span: a.header.span(),
            by,
            materials,
            products,
            checks,
        })
    }

    pub(super) fn inspection(&mut self, i: &ast::InspectionDecl) -> Option<ir::Inspection> {
        let before = self.errors.len();
        let mut once = Once::new();
        let mut run = None;
        let (mut materials, mut products) = (None, None);
        for item in &i.items {
            match item {
                ast::InspectionItem::Run(r) => {
                    if !once.seen(self, "run", r.loc.span()) {
                        run = Some(self.command(r));
                    }
                }
                ast::InspectionItem::Rules(r) => {
                    let (what, slot) = match r.side {
                        ast::BlockSide::Materials => ("materials", &mut materials),
                        ast::BlockSide::Products => ("products", &mut products),
                    };
                    if !once.seen(self, what, r.loc.span()) {
                        *slot = self.rule_list(r);
                    }
                }
            }
        }
        if run.is_none() {
            self.error(LowerError::NoRun {
                name: i.name.name.clone(),
                span: i.header.span(),
            });
        }
        if self.errors.len() != before {
            return None;
        }
        Some(ir::Inspection {
            name: i.name.name.clone(),
            span: i.header.span(),
            run: run?,
            materials,
            products,
        })
    }
}
