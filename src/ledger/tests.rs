//! Unit tests of the ledger logic on constructed tag lists (no Git).

use std::collections::HashMap;
use std::path::Path;

use super::views::{release_info, status_info};
use super::*;
use crate::config::Config;
use crate::model::*;

fn oid(n: u32) -> Oid {
    Oid::parse(&format!("{n:040x}")).unwrap()
}

/// A fake repository: tag objects by name, a linear history of commits 1..=tip.
#[derive(Default)]
struct Fake {
    tags: Vec<TagEntry>,
    objects: HashMap<String, TagObject>,
    /// commit number of each release tag (commits are numbered along one line of history)
    time: i64,
}

impl Fake {
    fn release(&mut self, name: &str, commit: u32) -> &mut Self {
        self.tag(name, commit, Some(format!("Release {name}\n\nMigration: none\n")));
        self
    }
    fn lightweight(&mut self, name: &str, commit: u32) -> &mut Self {
        self.tag(name, commit, None);
        self
    }
    fn tag(&mut self, name: &str, commit: u32, message: Option<String>) {
        self.time += 60;
        let target = if message.is_some() {
            oid(100_000 + self.tags.len() as u32)
        } else {
            oid(commit)
        };
        self.tags.push(TagEntry {
            name: TagName::new(name),
            target,
        });
        self.objects.insert(
            name.to_owned(),
            TagObject {
                annotation: message.map(|m| Annotation {
                    tagger: Some(Person {
                        name: "Rel Eng".into(),
                        email: "re@x".into(),
                    }),
                    time: Some(Timestamp::utc(self.time)),
                    message: m.into_bytes(),
                }),
                points_to: ObjectKind::Commit,
                peeled: oid(commit),
                commit_time: Some(Timestamp::utc(self.time)),
                commit_subject: Some(format!("commit {commit}")),
            },
        );
    }
    /// A record; `time` is the compact time in its name, trailers are given as text.
    fn record(&mut self, name: &str, trailers: &str) -> &mut Self {
        let t = Timestamp::parse(name.split('/').nth(2).unwrap().split('.').next().unwrap()).unwrap();
        self.tags.push(TagEntry {
            name: TagName::new(name),
            target: oid(200_000 + self.tags.len() as u32),
        });
        self.objects.insert(
            name.to_owned(),
            TagObject {
                annotation: Some(Annotation {
                    tagger: Some(Person {
                        name: "On Call".into(),
                        email: "oc@x".into(),
                    }),
                    time: Some(t),
                    message: format!("Subject\n\nBody.\n\n{trailers}\n").into_bytes(),
                }),
                points_to: ObjectKind::Commit,
                peeled: oid(1),
                commit_time: None,
                commit_subject: None,
            },
        );
        self
    }
    fn deploy(&mut self, env: &str, time: &str, seq: u32, release: &str) -> &mut Self {
        let name = format!("deploy/{env}/{time}.{seq}-{release}");
        self.record(&name, &format!("Deploy-Environment: {env}\nDeploy-Release: {release}"))
    }
    fn rollback(&mut self, env: &str, time: &str, from: &str, to: &str) -> &mut Self {
        let name = format!("rollback/{env}/{time}.1-{from}");
        self.record(
            &name,
            &format!(
                "Rollback-Environment: {env}\nRollback-From: {from}\nRollback-To: {to}\nRollback-Strategy: revert"
            ),
        )
    }
}

impl ObjectSource for Fake {
    fn read_tag(&self, entry: &TagEntry) -> Result<TagObject, SourceError> {
        self.objects
            .get(entry.name.as_str())
            .cloned()
            .ok_or_else(|| "missing".into())
    }
    fn is_ancestor(&self, a: &Oid, d: &Oid) -> Result<bool, SourceError> {
        Ok(a <= d)
    }
    fn count_commits(&self, tip: &Oid, hide: Option<&Oid>) -> Result<CommitCount, SourceError> {
        let n = |o: &Oid| u32::from_str_radix(o.as_str(), 16).unwrap() as usize;
        Ok(CommitCount {
            commits: n(tip) - hide.map(n).unwrap_or(0),
            cut: false,
        })
    }
}

