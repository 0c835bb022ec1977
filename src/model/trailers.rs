//! Trailers (`Key: value` lines at the end of a message), parsed and formatted by git's rules,
//! so that `git interpret-trailers --parse` and this module agree.
//!
//! The rules followed (git's `trailer.c`): the trailer block is the last paragraph of the
//! message, never the first (the subject); a trailer line is a token of letters, digits and `-`,
//! optional blanks, then `:`; a line starting with a blank continues the previous value (joined
//! with one space); the block counts when all its lines are trailers, or when at least a quarter
//! are and one of them is git-generated (`Signed-off-by:`, `(cherry picked from commit …)`).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

impl Trailer {
    pub fn new(key: &str, value: &str) -> Self {
        Trailer {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// `Some((key, value))` if `line` is a trailer line.
fn split_trailer(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let key = &line[..i];
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    Some((key, line[i + 1..].trim()))
}

fn is_git_generated(line: &str) -> bool {
    line.starts_with("Signed-off-by: ") || line.starts_with("(cherry picked from commit ")
}

/// Splits a message into (everything before the trailer block, the trailer lines).
fn split_block(message: &str) -> (usize, Vec<&str>) {
    let lines: Vec<&str> = message.lines().filter(|l| !l.starts_with('#')).collect();
    // Ignore trailing blank lines.
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    // The last paragraph starts after the last blank line before `end`.
    let mut start = end;
    while start > 0 && !lines[start - 1].trim().is_empty() {
        start -= 1;
    }
    // The first paragraph is the subject, never trailers.
    let first_blank = lines.iter().position(|l| l.trim().is_empty());
    if start == 0 || first_blank.is_none_or(|b| b >= start) {
        return (lines.len(), Vec::new());
    }
    let block = &lines[start..end];
    let (mut trailers, mut others, mut generated) = (0usize, 0usize, false);
    for (n, line) in block.iter().enumerate() {
        if line.starts_with([' ', '\t']) && n > 0 {
            continue;
        }
        if split_trailer(line).is_some() {
            trailers += 1;
            generated |= is_git_generated(line);
        } else if is_git_generated(line) {
            trailers += 1;
            generated = true;
        } else {
            others += 1;
        }
    }
    let accepted = trailers > 0 && (others == 0 || (generated && trailers * 3 >= others));
    if accepted {
        (start, block.to_vec())
    } else {
        (lines.len(), Vec::new())
    }
}

/// Parses the trailer block of a message (empty when there is none).
pub fn parse(message: &str) -> Vec<Trailer> {
    let (_, block) = split_block(message);
    let mut out: Vec<Trailer> = Vec::new();
    let mut last_was_trailer = false;
    for line in block {
        if line.starts_with([' ', '\t']) {
            if last_was_trailer && let Some(t) = out.last_mut() {
                let more = line.trim();
                if !more.is_empty() {
                    if !t.value.is_empty() {
                        t.value.push(' ');
                    }
                    t.value.push_str(more);
                }
            }
            continue;
        }
        match split_trailer(line) {
            Some((key, value)) => {
                out.push(Trailer::new(key, value));
                last_was_trailer = true;
            }
            None => last_was_trailer = false,
        }
    }
    out
}

/// A message's subject (first line) and body (the text between it and the trailers), trimmed.
pub fn subject_and_body(message: &str) -> (String, String) {
    let text = strip(message);
    match text.split_once('\n') {
        Some((s, b)) => (s.trim().to_owned(), b.trim().to_owned()),
        None => (text.trim().to_owned(), String::new()),
    }
}

/// The message without its trailer block (subject and body), trailing blank lines removed.
pub fn strip(message: &str) -> String {
    let (start, _) = split_block(message);
    let lines: Vec<&str> = message.lines().filter(|l| !l.starts_with('#')).collect();
    let mut kept = lines[..start.min(lines.len())].to_vec();
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    kept.join("\n")
}

/// Why a trailer can't be written as given.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrailerError {
    #[error("trailer key `{0}` must be letters, digits and `-`")]
    BadKey(String),
    #[error("the value of trailer `{key}` contains a line break or control character")]
    BadValue { key: String },
}

/// Checks that a trailer can be written and read back unchanged.
pub fn validate(t: &Trailer) -> Result<(), TrailerError> {
    if t.key.is_empty() || !t.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(TrailerError::BadKey(t.key.clone()));
    }
    if t.value.chars().any(char::is_control) {
        return Err(TrailerError::BadValue { key: t.key.clone() });
    }
    Ok(())
}

/// Why free text (a note, a reason) can't be recorded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("it contains a control character ({0}); only line breaks and tabs are allowed")]
pub struct TextError(pub String);

/// Checks free text for a message body: line breaks and tabs are fine, other control
/// characters (escape sequences, carriage returns, NUL) are refused.
pub fn validate_body(text: &str) -> Result<(), TextError> {
    match text.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
        Some(c) => Err(TextError(format!("U+{:04X}", c as u32))),
        None => Ok(()),
    }
}

