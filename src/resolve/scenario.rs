//! Raw scenario → resolved scenario: entity ids, links, typed facts, lineage checks.

use super::{sspan, toml_date};
use crate::diag::{Diagnostic, suggest};
use crate::ir::*;
use crate::source::{FileId, Sources, Span};
use crate::syntax::{self, RawFacts, SStr};
use std::collections::HashMap;

/// Most entities (actors, models, systems, deployments together) in one scenario.
pub const MAX_ENTITIES: usize = 10_000;
/// Longest chain of base models accepted.
pub const MAX_LINEAGE: usize = 256;

/// Parses and resolves a scenario file. `fallback_id` is the file stem.
pub fn resolve_scenario(
    sources: &Sources,
    file: FileId,
    rs: &RuleSet,
    fallback_id: &str,
) -> (Option<Scenario>, Vec<Diagnostic>) {
    let (raw, mut diags) = syntax::parse_scenario_file(sources, file);
    let Some(raw) = raw else { return (None, diags) };
    let mut r = Resolver {
        rs,
        file,
        diags: Vec::new(),
        ids: HashMap::new(),
    };
    let sc = r.scenario(&raw, fallback_id);
    diags.extend(r.diags);
    // An entry that failed to deserialise is missing from `raw`: a scenario built without it
    // would be a different chain, so none is returned when any error was found.
    let sc = sc.filter(|_| !diags.iter().any(Diagnostic::is_error));
    (sc, diags)
}

struct Resolver<'a> {
    rs: &'a RuleSet,
    file: FileId,
    diags: Vec<Diagnostic>,
    /// Every entity id → (kind, index, span): ids are unique across kinds.
    ids: HashMap<String, (Kind, u32, Span)>,
}

