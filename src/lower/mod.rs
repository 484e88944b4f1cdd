//! Lowering: the spanned AST to the resolved [`ir::Layout`].
//!
//! Resolves every name (steps, inspections, keys, parameters, predicate type
//! aliases), validates every value (timestamps, key material, patterns,
//! JSONPaths, regexes, thresholds, placeholders) and collects every error in
//! one pass, each with a stable code, a labelled span and a help line.
//! Reading `file "..."` keys, relative to the policy's folder, is the only
//! I/O here. Decisions recorded in `docs/language.md`: every step needs a
//! `by`; a layout needs at least one step.

pub mod error;
mod input;
mod keys;
mod rules;
pub mod suggest;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use error::LowerError;
pub use input::{read_policy, ReadError};

use crate::ir;
use crate::predicates;
use crate::source::{SourceFile, Span};
use crate::syntax::{self, ast};

/// The most errors kept (and rendered) for one policy; the rest are counted.
pub const MAX_ERRORS: usize = 200;

/// Lowers a parsed policy; `base_dir` is the folder `file "..."` keys are relative to.
pub fn lower(parsed: &ast::Parsed, base_dir: &Path) -> Result<ir::Layout, Vec<LowerError>> {
    let mut l = Lowerer {
        base_dir,
        errors: Vec::new(),
        params: BTreeMap::new(),
        keys: BTreeMap::new(),
        targets: BTreeMap::new(),
    };
    let layout = l.layout(&parsed.layout);
    if l.errors.is_empty() {
        Ok(layout)
    } else {
        Err(l.errors)
    }
}

/// Why a policy did not compile: diagnostics ready to render with
/// [`crate::diag::render`], each carrying the policy's source text.
#[derive(Debug)]
pub struct CompileErrors {
    /// One report per error, in order of discovery; at most [`MAX_ERRORS`].
    pub reports: Vec<miette::Report>,
    /// How many further errors were found but not kept.
    pub omitted: usize,
}

impl CompileErrors {
    /// The stable codes of the errors, in order (`E100`, `E200`, ...).
    pub fn codes(&self) -> Vec<String> {
        self.reports
            .iter()
            .map(|r| r.code().map(|c| c.to_string()).unwrap_or_default())
            .collect()
    }
}

/// Parses and lowers a policy text. `name` is the file name shown in
/// diagnostics; `base_dir` is the folder `file "..."` keys are relative to.
pub fn compile_source(
    name: &str,
    text: &str,
    base_dir: &Path,
) -> Result<ir::Layout, CompileErrors> {
    let source = miette::NamedSource::new(name, Arc::<str>::from(text));
    let attach = |e: miette::Report| e.with_source_code(source.clone());
    let parsed = syntax::parse(text).map_err(|e| CompileErrors {
        reports: vec![attach(miette::Report::new(e))],
        omitted: 0,
    })?;
    lower(&parsed, base_dir).map_err(|errors| CompileErrors {
        omitted: errors.len().saturating_sub(MAX_ERRORS),
        reports: errors
            .into_iter()
            .take(MAX_ERRORS)
            .map(|e| attach(miette::Report::new(e)))
            .collect(),
    })
}

/// Why a policy file could not be compiled.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be read (exit code 2).
    Io(ReadError),
    /// The policy has errors (exit code 1).
    Policy(SourceFile, CompileErrors),
}

/// Reads, parses and lowers a policy file; `file "..."` keys are relative to its folder.
pub fn compile_file(path: &Path) -> Result<(SourceFile, ir::Layout), FileError> {
    let file = read_policy(path).map_err(FileError::Io)?;
    let base = path.parent().unwrap_or(Path::new("."));
    match compile_source(&file.name, &file.text, base) {
        Ok(layout) => Ok((file, layout)),
        Err(e) => Err(FileError::Policy(file, e)),
    }
}

/// A stable, indented text view of the IR (`cairn dump ir`).
pub fn dump(layout: &ir::Layout) -> String {
    format!("{layout:#?}\n")
}

/// The state of one lowering pass.
pub(crate) struct Lowerer<'a> {
    base_dir: &'a Path,
    errors: Vec<LowerError>,
    params: BTreeMap<String, Span>,
    keys: BTreeMap<String, ir::KeyId>,
    targets: BTreeMap<String, ir::Target>,
}

/// Remembers the first occurrence of a once-only clause and reports the second.
struct Once(BTreeMap<String, Span>);

impl Once {
    fn new() -> Self {
        Once(BTreeMap::new())
    }

    fn seen(&mut self, l: &mut Lowerer<'_>, what: &str, span: Span) -> bool {
        if let Some(first) = self.0.get(what) {
            l.error(LowerError::DuplicateClause {
                what: what.to_string(),
                span,
                first: *first,
            });
            true
        } else {
            self.0.insert(what.to_string(), span);
            false
        }
    }
}

