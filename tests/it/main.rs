//! The one integration-test binary. Each module tests one feature through the public API or
//! the CLI entry point (`onus::cli::run`), so tests survive a rewrite of the internals.

// The no-panic lints guard the library against user input; tests may index and panic.
#![allow(
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod analysis;
mod ask;
mod bad_inputs;
mod baseline_agrees;
mod brief;
mod cli;
mod props;
mod roles;
mod scenarios;
mod support;
mod test_cmd;
mod time;
mod unknowns;
mod variants;

/// The hand-written baseline of the benchmark, shared with `bench/`.
#[path = "../../bench/src/baseline.rs"]
mod baseline;
#[path = "../../bench/src/convert.rs"]
mod convert;
