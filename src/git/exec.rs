//! The user's `git` executable, for what gix cannot do safely (push, work-tree updates) and
//! for building sandbox history. User-controlled arguments always follow `--`.

use std::path::Path;
use std::process::Command;

use super::GitError;

/// Runs `git <args>` in `dir` with extra environment variables; returns stdout on success.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String, GitError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let shown = args.join(" ");
    let out = cmd.output().map_err(|e| GitError::Exec {
        args: shown.clone(),
        message: e.to_string(),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(GitError::Exec {
            args: shown,
            message: stderr.trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `update_worktree(dir, old, new)` would succeed: refreshes the index's stat data
/// (a stale index is not a local change), then `git read-tree -m -u -n <old> <new>`.
pub fn check_worktree_update(dir: &Path, old: &str, new: &str) -> Result<(), GitError> {
    run(dir, &["update-index", "-q", "--refresh"], &[]).ok();
    run(dir, &["read-tree", "-m", "-u", "-n", "--", old, new], &[]).map(|_| ())
}

/// Updates the index and work tree of `dir` from tree `old` to tree `new` (after the checked-out
/// branch moved), refusing to overwrite local changes: `git read-tree -m -u <old> <new>`.
pub fn update_worktree(dir: &Path, old: &str, new: &str) -> Result<(), GitError> {
    run(dir, &["read-tree", "-m", "-u", "--", old, new], &[]).map(|_| ())
}
