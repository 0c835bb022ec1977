//! `git rollback report <rollback-record>`: a Markdown post-mortem skeleton from the ledger.

use crate::checklist::migrations::classify_all;
use crate::cli::args::ReportArgs;
use crate::cli::commands::show;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::cli::rollback::range_between;
use crate::ledger::Resolver;
use crate::ledger::history::{self, Filter};
use crate::ledger::story::Story;
use crate::model::{RecordKind, TagName};
use crate::render::report::{self, Between, ReportView};

pub fn run(ctx: &Context, args: &ReportArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let reader = ctx.reader()?;
    let resolver = Resolver::new(&loaded.index, reader);
    let not_rollback = |what: String| {
        CommandError::new(ErrorKind::Input, what).hint("list the rollbacks with: git rollback history --kind rollback")
    };
    let story = match show::find(&loaded, &resolver, &args.record)? {
        Story::Record(s) if s.record.kind == RecordKind::Rollback => s,
        Story::Malformed(m, _) => {
            return Err(not_rollback(format!(
                "`{}` is named like a record but cannot be read as one: {}",
                args.record, m.problem
            )));
        }
        _ => return Err(not_rollback(format!("`{}` is not a rollback record", args.record))),
    };
    let view = show::record_view(&loaded, reader, &story);
    let event = &story.event;
    let from = event.from.clone().unwrap_or_else(|| TagName::new(""));
    let to = event.to.clone().unwrap_or_else(|| TagName::new(""));

    // The from-release and every record about it, in every environment.
    let filter = Filter {
        release: Some(from.clone()),
        ..Filter::default()
    };
    let timeline = history::timeline(&resolver, &filter).events;
    let position = |t: &TagName| loaded.index.release_position(t);

    let commit = |t: &TagName| position(t).and_then(|i| resolver.release_commit(i));
    let between = match (commit(&from), commit(&to)) {
        (Some(f), Some(t)) => {
            let range = range_between(&loaded.config, reader, &f, &t, None, true)?;
            let migrations = classify_all(&range);
            Between::Known {
                range: Box::new(range),
                migrations,
            }
        }
        (None, _) => Between::Unknown(format!("release tag `{from}` is not found here")),
        (_, None) => Between::Unknown(format!("release tag `{to}` is not found here")),
    };
    let view = ReportView {
        rollback: &view,
        timeline,
        between,
    };
    let warnings = ctx.ledger_warnings(&loaded, &resolver.problems());
    if ctx.global.json {
        let plain = warnings.into_iter().map(|(w, _)| w).collect();
        return Ok(ctx.out.json_doc(&report::doc(&view, plain))?);
    }
    ctx.print_warnings(&warnings);
    Ok(ctx.out.data(&report::markdown(&view))?)
}
