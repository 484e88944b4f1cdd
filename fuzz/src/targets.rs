//! The bodies of cairn's fuzz targets, one function per target in
//! `fuzz/fuzz_targets/` (each target calls its function). The same file is
//! compiled into the test suite (`tests/it/fuzz_corpora.rs`), which feeds
//! every file of `fuzz/corpus/<target>/` to the target's function: the
//! seed corpora are replayed by a plain `cargo test`.
//!
//! Every function takes any bytes. Bad input must give an error, never a
//! panic; the asserts are properties that must hold for every input.

use std::collections::BTreeMap;
use std::path::Path;

use cairn_evidence::{Limits, Location, TrustedKey};

/// A target's function.
pub type Target = fn(&[u8]);

/// Every target: its name (the folder of its corpus) and its function.
pub const TARGETS: &[(&str, Target)] = &[
    ("artifact_patterns", artifact_patterns),
    ("classic_layout", classic_layout),
    ("classic_link", classic_link),
    ("dsse_envelope", dsse_envelope),
    ("evidence_bytes", evidence_bytes),
    ("evidence_file", evidence_file),
    ("ite10_import", ite10_import),
    ("json_roads", json_roads),
    ("lsp_document", lsp_document),
    ("policy_source", policy_source),
    ("predicate_checks", predicate_checks),
    ("predicate_paths", predicate_paths),
    ("public_key", public_key),
    ("sigstore_bundle", sigstore_bundle),
    ("trusted_root", trusted_root),
    ("x509_functionaries", x509_functionaries),
];

/// The trusted keys the signature-checking targets use: an Ed25519 key and
/// ECDSA keys on P-256 and P-384 of the test suite.
fn keys() -> Vec<TrustedKey> {
    [
        include_str!("../../tests/keys/alice.pub"),
        include_str!("../../tests/keys/more/p256.pub"),
        include_str!("../../tests/keys/more/p384.pub"),
    ]
    .iter()
    .enumerate()
    .filter_map(|(i, pem)| TrustedKey::parse(pem, format!("k{i}")).ok())
    .collect()
}

