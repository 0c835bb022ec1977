//! Pushing, through the user's `git` (gix cannot push): one atomic push of the refs an
//! operation wrote. Only called when the user asked for `--push`.

use std::path::Path;

use super::{GitError, exec};

/// `git push --atomic --porcelain -- <remote> <refs…>` in `dir`. Either every ref is pushed or none.
pub fn push_refs(dir: &Path, remote: &str, refs: &[String]) -> Result<(), GitError> {
    let mut args: Vec<&str> = vec!["push", "--atomic", "--porcelain", "--", remote];
    args.extend(refs.iter().map(String::as_str));
    exec::run(dir, &args, &[]).map(|_| ())
}

/// The command a user runs to retry a failed push.
pub fn push_command(remote: &str, refs: &[String]) -> String {
    let mut cmd = format!("git push --atomic {remote}");
    for r in refs {
        cmd.push(' ');
        cmd.push_str(r);
    }
    cmd
}
