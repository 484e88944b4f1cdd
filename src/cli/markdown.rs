//! `--format markdown`: results as GitHub-flavoured Markdown for CI
//! summaries (`cairn verify ... --format markdown >> "$GITHUB_STEP_SUMMARY"`).
//!
//! Each summary is made from the command's JSON document (the same facts,
//! one source), with the helpers below that any command can use: a
//! heading with its verdict, tables, and text escaped so that what evidence
//! or a policy says is shown as text, never as Markdown or HTML.

use serde_json::Value;

/// A message as a table cell: its `code spans` kept as code (where
/// nothing is interpreted; only `|` is escaped, as tables need), the text
/// between them [`escape`]d. With an odd number of backticks the whole
/// message is escaped text.
pub fn message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape(part));
        } else {
            out.push_str(&code(part));
        }
    }
    out
}

/// `text` as the literal text of a Markdown table cell or paragraph: HTML
/// and Markdown punctuation escaped, line breaks as spaces, `|` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` in a code span (file names, codes): backticks inside are
/// replaced, so the span cannot end early.
pub fn code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c == '`' || c.is_control() { '\'' } else { c })
        .collect();
    format!("`{}`", clean.replace('|', "\\|"))
}

/// A table: `headers`, then one line per row (cells already escaped).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    out.push_str(&format!(
        "|{}\n",
        headers.iter().map(|_| " --- |").collect::<String>()
    ));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// A heading for a command's summary: `## cairn verify: ✅ PASS`.
pub fn heading(command: &str, passed: bool, verdict: &str) -> String {
    let mark = if passed { "✅" } else { "❌" };
    format!("## cairn {command}: {mark} {verdict}\n\n")
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_default()
}

/// `line:column` of a finding's location, or `-`.
fn place(location: &Value) -> String {
    match (location["line"].as_u64(), location["column"].as_u64()) {
        (Some(line), Some(column)) => format!("{line}:{column}"),
        _ => "-".to_string(),
    }
}

