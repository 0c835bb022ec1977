//! The command-line front end: parses arguments, runs one command, maps errors to exit codes.
//! Commands read, call the core and render; they hold no decisions of their own.

pub mod args;
mod choices;
pub mod commands;
pub mod context;
pub mod drill;
pub mod error;
pub mod guided;
pub mod rollback;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use context::Context;
use error::{CommandError, CommandResult, ErrorKind};

/// Runs the program; returns the exit code (SPEC §5, docs/exit-codes.md).
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::ui::report_bug(&format!("{msg}{at}"));
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ErrorKind::Usage.exit_code()
            } else {
                0
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(dir) = &cli.global.directory
        && let Err(e) = std::env::set_current_dir(dir)
    {
        let ctx = Context::new(cli.global.clone());
        let err = CommandError::new(ErrorKind::Usage, format!("cannot change to `{}`: {e}", dir.display()));
        ctx.out.error(&err.report());
        return ExitCode::from(err.kind.exit_code());
    }
    crate::ui::handle_interrupts();
    let ctx = Context::new(cli.global.clone());
    match run(&ctx, cli.command, &cli.guided) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            if !e.silent {
                ctx.out.error(&e.report());
            }
            ExitCode::from(e.kind.exit_code())
        }
    }
}

fn run(ctx: &Context, command: Option<Command>, guided: &args::GuidedArgs) -> CommandResult {
    if command.is_some() && *guided != args::GuidedArgs::default() {
        return Err(CommandError::new(
            ErrorKind::Usage,
            "these flags before a command belong to the guided rollback",
        )
        .hint("put a command's flags after it: git rollback <command> --env …"));
    }
    match command {
        None => commands::guided::run(ctx, guided),
        Some(Command::Releases(a)) => commands::releases::run(ctx, &a),
        Some(Command::Status(a)) => commands::status::run(ctx, &a),
        Some(Command::Tag(a)) => commands::tag::run(ctx, &a),
        Some(Command::Deployed(a)) => commands::deployed::run(ctx, &a),
        Some(Command::Deploy(a)) => commands::deploy::run(ctx, &a),
        Some(Command::Check(a)) => commands::check::run(ctx, &a),
        Some(Command::Plan(a)) => commands::plan::run(ctx, &a),
        Some(Command::Apply(a)) => commands::apply::run(ctx, &a),
        Some(Command::Run(a)) => commands::run::run(ctx, &a),
        Some(Command::Restore(a)) => commands::restore::run(ctx, &a),
        Some(Command::Undo(a)) => commands::undo::run(ctx, &a),
        Some(Command::History(a)) => commands::history::run(ctx, &a),
        Some(Command::Show(a)) => commands::show::run(ctx, &a),
        Some(Command::Report(a)) => commands::report::run(ctx, &a),
        Some(Command::Drill(a)) => commands::drill::run(ctx, &a),
        Some(Command::Demo(a)) => commands::demo::run(ctx, &a),
        Some(Command::Completions(a)) => commands::completions::run(ctx, &a),
        Some(Command::Man) => commands::man::run(ctx),
    }
}
