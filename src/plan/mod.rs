//! Strategies, situations and the recommendation: which strategy fits the situation the
//! engineer describes, and how the checklist's findings change that. Pure; the guided flow,
//! `check --situation` and `plan` all ask this one function.

use serde::{Deserialize, Serialize};

pub mod chain;
mod document;
mod planner;

pub use document::{BranchAt, Created, Expect, Moved, NamedCommit, PLAN_SCHEMA, Plan, PlannedRevert, Point};
pub use planner::{PlanError, PlanInput, env_pointer, plan};

/// How to roll back (SPEC §1, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Revert the commits between the two releases on the production branch.
    Revert,
    /// A new branch at the target release (the "switch to the previous tag" rollback).
    Branch,
    /// A hotfix branch from the last stable release, to fix forward.
    Hotfix,
    /// No code change: the deployment layer rolls back.
    Deploy,
    /// Undo a revert rollback (revert its reverts); made by `git rollback restore`.
    Restore,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Revert => "revert",
            Strategy::Branch => "branch",
            Strategy::Hotfix => "hotfix",
            Strategy::Deploy => "deploy",
            Strategy::Restore => "restore",
        }
    }
    /// Strategies that put the target's code (and schema expectations) back on a branch.
    pub fn rolls_back_code(self) -> bool {
        matches!(self, Strategy::Revert | Strategy::Branch)
    }
}

/// The situation, in the words of the classic rollback workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Situation {
    /// Just deployed, issue found: roll back at the deployment layer.
    JustDeployed,
    /// Running a while, the code must go back: revert the range.
    #[default]
    Running,
    /// Serious incident, restore the last complete version now: a branch from the target.
    Incident,
}

/// The checklist findings that change a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Findings {
    pub irreversible_migration: bool,
    /// Why the revert preview cannot be applied as it is (a conflict, naming the commit and
    /// files, or a result that would not land on the target).
    pub revert_conflict: Option<String>,
    pub shallow: bool,
    pub target_not_ancestor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub strategy: Strategy,
    pub reason: String,
    /// The checklist item that changed the situation's default, if any.
    pub changed_by: Option<&'static str>,
}

/// The recommended strategy for a situation, given what the checklist found.
pub fn recommend(situation: Situation, f: &Findings) -> Recommendation {
    let (default, why) = match situation {
        Situation::JustDeployed => (
            Strategy::Deploy,
            "just deployed: roll back at the deployment layer, no code change",
        ),
        Situation::Running => (
            Strategy::Revert,
            "running a while: revert the commits between the releases",
        ),
        Situation::Incident => (
            Strategy::Branch,
            "serious incident: restore the last complete version from its tag, then fix forward",
        ),
    };
    let rec = |strategy, reason: String, changed_by| Recommendation {
        strategy,
        reason,
        changed_by,
    };
    if default.rolls_back_code() && f.irreversible_migration {
        return rec(
            Strategy::Hotfix,
            "an irreversible migration means the old code cannot run on the new schema: fix forward on a hotfix branch \
             from the last stable release (or roll back only at the deployment layer)"
                .into(),
            Some("migrations.changed"),
        );
    }
    if default == Strategy::Revert {
        let why_not = if f.target_not_ancestor {
            Some((
                "the target is not an ancestor of the live release, so there is no range to revert",
                "release.target",
            ))
        } else if f.shallow {
            Some((
                "this is a shallow clone: the commits to revert may be missing",
                "repo.shallow",
            ))
        } else {
            f.revert_conflict.as_ref().map(|why| (why.as_str(), "revert.preview"))
        };
        if let Some((reason, id)) = why_not {
            return rec(
                Strategy::Branch,
                format!("{reason}: a rollback branch from the target tag instead"),
                Some(id),
            );
        }
    }
    rec(default, why.into(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_situation_has_its_default() {
        let none = Findings::default();
        assert_eq!(recommend(Situation::JustDeployed, &none).strategy, Strategy::Deploy);
        assert_eq!(recommend(Situation::Running, &none).strategy, Strategy::Revert);
        assert_eq!(recommend(Situation::Incident, &none).strategy, Strategy::Branch);
        assert_eq!(recommend(Situation::Running, &none).changed_by, None);
    }

    #[test]
    fn findings_override_the_default_and_say_why() {
        let irreversible = Findings {
            irreversible_migration: true,
            ..Default::default()
        };
        let r = recommend(Situation::Running, &irreversible);
        assert_eq!(
            (r.strategy, r.changed_by),
            (Strategy::Hotfix, Some("migrations.changed"))
        );
        assert_eq!(recommend(Situation::Incident, &irreversible).strategy, Strategy::Hotfix);
        assert_eq!(
            recommend(Situation::JustDeployed, &irreversible).strategy,
            Strategy::Deploy,
            "deploy changes no code"
        );
        let conflict = Findings {
            revert_conflict: Some("reverting abc1234 conflicts in Cargo.lock".into()),
            ..Default::default()
        };
        let r = recommend(Situation::Running, &conflict);
        assert_eq!((r.strategy, r.changed_by), (Strategy::Branch, Some("revert.preview")));
        assert_eq!(
            r.reason,
            "reverting abc1234 conflicts in Cargo.lock: a rollback branch from the target tag instead"
        );
        let shallow = Findings {
            shallow: true,
            ..Default::default()
        };
        assert_eq!(recommend(Situation::Running, &shallow).strategy, Strategy::Branch);
        assert_eq!(recommend(Situation::Incident, &conflict).strategy, Strategy::Branch);
    }
}
