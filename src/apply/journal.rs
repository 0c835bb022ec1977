//! The journal of operations, for `undo`: JSON lines under the git directory
//! (`git-rollback/journal.jsonl`). An operation's entry is appended, and made durable, before
//! its ref transaction (marked `pending`); a `settled` line follows once the transaction is
//! done (`landed`: whether the refs were written), a `pushed` line after a push, and an
//! `undone` line per undo. So `undo` sees every operation that reached the refs: one killed
//! between its transaction and its `settled` line is still pending, and whether it landed is
//! read from the refs (all at the entry's new values, or all at the old ones).

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
    /// Written before the ref transaction; a `settled` line says how it ended (absent in
    /// journals written before entries were written first: those were written after).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

/// How an operation's ref transaction ended, as far as the journal knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The refs were written.
    Landed,
    /// The transaction was refused or failed: nothing was written.
    Failed,
    /// No `settled` line: the run stopped (killed, power loss) between the entry and it; the
    /// refs say whether it landed.
    Unknown,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Line {
    Entry(Entry),
    Undone { undone: u64 },
    Settled { settled: u64, landed: bool },
    Pushed { pushed: u64 },
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

/// Appends `entry` as pending, numbered after the entries already there, and makes it durable
/// (before the ref transaction it describes); returns its number.
pub fn begin(git_dir: &Path, entry: &Entry) -> std::io::Result<u64> {
    let (entries, _) = read(git_dir)?;
    let seq = entries.iter().map(|(e, _)| e.seq).max().unwrap_or(0) + 1;
    let line = Line::Entry(Entry {
        seq,
        pending: true,
        pushed: false,
        ..entry.clone()
    });
    write_line(git_dir, &line, true)?;
    Ok(seq)
}

/// Says how operation `seq`'s ref transaction ended. Not synced: if it is lost, the refs say.
pub fn settle(git_dir: &Path, seq: u64, landed: bool) -> std::io::Result<()> {
    write_line(git_dir, &Line::Settled { settled: seq, landed }, false)
}

/// Operation `seq` was pushed (then `undo` refuses it); synced, as the refs cannot say it.
pub fn mark_pushed(git_dir: &Path, seq: u64) -> std::io::Result<()> {
    write_line(git_dir, &Line::Pushed { pushed: seq }, true)
}

pub fn mark_undone(git_dir: &Path, seq: u64) -> std::io::Result<()> {
    write_line(git_dir, &Line::Undone { undone: seq }, true)
}

fn write_line(git_dir: &Path, line: &Line, sync: bool) -> std::io::Result<()> {
    let p = path(git_dir);
    std::fs::create_dir_all(p.parent().expect("journal has a parent"))?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(p)?;
    let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
    text.push('\n');
    f.write_all(text.as_bytes())?;
    if sync { f.sync_data() } else { Ok(()) }
}

/// Every entry with how it settled, and every undone number.
type Read = (Vec<(Entry, Settled)>, Vec<u64>);

/// Reads the journal (a missing one is empty).
fn read(git_dir: &Path) -> std::io::Result<Read> {
    let text = match std::fs::read_to_string(path(git_dir)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut entries: Vec<(Entry, Settled)> = Vec::new();
    let mut undone: Vec<u64> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Entry(e)) => {
                let settled = if e.pending { Settled::Unknown } else { Settled::Landed };
                entries.push((e, settled));
            }
            Ok(Line::Undone { undone: id }) => undone.push(id),
            Ok(Line::Settled { settled, landed }) => {
                for (e, s) in entries.iter_mut().filter(|(e, _)| e.seq == settled) {
                    e.pending = false;
                    *s = if landed { Settled::Landed } else { Settled::Failed };
                }
            }
            Ok(Line::Pushed { pushed }) => {
                for (e, _) in entries.iter_mut().filter(|(e, _)| e.seq == pushed) {
                    e.pushed = true;
                }
            }
            Err(_) => continue, // a torn last line from a crash: ignore it
        }
    }
    Ok((entries, undone))
}

/// The operations not undone yet whose transaction did not fail, newest first, each with how
/// it settled (`Unknown`: the caller reads the refs).
pub fn open(git_dir: &Path) -> std::io::Result<Vec<(Entry, Settled)>> {
    let (entries, undone) = read(git_dir)?;
    Ok(entries
        .into_iter()
        .rev()
        .filter(|(e, s)| *s != Settled::Failed && !undone.contains(&e.seq))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            seq: 0,
            id: id.into(),
            time: "2026-12-04T12:00:00Z".into(),
            command: "run".into(),
            reason: Some("r".into()),
            changes: vec![RefRecord {
                ref_name: "refs/tags/x".into(),
                old: None,
                new: Some("a".repeat(40)),
            }],
            pushed: false,
            worktree: None,
            pending: false,
        }
    }

    #[test]
    fn entries_are_written_first_and_settled_after() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path();
        let one = begin(g, &entry("one")).unwrap();
        settle(g, one, true).unwrap();
        let two = begin(g, &entry("two")).unwrap();
        settle(g, two, false).unwrap();
        let three = begin(g, &entry("three")).unwrap();
        settle(g, three, true).unwrap();
        mark_pushed(g, three).unwrap();
        let four = begin(g, &entry("four")).unwrap(); // killed before its settled line
        assert_eq!((one, two, three, four), (1, 2, 3, 4));
        let open_ = open(g).unwrap();
        let seen: Vec<(&str, Settled, bool)> = open_.iter().map(|(e, s)| (e.id.as_str(), *s, e.pushed)).collect();
        assert_eq!(
            seen,
            [
                ("four", Settled::Unknown, false),
                ("three", Settled::Landed, true),
                ("one", Settled::Landed, false)
            ]
        );
        mark_undone(g, four).unwrap();
        assert_eq!(open(g).unwrap()[0].0.id, "three");
    }

    #[test]
    fn a_journal_written_after_the_refs_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let old =
            r#"{"seq":1,"id":"rollback/x","time":"t","command":"run","changes":[],"pushed":true,"worktree":null}"#;
        std::fs::create_dir_all(dir.path().join("git-rollback")).unwrap();
        std::fs::write(path(dir.path()), format!("{old}\n{{\"torn\n")).unwrap();
        let open_ = open(dir.path()).unwrap();
        assert_eq!(open_.len(), 1);
        assert_eq!(open_[0].1, Settled::Landed);
        assert!(open_[0].0.pushed);
    }
}
