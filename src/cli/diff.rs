//! `onus diff`: outcomes of a folder of scenarios on two sides — two rule sets (a directory or
//! a git revision against the current rules), two dates, two readings, or with and without an
//! amendment — with an impact summary and, for rule-set comparisons, the changed rules behind
//! each difference.

use super::args::{EvalArgs, OutFormat, RuleArgs, StatusArg};
use super::test::changes_text;
use super::{EXIT_INVALID, EXIT_OK, emit_diagnostics, load_rules, options};
use crate::Session;
use crate::eval;
use crate::lockfile::{self, Change};
use crate::source;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Request<'a> {
    pub paths: &'a [PathBuf],
    pub rules: &'a RuleArgs,
    pub from_rules: Option<&'a Path>,
    pub from_rev: Option<&'a str>,
    pub from_as_of: Option<&'a str>,
    pub to_as_of: Option<&'a str>,
    pub from_reading: &'a [String],
    pub to_reading: &'a [String],
    pub without: &'a [String],
    pub format: OutFormat,
}

fn eval_args(as_of: Option<&str>, readings: &[String], without: &[String]) -> EvalArgs {
    EvalArgs {
        as_of: as_of.map(str::to_string),
        instrument: Vec::new(),
        status: StatusArg::InForce,
        reading: readings.to_vec(),
        without: without.to_vec(),
    }
}

