//! `onus ask` (the deciding questions, ranked), `onus ask --interactive` (a dialogue that asks
//! them one at a time and can write the answers back into the scenario file) and the
//! `--sensitivity` section of `onus run`. The analysis is in [`crate::analysis`]; this module
//! renders it and does the terminal and file IO.

use super::args::OutFormat;
use super::{EXIT_INVALID, EXIT_OK};
use crate::Session;
use crate::analysis::{
    self, Asked, Case, Decided, Diff, FindingKey, Margin, Question, RoleKey, Values, Within,
    answer, writeback,
};
use crate::eval::{self, FactRef, Options, Outcome, RoleStatus, Status};
use crate::ir::*;
use crate::report::{asked_actor, fact_ref_text, money_text, value_text};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::path::Path;

/// `onus ask`: the ranked questions, or with `interactive` the dialogue on `input`/`out`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    s: &Session,
    sc: &Scenario,
    opts: &Options,
    path: &Path,
    interactive: bool,
    format: OutFormat,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if interactive {
        return dialogue(s, sc, opts, path, format, input, out, err);
    }
    let rs = &s.rules;
    let asked = analysis::questions(rs, sc, opts);
    let as_of = opts.as_of.unwrap_or(sc.as_of);
    match format {
        OutFormat::Text => {
            let _ = out.write_all(ask_text(rs, sc, as_of, &asked).as_bytes());
        }
        OutFormat::Json => {
            let margins = analysis::sensitivity(rs, sc, opts);
            let doc = AskDoc {
                schema_version: crate::report::json::SCHEMA_VERSION,
                scenario: scenario_meta(sc, as_of),
                rule_set: RuleSetOut {
                    version: &rs.version,
                },
                undetermined: asked.undetermined.len(),
                questions: asked
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| question_out(rs, sc, i + 1, q))
                    .collect(),
                not_asked: asked
                    .not_asked
                    .iter()
                    .map(|f| fact_out(rs, sc, *f))
                    .collect(),
                sensitivity: margins.iter().map(|m| margin_out(rs, sc, m)).collect(),
            };
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
    }
    EXIT_OK
}

/// The `--sensitivity` section of the text report.
pub fn sensitivity_text(s: &Session, sc: &Scenario, opts: &Options, _out: &Outcome) -> String {
    let rs = &s.rules;
    let margins = analysis::sensitivity(rs, sc, opts);
    render_sensitivity(rs, sc, &margins)
}

/// The sensitivity of a scenario as JSON (the `sensitivity` array of docs/json-output.md), for
/// `onus run --sensitivity --format json`.
#[allow(
    dead_code,
    reason = "for `onus run --sensitivity --format json`, whose call site is not in this module"
)]
pub fn sensitivity_json(s: &Session, sc: &Scenario, opts: &Options) -> serde_json::Value {
    let rs = &s.rules;
    let margins = analysis::sensitivity(rs, sc, opts);
    let list: Vec<MarginOut<'_>> = margins.iter().map(|m| margin_out(rs, sc, m)).collect();
    serde_json::to_value(list).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// A number with at most three significant digits: `3.33e24`, `50`, `0.333`.
fn short_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    let a = n.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{n:.3}");
        return s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let s = format!("{n:.2e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}e{e}")
        }
        None => s,
    }
}

/// A number in its unit: `3.33e24 FLOP`, `USD 500 m`, `45 users`.
fn quantity(n: f64, unit: Unit) -> String {
    match unit {
        Unit::Usd | Unit::Eur => money_text(n, unit),
        Unit::None => short_number(n),
        u => format!("{} {}", short_number(n), u.name()),
    }
}

fn fact_type(rs: &RuleSet, f: FactRef) -> Option<&Type> {
    rs.fact(f.fact).map(|d| &d.ty)
}

fn unit_of(ty: Option<&Type>) -> Unit {
    match ty {
        Some(Type::Num(u)) => *u,
        _ => Unit::None,
    }
}

/// A threshold or tried value of a fact, for people.
fn value_words(rs: &RuleSet, sc: &Scenario, ty: Option<&Type>, v: &Value) -> String {
    match v {
        Value::Num(n) => quantity(*n, unit_of(ty)),
        _ => value_text(rs, sc, ty, v),
    }
}

fn range_words(
    rs: &RuleSet,
    sc: &Scenario,
    ty: Option<&Type>,
    min: Option<&(Value, bool)>,
    max: Option<&(Value, bool)>,
) -> String {
    let date = matches!(ty, Some(Type::Date));
    let w = |v: &Value| value_words(rs, sc, ty, v);
    let lower = |(v, incl): &(Value, bool)| match (date, *incl) {
        (false, true) => format!("at least {}", w(v)),
        (false, false) => format!("above {}", w(v)),
        (true, true) => format!("on or after {}", w(v)),
        (true, false) => format!("after {}", w(v)),
    };
    let upper = |(v, incl): &(Value, bool)| match (date, *incl) {
        (false, true) => format!("at most {}", w(v)),
        (false, false) => format!("below {}", w(v)),
        (true, true) => format!("on or before {}", w(v)),
        (true, false) => format!("before {}", w(v)),
    };
    match (min, max) {
        (None, None) => "any value".into(),
        (Some(l), None) => lower(l),
        (None, Some(u)) => upper(u),
        (Some(l), Some(u)) if l.0 == u.0 && l.1 && u.1 => {
            if date {
                format!("on {}", w(&l.0))
            } else {
                format!("exactly {}", w(&l.0))
            }
        }
        (Some(l), Some(u)) => format!("{} and {}", lower(l), upper(u)),
    }
}

