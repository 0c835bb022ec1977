//! The revert shortcuts against the full computations, on small repositories built with git.

use super::at_once::whole_chain_trivial;
use super::merge::{Merger, Sides, renames_matter, trivial};
use super::revert_chain;
use crate::model::Oid;
use std::path::Path;
use std::process::Command;

/// `git <args>` in `dir` through the project's runner, without the user's configuration and
/// with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> String {
    let env = [
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_AUTHOR_NAME", "T"),
        ("GIT_AUTHOR_EMAIL", "t@example.com"),
        ("GIT_COMMITTER_NAME", "T"),
        ("GIT_COMMITTER_EMAIL", "t@example.com"),
    ];
    crate::git::exec::run(dir, args, &env).unwrap().trim().to_owned()
}

/// A commit on a new branch from `base` (none: an orphan) made by `edit` (shell commands in
/// the work tree); its tree.
fn branch(dir: &Path, name: &str, base: &str, edit: &str) -> gix::ObjectId {
    match base {
        "" => git(dir, &["checkout", "-q", "--orphan", name]),
        _ => git(dir, &["checkout", "-q", "-b", name, base]),
    };
    commit(dir, edit, name);
    git(dir, &["rev-parse", "HEAD^{tree}"]).parse().unwrap()
}

/// A commit on the current branch made by `edit` (shell commands in the work tree); its id.
fn commit(dir: &Path, edit: &str, message: &str) -> Oid {
    let ok = Command::new("sh").args(["-c", edit]).current_dir(dir).status().unwrap();
    assert!(ok.success(), "{edit}");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    Oid::parse(&git(dir, &["rev-parse", "HEAD"])).unwrap()
}

fn steps_of(commits: &[Oid]) -> Vec<crate::model::range::RevertStep> {
    commits
        .iter()
        .map(|c| crate::model::range::RevertStep::first_parent(*c))
        .collect()
}

#[test]
fn a_whole_chain_is_reverted_at_once_only_when_every_revert_is_trivial() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    branch(dir, "main", "", "mkdir d && echo 1 > a && echo 1 > b && echo 1 > d/c");
    let step = |edit: &str, message: &str| commit(dir, edit, message);
    let c1 = step("echo 2 > a && mkdir e && echo 1 > e/new", "c1");
    let c2 = step("echo 2 > b", "c2");
    let c3 = step("rm d/c && echo 3 > a", "c3");
    // After the release: the branch reverts c2 itself and changes an unrelated file.
    git(dir, &["revert", "--no-edit", "HEAD^"]);
    let tip = step("echo x > other", "later");
    let reader = super::super::open_isolated(dir).unwrap();
    let repo = reader.repo.clone().with_object_memory();

    // c3 and c1, skipping c2 (already reverted on the branch): at once, as step by step.
    let at_once = whole_chain_trivial(&repo, &tip, &[c3, c1]).unwrap().expect("trivial");
    let steps = revert_chain(&repo, &tip, &steps_of(&[c3, c1]), None, None, false, None).unwrap();
    assert_eq!(steps.conflict, None);
    assert_eq!(steps.trees, at_once.step_trees(&repo).unwrap());
    assert_eq!(steps.trees.last(), Some(&at_once.tree));
    // All three (c2's revert then finds b already as c2's parent had it: not trivial).
    assert_eq!(whole_chain_trivial(&repo, &tip, &[c3, c2, c1]).unwrap(), None);
    // Commits that are not on one first-parent chain.
    assert_eq!(whole_chain_trivial(&repo, &tip, &[c1, c3]).unwrap(), None);

    // A later change to a file of the range: one revert is not trivial.
    let touched = step("echo 4 > a", "touch a");
    assert_eq!(whole_chain_trivial(&repo, &touched, &[c3, c1]).unwrap(), None);
}

