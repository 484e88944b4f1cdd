//! What `cairn test` writes: the results for people, as JSON and as JUnit
//! XML, and the coverage of each policy as a summary and as lcov.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cairn::PointKind;

use super::test_suite::{CaseResult, Expected, Got, SuiteResult};

/// An expected finding as one line: the code, then its step and line.
fn expected_line(e: &Expected) -> String {
    let mut s = e.code.clone();
    match (&e.step, e.line) {
        (Some(step), Some(line)) => {
            let _ = write!(s, " (step {step}, line {line})");
        }
        (Some(step), None) => {
            let _ = write!(s, " (step {step})");
        }
        (None, Some(line)) => {
            let _ = write!(s, " (line {line})");
        }
        (None, None) => {}
    }
    s
}

/// A finding found as one line: the code, its step and line, its message.
fn got_line(g: &Got) -> String {
    let e = Expected {
        code: g.code.clone(),
        step: g.step.clone(),
        line: g.line,
    };
    format!("{}: {}", expected_line(&e), one_line(&g.message))
}

/// Text on one line, control characters escaped.
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    cairn_base::escape::escape_controls(first)
}

/// The codes of a list, sorted and distinct, or `no findings`.
fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    let set: std::collections::BTreeSet<&str> = codes.collect();
    if set.is_empty() {
        "no findings".to_string()
    } else {
        set.into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// One line saying what a case expected and what it got.
fn headline(c: &CaseResult) -> String {
    format!(
        "expected {} with {}, got {} with {}",
        c.expect.as_str(),
        codes(c.expected.iter().map(|e| e.code.as_str())),
        c.outcome.as_str(),
        codes(c.got.iter().map(|g| g.code.as_str())),
    )
}

/// The difference between what a failing case expected and what it got:
/// the verdict, then `-` for each expected finding not found and `+` for
/// each finding found but not expected.
pub fn diff(c: &CaseResult) -> String {
    let mut out = String::new();
    let verdict = if c.expect == c.outcome {
        ""
    } else {
        "  <- differs"
    };
    let _ = writeln!(
        out,
        "verdict: expected {}, got {}{verdict}",
        c.expect.as_str(),
        c.outcome.as_str()
    );
    if !c.missing.is_empty() || !c.extra.is_empty() {
        let _ = writeln!(
            out,
            "findings (- expected, missing; + found, not expected):"
        );
        for e in &c.missing {
            let _ = writeln!(out, "- {}", expected_line(e));
        }
        for g in &c.extra {
            let _ = writeln!(out, "+ {}", got_line(g));
        }
    }
    out
}

/// The results for people: a heading per suite, a line per case, the diff
/// of each failing case, and a result line.
pub fn human(results: &[SuiteResult]) -> String {
    let mut out = String::new();
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for s in results {
        match (&s.policy, &s.error) {
            (_, Some(error)) => {
                broken += 1;
                let _ = writeln!(out, "{}: not run: {}", s.file.display(), one_line(error));
                continue;
            }
            (Some(policy), None) => {
                let _ = writeln!(out, "{} (policy {})", s.file.display(), policy.display());
            }
            (None, None) => {
                let _ = writeln!(out, "{}", s.file.display());
            }
        }
        for c in &s.cases {
            if c.passed {
                passed += 1;
                let _ = writeln!(out, "  ok    {}", c.name);
            } else {
                failed += 1;
                let _ = writeln!(out, "  FAIL  {}: {}", c.name, headline(c));
                for line in diff(c).lines() {
                    let _ = writeln!(out, "          {line}");
                }
            }
        }
    }
    let suites = results.len();
    let word = if failed == 0 && broken == 0 {
        "ok"
    } else {
        "FAIL"
    };
    let _ = write!(
        out,
        "\ntest result: {word}. {passed} passed; {failed} failed"
    );
    if broken > 0 {
        let _ = write!(out, "; {broken} suites not run");
    }
    let noun = if suites == 1 { "suite" } else { "suites" };
    let _ = writeln!(out, " ({suites} {noun})");
    out
}

fn expected_json(e: &Expected) -> serde_json::Value {
    serde_json::json!({"code": e.code, "step": e.step, "line": e.line})
}

fn got_json(g: &Got) -> serde_json::Value {
    serde_json::json!({"code": g.code, "step": g.step, "line": g.line, "message": g.message})
}

/// The results as one JSON document (schema in docs/testing.md).
pub fn json(results: &[SuiteResult], coverage: Option<&[PolicyCoverage]>) -> String {
    let cases = || results.iter().flat_map(|s| &s.cases);
    let passed = cases().filter(|c| c.passed).count();
    let failed = cases().filter(|c| !c.passed).count();
    let broken = results.iter().filter(|s| s.error.is_some()).count();
    let suites: Vec<serde_json::Value> = results
        .iter()
        .map(|s| {
            let cases: Vec<serde_json::Value> = s
                .cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "name": c.name,
                        "passed": c.passed,
                        "expected": {
                            "verdict": c.expect.as_str(),
                            "findings": c.expected.iter().map(expected_json).collect::<Vec<_>>(),
                        },
                        "actual": {
                            "verdict": c.outcome.as_str(),
                            "findings": c.got.iter().map(got_json).collect::<Vec<_>>(),
                        },
                        "missing": c.missing.iter().map(expected_json).collect::<Vec<_>>(),
                        "extra": c.extra.iter().map(got_json).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({
                "file": s.file.display().to_string(),
                "policy": s.policy.as_ref().map(|p| p.display().to_string()),
                "error": s.error,
                "cases": cases,
            })
        })
        .collect();
    let mut value = serde_json::json!({
        "schemaVersion": 1,
        "passed": failed == 0 && broken == 0,
        "counts": {"suites": results.len(), "notRun": broken, "passed": passed, "failed": failed},
        "suites": suites,
    });
    if let (Some(coverage), Some(object)) = (coverage, value.as_object_mut()) {
        let policies: Vec<serde_json::Value> = coverage
            .iter()
            .map(|p| {
                let points: Vec<serde_json::Value> = p
                    .points
                    .iter()
                    .map(|q| {
                        serde_json::json!({
                            "kind": q.kind.as_str(),
                            "name": q.name,
                            "step": q.step,
                            "line": q.line,
                            "text": q.text,
                            "canRefuse": q.can_refuse,
                            "decided": q.decided,
                            "refused": q.refused,
                        })
                    })
                    .collect();
                serde_json::json!({"policy": p.policy, "cases": p.cases, "points": points})
            })
            .collect();
        object.insert("coverage".to_string(), serde_json::Value::Array(policies));
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Text for an XML attribute or element: the five special characters as
/// entities, characters XML 1.0 cannot hold escaped as `\u{..}`.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Seconds as JUnit writes them (`0.012`).
fn seconds(s: f64) -> String {
    format!("{s:.3}")
}

/// The results as JUnit XML: `<testsuites>` holding a `<testsuite>` per
/// suite file and a `<testcase>` per case; a failing case holds a
/// `<failure>` with the diff, a suite that could not run one `<testcase>`
/// holding an `<error>`. Valid against the JUnit schema of
/// `tests/junit/junit.xsd` (docs/testing.md).
pub fn junit(results: &[SuiteResult]) -> String {
    let mut body = String::new();
    let (mut tests, mut failures, mut errors, mut total) = (0usize, 0usize, 0usize, 0.0f64);
    for s in results {
        let file = s.file.display().to_string();
        let classname = s
            .policy
            .as_ref()
            .map_or_else(|| file.clone(), |p| p.display().to_string());
        if let Some(error) = &s.error {
            tests += 1;
            errors += 1;
            let _ = writeln!(
                body,
                "  <testsuite name=\"{f}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\" file=\"{f}\">",
                f = xml(&file)
            );
            let _ = writeln!(
                body,
                "    <testcase name=\"(suite)\" classname=\"{}\" time=\"0.000\">\n      <error type=\"suite\" message=\"{}\">{}</error>\n    </testcase>",
                xml(&classname),
                xml(&one_line(error)),
                xml(error)
            );
            let _ = writeln!(body, "  </testsuite>");
            continue;
        }
        let failed = s.cases.iter().filter(|c| !c.passed).count();
        let time: f64 = s.cases.iter().map(|c| c.seconds).sum();
        tests += s.cases.len();
        failures += failed;
        total += time;
        let _ = writeln!(
            body,
            "  <testsuite name=\"{f}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"{}\" file=\"{f}\">",
            s.cases.len(),
            seconds(time),
            f = xml(&file)
        );
        if let Some(policy) = &s.policy {
            let _ = writeln!(
                body,
                "    <properties>\n      <property name=\"policy\" value=\"{}\"/>\n    </properties>",
                xml(&policy.display().to_string())
            );
        }
        for c in &s.cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                xml(&c.name),
                xml(&classname),
                seconds(c.seconds)
            );
            if c.passed {
                let _ = writeln!(body, "{open}/>");
            } else {
                let _ = writeln!(
                    body,
                    "{open}>\n      <failure type=\"mismatch\" message=\"{}\">{}</failure>\n    </testcase>",
                    xml(&headline(c)),
                    xml(&diff(c))
                );
            }
        }
        let _ = writeln!(body, "  </testsuite>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cairn test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">\n{body}</testsuites>\n",
        seconds(total)
    )
}

/// One decision point of a policy, added up over the cases that ran it.
#[derive(Debug, Clone)]
pub struct Point {
    /// What it is.
    pub kind: PointKind,
    /// The step's, key's or identity's name.
    pub name: String,
    /// The step it belongs to.
    pub step: Option<String>,
    /// Its line in the policy.
    pub line: usize,
    /// The policy's text on that line, trimmed.
    pub text: String,
    /// Whether it can refuse anything by itself.
    pub can_refuse: bool,
    /// In how many cases it decided something.
    pub decided: usize,
    /// In how many cases it refused something.
    pub refused: usize,
    /// In how many cases it decided something without refusing.
    pub allowed: usize,
}

/// The coverage of one policy over every case that verified against it.
#[derive(Debug, Clone)]
pub struct PolicyCoverage {
    /// The policy as the suites name it.
    pub policy: String,
    /// How many cases gave a verdict.
    pub cases: usize,
    /// Its decision points, in policy order.
    pub points: Vec<Point>,
}

/// Adds up what decided something, per policy, over every case.
pub fn coverage(results: &[SuiteResult]) -> Vec<PolicyCoverage> {
    let mut by_policy: BTreeMap<String, PolicyCoverage> = BTreeMap::new();
    for s in results {
        let (Some(policy), Some(text)) = (&s.policy, &s.policy_text) else {
            continue;
        };
        let name = policy.display().to_string();
        let entry = by_policy
            .entry(name.clone())
            .or_insert_with(|| PolicyCoverage {
                policy: name,
                cases: 0,
                points: Vec::new(),
            });
        for c in &s.cases {
            if c.decisions.is_empty() {
                continue;
            }
            entry.cases += 1;
            for d in &c.decisions {
                let line = text
                    .get(..d.span.start)
                    .map_or(0, |b| b.matches('\n').count())
                    + 1;
                let at = entry
                    .points
                    .iter()
                    .position(|p| p.kind == d.kind && p.line == line && p.name == d.name);
                let index = match at {
                    Some(i) => i,
                    None => {
                        let source = text.get(d.span.start..d.span.end).unwrap_or("");
                        entry.points.push(Point {
                            kind: d.kind,
                            name: d.name.clone(),
                            step: d.step.clone(),
                            line,
                            text: source.lines().next().unwrap_or("").trim().to_string(),
                            can_refuse: d.can_refuse,
                            decided: 0,
                            refused: 0,
                            allowed: 0,
                        });
                        entry.points.len() - 1
                    }
                };
                if let Some(p) = entry.points.get_mut(index) {
                    p.decided += usize::from(d.decided);
                    p.refused += usize::from(d.refused);
                    p.allowed += usize::from(d.decided && !d.refused);
                }
            }
        }
    }
    let mut out: Vec<PolicyCoverage> = by_policy.into_values().collect();
    for p in &mut out {
        p.points.sort_by_key(|q| q.line);
    }
    out
}

/// The plural a summary counts a kind with.
fn plural(kind: PointKind) -> &'static str {
    match kind {
        PointKind::Step => "steps",
        PointKind::Attestation => "attestations",
        PointKind::Rule => "rules",
        PointKind::Check => "checks",
        PointKind::Key => "keys",
        PointKind::Identity => "identities",
    }
}

/// How a point is named in a summary line.
fn point_label(p: &Point) -> String {
    let text = cairn_base::escape::escape_controls(p.text.trim_end_matches(['{', ' ']));
    match (&p.kind, &p.step) {
        (PointKind::Step | PointKind::Key | PointKind::Identity, _) => {
            format!("{} `{}`", p.kind.as_str(), p.name)
        }
        (_, None) => format!("{} `{text}`", p.kind.as_str()),
        (_, Some(step)) => format!("{} `{text}` (step {step})", p.kind.as_str()),
    }
}

/// The coverage for people: per policy, how many of each kind decided
/// something; those that never did; and each rule, check, step and
/// expected attestation no case made refuse anything.
pub fn coverage_summary(coverage: &[PolicyCoverage]) -> String {
    let mut out = String::new();
    for p in coverage {
        let decided = p.points.iter().filter(|q| q.decided > 0).count();
        let _ = writeln!(
            out,
            "coverage of {} ({} case(s) with a verdict): {decided} of {} decision points decided something",
            p.policy,
            p.cases,
            p.points.len()
        );
        let kinds = [
            PointKind::Step,
            PointKind::Attestation,
            PointKind::Rule,
            PointKind::Check,
            PointKind::Key,
            PointKind::Identity,
        ];
        let counts: Vec<String> = kinds
            .iter()
            .filter_map(|&k| {
                let all = p.points.iter().filter(|q| q.kind == k).count();
                let hit = p
                    .points
                    .iter()
                    .filter(|q| q.kind == k && q.decided > 0)
                    .count();
                (all > 0).then(|| format!("{} {hit}/{all}", plural(k)))
            })
            .collect();
        let _ = writeln!(out, "  {}", counts.join(", "));
        let never: Vec<&Point> = p.points.iter().filter(|q| q.decided == 0).collect();
        if !never.is_empty() {
            let _ = writeln!(out, "  never decided anything:");
            for q in never {
                let _ = writeln!(out, "    line {}: {}", q.line, point_label(q));
            }
        }
        let unrefused: Vec<&Point> = p
            .points
            .iter()
            .filter(|q| q.can_refuse && q.refused == 0)
            .collect();
        if !unrefused.is_empty() {
            let _ = writeln!(out, "  never refused anything:");
            for q in unrefused {
                let _ = writeln!(
                    out,
                    "    line {}: {}: no test shows this {} refusing anything",
                    q.line,
                    point_label(q),
                    q.kind.as_str()
                );
            }
        }
    }
    out
}

/// The coverage as lcov: a record per policy, a function (`FN`) per step,
/// a line (`DA`) per decision point with the number of cases it decided
/// something in (the smallest, when several share a line), and for each
/// point that can refuse a pair of branches (`BRDA`): decided without
/// refusing, and refused.
pub fn lcov(coverage: &[PolicyCoverage]) -> String {
    let mut out = String::new();
    for p in coverage {
        let _ = writeln!(out, "TN:cairn\nSF:{}", p.policy);
        let steps: Vec<&Point> = p
            .points
            .iter()
            .filter(|q| q.kind == PointKind::Step)
            .collect();
        for q in &steps {
            let _ = writeln!(out, "FN:{},{}", q.line, q.name);
        }
        for q in &steps {
            let _ = writeln!(out, "FNDA:{},{}", q.decided, q.name);
        }
        let _ = writeln!(
            out,
            "FNF:{}\nFNH:{}",
            steps.len(),
            steps.iter().filter(|q| q.decided > 0).count()
        );
        let mut lines: BTreeMap<usize, usize> = BTreeMap::new();
        let mut blocks: BTreeMap<usize, usize> = BTreeMap::new();
        let (mut found, mut hit) = (0usize, 0usize);
        for q in &p.points {
            lines
                .entry(q.line)
                .and_modify(|h| *h = (*h).min(q.decided))
                .or_insert(q.decided);
            if q.can_refuse {
                let block = blocks.entry(q.line).or_default();
                for (branch, taken) in [(0, q.allowed), (1, q.refused)] {
                    let _ = writeln!(out, "BRDA:{},{block},{branch},{taken}", q.line);
                    found += 1;
                    hit += usize::from(taken > 0);
                }
                *block += 1;
            }
        }
        let _ = writeln!(out, "BRF:{found}\nBRH:{hit}");
        for (line, hits) in &lines {
            let _ = writeln!(out, "DA:{line},{hits}");
        }
        let _ = writeln!(
            out,
            "LF:{}\nLH:{}\nend_of_record",
            lines.len(),
            lines.values().filter(|&&h| h > 0).count()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(kind: PointKind, line: usize, decided: usize, refused: usize) -> Point {
        Point {
            kind,
            name: "build".to_string(),
            step: Some("build".to_string()),
            line,
            text: "x".to_string(),
            can_refuse: kind != PointKind::Key,
            decided,
            refused,
            allowed: decided - refused,
        }
    }

    #[test]
    fn lcov_has_a_record_per_policy() {
        let coverage = vec![PolicyCoverage {
            policy: "p/policy.cairn".to_string(),
            cases: 3,
            points: vec![
                point(PointKind::Key, 4, 3, 0),
                point(PointKind::Step, 7, 3, 1),
                point(PointKind::Rule, 9, 0, 0),
                point(PointKind::Check, 9, 2, 2),
            ],
        }];
        let text = lcov(&coverage);
        assert_eq!(
            text,
            "TN:cairn\nSF:p/policy.cairn\nFN:7,build\nFNDA:3,build\nFNF:1\nFNH:1\n\
             BRDA:7,0,0,2\nBRDA:7,0,1,1\nBRDA:9,0,0,0\nBRDA:9,0,1,0\nBRDA:9,1,0,0\nBRDA:9,1,1,2\n\
             BRF:6\nBRH:3\nDA:4,3\nDA:7,3\nDA:9,0\nLF:3\nLH:2\nend_of_record\n"
        );
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(xml("a<b>&\"'\u{1b}"), "a&lt;b&gt;&amp;&quot;&apos;\\u{1b}");
    }
}
