//! Drawing the decision graph: the whole rule set, one instrument, or the part one scenario
//! touches (with the path to each finding highlighted and the scenario's chain beside it), as
//! Graphviz DOT, Mermaid, or a self-contained SVG.
//!
//! The SVG needs no external program: nodes are placed in layers by a hand-written layered
//! layout (longest path from the facts, then a few barycentre sweeps to reduce crossings),
//! edges drawn as curves between layers. Every label is escaped for its format: DOT strings,
//! Mermaid entity codes, XML.

use super::{DecisionGraph, Node};
use crate::eval::{Finding, Outcome, RuleRef, Status, Step};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Plain,
    /// On the path to a finding with this status.
    Path(Status),
}

/// A node to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewNode {
    /// Identifier, unique in the view and safe in every format (`[a-z0-9_]`).
    pub id: String,
    /// `fact`, `definition`, `role`, `obligation`, `exemption`, `question`, `penalty`,
    /// `amendment`, or an entity kind (`actor`, `model`, `system`, `deployment`).
    pub kind: &'static str,
    /// Lines of the label (unescaped).
    pub lines: Vec<String>,
    /// The instrument it belongs to (a cluster), or `chain` for the scenario's entities.
    pub group: Option<String>,
    pub mark: Mark,
}

/// An edge to draw: `from` is read by `to` (or, in the chain, `from` links to `to`).
#[derive(Clone, Debug, PartialEq)]
pub struct ViewEdge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub highlight: bool,
}

/// A graph ready to render.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub title: String,
    pub nodes: Vec<ViewNode>,
    pub edges: Vec<ViewEdge>,
}

fn node_id(n: Node) -> String {
    match n {
        Node::Fact(f) => format!("f{}", f.0),
        Node::Def(d) => format!("d{}", d.0),
        Node::Role(r) => format!("r{}", r.0),
        Node::Obligation(o) => format!("o{}", o.0),
        Node::Exemption(x) => format!("x{}", x.0),
        Node::Question(q) => format!("q{}", q.0),
        Node::Penalty(p) => format!("p{}", p.0),
        Node::Amendment(a) => format!("a{}", a.0),
    }
}

/// The instrument a node belongs to (facts belong to none).
fn instrument_of(rs: &RuleSet, n: Node) -> Option<InstrumentId> {
    match n {
        Node::Fact(_) => None,
        Node::Def(d) => rs.def(d).map(|x| x.instrument),
        Node::Role(r) => rs.role(r).map(|x| x.instrument),
        Node::Obligation(o) => rs.obligation(o).map(|x| x.instrument),
        Node::Exemption(x) => rs.exemption(x).map(|x| x.instrument),
        Node::Question(q) => rs.question(q).map(|x| x.instrument),
        Node::Penalty(p) => rs.penalty(p).map(|x| x.instrument),
        Node::Amendment(a) => rs.instrument(a).and_then(|x| x.amends).or(Some(a)),
    }
}

fn kind_name(n: Node) -> &'static str {
    match n {
        Node::Fact(_) => "fact",
        Node::Def(_) => "definition",
        Node::Role(_) => "role",
        Node::Obligation(_) => "obligation",
        Node::Exemption(_) => "exemption",
        Node::Question(_) => "question",
        Node::Penalty(_) => "penalty",
        Node::Amendment(_) => "amendment",
    }
}

/// The label of a rule node: its kind, id and citation.
fn label(rs: &RuleSet, n: Node) -> Vec<String> {
    let (id, citation) = match n {
        Node::Fact(f) => (
            rs.fact(f)
                .map_or("?".into(), |x| format!("{}.{}", x.on, x.id)),
            None,
        ),
        Node::Def(d) => rs.def(d).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Role(r) => rs.role(r).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Obligation(o) => rs.obligation(o).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Exemption(x) => rs.exemption(x).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Question(q) => rs.question(q).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Penalty(p) => rs.penalty(p).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
        Node::Amendment(a) => rs.instrument(a).map_or(("?".into(), None), |x| {
            (x.id.clone(), Some(x.citation.clone()))
        }),
    };
    let mut v = vec![kind_name(n).to_string(), id];
    v.extend(citation);
    v
}

