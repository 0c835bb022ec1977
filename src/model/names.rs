//! Validated names: object ids, tag names, environments, components.

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("`{value}` is not a full hexadecimal object id")]
    BadOid { value: String },
    #[error("environment name `{value}` is invalid: {reason}")]
    BadEnvironment { value: String, reason: &'static str },
    #[error("component name `{value}` is invalid: {reason}")]
    BadComponent { value: String, reason: &'static str },
}

/// A full object id in lowercase hex (SHA-1 or SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Oid(String);

impl Oid {
    pub fn parse(hex: &str) -> Result<Self, NameError> {
        let ok = (hex.len() == 40 || hex.len() == 64) && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Oid(hex.to_ascii_lowercase()))
        } else {
            Err(NameError::BadOid { value: hex.to_owned() })
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The abbreviated form shown in tables (git's default length).
    pub fn short(&self) -> &str {
        &self.0[..7]
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tag's short name (`v1.2.3`, not `refs/tags/v1.2.3`). Tag names that are not UTF-8 are
/// kept with their bytes escaped (`\xNN`): such a tag can never match a release pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TagName(String);

impl TagName {
    pub fn new(name: impl Into<String>) -> Self {
        TagName(name.into())
    }
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(s) => TagName(s.to_owned()),
            Err(_) => TagName(crate::model::names::escape_invalid_utf8(bytes)),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn full_ref(&self) -> String {
        format!("refs/tags/{}", self.0)
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bytes to text, each byte of an invalid UTF-8 sequence written as `\xNN`.
pub fn escape_invalid_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).expect("checked prefix"));
                let bad = e.error_len().unwrap_or(rest.len());
                for b in &rest[..bad] {
                    out.push_str(&format!("\\x{b:02x}"));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Whether git accepts `name` as a tag name (`git check-ref-format` rules).
pub fn is_valid_tag_name(name: &str) -> bool {
    let bad_char = |c: char| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\');
    !name.is_empty()
        && name != "@"
        && !name.chars().any(bad_char)
        && !name.contains("..")
        && !name.contains("@{")
        && !name.contains("//")
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.ends_with('.')
        && name
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"))
}

fn check_simple_name(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("it is empty");
    }
    if value.len() > 64 {
        return Err("it is longer than 64 characters");
    }
    if !value.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric()) {
        return Err("it must start with a letter or digit");
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("only letters, digits, `-`, `_` and `.` are allowed");
    }
    if value.contains("..") || value.ends_with('.') || value.ends_with(".lock") {
        return Err("it may not contain `..` or end with `.` or `.lock`");
    }
    Ok(())
}

/// An environment name (`production`, `staging`, …): safe inside a ref name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EnvName(String);

impl EnvName {
    pub fn parse(value: &str) -> Result<Self, NameError> {
        check_simple_name(value)
            .map(|()| EnvName(value.to_owned()))
            .map_err(|reason| NameError::BadEnvironment {
                value: value.to_owned(),
                reason,
            })
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnvName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A monorepo component (`api`, `web`). The default component has no name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Component(Option<String>);

impl Component {
    pub const DEFAULT: Component = Component(None);
    pub fn named(value: &str) -> Result<Self, NameError> {
        check_simple_name(value)
            .map(|()| Component(Some(value.to_owned())))
            .map_err(|reason| NameError::BadComponent {
                value: value.to_owned(),
                reason,
            })
    }
    pub fn name(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("(default)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_are_validated_and_lowercased() {
        assert!(Oid::parse("abc").is_err());
        let id = Oid::parse(&"AB".repeat(20)).unwrap();
        assert_eq!(id.as_str(), "ab".repeat(20));
        assert_eq!(id.short(), "abababa");
    }

    #[test]
    fn environment_names_must_be_ref_safe() {
        assert!(EnvName::parse("production").is_ok());
        assert!(EnvName::parse("eu-west.1").is_ok());
        for bad in ["", "prod env", "a..b", "../x", "x/y", "x.lock", "-x", "prod\u{1b}"] {
            assert!(EnvName::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn tag_names_follow_git_rules() {
        for ok in ["v1.2.3", "deploy/production/20261122T003000Z.1-api/v1.0.0", "pkg@1.0.0"] {
            assert!(is_valid_tag_name(ok), "{ok}");
        }
        for bad in [
            "", "a..b", "a b", "x.lock", "a/.b", "a//b", "/a", "a/", "a@{1}", "a:b", "a\\b", "x.",
        ] {
            assert!(!is_valid_tag_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_escaped_bytewise() {
        assert_eq!(escape_invalid_utf8(b"v1\xff\xfe.0"), "v1\\xff\\xfe.0");
        assert_eq!(escape_invalid_utf8("é".as_bytes()), "é");
    }
}
