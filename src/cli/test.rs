//! `onus test`: expectations and locked outcomes, as a test runner.
//!
//! For each scenario: its `[[expect]]` entries must hold, and its outcome must equal its lock
//! file (`X.lock` beside `X.toml`) when there is one. `--lock` writes missing locks; `--accept`
//! replaces locks (all, or the scenarios named). Nothing is written otherwise; writes are atomic.

use super::args::{RuleArgs, TestFormat};
use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, load_with_paths, scenario_paths};
use crate::eval::{self, Options};
use crate::lockfile::{self, Change};
use crate::source;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum LockState {
    Matches,
    Missing,
    Changed,
    Written,
    Accepted,
}

#[derive(Serialize)]
struct ExpectOut {
    line: usize,
    message: String,
}

#[derive(Serialize)]
struct ChangeOut {
    actor: String,
    kind: String,
    instrument: String,
    what: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    because: Vec<RuleOut>,
}

#[derive(Serialize)]
struct RuleOut {
    rule: String,
    citation: String,
}

#[derive(Serialize)]
struct ScenarioResult {
    path: String,
    id: String,
    passed: bool,
    expectations: usize,
    expectation_failures: Vec<ExpectOut>,
    lock: LockState,
    changes: Vec<ChangeOut>,
}

pub fn lock_path(scenario: &Path) -> PathBuf {
    scenario.with_extension("lock")
}

fn change_out(c: &Change) -> ChangeOut {
    ChangeOut {
        actor: c.actor.clone(),
        kind: c.kind.clone(),
        instrument: c.instrument.clone(),
        what: c.what.clone(),
        subject: c.subject.clone(),
        before: c.before.clone(),
        after: c.after.clone(),
        because: c
            .because
            .iter()
            .map(|(r, cit)| RuleOut {
                rule: r.clone(),
                citation: cit.clone(),
            })
            .collect(),
    }
}

