//! The spanned syntax tree of a policy, exactly as written.
//!
//! Value slots are kept as written (identifiers, strings, number text): the
//! grammar is permissive and `lower` decides what is valid. Every node carries
//! a [`Loc`], and a `Loc` compares equal to every other `Loc`, so spans never
//! affect equality: `parse(fmt(x)) == parse(x)` compares structure only.

use std::fmt;

use cairn_base::source::Span;

/// A node's place in the source; equal to every other `Loc`.
#[derive(Clone, Copy, Default)]
pub struct Loc(pub Span);

impl Loc {
    /// The span.
    pub fn span(self) -> Span {
        self.0
    }
}

impl PartialEq for Loc {
    fn eq(&self, _: &Loc) -> bool {
        true
    }
}

impl Eq for Loc {}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}..{}", self.0.start, self.0.end)
    }
}

/// A name as written (`alice`, `build`, `require`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where it stands.
    pub loc: Loc,
}

/// A string literal, escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    /// The decoded value.
    pub value: String,
    /// Where the literal (with its quotes) stands.
    pub loc: Loc,
}

/// A token kept as text for `lower` to interpret (numbers, timestamps, paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The text as written.
    pub text: String,
    /// Where it stands.
    pub loc: Loc,
}

/// A comment, `#` included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The text from `#` to the end of the line.
    pub text: String,
    /// Where it stands.
    pub loc: Loc,
}

/// A parsed file: its imports, the layout (or library) and its comments
/// (kept apart for the formatter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// `import "PATH" as NAME` lines, in source order.
    pub imports: Vec<ImportDecl>,
    /// True when the block is a `library "NAME" { ... }`: then `layout`
    /// holds its name and items (keys, identities, check sets).
    pub library: bool,
    /// The layout, or the library.
    pub layout: Layout,
    /// Every comment, in source order.
    pub comments: Vec<Comment>,
}

/// `import "PATH" as NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDecl {
    /// The path as written, relative to the importing file's folder.
    pub path: Str,
    /// The name the file's contents are used by (`NAME.key`).
    pub alias: Ident,
    /// The whole line.
    pub loc: Loc,
}

/// `checks NAME for TYPE { ... }`: a named set of checks (in a library).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSetDecl {
    /// The set's name.
    pub name: Ident,
    /// The predicate type its checks read.
    pub predicate_type: TypeRef,
    /// The checks and the sets it includes, in source order.
    pub items: Vec<SetItem>,
    /// `checks NAME for TYPE`.
    pub header: Loc,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of a check set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetItem {
    /// A predicate check.
    Check(CheckDecl),
    /// `checks NAME`: every check of another set.
    Use(UseDecl),
}

impl SetItem {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            SetItem::Check(c) => c.loc,
            SetItem::Use(u) => u.loc,
        }
    }
}

/// `checks NAME` or `checks IMPORT.NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseDecl {
    /// The set's name as written (`slsa.build_l3`).
    pub name: Ident,
    /// The whole clause.
    pub loc: Loc,
}

/// `layout "NAME" { ... }` (or `library "NAME" { ... }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The name.
    pub name: Str,
    /// The clauses, in source order.
    pub items: Vec<Item>,
    /// `layout "NAME"`.
    pub header: Loc,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `expires TIMESTAMP`.
    Expires(Clause<Token>),
    /// `readme "TEXT"`.
    Readme(Clause<Str>),
    /// `trust-root "FILE"`.
    TrustRoot(Clause<Str>),
    /// `key ...`.
    Key(KeyDecl),
    /// `identity NAME = sigstore { ... }`.
    Identity(IdentityDecl),
    /// `param ...`.
    Param(ParamDecl),
    /// `step ...`.
    Step(StepDecl),
    /// `inspection ...`.
    Inspection(InspectionDecl),
    /// `artifact from STEP`.
    Artifact(Clause<Ident>),
    /// `summary { ... }`.
    Summary(SummaryDecl),
    /// `checks NAME for TYPE { ... }` (libraries only).
    CheckSet(CheckSetDecl),
}

