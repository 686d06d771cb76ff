//! `onus lint [--deep] [--instrument ID] [--witnesses DIR] [--format text|json]`.
//!
//! Prints the reports of [`crate::lint`] on stdout (deterministic), the exploration statistics
//! and time on stderr. Every witness is checked before it is shown ([`lint::verify`]); with
//! `--witnesses DIR` each is written to `DIR/<name>.toml`. Exit code 1 when a report that is
//! neither informational nor explained in its rule's note remains.

use super::args::{OutFormat, RuleArgs};
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, emit_diagnostics, load_rules, unknown_arg};
use crate::Session;
use crate::lint::{self, DeepOptions, Report};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct WitnessOut {
    name: String,
    /// Where it was written, with `--witnesses`.
    file: Option<String>,
    reproduced: bool,
    error: Option<String>,
    toml: String,
}

#[derive(Serialize)]
struct ReportOut<'a> {
    code: &'static str,
    kind: &'static str,
    severity: &'static str,
    instrument: Option<&'a str>,
    rule: Option<String>,
    file: Option<&'a str>,
    line: Option<usize>,
    message: &'a str,
    details: &'a [String],
    help: &'a str,
    explained: bool,
    witness: Option<WitnessOut>,
}

#[derive(Serialize)]
struct StatsOut {
    instruments: usize,
    roles: usize,
    obligations: usize,
    explorations: u64,
    nodes: u64,
    evaluations: u64,
    capped_explorations: usize,
    capped_set_facts: Vec<String>,
}

#[derive(Serialize)]
struct LintOut<'a> {
    schema_version: u32,
    deep: bool,
    reports: Vec<ReportOut<'a>>,
    stats: Option<StatsOut>,
}

fn severity(r: &Report) -> &'static str {
    if r.problem.is_info() {
        "info"
    } else if r.explained {
        "explained"
    } else {
        "warning"
    }
}

