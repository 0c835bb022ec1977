//! What every command needs, opened lazily: the output, the repository, the configuration,
//! and the ledger index (tags classified by name).

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::path::Path;

use super::args::GlobalArgs;
use super::error::{CommandError, CommandResult, ErrorKind};
use crate::config::Config;
use crate::git::{self, Reader};
use crate::ledger::{Index, Problem};
use crate::model::RepoState;
use crate::render::Output;

pub struct Context {
    pub global: GlobalArgs,
    pub out: Output,
    /// The directory the repository is discovered from (`.` after `-C` changed into it).
    dir: std::path::PathBuf,
    reader: OnceCell<Reader>,
    /// A scratch copy: opened exactly at `dir`, whatever git's environment says.
    isolated: bool,
    /// Overrides the configured production branch (a scratch copy rehearses the user's).
    production_branch: Option<String>,
}

/// The repository read once: state, configuration and the tag index.
pub struct Loaded {
    pub state: RepoState,
    pub config: Config,
    pub index: Index,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        let out = Output::new(global.color, global.json, global.quiet, global.verbose);
        Context {
            global,
            out,
            dir: ".".into(),
            reader: OnceCell::new(),
            isolated: false,
            production_branch: None,
        }
    }

    /// A context for the repository at `dir` with a given output (in-process callers, tests).
    pub fn at(global: GlobalArgs, out: Output, dir: &Path) -> Self {
        Context {
            global,
            out,
            dir: dir.to_path_buf(),
            reader: OnceCell::new(),
            isolated: false,
            production_branch: None,
        }
    }

    /// A context for a scratch copy at `dir` (a drill): opened without git's environment, with
    /// `production_branch` as the production branch.
    pub fn scratch(global: GlobalArgs, out: Output, dir: &Path, production_branch: Option<String>) -> Self {
        Context {
            isolated: true,
            production_branch,
            ..Context::at(global, out, dir)
        }
    }

    /// Whether prompts may be shown: stdin and stderr are terminals and nothing forbids it.
    pub fn interactive(&self) -> bool {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        !self.global.no_input
            && !self.global.json
            && !ci
            && std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
    }

    pub fn reader(&self) -> CommandResult<&Reader> {
        if let Some(r) = self.reader.get() {
            return Ok(r);
        }
        let reader = if self.isolated {
            git::open_isolated(&self.dir)?
        } else {
            git::open(&self.dir)?
        };
        Ok(self.reader.get_or_init(|| reader))
    }

    pub fn config(&self) -> CommandResult<Config> {
        let reader = self.reader()?;
        let here = self.dir == Path::new(".");
        let explicit = self.global.config.as_ref().map(|c| {
            if c.is_relative() && !here {
                self.dir.join(c)
            } else {
                c.clone()
            }
        });
        Ok(Config::load(reader.workdir(), explicit.as_deref())?)
    }

    /// Reads the repository state and classifies every tag by name (no tag object is read).
    pub fn load(&self) -> CommandResult<Loaded> {
        let reader = self.reader()?;
        let mut config = self.config()?;
        if let Some(branch) = &self.production_branch {
            config.production_branch = Some(branch.clone());
        }
        let mut state = reader.state()?;
        let index = Index::build(std::mem::take(&mut state.tags), &config);
        Ok(Loaded { state, config, index })
    }

    /// Asks before writing: `--yes` answers; on a terminal a prompt (default No); otherwise a
    /// refusal (exit 1) that says to add `--yes`.
    pub fn confirm(&self, question: &str) -> CommandResult<()> {
        if self.global.yes {
            return Ok(());
        }
        if !self.interactive() {
            return Err(CommandError::new(
                ErrorKind::No,
                "not confirmed: this writes to the repository and there is no terminal to ask",
            )
            .hint("add --yes to confirm, or --dry-run to see the plan"));
        }
        match crate::ui::confirm(question)? {
            Some(true) => Ok(()),
            _ => Err(CommandError::new(ErrorKind::No, "Aborted; nothing was changed.")),
        }
    }

    /// Checks a `--component` value against the configuration.
    pub fn component(&self, config: &Config, name: Option<&str>) -> CommandResult<Option<crate::model::Component>> {
        let Some(name) = name else { return Ok(None) };
        match config.component(Some(name)) {
            Some(c) => Ok(Some(c.clone())),
            None => {
                let known: Vec<String> = config
                    .scheme
                    .components()
                    .filter_map(|c| c.name().map(str::to_owned))
                    .collect();
                let hint = if known.is_empty() {
                    "no components are configured; add [components.<name>] to rollback.toml".to_owned()
                } else {
                    format!("configured components: {}", known.join(", "))
                };
                Err(CommandError::new(ErrorKind::Input, format!("unknown component `{name}`")).hint(hint))
            }
        }
    }

    /// `--env`, or the only known environment; must be valid and known (a typo must not
    /// create an environment).
    pub fn environment(&self, loaded: &Loaded, given: Option<&str>) -> CommandResult<crate::model::EnvName> {
        let known = loaded.index.environments(&loaded.config);
        let names = || known.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
        let Some(name) = given else {
            return match known.as_slice() {
                [only] => Ok(only.clone()),
                _ => Err(CommandError::new(
                    ErrorKind::Usage,
                    "--env is required: more than one environment is known",
                )
                .hint(format!("known environments: {}", names()))),
            };
        };
        let env = crate::model::EnvName::parse(name).map_err(|e| CommandError::new(ErrorKind::Input, e.to_string()))?;
        if !known.contains(&env) {
            return Err(
                CommandError::new(ErrorKind::Input, format!("unknown environment `{name}`"))
                    .hint(format!("known environments: {}", names()))
                    .hint(format!("to add it, put [environments.{name}] in rollback.toml")),
            );
        }
        Ok(env)
    }

    /// Warnings every read command shows: shallow history, unusable tags, ledger problems.
    pub fn ledger_warnings(&self, loaded: &Loaded, problems: &[Problem]) -> Vec<(String, Option<String>)> {
        crate::render::warnings::ledger(&loaded.state, &loaded.index, problems)
    }

    /// Prints warnings (human mode) — in JSON mode they travel in the document instead.
    pub fn print_warnings(&self, warnings: &[(String, Option<String>)]) {
        for (w, hint) in warnings {
            self.out.warn(w);
            if let Some(h) = hint {
                self.out.hint(h);
            }
        }
    }
}
