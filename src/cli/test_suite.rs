//! The test suites of `cairn test`: TOML files in a `tests/` folder beside a
//! policy (`docs/testing.md`), read into cases with every path resolved and
//! every value checked, the results of cases and suites, and the errors of
//! suites (`E600`-`E611`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// What a case expects of the verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The policy is satisfied (`cairn verify` exits 0).
    Pass,
    /// The policy is violated (exit 1).
    Fail,
    /// No verdict: cairn could not evaluate (exit 2), e.g. a parameter
    /// without a value.
    Error,
}

impl Outcome {
    /// The word a suite and the reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }
}

/// One expected finding: a code, and optionally the step and the policy
/// line it points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    /// `V107`, `E318`, ...
    pub code: String,
    /// The step or inspection the finding concerns.
    pub step: Option<String>,
    /// The line of the policy the finding points at.
    pub line: Option<usize>,
}

/// One case, ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name, unique in its suite.
    pub name: String,
    /// The evidence files and folders.
    pub evidence: Vec<PathBuf>,
    /// The final artifact as a file.
    pub artifact: Option<PathBuf>,
    /// The final artifact as `ALG:HEX`.
    pub subject: Option<String>,
    /// The evaluation time, Unix seconds.
    pub time: i64,
    /// Parameter values.
    pub params: BTreeMap<String, String>,
    /// A Sigstore trusted root other than the policy's.
    pub trusted_root: Option<PathBuf>,
    /// Keys of the policy replaced by other public key files, by name.
    pub keys: BTreeMap<String, PathBuf>,
    /// Where the key replacements are written in the suite.
    pub keys_at: BTreeMap<String, std::ops::Range<usize>>,
    /// Run the policy's inspections in a copy of this folder.
    pub inspection_dir: Option<PathBuf>,
    /// The verdict expected.
    pub expect: Outcome,
    /// The findings expected: exactly these codes.
    pub findings: Vec<Expected>,
}

/// One suite file.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite file as found.
    pub file: PathBuf,
    /// Its text (for the errors found after reading it).
    pub text: String,
    /// The policy it tests.
    pub policy: PathBuf,
    /// Its cases, in file order.
    pub cases: Vec<Case>,
}

/// What a case gave, one finding per row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Got {
    /// The code.
    pub code: String,
    /// The step or inspection it concerns.
    pub step: Option<String>,
    /// The policy line it points at.
    pub line: Option<usize>,
    /// Its message.
    pub message: String,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// The verdict expected.
    pub expect: Outcome,
    /// The findings expected.
    pub expected: Vec<Expected>,
    /// The verdict given.
    pub outcome: Outcome,
    /// The findings given.
    pub got: Vec<Got>,
    /// Expected findings no actual one matches.
    pub missing: Vec<Expected>,
    /// Actual findings no expected one matches.
    pub extra: Vec<Got>,
    /// Verdict and findings as expected.
    pub passed: bool,
    /// How long it took.
    pub seconds: f64,
    /// What decided something (with `--coverage`).
    pub decisions: Vec<cairn::Decision>,
}

/// The results of one suite, or why it could not run.
#[derive(Debug)]
pub struct SuiteResult {
    /// The suite file.
    pub file: PathBuf,
    /// Its policy, when known.
    pub policy: Option<PathBuf>,
    /// The policy's text, when it was read.
    pub policy_text: Option<String>,
    /// Its cases (those selected by `--filter`).
    pub cases: Vec<CaseResult>,
    /// Why it could not run.
    pub error: Option<String>,
}

