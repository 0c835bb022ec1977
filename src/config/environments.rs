//! `[environments.<name>]`: each environment's deployment driver, driver timeout and release
//! windows.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use super::ConfigError;
use super::placeholders::check_command_placeholders;
use crate::model::EnvName;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawEnvironment {
    pub(super) rollback_command: Option<String>,
    pub(super) deploy_command: Option<String>,
    pub(super) symlink: Option<RawSymlink>,
    pub(super) timeout: Option<u64>,
    pub(super) windows: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSymlink {
    root: String,
    keep: Option<usize>,
    check: Option<String>,
}

/// How an environment's deployment layer deploys and rolls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    /// Shell command templates (placeholders shell-quoted when substituted).
    Command {
        deploy: Option<String>,
        rollback: Option<String>,
    },
    /// The built-in release-directory driver: `root/releases/<tag>/`, `root/current`.
    Symlink {
        root: PathBuf,
        keep: usize,
        check: Option<String>,
    },
}

impl Driver {
    pub fn name(&self) -> &'static str {
        match self {
            Driver::Command { .. } => "command",
            Driver::Symlink { .. } => "symlink",
        }
    }
}

/// Everything configured for one environment.
#[derive(Debug, Clone)]
pub struct EnvSettings {
    pub name: EnvName,
    pub driver: Option<Driver>,
    /// Seconds a driver command may run.
    pub timeout: u64,
    /// When deploys are allowed (none: always).
    pub windows: Vec<crate::model::window::Window>,
}

/// Placeholders of driver command templates.
pub const DRIVER_PLACEHOLDERS: &[&str] = &[
    "env",
    "release",
    "version",
    "commit",
    "artifact",
    "from",
    "to",
    "to_commit",
    "reason",
];

/// The environments in order, with their settings.
pub(super) fn parse(
    raw_envs: IndexMap<String, RawEnvironment>,
    path: Option<&Path>,
    value_err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(Vec<EnvName>, Vec<EnvSettings>), ConfigError> {
    let mut environments = Vec::new();
    let mut env_settings = Vec::new();
    for (name, env) in raw_envs {
        let parsed = EnvName::parse(&name).map_err(|e| value_err(&format!("environments.{name}"), e.to_string()))?;
        let key = |k: &str| format!("environments.{name}.{k}");
        let command = |k: &str, v: Option<String>| -> Result<Option<String>, ConfigError> {
            let Some(cmd) = super::placeholders::command(v).map_err(|m| value_err(&key(k), m))? else {
                return Ok(None);
            };
            let allowed: &[&str] = if k == "symlink.check" { &[] } else { DRIVER_PLACEHOLDERS };
            check_command_placeholders(&cmd, allowed).map_err(|m| value_err(&key(k), m))?;
            Ok(Some(cmd))
        };
        let deploy = command("deploy-command", env.deploy_command)?;
        let rollback = command("rollback-command", env.rollback_command)?;
        let driver = match (env.symlink, deploy.is_some() || rollback.is_some()) {
            (Some(_), true) => {
                return Err(value_err(
                    &key("symlink"),
                    "an environment has one driver: either `symlink` or deploy-/rollback-command".into(),
                ));
            }
            (Some(s), false) => {
                let keep = s.keep.unwrap_or(5);
                if keep < 2 {
                    return Err(value_err(
                        &key("symlink.keep"),
                        "must be at least 2 (the live release and the previous one)".into(),
                    ));
                }
                if s.root.trim().is_empty() {
                    return Err(value_err(&key("symlink.root"), "must not be empty".into()));
                }
                let root = PathBuf::from(&s.root);
                // A relative root is relative to the configuration file.
                let root = match path.and_then(Path::parent) {
                    Some(dir) if root.is_relative() => dir.join(root),
                    _ => root,
                };
                Some(Driver::Symlink {
                    root,
                    keep,
                    check: command("symlink.check", s.check)?,
                })
            }
            (None, true) => Some(Driver::Command { deploy, rollback }),
            (None, false) => None,
        };
        let timeout = env.timeout.unwrap_or(600);
        if timeout == 0 {
            return Err(value_err(&key("timeout"), "must be at least 1 (seconds)".into()));
        }
        let windows = env
            .windows
            .unwrap_or_default()
            .iter()
            .map(|w| crate::model::window::Window::parse(w).map_err(|m| value_err(&key("windows"), m)))
            .collect::<Result<Vec<_>, _>>()?;
        env_settings.push(EnvSettings {
            name: parsed.clone(),
            driver,
            timeout,
            windows,
        });
        environments.push(parsed);
    }
    Ok((environments, env_settings))
}
