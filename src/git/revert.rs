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
    /// The tree after each revert that applied, in order.
    trees: Vec<gix::ObjectId>,
    /// The revert commits written (empty for a preview).
    created: Vec<Oid>,
}

impl Chain {
    fn tree(&self, onto: gix::ObjectId) -> gix::ObjectId {
        self.trees.last().copied().unwrap_or(onto)
    }
}

/// A preview that applied cleanly, kept so that applying exactly the same revert in this
/// process writes its trees instead of merging again.
pub(crate) struct Preview {
    onto: Oid,
    commits: Vec<Oid>,
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

/// git's revert message (a merge says which parent it reverses to, as `git revert -m 1` does).
fn message(subject: &str, id: &Oid, first_parent: Option<&Oid>, is_merge: bool) -> String {
    match (is_merge, first_parent) {
        (true, Some(p)) => {
            format!("Revert \"{subject}\"\n\nThis reverts commit {id}, reversing\nchanges made to {p}.\n")
        }
        _ => format!("Revert \"{subject}\"\n\nThis reverts commit {id}.\n"),
    }
}

/// Three-way tree merges as `Repository::merge_trees` does them, with its diff and merge
/// caches (attributes, filters, drivers) built once for the whole chain instead of per merge.
struct Merger<'r> {
    repo: &'r gix::Repository,
    diff: gix::diff::blob::Platform,
    blobs: gix::merge::blob::Platform,
    state: gix::diff::tree::State,
    options: gix::merge::plumbing::tree::Options,
}

impl<'r> Merger<'r> {
    fn new(repo: &'r gix::Repository) -> Result<Self, GitError> {
        Ok(Merger {
            repo,
            diff: repo.diff_resource_cache_for_tree_diff()?,
            blobs: repo.merge_resource_cache(Default::default())?,
            state: Default::default(),
            options: repo.tree_merge_options()?.into(),
        })
    }

    /// Merges; the new tree, or the unresolved conflicting paths (sorted). A merge in which
    /// `ours` still has every file `theirs` changes exactly as `base` has it is done by editing
    /// `ours` at those paths (see `trivial`); in debug builds (the tests) it is checked against
    /// the full merge.
    fn merge(
        &mut self,
        base: gix::ObjectId,
        ours: gix::ObjectId,
        theirs: gix::ObjectId,
        labels: gix::merge::blob::builtin_driver::text::Labels<'_>,
    ) -> Result<Result<gix::ObjectId, Vec<String>>, GitError> {
        if let Some(tree) = trivial(self.repo, base, ours, theirs)? {
            #[cfg(debug_assertions)]
            {
                let full = self.full_merge(base, ours, theirs, labels)?;
                assert_eq!(full, Ok(tree), "the trivial merge differs from the full merge");
            }
            return Ok(Ok(tree));
        }
        self.full_merge(base, ours, theirs, labels)
    }

    fn full_merge(
        &mut self,
        base: gix::ObjectId,
        ours: gix::ObjectId,
        theirs: gix::ObjectId,
        labels: gix::merge::blob::builtin_driver::text::Labels<'_>,
    ) -> Result<Result<gix::ObjectId, Vec<String>>, GitError> {
        let repo = self.repo;
        let mut options = self.options.clone();
        if options.rewrites.is_some() && !renames_matter(repo, base, ours, theirs)? {
            #[cfg(debug_assertions)]
            let with_renames = self.merge_with(base, ours, theirs, labels, options.clone())?;
            options.rewrites = None;
            let without = self.merge_with(base, ours, theirs, labels, options)?;
            #[cfg(debug_assertions)]
            assert_eq!(
                without, with_renames,
                "rename detection changed a merge judged not to need it"
            );
            return Ok(without);
        }
        self.merge_with(base, ours, theirs, labels, options)
    }

