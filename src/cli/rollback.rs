//! Preparing a rollback request: read the snapshot it needs (the pair of releases, the range
//! between them, the repository around them), run the checklist and the recommendation. Shared
//! by `check` and, later, `plan`, `run` and the guided flow, so they all see the same answer.

use std::collections::HashSet;

use super::context::{Context, Loaded};
use super::error::{CommandError, CommandResult, ErrorKind};
use crate::checklist::migrations::Migration;
use crate::checklist::{self, Report, Side};
use crate::git::range::RangeRequest;
use crate::ledger::{Evidence, Resolver, pair, production_branch};
use crate::model::range::{RangeFacts, RepoFacts};
use crate::model::{Component, EnvName, RecordKind, Timestamp};
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
}

/// Everything computed for a request.
pub struct Prepared {
    pub loaded: Loaded,
    pub environment: EnvName,
    pub live: Side,
    pub target: Side,
    pub live_evidence: String,
    pub production_branch: Option<String>,
    pub range: RangeFacts,
    pub repo: RepoFacts,
    pub recommendation: Recommendation,
    pub report: Report,
    pub situation: Situation,
    pub migrations: Vec<Migration>,
    /// Whether the strategy was asked for (else the recommended one was judged).
    pub strategy_given: bool,
}

impl Prepared {
    /// The view renderers take.
    pub fn view(&self) -> CheckView<'_> {
        CheckView {
            environment: &self.environment,
            live: &self.live,
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

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Timestamp::utc(secs)
}

pub fn prepare(ctx: &Context, req: &Request) -> CommandResult<Prepared> {
    let loaded = ctx.load()?;
    checklist::validate_overrides(&loaded.config).map_err(|e| {
        CommandError::new(ErrorKind::Config, e).hint("every key, its default and an example: docs/configuration.md")
    })?;
    let reader = ctx.reader()?;
    let environment = ctx.environment(&loaded, req.env.as_deref())?;
    let resolver = Resolver::new(&loaded.index, reader);
    let component = component(ctx, &loaded, req)?;
    let branch = production_branch(&loaded.config, &loaded.state);
    let status = resolver.status(&environment, &component, branch)?;
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
    let (live_evidence, live_from_record) = match (&req.from, status.live.as_ref()) {
        (Some(_), _) => ("given with --from".to_owned(), true),
        (None, Some(l)) => match &l.evidence {
            Evidence::Record { tag, kind, .. } => {
                let what = match kind {
                    RecordKind::Deploy => "deploy",
                    RecordKind::Rollback => "rollback",
                    RecordKind::Restore => "restore",
                };
                (format!("{what} record {tag}"), true)
            }
            Evidence::Branch { name } => (format!("no record; the newest stable release on {name}"), false),
        },
        (None, None) => unreachable!("pair::resolve refuses a missing live release"),
    };

    let config = &loaded.config;
    let is_migration = |p: &str| config.migrations.is_match(p);
    let is_config = |p: &str| config.config_paths.is_match(p);
    let tip = branch.map(|(_, tip)| *tip);
    let mut range = reader.range_facts(&RangeRequest {
        live: &live.commit,
        target: &target.commit,
        tip: tip.as_ref(),
        is_migration: &is_migration,
        is_config: &is_config,
        commit_limit: COMMIT_LIMIT,
    })?;
    if let Some(tip) = &tip
        && range.target_is_ancestor
    {
        let reverted: Vec<_> = checklist::already_reverted(&range)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        let commits: Vec<_> = range
            .first_parent
            .iter()
            .filter(|c| !reverted.contains(c))
            .cloned()
            .collect();
        range.revert = Some(reader.revert_preview(tip, &commits)?);
    }
    let repo = reader.repo_facts(branch)?;
    let production_branch = branch.map(|(n, _)| n.to_owned());

    let input = checklist::Input {
        config,
        state: &loaded.state,
        repo: &repo,
        range: &range,
        environment: &environment,
        live: &live,
        live_evidence: &live_evidence,
        live_from_record,
        target: &target,
        production_branch: production_branch.as_deref(),
        now: now(),
    };
    let recommendation = plan::recommend(req.situation, &checklist::findings(&input));
    let report = checklist::run(&input, req.strategy.unwrap_or(recommendation.strategy));
    let migrations = checklist::migrations::classify_all(&input);
    Ok(Prepared {
        environment,
        live,
        target,
        live_evidence,
        production_branch,
        range,
        repo,
        recommendation,
        report,
        situation: req.situation,
        migrations,
        strategy_given: req.strategy.is_some(),
        loaded,
    })
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
