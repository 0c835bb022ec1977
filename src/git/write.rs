//! Writing: objects first, then every ref of the operation in one transaction whose edits are
//! create-only, so a concurrent writer makes the whole operation fail and nothing is half-written.

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{GitError, Reader, from_oid};
use crate::model::outcome::RefChange;
use crate::model::{Identity, NewTag, Oid, Person, Timestamp};

impl Reader {
    /// The committer identity from git's configuration and environment (`GIT_COMMITTER_*`,
    /// `committer.*`, `user.*`, `EMAIL`), resolved in gix's order. Refuses rather than write a
    /// record without a tagger.
    ///
    /// "Now" and its offset come from gix's clock (`Time::now_local_or_utc`), with no unsafe
    /// code of ours; the earlier read of the offset through the C library saved about 1.3 ms of
    /// jiff's first look at the time-zone database. Debug builds check the result against
    /// gix's `committer()`.
    pub fn identity(&self) -> Result<Identity, GitError> {
        use gix::config::tree::{Committer, User, gitoxide};
        let config = self.repo.config_snapshot();
        let name = config
            .string(Committer::NAME)
            .or_else(|| config.string(User::NAME))
            .or_else(|| config.string(gitoxide::Committer::NAME_FALLBACK))
            .map(|v| v.to_string());
        let email = config
            .string(Committer::EMAIL)
            .or_else(|| config.string(User::EMAIL))
            .or_else(|| config.string(gitoxide::User::EMAIL_FALLBACK))
            .or_else(|| config.string(gitoxide::Committer::EMAIL_FALLBACK))
            .map(|v| v.to_string());
        let (Some(name), Some(email)) = (name, email) else {
            return Err(GitError::NoIdentity);
        };
        if name.is_empty() || email.is_empty() {
            return Err(GitError::NoIdentity);
        }
        // GIT_COMMITTER_DATE in any absolute form. A relative one ("2 days ago", which git
        // refuses) needs the time zone for its calendar arithmetic: that one is left to gix.
        let configured = config.string(gitoxide::Commit::COMMITTER_DATE).map(|v| v.to_string());
        let time = match configured.as_deref().map(|d| gix::date::parse(d, None)) {
            Some(Ok(t)) => t,
            Some(Err(_)) => self.gix_committer_time()?,
            None => now_local(),
        };
        let identity = Identity {
            person: Person { name, email },
            time: Timestamp {
                seconds: time.seconds,
                offset: time.offset,
            },
        };
        Ok(identity)
    }

    fn gix_committer_time(&self) -> Result<gix::date::Time, GitError> {
        match self.repo.committer() {
            Some(Ok(sig)) => sig.time().map_err(|e| GitError::other("reading the committer date", e)),
            Some(Err(e)) => Err(GitError::other("reading the committer identity", e)),
            None => Err(GitError::NoIdentity),
        }
    }
}

/// Now, with the local time zone's offset, from gix's clock.
fn now_local() -> gix::date::Time {
    gix::date::Time::now_local_or_utc()
}

/// The gix signature of an identity (tagger, committer, author).
pub(super) fn signature(id: &Identity) -> gix::actor::Signature {
    gix::actor::Signature {
        name: id.person.name.as_str().into(),
        email: id.person.email.as_str().into(),
        time: gix::date::Time {
            seconds: id.time.seconds,
            offset: id.time.offset,
        },
    }
}

