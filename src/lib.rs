//! onus: who in an AI model's value chain bears which obligation.
//!
//! The pipeline, one module per step:
//! 1. [`source`] reads files (the only module that does) into [`source::Sources`];
//! 2. [`syntax`] turns TOML into raw structs, keeping spans;
//! 3. [`expr`] parses the condition language inside those strings;
//! 4. [`resolve`] resolves names and types into the [`ir`] (rule set and scenarios);
//! 5. [`graph`] builds the decision graph (petgraph), rejects cycles, answers dependencies;
//! 6. [`eval`] evaluates a scenario at an as-of date: pure, no IO, no clock;
//! 7. [`report`] renders outcomes as text, JSON and explanations, deciding nothing.
//!
//! [`Session`] ties the steps together for the CLI and for tests.

pub mod analysis;
pub mod cli;
pub mod diag;
pub mod eval;
pub mod expr;
pub mod graph;
pub mod ir;
pub mod lint;
pub mod lockfile;
pub mod report;
pub mod resolve;
pub mod source;
pub mod syntax;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

use diag::Diagnostic;
use ir::{RuleSet, Scenario};
use source::{FileId, ReadError, Sources};
use std::path::Path;

/// The rule files compiled into the binary, as (path, contents).
pub fn embedded_rule_files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// One run: the files read, the compiled rule set, and every diagnostic so far.
#[derive(Clone)]
pub struct Session {
    pub sources: Sources,
    pub rules: RuleSet,
    pub rule_files: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Session {
    /// Compiles rule files given as (path, text).
    pub fn from_texts<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Session {
        let mut sources = Sources::new();
        let ids: Vec<FileId> = files.into_iter().map(|(p, t)| sources.add(p, t)).collect();
        let (rules, diagnostics) = resolve::compile_rules(&sources, &ids);
        Session {
            sources,
            rules,
            rule_files: ids,
            diagnostics,
        }
    }

    /// The embedded rule set, compiled once per process.
    pub fn embedded() -> Session {
        static EMBEDDED: std::sync::OnceLock<Session> = std::sync::OnceLock::new();
        EMBEDDED
            .get_or_init(|| {
                let mut sources = Sources::new();
                let ids: Vec<FileId> = embedded_rule_files()
                    .iter()
                    .map(|(p, t)| sources.add(*p, *t))
                    .collect();
                let (rules, diagnostics) =
                    resolve::compile_rules_versioned(&sources, &ids, Some(embedded::VERSION));
                Session {
                    sources,
                    rules,
                    rule_files: ids,
                    diagnostics,
                }
            })
            .clone()
    }

    /// Every `.toml` file under `dir` (links leading outside it are refused).
    pub fn from_dir(dir: &Path) -> Result<Session, ReadError> {
        let files = source::list_toml_files(dir)?;
        let base = dir.parent().unwrap_or(dir);
        let mut texts = Vec::new();
        for f in files {
            let text = source::read_file(&f)?;
            texts.push((source::display_path(&f, base), text));
        }
        Ok(Session::from_texts(
            texts.iter().map(|(p, t)| (p.as_str(), t.as_str())),
        ))
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds a scenario from text and resolves it against the rules.
    pub fn add_scenario(&mut self, path: &str, text: &str) -> Option<Scenario> {
        let file = self.sources.add(path, text);
        let stem = Path::new(path).file_stem().map_or_else(
            || "scenario".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let (sc, diags) = resolve::resolve_scenario(&self.sources, file, &self.rules, &stem);
        self.diagnostics.extend(diags);
        sc
    }

    /// Reads and adds a scenario file.
    pub fn read_scenario(&mut self, path: &Path) -> Result<Option<Scenario>, ReadError> {
        let text = source::read_file(path)?;
        let shown = path.display().to_string();
        Ok(self.add_scenario(&shown, &text))
    }

    /// The diagnostics sorted for output.
    pub fn sorted_diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = diag::Diagnostics {
            items: self.diagnostics.clone(),
        };
        d.sort();
        d.items
    }
}
