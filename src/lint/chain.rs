//! Small synthetic chains: the actor under analysis, one other actor, and the model, its base
//! models, system and deployment a rule needs, in every arrangement of the links the rule's
//! cone navigates (who created the model, who provides the system, who deploys it, whether the
//! model has a base, whether the system is built on a model). Built in memory for evaluation,
//! and written out as a scenario file for a witness.

use super::index::Uses;
use crate::eval::FactRef;
use crate::ir::*;
use crate::source::{FileId, Span};
use jiff::civil::Date;
use std::fmt::Write as _;

/// Index of the actor under analysis.
pub const ME: u32 = 0;
/// Index of the other actor.
pub const OTHER: u32 = 1;

const ACTORS: [&str; 2] = ["actor", "other"];
const MODELS: [&str; 3] = ["model", "base-model", "base-base-model"];
const SYSTEM: &str = "system";
const DEPLOYMENT: &str = "deployment";

/// One arrangement of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Chain {
    /// The kind of the subject: the first entity of that kind is the one analysed.
    pub subject: Kind,
    pub system: bool,
    pub deployment: bool,
    /// 0 (none), 1 (`model`), 2 (and its base), 3 (and its base's base).
    pub models: u8,
    pub creators: [u32; 3],
    pub provider: u32,
    pub deployer: u32,
}

fn both(varies: bool) -> Vec<u32> {
    if varies { vec![ME, OTHER] } else { vec![OTHER] }
}

