//! Escaping untrusted text for terminals and logs.

use std::fmt::Write as _;

/// Returns `text` with every character that could change how output looks
/// replaced by a visible escape: control characters (`\n`, `\r`, `\t`, ESC,
/// ...) and DEL, the bidirectional controls and other invisible format
/// characters (`\u{202e}`, `\u{200b}`, ...), and `\` itself (as `\\`), so that
/// an escaped string never reads as another one.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_format(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Returns `text` with only what could write to a terminal escaped (control
/// and invisible format characters, as `\u{1b}`), for text that quotes
/// what it holds already (a JSON field path such as `$["a\"b"]`), where
/// [`escape`]'s doubling of `\` would change what it says.
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_invisible_format(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Bidi controls, zero-width characters, fillers, tag characters and other
/// format characters that render as nothing or reorder the text around them (also refused in artifact names,
/// `cairn_evidence::names`).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_forge_output() {
        assert_eq!(escape("bin/foo"), "bin/foo");
        assert_eq!(escape("a\nPASS"), "a\\nPASS");
        assert_eq!(escape("\u{1b}[32mok\u{1b}[0m"), "\\u{1b}[32mok\\u{1b}[0m");
        assert_eq!(escape("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(escape("a\\nb"), "a\\\\nb");
        assert_eq!(escape("\u{7f}\u{85}"), "\\u{7f}\\u{85}");
        // Tag characters, fillers and invisible joiners read as nothing.
        assert_eq!(escape("key\u{e0020}"), "key\\u{e0020}");
        for c in [
            '\u{e0001}',
            '\u{206a}',
            '\u{1d173}',
            '\u{34f}',
            '\u{115f}',
            '\u{3164}',
        ] {
            assert!(is_invisible_format(c), "{c:?}");
        }
        assert_eq!(escape("naïve ✓"), "naïve ✓");
    }

    #[test]
    fn escapes_controls_and_keeps_backslashes() {
        assert_eq!(escape_controls("$[\"a\\\"b\"]"), "$[\"a\\\"b\"]");
        assert_eq!(escape_controls("$.k\u{1b}[31m"), "$.k\\u{1b}[31m");
        assert_eq!(escape_controls("a\u{202e}b\nc"), "a\\u{202e}b\\u{a}c");
    }
}
