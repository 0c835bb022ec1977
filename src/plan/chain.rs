//! Which commits a revert rollback reverts, and to which parent: the path from the live release
//! down to the target (read by `git`), less the commits whose effect is already gone. Pure.
//!
//! Left out, and listed:
//! - a commit and its own revert both on the path cancel: neither is reverted (reverting only
//!   the revert, as before, re-applied the original). `PathCommit::reverts` names only the
//!   commits a revert exactly inverts (the git layer compares their changes), so a "revert"
//!   that also changed other lines is reverted like any commit;
//! - a commit of the path that a later commit on the production branch reverted (and nothing
//!   later brought back) is already undone there;
//! - a commit whose tree equals its parent's would revert to nothing.
//!
//! Whatever this chooses, the preview checks that the chain lands where a rollback must land
//! (`model::range::Landing`): the selection may be heuristic (it reads revert messages), the
//! result is not taken on trust.

use std::collections::{HashMap, HashSet};

use crate::model::Oid;
use crate::model::range::{RangeFacts, RevertStep, reverted_ids};

/// The reverts of a rollback, newest first, and what was left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chain {
    pub steps: Vec<RevertStep>,
    /// `(commit, its revert)`, both on the path: left out together.
    pub cancelled: Vec<(Oid, Oid)>,
    /// `(commit, the later commit that reverted it)`: already undone on the production branch.
    pub reverted_later: Vec<(Oid, Oid)>,
    /// Commits that change nothing against the parent they would be reverted to.
    pub empty: Vec<Oid>,
}

impl Chain {
    /// The commits left out because their effect is already gone: each cancelled pair (the
    /// revert first) and each commit reverted later (the plan's `skipped`).
    pub fn left_out(&self) -> Vec<Oid> {
        let mut out: Vec<Oid> = self.cancelled.iter().flat_map(|(a, b)| [*b, *a]).collect();
        out.extend(self.reverted_later.iter().map(|(c, _)| *c));
        out
    }

