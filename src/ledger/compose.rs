//! Composing new records: the tag name from the config's template (with a tie-breaker for
//! records written in the same second) and the message in the documented format.
//! Pure: the caller writes the result through `git::create_tags`.

use super::Index;
use crate::config::{Config, Vars};
use crate::model::record::{FORMAT_KEY, FORMAT_VERSION};
use crate::model::trailers::{self, Trailer, TrailerError};
use crate::model::{EnvName, NewTag, Oid, RecordKind, TagName, Timestamp};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("a reason is required and must not be empty")]
    NoReason,
    #[error(transparent)]
    Trailer(#[from] TrailerError),
    #[error("the record name `{0}` is not a valid tag name")]
    BadName(String),
}

/// A record before it is named.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: RecordKind,
    pub environment: EnvName,
    pub time: Timestamp,
    pub subject: String,
    pub body: String,
    pub trailers: Vec<Trailer>,
    /// The commit the record tag points at.
    pub target: Oid,
    /// `release` (deploy, restore) or `from`/`to` (rollback), for the name.
    pub names: Vec<(&'static str, String)>,
}

/// What a deploy record says beyond environment and release.
#[derive(Debug, Clone, Default)]
pub struct DeployFacts {
    pub artifacts: Vec<String>,
    pub note: String,
    /// Set when the deploy is recorded after it happened: the record keeps this time.
    pub backfilled: bool,
    /// The release was marked bad in this environment and the user overrode that.
    pub allowed_bad: bool,
    /// Deployed outside the environment's release windows, and why.
    pub outside_window: Option<String>,
    /// The deployment driver that deployed it (`command`, `symlink`) and what it did.
    pub driver: Option<(String, String)>,
}

/// A deploy record: `release` went live in `env` at `time`.
pub fn deploy(environment: &EnvName, release: &TagName, commit: &Oid, time: Timestamp, facts: &DeployFacts) -> Draft {
    let mut t = vec![
        Trailer::new("Deploy-Environment", environment.as_str()),
        Trailer::new("Deploy-Release", release.as_str()),
        Trailer::new("Deploy-Commit", commit.as_str()),
    ];
    t.extend(facts.artifacts.iter().map(|a| Trailer::new("Deploy-Artifact", a)));
    if facts.backfilled {
        t.push(Trailer::new("Deploy-Time", &time.rfc3339()));
    }
    if facts.allowed_bad {
        t.push(Trailer::new("Deploy-Allowed-Bad", "yes"));
    }
    if let Some(reason) = &facts.outside_window {
        t.push(Trailer::new("Deploy-Outside-Window", reason));
    }
    if let Some((driver, result)) = &facts.driver {
        t.push(Trailer::new("Deploy-Driver", driver));
        t.push(Trailer::new("Deploy-Driver-Result", result));
    }
    Draft {
        kind: RecordKind::Deploy,
        environment: environment.clone(),
        time,
        subject: format!("Deploy {release} to {environment}"),
        body: facts.note.clone(),
        trailers: t,
        target: *commit,
        names: vec![("release", release.to_string())],
    }
}

/// What a rollback record says beyond from/to.
#[derive(Debug, Clone, Default)]
pub struct RollbackFacts {
    pub strategy: String,
    pub reason: String,
    pub incident: Option<String>,
    pub reverted: Vec<Oid>,
    pub created_commits: Vec<Oid>,
    pub branch: Option<String>,
    /// The deployment driver that rolled back (`command`, `symlink`) and what it did.
    pub driver: Option<(String, String)>,
    /// No record named `from` live: it was assumed (`Rollback-From-Evidence: assumed`).
    pub from_assumed: bool,
}

/// A rollback record: `env` went from `from` back to `to`; `target` is what it points at.
pub fn rollback(
    environment: &EnvName,
    from: &TagName,
    to: &TagName,
    target: &Oid,
    time: Timestamp,
    facts: &RollbackFacts,
) -> Draft {
    let mut t = vec![
        Trailer::new("Rollback-Environment", environment.as_str()),
        Trailer::new("Rollback-From", from.as_str()),
        Trailer::new("Rollback-To", to.as_str()),
        Trailer::new("Rollback-Strategy", &facts.strategy),
    ];
    if facts.from_assumed {
        t.push(Trailer::new("Rollback-From-Evidence", "assumed"));
    }
    if let Some(i) = &facts.incident {
        t.push(Trailer::new("Rollback-Incident", i));
    }
    t.extend(
        facts
            .reverted
            .iter()
            .map(|c| Trailer::new("Rollback-Revert", c.as_str())),
    );
    t.extend(
        facts
            .created_commits
            .iter()
            .map(|c| Trailer::new("Rollback-Commit", c.as_str())),
    );
    if let Some(b) = &facts.branch {
        t.push(Trailer::new("Rollback-Branch", b));
    }
    if let Some((driver, result)) = &facts.driver {
        t.push(Trailer::new("Rollback-Driver", driver));
        t.push(Trailer::new("Rollback-Driver-Result", result));
    }
    Draft {
        kind: RecordKind::Rollback,
        environment: environment.clone(),
        time,
        subject: format!("Roll back {environment} from {from} to {to}"),
        body: facts.reason.clone(),
        trailers: t,
        target: *target,
        names: vec![("from", from.to_string()), ("to", to.to_string())],
    }
}

