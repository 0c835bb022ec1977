//! The plan: everything an operation will write, with the ref values it expects to find.
//! It is the JSON document `plan --out` saves and `apply` reads back (untrusted, re-checked),
//! so it is plain serde data with string ids.

use serde::{Deserialize, Serialize};

use super::Strategy;

pub const PLAN_SCHEMA: &str = "git-rollback/plan/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub tag: String,
    pub commit: String,
    /// The live release was assumed (no deploy record names it): the newest stable release on
    /// the production branch. Only on `from`; left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed_live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchAt {
    pub name: String,
    pub commit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCommit {
    pub name: String,
    /// `null` in a plan when the commit is created by the operation (a revert commit).
    pub commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Created {
    pub branches: Vec<NamedCommit>,
    /// Commits written (known after apply).
    pub commits: Vec<String>,
    /// Tags written (the record's name is known after apply).
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub old: String,
    /// `null` in a plan when the new value is a commit the operation creates.
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRevert {
    pub commit: String,
    pub subject: String,
    pub merge: bool,
    /// The parent a merge is reverted to (`git revert -m N`); left out when 1.
    #[serde(default = "first_parent", skip_serializing_if = "is_first_parent")]
    pub mainline: u32,
}

fn first_parent() -> u32 {
    1
}

fn is_first_parent(m: &u32) -> bool {
    *m == 1
}

/// A ref and the value it must have when the plan is applied (`null`: must not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub schema: String,
    pub strategy: Strategy,
    pub environment: String,
    pub from: Point,
    pub to: Point,
    pub dry_run: bool,
    pub created: Created,
    pub moved: Vec<Moved>,
    /// The record's tag name (after apply; `null` in a plan: it carries the time of writing).
    pub record: Option<String>,
    pub next_steps: Vec<String>,
    /// The production branch and the tip the plan was computed on.
    pub base: Option<BranchAt>,
    /// Commits to revert, newest first (revert and restore).
    pub reverts: Vec<PlannedRevert>,
    /// Commits of the range left out: reverted by a later commit, or a commit and its own
    /// revert, both in the range.
    pub skipped: Vec<String>,
    /// Commits of the range whose revert would change nothing (left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty: Vec<String>,
    /// The tree the reverts must produce (from the in-memory preview).
    pub expected_tree: Option<String>,
    /// Release bookkeeping files whose revert conflicts keep the production tip's side
    /// (`--keep-ours`); applying resolves exactly these paths so (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_ours: Vec<String>,
    /// Every ref the operation relies on or writes, with its expected value.
    pub expect: Vec<Expect>,
    /// For a restore: the rollback record it undoes.
    pub restores: Option<String>,
    pub reason: Option<String>,
    pub incident: Option<String>,
    /// The target was marked bad and `--allow-bad` overrode that.
    pub allow_bad: bool,
    /// Deploy strategy: the commands that roll back the deployment layer.
    pub deploy_commands: Vec<String>,
}
