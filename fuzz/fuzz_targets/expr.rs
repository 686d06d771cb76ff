//! The expression parser: `onus::expr::parse` on fuzzed text, and for every expression it
//! accepts, print → parse gives the same tree (spans aside).
#![no_main]

use libfuzzer_sys::fuzz_target;
use onus_fuzz::strip_spans;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ast) = onus::expr::parse(text) else {
        return;
    };
    let printed = ast.to_string();
    match onus::expr::parse(&printed) {
        Ok(again) => assert_eq!(
            strip_spans(&ast),
            strip_spans(&again),
            "print → parse changed the tree\n  input:   {text:?}\n  printed: {printed:?}"
        ),
        Err(e) => panic!(
            "the printed form does not parse: {}\n  input:   {text:?}\n  printed: {printed:?}",
            e.message
        ),
    }
});
