//! Whether the run was asked to stop (Ctrl-C, SIGTERM, SIGHUP), what the process does when it
//! is, and the stretches of a write that must not be cut (a ref transaction, the work tree that
//! follows it, the journal line that settles it).
//!
//! The signal handler (installed by the CLI through `ctrlc`, with its `termination` feature so
//! that SIGTERM and SIGHUP count like SIGINT) asks [`on_signal`] what to do:
//!
//! - inside a [`critical`] stretch: finish it (the operation is then whole), however many
//!   signals arrive; the run stops at its next check;
//! - at a prompt before anything was written: abort, nothing changed;
//! - in a command that can stop where it is ([`stoppable`]: it kills its driver or drill step,
//!   releases its lock, removes its scratch copy): note it, and exit at once on a second one;
//! - anywhere else: exit at once (no ref transaction is under way, so no ref was changed).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static STOPPABLE: AtomicBool = AtomicBool::new(false);
static PROMPTING: AtomicBool = AtomicBool::new(false);
static WRITING: AtomicBool = AtomicBool::new(false);
static CRITICAL: AtomicUsize = AtomicUsize::new(0);

/// What the process does on a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Go on: a critical stretch finishes, or the command stops at its next check.
    GoOn { critical: bool },
    /// Exit now with this code; `changed` says whether anything may have been written.
    Exit { code: u8, changed: bool },
}

/// The exit code of a run stopped by a signal before it finished (SIGINT, SIGTERM or SIGHUP):
/// 128 + SIGINT, as shells report an interrupted command.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Records a signal and says what to do about it (called by the signal handler).
pub fn on_signal() -> Then {
    let again = INTERRUPTED.swap(true, Ordering::SeqCst);
    decide(&State {
        again,
        critical: CRITICAL.load(Ordering::SeqCst) > 0,
        prompting: PROMPTING.load(Ordering::SeqCst),
        writing: WRITING.load(Ordering::SeqCst),
        stoppable: STOPPABLE.load(Ordering::SeqCst),
    })
}

/// Where the run is when a signal arrives.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// A signal arrived before.
    again: bool,
    critical: bool,
    prompting: bool,
    writing: bool,
    stoppable: bool,
}

fn decide(s: &State) -> Then {
    if s.critical {
        return Then::GoOn { critical: true };
    }
    if s.prompting && !s.writing {
        return Then::Exit {
            code: 1,
            changed: false,
        };
    }
    if s.stoppable && !s.again {
        return Then::GoOn { critical: false };
    }
    Then::Exit {
        code: EXIT_INTERRUPTED,
        changed: s.writing || s.again,
    }
}

/// Whether a signal arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// This command stops at its own checks (it runs drivers or drill steps, holds a lock or a
/// scratch copy): a first signal only sets [`interrupted`].
pub fn stoppable() {
    STOPPABLE.store(true, Ordering::SeqCst);
}

/// The command is prompting; nothing is written before the final confirmation.
pub fn prompting() {
    PROMPTING.store(true, Ordering::SeqCst);
    STOPPABLE.store(true, Ordering::SeqCst);
}

/// From now on a signal no longer means "nothing was changed".
pub fn writing_started() {
    WRITING.store(true, Ordering::SeqCst);
}

/// A stretch no signal cuts short; it lasts until the guard is dropped (they nest).
#[must_use = "the stretch ends when the guard is dropped"]
pub struct Critical(());

pub fn critical() -> Critical {
    CRITICAL.fetch_add(1, Ordering::SeqCst);
    Critical(())
}

impl Drop for Critical {
    fn drop(&mut self) {
        CRITICAL.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_finishes_a_critical_stretch_aborts_a_prompt_and_otherwise_exits() {
        let exit = |changed| Then::Exit {
            code: EXIT_INTERRUPTED,
            changed,
        };
        // A plain command (a read, or a write before its ref transaction): exit at once.
        assert_eq!(decide(&State::default()), exit(false));
        // Inside a ref transaction: go on, whatever else holds and however many signals came.
        for again in [false, true] {
            for other in [false, true] {
                let s = State {
                    again,
                    critical: true,
                    prompting: other,
                    writing: other,
                    stoppable: other,
                };
                assert_eq!(decide(&s), Then::GoOn { critical: true });
            }
        }
        // A stoppable command: note the first, exit on the second.
        let stoppable = State {
            stoppable: true,
            ..State::default()
        };
        assert_eq!(decide(&stoppable), Then::GoOn { critical: false });
        assert_eq!(
            decide(&State {
                again: true,
                ..stoppable
            }),
            exit(true)
        );
        // At a prompt: abort with 1 until writing starts, then as a stoppable command.
        let prompt = State {
            prompting: true,
            stoppable: true,
            ..State::default()
        };
        assert_eq!(
            decide(&prompt),
            Then::Exit {
                code: 1,
                changed: false
            }
        );
        assert_eq!(
            decide(&State {
                writing: true,
                ..prompt
            }),
            Then::GoOn { critical: false }
        );
    }
}
