//! The second snippet of a finding: the line of the bundle or link file the
//! attestation came from, labelled, as a related miette diagnostic.
//!
//! Reports do no I/O: the caller hands in the evidence files' text
//! ([`EvidenceFiles`]). Only one line is shown, escaped and cut to a
//! readable width (a bundle line is a whole DSSE envelope), with its real
//! line number.

use std::collections::BTreeMap;
use std::fmt;

use miette::{Diagnostic, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};

use cairn_base::source::Span;
use cairn_evidence::Origin;
use cairn_interop::classic::locate::{Locator, Path};
use cairn_lang::ir::Side;

use cairn_base::escape::escape;

/// The text of the evidence files, by the name an [`Origin`] gives them.
pub type EvidenceFiles = BTreeMap<String, String>;

/// How many characters of an evidence line are shown.
const SHOWN: usize = 64;

use super::decoded::Lines as LineSource;

/// A policy line longer than this many bytes (a classic layout whose JSON
/// is one line, as a DSSE payload usually is) is shown as a window around the
/// marked text instead of whole.
const LONG_LINE: usize = 160;

/// Characters of the marked text shown in such a window.
const WINDOW: usize = 96;

/// The part of a long policy line a finding marks: the marked text alone
/// (escaped, cut to [`WINDOW`] characters), between `…`, numbered with its
/// real line and column.
#[derive(Debug)]
pub struct Window {
    source: LineSource,
}

