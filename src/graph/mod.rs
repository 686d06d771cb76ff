//! The decision graph: rules and facts as nodes, "is read by" as edges (petgraph).
//!
//! Only this module knows petgraph's `NodeIndex`; the rest of the crate speaks in typed ids.
//! The graph serves three purposes: rejecting cycles between definitions (with a location for
//! every edge), giving a topological order, and answering "which rules does this finding
//! depend on" (its cone of influence).

pub mod render;

use crate::diag::Diagnostic;
use crate::ir::*;
use crate::source::Span;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeSet, HashMap};

/// A node of the decision graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Fact(FactId),
    Def(DefId),
    Role(RoleId),
    Obligation(ObligationId),
    Exemption(ExemptionId),
    Question(QuestionId),
    Penalty(PenaltyId),
    /// An amending instrument, read by every rule it changes or adds.
    Amendment(InstrumentId),
}

/// The compiled decision graph of a rule set.
pub struct DecisionGraph {
    graph: DiGraph<Node, Span>,
    nodes: HashMap<Node, NodeIndex>,
}

fn refs(e: &Expr, out: &mut Vec<(Node, Span)>) {
    match &e.kind {
        ExprKind::Fact(t, f) => {
            out.push((Node::Fact(*f), e.span));
            refs(t, out);
        }
        ExprKind::Def(t, d) => {
            out.push((Node::Def(*d), e.span));
            refs(t, out);
        }
        ExprKind::Const(d) => out.push((Node::Def(*d), e.span)),
        ExprKind::Link(t, _) | ExprKind::Not(t) | ExprKind::Neg(t) | ExprKind::Present(t) => {
            refs(t, out);
        }
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Min(a, b)
        | ExprKind::Max(a, b) => {
            refs(a, out);
            refs(b, out);
        }
        ExprKind::If(c, a, b) => {
            refs(c, out);
            refs(a, out);
            refs(b, out);
        }
        ExprKind::Quant { over, body, .. } => {
            refs(over, out);
            refs(body, out);
        }
        ExprKind::Reading(q) => out.push((Node::Question(*q), e.span)),
        ExprKind::Lit(_) | ExprKind::Var(_) | ExprKind::Error => {}
    }
}

impl DecisionGraph {
    pub fn build(rs: &RuleSet) -> DecisionGraph {
        let mut g = DecisionGraph {
            graph: DiGraph::new(),
            nodes: HashMap::new(),
        };
        for i in 0..rs.facts.len() {
            g.node(Node::Fact(FactId::from_index(i)));
        }
        for (i, d) in rs.defs.iter().enumerate() {
            let me = Node::Def(DefId::from_index(i));
            g.node(me);
            g.edges_from_expr(&d.expr, me);
        }
        for (i, r) in rs.roles.iter().enumerate() {
            let me = Node::Role(RoleId::from_index(i));
            g.node(me);
            for route in &r.routes {
                g.edges_from_expr(&route.when, me);
            }
        }
        for (i, o) in rs.obligations.iter().enumerate() {
            let me = Node::Obligation(ObligationId::from_index(i));
            g.node(me);
            g.edge(Node::Role(o.role), me, o.span);
            for e in [&o.when, &o.from, &o.until, &o.deadline]
                .into_iter()
                .flatten()
            {
                g.edges_from_expr(e, me);
            }
        }
        for (i, x) in rs.exemptions.iter().enumerate() {
            let me = Node::Exemption(ExemptionId::from_index(i));
            g.node(me);
            g.edges_from_expr(&x.when, me);
            for ex in &x.exceptions {
                g.edges_from_expr(&ex.when, me);
            }
            for o in &x.exempts {
                g.edge(me, Node::Obligation(*o), x.span);
            }
        }
        for (i, p) in rs.penalties.iter().enumerate() {
            let me = Node::Penalty(PenaltyId::from_index(i));
            g.node(me);
            if let Some(a) = &p.amount {
                g.edges_from_expr(a, me);
            }
        }
        for (i, o) in rs.obligations.iter().enumerate() {
            let me = Node::Obligation(ObligationId::from_index(i));
            if let Some(p) = o.penalty {
                g.edge(Node::Penalty(p), me, o.span);
            }
            if let Some(a) = o.added_by {
                g.edge(Node::Amendment(a), me, o.span);
            }
        }
        for (i, d) in rs.defs.iter().enumerate() {
            if let Some(a) = d.added_by {
                g.edge(Node::Amendment(a), Node::Def(DefId::from_index(i)), d.span);
            }
        }
        for (i, x) in rs.exemptions.iter().enumerate() {
            if let Some(a) = x.added_by {
                g.edge(
                    Node::Amendment(a),
                    Node::Exemption(ExemptionId::from_index(i)),
                    x.span,
                );
            }
        }
        for ov in &rs.overlays {
            let (target, expr) = match &ov.target {
                OverlayTarget::ObligationWhen(o, e)
                | OverlayTarget::ObligationFrom(o, e)
                | OverlayTarget::ObligationUntil(o, e)
                | OverlayTarget::ObligationDeadline(o, e) => (Node::Obligation(*o), Some(e)),
                OverlayTarget::ObligationPenalty(o, p) => {
                    g.edge(Node::Penalty(*p), Node::Obligation(*o), ov.span);
                    (Node::Obligation(*o), None)
                }
                OverlayTarget::DefinitionExpr(d, e) => (Node::Def(*d), Some(e)),
                OverlayTarget::ExemptionWhen(x, e) => (Node::Exemption(*x), Some(e)),
                OverlayTarget::RepealObligation(o) => (Node::Obligation(*o), None),
                OverlayTarget::RepealExemption(x) => (Node::Exemption(*x), None),
            };
            g.edge(Node::Amendment(ov.amendment), target, ov.span);
            if let Some(e) = expr {
                g.edges_from_expr(e, target);
            }
        }
        g
    }

