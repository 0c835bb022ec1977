//! The revert preview: whether reverting the range applies cleanly on the production branch
//! tip (computed in memory by `git::Reader::revert_preview`), with the conflicting paths, and
//! whether the result lands where a rollback must (the merge of live, tip and target).

use super::{Input, Item, Status, some};
use crate::plan::Strategy;

/// How many paths a summary names before "… and N more".
const NAMED: usize = 5;

/// Why the previewed revert cannot be applied as it is, in one line (for the recommendation):
/// objects missing, a conflict, or a result that would not land on the target.
pub fn blocker(input: &Input<'_>) -> Option<String> {
    let r = input.range.revert.as_ref()?;
    let branch = input.production_branch.unwrap_or("the production branch");
    if let Some(first) = r.missing.first() {
        return Some(format!(
            "the revert cannot be previewed: this partial clone lacks {first}"
        ));
    }
    match (&r.conflict, &r.landing) {
        (Some((commit, paths)), _) => Some(conflict_summary(input, commit, paths, branch)),
        (None, Some(l)) if !l.differs.is_empty() => Some(format!(
            "the reverts would not land on {}: {} file{} would differ ({})",
            input.target.tag,
            l.differs.len(),
            plural(l.differs.len()),
            some(&l.differs, 3)
        )),
        _ => None,
    }
}

/// Whether every conflicting path is release bookkeeping (`[paths] bookkeeping`).
pub fn only_bookkeeping(input: &Input<'_>, paths: &[String]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| input.config.bookkeeping.is_match(p))
}

fn conflict_summary(input: &Input<'_>, commit: &crate::model::Oid, paths: &[String], branch: &str) -> String {
    let only = if only_bookkeeping(input, paths) {
        " (only release bookkeeping: --keep-ours keeps the tip's side of those files)"
    } else {
        ""
    };
    format!(
        "reverting {} conflicts on {branch} in {}{only}",
        commit.short(),
        some(paths, NAMED)
    )
}

pub fn check(input: &Input<'_>, strategy: Strategy) -> Item {
    let id = "revert.preview";
    let preview = input.range.revert.as_ref();
    let is_revert = strategy == Strategy::Revert;
    let Some(preview) = preview else {
        let why = if !input.range.target_is_ancestor && input.range.history_cut.is_some() {
            "not computed: this shallow clone's history ends before the target"
        } else if !input.range.target_is_ancestor {
            "not computed: the target is not an ancestor of the live release"
        } else if input.production_branch.is_none() {
            "not computed: there is no production branch to revert on"
        } else {
            "not computed: not a revert"
        };
        return if is_revert {
            Item::new(id, Status::Fail, why).hint("use --strategy branch")
        } else {
            Item::new(id, Status::Skipped, why)
        };
    };
    let branch = input.production_branch.unwrap_or("the production branch");
    let n = preview.commits.len();
    let judged = |status| if is_revert { status } else { Status::Skipped };
    let mut details: Vec<String> = Vec::new();
    if let Some(first) = preview.missing.first() {
        let summary = format!(
            "not computed: this partial clone lacks {} object{} the merges need, and fetching them failed (first: {first})",
            preview.missing.len(),
            plural(preview.missing.len())
        );
        let details = preview.missing.iter().map(|m| m.to_string()).collect();
        let hint =
            "fetch them (git fetch --refetch), or run in a complete clone; branch, hotfix and deploy need no merge";
        return if is_revert {
            Item::new(id, Status::Fail, summary).details(details).hint(hint)
        } else {
            Item::new(id, Status::Skipped, summary).details(details)
        };
    }
    if !preview.empty.is_empty() {
        let ids: Vec<&str> = preview.empty.iter().map(|c| c.short()).collect();
        details.push(format!(
            "left out, their revert changes nothing here: {}",
            ids.join(", ")
        ));
    }
    match (&preview.conflict, &preview.landing) {
        (Some((commit, paths)), _) => {
            let summary = conflict_summary(input, commit, paths, branch);
            details.extend(paths.iter().cloned());
            if is_revert {
                Item::new(id, Status::Fail, summary).details(details).hint(
                    "use --strategy branch (a branch at the target tag), or revert by hand and resolve the conflicts",
                )
            } else {
                Item::new(id, Status::Skipped, format!("{summary} (not a revert)")).details(details)
            }
        }
        (None, Some(landing)) if !landing.differs.is_empty() => {
            let summary = format!(
                "reverting {n} commit{} on {branch} would not land on {}: {} file{} would differ from the merge of {}, {branch} and {} ({})",
                plural(n),
                input.target.tag,
                landing.differs.len(),
                plural(landing.differs.len()),
                input.live.tag,
                input.target.tag,
                some(&landing.differs, NAMED)
            );
            details.push(format!(
                "the reverts' tree {} differs from the expected tree {} in:",
                preview.tree.map(|t| t.short().to_owned()).unwrap_or_default(),
                landing.expected.short()
            ));
            details.extend(landing.differs.iter().cloned());
            if is_revert {
                Item::new(id, Status::Fail, summary)
                    .details(details)
                    .hint("use --strategy branch (a branch at the target tag); nothing was reverted")
            } else {
                Item::new(id, Status::Skipped, format!("{summary} (not a revert)")).details(details)
            }
        }
        (None, landing) => {
            let later = if preview.onto == input.live.commit {
                String::new()
            } else {
                format!(" with {branch}'s later commits kept")
            };
            // Files kept as the tip has them are said once, below, not also as files to review.
            let review: Vec<String> = landing
                .as_ref()
                .map(|l| {
                    l.unresolved
                        .iter()
                        .filter(|p| !preview.kept_ours.contains(p))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let lands = match landing {
                Some(_) if review.is_empty() => format!(" and lands on {}{later}", input.target.tag),
                Some(_) => {
                    details.push(format!(
                        "where later commits on {branch} changed the same lines, review the result: {}",
                        some(&review, NAMED)
                    ));
                    format!(
                        " and lands on {}{later} except {} file{} to review",
                        input.target.tag,
                        review.len(),
                        plural(review.len())
                    )
                }
                None => String::new(),
            };
            let kept = if preview.kept_ours.is_empty() {
                String::new()
            } else {
                format!(
                    ", keeping {branch}'s side of release bookkeeping ({})",
                    some(&preview.kept_ours, NAMED)
                )
            };
            let status = match landing {
                Some(_) if !review.is_empty() => Status::Warn,
                _ if !preview.kept_ours.is_empty() => Status::Warn,
                _ => Status::Pass,
            };
            Item::new(
                id,
                judged(status),
                format!(
                    "reverting {n} commit{} on {branch} applies cleanly{lands}{kept}",
                    plural(n)
                ),
            )
            .details(details)
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