/// Text after the first byte, split at NULs into at most `n` parts.
fn parts(data: &[u8], n: usize) -> Option<(u8, Vec<&str>)> {
    let (&first, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    Some((first, text.splitn(n, '\0').collect()))
}

/// A policy's source: parsed, formatted (the result parses again and
/// formats to itself), lowered and linted, never a panic.
pub fn policy_source(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(formatted) = cairn_lang::syntax::format_source(text) {
        let again = cairn_lang::syntax::format_source(&formatted);
        assert_eq!(
            again.as_deref().ok(),
            Some(formatted.as_str()),
            "formatting is not idempotent, or its output does not parse"
        );
    }
    let base = Path::new("/nonexistent-cairn-fuzz");
    let _ = cairn_lang::lower::compile_source("fuzz.cairn", text, base);
    let options = cairn_lang::lint::Options {
        now: 1_700_000_000,
        expiry_warn_days: cairn_lang::lint::Options::DEFAULT_EXPIRY_WARN_DAYS,
    };
    let levels = cairn_lang::lint::Levels::default();
    let _ = cairn_lang::lint::lint_source("fuzz.cairn", text, base, &options, &levels);
}

/// Any text as a document open in an editor: analysed as `cairn lsp`
/// analyses it (parse, compile with its imports, lint), then every request
/// the server answers (completion, hover, the symbol under the cursor) at up
/// to 256 places spread over it, the semantic tokens, the outline and each
/// problem's code actions; positions round-trip in UTF-8 and UTF-16. Never a
/// panic.
pub fn lsp_document(data: &[u8]) {
    use cairn_lsp::analysis::Analysis;
    use cairn_lsp::lines::{Encoding, Lines};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let a = Analysis::new(
        text.to_string(),
        Path::new("/nonexistent-cairn-fuzz"),
        1_700_000_000,
    );
    let _ = cairn_lsp::tokens::classify(text, &a.index);
    if let Some(parsed) = &a.parsed {
        let _ = cairn_lsp::outline::outline(&Lines::new(text, Encoding::Utf16), parsed);
    }
    for p in &a.problems {
        let _ = cairn_lsp::actions::actions(text, p);
    }
    let step = (text.len() / 256).max(1);
    let offsets = (0..=text.len())
        .step_by(step)
        .filter(|&o| text.is_char_boundary(o));
    let utf8 = Lines::new(text, Encoding::Utf8);
    let utf16 = Lines::new(text, Encoding::Utf16);
    for offset in offsets {
        let _ = cairn_lsp::complete::complete(text, offset);
        let _ = cairn_lsp::hover::hover(&a, offset);
        let _ = a.index.symbol_at(offset);
        for lines in [&utf8, &utf16] {
            assert_eq!(lines.offset(lines.position(offset)), offset);
        }
    }
}

/// A DSSE envelope or metablock, read and its signatures checked with an
/// Ed25519, a P-256 and a P-384 key; its content read. A document one of
/// the keys verifies no longer verifies once a byte of what it signs (the
/// payload, its type, the canonical `signed`) is changed.
pub fn dsse_envelope(data: &[u8]) {
    use cairn_evidence::document::Document;
    let at = Location::file("fuzz.json");
    let limits = Limits::default();
    let Ok((document, _)) = cairn_evidence::document::read_document(data, &at, &limits) else {
        return;
    };
    let keys = keys();
    let outcome = cairn_evidence::verify::check(&document, &keys);
    assert!(outcome.signers.iter().all(|&i| i < keys.len()));
    assert!(outcome.signers.len() <= document.signatures().len());
    if !outcome.signers.is_empty() {
        let mut tampered = document.clone();
        match &mut tampered {
            Document::Dsse(envelope) => match envelope.payload.first_mut() {
                Some(byte) => *byte ^= 1,
                None => envelope.payload_type.push('x'),
            },
            Document::Metablock { canonical, .. } => match canonical.first_mut() {
                Some(byte) => *byte ^= 1,
                None => canonical.push(b' '),
            },
        }
        let again = cairn_evidence::verify::check(&tampered, &keys);
        assert!(
            again.signers.is_empty(),
            "a tampered document still verifies"
        );
    }
    let _ = cairn_evidence::parse::content(&document, &at, &limits);
}

/// A classic link (a metablock or a DSSE envelope of one), by both roads
/// cairn reads one: the walk of a link's artifacts and the whole document.
pub fn classic_link(data: &[u8]) {
    let limits = Limits::default();
    let _ = cairn_evidence::linkscan::metablock(data, &limits);
    let at = Location::file("build.12345678.link");
    if let Ok((document, _)) = cairn_evidence::document::read_document(data, &at, &limits) {
        let _ = cairn_evidence::parse::content(&document, &at, &limits);
    }
}

/// A classic layout: its `signed` read as cairn's verifier reads it, and
/// imported into a policy (with and without its X.509 members).
pub fn classic_layout(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let at = Location::file("root.layout");
    let Ok(value) = cairn_json::parse(data, 128) else {
        return;
    };
    let signed = value.get("signed").unwrap_or(&value);
    let _ = cairn_evidence::layout::layout(signed, &at);
    for x509 in [false, true] {
        if let Ok(layout) = cairn_interop::classic::layout_to_ir_with(signed, text, "root", x509) {
            let _ = cairn_interop::classic::ir_to_layout_json(&layout);
        }
    }
}

/// The trusted root of the Sigstore cases, read once.
fn sigstore_trust() -> Option<&'static cairn_evidence::sigstore::SigstoreTrust> {
    use std::sync::OnceLock;
    static TRUST: OnceLock<Option<cairn_evidence::sigstore::SigstoreTrust>> = OnceLock::new();
    TRUST
        .get_or_init(|| {
            let root =
                include_bytes!("../../tests/sigstore/cases/dsse_provenance_v03/trusted_root.json");
            let root =
                cairn_evidence::sigstore::read_trust_root(root, "trusted_root.json", 128).ok()?;
            let mut identity = cairn_evidence::sigstore::Identity {
                label: "release".into(),
                constraints: Vec::new(),
            };
            identity.require(
                "san",
                cairn_evidence::sigstore::Matcher::Exact(
                    "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
                        .into(),
                ),
                "fuzz",
            );
            Some(cairn_evidence::sigstore::SigstoreTrust {
                roots: vec![root],
                identities: vec![(0, identity)],
                keys: Vec::new(),
            })
        })
        .as_ref()
}

