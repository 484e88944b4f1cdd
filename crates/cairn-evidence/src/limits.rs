//! Bounds on untrusted input, checked before anything is allocated for it.
//!
//! Bytes are bounded, and so every count in a document (artifacts,
//! subjects, lines) is bounded by the bytes it takes, and the memory cairn
//! spends on it grows linearly with them. The counts whose every entry
//! costs a signature check or more (signatures, a bundle's certificates,
//! log entries and timestamps) have fixed limits of their own
//! ([`MAX_SIGNATURES`] and after), so that the work is linear in the bytes
//! too. The two byte limits
//! are set by environment variables ([`FILE_BYTES_VAR`], [`TOTAL_BYTES_VAR`],
//! read by every command through [`Limits::from_env`]); JSON nesting is
//! bounded by a fixed depth. None can be switched off. The defaults are
//! documented in `docs/evidence.md`.

use miette::Diagnostic;
use thiserror::Error;

/// The variable that sets [`Limits::max_file_bytes`].
pub const FILE_BYTES_VAR: &str = "CAIRN_MAX_FILE_BYTES";
/// The variable that sets [`Limits::max_total_bytes`].
pub const TOTAL_BYTES_VAR: &str = "CAIRN_MAX_TOTAL_BYTES";
/// JSON nesting depth of any document.
pub const MAX_DEPTH: usize = 128;

/// Signatures of one DSSE envelope or classic metablock. Every signature
/// may be tried against every trusted key, so this bounds the signature
/// checks one document can cost (docs/security.md, Bounded work).
pub const MAX_SIGNATURES: usize = 16;
/// Certificates in a Sigstore bundle's verification material (a chain).
pub const MAX_BUNDLE_CERTIFICATES: usize = 10;
/// Transparency log entries of one Sigstore bundle.
pub const MAX_TLOG_ENTRIES: usize = 8;
/// RFC 3161 timestamps of one Sigstore bundle.
pub const MAX_TIMESTAMPS: usize = 8;

/// Limits applied while loading evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one file (a bundle, an envelope, a metablock, a key, a layout).
    pub max_file_bytes: u64,
    /// Bytes read over all files of one load.
    pub max_total_bytes: u64,
    /// Nesting depth of any JSON document.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 1 << 30,
            max_total_bytes: 4 << 30,
            max_depth: MAX_DEPTH,
        }
    }
}

/// A byte limit set to a value cairn cannot read.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("invalid value `{}` for {variable}: {reason}", cairn_base::escape::escape(.value))]
#[diagnostic(
    code(E350),
    help("give a whole number of bytes, optionally with a unit: `536870912`, `512MiB`, `2GiB` (see docs/evidence.md, Limits)")
)]
pub struct LimitError {
    /// The environment variable.
    pub variable: &'static str,
    /// Its value.
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Limits {
    /// The defaults, with each byte limit whose variable is set (and not
    /// empty) taken from it.
    pub fn from_env() -> Result<Limits, LimitError> {
        Limits::from_vars(|name| std::env::var_os(name))
    }

    /// [`Limits::from_env`] over any source of variables.
    pub fn from_vars(
        get: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Limits, LimitError> {
        let mut limits = Limits::default();
        for (variable, field) in [
            (FILE_BYTES_VAR, &mut limits.max_file_bytes),
            (TOTAL_BYTES_VAR, &mut limits.max_total_bytes),
        ] {
            let Some(value) = get(variable) else { continue };
            let Some(text) = value.to_str() else {
                return Err(LimitError {
                    variable,
                    value: value.to_string_lossy().into_owned(),
                    reason: "not UTF-8",
                });
            };
            if text.is_empty() {
                continue;
            }
            *field = parse_bytes(text).map_err(|reason| LimitError {
                variable,
                value: text.to_owned(),
                reason,
            })?;
        }
        Ok(limits)
    }
}

/// `1234`, `512KiB`, `64MiB`, `2GiB`, `1TiB` (no space, no fraction): a
/// number of bytes, at least 1.
pub fn parse_bytes(text: &str) -> Result<u64, &'static str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return Err("not a number of bytes");
    }
    let scale: u64 = match unit {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => return Err("unknown unit (use KiB, MiB, GiB or TiB, or none for bytes)"),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or("too large for a number of bytes")?;
    if bytes == 0 {
        return Err("a limit of 0 bytes would refuse everything");
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn from(pairs: &[(&str, &str)]) -> Result<Limits, LimitError> {
        Limits::from_vars(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn byte_counts_and_units() {
        assert_eq!(parse_bytes("1"), Ok(1));
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert_eq!(parse_bytes("512KiB"), Ok(512 << 10));
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1TiB"), Ok(1 << 40));
        assert_eq!(parse_bytes("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "0",
            "0GiB",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1.5GiB",
            "1GB",
            "1G",
            "1gib",
            "GiB",
            "1e9",
            "18446744073709551616",
            "16777216TiB",
        ] {
            assert!(parse_bytes(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn defaults_admit_a_link_of_a_million_artifacts() {
        let limits = from(&[]).unwrap();
        assert_eq!(limits, Limits::default());
        assert!(limits.max_file_bytes >= 350_000_000);
        assert!(limits.max_total_bytes >= 3 * limits.max_file_bytes);
        assert_eq!(limits.max_depth, 128);
    }

    #[test]
    fn variables_set_the_byte_limits() {
        let limits = from(&[(FILE_BYTES_VAR, "2GiB"), (TOTAL_BYTES_VAR, "100")]).unwrap();
        assert_eq!(limits.max_file_bytes, 2 << 30);
        assert_eq!(limits.max_total_bytes, 100);
        // An empty variable is an unset one.
        assert_eq!(from(&[(FILE_BYTES_VAR, "")]).unwrap(), Limits::default());
        let e = from(&[(TOTAL_BYTES_VAR, "lots")]).unwrap_err();
        assert_eq!(e.variable, TOTAL_BYTES_VAR);
        assert_eq!(e.value, "lots");
        assert_eq!(
            e.to_string(),
            "invalid value `lots` for CAIRN_MAX_TOTAL_BYTES: not a number of bytes"
        );
    }
}
