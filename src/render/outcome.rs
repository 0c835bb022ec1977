//! `plan`, `run`, `apply`, `restore`, `undo`: the plan before, the outcome after, and the
//! `git-rollback/plan/v1` and `git-rollback/outcome/v1` documents.

use serde::Serialize;

use super::Output;
use crate::checklist::Item;
use crate::model::outcome::Push;
use crate::plan::{Plan, Strategy};
use crate::ui::sanitize;

pub const OUTCOME_SCHEMA: &str = "git-rollback/outcome/v1";

/// What a rollback's `from` was to the records: said after it when it was assumed.
fn assumed(plan: &Plan) -> &'static str {
    if plan.from.assumed_live {
        " (assumed live: no deploy record)"
    } else {
        ""
    }
}

fn what(plan: &Plan) -> String {
    match plan.strategy {
        Strategy::Restore => format!("restore of {} in {}", plan.from.tag, plan.environment),
        s => format!(
            "{} rollback of {} from {}{} to {}",
            s.as_str(),
            plan.environment,
            plan.from.tag,
            assumed(plan),
            plan.to.tag
        ),
    }
}

fn lines(out: &Output, plan: &Plan, done: bool) -> String {
    let s = &out.out_styles;
    let mut t = String::new();
    let verb = |future: &'static str, past: &'static str| if done { past } else { future };
    if !plan.reverts.is_empty() {
        let onto = plan
            .base
            .as_ref()
            .map(|b| format!(" on {} ({})", b.name, &b.commit[..7]))
            .unwrap_or_default();
        t.push_str(&format!(
            "  {} {} commit{}{onto}, newest first:\n",
            verb("revert", "reverted"),
            plan.reverts.len(),
            if plan.reverts.len() == 1 { "" } else { "s" }
        ));
        for r in plan.reverts.iter().take(20) {
            let merge = if r.merge {
                " (merge, against its first parent)"
            } else {
                ""
            };
            t.push_str(&format!(
                "    {} {}{merge}\n",
                s.commit.apply_to(&r.commit[..7]),
                sanitize::line(&r.subject)
            ));
        }
        if plan.reverts.len() > 20 {
            t.push_str(&format!("    … and {} more\n", plan.reverts.len() - 20));
        }
    }
    if !plan.skipped.is_empty() {
        let ids: Vec<&str> = plan.skipped.iter().map(|c| &c[..7]).collect();
        t.push_str(&format!(
            "  {} (already reverted): {}\n",
            verb("skip", "skipped"),
            ids.join(", ")
        ));
    }
    for b in &plan.created.branches {
        let at = b
            .commit
            .as_deref()
            .map_or("the last revert commit".to_owned(), |c| c[..7].to_owned());
        let kind = if b.name.starts_with("refs/") {
            "backup ref"
        } else {
            "branch"
        };
        t.push_str(&format!(
            "  {} {kind} {} → {at}\n",
            verb("create", "created"),
            s.version.apply_to(sanitize::line(&b.name))
        ));
    }
    for m in &plan.moved {
        let new = m
            .new
            .as_deref()
            .map_or("the last revert commit".to_owned(), |c| c[..7].to_owned());
        t.push_str(&format!(
            "  {} {} {} → {new}\n",
            verb("move", "moved"),
            sanitize::line(&m.ref_name),
            &m.old[..7]
        ));
    }
    let record = plan.record.as_deref().map_or_else(
        || "a rollback record (named at write time)".to_owned(),
        |r| sanitize::line(r).into_owned(),
    );
    t.push_str(&format!("  {} {record}\n", verb("record", "recorded")));
    if !done {
        let untouched = if plan.moved.is_empty() {
            "the work tree, the index and every existing branch"
        } else {
            "the work tree's uncommitted changes and every other branch"
        };
        t.push_str(&format!("  {} {untouched}\n", s.dim.apply_to("leaves untouched:")));
    }
    t
}

/// A plan (dry run), with the items that block it if any.
pub fn plan_human(out: &Output, plan: &Plan, blocked: &[Item]) -> String {
    let s = &out.out_styles;
    let mut t = format!(
        "{} {} {}\n",
        s.heading.apply_to("Plan:"),
        what(plan),
        s.dim.apply_to("(nothing written)")
    );
    t.push_str(&lines(out, plan, false));
    if !blocked.is_empty() {
        t.push_str(&format!("{}\n", s.bad.apply_to("Blocked by the checklist:")));
        for i in blocked {
            t.push_str(&format!("  ✗ {:<20} {}\n", i.id, sanitize::line(&i.summary)));
            if let Some(h) = &i.hint {
                t.push_str(&format!("      {} {}\n", s.hint.apply_to("hint:"), sanitize::line(h)));
            }
        }
    }
    t.push_str(&next_steps(out, plan));
    t
}

fn next_steps(out: &Output, plan: &Plan) -> String {
    if plan.next_steps.is_empty() {
        return String::new();
    }
    let mut t = format!("{}\n", out.out_styles.heading.apply_to("Next:"));
    for n in &plan.next_steps {
        t.push_str(&format!("  {}\n", sanitize::line(n)));
    }
    t
}

/// What was done.
pub fn outcome_human(out: &Output, plan: &Plan, push: &Push) -> String {
    let s = &out.out_styles;
    let title = match plan.strategy {
        Strategy::Restore => format!("Restored {} in {}", plan.from.tag, plan.environment),
        st => format!(
            "Rolled back {} from {}{} to {} ({})",
            plan.environment,
            plan.from.tag,
            assumed(plan),
            plan.to.tag,
            st.as_str()
        ),
    };
    let mut t = format!("{}\n", s.live.apply_to(sanitize::line(&title)));
    t.push_str(&lines(out, plan, true));
    match push {
        Push::Pushed { remote } => t.push_str(&format!("  pushed to {remote}\n")),
        Push::Failed { .. } | Push::NotAsked => {}
    }
    let mut steps = plan.next_steps.clone();
    if matches!(push, Push::Pushed { .. }) {
        steps.retain(|n| !n.starts_with("git push --atomic"));
    } else {
        steps.push("to undo this before pushing: git rollback undo".into());
    }
    t.push_str(&next_steps(
        out,
        &Plan {
            next_steps: steps,
            ..plan.clone()
        },
    ));
    t
}

#[derive(Serialize)]
pub struct OutcomeDoc<'a> {
    #[serde(flatten)]
    pub plan: &'a Plan,
    pub pushed: bool,
    pub push_error: Option<&'a str>,
}

/// The outcome document: the plan with everything created filled in.
pub fn outcome_doc<'a>(plan: &'a Plan, push: &'a Push) -> OutcomeDoc<'a> {
    OutcomeDoc {
        plan,
        pushed: matches!(push, Push::Pushed { .. }),
        push_error: match push {
            Push::Failed { message, .. } => Some(message),
            _ => None,
        },
    }
}
