//! Executing a checked plan: verify the refs it expects, write the objects (revert commits, the
//! record), then every ref of the operation in one transaction, then the journal, then (only
//! for a checked-out branch that moved, with a clean work tree) the work tree through git.

use super::Push;
use super::journal::{self, Entry, RefRecord};
use crate::checklist::Checked;
use crate::config::Config;
use crate::git::{self, GitError, Reader, RefChange};
use crate::ledger::Index;
use crate::ledger::compose::{self, ComposeError, RollbackFacts};
use crate::model::{EnvName, Head, Identity, Oid, RepoState, TagName};
use crate::plan::{NamedCommit, Plan, Strategy};

/// How to execute, beyond the plan. The reason and the incident come from the plan only, so
/// that the record, the outcome document and the journal say what a saved plan says.
pub struct Options<'a> {
    /// Push the new branches and the record to the configured remote afterwards.
    pub push: bool,
    pub exec_deploy: bool,
    /// Take over the environment's lock from a holder that is gone (`--break-lock`).
    pub break_lock: bool,
    /// Polled while a driver runs; `true` (Ctrl-C) kills it.
    pub cancel: &'a dyn Fn() -> bool,
    /// The operation's name in the journal (`run`, `apply`, `restore`).
    pub command: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the plan is stale: `{ref_name}` was expected at {expected} but is {actual}")]
    Stale {
        ref_name: String,
        expected: String,
        actual: String,
    },
    #[error("reverting {commit} conflicts in {}", paths.join(", "))]
    Conflict { commit: Oid, paths: Vec<String> },
    #[error("the reverts produced tree {actual}, not the {expected} the plan expected")]
    TreeMismatch { expected: String, actual: Oid },
    #[error("the plan is invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Driver(#[from] super::driver::DriverError),
    #[error(transparent)]
    Lock(#[from] super::lock::LockError),
    #[error("the deployment layer was rolled back ({driver}), but the rollback could not be recorded: {source}")]
    NotRecorded { driver: String, source: Box<ApplyError> },
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error("cannot write the journal, so nothing was written (undo would not know this operation): {0}")]
    Journal(std::io::Error),
    #[error("interrupted before any ref was written; nothing was recorded")]
    Interrupted,
}

/// What execution did: the plan with everything created filled in.
#[derive(Debug, Clone)]
pub struct Applied {
    pub outcome: Plan,
    pub push: Push,
    pub deploy_output: Vec<(String, String)>,
    /// What went wrong without undoing the operation (the lock, the release directories).
    pub warnings: Vec<String>,
}

/// A created branch's full ref name (plans name branches short, backups in full).
fn full_branch_name(name: &str) -> String {
    if name.starts_with("refs/") {
        name.to_owned()
    } else {
        format!("refs/heads/{name}")
    }
}

fn oid(text: &str, what: &str) -> Result<Oid, ApplyError> {
    Oid::parse(text).map_err(|_| ApplyError::Invalid(format!("{what} `{text}` is not an object id")))
}

