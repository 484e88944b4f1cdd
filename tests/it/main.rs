//! The one integration-test binary: every suite is a module here, and every
//! case is a file under `tests/cases/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod classic;
mod cli_evidence;
mod eval;
mod evidence;
mod interop;
mod ite10;
mod lang;
mod vectors;
