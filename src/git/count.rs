//! Counting the commits of `hide..tip` (the production branch's unreleased commits, a branch
//! ahead of or behind its upstream) without walking the whole history.
//!
//! gix's `rev_walk().with_hidden()` paints hidden commits breadth-first until nothing
//! interesting is left, which on a long history walks most of it (git/git: 79,000 of 85,000
//! commits, about 100 ms, for 600 unreleased ones: a merge of git-gui's or gitk's separate
//! history keeps old-looking commits interesting). This is git's own walk for
//! `rev-list --count A..B` (`limit_list`): commits leave a queue newest commit date first, so
//! the hidden paint and the interesting one move down together, and the walk ends once only
//! hidden commits are queued, none newer than the oldest one counted, plus git's `SLOP` of
//! five more against clock skew. A commit counted and then reached by the hidden paint (a
//! parent dated after its child) is un-counted. Parents and dates come from the commit-graph
//! when it has the commit (`git gc`, `git maintenance` and `git fetch` write it), else from the
//! object. The unit test holds it to `git rev-list --count` on a history with merges,
//! criss-cross merges, an unrelated merged root and dates that go backwards.
//!
//! In a shallow clone, a shallow boundary commit's parents are not here: when the walk reaches
//! one that is not hidden, the count is a lower bound and is said to be cut.

use std::collections::{BinaryHeap, HashMap, HashSet};

use gix::ObjectId;

use super::GitError;
use crate::model::CommitCount;

const INTERESTING: u8 = 1;
const HIDDEN: u8 = 2;
/// Commits walked after the walk could stop, against clock skew (git's `SLOP`).
const SLOP: usize = 5;

struct Node {
    time: i64,
    parents: Vec<ObjectId>,
    flags: u8,
    queued: bool,
    counted: bool,
}

struct Graph<'r> {
    repo: &'r gix::Repository,
    cache: Option<gix::commitgraph::Graph>,
    shallow: HashSet<ObjectId>,
    nodes: HashMap<ObjectId, Node>,
}

impl Graph<'_> {
    /// Commit time and parents of `id`, from the commit-graph when it has the commit.
    fn load(&mut self, id: ObjectId) -> Result<(), GitError> {
        if self.nodes.contains_key(&id) {
            return Ok(());
        }
        let (time, parents) = match self.cache.as_ref().and_then(|g| g.commit_by_id(id)) {
            Some(c) => {
                let graph = self.cache.as_ref().expect("graph");
                let parents = c
                    .iter_parents()
                    .map(|p| p.map(|pos| graph.id_at(pos).to_owned()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| GitError::other("reading the commit-graph", e))?;
                (c.committer_timestamp() as i64, parents)
            }
            None => {
                let commit = self.repo.find_commit(id)?;
                let time = commit
                    .time()
                    .map_err(|e| GitError::other("reading a commit's time", e))?
                    .seconds;
                (time, commit.parent_ids().map(|p| p.detach()).collect())
            }
        };
        let parents = if self.shallow.contains(&id) {
            Vec::new()
        } else {
            parents
        };
        self.nodes.insert(
            id,
            Node {
                time,
                parents,
                flags: 0,
                queued: false,
                counted: false,
            },
        );
        Ok(())
    }
}

/// The commits reachable from `tip` and not from `hide`: git's walk for `rev-list A..B`.
/// Commits leave a queue newest first; interesting ones are counted, hidden ones paint their
/// parents hidden (and un-count a commit counted before, which only clock skew allows); the
/// walk ends when only hidden commits are queued and none is newer than the oldest counted
/// one, after `SLOP` more.
pub fn count(repo: &gix::Repository, tip: ObjectId, hide: Option<ObjectId>) -> Result<CommitCount, GitError> {
    let w = walk(repo, tip, hide)?;
    Ok(CommitCount {
        commits: w.commits.len(),
        cut: w.cut,
    })
}

/// The commits of `hide..tip`, newest commit date first (as `git log` lists them).
pub struct Walked {
    /// Each commit with its parents (none for a shallow boundary).
    pub commits: Vec<(ObjectId, Vec<ObjectId>)>,
    /// A shallow boundary commit is among them: the history goes on beyond this clone's.
    pub cut: bool,
}

