//! A scratch copy of a repository for rehearsals (`drill`): a new repository in a temporary
//! directory that borrows the original's objects through `objects/info/alternates` and fetches
//! every branch and tag as its own. Nothing is written to the original: not its refs, index,
//! work tree, reflogs or objects. Hooks and signing are off and the identity is fixed. The
//! directory is removed when the `Scratch` is dropped.

use std::path::{Path, PathBuf};

use super::{GitError, Reader, exec};
use crate::model::Oid;

pub struct Scratch {
    dir: tempfile::TempDir,
    repo: PathBuf,
}

/// The identity commits and records of a rehearsal carry.
pub const NAME: &str = "git-rollback drill";
pub const EMAIL: &str = "drill@git-rollback.invalid";

/// Every git command on the copy ignores the caller's repository variables (`GIT_DIR`,
/// `GIT_CONFIG`, …), which would otherwise send it to the user's repository.
fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    exec::run_isolated(dir, args)
}

impl Scratch {
    /// Creates the copy of the repository `source` reads.
    pub fn create(source: &Reader) -> Result<Scratch, GitError> {
        let io = |what: &str, e: std::io::Error| GitError::other(format!("cannot {what}"), e);
        let dir = tempfile::Builder::new()
            .prefix("git-rollback-drill-")
            .tempdir()
            .map_err(|e| io("create a scratch directory", e))?;
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).map_err(|e| io("create a scratch directory", e))?;
        git(&repo, &["init", "-q"])?;
        let common = source.repo.common_dir().to_path_buf();
        let common = std::path::absolute(&common).unwrap_or(common);
        let objects = common.join("objects");
        let info = repo.join(".git/objects/info");
        std::fs::write(info.join("alternates"), format!("{}\n", objects.display()))
            .map_err(|e| io("write the scratch copy's alternates", e))?;
        if common.join("shallow").is_file() {
            std::fs::copy(common.join("shallow"), repo.join(".git/shallow"))
                .map_err(|e| io("copy the shallow file", e))?;
        }
        for (key, value) in [
            ("user.name", NAME),
            ("user.email", EMAIL),
            ("core.hooksPath", "/dev/null"),
            ("commit.gpgSign", "false"),
            ("tag.gpgSign", "false"),
            ("gc.auto", "0"),
            ("maintenance.auto", "false"),
            ("advice.detachedHead", "false"),
        ] {
            git(&repo, &["config", "--file", ".git/config", key, value])?;
        }
        let source_path = common.display().to_string();
        git(
            &repo,
            &[
                "fetch",
                "-q",
                "--no-write-fetch-head",
                "--update-head-ok",
                "--",
                &source_path,
                "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*",
            ],
        )?;
        Ok(Scratch { dir, repo })
    }

    /// The work tree of the copy.
    pub fn path(&self) -> &Path {
        &self.repo
    }

    /// Reads the copy (never redirected by the caller's environment).
    pub fn reader(&self) -> Result<Reader, GitError> {
        super::open_isolated(&self.repo)
    }

    /// Checks out `commit` (detached HEAD), discarding anything in the work tree.
    pub fn checkout(&self, commit: &Oid) -> Result<(), GitError> {
        git(&self.repo, &["checkout", "-q", "-f", "--detach", commit.as_str()])?;
        git(&self.repo, &["clean", "-q", "-f", "-d", "-x"]).map(|_| ())
    }

    /// A path beside the copy (not in it) for files the drill needs, removed with it.
    pub fn side_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Removes the copy now (also done on drop), reporting a failure.
    pub fn remove(self) -> std::io::Result<()> {
        self.dir.close()
    }
}
