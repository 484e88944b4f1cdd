//! Reading one file with a byte limit, the one way cairn opens what it reads
//! whole.
//!
//! A file is opened first, without waiting (`O_NONBLOCK` on unix, so a FIFO
//! without a writer cannot block the open), and judged by what the open
//! handle is, never by an earlier look at the path: a regular file swapped
//! for a FIFO between a look and the open cannot block the reader. A
//! directory, a device or a socket is refused, and so is a FIFO unless the
//! caller accepts pipes ([`ReadOptions::pipe`]: a path named on the command
//! line, where `<(...)` and `/dev/fd/N` are pipes). With
//! [`ReadOptions::stream`], `-` is standard input too, read once per process.
//!
//! At most the limit is read, plus one byte to tell a file over it: a file
//! growing while it is read, or a stream that does not end, is still cut at
//! the limit. This module uses nothing else of cairn.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// The most bytes accepted; a larger file is refused.
    pub limit: u64,
    /// Accept a FIFO (a pipe, `<(...)`, `/dev/fd/N`) and read it to its
    /// end. Otherwise only a regular file is read.
    pub fifo: bool,
    /// Take `-` as standard input (else it is a file of that name).
    pub stdin: bool,
}

impl ReadOptions {
    /// Only regular files, at most `limit` bytes (files found by a directory
    /// walk, files a policy names, cairn's own files).
    pub fn file(limit: u64) -> ReadOptions {
        ReadOptions {
            limit,
            fifo: false,
            stdin: false,
        }
    }

    /// Regular files and pipes, at most `limit` bytes (a path the user
    /// named on the command line).
    pub fn pipe(limit: u64) -> ReadOptions {
        ReadOptions {
            fifo: true,
            ..ReadOptions::file(limit)
        }
    }

    /// Regular files, pipes and `-` (standard input), at most `limit`
    /// bytes (a path named on the command line where `-` is documented).
    pub fn stream(limit: u64) -> ReadOptions {
        ReadOptions {
            limit,
            fifo: true,
            stdin: true,
        }
    }
}

/// Why a file was not read. Its `Display` is the reason alone, without the
/// file's name, for the caller's message.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system refused to open or read it.
    Io(std::io::Error),
    /// It is a directory.
    Directory,
    /// It is not a regular file: the kind is `a FIFO`, `a character
    /// device`, `a block device`, `a socket` or `not a regular file`.
    NotRegular(&'static str),
    /// A FIFO read as a stream that gave no byte and had no writer.
    NoWriter,
    /// It holds more than `limit` bytes (`size` when known before reading).
    TooLarge {
        /// Its size, for a regular file.
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// `-` a second time: standard input was already read.
    StdinTaken,
}

impl ReadError {
    /// Whether checking permissions could help (not for a directory, a
    /// FIFO, a device or a file that is too large).
    pub fn is_access(&self) -> bool {
        matches!(self, ReadError::Io(_))
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Directory => write!(f, "it is a directory, not a file"),
            ReadError::NotRegular(kind) if *kind == "not a regular file" => {
                write!(f, "it is not a regular file")
            }
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::NoWriter => write!(
                f,
                "it is a FIFO that nothing was written to (no process had it open for writing)"
            ),
            ReadError::TooLarge {
                size: Some(size),
                limit,
            } => write!(f, "it is {size} bytes, over the limit of {limit} bytes"),
            ReadError::TooLarge { size: None, limit } => {
                write!(f, "it holds more than the limit of {limit} bytes")
            }
            ReadError::StdinTaken => write!(
                f,
                "standard input (`-`) was already read; it can be given only once"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// Whether `path` is `-`, standard input with [`ReadOptions::stdin`].
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name a message shows for `path`: `<stdin>` for `-`, else the path.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// How many of `paths` are `-`: more than one is a usage error, as
/// standard input can be read only once.
pub fn stdin_count<'p>(paths: impl IntoIterator<Item = &'p Path>) -> usize {
    paths.into_iter().filter(|p| is_stdin(p)).count()
}

/// Set once standard input was claimed by [`read_into`].
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// The kind of a file that is neither regular nor a directory.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    let _ = file_type;
    "not a regular file"
}

/// Opens `path` for reading without waiting for a FIFO's writer.
fn open_nonblocking(path: &Path) -> Result<File, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    Ok(options.open(path)?)
}

/// What an open handle is.
enum Opened {
    /// A regular file of this many bytes.
    Regular(u64),
    /// A FIFO.
    Fifo,
}

/// Judges the open `file` by its own metadata.
fn judge(file: &File, fifo: bool) -> Result<Opened, ReadError> {
    let meta = file.metadata()?;
    let file_type = meta.file_type();
    if file_type.is_file() {
        return Ok(Opened::Regular(meta.len()));
    }
    if file_type.is_dir() {
        return Err(ReadError::Directory);
    }
    let kind = kind_of(file_type);
    if fifo && kind == "a FIFO" {
        return Ok(Opened::Fifo);
    }
    Err(ReadError::NotRegular(kind))
}

/// Opens `path` if it is a regular file, without blocking on anything
/// else, for a caller that reads it in its own way (hashing in chunks).
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    let file = open_nonblocking(path)?;
    judge(&file, false)?;
    Ok(file)
}

