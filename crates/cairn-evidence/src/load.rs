//! Loading evidence from paths: files, `.jsonl` bundles and directories.
//!
//! A directory contributes the files directly in it (not its subdirectories),
//! in sorted order, whose names end in `.link`, `.layout`, `.json`, `.jsonl` or
//! `.dsse`; hidden files are skipped. A `.jsonl` file is a bundle: one envelope
//! per line, blank lines skipped, unrecognised lines reported and ignored. A
//! document that holds several attestations (npm's attestations document,
//! gcloud's provenance output: [`super::holder`]) gives each of them.
//! Loading never stops at the first problem: every problem is collected.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

use super::document::{read_document, Document};
use super::error::{small, EvidenceError, Location};
use super::keyfile::TrustedKey;
use super::limits::Limits;
use super::model::{Attestation, Body, Origin, Verified};
use super::parse::{content, Content};
use super::read::read_bounded_into;
pub use super::read::{read_bounded, read_bounded_stream};
use super::unverified::Outcome;
pub use super::unverified::{Claim, LayoutSource, Unverified, UnverifiedLayout};
use super::verify::{verify, Checked, Checker, Rejected};

/// The result of [`load`].
#[derive(Debug, Default)]
pub struct Loaded {
    /// Attestations (links and Statements), unverified.
    pub items: Vec<Unverified>,
    /// Classic layouts found among the inputs, unverified.
    pub layouts: Vec<UnverifiedLayout>,
    /// Every problem, per file or line; warnings (ignored lines and
    /// signatures) have miette severity `Warning`.
    pub problems: Vec<EvidenceError>,
}

/// Loads every attestation under `paths`. Files are read and parsed on every
/// core; the result is in the order of `paths` (a directory's files sorted).
/// Only regular files are read (callers read the file again).
pub fn load(paths: &[PathBuf], limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    for part in load_parts(paths, limits, None, false, |part| part) {
        loaded.items.extend(part.items);
        loaded.layouts.extend(part.layouts);
        loaded.problems.extend(part.problems);
    }
    loaded
}

/// Loads each file under `paths` on its own and hands what it holds to
/// `finish`; the results are in file order. With a `checker`, the
/// signatures of links and Statements are checked while they are read (see
/// [`Unverified::outcome`]), a large link's as work of its own once it is
/// walked (its file's bytes already released), so that the checks of the
/// last files are shared by the workers rather than left to the one that
/// read them. With `streams`, a path of `paths` may be a pipe, or `-`
/// (standard input); a file in a directory must always be a regular file.
pub(super) fn load_parts<R: Send>(
    paths: &[PathBuf],
    limits: &Limits,
    checker: Option<&Checker<'_>>,
    streams: bool,
    finish: impl Fn(Loaded) -> R + Sync,
) -> Vec<R> {
    let mut jobs = Vec::new();
    let mut budget = limits.max_total_bytes;
    let mut file = |path: &Path, in_dir: bool| {
        // The total budget is shared out in order before any file is read:
        // each file may use what the files before it left.
        let limit = limits.max_file_bytes.min(budget);
        let len = if streams && cairn_base::files::is_stdin(path) {
            0
        } else {
            std::fs::metadata(path).map_or(0, |m| m.len())
        };
        if len <= limit {
            budget -= len;
        }
        Job::File {
            path: path.to_path_buf(),
            in_dir,
            limit,
        }
    };
    for path in paths {
        if !(streams && cairn_base::files::is_stdin(path)) && path.is_dir() {
            match dir_files(path) {
                Ok(files) => jobs.extend(files.iter().map(|f| file(f, true))),
                Err(e) => jobs.push(Job::Failed(e)),
            }
        } else {
            jobs.push(file(path, false));
        }
    }
    let reader = Reader {
        limits,
        checker,
        streams,
        buffers: Mutex::new(Vec::new()),
        files: jobs.len(),
        started: AtomicUsize::new(0),
    };
    let parts =
        cairn_base::parallel::map_then(&jobs, |job| reader.job(job), |f| reader.complete(f));
    parts
        .into_iter()
        .map(|(mut part, checked)| {
            part.items.extend(checked);
            finish(part)
        })
        .collect()
}

