//! `onus graph [--instrument ID] [--scenario FILE] [--format dot|svg|mermaid]`: the decision
//! graph of the rule set (or of one instrument), or the part one scenario touches with the
//! path to each finding highlighted and the scenario's chain beside it.

use super::args::{GraphFormat, RuleArgs};
use super::{EXIT_INVALID, EXIT_OK, emit_diagnostics, load_rules, unknown_arg};
use crate::diag::Diagnostic;
use crate::eval::{self, Options};
use crate::graph::{DecisionGraph, render};
use std::io::Write;
use std::path::Path;

pub fn run(
    rules: &RuleArgs,
    instrument: Option<&str>,
    scenario: Option<&Path>,
    format: GraphFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(mut s) = load_rules(rules, err) else {
        return EXIT_INVALID;
    };
    let mut sc = None;
    if !s.has_errors() {
        if let Some(p) = scenario {
            match s.read_scenario(p) {
                Ok(x) => sc = x,
                Err(e) => s
                    .diagnostics
                    .push(Diagnostic::error("E0001", e.to_string())),
            }
        }
    }
    emit_diagnostics(&s, rules.diagnostics, err);
    if s.has_errors() || (scenario.is_some() && sc.is_none()) {
        return EXIT_INVALID;
    }
    let inst = match instrument {
        None => None,
        Some(name) => match s.rules.instrument_by_name(name) {
            Some(i) => Some(s.rules.instrument(i).and_then(|x| x.amends).unwrap_or(i)),
            None => {
                let names: Vec<&str> = s.rules.instruments.iter().map(|i| i.id.as_str()).collect();
                unknown_arg(err, "E0507", "instrument", name, &names);
                return EXIT_INVALID;
            }
        },
    };
    let g = DecisionGraph::build(&s.rules);
    let view = match &sc {
        None => render::rules_view(&s.rules, &g, inst),
        Some(sc) => {
            let outcome = eval::evaluate(
                &s.rules,
                sc,
                &Options {
                    instruments: inst.map(|i| vec![i]),
                    trace: true,
                    ..Options::default()
                },
            );
            render::scenario_view(&s.rules, &g, sc, &outcome)
        }
    };
    let text = match format {
        GraphFormat::Dot => render::dot(&view),
        GraphFormat::Mermaid => render::mermaid(&view),
        GraphFormat::Svg => render::svg(&view),
    };
    let _ = out.write_all(text.as_bytes());
    EXIT_OK
}
