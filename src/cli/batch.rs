//! `onus run --batch DIR_OR_JSONL… [--summary]`: many scenarios in one run.
//!
//! Inputs are directories (every `.toml` file under them is one scenario), `.jsonl` files (one
//! JSON object per line, mirroring the scenario TOML: `{"scenario": {…}, "actor": [{…}], …}`)
//! or single scenario files. Each scenario is resolved, evaluated and written at once (one
//! JSON line per outcome, the document of `run --format json`), so memory does not grow with
//! the number of scenarios; `--summary` instead counts, per obligation, the findings of every
//! actor by status. A bad scenario is reported on stderr with its location and the run goes on;
//! the exit code is then 2.
//!
//! A JSON object is converted to TOML text and resolved like a file. JSON has no dates:
//! strings in the places the scenario format wants a date (`as_of`, `applies_from`,
//! `deadline`, and facts of type date in the vocabulary) are read as dates; `null` leaves a
//! value out (unknown).

use super::args::{EvalArgs, OutFormat, RuleArgs};
use super::{EXIT_INVALID, EXIT_OK, emit_diagnostics, load_rules, options};
use crate::Session;
use crate::diag::{self, Diagnostic};
use crate::eval::{self, Options, Status};
use crate::ir::{Kind, RuleSet, Type};
use crate::report;
use crate::source::{self, Sources};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Progress is shown only when a batch runs longer than this, on a terminal.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// One scenario to run: where it came from (for messages) and its TOML text.
struct Item {
    label: String,
    stem: String,
    text: String,
    /// From a JSON line: diagnostics are shown as one line each, since the TOML they point
    /// into was generated.
    from_json: bool,
}

#[derive(Default)]
struct Summary {
    scenarios: usize,
    actors: usize,
    /// (instrument, obligation) → status → findings.
    counts: BTreeMap<(String, String), BTreeMap<Status, usize>>,
    /// (instrument, obligation) → the number of distinct actors bearing it (not n/a), summed
    /// over scenarios.
    bearers: BTreeMap<(String, String), usize>,
}

struct Progress {
    start: Instant,
    last: Instant,
    shown: bool,
    tty: bool,
}

