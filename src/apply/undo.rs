//! `undo`: reverse the newest journaled operation that was not pushed, each ref only if it is
//! still at the value the operation left (compare-and-swap), in one transaction.

use super::journal::{self, Entry, Settled};
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

/// The operation `undo` would reverse (for a dry run or a confirmation): the newest one not
/// undone whose refs were written. One whose run stopped between its ref transaction and the
/// journal's `settled` line is judged by its refs: all at its new values, it landed; all at
/// the old ones, it never did (and the one before it is the last).
pub fn pending(reader: &Reader) -> Result<Entry, UndoError> {
    for (entry, settled) in journal::open(reader.git_dir())? {
        if settled == Settled::Unknown && !landed(reader, &entry)? {
            continue;
        }
        if entry.pushed {
            return Err(UndoError::Pushed(entry.id.clone()));
        }
        return Ok(entry);
    }
    Err(UndoError::Nothing)
}

/// Whether the refs of an unsettled `entry` hold its new values (all of them) rather than its
/// old ones (all of them); anything else is a journal that does not match the repository.
fn landed(reader: &Reader, entry: &Entry) -> Result<bool, UndoError> {
    let mut at_new = 0;
    for c in &entry.changes {
        let now = reader.ref_value(&c.ref_name)?.map(|o| o.to_string());
        if now == c.new {
            at_new += 1;
        } else if now != c.old {
            return Err(UndoError::Journal(format!(
                "operation {} ({}) stopped before the journal said how it ended, and `{}` is at neither its old nor its new value",
                entry.seq, entry.id, c.ref_name
            )));
        }
    }
    match at_new {
        0 => Ok(false),
        n if n == entry.changes.len() => Ok(true),
        _ => Err(UndoError::Journal(format!(
            "operation {} ({}) stopped before the journal said how it ended, and only some of its refs were written",
            entry.seq, entry.id
        ))),
    }
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
    // The refs, the work tree and the journal's line are one stretch no signal cuts.
    let _whole = crate::interrupt::critical();
    git::apply_refs(reader, who, &changes, &format!("git-rollback: undo {}", entry.id))?;
    if let Some((dir, from, to)) = &worktree {
        git::exec::update_worktree(dir, from, to)?;
    }
    journal::mark_undone(reader.git_dir(), entry.seq)?;
    Ok(())
}
