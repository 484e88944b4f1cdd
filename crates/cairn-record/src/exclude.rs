//! Exclude patterns of recording, exactly as in-toto's recorder applies them
//! (`in-toto-run --exclude`, in-toto 3.1.0 with pathspec 1.1.1).
//!
//! Each pattern is translated to a regular expression the way in-toto's
//! recorder does it, and a path is tested against all of them:
//!
//! - a pattern is first stripped of trailing whitespace (Python's definition
//!   of it, which includes U+001C..U+001F), unless it ends with `\ `; blank
//!   patterns, patterns starting with `#` and the pattern `/` do nothing;
//! - a leading `!` re-includes what the pattern matches (`!` alone is an
//!   error); `\` escapes the next character (`\#`, `\!`, `\ `, `\*`), and a
//!   `\` ending a path segment is an error;
//! - a pattern of one segment (`*.pyc`, `build/`) matches at any depth; a
//!   pattern with a `/` before its end (`/a`, `a/b`) is anchored at the top;
//! - `**` as a whole segment matches any number of segments: `**/a` at any
//!   depth, `a/**` everything below `a`, `a/**/b` zero or more segments in
//!   between; `**` inside a segment is just two `*`;
//! - `*` matches within one segment, `?` one character but `/`, `[...]` a set
//!   with ranges, negated by a leading `!` or `^` (a negated set also matches
//!   `/`); a range running backwards (`[z-a]`) is an error, and a pattern with
//!   an unterminated `[` does nothing;
//! - a pattern not ending with `/` matches a file or directory of that name
//!   and everything below it; a pattern ending with `/` matches only what is
//!   below a directory of that name, not the directory itself;
//! - among the patterns that match, the last one that matched the path itself
//!   decides; only when none did, the last one that matched an ancestor
//!   directory of the path decides. So `build/` then `!build/keep` keeps
//!   `build/keep`, and so does `!build/keep` then `build/`.
//!
//! Matching follows Python's regular expressions to the letter, including
//! that `$` also matches before a final newline.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// in-toto's default exclude patterns (in_toto.settings.ARTIFACT_EXCLUDE_PATTERNS).
pub const DEFAULT_EXCLUDES: [&str; 4] = ["*.link*", ".git", "*.pyc", "*~"];

/// The name of the capture group marking a match through a directory.
const DIR_MARK: &str = "ps_d";

/// Compiled exclude patterns.
#[derive(Debug, Clone)]
pub struct Excludes {
    /// Every rule at once: a path none of them matches is not excluded.
    /// `None` when there are no rules or they are too large to combine.
    any: Option<RegexSet>,
    /// The patterns that do something, in the order given.
    rules: Vec<Rule>,
}

/// One compiled pattern.
#[derive(Debug, Clone)]
struct Rule {
    regex: Regex,
    /// `false` for a `!` pattern.
    exclude: bool,
    shape: Shape,
}

/// Where a rule's regular expression can end, which says whether a match
/// is of the path itself or of a directory above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No directory mark: every match is of the path itself.
    Path,
    /// Ends with the directory mark: every match is through a directory.
    Directory,
    /// Ends with `(?:(?P<ps_d>/)|$)`: either.
    Either,
}

/// How a rule matched a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// Through a directory above the path.
    Directory,
    /// The path itself.
    Path,
}

impl Rule {
    fn priority(&self, path: &str) -> Option<Priority> {
        match self.shape {
            Shape::Path => self.regex.is_match(path).then_some(Priority::Path),
            Shape::Directory => self.regex.is_match(path).then_some(Priority::Directory),
            Shape::Either => {
                let found = self.regex.find(path)?;
                // The `$` branch always ends at the end of the path (a final
                // newline is taken with it); the `/` branch ends there only
                // when the path ends with `/`, and then the groups tell.
                if found.end() < path.len() {
                    Some(Priority::Directory)
                } else if !path.ends_with('/') {
                    Some(Priority::Path)
                } else {
                    let groups = self.regex.captures(path)?;
                    Some(if groups.name(DIR_MARK).is_some() {
                        Priority::Directory
                    } else {
                        Priority::Path
                    })
                }
            }
        }
    }
}

