//! What the analysis needs to know about the rule set, computed once: the expressions of each
//! graph node (with every version amendments give them), the comparisons in them, the links
//! they navigate, and the dates that can change an obligation's status.

use super::partition::{self, Atom};
use crate::graph::{DecisionGraph, Node};
use crate::ir::*;
use jiff::civil::Date;
use std::collections::{BTreeSet, HashMap};

/// How deep definitions are followed when measuring lineage depth.
const MAX_DEPTH: u32 = 24;

/// The links a cone navigates, and how many `base` steps deep it looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    links: u16,
    pub base_depth: u8,
}

fn link_bit(l: Link) -> u16 {
    let i = Link::ALL.iter().position(|x| *x == l).unwrap_or(0);
    1u16 << i
}

impl Uses {
    pub fn has(&self, l: Link) -> bool {
        self.links & link_bit(l) != 0
    }
    fn add(&mut self, o: Uses) {
        self.links |= o.links;
        self.base_depth = self.base_depth.max(o.base_depth);
    }
}

pub struct Index<'a> {
    pub rs: &'a RuleSet,
    pub graph: DecisionGraph,
    def_overlays: Vec<Vec<&'a Expr>>,
    ob_overlays: Vec<Vec<&'a Expr>>,
    ob_date_overlays: Vec<Vec<&'a Expr>>,
    ex_overlays: Vec<Vec<&'a Expr>>,
    atoms: HashMap<Node, Vec<Atom>>,
    uses: HashMap<Node, Uses>,
}

impl<'a> Index<'a> {
    pub fn new(rs: &'a RuleSet) -> Index<'a> {
        let mut ix = Index {
            rs,
            graph: DecisionGraph::build(rs),
            def_overlays: vec![Vec::new(); rs.defs.len()],
            ob_overlays: vec![Vec::new(); rs.obligations.len()],
            ob_date_overlays: vec![Vec::new(); rs.obligations.len()],
            ex_overlays: vec![Vec::new(); rs.exemptions.len()],
            atoms: HashMap::new(),
            uses: HashMap::new(),
        };
        for ov in &rs.overlays {
            match &ov.target {
                OverlayTarget::DefinitionExpr(d, e) => {
                    if let Some(v) = ix.def_overlays.get_mut(d.index()) {
                        v.push(e);
                    }
                }
                OverlayTarget::ObligationWhen(o, e) | OverlayTarget::ObligationDeadline(o, e) => {
                    if let Some(v) = ix.ob_overlays.get_mut(o.index()) {
                        v.push(e);
                    }
                }
                OverlayTarget::ObligationFrom(o, e) | OverlayTarget::ObligationUntil(o, e) => {
                    if let Some(v) = ix.ob_overlays.get_mut(o.index()) {
                        v.push(e);
                    }
                    if let Some(v) = ix.ob_date_overlays.get_mut(o.index()) {
                        v.push(e);
                    }
                }
                OverlayTarget::ExemptionWhen(x, e) => {
                    if let Some(v) = ix.ex_overlays.get_mut(x.index()) {
                        v.push(e);
                    }
                }
                OverlayTarget::ObligationPenalty(..)
                | OverlayTarget::RepealObligation(_)
                | OverlayTarget::RepealExemption(_) => {}
            }
        }
        let mut def_depth: Vec<Option<Uses>> = vec![None; rs.defs.len()];
        for n in ix.graph.nodes() {
            let mut atoms = Vec::new();
            let mut uses = Uses::default();
            for e in ix.node_exprs(n) {
                partition::atoms(&ix, e, &mut atoms);
                uses.add(expr_uses(&ix, e, &mut def_depth, 0));
            }
            if let Node::Obligation(o) = n {
                for e in ix.date_exprs(o) {
                    partition::date_as_of_atoms(&ix, e, &mut atoms, 0);
                }
            }
            ix.atoms.insert(n, atoms);
            ix.uses.insert(n, uses);
        }
        ix
    }

    /// A definition's expression and every version an amendment gives it.
    pub fn def_versions(&self, d: DefId) -> Vec<&'a Expr> {
        let mut v: Vec<&'a Expr> = self.rs.def(d).map(|x| &x.expr).into_iter().collect();
        if let Some(o) = self.def_overlays.get(d.index()) {
            v.extend(o.iter().copied());
        }
        v
    }

