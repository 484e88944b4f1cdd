//! `cairn record start|stop`: record a step in two commands, as
//! `in-toto-record` does, for work no single command wraps. `start` records
//! the materials and writes them, signed, as `.<step>.<keyid8>.link-unfinished`
//! in the working directory; `stop` checks that file's signature with the same
//! key, records the products, writes the signed link `<step>.<keyid8>.link`
//! and removes the unfinished one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use super::keyio::{read_private_key, report};
use super::run::{Boxed, RecordingArgs, StepSigner};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_evidence::load::read_signed_file;
use cairn_evidence::{Artifacts, Link};
use cairn_record::link::{
    link_name, new_link, remove_started, resume, started_path, step_name_ok, unfinished_name,
    write_link,
};

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

fn start(args: &StartArgs) -> Result<PathBuf, Boxed> {
    step_name_ok(&args.step.step_name)?;
    let key = read_private_key(&args.step.key)?;
    let recorder = args.recording.recorder()?;
    let materials = args
        .recording
        .hash(&recorder, "material", &args.materials)?;
    args.recording.tell("material", &materials);
    let link = new_link(
        &args.step.step_name,
        &[],
        materials.artifacts,
        Artifacts::new(),
        json!({}),
    );
    Ok(write_link(
        &link,
        &key,
        args.use_dsse,
        &unfinished_name(&args.step.step_name, &key),
        None,
    )?)
}

fn stop(args: &StopArgs, color: ColorChoice) -> Result<PathBuf, Boxed> {
    step_name_ok(&args.step.step_name)?;
    let key = read_private_key(&args.step.key)?;
    let started = started_path(&args.step.step_name, &key)?;
    let (doc, notes) = read_signed_file(&started, &super::limits())?;
    for note in &notes {
        report(note, color);
    }
    let resumed = resume(&doc, &started, &args.step.step_name, &key, &super::limits())?;
    let recorder = args.recording.recorder()?;
    let products = args.recording.hash(&recorder, "product", &args.products)?;
    args.recording.tell("product", &products);
    let link = Link {
        products: products.artifacts,
        ..resumed.link
    };
    let written = write_link(
        &link,
        &key,
        resumed.dsse,
        &link_name(&args.step.step_name, &key),
        args.metadata_directory.as_deref(),
    )?;
    remove_started(&started)?;
    Ok(written)
}
