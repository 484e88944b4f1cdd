//! Predicate checks: unknown fields (L016), comparisons that can never hold
//! (L017), duplicate checks (L018), weak digest algorithms (L020) and counts
//! of one value at most (L027); and the layout's expiry (L013, L014, L015).

use serde_json::Value;

use super::finding::Finding;
use super::schema::{self, Segment, Ty, Walk};
use super::Lint;
use crate::ir::{self, CompareOp, Quantifier, Test};
use cairn_base::source::Span;
use cairn_base::suggest;

/// Digest algorithms too weak to identify an artifact.
const WEAK_DIGESTS: &[&str] = &["md5", "sha1"];

/// Seconds in a day.
const DAY: i64 = 86_400;

/// What a field of type `ty` holds, for messages.
fn describe(ty: Ty) -> String {
    match ty {
        Ty::Str => "a string".into(),
        Ty::Enum(values) => format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("`\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Num => "a number".into(),
        Ty::Obj(_) | Ty::Map(_) | Ty::Digest => "an object".into(),
        Ty::Arr(_) => "an array".into(),
        Ty::Any => "anything".into(),
    }
}

/// Whether a field of type `ty` can ever equal `v` (null stands for unset,
/// which every optional field may be).
fn can_equal(ty: Ty, v: &Value) -> bool {
    match (ty, v) {
        (Ty::Any, _) | (_, Value::Null) => true,
        (Ty::Str, Value::String(_)) => true,
        // A template may become any value once parameters are substituted.
        (Ty::Enum(values), Value::String(s)) => s.contains('{') || values.contains(&s.as_str()),
        (Ty::Num, Value::Number(_)) => true,
        (Ty::Obj(_) | Ty::Map(_) | Ty::Digest, Value::Object(_)) => true,
        (Ty::Arr(_), Value::Array(_)) => true,
        _ => false,
    }
}

/// Why a check on a field of type `ty` can never hold, if it cannot.
fn never_holds(ty: Ty, test: &Test) -> Option<String> {
    match test {
        Test::Compare {
            op: CompareOp::Eq,
            value,
        } if !can_equal(ty, value) => Some(format!(
            "the field holds {}, never {}",
            describe(ty),
            match value {
                Value::String(s) => format!("`\"{s}\"`"),
                other => cairn_base::diag::json_kind(other).to_string(),
            }
        )),
        Test::Compare { op, .. }
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) && ty != Ty::Num && ty != Ty::Any =>
        {
            Some(format!(
                "the field holds {}, which is not ordered",
                describe(ty)
            ))
        }
        Test::In { values } if values.iter().all(|v| !can_equal(ty, v)) => Some(format!(
            "the field holds {}, and no listed value is one",
            describe(ty)
        )),
        Test::Matches { .. } if !matches!(ty, Ty::Str | Ty::Enum(_) | Ty::Any) => Some(format!(
            "the field holds {}, and `matches` tests strings",
            describe(ty)
        )),
        Test::IsEmpty if matches!(ty, Ty::Enum(_) | Ty::Num) => Some(format!(
            "the field holds {}, which is never empty",
            describe(ty)
        )),
        _ => None,
    }
}

