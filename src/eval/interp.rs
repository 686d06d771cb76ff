//! The expression interpreter: Kleene three-valued logic, memoised definitions, and a record
//! of the facts each step read and which of them were missing.

use super::version::Version;
use super::{DefUse, FactRef, Read, RuleRef, Step};
use crate::ir::*;
use jiff::civil::Date;

/// A memoised definition: its value and where its missing facts, reads and uses sit in the
/// interpreter's arenas.
struct Cached {
    value: Value,
    missing: (u32, u32),
    reads: (u32, u32),
    defs: (u32, u32),
    readings: (u32, u32),
}

fn range(start: usize, end: usize) -> (u32, u32) {
    (
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(end).unwrap_or(u32::MAX),
    )
}

fn slice<T>(v: &[T], r: (u32, u32)) -> &[T] {
    v.get(r.0 as usize..r.1 as usize).unwrap_or(&[])
}

pub struct Interp<'a> {
    rs: &'a RuleSet,
    version: &'a Version<'a>,
    sc: &'a Scenario,
    /// The environment as a stack of frames: the current frame starts at `base` (slot 0 =
    /// actor, 1 = subject, 2… = quantifier variables). A definition is evaluated in a frame
    /// of its own pushed on top, so no environment is allocated per evaluation.
    env: Vec<Value>,
    base: usize,
    /// Memoised definitions: by `entity slot * defs + def` (slot 0 is "no entity"), 0 for
    /// not yet computed, else 1 + the index in `cached`. A table of `u32` rather than of
    /// `Option<Cached>` keeps the per-evaluation set-up small: most slots are never used.
    cache: Vec<u32>,
    cached: Vec<Cached>,
    n_defs: usize,
    trace: bool,
    arena_missing: Vec<FactRef>,
    arena_reads: Vec<Read>,
    arena_defs: Vec<DefUse>,
    arena_readings: Vec<QuestionId>,
    /// Questions whose reading the current step read.
    readings: Vec<QuestionId>,
    missing: Vec<FactRef>,
    reads: Vec<Read>,
    defs: Vec<DefUse>,
}

fn dedup_reads(mut v: Vec<Read>) -> Vec<Read> {
    v.sort_by_key(|r| r.fact);
    v.dedup_by_key(|r| r.fact);
    v
}

