//! The deployment layer: the release-directory driver (deploy, roll back, redeploy; `current`
//! never missing), command drivers with hostile values, the environment lock, release windows
//! and the allow-list.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git_rollback::apply::symlink::{MARKER, Releases};
use git_rollback::model::{Oid, TagName};

use crate::common::*;

/// A scratch copy of `check-clean` and a config file (outside the work tree) with `toml`.
fn setup(toml: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let config = tmp.path().join("rollback.toml");
    std::fs::write(&config, toml).unwrap();
    (tmp, dir, config)
}

fn with_config<'a>(config: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    all
}

/// `run --strategy deploy --env production --reason <reason> --yes --exec-deploy <extra>`, with
/// the test's configuration.
fn exec_deploy(dir: &Path, config: &Path, reason: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "run",
        "--strategy",
        "deploy",
        "--env",
        "production",
        "--reason",
        reason,
        "--yes",
        "--exec-deploy",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &with_config(config, &args))
}

fn current(root: &Path) -> String {
    std::fs::read_link(root.join("current")).unwrap().display().to_string()
}

#[test]
fn deploy_roll_back_and_redeploy_with_the_release_directory_driver() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\nkeep = 2\ncheck = \"test -f src/app.py\"\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    let deploy = |release: &str| {
        let r = run_in(
            &dir,
            &with_config(
                &config,
                &[
                    "deploy",
                    release,
                    "--env",
                    "production",
                    "--yes",
                    "--allow-off-branch",
                    "--json",
                ],
            ),
        );
        assert_eq!(r.code, 0, "deploy {release}: {}", r.stderr);
        r.json()
    };
    let first = deploy("v1.0.0");
    assert_eq!(current(&root), "releases/v1.0.0");
    assert_eq!(first["driver"]["name"], "symlink");
    let record = first["record"].as_str().unwrap();
    assert!(
        trailers_of(&dir, record).contains("Deploy-Driver: symlink\nDeploy-Driver-Result: current -> releases/v1.0.0")
    );
    // The export is the release's tree (git is the referee), plus the marker.
    let listed = git(&dir, &["ls-tree", "-r", "--name-only", "v1.0.0"]);
    for path in listed.lines() {
        assert!(root.join("releases/v1.0.0").join(path).exists(), "{path} missing");
    }
    assert!(!root.join("releases/v1.0.0/.git").exists());
    assert!(root.join("releases/v1.0.0").join(MARKER).exists());

    deploy("v1.1.0");
    assert_eq!(current(&root), "releases/v1.1.0");
    assert_eq!(
        std::fs::read_link(root.join("previous")).unwrap().display().to_string(),
        "releases/v1.0.0"
    );

    // Roll back: the deploy strategy switches current back, and the record says so.
    let r = exec_deploy(&dir, &config, "checkout broken", &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(current(&root), "releases/v1.0.0");
    let rollback = r.json()["record"].as_str().unwrap().to_owned();
    assert!(trailers_of(&dir, &rollback).contains("Rollback-Driver: symlink\n"));
    assert!(
        git(&dir, &["for-each-ref", "refs/git-rollback/lock/"]).is_empty(),
        "lock left behind"
    );

    // Redeploy the rolled-back release (it is bad now: --allow-bad), then prune: keep = 2.
    let r = run_in(
        &dir,
        &with_config(
            &config,
            &[
                "deploy",
                "v1.1.0",
                "--env",
                "production",
                "--yes",
                "--allow-bad",
                "--allow-off-branch",
            ],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(current(&root), "releases/v1.1.0");
    let mut dirs: Vec<String> = std::fs::read_dir(root.join("releases"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs, ["v1.0.0", "v1.1.0"]);
    let status = run_in(&dir, &with_config(&config, &["status", "--json"])).json();
    assert_eq!(status["environments"][0]["live"]["tag"], "v1.1.0");
}

#[test]
fn a_failing_check_switches_nothing_and_records_nothing() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\ncheck = \"test -f src/search.py\"\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    let before = refs(&dir);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.0.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("the release check failed"), "{}", r.stderr);
    assert!(!root.join("current").exists());
    assert_eq!(refs(&dir), before);
}

#[test]
fn current_as_a_plain_directory_is_refused() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    std::fs::create_dir_all(root.join("current")).unwrap();
    let toml = format!("[environments.production.symlink]\nroot = \"{}\"\n", root.display());
    let (_tmp, dir, config) = setup(&toml);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.0.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("is not a symbolic link"), "{}", r.stderr);
    assert!(!root.join("releases").exists(), "nothing exported before the refusal");
    // A dry run says so too, and writes nothing.
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.0.0", "--env", "production", "--dry-run"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("the deploy would be refused"), "{}", r.stderr);
    assert!(!root.join("releases").exists());
}

