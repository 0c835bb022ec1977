//! Unit tests of every check on constructed inputs (no Git).

use std::path::Path;

use super::migrations::{self, Classification, classify};
use super::*;
use crate::model::range::{
    ChangeKind, CommitInfo, FileChange, PathChange, PathCommit, RangeFacts, RepoFacts, RevertPreview, RevertStep,
    Upstream,
};
use crate::model::{Head, Person};

fn oid(n: u32) -> Oid {
    Oid::parse(&format!("{n:040x}")).unwrap()
}

fn commit(n: u32, subject: &str, parents: usize) -> CommitInfo {
    CommitInfo {
        id: oid(n),
        parents: (0..parents as u32).map(|p| oid(1000 + p)).collect(),
        subject: subject.into(),
        message: format!("{subject}\n"),
        author: Person {
            name: format!("Dev {}", n % 2),
            email: "d@x".into(),
        },
        time: Timestamp::utc(n as i64),
        paths: Vec::new(),
    }
}

fn change(path: &str, kind: ChangeKind) -> PathChange {
    PathChange {
        path: path.into(),
        old_path: None,
        kind,
    }
}

fn file(path: &str, live: Option<&str>) -> FileChange {
    FileChange {
        change: change(
            path,
            if live.is_some() {
                ChangeKind::Added
            } else {
                ChangeKind::Deleted
            },
        ),
        live: live.map(|s| s.as_bytes().to_vec()),
        target: None,
        diff: None,
    }
}

struct World {
    config: Config,
    state: RepoState,
    repo: RepoFacts,
    range: RangeFacts,
    env: EnvName,
    live: Side,
    target: Side,
}

fn side(tag: &str, n: u32) -> Side {
    Side {
        tag: TagName::new(tag),
        commit: oid(n),
        annotated: true,
        prerelease: false,
        bad: false,
        duplicate: false,
    }
}

fn world() -> World {
    World {
        config: Config::defaults(),
        state: RepoState {
            remote_head: None,
            git_dir: "/r/.git".into(),
            workdir: Some("/r".into()),
            shallow: false,
            operation: None,
            head: Head::Branch {
                name: "main".into(),
                commit: Some(oid(9)),
            },
            branches: vec![("main".into(), oid(9))],
            tags: Vec::new(),
        },
        repo: RepoFacts {
            dirty: Some(Vec::new()),
            upstream: None,
            last_fetch: None,
            has_remotes: false,
        },
        range: RangeFacts {
            live: oid(2),
            target: oid(1),
            target_is_ancestor: true,
            history_cut: None,
            commits: vec![commit(2, "Add cart", 1)],
            total_commits: 1,
            path: vec![PathCommit {
                step: RevertStep::first_parent(oid(2)),
                empty: false,
                reverts: Vec::new(),
            }],
            later: Vec::new(),
            later_total: 0,
            later_with_paths: 0,
            changes: vec![change("src/cart.py", ChangeKind::Added)],
            renames_found: true,
            live_migration_files: Vec::new(),
            migrations: Vec::new(),
            config: Vec::new(),
            missing: Vec::new(),
            revert: Some(RevertPreview {
                commits: vec![RevertStep::first_parent(oid(2))],
                empty: Vec::new(),
                conflict: None,
                onto: oid(9),
                tree: Some(oid(77)),
                landing: None,
                missing: Vec::new(),
                kept_ours: Vec::new(),
            }),
        },
        env: EnvName::parse("production").unwrap(),
        live: side("v1.1.0", 2),
        target: side("v1.0.0", 1),
    }
}

fn report(w: &World, strategy: Strategy) -> Report {
    let migrations = migrations::classify_all(&w.range);
    let chain = crate::plan::chain::chain(&w.range);
    let input = Input {
        chain: &chain,
        migrations: &migrations,
        config: &w.config,
        state: &w.state,
        repo: &w.repo,
        range: &w.range,
        environment: &w.env,
        live: &w.live,
        live_evidence: "deploy record deploy/production/x",
        live_from_record: true,
        target: &w.target,
        production_branch: Some("main"),
        now: Timestamp::utc(10 * 86_400),
        allow_bad: false,
    };
    run(&input, strategy)
}

fn item<'r>(r: &'r Report, id: &str) -> &'r Item {
    r.items.iter().find(|i| i.id == id).unwrap()
}

