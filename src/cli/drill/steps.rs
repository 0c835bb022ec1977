//! The three steps of a drill, each run in the scratch copy and verified.

use std::time::Instant;

use super::{REASON, Run};
use crate::apply::execute::{Applied, Options, execute};
use crate::checklist::{self, Checked};
use crate::cli::commands::restore;
use crate::cli::context::{Context, Loaded};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::{self, PlanOptions, Request};
use crate::drill::{self, CommandReport, Point, Role, StepKind, StepReport, Verdict};
use crate::model::Oid;
use crate::plan::{Plan, Strategy};

/// Executes a checked plan in the scratch copy.
fn execute_in(ctx: &Context, loaded: &Loaded, checked: Checked<Plan>) -> CommandResult<Applied> {
    let reader = ctx.reader()?;
    let opts = Options {
        push: false,
        exec_deploy: false,
        break_lock: false,
        cancel: &crate::ui::interrupted,
        command: "drill",
    };
    let l = loaded;
    Ok(execute(
        reader,
        &reader.identity()?,
        &l.config,
        &l.index,
        &l.state,
        checked,
        &opts,
    )?)
}

/// The checklist's refusal, with what each blocking item found.
fn blocked(items: &[checklist::Item]) -> CommandError {
    let found: Vec<String> = items.iter().map(|i| format!("{}: {}", i.id, i.summary)).collect();
    let mut e = CommandError::new(ErrorKind::No, format!("the checklist blocks it ({})", found.join("; ")));
    for i in items.iter().filter_map(|i| i.hint.as_deref()) {
        e = e.hint(i);
    }
    e
}

fn refused(what: &str, e: &CommandError) -> String {
    let mut problem = format!(
        "{what} was refused: {}",
        e.message.trim_end_matches("; nothing was written")
    );
    for h in &e.hints {
        problem.push_str(&format!("\n{h}"));
    }
    problem
}

/// A step being built: its parts run in order until one fails.
pub(super) struct Step {
    report: StepReport,
    started: Instant,
}

impl Step {
    pub(super) fn new(kind: StepKind) -> Step {
        Step {
            report: StepReport {
                verdict: Verdict::Pass,
                ..StepReport::skipped(kind)
            },
            started: Instant::now(),
        }
    }

    pub(super) fn failed(&self) -> bool {
        self.report.verdict == Verdict::Fail
    }

    pub(super) fn fail(&mut self, problem: impl Into<String>) {
        if !self.failed() {
            self.report.verdict = Verdict::Fail;
            self.report.problem = Some(problem.into());
        }
    }

    pub(super) fn detail(&mut self, line: impl Into<String>) {
        self.report.details.push(line.into());
    }

    fn command(&mut self, c: Option<CommandReport>) {
        if let Some(c) = c {
            if !c.passed {
                self.fail(format!("the {} command failed ({})", c.role.as_str(), c.status));
            }
            self.report.commands.push(c);
        }
    }

    /// Checks out `commit` in the scratch copy; false (and the step failed) if it cannot.
    fn check_out(&mut self, run: &Run<'_>, commit: &Oid, what: &str) -> bool {
        match run.scratch.checkout(commit) {
            Ok(()) => {
                self.report.checked_out = Some(*commit);
                true
            }
            Err(e) => {
                self.fail(format!("cannot check out {what}: {e}"));
                false
            }
        }
    }

    pub(super) fn finish(mut self) -> StepReport {
        self.report.duration_ms = self.started.elapsed().as_millis();
        self.report
    }
}

pub(super) fn deploy(run: &Run<'_>, step: &mut Step, from: &Point) {
    if step.check_out(run, &from.commit, from.tag.as_str()) {
        step.detail(format!("checked out {} ({})", from.tag, from.commit.short()));
        run.switch(step, from);
        if !step.failed() {
            step.command(run.command(Role::Test, StepKind::Deploy, from.tag.as_str()));
        }
    }
}

