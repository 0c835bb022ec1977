//! Talking to the person at the terminal: the sanitiser every repository string passes through
//! before a terminal sees it, and (for the guided flow) prompts. Never decides, never reads Git.

pub mod sanitize;

/// Tells the user they hit a bug (called from the panic hook; the process then exits 101).
pub fn report_bug(detail: &str) {
    eprintln!("error: git-rollback hit a bug (this is a bug, please report it): {detail}");
    eprintln!("hint: nothing is written after a failure; refs are only changed in one final transaction");
}
