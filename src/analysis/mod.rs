//! Analyses over evaluation: which unknown facts would decide undetermined findings (`onus
//! ask`), and how far each known number is from the thresholds the rules compare it with
//! (`onus run --sensitivity`).
//!
//! Both work by re-evaluating the scenario with one fact changed and comparing outcomes, so
//! every conclusion comes from `eval::evaluate` itself. The values tried for a fact form a finite
//! partition of its type: both booleans, every enum value, for sets the empty set, each single
//! value and all values, every actor (and none), and for numbers and dates the values just
//! below, at and just above each threshold the rules compare the fact with (found by walking the
//! rules in force, [`thresholds`]). A fact *decides* an undetermined finding when some value of
//! it makes the finding's status definite, or makes it certain the actor bears no such finding.
//!
//! Pure: no files, no clock. The as-of date and all inputs are parameters.

pub mod answer;
mod fold;
pub mod thresholds;
pub mod writeback;

pub use thresholds::{Comparison, Within, op_text};

use crate::eval::{self, FactRef, Finding, Options, Outcome, RoleStatus, Status};
use crate::ir::*;
use fold::Law;
use std::collections::{BTreeMap, BTreeSet};

/// Identifies a finding across evaluations of variants of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub role: RoleId,
    pub subject: EntityRef,
    pub obligation: ObligationId,
}

impl FindingKey {
    pub fn of(f: &Finding) -> FindingKey {
        FindingKey {
            actor: f.actor,
            instrument: f.instrument,
            role: f.role,
            subject: f.subject,
            obligation: f.obligation,
        }
    }

    pub fn role_key(self) -> RoleKey {
        RoleKey {
            actor: self.actor,
            instrument: self.instrument,
            role: self.role,
            subject: self.subject,
        }
    }
}

/// Identifies a role finding: an actor and a role for one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleKey {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub role: RoleId,
    pub subject: EntityRef,
}

/// Where a tried value sits relative to the thresholds of its fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    /// A value of an unordered type (bool, enum value, set, actor, text).
    Exactly(Value),
    /// Just below a threshold (a number a billionth below it, the day before a date).
    Below(Value),
    At(Value),
    /// Just above a threshold.
    Above(Value),
}

impl Probe {
    /// The value tried.
    pub fn value(&self) -> Value {
        match self {
            Probe::Exactly(v) | Probe::At(v) => v.clone(),
            Probe::Below(t) => nudge(t, false).unwrap_or(Value::Unknown),
            Probe::Above(t) => nudge(t, true).unwrap_or(Value::Unknown),
        }
    }
}

/// The least step past a threshold: a billionth of a number, a day.
fn nudge(t: &Value, up: bool) -> Option<Value> {
    match t {
        Value::Num(n) => {
            let d = (n.abs() * 1e-9).max(1e-9);
            Some(Value::Num(if up { n + d } else { n - d }))
        }
        Value::Date(d) => {
            fold::shift_date(*d, if up { 1 } else { -1 }, DurUnit::Days).map(Value::Date)
        }
        _ => None,
    }
}

/// A set of values of one fact, for saying what happens if the answer falls in it.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Numbers or dates between bounds (`None`: unbounded); the flag says the bound is included.
    Range {
        min: Option<(Value, bool)>,
        max: Option<(Value, bool)>,
    },
    /// These values.
    OneOf(Vec<Value>),
}

/// What a finding becomes when the answer falls in `values`; `None`: the actor would bear no
/// such finding (it certainly does not hold the role).
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub values: Values,
    pub status: Option<Status>,
}

/// An undetermined finding a question decides.
#[derive(Clone, Debug)]
pub struct Decided {
    pub finding: FindingKey,
    pub cases: Vec<Case>,
}

/// Penalty exposure of the findings a question decides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExposureSum {
    /// Maxima computed from the facts, summed per currency.
    pub amounts: Vec<(Unit, f64)>,
    /// Decided findings with a penalty whose amount depends on unknown facts.
    pub unquantified: usize,
}

