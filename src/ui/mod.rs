//! Talking to the person at the terminal: the sanitiser every repository string passes through
//! before a terminal sees it, and (for the guided flow) prompts. Never decides, never reads Git.

pub mod prompter;
pub mod sanitize;

pub use prompter::{Answer, Prompter, Scripted, TermPrompter};

use std::sync::atomic::{AtomicBool, Ordering};

/// Tells the user they hit a bug (called from the panic hook; the process then exits 101).
pub fn report_bug(detail: &str) {
    eprintln!("error: git-rollback hit a bug (this is a bug, please report it): {detail}");
    eprintln!("hint: nothing is written after a failure; refs are only changed in one final transaction");
}

/// Asks a yes/no question on stderr, default No. `None` when the user pressed Esc.
pub fn confirm(question: &str) -> std::io::Result<Option<bool>> {
    TermPrompter::new(console::colors_enabled_stderr()).confirm(question, false)
}

static PROMPTING: AtomicBool = AtomicBool::new(false);
static WRITING: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INSTALL: std::sync::Once = std::sync::Once::new();

fn install() {
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(on_interrupt);
    });
}

fn on_interrupt() {
    let term = console::Term::stderr();
    if PROMPTING.load(Ordering::SeqCst) && !WRITING.load(Ordering::SeqCst) {
        // Nothing has been written before the final confirmation.
        let _ = term.show_cursor();
        let _ = term.write_line("\nAborted; nothing was changed.");
        std::process::exit(1);
    }
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        // A second Ctrl-C: stop now.
        let _ = term.show_cursor();
        let _ = term.write_line("\nInterrupted; check the result with: git rollback status");
        std::process::exit(130);
    }
    // The first: a running command (driver, drill step) is killed, and the operation stops
    // where it can, releasing what it holds.
}

/// While prompting, Ctrl-C means "abort": nothing has been written before the final
/// confirmation, so it says so and exits 1 (the cursor dialoguer hid is shown again).
pub fn abort_on_interrupt() {
    PROMPTING.store(true, Ordering::SeqCst);
    install();
}

/// For commands that run other programs (deploy drivers, drills): Ctrl-C kills the running
/// program (`interrupted` turns true); a second Ctrl-C exits at once.
pub fn stop_on_interrupt() {
    install();
}

/// Whether Ctrl-C was pressed (after `stop_on_interrupt` or `abort_on_interrupt`).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// From now on an interrupt no longer means "nothing was changed".
pub fn writing_started() {
    WRITING.store(true, Ordering::SeqCst);
}