/// Reads `path` whole as `options` allow.
pub fn read(path: &Path, options: ReadOptions) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    read_into(path, options, &mut bytes)?;
    Ok(bytes)
}

/// What [`read_into`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A regular file.
    Regular,
    /// A FIFO (a pipe).
    Fifo,
    /// Standard input (`-`).
    Stdin,
}

impl Source {
    /// Whether it was a stream (a pipe or standard input), whose name says
    /// nothing of what it holds.
    pub fn is_stream(self) -> bool {
        self != Source::Regular
    }
}

/// [`read`] into `bytes` (cleared first, its memory reused; for a
/// regular file it is sized once from the file's length).
pub fn read_into(
    path: &Path,
    options: ReadOptions,
    bytes: &mut Vec<u8>,
) -> Result<Source, ReadError> {
    bytes.clear();
    let limit = options.limit;
    if options.stdin && is_stdin(path) {
        if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
            return Err(ReadError::StdinTaken);
        }
        let stdin = std::io::stdin();
        let lock = stdin.lock();
        read_limited(lock, limit, bytes)?;
        return Ok(Source::Stdin);
    }
    let file = open_nonblocking(path)?;
    match judge(&file, options.fifo)? {
        Opened::Regular(len) => {
            if len > limit {
                return Err(ReadError::TooLarge {
                    size: Some(len),
                    limit,
                });
            }
            // Sized once: growing a large buffer by doubling copies it.
            let needed = usize::try_from(len).unwrap_or(0).saturating_add(1);
            if bytes.capacity() / 2 > needed.saturating_add(1 << 20) {
                // A buffer far larger than this file is not kept for it.
                *bytes = Vec::new();
            }
            bytes.reserve_exact(needed);
            read_limited(file, limit, bytes)?;
            Ok(Source::Regular)
        }
        Opened::Fifo => {
            read_fifo(file, limit, bytes)?;
            Ok(Source::Fifo)
        }
    }
}

