//! The guided rollback's conversation: each step fills in part of the request that `run`
//! takes (environment, situation, target, strategy, commits, reason, incident) and shows what
//! the core computed (status, recommendation, checklist, plan). It decides nothing itself.

use super::args::GuidedArgs;
use super::context::Context;
use super::error::{CommandError, CommandResult, ErrorKind};
use super::rollback::{self, PlanOptions, Prepared, Request};
use crate::checklist::{self, Status};
use crate::config::shell_quote;
use crate::plan::{Situation, Strategy};
use crate::render::{check, outcome};
use crate::ui::Prompter;
use crate::ui::sanitize;

fn aborted() -> CommandError {
    CommandError::new(ErrorKind::No, "Aborted; nothing was changed.")
}

/// Unwraps a prompt's answer: Esc (and Ctrl-C, which the terminal reports as an interrupted
/// read) aborts the whole flow.
fn answer<T>(r: std::io::Result<Option<T>>) -> CommandResult<T> {
    match r {
        Ok(v) => v.ok_or_else(aborted),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(aborted()),
        Err(e) => Err(e.into()),
    }
}

const SITUATIONS: [(Situation, &str); 3] = [
    (Situation::JustDeployed, "Just deployed, issue found"),
    (Situation::Running, "Running a while, the code must go back"),
    (
        Situation::Incident,
        "Serious incident, restore the last complete version now",
    ),
];

const STRATEGIES: [(Strategy, &str); 4] = [
    (
        Strategy::Deploy,
        "deploy  — roll back at the deployment layer only, no code change",
    ),
    (
        Strategy::Revert,
        "revert  — revert the commits since the target on a new branch",
    ),
    (Strategy::Branch, "branch  — a branch at the target release's tag"),
    (
        Strategy::Hotfix,
        "hotfix  — a hotfix branch from the target, to fix forward",
    ),
];

/// The `git rollback run` command equivalent to the answers (printed at the end, and by the
/// no-terminal refusal).
pub fn equivalent_command(a: &GuidedArgs, env: Option<&str>) -> String {
    let mut cmd = String::from("git rollback run");
    if let Some(e) = env.or(a.env.as_deref()) {
        cmd.push_str(&format!(" --env {e}"));
    }
    if let Some(t) = &a.to {
        cmd.push_str(&format!(" --to {t}"));
    }
    match a.strategy {
        Some(s) => cmd.push_str(&format!(" --strategy {}", s.as_str())),
        None => cmd.push_str(" --strategy <revert|branch|hotfix|deploy>"),
    }
    for c in &a.commits {
        cmd.push_str(&format!(" --commit {c}"));
    }
    match &a.reason {
        Some(r) => cmd.push_str(&format!(" --reason {}", shell_quote(r))),
        None => cmd.push_str(" --reason <text>"),
    }
    if let Some(i) = &a.incident {
        cmd.push_str(&format!(" --incident {}", shell_quote(i)));
    }
    cmd.push_str(" --yes");
    cmd
}

