//! `git rollback` with no command: the guided rollback on a terminal (SPEC §7). Without one it
//! refuses with exit 2 and shows the equivalent `git rollback run` command line.

use crate::cli::args::GuidedArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::guided;

pub fn run(ctx: &Context, args: &GuidedArgs) -> CommandResult {
    if !ctx.interactive() {
        let command = guided::equivalent_command(args, None);
        return Err(CommandError::new(
            ErrorKind::Usage,
            "the guided rollback needs a terminal, and prompts are off here (no terminal, --no-input, --json or CI)",
        )
        .hint(format!("without prompts: {command}"))
        .hint("see the options first: git rollback check, git rollback plan"));
    }
    crate::ui::abort_on_interrupt();
    let mut prompter = crate::ui::TermPrompter::new(ctx.out.err_color);
    guided::flow(ctx, &mut prompter, args)
}
