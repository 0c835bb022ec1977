//! Plain views of the ledger for rendering: one release with everything known about it, one
//! environment with its releases resolved to tags and commits.

use super::{EnvStatus, Evidence, Resolver};
use crate::model::{Component, EnvName, ObjectKind, Oid, Person, RecordKind, TagName, Timestamp, Trailer};

#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub tag: TagName,
    pub version: String,
    pub component: Component,
    /// The peeled commit; `None` when the tag could not be read or points at no commit.
    pub commit: Option<Oid>,
    /// What the tag points at when it is not a commit.
    pub not_a_commit: Option<ObjectKind>,
    pub annotated: bool,
    pub prerelease: bool,
    pub date: Option<Timestamp>,
    pub tagger: Option<Person>,
    pub subject: String,
    /// The whole annotation message (raw text; renderers sanitise).
    pub message: String,
    pub trailers: Vec<Trailer>,
    pub live_in: Vec<EnvName>,
    /// The environments of `live_in` where no record says so (assumed from the branch).
    pub assumed_live_in: Vec<EnvName>,
    pub bad_in: Vec<EnvName>,
    /// Another tag carries the same version.
    pub duplicate: bool,
}

/// Everything known about the release at `index`. Reads its tag object.
pub fn release_info(resolver: &Resolver<'_>, index: usize, statuses: &[EnvStatus], duplicate: bool) -> ReleaseInfo {
    let release = &resolver.index.releases[index];
    let object = resolver.object(&release.entry);
    let annotation = object.as_ref().and_then(|o| o.annotation.as_ref());
    let commit = resolver.release_commit(index);
    let not_a_commit = object
        .as_ref()
        .map(|o| o.points_to)
        .filter(|k| *k != ObjectKind::Commit);
    let envs = |pick: &dyn Fn(&EnvStatus) -> bool| -> Vec<EnvName> {
        let mut v: Vec<EnvName> = statuses
            .iter()
            .filter(|s| pick(s))
            .map(|s| s.environment.clone())
            .collect();
        v.dedup();
        v
    };
    ReleaseInfo {
        tag: release.entry.name.clone(),
        version: release.version.to_string(),
        component: release.component.clone(),
        commit,
        not_a_commit,
        annotated: annotation.is_some(),
        prerelease: release.is_prerelease(),
        date: annotation
            .and_then(|a| a.time)
            .or_else(|| object.as_ref().and_then(|o| o.commit_time)),
        tagger: annotation.and_then(|a| a.tagger.clone()),
        subject: match annotation {
            Some(a) => a.subject(),
            None => object
                .as_ref()
                .and_then(|o| o.commit_subject.clone())
                .unwrap_or_default(),
        },
        message: annotation.map(|a| a.text().into_owned()).unwrap_or_default(),
        trailers: annotation.map(|a| a.trailers()).unwrap_or_default(),
        live_in: envs(&|s| s.live.as_ref().is_some_and(|l| l.release == index)),
        assumed_live_in: envs(&|s| {
            s.live
                .as_ref()
                .is_some_and(|l| l.release == index && matches!(l.evidence, super::Evidence::Branch { .. }))
        }),
        bad_in: envs(&|s| s.bad.contains(&index)),
        duplicate,
    }
}

/// A release named by tag and commit.
#[derive(Debug, Clone)]
pub struct ReleaseRef {
    pub tag: TagName,
    pub commit: Option<Oid>,
}

#[derive(Debug, Clone)]
pub enum EvidenceInfo {
    Record {
        tag: TagName,
        kind: RecordKind,
        by: Option<Person>,
    },
    Branch {
        name: String,
    },
}

#[derive(Debug, Clone)]
pub struct LiveInfo {
    pub release: ReleaseRef,
    pub since: Option<Timestamp>,
    pub evidence: EvidenceInfo,
}

#[derive(Debug, Clone)]
pub struct StatusInfo {
    pub environment: EnvName,
    pub component: Component,
    pub live: Option<LiveInfo>,
    pub previous_stable: Option<ReleaseRef>,
    pub bad: Vec<TagName>,
    pub unreleased_commits: Option<crate::model::CommitCount>,
    pub last_drill: Option<DrillInfo>,
}

/// The newest drill of an environment.
#[derive(Debug, Clone)]
pub struct DrillInfo {
    pub tag: TagName,
    pub time: Timestamp,
    pub passed: bool,
    pub from: TagName,
    pub to: TagName,
    pub strategy: String,
}

pub fn status_info(resolver: &Resolver<'_>, status: &EnvStatus) -> StatusInfo {
    let reference = |i: usize| ReleaseRef {
        tag: resolver.index.releases[i].entry.name.clone(),
        commit: resolver.release_commit(i),
    };
    StatusInfo {
        environment: status.environment.clone(),
        component: status.component.clone(),
        live: status.live.as_ref().map(|l| LiveInfo {
            release: reference(l.release),
            since: l.since,
            evidence: match &l.evidence {
                Evidence::Record { tag, kind, by } => EvidenceInfo::Record {
                    tag: tag.clone(),
                    kind: *kind,
                    by: by.clone(),
                },
                Evidence::Branch { name } => EvidenceInfo::Branch { name: name.clone() },
            },
        }),
        previous_stable: status.previous_stable.map(reference),
        bad: status
            .bad
            .iter()
            .map(|i| resolver.index.releases[*i].entry.name.clone())
            .collect(),
        unreleased_commits: status.unreleased_commits,
        // Read only here, for `status`: the other users of EnvStatus have no use for it.
        last_drill: resolver.last_drill(&status.environment).and_then(|r| match &r.detail {
            crate::model::record::RecordDetail::Drill {
                from,
                to,
                strategy,
                passed,
            } => Some(DrillInfo {
                tag: r.tag.clone(),
                time: r.time,
                passed: *passed,
                from: from.clone(),
                to: to.clone(),
                strategy: strategy.clone(),
            }),
            _ => None,
        }),
    }
}