/// Executes `checked`. Nothing is written before every expectation has been verified; refs
/// are written in one transaction; a failure after objects were written leaves only
/// unreachable objects (and, from the groundwork, empty directories, an empty journal and
/// temporary pack files that are removed unless the process is killed).
pub fn execute(
    reader: &Reader,
    who: &Identity,
    config: &Config,
    index: &Index,
    state: &RepoState,
    checked: Checked<Plan>,
    opts: &Options<'_>,
) -> Result<Applied, ApplyError> {
    let mut plan = checked.into_plan();
    let reason = plan
        .reason
        .clone()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| ApplyError::Invalid("it has no reason".into()))?;
    let env = EnvName::parse(&plan.environment).map_err(|e| ApplyError::Invalid(e.to_string()))?;
    for e in &plan.expect {
        let actual = reader.ref_value(&e.ref_name)?.map(|o| o.to_string());
        if actual != e.value {
            return Err(ApplyError::Stale {
                ref_name: e.ref_name.clone(),
                expected: e.value.clone().unwrap_or_else(|| "absent".into()),
                actual: actual.unwrap_or_else(|| "absent".into()),
            });
        }
    }

    // The record's facts and draft; the draft is named now (its name does not depend on the
    // commits made below) so that its ref's directory can be made ahead.
    let to_commit = oid(&plan.to.commit, "target commit")?;
    let branch_name = plan
        .created
        .branches
        .iter()
        .find(|b| !b.name.starts_with("refs/"))
        .map(|b| b.name.clone());
    let mut facts = RollbackFacts {
        strategy: plan.strategy.as_str().to_owned(),
        reason: reason.clone(),
        incident: plan.incident.clone(),
        reverted: plan
            .reverts
            .iter()
            .map(|r| oid(&r.commit, "revert commit"))
            .collect::<Result<Vec<_>, _>>()?,
        created_commits: Vec::new(),
        branch: branch_name.clone(),
        driver: None,
        from_assumed: plan.from.assumed_live,
    };
    let time = who.time;
    let draft = |facts: &RollbackFacts, target: &Oid| match (&plan.strategy, &plan.restores) {
        (Strategy::Restore, Some(rollback)) => compose::restore(
            &env,
            &TagName::new(rollback.as_str()),
            &TagName::new(plan.from.tag.as_str()),
            target,
            time,
            facts,
        ),
        _ => compose::rollback(
            &env,
            &TagName::new(plan.from.tag.as_str()),
            &TagName::new(plan.to.tag.as_str()),
            target,
            time,
            facts,
        ),
    };
    let mut new_refs: Vec<String> = plan
        .created
        .branches
        .iter()
        .map(|b| full_branch_name(&b.name))
        .collect();
    new_refs.push(crate::plan::env_pointer(&env));
    if let Ok(named) = compose::compose(config, index, &draft(&facts, &to_commit), &[]) {
        new_refs.push(named.name.full_ref());
    }
    let reverting = matches!(plan.strategy, Strategy::Revert | Strategy::Restore);
    let groundwork = super::groundwork::start(reader, &new_refs, reverting);

    // Objects: revert commits, made in memory and written below with the record.
    let mut created_commits: Vec<Oid> = Vec::new();
    let mut tip: Option<Oid> = None;
    let mut new_objects = None;
    if reverting {
        let base = plan
            .base
            .as_ref()
            .ok_or_else(|| ApplyError::Invalid("a revert plan has no base branch".into()))?;
        let onto = oid(&base.commit, "base commit")?;
        let commits = plan
            .reverts
            .iter()
            .map(|r| {
                if r.mainline == 0 {
                    return Err(ApplyError::Invalid(format!(
                        "revert of {}: mainline must be 1 or more",
                        r.commit
                    )));
                }
                Ok(crate::model::range::RevertStep {
                    commit: oid(&r.commit, "revert commit")?,
                    mainline: r.mainline,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let keep = |p: &str| plan.keep_ours.iter().any(|k| k == p);
        let keep_ours: crate::git::KeepOurs<'_> = (!plan.keep_ours.is_empty()).then_some(&keep);
        let reverted = reader
            .revert_commits(&onto, &commits, who, keep_ours)?
            .map_err(|(commit, paths)| ApplyError::Conflict { commit, paths })?;
        if let Some(expected) = &plan.expected_tree
            && expected != reverted.tree.as_str()
        {
            return Err(ApplyError::TreeMismatch {
                expected: expected.clone(),
                actual: reverted.tree,
            });
        }
        tip = reverted.commits.last().copied();
        created_commits = reverted.commits;
        new_objects = Some(reverted.objects);
    }
    // The deployment layer (deploy strategy, `--exec-deploy`), under the environment's lock,
    // after every check and before the record: if it fails, nothing is recorded.
    let mut deploy_output = Vec::new();
    let mut driver_result: Option<(String, String)> = None;
    let mut held: Option<super::lock::EnvLock<'_>> = None;
    let mut warnings = Vec::new();
    if opts.exec_deploy {
        if plan.strategy != Strategy::Deploy {
            return Err(ApplyError::Invalid(
                "--exec-deploy runs the deployment layer, which only the deploy strategy rolls back".into(),
            ));
        }
        let dir = reader.workdir().unwrap_or_else(|| reader.git_dir());
        let lock = super::lock::acquire(
            reader,
            who,
            &env,
            &format!("roll back to {}", plan.to.tag),
            opts.break_lock,
        )?;
        warnings.extend(lock.took_over_note());
        held = Some(lock);
        let settings = config.env_settings(&env);
        let timeout = std::time::Duration::from_secs(settings.map_or(600, |s| s.timeout));
        let to = TagName::new(plan.to.tag.as_str());
        let from = TagName::new(plan.from.tag.as_str());
        let commit = oid(&plan.to.commit, "target commit")?;
        // The same values the plan's commands were rendered with, for GIT_ROLLBACK_*.
        let (version, artifact) = super::driver::release_facts(reader, index, &to);
        let target = super::driver::Target {
            env: &env,
            release: &to,
            version: &version,
            commit: &commit,
            artifact: &artifact,
            from: Some(&from),
            reason: &reason,
        };
        let action = super::driver::Action::Rollback;
        match settings.and_then(|s| s.driver.as_ref()) {
            Some(driver @ crate::config::Driver::Symlink { .. }) => {
                let ran = super::driver::run(reader, driver, action, &target, dir, timeout, opts.cancel)?;
                driver_result = Some((ran.driver.to_owned(), ran.summary.clone()));
                warnings.extend(ran.warnings);
                deploy_output.push((ran.summary, ran.output));
            }
            _ if plan.deploy_commands.is_empty() => {
                return Err(ApplyError::Invalid(format!(
                    "--exec-deploy: environment {env} has no rollback-command or release-directory driver"
                )));
            }
            // The commands the plan shows (and a saved plan holds), as planned.
            _ => {
                for cmd in &plan.deploy_commands {
                    let ran = super::driver::run_command(cmd, action, &target, dir, timeout, opts.cancel)?;
                    driver_result = Some((ran.driver.to_owned(), ran.summary.clone()));
                    deploy_output.push((cmd.clone(), ran.output));
                }
            }
        }
    }
    // After the driver ran, a failure to record says so (the deployment changed).
    let not_recorded = |e: ApplyError| match &driver_result {
        Some((driver, summary)) => ApplyError::NotRecorded {
            driver: format!("{driver}: {summary}"),
            source: Box::new(e),
        },
        None => e,
    };

    // The record.
    let record_target = tip.unwrap_or(to_commit);
    facts.created_commits = created_commits.clone();
    facts.driver = driver_result.clone();
    let record =
        compose::compose(config, index, &draft(&facts, &record_target), &[]).map_err(|e| not_recorded(e.into()))?;
    // Objects first: the revert's and the record's tag in one pack, or the tag alone.
    let pack_files = groundwork.wait();
    let record_object = match new_objects {
        Some(new) => reader.write_with_record(new, who, &record, pack_files),
        None => reader.write_tag_object(who, &record, false),
    }
    .map_err(|e| not_recorded(e.into()))?;
    crate::failpoint::hit("after-objects");

    // One transaction: branches, moved branches (with backup), the record, the env pointer.
    let mut changes = Vec::new();
    for b in &mut plan.created.branches {
        let commit = match &b.commit {
            Some(c) => oid(c, "branch commit")?,
            None => tip.ok_or_else(|| ApplyError::Invalid(format!("nothing to point `{}` at", b.name)))?,
        };
        b.commit = Some(commit.to_string());
        changes.push(RefChange::Create {
            name: full_branch_name(&b.name),
            new: commit,
        });
    }
    for m in &mut plan.moved {
        let new = match &m.new {
            Some(n) => oid(n, "moved ref")?,
            None => tip.ok_or_else(|| ApplyError::Invalid(format!("nothing to move `{}` to", m.ref_name)))?,
        };
        m.new = Some(new.to_string());
        changes.push(RefChange::Update {
            name: m.ref_name.clone(),
            old: oid(&m.old, "moved ref")?,
            new,
        });
    }
    changes.push(RefChange::Create {
        name: record.name.full_ref(),
        new: record_object,
    });
    let pointer = crate::plan::env_pointer(&env);
    match plan
        .expect
        .iter()
        .find(|e| e.ref_name == pointer)
        .and_then(|e| e.value.as_deref())
    {
        Some(old) => changes.push(RefChange::Update {
            name: pointer,
            old: oid(old, "env pointer")?,
            new: record_object,
        }),
        None => changes.push(RefChange::Create {
            name: pointer,
            new: record_object,
        }),
    }
    // A checked-out branch that moves takes its work tree along (through git); check that git
    // will do it before any ref is written, so a refusal leaves nothing behind.
    let mut worktree = None;
    if let (Head::Branch { name, .. }, Some(dir)) = (&state.head, reader.workdir()) {
        for m in &plan.moved {
            if m.ref_name == format!("refs/heads/{name}") {
                let new = m.new.clone().expect("filled above");
                let (old_tree, new_tree) = (format!("{}^{{tree}}", m.old), format!("{new}^{{tree}}"));
                git::exec::check_worktree_update(dir, &old_tree, &new_tree)?;
                worktree = Some((dir.to_path_buf(), old_tree, new_tree));
            }
        }
    }
    // The journal's entry first (durable), then the refs in one transaction, the work tree and
    // the entry's settled line: one stretch no signal cuts short. A signal that came before it,
    // while nothing ran in the deployment layer, stops here with nothing written.
    if driver_result.is_none() && (opts.cancel)() {
        return Err(ApplyError::Interrupted);
    }
    let whole = crate::interrupt::critical();
    let entry = Entry {
        seq: 0,
        id: record.name.to_string(),
        time: time.rfc3339(),
        command: opts.command.to_owned(),
        reason: Some(reason.clone()),
        changes: journal_changes(&changes),
        pushed: false,
        worktree: worktree
            .as_ref()
            .map(|(d, o, n)| (d.display().to_string(), o.clone(), n.clone())),
        pending: true,
    };
    let seq = journal::begin(reader.git_dir(), &entry).map_err(|e| not_recorded(ApplyError::Journal(e)))?;
    crate::failpoint::hit("after-journal");
    let reflog = format!("git-rollback: {} {} in {}", opts.command, plan.strategy.as_str(), env);
    if let Err(e) = git::apply_refs(reader, who, &changes, &reflog) {
        let _ = journal::settle(reader.git_dir(), seq, false);
        return Err(not_recorded(e.into()));
    }
    crate::failpoint::hit("after-refs");
    if let Some((dir, old_tree, new_tree)) = &worktree {
        git::exec::update_worktree(dir, old_tree, new_tree)?;
    }
    if let Err(e) = journal::settle(reader.git_dir(), seq, true) {
        warnings.push(format!(
            "the journal could not say that the refs were written ({e}); undo reads them instead"
        ));
    }
    drop(whole);

    plan.dry_run = false;
    plan.record = Some(record.name.to_string());
    plan.created.commits = created_commits.iter().map(|c| c.to_string()).collect();
    plan.created.tags = vec![record.name.to_string()];
    for step in &mut plan.next_steps {
        *step = step.replace("<record>", record.name.as_str());
    }

    let push = push_refs(
        reader,
        opts.push.then_some(config.remote.as_str()),
        &plan.created.branches,
        &record.name,
    );
    if matches!(push, Push::Pushed { .. })
        && let Err(e) = journal::mark_pushed(reader.git_dir(), seq)
    {
        warnings.push(format!(
            "the journal could not say that the rollback was pushed ({e}); do not `undo` it"
        ));
    }
    if let Some(lock) = held
        && let Err(e) = lock.release()
    {
        warnings.push(format!(
            "the environment's lock was not released as ours (someone broke it meanwhile?): {e}"
        ));
    }
    Ok(Applied {
        outcome: plan,
        push,
        deploy_output,
        warnings,
    })
}

fn journal_changes(changes: &[RefChange]) -> Vec<RefRecord> {
    changes
        .iter()
        .map(|c| match c {
            RefChange::Create { name, new } => RefRecord {
                ref_name: name.clone(),
                old: None,
                new: Some(new.to_string()),
            },
            RefChange::Update { name, old, new } => RefRecord {
                ref_name: name.clone(),
                old: Some(old.to_string()),
                new: Some(new.to_string()),
            },
            RefChange::Delete { name, old } => RefRecord {
                ref_name: name.clone(),
                old: Some(old.to_string()),
                new: None,
            },
        })
        .collect()
}

/// Pushes the new branches and the record (never a moved branch: that needs a pinned lease,
/// which the next steps show).
fn push_refs(reader: &Reader, remote: Option<&str>, branches: &[NamedCommit], record: &TagName) -> Push {
    let mut refs: Vec<String> = branches
        .iter()
        .filter(|b| !b.name.starts_with("refs/"))
        .map(|b| format!("refs/heads/{}", b.name))
        .collect();
    refs.push(record.full_ref());
    super::push(reader, remote, refs)
}
