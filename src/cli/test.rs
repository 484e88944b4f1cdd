//! `cairn test`: run the test suites that live beside policies (`tests/*.toml`
//! next to a `.cairn` file), each case a verification with the verdict and the
//! finding codes it must give; report every case, and with `--coverage` which
//! parts of each policy decided something in some case.
//!
//! Exit 0: every case passed; 1: a case failed; 2: a suite or a path could
//! not be used, or no case was run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::test_output as output;
use super::test_suite::{
    self as suite, Case, CaseResult, Expected, Got, Outcome, Suite, SuiteResult, TestError,
};
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};

/// `cairn test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Folders to search for suites (`tests/*.toml` beside a `.cairn` policy,
    /// at any depth), suite files, or policies (the suites of their `tests/`
    /// folder); `.` when none is given.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run only the cases whose `SUITE:CASE` name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format of the results on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
    pub format: Format,
    /// Report which steps, attestations, rules, checks, keys and identities
    /// decided something in at least one case, and which steps,
    /// attestations, rules and checks no case made refuse anything (after the
    /// results; on stderr with `--format junit` or `markdown`, in the JSON
    /// with `--format json`).
    #[arg(long)]
    pub coverage: bool,
    /// Write the coverage as lcov (`SF:` the policy, `DA:` a line per
    /// decision point with the number of cases it decided something in,
    /// `BRDA:` whether it was seen allowing and refusing) to this file;
    /// implies `--coverage`.
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
}

/// `--format` of `cairn test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Each case ok or FAIL; a failing case shows expected and actual findings as a diff.
    Human,
    /// One JSON document (docs/testing.md).
    Json,
    /// JUnit XML, as CI systems read it (docs/testing.md).
    Junit,
    /// A Markdown summary for a CI job's page (`$GITHUB_STEP_SUMMARY`).
    Markdown,
}

/// Runs `cairn test`.
pub fn run(args: &TestArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    let show = |e: &dyn miette::Diagnostic| err!("{}", cairn::render(e, color));
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut stopped = false;
    let mut files = Vec::new();
    for path in &paths {
        match discover(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                show(e.as_ref());
                stopped = true;
            }
        }
    }
    files.sort();
    files.dedup();
    // A policy given by name runs only the suites that test it.
    let only: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cairn") && p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    if files.is_empty() && !stopped {
        let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        show(&TestError::NoSuites {
            paths: shown.join(", "),
        });
        return ExitCode::from(EXIT_ERROR);
    }
    let coverage = args.coverage || args.lcov.is_some();
    super::shell::set_machine(args.format != Format::Human);
    let progress = super::shell::Progress::start("running test suites");
    progress.total(u64::try_from(files.len()).unwrap_or(u64::MAX));
    let mut results = Vec::new();
    let mut selected = 0usize;
    let mut total = 0usize;
    for file in &files {
        progress.advance(1);
        let suite = match suite::read(file) {
            Ok(suite) => suite,
            Err(e) => {
                show(e.as_ref());
                stopped = true;
                results.push(SuiteResult {
                    file: file.clone(),
                    policy: None,
                    policy_text: None,
                    cases: Vec::new(),
                    error: Some(e.to_string()),
                });
                continue;
            }
        };
        let named_policy =
            only.is_empty() || suite.policy.canonicalize().is_ok_and(|p| only.contains(&p));
        let by_name = paths.iter().any(|p| p == file);
        if !named_policy && !by_name {
            continue;
        }
        total += suite.cases.len();
        let full = |case: &Case| format!("{}:{}", file.display(), case.name);
        let cases: Vec<&Case> = suite
            .cases
            .iter()
            .filter(|c| {
                args.filter
                    .as_ref()
                    .is_none_or(|f| full(c).contains(f.as_str()))
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        selected += cases.len();
        match run_suite(&suite, &cases, coverage) {
            Ok(result) => results.push(result),
            Err(diagnostics) => {
                for d in &diagnostics {
                    show(d.as_ref());
                }
                stopped = true;
                results.push(SuiteResult {
                    file: file.clone(),
                    policy: Some(suite.policy.clone()),
                    policy_text: None,
                    cases: Vec::new(),
                    error: diagnostics.first().map(|d| d.to_string()),
                });
            }
        }
    }
    if selected == 0 && !stopped {
        match &args.filter {
            Some(filter) => show(&TestError::NoMatch {
                filter: filter.clone(),
                cases: total,
                suites: files.len(),
            }),
            None => {
                let shown: Vec<String> =
                    paths.iter().map(|p| format!("`{}`", p.display())).collect();
                show(&TestError::NoSuites {
                    paths: shown.join(", "),
                });
            }
        }
        return ExitCode::from(EXIT_ERROR);
    }
    drop(progress);
    let covered = if coverage {
        output::coverage(&results)
    } else {
        Vec::new()
    };
    match args.format {
        Format::Human => {
            out!("{}", output::human(&results));
            if coverage {
                out!("\n{}", output::coverage_summary(&covered));
            }
        }
        Format::Json => outln!(
            "{}",
            output::json(&results, coverage.then_some(&covered[..]))
        ),
        Format::Junit => {
            out!("{}", output::junit(&results));
            if coverage {
                err!("{}", output::coverage_summary(&covered));
            }
        }
        Format::Markdown => {
            let report: serde_json::Value =
                serde_json::from_str(&output::json(&results, None)).unwrap_or_default();
            out!("{}", super::markdown::test(&report));
            if coverage {
                err!("{}", output::coverage_summary(&covered));
            }
        }
    }
    if let Some(path) = &args.lcov {
        if let Err(e) = std::fs::write(path, output::lcov(&covered)) {
            show(&TestError::WriteLcov {
                path: path.display().to_string(),
                reason: e.to_string(),
            });
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if stopped {
        return ExitCode::from(EXIT_ERROR);
    }
    let failed = results.iter().flat_map(|s| &s.cases).any(|c| !c.passed);
    ExitCode::from(if failed { EXIT_NO } else { EXIT_OK })
}

/// The suites a path stands for: a suite file itself; the suites in the
/// `tests/` folder beside a policy; in a folder, every `tests/*.toml`
/// beside a `.cairn` file, at any depth (hidden folders, `target/` and
/// symbolic links to folders skipped).
fn discover(path: &Path) -> Result<Vec<PathBuf>, Box<TestError>> {
    let bad = |reason: &str| {
        Box::new(TestError::BadPath {
            path: path.display().to_string(),
            reason: reason.to_string(),
        })
    };
    if path.is_file() {
        return match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Ok(vec![path.to_path_buf()]),
            Some("cairn") => {
                let dir = path.parent().unwrap_or(Path::new("."));
                Ok(suites_in(&dir.join("tests")))
            }
            _ => Err(bad(
                "is neither a folder, a `.toml` suite nor a `.cairn` policy",
            )),
        };
    }
    if !path.is_dir() {
        return Err(bad("does not exist"));
    }
    let mut found = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        // Folders only, never through a symbolic link (no loops).
        let mut entries: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if name == "tests" && !suite::policies_in(&dir).is_empty() {
                found.extend(suites_in(&entry));
            }
            dirs.push(entry);
        }
    }
    found.sort();
    Ok(found)
}