/// A restore record: the rollback `rollback` was undone; `release` is live again.
pub fn restore(
    environment: &EnvName,
    rollback: &TagName,
    release: &TagName,
    target: &Oid,
    time: Timestamp,
    facts: &RollbackFacts,
) -> Draft {
    let mut t = vec![
        Trailer::new("Restore-Environment", environment.as_str()),
        Trailer::new("Restore-Rollback", rollback.as_str()),
        Trailer::new("Restore-Release", release.as_str()),
    ];
    if let Some(i) = &facts.incident {
        t.push(Trailer::new("Restore-Incident", i));
    }
    t.extend(
        facts
            .reverted
            .iter()
            .map(|c| Trailer::new("Restore-Revert", c.as_str())),
    );
    t.extend(
        facts
            .created_commits
            .iter()
            .map(|c| Trailer::new("Restore-Commit", c.as_str())),
    );
    if let Some(b) = &facts.branch {
        t.push(Trailer::new("Restore-Branch", b));
    }
    Draft {
        kind: RecordKind::Restore,
        environment: environment.clone(),
        time,
        subject: format!("Restore {environment} to {release}"),
        body: facts.reason.clone(),
        trailers: t,
        target: *target,
        names: vec![("release", release.to_string())],
    }
}

/// A drill record: rolling `environment` back from `from` to `to` by `strategy` was rehearsed
/// (in a scratch copy) and `passed` or not; `summary` is the body's first line, `steps` one
/// line each, `failed_step` names the first failure. It points at the from-release's commit.
#[allow(clippy::too_many_arguments)]
pub fn drill(
    environment: &EnvName,
    from: &TagName,
    to: &TagName,
    target: &Oid,
    strategy: &str,
    passed: bool,
    failed_step: Option<&str>,
    summary: &str,
    steps: &[String],
    time: Timestamp,
) -> Draft {
    let mut t = vec![
        Trailer::new("Drill-Environment", environment.as_str()),
        Trailer::new("Drill-From", from.as_str()),
        Trailer::new("Drill-To", to.as_str()),
        Trailer::new("Drill-Strategy", strategy),
        Trailer::new("Drill-Result", if passed { "pass" } else { "fail" }),
    ];
    if let Some(step) = failed_step {
        t.push(Trailer::new("Drill-Failed-Step", step));
    }
    let printable = |line: &String| -> String { line.chars().filter(|c| !c.is_control()).collect() };
    let body = format!(
        "{}\n\nRehearsed in a scratch copy of the repository:\n\n{}",
        printable(&summary.to_owned()),
        steps
            .iter()
            .map(|l| format!("- {}", printable(l)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    Draft {
        kind: RecordKind::Drill,
        environment: environment.clone(),
        time,
        subject: format!(
            "Drill: roll back {environment} from {from} to {to} ({strategy}): {}",
            if passed { "passed" } else { "failed" }
        ),
        body,
        trailers: t,
        target: *target,
        names: vec![("from", from.to_string()), ("to", to.to_string())],
    }
}

/// The next free tie-breaker for a record in `env` written at `time`. It counts records of
/// every kind, so a restore written in the same second as its rollback still sorts after it.
fn next_seq(index: &Index, env: &EnvName, time: &str) -> u64 {
    index
        .records
        .iter()
        .filter(|c| &c.environment == env && c.time == time)
        .map(|c| c.seq)
        .max()
        .map_or(1, |s| s + 1)
}

/// Names the draft and formats its message. `taken` are names about to be written by the
/// same operation (so two records of one operation never collide).
pub fn compose(config: &Config, index: &Index, draft: &Draft, taken: &[TagName]) -> Result<NewTag, ComposeError> {
    if draft.kind != RecordKind::Deploy && draft.body.trim().is_empty() {
        return Err(ComposeError::NoReason);
    }
    let template = config.records.get(draft.kind);
    let time = draft.time.compact();
    let mut seq = next_seq(index, &draft.environment, &time);
    let mut vars: Vars = draft.names.iter().map(|(k, v)| (*k, v.clone())).collect();
    vars.insert("env", draft.environment.to_string());
    vars.insert("time", time);
    let name = loop {
        vars.insert("seq", seq.to_string());
        let name = TagName::new(template.render(&vars));
        if !taken.contains(&name) {
            break name;
        }
        seq += 1;
    };
    if !crate::model::is_valid_tag_name(name.as_str()) {
        return Err(ComposeError::BadName(name.to_string()));
    }
    let mut trailers = draft.trailers.clone();
    trailers.push(Trailer::new(FORMAT_KEY, &FORMAT_VERSION.to_string()));
    let message = trailers::format_message(&draft.subject, &draft.body, &trailers)?;
    Ok(NewTag {
        name,
        target: draft.target,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Person, Record, TagEntry};

    fn oid(n: u32) -> Oid {
        Oid::parse(&format!("{n:040x}")).unwrap()
    }

    #[test]
    fn a_composed_record_parses_back_and_takes_the_next_sequence_number() {
        let cfg = Config::defaults();
        let env = EnvName::parse("production").unwrap();
        let time = Timestamp::parse("2026-11-22T00:30:00Z").unwrap();
        let existing = TagEntry {
            name: TagName::new("deploy/production/20261122T003000Z.1-v1.0.0"),
            target: oid(9),
        };
        let index = Index::build(vec![existing], &cfg);
        let facts = DeployFacts {
            artifacts: vec!["img@sha256:1".into()],
            note: "Canary ok.".into(),
            ..Default::default()
        };
        let draft = deploy(&env, &TagName::new("v1.2.3"), &oid(1), time, &facts);
        let tag = compose(&cfg, &index, &draft, &[]).unwrap();
        assert_eq!(tag.name.as_str(), "deploy/production/20261122T003000Z.2-v1.2.3");
        let again = compose(&cfg, &index, &draft, std::slice::from_ref(&tag.name)).unwrap();
        assert_eq!(again.name.as_str(), "deploy/production/20261122T003000Z.3-v1.2.3");

        let annotation = Annotation {
            tagger: Some(Person {
                name: "A".into(),
                email: "a@x".into(),
            }),
            time: Some(time),
            message: tag.message.clone().into_bytes(),
        };
        let record = Record::parse(&tag.name, RecordKind::Deploy, Some("production"), Some(&annotation)).unwrap();
        assert_eq!(record.live_release().unwrap().as_str(), "v1.2.3");
        assert_eq!(record.body, "Canary ok.");
    }

    #[test]
    fn records_of_any_kind_in_one_second_get_increasing_sequence_numbers() {
        let cfg = Config::defaults();
        let env = EnvName::parse("production").unwrap();
        let rollback = TagEntry {
            name: TagName::new("rollback/production/20261122T003000Z.1-v2"),
            target: oid(9),
        };
        let index = Index::build(vec![rollback], &cfg);
        let time = Timestamp::parse("2026-11-22T00:30:00Z").unwrap();
        let facts = RollbackFacts {
            reason: "fixed".into(),
            ..Default::default()
        };
        let draft = restore(
            &env,
            &TagName::new("rollback/production/20261122T003000Z.1-v2"),
            &TagName::new("v2"),
            &oid(1),
            time,
            &facts,
        );
        let tag = compose(&cfg, &index, &draft, &[]).unwrap();
        assert_eq!(tag.name.as_str(), "restore/production/20261122T003000Z.2-v2");
    }

    #[test]
    fn a_rollback_needs_a_reason_and_single_line_trailers() {
        let cfg = Config::defaults();
        let env = EnvName::parse("production").unwrap();
        let index = Index::default();
        let (from, to) = (TagName::new("v2"), TagName::new("v1"));
        let mut facts = RollbackFacts {
            strategy: "deploy".into(),
            reason: "  ".into(),
            ..Default::default()
        };
        let draft = rollback(&env, &from, &to, &oid(1), Timestamp::utc(0), &facts);
        assert_eq!(compose(&cfg, &index, &draft, &[]).unwrap_err(), ComposeError::NoReason);
        facts.reason = "Broke checkout".into();
        facts.incident = Some("INC\n1".into());
        let draft = rollback(&env, &from, &to, &oid(1), Timestamp::utc(0), &facts);
        assert!(matches!(
            compose(&cfg, &index, &draft, &[]),
            Err(ComposeError::Trailer(_))
        ));
    }
}
