//! The briefing as data: every sentence, table cell and diagram node, gathered from the
//! outcome before any markup is written, so the Markdown and HTML renderers say the same thing.
//!
//! Strings here are plain text straight from the inputs; the renderers escape them. Nothing is
//! decided here: statuses, dates, missing facts and contested readings all come from `eval`.

use super::super::{asked_actor, explain, money_text, status_words, timeline};
use crate::eval::{
    Contested, Exposure, Finding, Outcome, RoleFinding, RoleStatus, RuleRef, Status,
};
use crate::ir::*;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// A finding's status as the briefing shows it: a word and a symbol, so nothing depends on
/// colour alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tag {
    Applies,
    Pending,
    Undetermined,
    Exempt,
    NotApplicable,
}

impl Tag {
    pub const ALL: [Tag; 5] = [
        Tag::Applies,
        Tag::Pending,
        Tag::Undetermined,
        Tag::Exempt,
        Tag::NotApplicable,
    ];

    pub fn of(s: Status) -> Tag {
        match s {
            Status::Applies => Tag::Applies,
            Status::Pending => Tag::Pending,
            Status::Undetermined => Tag::Undetermined,
            Status::Exempt => Tag::Exempt,
            Status::NotApplicable => Tag::NotApplicable,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Tag::Applies => "applies",
            Tag::Pending => "pending",
            Tag::Undetermined => "undetermined",
            Tag::Exempt => "exempt",
            Tag::NotApplicable => "not applicable",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Tag::Applies => "●",
            Tag::Pending => "◐",
            Tag::Undetermined => "?",
            Tag::Exempt => "○",
            Tag::NotApplicable => "–",
        }
    }

    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Tag::Applies => "applies",
            Tag::Pending => "pending",
            Tag::Undetermined => "undetermined",
            Tag::Exempt => "exempt",
            Tag::NotApplicable => "na",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Tag::Applies => "the obligation binds now",
            Tag::Pending => "it will bind from the date shown",
            Tag::Undetermined => "facts are missing; see Open questions",
            Tag::Exempt => "an exemption relieves the actor of it",
            Tag::NotApplicable => "its conditions are not met",
        }
    }
}

pub struct Brief {
    pub title: String,
    pub scenario_id: String,
    pub description: Option<String>,
    pub as_of: Date,
    pub version: String,
    pub filter: &'static str,
    pub instruments: Vec<InstrumentLine>,
    pub readings: Vec<ReadingLine>,
    pub summary: Summary,
    pub chain: Chain,
    pub matrix: Matrix,
    pub actors: Vec<ActorSection>,
    pub timeline: Timeline,
    pub questions: Vec<QuestionGroup>,
    pub n_questions: usize,
    pub contested: ContestedSection,
    /// Per actor: (display name, the `onus explain` text).
    pub traces: Vec<(String, String)>,
    pub provisions: Vec<ProvisionGroup>,
}

pub struct InstrumentLine {
    pub short: String,
    pub jurisdiction: String,
    pub citation: String,
    pub status: String,
    pub applied: bool,
    pub hypothetical: bool,
    pub amended_by: Vec<String>,
    pub amends: Option<String>,
}

pub struct ReadingLine {
    pub question: String,
    pub citation: String,
    pub reading: String,
    pub summary: String,
    pub default: bool,
}

pub struct Summary {
    pub lines: Vec<SummaryLine>,
    pub exposure: Vec<String>,
    pub open_to: Vec<String>,
}

pub struct SummaryLine {
    pub actor: String,
    /// One sentence per instrument (or one saying there is nothing).
    pub parts: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// base model → model derived from it
    Lineage,
    /// model → system built on it
    BuiltOn,
    /// system → deployment of it
    Deployed,
}

pub struct Chain {
    pub lanes: Vec<Lane>,
    pub columns: Vec<String>,
    pub nodes: Vec<Node>,
    /// (from node, to node, kind)
    pub edges: Vec<(usize, usize, EdgeKind)>,
}

pub struct Lane {
    pub name: String,
    /// Short labels for the diagram, one line per jurisdiction: "EU: provider, gpai provider".
    pub roles: Vec<String>,
    /// Full role titles per jurisdiction: ("EU", ["provider of an AI system (Art. 3(3))"]).
    pub titles: Vec<(String, Vec<String>)>,
}

pub struct Node {
    pub lane: usize,
    pub column: usize,
    pub kind: Kind,
    pub name: String,
    pub id: String,
}

