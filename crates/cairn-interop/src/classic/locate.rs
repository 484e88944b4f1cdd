//! Best-effort byte ranges of JSON values, so that diagnostics and IR spans
//! point into the layout file. `serde_json::Value` keeps no positions, so this
//! scans the text again along a path of member names and indices.
//!
//! The text was already parsed, so the scanner only needs to skip values;
//! anything unexpected yields `None`, never a panic.

use cairn_base::source::Span;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path from the `signed` object, displayed as `steps[1].threshold`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub(crate) Vec<Seg>);

impl Path {
    /// This path extended by a member name.
    pub fn key(&self, key: &str) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        Path(segs)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Path(segs)
    }

    /// Removes the last segment; false when there was none.
    pub fn pop(&mut self) -> bool {
        self.0.pop().is_some()
    }

    /// How many segments the path has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the path has no segment (the root).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("signed");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Finds values in one JSON text. When the text is a metablock
/// (`{"signed": ..., "signatures": ...}`) paths start inside `signed`.
#[derive(Debug, Clone, Copy)]
pub struct Locator<'t> {
    text: &'t [u8],
    root: Option<usize>,
}

impl<'t> Locator<'t> {
    /// A locator over `text`.
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let start = skip_ws(bytes, 0);
        let root = member(bytes, start, "signed").or(Some(start));
        Locator { text: bytes, root }
    }

    /// The byte range of the value at `path`, if found.
    pub fn find(&self, path: &Path) -> Option<Span> {
        let mut pos = self.root?;
        for seg in &path.0 {
            pos = match seg {
                Seg::Key(k) => member(self.text, pos, k)?,
                Seg::Index(n) => element(self.text, pos, *n)?,
            };
        }
        let end = value_end(self.text, pos)?;
        Some(Span::new(pos, end))
    }

    /// The range of the member name `key` of the object at `path`, if found.
    pub fn find_member_name(&self, path: &Path, key: &str) -> Option<Span> {
        let object = self.find(path)?;
        let (name, _) = member_at(self.text, object.start, key)?;
        Some(name)
    }
}

fn skip_ws(text: &[u8], mut pos: usize) -> usize {
    while matches!(text.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the string starting at `pos` (which holds `"`).
fn string_end(text: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match text.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// End (exclusive) of the value starting at `pos`.
fn value_end(text: &[u8], pos: usize) -> Option<usize> {
    match text.get(pos)? {
        b'"' => string_end(text, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match text.get(i)? {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while let Some(b) = text.get(i) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// Start of the value of member `key` of the object starting at `pos`.
fn member(text: &[u8], pos: usize, key: &str) -> Option<usize> {
    member_at(text, pos, key).map(|(_, value)| value)
}

/// The span of the name and the start of the value of member `key` of the
/// object starting at `pos`.
fn member_at(text: &[u8], pos: usize, key: &str) -> Option<(Span, usize)> {
    if text.get(pos)? != &b'{' {
        return None;
    }
    let mut i = skip_ws(text, pos + 1);
    loop {
        if text.get(i)? != &b'"' {
            return None;
        }
        let name_start = i;
        let name_end = string_end(text, i)?;
        let name = std::str::from_utf8(text.get(i..name_end)?).ok()?;
        let name: String = serde_json::from_str(name).ok()?;
        i = skip_ws(text, name_end);
        if text.get(i)? != &b':' {
            return None;
        }
        let value = skip_ws(text, i + 1);
        if name == key {
            return Some((Span::new(name_start, name_end), value));
        }
        i = skip_ws(text, value_end(text, value)?);
        match text.get(i)? {
            b',' => i = skip_ws(text, i + 1),
            _ => return None,
        }
    }
}

/// Start of element `n` of the array starting at `pos`.
fn element(text: &[u8], pos: usize, n: usize) -> Option<usize> {
    if text.get(pos)? != &b'[' {
        return None;
    }
    let mut i = skip_ws(text, pos + 1);
    for _ in 0..n {
        i = skip_ws(text, value_end(text, i)?);
        match text.get(i)? {
            b',' => i = skip_ws(text, i + 1),
            _ => return None,
        }
    }
    match text.get(i)? {
        b']' => None,
        _ => Some(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, path: &Path) -> Option<&'a str> {
        let span = Locator::new(text).find(path)?;
        text.get(span.start..span.end)
    }

    #[test]
    fn finds_values_inside_signed() {
        let text = r#"{"signatures": [], "signed": {"a": {"b\"c": [1, "x]", [true]]}}}"#;
        let p = Path::default().key("a").key("b\"c");
        assert_eq!(at(text, &p), Some(r#"[1, "x]", [true]]"#));
        assert_eq!(at(text, &p.index(1)), Some(r#""x]""#));
        assert_eq!(at(text, &p.index(2).index(0)), Some("true"));
        assert_eq!(at(text, &p.index(3)), None);
        assert_eq!(at(text, &Path::default().key("zz")), None);
        let name = Locator::new(text).find_member_name(&Path::default().key("a"), "b\"c");
        assert_eq!(name.map(|s| &text[s.start..s.end]), Some(r#""b\"c""#));
    }

    #[test]
    fn bare_payloads_and_garbage() {
        assert_eq!(at(r#" {"x": 12}"#, &Path::default().key("x")), Some("12"));
        assert_eq!(at("[", &Path::default().index(0)), None);
        assert_eq!(at("", &Path::default().key("x")), None);
        assert_eq!(at(r#"{"x": "#, &Path::default().key("x")), None);
        assert_eq!(
            Path::default()
                .key("steps")
                .index(1)
                .key("threshold")
                .to_string(),
            "steps[1].threshold"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(text in "[\\[\\]{}\",: a\\\\0-9]{0,40}", key in "[a]{0,2}", n in 0usize..3) {
            let loc = Locator::new(&text);
            let path = Path::default().key(&key).index(n);
            let _ = loc.find(&path);
            let _ = loc.find_member_name(&Path::default(), &key);
        }
    }
}
