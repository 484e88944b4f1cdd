//! The cairn language server (`cairn lsp`): the diagnostics of `cairn check`
//! and `cairn lint` as a policy is typed, hover, go to definition, find
//! references, rename, completion, formatting (`cairn fmt`), code actions,
//! semantic tokens and document symbols, over the Language Server Protocol.
//!
//! [`serve`] runs a session over any reader and writer (the command line
//! gives it standard input and output). Each open document is analysed
//! whole on every change ([`analysis`]): its syntax tree and names come from
//! `cairn-lang`, key files are read relative to the document's folder, the
//! predicate field trees are lint's. What must work on text that does not
//! parse (completion, semantic tokens) reads tokens ([`lex`]) instead.
//!
//! In the crate graph it sits beside the `cairn` library, above
//! `cairn-lang`, `cairn-evidence` and `cairn-base`; only the command line
//! uses it.

pub mod actions;
pub mod analysis;
pub mod complete;
pub mod fields;
pub mod hover;
pub mod index;
pub mod lex;
pub mod lines;
pub mod outline;
pub mod server;
pub mod tokens;

pub use server::{serve, Error, Exit};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use crate::analysis::Analysis;
    use crate::lines::{Encoding, Lines};

    /// Pieces of policies, broken ones included, and characters that are
    /// more than one byte or one UTF-16 unit.
    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "layout \"x\" {",
            "}",
            "{",
            "step s",
            "step",
            "by k",
            "by 2 of k, j",
            ",",
            "key k = ed25519 \"00\"",
            "key k = file \"k.pub\"",
            "param p = \"{p}\"",
            "attestation slsa-provenance/v1 {",
            "attestation \"u\" {",
            "attestation",
            "require $.runDetails.",
            "warn all $.a[*].b == 1",
            "$.x['y",
            "$",
            "\"{",
            "\"é😀{p}\"",
            "materials { match \"*\" with products from s }",
            "from",
            "# cairn: allow(L008)",
            "artifact from s",
            "identity i = sigstore { san \"x\" }",
            "\n",
            " ",
            "é",
            "😀",
            "\"",
            "\\",
            "[",
            "]",
            "==",
            "-",
            "2027-01-01T00:00:00Z",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every request at every place of any text answers without panicking.
        #[test]
        fn nothing_panics(text in pieces()) {
            let a = Analysis::new(text.clone(), Path::new("."), 0);
            let _ = crate::tokens::classify(&text, &a.index);
            if let Some(parsed) = &a.parsed {
                let _ = crate::outline::outline(&Lines::new(&text, Encoding::Utf16), parsed);
            }
            for p in &a.problems {
                let _ = crate::actions::actions(&text, p);
            }
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let _ = crate::complete::complete(&text, offset);
                let _ = crate::hover::hover(&a, offset);
                let _ = a.index.symbol_at(offset);
                for encoding in [Encoding::Utf8, Encoding::Utf16] {
                    let lines = Lines::new(&text, encoding);
                    prop_assert_eq!(lines.offset(lines.position(offset)), offset);
                }
            }
        }
    }
}
