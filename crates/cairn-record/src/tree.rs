//! Recording artifacts: the paths a step names as materials or products,
//! walked and hashed the way in-toto's recorder (`in-toto-run`) does, with
//! the hashing spread over every core.
//!
//! What in-toto does, and cairn with it: each given path is normalised
//! (`./a` -> `a`, `a/../b` -> `b`) and tested against the exclude patterns;
//! a file is recorded under that name, a directory is walked (symbolic links
//! to files and to directories are followed, excluded directories are not
//! entered); a path that does not exist, a broken symbolic link and a file
//! that is not a regular file (FIFO, socket, device) are left out; the first
//! `--lstrip-paths` prefix a name starts with is cut off.
//!
//! Where cairn is stricter: a name cairn's verifier would refuse (`../x`,
//! `/abs`, a `\`, a control character; DESIGN decision 6) is an error here
//! rather than a link nobody can verify; an unreadable directory is an error
//! (in-toto skips it silently); a symbolic link that leads back into its own
//! ancestry is an error (in-toto walks it until the path is too long); two
//! different files cut to one name by `--lstrip-paths` are an error; a name
//! that is not UTF-8 is an error. What was left out is returned, so that the
//! caller can say so.

use std::cell::RefCell;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::error::{read_error, refused, shown, RecordError};
use super::exclude::Excludes;
use cairn_evidence::{Artifacts, DigestSet};

/// How a recording finds and names files.
#[derive(Debug, Clone)]
pub struct Recorder {
    excludes: Excludes,
    base: Option<PathBuf>,
    lstrip: Vec<String>,
}

/// What a recording found.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Name to sha256, for every file recorded.
    pub artifacts: Artifacts,
    /// Paths left out, each with the reason (not found, broken link, not a
    /// regular file), in the order they were met.
    pub skipped: Vec<(String, &'static str)>,
}

/// A file found by the walk: its name in the link and where it is.
struct Found {
    name: String,
    path: PathBuf,
}

impl Recorder {
    /// A recorder with the given exclude patterns, base directory (paths
    /// are looked up relative to it and named without it; the working
    /// directory when `None`) and left-strip prefixes. Two prefixes of which
    /// one starts the other are refused, as in-toto refuses them.
    pub fn new(
        excludes: Excludes,
        base: Option<PathBuf>,
        lstrip: Vec<String>,
    ) -> Result<Recorder, RecordError> {
        for (i, a) in lstrip.iter().enumerate() {
            for b in lstrip.iter().skip(i + 1) {
                if a.starts_with(b.as_str()) || b.starts_with(a.as_str()) {
                    return Err(RecordError::PrefixOverlap {
                        first: cairn_base::escape::escape(a),
                        second: cairn_base::escape::escape(b),
                    });
                }
            }
        }
        if let Some(base) = &base {
            // As in-toto, which changes into it first: a base that is not a
            // directory records nothing rather than everything missing.
            let not_a_dir = |reason: String| RecordError::BasePath {
                path: shown(base),
                reason,
            };
            let meta = std::fs::metadata(base).map_err(|e| not_a_dir(e.to_string()))?;
            if !meta.is_dir() {
                return Err(not_a_dir("not a directory".into()));
            }
        }
        Ok(Recorder {
            excludes,
            base,
            lstrip,
        })
    }

    /// Records `paths` (files or directories, as given on a command line).
    pub fn record(&self, paths: &[String]) -> Result<Recorded, RecordError> {
        let mut found = Vec::new();
        let mut skipped = Vec::new();
        for given in paths {
            self.find(given, &mut found, &mut skipped)?;
        }
        let names = self.names(found)?;
        let digests = cairn_base::parallel::map(&names, |f| hash_file(&f.path));
        let mut artifacts = Vec::with_capacity(names.len());
        for (found, digest) in names.into_iter().zip(digests) {
            artifacts.push((found.name, digest?));
        }
        Ok(Recorded {
            artifacts: artifacts.into_iter().collect(),
            skipped,
        })
    }

