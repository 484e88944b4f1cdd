//! Lowering: the spanned AST to the resolved [`ir::Layout`].
//!
//! Resolves every name (steps, inspections, keys, parameters, predicate type
//! aliases), validates every value (timestamps, key material, patterns,
//! JSONPaths, regexes, thresholds, placeholders) and collects every error in
//! one pass, each with a stable code, a labelled span and a help line.
//! Reading `file "..."` keys, relative to the policy's folder, is the only
//! I/O here. Decisions recorded in `docs/language.md`: every step needs a
//! `by`; a layout needs at least one step.

mod compile;
pub mod error;
pub mod identity;
pub mod imports;
mod input;
pub mod keys;
mod library;
mod report;
mod rules;
mod sets;
mod steps;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

pub use compile::{
    check_file, compile_file, compile_file_with_imports, compile_source, compile_source_with_ast,
    compile_source_with_imports, compile_source_with_loader, FileError,
};
pub use error::LowerError;
pub use input::{read_policy, read_policy_and_base, IoError};
pub use library::{CrossFileError, Note};
pub use report::{CompileErrors, MAX_ERRORS};

use crate::ir;
use crate::syntax::ast;
use cairn_base::source::{SourceFile, Span};

/// Lowers a parsed policy; `base_dir` is the folder `file "..."` keys are
/// relative to. Its imports are not read (a use of one is an error):
/// [`imports::check_source`] reads them.
pub fn lower(parsed: &ast::Parsed, base_dir: &Path) -> Result<ir::Layout, Vec<LowerError>> {
    let (layout, mut errors, cross) = lower_with(parsed, base_dir, BTreeMap::new());
    if errors.is_empty() && cross.is_empty() {
        Ok(layout)
    } else {
        errors.extend(cross.iter().map(|e| match e {
            library::CrossFileError::Cycle { span, .. }
            | library::CrossFileError::SameKey { span, .. } => LowerError::ImportPath {
                path: String::new(),
                reason: e.to_string(),
                span: *span,
            },
        }));
        Err(errors)
    }
}

// Methods, so that the import resolver (which the public `compile_*`
// functions call) reaches the lowerer without naming this file.
impl ast::Parsed {
    /// Lowers this layout with what its imports declare: the layout, its
    /// errors, and its errors that point into an imported file too.
    pub(crate) fn lower_layout(
        &self,
        base_dir: &Path,
        imports: BTreeMap<String, library::Imported>,
    ) -> (ir::Layout, Vec<LowerError>, Vec<library::CrossFileError>) {
        lower_with(self, base_dir, imports)
    }

    /// Lowers this library: what it declares, its errors, and its errors
    /// that point into an imported file too.
    pub(crate) fn lower_library(
        &self,
        base_dir: &Path,
        imports: BTreeMap<String, library::Imported>,
    ) -> (
        library::Library,
        Vec<LowerError>,
        Vec<library::CrossFileError>,
    ) {
        lower_library(self, base_dir, imports)
    }
}

/// Lowers a layout with what its imports declare: the layout, its errors,
/// and its errors that point into an imported file too.
fn lower_with(
    parsed: &ast::Parsed,
    base_dir: &Path,
    imports: BTreeMap<String, library::Imported>,
) -> (ir::Layout, Vec<LowerError>, Vec<library::CrossFileError>) {
    let mut l = Lowerer::new(base_dir, imports);
    let layout = l.layout(&parsed.layout);
    (layout, l.errors, l.cross)
}

