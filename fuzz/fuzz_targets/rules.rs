//! The rule-file loader: the embedded fact vocabulary plus one fuzzed rule file, compiled with
//! `Session::from_texts`. When the file compiles without errors, a small fixed scenario is
//! resolved and evaluated against it, so fuzzed rules also drive the interpreter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onus::Session;

/// A chain touching every kind of entity, with some facts known and some not.
const SCENARIO: &str = r#"
[scenario]
title = "fuzz"
as_of = 2026-12-01

[[actor]]
id = "a"
facts = { established_in = "eu" }

[[actor]]
id = "b"

[[model]]
id = "m"
creator = "a"
facts = { training_compute = 2e25, generative = true, markets = ["eu"] }

[[model]]
id = "n"
creator = "b"
base = "m"
facts = { modification_compute = 1e24 }

[[system]]
id = "s"
provider = "b"
model = "n"

[[deployment]]
id = "d"
deployer = "a"
system = "s"
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut files = onus_fuzz::vocabulary();
    files.push(("fuzz/rule.toml", text));
    let mut session = Session::from_texts(files);
    onus_fuzz::render_diagnostics(&session);
    if session.has_errors() {
        return;
    }
    if let Some(sc) = session.add_scenario("fuzz/scenario.toml", SCENARIO) {
        onus_fuzz::evaluate_and_render(&session.rules, &sc);
    }
    onus_fuzz::render_diagnostics(&session);
});
