//! New releases: the next version for a bump, and the checks a new version must pass
//! (well-formed, not already tagged in any spelling, a name git accepts that reads back as a
//! release of its component). Pure.

use crate::model::Version;
use semver::Prerelease;

use super::Index;
use crate::config::Config;
use crate::model::{Component, TagClass, TagName};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    Patch,
    Minor,
    Major,
    /// The next pre-release: `1.3.0-rc.1` → `1.3.0-rc.2`; `1.2.3` → `1.2.4-rc.1`.
    Prerelease,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagRefusal {
    #[error("`{input}` is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0 or 1.4.0-rc.1): {reason}")]
    Malformed { input: String, reason: String },
    #[error("version {version} is already tagged as `{existing}`")]
    Exists { version: Version, existing: TagName },
    #[error("the tag name `{name}` is not one git accepts")]
    BadName { name: String },
    #[error("component `{component}` has no tag-template, so the tool cannot name its releases")]
    NoTemplate { component: Component },
    #[error(
        "the new tag `{name}` would not be read back as a release of {component} (check the release pattern and tag-template)"
    )]
    Inconsistent { name: String, component: Component },
    #[error("there is no release of {component} to bump yet")]
    NothingToBump { component: Component },
}

/// Parses a version as typed (`1.2.3` or `v1.2.3`).
pub fn parse_version(input: &str) -> Result<Version, TagRefusal> {
    let text = input.strip_prefix('v').unwrap_or(input);
    Version::parse(text).map_err(|e| TagRefusal::Malformed {
        input: input.to_owned(),
        reason: e.to_string(),
    })
}

fn taken(index: &Index, component: &Component, v: &Version) -> bool {
    !index.version_positions(component, v).is_empty()
}

/// The next version: `newest` is the newest release of the component, `line` the newest one
/// reachable from the commit being tagged (a patch continues that line: v1.2.4 after v1.2.3
/// on a hotfix branch even when v1.3.0 exists). Skips versions already taken.
pub fn next_version(
    index: &Index,
    component: &Component,
    bump: Bump,
    newest: Option<&Version>,
    line: Option<&Version>,
) -> Result<Version, TagRefusal> {
    let base = match bump {
        Bump::Patch | Bump::Prerelease => line.or(newest),
        Bump::Minor | Bump::Major => newest,
    }
    .ok_or_else(|| TagRefusal::NothingToBump {
        component: component.clone(),
    })?;
    let mut v = Version::new(base.major, base.minor, base.patch);
    if let Some(n) = base.fourth() {
        v = Version::parse(&format!("{v}.{n}")).expect("a four-part version");
    }
    match bump {
        Bump::Major => v = Version::new(base.major + 1, 0, 0),
        Bump::Minor => v = Version::new(base.major, base.minor + 1, 0),
        Bump::Patch if base.pre.is_empty() => v.bump_last(),
        Bump::Patch => {} // 1.3.0-rc.2 → 1.3.0
        Bump::Prerelease if base.pre.is_empty() => {
            v.bump_last();
            v.pre = Prerelease::new("rc.1").expect("valid");
        }
        Bump::Prerelease => v.pre = next_pre(&base.pre),
    }
    while taken(index, component, &v) {
        if v.pre.is_empty() {
            match bump {
                Bump::Major => v.major += 1,
                Bump::Minor => v.minor += 1,
                _ => v.bump_last(),
            }
        } else {
            v.pre = next_pre(&v.pre);
        }
    }
    Ok(v)
}

/// `rc.1` → `rc.2`, `beta` → `beta.1`.
fn next_pre(pre: &Prerelease) -> Prerelease {
    let text = pre.as_str();
    let next = match text.rsplit_once('.') {
        Some((head, n)) if n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{head}.{}", n.parse::<u64>().map_or(1, |n| n + 1))
        }
        _ if text.bytes().all(|b| b.is_ascii_digit()) => text.parse::<u64>().map_or(1, |n| n + 1).to_string(),
        _ => format!("{text}.1"),
    };
    Prerelease::new(&next).expect("incremented identifiers stay valid")
}

/// A new release that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    pub version: Version,
    pub tag: TagName,
    /// Not refusals: e.g. a version lower than the newest release.
    pub warnings: Vec<String>,
}

