//! Command-line interface: clap definitions, subcommands, exit codes.
//!
//! Exit codes (docs/cli.md): 0 success; 1 a command-defined failure based on findings (e.g. an
//! expectation that does not hold); 2 invalid input or usage.

mod args;
mod ask;
mod batch;
mod brief;
mod coverage;
mod diff;
mod graph;
mod lint;
mod test;

pub use args::Cli;

use crate::Session;
use crate::diag::{self, Diagnostic};
use crate::eval::{self, Options};
use crate::ir::{Scenario, StatusFilter};
use crate::report;
use args::{Command, DiagFormat, EvalArgs, OutFormat, RuleArgs, StatusArg};
use clap::{CommandFactory, Parser};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_INVALID: u8 = 2;

/// Runs the CLI with `args` (including the program name), writing to `out` and `err`.
pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_INVALID
            } else {
                EXIT_OK
            };
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = err.write_all(text.as_bytes());
            } else {
                let _ = out.write_all(text.as_bytes());
            }
            return code;
        }
    };
    match cli.command {
        Command::Run {
            scenarios,
            rules,
            eval,
            all_readings: _,
            sensitivity: _,
            batch: true,
            summary,
            format,
        } => batch::run(&scenarios, &rules, &eval, summary, format, out, err),
        Command::Run {
            scenarios,
            rules,
            eval,
            all_readings,
            sensitivity,
            batch: false,
            summary: _,
            format,
        } => cmd_run(
            &scenarios,
            &rules,
            &eval,
            (all_readings, sensitivity),
            format,
            out,
            err,
        ),
        Command::Ask {
            scenario,
            rules,
            eval,
            interactive,
            format,
        } => {
            let Some((s, sc, opts)) = one_scenario(&scenario, &rules, &eval, err) else {
                return EXIT_INVALID;
            };
            ask::run(
                &s,
                &sc,
                &opts,
                &scenario,
                interactive,
                format,
                &mut std::io::stdin().lock(),
                out,
                err,
            )
        }
        Command::Explain {
            scenario,
            rules,
            eval,
            actor,
            obligation,
        } => cmd_explain(
            &scenario,
            &rules,
            &eval,
            &actor,
            obligation.as_deref(),
            out,
            err,
        ),
        Command::Timeline {
            scenario,
            rules,
            eval,
            format,
        } => cmd_timeline(&scenario, &rules, &eval, format, out, err),
        Command::Brief {
            scenario,
            rules,
            eval,
            out_file,
            pdf,
        } => {
            let Some((s, sc, opts)) = one_scenario(&scenario, &rules, &eval, err) else {
                return EXIT_INVALID;
            };
            brief::run(
                &s,
                &sc,
                &opts,
                &scenario,
                out_file.as_deref(),
                pdf,
                out,
                err,
            )
        }
        Command::Test {
            paths,
            rules,
            lock,
            accept,
            format,
        } => test::run(&paths, &rules, lock, accept.as_deref(), format, out, err),
        Command::Diff {
            paths,
            rules,
            from_rules,
            from_rev,
            from_as_of,
            to_as_of,
            from_reading,
            to_reading,
            without,
            format,
        } => diff::run(
            &diff::Request {
                paths: &paths,
                rules: &rules,
                from_rules: from_rules.as_deref(),
                from_rev: from_rev.as_deref(),
                from_as_of: from_as_of.as_deref(),
                to_as_of: to_as_of.as_deref(),
                from_reading: &from_reading,
                to_reading: &to_reading,
                without: &without,
                format,
            },
            out,
            err,
        ),
        Command::Graph {
            rules,
            instrument,
            scenario,
            format,
        } => graph::run(
            &rules,
            instrument.as_deref(),
            scenario.as_deref(),
            format,
            out,
            err,
        ),
        Command::Lint {
            rules,
            deep,
            instrument,
            witnesses,
            overwrite,
            format,
        } => lint::run(
            &rules,
            deep,
            instrument.as_deref(),
            witnesses.as_deref().map(|w| (w, overwrite)),
            format,
            out,
            err,
        ),
        Command::Coverage {
            paths,
            rules,
            format,
        } => coverage::run(&paths, &rules, format, out, err),
        Command::Check { files, rules } => cmd_check(&files, &rules, out, err),
        Command::Schema { out_dir } => cmd_schema(out_dir.as_deref(), out, err),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "onus", out);
            EXIT_OK
        }
        Command::Man => {
            let man = clap_mangen::Man::new(Cli::command());
            let mut buf = Vec::new();
            if man.render(&mut buf).is_err() {
                return EXIT_INVALID;
            }
            let _ = out.write_all(&buf);
            EXIT_OK
        }
    }
}

