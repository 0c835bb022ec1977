//! Preparing a rollback request: read the snapshot it needs (the pair of releases, the range
//! between them, the repository around them), run the checklist and the recommendation. Shared
//! by `check` and, later, `plan`, `run` and the guided flow, so they all see the same answer.

use std::collections::HashSet;

use super::context::{Context, Loaded};
use super::error::{CommandError, CommandResult, ErrorKind};
use crate::checklist::migrations::Migration;
use crate::checklist::{self, Report, Side};
use crate::config::Config;
use crate::git::Reader;
use crate::git::range::RangeRequest;
use crate::ledger::{Evidence, Resolver, pair, production_branch};
use crate::model::range::{RangeFacts, RepoFacts, RevertStep};
use crate::model::{Component, EnvName, Oid, Timestamp};
use crate::plan::chain::{Chain, SubsetError};
use crate::plan::{self, Recommendation, Situation, Strategy};
use crate::render::check::CheckView;

/// Commits read in full per range (the rest are counted); keeps a 50,000-commit range fast.
const COMMIT_LIMIT: usize = 1000;

/// What the user asked for (by flags or prompts).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub env: Option<String>,
    pub component: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub strategy: Option<Strategy>,
    pub situation: Situation,
    /// Going back to a release marked bad (a warning instead of a failure).
    pub allow_bad: bool,
    /// `--commit`: revert only these commits of the range (ids or unique prefixes); the
    /// preview is of exactly these.
    pub commits: Vec<String>,
    /// `--keep-ours`: where a revert's only conflicts are release bookkeeping, keep the
    /// production tip's side of those files (also `[revert] keep-ours`).
    pub keep_ours: bool,
}

/// Everything computed for a request.
pub struct Prepared {
    pub loaded: Loaded,
    /// Releases marked bad in this environment (positions in `loaded.index.releases`).
    pub bad: Vec<usize>,
    /// Positions of the live release and the target in `loaded.index.releases`.
    pub from: usize,
    pub to: usize,
    /// The newest stable release older than the live one and not marked bad, whatever the
    /// target is (the guided flow labels it).
    pub previous_stable: Option<usize>,
    pub environment: EnvName,
    pub live: Side,
    pub target: Side,
    pub live_evidence: String,
    pub live_from_record: bool,
    /// No record names the live release: it is the newest stable release on the production
    /// branch. Said in the check header, the plan, the outcome and the record.
    pub live_assumed: bool,
    /// A target marked bad is allowed (`--allow-bad`, or confirmed in the guided flow).
    pub allow_bad: bool,
    pub production_branch: Option<String>,
    pub range: RangeFacts,
    /// What a revert of the range reverts, and what it leaves out.
    pub chain: Chain,
    /// The steps `range.revert` previewed (the chain, or the `--commit` subset), if any.
    pub previewed: Option<Vec<RevertStep>>,
    /// The production branch's tip, if there is one.
    pub tip: Option<Oid>,
    pub repo: RepoFacts,
    pub recommendation: Recommendation,
    pub report: Report,
    pub situation: Situation,
    pub migrations: Vec<Migration>,
    /// Whether the strategy was asked for (else the recommended one was judged).
    pub strategy_given: bool,
    /// Bookkeeping conflicts resolved with the tip's side (`--keep-ours` or config).
    pub keep_ours: bool,
}

impl Prepared {
    /// The view renderers take.
    pub fn view(&self) -> CheckView<'_> {
        CheckView {
            environment: &self.environment,
            live: &self.live,
            live_assumed: self.live_assumed,
            target: &self.target,
            strategy_given: self.strategy_given,
            report: &self.report,
            recommendation: &self.recommendation,
            situation: self.situation,
            range: &self.range,
            migrations: &self.migrations,
        }
    }
}