impl ExposureSum {
    /// All amounts together, whatever the currency: only used to rank.
    pub fn total(&self) -> f64 {
        self.amounts.iter().map(|(_, a)| a).sum()
    }
}

/// One question worth asking: an unknown fact that decides at least one undetermined finding.
#[derive(Clone, Debug)]
pub struct Question {
    pub fact: FactRef,
    /// The values tried.
    pub probes: Vec<Probe>,
    /// For numbers and dates: the thresholds the rules compare the fact with.
    pub thresholds: Vec<Value>,
    pub decides: Vec<Decided>,
    /// Undetermined roles some value of the fact decides.
    pub roles: Vec<RoleKey>,
    pub exposure: ExposureSum,
}

/// The result of `onus ask`.
#[derive(Clone, Debug)]
pub struct Asked {
    /// The undetermined findings, in outcome order.
    pub undetermined: Vec<FindingKey>,
    /// Ranked: most findings decided first, then most exposure.
    pub questions: Vec<Question>,
    /// Facts named as missing that decide nothing on their own (they matter only together with
    /// another unknown, or not at all).
    pub not_asked: Vec<FactRef>,
}

/// Sets (or with `None` clears) a fact of a scenario entity.
pub fn set_fact(sc: &mut Scenario, f: FactRef, v: Option<Value>) {
    let list = match f.entity.kind {
        Kind::Actor => &mut sc.actors,
        Kind::Model => &mut sc.models,
        Kind::System => &mut sc.systems,
        Kind::Deployment => &mut sc.deployments,
    };
    let Some(e) = list.get_mut(f.entity.index as usize) else {
        return;
    };
    if e.facts.len() <= f.fact.index() {
        e.facts.resize(f.fact.index() + 1, None);
    }
    if let Some(slot) = e.facts.get_mut(f.fact.index()) {
        *slot = v;
    }
}

fn quiet(opts: &Options) -> Options {
    Options {
        trace: false,
        ..opts.clone()
    }
}

/// Every comparison of a fact with a threshold in the rules in force for this scenario (see
/// [`thresholds::collect`] for `prune`).
pub fn comparisons(
    rs: &RuleSet,
    sc: &Scenario,
    opts: &Options,
    out: &Outcome,
    prune: bool,
) -> Vec<Comparison> {
    let law = Law::new(rs, sc, opts, out.as_of);
    thresholds::collect(&law, sc, out, prune)
}

