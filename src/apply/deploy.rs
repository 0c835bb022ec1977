//! Running the deployment layer's rollback commands (`--exec-deploy`): each through `sh -c`,
//! output captured, stopping at the first failure.

use std::path::Path;
use std::time::Duration;

use super::execute::ApplyError;
use super::shell;

/// Runs every command in `dir`; returns (command, output) for each, or the first failure.
pub fn run_all(dir: &Path, commands: &[String]) -> Result<Vec<(String, String)>, ApplyError> {
    let mut out = Vec::new();
    for cmd in commands {
        let run = shell::run(dir, cmd, &[], &shell::Options::foreground());
        if !run.succeeded() {
            return Err(ApplyError::Deploy {
                command: cmd.clone(),
                status: run.status_text(Duration::MAX),
                output: run.output,
            });
        }
        out.push((cmd.clone(), run.output));
    }
    Ok(out)
}