/// Formats a whole message: subject, optional body, then the trailer block.
pub fn format_message(subject: &str, body: &str, trailers: &[Trailer]) -> Result<String, TrailerError> {
    let mut out = String::new();
    out.push_str(subject.trim());
    out.push('\n');
    let body = body.trim();
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    if !trailers.is_empty() {
        out.push('\n');
        for t in trailers {
            validate(t)?;
            out.push_str(&t.key);
            out.push_str(": ");
            out.push_str(t.value.trim());
            out.push('\n');
        }
    }
    Ok(out)
}

/// The first value of `key` (case-insensitive, as git compares trailer keys).
pub fn find<'a>(trailers: &'a [Trailer], key: &str) -> Option<&'a str> {
    trailers
        .iter()
        .find(|t| t.key.eq_ignore_ascii_case(key))
        .map(|t| t.value.as_str())
}

/// Every value of `key`, in order.
pub fn find_all<'a>(trailers: &'a [Trailer], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    trailers
        .iter()
        .filter(move |t| t.key.eq_ignore_ascii_case(key))
        .map(|t| t.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_last_paragraph() {
        let msg = "Release v1.2.3\n\nSome body.\n\nMigration: 0002 adds a column\nConfig: timeout raised\n";
        assert_eq!(
            parse(msg),
            vec![
                Trailer::new("Migration", "0002 adds a column"),
                Trailer::new("Config", "timeout raised")
            ]
        );
        assert_eq!(strip(msg), "Release v1.2.3\n\nSome body.");
    }

    #[test]
    fn the_subject_is_never_a_trailer() {
        assert!(parse("Key: value\n").is_empty());
        assert!(parse("Key: value\nOther: x\n").is_empty());
    }

    #[test]
    fn a_prose_paragraph_is_not_a_trailer_block() {
        assert!(parse("Subject\n\nThis is: prose\nand more prose\n").is_empty());
    }

    #[test]
    fn continuation_lines_fold_and_blanks_before_colon_are_allowed() {
        let msg = "S\n\nNote : first\n  second line\nKey: v\n";
        assert_eq!(
            parse(msg),
            vec![Trailer::new("Note", "first second line"), Trailer::new("Key", "v")]
        );
    }

    #[test]
    fn git_generated_lines_allow_a_mixed_block() {
        let msg = "S\n\nSigned-off-by: A <a@x>\nsome text\nKey: v\n";
        assert_eq!(parse(msg).len(), 2);
    }

    #[test]
    fn bodies_allow_line_breaks_but_not_escapes() {
        assert!(validate_body("line one\n\tline two").is_ok());
        assert_eq!(validate_body("red \u{1b}[31m").unwrap_err(), TextError("U+001B".into()));
        assert!(validate_body("crlf\r\n").is_err());
    }

    #[test]
    fn values_with_newlines_are_refused() {
        assert!(format_message("S", "", &[Trailer::new("K", "a\nb")]).is_err());
        assert!(format_message("S", "", &[Trailer::new("K y", "a")]).is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(
            subject in "[A-Za-z][A-Za-z0-9 ]{0,30}",
            body in "([A-Za-z0-9 .,]{1,40}\n?){0,3}",
            pairs in proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,20}", "[!-~][ -~]{0,40}"), 1..6),
        ) {
            let trailers: Vec<Trailer> = pairs.iter().map(|(k, v)| Trailer::new(k, v.trim())).collect();
            let msg = format_message(&subject, &body, &trailers).unwrap();
            prop_assert_eq!(parse(&msg), trailers);
        }

        #[test]
        fn parse_never_panics(msg in "\\PC{0,200}") {
            let _ = parse(&msg);
            let _ = strip(&msg);
        }
    }
}
