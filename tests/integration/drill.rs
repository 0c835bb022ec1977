//! `drill`: rehearsals that pass and fail in each way the issue names, each report snapshotted,
//! and after every drill the user's repository (refs, index, work tree, reflogs, every file
//! under .git) byte for byte as before.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// Everything a drill must not change, as text: refs, the work tree's status, and every file
/// under .git (objects, index, reflogs, config, …) with a hash of its bytes.
fn fingerprint(dir: &Path) -> String {
    let mut out = refs(dir);
    if git(dir, &["rev-parse", "--is-bare-repository"]).trim() == "false" {
        // git may refresh the index's stat data the first time it looks; let it do so first.
        git(dir, &["status", "--porcelain"]);
        out.push_str(&git(
            dir,
            &["status", "--porcelain", "--untracked-files=all", "--ignored"],
        ));
    }
    let git_dir = dir.join(git(dir, &["rev-parse", "--git-dir"]).trim());
    let mut files = BTreeMap::new();
    let mut stack = vec![git_dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).unwrap().hash(&mut h);
                files.insert(p.strip_prefix(&git_dir).unwrap().display().to_string(), h.finish());
            }
        }
    }
    for (p, h) in files {
        out.push_str(&format!("{p} {h:016x}\n"));
    }
    out
}

/// Runs a drill in a scratch copy of `fixture`, checks that the repository is untouched and
/// that the drill's scratch copy is gone, and returns the run.
fn drill(fixture_name: &str, args: &[&str]) -> Run {
    let tmp = scratch(fixture_name);
    let dir = tmp.path().join("repo");
    let scratch_parent = tempfile::tempdir().unwrap();
    let before = fingerprint(&dir);
    let mut all = vec!["drill"];
    all.extend_from_slice(args);
    let r = run_with(&dir, &all, &[("TMPDIR", scratch_parent.path())]);
    assert_eq!(fingerprint(&dir), before, "the drill changed the repository");
    let left: Vec<_> = std::fs::read_dir(scratch_parent.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "the scratch copy was left behind: {left:?}");
    r
}

fn redacted(r: &Run) -> String {
    let time = regex::Regex::new(r"\d+\.\d s\b").unwrap();
    let id = regex::Regex::new(r"\b(at|ms\)?) [0-9a-f]{7}\b").unwrap();
    let text = time.replace_all(&r.snapshot(), "[t] s").into_owned();
    id.replace_all(&text, "$1 [id]").into_owned()
}

