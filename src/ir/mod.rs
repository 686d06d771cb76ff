//! The resolved model: typed ids instead of names, typed expressions, dates as dates.
//!
//! Produced by `resolve`, read by `graph`, `eval` and `report`. Nothing here refers to TOML.

mod expr;
pub mod print;
mod scenario;

pub use expr::*;
pub use scenario::*;

use crate::source::Span;
use jiff::civil::Date;
use std::fmt;

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
            pub fn from_index(i: usize) -> Self { Self(u32::try_from(i).unwrap_or(u32::MAX)) }
        }
    )*};
}
id_type!(
    EnumId,
    FactId,
    InstrumentId,
    DefId,
    RoleId,
    ObligationId,
    ExemptionId,
    QuestionId,
    PenaltyId
);

/// The four kinds of thing a scenario describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Actor,
    Model,
    System,
    Deployment,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Actor, Kind::Model, Kind::System, Kind::Deployment];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Actor => "actor",
            Kind::Model => "model",
            Kind::System => "system",
            Kind::Deployment => "deployment",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The name with its indefinite article, for messages: "an actor", "a model".
    pub fn a(self) -> &'static str {
        match self {
            Kind::Actor => "an actor",
            Kind::Model => "a model",
            Kind::System => "a system",
            Kind::Deployment => "a deployment",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Units of numeric facts. Numbers of different units cannot be compared or added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// A plain number (ratios, literals without a unit).
    None,
    Flop,
    Usd,
    Eur,
    Cny,
    Users,
    Employees,
    Count,
}

impl Unit {
    pub const NAMED: [Unit; 7] = [
        Unit::Flop,
        Unit::Usd,
        Unit::Eur,
        Unit::Cny,
        Unit::Users,
        Unit::Employees,
        Unit::Count,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Flop => "FLOP",
            Unit::Usd => "USD",
            Unit::Eur => "EUR",
            Unit::Cny => "CNY",
            Unit::Users => "users",
            Unit::Employees => "employees",
            Unit::Count => "count",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        Unit::NAMED.into_iter().find(|u| u.name() == s)
    }
}

/// Calendar durations for deadlines (`14 days`, `2 weeks`, `6 months`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DurUnit {
    Days,
    /// Monday to Friday; public holidays are not modelled.
    WorkingDays,
    Weeks,
    Months,
    Years,
}

