//! The JSON contract (docs/json.md): documents with a `schema` field, built from views.
//! These DTOs are separate from core types so the contract changes only on purpose.

use serde::Serialize;

use crate::ledger::views::{EvidenceInfo, ReleaseInfo, ReleaseRef, StatusInfo};
use crate::model::Trailer;

pub const RELEASES_SCHEMA: &str = "git-rollback/releases/v1";
pub const STATUS_SCHEMA: &str = "git-rollback/status/v1";

#[derive(Serialize)]
pub struct ReleasesDoc<'a> {
    pub schema: &'static str,
    pub releases: Vec<ReleaseDto<'a>>,
    /// Releases not listed because of `--limit` (0 with `--all`).
    pub omitted: usize,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct ReleaseDto<'a> {
    pub tag: &'a str,
    pub version: &'a str,
    pub component: Option<&'a str>,
    pub commit: Option<&'a str>,
    pub annotated: bool,
    pub prerelease: bool,
    pub date: Option<String>,
    pub tagger: Option<String>,
    pub subject: &'a str,
    pub trailers: &'a [Trailer],
    pub live_in: Vec<&'a str>,
    /// The environments of `live_in` where no deploy record says so: assumed from the branch.
    pub assumed_live_in: Vec<&'a str>,
    pub bad_in: Vec<&'a str>,
    pub duplicate: bool,
    pub points_to: Option<crate::model::ObjectKind>,
}

impl<'a> From<&'a ReleaseInfo> for ReleaseDto<'a> {
    fn from(r: &'a ReleaseInfo) -> Self {
        ReleaseDto {
            tag: r.tag.as_str(),
            version: &r.version,
            component: r.component.name(),
            commit: r.commit.as_ref().map(|c| c.as_str()),
            annotated: r.annotated,
            prerelease: r.prerelease,
            date: r.date.map(|d| d.rfc3339()),
            tagger: r.tagger.as_ref().map(|p| p.to_string()),
            subject: &r.subject,
            trailers: &r.trailers,
            live_in: r.live_in.iter().map(|e| e.as_str()).collect(),
            assumed_live_in: r.assumed_live_in.iter().map(|e| e.as_str()).collect(),
            bad_in: r.bad_in.iter().map(|e| e.as_str()).collect(),
            duplicate: r.duplicate,
            points_to: r.not_a_commit,
        }
    }
}

#[derive(Serialize)]
pub struct StatusDoc<'a> {
    pub schema: &'static str,
    pub production_branch: Option<BranchDto<'a>>,
    pub environments: Vec<EnvDto<'a>>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct BranchDto<'a> {
    pub name: &'a str,
    pub commit: &'a str,
}

#[derive(Serialize)]
pub struct EnvDto<'a> {
    pub name: &'a str,
    pub component: Option<&'a str>,
    pub live: Option<LiveDto<'a>>,
    pub previous_stable: Option<RefDto<'a>>,
    pub bad: Vec<&'a str>,
    /// `null` when not counted, or when a shallow clone's history ends first (then
    /// `unreleased_at_least` says how many were found).
    pub unreleased_commits: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreleased_at_least: Option<usize>,
    pub last_drill: Option<DrillDto<'a>>,
}

/// The newest drill record of an environment.
#[derive(Serialize)]
pub struct DrillDto<'a> {
    pub tag: &'a str,
    pub time: String,
    pub passed: bool,
    pub from: &'a str,
    pub to: &'a str,
    pub strategy: &'a str,
}

#[derive(Serialize)]
pub struct RefDto<'a> {
    pub tag: &'a str,
    pub commit: Option<&'a str>,
}

impl<'a> From<&'a ReleaseRef> for RefDto<'a> {
    fn from(r: &'a ReleaseRef) -> Self {
        RefDto {
            tag: r.tag.as_str(),
            commit: r.commit.as_ref().map(|c| c.as_str()),
        }
    }
}