/// [`super::load()`] followed by [`verify`], file by file: each file's
/// signatures are checked as soon as it is read (a large link's once it is
/// walked, by whichever worker is free), so that its bytes and the bytes its
/// signatures cover are released before the next file is read.
/// The same outcome as the two steps one after the other, in less memory.
pub fn load_verified(paths: &[PathBuf], limits: &Limits, keys: &[TrustedKey]) -> Checked {
    load_verified_with(paths, limits, keys, None)
}

/// [`load_verified`], with Sigstore bundles checked against `sigstore` (its
/// signer indexes continue `keys`': the policy's identities). Unlike
/// [`super::load()`], a path given may be a pipe or `-` (standard input).
pub fn load_verified_with(
    paths: &[PathBuf],
    limits: &Limits,
    keys: &[TrustedKey],
    sigstore: Option<&super::sigstore::SigstoreTrust>,
) -> Checked {
    let mut checked = Checked::default();
    let mut checker = Checker::new(keys);
    checker.sigstore = sigstore;
    let parts = load_parts(paths, limits, Some(&checker), true, |mut part| {
        let items = std::mem::take(&mut part.items);
        let (verified, rejected) = verify(items, keys);
        (part, verified, rejected)
    });
    for (part, verified, rejected) in parts {
        absorb(&mut checked, part, verified, rejected);
    }
    checked
}

/// Adds one file's (or document's) outcome to `checked`.
fn absorb(
    checked: &mut Checked,
    part: Loaded,
    verified: Vec<Verified<Attestation>>,
    rejected: Vec<Rejected>,
) {
    checked.verified.extend(verified);
    checked.rejected.extend(rejected);
    checked.layouts.extend(part.layouts);
    checked.problems.extend(part.problems);
}

/// [`load_verified_with`] over evidence given as bytes rather than paths,
/// each with the name findings give it: a name ending in `.jsonl`, or bytes
/// that are JSON lines under a name that does not say it is one document
/// (`.json`, `.link`, `.layout`, `.dsse`, `.sigstore`), are read as a bundle;
/// anything else as one document. Each document is held to the file limit,
/// all of them together to the total limit.
pub fn load_verified_bytes(
    documents: &[(String, Vec<u8>)],
    limits: &Limits,
    keys: &[TrustedKey],
    sigstore: Option<&super::sigstore::SigstoreTrust>,
) -> Checked {
    let mut checked = Checked::default();
    let mut checker = Checker::new(keys);
    checker.sigstore = sigstore;
    let reader = Reader {
        limits,
        checker: Some(&checker),
        streams: false,
        buffers: Mutex::new(Vec::new()),
        files: 0,
        started: AtomicUsize::new(0),
    };
    let mut budget = limits.max_total_bytes;
    for (name, bytes) in documents {
        let mut part = Loaded::default();
        let mut follow = Vec::new();
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let limit = limits.max_file_bytes.min(budget);
        if size > limit {
            part.problems.push(EvidenceError::TooLarge {
                at: Location::file(name.clone()),
                what: if limit < limits.max_file_bytes {
                    "file (all files together)"
                } else {
                    "file"
                },
                limit: if limit < limits.max_file_bytes {
                    limits.max_total_bytes
                } else {
                    limits.max_file_bytes
                },
                size: Some(size),
            });
        } else {
            budget = budget.saturating_sub(size);
            let mut owned = bytes.clone();
            let one = ONE_DOCUMENT.iter().any(|ext| name.ends_with(ext));
            let lines = !one && looks_like_json_lines(&owned);
            reader.read_file(
                Path::new(name),
                &mut owned,
                false,
                lines,
                &mut part,
                &mut follow,
            );
        }
        for f in follow {
            part.items.push(reader.complete(f));
        }
        let items = std::mem::take(&mut part.items);
        let (verified, rejected) = verify(items, keys);
        absorb(&mut checked, part, verified, rejected);
    }
    checked
}