fn status_words(s: Option<Status>) -> &'static str {
    match s {
        None => "no role",
        Some(Status::NotApplicable) => "not applicable",
        Some(s) => s.name(),
    }
}

fn role_status_words(s: Option<RoleStatus>) -> &'static str {
    match s {
        None => "no role",
        Some(s) => s.name(),
    }
}

/// `if X: status` for each case of a decided finding.
fn cases_words(rs: &RuleSet, sc: &Scenario, ty: Option<&Type>, cases: &[Case]) -> String {
    // With many discrete values, the largest group is "any other value".
    let total: usize = cases
        .iter()
        .map(|c| match &c.values {
            Values::OneOf(v) => v.len(),
            Values::Range { .. } => 1,
        })
        .sum();
    let largest = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.values {
            Values::OneOf(v) => Some((i, v.len())),
            Values::Range { .. } => None,
        })
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .filter(|(_, n)| total > 4 && *n > 2)
        .map(|(i, _)| i);
    let mut parts = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let when = match &c.values {
            Values::Range { min, max } => range_words(rs, sc, ty, min.as_ref(), max.as_ref()),
            Values::OneOf(_) if cases.len() == 1 => "any value".into(),
            Values::OneOf(_) if Some(i) == largest => "any other value".into(),
            Values::OneOf(v) => v
                .iter()
                .map(|x| match x {
                    Value::Bool(true) => "yes".to_string(),
                    Value::Bool(false) => "no".to_string(),
                    Value::Set(0) => "none".to_string(),
                    _ => value_text(rs, sc, ty, x),
                })
                .collect::<Vec<_>>()
                .join(" or "),
        };
        parts.push(format!("{when} → {}", status_words(c.status)));
    }
    parts.join("; ")
}

fn role_words(rs: &RuleSet, sc: &Scenario, k: RoleKey) -> String {
    format!(
        "{} · {} · {} of {} {}",
        actor_name(sc, k.actor),
        rs.instrument(k.instrument).map_or("?", |i| i.id.as_str()),
        rs.role(k.role).map_or("?", |r| r.id.as_str()),
        k.subject.kind,
        sc.name_of(k.subject)
    )
}

fn actor_name(sc: &Scenario, a: u32) -> &str {
    sc.actors.get(a as usize).map_or("?", |x| x.id.as_str())
}

fn obligation_words(rs: &RuleSet, k: FindingKey) -> String {
    rs.obligation(k.obligation)
        .map_or("?".into(), |o| format!("{} {}", o.citation, o.id))
}

fn within_words(rs: &RuleSet, sc: &Scenario, w: Within) -> String {
    match w {
        Within::Def(e, d) => {
            let def = rs.def(d);
            let on = e.map_or(String::new(), |e| format!(" of {}", sc.name_of(e)));
            format!(
                "{}{on} [{}]",
                def.map_or("?", |x| x.id.as_str()),
                def.map_or("", |x| x.citation.as_str())
            )
        }
        Within::Route(r, i) => {
            let role = rs.role(r);
            let cit = role
                .and_then(|x| x.routes.get(i))
                .map_or("", |x| x.citation.as_str());
            format!("role {} [{cit}]", role.map_or("?", |x| x.id.as_str()))
        }
        Within::Condition(o) | Within::From(o) | Within::Until(o) => {
            let ob = rs.obligation(o);
            let what = match w {
                Within::From(_) => "start of ",
                Within::Until(_) => "end of ",
                _ => "",
            };
            format!(
                "{what}{} [{}]",
                ob.map_or("?", |x| x.id.as_str()),
                ob.map_or("", |x| x.citation.as_str())
            )
        }
        Within::Exemption(x) => {
            let ex = rs.exemption(x);
            format!(
                "exemption {} [{}]",
                ex.map_or("?", |x| x.id.as_str()),
                ex.map_or("", |x| x.citation.as_str())
            )
        }
        Within::Exception(x, i) => {
            let ex = rs.exemption(x).and_then(|e| e.exceptions.get(i));
            format!(
                "exception {} [{}]",
                ex.map_or("?", |x| x.id.as_str()),
                ex.map_or("", |x| x.citation.as_str())
            )
        }
    }
}

