//! What stops a verification before a verdict, and the warnings a run
//! collects on the way.

use std::fmt;

/// One diagnostic: a message with a code, a help line and, where it has one,
/// the labelled place in the policy or evidence it concerns. Render it with
/// [`render`](crate::render).
pub type Diagnostic = Box<dyn miette::Diagnostic + Send + Sync>;

/// Verification stopped before a verdict.
///
/// Usually the inputs could not be used (a policy that does not compile,
/// evidence that cannot be read at all, a bad key): nothing can be said
/// about the artifact. For a classic in-toto layout that its owners did not
/// sign, the answer is known and it is no: [`Error::is_failure`] is true.
pub struct Error {
    failure: bool,
    diagnostics: Vec<Diagnostic>,
    warnings: Vec<Warning>,
}

impl Error {
    /// The inputs could not be used.
    pub(crate) fn invalid(diagnostics: Vec<Diagnostic>) -> Self {
        Error {
            failure: false,
            diagnostics,
            warnings: Vec::new(),
        }
    }

    /// Verification failed before a verdict.
    pub(crate) fn failure(diagnostics: Vec<Diagnostic>) -> Self {
        Error {
            failure: true,
            diagnostics,
            warnings: Vec::new(),
        }
    }

    /// True when the stop is itself the answer "no" (a classic layout its
    /// owners did not sign, a sublayout that failed), rather than inputs
    /// that could not be used.
    pub fn is_failure(&self) -> bool {
        self.failure
    }

    /// Every diagnostic, in the order found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every diagnostic, taken out.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// What was noticed before verification stopped (warnings the
    /// evidence read so far gave).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub(crate) fn with_warnings(mut self, warnings: Vec<Warning>) -> Self {
        self.warnings = warnings;
        self
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::invalid(vec![diagnostic])
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Error::invalid(diagnostics)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("failure", &self.failure)
            .field(
                "diagnostics",
                &self
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in &self.diagnostics {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            match d.code() {
                Some(code) => write!(f, "{code}: {d}")?,
                None => write!(f, "{d}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Something a verification noticed that does not stop it: an ignored line
/// or signature, a sublayout that does not count, a rejected signature of a
/// sublayout's link.
pub enum Warning {
    /// A diagnostic with its code and help.
    Diagnostic(Diagnostic),
    /// A plain sentence.
    Note(String),
}

impl fmt::Debug for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Diagnostic(d) => write!(f, "Diagnostic({d})"),
            Warning::Note(n) => write!(f, "Note({n})"),
        }
    }
}