/// Runs the conversation with `p` and, once confirmed, the rollback.
pub fn flow(ctx: &Context, p: &mut dyn Prompter, flags: &GuidedArgs) -> CommandResult {
    let mut a = flags.clone();
    let s = &ctx.out.out_styles;

    // 1. Environment, and what is live there.
    let loaded = ctx.load()?;
    let envs = loaded.index.environments(&loaded.config);
    let env = match &a.env {
        Some(e) => e.clone(),
        None if envs.len() == 1 => envs[0].to_string(),
        None => {
            let items: Vec<String> = envs.iter().map(|e| e.to_string()).collect();
            let i = answer(p.select("Which environment?", &items, 0))?;
            items[i].clone()
        }
    };
    a.env = Some(env.clone());
    drop(loaded);
    let mut request = Request {
        env: a.env.clone(),
        to: a.to.clone(),
        strategy: a.strategy,
        ..Request::default()
    };
    // Everything is read once here; answers that only change the judgement (situation,
    // strategy) reuse it, and only another target reads the repository again.
    let mut prepared = rollback::prepare(ctx, &request)?;
    ctx.out.data(&header(ctx, &prepared))?;
    if let Some(note) = rollback::window_note(&prepared.loaded.config, &prepared.environment) {
        ctx.out.status(&note);
    }

    // 2. The situation.
    let situation = match a.situation {
        Some(s) => s,
        None => {
            let items: Vec<String> = SITUATIONS.iter().map(|(_, w)| w.to_string()).collect();
            SITUATIONS[answer(p.select("What is the situation?", &items, 1))?].0
        }
    };
    a.situation = Some(situation);
    request.situation = situation;
    prepared.recommend(situation);

    // 3. The target release. A bad one is allowed only when the user confirmed it here; one
    // given with --to meets the checklist like any other.
    if a.to.is_none() {
        let (to, confirmed_bad) = choose_target(p, &prepared)?;
        request.allow_bad = confirmed_bad;
        prepared = retarget(ctx, prepared, &mut request, to)?;
        a.to = request.to.clone();
    }

    loop {
        // 4. The strategy: the core's recommendation preselected, with its reason.
        let rec = &prepared.recommendation;
        let strategy = match a.strategy {
            Some(st) => st,
            None => {
                ctx.out.data(&format!(
                    "{} {}\n  {}\n",
                    s.heading.apply_to("Recommended:"),
                    s.live.apply_to(rec.strategy.as_str()),
                    sanitize::wrap(&sanitize::line(&rec.reason), WIDTH - 2, "  ")
                ))?;
                let items: Vec<String> = STRATEGIES
                    .iter()
                    .map(|(st, w)| {
                        if *st == rec.strategy {
                            format!("{w} (recommended)")
                        } else {
                            w.to_string()
                        }
                    })
                    .collect();
                let default = STRATEGIES.iter().position(|(st, _)| *st == rec.strategy).unwrap_or(0);
                STRATEGIES[answer(p.select("How do you want to roll back?", &items, default))?].0
            }
        };
        prepared.judge(Some(strategy));

        // 5. For a revert: which commits (all preselected).
        // The preview is of exactly the commits chosen, so the checklist judges those.
        if strategy == Strategy::Revert {
            if a.commits.is_empty() {
                a.commits = choose_commits(ctx, p, &prepared)?;
            }
            prepared.preview(ctx.reader()?, &a.commits)?;
            prepared.judge(Some(strategy));
        }

        // 6. The checklist, compact; a blocking failure offers a way out.
        ctx.out.data(&compact_checklist(ctx, &prepared))?;
        if prepared.report.is_blocking() {
            let items = vec![
                "Choose another strategy".to_owned(),
                "Choose another target release".to_owned(),
                "Show every checklist item".to_owned(),
                "Abort".to_owned(),
            ];
            match answer(p.select("The checklist blocks this rollback. What now?", &items, 0))? {
                0 => {
                    a.strategy = None;
                    a.commits.clear();
                    continue;
                }
                1 => {
                    let (to, confirmed_bad) = choose_target(p, &prepared)?;
                    request.allow_bad = confirmed_bad;
                    prepared = retarget(ctx, prepared, &mut request, to)?;
                    a.to = request.to.clone();
                    a.strategy = None;
                    a.commits.clear();
                    continue;
                }
                2 => {
                    ctx.out.data(&check::human(&ctx.out, &prepared.view()))?;
                    continue;
                }
                _ => return Err(aborted()),
            }
        }
        a.strategy = Some(strategy);

        // 7. The plan.
        let options = PlanOptions {
            commits: a.commits.clone(),
            ..PlanOptions::default()
        };
        let plan = rollback::make_plan(ctx, &prepared, &options)?;
        ctx.out.data(&fit(&outcome::plan_human(&ctx.out, &plan, &[])))?;

        // 8. Why, and the incident.
        if a.reason.is_none() {
            a.reason = Some(answer(
                p.input("Why are you rolling back? (recorded for the post-mortem)", true),
            )?);
        }
        let reason = rollback::check_reason(a.reason.as_deref(), true)?.expect("required");
        if a.incident.is_none() {
            let i = answer(p.input("Incident id (optional, Enter to skip)", false))?;
            a.incident = (!i.is_empty()).then_some(i);
        }

        // 9. Confirm (default No), naming what happens. The deploy strategy runs the
        // environment's deployment driver, when one is configured.
        let drives = strategy == Strategy::Deploy
            && prepared
                .loaded
                .config
                .env_settings(&prepared.environment)
                .and_then(|s| s.driver.as_ref())
                .is_some_and(|d| match d {
                    crate::config::Driver::Symlink { .. } => true,
                    crate::config::Driver::Command { rollback, .. } => rollback.is_some(),
                });
        let question = format!(
            "Roll back {} from {} to {} with the {} strategy{}?",
            env,
            plan.from.tag,
            plan.to.tag,
            strategy.as_str(),
            if drives {
                ", running the deployment driver now"
            } else {
                ""
            }
        );
        if !answer(p.confirm(&question, false))? {
            return Err(aborted());
        }

        // 10. Apply, show the outcome and how to do it without prompts next time.
        let options = PlanOptions {
            reason: Some(reason.clone()),
            incident: a.incident.clone(),
            ..options
        };
        let plan = rollback::make_plan(ctx, &prepared, &options)?;
        let checked = checklist::gate(plan, &prepared.report).map_err(|b| rollback::blocked(&b.items))?;
        crate::ui::writing_started();
        let opts = crate::apply::execute::Options {
            push: false,
            exec_deploy: drives,
            break_lock: false,
            cancel: &crate::ui::interrupted,
            command: "guided",
        };
        rollback::execute_and_render(ctx, &prepared.loaded, checked, &opts)?;
        let mut again = equivalent_command(&a, Some(&env));
        if drives {
            again.push_str(" --exec-deploy");
        }
        ctx.out.status(&format!("Next time, without prompts: {again}"));
        return Ok(());
    }
}