impl Resolver<'_> {
    fn scenario(&mut self, raw: &syntax::RawScenario, fallback_id: &str) -> Option<Scenario> {
        let file = self.file;
        let whole = Span::new(file, 0..0);
        let total = raw.actors.len() + raw.models.len() + raw.systems.len() + raw.deployments.len();
        if total > MAX_ENTITIES {
            self.diags.push(
                Diagnostic::error(
                    "E0506",
                    format!("the scenario has {total} entities; the limit is {MAX_ENTITIES}"),
                )
                .at(whole)
                .help("split it into several scenarios, or use `onus run --batch`"),
            );
            return None;
        }
        let as_of = match &raw.meta.as_of {
            Some(d) => toml_date(file, d, &mut self.diags),
            None => {
                self.diags.push(
                    Diagnostic::error("E0103", "missing field `as_of`")
                        .at(raw.meta_span)
                        .help("give the date the law is read at in `[scenario]`, e.g. `as_of = 2026-12-01`"),
                );
                None
            }
        };
        let instruments = raw.meta.instruments.as_ref().map(|list| {
            list.iter()
                .filter_map(|name| {
                    let found = self.rs.instrument_by_name(name.get_ref());
                    if found.is_none() {
                        self.unknown(
                            "E0507",
                            "instrument",
                            name,
                            self.rs.instruments.iter().map(|i| i.id.as_str()).collect(),
                        );
                    }
                    found
                })
                .collect::<Vec<_>>()
        });
        let actors: Vec<Entity> = raw
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| self.entity(Kind::Actor, i, &a.id, a.name.as_ref(), &a.facts))
            .collect();
        let models: Vec<Entity> = raw
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| self.entity(Kind::Model, i, &m.id, m.name.as_ref(), &m.facts))
            .collect();
        let systems: Vec<Entity> = raw
            .systems
            .iter()
            .enumerate()
            .map(|(i, s)| self.entity(Kind::System, i, &s.id, s.name.as_ref(), &s.facts))
            .collect();
        let deployments: Vec<Entity> = raw
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| self.entity(Kind::Deployment, i, &d.id, d.name.as_ref(), &d.facts))
            .collect();
        // Facts are resolved after every id is known, since actor facts name other actors.
        let mut sc = Scenario {
            id: raw
                .meta
                .id
                .as_ref()
                .map_or_else(|| fallback_id.to_string(), |s| s.get_ref().clone()),
            title: raw.meta.title.clone(),
            description: raw.meta.description.clone(),
            as_of: as_of.unwrap_or_default(),
            instruments,
            actors,
            models,
            systems,
            deployments,
            model_creator: Vec::new(),
            model_base: Vec::new(),
            system_provider: Vec::new(),
            system_model: Vec::new(),
            deployment_deployer: Vec::new(),
            deployment_system: Vec::new(),
            model_derivatives: Vec::new(),
            model_systems: Vec::new(),
            system_deployments: Vec::new(),
            actor_models: Vec::new(),
            actor_systems: Vec::new(),
            actor_deployments: Vec::new(),
            expects: Vec::new(),
            readings: Vec::new(),
            status: None,
            span: whole,
        };
        if let Some(st) = &raw.meta.status {
            sc.status = match st.get_ref().as_str() {
                "in_force" => Some(StatusFilter::InForce),
                "enacted" => Some(StatusFilter::Enacted),
                "proposed" => Some(StatusFilter::Proposed),
                _ => {
                    self.unknown(
                        "E0307",
                        "status filter",
                        st,
                        vec!["in_force", "enacted", "proposed"],
                    );
                    None
                }
            };
        }
        if let Some(map) = &raw.meta.readings {
            for (q, r) in map {
                if let Some(x) = self.reading_choice(q, r) {
                    sc.readings.push(x);
                }
            }
        }
        let fact_sets: [(Kind, Vec<&RawFacts>); 4] = [
            (Kind::Actor, raw.actors.iter().map(|a| &a.facts).collect()),
            (Kind::Model, raw.models.iter().map(|a| &a.facts).collect()),
            (Kind::System, raw.systems.iter().map(|a| &a.facts).collect()),
            (
                Kind::Deployment,
                raw.deployments.iter().map(|a| &a.facts).collect(),
            ),
        ];
        for (kind, sets) in fact_sets {
            for (i, facts) in sets.into_iter().enumerate() {
                let (values, spans) = self.facts(kind, facts);
                let list = match kind {
                    Kind::Actor => &mut sc.actors,
                    Kind::Model => &mut sc.models,
                    Kind::System => &mut sc.systems,
                    Kind::Deployment => &mut sc.deployments,
                };
                if let Some(e) = list.get_mut(i) {
                    e.facts = values;
                    e.fact_spans = spans;
                }
            }
        }
        let mut ok = true;
        for m in &raw.models {
            let c = self.link(&m.creator, Kind::Actor);
            ok &= c.is_some();
            sc.model_creator.push(c.unwrap_or(0));
            sc.model_base.push(m.base.as_ref().and_then(|b| {
                let r = self.link(b, Kind::Model);
                ok &= r.is_some();
                r
            }));
        }
        for s in &raw.systems {
            let p = self.link(&s.provider, Kind::Actor);
            ok &= p.is_some();
            sc.system_provider.push(p.unwrap_or(0));
            sc.system_model.push(s.model.as_ref().and_then(|m| {
                let r = self.link(m, Kind::Model);
                ok &= r.is_some();
                r
            }));
        }
        for d in &raw.deployments {
            let a = self.link(&d.deployer, Kind::Actor);
            let s = self.link(&d.system, Kind::System);
            ok &= a.is_some() && s.is_some();
            sc.deployment_deployer.push(a.unwrap_or(0));
            sc.deployment_system.push(s.unwrap_or(0));
        }
        self.lineage(raw, &sc.model_base);
        reverse(&mut sc);
        for e in &raw.expects {
            if let Some(x) = self.expectation(e, &sc) {
                sc.expects.push(x);
            }
        }
        let has_errors = self.diags.iter().any(Diagnostic::is_error);
        (ok && as_of.is_some() && !has_errors).then_some(sc)
    }

    fn reading_choice(&mut self, q: &SStr, r: &SStr) -> Option<(QuestionId, u16)> {
        let Some(qid) = self.rs.question_by_name(q.get_ref()) else {
            self.unknown(
                "E0312",
                "question",
                q,
                self.rs.questions.iter().map(|x| x.id.as_str()).collect(),
            );
            return None;
        };
        let question = self.rs.question(qid)?;
        match question.readings.iter().position(|x| &x.id == r.get_ref()) {
            Some(i) => Some((qid, u16::try_from(i).unwrap_or(0))),
            None => {
                let names: Vec<&str> = question.readings.iter().map(|x| x.id.as_str()).collect();
                let what = format!("reading of `{}`", question.id);
                self.unknown("E0312", &what, r, names);
                None
            }
        }
    }

    fn unknown(&mut self, code: &'static str, what: &str, name: &SStr, candidates: Vec<&str>) {
        let mut d = Diagnostic::error(code, format!("unknown {what} `{}`", name.get_ref()))
            .at(sspan(self.file, name));
        d = match suggest(name.get_ref(), candidates.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if candidates.is_empty() => d,
            None => d.help(format!("known: {}", candidates.join(", "))),
        };
        self.diags.push(d);
    }

    fn entity(
        &mut self,
        kind: Kind,
        index: usize,
        id: &SStr,
        name: Option<&String>,
        _facts: &RawFacts,
    ) -> Entity {
        let span = sspan(self.file, id);
        if id.get_ref().is_empty() {
            self.diags
                .push(Diagnostic::error("E0307", "empty id").at(span));
        }
        if let Some((k, _, prev)) = self.ids.get(id.get_ref()) {
            self.diags.push(
                Diagnostic::error("E0504", format!("duplicate id `{}`", id.get_ref()))
                    .at(span)
                    .with(*prev, format!("already used by {}", k.a()))
                    .help("every actor, model, system and deployment needs its own id"),
            );
        } else {
            self.ids.insert(
                id.get_ref().clone(),
                (kind, u32::try_from(index).unwrap_or(u32::MAX), span),
            );
        }
        Entity {
            id: id.get_ref().clone(),
            name: name.cloned().unwrap_or_else(|| id.get_ref().clone()),
            span,
            facts: vec![None; self.rs.facts.len()],
            fact_spans: Vec::new(),
        }
    }

    fn link(&mut self, name: &SStr, kind: Kind) -> Option<u32> {
        match self.ids.get(name.get_ref()) {
            Some((k, i, _)) if *k == kind => Some(*i),
            Some((k, _, prev)) => {
                let prev = *prev;
                let k = *k;
                self.diags.push(
                    Diagnostic::error(
                        "E0503",
                        format!("`{}` is {}, not {}", name.get_ref(), k.a(), kind.a()),
                    )
                    .at(sspan(self.file, name))
                    .with(prev, format!("the {k} is defined here")),
                );
                None
            }
            None => {
                let candidates: Vec<String> = self
                    .ids
                    .iter()
                    .filter(|(_, (k, _, _))| *k == kind)
                    .map(|(n, _)| n.clone())
                    .collect();
                let mut sorted = candidates;
                sorted.sort();
                self.unknown(
                    "E0503",
                    kind.name(),
                    name,
                    sorted.iter().map(String::as_str).collect(),
                );
                None
            }
        }
    }

    fn facts(&mut self, kind: Kind, facts: &RawFacts) -> (Vec<Option<Value>>, Vec<(FactId, Span)>) {
        let mut values = vec![None; self.rs.facts.len()];
        let mut spans = Vec::new();
        for (key, value) in facts {
            let Some(fid) = self.rs.fact_by_name(kind, key.get_ref()) else {
                let names: Vec<&str> = self
                    .rs
                    .facts
                    .iter()
                    .filter(|f| f.on == kind)
                    .map(|f| f.id.as_str())
                    .collect();
                let elsewhere = Kind::ALL
                    .into_iter()
                    .find(|k| self.rs.fact_by_name(*k, key.get_ref()).is_some());
                let mut d = Diagnostic::error(
                    "E0501",
                    format!("unknown fact `{}` on {kind}", key.get_ref()),
                )
                .at(sspan(self.file, key));
                d = if let Some(s) = suggest(key.get_ref(), names.iter().copied()) {
                    d.help(format!("did you mean `{s}`?"))
                } else if let Some(k) = elsewhere {
                    d.help(format!(
                        "`{}` is a fact about {}; move it there",
                        key.get_ref(),
                        k.a()
                    ))
                } else {
                    d.help("facts are declared in the shared vocabulary (jurisdictions/facts.toml)")
                };
                self.diags.push(d);
                continue;
            };
            let span = Span::new(self.file, value.span());
            if let Some(v) = self.fact_value(fid, value, span) {
                if let Some(slot) = values.get_mut(fid.index()) {
                    *slot = Some(v);
                }
                spans.push((fid, span));
            }
        }
        (values, spans)
    }

    fn fact_value(
        &mut self,
        fid: FactId,
        value: &toml::Spanned<toml::Value>,
        span: Span,
    ) -> Option<Value> {
        let fact = self.rs.fact(fid)?;
        let v = value.get_ref();
        let bad = |this: &mut Self, want: &str| {
            this.diags.push(
                Diagnostic::error(
                    "E0502",
                    format!("fact `{}` must be {want}, found {}", fact.id, v.type_str()),
                )
                .at(span)
                .help(format!("the question: {}", fact.question)),
            );
            None
        };
        match (&fact.ty, v) {
            (Type::Bool, toml::Value::Boolean(b)) => Some(Value::Bool(*b)),
            (Type::Bool, _) => bad(self, "true or false"),
            (Type::Num(_), toml::Value::Integer(i)) =>
            {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "fact magnitudes are approximate"
                )]
                Some(Value::Num(*i as f64))
            }
            (Type::Num(_), toml::Value::Float(f)) if f.is_finite() => Some(Value::Num(*f)),
            (Type::Num(_), toml::Value::Float(_)) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0502",
                        format!("fact `{}` must be a finite number", fact.id),
                    )
                    .at(span)
                    .help("leave the fact out if it is not known"),
                );
                None
            }
            (Type::Num(u), _) => bad(
                self,
                &format!(
                    "a number{}",
                    if *u == Unit::None {
                        String::new()
                    } else {
                        format!(" in {}", u.name())
                    }
                ),
            ),
            (Type::Date, toml::Value::Datetime(_)) => {
                let spanned = toml::Spanned::new(
                    value.span(),
                    match v {
                        toml::Value::Datetime(d) => *d,
                        _ => return None,
                    },
                );
                toml_date(self.file, &spanned, &mut self.diags).map(Value::Date)
            }
            (Type::Date, _) => bad(self, "a date (YYYY-MM-DD, unquoted)"),
            (Type::Text, toml::Value::String(s)) => Some(Value::Text(s.clone())),
            (Type::Text, _) => bad(self, "text"),
            (Type::Enum(e), toml::Value::String(s)) => {
                self.enum_index(*e, s, span, &fact.id).map(Value::Enum)
            }
            (Type::Enum(_), _) => bad(self, "a quoted value"),
            (Type::Set(e), toml::Value::Array(items)) => {
                let mut bits = 0u128;
                for it in items {
                    match it {
                        toml::Value::String(s) => {
                            if let Some(i) = self.enum_index(*e, s, span, &fact.id) {
                                bits |= 1u128 << i;
                            }
                        }
                        _ => return bad(self, "a list of quoted values"),
                    }
                }
                Some(Value::Set(bits))
            }
            (Type::Set(_), _) => bad(self, "a list of quoted values"),
            // `false`: no actor (e.g. nobody rebranded the system); different from unknown.
            (Type::Entity(Kind::Actor), toml::Value::Boolean(false)) => Some(Value::Absent),
            (Type::Entity(Kind::Actor), toml::Value::String(s)) => match self.ids.get(s) {
                Some((Kind::Actor, i, _)) => Some(Value::Entity(EntityRef {
                    kind: Kind::Actor,
                    index: *i,
                })),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            "E0503",
                            format!("`{s}` is not an actor of this scenario"),
                        )
                        .at(span)
                        .help(format!("fact `{}` names an actor by its id", fact.id)),
                    );
                    None
                }
            },
            _ => bad(self, "a value of its declared type"),
        }
    }

    fn enum_index(&mut self, e: EnumId, s: &str, span: Span, fact: &str) -> Option<u16> {
        let def = self.rs.enumeration(e)?;
        if let Some(i) = def.values.iter().position(|v| v == s) {
            return u16::try_from(i).ok();
        }
        let hint = match suggest(s, def.values.iter().map(String::as_str)) {
            Some(x) => format!("did you mean `{x}`? values: {}", def.values.join(", ")),
            None => format!("values of `{}`: {}", def.id, def.values.join(", ")),
        };
        self.diags.push(
            Diagnostic::error("E0502", format!("`{s}` is not a value of fact `{fact}`"))
                .at(span)
                .help(hint),
        );
        None
    }

    /// Rejects lineage cycles (once per cycle, naming every member) and chains longer than
    /// [`MAX_LINEAGE`]; linear in the number of models.
    fn lineage(&mut self, raw: &syntax::RawScenario, bases: &[Option<u32>]) {
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let n = raw.models.len();
        let mut state = vec![NEW; n];
        let mut depth = vec![0usize; n];
        let base_of = |i: usize| bases.get(i).copied().flatten().map(|b| b as usize);
        let mut too_deep: Option<usize> = None;
        for start in 0..n {
            if state.get(start) != Some(&NEW) {
                continue;
            }
            let mut path = Vec::new();
            let mut cur = Some(start);
            let mut stop = None;
            while let Some(c) = cur {
                match state.get(c) {
                    Some(&NEW) => {
                        if let Some(st) = state.get_mut(c) {
                            *st = ON_PATH;
                        }
                        path.push(c);
                        cur = base_of(c);
                    }
                    _ => {
                        stop = Some(c);
                        break;
                    }
                }
            }
            let mut next_depth = 0;
            if let Some(c) = stop {
                if state.get(c) == Some(&ON_PATH) {
                    let at = path.iter().position(|&p| p == c).unwrap_or(0);
                    let members = path.get(at..).unwrap_or(&[]);
                    self.cycle(raw, members);
                    for &m in members {
                        if let Some(st) = state.get_mut(m) {
                            *st = DONE;
                        }
                    }
                    path.truncate(at);
                } else {
                    next_depth = depth.get(c).copied().unwrap_or(0) + 1;
                }
            }
            for &m in path.iter().rev() {
                if let Some(d) = depth.get_mut(m) {
                    *d = next_depth;
                }
                if let Some(st) = state.get_mut(m) {
                    *st = DONE;
                }
                if next_depth > MAX_LINEAGE && too_deep.is_none_or(|t| m < t) {
                    too_deep = Some(m);
                }
                next_depth += 1;
            }
        }
        if let Some(m) = too_deep.and_then(|i| raw.models.get(i)) {
            self.diags.push(
                Diagnostic::error(
                    "E0506",
                    format!(
                        "the lineage of model `{}` is longer than {MAX_LINEAGE} models",
                        m.id.get_ref()
                    ),
                )
                .at(sspan(self.file, &m.id))
                .help(
                    "a chain of modifications this long is almost certainly generated by mistake",
                ),
            );
        }
    }

    fn cycle(&mut self, raw: &syntax::RawScenario, members: &[usize]) {
        // Report at the member that comes first in the file.
        let mut sorted = members.to_vec();
        sorted.sort_unstable();
        let Some(first) = sorted.first().and_then(|&i| raw.models.get(i)) else {
            return;
        };
        let mut d = if members.len() == 1 {
            Diagnostic::error(
                "E0505",
                format!("model `{}` is its own base", first.id.get_ref()),
            )
        } else {
            let names: Vec<String> = members
                .iter()
                .filter_map(|&i| raw.models.get(i))
                .map(|m| format!("`{}`", m.id.get_ref()))
                .collect();
            Diagnostic::error(
                "E0505",
                format!("models are each other's ancestors: {}", names.join(" → ")),
            )
        }
        .at(sspan(self.file, &first.id))
        .help("a model's `base` chain must end at a model trained from scratch");
        for &i in sorted.iter().skip(1) {
            if let Some(x) = raw.models.get(i) {
                d = d.with(sspan(self.file, &x.id), "part of the cycle");
            }
        }
        self.diags.push(d);
    }

    fn expectation(&mut self, e: &syntax::RawExpect, sc: &Scenario) -> Option<Expectation> {
        let span = sspan(self.file, &e.actor);
        let actor = match self.ids.get(e.actor.get_ref()) {
            Some((Kind::Actor, i, _)) => *i,
            _ => {
                let names: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
                self.unknown("E0509", "actor", &e.actor, names);
                return None;
            }
        };
        let Some(inst) = self.rs.instrument_by_name(e.instrument.get_ref()) else {
            self.unknown(
                "E0509",
                "instrument",
                &e.instrument,
                self.rs.instruments.iter().map(|i| i.id.as_str()).collect(),
            );
            return None;
        };
        let target = match (&e.obligation, &e.role, e.none) {
            (Some(o), None, None | Some(false)) => {
                let found = self
                    .rs
                    .obligations
                    .iter()
                    .position(|x| x.instrument == inst && &x.id == o.get_ref());
                match found {
                    Some(i) => ExpectTarget::Obligation(ObligationId::from_index(i)),
                    None => {
                        let names = self
                            .rs
                            .obligations
                            .iter()
                            .filter(|x| x.instrument == inst)
                            .map(|x| x.id.as_str())
                            .collect();
                        self.unknown("E0509", "obligation", o, names);
                        return None;
                    }
                }
            }
            (None, Some(r), None | Some(false)) => {
                let found = self
                    .rs
                    .roles
                    .iter()
                    .position(|x| x.instrument == inst && &x.id == r.get_ref());
                match found {
                    Some(i) => ExpectTarget::Role(RoleId::from_index(i)),
                    None => {
                        let names = self
                            .rs
                            .roles
                            .iter()
                            .filter(|x| x.instrument == inst)
                            .map(|x| x.id.as_str())
                            .collect();
                        self.unknown("E0509", "role", r, names);
                        return None;
                    }
                }
            }
            (None, None, Some(true)) => ExpectTarget::Nothing,
            _ => {
                let at = e
                    .role
                    .as_ref()
                    .filter(|_| e.obligation.is_some())
                    .map_or(span, |r| sspan(self.file, r));
                self.diags.push(
                    Diagnostic::error(
                        "E0509",
                        "an expectation names exactly one of `obligation`, `role` or `none = true`",
                    )
                    .at(at),
                );
                return None;
            }
        };
        if let (Some(s), ExpectTarget::Obligation(_)) = (&e.status, &target) {
            if ["holds", "displaced"].contains(&s.get_ref().as_str()) {
                self.diags.push(
                    Diagnostic::error("E0509", format!("`{}` is a role status, not an obligation status", s.get_ref()))
                        .at(sspan(self.file, s))
                        .help("obligations are `applies`, `pending`, `exempt`, `not_applicable`, `undetermined` or `absent`"),
                );
                return None;
            }
        }
        if let (Some(s), ExpectTarget::Role(_)) = (&e.status, &target) {
            if !["holds", "undetermined", "displaced", "absent"].contains(&s.get_ref().as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        "E0509",
                        format!(
                            "`{}` is an obligation status, not a role status",
                            s.get_ref()
                        ),
                    )
                    .at(sspan(self.file, s))
                    .help("roles are `holds`, `undetermined`, `displaced` or `absent`"),
                );
                return None;
            }
        }
        if let Some(x) = &e.exempted_by {
            let names: Vec<&str> = self
                .rs
                .exemptions
                .iter()
                .filter(|ex| ex.instrument == inst)
                .map(|ex| ex.id.as_str())
                .collect();
            if !names.contains(&x.get_ref().as_str()) {
                self.unknown("E0509", "exemption", x, names);
                return None;
            }
        }
        let subject = match &e.subject {
            None => None,
            Some(s) => match self.ids.get(s.get_ref()) {
                Some((k, i, _)) => Some(EntityRef {
                    kind: *k,
                    index: *i,
                }),
                None => {
                    self.unknown("E0509", "subject", s, Vec::new());
                    return None;
                }
            },
        };
        const STATUSES: [&str; 8] = [
            "applies",
            "pending",
            "exempt",
            "not_applicable",
            "undetermined",
            "holds",
            "displaced",
            "absent",
        ];
        if let Some(s) = &e.status {
            if !STATUSES.contains(&s.get_ref().as_str()) {
                self.unknown("E0509", "status", s, STATUSES.to_vec());
                return None;
            }
        }
        let applies_from = match &e.applies_from {
            Some(d) => Some(toml_date(self.file, d, &mut self.diags)?),
            None => None,
        };
        let deadline = match &e.deadline {
            Some(d) => Some(toml_date(self.file, d, &mut self.diags)?),
            None => None,
        };
        Some(Expectation {
            deadline,
            actor,
            instrument: inst,
            target,
            subject,
            status: e.status.as_ref().map(|s| s.get_ref().clone()),
            exempted_by: e.exempted_by.as_ref().map(|s| s.get_ref().clone()),
            applies_from,
            reason: e.reason.clone(),
            span,
        })
    }
}

