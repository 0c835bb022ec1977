//! Interruptions and crashes on the write path, at each failpoint (`GIT_ROLLBACK_FAILPOINT`,
//! src/failpoint.rs) rather than by timing: killed with SIGKILL or sent SIGTERM there, a
//! rollback leaves the whole operation or nothing, the journal tells `undo` which, no lock is
//! held after a signal, and `git fsck --strict` is clean. Also: SIGTERM and SIGHUP stop a
//! driver and release the environment's lock; a lock left by a process gone from this host is
//! taken over.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

const RUN: [&str; 7] = [
    "run",
    "--strategy",
    "revert",
    "--env",
    "production",
    "--reason",
    "bad deploy",
];

/// The refs a revert rollback creates (the branch, the record, the environment pointer).
fn new_refs(dir: &Path) -> Vec<String> {
    git(dir, &["for-each-ref", "--format=%(refname)"])
        .lines()
        .filter(|r| {
            r.starts_with("refs/heads/rollback/")
                || r.starts_with("refs/tags/rollback/")
                || r.starts_with("refs/git-rollback/env/")
        })
        .map(str::to_owned)
        .collect()
}

/// Lock files anywhere under the git directory.
fn lock_files(dir: &Path) -> Vec<String> {
    let out = Command::new("find")
        .arg(dir.join(".git"))
        .args(["-name", "*.lock"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn fsck_strict(dir: &Path) {
    let out = hermetic(Command::new("git").args(["fsck", "--strict", "--no-progress"]))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git fsck --strict: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_at(dir: &Path, failpoint: &str) -> Run {
    let mut args = RUN.to_vec();
    args.push("--yes");
    run_with(dir, &args, &[("GIT_ROLLBACK_FAILPOINT", Path::new(failpoint))])
}

/// What `undo --dry-run` would reverse (the record's name), if anything.
fn undoable(dir: &Path) -> Option<String> {
    let (code, doc, err) = run_json(dir, &["undo", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    doc["undone"].as_str().map(str::to_owned)
}

#[cfg(unix)]
#[test]
fn every_failpoint_killed_or_terminated_leaves_all_or_nothing() {
    // (failpoint, signal, whole operation?)
    let cases = [
        ("after-objects", "kill", false),
        ("after-objects", "term", false),
        ("after-journal", "kill", false),
        ("after-journal", "term", true),
        ("in-refs", "kill", false),
        ("in-refs", "term", true),
        ("after-refs", "kill", true),
        ("after-refs", "term", true),
    ];
    for (point, how, whole) in cases {
        let tmp = scratch("check-clean");
        let dir = repo(&tmp);
        let before = refs(&dir);
        let r = run_at(&dir, &format!("{point}:{how}"));
        let case = format!("{point}:{how}: exit {}\n{}", r.code, r.stderr);
        match how {
            // SIGKILL: nothing of the process ran after it.
            "kill" => assert_eq!(r.code, -1, "{case}"),
            // SIGTERM inside the write: it is finished, then the run ends as usual.
            _ if whole => {
                assert_eq!(r.code, 0, "{case}");
                assert!(r.stderr.contains("finishing the write that has begun"), "{case}");
            }
            // SIGTERM before it: the run ends at once, saying nothing was changed.
            _ => {
                assert_eq!(r.code, 130, "{case}");
                assert!(r.stderr.contains("Interrupted; no ref was changed"), "{case}");
            }
        }
        let created = new_refs(&dir);
        if whole {
            assert_eq!(created.len(), 3, "{case}: {created:?}");
            // `undo` knows the operation, even when the run died before the journal said it
            // landed.
            let record = created
                .iter()
                .find_map(|r| r.strip_prefix("refs/tags/"))
                .unwrap()
                .to_owned();
            assert_eq!(undoable(&dir).as_deref(), Some(record.as_str()), "{case}");
            let u = run_in(&dir, &["undo", "--yes"]);
            assert_eq!(u.code, 0, "{case}: {}", u.stderr);
            assert_eq!(refs(&dir), before, "{case}: undo leaves the refs as they were");
        } else {
            assert_eq!(refs(&dir), before, "{case}");
            // A journal entry written before a transaction that never ran is not an operation.
            assert_eq!(undoable(&dir), None, "{case}");
        }
        let locks = lock_files(&dir);
        if (point, how) == ("in-refs", "kill") {
            // SIGKILL inside git's transaction leaves its lock files, as it does for git
            // itself; the next write names them instead of guessing.
            assert!(!locks.is_empty(), "{case}");
            let again = run_at(&dir, "none");
            assert_eq!(again.code, 3, "{}", again.stderr);
            assert!(again.stderr.contains(".lock"), "{}", again.stderr);
            for l in &locks {
                std::fs::remove_file(l).unwrap();
            }
        } else {
            assert!(locks.is_empty(), "{case}: {locks:?}");
        }
        fsck_strict(&dir);
        // Whatever was left, the rollback can be run again and lands.
        let again = run_at(&dir, "none");
        assert_eq!(again.code, 0, "{case}: again: {}", again.stderr);
        assert_eq!(new_refs(&dir).len(), 3, "{case}");
        fsck_strict(&dir);
    }
}

/// A driver that runs until it is killed; the marker says it started.
fn hanging_driver(srv: &Path) -> (String, std::path::PathBuf) {
    let marker = srv.join("started");
    (
        format!(
            "[environments.production]\nrollback-command = \"touch '{}'; sleep 60\"\n",
            marker.display()
        ),
        marker,
    )
}

#[cfg(unix)]
#[test]
fn sigterm_and_sighup_kill_the_driver_and_release_the_lock() {
    for signal in ["-TERM", "-HUP"] {
        let srv = tempfile::tempdir().unwrap();
        let (toml, marker) = hanging_driver(srv.path());
        let tmp = scratch("check-clean");
        let dir = repo(&tmp);
        let config = tmp.path().join("rollback.toml");
        std::fs::write(&config, toml).unwrap();
        let before = refs(&dir);
        let started = std::time::Instant::now();
        let child = hermetic(Command::new(BIN).args(["--config", config.to_str().unwrap()]).args([
            "run",
            "--strategy",
            "deploy",
            "--env",
            "production",
            "--reason",
            "r",
            "--yes",
            "--exec-deploy",
        ]))
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !marker.exists() {
            assert!(std::time::Instant::now() < deadline, "the driver did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted, killed"), "{signal}: {stderr}");
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        assert_eq!(refs(&dir), before, "{signal}: no record, no lock left");
        fsck_strict(&dir);
    }
}

#[cfg(unix)]
#[test]
fn a_lock_whose_process_is_gone_from_this_host_is_taken_over_and_said() {
    let srv = tempfile::tempdir().unwrap();
    let marker = srv.path().join("ran");
    let tmp = scratch("check-clean");
    let dir = repo(&tmp);
    let config = tmp.path().join("rollback.toml");
    std::fs::write(
        &config,
        format!(
            "[environments.production]\ndeploy-command = \"touch '{}'\"\n",
            marker.display()
        ),
    )
    .unwrap();
    // A process that has exited: its pid is free.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let lock = |host: &str| {
        let holder = format!(
            "holder: Dana <dana@example.com>\nsince: 2026-11-21T23:30:00Z\nhost: {host}\npid: {pid}\nwhat: deploy v1.1.0\n"
        );
        std::fs::write(srv.path().join("holder"), holder).unwrap();
        let blob = git(
            &dir,
            &["hash-object", "-w", srv.path().join("holder").to_str().unwrap()],
        );
        git(&dir, &["update-ref", "refs/git-rollback/lock/production", blob.trim()]);
    };
    let host = Path::new("rollback-test-host");
    let deploy = [
        "--config",
        config.to_str().unwrap(),
        "deploy",
        "v1.0.0",
        "--env",
        "production",
        "--yes",
    ];
    // On another host the process cannot be seen: still refused.
    lock("elsewhere");
    let r = run_with(&dir, &deploy, &[("HOSTNAME", host)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!marker.exists());
    // On this host, gone: taken over, said, and released after.
    lock("rollback-test-host");
    let r = run_with(&dir, &deploy, &[("HOSTNAME", host)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "took over the lock Dana <dana@example.com> left (deploy v1.1.0, pid {pid} on this host"
        )),
        "{}",
        r.stderr
    );
    assert!(marker.exists());
    assert!(git(&dir, &["for-each-ref", "refs/git-rollback/lock/"]).is_empty());
}