#[test]
fn a_clean_range_passes_every_item_and_does_not_block() {
    let r = report(&world(), Strategy::Revert);
    assert_eq!(
        r.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        IDS,
        "all items always run, in order"
    );
    assert!(!r.is_blocking(), "{:#?}", r.blocking());
    assert_eq!(item(&r, "revert.preview").status, Status::Pass);
    assert_eq!(item(&r, "repo.upstream").status, Status::Skipped);
    assert!(gate((), &r).is_ok());
}

#[test]
fn repository_items_warn_and_fail_with_hints() {
    let mut w = world();
    w.state.shallow = true;
    w.state.operation = Some("rebase".into());
    w.repo.dirty = Some(vec!["a.txt".into(), "b.txt".into()]);
    w.repo.upstream = Some(Upstream {
        name: "origin/main".into(),
        ahead: 0,
        behind: 3,
    });
    w.repo.has_remotes = true;
    w.repo.last_fetch = Some(Timestamp::utc(0));
    let r = report(&w, Strategy::Revert);
    assert_eq!(item(&r, "repo.shallow").status, Status::Warn);
    assert!(
        item(&r, "repo.shallow")
            .hint
            .as_deref()
            .unwrap()
            .contains("git fetch --unshallow")
    );
    assert_eq!(item(&r, "repo.operation").status, Status::Fail);
    assert!(item(&r, "repo.operation").hint.is_some());
    assert_eq!(item(&r, "repo.worktree").status, Status::Warn);
    assert!(
        item(&r, "repo.upstream")
            .summary
            .contains("3 commits behind origin/main")
    );
    assert!(item(&r, "repo.fetch").summary.contains("10 days ago"));
    let blocked = gate((), &r).unwrap_err();
    assert_eq!(
        blocked.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        ["repo.operation"]
    );
    w.repo.dirty = None;
    assert_eq!(
        item(&report(&w, Strategy::Revert), "repo.worktree").status,
        Status::Skipped
    );
}

#[test]
fn target_problems_depend_on_the_strategy() {
    let mut w = world();
    w.range.target_is_ancestor = false;
    w.range.revert = None;
    w.target.bad = true;
    w.target.prerelease = true;
    w.live.annotated = false;
    let revert = report(&w, Strategy::Revert);
    assert_eq!(item(&revert, "release.target").status, Status::Fail);
    assert!(item(&revert, "release.target").summary.contains("marked bad"));
    assert!(item(&revert, "release.target").summary.contains("not an ancestor"));
    assert_eq!(item(&revert, "revert.preview").status, Status::Fail);
    assert_eq!(item(&revert, "release.tags").status, Status::Warn);
    w.target.bad = false;
    let branch = report(&w, Strategy::Branch);
    assert_eq!(
        item(&branch, "release.target").status,
        Status::Warn,
        "a branch needs no ancestry"
    );
    assert_eq!(item(&branch, "revert.preview").status, Status::Skipped);
}

#[test]
fn a_predicted_conflict_fails_only_a_revert() {
    let mut w = world();
    w.range.revert = Some(RevertPreview {
        commits: vec![RevertStep::first_parent(oid(2))],
        empty: Vec::new(),
        conflict: Some((oid(2), vec!["src/app.py".into()])),
        onto: oid(9),
        tree: None,
        landing: None,
        missing: Vec::new(),
        kept_ours: Vec::new(),
    });
    let r = report(&w, Strategy::Revert);
    let preview = item(&r, "revert.preview");
    assert_eq!(preview.status, Status::Fail);
    assert!(preview.summary.contains("src/app.py") && preview.hint.as_deref().unwrap().contains("--strategy branch"));
    assert_eq!(
        item(&report(&w, Strategy::Branch), "revert.preview").status,
        Status::Skipped
    );
}

