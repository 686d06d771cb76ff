//! `--all-readings`: evaluate every combination of the readings that matter and keep the
//! findings whose status depends on the reading.

use super::{Options, Outcome, Status, evaluate};
use crate::ir::*;
use std::collections::BTreeMap;

/// Most combinations of readings evaluated for one scenario.
pub const MAX_COMBINATIONS: usize = 1024;

/// A choice of readings: question → index of the reading.
pub type Choice = Vec<(QuestionId, u16)>;

/// A finding whose status differs between readings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contested {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub role: RoleId,
    pub subject: EntityRef,
    pub obligation: ObligationId,
    /// Each distinct outcome, under the readings (of the questions this finding depends on)
    /// that produce it. `None`: the actor bears no such obligation under those readings.
    pub outcomes: Vec<(Choice, Option<Status>)>,
}

type Key = (u32, InstrumentId, RoleId, EntityRef, ObligationId);

/// The questions asked by the instruments evaluated for this scenario.
pub fn relevant_questions(rs: &RuleSet, out: &Outcome) -> Vec<QuestionId> {
    let counted: Vec<InstrumentId> = out
        .instruments
        .iter()
        .filter(|u| u.counted)
        .map(|u| u.instrument)
        .collect();
    rs.questions
        .iter()
        .enumerate()
        .filter(|(_, q)| counted.contains(&q.instrument))
        .map(|(i, _)| QuestionId::from_index(i))
        .collect()
}

/// Every finding that changes with the reading; `Err` with the number of combinations when
/// there are too many to evaluate.
pub fn contested(rs: &RuleSet, sc: &Scenario, opts: &Options) -> Result<Vec<Contested>, usize> {
    let base = evaluate(
        rs,
        sc,
        &Options {
            trace: false,
            ..opts.clone()
        },
    );
    let questions = relevant_questions(rs, &base);
    let sizes: Vec<usize> = questions
        .iter()
        .map(|q| rs.question(*q).map_or(1, |x| x.readings.len().max(1)))
        .collect();
    let total = sizes.iter().try_fold(1usize, |acc, n| acc.checked_mul(*n));
    let total = match total {
        Some(t) if t <= MAX_COMBINATIONS => t,
        Some(t) => return Err(t),
        None => return Err(usize::MAX),
    };
    let mut results: BTreeMap<Key, BTreeMap<Choice, Option<Status>>> = BTreeMap::new();
    let mut all_keys: BTreeMap<Key, Vec<QuestionId>> = BTreeMap::new();
    let mut outcomes: Vec<(Choice, Outcome)> = Vec::new();
    for n in 0..total {
        let mut rest = n;
        let combo: Choice = questions
            .iter()
            .zip(&sizes)
            .map(|(q, size)| {
                let r = rest % size;
                rest /= size;
                (*q, u16::try_from(r).unwrap_or(0))
            })
            .collect();
        let mut o = opts.clone();
        o.trace = false;
        o.readings.extend(combo.iter().copied());
        let out = evaluate(rs, sc, &o);
        // A finding's label is every question it read under any combination.
        for f in &out.findings {
            let key = (f.actor, f.instrument, f.role, f.subject, f.obligation);
            let qs = all_keys.entry(key).or_default();
            for (q, _) in &f.readings {
                if !qs.contains(q) {
                    qs.push(*q);
                }
            }
        }
        outcomes.push((combo, out));
    }
    for (combo, out) in &outcomes {
        let by_key: BTreeMap<Key, Status> = out
            .findings
            .iter()
            .map(|f| {
                (
                    (f.actor, f.instrument, f.role, f.subject, f.obligation),
                    f.status,
                )
            })
            .collect();
        for (key, qs) in &all_keys {
            // Only the readings this finding depends on label its outcome.
            let label: Choice = combo
                .iter()
                .copied()
                .filter(|(q, _)| qs.contains(q))
                .collect();
            results
                .entry(*key)
                .or_default()
                .insert(label, by_key.get(key).copied());
        }
    }
    let mut out = Vec::new();
    for (key, by_label) in results {
        let mut statuses: Vec<Option<Status>> = by_label.values().copied().collect();
        statuses.sort();
        statuses.dedup();
        if statuses.len() < 2 {
            continue;
        }
        out.push(Contested {
            actor: key.0,
            instrument: key.1,
            role: key.2,
            subject: key.3,
            obligation: key.4,
            outcomes: by_label.into_iter().collect(),
        });
    }
    Ok(out)
}
