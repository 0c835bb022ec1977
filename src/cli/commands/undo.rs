//! `git rollback undo`: reverse the last operation of this tool that was not pushed.

use crate::apply::undo;
use crate::cli::args::UndoArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;
use crate::render;

pub fn run(ctx: &Context, args: &UndoArgs) -> CommandResult {
    let reader = ctx.reader()?;
    let entry = match undo::pending(reader) {
        Err(undo::UndoError::Nothing) => {
            if ctx.global.json {
                return Ok(ctx.out.json_doc(&render::undo::nothing())?);
            }
            ctx.out
                .status("Nothing to undo: no operation of this tool is recorded in this repository.");
            return Ok(());
        }
        other => other?,
    };
    let inverse = undo::inverse(&entry)?;
    if !args.dry_run {
        let who = reader.identity()?;
        ctx.confirm(&format!("Undo {} ({})?", entry.id, entry.command))?;
        undo::undo(reader, &who, &entry)?;
    }
    if ctx.global.json {
        ctx.out.json_doc(&render::undo::doc(&entry, &inverse, args.dry_run))?;
    } else {
        ctx.out
            .data(&render::undo::human(&ctx.out, &entry, &inverse, args.dry_run))?;
    }
    Ok(())
}
