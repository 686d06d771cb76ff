//! Exhaustive exploration of a fact space, lazily.
//!
//! A node is a partial assignment of facts; every fact it leaves out is unknown. The node is
//! evaluated with `eval::evaluate` (in every world asked for); the caller's visitor looks at the
//! outcomes and either stops, declares a leaf, or names the facts whose values would decide
//! the target (the `missing` facts the evaluator reports). The first of those not yet assigned
//! is split over its partition, one child per representative value.
//!
//! This covers the whole partition: Kleene logic is monotone (a result that is known stays the
//! same when an unknown fact becomes known), so a leaf decides every completion of its
//! assignment, and the node itself stands for the fact being unknown. Only facts the target
//! actually reads are ever split, so the space explored is the target's cone of influence.

use super::chain::{Chain, World};
use super::partition::Partition;
use super::slice::Slice;
use crate::eval::{self, FactRef, Options, Outcome};
use crate::ir::*;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;

/// Cached outcomes above this count are dropped (memory stays bounded).
const MAX_CACHE: usize = 40_000;

/// The facts assigned so far, sorted by fact.
pub type Assignment = Vec<(FactRef, Value)>;

/// What the visitor decides for a node.
pub enum Visit {
    /// The goal is reached: end the exploration.
    Stop,
    /// Nothing below this node can differ: do not split further.
    Leaf,
    /// Split on the first of these facts that is not yet assigned.
    Branch(Vec<FactRef>),
}

/// How an exploration ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Stopped,
    Complete,
    /// The node budget ran out before the space was covered.
    Capped,
}

/// Explores with its own copy of the rule set, narrowed to the rules under analysis: a role's
/// findings do not depend on the other roles, nor an obligation's on the other obligations,
/// so evaluating only the target gives the same findings for it, much faster.
/// Explores with a [`Slice`] of the rule set narrowed to the rules under analysis.
pub struct Explorer {
    base: RuleSet,
    slice: Slice,
    cache: HashMap<u64, Rc<Outcome>>,
    /// Evaluate with reasoning traces.
    trace: bool,
    /// Evaluations run (cache misses), for statistics.
    pub evaluations: u64,
    /// Nodes visited.
    pub nodes: u64,
}

fn value_key(v: &Value, h: &mut DefaultHasher) {
    match v {
        Value::Unknown => 0u8.hash(h),
        Value::Absent => 1u8.hash(h),
        Value::Bool(b) => (2u8, b).hash(h),
        Value::Num(n) => (3u8, n.to_bits()).hash(h),
        Value::Date(d) => (4u8, d).hash(h),
        Value::Dur(n, u) => (5u8, n, u).hash(h),
        Value::Enum(i) => (6u8, i).hash(h),
        Value::Set(s) => (7u8, s).hash(h),
        Value::Text(t) => (8u8, t).hash(h),
        Value::Entity(r) => (9u8, r).hash(h),
        Value::Entities(r, l) => (10u8, r, l).hash(h),
    }
}

impl Explorer {
    pub fn new(rs: RuleSet) -> Explorer {
        let slice = Slice::new(&rs, InstrumentId(0), &[], &[]);
        Explorer {
            base: rs,
            slice,
            cache: HashMap::new(),
            trace: false,
            evaluations: 0,
            nodes: 0,
        }
    }

    /// Evaluates from now on only these roles of the instrument, and of their obligations only
    /// those listed.
    pub fn focus(&mut self, inst: InstrumentId, roles: &[RoleId], obligations: &[ObligationId]) {
        self.slice = Slice::new(&self.base, inst, roles, obligations);
        self.cache.clear();
    }

    /// Whether evaluations record reasoning traces (slower; lets a visitor see each step).
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    /// Evaluates one world.
    pub fn evaluate(
        &mut self,
        chain: &Chain,
        world: &World,
        facts: &[(FactRef, Value)],
    ) -> Outcome {
        self.evaluations += 1;
        let sc = chain.scenario(&self.slice.rs, world, facts);
        let out = eval::evaluate(
            &self.slice.rs,
            &sc,
            &Options {
                instruments: Some(vec![world.instrument]),
                trace: self.trace,
                ..Options::default()
            },
        );
        self.slice.unmap(out)
    }

    fn outcome(&mut self, chain: &Chain, world: &World, facts: &Assignment) -> Rc<Outcome> {
        let mut h = DefaultHasher::new();
        chain.key().hash(&mut h);
        self.trace.hash(&mut h);
        world.hash(&mut h);
        for (f, v) in facts {
            f.hash(&mut h);
            value_key(v, &mut h);
        }
        let key = h.finish();
        if let Some(o) = self.cache.get(&key) {
            return Rc::clone(o);
        }
        let rc = Rc::new(self.evaluate(chain, world, facts));
        if self.cache.len() >= MAX_CACHE {
            self.cache.clear();
        }
        self.cache.insert(key, Rc::clone(&rc));
        rc
    }

    /// Explores the facts of `chain` in `worlds` depth first, at most `budget` nodes.
    pub fn explore(
        &mut self,
        chain: &Chain,
        worlds: &[World],
        part: &Partition,
        budget: usize,
        visit: &mut dyn FnMut(&Assignment, &[Rc<Outcome>]) -> Visit,
    ) -> Ended {
        let mut stack: Vec<Assignment> = vec![Vec::new()];
        let mut seen = 0usize;
        while let Some(asg) = stack.pop() {
            if seen >= budget {
                return Ended::Capped;
            }
            seen += 1;
            self.nodes += 1;
            let outs: Vec<Rc<Outcome>> = worlds
                .iter()
                .map(|w| self.outcome(chain, w, &asg))
                .collect();
            let v = visit(&asg, &outs);
            match v {
                Visit::Stop => return Ended::Stopped,
                Visit::Leaf => {}
                Visit::Branch(cands) => {
                    let next = cands.into_iter().find(|f| {
                        chain.has(f.entity)
                            && !asg.iter().any(|(g, _)| g == f)
                            && !part.reps(f.fact).is_empty()
                    });
                    let Some(f) = next else { continue };
                    for v in part.reps(f.fact).iter().rev() {
                        let mut child = asg.clone();
                        let pos = child.partition_point(|(g, _)| *g < f);
                        child.insert(pos, (f, v.clone()));
                        stack.push(child);
                    }
                }
            }
        }
        Ended::Complete
    }
}
