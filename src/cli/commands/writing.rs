//! What the writing commands (`tag`, `deployed`) share: the identity, the pre-record policy,
//! checks of free text and trailer values, and turning a write outcome into an exit status.

use crate::apply::Push;
use crate::cli::args::WriteArgs;
use crate::cli::context::{Context, Loaded};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::ledger::Resolver;
use crate::ledger::policy::{self, PolicyInput};
use crate::model::trailers::{self, Trailer};
use crate::model::{Identity, Oid};
use crate::render::write::WriteView;

/// The user's identity, refused before anything is computed or written.
pub fn identity(ctx: &Context) -> CommandResult<Identity> {
    Ok(ctx.reader()?.identity()?)
}

/// Refuses (exit 1) when the repository is mid-operation or `commit` is on no release branch.
pub fn check_policy(loaded: &Loaded, resolver: &Resolver<'_>, commit: &Oid, allow_off_branch: bool) -> CommandResult {
    let (all, containing) = resolver.release_branches(&loaded.config, &loaded.state, commit)?;
    let blockers = policy::pre_record(&PolicyInput {
        operation: loaded.state.operation.as_deref(),
        commit: commit.as_str(),
        on_branches: containing,
        release_branches: all,
        allow_off_branch,
    });
    let Some(first) = blockers.first() else { return Ok(()) };
    let mut err = CommandError::new(ErrorKind::No, format!("{}; nothing was written", first.message));
    for b in &blockers[1..] {
        err = err.hint(format!("also: {}", b.message));
    }
    for b in &blockers {
        for h in &b.hints {
            err = err.hint(h.clone());
        }
    }
    Err(err)
}

/// Notes joined as paragraphs, each checked (line breaks allowed, escapes refused).
pub fn body(flag: &str, notes: &[String]) -> CommandResult<String> {
    for n in notes {
        trailers::validate_body(n)
            .map_err(|e| CommandError::new(ErrorKind::Input, format!("{flag} is not recordable: {e}")))?;
    }
    Ok(notes
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n"))
}

/// `key: value` trailers from repeated flags, refused if a value holds a line break or escape.
pub fn trailer_values(flag: &str, key: &str, values: &[String]) -> CommandResult<Vec<Trailer>> {
    values
        .iter()
        .map(|v| {
            let t = Trailer::new(key, v.trim());
            trailers::validate(&t).map(|()| t).map_err(|_| {
                CommandError::new(
                    ErrorKind::Input,
                    format!(
                        "{flag} `{}` contains a line break or control character",
                        v.escape_debug()
                    ),
                )
                .hint("trailer values are one line; put longer text in --note")
            })
        })
        .collect()
}

/// A failed push after a successful local write: exit 3, saying exactly what to retry.
pub fn push_result(push: &Push) -> CommandResult {
    match push {
        Push::Failed { remote, message, retry } => Err(CommandError::new(
            ErrorKind::Repository,
            format!("the push to `{remote}` failed; the local write stands"),
        )
        .with_source(std::io::Error::other(message.clone()))
        .hint(format!("retry with: {retry}"))),
        _ => Ok(()),
    }
}

/// Writes one tag (unless `--dry-run`) and pushes it when asked: the write step `tag` and
/// `deployed` share. `None` in a dry run.
pub fn write(
    ctx: &Context,
    loaded: &Loaded,
    who: &Identity,
    new: &crate::model::NewTag,
    reflog: &str,
    sign: bool,
    how: &WriteArgs,
) -> CommandResult<Option<crate::apply::Written>> {
    if how.dry_run {
        return Ok(None);
    }
    let push_to = how.push.then_some(loaded.config.remote.as_str());
    Ok(Some(crate::apply::write_tags(
        ctx.reader()?,
        who,
        std::slice::from_ref(new),
        reflog,
        sign,
        push_to,
    )?))
}

/// Shows what was written (`doc` in JSON mode) and turns a failed push into exit 3.
pub fn show(ctx: &Context, view: &WriteView<'_>, doc: &impl serde::Serialize) -> CommandResult {
    if ctx.global.json {
        ctx.out.json_doc(doc)?;
    } else {
        ctx.out.data(&crate::render::write::human(&ctx.out, view))?;
        crate::render::write::next_steps(&ctx.out, view);
    }
    view.written.map_or(Ok(()), |w| push_result(&w.push))
}

/// Refuses a writer `[policy] allow` does not list.
pub fn check_allowed(config: &crate::config::Config, who: &Identity, what: &str) -> CommandResult {
    if config.allows(&who.person) {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorKind::No,
        format!(
            "{} may not {what}: `[policy] allow` in rollback.toml does not list them; nothing was written",
            who.person
        ),
    )
    .hint("ask someone listed there, or add the identity (docs/configuration.md)"))
}
