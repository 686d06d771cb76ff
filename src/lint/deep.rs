//! `onus lint --deep`: the checks that explore the fact space.
//!
//! Work is split into tasks (one per role with its obligations, one per instrument with a
//! notion of high-risk system) run on every core; each task explores its targets' cones with
//! its own [`Explorer`], and the reports are merged in a fixed order, so the output does not
//! depend on scheduling.

use super::chain::{Chain, Expect, ExpectWhat, ME, OTHER, World};
use super::explore::{Assignment, Ended, Explorer, Visit};
use super::index::Index;
use super::partition::{Partition, shift};
use super::{Check, Problem, Report, Witness, is_explained, rule_id, rule_span};
use crate::eval::{FactRef, Outcome, RoleStatus, RuleRef, Status};
use crate::graph::Node;
use crate::ir::*;
use crate::source::{FileId, Span};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most combinations of readings explored for one target.
const MAX_READING_COMBINATIONS: usize = 16;

/// What to analyse and how far.
#[derive(Clone, Debug)]
pub struct DeepOptions {
    /// Only this instrument (an amendment is analysed with the instrument it amends).
    pub instrument: Option<InstrumentId>,
    /// Worker threads.
    pub threads: usize,
    /// Most nodes one exploration visits (one target, chain, date and choice of readings).
    pub budget: usize,
}

impl Default for DeepOptions {
    fn default() -> Self {
        DeepOptions {
            instrument: None,
            threads: 1,
            budget: 4096,
        }
    }
}

/// How much was explored.
#[derive(Clone, Debug, Default)]
pub struct DeepStats {
    pub instruments: usize,
    pub roles: usize,
    pub obligations: usize,
    pub explorations: u64,
    pub nodes: u64,
    pub evaluations: u64,
    /// Explorations the node budget cut short, as `rule (chain, date)`.
    pub capped: Vec<String>,
    /// Set facts explored over a capped family of subsets.
    pub capped_sets: BTreeSet<String>,
}

/// A point of the fact space: chain, world and facts.
#[derive(Clone, Debug)]
struct Point {
    chain: Chain,
    world: World,
    facts: Assignment,
}

/// The narrowest status filter under which the instrument and its amendments count at `d` as
/// they do under `proposed`; `None` if the instrument does not count even then.
fn filter_at(rs: &RuleSet, inst: InstrumentId, d: Date) -> Option<StatusFilter> {
    let counts = |i: &Instrument, f: StatusFilter| i.status_at(d).is_some_and(|s| f.admits(s));
    let me = rs.instrument(inst)?;
    if !counts(me, StatusFilter::Proposed) {
        return None;
    }
    let amendments: Vec<&Instrument> = rs
        .instruments
        .iter()
        .filter(|a| a.amends == Some(inst))
        .collect();
    [
        StatusFilter::InForce,
        StatusFilter::Enacted,
        StatusFilter::Proposed,
    ]
    .into_iter()
    .find(|f| {
        counts(me, *f)
            && amendments
                .iter()
                .all(|a| counts(a, *f) == counts(a, StatusFilter::Proposed))
    })
}

/// The as-of dates worth evaluating: each date something changes on, and the day before the
/// first; latest first; only those at which the instrument counts.
fn as_of_dates(rs: &RuleSet, inst: InstrumentId, dates: &[Date]) -> Vec<(Date, StatusFilter)> {
    let mut ds: Vec<Date> = dates.to_vec();
    ds.sort();
    ds.dedup();
    if let Some(first) = ds.first().copied() {
        if let Some(before) = shift(first, -1, DurUnit::Days) {
            ds.insert(0, before);
        }
    }
    ds.into_iter()
        .rev()
        .filter_map(|d| filter_at(rs, inst, d).map(|f| (d, f)))
        .collect()
}

/// Every combination of readings of the questions (default first), as the non-default choices.
fn reading_combos(rs: &RuleSet, qs: &[QuestionId]) -> Vec<Vec<(QuestionId, u16)>> {
    let mut out: Vec<Vec<(QuestionId, u16)>> = vec![Vec::new()];
    for q in qs {
        let Some(question) = rs.question(*q) else {
            continue;
        };
        let mut next = Vec::new();
        for combo in &out {
            for r in 0..question.readings.len() {
                let Ok(r) = u16::try_from(r) else { continue };
                let mut c = combo.clone();
                if r != question.default {
                    c.push((*q, r));
                }
                next.push(c);
            }
        }
        // Default readings first.
        next.sort_by_key(Vec::len);
        next.truncate(MAX_READING_COMBINATIONS);
        out = next;
    }
    out
}

fn questions_in(cone: &BTreeSet<Node>) -> Vec<QuestionId> {
    cone.iter()
        .filter_map(|n| match n {
            Node::Question(q) => Some(*q),
            _ => None,
        })
        .collect()
}

fn role_finding(o: &Outcome, role: RoleId, actor: u32, subject: EntityRef) -> Option<RoleStatus> {
    o.roles
        .iter()
        .find(|r| r.role == role && r.actor == actor && r.subject == subject)
        .map(|r| r.status)
}

/// The facts that would decide any actor's role on the subject.
fn role_missing(o: &Outcome, role: RoleId, subject: EntityRef, out: &mut Vec<FactRef>) {
    for r in &o.roles {
        if r.role == role && r.subject == subject && r.status == RoleStatus::Undetermined {
            out.extend(r.missing.iter().copied());
        }
    }
}

fn finding(
    o: &Outcome,
    ob: ObligationId,
    actor: u32,
    subject: EntityRef,
) -> Option<&crate::eval::Finding> {
    o.findings
        .iter()
        .find(|f| f.obligation == ob && f.actor == actor && f.subject == subject)
}

