//! Reverting a whole first-parent stretch at once when every revert in it is trivial.

use super::super::GitError;
use super::super::from_oid;
use super::super::trees::{Builder, Files, Lookup, changes, first_parent_tree};
use crate::model::Oid;

/// What reverting a whole chain at once gives: the final tree, and how to build the tree after
/// each revert (the chain's tree there with some files set), which only applying needs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Reverts {
    pub(super) tree: gix::ObjectId,
    pub(super) steps: Vec<(gix::ObjectId, std::rc::Rc<Files>)>,
}

impl Reverts {
    /// The tree after each revert. One builder makes them all: consecutive steps share most
    /// subtrees.
    pub(super) fn step_trees(&self, repo: &gix::Repository) -> Result<Vec<gix::ObjectId>, GitError> {
        let mut builder = Builder::new(repo);
        self.steps
            .iter()
            .map(|(tree, files)| builder.with_files(*tree, files))
            .collect()
    }
}

/// Reverting a stretch of first-parent history at once, when every revert would be trivial
/// (see `trivial`). `commits` (newest first) must lie on one first-parent chain; commits of the
/// chain between them are skipped (that is how already reverted ones are left out).
///
/// Step by step, the tree being built equals the chain's tree at that point (the commit about
/// to be reverted) except at a few files: at first the files the branch changed after the
/// newest commit; a skipped commit adds the files it changed (they stay as it left them), and a
/// file leaves the set when the chain's tree comes to hold what the built tree holds (a revert
/// the branch already made). A revert is trivial exactly when its commit touches none of those
/// files (nor turns a directory above one into a file or back), so that is all that is checked,
/// by looking those few paths up in each tree of the chain. The result is the oldest commit's
/// parent's tree with those files set as they are at the end: one edit instead of one merge
/// per commit; the tree after each revert is likewise the chain's tree there with those files
/// set. `None` when some revert would not be trivial (or the commits are not such a chain), and
/// the reverts must be merged one by one.
pub(super) fn whole_chain_trivial(
    repo: &gix::Repository,
    onto: &Oid,
    commits: &[Oid],
) -> Result<Option<Reverts>, GitError> {
    let Some(first) = commits.first() else {
        return Ok(None);
    };
    // The chain's trees, newest first, ending with the oldest commit's parent's; which commits
    // of the chain are skipped.
    let (mut trees, mut skipped) = (Vec::new(), std::collections::HashSet::new());
    let mut wanted = commits.iter().peekable();
    let mut at = from_oid(first);
    loop {
        let commit = repo.find_commit(at)?;
        trees.push(commit.tree_id()?.detach());
        if wanted.peek().is_some_and(|w| from_oid(w) == at) {
            wanted.next();
        } else {
            skipped.insert(trees.len() - 1);
        }
        let parent = commit.parent_ids().next().map(|p| p.detach());
        if wanted.peek().is_none() {
            trees.push(first_parent_tree(repo, &commit)?);
            break;
        }
        match parent {
            Some(p) if trees.len() <= commits.len() + 64 => at = p,
            _ => return Ok(None),
        }
    }
    let mut look = Lookup::new(repo);
    let mut steps = Vec::new();
    let ours = repo.find_commit(from_oid(onto))?.tree_id()?.detach();
    // Where the tree being built differs from the chain's: path -> its entry there.
    let mut differs: std::rc::Rc<Files> = Default::default();
    for (path, _, in_ours) in changes(repo, trees[0], ours)?.files {
        if !look.same_parents(trees[0], ours, &path)? {
            return Ok(None);
        }
        std::rc::Rc::make_mut(&mut differs).insert(path, in_ours);
    }
    for k in 0..trees.len() - 1 {
        let (now, next) = (trees[k], trees[k + 1]);
        if skipped.contains(&k) {
            for (path, left, _) in changes(repo, now, next)?.files {
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    std::rc::Rc::make_mut(&mut differs).entry(path)
                {
                    if !look.same_parents(now, next, slot.key())? {
                        return Ok(None);
                    }
                    slot.insert(left);
                }
            }
            let mut caught_up = Vec::new();
            for (path, entry) in differs.iter() {
                if look.entry(next, path)? == *entry {
                    caught_up.push(path.clone());
                }
            }
            for path in caught_up {
                std::rc::Rc::make_mut(&mut differs).remove(&path);
            }
        } else {
            for path in differs.keys() {
                if look.entry(now, path)? != look.entry(next, path)? || !look.same_parents(now, next, path)? {
                    return Ok(None);
                }
            }
            steps.push((next, differs.clone()));
        }
    }
    let target = *trees.last().expect("the chain ends with a parent tree");
    let tree = Builder::new(repo).with_files(target, &differs)?;
    let reverts = Reverts { tree, steps };
    // The unit tests hold these trees to the step-by-step chain's.
    Ok(Some(reverts))
}
