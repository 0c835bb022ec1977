//! Reverting commits as `git revert` does, without a work tree: each commit C is undone by
//! merging C's parent into the current tip with C as the base (gix's tree merge), a merge
//! against its first parent; trivial merges, and whole stretches of trivial reverts, are done as
//! tree edits instead (checked against the merges in debug builds). The preview keeps every
//! object in memory; applying makes the revert commits (with git's messages) in that memory,
//! and `Reader::write_with_record` writes them with the record as one pack. No ref is touched.

use gix::bstr::ByteSlice;

mod at_once;
mod merge;
#[cfg(test)]
mod tests;

use super::trees::parent_tree;
use super::write::signature;
use super::{GitError, Reader, from_oid, to_oid};
use crate::model::range::{Landing, MissingObject, RevertPreview, RevertStep};
use crate::model::{Identity, Oid};
use at_once::{Reverts, whole_chain_trivial};
use merge::Merger;

/// What reverting a chain produced.
struct Chain {
    /// The first commit whose revert conflicts, and the paths.
    conflict: Option<(Oid, Vec<String>)>,
    /// The tree after each revert that applied, in order.
    trees: Vec<gix::ObjectId>,
    /// The revert commits written (empty for a preview).
    created: Vec<Oid>,
    /// Commits whose revert changed nothing (no tree pushed, no commit made).
    empty: Vec<Oid>,
    /// Paths whose conflicts were resolved by keeping the tip's side (release bookkeeping).
    kept: Vec<String>,
}

/// Which conflicting paths a revert may resolve by keeping the production tip's side of the
/// whole file (release bookkeeping: version files, lockfiles, changelogs); `None`: none.
pub type KeepOurs<'a> = Option<&'a dyn Fn(&str) -> bool>;

impl Chain {
    fn tree(&self, onto: gix::ObjectId) -> gix::ObjectId {
        self.trees.last().copied().unwrap_or(onto)
    }
}

/// A preview that applied cleanly, kept so that applying exactly the same revert in this
/// process writes its trees instead of merging again.
pub(crate) struct Preview {
    onto: Oid,
    /// The steps that changed something (the preview's `commits`).
    commits: Vec<RevertStep>,
    trees: StepTrees,
    /// The repository whose object memory holds the merged trees and blobs.
    memory: gix::Repository,
}

/// The tree after each revert of a preview: merged one by one, or to be built from a revert
/// of the whole chain at once.
enum StepTrees {
    Built(Vec<gix::ObjectId>),
    AtOnce(Reverts),
}

/// git's revert message (a merge says which parent it reverses to, as `git revert -m N` does).
fn message(subject: &str, id: &Oid, mainline_parent: Option<&Oid>, is_merge: bool) -> String {
    match (is_merge, mainline_parent) {
        (true, Some(p)) => {
            format!("Revert \"{subject}\"\n\nThis reverts commit {id}, reversing\nchanges made to {p}.\n")
        }
        _ => format!("Revert \"{subject}\"\n\nThis reverts commit {id}.\n"),
    }
}

/// Reverts `commits` one after another on top of `onto`, each to its mainline parent. With
/// `known` (the trees of a clean preview of exactly these commits), no merge runs. With
/// `author`, each revert is committed. With `skip_empty`, a revert that changes nothing is left
/// out (listed in `empty`), as `git revert` stops on it.
fn revert_chain(
    repo: &gix::Repository,
    onto: &Oid,
    commits: &[RevertStep],
    known: Option<&[gix::ObjectId]>,
    author: Option<&Identity>,
    skip_empty: bool,
    keep_ours: KeepOurs<'_>,
) -> Result<Chain, GitError> {
    let mut tip = from_oid(onto);
    let mut ours = repo.find_commit(tip)?.tree_id()?.detach();
    let mut merger = match known {
        Some(_) => None,
        None => Some(Merger::new(repo)?),
    };
    let mut chain = Chain {
        conflict: None,
        trees: Vec::with_capacity(commits.len()),
        created: Vec::new(),
        empty: Vec::new(),
        kept: Vec::new(),
    };
    for (i, step) in commits.iter().enumerate() {
        let id = &step.commit;
        let commit = repo.find_commit(from_oid(id))?;
        let mainline_parent = commit
            .parent_ids()
            .nth(step.mainline.saturating_sub(1) as usize)
            .map(|p| p.detach());
        let subject = commit.message()?.summary().to_str_lossy().into_owned();
        let merged = match (known, merger.as_mut()) {
            (Some(trees), _) => Ok(trees[i]),
            (None, Some(merger)) => {
                let base = commit.tree_id()?.detach();
                let theirs = parent_tree(repo, &commit, step.mainline)?;
                let short = &id.as_str()[..7];
                let (ancestor, other) = (format!("{short} ({subject})"), format!("parent of {short} ({subject})"));
                let labels = gix::merge::blob::builtin_driver::text::Labels {
                    ancestor: Some(ancestor.as_str().into()),
                    current: Some("HEAD".into()),
                    other: Some(other.as_str().into()),
                };
                let sides = merge::Sides { base, ours, theirs };
                match merger.merge(sides, labels)? {
                    // Only bookkeeping conflicts, and keeping the tip's side is asked for: the
                    // merge's tree with those files as the tip has them.
                    Err(paths) if keep_ours.is_some_and(|keep| paths.iter().all(|p| keep(p))) => {
                        let (tree, unresolved) = merger.merge_with_conflicts(sides, labels)?;
                        let mut look = super::trees::Lookup::new(repo);
                        let mut set = super::trees::Files::new();
                        for path in &unresolved {
                            let path: gix::bstr::BString = path.as_str().into();
                            let entry = look.entry(ours, &path)?;
                            set.insert(path, entry);
                        }
                        for p in unresolved {
                            if !chain.kept.contains(&p) {
                                chain.kept.push(p);
                            }
                        }
                        Ok(super::trees::with_files(repo, tree, &set)?)
                    }
                    other => other,
                }
            }
            (None, None) => unreachable!("a merger exists whenever no trees are known"),
        };
        let merged = match merged {
            Ok(tree) => tree,
            Err(paths) => {
                chain.conflict = Some((*id, paths));
                return Ok(chain);
            }
        };
        if skip_empty && merged == ours {
            chain.empty.push(*id);
            continue;
        }
        ours = merged;
        chain.trees.push(ours);
        if let Some(who) = author {
            let sig = signature(who);
            let mut buf = gix::date::parse::TimeBuf::default();
            let sig_ref = sig.to_ref(&mut buf);
            let is_merge = commit.parent_ids().count() > 1;
            let msg = message(&subject, id, mainline_parent.map(|p| to_oid(&p)).as_ref(), is_merge);
            let new = repo.new_commit_as(sig_ref, sig_ref, msg, ours, [tip])?;
            tip = new.id;
            chain.created.push(to_oid(&tip));
        }
    }
    Ok(chain)
}

