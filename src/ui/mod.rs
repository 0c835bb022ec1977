//! Talking to the person at the terminal: the sanitiser every repository string passes through
//! before a terminal sees it, and (for the guided flow) prompts. Never decides, never reads Git.

pub mod prompter;
pub mod sanitize;

pub use prompter::{Answer, Prompter, Scripted, TermPrompter};

/// Tells the user they hit a bug (called from the panic hook; the process then exits 101).
pub fn report_bug(detail: &str) {
    eprintln!("error: git-rollback hit a bug (this is a bug, please report it): {detail}");
    eprintln!("hint: nothing is written after a failure; refs are only changed in one final transaction");
}

/// Asks a yes/no question on stderr, default No. `None` when the user pressed Esc.
pub fn confirm(question: &str) -> std::io::Result<Option<bool>> {
    TermPrompter::new(console::colors_enabled_stderr()).confirm(question, false)
}

/// While prompting, Ctrl-C means "abort": nothing has been written before the final
/// confirmation, so it says so and exits 1 (the cursor dialoguer hid is shown again).
pub fn abort_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let term = console::Term::stderr();
        let _ = term.show_cursor();
        if WRITING.load(std::sync::atomic::Ordering::SeqCst) {
            // Refs change in one transaction: it happened completely or not at all.
            let _ = term.write_line("\nInterrupted while writing; check the result with: git rollback status");
            std::process::exit(130);
        }
        let _ = term.write_line("\nAborted; nothing was changed.");
        std::process::exit(1);
    });
}

static WRITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on an interrupt no longer means "nothing was changed".
pub fn writing_started() {
    WRITING.store(true, std::sync::atomic::Ordering::SeqCst);
}
