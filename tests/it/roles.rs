//! Roles follow the chain: a role can depend on another entity's facts, and an actor taking a
//! role through a displacing route (e.g. Art. 25(1)(a), own name on a high-risk system) takes it
//! from the initial provider, who is reported as displaced.

use onus::Session;
use onus::eval::{Options, RoleStatus, Status, evaluate};

const FACTS: &str = r#"
[[fact]]
id = "rebranded_by"
on = "system"
type = "actor"
question = "Who put its own name or trademark on this system, if anyone?"
asked_of = "provider"

[[fact]]
id = "high_risk"
on = "system"
type = "bool"
question = "Is the system high-risk?"
asked_of = "provider"
"#;

const RULES: &str = r#"
[instrument]
id = "toy-25"
title = "Toy Art. 25"
jurisdiction = "XX"
citation = "Toy"
[[instrument.status]]
status = "in_force"
from = 2020-01-01

[[role]]
id = "provider"
subject = "system"
title = "provider of a high-risk system"
citation = "Art. 3(3)"

[[role.route]]
citation = "Art. 3(3)"
when = "system.provider == actor and system.high_risk"

[[role.route]]
citation = "Art. 25(1)(a)"
when = "system.rebranded_by == actor and system.high_risk"
displaces = true

[[obligation]]
id = "conformity"
role = "provider"
title = "Conformity assessment"
citation = "Art. 16(f)"
"#;

type ActorRoles = Vec<(String, RoleStatus, Vec<(String, Status)>)>;

fn roles(system_facts: &str) -> ActorRoles {
    let mut s = Session::from_texts([("facts.toml", FACTS), ("toy.toml", RULES)]);
    assert!(!s.has_errors(), "{:?}", s.diagnostics);
    let scenario = format!(
        "[scenario]\ntitle = \"t\"\nas_of = 2026-01-01\n[[actor]]\nid = \"maker\"\n[[actor]]\nid = \"reseller\"\n[[system]]\nid = \"sys\"\nprovider = \"maker\"\nfacts = {{ {system_facts} }}\n"
    );
    let Some(sc) = s.add_scenario("s.toml", &scenario) else {
        panic!("{:?}", s.diagnostics)
    };
    let out = evaluate(&s.rules, &sc, &Options::default());
    out.roles
        .iter()
        .map(|r| {
            let actor = sc.actors[r.actor as usize].id.clone();
            let findings = out
                .findings
                .iter()
                .filter(|f| f.actor == r.actor)
                .map(|f| {
                    (
                        s.rules.obligations[f.obligation.index()].id.clone(),
                        f.status,
                    )
                })
                .collect();
            (actor, r.status, findings)
        })
        .collect()
}

#[test]
fn the_initial_provider_holds_the_role_without_a_rebrand() {
    let r = roles("high_risk = true, rebranded_by = false");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "maker");
    assert_eq!(r[0].1, RoleStatus::Holds);
    assert_eq!(r[0].2, vec![("conformity".to_string(), Status::Applies)]);
}

#[test]
fn an_own_name_rebrand_takes_the_role() {
    let r = roles("high_risk = true, rebranded_by = \"reseller\"");
    let maker = r
        .iter()
        .find(|x| x.0 == "maker")
        .map(|x| (x.1, x.2.clone()));
    let reseller = r
        .iter()
        .find(|x| x.0 == "reseller")
        .map(|x| (x.1, x.2.clone()));
    assert_eq!(maker, Some((RoleStatus::Displaced, vec![])));
    assert_eq!(
        reseller,
        Some((
            RoleStatus::Holds,
            vec![("conformity".to_string(), Status::Applies)]
        ))
    );
}

#[test]
fn an_unknown_classification_leaves_both_open() {
    let r = roles("rebranded_by = \"reseller\"");
    assert!(r.iter().all(|x| x.1 == RoleStatus::Undetermined), "{r:?}");
}

/// Licence terms stack through derivatives: a definition may recurse along `base`.
#[test]
fn a_definition_can_follow_the_lineage_recursively() {
    const FACTS: &str = r#"
[[enum]]
id = "licence"
values = ["llama-3.1", "apache-2.0"]
[[fact]]
id = "licence"
on = "model"
type = "enum"
enum = "licence"
question = "Licence?"
asked_of = "creator"
"#;
    const RULES: &str = r#"
[instrument]
id = "lic"
title = "Toy licence"
jurisdiction = "licence"
citation = "Toy licence"
[[instrument.status]]
status = "in_force"
from = 2020-01-01
[[definition]]
id = "llama_derived"
on = "model"
expr = "model.licence == \"llama-3.1\" or (present(model.base) and model.base.llama_derived)"
citation = "§1"
[[role]]
id = "licensee"
subject = "model"
title = "licensee"
citation = "§1"
when = "model.creator == actor and model.llama_derived"
[[obligation]]
id = "name_prefix"
role = "licensee"
title = "Name the derivative starting with Llama"
citation = "§1.b.i"
"#;
    let mut s = Session::from_texts([("facts.toml", FACTS), ("lic.toml", RULES)]);
    assert!(!s.has_errors(), "{:?}", s.diagnostics);
    let sc = s.add_scenario(
        "s.toml",
        "[scenario]\ntitle = \"t\"\nas_of = 2026-01-01\n[[actor]]\nid = \"meta\"\n[[actor]]\nid = \"a\"\n[[actor]]\nid = \"b\"\n[[model]]\nid = \"llama\"\ncreator = \"meta\"\nfacts = { licence = \"llama-3.1\" }\n[[model]]\nid = \"ft1\"\ncreator = \"a\"\nbase = \"llama\"\nfacts = { licence = \"apache-2.0\" }\n[[model]]\nid = \"ft2\"\ncreator = \"b\"\nbase = \"ft1\"\n",
    );
    let Some(sc) = sc else {
        panic!("{:?}", s.diagnostics)
    };
    let out = evaluate(&s.rules, &sc, &Options::default());
    let holders: Vec<&str> = out
        .roles
        .iter()
        .filter(|r| r.status == RoleStatus::Holds)
        .map(|r| sc.actors[r.actor as usize].id.as_str())
        .collect();
    // ft2's own licence is unknown, but its lineage reaches a Llama model two levels up.
    assert_eq!(holders, vec!["meta", "a", "b"]);
}

#[test]
fn a_definition_reading_itself_directly_is_still_a_cycle() {
    let rules = r#"
[instrument]
id = "x"
title = "x"
jurisdiction = "x"
citation = "x"
[[instrument.status]]
status = "in_force"
from = 2020-01-01
[[definition]]
id = "loop"
on = "model"
expr = "model.loop"
citation = "§1"
"#;
    let s = Session::from_texts([("x.toml", rules)]);
    assert!(
        s.diagnostics.iter().any(|d| d.code == "E0401"),
        "{:?}",
        s.diagnostics
    );
}
