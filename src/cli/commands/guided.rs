//! `git rollback` with no command: the guided rollback (SPEC §7). Without a terminal it
//! refuses with exit 2 and points at the non-interactive commands.

use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};

pub fn run(ctx: &Context) -> CommandResult {
    let reason = if ctx.interactive() {
        "the guided rollback is not part of this build yet"
    } else {
        "the guided rollback needs a terminal, and prompts are off here (no terminal, --no-input, --json or CI)"
    };
    Err(CommandError::new(ErrorKind::Usage, reason)
        .hint("the guided rollback and its scripted form `git rollback run` are not part of this build yet")
        .hint("see what is live and the previous stable release: git rollback status")
        .hint("list releases: git rollback releases")
        .hint("all commands: git rollback --help"))
}
