//! `check`: a verdict line, then the items grouped with their details and hints, then the
//! recommendation; and the `git-rollback/check/v1` document.

use serde::Serialize;

use super::Output;
use crate::checklist::migrations::Migration;
use crate::checklist::{Item, Report, Side, Status};
use crate::model::EnvName;
use crate::model::range::RangeFacts;
use crate::plan::{Recommendation, Situation};
use crate::ui::sanitize;

/// Details shown per item without `-v`.
const DETAILS: usize = 6;

pub struct CheckView<'a> {
    pub environment: &'a EnvName,
    pub live: &'a Side,
    /// No record names the live release (it is the newest stable one on the production branch).
    pub live_assumed: bool,
    pub target: &'a Side,
    pub strategy_given: bool,
    pub report: &'a Report,
    pub recommendation: &'a Recommendation,
    pub situation: Situation,
    pub range: &'a RangeFacts,
    pub migrations: &'a [Migration],
}

fn group(id: &str) -> &'static str {
    match id.split('.').next() {
        Some("repo") => "Repository",
        Some("release") => "Releases",
        Some("commits") => "Commits",
        Some("revert") => "Revert preview",
        Some("migrations") => "Migrations",
        _ => "Config",
    }
}

fn situation_words(s: Situation) -> &'static str {
    match s {
        Situation::JustDeployed => "just deployed, issue found",
        Situation::Running => "running a while, the code must go back",
        Situation::Incident => "serious incident, restore the last complete version now",
    }
}

pub fn human(out: &Output, v: &CheckView<'_>) -> String {
    let s = &out.out_styles;
    let blocking = v.report.blocking();
    let warnings = v.report.items.iter().filter(|i| i.status == Status::Warn).count();
    let mut text = String::new();
    let verdict = if blocking.is_empty() {
        s.ok.apply_to(format!(
            "✓ Nothing blocks a {} rollback ({warnings} warning{})",
            v.report.strategy.as_str(),
            if warnings == 1 { "" } else { "s" }
        ))
    } else {
        let ids: Vec<&str> = blocking.iter().map(|i| i.id).collect();
        s.bad.apply_to(format!(
            "✗ Blocked: a {} rollback fails {}",
            v.report.strategy.as_str(),
            ids.join(", ")
        ))
    };
    text.push_str(&format!("{verdict}\n"));
    let judged = if v.strategy_given {
        "strategy"
    } else {
        "recommended strategy"
    };
    text.push_str(&format!(
        "{}: {} ({}) → {} (target), {} commit{}; judged for the {judged} {}\n",
        v.environment,
        s.live.apply_to(sanitize::line(v.live.tag.as_str())),
        if v.live_assumed { "assumed live" } else { "live" },
        s.version.apply_to(sanitize::line(v.target.tag.as_str())),
        v.range.total_commits,
        if v.range.total_commits == 1 { "" } else { "s" },
        s.heading.apply_to(v.report.strategy.as_str()),
    ));
    let mut last_group = "";
    for item in &v.report.items {
        let g = group(item.id);
        if g != last_group {
            text.push_str(&format!("\n{}\n", s.heading.apply_to(g)));
            last_group = g;
        }
        text.push_str(&item_lines(out, item));
    }
    if out.verbose > 0 {
        for f in &v.range.config {
            if let Some(diff) = &f.diff {
                text.push_str(&format!(
                    "\n{}\n",
                    s.heading
                        .apply_to(format!("Config diff (rolling back): {}", f.change.path))
                ));
                for line in sanitize::text(diff).lines() {
                    let styled = match line.chars().next() {
                        Some('+') if !line.starts_with("+++") => s.added.apply_to(line).to_string(),
                        Some('-') if !line.starts_with("---") => s.removed.apply_to(line).to_string(),
                        _ => line.to_owned(),
                    };
                    text.push_str(&format!("  {styled}\n"));
                }
            }
        }
    }
    let r = v.recommendation;
    text.push_str(&format!(
        "\n{} {} for \"{}\": {}\n",
        s.heading.apply_to("Recommended:"),
        s.live.apply_to(r.strategy.as_str()),
        situation_words(v.situation),
        sanitize::line(&r.reason),
    ));
    text
}

fn item_lines(out: &Output, item: &Item) -> String {
    let s = &out.out_styles;
    let (mark, style) = match item.status {
        Status::Pass => ("✓", &s.ok),
        Status::Warn => ("!", &s.warn),
        Status::Fail => ("✗", &s.bad),
        Status::Skipped => ("-", &s.dim),
    };
    let mut text = format!(
        "  {} {:<20} {}\n",
        style.apply_to(mark),
        item.id,
        sanitize::line(&item.summary)
    );
    let show_details = out.verbose > 0 || matches!(item.status, Status::Warn | Status::Fail);
    if show_details {
        let limit = if out.verbose > 0 { usize::MAX } else { DETAILS };
        for d in item.details.iter().take(limit) {
            text.push_str(&format!("      {}\n", s.dim.apply_to(sanitize::line(d))));
        }
        if item.details.len() > limit {
            text.push_str(&format!(
                "      {}\n",
                s.dim
                    .apply_to(format!("… {} more (-v shows all)", item.details.len() - limit))
            ));
        }
    }
    if let Some(h) = &item.hint
        && item.status != Status::Pass
    {
        text.push_str(&format!("      {} {}\n", s.hint.apply_to("hint:"), sanitize::line(h)));
    }
    text
}

