//! The resolved intermediate representation: plain data, serde, no behaviour
//! beyond parameter instantiation.
//!
//! `lower` builds it from the AST once every name is resolved and every value
//! validated; `eval` consumes it and may trust it: ids index the vectors they
//! name, patterns compile, JSONPaths and regexes parse, thresholds lie in
//! `1..=functionaries`. Strings marked "template" may still hold `{param}`
//! placeholders until `eval` instantiates the layout with parameter values; `{{` and `}}`
//! stand for literal braces. `cairn compile` prints this as JSON; the schema
//! is documented in `docs/ir.md` and versioned by [`IR_VERSION`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use cairn_base::source::Span;

/// Version of the IR JSON schema; bumped on any incompatible change.
pub const IR_VERSION: u32 = 1;

/// Index of a key in [`Layout::keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct KeyId(pub u32);

/// Index of a step in [`Layout::steps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StepId(pub u32);

/// Index of an inspection in [`Layout::inspections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InspectionId(pub u32);

/// A whole resolved policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// Always [`IR_VERSION`] when produced by this build.
    pub ir_version: u32,
    /// The layout's name (`layout "NAME" { ... }`).
    pub name: String,
    /// Where the layout header stands in the policy source.
    pub span: Span,
    /// Expiry instant; `now >= expires` is expired (DESIGN decision 3).
    pub expires: Option<Expiry>,
    /// Free text shown to humans.
    pub readme: Option<String>,
    /// Every declared key, in declaration order; indexed by [`KeyId`].
    pub keys: Vec<Key>,
    /// Every declared identity, in declaration order. Signers are numbered
    /// keys first, then identities: the [`KeyId`] `keys.len() + i` is
    /// `identities[i]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Identity>,
    /// The Sigstore trusted root the policy names, resolved against the
    /// policy's directory (`--trusted-root` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_root: Option<TrustRootRef>,
    /// Every declared parameter, in declaration order.
    pub params: Vec<Param>,
    /// Every step, in declaration order; indexed by [`StepId`].
    pub steps: Vec<Step>,
    /// Every inspection, in declaration order; indexed by [`InspectionId`].
    pub inspections: Vec<Inspection>,
    /// The step whose products must include the artifact given to `verify`.
    pub artifact: Option<FinalArtifact>,
    /// What a VSA says about the verifier and the levels reached.
    pub summary: Option<Summary>,
}

impl Layout {
    /// The name of the signer (key or identity) at `index` (a [`KeyId`]'s value).
    pub fn signer_name(&self, index: usize) -> Option<&str> {
        match self.keys.get(index) {
            Some(k) => Some(&k.name),
            None => self
                .identities
                .get(index.checked_sub(self.keys.len())?)
                .map(|i| i.name.as_str()),
        }
    }

    /// The identity at signer `index`, if it is one.
    pub fn identity(&self, index: usize) -> Option<&Identity> {
        self.identities.get(index.checked_sub(self.keys.len())?)
    }

    /// The name of the step or inspection a MATCH rule looks at.
    pub fn target_name(&self, target: Target) -> Option<&str> {
        let index = |id: u32| usize::try_from(id).ok();
        match target {
            Target::Step(id) => index(id.0)
                .and_then(|i| self.steps.get(i))
                .map(|s| s.name.as_str()),
            Target::Inspection(id) => index(id.0)
                .and_then(|i| self.inspections.get(i))
                .map(|s| s.name.as_str()),
        }
    }
}

/// The expiry instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// RFC 3339 UTC text, normalised to `YYYY-MM-DDTHH:MM:SSZ`.
    pub text: String,
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// The `expires` clause in the source.
    pub span: Span,
}

