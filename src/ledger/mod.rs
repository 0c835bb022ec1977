//! The release ledger: which tags are releases and records, and what they say about each
//! environment (live release and its evidence, previous stable, bad releases).
//!
//! Pure logic over a tag list and the config. Objects are read through `ObjectSource` only when
//! an answer needs them, and each at most once: ordering releases needs only their names, and
//! the newest record of an environment is found by name before anything is decoded.

pub mod compose;
pub mod history;
mod index;
pub mod pair;
pub mod policy;
mod resolve;
pub mod story;
pub mod tagging;
pub mod views;

pub use index::{Index, Malformed, RecordCandidate, Unmatched};
pub use resolve::{EnvStatus, Evidence, Live, Problem, Resolver, production_branch};

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        source: crate::model::SourceError,
    },
}

#[cfg(test)]
mod tests;