    /// Where `name` (a normalised path as given) is on disk.
    fn locate(&self, name: &str) -> PathBuf {
        match &self.base {
            Some(base) => base.join(name),
            None => PathBuf::from(name),
        }
    }

    /// Adds the files under one given path to `found`.
    fn find(
        &self,
        given: &str,
        found: &mut Vec<Found>,
        skipped: &mut Vec<(String, &'static str)>,
    ) -> Result<(), RecordError> {
        let top = normpath(given);
        if self.excludes.is_excluded(&top) {
            return Ok(());
        }
        let path = self.locate(&top);
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) => match unreachable(&e) {
                Some(why) => {
                    skipped.push((top, why));
                    return Ok(());
                }
                None => return Err(read_error(&path, e)),
            },
        };
        if meta.is_file() {
            found.push(Found { name: top, path });
            return Ok(());
        }
        if !meta.is_dir() {
            skipped.push((top, "is not a regular file or a directory"));
            return Ok(());
        }
        // Depth-first; `ancestors[..depth]` are the directories above the
        // one being read, to see a symbolic link lead back into them.
        let mut ancestors: Vec<(u64, u64)> = Vec::new();
        let mut pending = vec![(top, path, 0usize)];
        while let Some((name, dir, depth)) = pending.pop() {
            let id = dir_id(&dir).map_err(|e| read_error(&dir, e))?;
            ancestors.truncate(depth);
            if ancestors.contains(&id) {
                return Err(RecordError::Cycle { path: shown(&dir) });
            }
            ancestors.push(id);
            let entries = std::fs::read_dir(&dir).map_err(|e| read_error(&dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| read_error(&dir, e))?;
                let fs_path = entry.path();
                let file_name = entry.file_name();
                let Some(file_name) = file_name.to_str() else {
                    // Excluded by what it shows, or refused.
                    let lossy = join(&name, &file_name.to_string_lossy());
                    if self.excludes.is_excluded(&lossy) {
                        continue;
                    }
                    return Err(RecordError::NotUtf8 {
                        path: shown(&fs_path),
                    });
                };
                let child = join(&name, file_name);
                if self.excludes.is_excluded(&child) {
                    continue;
                }
                let mut kind = entry.file_type().map_err(|e| read_error(&fs_path, e))?;
                if kind.is_symlink() {
                    match std::fs::metadata(&fs_path) {
                        Ok(target) => kind = target.file_type(),
                        Err(e) => {
                            let why = match unreachable(&e) {
                                Some(_) if e.kind() == std::io::ErrorKind::NotFound => {
                                    "is a broken symbolic link"
                                }
                                Some(why) => why,
                                None => return Err(read_error(&fs_path, e)),
                            };
                            skipped.push((child, why));
                            continue;
                        }
                    }
                }
                if kind.is_dir() {
                    pending.push((child, fs_path, depth + 1));
                } else if kind.is_file() {
                    found.push(Found {
                        name: child,
                        path: fs_path,
                    });
                } else {
                    skipped.push((child, "is not a regular file or a directory"));
                }
            }
        }
        Ok(())
    }

    /// The names `found` are recorded under: left-stripped, checked, each
    /// once (one file reached through two given paths is one artifact).
    fn names(&self, found: Vec<Found>) -> Result<Vec<Found>, RecordError> {
        let mut named: Vec<Found> = found
            .into_iter()
            .map(|f| Found {
                name: self.strip(&f.name).to_owned(),
                path: f.path,
            })
            .collect();
        for f in &named {
            if let Some(reason) = cairn_evidence::names::artifact_name_problem(&f.name) {
                return Err(RecordError::Name {
                    path: shown(&f.path),
                    name: cairn_base::escape::escape(&f.name),
                    reason,
                });
            }
        }
        named.sort_by(|a, b| a.name.cmp(&b.name));
        let mut kept: Vec<Found> = Vec::with_capacity(named.len());
        for f in named {
            if let Some(last) = kept.last() {
                if last.name == f.name {
                    if same_file(&last.path, &f.path) {
                        continue;
                    }
                    return Err(RecordError::SameName {
                        name: cairn_base::escape::escape(&f.name),
                        first: shown(&last.path),
                        second: shown(&f.path),
                    });
                }
            }
            kept.push(f);
        }
        Ok(kept)
    }

    /// `name` without the first `--lstrip-paths` prefix it starts with.
    fn strip<'n>(&self, name: &'n str) -> &'n str {
        self.lstrip
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix.as_str()))
            .unwrap_or(name)
    }
}