    fn node(&mut self, n: Node) -> NodeIndex {
        if let Some(i) = self.nodes.get(&n) {
            return *i;
        }
        let i = self.graph.add_node(n);
        self.nodes.insert(n, i);
        i
    }

    fn edge(&mut self, from: Node, to: Node, span: Span) {
        let a = self.node(from);
        let b = self.node(to);
        self.graph.add_edge(a, b, span);
    }

    fn edges_from_expr(&mut self, e: &Expr, to: Node) {
        let mut out = Vec::new();
        refs(e, &mut out);
        for (n, span) in out {
            self.edge(n, to, span);
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Every node, sorted.
    pub fn nodes(&self) -> Vec<Node> {
        let mut v: Vec<Node> = self.nodes.keys().copied().collect();
        v.sort();
        v
    }

    /// Every node that `n` (transitively) reads: its cone of influence, sorted.
    pub fn cone(&self, n: Node) -> BTreeSet<Node> {
        let mut out = BTreeSet::new();
        let Some(&start) = self.nodes.get(&n) else {
            return out;
        };
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for e in self.graph.edges_directed(i, petgraph::Direction::Incoming) {
                let src = e.source();
                if let Some(&w) = self.graph.node_weight(src) {
                    if out.insert(w) {
                        stack.push(src);
                    }
                }
            }
        }
        out
    }

    /// Every edge, as (reader, read, where), sorted.
    pub fn edges(&self) -> Vec<(Node, Node, Span)> {
        let mut v: Vec<(Node, Node, Span)> = self
            .graph
            .edge_references()
            .filter_map(|e| {
                let a = self.graph.node_weight(e.source())?;
                let b = self.graph.node_weight(e.target())?;
                Some((*b, *a, *e.weight()))
            })
            .collect();
        v.sort();
        v
    }
}

fn through_base(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Link(_, Link::Base) => true,
        ExprKind::Link(t, _) | ExprKind::Fact(t, _) | ExprKind::Def(t, _) => through_base(t),
        _ => false,
    }
}

/// References a definition makes to itself, and whether each goes through `base`.
fn self_refs(e: &Expr, me: DefId, out: &mut Vec<bool>) {
    if let ExprKind::Def(t, d) = &e.kind {
        if *d == me {
            out.push(through_base(t));
        }
    }
    match &e.kind {
        ExprKind::Fact(t, _)
        | ExprKind::Def(t, _)
        | ExprKind::Link(t, _)
        | ExprKind::Not(t)
        | ExprKind::Neg(t)
        | ExprKind::Present(t) => self_refs(t, me, out),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Min(a, b)
        | ExprKind::Max(a, b) => {
            self_refs(a, me, out);
            self_refs(b, me, out);
        }
        ExprKind::If(c, a, b) => {
            self_refs(c, me, out);
            self_refs(a, me, out);
            self_refs(b, me, out);
        }
        ExprKind::Quant { over, body, .. } => {
            self_refs(over, me, out);
            self_refs(body, me, out);
        }
        _ => {}
    }
}

/// Whether a definition on models recurses only through `base` (e.g. "a licence stacks through
/// derivatives"): well-founded, since a scenario's lineage is checked to be acyclic.
fn recurses_through_base(rs: &RuleSet, d: DefId) -> bool {
    let Some(def) = rs.def(d) else { return false };
    let mut refs = Vec::new();
    self_refs(&def.expr, d, &mut refs);
    def.on == Some(Kind::Model) && !refs.is_empty() && refs.iter().all(|b| *b)
}

