//! The least work of cairn's design for verifying a DSSE supply chain, done
//! on every core with nothing else: read each link file whole, SHA-256 it
//! (each attestation's identity in cairn's reports), decode its base64
//! payload in place, hash the bytes its Ed25519 signature covers with
//! SHA-512, and find each artifact entry in the payload (a count of
//! `{"sha256":`, less than any real parse). No signature arithmetic, no
//! UTF-8 or JSON checks, no rules, no report. `cairn verify --layout` on the
//! same folder cannot be faster.
//!
//! With `--pieces`, the least work of a verifier that gives attestations no
//! digest: each file read in 256 KiB pieces (no SHA-256, never held whole),
//! its payload decoded piece by piece into a buffer that later files reuse,
//! then the same SHA-512 and count.
//!
//!     cargo run --release --example dsse_floor -- FOLDER [RUNS] [--pieces]
//!
//! Work is three tasks per file (the read, with the SHA-256 and decoding in
//! place or decoding piece by piece; then SHA-512 and the entry count,
//! either of which the other core can take), taken by one thread per core,
//! a file's follow-ups before the next file's read, so that the next read
//! can take the buffer of a file that is done, as cairn's reads do.
//!
//! Prints the median wall time of RUNS rounds in one process (default 9;
//! later rounds may get memory back from the allocator that a new process
//! would have to fault in, so `scripts/bench/measure.py` starts it afresh
//! with RUNS 1 for each measurement) and the number of artifact entries
//! found.

use std::collections::VecDeque;
use std::error::Error;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

use cairn_evidence::dsse::{pae_header, INTOTO_PAYLOAD_TYPE};
use sha2::{Digest as _, Sha256, Sha512};

enum Task {
    /// Read, SHA-256, decode in place: one after the other on one buffer.
    Read(usize),
    Sha512(Arc<Vec<u8>>),
    Count(Arc<Vec<u8>>),
}

#[derive(Default)]
struct Found {
    /// Artifact entries.
    entries: usize,
    /// A byte of every digest, so that no hash is optimised away.
    digests: u8,
}

struct State {
    queue: VecDeque<Task>,
    /// Tasks queued or running.
    open: usize,
    /// Buffers whose file is done, for the next read (as cairn reuses its
    /// read buffers).
    free: Vec<Vec<u8>>,
    found: Found,
}

fn round(files: &[PathBuf], pieces: bool) -> Result<Found, String> {
    let state = Mutex::new(State {
        queue: (0..files.len()).map(Task::Read).collect(),
        open: files.len(),
        free: Vec::new(),
        found: Found::default(),
    });
    let ready = Condvar::new();
    let failed: Mutex<Option<String>> = Mutex::new(None);
    let work = || loop {
        let task = {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(task) = s.queue.pop_front() {
                    break Some(task);
                }
                if s.open == 0 {
                    break None;
                }
                s = ready.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let Some(task) = task else { return };
        let mut next = Vec::new();
        let mut found = Found::default();
        match task {
            Task::Read(i) => {
                let buffer = {
                    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                    s.free.pop().unwrap_or_default()
                };
                let read = if pieces {
                    read_in_pieces(files.get(i), buffer)
                } else {
                    read_hash_decode(files.get(i), buffer)
                };
                match read {
                    Ok((digest, payload)) => {
                        found.digests ^= digest;
                        let payload = Arc::new(payload);
                        next.push(Task::Sha512(Arc::clone(&payload)));
                        next.push(Task::Count(payload));
                    }
                    Err(e) => *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(e),
                }
            }
            Task::Sha512(ref payload) => {
                // Ed25519 hashes R || A || PAE(type, payload).
                let mut h = Sha512::new();
                h.update([0u8; 64]);
                h.update(pae_header(INTOTO_PAYLOAD_TYPE.as_bytes(), payload.len(), 0));
                h.update(payload.as_slice());
                found.digests ^= h.finalize().first().copied().unwrap_or_default();
            }
            Task::Count(ref payload) => {
                found.entries =
                    memchr::memmem::find_iter(payload.as_slice(), b"{\"sha256\":").count();
            }
        }
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.found.entries += found.entries;
        s.found.digests ^= found.digests;
        if let Task::Sha512(payload) | Task::Count(payload) = task {
            // The last task of a file gives its buffer back.
            if let Ok(buffer) = Arc::try_unwrap(payload) {
                s.free.push(buffer);
            }
        }
        s.open += next.len();
        s.open -= 1;
        // A file's follow-ups go first: finishing it frees its buffer for
        // the next file's read.
        for task in next.into_iter().rev() {
            s.queue.push_front(task);
        }
        ready.notify_all();
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e);
    }
    Ok(state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .found)
}

