//! Runs the 4-actor evaluation in a loop, for profilers (`valgrind --tool=callgrind`).

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
    let opts = Options::default();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let mut total = 0;
    for _ in 0..n {
        total += evaluate(&s.rules, &sc, &opts).findings.len();
    }
    println!("{total}");
}