impl Excludes {
    /// Compiles gitignore-style patterns as in-toto's recorder does.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Excludes, ExcludeError> {
        let mut rules = Vec::new();
        let mut sources = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            // in-toto skips empty lines before looking at them.
            if pattern.is_empty() {
                continue;
            }
            let Some(translated) = translate(pattern)? else {
                continue;
            };
            let regex = RegexBuilder::new(&translated.regex).build().map_err(|e| {
                ExcludeError::TooLarge {
                    pattern: pattern.to_string(),
                    reason: e.to_string(),
                }
            })?;
            rules.push(Rule {
                regex,
                exclude: translated.exclude,
                shape: translated.shape,
            });
            sources.push(translated.regex);
        }
        let any = if sources.is_empty() {
            None
        } else {
            RegexSetBuilder::new(&sources).build().ok()
        };
        Ok(Excludes { any, rules })
    }

    /// Whether a relative `/`-separated path is excluded.
    ///
    /// Paths are expected as in-toto's recorder passes them: normalised,
    /// relative, `/`-separated (`src/a.c`, `.git`, `build/x.pyc`). As in
    /// in-toto, one leading `/` or else one leading `./` is ignored.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = path
            .strip_prefix('/')
            .or_else(|| path.strip_prefix("./"))
            .unwrap_or(path);
        if let Some(any) = &self.any {
            if !any.is_match(path) {
                return false;
            }
        }
        let mut through_directory = None;
        for rule in self.rules.iter().rev() {
            match rule.priority(path) {
                Some(Priority::Path) => return rule.exclude,
                Some(Priority::Directory) if through_directory.is_none() => {
                    through_directory = Some(rule.exclude);
                }
                _ => {}
            }
        }
        through_directory.unwrap_or(false)
    }
}

/// A pattern that cannot be compiled.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ExcludeError {
    /// `!` with nothing after it.
    #[error("the exclude pattern {pattern:?} is a `!` with no pattern after it")]
    #[diagnostic(
        code(E443),
        help("write the pattern to keep after the `!` (`!dist/keep.txt`), or `\\!` to exclude a file named `!`")
    )]
    EmptyNegation {
        /// The pattern.
        pattern: String,
    },
    /// A `\` at the end of a path segment, escaping nothing.
    #[error(
        "the exclude pattern {pattern:?} has a `\\` at the end of a path segment, escaping nothing"
    )]
    #[diagnostic(
        code(E443),
        help(
            "write `\\\\` for a backslash in a name, `\\ ` for a final space, or remove the `\\`"
        )
    )]
    TrailingBackslash {
        /// The pattern.
        pattern: String,
    },
    /// A range in `[...]` whose end comes before its start.
    #[error("the exclude pattern {pattern:?} has the character range `{range}`, whose end comes before its start")]
    #[diagnostic(
        code(E443),
        help("write the range from its lower character to its higher one (`{reversed}`)")
    )]
    BackwardRange {
        /// The pattern.
        pattern: String,
        /// The range as written, escaped.
        range: String,
        /// The range the other way round, escaped.
        reversed: String,
    },
    /// A pattern too large for cairn's regular expression engine.
    #[error("the exclude pattern {pattern:?} is too large to compile: {reason}")]
    #[diagnostic(code(E443), help("split it into shorter patterns"))]
    TooLarge {
        /// The pattern.
        pattern: String,
        /// The engine's reason.
        reason: String,
    },
}

/// A pattern that does something, as a regular expression.
#[derive(Debug)]
struct Translated {
    regex: String,
    exclude: bool,
    shape: Shape,
}

/// Python's `str.isspace`, which `str.rstrip()` strips.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// The regular expression of the directory mark.
fn dir_mark() -> String {
    format!("(?P<{DIR_MARK}>/)")
}

