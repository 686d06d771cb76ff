//! The finite partition of each fact's values that the rules can tell apart.
//!
//! Every comparison the rules make with a fact is an [`Atom`]: `model.training_compute >
//! systemic_risk_compute` splits the numbers at 1e25, `model.placed_on_market <
//! gpai_application_date` the dates at 2025-08-02, `system.intended_purpose in [...]` the values
//! of an enum into those inside and those outside the list. A side is a threshold when it folds
//! to a constant (literals, named values, arithmetic on them, every version an amendment gives
//! a named value); the fact's side may be scaled and shifted (`fact * k + c`, `date + 14 days`)
//! and is solved for the fact. Two facts compared with each other split each at the other's
//! thresholds, carried across the comparison.
//!
//! [`Partition::reps`] gives one value per class: every threshold itself and one value in each
//! interval between and beyond them (numbers, dates), one value per class of enum values that
//! every membership test treats alike, and subsets of the elements a set fact is tested for.
//! Unknown is not among them: an exploration node where the fact is not yet chosen *is* the
//! unknown case.

use super::index::Index;
use crate::ir::*;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// How deep constant folding and linear solving follow named values and definitions.
const MAX_DEPTH: u32 = 24;
/// Most constant values one expression folds to (one per version of the named values in it).
const MAX_FOLDED: usize = 8;
/// A set fact tested for at most this many elements is explored over every subset of them;
/// above, over the empty set, each single element and all of them (the partition is capped).
pub const MAX_SUBSET_ELEMENTS: usize = 4;

/// `fact * k + c`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lin {
    pub fact: FactId,
    pub k: f64,
    pub c: f64,
}

/// `fact + shifts` (calendar durations, applied in order).
#[derive(Clone, Debug, PartialEq)]
pub struct DateLin {
    pub fact: FactId,
    pub shifts: Vec<(i64, DurUnit)>,
}

/// One comparison of a fact that the rules make.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    Num(FactId, f64),
    Date(FactId, Date),
    /// An enum fact tested for membership in a set of values (`==` tests a single value).
    EnumIn(FactId, u128),
    /// An enum fact compared with something that is not constant: every value is its own class.
    EnumAll(FactId),
    /// A set fact tested for one element.
    SetHas(FactId, u16),
    /// A set fact used in a way that is not a membership test of a constant.
    SetAll(FactId),
    Text(FactId, String),
    NumCross(Lin, Lin),
    DateCross(DateLin, DateLin),
    /// A date fact that decides an obligation's `from` or `until`, compared with the as-of date.
    DateAsOf(DateLin),
    /// `enum_fact in set_fact`.
    EnumInSet(FactId, FactId),
}

/// Shifts a date by a calendar duration, as the evaluator does.
pub use crate::eval::shift_date as shift;

/// The constant values an expression can take (one per version of the named values it reads);
/// empty when it is not constant.
pub fn fold(ix: &Index<'_>, e: &Expr) -> Vec<Value> {
    fold_depth(ix, e, 0)
}

