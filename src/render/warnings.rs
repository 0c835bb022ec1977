//! The wording of ledger warnings (shallow history, unusable tags, malformed records).

use crate::ledger::{Index, Problem};
use crate::model::RepoState;
use crate::ui::sanitize;

const SAMPLE: usize = 5;

fn sample<T: AsRef<str>>(names: &[T]) -> String {
    let mut shown: Vec<String> = names
        .iter()
        .take(SAMPLE)
        .map(|n| sanitize::line(n.as_ref()).into_owned())
        .collect();
    if names.len() > SAMPLE {
        shown.push(format!("and {} more", names.len() - SAMPLE));
    }
    shown.join(", ")
}

/// Each warning with an optional hint.
pub fn ledger(state: &RepoState, index: &Index, problems: &[Problem]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    if state.shallow {
        out.push((
            "this is a shallow clone: history and release tags may be missing".to_owned(),
            Some("fetch everything with: git fetch --unshallow --tags".to_owned()),
        ));
    }
    for m in &index.malformed {
        out.push((
            format!(
                "`{}` looks like a release but its version is not valid semver ({})",
                sanitize::line(m.name.as_str()),
                sanitize::line(&m.reason)
            ),
            None,
        ));
    }
    for group in index.duplicate_versions() {
        let names: Vec<&str> = group.iter().map(|i| index.releases[*i].entry.name.as_str()).collect();
        out.push((
            format!(
                "version {} is tagged more than once: {}",
                index.releases[group[0]].version,
                sample(&names)
            ),
            None,
        ));
    }
    for p in problems {
        let text = match p {
            Problem::MalformedRecord { tag: _, message } => {
                format!("malformed record ignored: {}", sanitize::line(message))
            }
            Problem::NewerFormat { tag, version } => format!(
                "record `{}` uses format version {version}, newer than this build understands; read as version 1",
                sanitize::line(tag.as_str())
            ),
            Problem::UnknownRelease { record, release } => format!(
                "record `{}` names release `{}`, which is not a release tag here",
                sanitize::line(record.as_str()),
                sanitize::line(release.as_str())
            ),
            Problem::NotACommit { tag, kind } => format!(
                "release tag `{}` points to a {} instead of a commit; it is ignored",
                sanitize::line(tag.as_str()),
                format!("{kind:?}").to_lowercase()
            ),
            Problem::Unreadable { tag, message } => {
                format!(
                    "cannot read tag `{}`: {}",
                    sanitize::line(tag.as_str()),
                    sanitize::line(message)
                )
            }
        };
        out.push((text, None));
    }
    out
}

/// The count of tags that are neither releases nor records (shown with `-v`).
pub fn other_tags(index: &Index) -> Option<String> {
    if index.other.is_empty() {
        return None;
    }
    let names: Vec<&str> = index.other.iter().map(|t| t.as_str()).collect();
    Some(format!(
        "{} tag{} match no release pattern: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        sample(&names)
    ))
}