impl Progress {
    fn new() -> Progress {
        let now = Instant::now();
        Progress {
            start: now,
            last: now,
            shown: false,
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn tick(&mut self, done: usize, bad: usize, err: &mut dyn Write) {
        if !self.tty {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.start) < PROGRESS_AFTER
            || now.duration_since(self.last) < PROGRESS_EVERY
        {
            return;
        }
        self.last = now;
        self.shown = true;
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
        #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
        let rate = done as f64 / secs;
        let _ = write!(err, "\r\x1b[2K{done} scenarios, {bad} bad, {rate:.0}/s");
        let _ = err.flush();
    }

    fn finish(&self, err: &mut dyn Write) {
        if self.shown {
            let _ = write!(err, "\r\x1b[2K");
        }
    }
}

pub fn run(
    paths: &[PathBuf],
    rules: &RuleArgs,
    eval_args: &EvalArgs,
    summary: bool,
    format: OutFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(mut s) = load_rules(rules, err) else {
        return EXIT_INVALID;
    };
    emit_diagnostics(&s, rules.diagnostics, err);
    if s.has_errors() {
        return EXIT_INVALID;
    }
    let Some(mut opts) = options(&s, eval_args, err) else {
        return EXIT_INVALID;
    };
    // Summaries need no reasoning traces.
    if summary {
        opts.trace = false;
    }
    let mut sum = Summary::default();
    let mut bad = 0usize;
    let mut done = 0usize;
    let mut progress = Progress::new();
    for path in paths {
        let items: Box<dyn Iterator<Item = Result<Item, String>>> = if path.is_dir() {
            match source::list_toml_files(path) {
                Ok(files) => Box::new(files.into_iter().map(|f| {
                    let label = f.display().to_string();
                    let stem = f
                        .file_stem()
                        .map_or_else(|| "scenario".into(), |x| x.to_string_lossy().into_owned());
                    source::read_file(&f)
                        .map(|text| Item {
                            label,
                            stem,
                            text,
                            from_json: false,
                        })
                        .map_err(|e| format!("error[E0001]: {e}"))
                })),
                Err(e) => Box::new(std::iter::once(Err(format!("error[E0001]: {e}")))),
            }
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            match source::read_file(path) {
                Ok(text) => Box::new(json_items(&s.rules, path, text).into_iter()),
                Err(e) => Box::new(std::iter::once(Err(format!("error[E0001]: {e}")))),
            }
        } else {
            let label = path.display().to_string();
            let stem = path
                .file_stem()
                .map_or_else(|| "scenario".into(), |x| x.to_string_lossy().into_owned());
            Box::new(std::iter::once(
                source::read_file(path)
                    .map(|text| Item {
                        label,
                        stem,
                        text,
                        from_json: false,
                    })
                    .map_err(|e| format!("error[E0001]: {e}")),
            ))
        };
        for item in items {
            done += 1;
            match item {
                Err(msg) => {
                    bad += 1;
                    let _ = writeln!(err, "{msg}");
                }
                Ok(item) => {
                    if !one(&mut s, &item, &opts, summary, &mut sum, rules, out, err) {
                        bad += 1;
                    }
                }
            }
            progress.tick(done, bad, err);
        }
    }
    progress.finish(err);
    if summary {
        let _ = out.write_all(render_summary(&sum, format).as_bytes());
    }
    if bad > 0 {
        let _ = writeln!(err, "{bad} of {done} scenarios could not be evaluated");
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}

/// Resolves, evaluates and writes one scenario; `false` if it was bad.
#[expect(clippy::too_many_arguments, reason = "the state of one batch")]
fn one(
    s: &mut Session,
    item: &Item,
    opts: &Options,
    summary: bool,
    sum: &mut Summary,
    rules: &RuleArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    // A session of its own for the scenario's text, so the sources do not accumulate; the
    // compiled rules move in and back out.
    let mut tmp = Session {
        sources: Sources::new(),
        rules: std::mem::take(&mut s.rules),
        rule_files: Vec::new(),
        diagnostics: Vec::new(),
    };
    let path = if item.from_json {
        format!("{}.toml", item.stem)
    } else {
        item.label.clone()
    };
    let sc = tmp.add_scenario(&path, &item.text);
    let ok = !tmp.has_errors();
    if !tmp.diagnostics.is_empty() {
        let diags = tmp.sorted_diagnostics();
        if item.from_json {
            for d in diags {
                let _ = writeln!(err, "{}", json_diag(&d, &item.label));
            }
        } else {
            let text = match rules.diagnostics {
                super::args::DiagFormat::Human => diag::render_human(&diags, &tmp.sources),
                super::args::DiagFormat::Json => diag::render_json(&diags, &tmp.sources),
            };
            let _ = err.write_all(text.as_bytes());
        }
    }
    if let (true, Some(sc)) = (ok, sc.as_ref()) {
        let outcome = eval::evaluate(&tmp.rules, sc, opts);
        if summary {
            sum.scenarios += 1;
            sum.actors += sc.actors.len();
            let mut bearers: BTreeMap<(String, String), std::collections::BTreeSet<u32>> =
                BTreeMap::new();
            for f in &outcome.findings {
                let (Some(i), Some(o)) = (
                    tmp.rules.instrument(f.instrument),
                    tmp.rules.obligation(f.obligation),
                ) else {
                    continue;
                };
                let key = (i.id.clone(), o.id.clone());
                *sum.counts
                    .entry(key.clone())
                    .or_default()
                    .entry(f.status)
                    .or_default() += 1;
                if f.status != Status::NotApplicable {
                    bearers.entry(key).or_default().insert(f.actor);
                }
            }
            for (k, v) in bearers {
                *sum.bearers.entry(k).or_default() += v.len();
            }
        } else {
            let doc = report::json::report(&tmp.rules, sc, &outcome, None);
            let line = serde_json::to_string(&doc).unwrap_or_default();
            let _ = writeln!(out, "{line}");
        }
    }
    s.rules = tmp.rules;
    ok && sc.is_some()
}

/// A diagnostic of a scenario that came from a JSON line, on one line: the TOML it points into
/// was generated, so the line of the `.jsonl` file is the location.
fn json_diag(d: &Diagnostic, label: &str) -> String {
    let sev = if d.is_error() { "error" } else { "warning" };
    let mut s = format!("{sev}[{}]: {label}: {}", d.code, d.message);
    if let Some(h) = &d.help {
        s.push_str(&format!(" (help: {h})"));
    }
    s
}

/// Splits a JSON-lines file into scenarios (blank lines are skipped).
fn json_items(rs: &RuleSet, path: &std::path::Path, text: String) -> Vec<Result<Item, String>> {
    let stem = path
        .file_stem()
        .map_or_else(|| "batch".into(), |x| x.to_string_lossy().into_owned());
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label = format!("{}:{}", path.display(), i + 1);
        let item = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => {
                let table = scenario_table(rs, &map);
                match toml::to_string(&toml::Value::Table(table)) {
                    Ok(text) => Ok(Item {
                        label,
                        stem: format!("{stem}-{}", i + 1),
                        text,
                        from_json: true,
                    }),
                    Err(e) => Err(format!(
                        "error[E0601]: {label}: cannot convert to a scenario: {e}"
                    )),
                }
            }
            Ok(_) => Err(format!(
                "error[E0601]: {label}: a line must be one JSON object (a scenario)"
            )),
            Err(e) => Err(format!("error[E0601]: {label}: not JSON: {e}")),
        };
        out.push(item);
    }
    out
}

/// Converts a JSON scenario object to a TOML table, turning strings into dates where the
/// scenario format wants dates.
fn scenario_table(rs: &RuleSet, map: &serde_json::Map<String, serde_json::Value>) -> toml::Table {
    let mut t = toml::Table::new();
    for (k, v) in map {
        let kind = match k.as_str() {
            "actor" => Some(Kind::Actor),
            "model" => Some(Kind::Model),
            "system" => Some(Kind::System),
            "deployment" => Some(Kind::Deployment),
            _ => None,
        };
        let converted = match (k.as_str(), kind, v) {
            ("scenario", _, serde_json::Value::Object(m)) => {
                Some(toml::Value::Table(dated(m, &["as_of"])))
            }
            ("expect", _, serde_json::Value::Array(items)) => Some(toml::Value::Array(
                items
                    .iter()
                    .filter_map(|x| match x {
                        serde_json::Value::Object(m) => {
                            Some(toml::Value::Table(dated(m, &["applies_from", "deadline"])))
                        }
                        other => to_toml(other),
                    })
                    .collect(),
            )),
            (_, Some(kind), serde_json::Value::Array(items)) => Some(toml::Value::Array(
                items.iter().filter_map(|x| entity(rs, kind, x)).collect(),
            )),
            _ => to_toml(v),
        };
        if let Some(c) = converted {
            t.insert(k.clone(), c);
        }
    }
    t
}

fn entity(rs: &RuleSet, kind: Kind, v: &serde_json::Value) -> Option<toml::Value> {
    let serde_json::Value::Object(m) = v else {
        return to_toml(v);
    };
    let mut t = toml::Table::new();
    for (k, v) in m {
        if k == "facts" {
            if let serde_json::Value::Object(facts) = v {
                let mut ft = toml::Table::new();
                for (name, value) in facts {
                    let is_date = rs
                        .fact_by_name(kind, name)
                        .and_then(|f| rs.fact(f))
                        .is_some_and(|f| f.ty == Type::Date);
                    let converted = match value {
                        serde_json::Value::String(s) if is_date => date(s),
                        other => to_toml(other),
                    };
                    if let Some(c) = converted {
                        ft.insert(name.clone(), c);
                    }
                }
                t.insert(k.clone(), toml::Value::Table(ft));
                continue;
            }
        }
        if let Some(c) = to_toml(v) {
            t.insert(k.clone(), c);
        }
    }
    Some(toml::Value::Table(t))
}

fn dated(m: &serde_json::Map<String, serde_json::Value>, keys: &[&str]) -> toml::Table {
    let mut t = toml::Table::new();
    for (k, v) in m {
        let converted = match v {
            serde_json::Value::String(s) if keys.contains(&k.as_str()) => date(s),
            other => to_toml(other),
        };
        if let Some(c) = converted {
            t.insert(k.clone(), c);
        }
    }
    t
}

/// A string that is a date becomes a TOML date; any other string stays a string (and the
/// resolver reports it where a date is wanted).
fn date(s: &str) -> Option<toml::Value> {
    match s.parse::<toml::value::Datetime>() {
        Ok(d) => Some(toml::Value::Datetime(d)),
        Err(_) => Some(toml::Value::String(s.to_string())),
    }
}

fn to_toml(v: &serde_json::Value) -> Option<toml::Value> {
    Some(match v {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => toml::Value::Boolean(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                toml::Value::Integer(i)
            } else {
                toml::Value::Float(n.as_f64()?)
            }
        }
        serde_json::Value::String(s) => toml::Value::String(s.clone()),
        serde_json::Value::Array(a) => toml::Value::Array(a.iter().filter_map(to_toml).collect()),
        serde_json::Value::Object(m) => {
            let mut t = toml::Table::new();
            for (k, v) in m {
                if let Some(c) = to_toml(v) {
                    t.insert(k.clone(), c);
                }
            }
            toml::Value::Table(t)
        }
    })
}

