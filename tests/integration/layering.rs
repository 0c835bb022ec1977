//! The house rules of ARCHITECTURE.md, checked on the source: gix only in src/git, dialoguer
//! only in src/ui, printing only in src/render and src/ui, no I/O in the deciding modules.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn violations(allowed: &[&str], needles: &[&str]) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if allowed.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|needle| code.contains(needle)) {
                found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn gix_is_used_only_in_src_git() {
    assert_eq!(violations(&["src/git/"], &["gix::", "use gix"]), Vec::<String>::new());
}

#[test]
fn clap_is_used_only_in_src_cli() {
    // The core enums do not derive clap's ValueEnum: src/cli/choices.rs mirrors them.
    assert_eq!(violations(&["src/cli/"], &["clap::", "use clap"]), Vec::<String>::new());
}

#[test]
fn the_output_layer_imports_no_executor_or_git_types() {
    // What a write did is plain data in src/model/outcome.rs; render shows that.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src/render"), &mut files);
    let mut found = Vec::new();
    for f in files {
        for (n, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::apply") || code.contains("crate::git") {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn dialoguer_is_used_only_in_src_ui() {
    assert_eq!(violations(&["src/ui/"], &["dialoguer"]), Vec::<String>::new());
}

#[test]
fn printing_happens_only_in_render_and_ui() {
    let allowed = ["src/render/", "src/ui/", "src/main.rs"];
    assert_eq!(
        violations(&allowed, &["println!", "print!(", "eprint!(", "eprintln!", "dbg!("]),
        Vec::<String>::new()
    );
}

#[test]
fn deciding_modules_do_no_io() {
    let deciding = ["src/model/", "src/config/template.rs", "src/ledger/"];
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut others: Vec<String> = Vec::new();
    let mut all = Vec::new();
    sources(&root.join("src"), &mut all);
    for f in all {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if !deciding.iter().any(|d| rel.starts_with(d)) {
            others.push(rel);
        }
    }
    let allowed: Vec<&str> = others.iter().map(String::as_str).collect();
    let io = [
        "std::fs",
        "std::process",
        "std::net",
        "crate::git",
        "std::io::std",
        "crate::render",
        "crate::ui",
    ];
    assert_eq!(violations(&allowed, &io), Vec::<String>::new());
}
