//! `onus lint` without `--deep`: checks on the decision graph and on constant conditions,
//! with no evaluation.

use super::index::Index;
use super::partition::fold;
use super::{Problem, Report, is_explained, rule_id, rule_span};
use crate::graph::Node;
use crate::ir::*;
use std::collections::BTreeSet;

fn constant(ix: &Index<'_>, e: &Expr) -> Option<bool> {
    match fold(ix, e).as_slice() {
        [Value::Bool(b)] => Some(*b),
        _ => None,
    }
}

fn report(rs: &RuleSet, problem: Problem, node: Node, message: String, help: &str) -> Report {
    Report {
        problem,
        instrument: instrument_of(rs, node),
        rule: Some(node),
        span: rule_span(rs, node),
        message,
        details: Vec::new(),
        help: help.into(),
        witness: None,
        explained: is_explained(rs, node, problem),
    }
}

/// The instrument a rule belongs to.
pub fn instrument_of(rs: &RuleSet, n: Node) -> Option<InstrumentId> {
    match n {
        Node::Fact(_) => None,
        Node::Def(d) => rs.def(d).map(|x| x.instrument),
        Node::Role(r) => rs.role(r).map(|x| x.instrument),
        Node::Obligation(o) => rs.obligation(o).map(|x| x.instrument),
        Node::Exemption(x) => rs.exemption(x).map(|x| x.instrument),
        Node::Question(q) => rs.question(q).map(|x| x.instrument),
        Node::Penalty(p) => rs.penalty(p).map(|x| x.instrument),
        Node::Amendment(a) => Some(a),
    }
}

/// The cheap checks, for the whole rule set or one instrument (with the amendments of it).
pub fn cheap(rs: &RuleSet, instrument: Option<InstrumentId>) -> Vec<Report> {
    let ix = Index::new(rs);
    let base = instrument.map(|i| rs.instrument(i).and_then(|x| x.amends).unwrap_or(i));
    let in_scope = |n: Node| match (base, instrument_of(rs, n)) {
        (None, _) => true,
        (Some(b), Some(i)) => i == b || rs.instrument(i).is_some_and(|x| x.amends == Some(b)),
        (Some(_), None) => false,
    };
    let read: BTreeSet<Node> = ix.graph.edges().into_iter().map(|(_, r, _)| r).collect();
    let mut out = Vec::new();
    if base.is_none() {
        for (i, f) in rs.facts.iter().enumerate() {
            let n = Node::Fact(FactId::from_index(i));
            if !read.contains(&n) {
                out.push(report(
                    rs,
                    Problem::FactNeverRead,
                    n,
                    format!("no rule reads fact `{}.{}`", f.on, f.id),
                    "a fact in the vocabulary that no rule reads is a question nobody needs answered: remove it, or write the rule that needs it",
                ));
            }
        }
    }
    for (i, d) in rs.defs.iter().enumerate() {
        let n = Node::Def(DefId::from_index(i));
        // A named value (a threshold, a date, a property of a licence) may be stated for the
        // reader; a derived attribute that nothing reads is dead code.
        if d.on.is_some() && in_scope(n) && !read.contains(&n) {
            out.push(report(
                rs,
                Problem::DefinitionNeverRead,
                n,
                format!("no rule reads definition `{}`", rule_id(rs, n)),
                "remove the definition, or use it where the law refers to it",
            ));
        }
    }
    for (i, _) in rs.questions.iter().enumerate() {
        let n = Node::Question(QuestionId::from_index(i));
        if in_scope(n) && !read.contains(&n) {
            out.push(report(
                rs,
                Problem::QuestionNeverRead,
                n,
                format!("no rule reads `reading.{}`", rs.question(QuestionId::from_index(i)).map_or("?", |q| q.id.as_str())),
                "a question whose reading no rule reads cannot change any outcome: write the rules that depend on it, or remove it",
            ));
        }
    }
    for (i, _) in rs.penalties.iter().enumerate() {
        let n = Node::Penalty(PenaltyId::from_index(i));
        if in_scope(n) && !read.contains(&n) {
            out.push(report(
                rs,
                Problem::PenaltyNeverUsed,
                n,
                format!("no obligation names penalty `{}`", rule_id(rs, n)),
                "name it with `penalty = …` on the obligations it sanctions, or remove it",
            ));
        }
    }
    for (i, r) in rs.roles.iter().enumerate() {
        let n = Node::Role(RoleId::from_index(i));
        if !in_scope(n) {
            continue;
        }
        let dead: Vec<usize> = r
            .routes
            .iter()
            .enumerate()
            .filter(|(_, rt)| constant(&ix, &rt.when) == Some(false))
            .map(|(j, _)| j + 1)
            .collect();
        if dead.is_empty() {
            continue;
        }
        let all = dead.len() == r.routes.len();
        let obligations: Vec<String> = rs
            .role_obligations
            .get(i)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|o| rs.obligation(*o).map(|x| format!("`{}`", x.id)))
            .collect();
        let mut rep = report(
            rs,
            Problem::RouteNeverTrue,
            n,
            if all {
                format!(
                    "no route can reach role `{}`: every route is always false",
                    rule_id(rs, n)
                )
            } else {
                format!(
                    "route {} of role `{}` is always false",
                    dead.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    rule_id(rs, n)
                )
            },
            "a route whose condition folds to `false` can never make anyone hold the role",
        );
        if all && !obligations.is_empty() {
            rep.details.push(format!(
                "so these obligations never apply: {}",
                obligations.join(", ")
            ));
        }
        out.push(rep);
    }
    for (i, o) in rs.obligations.iter().enumerate() {
        let n = Node::Obligation(ObligationId::from_index(i));
        if in_scope(n) && o.when.as_ref().and_then(|w| constant(&ix, w)) == Some(false) {
            out.push(report(
                rs,
                Problem::ConditionNeverTrue,
                n,
                format!(
                    "the condition of obligation `{}` is always false",
                    rule_id(rs, n)
                ),
                "the obligation can never apply; fix its `when`",
            ));
        }
    }
    for (i, x) in rs.exemptions.iter().enumerate() {
        let n = Node::Exemption(ExemptionId::from_index(i));
        if !in_scope(n) || constant(&ix, &x.when) != Some(true) {
            continue;
        }
        if x.exceptions
            .iter()
            .all(|e| constant(&ix, &e.when) == Some(false))
        {
            let names: Vec<String> = x
                .exempts
                .iter()
                .filter_map(|o| rs.obligation(*o).map(|x| format!("`{}`", x.id)))
                .collect();
            out.push(report(
                rs,
                Problem::ExemptionAlwaysHolds,
                n,
                format!(
                    "exemption `{}` always holds, so its obligations never apply: {}",
                    rule_id(rs, n),
                    names.join(", ")
                ),
                "an exemption whose condition is always true, with no exception that can hold, removes its obligations",
            ));
        }
    }
    super::sort(rs, &mut out);
    out
}
