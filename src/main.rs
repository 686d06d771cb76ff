//! The `onus` binary: parse arguments, call the library, map the result to an exit code.

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    std::process::ExitCode::from(onus::cli::run(args, &mut out, &mut err))
}
