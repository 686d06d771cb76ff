//! A hand-written Rust version of the EU AI Act GPAI rules in `jurisdictions/eu/ai-act.toml`
//! (Arts 51–55, the open-source exemption and its systemic-risk exception, modified models and
//! the Art. 111(3) transition), with the same three-valued logic as the engine.
//!
//! It is the benchmark's baseline and the engine's cross-check: the integration test
//! `baseline` asserts that both compute the same findings for every bundled EU scenario.
//! Keep it in step with the rule file; a difference is a bug on one side.

use jiff::civil::Date;

/// Three-valued truth: `None` is unknown.
pub type T3 = Option<bool>;

fn and(a: T3, b: T3) -> T3 {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: T3, b: T3) -> T3 {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn not(a: T3) -> T3 {
    a.map(|x| !x)
}

fn gt(a: Option<f64>, b: Option<f64>) -> T3 {
    Some(a? > b?)
}

#[derive(Clone, Debug, Default)]
pub struct Actor {
    /// `Some(true)` if established in the EU.
    pub established_in_eu: T3,
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub creator: usize,
    pub base: Option<usize>,
    pub training_compute: Option<f64>,
    pub modification_compute: Option<f64>,
    pub base_training_compute_known: T3,
    pub generative: T3,
    pub significant_generality: T3,
    pub designated_systemic_risk: T3,
    pub placed_on_eu_market: T3,
    pub placed_on_market: Option<Date>,
    pub licence: Option<String>,
    pub use_restrictions_proportionate: T3,
    pub monetised: T3,
    pub weights_public: T3,
    pub architecture_public: T3,
    pub usage_info_public: T3,
}

#[derive(Clone, Debug, Default)]
pub struct Chain {
    pub as_of: Option<Date>,
    pub actors: Vec<Actor>,
    pub models: Vec<Model>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum St {
    Applies,
    Pending,
    Exempt,
    NotApplicable,
    Undetermined,
}

/// (actor, model, obligation id, status)
pub type Row = (usize, usize, &'static str, St);

/// The obligations this baseline computes.
pub const OBLIGATIONS: [&str; 11] = [
    "systemic_risk_notification",
    "technical_documentation",
    "downstream_information",
    "copyright_policy",
    "training_content_summary",
    "cooperation_with_authorities",
    "authorised_representative",
    "model_evaluation",
    "systemic_risk_mitigation",
    "serious_incident_reporting",
    "cybersecurity_protection",
];

const GPAI_COMPUTE: f64 = 1e23;
const SYSTEMIC_COMPUTE: f64 = 1e25;

fn licence_in(m: &Model, list: &[&str]) -> T3 {
    m.licence.as_deref().map(|l| list.contains(&l))
}

struct Eval<'a> {
    c: &'a Chain,
}

impl Eval<'_> {
    fn model(&self, i: usize) -> Option<&Model> {
        self.c.models.get(i)
    }

    fn gpai_indicative(&self, m: &Model) -> T3 {
        and(gt(m.training_compute, Some(GPAI_COMPUTE)), m.generative)
    }

    fn generality(&self, m: &Model) -> T3 {
        or(m.significant_generality, self.gpai_indicative(m))
    }

    fn gpai_model(&self, m: &Model) -> T3 {
        let base = m.base.and_then(|b| self.model(b));
        or(
            self.generality(m),
            base.map_or(Some(false), |b| self.generality(b)),
        )
    }

    fn downstream(&self, m: &Model) -> T3 {
        Some(
            m.base
                .and_then(|b| self.model(b))
                .is_some_and(|b| b.creator != m.creator),
        )
    }

    fn classified_systemic(&self, m: &Model) -> T3 {
        or(
            gt(m.training_compute, Some(SYSTEMIC_COMPUTE)),
            m.designated_systemic_risk,
        )
    }

    fn significant_modification(&self, m: &Model) -> T3 {
        let Some(base) = m.base.and_then(|b| self.model(b)) else {
            return Some(false);
        };
        let known_path = and(
            m.base_training_compute_known,
            gt(
                m.modification_compute,
                base.training_compute.map(|t| t * (1.0 / 3.0)),
            ),
        );
        let fallback = and(
            not(m.base_training_compute_known),
            or(
                gt(m.modification_compute, Some(1.0 / 3.0 * SYSTEMIC_COMPUTE)),
                and(
                    not(self.classified_systemic(base)),
                    gt(m.modification_compute, Some(1.0 / 3.0 * GPAI_COMPUTE)),
                ),
            ),
        );
        and(self.downstream(m), or(known_path, fallback))
    }

    fn inherited_systemic(&self, m: &Model) -> T3 {
        let base = m.base.and_then(|b| self.model(b));
        and(
            self.significant_modification(m),
            base.and_then(|b| self.classified_systemic(b)),
        )
    }

    fn systemic(&self, m: &Model) -> T3 {
        or(self.classified_systemic(m), self.inherited_systemic(m))
    }

    fn foss(&self, m: &Model) -> T3 {
        let four = licence_in(
            m,
            &[
                "apache-2.0",
                "mit",
                "bsd-3-clause",
                "gpl-3.0",
                "cc-by-4.0",
                "cc-by-nc-4.0",
                "llama-2",
                "llama-3",
                "llama-3.1",
                "llama-3.2",
                "llama-3.3",
                "llama-4",
                "gemma",
                "openrail-m",
                "qwen",
                "qwen-research",
                "tongyi-qianwen",
                "deepseek-model-licence",
                "mistral-research",
                "tii-falcon-2.0",
            ],
        );
        let scale = licence_in(
            m,
            &[
                "llama-2",
                "llama-3",
                "llama-3.1",
                "llama-3.2",
                "llama-3.3",
                "llama-4",
                "qwen",
                "tongyi-qianwen",
            ],
        );
        let carve = licence_in(
            m,
            &[
                "cc-by-nc-4.0",
                "qwen-research",
                "mistral-research",
                "mistral-non-production",
                "mistral-modified-mit",
            ],
        );
        let restr = licence_in(
            m,
            &[
                "gemma",
                "openrail-m",
                "deepseek-model-licence",
                "tii-falcon-2.0",
            ],
        );
        let licence_ok = and(
            and(and(four, not(scale)), not(carve)),
            or(not(restr), m.use_restrictions_proportionate),
        );
        and(
            and(
                and(licence_ok, not(m.monetised)),
                and(m.weights_public, m.architecture_public),
            ),
            m.usage_info_public,
        )
    }

    /// Whether the obligations' start date is on or before `as_of` (three-valued).
    fn started(&self, m: &Model, as_of: Date) -> (T3, Option<Date>) {
        let early = Date::constant(2025, 8, 2);
        let legacy = Date::constant(2027, 8, 2);
        match m.placed_on_market {
            Some(d) => {
                let from = if d < early { legacy } else { early };
                (Some(from <= as_of), Some(from))
            }
            None => {
                let a = legacy <= as_of;
                let b = early <= as_of;
                (if a == b { Some(a) } else { None }, None)
            }
        }
    }
}

fn status(holds: T3, cond: T3, exempt: T3, started: T3) -> St {
    if cond == Some(false) {
        return St::NotApplicable;
    }
    if holds.is_none() || cond.is_none() {
        return St::Undetermined;
    }
    match exempt {
        Some(true) => St::Exempt,
        None => St::Undetermined,
        Some(false) => match started {
            Some(true) => St::Applies,
            Some(false) => St::Pending,
            None => St::Undetermined,
        },
    }
}

/// All findings of the GPAI rules for a chain, sorted like the engine's.
pub fn evaluate(c: &Chain) -> Vec<Row> {
    let ev = Eval { c };
    let Some(as_of) = c.as_of else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (a, actor) in c.actors.iter().enumerate() {
        for (mi, m) in c.models.iter().enumerate() {
            let mine = Some(m.creator == a);
            let base_cond = and(and(mine, ev.gpai_model(m)), m.placed_on_eu_market);
            let route_new = and(base_cond, not(ev.downstream(m)));
            let route_mod = and(base_cond, ev.significant_modification(m));
            let provider = or(route_new, route_mod);
            let systemic = ev.systemic(m);
            let provider_sr = or(and(route_new, systemic), and(route_mod, systemic));
            let (started, _) = ev.started(m, as_of);
            let foss_exempt = and(ev.foss(m), not(systemic));
            if provider != Some(false) {
                for (id, exempt) in [
                    ("technical_documentation", foss_exempt),
                    ("downstream_information", foss_exempt),
                    ("copyright_policy", Some(false)),
                    ("training_content_summary", Some(false)),
                    ("cooperation_with_authorities", Some(false)),
                ] {
                    rows.push((a, mi, id, status(provider, Some(true), exempt, started)));
                }
                let non_eu = not(actor.established_in_eu);
                rows.push((
                    a,
                    mi,
                    "authorised_representative",
                    status(provider, non_eu, foss_exempt, started),
                ));
            }
            if provider_sr != Some(false) {
                let cond = or(
                    gt(m.training_compute, Some(SYSTEMIC_COMPUTE)),
                    ev.inherited_systemic(m),
                );
                rows.push((
                    a,
                    mi,
                    "systemic_risk_notification",
                    status(provider_sr, cond, Some(false), started),
                ));
                for id in [
                    "model_evaluation",
                    "systemic_risk_mitigation",
                    "serious_incident_reporting",
                    "cybersecurity_protection",
                ] {
                    rows.push((
                        a,
                        mi,
                        id,
                        status(provider_sr, Some(true), Some(false), started),
                    ));
                }
            }
        }
    }
    rows.sort();
    rows
}

/// The EU AI Act cut down to the roles bearing the baseline's eleven obligations and those
/// obligations: the same logic as this baseline, evaluated by the engine. Findings for them are
/// the same as on the whole rule set (the slice `onus lint --deep` evaluates; the
/// `baseline_agrees` test checks it on every bundled EU scenario).
pub fn gpai_slice(
    rs: &onus::ir::RuleSet,
) -> Option<(onus::lint::slice::Slice, onus::ir::InstrumentId)> {
    let eu = rs.instrument_by_name("eu-ai-act")?;
    let obligations: Vec<_> = (0..rs.obligations.len())
        .map(onus::ir::ObligationId::from_index)
        .filter(|o| {
            rs.obligation(*o)
                .is_some_and(|x| x.instrument == eu && OBLIGATIONS.contains(&x.id.as_str()))
        })
        .collect();
    let mut roles: Vec<_> = obligations
        .iter()
        .filter_map(|o| rs.obligation(*o).map(|x| x.role))
        .collect();
    roles.sort();
    roles.dedup();
    Some((
        onus::lint::slice::Slice::new(rs, eu, &roles, &obligations),
        eu,
    ))
}
