//! Classifying every tag by its name: releases (sorted by version), record candidates
//! (by environment, newest first), malformed release names and the rest.

use std::cmp::Ordering;

use crate::config::Config;
use crate::model::Version;
use crate::model::{Component, EnvName, RecordKind, Release, TagClass, TagEntry, TagName};

fn sorted_indices(n: usize, cmp: impl Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| cmp(a, b));
    idx
}

/// The elements of `items` in the order of `order` (a permutation of its indices).
fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().map(|&i| slots[i].take().expect("a permutation")).collect()
}

/// A tag whose name looks like a record (its trailers still have to confirm it).
#[derive(Debug, Clone)]
pub struct RecordCandidate {
    pub entry: TagEntry,
    pub kind: RecordKind,
    pub environment: EnvName,
    /// Compact UTC time from the name (fixed width, sorts as text).
    pub time: String,
    pub seq: u64,
}

impl RecordCandidate {
    /// Newest first: time, then sequence number, then name.
    pub fn newest_first(a: &RecordCandidate, b: &RecordCandidate) -> Ordering {
        b.time
            .cmp(&a.time)
            .then(b.seq.cmp(&a.seq))
            .then_with(|| b.entry.name.cmp(&a.entry.name))
    }
}

/// A tag that matched a release pattern but holds no valid semantic version.
#[derive(Debug, Clone)]
pub struct Malformed {
    pub name: TagName,
    pub reason: String,
}

/// A configured component that no tag matches, with the tags that look like its releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub component: Component,
    pub pattern: String,
    /// Tags (at most `NEAR_MISSES`) whose name before the version resembles the component's.
    pub near: Vec<TagName>,
}

const NEAR_MISSES: usize = 3;

/// A tag name's stem: the text before its first digit, lowercased, without the separators and
/// the `v` that usually come before a version (`API-v1.2.0` → `api`).
fn stem(name: &str) -> String {
    let head = &name[..name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len())];
    let head = head.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let head = head.strip_suffix(['v', 'V']).unwrap_or(head);
    head.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase()
}

/// Whether a tag's stem resembles a component's name: equal, one containing the other, or a
/// couple of typos apart (`strsim`'s Levenshtein distance).
fn resembles(stem: &str, component: &str) -> bool {
    let component = component.to_ascii_lowercase();
    !stem.is_empty()
        && (stem.contains(&component)
            || (stem.len() >= 2 && component.contains(stem))
            || strsim::levenshtein(stem, &component) <= 2.min(component.len() / 3))
}

/// All tags, classified by name.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Grouped by component (in config order), newest version first within a component.
    pub releases: Vec<Release>,
    /// Record candidates, newest first across all environments.
    pub records: Vec<RecordCandidate>,
    pub malformed: Vec<Malformed>,
    /// Tags that are neither releases nor records.
    pub other: Vec<TagName>,
    /// The scheme and component order the releases were classified and sorted with.
    scheme: Option<crate::model::ReleaseScheme>,
    ranks: Vec<Component>,
}

