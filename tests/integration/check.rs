//! `git rollback check`: snapshots on every checklist fixture, the revert preview refereed by
//! `git revert`, no object written, exit codes and bad input.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::*;

macro_rules! check_snapshots {
    ($($test:ident => $fixture:literal),* $(,)?) => {
        $( #[test] fn $test() {
            let dir = fixture($fixture);
            insta::assert_snapshot!(concat!($fixture, "-human"), run_in(&dir, &["check"]).snapshot());
            let r = run_in(&dir, &["check", "--json"]);
            assert!(r.stderr.is_empty(), "{}", r.stderr);
            insta::assert_json_snapshot!(concat!($fixture, "-json"), r.json());
        } )*
    };
}

check_snapshots! {
    sqlx => "check-sqlx",
    dbmate => "check-dbmate",
    flyway => "check-flyway",
    rails => "check-rails",
    django => "check-django",
    liquibase => "check-liquibase",
    destructive => "check-destructive",
    conflict => "check-conflict",
    clean => "check-clean",
    reverted => "check-reverted",
    external => "check-external",
    not_ancestor => "check-not-ancestor",
}

fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--json"];
    all.extend_from_slice(args);
    let r = run_in(dir, &all);
    (r.code, r.json())
}

fn item<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()
}

fn migration_classes(doc: &Value) -> Vec<(String, String)> {
    doc["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap().to_owned(),
                m["classification"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn each_framework_is_classified_as_its_fixture_intends() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "check-sqlx",
            &[
                ("migrations/0002_orders.up.sql", "reversible"),
                ("migrations/0003_add_index.up.sql", "irreversible"),
            ],
        ),
        (
            "check-dbmate",
            &[
                ("db/migrations/20260102000000_orders.sql", "reversible"),
                ("db/migrations/20260103000000_backfill.sql", "irreversible"),
            ],
        ),
        (
            "check-flyway",
            &[
                ("src/main/resources/db/migration/V2__orders.sql", "reversible"),
                ("src/main/resources/db/migration/V3__prices.sql", "irreversible"),
            ],
        ),
        (
            "check-rails",
            &[
                ("db/migrate/20260102000000_create_orders.rb", "reversible"),
                ("db/migrate/20260103000000_remove_legacy.rb", "irreversible"),
                ("db/migrate/20260104000000_change_price.rb", "irreversible"),
            ],
        ),
        (
            "check-django",
            &[
                ("shop/migrations/0002_order.py", "reversible"),
                ("shop/migrations/0003_backfill.py", "irreversible"),
                ("shop/migrations/0004_sql.py", "reversible"),
            ],
        ),
        (
            "check-liquibase",
            &[("src/main/resources/db/changelog/db.changelog-1.1.xml", "irreversible")],
        ),
        (
            "check-destructive",
            &[
                ("migrations/0002_drop_sessions.up.sql", "destructive"),
                ("migrations/0003_trim.up.sql", "destructive"),
                ("migrations/0004_purge.up.sql", "destructive"),
            ],
        ),
    ];
    for (name, expected) in cases {
        let (_, doc) = check_json(&fixture(name), &[]);
        let got = migration_classes(&doc);
        let want: Vec<(String, String)> = expected.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn an_irreversible_migration_blocks_code_rollbacks_and_changes_the_recommendation() {
    let dir = fixture("check-sqlx");
    let (code, doc) = check_json(&dir, &["--strategy", "revert"]);
    assert_eq!(code, 1);
    assert_eq!(doc["blocking"], true);
    assert_eq!(item(&doc, "migrations.changed")["status"], "fail");
    assert!(
        item(&doc, "migrations.changed")["hint"]
            .as_str()
            .unwrap()
            .contains("--strategy hotfix")
    );
    assert_eq!(doc["recommendation"]["strategy"], "hotfix");
    assert_eq!(doc["recommendation"]["changed_by"], "migrations.changed");
    let (code, doc) = check_json(&dir, &["--strategy", "deploy"]);
    assert_eq!((code, doc["blocking"].clone()), (0, Value::Bool(false)));
    let (_, doc) = check_json(&dir, &["--situation", "just-deployed"]);
    assert_eq!(doc["recommendation"]["strategy"], "deploy");
    assert_eq!(
        doc["strategy"], "deploy",
        "without --strategy the recommended one is judged"
    );
}

/// Reverts `commits` (newest first, `-m 1` for merges) with git in a scratch clone of `dir`
/// on the production branch: Ok(tree) or Err((commit, conflicting paths)).
fn git_revert(dir: &Path, commits: &[String]) -> Result<String, (String, Vec<String>)> {
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        &["clone", "-q", dir.to_str().unwrap(), clone.to_str().unwrap()],
    );
    for c in commits {
        let parents = git(&clone, &["rev-list", "--parents", "-n", "1", c]);
        let mut args = vec!["revert", "--no-edit"];
        if parents.split_whitespace().count() > 2 {
            args.extend(["-m", "1"]);
        }
        args.push(c);
        let out = hermetic(Command::new("git").args(&args))
            .current_dir(&clone)
            .output()
            .unwrap();
        if !out.status.success() {
            let unmerged = git(&clone, &["diff", "--name-only", "--diff-filter=U"]);
            return Err((c.clone(), unmerged.lines().map(str::to_owned).collect()));
        }
    }
    Ok(git(&clone, &["rev-parse", "HEAD^{tree}"]).trim().to_owned())
}

#[test]
fn the_revert_preview_agrees_with_git_revert() {
    for name in [
        "check-clean",
        "check-conflict",
        "check-reverted",
        "check-sqlx",
        "check-rails",
        "check-external",
        "records",
    ] {
        let dir = fixture(name);
        let (_, doc) = check_json(&dir, &["--strategy", "revert", "--env", "production"]);
        let revert = &doc["revert"];
        assert!(revert.is_object(), "{name}: no preview");
        let commits: Vec<String> = revert["commits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        match git_revert(&dir, &commits) {
            Ok(tree) => {
                assert_eq!(revert["clean"], true, "{name}: git reverted cleanly");
                assert_eq!(
                    revert["tree"].as_str().unwrap(),
                    tree,
                    "{name}: same tree as git revert"
                );
            }
            Err((commit, paths)) => {
                assert_eq!(
                    revert["clean"], false,
                    "{name}: git conflicted on {commit} in {paths:?}"
                );
                assert_eq!(revert["conflict"]["commit"].as_str().unwrap(), commit, "{name}");
                let ours: Vec<&str> = revert["conflict"]["paths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                assert_eq!(ours, paths, "{name}: same conflicting paths");
            }
        }
    }
}

#[test]
fn already_reverted_commits_are_left_out_and_built_upon_ones_listed() {
    let dir = fixture("check-reverted");
    let (_, doc) = check_json(&dir, &["--strategy", "revert"]);
    let flag = git(
        &dir,
        &["log", "--format=%H", "--grep=Add feature flag", "-n", "1", "v1.1.0"],
    );
    let reverted = item(&doc, "commits.reverted");
    assert_eq!(reverted["status"], "warn");
    assert!(
        reverted["summary"]
            .as_str()
            .unwrap()
            .contains("1 commit already reverted")
    );
    let commits: Vec<&str> = doc["revert"]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(!commits.contains(&flag.trim()), "the reverted commit is left out");
    assert_eq!(commits.len(), 1);
    let built = item(&doc, "commits.built-upon");
    assert_eq!(built["status"], "warn");
    assert!(
        built["details"][0]
            .as_str()
            .unwrap()
            .contains("Touch cache again: src/cache.py")
    );
}

#[test]
fn the_preview_writes_no_object() {
    for name in ["check-conflict", "check-clean"] {
        let tmp = scratch(name);
        let dir = tmp.path().join("repo");
        let count = || {
            let loose = std::fs::read_dir(dir.join(".git/objects"))
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().len() == 2)
                .map(|e| std::fs::read_dir(e.path()).unwrap().count())
                .sum::<usize>();
            (loose, git(&dir, &["count-objects", "-v"]))
        };
        let before = count();
        let r = run_in(&dir, &["check", "--strategy", "revert"]);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        assert_eq!(count(), before, "{name}");
    }
}

#[test]
fn a_conflict_blocks_a_revert_with_the_paths_and_recommends_a_branch() {
    let dir = fixture("check-conflict");
    let r = run_in(&dir, &["check", "--strategy", "revert"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.snapshot());
    let (_, doc) = check_json(&dir, &[]);
    assert_eq!(doc["recommendation"]["strategy"], "branch");
    assert_eq!(doc["recommendation"]["changed_by"], "revert.preview");
}

#[test]
fn config_diffs_binary_files_and_external_config() {
    // An image under config/ is not configuration by default; with a wider glob it is, and
    // a binary file gets no diff.
    let (_, default) = check_json(&fixture("check-clean"), &[]);
    let paths: Vec<&str> = default["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["config/app.toml"]);
    let tmp = tempfile::tempdir().unwrap();
    let wide = tmp.path().join("rollback.toml");
    std::fs::write(&wide, "[paths]\nconfig = ['config/**']\n").unwrap();
    let (_, clean) = check_json(&fixture("check-clean"), &["--config", wide.to_str().unwrap()]);
    let config = clean["config"].as_array().unwrap();
    let logo = config.iter().find(|c| c["path"] == "config/logo.png").unwrap();
    assert_eq!(
        (logo["binary"].clone(), logo["diff"].clone()),
        (Value::Bool(true), Value::Null)
    );
    let app = config.iter().find(|c| c["path"] == "config/app.toml").unwrap();
    assert!(
        app["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- a/config/app.toml\n+++ b/config/app.toml\n@@")
    );
    let (_, external) = check_json(&fixture("check-external"), &[]);
    let c = item(&external, "config.changed");
    assert!(c["hint"].as_str().unwrap().contains("config/secrets/api.env"));
    assert!(c["details"][1].as_str().unwrap().contains("[external"));
    let verbose = run_in(&fixture("check-clean"), &["check", "-v"]);
    assert!(verbose.stdout.contains("Config diff (rolling back): config/app.toml"));
}

#[test]
fn a_target_that_is_not_an_ancestor() {
    let dir = fixture("check-not-ancestor");
    let (code, doc) = check_json(&dir, &["--strategy", "revert"]);
    assert_eq!(code, 1);
    assert_eq!(item(&doc, "release.target")["status"], "fail");
    assert!(doc["revert"].is_null());
    let (code, doc) = check_json(&dir, &[]);
    assert_eq!(doc["recommendation"]["strategy"], "branch");
    assert_eq!(
        (code, item(&doc, "release.target")["status"].clone()),
        (0, Value::from("warn"))
    );
}

#[test]
fn a_big_range_answers_with_details_truncated() {
    let dir = fixture("check-big-range");
    let (_, doc) = check_json(&dir, &[]);
    assert_eq!(doc["total_commits"], 2000);
    assert_eq!(
        doc["commits"].as_array().unwrap().len(),
        1000,
        "commits read in full are capped"
    );
    let r = run_in(&dir, &["check", "-v"]);
    assert!(
        r.stdout.contains("2000 commits between v1.0.0 and v1.1.0"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("… and 1980 more"), "{}", r.stdout);
}

#[test]
fn bad_from_and_to_are_refused_with_exit_2() {
    let dir = fixture("records");
    let commit = git(&dir, &["rev-parse", "v1.1.0^{commit}"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--env", "production", "--to", "v9.9.9"],
            "not a tag in this repository",
        ),
        (
            &[
                "--env",
                "production",
                "--to",
                "deploy/production/20260101T040000Z.1-v1.0.0",
            ],
            "not a release",
        ),
        (
            &["--env", "production", "--to", commit.trim()],
            "looks like a commit id",
        ),
        (
            &["--env", "production", "--from", "v1.1.0", "--to", "v1.1.0"],
            "nothing to roll back",
        ),
        (
            &["--env", "production", "--from", "v1.1.0", "--to", "v1.4.0"],
            "roll-forward",
        ),
        (&["--env", "nope"], "unknown environment"),
        (&["--strategy", "sideways"], "invalid value"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        let r = run_in(&dir, &all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    let r = run_in(
        &dir,
        &["check", "--env", "production", "--to", "v1.4.0", "--from", "v1.1.0"],
    );
    insta::assert_snapshot!(r.snapshot());
}

#[test]
fn a_bad_target_is_blocked_and_the_default_target_skips_it() {
    let dir = fixture("records");
    // production: v1.3.0 was rolled back (bad); live is v1.2.0, previous stable v1.1.0.
    let (code, doc) = check_json(&dir, &["--env", "production"]);
    assert_eq!(
        (doc["from"]["tag"].as_str(), doc["to"]["tag"].as_str()),
        (Some("v1.2.0"), Some("v1.1.0"))
    );
    assert!(code == 0 || code == 1);
    let (code, doc) = check_json(&dir, &["--env", "staging", "--to", "v1.3.0"]);
    assert_eq!(
        item(&doc, "release.target")["status"],
        "pass",
        "v1.3.0 is bad only in production"
    );
    assert!(code == 0 || code == 1);
    let (code, doc) = check_json(&dir, &["--env", "production", "--from", "v1.4.0", "--to", "v1.3.0"]);
    assert_eq!(code, 1);
    assert_eq!(item(&doc, "release.target")["status"], "fail");
}

/// The paths `repo.worktree` lists are the tracked paths `git status` reports, with renames
/// not followed and untracked files left out, through every way the index can differ from HEAD:
/// nothing at all, staged and unstaged edits, a staged edit undone in the work tree, a deletion,
/// an index read from another tree (its cache tree valid, but not HEAD's), and an unstaged edit
/// with the cache tree valid at HEAD's tree (where only the work tree is read).
#[test]
fn the_work_tree_item_lists_what_git_status_lists() {
    let tmp = scratch("check-clean");
    let dir = repo(&tmp);
    let ours = |dir: &Path| -> Vec<String> {
        let (_, doc) = check_json(dir, &[]);
        let mut paths: Vec<String> = item(&doc, "repo.worktree")["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        paths.sort();
        paths
    };
    let theirs = |dir: &Path| -> Vec<String> {
        let out = git(
            dir,
            &["-c", "status.renames=false", "status", "--porcelain", "-uno", "-z"],
        );
        let mut paths: Vec<String> = out
            .split('\0')
            .filter(|e| !e.is_empty())
            .map(|e| e[3..].to_owned())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    };
    let same = |dir: &Path, what: &str| {
        let (o, t) = (ours(dir), theirs(dir));
        assert_eq!(o, t, "{what}");
        o.len()
    };
    assert_eq!(same(&dir, "clean"), 0);
    std::fs::write(dir.join("untracked.txt"), "x").unwrap();
    assert_eq!(same(&dir, "an untracked file"), 0);

    std::fs::write(dir.join("src/app.py"), "staged\n").unwrap();
    git(&dir, &["add", "src/app.py"]);
    std::fs::write(dir.join("src/cart.py"), "unstaged\n").unwrap();
    std::fs::remove_file(dir.join("README.md")).unwrap();
    assert_eq!(same(&dir, "staged, unstaged, deleted"), 3);

    // Staged, then the work tree put back as HEAD has it: only the index differs from HEAD.
    git(&dir, &["checkout", "--", "src/cart.py", "README.md"]);
    let head_app = git(&dir, &["show", "HEAD:src/app.py"]);
    std::fs::write(dir.join("src/app.py"), head_app).unwrap();
    assert_eq!(same(&dir, "staged and undone in the work tree"), 1);

    // An index read from another tree: git writes a valid cache tree, of v1.0.0's tree.
    git(&dir, &["reset", "-q", "--hard"]);
    git(&dir, &["read-tree", "v1.0.0"]);
    assert!(same(&dir, "the index read from v1.0.0") > 0);

    // After a reset git's cache tree names HEAD's tree again: only the work tree is read.
    git(&dir, &["reset", "-q", "--hard"]);
    std::fs::write(dir.join("docs/notes.md"), "new notes\n").unwrap();
    assert_eq!(same(&dir, "an unstaged edit after a reset"), 1);
}

/// `git clone` writes no FETCH_HEAD but does write the remote-tracking reflogs: a fresh clone
/// has heard from its remote just now, and a fetch afterwards is seen through FETCH_HEAD.
#[test]
fn a_fresh_clone_is_not_never_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let origin = fixture("check-clean");
    git(
        tmp.path(),
        &["clone", "-q", origin.to_str().unwrap(), clone.to_str().unwrap()],
    );
    assert!(
        !clone.join(".git/FETCH_HEAD").exists(),
        "the premise: clone writes no FETCH_HEAD"
    );
    let (_, doc) = check_json(&clone, &[]);
    let fetch = item(&doc, "repo.fetch");
    assert_eq!(fetch["status"], "pass", "{fetch}");
    assert!(fetch["summary"].as_str().unwrap().starts_with("last fetch"), "{fetch}");

    // Without the reflogs (core.logAllRefUpdates=false, or removed) nothing says it was fetched.
    std::fs::remove_dir_all(clone.join(".git/logs/refs/remotes")).unwrap();
    let (_, doc) = check_json(&clone, &[]);
    assert_eq!(item(&doc, "repo.fetch")["status"], "warn");
    git(&clone, &["fetch", "-q", "origin"]);
    let (_, doc) = check_json(&clone, &[]);
    assert_eq!(item(&doc, "repo.fetch")["status"], "pass");
}

/// A shallow clone whose history ends between the two releases: ancestry and counts cannot be
/// told, and the tool says so instead of "not an ancestor" or a wrong count.
#[test]
fn a_shallow_clone_cut_between_the_releases_says_cannot_tell() {
    let tmp = scratch("shallow-cut");
    let dir = repo(&tmp);
    let (code, doc) = check_json(&dir, &["--to", "v1.0.0"]);
    assert_eq!(code, 0, "branch is recommended and not blocked");
    let target = item(&doc, "release.target");
    assert_eq!(target["status"], "warn");
    assert!(
        target["summary"]
            .as_str()
            .unwrap()
            .starts_with("cannot tell whether v1.0.0 is an ancestor of v1.2.0"),
        "{target}"
    );
    let range = item(&doc, "commits.range");
    assert!(
        range["summary"]
            .as_str()
            .unwrap()
            .starts_with("cannot tell how many commits"),
        "{range}"
    );
    assert_eq!(doc["recommendation"]["strategy"], "branch");
    assert!(
        doc["recommendation"]["reason"]
            .as_str()
            .unwrap()
            .contains("shallow clone"),
        "{doc}"
    );
    let (code, doc) = check_json(&dir, &["--to", "v1.0.0", "--strategy", "revert"]);
    assert_eq!(code, 1, "a revert of a range this clone cannot see is blocked");
    assert_eq!(item(&doc, "release.target")["status"], "fail");

    // git cannot see the ancestry in this clone either (in the origin, v1.0.0 is an ancestor).
    assert!(
        std::process::Command::new("git")
            .args(["merge-base", "--is-ancestor", "v1.0.0", "v1.2.0"])
            .current_dir(&dir)
            .status()
            .unwrap()
            .code()
            == Some(1)
    );

    let production = run_in(&dir, &["status", "--json"]).json();
    assert_eq!(
        production["environments"][0]["unreleased_commits"], 1,
        "v1.2.0..main is whole"
    );
    // Once a record says v1.0.0 is live, the unreleased count runs into the boundary.
    let r = run_in(&dir, &["deployed", "v1.0.0", "--allow-off-branch"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let status = run_in(&dir, &["status", "--json"]).json();
    let env = &status["environments"][0];
    assert_eq!(env["unreleased_commits"], serde_json::Value::Null, "{status}");
    assert_eq!(env["unreleased_at_least"], 2);
    let human = run_in(&dir, &["status"]);
    assert!(
        human
            .stdout
            .contains("cannot tell: this shallow clone's history ends first"),
        "{}",
        human.stdout
    );
}
