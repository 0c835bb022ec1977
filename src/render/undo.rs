//! `undo`: what is (or would be) reversed.

use serde::Serialize;

use super::Output;
use crate::model::outcome::RefChange;
use crate::ui::sanitize;

/// The operation being undone, as the journal recorded it.
pub struct UndoView<'a> {
    /// The record tag the operation wrote.
    pub id: &'a str,
    pub command: &'a str,
    pub time: &'a str,
    /// The operation moved a checked-out work tree, which is moved back too.
    pub moved_worktree: bool,
}

pub fn human(out: &Output, entry: &UndoView<'_>, inverse: &[RefChange], dry_run: bool) -> String {
    let s = &out.out_styles;
    let title = if dry_run { "Would undo" } else { "Undid" };
    let mut t = format!(
        "{} {} ({}, {})\n",
        s.heading.apply_to(title),
        sanitize::line(entry.id),
        entry.command,
        entry.time
    );
    for c in inverse {
        let line = match c {
            RefChange::Delete { name, old } => format!("delete {name} (at {})", old.short()),
            RefChange::Update { name, old, new } => format!("move {name} back {} → {}", old.short(), new.short()),
            RefChange::Create { name, new } => format!("recreate {name} → {}", new.short()),
        };
        t.push_str(&format!("  {}\n", sanitize::line(&line)));
    }
    if entry.moved_worktree {
        t.push_str("  and move the checked-out work tree back (through git read-tree)\n");
    }
    t
}

#[derive(Serialize)]
pub struct UndoDoc<'a> {
    pub schema: &'static str,
    pub dry_run: bool,
    /// The record of the operation undone (or that would be); `null` when there is none.
    pub undone: Option<&'a str>,
    pub deleted: Vec<String>,
    pub moved: Vec<serde_json::Value>,
}

/// The document when there is nothing to undo.
pub fn nothing() -> UndoDoc<'static> {
    UndoDoc {
        schema: super::outcome::OUTCOME_SCHEMA,
        dry_run: false,
        undone: None,
        deleted: Vec::new(),
        moved: Vec::new(),
    }
}

pub fn doc<'a>(entry: &UndoView<'a>, inverse: &[RefChange], dry_run: bool) -> UndoDoc<'a> {
    UndoDoc {
        schema: super::outcome::OUTCOME_SCHEMA,
        dry_run,
        undone: Some(entry.id),
        deleted: inverse
            .iter()
            .filter(|c| matches!(c, RefChange::Delete { .. }))
            .map(|c| c.name().to_owned())
            .collect(),
        moved: inverse
            .iter()
            .filter_map(|c| match c {
                RefChange::Update { name, old, new } => Some(serde_json::json!({"ref": name, "old": old, "new": new})),
                _ => None,
            })
            .collect(),
    }
}