/// Moves the request to target `to`: the facts are read again only when the target changed.
fn retarget(ctx: &Context, mut prepared: Prepared, request: &mut Request, to: String) -> CommandResult<Prepared> {
    let changed = prepared.target.tag.as_str() != to;
    request.to = Some(to);
    if changed {
        prepared = rollback::prepare(
            ctx,
            &Request {
                strategy: None,
                ..request.clone()
            },
        )?;
    } else {
        prepared.allow_bad = request.allow_bad;
        prepared.recommend(request.situation);
    }
    Ok(prepared)
}

/// Screens are 80 columns: every line the flow prints is wrapped to fit, so prompts redraw
/// cleanly below them.
const WIDTH: usize = 78;

/// Wraps every line of a rendered block to the screen width.
fn fit(block: &str) -> String {
    block
        .lines()
        .map(|l| {
            let indent: String = l.chars().take_while(|c| *c == ' ').collect();
            format!("{}\n", sanitize::wrap(l, WIDTH, &format!("{indent}    ")))
        })
        .collect()
}

fn header(ctx: &Context, p: &Prepared) -> String {
    let s = &ctx.out.out_styles;
    let bad: Vec<&str> = p
        .loaded
        .index
        .releases
        .iter()
        .enumerate()
        .filter(|(i, _)| p.bad.contains(i))
        .map(|(_, r)| r.entry.name.as_str())
        .collect();
    let mut t = format!(
        "{} {}: {} is live\n",
        s.heading.apply_to("git rollback ·"),
        p.environment,
        s.live.apply_to(sanitize::line(p.live.tag.as_str()))
    );
    t.push_str(&format!(
        "  {}\n",
        sanitize::wrap(&sanitize::line(&p.live_evidence), WIDTH - 2, "  ")
    ));
    let previous = p
        .previous_stable
        .map(|i| p.loaded.index.releases[i].entry.name.as_str());
    t.push_str(&format!(
        "previous stable: {}\n",
        s.version.apply_to(previous.map_or("none".into(), sanitize::line))
    ));
    if !bad.is_empty() {
        t.push_str(&format!(
            "bad releases: {}\n",
            s.bad.apply_to(sanitize::wrap(&bad.join(", "), WIDTH - 14, "  "))
        ));
    }
    t
}

/// A select over releases older than the live one; previous stable preselected; bad releases
/// and pre-releases marked and chosen only after a confirmation. Returns the tag and whether a
/// bad release was confirmed.
fn choose_target(p: &mut dyn Prompter, prepared: &Prepared) -> CommandResult<(String, bool)> {
    let releases = &prepared.loaded.index.releases;
    let live = &releases[prepared.from];
    let older: Vec<usize> = (0..releases.len())
        .filter(|i| {
            releases[*i].component == live.component && releases[*i].version.cmp_precedence(&live.version).is_lt()
        })
        .collect();
    if older.is_empty() {
        return Err(CommandError::new(
            ErrorKind::Input,
            format!("there is no release older than {} to go back to", live.entry.name),
        ));
    }
    let items: Vec<String> = older
        .iter()
        .map(|i| {
            let r = &releases[*i];
            let mut label = sanitize::line(r.entry.name.as_str()).into_owned();
            if Some(*i) == prepared.previous_stable {
                label.push_str("  (previous stable)");
            }
            if prepared.bad.contains(i) {
                label.push_str("  [bad: rolled back before]");
            }
            if r.is_prerelease() {
                label.push_str("  [pre-release]");
            }
            label
        })
        .collect();
    let default = older
        .iter()
        .position(|i| Some(*i) == prepared.previous_stable)
        .unwrap_or(0);
    loop {
        let i = older[answer(p.select("Roll back to which release?", &items, default))?];
        let r = &releases[i];
        let needs_ok = prepared.bad.contains(&i) || r.is_prerelease();
        if needs_ok {
            let why = if prepared.bad.contains(&i) {
                "was rolled back before (marked bad)"
            } else {
                "is a pre-release"
            };
            if !answer(p.confirm(&format!("{} {why}. Roll back to it anyway?", r.entry.name), false))? {
                continue;
            }
        }
        return Ok((r.entry.name.to_string(), prepared.bad.contains(&i)));
    }
}