/// Lowers a library: what it declares, its errors, and its errors that
/// point into an imported file too.
fn lower_library(
    parsed: &ast::Parsed,
    base_dir: &Path,
    imports: BTreeMap<String, library::Imported>,
) -> (
    library::Library,
    Vec<LowerError>,
    Vec<library::CrossFileError>,
) {
    let mut l = Lowerer::new(base_dir, imports);
    let (keys, _) = l.declarations(&parsed.layout);
    let mut names = BTreeMap::new();
    let mut order = Vec::new();
    for item in &parsed.layout.items {
        if let ast::Item::CheckSet(c) = item {
            if l.declare(&mut names, "check set", &c.name) {
                l.set_decls.insert(c.name.name.clone(), c.clone());
                order.push(c.name.name.clone());
            }
        }
    }
    for name in order {
        l.local_set(&name, None);
    }
    let mut material: BTreeMap<String, Vec<u8>> = l
        .material
        .iter()
        .map(|(m, (name, _))| (name.clone(), m.clone()))
        .collect();
    let lib = library::Library {
        source: miette::NamedSource::new("", Arc::<str>::from("")),
        keys: keys
            .into_iter()
            .map(|key| {
                let material = material.remove(&key.name).unwrap_or_default();
                (key.name.clone(), library::LibKey { key, material })
            })
            .collect(),
        identities: std::mem::take(&mut l.identities)
            .into_iter()
            .map(|i| (i.name.clone(), i))
            .collect(),
        failed_sets: l
            .sets
            .iter()
            .filter(|(_, set)| set.is_none())
            .map(|(name, _)| name.clone())
            .collect(),
        sets: std::mem::take(&mut l.sets)
            .into_iter()
            .filter_map(|(name, set)| Some((name, set?)))
            .collect(),
    };
    (lib, l.errors, l.cross)
}

/// A diagnostic about `file`, ready to render with its source lines.
pub fn with_source<E>(file: &SourceFile, error: E) -> miette::Report
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    let source = miette::NamedSource::new(&file.name, Arc::<str>::from(file.text.as_str()));
    miette::Report::new(error).with_source_code(source)
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
    /// The identities lowered by `declarations`, for the layout.
    identities: Vec<ir::Identity>,
    /// Keys declared but whose material was refused: uses of them are not
    /// reported again as unknown keys.
    failed_keys: BTreeSet<String>,
    /// The file's imports by name.
    imports: BTreeMap<String, library::Imported>,
    /// Key material -> the name and span of the key that has it.
    material: BTreeMap<Vec<u8>, (String, Span)>,
    /// The check sets this file declares (libraries), by name.
    set_decls: BTreeMap<String, ast::CheckSetDecl>,
    /// The check sets lowered so far (`None`: it has errors).
    sets: BTreeMap<String, Option<library::CheckSet>>,
    /// The sets being lowered, innermost last (to find a set that includes itself).
    set_stack: Vec<String>,
    /// Errors that point into an imported file too.
    cross: Vec<library::CrossFileError>,
}