/// The file's bytes read whole into `bytes`, a byte of their SHA-256, and
/// the buffer holding the decoded payload alone.
fn read_hash_decode(path: Option<&PathBuf>, mut bytes: Vec<u8>) -> Result<(u8, Vec<u8>), String> {
    use std::io::Read as _;
    let path = path.ok_or("no such file")?;
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(fail)?;
    bytes.clear();
    file.read_to_end(&mut bytes).map_err(fail)?;
    let digest = Sha256::digest(&bytes).first().copied().unwrap_or_default();
    let no_payload = || format!("{}: no base64 `payload`", path.display());
    let key = b"\"payload\":";
    let at = memchr::memmem::find(&bytes, key).ok_or_else(no_payload)? + key.len();
    let tail = bytes.get(at..).ok_or_else(no_payload)?;
    let open = at + memchr::memchr(b'"', tail).ok_or_else(no_payload)? + 1;
    let tail = bytes.get(open..).ok_or_else(no_payload)?;
    let close = open + memchr::memchr(b'"', tail).ok_or_else(no_payload)?;
    let text = bytes.get_mut(open..close).ok_or_else(no_payload)?;
    let n = base64_simd::STANDARD
        .decode_inplace(text)
        .map_err(|_| no_payload())?
        .len();
    bytes.copy_within(open..open + n, 0);
    bytes.truncate(n);
    Ok((digest, bytes))
}

/// The size of the pieces [`read_in_pieces`] reads.
const PIECE: usize = 256 << 10;

/// The file read in pieces of [`PIECE`] bytes, never whole and not hashed,
/// its payload decoded as its text comes into `payload` (a buffer of a file
/// that is done, or a new one): no digest byte, and the decoded payload.
fn read_in_pieces(path: Option<&PathBuf>, mut payload: Vec<u8>) -> Result<(u8, Vec<u8>), String> {
    use std::io::Read as _;
    let path = path.ok_or("no such file")?;
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let no_payload = || format!("{}: no base64 `payload`", path.display());
    let mut file = std::fs::File::open(path).map_err(fail)?;
    payload.clear();
    // What was read and is not used yet: before the payload's text, the end
    // that may hold the start of its key; in it, the last 0-3 characters.
    let mut pending: Vec<u8> = Vec::with_capacity(2 * PIECE);
    let key = b"\"payload\":";
    let mut inside = false;
    loop {
        let old = pending.len();
        pending.resize(old + PIECE, 0);
        let n = file
            .read(pending.get_mut(old..).unwrap_or_default())
            .map_err(fail)?;
        pending.truncate(old + n);
        if n == 0 {
            return Err(no_payload());
        }
        if !inside {
            let Some(at) = memchr::memmem::find(&pending, key) else {
                pending.drain(..pending.len().saturating_sub(key.len()));
                continue;
            };
            let Some(open) =
                memchr::memchr(b'"', pending.get(at + key.len()..).unwrap_or_default())
            else {
                pending.drain(..at);
                continue;
            };
            pending.drain(..at + key.len() + open + 1);
            inside = true;
        }
        let close = memchr::memchr(b'"', &pending);
        let end = close.unwrap_or(pending.len() / 4 * 4);
        let text = pending.get(..end).ok_or_else(no_payload)?;
        let start = payload.len();
        payload.resize(start + text.len() / 4 * 3, 0);
        let out = payload.get_mut(start..).ok_or_else(no_payload)?;
        let n = base64_simd::STANDARD
            .decode(text, base64_simd::Out::from_slice(out))
            .map_err(|_| no_payload())?
            .len();
        payload.truncate(start + n);
        if close.is_some() {
            // The rest of the file (its signatures) is read, not looked at.
            std::io::copy(&mut file, &mut std::io::sink()).map_err(fail)?;
            return Ok((0, payload));
        }
        pending.drain(..end);
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(
        args.next()
            .ok_or("usage: dsse_floor FOLDER [RUNS] [--pieces]")?,
    );
    let mut rest: Vec<String> = args.collect();
    let pieces = rest.iter().any(|a| a == "--pieces");
    rest.retain(|a| a != "--pieces");
    let runs: usize = rest.first().map_or(Ok(9), |r| r.parse())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "link"))
        .collect();
    files.sort();
    let mut times = Vec::new();
    let mut found = Found::default();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        found = round(&files, pieces)?;
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "{} files, {} artifact entries: median {median:.3} s of {} (fastest {:.3} s; digest byte {})",
        files.len(),
        found.entries,
        times.len(),
        times.first().copied().unwrap_or_default(),
        found.digests,
    );
    Ok(())
}
