//! Record-name templates: literal text with `{placeholder}`s, rendered to a tag name and
//! turned into a matcher that recognises names written from them.

use std::collections::BTreeMap;

use regex::Regex;

use crate::model::RecordKind;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("unknown placeholder `{{{0}}}`")]
    Unknown(String),
    #[error("the placeholder `{{{0}}}` is required")]
    Missing(&'static str),
    #[error("unbalanced `{{` or `}}`")]
    Unbalanced,
    #[error("`{0}` is not usable in a tag name")]
    BadLiteral(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Placeholder(String),
}

/// Placeholder values for rendering.
pub type Vars<'a> = BTreeMap<&'a str, String>;

#[derive(Debug, Clone)]
pub struct Template {
    pub text: String,
    parts: Vec<Part>,
    /// The regular expression recognising names written from it, compiled on first use (a
    /// compile costs more than reading a small repository's records, and most commands use
    /// only some kinds of records).
    pattern: String,
    matcher: std::sync::OnceLock<Regex>,
}

impl Template {
    /// A record-name template for `kind`, checked for known and required placeholders.
    pub fn record(kind: RecordKind, text: &str) -> Result<Template, TemplateError> {
        let allowed: &[&str] = match kind {
            RecordKind::Deploy | RecordKind::Restore => &["env", "time", "seq", "release"],
            RecordKind::Rollback | RecordKind::Drill => &["env", "time", "seq", "from", "to"],
        };
        let parts = parse(text)?;
        for p in &parts {
            match p {
                Part::Placeholder(name) if !allowed.contains(&name.as_str()) => {
                    return Err(TemplateError::Unknown(name.clone()));
                }
                Part::Literal(l) if l.contains(['~', '^', ':', '?', '*', '[', '\\', ' ']) || l.contains("..") => {
                    return Err(TemplateError::BadLiteral(l.clone()));
                }
                _ => {}
            }
        }
        for required in ["env", "time", "seq"] {
            if !parts.iter().any(|p| matches!(p, Part::Placeholder(n) if n == required)) {
                return Err(TemplateError::Missing(required));
            }
        }
        let mut re = String::from("^");
        for p in &parts {
            match p {
                Part::Literal(l) => re.push_str(&regex::escape(l)),
                Part::Placeholder(n) => re.push_str(match n.as_str() {
                    "env" => r"(?P<env>[A-Za-z0-9][A-Za-z0-9._-]*)",
                    "time" => r"(?P<time>[0-9]{8}T[0-9]{6}Z)",
                    "seq" => r"(?P<seq>[0-9]+)",
                    _ => r".+",
                }),
            }
        }
        re.push('$');
        Ok(Template {
            text: text.to_owned(),
            parts,
            pattern: re,
            matcher: std::sync::OnceLock::new(),
        })
    }

    /// Renders with the given values (a missing value renders as empty).
    pub fn render(&self, vars: &Vars<'_>) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => l.clone(),
                Part::Placeholder(n) => vars.get(n.as_str()).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// The literal text before the first placeholder: a cheap pre-filter for names.
    pub fn prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Literal(l)) => l,
            _ => "",
        }
    }

    /// If `name` was written from this template: its environment, time and sequence number.
    pub fn recognise<'n>(&self, name: &'n str) -> Option<NameParts<'n>> {
        if !name.starts_with(self.prefix()) {
            return None;
        }
        let matcher = self
            .matcher
            .get_or_init(|| Regex::new(&self.pattern).expect("template regex is built from escaped parts"));
        let caps = matcher.captures(name)?;
        Some(NameParts {
            env: caps.name("env")?.as_str(),
            time: caps.name("time")?.as_str(),
            seq: caps.name("seq")?.as_str().parse().unwrap_or(u64::MAX),
        })
    }
}

/// What a record's name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameParts<'n> {
    pub env: &'n str,
    /// Compact UTC time, fixed width, so it sorts as text.
    pub time: &'n str,
    pub seq: u64,
}

fn parse(text: &str) -> Result<Vec<Part>, TemplateError> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                parts.push(Part::Literal(rest.to_owned()));
                break;
            }
            Some(i) if rest.as_bytes()[i] == b'}' => return Err(TemplateError::Unbalanced),
            Some(i) => {
                if i > 0 {
                    parts.push(Part::Literal(rest[..i].to_owned()));
                }
                let end = rest[i..].find('}').ok_or(TemplateError::Unbalanced)? + i;
                let name = &rest[i + 1..end];
                if name.contains('{') {
                    return Err(TemplateError::Unbalanced);
                }
                parts.push(Part::Placeholder(name.to_owned()));
                rest = &rest[end + 1..];
            }
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_recognises_its_own_names() {
        let t = Template::record(RecordKind::Deploy, "deploy/{env}/{time}.{seq}-{release}").unwrap();
        let vars: Vars = [
            ("env", "production"),
            ("time", "20261122T003000Z"),
            ("seq", "2"),
            ("release", "api/v1.2.3"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        let name = t.render(&vars);
        assert_eq!(name, "deploy/production/20261122T003000Z.2-api/v1.2.3");
        assert_eq!(
            t.recognise(&name),
            Some(NameParts {
                env: "production",
                time: "20261122T003000Z",
                seq: 2
            })
        );
        assert_eq!(t.recognise("deploy/production/latest"), None);
        assert_eq!(t.recognise("v1.2.3"), None);
    }

    #[test]
    fn refuses_unknown_missing_and_unbalanced() {
        assert_eq!(
            Template::record(RecordKind::Deploy, "d/{env}/{time}.{seq}-{from}").unwrap_err(),
            TemplateError::Unknown("from".into())
        );
        assert_eq!(
            Template::record(RecordKind::Deploy, "d/{env}/{release}").unwrap_err(),
            TemplateError::Missing("time")
        );
        assert_eq!(
            Template::record(RecordKind::Deploy, "d/{env").unwrap_err(),
            TemplateError::Unbalanced
        );
        assert!(matches!(
            Template::record(RecordKind::Deploy, "d x/{env}/{time}{seq}"),
            Err(TemplateError::BadLiteral(_))
        ));
    }
}
