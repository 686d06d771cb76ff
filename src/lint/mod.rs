//! Whole-rule-set analysis: `onus lint`.
//!
//! [`cheap`] checks the decision graph without evaluating anything: facts, definitions,
//! questions and penalties nothing reads, roles whose every route is constantly false,
//! obligations whose condition is, exemptions that constantly hold.
//!
//! [`deep`] explores each instrument's fact space exhaustively over a finite partition
//! ([`partition`]: numbers split at the thresholds the rules compare them with, dates at the
//! dates, enums by the classes of values the rules tell apart, bools both ways, unknown too),
//! pruned to each rule's cone of influence in the graph, on small synthetic chains
//! ([`chain`]), evaluating every node with `eval::evaluate` ([`explore`]). It reports rules and
//! obligations that can never apply, exemptions that apply whenever their obligation would,
//! exemptions that never exempt, roles no actor can hold, findings that change with a reading
//! (the contested surface) and questions whose reading changes nothing, and a high-risk system
//! in scope with no provider. Each report of something that happens carries a witness: a
//! scenario file whose `[[expect]]` entries (or, for a contested finding, `--all-readings`)
//! reproduce it through `onus run`; [`verify`] checks that they do.
//!
//! Every conclusion comes from `eval::evaluate`; the analysis only chooses which scenarios to
//! evaluate. A report a rule file intends is marked in the rule's `note` with
//! `[lint: <kind>]` (e.g. `[lint: never-applies]`): it is still listed, as explained.

pub mod chain;
mod cheap;
mod deep;
mod explore;
mod index;
mod partition;
#[doc(hidden)]
pub mod slice;

pub use cheap::cheap;
pub use deep::{DeepOptions, DeepStats, deep, probe_rules};
pub use partition::MAX_SUBSET_ELEMENTS;

use crate::eval::{self, Options};
use crate::graph::Node;
use crate::ir::*;
use crate::source::{Sources, Span};

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    FactNeverRead,
    DefinitionNeverRead,
    QuestionNeverRead,
    PenaltyNeverUsed,
    RouteNeverTrue,
    ConditionNeverTrue,
    ExemptionAlwaysHolds,
    RoleNeverHeld,
    NeverApplies,
    Swallowed,
    ExemptionNeverExempts,
    HighRiskWithoutProvider,
    ReadingNeverMatters,
    Contested,
}

impl Problem {
    pub const ALL: [Problem; 14] = [
        Problem::FactNeverRead,
        Problem::DefinitionNeverRead,
        Problem::QuestionNeverRead,
        Problem::PenaltyNeverUsed,
        Problem::RouteNeverTrue,
        Problem::ConditionNeverTrue,
        Problem::ExemptionAlwaysHolds,
        Problem::RoleNeverHeld,
        Problem::NeverApplies,
        Problem::Swallowed,
        Problem::ExemptionNeverExempts,
        Problem::HighRiskWithoutProvider,
        Problem::ReadingNeverMatters,
        Problem::Contested,
    ];

    /// The name used in output and in `[lint: …]` markers.
    pub fn name(self) -> &'static str {
        match self {
            Problem::FactNeverRead => "fact-never-read",
            Problem::DefinitionNeverRead => "definition-never-read",
            Problem::QuestionNeverRead => "question-never-read",
            Problem::PenaltyNeverUsed => "penalty-never-used",
            Problem::RouteNeverTrue => "route-never-true",
            Problem::ConditionNeverTrue => "condition-never-true",
            Problem::ExemptionAlwaysHolds => "exemption-always-holds",
            Problem::RoleNeverHeld => "role-never-held",
            Problem::NeverApplies => "never-applies",
            Problem::Swallowed => "swallowed",
            Problem::ExemptionNeverExempts => "exemption-never-exempts",
            Problem::HighRiskWithoutProvider => "high-risk-without-provider",
            Problem::ReadingNeverMatters => "reading-never-matters",
            Problem::Contested => "contested",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Problem::FactNeverRead => "L0101",
            Problem::DefinitionNeverRead => "L0102",
            Problem::QuestionNeverRead => "L0103",
            Problem::PenaltyNeverUsed => "L0104",
            Problem::RouteNeverTrue => "L0105",
            Problem::ConditionNeverTrue => "L0106",
            Problem::ExemptionAlwaysHolds => "L0107",
            Problem::RoleNeverHeld => "L0201",
            Problem::NeverApplies => "L0202",
            Problem::Swallowed => "L0203",
            Problem::ExemptionNeverExempts => "L0204",
            Problem::HighRiskWithoutProvider => "L0205",
            Problem::ReadingNeverMatters => "L0206",
            Problem::Contested => "L0301",
        }
    }

    /// Informational reports map the rule set; they are not problems (exit code 0).
    pub fn is_info(self) -> bool {
        matches!(self, Problem::Contested)
    }
}

/// One finding of the analysis.
#[derive(Clone, Debug)]
pub struct Report {
    pub problem: Problem,
    pub instrument: Option<InstrumentId>,
    /// The rule the report is about.
    pub rule: Option<Node>,
    pub span: Option<Span>,
    pub message: String,
    pub details: Vec<String>,
    pub help: String,
    pub witness: Option<Witness>,
    /// The rule's note marks this report as intended (`[lint: <kind>]`).
    pub explained: bool,
}

/// A scenario that reproduces a report.
#[derive(Clone, Debug)]
pub struct Witness {
    /// File name without `.toml`.
    pub name: String,
    pub toml: String,
    pub check: Check,
}

