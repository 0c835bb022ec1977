//! `releases`: the human table.

use super::table::{Cell, render};
use super::{Output, style::Styles};
use crate::ledger::views::ReleaseInfo;
use crate::ui::sanitize;

fn flags(r: &ReleaseInfo) -> Vec<(String, bool)> {
    let mut f: Vec<(String, bool)> = Vec::new();
    for e in &r.live_in {
        let assumed = if r.assumed_live_in.contains(e) { "(assumed)" } else { "" };
        f.push((format!("live:{e}{assumed}"), false));
    }
    for e in &r.bad_in {
        f.push((format!("bad:{e}"), true));
    }
    if r.prerelease {
        f.push(("pre-release".into(), false));
    }
    if !r.annotated && r.not_a_commit.is_none() && r.commit.is_some() {
        f.push(("lightweight".into(), true));
    }
    if r.duplicate {
        f.push(("duplicate-version".into(), true));
    }
    if let Some(kind) = r.not_a_commit {
        f.push((format!("points-to-{}", format!("{kind:?}").to_lowercase()), true));
    }
    f
}

/// The releases table; with `-v`, each release's trailers below it.
pub fn table(out: &Output, releases: &[ReleaseInfo], with_component: bool) -> String {
    let s: &Styles = &out.out_styles;
    let mut header = vec!["TAG", "COMMIT", "DATE", "TAGGER", "FLAGS", "SUBJECT"];
    if with_component {
        header.insert(0, "COMPONENT");
    }
    let mut rows = Vec::new();
    for r in releases {
        let fl = flags(r);
        let flag_style = if !r.bad_in.is_empty() || fl.iter().any(|(_, w)| *w) {
            &s.warn
        } else if !r.live_in.is_empty() {
            &s.live
        } else {
            &s.dim
        };
        let flag_text: Vec<String> = fl.into_iter().map(|(t, _)| t).collect();
        let mut row = vec![
            Cell::styled(sanitize::line(r.tag.as_str()), &s.version),
            Cell::styled(
                r.commit
                    .as_ref()
                    .map(|c| c.short().to_owned())
                    .unwrap_or_else(|| "-".into()),
                &s.commit,
            ),
            Cell::plain(r.date.map(|d| d.short()).unwrap_or_else(|| "-".into())),
            Cell::plain(sanitize::truncate(
                &sanitize::line(r.tagger.as_ref().map(|p| p.name.as_str()).unwrap_or("-")),
                24,
            )),
            Cell::styled(
                if flag_text.is_empty() {
                    "-".into()
                } else {
                    flag_text.join(",")
                },
                flag_style,
            ),
            Cell::plain(sanitize::truncate(&sanitize::line(&r.subject), 72)),
        ];
        if with_component {
            row.insert(0, Cell::plain(r.component.name().unwrap_or("-")));
        }
        rows.push(row);
    }
    let mut text = render(&header, &rows, &s.heading);
    if out.verbose > 0 {
        let mut verbose = String::new();
        for (line, r) in text.lines().skip(1).zip(releases) {
            verbose.push_str(line);
            verbose.push('\n');
            for t in &r.trailers {
                verbose.push_str(&format!(
                    "    {}: {}\n",
                    s.dim.apply_to(sanitize::line(&t.key)),
                    sanitize::truncate(&sanitize::line(&t.value), 200)
                ));
            }
        }
        let header_line = text.lines().next().unwrap_or_default().to_owned();
        text = format!("{header_line}\n{verbose}");
    }
    text
}
