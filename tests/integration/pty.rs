//! The guided rollback in a real pseudo-terminal: real keys in, the screen (through a terminal
//! emulator) out, and the resulting refs and records checked with git.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::*;

const UP: &str = "\x1b[A";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

struct Pty {
    session: expectrl::Session,
    screen: vt100::Parser,
    transcript: String,
}

impl Pty {
    fn spawn(dir: &Path, args: &[&str]) -> Pty {
        let mut cmd = Command::new(BIN);
        hermetic(&mut cmd)
            .args(args)
            .current_dir(dir)
            .env("TERM", "xterm-256color")
            .env("COLUMNS", "80")
            .env("LINES", "24");
        let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        session.get_process_mut().set_window_size(80, 24).expect("window size");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Pty {
            session,
            screen: vt100::Parser::new(24, 80, 0),
            transcript: String::new(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.screen.process(bytes);
        self.transcript.push_str(&String::from_utf8_lossy(bytes));
    }

    /// Waits until `text` was printed; returns the screen as it is then.
    fn wait_for(&mut self, text: &str) -> String {
        match self.session.expect(text) {
            Ok(found) => {
                let (before, matched) = (found.before().to_vec(), found.as_bytes().to_vec());
                self.feed(&before);
                self.feed(&matched);
                self.screen.screen().contents()
            }
            Err(e) => panic!("waiting for {text:?}: {e}\n--- transcript ---\n{}", self.transcript),
        }
    }

    fn keys(&mut self, keys: &str) {
        std::thread::sleep(Duration::from_millis(60)); // let the prompt settle into raw mode
        self.session.send(keys).expect("send keys");
    }

    /// Reads to the end and returns the exit code.
    fn finish(mut self) -> (i32, String) {
        let rest = self
            .session
            .expect(expectrl::Eof)
            .map(|c| c.before().to_vec())
            .unwrap_or_default();
        self.feed(&rest);
        let status = self.session.get_process().wait().expect("wait");
        let code = match status {
            expectrl::WaitStatus::Exited(_, code) => code,
            other => panic!("not exited normally: {other:?}\n{}", self.transcript),
        };
        (code, self.transcript)
    }
}

fn objects(dir: &Path) -> String {
    git(dir, &["count-objects", "-v"])
}

#[test]
fn a_full_revert_rollback_with_the_keyboard() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let mut t = Pty::spawn(&dir, &[]);
    let screen = t.wait_for("Serious incident");
    assert!(screen.contains("production: v1.1.0 is live"), "{screen}");
    assert!(screen.contains("previous stable: v1.0.0"), "{screen}");
    assert!(
        screen.lines().all(|l| !l.starts_with("? git rollback")),
        "prompts do not overwrite the header: {screen}"
    );
    t.keys(ENTER); // running a while (preselected)
    t.wait_for("Roll back to which release?");
    t.keys(ENTER); // previous stable (preselected)
    let screen = t.wait_for("How do you want to roll back?");
    assert!(screen.contains("Recommended: revert"), "{screen}");
    t.keys(ENTER); // the recommendation (preselected)
    let screen = t.wait_for("[merge]");
    assert!(
        screen.contains("Which commits to revert?") && screen.contains("[x]"),
        "{screen}"
    );
    t.keys(ENTER); // all (preselected)
    let screen = t.wait_for("Why are you rolling back?");
    assert!(
        screen.contains("Checklist: nothing blocks a revert rollback"),
        "{screen}"
    );
    assert!(
        screen.contains("Reverting 2 of 2 commits."),
        "a count, not every subject: {screen}"
    );
    t.keys("Search broke checkout\r");
    t.wait_for("Incident id");
    t.keys("INC-42\r");
    let screen = t.wait_for("with the revert strategy?");
    assert!(
        screen.contains("Roll back production from v1.1.0 to v1.0.0"),
        "{screen}"
    );
    t.keys("y");
    t.wait_for("Next time, without prompts");
    let (code, transcript) = t.finish();
    assert_eq!(code, 0, "{transcript}");
    let record = git(&dir, &["tag", "--list", "rollback/*"]).trim().to_owned();
    let trailers = trailers_of(&dir, &record);
    assert!(
        trailers.contains("Rollback-Strategy: revert") && trailers.contains("Rollback-Incident: INC-42"),
        "{trailers}"
    );
    let body = git(
        &dir,
        &[
            "for-each-ref",
            "--format=%(contents:body)",
            &format!("refs/tags/{record}"),
        ],
    );
    assert!(body.contains("Search broke checkout"), "{body}");
    assert!(git(&dir, &["rev-parse", "--verify", "rollback/v1.1.0"]).len() >= 40);
    assert!(git(&dir, &["status", "--porcelain"]).is_empty());
}

#[test]
fn a_deploy_rollback_just_after_a_deploy() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let mut t = Pty::spawn(&dir, &[]);
    t.wait_for("What is the situation?");
    t.keys(UP); // just deployed
    t.keys(ENTER);
    t.wait_for("Roll back to which release?");
    t.keys(ENTER);
    let screen = t.wait_for("How do you want to roll back?");
    assert!(screen.contains("Recommended: deploy"), "{screen}");
    t.keys(ENTER);
    t.wait_for("Why are you rolling back?");
    t.keys("Error rate up after deploy\r");
    t.wait_for("Incident id");
    t.keys(ENTER);
    t.wait_for("with the deploy strategy?");
    t.keys("y");
    let (code, transcript) = t.finish();
    assert_eq!(code, 0, "{transcript}");
    let record = git(&dir, &["tag", "--list", "rollback/*"]).trim().to_owned();
    assert!(trailers_of(&dir, &record).contains("Rollback-Strategy: deploy"));
    assert!(
        git(&dir, &["branch", "--list", "rollback/*"]).is_empty(),
        "a deploy rollback creates no branch"
    );
}

