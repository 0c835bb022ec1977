//! `show`: one record or release in full, for the terminal, as Markdown and as JSON.

use serde::Serialize;

use super::history::{capitalised, what};
use super::json::{EventDto, MalformedDto, ReleaseDto};
use super::{Output, markdown as md};
use crate::ledger::history::{Event, MalformedRecord};
use crate::ledger::story::{RecordStory, Related, ReleaseStory};
use crate::ledger::views::ReleaseInfo;
use crate::model::Oid;
use crate::model::range::CommitInfo;
use crate::ui::sanitize;

/// A commit a record names, with what the repository knows of it (`None`: not found here).
pub struct CommitLine {
    pub id: String,
    pub info: Option<CommitInfo>,
}

/// A record as `show` renders it.
pub struct RecordView<'a> {
    pub story: &'a RecordStory,
    pub reverted: Vec<CommitLine>,
    pub created: Vec<CommitLine>,
    /// The branch it names and its tip now (`None`: it no longer exists).
    pub branch: Option<(&'a str, Option<&'a Oid>)>,
}

/// A release as `show` renders it.
pub struct ReleaseView<'a> {
    pub info: &'a ReleaseInfo,
    pub story: &'a ReleaseStory,
}

/// Multi-line repository text, sanitised and indented by two spaces.
fn indented(text: &str) -> String {
    sanitize::text(text.trim_end())
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect()
}

fn person(p: &Option<crate::model::Person>) -> String {
    p.as_ref().map_or("-".to_owned(), |p| p.to_string())
}

fn fields(e: &Event) -> Vec<(&'static str, String)> {
    let tag = |t: &Option<crate::model::TagName>| t.as_ref().map(|t| t.to_string());
    let mut f = vec![
        ("kind", e.kind.as_str().to_owned()),
        ("time", e.time.rfc3339()),
        ("by", person(&e.by)),
    ];
    let optional = [
        ("environment", e.environment.as_ref().map(|n| n.to_string())),
        ("release", tag(&e.release).filter(|_| e.from.is_none())),
        ("from", tag(&e.from)),
        ("to", tag(&e.to).filter(|_| e.from.is_some())),
        ("strategy", e.strategy.clone()),
        ("incident", e.incident.clone()),
        ("undid", tag(&e.rollback)),
    ];
    f.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    if e.format_version > crate::model::record::FORMAT_VERSION {
        f.push(("format", format!("{} (newer than this tool's)", e.format_version)));
    }
    f
}

/// What a record's free text is: a deploy's note, a rollback's or restore's reason.
fn body_title(e: &Event) -> &'static str {
    match e.kind {
        crate::ledger::history::EventKind::Deploy => "Note",
        crate::ledger::history::EventKind::Drill => "Result",
        _ => "Reason",
    }
}

fn commit_text(c: &CommitLine) -> (String, String) {
    let short = c.id.get(..12).unwrap_or(&c.id).to_owned();
    match &c.info {
        Some(i) => (short, format!("{} ({})", i.subject, i.author.name)),
        None => (short, "(not in this repository)".to_owned()),
    }
}

fn related_text(r: &Related) -> String {
    format!("{} {} — {}", r.event.time.short(), r.event.tag, what(&r.event))
}