/// Where reverting the whole range must land (see [`Landing`]), against the tree the chain
/// produced. With the tip at the live release that is the target's tree, and no merge runs.
fn landing(
    repo: &gix::Repository,
    live: &Oid,
    onto: &Oid,
    target: &Oid,
    chain_tree: gix::ObjectId,
    kept: &[String],
) -> Result<Landing, GitError> {
    let tree =
        |id: &Oid| -> Result<gix::ObjectId, GitError> { Ok(repo.find_commit(from_oid(id))?.tree_id()?.detach()) };
    let theirs = tree(target)?;
    let (expected, unresolved) = if live == onto {
        (theirs, Vec::new())
    } else {
        let labels = gix::merge::blob::builtin_driver::text::Labels {
            ancestor: Some("live release".into()),
            current: Some("production tip".into()),
            other: Some("target release".into()),
        };
        let sides = merge::Sides {
            base: tree(live)?,
            ours: tree(onto)?,
            theirs,
        };
        Merger::new(repo)?.merge_with_conflicts(sides, labels)?
    };
    let mut differs = Vec::new();
    if expected != chain_tree {
        for (path, _, _) in super::trees::changes(repo, chain_tree, expected)?.files {
            let path = path.to_str_lossy().into_owned();
            if !unresolved.contains(&path) && !kept.contains(&path) {
                differs.push(path);
            }
        }
        differs.sort();
    }
    Ok(Landing {
        expected: to_oid(&expected),
        unresolved,
        differs,
    })
}

/// The commits of a revert, made in memory and not yet written: [`Reader::write_with_record`]
/// writes them with the record's tag.
pub struct Reverted {
    /// Oldest first (the last one is the new tip).
    pub commits: Vec<Oid>,
    pub tree: Oid,
    pub objects: super::pack::NewObjects,
}

