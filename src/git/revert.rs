//! Reverting commits as `git revert` does, without a work tree: each commit C is undone by
//! merging C's parent into the current tip with C as the base (gix's tree merge), a merge
//! against its first parent; trivial merges, and whole stretches of trivial reverts, are done as
//! tree edits instead (checked against the merges in debug builds). The preview keeps every
//! object in memory; the apply writes the revert commits (with git's messages) as one pack
//! and returns them, touching no ref.

use gix::bstr::ByteSlice;
use gix::merge::tree::TreatAsUnresolved;

use super::trees::{Changes, Files, Lookup, changes, first_parent_tree, with_files};
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
    let (ours, theirs) = (changes(repo, base, ours)?, changes(repo, base, theirs)?);
    // path -> (deleted, added)
    fn index(side: &Changes) -> std::collections::HashMap<&[u8], (bool, bool)> {
        side.files
            .iter()
            .map(|(path, before, after)| (path.as_slice(), (after.is_none(), before.is_none())))
            .collect()
    }
    let (o, t) = (index(&ours), index(&theirs));
    let relevant = |a: &Changes,
                    a_files: &std::collections::HashMap<&[u8], (bool, bool)>,
                    b: &Changes,
                    b_files: &std::collections::HashMap<&[u8], (bool, bool)>| {
        let files = a_files.iter().any(|(path, (deleted, added))| match b_files.get(path) {
            Some(_) if *deleted => true,
            Some((_, other_added)) => *added && *other_added,
            None => false,
        });
        // A directory one side removed whole, into which the other adds: git takes it for a
        // renamed directory and moves (or reports) what was added.
        let into_removed = a.removed_dirs.iter().any(|dir| {
            b.files.iter().any(|(path, before, _)| {
                before.is_none() && path.starts_with(dir) && path.get(dir.len()) == Some(&b'/')
            })
        });
        files || into_removed
    };
    Ok(relevant(&ours, &o, &theirs, &t) || relevant(&theirs, &t, &ours, &o))
}

/// The three-way merge when it is trivial: every file that differs between `base` and
/// `theirs` is in `ours` exactly as in `base` (same mode and object, or absent in both), and
/// every directory above a file `theirs` adds is the same kind of thing (directory, file or
/// nothing) in `ours` as in `base`, and every directory `theirs` removes whole is in `ours` as
/// in `base`. Then git's merge takes `theirs`' version of each of those
/// files and `ours` everywhere else, with no conflict and no rename to follow: `ours` edited at
/// those paths. A revert of a commit whose files nothing touched since is such a merge, and
/// this avoids diffing the whole trees. `None` when the merge is not trivial.
fn trivial(
    repo: &gix::Repository,
    base: gix::ObjectId,
    ours: gix::ObjectId,
    theirs: gix::ObjectId,
) -> Result<Option<gix::ObjectId>, GitError> {
    let changes = changes(repo, base, theirs)?;
    let mut look = Lookup::new(repo);
    // A directory theirs removes whole must be in ours as in base: if ours added to it, git
    // would take it for a renamed directory.
    for dir in &changes.removed_dirs {
        if look.entry(ours, dir)? != look.entry(base, dir)? {
            return Ok(None);
        }
    }
    let mut set = Files::new();
    for (path, before, after) in changes.files {
        if look.entry(ours, &path)? != before || (before.is_none() && !look.same_parents(ours, base, &path)?) {
            return Ok(None);
        }
        set.insert(path, after);
    }
    Ok(Some(with_files(repo, ours, &set)?))
}

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
    let tree = with_files(repo, target, &differs)?;
    Ok(Some(Reverts { tree, steps }))
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
                let theirs = first_parent_tree(repo, &commit)?;
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
        let theirs_moves_d = branch(dir, "theirs-moves-d", "base", "git mv d moved");
        let ours_adds_in_d = branch(dir, "ours-adds-in-d", "base", "echo 1 > d/new");

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
        // (ours, theirs, whether renames can matter, why); the last two: a directory one side
        // removes whole while the other adds into it is a directory rename for git.
        for (ours, theirs, expected, why) in [
            (untouched, theirs, false, "unrelated changes"),
            (file_over_dir, theirs, false, "n added as a file and as a directory"),
            (renamed_a, theirs, true, "a.txt renamed and changed"),
            (moved_dir, theirs, true, "e/z moved and deleted"),
            (adds_same, theirs, true, "n/new added twice"),
            (moved_dir, theirs_adds_in_e, true, "e moved, e/w added"),
            (ours_adds_in_d, theirs_moves_d, true, "d moved, d/new added"),
        ] {
            assert_eq!(renames_matter(&repo, base, ours, theirs).unwrap(), expected, "{why}");
        }
        assert_eq!(trivial(&repo, base, ours_adds_in_d, theirs_moves_d).unwrap(), None);
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