#[test]
fn esc_aborts_and_leaves_the_repository_byte_identical() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let before = (refs(&dir), objects(&dir));
    let mut t = Pty::spawn(&dir, &[]);
    t.wait_for("Serious incident");
    t.keys(ENTER);
    t.wait_for("(previous stable)");
    t.keys(ESC);
    t.wait_for("Aborted; nothing was changed.");
    let (code, transcript) = t.finish();
    assert_eq!(code, 1, "{transcript}");
    assert_eq!((refs(&dir), objects(&dir)), before);
}

#[test]
fn ctrl_c_at_the_confirmation_aborts_without_writing() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let before = (refs(&dir), objects(&dir));
    // Flags answer every question but the confirmation.
    let mut t = Pty::spawn(
        &dir,
        &[
            "--situation",
            "incident",
            "--to",
            "v1.0.0",
            "--strategy",
            "branch",
            "--reason",
            "outage",
            "--incident",
            "INC-1",
        ],
    );
    let screen = t.wait_for("with the branch strategy?");
    assert!(
        !screen.contains("What is the situation?"),
        "flags skip their prompts: {screen}"
    );
    t.keys("\x03");
    t.wait_for("Aborted; nothing was changed.");
    let (code, transcript) = t.finish();
    assert_eq!(code, 1, "{transcript}");
    assert_eq!((refs(&dir), objects(&dir)), before);
}

#[test]
fn declining_the_confirmation_writes_nothing() {
    let tmp = scratch("check-clean");
    let dir = tmp.path().join("repo");
    let before = refs(&dir);
    let mut t = Pty::spawn(
        &dir,
        &[
            "--situation",
            "running",
            "--to",
            "v1.0.0",
            "--strategy",
            "hotfix",
            "--reason",
            "x",
            "--incident",
            "",
        ],
    );
    t.wait_for("with the hotfix strategy?");
    t.keys(ENTER); // default is No
    t.wait_for("Aborted; nothing was changed.");
    let (code, _) = t.finish();
    assert_eq!(code, 1);
    assert_eq!(refs(&dir), before);
}
