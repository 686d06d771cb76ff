//! `onus ask`, `--interactive` and `--sensitivity`.
//!
//! Everything runs against the toy rule set under tests/data/ask/rules (one threshold of each
//! kind: training compute, modification compute against a third of the base's, revenue,
//! employees, users, and a date), so these tests do not move when the real rule files change.

use crate::support::onus;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const RULES: &str = "tests/data/ask/rules";
const SEVERAL: &str = "tests/data/ask/several-unknowns.toml";
const LICENCE: &str = "tests/data/ask/licence-unknown.toml";
const THRESHOLDS: &str = "tests/data/ask/thresholds.toml";

fn ask_json(scenario: &str) -> Value {
    let (code, out, err) = onus(&["ask", "--rules", RULES, "--format", "json", scenario]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// `entity.fact` of each question, in rank order.
fn asked(doc: &Value) -> Vec<String> {
    doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            format!(
                "{}.{}",
                q["entity"].as_str().unwrap(),
                q["fact"].as_str().unwrap()
            )
        })
        .collect()
}

fn question<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| {
            format!(
                "{}.{}",
                q["entity"].as_str().unwrap(),
                q["fact"].as_str().unwrap()
            ) == name
        })
        .unwrap_or_else(|| panic!("no question {name} in {doc:#}"))
}

