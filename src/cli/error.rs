//! One error type for commands: a kind (which decides the exit code), a message, the causes and
//! hints. Core errors convert into it here, in one place.

use crate::config::ConfigError;
use crate::git::GitError;
use crate::ledger::LedgerError;
use crate::render::ErrorReport;

/// The kinds of failure, each with its documented exit code (docs/exit-codes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The answer is no: blocked by a check, declined, needs --yes. Exit 1.
    No,
    /// Bad command-line usage. Exit 2.
    Usage,
    /// Bad input (a missing release, a malformed value). Exit 2.
    Input,
    /// Bad configuration. Exit 2.
    Config,
    /// Repository or environment: not a repository, locked ref, I/O. Exit 3.
    Repository,
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP before anything was written. Exit 130.
    Interrupted,
    /// stdout was closed (e.g. `| head`): exit 0, quietly.
    BrokenPipe,
}

impl ErrorKind {
    /// Every kind, for the check of the documentation against this table.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::No,
        ErrorKind::Usage,
        ErrorKind::Input,
        ErrorKind::Config,
        ErrorKind::Repository,
        ErrorKind::Interrupted,
        ErrorKind::BrokenPipe,
    ];

    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::BrokenPipe => 0,
            ErrorKind::No => 1,
            ErrorKind::Usage | ErrorKind::Input | ErrorKind::Config => 2,
            ErrorKind::Repository => 3,
            ErrorKind::Interrupted => crate::interrupt::EXIT_INTERRUPTED,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::No => "refused",
            ErrorKind::Usage => "usage",
            ErrorKind::Input => "input",
            ErrorKind::Config => "config",
            ErrorKind::Repository => "repository",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::BrokenPipe => "broken-pipe",
        }
    }
}

#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
    pub hints: Vec<String>,
    /// The output already said it all (e.g. a blocking checklist): exit with the code, print nothing.
    pub silent: bool,
}

impl CommandError {
    /// Exits with `kind`'s code without printing (the output already explained).
    pub fn silent(kind: ErrorKind) -> Self {
        CommandError {
            silent: true,
            ..CommandError::new(kind, "")
        }
    }

    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            source: None,
            hints: Vec::new(),
            silent: false,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn report(&self) -> ErrorReport {
        let mut causes = Vec::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = self.source.as_deref().map(|e| e as _);
        while let Some(e) = next {
            let text = e.to_string();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let line = line.trim().trim_start_matches("Caused by:").trim();
                if !line.is_empty() && !causes.iter().any(|c: &String| c == line) && !self.message.contains(line) {
                    causes.push(line.to_owned());
                }
            }
            next = e.source();
        }
        ErrorReport {
            kind: self.kind.name(),
            message: self.message.clone(),
            causes,
            hints: self.hints.clone(),
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::new(ErrorKind::BrokenPipe, "broken pipe");
        }
        CommandError::new(ErrorKind::Repository, "I/O error").with_source(e)
    }
}

impl From<ConfigError> for CommandError {
    fn from(e: ConfigError) -> Self {
        let hint = "every key, its default and an example: docs/configuration.md";
        CommandError::new(ErrorKind::Config, e.to_string()).hint(hint)
    }
}