#[derive(Serialize)]
pub struct LiveDto<'a> {
    pub tag: &'a str,
    pub commit: Option<&'a str>,
    pub since: Option<String>,
    pub evidence: EvidenceDto<'a>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EvidenceDto<'a> {
    /// The newest record of the environment (`record_kind`: deploy, rollback or restore).
    Record {
        record_kind: &'static str,
        tag: &'a str,
        by: Option<String>,
    },
    /// No record: the newest stable release reachable from the production branch.
    ProductionBranch { branch: &'a str },
}

impl<'a> From<&'a StatusInfo> for EnvDto<'a> {
    fn from(s: &'a StatusInfo) -> Self {
        EnvDto {
            name: s.environment.as_str(),
            component: s.component.name(),
            live: s.live.as_ref().map(|l| LiveDto {
                tag: l.release.tag.as_str(),
                commit: l.release.commit.as_ref().map(|c| c.as_str()),
                since: l.since.map(|t| t.rfc3339()),
                evidence: match &l.evidence {
                    EvidenceInfo::Record { tag, kind, by } => EvidenceDto::Record {
                        record_kind: kind.as_str(),
                        tag: tag.as_str(),
                        by: by.as_ref().map(|p| p.to_string()),
                    },
                    EvidenceInfo::Branch { name } => EvidenceDto::ProductionBranch { branch: name },
                },
            }),
            previous_stable: s.previous_stable.as_ref().map(RefDto::from),
            bad: s.bad.iter().map(|t| t.as_str()).collect(),
            unreleased_commits: s.unreleased_commits.filter(|c| !c.cut).map(|c| c.commits),
            unreleased_at_least: s.unreleased_commits.filter(|c| c.cut).map(|c| c.commits),
            last_drill: s.last_drill.as_ref().map(|d| DrillDto {
                tag: d.tag.as_str(),
                time: d.time.rfc3339(),
                passed: d.passed,
                from: d.from.as_str(),
                to: d.to.as_str(),
                strategy: &d.strategy,
            }),
        }
    }
}

pub const HISTORY_SCHEMA: &str = "git-rollback/history/v1";
pub const SHOW_SCHEMA: &str = "git-rollback/show/v1";
pub const REPORT_SCHEMA: &str = "git-rollback/report/v1";

/// One timeline event (SPEC §10 `history`), also used by `show` and `report`.
#[derive(Serialize)]
pub struct EventDto<'a> {
    pub kind: &'static str,
    pub tag: &'a str,
    pub time: String,
    pub by: Option<String>,
    pub environment: Option<&'a str>,
    pub release: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub strategy: Option<&'a str>,
    pub reason: &'a str,
    pub incident: Option<&'a str>,
    pub subject: &'a str,
    /// For a restore: the rollback record it undid.
    pub rollback: Option<&'a str>,
    /// For a drill: whether it passed.
    pub passed: Option<bool>,
    pub format_version: u32,
}

impl<'a> From<&'a crate::ledger::history::Event> for EventDto<'a> {
    fn from(e: &'a crate::ledger::history::Event) -> Self {
        let tag = |t: &'a Option<crate::model::TagName>| t.as_ref().map(|t| t.as_str());
        EventDto {
            kind: e.kind.as_str(),
            tag: e.tag.as_str(),
            time: e.time.rfc3339(),
            by: e.by.as_ref().map(|p| p.to_string()),
            environment: e.environment.as_ref().map(|n| n.as_str()),
            release: tag(&e.release),
            from: tag(&e.from),
            to: tag(&e.to),
            strategy: e.strategy.as_deref(),
            reason: &e.reason,
            incident: e.incident.as_deref(),
            subject: &e.subject,
            rollback: tag(&e.rollback),
            passed: e.passed,
            format_version: e.format_version,
        }
    }
}

/// A tag named like a record that is not one.
#[derive(Serialize)]
pub struct MalformedDto<'a> {
    pub tag: &'a str,
    pub kind: &'static str,
    pub environment: &'a str,
    /// The time in its name.
    pub time: Option<String>,
    pub problem: &'a str,
}

impl<'a> From<&'a crate::ledger::history::MalformedRecord> for MalformedDto<'a> {
    fn from(m: &'a crate::ledger::history::MalformedRecord) -> Self {
        MalformedDto {
            tag: m.tag.as_str(),
            kind: m.kind.as_str(),
            environment: m.environment.as_str(),
            time: m.time.map(|t| t.rfc3339()),
            problem: &m.problem,
        }
    }
}

#[derive(Serialize)]
pub struct HistoryDoc<'a> {
    pub schema: &'static str,
    pub events: Vec<EventDto<'a>>,
    pub malformed: Vec<MalformedDto<'a>>,
    /// Older events left out by `--limit`.
    pub omitted: usize,
    pub warnings: Vec<String>,
}
