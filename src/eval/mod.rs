//! Evaluation: `evaluate(rules, scenario, options) -> Outcome`. Pure: no files, no clock.
//!
//! Order of decision for one obligation of one actor (documented in docs/rule-format.md):
//! 1. the instrument counts at the as-of date (legal status and `--status`);
//! 2. the actor holds the role for the subject (some route true, not displaced);
//! 3. the obligation's own condition;
//! 4. exemptions, highest priority first, each unless one of its exceptions holds;
//! 5. dates: `until` passed → not applicable; `from` after the as-of date → pending.
//!
//! Unknown facts propagate with Kleene logic; a finding that depends on them is
//! `undetermined` and names them.

#[doc(hidden)]
pub mod candidates;
mod expect;
mod interp;
mod readings;
mod version;

pub use expect::{ExpectFailure, check_expectations};
pub use interp::shift_date;
pub use readings::{Contested, MAX_COMBINATIONS, contested};
pub use version::Version;

use crate::ir::*;
use interp::Interp;
use jiff::civil::Date;
use smallvec::SmallVec;

/// What to evaluate.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides the scenario's as-of date.
    pub as_of: Option<Date>,
    pub status: StatusFilter,
    /// Restricts to these instruments (in addition to the scenario's own selection).
    pub instruments: Option<Vec<InstrumentId>>,
    /// Record each reasoning step with the facts and definitions it read (for explanations,
    /// JSON traces and briefings). Without it findings carry no steps, which makes evaluation
    /// several times cheaper; statuses, missing facts, readings and exposures are the same
    /// either way.
    pub trace: bool,
    /// Readings chosen for unsettled questions (over the scenario's own choices).
    pub readings: Vec<(QuestionId, u16)>,
    /// Amending instruments to leave out (`--without`).
    pub without: Vec<InstrumentId>,
    /// Evaluates every actor's routes for every subject, instead of only the actors a route
    /// can name (`candidates`). Same findings, slower: for tests of that filter.
    #[doc(hidden)]
    pub every_actor: bool,
}

/// The maximum penalty an obligation exposes its bearer to.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposure {
    pub penalty: PenaltyId,
    /// The computed maximum, when the facts the formula reads are known.
    pub amount: Option<f64>,
    pub unit: Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactRef {
    pub entity: EntityRef,
    pub fact: FactId,
}

/// One fact read while deciding a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    pub fact: FactRef,
    /// `None`: the scenario does not give it.
    pub value: Option<Value>,
}

/// One definition used while deciding a step, with its value for that entity.
#[derive(Clone, Debug, PartialEq)]
pub struct DefUse {
    pub entity: Option<EntityRef>,
    pub def: DefId,
    pub value: Value,
}

/// The rule a reasoning step evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleRef {
    Route(RoleId, usize),
    /// Another actor (index) took the role through a displacing route (index).
    Displaced(RoleId, u32, usize),
    Condition(ObligationId),
    Exemption(ExemptionId),
    Exception(ExemptionId, usize),
    From(ObligationId),
    Until(ObligationId),
    Deadline(ObligationId),
}

/// One step of reasoning: a rule, its result, and what it read.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub rule: RuleRef,
    pub result: Value,
    pub reads: Vec<Read>,
    pub defs: Vec<DefUse>,
    /// Unsettled questions whose reading this step read (recorded even without `trace`).
    pub readings: Vec<QuestionId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleStatus {
    Holds,
    Undetermined,
    /// The actor would hold the role, but another actor took it (e.g. Art. 25(2)).
    Displaced,
}

impl RoleStatus {
    pub fn name(self) -> &'static str {
        match self {
            RoleStatus::Holds => "holds",
            RoleStatus::Undetermined => "undetermined",
            RoleStatus::Displaced => "displaced",
        }
    }
}