/// The terminal view of a record.
pub fn record_human(out: &Output, v: &RecordView<'_>) -> String {
    let s = &out.out_styles;
    let r = &v.story.record;
    let e = &v.story.event;
    let mut text = format!(
        "{}\n{}\n\n",
        s.heading.apply_to(sanitize::line(r.tag.as_str())),
        sanitize::line(&r.subject)
    );
    let mut f = fields(e);
    if let Some(t) = &v.story.target {
        f.push(("points at", t.as_str().to_owned()));
    }
    for (k, val) in f {
        text.push_str(&format!("  {:<12} {}\n", s.dim.apply_to(k), sanitize::line(&val)));
    }
    let section = |text: &mut String, title: &str| text.push_str(&format!("\n{}\n", s.heading.apply_to(title)));
    section(&mut text, body_title(e));
    if r.body.trim().is_empty() {
        text.push_str("  (none recorded)\n");
    } else {
        text.push_str(&indented(&r.body));
    }
    for (title, commits) in [("Reverted", &v.reverted), ("Created", &v.created)] {
        if commits.is_empty() {
            continue;
        }
        section(&mut text, &format!("{title} ({})", commits.len()));
        for c in commits {
            let (id, rest) = commit_text(c);
            text.push_str(&format!("  {}  {}\n", s.commit.apply_to(id), sanitize::line(&rest)));
        }
    }
    if let Some((name, tip)) = v.branch {
        section(&mut text, "Branch");
        let state = tip.map_or("no longer exists".to_owned(), |t| format!("at {}", t.short()));
        text.push_str(&format!("  {} ({state})\n", sanitize::line(name)));
    }
    if !v.story.related.is_empty() {
        section(&mut text, "Related");
        for rel in &v.story.related {
            text.push_str(&format!(
                "  {:<16} {}\n",
                rel.relation.as_str(),
                sanitize::line(&related_text(rel))
            ));
        }
    }
    section(&mut text, "Trailers");
    for t in &r.trailers {
        text.push_str(&format!(
            "  {}: {}\n",
            s.dim.apply_to(sanitize::line(&t.key)),
            sanitize::line(&t.value)
        ));
    }
    text
}

/// The Markdown view of a record.
pub fn record_markdown(v: &RecordView<'_>) -> String {
    let r = &v.story.record;
    let e = &v.story.event;
    let mut out = format!(
        "## {}\n\n{}\n\n",
        md::cell(&capitalised(&what(e))),
        md::code(r.tag.as_str())
    );
    let mut f = fields(e);
    if let Some(t) = &v.story.target {
        f.push(("points at", t.as_str().to_owned()));
    }
    let rows: Vec<Vec<String>> = f
        .into_iter()
        .map(|(k, val)| vec![k.to_owned(), md::cell(&val)])
        .collect();
    out.push_str(&md::table(&["Field", "Value"], &rows));
    out.push_str(&format!("\n### {}\n\n", body_title(e)));
    out.push_str(&if r.body.trim().is_empty() {
        "> (none recorded)\n".to_owned()
    } else {
        md::quote(&r.body)
    });
    for (title, commits) in [("Reverted commits", &v.reverted), ("Created commits", &v.created)] {
        if commits.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for c in commits {
            let (id, rest) = commit_text(c);
            out.push_str(&format!("- {} {}\n", md::code(&id), md::cell(&rest)));
        }
    }
    if let Some((name, tip)) = v.branch {
        let state = tip.map_or("no longer exists".to_owned(), |t| format!("at {}", md::code(t.short())));
        out.push_str(&format!("\n### Branch\n\n{} ({state})\n", md::code(name)));
    }
    if !v.story.related.is_empty() {
        out.push_str("\n### Related records\n\n");
        for rel in &v.story.related {
            out.push_str(&format!(
                "- {}: {} {} ({} UTC)\n",
                rel.relation.as_str(),
                md::cell(&what(&rel.event)),
                md::code(rel.event.tag.as_str()),
                rel.event.time.short()
            ));
        }
    }
    out.push_str("\n### Trailers\n\n");
    let rows: Vec<Vec<String>> = r
        .trailers
        .iter()
        .map(|t| vec![md::cell(&t.key), md::cell(&t.value)])
        .collect();
    out.push_str(&md::table(&["Key", "Value"], &rows));
    out
}

/// A release's events per environment, as lines.
fn release_lines(story: &ReleaseStory) -> Vec<(String, Vec<&Event>)> {
    story
        .environments
        .iter()
        .map(|(env, events)| (env.to_string(), events.iter().collect()))
        .collect()
}

