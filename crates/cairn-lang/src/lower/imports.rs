//! Imports: a file names library files (`import "PATH" as NAME`) whose keys,
//! identities and check sets it uses as `NAME.x`.
//!
//! [`check_source`] parses a file, loads every file it imports (directly or
//! not) through a [`Loader`], lowers each library on its own (its errors
//! carry its own name, lines and columns), then lowers the file itself with
//! what its imports declare. A language server passes a [`Loader`] that
//! serves the text of open buffers. Paths are relative to the importing
//! file's folder and may climb out of it with `../`; an absolute path is
//! refused, so that a policy and its libraries move together. Files are
//! told apart by their lexically normalised path (`a/../b.cairn` is
//! `b.cairn`; symbolic links are not followed to compare). A file imported
//! by two others is read and lowered once; an import cycle is an error.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use miette::NamedSource;
use sha2::{Digest as _, Sha256};

use super::error::LowerError;
use super::library::{CrossFileError, Imported, Library, Note};
use super::report::{CompileErrors, MAX_ERRORS};
use crate::ir;
use crate::syntax::{self, ast};
use cairn_base::source::Span;

/// The most files one policy may import, directly or not.
pub const MAX_IMPORTS: usize = 256;

/// Reads the text of an imported file.
pub trait Loader {
    /// The text of the file at `path` (the importing file's folder joined
    /// with the path as written, lexically normalised), or why it cannot
    /// be read (one lowercase clause: "No such file or directory (os error 2)").
    fn load(&self, path: &Path) -> Result<String, String>;
}

/// The [`Loader`] that reads files from disk, holding each to the policy
/// size limit; never standard input.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileLoader;

impl Loader for FileLoader {
    fn load(&self, path: &Path) -> Result<String, String> {
        let limit = crate::syntax::error::MAX_SOURCE_BYTES;
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let meta = file.metadata().map_err(|e| e.to_string())?;
        if meta.is_dir() {
            return Err("it is a folder".to_string());
        }
        let mut bytes = Vec::new();
        file.take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() > limit {
            return Err(format!("it is larger than the limit of {limit} bytes"));
        }
        String::from_utf8(bytes).map_err(|e| {
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )
        })
    }
}

/// A file a policy imports, directly or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Its path relative to the root file's folder, `/`-separated and
    /// lexically normalised (`../baselines/slsa-l3.cairn`).
    pub path: String,
    /// The name its diagnostics use (the path as cairn opened it).
    pub name: String,
    /// sha256 (lowercase hex) of its exact bytes.
    pub sha256: String,
}

/// A file checked with its imports.
#[derive(Debug)]
pub struct Checked {
    /// The file's syntax tree.
    pub parsed: ast::Parsed,
    /// The compiled policy; `None` when the file is a library.
    pub layout: Option<ir::Layout>,
    /// Every file it imports, directly or not, in the order first imported.
    pub files: Vec<ImportedFile>,
}

/// Parses and lowers a policy or a library named `name` (the name its
/// diagnostics use) with every file it imports, read through `loader`
/// relative to `base_dir` (the file's folder; `file "..."` keys are read
/// relative to it too). Every error of every file is in the error, each
/// rendered against its own file.
pub fn check_source(
    name: &str,
    text: &str,
    base_dir: &Path,
    loader: &dyn Loader,
) -> Result<Checked, CompileErrors> {
    let source = NamedSource::new(name, Arc::<str>::from(text));
    let parsed = syntax::parse(text).map_err(|e| CompileErrors {
        reports: vec![miette::Report::new(e).with_source_code(source.clone())],
        omitted: 0,
    })?;
    let mut r = Resolver {
        loader,
        root_dir: base_dir.to_path_buf(),
        files: Vec::new(),
        by_path: BTreeMap::new(),
        stack: Vec::new(),
        reports: Vec::new(),
    };
    r.stack.push(Frame {
        rel: root_path(name),
        name: name.to_string(),
        source: source.clone(),
        via: None,
    });
    let imports = r.imports_of(&parsed.imports, "", &source);
    let attach = |e: LowerError| miette::Report::new(e).with_source_code(source.clone());
    let mut reports = std::mem::take(&mut r.reports);
    let layout = if parsed.library {
        let (_, errors, cross) = parsed.lower_library(base_dir, imports);
        reports.extend(errors.into_iter().map(attach));
        reports.extend(cross.into_iter().map(|e| cross_report(e, &source)));
        None
    } else {
        let (layout, errors, cross) = parsed.lower_layout(base_dir, imports);
        reports.extend(errors.into_iter().map(attach));
        reports.extend(cross.into_iter().map(|e| cross_report(e, &source)));
        Some(layout)
    };
    if !reports.is_empty() {
        let omitted = reports.len().saturating_sub(MAX_ERRORS);
        reports.truncate(MAX_ERRORS);
        return Err(CompileErrors { reports, omitted });
    }
    let files = r
        .files
        .into_iter()
        .filter_map(|f| f.read)
        .collect::<Vec<_>>();
    Ok(Checked {
        parsed,
        layout,
        files,
    })
}

