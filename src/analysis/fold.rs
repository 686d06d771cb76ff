//! A small evaluator used to find thresholds: the text in force at the as-of date and the value
//! of an expression against a scenario, without traces.
//!
//! `eval`'s interpreter is private to that module and records reasoning steps this analysis does
//! not need, so the minimal logic is repeated here. It is only used to *propose* values to try
//! (the other side of a comparison, which branch of an `if` is taken); every conclusion the
//! analysis reports comes from re-running `eval::evaluate`, so a divergence here can make a
//! threshold go unnoticed but never produces a wrong status.

use crate::eval::Options;
use crate::ir::*;
use jiff::civil::Date;
use std::collections::HashMap;

/// Nesting of definitions beyond which the evaluator gives up (the compiler rejects cycles; this
/// only bounds the stack on pathological input).
const MAX_DEPTH: u32 = 64;

/// The expressions in force at the as-of date: the rule set with the overlays of the amendments
/// that count, and the chosen readings. Mirrors `eval::version`.
pub struct Law<'a> {
    pub rs: &'a RuleSet,
    active: Vec<bool>,
    ob_when: Vec<Option<&'a Expr>>,
    ob_from: Vec<Option<&'a Expr>>,
    ob_until: Vec<Option<&'a Expr>>,
    ob_repealed: Vec<bool>,
    def_expr: Vec<Option<&'a Expr>>,
    ex_when: Vec<Option<&'a Expr>>,
    ex_repealed: Vec<bool>,
    readings: Vec<u16>,
}

fn put<T: Copy>(v: &mut [Option<T>], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = Some(x);
    }
}

fn flag(v: &mut [bool], i: usize) {
    if let Some(slot) = v.get_mut(i) {
        *slot = true;
    }
}

impl<'a> Law<'a> {
    pub fn new(rs: &'a RuleSet, sc: &Scenario, opts: &Options, as_of: Date) -> Law<'a> {
        let n_ob = rs.obligations.len();
        let mut law = Law {
            rs,
            active: vec![false; rs.instruments.len()],
            ob_when: vec![None; n_ob],
            ob_from: vec![None; n_ob],
            ob_until: vec![None; n_ob],
            ob_repealed: vec![false; n_ob],
            def_expr: vec![None; rs.defs.len()],
            ex_when: vec![None; rs.exemptions.len()],
            ex_repealed: vec![false; rs.exemptions.len()],
            readings: rs.questions.iter().map(|q| q.default).collect(),
        };
        // A scenario may declare itself a hypothetical analysis; an explicit wider filter wins.
        let filter = sc.status.map_or(opts.status, |st| st.max(opts.status));
        for (i, inst) in rs.instruments.iter().enumerate() {
            let id = InstrumentId::from_index(i);
            let counts = inst.amends.is_some()
                && inst.status_at(as_of).is_some_and(|s| filter.admits(s))
                && !opts.without.contains(&id);
            if let Some(a) = law.active.get_mut(i) {
                *a = counts;
            }
        }
        for ov in &rs.overlays {
            if !law.is_active(ov.amendment) {
                continue;
            }
            match &ov.target {
                OverlayTarget::ObligationWhen(o, e) => put(&mut law.ob_when, o.index(), e),
                OverlayTarget::ObligationFrom(o, e) => put(&mut law.ob_from, o.index(), e),
                OverlayTarget::ObligationUntil(o, e) => put(&mut law.ob_until, o.index(), e),
                OverlayTarget::DefinitionExpr(d, e) => put(&mut law.def_expr, d.index(), e),
                OverlayTarget::ExemptionWhen(x, e) => put(&mut law.ex_when, x.index(), e),
                OverlayTarget::RepealObligation(o) => flag(&mut law.ob_repealed, o.index()),
                OverlayTarget::RepealExemption(x) => flag(&mut law.ex_repealed, x.index()),
                OverlayTarget::ObligationDeadline(..) | OverlayTarget::ObligationPenalty(..) => {}
            }
        }
        for (i, o) in rs.obligations.iter().enumerate() {
            if o.added_by.is_some_and(|a| !law.is_active(a)) {
                flag(&mut law.ob_repealed, i);
            }
        }
        for (i, x) in rs.exemptions.iter().enumerate() {
            if x.added_by.is_some_and(|a| !law.is_active(a)) {
                flag(&mut law.ex_repealed, i);
            }
        }
        for (q, r) in sc.readings.iter().chain(opts.readings.iter()) {
            if let Some(slot) = law.readings.get_mut(q.index()) {
                *slot = *r;
            }
        }
        law
    }

    fn is_active(&self, amendment: InstrumentId) -> bool {
        self.active.get(amendment.index()).copied().unwrap_or(false)
    }

    pub fn reading(&self, q: QuestionId) -> u16 {
        self.readings.get(q.index()).copied().unwrap_or(0)
    }

    pub fn def(&self, d: DefId) -> Option<&'a Expr> {
        self.def_expr
            .get(d.index())
            .copied()
            .flatten()
            .or_else(|| self.rs.def(d).map(|x| &x.expr))
    }

