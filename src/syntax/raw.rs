//! Raw structs: what the files say, with spans, before any name is resolved.

use crate::source::FileId;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use toml::value::Datetime;

/// A string with its location in the file.
pub type SStr = Spanned<String>;

#[derive(Debug, Default)]
pub struct RawRuleFile {
    pub file: FileId,
    /// Set when the file had errors at this stage; later stages then skip checks that would
    /// only repeat them.
    pub broken: bool,
    pub instrument: Option<RawInstrument>,
    pub enums: Vec<RawEnum>,
    pub facts: Vec<RawFact>,
    pub definitions: Vec<RawDefinition>,
    pub roles: Vec<RawRole>,
    pub obligations: Vec<RawObligation>,
    pub exemptions: Vec<RawExemption>,
    pub amends: Vec<RawAmend>,
    pub questions: Vec<RawQuestion>,
    pub penalties: Vec<RawPenalty>,
}

/// `[instrument]`: what the law is and its legal-status history.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInstrument {
    /// Stable id, e.g. `eu-ai-act`.
    #[schemars(with = "String")]
    pub id: SStr,
    /// Full title.
    pub title: String,
    /// Short name for reports.
    pub short: Option<String>,
    /// Jurisdiction, e.g. `EU`, `US-CA`, `CN`.
    pub jurisdiction: String,
    /// Official citation.
    pub citation: String,
    /// URL of the official text.
    pub source: Option<String>,
    /// statute | regulation | bill | licence | amendment | guidance
    pub kind: Option<String>,
    /// For an amending instrument: the id of the instrument it amends.
    #[schemars(with = "Option<String>")]
    pub amends: Option<SStr>,
    /// Dated legal-status history.
    #[serde(default)]
    pub status: Vec<RawStatus>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStatus {
    /// proposed | passed | enacted | in_force | vetoed | stayed | repealed | amended | superseded
    #[schemars(with = "String")]
    pub status: SStr,
    /// The date this status starts.
    #[schemars(with = "String")]
    pub from: Spanned<Datetime>,
    pub note: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    #[schemars(with = "String")]
    pub id: SStr,
    pub title: Option<String>,
    #[schemars(with = "Vec<String>")]
    pub values: Vec<SStr>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFact {
    #[schemars(with = "String")]
    pub id: SStr,
    /// actor | model | system | deployment
    #[schemars(with = "String")]
    pub on: SStr,
    /// bool | number | enum | set | date | text | actor
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub ty: SStr,
    /// For numbers: FLOP | USD | EUR | users | employees | count
    #[schemars(with = "Option<String>")]
    pub unit: Option<SStr>,
    /// For enum and set facts: the enum's id.
    #[serde(rename = "enum")]
    #[schemars(with = "Option<String>")]
    pub enumeration: Option<SStr>,
    /// The one-line question a user answers.
    pub question: String,
    /// Who can answer: a link path from the subject to an actor (`self`, `creator`, `provider`, …).
    #[schemars(with = "Option<String>")]
    pub asked_of: Option<SStr>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDefinition {
    #[schemars(with = "String")]
    pub id: SStr,
    /// The kind this definition is an attribute of; omit for a named value.
    #[schemars(with = "Option<String>")]
    pub on: Option<SStr>,
    pub title: Option<String>,
    #[schemars(with = "String")]
    pub expr: SStr,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    #[schemars(with = "String")]
    pub id: SStr,
    /// model | system | deployment
    #[schemars(with = "String")]
    pub subject: SStr,
    pub title: String,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    /// The condition for holding the role (or give `route`s instead).
    #[schemars(with = "Option<String>")]
    pub when: Option<SStr>,
    #[serde(default)]
    pub route: Vec<RawRoute>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    #[schemars(with = "Option<String>")]
    pub id: Option<SStr>,
    pub title: Option<String>,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    #[schemars(with = "String")]
    pub when: SStr,
    /// Takes the role from actors who hold it through another route.
    #[serde(default)]
    pub displaces: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObligation {
    #[schemars(with = "String")]
    pub id: SStr,
    #[schemars(with = "String")]
    pub role: SStr,
    /// One-line paraphrase of the duty.
    pub title: String,
    pub summary: Option<String>,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub when: Option<SStr>,
    /// Date expression: the duty applies from this date.
    #[schemars(with = "Option<String>")]
    pub from: Option<SStr>,
    /// Date expression: the duty applies until this date (exclusive).
    #[schemars(with = "Option<String>")]
    pub until: Option<SStr>,
    /// Date expression: when the duty must be performed by.
    #[schemars(with = "Option<String>")]
    pub deadline: Option<SStr>,
    /// The id of the `[[penalty]]` for breaching it.
    #[schemars(with = "Option<String>")]
    pub penalty: Option<SStr>,
    pub note: Option<String>,
}

/// `[[amend]]`: a dated change an amending instrument makes to the instrument it amends.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAmend {
    /// The obligation, definition or exemption changed.
    #[schemars(with = "Option<String>")]
    pub target: Option<SStr>,
    /// The obligation or exemption repealed.
    #[schemars(with = "Option<String>")]
    pub repeal: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub when: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub from: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub until: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub deadline: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub penalty: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub expr: Option<SStr>,
    pub note: Option<String>,
}

/// `[[question]]`: an unsettled point of law and its competing readings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    #[schemars(with = "String")]
    pub id: SStr,
    pub title: String,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    /// The reading applied unless a scenario or `--reading` chooses another.
    #[schemars(with = "String")]
    pub default: SStr,
    #[serde(default)]
    pub reading: Vec<RawReading>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReading {
    #[schemars(with = "String")]
    pub id: SStr,
    pub summary: String,
    /// Who holds this reading: the text, guidance, a court, commentary.
    pub source: String,
}

/// `[[penalty]]`: the maximum penalty for breaching obligations that name it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPenalty {
    #[schemars(with = "String")]
    pub id: SStr,
    pub title: Option<String>,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    /// The rule in words, shown when the amount cannot be computed.
    pub formula: String,
    /// Expression (a number with a currency unit) over `actor`, and the subject if `subject`
    /// is given.
    #[schemars(with = "Option<String>")]
    pub amount: Option<SStr>,
    /// model | system | deployment: the subject the amount may read (then only obligations
    /// about that kind of subject may name this penalty).
    #[schemars(with = "Option<String>")]
    pub subject: Option<SStr>,
    /// violation | day
    pub per: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExemption {
    #[schemars(with = "String")]
    pub id: SStr,
    pub title: String,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    #[schemars(with = "Vec<String>")]
    pub exempts: Vec<SStr>,
    #[serde(default)]
    pub priority: i64,
    #[schemars(with = "String")]
    pub when: SStr,
    #[serde(default)]
    pub exception: Vec<RawException>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawException {
    #[schemars(with = "String")]
    pub id: SStr,
    pub title: Option<String>,
    #[schemars(with = "Option<String>")]
    pub citation: Option<SStr>,
    #[schemars(with = "String")]
    pub when: SStr,
    pub note: Option<String>,
}

/// Schema of a whole rule file (for editors; loading goes entry by entry).
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RuleFileSchema {
    pub instrument: Option<RawInstrument>,
    #[serde(rename = "enum")]
    pub enums: Option<Vec<RawEnum>>,
    pub fact: Option<Vec<RawFact>>,
    pub definition: Option<Vec<RawDefinition>>,
    pub role: Option<Vec<RawRole>>,
    pub obligation: Option<Vec<RawObligation>>,
    pub exemption: Option<Vec<RawExemption>>,
    pub amend: Option<Vec<RawAmend>>,
    pub question: Option<Vec<RawQuestion>>,
    pub penalty: Option<Vec<RawPenalty>>,
}

/// Facts of one scenario entity, by fact id.
pub type RawFacts = BTreeMap<SStr, Spanned<toml::Value>>;

#[derive(Debug)]
pub struct RawScenario {
    pub file: FileId,
    pub meta: RawScenarioMeta,
    /// Where the `[scenario]` table is, for problems with the table as a whole.
    pub meta_span: crate::source::Span,
    pub actors: Vec<RawActor>,
    pub models: Vec<RawModel>,
    pub systems: Vec<RawSystem>,
    pub deployments: Vec<RawDeployment>,
    pub expects: Vec<RawExpect>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioMeta {
    /// Defaults to the file name without `.toml`.
    #[schemars(with = "Option<String>")]
    pub id: Option<SStr>,
    pub title: String,
    /// The date the law is read at.
    #[schemars(with = "String")]
    pub as_of: Option<Spanned<Datetime>>,
    pub description: Option<String>,
    /// Only these instruments (ids); all by default.
    #[schemars(with = "Option<Vec<String>>")]
    pub instruments: Option<Vec<SStr>>,
    /// Which texts count, when the scenario is a hypothetical analysis:
    /// in_force (default) | enacted | proposed.
    #[schemars(with = "Option<String>")]
    pub status: Option<SStr>,
    /// Chosen readings of unsettled questions: question id → reading id.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub readings: Option<BTreeMap<SStr, SStr>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawActor {
    #[schemars(with = "String")]
    pub id: SStr,
    pub name: Option<String>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub facts: RawFacts,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    #[schemars(with = "String")]
    pub id: SStr,
    pub name: Option<String>,
    /// The actor that trained, fine-tuned, merged or otherwise made this model.
    #[schemars(with = "String")]
    pub creator: SStr,
    /// The model this one was modified from.
    #[schemars(with = "Option<String>")]
    pub base: Option<SStr>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub facts: RawFacts,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSystem {
    #[schemars(with = "String")]
    pub id: SStr,
    pub name: Option<String>,
    #[schemars(with = "String")]
    pub provider: SStr,
    #[schemars(with = "Option<String>")]
    pub model: Option<SStr>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub facts: RawFacts,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeployment {
    #[schemars(with = "String")]
    pub id: SStr,
    pub name: Option<String>,
    #[schemars(with = "String")]
    pub deployer: SStr,
    #[schemars(with = "String")]
    pub system: SStr,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub facts: RawFacts,
}

/// An expected conclusion, checked by tests and `onus test`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[schemars(with = "String")]
    pub actor: SStr,
    #[schemars(with = "String")]
    pub instrument: SStr,
    #[schemars(with = "Option<String>")]
    pub obligation: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub role: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub subject: Option<SStr>,
    /// applies | pending | exempt | not_applicable | undetermined (for roles: holds | undetermined | displaced)
    #[schemars(with = "Option<String>")]
    pub status: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub exempted_by: Option<SStr>,
    #[schemars(with = "Option<String>")]
    pub applies_from: Option<Spanned<Datetime>>,
    /// The date the duty must be performed by.
    #[schemars(with = "Option<String>")]
    pub deadline: Option<Spanned<Datetime>>,
    /// The actor bears nothing under the instrument.
    pub none: Option<bool>,
    pub reason: Option<String>,
}

/// Schema of a whole scenario file.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct ScenarioFileSchema {
    pub scenario: RawScenarioMeta,
    pub actor: Option<Vec<RawActor>>,
    pub model: Option<Vec<RawModel>>,
    pub system: Option<Vec<RawSystem>>,
    pub deployment: Option<Vec<RawDeployment>>,
    pub expect: Option<Vec<RawExpect>>,
}