/// What changed between two outcomes, one line per role (with its obligations summarised) or
/// per finding whose role did not change.
fn change_lines(rs: &RuleSet, sc: &Scenario, d: &Diff) -> Vec<String> {
    let mut lines = Vec::new();
    let changed_roles: BTreeSet<RoleKey> = d.roles.iter().map(|r| r.key).collect();
    for rc in &d.roles {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for f in d.findings.iter().filter(|f| f.key.role_key() == rc.key) {
            let w = status_words(f.after);
            match counts.iter_mut().find(|(x, _)| *x == w) {
                Some((_, n)) => *n += 1,
                None => counts.push((w, 1)),
            }
        }
        let what = if rc.before.is_none() {
            "obligations"
        } else {
            "changed"
        };
        let tail = if counts.is_empty() || rc.after.is_none() {
            String::new()
        } else {
            format!(
                " ({what}: {})",
                counts
                    .iter()
                    .map(|(w, n)| format!("{n} {w}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        lines.push(format!(
            "{}: {} → {}{tail}",
            role_words(rs, sc, rc.key),
            role_status_words(rc.before),
            role_status_words(rc.after)
        ));
    }
    for f in d
        .findings
        .iter()
        .filter(|f| !changed_roles.contains(&f.key.role_key()))
    {
        lines.push(format!(
            "{} · {}: {} → {}",
            role_words(rs, sc, f.key.role_key()),
            obligation_words(rs, f.key),
            status_words(f.before),
            status_words(f.after)
        ));
    }
    lines
}

fn thresholds_words(rs: &RuleSet, sc: &Scenario, q: &Question) -> Option<String> {
    let ty = fact_type(rs, q.fact);
    if q.thresholds.is_empty() {
        return None;
    }
    let list: Vec<String> = q
        .thresholds
        .iter()
        .map(|t| value_words(rs, sc, ty, t))
        .collect();
    let rel = if matches!(ty, Some(Type::Date)) {
        "before or after"
    } else {
        "below or above"
    };
    Some(format!(
        "it matters whether it is {rel} {}",
        list.join(", ")
    ))
}

/// `penalties up to USD 180 m, and 3 more set by facts not known yet`.
fn exposure_words(x: &analysis::ExposureSum) -> Option<String> {
    let amounts: Vec<String> = x.amounts.iter().map(|(u, a)| money_text(*a, *u)).collect();
    let open = match x.unquantified {
        0 => None,
        1 => Some("1 penalty set by facts not known yet".to_string()),
        n => Some(format!("{n} penalties set by facts not known yet")),
    };
    match (amounts.is_empty(), open) {
        (true, None) => None,
        (true, Some(o)) => Some(o),
        (false, None) => Some(format!("penalties up to {}", amounts.join(" + "))),
        (false, Some(o)) => Some(format!("penalties up to {}, and {o}", amounts.join(" + "))),
    }
}

// ---------------------------------------------------------------------------------------------
// `onus ask` as text
// ---------------------------------------------------------------------------------------------

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn ask_text(rs: &RuleSet, sc: &Scenario, as_of: jiff::civil::Date, asked: &Asked) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", sc.id, sc.title);
    let _ = writeln!(s, "as of {as_of} · rule set {}", rs.version);
    s.push('\n');
    if asked.undetermined.is_empty() {
        s.push_str("Every finding is determined: there is nothing to ask.\n");
        return s;
    }
    let _ = writeln!(
        s,
        "{} undetermined; {} would decide at least one of them.",
        plural(asked.undetermined.len(), "finding is", "findings are"),
        plural(asked.questions.len(), "question", "questions")
    );
    for (i, q) in asked.questions.iter().enumerate() {
        s.push('\n');
        question_block(&mut s, rs, sc, i + 1, q);
    }
    if !asked.not_asked.is_empty() {
        s.push('\n');
        let list: Vec<String> = asked
            .not_asked
            .iter()
            .map(|f| fact_with_actor(rs, sc, *f))
            .collect();
        let _ = writeln!(
            s,
            "Also missing, but deciding nothing on their own: {}",
            list.join(", ")
        );
    }
    s
}

fn fact_with_actor(rs: &RuleSet, sc: &Scenario, f: FactRef) -> String {
    let who = asked_actor(rs, sc, f).map_or(String::new(), |a| format!(" (ask {a})"));
    format!("{}{who}", fact_ref_text(rs, sc, f))
}

fn question_block(s: &mut String, rs: &RuleSet, sc: &Scenario, rank: usize, q: &Question) {
    let def = rs.fact(q.fact.fact);
    let ty = def.map(|d| &d.ty);
    let who = asked_actor(rs, sc, q.fact).map_or(String::new(), |a| format!(" — ask {a}"));
    let _ = writeln!(s, "{rank}. {}{who}", fact_ref_text(rs, sc, q.fact));
    let _ = writeln!(s, "   {}", def.map_or("", |d| d.question.as_str()));
    let mut answer_line = ty.map_or(String::new(), |t| answer::type_words(rs, t));
    if let Some(t) = thresholds_words(rs, sc, q) {
        let _ = write!(answer_line, "; {t}");
    }
    let _ = writeln!(s, "   Answer: {answer_line}");
    let exposure = exposure_words(&q.exposure).map_or(String::new(), |x| format!(" ({x})"));
    let _ = writeln!(
        s,
        "   Decides {}{exposure}:",
        plural(q.decides.len(), "finding", "findings")
    );
    let mut last_role = None;
    for (role, cases, list) in group_decided(&q.decides) {
        if last_role != Some(role) {
            last_role = Some(role);
            let _ = writeln!(s, "     {}", role_words(rs, sc, role));
        }
        let obligations: Vec<String> = list.iter().map(|k| obligation_words(rs, *k)).collect();
        let _ = writeln!(
            s,
            "       {}: if {}",
            obligations.join(", "),
            cases_words(rs, sc, ty, cases)
        );
    }
}

/// Decided findings grouped by role (in order of first appearance) and, within a role, by what
/// the answer does to them.
fn group_decided(list: &[Decided]) -> Vec<(RoleKey, &[Case], Vec<FindingKey>)> {
    let mut groups: Vec<(RoleKey, &[Case], Vec<FindingKey>)> = Vec::new();
    for d in list {
        let role = d.finding.role_key();
        match groups
            .iter_mut()
            .find(|(r, c, _)| *r == role && *c == d.cases.as_slice())
        {
            Some((_, _, v)) => v.push(d.finding),
            None => {
                // Keep the groups of one role together.
                let at = groups
                    .iter()
                    .rposition(|(r, _, _)| *r == role)
                    .map_or(groups.len(), |i| i + 1);
                groups.insert(at, (role, d.cases.as_slice(), vec![d.finding]));
            }
        }
    }
    groups
}

// ---------------------------------------------------------------------------------------------
// Sensitivity as text
// ---------------------------------------------------------------------------------------------

fn margin_words(m: &Margin) -> String {
    let t = quantity(m.threshold, m.unit);
    if m.value == m.threshold {
        return format!("exactly at {t}");
    }
    let side = if m.value < m.threshold {
        "below"
    } else {
        "above"
    };
    match m.ratio {
        Some(r) if r >= 1.095 => {
            let r = if r >= 1000.0 {
                short_number(r)
            } else if r >= 100.0 {
                format!("{r:.0}")
            } else {
                let x = format!("{r:.1}");
                x.trim_end_matches(".0").to_string()
            };
            format!("{r}× {side} {t}")
        }
        _ => {
            let pct = ((m.value - m.threshold) / m.threshold * 100.0).abs();
            if m.threshold != 0.0 && pct.is_finite() {
                format!("{pct:.1}% {side} {t}")
            } else {
                format!(
                    "{} {side} {t}",
                    quantity((m.value - m.threshold).abs(), m.unit)
                )
            }
        }
    }
}

/// The values on the other side of the threshold, in words: `above 3.33e24 FLOP`.
fn crossing_words(m: &Margin) -> String {
    let t = quantity(m.threshold, m.unit);
    let up = m.crossing > m.value;
    let included = m.crossing == m.threshold;
    match (up, included) {
        (true, true) => format!("at {t} or more"),
        (true, false) => format!("above {t}"),
        (false, true) => format!("at {t} or less"),
        (false, false) => format!("below {t}"),
    }
}

fn render_sensitivity(rs: &RuleSet, sc: &Scenario, margins: &[Margin]) -> String {
    let mut s = String::from(
        "\nSensitivity (known numbers against the thresholds the rules compare them with)\n",
    );
    if margins.is_empty() {
        s.push_str("  no rule compares a known number with a threshold\n");
        return s;
    }
    let mut i = 0;
    while i < margins.len() {
        let Some(first) = margins.get(i) else { break };
        let fact = first.fact;
        let group: Vec<&Margin> = margins
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|m| m.fact == fact)
            .collect();
        i += group.len();
        let _ = writeln!(
            s,
            "  {} = {}",
            fact_ref_text(rs, sc, fact),
            quantity(first.value, first.unit)
        );
        let mut idle = Vec::new();
        let mut repeats = Vec::new();
        for m in group {
            if m.changes.is_empty() {
                idle.push(margin_words(m));
                continue;
            }
            if m.repeats_nearer {
                repeats.push(margin_words(m));
                continue;
            }
            let place = m.comparisons.first().map_or(String::new(), |c| {
                format!(" — {}: {}", within_words(rs, sc, c.within), c.text)
            });
            let more = match m.comparisons.len() {
                0 | 1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let _ = writeln!(s, "    {}{place}{more}", margin_words(m));
            let _ = writeln!(s, "      {}, it would change:", crossing_words(m));
            for l in change_lines(rs, sc, &m.changes) {
                let _ = writeln!(s, "        {l}");
            }
        }
        if !repeats.is_empty() {
            let _ = writeln!(
                s,
                "    crossing would change nothing more than the nearer threshold: {}",
                repeats.join("; ")
            );
        }
        if !idle.is_empty() {
            let _ = writeln!(
                s,
                "    crossing alone would change nothing: {}",
                idle.join("; ")
            );
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct ScenarioMeta<'a> {
    id: &'a str,
    title: &'a str,
    as_of: String,
}

fn scenario_meta(sc: &Scenario, as_of: jiff::civil::Date) -> ScenarioMeta<'_> {
    ScenarioMeta {
        id: &sc.id,
        title: &sc.title,
        as_of: as_of.to_string(),
    }
}

#[derive(Serialize)]
struct RuleSetOut<'a> {
    version: &'a str,
}

#[derive(Serialize)]
struct AskDoc<'a> {
    schema_version: u32,
    scenario: ScenarioMeta<'a>,
    rule_set: RuleSetOut<'a>,
    undetermined: usize,
    questions: Vec<QuestionOut<'a>>,
    not_asked: Vec<FactOut<'a>>,
    sensitivity: Vec<MarginOut<'a>>,
}

