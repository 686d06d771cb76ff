//! Briefing documents (Markdown and self-contained HTML).
