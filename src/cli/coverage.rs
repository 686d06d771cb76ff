//! `onus coverage`: every obligation of the rule set and the scenarios that exercise it (a
//! finding that applies, is pending or is exempt), evaluating each scenario as it declares and
//! again with bills analysed as if enacted.

use super::args::{OutFormat, RuleArgs};
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, load_with_paths, scenario_paths};
use crate::eval::{self, Options, Status};
use crate::ir::{ObligationId, StatusFilter};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

pub fn run(
    paths: &[PathBuf],
    rules: &RuleArgs,
    format: OutFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(files) = scenario_paths(paths, err) else {
        return EXIT_INVALID;
    };
    let Some((s, scenarios)) = load_with_paths(rules, &files, err) else {
        return EXIT_INVALID;
    };
    let mut by: Vec<BTreeSet<String>> = vec![BTreeSet::new(); s.rules.obligations.len()];
    for (path, sc) in &scenarios {
        for status in [StatusFilter::InForce, StatusFilter::Proposed] {
            let o = eval::evaluate(
                &s.rules,
                sc,
                &Options {
                    status,
                    ..Options::default()
                },
            );
            for f in &o.findings {
                if matches!(f.status, Status::Applies | Status::Pending | Status::Exempt) {
                    if let Some(set) = by.get_mut(f.obligation.index()) {
                        let path = path.display();
                        let label = if status == StatusFilter::Proposed && sc.status.is_none() {
                            format!("{path} (--status proposed)")
                        } else {
                            path.to_string()
                        };
                        set.insert(label);
                    }
                }
            }
        }
    }
    // A scenario that covers an obligation without --status proposed need not be listed twice.
    for set in &mut by {
        let plain: BTreeSet<String> = set.iter().filter(|l| !l.ends_with(')')).cloned().collect();
        set.retain(|l| {
            !l.ends_with("(--status proposed)")
                || !plain.contains(l.trim_end_matches(" (--status proposed)"))
        });
    }
    let uncovered: Vec<usize> = by
        .iter()
        .enumerate()
        .filter(|(_, set)| set.is_empty())
        .map(|(i, _)| i)
        .collect();
    let name = |i: usize| {
        s.rules
            .obligation(ObligationId::from_index(i))
            .map(|o| {
                let inst = s
                    .rules
                    .instrument(o.instrument)
                    .map_or("?", |x| x.id.as_str());
                (inst.to_string(), o.citation.clone(), o.id.clone())
            })
            .unwrap_or_default()
    };
    match format {
        OutFormat::Text => {
            let mut rows: Vec<(String, String, String, usize)> = (0..by.len())
                .map(|i| {
                    let (a, b, c) = name(i);
                    (a, b, c, i)
                })
                .collect();
            rows.sort();
            for (inst, cit, id, i) in rows {
                let set = by.get(i).cloned().unwrap_or_default();
                let first = set
                    .iter()
                    .next()
                    .cloned()
                    .unwrap_or_else(|| "NOT EXERCISED".into());
                let more = if set.len() > 1 {
                    format!(" (+{} more)", set.len() - 1)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "{inst} {cit} {id}: {first}{more}");
            }
            let _ = writeln!(
                out,
                "{} obligations, {} exercised, {} not exercised",
                by.len(),
                by.len() - uncovered.len(),
                uncovered.len()
            );
        }
        OutFormat::Json => {
            let items: Vec<serde_json::Value> = (0..by.len())
                .map(|i| {
                    let (inst, cit, id) = name(i);
                    serde_json::json!({"instrument": inst, "obligation": id, "citation": cit,
                        "scenarios": by.get(i).cloned().unwrap_or_default()})
                })
                .collect();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_default()
            );
        }
    }
    if uncovered.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    }
}
