//! clap definitions. Completions and the man page are generated from these.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// onus: who in an AI model's value chain bears which obligation.
#[derive(Parser, Debug)]
#[command(name = "onus", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Rule directory to use instead of the embedded rule set.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagFormat::Human, global = true)]
    pub diagnostics: DiagFormat,
}

/// How the law is read: date, texts, readings, amendments.
#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// Read the law as of this date (YYYY-MM-DD) instead of the scenario's.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only this instrument (repeatable).
    #[arg(long, value_name = "ID")]
    pub instrument: Vec<String>,
    /// Which texts count.
    #[arg(long, value_enum, default_value_t = StatusArg::InForce)]
    pub status: StatusArg,
    /// Choose a reading of an unsettled question (repeatable).
    #[arg(long, value_name = "QUESTION=READING")]
    pub reading: Vec<String>,
    /// Evaluate as if this amending instrument did not exist (repeatable).
    #[arg(long, value_name = "ID")]
    pub without: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Svg,
    Mermaid,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Text,
    Json,
}

/// Which texts count.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Law in force only (default).
    InForce,
    /// Also enacted law not yet in force.
    Enacted,
    /// Also bills and vetoed bills, analysed as if enacted.
    Proposed,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate scenarios and print each actor's roles and obligations.
    Run {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        eval: EvalArgs,
        /// Evaluate every combination of readings and report where outcomes diverge.
        #[arg(long)]
        all_readings: bool,
        /// Show how far each numeric fact is from the thresholds the rules compare it with.
        #[arg(long)]
        sensitivity: bool,
        /// Treat the arguments as a batch: directories of scenario files or JSON-lines files
        /// (one scenario object per line); write JSON lines or a summary table.
        #[arg(long)]
        batch: bool,
        /// With `--batch`: print a summary table (actors × obligations counted) instead of JSON lines.
        #[arg(long)]
        summary: bool,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Show the reasoning behind one actor's findings, with citations.
    Explain {
        scenario: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        eval: EvalArgs,
        /// The actor's id.
        #[arg(long)]
        actor: String,
        /// Only this obligation id.
        #[arg(long)]
        obligation: Option<String>,
    },
    /// Every actor's obligations in date order: starts, deadlines, ends.
    Timeline {
        scenario: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        eval: EvalArgs,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Write a briefing (Markdown or self-contained HTML) for people who will not read TOML.
    Brief {
        scenario: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        eval: EvalArgs,
        /// Output file: `.md`, `.html` (or `.pdf` with `--pdf`); Markdown on stdout if omitted.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out_file: Option<PathBuf>,
        /// Also print the HTML to PDF through headless Chromium, when it is installed.
        #[arg(long)]
        pdf: bool,
    },
    /// The unknown facts that would decide undetermined findings, ranked, with who can answer.
    Ask {
        scenario: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        eval: EvalArgs,
        /// Ask the questions one by one in the terminal.
        #[arg(long)]
        interactive: bool,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Check scenarios' expectations and locked outcomes; lock or accept outcomes.
    Test {
        /// Scenario files or directories (default: `scenarios`).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        /// Write a lock file beside each scenario that has none.
        #[arg(long)]
        lock: bool,
        /// Accept the current outcome as the new lock: of every scenario, or of the scenarios
        /// named (repeatable).
        #[arg(long, value_name = "SCENARIO", num_args = 0..)]
        accept: Option<Vec<PathBuf>>,
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
    },
    /// Compare outcomes between two rule sets, dates, readings, or with and without an amendment.
    Diff {
        /// Scenario files or directories (default: `scenarios`).
        paths: Vec<PathBuf>,
        /// The rules on the "to" side (`--rules`; embedded by default).
        #[command(flatten)]
        rules: RuleArgs,
        /// The rules on the "from" side: a directory.
        #[arg(long, value_name = "DIR")]
        from_rules: Option<PathBuf>,
        /// The rules on the "from" side: `jurisdictions/` at a git revision.
        #[arg(long, value_name = "REV")]
        from_rev: Option<String>,
        #[arg(long, value_name = "DATE")]
        from_as_of: Option<String>,
        #[arg(long, value_name = "DATE")]
        to_as_of: Option<String>,
        #[arg(long, value_name = "QUESTION=READING")]
        from_reading: Vec<String>,
        #[arg(long, value_name = "QUESTION=READING")]
        to_reading: Vec<String>,
        /// Compare with (from) and without (to) this amending instrument.
        #[arg(long, value_name = "ID")]
        without: Vec<String>,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Draw the decision graph of the rule set, or the part a scenario touches.
    Graph {
        #[command(flatten)]
        rules: RuleArgs,
        /// Only this instrument.
        #[arg(long, value_name = "ID")]
        instrument: Option<String>,
        /// Only the part of the graph this scenario touches, with the path to each finding.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Check the rule set: with `--deep`, explore each instrument's fact space for dead rules,
    /// swallowing exemptions, roles nobody can hold and contested findings, with witnesses.
    Lint {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long)]
        deep: bool,
        #[arg(long, value_name = "ID")]
        instrument: Option<String>,
        /// Directory to write witness scenarios into. Existing files that differ are not
        /// replaced (exit 2) unless `--overwrite` is given.
        #[arg(long, value_name = "DIR")]
        witnesses: Option<PathBuf>,
        /// Replace existing witness files in the `--witnesses` directory.
        #[arg(long, requires = "witnesses")]
        overwrite: bool,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Every obligation of the rule set and the scenarios that exercise it; exit 1 if one is not.
    Coverage {
        /// Scenario files or directories (default: `scenarios`).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Validate the rule set and scenario files (and check scenarios' expectations).
    Check {
        /// Scenario files to validate.
        files: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Write JSON Schemas (draft-07) for rule and scenario files.
    Schema {
        /// Directory to write `rules.schema.json` and `scenario.schema.json` into; stdout if omitted.
        #[arg(long = "out", value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Man,
}