/// The facts read by the exemption `x` (and its exceptions) that are still unknown, from a
/// traced finding.
fn unknown_exemption_facts(f: &crate::eval::Finding, x: ExemptionId) -> Vec<FactRef> {
    f.trace
        .iter()
        .filter(|s| matches!(s.rule, RuleRef::Exemption(y) | RuleRef::Exception(y, _) if y == x))
        .flat_map(|s| s.reads.iter())
        .filter(|r| r.value.is_none())
        .map(|r| r.fact)
        .collect()
}

/// Builds a copy of the rule set with one more role in `inst`, held by every actor for a
/// subject of `kind` exactly when the definition `def` is true of it: a way to evaluate a
/// definition with the real evaluator.
pub fn probe_rules(rs: &RuleSet, inst: InstrumentId, def: DefId, kind: Kind) -> (RuleSet, RoleId) {
    let mut p = rs.clone();
    let span = Span::new(FileId(0), 0..0);
    let subject = Expr {
        kind: ExprKind::Var(1),
        ty: Type::Entity(kind),
        span,
    };
    let when = Expr {
        kind: ExprKind::Def(Box::new(subject), def),
        ty: Type::Bool,
        span,
    };
    let id = RoleId::from_index(p.roles.len());
    p.roles.push(Role {
        instrument: inst,
        id: "lint-probe".into(),
        subject: kind,
        title: "lint probe".into(),
        citation: "lint".into(),
        routes: vec![Route {
            id: None,
            title: None,
            citation: "lint".into(),
            when,
            displaces: false,
        }],
        note: None,
        added_by: None,
        span,
    });
    p.role_obligations.push(Vec::new());
    if let Some(v) = p.instrument_roles.get_mut(inst.index()) {
        v.push(id);
    }
    (p, id)
}

#[derive(Clone, Copy, Debug)]
enum Task {
    Role(InstrumentId, RoleId),
    Obligation(InstrumentId, RoleId, ObligationId),
    HighRisk(InstrumentId, DefId),
}

/// Most nodes an exploration for an exemption's effect visits.
const EXEMPT_BUDGET: usize = 1024;
/// Most nodes an exploration for a contested finding visits (the contested surface is
/// informational; a capped search only stops a question from being reported as dead).
const CONTESTED_BUDGET: usize = 384;

/// What one exemption was seen doing for one obligation.
#[derive(Clone, Debug)]
struct ExemptionSeen {
    exemption: ExemptionId,
    obligation: ObligationId,
    exempted: bool,
    /// Whether the obligation's role is ever held (else the role's report covers it).
    role_held: bool,
    /// A point where the obligation's role is held and the exemption does not exempt it.
    witness: Option<(Point, Status, Option<ExemptionId>)>,
    /// The search stopped at its node budget.
    capped: bool,
}

#[derive(Default)]
struct TaskOut {
    reports: Vec<Report>,
    exemptions: Vec<ExemptionSeen>,
    /// Questions whose reading changed some finding.
    questions_alive: BTreeSet<QuestionId>,
    /// Questions some explored obligation depends on.
    questions_seen: BTreeSet<QuestionId>,
    /// Questions whose search was cut by the budget somewhere (not provably dead).
    questions_capped: BTreeSet<QuestionId>,
    /// The role, when a role task found it held.
    held: Option<RoleId>,
    stats: DeepStats,
}

struct Ctx<'a, 'b> {
    ix: &'b Index<'a>,
    ex: Explorer,
    budget: usize,
    out: TaskOut,
}

impl Ctx<'_, '_> {
    fn explore(
        &mut self,
        what: &str,
        budget: usize,
        chain: &Chain,
        worlds: &[World],
        part: &Partition,
        visit: &mut dyn FnMut(&Assignment, &[std::rc::Rc<Outcome>]) -> Visit,
    ) -> Ended {
        self.out.stats.explorations += 1;
        let ended = self
            .ex
            .explore(chain, worlds, part, budget.min(self.budget), visit);
        if ended == Ended::Capped {
            let date = worlds
                .first()
                .map(|w| w.as_of.to_string())
                .unwrap_or_default();
            self.out
                .stats
                .capped
                .push(format!("{what} (chain {:?}, {date})", chain.key()));
        }
        ended
    }

    fn note_capped_sets(&mut self, part: &Partition) {
        for f in &part.capped {
            if let Some(x) = self.ix.rs.fact(*f) {
                self.out
                    .stats
                    .capped_sets
                    .insert(format!("{}.{}", x.on, x.id));
            }
        }
    }
}

