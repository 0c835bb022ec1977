//! What a write did, as plain data: the ref changes of an operation, the tags written and what
//! became of the push. Made by `git` and `apply`, shown by `render`, which so needs neither.

use super::Oid;

/// One change to a ref, with the value it must have now (compare-and-swap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefChange {
    /// Create `name` (a full ref name); it must not exist.
    Create { name: String, new: Oid },
    /// Move `name` from `old` to `new`.
    Update { name: String, old: Oid, new: Oid },
    /// Delete `name`, which must still be `old`.
    Delete { name: String, old: Oid },
}

impl RefChange {
    pub fn name(&self) -> &str {
        match self {
            RefChange::Create { name, .. } | RefChange::Update { name, .. } | RefChange::Delete { name, .. } => name,
        }
    }
}

/// What happened to the push, if one was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    NotAsked,
    Pushed {
        remote: String,
    },
    /// The local write stands; the push can be retried with `retry`.
    Failed {
        remote: String,
        message: String,
        retry: String,
    },
}

/// The result of writing tags.
#[derive(Debug, Clone)]
pub struct Written {
    /// The tag object id of each tag, in the order given.
    pub objects: Vec<Oid>,
    pub push: Push,
}
