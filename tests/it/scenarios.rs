//! Every bundled scenario: its expectations hold, and its text and JSON outputs are locked by
//! snapshots (one per scenario file and format).

use crate::support::{onus, rel, root};

#[test]
fn bundled_scenarios_meet_their_expectations() {
    let mut failures = Vec::new();
    let mut count = 0;
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        count += 1;
        let p = root().join(path);
        let (code, out, err) = onus(&["check", &rel(&p)]);
        if code != 0 {
            failures.push(format!("{}:\n{err}{out}", rel(&p)));
        }
    });
    assert!(
        count >= 5,
        "expected at least 5 bundled scenarios, found {count}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn text_report() {
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        let (code, out, err) = onus(&["run", &rel(path)]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(out);
    });
}

#[test]
fn json_report() {
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        let (code, out, err) = onus(&["run", "--format", "json", &rel(path)]);
        assert_eq!(code, 0, "{err}");
        // The JSON is a contract: snapshot the exact emitted string.
        insta::assert_snapshot!(out);
    });
}
