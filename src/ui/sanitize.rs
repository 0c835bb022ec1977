//! Neutralises text from the repository (tag names, messages, subjects) before it reaches a
//! terminal: escape sequences, other control characters, bidirectional overrides and invalid
//! UTF-8 are shown as visible escapes (`\x1b`, `\u{202e}`), never passed through.

use std::borrow::Cow;

fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn escape_char(c: char, out: &mut String) {
    let n = c as u32;
    if n < 0x100 {
        out.push_str(&format!("\\x{n:02x}"));
    } else {
        out.push_str(&format!("\\u{{{n:x}}}"));
    }
}

/// For one-line fields (names, subjects, table cells): every control character is escaped,
/// newlines and tabs included.
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_dangerous(c) => escape_char(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// For multi-line text (messages): newlines and tabs are kept, everything else escaped.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && c != '\t' && is_dangerous(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_dangerous(c) => escape_char(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Raw bytes (possibly invalid UTF-8) as safe multi-line text.
pub fn bytes(raw: &[u8]) -> String {
    text(&crate::model::names_escape(raw)).into_owned()
}

/// Shortens to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    Cow::Owned(out)
}

/// Word-wraps `text` to `width` columns; continuation lines start with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let lead: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut out = String::new();
    let mut line = lead.clone();
    for word in text[lead.len()..].split(' ') {
        let len = |s: &str| s.chars().count();
        if line.len() > lead.len() && len(&line) + 1 + len(word) > width {
            out.push_str(&line);
            out.push('\n');
            line = format!("{indent}{word}");
        } else {
            if line.len() > lead.len() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(line("v1\u{1b}[31mred"), "v1\\x1b[31mred");
        assert_eq!(line("a\u{9b}b"), "a\\x9bb");
        assert_eq!(line("title\u{7}"), "title\\x07");
        assert_eq!(line("two\nlines"), "two\\nlines");
        assert_eq!(text("two\nlines\u{1b}]0;x\u{7}"), "two\nlines\\x1b]0;x\\x07");
        assert_eq!(line("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(bytes(b"bad \xff byte"), "bad \\xff byte");
        assert!(matches!(line("plain v1.2.3"), Cow::Borrowed(_)));
    }

    #[test]
    fn wraps_on_words() {
        assert_eq!(wrap("one two three four", 9, "  "), "one two\n  three\n  four");
        assert_eq!(wrap("short", 80, "  "), "short");
        assert_eq!(
            wrap("  keep the indent here", 12, "    "),
            "  keep the\n    indent\n    here"
        );
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("héllo world", 5), "héll…");
        assert_eq!(truncate("short", 10), "short");
    }

    proptest! {
        #[test]
        fn output_never_contains_control_characters(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}a]*") {
            prop_assert!(!line(&s).chars().any(is_dangerous));
            prop_assert!(!text(&s).chars().any(|c| c != '\n' && c != '\t' && is_dangerous(c)));
        }
    }
}
