//! `cairn import FILE`: a classic in-toto layout (metablock or DSSE) becomes
//! formatted `.cairn` source with the same verdicts. The signature is checked
//! only when `--layout-key` is given, and a note on stderr says which. A
//! `.yaml`/`.yml` file is an attestation-verifier layout (ITE-10/11).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cairn_interop::ImportError;
use clap::Args;

use super::keyio::{read_owner_keys, report, write_out};
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};

/// `cairn import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The classic layout (`{signed, signatures}` metablock, DSSE envelope or bare layout JSON),
    /// or an attestation-verifier layout (`.yaml`/`.yml`).
    pub file: PathBuf,
    /// Check that this key signed the layout (repeatable; every one must have signed).
    #[arg(long = "layout-key", value_name = "KEY")]
    pub layout_keys: Vec<PathBuf>,
    /// Substitute a parameter (repeatable): in a classic layout as `verify --layout --param` does
    /// (without it, `{` and `}` stay literal); in an attestation-verifier layout as its
    /// `--substitute-parameters` does (a placeholder left without a value becomes a `param`).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Where to write the policy; standard output when absent (an existing file is replaced).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

type Boxed = Box<dyn miette::Diagnostic + Send + Sync>;

/// Runs `cairn import`.
pub fn run(args: &ImportArgs, color: ColorChoice) -> ExitCode {
    match import(args) {
        Ok(text) => match write_out(args.output.as_deref(), &text, false) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => {
                report(&e, color);
                ExitCode::from(EXIT_ERROR)
            }
        },
        Err((code, errors)) => {
            for e in &errors {
                report(e.as_ref(), color);
            }
            ExitCode::from(code)
        }
    }
}

fn import(args: &ImportArgs) -> Result<String, (u8, Vec<Boxed>)> {
    let fail = |code: u8, e: Boxed| (code, vec![e]);
    let path = &args.file;
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        let params = cairn::parse_params(&args.params).map_err(|e| fail(EXIT_ERROR, e))?;
        return yaml(path, &params);
    }
    let shown = path.display().to_string();
    if args.layout_keys.is_empty() {
        if let Some(source) = unsigned(path) {
            errln!("note: `{shown}` carries no signature; it was translated unchecked");
            let params = cairn::parse_params(&args.params).map_err(|e| fail(EXIT_ERROR, e))?;
            return to_source(path, &source, &params);
        }
    }
    let mut loaded = cairn_evidence::load(std::slice::from_ref(path), &super::limits());
    if !loaded.problems.is_empty() {
        let problems = loaded.problems.into_iter().map(|p| Box::new(p) as Boxed);
        return Err((EXIT_ERROR, problems.collect()));
    }
    let Some(item) = loaded.layouts.pop().filter(|_| loaded.layouts.is_empty()) else {
        return Err(fail(
            EXIT_ERROR,
            Box::new(ImportError::NotALayout { path: shown }),
        ));
    };
    let source = if args.layout_keys.is_empty() {
        errln!("note: the signatures of `{shown}` were not checked (pass `--layout-key` to check them)");
        item.unchecked_source().clone()
    } else {
        let keys = read_owner_keys(&args.layout_keys).map_err(|e| fail(EXIT_ERROR, Box::new(e)))?;
        let (_, verified) = cairn_evidence::verify_layout_source(item, &keys)
            .map_err(|r| fail(EXIT_NO, r as Boxed))?;
        let unsigned: Vec<Boxed> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| !verified.signers().contains(i))
            .map(|(_, k)| {
                Box::new(ImportError::Unsigned {
                    path: shown.clone(),
                    key: k.label.clone(),
                }) as Boxed
            })
            .collect();
        if !unsigned.is_empty() {
            return Err((EXIT_NO, unsigned));
        }
        let labels: Vec<&str> = keys.iter().map(|k| k.label.as_str()).collect();
        errln!(
            "note: the signatures of `{shown}` were checked: signed by {}",
            labels.join(", ")
        );
        verified.value().clone()
    };
    let params = cairn::parse_params(&args.params).map_err(|e| fail(EXIT_ERROR, e))?;
    to_source(path, &source, &params)
}

/// A layout without signatures: a bare layout object (what `cairn compile
/// --target in-toto` prints) or a metablock with an empty `signatures`
/// list. `None` for anything else, which the evidence layer then reads (and
/// reports on).
fn unsigned(path: &Path) -> Option<cairn_evidence::LayoutSource> {
    let limits = super::limits();
    let bytes = cairn_evidence::load::read_bounded(path, limits.max_file_bytes).ok()?;
    let value = cairn_json::parse(&bytes, limits.max_depth).ok()?;
    let is_layout = |v: &serde_json::Value| {
        v.get("_type").and_then(serde_json::Value::as_str) == Some("layout")
    };
    let signed = if is_layout(&value) {
        value
    } else {
        let empty = value
            .get("signatures")
            .and_then(serde_json::Value::as_array)
            .is_some_and(Vec::is_empty);
        let signed = value.get("signed").filter(|s| is_layout(s))?.clone();
        if !empty || value.get("payload").is_some() {
            return None;
        }
        signed
    };
    Some(cairn_evidence::LayoutSource {
        signed,
        text: String::from_utf8(bytes).ok()?,
    })
}

