//! Running the deployment layer's rollback commands (`--exec-deploy`): each through `sh -c`,
//! output captured, stopping at the first failure.

use std::path::Path;
use std::process::Command;

use super::execute::ApplyError;

/// Runs every command in `dir`; returns (command, output) for each, or the first failure.
pub fn run_all(dir: &Path, commands: &[String]) -> Result<Vec<(String, String)>, ApplyError> {
    let mut out = Vec::new();
    for cmd in commands {
        let result = Command::new("sh").arg("-c").arg(cmd).current_dir(dir).output();
        let output = match &result {
            Ok(o) => format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => e.to_string(),
        };
        match result {
            Ok(o) if o.status.success() => out.push((cmd.clone(), output)),
            Ok(o) => {
                return Err(ApplyError::Deploy {
                    command: cmd.clone(),
                    status: o.status.to_string(),
                    output,
                });
            }
            Err(_) => {
                return Err(ApplyError::Deploy {
                    command: cmd.clone(),
                    status: "not started".into(),
                    output,
                });
            }
        }
    }
    Ok(out)
}
