//! Bundled scenarios run with command-line options (tests/data/variants.txt): one snapshot per
//! line, so that dates, statuses, amendments and readings are shown on real chains.

use crate::support::{onus, root};

fn slug(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches("scenarios_")
        .to_string()
}

#[test]
fn scenarios_with_options() {
    let list = std::fs::read_to_string(root().join("tests/data/variants.txt")).unwrap_or_default();
    let mut n = 0;
    for line in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        n += 1;
        let mut args = vec!["run"];
        args.extend(line.split_whitespace());
        let (code, out, err) = onus(&args);
        assert_eq!(code, 0, "{line}: {err}");
        insta::with_settings!({
            snapshot_suffix => slug(line),
            description => format!("onus run {line}"),
            filters => vec![
                (r"rule set [0-9a-f]{12}", "rule set [version]"),
                (r#""version": "[0-9a-f]{12}""#, r#""version": "[version]""#),
            ],
        }, {
            insta::assert_snapshot!(out);
        });
    }
    assert!(n >= 6);
}