fn reverse(sc: &mut Scenario) {
    sc.model_derivatives = vec![Vec::new(); sc.models.len()];
    sc.model_systems = vec![Vec::new(); sc.models.len()];
    sc.system_deployments = vec![Vec::new(); sc.systems.len()];
    sc.actor_models = vec![Vec::new(); sc.actors.len()];
    sc.actor_systems = vec![Vec::new(); sc.actors.len()];
    sc.actor_deployments = vec![Vec::new(); sc.actors.len()];
    for (i, b) in sc.model_base.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(v) = b.and_then(|b| sc.model_derivatives.get_mut(b as usize)) {
            v.push(i);
        }
    }
    for (i, c) in sc.model_creator.iter().enumerate() {
        if let Some(v) = sc.actor_models.get_mut(*c as usize) {
            v.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    for (i, m) in sc.system_model.iter().enumerate() {
        if let Some(v) = m.and_then(|m| sc.model_systems.get_mut(m as usize)) {
            v.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    for (i, p) in sc.system_provider.iter().enumerate() {
        if let Some(v) = sc.actor_systems.get_mut(*p as usize) {
            v.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    for (i, s) in sc.deployment_system.iter().enumerate() {
        if let Some(v) = sc.system_deployments.get_mut(*s as usize) {
            v.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    for (i, d) in sc.deployment_deployer.iter().enumerate() {
        if let Some(v) = sc.actor_deployments.get_mut(*d as usize) {
            v.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
}
