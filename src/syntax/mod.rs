//! TOML → raw structs. The only module that knows TOML.
//!
//! Raw structs mirror the files; spans are kept for every name, expression and date so later
//! stages can point at them. Each entry (`[[obligation]]`, `[[model]]`, …) is deserialised on its
//! own, so one broken entry does not hide the mistakes in the others.

mod raw;

pub use raw::*;

use crate::diag::{Diagnostic, suggest};
use crate::source::{FileId, Sources, Span};
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Deepest TOML nesting accepted (tables and arrays inside each other).
pub const MAX_TOML_DEPTH: usize = 32;

fn span_of(file: FileId, r: std::ops::Range<usize>) -> Span {
    Span::new(file, r)
}

/// Rewrites serde's wording into the terms of a TOML file: no Rust type names.
fn humanize(msg: &str) -> String {
    let mut m = msg.to_string();
    for (from, to) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected i128", "expected an integer"),
        ("expected f64", "expected a number"),
        ("expected a map", "expected a table"),
        ("expected a sequence", "expected an array"),
        ("expected a borrowed string", "expected a string"),
        ("expected any valid TOML value", "expected a TOML value"),
        ("as i128", "(too large)"),
        ("invalid type: map", "invalid type: table"),
        ("invalid type: sequence", "invalid type: array"),
    ] {
        m = m.replace(from, to);
    }
    if let Some(i) = m.find(", expected struct ") {
        m.truncate(i);
        m.push_str(", expected a table");
    }
    m
}

fn toml_error(file: FileId, e: &toml::de::Error, fallback: std::ops::Range<usize>) -> Diagnostic {
    let msg = humanize(e.message().trim().trim_end_matches('.'));
    let span = span_of(file, e.span().unwrap_or(fallback));
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(" one of").trim();
        let mut d = Diagnostic::error("E0102", format!("unknown field {field}")).at(span);
        let names: Vec<&str> = expected
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .filter(|s| !s.is_empty())
            .collect();
        let field_name = field.trim_matches('`');
        d = match suggest(field_name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`? allowed here: {expected}")),
            None if !expected.is_empty() => d.help(format!("allowed here: {expected}")),
            None => d,
        };
        return d;
    }
    if let Some(field) = msg.strip_prefix("missing field ") {
        return Diagnostic::error("E0103", format!("missing field {field}"))
            .at(span)
            .help(format!("add {field} to this entry"));
    }
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return Diagnostic::error("E0104", msg).at(span).help(
            "see docs/rule-format.md and docs/scenario-format.md for the type of each field",
        );
    }
    if msg == "u64 value was too large" {
        // An integer between 2^63 and 2^64: the TOML parser reads it, `toml::Value` cannot hold it.
        return Diagnostic::error(
            "E0104",
            "integer too large: TOML integers are at most 9223372036854775807",
        )
        .at(span)
        .help("write a large number as a float, e.g. `1e25`");
    }
    if msg.contains("overflowed") {
        return Diagnostic::error("E0101", msg)
            .at(span)
            .help("a number must be finite: at most about 1.8e308 in size");
    }
    Diagnostic::error("E0101", msg).at(span)
}

fn depth(v: &DeValue<'_>, level: usize) -> usize {
    if level > MAX_TOML_DEPTH {
        return level;
    }
    match v {
        DeValue::Array(a) => a
            .iter()
            .map(|x| depth(x.get_ref(), level + 1))
            .max()
            .unwrap_or(level),
        DeValue::Table(t) => t
            .values()
            .map(|x| depth(x.get_ref(), level + 1))
            .max()
            .unwrap_or(level),
        _ => level,
    }
}

/// Parses a TOML document; returns its top-level entries or the syntax errors.
fn parse_table<'a>(
    sources: &'a Sources,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<DeTable<'a>>> {
    let text = sources.text(file);
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // The TOML parser stops recursing at its own limit (deeper than ours): that is the
        // nesting error, reported once, without the follow-on errors of the cut-off document.
        if let Some(e) = errors.iter().find(|e| is_recursion_limit(e.message())) {
            diags.push(too_deep(file, e.span().unwrap_or(0..0)));
            return None;
        }
        // The parser recovers and may report follow-on errors for the same mistake; the first
        // error of each line is the one that explains it.
        let mut lines_seen = Vec::new();
        for e in &errors {
            let line = sources
                .line_col(
                    file,
                    u32::try_from(e.span().map_or(0, |r| r.start)).unwrap_or(0),
                )
                .line;
            if lines_seen.contains(&line) {
                continue;
            }
            lines_seen.push(line);
            diags.push(
                Diagnostic::error(
                    "E0101",
                    format!("invalid TOML: {}", e.message().trim().trim_end_matches('.')),
                )
                .at(span_of(file, e.span().unwrap_or(0..0)))
                .help("fix the TOML syntax; see https://toml.io"),
            );
        }
        return None;
    }
    let deepest = table
        .get_ref()
        .values()
        .map(|x| depth(x.get_ref(), 1))
        .max()
        .unwrap_or(0);
    if deepest > MAX_TOML_DEPTH {
        diags.push(too_deep(file, 0..0));
        return None;
    }
    Some(table)
}

/// The messages of the TOML parser's own recursion limits (arrays and inline tables; dotted
/// keys and table headers).
fn is_recursion_limit(message: &str) -> bool {
    message.contains("max recursion depth") || message.trim() == "recursion limit"
}

fn too_deep(file: FileId, at: std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::error(
        "E0105",
        format!("TOML nests deeper than {MAX_TOML_DEPTH} levels"),
    )
    .at(span_of(file, at))
    .help("rule and scenario files need only a few levels of tables")
}

fn one<T: DeserializeOwned>(
    file: FileId,
    value: &Spanned<DeValue<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let fallback = value.span();
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(toml_error(file, &e, fallback));
            None
        }
    }
}

fn many<T: DeserializeOwned>(
    file: FileId,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<T> {
    match value.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|item| one(file, item, diags))
            .collect(),
        _ => {
            diags.push(
                Diagnostic::error("E0104", format!("`{key}` must be an array of tables"))
                    .at(span_of(file, value.span()))
                    .help(format!("write each entry as `[[{key}]]`")),
            );
            Vec::new()
        }
    }
}

fn unknown_key(
    file: FileId,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    allowed: &[&str],
) -> Diagnostic {
    let name = key.get_ref().as_ref();
    let d = Diagnostic::error("E0102", format!("unknown top-level key `{name}`"))
        .at(span_of(file, key.span()));
    let list = allowed
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match suggest(name, allowed.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`? allowed: {list}")),
        None => d.help(format!("allowed: {list}")),
    }
}

