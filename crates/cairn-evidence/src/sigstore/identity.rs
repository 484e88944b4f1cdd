//! Who may have signed: an identity is a set of constraints on the claims of
//! a verified Fulcio certificate ([`super::claims`]), each exact or by a
//! regular expression anchored at both ends.
//!
//! A regex matches the whole claim: `https://github.com/acme/.*` matches any
//! workflow of `acme`, and `https://github.com/acme/` matches nothing but
//! that string. A substring match is written with `.*` on purpose, so no
//! pattern can accept more than it shows (cosign's and gh's regexes are
//! unanchored; cairn's never are).

use serde::Serialize;

use super::claims::Claims;

/// How one claim must read.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Equal to this string.
    Exact(String),
    /// Matched as a whole by this regex (the source as written, and the
    /// anchored compiled form).
    Regex(String, regex::Regex),
    /// Matches nothing (a constraint that could not be compiled).
    Never,
}

impl Matcher {
    /// An anchored regex matcher; the error says why `pattern` is refused.
    pub fn regex(pattern: &str) -> Result<Matcher, String> {
        // The pattern must stand on its own first: `x)|(.*` would otherwise
        // close the group around it and escape the anchors.
        cairn_base::limits::LIMITS
            .regex(pattern)
            .map_err(|e| match e {
                regex::Error::Syntax(s) => s,
                other => other.to_string(),
            })?;
        let anchored = format!("^(?:{pattern})$");
        cairn_base::limits::LIMITS
            .regex(&anchored)
            .map(|re| Matcher::Regex(pattern.to_owned(), re))
            .map_err(|e| match e {
                regex::Error::Syntax(s) => s,
                other => other.to_string(),
            })
    }

    /// Whether `value` satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(s) => s == value,
            Matcher::Regex(_, re) => re.is_match(value),
            Matcher::Never => false,
        }
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Matcher::Exact(s) => write!(f, "{:?}", s),
            Matcher::Regex(s, _) => write!(f, "matches {:?}", s),
            Matcher::Never => f.write_str("(nothing)"),
        }
    }
}

/// One constraint: the claim by readable name (`san`, `issuer`,
/// `source-repository-uri`, ...) and how it must read.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// The claim's name (see [`super::claims::EXTENSIONS`]).
    pub claim: String,
    /// How it must read.
    pub matcher: Matcher,
    /// Where the constraint comes from, for messages (`--owner acme`).
    pub origin: String,
}

/// An identity: every constraint must hold.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// A name for messages (the policy's identity name, or `the command line`).
    pub label: String,
    /// The constraints, in the order given.
    pub constraints: Vec<Constraint>,
}

/// A constraint that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The claim.
    pub claim: String,
    /// What the identity wants, as written.
    pub expected: String,
    /// What the certificate says (`None`: it does not carry the claim).
    pub actual: Option<String>,
    /// Where the constraint comes from.
    pub origin: String,
}

impl Identity {
    /// Adds a constraint.
    pub fn require(&mut self, claim: &str, matcher: Matcher, origin: impl Into<String>) {
        self.constraints.push(Constraint {
            claim: claim.to_owned(),
            matcher,
            origin: origin.into(),
        });
    }

    /// Every constraint that `claims` breaks (empty: the identity matches).
    /// A `san` constraint holds when any SAN of the certificate matches it;
    /// a claim the certificate lacks matches no exact value, and reads as
    /// the empty string for a regex.
    pub fn mismatches(&self, claims: &Claims) -> Vec<Mismatch> {
        let mut out = Vec::new();
        for c in &self.constraints {
            // An absent claim never equals an exact value; for a regex it
            // reads as the empty string, so only a pattern that accepts ""
            // (`.*`, written on purpose) accepts it.
            let ok = if c.claim == "san" && !claims.san.is_empty() {
                claims.san.iter().any(|s| c.matcher.matches(s.as_str()))
            } else {
                match (claims.get(&c.claim), &c.matcher) {
                    (Some(value), m) => m.matches(value),
                    (None, Matcher::Regex(..)) => c.matcher.matches(""),
                    (None, _) => false,
                }
            };
            if !ok {
                out.push(Mismatch {
                    claim: c.claim.clone(),
                    expected: c.matcher.to_string(),
                    actual: claims.get(&c.claim).map(str::to_owned),
                    origin: c.origin.clone(),
                });
            }
        }
        out
    }