/// What reproducing a witness means beyond its `[[expect]]` entries.
#[derive(Clone, Debug)]
pub enum Check {
    /// The expectations hold.
    Expectations,
    /// The expectations hold and `--all-readings` lists this finding as contested.
    Contested {
        actor: String,
        obligation: ObligationId,
        subject: String,
    },
    /// The expectations hold (nobody is provider) and the system is high-risk.
    HighRisk {
        instrument: InstrumentId,
        def: DefId,
    },
}

/// The note of the rule a node names, if it has one.
pub fn rule_note(rs: &RuleSet, n: Node) -> Option<&str> {
    match n {
        Node::Def(d) => rs.def(d)?.note.as_deref(),
        Node::Role(r) => rs.role(r)?.note.as_deref(),
        Node::Obligation(o) => rs.obligation(o)?.note.as_deref(),
        Node::Exemption(x) => rs.exemption(x)?.note.as_deref(),
        Node::Question(q) => rs.question(q)?.note.as_deref(),
        Node::Penalty(p) => rs.penalty(p)?.note.as_deref(),
        Node::Fact(_) | Node::Amendment(_) => None,
    }
}

/// Whether the rule's note marks this problem as intended.
pub fn is_explained(rs: &RuleSet, n: Node, p: Problem) -> bool {
    rule_note(rs, n).is_some_and(|note| note.contains(&format!("[lint: {}]", p.name())))
}

/// `instrument/id` of a rule, for messages.
pub fn rule_id(rs: &RuleSet, n: Node) -> String {
    let inst = |i: InstrumentId| rs.instrument(i).map_or("?", |x| x.id.as_str());
    match n {
        Node::Fact(f) => rs
            .fact(f)
            .map_or("?".into(), |x| format!("{}.{}", x.on, x.id)),
        Node::Def(d) => rs
            .def(d)
            .map_or("?".into(), |x| format!("{}/{}", inst(x.instrument), x.id)),
        Node::Role(r) => rs
            .role(r)
            .map_or("?".into(), |x| format!("{}/{}", inst(x.instrument), x.id)),
        Node::Obligation(o) => rs
            .obligation(o)
            .map_or("?".into(), |x| format!("{}/{}", inst(x.instrument), x.id)),
        Node::Exemption(x) => rs
            .exemption(x)
            .map_or("?".into(), |e| format!("{}/{}", inst(e.instrument), e.id)),
        Node::Question(q) => rs
            .question(q)
            .map_or("?".into(), |x| format!("{}/{}", inst(x.instrument), x.id)),
        Node::Penalty(p) => rs
            .penalty(p)
            .map_or("?".into(), |x| format!("{}/{}", inst(x.instrument), x.id)),
        Node::Amendment(a) => inst(a).to_string(),
    }
}

/// The span of the rule a node names.
pub fn rule_span(rs: &RuleSet, n: Node) -> Option<Span> {
    match n {
        Node::Fact(f) => rs.fact(f).map(|x| x.span),
        Node::Def(d) => rs.def(d).map(|x| x.span),
        Node::Role(r) => rs.role(r).map(|x| x.span),
        Node::Obligation(o) => rs.obligation(o).map(|x| x.span),
        Node::Exemption(x) => rs.exemption(x).map(|x| x.span),
        Node::Question(q) => rs.question(q).map(|x| x.span),
        Node::Penalty(p) => rs.penalty(p).map(|x| x.span),
        Node::Amendment(a) => rs.instrument(a).map(|x| x.span),
    }
}

/// Sorts reports: by instrument, kind, then rule.
pub fn sort(rs: &RuleSet, reports: &mut [Report]) {
    let key = |r: &Report| {
        (
            r.instrument
                .and_then(|i| rs.instrument(i))
                .map(|i| i.id.clone()),
            r.problem,
            r.rule,
            r.message.clone(),
        )
    };
    reports.sort_by_cached_key(key);
}

/// Runs a witness the way `onus run` would (its own as-of date, status and readings) and
/// checks that it reproduces its report.
pub fn verify(rs: &RuleSet, w: &Witness) -> Result<(), String> {
    let mut sources = Sources::new();
    let file = sources.add(format!("{}.toml", w.name), w.toml.as_str());
    let (sc, diags) = crate::resolve::resolve_scenario(&sources, file, rs, &w.name);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(format!("the witness does not resolve: {}", d.message));
    }
    let Some(sc) = sc else {
        return Err("the witness does not resolve".into());
    };
    let out = eval::evaluate(rs, &sc, &Options::default());
    let fails = eval::check_expectations(rs, &sc, &out);
    if let Some(f) = fails.first() {
        return Err(f.message.clone());
    }
    match &w.check {
        Check::Expectations => Ok(()),
        Check::Contested {
            actor,
            obligation,
            subject,
        } => {
            let list = eval::contested(rs, &sc, &Options::default())
                .map_err(|n| format!("{n} combinations of readings"))?;
            let found = list.iter().any(|c| {
                c.obligation == *obligation
                    && sc
                        .actors
                        .get(c.actor as usize)
                        .is_some_and(|a| &a.id == actor)
                    && sc.name_of(c.subject) == subject
            });
            if found {
                Ok(())
            } else {
                Err("`--all-readings` does not list the finding as contested".into())
            }
        }
        Check::HighRisk { instrument, def } => {
            let (probe, role) = probe_rules(rs, *instrument, *def, Kind::System);
            let out = eval::evaluate(&probe, &sc, &Options::default());
            let high_risk = out.roles.iter().any(|r| {
                r.role == role
                    && r.status == eval::RoleStatus::Holds
                    && r.subject.kind == Kind::System
            });
            if high_risk {
                Ok(())
            } else {
                Err("the system of the witness is not high-risk".into())
            }
        }
    }
}
