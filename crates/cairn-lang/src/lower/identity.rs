//! Identities: `identity NAME = sigstore { CLAIM* }` lowered to exact or
//! anchored-regex constraints on a Sigstore certificate's claims, gh's
//! shorthands expanded with gh's meaning (`evidence::sigstore::identity`).

use crate::ir;
use crate::syntax::ast;
use cairn_evidence::sigstore::claims::EXTENSIONS;
use cairn_evidence::sigstore::identity::{GhFlags, Identity, Matcher};

use super::error::LowerError;

/// gh's shorthands (`gh attestation verify` flags) an identity may use.
pub const SHORTHANDS: &[&str] = &[
    "owner",
    "repo",
    "signer-repo",
    "signer-workflow",
    "source-ref",
    "source-digest",
    "deny-self-hosted-runners",
];

/// Every claim name an identity may constrain directly.
pub fn claim_names() -> Vec<&'static str> {
    let mut names = vec!["san", "issuer", "source-repository"];
    names.extend(EXTENSIONS.iter().map(|(_, n, _)| *n));
    names
}

/// Lowers one identity; every problem is reported.
pub fn lower_identity(decl: &ast::IdentityDecl) -> Result<ir::Identity, Vec<LowerError>> {
    let mut errors = Vec::new();
    if decl.kind.name != "sigstore" {
        errors.push(LowerError::IdentityKind {
            kind: decl.kind.name.clone(),
            span: decl.kind.loc.span(),
        });
    }
    let names = claim_names();
    let mut constraints = Vec::new();
    let mut gh = GhFlags::default();
    let mut gh_spans = Vec::new();
    let mut has_san = false;
    let mut seen: Vec<&str> = Vec::new();
    for c in &decl.claims {
        let name = c.name.name.as_str();
        let span = c.loc.span();
        let bad = |reason: String| LowerError::BadClaim {
            claim: name.to_owned(),
            reason,
            span,
        };
        if seen.contains(&name) {
            errors.push(bad(
                "is given twice; give each claim once (a regex can say several values)".into(),
            ));
            continue;
        }
        seen.push(name);
        let origin = source_text(c);
        if name == "deny-self-hosted-runners" {
            if c.value.is_some() || c.regex {
                errors.push(bad("takes no value".into()));
            }
            gh.deny_self_hosted = true;
            gh_spans.push((origin, span));
            continue;
        }
        let Some(value) = &c.value else {
            errors.push(bad(format!("needs a value: `{name} \"...\"`")));
            continue;
        };
        let value = value.value.clone();
        if value.is_empty() && !c.regex {
            errors.push(bad("has an empty value; a claim is never empty".into()));
            continue;
        }
        if SHORTHANDS.contains(&name) {
            if c.regex {
                errors.push(bad("is gh's shorthand and takes a name, not a regex; constrain the claim it stands for with `matches` instead (docs/sigstore.md)".into()));
                continue;
            }
            let slot = match name {
                "owner" => &mut gh.owner,
                "repo" => &mut gh.repo,
                "signer-repo" => &mut gh.signer_repo,
                "signer-workflow" => &mut gh.signer_workflow,
                "source-ref" => &mut gh.source_ref,
                _ => &mut gh.source_digest,
            };
            *slot = Some(value);
            gh_spans.push((origin, span));
            continue;
        }
        if !names.contains(&name) {
            let mut all = names.clone();
            all.extend(SHORTHANDS);
            errors.push(LowerError::UnknownClaim {
                claim: name.to_owned(),
                span: c.name.loc.span(),
                help: cairn_base::suggest::help(name, "claim", &all),
            });
            continue;
        }
        let claim = if name == "source-repository" {
            "source-repository-uri"
        } else {
            name
        };
        if c.regex {
            if let Err(e) = Matcher::regex(&value) {
                errors.push(bad(format!("the regex does not compile: {e}")));
                continue;
            }
        }
        if claim == "san" {
            has_san = true;
        }
        constraints.push(ir::ClaimConstraint {
            claim: claim.to_owned(),
            value,
            regex: c.regex,
            origin,
            span,
        });
    }
    // gh's shorthands, expanded as gh means them.
    let mut expanded = Identity::default();
    if let Err(reason) = gh.apply(&mut expanded, has_san) {
        // gh's errors name the flag (`--repo takes OWNER/NAME, got ...`).
        let (claim, rest) = reason
            .trim_start_matches("--")
            .split_once(' ')
            .unwrap_or(("gh shorthand", reason.as_str()));
        let span = gh_spans
            .iter()
            .find(|(o, _)| o.split(' ').next() == Some(claim))
            .or(gh_spans.first())
            .map_or(decl.loc.span(), |(_, s)| *s);
        errors.push(LowerError::BadClaim {
            claim: claim.to_owned(),
            reason: rest.to_owned(),
            span,
        });
    }
    let first = gh_spans.first().map_or(decl.loc.span(), |(_, s)| *s);
    for c in expanded.constraints {
        let (value, regex) = match &c.matcher {
            Matcher::Exact(v) => (v.clone(), false),
            Matcher::Regex(v, _) => (v.clone(), true),
            Matcher::Never => continue,
        };
        // Place each expanded constraint at the shorthand it comes from.
        let key = c
            .origin
            .trim_start_matches("--")
            .split(' ')
            .next()
            .unwrap_or_default();
        let span = gh_spans
            .iter()
            .find(|(o, _)| o.split(' ').next() == Some(key))
            .map_or(first, |(_, s)| *s);
        constraints.push(ir::ClaimConstraint {
            claim: c.claim,
            value,
            regex,
            origin: c.origin.trim_start_matches("--").to_owned(),
            span,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ir::Identity {
        name: decl.name.name.clone(),
        constraints,
        span: decl.loc.span(),
    })
}

/// The clause as the policy writes it (`owner "acme"`), for messages.
fn source_text(c: &ast::ClaimDecl) -> String {
    let mut t = c.name.name.clone();
    if c.regex {
        t.push_str(" matches");
    }
    if let Some(v) = &c.value {
        t.push_str(&format!(" {:?}", v.value));
    }
    t
}

/// The runtime matcher of a lowered identity (its regexes compiled).
pub fn matcher(identity: &ir::Identity) -> Identity {
    let mut out = Identity {
        label: identity.name.clone(),
        constraints: Vec::new(),
    };
    for c in &identity.constraints {
        let m = if c.regex {
            // Compiled once in lowering; one that would not compile now
            // matches nothing (fail closed).
            Matcher::regex(&c.value).unwrap_or(Matcher::Never)
        } else {
            Matcher::Exact(c.value.clone())
        };
        out.require(&c.claim, m, c.origin.clone());
    }
    out
}
