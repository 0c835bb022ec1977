//! `git rollback demo`: builds a sandbox repository from the story in `scenario`, writing
//! releases and records through the same code paths as real use (the record composer and
//! `apply::write_tags`, as `tag` and `deployed` do). It never writes outside the directory it is given.

mod scenario;

use std::path::Path;

use crate::apply;
use crate::config::Config;
use crate::git::{self, GitError};
use crate::ledger::{Index, compose};
use crate::model::{EnvName, Identity, NewTag, Oid, Person, TagName, Timestamp, trailers};
use scenario::{PEOPLE, STORY, Step};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("`{0}` exists and is not an empty directory")]
    NotEmpty(std::path::PathBuf),
    #[error("cannot write the demo files: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("cannot compose a record: {0}")]
    Compose(#[from] compose::ComposeError),
}

/// What the demo built.
#[derive(Debug, Clone)]
pub struct Summary {
    pub releases: Vec<String>,
    pub records: Vec<String>,
    pub commits: usize,
}

fn person(i: usize, at: Timestamp) -> Identity {
    Identity {
        person: Person {
            name: PEOPLE[i].0.into(),
            email: PEOPLE[i].1.into(),
        },
        time: at,
    }
}

/// Builds the demo repository in `dir` (created if missing; must be empty). The story ends
/// just before `now`.
pub fn build(dir: &Path, now: Timestamp) -> Result<Summary, DemoError> {
    if dir.exists() && (!dir.is_dir() || std::fs::read_dir(dir)?.next().is_some()) {
        return Err(DemoError::NotEmpty(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir)?;
    let reader = git::sandbox::init(dir)?;
    let config = Config::defaults();
    let last = STORY.iter().map(hours).max().unwrap_or(0);
    let at = |h: i64| Timestamp::utc(now.seconds - (last - h) * 3600 - 600);
    let mut summary = Summary {
        releases: Vec::new(),
        records: Vec::new(),
        commits: 0,
    };
    let mut head: Option<Oid> = None;
    let mut releases: Vec<(TagName, Oid)> = Vec::new();
    let env = |name: &str| EnvName::parse(name).expect("scenario environments are valid");
    let find = |releases: &[(TagName, Oid)], tag: &str| {
        releases
            .iter()
            .find(|(t, _)| t.as_str() == tag)
            .map(|(_, c)| *c)
            .expect("scenario order")
    };
    for step in STORY {
        match step {
            Step::Commit {
                hours,
                author,
                message,
                files,
            } => {
                for (path, content) in *files {
                    let full = dir.join(path);
                    match content {
                        Some(text) => {
                            std::fs::create_dir_all(full.parent().expect("files are inside dir"))?;
                            std::fs::write(&full, text)?;
                        }
                        None => std::fs::remove_file(&full)?,
                    }
                }
                head = Some(git::sandbox::commit_all(dir, message, &person(*author, at(*hours)))?);
                summary.commits += 1;
            }
            Step::Release {
                hours,
                tag,
                subject,
                trailers: t,
            } => {
                let commit = head.expect("scenario starts with a commit");
                let t: Vec<_> = t.iter().map(|(k, v)| trailers::Trailer::new(k, v)).collect();
                let message = trailers::format_message(subject, "", &t).map_err(compose::ComposeError::from)?;
                let new = NewTag {
                    name: TagName::new(*tag),
                    target: commit,
                    message,
                };
                apply::write_tags(
                    &reader,
                    &person(0, at(*hours)),
                    &[new],
                    "git-rollback: demo release",
                    false,
                    None,
                )?;
                releases.push((TagName::new(*tag), commit));
                summary.releases.push(tag.to_string());
            }
            Step::Deploy { hours, env: e, tag } => {
                let commit = find(&releases, tag);
                let draft = compose::deploy(&env(e), &TagName::new(*tag), &commit, at(*hours), &Default::default());
                write_record(&reader, &config, &draft, &person(0, at(*hours)), &mut summary)?;
            }
            Step::Rollback {
                hours,
                env: e,
                from,
                to,
                reason,
                incident,
            } => {
                let facts = compose::RollbackFacts {
                    strategy: "deploy".into(),
                    reason: reason.to_string(),
                    incident: Some(incident.to_string()),
                    ..Default::default()
                };
                let target = find(&releases, to);
                let draft = compose::rollback(
                    &env(e),
                    &TagName::new(*from),
                    &TagName::new(*to),
                    &target,
                    at(*hours),
                    &facts,
                );
                write_record(&reader, &config, &draft, &person(1, at(*hours)), &mut summary)?;
            }
        }
    }
    Ok(summary)
}

fn hours(step: &Step) -> i64 {
    match step {
        Step::Commit { hours, .. }
        | Step::Release { hours, .. }
        | Step::Deploy { hours, .. }
        | Step::Rollback { hours, .. } => *hours,
    }
}

fn write_record(
    reader: &git::Reader,
    config: &Config,
    draft: &compose::Draft,
    who: &Identity,
    summary: &mut Summary,
) -> Result<(), DemoError> {
    let index = Index::build(reader.state()?.tags, config);
    let tag = compose::compose(config, &index, draft, &[])?;
    apply::write_tags(
        reader,
        who,
        std::slice::from_ref(&tag),
        "git-rollback: demo record",
        false,
        None,
    )?;
    summary.records.push(tag.name.to_string());
    Ok(())
}