/// File name endings of evidence that is one document (`.jsonl` is a bundle
/// of lines).
const ONE_DOCUMENT: [&str; 5] = [".json", ".link", ".layout", ".dsse", ".sigstore"];

/// A link whose signatures are still to be checked (see [`super::bulk::Walked`]).
struct FollowUp {
    origin: Origin,
    sha256: String,
    walked: Box<super::bulk::Walked>,
}

/// One unit of loading work.
enum Job {
    /// Read this file with at most `limit` bytes.
    File {
        path: PathBuf,
        in_dir: bool,
        limit: u64,
    },
    /// A directory that could not be listed.
    Failed(EvidenceError),
}

fn dir_files(dir: &Path) -> Result<Vec<PathBuf>, EvidenceError> {
    let io = |e: std::io::Error| EvidenceError::Io {
        at: Location::file(dir.display().to_string()),
        reason: e.to_string(),
        help: EvidenceError::ACCESS_HELP,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = name.ends_with(".jsonl") || ONE_DOCUMENT.iter().any(|ext| name.ends_with(ext));
        if name.starts_with('.') || !wanted || !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();
    Ok(files)
}

/// Reads files and lines with one set of limits (and keys).
struct Reader<'a> {
    limits: &'a Limits,
    checker: Option<&'a Checker<'a>>,
    /// Whether a path given (not found in a directory) may be a pipe or `-`.
    streams: bool,
    /// Read buffers of files already done, for the files not started yet
    /// (never more buffers than such files: the others are dropped at once).
    buffers: Mutex<Vec<Vec<u8>>>,
    /// How many jobs there are, and how many were started.
    files: usize,
    started: AtomicUsize,
}