impl Chain {
    /// Every arrangement a cone that navigates `uses` can tell apart, the ones where the actor
    /// under analysis fills the places first.
    pub fn variants(subject: Kind, uses: Uses, force_deployment: bool) -> Vec<Chain> {
        let base = uses.base_depth.min(2);
        let (system, deployment, model_counts): (bool, bool, Vec<u8>) = match subject {
            Kind::Model => (false, false, (1..=1 + base).rev().collect()),
            Kind::System | Kind::Deployment => {
                let with_model: Vec<u8> = if uses.has(Link::SystemModel) {
                    (0..=1 + base).rev().collect()
                } else {
                    vec![0]
                };
                (
                    true,
                    subject == Kind::Deployment || uses.has(Link::Deployments) || force_deployment,
                    with_model,
                )
            }
            Kind::Actor => (false, false, vec![0]),
        };
        let mut out = Vec::new();
        for models in model_counts {
            let c0 = both(uses.has(Link::Creator) && models >= 1);
            let c1 = both(uses.has(Link::Creator) && models >= 2);
            for &m0 in &c0 {
                for &m1 in &c1 {
                    for &provider in &both(system && uses.has(Link::Provider)) {
                        for &deployer in &both(deployment && uses.has(Link::Deployer)) {
                            out.push(Chain {
                                subject,
                                system,
                                deployment,
                                models,
                                creators: [m0, m1, OTHER],
                                provider,
                                deployer,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The entity analysed.
    pub fn subject_ref(&self) -> EntityRef {
        EntityRef {
            kind: self.subject,
            index: 0,
        }
    }

    /// Whether the chain has this entity.
    pub fn has(&self, r: EntityRef) -> bool {
        match r.kind {
            Kind::Actor => r.index <= OTHER,
            Kind::Model => r.index < u32::from(self.models),
            Kind::System => self.system && r.index == 0,
            Kind::Deployment => self.deployment && r.index == 0,
        }
    }

    /// The id an entity has in the scenario.
    pub fn id(&self, r: EntityRef) -> &'static str {
        let i = r.index as usize;
        match r.kind {
            Kind::Actor => ACTORS.get(i).copied().unwrap_or("?"),
            Kind::Model => MODELS.get(i).copied().unwrap_or("?"),
            Kind::System => SYSTEM,
            Kind::Deployment => DEPLOYMENT,
        }
    }

    fn n_models(&self) -> usize {
        usize::from(self.models).min(MODELS.len())
    }

    /// A key for caches.
    pub fn key(&self) -> u64 {
        let k = match self.subject {
            Kind::Actor => 0u64,
            Kind::Model => 1,
            Kind::System => 2,
            Kind::Deployment => 3,
        };
        k | u64::from(self.system) << 2
            | u64::from(self.deployment) << 3
            | u64::from(self.models) << 4
            | u64::from(self.creators[0]) << 8
            | u64::from(self.creators[1]) << 9
            | u64::from(self.creators[2]) << 10
            | u64::from(self.provider) << 11
            | u64::from(self.deployer) << 12
    }

    /// The resolved scenario, with the given facts set.
    pub fn scenario(&self, rs: &RuleSet, world: &World, facts: &[(FactRef, Value)]) -> Scenario {
        let span = Span::new(FileId(0), 0..0);
        let entity = |id: &str| Entity {
            id: id.to_string(),
            name: id.to_string(),
            span,
            facts: vec![None; rs.facts.len()],
            fact_spans: Vec::new(),
        };
        let nm = self.n_models();
        let mut sc = Scenario {
            id: "lint-witness".into(),
            title: "lint witness".into(),
            description: None,
            as_of: world.as_of,
            instruments: Some(vec![world.instrument]),
            actors: ACTORS.iter().map(|a| entity(a)).collect(),
            models: MODELS.iter().take(nm).map(|m| entity(m)).collect(),
            systems: if self.system {
                vec![entity(SYSTEM)]
            } else {
                Vec::new()
            },
            deployments: if self.deployment {
                vec![entity(DEPLOYMENT)]
            } else {
                Vec::new()
            },
            model_creator: self.creators.iter().take(nm).copied().collect(),
            model_base: (0..nm)
                .map(|i| (i + 1 < nm).then(|| u32::try_from(i + 1).unwrap_or(0)))
                .collect(),
            system_provider: if self.system {
                vec![self.provider]
            } else {
                Vec::new()
            },
            system_model: if self.system {
                vec![(nm > 0).then_some(0)]
            } else {
                Vec::new()
            },
            deployment_deployer: if self.deployment {
                vec![self.deployer]
            } else {
                Vec::new()
            },
            deployment_system: if self.deployment { vec![0] } else { Vec::new() },
            model_derivatives: (0..nm)
                .map(|i| {
                    if i >= 1 {
                        vec![u32::try_from(i - 1).unwrap_or(0)]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            model_systems: (0..nm)
                .map(|i| {
                    if i == 0 && self.system {
                        vec![0]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            system_deployments: if self.system {
                vec![if self.deployment { vec![0] } else { Vec::new() }]
            } else {
                Vec::new()
            },
            actor_models: Vec::new(),
            actor_systems: Vec::new(),
            actor_deployments: Vec::new(),
            expects: Vec::new(),
            status: (world.filter > StatusFilter::InForce).then_some(world.filter),
            readings: world.readings.clone(),
            span,
        };
        for a in [ME, OTHER] {
            sc.actor_models.push(
                (0..nm)
                    .filter(|i| self.creators.get(*i) == Some(&a))
                    .filter_map(|i| u32::try_from(i).ok())
                    .collect(),
            );
            sc.actor_systems.push(if self.system && self.provider == a {
                vec![0]
            } else {
                Vec::new()
            });
            sc.actor_deployments
                .push(if self.deployment && self.deployer == a {
                    vec![0]
                } else {
                    Vec::new()
                });
        }
        for (f, v) in facts {
            let list = match f.entity.kind {
                Kind::Actor => &mut sc.actors,
                Kind::Model => &mut sc.models,
                Kind::System => &mut sc.systems,
                Kind::Deployment => &mut sc.deployments,
            };
            if let Some(slot) = list
                .get_mut(f.entity.index as usize)
                .and_then(|e| e.facts.get_mut(f.fact.index()))
            {
                *slot = Some(v.clone());
            }
        }
        sc
    }

    /// The scenario as a TOML file: `header` lines as comments, then the chain, its facts and
    /// the expectations that reproduce the report.
    pub fn toml(
        &self,
        rs: &RuleSet,
        world: &World,
        facts: &[(FactRef, Value)],
        header: &[String],
        id: &str,
        expects: &[Expect],
    ) -> String {
        let mut s = String::new();
        for h in header {
            for line in h.lines() {
                let _ = writeln!(s, "# {line}");
            }
        }
        let inst = rs
            .instrument(world.instrument)
            .map_or("?", |i| i.id.as_str());
        let _ = writeln!(s, "[scenario]");
        let _ = writeln!(s, "id = {}", quote(id));
        let _ = writeln!(s, "title = {}", quote(&format!("lint witness: {id}")));
        let _ = writeln!(s, "as_of = {}", world.as_of);
        let _ = writeln!(s, "instruments = [{}]", quote(inst));
        match world.filter {
            StatusFilter::InForce => {}
            StatusFilter::Enacted => {
                let _ = writeln!(s, "status = \"enacted\"");
            }
            StatusFilter::Proposed => {
                let _ = writeln!(s, "status = \"proposed\"");
            }
        }
        if !world.readings.is_empty() {
            let parts: Vec<String> = world
                .readings
                .iter()
                .filter_map(|(q, r)| {
                    let q = rs.question(*q)?;
                    let r = q.readings.get(usize::from(*r))?;
                    Some(format!("{} = {}", q.id, quote(&r.id)))
                })
                .collect();
            let _ = writeln!(s, "readings = {{ {} }}", parts.join(", "));
        }
        let facts_of = |r: EntityRef| -> String {
            let parts: Vec<String> = facts
                .iter()
                .filter(|(f, _)| f.entity == r)
                .filter_map(|(f, v)| {
                    let def = rs.fact(f.fact)?;
                    Some(format!("{} = {}", def.id, value_toml(rs, self, &def.ty, v)))
                })
                .collect();
            if parts.is_empty() {
                String::new()
            } else {
                format!("facts = {{ {} }}\n", parts.join(", "))
            }
        };
        for (i, a) in ACTORS.iter().enumerate() {
            let r = EntityRef {
                kind: Kind::Actor,
                index: u32::try_from(i).unwrap_or(0),
            };
            let _ = write!(s, "\n[[actor]]\nid = {}\n{}", quote(a), facts_of(r));
        }
        let nm = self.n_models();
        for (i, m) in MODELS.iter().take(nm).enumerate() {
            let r = EntityRef {
                kind: Kind::Model,
                index: u32::try_from(i).unwrap_or(0),
            };
            let creator = self.creators.get(i).copied().unwrap_or(OTHER);
            let _ = write!(
                s,
                "\n[[model]]\nid = {}\ncreator = {}\n",
                quote(m),
                quote(ACTORS.get(creator as usize).copied().unwrap_or("other"))
            );
            if let Some(b) = MODELS.get(i + 1).filter(|_| i + 1 < nm) {
                let _ = writeln!(s, "base = {}", quote(b));
            }
            s.push_str(&facts_of(r));
        }
        if self.system {
            let r = EntityRef {
                kind: Kind::System,
                index: 0,
            };
            let _ = write!(
                s,
                "\n[[system]]\nid = {}\nprovider = {}\n",
                quote(SYSTEM),
                quote(
                    ACTORS
                        .get(self.provider as usize)
                        .copied()
                        .unwrap_or("other")
                )
            );
            if nm > 0 {
                let _ = writeln!(
                    s,
                    "model = {}",
                    quote(MODELS.first().copied().unwrap_or("model"))
                );
            }
            s.push_str(&facts_of(r));
        }
        if self.deployment {
            let r = EntityRef {
                kind: Kind::Deployment,
                index: 0,
            };
            let _ = write!(
                s,
                "\n[[deployment]]\nid = {}\ndeployer = {}\nsystem = {}\n",
                quote(DEPLOYMENT),
                quote(
                    ACTORS
                        .get(self.deployer as usize)
                        .copied()
                        .unwrap_or("other")
                ),
                quote(SYSTEM)
            );
            s.push_str(&facts_of(r));
        }
        for x in expects {
            let _ = write!(
                s,
                "\n[[expect]]\nactor = {}\ninstrument = {}\n",
                quote(&x.actor),
                quote(inst)
            );
            match &x.target {
                ExpectWhat::Obligation(o) => {
                    let _ = writeln!(s, "obligation = {}", quote(o));
                }
                ExpectWhat::Role(r) => {
                    let _ = writeln!(s, "role = {}", quote(r));
                }
            }
            let _ = writeln!(s, "subject = {}", quote(&x.subject));
            let _ = writeln!(s, "status = {}", quote(&x.status));
            if let Some(e) = &x.exempted_by {
                let _ = writeln!(s, "exempted_by = {}", quote(e));
            }
            if let Some(r) = &x.reason {
                let _ = writeln!(s, "reason = {}", quote(r));
            }
        }
        s
    }
}

/// The circumstances of an evaluation other than the facts: instrument, date, texts, readings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    pub instrument: InstrumentId,
    pub as_of: Date,
    /// The narrowest filter under which the instrument and its amendments count as they do
    /// under `proposed`.
    pub filter: StatusFilter,
    pub readings: Vec<(QuestionId, u16)>,
}

impl std::hash::Hash for World {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.instrument.hash(h);
        self.as_of.hash(h);
        (self.filter as u8).hash(h);
        self.readings.hash(h);
    }
}

/// One `[[expect]]` entry of a witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    pub actor: String,
    pub target: ExpectWhat,
    pub subject: String,
    pub status: String,
    pub exempted_by: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectWhat {
    Obligation(String),
    Role(String),
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as TOML: an integer when it is one (and small enough), else a float with an
/// exponent (`1e25`), printed so that it reads back as the same number.
pub fn number_toml(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "an integral value below 1e15 fits an i64 exactly"
        )]
        let i = n as i64;
        format!("{i}")
    } else {
        format!("{n:e}")
    }
}

fn value_toml(rs: &RuleSet, chain: &Chain, ty: &Type, v: &Value) -> String {
    let enum_name = |e: EnumId, i: u16| {
        rs.enumeration(e)
            .and_then(|x| x.values.get(usize::from(i)))
            .map_or_else(|| "\"?\"".to_string(), |s| quote(s))
    };
    match (ty, v) {
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Num(n)) => number_toml(*n),
        (_, Value::Date(d)) => d.to_string(),
        (Type::Enum(e), Value::Enum(i)) => enum_name(*e, *i),
        (Type::Set(e), Value::Set(bits)) => {
            let items: Vec<String> = (0..128u16)
                .filter(|i| bits & (1u128 << i) != 0)
                .map(|i| enum_name(*e, i))
                .collect();
            format!("[{}]", items.join(", "))
        }
        (_, Value::Text(t)) => quote(t),
        (_, Value::Entity(r)) => quote(chain.id(*r)),
        (_, Value::Absent) => "false".into(),
        _ => "\"?\"".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back() {
        for n in [0.0, 5.0, 1e25, 3.3333333333333335e22, -2.5, 7e14] {
            let t = number_toml(n);
            let v: toml::Value = toml::from_str(&format!("x = {t}")).unwrap();
            let back = match v.get("x").unwrap() {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => panic!(),
            };
            assert_eq!(back, n, "{t}");
        }
    }

    #[test]
    fn quotes_escape() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
