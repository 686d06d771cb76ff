//! Mapping offsets inside a TOML string value back to the file.
//!
//! Literal strings (`'…'`, `'''…'''`) hold their text verbatim. Basic strings (`"…"`, `"""…"""`)
//! may contain escapes, so the map keeps, for every byte of the decoded text, the file offset it
//! came from. An error inside `"\"eu\" in model.markets"` then points at the right column.

use crate::expr::LocalSpan;
use crate::source::{Sources, Span};

/// How offsets in a string value map to offsets in the file.
#[derive(Clone, Debug)]
pub struct SpanMap {
    /// The whole string token, quotes included.
    pub whole: Span,
    /// File offset of each byte of the decoded text, plus one past the end; empty when the
    /// text could not be matched to the file (the whole token is used instead).
    offsets: Vec<u32>,
}

/// Decodes the body of a basic string, recording the raw offset of each decoded byte.
fn decode_basic(body: &str, base: u32, multiline: bool) -> Option<(String, Vec<u32>)> {
    let mut out = String::new();
    let mut offs = Vec::new();
    let mut chars = body.char_indices().peekable();
    let at = |i: usize| base.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            for _ in c.encode_utf8(&mut buf).bytes() {
                offs.push(at(i));
            }
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        let decoded = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'e' => Some('\u{1b}'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            'u' | 'U' | 'x' => {
                let n = match e {
                    'u' => 4,
                    'U' => 8,
                    _ => 2,
                };
                let mut hex = String::new();
                for _ in 0..n {
                    hex.push(chars.next()?.1);
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
            }
            c if multiline && c.is_whitespace() => {
                // Line-ending backslash: skip the newline and following whitespace.
                while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                    chars.next();
                }
                None
            }
            _ => return None,
        };
        if let Some(d) = decoded {
            let mut buf = [0u8; 4];
            for _ in d.encode_utf8(&mut buf).bytes() {
                offs.push(at(i));
            }
            out.push(d);
        }
    }
    Some((out, offs))
}

impl SpanMap {
    /// Builds the map for a string token; `value` is the decoded string.
    pub fn new(sources: &Sources, whole: Span, value: &str) -> SpanMap {
        let raw = sources.slice(whole);
        let fail = SpanMap {
            whole,
            offsets: Vec::new(),
        };
        let (quote, literal) = if raw.starts_with("\"\"\"") {
            ("\"\"\"", false)
        } else if raw.starts_with("'''") {
            ("'''", true)
        } else if raw.starts_with('"') {
            ("\"", false)
        } else if raw.starts_with('\'') {
            ("'", true)
        } else {
            return fail;
        };
        let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) else {
            return fail;
        };
        let multiline = quote.len() == 3;
        // A newline right after the opening quotes is not part of the value.
        let skip_nl = if multiline && inner.starts_with("\r\n") {
            2
        } else {
            usize::from(multiline && inner.starts_with('\n'))
        };
        let body = inner.get(skip_nl..).unwrap_or("");
        let base = whole
            .start
            .saturating_add(u32::try_from(quote.len() + skip_nl).unwrap_or(u32::MAX));
        let decoded = if literal {
            let offs = (0..body.len())
                .map(|i| base.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)))
                .collect();
            Some((body.to_string(), offs))
        } else {
            decode_basic(body, base, multiline)
        };
        match decoded {
            Some((text, mut offsets)) if text == value => {
                offsets.push(base.saturating_add(u32::try_from(body.len()).unwrap_or(u32::MAX)));
                SpanMap { whole, offsets }
            }
            _ => fail,
        }
    }

    pub fn map(&self, local: LocalSpan) -> Span {
        let get = |i: u32| self.offsets.get(i as usize).copied();
        match (get(local.start), self.offsets.last()) {
            (Some(start), Some(&last)) => {
                // The end is one past the last byte covered.
                let end = if local.end > local.start {
                    get(local.end - 1).map_or(last, |e| e + 1)
                } else {
                    start
                };
                Span {
                    file: self.whole.file,
                    start,
                    end: end.max(start),
                }
            }
            _ => self.whole,
        }
    }
}