/// The rule-set version is a hash of the toy rule files; redact it so a snapshot names only
/// what the test is about.
fn without_version(f: impl FnOnce()) {
    insta::with_settings!({filters => vec![
        (r"rule set [0-9a-f]{12}", "rule set [version]"),
        (r#""version": "[0-9a-f]{12}""#, r#""version": "[version]""#),
    ]}, {
        f();
    });
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("onus-ask-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `input` piped to stdin; returns (exit code, stdout, stderr).
fn onus_piped(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn questions_are_ranked_by_findings_then_exposure() {
    let doc = ask_json(SEVERAL);
    assert_eq!(doc["undetermined"], 12);
    let names = asked(&doc);
    // Three facts decide five findings each; atlas-1's compute comes first because those
    // findings carry fines computed from Atlas's revenue (3 × max(USD 15 m, 3% of USD 2 bn)),
    // while Nimbus's fines depend on its unknown revenue.
    assert_eq!(
        names[..3],
        [
            "atlas-1.training_compute",
            "nimbus-ft.fine_tuned",
            "nimbus-ft.modification_compute"
        ]
    );
    let counts: Vec<usize> = doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["decides"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts[..3], [5, 5, 5], "{names:?}");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let first = question(&doc, "atlas-1.training_compute");
    assert_eq!(first["exposure"]["amounts"][0]["currency"], "USD");
    assert_eq!(first["exposure"]["amounts"][0]["amount"], 1.8e8);
    assert_eq!(first["exposure"]["unquantified"], 0);
    assert_eq!(
        question(&doc, "nimbus-ft.fine_tuned")["exposure"]["unquantified"],
        3
    );
    // One finding each: the one with a fine (stratus-chat's users) before the one without.
    let users = names
        .iter()
        .position(|n| n == "stratus-chat.users")
        .unwrap();
    let staff = names.iter().position(|n| n == "orbit.employees").unwrap();
    assert!(users < staff, "{names:?}");
    assert_eq!(
        question(&doc, "stratus-chat.users")["exposure"]["amounts"][0]["amount"],
        1.5e7
    );

    // Each question says what to answer, who can answer, and what each answer does.
    assert_eq!(first["ask"], "atlas");
    assert_eq!(first["type"], "number");
    assert_eq!(first["unit"], "FLOP");
    assert_eq!(first["thresholds"], serde_json::json!([1e23, 1e25, 1e26]));
    let copyright = first["decides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["obligation"] == "copyright_policy")
        .unwrap();
    assert_eq!(copyright["cases"][0]["when"]["max"], 1e23);
    assert_eq!(copyright["cases"][0]["when"]["max_inclusive"], true);
    assert_eq!(
        copyright["cases"][0]["status"],
        Value::Null,
        "no role at or below 1e23"
    );
    assert_eq!(copyright["cases"][1]["when"]["min"], 1e23);
    assert_eq!(copyright["cases"][1]["status"], "applies");
    assert_eq!(question(&doc, "orbit.employees")["ask"], "orbit");
    assert_eq!(question(&doc, "stratus-chat.users")["ask"], "stratus");
    assert_eq!(question(&doc, "nimbus-ft.fine_tuned")["type"], "bool");

    // Facts that are missing but decide nothing on their own are not asked.
    let not_asked: Vec<String> = doc["not_asked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}.{}",
                f["entity"].as_str().unwrap(),
                f["fact"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        not_asked.contains(&"nimbus-ft.licence".to_string()),
        "{not_asked:?}"
    );
    assert!(not_asked.iter().all(|f| !names.contains(f)));
}

#[test]
fn enum_and_date_questions_list_their_values() {
    let doc = ask_json(LICENCE);
    assert_eq!(asked(&doc), ["lyra-3b.licence", "lyra-7b.placed_on_market"]);
    let licence = question(&doc, "lyra-3b.licence");
    assert_eq!(licence["type"], "enum");
    assert_eq!(
        licence["values"],
        serde_json::json!(["apache-2.0", "mit", "proprietary"])
    );
    let cases = &licence["decides"][0]["cases"];
    assert_eq!(
        cases[0]["when"]["values"],
        serde_json::json!(["apache-2.0", "mit"])
    );
    assert_eq!(cases[0]["status"], "exempt");
    let date = question(&doc, "lyra-7b.placed_on_market");
    assert_eq!(date["thresholds"], serde_json::json!(["2025-08-02"]));
    let cases = &date["decides"][0]["cases"];
    assert_eq!(cases[0]["when"]["max"], "2025-08-02");
    assert_eq!(cases[0]["when"]["max_inclusive"], false);
    assert_eq!(cases[0]["status"], "pending");
    assert_eq!(cases[1]["status"], "applies");
}

#[test]
fn a_question_disappears_once_another_answer_makes_it_irrelevant() {
    let before = asked(&ask_json(SEVERAL));
    assert!(before.contains(&"nimbus-ft.modification_compute".to_string()));
    // Nimbus did not train the model further: how much compute it used no longer matters.
    let dir = temp_dir("irrelevant");
    let path = dir.join("scenario.toml");
    let text = std::fs::read_to_string(SEVERAL).unwrap().replace(
        "placed_on_market = 2026-01-10\n",
        "placed_on_market = 2026-01-10\nfine_tuned = false\n",
    );
    std::fs::write(&path, text).unwrap();
    let after = asked(&ask_json(path_str(&path)));
    for gone in [
        "nimbus-ft.fine_tuned",
        "nimbus-ft.modification_compute",
        "nimbus-ft.training_compute",
        "nimbus.revenue",
    ] {
        assert!(before.contains(&gone.to_string()), "{gone} in {before:?}");
        assert!(!after.contains(&gone.to_string()), "{gone} in {after:?}");
    }
    assert!(after.contains(&"atlas-1.training_compute".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_to_ask_when_every_finding_is_determined() {
    let (code, out, _) = onus(&["ask", "--rules", RULES, THRESHOLDS]);
    assert_eq!(code, 0);
    assert!(out.contains("there is nothing to ask"), "{out}");
    assert_eq!(ask_json(THRESHOLDS)["questions"], serde_json::json!([]));
}

const ANSWERS: &str = "5e24\nno\n?\n\n120\n3e7\ny\n";

/// The fixture as the session above must leave it: four values added, nothing else touched.
fn expected_after_answers(original: &str) -> String {
    let edits = [
        (
            "facts = { revenue = 2e9 }\n",
            "facts = { revenue = 2e9, employees = 120 }\n",
        ),
        (
            "name = \"Orbit AI\"\n",
            "name = \"Orbit AI\"\nfacts = { employees = 30000000 }\n",
        ),
        (
            "weights_public = false }\n",
            "weights_public = false, training_compute = 5e24 }\n",
        ),
        (
            "placed_on_market = 2026-01-10\n",
            "placed_on_market = 2026-01-10\nfine_tuned = false\n",
        ),
    ];
    let mut text = original.to_string();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "`{from}` is not unique");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn interactive_session_writes_answers_and_keeps_the_file_as_it_was_elsewhere() {
    let dir = temp_dir("interactive");
    let path = dir.join("several-unknowns.toml");
    let original = std::fs::read_to_string(SEVERAL).unwrap();
    std::fs::write(&path, &original).unwrap();
    let (code, out, err) = onus_piped(
        &["ask", "--interactive", "--rules", RULES, path_str(&path)],
        ANSWERS,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    // The first answer makes Atlas a provider; the second makes Nimbus's compute irrelevant,
    // so it is not asked; `?` and an empty line skip a question.
    assert!(
        out.contains("atlas · ask-act · model_provider of model atlas-1: undetermined → holds"),
        "{out}"
    );
    assert!(out.contains("nimbus-ft: undetermined → no role"), "{out}");
    assert!(
        out.contains("no longer needed: nimbus-ft.modification_compute"),
        "{out}"
    );
    assert!(
        !out.contains(": nimbus-ft.modification_compute, decides"),
        "{out}"
    );
    assert_eq!(out.matches("  skipped").count(), 2, "{out}");
    assert!(
        out.contains("Art. 12 simplified_documentation: undetermined → not applicable"),
        "{out}"
    );
    assert!(out.contains("wrote 4 answers"), "{out}");
    // Byte for byte the same outside the values set, comments and layout included.
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, expected_after_answers(&original));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // The rewritten scenario is valid and no longer asks what was answered.
    let (code, _, err) = onus(&["check", "--rules", RULES, path_str(&path)]);
    assert_eq!(code, 0, "{err}");
    let now = asked(&ask_json(path_str(&path)));
    assert!(
        !now.contains(&"atlas-1.training_compute".to_string()),
        "{now:?}"
    );
    assert!(
        now.contains(&"atlas-1.placed_on_market".to_string()),
        "{now:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interactive_session_re_asks_after_an_invalid_answer_and_writes_nothing_unless_told() {
    let dir = temp_dir("declined");
    let path = dir.join("scenario.toml");
    let original = std::fs::read_to_string(SEVERAL).unwrap();
    std::fs::write(&path, &original).unwrap();
    // An answer that is not a number, then a real one, then `q`, then no to writing.
    let (code, out, _) = onus_piped(
        &["ask", "--interactive", "--rules", RULES, path_str(&path)],
        "lots\n3.3×10^24 FLOP\nq\nn\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("`lots` is not a number"), "{out}");
    assert!(out.contains("1 answer; "), "{out}");
    assert!(out.contains("not written"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    // The end of the input before the confirmation also writes nothing.
    let (code, out, _) = onus_piped(
        &["ask", "--interactive", "--rules", RULES, path_str(&path)],
        "5e24\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("not written"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interactive_json_summarises_the_session() {
    let dir = temp_dir("json");
    let path = dir.join("scenario.toml");
    std::fs::copy(SEVERAL, &path).unwrap();
    let (code, out, err) = onus_piped(
        &[
            "ask",
            "--interactive",
            "--format",
            "json",
            "--rules",
            RULES,
            path_str(&path),
        ],
        "5e24\nno\nq\nn\n",
    );
    assert_eq!(code, 0, "{err}");
    // The dialogue goes to stderr, the summary to stdout.
    assert!(err.contains("Question 1"), "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["answers"][0]["entity"], "atlas-1");
    // (serde_json reads floats to within an ulp.)
    assert!((doc["answers"][0]["value"].as_f64().unwrap() / 5e24 - 1.0).abs() < 1e-12);
    assert_eq!(doc["answers"][1]["fact"], "fine_tuned");
    assert_eq!(doc["answers"][1]["value"], false);
    assert_eq!(doc["written"], Value::Null);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_write_leaves_the_original_intact() {
    // The temporary file is created next to the scenario as `.<name>.onus-tmp-<pid>`; with a
    // name of 250 bytes that exceeds the 255-byte file-name limit, so the write fails before the
    // rename, whatever the privileges of the user running the tests.
    let dir = temp_dir("failing");
    let path = dir.join(format!("{}.toml", "s".repeat(245)));
    let original = std::fs::read_to_string(SEVERAL).unwrap();
    std::fs::write(&path, &original).unwrap();
    let (code, out, err) = onus_piped(
        &["ask", "--interactive", "--rules", RULES, path_str(&path)],
        ANSWERS,
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains("was left unchanged"), "{err}");
    assert!(!out.contains("wrote"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_leaves_the_original_intact() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("read-only");
    let path = dir.join("scenario.toml");
    let original = std::fs::read_to_string(SEVERAL).unwrap();
    std::fs::write(&path, &original).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // A privileged user writes anyway; the test above covers that case.
    let privileged = std::fs::write(dir.join("probe"), "").is_ok();
    if !privileged {
        let (code, _, err) = onus_piped(
            &["ask", "--interactive", "--rules", RULES, path_str(&path)],
            ANSWERS,
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("cannot write"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn margin<'a>(doc: &'a Value, entity: &str, fact: &str, threshold: f64) -> &'a Value {
    doc["sensitivity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["entity"] == entity
                && m["fact"] == fact
                && (m["threshold"].as_f64().unwrap() - threshold).abs() <= threshold * 1e-12
        })
        .unwrap_or_else(|| panic!("no margin {entity}.{fact} at {threshold} in {doc:#}"))
}

fn changed_finding<'a>(m: &'a Value, obligation: &str) -> &'a Value {
    m["changes"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["obligation"] == obligation)
        .unwrap_or_else(|| panic!("{obligation} does not change in {m:#}"))
}

#[test]
fn sensitivity_gives_margins_and_flips_for_each_kind_of_threshold() {
    let doc = ask_json(THRESHOLDS);

    // Revenue: USD 800 m against USD 500 m.
    let revenue = margin(&doc, "helix", "revenue", 5e8);
    assert_eq!(revenue["comparison"], ">");
    assert_eq!(revenue["position"], "above");
    assert_eq!(revenue["holds"], true);
    assert!((revenue["ratio"].as_f64().unwrap() - 1.6).abs() < 1e-9);
    let f = changed_finding(revenue, "safety_framework");
    assert_eq!(
        (f["before"].as_str(), f["after"].as_str()),
        (Some("applies"), Some("not_applicable"))
    );

    // Employees: 30 against fewer than 50.
    let staff = margin(&doc, "helix", "employees", 50.0);
    assert_eq!(staff["position"], "below");
    assert!((staff["ratio"].as_f64().unwrap() - 50.0 / 30.0).abs() < 1e-9);
    assert_eq!(staff["crossing"], 50.0);
    let f = changed_finding(staff, "simplified_documentation");
    assert_eq!(f["after"], "not_applicable");

    // Modification compute against one third of the base model's 1.5e26 FLOP.
    let modification = margin(&doc, "kite-ft", "modification_compute", 5e25);
    assert_eq!(modification["position"], "below");
    assert!((modification["ratio"].as_f64().unwrap() - 5e25 / 2.75e25).abs() < 1e-9);
    assert_eq!(modification["where"][0]["kind"], "definition");
    let role = &modification["changes"]["roles"][0];
    assert_eq!(role["actor"], "kite");
    assert_eq!(role["role"], "model_provider");
    assert_eq!(role["before"], Value::Null);
    assert_eq!(role["after"], "holds");

    // Training compute against 10^23, 10^25 and 10^26 FLOP, and against three times Kite's
    // modification compute (the same comparison seen from the base model).
    for t in [1e23, 1e25, 1e26, 8.25e25] {
        margin(&doc, "helix-2", "training_compute", t);
    }
    let frontier = margin(&doc, "helix-2", "training_compute", 1e26);
    assert_eq!(
        changed_finding(frontier, "safety_framework")["after"],
        "not_applicable"
    );
    let systemic = margin(&doc, "helix-2", "training_compute", 1e25);
    assert_eq!(
        changed_finding(systemic, "risk_evaluation")["after"],
        "not_applicable"
    );

    // Users: at least 45 million.
    let users = margin(&doc, "helix-chat", "users", 4.5e7);
    assert_eq!(users["comparison"], ">=");
    assert!(users["crossing"].as_f64().unwrap() < 4.5e7);
    assert_eq!(
        changed_finding(users, "user_reporting")["after"],
        "not_applicable"
    );

    // The same in words, from `onus run --sensitivity`.
    let (code, out, err) = onus(&["run", "--sensitivity", "--rules", RULES, THRESHOLDS]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("kite-ft.modification_compute = 2.75e25 FLOP\n    1.8× below 5e25 FLOP"),
        "{out}"
    );
    assert!(
        out.contains("above 5e25 FLOP, it would change:\n        kite · ask-act · model_provider of model kite-ft: no role → holds"),
        "{out}"
    );
    assert!(
        out.contains("helix.revenue = USD 800 m\n    1.6× above USD 500 m"),
        "{out}"
    );
    assert!(
        out.contains("helix.employees = 30 employees\n    1.7× below 50 employees"),
        "{out}"
    );
}

#[test]
fn answers_are_read_as_people_write_them() {
    use onus::analysis::answer::{number_toml, parse_number};
    use onus::ir::Unit;
    for text in [
        "3.3e22",
        "3.3×10^22",
        "3.3 x 10^22",
        "33,000,000,000,000,000,000,000",
        "3.3e22 FLOP",
    ] {
        let n = parse_number(text, Unit::Flop).unwrap_or_else(|| panic!("{text}"));
        assert!((n - 3.3e22).abs() < 1e7, "{text}: {n}");
    }
    assert_eq!(parse_number("10^25", Unit::Flop), Some(1e25));
    assert_eq!(parse_number("lots", Unit::Flop), None);
    assert_eq!(parse_number("inf", Unit::Flop), None);
    assert_eq!(number_toml(120.0), "120");
    assert_eq!(number_toml(3.3e22), "3.3e22");
    assert_eq!(number_toml(0.5), "0.5");
}

#[test]
fn snapshots() {
    without_version(|| {
        let (_, out, _) = onus(&["ask", "--rules", RULES, SEVERAL]);
        insta::assert_snapshot!("several_unknowns_text", out);
        let (_, out, _) = onus(&["ask", "--rules", RULES, LICENCE]);
        insta::assert_snapshot!("licence_unknown_text", out);
        let (_, out, _) = onus(&["ask", "--rules", RULES, "--format", "json", LICENCE]);
        insta::assert_snapshot!("licence_unknown_json", out);
        let (_, out, _) = onus(&["run", "--sensitivity", "--rules", RULES, THRESHOLDS]);
        let section = out.find("\nSensitivity").map_or("", |i| &out[i..]);
        insta::assert_snapshot!("thresholds_sensitivity_text", section);
    });
}
