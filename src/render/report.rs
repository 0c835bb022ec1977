//! `report`: a Markdown post-mortem skeleton for one rollback, and the same facts as JSON.
//! Every statement names where it comes from: a record or release tag, or a commit.

use serde::Serialize;

use super::check::{CommitDto as RangeCommitDto, ConfigDto, MigrationDto};
use super::history::{capitalised, first_line, what};
use super::json::{EventDto, REPORT_SCHEMA};
use super::markdown as md;
use super::show::{CommitDto, CommitLine, RecordView};
use crate::checklist::migrations::Migration;
use crate::ledger::history::{Event, EventKind};
use crate::ledger::story::Relation;
use crate::model::TagName;
use crate::model::range::RangeFacts;

/// What changed between the two releases of the rollback, or why it is not known.
pub enum Between {
    Known {
        range: Box<RangeFacts>,
        migrations: Vec<Migration>,
    },
    Unknown(String),
}

pub struct ReportView<'a> {
    pub rollback: &'a RecordView<'a>,
    /// The from-release and every record about it, oldest first.
    pub timeline: Vec<Event>,
    pub between: Between,
}

impl ReportView<'_> {
    fn event(&self) -> &Event {
        &self.rollback.story.event
    }
    fn related(&self, relation: Relation) -> impl Iterator<Item = &Event> {
        self.rollback
            .story
            .related
            .iter()
            .filter(move |r| r.relation == relation)
            .map(|r| &r.event)
    }
}

fn tag_or(t: &Option<TagName>) -> String {
    t.as_ref().map_or("?".to_owned(), |t| t.to_string())
}

fn by(e: &Event) -> String {
    e.by.as_ref()
        .map_or("an unknown tagger".to_owned(), |p| md::cell(&p.name))
}

fn summary(v: &ReportView<'_>) -> String {
    let e = v.event();
    let src = md::code(e.tag.as_str());
    let env = e.environment.as_ref().map_or("?".to_owned(), |n| n.to_string());
    let (from, to) = (tag_or(&e.from), tag_or(&e.to));
    let mut out = format!(
        "- On {} UTC, {} rolled back {} from {} to {} with the {} strategy (record {src}).\n",
        e.time.short(),
        by(e),
        md::cell(&env),
        md::code(&from),
        md::code(&to),
        md::cell(e.strategy.as_deref().unwrap_or("?")),
    );
    if let Some(i) = &e.incident {
        out.push_str(&format!("- Incident: {} (record {src}).\n", md::cell(i)));
    }
    match v.related(Relation::RolledBack).next() {
        Some(d) => out.push_str(&format!(
            "- {} had been live in {} since {} UTC, {} before the rollback ({} record {}).\n",
            md::code(&from),
            md::cell(&env),
            d.time.short(),
            d.time.span_to(e.time),
            d.kind.as_str(),
            md::code(d.tag.as_str())
        )),
        None => out.push_str(&format!(
            "- The record before the rollback in {1} does not make {0} live, so when it went live there is not recorded.\n",
            md::code(&from),
            md::cell(&env)
        )),
    }
    let mut restored = false;
    for r in v.related(Relation::RestoredBy) {
        restored = true;
        out.push_str(&format!(
            "- Restored to {} on {} UTC by {}, {} after the rollback (record {}): \"{}\".\n",
            md::code(&tag_or(&r.release)),
            r.time.short(),
            by(r),
            e.time.span_to(r.time),
            md::code(r.tag.as_str()),
            md::cell(first_line(&r.reason))
        ));
    }
    if !restored {
        out.push_str(&format!(
            "- No restore record names this rollback: {} stays marked bad in {} by it.\n",
            md::code(&from),
            md::cell(&env)
        ));
    }
    for r in v.related(Relation::AlsoRolledBack) {
        out.push_str(&format!(
            "- {} was also rolled back in {} on {} UTC (record {}).\n",
            md::code(&from),
            md::cell(&env),
            r.time.short(),
            md::code(r.tag.as_str())
        ));
    }
    out
}

