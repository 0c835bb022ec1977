//! `git rollback deployed <release> --env E`: write a deploy record.

use crate::cli::args::{DeployedArgs, WriteArgs};
use crate::cli::commands::writing;
use crate::cli::context::{Context, Loaded};
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::config::Config;
use crate::ledger::compose::{self, DeployFacts};
use crate::ledger::{Resolver, tagging};
use crate::model::{Component, EnvName, Identity, Oid, TagName, Timestamp, trailers, window};
use crate::render::write::{self, WriteView};

pub fn run(ctx: &Context, args: &DeployedArgs) -> CommandResult {
    let checked = check(ctx, args)?;
    record(ctx, checked, &args.write, "deployed")
}

/// A deploy record about to be written: everything checked, the facts gathered.
pub struct Checked {
    pub loaded: Loaded,
    pub who: Identity,
    pub env: EnvName,
    pub release: usize,
    pub commit: Oid,
    pub time: Timestamp,
    pub facts: DeployFacts,
}

impl Checked {
    pub fn tag(&self) -> &TagName {
        &self.loaded.index.releases[self.release].entry.name
    }
}

/// Checks a deploy of `args.release` to `args.env` at `time`: the identity is allowed, the
/// release is not bad (or `--allow-bad`), it is on a release branch, and the environment's
/// release window is open (or `--outside-window` says why not).
pub fn check(ctx: &Context, args: &DeployedArgs) -> CommandResult<Checked> {
    let loaded = ctx.load()?;
    let reader = ctx.reader()?;
    let who = writing::identity(ctx)?;
    writing::check_allowed(&loaded.config, &who, "record deploys")?;
    let env = ctx.environment(&loaded, args.env.as_deref())?;
    let component = ctx.component(&loaded.config, args.component.as_deref())?;
    let index = find_release(&loaded, &args.release, component.as_ref())?;
    let release = &loaded.index.releases[index];
    let resolver = Resolver::new(&loaded.index, reader);
    let commit = resolver.release_commit(index).ok_or_else(|| {
        CommandError::new(
            ErrorKind::Input,
            format!("release tag `{}` does not point at a commit", release.entry.name),
        )
    })?;

    let bad = resolver.bad_releases(&env, &release.component).contains(&index);
    if bad && !args.allow_bad {
        return Err(CommandError::new(
            ErrorKind::No,
            format!(
                "{} is marked bad in {env} by a rollback record; nothing was written",
                release.entry.name
            ),
        )
        .hint("see why: git rollback status")
        .hint("if it was fixed and redeployed on purpose, record it with --allow-bad (the record says so)"));
    }
    writing::check_policy(&loaded, &resolver, &commit, args.write.allow_off_branch)?;

    let time = match &args.at {
        None => who.time,
        Some(text) => {
            let at = Timestamp::parse(text).ok_or_else(|| {
                CommandError::new(ErrorKind::Input, format!("--at `{text}` is not an RFC 3339 time"))
                    .hint("e.g. --at 2026-11-22T09:30:00Z or --at 2026-11-22T10:30:00+01:00")
            })?;
            if at.seconds > who.time.seconds + 60 {
                return Err(CommandError::new(
                    ErrorKind::Input,
                    format!("--at {} is in the future", at.rfc3339()),
                ));
            }
            at
        }
    };
    let outside_window = check_window(&loaded.config, &env, time, args.outside_window.as_deref())?;
    let artifacts = if args.artifact.is_empty() {
        let annotation = resolver.object(&release.entry).and_then(|o| o.annotation);
        let own = annotation.map(|a| a.trailers()).unwrap_or_default();
        trailers::find_all(&own, "Artifact").map(str::to_owned).collect()
    } else {
        args.artifact.clone()
    };
    let artifacts: Vec<String> = writing::trailer_values("--artifact", "Deploy-Artifact", &artifacts)?
        .into_iter()
        .map(|t| t.value)
        .collect();
    let facts = DeployFacts {
        artifacts,
        note: writing::body("--note", &args.note)?,
        backfilled: args.at.is_some(),
        allowed_bad: bad,
        outside_window,
        driver: None,
    };
    Ok(Checked {
        loaded,
        who,
        env,
        release: index,
        commit,
        time,
        facts,
    })
}

