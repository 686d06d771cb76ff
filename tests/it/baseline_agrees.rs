//! The engine and the hand-written baseline (bench/src/baseline.rs) agree on every bundled EU
//! scenario, at its own date and at dates around the GPAI application dates; so does the
//! engine on the GPAI slice the benchmark times.

use crate::{baseline, convert};
use onus::Session;
use onus::eval::{Options, Status, evaluate};

fn st(s: Status) -> baseline::St {
    match s {
        Status::Applies => baseline::St::Applies,
        Status::Pending => baseline::St::Pending,
        Status::Exempt => baseline::St::Exempt,
        Status::NotApplicable => baseline::St::NotApplicable,
        Status::Undetermined => baseline::St::Undetermined,
    }
}

#[test]
fn engine_agrees_with_the_hand_written_baseline() {
    let mut checked = 0;
    insta::glob!("../../scenarios/eu", "*.toml", |path| {
        let mut s = Session::embedded();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let Some(sc) = s.add_scenario(&path.display().to_string(), &text) else {
            panic!("{} does not resolve", path.display());
        };
        let eu = s.rules.instrument_by_name("eu-ai-act");
        // The baseline encodes the default reading of the modified-model compute question.
        if !sc.readings.is_empty() {
            return;
        }
        for as_of in [
            None,
            Some("2025-06-01"),
            Some("2026-01-01"),
            Some("2028-01-01"),
        ] {
            let as_of = as_of.and_then(|d| d.parse().ok());
            let opts = Options {
                as_of,
                instruments: eu.map(|i| vec![i]),
                ..Options::default()
            };
            let out = evaluate(&s.rules, &sc, &opts);
            let mut engine: Vec<baseline::Row> = out
                .findings
                .iter()
                .filter_map(|f| {
                    let id = s.rules.obligation(f.obligation)?.id.clone();
                    // The baseline covers the GPAI provider duties only.
                    if !baseline::OBLIGATIONS.contains(&id.as_str()) {
                        return None;
                    }
                    let id: &'static str = Box::leak(id.into_boxed_str());
                    Some((f.actor as usize, f.subject.index as usize, id, st(f.status)))
                })
                .collect();
            engine.sort();
            let base = baseline::evaluate(&convert::chain(&s.rules, &sc, as_of));
            assert_eq!(engine, base, "{} as of {:?}", path.display(), as_of);
            // The GPAI slice the benchmark times gives the same rows.
            let (slice, _) = baseline::gpai_slice(&s.rules).expect("the EU AI Act is embedded");
            let mut sliced: Vec<baseline::Row> = slice
                .unmap(evaluate(&slice.rs, &sc, &opts))
                .findings
                .iter()
                .filter_map(|f| {
                    let id = s.rules.obligation(f.obligation)?.id.clone();
                    let id: &'static str = Box::leak(id.into_boxed_str());
                    Some((f.actor as usize, f.subject.index as usize, id, st(f.status)))
                })
                .collect();
            sliced.sort();
            assert_eq!(
                sliced,
                base,
                "{} as of {:?} (GPAI slice)",
                path.display(),
                as_of
            );
            checked += 1;
        }
    });
    assert!(checked >= 20);
}
