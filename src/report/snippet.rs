//! The second snippet of a finding: the line of the bundle or link file the
//! attestation came from, labelled, as a related miette diagnostic.
//!
//! Reports do no I/O: the caller hands in the evidence files' text
//! ([`EvidenceFiles`]). Only one line is shown, escaped and cut to a
//! readable width (a bundle line is a whole DSSE envelope), with its real
//! line number.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::evidence::json::{self, Scanner};
use crate::evidence::{Limits, Origin};
use crate::ir::Side;

use super::escape::escape;

/// The text of the evidence files, by the name an [`Origin`] gives them.
pub type EvidenceFiles = BTreeMap<String, String>;

/// How many characters of an evidence line are shown.
const SHOWN: usize = 64;

/// One line of an evidence file, numbered as in the file.
#[derive(Debug)]
struct LineSource {
    name: String,
    text: String,
    line: usize,
}

impl SourceCode for LineSource {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.line.saturating_sub(1),
            0,
            1,
        )))
    }
}

/// The related diagnostic showing where an attestation is.
#[derive(Debug)]
pub struct Snippet {
    message: String,
    source: LineSource,
    label: LabeledSpan,
}

impl Snippet {
    /// The snippet for `origin` (and `artifact`, located in a multi-line
    /// file: its entry in `list` of a link, or else the first line naming
    /// it), or `None` when the file's text was not given or has no such line.
    pub fn new(
        origin: &Origin,
        artifact: Option<&str>,
        list: Option<Side>,
        files: &EvidenceFiles,
    ) -> Option<Snippet> {
        let text = files.get(&origin.file)?;
        let located = artifact.and_then(|a| {
            let needle = serde_json::to_string(a).ok()?;
            let number = list
                .and_then(|list| entry_line(text, list, a))
                .or_else(|| {
                    text.lines()
                        .position(|l| l.contains(&needle))
                        .map(|i| i + 1)
                })?;
            Some((number, text.lines().nth(number - 1)?, Some(needle)))
        });
        let (number, line, needle) = match (located, origin.line) {
            (Some(found), _) => found,
            (None, Some(n)) => (n, text.lines().nth(n.checked_sub(1)?)?, None),
            (None, None) => (1, text.lines().next()?, None),
        };
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let escaped = escape(trimmed);
        let shown: String = escaped.chars().take(SHOWN).collect();
        let cut = shown.len() < escaped.len();
        let body = if cut { format!("{shown}…") } else { shown };
        let full = format!("{}{body}", " ".repeat(indent.min(8)));
        let start = indent.min(8);
        let (label_start, label_len, what) = match needle
            .as_deref()
            .map(escape)
            .and_then(|n| full.find(&n).map(|at| (at, n.len())))
        {
            Some((at, len)) => (at, len, "the artifact's entry"),
            None => (start, full.len() - start, "this attestation"),
        };
        Some(Snippet {
            message: format!("evidence: `{}`", escape(&location(origin, number))),
            source: LineSource {
                name: origin.file.clone(),
                text: full,
                line: number,
            },
            label: LabeledSpan::new_with_span(Some(what.to_string()), (label_start, label_len)),
        })
    }
}

/// The line of the key `name` in the `list` object of a link file (a
/// metablock's `signed`, or a bare link), if the text is such JSON.
fn entry_line(text: &str, list: Side, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let list = match list {
        Side::Materials => "materials",
        Side::Products => "products",
    };
    let mut scanner = Scanner::new(bytes, Limits::default().max_depth).ok()?;
    let (first, _) = member(&mut scanner, bytes.len(), 0, |key| {
        key == "signed" || key == list
    })?;
    if first == "signed" {
        member(&mut scanner, bytes.len(), 1, |key| key == list)?;
    }
    let (_, at) = member(&mut scanner, bytes.len(), 2, |key| key == name)?;
    Some(json::line_col(bytes, at).0)
}