impl Window {
    /// The window around `span` of `text`, with the label's span in it;
    /// `None` when the span's line is short enough to be shown whole.
    pub fn new(name: &str, text: &str, span: Span) -> Option<(Window, SourceSpan)> {
        let before = text.get(..span.start)?;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let rest = text.get(span.start..)?;
        let line_end = rest.find('\n').map_or(text.len(), |p| span.start + p);
        if line_end - line_start <= LONG_LINE {
            return None;
        }
        let end = span.end.clamp(span.start, line_end);
        let marked = escape(text.get(span.start..end)?);
        let shown: String = marked.chars().take(WINDOW).collect();
        let cut = shown.len() < marked.len() || end < line_end;
        let lead = if span.start > line_start { "…" } else { "" };
        let body = format!("{lead}{shown}{}", if cut { "…" } else { "" });
        let label: SourceSpan =
            (lead.len(), shown.len().max(1).min(body.len() - lead.len())).into();
        let column = before.get(line_start..)?.chars().count();
        Some((
            Window {
                source: LineSource {
                    name: name.to_string(),
                    text: body,
                    line: before.matches('\n').count() + 1,
                    column,
                },
            },
            label,
        ))
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.source.read_span(span, before, after)
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
    /// The snippet for `origin`: its line of a bundle, or in a link file the
    /// line of `artifact`'s entry in `list` (of the `list` key when the
    /// entry is not there), or else the first line naming `artifact`; `None`
    /// when the file's text was not given or has no such line.
    pub fn new(
        origin: &Origin,
        artifact: Option<&str>,
        list: Option<Side>,
        member: Option<&str>,
        files: &EvidenceFiles,
    ) -> Option<Snippet> {
        let text = files.get(&origin.file)?;
        // The attestation's own text: its line of a bundle, or the file.
        let (first, part) = match origin.line {
            Some(n) => (n, text.lines().nth(n.checked_sub(1)?)?),
            None => (1, text.as_str()),
        };
        if let Some(decoded) = Self::decoded(origin, first, part, artifact, list, member) {
            return Some(decoded);
        }
        let mark = artifact.and_then(|a| mark(part, a, list));
        let (number, line, within) = match &mark {
            Some(m) => {
                let at = m.span.start;
                let before = part.get(..at)?;
                let line_start = before.rfind('\n').map_or(0, |p| p + 1);
                let line_end = part.get(at..)?.find('\n').map_or(part.len(), |p| at + p);
                let newlines = before.matches('\n').count();
                let line = part.get(line_start..line_end)?;
                // A CRLF file's line, as `lines` gives it.
                let line = line.strip_suffix('\r').unwrap_or(line);
                (
                    first + newlines,
                    line,
                    Some((at - line_start, m.span.len(), m.what.as_str())),
                )
            }
            None => (first, part.lines().next()?, None),
        };
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let start = indent.min(8);
        // The marked text's place in the escaped line; a line shown from
        // the mark on (after `…`) when the mark lies past what is shown.
        let placed = within.and_then(|(col, len, what)| {
            let prefix = escape(line.get(indent..col)?);
            let marked = escape(line.get(col..col + len)?);
            Some((prefix, marked, col, what))
        });
        let (shown_from, lead, label) = match placed {
            Some((prefix, marked, col, what)) => {
                if prefix.chars().count() + marked.chars().count() <= SHOWN {
                    (
                        indent,
                        String::new(),
                        Some((prefix.len(), marked.len(), what)),
                    )
                } else {
                    (col, "…".to_string(), Some((0, marked.len(), what)))
                }
            }
            None => (indent, String::new(), None),
        };
        let escaped = escape(line.get(shown_from..)?);
        let shown: String = escaped.chars().take(SHOWN).collect();
        let shown_len = shown.len();
        let cut = shown_len < escaped.len();
        let body = if cut { format!("{shown}…") } else { shown };
        let full = format!("{}{lead}{body}", " ".repeat(start));
        // The label only on text shown whole (never over the final `…`).
        let (label_start, label_len, what) = match label {
            Some((at, len, what)) if at + len <= shown_len => (start + lead.len() + at, len, what),
            _ => (start, full.len() - start, "this attestation"),
        };
        Some(Snippet {
            message: format!("evidence: `{}`", escape(&location(origin, number))),
            source: LineSource {
                name: origin.file.clone(),
                text: full,
                line: number,
                column: 0,
            },
            label: LabeledSpan::new_with_span(Some(what.to_string()), (label_start, label_len)),
        })
    }

    /// The snippet of an envelope's decoded payload: the artifact's entry,
    /// or else the member the finding is about, or else what the payload
    /// says it is (its predicate type, a link's name).
    fn decoded(
        origin: &Origin,
        line: usize,
        part: &str,
        artifact: Option<&str>,
        list: Option<Side>,
        member: Option<&str>,
    ) -> Option<Snippet> {
        use super::decoded::{excerpt, member_span, payload, simple_path};
        let value = payload(part)?;
        let pretty = serde_json::to_string_pretty(&value).ok()?;
        let statement = value.get("predicateType").is_some();
        let (span, what, path_text) = match artifact.and_then(|a| mark(&pretty, a, list)) {
            Some(m) => (m.span, m.what, None),
            None => {
                let (path, text) = match member {
                    Some(m) => simple_path(m),
                    None => (Path::default(), "$".to_string()),
                };
                let path = if path.is_empty() {
                    Path::default().key(if statement { "predicateType" } else { "name" })
                } else {
                    path
                };
                let wanted = path.len();
                let (span, depth) = member_span(&pretty, &path)?;
                let what = if depth < wanted {
                    format!(
                        "`{}` is not in the payload; the nearest member that is",
                        escape(&text)
                    )
                } else if member.is_some_and(|m| m != "$") {
                    "the member this finding is about".to_string()
                } else {
                    "this attestation".to_string()
                };
                (span, what, member.filter(|m| *m != "$").map(|_| text))
            }
        };
        let (lines, label) = excerpt(
            format!("{}:{line} (payload, decoded)", origin.file),
            &pretty,
            span,
        )?;
        let at = match &path_text {
            Some(p) => format!(", at `{}`", escape(p)),
            None => String::new(),
        };
        Some(Snippet {
            message: format!(
                "evidence: `{}`, its payload decoded{at}",
                escape(&location(origin, line))
            ),
            label: LabeledSpan::new_with_span(Some(what), label),
            source: lines,
        })
    }
}

/// What the snippet points at in an attestation's text.
struct Mark {
    /// Byte range in the text.
    span: Span,
    /// The label.
    what: String,
}

/// Where `name` is in `text`: its entry in `list` when the text is a link
/// (a metablock's `signed`, or a bare link), the `list` key when the link's
/// list does not hold it, else the first place naming it as a JSON string.
fn mark(text: &str, name: &str, list: Option<Side>) -> Option<Mark> {
    if let Some(list) = list {
        let locator = Locator::new(text);
        let path = Path::default().key(list.name());
        if let Some(span) = locator.find_member_name(&path, name) {
            return Some(Mark {
                span,
                what: "the artifact's entry".to_string(),
            });
        }
        let is_object = locator
            .find(&path)
            .and_then(|value| text.get(value.start..))
            .is_some_and(|value| value.starts_with('{'));
        if let Some(span) = locator
            .find_member_name(&Path::default(), list.name())
            .filter(|_| is_object)
        {
            return Some(Mark {
                span,
                what: format!("not among these {}", list.name()),
            });
        }
    }
    let needle = serde_json::to_string(name).ok()?;
    let at = text.find(&needle)?;
    Some(Mark {
        span: Span::new(at, at + needle.len()),
        what: "the artifact's entry".to_string(),
    })
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
        cairn_base::diag::render(snippet, false)
    }

