//! The one integration-test binary. Each module tests one feature through the public API or
//! the CLI entry point (`onus::cli::run`), so tests survive a rewrite of the internals.

mod bad_inputs;
mod cli;
mod scenarios;
mod support;
mod unknowns;