/// Reads `source` to its end, refusing it once it gives more than `limit`.
fn read_limited(source: impl Read, limit: u64, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
    source.take(limit.saturating_add(1)).read_to_end(bytes)?;
    if bytes.len() as u64 > limit {
        // Standard input, or a regular file that grew while it was read:
        // its size is not known.
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(())
}

/// Reads a FIFO opened without blocking: waits for data while a writer
/// holds it open, ends when the last writer closes it. One that never had
/// a writer gives nothing and is refused at once instead of waiting.
fn read_fifo(mut file: File, limit: u64, bytes: &mut Vec<u8>) -> Result<(), ReadError> {
    let mut chunk = vec![0u8; 64 * 1024];
    let mut waited = false;
    let mut pause = std::time::Duration::from_micros(100);
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                pause = std::time::Duration::from_micros(100);
                let got = chunk.get(..n).unwrap_or_default();
                if (bytes.len() + got.len()) as u64 > limit {
                    return Err(ReadError::TooLarge { size: None, limit });
                }
                bytes.extend_from_slice(got);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                // A writer holds it open and has not written yet.
                waited = true;
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(20));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    if bytes.is_empty() && !waited {
        return Err(ReadError::NoWriter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_regular_file_is_read_within_its_limit() {
        let path = temp("regular");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read(&path, ReadOptions::file(5)).unwrap(), b"hello");
        assert_eq!(read(&path, ReadOptions::stream(100)).unwrap(), b"hello");
        let e = read(&path, ReadOptions::file(4)).unwrap_err();
        assert!(matches!(
            e,
            ReadError::TooLarge {
                size: Some(5),
                limit: 4
            }
        ));
        assert_eq!(e.to_string(), "it is 5 bytes, over the limit of 4 bytes");
        assert!(open_regular(&path).is_ok());
        // A reused buffer holds this file's bytes only.
        let mut bytes = b"previous contents".to_vec();
        read_into(&path, ReadOptions::file(5), &mut bytes).unwrap();
        assert_eq!(bytes, b"hello");
    }

    #[test]
    fn a_directory_is_named_as_one() {
        let dir = temp("a-dir");
        std::fs::create_dir_all(&dir).unwrap();
        for options in [ReadOptions::file(10), ReadOptions::stream(10)] {
            let e = read(&dir, options).unwrap_err();
            assert!(matches!(e, ReadError::Directory), "{e:?}");
            assert_eq!(e.to_string(), "it is a directory, not a file");
            assert!(!e.is_access());
        }
        assert!(matches!(open_regular(&dir), Err(ReadError::Directory)));
    }

    #[test]
    fn a_missing_file_is_an_os_error() {
        let e = read(&temp("missing"), ReadOptions::file(10)).unwrap_err();
        assert!(matches!(&e, ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound));
        assert!(e.is_access());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused() {
        let null = Path::new("/dev/null");
        for options in [ReadOptions::file(10), ReadOptions::stream(10)] {
            let e = read(null, options).unwrap_err();
            assert!(matches!(e, ReadError::NotRegular("a character device")));
            assert_eq!(
                e.to_string(),
                "it is a character device, not a regular file"
            );
        }
    }

    #[cfg(unix)]
    fn fifo(name: &str) -> PathBuf {
        let path = temp(name);
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        path
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_as_a_file_without_waiting() {
        let path = fifo("fifo-file");
        let e = read(&path, ReadOptions::file(10)).unwrap_err();
        assert_eq!(e.to_string(), "it is a FIFO, not a regular file");
        assert!(matches!(open_regular(&path), Err(ReadError::NotRegular(_))));
        // As a stream with no writer, it is refused at once too.
        let e = read(&path, ReadOptions::stream(10)).unwrap_err();
        assert!(matches!(e, ReadError::NoWriter), "{e:?}");
    }

    /// A writer of `parts` into the FIFO at `path`, a pause before each:
    /// it holds the FIFO open (read-write, so its open does not wait) from
    /// before the returned function is called until it has written all.
    #[cfg(unix)]
    fn writer(path: &Path, parts: Vec<Vec<u8>>) -> std::thread::JoinHandle<()> {
        use std::io::Write as _;
        let mut w = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .unwrap();
        std::thread::spawn(move || {
            for part in parts {
                std::thread::sleep(std::time::Duration::from_millis(30));
                w.write_all(&part).unwrap();
            }
            // Held a little longer: the reader has what was written.
            std::thread::sleep(std::time::Duration::from_millis(30));
        })
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_read_as_a_stream_from_its_writer() {
        let path = fifo("fifo-stream");
        let w = writer(&path, vec![b"first ".to_vec(), b"second".to_vec()]);
        let bytes = read(&path, ReadOptions::stream(100)).unwrap();
        w.join().unwrap();
        assert_eq!(bytes, b"first second");
    }

    #[cfg(unix)]
    #[test]
    fn a_stream_over_the_limit_is_cut() {
        let path = fifo("fifo-large");
        let w = writer(&path, vec![vec![b'x'; 600], vec![b'y'; 600]]);
        let e = read(&path, ReadOptions::stream(1000)).unwrap_err();
        w.join().unwrap();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    size: None,
                    limit: 1000
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.to_string(), "it holds more than the limit of 1000 bytes");
    }

    #[test]
    fn dash_is_a_file_name_unless_streams_are_read() {
        assert!(is_stdin(Path::new("-")));
        assert!(!is_stdin(Path::new("./-")));
        assert_eq!(display_name(Path::new("-")), "<stdin>");
        // Without `stdin`, `-` is a file's name (none here).
        let e = read(Path::new("-"), ReadOptions::pipe(10)).unwrap_err();
        assert!(matches!(&e, ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound));
        assert_eq!(display_name(Path::new("a/b")), "a/b");
        assert_eq!(
            stdin_count([Path::new("-"), Path::new("x"), Path::new("-")]),
            2
        );
    }
}