/// Rolls back in the scratch copy; returns the rollback record written there.
pub(super) fn roll_back(
    run: &Run<'_>,
    step: &mut Step,
    request: &Request,
    to: &Point,
    shape: Option<&drill::RevertShape>,
) -> Option<String> {
    // The schema goes down while the from-release's code still runs.
    let from = request.from.as_deref().unwrap_or("");
    step.command(run.command(Role::MigrateDown, StepKind::RollBack, from));
    if step.failed() {
        return None;
    }
    let ctx = run.context();
    let strategy = request.strategy.unwrap_or(Strategy::Revert);
    let applied = (|| -> CommandResult<Applied> {
        let prepared = rollback::prepare(&ctx, request)?;
        // A revert moves the production branch (in the copy), as a deploy of it would.
        let options = PlanOptions {
            advance_branch: strategy == Strategy::Revert,
            reason: Some(REASON.to_owned()),
            ..PlanOptions::default()
        };
        let plan = rollback::make_plan(&ctx, &prepared, &options)?;
        let checked = checklist::gate(plan, &prepared.report).map_err(|b| blocked(&b.items))?;
        execute_in(&ctx, &prepared.loaded, checked)
    })();
    let outcome = match applied {
        Ok(a) => a.outcome,
        Err(e) => {
            step.fail(refused(&format!("the {} rollback", strategy.as_str()), &e));
            return None;
        }
    };
    for b in &outcome.created.branches {
        let at = b.commit.as_deref().unwrap_or("?");
        step.detail(format!("created branch {} at {}", b.name, &at[..at.len().min(7)]));
    }
    let n = outcome.created.commits.len();
    if n > 0 {
        step.detail(format!("wrote {n} revert commit{}", if n == 1 { "" } else { "s" }));
    }
    let result = match strategy {
        // The deployment layer runs the target release.
        Strategy::Deploy => to.commit,
        _ => match drill::new_tip(&outcome) {
            Some(id) => id,
            None => {
                step.fail("the rollback created no branch to check out");
                return None;
            }
        },
    };
    let checked = ctx.reader().map_err(|e| e.message).and_then(|r| {
        let target_diff = r.changed_paths(&to.commit, &result).map_err(|e| e.to_string())?;
        Ok(match shape {
            Some(s) => {
                let tip_diff = r.changed_paths(&s.tip, &result).map_err(|e| e.to_string())?;
                drill::check_revert(to.tag.as_str(), &target_diff, &tip_diff, s)
            }
            None => drill::check_equal(to.tag.as_str(), &target_diff),
        })
    });
    match checked {
        Ok(Ok(detail)) => step.detail(detail),
        Ok(Err(problem)) => step.fail(problem),
        Err(e) => step.fail(format!("cannot compare the trees: {e}")),
    }
    if step.failed() || !step.check_out(run, &result, "the rolled-back state") {
        return None;
    }
    run.switch(step, to);
    if step.failed() {
        return None;
    }
    step.command(run.command(Role::Test, StepKind::RollBack, to.tag.as_str()));
    outcome.record.clone()
}

/// Rolls forward: a revert rollback (its record given) by `restore`, reverting its reverts on
/// the production branch; any other by deploying the from-release again.
pub(super) fn roll_forward(
    run: &Run<'_>,
    step: &mut Step,
    from: &Point,
    revert_record: Option<&str>,
    shape: Option<&drill::RevertShape>,
) {
    let ctx = run.context();
    let result = match (revert_record, shape) {
        (Some(record), Some(shape)) => {
            let restored = (|| -> CommandResult<Oid> {
                let p = restore::prepare(&ctx, record, Some(REASON.to_owned()), true)?;
                let checked = checklist::gate(p.plan, &p.report).map_err(|b| blocked(&b.items))?;
                let applied = execute_in(&ctx, &p.loaded, checked)?;
                drill::new_tip(&applied.outcome)
                    .ok_or_else(|| CommandError::new(ErrorKind::Repository, "the restore moved no branch"))
            })();
            let tip = match restored {
                Ok(tip) => tip,
                Err(e) => return step.fail(refused("the restore", &e)),
            };
            step.detail("restored: reverted the rollback's revert commits");
            match ctx
                .reader()
                .map_err(|e| e.message)
                .and_then(|r| r.changed_paths(&shape.tip, &tip).map_err(|e| e.to_string()))
            {
                Ok(d) if d.is_empty() => step.detail(format!(
                    "tree equals the production branch's before the rollback ({})",
                    shape.tip.short()
                )),
                Ok(d) => {
                    return step.fail(format!(
                        "the restored tree differs from the production branch's before the rollback in {}",
                        d.join(", ")
                    ));
                }
                Err(e) => return step.fail(format!("cannot compare the trees: {e}")),
            }
            tip
        }
        _ => {
            step.detail(format!("deployed {} again", from.tag));
            from.commit
        }
    };
    if !step.check_out(run, &result, "the rolled-forward state") {
        return;
    }
    run.switch(step, from);
    if step.failed() {
        return;
    }
    step.command(run.command(Role::MigrateUp, StepKind::RollForward, from.tag.as_str()));
    if !step.failed() {
        step.command(run.command(Role::Test, StepKind::RollForward, from.tag.as_str()));
    }
}
