//! `git rollback demo`: builds a repository the other commands can read, through the real binary.

use crate::common::*;

#[test]
fn the_demo_builds_a_ledger_that_status_and_releases_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    let r = run_in(tmp.path(), &["demo", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Demo repository:"), "{}", r.stdout);
    assert!(
        git(&dir, &["status", "--porcelain"]).is_empty(),
        "the work tree is clean"
    );
    git(&dir, &["fsck", "--strict"]);

    let status = run_in(&dir, &["status", "--json"]).json();
    let envs = status["environments"].as_array().unwrap();
    let by_name = |n: &str| envs.iter().find(|e| e["name"] == n).unwrap().clone();
    assert_eq!(by_name("production")["live"]["tag"], "v1.3.0");
    assert_eq!(by_name("production")["live"]["evidence"]["record_kind"], "rollback");
    assert_eq!(by_name("production")["bad"], serde_json::json!(["v1.4.0"]));
    assert_eq!(by_name("production")["previous_stable"]["tag"], "v1.2.0");
    assert_eq!(by_name("staging")["live"]["tag"], "v1.4.0");

    let releases = run_in(&dir, &["releases", "--json"]).json();
    let tags: Vec<_> = releases["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tag"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, ["v1.4.0", "v1.3.0", "v1.2.0", "v1.2.0-rc.1", "v1.1.0", "v1.0.0"]);
    assert!(releases["warnings"].as_array().unwrap().is_empty());

    // Every record parses with git's own trailer parser.
    let record = git(&dir, &["for-each-ref", "--format=%(contents)", "refs/tags/rollback/"]);
    let parsed = std::process::Command::new("git")
        .args(["interpret-trailers", "--parse"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(record.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let parsed = String::from_utf8_lossy(&parsed.stdout);
    assert!(
        parsed.contains("Rollback-From: v1.4.0") && parsed.contains("Rollback-Incident: INC-2041"),
        "{parsed}"
    );
}

#[test]
fn the_demo_refuses_a_non_empty_directory_and_leaves_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let r = run_in(tmp.path(), &["demo", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not an empty directory"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}
