//! Running a rollback drill: the rollback the user would get (`prepare` → plan → checklist gate
//! → execute, and `restore` to roll forward), rehearsed in a scratch copy of the repository
//! with the user's commands run in each state. The user's repository is only read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::args::GlobalArgs;
use super::commands::restore;
use super::context::Context;
use super::error::{CommandError, CommandResult, ErrorKind};
use super::rollback::{self, PlanOptions, Request};
use crate::apply::execute::{Options, execute};
use crate::apply::shell;
use crate::checklist;
use crate::drill::{self, CommandReport, DrillReport, Point, Role, StepKind, StepReport, Verdict};
use crate::git::scratch::{self, Scratch};
use crate::model::Oid;
use crate::plan::Strategy;
use crate::render::Output;

/// The reason the scratch copy's rollback and restore records carry.
const REASON: &str = "Rollback drill (a rehearsal in a scratch copy; never pushed)";

/// The commands of a drill (flags over `[drill]`).
#[derive(Debug, Clone, Default)]
pub struct Commands {
    pub test: Option<String>,
    pub migrate_down: Option<String>,
    pub migrate_up: Option<String>,
    pub timeout: Duration,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Ctrl-C stops the drill: the running command is killed, the scratch copy removed.
pub fn stop_on_interrupt() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

fn interrupted_error() -> CommandError {
    CommandError::new(
        ErrorKind::No,
        "the drill was interrupted; the scratch copy was removed and your repository is unchanged",
    )
}

/// The drill's state between steps.
struct Run<'a> {
    scratch: &'a Scratch,
    commands: &'a Commands,
    env: Vec<(&'static str, String)>,
    progress: &'a dyn Fn(&str),
}

impl Run<'_> {
    /// Runs the command for `role` (if configured) in the scratch work tree.
    fn command(&self, role: Role, step: StepKind, release: &str) -> Option<CommandReport> {
        let command = match role {
            Role::Test => self.commands.test.as_deref(),
            Role::MigrateDown => self.commands.migrate_down.as_deref(),
            Role::MigrateUp => self.commands.migrate_up.as_deref(),
        }?;
        (self.progress)(&format!("  {}: {command}", role.as_str()));
        let mut env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        env.push(("GIT_ROLLBACK_DRILL_STEP", step.as_str()));
        env.push(("GIT_ROLLBACK_DRILL_RELEASE", release));
        let run = shell::run(self.scratch.path(), command, &env, self.commands.timeout, &interrupted);
        Some(CommandReport {
            role,
            command: command.to_owned(),
            passed: run.succeeded(),
            status: run.status_text(self.commands.timeout),
            exit_code: match run.ended {
                shell::Ended::Exited(code) => code,
                _ => None,
            },
            duration_ms: run.duration.as_millis(),
            output: run.output,
            truncated: run.truncated,
        })
    }

    /// A context on the scratch copy (read afresh for each step).
    fn context(&self, global: &GlobalArgs) -> Context {
        let global = GlobalArgs {
            json: false,
            yes: true,
            no_input: true,
            quiet: true,
            ..global.clone()
        };
        Context::at(global, Output::capturing(), self.scratch.path())
    }
}

/// A step being built: runs the parts in order, stops at the first failure.
struct Step {
    report: StepReport,
    started: Instant,
}

impl Step {
    fn new(kind: StepKind) -> Step {
        Step {
            report: StepReport {
                verdict: Verdict::Pass,
                ..StepReport::skipped(kind)
            },
            started: Instant::now(),
        }
    }

    fn failed(&self) -> bool {
        self.report.verdict == Verdict::Fail
    }

    fn fail(&mut self, problem: impl Into<String>) {
        if !self.failed() {
            self.report.verdict = Verdict::Fail;
            self.report.problem = Some(problem.into());
        }
    }

