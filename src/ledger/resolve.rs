//! Resolving each environment: the live release and the evidence for it, the previous stable
//! release and the bad ones. Reads objects lazily through `ObjectSource`, each at most once.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Index, LedgerError, RecordCandidate};
use crate::config::Config;
use crate::model::record::RecordDetail;
use crate::model::{
    Component, EnvName, ObjectKind, ObjectSource, Oid, Person, Record, RecordKind, TagEntry, TagName, TagObject,
    Timestamp,
};

/// How many release candidates the branch fallback tests for reachability before giving up.
const FALLBACK_CANDIDATES: usize = 256;

/// Why the tool believes a release is live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The newest record for the environment says so.
    Record {
        tag: TagName,
        kind: RecordKind,
        by: Option<Person>,
    },
    /// No record: the newest stable release reachable from the production branch.
    Branch { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// Index into `Index::releases`.
    pub release: usize,
    pub since: Option<Timestamp>,
    pub evidence: Evidence,
}

/// One environment (for one component) as the ledger sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvStatus {
    pub environment: EnvName,
    pub component: Component,
    pub live: Option<Live>,
    pub previous_stable: Option<usize>,
    /// Releases marked bad by a rollback record (and not restored), newest first.
    pub bad: Vec<usize>,
    /// Commits on the production branch not contained in the live release (when counted).
    pub unreleased_commits: Option<crate::model::CommitCount>,
}

/// Something in the ledger that is wrong but not fatal; shown as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    MalformedRecord { tag: TagName, message: String },
    NewerFormat { tag: TagName, version: u32 },
    UnknownRelease { record: TagName, release: TagName },
    NotACommit { tag: TagName, kind: ObjectKind },
    Unreadable { tag: TagName, message: String },
}

/// The production branch: configured, else `main`, else `master`, else the checked-out branch.
pub fn production_branch<'s>(config: &Config, state: &'s crate::model::RepoState) -> Option<(&'s str, &'s Oid)> {
    let find = |name: &str| {
        state
            .branches
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, id)| (n.as_str(), id))
    };
    if let Some(name) = &config.production_branch {
        return find(name);
    }
    find("main")
        .or_else(|| find("master"))
        .or_else(|| state.remote_head.as_deref().and_then(find))
        .or_else(|| match &state.head {
            crate::model::Head::Branch { name, .. } => find(name),
            crate::model::Head::Detached(_) => None,
        })
}

/// Answers questions about the ledger, reading objects on demand and caching them.
pub struct Resolver<'a> {
    pub index: &'a Index,
    source: &'a dyn ObjectSource,
    objects: RefCell<HashMap<TagName, Option<TagObject>>>,
    records: RefCell<HashMap<TagName, Result<Record, String>>>,
    problems: RefCell<Vec<Problem>>,
}

impl<'a> Resolver<'a> {
    pub fn new(index: &'a Index, source: &'a dyn ObjectSource) -> Self {
        Resolver {
            index,
            source,
            objects: RefCell::default(),
            records: RefCell::default(),
            problems: RefCell::default(),
        }
    }

    /// Problems found so far, in the order found, without repeats.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::new();
        for p in self.problems.borrow().iter() {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }

    fn problem(&self, p: Problem) {
        self.problems.borrow_mut().push(p);
    }

    /// The tag's object, read once; `None` (and a problem noted) if it cannot be read.
    pub fn object(&self, entry: &TagEntry) -> Option<TagObject> {
        if let Some(hit) = self.objects.borrow().get(&entry.name) {
            return hit.clone();
        }
        let read = match self.source.read_tag(entry) {
            Ok(o) => Some(o),
            Err(e) => {
                self.problem(Problem::Unreadable {
                    tag: entry.name.clone(),
                    message: e.to_string(),
                });
                None
            }
        };
        self.objects.borrow_mut().insert(entry.name.clone(), read.clone());
        read
    }

    /// The commit a release points at; `None` (and a problem) if it is not a commit.
    pub fn release_commit(&self, release: usize) -> Option<Oid> {
        let entry = &self.index.releases[release].entry;
        let obj = self.object(entry)?;
        if obj.points_to != ObjectKind::Commit {
            self.problem(Problem::NotACommit {
                tag: entry.name.clone(),
                kind: obj.points_to,
            });
            return None;
        }
        Some(obj.peeled)
    }

