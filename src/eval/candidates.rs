//! Which actors can hold a role for one subject, read off the role's routes before any fact
//! is looked at.
//!
//! Almost every route starts by naming its actor through the chain: `model.creator == actor`,
//! `system.provider == actor`, `any d in system.deployments: d.deployer == actor`. For a given
//! subject those links name one actor (or none), and for every other actor the route is
//! certainly false, whatever the facts. An actor for whom every route is certainly false holds
//! nothing, is displaced from nothing and displaces nobody, so evaluation skips it; the
//! findings are the same as evaluating every actor (the `candidates_agree` test checks this on
//! every bundled scenario). Without this, cost grows with actors × subjects.
//!
//! The filter is conservative: `None` means "any actor may", and only the shapes below narrow
//! it. Each narrowing is justified by Kleene logic: `a and b` is false when either side is,
//! `a or b` only when both are, `any x in L: b` only when `b` is false for every item (and a
//! list link from an entity always yields a list, so the quantifier is not unknown).

use crate::ir::*;
use smallvec::SmallVec;

/// A few actor indices: one route names one actor, or a handful.
pub type Actors = SmallVec<[u32; 4]>;
type Env = SmallVec<[Option<EntityRef>; 6]>;

/// The actor indices (sorted, without repeats) for which `route` can be anything but false, or
/// `None` if it may hold for any actor.
#[doc(hidden)]
pub fn of_route(e: &Expr, sc: &Scenario, subject: EntityRef) -> Option<Actors> {
    let mut env: Env = SmallVec::new();
    env.push(None);
    env.push(Some(subject));
    let mut c = cands(e, sc, &mut env)?;
    c.sort_unstable();
    c.dedup();
    Some(c)
}

/// Where a chain path (`subject.system.provider`, a quantifier variable's link) leads:
/// `Some(Some(e))` an entity, `Some(None)` an absent link, `None` not a path this can follow.
fn path(e: &Expr, sc: &Scenario, env: &[Option<EntityRef>]) -> Option<Option<EntityRef>> {
    match &e.kind {
        // Slot 0 is the actor being decided: not known here.
        ExprKind::Var(0) => None,
        ExprKind::Var(k) => env.get(usize::from(*k)).copied().flatten().map(Some),
        ExprKind::Link(t, l) if !l.signature().3 => {
            Some(path(t, sc, env)?.and_then(|r| sc.follow(r, *l)))
        }
        // An actor-valued fact the scenario gives (`system.rebranded_by`); an unknown one
        // could be any actor.
        ExprKind::Fact(t, f) => match sc.fact(path(t, sc, env)??, *f)? {
            Value::Entity(r) => Some(Some(*r)),
            _ => None,
        },
        _ => None,
    }
}

fn is_actor(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Var(0))
}

fn cands(e: &Expr, sc: &Scenario, env: &mut Env) -> Option<Actors> {
    match &e.kind {
        ExprKind::Lit(Value::Bool(false)) => Some(Actors::new()),
        ExprKind::Cmp(CmpOp::Eq, a, b) => {
            let other = if is_actor(a) {
                b
            } else if is_actor(b) {
                a
            } else {
                return None;
            };
            // `actor == <path>`: equal only to the entity the path reaches; an absent link
            // equals no actor.
            Some(match path(other, sc, env)? {
                Some(r) if r.kind == Kind::Actor => smallvec::smallvec![r.index],
                _ => Actors::new(),
            })
        }
        ExprKind::And(a, b) => match (cands(a, sc, env), cands(b, sc, env)) {
            (Some(mut x), Some(y)) => {
                x.retain(|i| y.contains(i));
                Some(x)
            }
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        },
        ExprKind::Or(a, b) => {
            let mut x = cands(a, sc, env)?;
            x.extend(cands(b, sc, env)?);
            Some(x)
        }
        ExprKind::Quant {
            all: false,
            slot,
            over,
            body,
        } => {
            let ExprKind::Link(from, link) = &over.kind else {
                return None;
            };
            let (_, _, kind, is_list) = link.signature();
            if !is_list {
                return None;
            }
            // From an absent entity the interpreter's quantifier is unknown, not false.
            let from = path(from, sc, env)??;
            let slot = usize::from(*slot);
            let mut all = Actors::new();
            for &index in sc.list(from, *link) {
                env.truncate(slot);
                env.resize(slot, None);
                env.push(Some(EntityRef { kind, index }));
                let c = cands(body, sc, env);
                env.truncate(slot);
                all.extend(c?);
            }
            Some(all)
        }
        _ => None,
    }
}
