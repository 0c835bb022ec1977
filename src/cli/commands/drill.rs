//! `git rollback drill`: rehearse the rollback in a scratch copy (deploy, roll back, roll
//! forward, each verified), report it, and with `--record` write the result as a drill record.

use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::args::{DrillArgs, WriteArgs};
use crate::cli::commands::writing;
use crate::cli::context::Context;
use crate::cli::drill::{self, Commands};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::Request;
use crate::drill::{DrillReport, Verdict};
use crate::ledger::compose;
use crate::render::drill as render;

pub fn run(ctx: &Context, args: &DrillArgs) -> CommandResult {
    let config = ctx.config()?;
    // A flag replaces the configured command; an empty flag is an error, as in the file.
    let pick = |flag: &Option<String>, default: &Option<String>| -> CommandResult<Option<String>> {
        crate::config::command(flag.clone().or_else(|| default.clone()))
            .map_err(|m| CommandError::new(ErrorKind::Input, format!("a drill command {m}")))
    };
    let commands = Commands {
        test: pick(&args.test_cmd, &config.drill.test_cmd)?,
        migrate_down: pick(&args.migrate_down, &config.drill.migrate_down)?,
        migrate_up: pick(&args.migrate_up, &config.drill.migrate_up)?,
        timeout: Duration::from_secs(args.timeout.unwrap_or(config.drill.timeout)),
    };
    // Checked before the drill: recording needs an identity.
    let who = if args.record {
        Some(writing::identity(ctx)?)
    } else {
        None
    };
    crate::ui::stop_on_interrupt();
    let show_progress = std::io::stderr().is_terminal();
    let progress = |line: &str| {
        if show_progress {
            ctx.out.status(&crate::ui::sanitize::line(line));
        }
    };
    let rehearsal = drill::rehearse(ctx, &Request::from(&args.target), &commands, &progress)?;
    let report = rehearsal.report;
    let loaded = ctx.load()?;
    let mut warnings = ctx.ledger_warnings(&loaded, &[]);
    for item in &rehearsal.blocked_here {
        warnings.push((
            format!(
                "in this repository the rollback would be refused: {} ({})",
                item.summary, item.id
            ),
            item.hint.clone(),
        ));
    }

    let mut record = None;
    if let Some(who) = &who {
        let draft = compose::drill(
            &report.environment,
            &report.from.tag,
            &report.to.tag,
            &report.from.commit,
            report.strategy.as_str(),
            report.passed(),
            report.failed_step().map(|s| s.kind.id()),
            &summary(&report),
            &step_lines(&report),
            who.time,
        );
        let new = compose::compose(&loaded.config, &loaded.index, &draft, &[])
            .map_err(|e| CommandError::new(ErrorKind::Input, e.to_string()))?;
        let how = WriteArgs {
            allow_off_branch: true,
            dry_run: false,
            push: args.push,
        };
        let written = writing::write(ctx, &loaded, who, &new, "git-rollback: drill", false, &how)?;
        record = Some((new.name, written));
    }
    let record_name = record.as_ref().map(|(n, _)| n.as_str());
    if ctx.global.json {
        let plain = warnings.iter().map(|(w, _)| w.clone()).collect();
        ctx.out.json_doc(&render::doc(&report, record_name, plain))?;
    } else if args.markdown {
        ctx.out.data(&render::markdown(&report))?;
    } else {
        ctx.out.data(&render::human(&ctx.out, &report))?;
    }
    if !ctx.global.json {
        ctx.print_warnings(&warnings);
    }
    if let Some(name) = record_name {
        ctx.out.status(&format!("Recorded as {name}"));
    }
    if let Some((_, Some(written))) = &record {
        writing::push_result(&written.push)?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(CommandError::silent(ErrorKind::No))
    }
}

/// The record body's first line: the verdict, and for a failure, where and why.
fn summary(report: &DrillReport) -> String {
    match report.failed_step() {
        None => "Every step passed: deploy, roll back, roll forward.".to_owned(),
        Some(s) => format!(
            "Failed at {}: {}",
            s.kind.as_str(),
            s.problem
                .as_deref()
                .and_then(|p| p.lines().next())
                .unwrap_or("see the steps")
        ),
    }
}

/// One line per step for the record's body.
fn step_lines(report: &DrillReport) -> Vec<String> {
    report
        .steps
        .iter()
        .map(|s| {
            let mut line = format!("{}: {}", s.kind.as_str(), format!("{:?}", s.verdict).to_lowercase());
            if s.verdict != Verdict::Skipped {
                line.push_str(&format!(" ({} ms)", s.duration_ms));
            }
            for c in &s.commands {
                line.push_str(&format!("; {} {}", c.role.as_str(), c.status));
            }
            if let Some(p) = &s.problem {
                line.push_str(&format!("; {}", p.lines().next().unwrap_or("")));
            }
            line
        })
        .collect()
}
