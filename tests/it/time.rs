//! Legal time and uncertainty on a small rule set written for the purpose: as-of dates, legal
//! status and `--status`, an amendment moving a date (with and without `--without`), a
//! contested reading, penalty exposure, the timeline.

use crate::support::onus;
use std::path::PathBuf;

const FACTS: &str = r#"
[[fact]]
id = "turnover"
on = "actor"
type = "number"
unit = "EUR"
question = "Worldwide annual turnover?"
asked_of = "self"

[[fact]]
id = "compute"
on = "model"
type = "number"
unit = "FLOP"
question = "Own training compute?"
asked_of = "creator"

[[fact]]
id = "incident_on"
on = "model"
type = "date"
question = "When did the incident happen?"
asked_of = "creator"
"#;

const ACT: &str = r#"
[instrument]
id = "act"
title = "Toy Act"
jurisdiction = "XX"
citation = "Toy Act 2025"
[[instrument.status]]
status = "enacted"
from = 2025-01-10
[[instrument.status]]
status = "in_force"
from = 2025-02-01
[[instrument.status]]
status = "stayed"
from = 2026-04-27
note = "court order"

[[definition]]
id = "threshold"
expr = "1e26 FLOP"
citation = "§1(a)"

[[question]]
id = "counts_base"
title = "Does a fine-tuner count the base model's compute?"
citation = "§1(a)"
default = "own"
[[question.reading]]
id = "own"
summary = "Only its own compute."
source = "the text"
[[question.reading]]
id = "cumulative"
summary = "Base compute too."
source = "commentary"

[[definition]]
id = "total_compute"
on = "model"
expr = """
if reading.counts_base == "cumulative" and present(model.base)
then model.compute + model.base.compute
else model.compute
"""
citation = "§1(a)"

[[penalty]]
id = "fine"
citation = "§9"
formula = "EUR 1 million or 2% of worldwide turnover, whichever is higher"
amount = "max(1e6 EUR, actor.turnover * 2 / 100)"

[[role]]
id = "developer"
subject = "model"
title = "frontier developer"
citation = "§2"
when = "model.creator == actor and model.total_compute > threshold"

[[obligation]]
id = "framework"
role = "developer"
title = "Publish a safety framework"
citation = "§3"
from = "2026-02-01"
penalty = "fine"

[[obligation]]
id = "incident_report"
role = "developer"
title = "Report an incident within 15 days"
citation = "§4"
when = "present(model.incident_on)"
deadline = "model.incident_on + 15 days"
"#;

const AMENDMENT: &str = r#"
[instrument]
id = "act-delay"
title = "Toy Act delay"
jurisdiction = "XX"
citation = "Toy Act Amendment 2025"
kind = "amendment"
amends = "act"
[[instrument.status]]
status = "in_force"
from = 2025-09-01

[[amend]]
target = "framework"
citation = "§1 of the amendment"
from = "2026-06-30"
"#;

const BILL: &str = r#"
[instrument]
id = "bill"
title = "Toy Bill"
jurisdiction = "XX"
citation = "Toy Bill"
[[instrument.status]]
status = "proposed"
from = 2025-03-01
[[instrument.status]]
status = "vetoed"
from = 2025-09-29

[[role]]
id = "developer"
subject = "model"
title = "developer"
citation = "§1"
when = "model.creator == actor"

[[obligation]]
id = "kill_switch"
role = "developer"
title = "Be able to shut the model down"
citation = "§2"
"#;

const SCENARIO: &str = r#"
[scenario]
title = "A fine-tuner near the threshold"
as_of = 2026-03-01

[[actor]]
id = "lab"
facts = { turnover = 2e9 }
[[actor]]
id = "tuner"

[[model]]
id = "base"
creator = "lab"
facts = { compute = 2e26, incident_on = 2026-02-20 }
[[model]]
id = "tuned"
creator = "tuner"
base = "base"
facts = { compute = 5e25 }
"#;

/// Writes the toy rule set and scenario to a fresh directory.
pub(crate) fn setup() -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!(
        "onus-time-{}-{}",
        std::process::id(),
        std::thread::current()
            .name()
            .unwrap_or("t")
            .replace("::", "-")
    ));
    let rules = dir.join("rules");
    let _ = std::fs::create_dir_all(&rules);
    for (name, text) in [
        ("facts.toml", FACTS),
        ("act.toml", ACT),
        ("act-delay.toml", AMENDMENT),
        ("bill.toml", BILL),
    ] {
        let _ = std::fs::write(rules.join(name), text);
    }
    let sc = dir.join("scenario.toml");
    let _ = std::fs::write(&sc, SCENARIO);
    (
        dir.clone(),
        rules.to_string_lossy().into_owned(),
        sc.to_string_lossy().into_owned(),
    )
}

