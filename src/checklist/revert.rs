//! The revert preview: whether reverting the range applies cleanly on the production branch
//! tip (computed in memory by `git::Reader::revert_preview`), with the conflicting paths.

use super::{Input, Item, Status};
use crate::plan::Strategy;

pub fn check(input: &Input<'_>, strategy: Strategy) -> Item {
    let id = "revert.preview";
    let preview = input.range.revert.as_ref();
    let Some(preview) = preview else {
        let why = if !input.range.target_is_ancestor {
            "not computed: the target is not an ancestor of the live release"
        } else {
            "not computed: there is no production branch to revert on"
        };
        let status = if strategy == Strategy::Revert {
            Status::Fail
        } else {
            Status::Skipped
        };
        let item = Item::new(id, status, why);
        return if status == Status::Fail {
            item.hint("use --strategy branch")
        } else {
            item
        };
    };
    let branch = input.production_branch.unwrap_or("the production branch");
    let n = preview.commits.len();
    match &preview.conflict {
        None => {
            let summary = format!(
                "reverting {n} commit{} on {branch} applies cleanly",
                if n == 1 { "" } else { "s" }
            );
            Item::new(
                id,
                if strategy == Strategy::Revert {
                    Status::Pass
                } else {
                    Status::Skipped
                },
                summary,
            )
        }
        Some((commit, paths)) => {
            let summary = format!(
                "reverting {} conflicts on {branch} in {}",
                commit.short(),
                paths.join(", ")
            );
            if strategy == Strategy::Revert {
                Item::new(id, Status::Fail, summary).details(paths.clone()).hint(
                    "use --strategy branch (a branch at the target tag), or revert by hand and resolve the conflicts",
                )
            } else {
                Item::new(id, Status::Skipped, format!("{summary} (not a revert)")).details(paths.clone())
            }
        }
    }
}