/// Python's `os.path.normpath` for `/`-separated paths: `.` components and
/// repeated slashes dropped, `a/..` folded, `..` kept where nothing is above
/// it (dropped at the root), `.` for what is left empty.
fn normpath(path: &str) -> String {
    let absolute = path.starts_with('/');
    // POSIX keeps exactly two leading slashes; Python does too.
    let root = if !absolute {
        ""
    } else if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else {
        "/"
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = format!("{root}{}", parts.join("/"));
    if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// Why a path that cannot be looked at is left out, as in-toto leaves it out
/// (`os.path.exists` is false): it does not exist, a component of it is not
/// a directory, symbolic links loop, or the path is too long. `None` for
/// other errors (permissions, I/O), which stop the recording.
fn unreachable(e: &std::io::Error) -> Option<&'static str> {
    if e.kind() == std::io::ErrorKind::NotFound {
        return Some("does not exist");
    }
    #[cfg(unix)]
    if matches!(
        e.raw_os_error(),
        Some(libc::ENOTDIR | libc::ELOOP | libc::ENAMETOOLONG)
    ) {
        return Some("cannot be reached (a file where a directory should be, a loop of symbolic links, or too long a path)");
    }
    None
}

/// `normpath(join(dir, name))` for a normalised `dir` and a plain `name`.
fn join(dir: &str, name: &str) -> String {
    if dir == "." {
        name.to_owned()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A directory's device and inode.
fn dir_id(dir: &Path) -> std::io::Result<(u64, u64)> {
    let meta = std::fs::metadata(dir)?;
    Ok(file_id(&meta))
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    // No inode numbers: a cycle is then only stopped by the path length.
    (u64::from(meta.is_dir()), 0)
}

/// Whether two paths are the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => cfg!(unix) && file_id(&a) == file_id(&b),
        _ => false,
    }
}

/// How much of a file is read at a time.
const CHUNK: usize = 256 * 1024;

thread_local! {
    /// Each hashing thread's read buffer, made once.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The sha256 digest set of a regular file's bytes, read in chunks. A FIFO,
/// a device (`/dev/zero`) or a directory is refused: it is opened without
/// waiting for a writer, and refused by what the open handle is, so a file
/// swapped for a FIFO after it was found cannot block the recording.
pub fn hash_file(path: &Path) -> Result<DigestSet, RecordError> {
    hash_file_with(path, &[FileHash::Sha256])
}

/// An algorithm a file can be hashed with ([`hash_file_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl FileHash {
    /// Every algorithm, in the order digest sets name them.
    pub const ALL: [FileHash; 3] = [FileHash::Sha256, FileHash::Sha384, FileHash::Sha512];

    /// The in-toto name of the algorithm (`sha256`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FileHash::Sha256 => "sha256",
            FileHash::Sha384 => "sha384",
            FileHash::Sha512 => "sha512",
        }
    }

    /// The algorithm an in-toto digest name stands for, if cairn computes it.
    pub fn from_name(name: &str) -> Option<FileHash> {
        FileHash::ALL.into_iter().find(|h| h.name() == name)
    }
}

