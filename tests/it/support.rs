//! Helpers shared by the tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the CLI in-process; returns (exit code, stdout, stderr).
pub fn onus(args: &[&str]) -> (u8, String, String) {
    let mut argv: Vec<std::ffi::OsString> = vec!["onus".into()];
    argv.extend(args.iter().map(Into::into));
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = onus::cli::run(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// A path relative to the repository root, as the CLI tests pass it.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
