//! The command-line definition (clap). `--help`, the man page and completions come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::choices;
use crate::render::ColorChoice;

const ABOUT: &str =
    "Git-native rollback workflow assistant: the release ledger, the pre-rollback checklist, safe recorded rollbacks.";

pub(crate) const AFTER_HELP: &str = "\
Run `git rollback` with no command on a terminal for the guided rollback.

Exit codes: 0 success (also dry runs and \"nothing to do\"); 1 the answer is no (blocked,
declined, needs --yes); 2 usage, input or configuration error; 3 repository or environment
error; 130 interrupted (Ctrl-C, SIGTERM, SIGHUP) before anything was written; 101 a bug.
Documentation: docs/ in the source repository.";

#[derive(Debug, Parser)]
#[command(name = "git-rollback", bin_name = "git-rollback", version, about = ABOUT, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub guided: GuidedArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Answers for the guided rollback (`git rollback` with no command): each skips its prompt.
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct GuidedArgs {
    /// The environment
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// What is going on
    #[arg(long, value_parser = choices::parser(choices::SITUATIONS))]
    pub situation: Option<crate::plan::Situation>,
    /// The release to roll back to
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<String>,
    /// The strategy
    #[arg(long, value_parser = choices::parser(choices::STRATEGIES))]
    pub strategy: Option<crate::plan::Strategy>,
    /// For a revert: only this commit (repeatable)
    #[arg(long = "commit", value_name = "ID")]
    pub commits: Vec<String>,
    /// Why (recorded)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// An incident id
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Run as if started in <PATH> (like `git -C`)
    #[arg(short = 'C', value_name = "PATH", global = true)]
    pub directory: Option<PathBuf>,
    /// Read the configuration from <FILE> instead of rollback.toml at the work-tree root
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout (implies --no-input)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour (NO_COLOR is honoured with `auto`)
    #[arg(long, value_parser = choices::parser(choices::COLORS), value_name = "WHEN", default_value = "auto", global = true)]
    pub color: ColorChoice,
    /// Never prompt; fail instead where a prompt would be needed
    #[arg(long, global = true)]
    pub no_input: bool,
    /// Answer yes to confirmations
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
    /// Print only data and errors, no status lines
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Show more detail (repeatable)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List releases, newest version first, with live/bad/pre-release/lightweight flags
    Releases(ReleasesArgs),
    /// Show, per environment, the live release, the previous stable release and bad releases
    Status(StatusArgs),
    /// Create an annotated release tag, with migration, config and artifact notes as trailers
    Tag(TagArgs),
    /// Record that a release went live in an environment (a deploy record)
    Deployed(DeployedArgs),
    /// Deploy a release with the environment's driver, then write the deploy record
    Deploy(DeployArgs),
    /// Run the pre-rollback checklist and recommend a strategy; exit 1 when something blocks
    Check(CheckArgs),
    /// Show (or save with --out) the plan of a rollback: every ref, commit and record it writes
    Plan(PlanArgs),
    /// Apply a saved plan after checking the repository still matches it
    Apply(ApplyArgs),
    /// Roll back without prompts: plan, checklist, apply, record
    Run(RunArgs),
    /// Undo a revert rollback once the fix is in (revert its reverts), and record it
    Restore(RestoreArgs),
    /// Undo the last operation of this tool that was not pushed
    Undo(UndoArgs),
    /// The timeline of releases, deploys, rollbacks and restores, oldest first (post-mortems)
    History(HistoryArgs),
    /// One record or release in full: message, trailers, commits, related records
    Show(ShowArgs),
    /// A Markdown post-mortem skeleton for a rollback, built from the ledger
    Report(ReportArgs),
    /// Rehearse the rollback in a scratch copy: deploy, roll back, roll forward, each verified
    Drill(DrillArgs),
    /// Build a sandbox repository with releases, migrations and config changes to try the tool
    Demo(DemoArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Args)]
