//! `onus test` and `onus diff`: expectations, locked outcomes, accepting changes one scenario at
//! a time, attribution of changes to the rules behind them, JUnit output.

use crate::support::{onus, root};
use std::path::{Path, PathBuf};

/// A scratch copy of the EU rules and two EU scenarios.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("onus-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(dir.join("rules/eu"));
        let _ = std::fs::create_dir_all(dir.join("scenarios"));
        let copy = |from: &str, to: &str| {
            let _ = std::fs::copy(root().join(from), dir.join(to));
        };
        copy("jurisdictions/facts.toml", "rules/facts.toml");
        for e in std::fs::read_dir(root().join("jurisdictions/eu"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            copy(
                &format!("jurisdictions/eu/{name}"),
                &format!("rules/eu/{name}"),
            );
        }
        copy(
            "scenarios/eu/eu-open-weights-above-systemic.toml",
            "scenarios/above.toml",
        );
        copy(
            "scenarios/eu/eu-open-weights-below-systemic.toml",
            "scenarios/below.toml",
        );
        Fixture { dir }
    }

    fn p(&self, rel: &str) -> String {
        self.dir.join(rel).to_string_lossy().into_owned()
    }

    fn test(&self, extra: &[&str]) -> (u8, String, String) {
        let rules = self.p("rules");
        let scenarios = self.p("scenarios");
        let mut args = vec!["test", "--rules", &rules, &scenarios];
        args.extend_from_slice(extra);
        onus(&args)
    }

    /// Adds an actor with its own closed model placed in the EU: new findings, expectations intact.
    fn add_model(&self, scenario: &str, id: &str) {
        let path = self.dir.join("scenarios").join(scenario);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::write(
            &path,
            format!(
                "{text}\n[[actor]]\nid = \"{id}\"\nfacts = {{ established_in = \"eu\" }}\n\n[[model]]\nid = \"{id}-model\"\ncreator = \"{id}\"\nfacts = {{ training_compute = 5e23, generative = true, markets = [\"eu\"], placed_on_market = 2026-01-10 }}\n"
            ),
        );
    }

    /// Raises the systemic-risk threshold to 10^26 FLOP in the scratch rules.
    fn change_threshold(&self) {
        let path = self.dir.join("rules/eu/ai-act.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains("expr = \"1e25 FLOP\""));
        let _ = std::fs::write(
            &path,
            text.replace("expr = \"1e25 FLOP\"", "expr = \"1e26 FLOP\""),
        );
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn nothing_is_written_without_lock_or_accept() {
    let f = Fixture::new("nowrite");
    let (code, out, err) = f.test(&[]);
    assert_eq!(code, 0, "{err}{out}");
    assert!(out.contains("no lock"), "{out}");
    assert!(!f.dir.join("scenarios/above.lock").exists());
    assert!(out.ends_with("2 passed, 0 failed\n"), "{out}");
}

#[test]
fn a_failing_expectation_has_a_clear_message() {
    let f = Fixture::new("expect");
    let path = f.dir.join("scenarios/above.toml");
    let text = read(&path);
    // Claim (wrongly) that the open-source exemption applies to a systemic-risk model.
    let _ = std::fs::write(
        &path,
        format!(
            "{text}\n[[expect]]\nactor = \"kestrel\"\ninstrument = \"eu-ai-act\"\nobligation = \"technical_documentation\"\nstatus = \"exempt\"\n"
        ),
    );
    let (code, out, _) = f.test(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(
        out.contains("expected `kestrel` eu-ai-act technical_documentation (Art. 53(1)(a)) to be exempt, found applies"),
        "{out}"
    );
}

#[test]
fn a_lock_detects_a_changed_rule_and_names_it() {
    let f = Fixture::new("lock");
    let (code, out, _) = f.test(&["--lock"]);
    assert_eq!(code, 0, "{out}");
    let lock = read(&f.dir.join("scenarios/above.lock"));
    assert!(
        lock.contains("obligation kestrel | eu-ai-act | Art. 55(1)(a) model_evaluation"),
        "{lock}"
    );
    assert!(
        lock.contains("rule definition eu-ai-act/systemic_risk_compute = "),
        "{lock}"
    );
    f.change_threshold();
    let (code, out, _) = f.test(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("− eu-ai-act Art. 55(1)(a) model_evaluation (kestrel-405b) applies"),
        "{out}"
    );
    assert!(
        out.contains("because changed: definition eu-ai-act/systemic_risk_compute [Art. 51(2)]"),
        "{out}"
    );
    // The lock was not touched by a failing run.
    assert_eq!(read(&f.dir.join("scenarios/above.lock")), lock);
}

#[test]
fn accepting_one_scenario_leaves_the_other_failing() {
    let f = Fixture::new("accept");
    let (code, _, _) = f.test(&["--lock"]);
    assert_eq!(code, 0);
    // Both scenarios gain a new provider, so both outcomes differ from their locks.
    f.add_model("above.toml", "newco");
    f.add_model("below.toml", "otherco");
    let (code, out, _) = f.test(&[]);
    assert_eq!(code, 1);
    assert!(out.contains("0 passed, 2 failed"), "{out}");
    let above = f.p("scenarios/above.toml");
    let (code, out, _) = f.test(&["--accept", &above]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("new outcome accepted"), "{out}");
    let (code, out, _) = f.test(&[]);
    assert_eq!(code, 1);
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(out.contains("FAIL") && out.contains("below.toml"), "{out}");
}

#[test]
fn junit_output_parses_back() {
    let f = Fixture::new("junit");
    let _ = f.test(&["--lock"]);
    f.change_threshold();
    let (code, out, _) = f.test(&["--format", "junit"]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0]
            .text()
            .unwrap_or("")
            .contains("systemic_risk_compute")
    );
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite"));
    assert_eq!(suite.and_then(|s| s.attribute("failures")), Some("1"));
}