/// What lies between the `target` and `live` commits (and, with `tip`, after `live` on the
/// production branch), with the config's migration and config globs; the config files' diffs
/// only when `config_diffs` (the views that show them: JSON, `-v`, the report).
pub fn range_between(
    config: &Config,
    reader: &Reader,
    live: &Oid,
    target: &Oid,
    tip: Option<&Oid>,
    config_diffs: bool,
) -> CommandResult<RangeFacts> {
    let is_migration = |p: &str| config.migrations.is_match(p) && checklist::migrations::is_migration_file(p);
    let is_config = |p: &str| config.config_paths.is_match(p);
    Ok(reader.range_facts(&RangeRequest {
        live,
        target,
        tip,
        is_migration: &is_migration,
        is_config: &is_config,
        commit_limit: COMMIT_LIMIT,
        config_diffs,
    })?)
}

pub fn prepare(ctx: &Context, req: &Request) -> CommandResult<Prepared> {
    let loaded = ctx.load()?;
    checklist::validate_overrides(&loaded.config).map_err(|e| {
        CommandError::new(ErrorKind::Config, e).hint("every key, its default and an example: docs/configuration.md")
    })?;
    let reader = ctx.reader()?;
    let work_tree = reader.dirty_paths_in_background();
    let environment = ctx.environment(&loaded, req.env.as_deref())?;
    let resolver = Resolver::new(&loaded.index, reader);
    let component = component(ctx, &loaded, req)?;
    let branch = production_branch(&loaded.config, &loaded.state);
    let status = resolver.status(&environment, &component, branch, false)?;
    let (from, to) = pair::resolve(&resolver, &status, req.from.as_deref(), req.to.as_deref()).map_err(|e| {
        let hint = e.hint();
        CommandError::new(ErrorKind::Input, e.to_string()).hint(hint)
    })?;

    let duplicates: HashSet<usize> = loaded.index.duplicate_versions().into_iter().flatten().collect();
    let side = |i: usize| -> CommandResult<Side> {
        let release = &loaded.index.releases[i];
        let commit = resolver.release_commit(i).ok_or_else(|| {
            CommandError::new(
                ErrorKind::Input,
                format!("release tag `{}` does not point at a commit", release.entry.name),
            )
        })?;
        Ok(Side {
            tag: release.entry.name.clone(),
            commit,
            annotated: resolver.object(&release.entry).is_some_and(|o| o.annotation.is_some()),
            prerelease: release.is_prerelease(),
            bad: status.bad.contains(&i),
            duplicate: duplicates.contains(&i),
        })
    };
    let (live, target) = (side(from)?, side(to)?);
    let recorded = |l: &crate::ledger::Live| match &l.evidence {
        Evidence::Record { tag, kind, .. } => (format!("{} record {tag}", kind.as_str()), true),
        Evidence::Branch { name } => (format!("no record; the newest stable release on {name}"), false),
    };
    let (live_evidence, live_from_record) = match (&req.from, status.live.as_ref()) {
        // `--from` naming another release than the records' live one (a rollback run twice, a
        // stale runbook): say so instead of calling it live.
        (Some(_), Some(l)) if l.release != from && matches!(l.evidence, Evidence::Record { .. }) => (
            format!(
                "given with --from; the records say {} is live: {}",
                loaded.index.releases[l.release].entry.name,
                recorded(l).0
            ),
            false,
        ),
        (Some(_), _) => ("given with --from".to_owned(), true),
        (None, Some(l)) => recorded(l),
        (None, None) => unreachable!("pair::resolve refuses a missing live release"),
    };

    let live_assumed = req.from.is_none()
        && status
            .live
            .as_ref()
            .is_some_and(|l| matches!(l.evidence, Evidence::Branch { .. }));
    let tip = branch.map(|(_, tip)| *tip);
    let config_diffs = ctx.global.json || ctx.global.verbose > 0;
    let range = range_between(
        &loaded.config,
        reader,
        &live.commit,
        &target.commit,
        tip.as_ref(),
        config_diffs,
    )?;
    let chain = plan::chain::chain(&range);
    let repo = reader.repo_facts(branch, work_tree)?;
    let production_branch = branch.map(|(n, _)| n.to_owned());

    let migrations = checklist::migrations::classify_all(&range);
    let mut prepared = Prepared {
        environment,
        live,
        target,
        live_evidence,
        live_from_record,
        live_assumed,
        allow_bad: req.allow_bad,
        keep_ours: req.keep_ours || loaded.config.keep_ours,
        production_branch,
        range,
        chain,
        previewed: None,
        tip,
        repo,
        recommendation: plan::recommend(req.situation, &Default::default()),
        report: checklist::Report {
            strategy: Strategy::Deploy,
            items: Vec::new(),
        },
        situation: req.situation,
        migrations,
        strategy_given: req.strategy.is_some(),
        from,
        to,
        // pair::resolve already chose it when no --to was given.
        previous_stable: match req.to {
            None => Some(to),
            Some(_) => resolver.previous_stable(from, &status.bad),
        },
        bad: status.bad.clone(),
        loaded,
    };
    // The revert preview only where a revert is asked for or may be recommended.
    if matches!(req.strategy, None | Some(Strategy::Revert)) {
        prepared.preview(reader, &req.commits)?;
    }
    prepared.recommend(req.situation);
    prepared.judge(req.strategy);
    Ok(prepared)
}

