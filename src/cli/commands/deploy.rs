//! `git rollback deploy <release> --env E`: run the environment's deployment driver under the
//! environment's lock, then write the deploy record with what the driver did. A driver failure
//! writes no record.

use std::time::Duration;

use crate::apply::driver::{self, Action, Target};
use crate::apply::lock;
use crate::cli::args::DeployArgs;
use crate::cli::commands::deployed;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::ledger::{Resolver, production_branch};

pub fn run(ctx: &Context, args: &DeployArgs) -> CommandResult {
    let a = &args.record;
    if a.at.is_some() {
        return Err(CommandError::new(
            ErrorKind::Usage,
            "--at is for `deployed` (recording a deploy done earlier)",
        )
        .hint(
            "deploy runs now; to record an earlier deploy: git rollback deployed <release> --env <env> --at <time>",
        ));
    }
    let mut checked = deployed::check(ctx, a)?;
    let config = &checked.loaded.config;
    let settings = config.env_settings(&checked.env);
    let Some(driver) = settings.and_then(|s| s.driver.clone()) else {
        return Err(CommandError::new(
            ErrorKind::Config,
            format!("environment {} has no deployment driver; nothing was done", checked.env),
        )
        .hint("configure one (docs/deploy-drivers.md), or record a deploy done elsewhere: git rollback deployed"));
    };
    let timeout = Duration::from_secs(settings.map_or(600, |s| s.timeout));
    let reader = ctx.reader()?;
    let resolver = Resolver::new(&checked.loaded.index, reader);
    let release = checked.loaded.index.releases[checked.release].clone();
    let live = resolver
        .status(
            &checked.env,
            &release.component,
            production_branch(config, &checked.loaded.state),
            false,
        )?
        .live
        .map(|l| checked.loaded.index.releases[l.release].entry.name.clone());
    let version = release.version.to_string();
    let artifact = checked.facts.artifacts.first().cloned().unwrap_or_default();
    let note = checked.facts.note.clone();
    let target = Target {
        env: &checked.env,
        release: &release.entry.name,
        version: &version,
        commit: &checked.commit,
        artifact: &artifact,
        from: live.as_ref(),
        reason: &note,
    };
    let what = match driver::command(&driver, Action::Deploy, &target)? {
        Some(cmd) => format!("run: {cmd}"),
        None => format!("switch {} to {}", driver_root(&driver), release.entry.name),
    };
    // Shown at a prompt and in status lines: repository text (artifacts, tags) made inert.
    let shown = crate::ui::sanitize::line(&what).into_owned();
    if a.write.dry_run {
        ctx.out.status(&format!(
            "Would deploy {} to {}: {shown}",
            release.entry.name, checked.env
        ));
        checked.facts.driver = Some((driver.name().to_owned(), format!("would {what}")));
        // What would stop the real deploy, said now.
        if let Some(h) = lock::holder(reader, &checked.env)? {
            ctx.out.warn(&format!(
                "{} is locked by {} ({}): the deploy would be refused without --break-lock",
                checked.env, h.who, h.what
            ));
        }
        if let crate::config::Driver::Symlink { root, .. } = &driver {
            let releases = crate::apply::symlink::Releases::new(root);
            for link in ["current", "previous"] {
                if let Err(e) = releases.pointed(link) {
                    ctx.out.warn(&format!("the deploy would be refused: {e}"));
                }
            }
        }
        return deployed::record(ctx, checked, &a.write, "deploy");
    }
    ctx.confirm(&format!("Deploy {} to {} ({shown})?", release.entry.name, checked.env))?;
    // From here a signal kills the driver and releases the lock instead of ending the process.
    crate::ui::stop_on_interrupt();
    let held = lock::acquire(
        reader,
        &checked.who,
        &checked.env,
        &format!("deploy {}", release.entry.name),
        args.break_lock,
    )?;
    if let Some(note) = held.took_over_note() {
        ctx.out.warn(&note);
    }
    let dir = reader.workdir().unwrap_or_else(|| reader.git_dir()).to_path_buf();
    let ran = driver::run(
        reader,
        &driver,
        Action::Deploy,
        &target,
        &dir,
        timeout,
        &crate::ui::interrupted,
    );
    let ran = match ran {
        Ok(r) => r,
        Err(e) => {
            // The driver's failure is the answer; a lock someone broke meanwhile is secondary.
            let _ = held.release();
            return Err(e.into());
        }
    };
    for line in ran.output.lines() {
        ctx.out.status(&format!("  {}", crate::ui::sanitize::line(line)));
    }
    for w in &ran.warnings {
        ctx.out.warn(w);
    }
    checked.facts.driver = Some((ran.driver.to_owned(), ran.summary.clone()));
    let result = deployed::record(ctx, checked, &a.write, "deploy");
    if let Err(e) = held.release() {
        ctx.out.warn(&format!(
            "the environment's lock was not released as ours (someone broke it meanwhile?): {}",
            e
        ));
    }
    result
}

fn driver_root(driver: &crate::config::Driver) -> String {
    match driver {
        crate::config::Driver::Symlink { root, .. } => format!("{}/current", root.display()),
        crate::config::Driver::Command { .. } => String::new(),
    }
}
