//! Running a rollback drill: the rollback the user would get (`prepare` → plan → checklist gate
//! → execute, and `restore` to roll forward), rehearsed in a scratch copy of the repository
//! with the user's commands run in each state. The user's repository is only read. The steps
//! themselves are in `steps.rs`.

mod steps;

use steps::{Step, deploy, roll_back, roll_forward};

use std::time::Duration;

use super::args::GlobalArgs;
use super::context::Context;
use super::error::{CommandError, CommandResult, ErrorKind};
use super::rollback::{self, Request};
use crate::apply::shell;
use crate::apply::symlink::{self, Releases};
use crate::checklist::{self, Status};
use crate::drill::{self, CommandReport, DrillReport, Point, Role, StepKind, StepReport, Verdict};
use crate::git::exec::REPOSITORY_VARIABLES;
use crate::git::scratch::Scratch;
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

fn interrupted() -> bool {
    crate::ui::interrupted()
}

fn interrupted_error() -> CommandError {
    CommandError::new(
        ErrorKind::No,
        "the drill was interrupted; the scratch copy was removed and your repository is unchanged",
    )
}

/// A drill's result, with what the user's repository itself would block.
pub struct Rehearsal {
    pub report: DrillReport,
    /// Blocking repository items of the real rollback (an operation in progress, …): the
    /// drill does not depend on them, the real rollback would be refused until they are fixed.
    pub blocked_here: Vec<checklist::Item>,
}

/// The environment's release-directory driver, rehearsed against a scratch root.
struct Directories {
    releases: Releases,
    check: Option<String>,
    keep: usize,
    timeout: Duration,
}

/// The drill's state between steps.
struct Run<'a> {
    scratch: &'a Scratch,
    directories: Option<Directories>,
    global: GlobalArgs,
    production_branch: Option<String>,
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
        env.push(("GIT_ROLLBACK_DRILL_STEP", step.id()));
        env.push(("GIT_ROLLBACK_DRILL_RELEASE", release));
        let opts = shell::Options {
            env_remove: REPOSITORY_VARIABLES,
            ..shell::Options::new(self.commands.timeout, &interrupted)
        };
        let run = shell::run(self.scratch.path(), command, &env, &opts);
        Some(drill::command_report(role, &run, self.commands.timeout))
    }

    /// With a release-directory driver: makes `release` live in the scratch root and checks
    /// that `current` points at it.
    fn switch(&self, step: &mut Step, release: &Point) {
        let Some(d) = &self.directories else { return };
        let done = self.scratch.reader().map_err(|e| e.to_string()).and_then(|reader| {
            d.releases
                .deploy(
                    &reader,
                    &release.tag,
                    &release.commit,
                    d.check.as_deref(),
                    d.keep,
                    d.timeout,
                    &interrupted,
                )
                .map_err(|e| e.to_string())
        });
        let want = symlink::dir_name(&release.tag);
        match done.and_then(|_| d.releases.pointed("current").map_err(|e| e.to_string())) {
            Ok(Some(now)) if now == want => step.detail(format!(
                "release-directory driver: current -> releases/{want} (in a scratch root)"
            )),
            Ok(other) => step.fail(format!(
                "the release-directory driver left current at {} instead of releases/{want}",
                other.unwrap_or_else(|| "nothing".into())
            )),
            Err(e) => step.fail(format!("the release-directory driver failed: {e}")),
        }
    }

    /// A context on the scratch copy (read afresh for each step).
    fn context(&self) -> Context {
        let global = GlobalArgs {
            json: false,
            yes: true,
            no_input: true,
            quiet: true,
            ..self.global.clone()
        };
        Context::scratch(
            global,
            Output::capturing(),
            self.scratch.path(),
            self.production_branch.clone(),
        )
    }
}

/// Rehearses the rollback `request` asks for. `progress` receives a line per step and command.
pub fn rehearse(
    ctx: &Context,
    request: &Request,
    commands: &Commands,
    progress: &dyn Fn(&str),
) -> CommandResult<Rehearsal> {
    let prepared = rollback::prepare(ctx, request)?;
    let strategy = prepared.report.strategy;
    let blocked_here: Vec<checklist::Item> = prepared
        .report
        .items
        .iter()
        .filter(|i| i.status == Status::Fail && i.id.starts_with("repo."))
        .cloned()
        .collect();
    let from = Point {
        tag: prepared.live.tag.clone(),
        commit: prepared.live.commit,
    };
    let to = Point {
        tag: prepared.target.tag.clone(),
        commit: prepared.target.commit,
    };
    let environment = prepared.environment.clone();
    let user_config = prepared.loaded.config.source.clone();
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
    let directories = match prepared.loaded.config.env_settings(&environment) {
        Some(s) => match &s.driver {
            Some(crate::config::Driver::Symlink { keep, check, .. }) => Some(Directories {
                releases: Releases::new(&scratch.side_path("deploy-root")),
                check: check.clone(),
                keep: *keep,
                timeout: Duration::from_secs(s.timeout),
            }),
            _ => None,
        },
        None => None,
    };
    let run = Run {
        scratch: &scratch,
        directories,
        global: GlobalArgs {
            config: Some(config),
            ..ctx.global.clone()
        },
        production_branch: prepared.production_branch.clone(),
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
    // For a revert: the production branch tip it applies to, the files changed on it after
    // the live release, and the files the range changed.
    let shape = match prepared.range.revert.as_ref() {
        Some(preview) if strategy == Strategy::Revert => {
            let reader = scratch.reader()?;
            Some(drill::RevertShape {
                tip: preview.onto,
                later: reader.changed_paths(&from.commit, &preview.onto)?,
                range: reader.changed_paths(&to.commit, &from.commit)?,
            })
        }
        _ => None,
    };

    let mut steps: Vec<StepReport> = Vec::new();
    let mut record = None;
    for kind in StepKind::ALL {
        if interrupted() {
            return Err(interrupted_error());
        }
        if steps.iter().any(|s| s.verdict != Verdict::Pass) {
            steps.push(StepReport::skipped(kind));
            continue;
        }
        progress(&format!("{} …", kind.as_str()));
        let mut step = Step::new(kind);
        match kind {
            StepKind::Deploy => deploy(&run, &mut step, &from),
            StepKind::RollBack => record = roll_back(&run, &mut step, &scratch_request, &to, shape.as_ref()),
            StepKind::RollForward => {
                let restore = record.as_deref().filter(|_| strategy == Strategy::Revert);
                roll_forward(&run, &mut step, &from, restore, shape.as_ref());
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
    Ok(Rehearsal {
        report: DrillReport {
            environment,
            from,
            to,
            strategy,
            steps,
        },
        blocked_here,
    })
}