/// A keyword clause with one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause<T> {
    /// The value.
    pub value: T,
    /// The whole clause.
    pub loc: Loc,
}

/// `key NAME = KIND "VALUE" [scheme "SCHEME"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDecl {
    /// The key's name.
    pub name: Ident,
    /// `ed25519`, `pem` or `file` (checked by `lower`).
    pub kind: Ident,
    /// Hex, PEM text or a path.
    pub value: Str,
    /// Optional signature scheme.
    pub scheme: Option<Str>,
    /// The whole declaration.
    pub loc: Loc,
}

/// `identity NAME = KIND { CLAIM* }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDecl {
    /// The identity's name.
    pub name: Ident,
    /// `sigstore` (checked by `lower`).
    pub kind: Ident,
    /// The constraints, in source order.
    pub claims: Vec<ClaimDecl>,
    /// `identity NAME = KIND`.
    pub header: Loc,
    /// The whole declaration.
    pub loc: Loc,
}

/// One constraint of an identity: `NAME "VALUE"`, `NAME matches "REGEX"`,
/// or a bare `NAME` (a flag such as `deny-self-hosted-runners`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDecl {
    /// The claim or shorthand.
    pub name: Ident,
    /// True for `matches`.
    pub regex: bool,
    /// The value, if any.
    pub value: Option<Str>,
    /// The whole constraint.
    pub loc: Loc,
}

/// `param NAME [= "DEFAULT"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDecl {
    /// The parameter's name.
    pub name: Ident,
    /// The default value.
    pub default: Option<Str>,
    /// The whole declaration.
    pub loc: Loc,
}

/// `step NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDecl {
    /// The step's name.
    pub name: Ident,
    /// The clauses, in source order.
    pub items: Vec<StepItem>,
    /// `step NAME`.
    pub header: Loc,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepItem {
    /// `by ...`.
    By(By),
    /// `command ...`.
    Command(Clause<Vec<Str>>),
    /// `materials { ... }` or `products { ... }`.
    Rules(RuleBlock),
    /// `attestation TYPE { ... }`.
    Attestation(AttestationDecl),
}

/// `by [K of] NAME, ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct By {
    /// K, as written.
    pub threshold: Option<Token>,
    /// The key names.
    pub names: Vec<Ident>,
    /// The whole clause.
    pub loc: Loc,
}

/// Which list a rule block constrains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockSide {
    /// `materials { ... }`.
    Materials,
    /// `products { ... }`.
    Products,
}

/// `materials { ... }` or `products { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBlock {
    /// Which list.
    pub side: BlockSide,
    /// The rules in order.
    pub rules: Vec<RuleDecl>,
    /// The whole block.
    pub loc: Loc,
}

/// `VERB "PATTERN" [in "PREFIX"] [with SIDE [in "PREFIX"] from NAME]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDecl {
    /// The verb (checked by `lower`).
    pub verb: Ident,
    /// The pattern (or the literal name of `require`).
    pub pattern: Str,
    /// `in "PREFIX"` after the pattern.
    pub src_prefix: Option<Str>,
    /// The `with ... from ...` tail.
    pub with: Option<WithClause>,
    /// The whole rule.
    pub loc: Loc,
}

/// `with SIDE [in "PREFIX"] from NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithClause {
    /// `materials` or `products` (checked by `lower`).
    pub side: Ident,
    /// `in "PREFIX"` after the side.
    pub dst_prefix: Option<Str>,
    /// The step or inspection.
    pub from: Ident,
    /// The whole tail.
    pub loc: Loc,
}

/// The predicate type of an expected attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// An alias such as `slsa-provenance/v1`.
    Alias(Token),
    /// A full type URI.
    Uri(Str),
}

/// `attestation TYPE { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationDecl {
    /// The predicate type.
    pub predicate_type: TypeRef,
    /// The clauses, in source order.
    pub items: Vec<AttestationItem>,
    /// `attestation TYPE`.
    pub header: Loc,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of an expected attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationItem {
    /// `by ...`.
    By(By),
    /// `materials { ... }` or `products { ... }`.
    Rules(RuleBlock),
    /// A predicate check.
    Check(CheckDecl),
    /// `checks NAME`: every check of a named set.
    Use(UseDecl),
}