#[derive(Serialize)]
struct FactOut<'a> {
    entity: &'a str,
    entity_kind: &'static str,
    fact: &'a str,
    question: &'a str,
    ask: Option<String>,
}

fn fact_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, f: FactRef) -> FactOut<'a> {
    let def = rs.fact(f.fact);
    FactOut {
        entity: sc.name_of(f.entity),
        entity_kind: f.entity.kind.name(),
        fact: def.map_or("?", |d| d.id.as_str()),
        question: def.map_or("", |d| d.question.as_str()),
        ask: asked_actor(rs, sc, f),
    }
}

#[derive(Serialize)]
struct QuestionOut<'a> {
    rank: usize,
    entity: &'a str,
    entity_kind: &'static str,
    fact: &'a str,
    question: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    unit: Option<&'static str>,
    values: Option<&'a [String]>,
    ask: Option<String>,
    thresholds: Vec<serde_json::Value>,
    decides: Vec<DecidedOut<'a>>,
    roles: Vec<RoleOut<'a>>,
    exposure: ExposureOut,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    actor: &'a str,
    instrument: &'a str,
    role: &'a str,
    subject: &'a str,
}

fn role_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, k: RoleKey) -> RoleOut<'a> {
    RoleOut {
        actor: actor_name(sc, k.actor),
        instrument: rs.instrument(k.instrument).map_or("?", |i| i.id.as_str()),
        role: rs.role(k.role).map_or("?", |r| r.id.as_str()),
        subject: sc.name_of(k.subject),
    }
}