/// `--commit` values that are not commits of the chain, as an input error.
fn subset_error(e: SubsetError, p: &Prepared) -> CommandError {
    match e {
        SubsetError::NotInChain(wanted) => CommandError::new(
            ErrorKind::Input,
            format!(
                "--commit {wanted} is not a commit the revert would undo (the path from {} down to {})",
                p.live.tag, p.target.tag
            ),
        )
        .hint("see the commits with: git rollback check -v"),
        SubsetError::Ambiguous(wanted) => CommandError::new(
            ErrorKind::Input,
            format!("--commit {wanted} is ambiguous; give more digits"),
        ),
    }
}

impl Prepared {
    /// The steps of a revert of `commits` (empty: the whole chain).
    pub fn steps(&self, commits: &[String]) -> CommandResult<Vec<RevertStep>> {
        if commits.is_empty() {
            Ok(self.chain.steps.clone())
        } else {
            self.chain.subset(commits).map_err(|e| subset_error(e, self))
        }
    }

    /// Previews the revert of `commits` (empty: the whole chain, checked against where the
    /// rollback must land) on the production branch tip, in memory, unless that preview is
    /// already there. Nothing to preview without a production branch or when the target is not
    /// an ancestor of the live release. The checklist must be judged again afterwards.
    pub fn preview(&mut self, reader: &Reader, commits: &[String]) -> CommandResult<()> {
        let steps = self.steps(commits)?;
        let Some(tip) = self.tip.filter(|_| self.range.target_is_ancestor) else {
            return Ok(());
        };
        if self.previewed.as_ref() == Some(&steps) {
            return Ok(());
        }
        self.range.revert = Some(self.preview_of(reader, &tip, commits, &steps)?);
        self.previewed = Some(steps);
        Ok(())
    }

    /// The preview of `steps` (those of `commits`) on `tip`; a whole-range one (no `--commit`)
    /// is checked against where the rollback must land.
    fn preview_of(
        &self,
        reader: &Reader,
        tip: &Oid,
        commits: &[String],
        steps: &[RevertStep],
    ) -> CommandResult<crate::model::range::RevertPreview> {
        let whole = commits.is_empty().then_some((&self.live.commit, &self.target.commit));
        let config = &self.loaded.config;
        let bookkeeping = |p: &str| config.bookkeeping.is_match(p);
        let keep: crate::git::KeepOurs<'_> = self.keep_ours.then_some(&bookkeeping);
        Ok(reader.revert_preview(tip, steps, whole, true, keep)?)
    }

    /// The checklist's input: the facts read once by `prepare`.
    fn input(&self) -> checklist::Input<'_> {
        checklist::Input {
            migrations: &self.migrations,
            config: &self.loaded.config,
            state: &self.loaded.state,
            repo: &self.repo,
            range: &self.range,
            chain: &self.chain,
            environment: &self.environment,
            live: &self.live,
            live_evidence: &self.live_evidence,
            live_from_record: self.live_from_record,
            target: &self.target,
            production_branch: self.production_branch.as_deref(),
            now: Timestamp::now(),
            allow_bad: self.allow_bad,
        }
    }

    /// The recommendation for `situation`, from the facts already read.
    pub fn recommend(&mut self, situation: Situation) {
        self.situation = situation;
        self.recommendation = plan::recommend(situation, &checklist::findings(&self.input()));
    }

    /// The checklist judged for `strategy` (the recommended one when `None`), from the facts
    /// already read: choosing another strategy reads nothing again.
    pub fn judge(&mut self, strategy: Option<Strategy>) {
        self.strategy_given = strategy.is_some();
        self.report = checklist::run(&self.input(), strategy.unwrap_or(self.recommendation.strategy));
    }
}

