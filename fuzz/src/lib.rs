//! The bodies of cairn's fuzz targets (`fuzz_targets/`), shared with the
//! test suite, which replays the seed corpora through them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod targets;