fn group(rs: &RuleSet, n: Node) -> Option<String> {
    instrument_of(rs, n)
        .and_then(|i| rs.instrument(i))
        .map(|i| i.id.clone())
}

/// The decision graph of the whole rule set, or of one instrument (with its amendments and
/// the facts its rules read).
pub fn rules_view(rs: &RuleSet, g: &DecisionGraph, only: Option<InstrumentId>) -> View {
    let keep = |n: Node| match only {
        None => true,
        Some(i) => instrument_of(rs, n) == Some(i),
    };
    let edges = g.edges();
    let mut nodes: BTreeSet<Node> = g.nodes().into_iter().filter(|n| keep(*n)).collect();
    if only.is_some() {
        for (reader, read, _) in &edges {
            if matches!(read, Node::Fact(_)) && nodes.contains(reader) {
                nodes.insert(*read);
            }
        }
    }
    let title = match only.and_then(|i| rs.instrument(i)) {
        Some(i) => format!("decision graph of {} ({})", i.id, i.citation),
        None => "decision graph of the rule set".to_string(),
    };
    let mut view = View {
        title,
        ..View::default()
    };
    for n in &nodes {
        view.nodes.push(ViewNode {
            id: node_id(*n),
            kind: kind_name(*n),
            lines: label(rs, *n),
            group: group(rs, *n),
            mark: Mark::Plain,
        });
    }
    let mut seen = BTreeSet::new();
    for (reader, read, _) in edges {
        if nodes.contains(&reader) && nodes.contains(&read) && seen.insert((read, reader)) {
            view.edges.push(ViewEdge {
                from: node_id(read),
                to: node_id(reader),
                label: None,
                highlight: false,
            });
        }
    }
    view
}

fn step_nodes(steps: &[Step], out: &mut BTreeSet<Node>) {
    for s in steps {
        match s.rule {
            RuleRef::Exemption(x) | RuleRef::Exception(x, _) => {
                out.insert(Node::Exemption(x));
            }
            RuleRef::Route(r, ..) | RuleRef::Displaced(r, ..) => {
                out.insert(Node::Role(r));
            }
            RuleRef::Condition(o) | RuleRef::From(o) | RuleRef::Until(o) | RuleRef::Deadline(o) => {
                out.insert(Node::Obligation(o));
            }
        }
        for r in &s.reads {
            out.insert(Node::Fact(r.fact.fact));
        }
        for d in &s.defs {
            out.insert(Node::Def(d.def));
        }
    }
}

/// The nodes on the path to one finding: its obligation, role, the exemptions, definitions and
/// facts its reasoning used, its penalty, readings and amendments.
fn finding_path(out: &Outcome, f: &Finding, rs: &RuleSet) -> BTreeSet<Node> {
    let mut p = BTreeSet::new();
    p.insert(Node::Obligation(f.obligation));
    p.insert(Node::Role(f.role));
    step_nodes(&f.trace, &mut p);
    for r in &out.roles {
        if r.actor == f.actor && r.role == f.role && r.subject == f.subject {
            step_nodes(&r.trace, &mut p);
        }
    }
    if let Some(x) = f.exempted_by {
        p.insert(Node::Exemption(x));
    }
    if let Some(e) = &f.exposure {
        p.insert(Node::Penalty(e.penalty));
    }
    for (q, _) in &f.readings {
        p.insert(Node::Question(*q));
    }
    for a in &f.text_version {
        p.insert(Node::Amendment(*a));
    }
    // Keep only nodes the graph has (a penalty named by an amendment is still in it).
    let _ = rs;
    p
}

/// Rank of statuses for colouring a node on several paths: the most consequential wins.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Applies => 5,
        Status::Pending => 4,
        Status::Undetermined => 3,
        Status::Exempt => 2,
        Status::NotApplicable => 1,
    }
}

