//! Lowering errors (`E2xx`): a policy that parses but means nothing valid.
//!
//! Every variant has a stable code, a labelled span and a help line; the
//! codes are documented in `docs/diagnostics.md`.

use miette::Diagnostic;
use thiserror::Error;

use cairn_base::source::Span;

/// A semantic error in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum LowerError {
    /// `from NAME` or `artifact from NAME` names nothing.
    #[error("no {what} named `{name}`")]
    #[diagnostic(code(E200), help("{help}"))]
    UnknownTarget {
        /// "step or inspection" or "step".
        what: &'static str,
        /// The name.
        name: String,
        /// Where.
        #[label("not declared")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// An identity of a kind cairn does not know.
    #[error("unknown identity kind `{kind}`")]
    #[diagnostic(
        code(E235),
        help("identities are `sigstore` (a Fulcio certificate's claims): `identity NAME = sigstore {{ issuer \"...\" san matches \"...\" }}`")
    )]
    IdentityKind {
        /// The kind as written.
        kind: String,
        /// Where.
        #[label("not `sigstore`")]
        span: Span,
    },

    /// An identity constrains a claim no certificate carries.
    #[error("no claim named `{claim}`")]
    #[diagnostic(code(E236), help("{help}; docs/sigstore.md lists the claims"))]
    UnknownClaim {
        /// The name as written.
        claim: String,
        /// Where.
        #[label("not a certificate claim or gh shorthand")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// An identity's constraint that cannot be used as written.
    #[error("identity claim `{claim}` {reason}")]
    #[diagnostic(
        code(E237),
        help("write `CLAIM \"VALUE\"` (exact) or `CLAIM matches \"REGEX\"` (anchored at both ends); gh's shorthands take gh's values (`owner \"acme\"`, `repo \"acme/app\"`)")
    )]
    BadClaim {
        /// The claim.
        claim: String,
        /// What is wrong.
        reason: String,
        /// Where.
        #[label("here")]
        span: Span,
    },

    /// `by NAME` names no key.
    #[error("no key named `{name}`")]
    #[diagnostic(code(E201), help("{help}"))]
    UnknownKey {
        /// The name.
        name: String,
        /// Where.
        #[label("not declared")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// `{name}` names no parameter.
    #[error("no parameter named `{name}`")]
    #[diagnostic(code(E202), help("{help}"))]
    UnknownParam {
        /// The name.
        name: String,
        /// Where.
        #[label("in this string")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// Two declarations share a name.
    #[error("{what} `{name}` is declared twice")]
    #[diagnostic(
        code(E203),
        help("give each {what} its own name{}", if matches!(*what, "step" | "inspection") { " (steps and inspections share one namespace)" } else { "" })
    )]
    DuplicateName {
        /// "step", "key", ...
        what: &'static str,
        /// The name.
        name: String,
        /// The second declaration.
        #[label("declared again here")]
        span: Span,
        /// The first declaration.
        #[label("first declared here")]
        first: Span,
    },

    /// A clause that may appear once appears twice.
    #[error("`{what}` is given twice in the same block")]
    #[diagnostic(code(E204), help("keep one `{what}` and merge what the other says"))]
    DuplicateClause {
        /// The clause keyword (or attestation type).
        what: String,
        /// The second clause.
        #[label("given again here")]
        span: Span,
        /// The first clause.
        #[label("first given here")]
        first: Span,
    },

    /// `by K of ...` with K outside `1..=n`.
    #[error("threshold {threshold} is not between 1 and {count}, the number of functionaries")]
    #[diagnostic(
        code(E205),
        help("a threshold counts distinct keys among those listed: write `by K of A, B, ...` with 1 <= K <= the number of names")
    )]
    ThresholdRange {
        /// K.
        threshold: u64,
        /// n.
        count: usize,
        /// The threshold.
        #[label("out of range")]
        span: Span,
    },

    /// A key listed twice in one `by`.
    #[error("key `{name}` is listed twice")]
    #[diagnostic(
        code(E206),
        help("a threshold counts distinct keys; list each key once")
    )]
    DuplicateFunctionary {
        /// The name.
        name: String,
        /// The second mention.
        #[label("listed again")]
        span: Span,
    },

    /// An artifact pattern that does not compile.
    #[error("malformed pattern `{pattern}`: {reason}")]
    #[diagnostic(
        code(E207),
        help("patterns follow Python fnmatch: `*`, `?`, `[abc]`, `[!abc]`; close every `[`")
    )]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("malformed")]
        span: Span,
    },

    /// A JSONPath that does not parse.
    #[error("invalid JSONPath `{path}`")]
    #[diagnostic(code(E208), help("{reason}"))]
    BadJsonPath {
        /// The path (shortened).
        path: String,
        /// The parser's complaint.
        reason: String,
        /// Where the parser stopped.
        #[label("here")]
        span: Span,
    },

    /// A JSONPath above the length limit.
    #[error("JSONPath is {len} bytes long, the limit is {limit}")]
    #[diagnostic(
        code(E209),
        help("check a smaller part of the predicate, or split the check in two")
    )]
    JsonPathTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
        /// Where.
        #[label("too long")]
        span: Span,
    },

    /// A regex that does not compile.
    #[error("invalid regular expression `{regex}`")]
    #[diagnostic(code(E210), help("{reason}"))]
    BadRegex {
        /// The regex (shortened).
        regex: String,
        /// The regex crate's complaint, on one line.
        reason: String,
        /// Where.
        #[label("does not compile")]
        span: Span,
    },

    /// `expires` that is not an RFC 3339 UTC timestamp.
    #[error("invalid expiry `{text}`: {reason}")]
    #[diagnostic(
        code(E211),
        help("write an RFC 3339 UTC timestamp in whole seconds, e.g. `2027-12-31T00:00:00Z`")
    )]
    BadTimestamp {
        /// The text.
        text: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("not a UTC timestamp")]
        span: Span,
    },

    /// `file "..."` that cannot be read.
    #[error("cannot read key file `{path}`: {reason}")]
    #[diagnostic(
        code(E212),
        help("the path is relative to the policy file's folder (to the current directory for a policy read from standard input or a pipe)")
    )]
    KeyFileUnreadable {
        /// The path as resolved.
        path: String,
        /// The I/O error.
        reason: String,
        /// Where.
        #[label("this file")]
        span: Span,
    },

    /// Key material that does not parse.
    #[error("malformed key `{name}`: {reason}")]
    #[diagnostic(
        code(E213),
        help("`ed25519` takes 64 hex digits; `pem` and `file` take a `-----BEGIN PUBLIC KEY-----` block (Ed25519, ECDSA on P-256, P-384 or P-521, or RSA of 2048 bits or more); `file` also takes 32 raw bytes of an Ed25519 key or a binary DER public key")
    )]
    BadKey {
        /// The key's name.
        name: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("this key material")]
        span: Span,
    },

    /// Two keys with the same key material.
    #[error("keys `{name}` and `{first_name}` are the same key")]
    #[diagnostic(
        code(E214),
        help("one key counted under two names would let one signer meet a threshold twice; declare it once")
    )]
    DuplicateKeyMaterial {
        /// The second key.
        name: String,
        /// The first key.
        first_name: String,
        /// The second declaration.
        #[label("same key material as `{first_name}`")]
        span: Span,
        /// The first declaration.
        #[label("first declared here")]
        first: Span,
    },

    /// `key NAME = KIND` with an unknown KIND.
    #[error("unknown key kind `{kind}`")]
    #[diagnostic(code(E215), help("{help}"))]
    UnknownKeyKind {
        /// The kind.
        kind: String,
        /// Where.
        #[label("expected `ed25519`, `pem` or `file`")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// A signature scheme the key type does not support.
    #[error("scheme `{scheme}` does not fit key type `{keytype}`")]
    #[diagnostic(code(E216), help("{help}"))]
    BadScheme {
        /// The scheme.
        scheme: String,
        /// The key type.
        keytype: &'static str,
        /// Where.
        #[label("not a scheme for `{keytype}`")]
        span: Span,
        /// The valid schemes.
        help: String,
    },

    /// An attestation alias not in the table.
    #[error("unknown predicate type alias `{alias}`")]
    #[diagnostic(code(E217), help("{help}"))]
    UnknownAlias {
        /// The alias.
        alias: String,
        /// Where.
        #[label("not a known alias")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// An unknown rule verb.
    #[error("unknown rule `{verb}`")]
    #[diagnostic(code(E218), help("{help}"))]
    UnknownVerb {
        /// The verb.
        verb: String,
        /// Where.
        #[label("not a rule")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// A rule with a tail it cannot take, or a MATCH without one.
    #[error("{message}")]
    #[diagnostic(code(E219), help("{help}"))]
    MalformedRule {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// The right form.
        help: String,
    },

    /// `with SIDE` where SIDE is not `materials` or `products`.
    #[error("unknown artifact side `{side}`")]
    #[diagnostic(code(E220), help("{help}"))]
    UnknownSide {
        /// The side.
        side: String,
        /// Where.
        #[label("expected `materials` or `products`")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// A check that starts with neither `require` nor `warn`.
    #[error("unknown check level `{level}`")]
    #[diagnostic(code(E221), help("{help}"))]
    UnknownLevel {
        /// The level.
        level: String,
        /// Where.
        #[label("expected `require` or `warn`")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// A quantifier other than `all`, `any`, `count`.
    #[error("unknown quantifier `{quantifier}`")]
    #[diagnostic(code(E222), help("{help}"))]
    UnknownQuantifier {
        /// The quantifier.
        quantifier: String,
        /// Where.
        #[label("expected `all`, `any` or `count`")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// `count PATH` with a test other than a comparison with a whole number.
    #[error("`count` needs a comparison with a whole number")]
    #[diagnostic(code(E223), help("write e.g. `require count $.subjects[*] >= 1`"))]
    BadCount {
        /// The test.
        #[label("not a comparison with a whole number")]
        span: Span,
    },

    /// A `{...}` placeholder that is not well formed.
    #[error("malformed placeholder in string: {reason}")]
    #[diagnostic(
        code(E224),
        help(
            "`{{name}}` inserts the parameter `name`; write `{{{{` and `}}}}` for literal braces"
        )
    )]
    BadTemplate {
        /// Why.
        reason: String,
        /// Where.
        #[label("in this string")]
        span: Span,
    },

    /// A step without `by`.
    #[error("step `{step}` has no functionaries")]
    #[diagnostic(
        code(E225),
        help("say who performs the step: `by KEY` or `by K of KEY, KEY, ...`")
    )]
    NoFunctionaries {
        /// The step.
        step: String,
        /// Its header.
        #[label("needs a `by` clause")]
        span: Span,
    },

    /// A layout without steps.
    #[error("layout has no steps")]
    #[diagnostic(
        code(E226),
        help("a layout with nothing to check could never fail; declare at least one `step`")
    )]
    NoSteps {
        /// The header.
        #[label("no `step` in this layout")]
        span: Span,
    },

    /// An inspection without `run`.
    #[error("inspection `{name}` has no command")]
    #[diagnostic(code(E227), help("add `run \"CMD\" \"ARG\" ...`"))]
    NoRun {
        /// The inspection.
        name: String,
        /// Its header.
        #[label("needs a `run` clause")]
        span: Span,
    },

    /// A number that is out of range or not valid JSON.
    #[error("invalid number `{text}`: {reason}")]
    #[diagnostic(code(E228), help("write a JSON number within range"))]
    BadNumber {
        /// The text.
        text: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("this number")]
        span: Span,
    },

    /// A summary without `verifier`.
    #[error("summary has no verifier")]
    #[diagnostic(code(E229), help("add `verifier \"URI\"`: the VSA names who verified"))]
    NoVerifier {
        /// The summary.
        #[label("needs a `verifier` clause")]
        span: Span,
    },

    /// `<`, `<=`, `>`, `>=` with a value that is not a number.
    #[error("`{op}` compares numbers only")]
    #[diagnostic(
        code(E230),
        help("compare with a number, or use `==`, `!=`, `in [...]` or `matches` for other values")
    )]
    OrderNeedsNumber {
        /// The operator.
        op: String,
        /// The value.
        #[label("not a number")]
        span: Span,
    },

    /// A predicate type string that is not an absolute URI.
    #[error("predicate type `{uri}` is not an absolute URI")]
    #[diagnostic(
        code(E231),
        help("write the full type URI, e.g. `\"https://slsa.dev/provenance/v1\"`, or a known alias without quotes")
    )]
    BadTypeUri {
        /// The string.
        uri: String,
        /// Where.
        #[label("not a URI")]
        span: Span,
    },

    /// Step-level rules in a step that expects no link.
    #[error("step `{step}` has link rules but expects no link")]
    #[diagnostic(
        code(E232),
        help("step-level `materials`/`products` apply to links; move them into an `attestation` block, or add `attestation link/v0.3 {{}}`")
    )]
    RulesWithoutLink {
        /// The step.
        step: String,
        /// The rule block.
        #[label("applies to links only")]
        span: Span,
    },

    /// A JSONPath with more than one descendant segment (`..`), whose cost
    /// grows with the predicate's size times its depth for each extra one.
    #[error("JSONPath has {count} descendant segments (`..`), the limit is 1")]
    #[diagnostic(
        code(E234),
        help("each `..` multiplies the work by the predicate's size; name the path down to the part you check and keep one `..` at most")
    )]
    JsonPathTooCostly {
        /// How many `..` the path has.
        count: usize,
        /// The second `..`.
        #[label("a second descendant segment")]
        span: Span,
    },

    /// Two steps expect the same predicate type from a common signer, so one
    /// attestation would count as the evidence of both.
    #[error("steps {steps} both accept {what}")]
    #[diagnostic(
        code(E233),
        help("an attestation names no step, so one attestation would count for both steps; give the steps different signers, or check everything in one step")
    )]
    SharedAttestation {
        /// The two steps, quoted: "`build` and `release`".
        steps: String,
        /// The predicate type and a common signer, quoted.
        what: String,
        /// The later attestation block.
        #[label("would be satisfied by the same attestation")]
        span: Span,
        /// The earlier attestation block.
        #[label("as this one")]
        first: Span,
    },

    /// A CEL expression that does not parse.
    #[error("invalid CEL expression: {reason}")]
    #[diagnostic(
        code(E240),
        help("a CEL check reads `require cel \"EXPR\"`, e.g. `require cel \"size(subject) != 0\"`; inside the policy's string, write CEL's own strings in single quotes")
    )]
    BadCel {
        /// cel-rust's complaint.
        reason: String,
        /// Where in the expression.
        #[label("here")]
        span: Span,
    },

    /// A CEL expression beyond a bound of cairn's.
    #[error("CEL expression refused: {reason}")]
    #[diagnostic(
        code(E241),
        help("split the check in several, or use native checks (`require all PATH ...`) for what they can say")
    )]
    CelTooCostly {
        /// The bound passed.
        reason: String,
        /// Where in the expression.
        #[label("here")]
        span: Span,
    },

    /// A CEL expression reading a variable cairn does not give it.
    #[error("unknown variable in CEL expression: {reason}")]
    #[diagnostic(
        code(E242),
        help("a CEL check sees the Statement: `_type`, `subject`, `predicateType` and `predicate` (a classic link's members are `predicate`'s)")
    )]
    CelUnknownVariable {
        /// What is unknown.
        reason: String,
        /// Where in the expression.
        #[label("not a variable")]
        span: Span,
    },

    /// An imported file that cannot be read.
    #[error("cannot import `{path}` (resolved to `{resolved}`): {reason}")]
    #[diagnostic(
        code(E260),
        help("an import path is relative to the folder of the file that imports it")
    )]
    ImportUnreadable {
        /// The path as written.
        path: String,
        /// The path as resolved against the importing file's folder.
        resolved: String,
        /// Why it could not be read.
        reason: String,
        /// The path in the import.
        #[label("imported here")]
        span: Span,
    },

    /// `checks NAME` names no check set.
    #[error("no check set named `{name}`")]
    #[diagnostic(code(E261), help("{help}"))]
    UnknownSet {
        /// The name as written.
        name: String,
        /// Where.
        #[label("not declared")]
        span: Span,
        /// Suggestion.
        help: String,
    },

    /// Two imports of one file share a name, or import the same file.
    #[error("{what}")]
    #[diagnostic(code(E262), help("import each file once, each under its own name"))]
    ImportClash {
        /// What clashes.
        what: String,
        /// The second import.
        #[label("imported again here")]
        span: Span,
        /// The first import.
        #[label("first imported here")]
        first: Span,
    },

    /// A check set used in an attestation (or set) of another predicate type.
    #[error("check set `{name}` is for `{set_type}`, not `{used_type}`")]
    #[diagnostic(
        code(E264),
        help("a set's JSONPaths read one predicate type; use it in an `attestation {set_type}` block")
    )]
    SetType {
        /// The set as written.
        name: String,
        /// The set's predicate type.
        set_type: String,
        /// The predicate type where it is used.
        used_type: String,
        /// The use.
        #[label("used here")]
        span: Span,
    },

    /// A check set that includes itself, directly or through other sets.
    #[error("check set `{name}` includes itself: {cycle}")]
    #[diagnostic(
        code(E265),
        help("a set may include other sets, never itself; remove one of the `checks` lines of the cycle")
    )]
    SetCycle {
        /// The set.
        name: String,
        /// The chain of sets, `a -> b -> a`.
        cycle: String,
        /// The `checks` line that closes the cycle.
        #[label("closes the cycle")]
        span: Span,
        /// The set's declaration.
        #[label("this set")]
        first: Span,
    },

    /// An import path cairn refuses.
    #[error("cannot import `{path}`: {reason}")]
    #[diagnostic(
        code(E266),
        help("write a path relative to this file's folder (`../` may climb out of it), e.g. `import \"../baselines/slsa-l3.cairn\" as slsa`")
    )]
    ImportPath {
        /// The path as written.
        path: String,
        /// Why it is refused.
        reason: String,
        /// The path in the import.
        #[label("refused")]
        span: Span,
    },

    /// An imported file that is a layout, not a library.
    #[error("`{path}` is a layout, not a library")]
    #[diagnostic(
        code(E267),
        help("only a `library \"NAME\" {{ ... }}` file can be imported; move what policies share into one")
    )]
    NotALibrary {
        /// The path as written.
        path: String,
        /// The path in the import.
        #[label("imported here")]
        span: Span,
    },

    /// A library given where a policy is needed.
    #[error("`{name}` is a library, not a policy")]
    #[diagnostic(
        code(E269),
        help("a library holds what policies import (`import \"PATH\" as NAME`); `cairn check` and `cairn lint` take it on its own, `compile` and `verify` a policy that imports it")
    )]
    IsALibrary {
        /// The library's name.
        name: String,
        /// The library header.
        #[label("a library")]
        span: Span,
    },
}