/// Runs the deep analysis.
pub fn deep(rs: &RuleSet, opts: &DeepOptions) -> (Vec<Report>, DeepStats) {
    let ix = Index::new(rs);
    let base = opts
        .instrument
        .map(|i| rs.instrument(i).and_then(|x| x.amends).unwrap_or(i));
    let instruments: Vec<InstrumentId> = (0..rs.instruments.len())
        .map(InstrumentId::from_index)
        .filter(|i| rs.instrument(*i).is_some_and(|x| x.amends.is_none()))
        .filter(|i| base.is_none_or(|b| b == *i))
        .collect();
    let threads = opts.threads.max(1);
    let role_tasks: Vec<Task> = instruments
        .iter()
        .flat_map(|inst| {
            rs.instrument_roles
                .get(inst.index())
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|r| Task::Role(*inst, *r))
        })
        .collect();
    let mut results = run_phase(&ix, &role_tasks, threads, opts.budget);
    let held: BTreeSet<RoleId> = results.iter().filter_map(|o| o.held).collect();
    let mut tasks = Vec::new();
    for &inst in &instruments {
        if let Some(def) = high_risk_def(rs, inst) {
            tasks.push(Task::HighRisk(inst, def));
        }
        for &r in rs
            .instrument_roles
            .get(inst.index())
            .map_or(&[][..], Vec::as_slice)
        {
            if held.contains(&r) {
                for &o in rs
                    .role_obligations
                    .get(r.index())
                    .map_or(&[][..], Vec::as_slice)
                {
                    tasks.push(Task::Obligation(inst, r, o));
                }
            }
        }
    }
    results.extend(run_phase(&ix, &tasks, threads, opts.budget));
    let mut reports = Vec::new();
    let mut stats = DeepStats {
        instruments: instruments.len(),
        ..DeepStats::default()
    };
    let mut exemptions: Vec<ExemptionSeen> = Vec::new();
    let mut alive = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut capped_q = BTreeSet::new();
    for o in results {
        reports.extend(o.reports);
        exemptions.extend(o.exemptions);
        alive.extend(o.questions_alive);
        seen.extend(o.questions_seen);
        capped_q.extend(o.questions_capped);
        stats.roles += o.stats.roles;
        stats.obligations += o.stats.obligations;
        stats.explorations += o.stats.explorations;
        stats.nodes += o.stats.nodes;
        stats.evaluations += o.stats.evaluations;
        stats.capped.extend(o.stats.capped);
        stats.capped_sets.extend(o.stats.capped_sets);
    }
    stats.capped.sort();
    reports.extend(exemption_reports(&ix, &exemptions));
    for q in seen.difference(&alive).filter(|q| !capped_q.contains(q)) {
        let node = Node::Question(*q);
        let Some(question) = rs.question(*q) else {
            continue;
        };
        reports.push(Report {
            problem: Problem::ReadingNeverMatters,
            instrument: Some(question.instrument),
            rule: Some(node),
            span: Some(question.span),
            message: format!(
                "no finding changes with the reading of question `{}`",
                rule_id(rs, node)
            ),
            details: vec![format!(
                "every obligation that reads `reading.{}` has the same status under each of its {} readings, at every point explored",
                question.id,
                question.readings.len()
            )],
            help: "the readings do not lead to different outcomes: remove the question, or make the rules that read it depend on the reading".into(),
            witness: None,
            explained: is_explained(rs, node, Problem::ReadingNeverMatters),
        });
    }
    super::sort(rs, &mut reports);
    (reports, stats)
}

fn exemption_reports(ix: &Index<'_>, seen: &[ExemptionSeen]) -> Vec<Report> {
    let rs = ix.rs;
    let mut by_x: BTreeMap<ExemptionId, Vec<&ExemptionSeen>> = BTreeMap::new();
    for s in seen {
        by_x.entry(s.exemption).or_default().push(s);
    }
    let mut out = Vec::new();
    for (x, list) in by_x {
        if list.iter().any(|s| s.exempted) || !list.iter().any(|s| s.role_held) {
            continue;
        }
        let Some(ex) = rs.exemption(x) else { continue };
        let node = Node::Exemption(x);
        let name = rule_id(rs, node);
        let obligations: Vec<String> = list
            .iter()
            .filter_map(|s| rs.obligation(s.obligation).map(|o| format!("`{}`", o.id)))
            .collect();
        let message = format!("exemption `{name}` never exempts anything");
        let mut details = vec![format!(
            "wherever {} would apply, the exemption does not hold, or a higher-priority exemption or one of its exceptions takes over",
            obligations.join(", ")
        )];
        if list.iter().any(|s| s.capped) {
            details.push("a search was cut short by the node budget (not exhaustive)".into());
        }
        let witness = list
            .iter()
            .find_map(|s| s.witness.as_ref().map(|w| (s.obligation, w)))
            .map(|(ob, (p, st, by))| {
                let expects = vec![obligation_expect(
                    rs,
                    p,
                    ob,
                    *st,
                    *by,
                    "the exemption does not exempt it",
                )];
                make_witness(
                    rs,
                    Problem::ExemptionNeverExempts,
                    &name,
                    &message,
                    &details,
                    p,
                    &expects,
                    Check::Expectations,
                )
            });
        out.push(Report {
            problem: Problem::ExemptionNeverExempts,
            instrument: Some(ex.instrument),
            rule: Some(node),
            span: Some(ex.span),
            message,
            details,
            help: "check the exemption's condition and exceptions against its obligations' roles and conditions, and its priority against the others".into(),
            witness,
            explained: is_explained(rs, node, Problem::ExemptionNeverExempts),
        });
    }
    out
}

