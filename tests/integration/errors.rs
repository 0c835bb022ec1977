//! Errors that need no fixture: not a repository, usage, the guided flow without a terminal.

use crate::common::*;

#[test]
fn outside_a_repository_every_read_command_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["releases", "status"] {
        let r = run_in(tmp.path(), &[cmd]);
        assert_eq!(r.code, 3, "{cmd}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: not a git repository"), "{}", r.stderr);
        assert!(r.stderr.contains("hint:"), "{}", r.stderr);
        let j = run_in(tmp.path(), &[cmd, "--json"]);
        assert_eq!(j.code, 3);
        let err: serde_json::Value = serde_json::from_str(j.stderr.trim()).unwrap();
        assert_eq!(err["error"]["kind"], "repository");
        assert!(j.stdout.is_empty());
    }
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(run_in(tmp.path(), &["releases", "--limit", "x"]).code, 2);
    assert_eq!(run_in(tmp.path(), &["no-such-command"]).code, 2);
    assert_eq!(run_in(tmp.path(), &["-C", "/definitely/not/here", "status"]).code, 2);
    let help = run_in(tmp.path(), &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes"));
}

#[test]
fn the_guided_rollback_without_a_terminal_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &[]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.snapshot());
}

#[test]
fn completions_and_man_come_from_the_cli_definition() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run_in(tmp.path(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}");
        assert!(r.stdout.contains("releases") && r.stdout.contains("status"), "{shell}");
    }
    let man = run_in(tmp.path(), &["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH"),
        "{}",
        &man.stdout[..80]
    );
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    assert_eq!(run_in(tmp.path(), &["demo", dir.to_str().unwrap()]).code, 0);
    let mut child = hermetic(
        std::process::Command::new(BIN)
            .args(["completions", "bash"])
            .current_dir(&dir),
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    drop(child.stdout.take()); // the reader goes away before the writer is done
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}
