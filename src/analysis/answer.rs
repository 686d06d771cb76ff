//! Answers typed by a person: parsing them into values of a fact's type, and writing values as
//! TOML the way a scenario file holds them.

use crate::ir::*;

/// Describes the type of a fact for a question: `a number in FLOP`, `yes or no`.
pub fn type_words(rs: &RuleSet, ty: &Type) -> String {
    match ty {
        Type::Bool => "yes or no".into(),
        Type::Num(Unit::None) => "a number".into(),
        Type::Num(u) => format!("a number in {}", u.name()),
        Type::Date => "a date (YYYY-MM-DD)".into(),
        Type::Enum(e) => format!(
            "one of: {}",
            rs.enumeration(*e)
                .map_or(String::new(), |x| x.values.join(", "))
        ),
        Type::Set(e) => format!(
            "any of (comma-separated, or `none`): {}",
            rs.enumeration(*e)
                .map_or(String::new(), |x| x.values.join(", "))
        ),
        Type::Entity(Kind::Actor) => "an actor's id, or `none`".into(),
        Type::Text => "text".into(),
        _ => "a value".into(),
    }
}

/// The name of a type for JSON: `bool`, `number`, `date`, `enum`, `set`, `actor`, `text`.
pub fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::Num(_) => "number",
        Type::Date => "date",
        Type::Enum(_) => "enum",
        Type::Set(_) => "set",
        Type::Entity(_) => "actor",
        Type::Text => "text",
        _ => "other",
    }
}

/// The allowed values of an enum or set fact, from the vocabulary.
pub fn allowed_values<'a>(rs: &'a RuleSet, ty: &Type) -> Option<&'a [String]> {
    match ty {
        Type::Enum(e) | Type::Set(e) => rs.enumeration(*e).map(|x| x.values.as_slice()),
        _ => None,
    }
}

fn enum_index(values: &[String], word: &str) -> Option<u16> {
    let w = word.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Some(i) = values.iter().position(|v| v.eq_ignore_ascii_case(w)) {
        return u16::try_from(i).ok();
    }
    // The number shown next to each value in the question (1-based).
    let n: usize = w.parse().ok()?;
    let i = n.checked_sub(1)?;
    (i < values.len()).then(|| u16::try_from(i).ok()).flatten()
}

/// Parses a number as people write it: `3.3e22`, `3.3×10^22`, `40,000,000`, `5e24 FLOP`.
pub fn parse_number(text: &str, unit: Unit) -> Option<f64> {
    let mut s: String = text.trim().to_string();
    let lower = s.to_ascii_lowercase();
    let u = unit.name().to_ascii_lowercase();
    if !u.is_empty() && lower.ends_with(&u) {
        s.truncate(s.len() - u.len());
    }
    let mut s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != ',')
        .collect();
    for times in ["×10^", "x10^", "X10^", "*10^", "·10^"] {
        s = s.replace(times, "e");
    }
    if let Some(rest) = s.strip_prefix("10^") {
        s = format!("1e{rest}");
    }
    let n: f64 = s.parse().ok()?;
    n.is_finite().then_some(n)
}

/// Parses an answer into a value of `ty`, or says what was expected.
pub fn parse(rs: &RuleSet, sc: &Scenario, ty: &Type, text: &str) -> Result<Value, String> {
    let t = text.trim();
    match ty {
        Type::Bool => match t.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "t" | "1" => Ok(Value::Bool(true)),
            "n" | "no" | "false" | "f" | "0" => Ok(Value::Bool(false)),
            _ => Err("answer yes or no".into()),
        },
        Type::Num(u) => parse_number(t, *u).map(Value::Num).ok_or_else(|| {
            format!(
                "`{t}` is not a number; write e.g. `3.3e22`{}",
                if *u == Unit::None {
                    String::new()
                } else {
                    format!(" (in {})", u.name())
                }
            )
        }),
        Type::Date => t
            .parse::<jiff::civil::Date>()
            .map(Value::Date)
            .map_err(|_| format!("`{t}` is not a date that exists; write YYYY-MM-DD")),
        Type::Enum(e) => {
            let values = rs.enumeration(*e).map_or(&[][..], |x| x.values.as_slice());
            enum_index(values, t)
                .map(Value::Enum)
                .ok_or_else(|| format!("`{t}` is not one of: {}", values.join(", ")))
        }
        Type::Set(e) => {
            let values = rs.enumeration(*e).map_or(&[][..], |x| x.values.as_slice());
            let inner = t.trim_start_matches('[').trim_end_matches(']').trim();
            if inner.is_empty() || inner.eq_ignore_ascii_case("none") {
                return Ok(Value::Set(0));
            }
            let mut bits = 0u128;
            for word in inner.split(|c: char| c == ',' || c.is_whitespace()) {
                if word.trim().is_empty() {
                    continue;
                }
                match enum_index(values, word) {
                    Some(i) if i < 128 => bits |= 1u128 << i,
                    _ => {
                        return Err(format!(
                            "`{}` is not one of: {}",
                            word.trim(),
                            values.join(", ")
                        ));
                    }
                }
            }
            Ok(Value::Set(bits))
        }
        Type::Entity(Kind::Actor) => {
            if ["none", "false", "nobody", "no one"]
                .iter()
                .any(|w| t.eq_ignore_ascii_case(w))
            {
                return Ok(Value::Absent);
            }
            match sc.actors.iter().position(|a| a.id == t) {
                Some(i) => Ok(Value::Entity(EntityRef {
                    kind: Kind::Actor,
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                })),
                None => Err(format!(
                    "`{t}` is not an actor of this scenario; actors: {}",
                    sc.actors
                        .iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        Type::Text => Ok(Value::Text(t.to_string())),
        _ => Err("this fact cannot be answered here".into()),
    }
}

/// A number as TOML: whole numbers as integers, others in the shortest exponent form
/// (`3.3e22`, `0.5`).
pub fn number_toml(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else if (1e-3..1e15).contains(&n.abs()) {
        format!("{n}")
    } else {
        format!("{n:e}")
    }
}

/// A value as a scenario file writes it (`facts = { … }`): the value's TOML text.
pub fn toml_text(rs: &RuleSet, sc: &Scenario, ty: &Type, v: &Value) -> Option<String> {
    let quote = |s: &str| toml_edit::Value::from(s).to_string().trim().to_string();
    Some(match (ty, v) {
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Num(n)) if n.is_finite() => number_toml(*n),
        (_, Value::Date(d)) => d.to_string(),
        (Type::Enum(e), Value::Enum(i)) => quote(rs.enumeration(*e)?.values.get(usize::from(*i))?),
        (Type::Set(e), Value::Set(bits)) => {
            let values = &rs.enumeration(*e)?.values;
            let items: Vec<String> = values
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 128 && bits & (1u128 << i) != 0)
                .map(|(_, v)| quote(v))
                .collect();
            format!("[{}]", items.join(", "))
        }
        (_, Value::Text(s)) => quote(s),
        (_, Value::Entity(r)) => quote(&sc.entity(*r)?.id),
        (Type::Entity(Kind::Actor), Value::Absent) => "false".into(),
        _ => return None,
    })
}