fn render_summary(sum: &Summary, format: OutFormat) -> String {
    let statuses = [
        Status::Applies,
        Status::Pending,
        Status::Exempt,
        Status::Undetermined,
        Status::NotApplicable,
    ];
    match format {
        OutFormat::Json => {
            let rows: Vec<serde_json::Value> = sum
                .counts
                .iter()
                .map(|((i, o), c)| {
                    let mut m = serde_json::Map::new();
                    m.insert("instrument".into(), i.clone().into());
                    m.insert("obligation".into(), o.clone().into());
                    m.insert(
                        "actors".into(),
                        sum.bearers
                            .get(&(i.clone(), o.clone()))
                            .copied()
                            .unwrap_or(0)
                            .into(),
                    );
                    for st in statuses {
                        m.insert(st.name().into(), c.get(&st).copied().unwrap_or(0).into());
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            let doc = serde_json::json!({
                "scenarios": sum.scenarios,
                "actors": sum.actors,
                "obligations": rows,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        OutFormat::Text => {
            let mut header = vec![
                "instrument".to_string(),
                "obligation".to_string(),
                "actors".to_string(),
            ];
            header.extend(statuses.iter().map(|s| s.name().to_string()));
            let mut rows: Vec<Vec<String>> = vec![header];
            for ((i, o), c) in &sum.counts {
                let mut r = vec![
                    i.clone(),
                    o.clone(),
                    sum.bearers
                        .get(&(i.clone(), o.clone()))
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                ];
                r.extend(
                    statuses
                        .iter()
                        .map(|s| c.get(s).copied().unwrap_or(0).to_string()),
                );
                rows.push(r);
            }
            let n = rows.first().map_or(0, Vec::len);
            let widths: Vec<usize> = (0..n)
                .map(|j| {
                    rows.iter()
                        .filter_map(|r| r.get(j))
                        .map(|c| c.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let mut s = format!(
                "{} scenarios, {} actors; findings per obligation (`actors`: actors bearing it, not n/a, summed over scenarios)\n\n",
                sum.scenarios, sum.actors
            );
            for r in rows {
                let cells: Vec<String> = r
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(j, (c, w))| {
                        if j < 2 {
                            format!("{c:<w$}")
                        } else {
                            format!("{c:>w$}")
                        }
                    })
                    .collect();
                s.push_str(cells.join("  ").trim_end());
                s.push('\n');
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PROGRESS_AFTER, Progress};
    use std::time::{Duration, Instant};

    fn started(ago: Duration, tty: bool) -> Progress {
        let now = Instant::now();
        let start = now.checked_sub(ago).unwrap_or(now);
        Progress {
            start,
            last: start,
            shown: false,
            tty,
        }
    }

    #[test]
    fn the_progress_line_shows_on_a_terminal_once_a_run_takes_long_and_is_wiped_at_the_end() {
        let mut p = started(PROGRESS_AFTER + Duration::from_secs(1), true);
        let mut err = Vec::new();
        p.tick(1200, 3, &mut err);
        let line = String::from_utf8_lossy(&err).into_owned();
        assert!(
            line.starts_with("\r\x1b[2K1200 scenarios, 3 bad, "),
            "{line:?}"
        );
        assert!(line.ends_with("/s"), "{line:?}");
        // Not again within the refresh interval.
        let mut again = Vec::new();
        p.tick(1201, 3, &mut again);
        assert!(again.is_empty());
        let mut end = Vec::new();
        p.finish(&mut end);
        assert_eq!(end, b"\r\x1b[2K");
    }

    #[test]
    fn no_progress_line_for_a_short_run_or_off_a_terminal() {
        let mut err = Vec::new();
        let mut quick = started(Duration::ZERO, true);
        quick.tick(10, 0, &mut err);
        quick.finish(&mut err);
        let mut piped = started(PROGRESS_AFTER * 10, false);
        piped.tick(10, 0, &mut err);
        piped.finish(&mut err);
        assert!(err.is_empty(), "{:?}", String::from_utf8_lossy(&err));
    }
}
