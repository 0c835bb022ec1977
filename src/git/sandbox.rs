//! Creating a new repository and committing its work tree, through the user's `git`
//! (for the demo sandbox; real use never commits for the user).

use std::path::Path;

use super::{GitError, Reader, exec, open};
use crate::model::{Identity, Oid};

/// `git init -b main` in `dir` (which must exist), then opens it.
pub fn init(dir: &Path) -> Result<Reader, GitError> {
    exec::run(dir, &["init", "-q", "-b", "main"], &[])?;
    open(dir)
}

/// Stages everything in the work tree and commits it as `author`; returns the new commit.
pub fn commit_all(dir: &Path, message: &str, author: &Identity) -> Result<Oid, GitError> {
    let date = format!("@{} +0000", author.time.seconds);
    let env = [
        ("GIT_AUTHOR_NAME", author.person.name.as_str()),
        ("GIT_AUTHOR_EMAIL", author.person.email.as_str()),
        ("GIT_AUTHOR_DATE", date.as_str()),
        ("GIT_COMMITTER_NAME", author.person.name.as_str()),
        ("GIT_COMMITTER_EMAIL", author.person.email.as_str()),
        ("GIT_COMMITTER_DATE", date.as_str()),
    ];
    exec::run(dir, &["add", "-A"], &env)?;
    let args = [
        "-c",
        "commit.gpgsign=false",
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "-q",
        "-m",
        message,
    ];
    exec::run(dir, &args, &env)?;
    let head = exec::run(dir, &["rev-parse", "--verify", "HEAD^{commit}"], &[])?;
    Oid::parse(head.trim()).map_err(|e| GitError::other("reading the new commit", e))
}
