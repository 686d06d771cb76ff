//! Raw structs → resolved rule set: names, types, duplicates, citations, status histories.
//!
//! `compile_rules` returns the rule set together with every diagnostic found; the caller decides
//! whether errors are fatal. Definitions are type-checked on demand (a definition is checked the
//! first time another rule reads it), so their order in the files does not matter; a cycle is
//! left for `graph` to report with every edge.

mod scenario;
mod spanmap;
mod time;
mod typeck;

pub use scenario::resolve_scenario;
pub use spanmap::SpanMap;

use crate::diag::{Diagnostic, suggest};
use crate::expr::{self, Ast};
use crate::ir::*;
use crate::source::{FileId, Sources, Span};
use crate::syntax::{self, RawRuleFile, SStr};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;
use toml::value::Datetime;

pub(crate) fn sspan(file: FileId, s: &SStr) -> Span {
    Span::new(file, s.span())
}

/// Converts a TOML date (no time, no offset) to a calendar date.
pub(crate) fn toml_date(
    file: FileId,
    d: &Spanned<Datetime>,
    diags: &mut Vec<Diagnostic>,
) -> Option<jiff::civil::Date> {
    let span = Span::new(file, d.span());
    let v = d.get_ref();
    match (v.date, v.time, v.offset) {
        (Some(date), None, None) => {
            match jiff::civil::Date::new(
                i16::try_from(date.year).unwrap_or(i16::MAX),
                i8::try_from(date.month).unwrap_or(0),
                i8::try_from(date.day).unwrap_or(0),
            ) {
                Ok(d) => Some(d),
                Err(_) => {
                    diags.push(
                        Diagnostic::error("E0306", format!("`{v}` is not a date that exists"))
                            .at(span)
                            .help("dates are written YYYY-MM-DD and must exist in the calendar"),
                    );
                    None
                }
            }
        }
        _ => {
            diags.push(
                Diagnostic::error("E0306", format!("`{v}` is not a plain date"))
                    .at(span)
                    .help("write a date without time or offset, e.g. `2025-08-02`"),
            );
            None
        }
    }
}

/// A definition waiting for its type to be checked.
pub(crate) struct PendingDef {
    pub ast: Option<Ast>,
    pub map: SpanMap,
    pub state: DefState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefState {
    Unchecked,
    InProgress,
    Done,
}

pub(crate) struct Builder<'s> {
    pub sources: &'s Sources,
    pub rs: RuleSet,
    pub diags: Vec<Diagnostic>,
    pub pending: Vec<PendingDef>,
    /// (instrument, on, id) → definition
    pub def_index: HashMap<(InstrumentId, Option<Kind>, String), DefId>,
    /// While declaring the rules of an amending file: that amending instrument.
    pub added_by: Option<InstrumentId>,
}

/// Compiles rule files into a rule set. The rule set is returned even with errors (with
/// placeholders where rules were broken) so that callers can report everything at once.
pub fn compile_rules(sources: &Sources, files: &[FileId]) -> (RuleSet, Vec<Diagnostic>) {
    compile_rules_versioned(sources, files, None)
}

/// As [`compile_rules`], with the rule-set version given when it is already known (the
/// embedded rule set's is computed at build time).
pub fn compile_rules_versioned(
    sources: &Sources,
    files: &[FileId],
    version: Option<&str>,
) -> (RuleSet, Vec<Diagnostic>) {
    let mut raws = Vec::new();
    let mut diags = Vec::new();
    for &f in files {
        let (raw, d) = syntax::parse_rule_file(sources, f);
        diags.extend(d);
        raws.push(raw);
    }
    let mut b = Builder {
        sources,
        rs: RuleSet::default(),
        diags,
        pending: Vec::new(),
        def_index: HashMap::new(),
        added_by: None,
    };
    b.vocabulary(&raws);
    b.instruments(&raws);
    b.rs.version = version.map_or_else(|| version_hash(sources, files), str::to_string);
    let mut rs = b.rs;
    let mut diags = b.diags;
    diags.extend(crate::graph::check_cycles(&rs));
    index(&mut rs);
    let (questions, amendments) = crate::graph::obligation_dependencies(&rs);
    rs.obligation_questions = questions;
    rs.obligation_amendments = amendments;
    (rs, diags)
}

