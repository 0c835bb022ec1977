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
    if let Some(pattern) = index.no_release_matches() {
        out.push((
            format!(
                "{} tag{} exist but none is a release: none matches the release pattern{}",
                index.other.len(),
                if index.other.len() == 1 { "" } else { "s" },
                if pattern.is_empty() { " (it is empty)".to_owned() } else { format!(" `{}`", sanitize::line(pattern)) }
            ),
            Some(format!(
                "if your releases are tagged differently (such as {}), set [release] pattern or [components.<name>] in rollback.toml (docs/configuration.md)",
                sample(&index.other.iter().take(2).map(|t| t.as_str()).collect::<Vec<_>>())
            )),
        ));
    }
    for u in index.unmatched_components() {
        let name = u.component.name().unwrap_or_default();
        let near: Vec<&str> = u.near.iter().map(|t| t.as_str()).collect();
        out.push((
            format!(
                "component `{}` matches no tag (pattern `{}`){}",
                sanitize::line(name),
                sanitize::line(&u.pattern),
                if near.is_empty() {
                    String::new()
                } else {
                    format!("; similar tags: {}", sample(&near))
                }
            ),
            Some(format!(
                "check [components.{}] prefix or pattern in rollback.toml",
                sanitize::line(name)
            )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Head, Oid, TagEntry, TagName};

    fn state(tags: Vec<TagEntry>) -> RepoState {
        RepoState {
            git_dir: ".git".into(),
            workdir: None,
            shallow: false,
            operation: None,
            head: Head::Detached(Oid::parse(&"1".repeat(40)).unwrap()),
            branches: Vec::new(),
            remote_head: None,
            tags,
        }
    }

    fn tags(names: &[&str]) -> Vec<TagEntry> {
        names
            .iter()
            .map(|n| TagEntry {
                name: TagName::new(*n),
                target: Oid::parse(&"2".repeat(40)).unwrap(),
            })
            .collect()
    }

    #[test]
    fn tags_that_are_no_releases_name_the_pattern_setting() {
        let t = tags(&["rel-2024.01", "build-7"]);
        let index = Index::build(t.clone(), &Config::defaults());
        let w = ledger(&state(t), &index, &[]);
        assert!(
            w[0].0
                .starts_with("2 tags exist but none is a release: none matches the release pattern `^v?"),
            "{w:?}"
        );
        let hint = w[0].1.as_deref().unwrap();
        assert!(
            hint.contains("such as rel-2024.01, build-7") && hint.contains("[release] pattern"),
            "{hint}"
        );
    }

    #[test]
    fn a_component_without_tags_shows_its_near_misses() {
        let t = tags(&["lib-1.0.0", "v1.0.0"]);
        let config = Config::parse(
            "[components.lib]\nprefix = 'lib-v'\n",
            std::path::Path::new("rollback.toml"),
        )
        .unwrap();
        let index = Index::build(t.clone(), &config);
        let w = ledger(&state(t), &index, &[]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            w[0].0,
            r"component `lib` matches no tag (pattern `^lib\-v(?P<version>[0-9].*)$`); similar tags: lib-1.0.0"
        );
        assert_eq!(
            w[0].1.as_deref(),
            Some("check [components.lib] prefix or pattern in rollback.toml")
        );
    }
}
