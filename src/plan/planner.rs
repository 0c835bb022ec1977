//! The planner: turns a decided request and the gathered facts into a `Plan`. Pure: the
//! caller reads the repository, renders names from the config, and passes plain data in.

use super::Strategy;
use super::document::*;
use crate::model::range::{CommitInfo, RevertPreview};
use crate::model::{EnvName, Oid};

/// The ref that serialises operations on one environment: each rollback moves it by
/// compare-and-swap, so two concurrent rollbacks of one environment cannot both land.
pub fn env_pointer(environment: &EnvName) -> String {
    format!("refs/git-rollback/env/{environment}")
}

/// Everything the planner needs, already read and decided.
pub struct PlanInput<'a> {
    pub strategy: Strategy,
    pub environment: &'a EnvName,
    pub from: Point,
    pub to: Point,
    /// The production branch and its tip.
    pub base: Option<(&'a str, &'a Oid)>,
    /// The commits to revert, newest first (already filtered: first-parent chain, not already
    /// reverted, the `--commit` subset), with their facts.
    pub reverts: Vec<(&'a CommitInfo, u32)>,
    pub skipped: Vec<Oid>,
    pub empty: Vec<Oid>,
    /// The in-memory preview of exactly `reverts` on the base tip.
    pub preview: Option<&'a RevertPreview>,
    /// The branch to create (rollback/…, hotfix/…, restore/…), if the strategy creates one.
    pub branch: Option<String>,
    pub advance_branch: bool,
    pub reset_branch: bool,
    /// The branch checked out in a work tree that has uncommitted changes, if any: moving it
    /// (`advance_branch`, `reset_branch`) is refused.
    pub dirty_checkout: Option<&'a str>,
    /// Existing local branches (to refuse a name that exists).
    pub branches: &'a [(String, Oid)],
    /// The current value of the environment's pointer ref.
    pub env_pointer: Option<Oid>,
    /// The backup ref for `--reset-branch` (`refs/git-rollback/backup/<branch>/<time>`).
    pub backup_ref: String,
    pub remote: &'a str,
    pub deploy_commands: Vec<String>,
    /// What the environment's release-directory driver would do (`--exec-deploy` does it).
    pub driver_step: Option<String>,
    pub restores: Option<String>,
    pub reason: Option<String>,
    pub incident: Option<String>,
    pub allow_bad: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("branch `{0}` already exists")]
    BranchExists(String),
    #[error("a {0} needs the production branch, and it does not exist")]
    NoBase(&'static str),
    #[error("there is no commit to revert")]
    NothingToRevert,
    #[error("reverting {commit} conflicts in {}", paths.join(", "))]
    Conflict { commit: Oid, paths: Vec<String> },
    #[error(
        "the reverts would not land on {target}: their tree {actual} differs from {expected} in {}",
        crate::model::some_of(paths, 5)
    )]
    OffTarget {
        target: String,
        actual: String,
        expected: String,
        paths: Vec<String>,
    },
    #[error("the revert needs objects this partial clone lacks: {}", crate::model::some_of(.0, 3))]
    MissingObjects(Vec<String>),
    #[error("--advance-branch and --reset-branch cannot be combined")]
    AdvanceAndReset,
    #[error("--{flag} does not apply to the {strategy} strategy")]
    Flag { flag: &'static str, strategy: &'static str },
    #[error("{branch} is checked out and has uncommitted changes; moving it would not update the work tree safely")]
    DirtyCheckout { branch: String },
}