    fn detail(&mut self, line: impl Into<String>) {
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

    fn finish(mut self) -> StepReport {
        self.report.duration_ms = self.started.elapsed().as_millis();
        self.report
    }
}

/// Rehearses the rollback `request` asks for. `progress` receives a line per step and command.
pub fn rehearse(
    ctx: &Context,
    request: &Request,
    commands: &Commands,
    progress: &dyn Fn(&str),
) -> CommandResult<DrillReport> {
    let prepared = rollback::prepare(ctx, request)?;
    let strategy = prepared.report.strategy;
    let from = Point {
        tag: prepared.live.tag.clone(),
        commit: prepared.live.commit,
    };
    let to = Point {
        tag: prepared.target.tag.clone(),
        commit: prepared.target.commit,
    };
    let environment = prepared.environment.clone();
    let user_config = ctx.config()?.source;
    clear_location_variables();
    let scratch = Scratch::create(ctx.reader()?)?;
    // The scratch copy uses the user's configuration file wherever it is (its work tree holds
    // the from-release's files), or the defaults when there is none.
    let config = match user_config {
        Some(p) => std::path::absolute(&p).unwrap_or(p),
        None => {
            let empty = scratch.side_path("defaults.toml");
            std::fs::write(&empty, "").map_err(|e| {
                CommandError::new(ErrorKind::Repository, format!("cannot write {}: {e}", empty.display()))
            })?;
            empty
        }
    };
    let global = GlobalArgs {
        config: Some(config),
        ..ctx.global.clone()
    };
    let run = Run {
        scratch: &scratch,
        commands,
        env: vec![
            ("GIT_ROLLBACK_DRILL_ENV", environment.to_string()),
            ("GIT_ROLLBACK_DRILL_FROM", from.tag.to_string()),
            ("GIT_ROLLBACK_DRILL_TO", to.tag.to_string()),
        ],
        progress,
    };
    let scratch_request = Request {
        env: Some(environment.to_string()),
        from: Some(from.tag.to_string()),
        to: Some(to.tag.to_string()),
        strategy: Some(strategy),
        ..request.clone()
    };
    // Files changed on the production branch after the live release may differ from the
    // target after a revert (and from the live release after the restore).
    let later: Vec<String> = match prepared.range.revert.as_ref() {
        Some(preview) if strategy == Strategy::Revert => run
            .context(&global)
            .reader()?
            .changed_paths(&from.commit, &preview.onto)?,
        _ => Vec::new(),
    };

    let mut steps = Vec::new();
    let mut record = None;
    for kind in StepKind::ALL {
        if interrupted() {
            return Err(interrupted_error());
        }
        if steps.iter().any(|s: &StepReport| s.verdict != Verdict::Pass) {
            steps.push(StepReport::skipped(kind));
            continue;
        }
        progress(&format!("{} …", kind.as_str()));
        let mut step = Step::new(kind);
        match kind {
            StepKind::Deploy => deploy(&run, &mut step, &from),
            StepKind::RollBack => {
                record = roll_back(&run, &global, &mut step, &scratch_request, &from, &to, &later, strategy);
            }
            StepKind::RollForward => {
                let restore = record.as_deref().filter(|_| strategy == Strategy::Revert);
                roll_forward(&run, &global, &mut step, &from, restore, &later);
            }
        }
        if interrupted() {
            return Err(interrupted_error());
        }
        let report = step.finish();
        progress(&format!(
            "{} {}",
            kind.as_str(),
            if report.verdict == Verdict::Pass {
                "passed"
            } else {
                "FAILED"
            }
        ));
        steps.push(report);
    }
    scratch
        .remove()
        .map_err(|e| CommandError::new(ErrorKind::Repository, format!("cannot remove the scratch copy: {e}")))?;
    Ok(DrillReport {
        environment,
        from,
        to,
        strategy,
        steps,
    })
}

/// From here on, no git variable may point a command at the user's repository: the scratch
/// copy's commands (ours, git's, the user's test commands) must act on the copy.
fn clear_location_variables() {
    for name in scratch::LOCATION_VARIABLES {
        if std::env::var_os(name).is_some() {
            // SAFETY: the drill runs on the main thread; no other thread of this process reads
            // the environment (the Ctrl-C handler only sets a flag).
            unsafe { std::env::remove_var(name) };
        }
    }
}

fn deploy(run: &Run<'_>, step: &mut Step, from: &Point) {
    if let Err(e) = run.scratch.checkout(&from.commit) {
        return step.fail(format!("cannot check out {}: {e}", from.tag));
    }
    step.report.checked_out = Some(from.commit);
    step.detail(format!("checked out {} ({})", from.tag, from.commit.short()));
    step.command(run.command(Role::Test, StepKind::Deploy, from.tag.as_str()));
}

#[allow(clippy::too_many_arguments)]
fn roll_back(
    run: &Run<'_>,
    global: &GlobalArgs,
    step: &mut Step,
    request: &Request,
    from: &Point,
    to: &Point,
    later: &[String],
    strategy: Strategy,
) -> Option<String> {
    // The schema goes down while the from-release's code still runs.
    step.command(run.command(Role::MigrateDown, StepKind::RollBack, from.tag.as_str()));
    if step.failed() {
        return None;
    }
    let ctx = run.context(global);
    let applied = (|| -> CommandResult<crate::apply::execute::Applied> {
        let prepared = rollback::prepare(&ctx, request)?;
        let options = PlanOptions {
            advance_branch: strategy == Strategy::Revert,
            reason: Some(REASON.to_owned()),
            ..PlanOptions::default()
        };
        let plan = rollback::make_plan(&ctx, &prepared, &options)?;
        let checked = checklist::gate(plan, &prepared.report).map_err(|b| blocked(&b.items))?;
        let reader = ctx.reader()?;
        let opts = Options {
            reason: REASON,
            incident: None,
            push: false,
            exec_deploy: false,
            command: "drill",
        };
        let l = &prepared.loaded;
        Ok(execute(
            reader,
            &reader.identity()?,
            &l.config,
            &l.index,
            &l.state,
            checked,
            &opts,
        )?)
    })();
    let applied = match applied {
        Ok(a) => a,
        Err(e) => {
            let message = e.message.trim_end_matches("; nothing was written");
            let mut problem = format!("the {} rollback was refused: {message}", strategy.as_str());
            for h in &e.hints {
                problem.push_str(&format!("\n{h}"));
            }
            step.fail(problem);
            return None;
        }
    };
    let outcome = &applied.outcome;
    let result = match strategy {
        Strategy::Deploy => to.commit,
        _ => match new_tip(outcome) {
            Some(id) => id,
            None => {
                step.fail("the rollback created no branch to check out");
                return None;
            }
        },
    };
    for b in &outcome.created.branches {
        let at = b.commit.as_deref().unwrap_or("?");
        step.detail(format!("created branch {} at {}", b.name, &at[..at.len().min(7)]));
    }
    if !outcome.created.commits.is_empty() {
        let n = outcome.created.commits.len();
        step.detail(format!("wrote {n} revert commit{}", if n == 1 { "" } else { "s" }));
    }
    verify(step, &ctx, to, &result, later, strategy == Strategy::Revert);
    if step.failed() {
        return None;
    }
    if let Err(e) = run.scratch.checkout(&result) {
        step.fail(format!("cannot check out the rolled-back state: {e}"));
        return None;
    }
    step.report.checked_out = Some(result);
    step.command(run.command(Role::Test, StepKind::RollBack, to.tag.as_str()));
    outcome.record.clone()
}

/// Rolls forward: a revert rollback (its record given) by `restore`, reverting its reverts;
/// any other by deploying the from-release again.
fn roll_forward(
    run: &Run<'_>,
    global: &GlobalArgs,
    step: &mut Step,
    from: &Point,
    revert_record: Option<&str>,
    later: &[String],
) {
    let ctx = run.context(global);
    let result = match revert_record {
        Some(record) => {
            let restored = (|| -> CommandResult<Oid> {
                let p = restore::prepare(&ctx, record, Some(REASON.to_owned()), true)?;
                let checked = checklist::gate(p.plan, &p.report).map_err(|b| blocked(&b.items))?;
                let reader = ctx.reader()?;
                let opts = Options {
                    reason: REASON,
                    incident: None,
                    push: false,
                    exec_deploy: false,
                    command: "drill",
                };
                let l = &p.loaded;
                let applied = execute(
                    reader,
                    &reader.identity()?,
                    &l.config,
                    &l.index,
                    &l.state,
                    checked,
                    &opts,
                )?;
                new_tip(&applied.outcome)
                    .ok_or_else(|| CommandError::new(ErrorKind::Repository, "the restore moved no branch"))
            })();
            match restored {
                Ok(tip) => {
                    step.detail("restored: reverted the rollback's revert commits".to_owned());
                    tip
                }
                Err(e) => return step.fail(format!("the restore was refused: {}", e.message)),
            }
        }
        None => from.commit,
    };
    verify(step, &ctx, from, &result, later, result != from.commit);
    if step.failed() {
        return;
    }
    if let Err(e) = run.scratch.checkout(&result) {
        return step.fail(format!("cannot check out the rolled-forward state: {e}"));
    }
    step.report.checked_out = Some(result);
    step.command(run.command(Role::MigrateUp, StepKind::RollForward, from.tag.as_str()));
    if !step.failed() {
        step.command(run.command(Role::Test, StepKind::RollForward, from.tag.as_str()));
    }
}

/// The checklist's refusal, with what each blocking item found (the drill's reader needs the
/// why, not only the ids).
fn blocked(items: &[checklist::Item]) -> CommandError {
    let found: Vec<String> = items.iter().map(|i| format!("{}: {}", i.id, i.summary)).collect();
    let mut e = CommandError::new(ErrorKind::No, format!("the checklist blocks it ({})", found.join("; ")));
    for i in items.iter().filter_map(|i| i.hint.as_deref()) {
        e = e.hint(i);
    }
    e
}

/// The commit an executed plan left on a branch: the branch it created, else the branch it
/// moved.
fn new_tip(outcome: &crate::plan::Plan) -> Option<Oid> {
    let created = outcome.created.branches.iter().filter_map(|b| b.commit.as_deref());
    let moved = outcome
        .moved
        .iter()
        .filter(|m| m.ref_name.starts_with("refs/heads/"))
        .filter_map(|m| m.new.as_deref());
    created.chain(moved).find_map(|id| Oid::parse(id).ok())
}

/// Checks that `result`'s tree is `expected`'s (with `later` files allowed to differ when
/// `allow_later`).
fn verify(step: &mut Step, ctx: &Context, expected: &Point, result: &Oid, later: &[String], allow_later: bool) {
    let differing = match ctx
        .reader()
        .map_err(|e| e.message)
        .and_then(|r| r.changed_paths(&expected.commit, result).map_err(|e| e.to_string()))
    {
        Ok(d) => d,
        Err(e) => return step.fail(format!("cannot compare the trees: {e}")),
    };
    let check = drill::compare(&differing, if allow_later { later } else { &[] });
    if !check.ok() {
        return step.fail(format!(
            "the tree differs from {}'s in {}",
            expected.tag,
            check.unexpected.join(", ")
        ));
    }
    if check.expected.is_empty() {
        step.detail(format!("tree equals {}'s", expected.tag));
    } else {
        step.detail(format!(
            "tree equals {}'s except files changed on the production branch after the live release: {}",
            expected.tag,
            check.expected.join(", ")
        ));
    }
}