/// Checks a new version for `component` and names its tag.
pub fn check_new_release(
    index: &Index,
    config: &Config,
    component: &Component,
    version: Version,
) -> Result<NewRelease, TagRefusal> {
    if let Some(i) = index.version_positions(component, &version).next() {
        return Err(TagRefusal::Exists {
            version,
            existing: index.releases[i].entry.name.clone(),
        });
    }
    let name = config
        .release_tag_name(component, &version)
        .ok_or_else(|| TagRefusal::NoTemplate {
            component: component.clone(),
        })?;
    if !crate::model::is_valid_tag_name(&name) {
        return Err(TagRefusal::BadName { name });
    }
    match config.scheme.classify(&name) {
        TagClass::Release {
            component: c,
            version: v,
        } if &c == component && v == version => {}
        _ => {
            return Err(TagRefusal::Inconsistent {
                name,
                component: component.clone(),
            });
        }
    }
    let mut warnings = Vec::new();
    let same_component = || index.releases.iter().filter(|r| &r.component == component);
    if let Some(newest) = same_component().map(|r| &r.version).max_by(|a, b| a.cmp_precedence(b))
        && version.cmp_precedence(newest).is_lt()
    {
        let line_max = same_component()
            .filter(|r| r.version.major == version.major && r.version.minor == version.minor)
            .map(|r| &r.version)
            .max_by(|a, b| a.cmp_precedence(b));
        let continues_a_line = line_max.is_some_and(|m| version.cmp_precedence(m).is_gt());
        if !continues_a_line {
            warnings.push(format!("{version} is lower than the newest release {newest}"));
        }
    }
    Ok(NewRelease {
        version,
        tag: TagName::new(name),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Oid, TagEntry};

    fn index(names: &[&str]) -> Index {
        let tags = names
            .iter()
            .map(|n| TagEntry {
                name: TagName::new(*n),
                target: Oid::parse(&"1".repeat(40)).unwrap(),
            })
            .collect();
        Index::build(tags, &Config::defaults())
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn next(names: &[&str], bump: Bump, line: Option<&str>) -> String {
        let idx = index(names);
        let newest = idx.releases.first().map(|r| r.version.clone());
        let line = line.map(v);
        next_version(&idx, &Component::DEFAULT, bump, newest.as_ref(), line.as_ref())
            .unwrap()
            .to_string()
    }

    #[test]
    fn bumps_from_the_newest_release_and_the_line() {
        let tags = ["v1.2.3", "v1.3.0", "v1.3.1-rc.1"];
        assert_eq!(next(&tags, Bump::Major, None), "2.0.0");
        assert_eq!(next(&tags, Bump::Minor, None), "1.4.0");
        assert_eq!(
            next(&tags, Bump::Patch, None),
            "1.3.1",
            "a patch of a pre-release finishes it"
        );
        assert_eq!(next(&tags, Bump::Prerelease, None), "1.3.1-rc.2");
        assert_eq!(
            next(&tags, Bump::Patch, Some("1.2.3")),
            "1.2.4",
            "a hotfix continues its line"
        );
        assert_eq!(
            next(&["v1.2.3", "v1.2.4", "v1.3.0"], Bump::Patch, Some("1.2.3")),
            "1.2.5",
            "skips taken versions"
        );
        assert_eq!(next(&["v1.2.3"], Bump::Prerelease, None), "1.2.4-rc.1");
        assert_eq!(next(&["v2.0.0-beta"], Bump::Prerelease, None), "2.0.0-beta.1");
        let empty = index(&[]);
        assert!(matches!(
            next_version(&empty, &Component::DEFAULT, Bump::Patch, None, None),
            Err(TagRefusal::NothingToBump { .. })
        ));
    }

    #[test]
    fn refuses_existing_versions_in_any_spelling_and_malformed_ones() {
        let idx = index(&["1.2.3"]);
        let cfg = Config::defaults();
        let e = check_new_release(&idx, &cfg, &Component::DEFAULT, v("1.2.3")).unwrap_err();
        assert!(
            matches!(e, TagRefusal::Exists { ref existing, .. } if existing.as_str() == "1.2.3"),
            "{e}"
        );
        assert!(check_new_release(&idx, &cfg, &Component::DEFAULT, v("1.2.3+build.5")).is_err());
        for bad in ["1.2", "01.2.3", "1.2.3.4.5", "latest", "1.2.3-", ""] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_version("v1.4.0-rc.1").unwrap(), v("1.4.0-rc.1"));
    }

    #[test]
    fn warns_on_lower_versions_unless_they_continue_an_older_line() {
        let idx = index(&["v1.2.3", "v1.3.0"]);
        let cfg = Config::defaults();
        let ok = check_new_release(&idx, &cfg, &Component::DEFAULT, v("1.2.4")).unwrap();
        assert_eq!(ok.tag.as_str(), "v1.2.4");
        assert!(ok.warnings.is_empty());
        let low = check_new_release(&idx, &cfg, &Component::DEFAULT, v("1.1.0")).unwrap();
        assert_eq!(low.warnings.len(), 1);
    }

    #[test]
    fn a_component_without_template_cannot_be_tagged() {
        let cfg = Config::parse(
            "[components.web]\npattern = '^web/v(?P<version>.+)$'\n",
            "r.toml".as_ref(),
        )
        .unwrap();
        let web = cfg.component(Some("web")).unwrap().clone();
        let e = check_new_release(&Index::default(), &cfg, &web, v("1.0.0")).unwrap_err();
        assert!(matches!(e, TagRefusal::NoTemplate { .. }));
        let cfg = Config::parse("[release]\ntag-template = 'rel-{version}'\n", "r.toml".as_ref()).unwrap();
        let e = check_new_release(&Index::default(), &cfg, &Component::DEFAULT, v("1.0.0")).unwrap_err();
        assert!(matches!(e, TagRefusal::Inconsistent { .. }), "{e}");
    }
}