/// An attestation-verifier YAML layout (unsigned by design) as `.cairn` text.
fn yaml(path: &Path, params: &BTreeMap<String, String>) -> Result<String, (u8, Vec<Boxed>)> {
    let bytes = cairn_evidence::load::read_bounded(path, super::limits().max_file_bytes)
        .map_err(|e| (EXIT_ERROR, vec![Box::new(e) as Boxed]))?;
    let text = String::from_utf8_lossy(&bytes);
    let name = path.file_stem().map_or_else(
        || "layout".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let (source, notes) =
        cairn_interop::ite10::to_cairn_with(&text, &name, params).map_err(|errors| {
            let code = if errors.iter().any(|e| {
                matches!(
                    e,
                    cairn_interop::ite10::Ite10Error::Yaml { .. }
                        | cairn_interop::ite10::Ite10Error::ParamCycle { .. }
                )
            }) {
                EXIT_ERROR
            } else {
                EXIT_NO
            };
            (
                code,
                errors.into_iter().map(|e| Box::new(e) as Boxed).collect(),
            )
        })?;
    errln!(
        "note: `{}` is an attestation-verifier layout, which carries no signature",
        path.display()
    );
    for note in notes {
        errln!("note: {note}");
    }
    finish(path, &source)
}

/// Translates a layout's signed content, parameters substituted as
/// `verify --layout --param` does, to formatted `.cairn` text.
fn to_source(
    path: &Path,
    layout: &cairn_evidence::LayoutSource,
    params: &BTreeMap<String, String>,
) -> Result<String, (u8, Vec<Boxed>)> {
    let name = path
        .file_stem()
        .map_or_else(|| "root".to_string(), |s| s.to_string_lossy().into_owned());
    let mut signed = layout.signed.clone();
    if !params.is_empty() {
        cairn_interop::classic::substitute_parameters(&mut signed, params).map_err(|missing| {
            let missing: Vec<Boxed> = missing.into_iter().map(|e| Box::new(e) as Boxed).collect();
            (EXIT_NO, missing)
        })?;
    }
    let source =
        cairn_base::source::SourceFile::new(path.display().to_string(), layout.text.clone());
    let imported = cairn_interop::classic::layout_to_ir_with(&signed, &source.text, &name, false)
        .map_err(|errors| {
        let errors: Vec<Boxed> = errors
            .into_iter()
            .map(|e| Boxed::from(cairn_interop::report(e, &source)))
            .collect();
        (EXIT_NO, errors)
    })?;
    let text = cairn_interop::source::to_cairn(&imported).map_err(|e| {
        let e = ImportError::Untranslatable {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        (EXIT_NO, vec![Box::new(e) as Boxed])
    })?;
    finish(path, &text)
}

/// The printed policy `text` of the layout at `path`, formatted, once cairn
/// accepts it as a policy. What the layout holds that a policy cannot spell
/// (a step or inspection name that is not a cairn name, an inspection
/// without a command) or that breaks a rule of the language (a threshold
/// above its keys, a step declared twice, no step at all) is refused (E544,
/// exit 1) rather than written; printed text that does not parse for any
/// other reason is a bug (E543). (A control or invisible character in a
/// string never gets this far: the printers refuse it.)
fn finish(path: &Path, text: &str) -> Result<String, (u8, Vec<Boxed>)> {
    let refuse = |reason: String| {
        let e = ImportError::Untranslatable {
            path: path.display().to_string(),
            reason,
        };
        (EXIT_NO, vec![Box::new(e) as Boxed])
    };
    let formatted =
        cairn_lang::syntax::format_source(text).map_err(|e| match unspellable(text) {
            Some(reason) => refuse(reason),
            None => (
                EXIT_ERROR,
                vec![Box::new(ImportError::Printed {
                    reason: e.to_string(),
                }) as Boxed],
            ),
        })?;
    let base = path.parent().unwrap_or(Path::new("."));
    if let Err(errors) = cairn_lang::lower::compile_source("import", &formatted, base) {
        let reasons: Vec<String> = errors
            .reports
            .iter()
            .map(|r| match r.code() {
                Some(code) => format!("{code} {r}"),
                None => r.to_string(),
            })
            .collect();
        return Err(refuse(reasons.join("; ")));
    }
    Ok(formatted)
}

/// Why printed `text` that did not parse holds what the layout
/// gave and a policy cannot spell, if that is why.
fn unspellable(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim_start();
        if line.trim_end() == "run" {
            return Some("an inspection has an empty `run` command".to_string());
        }
        ["step \"", "inspection \""].iter().find_map(|start| {
            let rest = line.strip_prefix(start)?;
            let name = rest.rsplit_once("\" {").map_or(rest, |(name, _)| name);
            Some(format!(
                "{} name `{}` is not a cairn name (a letter or `_`, then letters, digits, `_` or `-`)",
                start.trim_end_matches([' ', '"']),
                cairn_base::escape::escape_controls(name)
            ))
        })
    })
}
