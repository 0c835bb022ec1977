//! `tag` and `deployed`: every option and refusal, each written tag checked with plain git.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

#[test]
fn tag_writes_an_annotated_tag_with_trailers_git_can_parse() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let r = run_in(
        &dir,
        &[
            "tag",
            "1.11.0",
            "-m",
            "Release 1.11: carts",
            "--note",
            "Cart totals are cached.\nSecond line.",
            "--migration",
            "0003_cart_index (reversible)",
            "--config-change",
            "cart.cache = true",
            "--artifact",
            "registry.example.com/shop@sha256:1111",
            "--artifact",
            "shop-1.11.0.tar.gz",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.snapshot());
    assert_eq!(git(&dir, &["cat-file", "-t", "v1.11.0"]).trim(), "tag");
    assert_eq!(
        git(&dir, &["rev-parse", "v1.11.0^{commit}"]),
        git(&dir, &["rev-parse", "HEAD"])
    );
    assert_eq!(
        trailers_of(&dir, "v1.11.0"),
        "Migration: 0003_cart_index (reversible)\nConfig: cart.cache = true\nArtifact: registry.example.com/shop@sha256:1111\nArtifact: shop-1.11.0.tar.gz\n"
    );
    let tagger = git(
        &dir,
        &[
            "for-each-ref",
            "--format=%(taggername) %(taggeremail) %(taggerdate:iso-strict)",
            "refs/tags/v1.11.0",
        ],
    );
    assert_eq!(
        tagger.trim(),
        "Test Committer <committer@test.example> 2026-11-22T00:30:00Z"
    );
    git(&dir, &["fsck", "--strict"]);
    // The new release is immediately the newest in `releases`.
    let releases = run_in(&dir, &["releases", "--json", "--limit", "1"]).json();
    assert_eq!(releases["releases"][0]["tag"], "v1.11.0");
    assert_eq!(releases["releases"][0]["trailers"][0]["key"], "Migration");
}

#[test]
fn bump_computes_the_next_version_per_line() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let json = |args: &[&str]| {
        let r = run_in(&dir, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.json()["tag"].as_str().unwrap().to_owned()
    };
    assert_eq!(json(&["tag", "--bump", "minor", "--dry-run", "--json"]), "v1.11.0");
    assert_eq!(json(&["tag", "--bump", "major", "--dry-run", "--json"]), "v2.0.0");
    assert_eq!(
        json(&["tag", "--bump", "prerelease", "--dry-run", "--json"]),
        "v1.10.1-rc.1"
    );
    // A hotfix branch from v1.2.0 continues the 1.2 line.
    git(&dir, &["branch", "hotfix/v1.2.1", "v1.2.0"]);
    assert_eq!(
        json(&["tag", "--bump", "patch", "--rev", "hotfix/v1.2.1", "--json"]),
        "v1.2.1"
    );
    assert_eq!(
        json(&[
            "tag",
            "--bump",
            "patch",
            "--rev",
            "hotfix/v1.2.1",
            "--dry-run",
            "--json"
        ]),
        "v1.2.2"
    );
    assert!(
        git(&dir, &["tag", "--list", "v1.2.2"]).is_empty(),
        "a dry run writes nothing"
    );
}

