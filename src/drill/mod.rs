//! Rollback drills: the report of a rehearsal (deploy → roll back → roll forward, each step
//! verified) and the pure checks it makes. Running the steps is `cli::drill`'s job.

use serde::Serialize;

use crate::model::{EnvName, Oid, TagName};
use crate::plan::Strategy;

/// The three steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Deploy,
    RollBack,
    RollForward,
}

impl StepKind {
    pub const ALL: [StepKind; 3] = [StepKind::Deploy, StepKind::RollBack, StepKind::RollForward];

    /// For people: `roll back`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Deploy => "deploy",
            StepKind::RollBack => "roll back",
            StepKind::RollForward => "roll forward",
        }
    }

    /// For programs (JSON, `GIT_ROLLBACK_DRILL_STEP`, the record): `roll-back`.
    pub fn id(self) -> &'static str {
        match self {
            StepKind::Deploy => "deploy",
            StepKind::RollBack => "roll-back",
            StepKind::RollForward => "roll-forward",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    /// Not run: an earlier step failed.
    Skipped,
}

/// What a command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Test,
    MigrateDown,
    MigrateUp,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Test => "test",
            Role::MigrateDown => "migrate-down",
            Role::MigrateUp => "migrate-up",
        }
    }
}

/// One command run during a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandReport {
    pub role: Role,
    pub command: String,
    pub passed: bool,
    /// `exit 0`, `exit 1`, `timed out after 600 s, killed`, …
    pub status: String,
    pub exit_code: Option<i32>,
    pub duration_ms: u128,
    /// Its stdout and stderr (the end of them, if long).
    pub output: String,
    pub truncated: bool,
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub kind: StepKind,
    pub verdict: Verdict,
    pub duration_ms: u128,
    /// The commit checked out at the end of the step (what the test command saw).
    pub checked_out: Option<Oid>,
    /// What was verified and found, one line each.
    pub details: Vec<String>,
    /// Why it failed.
    pub problem: Option<String>,
    pub commands: Vec<CommandReport>,
}

impl StepReport {
    pub fn skipped(kind: StepKind) -> StepReport {
        StepReport {
            kind,
            verdict: Verdict::Skipped,
            duration_ms: 0,
            checked_out: None,
            details: Vec::new(),
            problem: None,
            commands: Vec::new(),
        }
    }
}

/// A release as the drill names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub tag: TagName,
    pub commit: Oid,
}

/// The whole rehearsal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillReport {
    pub environment: EnvName,
    pub from: Point,
    pub to: Point,
    pub strategy: Strategy,
    /// Always the three steps, in order.
    pub steps: Vec<StepReport>,
}

impl DrillReport {
    pub fn passed(&self) -> bool {
        self.steps.len() == StepKind::ALL.len() && self.steps.iter().all(|s| s.verdict == Verdict::Pass)
    }

    /// The first step that failed.
    pub fn failed_step(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.verdict == Verdict::Fail)
    }
}

/// What a revert rollback starts from: the production branch tip it is applied to, the files
/// changed on it after the live release (`later`), and the files the range changed (`range`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertShape {
    pub tip: Oid,
    pub later: Vec<String>,
    pub range: Vec<String>,
}

/// Checks a revert's tree: it may differ from the target only in files changed after the live
/// release, and from the production branch tip only in files the range changed. Returns the
/// detail line, or the problem.
pub fn check_revert(
    target: &str,
    differs_from_target: &[String],
    differs_from_tip: &[String],
    shape: &RevertShape,
) -> Result<String, String> {
    let outside = |diff: &[String], allowed: &[String]| -> Vec<String> {
        diff.iter().filter(|p| !allowed.contains(p)).cloned().collect()
    };
    let not_reverted = outside(differs_from_target, &shape.later);
    if !not_reverted.is_empty() {
        return Err(format!(
            "the tree differs from {target}'s in {}",
            not_reverted.join(", ")
        ));
    }
    let lost = outside(differs_from_tip, &shape.range);
    if !lost.is_empty() {
        return Err(format!(
            "the revert changed files the range did not touch: {}",
            lost.join(", ")
        ));
    }
    Ok(if differs_from_target.is_empty() {
        format!("tree equals {target}'s")
    } else {
        format!(
            "tree equals {target}'s except files changed on the production branch after the live release: {}",
            differs_from_target.join(", ")
        )
    })
}

/// Checks a tree that must equal the target's exactly.
pub fn check_equal(target: &str, differs: &[String]) -> Result<String, String> {
    if differs.is_empty() {
        Ok(format!("tree equals {target}'s"))
    } else {
        Err(format!("the tree differs from {target}'s in {}", differs.join(", ")))
    }
}

/// The commit an executed plan left on a branch: the branch it created, else the branch it
/// moved.
pub fn new_tip(outcome: &crate::plan::Plan) -> Option<Oid> {
    let created = outcome.created.branches.iter().filter_map(|b| b.commit.as_deref());
    let moved = outcome
        .moved
        .iter()
        .filter(|m| m.ref_name.starts_with("refs/heads/"))
        .filter_map(|m| m.new.as_deref());
    created.chain(moved).find_map(|id| Oid::parse(id).ok())
}

/// A command's run as the report shows it.
pub fn command_report(role: Role, run: &crate::apply::shell::Run, timeout: std::time::Duration) -> CommandReport {
    CommandReport {
        role,
        command: run.command.clone(),
        passed: run.succeeded(),
        status: run.status_text(timeout),
        exit_code: match run.ended {
            crate::apply::shell::Ended::Exited(code) => code,
            _ => None,
        },
        duration_ms: run.duration.as_millis(),
        output: run.output.clone(),
        truncated: run.truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_revert_may_keep_later_changes_and_must_not_touch_anything_else() {
        let shape = RevertShape {
            tip: Oid::parse(&"1".repeat(40)).unwrap(),
            later: paths(&["README.md", "src/shared.py"]),
            range: paths(&["src/app.py", "src/shared.py"]),
        };
        let ok = check_revert("v1", &paths(&["README.md"]), &paths(&["src/app.py"]), &shape).unwrap();
        assert!(ok.contains("except files changed on the production branch after the live release: README.md"));
        assert_eq!(check_revert("v1", &[], &[], &shape).unwrap(), "tree equals v1's");
        // A file the range changed that was not reverted.
        let e = check_revert("v1", &paths(&["src/app.py"]), &[], &shape).unwrap_err();
        assert!(e.contains("differs from v1's in src/app.py"), "{e}");
        // A later file the revert clobbered although the range never touched it.
        let e = check_revert("v1", &paths(&["README.md"]), &paths(&["README.md"]), &shape).unwrap_err();
        assert!(e.contains("did not touch: README.md"), "{e}");
        assert!(check_equal("v1", &paths(&["x"])).is_err());
    }
}