fn fold_depth(ix: &Index<'_>, e: &Expr, depth: u32) -> Vec<Value> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let d = depth + 1;
    let mut out: Vec<Value> = match &e.kind {
        ExprKind::Lit(v) => vec![v.clone()],
        ExprKind::Const(id) => {
            let mut v = Vec::new();
            for x in ix.def_versions(*id) {
                v.extend(fold_depth(ix, x, d));
            }
            v
        }
        ExprKind::Neg(a) => fold_depth(ix, a, d)
            .into_iter()
            .filter_map(|v| match v {
                Value::Num(n) => Some(Value::Num(-n)),
                _ => None,
            })
            .collect(),
        ExprKind::Not(a) => fold_depth(ix, a, d)
            .into_iter()
            .filter_map(|v| match v {
                Value::Bool(b) => Some(Value::Bool(!b)),
                _ => None,
            })
            .collect(),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            let and = matches!(e.kind, ExprKind::And(..));
            let x = fold_depth(ix, a, d);
            let y = fold_depth(ix, b, d);
            let mut v = Vec::new();
            for p in &x {
                for q in &y {
                    if let (Value::Bool(p), Value::Bool(q)) = (p, q) {
                        v.push(Value::Bool(if and { *p && *q } else { *p || *q }));
                    }
                }
            }
            // `false and …` and `true or …` decide whatever the other side is.
            let decisive = Value::Bool(!and);
            if (y.is_empty() && x.contains(&decisive)) || (x.is_empty() && y.contains(&decisive)) {
                v.push(decisive);
            }
            v
        }
        ExprKind::Arith(op, a, b) => {
            let x = fold_depth(ix, a, d);
            let y = fold_depth(ix, b, d);
            let mut v = Vec::new();
            for p in &x {
                for q in &y {
                    if let Some(r) = arith(*op, p, q) {
                        v.push(r);
                    }
                }
            }
            v
        }
        ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
            let min = matches!(e.kind, ExprKind::Min(..));
            let x = fold_depth(ix, a, d);
            let y = fold_depth(ix, b, d);
            let mut v = Vec::new();
            for p in &x {
                for q in &y {
                    match (p, q) {
                        (Value::Num(p), Value::Num(q)) => {
                            v.push(Value::Num(if min { p.min(*q) } else { p.max(*q) }));
                        }
                        (Value::Date(p), Value::Date(q)) => {
                            v.push(Value::Date(if min { *p.min(q) } else { *p.max(q) }));
                        }
                        _ => {}
                    }
                }
            }
            v
        }
        ExprKind::If(c, a, b) => {
            let c = fold_depth(ix, c, d);
            match c.as_slice() {
                [Value::Bool(true)] => fold_depth(ix, a, d),
                [Value::Bool(false)] => fold_depth(ix, b, d),
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    out.truncate(MAX_FOLDED);
    out
}

fn arith(op: ArithOp, x: &Value, y: &Value) -> Option<Value> {
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => {
            let r = match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div => {
                    if *b == 0.0 {
                        return None;
                    }
                    a / b
                }
            };
            r.is_finite().then_some(Value::Num(r))
        }
        (Value::Date(d), Value::Dur(n, u)) => {
            let n = if op == ArithOp::Sub { -n } else { *n };
            shift(*d, n, *u).map(Value::Date)
        }
        _ => None,
    }
}

/// The fact an expression is, directly or through a definition that only names it.
fn fact_of(ix: &Index<'_>, e: &Expr, depth: u32) -> Option<FactId> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &e.kind {
        ExprKind::Fact(_, f) => Some(*f),
        ExprKind::Def(_, d) => ix.rs.def(*d).and_then(|x| fact_of(ix, &x.expr, depth + 1)),
        _ => None,
    }
}

/// Most linear forms one side of a comparison yields (one per branch of its `if`s).
const MAX_FORMS: usize = 8;

