//! Classifying every tag by its name: releases (sorted by version), record candidates
//! (by environment, newest first), malformed release names and the rest.

use std::cmp::Ordering;

use crate::config::Config;
use crate::model::{Component, EnvName, RecordKind, Release, TagClass, TagEntry, TagName};

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
}

impl Index {
    pub fn build(tags: Vec<TagEntry>, config: &Config) -> Index {
        let mut index = Index::default();
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
            match config.scheme.classify(name) {
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
        let order: Vec<&Component> = config.scheme.components().collect();
        let rank = |c: &Component| order.iter().position(|o| *o == c).unwrap_or(usize::MAX);
        index.releases.sort_by(|a, b| {
            rank(&a.component)
                .cmp(&rank(&b.component))
                .then_with(|| Release::newest_first(a, b))
        });
        index.records.sort_by(RecordCandidate::newest_first);
        index
    }

    /// The position of the release tagged `name`.
    pub fn release_position(&self, name: &TagName) -> Option<usize> {
        self.releases.iter().position(|r| &r.entry.name == name)
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
