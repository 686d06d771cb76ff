//! `onus brief`: briefing documents.
