//! Gathering what lies between two releases (commits, changed files, migration and config
//! contents with diffs) and around them (work tree, upstream, last fetch), and the in-memory
//! revert preview. Reads only; the preview writes its objects to memory, never to disk.

use gix::bstr::ByteSlice;
use gix::object::tree::diff::ChangeDetached as Change;

use std::collections::HashMap;

use super::{GitError, Reader, from_oid, time_of, to_oid};
use crate::model::range::{
    ChangeKind, CommitInfo, FileChange, MissingObject, PathChange, PathCommit, RangeFacts, RepoFacts, RevertStep,
    Upstream, reverted_ids,
};
use crate::model::{Oid, Person, Timestamp};

/// What to gather.
pub struct RangeRequest<'a> {
    pub live: &'a Oid,
    pub target: &'a Oid,
    /// The production branch tip, for commits after the live release.
    pub tip: Option<&'a Oid>,
    pub is_migration: &'a dyn Fn(&str) -> bool,
    pub is_config: &'a dyn Fn(&str) -> bool,
    /// At most this many commits are read in full (the rest are counted).
    pub commit_limit: usize,
    /// Compute the config files' diffs (only the views that show them need them).
    pub config_diffs: bool,
}

/// Renames with edits are looked for among at most this many added × deleted files (git's
/// `diff.renameLimit` is 1000, but gix's similarity check is far slower than git's: on git/git
/// ten releases apart, 1,457 × 482 candidates took 4 s). Beyond it only exact renames (the same
/// blob) are found; the other files read as deleted and added, which every item handles.
const RENAME_LIMIT: usize = 100;

/// A config file's diff is not computed when either side is larger than this…
const DIFF_INPUT_CAP: usize = 256 * 1024;
/// …and is cut after this many lines, with the cap said in the diff.
const DIFF_LINE_CAP: usize = 400;

impl Reader {
    fn commit_info(&self, id: gix::ObjectId, with_paths: bool) -> Result<CommitInfo, GitError> {
        let commit = self.repo.find_commit(id)?;
        let decoded = commit.decode()?;
        let author = decoded.author()?;
        let message = decoded.message.to_str_lossy().into_owned();
        let subject = message.lines().next().unwrap_or("").trim().to_owned();
        let parents: Vec<Oid> = decoded.parents().map(|p| to_oid(&p)).collect();
        let paths = if with_paths {
            let parent_tree = super::trees::first_parent_tree(&self.repo, &commit)?;
            self.changed_files(parent_tree, commit.tree_id()?.detach())?
        } else {
            Vec::new()
        };
        Ok(CommitInfo {
            id: to_oid(&id),
            parents,
            subject,
            message,
            author: Person {
                name: author.name.to_string(),
                email: author.email.to_string(),
            },
            time: time_of(author.time()?),
            paths,
        })
    }