pub struct ReleasesArgs {
    /// Show every release (default: the newest 20)
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Show at most N releases
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only releases of this component (monorepos; see [components] in rollback.toml)
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this environment
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Only this component (monorepos)
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["new_version", "bump"]))]
pub struct TagArgs {
    /// The version to release (`1.4.0` or `v1.4.0`); or use --bump
    #[arg(value_name = "VERSION")]
    pub new_version: Option<String>,
    /// Compute the version from the newest release: patch (continues the line --rev is on),
    /// minor, major or prerelease
    #[arg(long, value_parser = choices::parser(choices::BUMPS), value_name = "PART")]
    pub bump: Option<crate::ledger::tagging::Bump>,
    /// The commit to tag
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    /// The subject line (default: "Release <tag>")
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub message: Option<String>,
    /// A paragraph for the message body (repeatable; line breaks allowed)
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
    /// A database migration in this release, as a `Migration:` trailer (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub migration: Vec<String>,
    /// A configuration change, as a `Config:` trailer (repeatable; `--config` is the global
    /// config-file flag)
    #[arg(long = "config-change", value_name = "TEXT")]
    pub config_change: Vec<String>,
    /// What was built (image digest, manifest hash, package URL), as an `Artifact:` trailer
    /// (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub artifact: Vec<String>,
    /// The component to release (monorepos)
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,
    /// Sign the tag as `git tag -s` does (gpg.format, user.signingKey)
    #[arg(long)]
    pub sign: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
pub struct DeployedArgs {
    /// The release that went live (its tag, or its version)
    pub release: String,
    /// The environment (may be left out when only one is configured)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// What was deployed (repeatable; default: the release's `Artifact:` trailers)
    #[arg(long, value_name = "TEXT")]
    pub artifact: Vec<String>,
    /// A paragraph for the record's body (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
    /// When the deploy happened, if earlier than now (RFC 3339, e.g. 2026-11-22T09:30:00Z)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The component of the release, when given as a version (monorepos)
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,
    /// Record the deploy of a release marked bad in this environment
    #[arg(long)]
    pub allow_bad: bool,
    /// Deploy outside the environment's release windows; the reason goes into the record
    #[arg(long, value_name = "REASON")]
    pub outside_window: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub record: DeployedArgs,
    /// Take over the environment's lock from a holder that is gone
    #[arg(long)]
    pub break_lock: bool,
}

/// How `tag` and `deployed` write.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Accept a commit that is on no release branch
    #[arg(long)]
    pub allow_off_branch: bool,
    /// Show what would be written, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the new tag (`git push --atomic <remote>`) after writing it
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Which rollback: environment, releases, strategy.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// The environment (may be left out when only one is known)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// The release to roll back from (default: the live release)
    #[arg(long, value_name = "RELEASE")]
    pub from: Option<String>,
    /// The release to roll back to (default: the previous stable release)
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<String>,
    /// revert: revert the range on a new branch; branch: a branch at the target; hotfix: a
    /// hotfix branch from the target; deploy: record only, the deployment layer rolls back
    /// (default: the one recommended for --situation)
    #[arg(long, value_parser = choices::parser(choices::STRATEGIES))]
    pub strategy: Option<crate::plan::Strategy>,
    /// What is going on, for the recommendation
    #[arg(long, value_parser = choices::parser(choices::SITUATIONS), default_value = "running")]
    pub situation: crate::plan::Situation,
    /// The component (monorepos)
    #[arg(long, value_name = "NAME")]
    pub component: Option<String>,
    /// Allow a target marked bad by an earlier rollback
    #[arg(long)]
    pub allow_bad: bool,
    /// Where a revert conflicts only in release bookkeeping (version files, lockfiles,
    /// changelogs: [paths] bookkeeping), keep the production branch's side of those files
    #[arg(long)]
    pub keep_ours: bool,
}

/// How the strategy is carried out.
#[derive(Debug, Args, Clone)]
pub struct StrategyArgs {
    /// Revert only this commit of the range (repeatable; id or prefix)
    #[arg(long = "commit", value_name = "ID")]
    pub commits: Vec<String>,
    /// Also fast-forward the production branch to the reverts (revert, restore)
    #[arg(long)]
    pub advance_branch: bool,
    /// Move the production branch itself back to the target, keeping a backup ref (branch)
    #[arg(long)]
    pub reset_branch: bool,
    /// Why (required to write; recorded in the rollback record)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// An incident id, recorded with the rollback
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub how: StrategyArgs,
    /// Save the plan (JSON) to FILE, for `git rollback apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file written by `git rollback plan --out`
    pub file: PathBuf,
    /// Why (required unless the plan has one)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// An incident id
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Push the new branch and the record after writing them
    #[arg(long)]
    pub push: bool,
    /// Run the environment's rollback-command first (deploy strategy)
    #[arg(long)]
    pub exec_deploy: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub how: StrategyArgs,
    /// Show the plan and the checklist, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the new branch and the record after writing them
    #[arg(long)]
    pub push: bool,
    /// Run the environment's deployment driver first (deploy strategy); a failure records nothing
    #[arg(long)]
    pub exec_deploy: bool,
    /// With --exec-deploy: take over the environment's lock from a holder that is gone
    #[arg(long, requires = "exec_deploy")]
    pub break_lock: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The rollback record to undo (its tag name)
    pub record: String,
    /// Why (required)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Also fast-forward the production branch to the restore
    #[arg(long)]
    pub advance_branch: bool,
    /// Show the plan, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the new branch and the record after writing them
    #[arg(long)]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this environment (and the releases its events name)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// From this time on: RFC 3339, a date (2024-01-15, UTC) or an age (90m, 12h, 7d, 2w)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Up to this time (a date includes the whole day); same forms as --since
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only events about this release (tag name): its tag, deploys, rollbacks from or to it, restores
    #[arg(long, value_name = "TAG")]
    pub release: Option<String>,
    /// Only these kinds (repeatable or comma-separated)
    #[arg(long, value_parser = choices::parser(choices::KINDS), value_name = "KIND", value_delimiter = ',')]
    pub kind: Vec<crate::ledger::history::EventKind>,
    /// Only the newest N events (still shown oldest first)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Markdown: a table, then each rollback's full reason
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A record tag (deploy/…, rollback/…, restore/…) or a release tag
    pub name: String,
    /// Markdown, to paste into a document
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The rollback record to report on (its tag name)
    pub record: String,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Run in each state, in the scratch work tree (default: [drill] test-cmd)
    #[arg(long, value_name = "CMD")]
    pub test_cmd: Option<String>,
    /// Run on the from-release before rolling back (default: [drill] migrate-down)
    #[arg(long, value_name = "CMD")]
    pub migrate_down: Option<String>,
    /// Run after rolling forward (default: [drill] migrate-up)
    #[arg(long, value_name = "CMD")]
    pub migrate_up: Option<String>,
    /// Kill a command after this many seconds (default: [drill] timeout, 600)
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Markdown, for a CI job summary
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Write a drill record (an annotated tag) with the result, in this repository
    #[arg(long)]
    pub record: bool,
    /// Push the drill record after writing it
    #[arg(long, requires = "record")]
    pub push: bool,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Show what would be undone, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to create the sandbox (must not exist, or be an empty directory); default: a new
    /// temporary directory
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
