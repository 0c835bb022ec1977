//! Release items: the live release and its evidence, the target (found, not bad, an ancestor
//! of the live release), and the tags involved (lightweight, pre-release, duplicate versions).

use super::{Input, Item, Status};
use crate::plan::Strategy;

pub fn check(input: &Input<'_>, strategy: Strategy) -> Vec<Item> {
    let (live, target) = (input.live, input.target);
    let live_item = if input.live_from_record {
        Item::new(
            "release.live",
            Status::Pass,
            format!(
                "{} is live in {} ({})",
                live.tag, input.environment, input.live_evidence
            ),
        )
    } else {
        Item::new(
            "release.live",
            Status::Warn,
            format!(
                "{} is assumed live in {} ({})",
                live.tag, input.environment, input.live_evidence
            ),
        )
        .hint("record deploys with `git rollback deployed`, so the tool knows what is live")
    };

    let mut problems: Vec<(Status, String, Option<String>)> = Vec::new();
    if target.bad {
        problems.push((
            if input.allow_bad { Status::Warn } else { Status::Fail },
            format!(
                "{} is marked bad in {} by an earlier rollback",
                target.tag, input.environment
            ),
            Some("choose another target with --to; going back to a bad release needs --allow-bad".into()),
        ));
    }
    if !input.range.target_is_ancestor && input.range.history_cut.is_some() {
        let status = if strategy == Strategy::Revert {
            Status::Fail
        } else {
            Status::Warn
        };
        problems.push((
            status,
            format!(
                "cannot tell whether {} is an ancestor of {}: this shallow clone's history ends first",
                target.tag, live.tag
            ),
            Some("fetch the history first: git fetch --unshallow --tags".into()),
        ));
    } else if !input.range.target_is_ancestor {
        let status = if strategy == Strategy::Revert {
            Status::Fail
        } else {
            Status::Warn
        };
        problems.push((
            status,
            format!(
                "{} is not an ancestor of {}: the live release does not contain it",
                target.tag, live.tag
            ),
            Some("a range revert is not defined here; use --strategy branch (a branch at the target tag)".into()),
        ));
    }
    let target_item = match problems.iter().max_by_key(|p| p.0) {
        None => Item::new(
            "release.target",
            Status::Pass,
            format!(
                "target {} is an ancestor of {} and not marked bad",
                target.tag, live.tag
            ),
        ),
        Some((status, _, hint)) => {
            let summary = problems.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join("; ");
            let item = Item::new("release.target", *status, summary);
            match hint {
                Some(h) => item.hint(h.clone()),
                None => item,
            }
        }
    };

    let mut notes = Vec::new();
    for (side, which) in [(live, "live"), (target, "target")] {
        if !side.annotated {
            notes.push(format!(
                "{which} release {} is a lightweight tag (no annotation: no migration or config notes)",
                side.tag
            ));
        }
        if side.duplicate {
            notes.push(format!(
                "{which} release {}'s version is tagged more than once",
                side.tag
            ));
        }
    }
    if target.prerelease {
        notes.push(format!("target {} is a pre-release", target.tag));
    }
    let tags_item = if notes.is_empty() {
        Item::new(
            "release.tags",
            Status::Pass,
            "both releases are annotated, unique, stable versions",
        )
    } else {
        Item::new("release.tags", Status::Warn, notes.join("; ")).details(notes)
    };
    vec![live_item, target_item, tags_item]
}