const RULE_KEYS: &[&str] = &[
    "instrument",
    "enum",
    "fact",
    "definition",
    "role",
    "obligation",
    "exemption",
    "amend",
    "question",
    "penalty",
];

/// Parses one rule file (the fact vocabulary or an instrument).
pub fn parse_rule_file(sources: &Sources, file: FileId) -> (RawRuleFile, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = RawRuleFile {
        file,
        ..RawRuleFile::default()
    };
    let Some(table) = parse_table(sources, file, &mut diags) else {
        out.broken = true;
        return (out, diags);
    };
    for (key, value) in table.get_ref() {
        match key.get_ref().as_ref() {
            "instrument" => out.instrument = one(file, value, &mut diags),
            "enum" => out.enums = many(file, "enum", value, &mut diags),
            "fact" => out.facts = many(file, "fact", value, &mut diags),
            "definition" => out.definitions = many(file, "definition", value, &mut diags),
            "role" => out.roles = many(file, "role", value, &mut diags),
            "obligation" => out.obligations = many(file, "obligation", value, &mut diags),
            "exemption" => out.exemptions = many(file, "exemption", value, &mut diags),
            "amend" => out.amends = many(file, "amend", value, &mut diags),
            "question" => out.questions = many(file, "question", value, &mut diags),
            "penalty" => out.penalties = many(file, "penalty", value, &mut diags),
            _ => diags.push(unknown_key(file, key, RULE_KEYS)),
        }
    }
    if !diags.is_empty() {
        out.broken = true;
    }
    (out, diags)
}

const SCENARIO_KEYS: &[&str] = &[
    "scenario",
    "actor",
    "model",
    "system",
    "deployment",
    "expect",
];

/// Parses one scenario file.
pub fn parse_scenario_file(
    sources: &Sources,
    file: FileId,
) -> (Option<RawScenario>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(table) = parse_table(sources, file, &mut diags) else {
        return (None, diags);
    };
    let mut meta = None;
    let mut out = RawScenario {
        file,
        meta: RawScenarioMeta::default(),
        meta_span: span_of(file, 0..0),
        actors: Vec::new(),
        models: Vec::new(),
        systems: Vec::new(),
        deployments: Vec::new(),
        expects: Vec::new(),
    };
    for (key, value) in table.get_ref() {
        match key.get_ref().as_ref() {
            "scenario" => {
                out.meta_span = span_of(file, key.span());
                meta = one(file, value, &mut diags);
            }
            "actor" => out.actors = many(file, "actor", value, &mut diags),
            "model" => out.models = many(file, "model", value, &mut diags),
            "system" => out.systems = many(file, "system", value, &mut diags),
            "deployment" => out.deployments = many(file, "deployment", value, &mut diags),
            "expect" => out.expects = many(file, "expect", value, &mut diags),
            _ => diags.push(unknown_key(file, key, SCENARIO_KEYS)),
        }
    }
    match meta {
        Some(m) => out.meta = m,
        None => {
            if !table.get_ref().keys().any(|k| k.get_ref() == "scenario") {
                diags.push(
                    Diagnostic::error("E0103", "missing `[scenario]` table")
                        .at(span_of(file, 0..0))
                        .help("a scenario starts with `[scenario]` giving `title` and `as_of`"),
                );
            }
            return (None, diags);
        }
    }
    (Some(out), diags)
}

/// Whether a file looks like a scenario (has a `[scenario]` table) rather than a rule file.
pub fn looks_like_scenario(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "[scenario]")
}
