//! The ledger read back as a timeline: releases, deploys, rollbacks and restores, oldest first,
//! filtered by environment, time, release and kind.
//!
//! Records are filtered by the time in their names before any object is read, so a narrow
//! window over a large ledger decodes only the records near it (the name time is the record's
//! time for every record this tool writes; a one-day margin absorbs hand-written names that are
//! a little off, and the record's own time decides).

use std::cmp::Ordering;

use super::{RecordCandidate, Resolver};
use crate::model::record::RecordDetail;
use crate::model::{EnvName, Person, Record, RecordKind, TagName, Timestamp};

/// How far a record's name time may be from its own time and still be found by a time filter.
const NAME_TIME_MARGIN: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Release,
    Deploy,
    Rollback,
    Restore,
    Drill,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Release => "release",
            EventKind::Deploy => "deploy",
            EventKind::Rollback => "rollback",
            EventKind::Restore => "restore",
            EventKind::Drill => "drill",
        }
    }
}

impl From<RecordKind> for EventKind {
    fn from(kind: RecordKind) -> Self {
        match kind {
            RecordKind::Deploy => EventKind::Deploy,
            RecordKind::Rollback => EventKind::Rollback,
            RecordKind::Restore => EventKind::Restore,
            RecordKind::Drill => EventKind::Drill,
        }
    }
}

/// One entry of the timeline. Text fields are raw (renderers sanitise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub tag: TagName,
    pub time: Timestamp,
    pub by: Option<Person>,
    pub environment: Option<EnvName>,
    /// The release the event is about: the release itself, the deployed one, the one rolled
    /// back (the from-release), the one restored.
    pub release: Option<TagName>,
    pub from: Option<TagName>,
    pub to: Option<TagName>,
    pub strategy: Option<String>,
    pub incident: Option<String>,
    /// For a restore: the rollback record it undid.
    pub rollback: Option<TagName>,
    pub subject: String,
    /// The free text of the message: a rollback's or restore's reason, a deploy's note, a
    /// release's notes.
    pub reason: String,
    /// For a drill: whether it passed.
    pub passed: Option<bool>,
    /// The record's format version (releases: the current one).
    pub format_version: u32,
    /// The tie-breaker from the record's name (releases: 0).
    pub seq: u64,
}

impl Event {
    pub fn from_record(record: &Record, seq: u64) -> Event {
        let (release, from, to, strategy, incident, rollback) = match &record.detail {
            RecordDetail::Deploy { release, .. } => (Some(release), None, None, None, None, None),
            RecordDetail::Rollback {
                from,
                to,
                strategy,
                incident,
            } => (
                Some(from),
                Some(from),
                Some(to),
                Some(strategy.clone()),
                incident.clone(),
                None,
            ),
            RecordDetail::Restore { rollback, release } => (
                Some(release),
                None,
                Some(release),
                None,
                crate::model::trailers::find(&record.trailers, "Restore-Incident").map(str::to_owned),
                Some(rollback.clone()),
            ),
            RecordDetail::Drill { from, to, strategy, .. } => {
                (Some(from), Some(from), Some(to), Some(strategy.clone()), None, None)
            }
        };
        let passed = match &record.detail {
            RecordDetail::Drill { passed, .. } => Some(*passed),
            _ => None,
        };
        Event {
            kind: record.kind.into(),
            tag: record.tag.clone(),
            time: record.time,
            by: record.by.clone(),
            environment: Some(record.environment.clone()),
            release: release.cloned(),
            from: from.cloned(),
            to: to.cloned(),
            strategy,
            incident,
            rollback,
            subject: record.subject.clone(),
            reason: record.body.clone(),
            passed,
            format_version: record.format_version,
            seq,
        }
    }

    /// Whether the event concerns `release` (as the release, the from- or the to-release).
    pub fn involves(&self, release: &TagName) -> bool {
        [&self.release, &self.from, &self.to]
            .into_iter()
            .any(|r| r.as_ref() == Some(release))
    }

    /// Oldest first: time, then the name's tie-breaker, then kind, then name.
    pub fn chronological(a: &Event, b: &Event) -> Ordering {
        a.time
            .seconds
            .cmp(&b.time.seconds)
            .then(a.seq.cmp(&b.seq))
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.tag.cmp(&b.tag))
    }
}

/// A tag named like a record whose message does not confirm it (or that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedRecord {
    pub tag: TagName,
    pub kind: RecordKind,
    pub environment: EnvName,
    /// The time in its name.
    pub time: Option<Timestamp>,
    pub problem: String,
}

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub environment: Option<EnvName>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub release: Option<TagName>,
    /// Empty: every kind.
    pub kinds: Vec<EventKind>,
    /// The newest this many events (still shown oldest first).
    pub limit: Option<usize>,
}