/// One running hash of [`hash_file_with`].
enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    fn new(algorithm: FileHash) -> Hasher {
        match algorithm {
            FileHash::Sha256 => Hasher::Sha256(Sha256::new()),
            FileHash::Sha384 => Hasher::Sha384(Sha384::new()),
            FileHash::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// The digest set of a regular file's bytes with each of `algorithms`
/// (repeats counted once), reading the file once; refuses what
/// [`hash_file`] refuses.
pub fn hash_file_with(path: &Path, algorithms: &[FileHash]) -> Result<DigestSet, RecordError> {
    let file = open_regular(path)?;
    let mut chosen: Vec<FileHash> = Vec::new();
    for &algorithm in algorithms {
        if !chosen.contains(&algorithm) {
            chosen.push(algorithm);
        }
    }
    let mut hashers: Vec<(FileHash, Hasher)> =
        chosen.into_iter().map(|a| (a, Hasher::new(a))).collect();
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        if buffer.len() < CHUNK {
            buffer.resize(CHUNK, 0);
        }
        let mut file = file;
        loop {
            let n = file
                .read(buffer.as_mut_slice())
                .map_err(|e| read_error(path, e))?;
            if n == 0 {
                break;
            }
            let chunk = buffer.get(..n).unwrap_or_default();
            for (_, hasher) in &mut hashers {
                hasher.update(chunk);
            }
        }
        let mut set = DigestSet::new();
        for (algorithm, hasher) in hashers {
            set.insert_str(algorithm.name(), hasher.finish());
        }
        Ok(set)
    })
}

