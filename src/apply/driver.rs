//! Running an environment's deployment driver: a shell command template, or the built-in
//! release-directory driver. Placeholder values are shell-quoted: data, never code.

use std::path::Path;
use std::time::Duration;

use super::shell;
use super::symlink::{DriverError as SymlinkError, Releases};
use crate::config::{Driver, render_placeholders};
use crate::git::Reader;
use crate::model::{EnvName, Oid, TagName};

/// Deploy a release, or roll back to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Deploy,
    Rollback,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deploy => "deploy",
            Action::Rollback => "rollback",
        }
    }
}

/// What the driver is asked to make live.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub env: &'a EnvName,
    /// The release to make live (deploy: the release; rollback: the target).
    pub release: &'a TagName,
    pub version: &'a str,
    pub commit: &'a Oid,
    pub artifact: &'a str,
    /// What is live now, if known.
    pub from: Option<&'a TagName>,
    pub reason: &'a str,
}

/// What a driver did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub driver: &'static str,
    /// One line for the record (`exit 0`, `current -> releases/v1.2.0 in /srv/shop`).
    pub summary: String,
    /// The rendered command, for a command driver.
    pub command: Option<String>,
    pub output: String,
    /// What went wrong after the switch (the release-directory driver); the switch stands.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("environment {env} has no {action}-command configured")]
    NoCommand { env: EnvName, action: &'static str },
    #[error("the {action} command failed ({status}): {command}")]
    Failed {
        action: &'static str,
        command: String,
        status: String,
        output: String,
    },
    #[error(transparent)]
    Symlink(#[from] SymlinkError),
}

/// A release's version and first `Artifact:` trailer (empty when it has none or is not a
/// release here): what `{version}` and `{artifact}` stand for.
pub fn release_facts(reader: &Reader, index: &crate::ledger::Index, tag: &TagName) -> (String, String) {
    use crate::model::ObjectSource;
    let Some(release) = index.release_position(tag).map(|i| &index.releases[i]) else {
        return (String::new(), String::new());
    };
    let artifact = reader
        .read_tag(&release.entry)
        .ok()
        .and_then(|o| o.annotation)
        .and_then(|a| crate::model::trailers::find(&a.trailers(), "Artifact").map(str::to_owned))
        .unwrap_or_default();
    (release.version.to_string(), artifact)
}

/// The command template for `action`, with every placeholder filled in and shell-quoted.
pub fn render(template: &str, t: &Target<'_>) -> String {
    let from = t.from.map(|f| f.as_str()).unwrap_or("");
    let values = [
        ("env", t.env.as_str()),
        ("release", t.release.as_str()),
        ("version", t.version),
        ("commit", t.commit.as_str()),
        ("artifact", t.artifact),
        ("from", from),
        ("to", t.release.as_str()),
        ("to_commit", t.commit.as_str()),
        ("reason", t.reason),
    ];
    render_placeholders(template, &values, true)
}

/// The command a command driver would run (`None` for the symlink driver).
pub fn command(driver: &Driver, action: Action, t: &Target<'_>) -> Result<Option<String>, DriverError> {
    match driver {
        Driver::Symlink { .. } => Ok(None),
        Driver::Command { deploy, rollback } => {
            let template = match action {
                Action::Deploy => deploy,
                Action::Rollback => rollback,
            };
            let template = template.as_deref().ok_or_else(|| DriverError::NoCommand {
                env: t.env.clone(),
                action: action.as_str(),
            })?;
            Ok(Some(render(template, t)))
        }
    }
}

/// The values of a target as environment variables for driver commands
/// (`GIT_ROLLBACK_RELEASE`, …), for scripts that would rather read them than take arguments.
pub fn env(t: &Target<'_>) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_ROLLBACK_ENV", t.env.to_string()),
        ("GIT_ROLLBACK_RELEASE", t.release.to_string()),
        ("GIT_ROLLBACK_VERSION", t.version.to_owned()),
        ("GIT_ROLLBACK_COMMIT", t.commit.to_string()),
        ("GIT_ROLLBACK_ARTIFACT", t.artifact.to_owned()),
        ("GIT_ROLLBACK_FROM", t.from.map(|f| f.to_string()).unwrap_or_default()),
        ("GIT_ROLLBACK_REASON", t.reason.to_owned()),
    ]
}

/// Runs `cmd` (an already rendered driver command) in `dir`.
pub fn run_command(
    cmd: &str,
    action: Action,
    t: &Target<'_>,
    dir: &Path,
    timeout: Duration,
    cancel: &dyn Fn() -> bool,
) -> Result<Ran, DriverError> {
    let vars = env(t);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = shell::run(dir, cmd, &vars, &shell::Options::new(timeout, cancel));
    if !run.succeeded() {
        return Err(DriverError::Failed {
            action: action.as_str(),
            command: cmd.to_owned(),
            status: run.status_text(timeout),
            output: run.output,
        });
    }
    Ok(Ran {
        driver: "command",
        summary: run.status_text(timeout),
        command: Some(cmd.to_owned()),
        output: run.output,
        warnings: Vec::new(),
    })
}

/// Runs the driver: the command in `dir` (the work tree), or the release-directory switch.
pub fn run(
    reader: &Reader,
    driver: &Driver,
    action: Action,
    t: &Target<'_>,
    dir: &Path,
    timeout: Duration,
    cancel: &dyn Fn() -> bool,
) -> Result<Ran, DriverError> {
    match driver {
        Driver::Command { .. } => {
            let cmd = command(driver, action, t)?.unwrap_or_default();
            run_command(&cmd, action, t, dir, timeout, cancel)
        }
        Driver::Symlink { root, keep, check } => {
            let releases = Releases::new(root);
            let switched = releases.deploy(reader, t.release, t.commit, check.as_deref(), *keep, timeout, cancel)?;
            let mut output = String::new();
            if let Some(prev) = &switched.previous {
                output.push_str(&format!("previous: releases/{prev}\n"));
            }
            for p in &switched.pruned {
                output.push_str(&format!("pruned: releases/{p}\n"));
            }
            if let Some(c) = &switched.check {
                output.push_str(&c.output);
            }
            Ok(Ran {
                driver: "symlink",
                summary: switched.summary(root),
                command: None,
                output,
                warnings: switched.warnings,
            })
        }
    }
}