    fn merge_with(
        &mut self,
        base: gix::ObjectId,
        ours: gix::ObjectId,
        theirs: gix::ObjectId,
        labels: gix::merge::blob::builtin_driver::text::Labels<'_>,
        options: gix::merge::plumbing::tree::Options,
    ) -> Result<Result<gix::ObjectId, Vec<String>>, GitError> {
        let repo = self.repo;
        let mut out = gix::merge::plumbing::tree(
            &base,
            &ours,
            &theirs,
            labels,
            repo,
            |buf| gix::objs::Write::write_buf(repo, gix::objs::Kind::Blob, buf),
            &mut self.state,
            &mut self.diff,
            &mut self.blobs,
            options,
        )?;
        let mut unresolved: Vec<String> = out
            .conflicts
            .iter()
            .filter(|c| c.is_unresolved(TreatAsUnresolved::git()))
            .map(|c| c.ours.location().to_str_lossy().into_owned())
            .collect();
        if !unresolved.is_empty() {
            unresolved.sort();
            unresolved.dedup();
            return Ok(Err(unresolved));
        }
        let tree = out.tree.write(|tree| repo.write_object(tree).map(|id| id.detach()))?;
        Ok(Ok(tree))
    }
}

/// One file's entry in a tree: mode and object, or absent.
type FileEntry = Option<(gix::objs::tree::EntryMode, gix::ObjectId)>;

fn entry_at(tree: &gix::Tree<'_>, path: &[u8]) -> Result<FileEntry, GitError> {
    Ok(tree
        .lookup_entry(path.split(|b| *b == b'/'))?
        .map(|e| (e.mode(), e.object_id())))
}

/// A file that differs between two trees: its path and its entry in each.
type FileDiff = (gix::bstr::BString, FileEntry, FileEntry);

/// The files that differ between two trees (a plain tree diff: no rename detection, no
/// attributes), or `None` when a path turns from a directory into a file or back.
fn file_changes(
    repo: &gix::Repository,
    old: &gix::Tree<'_>,
    new: &gix::Tree<'_>,
) -> Result<Option<Vec<FileDiff>>, GitError> {
    use gix::diff::tree::recorder::Change as Recorded;
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old.data, repo.object_hash()),
        gix::objs::TreeRefIter::from_bytes(&new.data, repo.object_hash()),
        gix::diff::tree::State::default(),
        &repo.objects,
        &mut recorder,
    )
    .map_err(|e| GitError::other("diffing two trees", e))?;
    let mut changes = Vec::new();
    for change in recorder.records {
        match change {
            Recorded::Addition {
                entry_mode, oid, path, ..
            } if !entry_mode.is_tree() => changes.push((path, None, Some((entry_mode, oid)))),
            Recorded::Deletion {
                entry_mode, oid, path, ..
            } if !entry_mode.is_tree() => changes.push((path, Some((entry_mode, oid)), None)),
            Recorded::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => match (previous_entry_mode.is_tree(), entry_mode.is_tree()) {
                (false, false) => {
                    changes.push((path, Some((previous_entry_mode, previous_oid)), Some((entry_mode, oid))))
                }
                (true, true) => {}
                _ => return Ok(None),
            },
            _ => {}
        }
    }
    Ok(Some(changes))
}

/// Whether rename detection can change a three-way merge. A rename found on one side (a
/// deleted file paired with an added one) matters only when the other side changed or deleted
/// the renamed file (its change must follow the rename), or when both sides add the same path.
/// Otherwise the merge without rename detection gives the same tree and the same conflicts,
/// and skips the similarity search, which dominated merging a release thousands of commits
/// behind the branch (`check` on a long history; git's merge-ort skips it the same way).
fn renames_matter(
    repo: &gix::Repository,
    base: gix::ObjectId,
    ours: gix::ObjectId,
    theirs: gix::ObjectId,
) -> Result<bool, GitError> {
    let base_tree = repo.find_tree(base)?;
    let (Some(ours), Some(theirs)) = (
        file_changes(repo, &base_tree, &repo.find_tree(ours)?)?,
        file_changes(repo, &base_tree, &repo.find_tree(theirs)?)?,
    ) else {
        return Ok(true);
    };
    let index = |side: &[FileDiff]| -> std::collections::HashMap<gix::bstr::BString, (bool, bool)> {
        // path -> (deleted, added)
        side.iter()
            .map(|(path, before, after)| (path.clone(), (after.is_none(), before.is_none())))
            .collect()
    };
    let (o, t) = (index(&ours), index(&theirs));
    let relevant = |a: &std::collections::HashMap<_, (bool, bool)>, b: &std::collections::HashMap<_, (bool, bool)>| {
        a.iter().any(|(path, (deleted, added))| match b.get(path) {
            Some(_) if *deleted => true,
            Some((_, other_added)) => *added && *other_added,
            None => false,
        })
    };
    Ok(relevant(&o, &t) || relevant(&t, &o))
}

