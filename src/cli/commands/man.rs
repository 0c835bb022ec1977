//! `git rollback man`: the man page (roff), generated from the CLI definition.

use clap::CommandFactory;

use crate::cli::args::Cli;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;

pub fn run(ctx: &Context) -> CommandResult {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    Ok(ctx.out.data(&String::from_utf8_lossy(&buf))?)
}
