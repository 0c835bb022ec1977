//! The apply step: the only code that writes. It writes exactly the tags it is given (objects
//! first, then one create-only ref transaction) and pushes them only when asked. It never
//! prints, prompts or decides.

pub mod driver;
pub mod execute;
mod groundwork;
pub mod journal;
pub mod lock;
pub mod shell;
pub mod symlink;
pub mod undo;

use std::path::Path;

use crate::git::{self, GitError, Reader};
use crate::model::{Identity, NewTag};

pub use crate::model::outcome::{Push, Written};

/// Writes `tags` atomically, then pushes their refs to `push_to` if given.
pub fn write_tags(
    reader: &Reader,
    who: &Identity,
    tags: &[NewTag],
    reflog: &str,
    sign: bool,
    push_to: Option<&str>,
) -> Result<Written, GitError> {
    let objects = git::create_tags(reader, who, tags, reflog, sign)?;
    let push = push(reader, push_to, tags.iter().map(|t| t.name.full_ref()).collect());
    Ok(Written { objects, push })
}

/// Pushes `refs` to `remote` (if asked) with one atomic push through the user's git.
pub fn push(reader: &Reader, remote: Option<&str>, refs: Vec<String>) -> Push {
    let Some(remote) = remote else { return Push::NotAsked };
    let dir: &Path = reader.workdir().unwrap_or_else(|| reader.git_dir());
    match git::push_refs(dir, remote, &refs) {
        Ok(()) => Push::Pushed {
            remote: remote.to_owned(),
        },
        Err(e) => Push::Failed {
            remote: remote.to_owned(),
            message: e.to_string(),
            retry: git::push_command(remote, &refs),
        },
    }
}
