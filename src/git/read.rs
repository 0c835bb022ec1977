//! Reading: discovery, repository state, the tag list (names and ids only), and lazy object reads.

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::objs::Kind;

use super::{GitError, from_oid, time_of, to_oid};
use crate::model::{
    Annotation, CommitCount, Head, ObjectKind, ObjectSource, Oid, Person, RepoState, SourceError, TagEntry, TagName,
    TagObject,
};

/// An open repository that reads objects on demand.
pub struct Reader {
    pub(crate) repo: gix::Repository,
    /// The last clean revert preview (its trees and the object memory holding them), so
    /// applying the same revert in this process commits those trees instead of merging again.
    pub(crate) preview: std::cell::RefCell<Option<super::revert::Preview>>,
    /// How it was opened (the path, and whether isolated), to open it again on another thread.
    pub(super) opened: (PathBuf, bool),
}

/// Discovers the repository containing `path` (git's environment variables honoured).
pub fn open(path: &Path) -> Result<Reader, GitError> {
    let repo = gix::discover_with_environment_overrides(path).map_err(|e| GitError::NotARepository {
        path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        source: Box::new(e),
    })?;
    Ok(Reader::new(repo, (path.to_path_buf(), false)))
}

/// Opens the repository at `path` exactly, reading neither git's environment variables nor
/// the user's or system configuration (a scratch copy that must not be redirected elsewhere).
pub fn open_isolated(path: &Path) -> Result<Reader, GitError> {
    let repo = gix::open_opts(path, gix::open::Options::isolated()).map_err(|e| GitError::NotARepository {
        path: path.to_path_buf(),
        source: Box::new(e),
    })?;
    Ok(Reader::new(repo, (path.to_path_buf(), true)))
}

/// Opens a repository again the way a reader was opened (`Reader::opened`), for another thread.
pub(super) fn open_as((path, isolated): &(PathBuf, bool)) -> Result<Reader, GitError> {
    if *isolated { open_isolated(path) } else { open(path) }
}

impl Reader {
    fn new(mut repo: gix::Repository, opened: (PathBuf, bool)) -> Reader {
        // Tree diffs and merges read the same trees again and again (a range revert decompressed
        // them once per commit without this); a small cache keeps them.
        repo.object_cache_size_if_unset(32 * 1024 * 1024);
        Reader {
            repo,
            preview: Default::default(),
            opened,
        }
    }

    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Reads refs and repository state. Tag objects are not read here.
    pub fn state(&self) -> Result<RepoState, GitError> {
        let repo = &self.repo;
        let tags = self.tags()?;
        let platform = repo.references()?;
        let mut branches = Vec::new();
        for r in platform.local_branches()? {
            let r = r.map_err(|e| GitError::other("reading branch refs", e))?;
            let Some(target) = r.target().try_id().map(|id| id.to_owned()) else {
                continue;
            };
            let name = r.name().shorten().to_string();
            branches.push((name, to_oid(&target)));
        }
        let head = match repo.head_name()? {
            Some(name) => {
                let short = name.shorten().to_string();
                let commit = branches.iter().find(|(n, _)| *n == short).map(|(_, id)| *id);
                Head::Branch { name: short, commit }
            }
            None => match repo.head_id() {
                Ok(id) => Head::Detached(to_oid(&id)),
                Err(e) => return Err(GitError::other("reading HEAD", e)),
            },
        };
        let remote_head = repo
            .try_find_reference("refs/remotes/origin/HEAD")
            .ok()
            .flatten()
            .and_then(|r| match r.target() {
                gix::refs::TargetRef::Symbolic(name) => name
                    .as_bstr()
                    .to_str()
                    .ok()
                    .and_then(|n| n.strip_prefix("refs/remotes/origin/"))
                    .map(str::to_owned),
                gix::refs::TargetRef::Object(_) => None,
            });
        Ok(RepoState {
            remote_head,
            git_dir: repo.git_dir().to_path_buf(),
            workdir: repo.workdir().map(Path::to_path_buf),
            shallow: repo.is_shallow()?,
            operation: operation_or_sequencer(repo),
            head,
            branches,
            tags,
        })
    }

