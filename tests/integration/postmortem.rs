//! `history`, `show` and `report` on the incident fixture (several environments, a redeploy,
//! two rollbacks of one release, a restore, hand-written, malformed and newer-format records),
//! with plain git as the referee for what the ledger holds.

use std::path::Path;

use crate::common::*;

const FIRST_ROLLBACK: &str = "rollback/production/20260108T200600Z.1-v1.3.0";
const RESTORE: &str = "restore/production/20260109T000600Z.1-v1.3.0";
const SECOND_ROLLBACK: &str = "rollback/production/20260110T010600Z.1-v1.3.0";
const HAND_WRITTEN: &str = "rollback/staging/20260110T013600Z.1-v1.3.0";
const MALFORMED: &str = "rollback/production/20260110T023600Z.1-v1.3.0";
const REDEPLOY: &str = "deploy/production/20260106T120000Z.1-v1.2.0";

fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = run_in(dir, args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r
}

fn tags(doc: &serde_json::Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tag"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn history_in_three_formats() {
    let dir = fixture("incident");
    insta::assert_snapshot!("history_table", ok(&dir, &["history"]).snapshot());
    insta::assert_snapshot!("history_markdown", ok(&dir, &["history", "--markdown"]).snapshot());
    insta::assert_snapshot!("history_json", ok(&dir, &["history", "--json"]).stdout);
}