/// Runs tasks on `threads` workers, each with its own explorer; results in task order.
fn run_phase(ix: &Index<'_>, tasks: &[Task], threads: usize, budget: usize) -> Vec<TaskOut> {
    let results: Mutex<Vec<(usize, TaskOut)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let threads = threads.min(tasks.len()).max(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut cx = Ctx {
                    ix,
                    ex: Explorer::new(ix.rs.clone()),
                    budget,
                    out: TaskOut::default(),
                };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(i) else { break };
                    let (n0, e0) = (cx.ex.nodes, cx.ex.evaluations);
                    let mut out = match *task {
                        Task::Role(inst, role) => {
                            role_task(&mut cx, inst, role);
                            std::mem::take(&mut cx.out)
                        }
                        Task::Obligation(inst, role, ob) => {
                            obligation_task(&mut cx, inst, role, ob);
                            std::mem::take(&mut cx.out)
                        }
                        Task::HighRisk(inst, def) => high_risk_task(ix, inst, def, budget),
                    };
                    if !matches!(task, Task::HighRisk(..)) {
                        out.stats.nodes = cx.ex.nodes - n0;
                        out.stats.evaluations = cx.ex.evaluations - e0;
                    }
                    if let Ok(mut r) = results.lock() {
                        r.push((i, out));
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

fn file_stem(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "the parts of one witness")]
fn make_witness(
    rs: &RuleSet,
    problem: Problem,
    rule: &str,
    message: &str,
    details: &[String],
    p: &Point,
    expects: &[Expect],
    check: Check,
) -> Witness {
    let name = file_stem(&format!("{}--{}", problem.name(), rule.replace('/', "--")));
    let reproduce = match check {
        Check::Contested { .. } => format!("onus run [--rules DIR] --all-readings {name}.toml"),
        _ => format!("onus check [--rules DIR] {name}.toml   (its [[expect]] entries hold)"),
    };
    let mut header = vec![format!(
        "Witness of lint {} ({}): {message}",
        problem.code(),
        problem.name()
    )];
    header.extend(details.iter().cloned());
    header.push(format!("Reproduce: {reproduce}"));
    header.push("Written by `onus lint --deep`; facts left out are unknown.".into());
    let toml = p
        .chain
        .toml(rs, &p.world, &p.facts, &header, &name, expects);
    Witness { name, toml, check }
}

fn obligation_expect(
    rs: &RuleSet,
    p: &Point,
    ob: ObligationId,
    status: Status,
    by: Option<ExemptionId>,
    reason: &str,
) -> Expect {
    Expect {
        actor: p
            .chain
            .id(EntityRef {
                kind: Kind::Actor,
                index: ME,
            })
            .into(),
        target: ExpectWhat::Obligation(rs.obligation(ob).map_or("?".into(), |o| o.id.clone())),
        subject: p.chain.id(p.chain.subject_ref()).into(),
        status: status.name().into(),
        exempted_by: by.and_then(|x| rs.exemption(x)).map(|x| x.id.clone()),
        reason: Some(reason.into()),
    }
}

fn role_expect(
    rs: &RuleSet,
    p: &Point,
    actor: u32,
    role: RoleId,
    subject: EntityRef,
    status: &str,
) -> Expect {
    Expect {
        actor: p
            .chain
            .id(EntityRef {
                kind: Kind::Actor,
                index: actor,
            })
            .into(),
        target: ExpectWhat::Role(rs.role(role).map_or("?".into(), |r| r.id.clone())),
        subject: p.chain.id(subject).into(),
        status: status.into(),
        exempted_by: None,
        reason: None,
    }
}

/// The worlds of one instrument at the given dates and readings, latest date first.
fn worlds(rs: &RuleSet, inst: InstrumentId, dates: &[Date], qs: &[QuestionId]) -> Vec<World> {
    let combos = reading_combos(rs, qs);
    let mut out = Vec::new();
    for (d, filter) in as_of_dates(rs, inst, dates) {
        for c in &combos {
            out.push(World {
                instrument: inst,
                as_of: d,
                filter,
                readings: c.clone(),
            });
        }
    }
    out
}

fn role_task(cx: &mut Ctx<'_, '_>, inst: InstrumentId, role_id: RoleId) {
    let rs = cx.ix.rs;
    let Some(role) = rs.role(role_id) else { return };
    cx.out.stats.roles += 1;
    let node = Node::Role(role_id);
    let cone = cx.ix.cone(node);
    let qs = questions_in(&cone);
    let dates = cx.ix.status_dates(inst);
    let part = Partition::new(rs, &cx.ix.atoms(&cone), &dates);
    cx.note_capped_sets(&part);
    let chains = Chain::variants(role.subject, cx.ix.uses(&cone), false);
    let worlds = worlds(rs, inst, &dates, &qs);
    let name = rule_id(rs, node);
    cx.ex.focus(inst, &[role_id], &[]);
    let mut held = false;
    let mut absent: Option<Point> = None;
    let mut displaced: Option<Point> = None;
    let mut explored = 0u64;
    'outer: for w in &worlds {
        for chain in &chains {
            let subject = chain.subject_ref();
            let ws = [w.clone()];
            let nodes0 = cx.ex.nodes;
            let ended = cx.explore(
                &format!("{name} [role]"),
                usize::MAX,
                chain,
                &ws,
                &part,
                &mut |asg, outs| {
                    let Some(o) = outs.first() else {
                        return Visit::Leaf;
                    };
                    match role_finding(o, role_id, ME, subject) {
                        Some(RoleStatus::Holds) => Visit::Stop,
                        Some(RoleStatus::Displaced) => {
                            if displaced.is_none() {
                                displaced = Some(Point {
                                    chain: *chain,
                                    world: w.clone(),
                                    facts: asg.clone(),
                                });
                            }
                            Visit::Leaf
                        }
                        None => {
                            if absent.is_none() {
                                absent = Some(Point {
                                    chain: *chain,
                                    world: w.clone(),
                                    facts: asg.clone(),
                                });
                            }
                            Visit::Leaf
                        }
                        Some(RoleStatus::Undetermined) => {
                            let mut m = Vec::new();
                            role_missing(o, role_id, subject, &mut m);
                            Visit::Branch(m)
                        }
                    }
                },
            );
            explored += cx.ex.nodes - nodes0;
            if ended == Ended::Stopped {
                held = true;
                break 'outer;
            }
        }
    }
    if !held {
        let obligations: Vec<String> = rs
            .role_obligations
            .get(role_id.index())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|o| rs.obligation(*o).map(|x| format!("`{}`", x.id)))
            .collect();
        let message = format!("role `{name}` can never be held");
        let mut details = vec![format!(
            "no actor holds it in any of the {explored} combinations of facts explored ({} arrangements of the chain × {} dates and readings)",
            chains.len(),
            worlds.len()
        )];
        if displaced.is_some() {
            details.push(
                "where its routes are true, another actor's displacing route takes it".into(),
            );
        }
        if !obligations.is_empty() {
            details.push(format!(
                "so these obligations never apply: {}",
                obligations.join(", ")
            ));
        }
        let witness = displaced.as_ref().or(absent.as_ref()).map(|p| {
            let status = if displaced.is_some() {
                "displaced"
            } else {
                "absent"
            };
            let expects = vec![role_expect(
                rs,
                p,
                ME,
                role_id,
                p.chain.subject_ref(),
                status,
            )];
            make_witness(
                rs,
                Problem::RoleNeverHeld,
                &name,
                &message,
                &details,
                p,
                &expects,
                Check::Expectations,
            )
        });
        cx.out.reports.push(Report {
            problem: Problem::RoleNeverHeld,
            instrument: Some(inst),
            rule: Some(node),
            span: Some(role.span),
            message,
            details,
            help: "check the role's routes against the facts they read: each route should be true for some chain".into(),
            witness,
            explained: is_explained(rs, node, Problem::RoleNeverHeld),
        });
        for &ob in rs
            .role_obligations
            .get(role_id.index())
            .map_or(&[][..], Vec::as_slice)
        {
            for &x in rs
                .obligation_exemptions
                .get(ob.index())
                .map_or(&[][..], Vec::as_slice)
            {
                cx.out.exemptions.push(ExemptionSeen {
                    exemption: x,
                    obligation: ob,
                    exempted: false,
                    role_held: false,
                    witness: None,
                    capped: false,
                });
            }
        }
        return;
    }
    cx.out.held = Some(role_id);
}

