//! The one integration-test binary: every suite is a module here, and every
//! case is a file under `tests/cases/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bundle_props;
mod classic;
mod cli_evidence;
mod eval;
mod evidence;
mod examples;
mod explain;
mod interop;
mod ite10;
mod lang;
mod lang_cli;
mod lang_props;
mod lint;
mod messages;
mod record;
mod review;
mod vectors;
mod vsa;