#[derive(Clone, Debug)]
pub struct RoleFinding {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub role: RoleId,
    pub subject: EntityRef,
    pub status: RoleStatus,
    /// The route that made the actor hold the role (first true one).
    pub route: Option<usize>,
    pub displaced_by: Vec<u32>,
    pub missing: Vec<FactRef>,
    pub trace: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Applies,
    Pending,
    Exempt,
    NotApplicable,
    Undetermined,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Applies,
        Status::Pending,
        Status::Exempt,
        Status::NotApplicable,
        Status::Undetermined,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Applies => "applies",
            Status::Pending => "pending",
            Status::Exempt => "exempt",
            Status::NotApplicable => "not_applicable",
            Status::Undetermined => "undetermined",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub role: RoleId,
    pub subject: EntityRef,
    pub obligation: ObligationId,
    pub status: Status,
    pub applies_from: Option<Date>,
    pub until: Option<Date>,
    pub deadline: Option<Date>,
    pub exempted_by: Option<ExemptionId>,
    /// Facts whose values would decide an undetermined finding.
    pub missing: Vec<FactRef>,
    pub legal_status: LegalStatus,
    /// The finding comes from a text that is not law (a bill, or an amendment that is a bill).
    pub hypothetical: bool,
    /// Active amendments that changed a rule this finding depends on.
    pub text_version: Vec<InstrumentId>,
    /// The readings of unsettled questions this finding depends on.
    pub readings: Vec<(QuestionId, u16)>,
    pub exposure: Option<Exposure>,
    /// The obligation's own steps; the role's steps are in the matching [`RoleFinding`].
    pub trace: Vec<Step>,
}

/// How an instrument was treated in this run.
#[derive(Clone, Debug)]
pub struct InstrumentUse {
    pub instrument: InstrumentId,
    /// Its legal status at the as-of date; `None` if the text did not exist yet.
    pub status: Option<LegalStatus>,
    pub counted: bool,
    /// Analysed as if enacted (`--status proposed`).
    pub hypothetical: bool,
    /// Amending instruments that count now and change it.
    pub amended_by: Vec<InstrumentId>,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub as_of: Date,
    pub status_filter: StatusFilter,
    pub instruments: Vec<InstrumentUse>,
    pub roles: Vec<RoleFinding>,
    pub findings: Vec<Finding>,
}

/// The text in force for a scenario at `as_of`: the amendments that count under the status
/// filter (widened by the scenario's own `status`, as [`evaluate`] does), their overlays, and
/// the chosen readings.
pub fn version_for<'a>(rs: &'a RuleSet, sc: &Scenario, opts: &Options, as_of: Date) -> Version<'a> {
    Version::new(rs, sc, &effective_options(sc, opts), as_of)
}

/// The options as the scenario widens them: a scenario may declare itself a hypothetical
/// analysis (`status`); an explicit wider filter wins.
fn effective_options<'o>(sc: &Scenario, opts: &'o Options) -> std::borrow::Cow<'o, Options> {
    match sc.status {
        Some(st) if st > opts.status => std::borrow::Cow::Owned(Options {
            status: st,
            ..opts.clone()
        }),
        _ => std::borrow::Cow::Borrowed(opts),
    }
}

/// Single expressions evaluated against one scenario under one version of the law, with the
/// engine's own interpreter (Kleene logic, memoised definitions) and nothing recorded: for
/// analyses that need values rather than findings (`onus ask --sensitivity`).
pub struct Evaluator<'a> {
    ip: Interp<'a>,
}

impl<'a> Evaluator<'a> {
    pub fn new(rs: &'a RuleSet, sc: &'a Scenario, version: &'a Version<'a>) -> Evaluator<'a> {
        Evaluator {
            ip: Interp::new(rs, sc, version, false),
        }
    }

    /// The value of `e` with `env` as its environment (slot 0 actor, 1 subject, 2… bound
    /// variables).
    pub fn eval(&mut self, e: &Expr, env: &[Value]) -> Value {
        self.ip.eval_in(e, env)
    }
}

fn selected(sc: &Scenario, opts: &Options, id: InstrumentId) -> bool {
    sc.instruments.as_ref().is_none_or(|l| l.contains(&id))
        && opts.instruments.as_ref().is_none_or(|l| l.contains(&id))
}