/// A public key a functionary signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// The name the policy gives it (`key alice = ...`).
    pub name: String,
    /// securesystemslib key type: `ed25519`, `ecdsa` or `rsa`.
    pub keytype: String,
    /// securesystemslib signature scheme, e.g. `ed25519`,
    /// `ecdsa-sha2-nistp256`, `rsassa-pss-sha256`, `rsa-pkcs1v15-sha256`.
    pub scheme: String,
    /// Public key: 64 lowercase hex characters for ed25519, a PEM
    /// SubjectPublicKeyInfo (with trailing newline) otherwise.
    pub public: String,
    /// Keyid by the modern securesystemslib formula (no `keyid_hash_algorithms`).
    pub keyid: String,
    /// Keyid by the legacy formula (with `keyid_hash_algorithms`).
    pub legacy_keyid: String,
    /// The declaration in the source.
    pub span: Span,
}

/// A signer known by the claims of a Sigstore certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name the policy gives it (`identity release = sigstore { ... }`).
    pub name: String,
    /// Every constraint, gh's shorthands expanded; all must hold.
    pub constraints: Vec<ClaimConstraint>,
    /// The declaration in the source.
    pub span: Span,
}

/// One constraint of an identity: a claim of the certificate (`san`,
/// `issuer`, `source-repository-uri`, ...) exactly or by a regex anchored
/// at both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimConstraint {
    /// The claim's name.
    pub claim: String,
    /// The value, or the regex source when `regex`.
    pub value: String,
    /// Whether `value` is a regex (anchored at both ends).
    pub regex: bool,
    /// The clause it comes from, as written (`owner "acme"`).
    pub origin: String,
    /// The clause in the source.
    pub span: Span,
}

/// `trust-root "FILE"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRootRef {
    /// The path as written.
    pub path: String,
    /// The path resolved against the policy's directory.
    pub resolved: String,
    /// The clause in the source.
    pub span: Span,
}

/// A parameter, overridable on the command line with `--param NAME=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The parameter's name.
    pub name: String,
    /// Default value, if the policy gives one (a plain string, no placeholders).
    pub default: Option<String>,
    /// The declaration in the source.
    pub span: Span,
}

/// Who must sign: `threshold` distinct keys among `keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Functionaries {
    /// Authorised keys, distinct, in the order written.
    pub keys: Vec<KeyId>,
    /// How many distinct keys must have produced valid evidence; `1..=keys.len()`.
    pub threshold: u32,
    /// The `by` clause in the source.
    pub span: Span,
}

/// A step of the supply chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The step's name; a link for this step must carry this `name`.
    pub name: String,
    /// The step header in the source.
    pub span: Span,
    /// Who performs the step (for links and for attestations without their own `by`).
    pub by: Functionaries,
    /// Expected command (each element a template); compared as a warning only.
    pub command: Option<Command>,
    /// Rules over the materials of the step's links; `None`: no block, anything accepted.
    pub materials: Option<RuleList>,
    /// Rules over the products of the step's links; `None`: no block, anything accepted.
    pub products: Option<RuleList>,
    /// Attestations (by predicate type) the step must produce besides or instead of a link.
    pub attestations: Vec<ExpectedAttestation>,
    /// True when the step expects a link (a classic link or a link/v0.3 Statement):
    /// it has no `attestation` block, or one whose type is the link predicate.
    pub expects_link: bool,
}

/// An expected command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// The arguments, each a template.
    pub argv: Vec<String>,
    /// The `command` clause in the source.
    pub span: Span,
}

/// Which artifact list of an attestation a rule list or a MATCH refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Inputs: link materials, provenance `resolvedDependencies`, subjects of
    /// informational predicates.
    Materials,
    /// Outputs: link products, provenance subjects.
    Products,
}

impl Side {
    /// `materials` or `products`: the policy's block and a link's member.
    pub fn name(self) -> &'static str {
        match self {
            Side::Materials => "materials",
            Side::Products => "products",
        }
    }
}

/// An ordered list of artifact rules, ended by an implicit `disallow "*"`
/// (DESIGN decision 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleList {
    /// The rules in order.
    pub rules: Vec<Rule>,
    /// The `materials { ... }` / `products { ... }` block in the source.
    pub span: Span,
}

/// One artifact rule, with in-toto's queue semantics (`reference/in-toto.md` 2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// What the rule does.
    pub kind: RuleKind,
    /// The rule in the source.
    pub span: Span,
}

