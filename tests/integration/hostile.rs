//! Hostile repository content: escape sequences, invalid UTF-8, NUL bytes, a 10 MB message,
//! duplicate versions, tags pointing at trees and blobs, malformed records.

use crate::common::*;

fn no_terminal_controls(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n') && !text.contains('\u{202e}')
}

#[test]
fn nothing_from_the_repository_reaches_the_terminal_raw() {
    let dir = fixture("hostile");
    for args in [&["releases", "--all", "-v"][..], &["status"][..]] {
        let r = run_in(&dir, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(no_terminal_controls(&r.stdout), "{args:?} stdout: {:?}", r.stdout);
        assert!(no_terminal_controls(&r.stderr), "{args:?} stderr: {:?}", r.stderr);
    }
    let r = run_in(&dir, &["releases", "--all"]);
    assert!(
        r.stdout.contains("\\x1b[31m"),
        "escapes are shown visibly: {}",
        r.stdout
    );
    insta::assert_snapshot!(r.snapshot());
}

#[test]
fn json_carries_the_raw_text_escaped_and_stays_small() {
    let dir = fixture("hostile");
    let r = run_in(&dir, &["releases", "--json", "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.len() < 100_000,
        "the 10 MB message is not copied into the listing: {} bytes",
        r.stdout.len()
    );
    assert!(r.stdout.contains("\\u001b[31m"), "JSON escapes control characters");
    let doc = r.json();
    let warnings: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // (A malformed record older than the live one is not read by `releases`; `history` lists it.)
    for expected in [
        "tagged more than once",
        "points to a tree",
        "points to a blob",
        "format version 2",
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(expected)),
            "{expected} in {warnings:?}"
        );
    }
}

#[test]
fn a_version_tagged_twice_is_named_by_its_tag_and_nothing_is_written() {
    let tmp = scratch("hostile");
    let dir = tmp.path().join("repo");
    let before = git(&dir, &["for-each-ref"]);
    // `1.3.0` and `v1.3.0` are both tags (found by name); a version that is neither name but
    // has their precedence (build metadata does not count) matches both.
    let r = run_in(&dir, &["deployed", "1.3.0+any", "--env", "production"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("version 1.3.0+any is tagged more than once"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("name the tag: 1.3.0 or v1.3.0"), "{}", r.stderr);
    assert_eq!(git(&dir, &["for-each-ref"]), before);
    // By its tag it is found.
    let r = run_in(&dir, &["deployed", "v1.3.0", "--env", "production", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