/// Writes the readable list of changes, grouped by actor.
pub(super) fn changes_text(changes: &[Change], indent: &str) -> String {
    let mut s = String::new();
    let mut last_actor = None;
    for c in changes {
        if last_actor != Some(&c.actor) {
            s.push_str(&format!("{indent}{}:\n", c.actor));
            last_actor = Some(&c.actor);
        }
        s.push_str(&format!("{indent}  {}\n", c.describe()));
        if !c.because.is_empty() {
            let rules: Vec<String> = c
                .because
                .iter()
                .map(|(r, cit)| {
                    if cit.is_empty() {
                        r.clone()
                    } else {
                        format!("{r} [{cit}]")
                    }
                })
                .collect();
            s.push_str(&format!(
                "{indent}    because changed: {}\n",
                rules.join("; ")
            ));
        }
    }
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub fn run(
    paths: &[PathBuf],
    rules: &RuleArgs,
    write_missing: bool,
    accept: Option<&[PathBuf]>,
    format: TestFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(files) = scenario_paths(paths, err) else {
        return EXIT_INVALID;
    };
    let Some((s, scenarios)) = load_with_paths(rules, &files, err) else {
        return EXIT_INVALID;
    };
    let accept_all = accept.is_some_and(<[PathBuf]>::is_empty);
    let accepted = |p: &Path| {
        accept.is_some_and(|list| {
            list.iter().any(|a| {
                a == p
                    || a.canonicalize()
                        .ok()
                        .is_some_and(|x| p.canonicalize().ok() == Some(x))
            })
        })
    };
    let prints = lockfile::fingerprints(&s.rules);
    let index = lockfile::dependency_index(&s.rules);
    let mut results = Vec::new();
    for (path, sc) in &scenarios {
        let opts = Options::default();
        let outcome = eval::evaluate(&s.rules, sc, &opts);
        let fails: Vec<ExpectOut> = eval::check_expectations(&s.rules, sc, &outcome)
            .into_iter()
            .map(|f| ExpectOut {
                line: s.sources.line_col(f.span.file, f.span.start).line,
                message: f.message,
            })
            .collect();
        let new = lockfile::lock(&s.rules, sc, &outcome);
        let text = lockfile::render(sc, &outcome, &new);
        let lp = lock_path(path);
        let (mut state, changes) = match source::read_file(&lp) {
            Ok(old_text) => {
                let old = lockfile::parse(&old_text);
                let changed = lockfile::changed_since(&old, &prints, &new);
                let changes = lockfile::compare(&old, &new, &changed, &[&index]);
                if changes.is_empty() {
                    (LockState::Matches, changes)
                } else {
                    (LockState::Changed, changes)
                }
            }
            Err(_) => (LockState::Missing, Vec::new()),
        };
        let write = match state {
            LockState::Missing => write_missing || accept_all || accepted(path),
            LockState::Changed => accept_all || accepted(path),
            _ => false,
        };
        // An accepted lock is rewritten even when only fingerprints moved.
        let refresh = state == LockState::Matches && (accept_all || accepted(path));
        if write || refresh {
            if let Err(e) = source::write_atomic(&lp, text.as_bytes()) {
                let _ = writeln!(err, "error[E0002]: cannot write `{}`: {e}", lp.display());
                return EXIT_INVALID;
            }
            if write {
                state = if state == LockState::Missing {
                    LockState::Written
                } else {
                    LockState::Accepted
                };
            }
        }
        let passed = fails.is_empty() && state != LockState::Changed;
        results.push((
            ScenarioResult {
                path: path.display().to_string(),
                id: sc.id.clone(),
                passed,
                expectations: sc.expects.len(),
                expectation_failures: fails,
                lock: state,
                changes: changes.iter().map(change_out).collect(),
            },
            changes,
        ));
    }
    let n_failed = results.iter().filter(|(r, _)| !r.passed).count();
    let n_passed = results.len() - n_failed;
    match format {
        TestFormat::Text => {
            for (r, changes) in &results {
                let lock = match r.lock {
                    LockState::Matches => "lock matches",
                    LockState::Missing => "no lock (write one with `onus test --lock`)",
                    LockState::Changed => "outcome differs from the lock",
                    LockState::Written => "lock written",
                    LockState::Accepted => "new outcome accepted",
                };
                let _ = writeln!(
                    out,
                    "{} {} ({} expectation{}, {lock})",
                    if r.passed { "PASS" } else { "FAIL" },
                    r.path,
                    r.expectations,
                    if r.expectations == 1 { "" } else { "s" }
                );
                for f in &r.expectation_failures {
                    let _ = writeln!(out, "  line {}: {}", f.line, f.message);
                }
                if !changes.is_empty() {
                    let _ = write!(out, "{}", changes_text(changes, "  "));
                    if r.lock == LockState::Changed {
                        let _ = writeln!(out, "  accept with: onus test --accept {}", r.path);
                    }
                }
            }
            let _ = writeln!(out, "{n_passed} passed, {n_failed} failed");
        }
        TestFormat::Json => {
            let list: Vec<&ScenarioResult> = results.iter().map(|(r, _)| r).collect();
            let doc = serde_json::json!({
                "schema_version": crate::report::json::SCHEMA_VERSION,
                "passed": n_passed,
                "failed": n_failed,
                "scenarios": list,
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        TestFormat::Junit => {
            let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            x.push_str(&format!(
                "<testsuites tests=\"{}\" failures=\"{n_failed}\">\n  <testsuite name=\"onus\" tests=\"{}\" failures=\"{n_failed}\">\n",
                results.len(),
                results.len()
            ));
            for (r, changes) in &results {
                x.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{}\">\n",
                    xml(&r.path),
                    xml(&r.id)
                ));
                if !r.passed {
                    let mut detail = String::new();
                    for f in &r.expectation_failures {
                        detail.push_str(&format!("line {}: {}\n", f.line, f.message));
                    }
                    detail.push_str(&changes_text(changes, ""));
                    let msg = if r.expectation_failures.is_empty() {
                        "outcome differs from the lock"
                    } else {
                        "expectation does not hold"
                    };
                    x.push_str(&format!(
                        "      <failure message=\"{}\">{}</failure>\n",
                        xml(msg),
                        xml(&detail)
                    ));
                }
                x.push_str("    </testcase>\n");
            }
            x.push_str("  </testsuite>\n</testsuites>\n");
            let _ = out.write_all(x.as_bytes());
        }
    }
    if n_failed > 0 { EXIT_FAILURE } else { EXIT_OK }
}
