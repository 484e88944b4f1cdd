//! Why a policy did not compile: its diagnostics, ready to render.

/// The most errors kept (and rendered) for one policy; the rest are counted.
pub const MAX_ERRORS: usize = 200;

/// Why a policy did not compile: diagnostics ready to render with
/// [`cairn_base::diag::render`], each carrying the policy's source text.
#[derive(Debug)]
pub struct CompileErrors {
    /// One report per error, in order of discovery; at most [`MAX_ERRORS`].
    pub reports: Vec<miette::Report>,
    /// How many further errors were found but not kept.
    pub omitted: usize,
}

impl CompileErrors {
    /// The stable codes of the errors, in order (`E100`, `E200`, ...).
    pub fn codes(&self) -> Vec<String> {
        self.reports
            .iter()
            .map(|r| r.code().map(|c| c.to_string()).unwrap_or_default())
            .collect()
    }
}