#[derive(Default)]
struct ObligationSeen {
    applies: Option<(Point, Status)>,
    exempt: BTreeMap<ExemptionId, Point>,
    pending: Option<Point>,
    not_applicable: Option<Point>,
    undetermined: Option<Point>,
    nodes: u64,
    /// Some exploration stopped at the node budget.
    capped: bool,
}

/// The (world, chain) pairs to explore, the one of `first` (where the obligation applied)
/// first.
fn ordered<'w>(
    worlds: &'w [World],
    chains: &'w [Chain],
    first: Option<&Point>,
) -> Vec<(&'w World, &'w Chain)> {
    let mut v: Vec<(&World, &Chain)> = worlds
        .iter()
        .flat_map(|w| chains.iter().map(move |c| (w, c)))
        .collect();
    if let Some(p) = first {
        v.sort_by_key(|(w, c)| !(w.as_of == p.world.as_of && **c == p.chain));
    }
    v
}

fn obligation_task(cx: &mut Ctx<'_, '_>, inst: InstrumentId, role_id: RoleId, ob: ObligationId) {
    let rs = cx.ix.rs;
    let (Some(role), Some(obl)) = (rs.role(role_id), rs.obligation(ob)) else {
        return;
    };
    cx.out.stats.obligations += 1;
    let node = Node::Obligation(ob);
    let cone = cx.ix.cone(node);
    let qs = questions_in(&cone);
    let mut dates = cx.ix.status_dates(inst);
    dates.extend(cx.ix.obligation_dates(ob));
    let part = Partition::new(rs, &cx.ix.atoms(&cone), &dates);
    cx.note_capped_sets(&part);
    let chains = Chain::variants(role.subject, cx.ix.uses(&cone), false);
    let all_worlds = worlds(rs, inst, &dates, &qs);
    let name = rule_id(rs, node);
    cx.ex.focus(inst, &[role_id], &[ob]);
    let exemptions: Vec<ExemptionId> = rs
        .obligation_exemptions
        .get(ob.index())
        .cloned()
        .unwrap_or_default();

    // Goal A: some point where the obligation applies or is pending.
    let mut seen = ObligationSeen::default();
    'outer: for w in &all_worlds {
        for chain in &chains {
            let subject = chain.subject_ref();
            let ws = [w.clone()];
            let n0 = cx.ex.nodes;
            let ended = cx.explore(
                &format!("{name} [applies]"),
                usize::MAX,
                chain,
                &ws,
                &part,
                &mut |asg, outs| {
                    let Some(o) = outs.first() else {
                        return Visit::Leaf;
                    };
                    let point = || Point {
                        chain: *chain,
                        world: w.clone(),
                        facts: asg.clone(),
                    };
                    let Some(f) = finding(o, ob, ME, subject) else {
                        return Visit::Leaf;
                    };
                    match f.status {
                        Status::Applies => {
                            seen.applies = Some((point(), f.status));
                            Visit::Stop
                        }
                        Status::Pending => {
                            if seen.pending.is_none() {
                                seen.pending = Some(point());
                            }
                            Visit::Leaf
                        }
                        Status::Exempt => {
                            if let Some(x) = f.exempted_by {
                                seen.exempt.entry(x).or_insert_with(point);
                            }
                            Visit::Leaf
                        }
                        Status::NotApplicable => {
                            if seen.not_applicable.is_none() {
                                seen.not_applicable = Some(point());
                            }
                            Visit::Leaf
                        }
                        Status::Undetermined => {
                            if seen.undetermined.is_none() {
                                seen.undetermined = Some(point());
                            }
                            let mut m = f.missing.clone();
                            role_missing(o, role_id, subject, &mut m);
                            Visit::Branch(m)
                        }
                    }
                },
            );
            seen.nodes += cx.ex.nodes - n0;
            seen.capped |= ended == Ended::Capped;
            if ended == Ended::Stopped {
                break 'outer;
            }
        }
    }
    let role_held = seen.applies.is_some()
        || seen.pending.is_some()
        || !seen.exempt.is_empty()
        || seen.not_applicable.is_some()
        || seen.undetermined.is_some();
    if seen.applies.is_none() {
        never_applies_report(cx, inst, ob, &name, &seen, chains.len(), all_worlds.len());
    }

    // Goal B: each exemption not yet seen exempting.
    for (pos, &x) in exemptions.iter().enumerate() {
        let mut exempted = seen.exempt.contains_key(&x);
        let mut capped = false;
        if !exempted && role_held {
            let earlier: BTreeSet<ExemptionId> = exemptions.iter().take(pos).copied().collect();
            let first = seen.applies.as_ref().map(|(p, _)| p);
            cx.ex.set_trace(true);
            for (w, chain) in ordered(&all_worlds, &chains, first) {
                let subject = chain.subject_ref();
                let ws = [w.clone()];
                let ended = cx.explore(
                    &format!("{name} [exempt]"),
                    EXEMPT_BUDGET,
                    chain,
                    &ws,
                    &part,
                    &mut |_, outs| {
                        let Some(o) = outs.first() else {
                            return Visit::Leaf;
                        };
                        let Some(f) = finding(o, ob, ME, subject) else {
                            return Visit::Leaf;
                        };
                        match (f.status, f.exempted_by) {
                            (Status::Exempt, Some(y)) if y == x => Visit::Stop,
                            (Status::Exempt, Some(y)) if earlier.contains(&y) => Visit::Leaf,
                            (Status::Exempt | Status::Undetermined, _) => {
                                let step = |r: RuleRef| {
                                    f.trace.iter().find(|s| s.rule == r).map(|s| &s.result)
                                };
                                let own = step(RuleRef::Exemption(x));
                                // Where this exemption is certainly false, or one of its exceptions
                                // certainly holds, or a higher-priority one certainly decided, it
                                // cannot exempt whatever the other facts are.
                                if own == Some(&Value::Bool(false))
                                    || f.trace.iter().any(|s| {
                                        matches!(s.rule, RuleRef::Exception(y, _) if y == x)
                                            && s.result == Value::Bool(true)
                                    })
                                    || (own.is_none()
                                        && f.trace.iter().any(|s| {
                                            matches!(s.rule, RuleRef::Exemption(_))
                                                && s.result == Value::Bool(true)
                                        }))
                                {
                                    return Visit::Leaf;
                                }
                                let mut m = unknown_exemption_facts(f, x);
                                m.extend(f.missing.iter().copied());
                                role_missing(o, role_id, subject, &mut m);
                                Visit::Branch(m)
                            }
                            _ => Visit::Leaf,
                        }
                    },
                );
                capped |= ended == Ended::Capped;
                if ended == Ended::Stopped {
                    exempted = true;
                    break;
                }
            }
            cx.ex.set_trace(false);
        }
        let witness = seen
            .applies
            .as_ref()
            .map(|(p, st)| (p.clone(), *st, None))
            .or_else(|| {
                seen.exempt
                    .iter()
                    .find(|(y, _)| **y != x)
                    .map(|(y, p)| (p.clone(), Status::Exempt, Some(*y)))
            })
            .or_else(|| {
                seen.not_applicable
                    .as_ref()
                    .map(|p| (p.clone(), Status::NotApplicable, None))
            });
        cx.out.exemptions.push(ExemptionSeen {
            exemption: x,
            obligation: ob,
            exempted,
            role_held,
            witness,
            capped,
        });
    }

    // Goal C: for each question the obligation depends on, a point where its reading changes
    // the finding.
    let _ = obl;
    for &q in &qs {
        cx.out.questions_seen.insert(q);
        let first = seen.applies.as_ref().map(|(p, _)| p.clone());
        match contested(
            cx,
            inst,
            role_id,
            ob,
            q,
            &dates,
            &part,
            &chains,
            &name,
            first.as_ref(),
        ) {
            Ended::Stopped => {
                cx.out.questions_alive.insert(q);
            }
            Ended::Capped => {
                cx.out.questions_capped.insert(q);
            }
            Ended::Complete => {}
        }
    }
}

