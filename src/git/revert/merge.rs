//! One revert's three-way merge: gix's tree merge with its caches built once per chain, a
//! trivial merge done as a tree edit, and rename detection only where it can matter.

use gix::bstr::ByteSlice;
use gix::merge::blob::builtin_driver::text::Labels;
use gix::merge::tree::TreatAsUnresolved;

use super::super::GitError;
use super::super::trees::{Changes, Files, Lookup, changes, with_files};

/// A merge's tree, or its unresolved conflicting paths (sorted).
pub(super) type Merged = Result<gix::ObjectId, Vec<String>>;

/// The three trees of a merge: the merge base and the two sides.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sides {
    pub(super) base: gix::ObjectId,
    pub(super) ours: gix::ObjectId,
    pub(super) theirs: gix::ObjectId,
}

/// Three-way tree merges as `Repository::merge_trees` does them, with its diff and merge
/// caches (attributes, filters, drivers) built once for the whole chain instead of per merge.
pub(super) struct Merger<'r> {
    repo: &'r gix::Repository,
    diff: gix::diff::blob::Platform,
    blobs: gix::merge::blob::Platform,
    state: gix::diff::tree::State,
    pub(super) options: gix::merge::plumbing::tree::Options,
}

impl<'r> Merger<'r> {
    pub(super) fn new(repo: &'r gix::Repository) -> Result<Self, GitError> {
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
    /// `ours` at those paths (see `trivial`; the unit tests hold it to the full merge).
    pub(super) fn merge(&mut self, sides: Sides, labels: Labels<'_>) -> Result<Merged, GitError> {
        if let Some(tree) = trivial(self.repo, sides)? {
            return Ok(Ok(tree));
        }
        self.full_merge(sides, labels)
    }

    /// The merge with rename detection only where renames can matter (`renames_matter`; the
    /// unit tests hold the merge without it to the merge with it where they cannot).
    pub(super) fn full_merge(&mut self, sides: Sides, labels: Labels<'_>) -> Result<Merged, GitError> {
        let mut options = self.options.clone();
        if options.rewrites.is_some() && !renames_matter(self.repo, sides)? {
            options.rewrites = None;
        }
        self.merge_with(sides, labels, options)
    }

    /// The merge with and without rename detection, for the tests of `renames_matter`.
    #[cfg(test)]
    pub(super) fn with_and_without_renames(
        &mut self,
        sides: Sides,
        labels: Labels<'_>,
    ) -> Result<(Merged, Merged), GitError> {
        let with = self.merge_with(sides, labels, self.options.clone())?;
        let mut blind = self.options.clone();
        blind.rewrites = None;
        Ok((with, self.merge_with(sides, labels, blind)?))
    }

    /// The full merge's tree even where it conflicts (conflicting files hold git's markers),
    /// and the unresolved paths (sorted).
    pub(super) fn merge_with_conflicts(
        &mut self,
        sides: Sides,
        labels: Labels<'_>,
    ) -> Result<(gix::ObjectId, Vec<String>), GitError> {
        let mut out = self.run(sides, labels, self.options.clone())?;
        let unresolved = unresolved(&out.conflicts);
        let repo = self.repo;
        let tree = out.tree.write(|tree| repo.write_object(tree).map(|id| id.detach()))?;
        Ok((tree, unresolved))
    }

    /// gix's tree merge with this chain's caches.
    fn run(
        &mut self,
        sides: Sides,
        labels: Labels<'_>,
        options: gix::merge::plumbing::tree::Options,
    ) -> Result<gix::merge::plumbing::tree::Outcome<'r>, GitError> {
        let repo = self.repo;
        Ok(gix::merge::plumbing::tree(
            &sides.base,
            &sides.ours,
            &sides.theirs,
            labels,
            repo,
            |buf| gix::objs::Write::write_buf(repo, gix::objs::Kind::Blob, buf),
            &mut self.state,
            &mut self.diff,
            &mut self.blobs,
            options,
        )?)
    }

    pub(super) fn merge_with(
        &mut self,
        sides: Sides,
        labels: Labels<'_>,
        options: gix::merge::plumbing::tree::Options,
    ) -> Result<Merged, GitError> {
        let repo = self.repo;
        let mut out = self.run(sides, labels, options)?;
        let unresolved = unresolved(&out.conflicts);
        if !unresolved.is_empty() {
            return Ok(Err(unresolved));
        }
        let tree = out.tree.write(|tree| repo.write_object(tree).map(|id| id.detach()))?;
        Ok(Ok(tree))
    }
}

/// The paths of a merge's conflicts that git leaves unresolved, sorted.
fn unresolved(conflicts: &[gix::merge::tree::Conflict]) -> Vec<String> {
    let mut paths: Vec<String> = conflicts
        .iter()
        .filter(|c| c.is_unresolved(TreatAsUnresolved::git()))
        .map(|c| c.ours.location().to_str_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Whether rename detection can change a three-way merge. A rename found on one side (a
/// deleted file paired with an added one) matters only when the other side changed or deleted
/// the renamed file (its change must follow the rename), or when both sides add the same path.
/// Otherwise the merge without rename detection gives the same tree and the same conflicts,
/// and skips the similarity search, which dominated merging a release thousands of commits
/// behind the branch (`check` on a long history; git's merge-ort skips it the same way).
pub(super) fn renames_matter(repo: &gix::Repository, sides: Sides) -> Result<bool, GitError> {
    let Sides { base, ours, theirs } = sides;
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
pub(super) fn trivial(repo: &gix::Repository, sides: Sides) -> Result<Option<gix::ObjectId>, GitError> {
    let Sides { base, ours, theirs } = sides;
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
