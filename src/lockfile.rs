//! Locked outcomes: the full outcome of a scenario as a readable, diff-friendly text file (one
//! line per actor × role or obligation × status), the fingerprints of the rules it depends on,
//! and the comparison of two outcomes with the rule changes behind each difference.
//!
//! Lines are sorted, and name rules by id, so a lock does not change when rule files are
//! reordered. No IO here: the CLI reads and writes lock files.

use crate::eval::{Outcome, RoleStatus, Status};
use crate::graph::{DecisionGraph, Node, rule_name};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// One conclusion: what it is about, and what was concluded.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    /// `role` or `obligation`
    pub kind: String,
    pub actor: String,
    pub instrument: String,
    /// Role id, or `citation obligation-id` for obligations.
    pub what: String,
    pub subject: String,
    /// `applies`, `pending from 2027-08-02`, `exempt by open_source_gpai`, `holds`, …
    pub status: String,
}

impl Line {
    pub fn key(&self) -> (String, String, String, String, String) {
        (
            self.kind.clone(),
            self.actor.clone(),
            self.instrument.clone(),
            self.what.clone(),
            self.subject.clone(),
        )
    }

    fn render(&self) -> String {
        format!(
            "{} {} | {} | {} | {} | {}",
            self.kind, self.actor, self.instrument, self.what, self.subject, self.status
        )
    }

    fn parse(s: &str) -> Option<Line> {
        let (kind, rest) = s.split_once(' ')?;
        let parts: Vec<&str> = rest.split(" | ").collect();
        match parts.as_slice() {
            [actor, instrument, what, subject, status] => Some(Line {
                kind: kind.to_string(),
                actor: actor.to_string(),
                instrument: instrument.to_string(),
                what: what.to_string(),
                subject: subject.to_string(),
                status: status.to_string(),
            }),
            _ => None,
        }
    }
}

/// A locked outcome: conclusions and the fingerprints of the rules behind them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    pub lines: Vec<Line>,
    /// Rule name → fingerprint.
    pub rules: BTreeMap<String, String>,
    /// Rule name → the conclusions (keys) that depend on it.
    pub deps: BTreeMap<(String, String, String, String, String), BTreeSet<String>>,
}

fn fingerprint(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(text.as_bytes());
    d.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints of every rule of a rule set, by name.
pub fn fingerprints(rs: &RuleSet) -> BTreeMap<String, (String, String)> {
    print::rules(rs)
        .into_iter()
        .map(|(name, citation, text)| (name, (fingerprint(&text), citation)))
        .collect()
}

fn finding_status(rs: &RuleSet, f: &crate::eval::Finding) -> String {
    let mut s = f.status.name().to_string();
    match f.status {
        Status::Pending => {
            if let Some(d) = f.applies_from {
                s.push_str(&format!(" from {d}"));
            }
        }
        Status::Exempt => {
            if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
                s.push_str(&format!(" by {} ({})", x.id, x.citation));
            }
        }
        _ => {}
    }
    s
}

