//! Exclude patterns: cairn's `record::exclude` against in-toto's own matcher
//! (pathspec's `GitIgnoreSpec.from_lines("gitwildmatch", patterns)`, as
//! in-toto's recorder builds it), on thousands of pseudo-random pattern lists
//! and paths, all judged by one Python process.

use std::io::Write;
use std::process::{Command, Stdio};

use cairn_record::exclude::{ExcludeError, Excludes, DEFAULT_EXCLUDES};

use super::python;

/// Reads `[{"patterns": [...], "paths": [...]}, ...]` on stdin and prints,
/// for each, `{"error": "<type>: <message>"}` or `{"matches": [bool, ...]}`.
const PATHSPEC_MATCH: &str = r#"
import json, sys, warnings
warnings.simplefilter("ignore")
from pathspec import GitIgnoreSpec
out = []
for case in json.load(sys.stdin):
    try:
        spec = GitIgnoreSpec.from_lines("gitwildmatch", case["patterns"])
    except Exception as e:
        out.append({"error": type(e).__name__ + ": " + str(e)})
        continue
    out.append({"matches": [bool(spec.match_file(p)) for p in case["paths"]]})
json.dump(out, sys.stdout)
"#;

/// xorshift64: deterministic, no crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces of patterns: every metacharacter, whitespace, and names that the
/// paths use.
const PATTERN_PIECES: &[&str] = &[
    "a", "b", "a", "b", "z", "/", "/", "/", "*", "*", "**", "**", "?", "[", "[", "]", "]", "!",
    "!", "^", "\\", "\\", ".", "#", " ", " ", "-", "-", "\t", ".git", "x~", "*.pyc", "l.link",
    "*.link*", "a-c", "[!a]", "[a-z]", "[]a]", "é", "\n",
];

/// Path segments: names the default patterns are about, and names holding
/// metacharacters.
const PATH_SEGMENTS: &[&str] = &[
    "a", "b", "ab", "ba", "z", ".git", "a.pyc", "x~", "l.link", "l.link-x", "[a]", "!a", "#a",
    "a b", "a ", " a", "a-b", "-", "\\", "a\\", "]", "^", "*", "?", ".", "a\n", "é", "c",
];

fn pattern(rng: &mut XorShift) -> String {
    if rng.below(8) == 0 {
        return rng.pick(&DEFAULT_EXCLUDES).to_string();
    }
    let pieces = 1 + rng.below(5);
    let pattern: String = (0..pieces).map(|_| rng.pick(PATTERN_PIECES)).collect();
    // Negations often, so that patterns overrule one another.
    if rng.below(4) == 0 {
        format!("!{pattern}")
    } else {
        pattern
    }
}

fn path(rng: &mut XorShift) -> String {
    let segments = 1 + rng.below(4);
    let mut path: Vec<&str> = (0..segments).map(|_| rng.pick(PATH_SEGMENTS)).collect();
    match rng.below(40) {
        0 => path.insert(0, ""),  // a leading `/`
        1 => path.insert(0, "."), // a leading `./`
        2 => path.push(""),       // a trailing `/`
        _ => {}
    }
    path.join("/")
}

struct Case {
    patterns: Vec<String>,
    paths: Vec<String>,
}

#[test]
fn exclude_patterns_agree_with_pathspec() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let cases: Vec<Case> = (0..3000)
        .map(|_| Case {
            patterns: (0..1 + rng.below(4)).map(|_| pattern(&mut rng)).collect(),
            paths: (0..4).map(|_| path(&mut rng)).collect(),
        })
        .collect();
    let input = serde_json::Value::Array(
        cases
            .iter()
            .map(|c| serde_json::json!({"patterns": c.patterns, "paths": c.paths}))
            .collect(),
    );

    let mut child = Command::new(python())
        .arg("-c")
        .arg(PATHSPEC_MATCH)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pathspec failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), cases.len());

    let mut disagreements = Vec::new();
    let (mut pairs, mut rejected, mut excluded) = (0, 0, 0);
    for (case, answer) in cases.iter().zip(&answers) {
        let ours = Excludes::new(&case.patterns);
        if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
            rejected += 1;
            // pathspec's own errors, or Python's `re.error` for a backward range.
            let same_reason = match &ours {
                Ok(_) => false,
                Err(ExcludeError::BackwardRange { .. }) => {
                    error.starts_with("error: bad character range")
                }
                Err(
                    ExcludeError::EmptyNegation { .. } | ExcludeError::TrailingBackslash { .. },
                ) => error.starts_with("GitIgnorePatternError"),
                Err(ExcludeError::TooLarge { .. }) => false,
            };
            if !same_reason {
                disagreements.push(format!(
                    "{:?}: pathspec rejects ({error}), cairn: {:?}",
                    case.patterns,
                    ours.map(|_| "accepted")
                ));
            }
            continue;
        }
        let matches = answer["matches"].as_array().unwrap();
        let ours = match ours {
            Ok(ours) => ours,
            Err(e) => {
                disagreements.push(format!(
                    "{:?}: pathspec accepts, cairn rejects: {e}",
                    case.patterns
                ));
                continue;
            }
        };
        for (path, expected) in case.paths.iter().zip(matches) {
            pairs += 1;
            let expected = expected.as_bool().unwrap();
            excluded += usize::from(expected);
            if ours.is_excluded(path) != expected {
                disagreements.push(format!(
                    "{:?} {path:?}: pathspec says {expected}",
                    case.patterns
                ));
            }
        }
    }
    eprintln!(
        "{} pattern lists ({rejected} rejected), {pairs} (patterns, path) pairs ({excluded} excluded)",
        cases.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, the first:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(20)].join("\n")
    );
    // The generator must reach both answers and the errors.
    assert!(rejected > 50 && excluded > 1000 && pairs - excluded > 1000);
}