/// Why a suite could not be used, or a run could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TestError {
    /// A suite file that cannot be read.
    #[error("cannot read test suite `{path}`: {reason}")]
    #[diagnostic(
        code(E600),
        help("check the path and the file's permissions; a suite is a UTF-8 TOML file")
    )]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A suite that is not TOML, or not of the suite's shape.
    #[error("invalid test suite `{path}`: {message}")]
    #[diagnostic(
        code(E601),
        help("a suite has an optional `policy`, a `[defaults]` table and `[[case]]` tables; see docs/testing.md")
    )]
    Invalid {
        /// The file.
        path: String,
        /// What the TOML reader said.
        message: String,
        /// The suite's text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// Where.
        #[label("here")]
        span: Option<miette::SourceSpan>,
    },
    /// A value of the suite that cairn cannot use.
    #[error("{message}")]
    #[diagnostic(code(E602))]
    Value {
        /// What is wrong.
        message: String,
        /// The suite's text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// Where.
        #[label("this value")]
        span: miette::SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },
    /// A case without a value it needs.
    #[error("case `{case}` has no `{field}`")]
    #[diagnostic(code(E603))]
    Missing {
        /// The case.
        case: String,
        /// The field.
        field: String,
        /// The suite's text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// Where the case is.
        #[label("in this case")]
        span: miette::SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },
    /// The suite's policy cannot be found.
    #[error("test suite `{path}` names no policy that exists: {reason}")]
    #[diagnostic(
        code(E604),
        help("put the suite in a `tests/` folder beside one `.cairn` file, or name the policy with `policy = \"../policy.cairn\"` (relative to the suite)")
    )]
    NoPolicy {
        /// The suite.
        path: String,
        /// What was looked for.
        reason: String,
    },
    /// Two cases of one suite with one name.
    #[error("two cases are named `{name}`")]
    #[diagnostic(
        code(E605),
        help("give every case of a suite its own name: `--filter` and the reports tell cases by name")
    )]
    DuplicateCase {
        /// The name.
        name: String,
        /// The suite's text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// The second one.
        #[label("named again here")]
        span: miette::SourceSpan,
    },
    /// A key replacement naming no key of the policy.
    #[error("`keys` replaces `{name}`, which is no key of `{policy}`")]
    #[diagnostic(code(E606))]
    UnknownKey {
        /// The name.
        name: String,
        /// The policy.
        policy: String,
        /// The suite's text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// Where.
        #[label("no such key")]
        span: miette::SourceSpan,
        /// The policy's keys.
        #[help]
        help: String,
    },
    /// The policy a suite tests does not compile.
    #[error("the policy `{policy}` of test suite `{suite}` does not compile")]
    #[diagnostic(
        code(E607),
        help("fix the policy (its errors follow; `cairn check` shows them too)")
    )]
    PolicyErrors {
        /// The policy.
        policy: String,
        /// The suite.
        suite: String,
    },
    /// No suite under the paths given.
    #[error("no test suite found in {paths}")]
    #[diagnostic(
        code(E608),
        help("suites are `*.toml` files in a `tests/` folder beside a `.cairn` policy; see docs/testing.md")
    )]
    NoSuites {
        /// The paths, quoted.
        paths: String,
    },
    /// A path that is no folder, suite or policy.
    #[error("`{path}` {reason}")]
    #[diagnostic(
        code(E609),
        help("give folders to search, `.toml` suites, or `.cairn` policies (their `tests/` folder is run)")
    )]
    BadPath {
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `--filter` selects no case.
    #[error("no case matches `--filter {filter}` (of {cases} case(s) in {suites} suite(s))")]
    #[diagnostic(
        code(E610),
        help("the filter is a part of `SUITE:CASE` names (the suite file as found, a colon, the case's name) as the human output shows them; run without it to see them")
    )]
    NoMatch {
        /// The filter.
        filter: String,
        /// How many cases there were.
        cases: usize,
        /// How many suites.
        suites: usize,
    },
    /// The lcov file cannot be written.
    #[error("cannot write coverage to `{path}`: {reason}")]
    #[diagnostic(code(E611), help("check that the directory exists and is writable"))]
    WriteLcov {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// What a suite file says, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    policy: Option<Spanned<String>>,
    #[serde(default)]
    defaults: Option<Spanned<Fields>>,
    #[serde(default, rename = "case")]
    cases: Vec<Spanned<CaseFile>>,
}

/// What a case or the defaults may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Fields {
    evidence: Option<Vec<Spanned<String>>>,
    artifact: Option<Spanned<String>>,
    subject: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    params: Option<BTreeMap<String, Spanned<String>>>,
    trusted_root: Option<Spanned<String>>,
    keys: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    inspection_dir: Option<Spanned<String>>,
}