/// The part of the graph a scenario touches, the path to each finding highlighted, and the
/// scenario's chain. `out` must be evaluated with traces.
pub fn scenario_view(rs: &RuleSet, g: &DecisionGraph, sc: &Scenario, out: &Outcome) -> View {
    let mut touched: BTreeSet<Node> = BTreeSet::new();
    for r in &out.roles {
        touched.insert(Node::Role(r.role));
        step_nodes(&r.trace, &mut touched);
    }
    let mut marks: BTreeMap<Node, Status> = BTreeMap::new();
    let mut path_edges: BTreeSet<(Node, Node)> = BTreeSet::new();
    let edges = g.edges();
    for f in &out.findings {
        let p = finding_path(out, f, rs);
        touched.extend(p.iter().copied());
        if f.status == Status::NotApplicable {
            continue;
        }
        for n in &p {
            let e = marks.entry(*n).or_insert(f.status);
            if status_rank(f.status) > status_rank(*e) {
                *e = f.status;
            }
        }
        for (reader, read, _) in &edges {
            if p.contains(reader) && p.contains(read) {
                path_edges.insert((*read, *reader));
            }
        }
    }
    // Values of the facts the reasoning read, per entity.
    let mut values: BTreeMap<FactId, BTreeSet<String>> = BTreeMap::new();
    let steps = out
        .roles
        .iter()
        .flat_map(|r| r.trace.iter())
        .chain(out.findings.iter().flat_map(|f| f.trace.iter()));
    for s in steps {
        for r in &s.reads {
            let ty = rs.fact(r.fact.fact).map(|f| &f.ty);
            let v = r.value.as_ref().map_or_else(
                || "unknown".to_string(),
                |v| crate::report::value_text(rs, sc, ty, v),
            );
            values
                .entry(r.fact.fact)
                .or_default()
                .insert(format!("{} = {v}", sc.name_of(r.fact.entity)));
        }
    }
    let all: BTreeSet<Node> = g.nodes().into_iter().collect();
    let mut view = View {
        title: format!(
            "{} ({}): rules and chain, as of {}",
            sc.title, sc.id, out.as_of
        ),
        ..View::default()
    };
    for n in touched.iter().filter(|n| all.contains(n)) {
        let mut lines = label(rs, *n);
        if let Node::Fact(f) = n {
            if let Some(vs) = values.get(f) {
                let shown: Vec<&String> = vs.iter().take(3).collect();
                lines.extend(shown.into_iter().cloned());
                if vs.len() > 3 {
                    lines.push(format!("… {} more", vs.len() - 3));
                }
            }
        }
        if let Node::Obligation(o) = n {
            let statuses: BTreeSet<&str> = out
                .findings
                .iter()
                .filter(|f| f.obligation == *o)
                .map(|f| f.status.name())
                .collect();
            if !statuses.is_empty() {
                lines.push(statuses.into_iter().collect::<Vec<_>>().join(", "));
            }
        }
        view.nodes.push(ViewNode {
            id: node_id(*n),
            kind: kind_name(*n),
            lines,
            group: group(rs, *n),
            mark: marks.get(n).map_or(Mark::Plain, |s| Mark::Path(*s)),
        });
    }
    let mut seen = BTreeSet::new();
    for (reader, read, _) in edges {
        if touched.contains(&reader) && touched.contains(&read) && seen.insert((read, reader)) {
            view.edges.push(ViewEdge {
                from: node_id(read),
                to: node_id(reader),
                label: None,
                highlight: path_edges.contains(&(read, reader)),
            });
        }
    }
    chain(sc, &mut view);
    view
}