fn never_applies_report(
    cx: &mut Ctx<'_, '_>,
    inst: InstrumentId,
    ob: ObligationId,
    name: &str,
    seen: &ObligationSeen,
    n_chains: usize,
    n_worlds: usize,
) {
    let rs = cx.ix.rs;
    let node = Node::Obligation(ob);
    let mut explored = format!(
        "in none of the {} combinations of facts explored ({n_chains} arrangements of the chain × {n_worlds} dates and readings)",
        seen.nodes
    );
    if seen.capped {
        explored.push_str(", a search cut short by the node budget (not exhaustive)");
    }
    let (problem, message, details, point, status, by) = if let Some((x, p)) =
        seen.exempt.iter().next()
    {
        let names: Vec<String> = seen
            .exempt
            .keys()
            .map(|x| format!("`{}`", rule_id(rs, Node::Exemption(*x))))
            .collect();
        let message = if names.len() == 1 {
            format!(
                "exemption {} exempts `{name}` wherever it would apply",
                names.join("")
            )
        } else {
            format!(
                "exemptions {} together exempt `{name}` wherever it would apply",
                names.join(", ")
            )
        };
        (
            Problem::Swallowed,
            message,
            vec![format!("the obligation applies {explored}")],
            Some(p.clone()),
            Status::Exempt,
            Some(*x),
        )
    } else {
        let reason = if seen.pending.is_some() {
            "where its role is held it is at most pending: its `from` date is never reached before it ends"
        } else if seen.not_applicable.is_some() {
            "wherever its role is held, its condition is false or its `until` has passed"
        } else if seen.undetermined.is_some() {
            "wherever its role is held, it stays undetermined"
        } else {
            "its role is never held by the actor analysed"
        };
        let (p, st) = if let Some(p) = &seen.pending {
            (Some(p.clone()), Status::Pending)
        } else if let Some(p) = &seen.not_applicable {
            (Some(p.clone()), Status::NotApplicable)
        } else {
            (seen.undetermined.clone(), Status::Undetermined)
        };
        (
            Problem::NeverApplies,
            format!("obligation `{name}` can never apply"),
            vec![format!("it applies {explored}"), reason.to_string()],
            p,
            st,
            None,
        )
    };
    let witness = point.map(|p| {
        let expects = vec![obligation_expect(rs, &p, ob, status, by, problem.name())];
        make_witness(
            rs,
            problem,
            name,
            &message,
            &details,
            &p,
            &expects,
            Check::Expectations,
        )
    });
    let help = match problem {
        Problem::Swallowed => {
            "an exemption that always holds where its obligation would apply leaves the obligation without effect: narrow the exemption (an exception, a condition) or say so in the obligation's note"
        }
        _ => {
            "check the obligation's condition and dates against its role's routes, and the instrument's status history"
        }
    };
    cx.out.reports.push(Report {
        problem,
        instrument: Some(inst),
        rule: Some(node),
        span: rule_span(rs, node),
        message,
        details,
        help: help.into(),
        witness,
        explained: is_explained(rs, node, problem),
    });
}