    /// Whether the identity constrains the OIDC issuer.
    pub fn has_issuer(&self) -> bool {
        self.constraints.iter().any(|c| c.claim == "issuer")
    }
}

/// `regex::escape`, for the shorthands that build a pattern from a name.
fn lit(text: &str) -> String {
    regex::escape(text)
}

/// gh's shorthands (`gh attestation verify`), with gh's documented meaning,
/// added to `identity` as constraints. `host` is `github.com` unless given.
#[derive(Debug, Clone, Default)]
pub struct GhFlags {
    /// `--owner`: the source repository's owner.
    pub owner: Option<String>,
    /// `--repo OWNER/NAME`: the source repository.
    pub repo: Option<String>,
    /// `--signer-repo OWNER/NAME`: the repository of the workflow that signed.
    pub signer_repo: Option<String>,
    /// `--signer-workflow [HOST/]OWNER/NAME/PATH`: the workflow that signed, any ref.
    pub signer_workflow: Option<String>,
    /// `--source-ref`: the source repository ref.
    pub source_ref: Option<String>,
    /// `--source-digest`: the source repository commit.
    pub source_digest: Option<String>,
    /// `--deny-self-hosted-runners`.
    pub deny_self_hosted: bool,
}

impl GhFlags {
    /// Adds gh's constraints. When no SAN constraint is given (`has_san`
    /// false) and neither signer flag is, gh requires the SAN to be a
    /// workflow of `--repo`, else of `--owner`; so does cairn.
    pub fn apply(&self, identity: &mut Identity, has_san: bool) -> Result<(), String> {
        let host = "github.com";
        for (flag, value) in [
            ("--signer-workflow", &self.signer_workflow),
            ("--source-ref", &self.source_ref),
            ("--source-digest", &self.source_digest),
        ] {
            if value.as_deref().is_some_and(str::is_empty) {
                return Err(format!("{flag} takes a value, got an empty one"));
            }
        }
        if let Some(owner) = &self.owner {
            check_segment("--owner", owner)?;
            identity.require(
                "source-repository-owner-uri",
                Matcher::Exact(format!("https://{host}/{owner}")),
                format!("--owner {owner}"),
            );
        }
        if let Some(repo) = &self.repo {
            check_repo("--repo", repo)?;
            identity.require(
                "source-repository-uri",
                Matcher::Exact(format!("https://{host}/{repo}")),
                format!("--repo {repo}"),
            );
        }
        if let Some(signer) = &self.signer_repo {
            check_repo("--signer-repo", signer)?;
            identity.require(
                "san",
                Matcher::regex(&format!("https://{}/{}/.*", lit(host), lit(signer)))?,
                format!("--signer-repo {signer}"),
            );
        }
        if let Some(workflow) = &self.signer_workflow {
            let full = if workflow.split('/').count() >= 4
                && workflow.split('/').next().is_some_and(|h| h.contains('.'))
            {
                workflow.clone()
            } else {
                format!("{host}/{workflow}")
            };
            identity.require(
                "san",
                Matcher::regex(&format!("https://{}@.*", lit(&full)))?,
                format!("--signer-workflow {workflow}"),
            );
        }
        if !has_san && self.signer_repo.is_none() && self.signer_workflow.is_none() {
            let (what, scope) = match (&self.repo, &self.owner) {
                (Some(repo), _) => ("--repo", repo),
                (None, Some(owner)) => ("--owner", owner),
                (None, None) => ("", &String::new()),
            };
            if !what.is_empty() {
                identity.require(
                    "san",
                    Matcher::regex(&format!("https://{}/{}/.*", lit(host), lit(scope)))?,
                    format!("{what} {scope} (a workflow of it signed)"),
                );
            }
        }
        if let Some(r) = &self.source_ref {
            identity.require(
                "source-repository-ref",
                Matcher::Exact(r.clone()),
                format!("--source-ref {r}"),
            );
        }
        if let Some(d) = &self.source_digest {
            identity.require(
                "source-repository-digest",
                Matcher::Exact(d.clone()),
                format!("--source-digest {d}"),
            );
        }
        if self.deny_self_hosted {
            identity.require(
                "runner-environment",
                Matcher::Exact("github-hosted".into()),
                "--deny-self-hosted-runners",
            );
        }
        Ok(())
    }
}

