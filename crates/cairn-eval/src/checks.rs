//! Predicate checks: a JSONPath (via `jsonpath-rust`) selects values of the
//! predicate, a quantifier combines them, a test judges each.
//!
//! Absence never passes: a path that selects nothing fails every test,
//! `exists` included (that is what `exists` is for). A value of the wrong type
//! fails with the expected and actual types rather than comparing as unequal,
//! so `!=` cannot be satisfied by a number where a string was expected.

use std::borrow::Cow;
use std::ops::Range;

use jsonpath_rust::parser::model::JpQuery;
use serde_json::Value;

use cairn_base::limits::LIMITS;
use cairn_evidence::Predicate;

use super::lazy::Plan;
use cairn_lang::ir::{Check, CompareOp, Quantifier, Root, Test};

/// Longest rendering of an actual value in a report, in characters.
const MAX_SHOWN: usize = 120;

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// One line: what went wrong.
    pub message: String,
    /// What the check wanted (`== "PASSED"`).
    pub expected: String,
    /// What the predicate holds (`"FAILED"`, `absent`, `2 values`).
    pub actual: String,
    /// True when the check itself is broken (its path or regex does not
    /// compile), as opposed to the predicate failing it.
    pub invalid: bool,
    /// True when a CEL check gave no boolean (an error, a value of another
    /// type, a bound passed): it fails closed, whatever its level.
    pub cel_error: bool,
}

/// What a check runs over: a value (a classic link's), or a Statement's
/// predicate, whose text is read without a tree of it where the path allows
/// (see [`super::lazy`]).
#[derive(Clone, Copy)]
pub enum Target<'p> {
    /// A value.
    Value(&'p Value),
    /// A predicate.
    Predicate(&'p Predicate),
}

impl<'p> Target<'p> {
    /// The values `path` selects, in `jsonpath-rust`'s order; with `count`,
    /// only how many (the values may be left unread).
    fn query(
        self,
        path: &Path,
        count: bool,
        selected: Option<Vec<Range<usize>>>,
    ) -> Result<Selected<'p>, String> {
        if let Target::Predicate(p) = self {
            if let Some(text) = p.text() {
                let ranges = selected.or_else(|| path.plan.as_ref()?.select(text));
                if let Some(ranges) = ranges {
                    if count {
                        return Ok(Selected::Count(ranges.len()));
                    }
                    let read: Option<Vec<Value>> = ranges
                        .iter()
                        .map(|r| text.get(r.clone()).and_then(super::lazy::read))
                        .collect();
                    if let Some(values) = read {
                        return Ok(Selected::Values(
                            values.into_iter().map(Cow::Owned).collect(),
                        ));
                    }
                }
            }
        }
        let value = match self {
            Target::Value(v) => v,
            Target::Predicate(p) => p.value(),
        };
        jsonpath_rust::query::js_path_process(&path.query, value)
            .map(|found| {
                Selected::Values(found.into_iter().map(|r| Cow::Borrowed(r.val())).collect())
            })
            .map_err(|e| e.to_string())
    }

    /// The kinds of the values `path` selects (`None` when it cannot be
    /// evaluated).
    fn kinds(self, path: &Path) -> Option<Vec<&'static str>> {
        if let Target::Predicate(p) = self {
            if let Some(text) = p.text() {
                if let Some(ranges) = path.plan.as_ref().and_then(|plan| plan.select_starts(text)) {
                    let kinds: Option<Vec<&'static str>> = ranges
                        .iter()
                        .map(|r| match text.as_bytes().get(r.start) {
                            Some(b'[') => Some("an array"),
                            Some(b'{') => Some("an object"),
                            _ => text
                                .get(r.clone())
                                .and_then(super::lazy::read)
                                .map(|v| cairn_base::diag::json_kind(&v)),
                        })
                        .collect();
                    if kinds.is_some() {
                        return kinds;
                    }
                }
            }
        }
        let value = match self {
            Target::Value(v) => v,
            Target::Predicate(p) => p.value(),
        };
        let values = jsonpath_rust::query::js_path_process(&path.query, value).ok()?;
        Some(
            values
                .into_iter()
                .map(|r| cairn_base::diag::json_kind(r.val()))
                .collect(),
        )
    }
}

/// A JSONPath made ready once: parsed for `jsonpath-rust` under
/// [`LIMITS`], and planned for the walk of a predicate's text when
/// [`super::lazy`] answers it.
struct Path {
    query: JpQuery,
    plan: Option<Plan>,
}

impl Path {
    fn new(text: &str) -> Result<Path, String> {
        let query = LIMITS.json_path(text).map_err(|e| e.to_string())?;
        let plan = Plan::new(&query);
        Ok(Path { query, plan })
    }
}

/// A check made ready to run: its path parsed, its regex compiled, once per
/// verification (after parameter substitution), then run on every
/// attestation the check applies to.
pub struct Prepared<'c> {
    check: &'c Check,
    /// What the check needs compiled, or why it cannot be evaluated.
    ready: Result<Ready<'c>, String>,
    /// For a CEL check: the expression compiled, or why it does not compile.
    cel: Option<Result<cairn_lang::cel::Compiled, String>>,
}