/// `LEVEL [QUANTIFIER] PATH TEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDecl {
    /// `require` or `warn` (checked by `lower`).
    pub level: Ident,
    /// `all`, `any` or `count` (checked by `lower`).
    pub quantifier: Option<Ident>,
    /// The JSONPath as written (`$...` or `statement...`); empty, at the
    /// `cel` keyword, for a CEL check.
    pub path: Token,
    /// The test.
    pub test: TestDecl,
    /// The whole check.
    pub loc: Loc,
}

/// The test of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestDecl {
    /// `OP VALUE`; the operator as written.
    Compare {
        /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
        op: Token,
        /// The value.
        value: Value,
    },
    /// `in [VALUE, ...]`.
    In(Clause<Vec<Value>>),
    /// `matches "REGEX"`.
    Matches(Str),
    /// `exists`.
    Exists(Loc),
    /// `is empty`.
    IsEmpty(Loc),
    /// `is not empty`.
    IsNotEmpty(Loc),
    /// `cel "EXPR"`: a CEL expression over the Statement.
    Cel {
        /// The expression (the string decoded).
        expr: Str,
        /// The text between the quotes as written, and where it stands: a
        /// column of the expression is found in the source through it.
        raw: Token,
        /// `if present` after the string, where it is written.
        if_present: Option<Loc>,
    },
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string.
    Str(Str),
    /// A number, as written.
    Number(Token),
    /// `true` or `false`.
    Bool(bool, Loc),
    /// `null`.
    Null(Loc),
}

/// `inspection NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionDecl {
    /// The inspection's name.
    pub name: Ident,
    /// The clauses, in source order.
    pub items: Vec<InspectionItem>,
    /// `inspection NAME`.
    pub header: Loc,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionItem {
    /// `run "CMD" ...`.
    Run(Clause<Vec<Str>>),
    /// `materials { ... }` or `products { ... }`.
    Rules(RuleBlock),
}

/// `summary { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryDecl {
    /// The clauses, in source order.
    pub items: Vec<SummaryItem>,
    /// The whole block.
    pub loc: Loc,
}

/// A clause of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryItem {
    /// `verifier "ID"`.
    Verifier(Clause<Str>),
    /// `levels "LEVEL" ...`.
    Levels(Clause<Vec<Str>>),
}

impl Item {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            Item::Expires(c) => c.loc,
            Item::Readme(c) => c.loc,
            Item::TrustRoot(c) => c.loc,
            Item::Key(k) => k.loc,
            Item::Identity(i) => i.loc,
            Item::Param(p) => p.loc,
            Item::Step(s) => s.loc,
            Item::Inspection(i) => i.loc,
            Item::Artifact(a) => a.loc,
            Item::Summary(s) => s.loc,
            Item::CheckSet(c) => c.loc,
        }
    }
}

impl StepItem {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            StepItem::By(b) => b.loc,
            StepItem::Command(c) => c.loc,
            StepItem::Rules(r) => r.loc,
            StepItem::Attestation(a) => a.loc,
        }
    }
}

impl AttestationItem {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            AttestationItem::By(b) => b.loc,
            AttestationItem::Rules(r) => r.loc,
            AttestationItem::Check(c) => c.loc,
            AttestationItem::Use(u) => u.loc,
        }
    }
}

impl InspectionItem {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            InspectionItem::Run(r) => r.loc,
            InspectionItem::Rules(r) => r.loc,
        }
    }
}

impl SummaryItem {
    /// The span of the whole clause.
    pub fn loc(&self) -> Loc {
        match self {
            SummaryItem::Verifier(v) => v.loc,
            SummaryItem::Levels(l) => l.loc,
        }
    }
}

impl Value {
    /// Where the value stands.
    pub fn loc(&self) -> Loc {
        match self {
            Value::Str(s) => s.loc,
            Value::Number(n) => n.loc,
            Value::Bool(_, l) | Value::Null(l) => *l,
        }
    }
}