fn check_segment(flag: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || value.contains('/') {
        return Err(format!(
            "{flag} takes an owner name without `/`, got `{value}`"
        ));
    }
    Ok(())
}

fn check_repo(flag: &str, value: &str) -> Result<(), String> {
    let mut parts = value.split('/');
    let ok = matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty());
    if ok {
        Ok(())
    } else {
        Err(format!("{flag} takes OWNER/NAME, got `{value}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::claims::San;
    use super::*;

    fn claims(san: &str) -> Claims {
        let mut c = Claims {
            san: vec![San::Uri(san.into())],
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            ..Claims::default()
        };
        c.extensions.insert(
            "source-repository-owner-uri".into(),
            "https://github.com/acme".into(),
        );
        c.extensions.insert(
            "source-repository-uri".into(),
            "https://github.com/acme/app".into(),
        );
        c
    }

    #[test]
    fn regexes_are_anchored_at_both_ends() {
        let m = Matcher::regex("https://github.com/acme/").unwrap();
        assert!(!m.matches("https://github.com/acme/app/.github/workflows/x.yml@refs/heads/main"));
        assert!(!m.matches("xhttps://github.com/acme/"));
        assert!(m.matches("https://github.com/acme/"));
        let m = Matcher::regex("a|b").unwrap();
        assert!(!m.matches("ab"), "alternation stays inside the anchors");
        assert!(Matcher::regex("(").is_err());
        // A pattern that only compiles inside the anchors' group is refused:
        // it would close the group and match anything.
        assert!(Matcher::regex("nobody)|(.*").is_err());
    }

    #[test]
    fn gh_owner_alone_requires_a_workflow_of_the_owner() {
        let mut id = Identity::default();
        GhFlags {
            owner: Some("acme".into()),
            ..GhFlags::default()
        }
        .apply(&mut id, false)
        .unwrap();
        let good = claims("https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1");
        assert!(id.mismatches(&good).is_empty());
        let evil = claims("https://github.com/evil/app/.github/workflows/r.yml@refs/tags/v1");
        let m = id.mismatches(&evil);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].claim, "san");
    }

    #[test]
    fn gh_signer_workflow_takes_any_ref_of_that_workflow_only() {
        let mut id = Identity::default();
        GhFlags {
            signer_workflow: Some("acme/app/.github/workflows/r.yml".into()),
            ..GhFlags::default()
        }
        .apply(&mut id, false)
        .unwrap();
        assert!(id
            .mismatches(&claims(
                "https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main"
            ))
            .is_empty());
        assert!(!id
            .mismatches(&claims(
                "https://github.com/acme/app/.github/workflows/r.yml.evil@x"
            ))
            .is_empty());
    }

    #[test]
    fn a_missing_claim_matches_only_what_accepts_the_empty_string() {
        let mut id = Identity::default();
        id.require("runner-environment", Matcher::regex(".+").unwrap(), "test");
        id.require("build-trigger", Matcher::Exact("push".into()), "test");
        id.require(
            "source-repository-ref",
            Matcher::Exact(String::new()),
            "test",
        );
        let m = id.mismatches(&claims("x"));
        assert_eq!(
            m.len(),
            3,
            "an empty exact value does not match an absent claim"
        );
        assert_eq!(m[0].actual, None);
        let mut any = Identity::default();
        any.require("runner-environment", Matcher::regex(".*").unwrap(), "test");
        assert!(any.mismatches(&claims("x")).is_empty());
    }
}
