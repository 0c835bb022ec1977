//! `git rollback demo [DIR]`: builds a sandbox repository to try the tool in.

use crate::cli::args::DemoArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;

pub fn run(_ctx: &Context, _args: &DemoArgs) -> CommandResult {
    todo!()
}
