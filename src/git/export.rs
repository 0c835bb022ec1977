//! Exporting a commit's tree into a directory (the release-directory deploy driver): files with
//! their executable bit, directories, and symbolic links that stay inside the export. No `.git`
//! is written; submodules become empty directories.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use gix::bstr::ByteSlice;

use super::{GitError, Reader, from_oid};
use crate::model::Oid;

/// Why an export was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("`{path}` is a symbolic link to `{target}`, outside the release directory")]
    LinkOutside { path: String, target: String },
    #[error("`{0}` is not a safe file name in a release directory")]
    BadName(String),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Git(#[from] GitError),
}

/// Whether a link at `at` (relative to the export root, a file path) pointing to `target`
/// resolves inside the export, judged on the text alone.
fn link_stays_inside(at: &Path, target: &str) -> bool {
    let target = Path::new(target);
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = at.parent().map_or(0, |p| p.components().count() as i64);
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

impl Reader {
    /// Writes the tree of `commit` into `dir`, which must exist and be empty. Returns the
    /// number of files written.
    pub fn export_tree(&self, commit: &Oid, dir: &Path) -> Result<usize, ExportError> {
        let tree = self
            .repo
            .find_commit(from_oid(commit))
            .map_err(GitError::from)?
            .tree_id()
            .map_err(GitError::from)?
            .detach();
        let mut files = 0;
        self.export_into(tree, dir, Path::new(""), &mut files)?;
        Ok(files)
    }

    fn export_into(&self, tree: gix::ObjectId, root: &Path, rel: &Path, files: &mut usize) -> Result<(), ExportError> {
        let io = |path: &Path, source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let tree = self.repo.find_tree(tree).map_err(GitError::from)?;
        let decoded = tree.decode().map_err(GitError::from)?;
        for entry in &decoded.entries {
            let name = entry.filename.to_str_lossy();
            if name.is_empty()
                || name == "."
                || name == ".."
                || name.contains('/')
                || name.contains('\0')
                || name == ".git"
            {
                return Err(ExportError::BadName(rel.join(&*name).display().to_string()));
            }
            let rel_path = rel.join(&*name);
            let path = root.join(&rel_path);
            let mode = entry.mode;
            if mode.is_tree() {
                std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
                self.export_into(entry.oid.to_owned(), root, &rel_path, files)?;
            } else if mode.is_commit() {
                std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
            } else if mode.is_link() {
                let blob = self.repo.find_blob(entry.oid.to_owned()).map_err(GitError::from)?;
                let target = blob.data.to_str_lossy().into_owned();
                if !link_stays_inside(&rel_path, &target) {
                    return Err(ExportError::LinkOutside {
                        path: rel_path.display().to_string(),
                        target,
                    });
                }
                #[cfg(unix)]
                std::os::unix::fs::symlink(&target, &path).map_err(|e| io(&path, e))?;
                #[cfg(not(unix))]
                std::fs::write(&path, target.as_bytes()).map_err(|e| io(&path, e))?;
                *files += 1;
            } else {
                let blob = self.repo.find_blob(entry.oid.to_owned()).map_err(GitError::from)?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(if mode.is_executable() { 0o755 } else { 0o644 });
                }
                let mut file = options.open(&path).map_err(|e| io(&path, e))?;
                file.write_all(&blob.data).map_err(|e| io(&path, e))?;
                *files += 1;
            }
        }
        Ok(())
    }

    /// Stores `data` as a blob; returns its id.
    pub fn write_blob(&self, data: &[u8]) -> Result<Oid, GitError> {
        let id = self
            .repo
            .write_blob(data)
            .map_err(|e| GitError::other("writing a blob", e))?;
        Ok(super::to_oid(&id))
    }

    /// The contents of blob `id`.
    pub fn read_blob(&self, id: &Oid) -> Result<Vec<u8>, GitError> {
        Ok(self.repo.find_blob(from_oid(id))?.data.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_resolve_inside_the_export() {
        let at = |p: &str| PathBuf::from(p);
        assert!(link_stays_inside(&at("current"), "releases/v1"));
        assert!(link_stays_inside(&at("a/b/link"), "../c"));
        assert!(link_stays_inside(&at("a/link"), "./x/../y"));
        assert!(!link_stays_inside(&at("link"), "../outside"));
        assert!(!link_stays_inside(&at("a/link"), "../../etc/passwd"));
        assert!(!link_stays_inside(&at("a/link"), "/etc/passwd"));
        assert!(!link_stays_inside(&at("a/link"), "x/../../../y"));
    }
}