pub struct Matrix {
    pub jurisdictions: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

pub struct MatrixRow {
    pub actor: String,
    pub cells: Vec<MatrixCell>,
}

#[derive(Default)]
pub struct MatrixCell {
    pub entries: Vec<MatrixEntry>,
    pub not_applicable: usize,
}

pub struct MatrixEntry {
    pub citation: String,
    pub label: String,
    pub tag: Tag,
    /// "from 2027-08-02", "by Art. 53(2)", subject or instrument when needed.
    pub detail: Option<String>,
}

pub struct ActorSection {
    pub name: String,
    pub id: String,
    pub groups: Vec<RoleGroup>,
}

pub struct RoleGroup {
    /// "provider of a general-purpose AI model — Saule Diffuse XL (model)"
    pub heading: String,
    /// "EU AI Act (EU) · Art. 3(3) · holds"
    pub basis: String,
    pub items: Vec<ObligationItem>,
}

pub struct ObligationItem {
    pub citation: String,
    pub label: String,
    pub title: String,
    pub summary: Option<String>,
    pub tag: Tag,
    pub status: String,
    pub facts: Vec<(&'static str, String)>,
    pub reasoning: Vec<String>,
    pub notes: Vec<String>,
}

pub struct Timeline {
    pub as_of: Date,
    pub lanes: Vec<String>,
    pub events: Vec<TimelineEvent>,
}

pub struct TimelineEvent {
    pub date: Date,
    pub lane: usize,
    pub kind: timeline::EventKind,
    /// Who: the actor's name, or the instrument for status changes.
    pub who: String,
    /// What happens: "starts", "due", "ends", or the new legal status.
    pub what: String,
    pub citation: String,
    pub label: String,
    pub instrument: String,
    pub tag: Option<Tag>,
    /// Drawn on the chart: every duty, and of an instrument's status changes the one in force
    /// at the as-of date and those after it (the table lists the whole history).
    pub chart: bool,
}

pub struct QuestionGroup {
    /// The actor to ask; `None` when no actor of the scenario can answer.
    pub ask: Option<String>,
    pub items: Vec<OpenQuestion>,
}

pub struct OpenQuestion {
    pub about: String,
    pub fact: String,
    pub question: String,
    pub affects: Vec<String>,
}

pub enum ContestedSection {
    TooMany(usize),
    List {
        /// How many findings change with the reading.
        count: usize,
        groups: Vec<ContestedGroup>,
        questions: Vec<QuestionText>,
    },
}

/// One actor's findings under one instrument that turn on the same questions: a table with a
/// row per obligation and a column per combination of readings.
pub struct ContestedGroup {
    pub actor: String,
    pub instrument: String,
    /// Column heads: "counts_base: own".
    pub readings: Vec<String>,
    pub rows: Vec<ContestedRow>,
}

pub struct ContestedRow {
    pub citation: String,
    pub label: String,
    pub subject: String,
    /// One per column: the status, or `None` when the actor does not bear the obligation.
    pub outcomes: Vec<Option<Tag>>,
}

/// What a contested cell says when the obligation does not arise under that reading.
pub const DOES_NOT_ARISE: &str = "does not arise";

pub struct QuestionText {
    pub title: String,
    pub id: String,
    pub citation: String,
    pub readings: Vec<(String, String, String, bool)>,
}

pub struct ProvisionGroup {
    pub short: String,
    pub title: String,
    pub citation: String,
    pub jurisdiction: String,
    pub source: Option<String>,
    /// (citation, what it is)
    pub items: Vec<(String, String)>,
}

/// `technical_documentation` → "technical documentation".
pub fn humanise(id: &str) -> String {
    id.replace(['_', '-'], " ")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn actor_name(sc: &Scenario, a: u32) -> String {
    sc.actors
        .get(a as usize)
        .map_or_else(|| "?".to_string(), |x| x.name.clone())
}

fn entity_name(sc: &Scenario, r: EntityRef) -> String {
    sc.entity(r)
        .map_or_else(|| "?".to_string(), |x| x.name.clone())
}

fn inst_short(rs: &RuleSet, i: InstrumentId) -> String {
    rs.instrument(i)
        .map_or_else(|| "?".to_string(), |x| x.short.clone())
}

fn inst_label(rs: &RuleSet, i: InstrumentId) -> String {
    rs.instrument(i).map_or_else(
        || "?".to_string(),
        |x| format!("{} ({})", x.short, x.jurisdiction),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn role_citation(rs: &RuleSet, r: &RoleFinding) -> String {
    let role = rs.role(r.role);
    role.and_then(|x| r.route.and_then(|i| x.routes.get(i)))
        .map(|rt| rt.citation.clone())
        .or_else(|| role.map(|x| x.citation.clone()))
        .unwrap_or_default()
}

fn exposure_words(rs: &RuleSet, x: &Exposure) -> Option<String> {
    let p = rs.penalty(x.penalty)?;
    let per = p
        .per
        .as_deref()
        .map_or(String::new(), |per| format!(" per {per}"));
    Some(match x.amount {
        Some(a) => format!("up to {}{per} ({})", money_text(a, x.unit), p.citation),
        None => format!(
            "{}{per} ({}); the amount cannot be computed from the facts given",
            squash(&p.formula),
            p.citation
        ),
    })
}

fn exposed(f: &Finding) -> bool {
    matches!(
        f.status,
        Status::Applies | Status::Pending | Status::Undetermined
    )
}

impl Brief {
    pub fn new(
        rs: &RuleSet,
        sc: &Scenario,
        out: &Outcome,
        contested: Result<&[Contested], usize>,
    ) -> Brief {
        let questions = open_questions(rs, sc, out);
        let n_questions = questions.iter().map(|g| g.items.len()).sum();
        Brief {
            title: squash(&sc.title),
            scenario_id: sc.id.clone(),
            description: sc
                .description
                .as_deref()
                .map(squash)
                .filter(|d| !d.is_empty()),
            as_of: out.as_of,
            version: rs.version.clone(),
            filter: match out.status_filter {
                StatusFilter::InForce => "law in force",
                StatusFilter::Enacted => "law in force and enacted law not yet in force",
                StatusFilter::Proposed => {
                    "law in force, enacted law, and bills analysed as if enacted"
                }
            },
            instruments: instruments(rs, out),
            readings: readings(rs, out),
            summary: summary(rs, sc, out, &questions, contested),
            chain: chain(rs, sc, out),
            matrix: matrix(rs, sc, out),
            actors: actors(rs, sc, out),
            timeline: timeline_of(rs, sc, out),
            questions,
            n_questions,
            contested: contested_section(rs, sc, contested),
            traces: sc
                .actors
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    (a.name.clone(), explain::render(rs, sc, out, i, None))
                })
                .collect(),
            provisions: provisions(rs, out),
        }
    }
}

fn instruments(rs: &RuleSet, out: &Outcome) -> Vec<InstrumentLine> {
    out.instruments
        .iter()
        .filter_map(|u| {
            let i = rs.instrument(u.instrument)?;
            Some(InstrumentLine {
                short: i.short.clone(),
                jurisdiction: i.jurisdiction.clone(),
                citation: i.citation.clone(),
                status: u
                    .status
                    .map_or("no text yet at this date", status_words)
                    .to_string(),
                applied: u.counted,
                hypothetical: u.hypothetical,
                amended_by: u.amended_by.iter().map(|a| inst_short(rs, *a)).collect(),
                amends: i.amends.map(|a| inst_short(rs, a)),
            })
        })
        .collect()
}

fn readings(rs: &RuleSet, out: &Outcome) -> Vec<ReadingLine> {
    let mut seen: BTreeSet<(QuestionId, u16)> = BTreeSet::new();
    for f in &out.findings {
        seen.extend(f.readings.iter().copied());
    }
    seen.into_iter()
        .filter_map(|(q, r)| {
            let question = rs.question(q)?;
            let reading = question.readings.get(usize::from(r))?;
            Some(ReadingLine {
                question: squash(&question.title),
                citation: question.citation.clone(),
                reading: reading.id.clone(),
                summary: squash(&reading.summary),
                default: r == question.default,
            })
        })
        .collect()
}

/// "Art. 53(1)(c), Art. 53(1)(d)"
fn citations<'a>(rs: &RuleSet, fs: impl Iterator<Item = &'a Finding>) -> String {
    let mut v: Vec<String> = Vec::new();
    for f in fs {
        if let Some(o) = rs.obligation(f.obligation) {
            if !v.contains(&o.citation) {
                v.push(o.citation.clone());
            }
        }
    }
    // The summary stays short: the per-actor section lists every provision.
    const SHOWN: usize = 5;
    if v.len() > SHOWN + 1 {
        let rest = v.len() - SHOWN;
        v.truncate(SHOWN);
        format!("{} and {rest} more", v.join(", "))
    } else {
        v.join(", ")
    }
}

fn summary(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    questions: &[QuestionGroup],
    contested: Result<&[Contested], usize>,
) -> Summary {
    let mut lines = Vec::new();
    for (ai, actor) in sc.actors.iter().enumerate() {
        let ai = u32::try_from(ai).unwrap_or(u32::MAX);
        let mut parts = Vec::new();
        let mut insts: Vec<InstrumentId> = Vec::new();
        for r in out.roles.iter().filter(|r| r.actor == ai) {
            if !insts.contains(&r.instrument) {
                insts.push(r.instrument);
            }
        }
        for inst in insts {
            let roles: Vec<&RoleFinding> = out
                .roles
                .iter()
                .filter(|r| r.actor == ai && r.instrument == inst)
                .collect();
            let mut as_roles: Vec<String> = Vec::new();
            let mut displaced: Vec<String> = Vec::new();
            for r in &roles {
                let title = rs.role(r.role).map_or("?", |x| x.title.as_str());
                match r.status {
                    RoleStatus::Holds | RoleStatus::Undetermined => {
                        let t = if r.status == RoleStatus::Undetermined {
                            format!("possibly {title}")
                        } else {
                            title.to_string()
                        };
                        if !as_roles.contains(&t) {
                            as_roles.push(t);
                        }
                    }
                    RoleStatus::Displaced => {
                        let by: Vec<String> =
                            r.displaced_by.iter().map(|b| actor_name(sc, *b)).collect();
                        displaced.push(format!(
                            "would be {title} but {} takes that role ({})",
                            by.join(", "),
                            role_citation(rs, r)
                        ));
                    }
                }
            }
            let fs: Vec<&Finding> = out
                .findings
                .iter()
                .filter(|f| f.actor == ai && f.instrument == inst)
                .collect();
            let mut bits: Vec<String> = Vec::new();
            let applies: Vec<&Finding> = fs
                .iter()
                .copied()
                .filter(|f| f.status == Status::Applies)
                .collect();
            if !applies.is_empty() {
                let since = applies.iter().filter_map(|f| f.applies_from).min();
                bits.push(format!(
                    "must comply with {} now ({}){}",
                    plural(applies.len(), "obligation", "obligations"),
                    citations(rs, applies.iter().copied()),
                    since.map_or(String::new(), |d| format!(", binding since {d}"))
                ));
            }
            let mut pending: BTreeMap<Option<Date>, Vec<&Finding>> = BTreeMap::new();
            for f in fs.iter().copied().filter(|f| f.status == Status::Pending) {
                pending.entry(f.applies_from).or_default().push(f);
            }
            for (d, list) in &pending {
                bits.push(format!(
                    "{} from {} ({})",
                    plural(list.len(), "more obligation", "more obligations"),
                    d.map_or("a date that depends on missing facts".to_string(), |d| d
                        .to_string()),
                    citations(rs, list.iter().copied())
                ));
            }
            let deadlines: Vec<String> = fs
                .iter()
                .filter(|f| matches!(f.status, Status::Applies | Status::Pending))
                .filter_map(|f| {
                    let d = f.deadline?;
                    let o = rs.obligation(f.obligation)?;
                    Some(format!("{} due by {d}", o.citation))
                })
                .collect();
            if !deadlines.is_empty() {
                bits.push(deadlines.join(", "));
            }
            let und: Vec<&Finding> = fs
                .iter()
                .copied()
                .filter(|f| f.status == Status::Undetermined)
                .collect();
            if !und.is_empty() {
                bits.push(format!(
                    "{} undetermined until open questions are answered ({})",
                    plural(und.len(), "obligation", "obligations"),
                    citations(rs, und.iter().copied())
                ));
            }
            let mut exempt: BTreeMap<ExemptionId, Vec<&Finding>> = BTreeMap::new();
            for f in fs.iter().copied().filter(|f| f.status == Status::Exempt) {
                if let Some(x) = f.exempted_by {
                    exempt.entry(x).or_default().push(f);
                }
            }
            for (x, list) in &exempt {
                bits.push(format!(
                    "exempt from {} under {}",
                    citations(rs, list.iter().copied()),
                    rs.exemption(*x).map_or("?", |x| x.citation.as_str())
                ));
            }
            let na = fs
                .iter()
                .filter(|f| f.status == Status::NotApplicable)
                .count();
            if bits.is_empty() && na > 0 {
                bits.push(format!(
                    "no obligation binds it ({} assessed, none applicable)",
                    na
                ));
            }
            bits.extend(displaced);
            let role_words = if as_roles.is_empty() {
                String::new()
            } else {
                format!(", as {}", as_roles.join(" and "))
            };
            parts.push(format!(
                "{}{role_words}: {}.",
                inst_label(rs, inst),
                bits.join("; ")
            ));
        }
        if parts.is_empty() {
            parts.push("no role and no obligation under the instruments applied.".to_string());
        }
        let n_contested = contested.map_or(0, |l| l.iter().filter(|c| c.actor == ai).count());
        if n_contested > 0 {
            parts.push(format!(
                "Under another reading of an unsettled question, {} would differ (section 7).",
                plural(n_contested, "finding", "findings")
            ));
        }
        lines.push(SummaryLine {
            actor: actor.name.clone(),
            parts,
        });
    }

    // The biggest exposure per currency, among obligations that bind or may bind.
    let mut best: BTreeMap<&'static str, (f64, &Finding)> = BTreeMap::new();
    let mut formulas: Vec<String> = Vec::new();
    for f in out.findings.iter().filter(|f| exposed(f)) {
        let Some(x) = &f.exposure else { continue };
        match x.amount {
            Some(a) => {
                let e = best.entry(x.unit.name()).or_insert((a, f));
                if a > e.0 {
                    *e = (a, f);
                }
            }
            None => {
                if let Some(p) = rs.penalty(x.penalty) {
                    let t = format!("{} ({})", squash(&p.formula), p.citation);
                    if !formulas.contains(&t) {
                        formulas.push(t);
                    }
                }
            }
        }
    }
    let mut exposure = Vec::new();
    for (_, f) in best.values() {
        let Some(x) = &f.exposure else { continue };
        let Some(words) = exposure_words(rs, x) else {
            continue;
        };
        let ob = rs.obligation(f.obligation);
        exposure.push(format!(
            "Largest exposure: {words}, for {} under {} {} ({}).",
            actor_name(sc, f.actor),
            ob.map_or("", |o| o.citation.as_str()),
            ob.map_or(String::new(), |o| humanise(&o.id)),
            inst_short(rs, f.instrument)
        ));
    }
    match (exposure.is_empty(), formulas.as_slice()) {
        (_, []) => {}
        (true, [one]) => exposure.push(format!(
            "The penalty cannot be computed from the facts given: {one}."
        )),
        (true, many) => exposure.push(format!(
            "{} penalty provisions apply; none can be computed from the facts given (see the obligations in section 4).",
            many.len()
        )),
        (false, many) => exposure.push(format!(
            "{} cannot be computed from the facts given (see section 4).",
            plural(many.len(), "further penalty provision", "further penalty provisions")
        )),
    }
    if exposure.is_empty() {
        exposure
            .push("No penalty is modelled for the obligations that bind or may bind.".to_string());
    }
    let open_to = questions
        .iter()
        .map(|g| {
            format!(
                "{} for {}",
                plural(g.items.len(), "question", "questions"),
                g.ask.as_deref().unwrap_or("no actor of the scenario")
            )
        })
        .collect();
    Summary {
        lines,
        exposure,
        open_to,
    }
}

fn chain(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Chain {
    let lanes: Vec<Lane> = sc
        .actors
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            let ai = u32::try_from(ai).unwrap_or(u32::MAX);
            let mut short: Vec<(String, Vec<String>)> = Vec::new();
            let mut titles: Vec<(String, Vec<String>)> = Vec::new();
            for r in out.roles.iter().filter(|r| r.actor == ai) {
                let j = rs
                    .instrument(r.instrument)
                    .map_or("?", |i| i.jurisdiction.as_str());
                let role = rs.role(r.role);
                let suffix = match r.status {
                    RoleStatus::Holds => "",
                    RoleStatus::Undetermined => " (undetermined)",
                    RoleStatus::Displaced => " (displaced)",
                };
                let s = format!(
                    "{}{suffix}",
                    role.map_or_else(|| "?".to_string(), |x| humanise(&x.id))
                );
                let t = format!(
                    "{} ({}){suffix}",
                    role.map_or("?", |x| x.title.as_str()),
                    role_citation(rs, r)
                );
                for (list, item) in [(&mut short, s), (&mut titles, t)] {
                    match list.iter_mut().find(|(k, _)| k == j) {
                        Some((_, v)) => {
                            if !v.contains(&item) {
                                v.push(item);
                            }
                        }
                        None => list.push((j.to_string(), vec![item])),
                    }
                }
            }
            Lane {
                name: a.name.clone(),
                roles: short
                    .iter()
                    .map(|(j, v)| format!("{j}: {}", v.join(", ")))
                    .collect(),
                titles,
            }
        })
        .collect();
    // Lineage depth of each model, following `base` (bounded: lineage cycles are rejected
    // when the scenario is resolved, but a bound costs nothing).
    let depth: Vec<usize> = (0..sc.models.len())
        .map(|m| {
            let mut d = 0;
            let mut cur = m;
            while let Some(Some(b)) = sc.model_base.get(cur) {
                d += 1;
                cur = *b as usize;
                if d > sc.models.len() {
                    break;
                }
            }
            d
        })
        .collect();
    let mut columns = Vec::new();
    let max_depth = depth.iter().copied().max();
    if let Some(max_depth) = max_depth {
        for d in 0..=max_depth {
            columns.push(match d {
                0 => "Models".to_string(),
                1 => "Derived models".to_string(),
                n => format!("Derived models ({})", n + 1),
            });
        }
    }
    let sys_col = columns.len();
    if !sc.systems.is_empty() {
        columns.push("Systems".to_string());
    }
    let dep_col = columns.len();
    if !sc.deployments.is_empty() {
        columns.push("Deployments".to_string());
    }
    let mut nodes = Vec::new();
    let mut model_node = Vec::new();
    for (i, m) in sc.models.iter().enumerate() {
        model_node.push(nodes.len());
        nodes.push(Node {
            lane: sc.model_creator.get(i).copied().unwrap_or(0) as usize,
            column: depth.get(i).copied().unwrap_or(0),
            kind: Kind::Model,
            name: m.name.clone(),
            id: m.id.clone(),
        });
    }
    let mut system_node = Vec::new();
    for (i, s) in sc.systems.iter().enumerate() {
        system_node.push(nodes.len());
        nodes.push(Node {
            lane: sc.system_provider.get(i).copied().unwrap_or(0) as usize,
            column: sys_col,
            kind: Kind::System,
            name: s.name.clone(),
            id: s.id.clone(),
        });
    }
    let mut deployment_node = Vec::new();
    for (i, d) in sc.deployments.iter().enumerate() {
        deployment_node.push(nodes.len());
        nodes.push(Node {
            lane: sc.deployment_deployer.get(i).copied().unwrap_or(0) as usize,
            column: dep_col,
            kind: Kind::Deployment,
            name: d.name.clone(),
            id: d.id.clone(),
        });
    }
    let mut edges = Vec::new();
    for (i, b) in sc.model_base.iter().enumerate() {
        if let (Some(b), Some(to)) = (b, model_node.get(i)) {
            if let Some(from) = model_node.get(*b as usize) {
                edges.push((*from, *to, EdgeKind::Lineage));
            }
        }
    }
    for (i, m) in sc.system_model.iter().enumerate() {
        if let (Some(m), Some(to)) = (m, system_node.get(i)) {
            if let Some(from) = model_node.get(*m as usize) {
                edges.push((*from, *to, EdgeKind::BuiltOn));
            }
        }
    }
    for (i, s) in sc.deployment_system.iter().enumerate() {
        if let (Some(from), Some(to)) = (system_node.get(*s as usize), deployment_node.get(i)) {
            edges.push((*from, *to, EdgeKind::Deployed));
        }
    }
    Chain {
        lanes,
        columns,
        nodes,
        edges,
    }
}

fn matrix(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Matrix {
    let mut jurisdictions: Vec<String> = Vec::new();
    for u in out.instruments.iter().filter(|u| u.counted) {
        if let Some(i) = rs.instrument(u.instrument) {
            if i.amends.is_none() && !jurisdictions.contains(&i.jurisdiction) {
                jurisdictions.push(i.jurisdiction.clone());
            }
        }
    }
    for f in &out.findings {
        if let Some(i) = rs.instrument(f.instrument) {
            if !jurisdictions.contains(&i.jurisdiction) {
                jurisdictions.push(i.jurisdiction.clone());
            }
        }
    }
    // Name the instrument in a cell only when a jurisdiction has several with findings.
    let mut per_j: BTreeMap<&str, BTreeSet<InstrumentId>> = BTreeMap::new();
    for f in &out.findings {
        if let Some(i) = rs.instrument(f.instrument) {
            per_j
                .entry(i.jurisdiction.as_str())
                .or_default()
                .insert(f.instrument);
        }
    }
    let rows = sc
        .actors
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            let ai = u32::try_from(ai).unwrap_or(u32::MAX);
            let fs: Vec<&Finding> = out.findings.iter().filter(|f| f.actor == ai).collect();
            let subjects: BTreeSet<EntityRef> = fs.iter().map(|f| f.subject).collect();
            let cells = jurisdictions
                .iter()
                .map(|j| {
                    let mut cell = MatrixCell::default();
                    let many = per_j.get(j.as_str()).is_some_and(|s| s.len() > 1);
                    for f in fs.iter().filter(|f| {
                        rs.instrument(f.instrument)
                            .is_some_and(|i| &i.jurisdiction == j)
                    }) {
                        if f.status == Status::NotApplicable {
                            cell.not_applicable += 1;
                            continue;
                        }
                        let Some(o) = rs.obligation(f.obligation) else {
                            continue;
                        };
                        let mut detail = Vec::new();
                        match f.status {
                            Status::Pending => {
                                if let Some(d) = f.applies_from {
                                    detail.push(format!("from {d}"));
                                }
                            }
                            Status::Exempt => {
                                if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
                                    detail.push(format!("by {}", x.citation));
                                }
                            }
                            _ => {}
                        }
                        if let Some(d) = f.deadline {
                            if matches!(f.status, Status::Applies | Status::Pending) {
                                detail.push(format!("due {d}"));
                            }
                        }
                        if subjects.len() > 1 {
                            detail.push(entity_name(sc, f.subject));
                        }
                        if many {
                            detail.push(inst_short(rs, f.instrument));
                        }
                        if f.hypothetical {
                            detail.push("hypothetical".to_string());
                        }
                        cell.entries.push(MatrixEntry {
                            citation: o.citation.clone(),
                            label: humanise(&o.id),
                            tag: Tag::of(f.status),
                            detail: (!detail.is_empty()).then(|| detail.join(", ")),
                        });
                    }
                    cell
                })
                .collect();
            MatrixRow {
                actor: a.name.clone(),
                cells,
            }
        })
        .collect();
    Matrix {
        jurisdictions,
        rows,
    }
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// The reasoning of one finding in sentences, from its trace.
fn reasoning(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    r: &RoleFinding,
    f: &Finding,
) -> Vec<String> {
    let mut v = Vec::new();
    let actor = actor_name(sc, f.actor);
    let role = rs.role(r.role).map_or("?", |x| x.title.as_str());
    let subject = format!("{} {}", r.subject.kind, entity_name(sc, r.subject));
    let cite = role_citation(rs, r);
    v.push(match r.status {
        RoleStatus::Holds => format!("{actor} acts as {role} for {subject} ({cite})."),
        _ => format!(
            "Whether {actor} acts as {role} for {subject} ({cite}) cannot be decided from the facts given."
        ),
    });
    for st in &f.trace {
        let s = match st.rule {
            RuleRef::Condition(o) => {
                let c = rs.obligation(o).map_or("?", |x| x.citation.as_str());
                match truth(&st.result) {
                    Some(true) => format!("The conditions of {c} are met."),
                    Some(false) => format!("The conditions of {c} are not met."),
                    None => format!(
                        "Whether the conditions of {c} are met cannot be decided from the facts given."
                    ),
                }
            }
            RuleRef::Exemption(x) => {
                let Some(x) = rs.exemption(x) else { continue };
                let head = format!("Exemption under {} ({})", x.citation, squash(&x.title));
                match truth(&st.result) {
                    Some(true) => format!("{head}: its conditions are met."),
                    Some(false) => format!("{head}: its conditions are not met."),
                    None => format!("{head}: cannot be decided from the facts given."),
                }
            }
            RuleRef::Exception(x, i) => {
                let Some(e) = rs.exemption(x).and_then(|x| x.exceptions.get(i)) else {
                    continue;
                };
                let title = e
                    .title
                    .as_deref()
                    .map_or(String::new(), |t| format!(" ({})", squash(t)));
                let head = format!("Exception under {}{title}", e.citation);
                match truth(&st.result) {
                    Some(true) => format!("{head}: it applies, so the exemption does not."),
                    Some(false) => format!("{head}: it does not apply."),
                    None => format!("{head}: cannot be decided from the facts given."),
                }
            }
            RuleRef::From(o) => {
                let c = rs.obligation(o).map_or("?", |x| x.citation.as_str());
                match &st.result {
                    Value::Date(d) if *d <= out.as_of => format!("It applies from {d} ({c})."),
                    Value::Date(d) => format!("It will apply from {d} ({c})."),
                    _ => format!("Its start date ({c}) depends on facts not given."),
                }
            }
            RuleRef::Until(o) => {
                let c = rs.obligation(o).map_or("?", |x| x.citation.as_str());
                match &st.result {
                    Value::Date(d) if *d <= out.as_of => {
                        format!("It ceased to apply on {d} ({c}).")
                    }
                    Value::Date(d) => format!("It applies until {d} ({c})."),
                    _ => format!("Its end date ({c}) depends on facts not given."),
                }
            }
            RuleRef::Deadline(o) => {
                let c = rs.obligation(o).map_or("?", |x| x.citation.as_str());
                match &st.result {
                    Value::Date(d) => format!("It must be performed by {d} ({c})."),
                    _ if f.status == Status::NotApplicable => continue,
                    _ => format!("Its deadline ({c}) depends on facts not given."),
                }
            }
            RuleRef::Route(..) | RuleRef::Displaced(..) => continue,
        };
        v.push(s);
    }
    if f.status == Status::Undetermined && !f.missing.is_empty() {
        v.push(format!(
            "{} would decide it (see Open questions).",
            if f.missing.len() == 1 {
                "One missing fact".to_string()
            } else {
                format!("{} missing facts", f.missing.len())
            }
        ));
    }
    v
}