#[test]
fn test_json_reports_changes() {
    let f = Fixture::new("json");
    let _ = f.test(&["--lock"]);
    f.change_threshold();
    let (_, out, _) = f.test(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["failed"], 1);
    let s = v["scenarios"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["lock"] == "changed"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        s["changes"][0]["because"][0]["rule"],
        "definition eu-ai-act/systemic_risk_compute"
    );
}

#[test]
fn locks_are_stable_under_reordering_of_rule_files() {
    let f = Fixture::new("order");
    let _ = f.test(&["--lock"]);
    let lock = read(&f.dir.join("scenarios/above.lock"));
    // Move the files so that they are found in the opposite order.
    let _ = std::fs::create_dir_all(f.dir.join("rules/zz"));
    let _ = std::fs::rename(
        f.dir.join("rules/facts.toml"),
        f.dir.join("rules/zz/vocabulary.toml"),
    );
    let _ = std::fs::rename(f.dir.join("rules/eu"), f.dir.join("rules/a-eu"));
    let (code, out, _) = f.test(&[]);
    assert_eq!(code, 0, "{out}");
    let _ = f.test(&["--accept"]);
    assert_eq!(read(&f.dir.join("scenarios/above.lock")), lock);
}

#[test]
fn diff_between_two_rule_sets_attributes_changes() {
    let f = Fixture::new("diff-rules");
    let old = f.dir.join("old");
    let _ = std::fs::create_dir_all(old.join("eu"));
    let _ = std::fs::copy(f.dir.join("rules/facts.toml"), old.join("facts.toml"));
    for e in std::fs::read_dir(f.dir.join("rules/eu"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::copy(e.path(), old.join("eu").join(e.file_name()));
    }
    f.change_threshold();
    let (code, out, err) = onus(&[
        "diff",
        "--from-rules",
        &old.to_string_lossy(),
        "--rules",
        &f.p("rules"),
        &f.p("scenarios"),
    ]);
    assert_eq!(code, 0, "{err}");
    // Above 10^25 but below 10^26 FLOP, the model loses its systemic-risk duties.
    assert!(out.contains("eu-ai-act: +0 gained, −"), "{out}");
    assert!(
        out.contains("− eu-ai-act Art. 55(1)(a) model_evaluation (kestrel-405b) applies"),
        "{out}"
    );
    assert!(out.contains("Rules that differ between the two rule sets\n  definition eu-ai-act/systemic_risk_compute [Art. 51(2)]"), "{out}");
}

#[test]
fn diff_between_two_dates() {
    let f = Fixture::new("diff-dates");
    let legacy = root().join("scenarios/eu/eu-legacy-model-before-application.toml");
    let (code, out, err) = onus(&[
        "diff",
        "--rules",
        &f.p("rules"),
        "--from-as-of",
        "2026-12-01",
        "--to-as-of",
        "2027-09-01",
        &legacy.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Art. 111(3): the model placed before 2025-08-02 must comply from 2027-08-02.
    assert!(
        out.contains("~ eu-ai-act Art. 53(1)(a) technical_documentation (calder-1) pending from 2027-08-02 → applies"),
        "{out}"
    );
}

#[test]
fn diff_between_two_readings() {
    let (_dir, rules, sc) = crate::time::setup();
    let (code, out, err) = onus(&[
        "diff",
        "--rules",
        &rules,
        "--from-reading",
        "counts_base=own",
        "--to-reading",
        "counts_base=cumulative",
        &sc,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tuner:"), "{out}");
    assert!(
        out.contains("+ act §3 framework (tuned) pending from 2026-06-30"),
        "{out}"
    );
    assert!(out.contains("act: +2 gained"), "{out}");
}

#[test]
fn diff_with_and_without_an_amendment() {
    let (_dir, rules, sc) = crate::time::setup();
    let (code, out, err) = onus(&["diff", "--rules", &rules, "--without", "act-delay", &sc]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("~ act §3 framework (base) pending from 2026-06-30 → applies"),
        "{out}"
    );
}

#[test]
fn diff_against_a_git_revision_of_the_rules() {
    // The repository's own history: the rules at HEAD against the working tree's.
    let scenario = root().join("scenarios/eu/eu-finetune-above-third.toml");
    let (code, out, err) = onus(&[
        "diff",
        "--from-rev",
        "HEAD",
        "--rules",
        &root().join("jurisdictions").to_string_lossy(),
        &scenario.to_string_lossy(),
    ]);
    if err.contains("cannot run git") || err.contains("not a git repository") {
        eprintln!("skipped: no git repository here");
        return;
    }
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Rules that differ between the two rule sets"),
        "{out}"
    );
    let (code, _, err) = onus(&[
        "diff",
        "--from-rev",
        "no-such-revision-xyz",
        &scenario.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("E0001"), "{err}");
}