impl<'a> Interp<'a> {
    pub fn new(
        rs: &'a RuleSet,
        sc: &'a Scenario,
        version: &'a Version<'a>,
        trace: bool,
    ) -> Interp<'a> {
        let n_entities =
            1 + sc.actors.len() + sc.models.len() + sc.systems.len() + sc.deployments.len();
        let n_defs = rs.defs.len();
        let cache = vec![0; n_entities * n_defs];
        Interp {
            rs,
            version,
            sc,
            // Sized for a typical evaluation so that the buffers rarely grow.
            env: {
                let mut env = Vec::with_capacity(16);
                env.extend([Value::Absent, Value::Absent]);
                env
            },
            base: 0,
            cache,
            cached: Vec::with_capacity(n_defs.min(256)),
            n_defs,
            trace,
            arena_missing: Vec::with_capacity(64),
            arena_reads: Vec::with_capacity(if trace { 256 } else { 0 }),
            arena_defs: Vec::with_capacity(if trace { 256 } else { 0 }),
            arena_readings: Vec::new(),
            readings: Vec::with_capacity(8),
            missing: Vec::with_capacity(32),
            reads: Vec::with_capacity(if trace { 64 } else { 0 }),
            defs: Vec::with_capacity(if trace { 64 } else { 0 }),
        }
    }

    /// Pushes a frame for a definition on `subject` (no actor); returns what
    /// [`Interp::pop_frame`] needs to restore the caller's.
    fn push_frame(&mut self, subject: Value) -> (usize, usize) {
        let saved = (self.base, self.env.len());
        self.base = self.env.len();
        self.env.push(Value::Absent);
        self.env.push(subject);
        saved
    }

    fn pop_frame(&mut self, (base, len): (usize, usize)) {
        self.env.truncate(len);
        self.base = base;
    }

    /// The value of `e` in the environment `env` (slot 0 actor, 1 subject, …), outside any
    /// reasoning step: nothing is recorded.
    pub fn eval_in(&mut self, e: &Expr, env: &[Value]) -> Value {
        let (base, len) = (self.base, self.env.len());
        self.base = len;
        self.env.extend_from_slice(env);
        let v = self.eval(e);
        self.env.truncate(len);
        self.base = base;
        self.missing.clear();
        self.readings.clear();
        v
    }

    /// Whether steps are recorded.
    pub fn tracing(&self) -> bool {
        self.trace
    }

    pub fn set_env(&mut self, actor: EntityRef, subject: EntityRef) {
        self.env.clear();
        self.base = 0;
        self.env.push(Value::Entity(actor));
        self.env.push(Value::Entity(subject));
    }

    /// Evaluates one rule's expression as a reasoning step. The questions whose reading it
    /// read are appended to `readings`; with tracing on, the step (what it read and which
    /// definitions it used) is appended to `steps`. The facts whose absence left the result
    /// unknown are then in [`Interp::missing`].
    pub fn step(
        &mut self,
        e: &Expr,
        rule: RuleRef,
        steps: Option<&mut Vec<Step>>,
        readings: &mut Vec<QuestionId>,
    ) -> Value {
        self.missing.clear();
        self.reads.clear();
        self.defs.clear();
        self.readings.clear();
        let v = self.eval(e);
        if self.missing.len() > 1 {
            self.missing.sort_unstable();
            self.missing.dedup();
        }
        if self.readings.len() > 1 {
            self.readings.sort_unstable();
            self.readings.dedup();
        }
        readings.extend_from_slice(&self.readings);
        if let (true, Some(steps)) = (self.trace, steps) {
            let mut defs = self.defs.clone();
            defs.sort_by_key(|d| (d.def, d.entity));
            defs.dedup_by_key(|d| (d.def, d.entity));
            steps.push(Step {
                rule,
                result: v.clone(),
                reads: dedup_reads(self.reads.clone()),
                defs,
                readings: self.readings.clone(),
            });
        }
        v
    }

    /// The facts (sorted, without repeats) whose absence left the last step unknown; empty
    /// when its result is known.
    pub fn missing(&self) -> &[FactRef] {
        &self.missing
    }

    /// Whether the date `e` is on or before `as_of`, looking into `if` branches so that an
    /// unknown condition whose branches agree still decides.
    pub fn date_le(&mut self, e: &Expr, as_of: Date) -> Tri {
        // Look through definitions, so `from = "model.apply_from"` behaves like the `if` it names.
        match &e.kind {
            ExprKind::Def(t, d) => {
                if let (Value::Entity(r), Some(def)) = (self.eval(t), self.version.def(self.rs, *d))
                {
                    let frame = self.push_frame(Value::Entity(r));
                    let out = self.date_le(def, as_of);
                    self.pop_frame(frame);
                    return out;
                }
                return Tri::Unknown;
            }
            ExprKind::Const(d) => {
                if let Some(def) = self.version.def(self.rs, *d) {
                    let frame = self.push_frame(Value::Absent);
                    let out = self.date_le(def, as_of);
                    self.pop_frame(frame);
                    return out;
                }
                return Tri::Unknown;
            }
            _ => {}
        }
        if let ExprKind::If(c, a, b) = &e.kind {
            return match Tri::from_value(&self.eval(c)) {
                Tri::True => self.date_le(a, as_of),
                Tri::False => self.date_le(b, as_of),
                Tri::Unknown => {
                    let x = self.date_le(a, as_of);
                    let y = self.date_le(b, as_of);
                    if x == y { x } else { Tri::Unknown }
                }
            };
        }
        match self.eval(e) {
            Value::Date(d) => {
                if d <= as_of {
                    Tri::True
                } else {
                    Tri::False
                }
            }
            _ => Tri::Unknown,
        }
    }

    fn slot(&self, entity: Option<EntityRef>, def: DefId) -> usize {
        let e = match entity {
            None => 0,
            Some(r) => {
                let i = r.index as usize;
                1 + i
                    + match r.kind {
                        Kind::Actor => 0,
                        Kind::Model => self.sc.actors.len(),
                        Kind::System => self.sc.actors.len() + self.sc.models.len(),
                        Kind::Deployment => {
                            self.sc.actors.len() + self.sc.models.len() + self.sc.systems.len()
                        }
                    }
            }
        };
        e * self.n_defs + def.index()
    }

    fn def_value(&mut self, entity: Option<EntityRef>, def: DefId) -> Value {
        let slot = self.slot(entity, def);
        let at = self.cache.get(slot).copied().unwrap_or(0);
        if let Some(c) = at.checked_sub(1).and_then(|i| self.cached.get(i as usize)) {
            self.missing
                .extend_from_slice(slice(&self.arena_missing, c.missing));
            self.readings
                .extend_from_slice(slice(&self.arena_readings, c.readings));
            let value = c.value.clone();
            if self.trace {
                self.reads
                    .extend_from_slice(slice(&self.arena_reads, c.reads));
                self.defs.extend_from_slice(slice(&self.arena_defs, c.defs));
                self.defs.push(DefUse {
                    entity,
                    def,
                    value: value.clone(),
                });
            }
            return value;
        }
        let Some(expr) = self.version.def(self.rs, def) else {
            return Value::Unknown;
        };
        let frame = self.push_frame(entity.map_or(Value::Absent, Value::Entity));
        let (m0, r0, d0) = (self.missing.len(), self.reads.len(), self.defs.len());
        let q0 = self.readings.len();
        let value = self.eval(expr);
        self.pop_frame(frame);
        let m = self.arena_missing.len();
        self.arena_missing
            .extend_from_slice(self.missing.get(m0..).unwrap_or(&[]));
        let r = self.arena_reads.len();
        self.arena_reads
            .extend_from_slice(self.reads.get(r0..).unwrap_or(&[]));
        let d = self.arena_defs.len();
        self.arena_defs
            .extend_from_slice(self.defs.get(d0..).unwrap_or(&[]));
        let q = self.arena_readings.len();
        self.arena_readings
            .extend_from_slice(self.readings.get(q0..).unwrap_or(&[]));
        let cached = Cached {
            value: value.clone(),
            readings: range(q, self.arena_readings.len()),
            missing: range(m, self.arena_missing.len()),
            reads: range(r, self.arena_reads.len()),
            defs: range(d, self.arena_defs.len()),
        };
        if let Some(c) = self.cache.get_mut(slot) {
            self.cached.push(cached);
            *c = u32::try_from(self.cached.len()).unwrap_or(0);
        }
        if self.trace {
            self.defs.push(DefUse {
                entity,
                def,
                value: value.clone(),
            });
        }
        value
    }

    fn eval(&mut self, e: &Expr) -> Value {
        let m0 = self.missing.len();
        let v = self.eval_inner(e);
        // A known result needs no missing fact to decide it.
        if v.is_known() {
            self.missing.truncate(m0);
        }
        v
    }

    fn tri(&mut self, e: &Expr) -> Tri {
        let v = self.eval(e);
        Tri::from_value(&v)
    }

    fn eval_inner(&mut self, e: &Expr) -> Value {
        match &e.kind {
            ExprKind::Lit(v) => v.clone(),
            ExprKind::Var(slot) => self
                .env
                .get(self.base + usize::from(*slot))
                .cloned()
                .unwrap_or(Value::Unknown),
            ExprKind::Const(d) => self.def_value(None, *d),
            ExprKind::Fact(t, f) => match self.eval(t) {
                Value::Entity(r) => {
                    let v = self.sc.fact(r, *f).cloned();
                    let fact = FactRef {
                        entity: r,
                        fact: *f,
                    };
                    if self.trace {
                        self.reads.push(Read {
                            fact,
                            value: v.clone(),
                        });
                    }
                    match v {
                        Some(v) => v,
                        None => {
                            self.missing.push(fact);
                            Value::Unknown
                        }
                    }
                }
                _ => Value::Unknown,
            },
            ExprKind::Def(t, d) => match self.eval(t) {
                Value::Entity(r) => self.def_value(Some(r), *d),
                _ => Value::Unknown,
            },
            ExprKind::Link(t, l) => match self.eval(t) {
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
            ExprKind::Not(a) => bool_of(self.tri(a).negate()),
            ExprKind::Neg(a) => match self.eval(a) {
                Value::Num(n) => Value::Num(-n),
                _ => Value::Unknown,
            },
            ExprKind::And(a, b) => {
                let x = self.tri(a);
                if x == Tri::False {
                    return Value::Bool(false);
                }
                bool_of(x.and(self.tri(b)))
            }
            ExprKind::Or(a, b) => {
                let x = self.tri(a);
                if x == Tri::True {
                    return Value::Bool(true);
                }
                bool_of(x.or(self.tri(b)))
            }
            ExprKind::Cmp(op, a, b) => {
                let x = self.eval(a);
                let y = self.eval(b);
                compare(*op, &x, &y)
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.eval(a);
                let y = self.eval(b);
                arith(*op, &x, &y)
            }
            ExprKind::In(a, b, negated) => {
                let x = self.eval(a);
                let y = self.eval(b);
                match (x, y) {
                    (Value::Enum(i), Value::Set(bits)) => {
                        let inside = i < 128 && bits & (1u128 << i) != 0;
                        Value::Bool(inside != *negated)
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::If(c, a, b) => match self.tri(c) {
                Tri::True => self.eval(a),
                Tri::False => self.eval(b),
                Tri::Unknown => {
                    let x = self.eval(a);
                    let y = self.eval(b);
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
                let Value::Entities(from, link) = self.eval(over) else {
                    return Value::Unknown;
                };
                let (_, _, kind, _) = link.signature();
                let sc: &'a Scenario = self.sc;
                let items = sc.list(from, link);
                let slot = self.base + usize::from(*slot);
                let mut acc = if *all { Tri::True } else { Tri::False };
                for &index in items {
                    self.env.truncate(slot);
                    while self.env.len() < slot {
                        self.env.push(Value::Absent);
                    }
                    self.env.push(Value::Entity(EntityRef { kind, index }));
                    let t = self.tri(body);
                    acc = if *all { acc.and(t) } else { acc.or(t) };
                    if (*all && acc == Tri::False) || (!*all && acc == Tri::True) {
                        break;
                    }
                }
                self.env.truncate(slot);
                bool_of(acc)
            }
            ExprKind::Present(a) => match self.eval(a) {
                Value::Absent => Value::Bool(false),
                Value::Unknown => Value::Unknown,
                _ => Value::Bool(true),
            },
            ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
                let is_min = matches!(e.kind, ExprKind::Min(..));
                let x = self.eval(a);
                let y = self.eval(b);
                match (x, y) {
                    (Value::Num(p), Value::Num(q)) => {
                        Value::Num(if is_min { p.min(q) } else { p.max(q) })
                    }
                    (Value::Date(p), Value::Date(q)) => {
                        Value::Date(if is_min { p.min(q) } else { p.max(q) })
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Reading(q) => {
                self.readings.push(*q);
                Value::Enum(self.version.reading(*q))
            }
            ExprKind::Error => Value::Unknown,
        }
    }
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

/// Working days a date is shifted by at most: the compiler accepts no longer duration
/// literal (E0202), and the bound keeps the day-by-day walk finite for any other caller.
const MAX_WORKING_DAYS: i64 = 100_000;

/// `date ± n unit`, calendar-aware: working days skip Saturdays and Sundays (public holidays
/// are not modelled); `None` when out of range.
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