/// Registers a name in `seen`, or says where it was first declared.
fn declare(
    seen: &mut BTreeMap<String, Span>,
    what: &'static str,
    name: &ast::Ident,
) -> Result<(), LowerError> {
    if let Some(first) = seen.get(&name.name) {
        return Err(LowerError::DuplicateName {
            what,
            name: name.name.clone(),
            span: name.loc.span(),
            first: *first,
        });
    }
    seen.insert(name.name.clone(), name.loc.span());
    Ok(())
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

impl<'a> Lowerer<'a> {
    fn new(base_dir: &'a Path, imports: BTreeMap<String, library::Imported>) -> Self {
        Lowerer {
            base_dir,
            errors: Vec::new(),
            params: BTreeMap::new(),
            keys: BTreeMap::new(),
            targets: BTreeMap::new(),
            identities: Vec::new(),
            failed_keys: BTreeSet::new(),
            imports,
            material: BTreeMap::new(),
            set_decls: BTreeMap::new(),
            sets: BTreeMap::new(),
            set_stack: Vec::new(),
            cross: Vec::new(),
        }
    }
}

impl Lowerer<'_> {
    fn error(&mut self, e: LowerError) {
        self.errors.push(e);
    }

    /// Registers a name in `seen`; reports a duplicate and returns false.
    fn declare(
        &mut self,
        seen: &mut BTreeMap<String, Span>,
        what: &'static str,
        name: &ast::Ident,
    ) -> bool {
        match declare(seen, what, name) {
            Ok(()) => true,
            Err(e) => {
                self.error(e);
                false
            }
        }
    }

    /// Declares every parameter, key, step and inspection, so that uses may
    /// come before declarations; returns the lowered keys and parameters.
    fn declarations(&mut self, l: &ast::Layout) -> (Vec<ir::Key>, Vec<ir::Param>) {
        let mut params = Vec::new();
        let mut keys = Vec::new();
        let mut key_names = BTreeMap::new();
        let mut target_names = BTreeMap::new();
        let (mut n_steps, mut n_inspections) = (0u32, 0u32);
        let mut declared_identities = Vec::new();
        for item in &l.items {
            match item {
                ast::Item::Identity(i) => {
                    // Keys and identities share one namespace: both sign.
                    if !self.declare(&mut key_names, "signer", &i.name) {
                        continue;
                    }
                    match identity::lower_identity(i) {
                        Ok(lowered) => declared_identities.push(lowered),
                        Err(errors) => errors.into_iter().for_each(|e| self.error(e)),
                    }
                }
                ast::Item::Param(p) => {
                    let declared = declare(&mut self.params, "parameter", &p.name);
                    if let Err(e) = declared {
                        self.error(e);
                    } else {
                        params.push(ir::Param {
                            name: p.name.name.clone(),
                            default: p.default.as_ref().map(|d| d.value.clone()),
                            span: p.loc.span(),
                        });
                    }
                }
                ast::Item::Key(k) => {
                    if !self.declare(&mut key_names, "key", &k.name) {
                        continue;
                    }
                    match keys::lower_key(k, self.base_dir) {
                        Ok(lowered) => {
                            if let Some((first_name, first)) = self.material.get(&lowered.identity)
                            {
                                self.error(LowerError::DuplicateKeyMaterial {
                                    name: k.name.name.clone(),
                                    first_name: first_name.clone(),
                                    span: k.loc.span(),
                                    first: *first,
                                });
                                continue;
                            }
                            self.material
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
        self.imported_signers(l, &mut keys, &mut declared_identities);
        // Signers are numbered keys first, then identities.
        for (i, identity) in declared_identities.iter().enumerate() {
            let id = ir::KeyId(u32::try_from(keys.len() + i).unwrap_or(u32::MAX));
            self.keys.insert(identity.name.clone(), id);
        }
        self.identities = declared_identities;
        // Keys whose material failed still count as declared for `by`, so
        // that one bad key does not also produce an error at every use.
        let failed: Vec<String> = key_names
            .keys()
            .filter(|n| !self.keys.contains_key(*n))
            .cloned()
            .collect();
        self.failed_keys.extend(failed);
        (keys, params)
    }

    fn layout(&mut self, l: &ast::Layout) -> ir::Layout {
        let (keys, params) = self.declarations(l);
        let mut once = Once::new();
        let mut out = ir::Layout {
            ir_version: ir::IR_VERSION,
            name: l.name.value.clone(),
            span: l.header.span(),
            expires: None,
            readme: None,
            keys,
            identities: std::mem::take(&mut self.identities),
            trust_root: None,
            params,
            steps: Vec::new(),
            inspections: Vec::new(),
            artifact: None,
            summary: None,
        };
        // Ids were given in declaration order above; a step or inspection
        // that fails to lower leaves an error, and then no IR is returned,
        // so the vectors below match the ids whenever the IR is used.
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
                ast::Item::Step(s) => out.steps.extend(self.step(s)),
                ast::Item::Inspection(i) => out.inspections.extend(self.inspection(i)),
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
                ast::Item::TrustRoot(c) => {
                    if !once.seen(self, "trust-root", c.loc.span()) {
                        out.trust_root = Some(ir::TrustRootRef {
                            path: c.value.value.clone(),
                            resolved: self.base_dir.join(&c.value.value).display().to_string(),
                            span: c.loc.span(),
                        });
                    }
                }
                ast::Item::Param(_)
                | ast::Item::Key(_)
                | ast::Item::Identity(_)
                | ast::Item::CheckSet(_) => {}
            }
        }
        self.shared_attestations(&out);
        if !l.items.iter().any(|i| matches!(i, ast::Item::Step(_))) {
            self.error(LowerError::NoSteps {
                span: l.header.span(),
            });
        }
        out
    }

    /// Refuses two steps that expect the same predicate type (other than
    /// links, which are bound to their step by name) from a common signer:
    /// Statements name no step, so one attestation would count for both.
    fn shared_attestations(&mut self, layout: &ir::Layout) {
        let mut seen: Vec<(&ir::Step, &ir::ExpectedAttestation)> = Vec::new();
        for step in &layout.steps {
            for expected in &step.attestations {
                if expected.predicate_type == cairn_evidence::predicates::LINK_V03 {
                    continue;
                }
                let keys = &expected.by.as_ref().unwrap_or(&step.by).keys;
                let clash = seen.iter().find_map(|&(first_step, first)| {
                    if first_step.name == step.name
                        || first.predicate_type != expected.predicate_type
                    {
                        return None;
                    }
                    let first_keys = &first.by.as_ref().unwrap_or(&first_step.by).keys;
                    let key = keys.iter().find(|k| first_keys.contains(k))?;
                    Some((first_step, first, key))
                });
                if let Some((first_step, first, key)) = clash {
                    let key = usize::try_from(key.0)
                        .ok()
                        .and_then(|i| layout.keys.get(i))
                        .map_or_else(|| format!("#{}", key.0), |k| k.name.clone());
                    let predicate_type = expected
                        .alias
                        .as_deref()
                        .unwrap_or(&expected.predicate_type);
                    self.error(LowerError::SharedAttestation {
                        steps: format!("`{}` and `{}`", first_step.name, step.name),
                        what: format!("`{predicate_type}` attestations signed by `{key}`"),
                        span: expected.span,
                        first: first.span,
                    });
                } else {
                    seen.push((step, expected));
                }
            }
        }
    }

    /// Validates `expires`; `clause` is the whole clause, the IR's span.
    fn expiry(&mut self, t: &ast::Token, clause: Span) -> Option<ir::Expiry> {
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
        // Exactly `YYYY-MM-DDTHH:MM:SSZ`, as the IR writes it back.
        let text = t.text.as_bytes();
        let reason = if !parsed.offset().is_utc() || !t.text.to_ascii_uppercase().ends_with('Z') {
            Some("the offset must be `Z` (UTC)")
        } else if t.text.contains('.') {
            Some("fractional seconds are not supported")
        } else if t.text.get(17..19) == Some("60") {
            Some("a leap second (`:60`) is not supported")
        } else if text.get(10) != Some(&b'T') || text.get(19) != Some(&b'Z') {
            Some("write the `T` and the `Z` as capitals")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.error(bad(reason));
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
            span: clause,
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
        let help = cairn_base::suggest::help(&a.value.name, "step", &steps);
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37";

    fn codes(text: &str) -> Vec<String> {
        match compile_source("t.cairn", text, Path::new(".")) {
            Ok(_) => Vec::new(),
            Err(e) => e.codes(),
        }
    }

    #[test]
    fn resolves_names_to_ids() {
        let text = format!(
            "layout \"t\" {{ step b {{ by k materials {{ match \"x\" with products from a }} }} \
             step a {{ by k }} key k = ed25519 \"{KEY}\" artifact from a }}"
        );
        let layout = compile_source("t.cairn", &text, Path::new(".")).unwrap();
        let Some(step) = layout.steps.first() else {
            panic!("no step");
        };
        assert_eq!(step.by.keys, vec![ir::KeyId(0)]);
        let rule = step.materials.as_ref().and_then(|m| m.rules.first());
        assert!(matches!(
            rule.map(|r| &r.kind),
            Some(ir::RuleKind::Match {
                from: ir::Target::Step(ir::StepId(1)),
                ..
            })
        ));
        assert_eq!(layout.artifact.map(|a| a.step), Some(ir::StepId(1)));
        assert!(step.expects_link);
    }

    #[test]
    fn collects_every_error_in_one_pass() {
        let text = "layout \"t\" { step a { by nobody } step b { by 2 of x } artifact from c }";
        assert_eq!(codes(text), ["E201", "E201", "E205", "E200"]);
    }

    #[test]
    fn templates() {
        let ok = format!(
            "layout \"t\" {{ key k = ed25519 \"{KEY}\" param p step s {{ by k command \"{{p}}-{{{{x}}}}\" }} }}"
        );
        assert!(codes(&ok).is_empty());
        let bad = format!(
            "layout \"t\" {{ key k = ed25519 \"{KEY}\" step s {{ by k command \"{{}}\" \"{{q}}\" \"}}\" }} }}"
        );
        assert_eq!(codes(&bad), ["E224", "E202", "E224"]);
    }

    #[test]
    fn errors_beyond_the_limit_are_counted() {
        let steps: String = (0..MAX_ERRORS + 5)
            .map(|i| format!("step s{i} {{ by nobody }} "))
            .collect();
        let text = format!("layout \"t\" {{ {steps} }}");
        let Err(e) = compile_source("t.cairn", &text, Path::new(".")) else {
            panic!("compiled");
        };
        assert_eq!(e.reports.len(), MAX_ERRORS);
        assert_eq!(e.omitted, 5);
    }
}