    /// The date of a release: the tagger date, or the commit date of a lightweight tag.
    pub fn release_date(&self, release: usize) -> Option<Timestamp> {
        let obj = self.object(&self.index.releases[release].entry)?;
        obj.annotation.as_ref().and_then(|a| a.time).or(obj.commit_time)
    }

    /// A record candidate confirmed by its trailers, parsed once.
    pub fn record(&self, candidate: &RecordCandidate) -> Option<Record> {
        self.record_or_problem(candidate).ok()
    }

    /// A record candidate confirmed by its trailers, or why it is not a record (unreadable or
    /// malformed; also noted as a problem). Parsed once.
    pub fn record_or_problem(&self, candidate: &RecordCandidate) -> Result<Record, String> {
        let name = &candidate.entry.name;
        if let Some(hit) = self.records.borrow().get(name) {
            return hit.clone();
        }
        let parsed = match self.object(&candidate.entry) {
            None => Err(format!("cannot read tag `{name}`")),
            Some(obj) => match Record::parse(
                name,
                candidate.kind,
                Some(candidate.environment.as_str()),
                obj.annotation.as_ref(),
            ) {
                Ok(r) => {
                    if r.is_newer_format() {
                        self.problem(Problem::NewerFormat {
                            tag: name.clone(),
                            version: r.format_version,
                        });
                    }
                    Ok(r)
                }
                Err(e) => {
                    self.problem(Problem::MalformedRecord {
                        tag: name.clone(),
                        message: e.to_string(),
                    });
                    Err(e.to_string())
                }
            },
        };
        self.records.borrow_mut().insert(name.clone(), parsed.clone());
        parsed
    }

    /// The release a record points at, if it is a known release of `component`.
    fn release_of(&self, record: &Record, tag: &TagName, component: &Component) -> Option<usize> {
        match self.index.release_position(tag) {
            Some(i) => (self.index.releases[i].component == *component).then_some(i),
            None => {
                self.problem(Problem::UnknownRelease {
                    record: record.tag.clone(),
                    release: tag.clone(),
                });
                None
            }
        }
    }