    /// The steps for the commits asked for (ids or unique prefixes of at least 7 digits), in the
    /// chain's order; `Err` names the one that is not in the chain or is ambiguous.
    pub fn subset(&self, wanted: &[String]) -> Result<Vec<RevertStep>, SubsetError> {
        let mut picked = HashSet::new();
        for w in wanted {
            let w_lower = w.to_ascii_lowercase();
            let matches: Vec<&RevertStep> = self
                .steps
                .iter()
                .filter(|s| w.len() >= 7 && s.commit.as_str().starts_with(&w_lower))
                .collect();
            match matches.as_slice() {
                [one] => {
                    picked.insert(one.commit);
                }
                [] => return Err(SubsetError::NotInChain(w.clone())),
                _ => return Err(SubsetError::Ambiguous(w.clone())),
            }
        }
        Ok(self
            .steps
            .iter()
            .filter(|s| picked.contains(&s.commit))
            .copied()
            .collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubsetError {
    NotInChain(String),
    Ambiguous(String),
}

/// The chain of `range`: its path, less cancelled pairs, commits reverted later and empty ones.
pub fn chain(range: &RangeFacts) -> Chain {
    let mut out = Chain::default();
    // Later commits on the production branch, newest first: a revert there that nothing later
    // cancelled undoes a commit for good.
    let mut cancelled_later: HashSet<Oid> = HashSet::new();
    let later_ids: HashSet<Oid> = range.later.iter().map(|c| c.id).collect();
    let on_path: HashMap<Oid, usize> = range.path.iter().enumerate().map(|(i, c)| (c.step.commit, i)).collect();
    let mut undone_later: HashMap<Oid, Oid> = HashMap::new();
    for c in &range.later {
        if cancelled_later.contains(&c.id) {
            continue;
        }
        for id in reverted_ids(&c.message) {
            if later_ids.contains(&id) {
                cancelled_later.insert(id);
            } else if on_path.contains_key(&id) {
                undone_later.entry(id).or_insert(c.id);
            }
        }
    }
    // The path, newest first: a revert cancels the (older) commit it reverts when both are on
    // the path; a revert of a revert cancels that revert first, so the original stays.
    let mut cancelled: HashSet<Oid> = HashSet::new();
    for (at, c) in range.path.iter().enumerate() {
        let id = c.step.commit;
        if cancelled.contains(&id) || undone_later.contains_key(&id) {
            continue;
        }
        if let Some(target) = c
            .reverts
            .iter()
            .find(|r| on_path.get(r).is_some_and(|&i| i > at) && !cancelled.contains(r))
        {
            cancelled.insert(*target);
            cancelled.insert(id);
            out.cancelled.push((*target, id));
        }
    }
    for c in &range.path {
        let id = c.step.commit;
        if cancelled.contains(&id) {
            continue;
        }
        if let Some(by) = undone_later.get(&id) {
            out.reverted_later.push((id, *by));
        } else if c.empty {
            out.empty.push(id);
        } else {
            out.steps.push(c.step);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::range::{CommitInfo, PathCommit};
    use crate::model::{Person, Timestamp};

    fn oid(n: u8) -> Oid {
        Oid::parse(&format!("{:040x}", n)).unwrap()
    }

    fn on_path(n: u8, reverts: &[u8]) -> PathCommit {
        PathCommit {
            step: RevertStep::first_parent(oid(n)),
            empty: false,
            reverts: reverts.iter().map(|r| oid(*r)).collect(),
        }
    }

    fn later(n: u8, reverts: &[u8]) -> CommitInfo {
        let message = reverts
            .iter()
            .map(|r| format!("Revert\n\nThis reverts commit {}.\n", oid(*r)))
            .collect::<String>();
        CommitInfo {
            id: oid(n),
            parents: vec![],
            subject: "s".into(),
            message,
            author: Person {
                name: "a".into(),
                email: "a@x".into(),
            },
            time: Timestamp::utc(0),
            paths: vec![],
        }
    }

    fn range(path: Vec<PathCommit>, later: Vec<CommitInfo>) -> RangeFacts {
        RangeFacts {
            live: oid(100),
            target: oid(0),
            target_is_ancestor: true,
            history_cut: None,
            commits: vec![],
            total_commits: path.len(),
            path,
            later,
            later_total: 0,
            later_with_paths: 0,
            changes: vec![],
            renames_found: true,
            live_migration_files: vec![],
            migrations: vec![],
            config: vec![],
            missing: vec![],
            revert: None,
        }
    }

    fn ids(steps: &[RevertStep]) -> Vec<Oid> {
        steps.iter().map(|s| s.commit).collect()
    }

    #[test]
    fn a_commit_and_its_revert_on_the_path_cancel() {
        // newest first: 4 reverts 2
        let c = chain(&range(
            vec![
                on_path(5, &[]),
                on_path(4, &[2]),
                on_path(3, &[]),
                on_path(2, &[]),
                on_path(1, &[]),
            ],
            vec![],
        ));
        assert_eq!(ids(&c.steps), vec![oid(5), oid(3), oid(1)]);
        assert_eq!(c.cancelled, vec![(oid(2), oid(4))]);
        assert_eq!(c.left_out(), vec![oid(4), oid(2)]);
    }

    #[test]
    fn a_revert_of_a_revert_leaves_the_original_to_revert() {
        // 3 reverts 2, which reverts 1: 1's change is live, so 1 is reverted.
        let c = chain(&range(
            vec![on_path(3, &[2]), on_path(2, &[1]), on_path(1, &[])],
            vec![],
        ));
        assert_eq!(ids(&c.steps), vec![oid(1)]);
        assert_eq!(c.cancelled, vec![(oid(2), oid(3))]);
    }

    #[test]
    fn a_revert_of_a_commit_off_the_path_is_reverted() {
        // 2 reverts 9, which is not on the path (a side branch a merge brought in).
        let c = chain(&range(vec![on_path(2, &[9]), on_path(1, &[])], vec![]));
        assert_eq!(ids(&c.steps), vec![oid(2), oid(1)]);
        assert!(c.cancelled.is_empty());
    }

    #[test]
    fn a_later_revert_undoes_unless_itself_reverted() {
        let path = || vec![on_path(2, &[]), on_path(1, &[])];
        let c = chain(&range(path(), vec![later(10, &[1])]));
        assert_eq!(ids(&c.steps), vec![oid(2)]);
        assert_eq!(c.reverted_later, vec![(oid(1), oid(10))]);
        // 11 reverts 10 (newest first): 1 is back on the branch, so it is reverted.
        let c = chain(&range(path(), vec![later(11, &[10]), later(10, &[1])]));
        assert_eq!(ids(&c.steps), vec![oid(2), oid(1)]);
        assert!(c.reverted_later.is_empty());
    }

    #[test]
    fn empty_commits_are_left_out() {
        let mut empty = on_path(2, &[]);
        empty.empty = true;
        let c = chain(&range(vec![on_path(3, &[]), empty, on_path(1, &[])], vec![]));
        assert_eq!(ids(&c.steps), vec![oid(3), oid(1)]);
        assert_eq!(c.empty, vec![oid(2)]);
    }

    #[test]
    fn mainlines_are_kept_and_subsets_keep_the_order() {
        let mut merge = on_path(3, &[]);
        merge.step.mainline = 2;
        let c = chain(&range(vec![on_path(4, &[]), merge, on_path(1, &[])], vec![]));
        assert_eq!(
            c.steps[1],
            RevertStep {
                commit: oid(3),
                mainline: 2
            }
        );
        let wanted = vec![oid(1).to_string(), oid(4).to_string()];
        assert_eq!(ids(&c.subset(&wanted).unwrap()), vec![oid(4), oid(1)]);
        assert_eq!(
            c.subset(&["0000000000000000000000000000000000000002".into()]),
            Err(SubsetError::NotInChain(
                "0000000000000000000000000000000000000002".into()
            ))
        );
        assert_eq!(
            c.subset(&["0000000".into()]),
            Err(SubsetError::Ambiguous("0000000".into()))
        );
    }
}