/// The lock of an outcome.
pub fn lock(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Lock {
    let graph = DecisionGraph::build(rs);
    let prints = fingerprints(rs);
    let actor = |a: u32| {
        sc.actors
            .get(a as usize)
            .map_or("?", |x| x.id.as_str())
            .to_string()
    };
    let inst = |i: InstrumentId| rs.instrument(i).map_or("?", |x| x.id.as_str()).to_string();
    let mut lock = Lock::default();
    let add_deps = |lock: &mut Lock, key, node: Node| {
        let mut names: BTreeSet<String> = graph
            .cone(node)
            .into_iter()
            .filter_map(|n| rule_name(rs, n))
            .collect();
        if let Some(n) = rule_name(rs, node) {
            names.insert(n);
        }
        for n in &names {
            if let Some((fp, _)) = prints.get(n) {
                lock.rules.insert(n.clone(), fp.clone());
            }
        }
        lock.deps.insert(key, names);
    };
    for r in &out.roles {
        let role = rs.role(r.role);
        let mut status = r.status.name().to_string();
        if r.status == RoleStatus::Displaced {
            let by: Vec<String> = r.displaced_by.iter().map(|b| actor(*b)).collect();
            status.push_str(&format!(" by {}", by.join(", ")));
        } else if let Some(rt) = role.and_then(|x| r.route.and_then(|i| x.routes.get(i))) {
            status.push_str(&format!(" ({})", rt.citation));
        }
        let line = Line {
            kind: "role".into(),
            actor: actor(r.actor),
            instrument: inst(r.instrument),
            what: role.map_or("?".into(), |x| x.id.clone()),
            subject: sc.name_of(r.subject).to_string(),
            status,
        };
        add_deps(&mut lock, line.key(), Node::Role(r.role));
        lock.lines.push(line);
    }
    for f in &out.findings {
        let ob = rs.obligation(f.obligation);
        let line = Line {
            kind: "obligation".into(),
            actor: actor(f.actor),
            instrument: inst(f.instrument),
            what: ob.map_or("?".into(), |o| format!("{} {}", o.citation, o.id)),
            subject: sc.name_of(f.subject).to_string(),
            status: finding_status(rs, f),
        };
        add_deps(&mut lock, line.key(), Node::Obligation(f.obligation));
        lock.lines.push(line);
    }
    lock.lines.sort();
    lock
}

/// The lock file's text.
pub fn render(sc: &Scenario, out: &Outcome, lock: &Lock) -> String {
    let mut s = format!(
        "# onus: locked outcome of `{}` as of {}\n# `onus test` compares against it; `onus test --accept` replaces it.\n",
        sc.id, out.as_of
    );
    for l in &lock.lines {
        s.push_str(&l.render());
        s.push('\n');
    }
    s.push_str("# rules the conclusions above depend on, with fingerprints\n");
    for (name, fp) in &lock.rules {
        s.push_str(&format!("rule {name} = {fp}\n"));
    }
    s
}

/// Parses a lock file (lines it does not understand are ignored).
pub fn parse(text: &str) -> Lock {
    let mut lock = Lock::default();
    for raw in text.lines() {
        let l = raw.trim_end();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if let Some(rest) = l.strip_prefix("rule ") {
            if let Some((name, fp)) = rest.rsplit_once(" = ") {
                lock.rules.insert(name.to_string(), fp.to_string());
            }
        } else if let Some(line) = Line::parse(l) {
            lock.lines.push(line);
        }
    }
    lock.lines.sort();
    lock
}

/// One difference between two outcomes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub actor: String,
    pub kind: String,
    pub instrument: String,
    pub what: String,
    pub subject: String,
    /// `None`: the conclusion did not exist on that side.
    pub before: Option<String>,
    pub after: Option<String>,
    /// Rules (name, citation) that changed and that this conclusion depends on.
    pub because: Vec<(String, String)>,
}

impl Change {
    /// `+ eu-ai-act Art. 26(8) applies`, `− … exempt → applies`.
    pub fn describe(&self) -> String {
        let what = if self.kind == "role" {
            format!("role {} of {}", self.what, self.subject)
        } else {
            format!("{} ({})", self.what, self.subject)
        };
        match (&self.before, &self.after) {
            (None, Some(a)) => format!("+ {} {what} {a}", self.instrument),
            (Some(b), None) => format!("− {} {what} {b}", self.instrument),
            (Some(b), Some(a)) => format!("~ {} {what} {b} → {a}", self.instrument),
            (None, None) => String::new(),
        }
    }
}

/// For every role and obligation of a rule set, keyed by (kind, instrument, what) as in lock
/// lines: the rules it depends on. Used to attribute a conclusion that exists on one side only.
pub type DepIndex = BTreeMap<(String, String, String), BTreeSet<String>>;