    /// The files that differ between two trees, sorted. Only paths: no rename detection and no
    /// diff platform, which dominated reading the paths of many commits.
    fn changed_files(&self, old: gix::ObjectId, new: gix::ObjectId) -> Result<Vec<String>, GitError> {
        let mut paths: Vec<String> = super::trees::changes(&self.repo, old, new)?
            .files
            .into_iter()
            .map(|(path, _, _)| path.to_str_lossy().into_owned())
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Commit facts for `ids` (subjects, authors, parents), in the order given.
    pub fn commits(&self, ids: &[Oid]) -> Result<Vec<CommitInfo>, GitError> {
        ids.iter().map(|id| self.commit_info(from_oid(id), false)).collect()
    }

    /// File changes between two trees (directories left out), in git's path order, and whether
    /// renames were looked for: rename detection reads the blobs of added and deleted files,
    /// and where this clone lacks one (an incomplete clone; a partial clone's promisor fetches
    /// only what the checklist reads) the files are compared by path alone, as added and
    /// deleted, instead of failing the whole range.
    fn diff(&self, old: &gix::Tree<'_>, new: &gix::Tree<'_>) -> Result<(Vec<PathChange>, bool), GitError> {
        let rewrites = gix::diff::Rewrites {
            copies: None,
            percentage: Some(0.5),
            limit: RENAME_LIMIT,
            track_empty: false,
        };
        let options = gix::diff::Options::default().with_rewrites(Some(rewrites));
        match self.repo.diff_tree_to_tree(old, new, options) {
            Ok(changes) => Ok((Self::path_changes(changes), true)),
            Err(_) => {
                let options = gix::diff::Options::default().with_rewrites(None);
                Ok((
                    Self::path_changes(self.repo.diff_tree_to_tree(old, new, options)?),
                    false,
                ))
            }
        }
    }

    fn path_changes(changes: Vec<Change>) -> Vec<PathChange> {
        let mut out = Vec::new();
        for ch in changes {
            if ch.entry_mode().is_tree() {
                continue;
            }
            let path = ch.location().to_str_lossy().into_owned();
            let (kind, old_path) = match &ch {
                Change::Addition { .. } => (ChangeKind::Added, None),
                Change::Deletion { .. } => (ChangeKind::Deleted, None),
                Change::Modification { .. } => (ChangeKind::Modified, None),
                Change::Rewrite {
                    source_location, copy, ..
                } => {
                    if *copy {
                        (ChangeKind::Added, None)
                    } else {
                        (ChangeKind::Renamed, Some(source_location.to_str_lossy().into_owned()))
                    }
                }
            };
            out.push(PathChange { path, old_path, kind });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// The files that differ between the trees of two commits (paths in git's order).
    pub fn changed_paths(&self, old: &Oid, new: &Oid) -> Result<Vec<String>, GitError> {
        let tree = |id: &Oid| -> Result<gix::Tree<'_>, GitError> { Ok(self.repo.find_commit(from_oid(id))?.tree()?) };
        let mut paths: Vec<String> = self
            .diff(&tree(old)?, &tree(new)?)?
            .0
            .into_iter()
            .flat_map(|c| std::iter::once(c.path).chain(c.old_path))
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Whether the trees of two commits are identical.
    pub fn same_tree(&self, a: &Oid, b: &Oid) -> Result<bool, GitError> {
        let tree = |id: &Oid| -> Result<gix::ObjectId, GitError> {
            Ok(self.repo.find_commit(from_oid(id))?.tree_id()?.detach())
        };
        Ok(tree(a)? == tree(b)?)
    }

    /// The blob at `path` in `tree`; `Err(id)` when this (partial) clone lacks it.
    fn blob_at(&self, tree: &gix::Tree<'_>, path: &str) -> Result<Result<Option<Vec<u8>>, gix::ObjectId>, GitError> {
        match tree.lookup_entry_by_path(path)? {
            Some(entry) if entry.mode().is_blob() => match self.repo.try_find_object(entry.object_id())? {
                Some(object) => Ok(Ok(Some(object.detach().data))),
                None => Ok(Err(entry.object_id())),
            },
            _ => Ok(Ok(None)),
        }
    }

    /// The blobs at these paths of `tree`, for fetching them in one batch.
    fn blob_ids(&self, tree: &gix::Tree<'_>, paths: &[&str]) -> Result<Vec<gix::ObjectId>, GitError> {
        let mut ids = Vec::new();
        for path in paths {
            if let Some(entry) = tree.lookup_entry_by_path(*path)?
                && entry.mode().is_blob()
            {
                ids.push(entry.object_id());
            }
        }
        Ok(ids)
    }

    /// The migration files of the live release in the directories of the changed migrations
    /// that the live release has (what pairing up/down scripts reads), sorted.
    fn migration_siblings(
        &self,
        live_tree: &gix::Tree<'_>,
        changed: &[FileChange],
        is_migration: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>, GitError> {
        let mut dirs: Vec<&str> = changed
            .iter()
            .filter(|f| f.live.is_some())
            .map(|f| f.change.path.rsplit_once('/').map_or("", |(dir, _)| dir))
            .collect();
        dirs.sort();
        dirs.dedup();
        let mut files = Vec::new();
        for dir in dirs {
            let tree = if dir.is_empty() {
                live_tree.clone()
            } else {
                match live_tree.lookup_entry_by_path(dir)? {
                    Some(entry) if entry.mode().is_tree() => entry.object()?.into_tree(),
                    _ => continue,
                }
            };
            for entry in tree.iter() {
                let entry = entry.map_err(|e| GitError::other("reading a tree", e))?;
                if !entry.mode().is_blob() {
                    continue;
                }
                let name = entry.filename().to_str_lossy();
                let path = if dir.is_empty() {
                    name.into_owned()
                } else {
                    format!("{dir}/{name}")
                };
                if is_migration(&path) {
                    files.push(path);
                }
            }
        }
        files.sort();
        Ok(files)
    }

    /// Gathers everything the checklist reads about `target..live`.
    pub fn range_facts(&self, req: &RangeRequest<'_>) -> Result<RangeFacts, GitError> {
        let repo = &self.repo;
        let (live, target) = (from_oid(req.live), from_oid(req.target));
        let target_is_ancestor = live == target || repo.merge_base(target, live)?.is_some_and(|b| b.detach() == target);

        let shallow: std::collections::HashSet<gix::ObjectId> = repo
            .shallow_commits()
            .map_err(|e| GitError::other("reading the shallow file", e))?
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let mut history_cut = None;
        let mut commits = Vec::new();
        let mut total_commits = 0;
        let mut parents: HashMap<gix::ObjectId, Vec<gix::ObjectId>> = HashMap::new();
        for (id, parent_ids) in super::count::walk(repo, live, Some(target))?.commits {
            total_commits += 1;
            if history_cut.is_none() && shallow.contains(&id) {
                history_cut = Some(to_oid(&id));
            }
            if commits.len() < req.commit_limit {
                commits.push(self.commit_info(id, false)?);
            }
            parents.insert(id, parent_ids);
        }
        let path = if target_is_ancestor {
            self.path_commits(&path_to(live, target, &parents), target)?
        } else {
            Vec::new()
        };
        // Every later commit is read for revert messages; the newest `commit_limit` also for
        // their paths (built-upon), the rest only kept when they revert something.
        let mut later = Vec::new();
        let mut later_total = 0;
        if let Some(tip) = req.tip {
            for (id, _) in super::count::walk(repo, from_oid(tip), Some(live))?.commits {
                later_total += 1;
                if later_total <= req.commit_limit {
                    later.push(self.commit_info(id, true)?);
                } else {
                    // Older ones only matter when they revert something: look at the raw bytes
                    // first, decode only those.
                    let raw = repo.find_object(id)?;
                    if raw.data.windows(20).any(|w| w == b"This reverts commit ") {
                        later.push(self.commit_info(id, false)?);
                    }
                }
            }
        }

        let live_tree = repo.find_commit(live)?.tree()?;
        let target_tree = repo.find_commit(target)?.tree()?;
        let (changes, renames_found) = self.diff(&target_tree, &live_tree)?;

        let mut migrations = Vec::new();
        let mut config = Vec::new();
        let mut missing = Vec::new();
        let relevant = |change: &PathChange| {
            let matches = |f: &dyn Fn(&str) -> bool| f(&change.path) || change.old_path.as_deref().is_some_and(f);
            matches(req.is_migration) || matches(req.is_config)
        };
        if self.promisor_remote().is_some() {
            let live_paths: Vec<&str> = changes
                .iter()
                .filter(|c| relevant(c))
                .map(|c| c.path.as_str())
                .collect();
            let target_paths: Vec<&str> = changes
                .iter()
                .filter(|c| relevant(c))
                .map(|c| c.old_path.as_deref().unwrap_or(&c.path))
                .collect();
            let mut ids = self.blob_ids(&live_tree, &live_paths)?;
            ids.extend(self.blob_ids(&target_tree, &target_paths)?);
            self.ensure_objects(&ids)?;
        }
        let read = |missing: &mut Vec<MissingObject>,
                    tree: &gix::Tree<'_>,
                    path: &str,
                    commit: &Oid|
         -> Result<Option<Vec<u8>>, GitError> {
            Ok(self.blob_at(tree, path)?.unwrap_or_else(|id| {
                missing.push(MissingObject {
                    object: to_oid(&id),
                    path: path.to_owned(),
                    commit: *commit,
                });
                None
            }))
        };
        for change in &changes {
            let matches = |f: &dyn Fn(&str) -> bool| f(&change.path) || change.old_path.as_deref().is_some_and(f);
            let (is_migration, is_config) = (matches(req.is_migration), matches(req.is_config));
            if !is_migration && !is_config {
                continue;
            }
            let old_path = change.old_path.as_deref().unwrap_or(&change.path);
            let lacking = missing.len();
            let mut file = FileChange {
                change: change.clone(),
                live: read(&mut missing, &live_tree, &change.path, req.live)?,
                target: read(&mut missing, &target_tree, old_path, req.target)?,
                diff: None,
            };
            // A side this clone lacks is said in its item; a diff against nothing would not be.
            let readable = missing.len() == lacking;
            if is_config && req.config_diffs && readable && !file.is_binary() {
                file.diff = Some(unified_diff(
                    &change.path,
                    old_path,
                    file.live.as_deref(),
                    file.target.as_deref(),
                ));
            }
            if is_migration {
                migrations.push(file);
            } else {
                config.push(file);
            }
        }
        let live_migration_files = self.migration_siblings(&live_tree, &migrations, req.is_migration)?;
        Ok(RangeFacts {
            live: *req.live,
            target: *req.target,
            target_is_ancestor,
            history_cut,
            commits,
            total_commits,
            path,
            later,
            later_total,
            later_with_paths: later_total.min(req.commit_limit),
            changes,
            renames_found,
            live_migration_files,
            migrations,
            config,
            missing,
            revert: None,
        })
    }

    /// The facts of each commit of a path (newest first, ending above `target`): whether its
    /// revert is empty (its tree is the next commit's on the path) and what it says it reverts.
    fn path_commits(&self, path: &[(gix::ObjectId, u32)], target: gix::ObjectId) -> Result<Vec<PathCommit>, GitError> {
        // Each commit is read once: its tree, and its message only when the raw bytes say it
        // reverts something. The last tree is the target's.
        let mut trees = Vec::with_capacity(path.len() + 1);
        let mut reverts = Vec::with_capacity(path.len());
        for id in path.iter().map(|(id, _)| *id).chain([target]) {
            let commit = self.repo.find_commit(id)?;
            trees.push(commit.tree_id()?.detach());
            if id != target {
                reverts.push(if commit.data.windows(20).any(|w| w == b"This reverts commit ") {
                    reverted_ids(&commit.message_raw()?.to_str_lossy())
                } else {
                    Vec::new()
                });
            }
        }
        // A revert cancels the commit it names only when it is that commit's exact inverse (the
        // same files, with before and after swapped): a "revert" that also changed other lines
        // (git's a3d1f391d3 reverts a merge and edits the release notes) is reverted itself.
        let position: HashMap<gix::ObjectId, usize> = path.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        for (r, claimed) in reverts.iter_mut().enumerate() {
            let mut kept = Vec::with_capacity(claimed.len());
            for x in claimed.drain(..) {
                let inverse = match position.get(&from_oid(&x)) {
                    Some(&xi) if xi > r => {
                        super::trees::changes(&self.repo, trees[r], trees[r + 1])?.files
                            == super::trees::changes(&self.repo, trees[xi + 1], trees[xi])?.files
                    }
                    _ => true,
                };
                if inverse {
                    kept.push(x);
                }
            }
            *claimed = kept;
        }
        Ok(path
            .iter()
            .zip(reverts)
            .enumerate()
            .map(|(i, ((id, mainline), reverts))| PathCommit {
                step: RevertStep {
                    commit: to_oid(id),
                    mainline: *mainline,
                },
                empty: trees[i] == trees[i + 1],
                reverts,
            })
            .collect())
    }

    /// The tracked paths with uncommitted changes (index or work tree; untracked files do not
    /// count), or `None` in a bare repository.
    pub fn dirty_paths(&self) -> Result<Option<Vec<String>>, GitError> {
        let repo = &self.repo;
        if repo.workdir().is_none() {
            return Ok(None);
        }
        let mut paths = Vec::new();
        let index = repo.index_or_empty()?;
        // The index's cache tree (git's TREE extension), when valid at the root (and counting
        // every entry of the index), names the tree the index holds: if that is HEAD's tree,
        // nothing is staged and only the work tree needs reading (git's `diff-index --cached`
        // takes the same shortcut). Otherwise HEAD's tree is compared with the index too,
        // without following renames: a path counts either way.
        let head_tree = repo.head_tree_id_or_empty()?.detach();
        let staged_nothing = index
            .tree()
            .is_some_and(|cached| cached.num_entries == Some(index.entries().len() as u32) && cached.id == head_tree);
        let status = repo
            .status(gix::progress::Discard)?
            .index(gix::worktree::IndexPersistedOrInMemory::Persisted(index))
            .untracked_files(gix::status::UntrackedFiles::None)
            .tree_index_track_renames(gix::status::tree_index::TrackRenames::Disabled)
            .index_worktree_rewrites(None);
        let mut add = |location: &gix::bstr::BStr| paths.push(location.to_str_lossy().into_owned());
        if staged_nothing {
            for item in status.into_index_worktree_iter(None)? {
                let item = item.map_err(|e| GitError::other("reading the work tree status", e))?;
                add(item.rela_path());
            }
        } else {
            for item in status.into_iter(None)? {
                let item = item.map_err(|e| GitError::other("reading the work tree status", e))?;
                add(item.location());
            }
        }
        paths.sort();
        paths.dedup();
        Ok(Some(paths))
    }

    /// Starts reading the work tree's status on another thread, so that it runs while this
    /// thread reads the range (on a work tree of a few thousand files it took as long as the
    /// range and the revert preview). The thread opens the repository again as this one was
    /// opened: without gix's `parallel` feature a repository handle cannot be sent to another
    /// thread, and the second open (about 1 ms) is off the main thread's path.
    pub fn dirty_paths_in_background(&self) -> PendingStatus {
        let opened = self.opened.clone();
        PendingStatus::spawn(move || super::read::open_as(&opened)?.dirty_paths())
    }

    /// The work tree (its status read by `status`), the production branch's upstream and the
    /// last fetch.
    pub fn repo_facts(&self, branch: Option<(&str, &Oid)>, status: PendingStatus) -> Result<RepoFacts, GitError> {
        let repo = &self.repo;
        let dirty = status.wait()?;
        let mut upstream = None;
        if let Some((name, tip)) = branch
            && let Ok(full) = gix::refs::FullName::try_from(format!("refs/heads/{name}"))
            && let Some(Ok(tracking)) =
                repo.branch_remote_tracking_ref_name(full.as_ref(), gix::remote::Direction::Fetch)
            && let Some(mut r) = repo.try_find_reference(tracking.as_ref())?
        {
            let remote_tip = r.peel_to_id()?.detach();
            let count = |from: gix::ObjectId, hide: gix::ObjectId| -> Result<usize, GitError> {
                Ok(super::count::count(repo, from, Some(hide))?.commits)
            };
            upstream = Some(Upstream {
                name: tracking.shorten().to_string(),
                ahead: count(from_oid(tip), remote_tip)?,
                behind: count(remote_tip, from_oid(tip))?,
            });
        }
        let last_fetch = last_fetch(repo.common_dir());
        Ok(RepoFacts {
            dirty,
            upstream,
            last_fetch,
            has_remotes: !repo.remote_names().is_empty(),
        })
    }
}

/// When this clone last heard from a remote: `FETCH_HEAD` (written by every fetch and pull)
/// or the newest remote-tracking reflog (written by `git clone`, which leaves no `FETCH_HEAD`,
/// and by fetches that update a remote-tracking branch), whichever is newer.
fn last_fetch(common: &std::path::Path) -> Option<Timestamp> {
    fn newest(dir: &std::path::Path, depth: usize) -> Option<std::time::SystemTime> {
        let entries = std::fs::read_dir(dir).ok()?;
        entries
            .flatten()
            .filter_map(|e| {
                let kind = e.file_type().ok()?;
                if kind.is_dir() && depth > 0 {
                    newest(&e.path(), depth - 1)
                } else if kind.is_file() {
                    e.metadata().ok()?.modified().ok()
                } else {
                    None
                }
            })
            .max()
    }
    let fetch_head = std::fs::metadata(common.join("FETCH_HEAD"))
        .and_then(|m| m.modified())
        .ok();
    // Remote names and branch names may hold slashes; 8 levels is deeper than any real one.
    let tracking = newest(&common.join("logs/refs/remotes"), 8);
    fetch_head
        .max(tracking)
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| Timestamp::utc(d.as_secs() as i64))
}

/// The path from `live` down to `target` through `parents` (the commits of `target..live`):
/// at each commit, the first parent that is the target or still has it in its history, with
/// that parent's number (1-based). Newest first, without the target. On the first-parent chain
/// when the target is on it.
fn path_to(
    live: gix::ObjectId,
    target: gix::ObjectId,
    parents: &HashMap<gix::ObjectId, Vec<gix::ObjectId>>,
) -> Vec<(gix::ObjectId, u32)> {
    // Which commits of the range reach the target, without recursion (ranges can be long).
    let mut reaches: HashMap<gix::ObjectId, bool> = HashMap::new();
    let reached = |id: &gix::ObjectId, reaches: &HashMap<gix::ObjectId, bool>| -> Option<bool> {
        if *id == target {
            Some(true)
        } else if !parents.contains_key(id) {
            Some(false)
        } else {
            reaches.get(id).copied()
        }
    };
    let mut stack = vec![live];
    while let Some(&id) = stack.last() {
        if reached(&id, &reaches).is_some() {
            stack.pop();
            continue;
        }
        let pending: Vec<gix::ObjectId> = parents[&id]
            .iter()
            .filter(|p| reached(p, &reaches).is_none())
            .copied()
            .collect();
        if pending.is_empty() {
            let any = parents[&id].iter().any(|p| reached(p, &reaches) == Some(true));
            reaches.insert(id, any);
            stack.pop();
        } else {
            stack.extend(pending);
        }
    }
    let mut path = Vec::new();
    let mut at = live;
    while at != target {
        let Some((i, next)) = parents
            .get(&at)
            .and_then(|ps| ps.iter().enumerate().find(|(_, p)| reached(p, &reaches) == Some(true)))
        else {
            break;
        };
        path.push((at, i as u32 + 1));
        at = *next;
    }
    path
}

/// The work tree's status being read on another thread: the tracked paths with uncommitted
/// changes (`None` in a bare repository), as [`Reader::dirty_paths`] gives them.
pub type PendingStatus = crate::background::Background<Result<Option<Vec<String>>, GitError>>;

/// A unified diff of rolling back one file (live → target), with git-style headers.
fn unified_diff(path: &str, old_path: &str, live: Option<&[u8]>, target: Option<&[u8]>) -> String {
    use gix::diff::blob::unified_diff::{ConsumeBinaryHunk, ContextSize};
    use gix::diff::blob::{Algorithm, InternedInput, UnifiedDiff};
    let (before, after) = (live.unwrap_or_default(), target.unwrap_or_default());
    let a = if live.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".into()
    };
    let b = if target.is_some() {
        format!("b/{old_path}")
    } else {
        "/dev/null".into()
    };
    if before.len().max(after.len()) > DIFF_INPUT_CAP {
        return format!(
            "--- {a}\n+++ {b}\n(diff not computed: {} KiB on one side, over the {} KiB cap; see git diff)\n",
            before.len().max(after.len()) / 1024,
            DIFF_INPUT_CAP / 1024
        );
    }
    let input = InternedInput::new(before, after);
    let diff = gix::diff::blob::diff_with_slider_heuristics(Algorithm::Histogram, &input);
    let hunks = UnifiedDiff::new(
        &diff,
        &input,
        ConsumeBinaryHunk::new(String::new(), "\n"),
        ContextSize::symmetrical(3),
    )
    .consume()
    .unwrap_or_default();
    let total = hunks.lines().count();
    if total > DIFF_LINE_CAP {
        let kept: String = hunks.lines().take(DIFF_LINE_CAP).flat_map(|l| [l, "\n"]).collect();
        return format!(
            "--- {a}\n+++ {b}\n{kept}(… {} more lines not shown: the cap is {DIFF_LINE_CAP}; see git diff)\n",
            total - DIFF_LINE_CAP
        );
    }
    format!("--- {a}\n+++ {b}\n{hunks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_diffs_are_capped_and_say_so() {
        let small = unified_diff("a.toml", "a.toml", Some(b"x = 1\n"), Some(b"x = 2\n"));
        assert_eq!(small, "--- a/a.toml\n+++ b/a.toml\n@@ -1,1 +1,1 @@\n-x = 1\n+x = 2\n");
        let big = vec![b'a'; DIFF_INPUT_CAP + 1];
        let skipped = unified_diff("a.json", "a.json", Some(&big), Some(b"{}"));
        assert!(
            skipped.contains("diff not computed: 256 KiB on one side, over the 256 KiB cap"),
            "{skipped}"
        );
        let long: String = (0..1000).map(|i| format!("k{i} = {i}\n")).collect();
        let cut = unified_diff("b.toml", "b.toml", Some(long.as_bytes()), None);
        let lines: Vec<&str> = cut.lines().collect();
        assert_eq!(lines.len(), 2 + DIFF_LINE_CAP + 1, "headers, the cap's lines, the note");
        assert_eq!(lines[0], "--- a/b.toml");
        assert_eq!(lines[1], "+++ /dev/null");
        assert_eq!(
            *lines.last().unwrap(),
            "(… 601 more lines not shown: the cap is 400; see git diff)"
        );
    }
}