/// The terminal view of a release.
pub fn release_human(out: &Output, v: &ReleaseView<'_>) -> String {
    let s = &out.out_styles;
    let i = v.info;
    let mut text = format!(
        "{}\n{}\n\n",
        s.heading.apply_to(sanitize::line(i.tag.as_str())),
        sanitize::line(&i.subject)
    );
    let mut f: Vec<(&str, String)> = vec![
        ("version", i.version.clone()),
        ("commit", i.commit.as_ref().map_or("-".into(), |c| c.to_string())),
        ("date", i.date.map_or("-".into(), |d| d.rfc3339())),
        ("tagger", person(&i.tagger)),
    ];
    if let Some(c) = i.component.name() {
        f.push(("component", c.to_owned()));
    }
    let flag = |envs: &[crate::model::EnvName]| envs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
    if !i.live_in.is_empty() {
        let envs: Vec<String> = i
            .live_in
            .iter()
            .map(|e| match i.assumed_live_in.contains(e) {
                true => format!("{e} (assumed: no deploy record)"),
                false => e.to_string(),
            })
            .collect();
        f.push(("live in", envs.join(", ")));
    }
    if !i.bad_in.is_empty() {
        f.push(("bad in", flag(&i.bad_in)));
    }
    if i.prerelease {
        f.push(("pre-release", "yes".into()));
    }
    if !i.annotated {
        f.push((
            "lightweight",
            "yes (no annotation: no tagger, notes or trailers)".into(),
        ));
    }
    for (k, val) in f {
        text.push_str(&format!("  {:<12} {}\n", s.dim.apply_to(k), sanitize::line(&val)));
    }
    if !i.message.trim().is_empty() {
        text.push_str(&format!("\n{}\n", s.heading.apply_to("Message")));
        text.push_str(&indented(&i.message));
    }
    for (env, events) in release_lines(v.story) {
        text.push_str(&format!(
            "\n{}\n",
            s.heading.apply_to(sanitize::line(&format!("In {env}")))
        ));
        for e in events {
            text.push_str(&format!(
                "  {}  {}  {}\n",
                e.time.short(),
                sanitize::line(&what(e)),
                s.dim.apply_to(sanitize::line(e.tag.as_str()))
            ));
        }
    }
    if v.story.environments.is_empty() {
        text.push_str("\nNo deploy, rollback or restore record names this release.\n");
    }
    text
}

/// The Markdown view of a release.
pub fn release_markdown(v: &ReleaseView<'_>) -> String {
    let i = v.info;
    let mut out = format!("## Release {}\n\n", md::code(i.tag.as_str()));
    let rows = vec![
        vec!["version".to_owned(), md::cell(&i.version)],
        vec![
            "commit".to_owned(),
            i.commit.as_ref().map_or("-".into(), |c| md::code_cell(c.as_str())),
        ],
        vec!["date".to_owned(), i.date.map_or("-".into(), |d| d.rfc3339())],
        vec!["tagger".to_owned(), md::cell(&person(&i.tagger))],
        vec!["subject".to_owned(), md::cell(&i.subject)],
    ];
    out.push_str(&md::table(&["Field", "Value"], &rows));
    for (env, events) in release_lines(v.story) {
        out.push_str(&format!("\n### In {}\n\n", md::cell(&env)));
        for e in events {
            out.push_str(&format!(
                "- {} UTC: {} ({})\n",
                e.time.short(),
                md::cell(&what(e)),
                md::code(e.tag.as_str())
            ));
        }
    }
    out
}

/// A tag named like a record that is not one.
pub fn malformed_human(m: &MalformedRecord, message: &str) -> String {
    let mut text = format!(
        "{}\nnamed like a {} record for {}, but it is not one: {}\n",
        sanitize::line(m.tag.as_str()),
        m.kind.as_str(),
        sanitize::line(m.environment.as_str()),
        sanitize::line(&m.problem)
    );
    if !message.trim().is_empty() {
        text.push_str("\nMessage\n");
        text.push_str(&indented(message));
    }
    text
}

pub fn malformed_markdown(m: &MalformedRecord, message: &str) -> String {
    let mut out = format!(
        "## Malformed record {}\n\nNamed like a {} record for {}, but it is not one: {}\n",
        md::code(m.tag.as_str()),
        m.kind.as_str(),
        md::cell(m.environment.as_str()),
        md::cell(&m.problem)
    );
    if !message.trim().is_empty() {
        out.push_str("\n### Message\n\n");
        out.push_str(&md::quote(message));
    }
    out
}

