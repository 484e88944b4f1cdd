//! `cairn lint`, driven by data: every `.cairn` file under
//! `tests/cases/lint/err/` is named after the rule it triggers
//! (`L004-shadowed-rule.cairn`) and snapshots its human output; every file
//! under `lint/ok/` and every example under `policies/` lints clean. The
//! machine outputs are checked for shape (SARIF against the SARIF 2.1.0
//! schema), and the exit codes through the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_base::source::SourceFile;
use cairn_lang::lint::output::{self, FileResult, Outcome};
use cairn_lang::lint::{self, Levels, Options, RULES};

/// Every case is linted as of this instant (the expiry cases depend on it).
const NOW: &str = "2026-11-22T00:00:00Z";

fn options() -> Options {
    let now = time::OffsetDateTime::parse(NOW, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp();
    Options {
        now,
        expiry_warn_days: Options::DEFAULT_EXPIRY_WARN_DAYS,
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Lints a case file under its bare file name (no machine-specific path).
fn lint_case(path: &Path) -> FileResult {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let base = path.parent().unwrap().strip_prefix(root()).unwrap();
    let outcome = match lint::lint_source(&name, &text, base, &options(), &Levels::default()) {
        Ok(findings) => Outcome::Linted(findings),
        Err(e) => Outcome::Errors(e),
    };
    FileResult {
        file: SourceFile::new(name, text),
        outcome,
    }
}

fn findings(result: &FileResult) -> &[lint::Finding] {
    match &result.outcome {
        Outcome::Linted(f) => f,
        Outcome::Errors(e) => panic!("{}: does not compile: {:?}", result.file.name, e.codes()),
        Outcome::Unreadable(e) => panic!("{e}"),
    }
}

fn cases(folder: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases/lint").join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cairn"))
        .collect();
    out.sort();
    out
}

#[test]
fn lint_err() {
    insta::glob!("../cases", "lint/err/*.cairn", |path| {
        let result = lint_case(path);
        let code = path.file_name().unwrap().to_string_lossy()[..4].to_string();
        let codes: Vec<&str> = findings(&result).iter().map(|f| f.code).collect();
        assert!(
            codes.contains(&code.as_str()),
            "{}: {codes:?}",
            path.display()
        );
        insta::assert_snapshot!(output::human(&[result], false));
    });
}

#[test]
fn lint_ok() {
    for path in cases("ok") {
        let result = lint_case(&path);
        assert_eq!(findings(&result), &[], "{}", path.display());
    }
}

#[test]
fn every_rule_has_a_case_and_a_doc_section() {
    let docs = std::fs::read_to_string(root().join("docs/lints.md")).unwrap();
    let names: Vec<String> = cases("err")
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in RULES {
        let case = format!("{}-{}", rule.code, rule.name);
        assert!(names.contains(&case), "no case {case}.cairn");
        // The heading `## L004: shadowed-rule` has the anchor the SARIF helpUri names.
        let heading = format!("\n## {}: {}\n", rule.code, rule.name);
        assert!(
            docs.contains(&heading),
            "docs/lints.md lacks `{}`",
            heading.trim()
        );
        assert_eq!(
            rule.anchor(),
            format!("{}-{}", rule.code.to_lowercase(), rule.name)
        );
    }
    assert!(RULES.len() >= 15);
}

#[test]
fn examples_lint_clean() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path().join("policy.cairn");
        if !path.exists() {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let found = lint::lint_source(
            &path.display().to_string(),
            &text,
            path.parent().unwrap(),
            &options(),
            &Levels::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e.codes()));
        let result = FileResult {
            file: SourceFile::new(path.display().to_string(), text),
            outcome: Outcome::Linted(found.clone()),
        };
        assert!(found.is_empty(), "{}", output::human(&[result], false));
    }
    assert!(seen >= 4);
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    // The vendored schema (kept byte for byte) has a typo in the `language`
    // pattern of `run` and `toolComponent`, a stray `]`, which the validator
    // refuses as a regex. Use the intended pattern; cairn never sets `language`.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let mut results: Vec<FileResult> = cases("err").iter().map(|p| lint_case(p)).collect();
    results.push(lint_case(&root().join("tests/cases/lint/cli/broken.cairn")));
    results.push(output::lint_file(
        Path::new("no/such/policy.cairn"),
        &options(),
        &Levels::default(),
    ));
    let log = output::sarif(&results, output::DEFAULT_DOCS_URL);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does refuse a broken log (a line 0, an unknown version).
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&bad));
    let mut bad = log.clone();
    bad["version"] = serde_json::json!("2.0.0");
    assert!(!validator.is_valid(&bad));

    // One descriptor per lint code, each pointing at its section.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for (i, rule) in RULES.iter().enumerate() {
        assert_eq!(rules[i]["id"], rule.code);
        assert!(rules[i]["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("docs/lints.md#{}", rule.anchor())));
    }
    // Every result names a descriptor by index, and lint findings have regions.
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        if result["ruleId"].as_str().unwrap().starts_with('L') {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            assert!(region["startColumn"].as_u64().unwrap() >= 1);
        }
    }
    // The broken policy's compile error and the missing file are results too.
    let ids: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"E201") && ids.contains(&"E400"), "{ids:?}");
}