#[test]
fn commits_items_list_merges_reverted_and_built_upon() {
    let mut w = world();
    let mut a = commit(3, "Add flag", 1);
    a.paths = vec!["src/flag.py".into()];
    w.range.commits = vec![commit(5, "Merge branch 'x'", 2), commit(4, "Tune cache", 1), a];
    w.range.total_commits = 3;
    w.range.changes = vec![
        change("src/cache.py", ChangeKind::Modified),
        change("src/flag.py", ChangeKind::Added),
    ];
    let mut revert = commit(7, "Revert \"Add flag\"", 1);
    revert.message = format!("Revert \"Add flag\"\n\nThis reverts commit {}.\n", oid(3));
    let mut later = commit(8, "Touch cache again", 1);
    later.paths = vec!["src/cache.py".into(), "docs/x.md".into()];
    w.range.later = vec![later, revert];
    w.range.later_total = 2;
    w.range.later_with_paths = 2;
    let r = report(&w, Strategy::Revert);
    assert!(
        item(&r, "commits.range")
            .summary
            .starts_with("3 commits between v1.0.0 and v1.1.0 by 2 authors")
    );
    assert_eq!(item(&r, "commits.merges").status, Status::Warn);
    w.range.path = [5, 4, 3]
        .into_iter()
        .map(|n| PathCommit {
            step: RevertStep::first_parent(oid(n)),
            empty: false,
            reverts: Vec::new(),
        })
        .collect();
    let r = report(&w, Strategy::Revert);
    assert_eq!(
        crate::plan::chain::chain(&w.range).reverted_later,
        vec![(oid(3), oid(7))]
    );
    assert_eq!(item(&r, "commits.reverted").status, Status::Warn);
    let built = item(&r, "commits.built-upon");
    assert_eq!(built.status, Status::Warn);
    assert_eq!(
        built.details,
        vec![format!("{} Touch cache again: src/cache.py", oid(8).short())]
    );
}

#[test]
fn a_revert_far_below_the_tip_is_still_found_and_truncation_is_said() {
    let mut w = world();
    let mut old_revert = commit(7, "Revert \"Add cart\"", 1);
    old_revert.message = format!("Revert \"Add cart\"\n\nThis reverts commit {}.\n", oid(2));
    // 5,000 later commits: only the newest 1,000 read with paths, the revert kept from further down.
    w.range.later = vec![old_revert];
    w.range.later_total = 5000;
    w.range.later_with_paths = 1000;
    let r = report(&w, Strategy::Revert);
    assert_eq!(item(&r, "commits.reverted").status, Status::Warn);
    assert!(
        item(&r, "commits.built-upon")
            .summary
            .contains("among the newest 1000 of 5000 later commits")
    );
}

#[test]
fn big_ranges_are_truncated_in_details_with_the_count() {
    let mut w = world();
    w.range.commits = (0..50).map(|n| commit(n + 10, "work", 1)).collect();
    w.range.total_commits = 50_000;
    let r = report(&w, Strategy::Branch);
    let range = item(&r, "commits.range");
    assert!(range.summary.starts_with("50000 commits"));
    assert_eq!(range.details.len(), 21);
    assert_eq!(range.details.last().unwrap(), "… and 49980 more");
}

#[test]
fn irreversible_migrations_block_code_rollbacks_only() {
    let mut w = world();
    w.range.live_migration_files = vec!["migrations/0002_a.up.sql".into()];
    w.range.migrations = vec![file("migrations/0002_a.up.sql", Some("CREATE TABLE a (id int);"))];
    let input_report = report(&w, Strategy::Revert);
    let m = item(&input_report, "migrations.changed");
    assert_eq!(m.status, Status::Fail);
    assert!(m.summary.contains("1 irreversible"));
    assert!(
        m.details
            .last()
            .unwrap()
            .starts_with("order: run the down migrations from v1.1.0")
    );
    assert_eq!(
        item(&report(&w, Strategy::Hotfix), "migrations.changed").status,
        Status::Warn
    );
    assert_eq!(
        item(&report(&w, Strategy::Deploy), "migrations.changed").status,
        Status::Warn
    );
}

#[test]
fn config_overrides_downgrade_and_skip_by_id() {
    let mut w = world();
    w.state.operation = Some("merge".into());
    w.config = Config::parse(
        "[checks]\nwarn-only = ['repo.operation']\nskip = ['repo.fetch']\n",
        Path::new("r.toml"),
    )
    .unwrap();
    assert!(validate_overrides(&w.config).is_ok());
    let r = report(&w, Strategy::Revert);
    assert_eq!(item(&r, "repo.operation").status, Status::Warn);
    assert!(item(&r, "repo.operation").summary.contains("downgraded"));
    assert_eq!(item(&r, "repo.fetch").status, Status::Skipped);
    assert!(!r.is_blocking());
    let bad = Config::parse("[checks]\nskip = ['repo.nope']\n", Path::new("r.toml")).unwrap();
    assert!(validate_overrides(&bad).unwrap_err().contains("repo.nope"));
}

