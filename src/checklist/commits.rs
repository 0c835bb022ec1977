//! Commit items: what lies between the releases (count, authors), merge commits, commits
//! already reverted, and later commits on the production branch that build on the same files.

use std::collections::BTreeSet;

use super::{Input, Item, Status, some};

/// How many commits a human view lists before saying how many more there are.
const SHOWN: usize = 20;

/// The commits a revert leaves out, in words: those already undone (reverted later, or with
/// their own revert in the range) and those that change nothing.
pub struct LeftOut {
    pub undone: Vec<String>,
    pub empty: Vec<String>,
}

pub fn left_out(chain: &crate::plan::chain::Chain) -> LeftOut {
    let mut undone: Vec<String> = chain
        .reverted_later
        .iter()
        .map(|(r, by)| format!("{} (reverted by {})", r.short(), by.short()))
        .collect();
    undone.extend(
        chain
            .cancelled
            .iter()
            .map(|(r, by)| format!("{} and its revert {}, both in the range", r.short(), by.short())),
    );
    let empty = chain
        .empty
        .iter()
        .map(|c| format!("{} changes nothing (an empty commit or merge)", c.short()))
        .collect();
    LeftOut { undone, empty }
}

pub fn check(input: &Input<'_>) -> Vec<Item> {
    let range = input.range;
    let line = |c: &crate::model::range::CommitInfo| format!("{} {} ({})", c.id.short(), c.subject, c.author.name);
    let list: Vec<String> = range.commits.iter().take(SHOWN).map(line).collect();
    let mut list = list;
    if range.total_commits > list.len() {
        list.push(format!("… and {} more", range.total_commits - list.len()));
    }
    let authors: BTreeSet<&str> = range.commits.iter().map(|c| c.author.name.as_str()).collect();
    let range_item = match range.total_commits {
        n if range.history_cut.is_some() => Item::new(
            "commits.range",
            Status::Warn,
            format!(
                "cannot tell how many commits lie between {} and {}: this shallow clone's history ends at {} (at least {n} here)",
                input.target.tag,
                input.live.tag,
                range.history_cut.as_ref().map_or(String::new(), |c| c.short().to_owned()),
            ),
        )
        .details(list)
        .hint("fetch the history first: git fetch --unshallow --tags"),
        0 => Item::new(
            "commits.range",
            Status::Warn,
            format!(
                "no commits between {} and {}: the releases point at the same history",
                input.target.tag, input.live.tag
            ),
        ),
        n => Item::new(
            "commits.range",
            Status::Pass,
            format!(
                "{n} commit{} between {} and {} by {} author{}",
                plural(n),
                input.target.tag,
                input.live.tag,
                authors.len(),
                plural(authors.len())
            ),
        )
        .details(list),
    };

    let merges: Vec<String> = range.commits.iter().filter(|c| c.is_merge()).map(line).collect();
    let merges_item = if merges.is_empty() {
        Item::new("commits.merges", Status::Pass, "no merge commits")
    } else {
        Item::new(
            "commits.merges",
            Status::Warn,
            format!(
                "{} merge commit{}: a revert reverts each as a whole against its first parent (mainline 1)",
                merges.len(),
                plural(merges.len())
            ),
        )
        .details(merges)
    };

    let chain = input.chain;
    let LeftOut { undone: names, empty } = left_out(chain);
    let left_out = chain.reverted_later.len() + 2 * chain.cancelled.len();
    let reverted_item = if names.is_empty() && empty.is_empty() {
        Item::new(
            "commits.reverted",
            Status::Pass,
            "no commit of the range was reverted since",
        )
    } else if names.is_empty() {
        Item::new(
            "commits.reverted",
            Status::Pass,
            format!(
                "no commit of the range was reverted since; {} empty commit{} left out of a revert",
                empty.len(),
                plural(empty.len())
            ),
        )
        .details(empty)
    } else {
        let mut details = names.clone();
        details.extend(empty);
        Item::new(
            "commits.reverted",
            Status::Warn,
            format!(
                "{left_out} commit{} already reverted: left out of a revert ({})",
                plural(left_out),
                some(&names, 3)
            ),
        )
        .details(details)
    };

    let built_item = match input.production_branch {
        None => Item::new("commits.built-upon", Status::Skipped, "no production branch"),
        Some(branch) => {
            let touched: BTreeSet<&str> = range
                .changes
                .iter()
                .flat_map(|c| std::iter::once(c.path.as_str()).chain(c.old_path.as_deref()))
                .collect();
            let mut hits = Vec::new();
            let scope = if range.later_total > range.later_with_paths {
                format!(
                    " (among the newest {} of {} later commits)",
                    range.later_with_paths, range.later_total
                )
            } else {
                String::new()
            };
            for c in &range.later {
                let shared: Vec<&str> = c
                    .paths
                    .iter()
                    .map(String::as_str)
                    .filter(|p| touched.contains(p))
                    .collect();
                if !shared.is_empty() {
                    hits.push(format!("{} {}: {}", c.id.short(), c.subject, some(&shared, 5)));
                }
            }
            if hits.is_empty() {
                Item::new(
                    "commits.built-upon",
                    Status::Pass,
                    format!(
                        "no later commit on {branch} touches the files changed since {}{scope}",
                        input.target.tag
                    ),
                )
            } else {
                Item::new(
                    "commits.built-upon",
                    Status::Warn,
                    format!(
                        "{} later commit{} on {branch} touch{} the same files{scope}: a revert may conflict or undo them",
                        hits.len(),
                        plural(hits.len()),
                        if hits.len() == 1 { "es" } else { "" }
                    ),
                )
                .details(hits)
            }
        }
    };
    vec![range_item, merges_item, reverted_item, built_item]
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
