//! Repository items: shallow history, an operation in progress, the work tree, the production
//! branch against its upstream, and the age of the last fetch.

use super::{Input, Item, Status, some};

const DAY: i64 = 86_400;

pub fn check(input: &Input<'_>) -> Vec<Item> {
    let mut out = Vec::new();
    out.push(if input.state.shallow {
        Item::new(
            "repo.shallow",
            Status::Warn,
            "this is a shallow clone: history and release tags may be missing",
        )
        .hint("fetch everything first: git fetch --unshallow --tags")
    } else {
        Item::new("repo.shallow", Status::Pass, "full history")
    });
    out.push(match &input.state.operation {
        Some(op) => Item::new("repo.operation", Status::Fail, format!("a {op} is in progress"))
            .hint("finish or abort it first (`git status` says how)"),
        None => Item::new(
            "repo.operation",
            Status::Pass,
            "no merge, rebase, cherry-pick or revert in progress",
        ),
    });
    out.push(match &input.repo.dirty {
        None => Item::new("repo.worktree", Status::Skipped, "bare repository: no work tree"),
        Some(paths) if paths.is_empty() => Item::new("repo.worktree", Status::Pass, "the work tree is clean"),
        Some(paths) => Item::new(
            "repo.worktree",
            Status::Warn,
            format!(
                "{} uncommitted change{} ({}); the rollback is built in memory and leaves them alone",
                paths.len(),
                if paths.len() == 1 { "" } else { "s" },
                some(paths, 3)
            ),
        )
        .details(paths.clone()),
    });
    out.push(match (&input.repo.upstream, input.production_branch) {
        (_, None) => Item::new("repo.upstream", Status::Skipped, "no production branch"),
        (None, Some(b)) => Item::new("repo.upstream", Status::Skipped, format!("{b} has no upstream branch")),
        (Some(u), Some(b)) if u.behind > 0 => Item::new(
            "repo.upstream",
            Status::Warn,
            format!(
                "{b} is {} commit{} behind {}: you may be looking at an old state",
                u.behind,
                s(u.behind),
                u.name
            ),
        )
        .hint(format!("update first: git fetch && git merge --ff-only {}", u.name)),
        (Some(u), Some(b)) if u.ahead > 0 => Item::new(
            "repo.upstream",
            Status::Warn,
            format!("{b} has {} commit{} not pushed to {}", u.ahead, s(u.ahead), u.name),
        ),
        (Some(u), Some(b)) => Item::new("repo.upstream", Status::Pass, format!("{b} is in step with {}", u.name)),
    });
    out.push(match (input.repo.has_remotes, input.repo.last_fetch) {
        (false, _) => Item::new("repo.fetch", Status::Skipped, "no remote configured"),
        (true, None) => Item::new(
            "repo.fetch",
            Status::Warn,
            "never fetched: records pushed by others are not here",
        )
        .hint("git fetch --tags"),
        (true, Some(t)) => {
            let age = input.now.seconds - t.seconds;
            if age > DAY {
                Item::new(
                    "repo.fetch",
                    Status::Warn,
                    format!("last fetch {} days ago: newer records may exist", age / DAY),
                )
                .hint("git fetch --tags")
            } else {
                Item::new("repo.fetch", Status::Pass, format!("last fetch {} ago", human_age(age)))
            }
        }
    });
    out
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn human_age(secs: i64) -> String {
    match secs.max(0) {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}
