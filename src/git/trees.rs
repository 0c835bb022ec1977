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
    Ok(match commit.parent_ids().next() {
        Some(p) => repo.find_commit(p.detach())?.tree_id()?.detach(),
        None => gix::ObjectId::empty_tree(repo.object_hash()),
    })
}

/// `tree` with the files of `set` set to the entries given (absent: removed); removals first,
/// so that a file can replace a directory.
pub(super) fn with_files(repo: &gix::Repository, tree: gix::ObjectId, set: &Files) -> Result<gix::ObjectId, GitError> {
    if set.is_empty() {
        return Ok(tree);
    }
    let mut editor = repo.find_tree(tree)?.edit()?;
    for (path, _) in set.iter().filter(|(_, entry)| entry.is_none()) {
        editor.remove(path)?;
    }
    for (path, entry) in set {
        if let Some((mode, id)) = entry {
            editor.upsert(path, mode.kind(), *id)?;
        }
    }
    Ok(editor.write()?.detach())
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
