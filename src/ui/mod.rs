//! Talking to the person at the terminal: the sanitiser every repository string passes through
//! before a terminal sees it, and (for the guided flow) prompts. Never decides, never reads Git.

pub mod sanitize;

/// Tells the user they hit a bug (called from the panic hook; the process then exits 101).
pub fn report_bug(detail: &str) {
    eprintln!("error: git-rollback hit a bug (this is a bug, please report it): {detail}");
    eprintln!("hint: nothing is written after a failure; refs are only changed in one final transaction");
}

/// Asks a yes/no question on stderr, default No. `None` when the user pressed Esc.
pub fn confirm(question: &str) -> std::io::Result<Option<bool>> {
    dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_on_opt(&console::Term::stderr())
        .map_err(|dialoguer::Error::IO(e)| e)
}
