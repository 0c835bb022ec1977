//! `git rollback plan`: the full plan of a rollback (every ref, commit and record, with the
//! values it expects), shown or saved with `--out`; writes nothing to the repository.

use crate::checklist;
use crate::cli::args::PlanArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::{self, PlanOptions, Request};

pub fn run(ctx: &Context, args: &PlanArgs) -> CommandResult {
    let request = Request {
        commits: args.how.commits.clone(),
        ..Request::from(&args.target)
    };
    let prepared = rollback::prepare(ctx, &request)?;
    let plan = rollback::make_plan(ctx, &prepared, &PlanOptions::from(&args.how))?;
    let blocked = checklist::gate(plan.clone(), &prepared.report)
        .err()
        .map(|b| b.items)
        .unwrap_or_default();
    if let Some(path) = &args.out {
        if !blocked.is_empty() {
            return Err(rollback::blocked(&blocked).hint("the plan was not saved"));
        }
        let text = serde_json::to_string_pretty(&plan).map_err(std::io::Error::other)?;
        std::fs::write(path, format!("{text}\n")).map_err(|e| {
            CommandError::new(
                ErrorKind::Input,
                format!("cannot write the plan to {}: {e}", path.display()),
            )
        })?;
        ctx.out.status(&format!(
            "Saved the plan to {}; apply it with: git rollback apply {}",
            path.display(),
            path.display()
        ));
    }
    rollback::show_plan(ctx, &plan, &blocked)?;
    if blocked.is_empty() {
        Ok(())
    } else {
        Err(CommandError::silent(ErrorKind::No))
    }
}