/// The scenario's chain: actors, models with their lineage, systems, deployments.
fn chain(sc: &Scenario, view: &mut View) {
    let id = |k: &str, i: usize| format!("e_{k}{i}");
    let mut add = |kind: &'static str, prefix: &str, list: &[Entity]| {
        for (i, e) in list.iter().enumerate() {
            let mut lines = vec![kind.to_string(), e.id.clone()];
            if e.name != e.id {
                lines.push(e.name.clone());
            }
            view.nodes.push(ViewNode {
                id: id(prefix, i),
                kind,
                lines,
                group: Some("chain".into()),
                mark: Mark::Plain,
            });
        }
    };
    add("actor", "a", &sc.actors);
    add("model", "m", &sc.models);
    add("system", "s", &sc.systems);
    add("deployment", "d", &sc.deployments);
    let mut link = |from: String, to: String, label: &str| {
        view.edges.push(ViewEdge {
            from,
            to,
            label: Some(label.into()),
            highlight: false,
        });
    };
    for (i, c) in sc.model_creator.iter().enumerate() {
        link(id("a", *c as usize), id("m", i), "creator of");
    }
    for (i, b) in sc.model_base.iter().enumerate() {
        if let Some(b) = b {
            link(id("m", *b as usize), id("m", i), "base of");
        }
    }
    for (i, p) in sc.system_provider.iter().enumerate() {
        link(id("a", *p as usize), id("s", i), "provider of");
    }
    for (i, m) in sc.system_model.iter().enumerate() {
        if let Some(m) = m {
            link(id("m", *m as usize), id("s", i), "model of");
        }
    }
    for (i, s) in sc.deployment_system.iter().enumerate() {
        link(id("s", *s as usize), id("d", i), "deployed as");
    }
    for (i, d) in sc.deployment_deployer.iter().enumerate() {
        link(id("a", *d as usize), id("d", i), "deployer of");
    }
}

// ---------------------------------------------------------------------------------------
// DOT

fn dot_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o
}

fn fill(kind: &str) -> &'static str {
    match kind {
        "fact" => "#e8eefc",
        "definition" => "#eef7e8",
        "role" => "#fff5d6",
        "obligation" => "#fde8e4",
        "exemption" => "#e4f7ef",
        "question" => "#f6e8fa",
        "penalty" => "#eeeeee",
        "amendment" => "#e4f1fa",
        _ => "#ffffff",
    }
}

fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Applies => "#c62828",
        Status::Pending => "#ef6c00",
        Status::Exempt => "#2e7d32",
        Status::Undetermined => "#6d4c9f",
        Status::NotApplicable => "#9e9e9e",
    }
}

fn shape(kind: &str) -> &'static str {
    match kind {
        "fact" => "ellipse",
        "role" | "actor" => "hexagon",
        "obligation" => "box",
        "exemption" | "question" => "octagon",
        "model" | "system" | "deployment" => "component",
        _ => "box",
    }
}

pub fn dot(v: &View) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph onus {{");
    let _ = writeln!(s, "  label=\"{}\";", dot_escape(&v.title));
    let _ = writeln!(s, "  labelloc=t;\n  rankdir=LR;");
    let _ = writeln!(
        s,
        "  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n  edge [color=\"#9aa0a6\"];"
    );
    let mut groups: BTreeMap<Option<&str>, Vec<&ViewNode>> = BTreeMap::new();
    for n in &v.nodes {
        groups.entry(n.group.as_deref()).or_default().push(n);
    }
    for (i, (g, nodes)) in groups.iter().enumerate() {
        let indent = if g.is_some() { "    " } else { "  " };
        if let Some(g) = g {
            let _ = writeln!(s, "  subgraph cluster_{i} {{");
            let _ = writeln!(s, "    label=\"{}\";", dot_escape(g));
            let _ = writeln!(s, "    style=rounded; color=\"#c0c4c8\";");
        }
        for n in nodes {
            let label = dot_escape(&n.lines.join("\n"));
            let mut attrs = format!(
                "label=\"{label}\", shape={}, fillcolor=\"{}\"",
                shape(n.kind),
                fill(n.kind)
            );
            if let Mark::Path(st) = n.mark {
                let _ = write!(attrs, ", color=\"{}\", penwidth=2.5", status_colour(st));
            }
            let _ = writeln!(s, "{indent}{} [{attrs}];", n.id);
        }
        if g.is_some() {
            let _ = writeln!(s, "  }}");
        }
    }
    for e in &v.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\", fontsize=8", dot_escape(l)));
        }
        if e.highlight {
            attrs.push("color=\"#c62828\", penwidth=2".into());
        }
        if attrs.is_empty() {
            let _ = writeln!(s, "  {} -> {};", e.from, e.to);
        } else {
            let _ = writeln!(s, "  {} -> {} [{}];", e.from, e.to, attrs.join(", "));
        }
    }
    s.push_str("}\n");
    s
}

// ---------------------------------------------------------------------------------------
// Mermaid

