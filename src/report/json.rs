//! The JSON report: a versioned contract documented in docs/json-output.md.
//!
//! Field order is fixed by the structs below; arrays are in the order `eval` sorted them.

use super::{asked_actor, rule_text, value_text};
use crate::eval::{Contested, Finding, Outcome, RoleFinding, Step};
use crate::ir::*;
use serde::Serialize;

/// Bumped whenever the shape of the document changes.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
pub struct Report<'a> {
    pub schema_version: u32,
    pub scenario: ScenarioMeta<'a>,
    pub rule_set: RuleSetMeta<'a>,
    pub instruments: Vec<InstrumentOut<'a>>,
    pub roles: Vec<RoleOut<'a>>,
    pub findings: Vec<FindingOut<'a>>,
    /// With `--all-readings`: findings whose status depends on the reading; otherwise `null`.
    pub contested: Option<Vec<ContestedOut<'a>>>,
    /// With `--sensitivity`: margins to thresholds (see "ask and sensitivity"); otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub struct TextVersion<'a> {
    pub instrument: &'a str,
    pub amended_by: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct ReadingOut<'a> {
    pub question: &'a str,
    pub reading: &'a str,
    pub default: bool,
    pub source: &'a str,
}

#[derive(Serialize)]
pub struct ExposureOut<'a> {
    pub penalty: &'a str,
    pub citation: &'a str,
    pub formula: &'a str,
    /// The computed maximum, or `null` when the facts the formula needs are unknown.
    pub amount: Option<f64>,
    pub currency: &'static str,
    pub per: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ContestedOutcome<'a> {
    pub readings: Vec<ReadingOut<'a>>,
    /// `null`: the actor bears no such obligation under these readings.
    pub status: Option<&'static str>,
}

#[derive(Serialize)]
pub struct ContestedOut<'a> {
    pub actor: &'a str,
    pub instrument: &'a str,
    pub role: &'a str,
    pub subject: &'a str,
    pub obligation: &'a str,
    pub citation: &'a str,
    pub outcomes: Vec<ContestedOutcome<'a>>,
}

#[derive(Serialize)]
pub struct ScenarioMeta<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub as_of: String,
}

#[derive(Serialize)]
pub struct RuleSetMeta<'a> {
    pub version: &'a str,
    pub status_filter: &'static str,
}

#[derive(Serialize)]
pub struct InstrumentOut<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub jurisdiction: &'a str,
    pub legal_status: Option<&'static str>,
    pub counted: bool,
    pub hypothetical: bool,
    pub amends: Option<&'a str>,
    pub amended_by: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct RoleOut<'a> {
    pub actor: &'a str,
    pub instrument: &'a str,
    pub role: &'a str,
    pub title: &'a str,
    pub subject: &'a str,
    pub subject_kind: &'static str,
    pub status: &'static str,
    pub citation: String,
    pub displaced_by: Vec<&'a str>,
    pub missing_facts: Vec<MissingOut<'a>>,
}

#[derive(Serialize)]
pub struct Exempted<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub citation: &'a str,
}

#[derive(Serialize)]
pub struct MissingOut<'a> {
    pub entity: &'a str,
    pub fact: &'a str,
    pub question: &'a str,
    pub ask: Option<String>,
}

#[derive(Serialize)]
pub struct FactOut<'a> {
    pub entity: &'a str,
    pub fact: &'a str,
    pub value: Option<String>,
}

#[derive(Serialize)]
pub struct DefOut<'a> {
    pub id: &'a str,
    pub entity: Option<&'a str>,
    pub citation: &'a str,
    pub value: String,
}

#[derive(Serialize)]
pub struct StepOut<'a> {
    pub kind: &'static str,
    pub rule: String,
    pub citation: String,
    pub result: String,
    pub facts: Vec<FactOut<'a>>,
    pub definitions: Vec<DefOut<'a>>,
}

#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub actor: &'a str,
    pub instrument: &'a str,
    pub role: &'a str,
    pub subject: &'a str,
    pub obligation: &'a str,
    pub title: &'a str,
    pub citation: &'a str,
    pub note: Option<std::borrow::Cow<'a, str>>,
    pub status: &'static str,
    pub applies_from: Option<String>,
    pub until: Option<String>,
    pub deadline: Option<String>,
    pub exempted_by: Option<Exempted<'a>>,
    pub missing_facts: Vec<MissingOut<'a>>,
    pub legal_status: &'static str,
    pub hypothetical: bool,
    pub text_version: TextVersion<'a>,
    pub readings: Vec<ReadingOut<'a>>,
    pub exposure: Option<ExposureOut<'a>>,
    pub trace: Vec<StepOut<'a>>,
}