/// The compiled parts of a check.
struct Ready<'c> {
    path: Path,
    /// For a `count`: what its path's last segment selects from.
    container: Option<Container>,
    matcher: Matcher<'c>,
}

/// What the last segment of a `count`'s path selects from, decided from
/// the parsed path (never from its text: `[?@.id == "]"]` has brackets in
/// a string): the path without that segment, and the kinds of value the
/// segment selects from. Zero values selected out of a container that is
/// absent, or of another kind, is no empty list and fails the `count`.
struct Container {
    path: Path,
    /// The container's path as the check writes it (`` `$.failedTests` ``),
    /// or a description when no prefix of the text is that path.
    text: String,
    /// Whether an array, an object can be selected from.
    array: bool,
    object: bool,
}

impl Container {
    /// The container of `query` (written `text`), when it has segments.
    fn of(query: &JpQuery, text: &str) -> Option<Container> {
        use jsonpath_rust::parser::model::{Segment, Selector};
        let (last, rest) = query.segments.split_last()?;
        let kinds = |selector: &Selector| match selector {
            Selector::Name(_) => (false, true),
            Selector::Index(_) | Selector::Slice(..) => (true, false),
            Selector::Wildcard | Selector::Filter(_) => (true, true),
        };
        let (array, object) = match last {
            Segment::Descendant(_) => (true, true),
            Segment::Selector(one) => kinds(one),
            Segment::Selectors(many) => many
                .iter()
                .map(kinds)
                .fold((false, false), |(a, o), (x, y)| (a || x, o || y)),
        };
        let container = JpQuery::new(rest.to_vec());
        let text = prefix_text(text, &container).map_or_else(
            || format!("what `{text}` selects from"),
            |prefix| format!("`{prefix}`"),
        );
        Some(Container {
            path: Path {
                plan: Plan::new(&container),
                query: container,
            },
            text,
            array,
            object,
        })
    }

    /// What the container must be, for messages.
    fn wanted(&self) -> &'static str {
        match (self.array, self.object) {
            (true, false) => "a list",
            (false, true) => "an object",
            _ => "a list or an object",
        }
    }

    /// Whether a value of `kind` (as [`cairn_base::diag::json_kind`] names
    /// it) can be selected from.
    fn admits(&self, kind: &str) -> bool {
        (self.array && kind == "an array") || (self.object && kind == "an object")
    }
}

/// The longest proper prefix of `text` (cut before a `.` or `[`) that
/// parses to `query`, trying at most 64 cuts from the end.
fn prefix_text<'t>(text: &'t str, query: &JpQuery) -> Option<&'t str> {
    if query.segments.is_empty() {
        return Some("$");
    }
    text.char_indices()
        .rev()
        .filter(|&(i, c)| i > 0 && (c == '.' || c == '['))
        .take(64)
        .filter_map(|(i, _)| text.get(..i))
        .find(|prefix| {
            jsonpath_rust::parser::parse_json_path(prefix).is_ok_and(|parsed| parsed == *query)
        })
}