fn version_hash(sources: &Sources, files: &[FileId]) -> String {
    use sha2::{Digest, Sha256};
    // Sorted by path so the version does not depend on the order files were found in.
    let mut items: Vec<(&str, &str)> = files
        .iter()
        .map(|&f| (sources.path(f), sources.text(f)))
        .collect();
    items.sort();
    let mut h = Sha256::new();
    for (p, t) in items {
        h.update(p.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn index(rs: &mut RuleSet) {
    rs.role_obligations = vec![Vec::new(); rs.roles.len()];
    for (i, o) in rs.obligations.iter().enumerate() {
        if let Some(v) = rs.role_obligations.get_mut(o.role.index()) {
            v.push(ObligationId::from_index(i));
        }
    }
    rs.obligation_exemptions = vec![Vec::new(); rs.obligations.len()];
    for (i, e) in rs.exemptions.iter().enumerate() {
        for o in &e.exempts {
            if let Some(v) = rs.obligation_exemptions.get_mut(o.index()) {
                v.push(ExemptionId::from_index(i));
            }
        }
    }
    let exemptions = &rs.exemptions;
    for v in &mut rs.obligation_exemptions {
        v.sort_by(|a, b| {
            let ea = exemptions.get(a.index());
            let eb = exemptions.get(b.index());
            let ka = ea.map(|e| (-e.priority, e.id.as_str()));
            let kb = eb.map(|e| (-e.priority, e.id.as_str()));
            ka.cmp(&kb)
        });
    }
    rs.instrument_roles = vec![Vec::new(); rs.instruments.len()];
    for (i, r) in rs.roles.iter().enumerate() {
        if let Some(v) = rs.instrument_roles.get_mut(r.instrument.index()) {
            v.push(RoleId::from_index(i));
        }
    }
}

fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

impl Builder<'_> {
    pub(crate) fn check_id_pub(&mut self, file: FileId, id: &SStr, what: &str) {
        self.check_id(file, id, what);
    }

    pub(crate) fn citation_pub(
        &mut self,
        file: FileId,
        c: Option<&SStr>,
        what: &str,
        id: &SStr,
    ) -> String {
        self.citation(file, c, what, id)
    }

    pub(crate) fn parse_expr_pub(&mut self, file: FileId, s: &SStr) -> (Option<Ast>, SpanMap) {
        self.parse_expr(file, s)
    }

    pub(crate) fn cond_pub(
        &mut self,
        inst: InstrumentId,
        file: FileId,
        subject: Kind,
        s: &SStr,
        want: Type,
    ) -> Expr {
        self.cond(inst, file, subject, s, want)
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn check_id(&mut self, file: FileId, id: &SStr, what: &str) {
        if !is_valid_id(id.get_ref()) {
            self.err(
                Diagnostic::error(
                    "E0307",
                    format!("`{}` is not a valid {what} id", id.get_ref()),
                )
                .at(sspan(file, id))
                .help("ids use letters, digits, `_`, `-` and `.`"),
            );
        }
    }

    fn citation(&mut self, file: FileId, c: Option<&SStr>, what: &str, id: &SStr) -> String {
        match c {
            Some(c) if !c.get_ref().trim().is_empty() => c.get_ref().trim().to_string(),
            Some(c) => {
                self.err(
                    Diagnostic::error(
                        "E0301",
                        format!("{what} `{}` has an empty citation", id.get_ref()),
                    )
                    .at(sspan(file, c))
                    .help("cite the provision, e.g. `Art. 53(1)(a)`"),
                );
                String::new()
            }
            None => {
                self.err(
                    Diagnostic::error(
                        "E0301",
                        format!("{what} `{}` has no citation", id.get_ref()),
                    )
                    .at(sspan(file, id))
                    .label("no `citation` in this entry")
                    .help("every rule cites its source: add `citation = \"Art. …\"`"),
                );
                String::new()
            }
        }
    }

    fn vocabulary(&mut self, raws: &[RawRuleFile]) {
        let mut enum_names: BTreeMap<String, Span> = BTreeMap::new();
        for raw in raws {
            if raw.instrument.is_none() {
                let has_rules = !raw.definitions.is_empty()
                    || !raw.roles.is_empty()
                    || !raw.obligations.is_empty()
                    || !raw.exemptions.is_empty();
                if has_rules && !raw.broken {
                    let first = raw
                        .definitions
                        .first()
                        .map(|d| &d.id)
                        .or(raw.roles.first().map(|r| &r.id))
                        .or(raw.obligations.first().map(|o| &o.id))
                        .or(raw.exemptions.first().map(|x| &x.id));
                    self.err(
                        Diagnostic::error("E0103", "rules without an `[instrument]` table")
                            .at(first.map_or(Span::new(raw.file, 0..0), |id| sspan(raw.file, id)))
                            .help("a rule file starts with `[instrument]`; only the fact vocabulary has none"),
                    );
                }
            } else if !raw.facts.is_empty() || !raw.enums.is_empty() {
                let first = raw
                    .facts
                    .first()
                    .map(|f| &f.id)
                    .or(raw.enums.first().map(|e| &e.id));
                self.err(
                    Diagnostic::error("E0307", "facts and enums belong in the shared vocabulary")
                        .at(first.map_or(Span::new(raw.file, 0..0), |id| sspan(raw.file, id)))
                        .help("move `[[fact]]` and `[[enum]]` entries to jurisdictions/facts.toml so every instrument can read them"),
                );
            }
            for e in &raw.enums {
                let file = raw.file;
                let span = sspan(file, &e.id);
                self.check_id(file, &e.id, "enum");
                if let Some(prev) = enum_names.get(e.id.get_ref()) {
                    self.err(duplicate("enum", e.id.get_ref(), span, *prev));
                    continue;
                }
                enum_names.insert(e.id.get_ref().clone(), span);
                let mut values: Vec<String> = Vec::new();
                for v in &e.values {
                    if values.contains(v.get_ref()) {
                        self.err(
                            Diagnostic::error(
                                "E0302",
                                format!(
                                    "duplicate value `{}` in enum `{}`",
                                    v.get_ref(),
                                    e.id.get_ref()
                                ),
                            )
                            .at(sspan(file, v))
                            .with(
                                e.values
                                    .iter()
                                    .find(|x| x.get_ref() == v.get_ref())
                                    .map_or(sspan(file, v), |x| sspan(file, x)),
                                "first listed here",
                            )
                            .help("list each value once"),
                        );
                    } else {
                        values.push(v.get_ref().clone());
                    }
                }
                if values.len() > 128 {
                    self.err(
                        Diagnostic::error(
                            "E0307",
                            format!(
                                "enum `{}` has {} values; the limit is 128",
                                e.id.get_ref(),
                                values.len()
                            ),
                        )
                        .at(span),
                    );
                    values.truncate(128);
                }
                self.rs.enums.push(EnumDef {
                    id: e.id.get_ref().clone(),
                    title: e.title.clone(),
                    values,
                    span,
                });
            }
        }
        let mut seen: HashMap<(Kind, String), Span> = HashMap::new();
        for raw in raws {
            let file = raw.file;
            for f in &raw.facts {
                self.check_id(file, &f.id, "fact");
                let span = sspan(file, &f.id);
                let Some(on) = Kind::parse(f.on.get_ref()) else {
                    self.err(
                        Diagnostic::error("E0304", format!("unknown kind `{}`", f.on.get_ref()))
                            .at(sspan(file, &f.on))
                            .help("facts are `on` one of `actor`, `model`, `system`, `deployment`"),
                    );
                    continue;
                };
                if let Some(prev) = seen.get(&(on, f.id.get_ref().clone())) {
                    self.err(
                        Diagnostic::error(
                            "E0302",
                            format!("duplicate fact `{}` on {on}", f.id.get_ref()),
                        )
                        .at(span)
                        .with(*prev, "first defined here"),
                    );
                    continue;
                }
                if Link::find(on, f.id.get_ref()).is_some() {
                    self.err(
                        Diagnostic::error(
                            "E0303",
                            format!(
                                "fact `{}` has the name of a built-in link of {on}",
                                f.id.get_ref()
                            ),
                        )
                        .at(span)
                        .help("choose another name"),
                    );
                    continue;
                }
                seen.insert((on, f.id.get_ref().clone()), span);
                let ty = self.fact_type(file, f);
                let asked_of = match &f.asked_of {
                    Some(a) => self.link_path(file, on, a),
                    None => Vec::new(),
                };
                self.rs.facts.push(FactDef {
                    id: f.id.get_ref().clone(),
                    on,
                    ty,
                    question: f.question.clone(),
                    asked_of,
                    span,
                });
            }
        }
    }

    fn enum_ref(&mut self, file: FileId, e: Option<&SStr>, at: &SStr) -> Option<EnumId> {
        let Some(e) = e else {
            self.err(
                Diagnostic::error("E0103", "enum and set facts need `enum = \"…\"`")
                    .at(sspan(file, at)),
            );
            return None;
        };
        match self.rs.enums.iter().position(|x| &x.id == e.get_ref()) {
            Some(i) => Some(EnumId::from_index(i)),
            None => {
                let names: Vec<&str> = self.rs.enums.iter().map(|x| x.id.as_str()).collect();
                let mut d = Diagnostic::error("E0304", format!("unknown enum `{}`", e.get_ref()))
                    .at(sspan(file, e));
                if let Some(s) = suggest(e.get_ref(), names) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.err(d);
                None
            }
        }
    }

    fn fact_type(&mut self, file: FileId, f: &syntax::RawFact) -> Type {
        match f.ty.get_ref().as_str() {
            "bool" => Type::Bool,
            "date" => Type::Date,
            "text" => Type::Text,
            "actor" => Type::Entity(Kind::Actor),
            "number" => match &f.unit {
                None => Type::Num(Unit::None),
                Some(u) => match Unit::parse(u.get_ref()) {
                    Some(u) => Type::Num(u),
                    None => {
                        let names = Unit::NAMED.map(Unit::name);
                        self.err(
                            Diagnostic::error("E0304", format!("unknown unit `{}`", u.get_ref()))
                                .at(sspan(file, u))
                                .help(format!("units: {}", names.join(", "))),
                        );
                        Type::Error
                    }
                },
            },
            "enum" => self
                .enum_ref(file, f.enumeration.as_ref(), &f.ty)
                .map_or(Type::Error, Type::Enum),
            "set" => self
                .enum_ref(file, f.enumeration.as_ref(), &f.ty)
                .map_or(Type::Error, Type::Set),
            other => {
                let all = ["bool", "number", "enum", "set", "date", "text", "actor"];
                let mut d = Diagnostic::error("E0304", format!("unknown fact type `{other}`"))
                    .at(sspan(file, &f.ty));
                d = match suggest(other, all) {
                    Some(s) => d.help(format!("did you mean `{s}`? types: {}", all.join(", "))),
                    None => d.help(format!("types: {}", all.join(", "))),
                };
                self.err(d);
                Type::Error
            }
        }
    }

    fn link_path(&mut self, file: FileId, from: Kind, path: &SStr) -> Vec<Link> {
        let text = path.get_ref().as_str();
        if text == "self" {
            if from != Kind::Actor {
                self.err(
                    Diagnostic::error(
                        "E0304",
                        format!("`self` can answer only facts on actors, not on {from}"),
                    )
                    .at(sspan(file, path)),
                );
            }
            return Vec::new();
        }
        let mut kind = from;
        let mut out = Vec::new();
        for part in text.split('.') {
            match Link::find(kind, part) {
                Some(l) if !l.signature().3 => {
                    kind = l.signature().2;
                    out.push(l);
                }
                _ => {
                    let names: Vec<&str> = Link::ALL
                        .iter()
                        .filter(|l| l.signature().0 == kind && !l.signature().3)
                        .map(|l| l.name())
                        .collect();
                    self.err(
                        Diagnostic::error("E0304", format!("`{part}` is not a link of {kind}"))
                            .at(sspan(file, path))
                            .help(format!("links of {kind}: {}", names.join(", "))),
                    );
                    return Vec::new();
                }
            }
        }
        if kind != Kind::Actor {
            self.err(
                Diagnostic::error(
                    "E0304",
                    format!("`asked_of` must lead to an actor, not {}", kind.a()),
                )
                .at(sspan(file, path)),
            );
        }
        out
    }

    fn instruments(&mut self, raws: &[RawRuleFile]) {
        // First every instrument and the ids of its definitions, so rules can refer to each other
        // in any order.
        let mut inst_files: Vec<(InstrumentId, &RawRuleFile)> = Vec::new();
        let mut ids: HashMap<String, Span> = HashMap::new();
        for raw in raws {
            let Some(ri) = &raw.instrument else { continue };
            let file = raw.file;
            let span = sspan(file, &ri.id);
            self.check_id(file, &ri.id, "instrument");
            if let Some(prev) = ids.get(ri.id.get_ref()) {
                self.err(duplicate("instrument", ri.id.get_ref(), span, *prev));
                continue;
            }
            ids.insert(ri.id.get_ref().clone(), span);
            let status = self.status_history(file, &ri.status, &ri.id);
            let id = InstrumentId::from_index(self.rs.instruments.len());
            self.rs.instruments.push(Instrument {
                id: ri.id.get_ref().clone(),
                title: ri.title.clone(),
                short: ri.short.clone().unwrap_or_else(|| ri.id.get_ref().clone()),
                jurisdiction: ri.jurisdiction.clone(),
                citation: ri.citation.clone(),
                source: ri.source.clone(),
                kind: ri.kind.clone(),
                amends: None,
                status,
                span,
            });
            inst_files.push((id, raw));
        }
        // An amending file's rules live in the namespace of the instrument it amends.
        let mut files: Vec<(InstrumentId, Option<InstrumentId>, &RawRuleFile)> = Vec::new();
        for &(inst, raw) in &inst_files {
            let target = raw
                .instrument
                .as_ref()
                .and_then(|ri| ri.amends.as_ref())
                .and_then(|a| self.amended(raw.file, inst, a));
            if let (Some(t), Some(i)) = (target, self.rs.instruments.get_mut(inst.index())) {
                i.amends = Some(t);
            }
            files.push((target.unwrap_or(inst), target.map(|_| inst), raw));
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            self.declare_questions(ns, raw);
            self.declare_defs(ns, raw);
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            self.declare_roles(ns, raw);
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            self.declare_penalties(ns, raw);
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            self.declare_obligations(ns, raw);
        }
        self.added_by = None;
        for i in 0..self.pending.len() {
            self.check_def(DefId::from_index(i));
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            self.declare_exemptions(ns, raw);
        }
        for &(ns, by, raw) in &files {
            self.added_by = by;
            match by {
                Some(amendment) => self.declare_amends(ns, amendment, raw),
                None => {
                    if let Some(a) = raw.amends.first() {
                        let at = a
                            .target
                            .as_ref()
                            .or(a.repeal.as_ref())
                            .map_or(Span::new(raw.file, 0..0), |t| sspan(raw.file, t));
                        self.err(
                            Diagnostic::error(
                                "E0310",
                                "`[[amend]]` in an instrument that amends nothing",
                            )
                            .at(at)
                            .help("add `amends = \"<instrument id>\"` to `[instrument]`"),
                        );
                    }
                }
            }
        }
        self.added_by = None;
    }

    fn amended(&mut self, file: FileId, me: InstrumentId, name: &SStr) -> Option<InstrumentId> {
        let found = self.rs.instrument_by_name(name.get_ref());
        match found {
            Some(t) if t == me => {
                self.err(
                    Diagnostic::error("E0310", "an instrument cannot amend itself")
                        .at(sspan(file, name)),
                );
                None
            }
            Some(t) if self.rs.instrument(t).is_some_and(|i| i.amends.is_some()) => {
                self.err(
                    Diagnostic::error(
                        "E0310",
                        format!("`{}` is itself an amendment", name.get_ref()),
                    )
                    .at(sspan(file, name))
                    .help("name the instrument whose text is changed, not another amendment"),
                );
                None
            }
            Some(t) => Some(t),
            None => {
                let names: Vec<&str> = self.rs.instruments.iter().map(|i| i.id.as_str()).collect();
                let mut d = Diagnostic::error(
                    "E0310",
                    format!("amendment of unknown instrument `{}`", name.get_ref()),
                )
                .at(sspan(file, name));
                if let Some(x) = suggest(name.get_ref(), names) {
                    d = d.help(format!("did you mean `{x}`?"));
                }
                self.err(d);
                None
            }
        }
    }

    fn status_history(
        &mut self,
        file: FileId,
        raw: &[syntax::RawStatus],
        id: &SStr,
    ) -> Vec<StatusEntry> {
        let mut out: Vec<StatusEntry> = Vec::new();
        if raw.is_empty() {
            self.err(
                Diagnostic::error("E0305", format!("instrument `{}` has no legal-status history", id.get_ref()))
                    .at(sspan(file, id))
                    .help("add `[[instrument.status]]` entries (status and `from` date), e.g. `in_force` from the date of entry into force"),
            );
        }
        for s in raw {
            let Some(status) = LegalStatus::parse(s.status.get_ref()) else {
                let names = LegalStatus::ALL.map(LegalStatus::name);
                let mut d = Diagnostic::error(
                    "E0304",
                    format!("unknown legal status `{}`", s.status.get_ref()),
                )
                .at(sspan(file, &s.status));
                d = match suggest(s.status.get_ref(), names) {
                    Some(x) => d.help(format!(
                        "did you mean `{x}`? statuses: {}",
                        names.join(", ")
                    )),
                    None => d.help(format!("statuses: {}", names.join(", "))),
                };
                self.err(d);
                continue;
            };
            let mut tmp = Vec::new();
            let Some(from) = toml_date(file, &s.from, &mut tmp) else {
                self.diags.extend(tmp);
                continue;
            };
            let span = Span::new(file, s.from.span());
            if let Some(prev) = out.last() {
                if from < prev.from {
                    self.err(
                        Diagnostic::error("E0305", format!("status `{}` from {from} starts before the previous status (from {})", status.name(), prev.from))
                            .at(span)
                            .with(prev.span, "previous status")
                            .help("list the status history in date order; each status lasts until the next one starts"),
                    );
                    continue;
                }
                if from == prev.from {
                    self.err(
                        Diagnostic::error("E0305", format!("two statuses start on {from}"))
                            .at(span)
                            .with(prev.span, "previous status")
                            .help("status periods must not overlap: give each its own start date"),
                    );
                    continue;
                }
            }
            out.push(StatusEntry {
                status,
                from,
                note: s.note.clone(),
                span,
            });
        }
        out
    }

    fn parse_expr(&mut self, file: FileId, s: &SStr) -> (Option<Ast>, SpanMap) {
        let map = SpanMap::new(self.sources, sspan(file, s), s.get_ref());
        match expr::parse(s.get_ref()) {
            Ok(ast) => (Some(ast), map),
            Err(e) => {
                let mut d = Diagnostic::error("E0203", e.message).at(map.map(e.span));
                if let Some(h) = e.help {
                    d = d.help(h);
                }
                self.err(d);
                (None, map)
            }
        }
    }

    fn declare_defs(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for d in &raw.definitions {
            self.check_id(file, &d.id, "definition");
            let span = sspan(file, &d.id);
            let on = match &d.on {
                None => None,
                Some(k) => match Kind::parse(k.get_ref()) {
                    Some(k) => Some(k),
                    None => {
                        self.err(
                            Diagnostic::error("E0304", format!("unknown kind `{}`", k.get_ref()))
                                .at(sspan(file, k))
                                .help("definitions are `on` one of `actor`, `model`, `system`, `deployment`, or have no `on` for a named value"),
                        );
                        continue;
                    }
                },
            };
            let key = (inst, on, d.id.get_ref().clone());
            if let Some(prev) = self.def_index.get(&key).and_then(|id| self.rs.def(*id)) {
                let prev = prev.span;
                self.err(duplicate("definition", d.id.get_ref(), span, prev));
                continue;
            }
            if let Some(k) = on {
                if self.rs.fact_by_name(k, d.id.get_ref()).is_some()
                    || Link::find(k, d.id.get_ref()).is_some()
                {
                    self.err(
                        Diagnostic::error("E0303", format!("definition `{}` has the name of a fact or link of {k}", d.id.get_ref()))
                            .at(span)
                            .help("a definition and a fact on the same kind would be read the same way; rename one"),
                    );
                    continue;
                }
            }
            let citation = self.citation(file, d.citation.as_ref(), "definition", &d.id);
            let (ast, map) = self.parse_expr(file, &d.expr);
            let id = DefId::from_index(self.rs.defs.len());
            self.def_index.insert(key, id);
            self.rs.defs.push(Definition {
                instrument: inst,
                id: d.id.get_ref().clone(),
                on,
                title: d.title.clone(),
                expr: Expr {
                    kind: ExprKind::Error,
                    ty: Type::Error,
                    span: map.whole,
                },
                citation,
                note: d.note.clone(),
                added_by: self.added_by,
                span,
            });
            self.pending.push(PendingDef {
                ast,
                map,
                state: DefState::Unchecked,
            });
        }
    }

    pub(crate) fn check_def(&mut self, id: DefId) {
        let Some(p) = self.pending.get_mut(id.index()) else {
            return;
        };
        if p.state != DefState::Unchecked {
            return;
        }
        p.state = DefState::InProgress;
        let ast = p.ast.take();
        let map = p.map.clone();
        let Some(def) = self.rs.def(id) else { return };
        let inst = def.instrument;
        let scope: Vec<(String, Type)> = match def.on {
            Some(k) => vec![(k.name().to_string(), Type::Entity(k))],
            None => Vec::new(),
        };
        // Slot numbers: definitions on a kind have their subject in slot 1, like rules.
        let scope = typeck::Scope::new(scope, def.on.is_some());
        let expr = match &ast {
            Some(ast) => self.check_expr(inst, &scope, map, ast, None),
            None => Expr {
                kind: ExprKind::Error,
                ty: Type::Error,
                span: map.whole,
            },
        };
        if let Some(d) = self.rs.defs.get_mut(id.index()) {
            d.expr = expr;
        }
        if let Some(p) = self.pending.get_mut(id.index()) {
            p.state = DefState::Done;
            p.ast = ast;
        }
    }

    fn rule_scope(subject: Kind) -> typeck::Scope {
        typeck::Scope::new(
            vec![
                ("actor".to_string(), Type::Entity(Kind::Actor)),
                (subject.name().to_string(), Type::Entity(subject)),
            ],
            false,
        )
    }

    fn cond(
        &mut self,
        inst: InstrumentId,
        file: FileId,
        subject: Kind,
        s: &SStr,
        want: Type,
    ) -> Expr {
        let (ast, map) = self.parse_expr(file, s);
        let scope = Self::rule_scope(subject);
        match ast {
            Some(ast) => self.check_expr(inst, &scope, map, &ast, Some(&want)),
            None => Expr {
                kind: ExprKind::Error,
                ty: Type::Error,
                span: map.whole,
            },
        }
    }

    fn declare_roles(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for r in &raw.roles {
            self.check_id(file, &r.id, "role");
            let span = sspan(file, &r.id);
            if let Some(prev) = self
                .rs
                .roles
                .iter()
                .find(|x| x.instrument == inst && &x.id == r.id.get_ref())
            {
                let prev = prev.span;
                self.err(duplicate("role", r.id.get_ref(), span, prev));
                continue;
            }
            let subject = match Kind::parse(r.subject.get_ref()) {
                Some(k) if k != Kind::Actor => k,
                _ => {
                    self.err(
                        Diagnostic::error(
                            "E0304",
                            format!("`{}` cannot be the subject of a role", r.subject.get_ref()),
                        )
                        .at(sspan(file, &r.subject))
                        .help("a role relates an actor to a `model`, a `system` or a `deployment`"),
                    );
                    continue;
                }
            };
            let citation = self.citation(file, r.citation.as_ref(), "role", &r.id);
            // Placeholder so obligations can name the role; routes are checked after all
            // definitions are declared.
            self.rs.roles.push(Role {
                instrument: inst,
                id: r.id.get_ref().clone(),
                subject,
                title: r.title.clone(),
                citation: citation.clone(),
                routes: Vec::new(),
                note: r.note.clone(),
                added_by: self.added_by,
                span,
            });
            let mut routes = Vec::new();
            match (&r.when, r.route.is_empty()) {
                (Some(w), true) => routes.push(Route {
                    id: None,
                    title: None,
                    citation: citation.clone(),
                    when: self.cond(inst, file, subject, w, Type::Bool),
                    displaces: false,
                }),
                (None, false) => {
                    for rt in &r.route {
                        let c = match &rt.citation {
                            Some(c) => c.get_ref().clone(),
                            None => citation.clone(),
                        };
                        routes.push(Route {
                            id: rt.id.as_ref().map(|s| s.get_ref().clone()),
                            title: rt.title.clone(),
                            citation: c,
                            when: self.cond(inst, file, subject, &rt.when, Type::Bool),
                            displaces: rt.displaces,
                        });
                    }
                }
                (Some(w), false) => self.err(
                    Diagnostic::error(
                        "E0307",
                        format!("role `{}` has both `when` and routes", r.id.get_ref()),
                    )
                    .at(sspan(file, w))
                    .help("give either one `when` or several `[[role.route]]` entries"),
                ),
                (None, true) => self.err(
                    Diagnostic::error(
                        "E0103",
                        format!("role `{}` has no condition", r.id.get_ref()),
                    )
                    .at(span)
                    .help("add `when = \"…\"` or `[[role.route]]` entries"),
                ),
            }
            if let Some(role) = self.rs.roles.last_mut() {
                role.routes = routes;
            }
        }
    }

    fn find_role(&self, inst: InstrumentId, name: &str) -> Option<RoleId> {
        self.rs
            .roles
            .iter()
            .position(|r| r.instrument == inst && r.id == name)
            .map(RoleId::from_index)
    }

    fn declare_obligations(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for o in &raw.obligations {
            self.check_id(file, &o.id, "obligation");
            let span = sspan(file, &o.id);
            if let Some(prev) = self
                .rs
                .obligations
                .iter()
                .find(|x| x.instrument == inst && &x.id == o.id.get_ref())
            {
                let prev = prev.span;
                self.err(duplicate("obligation", o.id.get_ref(), span, prev));
                continue;
            }
            let citation = self.citation(file, o.citation.as_ref(), "obligation", &o.id);
            let Some(role) = self.find_role(inst, o.role.get_ref()) else {
                let names: Vec<&str> = self
                    .rs
                    .roles
                    .iter()
                    .filter(|r| r.instrument == inst)
                    .map(|r| r.id.as_str())
                    .collect();
                let mut d =
                    Diagnostic::error("E0201", format!("unknown role `{}`", o.role.get_ref()))
                        .at(sspan(file, &o.role));
                if let Some(s) = suggest(o.role.get_ref(), names) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help("obligations attach to a role of the same instrument");
                }
                self.err(d);
                continue;
            };
            let subject = self.rs.role(role).map_or(Kind::Model, |r| r.subject);
            let when = o
                .when
                .as_ref()
                .map(|w| self.cond(inst, file, subject, w, Type::Bool));
            let from = o
                .from
                .as_ref()
                .map(|w| self.cond(inst, file, subject, w, Type::Date));
            let until = o
                .until
                .as_ref()
                .map(|w| self.cond(inst, file, subject, w, Type::Date));
            let deadline = o
                .deadline
                .as_ref()
                .map(|w| self.cond(inst, file, subject, w, Type::Date));
            let penalty = o.penalty.as_ref().and_then(|p| {
                let id = self.find_penalty(inst, file, p)?;
                self.check_penalty_subject(file, p, id, subject);
                Some(id)
            });
            self.rs.obligations.push(Obligation {
                instrument: inst,
                id: o.id.get_ref().clone(),
                role,
                title: o.title.clone(),
                summary: o.summary.clone(),
                citation,
                when,
                from,
                until,
                deadline,
                penalty,
                note: o.note.clone(),
                added_by: self.added_by,
                span,
            });
        }
    }

    fn declare_exemptions(&mut self, inst: InstrumentId, raw: &RawRuleFile) {
        let file = raw.file;
        for e in &raw.exemptions {
            self.check_id(file, &e.id, "exemption");
            let span = sspan(file, &e.id);
            if let Some(prev) = self
                .rs
                .exemptions
                .iter()
                .find(|x| x.instrument == inst && &x.id == e.id.get_ref())
            {
                let prev = prev.span;
                self.err(duplicate("exemption", e.id.get_ref(), span, prev));
                continue;
            }
            let citation = self.citation(file, e.citation.as_ref(), "exemption", &e.id);
            let mut exempts = Vec::new();
            let mut subject: Option<(Kind, Span)> = None;
            for name in &e.exempts {
                let found = self
                    .rs
                    .obligations
                    .iter()
                    .position(|o| o.instrument == inst && &o.id == name.get_ref())
                    .map(ObligationId::from_index);
                let Some(oid) = found else {
                    let names: Vec<&str> = self
                        .rs
                        .obligations
                        .iter()
                        .filter(|o| o.instrument == inst)
                        .map(|o| o.id.as_str())
                        .collect();
                    let mut d = Diagnostic::error(
                        "E0201",
                        format!("unknown obligation `{}`", name.get_ref()),
                    )
                    .at(sspan(file, name));
                    if let Some(s) = suggest(name.get_ref(), names) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    self.err(d);
                    continue;
                };
                let k = self
                    .rs
                    .obligation(oid)
                    .and_then(|o| self.rs.role(o.role))
                    .map_or(Kind::Model, |r| r.subject);
                match subject {
                    None => subject = Some((k, sspan(file, name))),
                    Some((k0, s0)) if k0 != k => {
                        self.err(
                            Diagnostic::error(
                                "E0202",
                                format!(
                                    "exemption `{}` covers obligations about {} and about {}",
                                    e.id.get_ref(),
                                    k0.a(),
                                    k.a()
                                ),
                            )
                            .at(sspan(file, name))
                            .with(s0, format!("this one is about {}", k0.a()))
                            .help("split it into one exemption per kind of subject"),
                        );
                    }
                    _ => {}
                }
                exempts.push(oid);
            }
            let Some((subject, _)) = subject else {
                if e.exempts.is_empty() {
                    self.err(
                        Diagnostic::error(
                            "E0103",
                            format!("exemption `{}` exempts nothing", e.id.get_ref()),
                        )
                        .at(span)
                        .help("list the obligations it exempts in `exempts`"),
                    );
                }
                continue;
            };
            let when = self.cond(inst, file, subject, &e.when, Type::Bool);
            let mut exceptions = Vec::new();
            for x in &e.exception {
                let c = self.citation(file, x.citation.as_ref(), "exception", &x.id);
                exceptions.push(Exception {
                    id: x.id.get_ref().clone(),
                    title: x.title.clone(),
                    citation: c,
                    when: self.cond(inst, file, subject, &x.when, Type::Bool),
                });
            }
            self.rs.exemptions.push(Exemption {
                instrument: inst,
                id: e.id.get_ref().clone(),
                title: e.title.clone(),
                citation,
                exempts,
                priority: e.priority,
                subject,
                when,
                exceptions,
                note: e.note.clone(),
                added_by: self.added_by,
                span,
            });
        }
    }
}

/// E0302: `what` named `id` is defined twice; `first` is where it was first defined.
pub(crate) fn duplicate(what: &str, id: &str, at: Span, first: Span) -> Diagnostic {
    Diagnostic::error("E0302", format!("duplicate {what} `{id}`"))
        .at(at)
        .with(first, "first defined here")
}
