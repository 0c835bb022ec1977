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
    /// Writes the tree of `commit` into `dir`, which must exist and be empty, then checks that
    /// every symbolic link, followed through the links before it, resolves inside `dir`.
    /// `reserved` is a root entry name the caller writes itself (refused in the tree). Returns
    /// the number of files written.
    pub fn export_tree(&self, commit: &Oid, dir: &Path, reserved: &str) -> Result<usize, ExportError> {
        let tree = self
            .repo
            .find_commit(from_oid(commit))
            .map_err(GitError::from)?
            .tree_id()
            .map_err(GitError::from)?
            .detach();
        let mut files = 0;
        self.export_into(tree, dir, Path::new(""), reserved, &mut files)?;
        links_stay_inside(dir, dir)?;
        Ok(files)
    }

    fn export_into(
        &self,
        tree: gix::ObjectId,
        root: &Path,
        rel: &Path,
        reserved: &str,
        files: &mut usize,
    ) -> Result<(), ExportError> {
        let io = |path: &Path, source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let tree = self.repo.find_tree(tree).map_err(GitError::from)?;
        let decoded = tree.decode().map_err(GitError::from)?;
        for entry in &decoded.entries {
            let bytes: &[u8] = entry.filename.as_ref();
            let shown = entry.filename.to_str_lossy();
            if bytes.is_empty()
                || bytes == b"."
                || bytes == b".."
                || bytes.contains(&b'/')
                || bytes.contains(&0)
                || bytes.eq_ignore_ascii_case(b".git")
                || (rel.as_os_str().is_empty() && bytes == reserved.as_bytes())
            {
                return Err(ExportError::BadName(rel.join(&*shown).display().to_string()));
            }
            let rel_path = rel.join(file_name(bytes));
            let path = root.join(&rel_path);
            let mode = entry.mode;
            if mode.is_tree() {
                std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
                self.export_into(entry.oid.to_owned(), root, &rel_path, reserved, files)?;
            } else if mode.is_commit() {
                std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
            } else if mode.is_link() {
                let blob = self.repo.find_blob(entry.oid.to_owned()).map_err(GitError::from)?;
                let target = blob.data.to_str_lossy().into_owned();
                if blob.data.contains(&0) || !link_stays_inside(&rel_path, &target) {
                    return Err(ExportError::LinkOutside {
                        path: rel_path.display().to_string(),
                        target,
                    });
                }
                #[cfg(unix)]
                std::os::unix::fs::symlink(file_name(&blob.data), &path).map_err(|e| io(&path, e))?;
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

/// A name from a tree as a path component, byte for byte on Unix.
fn file_name(bytes: &[u8]) -> std::ffi::OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(bytes).to_owned()
    }
    #[cfg(not(unix))]
    {
        String::from_utf8_lossy(bytes).into_owned().into()
    }
}

/// Checks every symbolic link under `dir`: followed (through any links it passes), it must stay
/// inside `root`.
fn links_stay_inside(root: &Path, dir: &Path) -> Result<(), ExportError> {
    let io = |path: &Path, source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let real_root = std::fs::canonicalize(root).map_err(|e| io(root, e))?;
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        let meta = std::fs::symlink_metadata(&path).map_err(|e| io(&path, e))?;
        if meta.file_type().is_symlink() {
            if !resolves_inside(&real_root, &path) {
                let target = std::fs::read_link(&path).map_err(|e| io(&path, e))?;
                return Err(ExportError::LinkOutside {
                    path: path.strip_prefix(root).unwrap_or(&path).display().to_string(),
                    target: target.display().to_string(),
                });
            }
        } else if meta.is_dir() {
            links_stay_inside(root, &path)?;
        }
    }
    Ok(())
}

/// Whether the link at `link`, followed as far as its path exists, stays inside `real_root`
/// (the missing rest of the path is judged on its text).
fn resolves_inside(real_root: &Path, link: &Path) -> bool {
    let (Ok(target), Some(parent)) = (std::fs::read_link(link), link.parent()) else {
        return false;
    };
    let mut path = parent.join(target);
    let mut missing: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(&path) {
            let Ok(inside) = real.strip_prefix(real_root) else {
                return false;
            };
            let mut depth = inside.components().count() as i64;
            for part in missing.iter().rev() {
                match part.to_str() {
                    Some("..") => depth -= 1,
                    Some(".") => {}
                    _ => depth += 1,
                }
                if depth < 0 {
                    return false;
                }
            }
            return true;
        }
        let Some(name) = path.file_name().map(|n| n.to_owned()) else {
            return false;
        };
        missing.push(name);
        if !path.pop() {
            return false;
        }
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
