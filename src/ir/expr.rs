//! Typed expressions and runtime values.

use super::{DefId, DurUnit, FactId, Kind, QuestionId, Type};
use crate::source::Span;
use jiff::civil::Date;
use std::fmt;

/// A built-in link of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Link {
    /// model → actor
    Creator,
    /// model → model (absent for a model trained from scratch)
    Base,
    /// model → models whose base it is
    Derivatives,
    /// model → systems built on it
    ModelSystems,
    /// system → actor
    Provider,
    /// system → model (may be absent)
    SystemModel,
    /// system → deployments
    Deployments,
    /// deployment → system
    DeploymentSystem,
    /// deployment → actor
    Deployer,
    /// actor → models it created
    ActorModels,
    /// actor → systems it provides
    ActorSystems,
    /// actor → deployments it operates
    ActorDeployments,
}

impl Link {
    pub const ALL: [Link; 12] = [
        Link::Creator,
        Link::Base,
        Link::Derivatives,
        Link::ModelSystems,
        Link::Provider,
        Link::SystemModel,
        Link::Deployments,
        Link::DeploymentSystem,
        Link::Deployer,
        Link::ActorModels,
        Link::ActorSystems,
        Link::ActorDeployments,
    ];

    /// (from, name, to, is a list)
    pub fn signature(self) -> (Kind, &'static str, Kind, bool) {
        match self {
            Link::Creator => (Kind::Model, "creator", Kind::Actor, false),
            Link::Base => (Kind::Model, "base", Kind::Model, false),
            Link::Derivatives => (Kind::Model, "derivatives", Kind::Model, true),
            Link::ModelSystems => (Kind::Model, "systems", Kind::System, true),
            Link::Provider => (Kind::System, "provider", Kind::Actor, false),
            Link::SystemModel => (Kind::System, "model", Kind::Model, false),
            Link::Deployments => (Kind::System, "deployments", Kind::Deployment, true),
            Link::DeploymentSystem => (Kind::Deployment, "system", Kind::System, false),
            Link::Deployer => (Kind::Deployment, "deployer", Kind::Actor, false),
            Link::ActorModels => (Kind::Actor, "models", Kind::Model, true),
            Link::ActorSystems => (Kind::Actor, "systems", Kind::System, true),
            Link::ActorDeployments => (Kind::Actor, "deployments", Kind::Deployment, true),
        }
    }

    pub fn find(from: Kind, name: &str) -> Option<Link> {
        Link::ALL.into_iter().find(|l| {
            let (k, n, _, _) = l.signature();
            k == from && n == name
        })
    }

    pub fn name(self) -> &'static str {
        self.signature().1
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Value),
    /// An environment slot: 0 = actor, 1 = subject, 2… = quantifier variables.
    Var(u16),
    /// A named value (a definition without `on`).
    Const(DefId),
    Fact(Box<Expr>, FactId),
    Def(Box<Expr>, DefId),
    Link(Box<Expr>, Link),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `elem in set`, negated for `not in`.
    In(Box<Expr>, Box<Expr>, bool),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Quant {
        all: bool,
        slot: u16,
        over: Box<Expr>,
        body: Box<Expr>,
    },
    Present(Box<Expr>),
    Min(Box<Expr>, Box<Expr>),
    Max(Box<Expr>, Box<Expr>),
    /// The chosen reading of an unsettled question (`reading.<id>`).
    Reading(QuestionId),
    /// Placeholder for an expression that failed to resolve.
    Error,
}

/// A reference to one scenario entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    pub kind: Kind,
    pub index: u32,
}

/// A runtime value. `Unknown` is the third truth value and the value of a missing fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Unknown,
    /// The value of an absent link (e.g. the base of a model trained from scratch).
    Absent,
    Bool(bool),
    Num(f64),
    Date(Date),
    Dur(i64, DurUnit),
    /// Index into the enum's values.
    Enum(u16),
    /// Bit set over the enum's values.
    Set(u128),
    Text(String),
    Entity(EntityRef),
    /// The entities reached from `from` through a list link.
    Entities(EntityRef, Link),
}

impl Value {
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown)
    }
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn from_value(v: &Value) -> Tri {
        match v {
            Value::Bool(true) => Tri::True,
            Value::Bool(false) => Tri::False,
            _ => Tri::Unknown,
        }
    }
    pub fn and(self, o: Tri) -> Tri {
        self.min(o)
    }
    pub fn or(self, o: Tri) -> Tri {
        self.max(o)
    }
    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Tri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