/// A Sigstore bundle, read strictly and checked against the trusted root
/// of the Sigstore cases for the identity of their release workflow.
pub fn sigstore_bundle(data: &[u8]) {
    let at = Location::file("bundle.sigstore.json");
    let Ok(bundle) = cairn_evidence::sigstore::read_bundle(data, &at, 128) else {
        return;
    };
    if let Some(trust) = sigstore_trust() {
        let checked = cairn_evidence::sigstore::check_bundle(&bundle, trust);
        assert!(
            checked.signers.len() <= 1,
            "a bundle counts for one signer at most"
        );
        assert!(
            checked.signers.is_empty() || checked.failures.is_empty(),
            "a bundle both verified and failed"
        );
    }
}

/// A Sigstore trusted root.
pub fn trusted_root(data: &[u8]) {
    let _ = cairn_evidence::sigstore::read_trust_root(data, "trusted_root.json", 128);
}

/// A predicate check over a predicate: the first byte picks the quantifier
/// and the test, then `PATH NUL OPERAND NUL JSON`. The check gives the same
/// outcome over the predicate's value and over its text (the lazy road).
pub fn predicate_checks(data: &[u8]) {
    use cairn_lang::ir::{Check, CompareOp, Level, Quantifier, Test};
    let Some((first, parts)) = parts(data, 3) else {
        return;
    };
    let [path, operand, json] = parts.as_slice() else {
        return;
    };
    let quantifier = match first % 4 {
        0 => Quantifier::One,
        1 => Quantifier::All,
        2 => Quantifier::Any,
        _ => Quantifier::Count,
    };
    let value = || cairn_json::parse(operand.as_bytes(), 8).unwrap_or(serde_json::Value::Null);
    let op = match (first / 4) % 6 {
        0 => CompareOp::Eq,
        1 => CompareOp::Ne,
        2 => CompareOp::Lt,
        3 => CompareOp::Le,
        4 => CompareOp::Gt,
        _ => CompareOp::Ge,
    };
    let test = match (first / 24) % 6 {
        0 => Test::Matches {
            regex: (*operand).to_owned(),
        },
        1 => Test::In {
            values: match value() {
                serde_json::Value::Array(values) => values,
                other => vec![other],
            },
        },
        2 => Test::Exists,
        3 => Test::IsEmpty,
        4 => Test::IsNotEmpty,
        _ => Test::Compare { op, value: value() },
    };
    let check = Check {
        level: Level::Deny,
        path: (*path).to_owned(),
        root: Default::default(),
        quantifier,
        test,
        span: Default::default(),
    };
    if let Some((by_value, by_text)) = cairn_eval::check_both_roads(&check, json, 64) {
        assert_eq!(by_value, by_text, "{check:?} over {json}");
    }
}

/// Any text as a predicate kept as text: the paths answered over the text
/// never panic and give ranges inside it; over strict JSON (what a
/// predicate's text always is: the strict reader checked it), the one-walk
/// selection of several paths agrees with each path selected alone.
pub fn predicate_paths(data: &[u8]) {
    use cairn_eval::lazy;
    const PATHS: &[&str] = &[
        "$.components[*].licenses[*].license.id",
        "$.components[*]",
        "$.components[?(@.type == 'library')].name",
        "$.a.b[0]",
        "$.*",
        "$.metadata.component.name",
    ];
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = cairn_json::parse(data, 128).is_ok();
    let together = lazy::select_many(PATHS, text);
    for (path, many) in PATHS.iter().zip(&together) {
        let alone = lazy::select(path, text);
        if let Some(ranges) = &alone {
            assert!(ranges
                .iter()
                .all(|r| r.end <= text.len() && r.start <= r.end));
        }
        if let (true, Some(a), Some(m)) = (strict, &alone, many) {
            assert_eq!(a, m, "{path}");
        }
    }
}