/// The summary of `cairn lint --format json`'s document.
pub fn lint(report: &Value) -> String {
    let counts = &report["counts"];
    let (deny, warn, advice) = (n(&counts["deny"]), n(&counts["warn"]), n(&counts["advice"]));
    let not_linted = n(&counts["notLinted"]);
    let passed = deny == 0 && not_linted == 0;
    let mut out = heading(
        "lint",
        passed,
        if passed {
            "no denied findings"
        } else {
            "denied"
        },
    );
    let files = report["files"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    out.push_str(&format!(
        "**{deny} deny, {warn} warn, {advice} advice** in {} file{}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    ));
    if not_linted > 0 {
        out.push_str(&format!(" ({not_linted} not linted)"));
    }
    out.push_str("\n\n");
    for file in files {
        let findings = file["findings"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let errors = file["errors"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if findings.is_empty() && errors.is_empty() {
            continue;
        }
        out.push_str(&format!("### {}\n\n", code(s(&file["file"]))));
        let rows: Vec<Vec<String>> = findings
            .iter()
            .chain(errors)
            .map(|f| {
                let name = s(&f["name"]);
                let rule = if name.is_empty() {
                    code(s(&f["code"]))
                } else {
                    format!("{} {}", code(s(&f["code"])), escape(name))
                };
                vec![
                    s(&f["severity"]).to_string(),
                    rule,
                    place(&f["location"]),
                    message(s(&f["message"])),
                ]
            })
            .collect();
        out.push_str(&table(&["Severity", "Rule", "Line", "Message"], &rows));
        out.push('\n');
    }
    out
}

/// The summary of `cairn verify --format json`'s report.
pub fn verify(report: &Value) -> String {
    let verdict = s(&report["verdict"]);
    let passed = verdict == "PASS";
    let mut out = heading("verify", passed, verdict);
    let time = report["time"]
        .as_i64()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let layout = report["layout"].as_str();
    let counts = &report["counts"];
    out.push_str(&match layout {
        Some(name) => format!("Policy {}", code(name)),
        None => "The layout".to_string(),
    });
    if let Some(time) = time {
        out.push_str(&format!(" evaluated at {time}"));
    }
    out.push_str(&format!(
        ": **{} deny, {} warn**\n\n",
        n(&counts["deny"]),
        n(&counts["warn"])
    ));
    let steps = report["steps"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !steps.is_empty() {
        let rows: Vec<Vec<String>> = steps
            .iter()
            .map(|step| {
                let attestations = step["attestations"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let counted = attestations
                    .iter()
                    .filter(|a| a["counted"].as_bool() == Some(true))
                    .count();
                // Attestations no trusted key verified are not listed, but
                // they were found: the count includes them.
                let untrusted = usize::try_from(n(&step["untrusted"])).unwrap_or(0);
                let status = s(&step["status"]);
                let mark = match status {
                    "satisfied" => "✅",
                    _ => "❌",
                };
                vec![
                    code(s(&step["name"])),
                    format!("{mark} {}", escape(status)),
                    format!("{counted} of {}", attestations.len() + untrusted),
                ]
            })
            .collect();
        out.push_str(&table(&["Step", "Status", "Attestations counted"], &rows));
        out.push('\n');
    }
    let findings = report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !findings.is_empty() {
        out.push_str("### Findings\n\n");
        let rows: Vec<Vec<String>> = findings
            .iter()
            .map(|f| {
                vec![
                    s(&f["severity"]).to_string(),
                    code(s(&f["code"])),
                    f["step"].as_str().map(code).unwrap_or_else(|| "-".into()),
                    message(s(&f["message"])),
                ]
            })
            .collect();
        out.push_str(&table(&["Severity", "Code", "Step", "Message"], &rows));
        out.push('\n');
    }
    out
}

/// The summary of `cairn test --format json`'s document: the outcome, the
/// counts, and a row per case that failed or suite that could not run, with
/// the findings it missed and those it did not expect.
pub fn test(report: &Value) -> String {
    let passed = report["passed"].as_bool() == Some(true);
    let counts = &report["counts"];
    let verdict = if passed { "PASS" } else { "FAIL" };
    let mut out = heading("test", passed, verdict);
    out.push_str(&format!(
        "**{} passed, {} failed**, {} suite(s), {} not run\n\n",
        n(&counts["passed"]),
        n(&counts["failed"]),
        n(&counts["suites"]),
        n(&counts["notRun"])
    ));
    let mut rows = Vec::new();
    let findings = |list: &Value| -> String {
        let shown: Vec<String> = list
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|f| {
                let mut text = code(s(&f["code"]));
                if let Some(step) = f["step"].as_str() {
                    text.push_str(&format!(" step {}", code(step)));
                }
                if let Some(line) = f["line"].as_u64() {
                    text.push_str(&format!(" line {line}"));
                }
                text
            })
            .collect();
        if shown.is_empty() {
            "-".to_string()
        } else {
            shown.join(", ")
        }
    };
    for suite in report["suites"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let file = s(&suite["file"]);
        if let Some(error) = suite["error"].as_str() {
            rows.push(vec![
                code(file),
                "-".to_string(),
                format!("⚠️ not run: {}", message(error)),
                "-".to_string(),
                "-".to_string(),
            ]);
            continue;
        }
        for case in suite["cases"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if case["passed"].as_bool() == Some(true) {
                continue;
            }
            let verdict = |side: &str| {
                case.get(side)
                    .and_then(|v| v.get("verdict"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let (expected, actual) = (verdict("expected"), verdict("actual"));
            rows.push(vec![
                code(file),
                code(s(&case["name"])),
                format!("❌ expected {}, got {}", escape(&expected), escape(&actual)),
                findings(&case["missing"]),
                findings(&case["extra"]),
            ]);
        }
    }
    if !rows.is_empty() {
        out.push_str(&table(
            &[
                "Suite",
                "Case",
                "Outcome",
                "Missing findings",
                "Unexpected findings",
            ],
            &rows,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_evidence_says_is_shown_as_text() {
        assert_eq!(
            escape("a|b <script> *x* [l](u)\nnext"),
            "a\\|b &lt;script&gt; \\*x\\* \\[l\\](u) next"
        );
        assert_eq!(code("a`b|c"), "`a'b\\|c`");
        assert_eq!(
            message("`$.result` is [\"x\"] *y* `a|b`"),
            "`$.result` is \\[\"x\"\\] \\*y\\* `a\\|b`"
        );
        assert_eq!(message("odd ` one"), "odd \\` one");
    }

    #[test]
    fn a_table_has_a_rule_under_its_headers() {
        let t = table(&["A", "B"], &[vec!["1".into(), "2".into()]]);
        assert_eq!(t, "| A | B |\n| --- | --- |\n| 1 | 2 |\n");
    }
}