/// One `[[case]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CaseFile {
    name: Spanned<String>,
    #[allow(dead_code)]
    description: Option<String>,
    evidence: Option<Vec<Spanned<String>>>,
    artifact: Option<Spanned<String>>,
    subject: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    params: Option<BTreeMap<String, Spanned<String>>>,
    trusted_root: Option<Spanned<String>>,
    keys: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    inspection_dir: Option<Spanned<String>>,
    expect: Option<Spanned<Outcome>>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    #[serde(default, rename = "finding")]
    findings: Vec<Spanned<FindingFile>>,
}

/// One `[[case.finding]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingFile {
    code: Spanned<String>,
    step: Option<String>,
    line: Option<Spanned<i64>>,
}

/// Reads a suite file: its cases with paths resolved against the policy's
/// folder, or the first thing wrong with it.
pub fn read(file: &Path) -> Result<Suite, Box<TestError>> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        Box::new(TestError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Box::new(TestError::Read {
            path: shown.clone(),
            reason: format!("not UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        })
    })?;
    let source = || miette::NamedSource::new(&shown, text.clone());
    let raw: SuiteFile = toml::from_str(&text).map_err(|e| {
        Box::new(TestError::Invalid {
            path: shown.clone(),
            message: e.message().trim_end().to_string(),
            source_code: source(),
            span: e.span().map(|r| miette::SourceSpan::from(r.start..r.end)),
        })
    })?;
    let value_error = |span: std::ops::Range<usize>, message: String, help: &str| {
        Box::new(TestError::Value {
            message,
            source_code: source(),
            span: (span.start..span.end).into(),
            help: help.to_string(),
        })
    };
    let suite_dir = file.parent().unwrap_or(Path::new("."));
    let policy = match &raw.policy {
        Some(p) => {
            let path = normal(&suite_dir.join(p.get_ref()));
            if !path.is_file() {
                return Err(value_error(
                    p.span(),
                    format!("the policy `{}` is not a file", path.display()),
                    "name the policy relative to the suite file, e.g. `policy = \"../policy.cairn\"`",
                ));
            }
            path
        }
        None => default_policy(file, suite_dir)?,
    };
    let base = policy.parent().unwrap_or(Path::new(".")).to_path_buf();
    let defaults = raw.defaults.map(Spanned::into_inner).unwrap_or_default();
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for spanned in raw.cases {
        let case_span = spanned.span();
        let c = spanned.into_inner();
        let name = c.name.get_ref().clone();
        if name.trim().is_empty() {
            return Err(value_error(
                c.name.span(),
                "a case's name is empty".to_string(),
                "name the case, e.g. `name = \"tampered-artifact\"`",
            ));
        }
        if !names.insert(name.clone()) {
            return Err(Box::new(TestError::DuplicateCase {
                name,
                source_code: source(),
                span: (c.name.span().start..c.name.span().end).into(),
            }));
        }
        let missing = |field: &str, help: &str| {
            Box::new(TestError::Missing {
                case: name.clone(),
                field: field.to_string(),
                source_code: source(),
                span: (case_span.start..case_span.end).into(),
                help: help.to_string(),
            })
        };
        let pick = |own: &Option<Spanned<String>>, default: &Option<Spanned<String>>| {
            own.clone().or_else(|| default.clone())
        };
        let time = pick(&c.time, &defaults.time).ok_or_else(|| {
            missing(
                "time",
                "give the case (or `[defaults]`) a `time` such as `time = \"2026-06-01T00:00:00Z\"`: a test does not read the clock",
            )
        })?;
        let unix = cairn::parse_time(time.get_ref()).ok_or_else(|| {
            value_error(
                time.span(),
                format!("`{}` is not an RFC 3339 time", time.get_ref()),
                "write it like `2026-06-01T00:00:00Z`",
            )
        })?;
        let expect = c.expect.as_ref().map(|e| *e.get_ref()).ok_or_else(|| {
            missing(
                "expect",
                "say what must happen: `expect = \"pass\"`, `\"fail\"` or `\"error\"` (no verdict)",
            )
        })?;
        let artifact = pick(&c.artifact, &defaults.artifact);
        let subject = pick(&c.subject, &defaults.subject);
        // A case's own artifact or subject replaces either of the defaults.
        let (artifact, subject) = match (&c.artifact, &c.subject) {
            (Some(a), None) => (Some(a.clone()), None),
            (None, Some(s)) => (None, Some(s.clone())),
            _ => (artifact, subject),
        };
        if let (Some(_), Some(s)) = (&artifact, &subject) {
            return Err(value_error(
                s.span(),
                format!("case `{name}` gives both an artifact and a subject"),
                "give the final artifact as a file (`artifact`) or as a digest (`subject`), not both",
            ));
        }
        if let Some(s) = &subject {
            if cairn::Artifact::parse_subject(s.get_ref()).is_err() {
                return Err(value_error(
                    s.span(),
                    format!("`{}` is not a digest `ALG:HEX`", s.get_ref()),
                    "write it like `sha256:` followed by 64 hex digits",
                ));
            }
        }
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in defaults.params.iter().flatten() {
            params.insert(k.clone(), v.get_ref().clone());
        }
        for (k, v) in c.params.iter().flatten() {
            params.insert(k.clone(), v.get_ref().clone());
        }
        let mut keys = BTreeMap::new();
        let mut keys_at = BTreeMap::new();
        for (k, v) in defaults
            .keys
            .iter()
            .flatten()
            .chain(c.keys.iter().flatten())
        {
            // Relative to the policy's folder, as the policy's own key files.
            keys.insert(k.get_ref().clone(), PathBuf::from(v.get_ref()));
            keys_at.insert(k.get_ref().clone(), k.span());
        }
        let evidence = c
            .evidence
            .as_ref()
            .or(defaults.evidence.as_ref())
            .map(|list| list.iter().map(|p| base.join(p.get_ref())).collect())
            .unwrap_or_default();
        let mut findings = Vec::new();
        for code in &c.codes {
            findings.push(Expected {
                code: checked_code(code, &value_error)?,
                step: None,
                line: None,
            });
        }
        for f in &c.findings {
            let f = f.get_ref();
            let line = match &f.line {
                Some(l) => Some(
                    usize::try_from(*l.get_ref())
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| {
                            value_error(
                                l.span(),
                                format!("line {} is no line of a policy", l.get_ref()),
                                "policy lines are counted from 1",
                            )
                        })?,
                ),
                None => None,
            };
            findings.push(Expected {
                code: checked_code(&f.code, &value_error)?,
                step: f.step.clone(),
                line,
            });
        }
        findings.sort();
        findings.dedup();
        let path = |own: &Option<Spanned<String>>, default: &Option<Spanned<String>>| {
            pick(own, default).map(|p| base.join(p.get_ref()))
        };
        cases.push(Case {
            name,
            evidence,
            artifact: artifact.map(|p| base.join(p.get_ref())),
            subject: subject.map(Spanned::into_inner),
            time: unix,
            params,
            trusted_root: path(&c.trusted_root, &defaults.trusted_root),
            keys,
            keys_at,
            inspection_dir: path(&c.inspection_dir, &defaults.inspection_dir),
            expect,
            findings,
        });
    }
    if cases.is_empty() {
        return Err(Box::new(TestError::Invalid {
            path: shown.clone(),
            message: "the suite has no `[[case]]`".to_string(),
            source_code: source(),
            span: None,
        }));
    }
    Ok(Suite {
        file: file.to_path_buf(),
        text,
        policy,
        cases,
    })
}