fn run(args: &[&str]) -> serde_json::Value {
    let (_dir, rules, sc) = setup();
    let mut all = vec!["run", "--rules", &rules, "--format", "json", &sc];
    all.extend_from_slice(args);
    let (code, out, err) = onus(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_default()
}

fn finding<'a>(
    v: &'a serde_json::Value,
    actor: &str,
    obligation: &str,
) -> Option<&'a serde_json::Value> {
    v["findings"]
        .as_array()?
        .iter()
        .find(|f| f["actor"] == actor && f["obligation"] == obligation)
}

#[test]
fn the_as_of_date_changes_the_answer() {
    // Before 2026-02-01 the framework duty is pending; after, it applies — but the amendment
    // (in force 2025-09-01) moved it to 2026-06-30.
    let v = run(&["--as-of", "2026-03-01", "--without", "act-delay"]);
    assert_eq!(
        finding(&v, "lab", "framework").map(|f| &f["status"]),
        Some(&"applies".into())
    );
    let v = run(&["--as-of", "2026-01-15", "--without", "act-delay"]);
    let f = finding(&v, "lab", "framework").cloned().unwrap_or_default();
    assert_eq!(f["status"], "pending");
    assert_eq!(f["applies_from"], "2026-02-01");
}

#[test]
fn an_amendment_moves_a_date_and_without_removes_it() {
    let v = run(&[]);
    let f = finding(&v, "lab", "framework").cloned().unwrap_or_default();
    assert_eq!(f["status"], "pending");
    assert_eq!(f["applies_from"], "2026-06-30");
    assert_eq!(f["text_version"]["amended_by"][0], "act-delay");
    let v = run(&["--without", "act-delay"]);
    let f = finding(&v, "lab", "framework").cloned().unwrap_or_default();
    assert_eq!(f["status"], "applies");
    assert_eq!(f["text_version"]["amended_by"], serde_json::json!([]));
    // Before the amendment was in force, the original date applied.
    let v = run(&["--as-of", "2025-08-01"]);
    let f = finding(&v, "lab", "framework").cloned().unwrap_or_default();
    assert_eq!(f["applies_from"], "2026-02-01");
}

#[test]
fn a_vetoed_bill_counts_only_as_if_enacted_and_is_labelled() {
    let v = run(&[]);
    assert!(finding(&v, "lab", "kill_switch").is_none());
    let bill = v["instruments"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == "bill"))
        .cloned();
    assert_eq!(bill.as_ref().map(|b| &b["counted"]), Some(&false.into()));
    let v = run(&["--status", "proposed"]);
    let f = finding(&v, "lab", "kill_switch")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["status"], "applies");
    assert_eq!(f["legal_status"], "vetoed");
    assert_eq!(f["hypothetical"], true);
}

#[test]
fn a_stayed_instrument_is_reported_as_stayed() {
    let v = run(&["--as-of", "2026-05-01"]);
    let f = finding(&v, "lab", "incident_report")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["legal_status"], "stayed");
    let (_d, rules, sc) = setup();
    let (_, out, _) = onus(&["run", "--rules", &rules, "--as-of", "2026-05-01", &sc]);
    assert!(out.contains("in force, enforcement stayed"), "{out}");
}

#[test]
fn a_reading_decides_whether_the_fine_tuner_is_a_developer() {
    // 5e25 own compute is below 1e26; with the base's 2e26 added it is above.
    let v = run(&[]);
    assert!(finding(&v, "tuner", "framework").is_none());
    let v = run(&["--reading", "counts_base=cumulative"]);
    let f = finding(&v, "tuner", "framework")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["readings"][0]["question"], "counts_base");
    assert_eq!(f["readings"][0]["reading"], "cumulative");
    assert_eq!(f["readings"][0]["default"], false);
    let v = run(&["--all-readings"]);
    let contested = v["contested"].as_array().cloned().unwrap_or_default();
    let tuner: Vec<_> = contested.iter().filter(|c| c["actor"] == "tuner").collect();
    assert_eq!(tuner.len(), 2, "{contested:?}");
    // The lab is above the threshold on every reading: not contested.
    assert!(contested.iter().all(|c| c["actor"] != "lab"));
}

