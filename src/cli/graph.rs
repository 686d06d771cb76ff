//! `onus graph`. Placeholder until the whole-rule-set analysis issue lands.

use super::EXIT_INVALID;
use super::args::{GraphFormat, RuleArgs};
use std::io::Write;
use std::path::Path;

pub fn run(
    _rules: &RuleArgs,
    _instrument: Option<&str>,
    _scenario: Option<&Path>,
    _format: GraphFormat,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let _ = writeln!(err, "error: `onus graph` is not implemented yet");
    EXIT_INVALID
}
