//! `git rollback run`: plan → checklist gate → confirmation → apply, without prompts other
//! than the confirmation (`--yes` skips it; without a terminal it is required).

use crate::checklist;
use crate::cli::args::RunArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::{self, PlanOptions, Request};
use crate::render::outcome;

pub fn run(ctx: &Context, args: &RunArgs) -> CommandResult {
    // A missing or unrecordable reason is refused before anything is read; the plan carries it.
    rollback::check_reason(args.how.reason.as_deref(), !args.dry_run)?;
    if args.exec_deploy && args.target.strategy.is_some_and(|s| s != crate::plan::Strategy::Deploy) {
        return Err(CommandError::new(
            ErrorKind::Usage,
            "--exec-deploy runs the deployment layer, which only the deploy strategy rolls back",
        ));
    }
    if args.exec_deploy {
        crate::ui::stop_on_interrupt();
    }
    let request = Request {
        commits: args.how.commits.clone(),
        ..Request::from(&args.target)
    };
    let prepared = rollback::prepare(ctx, &request)?;
    if let Some(note) = rollback::window_note(&prepared.loaded.config, &prepared.environment) {
        ctx.out.status(&note);
    }
    let plan = rollback::make_plan(ctx, &prepared, &PlanOptions::from(&args.how))?;
    let gated = checklist::gate(plan.clone(), &prepared.report);
    if args.dry_run {
        return rollback::show_plan(ctx, &plan, &gated.err().map(|b| b.items).unwrap_or_default());
    }
    let checked = gated.map_err(|b| rollback::blocked(&b.items))?;
    if !ctx.global.yes && !ctx.global.json {
        ctx.out.data(&outcome::plan_human(&ctx.out, &plan, &[]))?;
    }
    ctx.confirm(&format!(
        "Roll back {} from {} to {} with the {} strategy?",
        plan.environment,
        plan.from.tag,
        plan.to.tag,
        plan.strategy.as_str()
    ))?;
    let opts = crate::apply::execute::Options {
        push: args.push,
        exec_deploy: args.exec_deploy,
        break_lock: args.break_lock,
        cancel: &crate::ui::interrupted,
        command: "run",
    };
    rollback::execute_and_render(ctx, &prepared.loaded, checked, &opts)
}
