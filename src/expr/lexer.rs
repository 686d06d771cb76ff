//! Tokens of the condition language.

use super::{LocalSpan, ParseError};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Date(jiff::civil::Date),
    Str(String),
    Ident(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: LocalSpan,
}

fn span(start: usize, end: usize) -> LocalSpan {
    LocalSpan {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end).unwrap_or(u32::MAX),
    }
}

pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let single = |t: Tok| Token {
            tok: t,
            span: span(start, start + 1),
        };
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
            }
            b'(' => {
                out.push(single(Tok::LParen));
                i += 1;
            }
            b')' => {
                out.push(single(Tok::RParen));
                i += 1;
            }
            b'[' => {
                out.push(single(Tok::LBracket));
                i += 1;
            }
            b']' => {
                out.push(single(Tok::RBracket));
                i += 1;
            }
            b',' => {
                out.push(single(Tok::Comma));
                i += 1;
            }
            b':' => {
                out.push(single(Tok::Colon));
                i += 1;
            }
            b'.' => {
                out.push(single(Tok::Dot));
                i += 1;
            }
            b'+' => {
                out.push(single(Tok::Plus));
                i += 1;
            }
            b'-' => {
                out.push(single(Tok::Minus));
                i += 1;
            }
            b'*' => {
                out.push(single(Tok::Star));
                i += 1;
            }
            b'/' => {
                out.push(single(Tok::Slash));
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let next_eq = bytes.get(i + 1) == Some(&b'=');
                let tok = match (b, next_eq) {
                    (b'=', true) => Tok::EqEq,
                    (b'!', true) => Tok::Ne,
                    (b'<', true) => Tok::Le,
                    (b'>', true) => Tok::Ge,
                    (b'<', false) => Tok::Lt,
                    (b'>', false) => Tok::Gt,
                    (b'=', false) => {
                        return Err(ParseError {
                            message: "unexpected `=`".into(),
                            span: span(i, i + 1),
                            help: Some("comparison is written `==`".into()),
                        });
                    }
                    _ => {
                        return Err(ParseError {
                            message: "unexpected `!`".into(),
                            span: span(i, i + 1),
                            help: Some("negation is written `not`; inequality `!=`".into()),
                        });
                    }
                };
                let len = if next_eq { 2 } else { 1 };
                out.push(Token {
                    tok,
                    span: span(i, i + len),
                });
                i += len;
            }
            b'"' | b'\'' => {
                let quote = b;
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    if c == quote {
                        break;
                    }
                    j += 1;
                }
                if bytes.get(j) != Some(&quote) {
                    return Err(ParseError {
                        message: "unterminated string".into(),
                        span: span(i, src.len()),
                        help: Some("close the string with the same quote it opens with".into()),
                    });
                }
                let text = src.get(i + 1..j).unwrap_or("").to_string();
                out.push(Token {
                    tok: Tok::Str(text),
                    span: span(i, j + 1),
                });
                i = j + 1;
            }
            b'0'..=b'9' => {
                let (tok, end) = lex_number_or_date(src, i)?;
                out.push(Token {
                    tok,
                    span: span(i, end),
                });
                i = end;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i;
                while bytes
                    .get(j)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    j += 1;
                }
                out.push(Token {
                    tok: Tok::Ident(src.get(i..j).unwrap_or("").to_string()),
                    span: span(i, j),
                });
                i = j;
            }
            _ => {
                let ch = src.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(ParseError {
                    message: format!("unexpected character `{ch}`"),
                    span: span(i, i + ch.len_utf8()),
                    help: None,
                });
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        span: span(src.len(), src.len()),
    });
    Ok(out)
}

fn lex_number_or_date(src: &str, start: usize) -> Result<(Tok, usize), ParseError> {
    let bytes = src.as_bytes();
    // A date literal: YYYY-MM-DD.
    let is_digit = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit);
    if (0..4).all(|k| is_digit(start + k))
        && bytes.get(start + 4) == Some(&b'-')
        && is_digit(start + 5)
        && is_digit(start + 6)
        && bytes.get(start + 7) == Some(&b'-')
        && is_digit(start + 8)
        && is_digit(start + 9)
        && !is_digit(start + 10)
    {
        let text = src.get(start..start + 10).unwrap_or("");
        return match text.parse::<jiff::civil::Date>() {
            Ok(d) => Ok((Tok::Date(d), start + 10)),
            Err(_) => Err(ParseError {
                message: format!("`{text}` is not a date that exists"),
                span: span(start, start + 10),
                help: Some("dates are written YYYY-MM-DD and must exist in the calendar".into()),
            }),
        };
    }
    let mut j = start;
    while bytes
        .get(j)
        .is_some_and(|c| c.is_ascii_digit() || *c == b'_')
    {
        j += 1;
    }
    if bytes.get(j) == Some(&b'.') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
        j += 1;
        while bytes
            .get(j)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'_')
        {
            j += 1;
        }
    }
    if matches!(bytes.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(bytes.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if bytes.get(k).is_some_and(u8::is_ascii_digit) {
            while bytes.get(k).is_some_and(u8::is_ascii_digit) {
                k += 1;
            }
            j = k;
        }
    }
    let text: String = src.get(start..j).unwrap_or("").replace('_', "");
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((Tok::Num(v), j)),
        _ => Err(ParseError {
            message: format!("`{text}` is not a finite number"),
            span: span(start, j),
            help: None,
        }),
    }
}