/// The three-way merge when it is trivial: every file that differs between `base` and
/// `theirs` is in `ours` exactly as in `base` (same mode and object, or absent in both), and
/// every directory above a file `theirs` adds is the same kind of thing (directory, file or
/// nothing) in `ours` as in `base`. Then git's merge takes `theirs`' version of each of those
/// files and `ours` everywhere else, with no conflict and no rename to follow: `ours` edited at
/// those paths. A revert of a commit whose files nothing touched since is such a merge, and
/// this avoids diffing the whole trees. `None` when the merge is not trivial.
fn trivial(
    repo: &gix::Repository,
    base: gix::ObjectId,
    ours: gix::ObjectId,
    theirs: gix::ObjectId,
) -> Result<Option<gix::ObjectId>, GitError> {
    let (base_tree, ours_tree, theirs_tree) = (repo.find_tree(base)?, repo.find_tree(ours)?, repo.find_tree(theirs)?);
    let Some(changes) = file_changes(repo, &base_tree, &theirs_tree)? else {
        return Ok(None);
    };
    let kind = |e: &FileEntry| e.map(|(mode, _)| mode.is_tree());
    for (path, before, _) in &changes {
        if entry_at(&ours_tree, path)? != *before {
            return Ok(None);
        }
        if before.is_none() {
            let mut end = 0;
            while let Some(slash) = path[end..].iter().position(|b| *b == b'/') {
                end += slash;
                let dir = &path[..end];
                if kind(&entry_at(&ours_tree, dir)?) != kind(&entry_at(&base_tree, dir)?) {
                    return Ok(None);
                }
                end += 1;
            }
        }
    }
    let mut editor = ours_tree.edit()?;
    for (path, _, after) in &changes {
        match after {
            Some((mode, id)) => editor.upsert(path, mode.kind(), *id)?,
            None => editor.remove(path)?,
        };
    }
    Ok(Some(editor.write()?.detach()))
}

/// The directories above `path` ("a", "a/b" for "a/b/c").
fn parents(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(move |(i, _)| &path[..i])
}

/// Files set to the entries given (absent: removed), by path.
type Files = std::collections::BTreeMap<gix::bstr::BString, FileEntry>;

/// What reverting a whole chain at once gives: the final tree, and how to build the tree after
/// each revert (the chain's tree there with some files set), which only applying needs.
#[derive(Debug, PartialEq, Eq)]
struct Reverts {
    tree: gix::ObjectId,
    steps: Vec<(gix::ObjectId, std::rc::Rc<Files>)>,
}

impl Reverts {
    /// The tree after each revert.
    fn step_trees(&self, repo: &gix::Repository) -> Result<Vec<gix::ObjectId>, GitError> {
        self.steps
            .iter()
            .map(|(tree, files)| with_files(repo, *tree, files))
            .collect()
    }
}

/// Tree entries looked up by (tree, path) and remembered, so that a subtree that consecutive
/// trees share is read once however many trees are asked.
struct Lookup<'r> {
    repo: &'r gix::Repository,
    memo: std::collections::HashMap<(gix::ObjectId, gix::bstr::BString), FileEntry>,
    buf: Vec<u8>,
}