#[test]
fn history_lists_every_release_and_record_git_knows_oldest_first() {
    let dir = fixture("incident");
    let doc = ok(&dir, &["history", "--json"]).json();
    assert_eq!(doc["schema"], "git-rollback/history/v1");
    // Referee: every tag git lists is either an event or the one malformed record.
    let mut from_git: Vec<String> = git(&dir, &["for-each-ref", "--format=%(refname:short)", "refs/tags"])
        .lines()
        .map(str::to_owned)
        .collect();
    let mut ours = tags(&doc, "events");
    ours.extend(tags(&doc, "malformed"));
    from_git.sort();
    ours.sort();
    assert_eq!(ours, from_git);
    assert_eq!(tags(&doc, "malformed"), [MALFORMED]);
    let times: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["time"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not oldest first: {times:?}");
    // The fields of SPEC §10, from the record's own trailers and tagger.
    let rollback = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tag"] == FIRST_ROLLBACK)
        .unwrap();
    for (key, want) in [
        ("kind", "rollback"),
        ("environment", "production"),
        ("release", "v1.3.0"),
        ("from", "v1.3.0"),
        ("to", "v1.2.0"),
        ("strategy", "revert"),
        ("incident", "INC-2041"),
        ("time", "2026-01-08T20:06:00Z"),
        ("by", "Release Bot <release-bot@example.com>"),
    ] {
        assert_eq!(rollback[key], want, "{key}");
    }
    let body = git(
        &dir,
        &[
            "for-each-ref",
            "--format=%(contents:body)",
            &format!("refs/tags/{FIRST_ROLLBACK}"),
        ],
    );
    assert!(body.starts_with(rollback["reason"].as_str().unwrap()), "{body}");
    // The newer-format record is read, flagged and warned about.
    let newer = doc["events"].as_array().unwrap().last().unwrap();
    assert_eq!(newer["format_version"], 2);
    let warnings = doc["warnings"].to_string();
    assert!(warnings.contains("format version 2") && warnings.contains("lacks the `Rollback-To` trailer"));
}

#[test]
fn history_filters() {
    let dir = fixture("incident");
    let events = |args: &[&str]| {
        let mut all = vec!["history", "--json"];
        all.extend_from_slice(args);
        tags(&ok(&dir, &all).json(), "events")
    };
    // One environment in a window: only its records, and no release outside the window.
    assert_eq!(
        events(&["--env", "production", "--since", "2026-01-08", "--until", "2026-01-09"]),
        ["deploy/production/20260108T170000Z.1-v1.3.0", FIRST_ROLLBACK, RESTORE]
    );
    // With an environment, the releases shown are those its events name.
    let production = events(&["--env", "production", "--since", "2026-01-07T00:00:00Z"]);
    assert_eq!(production[0], "v1.3.0");
    assert!(!production.iter().any(|t| t.contains("staging")));
    assert_eq!(
        events(&["--kind", "rollback,restore", "--env", "production"]),
        [FIRST_ROLLBACK, RESTORE, SECOND_ROLLBACK]
    );
    // Only releases, of one environment: those its records name.
    assert_eq!(
        events(&["--kind", "release", "--env", "production"]),
        ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"]
    );
    assert_eq!(
        events(&["--kind", "release", "--env", "production", "--since", "2026-01-05"]),
        ["v1.3.0"]
    );
    assert_eq!(
        events(&["--kind", "deploy", "--release", "v1.2.0", "--env", "production"]),
        ["deploy/production/20260105T110000Z.1-v1.2.0", REDEPLOY]
    );
    // v1.2.0 is also the target of the rollbacks.
    assert!(events(&["--release", "v1.2.0"]).contains(&HAND_WRITTEN.to_owned()));
    // An age reaches back from now; a huge one includes everything.
    assert_eq!(events(&["--since", "100000d"]).len(), events(&[]).len());
    assert!(events(&["--since", "1h"]).is_empty());
    // --limit keeps the newest, still oldest first, and counts what it left out.
    let limited = ok(&dir, &["history", "--json", "--limit", "2"]).json();
    assert_eq!(tags(&limited, "events").len(), 2);
    assert_eq!(limited["omitted"], events(&[]).len() - 2);
    let table = ok(&dir, &["history", "--limit", "2"]);
    assert!(
        table.stderr.contains("earlier events not shown (--limit)"),
        "{}",
        table.stderr
    );
}

#[test]
fn history_refuses_bad_filters() {
    let dir = fixture("incident");
    for (args, message) in [
        (&["--since", "yesterday"][..], "--since `yesterday` is not a time"),
        (&["--until", "2026-02-30"][..], "--until `2026-02-30` is not a time"),
        (
            &["--since", "2026-02-01", "--until", "2026-01-01"][..],
            "is after --until",
        ),
        (&["--env", "prod"][..], "unknown environment `prod`"),
        (&["--release", "v9.9.9"][..], "`v9.9.9` is not a release tag"),
        (&["--kind", "deploys"][..], "invalid value 'deploys'"),
        (&["--limit", "0"][..], "--limit"),
    ] {
        let mut all = vec!["history"];
        all.extend_from_slice(args);
        let r = run_in(&dir, &all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn show_a_record_in_three_formats() {
    let dir = fixture("incident");
    insta::assert_snapshot!("show_rollback", ok(&dir, &["show", FIRST_ROLLBACK]).snapshot());
    insta::assert_snapshot!(
        "show_rollback_markdown",
        ok(&dir, &["show", FIRST_ROLLBACK, "--markdown"]).stdout
    );
    let doc = ok(&dir, &["show", FIRST_ROLLBACK, "--json"]).json();
    insta::assert_snapshot!("show_rollback_json", serde_json::to_string_pretty(&doc).unwrap());
    assert_eq!(doc["schema"], "git-rollback/show/v1");
    // The reverted commits are the trailers' ids, with the subjects git has for them.
    let reverted = doc["reverted"].as_array().unwrap();
    assert_eq!(reverted.len(), 3);
    for c in reverted {
        let id = c["commit"].as_str().unwrap();
        assert_eq!(
            c["subject"].as_str().unwrap(),
            git(&dir, &["log", "-1", "--format=%s", id]).trim()
        );
    }
    let created: Vec<&str> = doc["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    let on_branch = git(&dir, &["rev-list", "--max-count=3", "rollback/v1.3.0"]);
    assert_eq!(created, on_branch.lines().rev().collect::<Vec<_>>());
    assert_eq!(doc["branch"]["exists"], true);
    let relations: Vec<(String, String)> = doc["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["relation"].as_str().unwrap().to_owned(),
                r["event"]["tag"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        relations,
        [
            (
                "rolled_back".to_owned(),
                "deploy/production/20260108T170000Z.1-v1.3.0".to_owned()
            ),
            ("restored_by".to_owned(), RESTORE.to_owned()),
            ("also_rolled_back".to_owned(), SECOND_ROLLBACK.to_owned()),
        ]
    );
    // The message is the tag's, byte for byte as git shows it.
    let contents = git(
        &dir,
        &[
            "for-each-ref",
            "--format=%(contents)",
            &format!("refs/tags/{FIRST_ROLLBACK}"),
        ],
    );
    assert_eq!(doc["message"].as_str().unwrap().trim_end(), contents.trim_end());
}

#[test]
fn show_relates_restores_deploys_and_hand_written_records() {
    let dir = fixture("incident");
    let related = |name: &str| {
        let doc = ok(&dir, &["show", &format!("refs/tags/{name}"), "--json"]).json();
        doc["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["relation"].as_str().unwrap(),
                    r["event"]["tag"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(related(RESTORE), [format!("undid {FIRST_ROLLBACK}")]);
    // The redeploy of v1.2.0 was never rolled back; the deploy of v1.3.0 was, and the restore
    // that put v1.3.0 back was rolled back by the second rollback.
    assert!(related(REDEPLOY).is_empty());
    assert_eq!(related(SECOND_ROLLBACK)[0], format!("rolled_back {RESTORE}"));
    let hand = ok(&dir, &["show", HAND_WRITTEN, "--json"]).json();
    assert_eq!(hand["record"]["by"], "Dana Operator <dana@example.com>");
    assert_eq!(hand["record"]["strategy"], "branch");
    assert_eq!(
        related(HAND_WRITTEN)[0],
        "rolled_back deploy/staging/20260107T160000Z.1-v1.3.0"
    );
}

#[test]
fn show_a_release_in_three_formats() {
    let dir = fixture("incident");
    insta::assert_snapshot!("show_release", ok(&dir, &["show", "v1.3.0"]).snapshot());
    insta::assert_snapshot!(
        "show_release_markdown",
        ok(&dir, &["show", "v1.3.0", "--markdown"]).stdout
    );
    let doc = ok(&dir, &["show", "v1.3.0", "--json"]).json();
    insta::assert_snapshot!("show_release_json", serde_json::to_string_pretty(&doc).unwrap());
    assert_eq!(doc["kind"], "release");
    assert_eq!(
        doc["release"]["commit"].as_str().unwrap(),
        git(&dir, &["rev-parse", "v1.3.0^{commit}"]).trim()
    );
    let envs: Vec<&str> = doc["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["staging", "production"]);
}

#[test]
fn show_a_malformed_record_and_refuse_unknown_names() {
    let dir = fixture("incident");
    insta::assert_snapshot!("show_malformed", ok(&dir, &["show", MALFORMED]).snapshot());
    let doc = ok(&dir, &["show", MALFORMED, "--json"]).json();
    assert_eq!(doc["kind"], "malformed");
    assert!(doc["malformed"]["problem"].as_str().unwrap().contains("Rollback-To"));
    let r = run_in(&dir, &["show", "v9.9.9"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no release or record is named `v9.9.9`"),
        "{}",
        r.stderr
    );
    let json = run_in(&dir, &["show", "nope", "--json"]);
    assert_eq!(json.code, 2);
    assert!(json.stdout.is_empty());
    let err: serde_json::Value = serde_json::from_str(&json.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "input");
}

#[test]
fn report_in_markdown_and_json() {
    let dir = fixture("incident");
    let r = ok(&dir, &["report", FIRST_ROLLBACK]);
    insta::assert_snapshot!("report_markdown", r.snapshot());
    // Every section a post-mortem needs, with its source named.
    for needle in [
        "## Summary",
        "## Recorded reason",
        "## Timeline",
        "## What was rolled back",
        "## Changes between `v1.2.0` and `v1.3.0`",
        "## Impact",
        "## Follow-ups",
        "(record `rollback/production/20260108T200600Z.1-v1.3.0`)",
        "`migrations/0003_add_discounts.up.sql` | added | reversible",
    ] {
        assert!(r.stdout.contains(needle), "missing {needle}");
    }
    let doc = ok(&dir, &["report", FIRST_ROLLBACK, "--json"]).json();
    insta::assert_snapshot!("report_json", serde_json::to_string_pretty(&doc).unwrap());
    assert_eq!(doc["schema"], "git-rollback/report/v1");
    // The commits between the releases are git's own list.
    let between: Vec<&str> = doc["between"]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    let from_git = git(&dir, &["rev-list", "v1.2.0..v1.3.0"]);
    assert_eq!(between, from_git.lines().collect::<Vec<_>>());
    assert_eq!(doc["restored_by"][0]["tag"], RESTORE);
}

#[test]
fn report_a_rollback_without_reverts_and_refuse_other_names() {
    let dir = fixture("incident");
    let r = ok(&dir, &["report", HAND_WRITTEN]);
    assert!(
        r.stdout.contains("No commits were reverted (strategy branch"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("No restore record names this rollback"),
        "{}",
        r.stdout
    );
    for (name, message) in [
        ("v1.3.0", "`v1.3.0` is not a rollback record"),
        (RESTORE, "is not a rollback record"),
        (MALFORMED, "cannot be read as one"),
        ("missing", "no release or record is named `missing`"),
    ] {
        let r = run_in(&dir, &["report", name]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn report_reads_a_rollback_this_tool_wrote() {
    let tmp = scratch("check-destructive");
    let dir = tmp.path().join("repo");
    let run = run_in(
        &dir,
        &[
            "run",
            "--strategy",
            "revert",
            "--reason",
            "Orders page times out",
            "--incident",
            "INC-9",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record = run.json()["record"].as_str().unwrap().to_owned();
    let doc = ok(&dir, &["report", &record, "--json"]).json();
    assert_eq!(doc["rollback"]["incident"], "INC-9");
    assert_eq!(doc["rollback"]["reason"], "Orders page times out");
    let reverted: Vec<&str> = doc["reverted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    let trailers = trailers_of(&dir, &record);
    let from_trailers: Vec<&str> = trailers
        .lines()
        .filter_map(|l| l.strip_prefix("Rollback-Revert: "))
        .collect();
    assert_eq!(reverted, from_trailers);
    assert!(doc["reverted"].as_array().unwrap().iter().all(|c| c["found"] == true));
    assert!(!doc["between"]["migrations"].as_array().unwrap().is_empty());
    let history = ok(&dir, &["history", "--kind", "rollback", "--json"]).json();
    assert_eq!(tags(&history, "events"), [record]);
}

#[test]
fn hostile_text_stays_inert_in_every_format() {
    let dir = fixture("hostile");
    // v1.0.0's subject holds ESC[31m, an OSC title sequence, a C1 byte and U+202E. Where the
    // output shows the subject, it must be there, made visible (`what`); nowhere raw.
    for (args, shown) in [
        (&["history"][..], None),
        (&["history", "--markdown"][..], None),
        (&["history", "--json"][..], Some("\\u001b[31mDANGER")),
        (&["show", "v1.0.0"][..], Some("\\x1b[31mDANGER")),
        (&["show", "v1.0.0", "--markdown"][..], Some("x1b\\[31mDANGER")),
    ] {
        let r = run_in(&dir, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        if let Some(what) = shown {
            assert!(r.stdout.contains(what), "{args:?}: {}", r.stdout);
        }
        // (JSON carries U+202E as a character, like every JSON encoder; control characters are
        // escaped.)
        let json = args.contains(&"--json");
        for text in [&r.stdout, &r.stderr] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{9b}') && !text.contains('\u{7}'),
                "{args:?}: {text:?}"
            );
            assert!(json || !text.contains('\u{202e}'), "{args:?}: {text:?}");
        }
    }
}

#[test]
fn hostile_records_stay_inert_in_history_show_and_report() {
    // A rollback record written by hand whose reason, incident, strategy and branch carry
    // terminal escapes, an HTML tag and a table pipe.
    let tmp = scratch("incident");
    let dir = tmp.path().join("repo");
    let (csi, osc, rlo) = ("\u{1b}[31m", "\u{1b}]0;pwned\u{7}", "\u{202e}");
    let name = "rollback/production/20260112T000000Z.1-v1.3.0";
    let message = format!(
        "Roll back production from v1.3.0 to v1.2.0\n\n{csi}Reason{osc} with <script>x</script> | pipe {rlo}txt\n\nRollback-Environment: production\nRollback-From: v1.3.0\nRollback-To: v1.2.0\nRollback-Strategy: revert{csi}\nRollback-Incident: INC-{osc}1\nRollback-Branch: evil{csi}|<b>branch\nGit-Rollback-Format: 1\n"
    );
    let file = tmp.path().join("message");
    std::fs::write(&file, message).unwrap();
    git(
        &dir,
        &[
            "tag",
            "-a",
            "--cleanup=verbatim",
            "-F",
            file.to_str().unwrap(),
            name,
            "v1.2.0^{commit}",
        ],
    );
    for args in [
        &["history", "--env", "production"][..],
        &["history", "--env", "production", "--markdown"],
        &["show", name],
        &["show", name, "--markdown"],
        &["report", name],
    ] {
        let r = run_in(&dir, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        for text in [&r.stdout, &r.stderr] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
                "{args:?}: {text:?}"
            );
        }
        if args.contains(&"--markdown") || args[0] == "report" {
            // Prose is HTML-escaped; names appear only inside code spans, where Markdown shows
            // `<b>` as text.
            assert!(!r.stdout.contains("<script>"), "{args:?}: {}", r.stdout);
            assert!(
                !r.stdout.contains("<b>") || r.stdout.contains("`evil\\x1b[31m|<b>branch`"),
                "{args:?}"
            );
        }
    }
}