#[expect(clippy::too_many_arguments, reason = "the context of one obligation")]
fn contested(
    cx: &mut Ctx<'_, '_>,
    inst: InstrumentId,
    role_id: RoleId,
    ob: ObligationId,
    q: QuestionId,
    dates: &[Date],
    part: &Partition,
    chains: &[Chain],
    name: &str,
    first: Option<&Point>,
) -> Ended {
    let rs = cx.ix.rs;
    let Some(question) = rs.question(q) else {
        return Ended::Complete;
    };
    let mut capped = false;
    let mut found: Option<(Point, Vec<Option<Status>>)> = None;
    let mut pairs: Vec<((Date, StatusFilter), &Chain)> = as_of_dates(rs, inst, dates)
        .into_iter()
        .flat_map(|d| chains.iter().map(move |c| (d, c)))
        .collect();
    if let Some(p) = first {
        pairs.sort_by_key(|((d, _), c)| !(*d == p.world.as_of && **c == p.chain));
    }
    for ((d, filter), chain) in pairs {
        let ws: Vec<World> = (0..question.readings.len())
            .filter_map(|r| u16::try_from(r).ok())
            .map(|r| World {
                instrument: inst,
                as_of: d,
                filter,
                readings: if r == question.default {
                    Vec::new()
                } else {
                    vec![(q, r)]
                },
            })
            .collect();
        {
            let subject = chain.subject_ref();
            let ended = cx.explore(
                &format!("{name} [contested]"),
                CONTESTED_BUDGET,
                chain,
                &ws,
                part,
                &mut |asg, outs| {
                    let mut statuses = Vec::new();
                    let mut missing = Vec::new();
                    for o in outs {
                        let f = finding(o, ob, ME, subject);
                        if let Some(f) = f.filter(|f| f.status == Status::Undetermined) {
                            missing.extend(f.missing.iter().copied());
                            role_missing(o, role_id, subject, &mut missing);
                        }
                        statuses.push(f.map(|f| f.status));
                    }
                    if !missing.is_empty() {
                        return Visit::Branch(missing);
                    }
                    if statuses.windows(2).any(|w| matches!(w, [a, b] if a != b)) {
                        found = Some((
                            Point {
                                chain: *chain,
                                world: World {
                                    readings: Vec::new(),
                                    ..ws.first().cloned().unwrap_or(World {
                                        instrument: inst,
                                        as_of: d,
                                        filter,
                                        readings: Vec::new(),
                                    })
                                },
                                facts: asg.clone(),
                            },
                            statuses,
                        ));
                        return Visit::Stop;
                    }
                    Visit::Leaf
                },
            );
            capped |= ended == Ended::Capped;
            if ended == Ended::Stopped {
                break;
            }
        }
    }
    let Some((p, statuses)) = found else {
        return if capped {
            Ended::Capped
        } else {
            Ended::Complete
        };
    };
    let node = Node::Obligation(ob);
    let qname = rule_id(rs, Node::Question(q));
    let message = format!("`{name}` changes with the reading of `{qname}`");
    let per: Vec<String> = question
        .readings
        .iter()
        .zip(&statuses)
        .map(|(r, s)| {
            format!(
                "under `{}`: {}",
                r.id,
                s.map_or("no finding (role not held)", Status::name)
            )
        })
        .collect();
    let details = vec![per.join("; ")];
    let witness = make_witness(
        rs,
        Problem::Contested,
        &format!("{name}--{}", question.id),
        &message,
        &details,
        &p,
        &[],
        Check::Contested {
            actor: p
                .chain
                .id(EntityRef {
                    kind: Kind::Actor,
                    index: ME,
                })
                .into(),
            obligation: ob,
            subject: p.chain.id(p.chain.subject_ref()).into(),
        },
    );
    cx.out.reports.push(Report {
        problem: Problem::Contested,
        instrument: Some(inst),
        rule: Some(node),
        span: rule_span(rs, node),
        message,
        details,
        help: "informational: this is where the unsettled question decides the outcome".into(),
        witness: Some(witness),
        explained: false,
    });
    Ended::Stopped
}

/// The definition that says a system is high-risk, if the instrument has one and a provider
/// (or developer) role on systems.
fn high_risk_def(rs: &RuleSet, inst: InstrumentId) -> Option<DefId> {
    let def = rs.defs.iter().enumerate().find(|(_, d)| {
        d.instrument == inst
            && d.on == Some(Kind::System)
            && d.added_by.is_none()
            && matches!(d.id.as_str(), "high_risk" | "high_risk_system")
    })?;
    provider_roles(rs, inst).first()?;
    Some(DefId::from_index(def.0))
}

fn provider_roles(rs: &RuleSet, inst: InstrumentId) -> Vec<RoleId> {
    rs.instrument_roles
        .get(inst.index())
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .copied()
        .filter(|r| {
            rs.role(*r).is_some_and(|x| {
                x.subject == Kind::System && matches!(x.id.as_str(), "provider" | "developer")
            })
        })
        .collect()
}

