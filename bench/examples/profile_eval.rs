//! Runs the 4-actor evaluation in a loop, for profilers (`valgrind --tool=callgrind`):
//! `profile_eval N` on the whole rule set, `profile_eval N slice` on the GPAI slice the
//! baseline implements.

use onus::Session;
use onus::eval::{Options, evaluate};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/eu/eu-finetune-unknown-base-compute.toml"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut s = Session::embedded();
    let Some(sc) = s.add_scenario(path, &text) else {
        return;
    };
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let mut total = 0;
    if std::env::args().nth(2).as_deref() == Some("slice") {
        let Some((slice, eu)) = onus_bench::gpai_slice(&s.rules) else {
            return;
        };
        let opts = Options {
            instruments: Some(vec![eu]),
            ..Options::default()
        };
        for _ in 0..n {
            total += evaluate(&slice.rs, &sc, &opts).findings.len();
        }
    } else {
        let opts = Options::default();
        for _ in 0..n {
            total += evaluate(&s.rules, &sc, &opts).findings.len();
        }
    }
    println!("{total}");
}