/// The walk behind [`count`], keeping the commits.
pub fn walk(repo: &gix::Repository, tip: ObjectId, hide: Option<ObjectId>) -> Result<Walked, GitError> {
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .map_err(|e| GitError::other("reading the shallow file", e))?
        .map(|s| s.iter().copied().collect())
        .unwrap_or_default();
    let mut g = Graph {
        repo,
        cache: repo.commit_graph_if_enabled().ok().flatten(),
        shallow,
        nodes: HashMap::new(),
    };
    let mut queue: BinaryHeap<(i64, ObjectId)> = BinaryHeap::new();
    // Queued commits that are interesting and not (yet) hidden.
    let mut interesting = 0usize;
    let paint = |g: &mut Graph<'_>, queue: &mut BinaryHeap<_>, interesting: &mut usize, id: ObjectId, flag: u8| {
        g.load(id)?;
        let node = g.nodes.get_mut(&id).expect("loaded");
        let before = node.flags;
        node.flags |= flag;
        if node.flags == before {
            return Ok::<(), GitError>(());
        }
        let only_interesting = |f: u8| f == INTERESTING;
        if node.queued {
            if only_interesting(before) {
                *interesting -= 1;
            }
        } else {
            node.queued = true;
            queue.push((node.time, id));
            if only_interesting(node.flags) {
                *interesting += 1;
            }
        }
        Ok(())
    };
    if let Some(h) = hide {
        paint(&mut g, &mut queue, &mut interesting, h, HIDDEN)?;
    }
    paint(&mut g, &mut queue, &mut interesting, tip, INTERESTING)?;
    let (mut commits, mut oldest_counted, mut slop) = (0usize, i64::MAX, SLOP);
    let mut order: Vec<ObjectId> = Vec::new();
    while let Some(&(time, id)) = queue.peek() {
        if interesting == 0 && time < oldest_counted {
            if slop == 0 {
                break;
            }
            slop -= 1;
        }
        queue.pop();
        let node = g.nodes.get_mut(&id).expect("queued nodes are loaded");
        node.queued = false;
        let flags = node.flags;
        if flags == INTERESTING {
            interesting -= 1;
            if !node.counted {
                node.counted = true;
                commits += 1;
                order.push(id);
                oldest_counted = oldest_counted.min(time);
            }
        } else if node.counted {
            // Hidden after all (a parent dated after its child): not counted.
            node.counted = false;
            commits -= 1;
        }
        let flag = if flags & HIDDEN != 0 { HIDDEN } else { INTERESTING };
        let parents = node.parents.clone();
        for p in parents {
            paint(&mut g, &mut queue, &mut interesting, p, flag)?;
        }
    }
    let mut out = Walked {
        commits: Vec::with_capacity(commits),
        cut: false,
    };
    for id in order {
        let node = &g.nodes[&id];
        if node.counted {
            out.cut |= g.shallow.contains(&id);
            out.commits.push((id, node.parents.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn git(dir: &Path, args: &[&str]) -> String {
        let env = [
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_AUTHOR_NAME", "T"),
            ("GIT_AUTHOR_EMAIL", "t@example.com"),
            ("GIT_COMMITTER_NAME", "T"),
            ("GIT_COMMITTER_EMAIL", "t@example.com"),
        ];
        crate::git::exec::run(dir, args, &env).unwrap().trim().to_owned()
    }

    /// A history with merges, criss-cross merges, a merged-in unrelated root and commit dates
    /// that go backwards (clock skew); the commit-graph covers its first half only, so the
    /// walk mixes generations from the graph with computed ones. Every pair of commits is
    /// counted against `git rev-list --count`.
    #[test]
    fn counts_equal_git_rev_list_with_and_without_a_commit_graph() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let mut ids: Vec<String> = Vec::new();
        let mut date = 1_700_000_000i64;
        let mut commit = |dir: &Path, ids: &mut Vec<String>, parents: &[&str], skew: i64| {
            date += 3600 + skew;
            let tree = git(dir, &["write-tree"]);
            let mut args = vec!["commit-tree".to_owned(), tree, "-m".into(), format!("c{}", ids.len())];
            for p in parents {
                args.push("-p".into());
                args.push((*p).to_owned());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stamp = format!("{date} +0000");
            let env = [
                ("GIT_CONFIG_GLOBAL", "/dev/null"),
                ("GIT_CONFIG_NOSYSTEM", "1"),
                ("GIT_AUTHOR_NAME", "T"),
                ("GIT_AUTHOR_EMAIL", "t@example.com"),
                ("GIT_COMMITTER_NAME", "T"),
                ("GIT_COMMITTER_EMAIL", "t@example.com"),
                ("GIT_COMMITTER_DATE", stamp.as_str()),
                ("GIT_AUTHOR_DATE", stamp.as_str()),
            ];
            let id = crate::git::exec::run(dir, &args, &env).unwrap().trim().to_owned();
            ids.push(id);
        };
        commit(dir, &mut ids, &[], 0); // 0
        for i in 1..40usize {
            let last = ids[i - 1].clone();
            match i % 7 {
                3 if i > 6 => {
                    let side = ids[i - 5].clone();
                    commit(dir, &mut ids, &[&last, &side], 0);
                }
                5 => commit(dir, &mut ids, &[&last], -20_000), // older than its parent
                6 if i > 12 => {
                    let (a, b) = (ids[i - 3].clone(), ids[i - 4].clone());
                    commit(dir, &mut ids, &[&a, &b], 0); // criss-cross
                }
                _ => {
                    let base = ids[i.saturating_sub(2)].clone();
                    commit(dir, &mut ids, &[&base], 0);
                }
            }
            if i == 20 {
                commit(dir, &mut ids, &[], 0); // an unrelated root…
                let (root, prev) = (ids.last().unwrap().clone(), ids[i].clone());
                commit(dir, &mut ids, &[&prev, &root], 0); // …merged in
            }
        }
        git(dir, &["update-ref", "refs/heads/main", ids.last().unwrap()]);
        let check = |label: &str| {
            let repo = gix::open(dir).unwrap();
            for tip in ids.iter().step_by(3) {
                for hide in ids.iter().step_by(4).map(Some).chain([None]) {
                    let range = match hide {
                        Some(h) => format!("{h}..{tip}"),
                        None => tip.clone(),
                    };
                    let expected: usize = git(dir, &["rev-list", "--count", &range]).parse().unwrap();
                    let got = count(&repo, tip.parse().unwrap(), hide.map(|h| h.parse().unwrap())).unwrap();
                    assert_eq!(got.commits, expected, "{label}: {range}");
                    assert!(!got.cut);
                }
            }
        };
        check("no commit-graph");
        // The graph covers the commits reachable from the 20th; later ones are computed.
        git(dir, &["update-ref", "refs/heads/half", &ids[20]]);
        let half = format!("{}\n", ids[20]);
        let out = std::process::Command::new("git")
            .args(["commit-graph", "write", "--stdin-commits"])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(half.as_bytes())?;
                c.wait()
            })
            .unwrap();
        assert!(out.success());
        assert!(dir.join(".git/objects/info/commit-graph").exists());
        check("half a commit-graph");
        git(dir, &["commit-graph", "write", "--reachable"]);
        check("a whole commit-graph");
    }
}
