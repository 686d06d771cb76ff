//! The comparisons the rules make with each fact of a scenario: `model.training_compute >
//! systemic_risk_compute`, `model.modification_compute > model.base.training_compute *
//! modification_compute_ratio`, `model.placed_on_market < gpai_application_date`, and the
//! implicit comparison of an obligation's `from`/`until` date with the as-of date.
//!
//! The rules in force are walked with every binding the evaluator uses (each actor and subject
//! of each role of each counted instrument, each entity a definition is read on), without
//! short-circuits, so a comparison in a branch not taken today is found too. A side of a
//! comparison that is a fact scaled and shifted by known values (`fact * k + c`, `date + 14
//! days`) is solved for the fact; the other side is evaluated with the scenario's values.

use super::fold::{Fold, Law, bind, shift_date};
use crate::eval::{FactRef, Outcome};
use crate::ir::*;
use crate::report::number_text;
use std::collections::HashSet;

/// Nesting of definitions a fact side is followed through.
const MAX_LINEAR_DEPTH: u32 = 16;

/// The rule, or the definition on an entity, a comparison sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Within {
    Def(Option<EntityRef>, DefId),
    Route(RoleId, usize),
    Condition(ObligationId),
    Exemption(ExemptionId),
    Exception(ExemptionId, usize),
    From(ObligationId),
    Until(ObligationId),
}

/// One comparison of a fact with a value: `fact op threshold` holds exactly when the rule's
/// comparison does.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub fact: FactRef,
    pub op: CmpOp,
    /// A number (in the fact's unit), a date, or for `==`/`!=` a value of the fact's type.
    pub threshold: Value,
    pub within: Within,
    /// The comparison as written, with entities resolved: `vela-ft.modification_compute >
    /// modification_fallback_compute_systemic`.
    pub text: String,
}

/// `fact * k + c`, or for dates `fact` shifted by durations.
struct Lin {
    fact: FactRef,
    k: f64,
    c: f64,
    shifts: Vec<(i64, DurUnit)>,
}

/// `a op b` ⇔ `b mirror(op) a`.
pub fn mirror(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Eq => CmpOp::Eq,
        CmpOp::Ne => CmpOp::Ne,
    }
}

pub fn op_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

struct Walker<'a> {
    law: &'a Law<'a>,
    prune: bool,
    sc: &'a Scenario,
    fold: Fold<'a>,
    seen: HashSet<(Option<EntityRef>, DefId)>,
    found: Vec<Comparison>,
}

/// Every comparison of a fact of `sc` with a value, in the text in force, deduplicated and
/// sorted by fact.
///
/// With `prune`, parts of a rule that a known value already makes irrelevant (the untaken
/// branch of an `if`, the other side of `false and …`) are skipped: nothing there can matter to
/// a fact that is unknown. Without, every comparison is found, which the sensitivity analysis
/// needs: a known number may itself move a guard (`x > 10 and x > 20` with `x = 5`).
pub fn collect(law: &Law<'_>, sc: &Scenario, out: &Outcome, prune: bool) -> Vec<Comparison> {
    let rs = law.rs;
    let mut w = Walker {
        law,
        prune,
        sc,
        fold: Fold::new(law, sc),
        seen: HashSet::new(),
        found: Vec::new(),
    };
    let bearers: HashSet<(u32, InstrumentId, RoleId, EntityRef)> = out
        .roles
        .iter()
        .map(|r| (r.actor, r.instrument, r.role, r.subject))
        .collect();
    for u in out.instruments.iter().filter(|u| u.counted) {
        let Some(roles) = rs.instrument_roles.get(u.instrument.index()) else {
            continue;
        };
        for &role_id in roles {
            let Some(role) = rs.role(role_id).filter(|r| law.role_exists(r)) else {
                continue;
            };
            for s in 0..sc.entities(role.subject).len() {
                let subject = EntityRef {
                    kind: role.subject,
                    index: u32::try_from(s).unwrap_or(u32::MAX),
                };
                for a in 0..sc.actors.len() {
                    let a32 = u32::try_from(a).unwrap_or(u32::MAX);
                    let actor = EntityRef {
                        kind: Kind::Actor,
                        index: a32,
                    };
                    let env = [Value::Entity(actor), Value::Entity(subject)];
                    for (i, route) in role.routes.iter().enumerate() {
                        w.walk(&route.when, &env, Within::Route(role_id, i));
                    }
                    if bearers.contains(&(a32, u.instrument, role_id, subject)) {
                        w.obligations(role_id, &env, out.as_of);
                    }
                }
            }
        }
    }
    let mut found = w.found;
    found.sort_by(|a, b| {
        (a.fact, a.within, a.text.as_str())
            .cmp(&(b.fact, b.within, b.text.as_str()))
            .then_with(|| order_value(&a.threshold, &b.threshold))
    });
    found.dedup_by(|a, b| a == b);
    found
}