/// Applies every change in one transaction: all refs are locked and their current values
/// checked before any is written, and the new values go into `packed-refs`, which is replaced
/// by one atomic rename, so a crash leaves all of the operation or none of it. (A ref that is
/// also loose is removed after the packed update; moving a loose branch is the one step that
/// is not crash-atomic, as in git.)
pub fn apply_refs(reader: &Reader, who: &Identity, changes: &[RefChange], reflog: &str) -> Result<(), GitError> {
    use gix::refs::file::transaction::PackedRefs;
    let repo = &reader.repo;
    let log = LogChange {
        mode: RefLog::AndReference,
        force_create_reflog: false,
        message: reflog.into(),
    };
    let mut edits = Vec::with_capacity(changes.len());
    for c in changes {
        let name =
            gix::refs::FullName::try_from(c.name()).map_err(|_| GitError::BadRefName { name: c.name().into() })?;
        let change = match c {
            RefChange::Create { new, .. } => Change::Update {
                log: log.clone(),
                expected: PreviousValue::MustNotExist,
                new: gix::refs::Target::Object(from_oid(new)),
            },
            RefChange::Update { old, new, .. } => Change::Update {
                log: log.clone(),
                expected: PreviousValue::MustExistAndMatch(gix::refs::Target::Object(from_oid(old))),
                new: gix::refs::Target::Object(from_oid(new)),
            },
            RefChange::Delete { old, .. } => Change::Delete {
                expected: PreviousValue::MustExistAndMatch(gix::refs::Target::Object(from_oid(old))),
                log: RefLog::AndReference,
            },
        };
        edits.push(RefEdit {
            change,
            name,
            deref: false,
        });
    }
    let sig = signature(who);
    let mut time_buf = gix::date::parse::TimeBuf::default();
    let committer = sig.to_ref(&mut time_buf);
    // As git: wait up to 100 ms for a loose ref's lock (core.filesRefLockTimeout) and up to 1 s
    // for packed-refs.lock (core.packedRefsTimeout), so a concurrent writer is waited for and
    // then detected by the compare-and-swap rather than reported as a lock.
    use gix::lock::acquire::Fail;
    let (loose_lock, packed_lock) = (
        Fail::AfterDurationWithBackoff(std::time::Duration::from_millis(100)),
        Fail::AfterDurationWithBackoff(std::time::Duration::from_secs(1)),
    );
    let find: Box<dyn gix::objs::Find> = Box::new(repo.objects.clone());
    let applied = repo
        .refs
        .transaction()
        .packed_refs(PackedRefs::DeletionsAndNonSymbolicUpdatesRemoveLooseSourceReference(
            find,
        ))
        .prepare(edits, loose_lock, packed_lock)
        .and_then(|t| {
            crate::failpoint::hit("in-refs");
            t.commit(Some(committer))
        })
        .map_err(|e| classify_ref_error(repo, changes, e))?;
    // gix lets `MustNotExist` pass when the ref already holds the very same id (a concurrent
    // writer produced a byte-identical object: same identity, second and content). It then
    // reports the previous value here; nothing was created by us, so say so.
    for (edit, change) in applied.iter().zip(changes) {
        if let (
            RefChange::Create { .. },
            Change::Update {
                expected: PreviousValue::MustExistAndMatch(_),
                ..
            },
        ) = (change, &edit.change)
        {
            return Err(GitError::RefExists {
                name: short(change.name()),
            });
        }
    }
    Ok(())
}

fn short(full: &str) -> String {
    full.strip_prefix("refs/tags/")
        .or_else(|| full.strip_prefix("refs/heads/"))
        .unwrap_or(full)
        .to_owned()
}

fn classify_ref_error(repo: &gix::Repository, changes: &[RefChange], e: gix::Error) -> GitError {
    if e.is_conflict() {
        for c in changes {
            let current = repo
                .try_find_reference(c.name())
                .ok()
                .flatten()
                .and_then(|r| r.target().try_id().map(super::to_oid));
            match (c, current) {
                (RefChange::Create { .. }, Some(_)) => return GitError::RefExists { name: short(c.name()) },
                (RefChange::Update { old, .. } | RefChange::Delete { old, .. }, actual) if actual != Some(*old) => {
                    return GitError::RefMoved {
                        name: c.name().to_owned(),
                        expected: old.to_string(),
                        actual: actual.map(|a| a.to_string()),
                    };
                }
                _ => {}
            }
        }
    }
    if e.can_retry() {
        for c in changes {
            let lock = repo.common_dir().join(format!("{}.lock", c.name()));
            if lock.exists() {
                return GitError::Locked {
                    name: short(c.name()),
                    lock,
                };
            }
        }
        let packed = repo.common_dir().join("packed-refs.lock");
        if packed.exists() {
            return GitError::Locked {
                name: "packed-refs".into(),
                lock: packed,
            };
        }
    }
    GitError::Write {
        what: "the refs",
        source: e,
    }
}

