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

fn signature(id: &Identity) -> gix::actor::Signature {
    gix::actor::Signature {
        name: id.person.name.as_str().into(),
        email: id.person.email.as_str().into(),
        time: gix::date::Time {
            seconds: id.time.seconds,
            offset: id.time.offset,
        },
    }
}

/// Creates annotated tags atomically: all tag objects are written (signed with the user's
/// gpg/ssh signing configuration when `sign`), then all refs are created in one transaction;
/// if any name exists (or is locked), no ref is created.
pub fn create_tags(
    reader: &Reader,
    tagger: &Identity,
    tags: &[NewTag],
    reflog: &str,
    sign: bool,
) -> Result<Vec<Oid>, GitError> {
    let repo = &reader.repo;
    let sig = signature(tagger);
    let mut edits = Vec::with_capacity(tags.len());
    let mut ids = Vec::with_capacity(tags.len());
    for t in tags {
        let full = gix::refs::FullName::try_from(t.name.full_ref()).map_err(|_| GitError::BadRefName {
            name: t.name.to_string(),
        })?;
        let object = gix::objs::Tag {
            target: from_oid(&t.target),
            target_kind: gix::objs::Kind::Commit,
            name: t.name.as_str().into(),
            tagger: Some(sig.clone()),
            message: t.message.as_str().into(),
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
        let id = repo
            .write_object(&object)
            .map_err(|source| GitError::Write {
                what: "the tag object",
                source,
            })?
            .detach();
        ids.push(super::to_oid(&id));
        edits.push(RefEdit {
            change: Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: reflog.into(),
                },
                expected: PreviousValue::MustNotExist,
                new: gix::refs::Target::Object(id),
            },
            name: full,
            deref: false,
        });
    }
    let mut time_buf = gix::date::parse::TimeBuf::default();
    let committer = sig.to_ref(&mut time_buf);
    let applied = repo
        .edit_references_as(edits, Some(committer))
        .map_err(|e| classify_ref_error(repo, tags, e))?;
    // gix lets `MustNotExist` pass when the ref already holds the very same id (a concurrent
    // writer produced a byte-identical tag: same tagger, second and message). It then reports
    // the previous value here; nothing was created by us, so say so.
    for edit in &applied {
        if let Change::Update {
            expected: PreviousValue::MustExistAndMatch(_),
            ..
        } = &edit.change
        {
            let name = edit.name.as_bstr().to_string();
            return Err(GitError::TagExists {
                name: name.strip_prefix("refs/tags/").unwrap_or(&name).to_owned(),
            });
        }
    }
    Ok(ids)
}

fn classify_ref_error(repo: &gix::Repository, tags: &[NewTag], e: gix::Error) -> GitError {
    if e.is_conflict() {
        for t in tags {
            if repo
                .try_find_reference(t.name.full_ref().as_str())
                .ok()
                .flatten()
                .is_some()
            {
                return GitError::TagExists {
                    name: t.name.to_string(),
                };
            }
        }
    }
    if e.can_retry() {
        for t in tags {
            let lock = repo.common_dir().join(format!("{}.lock", t.name.full_ref()));
            if lock.exists() {
                return GitError::Locked {
                    name: t.name.to_string(),
                    lock,
                };
            }
        }
    }
    GitError::Write {
        what: "the refs",
        source: e,
    }
}