/// Translates one non-empty pattern; `None` for one that does nothing.
fn translate(original: &str) -> Result<Option<Translated>, ExcludeError> {
    let pattern = if original.ends_with("\\ ") {
        original
    } else {
        original.trim_end_matches(is_python_space)
    };
    if pattern.is_empty() || pattern.starts_with('#') || pattern == "/" {
        return Ok(None);
    }
    let (exclude, pattern) = match pattern.strip_prefix('!') {
        Some(rest) => (false, rest),
        None => (true, pattern),
    };
    let mut segments: Vec<&str> = pattern.split('/').collect();
    let is_dir = segments.last().is_some_and(|s| s.is_empty());

    // Normalise the segments.
    if segments.first().is_some_and(|s| s.is_empty()) {
        // `/a`: anchored at the top.
        segments.remove(0);
    } else if segments.len() == 1 || (segments.len() == 2 && is_dir) {
        // `a` or `a/`: at any depth.
        if segments.first() != Some(&"**") {
            segments.insert(0, "**");
        }
    }
    if segments.is_empty() {
        return Err(ExcludeError::EmptyNegation {
            pattern: original.to_string(),
        });
    }
    if let Some(last) = segments.last_mut() {
        if last.is_empty() {
            // `a/`: everything below `a`.
            *last = "**";
        }
    }
    segments.dedup_by(|a, b| *a == "**" && *b == "**");

    let whole = |regex: String, shape| {
        Ok(Some(Translated {
            regex,
            exclude,
            shape,
        }))
    };
    match segments.as_slice() {
        ["**"] if is_dir => return whole(dir_mark(), Shape::Directory),
        ["**"] | ["**", "*"] => return whole(".".to_string(), Shape::Path),
        ["**", "*", "**"] if is_dir => return whole(dir_mark(), Shape::Directory),
        ["**", "*", "**"] => return whole("/".to_string(), Shape::Path),
        _ => {}
    }

    let mut regex = String::from("");
    let mut shape = Shape::Either;
    let mut need_slash = false;
    let mut backward = None;
    let end = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "**" {
            if i == 0 {
                regex.push_str("^(?:.+/)?");
            } else if i < end {
                regex.push_str("(?:/.+)?");
                need_slash = true;
            } else if is_dir {
                regex.push_str(&dir_mark());
                shape = Shape::Directory;
            } else {
                regex.push('/');
                shape = Shape::Path;
            }
            continue;
        }
        if i == 0 {
            regex.push('^');
        }
        if need_slash {
            regex.push('/');
        }
        if *segment == "*" {
            regex.push_str("[^/]+");
        } else {
            match glob(segment, &mut regex, &mut backward) {
                Ok(()) => {}
                // An unterminated `[`: the whole pattern does nothing.
                Err(GlobError::Unterminated) => return Ok(None),
                Err(GlobError::TrailingBackslash) => {
                    return Err(ExcludeError::TrailingBackslash {
                        pattern: original.to_string(),
                    })
                }
            }
        }
        if i == end {
            regex.push_str(&format!("(?:{}|\\n?\\z)", dir_mark()));
            shape = Shape::Either;
        }
        need_slash = true;
    }
    // A backward range only fails once the whole pattern has translated.
    if let Some((first, last)) = backward {
        let show = |a: char, b: char| format!("{}-{}", a.escape_debug(), b.escape_debug());
        return Err(ExcludeError::BackwardRange {
            pattern: original.to_string(),
            range: show(first, last),
            reversed: show(last, first),
        });
    }
    whole(regex, shape)
}

/// Why a segment's glob cannot be translated.
enum GlobError {
    /// `[` without its `]`.
    Unterminated,
    /// `\` as the segment's last character.
    TrailingBackslash,
}