impl PlanError {
    pub fn hint(&self) -> String {
        match self {
            PlanError::BranchExists(name) => {
                format!("a rollback branch for this release exists: inspect it (git log {name}) or delete it first")
            }
            PlanError::NoBase(_) => "set production-branch in rollback.toml".into(),
            PlanError::NothingToRevert => {
                "every commit of the range is already reverted; choose --strategy branch or deploy".into()
            }
            PlanError::Conflict { .. } => {
                "use --strategy branch (a branch at the target tag), or revert by hand".into()
            }
            PlanError::MissingObjects(_) => {
                "fetch them (git fetch --refetch), or run in a complete clone; --strategy branch needs no merge".into()
            }
            PlanError::OffTarget { .. } => {
                "use --strategy branch (a branch at the target tag); see which commits the revert chose with: git rollback check -v".into()
            }
            PlanError::AdvanceAndReset | PlanError::Flag { .. } => "see git rollback plan --help".into(),
            PlanError::DirtyCheckout { .. } => {
                "commit or stash your changes first, or leave out --advance-branch/--reset-branch".into()
            }
        }
    }
}

/// Makes the plan, or refuses with the reason.
pub fn plan(i: &PlanInput<'_>) -> Result<Plan, PlanError> {
    let s = i.strategy;
    if i.advance_branch && i.reset_branch {
        return Err(PlanError::AdvanceAndReset);
    }
    if i.advance_branch && !matches!(s, Strategy::Revert | Strategy::Restore) {
        return Err(PlanError::Flag {
            flag: "advance-branch",
            strategy: s.as_str(),
        });
    }
    if i.reset_branch && s != Strategy::Branch {
        return Err(PlanError::Flag {
            flag: "reset-branch",
            strategy: s.as_str(),
        });
    }
    let base = i.base.map(|(name, tip)| BranchAt {
        name: name.to_owned(),
        commit: tip.to_string(),
    });
    let needs_base = matches!(s, Strategy::Revert | Strategy::Restore) || i.reset_branch;
    if needs_base && base.is_none() {
        return Err(PlanError::NoBase(if i.reset_branch {
            "branch reset"
        } else {
            "revert"
        }));
    }
    if (i.advance_branch || i.reset_branch)
        && let (Some(b), Some(dirty)) = (&base, i.dirty_checkout)
        && b.name == dirty
    {
        return Err(PlanError::DirtyCheckout { branch: b.name.clone() });
    }
    // Tags are re-resolved at apply (from/to must still name the same commits); these are
    // the refs whose values the transaction relies on.
    let mut expect = vec![Expect {
        ref_name: env_pointer(i.environment),
        value: i.env_pointer.map(|o| o.to_string()),
    }];
    if let Some(b) = &base {
        expect.push(Expect {
            ref_name: format!("refs/heads/{}", b.name),
            value: Some(b.commit.clone()),
        });
    }

    let mut reverts = Vec::new();
    let mut expected_tree = None;
    let mut keep_ours = Vec::new();
    if matches!(s, Strategy::Revert | Strategy::Restore) {
        if let Some(p) = i.preview {
            if !p.missing.is_empty() {
                return Err(PlanError::MissingObjects(
                    p.missing.iter().map(|m| m.to_string()).collect(),
                ));
            }
            if let Some((commit, paths)) = &p.conflict {
                return Err(PlanError::Conflict {
                    commit: *commit,
                    paths: paths.clone(),
                });
            }
            if let (Some(landing), Some(tree)) = (&p.landing, p.tree)
                && !landing.differs.is_empty()
            {
                return Err(PlanError::OffTarget {
                    target: i.to.tag.clone(),
                    actual: tree.to_string(),
                    expected: landing.expected.to_string(),
                    paths: landing.differs.clone(),
                });
            }
            expected_tree = p.tree.map(|t| t.to_string());
            keep_ours = p.kept_ours.clone();
        }
        if i.reverts.is_empty() {
            return Err(PlanError::NothingToRevert);
        }
        reverts = i
            .reverts
            .iter()
            .map(|(c, mainline)| PlannedRevert {
                commit: c.id.to_string(),
                subject: c.subject.clone(),
                merge: c.is_merge(),
                mainline: *mainline,
            })
            .collect();
    }

    let mut created = Created::default();
    let mut moved = Vec::new();
    if let Some(name) = &i.branch {
        if i.branches.iter().any(|(b, _)| b == name) {
            return Err(PlanError::BranchExists(name.clone()));
        }
        let commit = match s {
            Strategy::Revert | Strategy::Restore => None,
            _ => Some(i.to.commit.clone()),
        };
        created.branches.push(NamedCommit {
            name: name.clone(),
            commit,
        });
        expect.push(Expect {
            ref_name: format!("refs/heads/{name}"),
            value: None,
        });
    }
    if let (true, Some(b)) = (i.advance_branch, &base) {
        moved.push(Moved {
            ref_name: format!("refs/heads/{}", b.name),
            old: b.commit.clone(),
            new: None,
        });
    }
    if let (true, Some(b)) = (i.reset_branch, &base) {
        moved.push(Moved {
            ref_name: format!("refs/heads/{}", b.name),
            old: b.commit.clone(),
            new: Some(i.to.commit.clone()),
        });
        created.branches.push(NamedCommit {
            name: i.backup_ref.clone(),
            commit: Some(b.commit.clone()),
        });
        expect.push(Expect {
            ref_name: i.backup_ref.clone(),
            value: None,
        });
    }

    let mut next_steps = Vec::new();
    let mut push_refs: Vec<String> = created
        .branches
        .iter()
        .filter(|b| !b.name.starts_with("refs/"))
        .map(|b| format!("refs/heads/{}", b.name))
        .collect();
    push_refs.push("refs/tags/<record>".into());
    next_steps.push(format!("git push --atomic {} {}", i.remote, push_refs.join(" ")));
    for m in &moved {
        let short = m.ref_name.trim_start_matches("refs/heads/");
        if i.reset_branch {
            next_steps.push(format!(
                "git push --force-with-lease={}:{} {} {}",
                m.ref_name, m.old, i.remote, m.ref_name
            ));
            next_steps.push(format!(
                "to undo the reset later: git update-ref {} {}",
                m.ref_name, m.old
            ));
        } else {
            next_steps.push(format!("git push {} {short}", i.remote));
        }
    }
    match s {
        Strategy::Hotfix => {
            if let Some(b) = &i.branch {
                next_steps.push(format!("git switch {b}   # fix forward, commit"));
                next_steps.push(format!("git rollback tag --bump patch --rev {b}"));
                if let Some(base) = &base {
                    next_steps.push(format!(
                        "git switch {} && git merge {b}   # bring the fix back",
                        base.name
                    ));
                }
            }
        }
        Strategy::Deploy => next_steps.extend(i.deploy_commands.iter().cloned()),
        Strategy::Revert | Strategy::Branch if i.branch.is_some() && moved.is_empty() => {
            let b = i.branch.as_deref().unwrap_or_default();
            let holds = match (s, &base) {
                (Strategy::Revert, Some(base)) => format!("{} with the changes since {} reverted", base.name, i.to.tag),
                _ => format!("the code of {}", i.to.tag),
            };
            next_steps.push(format!("deploy {b} ({holds})"));
        }
        _ => {}
    }
    if let (Some(step), Strategy::Deploy) = (&i.driver_step, s) {
        next_steps.push(step.clone());
    } else if i.deploy_commands.is_empty() && s == Strategy::Deploy {
        next_steps.push(format!(
            "roll back the deployment of {} in {} to {} with your deploy tool (configure [environments.{}] rollback-command to have it here)",
            i.from.tag, i.environment, i.to.tag, i.environment
        ));
    }

    Ok(Plan {
        schema: PLAN_SCHEMA.to_owned(),
        strategy: s,
        environment: i.environment.to_string(),
        from: i.from.clone(),
        to: i.to.clone(),
        dry_run: true,
        created,
        moved,
        record: None,
        next_steps,
        base,
        reverts,
        skipped: i.skipped.iter().map(|c| c.to_string()).collect(),
        empty: i.empty.iter().map(|c| c.to_string()).collect(),
        expected_tree,
        keep_ours,
        expect,
        restores: i.restores.clone(),
        reason: i.reason.clone(),
        incident: i.incident.clone(),
        allow_bad: i.allow_bad,
        deploy_commands: i.deploy_commands.clone(),
    })
}