pub(super) fn load_rules(rules: &RuleArgs, err: &mut dyn Write) -> Option<Session> {
    let session = match &rules.rules {
        Some(dir) => match Session::from_dir(dir) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(err, "error[E0001]: {e}");
                return None;
            }
        },
        None => Session::embedded(),
    };
    Some(session)
}

pub(super) fn emit_diagnostics(s: &Session, format: DiagFormat, err: &mut dyn Write) {
    let diags = s.sorted_diagnostics();
    if diags.is_empty() && format == DiagFormat::Human {
        return;
    }
    let text = match format {
        DiagFormat::Human => diag::render_human(&diags, &s.sources),
        DiagFormat::Json => diag::render_json(&diags, &s.sources),
    };
    let _ = err.write_all(text.as_bytes());
}

fn parse_date(s: &str, err: &mut dyn Write) -> Option<jiff::civil::Date> {
    match s.parse::<jiff::civil::Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            let _ = writeln!(
                err,
                "error[E0306]: `{s}` is not a date that exists\n  = help: write dates as YYYY-MM-DD"
            );
            None
        }
    }
}

pub(super) fn unknown_arg(err: &mut dyn Write, code: &str, what: &str, name: &str, names: &[&str]) {
    let hint = diag::suggest(name, names.iter().copied()).map_or_else(
        || format!("known: {}", names.join(", ")),
        |x| format!("did you mean `{x}`?"),
    );
    let _ = writeln!(
        err,
        "error[{code}]: unknown {what} `{name}`\n  = help: {hint}"
    );
}

fn instrument_arg(s: &Session, name: &str, err: &mut dyn Write) -> Option<crate::ir::InstrumentId> {
    let found = s.rules.instrument_by_name(name);
    if found.is_none() {
        let names: Vec<&str> = s.rules.instruments.iter().map(|i| i.id.as_str()).collect();
        unknown_arg(err, "E0507", "instrument", name, &names);
    }
    found
}

pub(super) fn options(s: &Session, args: &EvalArgs, err: &mut dyn Write) -> Option<Options> {
    let as_of = match &args.as_of {
        Some(d) => Some(parse_date(d, err)?),
        None => None,
    };
    let mut ids = Vec::new();
    for name in &args.instrument {
        ids.push(instrument_arg(s, name, err)?);
    }
    let mut without = Vec::new();
    for name in &args.without {
        let id = instrument_arg(s, name, err)?;
        if s.rules.instrument(id).is_some_and(|i| i.amends.is_none()) {
            let _ = writeln!(
                err,
                "error[E0507]: `{name}` is not an amendment\n  = help: `--without` leaves out an amending instrument; use `--instrument` to choose instruments"
            );
            return None;
        }
        without.push(id);
    }
    let mut readings = Vec::new();
    for choice in &args.reading {
        let Some((q, r)) = choice.split_once('=') else {
            let _ = writeln!(
                err,
                "error[E0312]: `{choice}` is not QUESTION=READING\n  = help: e.g. `--reading sb53_fine_tune_compute=cumulative`"
            );
            return None;
        };
        let Some(qid) = s.rules.question_by_name(q) else {
            let names: Vec<&str> = s.rules.questions.iter().map(|x| x.id.as_str()).collect();
            unknown_arg(err, "E0312", "question", q, &names);
            return None;
        };
        let question = s.rules.question(qid)?;
        let Some(i) = question.readings.iter().position(|x| x.id == r) else {
            let names: Vec<&str> = question.readings.iter().map(|x| x.id.as_str()).collect();
            unknown_arg(err, "E0312", &format!("reading of `{q}`"), r, &names);
            return None;
        };
        readings.push((qid, u16::try_from(i).unwrap_or(0)));
    }
    Some(Options {
        as_of,
        status: match args.status {
            StatusArg::InForce => StatusFilter::InForce,
            StatusArg::Enacted => StatusFilter::Enacted,
            StatusArg::Proposed => StatusFilter::Proposed,
        },
        instruments: (!ids.is_empty()).then_some(ids),
        trace: true,
        readings,
        without,
        ..Options::default()
    })
}