/// The values to try for a fact: a finite partition of its type.
pub fn probes(rs: &RuleSet, sc: &Scenario, f: FactRef, comps: &[Comparison]) -> Vec<Probe> {
    let Some(def) = rs.fact(f.fact) else {
        return Vec::new();
    };
    match &def.ty {
        Type::Bool => vec![
            Probe::Exactly(Value::Bool(true)),
            Probe::Exactly(Value::Bool(false)),
        ],
        Type::Enum(e) => {
            let n = rs.enumeration(*e).map_or(0, |x| x.values.len());
            (0..n)
                .filter_map(|i| u16::try_from(i).ok())
                .map(|i| Probe::Exactly(Value::Enum(i)))
                .collect()
        }
        Type::Set(e) => {
            let n = rs.enumeration(*e).map_or(0, |x| x.values.len()).min(128);
            let mut v = vec![Probe::Exactly(Value::Set(0))];
            v.extend((0..n).map(|i| Probe::Exactly(Value::Set(1u128 << i))));
            let all = if n >= 128 {
                u128::MAX
            } else {
                (1u128 << n) - 1
            };
            if n > 1 {
                v.push(Probe::Exactly(Value::Set(all)));
            }
            v
        }
        Type::Entity(Kind::Actor) => {
            let mut v: Vec<Probe> = (0..sc.actors.len())
                .map(|i| {
                    Probe::Exactly(Value::Entity(EntityRef {
                        kind: Kind::Actor,
                        index: u32::try_from(i).unwrap_or(u32::MAX),
                    }))
                })
                .collect();
            v.push(Probe::Exactly(Value::Absent));
            v
        }
        Type::Text => {
            let mut texts: Vec<String> = comps
                .iter()
                .filter(|c| c.fact == f)
                .filter_map(|c| match &c.threshold {
                    Value::Text(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            texts.sort();
            texts.dedup();
            if texts.is_empty() {
                return Vec::new();
            }
            let mut other = String::new();
            while texts.contains(&other) {
                other.push('-');
            }
            texts.push(other);
            texts
                .into_iter()
                .map(|s| Probe::Exactly(Value::Text(s)))
                .collect()
        }
        Type::Num(_) | Type::Date => {
            let ts = thresholds_of(f, comps);
            let mut v: Vec<Probe> = Vec::new();
            for t in ts {
                v.push(Probe::Below(t.clone()));
                v.push(Probe::At(t.clone()));
                v.push(Probe::Above(t));
            }
            // Thresholds closer than the step (two dates a day apart) give the same value twice;
            // keep the `At` probe of such a pair.
            let mut out: Vec<Probe> = Vec::new();
            for p in v {
                let pv = p.value();
                if !pv.is_known() {
                    continue;
                }
                match out.iter().position(|q| q.value() == pv) {
                    Some(i) => {
                        if matches!(p, Probe::At(_)) {
                            if let Some(slot) = out.get_mut(i) {
                                *slot = p;
                            }
                        }
                    }
                    None => out.push(p),
                }
            }
            out.sort_by(|a, b| thresholds::order_value(&a.value(), &b.value()));
            out
        }
        _ => Vec::new(),
    }
}

/// The distinct numeric or date thresholds a fact is compared with, ascending.
fn thresholds_of(f: FactRef, comps: &[Comparison]) -> Vec<Value> {
    let mut ts: Vec<Value> = comps
        .iter()
        .filter(|c| c.fact == f)
        .filter(|c| matches!(c.threshold, Value::Num(_) | Value::Date(_)))
        .map(|c| c.threshold.clone())
        .collect();
    ts.sort_by(thresholds::order_value);
    ts.dedup();
    ts
}

/// Status of every finding and role of an outcome, by key.
struct Summary {
    findings: BTreeMap<FindingKey, Status>,
    roles: BTreeMap<RoleKey, RoleStatus>,
}

fn summary(o: &Outcome) -> Summary {
    Summary {
        findings: o
            .findings
            .iter()
            .map(|f| (FindingKey::of(f), f.status))
            .collect(),
        roles: o
            .roles
            .iter()
            .map(|r| {
                (
                    RoleKey {
                        actor: r.actor,
                        instrument: r.instrument,
                        role: r.role,
                        subject: r.subject,
                    },
                    r.status,
                )
            })
            .collect(),
    }
}

/// The unknown facts that decide undetermined findings, ranked.
pub fn questions(rs: &RuleSet, sc: &Scenario, opts: &Options) -> Asked {
    let opts = quiet(opts);
    let base = eval::evaluate(rs, sc, &opts);
    let undetermined: Vec<FindingKey> = base
        .findings
        .iter()
        .filter(|f| f.status == Status::Undetermined)
        .map(FindingKey::of)
        .collect();
    let open_roles: Vec<RoleKey> = base
        .roles
        .iter()
        .filter(|r| r.status == RoleStatus::Undetermined)
        .map(|r| RoleKey {
            actor: r.actor,
            instrument: r.instrument,
            role: r.role,
            subject: r.subject,
        })
        .collect();
    let mut candidates: BTreeSet<FactRef> = BTreeSet::new();
    for f in base
        .findings
        .iter()
        .filter(|f| f.status == Status::Undetermined)
    {
        candidates.extend(f.missing.iter().copied());
    }
    for r in base
        .roles
        .iter()
        .filter(|r| r.status == RoleStatus::Undetermined)
    {
        candidates.extend(r.missing.iter().copied());
    }
    // Only facts the scenario leaves out are asked.
    candidates.retain(|f| sc.fact(f.entity, f.fact).is_none());
    let comps = comparisons(rs, sc, &opts, &base, true);
    let exposure: BTreeMap<FindingKey, Option<&eval::Exposure>> = base
        .findings
        .iter()
        .map(|f| (FindingKey::of(f), f.exposure.as_ref()))
        .collect();
    let mut work = sc.clone();
    let mut questions = Vec::new();
    let mut not_asked = Vec::new();
    for fact in candidates {
        let probes = probes(rs, sc, fact, &comps);
        let mut results: Vec<Summary> = Vec::with_capacity(probes.len());
        for p in &probes {
            set_fact(&mut work, fact, Some(p.value()));
            results.push(summary(&eval::evaluate(rs, &work, &opts)));
        }
        set_fact(&mut work, fact, None);
        let mut decides = Vec::new();
        for key in &undetermined {
            let statuses: Vec<Option<Status>> = results
                .iter()
                .map(|r| r.findings.get(key).copied())
                .collect();
            if statuses.iter().any(|s| *s != Some(Status::Undetermined)) {
                decides.push(Decided {
                    finding: *key,
                    cases: cases(&probes, &statuses),
                });
            }
        }
        let roles: Vec<RoleKey> = open_roles
            .iter()
            .filter(|k| {
                results
                    .iter()
                    .any(|r| r.roles.get(k).copied() != Some(RoleStatus::Undetermined))
            })
            .copied()
            .collect();
        if decides.is_empty() {
            not_asked.push(fact);
            continue;
        }
        let mut sum = ExposureSum::default();
        for d in &decides {
            let Some(x) = exposure.get(&d.finding).copied().flatten() else {
                continue;
            };
            match x.amount {
                Some(a) => match sum.amounts.iter_mut().find(|(u, _)| *u == x.unit) {
                    Some((_, t)) => *t += a,
                    None => sum.amounts.push((x.unit, a)),
                },
                None => sum.unquantified += 1,
            }
        }
        sum.amounts.sort_by_key(|(u, _)| *u);
        let thresholds = thresholds_of(fact, &comps);
        questions.push(Question {
            fact,
            probes,
            thresholds,
            decides,
            roles,
            exposure: sum,
        });
    }
    questions.sort_by(|a, b| {
        b.decides
            .len()
            .cmp(&a.decides.len())
            .then_with(|| b.exposure.total().total_cmp(&a.exposure.total()))
            .then_with(|| b.exposure.unquantified.cmp(&a.exposure.unquantified))
            .then_with(|| a.fact.cmp(&b.fact))
    });
    Asked {
        undetermined,
        questions,
        not_asked,
    }
}

/// Groups the probes by the status they give, into ranges (ordered types) or sets of values.
fn cases(probes: &[Probe], statuses: &[Option<Status>]) -> Vec<Case> {
    let ordered = probes.iter().any(|p| !matches!(p, Probe::Exactly(_)));
    if !ordered {
        let mut out: Vec<Case> = Vec::new();
        for (p, s) in probes.iter().zip(statuses) {
            match out.iter_mut().find(|c| c.status == *s) {
                Some(Case {
                    values: Values::OneOf(v),
                    ..
                }) => v.push(p.value()),
                _ => out.push(Case {
                    values: Values::OneOf(vec![p.value()]),
                    status: *s,
                }),
            }
        }
        return out;
    }
    // Consecutive probes with the same status form one range; a boundary between two probes
    // falls on the threshold of the second if it is `At` one (`< t` | `>= t`), else on that of
    // the first (`<= t` | `> t`).
    let mut out: Vec<Case> = Vec::new();
    let mut min: Option<(Value, bool)> = None;
    let n = probes.len().min(statuses.len());
    let mut i = 0;
    while i < n {
        let s = statuses.get(i).copied().flatten();
        let mut j = i;
        while j + 1 < n && statuses.get(j + 1).copied().flatten() == s {
            j += 1;
        }
        let max = if j + 1 < n {
            match (probes.get(j), probes.get(j + 1)) {
                (_, Some(Probe::At(t))) => Some((t.clone(), false)),
                (Some(Probe::At(t)), _) => Some((t.clone(), true)),
                (_, Some(Probe::Below(t))) => Some((t.clone(), false)),
                (Some(Probe::Above(t)), _) => Some((t.clone(), true)),
                _ => None,
            }
        } else {
            None
        };
        out.push(Case {
            values: Values::Range {
                min: min.take(),
                max: max.clone(),
            },
            status: s,
        });
        min = max.map(|(t, inclusive)| (t, !inclusive));
        i = j + 1;
    }
    out
}

/// A change of one role between two outcomes (`None`: no such role finding).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleChange {
    pub key: RoleKey,
    pub before: Option<RoleStatus>,
    pub after: Option<RoleStatus>,
}

/// A change of one finding's status between two outcomes (`None`: no such finding).
#[derive(Clone, Debug, PartialEq)]
pub struct FindingChange {
    pub key: FindingKey,
    pub before: Option<Status>,
    pub after: Option<Status>,
}

/// What changed between two outcomes of the same scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    pub roles: Vec<RoleChange>,
    pub findings: Vec<FindingChange>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.findings.is_empty()
    }
}

