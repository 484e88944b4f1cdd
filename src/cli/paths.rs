//! Directories as arguments: `cairn check .`, `cairn fmt policies/` and
//! `cairn lint policies/` take every `*.cairn` file below a directory, in
//! a stable order (sorted by path), skipping hidden entries (`.git`).

use std::path::{Path, PathBuf};

/// A directory that gives no policy to work on.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DirError {
    /// No `*.cairn` file below the directory.
    #[error("no `*.cairn` file under `{dir}`")]
    #[diagnostic(
        code(E292),
        help("name the policy files, or a directory that holds some (hidden directories such as `.git` are skipped)")
    )]
    Empty {
        /// The directory, escaped.
        dir: String,
    },
    /// The directory (or one below it) could not be listed (E400).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unreadable(cairn_lang::lower::IoError),
}

/// `paths` with each directory replaced by the `*.cairn` files below it
/// (sorted); files and `-` are kept as given, in the order given. The
/// errors are for directories that gave nothing.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<DirError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if cairn_base::files::is_stdin(path) || !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        match walk(path, &mut found) {
            Ok(()) if found.is_empty() => errors.push(DirError::Empty { dir: shown(path) }),
            Ok(()) => {
                found.sort();
                files.extend(found);
            }
            Err(e) => errors.push(e),
        }
    }
    (files, errors)
}

fn shown(path: &Path) -> String {
    cairn_base::escape::escape(&path.display().to_string())
}

/// Adds the `*.cairn` files below `dir` to `found`. Symbolic links to
/// files are followed; links to directories are not (no cycles).
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), DirError> {
    let unreadable = |e: std::io::Error| {
        DirError::Unreadable(cairn_lang::lower::IoError::Unreadable {
            path: shown(dir),
            reason: e.to_string(),
            help: "check that the directory exists and that you may list it".to_string(),
        })
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type().map_err(unreadable)?;
        if file_type.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "cairn")
            && (file_type.is_file() || path.is_file())
        {
            found.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_gives_its_policies_sorted_and_skips_hidden_ones() {
        let dir = std::env::temp_dir().join(format!("cairn-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in [
            "b.cairn",
            "a/z.cairn",
            "a/y.txt",
            ".hidden/x.cairn",
            "c.cairn",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap_or(&dir)).unwrap_or_default();
            std::fs::write(&p, "").unwrap_or_default();
        }
        let (files, errors) = expand(&[dir.clone(), PathBuf::from("-")]);
        assert!(errors.is_empty());
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap_or(p).display().to_string())
            .collect();
        assert_eq!(names, ["a/z.cairn", "b.cairn", "c.cairn", "-"]);
        let empty = dir.join("a").join("none");
        std::fs::create_dir_all(&empty).unwrap_or_default();
        let (_, errors) = expand(&[empty]);
        assert!(matches!(errors.as_slice(), [DirError::Empty { .. }]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