/// Opens `path` for reading if it is a regular file, without waiting on
/// a FIFO (see [`cairn_base::files::open_regular`]).
fn open_regular(path: &Path) -> Result<std::fs::File, RecordError> {
    cairn_base::files::open_regular(path).map_err(|e| refused(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_is_pythons() {
        // Each expected value is what Python's os.path.normpath returns.
        for (given, expected) in [
            ("", "."),
            (".", "."),
            ("./", "."),
            ("./a", "a"),
            ("a/./b", "a/b"),
            ("a//b/", "a/b"),
            ("a/../b", "b"),
            ("a/..", "."),
            ("../a", "../a"),
            ("../../a/..", "../.."),
            ("a/../../b", "../b"),
            ("/a/../..", "/"),
            ("/../a", "/a"),
            ("//a", "//a"),
            ("///a", "/a"),
            ("/", "/"),
        ] {
            assert_eq!(normpath(given), expected, "{given:?}");
        }
    }

    fn tree(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-tree-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/deep")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("src/a.c"), "a").unwrap();
        std::fs::write(dir.join("src/deep/b.c"), "b").unwrap();
        std::fs::write(dir.join("src/a.pyc"), "x").unwrap();
        std::fs::write(dir.join(".git/HEAD"), "x").unwrap();
        std::fs::write(dir.join("build.1234abcd.link"), "x").unwrap();
        dir
    }

    fn recorder(base: &Path, lstrip: &[&str]) -> Recorder {
        let excludes = Excludes::new(&super::super::exclude::DEFAULT_EXCLUDES).unwrap();
        Recorder::new(
            excludes,
            Some(base.to_path_buf()),
            lstrip.iter().map(|s| s.to_string()).collect(),
        )
        .unwrap()
    }

    fn names(recorded: &Recorded) -> Vec<&str> {
        recorded.artifacts.keys().collect()
    }

    #[test]
    fn walks_names_and_excludes_as_in_toto() {
        let dir = tree("walk");
        let r = recorder(&dir, &[]);
        let all = r.record(&[".".into()]).unwrap();
        assert_eq!(names(&all), ["src/a.c", "src/deep/b.c"]);
        assert_eq!(
            all.artifacts.get("src/a.c").unwrap().get("sha256").unwrap(),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
        );
        let some = r
            .record(&["./src/deep".into(), "src/../src/a.c".into(), "gone".into()])
            .unwrap();
        assert_eq!(names(&some), ["src/a.c", "src/deep/b.c"]);
        assert_eq!(some.skipped, [("gone".to_string(), "does not exist")]);
        let stripped = recorder(&dir, &["src/"]).record(&["src".into()]).unwrap();
        assert_eq!(names(&stripped), ["a.c", "deep/b.c"]);
        // One file reached twice is one artifact.
        let twice = r.record(&["src".into(), "src/a.c".into()]).unwrap();
        assert_eq!(twice.artifacts.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_what_cairn_could_not_verify() {
        let dir = tree("refuse");
        let r = recorder(&dir.join("src"), &[]);
        let err = r.record(&["../src/a.c".into()]).unwrap_err();
        assert!(matches!(err, RecordError::Name { ref name, .. } if name == "../src/a.c"));
        let absolute = dir.join("src/a.c").display().to_string();
        let err = r.record(std::slice::from_ref(&absolute)).unwrap_err();
        assert!(matches!(err, RecordError::Name { .. }));
        // Stripped to a relative name, the absolute path is fine.
        let prefix = format!("{}/", dir.join("src").display());
        let ok = recorder(&dir, &[&prefix]).record(&[absolute]).unwrap();
        assert_eq!(names(&ok), ["a.c"]);
        // Two files cut to one name.
        let excludes = Excludes::new(&super::super::exclude::DEFAULT_EXCLUDES).unwrap();
        let overlap = Recorder::new(excludes, None, vec!["src/".into(), "src/deep/".into()]);
        assert!(matches!(overlap, Err(RecordError::PrefixOverlap { .. })));
        let r = recorder(&dir, &["src/deep/"]);
        std::fs::write(dir.join("b.c"), "other").unwrap();
        let err = r.record(&["src/deep".into(), "b.c".into()]).unwrap_err();
        assert!(matches!(err, RecordError::SameName { ref name, .. } if name == "b.c"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_skips_broken_ones_and_stops_cycles() {
        use std::os::unix::fs::symlink;
        let dir = tree("links");
        symlink(dir.join("src/deep"), dir.join("src/linked")).unwrap();
        symlink(dir.join("src/a.c"), dir.join("src/alias.c")).unwrap();
        symlink(dir.join("nowhere"), dir.join("src/broken")).unwrap();
        let r = recorder(&dir, &[]);
        let got = r.record(&["src".into()]).unwrap();
        assert_eq!(
            names(&got),
            ["src/a.c", "src/alias.c", "src/deep/b.c", "src/linked/b.c"]
        );
        assert_eq!(
            got.skipped,
            [("src/broken".to_string(), "is a broken symbolic link")]
        );
        symlink(dir.join("src"), dir.join("src/deep/up")).unwrap();
        let err = r.record(&["src".into()]).unwrap_err();
        assert!(matches!(err, RecordError::Cycle { .. }), "{err:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn what_in_toto_cannot_look_at_is_left_out() {
        use std::os::unix::ffi::OsStrExt as _;
        use std::os::unix::fs::symlink;
        let dir = tree("unreachable");
        symlink("self", dir.join("src/self")).unwrap();
        symlink(dir.join("src/a.c/x"), dir.join("src/under-a-file")).unwrap();
        // A name that is not UTF-8 but excluded is no error.
        let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.pyc");
        std::fs::write(dir.join("src").join(latin1), "x").unwrap();
        let r = recorder(&dir, &[]);
        let got = r
            .record(&["src".into(), "src/a.c/x".into(), "src/self".into()])
            .unwrap();
        assert_eq!(names(&got), ["src/a.c", "src/deep/b.c"]);
        let mut skipped: Vec<&str> = got.skipped.iter().map(|(p, _)| p.as_str()).collect();
        skipped.sort_unstable();
        assert_eq!(
            skipped,
            ["src/a.c/x", "src/self", "src/self", "src/under-a-file"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_base_path_must_be_a_directory() {
        let dir = tree("base");
        let excludes = || Excludes::new(&super::super::exclude::DEFAULT_EXCLUDES).unwrap();
        for base in [dir.join("missing"), dir.join("src/a.c")] {
            let made = Recorder::new(excludes(), Some(base), Vec::new());
            assert!(
                matches!(made, Err(RecordError::BasePath { .. })),
                "{made:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_skipped_by_the_walk_and_refused_by_name() {
        let dir = tree("fifo");
        let fifo = dir.join("src/pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let r = recorder(&dir, &[]);
        let got = r.record(&["src".into()]).unwrap();
        assert!(got.skipped.contains(&(
            "src/pipe".to_string(),
            "is not a regular file or a directory"
        )));
        // Opened directly, it is refused without waiting for a writer.
        assert!(matches!(hash_file(&fifo), Err(RecordError::Read { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
