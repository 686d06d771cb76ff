//! Diagnostics: errors and warnings as values, with spans, rendered at the edge.
//!
//! Every pass returns its output together with the diagnostics it found, so one run reports
//! every mistake. Messages are lowercase without a trailing period, user input in backticks; the
//! why goes in labels and `help`.

use crate::source::{Sources, Span};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code such as `E0201`; documented in docs/diagnostics.md.
    pub code: &'static str,
    pub message: String,
    /// The primary location, if the problem has one.
    pub span: Option<Span>,
    /// Text shown under the primary location.
    pub label: Option<String>,
    /// Further locations (for example every edge of a cycle).
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: None,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = Some(text.into());
        self
    }

    pub fn with(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A collection of diagnostics for one run.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by file, position, then code, so output does not depend on traversal order.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let ka = a.span.map(|s| (s.file, s.start, s.end));
            let kb = b.span.map(|s| (s.file, s.start, s.end));
            ka.cmp(&kb)
                .then(a.code.cmp(b.code))
                .then(a.message.cmp(&b.message))
        });
        self.items.dedup();
    }
}

/// Renders diagnostics for a terminal (no colour), rustc-style.
pub fn render_human(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diags {
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{sev}[{}]: {}", d.code, d.message);
        if let Some(span) = d.span {
            snippet(&mut out, sources, span, d.label.as_deref().unwrap_or(""));
        }
        for l in &d.labels {
            snippet(&mut out, sources, l.span, &l.message);
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        let _ = writeln!(
            out,
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    out
}

fn snippet(out: &mut String, sources: &Sources, span: Span, label: &str) {
    let start = sources.line_col(span.file, span.start);
    let end = sources.line_col(span.file, span.end.max(span.start));
    let line = sources.line_text(span.file, start.line);
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {}:{}", sources.path(span.file), start);
    let _ = writeln!(out, "{pad} |");
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let col0 = start.col.saturating_sub(1).min(chars.len());
    let width = if end.line == start.line {
        end.col.saturating_sub(start.col).max(1)
    } else {
        chars.len().saturating_sub(col0).max(1)
    };
    // A very long line (minified TOML, a hostile file) is shown as a window around the
    // column, so that a diagnostic stays a few lines long whatever the input.
    let (lo, hi) = if chars.len() <= SNIPPET_WIDTH {
        (0, chars.len())
    } else {
        let lo = col0.saturating_sub(SNIPPET_CONTEXT);
        (lo, (lo + SNIPPET_WIDTH).min(chars.len()))
    };
    let before = if lo > 0 { "…" } else { "" };
    let after = if hi < chars.len() { "…" } else { "" };
    let shown: String = chars.get(lo..hi).unwrap_or(&[]).iter().collect();
    let _ = writeln!(out, "{} | {before}{shown}{after}", start.line);
    let offset = col0 - lo + before.chars().count();
    let width = width.min(hi.saturating_sub(col0).max(1));
    let _ = writeln!(
        out,
        "{pad} | {}{} {}",
        " ".repeat(offset),
        "^".repeat(width),
        label
    );
}

/// The widest source line a snippet shows, in characters, and how much of it comes before
/// the column when a longer line is cut.
const SNIPPET_WIDTH: usize = 160;
const SNIPPET_CONTEXT: usize = 60;

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    label: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// Renders diagnostics as one JSON document: `{"diagnostics": [...]}`.
pub fn render_json(diags: &[Diagnostic], sources: &Sources) -> String {
    let items: Vec<JsonDiag<'_>> = diags
        .iter()
        .map(|d| {
            let start = d.span.map(|s| sources.line_col(s.file, s.start));
            let end = d.span.map(|s| sources.line_col(s.file, s.end));
            JsonDiag {
                severity: d.severity,
                code: d.code,
                message: &d.message,
                file: d.span.map(|s| sources.path(s.file)),
                line: start.map(|p| p.line),
                column: start.map(|p| p.col),
                end_line: end.map(|p| p.line),
                end_column: end.map(|p| p.col),
                label: d.label.as_deref(),
                labels: d
                    .labels
                    .iter()
                    .map(|l| {
                        let p = sources.line_col(l.span.file, l.span.start);
                        JsonLabel {
                            file: sources.path(l.span.file),
                            line: p.line,
                            column: p.col,
                            message: &l.message,
                        }
                    })
                    .collect(),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let doc = serde_json::json!({ "diagnostics": items });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The closest candidate to `name`, for "did you mean" hints: a case-insensitive match, then
/// the smallest edit distance (a swap of two neighbours counts as one edit) within a third of
/// the length, then a candidate that starts with `name` or that `name` starts with.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let mut prefix: Option<&str> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let cl = c.to_lowercase();
        let d = if cl == lower {
            0
        } else {
            edit_distance(&lower, &cl)
        };
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
        let short = name.chars().count().min(c.chars().count());
        if short >= 3
            && (cl.starts_with(&lower) || lower.starts_with(&cl))
            && prefix.is_none_or(|p| c < p)
        {
            prefix = Some(c);
        }
    }
    best.map(|(_, c)| c).or(prefix)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get =
        |d: &Vec<usize>, i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i - 1, j) + 1)
                .min(get(&d, i, j - 1) + 1)
                .min(get(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(get(&d, i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(at(i, j)) {
                *x = v;
            }
        }
    }
    get(&d, a.len(), b.len())
}
