//! The catalogue of broken inputs under tests/data/bad/: each file states the diagnostics it
//! must produce (`# expect: CODE LINE:COL` lines); the rendered diagnostics are snapshotted.
//!
//! Files under `rules/` are compiled as an extra rule file beside the embedded fact vocabulary
//! and EU AI Act (so they can read the shared facts and refer to another instrument); files under `scenarios/` are resolved against
//! the embedded rule set.

use onus::Session;
use onus::diag::{render_human, render_json};
use std::path::Path;

fn expected(text: &str) -> Vec<(String, usize, usize)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .filter_map(|rest| {
            let mut parts = rest.split_whitespace();
            let code = parts.next()?.to_string();
            let (line, col) = parts.next()?.split_once(':')?;
            Some((code, line.parse().ok()?, col.parse().ok()?))
        })
        .collect()
}

fn diagnose(path: &Path) -> (Session, String) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name = format!(
        "tests/data/bad/{}/{}",
        path.parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let is_rule = name.starts_with("tests/data/bad/rules/");
    let session = if is_rule {
        // The shared vocabulary and the EU AI Act (which some fixtures refer to) suffice, and
        // compile much faster than the whole embedded rule set.
        let mut files: Vec<(&str, &str)> = onus::embedded_rule_files()
            .iter()
            .copied()
            .filter(|(p, _)| {
                *p == "jurisdictions/facts.toml" || *p == "jurisdictions/eu/ai-act.toml"
            })
            .collect();
        files.push((name.as_str(), text.as_str()));
        Session::from_texts(files)
    } else {
        let mut s = Session::embedded();
        assert!(!s.has_errors(), "the embedded rule set must be valid");
        let _ = s.add_scenario(&name, &text);
        s
    };
    (session, text)
}

#[test]
fn each_bad_input_gets_its_diagnostics() {
    let mut count = 0;
    insta::glob!("../data/bad", "**/*.toml", |path| {
        count += 1;
        let (session, text) = diagnose(path);
        let diags = session.sorted_diagnostics();
        assert!(
            diags.iter().any(|d| d.is_error()),
            "{}: no error reported",
            path.display()
        );
        let want = expected(&text);
        assert!(!want.is_empty(), "{}: no `# expect:` line", path.display());
        for (code, line, col) in &want {
            let found = diags.iter().any(|d| {
                d.code == code
                    && d.span.is_some_and(|s| {
                        let p = session.sources.line_col(s.file, s.start);
                        p.line == *line && p.col == *col
                    })
            });
            assert!(
                found,
                "{}: expected {code} at {line}:{col}, got:\n{}",
                path.display(),
                render_human(&diags, &session.sources)
            );
        }
        insta::assert_snapshot!(render_human(&diags, &session.sources));
    });
    assert!(
        count >= 15,
        "expected at least 15 bad inputs, found {count}"
    );
}

#[test]
fn diagnostics_as_json_carry_file_line_and_column() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/scenarios/unknown-fact.toml");
    let (session, _) = diagnose(&path);
    let json = render_json(&session.sorted_diagnostics(), &session.sources);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let first = &v["diagnostics"][0];
    assert_eq!(first["code"], "E0501");
    assert_eq!(first["file"], "tests/data/bad/scenarios/unknown-fact.toml");
    assert!(first["line"].as_u64().is_some_and(|l| l > 0));
    assert!(first["column"].as_u64().is_some_and(|c| c > 0));
}

/// A one-line file of a megabyte gives a diagnostic of a few lines: the snippet is a window
/// around the column, with the caret still under the error.
#[test]
fn a_very_long_line_is_cut_around_the_column() {
    let text = format!("id = \"x\"\ntitle = \"{}\" oops = 1\n", "a".repeat(1 << 20));
    let s = Session::from_texts(vec![("long.toml", text.as_str())]);
    let out = render_human(&s.diagnostics, &s.sources);
    assert!(out.contains("long.toml:2:"), "{out}");
    assert!(out.len() < 2_000, "a {}-byte diagnostic", out.len());
    let lines: Vec<&str> = out.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.starts_with("2 | …"))
        .expect("a cut snippet line");
    let caret = lines
        .get(src + 1)
        .and_then(|l| l.find('^'))
        .expect("a caret line");
    // The caret points at `oops`, the unexpected key.
    let shown = lines.get(src).copied().unwrap_or("");
    // The caret line is ASCII, so its byte offset is the character column in the line above.
    let at: String = shown.chars().skip(caret).take(4).collect();
    assert_eq!(at, "oops", "{out}");
}