/// The VSA's `policy.digest.sha256` of a policy: the sha256 of the root
/// file's bytes when it imports nothing; otherwise the sha256 of a manifest
/// with one line per file (the root and every file it imports, directly or
/// not), `HEX  PATH\n` as `sha256sum` prints it, PATH relative to the root
/// file's folder (the root by its file name), the lines sorted by PATH
/// bytewise. `docs/report.md` shows how to recompute it.
pub fn policy_digest(root_path: &str, root_text: &str, files: &[ImportedFile]) -> String {
    let root = hex::encode(Sha256::digest(root_text.as_bytes()));
    if files.is_empty() {
        return root;
    }
    let mut lines: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    lines.push((root_path, &root));
    lines.sort_unstable();
    let manifest: String = lines
        .iter()
        .map(|(path, hex)| format!("{hex}  {path}\n"))
        .collect();
    hex::encode(Sha256::digest(manifest.as_bytes()))
}

/// The manifest path of a root file named `name`: its file name.
pub fn root_path(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
}

fn cross_report(e: CrossFileError, source: &NamedSource<Arc<str>>) -> miette::Report {
    miette::Report::new(e).with_source_code(source.clone())
}

struct Loaded {
    read: Option<ImportedFile>,
    lib: Option<Rc<Library>>,
}

struct Frame {
    rel: String,
    name: String,
    source: NamedSource<Arc<str>>,
    /// The import of this file being followed.
    via: Option<Span>,
}

struct Resolver<'a> {
    loader: &'a dyn Loader,
    root_dir: PathBuf,
    files: Vec<Loaded>,
    by_path: BTreeMap<String, usize>,
    stack: Vec<Frame>,
    reports: Vec<miette::Report>,
}

