//! `onus graph`, `onus lint --deep`, `onus run --batch`.
//!
//! The lint tests run on two fixture rule sets: `tests/data/lint/broken/`, in which every kind
//! of problem is planted once (and `lint --deep` must find each, with a witness that reproduces
//! it through the CLI), and `tests/data/lint/clean/`, in which there is nothing to find.

use crate::support::onus;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const BROKEN: &str = "tests/data/lint/broken";
const CLEAN: &str = "tests/data/lint/clean";
const BATCH_DIR: &str = "tests/data/batch/dir";
const BATCH_JSONL: &str = "tests/data/batch/chains.jsonl";

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("onus-analysis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lint_json(args: &[&str]) -> (u8, serde_json::Value) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = onus(&all);
    assert!(code != 2, "{err}");
    (code, serde_json::from_str(&out).unwrap())
}

fn codes(v: &serde_json::Value) -> BTreeSet<String> {
    v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// graph

#[test]
fn graph_dot_of_a_rule_set() {
    let (code, out, err) = onus(&["graph", "--rules", CLEAN]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("graph_clean_dot", out);
}

#[test]
fn graph_labels_are_escaped_in_every_format() {
    // The clean fixture cites `Art. 1 <a> & "b"`.
    let (_, dot, _) = onus(&["graph", "--rules", CLEAN, "--format", "dot"]);
    assert!(dot.contains(r#"Art. 1 <a> & \"b\""#), "{dot}");
    let (_, mermaid, _) = onus(&["graph", "--rules", CLEAN, "--format", "mermaid"]);
    assert!(mermaid.starts_with("flowchart LR"));
    assert!(
        mermaid.contains("Art. 1 #lt;a#gt; #amp; #quot;b#quot;"),
        "{mermaid}"
    );
    let (code, svg, err) = onus(&["graph", "--rules", CLEAN, "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts.iter().any(|t| t.contains(r#"Art. 1 <a> & "b""#)),
        "{texts:?}"
    );
}

#[test]
fn graph_of_one_instrument_keeps_its_rules_and_the_facts_they_read() {
    let (code, out, err) = onus(&["graph", "--rules", BROKEN, "--instrument", "broken-act"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("role\\ndeveloper\\nArt. 8"), "{out}");
    assert!(out.contains("fact\\nmodel.training_compute"));
    // A fact no rule reads is not part of the instrument's graph.
    assert!(!out.contains("never_asked"));
    let (code, _, err) = onus(&["graph", "--rules", BROKEN, "--instrument", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown instrument `nope`"), "{err}");
}

#[test]
fn graph_of_a_scenario_highlights_the_path_and_shows_the_chain() {
    let scenario = format!("{BATCH_DIR}/large-lab.toml");
    let (code, out, err) = onus(&["graph", "--rules", CLEAN, "--scenario", &scenario]);
    assert_eq!(code, 0, "{err}");
    // The obligation that applies, its role and the fact that decided it, on a red path.
    assert!(
        out.contains("obligation\\nregister\\nArt. 4\\napplies"),
        "{out}"
    );
    assert!(out.contains("color=\"#c62828\""), "{out}");
    // The chain: the actor creates the model.
    assert!(out.contains("actor\\nlab"), "{out}");
    assert!(out.contains("[label=\"creator of\""), "{out}");
    let (code, svg, _) = onus(&[
        "graph",
        "--rules",
        CLEAN,
        "--scenario",
        &scenario,
        "--format",
        "svg",
    ]);
    assert_eq!(code, 0);
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let (code, mermaid, _) = onus(&[
        "graph",
        "--rules",
        CLEAN,
        "--scenario",
        &scenario,
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("graph_scenario_mermaid", mermaid);
}

#[test]
fn graph_of_the_embedded_rule_set_is_well_formed_svg() {
    let (code, svg, err) = onus(&["graph", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
}

// ---------------------------------------------------------------------------------------
// lint

#[test]
fn lint_without_deep_finds_the_cheap_problems() {
    let (code, v) = lint_json(&["--rules", BROKEN]);
    assert_eq!(code, 1);
    let want: BTreeSet<String> = [
        "L0101", "L0102", "L0103", "L0104", "L0105", "L0106", "L0107",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(codes(&v), want);
    assert!(v["stats"].is_null());
}

#[test]
fn lint_deep_on_a_clean_rule_set_reports_nothing() {
    let (code, out, err) = onus(&["lint", "--deep", "--rules", CLEAN]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "ok: no reports\n");
    assert!(err.contains("lint --deep: 1 instruments"), "{err}");
}

#[test]
fn lint_deep_finds_each_kind_of_problem() {
    let (code, out, _) = onus(&["lint", "--deep", "--rules", BROKEN]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("lint_deep_broken_text", out);
}

/// Every planted problem is found, with a witness that reproduces it through the CLI.
#[test]
fn lint_deep_witnesses_reproduce_through_the_cli() {
    let dir = temp_dir("witnesses");
    let dir_s = dir.to_string_lossy().into_owned();
    let (code, v) = lint_json(&["--deep", "--rules", BROKEN, "--witnesses", &dir_s]);
    assert_eq!(code, 1);
    let reports = v["reports"].as_array().unwrap();
    let found: BTreeSet<(String, String)> = reports
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_string(),
                r["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (code, rule) in [
        ("L0201", "broken-act/contradiction"),
        ("L0202", "broken-act/small_model_notice"),
        ("L0202", "broken-act/archive"),
        ("L0203", "broken-act/report"),
        ("L0204", "broken-act/open_and_early_exempt"),
        ("L0205", "broken-act/high_risk"),
        ("L0206", "broken-act/broken_idle"),
        ("L0301", "broken-act/register"),
    ] {
        assert!(
            found.contains(&(code.to_string(), rule.to_string())),
            "missing {code} {rule} in {found:?}"
        );
    }
    // Nothing is reported about the rules that are fine.
    for rule in [
        "broken-act/register",
        "broken-act/conformity",
        "broken-act/oversight",
    ] {
        assert!(
            !found
                .iter()
                .any(|(c, r)| r == rule && c.as_str() != "L0301"),
            "{rule}: {found:?}"
        );
    }
    let mut checked = 0;
    for r in reports {
        let Some(w) = r.get("witness").filter(|w| !w.is_null()) else {
            continue;
        };
        assert_eq!(w["reproduced"], true, "{r}");
        let file = w["file"].as_str().unwrap();
        assert!(Path::new(file).is_file(), "{file}");
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            w["toml"].as_str().unwrap()
        );
        // The witness's [[expect]] entries hold.
        let (code, out, err) = onus(&["check", "--rules", BROKEN, file]);
        assert_eq!(code, 0, "{file}: {out}{err}");
        let (code, json, err) = onus(&[
            "run",
            "--rules",
            BROKEN,
            "--all-readings",
            "--format",
            "json",
            file,
        ]);
        assert_eq!(code, 0, "{file}: {err}");
        let run: serde_json::Value = serde_json::from_str(&json).unwrap();
        match r["code"].as_str().unwrap() {
            "L0301" => {
                // The contested finding is listed by --all-readings.
                let contested = run["contested"].as_array().unwrap();
                assert!(
                    contested.iter().any(|c| c["obligation"] == "register"),
                    "{file}: {json}"
                );
            }
            "L0205" => {
                // Nobody is provider of the high-risk system, yet someone is deployer.
                let roles = run["roles"].as_array().unwrap();
                assert!(!roles.iter().any(|x| x["role"] == "provider"), "{json}");
                assert!(
                    roles
                        .iter()
                        .any(|x| x["role"] == "deployer" && x["status"] == "holds")
                );
            }
            "L0201" => {
                // Nobody holds the role.
                let role = r["rule"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("broken-act/");
                let roles = run["roles"].as_array().unwrap();
                assert!(
                    !roles
                        .iter()
                        .any(|x| x["role"] == role && x["status"] == "holds"),
                    "{json}"
                );
            }
            _ => {}
        }
        checked += 1;
    }
    assert!(checked >= 9, "{checked} witnesses");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Witnesses never replace a user's file: writing them again into the same directory is fine
/// (same bytes), a file that differs stops the command with exit 2 and stays as it was, and
/// only `--overwrite` replaces it.
#[test]
fn lint_witnesses_never_clobber_a_file() {
    let dir = temp_dir("witnesses-clobber");
    let dir_s = dir.to_string_lossy().into_owned();
    let args = ["lint", "--deep", "--rules", BROKEN, "--witnesses", &dir_s];
    let (code, _, err) = onus(&args);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = onus(&args);
    assert_eq!(code, 1, "writing the same witnesses again: {err}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let victim = files.first().expect("witnesses were written").clone();
    std::fs::write(&victim, "# my own notes\n").unwrap();
    let (code, _, err) = onus(&args);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E0002]") && err.contains("--overwrite"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "# my own notes\n",
        "the user's file was replaced"
    );
    let mut with_overwrite = args.to_vec();
    with_overwrite.push("--overwrite");
    let (code, _, err) = onus(&with_overwrite);
    assert_eq!(code, 1, "{err}");
    assert!(
        std::fs::read_to_string(&victim)
            .unwrap()
            .contains("[[actor]]")
    );
    // No temporary file is left behind.
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("onus-tmp")
    }),);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_note_marks_a_report_as_explained() {
    let dir = temp_dir("explained");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::copy(format!("{BROKEN}/facts.toml"), rules.join("facts.toml")).unwrap();
    let act = std::fs::read_to_string(format!("{BROKEN}/act.toml")).unwrap().replace(
        "title = \"Archive the training logs (ends before it starts)\"",
        "title = \"Archive the training logs (ends before it starts)\"\nnote = \"Repealed before it applied. [lint: never-applies]\"",
    );
    std::fs::write(rules.join("act.toml"), act).unwrap();
    let (_, v) = lint_json(&["--deep", "--rules", &rules.to_string_lossy()]);
    let archive = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "broken-act/archive")
        .unwrap();
    assert_eq!(archive["severity"], "explained");
    assert_eq!(archive["explained"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_rejects_an_unknown_instrument() {
    let (code, _, err) = onus(&["lint", "--rules", BROKEN, "--instrument", "brokn-act"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `broken-act`?"), "{err}");
}

#[test]
fn lint_on_the_embedded_rule_set_runs_cheaply() {
    let (code, out, err) = onus(&["lint"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: no reports"), "{out}");
}

/// The shipped rule set is lint-clean: every report `lint --deep` makes on it is either
/// informational or marked as intended (`[lint: <kind>]`) in its rule's note, with the reason.
/// A new rule that can never apply, or a fact nobody reads, fails here until it is fixed or
/// explained from the legal text.
#[test]
fn lint_deep_on_the_embedded_rule_set_leaves_no_unexplained_warning() {
    let (code, v) = lint_json(&["--deep"]);
    let unexplained: Vec<String> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["severity"] != "info" && r["explained"] != true)
        .map(|r| format!("{} {}", r["code"], r["message"]))
        .collect();
    assert!(unexplained.is_empty(), "{unexplained:#?}");
    assert_eq!(code, 0);
    // Witnesses of explained reports still reproduce them.
    for r in v["reports"].as_array().unwrap() {
        if r["explained"] == true && !r["witness"].is_null() {
            assert_eq!(r["witness"]["reproduced"], true, "{r}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// run --batch

#[test]
fn batch_writes_one_json_line_per_scenario_and_keeps_going() {
    let (code, out, err) = onus(&["run", "--batch", "--rules", CLEAN, BATCH_DIR, BATCH_JSONL]);
    assert_eq!(code, 2, "a bad scenario makes the exit code 2");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON document"))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|v| v["scenario"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["large-lab", "open-lab", "json-small", "json-large"]);
    assert!(lines.iter().all(|v| v["schema_version"] == 2));
    // The JSON line is the document of `run --format json`.
    let (_, single, _) = onus(&[
        "run",
        "--rules",
        CLEAN,
        "--format",
        "json",
        &format!("{BATCH_DIR}/large-lab.toml"),
    ]);
    let single: serde_json::Value = serde_json::from_str(&single).unwrap();
    assert_eq!(lines[0], single);
    // A date given as a string in JSON is a date where the format wants one.
    let large = &lines[3];
    assert_eq!(large["scenario"]["as_of"], "2026-06-01");
    // Each bad scenario is reported with its location.
    assert!(
        err.contains("tests/data/batch/dir/bad-fact.toml:11:30"),
        "{err}"
    );
    assert!(
        err.contains("chains.jsonl:4: unknown fact `compute`"),
        "{err}"
    );
    assert!(err.contains("chains.jsonl:5: not JSON"), "{err}");
    assert!(
        err.contains("chains.jsonl:6: unknown actor `nobody`"),
        "{err}"
    );
    assert!(
        err.contains("4 of 8 scenarios could not be evaluated"),
        "{err}"
    );
}

#[test]
fn batch_summary_counts_actors_and_obligations() {
    let (code, out, _) = onus(&[
        "run",
        "--batch",
        "--summary",
        "--rules",
        CLEAN,
        BATCH_DIR,
        BATCH_JSONL,
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("batch_summary_text", out);
    let (_, json, _) = onus(&[
        "run",
        "--batch",
        "--summary",
        "--format",
        "json",
        "--rules",
        CLEAN,
        BATCH_DIR,
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["scenarios"], 2);
    let register = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["obligation"] == "register")
        .unwrap();
    assert_eq!(register["applies"], 1);
    assert_eq!(register["pending"], 1);
}

#[test]
fn batch_of_good_scenarios_exits_zero() {
    let (code, out, err) = onus(&[
        "run",
        "--batch",
        "--rules",
        CLEAN,
        &format!("{BATCH_DIR}/large-lab.toml"),
        &format!("{BATCH_DIR}/open-lab.toml"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2);
    assert!(err.is_empty(), "no progress bar off a terminal: {err}");
}