fn env(name: &str) -> EnvName {
    EnvName::parse(name).unwrap()
}

fn tag_of(r: &Resolver<'_>, i: Option<usize>) -> Option<String> {
    i.map(|i| r.index.releases[i].entry.name.to_string())
}

fn live_tag(r: &Resolver<'_>, s: &EnvStatus) -> Option<String> {
    tag_of(r, s.live.as_ref().map(|l| l.release))
}

fn config(text: &str) -> Config {
    Config::parse(text, Path::new("rollback.toml")).unwrap()
}

#[test]
fn live_is_the_newest_record_and_a_rollback_marks_the_from_release_bad() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1)
        .release("v1.1.0", 2)
        .release("v1.2.0", 3)
        .release("v1.3.0", 4);
    f.deploy("production", "20260101T010000Z", 1, "v1.1.0")
        .deploy("production", "20260102T010000Z", 1, "v1.3.0")
        .rollback("production", "20260103T010000Z", "v1.3.0", "v1.2.0");
    let cfg = Config::defaults();
    let index = Index::build(f.tags.clone(), &cfg);
    let r = Resolver::new(&index, &f);
    let tip = oid(6);
    let s = r
        .status(&env("production"), &Component::DEFAULT, Some(("main", &tip)), true)
        .unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.2.0"));
    assert!(matches!(
        &s.live.as_ref().unwrap().evidence,
        Evidence::Record {
            kind: RecordKind::Rollback,
            ..
        }
    ));
    assert_eq!(
        s.bad
            .iter()
            .map(|i| index.releases[*i].entry.name.as_str())
            .collect::<Vec<_>>(),
        ["v1.3.0"]
    );
    assert_eq!(tag_of(&r, s.previous_stable).as_deref(), Some("v1.1.0"));
    assert_eq!(s.unreleased_commits, Some(CommitCount { commits: 3, cut: false }));
    assert!(r.problems().is_empty(), "{:?}", r.problems());
}

#[test]
fn previous_stable_skips_bad_and_prerelease_releases() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1)
        .release("v1.1.0", 2)
        .release("v1.2.0-rc.1", 3)
        .release("v1.2.0", 4)
        .release("v1.3.0", 5);
    f.rollback("production", "20260101T010000Z", "v1.2.0", "v1.1.0").deploy(
        "production",
        "20260102T010000Z",
        1,
        "v1.3.0",
    );
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let r = Resolver::new(&index, &f);
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.3.0"));
    assert_eq!(tag_of(&r, s.previous_stable).as_deref(), Some("v1.1.0"));
    assert_eq!(s.unreleased_commits, None);
}

#[test]
fn without_records_live_falls_back_to_the_newest_stable_release_on_the_branch() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1)
        .release("v1.1.0", 2)
        .release("v1.2.0-rc.1", 3)
        .release("v2.0.0", 9);
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let r = Resolver::new(&index, &f);
    let tip = oid(5); // v2.0.0 (commit 9) is not on the branch
    let s = r
        .status(&env("production"), &Component::DEFAULT, Some(("main", &tip)), true)
        .unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.1.0"));
    assert_eq!(
        s.live.as_ref().unwrap().evidence,
        Evidence::Branch { name: "main".into() }
    );
    assert_eq!(tag_of(&r, s.previous_stable).as_deref(), Some("v1.0.0"));
    // No branch and no record: nothing is known.
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert!(s.live.is_none() && s.previous_stable.is_none());
}

#[test]
fn records_in_the_same_second_are_ordered_by_their_sequence_number() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1).release("v1.1.0", 2);
    f.deploy("staging", "20260101T010000Z", 10, "v1.1.0")
        .deploy("staging", "20260101T010000Z", 9, "v1.0.0");
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let r = Resolver::new(&index, &f);
    let s = r.status(&env("staging"), &Component::DEFAULT, None, true).unwrap();
    assert_eq!(
        live_tag(&r, &s).as_deref(),
        Some("v1.1.0"),
        "seq 10 is newer than seq 9"
    );
}

