//! Trees, file by file: the files that differ between two trees (a plain diff), entries looked
//! up by path with shared subtrees read once, and a tree with a few files set. Shared by the
//! range facts and the reverts.

use super::GitError;

/// One file's entry in a tree: mode and object, or absent.
pub(super) type FileEntry = Option<(gix::objs::tree::EntryMode, gix::ObjectId)>;

/// A file that differs between two trees: its path and its entry in each.
pub(super) type FileDiff = (gix::bstr::BString, FileEntry, FileEntry);

/// Files set to the entries given (absent: removed), by path.
pub(super) type Files = std::collections::BTreeMap<gix::bstr::BString, FileEntry>;
/// What differs between two trees.
pub(super) struct Changes {
    /// The files (not directories), in git's order. A path that turns from a file into a
    /// directory or back is a deletion and an addition, as gix reports it.
    pub files: Vec<FileDiff>,
    /// The directories present in the old tree and absent from the new one.
    pub removed_dirs: Vec<gix::bstr::BString>,
}

/// What differs between two trees: a plain tree diff, no rename detection and no diff platform
/// (attributes, filters), which `diff_tree_to_tree` sets up per call.
pub(super) fn changes(repo: &gix::Repository, old: gix::ObjectId, new: gix::ObjectId) -> Result<Changes, GitError> {
    use gix::diff::tree::recorder::Change as Recorded;
    use gix::objs::FindExt;
    let (mut old_buf, mut new_buf) = (Vec::new(), Vec::new());
    for (id, buf) in [(old, &mut old_buf), (new, &mut new_buf)] {
        if !id.is_empty_tree() {
            repo.objects.find_tree_iter(&id, buf)?;
        }
    }
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old_buf, repo.object_hash()),
        gix::objs::TreeRefIter::from_bytes(&new_buf, repo.object_hash()),
        gix::diff::tree::State::default(),
        &repo.objects,
        &mut recorder,
    )
    .map_err(|e| GitError::other("diffing two trees", e))?;
    let mut out = Changes {
        files: Vec::new(),
        removed_dirs: Vec::new(),
    };
    for change in recorder.records {
        match change {
            Recorded::Addition {
                entry_mode, oid, path, ..
            } if !entry_mode.is_tree() => out.files.push((path, None, Some((entry_mode, oid)))),
            Recorded::Deletion { entry_mode, path, .. } if entry_mode.is_tree() => out.removed_dirs.push(path),
            Recorded::Deletion {
                entry_mode, oid, path, ..
            } => out.files.push((path, Some((entry_mode, oid)), None)),
            Recorded::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } if !entry_mode.is_tree() => {
                out.files
                    .push((path, Some((previous_entry_mode, previous_oid)), Some((entry_mode, oid))))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The tree of a commit's first parent (the empty tree for a root commit).
pub(super) fn first_parent_tree(repo: &gix::Repository, commit: &gix::Commit<'_>) -> Result<gix::ObjectId, GitError> {
    parent_tree(repo, commit, 1)
}

/// The tree of the commit's `mainline` parent (1-based, as `git revert -m`); the empty tree for
/// a root commit.
pub(super) fn parent_tree(
    repo: &gix::Repository,
    commit: &gix::Commit<'_>,
    mainline: u32,
) -> Result<gix::ObjectId, GitError> {
    Ok(match commit.parent_ids().nth(mainline.saturating_sub(1) as usize) {
        Some(p) => repo.find_commit(p.detach())?.tree_id()?.detach(),
        None if mainline <= 1 => gix::ObjectId::empty_tree(repo.object_hash()),
        None => {
            return Err(GitError::other(
                "reverting a merge",
                format!("commit {} has no parent {mainline}", commit.id),
            ));
        }
    })
}

/// `tree` with the files of `set` set to the entries given (absent: removed), as one
/// [`Builder`] makes it.
pub(super) fn with_files(repo: &gix::Repository, tree: gix::ObjectId, set: &Files) -> Result<gix::ObjectId, GitError> {
    Builder::new(repo).with_files(tree, set)
}

/// One directory's edit: files directly in it and the edits of its subdirectories, by name.
type Edit<'a> = std::collections::BTreeMap<&'a [u8], (Option<FileEntry>, Vec<(&'a [u8], FileEntry)>)>;

/// A tree (`None`: none), the files set below it and whether it is the root (kept even when
/// empty): what [`Builder`] remembers its result by.
type Built = (Option<gix::ObjectId>, Vec<(gix::bstr::BString, FileEntry)>, bool);

/// Trees with some files set, built bottom-up into the repository's object memory, each
/// subtree remembered by its tree and the files set below it. The trees after consecutive
/// reverts share most of their subtrees, and each distinct one is built once.
///
/// It gives the tree git's tree editor gives when the removals are made first: a file set
/// where a directory was replaces it, a file under a path that was a file replaces that file
/// with a directory, and a directory left empty is dropped (the root is kept). `set` describes
/// one consistent tree (no file both set and with files below it).
pub(super) struct Builder<'r> {
    repo: &'r gix::Repository,
    memo: std::collections::HashMap<Built, Option<gix::ObjectId>>,
    buf: Vec<u8>,
}

impl<'r> Builder<'r> {
    pub(super) fn new(repo: &'r gix::Repository) -> Self {
        Builder {
            repo,
            memo: Default::default(),
            buf: Vec::new(),
        }
    }

    /// `tree` with the files of `set` set (absent: removed).
    pub(super) fn with_files(&mut self, tree: gix::ObjectId, set: &Files) -> Result<gix::ObjectId, GitError> {
        if set.is_empty() {
            return Ok(tree);
        }
        let files: Vec<(&[u8], FileEntry)> = set.iter().map(|(p, e)| (p.as_slice(), *e)).collect();
        let built = self.build(Some(tree), &files, true)?;
        Ok(built.expect("the root tree is always written"))
    }

    /// `tree` (`None`: none) with `files` (paths relative to it, in order) set; `None` when the
    /// result is an empty directory other than the root.
    fn build(
        &mut self,
        tree: Option<gix::ObjectId>,
        files: &[(&[u8], FileEntry)],
        root: bool,
    ) -> Result<Option<gix::ObjectId>, GitError> {
        use gix::objs::FindExt;
        use gix::objs::tree::Entry;
        let key = (
            tree,
            files.iter().map(|(p, e)| (gix::bstr::BString::from(*p), *e)).collect(),
            root,
        );
        if let Some(built) = self.memo.get(&key) {
            return Ok(*built);
        }
        let mut entries: Vec<Entry> = match tree {
            Some(id) if !id.is_empty_tree() => {
                let iter = self.repo.objects.find_tree_iter(&id, &mut self.buf)?;
                let entries: Result<Vec<_>, _> = iter.map(|e| e.map(Entry::from)).collect();
                entries.map_err(|e| GitError::other("reading a tree", e))?
            }
            _ => Vec::new(),
        };
        let mut edit: Edit<'_> = Default::default();
        for (path, entry) in files {
            match path.iter().position(|b| *b == b'/') {
                None => edit.entry(path).or_default().0 = Some(*entry),
                Some(i) => edit.entry(&path[..i]).or_default().1.push((&path[i + 1..], *entry)),
            }
        }
        for (name, (direct, below)) in edit {
            let at = entries.iter().position(|e| e.filename == name);
            let existing_dir = at.and_then(|k| entries[k].mode.is_tree().then_some(entries[k].oid));
            let new = match direct {
                // A file set here (nothing can be set below it), its mode normalised as git's
                // and gix's tree editors do (a legacy 100664 is written 100644).
                Some(Some((mode, id))) => {
                    debug_assert!(below.iter().all(|(_, e)| e.is_none()), "a file set with files below it");
                    Some(Entry {
                        mode: mode.kind().into(),
                        filename: name.into(),
                        oid: id,
                    })
                }
                // Removed first, then whatever is set below it makes a new directory.
                Some(None) => self.subtree(name, None, &below)?,
                None => match (existing_dir, self.subtree(name, existing_dir, &below)?) {
                    (Some(_), built) => built,
                    // Below a file (or nothing): a directory if something is set there, else
                    // the removals find nothing and the entry stays.
                    (None, Some(built)) => Some(built),
                    (None, None) => continue,
                },
            };
            if let Some(k) = at {
                entries.remove(k);
            }
            entries.extend(new);
        }
        let built = if entries.is_empty() && !root {
            None
        } else {
            entries.sort();
            let tree = gix::objs::Tree { entries };
            // Straight into the object memory: `Repository::write_object` would first look for
            // the object in the object database, for every tree (the pack leaves out what the
            // database has, once per object).
            Some(gix::objs::Write::write(&self.repo.objects, &tree).map_err(|e| GitError::other("writing a tree", e))?)
        };
        self.memo.insert(key, built);
        Ok(built)
    }

    /// The entry of directory `name` built from `tree` with `below` set; `None` if empty.
    fn subtree(
        &mut self,
        name: &[u8],
        tree: Option<gix::ObjectId>,
        below: &[(&[u8], FileEntry)],
    ) -> Result<Option<gix::objs::tree::Entry>, GitError> {
        if below.is_empty() {
            return Ok(None);
        }
        Ok(self.build(tree, below, false)?.map(|oid| gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Tree.into(),
            filename: name.into(),
            oid,
        }))
    }
}

/// The directories above `path` ("a", "a/b" for "a/b/c").
pub(super) fn parents(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(move |(i, _)| &path[..i])
}

/// Tree entries looked up by (tree, path) and remembered, so that a subtree that consecutive
/// trees share is read once however many trees are asked.
pub(super) struct Lookup<'r> {
    repo: &'r gix::Repository,
    memo: std::collections::HashMap<(gix::ObjectId, gix::bstr::BString), FileEntry>,
    buf: Vec<u8>,
}

impl<'r> Lookup<'r> {
    pub(super) fn new(repo: &'r gix::Repository) -> Self {
        Lookup {
            repo,
            memo: Default::default(),
            buf: Vec::new(),
        }
    }

    /// The entry at `path` in `tree`; a path through a file or a submodule has none.
    pub(super) fn entry(&mut self, tree: gix::ObjectId, path: &[u8]) -> Result<FileEntry, GitError> {
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
    pub(super) fn same_parents(&mut self, a: gix::ObjectId, b: gix::ObjectId, path: &[u8]) -> Result<bool, GitError> {
        let kind = |e: FileEntry| e.map(|(mode, _)| mode.is_tree());
        for dir in parents(path) {
            if kind(self.entry(a, dir)?) != kind(self.entry(b, dir)?) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