/// Appends the regular expression of one path segment's glob. The first
/// backward range of a set is remembered in `backward`.
fn glob(
    segment: &str,
    out: &mut String,
    backward: &mut Option<(char, char)>,
) -> Result<(), GlobError> {
    let chars: Vec<char> = segment.chars().collect();
    let at = |k: usize| chars.get(k).copied();
    let mut escape = false;
    let mut i = 0;
    while let Some(c) = at(i) {
        i += 1;
        if escape {
            escape = false;
            push_literal(out, c);
        } else if c == '\\' {
            escape = true;
        } else if c == '*' {
            out.push_str("[^/]*");
        } else if c == '?' {
            out.push_str("[^/]");
        } else if c == '[' {
            let mut j = i;
            if matches!(at(j), Some('!' | '^')) {
                j += 1;
            }
            if at(j) == Some(']') {
                j += 1;
            }
            while at(j).is_some_and(|c| c != ']') {
                j += 1;
            }
            if at(j).is_none() {
                return Err(GlobError::Unterminated);
            }
            j += 1;
            let negated = matches!(at(i), Some('!' | '^'));
            if negated {
                i += 1;
            }
            let body = chars.get(i..j).unwrap_or_default();
            set(body, negated, out, backward);
            i = j;
        } else {
            push_literal(out, c);
        }
    }
    if escape {
        return Err(GlobError::TrailingBackslash);
    }
    Ok(())
}

