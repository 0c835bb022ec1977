//! Placeholders in templates (`{name}`; `{{` and `}}` for literal braces): checking them
//! against the names a key allows, and filling them in, shell-quoted for commands.

/// A command given in the configuration or on the command line: absent, or not blank.
pub fn command(value: Option<String>) -> Result<Option<String>, String> {
    match value {
        Some(c) if c.trim().is_empty() => Err("must not be empty".into()),
        v => Ok(v),
    }
}

/// Checks that `text` uses only `allowed` placeholders, with balanced braces.
pub(super) fn check_placeholders(text: &str, allowed: &[&str]) -> Result<(), String> {
    for (name, _) in placeholders(text)? {
        if !allowed.contains(&name.as_str()) {
            return Err(format!(
                "unknown placeholder `{{{name}}}` (known: {}; write `{{{{` and `}}}}` for literal braces)",
                if allowed.is_empty() {
                    "none here".to_owned()
                } else {
                    allowed.join(", ")
                }
            ));
        }
    }
    Ok(())
}

/// Like `check_placeholders`, for shell commands: a placeholder may not sit inside the
/// template's own quotes (its value is quoted already; inside `"…"` the shell would expand
/// `$(…)` in it).
pub(super) fn check_command_placeholders(text: &str, allowed: &[&str]) -> Result<(), String> {
    check_placeholders(text, allowed)?;
    if let Some((name, _)) = placeholders(text)?.into_iter().find(|(_, quoted)| *quoted) {
        return Err(format!(
            "`{{{name}}}` is inside quotes: placeholders are quoted when substituted, write them unquoted"
        ));
    }
    Ok(())
}

/// The placeholders of a template, each with whether it stands inside shell quotes; `{{` and
/// `}}` are literal braces.
fn placeholders(text: &str) -> Result<Vec<(String, bool)>, String> {
    let mut out = Vec::new();
    let (mut single, mut double) = (false, false);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => i += 1,
            '}' if chars.get(i + 1) == Some(&'}') => i += 1,
            '{' => {
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or_else(|| format!("unbalanced `{{` in `{text}`"))?;
                out.push((chars[i + 1..i + close].iter().collect(), single || double));
                i += close;
            }
            '}' => return Err(format!("unbalanced `}}` in `{text}`")),
            '\\' if !single => i += 1,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

/// Replaces `{name}` placeholders; each value is shell-quoted when `quote` (for commands).
pub fn render_placeholders(text: &str, values: &[(&str, &str)], quote: bool) -> String {
    // One pass over the template: a value is never searched for placeholders itself.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        // `{{` and `}}` are literal braces.
        if rest[open..].starts_with("{{") || rest[open..].starts_with("}}") {
            out.push_str(&rest[open..open + 1]);
            rest = &rest[open + 2..];
            continue;
        }
        if rest[open..].starts_with('}') {
            out.push('}');
            rest = &rest[open + 1..];
            continue;
        }
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(n, _)| *n == &after[..close])
                .map(|(_, v)| (close, v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(&if quote { shell_quote(v) } else { (*v).to_owned() });
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A POSIX shell single-quoted word: the value is passed as data, never run.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}
