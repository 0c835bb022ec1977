//! `history`: the timeline as a terminal table, as Markdown, and the one-line wording of an
//! event that `show` and `report` reuse.

use super::table::{Cell, render};
use super::{Output, markdown as md};
use crate::ledger::history::{Event, EventKind, MalformedRecord, Timeline};
use crate::ui::sanitize;

/// What happened, in words (raw text: callers sanitise or escape).
pub fn what(e: &Event) -> String {
    let t = |t: &Option<crate::model::TagName>| t.as_ref().map_or("?".to_owned(), |t| t.to_string());
    let env = e.environment.as_ref().map_or("?".to_owned(), |n| n.to_string());
    let mut text = match e.kind {
        EventKind::Release => format!("release {}", e.tag),
        EventKind::Deploy => format!("deploy {} to {env}", t(&e.release)),
        EventKind::Rollback => format!(
            "roll back {env} from {} to {} ({})",
            t(&e.from),
            t(&e.to),
            e.strategy.as_deref().unwrap_or("?")
        ),
        EventKind::Restore => format!("restore {env} to {}", t(&e.release)),
        EventKind::Drill => format!(
            "drill {env}: {} to {} ({}), {}",
            t(&e.from),
            t(&e.to),
            e.strategy.as_deref().unwrap_or("?"),
            if e.passed == Some(true) { "passed" } else { "failed" }
        ),
    };
    if e.format_version > crate::model::record::FORMAT_VERSION {
        text.push_str(&format!(" [format {}]", e.format_version));
    }
    text
}

fn by(e: &Event) -> String {
    e.by.as_ref().map_or("-".to_owned(), |p| p.name.clone())
}

/// The first line of the reason (or of a release's notes).
pub fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
}

fn malformed_what(m: &MalformedRecord) -> String {
    format!("malformed {} record ({})", m.kind.as_str(), m.environment)
}

/// Events and malformed records merged by time, for display.
enum Row<'a> {
    Event(&'a Event),
    Malformed(&'a MalformedRecord),
}

fn rows(t: &Timeline) -> Vec<Row<'_>> {
    let mut rows: Vec<(i64, Row<'_>)> = t.events.iter().map(|e| (e.time.seconds, Row::Event(e))).collect();
    rows.extend(
        t.malformed
            .iter()
            .map(|m| (m.time.map_or(i64::MIN, |t| t.seconds), Row::Malformed(m))),
    );
    rows.sort_by_key(|(t, _)| *t);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The terminal table.
pub fn table(out: &Output, t: &Timeline) -> String {
    let s = &out.out_styles;
    let line = |text: &str, max: usize| sanitize::truncate(&sanitize::line(text), max).into_owned();
    let mut table_rows = Vec::new();
    for row in rows(t) {
        table_rows.push(match row {
            Row::Event(e) => {
                let style = match e.kind {
                    EventKind::Rollback => &s.bad,
                    EventKind::Restore | EventKind::Deploy => &s.live,
                    EventKind::Release => &s.version,
                    EventKind::Drill if e.passed == Some(true) => &s.ok,
                    EventKind::Drill => &s.warn,
                };
                vec![
                    Cell::plain(e.time.short()),
                    Cell::styled(line(&what(e), 60), style),
                    Cell::plain(line(&by(e), 24)),
                    Cell::plain(line(e.incident.as_deref().unwrap_or("-"), 16)),
                    Cell::styled(line(e.tag.as_str(), 60), &s.dim),
                    Cell::plain(line(first_line(&e.reason), 60)),
                ]
            }
            Row::Malformed(m) => vec![
                Cell::plain(m.time.map_or("-".to_owned(), |t| t.short())),
                Cell::styled(line(&malformed_what(m), 60), &s.warn),
                Cell::plain("-"),
                Cell::plain("-"),
                Cell::styled(line(m.tag.as_str(), 60), &s.dim),
                Cell::styled(line(&m.problem, 60), &s.warn),
            ],
        });
    }
    render(
        &["TIME (UTC)", "EVENT", "BY", "INCIDENT", "TAG", "REASON"],
        &table_rows,
        &s.heading,
    )
}

/// Markdown: the table, then each rollback's (and restore's) full reason.
pub fn markdown(t: &Timeline) -> String {
    let mut table_rows = Vec::new();
    for row in rows(t) {
        table_rows.push(match row {
            Row::Event(e) => vec![
                e.time.short(),
                md::cell(&what(e)),
                md::cell(&by(e)),
                md::cell(e.incident.as_deref().unwrap_or("")),
                md::code_cell(e.tag.as_str()),
            ],
            Row::Malformed(m) => vec![
                m.time.map_or(String::new(), |t| t.short()),
                format!("{} — {}", md::cell(&malformed_what(m)), md::cell(&m.problem)),
                String::new(),
                String::new(),
                md::code_cell(m.tag.as_str()),
            ],
        });
    }
    let mut out = md::table(&["Time (UTC)", "Event", "By", "Incident", "Record"], &table_rows);
    for e in t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Rollback | EventKind::Restore))
    {
        out.push_str(&format!(
            "\n### {}, {} UTC\n\n",
            md::cell(&capitalised(&what(e))),
            e.time.short()
        ));
        out.push_str(&format!("Record {}", md::code(e.tag.as_str())));
        if let Some(p) = &e.by {
            out.push_str(&format!(" by {}", md::cell(&p.to_string())));
        }
        if let Some(i) = &e.incident {
            out.push_str(&format!(", incident {}", md::cell(i)));
        }
        out.push_str(":\n\n");
        out.push_str(&if e.reason.trim().is_empty() {
            "> (no reason recorded)\n".to_owned()
        } else {
            md::quote(&e.reason)
        });
    }
    out
}

pub fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
