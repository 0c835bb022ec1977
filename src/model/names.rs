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

/// A full object id (SHA-1 or SHA-256), held as lowercase hex inline: no allocation, so
/// reading 100,000 tags does not mean 200,000 small strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid {
    hex: [u8; 64],
    len: u8,
}

impl Oid {
    pub fn parse(hex: &str) -> Result<Self, NameError> {
        // A table maps each byte to its lowercase hex digit, or 0 when it is not one: one
        // branch-free pass (this runs twice per tag when 100,000 tags are listed).
        const LOWER_HEX: [u8; 256] = {
            let mut t = [0u8; 256];
            let mut i = 0;
            while i < 256 {
                let c = i as u8;
                t[i] = match c {
                    b'0'..=b'9' | b'a'..=b'f' => c,
                    b'A'..=b'F' => c + 32,
                    _ => 0,
                };
                i += 1;
            }
            t
        };
        let bytes = hex.as_bytes();
        let mut buf = [0u8; 64];
        let mut valid = bytes.len() == 40 || bytes.len() == 64;
        if valid {
            for (d, s) in buf.iter_mut().zip(bytes) {
                *d = LOWER_HEX[*s as usize];
                valid &= *d != 0;
            }
        }
        if !valid {
            return Err(NameError::BadOid { value: hex.to_owned() });
        }
        Ok(Oid {
            hex: buf,
            len: bytes.len() as u8,
        })
    }

    /// From the raw bytes of an id (20 or 32 bytes).
    pub fn from_raw(raw: &[u8]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        assert!(raw.len() == 20 || raw.len() == 32, "object ids are 20 or 32 bytes");
        let mut buf = [0u8; 64];
        for (i, b) in raw.iter().enumerate() {
            buf[2 * i] = DIGITS[(b >> 4) as usize];
            buf[2 * i + 1] = DIGITS[(b & 0xf) as usize];
        }
        Oid {
            hex: buf,
            len: (raw.len() * 2) as u8,
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.hex[..self.len as usize]).expect("hex digits are ASCII")
    }

    /// The abbreviated form shown in tables (git's default length).
    pub fn short(&self) -> &str {
        &self.as_str()[..7]
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({})", self.as_str())
    }
}

impl serde::Serialize for Oid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
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
    fn raw_ids_become_hex() {
        let id = Oid::from_raw(&[0xab; 20]);
        assert_eq!(id, Oid::parse(&"ab".repeat(20)).unwrap());
        assert_eq!(format!("{id}").len(), 40);
    }

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