/// The component: `--component`, else that of `--from`/`--to`, else the default component (or
/// the only one that has releases).
fn component(ctx: &Context, loaded: &Loaded, req: &Request) -> CommandResult<Component> {
    if let Some(c) = ctx.component(&loaded.config, req.component.as_deref())? {
        return Ok(c);
    }
    for name in [&req.from, &req.to].into_iter().flatten() {
        if let Some(r) = loaded.index.releases.iter().find(|r| r.entry.name.as_str() == name) {
            return Ok(r.component.clone());
        }
    }
    let components = loaded.index.components();
    if components.contains(&Component::DEFAULT) || components.len() <= 1 {
        return Ok(components
            .into_iter()
            .find(|c| *c == Component::DEFAULT)
            .unwrap_or_else(|| {
                loaded
                    .index
                    .components()
                    .into_iter()
                    .next()
                    .unwrap_or(Component::DEFAULT)
            }));
    }
    let names: Vec<String> = components.iter().filter_map(|c| c.name().map(str::to_owned)).collect();
    Err(CommandError::new(
        ErrorKind::Usage,
        "--component is required: releases of several components exist",
    )
    .hint(format!("components: {}", names.join(", "))))
}

/// For a rollback outside the environment's release windows: a note saying so (rollbacks are
/// always allowed; windows only hold back deploys).
pub fn window_note(config: &crate::config::Config, env: &EnvName) -> Option<String> {
    let windows = &config.env_settings(env)?.windows;
    if crate::model::window::open(windows, Timestamp::now()) {
        return None;
    }
    let list: Vec<&str> = windows.iter().map(|w| w.text.as_str()).collect();
    Some(format!(
        "note: {env} is outside its release windows ({}); rollbacks are always allowed",
        list.join("; ")
    ))
}

/// What `plan`/`run` add to a request.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--commit`: revert only these commits of the range (ids or unique prefixes).
    pub commits: Vec<String>,
    pub advance_branch: bool,
    pub reset_branch: bool,
    pub reason: Option<String>,
    pub incident: Option<String>,
}

/// A reason or incident as given: one is required for a record, neither may hold escapes.
pub fn check_reason(reason: Option<&str>, required: bool) -> CommandResult<Option<String>> {
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() => {
            crate::model::trailers::validate_body(r)
                .map_err(|e| CommandError::new(ErrorKind::Input, format!("--reason is not recordable: {e}")))?;
            Ok(Some(r.to_owned()))
        }
        _ if required => Err(
            CommandError::new(ErrorKind::Input, "a reason is required and must not be empty")
                .hint("say why, for the post-mortem: --reason \"checkout errors after v1.4.0\""),
        ),
        _ => Ok(None),
    }
}