fn push_literal(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// Appends a set whose `body` runs from after `[` (and its `!` or `^`) to
/// its closing `]`, read as Python reads a set: a first `]` is literal, `a-z`
/// a range, a `-` before the closing `]` literal, `\` a literal backslash.
fn set(body: &[char], negated: bool, out: &mut String, backward: &mut Option<(char, char)>) {
    let at = |k: usize| body.get(k).copied();
    let mut items: Vec<(char, char)> = Vec::new();
    let mut k = 0;
    while let Some(this) = at(k) {
        k += 1;
        if this == ']' && !items.is_empty() {
            break;
        }
        if at(k) == Some('-') {
            let Some(that) = at(k + 1) else {
                items.push((this, this));
                items.push(('-', '-'));
                break;
            };
            k += 2;
            if that == ']' {
                items.push((this, this));
                items.push(('-', '-'));
                break;
            }
            if that < this && backward.is_none() {
                *backward = Some((this, that));
            }
            items.push((this, that));
        } else {
            items.push((this, this));
        }
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for (lo, hi) in items {
        if lo == hi {
            out.push_str(&format!("\\x{{{:x}}}", u32::from(lo)));
        } else if lo < hi {
            out.push_str(&format!(
                "\\x{{{:x}}}-\\x{{{:x}}}",
                u32::from(lo),
                u32::from(hi)
            ));
        }
        // A backward range is an error reported by the caller.
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(patterns: &[&str], path: &str) -> bool {
        Excludes::new(patterns).unwrap().is_excluded(path)
    }

    /// (patterns, path, excluded?) with every expected value printed by
    /// in-toto's own matcher (pathspec 1.1.1, `GitIgnoreSpec.from_lines(
    /// "gitwildmatch", patterns).match_file(path)`).
    const TABLE: &[(&[&str], &str, bool)] = &[
        (&["*.link*", ".git", "*.pyc", "*~"], "foo.link", true),
        (
            &["*.link*", ".git", "*.pyc", "*~"],
            "a/b.link-unfinished",
            true,
        ),
        (&["*.link*", ".git", "*.pyc", "*~"], "a.linked", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "dir.link/file", true),
        (&["*.link*", ".git", "*.pyc", "*~"], ".git", true),
        (&["*.link*", ".git", "*.pyc", "*~"], ".git/HEAD", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "sub/.git/x", true),
        (&["*.link*", ".git", "*.pyc", "*~"], ".gitignore", false),
        (&["*.link*", ".git", "*.pyc", "*~"], "git", false),
        (&["*.link*", ".git", "*.pyc", "*~"], "x.pyc", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "a/x.pyc", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "a.pycx", false),
        (&["*.link*", ".git", "*.pyc", "*~"], "notes~", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "d/notes~", true),
        (&["*.link*", ".git", "*.pyc", "*~"], "src/main.c", false),
        (&["*.link*", ".git", "*.pyc", "*~"], "main.c", false),
        (&["#a"], "a", false),
        (&["#a"], "#a", false),
        (&["\\#a"], "#a", true),
        (&["\\#a"], "a", false),
        (&["   "], "a", false),
        (&["   "], " ", false),
        (&["a "], "a", true),
        (&["a "], "a ", false),
        (&["a\t\u{1f}"], "a", true),
        (&["a\\ "], "a ", true),
        (&["a\\ "], "a", false),
        (&[" a"], " a", true),
        (&[" a"], "a", false),
        (&["*.c", "!keep.c"], "keep.c", false),
        (&["*.c", "!keep.c"], "x.c", true),
        (&["*.c", "!keep.c"], "d/keep.c", false),
        (&["!keep.c", "*.c"], "keep.c", true),
        (&["\\!a"], "!a", true),
        (&["\\!a"], "a", false),
        (&["*", "!!a"], "!a", false),
        (&["*", "!!a"], "a", true),
        (&["/a"], "a", true),
        (&["/a"], "b/a", false),
        (&["/a"], "a/x", true),
        (&["a"], "a", true),
        (&["a"], "b/a", true),
        (&["a"], "a/x", true),
        (&["a"], "ab", false),
        (&["a"], "./a", true),
        (&["a"], "/a", true),
        (&["a"], "a\n", true),
        (&["a"], "x\n/a", false),
        (&["a"], "a/", true),
        (&["a/b"], "a/b", true),
        (&["a/b"], "x/a/b", false),
        (&["a/b"], "a/b/c", true),
        (&["a/"], "a", false),
        (&["a/"], "a/x", true),
        (&["a/"], "b/a/x", true),
        (&["/"], "a", false),
        (&["/"], "a/b", false),
        (&["*", "!/"], "a", true),
        (&["*", "!/"], "a/b", true),
        (&["!/"], "a/b", false),
        (&["build/", "!build/keep"], "build/keep", false),
        (&["build/", "!build/keep"], "build/other", true),
        (&["!build/keep", "build/"], "build/keep", false),
        (&["!build/keep", "build/"], "build/other", true),
        (&["build", "!build/keep"], "build/keep", false),
        (&["build", "!build/keep"], "build/keep/x", false),
        (&["build", "!build/keep"], "build", true),
        (&["a", "!a/b"], "a/b/c", false),
        (&["a", "!a/b"], "a/c", true),
        (&["!a/b", "a"], "a/b/c", true),
        (&["!a/b", "a"], "a/b", false),
        (&["a/b", "!a"], "a/b", true),
        (&["a/b", "!a"], "a/b/c", false),
        (&["a/b", "!a"], "a/c", false),
        (&["**/foo"], "foo", true),
        (&["**/foo"], "a/b/foo", true),
        (&["**/foo"], "a/foo/x", true),
        (&["a/**/b"], "a/b", true),
        (&["a/**/b"], "a/x/y/b", true),
        (&["a/**/b"], "a/xb", false),
        (&["a/**/b"], "a/b/c", true),
        (&["a/**/b"], "x/a/b", false),
        (&["a/**"], "a/x", true),
        (&["a/**"], "a", false),
        (&["a/**"], "a/x/y", true),
        (&["**"], "x", true),
        (&["**"], "a/b", true),
        (&["**/"], "x", false),
        (&["**/"], "a/x", true),
        (&["/**/"], "x", false),
        (&["/**/"], "a/x", true),
        (&["a/**/"], "a", false),
        (&["a/**/"], "a/x", true),
        (&["a/**/"], "a/x/y", true),
        (&["a**b"], "axyb", true),
        (&["a**b"], "ab", true),
        (&["a**b"], "ax/yb", false),
        (&["*"], "x", true),
        (&["*"], "a/b", true),
        (&["*"], ".hidden", true),
        (&["*/"], "a", false),
        (&["*/"], "a/b", true),
        (&["/*"], "a", true),
        (&["/*"], "a/b", true),
        (&["**/*/**"], "a", false),
        (&["**/*/**"], "a/b", true),
        (&["*.c"], "a.c", true),
        (&["*.c"], "d/a.c", true),
        (&["*.c"], ".c", true),
        (&["*.c"], "a.h", false),
        (&["a/*"], "a/b", true),
        (&["a/*"], "a", false),
        (&["a/*"], "a/b/c", true),
        (&["a/*.c"], "a/b.c", true),
        (&["a/*.c"], "a/b/c.c", false),
        (&["?"], "a", true),
        (&["?"], "ab", false),
        (&["?"], "d/a", true),
        (&["a?c"], "abc", true),
        (&["a?c"], "a/c", false),
        (&["[ab]"], "a", true),
        (&["[ab]"], "c", false),
        (&["[!ab]"], "c", true),
        (&["[!ab]"], "a", false),
        (&["[!ab]"], "ab", false),
        (&["[^ab]"], "c", true),
        (&["[^ab]"], "a", false),
        (&["a[!b]c"], "a/c", true),
        (&["a[!b]c"], "abc", false),
        (&["a[!b]c"], "axc", true),
        (&["[a-c]x"], "bx", true),
        (&["[a-c]x"], "dx", false),
        (&["[]]"], "]", true),
        (&["[]]"], "a", false),
        (&["[!]]"], "a", true),
        (&["[!]]"], "]", false),
        (&["[a-]"], "-", true),
        (&["[a-]"], "a", true),
        (&["[a-]"], "b", false),
        (&["[\\]"], "\\", true),
        (&["[\\]"], "a", false),
        (&["[\\-a]"], "_", true),
        (&["[\\-a]"], "\\", true),
        (&["[\\-a]"], "a", true),
        (&["[\\-a]"], "-", false),
        (&["[[:alpha:]]"], "a]", true),
        (&["[[:alpha:]]"], "a", false),
        (&["[[:alpha:]]"], ":]", true),
        (&["[a&&b]"], "&", true),
        (&["[a&&b]"], "a", true),
        (&["[ab"], "[ab", false),
        (&["[ab"], "a", false),
        (&["*", "![ab"], "x", true),
        (&["[a]/[b"], "a/[b", false),
        (&["\\*"], "*", true),
        (&["\\*"], "a", false),
        (&["\\?"], "?", true),
        (&["\\?"], "a", false),
        (&["\\[a]"], "[a]", true),
        (&["\\[a]"], "a", false),
        (&["a\\b"], "ab", true),
        (&["a\\b"], "a\\b", false),
        (&["a//b"], "a//b", true),
        (&["a//b"], "a/b", false),
        (&["a[!x]", "!a/"], "a/", true),
        (&["!a[!x]", "a/"], "a/", false),
        (&["é*"], "éa", true),
        (&["é*"], "e", false),
        (&[], "a", false),
        (&["", "#c", "/"], "a", false),
    ];

    #[test]
    fn agrees_with_in_toto_on_the_table() {
        let mut wrong = Vec::new();
        for (patterns, path, expected) in TABLE {
            if excluded(patterns, path) != *expected {
                wrong.push(format!("{patterns:?} {path:?}: expected {expected}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_defaults_are_in_totos() {
        let defaults = Excludes::new(&DEFAULT_EXCLUDES).unwrap();
        for path in [
            "foo.link",
            "a/b.link-unfinished",
            ".git",
            ".git/HEAD",
            "sub/.git/x",
            "x.pyc",
            "notes~",
        ] {
            assert!(defaults.is_excluded(path), "{path}");
        }
        for path in ["src/main.c", ".gitignore", "a.pycx"] {
            assert!(!defaults.is_excluded(path), "{path}");
        }
    }

    #[test]
    fn rejects_what_in_toto_rejects() {
        // Each raised an error in pathspec 1.1.1 (`GitIgnorePatternError`
        // for the first group, `re.error: bad character range` for the rest).
        for pattern in ["!", "! ", "!\t"] {
            let err = Excludes::new(&[pattern]).unwrap_err();
            assert!(
                matches!(err, ExcludeError::EmptyNegation { .. }),
                "{pattern:?}: {err}"
            );
        }
        for pattern in ["a\\", "\\", "a\\/b", "a\\  ", "\\\\\\", "[z-a]\\"] {
            let err = Excludes::new(&[pattern]).unwrap_err();
            assert!(
                matches!(err, ExcludeError::TrailingBackslash { .. }),
                "{pattern:?}: {err}"
            );
        }
        for (pattern, range) in [
            ("[z-a]", "z-a"),
            ("x/[b-a]c", "b-a"),
            ("[a--b]", "a--"),
            ("[!z-a]", "z-a"),
        ] {
            match Excludes::new(&[pattern]).unwrap_err() {
                ExcludeError::BackwardRange { range: r, .. } => assert_eq!(r, range, "{pattern:?}"),
                err => panic!("{pattern:?}: {err}"),
            }
        }
        // Not errors: a valid range, a backward range in a pattern that an
        // unterminated `[` turns off, an escaped final space.
        for pattern in ["[a-z]", "[z-a]/[b", "\\ "] {
            assert!(Excludes::new(&[pattern]).is_ok(), "{pattern:?}");
        }
        // The first bad pattern stops compilation, as in in-toto.
        assert!(Excludes::new(&["*.o", "!", "x"]).is_err());
    }

    #[test]
    fn errors_name_the_pattern_escaped_with_code_and_help() {
        use miette::Diagnostic as _;
        let err = Excludes::new(&["a\u{1b}[z-a]"]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(r#""a\u{1b}[z-a]""#), "{message}");
        assert!(message.contains("`z-a`"), "{message}");
        assert_eq!(err.code().unwrap().to_string(), "E443");
        assert!(err.help().unwrap().to_string().contains("`a-z`"));
        for pattern in ["!", "x\\"] {
            let err = Excludes::new(&[pattern]).unwrap_err();
            assert_eq!(err.code().unwrap().to_string(), "E443");
            assert!(err.help().is_some());
            assert!(err.to_string().contains(&format!("{pattern:?}")));
        }
    }

    #[test]
    fn translations() {
        let regex = |p: &str| translate(p).unwrap().map(|t| (t.regex, t.exclude, t.shape));
        assert_eq!(
            regex("*.pyc"),
            Some((
                r"^(?:.+/)?[^/]*\.pyc(?:(?P<ps_d>/)|\n?\z)".to_string(),
                true,
                Shape::Either
            ))
        );
        assert_eq!(
            regex("!a/**/b/"),
            Some((
                r"^a(?:/.+)?/b(?P<ps_d>/)".to_string(),
                false,
                Shape::Directory
            ))
        );
        assert_eq!(regex("a/**"), Some(("^a/".to_string(), true, Shape::Path)));
        assert_eq!(
            regex("[!a-c]"),
            Some((
                r"^(?:.+/)?[^\x{61}-\x{63}](?:(?P<ps_d>/)|\n?\z)".to_string(),
                true,
                Shape::Either
            ))
        );
        assert_eq!(regex("**"), Some((".".to_string(), true, Shape::Path)));
        assert_eq!(
            regex("*/"),
            Some(("(?P<ps_d>/)".to_string(), true, Shape::Directory))
        );
        assert_eq!(regex("**/*/**"), Some(("/".to_string(), true, Shape::Path)));
        assert_eq!(regex("# comment"), None);
        assert_eq!(regex("/"), None);
        assert_eq!(regex("a[b"), None);
    }

    #[test]
    fn no_patterns_exclude_nothing() {
        let none = Excludes::new::<&str>(&[]).unwrap();
        assert!(!none.is_excluded("a"));
        assert!(!none.is_excluded(".git"));
    }
}
