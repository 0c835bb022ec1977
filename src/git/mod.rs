//! The only module that uses gix or runs the `git` executable. It reads the repository into
//! plain data and writes objects and refs when told to; it never prints, prompts or decides.

mod count;
pub mod exec;
pub mod export;
mod pack;
mod promisor;
mod push;
pub mod range;
mod read;
mod revert;
pub mod sandbox;
pub mod scratch;
mod trees;
mod write;

pub use crate::model::outcome::RefChange;
pub use pack::{NewObjects, PackFiles, pack_dir, pack_files, remove_leftovers as remove_pack_leftovers};
pub use push::{push_command, push_refs};
pub use range::PendingStatus;
pub use read::{Reader, open, open_isolated};
pub use revert::{KeepOurs, Reverted};
pub use write::{apply_refs, create_tags, ref_dirs};

/// Errors of the Git layer, by condition.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not a git repository (or any parent up to the root): {path}")]
    NotARepository {
        path: std::path::PathBuf,
        source: Box<gix::Error>,
    },
    #[error("no identity is configured: git records need a name and an email")]
    NoIdentity,
    #[error("`{name}` already exists")]
    RefExists { name: String },
    #[error("`{name}` moved: expected {expected}, found {}", actual.as_deref().unwrap_or("nothing"))]
    RefMoved {
        name: String,
        expected: String,
        actual: Option<String>,
    },
    #[error("`{name}` is locked by another process (the lock file {lock} exists)")]
    Locked { name: String, lock: std::path::PathBuf },
    #[error("`{rev}` names a {kind}, not a commit")]
    NotACommit { rev: String, kind: String },
    #[error("signing failed: {message}")]
    Sign { message: String },
    #[error("cannot write {what}")]
    Write { what: &'static str, source: gix::Error },
    #[error("`{name}` is not a valid ref name")]
    BadRefName { name: String },
    #[error("could not run `git {args}`: {message}")]
    Exec { args: String, message: String },
    #[error(transparent)]
    Gix(#[from] gix::Error),
    #[error("{context}: {source}")]
    Other {
        context: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl GitError {
    pub(crate) fn other(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        GitError::Other {
            context: context.into(),
            source: source.into(),
        }
    }
}

fn to_oid(id: &gix::oid) -> crate::model::Oid {
    crate::model::Oid::from_raw(id.as_bytes())
}

fn time_of(t: gix::date::Time) -> crate::model::Timestamp {
    crate::model::Timestamp {
        seconds: t.seconds,
        offset: t.offset,
    }
}

fn from_oid(id: &crate::model::Oid) -> gix::ObjectId {
    gix::ObjectId::from_hex(id.as_str().as_bytes()).expect("Oid is validated hex")
}
