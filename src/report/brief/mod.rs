//! Briefing documents (Markdown and self-contained HTML) for people who will not read TOML.
//!
//! A briefing has nine parts, in this order: title block (scenario, as-of date, rule-set
//! version, instruments, statuses and readings applied, a "not legal advice" line); executive
//! summary; the chain as a diagram; the obligation matrix (actors × jurisdictions); one section
//! per actor; the timeline; open questions (missing facts, addressed to the actor who can
//! answer); contested points (where readings diverge); and an appendix with the full reasoning
//! traces and the provisions cited, with source links.
//!
//! [`model`] gathers everything from the outcome into plain data; [`markdown`] and [`html`]
//! only lay it out, escaping every string that came from an input file ([`escape`]). The
//! output depends only on its inputs (no clock, no environment, no hash-map order), so the
//! same inputs give the same bytes.

mod escape;
mod html;
mod markdown;
mod model;
mod svg;

use crate::eval::{Contested, Outcome};
use crate::ir::{RuleSet, Scenario};

/// The Markdown briefing. `contested` is [`crate::eval::contested`]'s answer: the findings
/// that change with the reading, or the number of combinations when there were too many.
pub fn markdown(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    contested: Result<&[Contested], usize>,
) -> String {
    markdown::render(&model::Brief::new(rs, sc, out, contested))
}

/// The HTML briefing: one file with inline CSS and SVG, no scripts, printable on A4.
pub fn html(
    rs: &RuleSet,
    sc: &Scenario,
    out: &Outcome,
    contested: Result<&[Contested], usize>,
) -> String {
    html::render(&model::Brief::new(rs, sc, out, contested))
}
