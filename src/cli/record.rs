//! `cairn record start|stop`: record a step in two commands, as
//! `in-toto-record` does, for work no single command wraps. `start` records
//! the materials and writes them, signed, as `.<step>.<keyid8>.link-unfinished`
//! in the working directory; `stop` checks that file's signature with the same
//! key, records the products, writes the signed link `<step>.<keyid8>.link`
//! and removes the unfinished one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::keyio::{read_private_key, report};
use super::run::{link_name, step_name_ok, write_link, Boxed, RecordingArgs, StepSigner};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_evidence::document::Document;
use cairn_evidence::load::read_signed_file;
use cairn_evidence::parse::{content, Content};
use cairn_evidence::verify::check;
use cairn_evidence::{Artifacts, Link, Location, Scheme, SigningKey, TrustedKey};
use cairn_record::RunError;

/// `cairn record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    action: Action,
}

/// `cairn record start` and `cairn record stop`.
#[derive(Debug, Subcommand)]
enum Action {
    /// Record the materials and write them, signed, as
    /// `.<step>.<keyid8>.link-unfinished` in the working directory.
    Start(StartArgs),
    /// Check the unfinished link with the same key, record the products,
    /// write the signed link `<step>.<keyid8>.link` and remove the unfinished one.
    Stop(StopArgs),
}

/// `cairn record start`.
#[derive(Debug, Args)]
struct StartArgs {
    #[command(flatten)]
    step: StepSigner,
    /// Files or directories to record as materials.
    #[arg(short = 'm', long, num_args = 1.., value_name = "PATH")]
    materials: Vec<String>,
    #[command(flatten)]
    recording: RecordingArgs,
    /// Write the links as DSSE envelopes instead of classic metablocks (`stop`
    /// keeps the form `start` chose).
    #[arg(long, visible_alias = "dsse")]
    use_dsse: bool,
}

/// `cairn record stop`.
#[derive(Debug, Args)]
struct StopArgs {
    #[command(flatten)]
    step: StepSigner,
    /// Files or directories to record as products.
    #[arg(short = 'p', long, num_args = 1.., value_name = "PATH")]
    products: Vec<String>,
    #[command(flatten)]
    recording: RecordingArgs,
    /// The directory the link is written to (default: the working directory).
    #[arg(short = 'd', long, value_name = "DIR")]
    metadata_directory: Option<PathBuf>,
    /// Accepted as `in-toto-record stop` accepts it, and changes nothing:
    /// the link keeps the form `start` chose.
    #[arg(long, visible_alias = "dsse")]
    use_dsse: bool,
}

/// Runs `cairn record`.
pub fn run(args: RecordArgs, color: ColorChoice) -> ExitCode {
    let (done, recording) = match &args.action {
        Action::Start(a) => (start(a), &a.recording),
        Action::Stop(a) => (stop(a, color), &a.recording),
    };
    match done {
        Ok(written) => {
            recording.wrote(&written);
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `.<step>.<keyid8>.link-unfinished`, as in-toto names it.
fn unfinished_name(step: &str, key: &SigningKey) -> String {
    format!(".{}-unfinished", link_name(step, key))
}

fn start(args: &StartArgs) -> Result<PathBuf, Boxed> {
    step_name_ok(&args.step.step_name)?;
    let key = read_private_key(&args.step.key)?;
    let materials = args.recording.recorder()?.record(&args.materials)?;
    args.recording.tell("material", &materials);
    let link = Link {
        name: args.step.step_name.clone(),
        command: Vec::new(),
        materials: materials.artifacts,
        products: Artifacts::new(),
        byproducts: json!({}),
        environment: json!({}),
    };
    write_link(
        &link,
        &key,
        args.use_dsse,
        &unfinished_name(&args.step.step_name, &key),
        None,
    )
}

fn stop(args: &StopArgs, color: ColorChoice) -> Result<PathBuf, Boxed> {
    step_name_ok(&args.step.step_name)?;
    let key = read_private_key(&args.step.key)?;
    let started = PathBuf::from(unfinished_name(&args.step.step_name, &key));
    if !started.exists() {
        return Err(Box::new(RunError::NotStarted {
            file: cairn_record::shown(&started),
            step: args.step.step_name.clone(),
        }));
    }
    let (doc, notes) = read_signed_file(&started, &super::limits())?;
    for note in &notes {
        report(note, color);
    }
    let bad = |reason: String| RunError::BadStart {
        file: cairn_record::shown(&started),
        reason,
    };
    let public = key.public();
    let trusted = TrustedKey::new(public.clone(), Scheme::default_for(&public), "--key");
    if check(&doc, &[trusted]).signers.is_empty() {
        return Err(Box::new(bad("the given key did not sign it".into())));
    }
    let dsse = matches!(doc, Document::Dsse(_));
    let at = Location::file(started.display().to_string());
    let started_link = match content(&doc, &at, &super::limits()) {
        Ok(Content::Link(link)) => link,
        Ok(_) => return Err(Box::new(bad("it does not hold a link".into()))),
        Err(e) => return Err(Box::new(bad(e.to_string()))),
    };
    if started_link.name != args.step.step_name {
        return Err(Box::new(bad(format!(
            "it is the link of another step, not of `{}`",
            args.step.step_name
        ))));
    }
    for (field, value) in [
        ("$.byproducts", &started_link.byproducts),
        ("$.environment", &started_link.environment),
    ] {
        if let Some(path) = first_non_integer(value, field) {
            return Err(Box::new(bad(format!(
                "the number at `{path}` is not an integer of at most 64 bits, which cairn cannot write back as it was signed"
            ))));
        }
    }
    let products = args.recording.recorder()?.record(&args.products)?;
    args.recording.tell("product", &products);
    let link = Link {
        products: products.artifacts,
        ..started_link
    };
    let written = write_link(
        &link,
        &key,
        dsse,
        &link_name(&args.step.step_name, &key),
        args.metadata_directory.as_deref(),
    )?;
    std::fs::remove_file(&started).map_err(|e| {
        Box::new(super::keyio::CliError::Write {
            path: cairn_record::shown(&started),
            reason: format!(
                "the link was written, but the unfinished one could not be removed: {e}"
            ),
        }) as Boxed
    })?;
    Ok(written)
}

/// Where in `value` (whose path is `at`) the first number is that is not
/// an integer of at most 64 bits (it would not be written back as signed).
fn first_non_integer(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Some(at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_non_integer(v, &format!("{at}[{i}]"))),
        Value::Object(members) => members
            .iter()
            .find_map(|(k, v)| first_non_integer(v, &format!("{at}[{}]", Value::from(k.as_str())))),
        _ => None,
    }
}