fn timeline(v: &ReportView<'_>) -> String {
    let this = &v.event().tag;
    let rows: Vec<Vec<String>> = v
        .timeline
        .iter()
        .map(|e| {
            let mut event = md::cell(&what(e));
            if &e.tag == this {
                event = format!("**{event} (this rollback)**");
            }
            let source = match e.kind {
                EventKind::Release => format!("release tag {}", md::code_cell(e.tag.as_str())),
                k => format!("{} record {}", k.as_str(), md::code_cell(e.tag.as_str())),
            };
            vec![
                e.time.short(),
                event,
                e.by.as_ref().map_or(String::new(), |p| md::cell(&p.name)),
                source,
            ]
        })
        .collect();
    md::table(&["Time (UTC)", "Event", "By", "Source"], &rows)
}

fn commit_list(commits: &[CommitLine]) -> String {
    let mut out = String::new();
    for c in commits {
        match &c.info {
            Some(i) => out.push_str(&format!(
                "- {} {} ({})\n",
                md::code(&c.id),
                md::cell(&i.subject),
                md::cell(&i.author.name)
            )),
            None => out.push_str(&format!("- {} (not in this repository)\n", md::code(&c.id))),
        }
    }
    out
}

fn reverted(v: &ReportView<'_>) -> String {
    let e = v.event();
    let src = md::code(e.tag.as_str());
    let r = v.rollback;
    let mut out = String::new();
    if r.reverted.is_empty() {
        out.push_str(&format!(
            "No commits were reverted (strategy {}; record {src} lists no `Rollback-Revert`).\n",
            md::cell(e.strategy.as_deref().unwrap_or("?"))
        ));
    } else {
        out.push_str(&format!(
            "Reverted, newest first (`Rollback-Revert` trailers of {src}):\n\n{}",
            commit_list(&r.reverted)
        ));
    }
    if !r.created.is_empty() {
        out.push_str(&format!(
            "\nCreated (`Rollback-Commit` trailers of {src}):\n\n{}",
            commit_list(&r.created)
        ));
    }
    if let Some((name, tip)) = r.branch {
        let now = tip.map_or("it no longer exists".to_owned(), |t| {
            format!("it is at {} now", md::code(t.short()))
        });
        out.push_str(&format!(
            "\nOn branch {} (`Rollback-Branch` of {src}); {now}.\n",
            md::code(name)
        ));
    }
    out
}

fn between(v: &ReportView<'_>) -> String {
    let e = v.event();
    let (from, to) = (md::code(&tag_or(&e.from)), md::code(&tag_or(&e.to)));
    let (range, migrations) = match &v.between {
        Between::Unknown(why) => return format!("Not known: {}.\n", md::cell(why)),
        Between::Known { range, migrations } => (range, migrations),
    };
    let mut out = format!(
        "Compared from release tag {to} to release tag {from}: {} commit{}.\n\n",
        range.total_commits,
        if range.total_commits == 1 { "" } else { "s" }
    );
    for c in &range.commits {
        out.push_str(&format!(
            "- {} {} ({})\n",
            md::code(c.id.short()),
            md::cell(&c.subject),
            md::cell(&c.author.name)
        ));
    }
    if range.commits.len() < range.total_commits {
        out.push_str(&format!("- … and {} more\n", range.total_commits - range.commits.len()));
    }
    out.push_str("\n### Migrations\n\n");
    if migrations.is_empty() {
        out.push_str("No file under the migration globs differs between the two releases.\n");
    } else {
        out.push_str(&format!(
            "Classified by reading the files of {from}, as `git rollback check` does:\n\n"
        ));
        let rows: Vec<Vec<String>> = migrations
            .iter()
            .map(|m| {
                vec![
                    md::code_cell(&m.path),
                    format!("{:?}", m.change).to_lowercase(),
                    m.classification.as_str().to_owned(),
                    md::cell(&m.reason),
                ]
            })
            .collect();
        out.push_str(&md::table(&["File", "Change", "Classification", "Why"], &rows));
    }
    out.push_str("\n### Config\n\n");
    if range.config.is_empty() {
        out.push_str("No file under the config globs differs between the two releases.\n");
    }
    for f in &range.config {
        out.push_str(&format!(
            "- {} ({})\n",
            md::code(&f.change.path),
            format!("{:?}", f.change.kind).to_lowercase()
        ));
    }
    if range.config.iter().any(|f| f.diff.is_some()) {
        out.push_str(&format!(
            "\nThe diffs show what rolling back does: from {from}'s files to {to}'s.\n"
        ));
    }
    for diff in range.config.iter().filter_map(|f| f.diff.as_deref()) {
        out.push('\n');
        out.push_str(&md::fenced(diff, "diff"));
    }
    out
}

