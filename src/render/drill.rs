//! `drill`: the report of a rehearsal, for the terminal, as Markdown (a CI job summary) and as
//! JSON.

use serde::Serialize;

use super::check::SideDto;
use super::{Output, markdown as md};
use crate::drill::{CommandReport, DrillReport, StepReport, Verdict};
use crate::ui::sanitize;

/// How many lines of a failed command's output the human report shows.
const OUTPUT_LINES: usize = 20;

fn seconds(ms: u128) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn title(r: &DrillReport) -> String {
    format!(
        "roll back {} from {} to {} ({})",
        r.environment,
        r.from.tag,
        r.to.tag,
        r.strategy.as_str()
    )
}

fn verdict_text(r: &DrillReport) -> String {
    match r.failed_step() {
        None if r.passed() => "passed".to_owned(),
        Some(s) => format!("failed at {}", s.kind.as_str()),
        None => "incomplete".to_owned(),
    }
}

fn command_line(c: &CommandReport) -> String {
    format!("{} `{}`: {}", c.role.as_str(), c.command, c.status)
}

fn tail(output: &str, lines: usize) -> Vec<&str> {
    let all: Vec<&str> = output.lines().collect();
    all[all.len().saturating_sub(lines)..].to_vec()
}

/// The terminal report.
pub fn human(out: &Output, r: &DrillReport) -> String {
    let s = &out.out_styles;
    let passed = r.passed();
    let mut text = format!(
        "{} {}: {}\n\n",
        s.heading.apply_to("Drill:"),
        sanitize::line(&title(r)),
        if passed {
            s.ok.apply_to(verdict_text(r)).to_string()
        } else {
            s.bad.apply_to(verdict_text(r).to_uppercase()).to_string()
        }
    );
    for step in &r.steps {
        let (mark, style) = match step.verdict {
            Verdict::Pass => ("✓", &s.ok),
            Verdict::Fail => ("✗", &s.bad),
            Verdict::Skipped => ("-", &s.dim),
        };
        let time = match step.verdict {
            Verdict::Skipped => "skipped".to_owned(),
            _ => seconds(step.duration_ms),
        };
        text.push_str(&format!(
            "{} {:<13} {}\n",
            style.apply_to(mark),
            style.apply_to(step.kind.as_str()),
            s.dim.apply_to(time)
        ));
        for d in &step.details {
            text.push_str(&format!("    {}\n", sanitize::line(d)));
        }
        for c in &step.commands {
            text.push_str(&format!("    {}\n", sanitize::line(&command_line(c))));
            if !c.passed {
                for line in tail(&c.output, OUTPUT_LINES) {
                    text.push_str(&format!("      {} {}\n", s.dim.apply_to("|"), sanitize::line(line)));
                }
            }
        }
        if let Some(p) = &step.problem {
            for (i, line) in p.lines().enumerate() {
                let lead = if i == 0 { "problem:" } else { "hint:" };
                text.push_str(&format!("    {} {}\n", s.bad.apply_to(lead), sanitize::line(line)));
            }
        }
    }
    text
}

/// The Markdown report (for `$GITHUB_STEP_SUMMARY` and the like).
pub fn markdown(r: &DrillReport) -> String {
    let icon = if r.passed() { "✅" } else { "❌" };
    let mut out = format!(
        "### {icon} Rollback drill: {} — {}\n\n",
        md::cell(&title(r)),
        verdict_text(r)
    );
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .map(|step: &StepReport| {
            let mut details: Vec<String> = step.details.iter().map(|d| md::cell(d)).collect();
            details.extend(step.commands.iter().map(|c| {
                format!(
                    "{} {}: {}",
                    c.role.as_str(),
                    md::code_cell(&c.command),
                    md::cell(&c.status)
                )
            }));
            if let Some(p) = &step.problem {
                details.push(format!("**{}**", md::cell(p)));
            }
            vec![
                step.kind.as_str().to_owned(),
                format!("{:?}", step.verdict).to_lowercase(),
                match step.verdict {
                    Verdict::Skipped => String::new(),
                    _ => seconds(step.duration_ms),
                },
                details.join("<br>"),
            ]
        })
        .collect();
    out.push_str(&md::table(&["Step", "Result", "Time", "Details"], &rows));
    for step in &r.steps {
        for c in step.commands.iter().filter(|c| !c.passed) {
            out.push_str(&format!(
                "\n<details><summary>Output of <code>{}</code> ({}, {})</summary>\n\n{}\n</details>\n",
                md::html(&c.command),
                step.kind.as_str(),
                md::html(&c.status),
                md::fenced(&c.output, "text")
            ));
        }
    }
    out
}

#[derive(Serialize)]
pub struct CommandDto<'a> {
    pub role: crate::drill::Role,
    pub command: &'a str,
    pub passed: bool,
    pub status: &'a str,
    pub exit_code: Option<i32>,
    pub duration_ms: u128,
    pub output: &'a str,
    pub truncated: bool,
}

#[derive(Serialize)]
pub struct StepDto<'a> {
    pub step: crate::drill::StepKind,
    pub verdict: Verdict,
    pub duration_ms: u128,
    pub checked_out: Option<&'a str>,
    pub details: &'a [String],
    pub problem: Option<&'a str>,
    pub commands: Vec<CommandDto<'a>>,
}

/// `drill --json` (`git-rollback/drill/v1`).
#[derive(Serialize)]
pub struct DrillDoc<'a> {
    pub schema: &'static str,
    pub environment: &'a str,
    pub from: SideDto<'a>,
    pub to: SideDto<'a>,
    pub strategy: &'static str,
    pub passed: bool,
    pub steps: Vec<StepDto<'a>>,
    /// The drill record written with `--record`.
    pub record: Option<&'a str>,
    pub warnings: Vec<String>,
}

pub fn doc<'a>(r: &'a DrillReport, record: Option<&'a str>, warnings: Vec<String>) -> DrillDoc<'a> {
    let point = |p: &'a crate::drill::Point| SideDto {
        tag: p.tag.as_str(),
        commit: p.commit.as_str(),
        assumed_live: false,
    };
    DrillDoc {
        schema: "git-rollback/drill/v1",
        environment: r.environment.as_str(),
        from: point(&r.from),
        to: point(&r.to),
        strategy: r.strategy.as_str(),
        passed: r.passed(),
        steps: r
            .steps
            .iter()
            .map(|s| StepDto {
                step: s.kind,
                verdict: s.verdict,
                duration_ms: s.duration_ms,
                checked_out: s.checked_out.as_ref().map(|c| c.as_str()),
                details: &s.details,
                problem: s.problem.as_deref(),
                commands: s
                    .commands
                    .iter()
                    .map(|c| CommandDto {
                        role: c.role,
                        command: &c.command,
                        passed: c.passed,
                        status: &c.status,
                        exit_code: c.exit_code,
                        duration_ms: c.duration_ms,
                        output: &c.output,
                        truncated: c.truncated,
                    })
                    .collect(),
            })
            .collect(),
        record,
        warnings,
    }
}