impl Lint<'_> {
    pub(super) fn checks(&mut self) {
        let layout = self.layout;
        for step in &layout.steps {
            for att in &step.attestations {
                let root = schema::schema(&att.predicate_type);
                for (i, check) in att.checks.iter().enumerate() {
                    self.duplicate(att, i, check);
                    let path_span = self.path_span(check.span);
                    self.count_of_one(check, path_span);
                    let Some(segments) = schema::segments(&check.path) else {
                        continue;
                    };
                    self.weak_digest(&segments, path_span);
                    // Paths into the Statement, and CEL, are not the predicate's.
                    if let Some(root) = root.filter(|_| check.root.is_predicate()) {
                        self.schema_check(att, root, &segments, check, path_span);
                    }
                }
            }
        }
    }

    fn duplicate(&mut self, att: &ir::ExpectedAttestation, i: usize, check: &ir::Check) {
        let same = |a: &ir::Check| {
            a.path == check.path
                && a.root == check.root
                && a.quantifier == check.quantifier
                && a.test == check.test
        };
        if let Some(first) = att.checks.get(..i).unwrap_or(&[]).iter().find(|a| same(a)) {
            let help = if first.level == check.level {
                "remove one of them"
            } else {
                "a check cannot both deny and warn: keep the `require` or the `warn`"
            };
            self.push(
                Finding::new("L018", check.span, "this check repeats an earlier one")
                    .label("duplicate")
                    .related(first.span, "first written here")
                    .help(help),
            );
        }
    }

    /// L027: a `count` whose path selects one value at most (every segment
    /// one name or one index): it counts whether a field exists, and over an
    /// absent container it is 0, not a failure of an empty list.
    fn count_of_one(&mut self, check: &ir::Check, span: Span) {
        use jsonpath_rust::parser::model::{Segment, Selector};
        if check.quantifier != Quantifier::Count {
            return;
        }
        let Ok(query) = cairn_base::limits::LIMITS.json_path(&check.path) else {
            return;
        };
        let singular = query.segments.iter().all(|segment| {
            matches!(
                segment,
                Segment::Selector(Selector::Name(_) | Selector::Index(_))
            )
        });
        if singular {
            self.push(
                Finding::new(
                    "L027",
                    span,
                    format!("`count {}` counts one value at most", check.path),
                )
                .label("selects one value or none, never a list")
                .help("to count the entries of a list, select them: `count $.failedTests[*]` or a filter such as `count $.failedTests[?@.id == \"x\"]`; to require a field, write `require PATH exists`"),
            );
        }
    }

    fn weak_digest(&mut self, segments: &[Segment], span: Span) {
        let mut after_digest = false;
        for seg in segments {
            if let Segment::Name(name) = seg {
                if after_digest && WEAK_DIGESTS.contains(&name.as_str()) {
                    self.push(
                        Finding::new("L020", span, format!("the check relies on the weak digest algorithm `{name}`"))
                            .label("collisions can be forged for this algorithm")
                            .help("check `sha256` (or sha384, sha512, gitCommit) instead; an attacker can make two artifacts share an md5 or sha1 digest"),
                    );
                    return;
                }
                after_digest = name == "digest";
            } else {
                after_digest = false;
            }
        }
    }

    fn schema_check(
        &mut self,
        att: &ir::ExpectedAttestation,
        root: Ty,
        segments: &[Segment],
        check: &ir::Check,
        span: Span,
    ) {
        let type_name = super::artifacts::type_name(att);
        match schema::walk(root, segments) {
            Walk::Unknown {
                index,
                name,
                fields,
            } => {
                let at = prefix(segments, index);
                let help = match suggest::closest(&name, fields.iter().copied()) {
                    Some(c) => format!(
                        "did you mean `{c}`? (`{}`)",
                        prefix_with(segments, index, c)
                    ),
                    None => format!(
                        "`{at}` defines: {}",
                        fields
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.push(
                    Finding::new(
                        "L016",
                        span,
                        format!("`{name}` is not a field of `{at}` in a {type_name} predicate"),
                    )
                    .label("unknown field")
                    .help(help),
                );
            }
            Walk::Ends(ty) if check.quantifier != Quantifier::Count => {
                if let Some(why) = never_holds(ty, &check.test) {
                    let negated = matches!(
                        check.test,
                        Test::Compare {
                            op: CompareOp::Ne,
                            ..
                        }
                    );
                    if !negated {
                        self.push(
                            Finding::new("L017", check.span, format!("this check can never hold: {why}"))
                                .label(format!("never holds for a {type_name} predicate"))
                                .help("compare with a value the field can have; the field trees of the known predicate types are listed under L016 in the lint docs"),
                        );
                    }
                }
            }
            Walk::Ends(_) | Walk::Open => {}
        }
    }

    /// The span of a check's path, found in the syntax tree (the whole check if not found).
    fn path_span(&self, check: Span) -> Span {
        self.check_paths.get(&check.start).copied().unwrap_or(check)
    }

    pub(super) fn expiry(&mut self) {
        let Some(exp) = &self.layout.expires else {
            return;
        };
        let (now, days) = (self.options.now, i64::from(self.options.expiry_warn_days));
        let left = exp.unix.saturating_sub(now);
        let now_text = format_time(now);
        if left <= 0 {
            self.push(
                Finding::new("L013", exp.span, format!("the layout expired at {}", exp.text))
                    .label(format!("expired (now is {now_text})"))
                    .help("renew the layout with a later `expires`; verification refuses an expired layout (V109)"),
            );
        } else if left < days.saturating_mul(DAY) {
            self.push(
                Finding::new(
                    "L014",
                    exp.span,
                    format!("the layout expires in {} (at {})", in_days(left), exp.text),
                )
                .label(format!("within {days} days of {now_text}"))
                .help("renew the layout before it expires, or lower `--expiry-warn-days`"),
            );
        } else if left > 365 * DAY {
            self.push(
                Finding::new(
                    "L015",
                    exp.span,
                    format!("the layout expires in {} (at {})", in_days(left), exp.text),
                )
                .label("more than a year ahead")
                .help("a short-lived layout limits how long a leaked key or an outdated policy stays usable: renew it yearly or more often"),
            );
        }
    }
}

/// `N days` (or hours when less than a day).
fn in_days(seconds: i64) -> String {
    let days = seconds / DAY;
    match days {
        0 => {
            let hours = seconds / 3600;
            format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
        }
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

/// The path up to (not including) segment `index`.
fn prefix(segments: &[Segment], index: usize) -> String {
    let mut out = String::from("$");
    for seg in segments.iter().take(index) {
        match seg {
            Segment::Name(n) => {
                out.push('.');
                out.push_str(n);
            }
            Segment::Some => out.push_str("[*]"),
        }
    }
    out
}

/// The path up to segment `index`, with `name` as that segment.
fn prefix_with(segments: &[Segment], index: usize, name: &str) -> String {
    let mut out = prefix(segments, index);
    out.push('.');
    out.push_str(name);
    out
}

/// Formats unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(super) fn format_time(unix: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}
