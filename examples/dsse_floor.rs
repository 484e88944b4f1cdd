//! The least work any verifier of a DSSE supply chain must do, done on every
//! core with nothing else: read each link file, SHA-256 it (the
//! attestation's identity), decode its base64 payload, hash the bytes its
//! Ed25519 signature covers with SHA-512, and find each artifact entry in the
//! payload (a count of `{"sha256":`, less than any real parse). No
//! signature arithmetic, no JSON checks, no rules. Its time is a floor for
//! `cairn verify --layout` on the same folder (`docs/performance.md`).
//!
//!     cargo run --release --example dsse_floor -- FOLDER [RUNS]
//!
//! Work is three tasks per file (read, SHA-256 and decode in place, one after
//! the other on one buffer; then SHA-512 and the entry count) taken by one
//! thread per core in the order they become ready; buffers are reused once a
//! file's tasks are done. (Decoding into a second buffer, so that the
//! SHA-256 and the decoding can run side by side, measured no faster: it
//! needs more fresh memory.)
//! Prints the median wall time of RUNS rounds in one process (default 9;
//! later rounds may get memory back from the allocator that a new process
//! would have to fault in, so `scripts/bench/measure.py` starts it afresh
//! with RUNS 1 for each measurement).

use std::collections::VecDeque;
use std::error::Error;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

use sha2::{Digest as _, Sha256, Sha512};

enum Task {
    /// Read, SHA-256, decode in place: one after the other on one buffer.
    Read(usize),
    Sha512(Arc<Vec<u8>>),
    Count(Arc<Vec<u8>>),
}

struct State {
    queue: VecDeque<Task>,
    /// Tasks queued or running.
    open: usize,
    /// Buffers free for reuse.
    pool: Vec<Vec<u8>>,
    /// What the tasks found, summed so that nothing is optimised away.
    seen: u64,
}

fn round(files: &[PathBuf], pool: Vec<Vec<u8>>) -> Result<(u64, Vec<Vec<u8>>), String> {
    let state = Mutex::new(State {
        queue: (0..files.len()).map(Task::Read).collect(),
        open: files.len(),
        pool,
        seen: 0,
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
        let mut seen = 0u64;
        let mut freed = Vec::new();
        match task {
            Task::Read(i) => {
                let buffer = state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pool
                    .pop()
                    .unwrap_or_default();
                match read_into(files.get(i), buffer) {
                    Ok(mut bytes) => {
                        seen += Sha256::digest(bytes.as_slice())
                            .iter()
                            .map(|&b| u64::from(b))
                            .sum::<u64>();
                        match decode_in_place(&mut bytes) {
                            Some(payload) => {
                                let payload = Arc::new(payload);
                                next.push(Task::Sha512(Arc::clone(&payload)));
                                next.push(Task::Count(payload));
                            }
                            None => {
                                *failed.lock().unwrap_or_else(PoisonError::into_inner) =
                                    Some("no payload".into());
                            }
                        }
                    }
                    Err(e) => {
                        *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    }
                }
            }
            Task::Sha512(payload) => {
                // Ed25519 hashes R || A || PAE(type, payload).
                let mut h = Sha512::new();
                h.update([0u8; 64]);
                h.update(
                    format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len()).as_bytes(),
                );
                h.update(payload.as_slice());
                seen += h.finalize().iter().map(|&b| u64::from(b)).sum::<u64>();
                freed.push(payload);
            }
            Task::Count(payload) => {
                seen +=
                    memchr::memmem::find_iter(payload.as_slice(), b"{\"sha256\":").count() as u64;
                freed.push(payload);
            }
        }
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.seen += seen;
        for buffer in freed {
            // The last holder of a buffer gives it back.
            if let Ok(buffer) = Arc::try_unwrap(buffer) {
                s.pool.push(buffer);
            }
        }
        s.open += next.len();
        s.open -= 1;
        s.queue.extend(next);
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
    let s = state.into_inner().unwrap_or_else(PoisonError::into_inner);
    Ok((s.seen, s.pool))
}

fn read_into(path: Option<&PathBuf>, mut buffer: Vec<u8>) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let path = path.ok_or("no such file")?;
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    buffer.clear();
    file.read_to_end(&mut buffer)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(buffer)
}

/// The envelope's buffer holding its decoded payload alone.
fn decode_in_place(envelope: &mut Vec<u8>) -> Option<Vec<u8>> {
    let key = b"\"payload\":";
    let at = memchr::memmem::find(envelope, key)? + key.len();
    let open = at + memchr::memchr(b'"', envelope.get(at..)?)? + 1;
    let close = open + memchr::memchr(b'"', envelope.get(open..)?)?;
    let n = base64_simd::STANDARD
        .decode_inplace(envelope.get_mut(open..close)?)
        .ok()?
        .len();
    envelope.copy_within(open..open + n, 0);
    envelope.truncate(n);
    Some(std::mem::take(envelope))
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().ok_or("usage: dsse_floor FOLDER [RUNS]")?);
    let runs: usize = args.next().map_or(Ok(9), |r| r.parse())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "link"))
        .collect();
    files.sort();
    let mut times = Vec::new();
    let mut seen = 0;
    for _ in 0..runs {
        // Each round starts with no buffers, as a new process would.
        let started = Instant::now();
        let (s, _pool) = round(&files, Vec::new())?;
        times.push(started.elapsed().as_secs_f64());
        seen = s;
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "{} files, {} entries: median {median:.3} s of {runs} (fastest {:.3} s)",
        files.len(),
        seen,
        times.first().copied().unwrap_or_default()
    );
    Ok(())
}
