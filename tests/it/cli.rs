//! The CLI contract: exit codes, formats, schema, completions, man page.

use crate::support::onus;

const SCENARIO: &str = "scenarios/eu/eu-open-weights-below-systemic.toml";

#[test]
fn run_exits_zero_and_prints_actors() {
    let (code, out, err) = onus(&["run", SCENARIO]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("eu-ai-act"), "{out}");
}

#[test]
fn json_follows_the_contract() {
    let (code, out, _) = onus(&["run", "--format", "json", SCENARIO]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["schema_version"], 2);
    for key in ["id", "title", "as_of"] {
        assert!(v["scenario"][key].is_string(), "scenario.{key}");
    }
    let f = &v["findings"][0];
    for key in [
        "actor",
        "instrument",
        "role",
        "subject",
        "obligation",
        "title",
        "citation",
        "status",
        "legal_status",
    ] {
        assert!(f[key].is_string(), "findings[0].{key} in {f}");
    }
    for key in ["missing_facts", "trace"] {
        assert!(f[key].is_array(), "findings[0].{key}");
    }
    assert!(f.get("applies_from").is_some() && f.get("exempted_by").is_some());
    let r = &v["roles"][0];
    for key in [
        "actor",
        "instrument",
        "role",
        "subject",
        "status",
        "citation",
    ] {
        assert!(r[key].is_string(), "roles[0].{key}");
    }
}

#[test]
fn as_of_changes_the_date_and_is_validated() {
    let (code, out, _) = onus(&["run", "--format", "json", "--as-of", "2025-01-01", SCENARIO]);
    assert_eq!(code, 0);
    assert!(out.contains("\"as_of\": \"2025-01-01\""));
    let (code, _, err) = onus(&["run", "--as-of", "2025-02-30", SCENARIO]);
    assert_eq!(code, 2);
    assert!(err.contains("not a date that exists"), "{err}");
}

#[test]
fn unknown_instrument_is_invalid_usage() {
    let (code, _, err) = onus(&["run", "--instrument", "eu-ai-akt", SCENARIO]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `eu-ai-act`"), "{err}");
}

#[test]
fn usage_errors_exit_two() {
    let (code, _, _) = onus(&["run"]);
    assert_eq!(code, 2);
    let (code, _, _) = onus(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn missing_file_exits_two() {
    let (code, _, err) = onus(&["run", "scenarios/does-not-exist.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("E0001"), "{err}");
}

#[test]
fn check_embedded_rules_is_clean() {
    let (code, out, err) = onus(&["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.is_empty(),
        "the embedded rule set has diagnostics:\n{err}"
    );
    assert!(out.starts_with("ok:"), "{out}");
}

#[test]
fn explain_shows_citations_and_facts() {
    let (code, out, err) = onus(&["explain", SCENARIO, "--actor", "northwind"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Art. 53(2)"), "{out}");
    assert!(out.contains("reads "), "{out}");
    let (code, _, err) = onus(&["explain", SCENARIO, "--actor", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("no actor `nobody`"), "{err}");
}

#[test]
fn schema_completions_and_man_page() {
    let (code, out, _) = onus(&["schema"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("http://json-schema.org/draft-07/schema#"),
        "{out}"
    );
    let (code, out, _) = onus(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("onus"));
    let (code, out, _) = onus(&["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH"));
}

#[test]
fn rules_dir_replaces_the_embedded_set() {
    let dir = std::env::temp_dir().join(format!("onus-rules-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("broken.toml"), "[instrument]\nid = \"x\"\n");
    let (code, _, err) = onus(&["check", "--rules", dir.to_str().unwrap_or("")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E0103"), "{err}");
}

#[test]
fn committed_schemas_are_current() {
    let dir = std::env::temp_dir().join(format!("onus-schema-{}", std::process::id()));
    let (code, _, err) = onus(&["schema", "--out", dir.to_str().unwrap_or("")]);
    assert_eq!(code, 0, "{err}");
    for name in ["rules.schema.json", "scenario.schema.json"] {
        let fresh = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        let committed = std::fs::read_to_string(crate::support::root().join("schema").join(name))
            .unwrap_or_default();
        assert_eq!(
            fresh, committed,
            "schema/{name} is stale: run `cargo run -q -- schema --out schema`"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bundled_files_point_at_the_schemas() {
    for dir in ["jurisdictions", "scenarios"] {
        for entry in walk(&crate::support::root().join(dir)) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            assert!(
                text.starts_with("#:schema "),
                "{} does not start with a `#:schema` line",
                entry.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out
}