fn missing<'a>(
    rs: &'a RuleSet,
    sc: &'a Scenario,
    list: &[crate::eval::FactRef],
) -> Vec<MissingOut<'a>> {
    list.iter()
        .map(|m| MissingOut {
            entity: sc.name_of(m.entity),
            fact: rs.fact(m.fact).map_or("?", |f| f.id.as_str()),
            question: rs.fact(m.fact).map_or("", |f| f.question.as_str()),
            ask: asked_actor(rs, sc, *m),
        })
        .collect()
}

pub fn steps<'a>(rs: &'a RuleSet, sc: &'a Scenario, trace: &[Step]) -> Vec<StepOut<'a>> {
    trace
        .iter()
        .map(|s| {
            let (kind, rule, citation, _) = rule_text(rs, sc, s.rule);
            StepOut {
                kind,
                rule,
                citation,
                result: value_text(rs, sc, None, &s.result),
                facts: s
                    .reads
                    .iter()
                    .map(|r| {
                        let f = rs.fact(r.fact.fact);
                        FactOut {
                            entity: sc.name_of(r.fact.entity),
                            fact: f.map_or("?", |f| f.id.as_str()),
                            value: r
                                .value
                                .as_ref()
                                .map(|v| value_text(rs, sc, f.map(|f| &f.ty), v)),
                        }
                    })
                    .collect(),
                definitions: s
                    .defs
                    .iter()
                    .map(|d| {
                        let def = rs.def(d.def);
                        DefOut {
                            id: def.map_or("?", |x| x.id.as_str()),
                            entity: d.entity.map(|e| sc.name_of(e)),
                            citation: def.map_or("", |x| x.citation.as_str()),
                            value: value_text(rs, sc, def.map(|x| &x.expr.ty), &d.value),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

fn role_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, r: &RoleFinding) -> RoleOut<'a> {
    let role = rs.role(r.role);
    RoleOut {
        actor: sc
            .actors
            .get(r.actor as usize)
            .map_or("?", |a| a.id.as_str()),
        instrument: rs.instrument(r.instrument).map_or("?", |i| i.id.as_str()),
        role: role.map_or("?", |x| x.id.as_str()),
        title: role.map_or("", |x| x.title.as_str()),
        subject: sc.name_of(r.subject),
        subject_kind: r.subject.kind.name(),
        status: r.status.name(),
        citation: role
            .and_then(|x| r.route.and_then(|i| x.routes.get(i)))
            .map(|rt| rt.citation.clone())
            .or_else(|| role.map(|x| x.citation.clone()))
            .unwrap_or_default(),
        displaced_by: r
            .displaced_by
            .iter()
            .map(|b| sc.actors.get(*b as usize).map_or("?", |a| a.id.as_str()))
            .collect(),
        missing_facts: missing(rs, sc, &r.missing),
    }
}

fn finding_out<'a>(
    rs: &'a RuleSet,
    sc: &'a Scenario,
    out: &Outcome,
    f: &Finding,
) -> FindingOut<'a> {
    let ob = rs.obligation(f.obligation);
    // The reasoning of a finding starts with how the actor came to hold the role.
    let mut trace: Vec<Step> = out
        .roles
        .iter()
        .find(|r| r.actor == f.actor && r.role == f.role && r.subject == f.subject)
        .map(|r| r.trace.clone())
        .unwrap_or_default();
    trace.extend(f.trace.iter().cloned());
    FindingOut {
        actor: sc
            .actors
            .get(f.actor as usize)
            .map_or("?", |a| a.id.as_str()),
        instrument: rs.instrument(f.instrument).map_or("?", |i| i.id.as_str()),
        role: rs.role(f.role).map_or("?", |x| x.id.as_str()),
        subject: sc.name_of(f.subject),
        obligation: ob.map_or("?", |x| x.id.as_str()),
        title: ob.map_or("", |x| x.title.as_str()),
        citation: ob.map_or("", |x| x.citation.as_str()),
        note: ob
            .and_then(|x| x.note.as_deref())
            .map(super::strip_lint_markers),
        status: f.status.name(),
        applies_from: f.applies_from.map(|d| d.to_string()),
        until: f.until.map(|d| d.to_string()),
        deadline: f.deadline.map(|d| d.to_string()),
        exempted_by: f
            .exempted_by
            .and_then(|x| rs.exemption(x))
            .map(|x| Exempted {
                id: &x.id,
                title: &x.title,
                citation: &x.citation,
            }),
        missing_facts: missing(rs, sc, &f.missing),
        legal_status: f.legal_status.name(),
        hypothetical: f.hypothetical,
        text_version: TextVersion {
            instrument: rs.instrument(f.instrument).map_or("?", |i| i.id.as_str()),
            amended_by: f
                .text_version
                .iter()
                .filter_map(|a| rs.instrument(*a).map(|i| i.id.as_str()))
                .collect(),
        },
        readings: readings(rs, &f.readings),
        exposure: f.exposure.as_ref().and_then(|x| {
            let p = rs.penalty(x.penalty)?;
            Some(ExposureOut {
                penalty: &p.id,
                citation: &p.citation,
                formula: &p.formula,
                amount: x.amount,
                currency: x.unit.name(),
                per: p.per.as_deref(),
            })
        }),
        trace: steps(rs, sc, &trace),
    }
}

/// The readings of a finding, by question.
pub fn readings<'a>(rs: &'a RuleSet, list: &[(QuestionId, u16)]) -> Vec<ReadingOut<'a>> {
    list.iter()
        .filter_map(|(q, r)| {
            let question = rs.question(*q)?;
            let reading = question.readings.get(usize::from(*r))?;
            Some(ReadingOut {
                question: &question.id,
                reading: &reading.id,
                default: *r == question.default,
                source: &reading.source,
            })
        })
        .collect()
}

fn contested_out<'a>(rs: &'a RuleSet, sc: &'a Scenario, c: &Contested) -> ContestedOut<'a> {
    let ob = rs.obligation(c.obligation);
    ContestedOut {
        actor: sc
            .actors
            .get(c.actor as usize)
            .map_or("?", |a| a.id.as_str()),
        instrument: rs.instrument(c.instrument).map_or("?", |i| i.id.as_str()),
        role: rs.role(c.role).map_or("?", |x| x.id.as_str()),
        subject: sc.name_of(c.subject),
        obligation: ob.map_or("?", |x| x.id.as_str()),
        citation: ob.map_or("", |x| x.citation.as_str()),
        outcomes: c
            .outcomes
            .iter()
            .map(|(r, st)| ContestedOutcome {
                readings: readings(rs, r),
                status: st.map(crate::eval::Status::name),
            })
            .collect(),
    }
}

pub fn report<'a>(
    rs: &'a RuleSet,
    sc: &'a Scenario,
    out: &Outcome,
    contested: Option<&[Contested]>,
) -> Report<'a> {
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: ScenarioMeta {
            id: &sc.id,
            title: &sc.title,
            as_of: out.as_of.to_string(),
        },
        rule_set: RuleSetMeta {
            version: &rs.version,
            status_filter: match out.status_filter {
                StatusFilter::InForce => "in_force",
                StatusFilter::Enacted => "enacted",
                StatusFilter::Proposed => "proposed",
            },
        },
        instruments: out
            .instruments
            .iter()
            .filter_map(|u| {
                let i = rs.instrument(u.instrument)?;
                Some(InstrumentOut {
                    id: &i.id,
                    title: &i.title,
                    jurisdiction: &i.jurisdiction,
                    legal_status: u.status.map(LegalStatus::name),
                    counted: u.counted,
                    hypothetical: u.hypothetical,
                    amends: i
                        .amends
                        .and_then(|a| rs.instrument(a))
                        .map(|a| a.id.as_str()),
                    amended_by: u
                        .amended_by
                        .iter()
                        .filter_map(|a| rs.instrument(*a).map(|x| x.id.as_str()))
                        .collect(),
                })
            })
            .collect(),
        roles: out.roles.iter().map(|r| role_out(rs, sc, r)).collect(),
        findings: out
            .findings
            .iter()
            .map(|f| finding_out(rs, sc, out, f))
            .collect(),
        contested: contested.map(|list| list.iter().map(|c| contested_out(rs, sc, c)).collect()),
        sensitivity: None,
    }
}

/// The JSON document for one outcome, pretty-printed, with a final newline.
pub fn render(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> String {
    serde_json::to_string_pretty(&report(rs, sc, out, None)).unwrap_or_default() + "\n"
}