#[test]
fn current_is_never_missing_while_it_is_switched() {
    // Two complete releases; one process reads through `current` in a loop while this one
    // switches it back and forth thousands of times.
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path();
    let commit = Oid::parse(&"a".repeat(40)).unwrap();
    for tag in ["v1", "v2"] {
        let d = root.join("releases").join(tag);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("payload"), tag).unwrap();
        std::fs::write(d.join(MARKER), format!("{tag}\n{commit}\n")).unwrap();
    }
    let releases = Releases::new(root);
    releases.switch(&TagName::new("v1"), &commit).unwrap();
    let stop = root.join("stop");
    let started = root.join("started");
    let script = format!(
        "n=0; while [ ! -e '{stop}' ]; do p=$(cat '{root}/current/payload' 2>/dev/null); case \"$p\" in v1|v2) n=$((n+1)); [ $n -eq 1 ] && touch '{started}';; *) echo \"BROKEN after $n reads: '$p'\"; exit 1;; esac; done; echo $n",
        stop = stop.display(),
        root = root.display(),
        started = started.display()
    );
    let reader = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Switch only once the reader reads.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "the reader did not start");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for i in 0..5000 {
        let tag = if i % 2 == 0 { "v2" } else { "v1" };
        releases.switch(&TagName::new(tag), &commit).unwrap();
    }
    std::fs::write(&stop, "").unwrap();
    let out = reader.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.trim().parse::<u64>().unwrap() > 0, "the reader never read: {text}");
}

