//! Markdown from untrusted repository text: table cells, code spans and quoted paragraphs that
//! cannot break out of their place (no `|` ends a cell, no backtick ends a span, no HTML).

use crate::ui::sanitize;

/// Escapes what Markdown or HTML would interpret in running text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a table cell or a one-line field.
pub fn cell(text: &str) -> String {
    escape(&sanitize::line(text))
}

/// A code span (tag names, ids, paths) in running text.
pub fn code(text: &str) -> String {
    span(&sanitize::line(text))
}

/// A code span in a table cell (`|` escaped, as GitHub's tables need even inside code).
pub fn code_cell(text: &str) -> String {
    span(&sanitize::line(text).replace('|', "\\|"))
}

/// Text inside raw HTML (`<summary>`), where Markdown is not parsed: HTML-escaped.
pub fn html(text: &str) -> String {
    sanitize::line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn span(text: &str) -> String {
    let longest = longest_backticks(text);
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("`{text}`")
    }
}

fn longest_backticks(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Multi-line text as a fenced code block (`lang` names the syntax); the fence is longer than
/// any run of backticks in the text.
pub fn fenced(text: &str, lang: &str) -> String {
    let text = sanitize::text(text);
    let fence = "`".repeat(longest_backticks(&text).max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

/// Multi-line text as a block quote, line by line.
pub fn quote(text: &str) -> String {
    let mut out = String::new();
    for line in sanitize::text(text).lines() {
        if line.trim().is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str("> ");
            out.push_str(&escape(line));
            out.push('\n');
        }
    }
    out
}

/// A table: header, separator, rows (cells already escaped).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        out.push_str("| ");
        out.push_str(&row.join(" | "));
        out.push_str(" |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_stays_in_its_place() {
        assert_eq!(cell("a|b <script>\u{1b}[31m"), "a\\|b &lt;script&gt;\\\\x1b\\[31m");
        assert_eq!(code("v1.2.3"), "`v1.2.3`");
        assert_eq!(code("a`b|c"), "`` a`b|c ``");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
        assert_eq!(
            html("</summary><h1>x & y\"</h1>"),
            "&lt;/summary&gt;&lt;h1&gt;x &amp; y&quot;&lt;/h1&gt;"
        );
        assert_eq!(fenced("a\n```\nb\n", "diff"), "````diff\na\n```\nb\n````\n");
        assert_eq!(quote("one\n\ntwo <b>"), "> one\n>\n> two &lt;b&gt;\n");
        assert_eq!(
            table(&["A", "B"], &[vec!["1".into(), "2".into()]]),
            "| A | B |\n|---|---|\n| 1 | 2 |\n"
        );
    }
}