/// Reports every cycle between definitions, naming each edge with its location. A definition
/// on models that reads itself only through `model.base` is recursion along the lineage, not a
/// cycle.
pub fn check_cycles(rs: &RuleSet) -> Vec<Diagnostic> {
    let g = DecisionGraph::build(rs);
    let mut out = Vec::new();
    let mut sccs = tarjan_scc(&g.graph);
    for scc in &mut sccs {
        scc.sort_by_key(|i| g.graph.node_weight(*i).copied());
    }
    sccs.sort_by_key(|s| s.first().and_then(|i| g.graph.node_weight(*i).copied()));
    for scc in sccs {
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let self_loop = scc.len() == 1
            && scc
                .first()
                .is_some_and(|&i| g.graph.find_edge(i, i).is_some());
        if scc.len() < 2 && !self_loop {
            continue;
        }
        if self_loop
            && scc.first().is_some_and(|&i| {
                matches!(g.graph.node_weight(i), Some(Node::Def(d)) if recurses_through_base(rs, *d))
            })
        {
            continue;
        }
        let mut edges: Vec<(DefId, DefId, Span)> = Vec::new();
        for &i in &scc {
            for e in g.graph.edges_directed(i, petgraph::Direction::Outgoing) {
                if !members.contains(&e.target()) {
                    continue;
                }
                if let (Some(Node::Def(read)), Some(Node::Def(reader))) = (
                    g.graph.node_weight(e.source()),
                    g.graph.node_weight(e.target()),
                ) {
                    edges.push((*reader, *read, *e.weight()));
                }
            }
        }
        edges.sort_by_key(|(a, b, s)| (*s, *a, *b));
        let name = |d: DefId| rs.def(d).map_or("?", |x| x.id.as_str());
        let names: Vec<&str> = scc
            .iter()
            .filter_map(|i| match g.graph.node_weight(*i) {
                Some(Node::Def(d)) => Some(name(*d)),
                _ => None,
            })
            .collect();
        let Some(&(r0, d0, s0)) = edges.first() else {
            continue;
        };
        let mut d = Diagnostic::error(
            "E0401",
            format!(
                "definitions depend on each other in a cycle: {}",
                names.join(", ")
            ),
        )
        .at(s0)
        .label(format!("`{}` reads `{}` here", name(r0), name(d0)))
        .help("a definition cannot depend on itself, directly or through others; break the cycle");
        for &(r, rd, s) in edges.iter().skip(1) {
            d = d.with(s, format!("`{}` reads `{}` here", name(r), name(rd)));
        }
        out.push(d);
    }
    out
}

/// For each obligation, the questions and amending instruments in its cone of influence.
/// Computed forwards from the (few) question and amendment nodes, not backwards from every
/// obligation.
pub fn obligation_dependencies(rs: &RuleSet) -> (Vec<Vec<QuestionId>>, Vec<Vec<InstrumentId>>) {
    let g = DecisionGraph::build(rs);
    let mut questions: Vec<Vec<QuestionId>> = vec![Vec::new(); rs.obligations.len()];
    let mut amendments: Vec<Vec<InstrumentId>> = vec![Vec::new(); rs.obligations.len()];
    let starts: Vec<Node> = (0..rs.questions.len())
        .map(|i| Node::Question(QuestionId::from_index(i)))
        .chain(
            rs.instruments
                .iter()
                .enumerate()
                .filter(|(_, i)| i.amends.is_some())
                .map(|(i, _)| Node::Amendment(InstrumentId::from_index(i))),
        )
        .collect();
    for start in starts {
        let Some(&s0) = g.nodes.get(&start) else {
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![s0];
        while let Some(i) = stack.pop() {
            for e in g.graph.edges_directed(i, petgraph::Direction::Outgoing) {
                let t = e.target();
                if !seen.insert(t) {
                    continue;
                }
                if let Some(Node::Obligation(o)) = g.graph.node_weight(t) {
                    match start {
                        Node::Question(q) => {
                            if let Some(v) = questions.get_mut(o.index()) {
                                v.push(q);
                            }
                        }
                        Node::Amendment(a) => {
                            if let Some(v) = amendments.get_mut(o.index()) {
                                v.push(a);
                            }
                        }
                        _ => {}
                    }
                }
                stack.push(t);
            }
        }
    }
    for v in &mut questions {
        v.sort();
        v.dedup();
    }
    for v in &mut amendments {
        v.sort();
        v.dedup();
    }
    (questions, amendments)
}

/// The name a node has in [`crate::ir::print::rules`] (e.g. `obligation eu-ai-act/x`).
pub fn rule_name(rs: &RuleSet, n: Node) -> Option<String> {
    let inst = |i: InstrumentId| rs.instrument(i).map_or("?", |x| x.id.as_str());
    Some(match n {
        Node::Fact(f) => {
            let f = rs.fact(f)?;
            format!("fact {}.{}", f.on, f.id)
        }
        Node::Def(d) => {
            let d = rs.def(d)?;
            format!("definition {}/{}", inst(d.instrument), d.id)
        }
        Node::Role(r) => {
            let r = rs.role(r)?;
            format!("role {}/{}", inst(r.instrument), r.id)
        }
        Node::Obligation(o) => {
            let o = rs.obligation(o)?;
            format!("obligation {}/{}", inst(o.instrument), o.id)
        }
        Node::Exemption(x) => {
            let x = rs.exemption(x)?;
            format!("exemption {}/{}", inst(x.instrument), x.id)
        }
        Node::Question(q) => {
            let q = rs.question(q)?;
            format!("question {}/{}", inst(q.instrument), q.id)
        }
        Node::Penalty(p) => {
            let p = rs.penalty(p)?;
            format!("penalty {}/{}", inst(p.instrument), p.id)
        }
        Node::Amendment(a) => format!("instrument {}", rs.instrument(a)?.id),
    })
}
