//! `git rollback undo`: reverse the last operation of this tool that was not pushed.

use crate::apply::undo;
use crate::cli::args::UndoArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;

pub fn run(ctx: &Context, args: &UndoArgs) -> CommandResult {
    let reader = ctx.reader()?;
    let entry = match undo::pending(reader) {
        Err(undo::UndoError::Nothing) => {
            ctx.out
                .status("Nothing to undo: no operation of this tool is recorded in this repository.");
            return Ok(());
        }
        other => other?,
    };
    let inverse = undo::inverse(&entry)?;
    let text = crate::render::undo::human(&ctx.out, &entry, &inverse, args.dry_run);
    if args.dry_run {
        return Ok(ctx.out.data(&text)?);
    }
    let who = reader.identity()?;
    ctx.confirm(&format!("Undo {} ({})?", entry.id, entry.command))?;
    undo::undo(reader, &who, &entry)?;
    if ctx.global.json {
        ctx.out.json_doc(&crate::render::undo::doc(&entry, &inverse))?;
    } else {
        ctx.out
            .data(&crate::render::undo::human(&ctx.out, &entry, &inverse, false))?;
    }
    Ok(())
}
