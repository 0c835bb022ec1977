//! `git rollback` with no command: the guided rollback (SPEC §7). Without a terminal it
//! refuses with exit 2 and points at the non-interactive commands.

use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};

pub fn run(ctx: &Context) -> CommandResult {
    let reason = if ctx.interactive() {
        "the guided rollback is not part of this build yet"
    } else {
        "the guided rollback needs a terminal (stdin and stderr), and --no-input, --json or CI forbid prompts"
    };
    Err(CommandError::new(ErrorKind::Usage, reason)
        .hint("see what is live and the previous stable release: git rollback status")
        .hint("list releases: git rollback releases")
        .hint("all commands: git rollback --help"))
}