impl Reader {
    /// Reverts `commits` (newest first) one after another on top of `onto`, in memory: nothing
    /// reaches the object database. With `whole` (the live release and the target, when
    /// `commits` is the whole range), the result is compared with where a rollback must land.
    /// With `skip_empty`, reverts that change nothing are left out (a restore keeps them: they
    /// say what was restored even where the branch never had the reverts).
    pub fn revert_preview(
        &self,
        onto: &Oid,
        commits: &[RevertStep],
        whole: Option<(&Oid, &Oid)>,
        skip_empty: bool,
        keep_ours: KeepOurs<'_>,
    ) -> Result<RevertPreview, GitError> {
        let repo = self.repo.clone().with_object_memory();
        let first_parents: Option<Vec<Oid>> = commits.iter().map(|s| (s.mainline == 1).then_some(s.commit)).collect();
        let at_once = match &first_parents {
            Some(ids) => whole_chain_trivial(&repo, onto, ids)?,
            None => None,
        };
        let missing = match at_once {
            None => self.fetch_for_merges(&repo, onto, commits)?,
            Some(_) => Vec::new(),
        };
        if !missing.is_empty() {
            return Ok(RevertPreview {
                commits: commits.to_vec(),
                empty: Vec::new(),
                conflict: None,
                onto: *onto,
                tree: None,
                landing: None,
                missing,
                kept_ours: Vec::new(),
            });
        }
        let (tree, conflict, empty, trees, kept_ours) = match at_once {
            Some(at_once) => (
                Some(at_once.tree),
                None,
                Vec::new(),
                StepTrees::AtOnce(at_once),
                Vec::new(),
            ),
            None => {
                let chain = revert_chain(&repo, onto, commits, None, None, skip_empty, keep_ours)?;
                let onto_tree = repo.find_commit(from_oid(onto))?.tree_id()?.detach();
                let tree = chain.conflict.is_none().then(|| chain.tree(onto_tree));
                (
                    tree,
                    chain.conflict,
                    chain.empty,
                    StepTrees::Built(chain.trees),
                    chain.kept,
                )
            }
        };
        let kept: Vec<RevertStep> = commits.iter().filter(|s| !empty.contains(&s.commit)).copied().collect();
        let landing = match (tree, whole) {
            (Some(tree), Some((live, target))) => Some(landing(&repo, live, onto, target, tree, &kept_ours)?),
            _ => None,
        };
        if tree.is_some() {
            *self.preview.borrow_mut() = Some(Preview {
                onto: *onto,
                commits: kept.clone(),
                trees,
                memory: repo,
            });
        }
        Ok(RevertPreview {
            commits: kept,
            empty,
            conflict,
            onto: *onto,
            tree: tree.map(|t| to_oid(&t)),
            landing,
            missing: Vec::new(),
            kept_ours,
        })
    }

    /// In a partial clone: fetches the blobs the merges of `commits` will read (the files each
    /// commit changed, on both sides, and the tip's version of them) in one batch; returns what
    /// is still missing, with its path and commit. Nothing to do in a complete repository.
    fn fetch_for_merges(
        &self,
        repo: &gix::Repository,
        onto: &Oid,
        commits: &[RevertStep],
    ) -> Result<Vec<MissingObject>, GitError> {
        if self.promisor_remote().is_none() {
            return Ok(Vec::new());
        }
        let tip = repo.find_commit(from_oid(onto))?.tree_id()?.detach();
        let mut look = super::trees::Lookup::new(repo);
        let mut wanted: Vec<(gix::ObjectId, String, Oid)> = Vec::new();
        for step in commits {
            let commit = repo.find_commit(from_oid(&step.commit))?;
            let (tree, parent) = (commit.tree_id()?.detach(), parent_tree(repo, &commit, step.mainline)?);
            for (path, before, after) in super::trees::changes(repo, parent, tree)?.files {
                let in_tip = look.entry(tip, &path)?;
                let shown = path.to_str_lossy().into_owned();
                for (mode, id) in [before, after, in_tip].into_iter().flatten() {
                    if mode.is_blob() {
                        wanted.push((id, shown.clone(), step.commit));
                    }
                }
            }
        }
        let ids: Vec<gix::ObjectId> = wanted.iter().map(|(id, _, _)| *id).collect();
        let still = self.ensure_objects(&ids)?;
        let mut missing: Vec<MissingObject> = Vec::new();
        for (id, path, commit) in wanted {
            if still.contains(&id) && !missing.iter().any(|m| m.object == to_oid(&id)) {
                missing.push(MissingObject {
                    object: to_oid(&id),
                    path,
                    commit,
                });
            }
        }
        Ok(missing)
    }

    /// Makes the revert commits of `commits` (newest first) on top of `onto`, as `who`, in
    /// memory. On a conflict, returns the commit and paths.
    pub fn revert_commits(
        &self,
        onto: &Oid,
        commits: &[RevertStep],
        who: &Identity,
        keep_ours: KeepOurs<'_>,
    ) -> Result<Result<Reverted, (Oid, Vec<String>)>, GitError> {
        // A clean preview of exactly this revert has every tree in its object memory already
        // (`run` previews first): commit those trees there. Otherwise preview now.
        let cached = self
            .preview
            .borrow_mut()
            .take()
            .filter(|p| &p.onto == onto && p.commits == commits);
        let preview = match cached {
            Some(p) => p,
            None => {
                // Every commit the plan lists is committed: it was planned from a preview of
                // the same tip, which left out what would change nothing.
                if let Some(conflict) = self.revert_preview(onto, commits, None, false, keep_ours)?.conflict {
                    return Ok(Err(conflict));
                }
                self.preview.borrow_mut().take().expect("a clean preview is kept")
            }
        };
        let trees = match preview.trees {
            StepTrees::Built(trees) => trees,
            StepTrees::AtOnce(at_once) => at_once.step_trees(&preview.memory)?,
        };
        let chain = revert_chain(
            &preview.memory,
            onto,
            &preview.commits,
            Some(&trees),
            Some(who),
            false,
            None,
        )?;
        let onto_tree = self.repo.find_commit(from_oid(onto))?.tree_id()?.detach();
        Ok(Ok(Reverted {
            tree: to_oid(&chain.tree(onto_tree)),
            commits: chain.created,
            objects: super::pack::NewObjects(preview.memory),
        }))
    }
}