/// The seven in-toto rule kinds. Patterns and names are templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "lowercase")]
pub enum RuleKind {
    /// Consumes queued names matching `pattern` that are products but not materials.
    Create { pattern: String },
    /// Consumes queued names matching `pattern` that are materials but not products.
    Delete { pattern: String },
    /// Consumes queued names matching `pattern` present on both sides with different digests.
    Modify { pattern: String },
    /// Consumes queued names matching `pattern`.
    Allow { pattern: String },
    /// Fails if any queued name matches `pattern`.
    Disallow { pattern: String },
    /// Fails unless the literal `name` is still queued.
    Require { name: String },
    /// Consumes queued names (under `src_prefix`, stripped, matching `pattern`)
    /// whose digests equal those of the same names (under `dst_prefix`) in the
    /// `side` of the attestations of `from`.
    Match {
        pattern: String,
        src_prefix: Option<String>,
        side: Side,
        dst_prefix: Option<String>,
        from: Target,
    },
}

/// What a MATCH rule looks at: a step or an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Target {
    /// A step of this layout.
    Step(StepId),
    /// An inspection of this layout.
    Inspection(InspectionId),
}

/// An attestation a step must produce, identified by predicate type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedAttestation {
    /// The full predicate type URI.
    pub predicate_type: String,
    /// The alias written in the source, if one was (`slsa-provenance/v1`).
    pub alias: Option<String>,
    /// The `attestation` header in the source.
    pub span: Span,
    /// Own functionaries; `None` means the step's.
    pub by: Option<Functionaries>,
    /// Rules over this attestation's materials (see [`Side::Materials`]).
    pub materials: Option<RuleList>,
    /// Rules over this attestation's products (see [`Side::Products`]).
    pub products: Option<RuleList>,
    /// Checks over the predicate.
    pub checks: Vec<Check>,
}

/// A predicate check: `require|warn [all|any|count] PATH OP ...`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// `deny` fails verification; `warn` only reports.
    pub level: Level,
    /// A JSONPath (RFC 9535 syntax, validated) rooted at `$`: into the
    /// predicate, or into the whole Statement when `root` says so. Empty for
    /// a [`Test::Cel`] check.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// What `$` of the path stands for: the predicate (the default, left out
    /// of the JSON form) or the Statement (`statement.subject[0].name`).
    #[serde(default, skip_serializing_if = "Root::is_predicate")]
    pub root: Root,
    /// How the values the path selects are combined.
    pub quantifier: Quantifier,
    /// The test applied.
    pub test: Test,
    /// The check in the source.
    pub span: Span,
}

/// What a check's path is rooted at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Root {
    /// The predicate (`$`).
    #[default]
    Predicate,
    /// The whole Statement (`statement`): `_type`, `subject`,
    /// `predicateType` and `predicate`; a classic link is seen as the
    /// `link/v0.3` Statement it amounts to (see docs/language.md).
    Statement,
}

impl Root {
    /// True for [`Root::Predicate`] (the default).
    pub fn is_predicate(&self) -> bool {
        *self == Root::Predicate
    }
}

/// As derived, without `root` when it is the predicate and `path` when it is
/// empty (a CEL check), as the JSON form leaves them out: `cairn dump ir`
/// of a policy without either is what it was before they existed.
impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Check");
        d.field("level", &self.level);
        if !self.path.is_empty() {
            d.field("path", &self.path);
        }
        if !self.root.is_predicate() {
            d.field("root", &self.root);
        }
        d.field("quantifier", &self.quantifier)
            .field("test", &self.test)
            .field("span", &self.span)
            .finish()
    }
}

impl Check {
    /// The path as the policy writes it: `$...`, or `statement...` for a
    /// path into the Statement; for a CEL check, its expression.
    pub fn shown_path(&self) -> String {
        match (&self.test, self.root) {
            (Test::Cel { expr, .. }, _) => expr.clone(),
            (_, Root::Predicate) => self.path.clone(),
            (_, Root::Statement) => format!(
                "statement{}",
                self.path.strip_prefix('$').unwrap_or(&self.path)
            ),
        }
    }
}