    /// Whether a role exists in the text in force (a role an amendment adds exists only while
    /// the amendment counts).
    pub fn role_exists(&self, r: &Role) -> bool {
        r.added_by.is_none_or(|a| self.is_active(a))
    }

    pub fn repealed(&self, o: ObligationId) -> bool {
        self.ob_repealed.get(o.index()).copied().unwrap_or(false)
    }

    pub fn when(&self, o: ObligationId) -> Option<&'a Expr> {
        self.ob_when
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| self.rs.obligation(o).and_then(|x| x.when.as_ref()))
    }

    pub fn from(&self, o: ObligationId) -> Option<&'a Expr> {
        self.ob_from
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| self.rs.obligation(o).and_then(|x| x.from.as_ref()))
    }

    pub fn until(&self, o: ObligationId) -> Option<&'a Expr> {
        self.ob_until
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| self.rs.obligation(o).and_then(|x| x.until.as_ref()))
    }

    pub fn exemption_when(&self, x: ExemptionId) -> Option<&'a Expr> {
        if self.ex_repealed.get(x.index()).copied().unwrap_or(false) {
            return None;
        }
        self.ex_when
            .get(x.index())
            .copied()
            .flatten()
            .or_else(|| self.rs.exemption(x).map(|e| &e.when))
    }
}

/// Evaluates expressions against one scenario with Kleene logic, memoising definitions.
pub struct Fold<'a> {
    pub law: &'a Law<'a>,
    pub sc: &'a Scenario,
    memo: HashMap<(Option<EntityRef>, DefId), Value>,
    depth: u32,
}

