//! Varied synthetic chains for the scale benchmark: a seeded generator (the same seed gives the
//! same chains on every machine) that builds resolved scenarios directly, and a way to grow the
//! rule set tenfold by cloning every instrument under new ids.

use jiff::civil::Date;
use onus::ir::{
    Entity, EntityRef, FactId, Kind, RuleSet, Scenario, StatusFilter, Type, Unit, Value,
};
use onus::source::{FileId, Span};

/// SplitMix64: small, fast, and good enough to vary chains.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

/// A value of the fact's type, spread over the magnitudes the rules compare with.
fn value(rs: &RuleSet, ty: &Type, g: &mut Rng, n_actors: usize) -> Option<Value> {
    Some(match ty {
        Type::Bool => Value::Bool(g.chance(0.5)),
        Type::Num(unit) => {
            let (lo, hi) = match unit {
                Unit::Flop => (20.0, 27.0),
                Unit::Users => (2.0, 9.5),
                Unit::Employees => (0.0, 5.5),
                Unit::Count | Unit::None => (0.0, 3.0),
                // Currencies (USD, EUR, CNY, …).
                _ => (4.0, 11.0),
            };
            Value::Num(10f64.powf(g.uniform(lo, hi)).round())
        }
        Type::Date => {
            let base = Date::new(2023, 1, 1).ok()?;
            let days = i64::try_from(g.below(2200)).ok()?;
            Value::Date(base.checked_add(jiff::Span::new().days(days)).ok()?)
        }
        Type::Enum(e) => {
            let n = rs.enumeration(*e)?.values.len();
            Value::Enum(u16::try_from(g.below(n)).ok()?)
        }
        Type::Set(e) => {
            let n = rs.enumeration(*e)?.values.len().min(128);
            let mut bits = 0u128;
            for i in 0..n {
                if g.chance(0.25) {
                    bits |= 1u128 << i;
                }
            }
            Value::Set(bits)
        }
        Type::Text => Value::Text("generated".into()),
        Type::Entity(Kind::Actor) => {
            if g.chance(0.5) {
                Value::Absent
            } else {
                Value::Entity(EntityRef {
                    kind: Kind::Actor,
                    index: u32::try_from(g.below(n_actors)).ok()?,
                })
            }
        }
        _ => return None,
    })
}

/// The facts of each kind, for filling entities.
pub struct Vocabulary {
    by_kind: [Vec<(FactId, Type)>; 4],
}

impl Vocabulary {
    pub fn new(rs: &RuleSet) -> Vocabulary {
        let mut by_kind: [Vec<(FactId, Type)>; 4] = Default::default();
        for (i, f) in rs.facts.iter().enumerate() {
            let k = match f.on {
                Kind::Actor => 0,
                Kind::Model => 1,
                Kind::System => 2,
                Kind::Deployment => 3,
            };
            if let Some(v) = by_kind.get_mut(k) {
                v.push((FactId::from_index(i), f.ty.clone()));
            }
        }
        Vocabulary { by_kind }
    }
}

fn entity(
    rs: &RuleSet,
    voc: &Vocabulary,
    kind: Kind,
    id: String,
    g: &mut Rng,
    n_actors: usize,
) -> Entity {
    let mut facts = vec![None; rs.facts.len()];
    let k = match kind {
        Kind::Actor => 0,
        Kind::Model => 1,
        Kind::System => 2,
        Kind::Deployment => 3,
    };
    for (f, ty) in voc.by_kind.get(k).map_or(&[][..], Vec::as_slice) {
        // Most facts known, some left out (unknown), as in real questionnaires.
        if g.chance(0.7)
            && let Some(slot) = facts.get_mut(f.index())
        {
            *slot = value(rs, ty, g, n_actors);
        }
    }
    Entity {
        name: id.clone(),
        id,
        span: Span::new(FileId(0), 0..0),
        facts,
        fact_spans: Vec::new(),
    }
}