#[test]
fn all_readings_in_text_names_each_reading_and_its_source() {
    let (_d, rules, sc) = setup();
    let (code, out, err) = onus(&["run", "--rules", &rules, "--all-readings", &sc]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("under counts_base=own: no such obligation"),
        "{out}"
    );
    assert!(
        out.contains("under counts_base=cumulative: pending"),
        "{out}"
    );
    assert!(
        out.contains("counts_base=cumulative: Base compute too. (commentary)"),
        "{out}"
    );
}

#[test]
fn exposure_is_computed_from_turnover_or_shown_as_a_formula() {
    let v = run(&[
        "--reading",
        "counts_base=cumulative",
        "--without",
        "act-delay",
    ]);
    let lab = finding(&v, "lab", "framework").cloned().unwrap_or_default();
    // 2% of EUR 2 bn = EUR 40 m, above the EUR 1 m floor.
    assert_eq!(lab["exposure"]["amount"], 4e7);
    assert_eq!(lab["exposure"]["currency"], "EUR");
    let tuner = finding(&v, "tuner", "framework")
        .cloned()
        .unwrap_or_default();
    assert_eq!(tuner["exposure"]["amount"], serde_json::Value::Null);
    assert_eq!(
        tuner["exposure"]["formula"],
        "EUR 1 million or 2% of worldwide turnover, whichever is higher"
    );
}

#[test]
fn deadlines_are_computed_from_event_dates() {
    let v = run(&[]);
    let f = finding(&v, "lab", "incident_report")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["deadline"], "2026-03-07");
}

#[test]
fn timeline_lists_events_in_date_order() {
    let (_d, rules, sc) = setup();
    let (code, out, err) = onus(&["timeline", "--rules", &rules, "--format", "json", &sc]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let events = v["events"].as_array().cloned().unwrap_or_default();
    let dates: Vec<&str> = events.iter().filter_map(|e| e["date"].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted);
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "deadline" && e["date"] == "2026-03-07")
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "starts" && e["date"] == "2026-06-30")
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "status" && e["legal_status"] == "stayed")
    );
    let (code, text, _) = onus(&["timeline", "--rules", &rules, &sc]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(text.replace(&sc, "scenario.toml"));
}

#[test]
fn invalid_uses_are_diagnosed() {
    let (_d, rules, sc) = setup();
    let (code, _, err) = onus(&[
        "run",
        "--rules",
        &rules,
        "--reading",
        "counts_base=both",
        &sc,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown reading of `counts_base` `both`"),
        "{err}"
    );
    let (code, _, err) = onus(&["run", "--rules", &rules, "--without", "act", &sc]);
    assert_eq!(code, 2);
    assert!(err.contains("not an amendment"), "{err}");
}

const DRAFT: &str = r#"
[instrument]
id = "draft"
title = "Toy Draft Measures"
jurisdiction = "XX"
citation = "Toy Draft Measures (draft for comment)"
[[instrument.status]]
status = "proposed"
from = 2025-01-01
[[instrument.status]]
status = "superseded"
from = 2025-06-01
note = "replaced by the adopted measures"

[[role]]
id = "developer"
subject = "model"
title = "developer"
citation = "Art. 1"
when = "model.creator == actor"

[[obligation]]
id = "draft_duty"
role = "developer"
title = "A duty the draft proposed"
citation = "Art. 2"
"#;

#[test]
fn a_superseded_draft_counts_as_a_proposal_until_replaced_and_never_after() {
    let (_d, rules, sc) = setup();
    let _ = std::fs::write(PathBuf::from(&rules).join("draft.toml"), DRAFT);
    let json = |args: &[&str]| {
        let mut all = vec!["run", "--rules", &rules, "--format", "json", &sc];
        all.extend_from_slice(args);
        let (code, out, err) = onus(&all);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap_or_default()
    };
    // While it was a draft: analysed as if enacted with `--status proposed`.
    let v = json(&["--as-of", "2025-03-01", "--status", "proposed"]);
    let f = finding(&v, "lab", "draft_duty")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["legal_status"], "proposed");
    assert_eq!(f["hypothetical"], true);
    // Once superseded it is no longer a text anyone could adopt: no filter counts it.
    for filter in ["in-force", "enacted", "proposed"] {
        let v = json(&["--status", filter]);
        assert!(finding(&v, "lab", "draft_duty").is_none(), "{filter}");
        let draft = v["instruments"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == "draft"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(draft["legal_status"], "superseded", "{filter}");
        assert_eq!(draft["counted"], false, "{filter}");
    }
    let (code, text, _) = onus(&["run", "--rules", &rules, &sc]);
    assert_eq!(code, 0);
    assert!(text.contains("superseded, never law"), "{text}");
}
