//! git-rollback: a Git-native rollback workflow assistant.
//!
//! The flow is read → plan → gate → apply:
//!
//! - [`git`] reads the repository into plain data ([`model::RepoState`]) and, in the apply step
//!   only, writes objects and then one ref transaction. It is the only module that uses gix or
//!   runs `git`.
//! - [`model`] and [`config`] are plain, validated data: releases, records, trailers,
//!   `rollback.toml`.
//! - [`ledger`] decides what the tags mean (live, previous stable, bad releases); it reads tag
//!   objects lazily through [`model::ObjectSource`] and does no other I/O.
//! - [`cli`] parses arguments and runs one command per file; [`render`] and [`ui`] are the only
//!   places that print or prompt, and everything from the repository is sanitised there.

#![forbid(unsafe_code)]

pub mod apply;
pub mod background;
pub mod checklist;
pub mod cli;
pub mod config;
pub mod demo;
pub mod drill;
pub mod failpoint;
pub mod git;
pub mod interrupt;
pub mod ledger;
pub mod model;
pub mod plan;
pub mod render;
pub mod ui;
