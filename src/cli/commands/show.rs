//! `git rollback show <name>`: one record or release in full.

use crate::cli::args::ShowArgs;
use crate::cli::context::{Context, Loaded};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::git::Reader;
use crate::ledger::story::{self, RecordStory, Story};
use crate::ledger::views::release_info;
use crate::ledger::{Resolver, production_branch};
use crate::model::{Oid, TagName};
use crate::render::show::{self, CommitLine, RecordView, ReleaseView, ShowDoc};

/// The commits named by a record, with what this repository knows of each.
pub fn commit_lines(reader: &Reader, ids: &[String]) -> Vec<CommitLine> {
    ids.iter()
        .map(|id| CommitLine {
            id: id.clone(),
            info: Oid::parse(id)
                .ok()
                .and_then(|oid| reader.commits(&[oid]).ok())
                .and_then(|mut v| v.pop()),
        })
        .collect()
}

/// The record view of `story`: its commits and its branch as they are now.
pub fn record_view<'a>(loaded: &'a Loaded, reader: &Reader, story: &'a RecordStory) -> RecordView<'a> {
    RecordView {
        story,
        reverted: commit_lines(reader, &story.reverted),
        created: commit_lines(reader, &story.created),
        branch: story
            .branch
            .as_deref()
            .map(|name| (name, loaded.state.branch_tip(name))),
    }
}

/// Looks `given` up as a record or release; a clear error when it is neither.
pub fn find(loaded: &Loaded, resolver: &Resolver<'_>, given: &str) -> CommandResult<Story> {
    let name = TagName::new(given.strip_prefix("refs/tags/").unwrap_or(given));
    let environments = loaded.index.environments(&loaded.config);
    if let Some(story) = story::find(resolver, &name, &environments) {
        return Ok(story);
    }
    let error = if loaded.index.other.contains(&name) {
        CommandError::new(
            ErrorKind::Input,
            format!("tag `{given}` is neither a release nor a record of this tool"),
        )
        .hint("releases match [release] in rollback.toml; records are named by [records] (docs/record-format.md)")
    } else {
        CommandError::new(ErrorKind::Input, format!("no release or record is named `{given}`"))
    };
    Err(error.hint("list them with: git rollback history"))
}

/// Prints the ledger warnings (human mode) and returns them for a JSON document.
fn warnings(ctx: &Context, loaded: &Loaded, resolver: &Resolver<'_>) -> Vec<String> {
    let warnings = ctx.ledger_warnings(loaded, &resolver.problems());
    if !ctx.global.json {
        ctx.print_warnings(&warnings);
    }
    warnings.into_iter().map(|(w, _)| w).collect()
}

pub fn run(ctx: &Context, args: &ShowArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let reader = ctx.reader()?;
    let resolver = Resolver::new(&loaded.index, reader);
    let json = ctx.global.json;
    let text = match find(&loaded, &resolver, &args.name)? {
        Story::Record(s) => {
            let view = record_view(&loaded, reader, &s);
            let warnings = warnings(ctx, &loaded, &resolver);
            if json {
                return Ok(ctx.out.json_doc(&ShowDoc::record(&view, &s.message, warnings))?);
            }
            if args.markdown {
                show::record_markdown(&view)
            } else {
                show::record_human(&ctx.out, &view)
            }
        }
        Story::Release(s) => {
            let branch = production_branch(&loaded.config, &loaded.state);
            let statuses = resolver.statuses(&loaded.index.environments(&loaded.config), branch, false)?;
            let duplicate = loaded
                .index
                .duplicate_versions()
                .iter()
                .flatten()
                .any(|i| *i == s.position);
            let info = release_info(&resolver, s.position, &statuses, duplicate);
            let view = ReleaseView { info: &info, story: &s };
            let warnings = warnings(ctx, &loaded, &resolver);
            if json {
                return Ok(ctx.out.json_doc(&ShowDoc::release(&view, warnings))?);
            }
            if args.markdown {
                show::release_markdown(&view)
            } else {
                show::release_human(&ctx.out, &view)
            }
        }
        Story::Malformed(m, message) => {
            let warnings = warnings(ctx, &loaded, &resolver);
            if json {
                return Ok(ctx.out.json_doc(&ShowDoc::malformed(&m, &message, warnings))?);
            }
            if args.markdown {
                show::malformed_markdown(&m, &message)
            } else {
                show::malformed_human(&m, &message)
            }
        }
    };
    Ok(ctx.out.data(&text)?)
}
