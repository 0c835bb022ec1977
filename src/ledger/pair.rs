//! Which two releases a rollback is between: `from` (default: the live release) and `to`
//! (default: the previous stable release), with the refusals that keep the pair meaningful.

use super::{EnvStatus, Index, Resolver};
use crate::model::EnvName;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("`{0}` is not a tag in this repository")]
    UnknownTag(String),
    #[error("`{0}` is a tag but not a release (it matches no release pattern)")]
    NotARelease(String),
    #[error("`{0}` looks like a commit id; name a release tag")]
    CommitId(String),
    #[error("nothing is known to be live in {0}")]
    NoLive(EnvName),
    #[error("there is no stable release older than {0} that is not marked bad")]
    NoTarget(String),
    #[error("--from and --to both name {0}: there is nothing to roll back")]
    Same(String),
    #[error("{to} is newer than {from}: that is a roll-forward, not a rollback")]
    TargetNewer { from: String, to: String },
    #[error("{from} and {to} are releases of different components")]
    Components { from: String, to: String },
    #[error("{tag} is a release of {its}, not of {asked}")]
    OtherComponent { tag: String, its: String, asked: String },
}

impl PairError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            PairError::UnknownTag(_) | PairError::NotARelease(_) | PairError::CommitId(_) => {
                "list the releases with: git rollback releases"
            }
            PairError::NoLive(_) => "record what is live with `git rollback deployed`, or name it with --from",
            PairError::NoTarget(_) => "name the target with --to",
            PairError::Same(_) | PairError::Components { .. } => "name two different releases of one component",
            PairError::OtherComponent { .. } => {
                "name releases of the component given with --component, or drop --component"
            }
            PairError::TargetNewer { .. } => {
                "to deploy a newer release, use your deploy pipeline and `git rollback deployed`"
            }
        }
    }
}

fn find(index: &Index, name: &str) -> Result<usize, PairError> {
    if let Some(i) = index.release_position(&crate::model::TagName::new(name)) {
        return Ok(i);
    }
    let is_tag = index.other.iter().any(|t| t.as_str() == name)
        || index.records.iter().any(|r| r.entry.name.as_str() == name)
        || index.malformed.iter().any(|m| m.name.as_str() == name);
    if is_tag {
        return Err(PairError::NotARelease(name.to_owned()));
    }
    if name.len() >= 7 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PairError::CommitId(name.to_owned()));
    }
    Err(PairError::UnknownTag(name.to_owned()))
}

/// Resolves the pair for `status` (the environment's status for the component of interest).
pub fn resolve(
    resolver: &Resolver<'_>,
    status: &EnvStatus,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(usize, usize), PairError> {
    let index = resolver.index;
    let from = match from {
        Some(name) => find(index, name)?,
        None => status
            .live
            .as_ref()
            .map(|l| l.release)
            .ok_or_else(|| PairError::NoLive(status.environment.clone()))?,
    };
    let to = match to {
        Some(name) => find(index, name)?,
        None => resolver
            .previous_stable(from, &status.bad)
            .ok_or_else(|| PairError::NoTarget(index.releases[from].entry.name.to_string()))?,
    };
    let (f, t) = (&index.releases[from], &index.releases[to]);
    let names = || (f.entry.name.to_string(), t.entry.name.to_string());
    if from == to || f.same_version(t) {
        return Err(PairError::Same(f.entry.name.to_string()));
    }
    if f.component != t.component {
        let (from, to) = names();
        return Err(PairError::Components { from, to });
    }
    if let Some(other) = [f, t].into_iter().find(|r| r.component != status.component) {
        let describe = |c: &crate::model::Component| match c.name() {
            Some(n) => format!("component `{n}`"),
            None => "the default component".to_owned(),
        };
        return Err(PairError::OtherComponent {
            tag: other.entry.name.to_string(),
            its: describe(&other.component),
            asked: describe(&status.component),
        });
    }
    if t.version.cmp_precedence(&f.version).is_gt() {
        let (from, to) = names();
        return Err(PairError::TargetNewer { from, to });
    }
    Ok((from, to))
}
