//! The artifact flow between steps: `match` from a later step (L006) and
//! cycles of matches (L007).
//!
//! A chain reads top to bottom: a step matches what earlier steps produced,
//! and inspections, which run after every step, come last. A cycle of
//! matches (a step's materials from `b`, `b`'s from `a`) anchors none of the
//! artifacts in a step that produced them.

use std::collections::VecDeque;

use super::finding::Finding;
use super::Lint;
use crate::ir::{self, RuleKind, Target};
use cairn_base::source::Span;

/// A `match` rule: its span and the target it names.
struct Edge {
    from_step: usize,
    target: Target,
    span: Span,
}

fn matches_in(list: &Option<ir::RuleList>, out: &mut Vec<(Target, Span)>) {
    for rule in list.iter().flat_map(|l| &l.rules) {
        if let RuleKind::Match { from, .. } = &rule.kind {
            out.push((*from, rule.span));
        }
    }
}

impl Lint<'_> {
    pub(super) fn flow(&mut self) {
        let layout = self.layout;
        let name_of = |t: Target| match t {
            Target::Step(ir::StepId(i)) => layout
                .steps
                .get(i as usize)
                .map_or(String::new(), |s| s.name.clone()),
            Target::Inspection(ir::InspectionId(i)) => layout
                .inspections
                .get(i as usize)
                .map_or(String::new(), |s| s.name.clone()),
        };
        let mut edges = Vec::new();
        for (i, step) in layout.steps.iter().enumerate() {
            let mut found = Vec::new();
            matches_in(&step.materials, &mut found);
            matches_in(&step.products, &mut found);
            for att in &step.attestations {
                matches_in(&att.materials, &mut found);
                matches_in(&att.products, &mut found);
            }
            for (target, span) in found {
                edges.push(Edge {
                    from_step: i,
                    target,
                    span,
                });
                let later = match target {
                    Target::Step(ir::StepId(j)) => (j as usize > i).then_some("a later step"),
                    Target::Inspection(_) => Some("an inspection, which runs after every step"),
                };
                if let Some(what) = later {
                    self.push(
                        Finding::new(
                            "L006",
                            span,
                            format!(
                                "step `{}` matches artifacts of `{}`, {what}",
                                step.name,
                                name_of(target)
                            ),
                        )
                        .label("refers forward")
                        .help("a step can only use what earlier steps produced: declare the steps in the order they run, or match from the step that really produced the artifacts"),
                    );
                }
            }
        }
        for (i, insp) in layout.inspections.iter().enumerate() {
            let mut found = Vec::new();
            matches_in(&insp.materials, &mut found);
            matches_in(&insp.products, &mut found);
            for (target, span) in found {
                if matches!(target, Target::Inspection(ir::InspectionId(j)) if j as usize > i) {
                    self.push(
                        Finding::new(
                            "L006",
                            span,
                            format!(
                                "inspection `{}` matches artifacts of `{}`, a later inspection",
                                insp.name,
                                name_of(target)
                            ),
                        )
                        .label("refers forward")
                        .help("declare inspections in the order they run"),
                    );
                }
            }
        }
        self.cycles(&edges, &name_of);
    }

    /// Reports each backward `match` that closes a cycle between distinct steps.
    fn cycles(&mut self, edges: &[Edge], name_of: &dyn Fn(Target) -> String) {
        let n = self.layout.steps.len();
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in edges {
            if let (Target::Step(ir::StepId(j)), Some(out)) = (e.target, succ.get_mut(e.from_step))
            {
                if j as usize != e.from_step {
                    out.push(j as usize);
                }
            }
        }
        for e in edges {
            let Target::Step(ir::StepId(j)) = e.target else {
                continue;
            };
            let (i, j) = (e.from_step, j as usize);
            if j >= i {
                continue;
            }
            // A path j -> ... -> i closes the cycle i -> j -> ... -> i.
            let Some(path) = path(&succ, j, i) else {
                continue;
            };
            let mut names: Vec<String> = std::iter::once(i)
                .chain(path)
                .map(|s| {
                    name_of(Target::Step(ir::StepId(
                        u32::try_from(s).unwrap_or(u32::MAX),
                    )))
                })
                .map(|s| format!("`{s}`"))
                .collect();
            names.dedup();
            self.push(
                Finding::new("L007", e.span, format!("matches form a cycle: {}", names.join(" -> ")))
                    .label("closes the cycle")
                    .help("in a cycle no step vouches for the artifacts first: match from the step that produced them"),
            );
        }
    }
}

/// The nodes of a shortest path `from -> ... -> to`, both included.
fn path(succ: &[Vec<usize>], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut parent: Vec<Option<usize>> = vec![None; succ.len()];
    let mut seen = vec![false; succ.len()];
    let mut queue = VecDeque::from([from]);
    if let Some(s) = seen.get_mut(from) {
        *s = true;
    }
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut out = vec![to];
            let mut at = to;
            while let Some(Some(p)) = parent.get(at) {
                out.push(*p);
                at = *p;
            }
            out.reverse();
            return Some(out);
        }
        for &next in succ.get(node).into_iter().flatten() {
            if let Some(s) = seen.get_mut(next) {
                if !*s {
                    *s = true;
                    if let Some(p) = parent.get_mut(next) {
                        *p = Some(node);
                    }
                    queue.push_back(next);
                }
            }
        }
    }
    None
}
