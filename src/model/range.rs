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

/// One commit to revert, and the parent it is reverted to (1-based, as `git revert -m`; 1 for
/// a commit with one parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevertStep {
    pub commit: Oid,
    pub mainline: u32,
}

impl RevertStep {
    pub fn first_parent(commit: Oid) -> Self {
        RevertStep { commit, mainline: 1 }
    }
}

/// A commit on the path from the live release down to the target (see [`RangeFacts::path`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathCommit {
    pub step: RevertStep,
    /// The commit's tree is its `mainline` parent's: its revert would change nothing.
    pub empty: bool,
    /// The commits its message says it reverts (`This reverts commit <id>`); of those on the
    /// path, only the ones it exactly inverts (the same files, before and after swapped).
    pub reverts: Vec<Oid>,
}

/// The commits a message says it reverts: git writes `This reverts commit <id>.` (and, for a
/// merge, `This reverts commit <id>, reversing`), one line per revert when squashed.
pub fn reverted_ids(message: &str) -> Vec<Oid> {
    let mut out = Vec::new();
    for line in message.lines() {
        let Some(rest) = line.trim().strip_prefix("This reverts commit ") else {
            continue;
        };
        let id = rest.split(['.', ',', ' ']).next().unwrap_or("");
        if let Ok(id) = Oid::parse(id)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// Where the reverts of the whole range must land, by definition: the three-way merge of
/// (base: the live release, ours: the production tip, theirs: the target), which is the
/// target's own tree when the tip is the live release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// The defined result's tree (with conflict markers where it conflicts).
    pub expected: Oid,
    /// Paths that merge cannot resolve (later commits on the tip touch the same lines): the
    /// reverts' result there is for a human to review.
    pub unresolved: Vec<String>,
    /// Paths (outside `unresolved`) where the reverts' result differs from the defined one:
    /// the revert would not land on the target, and is refused.
    pub differs: Vec<String>,
}

/// An object a partial or incomplete clone lacks (after asking its promisor remote), with the
/// file and commit it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingObject {
    pub object: Oid,
    pub path: String,
    pub commit: Oid,
}

impl std::fmt::Display for MissingObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} at {})", self.object, self.path, self.commit.short())
    }
}

/// The outcome of reverting the range on the production branch tip, computed in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertPreview {
    /// The commits reverted, newest first (what was asked for, less `empty`).
    pub commits: Vec<RevertStep>,
    /// Commits whose revert changed nothing where it was applied (left out, as `git revert`
    /// stops on them).
    pub empty: Vec<Oid>,
    /// The first commit whose revert conflicts, and the conflicting paths.
    pub conflict: Option<(Oid, Vec<String>)>,
    /// What the revert was applied on.
    pub onto: Oid,
    /// The resulting tree when every revert applied cleanly.
    pub tree: Option<Oid>,
    /// For a revert of the whole range that applied: how its result compares with the
    /// defined result. `None` for a subset (`--commit`) or a conflict.
    pub landing: Option<Landing>,
    /// Objects the merges need that this clone lacks even after fetching them: the preview
    /// was not computed (`tree` and `conflict` are `None`).
    pub missing: Vec<MissingObject>,
    /// Files whose conflicts were resolved by keeping the production tip's side (release
    /// bookkeeping, with `--keep-ours`); the landing allows differences only there.
    pub kept_ours: Vec<String>,
}

impl RevertPreview {
    /// The reverts would not produce the defined result (see [`Landing`]).
    pub fn off_target(&self) -> bool {
        self.landing.as_ref().is_some_and(|l| !l.differs.is_empty())
    }
}

/// Everything the checklist reads about the range between target and live release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeFacts {
    pub live: Oid,
    pub target: Oid,
    pub target_is_ancestor: bool,
    /// A shallow clone's history ends inside target..live (at this boundary commit): whether
    /// the target is an ancestor and how many commits lie between cannot be told here.
    pub history_cut: Option<Oid>,
    /// All commits in target..live, newest first (at most `limit`; `total` counts all).
    pub commits: Vec<CommitInfo>,
    pub total_commits: usize,
    /// The path from the live release down to the target, newest first: at each commit the
    /// first parent that still has the target in its history (the first-parent chain when the
    /// target is on it; down a merged side branch when the target was tagged there). Reverting
    /// each commit of it to that parent, with the tip at the live release, gives exactly the
    /// target's tree. Empty when the target is not an ancestor.
    pub path: Vec<PathCommit>,
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
    /// Whether renames were looked for in `changes`: `false` when this clone lacks a blob that
    /// rename detection reads, and a renamed file is listed as deleted and added.
    pub renames_found: bool,
    /// The live release's files under the migration globs in the directories of the changed
    /// migration files (to pair up/down scripts).
    pub live_migration_files: Vec<String>,
    pub migrations: Vec<FileChange>,
    pub config: Vec<FileChange>,
    /// Migration or config files whose contents this clone lacks (left out of `migrations`
    /// and `config` contents: their side reads as absent).
    pub missing: Vec<MissingObject>,
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
