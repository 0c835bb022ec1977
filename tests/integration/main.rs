//! Integration tests: the real binary on fixture repositories (see `common`).

mod check;
mod common;
mod demo;
mod deploy;
mod drill;
mod errors;
mod guided;
mod hostile;
mod interrupts;
mod layering;
mod ledger;
mod postmortem;
mod pty;
mod real_shapes;
mod recording;
mod strategies;
