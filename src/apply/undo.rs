//! `undo`: reverse the newest journaled operation that was not pushed, each ref only if it is
//! still at the value the operation left (compare-and-swap), in one transaction.

use super::journal::{self, Entry};
use crate::git::{self, GitError, Reader, RefChange};
use crate::model::{Identity, Oid};

#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("there is no operation of this tool to undo in this repository")]
    Nothing,
    #[error("the last operation ({0}) was pushed; undoing it here would not undo it on the remote")]
    Pushed(String),
    #[error("the journal is damaged: {0}")]
    Journal(String),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("cannot read or write the journal: {0}")]
    Io(#[from] std::io::Error),
}

/// The inverse changes of `entry`.
pub fn inverse(entry: &Entry) -> Result<Vec<RefChange>, UndoError> {
    let id = |t: &str| Oid::parse(t).map_err(|_| UndoError::Journal(format!("`{t}` is not an object id")));
    entry
        .changes
        .iter()
        .map(|c| {
            Ok(match (&c.old, &c.new) {
                (None, Some(new)) => RefChange::Delete {
                    name: c.ref_name.clone(),
                    old: id(new)?,
                },
                (Some(old), Some(new)) => RefChange::Update {
                    name: c.ref_name.clone(),
                    old: id(new)?,
                    new: id(old)?,
                },
                (Some(old), None) => RefChange::Create {
                    name: c.ref_name.clone(),
                    new: id(old)?,
                },
                (None, None) => return Err(UndoError::Journal(format!("`{}` has no old or new value", c.ref_name))),
            })
        })
        .collect()
}

/// The operation `undo` would reverse (for a dry run or a confirmation).
pub fn pending(reader: &Reader) -> Result<Entry, UndoError> {
    let entry = journal::last_open(reader.git_dir())?.ok_or(UndoError::Nothing)?;
    if entry.pushed {
        return Err(UndoError::Pushed(entry.id.clone()));
    }
    Ok(entry)
}

/// Reverses `entry`; on success the journal marks it undone.
pub fn undo(reader: &Reader, who: &Identity, entry: &Entry) -> Result<(), UndoError> {
    let changes = inverse(entry)?;
    // As in execute: check that git will move the work tree back, then the refs (all or none),
    // then the work tree — so a refused ref update leaves the work tree as it was.
    let worktree = entry.worktree.as_ref().map(|(dir, old, new)| {
        (
            std::path::Path::new(dir),
            format!("{new}^{{tree}}"),
            format!("{old}^{{tree}}"),
        )
    });
    if let Some((dir, from, to)) = &worktree {
        git::exec::check_worktree_update(dir, from, to)?;
    }
    git::apply_refs(reader, who, &changes, &format!("git-rollback: undo {}", entry.id))?;
    if let Some((dir, from, to)) = &worktree {
        git::exec::update_worktree(dir, from, to)?;
    }
    journal::mark_undone(reader.git_dir(), entry.seq)?;
    Ok(())
}
