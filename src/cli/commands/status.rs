//! `git rollback status`: per environment, what is live, the previous stable release, bad
//! releases and unreleased commits.

use crate::cli::args::StatusArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;
use crate::ledger::views::status_info;
use crate::ledger::{Resolver, production_branch};
use crate::render::json::{BranchDto, EnvDto, STATUS_SCHEMA, StatusDoc};
use crate::render::status;

pub fn run(ctx: &Context, args: &StatusArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let component = ctx.component(&loaded.config, args.component.as_deref())?;
    let mut envs = loaded.index.environments(&loaded.config);
    if let Some(name) = &args.env {
        envs = vec![ctx.environment(&loaded, Some(name))?];
    }
    let resolver = Resolver::new(&loaded.index, ctx.reader()?);
    let branch = production_branch(&loaded.config, &loaded.state);
    let statuses: Vec<_> = resolver
        .statuses(&envs, branch, true)?
        .into_iter()
        .filter(|s| component.as_ref().is_none_or(|c| &s.component == c))
        .collect();
    let infos: Vec<_> = statuses.iter().map(|s| status_info(&resolver, s)).collect();

    let mut warnings = ctx.ledger_warnings(&loaded, &resolver.problems());
    if branch.is_none() && loaded.state.has_commits() {
        let name = loaded.config.production_branch.as_deref().unwrap_or("main");
        warnings.push((
            format!("the production branch `{name}` does not exist; live releases cannot be inferred from it"),
            Some("set production-branch in rollback.toml (docs/configuration.md)".into()),
        ));
    }
    if ctx.global.json {
        let doc = StatusDoc {
            schema: STATUS_SCHEMA,
            production_branch: branch.map(|(name, commit)| BranchDto {
                name,
                commit: commit.as_str(),
            }),
            environments: infos.iter().map(EnvDto::from).collect(),
            warnings: warnings.into_iter().map(|(w, _)| w).collect(),
        };
        return Ok(ctx.out.json_doc(&doc)?);
    }
    ctx.print_warnings(&warnings);
    if loaded.index.releases.is_empty() {
        if !loaded.state.has_commits() {
            ctx.out.status("No releases: this repository has no commits yet.");
        } else {
            ctx.out.status("No release tags found, so nothing is known to be live.");
            ctx.out
                .hint("create the first release with: git tag -a v0.1.0 -m \"Release v0.1.0\"");
        }
        return Ok(());
    }
    let with_component = loaded.index.components().iter().any(|c| c.name().is_some());
    ctx.out.data(&status::blocks(
        &ctx.out,
        &infos,
        branch.map(|(n, _)| n),
        with_component,
    ))?;
    Ok(())
}