impl From<GitError> for CommandError {
    fn from(e: GitError) -> Self {
        match e {
            GitError::NotARepository { path, source } => CommandError::new(
                ErrorKind::Repository,
                format!("not a git repository: {}", path.display()),
            )
            .with_source(source)
            .hint("run inside a repository, or point at one with `git rollback -C <path> …`"),
            GitError::NoIdentity => {
                CommandError::new(ErrorKind::Input, "no git identity is configured; records need a tagger")
                    .hint("git config --global user.name \"Your Name\"")
                    .hint("git config --global user.email \"you@example.com\"")
            }
            GitError::RefExists { name } => {
                CommandError::new(ErrorKind::No, format!("`{name}` already exists; nothing was written"))
            }
            e @ GitError::RefMoved { .. } => CommandError::new(
                ErrorKind::No,
                format!("{e} (changed concurrently); nothing was written"),
            )
            .hint("look at what changed (git rollback status), then run again"),
            GitError::Locked { name, lock } => CommandError::new(
                ErrorKind::Repository,
                format!("`{name}` is locked by another process: {} exists", lock.display()),
            )
            .hint("if no git process is running, remove the lock file and try again"),
            e @ (GitError::NotACommit { .. } | GitError::BadRefName { .. }) => {
                CommandError::new(ErrorKind::Input, format!("{e}; nothing was written"))
            }
            GitError::Write { what, source } => CommandError::new(
                ErrorKind::Repository,
                format!("cannot write {what} to the repository; no ref was changed"),
            )
            .with_source(source)
            .hint("check that the repository is writable (permissions, a read-only mount, a full disk)"),
            e @ GitError::Sign { .. } => CommandError::new(ErrorKind::Repository, e.to_string())
                .hint("signing uses git's settings: gpg.format, user.signingKey, gpg.program (see git-config(1))"),
            other => CommandError::new(ErrorKind::Repository, other.to_string()),
        }
    }
}

impl From<LedgerError> for CommandError {
    fn from(e: LedgerError) -> Self {
        CommandError::new(ErrorKind::Repository, e.to_string())
    }
}

pub type CommandResult<T = ()> = Result<T, CommandError>;

impl From<crate::apply::execute::ApplyError> for CommandError {
    fn from(e: crate::apply::execute::ApplyError) -> Self {
        use crate::apply::execute::ApplyError as A;
        match e {
            A::Git(g) => g.into(),
            A::Driver(d) => d.into(),
            A::NotRecorded { driver, source } => {
                let inner: CommandError = (*source).into();
                CommandError::new(
                    ErrorKind::Repository,
                    format!(
                        "the deployment layer was rolled back ({driver}), but the rollback was not recorded: {}",
                        inner.message
                    ),
                )
                .hint("record it without running the driver again: the same command without --exec-deploy")
            }
            A::Lock(l) => l.into(),
            e @ A::Stale { .. } => CommandError::new(ErrorKind::No, format!("{e}; nothing was written"))
                .hint("something changed since the plan was made: make a new plan (git rollback plan)"),
            e @ (A::Conflict { .. } | A::TreeMismatch { .. }) => {
                CommandError::new(ErrorKind::No, format!("{e}; no ref was written"))
                    .hint("use --strategy branch, or make a new plan")
            }
            e @ (A::Invalid(_) | A::Compose(_)) => CommandError::new(ErrorKind::Input, e.to_string()),
            e @ A::Journal(_) => CommandError::new(ErrorKind::Repository, e.to_string())
                .hint("check that .git/git-rollback/ is writable, then run it again"),
            e @ A::Interrupted => CommandError::new(ErrorKind::Interrupted, e.to_string())
                .hint("run it again when ready; git rollback status shows where things are"),
        }
    }
}

impl From<crate::apply::undo::UndoError> for CommandError {
    fn from(e: crate::apply::undo::UndoError) -> Self {
        use crate::apply::undo::UndoError as U;
        match e {
            U::Git(g) => g.into(),
            e @ U::Pushed(_) => CommandError::new(ErrorKind::No, format!("{e}; nothing was changed"))
                .hint("to reverse a pushed rollback, restore it: git rollback restore <record>"),
            e @ U::Nothing => CommandError::new(ErrorKind::Input, e.to_string()),
            e @ (U::Journal(_) | U::Io(_)) => CommandError::new(ErrorKind::Repository, e.to_string()),
        }
    }
}

impl From<crate::plan::PlanError> for CommandError {
    fn from(e: crate::plan::PlanError) -> Self {
        use crate::plan::PlanError as P;
        let kind = match e {
            // The answer is no: a predicted conflict, a taken name, a dirty checkout.
            P::Conflict { .. } | P::OffTarget { .. } | P::BranchExists(_) | P::DirtyCheckout { .. } => ErrorKind::No,
            P::NoBase(_) => ErrorKind::Config,
            P::MissingObjects(_) => ErrorKind::Repository,
            P::NothingToRevert | P::AdvanceAndReset | P::Flag { .. } => ErrorKind::Input,
        };
        CommandError::new(kind, format!("{e}; nothing was written")).hint(e.hint())
    }
}

