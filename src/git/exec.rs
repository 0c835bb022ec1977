//! The user's `git` executable, for what gix cannot do safely (push, work-tree updates) and
//! for building sandbox history. User-controlled arguments always follow `--`.

use std::path::Path;
use std::process::Command;

use super::GitError;

/// The variables that point git at a repository, its objects or its configuration (git's own
/// `git rev-parse --local-env-vars`, plus the discovery ones). A command meant for another
/// repository than the caller's (the drill's scratch copy) runs without them.
pub const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
];

/// Runs `git <args>` in `dir` with extra environment variables; returns stdout on success.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String, GitError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    output(cmd, args, env)
}

/// Runs `git <args>` in the repository at `dir` and nowhere else: none of the caller's
/// `REPOSITORY_VARIABLES` reach it.
pub fn run_isolated(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    for v in REPOSITORY_VARIABLES {
        cmd.env_remove(v);
    }
    output(cmd, args, &[])
}

fn output(mut cmd: Command, args: &[&str], env: &[(&str, &str)]) -> Result<String, GitError> {
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

/// Runs `git <args>` in `dir` with `input` on its standard input, never prompting for
/// credentials; returns stdout on success.
pub fn run_with_input(dir: &Path, args: &[&str], input: &str) -> Result<String, GitError> {
    use std::io::Write;
    let shown = args.join(" ");
    let fail = |message: String| GitError::Exec {
        args: shown.clone(),
        message,
    };
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A git that exits early closes its end: what it says on stderr is the error.
        let _ = stdin.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
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