/// Loads rules and scenarios; on any error prints every diagnostic and returns `None`.
fn load_all(
    rules: &RuleArgs,
    paths: &[PathBuf],
    err: &mut dyn Write,
) -> Option<(Session, Vec<Scenario>)> {
    let (s, scenarios) = load_with_paths(rules, paths, err)?;
    Some((s, scenarios.into_iter().map(|(_, sc)| sc).collect()))
}

/// Loads rules and scenarios, each with its path; on any error prints every diagnostic and
/// returns `None`.
fn load_with_paths(
    rules: &RuleArgs,
    paths: &[PathBuf],
    err: &mut dyn Write,
) -> Option<(Session, Vec<(PathBuf, Scenario)>)> {
    let mut s = load_rules(rules, err)?;
    let mut scenarios = Vec::new();
    if !s.has_errors() {
        for p in paths {
            match s.read_scenario(p) {
                Ok(Some(sc)) => scenarios.push((p.clone(), sc)),
                Ok(None) => {}
                Err(e) => s
                    .diagnostics
                    .push(Diagnostic::error("E0001", e.to_string())),
            }
        }
    }
    emit_diagnostics(&s, rules.diagnostics, err);
    if s.has_errors() {
        return None;
    }
    Some((s, scenarios))
}

/// The scenario files under `paths` (the `scenarios` folder when none is given), sorted; on
/// a listing error prints it and returns `None`.
fn scenario_paths(paths: &[PathBuf], err: &mut dyn Write) -> Option<Vec<PathBuf>> {
    let default = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    match crate::source::scenario_files(paths) {
        Ok(f) => Some(f),
        Err(e) => {
            let _ = writeln!(err, "error[E0001]: {e}");
            None
        }
    }
}

fn cmd_run(
    paths: &[PathBuf],
    rules: &RuleArgs,
    eval_args: &EvalArgs,
    (all_readings, sensitivity): (bool, bool),
    format: OutFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some((s, scenarios)) = load_all(rules, paths, err) else {
        return EXIT_INVALID;
    };
    let Some(opts) = options(&s, eval_args, err) else {
        return EXIT_INVALID;
    };
    let mut results = Vec::new();
    for sc in &scenarios {
        let outcome = eval::evaluate(&s.rules, sc, &opts);
        let contested = if all_readings {
            match eval::contested(&s.rules, sc, &opts) {
                Ok(c) => Some(c),
                Err(n) => {
                    let _ = writeln!(
                        err,
                        "error[E0506]: `{}` asks {n} combinations of readings; the limit is {}\n  = help: fix some readings with `--reading` or restrict `--instrument`",
                        sc.id,
                        eval::MAX_COMBINATIONS
                    );
                    return EXIT_INVALID;
                }
            }
        } else {
            None
        };
        results.push((sc, outcome, contested));
    }
    match format {
        OutFormat::Text => {
            for (i, (sc, o, c)) in results.iter().enumerate() {
                if i > 0 {
                    let _ = writeln!(out, "\n{}\n", "=".repeat(72));
                }
                let _ = out.write_all(report::text::render(&s.rules, sc, o).as_bytes());
                if let Some(c) = c {
                    let _ = out.write_all(report::text::contested(&s.rules, sc, c).as_bytes());
                }
                if sensitivity {
                    let _ = out.write_all(ask::sensitivity_text(&s, sc, &opts, o).as_bytes());
                }
            }
        }
        OutFormat::Json => {
            let docs: Vec<_> = results
                .iter()
                .map(|(sc, o, c)| {
                    let mut doc = report::json::report(&s.rules, sc, o, c.as_deref());
                    if sensitivity {
                        doc.sensitivity = Some(ask::sensitivity_json(&s, sc, &opts));
                    }
                    doc
                })
                .collect();
            let text = match docs.as_slice() {
                [one] => serde_json::to_string_pretty(one).unwrap_or_default(),
                _ => serde_json::to_string_pretty(&docs).unwrap_or_default(),
            };
            let _ = writeln!(out, "{text}");
        }
    }
    EXIT_OK
}

fn one_scenario(
    path: &Path,
    rules: &RuleArgs,
    eval_args: &EvalArgs,
    err: &mut dyn Write,
) -> Option<(Session, Scenario, Options)> {
    let (s, mut scenarios) = load_all(rules, &[path.to_path_buf()], err)?;
    let opts = options(&s, eval_args, err)?;
    let sc = scenarios.pop()?;
    Some((s, sc, opts))
}

