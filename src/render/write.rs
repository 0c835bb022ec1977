//! What `tag` and `deployed` show: the tag written (or that would be, in a dry run), its
//! message, and how to push it.

use serde::Serialize;

use super::Output;
use crate::model::outcome::{Push, Written};
use crate::model::{Component, EnvName, Identity, NewTag, TagName, Timestamp, Trailer, trailers};
use crate::ui::sanitize;

/// One tag write, as shown.
pub struct WriteView<'a> {
    /// `release tag`, `deploy record`.
    pub what: &'static str,
    pub tag: &'a NewTag,
    pub version: Option<String>,
    pub component: &'a Component,
    pub environment: Option<&'a EnvName>,
    pub signed: bool,
    pub who: &'a Identity,
    /// `None` in a dry run.
    pub written: Option<&'a Written>,
    pub remote: &'a str,
    pub warnings: &'a [String],
}

pub fn human(out: &Output, v: &WriteView<'_>) -> String {
    let s = &out.out_styles;
    let verb = if v.written.is_some() { "Created" } else { "Would create" };
    let signed = if v.signed { " (signed)" } else { "" };
    let mut text = format!(
        "{verb} {} {}{signed} → {}\n",
        v.what,
        s.version.apply_to(sanitize::line(v.tag.name.as_str())),
        s.commit.apply_to(v.tag.target.short()),
    );
    for line in sanitize::text(&v.tag.message).lines() {
        match line.is_empty() {
            true => text.push('\n'),
            false => text.push_str(&format!("  {}\n", s.dim.apply_to(line))),
        }
    }
    if v.written.is_none() {
        text.push_str("(dry run: nothing was written)\n");
    }
    text
}

/// Status lines after the data: the push result or the push command.
pub fn next_steps(out: &Output, v: &WriteView<'_>) {
    match v.written.map(|w| &w.push) {
        None => {}
        Some(Push::NotAsked) => {
            out.status(&format!(
                "Share it with: git push {} {}",
                v.remote,
                v.tag.name.full_ref()
            ));
        }
        Some(Push::Pushed { remote }) => out.status(&format!("Pushed {} to {remote}.", v.tag.name)),
        Some(Push::Failed { .. }) => {}
    }
}

#[derive(Serialize)]
pub struct TagDoc<'a> {
    pub schema: &'static str,
    pub tag: &'a str,
    pub version: Option<&'a str>,
    pub component: Option<&'a str>,
    pub commit: &'a str,
    /// The tag object id; `null` in a dry run.
    pub object: Option<&'a str>,
    pub tagger: String,
    pub message: &'a str,
    pub trailers: Vec<Trailer>,
    pub signed: bool,
    pub dry_run: bool,
    pub pushed: bool,
    pub remote: Option<&'a str>,
    pub warnings: &'a [String],
}

fn base<'a>(v: &'a WriteView<'a>, schema: &'static str) -> TagDoc<'a> {
    TagDoc {
        schema,
        tag: v.tag.name.as_str(),
        version: v.version.as_deref(),
        component: v.component.name(),
        commit: v.tag.target.as_str(),
        object: v.written.and_then(|w| w.objects.first()).map(|o| o.as_str()),
        tagger: v.who.person.to_string(),
        message: &v.tag.message,
        trailers: trailers::parse(&v.tag.message),
        signed: v.signed,
        dry_run: v.written.is_none(),
        pushed: matches!(v.written.map(|w| &w.push), Some(Push::Pushed { .. })),
        remote: v.written.and_then(|w| match &w.push {
            Push::NotAsked => None,
            Push::Pushed { remote } | Push::Failed { remote, .. } => Some(remote.as_str()),
        }),
        warnings: v.warnings,
    }
}

/// `git-rollback/tag/v1`
pub fn tag_doc<'a>(v: &'a WriteView<'a>) -> TagDoc<'a> {
    base(v, "git-rollback/tag/v1")
}

#[derive(Serialize)]
pub struct DeployedDoc<'a> {
    #[serde(flatten)]
    pub tag: TagDoc<'a>,
    pub record: &'a str,
    pub environment: Option<&'a str>,
    pub release: &'a str,
    pub time: String,
    pub artifacts: &'a [String],
    /// `--outside-window`'s reason, when deployed outside the release windows.
    pub outside_window: Option<&'a str>,
    /// The deployment driver that ran (`deploy` only): `{"name", "result"}`.
    pub driver: Option<DriverDto<'a>>,
}

#[derive(Serialize)]
pub struct DriverDto<'a> {
    pub name: &'a str,
    pub result: &'a str,
}

/// `git-rollback/deployed/v1`: the record's tag is both `tag` and `record`.
pub fn deployed_doc<'a>(
    v: &'a WriteView<'a>,
    release: &'a TagName,
    time: Timestamp,
    facts: &'a crate::ledger::compose::DeployFacts,
) -> DeployedDoc<'a> {
    DeployedDoc {
        tag: base(v, "git-rollback/deployed/v1"),
        record: v.tag.name.as_str(),
        environment: v.environment.map(|e| e.as_str()),
        release: release.as_str(),
        time: time.rfc3339(),
        artifacts: &facts.artifacts,
        outside_window: facts.outside_window.as_deref(),
        driver: facts.driver.as_ref().map(|(name, result)| DriverDto { name, result }),
    }
}