/// Evaluates a scenario against a rule set.
pub fn evaluate(rs: &RuleSet, sc: &Scenario, opts: &Options) -> Outcome {
    let as_of = opts.as_of.unwrap_or(sc.as_of);
    let opts = effective_options(sc, opts);
    let opts = opts.as_ref();
    let version = Version::new(rs, sc, opts, as_of);
    let mut ip = Interp::new(rs, sc, &version, opts.trace);
    let mut out = Outcome {
        as_of,
        status_filter: opts.status,
        instruments: Vec::new(),
        roles: Vec::new(),
        findings: Vec::new(),
    };
    let mut by_actor = ByActor {
        roles: sc.actors.iter().map(|_| Vec::with_capacity(16)).collect(),
        held: sc.actors.iter().map(|_| Vec::with_capacity(16)).collect(),
    };
    let mut order: Vec<InstrumentId> = (0..rs.instruments.len())
        .map(InstrumentId::from_index)
        .filter(|i| selected(sc, opts, *i))
        .collect();
    order.sort_by(|a, b| {
        let ia = rs.instrument(*a).map(|i| i.id.as_str());
        let ib = rs.instrument(*b).map(|i| i.id.as_str());
        ia.cmp(&ib)
    });
    for inst_id in order {
        let Some(inst) = rs.instrument(inst_id) else {
            continue;
        };
        let status = inst.status_at(as_of);
        let counted = status.is_some_and(|s| opts.status.admits(s));
        let amended_by = rs
            .instruments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.amends == Some(inst_id))
            .map(|(i, _)| InstrumentId::from_index(i))
            .filter(|a| version.is_active(*a))
            .collect();
        out.instruments.push(InstrumentUse {
            instrument: inst_id,
            status,
            counted,
            hypothetical: counted && status.is_some_and(LegalStatus::is_hypothetical),
            amended_by,
        });
        let Some(legal_status) = status.filter(|_| counted) else {
            continue;
        };
        let Some(roles) = rs.instrument_roles.get(inst_id.index()) else {
            continue;
        };
        for &role_id in roles {
            let Some(role) = rs.role(role_id) else {
                continue;
            };
            if role.added_by.is_some_and(|a| !version.is_active(a)) {
                continue;
            }
            let n_subjects = sc.entities(role.subject).len();
            for s in 0..n_subjects {
                let subject = EntityRef {
                    kind: role.subject,
                    index: u32::try_from(s).unwrap_or(u32::MAX),
                };
                role_for_subject(
                    &mut ip,
                    &mut by_actor,
                    RoleCtx {
                        rs,
                        sc,
                        inst: inst_id,
                        role_id,
                        role,
                        subject,
                        as_of,
                        legal_status,
                        version: &version,
                        every_actor: opts.every_actor,
                    },
                );
            }
        }
    }
    // Then the obligations of each role an actor (possibly) holds, actor by actor, in the
    // report's order, written once into a list of the right size.
    let total: usize = by_actor
        .held
        .iter()
        .flatten()
        .map(|h| rs.role_obligations.get(h.role.index()).map_or(0, Vec::len))
        .sum();
    out.findings = Vec::with_capacity(total);
    let mut exposures = Vec::new();
    for held in &by_actor.held {
        for h in held {
            let Some(role) = rs.role(h.role) else {
                continue;
            };
            let cx = RoleCtx {
                rs,
                sc,
                inst: h.instrument,
                role_id: h.role,
                role,
                subject: h.subject,
                as_of,
                legal_status: h.legal_status,
                version: &version,
                every_actor: opts.every_actor,
            };
            ip.set_env(
                EntityRef {
                    kind: Kind::Actor,
                    index: h.actor,
                },
                h.subject,
            );
            let Some(obligations) = rs.role_obligations.get(h.role.index()) else {
                continue;
            };
            exposures.clear();
            for &oid in obligations {
                if version.repealed(oid) {
                    continue;
                }
                let f = obligation(&mut ip, &cx, h, oid, &mut exposures);
                out.findings.push(f);
            }
        }
    }
    // Roles were collected per actor, each list in the order instruments (by id), roles and
    // subjects were visited, which is the report's order: concatenate. The checks below keep
    // the order right should a visiting order ever change.
    out.roles = by_actor.roles.into_iter().flatten().collect();
    let mut rank = vec![usize::MAX; rs.instruments.len()];
    for (i, u) in out.instruments.iter().enumerate() {
        if let Some(r) = rank.get_mut(u.instrument.index()) {
            *r = i;
        }
    }
    let rank_of = |i: InstrumentId| rank.get(i.index()).copied().unwrap_or(usize::MAX);
    let role_key = |r: &RoleFinding| (r.actor, rank_of(r.instrument), r.role, r.subject);
    if !out.roles.is_sorted_by_key(role_key) {
        out.roles.sort_by_key(role_key);
    }
    let finding_key = |f: &Finding| {
        (
            f.actor,
            rank_of(f.instrument),
            f.role,
            f.subject,
            f.obligation,
        )
    };
    if !out.findings.is_sorted_by_key(finding_key) {
        out.findings.sort_by_key(finding_key);
    }
    out
}

