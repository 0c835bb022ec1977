//! Plain domain types: ids, names, versions, trailers and ledger records.
//! Values are validated on construction. Nothing here touches Git, prints or prompts.

mod names;
pub mod outcome;
pub mod range;
pub mod record;
pub mod release;
mod state;
mod time;
pub mod trailers;
mod version;
pub mod window;

pub use names::{Component, EnvName, NameError, Oid, TagName, escape_invalid_utf8 as names_escape, is_valid_tag_name};
pub use record::{Record, RecordError, RecordKind};
pub use release::{Release, ReleaseScheme, TagClass};
pub use state::{Head, RepoState};
pub use time::Timestamp;
pub use trailers::Trailer;
pub use version::Version;

/// Who did something, as git records it (name and email, unmodified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// Who writes, and when: the user's git identity (never a guess).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub person: Person,
    pub time: Timestamp,
}

/// The kind of object a tag finally points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Commit,
    Tree,
    Blob,
    Tag,
}

/// A tag as listed from the refs, before its object is read: cheap to get for every tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagEntry {
    pub name: TagName,
    /// What the ref points at: a tag object (annotated) or directly a commit (lightweight).
    pub target: Oid,
}

/// An annotated tag to create (a release or a record), pointing at a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTag {
    pub name: TagName,
    pub target: Oid,
    pub message: String,
}

/// What reading a tag's object revealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagObject {
    /// `Some` for an annotated tag.
    pub annotation: Option<Annotation>,
    /// The kind of the object at the end of the peel chain.
    pub points_to: ObjectKind,
    /// The peeled object id (a commit for a valid release).
    pub peeled: Oid,
    /// For a commit target: its committer time and subject (used for lightweight tags).
    pub commit_time: Option<Timestamp>,
    pub commit_subject: Option<String>,
}

/// The annotation of an annotated tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub tagger: Option<Person>,
    pub time: Option<Timestamp>,
    /// The message (subject, body, trailers) as raw bytes: it is untrusted and may not be UTF-8.
    pub message: Vec<u8>,
}

impl Annotation {
    /// The message as text; bytes that are not UTF-8 are written as `\xNN` so they stay visible.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match std::str::from_utf8(&self.message) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => std::borrow::Cow::Owned(names::escape_invalid_utf8(&self.message)),
        }
    }

    /// The first line of the message.
    pub fn subject(&self) -> String {
        let text = self.text();
        text.lines().next().unwrap_or("").trim_end().to_owned()
    }

    pub fn trailers(&self) -> Vec<Trailer> {
        trailers::parse(&self.text())
    }
}

/// Read access to the objects behind refs, as the ledger needs it. Implemented by `git::Reader`;
/// unit tests use an in-memory map. Keeps deciding code free of Git and able to read lazily.
pub trait ObjectSource {
    /// Reads (and peels) the object a tag points at.
    fn read_tag(&self, entry: &TagEntry) -> Result<TagObject, SourceError>;
    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    fn is_ancestor(&self, ancestor: &Oid, descendant: &Oid) -> Result<bool, SourceError>;
    /// Commits reachable from `tip` but not from `hide`.
    fn count_commits(&self, tip: &Oid, hide: Option<&Oid>) -> Result<CommitCount, SourceError>;
}

/// How many commits a walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitCount {
    pub commits: usize,
    /// The walk reached the end of a shallow clone's history: `commits` is only a lower bound.
    pub cut: bool,
}

/// A failure to read from the repository (the message says what and why).
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// Shortens a list for one line: the first `n`, then "… and N more".
pub fn some_of<T: AsRef<str>>(items: &[T], n: usize) -> String {
    let shown: Vec<&str> = items.iter().take(n).map(|s| s.as_ref()).collect();
    let more = items.len().saturating_sub(n);
    if more > 0 {
        format!("{} … and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