/// An artifact pattern and a name (`PATTERN NUL NAME`): cairn's matcher
/// agrees with a plain reference matcher of the same fnmatch semantics.
pub fn artifact_patterns(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, name) = text.split_once('\0').unwrap_or((text, ""));
    // The reference is quadratic: keep the inputs short.
    if pattern.chars().count() > 64 || name.chars().count() > 64 {
        return;
    }
    let reference = reference::compile(pattern);
    match cairn_lang::pattern::Pattern::new(pattern) {
        Ok(compiled) => {
            let tokens = reference
                .unwrap_or_else(|| panic!("cairn compiled `{pattern}`, the reference refused it"));
            assert_eq!(
                compiled.matches(name),
                reference::matches(&tokens, name),
                "pattern `{pattern:?}` against `{name:?}`"
            );
            assert_eq!(
                compiled.is_literal(),
                tokens
                    .iter()
                    .all(|t| matches!(t, reference::Token::Char(_)))
            );
        }
        Err(_) => assert!(
            reference.is_none(),
            "cairn refused `{pattern}`, the reference compiled it"
        ),
    }
}

/// A reference fnmatch matcher, written from Python's `fnmatch.translate`
/// as plainly as possible: sets parsed as translate delimits them, then
/// matched as a regex character class would match them; the whole name by
/// a table over (pattern position, name position).
mod reference {
    /// One element of a pattern.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Token {
        Char(char),
        Any,
        Star,
        Set(bool, Vec<(char, char)>),
    }

    /// The tokens of `pattern`, `None` for an unterminated `[`.
    pub fn compile(pattern: &str) -> Option<Vec<Token>> {
        let p: Vec<char> = pattern.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < p.len() {
            let c = p[i];
            i += 1;
            match c {
                '*' => out.push(Token::Star),
                '?' => out.push(Token::Any),
                '[' => {
                    // translate: `!` first negates; a `]` right after `[`
                    // or `[!` is a member; the set ends at the next `]`.
                    let mut j = i;
                    if j < p.len() && p[j] == '!' {
                        j += 1;
                    }
                    if j < p.len() && p[j] == ']' {
                        j += 1;
                    }
                    while j < p.len() && p[j] != ']' {
                        j += 1;
                    }
                    if j >= p.len() {
                        return None;
                    }
                    let mut body = &p[i..j];
                    let negated = body.first() == Some(&'!');
                    if negated {
                        body = &body[1..];
                    }
                    let mut ranges = Vec::new();
                    let mut k = 0;
                    while k < body.len() {
                        if k + 2 < body.len() && body[k + 1] == '-' {
                            ranges.push((body[k], body[k + 2]));
                            k += 3;
                        } else {
                            ranges.push((body[k], body[k]));
                            k += 1;
                        }
                    }
                    out.push(Token::Set(negated, ranges));
                    i = j + 1;
                }
                c => out.push(Token::Char(c)),
            }
        }
        Some(out)
    }

    fn one(token: &Token, c: char) -> bool {
        match token {
            Token::Char(x) => *x == c,
            Token::Any | Token::Star => true,
            Token::Set(negated, ranges) => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }

    /// Whether `name` matches all of `tokens`.
    pub fn matches(tokens: &[Token], name: &str) -> bool {
        let n: Vec<char> = name.chars().collect();
        // ok[t][k]: tokens[t..] match n[k..].
        let mut ok = vec![vec![false; n.len() + 1]; tokens.len() + 1];
        ok[tokens.len()][n.len()] = true;
        for t in (0..tokens.len()).rev() {
            for k in (0..=n.len()).rev() {
                ok[t][k] = match &tokens[t] {
                    Token::Star => ok[t + 1][k] || (k < n.len() && ok[t][k + 1]),
                    token => k < n.len() && one(token, n[k]) && ok[t + 1][k + 1],
                };
            }
        }
        ok[0][0]
    }
}

