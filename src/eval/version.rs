//! The text in force: which amendments count at the as-of date, and what they change.

use super::Options;
use crate::ir::*;
use jiff::civil::Date;

/// The rule set as amended at one date, under one status filter, with chosen readings.
pub struct Version<'a> {
    /// Per instrument: it is an amendment that counts now.
    pub active: Vec<bool>,
    /// Per instrument: an active amendment that is only a bill (analysed as if enacted).
    pub hypothetical: Vec<bool>,
    pub ob_when: Vec<Option<&'a Expr>>,
    pub ob_from: Vec<Option<&'a Expr>>,
    pub ob_until: Vec<Option<&'a Expr>>,
    pub ob_deadline: Vec<Option<&'a Expr>>,
    pub ob_penalty: Vec<Option<PenaltyId>>,
    pub ob_repealed: Vec<bool>,
    pub def_expr: Vec<Option<&'a Expr>>,
    pub ex_when: Vec<Option<&'a Expr>>,
    pub ex_repealed: Vec<bool>,
    /// The chosen reading of each question.
    pub readings: Vec<u16>,
}

fn set<T: Copy>(v: &mut [Option<T>], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = Some(x);
    }
}

impl<'a> Version<'a> {
    pub fn new(rs: &'a RuleSet, sc: &Scenario, opts: &Options, as_of: Date) -> Version<'a> {
        let n_ob = rs.obligations.len();
        let mut v = Version {
            active: vec![false; rs.instruments.len()],
            hypothetical: vec![false; rs.instruments.len()],
            ob_when: vec![None; n_ob],
            ob_from: vec![None; n_ob],
            ob_until: vec![None; n_ob],
            ob_deadline: vec![None; n_ob],
            ob_penalty: rs.obligations.iter().map(|o| o.penalty).collect(),
            ob_repealed: vec![false; n_ob],
            def_expr: vec![None; rs.defs.len()],
            ex_when: vec![None; rs.exemptions.len()],
            ex_repealed: vec![false; rs.exemptions.len()],
            readings: rs.questions.iter().map(|q| q.default).collect(),
        };
        for (i, inst) in rs.instruments.iter().enumerate() {
            if inst.amends.is_none() {
                continue;
            }
            let id = InstrumentId::from_index(i);
            let status = inst.status_at(as_of);
            let counts =
                status.is_some_and(|s| opts.status.admits(s)) && !opts.without.contains(&id);
            if let Some(a) = v.active.get_mut(i) {
                *a = counts;
            }
            if let Some(h) = v.hypothetical.get_mut(i) {
                *h = counts && status.is_some_and(LegalStatus::is_hypothetical);
            }
        }
        // Later amendments (in file order) override earlier ones.
        for ov in &rs.overlays {
            if !v.is_active(ov.amendment) {
                continue;
            }
            match &ov.target {
                OverlayTarget::ObligationWhen(o, e) => set(&mut v.ob_when, o.index(), e),
                OverlayTarget::ObligationFrom(o, e) => set(&mut v.ob_from, o.index(), e),
                OverlayTarget::ObligationUntil(o, e) => set(&mut v.ob_until, o.index(), e),
                OverlayTarget::ObligationDeadline(o, e) => set(&mut v.ob_deadline, o.index(), e),
                OverlayTarget::ObligationPenalty(o, p) => set(&mut v.ob_penalty, o.index(), *p),
                OverlayTarget::DefinitionExpr(d, e) => set(&mut v.def_expr, d.index(), e),
                OverlayTarget::ExemptionWhen(x, e) => set(&mut v.ex_when, x.index(), e),
                OverlayTarget::RepealObligation(o) => {
                    if let Some(r) = v.ob_repealed.get_mut(o.index()) {
                        *r = true;
                    }
                }
                OverlayTarget::RepealExemption(x) => {
                    if let Some(r) = v.ex_repealed.get_mut(x.index()) {
                        *r = true;
                    }
                }
            }
        }
        // Rules added by an amendment exist only while it counts.
        for (i, o) in rs.obligations.iter().enumerate() {
            if o.added_by.is_some_and(|a| !v.is_active(a)) {
                if let Some(r) = v.ob_repealed.get_mut(i) {
                    *r = true;
                }
            }
        }
        for (i, x) in rs.exemptions.iter().enumerate() {
            if x.added_by.is_some_and(|a| !v.is_active(a)) {
                if let Some(r) = v.ex_repealed.get_mut(i) {
                    *r = true;
                }
            }
        }
        for (q, r) in sc.readings.iter().chain(opts.readings.iter()) {
            if let Some(slot) = v.readings.get_mut(q.index()) {
                *slot = *r;
            }
        }
        v
    }

    pub fn is_active(&self, amendment: InstrumentId) -> bool {
        self.active.get(amendment.index()).copied().unwrap_or(false)
    }

    pub fn reading(&self, q: QuestionId) -> u16 {
        self.readings.get(q.index()).copied().unwrap_or(0)
    }

    pub fn when(&self, rs: &'a RuleSet, o: ObligationId) -> Option<&'a Expr> {
        self.ob_when
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| rs.obligation(o).and_then(|x| x.when.as_ref()))
    }
    pub fn from(&self, rs: &'a RuleSet, o: ObligationId) -> Option<&'a Expr> {
        self.ob_from
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| rs.obligation(o).and_then(|x| x.from.as_ref()))
    }
    pub fn until(&self, rs: &'a RuleSet, o: ObligationId) -> Option<&'a Expr> {
        self.ob_until
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| rs.obligation(o).and_then(|x| x.until.as_ref()))
    }
    pub fn deadline(&self, rs: &'a RuleSet, o: ObligationId) -> Option<&'a Expr> {
        self.ob_deadline
            .get(o.index())
            .copied()
            .flatten()
            .or_else(|| rs.obligation(o).and_then(|x| x.deadline.as_ref()))
    }
    pub fn penalty(&self, o: ObligationId) -> Option<PenaltyId> {
        self.ob_penalty.get(o.index()).copied().flatten()
    }
    pub fn repealed(&self, o: ObligationId) -> bool {
        self.ob_repealed.get(o.index()).copied().unwrap_or(false)
    }
    pub fn exemption_when(&self, rs: &'a RuleSet, x: ExemptionId) -> Option<&'a Expr> {
        if self.ex_repealed.get(x.index()).copied().unwrap_or(false) {
            return None;
        }
        self.ex_when
            .get(x.index())
            .copied()
            .flatten()
            .or_else(|| rs.exemption(x).map(|e| &e.when))
    }
    pub fn def(&self, rs: &'a RuleSet, d: DefId) -> Option<&'a Expr> {
        self.def_expr
            .get(d.index())
            .copied()
            .flatten()
            .or_else(|| rs.def(d).map(|x| &x.expr))
    }
}
