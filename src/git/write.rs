//! Writing: objects first, then every ref of the operation in one transaction whose edits are
//! create-only, so a concurrent writer makes the whole operation fail and nothing is half-written.

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{GitError, Reader, from_oid};
use crate::model::{Identity, NewTag, Oid, Person, Timestamp};

impl Reader {
    /// The committer identity from git's configuration and environment (`GIT_COMMITTER_*`,
    /// `committer.*`, `user.*`). Refuses rather than write a record without a tagger.
    pub fn identity(&self) -> Result<Identity, GitError> {
        match self.repo.committer() {
            Some(Ok(sig)) if !sig.name.is_empty() && !sig.email.is_empty() => {
                let time = sig
                    .time()
                    .map_err(|e| GitError::other("reading the committer date", e))?;
                Ok(Identity {
                    person: Person {
                        name: sig.name.to_string(),
                        email: sig.email.to_string(),
                    },
                    time: Timestamp {
                        seconds: time.seconds,
                        offset: time.offset,
                    },
                })
            }
            Some(Err(e)) => Err(GitError::other("reading the committer identity", e)),
            _ => Err(GitError::NoIdentity),
        }
    }
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

/// One change to a ref, with the value it must have now (compare-and-swap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefChange {
    /// Create `name` (a full ref name); it must not exist.
    Create { name: String, new: Oid },
    /// Move `name` from `old` to `new`.
    Update { name: String, old: Oid, new: Oid },
    /// Delete `name`, which must still be `old`.
    Delete { name: String, old: Oid },
}

impl RefChange {
    pub fn name(&self) -> &str {
        match self {
            RefChange::Create { name, .. } | RefChange::Update { name, .. } | RefChange::Delete { name, .. } => name,
        }
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
        .and_then(|t| t.commit(Some(committer)))
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
        let object = gix::objs::Tag {
            target: from_oid(&tag.target),
            target_kind: gix::objs::Kind::Commit,
            name: tag.name.as_str().into(),
            tagger: Some(signature(who)),
            message: tag.message.as_str().into(),
            signature: None,
        };
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

    /// The current value of a ref (full name), if it exists and points at an object.
    pub fn ref_value(&self, full_name: &str) -> Result<Option<Oid>, GitError> {
        Ok(self
            .repo
            .try_find_reference(full_name)?
            .and_then(|r| r.target().try_id().map(super::to_oid)))
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