fn mermaid_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '&' => o.push_str("#amp;"),
            '#' => o.push_str("#35;"),
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn mermaid_group_id(i: usize) -> String {
    format!("g{i}")
}

pub fn mermaid(v: &View) -> String {
    let mut s = String::from("flowchart LR\n");
    let _ = writeln!(s, "  %% {}", mermaid_escape(&v.title));
    let mut groups: BTreeMap<Option<&str>, Vec<&ViewNode>> = BTreeMap::new();
    for n in &v.nodes {
        groups.entry(n.group.as_deref()).or_default().push(n);
    }
    for (i, (g, nodes)) in groups.iter().enumerate() {
        if let Some(g) = g {
            let _ = writeln!(
                s,
                "  subgraph {}[\"{}\"]",
                mermaid_group_id(i),
                mermaid_escape(g)
            );
        }
        for n in nodes {
            let label: Vec<String> = n.lines.iter().map(|l| mermaid_escape(l)).collect();
            let text = label.join("<br/>");
            let (open, close) = match n.kind {
                "fact" => ("([", "])"),
                "role" | "actor" => ("{{", "}}"),
                "exemption" | "question" => ("[/", "/]"),
                _ => ("[", "]"),
            };
            let _ = writeln!(s, "    {}{open}\"{text}\"{close}", n.id);
        }
        if g.is_some() {
            let _ = writeln!(s, "  end");
        }
    }
    let mut highlighted = Vec::new();
    for (i, e) in v.edges.iter().enumerate() {
        match &e.label {
            Some(l) => {
                let _ = writeln!(s, "  {} -->|\"{}\"| {}", e.from, mermaid_escape(l), e.to);
            }
            None => {
                let _ = writeln!(s, "  {} --> {}", e.from, e.to);
            }
        }
        if e.highlight {
            highlighted.push(i.to_string());
        }
    }
    for kind in [
        "fact",
        "definition",
        "role",
        "obligation",
        "exemption",
        "question",
        "penalty",
        "amendment",
    ] {
        let _ = writeln!(s, "  classDef {kind} fill:{}", fill(kind));
        let ids: Vec<&str> = v
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(s, "  class {} {kind}", ids.join(","));
        }
    }
    for st in Status::ALL {
        let ids: Vec<&str> = v
            .nodes
            .iter()
            .filter(|n| n.mark == Mark::Path(st))
            .map(|n| n.id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(
                s,
                "  classDef {} stroke:{},stroke-width:3px",
                st.name(),
                status_colour(st)
            );
            let _ = writeln!(s, "  class {} {}", ids.join(","), st.name());
        }
    }
    if !highlighted.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:#c62828,stroke-width:2px",
            highlighted.join(",")
        );
    }
    s
}

// ---------------------------------------------------------------------------------------
// SVG: a layered layout

/// XML text and attribute escaping.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

const CHAR_W: f64 = 6.6;
const LINE_H: f64 = 13.0;
const PAD: f64 = 8.0;
const LAYER_GAP: f64 = 90.0;
const NODE_GAP: f64 = 14.0;
const MARGIN: f64 = 24.0;
/// Longest label line drawn; longer lines are cut with an ellipsis.
const MAX_LINE_CHARS: usize = 48;
const SWEEPS: usize = 6;

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_LINE_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_LINE_CHARS - 1).collect();
        t.push('…');
        t
    }
}

struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The rules on top, the scenario's chain (if any) laid out on its own below them.
fn layout(v: &View) -> (Vec<Placed>, f64, f64) {
    let is_chain = |n: &ViewNode| n.group.as_deref() == Some("chain");
    let part = |chain: bool| -> View {
        let nodes: Vec<ViewNode> = v
            .nodes
            .iter()
            .filter(|n| is_chain(n) == chain)
            .cloned()
            .collect();
        let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let edges = v
            .edges
            .iter()
            .filter(|e| ids.contains(e.from.as_str()) && ids.contains(e.to.as_str()))
            .cloned()
            .collect();
        View {
            title: String::new(),
            nodes,
            edges,
        }
    };
    let (rules, chain) = (part(false), part(true));
    let (p1, w1, h1) = layout_one(&rules);
    let (p2, w2, h2) = layout_one(&chain);
    let mut by_id: BTreeMap<&str, Placed> = BTreeMap::new();
    for (n, p) in rules.nodes.iter().zip(p1) {
        by_id.insert(n.id.as_str(), p);
    }
    let offset = if rules.nodes.is_empty() {
        0.0
    } else {
        h1 - MARGIN
    };
    for (n, mut p) in chain.nodes.iter().zip(p2) {
        p.y += offset;
        by_id.insert(n.id.as_str(), p);
    }
    let placed = v
        .nodes
        .iter()
        .map(|n| {
            by_id.remove(n.id.as_str()).unwrap_or(Placed {
                x: 0.0,
                y: 0.0,
                w: 0.0,
                h: 0.0,
            })
        })
        .collect();
    let height = if chain.nodes.is_empty() {
        h1
    } else {
        offset + h2
    };
    (placed, w1.max(w2), height)
}