#[test]
fn the_trivial_merge_is_taken_only_when_it_equals_the_full_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    let base = branch(
        dir,
        "base",
        "",
        "echo 1 > a.txt && mkdir d e && echo 1 > d/x && echo 1 > e/z && echo 1 > keep",
    );
    let theirs = branch(
        dir,
        "theirs",
        "base",
        "echo 2 > a.txt && rm e/z && mkdir n && echo 1 > n/new && chmod +x keep",
    );
    let theirs_adds_in_e = branch(dir, "theirs-e", "base", "echo 1 > e/w");
    let untouched = branch(dir, "ours-untouched", "base", "echo 2 > d/x && echo 1 > other");
    let same_file = branch(dir, "ours-same-file", "base", "echo 3 > a.txt");
    let file_over_dir = branch(dir, "ours-file-n", "base", "echo 1 > n");
    let moved_dir = branch(dir, "ours-moved-e", "base", "git mv e f");
    let adds_same = branch(dir, "ours-adds-n-new", "base", "mkdir n && echo 2 > n/new");
    let renamed_a = branch(dir, "ours-renamed-a", "base", "git mv a.txt b.txt");
    let theirs_moves_d = branch(dir, "theirs-moves-d", "base", "git mv d moved");
    let ours_adds_in_d = branch(dir, "ours-adds-in-d", "base", "echo 1 > d/new");

    let reader = super::super::open_isolated(dir).unwrap();
    let repo = reader.repo.clone().with_object_memory();
    let mut merger = Merger::new(&repo).unwrap();
    let labels = || gix::merge::blob::builtin_driver::text::Labels {
        ancestor: None,
        current: None,
        other: None,
    };

    // Nothing theirs changes was touched: the edit, identical to the full merge, with the
    // emptied directory gone and the mode change kept.
    let sides = |ours, theirs| Sides { base, ours, theirs };
    let tree = trivial(&repo, sides(untouched, theirs)).unwrap().expect("trivial");
    assert_eq!(merger.full_merge(sides(untouched, theirs), labels()).unwrap(), Ok(tree));
    let names: Vec<String> = {
        let mut r = gix::traverse::tree::Recorder::default();
        repo.find_tree(tree).unwrap().traverse().breadthfirst(&mut r).unwrap();
        r.records.iter().map(|e| e.filepath.to_string()).collect()
    };
    assert_eq!(names, ["a.txt", "d", "keep", "n", "other", "d/x", "n/new"]);

    // Ours changed a file theirs changes: the full merge decides (here: a conflict).
    assert_eq!(trivial(&repo, sides(same_file, theirs)).unwrap(), None);
    assert!(merger.full_merge(sides(same_file, theirs), labels()).unwrap().is_err());
    // Ours has a file where theirs adds a directory: a directory/file conflict for git.
    assert_eq!(trivial(&repo, sides(file_over_dir, theirs)).unwrap(), None);
    // Ours moved the directory theirs adds a file into: git may follow the move.
    assert_eq!(trivial(&repo, sides(moved_dir, theirs_adds_in_e)).unwrap(), None);
    // Ours is base itself: theirs.
    assert_eq!(trivial(&repo, sides(base, theirs)).unwrap(), Some(theirs));

    // Rename detection can matter only when a side deleted (maybe renamed) a file the other
    // changed, or both add one path.
    // (ours, theirs, whether renames can matter, why); the last two: a directory one side
    // removes whole while the other adds into it is a directory rename for git.
    for (ours, theirs, expected, why) in [
        (untouched, theirs, false, "unrelated changes"),
        (file_over_dir, theirs, false, "n added as a file and as a directory"),
        (renamed_a, theirs, true, "a.txt renamed and changed"),
        (moved_dir, theirs, true, "e/z moved and deleted"),
        (adds_same, theirs, true, "n/new added twice"),
        (moved_dir, theirs_adds_in_e, true, "e moved, e/w added"),
        (ours_adds_in_d, theirs_moves_d, true, "d moved, d/new added"),
    ] {
        assert_eq!(renames_matter(&repo, sides(ours, theirs)).unwrap(), expected, "{why}");
        if !expected {
            // Where renames cannot matter, the merge without rename detection is the same.
            let (with, without) = merger.with_and_without_renames(sides(ours, theirs), labels()).unwrap();
            assert_eq!(with, without, "{why}");
        }
    }
    assert_eq!(trivial(&repo, sides(ours_adds_in_d, theirs_moves_d)).unwrap(), None);
    // Where it matters, the rename-aware merge follows the rename: theirs' change lands in
    // b.txt, and the merge without it would conflict (modify/delete).
    let followed = merger
        .full_merge(sides(renamed_a, theirs), labels())
        .unwrap()
        .expect("clean");
    let b = repo
        .find_tree(followed)
        .unwrap()
        .lookup_entry_by_path("b.txt")
        .unwrap()
        .unwrap();
    assert_eq!(b.object().unwrap().data, b"2\n");
    let mut blind = merger.options.clone();
    blind.rewrites = None;
    assert!(
        merger
            .merge_with(sides(renamed_a, theirs), labels(), blind)
            .unwrap()
            .is_err()
    );
}

