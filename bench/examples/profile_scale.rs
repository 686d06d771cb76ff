//! Evaluates generated chains (3–10 actors) against the embedded rule set in a loop, for
//! profilers: `valgrind --tool=callgrind target/release/examples/profile_scale 200`.

use jiff::civil::Date;
use onus::Session;
use onus::eval::{Options, evaluate};
use onus_bench::generate::{Rng, Vocabulary, chain};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let s = Session::embedded();
    let voc = Vocabulary::new(&s.rules);
    let mut g = Rng::new(1);
    let as_of = Date::new(2026, 12, 1).unwrap_or_default();
    let mut total = 0;
    for i in 0..n {
        let sc = chain(&s.rules, &voc, &mut g, i, (3, 10), as_of);
        total += evaluate(&s.rules, &sc, &Options::default()).findings.len();
    }
    println!("{total} findings");
}
