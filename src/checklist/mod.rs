//! The pre-rollback checklist (SPEC §6): every item runs, each a pure function of the gathered
//! facts, the request and the config, returning a status, a one-line summary, details and, for
//! a failure, a hint naming the fix or the override. `gate` is the only way to a checked plan.

mod commits;
mod config_files;
pub mod migrations;
mod releases;
mod repository;
mod revert;

use serde::Serialize;

use crate::config::Config;
use crate::model::range::{RangeFacts, RepoFacts};
use crate::model::{EnvName, Oid, RepoState, TagName, Timestamp};
use crate::plan::{Findings, Strategy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skipped,
    Warn,
    Fail,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Stable id (docs/checklist.md).
    pub id: &'static str,
    pub status: Status,
    pub summary: String,
    pub details: Vec<String>,
    /// For a failure (and some warnings): the fix or the override.
    pub hint: Option<String>,
}

impl Item {
    fn new(id: &'static str, status: Status, summary: impl Into<String>) -> Self {
        Item {
            id,
            status,
            summary: summary.into(),
            details: Vec::new(),
            hint: None,
        }
    }
    fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Every id, in report order.
pub const IDS: &[&str] = &[
    "repo.shallow",
    "repo.operation",
    "repo.worktree",
    "repo.upstream",
    "repo.fetch",
    "release.live",
    "release.target",
    "release.tags",
    "commits.range",
    "commits.merges",
    "commits.reverted",
    "commits.built-upon",
    "revert.preview",
    "migrations.changed",
    "config.changed",
];

/// Checks that every id named in `[checks]` exists; the error names the unknown id.
pub fn validate_overrides(config: &Config) -> Result<(), String> {
    let c = &config.checks;
    for (key, ids) in [("checks.warn-only", &c.warn_only), ("checks.skip", &c.skip)] {
        if let Some(bad) = ids.iter().find(|id| !IDS.contains(&id.as_str())) {
            return Err(format!(
                "`{key}` names `{bad}`, which is not a checklist item (ids: {})",
                IDS.join(", ")
            ));
        }
    }
    Ok(())
}

/// One side of the rollback.
#[derive(Debug, Clone)]
pub struct Side {
    pub tag: TagName,
    pub commit: Oid,
    pub annotated: bool,
    pub prerelease: bool,
    pub bad: bool,
    pub duplicate: bool,
}

/// Everything the checklist reads.
pub struct Input<'a> {
    pub config: &'a Config,
    pub state: &'a RepoState,
    pub repo: &'a RepoFacts,
    pub range: &'a RangeFacts,
    /// What a revert reverts and leaves out (`plan::chain::chain` of `range`).
    pub chain: &'a crate::plan::chain::Chain,
    pub environment: &'a EnvName,
    pub live: &'a Side,
    /// How the live release is known, in words (`deploy record deploy/production/…`).
    pub live_evidence: &'a str,
    pub live_from_record: bool,
    pub target: &'a Side,
    pub production_branch: Option<&'a str>,
    pub now: Timestamp,
    /// `--allow-bad`: a target marked bad warns instead of failing.
    pub allow_bad: bool,
    /// The changed migrations, classified once (`migrations::classify_all`).
    pub migrations: &'a [migrations::Migration],
}

/// The checklist's result.
#[derive(Debug, Clone)]
pub struct Report {
    pub strategy: Strategy,
    pub items: Vec<Item>,
}

impl Report {
    pub fn blocking(&self) -> Vec<&Item> {
        self.items.iter().filter(|i| i.status == Status::Fail).collect()
    }
    pub fn is_blocking(&self) -> bool {
        self.items.iter().any(|i| i.status == Status::Fail)
    }
}

/// The findings that can change the recommended strategy.
pub fn findings(input: &Input<'_>) -> Findings {
    Findings {
        irreversible_migration: input
            .migrations
            .iter()
            .any(|m| m.classification == migrations::Classification::Irreversible),
        revert_conflict: revert::blocker(input),
        shallow: input.state.shallow,
        target_not_ancestor: !input.range.target_is_ancestor && input.range.history_cut.is_none(),
    }
}