/// Each `fact * k + c` the expression can be (one per branch of an `if`, per version of a
/// definition, per side of `min`/`max`), when it is linear in one numeric fact.
fn lins(ix: &Index<'_>, e: &Expr, depth: u32) -> Vec<Lin> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let d = depth + 1;
    let num = |x: &Expr| match fold_depth(ix, x, d).as_slice() {
        [Value::Num(n)] => Some(*n),
        _ => None,
    };
    let mut out: Vec<Lin> = match &e.kind {
        ExprKind::Fact(_, f) => ix
            .rs
            .fact(*f)
            .filter(|x| matches!(x.ty, Type::Num(_)))
            .map(|_| Lin {
                fact: *f,
                k: 1.0,
                c: 0.0,
            })
            .into_iter()
            .collect(),
        ExprKind::Def(_, id) => ix
            .def_versions(*id)
            .into_iter()
            .flat_map(|x| lins(ix, x, d))
            .collect(),
        ExprKind::If(_, a, b) | ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
            let mut v = lins(ix, a, d);
            v.extend(lins(ix, b, d));
            v
        }
        ExprKind::Neg(a) => lins(ix, a, d)
            .into_iter()
            .map(|l| Lin {
                fact: l.fact,
                k: -l.k,
                c: -l.c,
            })
            .collect(),
        ExprKind::Arith(op, a, b) => {
            let left = lins(ix, a, d);
            if !left.is_empty() {
                let Some(n) = num(b) else { return Vec::new() };
                left.into_iter()
                    .filter_map(|l| match op {
                        ArithOp::Add => Some(Lin { c: l.c + n, ..l }),
                        ArithOp::Sub => Some(Lin { c: l.c - n, ..l }),
                        ArithOp::Mul => Some(Lin {
                            fact: l.fact,
                            k: l.k * n,
                            c: l.c * n,
                        }),
                        ArithOp::Div => (n != 0.0).then(|| Lin {
                            fact: l.fact,
                            k: l.k / n,
                            c: l.c / n,
                        }),
                    })
                    .collect()
            } else {
                let Some(n) = num(a) else { return Vec::new() };
                lins(ix, b, d)
                    .into_iter()
                    .filter_map(|l| match op {
                        ArithOp::Add => Some(Lin { c: l.c + n, ..l }),
                        ArithOp::Sub => Some(Lin {
                            fact: l.fact,
                            k: -l.k,
                            c: n - l.c,
                        }),
                        ArithOp::Mul => Some(Lin {
                            fact: l.fact,
                            k: l.k * n,
                            c: l.c * n,
                        }),
                        ArithOp::Div => None,
                    })
                    .collect()
            }
        }
        _ => Vec::new(),
    };
    out.truncate(MAX_FORMS);
    out
}

/// Each `fact + durations` the expression can be, when it is a date fact shifted by constant
/// durations (through `if` branches, definitions, `min`/`max`).
fn dlins(ix: &Index<'_>, e: &Expr, depth: u32) -> Vec<DateLin> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let d = depth + 1;
    let mut out: Vec<DateLin> = match &e.kind {
        ExprKind::Fact(_, f) => ix
            .rs
            .fact(*f)
            .filter(|x| matches!(x.ty, Type::Date))
            .map(|_| DateLin {
                fact: *f,
                shifts: Vec::new(),
            })
            .into_iter()
            .collect(),
        ExprKind::Def(_, id) => ix
            .def_versions(*id)
            .into_iter()
            .flat_map(|x| dlins(ix, x, d))
            .collect(),
        ExprKind::If(_, a, b) | ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
            let mut v = dlins(ix, a, d);
            v.extend(dlins(ix, b, d));
            v
        }
        ExprKind::Arith(op @ (ArithOp::Add | ArithOp::Sub), a, b) => {
            let folded = fold_depth(ix, b, d);
            let [Value::Dur(n, u)] = folded.as_slice() else {
                return Vec::new();
            };
            let step = (if *op == ArithOp::Sub { -n } else { *n }, *u);
            dlins(ix, a, d)
                .into_iter()
                .map(|mut l| {
                    l.shifts.push(step);
                    l
                })
                .collect()
        }
        _ => Vec::new(),
    };
    out.truncate(MAX_FORMS);
    out
}