/// The release windows of `env` at `time`: open, or closed with `--outside-window <reason>`
/// (returned, for the record); closed without it is refused.
pub fn check_window(
    config: &Config,
    env: &EnvName,
    time: Timestamp,
    reason: Option<&str>,
) -> CommandResult<Option<String>> {
    let windows = config
        .env_settings(env)
        .map(|s| s.windows.as_slice())
        .unwrap_or_default();
    if window::open(windows, time) {
        return Ok(None);
    }
    let list: Vec<&str> = windows.iter().map(|w| w.text.as_str()).collect();
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() => {
            let t = writing::trailer_values("--outside-window", "Deploy-Outside-Window", &[r.to_owned()])?;
            Ok(t.into_iter().next().map(|t| t.value))
        }
        _ => Err(CommandError::new(
            ErrorKind::No,
            format!(
                "{} is outside the release windows of {env} ({}); nothing was written",
                time.rfc3339(),
                list.join("; ")
            ),
        )
        .hint("deploy inside a window, or say why not: --outside-window \"<reason>\" (the record keeps it)")),
    }
}

/// Composes, writes and shows the deploy record (`command` names the reflog entry).
pub fn record(ctx: &Context, c: Checked, how: &WriteArgs, command: &str) -> CommandResult {
    let loaded = &c.loaded;
    let release = &loaded.index.releases[c.release];
    let draft = compose::deploy(&c.env, &release.entry.name, &c.commit, c.time, &c.facts);
    let new = compose::compose(&loaded.config, &loaded.index, &draft, &[])
        .map_err(|e| CommandError::new(ErrorKind::Input, e.to_string()))?;
    let remote = loaded.config.remote.as_str();
    let written = writing::write(
        ctx,
        loaded,
        &c.who,
        &new,
        &format!("git-rollback: {command}"),
        false,
        how,
    )?;
    let view = WriteView {
        what: "deploy record",
        tag: &new,
        version: None,
        component: &release.component,
        environment: Some(&c.env),
        signed: false,
        who: &c.who,
        written: written.as_ref(),
        remote,
        warnings: &[],
    };
    let doc = write::deployed_doc(&view, &release.entry.name, c.time, &c.facts);
    writing::show(ctx, &view, &doc)
}

/// A release by tag name, or by version within `component` (default component if unset).
fn find_release(loaded: &Loaded, given: &str, component: Option<&Component>) -> CommandResult<usize> {
    let releases = &loaded.index.releases;
    if let Some(i) = loaded.index.release_position(&crate::model::TagName::new(given)) {
        return Ok(i);
    }
    let wanted = component.cloned().unwrap_or(Component::DEFAULT);
    if let Ok(v) = tagging::parse_version(given) {
        let matches: Vec<usize> = loaded.index.version_positions(&wanted, &v).collect();
        match matches.as_slice() {
            [one] => return Ok(*one),
            [] => {}
            many => {
                let names: Vec<&str> = many.iter().map(|i| releases[*i].entry.name.as_str()).collect();
                return Err(
                    CommandError::new(ErrorKind::Input, format!("version {v} is tagged more than once"))
                        .hint(format!("name the tag: {}", names.join(" or "))),
                );
            }
        }
    }
    let newest: Vec<&str> = releases.iter().take(5).map(|r| r.entry.name.as_str()).collect();
    let hint = if newest.is_empty() {
        "there are no releases yet: create one with git rollback tag <version>".to_owned()
    } else {
        format!("newest releases: {}", newest.join(", "))
    };
    Err(CommandError::new(
        ErrorKind::Input,
        format!("`{given}` is not a release tag; nothing was written"),
    )
    .hint(hint))
}