/// Layers by longest path from the sources (cycles, which the compiler rejects, are broken by
/// leaving their nodes in layer 0), orders within layers by barycentre sweeps.
fn layout_one(v: &View) -> (Vec<Placed>, f64, f64) {
    let n = v.nodes.len();
    let index: BTreeMap<&str, usize> = v
        .nodes
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &v.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            if a != b {
                if let Some(s) = succ.get_mut(a) {
                    s.push(b);
                }
                if let Some(p) = pred.get_mut(b) {
                    p.push(a);
                }
            }
        }
    }
    // Kahn's algorithm, assigning each node one more than its deepest predecessor.
    let mut indeg: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|i| indeg.get(*i) == Some(&0)).collect();
    let mut head = 0;
    while let Some(&i) = queue.get(head) {
        head += 1;
        let li = layer.get(i).copied().unwrap_or(0);
        for &j in succ.get(i).map_or(&[][..], Vec::as_slice) {
            if let Some(l) = layer.get_mut(j) {
                *l = (*l).max(li + 1);
            }
            if let Some(d) = indeg.get_mut(j) {
                *d = d.saturating_sub(1);
                if *d == 0 {
                    queue.push(j);
                }
            }
        }
    }
    let n_layers = layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for i in 0..n {
        if let Some(l) = layers.get_mut(layer.get(i).copied().unwrap_or(0)) {
            l.push(i);
        }
    }
    // Position of each node within its layer.
    let mut pos = vec![0f64; n];
    let set_pos = |layers: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for l in layers {
            for (k, &i) in l.iter().enumerate() {
                if let Some(p) = pos.get_mut(i) {
                    #[expect(clippy::cast_precision_loss, reason = "layer sizes are small")]
                    let k = k as f64;
                    *p = k;
                }
            }
        }
    };
    set_pos(&layers, &mut pos);
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (0..n_layers).collect()
        } else {
            (0..n_layers).rev().collect()
        };
        for li in order {
            let Some(l) = layers.get_mut(li) else {
                continue;
            };
            let mut keyed: Vec<(f64, f64, usize)> = l
                .iter()
                .map(|&i| {
                    let nbrs = if down { pred.get(i) } else { succ.get(i) };
                    let nbrs = nbrs.map_or(&[][..], Vec::as_slice);
                    let own = pos.get(i).copied().unwrap_or(0.0);
                    let bary = if nbrs.is_empty() {
                        own
                    } else {
                        #[expect(clippy::cast_precision_loss, reason = "degrees are small")]
                        let d = nbrs.len() as f64;
                        nbrs.iter()
                            .map(|j| pos.get(*j).copied().unwrap_or(0.0))
                            .sum::<f64>()
                            / d
                    };
                    (bary, own, i)
                })
                .collect();
            keyed.sort_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            });
            *l = keyed.into_iter().map(|(_, _, i)| i).collect();
            for (k, &i) in l.iter().enumerate() {
                if let Some(p) = pos.get_mut(i) {
                    #[expect(clippy::cast_precision_loss, reason = "layer sizes are small")]
                    let k = k as f64;
                    *p = k;
                }
            }
        }
    }
    let size = |i: usize| -> (f64, f64) {
        let lines = v.nodes.get(i).map_or(&[][..], |x| x.lines.as_slice());
        let chars = lines
            .iter()
            .map(|l| cut(l).chars().count())
            .max()
            .unwrap_or(1);
        #[expect(clippy::cast_precision_loss, reason = "label sizes are small")]
        let (c, l) = (chars as f64, lines.len().max(1) as f64);
        (c * CHAR_W + 2.0 * PAD, l * LINE_H + 2.0 * PAD)
    };
    let mut placed: Vec<Placed> = (0..n)
        .map(|i| {
            let (w, h) = size(i);
            Placed {
                x: 0.0,
                y: 0.0,
                w,
                h,
            }
        })
        .collect();
    let mut x = MARGIN;
    let mut height: f64 = 0.0;
    for l in &layers {
        let w = l
            .iter()
            .filter_map(|i| placed.get(*i).map(|p| p.w))
            .fold(0.0, f64::max);
        let mut y = MARGIN + 20.0;
        for &i in l {
            if let Some(p) = placed.get_mut(i) {
                p.x = x;
                p.y = y;
                y += p.h + NODE_GAP;
            }
        }
        height = height.max(y);
        x += w + LAYER_GAP;
    }
    (placed, x - LAYER_GAP + MARGIN, height + MARGIN)
}