/// The roles and findings whose status differs between `before` and `after`, in key order.
pub fn diff(before: &Outcome, after: &Outcome) -> Diff {
    let a = summary(before);
    let b = summary(after);
    let role_keys: BTreeSet<RoleKey> = a.roles.keys().chain(b.roles.keys()).copied().collect();
    let finding_keys: BTreeSet<FindingKey> = a
        .findings
        .keys()
        .chain(b.findings.keys())
        .copied()
        .collect();
    Diff {
        roles: role_keys
            .into_iter()
            .filter_map(|k| {
                let (x, y) = (a.roles.get(&k).copied(), b.roles.get(&k).copied());
                (x != y).then_some(RoleChange {
                    key: k,
                    before: x,
                    after: y,
                })
            })
            .collect(),
        findings: finding_keys
            .into_iter()
            .filter_map(|k| {
                let (x, y) = (a.findings.get(&k).copied(), b.findings.get(&k).copied());
                (x != y).then_some(FindingChange {
                    key: k,
                    before: x,
                    after: y,
                })
            })
            .collect(),
    }
}

/// How far a known number is from one threshold, and what crossing it would change.
#[derive(Clone, Debug)]
pub struct Margin {
    pub fact: FactRef,
    pub value: f64,
    pub unit: Unit,
    /// `fact op threshold` is the rule's comparison.
    pub op: CmpOp,
    pub threshold: f64,
    /// Whether `value op threshold` holds now.
    pub holds: bool,
    /// The value tried on the other side of the threshold.
    pub crossing: f64,
    /// `max(value, threshold) / min(…)` when both are positive.
    pub ratio: Option<f64>,
    /// Where the rules make this comparison.
    pub comparisons: Vec<Comparison>,
    /// What would change if the value crossed the threshold.
    pub changes: Diff,
    /// The changes are exactly those of crossing a nearer threshold on the same side, so this
    /// threshold adds nothing (e.g. a comparison in a branch the rules do not take).
    pub repeats_nearer: bool,
}

