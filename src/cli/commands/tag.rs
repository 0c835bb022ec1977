//! `git rollback tag <version> | --bump PART`: create an annotated release tag.

use crate::cli::args::TagArgs;
use crate::cli::commands::writing;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::ledger::Resolver;
use crate::ledger::tagging::{self, TagRefusal};
use crate::model::trailers::{self, Trailer};
use crate::model::{Component, NewTag};
use crate::render::write::{self, WriteView};

pub fn run(ctx: &Context, args: &TagArgs) -> CommandResult {
    let loaded = ctx.load()?;
    let component = ctx
        .component(&loaded.config, args.component.as_deref())?
        .unwrap_or(Component::DEFAULT);
    let reader = ctx.reader()?;
    let who = writing::identity(ctx)?;
    writing::check_allowed(&loaded.config, &who, "tag releases")?;
    let commit = reader.resolve_commit(&args.rev)?.ok_or_else(|| {
        CommandError::new(
            ErrorKind::Input,
            format!("`{}` is not a revision in this repository", args.rev),
        )
        .hint("give a commit, branch or tag with --rev (default: HEAD)")
    })?;
    let resolver = Resolver::new(&loaded.index, reader);

    let version = match (&args.new_version, args.bump) {
        (Some(v), _) => tagging::parse_version(v).map_err(refusal)?,
        (None, Some(bump)) => {
            let newest = loaded
                .index
                .releases
                .iter()
                .find(|r| r.component == component)
                .map(|r| r.version.clone());
            let line = resolver
                .newest_reachable(&component, &commit, &args.rev, |_| true)?
                .map(|i| loaded.index.releases[i].version.clone());
            tagging::next_version(&loaded.index, &component, bump, newest.as_ref(), line.as_ref()).map_err(refusal)?
        }
        (None, None) => unreachable!("clap requires a version or --bump"),
    };
    let release = tagging::check_new_release(&loaded.index, &loaded.config, &component, version).map_err(refusal)?;
    writing::check_policy(&loaded, &resolver, &commit, args.write.allow_off_branch)?;

    let subject = args
        .message
        .clone()
        .unwrap_or_else(|| format!("Release {}", release.tag));
    if subject.trim().is_empty() || subject.contains('\n') || trailers::validate_body(&subject).is_err() {
        return Err(CommandError::new(
            ErrorKind::Input,
            "the subject (-m) must be one non-empty line without control characters",
        ));
    }
    let body = writing::body("--note", &args.note)?;
    let mut t: Vec<Trailer> = writing::trailer_values("--migration", "Migration", &args.migration)?;
    t.extend(writing::trailer_values(
        "--config-change",
        "Config",
        &args.config_change,
    )?);
    t.extend(writing::trailer_values("--artifact", "Artifact", &args.artifact)?);
    let message = trailers::format_message(&subject, &body, &t)
        .map_err(|e| CommandError::new(ErrorKind::Input, e.to_string()))?;
    let new = NewTag {
        name: release.tag.clone(),
        target: commit,
        message,
    };

    for w in &release.warnings {
        ctx.out.warn(w);
    }
    let remote = loaded.config.remote.as_str();
    let written = writing::write(ctx, &loaded, &who, &new, "git-rollback: tag", args.sign, &args.write)?;
    let view = WriteView {
        what: "release tag",
        tag: &new,
        version: Some(release.version.to_string()),
        component: &component,
        environment: None,
        signed: args.sign,
        who: &who,
        written: written.as_ref(),
        remote,
        warnings: &release.warnings,
    };
    let doc = write::tag_doc(&view);
    writing::show(ctx, &view, &doc)
}

fn refusal(r: TagRefusal) -> CommandError {
    let (kind, hint) = match &r {
        TagRefusal::Exists { .. } => (
            ErrorKind::No,
            "choose another version, or --bump to take the next free one".to_owned(),
        ),
        TagRefusal::Malformed { .. } | TagRefusal::BadName { .. } => (
            ErrorKind::Input,
            "versions look like 1.4.0 or 1.4.0-rc.1 (https://semver.org)".to_owned(),
        ),
        TagRefusal::NoTemplate { component } => (
            ErrorKind::Config,
            format!(
                "set components.{}.tag-template in rollback.toml, e.g. \"web/v{{version}}\"",
                component.name().unwrap_or("?")
            ),
        ),
        TagRefusal::Inconsistent { .. } => (
            ErrorKind::Config,
            "make tag-template produce names the release pattern matches (docs/configuration.md)".to_owned(),
        ),
        TagRefusal::NothingToBump { .. } => (
            ErrorKind::Input,
            "give the first version explicitly: git rollback tag 0.1.0".to_owned(),
        ),
    };
    CommandError::new(kind, format!("{r}; nothing was written")).hint(hint)
}