pub fn run(req: &Request<'_>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(mut to) = load_rules(req.rules, err) else {
        return EXIT_INVALID;
    };
    let from = match (req.from_rules, req.from_rev) {
        (Some(_), Some(_)) => {
            let _ = writeln!(
                err,
                "error: give either `--from-rules` or `--from-rev`, not both"
            );
            return EXIT_INVALID;
        }
        (Some(dir), None) => match Session::from_dir(dir) {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = writeln!(err, "error[E0001]: {e}");
                return EXIT_INVALID;
            }
        },
        (None, Some(rev)) => match source::git_tree_files(rev, "jurisdictions") {
            Ok(files) if !files.is_empty() => Some(Session::from_texts(
                files.iter().map(|(p, t)| (p.as_str(), t.as_str())),
            )),
            Ok(_) => {
                let _ = writeln!(
                    err,
                    "error[E0001]: no rule files under `jurisdictions` at `{rev}`"
                );
                return EXIT_INVALID;
            }
            Err(e) => {
                let _ = writeln!(err, "error[E0001]: {e}");
                return EXIT_INVALID;
            }
        },
        (None, None) => None,
    };
    let compare_rules = from.is_some();
    let mut from = match from {
        Some(s) => s,
        None => match load_rules(req.rules, err) {
            Some(s) => s,
            None => return EXIT_INVALID,
        },
    };
    let Some(files) = super::scenario_paths(req.paths, err) else {
        return EXIT_INVALID;
    };
    let mut pairs = Vec::new();
    if !from.has_errors() && !to.has_errors() {
        for f in &files {
            let text = match source::read_file(f) {
                Ok(t) => t,
                Err(e) => {
                    let _ = writeln!(err, "error[E0001]: {e}");
                    return EXIT_INVALID;
                }
            };
            let shown = f.display().to_string();
            let a = from.add_scenario(&shown, &text);
            let b = to.add_scenario(&shown, &text);
            if let (Some(a), Some(b)) = (a, b) {
                pairs.push((shown, a, b));
            }
        }
    }
    emit_diagnostics(&from, req.rules.diagnostics, err);
    emit_diagnostics(&to, req.rules.diagnostics, err);
    if from.has_errors() || to.has_errors() {
        return EXIT_INVALID;
    }
    // "With and without an amendment": the amendment counts on the from side only.
    let Some(from_opts) = options(
        &from,
        &eval_args(req.from_as_of, req.from_reading, &[]),
        err,
    ) else {
        return EXIT_INVALID;
    };
    let Some(to_opts) = options(
        &to,
        &eval_args(req.to_as_of, req.to_reading, req.without),
        err,
    ) else {
        return EXIT_INVALID;
    };
    let changed_rules = if compare_rules {
        lockfile::changed_between(
            &lockfile::fingerprints(&from.rules),
            &lockfile::fingerprints(&to.rules),
        )
    } else {
        BTreeMap::new()
    };
    let index_from = lockfile::dependency_index(&from.rules);
    let index_to = lockfile::dependency_index(&to.rules);
    let mut all: Vec<(String, String, Vec<Change>)> = Vec::new();
    for (path, a, b) in &pairs {
        let oa = eval::evaluate(
            &from.rules,
            a,
            &eval::Options {
                trace: false,
                ..from_opts.clone()
            },
        );
        let ob = eval::evaluate(
            &to.rules,
            b,
            &eval::Options {
                trace: false,
                ..to_opts.clone()
            },
        );
        let la = lockfile::lock(&from.rules, a, &oa);
        let lb = lockfile::lock(&to.rules, b, &ob);
        let changes = lockfile::compare(&la, &lb, &changed_rules, &[&index_from, &index_to]);
        all.push((path.clone(), b.id.clone(), changes));
    }
    // Impact: per instrument, conclusions gained, lost and changed.
    let mut impact: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (_, _, changes) in &all {
        for c in changes.iter().filter(|c| c.kind == "obligation") {
            let e = impact.entry(c.instrument.clone()).or_default();
            match (&c.before, &c.after) {
                (None, Some(_)) => e.0 += 1,
                (Some(_), None) => e.1 += 1,
                _ => e.2 += 1,
            }
        }
    }
    match req.format {
        OutFormat::Text => {
            let mut s = String::new();
            for (path, _, changes) in &all {
                if changes.is_empty() {
                    continue;
                }
                s.push_str(&format!("{path}\n{}", changes_text(changes, "  ")));
            }
            s.push_str("\nImpact (obligations, by instrument)\n");
            if impact.is_empty() {
                s.push_str("  no change\n");
            }
            for (inst, (gained, lost, changed)) in &impact {
                s.push_str(&format!(
                    "  {inst}: +{gained} gained, −{lost} lost, ~{changed} changed status\n"
                ));
            }
            if compare_rules {
                s.push_str("\nRules that differ between the two rule sets\n");
                if changed_rules.is_empty() {
                    s.push_str("  none\n");
                }
                for (r, c) in &changed_rules {
                    s.push_str(&format!(
                        "  {r}{}\n",
                        if c.is_empty() {
                            String::new()
                        } else {
                            format!(" [{c}]")
                        }
                    ));
                }
            }
            let _ = out.write_all(s.as_bytes());
        }
        OutFormat::Json => {
            let scenarios: Vec<serde_json::Value> = all
                .iter()
                .map(|(path, id, changes)| {
                    serde_json::json!({
                        "path": path,
                        "id": id,
                        "changes": changes.iter().map(|c| serde_json::json!({
                            "actor": c.actor, "kind": c.kind, "instrument": c.instrument,
                            "what": c.what, "subject": c.subject,
                            "before": c.before, "after": c.after,
                            "because": c.because.iter().map(|(r, cit)| serde_json::json!({"rule": r, "citation": cit})).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let impact: Vec<serde_json::Value> = impact
                .iter()
                .map(|(i, (g, l, c))| serde_json::json!({"instrument": i, "gained": g, "lost": l, "changed": c}))
                .collect();
            let doc = serde_json::json!({
                "schema_version": crate::report::json::SCHEMA_VERSION,
                "scenarios": scenarios,
                "impact": impact,
                "changed_rules": changed_rules.iter().map(|(r, c)| serde_json::json!({"rule": r, "citation": c})).collect::<Vec<_>>(),
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
    }
    EXIT_OK
}