#[test]
fn hostile_values_reach_a_command_driver_as_single_arguments() {
    // A release tag, an artifact and a reason that try shell injection: each must arrive as
    // exactly one argument, with no command run.
    let srv = tempfile::tempdir().unwrap();
    let out = srv.path().join("args");
    let pwned = srv.path().join("pwned");
    let toml = format!(
        "[release]\npattern = '^v?(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)(;.*)?$'\n\
         [environments.production]\n\
         deploy-command = \"printf '%s\\\\n---\\\\n' {{release}} {{artifact}} {{reason}} > '{out}'\"\n\
         rollback-command = \"printf '%s\\\\n---\\\\n' {{to}} {{reason}} > '{out}'\"\n",
        out = out.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    // (A tag name cannot hold a path: this one would create `pwned` in the work tree.)
    let tag = "2.0.0;$(touch${IFS}pwned)".to_owned();
    git(&dir, &["tag", "-a", "-m", "Release", &tag, "v1.1.0^{commit}"]);
    let artifact = format!("img'; touch {} #", pwned.display());
    let reason = format!("it's \"broken\"; `touch {p}`\n$(touch {p})", p = pwned.display());
    let r = run_in(
        &dir,
        &with_config(
            &config,
            &[
                "deploy",
                &tag,
                "--env",
                "production",
                "--yes",
                "--allow-off-branch",
                "--artifact",
                &artifact,
                "--note",
                &reason,
            ],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !pwned.exists() && !dir.join("pwned").exists(),
        "a value was run as code"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{tag}\n---\n{artifact}\n---\n{reason}\n---\n")
    );
    // The rollback command, with the reason given on the command line.
    let r = exec_deploy(&dir, &config, "a; b $(c) 'd'", &["--to", "v1.0.0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "v1.0.0\n---\na; b $(c) 'd'\n---\n"
    );
    assert!(!pwned.exists());
}

#[test]
fn a_held_lock_stops_a_deploy_and_a_rollback_until_broken() {
    let srv = tempfile::tempdir().unwrap();
    let marker = srv.path().join("ran");
    let toml = format!(
        "[environments.production]\ndeploy-command = \"touch '{m}'\"\nrollback-command = \"touch '{m}'\"\n",
        m = marker.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    // Another process holds the lock since an hour before the test's clock.
    let holder = "holder: Dana Operator <dana@example.com>\nsince: 2026-11-21T23:30:00Z\nhost: deploy-1\npid: 4242\nwhat: deploy v1.1.0\n";
    let blob = {
        use std::io::Write;
        let mut child = hermetic(Command::new("git").args(["hash-object", "-w", "--stdin"]))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(holder.as_bytes()).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    git(&dir, &["update-ref", "refs/git-rollback/lock/production", blob.trim()]);
    let deploy = ["deploy", "v1.0.0", "--env", "production", "--yes"];
    let r = run_in(&dir, &with_config(&config, &deploy));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("production is locked: Dana Operator <dana@example.com> has held it for 1 h 0 min (deploy v1.1.0) on deploy-1, pid 4242"), "{}", r.stderr);
    assert!(r.stderr.contains("--break-lock"), "{}", r.stderr);
    assert!(!marker.exists(), "the driver ran under someone else's lock");
    let r = exec_deploy(&dir, &config, "x", &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("production is locked"), "{}", r.stderr);
    assert!(!marker.exists());
    // Broken explicitly: the deploy runs, and the lock is gone afterwards.
    let mut broken = deploy.to_vec();
    broken.push("--break-lock");
    let r = run_in(&dir, &with_config(&config, &broken));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(marker.exists());
    assert!(git(&dir, &["for-each-ref", "refs/git-rollback/lock/"]).is_empty());
}

#[test]
fn release_windows_hold_back_deploys_but_not_rollbacks() {
    // The tests' clock is Sunday 2026-11-22 00:30 UTC: outside Monday to Friday.
    let toml =
        "[environments.production]\nwindows = [\"mon-fri 09:00-17:00 Europe/Berlin\"]\nrollback-command = \"true\"\n";
    let (_tmp, dir, config) = setup(toml);
    let before = refs(&dir);
    let r = run_in(
        &dir,
        &with_config(&config, &["deployed", "v1.1.0", "--env", "production"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("outside the release windows of production (mon-fri 09:00-17:00 Europe/Berlin)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--outside-window"), "{}", r.stderr);
    assert_eq!(refs(&dir), before);
    // Friday 11:00 in Berlin is inside.
    let r = run_in(
        &dir,
        &with_config(
            &config,
            &[
                "deployed",
                "v1.1.0",
                "--env",
                "production",
                "--at",
                "2026-11-20T10:00:00Z",
            ],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Outside, with a reason: recorded, and the record keeps the reason.
    let r = run_in(
        &dir,
        &with_config(
            &config,
            &[
                "deployed",
                "v1.1.0",
                "--env",
                "production",
                "--outside-window",
                "hotfix for INC-7",
                "--json",
            ],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let record = r.json()["record"].as_str().unwrap().to_owned();
    assert!(trailers_of(&dir, &record).contains("Deploy-Outside-Window: hotfix for INC-7\n"));
    // `deploy` is held back the same way (the tests' clock is the identity's date).
    std::fs::write(&config, format!("{toml}deploy-command = \"true\"\n")).unwrap();
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.1.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("outside the release windows"), "{}", r.stderr);
    // --exec-deploy belongs to the deploy strategy.
    let r = run_in(
        &dir,
        &with_config(
            &config,
            &[
                "run",
                "--strategy",
                "revert",
                "--env",
                "production",
                "--reason",
                "x",
                "--yes",
                "--exec-deploy",
            ],
        ),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A rollback is always allowed.
    let r = exec_deploy(&dir, &config, "x", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_allow_list_names_who_may_tag_and_deploy() {
    let (_tmp, dir, config) = setup("[policy]\nallow = [\"*@ops.example\"]\n");
    let before = refs(&dir);
    for args in [&["tag", "1.2.0"][..], &["deployed", "v1.1.0"]] {
        let r = run_in(&dir, &with_config(&config, args));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("`[policy] allow`"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(refs(&dir), before);
    std::fs::write(
        &config,
        "[policy]\nallow = [\"*@test.example\"]\n[environments.production]\ndeploy-command = \"true\"\n",
    )
    .unwrap();
    let r = run_in(&dir, &with_config(&config, &["deployed", "v1.1.0"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // `deploy` too, and the `Name <email>` form.
    std::fs::write(
        &config,
        "[policy]\nallow = [\"Someone Else <x@test.example>\"]\n[environments.production]\ndeploy-command = \"true\"\n",
    )
    .unwrap();
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.1.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    std::fs::write(
        &config,
        "[policy]\nallow = [\"Test Committer <committer@test.example>\"]\n[environments.production]\ndeploy-command = \"true\"\n",
    )
    .unwrap();
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.1.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn deploy_needs_a_driver_and_refuses_bad_configuration() {
    let (_tmp, dir, config) = setup("[environments.production]\n");
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.1.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has no deployment driver"), "{}", r.stderr);
    for (toml, key) in [
        (
            "[environments.p]\ndeploy-command = \"x\"\n[environments.p.symlink]\nroot = \"/srv\"\n",
            "environments.p.symlink",
        ),
        (
            "[environments.p.symlink]\nroot = \"/srv\"\nkeep = 1\n",
            "environments.p.symlink.keep",
        ),
        ("[environments.p]\nwindows = [\"someday\"]\n", "environments.p.windows"),
        (
            "[environments.p]\ndeploy-command = \"x {bogus}\"\n",
            "environments.p.deploy-command",
        ),
        ("[environments.p]\ntimeout = 0\n", "environments.p.timeout"),
    ] {
        std::fs::write(&config, toml).unwrap();
        let r = run_in(&dir, &with_config(&config, &["status"]));
        assert_eq!(r.code, 2, "{toml}: {}", r.stderr);
        assert!(r.stderr.contains(key), "{toml}: {}", r.stderr);
    }
}

#[test]
fn a_hanging_driver_is_killed_at_the_timeout_and_records_nothing() {
    let srv = tempfile::tempdir().unwrap();
    let finished = srv.path().join("finished");
    // The deployment tool the shell starts must die with it, not finish later on its own.
    let (_tmp, dir, config) = setup(&format!(
        "[environments.production]\ntimeout = 1\ndeploy-command = \"sleep 3; touch {}\"\n",
        finished.display()
    ));
    let before = refs(&dir);
    let started = std::time::Instant::now();
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.1.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("timed out after 1 s, killed"), "{}", r.stderr);
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(refs(&dir), before, "no record, no lock left");
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert!(!finished.exists(), "the command outlived its timeout");
}

#[test]
fn a_release_with_a_link_out_of_its_directory_is_not_exported() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    std::os::unix::fs::symlink("../../../etc/passwd", dir.join("src/evil")).unwrap();
    git(&dir, &["add", "src/evil"]);
    git(&dir, &["commit", "-q", "-m", "A link out"]);
    git(&dir, &["tag", "-a", "-m", "Release v1.2.0", "v1.2.0"]);
    let before = refs(&dir);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.2.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`src/evil` is a symbolic link to `../../../etc/passwd`, outside the release directory"),
        "{}",
        r.stderr
    );
    assert!(!root.join("current").exists());
    let left: Vec<_> = std::fs::read_dir(root.join("releases")).unwrap().flatten().collect();
    assert!(left.is_empty(), "a partial export was left: {left:?}");
    assert_eq!(refs(&dir), before);
}

#[test]
fn a_root_that_cannot_hold_releases_fails_with_its_path_and_records_nothing() {
    // A file where the root should be: even root cannot create releases/ under it.
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    std::fs::write(&root, "not a directory").unwrap();
    let toml = format!("[environments.production.symlink]\nroot = \"{}\"\n", root.display());
    let (_tmp, dir, config) = setup(&toml);
    let before = refs(&dir);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.0.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(&root.display().to_string()), "{}", r.stderr);
    assert!(r.stderr.contains("Not a directory"), "{}", r.stderr);
    assert_eq!(refs(&dir), before);
}

#[test]
fn links_that_escape_through_other_links_and_a_planted_marker_are_refused() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!("[environments.production.symlink]\nroot = \"{}\"\n", root.display());
    let (_tmp, dir, config) = setup(&toml);
    // `up` stays inside on its own text; `esc` goes through it to /etc/passwd.
    std::fs::create_dir_all(dir.join("a/b/c")).unwrap();
    std::os::unix::fs::symlink("../../..", dir.join("a/b/c/up")).unwrap();
    std::os::unix::fs::symlink("up/../../../../etc/passwd", dir.join("a/b/c/esc")).unwrap();
    git(&dir, &["add", "a"]);
    git(&dir, &["commit", "-q", "-m", "Chained links"]);
    git(&dir, &["tag", "-a", "-m", "Release v1.2.0", "v1.2.0"]);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.2.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("outside the release directory"), "{}", r.stderr);
    // A tree that holds the completion marker itself (here a link out) is refused too.
    git(&dir, &["rm", "-q", "-r", "a"]);
    std::os::unix::fs::symlink("../../victim", dir.join(".git-rollback-release")).unwrap();
    git(&dir, &["add", ".git-rollback-release"]);
    git(&dir, &["commit", "-q", "-m", "Planted marker"]);
    git(&dir, &["tag", "-a", "-m", "Release v1.3.0", "v1.3.0"]);
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.3.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!srv.path().join("victim").exists());
    assert!(!root.join("current").exists());
}

#[test]
fn previous_as_a_plain_directory_is_refused_before_the_switch_and_prune_keeps_foreign_directories() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\nkeep = 2\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    std::fs::create_dir_all(root.join("releases/hand-made")).unwrap();
    std::fs::create_dir_all(root.join("previous")).unwrap();
    let r = run_in(
        &dir,
        &with_config(&config, &["deploy", "v1.0.0", "--env", "production", "--yes"]),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        !root.join("current").exists(),
        "switched although previous could not follow"
    );
    std::fs::remove_dir(root.join("previous")).unwrap();
    for release in ["v1.0.0", "v1.1.0", "v1.0.0", "v1.1.0"] {
        let r = run_in(
            &dir,
            &with_config(
                &config,
                &["deploy", release, "--env", "production", "--yes", "--allow-off-branch"],
            ),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert!(
        root.join("releases/hand-made").exists(),
        "a directory the driver did not make was pruned"
    );
}

#[test]
fn a_drill_rehearses_the_release_directory_driver_in_a_scratch_root() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    let r = run_in(&dir, &with_config(&config, &["drill", "--env", "production", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    let lines: Vec<String> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["details"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .find(|d| d.starts_with("release-directory driver"))
                .unwrap_or("none")
                .to_owned()
        })
        .collect();
    assert_eq!(
        lines,
        [
            "release-directory driver: current -> releases/v1.1.0 (in a scratch root)",
            "release-directory driver: current -> releases/v1.0.0 (in a scratch root)",
            "release-directory driver: current -> releases/v1.1.0 (in a scratch root)",
        ]
    );
    assert!(!root.exists(), "the real root was touched");
}

#[test]
fn undo_of_a_driven_rollback_says_the_deployment_stays() {
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("shop");
    let toml = format!(
        "[environments.production]\n[environments.production.symlink]\nroot = \"{}\"\n",
        root.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    for release in ["v1.0.0", "v1.1.0"] {
        let r = run_in(
            &dir,
            &with_config(
                &config,
                &["deploy", release, "--env", "production", "--yes", "--allow-off-branch"],
            ),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = exec_deploy(&dir, &config, "x", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(&dir, &with_config(&config, &["undo", "--yes"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("undo removes its refs and record, not the deployment: bring it back with `git rollback deploy v1.1.0 --env production`"),
        "{}",
        r.stderr
    );
    assert_eq!(current(&root), "releases/v1.0.0");
    assert!(git(&dir, &["tag", "--list", "rollback/*"]).is_empty());
}

#[test]
fn rollback_commands_see_the_targets_values_in_their_environment() {
    let srv = tempfile::tempdir().unwrap();
    let out = srv.path().join("env");
    let toml = format!(
        "[environments.production]\nrollback-command = \"env | grep '^GIT_ROLLBACK_' | sort > '{}'\"\n",
        out.display()
    );
    let (_tmp, dir, config) = setup(&toml);
    let r = exec_deploy(&dir, &config, "why", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = std::fs::read_to_string(&out).unwrap();
    let artifact = trailers_of(&dir, "v1.0.0")
        .lines()
        .find_map(|l| l.strip_prefix("Artifact: ").map(str::to_owned))
        .unwrap();
    for line in [
        "GIT_ROLLBACK_ENV=production".to_owned(),
        "GIT_ROLLBACK_RELEASE=v1.0.0".to_owned(),
        "GIT_ROLLBACK_VERSION=1.0.0".to_owned(),
        format!("GIT_ROLLBACK_ARTIFACT={artifact}"),
        "GIT_ROLLBACK_FROM=v1.1.0".to_owned(),
        "GIT_ROLLBACK_REASON=why".to_owned(),
    ] {
        assert!(seen.lines().any(|l| l == line), "{line} in\n{seen}");
    }
}