impl Reader {
    /// Writes an annotated tag object (signed with the user's gpg/ssh configuration when
    /// `sign`); no ref is touched.
    pub fn write_tag_object(&self, who: &Identity, tag: &NewTag, sign: bool) -> Result<Oid, GitError> {
        let repo = &self.repo;
        let object = tag_object(who, tag);
        let object = if sign {
            let options = repo
                .commit_signing_options()
                .map_err(|e| GitError::Sign { message: e.to_string() })?;
            object
                .sign(options)
                .map_err(|e| GitError::Sign { message: e.to_string() })?
        } else {
            object
        };
        let id = repo.write_object(&object).map_err(|source| GitError::Write {
            what: "the tag object",
            source,
        })?;
        Ok(super::to_oid(&id))
    }

    /// Writes the new objects of a revert and the record's tag (unsigned) on the last of its
    /// commits as one pack; returns the tag's id. No ref is touched.
    pub fn write_with_record(
        &self,
        new: super::pack::NewObjects,
        who: &Identity,
        record: &NewTag,
        files: Option<super::pack::PackFiles>,
    ) -> Result<Oid, GitError> {
        let id = new
            .0
            .write_object(tag_object(who, record))
            .map_err(|source| GitError::Write {
                what: "the tag object",
                source,
            })?
            .detach();
        // The tip too: if an identical tag object was already in the repository (a run that
        // failed at its refs, repeated in the same second), it is not in memory to lead there.
        super::pack::write_reachable(&self.repo, new, &[id, from_oid(&record.target)], files)?;
        Ok(super::to_oid(&id))
    }

    /// The current value of a ref (full name), if it exists and points at an object.
    pub fn ref_value(&self, full_name: &str) -> Result<Option<Oid>, GitError> {
        Ok(self
            .repo
            .try_find_reference(full_name)?
            .and_then(|r| r.target().try_id().map(super::to_oid)))
    }
}

/// The directories a ref transaction creating `names` (full ref names) makes for them: each
/// loose ref's directory (its lock file goes there) and, where git keeps a reflog for it, the
/// reflog's (gix-ref's rule for creating a reflog, `core.logAllRefUpdates`; ref namespaces are
/// not used here).
pub fn ref_dirs(reader: &Reader, names: &[String]) -> Vec<std::path::PathBuf> {
    let repo = &reader.repo;
    let base = repo.common_dir();
    let logged = |name: &str| match repo.refs.write_reflog {
        gix::refs::store::WriteReflog::Always => true,
        gix::refs::store::WriteReflog::Normal => ["refs/heads/", "refs/remotes/", "refs/notes/"]
            .iter()
            .any(|p| name.starts_with(p)),
        gix::refs::store::WriteReflog::Disable => false,
    };
    let mut dirs = Vec::new();
    for name in names {
        let path = std::path::Path::new(name);
        if let Some(parent) = path.parent() {
            dirs.push(base.join(parent));
            if logged(name) {
                dirs.push(base.join("logs").join(parent));
            }
        }
    }
    dirs
}

/// The annotated tag object of `tag`, unsigned.
fn tag_object(who: &Identity, tag: &NewTag) -> gix::objs::Tag {
    gix::objs::Tag {
        target: from_oid(&tag.target),
        target_kind: gix::objs::Kind::Commit,
        name: tag.name.as_str().into(),
        tagger: Some(signature(who)),
        message: tag.message.as_str().into(),
        signature: None,
    }
}

/// Creates annotated tags atomically: all tag objects are written (signed when `sign`), then
/// all refs are created in one transaction; if any name exists (or is locked), none is.
pub fn create_tags(
    reader: &Reader,
    tagger: &Identity,
    tags: &[NewTag],
    reflog: &str,
    sign: bool,
) -> Result<Vec<Oid>, GitError> {
    let mut ids = Vec::with_capacity(tags.len());
    for t in tags {
        ids.push(reader.write_tag_object(tagger, t, sign)?);
    }
    let changes: Vec<RefChange> = tags
        .iter()
        .zip(&ids)
        .map(|(t, id)| RefChange::Create {
            name: t.name.full_ref(),
            new: *id,
        })
        .collect();
    apply_refs(reader, tagger, &changes, reflog)?;
    Ok(ids)
}
