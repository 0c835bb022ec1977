//! `git rollback history`: the timeline of releases, deploys, rollbacks and restores.

use crate::cli::args::HistoryArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::ledger::Resolver;
use crate::ledger::history::{self, Filter};
use crate::model::{TagName, Timestamp};
use crate::render::history as render;
use crate::render::json::{EventDto, HISTORY_SCHEMA, HistoryDoc, MalformedDto};

/// `--since`/`--until` as a time; a date names its first (or, for `--until`, last) second.
pub fn time_bound(flag: &str, text: &str, now: Timestamp, end_of_day: bool) -> CommandResult<Timestamp> {
    Timestamp::parse_bound(text, now, end_of_day).ok_or_else(|| {
        CommandError::new(ErrorKind::Input, format!("{flag} `{text}` is not a time"))
            .hint(format!("use a date ({flag} 2026-01-15), an RFC 3339 time ({flag} 2026-01-15T09:30:00Z) or an age ({flag} 7d; units m, h, d, w)"))
    })
}

pub fn run(ctx: &Context, args: &HistoryArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let now = Timestamp::now();
    let since = args
        .since
        .as_deref()
        .map(|s| time_bound("--since", s, now, false))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| time_bound("--until", s, now, true))
        .transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s.seconds > u.seconds
    {
        return Err(CommandError::new(
            ErrorKind::Input,
            format!("--since {} is after --until {}", s.rfc3339(), u.rfc3339()),
        ));
    }
    let environment = match &args.env {
        Some(name) => Some(ctx.environment(&loaded, Some(name))?),
        None => None,
    };
    let release = match &args.release {
        Some(name) => {
            let tag = TagName::new(name.strip_prefix("refs/tags/").unwrap_or(name));
            if loaded.index.release_position(&tag).is_none() {
                return Err(
                    CommandError::new(ErrorKind::Input, format!("`{name}` is not a release tag"))
                        .hint("list the releases with: git rollback releases"),
                );
            }
            Some(tag)
        }
        None => None,
    };
    let filter = Filter {
        environment,
        since,
        until,
        release,
        kinds: args.kind.clone(),
        limit: args.limit.map(|n| n as usize),
    };
    let resolver = Resolver::new(&loaded.index, ctx.reader()?);
    let timeline = history::timeline(&resolver, &filter);

    let warnings = ctx.ledger_warnings(&loaded, &resolver.problems());
    if ctx.global.json {
        let doc = HistoryDoc {
            schema: HISTORY_SCHEMA,
            events: timeline.events.iter().map(EventDto::from).collect(),
            malformed: timeline.malformed.iter().map(MalformedDto::from).collect(),
            omitted: timeline.omitted,
            warnings: warnings.into_iter().map(|(w, _)| w).collect(),
        };
        return Ok(ctx.out.json_doc(&doc)?);
    }
    ctx.print_warnings(&warnings);
    if timeline.events.is_empty() && timeline.malformed.is_empty() {
        ctx.out
            .status(if loaded.index.releases.is_empty() && loaded.index.records.is_empty() {
                "No releases or records: the ledger is empty."
            } else {
                "No events match."
            });
        return Ok(());
    }
    if args.markdown {
        ctx.out.data(&render::markdown(&timeline))?;
    } else {
        ctx.out.data(&render::table(&ctx.out, &timeline))?;
    }
    if timeline.omitted > 0 {
        ctx.out.status(&format!(
            "… {} earlier event{} not shown (--limit)",
            timeline.omitted,
            if timeline.omitted == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}