#[test]
fn json_and_github_outputs() {
    let result = lint_case(&root().join("tests/cases/lint/err/L003-require-after-consumed.cairn"));
    let json = output::json(std::slice::from_ref(&result));
    insta::assert_snapshot!("json", serde_json::to_string_pretty(&json).unwrap());
    insta::assert_snapshot!("github", output::github(&[result]));
}

fn cairn(args: &[&str]) -> (i32, String, String) {
    let time: &[&str] = if args.contains(&"--time") {
        &[]
    } else {
        &["--time", NOW]
    };
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .current_dir(root())
        .arg("lint")
        .args(time)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn exit_codes() {
    let clean = "policies/release/policy.cairn";
    let warn_only = "tests/cases/lint/cli/warn-only.cairn";
    let deny = "tests/cases/lint/err/L003-require-after-consumed.cairn";
    let broken = "tests/cases/lint/cli/broken.cairn";

    assert_eq!(cairn(&[clean]).0, 0);
    // The human results go to stdout (`cairn lint x.cairn | less`).
    let (code, stdout, stderr) = cairn(&[warn_only]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("L008") && stdout.contains("L012"),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(cairn(&["--deny", "warnings", warn_only]).0, 1);
    assert_eq!(cairn(&["--deny", "L008", warn_only]).0, 1);
    // A code configured by name stays what it is told, even with --deny warnings.
    assert_eq!(
        cairn(&["--deny", "warnings", "--warn", "unused-key", warn_only]).0,
        0
    );
    // Advice never fails unless denied by code.
    assert_eq!(
        cairn(&["--deny", "warnings", "--allow", "L008", warn_only]).0,
        0
    );
    assert_eq!(
        cairn(&["--deny", "L012", "--allow", "L008", warn_only]).0,
        1
    );

    assert_eq!(cairn(&[deny]).0, 1);
    assert_eq!(cairn(&["--allow", "L003", deny]).0, 0);
    assert_eq!(cairn(&["--warn", "L003", deny]).0, 0);
    let (code, stdout, _) = cairn(&["--allow", "L003", "--format", "json", deny]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"findings\": []"), "{stdout}");

    // Compile errors: rendered with the results, exit 1 as `cairn check`.
    let (code, stdout, _) = cairn(&[broken]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("E201") && stdout.contains("not linted"),
        "{stdout}"
    );
    // A file that cannot be read stops cairn: said on stderr.
    let (code, _, stderr) = cairn(&["no/such.cairn"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such.cairn"), "{stderr}");
    // Could not run: a missing file, a bad flag value.
    assert_eq!(cairn(&["no/such.cairn"]).0, 2);
    assert_eq!(cairn(&[clean, "no/such.cairn", deny]).0, 2);
    let (code, _, stderr) = cairn(&["--deny", "L999", clean]);
    assert_eq!(code, 2);
    assert!(stderr.contains("E464"), "{stderr}");
    let (code, _, stderr) = cairn(&["--time", "yesterday", clean]);
    assert_eq!(code, 2);
    assert!(stderr.contains("E463"), "{stderr}");
}

#[test]
fn machine_formats_go_to_stdout() {
    let deny = "tests/cases/lint/err/L021-require-then-disallow.cairn";
    let (code, stdout, stderr) = cairn(&["--format", "github", deny]);
    assert_eq!(code, 1);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        stdout.starts_with(
            "::error file=tests/cases/lint/err/L021-require-then-disallow.cairn,line=8,col=7,"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = cairn(&["--format", "sarif", deny]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let (_, stdout, _) = cairn(&["--format", "json", deny]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["schemaVersion"], 2);
    assert_eq!(report["counts"]["deny"], 2);
    assert_eq!(report["files"][0]["findings"][0]["location"]["endLine"], 8);
}

#[test]
fn expiry_window_is_configurable() {
    let soon = "tests/cases/lint/err/L014-expires-soon.cairn";
    let (code, _, stderr) = cairn(&["--deny", "L014", soon]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = cairn(&["--deny", "L014", "--expiry-warn-days", "5", soon]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn imported_classic_layouts_are_flagged_open() {
    // What `cairn import` writes for a classic layout: lists ending in `allow "*"`.
    let path = root().join("tests/cases/interop/ok/mixed-features.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let signed = doc.get("signed").unwrap_or(&doc);
    let layout = cairn_interop::classic::layout_to_ir(signed, &text, "root").unwrap();
    let source = cairn_interop::source::to_cairn(&layout).unwrap();
    let found = lint::lint_source(
        "root.cairn",
        &source,
        root(),
        &options(),
        &Levels::default(),
    )
    .unwrap_or_else(|e| panic!("{:?}\n{source}", e.codes()));
    let codes: Vec<&str> = found.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"L002"), "{codes:?}\n{source}");
}

#[test]
fn every_compiling_case_lints_without_panic_and_spans_are_in_bounds() {
    let mut stack = vec![root().join("tests/cases"), root().join("policies")];
    let mut linted = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "cairn") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(found) = lint::lint_source(
                "case.cairn",
                &text,
                path.parent().unwrap(),
                &options(),
                &Levels::default(),
            ) else {
                continue;
            };
            linted += 1;
            for f in &found {
                for span in std::iter::once(f.span).chain(f.related.iter().map(|r| r.0)) {
                    assert!(span.start <= span.end && span.end <= text.len());
                    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                }
                assert!(!f.message.is_empty() && !f.message.ends_with('.'));
                assert!(f.rule().is_some());
            }
        }
    }
    assert!(linted >= 30, "{linted}");
}

/// A products rule for the queue model below.
#[derive(Debug, Clone)]
enum Rule {
    Create(&'static str),
    Delete(&'static str),
    Modify(&'static str),
    Allow(&'static str),
    Disallow(&'static str),
    Require(&'static str),
}

impl Rule {
    fn text(&self) -> String {
        let (verb, p) = match self {
            Rule::Create(p) => ("create", p),
            Rule::Delete(p) => ("delete", p),
            Rule::Modify(p) => ("modify", p),
            Rule::Allow(p) => ("allow", p),
            Rule::Disallow(p) => ("disallow", p),
            Rule::Require(p) => ("require", p),
        };
        format!("{verb} \"{p}\"")
    }
}

/// in-toto's queue over a step's products, ended by cairn's implicit
/// `disallow "*"`: true when the list passes.
fn passes(rules: &[Rule], materials: &[(&str, u8)], products: &[(&str, u8)]) -> bool {
    use cairn_lang::pattern::Pattern;
    let m = |n: &str| materials.iter().find(|(x, _)| *x == n).map(|(_, d)| *d);
    let mut queue: Vec<(&str, u8)> = products.to_vec();
    for rule in rules {
        let consume = |queue: &mut Vec<(&str, u8)>, p: &str, cond: &dyn Fn(&str, u8) -> bool| {
            let pat = Pattern::new(p).unwrap();
            queue.retain(|(n, d)| !(pat.matches(n) && cond(n, *d)));
        };
        match rule {
            Rule::Create(p) => consume(&mut queue, p, &|n, _| m(n).is_none()),
            Rule::Delete(_) => {} // a queued product is never a deleted material
            Rule::Modify(p) => consume(&mut queue, p, &|n, d| m(n).is_some_and(|md| md != d)),
            Rule::Allow(p) => consume(&mut queue, p, &|_, _| true),
            Rule::Disallow(p) => {
                let pat = Pattern::new(p).unwrap();
                if queue.iter().any(|(n, _)| pat.matches(n)) {
                    return false;
                }
            }
            Rule::Require(n) => {
                if !queue.iter().any(|(q, _)| q == n) {
                    return false;
                }
            }
        }
    }
    queue.is_empty()
}

mod queue_model {
    use super::*;
    use proptest::prelude::*;

    const NAMES: &[&str] = &["a", "b", "ab", "ba", "c"];
    const PATTERNS: &[&str] = &["*", "a", "b", "a*", "?", "[ab]", "c", "ab"];

    fn rule() -> impl Strategy<Value = Rule> {
        let p = proptest::sample::select(PATTERNS);
        let n = proptest::sample::select(NAMES);
        prop_oneof![
            p.clone().prop_map(Rule::Create),
            p.clone().prop_map(Rule::Delete),
            p.clone().prop_map(Rule::Modify),
            p.clone().prop_map(Rule::Allow),
            p.prop_map(Rule::Disallow),
            n.prop_map(Rule::Require),
        ]
    }

    fn artifacts() -> impl Strategy<Value = Vec<(&'static str, u8)>> {
        proptest::collection::vec(proptest::option::of(0u8..2), NAMES.len()).prop_map(|v| {
            NAMES
                .iter()
                .zip(v)
                .filter_map(|(n, d)| d.map(|d| (*n, d)))
                .collect()
        })
    }

    /// Artifact names with a digest (0 or 1).
    type Artifacts = Vec<(&'static str, u8)>;

    /// Assignments of (absent, digest 0, digest 1) to each name: all of them
    /// for the products, every seventh for the materials.
    fn all_artifact_sets() -> Vec<(Artifacts, Artifacts)> {
        let side = |mut k: usize| {
            let mut out = Vec::new();
            for n in NAMES {
                match k % 3 {
                    1 => out.push((*n, 0)),
                    2 => out.push((*n, 1)),
                    _ => {}
                }
                k /= 3;
            }
            out
        };
        let total = 3usize.pow(NAMES.len() as u32);
        let mut sets = Vec::new();
        for a in (0..total).step_by(7) {
            for b in 0..total {
                sets.push((side(a), side(b)));
            }
        }
        sets
    }

    /// Lints a policy whose build step's products are `rules`, one per line;
    /// returns the (code, rule index) of each finding on a rule.
    fn lint_rules(rules: &[Rule]) -> Vec<(&'static str, usize)> {
        let body: Vec<String> = rules
            .iter()
            .map(|r| format!("      {}", r.text()))
            .collect();
        let text = format!(
            "layout \"q\" {{\n  key alice = ed25519 \"2d5b6879ebeb71c8f3bccc6e73c0d425248b82ca56a9bd323e4eaaf781257d87\"\n  step build {{\n    by alice\n    materials {{}}\n    products {{\n{}\n    }}\n  }}\n}}\n",
            body.join("\n")
        );
        let first_rule_line = 7;
        let found =
            lint::lint_source("q.cairn", &text, root(), &options(), &Levels::default()).unwrap();
        let file = SourceFile::new("q.cairn", text);
        found
            .iter()
            .filter_map(|f| {
                let (line, _) = file.line_col(f.span.start);
                line.checked_sub(first_rule_line).map(|i| (f.code, i))
            })
            .filter(|(_, i)| *i < rules.len())
            .collect()
    }

    #[test]
    fn the_model_sees_the_findings() {
        let rules = [Rule::Allow("*"), Rule::Disallow("a")];
        assert_eq!(lint_rules(&rules), vec![("L004", 1)]);
        let rules = [Rule::Require("a"), Rule::Disallow("*")];
        assert_eq!(lint_rules(&rules), vec![("L021", 0)]);
        let rules = [Rule::Allow("a*"), Rule::Require("ab")];
        assert_eq!(lint_rules(&rules), vec![("L003", 1)]);
        assert!(!passes(&rules, &[], &[("ab", 0)]));
        assert!(passes(&[Rule::Create("*")], &[], &[("ab", 0)]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// L003 and L021 ("can never hold") are never wrong: such a list fails
        /// for every set of artifacts.
        #[test]
        fn never_holds_means_never_passes(
            rules in proptest::collection::vec(rule(), 1..7),
            materials in artifacts(),
            products in artifacts(),
        ) {
            let found = lint_rules(&rules);
            if found.iter().any(|(c, _)| *c == "L003" || *c == "L021") {
                prop_assert!(!passes(&rules, &materials, &products), "{rules:?} {found:?}");
            }
        }

        /// L004 is never wrong: removing the shadowed rules changes no outcome.
        #[test]
        fn shadowed_rules_change_nothing(rules in proptest::collection::vec(rule(), 1..7)) {
            let found = lint_rules(&rules);
            let shadowed: Vec<usize> = found.iter().filter(|(c, _)| *c == "L004").map(|(_, i)| *i).collect();
            if !shadowed.is_empty() {
                let kept: Vec<Rule> = rules
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !shadowed.contains(i))
                    .map(|(_, r)| r.clone())
                    .collect();
                for (m, p) in all_artifact_sets() {
                    prop_assert_eq!(passes(&rules, &m, &p), passes(&kept, &m, &p), "{:?} {:?}", rules, (m, p));
                }
            }
        }
    }
}
