//! One file per subcommand: read, call the core, render.

pub mod check;
pub mod completions;
pub mod demo;
pub mod deployed;
pub mod guided;
pub mod man;
pub mod releases;
pub mod status;
pub mod tag;
pub mod writing;
