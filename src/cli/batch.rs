//! `onus run --batch`. Placeholder until the whole-rule-set analysis issue lands.

use super::EXIT_INVALID;
use super::args::{EvalArgs, OutFormat, RuleArgs};
use std::io::Write;
use std::path::PathBuf;

pub fn run(
    _paths: &[PathBuf],
    _rules: &RuleArgs,
    _eval: &EvalArgs,
    _summary: bool,
    _format: OutFormat,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let _ = writeln!(err, "error: `onus run --batch` is not implemented yet");
    EXIT_INVALID
}
