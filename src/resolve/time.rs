//! Resolution of the legal-time parts of rule files: unsettled questions and their readings,
//! penalties, and the `[[amend]]` overlays of amending instruments.

use super::{Builder, duplicate, sspan};
use crate::diag::{Diagnostic, suggest};
use crate::ir::*;
use crate::source::{FileId, Span};
use crate::syntax::{RawAmend, RawRuleFile, SStr};

impl Builder<'_> {
    pub(crate) fn declare_questions(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for q in &raw.questions {
            self.check_id_pub(file, &q.id, "question");
            let span = sspan(file, &q.id);
            if let Some(prev) = self.rs.questions.iter().find(|x| &x.id == q.id.get_ref()) {
                let prev = prev.span;
                self.diags.push(
                    duplicate("question", q.id.get_ref(), span, prev)
                        .help("question ids are unique across the rule set, so `--reading QUESTION=…` is unambiguous"),
                );
                continue;
            }
            let citation = self.citation_pub(file, q.citation.as_ref(), "question", &q.id);
            let mut readings: Vec<Reading> = Vec::new();
            for r in &q.reading {
                if readings.iter().any(|x| &x.id == r.id.get_ref()) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0302",
                            format!("duplicate reading `{}`", r.id.get_ref()),
                        )
                        .at(sspan(file, &r.id)),
                    );
                    continue;
                }
                readings.push(Reading {
                    id: r.id.get_ref().clone(),
                    summary: r.summary.clone(),
                    source: r.source.clone(),
                });
            }
            if readings.len() < 2 {
                self.diags.push(
                    Diagnostic::error("E0313", format!("question `{}` needs at least two readings", q.id.get_ref()))
                        .at(span)
                        .help("a question records competing readings; add `[[question.reading]]` entries, each with its source"),
                );
            }
            let default = match readings.iter().position(|r| &r.id == q.default.get_ref()) {
                Some(i) => u16::try_from(i).unwrap_or(0),
                None => {
                    let names: Vec<&str> = readings.iter().map(|r| r.id.as_str()).collect();
                    let mut d = Diagnostic::error(
                        "E0312",
                        format!(
                            "the default `{}` is not a reading of `{}`",
                            q.default.get_ref(),
                            q.id.get_ref()
                        ),
                    )
                    .at(sspan(file, &q.default));
                    d = match suggest(q.default.get_ref(), names.iter().copied()) {
                        Some(x) => d.help(format!("did you mean `{x}`?")),
                        None => d.help(format!("readings: {}", names.join(", "))),
                    };
                    self.diags.push(d);
                    0
                }
            };
            let values = EnumId::from_index(self.rs.enums.len());
            self.rs.enums.push(EnumDef {
                id: format!("reading.{}", q.id.get_ref()),
                title: Some(q.title.clone()),
                values: readings.iter().map(|r| r.id.clone()).collect(),
                span,
            });
            self.rs.questions.push(Question {
                instrument: inst,
                id: q.id.get_ref().clone(),
                title: q.title.clone(),
                citation,
                default,
                readings,
                values,
                note: q.note.clone(),
                span,
            });
        }
    }

    pub(crate) fn declare_penalties(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for p in &raw.penalties {
            self.check_id_pub(file, &p.id, "penalty");
            let span = sspan(file, &p.id);
            if let Some(prev) = self
                .rs
                .penalties
                .iter()
                .find(|x| x.instrument == inst && &x.id == p.id.get_ref())
            {
                let prev = prev.span;
                self.diags
                    .push(duplicate("penalty", p.id.get_ref(), span, prev));
                continue;
            }
            let citation = self.citation_pub(file, p.citation.as_ref(), "penalty", &p.id);
            let subject = match &p.subject {
                None => None,
                Some(k) => match Kind::parse(k.get_ref()) {
                    Some(k) if k != Kind::Actor => Some(k),
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0304",
                                format!("`{}` cannot be a penalty's subject", k.get_ref()),
                            )
                            .at(sspan(file, k))
                            .help("a penalty reads a `model`, a `system` or a `deployment`"),
                        );
                        None
                    }
                },
            };
            let amount = p
                .amount
                .as_ref()
                .map(|a| self.penalty_amount(inst, file, a, subject));
            if let Some(per) = &p.per {
                if !["violation", "day"].contains(&per.as_str()) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0307",
                            format!("`per = \"{per}\"` is not `violation` or `day`"),
                        )
                        .at(span),
                    );
                }
            }
            self.rs.penalties.push(Penalty {
                instrument: inst,
                id: p.id.get_ref().clone(),
                title: p.title.clone(),
                citation,
                formula: p.formula.clone(),
                amount,
                subject,
                per: p.per.clone(),
                note: p.note.clone(),
                span,
            });
        }
    }

    fn penalty_amount(
        &mut self,
        inst: InstrumentId,
        file: FileId,
        a: &SStr,
        subject: Option<Kind>,
    ) -> Expr {
        let (ast, map) = self.parse_expr_pub(file, a);
        let mut vars = vec![("actor".to_string(), Type::Entity(Kind::Actor))];
        if let Some(k) = subject {
            vars.push((k.name().to_string(), Type::Entity(k)));
        }
        let scope = super::typeck::Scope::new(vars, false);
        let e = match ast {
            Some(ast) => self.check_expr(inst, &scope, map.clone(), &ast, None),
            None => Expr {
                kind: ExprKind::Error,
                ty: Type::Error,
                span: map.whole,
            },
        };
        match e.ty {
            Type::Num(Unit::Eur | Unit::Usd | Unit::Cny) | Type::Error => {}
            _ => self.diags.push(
                Diagnostic::error("E0202", "a penalty amount must be a sum of money")
                    .at(e.span)
                    .help("write it in `EUR`, `USD` or `CNY`, e.g. `max(15e6 EUR, actor.turnover_worldwide * 3 / 100)`"),
            ),
        }
        e
    }

    /// A penalty that reads a subject may only be named by obligations about that kind.
    pub(crate) fn check_penalty_subject(
        &mut self,
        file: FileId,
        name: &SStr,
        p: PenaltyId,
        subject: Kind,
    ) {
        if let Some(k) = self.rs.penalty(p).and_then(|x| x.subject) {
            if k != subject {
                self.diags.push(
                    Diagnostic::error(
                        "E0202",
                        format!(
                            "penalty `{}` reads {}, but this obligation is about {}",
                            name.get_ref(),
                            k.a(),
                            subject.a()
                        ),
                    )
                    .at(sspan(file, name)),
                );
            }
        }
    }

    pub(crate) fn find_penalty(
        &mut self,
        inst: InstrumentId,
        file: FileId,
        name: &SStr,
    ) -> Option<PenaltyId> {
        let found = self
            .rs
            .penalties
            .iter()
            .position(|p| p.instrument == inst && &p.id == name.get_ref())
            .map(PenaltyId::from_index);
        if found.is_none() {
            let names: Vec<&str> = self
                .rs
                .penalties
                .iter()
                .filter(|p| p.instrument == inst)
                .map(|p| p.id.as_str())
                .collect();
            let mut d = Diagnostic::error("E0201", format!("unknown penalty `{}`", name.get_ref()))
                .at(sspan(file, name));
            d = match suggest(name.get_ref(), names.iter().copied()) {
                Some(x) => d.help(format!("did you mean `{x}`?")),
                None => d.help("declare it with `[[penalty]]` in the same instrument"),
            };
            self.diags.push(d);
        }
        found
    }

    pub(crate) fn declare_amends(
        &mut self,
        target: InstrumentId,
        amendment: InstrumentId,
        raw: &RawRuleFile,
    ) {
        let file = raw.file;
        for a in &raw.amends {
            self.amend(target, amendment, file, a);
        }
    }

    fn amend(&mut self, inst: InstrumentId, amendment: InstrumentId, file: FileId, a: &RawAmend) {
        let (name, repeal) = match (&a.target, &a.repeal) {
            (Some(t), None) => (t, false),
            (None, Some(r)) => (r, true),
            (Some(t), Some(_)) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0307",
                        "an `[[amend]]` either changes a `target` or names a `repeal`, not both",
                    )
                    .at(sspan(file, t)),
                );
                return;
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::error("E0103", "an `[[amend]]` needs `target` or `repeal`")
                        .at(Span::new(file, 0..0)),
                );
                return;
            }
        };
        let citation = self.citation_pub(file, a.citation.as_ref(), "amendment of", name);
        let obligation = self
            .rs
            .obligations
            .iter()
            .position(|o| o.instrument == inst && &o.id == name.get_ref())
            .map(ObligationId::from_index);
        let exemption = self
            .rs
            .exemptions
            .iter()
            .position(|x| x.instrument == inst && &x.id == name.get_ref())
            .map(ExemptionId::from_index);
        let def = self
            .rs
            .defs
            .iter()
            .position(|d| d.instrument == inst && &d.id == name.get_ref())
            .map(DefId::from_index);
        let mut targets = Vec::new();
        let push = |t: OverlayTarget, v: &mut Vec<OverlayTarget>| v.push(t);
        let setters = [
            ("when", &a.when),
            ("from", &a.from),
            ("until", &a.until),
            ("deadline", &a.deadline),
            ("expr", &a.expr),
        ];
        let given: Vec<&str> = setters
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| *k)
            .chain(a.penalty.as_ref().map(|_| "penalty"))
            .collect();
        if repeal {
            if !given.is_empty() {
                self.diags.push(
                    Diagnostic::error("E0307", "a repeal changes nothing else")
                        .at(sspan(file, name))
                        .help(format!("remove {}", given.join(", "))),
                );
            }
            match (obligation, exemption) {
                (Some(o), _) => targets.push(OverlayTarget::RepealObligation(o)),
                (None, Some(x)) => targets.push(OverlayTarget::RepealExemption(x)),
                (None, None) => {
                    self.unknown_rule(inst, file, name, "an obligation or exemption");
                    return;
                }
            }
        } else if let Some(o) = obligation {
            let subject = self
                .rs
                .obligation(o)
                .and_then(|x| self.rs.role(x.role))
                .map_or(Kind::Model, |r| r.subject);
            if a.expr.is_some() {
                self.diags.push(
                    Diagnostic::error("E0307", "`expr` changes a definition; an obligation takes `when`, `from`, `until`, `deadline` or `penalty`")
                        .at(sspan(file, name)),
                );
            }
            if let Some(w) = &a.when {
                let e = self.cond_pub(inst, file, subject, w, Type::Bool);
                push(OverlayTarget::ObligationWhen(o, e), &mut targets);
            }
            if let Some(w) = &a.from {
                let e = self.cond_pub(inst, file, subject, w, Type::Date);
                push(OverlayTarget::ObligationFrom(o, e), &mut targets);
            }
            if let Some(w) = &a.until {
                let e = self.cond_pub(inst, file, subject, w, Type::Date);
                push(OverlayTarget::ObligationUntil(o, e), &mut targets);
            }
            if let Some(w) = &a.deadline {
                let e = self.cond_pub(inst, file, subject, w, Type::Date);
                push(OverlayTarget::ObligationDeadline(o, e), &mut targets);
            }
            if let Some(name) = &a.penalty {
                if let Some(p) = self.find_penalty(inst, file, name) {
                    self.check_penalty_subject(file, name, p, subject);
                    push(OverlayTarget::ObligationPenalty(o, p), &mut targets);
                }
            }
        } else if let Some(x) = exemption {
            let subject = self.rs.exemption(x).map_or(Kind::Model, |e| e.subject);
            match &a.when {
                Some(w) if given == ["when"] => {
                    let e = self.cond_pub(inst, file, subject, w, Type::Bool);
                    targets.push(OverlayTarget::ExemptionWhen(x, e));
                }
                _ => self.diags.push(
                    Diagnostic::error("E0307", "an exemption is amended through its `when` only")
                        .at(sspan(file, name)),
                ),
            }
        } else if let Some(d) = def {
            match &a.expr {
                Some(w) if given == ["expr"] => {
                    let (on, ty) = self
                        .rs
                        .def(d)
                        .map_or((None, Type::Error), |x| (x.on, x.expr.ty.clone()));
                    let (ast, map) = self.parse_expr_pub(file, w);
                    let scope = match on {
                        Some(k) => super::typeck::Scope::new(
                            vec![(k.name().to_string(), Type::Entity(k))],
                            true,
                        ),
                        None => super::typeck::Scope::new(Vec::new(), true),
                    };
                    let e = match ast {
                        Some(ast) => self.check_expr(inst, &scope, map.clone(), &ast, Some(&ty)),
                        None => Expr {
                            kind: ExprKind::Error,
                            ty: Type::Error,
                            span: map.whole,
                        },
                    };
                    targets.push(OverlayTarget::DefinitionExpr(d, e));
                }
                _ => self.diags.push(
                    Diagnostic::error("E0307", "a definition is amended through its `expr` only")
                        .at(sspan(file, name)),
                ),
            }
        } else {
            self.unknown_rule(inst, file, name, "an obligation, definition or exemption");
            return;
        }
        if targets.is_empty() && !repeal {
            self.diags.push(
                Diagnostic::error(
                    "E0103",
                    format!("`[[amend]]` of `{}` changes nothing", name.get_ref()),
                )
                .at(sspan(file, name))
                .help("give the new `when`, `from`, `until`, `deadline`, `penalty` or `expr`"),
            );
        }
        for t in targets {
            self.rs.overlays.push(Overlay {
                amendment,
                target: t,
                citation: citation.clone(),
                note: a.note.clone(),
                span: sspan(file, name),
            });
        }
    }

    fn unknown_rule(&mut self, inst: InstrumentId, file: FileId, name: &SStr, what: &str) {
        let mut names: Vec<&str> = self
            .rs
            .obligations
            .iter()
            .filter(|o| o.instrument == inst)
            .map(|o| o.id.as_str())
            .chain(
                self.rs
                    .exemptions
                    .iter()
                    .filter(|x| x.instrument == inst)
                    .map(|x| x.id.as_str()),
            )
            .chain(
                self.rs
                    .defs
                    .iter()
                    .filter(|x| x.instrument == inst)
                    .map(|x| x.id.as_str()),
            )
            .collect();
        names.sort_unstable();
        let inst_name = self
            .rs
            .instrument(inst)
            .map_or("?", |i| i.id.as_str())
            .to_string();
        let mut d = Diagnostic::error(
            "E0311",
            format!("`{}` is not {what} of `{inst_name}`", name.get_ref()),
        )
        .at(sspan(file, name));
        if let Some(x) = suggest(name.get_ref(), names.iter().copied()) {
            d = d.help(format!("did you mean `{x}`?"));
        }
        self.diags.push(d);
    }
}
