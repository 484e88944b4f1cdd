//! The evidence of a finding shown decoded: the payload of the DSSE envelope
//! (bare, or inside a Sigstore bundle) that a bundle line holds, parsed and
//! pretty-printed, with the member the finding is about pointed at and
//! numbered by its line in the pretty-printed payload. Nobody reads base64.
//!
//! Bounded: the payload is decoded only up to [`DECODED_MAX`] bytes, and at
//! most [`LINES`] lines of at most [`WIDTH`] characters each are shown, every
//! one escaped.

use base64::Engine as _;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use cairn_base::escape::escape;
use cairn_base::source::Span;
use cairn_interop::classic::locate::{Locator, Path};

/// The largest bundle line decoded for a finding; a larger one is shown as
/// its first characters, as before.
const DECODED_MAX: usize = 16 << 20;

/// Lines of the payload shown around the member.
const LINES: usize = 8;

/// Characters of a payload line shown.
const WIDTH: usize = 88;

/// The payload of the envelope `line` holds (a DSSE envelope or a Sigstore
/// bundle with a `dsseEnvelope`), parsed; `None` when it holds neither or
/// the payload is no JSON.
pub fn payload(line: &str) -> Option<serde_json::Value> {
    if line.len() > DECODED_MAX {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let envelope = value.get("dsseEnvelope").unwrap_or(&value);
    let encoded = envelope.get("payload")?.as_str()?;
    envelope.get("payloadType")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(encoded))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A JSON path of simple segments (`$.predicate.result`, `$.subject[0]`,
/// `$['a b']`) as a [`Path`], with the text of the part that was simple:
/// the path stops at the first segment that selects more than one value
/// (a wildcard, a filter, a slice), whose parent is what is shown.
pub fn simple_path(path: &str) -> (Path, String) {
    let mut out = Path::default();
    let mut text = String::from("$");
    let Some(mut rest) = path.strip_prefix('$') else {
        return (out, text);
    };
    loop {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(r.len());
            let Some(name) = r.get(..end).filter(|n| !n.is_empty()) else {
                break;
            };
            out = out.key(name);
            text.push('.');
            text.push_str(name);
            rest = r.get(end..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(close) = r.find(']') else { break };
            let inner = r.get(..close).unwrap_or("").trim();
            if let Ok(n) = inner.parse::<usize>() {
                out = out.index(n);
            } else if let Some(name) = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                .filter(|s| !s.contains(['\\', '\'', '"']))
            {
                out = out.key(name);
            } else {
                break;
            }
            text.push('[');
            text.push_str(inner);
            text.push(']');
            rest = r.get(close + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    (out, text)
}

/// Lines of an evidence file or of a decoded payload, numbered as there:
/// what a snippet shows.
#[derive(Debug)]
pub struct Lines {
    /// The name shown in the header.
    pub name: String,
    /// The text shown (escaped, cut).
    pub text: String,
    /// Number (1-based) of its first line.
    pub line: usize,
    /// The column (0-based) the text starts at in its first line.
    pub column: usize,
}

impl SourceCode for Lines {
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
            self.column,
            self.text.lines().count().max(1),
        )))
    }
}

/// The lines of `pretty` (a pretty-printed payload) around `span` (the
/// member), under `name`, with the member's first line marked.
pub fn excerpt(name: String, pretty: &str, span: Span) -> Option<(Lines, SourceSpan)> {
    let before = pretty.get(..span.start)?;
    let mark_line = before.matches('\n').count();
    let mark_col = span.start - before.rfind('\n').map_or(0, |p| p + 1);
    let lines: Vec<&str> = pretty.lines().collect();
    let value_lines = pretty.get(span.start..span.end)?.matches('\n').count() + 1;
    // One line of context before the member, then the member as far as
    // it fits; a long member is cut.
    let start = mark_line.saturating_sub(1);
    let end = (mark_line + value_lines)
        .min(start + LINES)
        .min(lines.len());
    let shown = |s: &str| -> String {
        let e = escape(s);
        if e.chars().count() > WIDTH {
            let cut: String = e.chars().take(WIDTH).collect();
            format!("{cut}…")
        } else {
            e
        }
    };
    let mut text = String::new();
    let mut label = (0usize, 0usize);
    for (n, line) in lines.iter().enumerate().take(end).skip(start) {
        if !text.is_empty() {
            text.push('\n');
        }
        if n == mark_line {
            // A value over several lines is marked with its member name,
            // from the line's first character on.
            let (from, line_end) = if value_lines == 1 {
                (mark_col, (mark_col + span.len()).min(line.len()))
            } else {
                (line.len() - line.trim_start().len(), line.len())
            };
            let head = shown(line.get(..from).unwrap_or(""));
            let marked = shown(line.get(from..line_end).unwrap_or(""));
            let whole = shown(line);
            let len = marked
                .len()
                .min(whole.len().saturating_sub(head.len()))
                .max(1);
            label = (text.len() + head.len(), len);
            text.push_str(&whole);
        } else {
            text.push_str(&shown(line));
        }
    }
    if end < mark_line + value_lines {
        text.push_str(" …");
    }
    Some((
        Lines {
            name,
            text,
            line: start + 1,
            column: 0,
        },
        label.into(),
    ))
}

/// The span of the member at `path` of `pretty`, or of the nearest member
/// above it that is there.
pub fn member_span(pretty: &str, path: &Path) -> Option<(Span, usize)> {
    let locator = Locator::new(pretty);
    let mut path = path.clone();
    loop {
        if let Some(span) = locator.find(&path) {
            return Some((span, path.len()));
        }
        if !path.pop() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths() {
        assert_eq!(simple_path("$.predicate.result").1, "$.predicate.result");
        assert_eq!(simple_path("$.a[0]['b c'].d[*].e").1, "$.a[0]['b c'].d");
        assert_eq!(simple_path("$.a[?@.x == 1]").1, "$.a");
        assert_eq!(simple_path("$").1, "$");
        assert_eq!(simple_path("x").1, "$");
    }

    #[test]
    fn payload_of_envelope_and_bundle() {
        let body = base64::engine::general_purpose::STANDARD.encode(br#"{"a":1}"#);
        let env = format!(r#"{{"payload":"{body}","payloadType":"x","signatures":[]}}"#);
        assert_eq!(payload(&env), Some(serde_json::json!({"a": 1})));
        let bundle = format!(r#"{{"dsseEnvelope":{env}}}"#);
        assert_eq!(payload(&bundle), Some(serde_json::json!({"a": 1})));
        assert_eq!(payload("{}"), None);
        assert_eq!(payload(r#"{"payload":"!!","payloadType":"x"}"#), None);
    }

    #[test]
    fn excerpt_marks_the_member_and_escapes() {
        let pretty = "{\n  \"a\": \"\u{1b}[2J\",\n  \"b\": {\n    \"c\": 1\n  }\n}";
        let (span, _) = member_span(pretty, &Path::default().key("b").key("c")).unwrap();
        let (e, _) = excerpt("x".into(), pretty, span).unwrap();
        assert!(e.text.contains("\"c\": 1"), "{}", e.text);
        assert_eq!(e.line, 3);
        let (span, _) = member_span(pretty, &Path::default().key("a")).unwrap();
        let (e, _) = excerpt("x".into(), pretty, span).unwrap();
        assert!(e.text.contains("\\u{1b}[2J"), "{}", e.text);
        assert!(!e.text.contains('\u{1b}'));
    }
}
