//! The hermetic test environment: fixture repositories built once per script hash, the real
//! binary run in them with no global or system git config, and snapshots of what a user sees.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_git-rollback");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// FNV-1a: a stable hash of the fixture scripts (std's hasher may change between releases).
fn fnv(data: &[u8], mut h: u64) -> u64 {
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// An empty directory for HOME, so no user config leaks in.
fn empty_home() -> PathBuf {
    let home = root().join("target/test-home");
    std::fs::create_dir_all(&home).unwrap();
    home
}

/// Applies the hermetic environment to a command (git or the binary).
pub fn hermetic(cmd: &mut Command) -> &mut Command {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CEILING_DIRECTORIES",
        "EMAIL",
        "CI",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", empty_home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@test.example")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@test.example")
        .env("GIT_AUTHOR_DATE", "@1795307400 +0000")
        .env("GIT_COMMITTER_DATE", "@1795307400 +0000")
}

/// The repository built by `fixtures/<name>.sh`, built once per content hash of the script and
/// `lib.sh`, and shared read-only between tests (use `scratch` for tests that write).
pub fn fixture(name: &str) -> PathBuf {
    let dir = root().join("fixtures");
    let script = dir.join(format!("{name}.sh"));
    let text = std::fs::read(&script).unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    let lib = std::fs::read(dir.join("lib.sh")).unwrap();
    let hash = fnv(&lib, fnv(&text, 0xcbf29ce484222325));
    let cache = root().join("target/fixtures");
    let done = cache.join(format!("{name}-{hash:016x}"));
    if done.join("repo").exists() {
        return done.join("repo");
    }
    std::fs::create_dir_all(&cache).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}-"))
        .tempdir_in(&cache)
        .unwrap();
    let out = hermetic(Command::new("bash").arg(&script).arg(tmp.path().join("repo")))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "fixture {name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Publish atomically; if another test process won the race, use theirs.
    let built = tmp.keep();
    if std::fs::rename(&built, &done).is_err() {
        let _ = std::fs::remove_dir_all(&built);
    }
    assert!(done.join("repo").exists(), "fixture {name} was not published");
    done.join("repo")
}

/// A private, writable copy of a fixture.
pub fn scratch(name: &str) -> tempfile::TempDir {
    copy_repo(&fixture(name))
}

/// The repository inside a `scratch` copy.
pub fn repo(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("repo")
}

/// What one run of the binary showed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr together, with the repository path redacted.
    pub fn snapshot(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

/// Runs `git-rollback <args>` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, &[])
}

/// Runs `git-rollback <args>` in `dir` with extra environment variables.
pub fn run_with(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(BIN);
    hermetic(cmd.args(args).current_dir(dir));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    let redact = |b: &[u8]| {
        let text = String::from_utf8_lossy(b).into_owned();
        let dir_text = dir.display().to_string();
        text.replace(&dir_text, "[REPO]")
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: redact(&out.stdout),
        stderr: redact(&out.stderr),
    }
}

/// Runs `git <args>` in `dir` and returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = hermetic(Command::new("git").args(args).current_dir(dir))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// All refs with their ids, for before/after comparisons.
pub fn refs(dir: &Path) -> String {
    git(dir, &["for-each-ref", "--format=%(refname) %(objectname)"])
}

/// `git interpret-trailers --parse` on the message of tag `tag`.
pub fn trailers_of(dir: &Path, tag: &str) -> String {
    use std::io::Write;
    let message = git(
        dir,
        &["for-each-ref", "--format=%(contents)", &format!("refs/tags/{tag}")],
    );
    let mut child = hermetic(Command::new("git").args(["interpret-trailers", "--parse"]))
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

/// A private copy of a repository (e.g. of a scratch fixture, for a loop of runs).
pub fn copy_repo(src: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(src)
            .arg(tmp.path().join("repo"))
            .status()
            .unwrap()
            .success()
    );
    tmp
}

/// Runs `git-rollback <args> --json` in `dir`: exit code, the document on stdout (`null` when
/// it printed none) and stderr.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = args.to_vec();
    all.push("--json");
    let r = run_in(dir, &all);
    let doc = if r.stdout.trim().is_empty() {
        serde_json::Value::Null
    } else {
        r.json()
    };
    (r.code, doc, r.stderr)
}
