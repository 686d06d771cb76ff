//! The text report of `onus run`: findings grouped by actor, then instrument, then role.

use super::{asked_actor, exposure_text, fact_ref_text, readings_text, status_words};
use crate::eval::Contested;
use crate::eval::{Outcome, RoleStatus, Status};
use crate::ir::*;
use std::fmt::Write as _;

fn status_cell(f: &crate::eval::Finding) -> String {
    match f.status {
        Status::Pending => match f.applies_from {
            Some(d) => format!("pending {d}"),
            None => "pending".into(),
        },
        Status::NotApplicable => "not applicable".into(),
        s => s.name().into(),
    }
}

pub fn render(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", sc.id, sc.title);
    let filter = match out.status_filter {
        StatusFilter::InForce => "law in force",
        StatusFilter::Enacted => "law in force and enacted law",
        StatusFilter::Proposed => "law in force, enacted law, and bills as if enacted",
    };
    let _ = writeln!(
        s,
        "as of {} · rule set {} · {filter}",
        out.as_of, rs.version
    );
    s.push('\n');
    for u in &out.instruments {
        let Some(i) = rs.instrument(u.instrument) else {
            continue;
        };
        let st = u.status.map_or("not yet proposed", status_words);
        let note = if !u.counted {
            " — not applied"
        } else if u.hypothetical {
            " — analysed as if enacted (hypothetical)"
        } else {
            ""
        };
        let amended: Vec<&str> = u
            .amended_by
            .iter()
            .filter_map(|a| rs.instrument(*a).map(|x| x.id.as_str()))
            .collect();
        let amended = if amended.is_empty() {
            String::new()
        } else {
            format!(" — as amended by {}", amended.join(", "))
        };
        let amends = i
            .amends
            .and_then(|a| rs.instrument(a))
            .map_or(String::new(), |a| format!(" — amends {}", a.id));
        let _ = writeln!(s, "  {} ({}): {st}{note}{amended}{amends}", i.id, i.short);
    }
    for (ai, actor) in sc.actors.iter().enumerate() {
        let ai = u32::try_from(ai).unwrap_or(u32::MAX);
        s.push('\n');
        if actor.name == actor.id {
            let _ = writeln!(s, "{}", actor.id);
        } else {
            let _ = writeln!(s, "{} — {}", actor.id, actor.name);
        }
        let roles: Vec<_> = out.roles.iter().filter(|r| r.actor == ai).collect();
        if roles.is_empty() {
            let _ = writeln!(s, "  no role under the instruments applied");
            continue;
        }
        let mut last_inst = None;
        for r in roles {
            if last_inst != Some(r.instrument) {
                last_inst = Some(r.instrument);
                let i = rs.instrument(r.instrument);
                let st = out
                    .instruments
                    .iter()
                    .find(|u| u.instrument == r.instrument)
                    .and_then(|u| u.status)
                    .map_or("", status_words);
                let _ = writeln!(s, "  {} ({st})", i.map_or("?", |i| i.id.as_str()));
            }
            let role = rs.role(r.role);
            let citation = role
                .and_then(|x| r.route.and_then(|i| x.routes.get(i)))
                .map(|rt| rt.citation.as_str())
                .or(role.map(|x| x.citation.as_str()))
                .unwrap_or("");
            let status = match r.status {
                RoleStatus::Holds => String::new(),
                RoleStatus::Undetermined => " — undetermined".into(),
                RoleStatus::Displaced => format!(
                    " — displaced by {}",
                    r.displaced_by
                        .iter()
                        .map(|b| sc.actors.get(*b as usize).map_or("?", |a| a.id.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let _ = writeln!(
                s,
                "    {} of {} {} [{citation}]{status}",
                role.map_or("?", |x| x.id.as_str()),
                r.subject.kind,
                sc.name_of(r.subject),
            );
            if r.status == RoleStatus::Undetermined {
                let m: Vec<String> = r
                    .missing
                    .iter()
                    .map(|m| fact_ref_text(rs, sc, *m))
                    .collect();
                if !m.is_empty() {
                    let _ = writeln!(s, "      role depends on: {}", m.join(", "));
                }
            }
            for f in out
                .findings
                .iter()
                .filter(|f| f.actor == ai && f.role == r.role && f.subject == r.subject)
            {
                let Some(ob) = rs.obligation(f.obligation) else {
                    continue;
                };
                let mut tail = String::new();
                if let Some(x) = f.exempted_by.and_then(|x| rs.exemption(x)) {
                    let _ = write!(tail, " — exempt by {} [{}]", x.id, x.citation);
                }
                if let Some(d) = f.deadline {
                    let _ = write!(tail, " — due by {d}");
                }
                if f.status == Status::NotApplicable {
                    if let Some(u) = f.until {
                        if u <= out.as_of {
                            let _ = write!(tail, " — ended {u}");
                        }
                    }
                }
                if matches!(
                    f.status,
                    Status::Applies | Status::Pending | Status::Undetermined
                ) {
                    if let Some(x) = f.exposure.as_ref().and_then(|x| exposure_text(rs, x)) {
                        let _ = write!(tail, " — {x}");
                    }
                }
                if f.hypothetical {
                    tail.push_str(" — hypothetical");
                }
                let amended: Vec<&str> = f
                    .text_version
                    .iter()
                    .filter_map(|a| rs.instrument(*a).map(|x| x.id.as_str()))
                    .collect();
                if !amended.is_empty() {
                    let _ = write!(tail, " — text as amended by {}", amended.join(", "));
                }
                let readings = readings_text(rs, &f.readings);
                if !readings.is_empty() {
                    let _ = write!(tail, " — reading {}", readings.join(", "));
                }
                if f.status == Status::Undetermined && !f.missing.is_empty() {
                    let m: Vec<String> = f
                        .missing
                        .iter()
                        .map(|m| {
                            let who = asked_actor(rs, sc, *m)
                                .map_or(String::new(), |a| format!(" (ask {a})"));
                            format!("{}{who}", fact_ref_text(rs, sc, *m))
                        })
                        .collect();
                    let _ = write!(tail, " — missing: {}", m.join(", "));
                }
                let _ = writeln!(
                    s,
                    "      {:<18} {:<16} {}{tail}",
                    status_cell(f),
                    ob.citation,
                    ob.title
                );
            }
        }
    }
    s
}

/// The `--all-readings` section: findings whose status depends on the reading.
pub fn contested(rs: &RuleSet, sc: &Scenario, list: &[Contested]) -> String {
    let mut s = String::from("\nContested (outcomes that differ between readings)\n");
    if list.is_empty() {
        s.push_str("  none: every finding is the same under every reading\n");
        return s;
    }
    for c in list {
        let ob = rs.obligation(c.obligation);
        let _ = writeln!(
            s,
            "  {} · {} {} {} ({} {})",
            sc.actors
                .get(c.actor as usize)
                .map_or("?", |a| a.id.as_str()),
            rs.instrument(c.instrument).map_or("?", |i| i.id.as_str()),
            ob.map_or("", |o| o.citation.as_str()),
            ob.map_or("", |o| o.title.as_str()),
            c.subject.kind,
            sc.name_of(c.subject),
        );
        for (readings, status) in &c.outcomes {
            let label = readings_text(rs, readings).join(", ");
            let st = status.map_or("no such obligation", Status::name);
            let _ = writeln!(s, "      under {label}: {st}");
        }
        for (q, _) in c.outcomes.first().map_or(&[][..], |x| x.0.as_slice()) {
            if let Some(question) = rs.question(*q) {
                for r in &question.readings {
                    let _ = writeln!(
                        s,
                        "        {}={}: {} ({})",
                        question.id, r.id, r.summary, r.source
                    );
                }
            }
        }
    }
    s
}
