//! Compiling a policy (or checking a library) from text or a file, with
//! the files it imports.

use std::path::Path;
use std::sync::Arc;

use super::error::LowerError;
use super::imports;
use super::input::read_policy_and_base;
use super::input::IoError;
use super::report::CompileErrors;
use crate::ir;
use crate::syntax::ast;
use cairn_base::source::SourceFile;

/// Parses and lowers a policy text with the files it imports. `name` is the
/// file name shown in diagnostics; `base_dir` is the folder `file "..."`
/// keys and imports are relative to. A library is an error (E269).
pub fn compile_source(
    name: &str,
    text: &str,
    base_dir: &Path,
) -> Result<ir::Layout, CompileErrors> {
    compile_source_with_ast(name, text, base_dir).map(|(_, layout)| layout)
}

/// [`compile_source`], also returning the syntax tree (for tools that need
/// what the IR drops, such as comments), from one parse.
pub fn compile_source_with_ast(
    name: &str,
    text: &str,
    base_dir: &Path,
) -> Result<(ast::Parsed, ir::Layout), CompileErrors> {
    compile_source_with_imports(name, text, base_dir).map(|(parsed, layout, _)| (parsed, layout))
}

/// [`compile_source_with_ast`], also returning every file the policy
/// imports (for its digest, [`imports::policy_digest`]).
pub fn compile_source_with_imports(
    name: &str,
    text: &str,
    base_dir: &Path,
) -> Result<(ast::Parsed, ir::Layout, Vec<imports::ImportedFile>), CompileErrors> {
    compile_source_with_loader(name, text, base_dir, &imports::FileLoader)
}

/// [`compile_source_with_imports`], reading the imported libraries through
/// `loader` (an editor's open files, text held in memory) instead of from disk.
pub fn compile_source_with_loader(
    name: &str,
    text: &str,
    base_dir: &Path,
    loader: &dyn imports::Loader,
) -> Result<(ast::Parsed, ir::Layout, Vec<imports::ImportedFile>), CompileErrors> {
    let checked = imports::check_source(name, text, base_dir, loader)?;
    match checked.layout {
        Some(layout) => Ok((checked.parsed, layout, checked.files)),
        None => {
            let source = miette::NamedSource::new(name, Arc::<str>::from(text));
            let e = LowerError::IsALibrary {
                name: checked.parsed.layout.name.value.clone(),
                span: checked.parsed.layout.header.span(),
            };
            Err(CompileErrors {
                reports: vec![miette::Report::new(e).with_source_code(source)],
                omitted: 0,
            })
        }
    }
}

/// Why a policy file could not be compiled.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be read (every command exits 2).
    Io(IoError),
    /// The policy has errors: `check` and `lint` exit 1 (their answer is
    /// no); a command that needs a valid policy (`compile`, `dump`,
    /// `verify`, `explain`) exits 2, as it could not do its job.
    Policy(SourceFile, CompileErrors),
}

/// Reads, parses and lowers a policy file with the files it imports;
/// `file "..."` keys and imports are relative to its folder (to the current
/// one for standard input or a pipe). A library is an error (E269).
pub fn compile_file(path: &Path) -> Result<(SourceFile, ir::Layout), FileError> {
    compile_file_with_imports(path).map(|(file, layout, _)| (file, layout))
}

/// [`compile_file`], also returning every file the policy imports.
pub fn compile_file_with_imports(
    path: &Path,
) -> Result<(SourceFile, ir::Layout, Vec<imports::ImportedFile>), FileError> {
    let (file, base) = read_policy_and_base(path).map_err(FileError::Io)?;
    match compile_source_with_imports(&file.name, &file.text, &base) {
        Ok((_, layout, files)) => Ok((file, layout, files)),
        Err(e) => Err(FileError::Policy(file, e)),
    }
}

/// Reads, parses and lowers a policy or a library with the files it
/// imports (`cairn check`): as [`compile_file`], but a library is checked
/// on its own rather than refused.
pub fn check_file(path: &Path) -> Result<(SourceFile, imports::Checked), FileError> {
    let (file, base) = read_policy_and_base(path).map_err(FileError::Io)?;
    match imports::check_source(&file.name, &file.text, &base, &imports::FileLoader) {
        Ok(checked) => Ok((file, checked)),
        Err(e) => Err(FileError::Policy(file, e)),
    }
}