    fn candidates<'s>(&'s self, env: &'s EnvName) -> impl Iterator<Item = &'s RecordCandidate> + 's {
        self.index.records.iter().filter(move |c| &c.environment == env)
    }

    /// Releases of `component` marked bad in `env`: the from-release of every rollback record,
    /// unless a restore record undid that rollback.
    pub fn bad_releases(&self, env: &EnvName, component: &Component) -> Vec<usize> {
        let records: Vec<Record> = self
            .candidates(env)
            .filter(|c| matches!(c.kind, RecordKind::Rollback | RecordKind::Restore))
            .filter_map(|c| self.record(c))
            .collect();
        let restored: Vec<&TagName> = records
            .iter()
            .filter_map(|r| match &r.detail {
                RecordDetail::Restore { rollback, .. } => Some(rollback),
                _ => None,
            })
            .collect();
        let mut bad = Vec::new();
        for r in &records {
            if let RecordDetail::Rollback { from, .. } = &r.detail
                && !restored.contains(&&r.tag)
                && let Some(i) = self.release_of(r, from, component)
                && !bad.contains(&i)
            {
                bad.push(i);
            }
        }
        bad.sort_unstable();
        bad
    }

    /// The live release of `component` in `env`: the newest confirmed record, else the newest
    /// stable release reachable from the production branch.
    pub fn live(
        &self,
        env: &EnvName,
        component: &Component,
        bad: &[usize],
        branch: Option<(&str, &Oid)>,
    ) -> Result<Option<Live>, LedgerError> {
        for c in self.candidates(env) {
            let Some(record) = self.record(c) else {
                continue;
            };
            let Some(said) = record.live_release() else {
                continue;
            };
            let Some(release) = self.release_of(&record, said, component) else {
                continue;
            };
            let evidence = Evidence::Record {
                tag: record.tag.clone(),
                kind: record.kind,
                by: record.by.clone(),
            };
            return Ok(Some(Live {
                release,
                since: Some(record.time),
                evidence,
            }));
        }
        let Some((branch, tip)) = branch else {
            return Ok(None);
        };
        let found = self.newest_reachable(component, tip, branch, |i| {
            !self.index.releases[i].is_prerelease() && !bad.contains(&i)
        })?;
        Ok(found.map(|i| Live {
            release: i,
            since: self.release_date(i),
            evidence: Evidence::Branch {
                name: branch.to_owned(),
            },
        }))
    }

    /// The newest release of `component` (passing `keep`) whose commit is reachable from `tip`
    /// (named `what` in errors); tries the newest `FALLBACK_CANDIDATES` candidates.
    pub fn newest_reachable(
        &self,
        component: &Component,
        tip: &Oid,
        what: &str,
        keep: impl Fn(usize) -> bool,
    ) -> Result<Option<usize>, LedgerError> {
        for i in self
            .component_releases(component)
            .filter(|i| keep(*i))
            .take(FALLBACK_CANDIDATES)
        {
            let Some(commit) = self.release_commit(i) else {
                continue;
            };
            let reachable = self
                .source
                .is_ancestor(&commit, tip)
                .map_err(|source| LedgerError::Read {
                    what: format!("whether {} is on {what}", self.index.releases[i].entry.name),
                    source,
                })?;
            if reachable {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// The release branches (by config) that exist, and those of them whose tip contains `commit`.
    pub fn release_branches(
        &self,
        config: &Config,
        state: &crate::model::RepoState,
        commit: &Oid,
    ) -> Result<(Vec<String>, Vec<String>), LedgerError> {
        let production = production_branch(config, state).map(|(n, _)| n);
        let mut all = Vec::new();
        let mut containing = Vec::new();
        for (name, tip) in &state.branches {
            if !config.is_release_branch(name, production) {
                continue;
            }
            all.push(name.clone());
            let contains = self
                .source
                .is_ancestor(commit, tip)
                .map_err(|source| LedgerError::Read {
                    what: format!("whether {name} contains {commit}"),
                    source,
                })?;
            if contains {
                containing.push(name.clone());
            }
        }
        Ok((all, containing))
    }

    fn component_releases<'s>(&'s self, component: &'s Component) -> impl Iterator<Item = usize> + 's {
        self.index
            .releases
            .iter()
            .enumerate()
            .filter(move |(_, r)| &r.component == component)
            .map(|(i, _)| i)
    }

    /// The newest release older than `live`, not a pre-release, not bad, pointing at a commit.
    pub fn previous_stable(&self, live: usize, bad: &[usize]) -> Option<usize> {
        let live_release = &self.index.releases[live];
        self.component_releases(&live_release.component)
            .filter(|i| {
                let r = &self.index.releases[*i];
                r.version.cmp_precedence(&live_release.version).is_lt() && !r.is_prerelease() && !bad.contains(i)
            })
            .find(|i| self.release_commit(*i).is_some())
    }

    /// The newest readable drill record of `env`.
    pub fn last_drill(&self, env: &EnvName) -> Option<Record> {
        self.candidates(env)
            .filter(|c| c.kind == RecordKind::Drill)
            .find_map(|c| self.record(c))
    }

    /// The whole status of one environment for one component. Counting the unreleased
    /// commits walks the production branch down to the live release (on a long history, most
    /// of the cost): only with `count_unreleased`, for views that show the count.
    pub fn status(
        &self,
        env: &EnvName,
        component: &Component,
        branch: Option<(&str, &Oid)>,
        count_unreleased: bool,
    ) -> Result<EnvStatus, LedgerError> {
        let bad = self.bad_releases(env, component);
        let live = self.live(env, component, &bad, branch)?;
        let previous_stable = live.as_ref().and_then(|l| self.previous_stable(l.release, &bad));
        let unreleased_commits = match branch.filter(|_| count_unreleased) {
            None => None,
            Some((name, tip)) => {
                let hide = live.as_ref().and_then(|l| self.release_commit(l.release));
                Some(
                    self.source
                        .count_commits(tip, hide.as_ref())
                        .map_err(|source| LedgerError::Read {
                            what: format!("the commits on {name}"),
                            source,
                        })?,
                )
            }
        };
        Ok(EnvStatus {
            environment: env.clone(),
            component: component.clone(),
            live,
            previous_stable,
            bad,
            unreleased_commits,
        })
    }

    /// Status of every environment for every component that has releases (or the default one).
    pub fn statuses(
        &self,
        envs: &[EnvName],
        branch: Option<(&str, &Oid)>,
        count_unreleased: bool,
    ) -> Result<Vec<EnvStatus>, LedgerError> {
        let mut components = self.index.components();
        if components.is_empty() {
            components.push(Component::DEFAULT);
        }
        let mut out = Vec::new();
        for env in envs {
            for component in &components {
                out.push(self.status(env, component, branch, count_unreleased)?);
            }
        }
        Ok(out)
    }
}