#[derive(Serialize)]
pub struct CheckDoc<'a> {
    pub schema: &'static str,
    pub environment: &'a str,
    pub from: SideDto<'a>,
    pub to: SideDto<'a>,
    pub strategy: &'static str,
    pub situation: Situation,
    pub blocking: bool,
    pub items: Vec<ItemDto<'a>>,
    pub commits: Vec<CommitDto<'a>>,
    pub total_commits: usize,
    pub migrations: Vec<MigrationDto<'a>>,
    pub config: Vec<ConfigDto<'a>>,
    /// The in-memory revert preview; `null` when none was computed.
    pub revert: Option<RevertDto<'a>>,
    pub recommendation: &'a Recommendation,
}

#[derive(Serialize)]
pub struct RevertDto<'a> {
    pub onto: &'a str,
    /// The commits reverted, newest first.
    pub commits: Vec<&'a str>,
    pub clean: bool,
    pub conflict: Option<ConflictDto<'a>>,
    /// The tree the reverts produce, when clean.
    pub tree: Option<&'a str>,
    /// For each commit, the parent it is reverted to (`git revert -m`).
    pub mainlines: Vec<u32>,
    /// Commits whose revert would change nothing there (left out).
    pub empty: Vec<&'a str>,
    /// For a clean revert of the whole range: where it must land, and whether it does.
    pub landing: Option<LandingDto<'a>>,
}

#[derive(Serialize)]
pub struct LandingDto<'a> {
    /// The defined result: the merge of (base: live, ours: production tip, theirs: target).
    pub expected: &'a str,
    pub lands: bool,
    /// Paths where the reverts' result differs from the defined one.
    pub differs: &'a [String],
    /// Paths the defined merge cannot resolve (left for review).
    pub unresolved: &'a [String],
}

#[derive(Serialize)]
pub struct ConflictDto<'a> {
    pub commit: &'a str,
    pub paths: &'a [String],
}

#[derive(Serialize)]
pub struct SideDto<'a> {
    pub tag: &'a str,
    pub commit: &'a str,
    /// On `from` only: no record names it live; it is assumed (left out when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assumed_live: bool,
}

#[derive(Serialize)]
pub struct ItemDto<'a> {
    pub id: &'a str,
    pub status: Status,
    pub summary: &'a str,
    pub details: &'a [String],
    pub hint: Option<&'a str>,
}

#[derive(Serialize)]
pub struct CommitDto<'a> {
    pub commit: &'a str,
    pub subject: &'a str,
    pub author: String,
    pub merge: bool,
}

#[derive(Serialize)]
pub struct MigrationDto<'a> {
    pub path: &'a str,
    pub change: crate::model::range::ChangeKind,
    pub classification: crate::checklist::migrations::Classification,
    pub framework: &'a str,
    pub reason: &'a str,
}

#[derive(Serialize)]
pub struct ConfigDto<'a> {
    pub path: &'a str,
    pub change: crate::model::range::ChangeKind,
    pub binary: bool,
    pub diff: Option<&'a str>,
}

impl<'a> From<&'a crate::model::range::CommitInfo> for CommitDto<'a> {
    fn from(c: &'a crate::model::range::CommitInfo) -> Self {
        CommitDto {
            commit: c.id.as_str(),
            subject: &c.subject,
            author: c.author.to_string(),
            merge: c.is_merge(),
        }
    }
}

impl<'a> From<&'a crate::checklist::migrations::Migration> for MigrationDto<'a> {
    fn from(m: &'a crate::checklist::migrations::Migration) -> Self {
        MigrationDto {
            path: &m.path,
            change: m.change,
            classification: m.classification,
            framework: m.framework,
            reason: &m.reason,
        }
    }
}

impl<'a> From<&'a crate::model::range::FileChange> for ConfigDto<'a> {
    fn from(f: &'a crate::model::range::FileChange) -> Self {
        ConfigDto {
            path: &f.change.path,
            change: f.change.kind,
            binary: f.is_binary(),
            diff: f.diff.as_deref(),
        }
    }
}

/// `git-rollback/check/v1` (docs/json.md).
pub fn doc<'a>(v: &'a CheckView<'a>) -> CheckDoc<'a> {
    CheckDoc {
        schema: "git-rollback/check/v1",
        environment: v.environment.as_str(),
        from: SideDto {
            tag: v.live.tag.as_str(),
            commit: v.live.commit.as_str(),
            assumed_live: v.live_assumed,
        },
        to: SideDto {
            tag: v.target.tag.as_str(),
            commit: v.target.commit.as_str(),
            assumed_live: false,
        },
        strategy: v.report.strategy.as_str(),
        situation: v.situation,
        blocking: v.report.is_blocking(),
        items: v
            .report
            .items
            .iter()
            .map(|i| ItemDto {
                id: i.id,
                status: i.status,
                summary: &i.summary,
                details: &i.details,
                hint: i.hint.as_deref(),
            })
            .collect(),
        commits: v.range.commits.iter().map(CommitDto::from).collect(),
        total_commits: v.range.total_commits,
        migrations: v.migrations.iter().map(MigrationDto::from).collect(),
        config: v.range.config.iter().map(ConfigDto::from).collect(),
        revert: v.range.revert.as_ref().map(|r| RevertDto {
            onto: r.onto.as_str(),
            commits: r.commits.iter().map(|c| c.commit.as_str()).collect(),
            mainlines: r.commits.iter().map(|c| c.mainline).collect(),
            empty: r.empty.iter().map(|c| c.as_str()).collect(),
            landing: r.landing.as_ref().map(|l| LandingDto {
                expected: l.expected.as_str(),
                lands: l.differs.is_empty(),
                differs: &l.differs,
                unresolved: &l.unresolved,
            }),
            clean: r.conflict.is_none(),
            conflict: r.conflict.as_ref().map(|(c, paths)| ConflictDto {
                commit: c.as_str(),
                paths,
            }),
            tree: r.tree.as_ref().map(|t| t.as_str()),
        }),
        recommendation: v.recommendation,
    }
}
