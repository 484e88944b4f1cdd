//! What the evaluator sees of one verified attestation: its step binding (for
//! links), its predicate type, its materials and products by predicate type
//! (DESIGN "Evidence model", `predicates::ArtifactModel`) and the JSON value
//! checks run over.

use std::borrow::Cow;

use serde_json::Value;

use cairn_evidence::predicates::{self, ArtifactModel};
use cairn_evidence::{
    Artifacts, Attestation, Body, DigestSet, Origin, Predicate, Statement, Verified,
};

/// One attestation, ready for evaluation.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// Index into the evaluator's input.
    pub index: usize,
    /// Where it came from.
    pub origin: &'a Origin,
    /// sha256 of its bytes (also the canonical sort key).
    pub sha256: &'a str,
    /// Indexes of the keys whose signatures verified.
    pub signers: &'a [usize],
    /// For a link (classic or link/v0.3): the step name and command it claims.
    pub link: Option<LinkClaim>,
    /// The predicate type; `None` for a classic link.
    pub predicate_type: Option<&'a str>,
    /// Inputs (borrowed from a classic link, built for a Statement).
    pub materials: Cow<'a, Artifacts>,
    /// Outputs.
    pub products: Cow<'a, Artifacts>,
    /// The attestation's body, for [`View::predicate`].
    body: &'a Body,
    /// How a Sigstore bundle verified, for the trail.
    pub sigstore: Option<&'a str>,
}

/// The step binding of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaim {
    /// `name`: the step the link claims to be for.
    pub name: String,
    /// `command`.
    pub command: Vec<String>,
}

impl<'a> View<'a> {
    /// Builds the view of the attestation at `index`.
    pub fn new(index: usize, verified: &'a Verified<Attestation>) -> View<'a> {
        let att = verified.value();
        let mut view = View {
            index,
            origin: &att.origin,
            sha256: &att.sha256,
            signers: verified.signers(),
            link: None,
            predicate_type: None,
            materials: Cow::Owned(Artifacts::new()),
            products: Cow::Owned(Artifacts::new()),
            body: &att.body,
            sigstore: att.sigstore.as_deref(),
        };
        match &att.body {
            Body::Link(link) => {
                view.link = Some(LinkClaim {
                    name: link.name.clone(),
                    command: link.command.clone(),
                });
                view.materials = Cow::Borrowed(&link.materials);
                view.products = Cow::Borrowed(&link.products);
            }
            Body::Statement(st) => view.fill_statement(st),
        }
        view
    }

    fn fill_statement(&mut self, st: &'a Statement) {
        self.predicate_type = Some(&st.predicate_type);
        let subjects = unambiguous(
            st.subjects
                .iter()
                .map(|s| (s.name.clone(), s.digest.clone())),
        );
        let p = &st.predicate;
        match predicates::artifact_model(&st.predicate_type) {
            ArtifactModel::Link => {
                if let Some(name) = p.get("name").and_then(Value::as_str) {
                    let command = p
                        .get("command")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .map(|v| v.as_str().unwrap_or_default().to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    self.link = Some(LinkClaim {
                        name: name.to_string(),
                        command,
                    });
                }
                self.materials = Cow::Owned(descriptors(p.get("materials"), "name"));
                self.products = Cow::Owned(subjects);
            }
            ArtifactModel::ProvenanceV1 => {
                let deps = p
                    .get("buildDefinition")
                    .and_then(|b| b.get("resolvedDependencies"));
                self.materials = Cow::Owned(descriptors(deps, "name"));
                self.products = Cow::Owned(subjects);
            }
            ArtifactModel::ProvenanceV02 => {
                self.materials = Cow::Owned(descriptors(p.get("materials"), "uri"));
                self.products = Cow::Owned(subjects);
            }
            ArtifactModel::Informational => self.materials = Cow::Owned(subjects),
        }
    }

    /// What checks look at: a Statement's predicate, or a whole classic link
    /// (built only when a check needs it: links can be large).
    pub fn predicate(&self) -> Cow<'a, Value> {
        match self.body {
            Body::Statement(st) => Cow::Borrowed(&st.predicate),
            Body::Link(link) => Cow::Owned(serde_json::to_value(link).unwrap_or_default()),
        }
    }

    /// What a check on the Statement (`statement.…`, `cel "…"`) looks at:
    /// `_type`, `subject` (each `name` and `digest`), `predicateType` and
    /// `predicate`. A classic link is the `link/v0.3` Statement it amounts
    /// to: its products the subjects, the link itself (as [`View::predicate`]
    /// gives it) the predicate, and `_type` the link's own, `"link"`.
    pub fn statement_value(&self) -> Value {
        let subject = |name: &str, digest: &DigestSet| {
            serde_json::json!({
                "name": name,
                "digest": serde_json::to_value(digest).unwrap_or_default(),
            })
        };
        match self.body {
            Body::Statement(st) => serde_json::json!({
                "_type": st.statement_type,
                "subject": st.subjects.iter().map(|s| subject(&s.name, &s.digest)).collect::<Vec<_>>(),
                "predicateType": st.predicate_type,
                "predicate": st.predicate.value(),
            }),
            Body::Link(link) => serde_json::json!({
                "_type": "link",
                "subject": link.products.iter().map(|(name, digest)| subject(name, digest)).collect::<Vec<_>>(),
                "predicateType": predicates::LINK_V03,
                "predicate": self.predicate(),
            }),
        }
    }

    /// A Statement's predicate as read (see [`cairn_evidence::Predicate`]);
    /// `None` for a classic link.
    pub fn statement_predicate(&self) -> Option<&'a Predicate> {
        match self.body {
            Body::Statement(st) => Some(&st.predicate),
            Body::Link(_) => None,
        }
    }

