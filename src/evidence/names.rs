//! Artifact names: what a link's materials and products and a Statement's
//! subjects may be called (DESIGN decision 6).
//!
//! A name must be a normalised relative path: two spellings of one file
//! (`./a` and `a`, `b/../a`) could otherwise slip past a `disallow` rule
//! written for one of them, and characters that render invisibly or move
//! the cursor could forge report lines. Names are compared byte for byte;
//! nothing is normalised, so a refused name is never silently rewritten.

/// Why `name` is not an acceptable artifact name, or `None` when it is.
///
/// Refused: the empty name, a leading `/`, a `\` anywhere, empty path
/// components (`a//b`, a trailing `/`), `.` and `..` components, control
/// characters (`\n`, ESC, DEL, C1) and invisible or bidirectional format
/// characters (`\u{202e}`, `\u{200b}`, ...).
pub fn artifact_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("the name is empty");
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_control() || crate::report::is_invisible_format(c))
    {
        return Some(if c.is_control() {
            "the name contains a control character"
        } else {
            "the name contains an invisible or bidirectional format character"
        });
    }
    if name.contains('\\') {
        return Some("the name contains `\\`; separate path components with `/`");
    }
    if name.starts_with('/') {
        return Some("the name is an absolute path");
    }
    for component in name.split('/') {
        match component {
            "" => return Some("the name has an empty path component (`//` or a trailing `/`)"),
            "." => return Some("the name has a `.` path component"),
            ".." => return Some("the name has a `..` path component"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::artifact_name_problem;

    #[test]
    fn normalised_relative_paths_pass() {
        for name in [
            "foo",
            "bin/foo-1.0",
            "dir/.hidden",
            "a..b/c...",
            "pkg:npm/left-pad@1.3.0",
            "naïve ✓",
            "Foo.txt",
        ] {
            assert_eq!(artifact_name_problem(name), None, "{name:?}");
        }
    }

    #[test]
    fn aliases_and_escapes_are_refused() {
        for name in [
            "",
            "./foo",
            "dir/../foo",
            "..",
            ".",
            "../x",
            "a//b",
            "dir/",
            "/etc/passwd",
            "C:\\x",
            "\\\\srv\\share",
            "dir\\foo",
            "a\nPASS: layout",
            "a\rb",
            "a\tb",
            "\u{1b}[2Kx",
            "a\u{0}b",
            "a\u{7f}",
            "a\u{85}",
            "evil\u{202e}txt.exe",
            "zero\u{200b}width",
            "line\u{2028}sep",
        ] {
            assert!(artifact_name_problem(name).is_some(), "{name:?}");
        }
    }
}
