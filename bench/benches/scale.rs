//! `cargo bench -p onus-bench --bench scale`: throughput on many varied chains, and how cost
//! grows with the rule set and the chain.
//!
//! 100,000 chains of 3–10 actors are generated one at a time (a seeded generator builds each
//! resolved scenario in memory), evaluated against the whole embedded rule set and dropped, so
//! memory stays flat; the peak resident set is read before and after. Then a sweep: the rule set
//! ×10 (every instrument cloned under new ids) and the chains ×10 (30–100 actors). One thread;
//! the numbers are per core. Results are recorded in docs/performance.md.
//!
//! `SCALE_CHAINS=N` changes the number of chains of the main run (default 100,000).

use jiff::civil::Date;
use onus::Session;
use onus::eval::{Options, evaluate};
use onus::ir::RuleSet;
use onus_bench::generate::{Rng, Vocabulary, chain, cloned_rule_files};
use std::hint::black_box;
use std::time::Instant;

/// Peak resident set size of this process, in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Run {
    chains: u64,
    evaluations_per_s: f64,
    micros_per_chain: f64,
    findings_per_chain: f64,
    actors_per_chain: f64,
}

fn run(rs: &RuleSet, n: u64, actors: (usize, usize), seed: u64, mut every: impl FnMut(u64)) -> Run {
    let voc = Vocabulary::new(rs);
    let mut g = Rng::new(seed);
    let as_of = Date::new(2026, 12, 1).unwrap_or_default();
    let opts = Options::default();
    let mut findings = 0u64;
    let mut actors_total = 0u64;
    let mut gen_time = 0.0f64;
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let sc = chain(rs, &voc, &mut g, i, actors, as_of);
        gen_time += t.elapsed().as_secs_f64();
        actors_total += sc.actors.len() as u64;
        let out = evaluate(rs, &sc, &opts);
        findings += out.findings.len() as u64;
        black_box(&out);
        every(i);
    }
    // Generation is not evaluation: subtract it.
    let secs = (start.elapsed().as_secs_f64() - gen_time).max(1e-9);
    Run {
        chains: n,
        evaluations_per_s: n as f64 / secs,
        micros_per_chain: secs * 1e6 / n as f64,
        findings_per_chain: findings as f64 / n as f64,
        actors_per_chain: actors_total as f64 / n as f64,
    }
}

fn row(label: &str, instruments: usize, r: &Run) {
    println!(
        "| {label} | {instruments} | {:.1} | {} | {:.0} | {:.0} | {:.0} |",
        r.actors_per_chain, r.chains, r.findings_per_chain, r.micros_per_chain, r.evaluations_per_s
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let n: u64 = std::env::var("SCALE_CHAINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let s = Session::embedded();
    if s.has_errors() {
        eprintln!("the embedded rule set does not compile");
        return;
    }
    let rs = &s.rules;
    println!(
        "scale benchmark: {} instruments, {} obligations, {} roles; one thread",
        rs.instruments.len(),
        rs.obligations.len(),
        rs.roles.len()
    );
    let rss0 = peak_rss_kib();
    let mut rss_at_10k = None;
    let main = run(rs, n, (3, 10), 1, |i| {
        if i == 9_999 {
            rss_at_10k = peak_rss_kib();
        }
    });
    let rss1 = peak_rss_kib();
    println!(
        "peak RSS: {} KiB before, {} KiB after 10,000 chains, {} KiB after {n} chains",
        rss0.map_or("?".into(), |x| x.to_string()),
        rss_at_10k.map_or("?".into(), |x| x.to_string()),
        rss1.map_or("?".into(), |x| x.to_string())
    );
    println!();
    println!(
        "| run | instruments | actors/chain | chains | findings/chain | µs/chain | chains/s |"
    );
    println!("|---|---|---|---|---|---|---|");
    row("3–10 actors, embedded rules", rs.instruments.len(), &main);
    // The sweep, on fewer chains.
    let sweep = (n / 20).max(500);
    let big = Session::from_texts(
        cloned_rule_files(rs, 10)
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str())),
    );
    if big.has_errors() {
        eprintln!(
            "the rule set ×10 does not compile: {:?}",
            big.sorted_diagnostics().first().map(|d| d.message.clone())
        );
    }
    let r = run(rs, sweep, (3, 10), 2, |_| {});
    row(
        "3–10 actors, embedded rules (sweep baseline)",
        rs.instruments.len(),
        &r,
    );
    if !big.has_errors() {
        let r = run(&big.rules, sweep, (3, 10), 2, |_| {});
        row("3–10 actors, rules ×10", big.rules.instruments.len(), &r);
    }
    let r = run(rs, sweep / 10, (30, 100), 3, |_| {});
    row(
        "30–100 actors (×10), embedded rules",
        rs.instruments.len(),
        &r,
    );
    let r = run(rs, sweep / 10, (10, 10), 4, |_| {});
    row("10 actors, embedded rules", rs.instruments.len(), &r);
    let r = run(rs, (sweep / 20).max(50), (100, 100), 5, |_| {});
    row("100 actors, embedded rules", rs.instruments.len(), &r);
}
