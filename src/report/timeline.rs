//! `onus timeline`: every actor's obligations in date order — when duties start, when they must
//! be performed by, when they end — and the status changes of the instruments they come from.

use super::status_words;
use crate::eval::{Outcome, Status};
use crate::ir::*;
use jiff::civil::Date;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The instrument's legal status changes.
    Status,
    /// The obligation starts to apply (end of a transition or grandfathering period).
    Starts,
    /// The obligation must be performed by this date.
    Deadline,
    /// The obligation stops applying.
    Ends,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub date: Date,
    pub kind: EventKind,
    /// Index of the actor; `None` for instrument events.
    pub actor: Option<u32>,
    pub instrument: InstrumentId,
    pub obligation: Option<ObligationId>,
    pub subject: Option<EntityRef>,
    pub status: Option<Status>,
    pub legal_status: Option<LegalStatus>,
}

/// The events of an outcome, sorted by date.
pub fn events(rs: &RuleSet, _sc: &Scenario, out: &Outcome) -> Vec<Event> {
    let mut v = Vec::new();
    for u in &out.instruments {
        let Some(i) = rs.instrument(u.instrument) else {
            continue;
        };
        for st in &i.status {
            v.push(Event {
                date: st.from,
                kind: EventKind::Status,
                actor: None,
                instrument: u.instrument,
                obligation: None,
                subject: None,
                status: None,
                legal_status: Some(st.status),
            });
        }
    }
    for f in &out.findings {
        if matches!(f.status, Status::NotApplicable | Status::Exempt) {
            continue;
        }
        let mut push = |date: Option<Date>, kind| {
            if let Some(date) = date {
                v.push(Event {
                    date,
                    kind,
                    actor: Some(f.actor),
                    instrument: f.instrument,
                    obligation: Some(f.obligation),
                    subject: Some(f.subject),
                    status: Some(f.status),
                    legal_status: None,
                });
            }
        };
        push(f.applies_from, EventKind::Starts);
        push(f.deadline, EventKind::Deadline);
        push(f.until, EventKind::Ends);
    }
    v.sort();
    v.dedup();
    v
}

fn actor_name(sc: &Scenario, a: Option<u32>) -> &str {
    a.and_then(|a| sc.actors.get(a as usize))
        .map_or("", |x| x.id.as_str())
}

pub fn render_text(rs: &RuleSet, sc: &Scenario, out: &Outcome, events: &[Event]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — timeline (as of {})", sc.id, out.as_of);
    let mut past_marked = false;
    for e in events {
        if !past_marked && e.date > out.as_of {
            let _ = writeln!(s, "  ── {} (as of) ──", out.as_of);
            past_marked = true;
        }
        let inst = rs.instrument(e.instrument).map_or("?", |i| i.id.as_str());
        match e.kind {
            EventKind::Status => {
                let _ = writeln!(
                    s,
                    "  {}  {inst}: {}",
                    e.date,
                    e.legal_status.map_or("", status_words)
                );
            }
            _ => {
                let ob = e.obligation.and_then(|o| rs.obligation(o));
                let verb = match e.kind {
                    EventKind::Starts => "starts",
                    EventKind::Deadline => "due",
                    _ => "ends",
                };
                let _ = writeln!(
                    s,
                    "  {}  {:<12} {verb:<6} {inst} {} {} — {}{}",
                    e.date,
                    actor_name(sc, e.actor),
                    ob.map_or("", |o| o.citation.as_str()),
                    e.subject.map_or("", |x| sc.name_of(x)),
                    ob.map_or("", |o| o.title.as_str()),
                    match e.status {
                        Some(Status::Undetermined) => " (undetermined)",
                        _ => "",
                    }
                );
            }
        }
    }
    if !past_marked {
        let _ = writeln!(s, "  ── {} (as of) ──", out.as_of);
    }
    s
}

#[derive(Serialize)]
struct EventOut<'a> {
    date: String,
    kind: EventKind,
    actor: Option<&'a str>,
    instrument: &'a str,
    obligation: Option<&'a str>,
    citation: Option<&'a str>,
    title: Option<&'a str>,
    subject: Option<&'a str>,
    status: Option<&'static str>,
    legal_status: Option<&'static str>,
}

pub fn render_json(rs: &RuleSet, sc: &Scenario, out: &Outcome, events: &[Event]) -> String {
    let items: Vec<EventOut<'_>> = events
        .iter()
        .map(|e| {
            let ob = e.obligation.and_then(|o| rs.obligation(o));
            EventOut {
                date: e.date.to_string(),
                kind: e.kind,
                actor: e
                    .actor
                    .and_then(|a| sc.actors.get(a as usize))
                    .map(|a| a.id.as_str()),
                instrument: rs.instrument(e.instrument).map_or("?", |i| i.id.as_str()),
                obligation: ob.map(|o| o.id.as_str()),
                citation: ob.map(|o| o.citation.as_str()),
                title: ob.map(|o| o.title.as_str()),
                subject: e.subject.map(|x| sc.name_of(x)),
                status: e.status.map(Status::name),
                legal_status: e.legal_status.map(LegalStatus::name),
            }
        })
        .collect();
    let doc = serde_json::json!({
        "schema_version": super::json::SCHEMA_VERSION,
        "scenario": { "id": sc.id, "title": sc.title, "as_of": out.as_of.to_string() },
        "events": items,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
