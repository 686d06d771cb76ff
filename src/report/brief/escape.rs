//! Escaping of everything that comes from a scenario or a rule file.
//!
//! Briefings travel to people who trust them, so no string from an input file may become
//! markup: in HTML every string is entity-escaped (text and attribute values alike); in
//! Markdown every string is escaped so that it cannot open a link, an image, an HTML tag or
//! comment, emphasis, a code span or a table cell; in Mermaid labels every character outside a
//! small safe set becomes an entity code. Links are only made from `http(s)` URLs, and those are
//! percent-encoded so they cannot leave their attribute or link destination.

/// Replaces characters that have no business in a document: control characters (a NUL would
/// make the HTML invalid) and the bidirectional overrides that can make text read differently
/// from what it is ("Trojan Source"). Tabs and newlines are kept.
fn clean_char(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => Some(c),
        '\r' => None,
        c if c.is_control() => Some('\u{FFFD}'),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
            Some('\u{FFFD}')
        }
        '\u{FEFF}' => None,
        c => Some(c),
    }
}

/// HTML text or attribute value (always quote attributes with `"`).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars().filter_map(clean_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown inline text: one line, no markup. Works in paragraphs, list items, headings and
/// table cells.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut last_space = false;
    for c in s.chars().filter_map(clean_char) {
        if c == '\n' || c == '\t' || c == ' ' {
            // Newlines would end a table row or start a block; runs of spaces could start a
            // code block or a hard line break.
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    let t = out.trim();
    // Text that begins a line must not start a list item, a heading underline or a numbered
    // list: `-`, `+`, `=`, `1.`, `1)`.
    if t.starts_with(['-', '+', '=']) {
        return format!("\\{t}");
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    match (t.get(..digits), t.get(digits..)) {
        (Some(head), Some(tail)) if digits > 0 && tail.starts_with(['.', ')']) => {
            format!("{head}\\{tail}")
        }
        _ => t.to_string(),
    }
}

/// A fence for a Markdown code block that the content cannot close.
pub fn md_fence(content: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Text for a Markdown code block: cleaned, line endings normalised.
pub fn md_block(s: &str) -> String {
    s.chars().filter_map(clean_char).collect()
}

/// A Mermaid label (inside `["…"]`): safe characters as they are, every other one as a
/// `#NNN;` entity code, so no quote, bracket, newline or directive can escape the label.
pub fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut last_space = false;
    for c in s.chars().filter_map(clean_char) {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_alphanumeric() || matches!(c, '.' | ',' | '-' | '_' | '/' | '(' | ')' | '?' | '\'')
        {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", u32::from(c)));
        }
    }
    out.trim().to_string()
}

/// A URL that may become a link: only `http` and `https`, percent-encoded so that it cannot
/// leave an attribute or a Markdown link destination. `None` for anything else
/// (`javascript:`, `data:`, relative paths), which is then shown as text.
pub fn url(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // A host is required: `https:///x` or `http://` alone is not a link.
    let rest = out.split_once("://").map_or("", |(_, r)| r);
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(out)
}

/// A URL (from [`url`]) inside a Markdown link destination: `&` must not start an entity.
pub fn md_url(u: &str) -> String {
    u.replace('&', "&amp;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn md_neutralises_links_images_tags_and_pipes() {
        assert_eq!(
            md("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(md("![img](http://e/x.png)"), "\\!\\[img\\](http://e/x.png)");
        assert_eq!(md("<!-- c -->"), "&lt;\\!-- c --&gt;");
        assert_eq!(md("a | b\nc"), "a \\| b c");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("12. item"), "12\\. item");
        assert_eq!(md("&#106;"), "&amp;\\#106;");
    }

    #[test]
    fn fences_are_longer_than_any_backtick_run() {
        assert_eq!(md_fence("a ```` b"), "`````");
        assert_eq!(md_fence("plain"), "```");
    }

    #[test]
    fn mermaid_labels_keep_only_safe_characters() {
        assert_eq!(mermaid("a\"]; click"), "a#34;#93;#59; click");
        assert_eq!(mermaid("Sprachwerk AG"), "Sprachwerk AG");
    }

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(url("javascript:alert(1)"), None);
        assert_eq!(url(" JavaScript:alert(1)"), None);
        assert_eq!(url("data:text/html,x"), None);
        assert_eq!(url("https://"), None);
        assert_eq!(
            url("https://e.eu/a b\"><x>").as_deref(),
            Some("https://e.eu/a%20b%22%3E%3Cx%3E")
        );
    }
}
