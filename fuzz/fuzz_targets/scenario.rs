//! The scenario loader: one fuzzed scenario resolved against the embedded rule set with
//! `Session::add_scenario`, and its diagnostics rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut session = onus_fuzz::fresh(onus_fuzz::embedded());
    let _ = session.add_scenario("fuzz/scenario.toml", text);
    onus_fuzz::render_diagnostics(&session);
});
