//! A missing fact is unknown, never false or zero: findings that depend on it are
//! `undetermined` and name it; findings that do not depend on it are decided.

use onus::Session;
use onus::eval::{Options, Status, evaluate};

const FACTS: &str = r#"
[[fact]]
id = "training_compute"
on = "model"
type = "number"
unit = "FLOP"
question = "Training compute?"
asked_of = "creator"

[[fact]]
id = "open_weights"
on = "model"
type = "bool"
question = "Are the weights public?"
asked_of = "creator"
"#;

const RULES: &str = r#"
[instrument]
id = "toy"
title = "Toy act"
jurisdiction = "XX"
citation = "Toy Act"
[[instrument.status]]
status = "in_force"
from = 2020-01-01

[[definition]]
id = "threshold"
expr = "1e25 FLOP"
citation = "Art. 1"

[[role]]
id = "developer"
subject = "model"
title = "developer"
citation = "Art. 2"
when = "model.creator == actor"

[[obligation]]
id = "big_duty"
role = "developer"
title = "Duty for large models"
citation = "Art. 3"
when = "model.training_compute > threshold"

[[obligation]]
id = "closed_big_duty"
role = "developer"
title = "Duty for large closed models"
citation = "Art. 4"
when = "not model.open_weights and model.training_compute > threshold"
"#;

fn run(model_facts: &str) -> Vec<(String, Status, Vec<String>)> {
    let mut s = Session::from_texts([("facts.toml", FACTS), ("toy.toml", RULES)]);
    assert!(!s.has_errors(), "{:?}", s.diagnostics);
    let scenario = format!(
        "[scenario]\ntitle = \"t\"\nas_of = 2026-01-01\n[[actor]]\nid = \"lab\"\n[[model]]\nid = \"m\"\ncreator = \"lab\"\nfacts = {{ {model_facts} }}\n"
    );
    let sc = s.add_scenario("s.toml", &scenario);
    assert!(!s.has_errors(), "{:?}", s.diagnostics);
    let Some(sc) = sc else {
        panic!("scenario did not resolve")
    };
    let out = evaluate(&s.rules, &sc, &Options::default());
    out.findings
        .iter()
        .map(|f| {
            let id = s.rules.obligations[f.obligation.index()].id.clone();
            let missing = f
                .missing
                .iter()
                .map(|m| s.rules.facts[m.fact.index()].id.clone())
                .collect();
            (id, f.status, missing)
        })
        .collect()
}

#[test]
fn missing_compute_is_undetermined_and_named() {
    let r = run("");
    assert_eq!(
        r[0],
        (
            "big_duty".into(),
            Status::Undetermined,
            vec!["training_compute".into()]
        )
    );
    // Both facts could decide the second duty.
    assert_eq!(r[1].1, Status::Undetermined);
    assert_eq!(
        r[1].2,
        vec!["training_compute".to_string(), "open_weights".to_string()]
    );
}

#[test]
fn known_compute_decides() {
    let r = run("training_compute = 2e25");
    assert_eq!(r[0], ("big_duty".into(), Status::Applies, vec![]));
    let r = run("training_compute = 2e24");
    assert_eq!(r[0], ("big_duty".into(), Status::NotApplicable, vec![]));
}

#[test]
fn a_false_conjunct_decides_despite_an_unknown_one() {
    // Open weights make the second duty inapplicable whatever the compute is.
    let r = run("open_weights = true");
    assert_eq!(
        r[1],
        ("closed_big_duty".into(), Status::NotApplicable, vec![])
    );
    // Closed weights leave only the compute open.
    let r = run("open_weights = false");
    assert_eq!(
        r[1],
        (
            "closed_big_duty".into(),
            Status::Undetermined,
            vec!["training_compute".into()]
        )
    );
}

#[test]
fn a_scenario_with_a_broken_entry_is_not_returned() {
    let mut s = Session::from_texts([("facts.toml", FACTS), ("toy.toml", RULES)]);
    // The model entry has a field the format does not know: it cannot be read.
    let sc = s.add_scenario(
        "s.toml",
        "[scenario]\ntitle = \"t\"\nas_of = 2026-01-01\n[[actor]]\nid = \"lab\"\n[[model]]\nid = \"m\"\ncreator = \"lab\"\nunknown_key = 1\n",
    );
    assert!(sc.is_none());
    assert!(s.has_errors());
}
