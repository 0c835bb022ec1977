//! The guided flow driven in-process by a scripted prompter: each situation and strategy, a
//! blocking checklist with each way out, an abort at each step, flags that skip prompts.

use std::path::Path;

use clap::Parser;
use git_rollback::cli::args::Cli;
use git_rollback::cli::context::Context;
use git_rollback::cli::guided::flow;
use git_rollback::render::Output;
use git_rollback::ui::{Answer, Scripted};

use crate::common::*;

/// Runs the flow in `dir` with `answers`; returns (exit code, output, the prompts asked).
fn drive(dir: &Path, flags: &[&str], answers: Vec<Answer>) -> (i32, String, Vec<String>) {
    let mut argv = vec!["git-rollback"];
    argv.extend_from_slice(flags);
    let cli = Cli::try_parse_from(argv).expect("flags parse");
    let ctx = Context::at(cli.global, Output::capturing(), dir);
    let mut p = Scripted::new(answers);
    let code = match flow(&ctx, &mut p, &cli.guided) {
        Ok(()) => 0,
        Err(e) => {
            let out = ctx.out.captured();
            let asked = p.asked.iter().map(|(q, _)| q.clone()).collect();
            return (e.kind.exit_code() as i32, format!("{out}error: {}", e.message), asked);
        }
    };
    (
        code,
        ctx.out.captured(),
        p.asked.iter().map(|(q, _)| q.clone()).collect(),
    )
}