/// Runs every item for `strategy`, then applies the config's per-id overrides.
pub fn run(input: &Input<'_>, strategy: Strategy) -> Report {
    let mut items = Vec::new();
    items.extend(repository::check(input));
    items.extend(releases::check(input, strategy));
    items.extend(commits::check(input));
    items.push(revert::check(input, strategy));
    items.push(migrations::check(input, strategy));
    items.push(config_files::check(input));
    unreadable(&mut items, input);
    for item in &mut items {
        if input.config.checks.skip.iter().any(|id| id == item.id) {
            item.status = Status::Skipped;
            item.summary = format!("skipped by rollback.toml ({})", item.summary);
        } else if item.status == Status::Fail && input.config.checks.warn_only.iter().any(|id| id == item.id) {
            item.status = Status::Warn;
            item.summary.push_str(" (downgraded to a warning by rollback.toml)");
        }
    }
    debug_assert_eq!(items.iter().map(|i| i.id).collect::<Vec<_>>(), IDS);
    Report { strategy, items }
}

/// A migration or config file whose contents this clone lacks was judged as if that side did
/// not exist: its item says so, and at least warns (a missing migration is judged unknown).
fn unreadable(items: &mut [Item], input: &Input<'_>) {
    for (id, is_kind) in [
        ("migrations.changed", &input.config.migrations),
        ("config.changed", &input.config.config_paths),
    ] {
        let lacking: Vec<String> = input
            .range
            .missing
            .iter()
            .filter(|m| is_kind.is_match(&m.path))
            .map(|m| format!("cannot read {m}: this clone lacks it"))
            .collect();
        if lacking.is_empty() {
            continue;
        }
        if let Some(item) = items.iter_mut().find(|i| i.id == id) {
            item.status = item.status.max(Status::Warn);
            item.summary.push_str(&format!(
                "; {} file{} could not be read",
                lacking.len(),
                if lacking.len() == 1 { "" } else { "s" }
            ));
            item.details.extend(lacking);
            item.hint.get_or_insert_with(|| {
                "fetch the missing objects (git fetch --refetch), or run in a complete clone".to_owned()
            });
        }
    }
    if !input.range.renames_found {
        for item in items
            .iter_mut()
            .filter(|i| i.id == "migrations.changed" || i.id == "config.changed")
        {
            item.details.push(
                "renames were not looked for: this clone lacks a file that rename detection reads, \
                 so a renamed file counts as deleted and added"
                    .to_owned(),
            );
        }
    }
}

/// The checklist of a restore: the repository state and whether reverting the rollback's
/// commits applies on the production branch (`conflict`).
pub fn restore_report(state: &RepoState, conflict: Option<&(Oid, Vec<String>)>) -> Report {
    let mut items = vec![
        if state.shallow {
            Item::new("repo.shallow", Status::Warn, "this is a shallow clone").hint("git fetch --unshallow --tags")
        } else {
            Item::new("repo.shallow", Status::Pass, "full history")
        },
        match &state.operation {
            Some(op) => Item::new("repo.operation", Status::Fail, format!("a {op} is in progress"))
                .hint("finish or abort it first (`git status` says how)"),
            None => Item::new("repo.operation", Status::Pass, "no operation in progress"),
        },
    ];
    items.push(match conflict {
        None => Item::new(
            "revert.preview",
            Status::Pass,
            "reverting the rollback's commits applies cleanly",
        ),
        Some((c, paths)) => Item::new(
            "revert.preview",
            Status::Fail,
            format!("reverting {} conflicts in {}", c.short(), paths.join(", ")),
        )
        .details(paths.clone())
        .hint("restore by hand: git revert the rollback's commits and resolve the conflicts"),
    });
    Report {
        strategy: Strategy::Restore,
        items,
    }
}

/// A plan that passed the checklist. Only `gate` makes one, so holding it proves the checks ran.
#[derive(Debug)]
pub struct Checked<T> {
    plan: T,
}

impl<T> Checked<T> {
    pub fn plan(&self) -> &T {
        &self.plan
    }
    pub fn into_plan(self) -> T {
        self.plan
    }
}

/// The checklist refused: the blocking items.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub items: Vec<Item>,
}

/// Turns a plan and its report into a checked plan, or a refusal listing the blocking items.
pub fn gate<T>(plan: T, report: &Report) -> Result<Checked<T>, Blocked> {
    let blocking: Vec<Item> = report.blocking().into_iter().cloned().collect();
    if blocking.is_empty() {
        Ok(Checked { plan })
    } else {
        Err(Blocked { items: blocking })
    }
}

use crate::model::some_of as some;

pub use commits::{LeftOut, left_out};

#[cfg(test)]
mod tests;