    /// Every tag: loose ones through gix, packed ones by scanning the `refs/tags/` lines of
    /// `packed-refs` directly (gix's general iterator validates and allocates a full name per
    /// ref, most of the time spent on 100,000 tags). A loose ref wins over a packed one, as in
    /// git. Returned in refname order.
    fn tags(&self) -> Result<Vec<TagEntry>, GitError> {
        let repo = &self.repo;
        let prefix: &gix::path::RelativePath = "refs/tags/".try_into().expect("valid prefix");
        let mut loose = Vec::new();
        for r in repo
            .refs
            .loose_iter_prefixed(prefix)
            .map_err(|e| GitError::other("listing loose tags", e))?
        {
            let r = r.map_err(|e| GitError::other("reading a loose tag", e))?;
            let gix::refs::Target::Object(target) = &r.target else {
                continue;
            };
            let name = r.name.as_bstr();
            let short = name.strip_prefix(b"refs/tags/".as_slice()).unwrap_or(name);
            loose.push(TagEntry {
                name: TagName::from_bytes(short),
                target: to_oid(target),
            });
        }
        let mut packed = Vec::new();
        if let Some(buffer) = repo
            .refs
            .cached_packed_buffer()
            .map_err(|e| GitError::other("reading packed-refs", e))?
        {
            let data: &[u8] = (**buffer).as_ref();
            // Lines are `<id> <refname>`; peel lines (`^<id>`) have no space and are skipped:
            // the tool reads the tag object when it needs the target.
            for line in data.split(|b| *b == b'\n') {
                let Some(space) = line.iter().position(|b| *b == b' ') else {
                    continue;
                };
                let (hex, name) = (&line[..space], &line[space + 1..]);
                let Some(short) = name.strip_prefix(b"refs/tags/".as_slice()) else {
                    continue;
                };
                let Some(target) = std::str::from_utf8(hex).ok().and_then(|h| Oid::parse(h).ok()) else {
                    continue;
                };
                packed.push(TagEntry {
                    name: TagName::from_bytes(short),
                    target,
                });
            }
        }
        if loose.is_empty() {
            return Ok(packed);
        }
        // Merge the two name-sorted lists; on equal names the loose ref wins.
        loose.sort_by(|a, b| a.name.cmp(&b.name));
        packed.sort_by(|a, b| a.name.cmp(&b.name));
        let mut out = Vec::with_capacity(loose.len() + packed.len());
        let (mut l, mut p) = (loose.into_iter().peekable(), packed.into_iter().peekable());
        loop {
            match (l.peek(), p.peek()) {
                (Some(a), Some(b)) if a.name == b.name => {
                    out.push(l.next().expect("peeked"));
                    p.next();
                }
                (Some(a), Some(b)) if a.name < b.name => out.push(l.next().expect("peeked")),
                (Some(_), Some(_)) | (None, Some(_)) => out.push(p.next().expect("peeked")),
                (Some(_), None) => out.push(l.next().expect("peeked")),
                (None, None) => break,
            }
        }
        Ok(out)
    }

    /// Resolves a revision (`HEAD`, a branch, a tag, an id) to a commit. `Ok(None)` if it does not
    /// exist; an error if it names something that is not a commit.
    pub fn resolve_commit(&self, rev: &str) -> Result<Option<Oid>, GitError> {
        let Ok(id) = self.repo.rev_parse_single(rev) else {
            return Ok(None);
        };
        let object = id.object()?;
        match object.peel_tags_to_end() {
            Ok(o) if o.kind == Kind::Commit => Ok(Some(to_oid(&o.id))),
            Ok(o) => Err(GitError::NotACommit {
                rev: rev.to_owned(),
                kind: o.kind.to_string(),
            }),
            Err(e) => Err(GitError::Gix(e)),
        }
    }

    fn find(&self, id: gix::ObjectId) -> Result<gix::Object<'_>, SourceError> {
        Ok(self.repo.find_object(id)?)
    }
}