fn env_identity() {
    // The flow writes through gix with the process environment; tests run with a fixed one.
    // SAFETY-free: set once, same values in every test.
    for (k, v) in [
        ("GIT_COMMITTER_NAME", "Test Committer"),
        ("GIT_COMMITTER_EMAIL", "committer@test.example"),
        ("GIT_COMMITTER_DATE", "@1795307400 +0000"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ] {
        // set_var is unsafe in edition 2024 only for multi-threaded races; the values are constant.
        unsafe { std::env::set_var(k, v) };
    }
}

use Answer::*;

#[test]
fn each_situation_recommends_its_strategy_and_runs_it() {
    env_identity();
    for (situation, pick, strategy) in [(0, Default, "deploy"), (1, Default, "revert"), (2, Default, "branch")] {
        let tmp = scratch("check-clean");
        let dir = tmp.path().join("repo");
        let mut answers = vec![Pick(situation), Default, pick];
        if strategy == "revert" {
            answers.push(Default); // all commits
        }
        answers.extend([Text("why".into()), Text(String::new()), Yes]);
        let (code, out, asked) = drive(&dir, &[], answers);
        assert_eq!(code, 0, "{strategy}: {out}");
        assert!(out.contains(&format!("Recommended: {strategy}")), "{out}");
        assert!(
            asked[0].contains("situation") && asked.last().unwrap().contains(&format!("the {strategy} strategy")),
            "{asked:?}"
        );
        let record = git(&dir, &["tag", "--list", "rollback/*"]).trim().to_owned();
        assert!(trailers_of(&dir, &record).contains(&format!("Rollback-Strategy: {strategy}")));
        assert!(
            out.contains(&format!(
                "git rollback run --env production --to v1.0.0 --strategy {strategy} --reason 'why' --yes"
            )),
            "{out}"
        );
    }
}

#[test]
fn every_strategy_can_be_chosen() {
    env_identity();
    for (i, strategy) in ["deploy", "revert", "branch", "hotfix"].iter().enumerate() {
        let tmp = scratch("check-clean");
        let dir = tmp.path().join("repo");
        let mut answers = vec![Default, Default, Pick(i)];
        if *strategy == "revert" {
            answers.push(Picks(vec![1])); // only the older commit
        }
        answers.extend([Text("why".into()), Text("INC-3".into()), Yes]);
        let (code, out, _) = drive(&dir, &[], answers);
        assert_eq!(code, 0, "{strategy}: {out}");
        let record = git(&dir, &["tag", "--list", "rollback/*"]).trim().to_owned();
        let t = trailers_of(&dir, &record);
        assert!(t.contains(&format!("Rollback-Strategy: {strategy}")), "{t}");
        if *strategy == "revert" {
            assert_eq!(t.matches("Rollback-Revert: ").count(), 1, "one chosen commit: {t}");
            assert!(
                out.contains("--commit "),
                "the equivalent command names the chosen commit: {out}"
            );
        }
    }
}

#[test]
fn a_blocking_checklist_offers_another_strategy_another_target_or_abort() {
    env_identity();
    // check-conflict: a revert conflicts; the recommendation is branch, but we pick revert.
    let tmp = scratch("check-conflict");
    let dir = tmp.path().join("repo");
    // Way out 1: another strategy.
    let (code, out, asked) = drive(
        &dir,
        &[],
        vec![
            Default,
            Default,
            Pick(1),
            Default,
            Pick(0),
            Default,
            Text("r".into()),
            Text(String::new()),
            Yes,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("✗ Checklist: a revert rollback fails revert.preview"),
        "{out}"
    );
    assert!(asked.iter().any(|q| q.contains("What now?")), "{asked:?}");
    assert!(
        trailers_of(&dir, git(&dir, &["tag", "--list", "rollback/*"]).trim()).contains("Rollback-Strategy: branch")
    );
    // Way out 3: show everything, then abort.
    let tmp = scratch("check-conflict");
    let dir = tmp.path().join("repo");
    let before = refs(&dir);
    let (code, out, _) = drive(
        &dir,
        &[],
        vec![Default, Default, Pick(1), Default, Pick(2), Pick(1), Default, Pick(3)],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Repository") && out.contains("repo.shallow"),
        "the full checklist was shown: {out}"
    );
    assert!(out.contains("Aborted; nothing was changed."), "{out}");
    assert_eq!(refs(&dir), before);
}

#[test]
fn bad_and_pre_release_targets_need_an_explicit_yes() {
    env_identity();
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    // v1.1.0 rolled back (bad), then v1.2.0 released and deployed: older than live are
    // v1.1.0 [bad] and v1.0.0 (previous stable).
    assert_eq!(
        run_in(&dir, &["run", "--strategy", "deploy", "--reason", "broken", "--yes"]).code,
        0
    );
    assert_eq!(run_in(&dir, &["tag", "1.2.0"]).code, 0);
    assert_eq!(run_in(&dir, &["deployed", "v1.2.0"]).code, 0);
    // The header names the previous stable release, not the target given with --to (the bad
    // v1.1.0 blocks; abort at the menu).
    let (code, out, _) = drive(
        &dir,
        &["--situation", "just-deployed", "--to", "v1.1.0", "--strategy", "deploy"],
        vec![Pick(3)],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("previous stable: v1.0.0"), "{out}");
    let (code, out, asked) = drive(
        &dir,
        &["--situation", "just-deployed"],
        vec![
            Pick(0),
            No,
            Pick(0),
            Yes,
            Default,
            Text("x".into()),
            Text(String::new()),
            Yes,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        asked.iter().filter(|q| q.contains("marked bad")).count() == 2,
        "{asked:?}"
    );
    let newest = git(
        &dir,
        &[
            "for-each-ref",
            "--sort=-refname",
            "--count=1",
            "--format=%(refname:short)",
            "refs/tags/rollback/",
        ],
    );
    assert!(trailers_of(&dir, newest.trim()).contains("Rollback-To: v1.1.0"));
    // In staging of `records`, v1.2.1-rc.1 is a pre-release older than live v1.4.0.
    let tmp = scratch("records");
    let dir = tmp.path().join("repo");
    let (code, out, asked) = drive(
        &dir,
        &["--env", "staging", "--situation", "incident", "--strategy", "branch"],
        vec![Pick(1), No, Default, Text("x".into()), Text(String::new()), No],
    );
    assert_eq!(code, 1, "{out}");
    assert!(asked.iter().any(|q| q.contains("is a pre-release")), "{asked:?}");
    assert!(
        !asked.iter().any(|q| q.contains("environment")),
        "--env skips the environment prompt"
    );
}

#[test]
fn esc_at_any_step_changes_nothing() {
    env_identity();
    let steps: Vec<Vec<Answer>> = vec![
        vec![Abort],
        vec![Default, Abort],
        vec![Default, Default, Abort],
        vec![Default, Default, Default, Abort],
        vec![Default, Default, Default, Default, Abort],
        vec![Default, Default, Default, Default, Text("why".into()), Abort],
        vec![
            Default,
            Default,
            Default,
            Default,
            Text("why".into()),
            Text(String::new()),
            Abort,
        ],
        vec![
            Default,
            Default,
            Default,
            Default,
            Text("why".into()),
            Text(String::new()),
            No,
        ],
    ];
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let before = (refs(&dir), git(&dir, &["count-objects", "-v"]));
    for (n, answers) in steps.into_iter().enumerate() {
        let (code, out, _) = drive(&dir, &[], answers);
        assert_eq!(code, 1, "step {n}: {out}");
        assert!(out.contains("Aborted; nothing was changed."), "step {n}: {out}");
    }
    assert_eq!((refs(&dir), git(&dir, &["count-objects", "-v"])), before);
}

#[test]
fn flags_skip_their_prompts_and_an_empty_reason_is_asked_again() {
    env_identity();
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let flags = [
        "--situation",
        "incident",
        "--to",
        "v1.0.0",
        "--strategy",
        "branch",
        "--incident",
        "INC-9",
    ];
    let (code, out, asked) = drive(&dir, &flags, vec![Text("   ".into()), Text("outage".into()), Yes]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        asked.len(),
        3,
        "reason (twice: empty is asked again) and the confirmation only: {asked:?}"
    );
    assert!(asked[0].starts_with("Why") && asked[1].starts_with("Why"));
}

#[test]
fn the_deploy_strategy_runs_the_environments_driver_and_says_so() {
    env_identity();
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let config = tmp.path().join("rollback.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\n",
            root.display()
        ),
    )
    .unwrap();
    let config_flag = config.to_str().unwrap();
    // Situation default, target default, strategy: deploy (first), reason, incident, yes.
    let (code, out, asked) = drive(
        &dir,
        &["--config", config_flag],
        vec![Default, Default, Pick(0), Text("why".into()), Text(String::new()), Yes],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        asked.iter().any(|q| q.contains("running the deployment driver now")),
        "{asked:?}"
    );
    assert_eq!(
        std::fs::read_link(root.join("current")).unwrap().display().to_string(),
        "releases/v1.0.0"
    );
    assert!(out.contains("--exec-deploy"), "{out}");
    let record = git(&dir, &["tag", "--list", "rollback/*"]).trim().to_owned();
    assert!(trailers_of(&dir, &record).contains("Rollback-Driver: symlink\n"));
}