/// Every atom of one expression (and of the sub-expressions in it).
pub fn atoms(ix: &Index<'_>, e: &Expr, out: &mut Vec<Atom>) {
    match &e.kind {
        ExprKind::Cmp(_, a, b) => {
            cmp_atoms(ix, a, b, out);
            cmp_atoms(ix, b, a, out);
            let (la, lb) = (lins(ix, a, 0), lins(ix, b, 0));
            for x in &la {
                for y in &lb {
                    out.push(Atom::NumCross(*x, *y));
                }
            }
            let (da, db) = (dlins(ix, a, 0), dlins(ix, b, 0));
            for x in &da {
                for y in &db {
                    out.push(Atom::DateCross(x.clone(), y.clone()));
                }
            }
        }
        ExprKind::In(a, b, _) => {
            let fa = fact_of(ix, a, 0);
            let fb = fact_of(ix, b, 0);
            let enum_a = fa.filter(|f| {
                ix.rs
                    .fact(*f)
                    .is_some_and(|x| matches!(x.ty, Type::Enum(_)))
            });
            let set_b = fb.filter(|f| ix.rs.fact(*f).is_some_and(|x| matches!(x.ty, Type::Set(_))));
            match (enum_a, set_b) {
                (Some(x), Some(y)) => out.push(Atom::EnumInSet(x, y)),
                (Some(x), None) => {
                    let sets: Vec<u128> = fold(ix, b)
                        .into_iter()
                        .filter_map(|v| match v {
                            Value::Set(bits) => Some(bits),
                            _ => None,
                        })
                        .collect();
                    if sets.is_empty() {
                        out.push(Atom::EnumAll(x));
                    }
                    out.extend(sets.into_iter().map(|s| Atom::EnumIn(x, s)));
                }
                (None, Some(y)) => {
                    let elems: Vec<u16> = fold(ix, a)
                        .into_iter()
                        .filter_map(|v| match v {
                            Value::Enum(i) => Some(i),
                            _ => None,
                        })
                        .collect();
                    if elems.is_empty() {
                        out.push(Atom::SetAll(y));
                    }
                    out.extend(elems.into_iter().map(|i| Atom::SetHas(y, i)));
                }
                (None, None) => {}
            }
        }
        _ => {}
    }
    for c in children(e) {
        atoms(ix, c, out);
    }
}

/// `a` compared with `b`: thresholds for the fact in `a` when `b` is constant.
fn cmp_atoms(ix: &Index<'_>, a: &Expr, b: &Expr, out: &mut Vec<Atom>) {
    let consts = fold(ix, b);
    let ls = lins(ix, a, 0);
    for l in &ls {
        for v in &consts {
            if let Value::Num(n) = v {
                if l.k != 0.0 {
                    let t = (n - l.c) / l.k;
                    if t.is_finite() {
                        out.push(Atom::Num(l.fact, t));
                    }
                }
            }
        }
    }
    if !ls.is_empty() {
        return;
    }
    let ds = dlins(ix, a, 0);
    for l in &ds {
        for v in &consts {
            if let Value::Date(d) = v {
                if let Some(t) = unshift(*d, &l.shifts) {
                    out.push(Atom::Date(l.fact, t));
                }
            }
        }
    }
    if !ds.is_empty() {
        return;
    }
    let Some(f) = fact_of(ix, a, 0) else { return };
    let Some(fact) = ix.rs.fact(f) else { return };
    match fact.ty {
        Type::Enum(_) => {
            let vals: Vec<u16> = consts
                .iter()
                .filter_map(|v| match v {
                    Value::Enum(i) => Some(*i),
                    _ => None,
                })
                .collect();
            if vals.is_empty() {
                out.push(Atom::EnumAll(f));
            }
            for i in vals {
                if i < 128 {
                    out.push(Atom::EnumIn(f, 1u128 << i));
                }
            }
        }
        Type::Set(_) => out.push(Atom::SetAll(f)),
        Type::Text => {
            for v in consts {
                if let Value::Text(s) = v {
                    out.push(Atom::Text(f, s));
                }
            }
        }
        _ => {}
    }
}

/// The date `d - shifts`: the value of the fact at which `fact + shifts` equals `d`.
fn unshift(d: Date, shifts: &[(i64, DurUnit)]) -> Option<Date> {
    let mut x = d;
    for (n, u) in shifts.iter().rev() {
        x = shift(x, -n, *u)?;
    }
    Some(x)
}

