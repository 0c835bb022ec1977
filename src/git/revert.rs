//! Reverting commits as `git revert` does, without a work tree: each commit C is undone by
//! merging C's parent into the current tip with C as the base (gix `merge_trees`), a merge
//! against its first parent. The preview keeps every object in memory; the apply writes the
//! revert commits (with git's messages) and returns them, touching no ref.

use gix::bstr::ByteSlice;
use gix::merge::tree::TreatAsUnresolved;

use super::write::signature;
use super::{GitError, Reader, from_oid, to_oid};
use crate::model::range::RevertPreview;
use crate::model::{Identity, Oid};

/// What reverting a chain produced.
struct Chain {
    /// The first commit whose revert conflicts, and the paths.
    conflict: Option<(Oid, Vec<String>)>,
    tree: gix::ObjectId,
    /// The revert commits written (empty for a preview).
    created: Vec<Oid>,
}

/// git's revert message (a merge says which parent it reverses to, as `git revert -m 1` does).
fn message(subject: &str, id: &Oid, first_parent: Option<&Oid>, is_merge: bool) -> String {
    match (is_merge, first_parent) {
        (true, Some(p)) => {
            format!("Revert \"{subject}\"\n\nThis reverts commit {id}, reversing\nchanges made to {p}.\n")
        }
        _ => format!("Revert \"{subject}\"\n\nThis reverts commit {id}.\n"),
    }
}

fn revert_chain(
    repo: &gix::Repository,
    onto: &Oid,
    commits: &[Oid],
    author: Option<&Identity>,
) -> Result<Chain, GitError> {
    let mut tip = from_oid(onto);
    let mut ours = repo.find_commit(tip)?.tree_id()?.detach();
    let mut created = Vec::new();
    for id in commits {
        let commit = repo.find_commit(from_oid(id))?;
        let base = commit.tree_id()?.detach();
        let first_parent = commit.parent_ids().next().map(|p| p.detach());
        let theirs = match first_parent {
            Some(p) => repo.find_commit(p)?.tree_id()?.detach(),
            None => gix::ObjectId::empty_tree(repo.object_hash()),
        };
        let subject = commit.message()?.summary().to_str_lossy().into_owned();
        let short = &id.as_str()[..7];
        let (ancestor, other) = (format!("{short} ({subject})"), format!("parent of {short} ({subject})"));
        let labels = gix::merge::blob::builtin_driver::text::Labels {
            ancestor: Some(ancestor.as_str().into()),
            current: Some("HEAD".into()),
            other: Some(other.as_str().into()),
        };
        let mut out = repo.merge_trees(base, ours, theirs, labels, repo.tree_merge_options()?)?;
        let mut unresolved: Vec<String> = out
            .conflicts
            .iter()
            .filter(|c| c.is_unresolved(TreatAsUnresolved::git()))
            .map(|c| c.ours.location().to_str_lossy().into_owned())
            .collect();
        if !unresolved.is_empty() {
            unresolved.sort();
            unresolved.dedup();
            return Ok(Chain {
                conflict: Some((*id, unresolved)),
                tree: ours,
                created,
            });
        }
        ours = out.tree.write()?.detach();
        if let Some(who) = author {
            let sig = signature(who);
            let mut buf = gix::date::parse::TimeBuf::default();
            let sig_ref = sig.to_ref(&mut buf);
            let is_merge = commit.parent_ids().count() > 1;
            let msg = message(&subject, id, first_parent.map(|p| to_oid(&p)).as_ref(), is_merge);
            let new = repo.new_commit_as(sig_ref, sig_ref, msg, ours, [tip])?;
            tip = new.id;
            created.push(to_oid(&tip));
        }
    }
    Ok(Chain {
        conflict: None,
        tree: ours,
        created,
    })
}

/// The commits a real revert wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverted {
    /// In the order written (the last one is the new tip).
    pub commits: Vec<Oid>,
    pub tree: Oid,
}

impl Reader {
    /// Reverts `commits` (newest first) one after another on top of `onto`, in memory: nothing
    /// reaches the object database.
    pub fn revert_preview(&self, onto: &Oid, commits: &[Oid]) -> Result<RevertPreview, GitError> {
        let repo = self.repo.clone().with_object_memory();
        let chain = revert_chain(&repo, onto, commits, None)?;
        let tree = chain.conflict.is_none().then(|| to_oid(&chain.tree));
        if tree.is_some() {
            // Kept so that applying exactly this revert in this process reuses these merges.
            *self.preview.borrow_mut() = Some((*onto, commits.to_vec(), repo));
        }
        Ok(RevertPreview {
            commits: commits.to_vec(),
            conflict: chain.conflict,
            onto: *onto,
            tree,
        })
    }

    /// Writes the revert commits of `commits` (newest first) on top of `onto`, as `who`. On a
    /// conflict, returns the commit and paths (the objects written so far are unreachable).
    pub fn revert_commits(
        &self,
        onto: &Oid,
        commits: &[Oid],
        who: &Identity,
    ) -> Result<Result<Reverted, (Oid, Vec<String>)>, GitError> {
        // The preview of exactly this revert merged every tree already, in memory: replay it
        // there (the merged trees are found, only the commits are new), then persist what it
        // holds. Otherwise merge and write directly.
        let cached = self
            .preview
            .borrow_mut()
            .take()
            .filter(|(o, c, _)| o == onto && c == commits);
        let chain = match cached {
            Some((_, _, mut memory)) => {
                let chain = revert_chain(&memory, onto, commits, Some(who))?;
                if chain.conflict.is_none() {
                    let stored = memory.objects.take_object_memory().unwrap_or_default();
                    for (id, (kind, data)) in stored.iter() {
                        let written = gix::objs::Write::write_buf(&self.repo.objects, *kind, data)
                            .map_err(|e| GitError::other("writing the revert objects", e))?;
                        debug_assert_eq!(written, *id);
                    }
                }
                chain
            }
            None => revert_chain(&self.repo, onto, commits, Some(who))?,
        };
        Ok(match chain.conflict {
            Some(c) => Err(c),
            None => Ok(Reverted {
                commits: chain.created,
                tree: to_oid(&chain.tree),
            }),
        })
    }
}