/// The tree builder against git: each set of files applied to a tree gives the tree git writes
/// after the same edits to the index (`git rm --cached` of the paths set or removed, then
/// `git update-index --add --cacheinfo` of those set, then `git write-tree`), through a file
/// replacing a directory, a directory replacing a file, a directory emptied, a removal below a
/// file (which finds nothing), new nested directories, and the root emptied. One builder makes
/// them all, as for the steps of a revert, so remembered subtrees are reused along the way.
#[test]
fn the_tree_builder_writes_the_trees_git_writes() {
    use super::super::trees::{Builder, Files};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    let base = branch(
        dir,
        "main",
        "",
        "mkdir -p d/e x && echo 1 > a && echo 1 > d/b && echo 1 > d/e/c && echo 1 > x/only && echo 1 > f",
    );
    let blob = git(dir, &["hash-object", "-w", "--stdin"]);
    let blob: gix::ObjectId = blob.parse().unwrap();
    let file = Some((gix::objs::tree::EntryKind::Blob.into(), blob));
    let exec = Some((gix::objs::tree::EntryKind::BlobExecutable.into(), blob));
    let link = Some((gix::objs::tree::EntryKind::Link.into(), blob));
    let legacy = Some((gix::objs::tree::EntryMode::try_from(0o100664).unwrap(), blob));
    let reader = super::super::open_isolated(dir).unwrap();
    let repo = reader.repo.clone().with_object_memory();
    let mut builder = Builder::new(&repo);
    let cases: Vec<Vec<(&str, super::super::trees::FileEntry)>> = vec![
        vec![("a", file)],
        vec![("a", exec), ("d/e/c", link)],
        vec![("x/only", legacy)],
        vec![("d", file), ("d/b", None), ("d/e/c", None)],
        vec![("a", None), ("a/new", file)],
        vec![("x/only", None)],
        vec![("f/below", None)],
        vec![("n/m/o", file), ("d/e/z", file), ("d/b", None)],
        vec![
            ("a", None),
            ("d/b", None),
            ("d/e/c", None),
            ("x/only", None),
            ("f", None),
        ],
    ];
    for case in cases {
        let set: Files = case.iter().map(|(p, e)| (gix::bstr::BString::from(*p), *e)).collect();
        let ours = builder.with_files(base, &set).unwrap();
        git(dir, &["read-tree", &base.to_string()]);
        let paths: Vec<&str> = case.iter().map(|(p, _)| *p).collect();
        let mut rm = vec!["rm", "-q", "-r", "--cached", "--ignore-unmatch", "--"];
        rm.extend(&paths);
        git(dir, &rm);
        for (path, entry) in &case {
            if let Some((mode, _)) = entry {
                // git writes a legacy 100664 as 100644, as the builder must.
                let mode = match mode.kind() {
                    gix::objs::tree::EntryKind::BlobExecutable => "100755",
                    gix::objs::tree::EntryKind::Link => "120000",
                    _ => "100644",
                };
                let info = format!("{mode},{blob},{path}");
                git(dir, &["update-index", "--add", "--cacheinfo", &info]);
            }
        }
        let theirs = git(dir, &["write-tree"]);
        assert_eq!(ours.to_string(), theirs, "{case:?}");
    }
}
