//! The journal of operations, for `undo`: one JSON line per operation under the git directory
//! (`git-rollback/journal.jsonl`), appended after its refs were written, and one line per undo.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One ref an operation changed: `old`/`new` are `None` for created/deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefRecord {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The operation's number in this journal (assigned on append).
    #[serde(default)]
    pub seq: u64,
    /// The record tag the operation wrote.
    pub id: String,
    pub time: String,
    pub command: String,
    /// Why, as the record says (absent in journals written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub changes: Vec<RefRecord>,
    pub pushed: bool,
    /// A checked-out branch whose work tree was moved: (work tree, old tree, new tree).
    pub worktree: Option<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Line {
    Entry(Entry),
    Undone { undone: u64 },
}

pub fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("git-rollback").join("journal.jsonl")
}

/// Makes the journal's directory and file (empty), if missing, so that appending creates
/// nothing.
pub fn prepare(git_dir: &Path) -> std::io::Result<()> {
    let p = path(git_dir);
    std::fs::create_dir_all(p.parent().expect("journal has a parent"))?;
    std::fs::OpenOptions::new().create(true).append(true).open(p).map(drop)
}

/// Appends `entry`, numbered after the entries already there.
pub fn append(git_dir: &Path, entry: &Entry) -> std::io::Result<()> {
    let (entries, _) = read(git_dir)?;
    let seq = entries.iter().map(|e| e.seq).max().unwrap_or(0) + 1;
    write_line(git_dir, &Line::Entry(Entry { seq, ..entry.clone() }))
}

pub fn mark_undone(git_dir: &Path, seq: u64) -> std::io::Result<()> {
    write_line(git_dir, &Line::Undone { undone: seq })
}

fn write_line(git_dir: &Path, line: &Line) -> std::io::Result<()> {
    let p = path(git_dir);
    std::fs::create_dir_all(p.parent().expect("journal has a parent"))?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(p)?;
    let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
    text.push('\n');
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Every entry and every undone number.
fn read(git_dir: &Path) -> std::io::Result<(Vec<Entry>, Vec<u64>)> {
    let text = match std::fs::read_to_string(path(git_dir)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut undone: Vec<u64> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Entry(e)) => entries.push(e),
            Ok(Line::Undone { undone: id }) => undone.push(id),
            Err(_) => continue, // a torn last line from a crash: ignore it
        }
    }
    Ok((entries, undone))
}

/// The newest operation that was not undone yet.
pub fn last_open(git_dir: &Path) -> std::io::Result<Option<Entry>> {
    let (entries, undone) = read(git_dir)?;
    Ok(entries.into_iter().rev().find(|e| !undone.contains(&e.seq)))
}
