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

/// The rule-set version is a hash of every rule file: redact it, or every rule change would
/// touch every snapshot.
pub fn without_version(f: impl FnOnce()) {
    insta::with_settings!({filters => vec![
        (r"rule set [0-9a-f]{12}", "rule set [version]"),
        (r#""version": "[0-9a-f]{12}""#, r#""version": "[version]""#),
    ]}, {
        f();
    });
}

#[test]
fn text_report() {
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        let (code, out, err) = onus(&["run", &rel(path)]);
        assert_eq!(code, 0, "{err}");
        without_version(|| insta::assert_snapshot!(out));
    });
}

#[test]
fn json_report() {
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        let (code, out, err) = onus(&["run", "--format", "json", &rel(path)]);
        assert_eq!(code, 0, "{err}");
        // The JSON is a contract: snapshot the exact emitted string (version redacted).
        without_version(|| insta::assert_snapshot!(out));
    });
}