pub fn svg(v: &View) -> String {
    let (placed, width, height) = layout(v);
    let index: BTreeMap<&str, usize> = v
        .nodes
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    let width = width.max(320.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(s, "<title>{}</title>", xml_escape(&v.title));
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#9aa0a6\"/></marker><marker id=\"arrow-hl\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#c62828\"/></marker></defs>\n");
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"{:.0}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        MARGIN,
        xml_escape(&v.title)
    );
    // Edges under nodes; highlighted ones last so they are on top.
    let mut edges: Vec<&ViewEdge> = v.edges.iter().collect();
    edges.sort_by_key(|e| e.highlight);
    for e in edges {
        let (Some(a), Some(b)) = (
            index.get(e.from.as_str()).and_then(|i| placed.get(*i)),
            index.get(e.to.as_str()).and_then(|i| placed.get(*i)),
        ) else {
            continue;
        };
        let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0);
        let (x2, y2) = (b.x, b.y + b.h / 2.0);
        let dx = ((x2 - x1).abs() / 2.0).max(20.0);
        let (colour, width, marker) = if e.highlight {
            ("#c62828", 2.0, "arrow-hl")
        } else {
            ("#9aa0a6", 1.0, "arrow")
        };
        let _ = writeln!(
            s,
            "<path d=\"M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" marker-end=\"url(#{marker})\"/>",
            x1 + dx,
            x2 - dx
        );
        if let Some(l) = &e.label {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#5f6368\" text-anchor=\"middle\">{}</text>",
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0,
                xml_escape(l)
            );
        }
    }
    for (n, p) in v.nodes.iter().zip(&placed) {
        let (stroke, sw, dash) = match n.mark {
            Mark::Plain => ("#80868b", 1.0, ""),
            Mark::Path(st) => (
                status_colour(st),
                2.5,
                if st == Status::Undetermined {
                    " stroke-dasharray=\"4 2\""
                } else {
                    ""
                },
            ),
        };
        let rx = match n.kind {
            "fact" => p.h / 2.0,
            "role" | "actor" => 10.0,
            _ => 3.0,
        };
        let _ = writeln!(
            s,
            "<g class=\"node {}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{rx:.1}\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"{dash}/>",
            n.kind,
            p.x,
            p.y,
            p.w,
            p.h,
            fill(n.kind)
        );
        for (k, line) in n.lines.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "line counts are small")]
            let k = k as f64;
            let weight = if k == 1.0 {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let colour = if k == 0.0 { "#5f6368" } else { "#202124" };
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\"{weight}>{}</text>",
                p.x + PAD,
                p.y + PAD + LINE_H * (k + 1.0) - 3.0,
                xml_escape(&cut(line))
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("a<b & \"c\"'"),
            "a&lt;b &amp; &quot;c&quot;&apos;"
        );
        assert_eq!(dot_escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(mermaid_escape("§1 \"x\" <y>"), "§1 #quot;x#quot; #lt;y#gt;");
    }
}
