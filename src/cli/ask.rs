//! `onus ask` and `onus run --sensitivity`. Placeholder until the deciding-questions issue lands.

use super::EXIT_INVALID;
use super::args::OutFormat;
use crate::Session;
use crate::eval::{Options, Outcome};
use crate::ir::Scenario;
use std::io::Write;
use std::path::Path;

#[allow(clippy::too_many_arguments)]
pub fn run(
    _s: &Session,
    _sc: &Scenario,
    _opts: &Options,
    _path: &Path,
    _interactive: bool,
    _format: OutFormat,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let _ = writeln!(err, "error: `onus ask` is not implemented yet");
    EXIT_INVALID
}

/// The `--sensitivity` section of the text report.
pub fn sensitivity_text(_s: &Session, _sc: &Scenario, _opts: &Options, _out: &Outcome) -> String {
    String::from("\nSensitivity: not implemented yet\n")
}
