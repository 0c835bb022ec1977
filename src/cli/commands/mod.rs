//! One file per subcommand: read, call the core, render.

pub mod completions;
pub mod demo;
pub mod guided;
pub mod man;
pub mod releases;
pub mod status;