impl DurUnit {
    pub fn parse(s: &str) -> Option<DurUnit> {
        match s {
            "day" | "days" => Some(DurUnit::Days),
            "working_day" | "working_days" => Some(DurUnit::WorkingDays),
            "week" | "weeks" => Some(DurUnit::Weeks),
            "month" | "months" => Some(DurUnit::Months),
            "year" | "years" => Some(DurUnit::Years),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Num(Unit),
    Date,
    Duration,
    Enum(EnumId),
    Set(EnumId),
    Text,
    Entity(Kind),
    /// A list of entities, only usable in `any(…)`/`all(…)`.
    Entities(Kind),
    /// The type of an expression that already had an error; compatible with everything so one
    /// mistake gives one diagnostic.
    Error,
}

/// The legal status of a text at a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LegalStatus {
    Proposed,
    Passed,
    Enacted,
    InForce,
    Amended,
    Vetoed,
    Stayed,
    Repealed,
    /// A text that never became law and was replaced by another (a draft for comment by the
    /// adopted measures, a bill by a successor bill).
    Superseded,
}

impl LegalStatus {
    pub const ALL: [LegalStatus; 9] = [
        LegalStatus::Proposed,
        LegalStatus::Passed,
        LegalStatus::Enacted,
        LegalStatus::InForce,
        LegalStatus::Amended,
        LegalStatus::Vetoed,
        LegalStatus::Stayed,
        LegalStatus::Repealed,
        LegalStatus::Superseded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LegalStatus::Proposed => "proposed",
            LegalStatus::Passed => "passed",
            LegalStatus::Enacted => "enacted",
            LegalStatus::InForce => "in_force",
            LegalStatus::Amended => "amended",
            LegalStatus::Vetoed => "vetoed",
            LegalStatus::Stayed => "stayed",
            LegalStatus::Repealed => "repealed",
            LegalStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<LegalStatus> {
        LegalStatus::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Whether a text in this status is only a proposal (analysed as if enacted, hypothetically).
    pub fn is_hypothetical(self) -> bool {
        matches!(
            self,
            LegalStatus::Proposed | LegalStatus::Passed | LegalStatus::Vetoed
        )
    }
}

/// Which texts count in an analysis (`--status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum StatusFilter {
    /// Only law in force (including amended law and law whose enforcement is stayed).
    #[default]
    InForce,
    /// Also enacted law that is not yet in force.
    Enacted,
    /// Also bills and vetoed bills, analysed as if enacted.
    Proposed,
}

impl StatusFilter {
    pub fn admits(self, s: LegalStatus) -> bool {
        match s {
            LegalStatus::InForce | LegalStatus::Amended | LegalStatus::Stayed => true,
            LegalStatus::Enacted => self >= StatusFilter::Enacted,
            LegalStatus::Proposed | LegalStatus::Passed | LegalStatus::Vetoed => {
                self >= StatusFilter::Proposed
            }
            LegalStatus::Repealed | LegalStatus::Superseded => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub id: String,
    pub title: Option<String>,
    pub values: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FactDef {
    pub id: String,
    pub on: Kind,
    pub ty: Type,
    pub question: String,
    /// Links from the subject to the actor who can answer.
    pub asked_of: Vec<Link>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StatusEntry {
    pub status: LegalStatus,
    pub from: Date,
    pub note: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Instrument {
    pub id: String,
    pub title: String,
    pub short: String,
    pub jurisdiction: String,
    pub citation: String,
    pub source: Option<String>,
    pub kind: Option<String>,
    /// For an amending instrument: the instrument it amends.
    pub amends: Option<InstrumentId>,
    pub status: Vec<StatusEntry>,
    pub span: Span,
}

impl Instrument {
    /// The status in force at `date`, if the text existed then.
    pub fn status_at(&self, date: Date) -> Option<LegalStatus> {
        self.status
            .iter()
            .rev()
            .find(|s| s.from <= date)
            .map(|s| s.status)
    }
}

#[derive(Clone, Debug)]
pub struct Definition {
    pub instrument: InstrumentId,
    pub id: String,
    pub on: Option<Kind>,
    pub title: Option<String>,
    pub expr: Expr,
    pub citation: String,
    /// Commentary from the rule file: uncertainty, sources, what is not modelled.
    pub note: Option<String>,
    /// Set for a rule an amending instrument adds: it exists only while that amendment counts.
    pub added_by: Option<InstrumentId>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Route {
    pub id: Option<String>,
    pub title: Option<String>,
    pub citation: String,
    pub when: Expr,
    pub displaces: bool,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub instrument: InstrumentId,
    pub id: String,
    pub subject: Kind,
    pub title: String,
    pub citation: String,
    pub routes: Vec<Route>,
    /// Commentary from the rule file: uncertainty, sources, what is not modelled.
    pub note: Option<String>,
    /// Set for a role an amending instrument adds: it exists only while that amendment counts.
    pub added_by: Option<InstrumentId>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Obligation {
    pub instrument: InstrumentId,
    pub id: String,
    pub role: RoleId,
    pub title: String,
    pub summary: Option<String>,
    pub citation: String,
    pub when: Option<Expr>,
    pub from: Option<Expr>,
    pub until: Option<Expr>,
    pub deadline: Option<Expr>,
    pub penalty: Option<PenaltyId>,
    /// Commentary from the rule file: uncertainty, sources, what is not modelled.
    pub note: Option<String>,
    /// Set for a rule an amending instrument adds: it exists only while that amendment counts.
    pub added_by: Option<InstrumentId>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Exception {
    pub id: String,
    pub title: Option<String>,
    pub citation: String,
    pub when: Expr,
}

#[derive(Clone, Debug)]
pub struct Exemption {
    pub instrument: InstrumentId,
    pub id: String,
    pub title: String,
    pub citation: String,
    pub exempts: Vec<ObligationId>,
    pub priority: i64,
    pub subject: Kind,
    pub when: Expr,
    pub exceptions: Vec<Exception>,
    /// Commentary from the rule file: uncertainty, sources, what is not modelled.
    pub note: Option<String>,
    /// Set for a rule an amending instrument adds: it exists only while that amendment counts.
    pub added_by: Option<InstrumentId>,
    pub span: Span,
}

/// One reading of an unsettled question.
#[derive(Clone, Debug)]
pub struct Reading {
    pub id: String,
    pub summary: String,
    pub source: String,
}

/// A named interpretation point: the law is unsettled, the readings compete.
#[derive(Clone, Debug)]
pub struct Question {
    pub instrument: InstrumentId,
    pub id: String,
    pub title: String,
    pub citation: String,
    pub default: u16,
    pub readings: Vec<Reading>,
    /// The enum whose values are the readings (what `reading.<id>` evaluates to).
    pub values: EnumId,
    pub note: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Penalty {
    pub instrument: InstrumentId,
    pub id: String,
    pub title: Option<String>,
    pub citation: String,
    pub formula: String,
    /// A number with a currency unit, in scope `actor` (slot 0) and the subject (slot 1).
    pub amount: Option<Expr>,
    /// The kind of subject the amount reads, if it reads one.
    pub subject: Option<Kind>,
    pub per: Option<String>,
    pub note: Option<String>,
    pub span: Span,
}

/// Which part of which rule an amendment changes.
#[derive(Clone, Debug)]
pub enum OverlayTarget {
    ObligationWhen(ObligationId, Expr),
    ObligationFrom(ObligationId, Expr),
    ObligationUntil(ObligationId, Expr),
    ObligationDeadline(ObligationId, Expr),
    ObligationPenalty(ObligationId, PenaltyId),
    DefinitionExpr(DefId, Expr),
    ExemptionWhen(ExemptionId, Expr),
    RepealObligation(ObligationId),
    RepealExemption(ExemptionId),
}

/// One `[[amend]]` change, in force while its amending instrument counts.
#[derive(Clone, Debug)]
pub struct Overlay {
    pub amendment: InstrumentId,
    pub target: OverlayTarget,
    pub citation: String,
    pub note: Option<String>,
    pub span: Span,
}

/// A compiled rule set.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    pub enums: Vec<EnumDef>,
    pub facts: Vec<FactDef>,
    pub instruments: Vec<Instrument>,
    pub defs: Vec<Definition>,
    pub roles: Vec<Role>,
    pub obligations: Vec<Obligation>,
    pub exemptions: Vec<Exemption>,
    /// Obligations attached to each role, by `RoleId`.
    pub role_obligations: Vec<Vec<ObligationId>>,
    /// Exemptions of each obligation, highest priority first, by `ObligationId`.
    pub obligation_exemptions: Vec<Vec<ExemptionId>>,
    /// Roles of each instrument, in file order.
    pub instrument_roles: Vec<Vec<RoleId>>,
    pub questions: Vec<Question>,
    pub penalties: Vec<Penalty>,
    /// Amendments, in the order of their files.
    pub overlays: Vec<Overlay>,
    /// For each obligation: the questions whose reading it depends on (its cone in the graph).
    pub obligation_questions: Vec<Vec<QuestionId>>,
    /// For each obligation: the amending instruments that change a rule it depends on.
    pub obligation_amendments: Vec<Vec<InstrumentId>>,
    /// A hash of the rule files' contents: the rule-set version shown in reports.
    pub version: String,
}

impl RuleSet {
    pub fn fact(&self, id: FactId) -> Option<&FactDef> {
        self.facts.get(id.index())
    }
    pub fn def(&self, id: DefId) -> Option<&Definition> {
        self.defs.get(id.index())
    }
    pub fn role(&self, id: RoleId) -> Option<&Role> {
        self.roles.get(id.index())
    }
    pub fn obligation(&self, id: ObligationId) -> Option<&Obligation> {
        self.obligations.get(id.index())
    }
    pub fn exemption(&self, id: ExemptionId) -> Option<&Exemption> {
        self.exemptions.get(id.index())
    }
    pub fn instrument(&self, id: InstrumentId) -> Option<&Instrument> {
        self.instruments.get(id.index())
    }
    pub fn enumeration(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.index())
    }
    pub fn question(&self, id: QuestionId) -> Option<&Question> {
        self.questions.get(id.index())
    }
    pub fn penalty(&self, id: PenaltyId) -> Option<&Penalty> {
        self.penalties.get(id.index())
    }
    pub fn question_by_name(&self, name: &str) -> Option<QuestionId> {
        self.questions
            .iter()
            .position(|q| q.id == name)
            .map(QuestionId::from_index)
    }
    pub fn instrument_by_name(&self, name: &str) -> Option<InstrumentId> {
        self.instruments
            .iter()
            .position(|i| i.id == name)
            .map(InstrumentId::from_index)
    }
    pub fn fact_by_name(&self, kind: Kind, name: &str) -> Option<FactId> {
        self.facts
            .iter()
            .position(|f| f.on == kind && f.id == name)
            .map(FactId::from_index)
    }
}
