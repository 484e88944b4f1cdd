//! What linting one policy file came to, and the positions every output
//! format reports.

use crate::lint::finding::Finding;
use crate::lower::{CompileErrors, IoError};
use cairn_base::source::{SourceFile, Span};

/// What happened to one policy file.
#[derive(Debug)]
pub enum Outcome {
    /// It compiled and was linted.
    Linted(Vec<Finding>),
    /// It does not compile.
    Errors(CompileErrors),
    /// It could not be read.
    Unreadable(IoError),
}

/// One policy file and its outcome.
#[derive(Debug)]
pub struct FileResult {
    /// The file (its text is empty when it could not be read).
    pub file: SourceFile,
    /// The outcome.
    pub outcome: Outcome,
}

/// A location in a file: 1-based lines and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
    pub(crate) end_column: usize,
}

pub(crate) fn region(file: &SourceFile, span: Span) -> Region {
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end.max(span.start));
    Region {
        line,
        column,
        end_line,
        end_column,
    }
}

/// A compile error reduced to what machine formats carry.
pub(crate) struct ErrorFacts {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    pub(crate) region: Option<Region>,
    /// The file the error is in, when it is not the one linted (a file it
    /// imports).
    pub(crate) file: Option<String>,
}

pub(crate) fn error_facts(file: &SourceFile, report: &miette::Report) -> ErrorFacts {
    let span = report
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| Span::new(l.offset(), l.offset() + l.len()));
    let mut facts = ErrorFacts {
        code: report.code().map(|c| c.to_string()).unwrap_or_default(),
        message: report.to_string(),
        help: report.help().map(|h| h.to_string()),
        region: span.map(|s| region(file, s)),
        file: None,
    };
    // An error in an imported file is placed in that file.
    let (Some(span), Some(source)) = (span, report.source_code()) else {
        return facts;
    };
    let here = source.read_span(&miette::SourceSpan::new(span.start.into(), 0), 0, 0);
    if here.map_or(true, |h| h.name().is_none_or(|n| n == file.name)) {
        return facts;
    }
    // The whole text of the file the error is in: from its start, every line after.
    let Ok(whole) = source.read_span(&miette::SourceSpan::new(0.into(), 0), 0, usize::MAX) else {
        return facts;
    };
    if let Some(name) = whole.name().filter(|n| *n != file.name) {
        let other = SourceFile::new(name, String::from_utf8_lossy(whole.data()));
        facts.region = Some(region(&other, span));
        facts.file = Some(other.name);
    }
    facts
}
