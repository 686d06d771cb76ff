//! Values of single expressions for the threshold analysis: the text in force at the as-of
//! date and the value of an expression against a scenario, computed by the engine's own
//! interpreter (`eval::Evaluator`) under the engine's own version of the law
//! (`eval::version_for`). The analysis only uses them to *propose* values to try; every
//! conclusion it reports comes from re-running `eval::evaluate`.

use crate::eval::{Evaluator, Options, Version, version_for};
use crate::ir::*;
use jiff::civil::Date;

pub use crate::eval::shift_date;

/// The expressions in force at the as-of date, with the chosen readings.
pub struct Law<'a> {
    pub rs: &'a RuleSet,
    version: Version<'a>,
}

impl<'a> Law<'a> {
    pub fn new(rs: &'a RuleSet, sc: &Scenario, opts: &Options, as_of: Date) -> Law<'a> {
        Law {
            rs,
            version: version_for(rs, sc, opts, as_of),
        }
    }

    pub fn reading(&self, q: QuestionId) -> u16 {
        self.version.reading(q)
    }

    pub fn def(&self, d: DefId) -> Option<&'a Expr> {
        self.version.def(self.rs, d)
    }

    /// Whether a role exists in the text in force (a role an amendment adds exists only while
    /// the amendment counts).
    pub fn role_exists(&self, r: &Role) -> bool {
        r.added_by.is_none_or(|a| self.version.is_active(a))
    }

    pub fn repealed(&self, o: ObligationId) -> bool {
        self.version.repealed(o)
    }

    pub fn when(&self, o: ObligationId) -> Option<&'a Expr> {
        self.version.when(self.rs, o)
    }

    pub fn from(&self, o: ObligationId) -> Option<&'a Expr> {
        self.version.from(self.rs, o)
    }

    pub fn until(&self, o: ObligationId) -> Option<&'a Expr> {
        self.version.until(self.rs, o)
    }

    pub fn exemption_when(&self, x: ExemptionId) -> Option<&'a Expr> {
        self.version.exemption_when(self.rs, x)
    }
}

/// Evaluates expressions against one scenario with Kleene logic, memoising definitions.
pub struct Fold<'a> {
    ev: Evaluator<'a>,
}

impl<'a> Fold<'a> {
    pub fn new(law: &'a Law<'a>, sc: &'a Scenario) -> Fold<'a> {
        Fold {
            ev: Evaluator::new(law.rs, sc, &law.version),
        }
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
        self.ev.eval(e, env)
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
