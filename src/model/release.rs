//! Releases: which tag names are releases (by pattern, per component) and how they order (semver).

use std::cmp::Ordering;

use regex::Regex;

use super::{Component, TagEntry};

/// One component's release pattern: a regex with a named `version` group.
#[derive(Debug, Clone)]
pub struct ComponentPattern {
    pub component: Component,
    pub pattern: Regex,
    /// How a new release of this component is named (`v{version}`), if the tool may tag it.
    pub tag_template: Option<String>,
}

/// How tag names map to releases. Patterns are tried in order; the first match wins.
#[derive(Debug, Clone)]
pub struct ReleaseScheme {
    pub patterns: Vec<ComponentPattern>,
}

/// What a tag name is, judged by its name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagClass {
    Release {
        component: Component,
        version: super::Version,
    },
    /// Matched a release pattern, but the version is neither semver nor four-part numeric.
    Malformed {
        component: Component,
        version: String,
        reason: String,
    },
    Other,
}

impl ReleaseScheme {
    pub fn classify(&self, name: &str) -> TagClass {
        self.classifier().classify(name)
    }

    /// A classifier that reuses its capture buffers: for classifying many names.
    pub fn classifier(&self) -> Classifier<'_> {
        Classifier {
            scheme: self,
            slots: self
                .patterns
                .iter()
                .map(|p| {
                    let group = p
                        .pattern
                        .capture_names()
                        .position(|n| n == Some("version"))
                        .unwrap_or(0);
                    (p.pattern.capture_locations(), group)
                })
                .collect(),
        }
    }

    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.patterns.iter().map(|p| &p.component)
    }
}

/// Classifies tag names without allocating per name (see `ReleaseScheme::classifier`).
pub struct Classifier<'s> {
    scheme: &'s ReleaseScheme,
    slots: Vec<(regex::CaptureLocations, usize)>,
}

impl Classifier<'_> {
    pub fn classify(&mut self, name: &str) -> TagClass {
        for (p, (locs, group)) in self.scheme.patterns.iter().zip(self.slots.iter_mut()) {
            if p.pattern.captures_read(locs, name).is_none() {
                continue;
            }
            let Some((start, end)) = locs.get(*group) else {
                continue;
            };
            let v = &name[start..end];
            return match super::Version::parse(v) {
                Ok(version) => TagClass::Release {
                    component: p.component.clone(),
                    version,
                },
                Err(e) => TagClass::Malformed {
                    component: p.component.clone(),
                    version: v.to_owned(),
                    reason: e.to_string(),
                },
            };
        }
        TagClass::Other
    }
}

/// A release tag, known from its name (cheap); its object is read only when needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub entry: TagEntry,
    pub component: Component,
    pub version: super::Version,
}

impl Release {
    pub fn is_prerelease(&self) -> bool {
        !self.version.pre.is_empty()
    }

    /// Newest first: higher version first; equal versions (`v1.2.3` and `1.2.3`, or differing
    /// only in build metadata) by tag name, so the order is total and stable.
    pub fn newest_first(a: &Release, b: &Release) -> Ordering {
        b.version
            .cmp_precedence(&a.version)
            .then_with(|| a.entry.name.cmp(&b.entry.name))
    }

    /// Same version for ordering purposes (semver precedence ignores build metadata).
    pub fn same_version(&self, other: &Release) -> bool {
        self.component == other.component && self.version.cmp_precedence(&other.version) == Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Oid, TagName};
    use proptest::prelude::*;

    fn scheme() -> ReleaseScheme {
        ReleaseScheme {
            patterns: vec![
                ComponentPattern {
                    component: Component::named("api").unwrap(),
                    pattern: Regex::new(r"^api-v(?P<version>.+)$").unwrap(),
                    tag_template: None,
                },
                ComponentPattern {
                    component: Component::DEFAULT,
                    pattern: Regex::new(r"^v?(?P<version>\d+\.\d+\.\d+(?:[-+].*)?)$").unwrap(),
                    tag_template: None,
                },
            ],
        }
    }

    fn release(name: &str) -> Release {
        match scheme().classify(name) {
            TagClass::Release { component, version } => Release {
                entry: TagEntry {
                    name: TagName::new(name),
                    target: Oid::parse(&"a".repeat(40)).unwrap(),
                },
                component,
                version,
            },
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn classifies_by_pattern_and_component() {
        assert!(
            matches!(scheme().classify("api-v1.2.3"), TagClass::Release { component, .. } if component.name() == Some("api"))
        );
        assert!(
            matches!(scheme().classify("1.2.3"), TagClass::Release { component, .. } if component == Component::DEFAULT)
        );
        assert!(matches!(scheme().classify("v01.2.3"), TagClass::Malformed { .. }));
        assert!(matches!(scheme().classify("api-vX"), TagClass::Malformed { .. }));
        assert_eq!(scheme().classify("latest"), TagClass::Other);
        assert_eq!(scheme().classify("v1.2"), TagClass::Other);
    }

    #[test]
    fn orders_by_semver_not_by_name() {
        let mut rs: Vec<Release> = [
            "v1.10.0",
            "v1.2.0",
            "v1.2.0-rc.1",
            "v1.2.0-rc.10",
            "v1.2.0-rc.2",
            "v1.9.9",
            "v2.0.0-alpha",
        ]
        .iter()
        .map(|n| release(n))
        .collect();
        rs.sort_by(Release::newest_first);
        let names: Vec<&str> = rs.iter().map(|r| r.entry.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "v2.0.0-alpha",
                "v1.10.0",
                "v1.9.9",
                "v1.2.0",
                "v1.2.0-rc.10",
                "v1.2.0-rc.2",
                "v1.2.0-rc.1"
            ]
        );
        assert!(release("v1.2.0-rc.1").is_prerelease());
    }

    #[test]
    fn equal_versions_are_detected_and_ordered_by_name() {
        let (a, b) = (release("1.2.3"), release("v1.2.3+build.7"));
        assert!(a.same_version(&b));
        assert_eq!(Release::newest_first(&a, &b), Ordering::Less);
    }

    proptest! {
        #[test]
        fn ordering_is_a_total_order_consistent_with_semver(
            xs in proptest::collection::vec((0u64..4, 0u64..4, 0u64..4, proptest::option::of(0u64..3)), 2..12)
        ) {
            let mut rs: Vec<Release> = xs.iter().map(|(a, b, c, pre)| {
                let name = match pre { Some(p) => format!("v{a}.{b}.{c}-rc.{p}"), None => format!("v{a}.{b}.{c}") };
                release(&name)
            }).collect();
            rs.sort_by(Release::newest_first);
            for w in rs.windows(2) {
                prop_assert!(w[0].version.cmp_precedence(&w[1].version) != Ordering::Less);
                prop_assert_eq!(Release::newest_first(&w[0], &w[1]), Release::newest_first(&w[1], &w[0]).reverse());
            }
        }
    }
}
