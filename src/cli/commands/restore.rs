//! `git rollback restore <rollback-record>`: once the fix is in, revert the reverts of a revert
//! rollback (on a new branch, or the production branch with --advance-branch) and write a
//! restore record that links to the rollback record.

use crate::checklist;
use crate::cli::args::RestoreArgs;
use crate::cli::context::{Context, Loaded};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback;
use crate::config::render_placeholders;
use crate::ledger::{Resolver, production_branch};
use crate::model::range::RevertStep;
use crate::model::record::RecordDetail;
use crate::model::{Oid, RecordKind, TagName, trailers};
use crate::plan::{Plan, PlanInput, Point, Strategy};

/// A restore planned against the repository: what `run` gates, confirms and executes (and
/// what `drill` rehearses).
pub struct PreparedRestore {
    pub loaded: Loaded,
    pub plan: Plan,
    pub report: checklist::Report,
    /// How many revert commits it reverts.
    pub reverts: usize,
}

pub fn run(ctx: &Context, args: &RestoreArgs) -> CommandResult {
    let reason = rollback::check_reason(args.reason.as_deref(), !args.dry_run)?;
    let p = prepare(ctx, &args.record, reason.clone(), args.advance_branch)?;
    let gated = checklist::gate(p.plan.clone(), &p.report);
    if args.dry_run {
        return rollback::show_plan(ctx, &p.plan, &gated.err().map(|b| b.items).unwrap_or_default());
    }
    let checked = gated.map_err(|b| rollback::blocked(&b.items))?;
    ctx.confirm(&format!(
        "Restore {} in {} (revert {} revert commit{})?",
        p.plan.from.tag,
        p.plan.environment,
        p.reverts,
        if p.reverts == 1 { "" } else { "s" }
    ))?;
    let opts = crate::apply::execute::Options {
        push: args.push,
        exec_deploy: false,
        break_lock: false,
        cancel: &crate::ui::interrupted,
        command: "restore",
    };
    rollback::execute_and_render(ctx, &p.loaded, checked, &opts)
}

/// Plans the restore of the rollback record `name` (its revert commits reverted on the
/// production branch: on a new branch, or the branch itself with `advance_branch`).
pub fn prepare(
    ctx: &Context,
    name: &str,
    reason: Option<String>,
    advance_branch: bool,
) -> CommandResult<PreparedRestore> {
    let loaded = ctx.load()?;
    let reader = ctx.reader()?;
    let resolver = Resolver::new(&loaded.index, reader);
    let not_found = || {
        CommandError::new(ErrorKind::Input, format!("`{}` is not a rollback record", name))
            .hint("rollback records are listed by: git tag --list 'rollback/*'")
    };
    let candidate = loaded
        .index
        .records
        .iter()
        .find(|c| c.entry.name.as_str() == name && c.kind == RecordKind::Rollback)
        .ok_or_else(not_found)?;
    let record = resolver.record(candidate).ok_or_else(not_found)?;
    let RecordDetail::Rollback { from, to, strategy, .. } = &record.detail else {
        return Err(not_found());
    };
    if strategy != "revert" {
        return Err(CommandError::new(
            ErrorKind::Input,
            format!(
                "`{}` is a {strategy} rollback: only a revert rollback is restored by reverting its reverts",
                name
            ),
        )
        .hint(format!(
            "deploy the fixed release and record it: git rollback deployed <release> --env {}",
            record.environment
        )));
    }
    let restored_by = loaded
        .index
        .records
        .iter()
        .filter(|c| c.kind == RecordKind::Restore && c.environment == record.environment)
        .find(|c| {
            resolver
                .record(c)
                .is_some_and(|r| matches!(&r.detail, RecordDetail::Restore { rollback, .. } if rollback == &record.tag))
        });
    if let Some(r) = restored_by {
        return Err(CommandError::new(
            ErrorKind::No,
            format!("`{}` was already restored by `{}`", name, r.entry.name),
        ));
    }
    let created: Vec<Oid> = trailers::find_all(&record.trailers, "Rollback-Commit")
        .filter_map(|c| Oid::parse(c).ok())
        .collect();
    if created.is_empty() {
        return Err(CommandError::new(
            ErrorKind::Input,
            format!("`{}` lists no revert commits (Rollback-Commit)", name),
        ));
    }
    let to_restore: Vec<Oid> = created.iter().rev().copied().collect();
    let (branch_name, tip) = production_branch(&loaded.config, &loaded.state).ok_or_else(|| {
        CommandError::new(ErrorKind::Config, "there is no production branch to restore on")
            .hint("set production-branch in rollback.toml")
    })?;
    let commit_of = |tag: &TagName| -> CommandResult<Oid> {
        loaded
            .index
            .release_position(tag)
            .and_then(|i| resolver.release_commit(i))
            .ok_or_else(|| {
                CommandError::new(
                    ErrorKind::Input,
                    format!("release `{tag}` named by the record is not a release here"),
                )
            })
    };
    let steps: Vec<RevertStep> = to_restore.iter().map(|c| RevertStep::first_parent(*c)).collect();
    let preview = reader.revert_preview(tip, &steps, None, false, None)?;
    let infos = reader.commits(&to_restore)?;
    let vars = [
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("env", record.environment.as_str()),
    ];
    // Only read the work tree's status when it matters: advancing the checked-out branch.
    let checked_out = loaded
        .state
        .head
        .branch()
        .filter(|b| advance_branch && *b == branch_name);
    let dirty_checkout = match checked_out {
        Some(b) if reader.dirty_paths()?.is_some_and(|d| !d.is_empty()) => Some(b),
        _ => None,
    };
    let input = PlanInput {
        strategy: Strategy::Restore,
        environment: &record.environment,
        from: Point {
            tag: from.to_string(),
            commit: commit_of(from)?.to_string(),
            assumed_live: false,
        },
        to: Point {
            tag: to.to_string(),
            commit: commit_of(to)?.to_string(),
            assumed_live: false,
        },
        base: Some((branch_name, tip)),
        reverts: infos.iter().map(|c| (c, 1)).collect(),
        skipped: Vec::new(),
        empty: Vec::new(),
        preview: Some(&preview),
        branch: (!advance_branch).then(|| render_placeholders(&loaded.config.branches.restore, &vars, false)),
        advance_branch,
        reset_branch: false,
        dirty_checkout,
        branches: &loaded.state.branches,
        env_pointer: reader.ref_value(&crate::plan::env_pointer(&record.environment))?,
        backup_ref: String::new(),
        remote: &loaded.config.remote,
        deploy_commands: Vec::new(),
        driver_step: None,
        restores: Some(record.tag.to_string()),
        reason: reason.clone(),
        incident: None,
        allow_bad: false,
    };
    let report = checklist::restore_report(&loaded.state, preview.conflict.as_ref());
    let plan = crate::plan::plan(&input)?;
    Ok(PreparedRestore {
        reverts: created.len(),
        loaded,
        plan,
        report,
    })
}
