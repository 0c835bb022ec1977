//! Shapes of real histories that a revert rollback must get right (issue 16): a commit and its
//! revert both in the range, a target tagged on a side branch merged later, empty commits,
//! `--commit` subsets judged as subsets, and a chain that would not land, refused. The referee
//! is `git merge-tree --write-tree --merge-base=<live> <tip> <target>`: the result a rollback
//! is defined to have.

use std::path::Path;

use serde_json::Value;

use crate::common::{repo, run_in, run_json, scratch};

/// `git <args>` in `dir`, its output trimmed.
fn git(dir: &Path, args: &[&str]) -> String {
    crate::common::git(dir, args).trim().to_owned()
}

/// The tree `git merge-tree` gives for (base: live, ours: tip, theirs: target).
fn referee(dir: &Path, live: &str, tip: &str, target: &str) -> String {
    let out = git(
        dir,
        &[
            "merge-tree",
            "--write-tree",
            &format!("--merge-base={live}"),
            tip,
            target,
        ],
    );
    out.lines().next().unwrap().to_owned()
}

fn tree(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", &format!("{rev}^{{tree}}")])
}

fn commit_of(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", &format!("{rev}^{{commit}}")])
}

/// Runs a revert rollback and returns the rollback branch it created.
fn revert(dir: &Path, extra: &[&str]) -> (String, Value) {
    let mut args = vec!["run", "--strategy", "revert", "--reason", "broken checkout", "--yes"];
    args.extend_from_slice(extra);
    let (code, doc, err) = run_json(dir, &args);
    assert_eq!(code, 0, "{err}");
    let branch = doc["created"]["branches"][0]["name"].as_str().unwrap().to_owned();
    (branch, doc)
}