#[derive(Serialize)]
struct DecidedOut<'a> {
    actor: &'a str,
    instrument: &'a str,
    role: &'a str,
    subject: &'a str,
    obligation: &'a str,
    citation: &'a str,
    cases: Vec<CaseOut>,
}

#[derive(Serialize)]
struct CaseOut {
    when: WhenOut,
    /// `null`: the actor would bear no such finding.
    status: Option<&'static str>,
}

#[derive(Serialize)]
struct WhenOut {
    min: Option<serde_json::Value>,
    min_inclusive: bool,
    max: Option<serde_json::Value>,
    max_inclusive: bool,
    values: Option<Vec<serde_json::Value>>,
}

#[derive(Serialize)]
struct AmountOut {
    currency: &'static str,
    amount: f64,
}

#[derive(Serialize)]
struct ExposureOut {
    amounts: Vec<AmountOut>,
    unquantified: usize,
}

/// A value of a fact as JSON: numbers as numbers, dates `YYYY-MM-DD`, enum values by name,
/// sets as arrays, actors by id (`false`: no actor).
fn json_value(rs: &RuleSet, sc: &Scenario, ty: Option<&Type>, v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match (v, ty) {
        (Value::Num(n), _) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
        (Value::Bool(b), _) => J::Bool(*b),
        (Value::Absent, _) => J::Bool(false),
        (Value::Set(bits), Some(Type::Set(e))) => J::Array(
            rs.enumeration(*e)
                .map(|x| {
                    x.values
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i < 128 && bits & (1u128 << i) != 0)
                        .map(|(_, n)| J::String(n.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        (Value::Text(t), _) => J::String(t.clone()),
        _ => J::String(value_text(rs, sc, ty, v)),
    }
}

fn case_out(rs: &RuleSet, sc: &Scenario, ty: Option<&Type>, c: &Case) -> CaseOut {
    let jv = |v: &Value| json_value(rs, sc, ty, v);
    let when = match &c.values {
        Values::Range { min, max } => WhenOut {
            min: min.as_ref().map(|(v, _)| jv(v)),
            min_inclusive: min.as_ref().is_some_and(|(_, i)| *i),
            max: max.as_ref().map(|(v, _)| jv(v)),
            max_inclusive: max.as_ref().is_some_and(|(_, i)| *i),
            values: None,
        },
        Values::OneOf(list) => WhenOut {
            min: None,
            min_inclusive: false,
            max: None,
            max_inclusive: false,
            values: Some(list.iter().map(jv).collect()),
        },
    };
    CaseOut {
        when,
        status: c.status.map(Status::name),
    }
}

fn question_out<'a>(
    rs: &'a RuleSet,
    sc: &'a Scenario,
    rank: usize,
    q: &Question,
) -> QuestionOut<'a> {
    let def = rs.fact(q.fact.fact);
    let ty = def.map(|d| &d.ty);
    QuestionOut {
        rank,
        entity: sc.name_of(q.fact.entity),
        entity_kind: q.fact.entity.kind.name(),
        fact: def.map_or("?", |d| d.id.as_str()),
        question: def.map_or("", |d| d.question.as_str()),
        ty: ty.map_or("other", answer::type_name),
        unit: match ty {
            Some(Type::Num(u)) if *u != Unit::None => Some(u.name()),
            _ => None,
        },
        values: ty.and_then(|t| answer::allowed_values(rs, t)),
        ask: asked_actor(rs, sc, q.fact),
        thresholds: q
            .thresholds
            .iter()
            .map(|t| json_value(rs, sc, ty, t))
            .collect(),
        decides: q
            .decides
            .iter()
            .map(|d| {
                let k = d.finding;
                let r = role_out(rs, sc, k.role_key());
                let ob = rs.obligation(k.obligation);
                DecidedOut {
                    actor: r.actor,
                    instrument: r.instrument,
                    role: r.role,
                    subject: r.subject,
                    obligation: ob.map_or("?", |o| o.id.as_str()),
                    citation: ob.map_or("", |o| o.citation.as_str()),
                    cases: d.cases.iter().map(|c| case_out(rs, sc, ty, c)).collect(),
                }
            })
            .collect(),
        roles: q.roles.iter().map(|k| role_out(rs, sc, *k)).collect(),
        exposure: ExposureOut {
            amounts: q
                .exposure
                .amounts
                .iter()
                .map(|(u, a)| AmountOut {
                    currency: u.name(),
                    amount: *a,
                })
                .collect(),
            unquantified: q.exposure.unquantified,
        },
    }
}

#[derive(Serialize)]
struct WhereOut<'a> {
    kind: &'static str,
    rule: String,
    expression: &'a str,
}

#[derive(Serialize)]
struct RoleChangeOut<'a> {
    actor: &'a str,
    instrument: &'a str,
    role: &'a str,
    subject: &'a str,
    before: Option<&'static str>,
    after: Option<&'static str>,
}

