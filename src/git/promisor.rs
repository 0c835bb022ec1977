//! Partial clones (`git clone --filter=blob:none`, common in CI): gix reads only the objects
//! the clone has, so the blobs a read or a merge needs are fetched first through the user's
//! `git`, the way git's own lazy fetch does it (`fetch <promisor> --filter=blob:none --stdin`
//! with the ids, `fetch.negotiationAlgorithm=noop`), in one batch. What is still missing
//! afterwards (offline, a remote that is gone) is named by the caller with its path and commit.

use super::{GitError, Reader};

impl Reader {
    /// The promisor remote of a partial clone (`extensions.partialClone`, or the first remote
    /// with `promisor = true`), or `None` in a complete repository.
    pub(crate) fn promisor_remote(&self) -> Option<String> {
        let config = self.repo.config_snapshot();
        if let Some(name) = config.string("extensions.partialClone") {
            return Some(name.to_string());
        }
        self.repo
            .remote_names()
            .into_iter()
            .find(|name| config.boolean(format!("remote.{name}.promisor").as_str()) == Some(true))
            .map(|name| name.to_string())
    }

    /// Makes sure the object database has `ids`: in a partial clone, fetches those it lacks
    /// from the promisor remote in one `git fetch`. Returns the ids still missing (none in a
    /// complete repository unless it is corrupt).
    pub(crate) fn ensure_objects(&self, ids: &[gix::ObjectId]) -> Result<Vec<gix::ObjectId>, GitError> {
        let mut missing: Vec<gix::ObjectId> = ids.iter().filter(|id| !self.repo.has_object(id)).copied().collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(missing);
        }
        let Some(remote) = self.promisor_remote() else {
            return Ok(missing);
        };
        let dir = self.repo.workdir().unwrap_or_else(|| self.repo.git_dir()).to_path_buf();
        let input: String = missing.iter().map(|id| format!("{id}\n")).collect();
        // A failed fetch (offline, remote gone) is not an error here: what is still missing is
        // reported by the caller, with the path and commit it belongs to.
        let _ = super::exec::run_with_input(
            &dir,
            &[
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                "--filter=blob:none",
                "--stdin",
                "--",
                &remote,
            ],
            &input,
        );
        // gix looks for new packs when an object is not found, so the fetched ones are seen.
        Ok(missing.into_iter().filter(|id| !self.repo.has_object(id)).collect())
    }
}
