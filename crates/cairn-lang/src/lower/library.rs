//! What a library gives the files that import it, once lowered, and the
//! errors that point into two files.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource};
use thiserror::Error;

use crate::ir;
use cairn_base::source::Span;

/// What a library declares, lowered, for the files that import it.
#[derive(Debug)]
pub(crate) struct Library {
    /// The library's text, for notes that point into it.
    pub source: miette::NamedSource<Arc<str>>,
    /// Its keys by name.
    pub keys: BTreeMap<String, LibKey>,
    /// Its identities by name.
    pub identities: BTreeMap<String, ir::Identity>,
    /// Its check sets by name (those that lowered).
    pub sets: BTreeMap<String, CheckSet>,
    /// Its check sets that did not lower (their errors are reported; their
    /// uses are not).
    pub failed_sets: BTreeSet<String>,
}

/// A key of a library.
#[derive(Debug)]
pub(crate) struct LibKey {
    /// The key (its span: its declaration in the library).
    pub key: ir::Key,
    /// Its material, to refuse it under a second name.
    pub material: Vec<u8>,
}

/// A lowered check set.
#[derive(Debug, Clone)]
pub(crate) struct CheckSet {
    /// The predicate type URI its checks read.
    pub predicate_type: String,
    /// The type as written (alias or URI), for messages.
    pub shown: String,
    /// Its checks, the sets it includes expanded.
    pub checks: Vec<ir::Check>,
}

/// What an import gives its file: the library, or `None` when it could not
/// be loaded (its error is reported once; uses of it are not).
#[derive(Debug, Clone)]
pub(crate) struct Imported {
    /// The library, if it loaded.
    pub lib: Option<Rc<Library>>,
    /// The `import` line.
    pub span: Span,
}

/// Errors that point into two files (`E263`, `E268`): the place in this
/// file, and a note in the other.
#[derive(Debug, Error, Diagnostic)]
pub enum CrossFileError {
    /// An import cycle.
    #[error("import cycle: {cycle}")]
    #[diagnostic(
        code(E263),
        help("a library may import other libraries, never one that imports it back; move what both need into a third file")
    )]
    Cycle {
        /// The files of the cycle, `a -> b -> a`.
        cycle: String,
        /// The import that closes it.
        #[label("this import closes the cycle")]
        span: Span,
        /// Where the cycle starts, in the other file.
        #[related]
        note: Vec<Note>,
    },
    /// The same key material under two names, in two files.
    #[error("signer `{name}` is the same key as `{first_name}`")]
    #[diagnostic(
        code(E268),
        help("one signer must never count twice toward a threshold; use one name for the key (the imported one, or the local one) everywhere")
    )]
    SameKey {
        /// The later name.
        name: String,
        /// The earlier name.
        first_name: String,
        /// Where the later name is used or declared.
        #[label("the same key as `{first_name}`")]
        span: Span,
        /// Where the other file declares it.
        #[related]
        note: Vec<Note>,
    },
}

/// A place in another file that an error points at.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(severity(Advice))]
pub struct Note {
    /// What the place is.
    pub message: String,
    /// The other file.
    #[source_code]
    pub file: NamedSource<Arc<str>>,
    /// The place.
    #[label("{label}")]
    pub span: Span,
    /// The label.
    pub label: String,
}