#[test]
fn a_restore_lifts_the_bad_mark_and_makes_the_release_live_again() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1).release("v1.1.0", 2);
    f.deploy("production", "20260101T010000Z", 1, "v1.1.0").rollback(
        "production",
        "20260102T010000Z",
        "v1.1.0",
        "v1.0.0",
    );
    f.record(
        "restore/production/20260103T010000Z.1-v1.1.0",
        "Restore-Environment: production\nRestore-Rollback: rollback/production/20260102T010000Z.1-v1.1.0\nRestore-Release: v1.1.0",
    );
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let r = Resolver::new(&index, &f);
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.1.0"));
    assert!(s.bad.is_empty());
}

#[test]
fn malformed_and_dangling_records_are_reported_and_skipped() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1);
    f.deploy("production", "20260101T010000Z", 1, "v1.0.0");
    f.deploy("production", "20260102T010000Z", 1, "v9.9.9");
    f.record("deploy/production/20260103T010000Z.1-v1.0.0", "Not-A-Record: x");
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let r = Resolver::new(&index, &f);
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.0.0"));
    let problems = r.problems();
    assert!(
        problems.iter().any(|p| matches!(p, Problem::MalformedRecord { .. })),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::UnknownRelease { release, .. } if release.as_str() == "v9.9.9"))
    );
}

#[test]
fn only_the_records_needed_are_read() {
    // Reading the live release of an environment must not decode every deploy record.
    struct Counting<'a>(&'a Fake, std::cell::Cell<usize>);
    impl ObjectSource for Counting<'_> {
        fn read_tag(&self, e: &TagEntry) -> Result<TagObject, SourceError> {
            self.1.set(self.1.get() + 1);
            self.0.read_tag(e)
        }
        fn is_ancestor(&self, a: &Oid, d: &Oid) -> Result<bool, SourceError> {
            self.0.is_ancestor(a, d)
        }
        fn count_commits(&self, t: &Oid, h: Option<&Oid>) -> Result<CommitCount, SourceError> {
            self.0.count_commits(t, h)
        }
    }
    let mut f = Fake::default();
    for i in 0..200u32 {
        f.release(&format!("v1.0.{i}"), i + 1);
        f.deploy(
            "production",
            &format!("2026010{}T{:02}{:02}00Z", 1 + i / 60 / 24, i / 60 % 24, i % 60),
            1,
            &format!("v1.0.{i}"),
        );
    }
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let counting = Counting(&f, Default::default());
    let r = Resolver::new(&index, &counting);
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("v1.0.199"));
    assert!(counting.1.get() <= 4, "read {} objects", counting.1.get());
}

#[test]
fn monorepo_components_resolve_separately() {
    let mut f = Fake::default();
    f.release("api-v1.0.0", 1)
        .release("api-v1.1.0", 2)
        .release("web/v2.0.0", 3)
        .release("v0.9.0", 4);
    f.deploy("production", "20260101T010000Z", 1, "api-v1.1.0").deploy(
        "production",
        "20260102T010000Z",
        1,
        "web/v2.0.0",
    );
    let cfg = config("[components.api]\nprefix = 'api-v'\n[components.web]\npattern = '^web/v(?P<version>.+)$'\n");
    let index = Index::build(f.tags.clone(), &cfg);
    let comps: Vec<_> = index.components().iter().map(|c| c.name().map(str::to_owned)).collect();
    assert_eq!(comps, [Some("api".into()), Some("web".into()), None]);
    let r = Resolver::new(&index, &f);
    let api = cfg.component(Some("api")).unwrap();
    let s = r.status(&env("production"), api, None, true).unwrap();
    assert_eq!(live_tag(&r, &s).as_deref(), Some("api-v1.1.0"));
    assert_eq!(tag_of(&r, s.previous_stable).as_deref(), Some("api-v1.0.0"));
    let s = r.status(&env("production"), &Component::DEFAULT, None, true).unwrap();
    assert!(s.live.is_none(), "no record names a default-component release");
}