impl Index {
    pub fn build(tags: Vec<TagEntry>, config: &Config) -> Index {
        let mut index = Index::default();
        let mut classifier = config.scheme.classifier();
        let templates: Vec<_> = RecordKind::ALL.iter().map(|k| (*k, config.records.get(*k))).collect();
        'tags: for entry in tags {
            let name = entry.name.as_str();
            for (kind, template) in &templates {
                if let Some(parts) = template.recognise(name)
                    && let Ok(environment) = EnvName::parse(parts.env)
                {
                    let (time, seq) = (parts.time.to_owned(), parts.seq);
                    index.records.push(RecordCandidate {
                        entry,
                        kind: *kind,
                        environment,
                        time,
                        seq,
                    });
                    continue 'tags;
                }
            }
            match classifier.classify(name) {
                TagClass::Release { component, version } => index.releases.push(Release {
                    entry,
                    component,
                    version,
                }),
                TagClass::Malformed { version, reason, .. } => index.malformed.push(Malformed {
                    name: entry.name,
                    reason: format!("`{version}`: {reason}"),
                }),
                TagClass::Other => index.other.push(entry.name),
            }
        }
        // Rank each release's component once, sort indices (the structs are large: moving them
        // in a sort of 100,000 costs more than the comparisons), then move each element once.
        index.scheme = Some(config.scheme.clone());
        index.ranks = config.scheme.components().cloned().collect();
        let order: Vec<&Component> = config.scheme.components().collect();
        let rank: Vec<usize> = index
            .releases
            .iter()
            .map(|r| order.iter().position(|o| **o == r.component).unwrap_or(usize::MAX))
            .collect();
        let releases = &index.releases;
        let sorted = sorted_indices(releases.len(), |a, b| {
            rank[a]
                .cmp(&rank[b])
                .then_with(|| Release::newest_first(&releases[a], &releases[b]))
        });
        index.releases = permute(std::mem::take(&mut index.releases), &sorted);
        let records = &index.records;
        let sorted = sorted_indices(records.len(), |a, b| {
            RecordCandidate::newest_first(&records[a], &records[b])
        });
        index.records = permute(std::mem::take(&mut index.records), &sorted);
        index
    }

    /// The position of the release tagged `name`: classify the name, then look among the
    /// releases of its (component, version).
    pub fn release_position(&self, name: &TagName) -> Option<usize> {
        let TagClass::Release { component, version } = self.scheme.as_ref()?.classify(name.as_str()) else {
            return None;
        };
        self.version_positions(&component, &version)
            .find(|i| &self.releases[*i].entry.name == name)
    }

    /// The positions of the releases of `component` at `version` (more than one when a version
    /// is tagged twice): a binary search of the sorted releases.
    pub fn version_positions(&self, component: &Component, version: &Version) -> std::ops::Range<usize> {
        let rank_of = |c: &Component| self.ranks.iter().position(|r| r == c).unwrap_or(usize::MAX);
        let rank = rank_of(component);
        let start = self.releases.partition_point(|r| {
            let rr = rank_of(&r.component);
            rr < rank || (rr == rank && r.version.cmp_precedence(version).is_gt())
        });
        let len = self.releases[start..]
            .iter()
            .take_while(|r| &r.component == component && r.version.cmp_precedence(version).is_eq())
            .count();
        start..start + len
    }

    /// Environments: the configured ones in order, then any others that records name, sorted.
    pub fn environments(&self, config: &Config) -> Vec<EnvName> {
        let mut envs = config.environments.clone();
        let mut extra: Vec<EnvName> = self
            .records
            .iter()
            .map(|r| r.environment.clone())
            .filter(|e| !envs.contains(e))
            .collect();
        extra.sort();
        extra.dedup();
        envs.extend(extra);
        envs
    }

    /// Components that have at least one release, in config order.
    pub fn components(&self) -> Vec<Component> {
        let mut out: Vec<Component> = Vec::new();
        for r in &self.releases {
            if out.last() != Some(&r.component) {
                out.push(r.component.clone());
            }
        }
        out
    }

    /// Named components that no tag matches (neither a release nor a malformed one), each with
    /// up to three unmatched tags that look like its releases: a prefix or pattern that is
    /// slightly off is the usual cause.
    pub fn unmatched_components(&self) -> Vec<Unmatched> {
        let Some(scheme) = &self.scheme else { return Vec::new() };
        let mut classifier = scheme.classifier();
        let has_tag = |c: &Component| self.releases.iter().any(|r| &r.component == c);
        let mut malformed_of: Vec<Component> = Vec::new();
        for m in &self.malformed {
            if let TagClass::Malformed { component, .. } = classifier.classify(m.name.as_str()) {
                malformed_of.push(component);
            }
        }
        scheme
            .patterns
            .iter()
            .filter_map(|p| {
                let name = p.component.name()?;
                if has_tag(&p.component) || malformed_of.contains(&p.component) {
                    return None;
                }
                let near = self
                    .other
                    .iter()
                    .filter(|t| t.as_str().contains(|c: char| c.is_ascii_digit()) && resembles(&stem(t.as_str()), name))
                    .take(NEAR_MISSES)
                    .cloned()
                    .collect();
                Some(Unmatched {
                    component: p.component.clone(),
                    pattern: p.pattern.as_str().to_owned(),
                    near,
                })
            })
            .collect()
    }

    /// The default component's pattern, when tags exist but none is a release: the setting to
    /// look at.
    pub fn no_release_matches(&self) -> Option<&str> {
        if !self.releases.is_empty() || !self.malformed.is_empty() || self.other.is_empty() {
            return None;
        }
        let scheme = self.scheme.as_ref()?;
        Some(
            scheme
                .patterns
                .iter()
                .find(|p| p.component == Component::DEFAULT)
                .map_or("", |p| p.pattern.as_str()),
        )
    }

    /// Groups of releases that share a version within a component (e.g. `v1.2.3` and `1.2.3`).
    pub fn duplicate_versions(&self) -> Vec<Vec<usize>> {
        let mut groups = Vec::new();
        let mut i = 0;
        while i < self.releases.len() {
            let mut j = i + 1;
            while j < self.releases.len() && self.releases[i].same_version(&self.releases[j]) {
                j += 1;
            }
            if j - i > 1 {
                groups.push((i..j).collect());
            }
            i = j;
        }
        groups
    }
}