/// A multi-select of the commits a revert would undo, all preselected, merges marked; the
/// commits left out because they were reverted since are listed above it.
fn choose_commits(ctx: &Context, p: &mut dyn Prompter, prepared: &Prepared) -> CommandResult<Vec<String>> {
    let chain = &prepared.chain;
    let checklist::LeftOut { mut undone, empty } = checklist::left_out(chain);
    undone.extend(empty);
    let left_out = undone;
    if !left_out.is_empty() {
        ctx.out.data(&format!(
            "{}\n",
            sanitize::wrap(
                &format!("Left out: {}", crate::model::some_of(&left_out, 8)),
                WIDTH,
                "  "
            )
        ))?;
    }
    let ids: Vec<_> = chain.steps.iter().map(|s| s.commit).collect();
    let infos = ctx.reader()?.commits(&ids)?;
    let items: Vec<String> = infos
        .iter()
        .map(|c| {
            let merge = if c.is_merge() { " [merge]" } else { "" };
            format!(
                "{} {}{merge}",
                c.id.short(),
                sanitize::truncate(&sanitize::line(&c.subject), 56)
            )
        })
        .collect();
    loop {
        ctx.out
            .data("Merges are reverted as a whole, against the parent on the way to the target.\n")?;
        let picked = answer(p.multi_select(
            "Which commits to revert? (space toggles, enter accepts)",
            &items,
            &vec![true; items.len()],
        ))?;
        if picked.is_empty() {
            ctx.out.data("Pick at least one commit (or press Esc to abort).\n")?;
            continue;
        }
        ctx.out.data(&format!(
            "Reverting {} of {} commit{}.\n",
            picked.len(),
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ))?;
        if picked.len() == items.len() {
            return Ok(Vec::new()); // all: the default, no --commit needed
        }
        return Ok(picked.iter().map(|i| infos[*i].id.to_string()).collect());
    }
}

/// The verdict line, then only warnings and failures with their hints.
fn compact_checklist(ctx: &Context, prepared: &Prepared) -> String {
    let s = &ctx.out.out_styles;
    let report = &prepared.report;
    let blocking = report.blocking();
    let warnings: Vec<_> = report.items.iter().filter(|i| i.status == Status::Warn).collect();
    let mut t = if blocking.is_empty() {
        format!(
            "{}\n",
            s.ok.apply_to(format!(
                "✓ Checklist: nothing blocks a {} rollback ({} warning{})",
                report.strategy.as_str(),
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            ))
        )
    } else {
        let ids: Vec<&str> = blocking.iter().map(|i| i.id).collect();
        format!(
            "{}\n",
            s.bad.apply_to(format!(
                "✗ Checklist: a {} rollback fails {}",
                report.strategy.as_str(),
                ids.join(", ")
            ))
        )
    };
    for item in report
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Warn | Status::Fail))
    {
        let mark = if item.status == Status::Fail {
            s.bad.apply_to("✗")
        } else {
            s.warn.apply_to("!")
        };
        t.push_str(&format!("  {mark} {}\n", item.id));
        t.push_str(&format!(
            "      {}\n",
            sanitize::wrap(&sanitize::line(&item.summary), WIDTH - 6, "      ")
        ));
        if let Some(h) = &item.hint {
            t.push_str(&format!(
                "      {} {}\n",
                s.hint.apply_to("hint:"),
                sanitize::wrap(&sanitize::line(h), WIDTH - 12, "            ")
            ));
        }
    }
    t
}

#[cfg(test)]
mod tests;
