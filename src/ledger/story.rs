//! One ledger entry in full, with the entries it relates to: what `show` and `report` read.
//!
//! Relations follow from the records alone: a rollback rolled back the newest deploy (or
//! restore) of its from-release in its environment before it; a restore names the rollback it
//! undid; a deploy was rolled back by the rollbacks that rolled it back.

use super::history::{self, Event, EventKind, Filter, MalformedRecord};
use super::{RecordCandidate, Resolver};
use crate::model::{EnvName, Oid, Record, TagName, trailers};

/// How a related entry relates to the one shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// For a rollback: the deploy (or restore) it rolled back.
    RolledBack,
    /// For a rollback: the restore that undid it.
    RestoredBy,
    /// For a rollback: another rollback of the same release in the same environment.
    AlsoRolledBack,
    /// For a restore: the rollback it undid.
    Undid,
    /// For a deploy: the rollback that rolled it back.
    RolledBackBy,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::RolledBack => "rolled back",
            Relation::RestoredBy => "restored by",
            Relation::AlsoRolledBack => "also rolled back",
            Relation::Undid => "undid",
            Relation::RolledBackBy => "rolled back by",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub relation: Relation,
    pub event: Event,
}

/// A record with what it lists and what relates to it.
#[derive(Debug, Clone)]
pub struct RecordStory {
    pub record: Record,
    pub event: Event,
    /// The commit the record's tag points at.
    pub target: Option<Oid>,
    /// Commits it says were reverted (`Rollback-Revert`, `Restore-Revert`), in record order.
    pub reverted: Vec<String>,
    /// Commits it says it created (`Rollback-Commit`, `Restore-Commit`).
    pub created: Vec<String>,
    pub branch: Option<String>,
    pub related: Vec<Related>,
    /// The whole tag message (raw; renderers sanitise).
    pub message: String,
}

/// A release with everything recorded about it, per environment.
#[derive(Debug, Clone)]
pub struct ReleaseStory {
    pub position: usize,
    /// `None` when its date cannot be read.
    pub event: Option<Event>,
    /// Per environment with records about it (configured order, then others), oldest first.
    pub environments: Vec<(EnvName, Vec<Event>)>,
}

/// What a name shows.
#[derive(Debug, Clone)]
pub enum Story {
    Record(Box<RecordStory>),
    /// A tag named like a record that is not one, with its message (empty if unreadable).
    Malformed(MalformedRecord, String),
    Release(Box<ReleaseStory>),
}

/// The events of one environment, oldest first.
pub fn environment_events(resolver: &Resolver<'_>, environment: &EnvName) -> Vec<Event> {
    let filter = Filter {
        environment: Some(environment.clone()),
        ..Filter::default()
    };
    history::record_events(resolver, &filter).0
}

/// The story of the record `candidate`, or why it is not one.
pub fn record_story(resolver: &Resolver<'_>, candidate: &RecordCandidate) -> Story {
    let object = resolver.object(&candidate.entry);
    let message = object
        .as_ref()
        .and_then(|o| o.annotation.as_ref())
        .map(|a| a.text().into_owned())
        .unwrap_or_default();
    let record = match resolver.record_or_problem(candidate) {
        Ok(r) => r,
        Err(problem) => {
            let malformed = MalformedRecord {
                tag: candidate.entry.name.clone(),
                kind: candidate.kind,
                environment: candidate.environment.clone(),
                time: crate::model::Timestamp::parse(&candidate.time),
                problem,
            };
            return Story::Malformed(malformed, message);
        }
    };
    let events = environment_events(resolver, &record.environment);
    let event = Event::from_record(&record, candidate.seq);
    let related = related(&event, &events);
    let prefix = match record.kind {
        crate::model::RecordKind::Restore => "Restore",
        _ => "Rollback",
    };
    let all = |suffix: &str| -> Vec<String> {
        trailers::find_all(&record.trailers, &format!("{prefix}-{suffix}"))
            .map(str::to_owned)
            .collect()
    };
    let target = object.map(|o| o.peeled);
    Story::Record(Box::new(RecordStory {
        reverted: all("Revert"),
        created: all("Commit"),
        branch: all("Branch").into_iter().next(),
        target,
        event,
        related,
        record,
        message,
    }))
}

/// What an event made live in its environment (drills and releases change nothing).
fn made_live(e: &Event) -> Option<&TagName> {
    match e.kind {
        EventKind::Deploy | EventKind::Restore => e.release.as_ref(),
        EventKind::Rollback => e.to.as_ref(),
        EventKind::Release | EventKind::Drill => None,
    }
}

/// What a rollback rolled back: the record just before it in its environment that changed
/// what was live, if that made the rollback's from-release live (a deploy, a restore, or an
/// earlier rollback to it). `None` when the records do not say.
fn rolled_back<'e>(rollback: &Event, events: &'e [Event]) -> Option<&'e Event> {
    let position = events.iter().position(|e| e.tag == rollback.tag)?;
    events[..position]
        .iter()
        .rev()
        .find(|e| made_live(e).is_some())
        .filter(|e| made_live(e) == rollback.from.as_ref())
}

