//! `cargo bench -p onus-bench`: compiling the embedded rule set, evaluating a 4-actor
//! scenario with the engine beside the hand-written baseline, and a whole `onus run`.
//! Results are recorded in docs/performance.md.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use onus::Session;
use onus::eval::{Options, evaluate};
use onus_bench::{baseline, convert};

const SCENARIO: &str = "scenarios/eu/eu-finetune-unknown-base-compute.toml";

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn benches(c: &mut Criterion) {
    // `Session::embedded()` compiles once per process and then clones: time the compilation
    // itself from the embedded texts, and the clone separately.
    c.bench_function("compile embedded rule set", |b| {
        b.iter(|| {
            black_box(Session::from_texts(
                onus::embedded_rule_files().iter().copied(),
            ))
        })
    });
    c.bench_function("clone the compiled embedded rule set", |b| {
        b.iter(|| black_box(Session::embedded()))
    });

    let text = std::fs::read_to_string(root().join(SCENARIO)).unwrap_or_default();
    let mut s = Session::embedded();
    let Some(sc) = s.add_scenario(SCENARIO, &text) else {
        eprintln!("{SCENARIO} does not resolve");
        return;
    };
    let opts = Options {
        instruments: s.rules.instrument_by_name("eu-ai-act").map(|i| vec![i]),
        ..Options::default()
    };
    c.bench_function("evaluate 4-actor scenario (engine, findings only)", |b| {
        b.iter(|| black_box(evaluate(&s.rules, &sc, &opts)))
    });
    let traced = Options {
        trace: true,
        ..opts.clone()
    };
    c.bench_function(
        "evaluate 4-actor scenario (engine, with reasoning traces)",
        |b| b.iter(|| black_box(evaluate(&s.rules, &sc, &traced))),
    );
    // The same logic as the baseline: the EU AI Act cut down to the baseline's obligations.
    if let Some((slice, eu)) = onus_bench::gpai_slice(&s.rules) {
        let sliced = Options {
            instruments: Some(vec![eu]),
            ..Options::default()
        };
        c.bench_function(
            "evaluate 4-actor scenario (engine, GPAI slice, findings only)",
            |b| b.iter(|| black_box(evaluate(&slice.rs, &sc, &sliced))),
        );
    }
    let chain = convert::chain(&s.rules, &sc, None);
    c.bench_function("evaluate 4-actor scenario (hand-written baseline)", |b| {
        b.iter(|| black_box(baseline::evaluate(&chain)))
    });
    let mut sources = s.sources.clone();
    let file = sources.add(SCENARIO, &text);
    c.bench_function("resolve scenario", |b| {
        b.iter(|| {
            black_box(onus::resolve::resolve_scenario(
                &sources, file, &s.rules, "bench",
            ))
        })
    });
    let path = root().join(SCENARIO);
    let path = path.to_string_lossy().into_owned();
    c.bench_function("whole onus run (in-process, text output)", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let code = onus::cli::run(
                vec!["onus".into(), "run".into(), path.clone().into()],
                &mut out,
                &mut err,
            );
            black_box((code, out))
        })
    });
}

criterion_group!(engine, benches);
criterion_main!(engine);