#[test]
fn views_carry_flags_dates_and_duplicates() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1).lightweight("1.0.0", 2).release("v1.1.0-rc.1", 3);
    f.deploy("staging", "20260101T010000Z", 1, "v1.1.0-rc.1");
    let index = Index::build(f.tags.clone(), &Config::defaults());
    assert_eq!(index.duplicate_versions(), vec![vec![1, 2]]);
    let r = Resolver::new(&index, &f);
    let statuses = r
        .statuses(&index.environments(&Config::defaults()), None, true)
        .unwrap();
    let envs: Vec<_> = statuses.iter().map(|s| s.environment.as_str()).collect();
    assert_eq!(
        envs,
        ["production", "staging"],
        "configured first, then those found in records"
    );
    let rc = release_info(&r, 0, &statuses, false);
    assert_eq!(
        (rc.tag.as_str(), rc.prerelease, rc.live_in.len()),
        ("v1.1.0-rc.1", true, 1)
    );
    let light = release_info(&r, 1, &statuses, true);
    assert_eq!(light.tag.as_str(), "1.0.0");
    assert!(!light.annotated && light.duplicate && light.date.is_some());
    assert_eq!(light.subject, "commit 2");
    let info = status_info(&r, &statuses[1]);
    assert_eq!(info.live.unwrap().release.commit, Some(oid(3)));
}

#[test]
fn non_release_tags_are_classified_not_fatal() {
    let mut f = Fake::default();
    f.release("v1.0.0", 1)
        .lightweight("latest", 1)
        .lightweight("v01.2.3", 1)
        .lightweight("v1.2", 1);
    let index = Index::build(f.tags.clone(), &Config::defaults());
    assert_eq!(index.releases.len(), 1);
    assert_eq!(index.malformed.len(), 1);
    assert_eq!(
        index.other.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        ["latest", "v1.2"]
    );
}

#[test]
fn four_part_versions_are_releases_ordered_numerically() {
    let mut f = Fake::default();
    f.release("v2.0.0.10", 3)
        .release("v2.0.0.9", 2)
        .release("v2.0.1", 4)
        .release("v2.0.0", 1);
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let names: Vec<&str> = index.releases.iter().map(|r| r.entry.name.as_str()).collect();
    assert_eq!(names, ["v2.0.1", "v2.0.0.10", "v2.0.0.9", "v2.0.0"]);
    assert!(index.malformed.is_empty() && index.duplicate_versions().is_empty());
    let newest = &index.releases[1].version;
    let next = tagging::next_version(&index, &Component::DEFAULT, tagging::Bump::Patch, None, Some(newest));
    assert_eq!(next.unwrap().to_string(), "2.0.0.11");
}

#[test]
fn a_component_matching_no_tag_is_reported_with_near_misses() {
    let mut f = Fake::default();
    f.release("api-v1.0.0", 1)
        .release("lib-1.0.0", 2)
        .release("Lib_v1.1.0", 3)
        .release("libra-2.0", 3)
        .release("docs-1", 4)
        .release("nightly", 4);
    let cfg = config(
        "[components.api]\nprefix = 'api-v'\n[components.lib]\nprefix = 'lib-v'\n[components.ui]\nprefix = 'ui-v'\n",
    );
    let index = Index::build(f.tags.clone(), &cfg);
    let unmatched = index.unmatched_components();
    let shown: Vec<(&str, Vec<&str>)> = unmatched
        .iter()
        .map(|u| (u.component.name().unwrap(), u.near.iter().map(|t| t.as_str()).collect()))
        .collect();
    assert_eq!(
        shown,
        [("lib", vec!["lib-1.0.0", "Lib_v1.1.0", "libra-2.0"]), ("ui", vec![])]
    );
    assert_eq!(unmatched[0].pattern, r"^lib\-v(?P<version>[0-9].*)$");
    assert_eq!(index.no_release_matches(), None, "api has releases");
}

#[test]
fn tags_without_any_release_name_the_pattern_setting() {
    let mut f = Fake::default();
    f.release("rel-2024.01", 1).release("build-7", 2);
    let index = Index::build(f.tags.clone(), &Config::defaults());
    let pattern = index.no_release_matches().expect("tags exist, none is a release");
    assert!(pattern.contains("(?P<version>"), "{pattern}");
    let empty = Index::build(Vec::new(), &Config::defaults());
    assert_eq!(
        empty.no_release_matches(),
        None,
        "no tags at all is not a pattern problem"
    );
}