/// `path` with `.` components and `..` after a folder name left out, as
/// reports and lcov name the policy.
fn normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir if !out.is_empty() => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Makes an `E602` at a place of the suite, with its message and help.
type ValueError<'a> = dyn Fn(std::ops::Range<usize>, String, &str) -> Box<TestError> + 'a;

/// A finding code as written: `E` or `V` and three digits.
fn checked_code(
    code: &Spanned<String>,
    value_error: &ValueError<'_>,
) -> Result<String, Box<TestError>> {
    let text = code.get_ref();
    let ok = text.len() == 4
        && text.starts_with(['E', 'V'])
        && text.chars().skip(1).all(|c| c.is_ascii_digit());
    if ok {
        Ok(text.clone())
    } else {
        Err(value_error(
            code.span(),
            format!("`{text}` is not a finding code"),
            "finding codes are `V` or `E` and three digits, e.g. `V104` (docs/diagnostics.md)",
        ))
    }
}

/// The policy of a suite that names none: the one `.cairn` file in the
/// folder that holds the suite's folder (`policy.cairn` when there are
/// several).
fn default_policy(file: &Path, suite_dir: &Path) -> Result<PathBuf, Box<TestError>> {
    let parent = suite_dir.parent().unwrap_or(Path::new("."));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let policies = policies_in(parent);
    let chosen = match policies.as_slice() {
        [one] => Some(one.clone()),
        _ => policies
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == "policy.cairn"))
            .cloned(),
    };
    chosen.ok_or_else(|| {
        Box::new(TestError::NoPolicy {
            path: file.display().to_string(),
            reason: if policies.is_empty() {
                format!("`{}` holds no `.cairn` file", parent.display())
            } else {
                format!(
                    "`{}` holds {} `.cairn` files and none is `policy.cairn`",
                    parent.display(),
                    policies.len()
                )
            },
        })
    })
}