fn holds(op: CmpOp, v: f64, t: f64) -> bool {
    match op {
        CmpOp::Eq => v == t,
        CmpOp::Ne => v != t,
        CmpOp::Lt => v < t,
        CmpOp::Le => v <= t,
        CmpOp::Gt => v > t,
        CmpOp::Ge => v >= t,
    }
}

/// For every known number a rule compares with a threshold: the margin, and which roles and
/// findings would change if it crossed the threshold. Sorted by entity, fact and threshold.
pub fn sensitivity(rs: &RuleSet, sc: &Scenario, opts: &Options) -> Vec<Margin> {
    let opts = quiet(opts);
    let base = eval::evaluate(rs, sc, &opts);
    let comps = comparisons(rs, sc, &opts, &base, false);
    // Group the comparisons by (fact, operator, threshold).
    let mut groups: Vec<(FactRef, CmpOp, f64, Vec<Comparison>)> = Vec::new();
    for c in comps {
        let Value::Num(t) = c.threshold else {
            continue;
        };
        if matches!(c.op, CmpOp::Eq | CmpOp::Ne) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(f, op, x, _)| *f == c.fact && *op == c.op && x.to_bits() == t.to_bits())
        {
            Some((_, _, _, list)) => list.push(c),
            None => groups.push((c.fact, c.op, t, vec![c])),
        }
    }
    let mut work = sc.clone();
    let mut out = Vec::new();
    for (fact, op, t, comparisons) in groups {
        let Some(Value::Num(v)) = sc.fact(fact.entity, fact.fact).cloned() else {
            continue;
        };
        let unit = match rs.fact(fact.fact).map(|d| &d.ty) {
            Some(Type::Num(u)) => *u,
            _ => Unit::None,
        };
        let now = holds(op, v, t);
        // The nearest value on the other side: the threshold itself when it is excluded there,
        // else one past it (one person or user for whole counts, a billionth otherwise).
        let whole = matches!(unit, Unit::Employees | Unit::Users | Unit::Count) && t.fract() == 0.0;
        let step = |up: bool| match nudge(&Value::Num(t), up) {
            _ if whole => t + if up { 1.0 } else { -1.0 },
            Some(Value::Num(x)) => x,
            _ => t,
        };
        let crossing = [t, step(false), step(true)]
            .into_iter()
            .find(|x| holds(op, *x, t) != now)
            .unwrap_or(t);
        set_fact(&mut work, fact, Some(Value::Num(crossing)));
        let changes = diff(&base, &eval::evaluate(rs, &work, &opts));
        set_fact(&mut work, fact, Some(Value::Num(v)));
        let ratio = (v > 0.0 && t > 0.0).then(|| v.max(t) / v.min(t));
        out.push(Margin {
            fact,
            value: v,
            unit,
            op,
            threshold: t,
            holds: now,
            crossing,
            ratio,
            comparisons,
            changes,
            repeats_nearer: false,
        });
    }
    out.sort_by(|a, b| {
        a.fact
            .cmp(&b.fact)
            .then_with(|| a.threshold.total_cmp(&b.threshold))
            .then_with(|| op_text(a.op).cmp(op_text(b.op)))
    });
    mark_repeats(&mut out);
    out
}

