//! Mapping offsets inside a TOML string value back to the file.

use crate::expr::LocalSpan;
use crate::source::{Sources, Span};

/// How offsets in a string value map to offsets in the file.
#[derive(Clone, Copy, Debug)]
pub struct SpanMap {
    /// The whole string token, quotes included.
    pub whole: Span,
    /// File offset of the first content byte, when content maps byte-for-byte.
    pub base: Option<u32>,
}

impl SpanMap {
    /// Builds the map for a string token; `value` is the decoded string.
    pub fn new(sources: &Sources, whole: Span, value: &str) -> SpanMap {
        let raw = sources.slice(whole);
        let (skip, body) = if let Some(rest) = raw
            .strip_prefix("\"\"\"")
            .or_else(|| raw.strip_prefix("'''"))
        {
            let nl = if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with('\n'))
            };
            (3 + nl, rest.get(nl..).unwrap_or(""))
        } else if raw.starts_with('"') || raw.starts_with('\'') {
            (1, raw.get(1..).unwrap_or(""))
        } else {
            return SpanMap { whole, base: None };
        };
        // Exact only if the decoded text is literally what the file holds at that position.
        let base = if body.starts_with(value) {
            u32::try_from(skip).ok().map(|s| whole.start + s)
        } else {
            None
        };
        SpanMap { whole, base }
    }

    pub fn map(&self, local: LocalSpan) -> Span {
        match self.base {
            Some(b) => Span {
                file: self.whole.file,
                start: b.saturating_add(local.start),
                end: b.saturating_add(local.end),
            },
            None => self.whole,
        }
    }
}