impl Reader<'_> {
    fn job(&self, job: &Job) -> (Loaded, Vec<FollowUp>) {
        self.started.fetch_add(1, Ordering::Relaxed);
        let mut part = Loaded::default();
        let mut follow = Vec::new();
        match job {
            Job::File {
                path,
                in_dir,
                limit,
            } => self.file(path, *in_dir, *limit, &mut part, &mut follow),
            Job::Failed(e) => part.problems.push(e.clone()),
        }
        (part, follow)
    }

    /// Checks the signatures of a link read before.
    fn complete(&self, follow: FollowUp) -> Unverified {
        let check = |signatures: &[super::dsse::Signature],
                     message: &super::scheme::Written<'_>| {
            self.checker
                .map(|checker| checker.check_written(signatures, message))
        };
        let (link, _, outcome) = follow.walked.check(check);
        Unverified {
            origin: follow.origin,
            sha256: follow.sha256,
            claim: Claim::Link(link.name.clone()),
            document: super::bulk::released(),
            body: Body::Link(*link),
            outcome,
        }
    }

    fn file(
        &self,
        path: &Path,
        in_dir: bool,
        limit: u64,
        loaded: &mut Loaded,
        follow: &mut Vec<FollowUp>,
    ) {
        let buffers = || {
            self.buffers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let mut bytes = buffers().pop().unwrap_or_default();
        // A file a directory listed must still be a regular file; one named
        // on the command line may be a pipe, or `-` (standard input).
        let options = if in_dir || !self.streams {
            cairn_base::files::ReadOptions::file(limit)
        } else {
            cairn_base::files::ReadOptions::stream(limit)
        };
        match read_bounded_into(path, options, &mut bytes) {
            Ok(source) => {
                let lines = source.is_stream() && looks_like_json_lines(&bytes);
                self.read_file(path, &mut bytes, in_dir, lines, loaded, follow)
            }
            // What the files before it left of the total was the limit.
            Err(EvidenceError::TooLarge { at, limit, .. })
                if limit < self.limits.max_file_bytes =>
            {
                loaded.problems.push(EvidenceError::TooLarge {
                    at,
                    what: "file (all files together)",
                    limit: self.limits.max_total_bytes,
                    size: None,
                });
            }
            Err(e) => loaded.problems.push(e),
        }
        let mut kept = buffers();
        let waiting = self
            .files
            .saturating_sub(self.started.load(Ordering::Relaxed));
        if kept.len() < waiting {
            kept.push(bytes);
        }
    }

    fn read_file(
        &self,
        path: &Path,
        bytes: &mut [u8],
        in_dir: bool,
        lines: bool,
        loaded: &mut Loaded,
        follow: &mut Vec<FollowUp>,
    ) {
        let name = cairn_base::files::display_name(path);
        if lines || name.ends_with(".jsonl") {
            self.bundle(&name, bytes, loaded);
            return;
        }
        let origin = Origin {
            file: name.clone(),
            line: None,
            entry: None,
        };
        if let Err(e) = self.one(bytes, origin, loaded, Some(follow)) {
            // In a directory, a JSON file that is not signed evidence (a
            // README-like `expected.json`) is skipped with a warning.
            match e {
                EvidenceError::Unrecognised { at, reason } if in_dir => {
                    loaded
                        .problems
                        .push(EvidenceError::IgnoredLine { at, reason });
                }
                e => loaded.problems.push(e),
            }
        }
    }

    /// The lines of a bundle are read on every core, the results in line
    /// order. Each line may be changed while it is read (a DSSE payload is
    /// decoded where its text was): a line goes to one worker only, and its
    /// lock is never waited for.
    fn bundle(&self, name: &str, bytes: &mut [u8], loaded: &mut Loaded) {
        let mut lines = Vec::new();
        for (i, line) in lines_mut(bytes).enumerate() {
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            lines.push((i + 1, Mutex::new(line)));
        }
        let parts = cairn_base::parallel::map(&lines, |(line_no, line)| {
            let mut part = Loaded::default();
            let mut line = line
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.line(name, *line_no, &mut line, &mut part);
            part
        });
        for part in parts {
            loaded.items.extend(part.items);
            loaded.layouts.extend(part.layouts);
            loaded.problems.extend(part.problems);
        }
    }

    fn line(&self, name: &str, line_no: usize, line: &mut [u8], loaded: &mut Loaded) {
        let origin = Origin {
            file: name.to_owned(),
            line: Some(line_no),
            entry: None,
        };
        if let Err(e) = self.one(line, origin, loaded, None) {
            loaded.problems.push(match e {
                EvidenceError::Unrecognised { at, reason } => {
                    EvidenceError::IgnoredLine { at, reason }
                }
                e @ (EvidenceError::PayloadType { .. } | EvidenceError::UnsupportedType { .. }) => {
                    let at = Location {
                        file: name.to_owned(),
                        line: Some(small(line_no)),
                        ..Location::default()
                    };
                    EvidenceError::IgnoredLine {
                        at,
                        reason: e.to_string(),
                    }
                }
                e => e,
            });
        }
    }

    fn one(
        &self,
        bytes: &mut [u8],
        origin: Origin,
        loaded: &mut Loaded,
        follow: Option<&mut Vec<FollowUp>>,
    ) -> Result<(), EvidenceError> {
        let limits = self.limits;
        let at = Location {
            file: origin.file.clone(),
            line: origin.line.map(small),
            ..Location::default()
        };
        if super::holder::may_hold(bytes) {
            let value = super::document::parse_json(bytes, &at, limits.max_depth)?;
            if let Some((_, entries)) = super::holder::entries(&value, &at)? {
                self.held(bytes, &entries, &origin, loaded);
                return Ok(());
            }
        }
        if memchr::memmem::find(bytes, SIGSTORE_MEDIA_TYPE).is_some() {
            let value = super::document::parse_json(bytes, &at, limits.max_depth)?;
            if super::sigstore::looks_like_bundle(&value) {
                return self.sigstore(bytes, &value, origin, &at, loaded);
            }
        }
        // A large document's sha256 is worked out on another thread while
        // it is parsed, and a link's signatures while its artifacts are read.
        let split = bytes.len() >= SPLIT_BYTES;
        let check = |document: &Document| self.checker.map(|checker| checker.check(document));
        let written = |signatures: &[super::dsse::Signature],
                       message: &super::scheme::Written<'_>| {
            self.checker
                .map(|checker| Some(checker.check_written(signatures, message)))
        };
        let options = super::bulk::Options {
            at: &at,
            limits,
            split,
            release: self.checker.is_some(),
            // A large link's check is left to [`Reader::complete`].
            defer: split && self.checker.is_some() && follow.is_some(),
        };
        let (read, sha256) = {
            let shared: &[u8] = bytes;
            cairn_base::parallel::both(
                split,
                || super::bulk::read_with(shared, options, check, written),
                || sha256_hex(shared),
            )
        };
        let (read, outcome) = match read? {
            super::bulk::Begun::Read(read, outcome) => (read, outcome),
            super::bulk::Begun::Walked(mut walked) => {
                loaded.problems.extend(walked.take_notes());
                let follow_up = FollowUp {
                    origin,
                    sha256,
                    walked,
                };
                match follow {
                    Some(follow) => follow.push(follow_up),
                    None => loaded.items.push(self.complete(follow_up)),
                }
                return Ok(());
            }
            // The sha256 is taken: the bytes may now change (they are the
            // file's own buffer, or a line of it no other worker reads).
            super::bulk::Begun::Envelope(pending) => {
                let payload = pending.decode_in_place(bytes, &at)?;
                pending.finish(Cow::Borrowed(payload), options, check, written)
            }
        };
        let outcome = outcome.flatten();
        let (mut document, notes) = match read {
            super::bulk::Read::Link(document, link, notes) => {
                loaded.problems.extend(notes);
                loaded.items.push(Unverified {
                    origin,
                    sha256,
                    claim: Claim::Link(link.name.clone()),
                    document: released(document, &outcome),
                    body: Body::Link(*link),
                    outcome,
                });
                return Ok(());
            }
            super::bulk::Read::Other(document, notes) => (document, notes),
        };
        let parsed = content(&document, &at, limits)?;
        if !matches!(parsed, Content::Layout(_)) {
            // Only a layout's raw value is needed later (by importers); a link's
            // was read into its `Body` and is dropped now, not after verification.
            if let Document::Metablock { signed, .. } = &mut document {
                *signed = serde_json::Value::Null;
            }
        }
        loaded.problems.extend(notes);
        match parsed {
            Content::Layout(layout) => {
                let source = match &document {
                    Document::Metablock { signed, .. } => LayoutSource {
                        signed: signed.clone(),
                        text: String::from_utf8_lossy(bytes).into_owned(),
                    },
                    Document::Dsse(envelope) => LayoutSource {
                        signed: super::document::parse_json(
                            &envelope.payload,
                            &at,
                            limits.max_depth,
                        )?,
                        text: String::from_utf8_lossy(&envelope.payload).into_owned(),
                    },
                };
                // A layout is checked with the layout keys, not these.
                loaded.layouts.push(UnverifiedLayout {
                    origin,
                    sha256,
                    document,
                    layout: *layout,
                    source,
                })
            }
            Content::Link(link) => loaded.items.push(Unverified {
                origin,
                sha256,
                claim: Claim::Link(link.name.clone()),
                document: released(document, &outcome),
                body: Body::Link(link),
                outcome,
            }),
            Content::Statement(statement) => {
                let claim = statement_claim(&statement);
                loaded.items.push(Unverified {
                    origin,
                    sha256,
                    claim,
                    document: released(document, &outcome),
                    body: Body::Statement(statement),
                    outcome,
                });
            }
        }
        Ok(())
    }
}

