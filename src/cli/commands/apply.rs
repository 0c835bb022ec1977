//! `git rollback apply plan.json`: the file is untrusted. The repository is read again, the
//! checklist re-run and the plan made again from what is there now; if that differs from the
//! file (stale, hand-edited, another repository), nothing is written.

use crate::checklist;
use crate::cli::args::ApplyArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::{self, PlanOptions, Request};
use crate::plan::{PLAN_SCHEMA, Plan, Strategy};

pub fn run(ctx: &Context, args: &ApplyArgs) -> CommandResult {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CommandError::new(ErrorKind::Input, format!("cannot read {}: {e}", args.file.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CommandError::new(ErrorKind::Input, format!("{} is not JSON: {e}", args.file.display())))?;
    if value.get("schema").and_then(|s| s.as_str()) != Some(PLAN_SCHEMA) {
        return Err(CommandError::new(
            ErrorKind::Input,
            format!("{} is not a plan of a schema this build reads", args.file.display()),
        )
        .hint(format!(
            "expected \"schema\": \"{PLAN_SCHEMA}\"; make a new plan with git rollback plan --out"
        )));
    }
    let file: Plan = serde_json::from_value(value).map_err(|e| {
        CommandError::new(
            ErrorKind::Input,
            format!("{} is not a valid plan: {e}", args.file.display()),
        )
    })?;
    if file.strategy == Strategy::Restore {
        return Err(CommandError::new(
            ErrorKind::Input,
            "a restore plan is applied with git rollback restore",
        ));
    }
    let reason = rollback::check_reason(args.reason.as_deref().or(file.reason.as_deref()), true)?.expect("required");
    let incident = args.incident.clone().or(file.incident.clone());

    let request = Request {
        env: Some(file.environment.clone()),
        from: Some(file.from.tag.clone()),
        to: Some(file.to.tag.clone()),
        strategy: Some(file.strategy),
        allow_bad: file.allow_bad,
        keep_ours: !file.keep_ours.is_empty(),
        ..Request::default()
    };
    let prepared = rollback::prepare(ctx, &request).map_err(|e| e.hint("was this plan made in another repository?"))?;
    for (side, planned, here) in [("from", &file.from, &prepared.live), ("to", &file.to, &prepared.target)] {
        if planned.commit != here.commit.as_str() {
            return Err(CommandError::new(
                ErrorKind::Input,
                format!(
                    "the plan's {side} release {} is commit {}, but here it is {}; nothing was written",
                    planned.tag,
                    &planned.commit[..planned.commit.len().min(12)],
                    here.commit.short()
                ),
            )
            .hint("the plan comes from another repository, or the tag was moved: make a new plan here"));
        }
    }
    let options = PlanOptions {
        // The commits the plan chose: those it reverts and those it left out as empty there.
        commits: file
            .reverts
            .iter()
            .map(|r| r.commit.clone())
            .chain(file.empty.iter().cloned())
            .collect(),
        advance_branch: file.strategy == Strategy::Revert && !file.moved.is_empty(),
        reset_branch: file.strategy == Strategy::Branch && !file.moved.is_empty(),
        reason: file.reason.clone(),
        incident: file.incident.clone(),
    };
    let fresh = rollback::make_plan(ctx, &prepared, &options)?;
    let differences = differences(&file, &fresh);
    if !differences.is_empty() {
        return Err(CommandError::new(
            ErrorKind::No,
            format!(
                "the plan no longer matches the repository ({}); nothing was written",
                differences.join(", ")
            ),
        )
        .hint("it is stale, was edited, or comes from another repository: make a new plan (git rollback plan --out)"));
    }
    // What is given on the command line wins, and the plan carries it from here: the record,
    // the outcome and the journal all take the reason and the incident from the plan.
    let mut file = file;
    file.reason = Some(reason);
    file.incident = incident;
    let checked = checklist::gate(file.clone(), &prepared.report).map_err(|b| rollback::blocked(&b.items))?;
    ctx.confirm(&format!(
        "Apply the plan: roll back {} from {} to {} ({})?",
        file.environment,
        file.from.tag,
        file.to.tag,
        file.strategy.as_str()
    ))?;
    if args.exec_deploy {
        // Ctrl-C kills the driver and releases the environment's lock.
        crate::ui::stop_on_interrupt();
    }
    let opts = crate::apply::execute::Options {
        push: args.push,
        exec_deploy: args.exec_deploy,
        break_lock: false,
        cancel: &crate::ui::interrupted,
        command: "apply",
    };
    rollback::execute_and_render(ctx, &prepared.loaded, checked, &opts)
}

/// The top-level fields in which two plans differ.
fn differences(a: &Plan, b: &Plan) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return vec!["the whole plan".into()];
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| format!("`{k}`"))
        .collect()
}