/// Severity of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A failure fails verification.
    Deny,
    /// A failure is reported as a warning.
    Warn,
}

/// How the values a path selects meet the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantifier {
    /// The path must select exactly one value, which must pass (the default).
    One,
    /// Every selected value passes, and at least one is selected.
    All,
    /// At least one selected value passes.
    Any,
    /// The number of selected values is compared (`test` is a [`Test::Compare`]
    /// against an integer).
    Count,
}

/// The test of a check. Literal strings in values are templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum Test {
    /// `OP VALUE` with `==`, `!=`, `<`, `<=`, `>`, `>=`.
    Compare {
        op: CompareOp,
        value: serde_json::Value,
    },
    /// `in [V, ...]`.
    In { values: Vec<serde_json::Value> },
    /// `matches "REGEX"` (Rust regex syntax, validated; unanchored unless the regex anchors).
    Matches { regex: String },
    /// `exists`: the path selects at least one value.
    Exists,
    /// `is empty`: present and an empty string, array or object.
    IsEmpty,
    /// `is not empty`: present and not an empty string, array or object.
    IsNotEmpty,
    /// `cel "EXPR"`: a CEL expression over the Statement (its `_type`,
    /// `subject`, `predicateType` and `predicate`) that must evaluate to
    /// `true`; compiled and bounded by [`crate::cel`]. The check's `path` is
    /// empty and its quantifier `one`.
    Cel {
        /// The expression.
        expr: String,
        /// `if present`: the check passes when the expression reads a field
        /// or variable the Statement lacks (attestation-verifier's
        /// `allowIfNoClaim`); otherwise that fails it, as any error does.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        if_present: bool,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    /// `==`
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
}

impl CompareOp {
    /// The operator as the language writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A classic inspection: a command the verifier runs, only with `--run-inspections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// The inspection's name.
    pub name: String,
    /// The inspection header in the source.
    pub span: Span,
    /// The command to run (templates).
    pub run: Command,
    /// Rules over the files present before the command.
    pub materials: Option<RuleList>,
    /// Rules over the files present after the command.
    pub products: Option<RuleList>,
}

/// `artifact from STEP`: the verified artifact must be among STEP's products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalArtifact {
    /// The step.
    pub step: StepId,
    /// The clause in the source.
    pub span: Span,
}

/// What a VSA reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `verifier.id` of the VSA.
    pub verifier: String,
    /// `verifiedLevels` of the VSA.
    pub levels: Vec<String>,
    /// The clause in the source.
    pub span: Span,
}

/// A parameter a template refers to but that has neither a value nor a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingParam {
    /// The parameter's name.
    pub name: String,
    /// Where the template that needs it stands.
    pub span: Span,
}

/// Substitutes `{name}` placeholders in `template`; `{{`/`}}` are literal
/// braces. Returns the names that have no value.
pub fn substitute(
    template: &str,
    values: &BTreeMap<String, String>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(template.len());
    let mut missing = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let tail = rest.get(pos..).unwrap_or("");
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let end = after.find('}').unwrap_or(after.len());
            let name = after.get(..end).unwrap_or("");
            match values.get(name) {
                Some(v) => out.push_str(v),
                None => missing.push(name.to_string()),
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            // A lone `}`: lowering refuses it, keep it literal here.
            out.push('}');
            rest = tail.get(1..).unwrap_or("");
        }
    }
    out.push_str(rest);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_replaces_and_unescapes() {
        let values = BTreeMap::from([("repo".to_string(), "foo".to_string())]);
        assert_eq!(
            substitute("git {repo} {{x}}", &values),
            Ok("git foo {x}".into())
        );
        assert_eq!(
            substitute("{nope}-{repo}", &values),
            Err(vec!["nope".into()])
        );
        assert_eq!(substitute("plain", &values), Ok("plain".into()));
    }
}