/// The lines of `bytes` (`split_mut` at `\n`, each end found by `memchr`
/// rather than a test of every byte: a bundle line may be 40 MB).
/// Whether a stream (whose name says nothing) holds JSON lines: its first
/// non-blank line is a whole object and another line follows. A pretty
/// printed document's first line is `{` alone; a one-line document is read
/// the same either way.
fn looks_like_json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    first.len() > 1 && first.starts_with(b"{") && first.ends_with(b"}") && lines.next().is_some()
}

fn lines_mut(bytes: &mut [u8]) -> impl Iterator<Item = &mut [u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let bytes = rest.take()?;
        match memchr::memchr(b'\n', bytes) {
            Some(end) => {
                let (line, tail) = bytes.split_at_mut(end);
                rest = tail.get_mut(1..);
                Some(line)
            }
            None => Some(bytes),
        }
    })
}

/// What a Statement claims to be: a link for a step (link/v0.3), or a
/// predicate of its type.
fn statement_claim(statement: &super::model::Statement) -> Claim {
    if statement.predicate_type == crate::predicates::LINK_V03 {
        let name = statement
            .predicate
            .get("name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        Claim::Link(name.to_owned())
    } else {
        Claim::Predicate(statement.predicate_type.clone())
    }
}

/// The start of every Sigstore bundle media type.
const SIGSTORE_MEDIA_TYPE: &[u8] = b"application/vnd.dev.sigstore.bundle";

impl Reader<'_> {
    /// A Sigstore bundle: read strictly, its DSSE Statement parsed as any
    /// envelope's, and its signatures checked against the trusted roots and
    /// the policy's identities and keys while it is read.
    fn sigstore(
        &self,
        bytes: &[u8],
        value: &serde_json::Value,
        origin: Origin,
        at: &Location,
        loaded: &mut Loaded,
    ) -> Result<(), EvidenceError> {
        let bundle = super::sigstore::read::bundle_from_value(value, bytes, at)?;
        let Some((payload_type, payload)) = bundle.dsse_payload() else {
            return Err(EvidenceError::Unrecognised {
                at: at.clone(),
                reason: "a Sigstore bundle with a message signature signs a file, not an attestation; verify it with `cairn verify-bundle`".into(),
            });
        };
        let document = Document::Dsse(super::dsse::Envelope {
            payload_type: payload_type.to_owned(),
            payload: payload.to_vec(),
            signatures: Vec::new(),
        });
        let parsed = content(&document, at, self.limits)?;
        let Content::Statement(statement) = parsed else {
            return Err(EvidenceError::Unrecognised {
                at: at.clone(),
                reason: "a Sigstore bundle whose payload is not an in-toto Statement".into(),
            });
        };
        let outcome = match self.checker.and_then(|c| c.sigstore) {
            Some(trust) => {
                let checked = super::sigstore::check_bundle(&bundle, trust);
                Outcome {
                    signers: checked.signers,
                    hints: Vec::new(),
                    failures: checked.failures,
                    signer: checked.signer,
                    summary: checked.summary,
                }
            }
            None => Outcome {
                signers: Vec::new(),
                hints: Vec::new(),
                failures: vec!["a Sigstore bundle needs a trusted root: name one with `trust-root` in the policy, or give `--trusted-root`".into()],
                signer: None,
                summary: None,
            },
        };
        let claim = statement_claim(&statement);
        loaded.items.push(Unverified {
            origin,
            sha256: bundle.sha256.clone(),
            claim,
            document: super::bulk::released(),
            body: Body::Statement(statement),
            outcome: Some(outcome),
        });
        Ok(())
    }
}

