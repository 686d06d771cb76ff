//! Helpers shared by the fuzz targets in `fuzz_targets/` (see docs/fuzzing.md).
//!
//! Every target feeds one input through a public entry point of onus and renders whatever
//! comes out (diagnostics, reports), so a panic anywhere on the way is a finding. A target
//! returns normally on any input that onus rejects with a diagnostic: that is the expected
//! behaviour, not a finding.

use onus::Session;
use onus::diag::{render_human, render_json};
use onus::eval::{Options, check_expectations, evaluate};

use onus::ir::{RuleSet, Scenario, StatusFilter};
use onus::report;
use std::sync::OnceLock;

/// The embedded fact vocabulary (`jurisdictions/facts.toml`) as (path, text).
pub fn vocabulary() -> Vec<(&'static str, &'static str)> {
    onus::embedded_rule_files()
        .iter()
        .copied()
        .filter(|(p, _)| p.ends_with("facts.toml"))
        .collect()
}

/// The embedded rule set, compiled once per process.
pub fn embedded() -> &'static Session {
    static CELL: OnceLock<Session> = OnceLock::new();
    CELL.get_or_init(Session::embedded)
}

/// A copy of `base` without its diagnostics, to add one scenario to.
pub fn fresh(base: &Session) -> Session {
    Session {
        sources: base.sources.clone(),
        rules: base.rules.clone(),
        rule_files: base.rule_files.clone(),
        diagnostics: Vec::new(),
    }
}

/// Renders every diagnostic of a session both ways (exercises line/column arithmetic and the
/// snippets on arbitrary text).
pub fn render_diagnostics(session: &Session) {
    let diags = session.sorted_diagnostics();
    let _ = render_human(&diags, &session.sources);
    let _ = render_json(&diags, &session.sources);
}

/// Evaluates a resolved scenario with a few option sets and renders every report; the
/// evaluation with every actor's routes gives the same outcome.
pub fn evaluate_and_render(rules: &RuleSet, sc: &Scenario) {
    let variants = [
        Options::default(),
        Options {
            trace: true,
            status: StatusFilter::Proposed,
            ..Options::default()
        },
    ];
    for opts in &variants {
        let out = evaluate(rules, sc, opts);
        let _ = report::text::render(rules, sc, &out);
        let json = report::json::render(rules, sc, &out);
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok_and(|v| v.is_object()),
            "the JSON report is not a JSON object:\n{json}"
        );
        let _ = check_expectations(rules, sc, &out);
        // The candidate-actor filter must not change an outcome (src/eval/candidates.rs).
        let every = evaluate(
            rules,
            sc,
            &Options {
                every_actor: true,
                ..opts.clone()
            },
        );
        assert!(
            format!("{out:?}") == format!("{every:?}"),
            "the candidate-actor filter changed the outcome"
        );
        if opts.trace {
            for actor in 0..sc.actors.len().min(4) {
                let actor = u32::try_from(actor).unwrap_or(0);
                let _ = report::explain::render(rules, sc, &out, actor, None);
            }
            let events = report::timeline::events(rules, sc, &out);
            let _ = report::timeline::render_text(rules, sc, &out, &events);
            let _ = report::timeline::render_json(rules, sc, &out, &events);
        }
    }
}

pub use onus::expr::strip_spans;