pub fn run(
    rules: &RuleArgs,
    deep: bool,
    instrument: Option<&str>,
    // The directory to write witnesses into, and whether existing files may be replaced.
    witnesses: Option<(&Path, bool)>,
    format: OutFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(s) = load_rules(rules, err) else {
        return EXIT_INVALID;
    };
    emit_diagnostics(&s, rules.diagnostics, err);
    if s.has_errors() {
        return EXIT_INVALID;
    }
    let inst = match instrument {
        None => None,
        Some(name) => match s.rules.instrument_by_name(name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = s.rules.instruments.iter().map(|i| i.id.as_str()).collect();
                unknown_arg(err, "E0507", "instrument", name, &names);
                return EXIT_INVALID;
            }
        },
    };
    let mut reports = lint::cheap(&s.rules, inst);
    let mut stats = None;
    if deep {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let start = std::time::Instant::now();
        let (r, st) = lint::deep(
            &s.rules,
            &DeepOptions {
                instrument: inst,
                threads,
                ..DeepOptions::default()
            },
        );
        let elapsed = start.elapsed();
        reports.extend(r);
        lint::sort(&s.rules, &mut reports);
        let _ = writeln!(
            err,
            "lint --deep: {} instruments, {} roles, {} obligations; {} explorations, {} combinations of facts, {} evaluations in {:.1} s on {threads} threads",
            st.instruments,
            st.roles,
            st.obligations,
            st.explorations,
            st.nodes,
            st.evaluations,
            elapsed.as_secs_f64()
        );
        if !st.capped.is_empty() {
            let _ = writeln!(
                err,
                "lint --deep: {} explorations stopped at their node budget (not exhaustive; these only limit reports of questions whose reading never matters, or are listed with the report): {}",
                st.capped.len(),
                st.capped
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        if !st.capped_sets.is_empty() {
            let _ = writeln!(
                err,
                "lint --deep: set facts tested for more than {} values are explored over the empty set, each value alone and all of them: {}",
                lint::MAX_SUBSET_ELEMENTS,
                st.capped_sets
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        stats = Some(st);
    }
    // Check every witness, and write them.
    let mut names = BTreeSet::new();
    let mut checked: Vec<Option<WitnessOut>> = Vec::new();
    if let Some((dir, _)) = witnesses {
        if let Err(e) = crate::source::create_dir_all(dir) {
            let _ = writeln!(err, "error[E0002]: cannot create `{}`: {e}", dir.display());
            return EXIT_INVALID;
        }
    }
    for r in &reports {
        let Some(w) = &r.witness else {
            checked.push(None);
            continue;
        };
        let mut name = w.name.clone();
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!("{}-{n}", w.name);
            n += 1;
        }
        let result = lint::verify(&s.rules, w);
        let mut file = None;
        if let Some((dir, overwrite)) = witnesses {
            let path: PathBuf = dir.join(format!("{name}.toml"));
            // A user's file is never replaced; the same witness written again is left as is.
            let written = if overwrite {
                crate::source::write_atomic(&path, w.toml.as_bytes())
            } else {
                crate::source::write_new(&path, w.toml.as_bytes()).map(|_| ())
            };
            if let Err(e) = written {
                let _ = writeln!(err, "error[E0002]: cannot write `{}`: {e}", path.display());
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    let _ = writeln!(
                        err,
                        "  = help: write witnesses into an empty directory, or pass `--overwrite` to replace earlier ones"
                    );
                }
                return EXIT_INVALID;
            }
            file = Some(path.display().to_string());
        }
        checked.push(Some(WitnessOut {
            name,
            file,
            reproduced: result.is_ok(),
            error: result.err(),
            toml: w.toml.clone(),
        }));
    }
    let failing = reports
        .iter()
        .filter(|r| !r.problem.is_info() && !r.explained)
        .count();
    match format {
        OutFormat::Text => {
            let _ = out.write_all(text(&s, &reports, &checked).as_bytes());
        }
        OutFormat::Json => {
            let doc = LintOut {
                schema_version: 1,
                deep,
                reports: reports
                    .iter()
                    .zip(checked)
                    .map(|(r, w)| report_out(&s, r, w))
                    .collect(),
                stats: stats.map(|st| StatsOut {
                    instruments: st.instruments,
                    roles: st.roles,
                    obligations: st.obligations,
                    explorations: st.explorations,
                    nodes: st.nodes,
                    evaluations: st.evaluations,
                    capped_explorations: st.capped.len(),
                    capped_set_facts: st.capped_sets.into_iter().collect(),
                }),
            };
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
    }
    if failing > 0 { EXIT_FAILURE } else { EXIT_OK }
}

fn location(s: &Session, r: &Report) -> Option<(String, usize, usize)> {
    let span = r.span?;
    let lc = s.sources.line_col(span.file, span.start);
    Some((s.sources.path(span.file).to_string(), lc.line, lc.col))
}

fn report_out<'a>(s: &'a Session, r: &'a Report, w: Option<WitnessOut>) -> ReportOut<'a> {
    let (file, line) = match r.span {
        Some(span) => (
            Some(s.sources.path(span.file)),
            Some(s.sources.line_col(span.file, span.start).line),
        ),
        None => (None, None),
    };
    ReportOut {
        code: r.problem.code(),
        kind: r.problem.name(),
        severity: severity(r),
        instrument: r
            .instrument
            .and_then(|i| s.rules.instrument(i))
            .map(|i| i.id.as_str()),
        rule: r.rule.map(|n| lint::rule_id(&s.rules, n)),
        file,
        line,
        message: &r.message,
        details: &r.details,
        help: &r.help,
        explained: r.explained,
        witness: w,
    }
}

fn text(s: &Session, reports: &[Report], checked: &[Option<WitnessOut>]) -> String {
    let mut t = String::new();
    for (r, w) in reports.iter().zip(checked) {
        t.push_str(&format!(
            "{}[{}]: {}\n",
            severity(r),
            r.problem.code(),
            r.message
        ));
        if let Some((file, line, col)) = location(s, r) {
            t.push_str(&format!("  --> {file}:{line}:{col}\n"));
        }
        for d in &r.details {
            t.push_str(&format!("  = note: {d}\n"));
        }
        if let Some(w) = w {
            let state = match &w.error {
                None => "reproduces the report".to_string(),
                Some(e) => format!("DOES NOT reproduce the report: {e}"),
            };
            match &w.file {
                Some(f) => t.push_str(&format!("  = witness: {f} ({state})\n")),
                None => t.push_str(&format!(
                    "  = witness: {}.toml ({state}; write it with `--witnesses DIR`)\n",
                    w.name
                )),
            }
        }
        if r.explained {
            t.push_str(&format!(
                "  = explained: the rule's note marks it `[lint: {}]`\n",
                r.problem.name()
            ));
        } else {
            t.push_str(&format!("  = help: {}\n", r.help));
        }
        t.push('\n');
    }
    let count = |f: &dyn Fn(&Report) -> bool| reports.iter().filter(|r| f(r)).count();
    let warnings = count(&|r| !r.problem.is_info() && !r.explained);
    let explained = count(&|r| !r.problem.is_info() && r.explained);
    let infos = count(&|r| r.problem.is_info());
    if reports.is_empty() {
        t.push_str("ok: no reports\n");
    } else {
        t.push_str(&format!(
            "{warnings} warnings, {explained} explained, {infos} informational\n"
        ));
    }
    t
}