fn actors(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Vec<ActorSection> {
    sc.actors
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            let ai = u32::try_from(ai).unwrap_or(u32::MAX);
            let groups = out
                .roles
                .iter()
                .filter(|r| r.actor == ai)
                .map(|r| role_group(rs, sc, out, r))
                .collect();
            ActorSection {
                name: a.name.clone(),
                id: a.id.clone(),
                groups,
            }
        })
        .collect()
}

fn role_group(rs: &RuleSet, sc: &Scenario, out: &Outcome, r: &RoleFinding) -> RoleGroup {
    let role = rs.role(r.role);
    let status = match r.status {
        RoleStatus::Holds => "role holds".to_string(),
        RoleStatus::Undetermined => "role undetermined: facts are missing".to_string(),
        RoleStatus::Displaced => format!(
            "displaced: {} takes the role, so these obligations are not this actor's",
            r.displaced_by
                .iter()
                .map(|b| actor_name(sc, *b))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let items = out
        .findings
        .iter()
        .filter(|f| f.actor == r.actor && f.role == r.role && f.subject == r.subject)
        .filter(|f| f.instrument == r.instrument)
        .filter_map(|f| obligation_item(rs, sc, out, r, f))
        .collect();
    RoleGroup {
        heading: format!(
            "{} — {} ({})",
            role.map_or("?", |x| x.title.as_str()),
            entity_name(sc, r.subject),
            r.subject.kind
        ),
        basis: format!(
            "{} · {} · {status}",
            inst_label(rs, r.instrument),
            role_citation(rs, r)
        ),
        items,
    }
}

fn obligation_item(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    r: &RoleFinding,
    f: &Finding,
) -> Option<ObligationItem> {
    let o = rs.obligation(f.obligation)?;
    let status = match f.status {
        Status::Applies => match f.applies_from {
            Some(d) => format!("applies, binding since {d}"),
            None => "applies".to_string(),
        },
        Status::Pending => match f.applies_from {
            Some(d) => format!("pending: applies from {d}"),
            None => "pending: its start date depends on missing facts".to_string(),
        },
        Status::Exempt => match f.exempted_by.and_then(|x| rs.exemption(x)) {
            Some(x) => format!("exempt under {}", x.citation),
            None => "exempt".to_string(),
        },
        Status::NotApplicable => match f.until {
            Some(u) if u <= out.as_of => format!("not applicable: ceased on {u}"),
            _ if f.trace.iter().any(|st| {
                matches!(st.rule, RuleRef::Condition(_)) && truth(&st.result) == Some(false)
            }) =>
            {
                "not applicable: its conditions are not met".to_string()
            }
            _ => "not applicable".to_string(),
        },
        Status::Undetermined => format!(
            "undetermined: {} would decide it",
            plural(f.missing.len(), "missing fact", "missing facts")
        ),
    };
    let mut facts: Vec<(&'static str, String)> = Vec::new();
    if let Some(d) = f.applies_from {
        facts.push(("Applies from", d.to_string()));
    }
    if let Some(d) = f.deadline {
        facts.push(("Deadline", d.to_string()));
    }
    if let Some(d) = f.until {
        facts.push(("Until", d.to_string()));
    }
    if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
        facts.push((
            "Exemption",
            format!("{} — {}", x.citation, squash(&x.title)),
        ));
    }
    if exposed(f) {
        if let Some(x) = f.exposure.as_ref().and_then(|x| exposure_words(rs, x)) {
            facts.push(("Penalty exposure", x));
        }
    }
    for (q, ri) in &f.readings {
        let Some(question) = rs.question(*q) else {
            continue;
        };
        let Some(reading) = question.readings.get(usize::from(*ri)) else {
            continue;
        };
        facts.push((
            "Reading applied",
            format!(
                "{}{} ({}: {})",
                reading.id,
                if *ri == question.default {
                    " (default)"
                } else {
                    ""
                },
                question.citation,
                squash(&question.title)
            ),
        ));
    }
    if !f.text_version.is_empty() {
        facts.push((
            "Text",
            format!(
                "as amended by {}",
                f.text_version
                    .iter()
                    .map(|a| inst_short(rs, *a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if f.hypothetical {
        facts.push((
            "Hypothetical",
            "from a text that is not law, analysed as if enacted".to_string(),
        ));
    }
    let mut notes = Vec::new();
    if let Some(n) = &o.note {
        notes.push(crate::report::reader_note(n));
    }
    if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
        if let Some(n) = &x.note {
            notes.push(format!(
                "On the exemption: {}",
                crate::report::reader_note(n)
            ));
        }
    }
    Some(ObligationItem {
        citation: o.citation.clone(),
        label: humanise(&o.id),
        title: squash(&o.title),
        summary: o.summary.as_deref().map(squash),
        tag: Tag::of(f.status),
        status,
        facts,
        reasoning: reasoning(rs, sc, out, r, f),
        notes,
    })
}

fn timeline_of(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Timeline {
    let evs = timeline::events(rs, sc, out);
    // One lane per instrument (its status changes), then one per actor with dated duties.
    let mut lanes: Vec<String> = Vec::new();
    let mut inst_lane: BTreeMap<InstrumentId, usize> = BTreeMap::new();
    for u in &out.instruments {
        if evs
            .iter()
            .any(|e| e.actor.is_none() && e.instrument == u.instrument)
        {
            inst_lane.insert(u.instrument, lanes.len());
            lanes.push(inst_short(rs, u.instrument));
        }
    }
    let mut actor_lane: BTreeMap<u32, usize> = BTreeMap::new();
    for e in &evs {
        if let Some(a) = e.actor {
            actor_lane.entry(a).or_insert(0);
        }
    }
    for (a, lane) in &mut actor_lane {
        *lane = lanes.len();
        lanes.push(actor_name(sc, *a));
    }
    // Name the subject only for actors with several, the instrument only when several
    // instruments have dated duties.
    let mut subjects: BTreeMap<u32, BTreeSet<EntityRef>> = BTreeMap::new();
    let mut duty_insts: BTreeSet<InstrumentId> = BTreeSet::new();
    for e in &evs {
        if let (Some(a), Some(sub)) = (e.actor, e.subject) {
            subjects.entry(a).or_default().insert(sub);
            duty_insts.insert(e.instrument);
        }
    }
    let many_insts = duty_insts.len() > 1;
    // The status of each instrument at the as-of date started on this date.
    let mut current: BTreeMap<InstrumentId, Date> = BTreeMap::new();
    for e in evs
        .iter()
        .filter(|e| e.actor.is_none() && e.date <= out.as_of)
    {
        let d = current.entry(e.instrument).or_insert(e.date);
        *d = (*d).max(e.date);
    }
    let events = evs
        .iter()
        .map(|e| {
            let ob = e.obligation.and_then(|o| rs.obligation(o));
            let short = inst_short(rs, e.instrument);
            match e.kind {
                timeline::EventKind::Status => TimelineEvent {
                    date: e.date,
                    lane: inst_lane.get(&e.instrument).copied().unwrap_or(0),
                    kind: e.kind,
                    who: short.clone(),
                    what: e.legal_status.map_or("", status_words).to_string(),
                    citation: String::new(),
                    label: String::new(),
                    instrument: short,
                    tag: None,
                    chart: current.get(&e.instrument).is_none_or(|d| e.date >= *d),
                },
                _ => TimelineEvent {
                    date: e.date,
                    lane: e
                        .actor
                        .and_then(|a| actor_lane.get(&a).copied())
                        .unwrap_or(0),
                    kind: e.kind,
                    who: e.actor.map_or(String::new(), |a| actor_name(sc, a)),
                    what: match e.kind {
                        timeline::EventKind::Starts => "starts",
                        timeline::EventKind::Deadline => "due",
                        _ => "ends",
                    }
                    .to_string(),
                    citation: ob.map_or(String::new(), |o| o.citation.clone()),
                    label: format!(
                        "{}{}",
                        ob.map_or(String::new(), |o| humanise(&o.id)),
                        e.subject
                            .filter(|_| {
                                e.actor
                                    .and_then(|a| subjects.get(&a))
                                    .is_some_and(|x| x.len() > 1)
                            })
                            .map_or(String::new(), |s| format!(" — {}", entity_name(sc, s)))
                    ),
                    instrument: if many_insts { short } else { String::new() },
                    tag: e.status.map(Tag::of),
                    chart: true,
                },
            }
        })
        .collect();
    Timeline {
        as_of: out.as_of,
        lanes,
        events,
    }
}

fn open_questions(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Vec<QuestionGroup> {
    let mut affects: BTreeMap<crate::eval::FactRef, Vec<String>> = BTreeMap::new();
    for r in &out.roles {
        for m in &r.missing {
            let role = rs.role(r.role).map_or("?", |x| x.title.as_str());
            let t = format!(
                "{}: whether it is {role} for {} ({})",
                actor_name(sc, r.actor),
                entity_name(sc, r.subject),
                role_citation(rs, r)
            );
            let v = affects.entry(*m).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        }
    }
    for f in &out.findings {
        for m in &f.missing {
            let Some(o) = rs.obligation(f.obligation) else {
                continue;
            };
            let t = format!(
                "{}: {} {} ({})",
                actor_name(sc, f.actor),
                o.citation,
                humanise(&o.id),
                entity_name(sc, f.subject)
            );
            let v = affects.entry(*m).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        }
    }
    let mut groups: BTreeMap<Option<usize>, Vec<OpenQuestion>> = BTreeMap::new();
    for (m, list) in affects {
        let ask = asked_actor(rs, sc, m).and_then(|id| sc.actors.iter().position(|a| a.id == id));
        let def = rs.fact(m.fact);
        groups.entry(ask).or_default().push(OpenQuestion {
            about: format!("{} {}", m.entity.kind, entity_name(sc, m.entity)),
            fact: def.map_or_else(|| "?".to_string(), |d| d.id.clone()),
            question: def.map_or_else(String::new, |d| squash(&d.question)),
            affects: list,
        });
    }
    // Actors in scenario order; questions nobody in the chain can answer last.
    let mut v: Vec<QuestionGroup> = groups
        .iter_mut()
        .filter(|(k, _)| k.is_some())
        .map(|(k, items)| QuestionGroup {
            ask: k.and_then(|a| sc.actors.get(a)).map(|a| a.name.clone()),
            items: std::mem::take(items),
        })
        .collect();
    if let Some(items) = groups.remove(&None) {
        v.push(QuestionGroup { ask: None, items });
    }
    v
}

fn contested_section(
    rs: &RuleSet,
    sc: &Scenario,
    contested: Result<&[Contested], usize>,
) -> ContestedSection {
    let list = match contested {
        Ok(l) => l,
        Err(n) => return ContestedSection::TooMany(n),
    };
    let mut qs: Vec<QuestionId> = Vec::new();
    let mut groups: Vec<ContestedGroup> = Vec::new();
    // (actor, instrument, the combinations of readings): one table each.
    type Key = (u32, InstrumentId, Vec<Vec<(QuestionId, u16)>>);
    let mut keys: Vec<Key> = Vec::new();
    for c in list {
        for (choice, _) in &c.outcomes {
            for (q, _) in choice {
                if !qs.contains(q) {
                    qs.push(*q);
                }
            }
        }
        let choices: Vec<Vec<(QuestionId, u16)>> =
            c.outcomes.iter().map(|(ch, _)| ch.clone()).collect();
        let key = (c.actor, c.instrument, choices);
        let gi = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let readings = key
                    .2
                    .iter()
                    .map(|choice| {
                        choice
                            .iter()
                            .filter_map(|(q, r)| {
                                let question = rs.question(*q)?;
                                let reading = question.readings.get(usize::from(*r))?;
                                Some(format!("{}: {}", question.id, reading.id))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect();
                keys.push(key);
                groups.push(ContestedGroup {
                    actor: actor_name(sc, c.actor),
                    instrument: inst_label(rs, c.instrument),
                    readings,
                    rows: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let ob = rs.obligation(c.obligation);
        if let Some(g) = groups.get_mut(gi) {
            g.rows.push(ContestedRow {
                citation: ob.map_or_else(String::new, |o| o.citation.clone()),
                label: ob.map_or_else(String::new, |o| humanise(&o.id)),
                subject: format!("{} {}", c.subject.kind, entity_name(sc, c.subject)),
                outcomes: c.outcomes.iter().map(|(_, st)| st.map(Tag::of)).collect(),
            });
        }
    }
    let questions = qs
        .iter()
        .filter_map(|q| rs.question(*q))
        .map(|q| QuestionText {
            title: squash(&q.title),
            id: q.id.clone(),
            citation: q.citation.clone(),
            readings: q
                .readings
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        r.id.clone(),
                        squash(&r.summary),
                        squash(&r.source),
                        usize::from(q.default) == i,
                    )
                })
                .collect(),
        })
        .collect();
    ContestedSection::List {
        count: list.len(),
        groups,
        questions,
    }
}

/// Natural order for citations: `Art. 3(3)` before `Art. 25(1)` before `Art. 101(1)`.
fn natural_key(s: &str) -> Vec<(u8, u64, String)> {
    let mut v = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                v.push((1, 0, std::mem::take(&mut text)));
            }
            num.push(c);
        } else {
            if !num.is_empty() {
                v.push((0, num.parse().unwrap_or(u64::MAX), std::mem::take(&mut num)));
            }
            text.push(c);
        }
    }
    if !text.is_empty() {
        v.push((1, 0, text));
    }
    if !num.is_empty() {
        v.push((0, num.parse().unwrap_or(u64::MAX), num));
    }
    v
}

fn provisions(rs: &RuleSet, out: &Outcome) -> Vec<ProvisionGroup> {
    let mut by_inst: BTreeMap<InstrumentId, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut add = |inst: InstrumentId, citation: &str, what: String| {
        if !citation.is_empty() {
            by_inst
                .entry(inst)
                .or_default()
                .insert((citation.to_string(), what));
        }
    };
    let mut steps: Vec<&crate::eval::Step> = Vec::new();
    for r in &out.roles {
        steps.extend(&r.trace);
    }
    for f in &out.findings {
        steps.extend(&f.trace);
        if let Some(o) = rs.obligation(f.obligation) {
            add(
                o.instrument,
                &o.citation,
                format!("obligation: {}", squash(&o.title)),
            );
        }
        if exposed(f) {
            if let Some(p) = f.exposure.as_ref().and_then(|x| rs.penalty(x.penalty)) {
                add(
                    p.instrument,
                    &p.citation,
                    format!(
                        "penalty: {}",
                        squash(p.title.as_deref().unwrap_or(&p.formula))
                    ),
                );
            }
        }
        for (q, _) in &f.readings {
            if let Some(q) = rs.question(*q) {
                add(
                    q.instrument,
                    &q.citation,
                    format!("open question: {}", squash(&q.title)),
                );
            }
        }
    }
    for st in steps {
        match st.rule {
            RuleRef::Route(role, i) => {
                if let Some(ro) = rs.role(role) {
                    let route = ro.routes.get(i);
                    let cite = route.map_or(ro.citation.as_str(), |r| r.citation.as_str());
                    let title = route.and_then(|r| r.title.as_deref()).unwrap_or(&ro.title);
                    add(ro.instrument, cite, format!("role: {}", squash(title)));
                }
            }
            RuleRef::Exemption(x) => {
                if let Some(x) = rs.exemption(x) {
                    add(
                        x.instrument,
                        &x.citation,
                        format!("exemption: {}", squash(&x.title)),
                    );
                }
            }
            RuleRef::Exception(x, i) => {
                if let Some(ex) = rs.exemption(x) {
                    if let Some(e) = ex.exceptions.get(i) {
                        add(
                            ex.instrument,
                            &e.citation,
                            format!(
                                "exception: {}",
                                squash(e.title.as_deref().unwrap_or(&humanise(&e.id)))
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
        for d in &st.defs {
            if let Some(def) = rs.def(d.def) {
                add(
                    def.instrument,
                    &def.citation,
                    format!(
                        "definition: {}",
                        squash(def.title.as_deref().unwrap_or(&humanise(&def.id)))
                    ),
                );
            }
        }
    }
    let mut order: Vec<InstrumentId> = out.instruments.iter().map(|u| u.instrument).collect();
    for k in by_inst.keys() {
        if !order.contains(k) {
            order.push(*k);
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let items = by_inst.remove(&id)?;
            let i = rs.instrument(id)?;
            let mut items: Vec<(String, String)> = items.into_iter().collect();
            items.sort_by(|a, b| {
                natural_key(&a.0)
                    .cmp(&natural_key(&b.0))
                    .then_with(|| a.1.cmp(&b.1))
            });
            Some(ProvisionGroup {
                short: i.short.clone(),
                title: squash(&i.title),
                citation: i.citation.clone(),
                jurisdiction: i.jurisdiction.clone(),
                source: i.source.clone(),
                items,
            })
        })
        .collect()
}
