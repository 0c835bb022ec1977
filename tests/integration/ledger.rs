//! `releases` and `status` on every fixture: snapshots of what a user sees (human and JSON),
//! plus explicit checks of the facts each scenario is built to show.

use serde_json::Value;

use crate::common::*;

/// Snapshots `releases` and `status`, human and JSON, for one fixture.
fn snapshot_fixture(name: &str) {
    let dir = fixture(name);
    for (label, args) in [
        ("releases", &["releases"][..]),
        ("releases-all-verbose", &["releases", "--all", "-v"][..]),
        ("status", &["status"][..]),
    ] {
        insta::assert_snapshot!(format!("{name}-{label}"), run_in(&dir, args).snapshot());
    }
    for (label, args) in [
        ("releases-json", &["releases", "--json", "--all"][..]),
        ("status-json", &["status", "--json"][..]),
    ] {
        let r = run_in(&dir, args);
        assert_eq!(r.code, 0, "{label}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "JSON mode keeps stderr clean: {}", r.stderr);
        insta::assert_json_snapshot!(format!("{name}-{label}"), r.json());
    }
}

macro_rules! snapshots {
    ($($test:ident => $fixture:literal),* $(,)?) => {
        $( #[test] fn $test() { snapshot_fixture($fixture); } )*
    };
}

snapshots! {
    linear_snapshots => "linear",
    prereleases_snapshots => "prereleases",
    lightweight_snapshots => "lightweight",
    monorepo_snapshots => "monorepo",
    records_snapshots => "records",
    restored_snapshots => "restored",
    shallow_snapshots => "shallow",
    empty_snapshots => "empty",
    no_tags_snapshots => "no-tags",
    bare_snapshots => "bare",
    detached_snapshots => "detached",
    handwritten_snapshots => "handwritten",
}

fn env<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {status}"))
}

fn tags(doc: &Value) -> Vec<String> {
    doc["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tag"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn records_scenario_live_bad_and_previous_stable() {
    let dir = fixture("records");
    let status = run_in(&dir, &["status", "--json"]).json();
    let production = env(&status, "production");
    assert_eq!(production["live"]["tag"], "v1.2.0");
    assert_eq!(production["live"]["evidence"]["record_kind"], "rollback");
    assert_eq!(production["bad"], serde_json::json!(["v1.3.0"]));
    assert_eq!(production["previous_stable"]["tag"], "v1.1.0");
    let staging = env(&status, "staging");
    assert_eq!(staging["live"]["tag"], "v1.4.0");
    assert!(
        staging["live"]["evidence"]["tag"]
            .as_str()
            .unwrap()
            .contains(".2-v1.4.0"),
        "the seq-2 redeploy is newest"
    );
    assert_eq!(staging["previous_stable"]["tag"], "v1.3.0");
    let names: Vec<_> = status["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["staging", "production"], "config order");
    // Live release commits agree with git.
    let commit = git(&dir, &["rev-parse", "v1.2.0^{commit}"]);
    assert_eq!(production["live"]["commit"].as_str().unwrap(), commit.trim());
}

#[test]
fn a_restore_makes_the_release_live_again_and_not_bad() {
    let status = run_in(&fixture("restored"), &["status", "--json"]).json();
    let production = env(&status, "production");
    assert_eq!(production["live"]["tag"], "v1.2.0");
    assert_eq!(production["live"]["evidence"]["record_kind"], "restore");
    assert_eq!(production["bad"], serde_json::json!([]));
}

#[test]
fn release_order_agrees_with_git_version_sort() {
    for name in ["linear", "prereleases", "lightweight", "records"] {
        let dir = fixture(name);
        let ours = tags(&run_in(&dir, &["releases", "--json", "--all"]).json());
        // git sorts pre-releases before their release with versionsort.suffix=-.
        let theirs: Vec<String> = git(
            &dir,
            &["-c", "versionsort.suffix=-", "tag", "--list", "--sort=-v:refname"],
        )
        .lines()
        .filter(|t| ours.iter().any(|o| o == t))
        .map(str::to_owned)
        .collect();
        assert_eq!(ours, theirs, "{name}");
    }
}

#[test]
fn packed_and_loose_refs_give_the_same_answers() {
    let tmp = scratch("records");
    let dir = tmp.path().join("repo");
    let packed = (
        run_in(&dir, &["releases", "--json", "--all"]).stdout,
        run_in(&dir, &["status", "--json"]).stdout,
    );
    // Unpack: write every ref as a loose file and drop packed-refs.
    assert!(
        std::fs::read_to_string(dir.join(".git/packed-refs"))
            .unwrap()
            .contains("refs/tags/")
    );
    for line in git(&dir, &["for-each-ref", "--format=%(refname) %(objectname)"]).lines() {
        let (name, id) = line.split_once(' ').unwrap();
        let path = dir.join(".git").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("{id}\n")).unwrap();
    }
    std::fs::remove_file(dir.join(".git/packed-refs")).unwrap();
    let loose = (
        run_in(&dir, &["releases", "--json", "--all"]).stdout,
        run_in(&dir, &["status", "--json"]).stdout,
    );
    assert_eq!(packed, loose);
}

#[test]
fn a_loose_tag_overrides_a_stale_packed_one() {
    let tmp = scratch("records");
    let dir = tmp.path().join("repo");
    // records.sh packs every ref; moving a tag writes a loose ref and leaves the packed line stale.
    git(&dir, &["tag", "-f", "-a", "-m", "moved", "v1.0.0", "v1.1.0^{commit}"]);
    assert!(
        std::fs::read_to_string(dir.join(".git/packed-refs"))
            .unwrap()
            .contains("refs/tags/v1.0.0")
    );
    let doc = run_in(&dir, &["releases", "--json", "--all"]).json();
    let v100 = doc["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tag"] == "v1.0.0")
        .unwrap()
        .clone();
    assert_eq!(
        v100["commit"].as_str().unwrap(),
        git(&dir, &["rev-parse", "v1.0.0^{commit}"]).trim()
    );
    assert_eq!(v100["subject"], "moved");
    let names = |d: &serde_json::Value| {
        d["releases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["tag"] == "v1.0.0")
            .count()
    };
    assert_eq!(names(&doc), 1, "listed once");
}

#[test]
fn limit_all_and_component_filters() {
    let dir = fixture("linear");
    let one = run_in(&dir, &["releases", "--json", "--limit", "1"]).json();
    assert_eq!(tags(&one), ["v1.10.0"]);
    assert_eq!(one["omitted"], 3);
    let r = run_in(&dir, &["releases", "--limit", "2"]);
    assert!(r.stderr.contains("2 older releases not shown"), "{}", r.stderr);

    let mono = fixture("monorepo");
    let api = run_in(&mono, &["releases", "--json", "--component", "api"]).json();
    assert_eq!(tags(&api), ["api-v1.1.0", "api-v1.0.0"]);
    let unknown = run_in(&mono, &["releases", "--component", "nope"]);
    assert_eq!(unknown.code, 2);
    insta::assert_snapshot!(unknown.snapshot());
    let status = run_in(&mono, &["status", "--json", "--component", "web"]).json();
    assert_eq!(status["environments"].as_array().unwrap().len(), 1);
    assert_eq!(status["environments"][0]["live"]["tag"], "web/v2.0.0");

    // Releases of another component than --component's are refused, for every pair command.
    for cmd in ["check", "plan"] {
        let other = run_in(
            &mono,
            &[cmd, "--component", "api", "--from", "web/v2.1.0", "--to", "web/v2.0.0"],
        );
        assert_eq!(other.code, 2, "{cmd}: {}", other.stderr);
        assert!(
            other
                .stderr
                .starts_with("error: web/v2.1.0 is a release of component `web`, not of component `api`"),
            "{}",
            other.stderr
        );
        assert!(
            other
                .stderr
                .contains("hint: name releases of the component given with --component")
        );
    }
    let default = run_in(&mono, &["check", "--component", "web", "--to", "v0.9.0"]);
    let both = run_in(
        &mono,
        &[
            "plan",
            "--component",
            "web",
            "--from",
            "api-v1.1.0",
            "--to",
            "api-v1.0.0",
        ],
    );
    assert_eq!(both.code, 2);
    assert!(
        both.stderr
            .contains("api-v1.1.0 is a release of component `api`, not of component `web`"),
        "{}",
        both.stderr
    );
    assert_eq!(default.code, 2);
    assert!(
        default
            .stderr
            .contains("web/v2.0.0 and v0.9.0 are releases of different components"),
        "{}",
        default.stderr
    );
}

#[test]
fn an_unknown_environment_is_an_input_error() {
    let r = run_in(&fixture("records"), &["status", "--env", "prod"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.snapshot());
    let ok = run_in(&fixture("records"), &["status", "--json", "--env", "staging"]).json();
    assert_eq!(ok["environments"].as_array().unwrap().len(), 1);
}

#[test]
fn a_malformed_config_names_the_file_and_the_key() {
    let dir = fixture("bad-config");
    let r = run_in(&dir, &["status"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.snapshot());
    let r = run_in(&dir, &["releases", "--config", "rollback.unknown-key.toml"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.snapshot());
    let r = run_in(&dir, &["releases", "--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read missing.toml"), "{}", r.stderr);
}

#[test]
fn read_commands_write_nothing() {
    let tmp = scratch("records");
    let dir = tmp.path().join("repo");
    let before = (
        refs(&dir),
        git(&dir, &["count-objects", "-v"]),
        git(&dir, &["status", "--porcelain"]),
    );
    for args in [&["releases", "--all"][..], &["status"][..], &["releases", "--json"][..]] {
        assert_eq!(run_in(&dir, args).code, 0);
    }
    let after = (
        refs(&dir),
        git(&dir, &["count-objects", "-v"]),
        git(&dir, &["status", "--porcelain"]),
    );
    assert_eq!(before, after);
}

#[test]
fn works_from_a_subdirectory_and_with_dash_c() {
    let dir = fixture("records");
    let top = run_in(&dir, &["status", "--json"]).stdout;
    assert_eq!(run_in(&dir.join("migrations"), &["status", "--json"]).stdout, top);
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        run_in(tmp.path(), &["-C", dir.to_str().unwrap(), "status", "--json"]).stdout,
        top
    );
}
