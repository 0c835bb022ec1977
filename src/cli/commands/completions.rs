//! `git rollback completions <shell>`: generated from the CLI definition.

use clap::CommandFactory;

use crate::cli::args::{Cli, CompletionsArgs};
use crate::cli::context::Context;
use crate::cli::error::CommandResult;

pub fn run(ctx: &Context, args: &CompletionsArgs) -> CommandResult {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "git-rollback", &mut buf);
    Ok(ctx.out.data(&String::from_utf8_lossy(&buf))?)
}
