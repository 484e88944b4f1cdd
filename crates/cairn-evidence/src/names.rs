//! Artifact names: what a link's materials and products and a Statement's
//! subjects may be called (DESIGN decision 6).
//!
//! A name must be a normalised relative path: two spellings of one file
//! (`./a` and `a`, `b/../a`) could otherwise slip past a `disallow` rule
//! written for one of them, and characters that render invisibly or move
//! the cursor could forge report lines. Names are compared byte for byte;
//! nothing is normalised, so a refused name is never silently rewritten.

use cairn_json::words::{below, equal, first_equal, word, HIGH};

/// Why `name` is not an acceptable artifact name, or `None` when it is.
///
/// Refused: the empty name, a leading `/`, a `\` anywhere, empty path
/// components (`a//b`, a trailing `/`), `.` and `..` components, control
/// characters (`\n`, ESC, DEL, C1) and invisible or bidirectional format
/// characters (`\u{202e}`, `\u{200b}`, ...).
pub fn artifact_name_problem(name: &str) -> Option<&'static str> {
    if surely_plain_and_normal(name.as_bytes()) || plain_and_normal(name.as_bytes()) {
        return None;
    }
    if name.is_empty() {
        return Some("the name is empty");
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_control() || cairn_base::escape::is_invisible_format(c))
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

/// A name read straight from JSON text, eight bytes at a time: the length
/// of `text` up to its first byte that is not printable ASCII or is `"` or
/// `\\` (the caller reads the name only when that byte is the string's
/// closing quote), and whether the bytes before it are surely an acceptable
/// name, as `surely_plain_and_normal` decides. `None` when the text ends
/// first. Finding the name's end and checking it look at each byte once.
pub fn plain_name(text: &[u8]) -> Option<(usize, bool)> {
    // A leading `/` or `.` is caught as if a `/` came before the name.
    let mut after_slash = 0x80;
    let mut odd = 0;
    let mut at = 0;
    for chunk in text.chunks_exact(8) {
        let v = word(chunk)?;
        // The lowest byte each test flags is exact (a borrow only starts at
        // a byte the test is after), so the lowest of all is the first
        // byte that ends a plain name.
        let stop = below(v, 0x20)
            | (v & HIGH)
            | first_equal(v, b'"')
            | first_equal(v, b'\\')
            | first_equal(v, 0x7f);
        // The bytes before the first stop (all of them when there is none).
        let before = (stop & stop.wrapping_neg()).wrapping_sub(1);
        let slash = equal(v, b'/') & before;
        let slash_or_dot = (slash | equal(v, b'.')) & before;
        // A `/` followed by `/` or `.`, in this word or across from the last.
        odd |= slash & (slash_or_dot >> 8) | (after_slash & slash_or_dot);
        if stop != 0 {
            let len = at + (stop.trailing_zeros() / 8) as usize;
            // An empty name, or an empty last component.
            let ends_well = !matches!(text.get(..len).and_then(<[u8]>::last), None | Some(b'/'));
            return Some((len, odd == 0 && ends_well));
        }
        after_slash = (slash >> 56) & 0x80;
        at += 8;
    }
    None
}

/// The commonest case, decided by passes without a branch per byte (which
/// vectorise): printable ASCII without `\\`, no component empty or
/// starting with `.`. `false` says only that [`plain_and_normal`] must
/// decide (`a/.hidden` is normal).
fn surely_plain_and_normal(bytes: &[u8]) -> bool {
    let unprintable = bytes.iter().fold(false, |odd, &b| {
        odd | !(0x20..0x7f).contains(&b) | (b == b'\\')
    });
    // `//` and `/.` inside; at the ends, a first `/` or `.` and a last `/`.
    let alias = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(false, |odd, (&a, &b)| {
            odd | ((a == b'/') & ((b == b'/') | (b == b'.')))
        });
    let ends = matches!(bytes.first(), None | Some(b'/' | b'.')) | (bytes.last() == Some(&b'/'));
    !(unprintable | alias | ends)
}

/// The common case in one pass over the bytes: printable ASCII without `\\`,
/// components neither empty nor `.` nor `..`. `false` says only that the
/// full check must decide.
fn plain_and_normal(bytes: &[u8]) -> bool {
    let normal = |component: &[u8]| !matches!(component, b"" | b"." | b"..");
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !(0x20..0x7f).contains(&b) || b == b'\\' {
            return false;
        }
        if b == b'/' {
            if !bytes.get(start..i).is_some_and(normal) {
                return false;
            }
            start = i + 1;
        }
    }
    bytes.get(start..).is_some_and(normal)
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

    proptest::proptest! {
        /// The one-pass check never passes a name the full check refuses.
        #[test]
        fn the_fast_check_agrees(name in "[a./\\\\ ~\u{1f}\u{7f}\u{e9}\u{202e}\n]{0,20}") {
            if super::plain_and_normal(name.as_bytes()) {
                proptest::prop_assert!(slow(&name).is_none(), "{:?}", name);
            }
            if super::surely_plain_and_normal(name.as_bytes()) {
                proptest::prop_assert!(slow(&name).is_none(), "{:?}", name);
            }
        }
    }

    proptest::proptest! {
        /// The branch-free check passes exactly the names it should (no
        /// component starting with `.`), longer ones too (vectorised loops
        /// take them in groups).
        #[test]
        fn the_branch_free_check_is_exact_on_plain_names(name in "[ab./~]{0,26}") {
            let expected = slow(&name).is_none() && !name.split('/').any(|c| c.starts_with('.'));
            proptest::prop_assert_eq!(super::surely_plain_and_normal(name.as_bytes()), expected, "{:?}", name);
        }
    }

    proptest::proptest! {
        /// A name in JSON text ends at its first byte that is not printable
        /// ASCII or is `"` or `\\`, found at every place around the words,
        /// and is passed exactly when it should be (no component starting
        /// with `.`); the text ending too soon gives `None`.
        #[test]
        fn plain_names_are_found_and_checked_in_json_text(
            name in "[ab./~ \\\\\"\u{7f}\u{e9}\u{1f}]{0,26}",
            tail in "[\"a/]{0,9}",
        ) {
            let text = format!("{name}\"{tail}");
            let bytes = text.as_bytes();
            let end = bytes
                .iter()
                .position(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\')
                .unwrap();
            match super::plain_name(bytes) {
                Some((len, surely)) => {
                    proptest::prop_assert_eq!(len, end, "{:?}", text);
                    let name = &text[..len];
                    let expected = slow(name).is_none() && !name.split('/').any(|c| c.starts_with('.'));
                    proptest::prop_assert_eq!(surely, expected, "{:?}", text);
                }
                None => proptest::prop_assert!(end >= bytes.len() / 8 * 8, "{:?}", text),
            }
        }
    }

    /// The rules of [`artifact_name_problem`], spelled out independently.
    fn slow(name: &str) -> Option<&'static str> {
        let mut problem = None;
        if name.is_empty() || name.starts_with('/') || name.contains('\\') {
            problem = Some("structural");
        }
        for component in name.split('/') {
            if matches!(component, "" | "." | "..") {
                problem = Some("component");
            }
        }
        if name
            .chars()
            .any(|c| c.is_control() || cairn_base::escape::is_invisible_format(c))
        {
            problem = Some("character");
        }
        problem
    }
}