    #[test]
    fn bundle_line_is_numbered_escaped_and_cut() {
        let origin = Origin {
            file: "b.jsonl".into(),
            line: Some(2),
            entry: None,
        };
        let line2 = format!("{{\"x\":\"\u{1b}[2K\rPASS\u{202e}{}\"}}", "y".repeat(200));
        let files: EvidenceFiles = [("b.jsonl".to_string(), format!("{{}}\n{line2}\n"))].into();
        let out = render(&Snippet::new(&origin, None, None, None, &files).unwrap());
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
            entry: None,
        };
        let text = "{\n  \"signed\": {\n    \"products\": {\n      \"evil\\u001b.sh\": {}\n    }\n  }\n}\n";
        let files: EvidenceFiles = [("build.link".to_string(), text.to_string())].into();
        let out = render(
            &Snippet::new(
                &origin,
                Some("evil\u{1b}.sh"),
                Some(Side::Products),
                None,
                &files,
            )
            .unwrap(),
        );
        assert!(out.contains("build.link:4"), "{out}");
        assert!(out.contains("the artifact's entry"), "{out}");
        assert!(Snippet::new(&origin, None, None, None, &EvidenceFiles::new()).is_none());
    }

    /// (line number, text shown, the labelled text, the label) of the
    /// snippet for `name` in `list` of `text` (line `line` of it, if given).
    fn pointed(
        text: &str,
        line: Option<usize>,
        name: &str,
        list: Option<Side>,
    ) -> (usize, String, String, String) {
        let origin = Origin {
            file: "f".into(),
            line,
            entry: None,
        };
        let files: EvidenceFiles = [("f".to_string(), text.to_string())].into();
        let snippet = Snippet::new(&origin, Some(name), list, None, &files).unwrap();
        let label = &snippet.label;
        let marked = snippet.source.text[label.offset()..label.offset() + label.len()].to_string();
        (
            snippet.source.line,
            snippet.source.text.clone(),
            marked,
            label.label().unwrap().to_string(),
        )
    }

    #[test]
    fn an_artifact_in_both_lists_is_found_in_the_one_named() {
        let line = |text: &str, list: Option<Side>| pointed(text, None, "a.c", list).0;
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
        assert_eq!(line(metablock, Some(Side::Products)), 7);
        assert_eq!(line(metablock, Some(Side::Materials)), 10);
        // Without a list, or where the text is not a link: the first line
        // naming it as a JSON string.
        assert_eq!(line(metablock, None), 2);
        let other = metablock.replace("\"signed\"", "\"other\"");
        assert_eq!(line(&other, Some(Side::Materials)), 2);
        // A bare link.
        let link = "{\"materials\": {\"a.c\": {}},\n\"products\": {\n\"a.c\": {}}}";
        assert_eq!(line(link, Some(Side::Products)), 3);
        // Not JSON at all.
        assert_eq!(line("\"a.c\" {", Some(Side::Products)), 1);
    }

    #[test]
    fn the_label_is_on_the_entry_of_a_one_line_link() {
        let compact = r#"{"signed":{"materials":{"a.c":{}},"products":{"a.c":{}}}}"#;
        let (_, shown, marked, label) = pointed(compact, None, "a.c", Some(Side::Products));
        assert_eq!(marked, "\"a.c\"");
        assert_eq!(label, "the artifact's entry");
        assert_eq!(shown.find(&marked), Some(24), "the materials entry");
        assert_eq!(shown.rfind(&marked), Some(46));
        let snippet_at = |list| {
            let origin = Origin {
                file: "f".into(),
                line: None,
                entry: None,
            };
            let files: EvidenceFiles = [("f".to_string(), compact.to_string())].into();
            Snippet::new(&origin, Some("a.c"), Some(list), None, &files)
                .unwrap()
                .label
                .offset()
        };
        assert_eq!(snippet_at(Side::Products), 46);
        assert_eq!(snippet_at(Side::Materials), 24);
        // An entry past what a line shows: the line is shown from it on.
        let long = format!(
            r#"{{"signed":{{"materials":{{{}}},"products":{{"a.c":{{}}}}}}}}"#,
            (0..20)
                .map(|i| format!(r#""m{i}":{{}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let (_, shown, marked, _) = pointed(&long, None, "a.c", Some(Side::Products));
        assert!(shown.starts_with("…\"a.c\":{}}}}"), "{shown}");
        assert_eq!(marked, "\"a.c\"");
    }

    #[test]
    fn a_bundle_line_is_searched_alone() {
        let line1 = r#"{"signed":{"products":{"a.c":{}}}}"#;
        let line2 = r#"{"signed":{"materials":{"z":{}},"products":{"a.c":{}}}}"#;
        let text = format!("{line1}\n{line2}\n");
        let (number, shown, marked, _) = pointed(&text, Some(2), "a.c", Some(Side::Products));
        assert_eq!((number, shown.as_str()), (2, line2));
        assert_eq!(marked, "\"a.c\"");
        // Not on its line at all: the whole line, as the attestation.
        let (number, _, marked, label) = pointed(&text, Some(2), "nope", None);
        assert_eq!((number, marked.as_str()), (2, line2));
        assert_eq!(label, "this attestation");
    }

    #[test]
    fn a_list_without_the_entry_is_pointed_at() {
        let text = "{\n \"signed\": {\n  \"command\": [\"a.c\"],\n  \"products\": {\n   \"b.o\": {}\n  }\n }\n}\n";
        let (number, _, marked, label) = pointed(text, None, "a.c", Some(Side::Products));
        assert_eq!((number, marked.as_str()), (4, "\"products\""));
        assert_eq!(label, "not among these products");
        // An empty list too.
        let text = text.replace("\"b.o\": {}", "");
        let (number, _, _, label) = pointed(&text, None, "a.c", Some(Side::Products));
        assert_eq!((number, label.as_str()), (4, "not among these products"));
    }

    proptest::proptest! {
        /// In a link (pretty or compact, a metablock or bare) the label is
        /// on the named list's entry when it has one, on the list's key
        /// when it has not.
        #[test]
        fn the_named_list_is_the_one_pointed_at(
            materials in proptest::collection::btree_set("[ab/é\u{1b}]{1,3}|a{60,66}", 0..6),
            products in proptest::collection::btree_set("[ab/é\u{1b}]{1,3}|a{60,66}", 0..6),
            name in "[ab/é\u{1b}]{1,3}|a{60,66}",
            pretty: bool,
            metablock: bool,
            products_side: bool,
        ) {
            let map = |names: &std::collections::BTreeSet<String>| {
                names.iter().map(|n| (n.clone(), serde_json::json!({"sha256": "00"}))).collect::<serde_json::Map<_, _>>()
            };
            let link = serde_json::json!({"_type": "link", "command": [name.clone()], "materials": map(&materials), "products": map(&products)});
            let doc = if metablock { serde_json::json!({"signatures": [], "signed": link}) } else { link };
            let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
            let (side, listed, key) = if products_side {
                (Side::Products, &products, "\"products\"")
            } else {
                (Side::Materials, &materials, "\"materials\"")
            };
            let (number, _, marked, label) = pointed(&text, None, &name, Some(side));
            let line = |needle: &str| {
                let section = text.find(key).unwrap();
                let at = section + text[section..].find(needle).unwrap();
                text[..at].matches('\n').count() + 1
            };
            let token = serde_json::to_string(&name).unwrap();
            if listed.contains(&name) && escape(&token).chars().count() > SHOWN {
                // Too long to be shown whole: the line is the attestation.
                proptest::prop_assert_eq!(&label, "this attestation");
            } else if listed.contains(&name) {
                proptest::prop_assert_eq!(&label, "the artifact's entry");
                proptest::prop_assert_eq!(marked, escape(&token));
                proptest::prop_assert_eq!(number, line(&format!("{token}:")));
            } else {
                proptest::prop_assert!(label.starts_with("not among these"), "{}", label);
                proptest::prop_assert_eq!(marked, key);
                proptest::prop_assert_eq!(number, line(key));
            }
        }

        /// Any text, any name, either list, a line or none: a snippet or
        /// `None`, never a panic, and a label inside the text shown.
        #[test]
        fn never_panics(
            text in "[\\[\\]{}\",: \n\tas\\\\é\u{202e}\u{1b}]{0,60}",
            name in "[asé]{0,2}|[aé]{60,70}",
            list in 0u8..3,
            line in proptest::option::of(1usize..4),
        ) {
            let list = [None, Some(Side::Materials), Some(Side::Products)][usize::from(list)];
            let origin = Origin {
                file: "f".into(),
                line,
                entry: None,
            };
            let files: EvidenceFiles = [("f".to_string(), text)].into();
            if let Some(snippet) = Snippet::new(&origin, Some(&name), list, None, &files) {
                let label = &snippet.label;
                proptest::prop_assert!(label.offset() + label.len() <= snippet.source.text.len());
                proptest::prop_assert!(snippet.source.text.is_char_boundary(label.offset()));
                proptest::prop_assert!(snippet.source.text.is_char_boundary(label.offset() + label.len()));
            }
        }
    }
}