    /// The expressions of a node (every version).
    pub fn node_exprs(&self, n: Node) -> Vec<&'a Expr> {
        let rs = self.rs;
        match n {
            Node::Def(d) => self.def_versions(d),
            Node::Role(r) => rs
                .role(r)
                .map(|x| x.routes.iter().map(|r| &r.when).collect())
                .unwrap_or_default(),
            Node::Obligation(o) => {
                let mut v: Vec<&'a Expr> = rs
                    .obligation(o)
                    .map(|x| {
                        [&x.when, &x.from, &x.until, &x.deadline]
                            .into_iter()
                            .flatten()
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(o) = self.ob_overlays.get(o.index()) {
                    v.extend(o.iter().copied());
                }
                v
            }
            Node::Exemption(x) => {
                let mut v: Vec<&'a Expr> = rs
                    .exemption(x)
                    .map(|x| {
                        std::iter::once(&x.when)
                            .chain(x.exceptions.iter().map(|e| &e.when))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(o) = self.ex_overlays.get(x.index()) {
                    v.extend(o.iter().copied());
                }
                v
            }
            Node::Penalty(p) => rs
                .penalty(p)
                .and_then(|p| p.amount.as_ref())
                .into_iter()
                .collect(),
            Node::Fact(_) | Node::Question(_) | Node::Amendment(_) => Vec::new(),
        }
    }

    /// An obligation's `from` and `until` (every version).
    pub fn date_exprs(&self, o: ObligationId) -> Vec<&'a Expr> {
        let mut v: Vec<&'a Expr> = self
            .rs
            .obligation(o)
            .map(|x| [&x.from, &x.until].into_iter().flatten().collect())
            .unwrap_or_default();
        if let Some(o) = self.ob_date_overlays.get(o.index()) {
            v.extend(o.iter().copied());
        }
        v
    }

    /// The node and every node it (transitively) reads.
    pub fn cone(&self, n: Node) -> BTreeSet<Node> {
        let mut c = self.graph.cone(n);
        c.insert(n);
        c
    }

    pub fn atoms(&self, nodes: &BTreeSet<Node>) -> Vec<Atom> {
        nodes
            .iter()
            .filter_map(|n| self.atoms.get(n))
            .flat_map(|v| v.iter().cloned())
            .collect()
    }

    pub fn uses(&self, nodes: &BTreeSet<Node>) -> Uses {
        let mut u = Uses::default();
        for n in nodes {
            if let Some(x) = self.uses.get(n) {
                u.add(*x);
            }
        }
        u
    }

    /// The constant dates an obligation's `from` and `until` can compare the as-of date with.
    pub fn obligation_dates(&self, o: ObligationId) -> Vec<Date> {
        let mut out = Vec::new();
        for e in self.date_exprs(o) {
            self.dates_in(e, &mut out, 0);
        }
        out
    }

    fn dates_in(&self, e: &Expr, out: &mut Vec<Date>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for v in partition::fold(self, e) {
            if let Value::Date(d) = v {
                out.push(d);
            }
        }
        if let ExprKind::Def(_, d) = &e.kind {
            for x in self.def_versions(*d) {
                self.dates_in(x, out, depth + 1);
            }
        }
        for c in partition::children(e) {
            self.dates_in(c, out, depth + 1);
        }
    }

    /// The dates the legal status of an instrument or of one of its amendments changes on.
    pub fn status_dates(&self, inst: InstrumentId) -> Vec<Date> {
        let mut out = Vec::new();
        for (i, x) in self.rs.instruments.iter().enumerate() {
            if InstrumentId::from_index(i) == inst || x.amends == Some(inst) {
                out.extend(x.status.iter().map(|s| s.from));
            }
        }
        out
    }
}

/// The number of `base` steps at the end of an entity path (`model.base.base` → 2).
fn base_steps(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Link(t, Link::Base) => base_steps(t).saturating_add(1),
        _ => 0,
    }
}

fn expr_uses(ix: &Index<'_>, e: &Expr, def_depth: &mut [Option<Uses>], depth: u32) -> Uses {
    let mut u = Uses::default();
    if depth > MAX_DEPTH {
        return u;
    }
    match &e.kind {
        ExprKind::Link(_, l) => {
            u.links |= link_bit(*l);
            u.base_depth = base_steps(e);
        }
        ExprKind::Def(t, d) => {
            let inner = def_uses(ix, *d, def_depth, depth + 1);
            u.links |= inner.links;
            u.base_depth = base_steps(t).saturating_add(inner.base_depth);
        }
        ExprKind::Const(d) => {
            let inner = def_uses(ix, *d, def_depth, depth + 1);
            u.links |= inner.links;
        }
        _ => {}
    }
    for c in partition::children(e) {
        u.add(expr_uses(ix, c, def_depth, depth + 1));
    }
    u
}

fn def_uses(ix: &Index<'_>, d: DefId, memo: &mut [Option<Uses>], depth: u32) -> Uses {
    if let Some(Some(u)) = memo.get(d.index()) {
        return *u;
    }
    let mut u = Uses::default();
    for e in ix.def_versions(d) {
        u.add(expr_uses(ix, e, memo, depth));
    }
    if let Some(slot) = memo.get_mut(d.index()) {
        *slot = Some(u);
    }
    u
}