    /// The step this attestation is a link for, if it is a link.
    pub fn link_name(&self) -> Option<&str> {
        self.link.as_ref().map(|l| l.name.as_str())
    }
}

/// The materials a predicate lists (`field` names each, else its `uri`):
/// every entry is kept, so that none can hide from the rules. One without a
/// name or `uri` is named `""`; one without a usable digest keeps its name
/// with no digest (it matches nothing, and `disallow` rules still see it).
fn descriptors(list: Option<&Value>, field: &str) -> Artifacts {
    let entries: Vec<(String, DigestSet)> = match list {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|rd| {
                let name = rd
                    .get(field)
                    .or_else(|| rd.get("uri"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let set: DigestSet = rd
                    .get("digest")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(alg, v)| Some((alg.clone(), v.as_str()?.to_string())))
                    .collect();
                (name.to_string(), set)
            })
            .collect(),
        Some(_) => vec![(NOT_A_LIST.to_string(), DigestSet::new())],
    };
    unambiguous(entries)
}

/// The one entry a material list that is not a JSON array stands as: a
/// name that matches no artifact, so that the rules (the implicit final
/// `disallow "*"` at the least) refuse it rather than see no materials.
pub(super) const NOT_A_LIST: &str = "(materials: not a list)";

/// Collects named digest sets; a name given twice with different digests
/// keeps its name but loses its digests (an empty set, and it stays empty),
/// so that neither copy can match an artifact or another step's artifact,
/// while `disallow` rules and the implicit final one still see the name:
/// dropping it would let a second, conflicting entry hide an artifact from
/// the rules.
pub fn unambiguous<N: AsRef<str>>(entries: impl IntoIterator<Item = (N, DigestSet)>) -> Artifacts {
    let mut entries: Vec<(N, DigestSet)> = entries.into_iter().collect();
    // Stable, so that the entries of one name stay in the order given.
    entries.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut out: Vec<(N, DigestSet)> = Vec::with_capacity(entries.len());
    for (name, set) in entries {
        match out.last_mut() {
            Some((last, kept)) if last.as_ref() == name.as_ref() => {
                if *kept != set {
                    *kept = DigestSet::new();
                }
            }
            _ => out.push((name, set)),
        }
    }
    out.into_iter().collect()
}