/// Enters the object the scanner is at, `depth` objects deep, and reads its
/// members up to the first whose key is `wanted`, leaving the scanner at
/// that member's value; gives the key and the offset where it starts.
fn member<'a>(
    scanner: &mut Scanner<'a>,
    len: usize,
    depth: usize,
    wanted: impl Fn(&str) -> bool,
) -> Option<(Cow<'a, str>, usize)> {
    if !scanner.enter_object().ok()? {
        return None;
    }
    loop {
        let at = len - scanner.remaining();
        let key = scanner.key().ok()?;
        if wanted(&key) {
            return Some((key, at));
        }
        scanner.value(depth + 1).ok()?;
        if !scanner.next_member().ok()? {
            return None;
        }
    }
}

fn location(origin: &Origin, line: usize) -> String {
    format!("{}:{line}", origin.file)
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl Diagnostic for Snippet {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(snippet: &Snippet) -> String {
        crate::diag::render(snippet, false)
    }

    #[test]
    fn bundle_line_is_numbered_escaped_and_cut() {
        let origin = Origin {
            file: "b.jsonl".into(),
            line: Some(2),
        };
        let line2 = format!("{{\"x\":\"\u{1b}[2K\rPASS\u{202e}{}\"}}", "y".repeat(200));
        let files: EvidenceFiles = [("b.jsonl".to_string(), format!("{{}}\n{line2}\n"))].into();
        let out = render(&Snippet::new(&origin, None, None, &files).unwrap());
        assert!(out.contains("b.jsonl:2"), "{out}");
        assert!(out.contains("\\u{1b}[2K\\rPASS\\u{202e}"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'));
        assert!(out.lines().all(|l| l.chars().count() < 100), "{out}");
    }

    #[test]
    fn link_file_points_at_the_artifact_entry() {
        let origin = Origin {
            file: "build.link".into(),
            line: None,
        };
        let text = "{\n  \"signed\": {\n    \"products\": {\n      \"evil\\u001b.sh\": {}\n    }\n  }\n}\n";
        let files: EvidenceFiles = [("build.link".to_string(), text.to_string())].into();
        let out = render(
            &Snippet::new(&origin, Some("evil\u{1b}.sh"), Some(Side::Products), &files).unwrap(),
        );
        assert!(out.contains("build.link:4"), "{out}");
        assert!(out.contains("the artifact's entry"), "{out}");
        assert!(Snippet::new(&origin, None, None, &EvidenceFiles::new()).is_none());
    }

    #[test]
    fn an_artifact_in_both_lists_is_found_in_the_one_named() {
        let origin = Origin {
            file: "build.link".into(),
            line: None,
        };
        let line = |text: &str, list: Option<Side>| {
            let files: EvidenceFiles = [("build.link".to_string(), text.to_string())].into();
            let out = render(&Snippet::new(&origin, Some("a.c"), list, &files).unwrap());
            let at = out.find("build.link:").unwrap() + "build.link:".len();
            out[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        };
        // A metablock, with a value before the lists that names the artifact,
        // products before materials, and nested values on the way.
        let metablock = concat!(
            "{\n",
            " \"signatures\": [{\"keyid\": \"a.c\", \"sig\": \"00\"}],\n",
            " \"signed\": {\n",
            "  \"command\": [\"cc\", \"a.c\"],\n",
            "  \"products\": {\n",
            "   \"b.o\": {\"sha256\": \"a.c\"},\n",
            "   \"a.c\": {}\n",
            "  },\n",
            "  \"materials\": {\n",
            "   \"a.c\": {}\n",
            "  }\n",
            " }\n",
            "}\n"
        );
        assert_eq!(line(metablock, Some(Side::Products)), "7");
        assert_eq!(line(metablock, Some(Side::Materials)), "10");
        // Without a list, or where the list does not hold it: the first line
        // naming it as a JSON string.
        assert_eq!(line(metablock, None), "2");
        let bare = metablock.replace("\"signed\"", "\"other\"");
        assert_eq!(line(&bare, Some(Side::Materials)), "2");
        // A bare link.
        let link = "{\"materials\": {\"a.c\": {}},\n\"products\": {\n\"a.c\": {}}}";
        assert_eq!(line(link, Some(Side::Products)), "3");
        // Not JSON at all.
        assert_eq!(line("\"a.c\" {", Some(Side::Products)), "1");
    }
}