impl Reader<'_> {
    /// The entries of a document that holds several attestations (see
    /// [`super::holder`]), each read as a document of its own under the
    /// holder's origin with the entry's path; each counts with the
    /// sha256 of the whole file. A refused entry is reported, the others
    /// are still read.
    fn held(
        &self,
        bytes: &[u8],
        entries: &[super::holder::Entry<'_>],
        origin: &Origin,
        loaded: &mut Loaded,
    ) {
        let sha256 = sha256_hex(bytes);
        for entry in entries {
            let origin = Origin {
                entry: Some(entry.path.clone()),
                ..origin.clone()
            };
            let mut text = entry.value.to_string().into_bytes();
            let (items, layouts) = (loaded.items.len(), loaded.layouts.len());
            let problems = loaded.problems.len();
            if let Err(e) = self.one(&mut text, origin.clone(), loaded, None) {
                loaded.problems.push(e);
            }
            for problem in loaded.problems.iter_mut().skip(problems) {
                *problem = problem.clone().within_entry(&entry.path);
                problem.location_mut().line = origin.line.map(small);
            }
            for item in loaded.items.iter_mut().skip(items) {
                item.sha256.clone_from(&sha256);
            }
            for layout in loaded.layouts.iter_mut().skip(layouts) {
                layout.sha256.clone_from(&sha256);
            }
        }
    }
}