impl<'a> Fold<'a> {
    pub fn new(law: &'a Law<'a>, sc: &'a Scenario) -> Fold<'a> {
        Fold {
            law,
            sc,
            memo: HashMap::new(),
            depth: 0,
        }
    }

    /// The value of a definition on an entity (or of a named value, `entity = None`).
    pub fn def_value(&mut self, entity: Option<EntityRef>, d: DefId) -> Value {
        if let Some(v) = self.memo.get(&(entity, d)) {
            return v.clone();
        }
        let Some(expr) = self.law.def(d) else {
            return Value::Unknown;
        };
        if self.depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth += 1;
        let env = [Value::Absent, entity.map_or(Value::Absent, Value::Entity)];
        let v = self.eval(expr, &env);
        self.depth -= 1;
        self.memo.insert((entity, d), v.clone());
        v
    }

    pub fn tri(&mut self, e: &Expr, env: &[Value]) -> Tri {
        Tri::from_value(&self.eval(e, env))
    }

    /// The entity an expression designates, if it is known and present.
    pub fn entity(&mut self, e: &Expr, env: &[Value]) -> Option<EntityRef> {
        match self.eval(e, env) {
            Value::Entity(r) => Some(r),
            _ => None,
        }
    }

    pub fn eval(&mut self, e: &Expr, env: &[Value]) -> Value {
        match &e.kind {
            ExprKind::Lit(v) => v.clone(),
            ExprKind::Var(slot) => env
                .get(usize::from(*slot))
                .cloned()
                .unwrap_or(Value::Unknown),
            ExprKind::Const(d) => self.def_value(None, *d),
            ExprKind::Fact(t, f) => match self.eval(t, env) {
                Value::Entity(r) => self.sc.fact(r, *f).cloned().unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            },
            ExprKind::Def(t, d) => match self.eval(t, env) {
                Value::Entity(r) => self.def_value(Some(r), *d),
                _ => Value::Unknown,
            },
            ExprKind::Link(t, l) => match self.eval(t, env) {
                Value::Entity(r) => {
                    if l.signature().3 {
                        Value::Entities(r, *l)
                    } else {
                        self.sc.follow(r, *l).map_or(Value::Absent, Value::Entity)
                    }
                }
                Value::Absent => Value::Absent,
                _ => Value::Unknown,
            },
            ExprKind::Not(a) => bool_of(self.tri(a, env).negate()),
            ExprKind::Neg(a) => match self.eval(a, env) {
                Value::Num(n) => Value::Num(-n),
                _ => Value::Unknown,
            },
            ExprKind::And(a, b) => {
                let x = self.tri(a, env);
                if x == Tri::False {
                    return Value::Bool(false);
                }
                bool_of(x.and(self.tri(b, env)))
            }
            ExprKind::Or(a, b) => {
                let x = self.tri(a, env);
                if x == Tri::True {
                    return Value::Bool(true);
                }
                bool_of(x.or(self.tri(b, env)))
            }
            ExprKind::Cmp(op, a, b) => {
                let x = self.eval(a, env);
                let y = self.eval(b, env);
                compare(*op, &x, &y)
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.eval(a, env);
                let y = self.eval(b, env);
                arith(*op, &x, &y)
            }
            ExprKind::In(a, b, negated) => match (self.eval(a, env), self.eval(b, env)) {
                (Value::Enum(i), Value::Set(bits)) => {
                    let inside = i < 128 && bits & (1u128 << i) != 0;
                    Value::Bool(inside != *negated)
                }
                _ => Value::Unknown,
            },
            ExprKind::If(c, a, b) => match self.tri(c, env) {
                Tri::True => self.eval(a, env),
                Tri::False => self.eval(b, env),
                Tri::Unknown => {
                    let x = self.eval(a, env);
                    let y = self.eval(b, env);
                    if x == y && x.is_known() {
                        x
                    } else {
                        Value::Unknown
                    }
                }
            },
            ExprKind::Quant {
                all,
                slot,
                over,
                body,
            } => {
                let Value::Entities(from, link) = self.eval(over, env) else {
                    return Value::Unknown;
                };
                let (_, _, kind, _) = link.signature();
                let mut acc = if *all { Tri::True } else { Tri::False };
                for &index in self.sc.list(from, link) {
                    let inner = bind(env, *slot, Value::Entity(EntityRef { kind, index }));
                    let t = self.tri(body, &inner);
                    acc = if *all { acc.and(t) } else { acc.or(t) };
                    if (*all && acc == Tri::False) || (!*all && acc == Tri::True) {
                        break;
                    }
                }
                bool_of(acc)
            }
            ExprKind::Present(a) => match self.eval(a, env) {
                Value::Absent => Value::Bool(false),
                Value::Unknown => Value::Unknown,
                _ => Value::Bool(true),
            },
            ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
                let is_min = matches!(e.kind, ExprKind::Min(..));
                match (self.eval(a, env), self.eval(b, env)) {
                    (Value::Num(p), Value::Num(q)) => {
                        Value::Num(if is_min { p.min(q) } else { p.max(q) })
                    }
                    (Value::Date(p), Value::Date(q)) => {
                        Value::Date(if is_min { p.min(q) } else { p.max(q) })
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Reading(q) => Value::Enum(self.law.reading(*q)),
            ExprKind::Error => Value::Unknown,
        }
    }
}

/// The environment with `slot` bound to `v` (quantifier variables).
pub fn bind(env: &[Value], slot: u16, v: Value) -> Vec<Value> {
    let slot = usize::from(slot);
    let mut inner: Vec<Value> = env.iter().take(slot).cloned().collect();
    while inner.len() < slot {
        inner.push(Value::Absent);
    }
    inner.push(v);
    inner
}

fn bool_of(t: Tri) -> Value {
    match t {
        Tri::True => Value::Bool(true),
        Tri::False => Value::Bool(false),
        Tri::Unknown => Value::Unknown,
    }
}

fn compare(op: CmpOp, x: &Value, y: &Value) -> Value {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (x, y) {
        (Value::Unknown, _) | (_, Value::Unknown) => return Value::Unknown,
        (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Enum(a), Value::Enum(b)) => Some(a.cmp(b)),
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
        (Value::Set(a), Value::Set(b)) => Some(a.cmp(b)),
        (Value::Entity(a), Value::Entity(b)) => Some(a.cmp(b)),
        (Value::Absent, Value::Absent) => Some(Ordering::Equal),
        (Value::Absent, Value::Entity(_)) | (Value::Entity(_), Value::Absent) => {
            return match op {
                CmpOp::Eq => Value::Bool(false),
                CmpOp::Ne => Value::Bool(true),
                _ => Value::Unknown,
            };
        }
        _ => None,
    };
    let Some(ord) = ord else {
        return Value::Unknown;
    };
    Value::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// Working days a date is shifted by at most (a bound on the day-by-day walk).
const MAX_WORKING_DAYS: i64 = 100_000;

/// `date ± n unit`, calendar-aware (working days skip Saturdays and Sundays, as `eval` does);
/// `None` when out of range.
pub fn shift_date(d: Date, n: i64, unit: DurUnit) -> Option<Date> {
    if unit == DurUnit::WorkingDays {
        if n.abs() > MAX_WORKING_DAYS {
            return None;
        }
        let step = if n < 0 { -1 } else { 1 };
        let mut left = n.abs();
        let mut cur = d;
        while left > 0 {
            cur = cur.checked_add(jiff::Span::new().days(step)).ok()?;
            if !matches!(
                cur.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            ) {
                left -= 1;
            }
        }
        return Some(cur);
    }
    let span = match unit {
        DurUnit::Days | DurUnit::WorkingDays => jiff::Span::new().try_days(n),
        DurUnit::Weeks => jiff::Span::new().try_weeks(n),
        DurUnit::Months => jiff::Span::new().try_months(n),
        DurUnit::Years => jiff::Span::new().try_years(n),
    };
    span.ok().and_then(|s| d.checked_add(s).ok())
}

fn arith(op: ArithOp, x: &Value, y: &Value) -> Value {
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => {
            let r = match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div => {
                    if *b == 0.0 {
                        return Value::Unknown;
                    }
                    a / b
                }
            };
            if r.is_finite() {
                Value::Num(r)
            } else {
                Value::Unknown
            }
        }
        (Value::Date(d), Value::Dur(n, unit)) => {
            let n = if op == ArithOp::Sub { -n } else { *n };
            shift_date(*d, n, *unit).map_or(Value::Unknown, Value::Date)
        }
        _ => Value::Unknown,
    }
}