/// One varied chain with between `min` and `max` actors (inclusive): models (some fine-tuned
/// from others), systems on them, deployments of the systems, facts drawn for every entity.
pub fn chain(
    rs: &RuleSet,
    voc: &Vocabulary,
    g: &mut Rng,
    n: u64,
    (min, max): (usize, usize),
    as_of: Date,
) -> Scenario {
    let n_actors = min + g.below(max - min + 1);
    let mut sc = Scenario {
        id: format!("chain-{n}"),
        title: format!("generated chain {n}"),
        description: None,
        as_of,
        instruments: None,
        actors: Vec::new(),
        models: Vec::new(),
        systems: Vec::new(),
        deployments: Vec::new(),
        model_creator: Vec::new(),
        model_base: Vec::new(),
        system_provider: Vec::new(),
        system_model: Vec::new(),
        deployment_deployer: Vec::new(),
        deployment_system: Vec::new(),
        model_derivatives: Vec::new(),
        model_systems: Vec::new(),
        system_deployments: Vec::new(),
        actor_models: vec![Vec::new(); n_actors],
        actor_systems: vec![Vec::new(); n_actors],
        actor_deployments: vec![Vec::new(); n_actors],
        expects: Vec::new(),
        status: None::<StatusFilter>,
        readings: Vec::new(),
        span: Span::new(FileId(0), 0..0),
    };
    for a in 0..n_actors {
        sc.actors
            .push(entity(rs, voc, Kind::Actor, format!("a{a}"), g, n_actors));
    }
    let idx = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    for a in 0..n_actors {
        let count = if a == 0 {
            1
        } else {
            usize::from(g.chance(0.5)) + usize::from(g.chance(0.2))
        };
        for _ in 0..count {
            let m = sc.models.len();
            let base = (m > 0 && g.chance(0.4)).then(|| g.below(m));
            sc.models
                .push(entity(rs, voc, Kind::Model, format!("m{m}"), g, n_actors));
            sc.model_creator.push(idx(a));
            sc.model_base.push(base.map(idx));
            sc.model_derivatives.push(Vec::new());
            sc.model_systems.push(Vec::new());
            if let Some(b) = base
                && let Some(d) = sc.model_derivatives.get_mut(b)
            {
                d.push(idx(m));
            }
            if let Some(l) = sc.actor_models.get_mut(a) {
                l.push(idx(m));
            }
        }
    }
    for a in 0..n_actors {
        if a != 0 && !g.chance(0.5) {
            continue;
        }
        let s = sc.systems.len();
        let model = (g.chance(0.85)).then(|| g.below(sc.models.len()));
        sc.systems
            .push(entity(rs, voc, Kind::System, format!("s{s}"), g, n_actors));
        sc.system_provider.push(idx(a));
        sc.system_model.push(model.map(idx));
        sc.system_deployments.push(Vec::new());
        if let Some(m) = model
            && let Some(l) = sc.model_systems.get_mut(m)
        {
            l.push(idx(s));
        }
        if let Some(l) = sc.actor_systems.get_mut(a) {
            l.push(idx(s));
        }
    }
    for a in 0..n_actors {
        if a != 0 && !g.chance(0.6) {
            continue;
        }
        let d = sc.deployments.len();
        let s = g.below(sc.systems.len());
        sc.deployments.push(entity(
            rs,
            voc,
            Kind::Deployment,
            format!("d{d}"),
            g,
            n_actors,
        ));
        sc.deployment_deployer.push(idx(a));
        sc.deployment_system.push(idx(s));
        if let Some(l) = sc.system_deployments.get_mut(s) {
            l.push(idx(d));
        }
        if let Some(l) = sc.actor_deployments.get_mut(a) {
            l.push(idx(d));
        }
    }
    sc
}

/// The embedded rule files with every instrument cloned `copies - 1` more times under new ids
/// (`eu-ai-act-copy2`, …; questions renamed too, since their ids are global), so the rule set is
/// `copies` times as large. The vocabulary is shared.
pub fn cloned_rule_files(rs: &RuleSet, copies: usize) -> Vec<(String, String)> {
    let files: Vec<(String, String)> = onus::embedded_rule_files()
        .iter()
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect();
    let mut out = files.clone();
    for k in 2..=copies {
        for (path, text) in &files {
            if !text.contains("[instrument]") {
                continue;
            }
            let mut t = text.clone();
            for i in &rs.instruments {
                for key in ["id", "amends"] {
                    t = t.replace(
                        &format!("{key} = \"{}\"", i.id),
                        &format!("{key} = \"{}-copy{k}\"", i.id),
                    );
                }
            }
            for q in &rs.questions {
                t = t
                    .replace(
                        &format!("id = \"{}\"", q.id),
                        &format!("id = \"{}_c{k}\"", q.id),
                    )
                    .replace(
                        &format!("reading.{}", q.id),
                        &format!("reading.{}_c{k}", q.id),
                    );
            }
            out.push((format!("{path}~{k}"), t));
        }
    }
    out
}