/// Marks the margins whose crossing changes exactly what crossing the next nearer threshold of
/// the same fact, on the same side of its value, changes.
fn mark_repeats(margins: &mut [Margin]) {
    let mut i = 0;
    while i < margins.len() {
        let Some(fact) = margins.get(i).map(|m| m.fact) else {
            break;
        };
        let n = margins
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|m| m.fact == fact)
            .count();
        let Some(group) = margins.get_mut(i..i + n) else {
            break;
        };
        // Above the value: nearest first is ascending order; below: descending.
        let above: Vec<usize> = (0..n)
            .filter(|&j| group.get(j).is_some_and(|m| m.threshold > m.value))
            .collect();
        let below: Vec<usize> = (0..n)
            .rev()
            .filter(|&j| group.get(j).is_some_and(|m| m.threshold < m.value))
            .collect();
        for side in [above, below] {
            for pair in side.windows(2) {
                let (Some(&near), Some(&far)) = (pair.first(), pair.get(1)) else {
                    continue;
                };
                let same = match (group.get(near), group.get(far)) {
                    (Some(a), Some(b)) => !b.changes.is_empty() && a.changes == b.changes,
                    _ => false,
                };
                if same {
                    if let Some(m) = group.get_mut(far) {
                        m.repeats_nearer = true;
                    }
                }
            }
        }
        i += n;
    }
}
