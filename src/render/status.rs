//! `status`: one block per environment (and component).

use super::Output;
use crate::ledger::views::{EvidenceInfo, StatusInfo};
use crate::ui::sanitize;

pub fn blocks(out: &Output, statuses: &[StatusInfo], branch: Option<&str>, with_component: bool) -> String {
    let s = &out.out_styles;
    let mut text = String::new();
    for (n, st) in statuses.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        let title = match (with_component, st.component.name()) {
            (true, Some(c)) => format!("{} ({c})", st.environment),
            (true, None) => format!("{} (default component)", st.environment),
            _ => st.environment.to_string(),
        };
        text.push_str(&format!("{}\n", s.heading.apply_to(title)));
        let field = |name: &str| format!("  {:<17}", name);
        match &st.live {
            Some(live) => {
                let commit = live
                    .release
                    .commit
                    .as_ref()
                    .map(|c| format!(" ({})", s.commit.apply_to(c.short())))
                    .unwrap_or_default();
                let since = live
                    .since
                    .map(|t| format!(" since {} UTC", t.short()))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "{}{}{commit}{since}\n",
                    field("live"),
                    s.live.apply_to(sanitize::line(live.release.tag.as_str()))
                ));
                let evidence = match &live.evidence {
                    EvidenceInfo::Record { tag, kind, by } => format!(
                        "{} record {}{}",
                        kind.as_str(),
                        sanitize::line(tag.as_str()),
                        by.as_ref()
                            .map(|p| format!(" by {}", sanitize::line(&p.name)))
                            .unwrap_or_default()
                    ),
                    EvidenceInfo::Branch { name } => {
                        format!(
                            "no deploy record; assumed: the newest stable release on {}",
                            sanitize::line(name)
                        )
                    }
                };
                text.push_str(&format!("{}{}\n", field("evidence"), s.dim.apply_to(evidence)));
            }
            None => text.push_str(&format!(
                "{}{}\n",
                field("live"),
                s.warn
                    .apply_to("unknown (no record and no release on the production branch)")
            )),
        }
        let prev = match &st.previous_stable {
            Some(p) => format!(
                "{}{}",
                s.version.apply_to(sanitize::line(p.tag.as_str())),
                p.commit
                    .as_ref()
                    .map(|c| format!(" ({})", s.commit.apply_to(c.short())))
                    .unwrap_or_default()
            ),
            None => "none".into(),
        };
        text.push_str(&format!("{}{prev}\n", field("previous stable")));
        if !st.bad.is_empty() {
            let bad: Vec<String> = st.bad.iter().map(|t| sanitize::line(t.as_str()).into_owned()).collect();
            text.push_str(&format!("{}{}\n", field("bad"), s.bad.apply_to(bad.join(", "))));
        }
        if let Some(d) = &st.last_drill {
            let (verdict, style) = if d.passed {
                ("passed", &s.ok)
            } else {
                ("FAILED", &s.bad)
            };
            text.push_str(&format!(
                "{}{} {} UTC ({} to {}, {}) {}\n",
                field("last drill"),
                style.apply_to(verdict),
                d.time.short(),
                sanitize::line(d.from.as_str()),
                sanitize::line(d.to.as_str()),
                sanitize::line(&d.strategy),
                s.dim.apply_to(sanitize::line(d.tag.as_str()))
            ));
        }
        if let (Some(count), Some(b)) = (st.unreleased_commits, branch) {
            let what = if st.live.is_some() {
                "not in the live release"
            } else {
                "in total"
            };
            let n = count.commits;
            let plural = if n == 1 { "" } else { "s" };
            if count.cut {
                text.push_str(&format!(
                    "{}cannot tell: this shallow clone's history ends first (at least {n} commit{plural} on {} {what})\n",
                    field("unreleased"),
                    sanitize::line(b)
                ));
            } else {
                text.push_str(&format!(
                    "{}{n} commit{plural} on {} {what}\n",
                    field("unreleased"),
                    sanitize::line(b)
                ));
            }
        }
    }
    text
}
