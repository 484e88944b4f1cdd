//! Sigstore identities: one without an issuer (L024), a SAN regex that
//! accepts any repository (L025), and an identity that signs for the
//! released artifact while pinned to a branch rather than a tag (L026).

use super::finding::Finding;
use super::Lint;
use crate::ir;
use cairn_evidence::sigstore::identity::Matcher;

/// SANs of workflows in two unrelated repositories: a SAN regex that
/// accepts both accepts any repository.
const PROBES: [&str; 2] = [
    "https://github.com/cairn-probe-one/first/.github/workflows/release.yml@refs/tags/v1.0.0",
    "https://github.com/another-owner/second/.github/workflows/release.yml@refs/tags/v1.0.0",
];

fn matcher(c: &ir::ClaimConstraint) -> Matcher {
    if c.regex {
        Matcher::regex(&c.value).unwrap_or(Matcher::Never)
    } else {
        Matcher::Exact(c.value.clone())
    }
}

/// Whether a constraint pins a git ref to a branch (`refs/heads/...`).
fn on_branch(c: &ir::ClaimConstraint) -> bool {
    match c.claim.as_str() {
        "san" | "build-signer-uri" | "build-config-uri" => c.value.contains("@refs/heads/"),
        "source-repository-ref" => c.value.starts_with("refs/heads/"),
        _ => false,
    }
}

impl Lint<'_> {
    pub(super) fn identities(&mut self) {
        let layout = self.layout;
        for identity in &layout.identities {
            if !identity.constraints.iter().any(|c| c.claim == "issuer") {
                self.push(
                    Finding::new(
                        "L024",
                        identity.span,
                        format!("identity `{}` accepts a certificate from any OIDC issuer", identity.name),
                    )
                    .label("no `issuer`")
                    .help("a SAN means nothing without the issuer that vouched for it: add `issuer \"https://token.actions.githubusercontent.com\"` (or the issuer you trust)"),
                );
            }
            for c in identity
                .constraints
                .iter()
                .filter(|c| c.claim == "san" && c.regex)
            {
                let m = matcher(c);
                if PROBES.iter().all(|p| m.matches(p)) {
                    self.push(
                        Finding::new(
                            "L025",
                            c.span,
                            format!("the SAN regex of identity `{}` accepts workflows of any repository", identity.name),
                        )
                        .label("matches workflows of unrelated repositories")
                        .help("name the repository in the regex (`https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v.*`), or pin it with `repo \"acme/app\"`"),
                    );
                }
            }
        }
        // The step whose product is the released artifact.
        let Some(artifact) = &layout.artifact else {
            return;
        };
        let Some(step) = usize::try_from(artifact.step.0)
            .ok()
            .and_then(|i| layout.steps.get(i))
        else {
            return;
        };
        let bys =
            std::iter::once(&step.by).chain(step.attestations.iter().filter_map(|a| a.by.as_ref()));
        let mut seen = Vec::new();
        for by in bys {
            for k in &by.keys {
                let Some(identity) = usize::try_from(k.0).ok().and_then(|i| layout.identity(i))
                else {
                    continue;
                };
                if seen.contains(&identity.name) {
                    continue;
                }
                seen.push(identity.name.clone());
                if let Some(c) = identity.constraints.iter().find(|c| on_branch(c)) {
                    self.push(
                        Finding::new(
                            "L026",
                            c.span,
                            format!(
                                "identity `{}` signs for step `{}`, whose product is the released artifact, from a branch",
                                identity.name, step.name
                            ),
                        )
                        .label("a branch, not a tag")
                        .related(by.span, "signs the release here")
                        .help("a branch moves: anyone who can push to it can sign a release; pin releases to tags (`@refs/tags/v.*`, `source-repository-ref matches \"refs/tags/v.*\"`)"),
                    );
                }
            }
        }
    }
}