/// The entries related to `event` among its environment's `events` (oldest first).
pub fn related(event: &Event, events: &[Event]) -> Vec<Related> {
    let with = |relation: Relation, e: &Event| Related {
        relation,
        event: e.clone(),
    };
    let mut out = Vec::new();
    match event.kind {
        EventKind::Rollback => {
            out.extend(rolled_back(event, events).map(|e| with(Relation::RolledBack, e)));
            for e in events {
                if e.kind == EventKind::Restore && e.rollback.as_ref() == Some(&event.tag) {
                    out.push(with(Relation::RestoredBy, e));
                } else if e.kind == EventKind::Rollback && e.tag != event.tag && e.from == event.from {
                    out.push(with(Relation::AlsoRolledBack, e));
                }
            }
        }
        EventKind::Restore => out.extend(
            events
                .iter()
                .filter(|e| e.kind == EventKind::Rollback && Some(&e.tag) == event.rollback.as_ref())
                .map(|e| with(Relation::Undid, e)),
        ),
        EventKind::Deploy => out.extend(
            events
                .iter()
                .filter(|e| e.kind == EventKind::Rollback)
                .filter(|r| rolled_back(r, events).is_some_and(|d| d.tag == event.tag))
                .map(|e| with(Relation::RolledBackBy, e)),
        ),
        EventKind::Release | EventKind::Drill => {}
    }
    out
}

/// The story of the release at `position`: its own event and every record about it, per
/// environment (`environments` in display order).
pub fn release_story(resolver: &Resolver<'_>, position: usize, environments: &[EnvName]) -> ReleaseStory {
    let tag = &resolver.index.releases[position].entry.name;
    let all = history::record_events(resolver, &Filter::default()).0;
    let per_env = environments
        .iter()
        .map(|env| {
            let events: Vec<Event> = all
                .iter()
                .filter(|e| e.environment.as_ref() == Some(env) && e.involves(tag))
                .cloned()
                .collect();
            (env.clone(), events)
        })
        .filter(|(_, events)| !events.is_empty())
        .collect();
    ReleaseStory {
        position,
        event: history::release_event(resolver, position),
        environments: per_env,
    }
}

/// What `name` is: a record (by name), a release, or neither (`None`).
pub fn find(resolver: &Resolver<'_>, name: &TagName, environments: &[EnvName]) -> Option<Story> {
    let index = resolver.index;
    if let Some(c) = index.records.iter().find(|c| &c.entry.name == name) {
        return Some(record_story(resolver, c));
    }
    index
        .release_position(name)
        .map(|i| Story::Release(Box::new(release_story(resolver, i, environments))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn event(kind: EventKind, tag: &str, t: i64, release: &str, to: Option<&str>, rollback: Option<&str>) -> Event {
        let name = |s: &str| Some(TagName::new(s));
        Event {
            kind,
            tag: TagName::new(tag),
            time: Timestamp::utc(t),
            by: None,
            environment: EnvName::parse("production").ok(),
            release: name(release),
            from: (kind == EventKind::Rollback).then(|| TagName::new(release)),
            to: to.and_then(name),
            strategy: None,
            incident: None,
            rollback: rollback.and_then(name),
            subject: String::new(),
            reason: String::new(),
            passed: None,
            format_version: 1,
            seq: 1,
        }
    }

    fn relations(of: &Event, events: &[Event]) -> Vec<(Relation, String)> {
        related(of, events)
            .into_iter()
            .map(|r| (r.relation, r.event.tag.to_string()))
            .collect()
    }

    #[test]
    fn a_rollback_relates_to_the_last_deploy_of_its_release_its_restore_and_its_repeats() {
        let events = vec![
            event(EventKind::Deploy, "d1", 1, "v2", None, None),
            event(EventKind::Deploy, "d2", 2, "v2", None, None),
            event(EventKind::Deploy, "d3", 3, "v1", None, None),
            event(EventKind::Deploy, "d4", 4, "v2", None, None),
            event(EventKind::Rollback, "r1", 5, "v2", Some("v1"), None),
            event(EventKind::Restore, "s1", 6, "v2", Some("v2"), Some("r1")),
            event(EventKind::Rollback, "r2", 7, "v2", Some("v1"), None),
        ];
        assert_eq!(
            relations(&events[4], &events),
            [
                (Relation::RolledBack, "d4".into()),
                (Relation::RestoredBy, "s1".into()),
                (Relation::AlsoRolledBack, "r2".into())
            ]
        );
        // The second rollback rolled back what the restore made live.
        assert_eq!(relations(&events[6], &events)[0], (Relation::RolledBack, "s1".into()));
        assert_eq!(relations(&events[5], &events), [(Relation::Undid, "r1".into())]);
        assert_eq!(relations(&events[3], &events), [(Relation::RolledBackBy, "r1".into())]);
        // An earlier deploy of the same release was not what was rolled back.
        assert!(relations(&events[1], &events).is_empty());
    }

    #[test]
    fn a_rollback_of_a_rollback_target_rolled_back_that_rollback_not_an_old_deploy() {
        let events = vec![
            event(EventKind::Deploy, "d-v11", 1, "v1.1", None, None),
            event(EventKind::Deploy, "d-v12", 2, "v1.2", None, None),
            event(EventKind::Rollback, "r-12-11", 3, "v1.2", Some("v1.1"), None),
            event(EventKind::Drill, "drill", 4, "v1.1", Some("v1.0"), None),
            event(EventKind::Rollback, "r-11-10", 5, "v1.1", Some("v1.0"), None),
        ];
        assert_eq!(
            relations(&events[4], &events)[0],
            (Relation::RolledBack, "r-12-11".into())
        );
        assert!(
            relations(&events[0], &events).is_empty(),
            "the old deploy was not rolled back"
        );
        assert_eq!(
            relations(&events[1], &events),
            [(Relation::RolledBackBy, "r-12-11".into())]
        );
        // A rollback whose from-release was not what the records say was live.
        let odd = vec![
            event(EventKind::Deploy, "d-v12", 1, "v1.2", None, None),
            event(EventKind::Rollback, "r-11-10", 2, "v1.1", Some("v1.0"), None),
        ];
        assert!(relations(&odd[1], &odd).is_empty());
    }
}
