//! The whole pipeline up to the report: a fuzzed scenario resolved against the embedded rule
//! set, evaluated (`onus::eval::evaluate`) with a few option sets, and rendered as text, JSON,
//! explanations and a timeline.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut session = onus_fuzz::fresh(onus_fuzz::embedded());
    let Some(sc) = session.add_scenario("fuzz/scenario.toml", text) else {
        return;
    };
    onus_fuzz::evaluate_and_render(&session.rules, &sc);
});