impl<'r> Lookup<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Lookup {
            repo,
            memo: Default::default(),
            buf: Vec::new(),
        }
    }

    fn entry(&mut self, tree: gix::ObjectId, path: &[u8]) -> Result<FileEntry, GitError> {
        use gix::objs::FindExt;
        let key = (tree, gix::bstr::BString::from(path));
        if let Some(found) = self.memo.get(&key) {
            return Ok(*found);
        }
        let (name, rest) = match path.iter().position(|b| *b == b'/') {
            Some(i) => (&path[..i], Some(&path[i + 1..])),
            None => (path, None),
        };
        let here = if tree.is_empty_tree() {
            None
        } else {
            let iter = self.repo.objects.find_tree_iter(&tree, &mut self.buf)?;
            let mut found = None;
            for entry in iter {
                let entry = entry.map_err(|e| GitError::other("reading a tree", e))?;
                if entry.filename == name {
                    found = Some((entry.mode, entry.oid.to_owned()));
                    break;
                }
            }
            found
        };
        let result = match (here, rest) {
            (Some((mode, id)), Some(rest)) if mode.is_tree() => self.entry(id, rest)?,
            (Some(_), Some(_)) | (None, _) => None,
            (Some(entry), None) => Some(entry),
        };
        self.memo.insert(key, result);
        Ok(result)
    }

    /// Whether the directories above `path` are the same kind of thing (directory, file,
    /// nothing) in both trees.
    fn same_parents(&mut self, a: gix::ObjectId, b: gix::ObjectId, path: &[u8]) -> Result<bool, GitError> {
        let kind = |e: FileEntry| e.map(|(mode, _)| mode.is_tree());
        for dir in parents(path) {
            if kind(self.entry(a, dir)?) != kind(self.entry(b, dir)?) {
                return Ok(false);
            }
        }
        Ok(true)
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
fn whole_chain_trivial(repo: &gix::Repository, onto: &Oid, commits: &[Oid]) -> Result<Option<Reverts>, GitError> {
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
            trees.push(match parent {
                Some(p) => repo.find_commit(p)?.tree_id()?.detach(),
                None => gix::ObjectId::empty_tree(repo.object_hash()),
            });
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
    let Some(after_newest) = file_changes(repo, &repo.find_tree(trees[0])?, &repo.find_tree(ours)?)? else {
        return Ok(None);
    };
    for (path, _, in_ours) in after_newest {
        if !look.same_parents(trees[0], ours, &path)? {
            return Ok(None);
        }
        std::rc::Rc::make_mut(&mut differs).insert(path, in_ours);
    }
    for k in 0..trees.len() - 1 {
        let (now, next) = (trees[k], trees[k + 1]);
        if skipped.contains(&k) {
            let Some(changes) = file_changes(repo, &repo.find_tree(now)?, &repo.find_tree(next)?)? else {
                return Ok(None);
            };
            for (path, left, _) in changes {
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
    let tree = with_files(repo, target, &differs)?;
    Ok(Some(Reverts { tree, steps }))
}

/// `tree` with the files of `set` set to the entries given (absent: removed).
fn with_files(repo: &gix::Repository, tree: gix::ObjectId, set: &Files) -> Result<gix::ObjectId, GitError> {
    if set.is_empty() {
        return Ok(tree);
    }
    let mut editor = repo.find_tree(tree)?.edit()?;
    for (path, entry) in set {
        match entry {
            Some((mode, id)) => editor.upsert(path, mode.kind(), *id)?,
            None => editor.remove(path)?,
        };
    }
    Ok(editor.write()?.detach())
}

/// Reverts `commits` one after another on top of `onto`. With `known` (the trees of a clean
/// preview of exactly these commits), no merge runs. With `author`, each revert is committed.
fn revert_chain(
    repo: &gix::Repository,
    onto: &Oid,
    commits: &[Oid],
    known: Option<&[gix::ObjectId]>,
    author: Option<&Identity>,
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
    };
    for (i, id) in commits.iter().enumerate() {
        let commit = repo.find_commit(from_oid(id))?;
        let first_parent = commit.parent_ids().next().map(|p| p.detach());
        let subject = commit.message()?.summary().to_str_lossy().into_owned();
        let merged = match (known, merger.as_mut()) {
            (Some(trees), _) => Ok(trees[i]),
            (None, Some(merger)) => {
                let base = commit.tree_id()?.detach();
                let theirs = match first_parent {
                    Some(p) => repo.find_commit(p)?.tree_id()?.detach(),
                    None => gix::ObjectId::empty_tree(repo.object_hash()),
                };
                let short = &id.as_str()[..7];
                let (ancestor, other) = (format!("{short} ({subject})"), format!("parent of {short} ({subject})"));
                let labels = gix::merge::blob::builtin_driver::text::Labels {
                    ancestor: Some(ancestor.as_str().into()),
                    current: Some("HEAD".into()),
                    other: Some(other.as_str().into()),
                };
                merger.merge(base, ours, theirs, labels)?
            }
            (None, None) => unreachable!("a merger exists whenever no trees are known"),
        };
        ours = match merged {
            Ok(tree) => tree,
            Err(paths) => {
                chain.conflict = Some((*id, paths));
                return Ok(chain);
            }
        };
        chain.trees.push(ours);
        if let Some(who) = author {
            let sig = signature(who);
            let mut buf = gix::date::parse::TimeBuf::default();
            let sig_ref = sig.to_ref(&mut buf);
            let is_merge = commit.parent_ids().count() > 1;
            let msg = message(&subject, id, first_parent.map(|p| to_oid(&p)).as_ref(), is_merge);
            let new = repo.new_commit_as(sig_ref, sig_ref, msg, ours, [tip])?;
            tip = new.id;
            chain.created.push(to_oid(&tip));
        }
    }
    Ok(chain)
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
        if let Some(at_once) = whole_chain_trivial(&repo, onto, commits)? {
            let tree = at_once.tree;
            #[cfg(debug_assertions)]
            {
                let chain = revert_chain(&repo, onto, commits, None, None)?;
                assert!(chain.conflict.is_none(), "a trivial chain conflicted step by step");
                assert_eq!(
                    chain.trees.last(),
                    Some(&tree),
                    "a trivial chain ended elsewhere step by step"
                );
            }
            *self.preview.borrow_mut() = Some(Preview {
                onto: *onto,
                commits: commits.to_vec(),
                trees: StepTrees::AtOnce(at_once),
                memory: repo,
            });
            return Ok(RevertPreview {
                commits: commits.to_vec(),
                conflict: None,
                onto: *onto,
                tree: Some(to_oid(&tree)),
            });
        }
        let chain = revert_chain(&repo, onto, commits, None, None)?;
        let onto_tree = repo.find_commit(from_oid(onto))?.tree_id()?.detach();
        let tree = chain.conflict.is_none().then(|| to_oid(&chain.tree(onto_tree)));
        if tree.is_some() {
            *self.preview.borrow_mut() = Some(Preview {
                onto: *onto,
                commits: commits.to_vec(),
                trees: StepTrees::Built(chain.trees),
                memory: repo,
            });
        }
        Ok(RevertPreview {
            commits: commits.to_vec(),
            conflict: chain.conflict,
            onto: *onto,
            tree,
        })
    }

    /// Writes the revert commits of `commits` (newest first) on top of `onto`, as `who`, as one
    /// pack. On a conflict, returns the commit and paths and writes nothing.
    pub fn revert_commits(
        &self,
        onto: &Oid,
        commits: &[Oid],
        who: &Identity,
    ) -> Result<Result<Reverted, (Oid, Vec<String>)>, GitError> {
        // A clean preview of exactly this revert merged every tree already, into its object
        // memory: commit those trees there. Otherwise build them in a fresh memory, all at once
        // when every revert is trivial, else merge by merge.
        let cached = self
            .preview
            .borrow_mut()
            .take()
            .filter(|p| &p.onto == onto && p.commits == commits);
        let (mut memory, chain) = match cached {
            Some(p) => {
                let trees = match p.trees {
                    StepTrees::Built(trees) => trees,
                    StepTrees::AtOnce(at_once) => {
                        let trees = at_once.step_trees(&p.memory)?;
                        #[cfg(debug_assertions)]
                        {
                            let steps = revert_chain(&p.memory, onto, commits, None, None)?;
                            assert_eq!(steps.trees, trees, "the trees at once differ from step by step");
                        }
                        trees
                    }
                };
                let chain = revert_chain(&p.memory, onto, commits, Some(&trees), Some(who))?;
                (p.memory, chain)
            }
            None => {
                let memory = self.repo.clone().with_object_memory();
                let chain = match whole_chain_trivial(&memory, onto, commits)? {
                    Some(at_once) => {
                        let trees = at_once.step_trees(&memory)?;
                        #[cfg(debug_assertions)]
                        {
                            let steps = revert_chain(&memory, onto, commits, None, None)?;
                            assert_eq!(steps.trees, trees, "the trees at once differ from step by step");
                        }
                        revert_chain(&memory, onto, commits, Some(&trees), Some(who))?
                    }
                    None => revert_chain(&memory, onto, commits, None, Some(who))?,
                };
                (memory, chain)
            }
        };
        if let Some(conflict) = chain.conflict {
            return Ok(Err(conflict));
        }
        let stored = memory.objects.take_object_memory().unwrap_or_default();
        let objects: Vec<_> = stored.values().map(|(kind, data)| (*kind, data.as_slice())).collect();
        super::pack::write(&self.repo, &objects)?;
        let onto_tree = self.repo.find_commit(from_oid(onto))?.tree_id()?.detach();
        Ok(Ok(Reverted {
            tree: to_oid(&chain.tree(onto_tree)),
            commits: chain.created,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// A commit on a new branch from `base` (none: an orphan) made by `edit` (shell commands in
    /// the work tree); its tree.
    fn branch(dir: &Path, name: &str, base: &str, edit: &str) -> gix::ObjectId {
        match base {
            "" => git(dir, &["checkout", "-q", "--orphan", name]),
            _ => git(dir, &["checkout", "-q", "-b", name, base]),
        };
        let ok = Command::new("sh").args(["-c", edit]).current_dir(dir).status().unwrap();
        assert!(ok.success(), "{edit}");
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", name]);
        git(dir, &["rev-parse", "HEAD^{tree}"]).parse().unwrap()
    }

    fn commit_id(dir: &Path, rev: &str) -> Oid {
        Oid::parse(&git(dir, &["rev-parse", rev])).unwrap()
    }

    #[test]
    fn a_whole_chain_is_reverted_at_once_only_when_every_revert_is_trivial() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        branch(dir, "main", "", "mkdir d && echo 1 > a && echo 1 > b && echo 1 > d/c");
        let step = |edit: &str, message: &str| {
            let ok = Command::new("sh").args(["-c", edit]).current_dir(dir).status().unwrap();
            assert!(ok.success());
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", message]);
            commit_id(dir, "HEAD")
        };
        let c1 = step("echo 2 > a && mkdir e && echo 1 > e/new", "c1");
        let c2 = step("echo 2 > b", "c2");
        let c3 = step("rm d/c && echo 3 > a", "c3");
        // After the release: the branch reverts c2 itself and changes an unrelated file.
        git(dir, &["revert", "--no-edit", "HEAD^"]);
        let tip = step("echo x > other", "later");
        let reader = super::super::open_isolated(dir).unwrap();
        let repo = reader.repo.clone().with_object_memory();

        // c3 and c1, skipping c2 (already reverted on the branch): at once, as step by step.
        let at_once = whole_chain_trivial(&repo, &tip, &[c3, c1]).unwrap().expect("trivial");
        let steps = revert_chain(&repo, &tip, &[c3, c1], None, None).unwrap();
        assert_eq!(steps.conflict, None);
        assert_eq!(steps.trees, at_once.step_trees(&repo).unwrap());
        assert_eq!(steps.trees.last(), Some(&at_once.tree));
        // All three (c2's revert then finds b already as c2's parent had it: not trivial).
        assert_eq!(whole_chain_trivial(&repo, &tip, &[c3, c2, c1]).unwrap(), None);
        // Commits that are not on one first-parent chain.
        assert_eq!(whole_chain_trivial(&repo, &tip, &[c1, c3]).unwrap(), None);

        // A later change to a file of the range: one revert is not trivial.
        let touched = step("echo 4 > a", "touch a");
        assert_eq!(whole_chain_trivial(&repo, &touched, &[c3, c1]).unwrap(), None);
    }

    #[test]
    fn the_trivial_merge_is_taken_only_when_it_equals_the_full_merge() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let base = branch(
            dir,
            "base",
            "",
            "echo 1 > a.txt && mkdir d e && echo 1 > d/x && echo 1 > e/z && echo 1 > keep",
        );
        let theirs = branch(
            dir,
            "theirs",
            "base",
            "echo 2 > a.txt && rm e/z && mkdir n && echo 1 > n/new && chmod +x keep",
        );
        let theirs_adds_in_e = branch(dir, "theirs-e", "base", "echo 1 > e/w");
        let untouched = branch(dir, "ours-untouched", "base", "echo 2 > d/x && echo 1 > other");
        let same_file = branch(dir, "ours-same-file", "base", "echo 3 > a.txt");
        let file_over_dir = branch(dir, "ours-file-n", "base", "echo 1 > n");
        let moved_dir = branch(dir, "ours-moved-e", "base", "git mv e f");
        let adds_same = branch(dir, "ours-adds-n-new", "base", "mkdir n && echo 2 > n/new");
        let renamed_a = branch(dir, "ours-renamed-a", "base", "git mv a.txt b.txt");

        let reader = super::super::open_isolated(dir).unwrap();
        let repo = reader.repo.clone().with_object_memory();
        let mut merger = Merger::new(&repo).unwrap();
        let labels = || gix::merge::blob::builtin_driver::text::Labels {
            ancestor: None,
            current: None,
            other: None,
        };

        // Nothing theirs changes was touched: the edit, identical to the full merge, with the
        // emptied directory gone and the mode change kept.
        let tree = trivial(&repo, base, untouched, theirs).unwrap().expect("trivial");
        assert_eq!(merger.full_merge(base, untouched, theirs, labels()).unwrap(), Ok(tree));
        let names: Vec<String> = {
            let mut r = gix::traverse::tree::Recorder::default();
            repo.find_tree(tree).unwrap().traverse().breadthfirst(&mut r).unwrap();
            r.records.iter().map(|e| e.filepath.to_string()).collect()
        };
        assert_eq!(names, ["a.txt", "d", "keep", "n", "other", "d/x", "n/new"]);

        // Ours changed a file theirs changes: the full merge decides (here: a conflict).
        assert_eq!(trivial(&repo, base, same_file, theirs).unwrap(), None);
        assert!(merger.full_merge(base, same_file, theirs, labels()).unwrap().is_err());
        // Ours has a file where theirs adds a directory: a directory/file conflict for git.
        assert_eq!(trivial(&repo, base, file_over_dir, theirs).unwrap(), None);
        // Ours moved the directory theirs adds a file into: git may follow the move.
        assert_eq!(trivial(&repo, base, moved_dir, theirs_adds_in_e).unwrap(), None);
        // Ours is base itself: theirs.
        assert_eq!(trivial(&repo, base, base, theirs).unwrap(), Some(theirs));

        // Rename detection can matter only when a side deleted (maybe renamed) a file the other
        // changed, or both add one path.
        assert!(!renames_matter(&repo, base, untouched, theirs).unwrap());
        assert!(!renames_matter(&repo, base, file_over_dir, theirs).unwrap());
        assert!(
            renames_matter(&repo, base, renamed_a, theirs).unwrap(),
            "a.txt renamed and changed"
        );
        assert!(
            renames_matter(&repo, base, moved_dir, theirs).unwrap(),
            "e/z moved and deleted"
        );
        assert!(
            renames_matter(&repo, base, adds_same, theirs).unwrap(),
            "n/new added twice"
        );
        // Where it matters, the rename-aware merge follows the rename: theirs' change lands in
        // b.txt, and the merge without it would conflict (modify/delete).
        let followed = merger
            .full_merge(base, renamed_a, theirs, labels())
            .unwrap()
            .expect("clean");
        let b = repo
            .find_tree(followed)
            .unwrap()
            .lookup_entry_by_path("b.txt")
            .unwrap()
            .unwrap();
        assert_eq!(b.object().unwrap().data, b"2\n");
        let mut blind = merger.options.clone();
        blind.rewrites = None;
        assert!(
            merger
                .merge_with(base, renamed_a, theirs, labels(), blind)
                .unwrap()
                .is_err()
        );
    }
}
