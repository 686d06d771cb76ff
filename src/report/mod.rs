//! Reports: text, JSON, explanations. Reports present decisions; they never make them.

pub mod brief;
pub mod explain;
pub mod json;
pub mod text;
pub mod timeline;

use crate::eval::{FactRef, RuleRef};
use crate::ir::*;

/// Formats a value for people: numbers in scientific notation when large, enum names, ids.
pub fn value_text(rs: &RuleSet, sc: &Scenario, ty: Option<&Type>, v: &Value) -> String {
    match v {
        Value::Unknown => "unknown".into(),
        Value::Absent => "none".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) => number_text(*n),
        Value::Date(d) => d.to_string(),
        Value::Dur(n, u) => format!(
            "{n} {}",
            match u {
                DurUnit::Days => "days",
                DurUnit::WorkingDays => "working days",
                DurUnit::Weeks => "weeks",
                DurUnit::Months => "months",
                DurUnit::Years => "years",
            }
        ),
        Value::Enum(i) => match ty {
            Some(Type::Enum(e)) => rs
                .enumeration(*e)
                .and_then(|x| x.values.get(usize::from(*i)))
                .cloned()
                .unwrap_or_else(|| format!("#{i}")),
            _ => format!("#{i}"),
        },
        Value::Set(bits) => match ty {
            Some(Type::Set(e)) => {
                let names: Vec<String> = rs
                    .enumeration(*e)
                    .map(|x| {
                        x.values
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i < 128 && bits & (1u128 << i) != 0)
                            .map(|(_, n)| n.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                format!("[{}]", names.join(", "))
            }
            _ => format!("{bits:#x}"),
        },
        Value::Text(s) => format!("\"{s}\""),
        Value::Entity(r) => sc.name_of(*r).to_string(),
        Value::Entities(r, l) => format!("{}.{}", sc.name_of(*r), l.name()),
    }
}

/// Numbers as people write them in law: `1e25`, `500000000`, `0.333`.
pub fn number_text(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    let a = n.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{n:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        let s = format!("{n:e}");
        s
    }
}

/// Money as people read it: `EUR 15 m`, `USD 1.2 bn`, `EUR 750,000`.
pub fn money_text(amount: f64, unit: Unit) -> String {
    let cur = unit.name();
    let a = amount.abs();
    let body = if a >= 1e9 {
        format!("{} bn", trim_num(amount / 1e9))
    } else if a >= 1e6 {
        format!("{} m", trim_num(amount / 1e6))
    } else {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "below one million, rounded for display"
        )]
        let whole = amount.round() as i64;
        let digits = whole.abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if whole < 0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    };
    format!("{cur} {body}")
}

fn trim_num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A finding's penalty exposure in words.
pub fn exposure_text(rs: &RuleSet, x: &crate::eval::Exposure) -> Option<String> {
    let p = rs.penalty(x.penalty)?;
    let per = p
        .per
        .as_deref()
        .map_or(String::new(), |per| format!(" per {per}"));
    Some(match x.amount {
        Some(a) => format!(
            "max penalty {}{per} [{}]",
            money_text(a, x.unit),
            p.citation
        ),
        None => format!("max penalty: {}{per} [{}]", p.formula, p.citation),
    })
}

/// `question=reading` for each reading a finding depends on.
pub fn readings_text(rs: &RuleSet, list: &[(QuestionId, u16)]) -> Vec<String> {
    list.iter()
        .filter_map(|(q, r)| {
            let question = rs.question(*q)?;
            let reading = question.readings.get(usize::from(*r))?;
            Some(format!("{}={}", question.id, reading.id))
        })
        .collect()
}

/// `entity.fact`
pub fn fact_ref_text(rs: &RuleSet, sc: &Scenario, f: FactRef) -> String {
    format!(
        "{}.{}",
        sc.name_of(f.entity),
        rs.fact(f.fact).map_or("?", |x| x.id.as_str())
    )
}

/// The actor who can answer a missing fact, following the vocabulary's `asked_of` links.
pub fn asked_actor(rs: &RuleSet, sc: &Scenario, f: FactRef) -> Option<String> {
    let def = rs.fact(f.fact)?;
    let mut cur = f.entity;
    for l in &def.asked_of {
        cur = sc.follow(cur, *l)?;
    }
    (cur.kind == Kind::Actor).then(|| sc.name_of(cur).to_string())
}

