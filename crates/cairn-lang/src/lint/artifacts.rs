//! What steps constrain: missing rule blocks (L001), steps that check
//! nothing (L019), products of informational attestations (L023); every rule list found is handed to `queue.rs`.

use super::finding::Finding;
use super::Lint;
use crate::ir::{self, RuleList, Side};
use cairn_base::source::Span;
use cairn_evidence::predicates::{self, ArtifactModel};

impl Lint<'_> {
    pub(super) fn artifacts(&mut self) {
        let layout = self.layout;
        for step in &layout.steps {
            let nothing = step_checks_nothing(step);
            if nothing {
                self.push(
                    Finding::new(
                        "L019",
                        step.span,
                        format!("step `{}` checks nothing", step.name),
                    )
                    .label("no rules, no predicate checks")
                    .related(step.by.span, "any evidence signed by these keys satisfies it")
                    .help("add `materials { ... }` and `products { ... }` rules or predicate checks that say what this step must do"),
                );
            }
            if step.expects_link && !nothing {
                let what = format!("step `{}`", step.name);
                self.missing_blocks(&what, step.span, &step.materials, &step.products);
            }
            for list in [&step.materials, &step.products].into_iter().flatten() {
                self.rule_list(list, side_of(step.materials.as_ref(), list));
            }
            for att in &step.attestations {
                let model = predicates::artifact_model(&att.predicate_type);
                if !nothing
                    && matches!(
                        model,
                        ArtifactModel::ProvenanceV1 | ArtifactModel::ProvenanceV02
                    )
                {
                    let what = format!("`{}` attestation of step `{}`", type_name(att), step.name);
                    self.missing_blocks(&what, att.span, &att.materials, &att.products);
                }
                if let (ArtifactModel::Informational, Some(products)) = (model, &att.products) {
                    self.push(
                        Finding::new(
                            "L023",
                            products.span,
                            format!("a `{}` attestation has no products", type_name(att)),
                        )
                        .label("these rules only ever see an empty list")
                        .help("the subjects of an informational predicate are its materials: write these rules in `materials { ... }`"),
                    );
                }
                for list in [&att.materials, &att.products].into_iter().flatten() {
                    self.rule_list(list, side_of(att.materials.as_ref(), list));
                }
            }
        }
        for insp in &layout.inspections {
            for list in [&insp.materials, &insp.products].into_iter().flatten() {
                self.rule_list(list, side_of(insp.materials.as_ref(), list));
            }
        }
    }

    fn missing_blocks(
        &mut self,
        what: &str,
        span: Span,
        materials: &Option<RuleList>,
        products: &Option<RuleList>,
    ) {
        for (name, list) in [("materials", materials), ("products", products)] {
            if list.is_none() {
                self.push(
                    Finding::new("L001", span, format!("{what} has no `{name}` block"))
                        .label(format!("any {name} are accepted here"))
                        .help(format!(
                            "write the rules the {name} must follow; an empty block (`{name} {{}}`) accepts none, and `allow \"*\"` says explicitly that anything goes"
                        )),
                );
            }
        }
    }
}

/// Which side `list` is, given the materials list of the same owner.
fn side_of(materials: Option<&RuleList>, list: &RuleList) -> Side {
    if materials.is_some_and(|m| std::ptr::eq(m, list)) {
        Side::Materials
    } else {
        Side::Products
    }
}

/// The alias or URI of an expected attestation, for messages.
pub(super) fn type_name(att: &ir::ExpectedAttestation) -> String {
    att.alias
        .clone()
        .unwrap_or_else(|| att.predicate_type.clone())
}

/// True when a step constrains nothing: no rules anywhere and no checks (an
/// expected `command` is compared as a warning only, so it does not count).
fn step_checks_nothing(step: &ir::Step) -> bool {
    step.materials.is_none()
        && step.products.is_none()
        && step
            .attestations
            .iter()
            .all(|a| a.materials.is_none() && a.products.is_none() && a.checks.is_empty())
}