impl Resolver<'_> {
    fn report(&mut self, e: LowerError, source: &NamedSource<Arc<str>>) {
        self.reports
            .push(miette::Report::new(e).with_source_code(source.clone()));
    }

    /// Loads the imports of a file whose folder is `dir` (relative to the
    /// root's folder) and returns them by name.
    fn imports_of(
        &mut self,
        imports: &[ast::ImportDecl],
        dir: &str,
        source: &NamedSource<Arc<str>>,
    ) -> BTreeMap<String, Imported> {
        let mut out = BTreeMap::new();
        let mut names: BTreeMap<String, Span> = BTreeMap::new();
        let mut paths: BTreeMap<String, Span> = BTreeMap::new();
        for i in imports {
            let written = &i.path.value;
            let failed = Imported {
                lib: None,
                span: i.loc.span(),
            };
            if let Some(first) = names.get(&i.alias.name) {
                self.report(
                    LowerError::ImportClash {
                        what: format!("two imports are named `{}`", i.alias.name),
                        span: i.alias.loc.span(),
                        first: *first,
                    },
                    source,
                );
                continue;
            }
            names.insert(i.alias.name.clone(), i.alias.loc.span());
            let reason = if written.is_empty() {
                Some("the path is empty".to_string())
            } else if Path::new(written).is_absolute() || written.starts_with(['/', '\\']) {
                Some("an absolute path would not move with the policy".to_string())
            } else if self.files.len() >= MAX_IMPORTS {
                Some(format!("a policy imports at most {MAX_IMPORTS} files"))
            } else {
                None
            };
            if let Some(reason) = reason {
                self.report(
                    LowerError::ImportPath {
                        path: written.clone(),
                        reason,
                        span: i.path.loc.span(),
                    },
                    source,
                );
                out.insert(i.alias.name.clone(), failed);
                continue;
            }
            let rel = slash(&normalise(&Path::new(dir).join(written)));
            if let Some(first) = paths.get(&rel) {
                self.report(
                    LowerError::ImportClash {
                        what: format!("`{written}` is imported twice"),
                        span: i.path.loc.span(),
                        first: *first,
                    },
                    source,
                );
                out.insert(i.alias.name.clone(), failed);
                continue;
            }
            paths.insert(rel.clone(), i.path.loc.span());
            if let Some(k) = self.stack.iter().position(|f| f.rel == rel) {
                self.cycle(k, &rel, i, source);
                out.insert(i.alias.name.clone(), failed);
                continue;
            }
            let lib = match self.by_path.get(&rel) {
                Some(&index) => self.files.get(index).and_then(|f| f.lib.clone()),
                None => {
                    if let Some(top) = self.stack.last_mut() {
                        top.via = Some(i.path.loc.span());
                    }
                    self.load(&rel, i, source)
                }
            };
            out.insert(
                i.alias.name.clone(),
                Imported {
                    lib,
                    span: i.loc.span(),
                },
            );
        }
        out
    }

    fn cycle(&mut self, k: usize, rel: &str, i: &ast::ImportDecl, source: &NamedSource<Arc<str>>) {
        let frames = self.stack.get(k..).unwrap_or_default();
        let mut chain: Vec<&str> = frames.iter().map(|f| f.name.as_str()).collect();
        chain.push(frames.first().map_or(rel, |f| f.name.as_str()));
        let note = match frames.first() {
            Some(f) if frames.len() > 1 => f
                .via
                .map(|via| Note {
                    message: format!("the cycle starts in `{}`", f.name),
                    file: f.source.clone(),
                    span: via,
                    label: "imports the next file of the cycle".to_string(),
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let e = CrossFileError::Cycle {
            cycle: chain.join(" -> "),
            span: i.path.loc.span(),
            note,
        };
        self.reports.push(cross_report(e, source));
    }

    /// Reads, parses and lowers one library.
    fn load(
        &mut self,
        rel: &str,
        i: &ast::ImportDecl,
        importer: &NamedSource<Arc<str>>,
    ) -> Option<Rc<Library>> {
        let path = normalise(&self.root_dir.join(rel));
        let name = path.display().to_string();
        let index = self.files.len();
        self.files.push(Loaded {
            read: None,
            lib: None,
        });
        self.by_path.insert(rel.to_string(), index);
        let text = match self.loader.load(&path) {
            Ok(t) => t,
            Err(reason) => {
                self.report(
                    LowerError::ImportUnreadable {
                        path: i.path.value.clone(),
                        resolved: name,
                        reason,
                        span: i.path.loc.span(),
                    },
                    importer,
                );
                return None;
            }
        };
        if let Some(f) = self.files.get_mut(index) {
            f.read = Some(ImportedFile {
                path: rel.to_string(),
                name: name.clone(),
                sha256: hex::encode(Sha256::digest(text.as_bytes())),
            });
        }
        let source = NamedSource::new(&name, Arc::<str>::from(text.as_str()));
        let parsed = match syntax::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                self.reports
                    .push(miette::Report::new(e).with_source_code(source));
                return None;
            }
        };
        if !parsed.library {
            self.report(
                LowerError::NotALibrary {
                    path: i.path.value.clone(),
                    span: i.path.loc.span(),
                },
                importer,
            );
            return None;
        }
        let dir = Path::new(rel).parent().map(slash).unwrap_or_default();
        self.stack.push(Frame {
            rel: rel.to_string(),
            name: name.clone(),
            source: source.clone(),
            via: None,
        });
        let imports = self.imports_of(&parsed.imports, &dir, &source);
        self.stack.pop();
        let base = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        let (lib, errors, cross) = parsed.lower_library(&base, imports);
        for e in errors {
            self.report(e, &source);
        }
        for e in cross {
            self.reports.push(cross_report(e, &source));
        }
        let lib = Rc::new(Library { source, ..lib });
        if let Some(f) = self.files.get_mut(index) {
            f.lib = Some(lib.clone());
        }
        Some(lib)
    }
}