pub fn dependency_index(rs: &RuleSet) -> DepIndex {
    let graph = DecisionGraph::build(rs);
    let inst = |i: InstrumentId| rs.instrument(i).map_or("?", |x| x.id.as_str()).to_string();
    let mut out = DepIndex::new();
    let mut add = |key: (String, String, String), node: Node| {
        let mut names: BTreeSet<String> = graph
            .cone(node)
            .into_iter()
            .filter_map(|n| rule_name(rs, n))
            .collect();
        if let Some(n) = rule_name(rs, node) {
            names.insert(n);
        }
        out.entry(key).or_default().extend(names);
    };
    for (i, r) in rs.roles.iter().enumerate() {
        add(
            ("role".into(), inst(r.instrument), r.id.clone()),
            Node::Role(RoleId::from_index(i)),
        );
    }
    for (i, o) in rs.obligations.iter().enumerate() {
        add(
            (
                "obligation".into(),
                inst(o.instrument),
                format!("{} {}", o.citation, o.id),
            ),
            Node::Obligation(ObligationId::from_index(i)),
        );
    }
    out
}

/// Differences between an old and a new lock. `changed_rules` (name → citation) are the rules
/// whose fingerprint differs; each change is attributed to those among its dependencies (from
/// the locks, or from `index` — the dependency index of one or both rule sets).
pub fn compare(
    old: &Lock,
    new: &Lock,
    changed_rules: &BTreeMap<String, String>,
    index: &[&DepIndex],
) -> Vec<Change> {
    let o: BTreeMap<_, _> = old.lines.iter().map(|l| (l.key(), l)).collect();
    let n: BTreeMap<_, _> = new.lines.iter().map(|l| (l.key(), l)).collect();
    let keys: BTreeSet<_> = o.keys().chain(n.keys()).cloned().collect();
    let mut out = Vec::new();
    for k in keys {
        let before = o.get(&k).map(|l| l.status.clone());
        let after = n.get(&k).map(|l| l.status.clone());
        if before == after {
            continue;
        }
        let rule_key = (k.0.clone(), k.2.clone(), k.3.clone());
        let deps: BTreeSet<String> = old
            .deps
            .get(&k)
            .into_iter()
            .chain(new.deps.get(&k))
            .chain(index.iter().filter_map(|i| i.get(&rule_key)))
            .flatten()
            .cloned()
            .collect();
        let because = deps
            .iter()
            .filter_map(|d| changed_rules.get(d).map(|c| (d.clone(), c.clone())))
            .collect();
        out.push(Change {
            kind: k.0.clone(),
            actor: k.1.clone(),
            instrument: k.2.clone(),
            what: k.3.clone(),
            subject: k.4.clone(),
            before,
            after,
            because,
        });
    }
    out.sort();
    out
}

/// Rules whose fingerprint in `current` differs from the one recorded in `old` (only rules the
/// old lock recorded, and rules of the current set that it did not: those are new).
pub fn changed_since(
    old: &Lock,
    current: &BTreeMap<String, (String, String)>,
    new: &Lock,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in new.rules.keys().chain(old.rules.keys()) {
        let now = current.get(name);
        let then = old.rules.get(name);
        let differs = match (then, now) {
            (Some(a), Some((b, _))) => a != b,
            (None, Some(_)) | (Some(_), None) => true,
            (None, None) => false,
        };
        if differs {
            out.insert(
                name.clone(),
                now.map_or_else(String::new, |(_, c)| c.clone()),
            );
        }
    }
    out
}

/// Rules that differ between two rule sets (added, removed or changed), with citations.
pub fn changed_between(
    a: &BTreeMap<String, (String, String)>,
    b: &BTreeMap<String, (String, String)>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in a.keys().chain(b.keys()) {
        match (a.get(name), b.get(name)) {
            (Some((x, _)), Some((y, c))) if x != y => {
                out.insert(name.clone(), c.clone());
            }
            (Some((_, c)), None) | (None, Some((_, c))) => {
                out.insert(name.clone(), c.clone());
            }
            _ => {}
        }
    }
    out
}