impl Lowerer<'_> {
    fn error(&mut self, e: LowerError) {
        self.errors.push(e);
    }

    /// Registers a name; reports a duplicate.
    fn declare(
        &mut self,
        seen: &mut BTreeMap<String, Span>,
        what: &'static str,
        name: &ast::Ident,
    ) -> bool {
        if let Some(first) = seen.get(&name.name) {
            self.error(LowerError::DuplicateName {
                what,
                name: name.name.clone(),
                span: name.loc.span(),
                first: *first,
            });
            false
        } else {
            seen.insert(name.name.clone(), name.loc.span());
            true
        }
    }

    fn layout(&mut self, l: &ast::Layout) -> ir::Layout {
        // Declarations first, so that uses may come before them.
        let mut params = Vec::new();
        let mut keys = Vec::new();
        let mut key_names = BTreeMap::new();
        let mut identities: BTreeMap<Vec<u8>, (String, Span)> = BTreeMap::new();
        let mut target_names = BTreeMap::new();
        let (mut n_steps, mut n_inspections) = (0u32, 0u32);
        for item in &l.items {
            match item {
                ast::Item::Param(p) => {
                    let mut seen = std::mem::take(&mut self.params);
                    if self.declare(&mut seen, "parameter", &p.name) {
                        params.push(ir::Param {
                            name: p.name.name.clone(),
                            default: p.default.as_ref().map(|d| d.value.clone()),
                            span: p.loc.span(),
                        });
                    }
                    self.params = seen;
                }
                ast::Item::Key(k) => {
                    if !self.declare(&mut key_names, "key", &k.name) {
                        continue;
                    }
                    match keys::lower_key(k, self.base_dir) {
                        Ok(lowered) => {
                            if let Some((first_name, first)) = identities.get(&lowered.identity) {
                                self.error(LowerError::DuplicateKeyMaterial {
                                    name: k.name.name.clone(),
                                    first_name: first_name.clone(),
                                    span: k.loc.span(),
                                    first: *first,
                                });
                                continue;
                            }
                            identities
                                .insert(lowered.identity, (k.name.name.clone(), k.loc.span()));
                            let id = ir::KeyId(u32::try_from(keys.len()).unwrap_or(u32::MAX));
                            self.keys.insert(k.name.name.clone(), id);
                            keys.push(lowered.key);
                        }
                        Err(e) => self.error(e),
                    }
                }
                ast::Item::Step(s) => {
                    if !self.declare(&mut target_names, "step", &s.name) {
                        continue;
                    }
                    let id = ir::Target::Step(ir::StepId(n_steps));
                    self.targets.insert(s.name.name.clone(), id);
                    n_steps += 1;
                }
                ast::Item::Inspection(i) => {
                    if !self.declare(&mut target_names, "inspection", &i.name) {
                        continue;
                    }
                    let id = ir::Target::Inspection(ir::InspectionId(n_inspections));
                    self.targets.insert(i.name.name.clone(), id);
                    n_inspections += 1;
                }
                _ => {}
            }
        }
        // Keys whose material failed still count as declared for `by`, so
        // that one bad key does not also produce an error at every use.
        let failed_keys: Vec<String> = key_names
            .keys()
            .filter(|n| !self.keys.contains_key(*n))
            .cloned()
            .collect();

        let mut once = Once::new();
        let mut out = ir::Layout {
            ir_version: ir::IR_VERSION,
            name: l.name.value.clone(),
            span: l.header.span(),
            expires: None,
            readme: None,
            keys,
            params,
            steps: Vec::new(),
            inspections: Vec::new(),
            artifact: None,
            summary: None,
        };
        let mut seen_steps = std::collections::BTreeSet::new();
        for item in &l.items {
            match item {
                ast::Item::Expires(c) => {
                    if !once.seen(self, "expires", c.loc.span()) {
                        out.expires = self.expiry(&c.value, c.loc.span());
                    }
                }
                ast::Item::Readme(c) => {
                    if !once.seen(self, "readme", c.loc.span()) {
                        out.readme = Some(c.value.value.clone());
                    }
                }
                ast::Item::Step(s) => {
                    // Only the first of two same-named steps gets an id.
                    let first = seen_steps.insert(s.name.name.clone())
                        && matches!(self.targets.get(&s.name.name), Some(ir::Target::Step(_)));
                    if let Some(step) = self.step(s, &failed_keys) {
                        if first {
                            out.steps.push(step);
                        }
                    }
                }
                ast::Item::Inspection(i) => {
                    let first = seen_steps.insert(i.name.name.clone())
                        && matches!(
                            self.targets.get(&i.name.name),
                            Some(ir::Target::Inspection(_))
                        );
                    if let Some(insp) = self.inspection(i) {
                        if first {
                            out.inspections.push(insp);
                        }
                    }
                }
                ast::Item::Artifact(a) => {
                    if !once.seen(self, "artifact", a.loc.span()) {
                        out.artifact = self.final_artifact(a);
                    }
                }
                ast::Item::Summary(s) => {
                    if !once.seen(self, "summary", s.loc.span()) {
                        out.summary = self.summary(s);
                    }
                }
                ast::Item::Param(_) | ast::Item::Key(_) => {}
            }
        }
        if n_steps == 0 {
            self.error(LowerError::NoSteps {
                span: l.header.span(),
            });
        }
        out
    }

    fn expiry(&mut self, t: &ast::Token, _clause: Span) -> Option<ir::Expiry> {
        use time::format_description::well_known::Rfc3339;
        let span = t.loc.span();
        let bad = |reason: &str| LowerError::BadTimestamp {
            text: t.text.clone(),
            reason: reason.to_string(),
            span,
        };
        let parsed = match time::OffsetDateTime::parse(&t.text, &Rfc3339) {
            Ok(p) => p,
            Err(e) => {
                self.error(bad(&e.to_string()));
                return None;
            }
        };
        if !parsed.offset().is_utc() || !(t.text.ends_with('Z') || t.text.ends_with('z')) {
            self.error(bad("the offset must be `Z` (UTC)"));
            return None;
        }
        if parsed.nanosecond() != 0 {
            self.error(bad("fractional seconds are not supported"));
            return None;
        }
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            parsed.year(),
            u8::from(parsed.month()),
            parsed.day(),
            parsed.hour(),
            parsed.minute(),
            parsed.second()
        );
        Some(ir::Expiry {
            text,
            unix: parsed.unix_timestamp(),
            span,
        })
    }

    fn functionaries(&mut self, b: &ast::By, failed_keys: &[String]) -> Option<ir::Functionaries> {
        let before = self.errors.len();
        let mut ids = Vec::new();
        let mut seen = BTreeMap::new();
        for n in &b.names {
            if seen.insert(n.name.clone(), ()).is_some() {
                self.error(LowerError::DuplicateFunctionary {
                    name: n.name.clone(),
                    span: n.loc.span(),
                });
                continue;
            }
            match self.keys.get(&n.name) {
                Some(id) => ids.push(*id),
                None if failed_keys.contains(&n.name) => {}
                None => {
                    let names: Vec<&str> = self
                        .keys
                        .keys()
                        .map(String::as_str)
                        .chain(failed_keys.iter().map(String::as_str))
                        .collect();
                    let help = suggest::help(&n.name, "key", &names);
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

    fn step(&mut self, s: &ast::StepDecl, failed_keys: &[String]) -> Option<ir::Step> {
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
                        by = self.functionaries(b, failed_keys);
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
                    if let Some(att) = self.attestation(a, failed_keys) {
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

    fn attestation(
        &mut self,
        a: &ast::AttestationDecl,
        failed_keys: &[String],
    ) -> Option<ir::ExpectedAttestation> {
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
                let valid = s.value.split_once(':').is_some_and(|(scheme, rest)| {
                    !rest.is_empty()
                        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                        && scheme
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                }) && !s.value.chars().any(|c| c.is_whitespace() || c.is_control());
                if !valid {
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
                        by = self.functionaries(b, failed_keys);
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

    fn inspection(&mut self, i: &ast::InspectionDecl) -> Option<ir::Inspection> {
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

    fn final_artifact(&mut self, a: &ast::Clause<ast::Ident>) -> Option<ir::FinalArtifact> {
        if let Some(ir::Target::Step(id)) = self.targets.get(&a.value.name) {
            return Some(ir::FinalArtifact {
                step: *id,
                span: a.loc.span(),
            });
        }
        let steps: Vec<&str> = self
            .targets
            .iter()
            .filter(|(_, t)| matches!(t, ir::Target::Step(_)))
            .map(|(n, _)| n.as_str())
            .collect();
        let help = suggest::help(&a.value.name, "step", &steps);
        self.error(LowerError::UnknownTarget {
            what: "step",
            name: a.value.name.clone(),
            span: a.value.loc.span(),
            help,
        });
        None
    }

    fn summary(&mut self, s: &ast::SummaryDecl) -> Option<ir::Summary> {
        let mut once = Once::new();
        let mut verifier = None;
        let mut levels = Vec::new();
        for item in &s.items {
            match item {
                ast::SummaryItem::Verifier(v) => {
                    if !once.seen(self, "verifier", v.loc.span()) {
                        verifier = Some(v.value.value.clone());
                    }
                }
                ast::SummaryItem::Levels(l) => {
                    if !once.seen(self, "levels", l.loc.span()) {
                        levels = l.value.iter().map(|s| s.value.clone()).collect();
                    }
                }
            }
        }
        let Some(verifier) = verifier else {
            self.error(LowerError::NoVerifier { span: s.loc.span() });
            return None;
        };
        Some(ir::Summary {
            verifier,
            levels,
            span: s.loc.span(),
        })
    }
}