/// `path` without `.` components and with each `..` applied to the name
/// before it (kept when there is none).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A relative path with `/` between its names (`.` is the empty path).
fn slash(path: &Path) -> String {
    let names: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    names.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files served from memory, as a language server serves open buffers.
    struct Memory(BTreeMap<PathBuf, String>);

    impl Loader for Memory {
        fn load(&self, path: &Path) -> Result<String, String> {
            self.0
                .get(path)
                .cloned()
                .ok_or_else(|| "not open".to_string())
        }
    }

    fn memory(files: &[(&str, &str)]) -> Memory {
        Memory(
            files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
                .collect(),
        )
    }

    fn codes(e: &CompileErrors) -> Vec<String> {
        e.codes()
    }

    #[test]
    fn a_library_imported_twice_is_read_once_and_sets_nest() {
        let loader = memory(&[
            ("ws/lib/c.cairn", "library \"c\" { checks base for vsa/v1 { require $.a exists } }"),
            (
                "ws/lib/a.cairn",
                "import \"c.cairn\" as c\nlibrary \"a\" { checks all for vsa/v1 { checks c.base require $.b exists } }",
            ),
            ("ws/lib/b.cairn", "import \"./c.cairn\" as c\nlibrary \"b\" {}"),
        ]);
        let text = "import \"lib/a.cairn\" as a\nimport \"lib/b.cairn\" as b\n\
                    layout \"p\" { key k = ed25519 \"ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37\" \
                    step s { by k attestation vsa/v1 { checks a.all } } }";
        let checked = check_source("p.cairn", text, Path::new("ws"), &loader).unwrap();
        let layout = checked.layout.unwrap();
        let checks = &layout.steps[0].attestations[0].checks;
        let paths: Vec<&str> = checks.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["$.a", "$.b"]);
        let files: Vec<&str> = checked.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, ["lib/a.cairn", "lib/c.cairn", "lib/b.cairn"]);
        assert_eq!(checked.files[0].name, "ws/lib/a.cairn");
    }

    #[test]
    fn open_buffers_are_checked_with_their_own_names() {
        let loader = memory(&[(
            "lib/x.cairn",
            "library \"x\" {\n  checks s for nope/v1 {}\n}\n",
        )]);
        let text = "import \"lib/x.cairn\" as x\nimport \"lib/y.cairn\" as y\nlibrary \"p\" {}\n";
        let e = check_source("p.cairn", text, Path::new("."), &loader).unwrap_err();
        assert_eq!(codes(&e), ["E217", "E260"]);
        let shown = cairn_base::diag::render(e.reports[0].as_ref(), false);
        assert!(shown.contains("lib/x.cairn:2:16"), "{shown}");
    }

    #[test]
    fn a_library_importing_itself_is_a_cycle() {
        let loader = memory(&[("a.cairn", "import \"a.cairn\" as a\nlibrary \"a\" {}")]);
        let e = check_source(
            "a.cairn",
            "import \"a.cairn\" as a\nlibrary \"a\" {}",
            Path::new("."),
            &loader,
        )
        .unwrap_err();
        assert_eq!(codes(&e), ["E263"]);
    }

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalise(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalise(Path::new("./../x")), PathBuf::from("../x"));
        assert_eq!(normalise(Path::new("a/../..")), PathBuf::from(".."));
        assert_eq!(normalise(Path::new(".")), PathBuf::from("."));
        assert_eq!(
            slash(&normalise(Path::new("release/../baselines/a.cairn"))),
            "baselines/a.cairn"
        );
    }

    #[test]
    fn the_digest_of_a_policy_without_imports_is_its_sha256() {
        let text = "layout \"x\" {}\n";
        assert_eq!(
            policy_digest("p.cairn", text, &[]),
            hex::encode(Sha256::digest(text.as_bytes()))
        );
    }

    #[test]
    fn the_digest_of_a_policy_with_imports_is_that_of_its_manifest() {
        let files = [ImportedFile {
            path: "../b/lib.cairn".to_string(),
            name: "x/b/lib.cairn".to_string(),
            sha256: "11".repeat(32),
        }];
        let root = hex::encode(Sha256::digest(b"root"));
        let manifest = format!(
            "{}  ../b/lib.cairn\n{root}  policy.cairn\n",
            "11".repeat(32)
        );
        assert_eq!(
            policy_digest("policy.cairn", "root", &files),
            hex::encode(Sha256::digest(manifest.as_bytes()))
        );
    }
}