#[test]
fn config_changes_flag_binary_and_external_files() {
    let mut w = world();
    w.config = Config::parse(
        "[paths]\nexternal-config = ['config/secrets/**']\n",
        Path::new("r.toml"),
    )
    .unwrap();
    let mut logo = file("config/logo.png", Some("\u{0}PNG"));
    logo.change.kind = ChangeKind::Modified;
    w.range.config = vec![logo, file("config/secrets/api.env", Some("KEY=1"))];
    let r = report(&w, Strategy::Revert);
    let c = item(&r, "config.changed");
    assert_eq!(c.status, Status::Warn);
    assert_eq!(c.details[0], "config/logo.png: modified (binary)");
    assert!(c.details[1].contains("[external"));
    assert!(c.hint.as_deref().unwrap().contains("config/secrets/api.env"));
}

fn class(path: &str, text: &str, files: &[&str]) -> Classification {
    let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    classify(path, text, &files).1
}

#[test]
fn migrations_are_classified_per_framework() {
    use Classification::*;
    // sqlx / golang-migrate pairs
    let pair = ["m/0002_a.up.sql", "m/0002_a.down.sql"];
    assert_eq!(class("m/0002_a.up.sql", "CREATE TABLE a();", &pair), Reversible);
    assert_eq!(class("m/0003_b.up.sql", "CREATE INDEX b ON a(x);", &pair), Irreversible);
    assert_eq!(class("m/0002_a.up.sql", "DROP TABLE sessions;", &pair), Destructive);
    assert_eq!(
        class("m/0002_a.up.sql", "-- DROP TABLE x\nCREATE TABLE y();", &pair),
        Reversible,
        "comments don't count"
    );
    assert_eq!(
        class("m/0002_a.up.sql", "alter table u drop column n;", &pair),
        Destructive
    );
    assert_eq!(class("m/0002_a.up.sql", "TRUNCATE audit;", &pair), Destructive);
    // dbmate
    assert_eq!(
        class(
            "db/m/1_a.sql",
            "-- migrate:up\nCREATE TABLE a();\n-- migrate:down\nDROP TABLE a;\n",
            &[]
        ),
        Reversible
    );
    assert_eq!(
        class(
            "db/m/1_a.sql",
            "-- migrate:up\nUPDATE a SET x=1;\n-- migrate:down\n\n",
            &[]
        ),
        Irreversible
    );
    assert_eq!(
        class("db/m/1_a.sql", "-- migrate:up\nUPDATE a SET x=1;\n", &[]),
        Irreversible
    );
    // Flyway
    let fly = ["db/V2__orders.sql", "db/U2__orders.sql"];
    assert_eq!(class("db/V2__orders.sql", "CREATE TABLE o();", &fly), Reversible);
    assert_eq!(class("db/V3__prices.sql", "UPDATE p SET x=1;", &fly), Irreversible);
    assert_eq!(class("db/R__views.sql", "CREATE VIEW v AS SELECT 1;", &fly), Unknown);
    // Rails
    let rb = |body: &str| class("db/migrate/1_x.rb", body, &[]);
    assert_eq!(
        rb("class X < M\n  def change\n    create_table :orders do |t|\n    end\n  end\nend"),
        Reversible
    );
    assert_eq!(
        rb("def up\n  x\nend\ndef down\n  raise ActiveRecord::IrreversibleMigration\nend"),
        Irreversible
    );
    assert_eq!(
        rb("def change\n  execute \"UPDATE orders SET c = 1\"\nend"),
        Irreversible
    );
    assert_eq!(
        rb("def change\n  reversible do |d|\n    d.up { execute \"X\" }\n  end\nend"),
        Reversible
    );
    assert_eq!(rb("def change\n  remove_column :users, :nick\nend"), Irreversible);
    assert_eq!(
        rb("def change\n  remove_column :users, :nick, :string\nend"),
        Destructive
    );
    assert_eq!(rb("def up\n  add_column :a, :b, :int\nend"), Irreversible);
    assert_eq!(
        rb("def up\n  drop_table :a\nend\ndef down\n  create_table :a\nend"),
        Destructive
    );
    assert_eq!(
        rb("def up\n  add_index :a, :b\nend\ndef down\n  drop_table :tmp\nend"),
        Reversible,
        "drops in down don't count"
    );
    // Django
    let py = |body: &str| class("shop/migrations/0003_x.py", body, &[]);
    assert_eq!(
        py("operations = [migrations.CreateModel(name='Order', fields=[])]"),
        Reversible
    );
    assert_eq!(py("operations = [migrations.RunPython(forwards)]"), Irreversible);
    assert_eq!(
        py("operations = [migrations.RunPython(forwards, backwards)]"),
        Reversible
    );
    assert_eq!(
        py("operations = [migrations.RunPython(forwards, reverse_code=migrations.RunPython.noop)]"),
        Reversible
    );
    assert_eq!(
        py("operations = [migrations.RunSQL(\"UPDATE a SET b = 'x, y'\")]"),
        Irreversible
    );
    assert_eq!(
        py("operations = [migrations.RunSQL(\"UPDATE a\", reverse_sql=\"UPDATE b\")]"),
        Reversible
    );
    assert_eq!(
        py("operations = [migrations.RemoveField(model_name='u', name='n')]"),
        Destructive
    );
    // Liquibase
    let xml = |body: &str| {
        class(
            "db/changelog/c.xml",
            &format!("<databaseChangeLog>{body}</databaseChangeLog>"),
            &[],
        )
    };
    assert_eq!(
        xml(
            "<changeSet id=\"1\"><createTable tableName=\"o\"/><rollback><dropTable tableName=\"o\"/></rollback></changeSet>"
        ),
        Reversible
    );
    assert_eq!(
        xml("<changeSet id=\"2\"><sql>UPDATE p SET x=1</sql></changeSet>"),
        Irreversible
    );
    assert_eq!(
        xml("<changeSet id=\"3\"><dropColumn tableName=\"u\" columnName=\"n\"/><rollback/></changeSet>"),
        Destructive
    );
    // Other files
    assert_eq!(class("migrations/0001_init.sql", "CREATE TABLE a();", &[]), Unknown);
    assert_eq!(class("migrations/README.md", "notes", &[]), Unknown);
}