fn high_risk_task(ix: &Index<'_>, inst: InstrumentId, def: DefId, budget: usize) -> TaskOut {
    let rs = ix.rs;
    let mut out = TaskOut::default();
    let providers = provider_roles(rs, inst);
    let touching: Vec<RoleId> = rs
        .instrument_roles
        .get(inst.index())
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .copied()
        .filter(|r| !providers.contains(r))
        .filter(|r| {
            rs.role(*r)
                .is_some_and(|x| matches!(x.subject, Kind::System | Kind::Deployment))
        })
        .collect();
    let mut cone = ix.cone(Node::Def(def));
    for r in providers.iter().chain(&touching) {
        cone.extend(ix.cone(Node::Role(*r)));
    }
    let with_deployment = touching
        .iter()
        .any(|r| rs.role(*r).is_some_and(|x| x.subject == Kind::Deployment));
    let (probe, probe_role) = probe_rules(rs, inst, def, Kind::System);
    let mut ex = Explorer::new(probe);
    let mut focus: Vec<RoleId> = providers.iter().chain(&touching).copied().collect();
    focus.push(probe_role);
    ex.focus(inst, &focus, &[]);
    let dates = ix.status_dates(inst);
    let part = Partition::new(rs, &ix.atoms(&cone), &dates);
    let chains = Chain::variants(Kind::System, ix.uses(&cone), with_deployment);
    let worlds = worlds(rs, inst, &dates, &[]);
    let system = EntityRef {
        kind: Kind::System,
        index: 0,
    };
    let deployment = EntityRef {
        kind: Kind::Deployment,
        index: 0,
    };
    let mut found: Option<(Point, u32, RoleId, EntityRef)> = None;
    let name = rule_id(rs, Node::Def(def));
    'outer: for w in &worlds {
        for chain in &chains {
            let ws = [w.clone()];
            out.stats.explorations += 1;
            let ended = ex.explore(chain, &ws, &part, budget, &mut |asg, outs| {
                let Some(o) = outs.first() else {
                    return Visit::Leaf;
                };
                let mut missing = Vec::new();
                match role_finding(o, probe_role, ME, system) {
                    None | Some(RoleStatus::Displaced) => return Visit::Leaf,
                    Some(RoleStatus::Undetermined) => {
                        role_missing(o, probe_role, system, &mut missing)
                    }
                    Some(RoleStatus::Holds) => {}
                }
                for p in &providers {
                    for a in [ME, OTHER] {
                        match role_finding(o, *p, a, system) {
                            Some(RoleStatus::Holds) => return Visit::Leaf,
                            Some(RoleStatus::Undetermined) => {
                                role_missing(o, *p, system, &mut missing)
                            }
                            _ => {}
                        }
                    }
                }
                let mut holder = None;
                for t in &touching {
                    let subject = match rs.role(*t).map(|x| x.subject) {
                        Some(Kind::Deployment) => deployment,
                        _ => system,
                    };
                    for a in [ME, OTHER] {
                        match role_finding(o, *t, a, subject) {
                            Some(RoleStatus::Holds) => {
                                holder = holder.or(Some((a, *t, subject)));
                            }
                            Some(RoleStatus::Undetermined) => {
                                role_missing(o, *t, subject, &mut missing)
                            }
                            _ => {}
                        }
                    }
                }
                if missing.is_empty() {
                    if let Some((a, t, s)) = holder {
                        found = Some((
                            Point {
                                chain: *chain,
                                world: w.clone(),
                                facts: asg.clone(),
                            },
                            a,
                            t,
                            s,
                        ));
                        return Visit::Stop;
                    }
                    return Visit::Leaf;
                }
                Visit::Branch(missing)
            });
            if ended == Ended::Capped {
                out.stats.capped.push(format!(
                    "{name} without provider (chain {:?}, {})",
                    chain.key(),
                    w.as_of
                ));
            }
            if ended == Ended::Stopped {
                break 'outer;
            }
        }
    }
    out.stats.nodes = ex.nodes;
    out.stats.evaluations = ex.evaluations;
    let Some((p, holder, trole, tsubject)) = found else {
        return out;
    };
    let node = Node::Def(def);
    let provider_names: Vec<String> = providers
        .iter()
        .filter_map(|r| rs.role(*r).map(|x| format!("`{}`", x.id)))
        .collect();
    let message = format!(
        "a high-risk system (`{name}`) within `{}` can have no provider",
        rs.instrument(inst).map_or("?", |i| i.id.as_str())
    );
    let details = vec![format!(
        "`{}` holds `{}`, but no actor holds {}",
        p.chain.id(EntityRef {
            kind: Kind::Actor,
            index: holder
        }),
        rule_id(rs, Node::Role(trole)),
        provider_names.join(" or ")
    )];
    let mut expects = Vec::new();
    for r in &providers {
        for a in [ME, OTHER] {
            expects.push(role_expect(rs, &p, a, *r, system, "absent"));
        }
    }
    expects.push(role_expect(rs, &p, holder, trole, tsubject, "holds"));
    let witness = make_witness(
        rs,
        Problem::HighRiskWithoutProvider,
        &name,
        &message,
        &details,
        &p,
        &expects,
        Check::HighRisk {
            instrument: inst,
            def,
        },
    );
    out.reports.push(Report {
        problem: Problem::HighRiskWithoutProvider,
        instrument: Some(inst),
        rule: Some(node),
        span: rule_span(rs, node),
        message,
        details,
        help: "every high-risk system the instrument reaches should have someone answerable for it: check the provider role's routes against the other roles' scope".into(),
        witness: Some(witness),
        explained: is_explained(rs, node, Problem::HighRiskWithoutProvider),
    });
    out
}
