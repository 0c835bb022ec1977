//! `git rollback undo`: reverse the last operation of this tool that was not pushed.

use crate::apply::undo;
use crate::cli::args::UndoArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;
use crate::ledger::Resolver;
use crate::model::record::RecordDetail;
use crate::model::trailers;
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
    let driver = driver_note(ctx, &entry.id);
    if !args.dry_run {
        let who = reader.identity()?;
        ctx.confirm(&format!("Undo {} ({})?", entry.id, entry.command))?;
        undo::undo(reader, &who, &entry)?;
    }
    let view = render::undo::UndoView {
        id: &entry.id,
        command: &entry.command,
        time: &entry.time,
        moved_worktree: entry.worktree.is_some(),
    };
    if ctx.global.json {
        ctx.out.json_doc(&render::undo::doc(&view, &inverse, args.dry_run))?;
    } else {
        ctx.out
            .data(&render::undo::human(&ctx.out, &view, &inverse, args.dry_run))?;
        if let Some(note) = &driver {
            ctx.out.warn(note);
        }
    }
    Ok(())
}

/// When the operation's record says a deployment driver ran: undo removes refs only, the
/// deployment stays where the driver put it. `None` otherwise.
fn driver_note(ctx: &Context, record: &str) -> Option<String> {
    let loaded = ctx.load().ok()?;
    let resolver = Resolver::new(&loaded.index, ctx.reader().ok()?);
    let candidate = loaded.index.records.iter().find(|c| c.entry.name.as_str() == record)?;
    let r = resolver.record(candidate)?;
    let result = trailers::find(&r.trailers, "Rollback-Driver-Result")?;
    let from = match &r.detail {
        RecordDetail::Rollback { from, .. } => from.to_string(),
        _ => "<release>".to_owned(),
    };
    Some(format!(
        "the deployment driver ran for this rollback ({result}); undo removes its refs and record, not the deployment: bring it back with `git rollback deploy {from} --env {}`",
        r.environment
    ))
}