#[test]
fn files_a_partial_clone_cannot_read_are_said_never_passed_silently() {
    let mut w = world();
    w.range.live_migration_files = vec!["migrations/0002_a.up.sql".into()];
    w.range.migrations = vec![file("migrations/0002_a.up.sql", None)];
    let clean = report(&w, Strategy::Branch);
    w.range.missing = vec![crate::model::range::MissingObject {
        object: oid(55),
        path: "migrations/0002_a.up.sql".into(),
        commit: oid(2),
    }];
    let r = report(&w, Strategy::Branch);
    let m = item(&r, "migrations.changed");
    assert!(m.status >= Status::Warn, "{m:?}");
    assert!(m.summary.ends_with("1 file could not be read"), "{m:?}");
    assert!(m.details.iter().any(|d| d.contains(oid(55).as_str())), "{m:?}");
    assert_eq!(
        item(&r, "config.changed").status,
        item(&clean, "config.changed").status,
        "only the item the file belongs to"
    );
}

#[test]
fn files_beside_migrations_are_not_migrations() {
    // Flask-Migrate (Alembic), Prisma, Rails, Django, sqlx and Flyway layouts.
    for path in [
        "migrations/README",
        "migrations/alembic.ini",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/__pycache__/1a2b_add.cpython-312.pyc",
        "prisma/migrations/migration_lock.toml",
        "db/migrate/.keep",
        "app/migrations/.gitkeep",
        "migrations/README.md",
        "db/migrations/NOTES.txt",
    ] {
        assert!(!migrations::is_migration_file(path), "{path}");
    }
    for path in [
        "migrations/versions/1a2b_add_users.py",
        "prisma/migrations/20240101_init/migration.sql",
        "db/migrate/20240101000000_add_users.rb",
        "app/migrations/0002_auto.py",
        "app/migrations/__init__.py",
        "migrations/0001_init.up.sql",
        "src/main/resources/db/migration/V2__add.sql",
        "db/changelog/db.changelog-master.yaml",
        "migrations/20240101_add.js",
    ] {
        assert!(migrations::is_migration_file(path), "{path}");
    }
}