/// The `*.toml` files directly in `dir`, sorted.
fn suites_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    found.sort();
    found
}

/// Runs the selected cases of one suite.
fn run_suite(
    suite: &Suite,
    cases: &[&Case],
    coverage: bool,
) -> Result<SuiteResult, Vec<cairn::Diagnostic>> {
    let policy = cairn::Policy::from_file(&suite.policy).map_err(|e| {
        let mut all: Vec<cairn::Diagnostic> = vec![Box::new(TestError::PolicyErrors {
            policy: suite.policy.display().to_string(),
            suite: suite.file.display().to_string(),
        })];
        all.extend(e.into_diagnostics());
        all
    })?;
    // Key replacements are checked before anything runs.
    for case in cases {
        for (name, span) in &case.keys_at {
            if !policy.layout().keys.iter().any(|k| &k.name == name) {
                let names: Vec<&str> = policy
                    .layout()
                    .keys
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect();
                return Err(vec![Box::new(TestError::UnknownKey {
                    name: name.clone(),
                    policy: suite.policy.display().to_string(),
                    source_code: miette::NamedSource::new(
                        suite.file.display().to_string(),
                        suite.text.clone(),
                    ),
                    span: (span.start..span.end).into(),
                    help: if names.is_empty() {
                        "the policy declares no key".to_string()
                    } else {
                        format!("the policy's keys: {}", names.join(", "))
                    },
                })]);
            }
        }
    }
    let results = cairn_base::parallel::map(cases, |case| run_case(&policy, case, coverage));
    let mut ran = Vec::with_capacity(results.len());
    for result in results {
        ran.push(result.map_err(|d| vec![d])?);
    }
    Ok(SuiteResult {
        file: suite.file.clone(),
        policy: Some(suite.policy.clone()),
        policy_text: Some(policy.text().to_string()),
        cases: ran,
        error: None,
    })
}

/// The policy with the keys a case replaces declared anew (each
/// declaration's lines kept, so that findings point at the same lines).
fn with_keys(
    policy: &cairn::Policy,
    keys: &BTreeMap<String, PathBuf>,
) -> Result<cairn::Policy, cairn::Error> {
    let text = policy.text();
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for key in &policy.layout().keys {
        if let Some(path) = keys.get(&key.name) {
            let old = text.get(key.span.start..key.span.end).unwrap_or("");
            let quoted = path
                .display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            let mut new = format!("key {} = file \"{quoted}\"", key.name);
            new.push_str(&"\n".repeat(old.matches('\n').count()));
            spans.push((key.span.start, key.span.end, new));
        }
    }
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, new) in spans {
        out.push_str(text.get(at..start).unwrap_or(""));
        out.push_str(&new);
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    let base = Path::new(policy.uri())
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    cairn::Policy::from_source(policy.uri(), &out, &base)
}