/// Builds the plan for a prepared request (pure planning over what was read).
pub fn make_plan(ctx: &Context, p: &Prepared, opts: &PlanOptions) -> CommandResult<crate::plan::Plan> {
    use crate::config::render_placeholders;
    use crate::ledger::tagging::{self, Bump};
    use crate::model::trailers;
    use crate::plan::{PlanInput, Point};

    let reader = ctx.reader()?;
    let loaded = &p.loaded;
    let config = &loaded.config;
    let strategy = p.report.strategy;
    let incident = match &opts.incident {
        Some(i) => {
            let t = crate::model::Trailer::new("Rollback-Incident", i.trim());
            trailers::validate(&t).map_err(|_| {
                CommandError::new(
                    ErrorKind::Input,
                    "--incident must be one line without control characters",
                )
            })?;
            Some(t.value)
        }
        None => None,
    };
    let reason = check_reason(opts.reason.as_deref(), false)?;
    let base = p
        .production_branch
        .as_deref()
        .and_then(|b| loaded.state.branch_tip(b).map(|tip| (b, tip)));

    // Which commits a revert reverts: the chain (the path down to the target, less what is
    // already undone), narrowed to --commit, less those whose revert changes nothing.
    let chosen = p.steps(&opts.commits)?;
    let preview_owned;
    let preview = match (&p.range.revert, &p.tip) {
        (Some(pv), _) if p.previewed.as_ref() == Some(&chosen) => Some(pv),
        (_, Some(tip)) if strategy == Strategy::Revert && p.range.target_is_ancestor => {
            preview_owned = p.preview_of(reader, tip, &opts.commits, &chosen)?;
            Some(&preview_owned)
        }
        _ => None,
    };
    let kept: Vec<RevertStep> = preview.map_or_else(|| chosen.clone(), |pv| pv.commits.clone());
    let infos = if matches!(strategy, Strategy::Revert) {
        let ids: Vec<Oid> = kept.iter().map(|s| s.commit).collect();
        reader.commits(&ids)?
    } else {
        Vec::new()
    };
    let mut empty = p.chain.empty.clone();
    if let Some(pv) = preview {
        empty.extend(pv.empty.iter().copied());
    }

    // Names.
    let (from_tag, to_tag) = (p.live.tag.as_str(), p.target.tag.as_str());
    let name_vars = [("from", from_tag), ("to", to_tag), ("env", p.environment.as_str())];
    let branch = match strategy {
        Strategy::Revert | Strategy::Branch => Some(render_placeholders(&config.branches.rollback, &name_vars, false)),
        Strategy::Hotfix => {
            let to = &loaded.index.releases[p.to];
            let newest = loaded
                .index
                .releases
                .iter()
                .find(|r| r.component == to.component)
                .map(|r| r.version.clone());
            let next = tagging::next_version(
                &loaded.index,
                &to.component,
                Bump::Patch,
                newest.as_ref(),
                Some(&to.version),
            )
            .map_err(|e| CommandError::new(ErrorKind::Input, e.to_string()))?;
            let tag = config
                .release_tag_name(&to.component, &next)
                .unwrap_or_else(|| next.to_string());
            let mut vars = name_vars.to_vec();
            vars.push(("tag", tag.as_str()));
            Some(render_placeholders(&config.branches.hotfix, &vars, false))
        }
        Strategy::Deploy | Strategy::Restore => None,
    };
    if let Some(b) = &branch
        && !crate::model::is_valid_tag_name(b)
    {
        return Err(
            CommandError::new(ErrorKind::Config, format!("the branch name `{b}` is not valid"))
                .hint("check [branches] in rollback.toml"),
        );
    }

    // The deployment layer's commands.
    let mut deploy_commands = Vec::new();
    if strategy == Strategy::Deploy
        && let Some(template) = config.rollback_command(&p.environment)
    {
        let (to_name, from_name) = (crate::model::TagName::new(to_tag), crate::model::TagName::new(from_tag));
        let (version, artifact) = crate::apply::driver::release_facts(reader, &loaded.index, &to_name);
        let target = crate::apply::driver::Target {
            env: &p.environment,
            release: &to_name,
            version: &version,
            commit: &p.target.commit,
            artifact: &artifact,
            from: Some(&from_name),
            reason: reason.as_deref().unwrap_or(""),
        };
        deploy_commands.push(crate::apply::driver::render(template, &target));
    }

    let input = PlanInput {
        strategy,
        environment: &p.environment,
        from: Point {
            tag: from_tag.to_owned(),
            commit: p.live.commit.to_string(),
            assumed_live: p.live_assumed,
        },
        to: Point {
            tag: to_tag.to_owned(),
            commit: p.target.commit.to_string(),
            assumed_live: false,
        },
        base,
        reverts: infos.iter().zip(kept.iter().map(|s| s.mainline)).collect(),
        skipped: p.chain.left_out(),
        empty,
        preview,
        branch,
        advance_branch: opts.advance_branch,
        reset_branch: opts.reset_branch,
        dirty_checkout: loaded
            .state
            .head
            .branch()
            .filter(|_| p.repo.dirty.as_ref().is_some_and(|d| !d.is_empty())),
        branches: &loaded.state.branches,
        env_pointer: reader.ref_value(&crate::plan::env_pointer(&p.environment))?,
        backup_ref: base
            .map(|(b, tip)| format!("refs/git-rollback/backup/{b}/{tip}"))
            .unwrap_or_default(),
        remote: &config.remote,
        deploy_commands,
        driver_step: match config.env_settings(&p.environment).and_then(|s| s.driver.as_ref()) {
            Some(crate::config::Driver::Symlink { root, .. }) => Some(format!(
                "switch {}/current back to releases/{} (the release-directory driver; --exec-deploy does it)",
                root.display(),
                crate::apply::symlink::dir_name(&crate::model::TagName::new(to_tag))
            )),
            _ => None,
        },
        restores: None,
        reason,
        incident,
        allow_bad: p.target.bad,
    };
    Ok(crate::plan::plan(&input)?)
}

