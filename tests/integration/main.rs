//! Integration tests: the real binary on fixture repositories (see `common`).

mod check;
mod common;
mod demo;
mod errors;
mod hostile;
mod layering;
mod ledger;
mod recording;
mod strategies;