fn cmd_explain(
    path: &Path,
    rules: &RuleArgs,
    eval_args: &EvalArgs,
    actor: &str,
    obligation: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some((s, sc, opts)) = one_scenario(path, rules, eval_args, err) else {
        return EXIT_INVALID;
    };
    let Some(ai) = sc.actors.iter().position(|a| a.id == actor) else {
        let names: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
        let _ = writeln!(
            err,
            "error[E0503]: no actor `{actor}` in `{}`\n  = help: actors: {}",
            sc.id,
            names.join(", ")
        );
        return EXIT_INVALID;
    };
    if let Some(o) = obligation {
        if !s.rules.obligations.iter().any(|x| x.id == o) {
            let names: Vec<&str> = s.rules.obligations.iter().map(|x| x.id.as_str()).collect();
            unknown_arg(err, "E0201", "obligation", o, &names);
            return EXIT_INVALID;
        }
    }
    let outcome = eval::evaluate(&s.rules, &sc, &opts);
    let text = report::explain::render(
        &s.rules,
        &sc,
        &outcome,
        u32::try_from(ai).unwrap_or(u32::MAX),
        obligation,
    );
    let _ = out.write_all(text.as_bytes());
    EXIT_OK
}

fn cmd_timeline(
    path: &Path,
    rules: &RuleArgs,
    eval_args: &EvalArgs,
    format: OutFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some((s, sc, opts)) = one_scenario(path, rules, eval_args, err) else {
        return EXIT_INVALID;
    };
    let outcome = eval::evaluate(&s.rules, &sc, &opts);
    let events = report::timeline::events(&s.rules, &sc, &outcome);
    let text = match format {
        OutFormat::Text => report::timeline::render_text(&s.rules, &sc, &outcome, &events),
        OutFormat::Json => report::timeline::render_json(&s.rules, &sc, &outcome, &events),
    };
    let _ = out.write_all(text.as_bytes());
    EXIT_OK
}

fn cmd_check(files: &[PathBuf], rules: &RuleArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(mut s) = load_rules(rules, err) else {
        return EXIT_INVALID;
    };
    let mut n_scenarios = 0;
    let mut n_failures = 0;
    if !s.has_errors() {
        for p in files {
            match s.read_scenario(p) {
                Ok(Some(sc)) => {
                    n_scenarios += 1;
                    let outcome = eval::evaluate(&s.rules, &sc, &Options::default());
                    for f in eval::check_expectations(&s.rules, &sc, &outcome) {
                        n_failures += 1;
                        s.diagnostics.push(
                            Diagnostic::warning("W0701", f.message)
                                .at(f.span)
                                .help("the scenario's `[[expect]]` does not hold; run `onus explain` to see why"),
                        );
                    }
                }
                Ok(None) => n_scenarios += 1,
                Err(e) => s
                    .diagnostics
                    .push(Diagnostic::error("E0001", e.to_string())),
            }
        }
    }
    emit_diagnostics(&s, rules.diagnostics, err);
    if s.has_errors() {
        return EXIT_INVALID;
    }
    if rules.diagnostics == DiagFormat::Human {
        let _ = writeln!(
            out,
            "ok: {} rule files ({} instruments, {} obligations), {n_scenarios} scenarios",
            s.rule_files.len(),
            s.rules.instruments.len(),
            s.rules.obligations.len()
        );
    }
    if n_failures > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

fn cmd_schema(out_dir: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let rules = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::syntax::RuleFileSchema>();
    let scenario = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::syntax::ScenarioFileSchema>();
    let rules = serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n";
    let scenario = serde_json::to_string_pretty(&scenario).unwrap_or_default() + "\n";
    match out_dir {
        None => {
            let _ = writeln!(out, "{rules}");
            let _ = write!(out, "{scenario}");
            EXIT_OK
        }
        Some(dir) => {
            if let Err(e) = crate::source::create_dir_all(dir) {
                let _ = writeln!(err, "error[E0002]: cannot create `{}`: {e}", dir.display());
                return EXIT_INVALID;
            }
            for (name, text) in [
                ("rules.schema.json", &rules),
                ("scenario.schema.json", &scenario),
            ] {
                if let Err(e) = crate::source::write_atomic(&dir.join(name), text.as_bytes()) {
                    let _ = writeln!(err, "error[E0002]: {e}");
                    return EXIT_INVALID;
                }
            }
            let _ = writeln!(
                out,
                "wrote {}/rules.schema.json and scenario.schema.json",
                dir.display()
            );
            EXIT_OK
        }
    }
}
