//! Checking a scenario's `[[expect]]` entries against an outcome.

use super::{Outcome, Status};
use crate::ir::*;
use crate::source::Span;

/// An expectation that the outcome does not meet, with a message saying how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectFailure {
    pub span: Span,
    pub message: String,
}

pub fn check_expectations(rs: &RuleSet, sc: &Scenario, out: &Outcome) -> Vec<ExpectFailure> {
    let mut fails = Vec::new();
    for x in &sc.expects {
        let actor = sc
            .actors
            .get(x.actor as usize)
            .map_or("?", |a| a.id.as_str());
        let inst = rs.instrument(x.instrument).map_or("?", |i| i.id.as_str());
        let subject_ok = |s: EntityRef| x.subject.is_none_or(|want| want == s);
        match &x.target {
            ExpectTarget::Nothing => {
                let bears: Vec<String> = out
                    .findings
                    .iter()
                    .filter(|f| f.actor == x.actor && f.instrument == x.instrument)
                    .filter(|f| f.status != Status::NotApplicable)
                    .filter_map(|f| {
                        rs.obligation(f.obligation)
                            .map(|o| format!("{} ({}) {}", o.id, o.citation, f.status.name()))
                    })
                    .collect();
                if !bears.is_empty() {
                    fails.push(ExpectFailure {
                        span: x.span,
                        message: format!(
                            "expected `{actor}` to bear nothing under `{inst}`, but: {}",
                            bears.join("; ")
                        ),
                    });
                }
            }
            ExpectTarget::Role(role) => {
                let found: Vec<_> = out
                    .roles
                    .iter()
                    .filter(|r| r.actor == x.actor && r.role == *role && subject_ok(r.subject))
                    .collect();
                let want = x.status.as_deref().unwrap_or("holds");
                let rname = rs.role(*role).map_or("?", |r| r.id.as_str());
                let ok = if want == "absent" {
                    found.is_empty()
                } else {
                    found.iter().any(|r| r.status.name() == want)
                };
                if !ok {
                    let got: Vec<&str> = found.iter().map(|r| r.status.name()).collect();
                    fails.push(ExpectFailure {
                        span: x.span,
                        message: format!(
                            "expected `{actor}` role `{rname}` under `{inst}` to be {want}, found {}",
                            if got.is_empty() { "no such role".to_string() } else { got.join(", ") }
                        ),
                    });
                }
            }
            ExpectTarget::Obligation(oid) => {
                let found: Vec<_> = out
                    .findings
                    .iter()
                    .filter(|f| f.actor == x.actor && f.obligation == *oid && subject_ok(f.subject))
                    .collect();
                let oname = rs
                    .obligation(*oid)
                    .map_or("?".to_string(), |o| format!("{} ({})", o.id, o.citation));
                let want = x.status.as_deref().unwrap_or("applies");
                let matches = |f: &&super::Finding| {
                    let st = f.status.name() == want;
                    let ex = x.exempted_by.as_ref().is_none_or(|e| {
                        f.exempted_by
                            .and_then(|id| rs.exemption(id))
                            .is_some_and(|xx| &xx.id == e)
                    });
                    let from = x.applies_from.is_none_or(|d| f.applies_from == Some(d));
                    let due = x.deadline.is_none_or(|d| f.deadline == Some(d));
                    st && ex && from && due
                };
                // An obligation of a role the actor does not hold does not apply to it either.
                let ok = match want {
                    "absent" => found.is_empty(),
                    "not_applicable" => found.is_empty() || found.iter().any(matches),
                    _ => found.iter().any(matches),
                };
                if !ok {
                    let got: Vec<String> = found
                        .iter()
                        .map(|f| {
                            let mut s = f.status.name().to_string();
                            if let Some(e) = f.exempted_by.and_then(|id| rs.exemption(id)) {
                                s.push_str(&format!(" by {}", e.id));
                            }
                            if let Some(d) = f.applies_from {
                                if f.status == Status::Pending {
                                    s.push_str(&format!(" from {d}"));
                                }
                            }
                            if let Some(d) = f.deadline {
                                s.push_str(&format!(" due {d}"));
                            }
                            s
                        })
                        .collect();
                    let mut wanted = want.to_string();
                    if let Some(e) = &x.exempted_by {
                        wanted.push_str(&format!(" by {e}"));
                    }
                    if let Some(d) = x.applies_from {
                        wanted.push_str(&format!(" from {d}"));
                    }
                    if let Some(d) = x.deadline {
                        wanted.push_str(&format!(" due {d}"));
                    }
                    fails.push(ExpectFailure {
                        span: x.span,
                        message: format!(
                            "expected `{actor}` {inst} {oname} to be {wanted}, found {}",
                            if got.is_empty() {
                                "no finding".to_string()
                            } else {
                                got.join(", ")
                            }
                        ),
                    });
                }
            }
        }
    }
    fails
}
