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

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Deploy => "deploy",
            StepKind::RollBack => "roll back",
            StepKind::RollForward => "roll forward",
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

/// How a resulting tree compares with the one expected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreeCheck {
    /// Files that differ and may: they changed on the production branch after the live release.
    pub expected: Vec<String>,
    /// Files that differ and must not.
    pub unexpected: Vec<String>,
}

impl TreeCheck {
    pub fn ok(&self) -> bool {
        self.unexpected.is_empty()
    }
}

/// Splits the files that differ from the expected tree into those allowed to (changed on the
/// production branch after the live release) and the rest.
pub fn compare(differing: &[String], later: &[String]) -> TreeCheck {
    let (expected, unexpected) = differing.iter().cloned().partition(|p| later.contains(p));
    TreeCheck { expected, unexpected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_changed_later_on_the_branch_may_differ_others_may_not() {
        let later = vec!["README.md".to_owned(), "src/late.py".to_owned()];
        let c = compare(&["src/late.py".to_owned()], &later);
        assert!(c.ok());
        assert_eq!(c.expected, ["src/late.py"]);
        let c = compare(&["src/app.py".to_owned(), "README.md".to_owned()], &later);
        assert!(!c.ok());
        assert_eq!(c.unexpected, ["src/app.py"]);
        assert!(compare(&[], &later).ok());
    }
}