impl From<&crate::cli::args::TargetArgs> for Request {
    fn from(t: &crate::cli::args::TargetArgs) -> Self {
        Request {
            env: t.env.clone(),
            component: t.component.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            strategy: t.strategy,
            situation: t.situation,
            allow_bad: t.allow_bad,
            commits: Vec::new(),
            keep_ours: t.keep_ours,
        }
    }
}

impl From<&crate::cli::args::StrategyArgs> for PlanOptions {
    fn from(h: &crate::cli::args::StrategyArgs) -> Self {
        PlanOptions {
            commits: h.commits.clone(),
            advance_branch: h.advance_branch,
            reset_branch: h.reset_branch,
            reason: h.reason.clone(),
            incident: h.incident.clone(),
        }
    }
}

/// Shows a plan, human or JSON, with the checklist items that block it (if any).
pub fn show_plan(ctx: &Context, plan: &crate::plan::Plan, blocked: &[checklist::Item]) -> CommandResult {
    if ctx.global.json {
        Ok(ctx.out.json_doc(plan)?)
    } else {
        Ok(ctx
            .out
            .data(&crate::render::outcome::plan_human(&ctx.out, plan, blocked))?)
    }
}

/// The checklist's refusal as an error: exit 1, each blocking item and its hint.
pub fn blocked(items: &[checklist::Item]) -> CommandError {
    let ids: Vec<&str> = items.iter().map(|i| i.id).collect();
    let mut e = CommandError::new(
        ErrorKind::No,
        format!(
            "the checklist blocks this rollback ({}); nothing was written",
            ids.join(", ")
        ),
    );
    for i in items {
        e = e.hint(format!("{}: {}", i.id, i.hint.as_deref().unwrap_or(&i.summary)));
    }
    e
}

/// Executes a checked plan and renders the outcome (shared by run, apply and restore).
pub fn execute_and_render(
    ctx: &Context,
    loaded: &Loaded,
    checked: checklist::Checked<crate::plan::Plan>,
    opts: &crate::apply::execute::Options<'_>,
) -> CommandResult {
    use crate::apply::execute::execute;
    let reader = ctx.reader()?;
    let who = reader.identity()?;
    let applied = execute(
        reader,
        &who,
        &loaded.config,
        &loaded.index,
        &loaded.state,
        checked,
        opts,
    )?;
    let mut plan = applied.outcome;
    if ctx.global.json {
        plan.schema = crate::render::outcome::OUTCOME_SCHEMA.to_owned();
        ctx.out
            .json_doc(&crate::render::outcome::outcome_doc(&plan, &applied.push))?;
    } else {
        for (cmd, output) in &applied.deploy_output {
            ctx.out.status(&format!("ran: {}", crate::ui::sanitize::line(cmd)));
            for line in output.lines() {
                ctx.out.status(&format!("  {}", crate::ui::sanitize::line(line)));
            }
        }
        ctx.out
            .data(&crate::render::outcome::outcome_human(&ctx.out, &plan, &applied.push))?;
        for w in &applied.warnings {
            ctx.out.warn(w);
        }
    }
    crate::cli::commands::writing::push_result(&applied.push)
}
