//! A resolved scenario: the chain with typed facts.

use super::{EntityRef, FactId, InstrumentId, Kind, Link, ObligationId, RoleId, Value};
use crate::source::Span;
use jiff::civil::Date;

#[derive(Clone, Debug)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub span: Span,
    /// Facts by `FactId` (only facts of this entity's kind are ever set). `None` = unknown.
    pub facts: Vec<Option<Value>>,
    /// Where each given fact was written, for messages.
    pub fact_spans: Vec<(FactId, Span)>,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub as_of: Date,
    /// Only these instruments, if the scenario selects some.
    pub instruments: Option<Vec<InstrumentId>>,
    pub actors: Vec<Entity>,
    pub models: Vec<Entity>,
    pub systems: Vec<Entity>,
    pub deployments: Vec<Entity>,
    /// model → creator (actor index)
    pub model_creator: Vec<u32>,
    /// model → base model index
    pub model_base: Vec<Option<u32>>,
    pub system_provider: Vec<u32>,
    pub system_model: Vec<Option<u32>>,
    pub deployment_deployer: Vec<u32>,
    pub deployment_system: Vec<u32>,
    /// Reverse links, each list sorted.
    pub model_derivatives: Vec<Vec<u32>>,
    pub model_systems: Vec<Vec<u32>>,
    pub system_deployments: Vec<Vec<u32>>,
    pub actor_models: Vec<Vec<u32>>,
    pub actor_systems: Vec<Vec<u32>>,
    pub actor_deployments: Vec<Vec<u32>>,
    pub expects: Vec<Expectation>,
    /// Which texts count, if the scenario says (a hypothetical analysis of bills).
    pub status: Option<super::StatusFilter>,
    /// Readings the scenario chooses for unsettled questions.
    pub readings: Vec<(super::QuestionId, u16)>,
    pub span: Span,
}

impl Scenario {
    pub fn entities(&self, kind: Kind) -> &[Entity] {
        match kind {
            Kind::Actor => &self.actors,
            Kind::Model => &self.models,
            Kind::System => &self.systems,
            Kind::Deployment => &self.deployments,
        }
    }

    pub fn entity(&self, r: EntityRef) -> Option<&Entity> {
        self.entities(r.kind).get(r.index as usize)
    }

    pub fn name_of(&self, r: EntityRef) -> &str {
        self.entity(r).map_or("?", |e| e.id.as_str())
    }

    pub fn fact(&self, r: EntityRef, f: FactId) -> Option<&Value> {
        self.entity(r)
            .and_then(|e| e.facts.get(f.index()))
            .and_then(Option::as_ref)
    }

    /// Follows a single-valued link; `None` when the link is absent.
    pub fn follow(&self, r: EntityRef, link: Link) -> Option<EntityRef> {
        let i = r.index as usize;
        let (kind, index) = match link {
            Link::Creator => (Kind::Actor, self.model_creator.get(i).copied()),
            Link::Base => (Kind::Model, self.model_base.get(i).copied().flatten()),
            Link::Provider => (Kind::Actor, self.system_provider.get(i).copied()),
            Link::SystemModel => (Kind::Model, self.system_model.get(i).copied().flatten()),
            Link::DeploymentSystem => (Kind::System, self.deployment_system.get(i).copied()),
            Link::Deployer => (Kind::Actor, self.deployment_deployer.get(i).copied()),
            _ => return None,
        };
        index.map(|index| EntityRef { kind, index })
    }

    /// The entities of a list link.
    pub fn list(&self, r: EntityRef, link: Link) -> &[u32] {
        let i = r.index as usize;
        let v = match link {
            Link::Derivatives => self.model_derivatives.get(i),
            Link::ModelSystems => self.model_systems.get(i),
            Link::Deployments => self.system_deployments.get(i),
            Link::ActorModels => self.actor_models.get(i),
            Link::ActorSystems => self.actor_systems.get(i),
            Link::ActorDeployments => self.actor_deployments.get(i),
            _ => None,
        };
        v.map_or(&[], Vec::as_slice)
    }
}

/// What an `[[expect]]` entry claims.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub actor: u32,
    pub instrument: InstrumentId,
    pub target: ExpectTarget,
    pub subject: Option<EntityRef>,
    pub status: Option<String>,
    pub exempted_by: Option<String>,
    pub applies_from: Option<Date>,
    pub deadline: Option<Date>,
    pub reason: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExpectTarget {
    Obligation(ObligationId),
    Role(RoleId),
    /// The actor bears no obligation and holds no role under the instrument.
    Nothing,
}