/// What is in progress, as `git status` would say; gix misses a paused sequencer.
fn operation(repo: &gix::Repository) -> Option<String> {
    use gix::state::InProgress as P;
    let name = match repo.state()? {
        P::ApplyMailbox | P::ApplyMailboxRebase => "am",
        P::Bisect => "bisect",
        P::CherryPick | P::CherryPickSequence => "cherry-pick",
        P::Merge => "merge",
        P::Rebase | P::RebaseInteractive => "rebase",
        P::Revert | P::RevertSequence => "revert",
    };
    Some(name.to_owned())
}

fn operation_or_sequencer(repo: &gix::Repository) -> Option<String> {
    operation(repo).or_else(|| {
        repo.git_dir()
            .join("sequencer")
            .is_dir()
            .then(|| "a paused revert or cherry-pick sequence".to_owned())
    })
}

fn kind_of(kind: Kind) -> ObjectKind {
    match kind {
        Kind::Commit => ObjectKind::Commit,
        Kind::Tree => ObjectKind::Tree,
        Kind::Blob => ObjectKind::Blob,
        Kind::Tag => ObjectKind::Tag,
    }
}

impl ObjectSource for Reader {
    fn read_tag(&self, entry: &TagEntry) -> Result<TagObject, SourceError> {
        let mut obj = self.find(from_oid(&entry.target))?;
        if obj.kind != Kind::Tag {
            // Lightweight: the ref points at the object itself.
            let (mut commit_time, mut commit_subject) = (None, None);
            if obj.kind == Kind::Commit {
                let commit = gix::objs::CommitRef::from_bytes(&obj.data, self.repo.object_hash())
                    .map_err(|e| format!("commit {} is corrupt: {e}", obj.id))?;
                commit_time = commit.committer().ok().and_then(|c| c.time().ok()).map(time_of);
                commit_subject = Some(String::from_utf8_lossy(commit.message_summary().as_ref()).into_owned());
            }
            return Ok(TagObject {
                annotation: None,
                points_to: kind_of(obj.kind),
                peeled: to_oid(&obj.id),
                commit_time,
                commit_subject,
            });
        }
        // Annotated: the tag header names the target's kind, so the target itself is only read
        // to follow a chain of nested tags.
        let mut annotation = None;
        for _ in 0..16 {
            let tag = gix::objs::TagRef::from_bytes(&obj.data, self.repo.object_hash())
                .map_err(|e| format!("tag object {} of `{}` is corrupt: {e}", obj.id, entry.name))?;
            if annotation.is_none() {
                let (tagger, time) = match tag.tagger() {
                    Ok(Some(sig)) => (
                        Some(Person {
                            name: sig.name.to_string(),
                            email: sig.email.to_string(),
                        }),
                        sig.time().ok().map(time_of),
                    ),
                    _ => (None, None),
                };
                annotation = Some(Annotation {
                    tagger,
                    time,
                    message: tag.message.to_vec(),
                });
            }
            let (target, kind) = (tag.target(), tag.target_kind);
            if kind != Kind::Tag {
                return Ok(TagObject {
                    annotation,
                    points_to: kind_of(kind),
                    peeled: to_oid(&target),
                    commit_time: None,
                    commit_subject: None,
                });
            }
            obj = self.find(target)?;
        }
        Err(format!("tag `{}` is nested more than 16 levels deep", entry.name).into())
    }

    fn is_ancestor(&self, ancestor: &Oid, descendant: &Oid) -> Result<bool, SourceError> {
        if ancestor == descendant {
            return Ok(true);
        }
        let base = self.repo.merge_base(from_oid(ancestor), from_oid(descendant))?;
        Ok(base.is_some_and(|b| b.detach() == from_oid(ancestor)))
    }

    fn count_commits(&self, tip: &Oid, hide: Option<&Oid>) -> Result<CommitCount, SourceError> {
        Ok(super::count::count(&self.repo, from_oid(tip), hide.map(from_oid))?)
    }
}