#[derive(Serialize)]
pub struct CommitDto<'a> {
    pub commit: &'a str,
    pub found: bool,
    pub subject: Option<&'a str>,
    pub author: Option<String>,
}

impl<'a> From<&'a CommitLine> for CommitDto<'a> {
    fn from(c: &'a CommitLine) -> Self {
        CommitDto {
            commit: &c.id,
            found: c.info.is_some(),
            subject: c.info.as_ref().map(|i| i.subject.as_str()),
            author: c.info.as_ref().map(|i| i.author.to_string()),
        }
    }
}

#[derive(Serialize)]
pub struct RelatedDto<'a> {
    pub relation: crate::ledger::story::Relation,
    pub event: EventDto<'a>,
}

#[derive(Serialize)]
pub struct BranchNowDto<'a> {
    pub name: &'a str,
    pub exists: bool,
    pub commit: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EnvEventsDto<'a> {
    pub name: &'a str,
    pub events: Vec<EventDto<'a>>,
}

/// `show --json`: `kind` says which of `record`, `release`, `malformed` is set.
#[derive(Serialize)]
pub struct ShowDoc<'a> {
    pub schema: &'static str,
    pub kind: &'static str,
    pub record: Option<EventDto<'a>>,
    pub message: Option<&'a str>,
    pub trailers: Option<&'a [crate::model::Trailer]>,
    pub target: Option<&'a str>,
    pub reverted: Vec<CommitDto<'a>>,
    pub created: Vec<CommitDto<'a>>,
    pub branch: Option<BranchNowDto<'a>>,
    pub related: Vec<RelatedDto<'a>>,
    pub release: Option<ReleaseDto<'a>>,
    pub release_event: Option<EventDto<'a>>,
    pub environments: Vec<EnvEventsDto<'a>>,
    pub malformed: Option<MalformedDto<'a>>,
    pub warnings: Vec<String>,
}

impl<'a> ShowDoc<'a> {
    fn empty(kind: &'static str, warnings: Vec<String>) -> Self {
        ShowDoc {
            schema: super::json::SHOW_SCHEMA,
            kind,
            record: None,
            message: None,
            trailers: None,
            target: None,
            reverted: Vec::new(),
            created: Vec::new(),
            branch: None,
            related: Vec::new(),
            release: None,
            release_event: None,
            environments: Vec::new(),
            malformed: None,
            warnings,
        }
    }

    pub fn record(v: &'a RecordView<'a>, message: &'a str, warnings: Vec<String>) -> Self {
        let story = v.story;
        ShowDoc {
            record: Some(EventDto::from(&story.event)),
            message: Some(message),
            trailers: Some(&story.record.trailers),
            target: story.target.as_ref().map(|t| t.as_str()),
            reverted: v.reverted.iter().map(CommitDto::from).collect(),
            created: v.created.iter().map(CommitDto::from).collect(),
            branch: v.branch.map(|(name, tip)| BranchNowDto {
                name,
                exists: tip.is_some(),
                commit: tip.map(|t| t.as_str()),
            }),
            related: story
                .related
                .iter()
                .map(|r| RelatedDto {
                    relation: r.relation,
                    event: EventDto::from(&r.event),
                })
                .collect(),
            ..Self::empty("record", warnings)
        }
    }

    pub fn release(v: &'a ReleaseView<'a>, warnings: Vec<String>) -> Self {
        ShowDoc {
            release: Some(ReleaseDto::from(v.info)),
            message: Some(&v.info.message),
            release_event: v.story.event.as_ref().map(EventDto::from),
            environments: v
                .story
                .environments
                .iter()
                .map(|(env, events)| EnvEventsDto {
                    name: env.as_str(),
                    events: events.iter().map(EventDto::from).collect(),
                })
                .collect(),
            ..Self::empty("release", warnings)
        }
    }

    pub fn malformed(m: &'a MalformedRecord, message: &'a str, warnings: Vec<String>) -> Self {
        ShowDoc {
            malformed: Some(MalformedDto::from(m)),
            message: Some(message),
            ..Self::empty("malformed", warnings)
        }
    }
}
