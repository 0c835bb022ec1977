//! `git rollback releases`: releases newest version first, with their flags.

use std::collections::HashSet;

use crate::cli::args::ReleasesArgs;
use crate::cli::context::Context;
use crate::cli::error::CommandResult;
use crate::ledger::views::release_info;
use crate::ledger::{Resolver, production_branch};
use crate::render::json::{RELEASES_SCHEMA, ReleaseDto, ReleasesDoc};
use crate::render::{releases, warnings};

/// Shown without `--all` or `--limit`.
pub const DEFAULT_LIMIT: usize = 20;

pub fn run(ctx: &Context, args: &ReleasesArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let component = ctx.component(&loaded.config, args.component.as_deref())?;
    let resolver = Resolver::new(&loaded.index, ctx.reader()?);
    let branch = production_branch(&loaded.config, &loaded.state);
    let envs = loaded.index.environments(&loaded.config);
    let statuses = resolver.statuses(&envs, branch, false)?;

    let duplicates: HashSet<usize> = loaded.index.duplicate_versions().into_iter().flatten().collect();
    let matching: Vec<usize> = (0..loaded.index.releases.len())
        .filter(|i| {
            component
                .as_ref()
                .is_none_or(|c| &loaded.index.releases[*i].component == c)
        })
        .collect();
    let limit = if args.all {
        usize::MAX
    } else {
        args.limit.unwrap_or(DEFAULT_LIMIT)
    };
    let shown: Vec<_> = matching
        .iter()
        .take(limit)
        .map(|i| release_info(&resolver, *i, &statuses, duplicates.contains(i)))
        .collect();
    let omitted = matching.len() - shown.len();

    let warnings = ctx.ledger_warnings(&loaded, &resolver.problems());
    if ctx.global.json {
        let doc = ReleasesDoc {
            schema: RELEASES_SCHEMA,
            releases: shown.iter().map(ReleaseDto::from).collect(),
            omitted,
            warnings: warnings.into_iter().map(|(w, _)| w).collect(),
        };
        return Ok(ctx.out.json_doc(&doc)?);
    }
    ctx.print_warnings(&warnings);
    if ctx.global.verbose > 0
        && let Some(other) = warnings::other_tags(&loaded.index)
    {
        ctx.out.status(&other);
    }
    if shown.is_empty() {
        if !loaded.state.has_commits() {
            ctx.out.status("No releases: this repository has no commits yet.");
        } else if component.is_some() {
            ctx.out.status("No releases of this component.");
        } else {
            ctx.out.status("No release tags found.");
            ctx.out
                .hint("create the first release with: git tag -a v0.1.0 -m \"Release v0.1.0\"");
        }
        return Ok(());
    }
    let with_component = loaded.index.components().iter().any(|c| c.name().is_some());
    ctx.out.data(&releases::table(&ctx.out, &shown, with_component))?;
    if omitted > 0 {
        ctx.out.status(&format!(
            "… {omitted} older release{} not shown (--all or --limit N)",
            if omitted == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}
