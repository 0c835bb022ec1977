//! What lies between two releases, and the repository around them, gathered once by `git` for
//! the checklist: plain data, no Git handles.

use super::{Oid, Person, Timestamp};

/// A commit, as the checklist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: Oid,
    pub parents: Vec<Oid>,
    pub subject: String,
    /// The whole message (to find `This reverts commit <id>.`).
    pub message: String,
    pub author: Person,
    pub time: Timestamp,
    /// Paths this commit changed against its first parent (filled only where needed).
    pub paths: Vec<String>,
}

impl CommitInfo {
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

/// A file that differs between the target and the live release (old = target, new = live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    pub path: String,
    /// For a rename, the path in the target release.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
}

/// A changed file with its contents in both releases (`None` where it does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub change: PathChange,
    pub live: Option<Vec<u8>>,
    pub target: Option<Vec<u8>>,
    /// For text: the unified diff of rolling back (live → target), with file headers.
    pub diff: Option<String>,
}

impl FileChange {
    pub fn is_binary(&self) -> bool {
        let binary = |b: &Option<Vec<u8>>| b.as_ref().is_some_and(|d| d[..d.len().min(8000)].contains(&0));
        binary(&self.live) || binary(&self.target)
    }
}

/// The outcome of reverting the range on the production branch tip, computed in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertPreview {
    /// The commits reverted (first-parent chain, newest first, already-reverted ones left out).
    pub commits: Vec<Oid>,
    /// The first commit whose revert conflicts, and the conflicting paths.
    pub conflict: Option<(Oid, Vec<String>)>,
    /// What the revert was applied on.
    pub onto: Oid,
    /// The resulting tree when every revert applied cleanly.
    pub tree: Option<Oid>,
}

/// Everything the checklist reads about the range between target and live release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeFacts {
    pub live: Oid,
    pub target: Oid,
    pub target_is_ancestor: bool,
    /// All commits in target..live, newest first (at most `limit`; `total` counts all).
    pub commits: Vec<CommitInfo>,
    pub total_commits: usize,
    /// The first-parent chain of target..live, newest first: what a revert reverts.
    pub first_parent: Vec<Oid>,
    /// Commits on the production branch after the live release (live..tip), newest first: the
    /// newest ones (up to the commit limit) with their changed paths, and any older one whose
    /// message reverts a commit (without paths).
    pub later: Vec<CommitInfo>,
    /// How many commits there are in live..tip.
    pub later_total: usize,
    /// How many of them (the newest) were read with their paths.
    pub later_with_paths: usize,
    /// Files that differ between the two releases.
    pub changes: Vec<PathChange>,
    /// The live release's files under the migration globs in the directories of the changed
    /// migration files (to pair up/down scripts).
    pub live_migration_files: Vec<String>,
    pub migrations: Vec<FileChange>,
    pub config: Vec<FileChange>,
    /// `None` when no revert was attempted (target not an ancestor, no production branch).
    pub revert: Option<RevertPreview>,
}

/// The repository around the rollback.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepoFacts {
    /// Uncommitted changes (paths), or `None` in a bare repository.
    pub dirty: Option<Vec<String>>,
    pub upstream: Option<Upstream>,
    /// When `FETCH_HEAD` was last written, if ever.
    pub last_fetch: Option<Timestamp>,
    pub has_remotes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub name: String,
    pub ahead: usize,
    pub behind: usize,
}