/// (kind, id, citation, title) of the rule a step evaluated.
pub fn rule_text(
    rs: &RuleSet,
    sc: &Scenario,
    r: RuleRef,
) -> (&'static str, String, String, String) {
    match r {
        RuleRef::Route(role, i) => {
            let ro = rs.role(role);
            let route = ro.and_then(|x| x.routes.get(i));
            (
                "route",
                format!(
                    "{}{}",
                    ro.map_or("?", |x| x.id.as_str()),
                    route
                        .and_then(|x| x.id.as_ref())
                        .map_or(String::new(), |id| format!(".{id}"))
                ),
                route.map_or(String::new(), |x| x.citation.clone()),
                route
                    .and_then(|x| x.title.clone())
                    .or_else(|| ro.map(|x| x.title.clone()))
                    .unwrap_or_default(),
            )
        }
        RuleRef::Displaced(role, by, i) => {
            let ro = rs.role(role);
            let route = ro.and_then(|x| x.routes.get(i));
            (
                "displacement",
                ro.map_or("?".into(), |x| x.id.clone()),
                route.map_or(String::new(), |x| x.citation.clone()),
                format!(
                    "`{}` takes the role",
                    sc.actors.get(by as usize).map_or("?", |a| a.id.as_str())
                ),
            )
        }
        RuleRef::Condition(o) => {
            let ob = rs.obligation(o);
            (
                "condition",
                ob.map_or("?".into(), |x| x.id.clone()),
                ob.map_or(String::new(), |x| x.citation.clone()),
                ob.map_or(String::new(), |x| x.title.clone()),
            )
        }
        RuleRef::Exemption(x) => {
            let ex = rs.exemption(x);
            (
                "exemption",
                ex.map_or("?".into(), |x| x.id.clone()),
                ex.map_or(String::new(), |x| x.citation.clone()),
                ex.map_or(String::new(), |x| x.title.clone()),
            )
        }
        RuleRef::Exception(x, i) => {
            let ex = rs.exemption(x).and_then(|e| e.exceptions.get(i));
            (
                "exception",
                ex.map_or("?".into(), |x| x.id.clone()),
                ex.map_or(String::new(), |x| x.citation.clone()),
                ex.and_then(|x| x.title.clone()).unwrap_or_default(),
            )
        }
        RuleRef::From(o) | RuleRef::Until(o) | RuleRef::Deadline(o) => {
            let ob = rs.obligation(o);
            let kind = match r {
                RuleRef::From(_) => "from",
                RuleRef::Until(_) => "until",
                _ => "deadline",
            };
            (
                kind,
                ob.map_or("?".into(), |x| x.id.clone()),
                ob.map_or(String::new(), |x| x.citation.clone()),
                String::new(),
            )
        }
    }
}

/// The legal status as people say it.
pub fn status_words(s: LegalStatus) -> &'static str {
    match s {
        LegalStatus::Proposed => "proposed",
        LegalStatus::Passed => "passed, not enacted",
        LegalStatus::Enacted => "enacted, not yet in force",
        LegalStatus::InForce => "in force",
        LegalStatus::Amended => "in force as amended",
        LegalStatus::Vetoed => "vetoed",
        LegalStatus::Stayed => "in force, enforcement stayed",
        LegalStatus::Repealed => "repealed",
        LegalStatus::Superseded => "superseded, never law",
    }
}

/// A rule's note without the `[lint: <kind>]` markers that tell `onus lint` a report is
/// intended (the sentence after a marker says why, and stays).
pub fn strip_lint_markers(note: &str) -> std::borrow::Cow<'_, str> {
    if !note.contains("[lint: ") {
        return std::borrow::Cow::Borrowed(note);
    }
    let mut out = String::with_capacity(note.len());
    let mut rest = note;
    while let Some(i) = rest.find("[lint: ") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i..).unwrap_or("");
        match after.find(']') {
            Some(j) => rest = after.get(j + 1..).unwrap_or("").trim_start(),
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// A rule's note as readers see it: without lint markers, whitespace squashed.
pub fn reader_note(note: &str) -> String {
    strip_lint_markers(note)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::reader_note;

    #[test]
    fn lint_markers_are_not_shown_to_readers() {
        assert_eq!(
            reader_note("Not modelled. [lint: never-applies] Intended:  it was\n rescinded"),
            "Not modelled. Intended: it was rescinded"
        );
        assert_eq!(reader_note("[lint: a][lint: b] x"), "x");
        assert_eq!(reader_note("unclosed [lint: x"), "unclosed [lint: x");
        assert_eq!(reader_note("plain"), "plain");
    }
}
