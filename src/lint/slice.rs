//! A slice of the rule set: only the rules under analysis and the definitions they read,
//! renumbered, so that one evaluation allocates and visits nothing else.
//!
//! A role's findings depend only on its routes (displacement is within the role), an
//! obligation's only on its role, its own expressions and its exemptions, and all of them only
//! on the definitions they read; the slice keeps exactly those (with every amendment overlay
//! on them), so evaluating it gives the same findings for them as the whole rule set. Penalties
//! are left out: exposure never decides a status. Outcomes are mapped back to the ids of the
//! whole rule set.

use crate::eval::{Outcome, RuleRef};
use crate::ir::*;
use std::collections::BTreeMap;

pub struct Slice {
    pub rs: RuleSet,
    role_back: Vec<RoleId>,
    ob_back: Vec<ObligationId>,
    ex_back: Vec<ExemptionId>,
    def_back: Vec<DefId>,
}

fn defs_read(e: &Expr, out: &mut Vec<DefId>) {
    match &e.kind {
        ExprKind::Def(_, d) | ExprKind::Const(d) => out.push(*d),
        _ => {}
    }
    for c in super::partition::children(e) {
        defs_read(c, out);
    }
}

fn rewrite(e: &Expr, defs: &BTreeMap<DefId, DefId>) -> Expr {
    let b = |x: &Expr| Box::new(rewrite(x, defs));
    let d = |x: DefId| defs.get(&x).copied().unwrap_or(x);
    let kind = match &e.kind {
        ExprKind::Lit(v) => ExprKind::Lit(v.clone()),
        ExprKind::Var(s) => ExprKind::Var(*s),
        ExprKind::Const(x) => ExprKind::Const(d(*x)),
        ExprKind::Fact(t, f) => ExprKind::Fact(b(t), *f),
        ExprKind::Def(t, x) => ExprKind::Def(b(t), d(*x)),
        ExprKind::Link(t, l) => ExprKind::Link(b(t), *l),
        ExprKind::Not(t) => ExprKind::Not(b(t)),
        ExprKind::Neg(t) => ExprKind::Neg(b(t)),
        ExprKind::And(x, y) => ExprKind::And(b(x), b(y)),
        ExprKind::Or(x, y) => ExprKind::Or(b(x), b(y)),
        ExprKind::Cmp(op, x, y) => ExprKind::Cmp(*op, b(x), b(y)),
        ExprKind::Arith(op, x, y) => ExprKind::Arith(*op, b(x), b(y)),
        ExprKind::In(x, y, n) => ExprKind::In(b(x), b(y), *n),
        ExprKind::If(c, x, y) => ExprKind::If(b(c), b(x), b(y)),
        ExprKind::Quant {
            all,
            slot,
            over,
            body,
        } => ExprKind::Quant {
            all: *all,
            slot: *slot,
            over: b(over),
            body: b(body),
        },
        ExprKind::Present(t) => ExprKind::Present(b(t)),
        ExprKind::Min(x, y) => ExprKind::Min(b(x), b(y)),
        ExprKind::Max(x, y) => ExprKind::Max(b(x), b(y)),
        ExprKind::Reading(q) => ExprKind::Reading(*q),
        ExprKind::Error => ExprKind::Error,
    };
    Expr {
        kind,
        ty: e.ty.clone(),
        span: e.span,
    }
}

