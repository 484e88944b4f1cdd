//! The errors of `cairn import` (`E54x`).

/// The errors of `cairn import`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    /// The file holds no classic layout.
    #[error("`{path}` holds no in-toto layout")]
    #[diagnostic(
        code(E541),
        help("give a `{{signed, signatures}}` metablock or a DSSE envelope whose payload has `_type: layout`")
    )]
    NotALayout {
        /// The file.
        path: String,
    },
    /// A given key did not sign the layout.
    #[error("layout `{path}` is not signed by `{key}`")]
    #[diagnostic(
        code(E542),
        help(
            "import without `--layout-key` to translate it anyway, or pass the key that signed it"
        )
    )]
    Unsigned {
        /// The file.
        path: String,
        /// The key.
        key: String,
    },
    /// A layout that cairn cannot write as a policy it accepts.
    #[error("`{path}` cannot be translated into a valid policy: {reason}")]
    #[diagnostic(
        code(E544),
        help("fix the layout, or write the policy by hand: `cairn import` writes only what `cairn check` accepts (names of letters, digits, `_` and `-`; strings without control or invisible characters; the rules of docs/language.md)")
    )]
    Untranslatable {
        /// The file.
        path: String,
        /// What cairn cannot write, or the errors of the translation.
        reason: String,
    },
    /// The printed source did not parse: a bug in cairn.
    #[error(
        "cairn printed `.cairn` source that it cannot parse (a bug; please report it): {reason}"
    )]
    #[diagnostic(code(E543))]
    Printed {
        /// The parser's message.
        reason: String,
    },
}