#[derive(Serialize)]
struct FindingChangeOut<'a> {
    actor: &'a str,
    instrument: &'a str,
    role: &'a str,
    subject: &'a str,
    obligation: &'a str,
    citation: &'a str,
    before: Option<&'static str>,
    after: Option<&'static str>,
}

#[derive(Serialize)]
struct ChangesOut<'a> {
    roles: Vec<RoleChangeOut<'a>>,
    findings: Vec<FindingChangeOut<'a>>,
}

fn changes_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, d: &Diff) -> ChangesOut<'a> {
    ChangesOut {
        roles: d
            .roles
            .iter()
            .map(|c| {
                let r = role_out(rs, sc, c.key);
                RoleChangeOut {
                    actor: r.actor,
                    instrument: r.instrument,
                    role: r.role,
                    subject: r.subject,
                    before: c.before.map(RoleStatus::name),
                    after: c.after.map(RoleStatus::name),
                }
            })
            .collect(),
        findings: d
            .findings
            .iter()
            .map(|c| {
                let r = role_out(rs, sc, c.key.role_key());
                let ob = rs.obligation(c.key.obligation);
                FindingChangeOut {
                    actor: r.actor,
                    instrument: r.instrument,
                    role: r.role,
                    subject: r.subject,
                    obligation: ob.map_or("?", |o| o.id.as_str()),
                    citation: ob.map_or("", |o| o.citation.as_str()),
                    before: c.before.map(Status::name),
                    after: c.after.map(Status::name),
                }
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct MarginOut<'a> {
    entity: &'a str,
    entity_kind: &'static str,
    fact: &'a str,
    value: f64,
    unit: Option<&'static str>,
    comparison: &'static str,
    threshold: f64,
    holds: bool,
    position: &'static str,
    ratio: Option<f64>,
    crossing: f64,
    repeats_nearer: bool,
    #[serde(rename = "where")]
    places: Vec<WhereOut<'a>>,
    changes: ChangesOut<'a>,
}

fn within_kind(w: Within) -> &'static str {
    match w {
        Within::Def(..) => "definition",
        Within::Route(..) => "route",
        Within::Condition(_) => "condition",
        Within::Exemption(_) => "exemption",
        Within::Exception(..) => "exception",
        Within::From(_) => "from",
        Within::Until(_) => "until",
    }
}

fn margin_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, m: &'a Margin) -> MarginOut<'a> {
    MarginOut {
        entity: sc.name_of(m.fact.entity),
        entity_kind: m.fact.entity.kind.name(),
        fact: rs.fact(m.fact.fact).map_or("?", |d| d.id.as_str()),
        value: m.value,
        unit: (m.unit != Unit::None).then(|| m.unit.name()),
        comparison: analysis::op_text(m.op),
        threshold: m.threshold,
        holds: m.holds,
        position: if m.value < m.threshold {
            "below"
        } else if m.value > m.threshold {
            "above"
        } else {
            "at"
        },
        ratio: m.ratio,
        crossing: m.crossing,
        repeats_nearer: m.repeats_nearer,
        places: m
            .comparisons
            .iter()
            .map(|c| WhereOut {
                kind: within_kind(c.within),
                rule: within_words(rs, sc, c.within),
                expression: &c.text,
            })
            .collect(),
        changes: changes_out(rs, sc, &m.changes),
    }
}

// ---------------------------------------------------------------------------------------------
// The interactive dialogue
// ---------------------------------------------------------------------------------------------

enum Reply {
    Answer(Value),
    DontKnow,
    Stop,
}

/// Reads one line; `None` at the end of the input.
fn read_line(input: &mut dyn BufRead) -> Option<String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// Reads an answer after a prompt. When the input is not a terminal (piped answers), the answer
/// is echoed so the transcript reads as a dialogue.
fn prompt(
    prefix: &str,
    input: &mut dyn BufRead,
    talk: &mut dyn Write,
    echo: bool,
) -> Option<String> {
    let _ = write!(talk, "{prefix}");
    let _ = talk.flush();
    let line = read_line(input);
    if echo || line.is_none() {
        let _ = writeln!(talk, "{}", line.as_deref().unwrap_or(""));
    }
    line
}

fn ask_one(
    rs: &RuleSet,
    sc: &Scenario,
    ty: &Type,
    input: &mut dyn BufRead,
    talk: &mut dyn Write,
    echo: bool,
) -> Reply {
    loop {
        let Some(line) = prompt("> ", input, talk, echo) else {
            return Reply::Stop;
        };
        match line.as_str() {
            "" | "?" => return Reply::DontKnow,
            "q" | "quit" => return Reply::Stop,
            _ => {}
        }
        match answer::parse(rs, sc, ty, &line) {
            Ok(v) => return Reply::Answer(v),
            Err(msg) => {
                let _ = writeln!(talk, "  {msg} (`?` if you don't know, `q` to stop)");
            }
        }
    }
}

#[derive(Serialize)]
struct AnswerOut<'a> {
    entity: &'a str,
    fact: &'a str,
    value: serde_json::Value,
}