fn steps(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const TEST: &str = "test -f src/app.py && echo \"$GIT_ROLLBACK_DRILL_STEP on $GIT_ROLLBACK_DRILL_RELEASE\"";

#[test]
fn a_drill_that_passes() {
    let r = drill("check-clean", &["--env", "production", "--test-cmd", TEST]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("passes", redacted(&r));
    let doc = drill("check-clean", &["--env", "production", "--test-cmd", TEST, "--json"]).json();
    assert_eq!(doc["schema"], "git-rollback/drill/v1");
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["strategy"], "revert");
    assert_eq!(
        steps(&doc),
        [("deploy", "pass"), ("roll-back", "pass"), ("roll-forward", "pass")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The test command ran in each state, told which one.
    let outputs: Vec<String> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["commands"][0]["output"].as_str().unwrap().trim().to_owned())
        .collect();
    assert_eq!(
        outputs,
        ["deploy on v1.1.0", "roll-back on v1.0.0", "roll-forward on v1.1.0"]
    );
    // What the steps checked out: the from-release, then the reverts, then the restore.
    let from = doc["from"]["commit"].as_str().unwrap();
    assert_eq!(doc["steps"][0]["checked_out"], from);
    // The revert differs from v1.0.0 only in the file main changed after v1.1.0.
    let details = doc["steps"][1]["details"].to_string();
    assert!(
        details.contains("except files changed on the production branch after the live release: docs/notes.md"),
        "{details}"
    );
    let markdown = drill(
        "check-clean",
        &["--env", "production", "--test-cmd", TEST, "--markdown"],
    );
    insta::assert_snapshot!("passes-markdown", redacted(&markdown));
}

#[test]
fn a_drill_that_fails_at_the_revert() {
    let r = drill("check-conflict", &["--env", "production", "--strategy", "revert"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("conflict", redacted(&r));
    assert!(r.stdout.contains("conflicts in src/app.py"), "{}", r.stdout);
    // Without --strategy, the drill rehearses the recommended rollback (a branch, here).
    let doc = drill("check-conflict", &["--env", "production", "--json"]).json();
    assert_eq!(
        (doc["strategy"].as_str(), doc["passed"].as_bool()),
        (Some("branch"), Some(true))
    );
}

#[test]
fn a_drill_whose_test_fails_in_the_rolled_back_state() {
    let test = "test -f src/search.py || { echo 'search is gone' >&2; exit 4; }";
    let r = drill("check-clean", &["--env", "production", "--test-cmd", test]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("test-fails", redacted(&r));
    let doc = drill("check-clean", &["--env", "production", "--test-cmd", test, "--json"]).json();
    assert_eq!(
        steps(&doc),
        [("deploy", "pass"), ("roll-back", "fail"), ("roll-forward", "skipped")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let failed = &doc["steps"][1]["commands"][0];
    assert_eq!(failed["exit_code"], 4);
    assert_eq!(failed["output"], "search is gone\n");
    let md = drill(
        "check-clean",
        &["--env", "production", "--test-cmd", test, "--markdown"],
    );
    insta::assert_snapshot!("test-fails-markdown", redacted(&md));
}

#[test]
fn a_drill_with_an_irreversible_migration() {
    let r = drill("check-sqlx", &["--env", "production", "--strategy", "revert"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("irreversible", redacted(&r));
    assert!(r.stdout.contains("migrations.changed"), "{}", r.stdout);
    // The recommended strategy for it is a hotfix, which rehearses cleanly.
    let doc = drill("check-sqlx", &["--env", "production", "--json"]).json();
    assert_eq!(
        (doc["strategy"].as_str(), doc["passed"].as_bool()),
        (Some("hotfix"), Some(true))
    );
}

#[test]
fn migrations_run_down_on_the_old_code_and_up_on_the_new() {
    // src/search.py exists in v1.1.0 (from) only: down must run before the code switches,
    // up after rolling forward.
    let check = "test -f src/search.py && echo \"$GIT_ROLLBACK_DRILL_STEP\"";
    let doc = drill(
        "check-clean",
        &[
            "--env",
            "production",
            "--migrate-down",
            check,
            "--migrate-up",
            check,
            "--json",
        ],
    )
    .json();
    assert_eq!(doc["passed"], true, "{doc}");
    let roles: Vec<String> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["commands"].as_array().unwrap().clone())
        .map(|c| {
            format!(
                "{} {}",
                c["role"].as_str().unwrap(),
                c["output"].as_str().unwrap().trim()
            )
        })
        .collect();
    assert_eq!(roles, ["migrate-down roll-back", "migrate-up roll-forward"]);
}

#[test]
fn a_hanging_command_is_killed_at_the_timeout() {
    let started = std::time::Instant::now();
    let r = drill(
        "check-clean",
        &[
            "--env",
            "production",
            "--test-cmd",
            "sleep 60",
            "--timeout",
            "1",
            "--json",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let doc = r.json();
    assert_eq!(doc["steps"][0]["commands"][0]["status"], "timed out after 1 s, killed");
}

#[test]
fn record_writes_one_drill_tag_that_history_and_status_show() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let before = refs(&dir);
    let r = run_in(&dir, &["drill", "--env", "production", "--record", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let record = r.json()["record"].as_str().unwrap().to_owned();
    assert!(record.starts_with("drill/production/"), "{record}");
    // Exactly one new ref: the record.
    let after = refs(&dir);
    let added: Vec<&str> = after.lines().filter(|l| !before.contains(l)).collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].starts_with(&format!("refs/tags/{record} ")));
    assert_eq!(
        trailers_of(&dir, &record),
        "Drill-Environment: production\nDrill-From: v1.1.0\nDrill-To: v1.0.0\nDrill-Strategy: revert\nDrill-Result: pass\nGit-Rollback-Format: 1\n"
    );
    assert_eq!(
        git(&dir, &["rev-parse", &format!("{record}^{{commit}}")]),
        git(&dir, &["rev-parse", "v1.1.0^{commit}"])
    );
    let status = run_in(&dir, &["status", "--json"]).json();
    let env = &status["environments"][0];
    assert_eq!(env["last_drill"]["tag"], record.as_str());
    assert_eq!(env["last_drill"]["passed"], true);
    // A drill is not a deploy: what is live does not change.
    assert_eq!(env["live"]["tag"], "v1.1.0");
    let history = run_in(&dir, &["history", "--kind", "drill", "--json"]).json();
    assert_eq!(history["events"][0]["tag"], record.as_str());
    assert_eq!(history["events"][0]["passed"], true);
    // A failed drill is recorded as failed, at the step that failed.
    let r = run_in(
        &dir,
        &["drill", "--env", "production", "--record", "--test-cmd", "false"],
    );
    assert_eq!(r.code, 1);
    let status = run_in(&dir, &["status", "--json"]).json();
    let last = status["environments"][0]["last_drill"]["tag"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(trailers_of(&dir, &last).contains("Drill-Result: fail\nDrill-Failed-Step: deploy\n"));
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    let dir = fixture("check-clean");
    for (args, code, message) in [
        (&["--env", "production", "--timeout", "0"][..], 2, "--timeout"),
        (&["--env", "production", "--test-cmd", " "][..], 2, "must not be empty"),
        (&["--env", "staging"][..], 2, "unknown environment `staging`"),
        (&["--env", "production", "--to", "v9.9.9"][..], 2, "v9.9.9"),
        (&["--env", "production", "--push"][..], 2, "--record"),
    ] {
        let mut all = vec!["drill"];
        all.extend_from_slice(args);
        let r = run_in(&dir, &all);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_sigterm_and_sighup_kill_the_command_and_remove_the_scratch_copy() {
    for signal in ["-INT", "-TERM", "-HUP"] {
        interrupt_drill(signal);
    }
}

#[cfg(unix)]
fn interrupt_drill(signal: &str) {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let scratch_parent = tempfile::tempdir().unwrap();
    let before = fingerprint(&dir);
    let marker = scratch_parent.path().with_extension("running");
    let started = std::time::Instant::now();
    let child = hermetic(Command::new(BIN).args([
        "drill",
        "--env",
        "production",
        "--test-cmd",
        "touch \"$DRILL_TEST_MARKER\"; sleep 60",
    ]))
    .current_dir(&dir)
    .env("TMPDIR", scratch_parent.path())
    .env("DRILL_TEST_MARKER", &marker)
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Wait until the test command runs in the scratch copy.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !marker.exists() {
        assert!(std::time::Instant::now() < deadline, "the drill did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Ctrl-C (or a cancelled job's SIGTERM, a closed terminal's SIGHUP), sent with kill(1).
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{signal}: {stderr}");
    // The 60-second command was killed, not waited for.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr.contains("interrupted; the scratch copy was removed"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(scratch_parent.path()).unwrap().count(),
        0,
        "scratch copy left behind"
    );
    assert_eq!(fingerprint(&dir), before);
}

#[test]
fn git_variables_pointing_at_the_repository_do_not_reach_the_scratch_copy() {
    // GIT_CONFIG, GIT_DIR and GIT_INDEX_FILE name the user's files: a drill that honoured them in
    // the copy would write the user's config, refs and index.
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let scratch_parent = tempfile::tempdir().unwrap();
    let before = fingerprint(&dir);
    let git_dir = dir.join(".git");
    let config = git_dir.join("config");
    let index = git_dir.join("index");
    let r = run_with(
        &dir,
        &[
            "drill",
            "--env",
            "production",
            "--test-cmd",
            "git status --short >/dev/null && git rev-parse --git-dir",
        ],
        &[
            ("TMPDIR", scratch_parent.path()),
            ("GIT_CONFIG", &config),
            ("GIT_DIR", &git_dir),
            ("GIT_WORK_TREE", &dir),
            ("GIT_INDEX_FILE", &index),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(fingerprint(&dir), before, "the drill changed the repository");
    assert_eq!(std::fs::read_dir(scratch_parent.path()).unwrap().count(), 0);
}

#[test]
fn the_production_branch_is_the_one_the_real_rollback_would_use() {
    // No `main`: the checked-out `develop` is the production branch, in the copy too.
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    git(&dir, &["branch", "-m", "main", "develop"]);
    let doc = run_in(
        &dir,
        &["drill", "--env", "production", "--strategy", "revert", "--json"],
    )
    .json();
    assert_eq!(doc["passed"], true, "{doc}");
}

#[test]
fn bare_and_detached_repositories_drill_too() {
    for (fixture_name, args) in [
        (
            "bare",
            &["--env", "production", "--from", "v1.1.0", "--to", "v1.0.0", "--json"][..],
        ),
        ("detached", &["--env", "production", "--json"][..]),
    ] {
        let r = drill(fixture_name, args);
        assert_eq!(r.code, 0, "{fixture_name}: {}", r.stderr);
        assert_eq!(r.json()["passed"], true, "{fixture_name}");
    }
}
