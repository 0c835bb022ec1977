//! `git rollback check`: the pre-rollback checklist and the recommended strategy.

use crate::cli::args::CheckArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::{self, Request};
use crate::render::check;

pub fn run(ctx: &Context, args: &CheckArgs) -> CommandResult {
    let request = Request::from(&args.target);
    let prepared = rollback::prepare(ctx, &request)?;
    if ctx.global.json {
        ctx.out.json_doc(&check::doc(&prepared.view()))?;
    } else {
        ctx.out.data(&check::human(&ctx.out, &prepared.view()))?;
    }
    if prepared.report.is_blocking() {
        Err(CommandError::silent(ErrorKind::No))
    } else {
        Ok(())
    }
}
