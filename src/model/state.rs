//! The repository as read once: plain data built by `git`, read by the deciding code.

use std::path::PathBuf;

use super::{Oid, TagEntry};

/// What HEAD is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// On a branch; `commit` is `None` while the branch is unborn (an empty repository).
    Branch {
        name: String,
        commit: Option<Oid>,
    },
    Detached(Oid),
}

impl Head {
    /// The checked-out branch, if HEAD is on one.
    pub fn branch(&self) -> Option<&str> {
        match self {
            Head::Branch { name, .. } => Some(name),
            Head::Detached(_) => None,
        }
    }
}

/// Everything the read commands need, gathered once as plain data.
#[derive(Debug, Clone)]
pub struct RepoState {
    pub git_dir: PathBuf,
    pub workdir: Option<PathBuf>,
    pub shallow: bool,
    /// An operation in progress (`merge`, `rebase`, `cherry-pick`, `revert`, …), also a paused
    /// sequence (`.git/sequencer` left behind by a multi-commit revert or cherry-pick).
    pub operation: Option<String>,
    pub head: Head,
    /// Local branches: short name and tip.
    pub branches: Vec<(String, Oid)>,
    /// The branch `refs/remotes/origin/HEAD` names (`trunk` for `origin/trunk`), the remote's
    /// default branch as a clone records it.
    pub remote_head: Option<String>,
    /// Every tag, packed and loose, in refname order; objects not read yet.
    pub tags: Vec<TagEntry>,
}

impl RepoState {
    pub fn branch_tip(&self, name: &str) -> Option<&Oid> {
        self.branches.iter().find(|(n, _)| n == name).map(|(_, id)| id)
    }
    pub fn has_commits(&self) -> bool {
        !self.branches.is_empty() || matches!(self.head, Head::Detached(_))
    }
}