impl From<crate::apply::driver::DriverError> for CommandError {
    fn from(e: crate::apply::driver::DriverError) -> Self {
        use crate::apply::driver::DriverError as D;
        use crate::apply::symlink::DriverError as S;
        let output_hints = |mut err: CommandError, output: &str| {
            for line in output.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev() {
                err = err.hint(format!("output: {}", crate::ui::sanitize::line(line)));
            }
            err
        };
        match e {
            e @ D::NoCommand { .. } => CommandError::new(ErrorKind::Config, format!("{e}; nothing was done"))
                .hint("set it in rollback.toml (docs/deploy-drivers.md)"),
            D::Failed {
                action,
                command,
                status,
                output,
            } => output_hints(
                CommandError::new(
                    ErrorKind::No,
                    format!("the {action} command failed ({status}); no record was written"),
                )
                .hint(format!("command: {command}")),
                &output,
            ),
            D::Symlink(S::Check {
                path,
                command,
                status,
                output,
            }) => output_hints(
                CommandError::new(
                    ErrorKind::No,
                    format!(
                        "the release check failed in {} ({status}); `current` was not switched and no record was written",
                        path.display()
                    ),
                )
                .hint(format!("command: {command}")),
                &output,
            ),
            D::Symlink(e) => CommandError::new(
                ErrorKind::Repository,
                format!("{e}; `current` was not switched and no record was written"),
            ),
        }
    }
}

impl From<crate::apply::lock::LockError> for CommandError {
    fn from(e: crate::apply::lock::LockError) -> Self {
        use crate::apply::lock::LockError as L;
        match e {
            L::Held { env, holder, now } => {
                let age = holder.age(now);
                CommandError::new(
                    ErrorKind::No,
                    format!(
                        "{env} is locked: {} has held it {age} ({}) on {}, pid {}; nothing was done",
                        crate::ui::sanitize::line(&holder.who),
                        crate::ui::sanitize::line(&holder.what),
                        crate::ui::sanitize::line(&holder.host),
                        crate::ui::sanitize::line(&holder.pid),
                    ),
                )
                .hint("wait for that deploy or rollback to finish")
                .hint("if its holder is gone (the lock is stale), take it over with --break-lock")
            }
            L::Git(g) => g.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    /// docs/exit-codes.md and `--help` list every exit code of this table, and docs the JSON
    /// `kind` of each; neither lists a code the table does not have.
    #[test]
    fn the_docs_and_the_help_text_list_the_exit_codes_of_the_table() {
        let docs = include_str!("../../docs/exit-codes.md");
        let help = crate::cli::args::AFTER_HELP;
        let mut codes: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.exit_code()).collect();
        codes.extend([0, 101]); // success, and a panic (the panic hook)
        codes.sort_unstable();
        codes.dedup();
        for code in &codes {
            assert!(
                docs.contains(&format!("\n| {code} |")),
                "docs/exit-codes.md lacks {code}"
            );
            assert!(help.contains(&format!(" {code} ")), "--help lacks {code}");
        }
        for kind in ErrorKind::ALL.iter().filter(|k| **k != ErrorKind::BrokenPipe) {
            assert!(
                docs.contains(&format!("`{}` ({}", kind.name(), kind.exit_code()))
                    || docs.contains(&format!("`{}`, ", kind.name())),
                "docs/exit-codes.md does not name the JSON kind `{}`",
                kind.name()
            );
        }
        let rows: Vec<u8> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| ")?.split(' ').next()?.parse().ok())
            .collect();
        for row in rows {
            assert!(
                codes.contains(&row),
                "docs/exit-codes.md lists {row}, which no error has"
            );
        }
    }
}