impl Slice {
    /// The slice for these roles of `inst` and, of their obligations, those listed.
    pub fn new(
        rs: &RuleSet,
        inst: InstrumentId,
        roles: &[RoleId],
        obligations: &[ObligationId],
    ) -> Slice {
        let roles: Vec<RoleId> = roles
            .iter()
            .copied()
            .filter(|r| rs.role(*r).is_some())
            .collect();
        let obs: Vec<ObligationId> = roles
            .iter()
            .flat_map(|r| rs.role_obligations.get(r.index()).into_iter().flatten())
            .copied()
            .filter(|o| obligations.contains(o))
            .collect();
        let mut exs: Vec<ExemptionId> = Vec::new();
        for o in &obs {
            for x in rs
                .obligation_exemptions
                .get(o.index())
                .into_iter()
                .flatten()
            {
                if !exs.contains(x) {
                    exs.push(*x);
                }
            }
        }
        let overlays: Vec<&Overlay> = rs
            .overlays
            .iter()
            .filter(|ov| match &ov.target {
                OverlayTarget::ObligationWhen(o, _)
                | OverlayTarget::ObligationFrom(o, _)
                | OverlayTarget::ObligationUntil(o, _)
                | OverlayTarget::ObligationDeadline(o, _)
                | OverlayTarget::RepealObligation(o) => obs.contains(o),
                OverlayTarget::ExemptionWhen(x, _) | OverlayTarget::RepealExemption(x) => {
                    exs.contains(x)
                }
                OverlayTarget::DefinitionExpr(..) => true,
                OverlayTarget::ObligationPenalty(..) => false,
            })
            .collect();
        // The definitions read, transitively (through every version of each).
        let mut pending: Vec<DefId> = Vec::new();
        for r in &roles {
            for rt in rs.role(*r).map(|x| x.routes.as_slice()).unwrap_or(&[]) {
                defs_read(&rt.when, &mut pending);
            }
        }
        for o in &obs {
            if let Some(x) = rs.obligation(*o) {
                for e in [&x.when, &x.from, &x.until, &x.deadline]
                    .into_iter()
                    .flatten()
                {
                    defs_read(e, &mut pending);
                }
            }
        }
        for x in &exs {
            if let Some(x) = rs.exemption(*x) {
                defs_read(&x.when, &mut pending);
                for e in &x.exceptions {
                    defs_read(&e.when, &mut pending);
                }
            }
        }
        for ov in &overlays {
            match &ov.target {
                OverlayTarget::ObligationWhen(_, e)
                | OverlayTarget::ObligationFrom(_, e)
                | OverlayTarget::ObligationUntil(_, e)
                | OverlayTarget::ObligationDeadline(_, e)
                | OverlayTarget::ExemptionWhen(_, e) => defs_read(e, &mut pending),
                _ => {}
            }
        }
        let mut kept: Vec<DefId> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(d) = pending.pop() {
            if !seen.insert(d) {
                continue;
            }
            let Some(def) = rs.def(d) else { continue };
            kept.push(d);
            defs_read(&def.expr, &mut pending);
            for ov in &overlays {
                if let OverlayTarget::DefinitionExpr(t, e) = &ov.target {
                    if *t == d {
                        defs_read(e, &mut pending);
                    }
                }
            }
        }
        kept.sort();
        let def_map: BTreeMap<DefId, DefId> = kept
            .iter()
            .enumerate()
            .map(|(i, d)| (*d, DefId::from_index(i)))
            .collect();
        let role_map: BTreeMap<RoleId, RoleId> = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (*r, RoleId::from_index(i)))
            .collect();
        let ob_map: BTreeMap<ObligationId, ObligationId> = obs
            .iter()
            .enumerate()
            .map(|(i, o)| (*o, ObligationId::from_index(i)))
            .collect();
        let ex_map: BTreeMap<ExemptionId, ExemptionId> = exs
            .iter()
            .enumerate()
            .map(|(i, x)| (*x, ExemptionId::from_index(i)))
            .collect();
        let rw = |e: &Expr| rewrite(e, &def_map);
        let mut out = RuleSet {
            enums: rs.enums.clone(),
            facts: rs.facts.clone(),
            instruments: rs.instruments.clone(),
            questions: rs.questions.clone(),
            version: rs.version.clone(),
            ..RuleSet::default()
        };
        for d in &kept {
            if let Some(def) = rs.def(*d) {
                out.defs.push(Definition {
                    expr: rw(&def.expr),
                    ..def.clone()
                });
            }
        }
        for r in &roles {
            if let Some(role) = rs.role(*r) {
                out.roles.push(Role {
                    routes: role
                        .routes
                        .iter()
                        .map(|rt| Route {
                            when: rw(&rt.when),
                            ..rt.clone()
                        })
                        .collect(),
                    ..role.clone()
                });
                out.role_obligations.push(
                    rs.role_obligations
                        .get(r.index())
                        .into_iter()
                        .flatten()
                        .filter_map(|o| ob_map.get(o).copied())
                        .collect(),
                );
            }
        }
        for o in &obs {
            if let Some(x) = rs.obligation(*o) {
                out.obligations.push(Obligation {
                    role: role_map.get(&x.role).copied().unwrap_or(x.role),
                    when: x.when.as_ref().map(rw),
                    from: x.from.as_ref().map(rw),
                    until: x.until.as_ref().map(rw),
                    deadline: x.deadline.as_ref().map(rw),
                    penalty: None,
                    ..x.clone()
                });
                out.obligation_exemptions.push(
                    rs.obligation_exemptions
                        .get(o.index())
                        .into_iter()
                        .flatten()
                        .filter_map(|e| ex_map.get(e).copied())
                        .collect(),
                );
                out.obligation_questions.push(
                    rs.obligation_questions
                        .get(o.index())
                        .cloned()
                        .unwrap_or_default(),
                );
                out.obligation_amendments.push(
                    rs.obligation_amendments
                        .get(o.index())
                        .cloned()
                        .unwrap_or_default(),
                );
            }
        }
        for x in &exs {
            if let Some(e) = rs.exemption(*x) {
                out.exemptions.push(Exemption {
                    exempts: e
                        .exempts
                        .iter()
                        .filter_map(|o| ob_map.get(o).copied())
                        .collect(),
                    when: rw(&e.when),
                    exceptions: e
                        .exceptions
                        .iter()
                        .map(|c| Exception {
                            when: rw(&c.when),
                            ..c.clone()
                        })
                        .collect(),
                    ..e.clone()
                });
            }
        }
        out.instrument_roles = (0..rs.instruments.len())
            .map(|i| {
                if i == inst.index() {
                    (0..out.roles.len()).map(RoleId::from_index).collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        for ov in overlays {
            let target = match &ov.target {
                OverlayTarget::ObligationWhen(o, e) => ob_map
                    .get(o)
                    .map(|n| OverlayTarget::ObligationWhen(*n, rw(e))),
                OverlayTarget::ObligationFrom(o, e) => ob_map
                    .get(o)
                    .map(|n| OverlayTarget::ObligationFrom(*n, rw(e))),
                OverlayTarget::ObligationUntil(o, e) => ob_map
                    .get(o)
                    .map(|n| OverlayTarget::ObligationUntil(*n, rw(e))),
                OverlayTarget::ObligationDeadline(o, e) => ob_map
                    .get(o)
                    .map(|n| OverlayTarget::ObligationDeadline(*n, rw(e))),
                OverlayTarget::RepealObligation(o) => {
                    ob_map.get(o).map(|n| OverlayTarget::RepealObligation(*n))
                }
                OverlayTarget::ExemptionWhen(x, e) => ex_map
                    .get(x)
                    .map(|n| OverlayTarget::ExemptionWhen(*n, rw(e))),
                OverlayTarget::RepealExemption(x) => {
                    ex_map.get(x).map(|n| OverlayTarget::RepealExemption(*n))
                }
                OverlayTarget::DefinitionExpr(d, e) => def_map
                    .get(d)
                    .map(|n| OverlayTarget::DefinitionExpr(*n, rw(e))),
                OverlayTarget::ObligationPenalty(..) => None,
            };
            if let Some(target) = target {
                out.overlays.push(Overlay {
                    target,
                    ..ov.clone()
                });
            }
        }
        Slice {
            rs: out,
            role_back: roles,
            ob_back: obs,
            ex_back: exs,
            def_back: kept,
        }
    }

    fn role(&self, r: RoleId) -> RoleId {
        self.role_back.get(r.index()).copied().unwrap_or(r)
    }
    fn ob(&self, o: ObligationId) -> ObligationId {
        self.ob_back.get(o.index()).copied().unwrap_or(o)
    }
    fn ex(&self, x: ExemptionId) -> ExemptionId {
        self.ex_back.get(x.index()).copied().unwrap_or(x)
    }

    fn def(&self, d: DefId) -> DefId {
        self.def_back.get(d.index()).copied().unwrap_or(d)
    }

    fn step(&self, s: &mut crate::eval::Step) {
        s.rule = self.rule(s.rule);
        for d in &mut s.defs {
            d.def = self.def(d.def);
        }
    }

    fn rule(&self, r: RuleRef) -> RuleRef {
        match r {
            RuleRef::Route(x, i) => RuleRef::Route(self.role(x), i),
            RuleRef::Displaced(x, a, i) => RuleRef::Displaced(self.role(x), a, i),
            RuleRef::Condition(o) => RuleRef::Condition(self.ob(o)),
            RuleRef::Exemption(x) => RuleRef::Exemption(self.ex(x)),
            RuleRef::Exception(x, i) => RuleRef::Exception(self.ex(x), i),
            RuleRef::From(o) => RuleRef::From(self.ob(o)),
            RuleRef::Until(o) => RuleRef::Until(self.ob(o)),
            RuleRef::Deadline(o) => RuleRef::Deadline(self.ob(o)),
        }
    }

    /// Maps an outcome of the slice back to the ids of the whole rule set.
    pub fn unmap(&self, mut o: Outcome) -> Outcome {
        for r in &mut o.roles {
            r.role = self.role(r.role);
            for s in &mut r.trace {
                self.step(s);
            }
        }
        for f in &mut o.findings {
            f.role = self.role(f.role);
            f.obligation = self.ob(f.obligation);
            f.exempted_by = f.exempted_by.map(|x| self.ex(x));
            for s in &mut f.trace {
                self.step(s);
            }
        }
        o
    }
}