/// The `.cairn` files directly in `dir`, sorted.
pub fn policies_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cairn") && p.is_file())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-suite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        write(&dir, "policy.cairn", "layout \"x\" {}\n");
        dir
    }

    #[test]
    fn defaults_apply_and_cases_override_them() {
        let dir = scratch("defaults");
        let suite = write(
            &dir,
            "tests/a.toml",
            r#"
[defaults]
time = "2026-06-01T00:00:00Z"
evidence = ["bundles/a.jsonl"]
artifact = "bin/app"
params = { a = "1", b = "2" }

[[case]]
name = "one"
expect = "pass"

[[case]]
name = "two"
subject = "sha256:ab"
params = { b = "3" }
expect = "fail"
codes = ["V107"]
[[case.finding]]
code = "V104"
step = "build"
line = 12
"#,
        );
        let s = read(&suite).unwrap();
        assert_eq!(s.policy, dir.join("policy.cairn"));
        let [one, two] = s.cases.as_slice() else {
            panic!("{:?}", s.cases)
        };
        assert_eq!(one.evidence, vec![dir.join("bundles/a.jsonl")]);
        assert!(one.artifact.is_some() && one.subject.is_none());
        assert!(two.artifact.is_none() && two.subject.as_deref() == Some("sha256:ab"));
        assert_eq!(two.params["a"], "1");
        assert_eq!(two.params["b"], "3");
        assert_eq!(two.expect, Outcome::Fail);
        assert_eq!(two.findings.len(), 2);
        assert_eq!(two.findings[0].line, Some(12));
    }

    #[test]
    fn bad_suites_say_where() {
        let dir = scratch("bad");
        for (text, code) in [
            ("[[case]]\nname = \"a\"\nexpect = \"passes\"\ntime = \"2026-06-01T00:00:00Z\"\n", "E601"),
            ("[[case]]\nnmae = \"a\"\n", "E601"),
            ("[[case]]\nname = \"a\"\nexpect = \"pass\"\ntime = \"yesterday\"\n", "E602"),
            ("[[case]]\nname = \"a\"\nexpect = \"pass\"\ntime = \"2026-06-01T00:00:00Z\"\ncodes = [\"X1\"]\n", "E602"),
            ("[[case]]\nname = \"a\"\nexpect = \"pass\"\n", "E603"),
            ("[[case]]\nname = \"a\"\ntime = \"2026-06-01T00:00:00Z\"\n", "E603"),
            ("[defaults]\ntime = \"2026-06-01T00:00:00Z\"\n[[case]]\nname = \"a\"\nexpect = \"pass\"\n[[case]]\nname = \"a\"\nexpect = \"pass\"\n", "E605"),
            ("", "E601"),
        ] {
            let suite = write(&dir, "tests/bad.toml", text);
            let e = read(&suite).unwrap_err();
            let got = miette::Diagnostic::code(e.as_ref()).unwrap().to_string();
            assert_eq!(got, code, "{text}: {e}");
        }
        std::fs::remove_file(dir.join("policy.cairn")).unwrap();
        let suite = write(&dir, "tests/ok.toml", "[[case]]\nname = \"a\"\n");
        let e = read(&suite).unwrap_err();
        assert_eq!(
            miette::Diagnostic::code(e.as_ref()).unwrap().to_string(),
            "E604"
        );
    }
}