/// The Markdown post-mortem skeleton.
pub fn markdown(v: &ReportView<'_>) -> String {
    let e = v.event();
    let mut title = capitalised(&what(e));
    if let Some(i) = &e.incident {
        title.push_str(&format!(" ({i})"));
    }
    let mut out = format!("# Post-mortem: {}\n\n", md::cell(&title));
    out.push_str(
        "_Built by `git rollback report` from the records and release tags of this repository; \
         each statement names its source. Fill in the sections marked TODO._\n",
    );
    out.push_str(&format!("\n## Summary\n\n{}", summary(v)));
    out.push_str(&format!(
        "\n## Recorded reason\n\nFrom record {}:\n\n{}",
        md::code(e.tag.as_str()),
        if e.reason.trim().is_empty() {
            "> (no reason recorded)\n".to_owned()
        } else {
            md::quote(&e.reason)
        }
    ));
    out.push_str(&format!(
        "\n## Timeline\n\nThe release {} and every record about it:\n\n{}",
        md::code(&tag_or(&e.from)),
        timeline(v)
    ));
    out.push_str(&format!("\n## What was rolled back\n\n{}", reverted(v)));
    out.push_str(&format!(
        "\n## Changes between {} and {}\n\n{}",
        md::code(&tag_or(&e.to)),
        md::code(&tag_or(&e.from)),
        between(v)
    ));
    out.push_str(
        "\n## Impact\n\nTODO: who was affected, how, and for how long.\n\
         \n## Root cause\n\nTODO\n\
         \n## Follow-ups\n\n- [ ] TODO\n",
    );
    out
}

#[derive(Serialize)]
pub struct BetweenDto<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub commits: Vec<RangeCommitDto<'a>>,
    pub total_commits: usize,
    pub migrations: Vec<MigrationDto<'a>>,
    pub config: Vec<ConfigDto<'a>>,
}

/// `report --json` (`git-rollback/report/v1`).
#[derive(Serialize)]
pub struct ReportDoc<'a> {
    pub schema: &'static str,
    pub rollback: EventDto<'a>,
    pub reverted: Vec<CommitDto<'a>>,
    pub created: Vec<CommitDto<'a>>,
    pub branch: Option<&'a str>,
    pub rolled_back: Option<EventDto<'a>>,
    pub restored_by: Vec<EventDto<'a>>,
    pub also_rolled_back: Vec<EventDto<'a>>,
    pub timeline: Vec<EventDto<'a>>,
    pub between: Option<BetweenDto<'a>>,
    /// Why `between` is null.
    pub between_unknown: Option<&'a str>,
    pub warnings: Vec<String>,
}

pub fn doc<'a>(v: &'a ReportView<'a>, warnings: Vec<String>) -> ReportDoc<'a> {
    let e = v.event();
    let (between, between_unknown) = match &v.between {
        Between::Known { range, migrations } => (
            Some(BetweenDto {
                from: e.from.as_ref().map(|t| t.as_str()),
                to: e.to.as_ref().map(|t| t.as_str()),
                commits: range.commits.iter().map(RangeCommitDto::from).collect(),
                total_commits: range.total_commits,
                migrations: migrations.iter().map(MigrationDto::from).collect(),
                config: range.config.iter().map(ConfigDto::from).collect(),
            }),
            None,
        ),
        Between::Unknown(why) => (None, Some(why.as_str())),
    };
    ReportDoc {
        schema: REPORT_SCHEMA,
        rollback: EventDto::from(e),
        reverted: v.rollback.reverted.iter().map(CommitDto::from).collect(),
        created: v.rollback.created.iter().map(CommitDto::from).collect(),
        branch: v.rollback.branch.map(|(n, _)| n),
        rolled_back: v.related(Relation::RolledBack).next().map(EventDto::from),
        restored_by: v.related(Relation::RestoredBy).map(EventDto::from).collect(),
        also_rolled_back: v.related(Relation::AlsoRolledBack).map(EventDto::from).collect(),
        timeline: v.timeline.iter().map(EventDto::from).collect(),
        between,
        between_unknown,
        warnings,
    }
}