#[test]
fn tag_refusals_change_nothing() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let before = refs(&dir);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["tag", "1.2"], 2, "not a semantic version"),
        (&["tag", "1.2.0"], 1, "already tagged as `v1.2.0`"),
        (&["tag", "v1.10.0"], 1, "already tagged"),
        (&["tag", "1.10.0+build.9"], 1, "already tagged"),
        (&["tag", "2.0.0", "--rev", "HEAD^{tree}"], 2, "not a commit"),
        (&["tag", "2.0.0", "--rev", "no-such-branch"], 2, "is not a revision"),
        (&["tag", "2.0.0", "--migration", "two\nlines"], 2, "line break"),
        (&["tag", "2.0.0", "--note", "escape \u{1b}[2J"], 2, "control character"),
        (&["tag", "2.0.0", "--component", "api"], 2, "unknown component"),
        (&["tag", "2.0.0", "-m", ""], 2, "subject"),
        (&["tag"], 2, "required"),
    ];
    for (args, code, needle) in cases {
        let r = run_in(&dir, args);
        assert_eq!(r.code, *code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    assert_eq!(refs(&dir), before);
    let r = run_in(&dir, &["tag", "1.2.0"]);
    insta::assert_snapshot!(r.snapshot());
}

#[test]
fn a_commit_on_no_release_branch_needs_an_override() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    git(&dir, &["checkout", "-q", "-b", "feature/x"]);
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "feature work"]);
    let r = run_in(&dir, &["tag", "2.0.0"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.snapshot());
    assert!(git(&dir, &["tag", "--list", "v2.0.0"]).is_empty());
    let r = run_in(&dir, &["tag", "2.0.0", "--allow-off-branch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_operation_in_progress_blocks_recording() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    // A conflicted cherry-pick: change the same line on two branches.
    git(&dir, &["checkout", "-q", "-b", "side", "HEAD~1"]);
    std::fs::write(dir.join("conflict.txt"), "side\n").unwrap();
    git(&dir, &["add", "conflict.txt"]);
    git(&dir, &["commit", "-q", "-m", "side"]);
    git(&dir, &["checkout", "-q", "main"]);
    std::fs::write(dir.join("conflict.txt"), "main\n").unwrap();
    git(&dir, &["add", "conflict.txt"]);
    git(&dir, &["commit", "-q", "-m", "main"]);
    let out = hermetic(Command::new("git").args(["cherry-pick", "side"]))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the cherry-pick conflicts");
    let r = run_in(&dir, &["tag", "2.0.0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("a cherry-pick is in progress"), "{}", r.stderr);
    let r = run_in(&dir, &["deployed", "v1.10.0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn without_an_identity_nothing_is_written() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let out = hermetic(Command::new(BIN).args(["tag", "2.0.0"]))
        .current_dir(&dir)
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("git config --global user.email"), "{stderr}");
    assert!(git(&dir, &["tag", "--list", "v2.0.0"]).is_empty());
}

/// The tagger as git would write it: the name and email from `user.*` when no `GIT_COMMITTER_*`
/// is set, and with no `GIT_COMMITTER_DATE` the time now in the local zone (a POSIX TZ rule here,
/// so that no time-zone database is needed); git writes a commit from the same environment and
/// is the referee. Debug builds also check the identity against gix's own.
#[test]
fn the_tagger_is_the_user_now_in_the_local_zone() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    git(&dir, &["config", "user.name", "Config User"]);
    git(&dir, &["config", "user.email", "config@test.example"]);
    let unset = [
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
    ];
    let with_env = |cmd: &mut Command| {
        hermetic(cmd).current_dir(&dir).env("TZ", "IST-5:30");
        for var in unset {
            cmd.env_remove(var);
        }
        cmd.output().unwrap()
    };
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = with_env(Command::new(BIN).args(["tag", "2.0.0"]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let tagger = git(
        &dir,
        &[
            "for-each-ref",
            "--format=%(taggername) %(taggeremail) %(taggerdate:raw)",
            "refs/tags/v2.0.0",
        ],
    );
    let fields: Vec<&str> = tagger.split_whitespace().collect();
    assert_eq!(&fields[..3], ["Config", "User", "<config@test.example>"], "{tagger}");
    let seconds: u64 = fields[3].parse().unwrap();
    assert!(seconds >= before && seconds <= before + 60, "{tagger}");
    // git, in the same environment, writes the same offset.
    let commit = with_env(Command::new("git").args(["commit-tree", "-m", "x", "HEAD^{tree}"]));
    let id = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    let git_committer = git(&dir, &["log", "-1", "--format=%cn <%ce> %cd", "--date=raw", &id]);
    assert!(
        git_committer.starts_with("Config User <config@test.example> "),
        "{git_committer}"
    );
    assert_eq!(fields[4], "+0530");
    assert!(git_committer.trim_end().ends_with(" +0530"), "{git_committer}");
}

#[test]
fn a_lock_on_the_tag_ref_is_reported_with_its_file() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    std::fs::write(dir.join(".git/refs/tags/v2.0.0.lock"), "").unwrap();
    let r = run_in(&dir, &["tag", "2.0.0"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(".git/refs/tags/v2.0.0.lock"), "{}", r.stderr);
    assert!(git(&dir, &["tag", "--list", "v2.0.0"]).is_empty());
}

#[test]
fn sign_makes_a_tag_git_verify_tag_accepts() {
    if Command::new("ssh-keygen").arg("-?").output().is_err() {
        panic!("ssh-keygen is required for the signing test (.ci/run installs openssh-client)");
    }
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let key = tmp.path().join("key");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = tmp.path().join("allowed_signers");
    std::fs::write(&allowed, format!("committer@test.example namespaces=\"git\" {public}")).unwrap();
    git(&dir, &["config", "gpg.format", "ssh"]);
    git(&dir, &["config", "user.signingKey", key.to_str().unwrap()]);
    git(
        &dir,
        &["config", "gpg.ssh.allowedSignersFile", allowed.to_str().unwrap()],
    );
    let r = run_in(&dir, &["tag", "2.0.0", "--sign"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let verify = hermetic(Command::new("git").args(["verify-tag", "v2.0.0"]))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("Good \"git\" signature"));
}

#[test]
fn push_sends_the_new_tag_and_a_failed_push_keeps_it_locally() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let remote = tmp.path().join("remote.git");
    git(tmp.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    git(&dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    let r = run_in(&dir, &["tag", "2.0.0", "--push"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Pushed v2.0.0 to origin"), "{}", r.stderr);
    assert_eq!(
        git(&remote, &["rev-parse", "v2.0.0"]),
        git(&dir, &["rev-parse", "v2.0.0"])
    );
    // Nothing else was pushed: only the new tag.
    assert_eq!(
        git(&remote, &["for-each-ref", "--format=%(refname)"]).trim(),
        "refs/tags/v2.0.0"
    );

    git(
        &dir,
        &[
            "remote",
            "set-url",
            "origin",
            tmp.path().join("gone.git").to_str().unwrap(),
        ],
    );
    let r = run_in(&dir, &["deployed", "v2.0.0", "--push"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("the local write stands"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("retry with: git push --atomic origin refs/tags/deploy/production/"),
        "{}",
        r.stderr
    );
    assert_eq!(
        git(&dir, &["tag", "--list", "deploy/*"]).lines().count(),
        1,
        "the record exists locally"
    );
}

#[test]
fn deployed_writes_a_record_that_status_reads_at_once() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let r = run_in(&dir, &["deployed", "v1.2.0", "--note", "Canary at 5% for an hour."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.snapshot());
    let name = "deploy/production/20261122T003000Z.1-v1.2.0";
    assert_eq!(git(&dir, &["cat-file", "-t", name]).trim(), "tag");
    assert_eq!(
        git(&dir, &["rev-parse", &format!("{name}^{{commit}}")]),
        git(&dir, &["rev-parse", "v1.2.0^{commit}"])
    );
    let trailers = trailers_of(&dir, name);
    assert!(
        trailers.starts_with("Deploy-Environment: production\nDeploy-Release: v1.2.0\n"),
        "{trailers}"
    );
    assert!(
        trailers.contains("Deploy-Artifact: "),
        "the release's own Artifact trailer is the default: {trailers}"
    );
    let status = run_in(&dir, &["status", "--json"]).json();
    assert_eq!(status["environments"][0]["live"]["tag"], "v1.2.0");
    assert_eq!(status["environments"][0]["live"]["evidence"]["tag"], name);

    // Re-deploying the same release in the same second is a new record, never a clash.
    let again = run_in(&dir, &["deployed", "1.2.0", "--json", "--artifact", "img@sha256:2222"]).json();
    assert_eq!(again["record"], "deploy/production/20261122T003000Z.2-v1.2.0");
    assert_eq!(again["artifacts"], serde_json::json!(["img@sha256:2222"]));
    git(&dir, &["fsck", "--strict"]);
}

#[test]
fn deployed_backfills_with_at_without_changing_what_is_live() {
    let tmp = scratch("records");
    let dir = repo(&tmp);
    let r = run_in(
        &dir,
        &[
            "deployed",
            "v1.1.0",
            "--env",
            "staging",
            "--at",
            "2026-01-01T06:30:00+01:00",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["record"], "deploy/staging/20260101T053000Z.1-v1.1.0");
    assert_eq!(doc["time"], "2026-01-01T05:30:00Z");
    assert!(trailers_of(&dir, doc["record"].as_str().unwrap()).contains("Deploy-Time: 2026-01-01T05:30:00Z"));
    let status = run_in(&dir, &["status", "--json", "--env", "staging"]).json();
    assert_eq!(
        status["environments"][0]["live"]["tag"], "v1.4.0",
        "an older deploy does not become live"
    );
    for bad in ["yesterday", "2999-01-01T00:00:00Z"] {
        let r = run_in(&dir, &["deployed", "v1.1.0", "--env", "staging", "--at", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
    }
}

#[test]
fn deployed_refuses_bad_releases_unless_overridden_and_says_so() {
    let tmp = scratch("records");
    let dir = repo(&tmp);
    let r = run_in(&dir, &["deployed", "v1.3.0", "--env", "production"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.snapshot());
    let ok = run_in(
        &dir,
        &["deployed", "v1.3.0", "--env", "production", "--allow-bad", "--json"],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let record = ok.json()["record"].as_str().unwrap().to_owned();
    assert!(trailers_of(&dir, &record).contains("Deploy-Allowed-Bad: yes"));
    // In staging v1.3.0 is not bad: no override needed.
    assert_eq!(run_in(&dir, &["deployed", "v1.3.0", "--env", "staging"]).code, 0);
}

#[test]
fn deployed_refusals_change_nothing() {
    let tmp = scratch("records");
    let dir = repo(&tmp);
    let before = refs(&dir);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["deployed", "v1.2.0"], 2, "--env is required"),
        (&["deployed", "v1.2.0", "--env", "prod env"], 2, "invalid"),
        (&["deployed", "v1.2.0", "--env", "../x"], 2, "invalid"),
        (&["deployed", "v1.2.0", "--env", "qa"], 2, "unknown environment `qa`"),
        (&["deployed", "v9.9.9", "--env", "staging"], 2, "not a release tag"),
        (&["deployed", "latest", "--env", "staging"], 2, "not a release tag"),
        (
            &["deployed", "v1.2.0", "--env", "staging", "--component", "api"],
            2,
            "unknown component",
        ),
        (
            &["deployed", "v1.2.0", "--env", "staging", "--artifact", "a\nb"],
            2,
            "line break",
        ),
        (&["deployed", "v1.2.0", "--env", "staging", "--dry-run"], 0, ""),
    ];
    for (args, code, needle) in cases {
        let r = run_in(&dir, args);
        assert_eq!(r.code, *code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    assert_eq!(refs(&dir), before);
}

/// Two processes racing for the same name: exactly one wins, the other says so, fsck is clean.
fn race(dir: &Path, args: &[&str]) -> (usize, Vec<String>) {
    let spawn = || {
        hermetic(&mut Command::new(BIN))
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let wins = outs.iter().filter(|o| o.status.success()).count();
    let losers = outs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| format!("{:?} {}", o.status.code(), String::from_utf8_lossy(&o.stderr)))
        .collect();
    (wins, losers)
}

#[test]
fn concurrent_writers_never_both_win() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let mut deploy_wins = 0;
    for round in 0..8 {
        // Both compute the same tag name: exactly one may create it.
        let version = format!("3.{round}.0");
        let (wins, losers) = race(&dir, &["tag", &version]);
        assert_eq!(wins, 1, "round {round}: {losers:?}");
        for l in &losers {
            assert!(l.starts_with("Some(1)") && l.contains("already"), "round {round}: {l}");
        }
        // Same release, same second (the clock is fixed): if both read the ledger before either
        // wrote, they contest one name and one loses; if not, the second takes the next {seq}
        // and records a second deploy. Either way no name is written twice.
        let (wins, losers) = race(&dir, &["deployed", &format!("v{version}")]);
        assert!(wins >= 1, "round {round}: {losers:?}");
        for l in &losers {
            assert!(
                l.starts_with("Some(1)") && l.contains("already exists"),
                "round {round}: {l}"
            );
        }
        deploy_wins += wins;
    }
    assert_eq!(git(&dir, &["tag", "--list", "v3.*"]).lines().count(), 8);
    assert_eq!(
        git(&dir, &["tag", "--list", "deploy/*"]).lines().count(),
        deploy_wins,
        "one record per success"
    );
    let fsck = hermetic(Command::new("git").args(["fsck", "--strict"]))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stdout));
}

#[test]
fn a_read_only_repository_is_refused_with_exit_3_and_nothing_written() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    // Root ignores permission bits; the immutable attribute binds root too.
    let lock = |flag: &str, path: &str| {
        Command::new("chattr")
            .args(["-R", flag, path])
            .current_dir(&dir)
            .output()
    };
    match lock("+i", ".git/objects") {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("chattr is not supported here; the read-only test cannot run");
            return;
        }
    }
    let before = refs(&dir);
    let r = run_in(&dir, &["tag", "2.0.0"]);
    lock("-i", ".git/objects").unwrap();
    assert_eq!(r.code, 3, "{}", r.stderr);
    insta::with_settings!({ filters => vec![(r"\.tmp\w+", ".tmp[RANDOM]")] }, {
        insta::assert_snapshot!(r.snapshot());
    });
    assert_eq!(refs(&dir), before);
}

/// With no deploy record the live release is the newest stable one on the production branch:
/// every view that names it says it is assumed, and so does the rollback record.
#[test]
fn an_assumed_live_release_is_flagged_everywhere() {
    let tmp = scratch("linear");
    let dir = repo(&tmp);
    let check = run_in(&dir, &["check"]);
    assert!(
        check.stdout.contains("v1.10.0 (assumed live) → v1.2.0 (target)"),
        "{}",
        check.stdout
    );
    let doc = run_in(&dir, &["check", "--json"]).json();
    assert_eq!(doc["from"]["assumed_live"], true);
    assert!(doc["to"].get("assumed_live").is_none());
    let releases = run_in(&dir, &["releases", "--json", "--limit", "1"]).json();
    assert_eq!(releases["releases"][0]["assumed_live_in"][0], "production");
    assert!(run_in(&dir, &["releases"]).stdout.contains("live:production(assumed)"));
    assert!(
        run_in(&dir, &["show", "v1.10.0"])
            .stdout
            .contains("production (assumed: no deploy record)")
    );
    let plan = run_in(&dir, &["plan", "--strategy", "branch", "--json"]).json();
    assert_eq!(plan["from"]["assumed_live"], true);
    let run = run_in(
        &dir,
        &["run", "--strategy", "branch", "--reason", "checkout broken", "--yes"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("from v1.10.0 (assumed live: no deploy record) to v1.2.0"),
        "{}",
        run.stdout
    );
    let record = git(
        &dir,
        &["for-each-ref", "--format=%(refname:short)", "refs/tags/rollback/"],
    );
    let trailers = trailers_of(&dir, record.trim());
    assert!(trailers.contains("Rollback-From-Evidence: assumed\n"), "{trailers}");
    git(&dir, &["fsck", "--strict"]);

    // Once a record says what is live, nothing is assumed.
    let after = run_in(&dir, &["check", "--json", "--to", "v1.1.0", "--from", "v1.2.0"]).json();
    assert!(after["from"].get("assumed_live").is_none());
}