#[derive(Serialize)]
struct SessionDoc<'a> {
    schema_version: u32,
    scenario: ScenarioMeta<'a>,
    answers: Vec<AnswerOut<'a>>,
    skipped: Vec<FactOut<'a>>,
    /// Findings still undetermined after the answers.
    undetermined: usize,
    /// The file the answers were written to, or `null`.
    written: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn dialogue(
    s: &Session,
    sc: &Scenario,
    opts: &Options,
    path: &Path,
    format: OutFormat,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let rs = &s.rules;
    let quiet = Options {
        trace: false,
        ..opts.clone()
    };
    // With `--format json` the dialogue goes to stderr and the JSON summary to stdout.
    let json = format == OutFormat::Json;
    let echo = !std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut work = sc.clone();
    let mut answers: Vec<(FactRef, Value)> = Vec::new();
    let mut skipped: Vec<FactRef> = Vec::new();
    let mut before = eval::evaluate(rs, &work, &quiet);
    let mut asked = analysis::questions(rs, &work, &quiet);
    let code;
    let written;
    {
        let talk: &mut dyn Write = if json { &mut *err } else { &mut *out };
        let _ = writeln!(talk, "{} — {}", sc.id, sc.title);
        let _ = writeln!(
            talk,
            "{} undetermined; {} can decide them.",
            plural(asked.undetermined.len(), "finding is", "findings are"),
            plural(asked.questions.len(), "question", "questions")
        );
        if !asked.questions.is_empty() {
            let _ = writeln!(
                talk,
                "Answer each question; `?` or an empty line if you don't know, `q` to stop."
            );
        }
        let mut n = 0;
        while let Some(q) = asked
            .questions
            .iter()
            .find(|q| !skipped.contains(&q.fact))
            .cloned()
        {
            n += 1;
            let left = asked
                .questions
                .iter()
                .filter(|x| !skipped.contains(&x.fact))
                .count();
            let _ = writeln!(talk);
            let mut head = String::new();
            question_head(&mut head, rs, &work, n, left, &q);
            let _ = talk.write_all(head.as_bytes());
            let Some(ty) = fact_type(rs, q.fact).cloned() else {
                break;
            };
            match ask_one(rs, &work, &ty, input, talk, echo) {
                Reply::Stop => break,
                Reply::DontKnow => {
                    skipped.push(q.fact);
                    let _ = writeln!(talk, "  skipped");
                }
                Reply::Answer(v) => {
                    analysis::set_fact(&mut work, q.fact, Some(v.clone()));
                    answers.push((q.fact, v));
                    let after = eval::evaluate(rs, &work, &quiet);
                    let lines = change_lines(rs, &work, &analysis::diff(&before, &after));
                    if lines.is_empty() {
                        let _ = writeln!(talk, "  no finding changed yet");
                    }
                    for l in lines {
                        let _ = writeln!(talk, "  {l}");
                    }
                    before = after;
                    let old: Vec<FactRef> = asked.questions.iter().map(|x| x.fact).collect();
                    asked = analysis::questions(rs, &work, &quiet);
                    let gone: Vec<String> = old
                        .into_iter()
                        .filter(|f| *f != q.fact && !skipped.contains(f))
                        .filter(|f| !asked.questions.iter().any(|x| x.fact == *f))
                        .map(|f| fact_ref_text(rs, &work, f))
                        .collect();
                    if !gone.is_empty() {
                        let _ = writeln!(talk, "  no longer needed: {}", gone.join(", "));
                    }
                }
            }
        }
        let _ = writeln!(talk);
        let _ = writeln!(
            talk,
            "{}; {} still undetermined.",
            plural(answers.len(), "answer", "answers"),
            plural(asked.undetermined.len(), "finding is", "findings are")
        );
        let mut wrote = None;
        let mut failed = false;
        if !answers.is_empty() {
            let question = format!(
                "Write {} to {}? [y/N] ",
                plural(answers.len(), "answer", "answers"),
                path.display()
            );
            let yes = prompt(&question, input, talk, echo)
                .is_some_and(|l| matches!(l.to_ascii_lowercase().as_str(), "y" | "yes"));
            if yes {
                match write_back(s, sc, path, &answers) {
                    Ok(()) => {
                        let _ = writeln!(
                            talk,
                            "wrote {} to {}",
                            plural(answers.len(), "answer", "answers"),
                            path.display()
                        );
                        wrote = Some(path.display().to_string());
                    }
                    Err(e) => {
                        failed = true;
                        let _ = writeln!(
                            err,
                            "error[E0002]: {e}\n  = help: `{}` was left unchanged; add the answers by hand or fix the problem and run again",
                            path.display()
                        );
                    }
                }
            } else {
                let _ = writeln!(talk, "not written");
            }
        }
        code = if failed { EXIT_INVALID } else { EXIT_OK };
        written = wrote;
    }
    if json {
        let doc = SessionDoc {
            schema_version: crate::report::json::SCHEMA_VERSION,
            scenario: scenario_meta(sc, opts.as_of.unwrap_or(sc.as_of)),
            answers: answers
                .iter()
                .map(|(f, v)| AnswerOut {
                    entity: sc.name_of(f.entity),
                    fact: rs.fact(f.fact).map_or("?", |d| d.id.as_str()),
                    value: json_value(rs, sc, fact_type(rs, *f), v),
                })
                .collect(),
            skipped: skipped.iter().map(|f| fact_out(rs, sc, *f)).collect(),
            undetermined: asked.undetermined.len(),
            written,
        };
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    code
}

fn question_head(s: &mut String, rs: &RuleSet, sc: &Scenario, n: usize, left: usize, q: &Question) {
    let def = rs.fact(q.fact.fact);
    let who = asked_actor(rs, sc, q.fact).map_or(String::new(), |a| format!(" — ask {a}"));
    let _ = writeln!(
        s,
        "Question {n} ({} left){who}: {}, decides {}",
        left,
        fact_ref_text(rs, sc, q.fact),
        plural(q.decides.len(), "finding", "findings")
    );
    let _ = writeln!(s, "  {}", def.map_or("", |d| d.question.as_str()));
    let mut line = def.map_or(String::new(), |d| answer::type_words(rs, &d.ty));
    if let Some(t) = thresholds_words(rs, sc, q) {
        let _ = write!(line, "; {t}");
    }
    let _ = writeln!(s, "  {line}");
}

/// Writes the answers into the scenario file: read it afresh, edit it, check that the result
/// still resolves and holds the answers, then replace it atomically. On any error the file is
/// left as it was.
fn write_back(
    s: &Session,
    sc: &Scenario,
    path: &Path,
    answers: &[(FactRef, Value)],
) -> Result<(), String> {
    let rs = &s.rules;
    let text = crate::source::read_file(path).map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    for (f, v) in answers {
        let def = rs.fact(f.fact).ok_or("unknown fact")?;
        let value = answer::toml_text(rs, sc, &def.ty, v)
            .ok_or_else(|| format!("cannot write the answer to `{}` as TOML", def.id))?;
        edits.push(writeback::Edit {
            kind: f.entity.kind.name().to_string(),
            entity: sc.name_of(f.entity).to_string(),
            fact: def.id.clone(),
            value,
        });
    }
    let new_text = writeback::apply(&text, &edits).map_err(|e| e.to_string())?;
    // The edited file must still be a valid scenario that holds exactly these answers.
    let mut sources = crate::source::Sources::new();
    let shown = path.display().to_string();
    let file = sources.add(shown.as_str(), new_text.as_str());
    let stem = path.file_stem().map_or_else(
        || "scenario".to_string(),
        |x| x.to_string_lossy().into_owned(),
    );
    let (resolved, diags) = crate::resolve::resolve_scenario(&sources, file, rs, &stem);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(format!(
            "the edited scenario would not be valid ({})",
            d.message
        ));
    }
    let resolved = resolved.ok_or("the edited scenario would not be valid")?;
    for (f, v) in answers {
        let id = sc.name_of(f.entity);
        let same = resolved
            .entities(f.entity.kind)
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.facts.get(f.fact.index()))
            .and_then(Option::as_ref)
            == Some(v);
        if !same {
            return Err(format!(
                "the edited scenario would not hold the answer to `{}`",
                fact_ref_text(rs, sc, *f)
            ));
        }
    }
    crate::source::write_atomic(path, new_text.as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}
