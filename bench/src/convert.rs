//! Turns a resolved onus scenario into the baseline's plain structs (outside timed code).

use super::baseline::{Actor, Chain, Model};
use onus::ir::{EntityRef, Kind, RuleSet, Scenario, Type, Value};

fn fact<'a>(rs: &RuleSet, sc: &'a Scenario, kind: Kind, i: usize, name: &str) -> Option<&'a Value> {
    let f = rs.fact_by_name(kind, name)?;
    sc.fact(
        EntityRef {
            kind,
            index: u32::try_from(i).ok()?,
        },
        f,
    )
}

fn b(rs: &RuleSet, sc: &Scenario, kind: Kind, i: usize, name: &str) -> Option<bool> {
    match fact(rs, sc, kind, i, name)? {
        Value::Bool(x) => Some(*x),
        _ => None,
    }
}

fn n(rs: &RuleSet, sc: &Scenario, i: usize, name: &str) -> Option<f64> {
    match fact(rs, sc, Kind::Model, i, name)? {
        Value::Num(x) => Some(*x),
        _ => None,
    }
}

fn enum_name(rs: &RuleSet, kind: Kind, name: &str, v: &Value) -> Option<String> {
    let f = rs.fact(rs.fact_by_name(kind, name)?)?;
    match (&f.ty, v) {
        (Type::Enum(e), Value::Enum(i)) => rs.enumeration(*e)?.values.get(usize::from(*i)).cloned(),
        _ => None,
    }
}

fn set_has(rs: &RuleSet, sc: &Scenario, i: usize, name: &str, value: &str) -> Option<bool> {
    let f = rs.fact(rs.fact_by_name(Kind::Model, name)?)?;
    let Type::Set(e) = f.ty else { return None };
    let idx = rs.enumeration(e)?.values.iter().position(|v| v == value)?;
    match fact(rs, sc, Kind::Model, i, name)? {
        Value::Set(bits) => Some(bits & (1u128 << idx) != 0),
        _ => None,
    }
}

pub fn chain(rs: &RuleSet, sc: &Scenario, as_of: Option<jiff::civil::Date>) -> Chain {
    let actors = (0..sc.actors.len())
        .map(|i| Actor {
            established_in_eu: fact(rs, sc, Kind::Actor, i, "established_in")
                .and_then(|v| enum_name(rs, Kind::Actor, "established_in", v))
                .map(|p| p == "eu"),
        })
        .collect();
    let models = (0..sc.models.len())
        .map(|i| Model {
            creator: sc.model_creator.get(i).map_or(usize::MAX, |c| *c as usize),
            base: sc.model_base.get(i).copied().flatten().map(|b| b as usize),
            training_compute: n(rs, sc, i, "training_compute"),
            modification_compute: n(rs, sc, i, "modification_compute"),
            base_training_compute_known: b(rs, sc, Kind::Model, i, "base_training_compute_known"),
            generative: b(rs, sc, Kind::Model, i, "generative"),
            significant_generality: b(rs, sc, Kind::Model, i, "significant_generality"),
            designated_systemic_risk: b(rs, sc, Kind::Model, i, "designated_systemic_risk"),
            placed_on_eu_market: set_has(rs, sc, i, "markets", "eu"),
            placed_on_market: match fact(rs, sc, Kind::Model, i, "placed_on_market") {
                Some(Value::Date(d)) => Some(*d),
                _ => None,
            },
            licence: fact(rs, sc, Kind::Model, i, "licence")
                .and_then(|v| enum_name(rs, Kind::Model, "licence", v)),
            use_restrictions_proportionate: b(
                rs,
                sc,
                Kind::Model,
                i,
                "use_restrictions_proportionate",
            ),
            monetised: b(rs, sc, Kind::Model, i, "monetised"),
            weights_public: b(rs, sc, Kind::Model, i, "weights_public"),
            architecture_public: b(rs, sc, Kind::Model, i, "architecture_public"),
            usage_info_public: b(rs, sc, Kind::Model, i, "usage_info_public"),
        })
        .collect();
    Chain {
        as_of: Some(as_of.unwrap_or(sc.as_of)),
        actors,
        models,
    }
}