#[test]
fn a_commit_and_its_revert_in_the_range_cancel_and_the_rollback_lands_on_the_target() {
    let tmp = scratch("revert-pair");
    let dir = repo(&tmp);
    let subject = |s: &str| {
        let log = git(&dir, &["log", "--format=%H %s", "v1.1.0"]);
        let line = log
            .lines()
            .find(|l| &l[41..] == s)
            .unwrap_or_else(|| panic!("{s}: {log}"));
        line[..40].to_owned()
    };
    let (cache, coupons, tune) = (
        subject("Add risky cache"),
        subject("Add coupons"),
        subject("Tune flags"),
    );
    let (_, check, _) = run_json(&dir, &["check"]);
    let reverted = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "commits.reverted")
        .unwrap();
    assert_eq!(reverted["status"], "warn", "{reverted}");
    let details = reverted["details"].to_string();
    assert!(
        details.contains(&cache[..7]) && details.contains("its revert"),
        "{details}"
    );
    assert!(
        details.contains("changes nothing"),
        "the empty commit is listed: {details}"
    );

    let (branch, doc) = revert(&dir, &[]);
    assert_eq!(tree(&dir, &branch), tree(&dir, "v1.0.0"), "lands on the target");
    assert_eq!(tree(&dir, &branch), referee(&dir, "v1.1.0", "main", "v1.0.0"));
    // What was reverted: "Tune flags", "Add coupons" and "Add search"; every revert pair and
    // the empty commit left out.
    let reverted: Vec<&str> = doc["created"]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(reverted.len(), 3, "{doc}");
    let subjects = git(&dir, &["log", "--format=%s", &format!("main..{branch}")]);
    assert_eq!(
        subjects, "Revert \"Add search\"\nRevert \"Add coupons\"\nRevert \"Tune flags\"",
        "{doc}"
    );
    assert!(doc["skipped"].to_string().contains(&cache), "{doc}");
    assert!(!doc["skipped"].to_string().contains(&coupons) && !doc["skipped"].to_string().contains(&tune));
    assert_eq!(doc["empty"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_clean_fsck(&dir);
}

#[test]
fn with_later_commits_on_the_tip_the_rollback_is_the_merge_git_defines() {
    let tmp = scratch("revert-pair");
    let dir = repo(&tmp);
    // main moves on after the live release: another file, and a line of the one the range
    // changed that the revert leaves alone.
    std::fs::write(dir.join("src/later.py"), "print(\"later\")\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "Later work"]);
    let (branch, _) = revert(&dir, &[]);
    assert_eq!(tree(&dir, &branch), referee(&dir, "v1.1.0", "main", "v1.0.0"));
    assert_ne!(tree(&dir, &branch), tree(&dir, "v1.0.0"), "main's later commit is kept");
}

#[test]
fn a_target_on_a_merged_side_branch_is_reached_by_reverting_the_merge_to_that_side() {
    let tmp = scratch("side-release");
    let dir = repo(&tmp);
    // The old first-parent chain would have reverted the merge against main and undone the
    // target's own commit (VERSION back to 1.0.0).
    let (branch, doc) = revert(&dir, &[]);
    assert_eq!(tree(&dir, &branch), tree(&dir, "v1.1.0"), "{doc}");
    assert_eq!(tree(&dir, &branch), referee(&dir, "v1.2.0", "main", "v1.1.0"));
    assert_eq!(git(&dir, &["show", &format!("{branch}:VERSION")]), "1.1.0");
    // The merge's revert says which parent it went back to, as `git revert -m 2` writes it.
    let merge = git(&dir, &["rev-parse", "v1.2.0~2"]);
    let message = git(&dir, &["log", "--format=%B", "--grep", &merge, &branch]);
    assert!(
        message.contains(&format!(
            "This reverts commit {merge}, reversing\nchanges made to {}.",
            commit_of(&dir, "v1.1.0")
        )),
        "{message}"
    );
    // Each step's tree equals `git revert` of the same commit with the same parent.
    let git_dir = tempfile::tempdir().unwrap();
    let wt = git_dir.path().join("wt");
    git(
        &dir,
        &["worktree", "add", "-q", "--detach", wt.to_str().unwrap(), "main"],
    );
    git(&wt, &["revert", "--no-edit", "v1.2.0"]);
    git(&wt, &["revert", "--no-edit", "v1.2.0~1"]);
    git(&wt, &["revert", "--no-edit", "-m", "2", "v1.2.0~2"]);
    assert_eq!(tree(&wt, "HEAD"), tree(&dir, &branch));
}

#[test]
fn a_chain_that_would_not_land_is_refused_with_the_paths_and_nothing_is_written() {
    let tmp = scratch("revert-pair");
    let dir = repo(&tmp);
    // A release with a commit that a later commit on main claims to revert (by its message)
    // but only undoes half of: the chain leaves the commit out as already undone there, and
    // the result would keep the other half.
    std::fs::write(dir.join("src/banner.py"), "print(\"banner\")\n").unwrap();
    std::fs::write(dir.join("src/app.py"), "print(\"shop with banner\")\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "Add banner"]);
    let banner = commit_of(&dir, "HEAD");
    git(&dir, &["tag", "-a", "-m", "Release v1.2.0", "v1.2.0"]);
    git(&dir, &["rm", "-q", "src/banner.py"]);
    git(
        &dir,
        &[
            "commit",
            "-q",
            "-m",
            &format!("Revert \"Add banner\"\n\nThis reverts commit {banner}."),
        ],
    );
    let before = git(&dir, &["for-each-ref"]);
    let r = run_in(
        &dir,
        &[
            "run",
            "--strategy",
            "revert",
            "--from",
            "v1.2.0",
            "--to",
            "v1.1.0",
            "--reason",
            "R",
            "--yes",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("would not land on v1.1.0"), "{}", r.stderr);
    assert!(r.stderr.contains("src/app.py"), "{}", r.stderr);
    assert_eq!(git(&dir, &["for-each-ref"]), before, "nothing written");
    // The recommendation says why it is a branch.
    let (_, check, _) = run_json(&dir, &["check", "--from", "v1.2.0", "--to", "v1.1.0"]);
    assert_eq!(check["recommendation"]["strategy"], "branch", "{check}");
    assert!(
        check["recommendation"]["reason"]
            .as_str()
            .unwrap()
            .contains("would not land"),
        "{check}"
    );
    assert_eq!(check["revert"]["landing"]["lands"], false);
    assert_eq!(check["revert"]["landing"]["differs"], serde_json::json!(["src/app.py"]));
}

#[test]
fn a_subset_is_previewed_as_a_subset() {
    // check-conflict: the whole range conflicts in src/app.py at "Lower timeout"; "Add request
    // logging" alone reverts cleanly.
    let tmp = scratch("check-conflict");
    let dir = repo(&tmp);
    let logging = git(
        &dir,
        &["log", "--format=%H", "--grep", "Add request logging", "-1", "v1.1.0"],
    );
    let whole = run_in(&dir, &["run", "--strategy", "revert", "--reason", "R", "--yes"]);
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    let (code, plan, err) = run_json(&dir, &["plan", "--strategy", "revert", "--commit", &logging[..10]]);
    assert_eq!(code, 0, "the subset is clean: {err}");
    assert_eq!(plan["reverts"].as_array().unwrap().len(), 1);
    let (branch, _) = revert(&dir, &["--commit", &logging]);
    let files = git(&dir, &["diff", "--name-only", "main", &branch]);
    assert_eq!(files, "src/logging.py");
    // A commit that is not in the chain is named.
    let r = run_in(
        &dir,
        &[
            "plan",
            "--strategy",
            "revert",
            "--from",
            "v1.1.0",
            "--to",
            "v1.0.0",
            "--commit",
            "0000000000",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--commit 0000000000 is not a commit the revert would undo"),
        "{}",
        r.stderr
    );
}

fn assert_clean_fsck(dir: &Path) {
    git(dir, &["fsck", "--strict", "--no-progress"]);
}

/// Whether the clone lacks the blob of `path` at `rev`.
fn lacks(dir: &Path, rev: &str) -> bool {
    let listed = git(dir, &["rev-list", "--objects", "--missing=print", rev]);
    let blob = git(dir, &["rev-parse", rev]);
    listed.lines().any(|l| l == format!("?{blob}"))
}

#[test]
fn a_partial_clone_fetches_the_blobs_a_revert_merges_and_lands_like_git() {
    let tmp = scratch("partial-clone");
    let dir = repo(&tmp);
    assert!(lacks(&dir, "v1.0.0:src/cache.py"), "the fixture is a blob:none clone");
    let (branch, _) = revert(&dir, &[]);
    assert!(!lacks(&dir, "v1.0.0:src/cache.py"), "fetched through git");
    assert_eq!(tree(&dir, &branch), referee(&dir, "v1.1.0", "main", "v1.0.0"));
    assert_eq!(
        git(&dir, &["show", &format!("{branch}:src/cache.py")]),
        "# Cache settings.\nCACHE_TTL_SECONDS = 60\n\n\n# Eviction.\nCACHE_MAX_ENTRIES = 5000"
    );
}

#[test]
fn a_partial_clone_offline_fails_only_the_revert_preview_and_names_the_object() {
    let tmp = scratch("partial-clone");
    let dir = repo(&tmp);
    git(&dir, &["remote", "set-url", "origin", "/nonexistent/shop.git"]);
    let missing = git(&dir, &["rev-parse", "v1.0.0:src/cache.py"]);
    let (code, check, err) = run_json(&dir, &["check", "--strategy", "revert"]);
    assert_eq!(code, 1, "{err}");
    let items = check["items"].as_array().unwrap();
    let preview = items.iter().find(|i| i["id"] == "revert.preview").unwrap();
    assert_eq!(preview["status"], "fail", "{preview}");
    let text = preview.to_string();
    assert!(
        text.contains(&missing) && text.contains("src/cache.py") && text.contains("--refetch"),
        "{text}"
    );
    let failing: Vec<&Value> = items.iter().filter(|i| i["status"] == "fail").collect();
    assert_eq!(failing.len(), 1, "only the preview fails: {failing:?}");
    assert_eq!(check["recommendation"]["strategy"], "branch");
    // Strategies that merge nothing go on.
    for strategy in ["branch", "hotfix", "deploy"] {
        let (code, _, err) = run_json(&dir, &["plan", "--strategy", strategy]);
        assert_eq!(code, 0, "{strategy}: {err}");
    }
    let r = run_in(&dir, &["run", "--strategy", "revert", "--reason", "R", "--yes"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("partial clone lacks") && r.stderr.contains(&missing),
        "{}",
        r.stderr
    );
}

#[test]
fn without_main_or_master_the_production_branch_is_the_one_origin_head_names() {
    let tmp = scratch("check-clean");
    let dir = repo(&tmp);
    git(&dir, &["branch", "-m", "main", "trunk"]);
    git(&dir, &["update-ref", "refs/remotes/origin/trunk", "trunk"]);
    git(
        &dir,
        &["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk"],
    );
    git(&dir, &["checkout", "-q", "--detach"]);
    let (_, check, err) = run_json(&dir, &["check"]);
    assert_eq!(check["revert"]["onto"], commit_of(&dir, "trunk"), "{err}");
}

/// A release whose newest commit is its version bump, with main on to the next bump: the revert
/// conflicts only in release bookkeeping. The checklist says so and recommends branch naming the
/// files; `--keep-ours` reverts anyway, keeping main's side of exactly those files, and the
/// result is git merge-tree's on every path it resolves.
#[test]
fn a_release_bump_that_conflicts_is_bookkeeping_and_keep_ours_reverts_the_rest() {
    let tmp = scratch("release-bump");
    let dir = repo(&tmp);
    let (code, doc, _) = run_json(&dir, &["check"]);
    assert_eq!(code, 0);
    assert_eq!(doc["recommendation"]["strategy"], "branch");
    let reason = doc["recommendation"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("conflicts on main in CHANGELOG.md, VERSION (only release bookkeeping: --keep-ours"),
        "{reason}"
    );
    let (code, _, _) = run_json(&dir, &["run", "--strategy", "revert", "--reason", "r", "--yes"]);
    assert_eq!(code, 1, "without --keep-ours the revert conflicts");

    // The referee: the defined merge conflicts in exactly the bookkeeping files.
    let out = std::process::Command::new("git")
        .args([
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--merge-base=v1.1.0",
            "main",
            "v1.0.0",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the merge conflicts");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let merged = lines.next().unwrap().to_owned();
    let conflicted: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    assert_eq!(conflicted, ["CHANGELOG.md", "VERSION"]);

    let plan_file = tmp.path().join("plan.json");
    let (code, plan, err) = run_json(
        &dir,
        &[
            "plan",
            "--strategy",
            "revert",
            "--keep-ours",
            "--reason",
            "r",
            "--out",
            plan_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(plan["keep_ours"], serde_json::json!(["CHANGELOG.md", "VERSION"]));
    let (code, outcome, err) = run_json(&dir, &["apply", plan_file.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 0, "{err}");
    let branch = outcome["created"]["branches"][0]["name"].as_str().unwrap();
    let files = |rev: &str| git(&dir, &["ls-tree", "-r", rev]);
    let ours: Vec<String> = files(branch).lines().map(str::to_owned).collect();
    let expected: Vec<String> = files(&merged)
        .lines()
        .filter(|l| !conflicted.iter().any(|c| l.ends_with(&format!("\t{c}"))))
        .map(str::to_owned)
        .chain(
            files("main")
                .lines()
                .filter(|l| conflicted.iter().any(|c| l.ends_with(&format!("\t{c}"))))
                .map(str::to_owned),
        )
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let ours_sorted: Vec<String> = ours
        .iter()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        ours_sorted, expected,
        "merge-tree's result with main's bookkeeping files"
    );
    assert!(
        !ours.iter().any(|l| l.ends_with("\tsrc/search.py")),
        "the release's change is reverted"
    );
    assert!(
        ours.iter().any(|l| l.ends_with("\tsrc/coupons.py")),
        "main's later work is kept"
    );
    assert_eq!(git(&dir, &["show", &format!("{branch}:VERSION")]), "1.2.0-dev");
    git(&dir, &["fsck", "--strict"]);

    // `[revert] keep-ours = true` does what --keep-ours does, in `run`.
    let other = scratch("release-bump");
    let dir2 = repo(&other);
    let config = other.path().join("keep.toml");
    std::fs::write(&config, "[revert]\nkeep-ours = true\n").unwrap();
    let (branch2, _) = revert(&dir2, &["--config", config.to_str().unwrap()]);
    assert_eq!(tree(&dir2, &branch2), tree(&dir, branch));
}

/// A commit whose message says it reverts another on the path but also changes other lines
/// (git's a3d1f391d3 reverts merge f406b8955 and edits three release-notes lines) does not
/// cancel it: both are reverted, and the rollback still lands on the target.
#[test]
fn a_revert_that_is_not_an_exact_inverse_does_not_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let sh = |script: &str| {
        let ok = std::process::Command::new("sh")
            .args(["-c", script])
            .current_dir(&dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .status()
            .unwrap();
        assert!(ok.success(), "{script}");
    };
    sh(
        "git init -q -b main && printf 'one\\n' > notes.txt && printf 'app\\n' > app.py && git add -A && git commit -qm init && git tag -a v1.0.0 -m 'Release v1.0.0'",
    );
    sh("printf 'cache\\n' > cache.py && git add -A && git commit -qm 'Add cache'");
    sh(
        "x=$(git rev-parse HEAD) && git rm -q cache.py && printf 'one\\ntwo\\n' > notes.txt && git add -A && git commit -qm \"Revert \\\"Add cache\\\"\" -m \"This reverts commit $x.\" && git tag -a v1.1.0 -m 'Release v1.1.0'",
    );
    let (code, doc, err) = run_json(&dir, &["check", "--strategy", "revert"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["revert"]["landing"]["lands"], true, "{doc}");
    assert_eq!(
        doc["revert"]["commits"].as_array().unwrap().len(),
        2,
        "both are reverted: {doc}"
    );
    let (branch, _) = revert(&dir, &[]);
    assert_eq!(tree(&dir, &branch), tree(&dir, "v1.0.0"));
    assert_eq!(referee(&dir, "v1.1.0", "main", "v1.0.0"), tree(&dir, "v1.0.0"));
}

#[test]
fn renames_the_clone_cannot_read_are_said_and_do_not_stop_the_checklist() {
    // A rename with an edit between the releases, in a blob:none clone whose promisor is gone:
    // rename detection cannot read either blob (gitoxide v0.53.0 -> v0.52.1 in an incomplete
    // snapshot failed the whole check with "Could not set destination for similarity checking").
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin");
    std::fs::create_dir_all(origin.join("config")).unwrap();
    let settings: String = (1..=20).map(|i| format!("setting_{i}: {i}\n")).collect();
    std::fs::write(origin.join("config/app.yml"), &settings).unwrap();
    std::fs::write(origin.join("app.py"), "print('shop')\n").unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "Initial commit"]);
    git(&origin, &["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    git(&origin, &["mv", "config/app.yml", "config/settings.yml"]);
    std::fs::write(
        origin.join("config/settings.yml"),
        settings.replace("setting_3: 3", "setting_3: 30"),
    )
    .unwrap();
    git(&origin, &["commit", "-q", "-am", "Rename the settings"]);
    git(&origin, &["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    git(&origin, &["config", "uploadpack.allowFilter", "true"]);
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", origin.display());
    git(
        tmp.path(),
        &["clone", "-q", "--filter=blob:none", &url, clone.to_str().unwrap()],
    );
    git(&clone, &["remote", "set-url", "origin", "/nonexistent/shop.git"]);
    assert!(lacks(&clone, "v1.0.0:config/app.yml"), "a blob:none clone");

    let (code, check, err) = run_json(&clone, &["check", "--from", "v1.1.0", "--to", "v1.0.0"]);
    assert!(code == 0 || code == 1, "the checklist ran: {err}");
    let config = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "config.changed")
        .unwrap_or_else(|| panic!("{check}"));
    assert!(config.to_string().contains("renames were not looked for"), "{config}");

    // In a clone that has the blobs, the rename is found and nothing is said.
    let (code, full, err) = run_json(&origin, &["check", "--from", "v1.1.0", "--to", "v1.0.0"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(!full.to_string().contains("renames were not looked for"), "{full}");
}