/// Atoms for an obligation's `from`/`until`: the date facts that decide it against the as-of
/// date (through `if` branches and definitions).
pub fn date_as_of_atoms(ix: &Index<'_>, e: &Expr, out: &mut Vec<Atom>, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    let ds = dlins(ix, e, 0);
    if !ds.is_empty() {
        out.extend(ds.into_iter().map(Atom::DateAsOf));
        return;
    }
    match &e.kind {
        ExprKind::If(_, a, b) | ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
            date_as_of_atoms(ix, a, out, depth + 1);
            date_as_of_atoms(ix, b, out, depth + 1);
        }
        ExprKind::Def(_, d) => {
            for x in ix.def_versions(*d) {
                date_as_of_atoms(ix, x, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The direct sub-expressions of an expression.
pub fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Fact(t, _)
        | ExprKind::Def(t, _)
        | ExprKind::Link(t, _)
        | ExprKind::Not(t)
        | ExprKind::Neg(t)
        | ExprKind::Present(t) => vec![t],
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Min(a, b)
        | ExprKind::Max(a, b) => vec![a, b],
        ExprKind::If(c, a, b) => vec![c, a, b],
        ExprKind::Quant { over, body, .. } => vec![over, body],
        ExprKind::Lit(_)
        | ExprKind::Var(_)
        | ExprKind::Const(_)
        | ExprKind::Reading(_)
        | ExprKind::Error => Vec::new(),
    }
}

/// The representative values of each fact, for one target's cone of influence.
#[derive(Clone, Debug, Default)]
pub struct Partition {
    reps: BTreeMap<FactId, Vec<Value>>,
    /// Set facts whose partition was capped (tested for more than [`MAX_SUBSET_ELEMENTS`]).
    pub capped: BTreeSet<FactId>,
}

impl Partition {
    /// Builds the partition from the atoms of a cone and the as-of dates explored.
    pub fn new(rs: &RuleSet, atoms: &[Atom], as_of: &[Date]) -> Partition {
        let mut nums: BTreeMap<FactId, Vec<f64>> = BTreeMap::new();
        let mut dates: BTreeMap<FactId, Vec<Date>> = BTreeMap::new();
        let mut enum_in: BTreeMap<FactId, Vec<u128>> = BTreeMap::new();
        let mut enum_all: BTreeSet<FactId> = BTreeSet::new();
        let mut set_has: BTreeMap<FactId, BTreeSet<u16>> = BTreeMap::new();
        let mut set_all: BTreeSet<FactId> = BTreeSet::new();
        let mut texts: BTreeMap<FactId, BTreeSet<String>> = BTreeMap::new();
        for a in atoms {
            match a {
                Atom::Num(f, t) => nums.entry(*f).or_default().push(*t),
                Atom::Date(f, d) => dates.entry(*f).or_default().push(*d),
                Atom::EnumIn(f, s) => enum_in.entry(*f).or_default().push(*s),
                Atom::EnumAll(f) => {
                    enum_all.insert(*f);
                }
                Atom::SetHas(f, i) => {
                    set_has.entry(*f).or_default().insert(*i);
                }
                Atom::SetAll(f) => {
                    set_all.insert(*f);
                }
                Atom::Text(f, s) => {
                    texts.entry(*f).or_default().insert(s.clone());
                }
                Atom::DateAsOf(l) => {
                    for d in as_of {
                        if let Some(t) = unshift(*d, &l.shifts) {
                            dates.entry(l.fact).or_default().push(t);
                        }
                    }
                }
                Atom::NumCross(..) | Atom::DateCross(..) | Atom::EnumInSet(..) => {}
            }
        }
        // Carry each side's thresholds across comparisons between two facts (one round).
        let base_nums = nums.clone();
        let base_dates = dates.clone();
        for a in atoms {
            match a {
                Atom::NumCross(x, y) => {
                    for (p, q) in [(x, y), (y, x)] {
                        let Some(ts) = base_nums.get(&q.fact) else {
                            continue;
                        };
                        if p.k == 0.0 {
                            continue;
                        }
                        for t in ts {
                            let v = (q.k * t + q.c - p.c) / p.k;
                            if v.is_finite() {
                                nums.entry(p.fact).or_default().push(v);
                            }
                        }
                    }
                }
                Atom::DateCross(x, y) => {
                    for (p, q) in [(x, y), (y, x)] {
                        let Some(ts) = base_dates.get(&q.fact) else {
                            continue;
                        };
                        for t in ts {
                            let moved = q.shifts.iter().try_fold(*t, |d, (n, u)| shift(d, *n, *u));
                            if let Some(v) = moved.and_then(|m| unshift(m, &p.shifts)) {
                                dates.entry(p.fact).or_default().push(v);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let mut part = Partition::default();
        for (i, fact) in rs.facts.iter().enumerate() {
            let f = FactId::from_index(i);
            let reps = match &fact.ty {
                Type::Bool => vec![Value::Bool(true), Value::Bool(false)],
                Type::Num(_) => num_reps(nums.get(&f).map_or(&[][..], Vec::as_slice)),
                Type::Date => {
                    let mut ts = dates.get(&f).cloned().unwrap_or_default();
                    ts.extend_from_slice(as_of);
                    date_reps(&ts)
                }
                Type::Enum(e) => {
                    let n = rs.enumeration(*e).map_or(0, |x| x.values.len()).min(128);
                    let tests = enum_in.get(&f).map_or(&[][..], Vec::as_slice);
                    enum_reps(n, tests, enum_all.contains(&f))
                        .into_iter()
                        .map(Value::Enum)
                        .collect()
                }
                Type::Set(_) => continue,
                Type::Text => {
                    let mut v: Vec<Value> = texts
                        .get(&f)
                        .map(|s| s.iter().cloned().map(Value::Text).collect())
                        .unwrap_or_default();
                    v.push(Value::Text("lint-other-text".into()));
                    v
                }
                Type::Entity(Kind::Actor) => vec![
                    Value::Entity(EntityRef {
                        kind: Kind::Actor,
                        index: super::chain::ME,
                    }),
                    Value::Entity(EntityRef {
                        kind: Kind::Actor,
                        index: super::chain::OTHER,
                    }),
                    Value::Absent,
                ],
                _ => continue,
            };
            part.reps.insert(f, reps);
        }
        // Sets last: `enum_fact in set_fact` tests the set for each class of the enum fact.
        for a in atoms {
            if let Atom::EnumInSet(x, y) = a {
                if let Some(vals) = part.reps.get(x) {
                    let elems: Vec<u16> = vals
                        .iter()
                        .filter_map(|v| match v {
                            Value::Enum(i) => Some(*i),
                            _ => None,
                        })
                        .collect();
                    set_has.entry(*y).or_default().extend(elems);
                }
            }
        }
        for (i, fact) in rs.facts.iter().enumerate() {
            let f = FactId::from_index(i);
            let Type::Set(e) = fact.ty else { continue };
            let n = rs.enumeration(e).map_or(0, |x| x.values.len()).min(128);
            let elems: Vec<u16> = if set_all.contains(&f) {
                (0..n).filter_map(|i| u16::try_from(i).ok()).collect()
            } else {
                set_has
                    .get(&f)
                    .map(|s| s.iter().copied().filter(|i| usize::from(*i) < n).collect())
                    .unwrap_or_default()
            };
            let (reps, capped) = set_reps(&elems);
            if capped {
                part.capped.insert(f);
            }
            part.reps
                .insert(f, reps.into_iter().map(Value::Set).collect());
        }
        part
    }

    /// The values to try for a fact (empty for facts of no explorable type).
    pub fn reps(&self, f: FactId) -> &[Value] {
        self.reps.get(&f).map_or(&[], Vec::as_slice)
    }
}

fn num_reps(ts: &[f64]) -> Vec<Value> {
    let mut ts: Vec<f64> = ts.iter().copied().filter(|t| t.is_finite()).collect();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    let (Some(&lo), Some(&hi)) = (ts.first(), ts.last()) else {
        return vec![Value::Num(1.0), Value::Num(0.0)];
    };
    // Above the highest threshold first: most rules apply above their thresholds, and the
    // exploration stops at the first witness it needs.
    let mut out = vec![Value::Num(hi + hi.abs().max(1.0))];
    for w in ts.windows(2).rev() {
        if let [a, b] = w {
            out.push(Value::Num(*b));
            let mid = a + (b - a) / 2.0;
            if mid > *a && mid < *b {
                out.push(Value::Num(mid));
            }
        }
    }
    out.push(Value::Num(lo));
    let below = lo - lo.abs().max(1.0);
    // Most numeric facts are magnitudes; below a positive threshold try zero.
    out.push(Value::Num(if lo > 0.0 { 0.0 } else { below }));
    out
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

fn date_reps(ts: &[Date]) -> Vec<Value> {
    let mut ts = ts.to_vec();
    ts.sort();
    ts.dedup();
    let (Some(&lo), Some(&hi)) = (ts.first(), ts.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(d) = shift(lo, -1, DurUnit::Days) {
        out.push(Value::Date(d));
    }
    for w in ts.windows(2) {
        if let [a, b] = w {
            out.push(Value::Date(*a));
            let gap = days_between(*a, *b);
            if gap > 1 {
                if let Some(m) = shift(*a, gap / 2, DurUnit::Days) {
                    out.push(Value::Date(m));
                }
            }
        }
    }
    out.push(Value::Date(hi));
    if let Some(d) = shift(hi, 1, DurUnit::Days) {
        out.push(Value::Date(d));
    }
    out
}

/// One value per class of values that every membership test treats alike.
fn enum_reps(n: usize, tests: &[u128], all: bool) -> Vec<u16> {
    let mut seen: BTreeSet<Vec<bool>> = BTreeSet::new();
    let mut out = Vec::new();
    for i in 0..n {
        let sig: Vec<bool> = tests.iter().map(|t| t & (1u128 << i) != 0).collect();
        if all || seen.insert(sig) {
            if let Ok(i) = u16::try_from(i) {
                out.push(i);
            }
        }
    }
    // Values named by the rules first (they are the ones that make rules apply).
    out.sort_by_key(|i| !tests.iter().any(|t| t & (1u128 << i) != 0));
    out
}

/// Subsets of the tested elements: all of them for a few elements, else the empty set, each
/// single element and the whole set. The flag says the partition was capped.
fn set_reps(elems: &[u16]) -> (Vec<u128>, bool) {
    let bit = |i: &u16| if *i < 128 { 1u128 << i } else { 0 };
    if elems.len() <= MAX_SUBSET_ELEMENTS {
        let n = elems.len();
        let mut out = Vec::new();
        // Largest subsets first, the empty set last.
        for mask in (0..(1u32 << n)).rev() {
            let mut bits = 0u128;
            for (j, e) in elems.iter().enumerate() {
                if mask & (1 << j) != 0 {
                    bits |= bit(e);
                }
            }
            out.push(bits);
        }
        return (out, false);
    }
    let all = elems.iter().fold(0u128, |acc, e| acc | bit(e));
    let mut out = vec![all];
    out.extend(elems.iter().map(bit));
    out.push(0);
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_split_at_thresholds() {
        let r = num_reps(&[1e25, 1e23]);
        let v: Vec<f64> = r
            .iter()
            .filter_map(|v| match v {
                Value::Num(n) => Some(*n),
                _ => None,
            })
            .collect();
        assert!(v.contains(&1e25) && v.contains(&1e23) && v.contains(&0.0));
        assert!(v.iter().any(|x| *x > 1e25));
        assert!(v.iter().any(|x| *x > 1e23 && *x < 1e25));
    }

    #[test]
    fn enum_classes() {
        // values 0..5; tests {1,2} and {2}: classes {0,3,4}, {1}, {2}
        let r = enum_reps(5, &[0b110, 0b100], false);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn set_subsets() {
        assert_eq!(set_reps(&[1, 2]).0.len(), 4);
        let (r, capped) = set_reps(&[0, 1, 2, 3, 4, 5]);
        assert!(capped);
        assert_eq!(r.len(), 8);
    }
}
