//! Recording: hashing the files of a directory tree and running a command
//! between two such snapshots, as in-toto does for inspections.
//!
//! This is the only part of cairn that executes programs, and it runs only
//! when the user asks (`--run-inspections`). It produces an `evidence::Link`
//! with the recorded materials, products and byproducts; it never decides
//! whether they are acceptable (that is `eval`'s job).

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};

use crate::evidence::{Artifacts, DigestSet, Link};

/// Why recording failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RecordError {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E440), help("check the file's permissions"))]
    Read {
        /// The path.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The command could not be started.
    #[error("cannot run `{command}`: {reason}")]
    #[diagnostic(code(E441), help("check that the program exists and is executable"))]
    Spawn {
        /// The program.
        command: String,
        /// The operating system's reason.
        reason: String,
    },
    /// An inspection with an empty command.
    #[error("inspection `{name}` has an empty command")]
    #[diagnostic(code(E442), help("give the inspection a `run` command"))]
    EmptyCommand {
        /// The inspection.
        name: String,
    },
}

/// Whether a relative path is left out of a recording, as in-toto 3.1.0 does
/// for inspections: link files, `.git`, compiled Python and editor backups.
pub fn excluded(relative: &str) -> bool {
    let base = relative.rsplit('/').next().unwrap_or(relative);
    relative.split('/').any(|part| part == ".git")
        || base.contains(".link")
        || base.ends_with(".pyc")
        || base.ends_with('~')
}

/// The sha256 digest set of a regular file's bytes, read in chunks. A FIFO,
/// a device (`/dev/zero`) or a directory is refused before it is opened:
/// opening a FIFO blocks and reading a device may never end.
pub fn hash_file(path: &Path) -> Result<DigestSet, RecordError> {
    use std::io::Read as _;
    let not_regular = || {
        read_error(
            path,
            std::io::Error::other("not a regular file (a FIFO, device or directory)"),
        )
    };
    if !std::fs::metadata(path)
        .map_err(|e| read_error(path, e))?
        .is_file()
    {
        return Err(not_regular());
    }
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    // The path may have been swapped between the two looks; the handle decides.
    if !file.metadata().map_err(|e| read_error(path, e))?.is_file() {
        return Err(not_regular());
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| read_error(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(DigestSet::from([(
        "sha256".to_string(),
        hex::encode(hasher.finalize()),
    )]))
}

/// Hashes every regular file under `root` (recursively, symlinks not
/// followed), named by its `/`-separated path relative to `root`.
pub fn hash_tree(root: &Path) -> Result<Artifacts, RecordError> {
    // Paths are distinct; the list sorts them once at the end.
    let mut artifacts = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| read_error(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| read_error(&dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if excluded(&name) {
                continue;
            }
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                artifacts.push((name, hash_file(&path)?));
            }
        }
    }
    Ok(artifacts.into_iter().collect())
}

/// Copies the regular files under `from` (recursively, not following
/// symlinks, skipping `.git`) into the existing directory `to`.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), RecordError> {
    let mut pending: Vec<(PathBuf, PathBuf)> = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((src, dst)) = pending.pop() {
        let entries = std::fs::read_dir(&src).map_err(|e| read_error(&src, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| read_error(&src, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
            let target = dst.join(entry.file_name());
            if kind.is_dir() && entry.file_name() != ".git" {
                std::fs::create_dir_all(&target).map_err(|e| read_error(&target, e))?;
                pending.push((path, target));
            } else if kind.is_file() {
                std::fs::copy(&path, &target).map_err(|e| read_error(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Runs an inspection: snapshots `dir`, runs `argv` in it, snapshots again.
pub fn run_inspection(name: &str, argv: &[String], dir: &Path) -> Result<Link, RecordError> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| RecordError::EmptyCommand {
            name: name.to_string(),
        })?;
    let materials = hash_tree(dir)?;
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| RecordError::Spawn {
            command: program.clone(),
            reason: e.to_string(),
        })?;
    let products = hash_tree(dir)?;
    let code = output.status.code().unwrap_or(-1);
    Ok(Link {
        name: name.to_string(),
        command: argv.to_vec(),
        materials,
        products,
        byproducts: serde_json::json!({
            "return-value": code,
            "stdout": String::from_utf8_lossy(&output.stdout),
            "stderr": String::from_utf8_lossy(&output.stderr),
        }),
        environment: serde_json::json!({}),
    })
}

fn read_error(path: &Path, e: std::io::Error) -> RecordError {
    RecordError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_follow_in_toto() {
        assert!(excluded("build.abcd1234.link"));
        assert!(excluded(".git/HEAD"));
        assert!(excluded("a/b.pyc"));
        assert!(excluded("notes~"));
        assert!(!excluded("src/main.c"));
    }

    #[test]
    fn inspection_records_before_and_after() {
        let dir = std::env::temp_dir().join(format!("cairn-record-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.txt"), "a").unwrap();
        let argv = vec![
            "sh".to_string(),
            "-c".to_string(),
            "echo b > b.txt".to_string(),
        ];
        let link = run_inspection("touch", &argv, &dir).unwrap();
        assert!(link.materials.contains_key("sub/a.txt"));
        assert!(!link.materials.contains_key("b.txt"));
        assert!(link.products.contains_key("b.txt"));
        assert_eq!(link.byproducts["return-value"], 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