/// Role findings, one list per actor, and the roles each actor (possibly) holds, whose
/// obligations are evaluated once every role is decided.
struct ByActor {
    roles: Vec<Vec<RoleFinding>>,
    held: Vec<Vec<Held>>,
}

/// A role an actor holds or may hold for a subject: what its obligations need.
struct Held {
    actor: u32,
    instrument: InstrumentId,
    role: RoleId,
    subject: EntityRef,
    legal_status: LegalStatus,
    holds: Tri,
    missing: Vec<FactRef>,
    readings: Vec<QuestionId>,
}

impl ByActor {
    fn roles(&mut self, actor: u32) -> Option<&mut Vec<RoleFinding>> {
        self.roles.get_mut(actor as usize)
    }
}

struct RoleCtx<'a> {
    rs: &'a RuleSet,
    sc: &'a Scenario,
    inst: InstrumentId,
    role_id: RoleId,
    role: &'a Role,
    subject: EntityRef,
    as_of: Date,
    legal_status: LegalStatus,
    version: &'a Version<'a>,
    every_actor: bool,
}

struct ActorRoutes {
    tris: SmallVec<[Tri; 8]>,
    /// With tracing: one step per route.
    steps: Vec<Step>,
    missing: Vec<FactRef>,
    /// Questions whose reading a route read.
    readings: Vec<QuestionId>,
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

fn role_for_subject(ip: &mut Interp<'_>, out: &mut ByActor, cx: RoleCtx<'_>) {
    // Only the actors some route can name (see `candidates`); the others hold nothing.
    let mut actors: Option<candidates::Actors> = (!cx.every_actor).then(candidates::Actors::new);
    for route in &cx.role.routes {
        match (
            &mut actors,
            candidates::of_route(&route.when, cx.sc, cx.subject),
        ) {
            (Some(all), Some(c)) => all.extend(c),
            _ => actors = None,
        }
    }
    let actors: candidates::Actors = match actors {
        Some(mut c) => {
            c.sort_unstable();
            c.dedup();
            c
        }
        None => (0..cx.sc.actors.len())
            .map(|a| u32::try_from(a).unwrap_or(u32::MAX))
            .collect(),
    };
    if actors.is_empty() {
        return;
    }
    let trace = ip.tracing();
    let mut per_actor: SmallVec<[ActorRoutes; 4]> = SmallVec::with_capacity(actors.len());
    for &a in &actors {
        let actor = EntityRef {
            kind: Kind::Actor,
            index: a,
        };
        ip.set_env(actor, cx.subject);
        let mut r = ActorRoutes {
            tris: SmallVec::new(),
            steps: Vec::with_capacity(if trace { cx.role.routes.len() } else { 0 }),
            missing: Vec::new(),
            readings: Vec::new(),
        };
        for (i, route) in cx.role.routes.iter().enumerate() {
            let v = ip.step(
                &route.when,
                RuleRef::Route(cx.role_id, i),
                Some(&mut r.steps),
                &mut r.readings,
            );
            let t = Tri::from_value(&v);
            r.tris.push(t);
            if t == Tri::Unknown {
                r.missing.extend_from_slice(ip.missing());
            }
        }
        per_actor.push(r);
    }
    let disp_of = |r: &ActorRoutes| -> Tri {
        cx.role
            .routes
            .iter()
            .zip(&r.tris)
            .filter(|(rt, _)| rt.displaces)
            .fold(Tri::False, |acc, (_, t)| acc.or(*t))
    };
    let disp: SmallVec<[Tri; 4]> = per_actor.iter().map(disp_of).collect();
    // For each actor, the displacing route that (possibly) holds: true first, else unknown.
    let disp_route = |r: &ActorRoutes| -> usize {
        let pick = |want: Tri| {
            cx.role
                .routes
                .iter()
                .zip(&r.tris)
                .position(|(rt, t)| rt.displaces && *t == want)
        };
        pick(Tri::True).or_else(|| pick(Tri::Unknown)).unwrap_or(0)
    };
    let disp_routes: Vec<usize> = if trace {
        per_actor.iter().map(disp_route).collect()
    } else {
        Vec::new()
    };
    let any_disp = disp.iter().any(|t| *t != Tri::False);
    for (i, r) in per_actor.into_iter().enumerate() {
        let Some(&a32) = actors.get(i) else {
            continue;
        };
        let own_non = cx
            .role
            .routes
            .iter()
            .zip(&r.tris)
            .filter(|(rt, _)| !rt.displaces)
            .fold(Tri::False, |acc, (_, t)| acc.or(*t));
        let own_disp = disp.get(i).copied().unwrap_or(Tri::False);
        // (actor, truth, position in `actors`) of each other actor that may displace.
        let others: Vec<(u32, Tri, usize)> = if any_disp {
            disp.iter()
                .enumerate()
                .filter(|(b, t)| *b != i && **t != Tri::False)
                .filter_map(|(b, t)| Some((*actors.get(b)?, *t, b)))
                .collect()
        } else {
            Vec::new()
        };
        let others_disp = others.iter().fold(Tri::False, |acc, (_, t, _)| acc.or(*t));
        let holds = own_disp.or(own_non.and(others_disp.negate()));
        let mut steps = r.steps;
        if trace {
            for (b, t, pos) in &others {
                steps.push(Step {
                    rule: RuleRef::Displaced(
                        cx.role_id,
                        *b,
                        disp_routes.get(*pos).copied().unwrap_or(0),
                    ),
                    result: match t {
                        Tri::True => Value::Bool(true),
                        _ => Value::Unknown,
                    },
                    reads: Vec::new(),
                    defs: Vec::new(),
                    readings: Vec::new(),
                });
            }
        }
        // The route that decided: the first true one, else the first still open.
        let route = r
            .tris
            .iter()
            .position(|t| *t == Tri::True)
            .or_else(|| r.tris.iter().position(|t| *t == Tri::Unknown));
        match holds {
            Tri::False => {
                if let (true, Some(roles)) = (
                    own_non == Tri::True && others_disp == Tri::True,
                    out.roles(a32),
                ) {
                    roles.push(RoleFinding {
                        actor: a32,
                        instrument: cx.inst,
                        role: cx.role_id,
                        subject: cx.subject,
                        status: RoleStatus::Displaced,
                        route,
                        displaced_by: others
                            .iter()
                            .filter(|(_, t, _)| *t == Tri::True)
                            .map(|(b, _, _)| *b)
                            .collect(),
                        missing: Vec::new(),
                        trace: steps,
                    });
                }
                continue;
            }
            Tri::True | Tri::Unknown => {}
        }
        let missing = if holds == Tri::Unknown {
            sorted(r.missing)
        } else {
            Vec::new()
        };
        if let Some(held) = out.held.get_mut(a32 as usize) {
            held.push(Held {
                actor: a32,
                instrument: cx.inst,
                role: cx.role_id,
                subject: cx.subject,
                legal_status: cx.legal_status,
                holds,
                missing: missing.clone(),
                readings: sorted(r.readings),
            });
        }
        let Some(roles) = out.roles(a32) else {
            continue;
        };
        roles.push(RoleFinding {
            actor: a32,
            instrument: cx.inst,
            role: cx.role_id,
            subject: cx.subject,
            status: if holds == Tri::True {
                RoleStatus::Holds
            } else {
                RoleStatus::Undetermined
            },
            route,
            displaced_by: Vec::new(),
            missing,
            trace: steps,
        });
    }
}

fn obligation(
    ip: &mut Interp<'_>,
    cx: &RoleCtx<'_>,
    h: &Held,
    oid: ObligationId,
    exposures: &mut Vec<Exposure>,
) -> Finding {
    // The maximum penalty depends on the penalty, the actor and the subject only: computed
    // once per role held, not once per obligation.
    let exposure = cx.version.penalty(oid).map(|p| {
        if let Some(e) = exposures.iter().find(|e| e.penalty == p) {
            return e.clone();
        }
        let e = penalty_exposure(ip, cx.rs, p, oid);
        exposures.push(e.clone());
        e
    });
    // The readings this finding depended on: those read while deciding the role or any step
    // of the obligation.
    let mut qs: Vec<QuestionId> = h.readings.clone();
    let mut f = obligation_status(ip, cx, h, oid, exposure, &mut qs);
    if !qs.is_empty() {
        f.readings = sorted(qs)
            .into_iter()
            .map(|q| (q, cx.version.reading(q)))
            .collect();
    }
    f
}

/// The maximum penalty `p` exposes the current actor to, for the current subject.
fn penalty_exposure(
    ip: &mut Interp<'_>,
    rs: &RuleSet,
    p: PenaltyId,
    oid: ObligationId,
) -> Exposure {
    let (amount, unit) = match rs.penalty(p).and_then(|x| x.amount.as_ref()) {
        Some(e) => {
            let unit = match e.ty {
                Type::Num(u) => u,
                _ => Unit::None,
            };
            // The amount is not a step of the reasoning: no trace, no readings.
            let mut ignored = Vec::new();
            match ip.step(e, RuleRef::Condition(oid), None, &mut ignored) {
                Value::Num(n) => (Some(n), unit),
                _ => (None, unit),
            }
        }
        None => (None, Unit::None),
    };
    Exposure {
        penalty: p,
        amount,
        unit,
    }
}

/// The role's missing facts and `more`, sorted and deduplicated, become the finding's.
fn set_missing(f: &mut Finding, h: &Held, more: Vec<FactRef>) {
    let mut all = Vec::with_capacity(h.missing.len() + more.len());
    all.extend_from_slice(&h.missing);
    all.extend(more);
    f.missing = sorted(all);
}

fn obligation_status(
    ip: &mut Interp<'_>,
    cx: &RoleCtx<'_>,
    h: &Held,
    oid: ObligationId,
    exposure: Option<Exposure>,
    qs: &mut Vec<QuestionId>,
) -> Finding {
    let (actor, holds) = (h.actor, h.holds);
    let mut f = Finding {
        actor,
        instrument: cx.inst,
        role: cx.role_id,
        subject: cx.subject,
        obligation: oid,
        status: Status::Undetermined,
        applies_from: None,
        until: None,
        deadline: None,
        exempted_by: None,
        missing: Vec::new(),
        legal_status: cx.legal_status,
        hypothetical: cx.legal_status.is_hypothetical(),
        text_version: Vec::new(),
        readings: Vec::new(),
        exposure: None,
        trace: Vec::new(),
    };
    if let Some(list) = cx.rs.obligation_amendments.get(oid.index()) {
        f.text_version = list
            .iter()
            .copied()
            .filter(|a| cx.version.is_active(*a))
            .collect();
        f.hypothetical |= f.text_version.iter().any(|a| {
            cx.version
                .hypothetical
                .get(a.index())
                .copied()
                .unwrap_or(false)
        });
    }
    f.exposure = exposure;
    if cx.rs.obligation(oid).is_none() {
        return f;
    }
    // Facts beyond the role's own that would decide: the role's are added only if the
    // finding ends undetermined, so a decided finding allocates nothing for them.
    let mut missing: Vec<FactRef> = Vec::new();
    let cond = match cx.version.when(cx.rs, oid) {
        Some(w) => {
            let v = ip.step(w, RuleRef::Condition(oid), Some(&mut f.trace), qs);
            let t = Tri::from_value(&v);
            if t == Tri::Unknown {
                missing.extend_from_slice(ip.missing());
            }
            t
        }
        None => Tri::True,
    };
    if let Some(d) = cx.version.deadline(cx.rs, oid) {
        let v = ip.step(d, RuleRef::Deadline(oid), Some(&mut f.trace), qs);
        if let Value::Date(d) = v {
            f.deadline = Some(d);
        }
    }
    if cond == Tri::False {
        f.status = Status::NotApplicable;
        f.missing = Vec::new();
        return f;
    }
    // Exemptions, highest priority first; the first that certainly holds decides.
    let mut exempt_unknown = false;
    let mut exempt_missing = Vec::new();
    if let Some(list) = cx.rs.obligation_exemptions.get(oid.index()) {
        for &xid in list {
            let (Some(x), Some(when)) =
                (cx.rs.exemption(xid), cx.version.exemption_when(cx.rs, xid))
            else {
                continue;
            };
            let v = ip.step(when, RuleRef::Exemption(xid), Some(&mut f.trace), qs);
            let mut t = Tri::from_value(&v);
            if t == Tri::Unknown {
                exempt_missing.extend_from_slice(ip.missing());
            }
            if t != Tri::False {
                for (i, exc) in x.exceptions.iter().enumerate() {
                    let v = ip.step(
                        &exc.when,
                        RuleRef::Exception(xid, i),
                        Some(&mut f.trace),
                        qs,
                    );
                    let te = Tri::from_value(&v);
                    if te == Tri::Unknown {
                        exempt_missing.extend_from_slice(ip.missing());
                    }
                    t = t.and(te.negate());
                }
            }
            match t {
                Tri::True => {
                    f.exempted_by = Some(xid);
                    break;
                }
                Tri::Unknown => exempt_unknown = true,
                Tri::False => {}
            }
        }
    }
    if holds == Tri::Unknown || cond == Tri::Unknown {
        f.status = Status::Undetermined;
        f.exempted_by = None;
        missing.extend(exempt_missing);
        set_missing(&mut f, h, missing);
        return f;
    }
    if f.exempted_by.is_some() {
        f.status = Status::Exempt;
        return f;
    }
    if exempt_unknown {
        f.status = Status::Undetermined;
        missing.extend(exempt_missing);
        set_missing(&mut f, h, missing);
        return f;
    }
    // Dates.
    if let Some(u) = cx.version.until(cx.rs, oid) {
        let v = ip.step(u, RuleRef::Until(oid), Some(&mut f.trace), qs);
        let m = ip.missing().to_vec();
        let ended = if let Value::Date(d) = v {
            f.until = Some(d);
            if d <= cx.as_of { Tri::True } else { Tri::False }
        } else {
            ip.date_le(u, cx.as_of)
        };
        match ended {
            Tri::True => {
                f.status = Status::NotApplicable;
                return f;
            }
            Tri::Unknown => {
                f.status = Status::Undetermined;
                missing.extend(m);
                set_missing(&mut f, h, missing);
                return f;
            }
            Tri::False => {}
        }
    }
    if let Some(fr) = cx.version.from(cx.rs, oid) {
        let v = ip.step(fr, RuleRef::From(oid), Some(&mut f.trace), qs);
        let m = ip.missing().to_vec();
        let started = if let Value::Date(d) = v {
            f.applies_from = Some(d);
            if d <= cx.as_of { Tri::True } else { Tri::False }
        } else {
            ip.date_le(fr, cx.as_of)
        };
        match started {
            Tri::True => {}
            Tri::False => {
                f.status = Status::Pending;
                if f.applies_from.is_none() {
                    missing.extend(m);
                    set_missing(&mut f, h, missing);
                }
                return f;
            }
            Tri::Unknown => {
                f.status = Status::Undetermined;
                missing.extend(m);
                set_missing(&mut f, h, missing);
                return f;
            }
        }
    }
    f.status = Status::Applies;
    f
}
