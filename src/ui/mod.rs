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

static INSTALL: std::sync::Once = std::sync::Once::new();

/// Installs the handler of Ctrl-C, SIGTERM and SIGHUP for the whole run (`crate::interrupt`
/// says what each one does where the run is).
pub fn handle_interrupts() {
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(on_interrupt);
    });
}

fn on_interrupt() {
    use crate::interrupt::Then;
    let term = console::Term::stderr();
    match crate::interrupt::on_signal() {
        Then::GoOn { critical: true } => {
            let _ = term.write_line("\nInterrupted; finishing the write that has begun (it is all or nothing)");
        }
        // A running command (driver, drill step) is killed, and the operation stops where it
        // can, releasing what it holds.
        Then::GoOn { critical: false } => {}
        Then::Exit { code, changed } => {
            let _ = term.show_cursor();
            let _ = term.write_line(match (code, changed) {
                (1, _) => "\nAborted; nothing was changed.",
                (_, false) => "\nInterrupted; no ref was changed.",
                (_, true) => "\nInterrupted; check the result with: git rollback status",
            });
            std::process::exit(i32::from(code));
        }
    }
}

/// While prompting, a signal means "abort": nothing has been written before the final
/// confirmation, so it says so and exits 1 (the cursor dialoguer hid is shown again).
pub fn abort_on_interrupt() {
    crate::interrupt::prompting();
}

/// For commands that run other programs (deploy drivers, drills) or hold a lock: a signal
/// kills the running program (`interrupted` turns true) and the command stops at its next
/// check; a second one exits at once.
pub fn stop_on_interrupt() {
    crate::interrupt::stoppable();
}

/// Whether Ctrl-C, SIGTERM or SIGHUP arrived.
pub fn interrupted() -> bool {
    crate::interrupt::interrupted()
}

/// From now on an interrupt no longer means "nothing was changed".
pub fn writing_started() {
    crate::interrupt::writing_started();
}
