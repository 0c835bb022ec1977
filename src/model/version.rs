//! A release's version: semver (through the `semver` crate), or a four-part numeric version
//! (`1.2.3.4`, as .NET assemblies, Windows products and many older projects tag), ordered
//! numerically after the first three parts.
//!
//! The `semver` crate parses and orders every semver version; this type only carries the
//! fourth number next to it, because semver has no place for it (build metadata is ignored in
//! precedence, and a pre-release would order `1.2.3.4` before `1.2.3`).

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Deref, DerefMut};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    semver: semver::Version,
    /// The fourth numeric part of a four-part version.
    fourth: Option<u64>,
}

impl Version {
    pub fn new(major: u64, minor: u64, patch: u64) -> Version {
        semver::Version::new(major, minor, patch).into()
    }

    /// A semver version, or a four-part one (`1.2.3.4`, optionally followed by a semver
    /// pre-release or build suffix: `1.2.3.4-rc.1`).
    pub fn parse(text: &str) -> Result<Version, semver::Error> {
        match semver::Version::parse(text) {
            Ok(v) => Ok(v.into()),
            Err(e) => split_fourth(text)
                .and_then(|(three, fourth, rest)| {
                    let v = semver::Version::parse(&format!("{three}{rest}")).ok()?;
                    Some(Version {
                        semver: v,
                        fourth: Some(fourth),
                    })
                })
                .ok_or(e),
        }
    }

    /// Like semver precedence (build metadata ignored), with the fourth part compared after
    /// the patch number (a missing fourth part is 0: `1.2.3` and `1.2.3.0` are the same).
    pub fn cmp_precedence(&self, other: &Version) -> Ordering {
        let three = |v: &Version| (v.semver.major, v.semver.minor, v.semver.patch, v.fourth.unwrap_or(0));
        // `Prerelease`'s order is semver's: an empty pre-release sorts after any other.
        three(self)
            .cmp(&three(other))
            .then_with(|| self.semver.pre.cmp(&other.semver.pre))
    }

    pub fn fourth(&self) -> Option<u64> {
        self.fourth
    }

    /// The next patch: the fourth part of a four-part version, else the third.
    pub fn bump_last(&mut self) {
        match &mut self.fourth {
            Some(n) => *n += 1,
            None => self.semver.patch += 1,
        }
    }
}

/// `1.2.3.4<rest>` → (`1.2.3`, 4, `<rest>`), where rest starts with `-`, `+` or is empty.
fn split_fourth(text: &str) -> Option<(&str, u64, &str)> {
    let mut dots = text.match_indices('.').map(|(i, _)| i);
    let (_, _, third) = (dots.next()?, dots.next()?, dots.next()?);
    let after = &text[third + 1..];
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &after[digits..];
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let valid_number = |s: &str| numeric(s) && (s == "0" || !s.starts_with('0'));
    if !valid_number(&after[..digits]) || !(rest.is_empty() || rest.starts_with(['-', '+'])) {
        return None;
    }
    let three = &text[..third];
    if !three.split('.').all(valid_number) {
        return None;
    }
    Some((three, after[..digits].parse().ok()?, rest))
}

impl From<semver::Version> for Version {
    fn from(semver: semver::Version) -> Version {
        Version { semver, fourth: None }
    }
}

impl Deref for Version {
    type Target = semver::Version;
    fn deref(&self) -> &semver::Version {
        &self.semver
    }
}

impl DerefMut for Version {
    fn deref_mut(&mut self) -> &mut semver::Version {
        &mut self.semver
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.semver;
        write!(f, "{}.{}.{}", v.major, v.minor, v.patch)?;
        if let Some(n) = self.fourth {
            write!(f, ".{n}")?;
        }
        if !v.pre.is_empty() {
            write!(f, "-{}", v.pre)?;
        }
        if !v.build.is_empty() {
            write!(f, "+{}", v.build)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn four_part_versions_order_numerically() {
        let mut vs = [
            v("1.2.3.10"),
            v("1.2.3.9"),
            v("1.2.4"),
            v("1.2.3"),
            v("1.2.3.1-rc.1"),
            v("1.2.3.1"),
        ];
        vs.sort_by(|a, b| a.cmp_precedence(b));
        let shown: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            shown,
            ["1.2.3", "1.2.3.1-rc.1", "1.2.3.1", "1.2.3.9", "1.2.3.10", "1.2.4"]
        );
        assert_eq!(v("1.2.3.0").cmp_precedence(&v("1.2.3")), Ordering::Equal);
        assert_eq!(v("1.2.3.4").fourth(), Some(4));
        assert!(v("1.2.3.4-beta").pre.as_str() == "beta");
    }

    #[test]
    fn not_versions_are_refused() {
        for bad in [
            "1.2.3.4.5",
            "1.2.3.",
            "1.2.3.04",
            "01.2.3.4",
            "1.2.3.x",
            "1.2.3.4beta",
            "1.2",
            "",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn semver_precedence_is_unchanged() {
        assert_eq!(v("1.0.0-alpha").cmp_precedence(&v("1.0.0")), Ordering::Less);
        assert_eq!(
            v("1.0.0-alpha.1").cmp_precedence(&v("1.0.0-alpha.beta")),
            Ordering::Less
        );
        assert_eq!(v("1.0.0+a").cmp_precedence(&v("1.0.0+b")), Ordering::Equal);
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_displays_back(s in "\\PC{0,24}") {
            if let Ok(parsed) = Version::parse(&s) {
                prop_assert_eq!(parsed.to_string(), s);
            }
        }

        #[test]
        fn four_part_round_trips(a in 0u64..1000, b in 0u64..1000, c in 0u64..1000, d in 0u64..1000) {
            let text = format!("{a}.{b}.{c}.{d}");
            let parsed = Version::parse(&text).unwrap();
            prop_assert_eq!(parsed.to_string(), text);
            prop_assert_eq!(parsed.fourth(), Some(d));
        }
    }
}
