//! One file per subcommand: read, call the core, render.

pub mod apply;
pub mod check;
pub mod completions;
pub mod demo;
pub mod deploy;
pub mod deployed;
pub mod drill;
pub mod guided;
pub mod history;
pub mod man;
pub mod plan;
pub mod releases;
pub mod report;
pub mod restore;
pub mod run;
pub mod show;
pub mod status;
pub mod tag;
pub mod undo;
pub mod writing;