impl Filter {
    fn wants(&self, kind: EventKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    fn in_window(&self, time: Timestamp) -> bool {
        self.since.is_none_or(|s| time.seconds >= s.seconds) && self.until.is_none_or(|u| time.seconds <= u.seconds)
    }

    /// Whether a record whose name carries `name_time` (compact) can be in the window.
    fn name_in_window(&self, name_time: &str) -> bool {
        let widened = |t: Timestamp, by: i64| Timestamp::utc(t.seconds + by).compact();
        self.since
            .is_none_or(|s| name_time >= widened(s, -NAME_TIME_MARGIN).as_str())
            && self
                .until
                .is_none_or(|u| name_time <= widened(u, NAME_TIME_MARGIN).as_str())
    }

    fn keeps(&self, event: &Event) -> bool {
        self.wants(event.kind) && self.in_window(event.time) && self.release.as_ref().is_none_or(|r| event.involves(r))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Oldest first.
    pub events: Vec<Event>,
    /// Malformed records in the environment, time window and kinds (all by their names), oldest
    /// first by name time.
    pub malformed: Vec<MalformedRecord>,
    /// Events that matched but were left out by the limit (the oldest ones).
    pub omitted: usize,
}

/// The events of the records in `filter`'s environment (all when none), oldest first, and the
/// record-named tags that are not records. Reads only the records whose name time is near the
/// window.
pub fn record_events(resolver: &Resolver<'_>, filter: &Filter) -> (Vec<Event>, Vec<MalformedRecord>) {
    let mut events = Vec::new();
    let mut malformed = Vec::new();
    let candidates =
        resolver.index.records.iter().filter(|c| {
            filter.environment.as_ref().is_none_or(|e| &c.environment == e) && filter.name_in_window(&c.time)
        });
    for c in candidates {
        match resolver.record_or_problem(c) {
            Ok(record) => events.push(Event::from_record(&record, c.seq)),
            Err(problem) => {
                let time = Timestamp::parse(&c.time);
                if filter.wants(c.kind.into()) && time.is_none_or(|t| filter.in_window(t)) {
                    malformed.push(malformed_record(c, time, problem));
                }
            }
        }
    }
    events.sort_by(Event::chronological);
    malformed.reverse();
    (events, malformed)
}

fn malformed_record(c: &RecordCandidate, time: Option<Timestamp>, problem: String) -> MalformedRecord {
    MalformedRecord {
        tag: c.entry.name.clone(),
        kind: c.kind,
        environment: c.environment.clone(),
        time,
        problem,
    }
}

/// The release at `index` as an event, if its date can be read.
pub fn release_event(resolver: &Resolver<'_>, index: usize) -> Option<Event> {
    let release = &resolver.index.releases[index];
    let time = resolver.release_date(index)?;
    let object = resolver.object(&release.entry)?;
    let (subject, reason, by) = match &object.annotation {
        Some(a) => {
            let (subject, body) = crate::model::trailers::subject_and_body(&a.text());
            (subject, body, a.tagger.clone())
        }
        None => (object.commit_subject.clone().unwrap_or_default(), String::new(), None),
    };
    Some(Event {
        kind: EventKind::Release,
        tag: release.entry.name.clone(),
        time,
        by,
        environment: None,
        release: Some(release.entry.name.clone()),
        from: None,
        to: None,
        strategy: None,
        incident: None,
        rollback: None,
        subject,
        reason,
        passed: None,
        format_version: crate::model::record::FORMAT_VERSION,
        seq: 0,
    })
}

/// The timeline for `filter`. Releases have no environment: with an environment filter, the
/// releases shown are those the environment's events in the window name.
pub fn timeline(resolver: &Resolver<'_>, filter: &Filter) -> Timeline {
    let index = resolver.index;
    let (records, mut malformed) = record_events(resolver, filter);
    let mut events: Vec<Event> = records.iter().filter(|e| filter.keeps(e)).cloned().collect();
    if filter.wants(EventKind::Release) {
        let positions: Vec<usize> = match (&filter.release, &filter.environment) {
            (Some(r), _) => index.release_position(r).into_iter().collect(),
            // With an environment, the releases shown are those its records in the window
            // name, whatever kinds are shown.
            (None, Some(_)) => {
                let mut named: Vec<usize> = records
                    .iter()
                    .filter(|e| filter.in_window(e.time))
                    .flat_map(|e| [&e.release, &e.from, &e.to])
                    .flatten()
                    .filter_map(|t| index.release_position(t))
                    .collect();
                named.sort_unstable();
                named.dedup();
                named
            }
            (None, None) => (0..index.releases.len()).collect(),
        };
        events.extend(
            positions
                .into_iter()
                .filter_map(|i| release_event(resolver, i))
                .filter(|e| filter.in_window(e.time)),
        );
        events.sort_by(Event::chronological);
    }
    let omitted = filter.limit.map_or(0, |n| events.len().saturating_sub(n));
    events.drain(..omitted);
    // The limit cuts the malformed records before the oldest event kept, too.
    if omitted > 0
        && let Some(first) = events.first()
    {
        malformed.retain(|m| m.time.is_some_and(|t| t.seconds >= first.time.seconds));
    }
    Timeline {
        events,
        malformed,
        omitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_window_is_widened_by_a_day_and_the_record_time_decides() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let filter = Filter {
            since: Some(at("2026-01-08T00:00:00Z")),
            until: Some(at("2026-01-09T00:00:00Z")),
            ..Filter::default()
        };
        assert!(filter.name_in_window("20260107T000000Z"));
        assert!(!filter.name_in_window("20260106T235959Z"));
        assert!(filter.name_in_window("20260110T000000Z"));
        assert!(!filter.name_in_window("20260110T000001Z"));
        assert!(filter.in_window(at("2026-01-08T00:00:00Z")));
        assert!(filter.in_window(at("2026-01-09T00:00:00Z")));
        assert!(!filter.in_window(at("2026-01-07T23:59:59Z")));
        assert!(Filter::default().name_in_window("anything"));
    }
}