/// Any bytes as evidence given as bytes (`cairn_evidence::load_verified_bytes`,
/// the library's `Options::documents`), under a name that says one document,
/// a bundle of lines, or nothing: loading and checking never panics, and
/// nothing counts as verified without keys.
pub fn evidence_bytes(data: &[u8]) {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = match kind % 3 {
        0 => "input.json",
        1 => "input.jsonl",
        _ => "upload",
    };
    let documents = vec![(name.to_string(), bytes.to_vec())];
    let limits = Limits::default();
    let checked = cairn_evidence::load_verified_bytes(&documents, &limits, &[], None);
    assert!(checked.verified.is_empty());
}

/// Any bytes as an evidence file (a DSSE envelope, a metablock, a Sigstore
/// bundle, npm's attestations document, gcloud's provenance output, or a
/// `.jsonl` of them): loading and checking never panics, and nothing is
/// verified without keys.
pub fn evidence_file(data: &[u8]) {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = if kind % 2 == 0 {
        "input.json"
    } else {
        "input.jsonl"
    };
    let dir = std::env::temp_dir().join(format!("cairn-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let limits = Limits::default();
    let checked = cairn_evidence::load_verified(&[path], &limits, &[]);
    // Nothing is trusted without keys: every readable attestation is rejected.
    assert!(checked.verified.is_empty());
}

/// Any text as an attestation-verifier YAML layout, imported with
/// parameters: `.cairn` source or errors, never a panic.
pub fn ite10_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let params = BTreeMap::from([
        ("a".to_string(), "x{b}".to_string()),
        ("b".to_string(), "{c}y".to_string()),
        ("c".to_string(), "z".to_string()),
    ]);
    let _ = cairn_interop::ite10::to_cairn_with(text, "fuzz", &params);
}

/// Any bytes through cairn's JSON roads: the hand-written strict reader,
/// the same reading through serde_json's `Deserializer` with a seed that
/// refuses repeated keys, the hand-written fast road (borrowed values and
/// `Scanner::skip_value`) and plain `serde_json`. They accept the same
/// inputs with the same values and refuse the rest alike; plain serde_json
/// differs only as `cairn_json::serde_road::compare` documents. The first
/// byte sets the depth limit (1 to 256, past serde_json's own 128).
pub fn json_roads(data: &[u8]) {
    let Some((&depth, bytes)) = data.split_first() else {
        return;
    };
    let max_depth = usize::from(depth) + 1;
    if let Err(e) = cairn_json::serde_road::compare(bytes, max_depth) {
        panic!("{e}");
    }
}

/// Any bytes as a public key file (PEM, DER, raw Ed25519, securesystemslib
/// JSON): a key or an error, never a panic.
pub fn public_key(data: &[u8]) {
    let _ = cairn_evidence::keys::PublicKey::from_file_bytes(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustedKey::parse(text, "fuzz");
    }
}

/// A classic layout's X.509 members (`rootcas`, `intermediatecas`,
/// `cert_constraints`) and a link's certificate, both from the input: read
/// and checked without panicking.
pub fn x509_functionaries(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // The layout's JSON, then the certificate's PEM after a NUL.
    let (layout, cert) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(signed) = serde_json::from_str::<serde_json::Value>(layout) else {
        return;
    };
    if let Ok(Some(policy)) = cairn_evidence::x509::CertPolicy::read(&signed) {
        for step in ["build", "write-code", ""] {
            let _ = policy.admit(step, cert, 1_700_000_000);
        }
    }
}