/// A total order on thresholds of one fact (numbers, dates, then the rest as text).
pub fn order_value(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.total_cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        _ => format!("{a:?}").cmp(&format!("{b:?}")),
    }
}

impl Walker<'_> {
    fn obligations(&mut self, role_id: RoleId, env: &[Value], as_of: jiff::civil::Date) {
        let rs = self.law.rs;
        let Some(list) = rs.role_obligations.get(role_id.index()) else {
            return;
        };
        for &oid in list {
            if self.law.repealed(oid) {
                continue;
            }
            if let Some(e) = self.law.when(oid) {
                self.walk(e, env, Within::Condition(oid));
            }
            // `from`/`until` are compared with the as-of date: the obligation has started
            // (ended) when the date is on or before it.
            for (e, within) in [
                (self.law.from(oid), Within::From(oid)),
                (self.law.until(oid), Within::Until(oid)),
            ] {
                let Some(e) = e else { continue };
                self.walk(e, env, within);
                if let Some(lin) = self.linear(e, env, 0) {
                    let text = format!("{} <= {as_of} (the as-of date)", self.describe(e, env));
                    self.record(lin, CmpOp::Le, Value::Date(as_of), within, text);
                }
            }
            let Some(xs) = rs.obligation_exemptions.get(oid.index()) else {
                continue;
            };
            for &xid in xs {
                if let Some(e) = self.law.exemption_when(xid) {
                    self.walk(e, env, Within::Exemption(xid));
                    if let Some(x) = rs.exemption(xid) {
                        for (i, exc) in x.exceptions.iter().enumerate() {
                            self.walk(&exc.when, env, Within::Exception(xid, i));
                        }
                    }
                }
            }
        }
    }

    fn walk_def(&mut self, entity: Option<EntityRef>, d: DefId) {
        if !self.seen.insert((entity, d)) {
            return;
        }
        if let Some(e) = self.law.def(d) {
            let env = [Value::Absent, entity.map_or(Value::Absent, Value::Entity)];
            self.walk(e, &env, Within::Def(entity, d));
        }
    }

    fn walk(&mut self, e: &Expr, env: &[Value], within: Within) {
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Var(_) | ExprKind::Reading(_) | ExprKind::Error => {}
            ExprKind::Const(d) => self.walk_def(None, *d),
            ExprKind::Fact(t, _)
            | ExprKind::Link(t, _)
            | ExprKind::Not(t)
            | ExprKind::Neg(t)
            | ExprKind::Present(t) => self.walk(t, env, within),
            ExprKind::Def(t, d) => {
                self.walk(t, env, within);
                if let Some(r) = self.fold.entity(t, env) {
                    self.walk_def(Some(r), *d);
                }
            }
            // With `prune`, a side that is decided already (`false and …`, `true or …`) leaves
            // the other side irrelevant to every unknown fact.
            ExprKind::And(a, b) | ExprKind::Or(a, b) if self.prune => {
                let decisive = if matches!(e.kind, ExprKind::And(..)) {
                    Tri::False
                } else {
                    Tri::True
                };
                let ta = self.fold.tri(a, env);
                let tb = self.fold.tri(b, env);
                if ta != decisive || tb == decisive {
                    self.walk(b, env, within);
                }
                if tb != decisive || ta == decisive {
                    self.walk(a, env, within);
                }
            }
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::In(a, b, _)
            | ExprKind::Min(a, b)
            | ExprKind::Max(a, b) => {
                self.walk(a, env, within);
                self.walk(b, env, within);
            }
            ExprKind::Cmp(op, a, b) => {
                self.comparison(*op, a, b, env, within);
                self.walk(a, env, within);
                self.walk(b, env, within);
            }
            // A branch not taken stays untaken whatever value an unknown fact gets (Kleene
            // logic is monotone), so with `prune` only an open condition sends the walk down
            // both branches.
            ExprKind::If(c, a, b) => {
                self.walk(c, env, within);
                let t = if self.prune {
                    self.fold.tri(c, env)
                } else {
                    Tri::Unknown
                };
                if t != Tri::False {
                    self.walk(a, env, within);
                }
                if t != Tri::True {
                    self.walk(b, env, within);
                }
            }
            ExprKind::Quant {
                slot, over, body, ..
            } => {
                self.walk(over, env, within);
                if let Value::Entities(from, link) = self.fold.eval(over, env) {
                    let (_, _, kind, _) = link.signature();
                    let items: Vec<u32> = self.sc.list(from, link).to_vec();
                    for index in items {
                        let inner = bind(env, *slot, Value::Entity(EntityRef { kind, index }));
                        self.walk(body, &inner, within);
                    }
                }
            }
        }
    }

    fn comparison(&mut self, op: CmpOp, a: &Expr, b: &Expr, env: &[Value], within: Within) {
        let text = format!(
            "{} {} {}",
            self.describe(a, env),
            op_text(op),
            self.describe(b, env)
        );
        if let Some(lin) = self.linear(a, env, 0) {
            let y = self.fold.eval(b, env);
            self.record(lin, op, y, within, text.clone());
        }
        if let Some(lin) = self.linear(b, env, 0) {
            let y = self.fold.eval(a, env);
            self.record(lin, mirror(op), y, within, text);
        }
    }

    fn record(&mut self, lin: Lin, op: CmpOp, y: Value, within: Within, text: String) {
        let Some(fact) = self.law.rs.fact(lin.fact.fact) else {
            return;
        };
        let plain = lin.k == 1.0 && lin.c == 0.0 && lin.shifts.is_empty();
        let threshold = match (&fact.ty, y) {
            (Type::Num(_), Value::Num(y)) if lin.shifts.is_empty() && lin.k != 0.0 => {
                let t = (y - lin.c) / lin.k;
                if !t.is_finite() {
                    return;
                }
                let op = if lin.k < 0.0 { mirror(op) } else { op };
                self.found.push(Comparison {
                    fact: lin.fact,
                    op,
                    threshold: Value::Num(t),
                    within,
                    text,
                });
                return;
            }
            (Type::Date, Value::Date(d)) if lin.k == 1.0 && lin.c == 0.0 => {
                let mut t = d;
                for (n, u) in lin.shifts.iter().rev() {
                    match shift_date(t, -n, *u) {
                        Some(x) => t = x,
                        None => return,
                    }
                }
                Value::Date(t)
            }
            (_, v) if plain && matches!(op, CmpOp::Eq | CmpOp::Ne) && v.is_known() => v,
            _ => return,
        };
        self.found.push(Comparison {
            fact: lin.fact,
            op,
            threshold,
            within,
            text,
        });
    }

    /// The fact side of a comparison, solved as `fact * k + c` (or a shifted date).
    fn linear(&mut self, e: &Expr, env: &[Value], depth: u32) -> Option<Lin> {
        if depth > MAX_LINEAR_DEPTH {
            return None;
        }
        match &e.kind {
            ExprKind::Fact(t, f) => {
                let r = self.fold.entity(t, env)?;
                Some(Lin {
                    fact: FactRef {
                        entity: r,
                        fact: *f,
                    },
                    k: 1.0,
                    c: 0.0,
                    shifts: Vec::new(),
                })
            }
            ExprKind::Def(t, d) => {
                let r = self.fold.entity(t, env)?;
                let expr = self.law.def(*d)?;
                self.linear(expr, &[Value::Absent, Value::Entity(r)], depth + 1)
            }
            ExprKind::Neg(a) => {
                let mut l = self.linear(a, env, depth + 1)?;
                l.k = -l.k;
                l.c = -l.c;
                Some(l)
            }
            ExprKind::If(c, a, b) => match self.fold.tri(c, env) {
                Tri::True => self.linear(a, env, depth + 1),
                Tri::False => self.linear(b, env, depth + 1),
                Tri::Unknown => None,
            },
            ExprKind::Arith(op, a, b) => {
                if let Some(mut l) = self.linear(a, env, depth + 1) {
                    let y = self.fold.eval(b, env);
                    match (op, y) {
                        (ArithOp::Add, Value::Num(y)) => l.c += y,
                        (ArithOp::Sub, Value::Num(y)) => l.c -= y,
                        (ArithOp::Mul, Value::Num(y)) => {
                            l.k *= y;
                            l.c *= y;
                        }
                        (ArithOp::Div, Value::Num(y)) if y != 0.0 => {
                            l.k /= y;
                            l.c /= y;
                        }
                        (ArithOp::Add, Value::Dur(n, u)) => l.shifts.push((n, u)),
                        (ArithOp::Sub, Value::Dur(n, u)) => l.shifts.push((-n, u)),
                        _ => return None,
                    }
                    return Some(l);
                }
                let mut l = self.linear(b, env, depth + 1)?;
                let Value::Num(y) = self.fold.eval(a, env) else {
                    return None;
                };
                match op {
                    ArithOp::Add => l.c += y,
                    ArithOp::Sub => {
                        l.k = -l.k;
                        l.c = y - l.c;
                    }
                    ArithOp::Mul => {
                        l.k *= y;
                        l.c *= y;
                    }
                    ArithOp::Div => return None,
                }
                Some(l)
            }
            _ => None,
        }
    }

    /// An expression as people read it, with entities by id: `vela-ft.modification_compute`,
    /// `haiyan-moe.training_compute * modification_compute_ratio`.
    fn describe(&mut self, e: &Expr, env: &[Value]) -> String {
        let rs = self.law.rs;
        match &e.kind {
            ExprKind::Lit(v) => match (v, &e.ty) {
                (Value::Num(n), Type::Num(u)) if *u != Unit::None => {
                    format!("{} {}", number_text(*n), u.name())
                }
                (Value::Num(n), _) => number_text(*n),
                (Value::Date(d), _) => d.to_string(),
                (Value::Bool(b), _) => b.to_string(),
                (Value::Text(s), _) => format!("{s:?}"),
                (Value::Enum(i), Type::Enum(en)) => rs
                    .enumeration(*en)
                    .and_then(|x| x.values.get(usize::from(*i)))
                    .map_or_else(|| format!("#{i}"), |s| format!("{s:?}")),
                (Value::Dur(n, u), _) => format!("{n} {}", dur_name(*u)),
                _ => "…".into(),
            },
            ExprKind::Var(_) | ExprKind::Link(..) => match self.fold.eval(e, env) {
                Value::Entity(r) => self.sc.name_of(r).to_string(),
                Value::Absent => "none".into(),
                _ => match &e.kind {
                    ExprKind::Link(t, l) => format!("{}.{}", self.describe(t, env), l.name()),
                    _ => "…".into(),
                },
            },
            ExprKind::Const(d) => rs.def(*d).map_or("?".into(), |x| x.id.clone()),
            ExprKind::Fact(t, f) => format!(
                "{}.{}",
                self.describe(t, env),
                rs.fact(*f).map_or("?", |x| x.id.as_str())
            ),
            ExprKind::Def(t, d) => format!(
                "{}.{}",
                self.describe(t, env),
                rs.def(*d).map_or("?", |x| x.id.as_str())
            ),
            ExprKind::Neg(a) => format!("-{}", self.describe(a, env)),
            ExprKind::Arith(op, a, b) => {
                let sym = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                };
                let wrap = |w: &mut Self, x: &Expr| {
                    let s = w.describe(x, env);
                    if matches!(x.kind, ExprKind::Arith(..)) {
                        format!("({s})")
                    } else {
                        s
                    }
                };
                let l = wrap(self, a);
                let r = wrap(self, b);
                format!("{l} {sym} {r}")
            }
            ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
                let name = if matches!(e.kind, ExprKind::Min(..)) {
                    "min"
                } else {
                    "max"
                };
                let l = self.describe(a, env);
                let r = self.describe(b, env);
                format!("{name}({l}, {r})")
            }
            ExprKind::If(c, a, b) => {
                let c = self.describe(c, env);
                let a = self.describe(a, env);
                let b = self.describe(b, env);
                format!("(if {c} then {a} else {b})")
            }
            ExprKind::Cmp(op, a, b) => {
                let l = self.describe(a, env);
                let r = self.describe(b, env);
                format!("{l} {} {r}", op_text(*op))
            }
            ExprKind::Reading(q) => {
                format!("reading.{}", rs.question(*q).map_or("?", |x| x.id.as_str()))
            }
            _ => "…".into(),
        }
    }
}

pub fn dur_name(u: DurUnit) -> &'static str {
    match u {
        DurUnit::Days => "days",
        DurUnit::WorkingDays => "working days",
        DurUnit::Weeks => "weeks",
        DurUnit::Months => "months",
        DurUnit::Years => "years",
    }
}