/// The offset in `to` at the line and column that `offset` has in `from`
/// (the column cut to the line's length).
fn same_place(from: &str, to: &str, offset: usize) -> usize {
    let before = from.get(..offset).unwrap_or(from);
    let line = before.matches('\n').count();
    let column = before.len() - before.rfind('\n').map_or(0, |p| p + 1);
    let mut start = 0;
    for _ in 0..line {
        match to.get(start..).and_then(|rest| rest.find('\n')) {
            Some(p) => start += p + 1,
            None => return to.len(),
        }
    }
    let line_len = to
        .get(start..)
        .map_or(0, |rest| rest.find('\n').unwrap_or(rest.len()));
    let mut at = start + column.min(line_len);
    while !to.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The line of the policy at byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// Runs one case.
fn run_case(
    policy: &cairn::Policy,
    case: &Case,
    coverage: bool,
) -> Result<CaseResult, cairn::Diagnostic> {
    let started = std::time::Instant::now();
    let original_text = policy.text();
    let replaced;
    let policy = if case.keys.is_empty() {
        policy
    } else {
        match with_keys(policy, &case.keys) {
            Ok(p) => {
                replaced = p;
                &replaced
            }
            Err(e) => {
                let first = e.into_diagnostics().into_iter().next();
                return Err(first.unwrap_or_else(|| {
                    Box::new(TestError::PolicyErrors {
                        policy: policy.uri().to_string(),
                        suite: case.name.clone(),
                    })
                }));
            }
        }
    };
    let mut options = cairn::Options::at(case.time);
    options.evidence.clone_from(&case.evidence);
    options.trusted_root.clone_from(&case.trusted_root);
    options.params.clone_from(&case.params);
    options.artifact = match (&case.artifact, &case.subject) {
        (Some(path), _) => Some(cairn::Artifact::File(path.clone())),
        (None, Some(subject)) => cairn::Artifact::parse_subject(subject).ok(),
        (None, None) => None,
    };
    options.inspections = case
        .inspection_dir
        .as_ref()
        .map(|dir| cairn::InspectionRun {
            dir: dir.clone(),
            timeout: cairn_record::seconds_limit(10),
            scratch: std::env::temp_dir(),
        });
    options.trace = coverage;
    options.limits = super::limits();
    let text = policy.text();
    let mut got = Vec::new();
    let mut decisions = Vec::new();
    let outcome = match cairn::verify(policy, &options) {
        Ok(report) => {
            for f in &report.verdict().findings {
                got.push(Got {
                    code: f.code.as_str().to_string(),
                    step: f.step.clone(),
                    line: f.span.map(|s| line_of(text, s.start)),
                    message: f.message.clone(),
                });
            }
            got.extend(warning_codes(report.warnings()));
            if coverage {
                decisions = report.coverage();
                // A case with replaced keys ran on its own text: its spans
                // are moved to the same line and column of the suite's policy.
                if !case.keys.is_empty() {
                    let original = original_text;
                    for d in &mut decisions {
                        d.span = cairn_base::source::Span::new(
                            same_place(text, original, d.span.start),
                            same_place(text, original, d.span.end),
                        );
                    }
                }
            }
            if report.passed() {
                Outcome::Pass
            } else {
                Outcome::Fail
            }
        }
        Err(e) => {
            got.extend(warning_codes(e.warnings()));
            for d in e.diagnostics() {
                got.push(Got {
                    code: d.code().map(|c| c.to_string()).unwrap_or_default(),
                    step: None,
                    line: None,
                    message: d.to_string(),
                });
            }
            if e.is_failure() {
                Outcome::Fail
            } else {
                Outcome::Error
            }
        }
    };
    got.sort();
    got.dedup();
    let matches = |e: &Expected, g: &Got| {
        e.code == g.code
            && e.step.as_ref().is_none_or(|s| g.step.as_ref() == Some(s))
            && e.line.is_none_or(|l| g.line == Some(l))
    };
    let missing: Vec<Expected> = case
        .findings
        .iter()
        .filter(|e| !got.iter().any(|g| matches(e, g)))
        .cloned()
        .collect();
    let extra: Vec<Got> = got
        .iter()
        .filter(|g| !case.findings.iter().any(|e| matches(e, g)))
        .cloned()
        .collect();
    let passed = outcome == case.expect && missing.is_empty() && extra.is_empty();
    Ok(CaseResult {
        name: case.name.clone(),
        expect: case.expect,
        expected: case.findings.clone(),
        outcome,
        got,
        missing,
        extra,
        passed,
        seconds: started.elapsed().as_secs_f64(),
        decisions,
    })
}

/// The coded warnings of a verification, as findings without a place.
fn warning_codes(warnings: &[cairn::Warning]) -> Vec<Got> {
    warnings
        .iter()
        .filter_map(|w| match w {
            cairn::Warning::Diagnostic(d) => Some(Got {
                code: d.code().map(|c| c.to_string())?,
                step: None,
                line: None,
                message: d.to_string(),
            }),
            cairn::Warning::Note(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 1);
    }
}
