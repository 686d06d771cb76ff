//! `onus lint`. Placeholder until the whole-rule-set analysis issue lands.

use super::EXIT_INVALID;
use super::args::{OutFormat, RuleArgs};
use std::io::Write;
use std::path::Path;

pub fn run(
    _rules: &RuleArgs,
    _deep: bool,
    _instrument: Option<&str>,
    _witnesses: Option<&Path>,
    _format: OutFormat,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let _ = writeln!(err, "error: `onus lint` is not implemented yet");
    EXIT_INVALID
}
