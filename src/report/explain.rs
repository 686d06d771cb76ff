//! `onus explain`: the reasoning tree behind one actor's findings.

use super::{rule_text, value_text};
use crate::eval::{Outcome, Step};
use crate::ir::*;
use std::fmt::Write as _;

fn step_lines(rs: &RuleSet, sc: &Scenario, st: &Step, indent: &str, s: &mut String) {
    let (kind, rule, citation, title) = rule_text(rs, sc, st.rule);
    let cite = if citation.is_empty() {
        String::new()
    } else {
        format!(" [{citation}]")
    };
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" — {title}")
    };
    let _ = writeln!(
        s,
        "{indent}{kind} {rule}{cite}{title} → {}",
        value_text(rs, sc, None, &st.result)
    );
    for d in &st.defs {
        let Some(def) = rs.def(d.def) else { continue };
        let on = d
            .entity
            .map_or(String::new(), |e| format!("({})", sc.name_of(e)));
        let _ = writeln!(
            s,
            "{indent}  uses {}{on} = {} [{}]",
            def.id,
            value_text(rs, sc, Some(&def.expr.ty), &d.value),
            def.citation
        );
    }
    for r in &st.reads {
        let f = rs.fact(r.fact.fact);
        let v = r
            .value
            .as_ref()
            .map_or("unknown (not in the scenario)".to_string(), |v| {
                value_text(rs, sc, f.map(|f| &f.ty), v)
            });
        let _ = writeln!(
            s,
            "{indent}  reads {}.{} = {v}",
            sc.name_of(r.fact.entity),
            f.map_or("?", |f| f.id.as_str())
        );
    }
}

/// Renders the reasoning for `actor` (index), optionally only for one obligation id.
pub fn render(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    actor: u32,
    obligation: Option<&str>,
) -> String {
    let mut s = String::new();
    let a = sc.actors.get(actor as usize);
    let _ = writeln!(
        s,
        "{} — {} · as of {}",
        a.map_or("?", |a| a.id.as_str()),
        a.map_or("?", |a| a.name.as_str()),
        out.as_of
    );
    let mut any = false;
    for r in out.roles.iter().filter(|r| r.actor == actor) {
        let role = rs.role(r.role);
        let inst = rs.instrument(r.instrument).map_or("?", |i| i.id.as_str());
        let findings: Vec<_> = out
            .findings
            .iter()
            .filter(|f| f.actor == actor && f.role == r.role && f.subject == r.subject)
            .filter(|f| {
                obligation.is_none_or(|o| rs.obligation(f.obligation).is_some_and(|x| x.id == o))
            })
            .collect();
        if obligation.is_some() && findings.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(
            s,
            "\n{inst} · {} of {} {}: {}",
            role.map_or("?", |x| x.id.as_str()),
            r.subject.kind,
            sc.name_of(r.subject),
            r.status.name()
        );
        for st in &r.trace {
            step_lines(rs, sc, st, "  ", &mut s);
        }
        for f in findings {
            let Some(ob) = rs.obligation(f.obligation) else {
                continue;
            };
            let mut head = format!(
                "  {} {} — {}: {}",
                ob.citation,
                ob.id,
                ob.title,
                f.status.name()
            );
            if let Some(d) = f.applies_from {
                let _ = write!(head, " (from {d})");
            }
            let _ = writeln!(s, "{head}");
            if let Some(n) = &ob.note {
                let _ = writeln!(s, "    note: {}", super::reader_note(n));
            }
            if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
                if let Some(n) = &x.note {
                    let _ = writeln!(s, "    note on {}: {}", x.id, super::reader_note(n));
                }
            }
            for st in &f.trace {
                step_lines(rs, sc, st, "    ", &mut s);
            }
        }
    }
    if !any {
        let _ = writeln!(s, "\nno role under the instruments applied");
    }
    s
}