/// Documents from this size on are read by two threads (see `Reader::one`);
/// in tests every document is, so that the threaded road is the one tested.
const SPLIT_BYTES: usize = if cfg!(test) { 1 } else { 1 << 20 };

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A document whose signatures were already checked is not needed again:
/// the bytes it signs are released now rather than after verification.
fn released(document: Document, outcome: &Option<Outcome>) -> Document {
    if outcome.is_some() {
        super::bulk::released()
    } else {
        document
    }
}

/// Reads one signed document (envelope or metablock) of any payload type,
/// for commands that check signatures without interpreting the payload.
pub fn read_signed_file(
    path: &Path,
    limits: &Limits,
) -> Result<(Document, Vec<EvidenceError>), EvidenceError> {
    let mut bytes = Vec::new();
    read_bounded_into(
        path,
        cairn_base::files::ReadOptions::file(limits.max_file_bytes),
        &mut bytes,
    )?;
    read_document(&bytes, &Location::file(path.display().to_string()), limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn file_and_total_byte_limits() {
        let small = Limits {
            max_file_bytes: 10,
            max_total_bytes: 15,
            ..Limits::default()
        };
        let big = temp("big.json", &[b' '; 11]);
        let loaded = load(&[big], &small);
        assert!(matches!(
            loaded.problems[..],
            [EvidenceError::TooLarge {
                what: "file",
                limit: 10,
                ..
            }]
        ));
        // 8 bytes each: the second file gets the 7 bytes the first left.
        let a = temp("total-a.json", b"{\"a\": 1}");
        let b = temp("total-b.json", b"{\"b\": 1}");
        let loaded = load(&[a, b.clone()], &small);
        let over: Vec<_> = loaded
            .problems
            .iter()
            .filter_map(|p| match p {
                EvidenceError::TooLarge {
                    at, what, limit, ..
                } => Some((at.file.clone(), *what, *limit)),
                _ => None,
            })
            .collect();
        assert_eq!(
            over,
            [(b.display().to_string(), "file (all files together)", 15)]
        );
    }

    /// A link of more artifacts than any count limit cairn ever had
    /// (100,000) is read whole, by the fast road and by the ordinary one.
    #[test]
    fn a_link_of_many_artifacts_is_read() {
        let digest = "ab".repeat(32);
        let products: Vec<String> = (0..100_002)
            .map(|i| format!(r#""f{i:06}.o":{{"sha256":"{digest}"}}"#))
            .collect();
        let signed = format!(
            r#"{{"_type":"link","byproducts":{{}},"command":[],"environment":{{}},"materials":{{}},"name":"build","products":{{{}}}}}"#,
            products.join(",")
        );
        for (name, text) in [
            (
                "many.link",
                format!(r#"{{"signatures":[{{"keyid":"k","sig":"00"}}],"signed":{signed}}}"#),
            ),
            // Not sorted: the ordinary reader.
            (
                "many-spaced.link",
                format!(
                    r#"{{ "signed": {signed}, "signatures": [{{"keyid": "k", "sig": "00"}}] }}"#
                ),
            ),
        ] {
            let loaded = load(&[temp(name, text.as_bytes())], &Limits::default());
            assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
            let [item] = &loaded.items[..] else {
                panic!("{name}: {} items", loaded.items.len())
            };
            let Body::Link(link) = &item.body else {
                panic!("{name}: not a link")
            };
            assert_eq!(link.products.len(), 100_002, "{name}");
        }
    }

    #[test]
    fn lines_and_files_are_not_counted() {
        // 70,000 lines, more than any count limit cairn ever had: each read.
        let lines = temp("many.jsonl", "{}\n".repeat(70_000).as_bytes());
        let loaded = load(&[lines], &Limits::default());
        assert_eq!(loaded.problems.len(), 70_000);
        assert!(loaded
            .problems
            .iter()
            .all(|p| matches!(p, EvidenceError::IgnoredLine { .. })));
    }

    #[test]
    fn a_reused_buffer_reads_each_file_whole() {
        let big = temp("reuse-big.json", &[b'x'; 3 << 20]);
        let small = temp("reuse-small.json", b"{}");
        let mut bytes = b"left over".to_vec();
        read_bounded_into(
            &big,
            cairn_base::files::ReadOptions::file(u64::MAX),
            &mut bytes,
        )
        .unwrap();
        assert_eq!(bytes.len(), 3 << 20);
        read_bounded_into(
            &small,
            cairn_base::files::ReadOptions::file(u64::MAX),
            &mut bytes,
        )
        .unwrap();
        assert_eq!(bytes, b"{}");
        assert!(bytes.capacity() < 1 << 20, "a far larger buffer is let go");
        read_bounded_into(&small, cairn_base::files::ReadOptions::file(1), &mut bytes).unwrap_err();
        read_bounded_into(
            &big,
            cairn_base::files::ReadOptions::file(u64::MAX),
            &mut bytes,
        )
        .unwrap();
        read_bounded_into(
            &big,
            cairn_base::files::ReadOptions::file(u64::MAX),
            &mut bytes,
        )
        .unwrap();
        assert_eq!(bytes, read_bounded(&big, u64::MAX).unwrap());
    }

    #[test]
    fn streams_of_json_lines_are_told_from_documents() {
        assert!(looks_like_json_lines(b"{\"a\": 1}\n{\"b\": 2}\n"));
        assert!(looks_like_json_lines(b"\n  {\"a\": 1}  \n\n{}"));
        assert!(!looks_like_json_lines(b"{\"a\": 1}\n"));
        assert!(!looks_like_json_lines(b"{\n  \"a\": 1\n}\n"));
        assert!(!looks_like_json_lines(b"[1]\n[2]"));
        assert!(!looks_like_json_lines(b""));
    }

    #[test]
    fn unrecognised_single_file_is_an_error() {
        let path = temp("hello.json", b"{\"hello\": 1}");
        let loaded = load(&[path], &Limits::default());
        assert!(matches!(
            loaded.problems[..],
            [EvidenceError::Unrecognised { .. }]
        ));
    }

    #[test]
    fn lines_are_those_of_split_mut() {
        for text in ["", "\n", "a", "a\nb", "a\nb\n", "\n\na\n\n", "ab\r\ncd"] {
            let mut ours = text.as_bytes().to_vec();
            let mut theirs = ours.clone();
            let ours: Vec<Vec<u8>> = lines_mut(&mut ours).map(|l| l.to_vec()).collect();
            let theirs: Vec<Vec<u8>> = theirs
                .split_mut(|&b| b == b'\n')
                .map(|l| l.to_vec())
                .collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }
}