impl<'c> Prepared<'c> {
    /// Compiles `check`'s path and regex under [`LIMITS`].
    pub fn new(check: &'c Check) -> Prepared<'c> {
        if let Test::Cel { expr, .. } = &check.test {
            return Prepared {
                check,
                ready: Err("a CEL check has no path".into()),
                cel: Some(super::cel::prepare(expr)),
            };
        }
        let ready = Path::new(&check.path)
            .map_err(|e| format!("path `{}` cannot be evaluated: {e}", check.path))
            .and_then(|path| {
                let container = if check.quantifier == Quantifier::Count {
                    Container::of(&path.query, &check.path)
                } else {
                    None
                };
                Ok(Ready {
                    path,
                    container,
                    matcher: Matcher::new(&check.test)?,
                })
            });
        Prepared {
            check,
            ready,
            cel: None,
        }
    }

    /// The plan of the check's path, when its text can be walked for it
    /// (a path into the predicate only).
    fn plan(&self) -> Option<&Plan> {
        if !self.check.root.is_predicate() {
            return None;
        }
        self.ready.as_ref().ok()?.path.plan.as_ref()
    }

    /// Whether the check reads the whole Statement (a `statement` path or
    /// CEL), which [`run_on`] is then given.
    pub fn needs_statement(&self) -> bool {
        needs_statement(self.check)
    }
}

/// Whether `check` reads the whole Statement (a `statement` path or CEL).
pub fn needs_statement(check: &Check) -> bool {
    check.root == Root::Statement || matches!(check.test, Test::Cel { .. })
}

/// What a path selected.
enum Selected<'p> {
    /// The values.
    Values(Vec<Cow<'p, Value>>),
    /// Only how many there are.
    Count(usize),
}

impl Selected<'_> {
    fn len(&self) -> usize {
        match self {
            Selected::Values(v) => v.len(),
            Selected::Count(n) => *n,
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn values(&self) -> &[Cow<'_, Value>] {
        match self {
            Selected::Values(v) => v,
            Selected::Count(_) => &[],
        }
    }
}

/// Runs one check over a predicate.
#[cfg(test)]
pub fn run(check: &Check, predicate: &Value) -> Result<(), CheckFailure> {
    run_on(&Prepared::new(check), Target::Value(predicate), None)
}

/// Runs one prepared check over `target` (the predicate), or over
/// `statement` (the whole Statement, [`crate::view::View::statement_value`])
/// for a check that reads it.
pub fn run_on(
    check: &Prepared<'_>,
    target: Target<'_>,
    statement: Option<&Value>,
) -> Result<(), CheckFailure> {
    run_selected(check, target, statement, None)
}

/// Runs the checks over a predicate kept as text, its text walked once for
/// all their paths (see [`super::lazy::select_many_plans`]); the values are
/// then read and tested on every core. Gives what [`run_on`] gives for each.
pub fn run_all(
    checks: &[Prepared<'_>],
    target: Target<'_>,
    statement: Option<&Value>,
) -> Vec<Result<(), CheckFailure>> {
    let text = match target {
        Target::Predicate(p) => p.text(),
        Target::Value(_) => None,
    };
    let Some(text) = text else {
        return checks
            .iter()
            .map(|check| run_on(check, target, statement))
            .collect();
    };
    let plans: Vec<Option<&Plan>> = checks.iter().map(Prepared::plan).collect();
    let selected: Vec<(&Prepared<'_>, Option<Vec<Range<usize>>>)> = checks
        .iter()
        .zip(super::lazy::select_many_plans(&plans, text))
        .collect();
    cairn_base::parallel::map(&selected, |(check, ranges)| {
        run_selected(check, target, statement, ranges.clone())
    })
}

/// Runs `check` over the predicate `text` both ways cairn reads a
/// predicate: over the value read from it, and over the text walked for the
/// path where it can be (the lazy road). `None` when `text` is not strict
/// JSON. Each outcome is `Ok` or the failure's message and actual value. For
/// the differential fuzz target and tests: the two must always agree.
pub fn both_roads(
    check: &Check,
    text: &str,
    max_depth: usize,
) -> Option<(Result<(), String>, Result<(), String>)> {
    let value = cairn_json::parse(text.as_bytes(), max_depth).ok()?;
    let predicate = Predicate::checked_text(text.into(), max_depth);
    let prepared = Prepared::new(check);
    let shown = |r: Result<(), CheckFailure>| {
        r.map_err(|f| format!("{} (actual {}, invalid {})", f.message, f.actual, f.invalid))
    };
    let by_value = shown(run_on(&prepared, Target::Value(&value), None));
    let by_text = shown(run_on(&prepared, Target::Predicate(&predicate), None));
    Some((by_value, by_text))
}

/// [`run_on`], with what the check's path selects in the predicate's text
/// when that is known already.
fn run_selected(
    prepared: &Prepared<'_>,
    target: Target<'_>,
    statement: Option<&Value>,
    selected: Option<Vec<Range<usize>>>,
) -> Result<(), CheckFailure> {
    let check = prepared.check;
    let expected = describe_test(&check.test);
    let fail = |message: String, actual: String| CheckFailure {
        message,
        expected: expected.clone(),
        actual,
        invalid: false,
        cel_error: false,
    };
    let broken = |message: String| CheckFailure {
        message,
        expected: expected.clone(),
        actual: "error".into(),
        invalid: true,
        cel_error: false,
    };
    if let (Test::Cel { expr, if_present }, Some(compiled)) = (&check.test, &prepared.cel) {
        let cel_error = |why: String| CheckFailure {
            message: format!(
                "the CEL expression `{}` cannot be evaluated: {why}",
                short_expr(expr)
            ),
            expected: expected.clone(),
            actual: "error".into(),
            invalid: false,
            cel_error: true,
        };
        let compiled = compiled.as_ref().map_err(|e| cel_error(e.clone()))?;
        let statement =
            statement.ok_or_else(|| cel_error("no Statement was given to it".into()))?;
        return match super::cel::evaluate(expr, compiled, statement) {
            super::cel::Outcome::Passed => Ok(()),
            super::cel::Outcome::Failed => Err(fail(
                format!("the CEL expression `{}` is false", short_expr(expr)),
                "false".into(),
            )),
            super::cel::Outcome::Error(why) => Err(cel_error(why)),
            // What it reads is absent: passes only `if present`.
            super::cel::Outcome::Absent(_) if *if_present => Ok(()),
            super::cel::Outcome::Absent(why) => Err(cel_error(why)),
        };
    }
    // A path into the Statement runs over its value, never the predicate's text.
    let (target, selected) = match check.root {
        Root::Predicate => (target, selected),
        Root::Statement => match statement {
            Some(st) => (Target::Value(st), None),
            None => return Err(broken("no Statement was given to this check".into())),
        },
    };
    let shown = check.shown_path();
    let ready = prepared.ready.as_ref().map_err(|e| broken(e.clone()))?;
    let count_only = matches!(check.test, Test::Exists) || check.quantifier == Quantifier::Count;
    let selected = match target.query(&ready.path, count_only, selected) {
        Ok(values) => values,
        Err(e) => return Err(broken(format!("path `{}` cannot be evaluated: {e}", shown))),
    };
    if let Test::Exists = check.test {
        return if selected.is_empty() {
            Err(fail(format!("`{}` is absent", shown), "absent".into()))
        } else {
            Ok(())
        };
    }
    let matcher = &ready.matcher;
    match check.quantifier {
        Quantifier::Count => {
            // `count $.failedTests[*] == 0` must not pass when `failedTests`
            // is missing altogether: zero selected values out of an absent
            // container is absence, not an empty list.
            // Nor when it is a string, a number or null: `[*]` selects
            // nothing from those either, but they are no empty list.
            // The same for an index, a slice, a union or a name: every
            // `count` is decided on what its last segment selects from.
            if selected.is_empty() {
                if let Some(container) = &ready.container {
                    let Some(kinds) = target.kinds(&container.path) else {
                        return Err(broken(format!(
                            "path `{}` cannot be evaluated: what it selects from cannot be read",
                            check.path
                        )));
                    };
                    // A path into the Statement is shown as written.
                    let shown = &match check.root {
                        Root::Predicate => container.text.clone(),
                        Root::Statement => container.text.replacen("`$", "`statement", 1),
                    };
                    if kinds.is_empty() {
                        return Err(fail(format!("{shown} is absent"), "absent".into()));
                    }
                    if let Some(&kind) = kinds.iter().find(|k| !container.admits(k)) {
                        return Err(fail(
                            format!("{shown} is {kind}, not {}", container.wanted()),
                            kind.into(),
                        ));
                    }
                }
            }
            let count = Value::from(selected.len());
            matcher.test(&count).map_err(|actual| {
                fail(
                    format!(
                        "`{}` selects {} value{}",
                        shown,
                        selected.len(),
                        if selected.len() == 1 { "" } else { "s" }
                    ),
                    actual,
                )
            })
        }
        Quantifier::One => match selected.values() {
            [] => Err(fail(format!("`{}` is absent", shown), "absent".into())),
            [value] => matcher
                .test(value)
                .map_err(|actual| fail(format!("`{}` is {actual}", shown), actual)),
            many => Err(fail(
                format!(
                    "`{}` selects {} values where one was expected",
                    shown,
                    many.len()
                ),
                format!("{} values", many.len()),
            )),
        },
        Quantifier::All => {
            if selected.is_empty() {
                return Err(fail(format!("`{}` is absent", shown), "absent".into()));
            }
            for (i, value) in selected.values().iter().enumerate() {
                if let Err(actual) = matcher.test(value) {
                    return Err(fail(
                        format!("value {} of `{}` is {actual}", i + 1, shown),
                        actual,
                    ));
                }
            }
            Ok(())
        }
        Quantifier::Any => {
            if selected.is_empty() {
                return Err(fail(format!("`{}` is absent", shown), "absent".into()));
            }
            if selected.values().iter().any(|v| matcher.test(v).is_ok()) {
                Ok(())
            } else {
                let values: Vec<String> = selected.values().iter().map(|v| show(v)).collect();
                let actual = truncate(&format!("[{}]", values.join(", ")));
                Err(fail(format!("no value of `{}` passes", shown), actual))
            }
        }
    }
}

/// A test made ready to run (its regex compiled).
enum Matcher<'t> {
    Compare(CompareOp, &'t Value),
    In(&'t [Value]),
    Matches(regex::Regex),
    IsEmpty(bool),
}

impl<'t> Matcher<'t> {
    fn new(test: &'t Test) -> Result<Matcher<'t>, String> {
        Ok(match test {
            Test::Compare { op, value } => Matcher::Compare(*op, value),
            Test::In { values } => Matcher::In(values),
            Test::Matches { regex } => Matcher::Matches(
                LIMITS
                    .regex(regex)
                    .map_err(|e| format!("regex `{regex}` does not compile: {e}"))?,
            ),
            Test::IsEmpty => Matcher::IsEmpty(true),
            Test::IsNotEmpty => Matcher::IsEmpty(false),
            Test::Exists => Matcher::IsEmpty(false),
            Test::Cel { .. } => return Err("a CEL check has no test of values".into()),
        })
    }

    /// `Err` carries a short rendering of the failing actual value.
    fn test(&self, actual: &Value) -> Result<(), String> {
        let ok = match self {
            Matcher::Compare(op, expected) => compare(*op, actual, expected)?,
            Matcher::In(values) => values.iter().any(|v| equal(actual, v) == Some(true)),
            Matcher::Matches(re) => match actual {
                Value::String(s) => re.is_match(s),
                other => return Err(format!("{} (a string was expected)", kind_of(other))),
            },
            Matcher::IsEmpty(want_empty) => {
                let empty = match actual {
                    Value::String(s) => s.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    Value::Null => true,
                    other => {
                        return Err(format!(
                            "{} (a string, array or object was expected)",
                            kind_of(other)
                        ))
                    }
                };
                empty == *want_empty
            }
        };
        if ok {
            Ok(())
        } else {
            Err(show(actual))
        }
    }
}

/// JSON equality with numbers compared by value; `None` when the types differ.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Some(num_cmp(x, y)? == std::cmp::Ordering::Equal),
        (Value::Null, Value::Null) => Some(true),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => Some(a == b),
        _ => None,
    }
}

fn num_cmp(x: &serde_json::Number, y: &serde_json::Number) -> Option<std::cmp::Ordering> {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return Some(a.cmp(&b));
    }
    x.as_f64()?.partial_cmp(&y.as_f64()?)
}

fn compare(op: CompareOp, actual: &Value, expected: &Value) -> Result<bool, String> {
    let mismatch = || {
        format!(
            "{} {} ({} was expected)",
            kind_of(actual),
            truncate(&show(actual)),
            cairn_base::diag::json_kind(expected)
        )
    };
    if matches!(op, CompareOp::Eq | CompareOp::Ne) {
        let eq = equal(actual, expected).ok_or_else(mismatch)?;
        return Ok(if op == CompareOp::Eq { eq } else { !eq });
    }
    let ordering = match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => num_cmp(a, b).ok_or_else(mismatch)?,
        (Value::String(a), Value::String(b)) => a.cmp(b),
        _ => return Err(mismatch()),
    };
    Ok(match op {
        CompareOp::Lt => ordering.is_lt(),
        CompareOp::Le => ordering.is_le(),
        CompareOp::Gt => ordering.is_gt(),
        CompareOp::Ge => ordering.is_ge(),
        CompareOp::Eq | CompareOp::Ne => false,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Compact JSON for a value, truncated for reports.
fn show(v: &Value) -> String {
    truncate(&v.to_string())
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_SHOWN {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_SHOWN).collect();
        t.push('…');
        t
    }
}

/// The test as the policy would write it (`== "PASSED"`, `is empty`).
pub fn describe_test(test: &Test) -> String {
    match test {
        Test::Compare { op, value } => {
            let op = op.as_str();
            format!("{op} {}", show(value))
        }
        Test::In { values } => format!("in {}", show(&Value::Array(values.clone()))),
        Test::Matches { regex } => format!("matches {}", show(&Value::String(regex.clone()))),
        Test::Exists => "exists".into(),
        Test::IsEmpty => "is empty".into(),
        Test::IsNotEmpty => "is not empty".into(),
        Test::Cel { .. } => "true".into(),
    }
}

/// A CEL expression on one line, at most 120 characters, for a message.
fn short_expr(expr: &str) -> String {
    let one: String = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > MAX_SHOWN {
        format!("{}...", one.chars().take(MAX_SHOWN).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_base::source::Span;
    use cairn_lang::ir::Level;
    use serde_json::json;

    fn check(path: &str, quantifier: Quantifier, test: Test) -> Check {
        Check {
            level: Level::Deny,
            path: path.into(),
            root: cairn_lang::ir::Root::Predicate,
            quantifier,
            test,
            span: Span::default(),
        }
    }

    fn cmp(op: CompareOp, value: Value) -> Test {
        Test::Compare { op, value }
    }

    /// A realistic SLSA provenance v1 predicate.
    fn provenance() -> Value {
        json!({
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": "refs/tags/v1.2.0", "repository": "https://github.com/acme/foo"}},
                "resolvedDependencies": [
                    {"uri": "git+https://github.com/acme/foo@refs/tags/v1.2.0", "digest": {"gitCommit": "a1b2"}},
                    {"name": "go", "digest": {"sha256": "c3d4"}}
                ]
            },
            "runDetails": {
                "builder": {"id": "https://github.com/actions/runner/github-hosted", "version": {"runner": "2.319"}},
                "metadata": {"invocationId": "run-42", "startedOn": "2026-11-01T10:00:00Z"}
            }
        })
    }

    fn test_result() -> Value {
        json!({
            "result": "PASSED",
            "configuration": [{"name": "ci.yml", "digest": {"sha256": "ee"}}],
            "passedTests": ["unit", "integration"],
            "warnedTests": [],
            "failedTests": [],
            "coverage": 87.5,
            "retries": 0
        })
    }

    fn ok(path: &str, q: Quantifier, test: Test, v: &Value) -> bool {
        run(&check(path, q, test), v).is_ok()
    }

    #[test]
    fn comparisons() {
        let p = provenance();
        let t = test_result();
        use CompareOp::*;
        use Quantifier::One;
        assert!(ok(
            "$.runDetails.builder.id",
            One,
            cmp(Eq, json!("https://github.com/actions/runner/github-hosted")),
            &p
        ));
        assert!(ok(
            "$.runDetails.builder.id",
            One,
            cmp(Ne, json!("https://evil")),
            &p
        ));
        assert!(ok("$.coverage", One, cmp(Ge, json!(80)), &t));
        assert!(!ok("$.coverage", One, cmp(Gt, json!(90)), &t));
        assert!(ok("$.retries", One, cmp(Le, json!(0)), &t));
        assert!(ok("$.retries", One, cmp(Eq, json!(0.0)), &t));
        assert!(ok(
            "$.runDetails.metadata.startedOn",
            One,
            cmp(Lt, json!("2027-01-01T00:00:00Z")),
            &p
        ));
        assert!(ok(
            "$.result",
            One,
            Test::In {
                values: vec![json!("PASSED"), json!("WARNED")]
            },
            &t
        ));
        assert!(!ok(
            "$.result",
            One,
            Test::In {
                values: vec![json!("WARNED")]
            },
            &t
        ));
        assert!(ok(
            "$.buildDefinition.externalParameters.workflow.ref",
            One,
            Test::Matches {
                regex: "^refs/tags/v[0-9]+\\.".into()
            },
            &p
        ));
        assert!(!ok(
            "$.buildDefinition.externalParameters.workflow.ref",
            One,
            Test::Matches {
                regex: "^refs/heads/".into()
            },
            &p
        ));
    }

    #[test]
    fn emptiness_and_existence() {
        let t = test_result();
        use Quantifier::One;
        assert!(ok("$.failedTests", One, Test::IsEmpty, &t));
        assert!(ok("$.passedTests", One, Test::IsNotEmpty, &t));
        assert!(!ok("$.passedTests", One, Test::IsEmpty, &t));
        assert!(ok("$.result", One, Test::Exists, &t));
        assert!(!ok("$.url", One, Test::Exists, &t));
    }

    #[test]
    fn absent_fails_everything() {
        let t = test_result();
        use CompareOp::*;
        for test in [
            cmp(Eq, json!("x")),
            cmp(Ne, json!("x")),
            cmp(Lt, json!(1)),
            Test::In {
                values: vec![json!(1)],
            },
            Test::Matches { regex: ".*".into() },
            Test::Exists,
            Test::IsEmpty,
            Test::IsNotEmpty,
        ] {
            for q in [Quantifier::One, Quantifier::All, Quantifier::Any] {
                let r = run(&check("$.nope", q, test.clone()), &t);
                let failure = r.expect_err("absent must fail");
                assert_eq!(failure.actual, "absent", "{test:?} {q:?}");
            }
        }
    }

    #[test]
    fn count_of_an_absent_container_fails() {
        let t = json!({"failedTests": [], "passed": ["a", "b"]});
        let zero = cmp(CompareOp::Eq, json!(0));
        for path in ["$.nope[*]", "$.nope.*", "$.nope[?@.x]", "$.a.nope[*]"] {
            let r = run(&check(path, Quantifier::Count, zero.clone()), &t);
            assert_eq!(r.expect_err(path).actual, "absent", "{path}");
        }
        assert!(ok("$.failedTests[*]", Quantifier::Count, zero.clone(), &t));
        assert!(ok(
            "$.passed[?@ == 'c']",
            Quantifier::Count,
            zero.clone(),
            &t
        ));
        // `all` tests only the values that exist; counting the entries
        // without the field is how a policy requires it on every one.
        let trace = json!({"p": [{"name": "make"}, {"cmd": "curl | sh"}]});
        let names = Test::In {
            values: vec![json!("make")],
        };
        assert!(ok("$.p[*].name", Quantifier::All, names, &trace));
        assert!(!ok(
            "$.p[?!@.name]",
            Quantifier::Count,
            zero.clone(),
            &trace
        ));
        let trace = json!({"p": [{"name": "make"}]});
        assert!(ok("$.p[?!@.name]", Quantifier::Count, zero.clone(), &trace));
        // A string, number, boolean or null is no empty list.
        for (value, kind) in [
            (json!("integration,e2e"), "a string"),
            (json!(3), "a number"),
            (json!(true), "a boolean"),
            (json!(null), "null"),
        ] {
            let t = json!({ "failedTests": value });
            for path in ["$.failedTests[*]", "$.failedTests[?@ == 'x']"] {
                let r = run(&check(path, Quantifier::Count, zero.clone()), &t);
                assert_eq!(r.expect_err(path).actual, kind, "{path} {t}");
            }
        }
        let two = cmp(CompareOp::Eq, json!(2));
        assert!(ok("$.passed[*]", Quantifier::Count, two, &t));
        let shown = |path: &str| {
            let query = LIMITS.json_path(path).unwrap();
            Container::of(&query, path).map(|c| c.text)
        };
        assert_eq!(shown("$.a[*]").as_deref(), Some("`$.a`"));
        assert_eq!(shown("$..*").as_deref(), Some("`$`"));
        assert_eq!(shown("$.a[0]").as_deref(), Some("`$.a`"));
        assert_eq!(shown("$.a[?@.b[0] == 1]").as_deref(), Some("`$.a`"));
        assert_eq!(shown(r#"$.a[?@.id == "]"]"#).as_deref(), Some("`$.a`"));
        assert_eq!(shown("$['x.y'][0]").as_deref(), Some("`$['x.y']`"));
        assert_eq!(shown("$").as_deref(), None);
    }

    /// Every shape of a last segment is decided from the parsed path: a
    /// bracket inside a filter's string, a slice, an index, a union, a
    /// name; over a value and over a predicate's text alike.
    #[test]
    fn count_of_an_absent_container_fails_whatever_the_last_segment() {
        let zero = cmp(CompareOp::Eq, json!(0));
        let absent = r#"{"other": 1}"#;
        let empty = r#"{"failedTests": [], "o": {}}"#;
        let string = r#"{"failedTests": "none"}"#;
        let paths = [
            r#"$.failedTests[?@.id == "]"]"#,
            r#"$.failedTests[?@.id == ']']"#,
            r#"$.failedTests[?@.id == "[" && @.x == "]]"]"#,
            "$.failedTests[:]",
            "$.failedTests[0:2]",
            "$.failedTests[0]",
            "$.failedTests[-1]",
            "$.failedTests[0,1]",
            "$.failedTests[0,'a']",
            "$.failedTests..id",
            "$.failedTests.*",
            "$['failedTests'][*]",
        ];
        for path in paths {
            let c = check(path, Quantifier::Count, zero.clone());
            let prepared = Prepared::new(&c);
            for (text, verdict) in [
                (absent, Some("absent")),
                (empty, None),
                (string, Some("a string")),
            ] {
                let value: Value = serde_json::from_str(text).unwrap();
                let predicate = Predicate::checked_text(text.into(), 128);
                let by_value = run(&c, &value);
                let by_text = run_on(&prepared, Target::Predicate(&predicate), None);
                assert_eq!(by_value, by_text, "{path} over {text}");
                match verdict {
                    None => assert_eq!(by_value, Ok(()), "{path} over {text}"),
                    Some(actual) => {
                        let failure = by_value.expect_err(path);
                        assert_eq!(failure.actual, actual, "{path} over {text}");
                        assert!(!failure.invalid, "{path}");
                        assert!(
                            failure.message.starts_with("`$.failedTests` is")
                                || failure.message.starts_with("`$['failedTests']` is"),
                            "{path}: {}",
                            failure.message
                        );
                    }
                }
            }
        }
        // A name selects from an object: a list is no object to count in.
        let t = json!({"a": [1]});
        let r = run(&check("$.a.b", Quantifier::Count, zero.clone()), &t);
        assert_eq!(r.expect_err("list").actual, "an array");
        assert!(ok(
            "$.a.b",
            Quantifier::Count,
            zero.clone(),
            &json!({"a": {}})
        ));
        // An index selects from a list: an object is none.
        let r = run(
            &check("$.a[0]", Quantifier::Count, zero.clone()),
            &json!({"a": {}}),
        );
        assert_eq!(r.expect_err("object").actual, "an object");
    }

    #[test]
    fn type_mismatch_is_explained() {
        let t = test_result();
        let f = run(
            &check("$.retries", Quantifier::One, cmp(CompareOp::Ne, json!("0"))),
            &t,
        )
        .expect_err("a number is not a string");
        assert_eq!(f.expected, "!= \"0\"");
        assert_eq!(f.actual, "number 0 (a string was expected)");
        let f = run(
            &check(
                "$.coverage",
                Quantifier::One,
                Test::Matches { regex: "8".into() },
            ),
            &t,
        )
        .expect_err("not a string");
        assert!(f.actual.contains("a string was expected"));
        let f = run(&check("$.retries", Quantifier::One, Test::IsEmpty), &t).expect_err("number");
        assert!(f.actual.contains("was expected"));
    }

    #[test]
    fn quantifiers() {
        let p = provenance();
        let t = test_result();
        let deps = "$.buildDefinition.resolvedDependencies[*].digest";
        assert!(ok(deps, Quantifier::All, Test::IsNotEmpty, &p));
        assert!(
            !ok(deps, Quantifier::One, Test::IsNotEmpty, &p),
            "two values where one was expected"
        );
        assert!(ok(
            "$.passedTests[*]",
            Quantifier::Any,
            cmp(CompareOp::Eq, json!("unit")),
            &t
        ));
        assert!(!ok(
            "$.passedTests[*]",
            Quantifier::All,
            cmp(CompareOp::Eq, json!("unit")),
            &t
        ));
        assert!(ok(
            "$.passedTests[*]",
            Quantifier::Count,
            cmp(CompareOp::Eq, json!(2)),
            &t
        ));
        assert!(ok(
            "$.failedTests[*]",
            Quantifier::Count,
            cmp(CompareOp::Eq, json!(0)),
            &t
        ));
        assert!(!ok(
            "$.passedTests[*]",
            Quantifier::Count,
            cmp(CompareOp::Gt, json!(2)),
            &t
        ));
        assert!(!ok("$.failedTests[*]", Quantifier::All, Test::Exists, &t));
        let f = run(
            &check(
                "$.passedTests[*]",
                Quantifier::Any,
                cmp(CompareOp::Eq, json!("e2e")),
            ),
            &t,
        )
        .expect_err("none is e2e");
        assert_eq!(f.actual, "[\"unit\", \"integration\"]");
    }

    #[test]
    fn bad_regex_and_path_fail_closed() {
        let t = test_result();
        assert!(!ok(
            "$.result",
            Quantifier::One,
            Test::Matches { regex: "(".into() },
            &t
        ));
        assert!(!ok("$[", Quantifier::One, Test::Exists, &t));
    }

    /// Evaluation holds regexes and paths to the limits lowering holds them
    /// to ([`LIMITS`]): what gets past lowering some other way is refused
    /// here as a broken check, never evaluated.
    #[test]
    fn limits_of_lowering_hold_in_evaluation() {
        let t = test_result();
        let big = run(
            &check(
                "$.result",
                Quantifier::One,
                Test::Matches {
                    regex: r"^\w{50}|PASSED".into(),
                },
            ),
            &t,
        )
        .expect_err("beyond the size limit");
        assert!(big.invalid);
        assert!(
            big.message.contains("exceeds size limit"),
            "{}",
            big.message
        );
        let costly = run(&check("$..a..b", Quantifier::One, Test::Exists), &t)
            .expect_err("two descendant segments");
        assert!(costly.invalid);
        let long = format!("$.{}", "a".repeat(LIMITS.json_path_bytes));
        let long = run(&check(&long, Quantifier::One, Test::Exists), &t).expect_err("too long");
        assert!(long.invalid);
        assert!(
            long.message.contains("the limit is 4096"),
            "{}",
            long.message
        );
    }

    /// A check prepared once gives, on every predicate, what a check
    /// prepared for that predicate alone gives; [`run_all`] agrees.
    #[test]
    fn a_prepared_check_is_reused() {
        use CompareOp::*;
        let checks = [
            check(
                "$.result",
                Quantifier::One,
                Test::Matches {
                    regex: "^PASS".into(),
                },
            ),
            check("$.n", Quantifier::One, cmp(Ge, json!(2))),
            check("$.items[*]", Quantifier::Count, cmp(Eq, json!(2))),
            check("$.items[*].id", Quantifier::Any, cmp(Eq, json!("b"))),
        ];
        let prepared: Vec<Prepared<'_>> = checks.iter().map(Prepared::new).collect();
        let texts = [
            r#"{"result": "PASSED", "n": 2, "items": [{"id": "a"}, {"id": "b"}]}"#,
            r#"{"result": "FAILED", "n": 1, "items": [{"id": "a"}]}"#,
            r#"{"result": 7, "items": "none"}"#,
            r#"{}"#,
        ];
        for text in texts {
            let predicate = Predicate::checked_text(text.into(), 128);
            let value: Value = serde_json::from_str(text).unwrap();
            let fresh: Vec<_> = checks.iter().map(|c| run(c, &value)).collect();
            let reused: Vec<_> = prepared
                .iter()
                .map(|c| run_on(c, Target::Value(&value), None))
                .collect();
            assert_eq!(reused, fresh, "{text}");
            assert_eq!(
                run_all(&prepared, Target::Predicate(&predicate), None),
                fresh,
                "{text}"
            );
        }
    }

    /// A predicate kept as text gives every check the result, message and
    /// values the same predicate as a value gives.
    #[test]
    fn text_and_value_agree() {
        let text = r#"{"result": "PASSED", "n": 2, "s": "x", "empty": [], "nil": null,
            "components": [{"name": "a", "licenses": [{"license": {"id": "MIT"}}]},
                           {"name": "b", "licenses": [{"license": {"id": "GPL-3.0-only"}}]},
                           {"name": "c"}]}"#;
        let predicate = Predicate::checked_text(text.into(), 128);
        let value: Value = serde_json::from_str(text).unwrap();
        use CompareOp::*;
        let mit = || Test::In {
            values: vec![json!("MIT"), json!("Apache-2.0")],
        };
        let cases = [
            ("$.result", Quantifier::One, cmp(Eq, json!("PASSED"))),
            ("$.result", Quantifier::One, cmp(Eq, json!("FAILED"))),
            ("$.n", Quantifier::One, cmp(Gt, json!(2))),
            ("$.missing", Quantifier::One, Test::Exists),
            ("$.empty", Quantifier::One, Test::IsEmpty),
            ("$.nil", Quantifier::One, Test::IsNotEmpty),
            (
                "$.components[*].licenses[*].license.id",
                Quantifier::All,
                mit(),
            ),
            (
                "$.components[*].licenses[*].license.id",
                Quantifier::Any,
                cmp(Eq, json!("BSD")),
            ),
            ("$.components[*]", Quantifier::Count, cmp(Eq, json!(3))),
            ("$.components[*]", Quantifier::Count, cmp(Lt, json!(3))),
            ("$.missing[*]", Quantifier::Count, cmp(Eq, json!(0))),
            ("$.s[*]", Quantifier::Count, cmp(Eq, json!(0))),
            ("$.empty[*]", Quantifier::Count, cmp(Eq, json!(0))),
            (
                "$.components[?@.licenses[0].license.id == 'GPL-3.0-only']",
                Quantifier::Count,
                cmp(Eq, json!(0)),
            ),
            (
                "$.components[?!@.licenses].name",
                Quantifier::One,
                cmp(Eq, json!("c")),
            ),
            ("$.components[*].name", Quantifier::One, cmp(Eq, json!("a"))),
            ("$..id", Quantifier::All, mit()),
            ("$[", Quantifier::One, Test::Exists),
        ];
        for (path, q, test) in cases {
            let c = check(path, q, test);
            assert_eq!(
                run_on(&Prepared::new(&c), Target::Predicate(&predicate), None),
                run(&c, &value),
                "{path}"
            );
        }
    }
}
