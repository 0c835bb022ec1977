//! Checks before anything is recorded (a release tag, a deploy record): the repository is not
//! in the middle of an operation, and the commit is on a release branch. Each failure names
//! its fix or its override. Pure: the caller supplies which branches contain the commit.

/// Why a write is refused, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// A stable id, as in the checklist (`repo.operation`, `release.branch`).
    pub id: &'static str,
    pub message: String,
    pub hints: Vec<String>,
}

/// Facts about the commit being released or deployed.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput<'a> {
    pub operation: Option<&'a str>,
    pub commit: &'a str,
    /// Release branches (by config) whose tip contains the commit.
    pub on_branches: Vec<String>,
    /// Every release branch that exists.
    pub release_branches: Vec<String>,
    pub allow_off_branch: bool,
}

pub fn pre_record(input: &PolicyInput<'_>) -> Vec<Blocker> {
    let mut out = Vec::new();
    if let Some(op) = input.operation {
        out.push(Blocker {
            id: "repo.operation",
            message: format!("a {op} is in progress in this repository"),
            hints: vec![format!(
                "finish it or abort it first (`git status` says how), then try again"
            )],
        });
    }
    if input.on_branches.is_empty() && !input.allow_off_branch {
        let branches = if input.release_branches.is_empty() {
            "none of the release branches exists".to_owned()
        } else {
            format!("release branches: {}", input.release_branches.join(", "))
        };
        out.push(Blocker {
            id: "release.branch",
            message: format!("commit {} is on no release branch ({branches})", &input.commit[..input.commit.len().min(12)]),
            hints: vec![
                "merge it into a release branch first, or pass --allow-off-branch".into(),
                "release branches are set by `release-branches` in rollback.toml (default: the production branch and hotfix/*)"
                    .into(),
            ],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_branch_and_operations_block_with_hints() {
        let base = PolicyInput {
            commit: "0123456789abcdef",
            release_branches: vec!["main".into()],
            ..Default::default()
        };
        let blocked = pre_record(&base);
        assert_eq!(blocked.len(), 1);
        assert_eq!(blocked[0].id, "release.branch");
        assert!(blocked[0].hints.iter().any(|h| h.contains("--allow-off-branch")));
        assert!(
            pre_record(&PolicyInput {
                allow_off_branch: true,
                ..base.clone()
            })
            .is_empty()
        );
        let on = PolicyInput {
            on_branches: vec!["main".into()],
            operation: Some("rebase"),
            ..base
        };
        let blocked = pre_record(&on);
        assert_eq!(blocked.iter().map(|b| b.id).collect::<Vec<_>>(), ["repo.operation"]);
    }
}
