//! `onus brief`: writes a briefing document. Placeholder until the briefing issue lands.

use super::{EXIT_INVALID, EXIT_OK};
use crate::Session;
use crate::eval::Options;
use crate::ir::Scenario;
use std::io::Write;
use std::path::Path;

#[allow(clippy::too_many_arguments)]
pub fn run(
    s: &Session,
    sc: &Scenario,
    opts: &Options,
    _scenario_path: &Path,
    out_file: Option<&Path>,
    _pdf: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if out_file.is_some() {
        let _ = writeln!(
            err,
            "error: writing briefings to a file is not implemented yet"
        );
        return EXIT_INVALID;
    }
    let outcome = crate::eval::evaluate(&s.rules, sc, opts);
    let _ = out.write_all(crate::report::text::render(&s.rules, sc, &outcome).as_bytes());
    EXIT_OK
}
