//! Failpoints: named places on the write path where a test makes the process die or receive a
//! signal, so that what a crash or a cancelled job leaves behind is tested exactly there
//! instead of by timing.
//!
//! `GIT_ROLLBACK_FAILPOINT=<name>[:<how>]` arms one: when the run reaches `<name>`, it is
//! killed with SIGKILL (`kill`, the default: nothing of the process runs after it) or sent
//! SIGTERM (`term`: the signal handler decides, as for a real one, and the run goes on from
//! there). Unset, a failpoint costs one environment lookup. The names, in the order a write
//! reaches them: `after-objects` (the pack or tag object is written, no ref), `after-journal`
//! (the journal's entry is durable), `in-refs` (inside the ref transaction: every lock file is
//! taken, nothing committed), `after-refs` (the refs are written, the journal not settled).
//!
//! Signals are sent with the system's `kill(1)`: this crate has no `unsafe` and so no
//! `kill(2)` of its own, and a failpoint is reached only in tests.

/// The environment variable that arms a failpoint.
pub const VARIABLE: &str = "GIT_ROLLBACK_FAILPOINT";

/// Every failpoint, in the order a write reaches them.
pub const NAMES: [&str; 4] = ["after-objects", "after-journal", "in-refs", "after-refs"];

/// Reaches failpoint `name`: does what `GIT_ROLLBACK_FAILPOINT` says if it names it.
pub fn hit(name: &str) {
    debug_assert!(NAMES.contains(&name), "unknown failpoint {name}");
    let Some(armed) = std::env::var_os(VARIABLE) else {
        return;
    };
    let armed = armed.to_string_lossy();
    let (point, how) = armed.split_once(':').unwrap_or((&armed, "kill"));
    if point != name {
        return;
    }
    let signal = if how == "term" { "-TERM" } else { "-KILL" };
    let pid = std::process::id().to_string();
    let sent = std::process::Command::new("kill").args([signal, &pid]).status();
    if signal == "-KILL" || sent.is_err() {
        // Wait for the signal to end the process (or, if kill(1) could not run, stop hard).
        if sent.is_ok() {
            std::thread::sleep(std::time::Duration::from_secs(10));
        }
        std::process::abort();
    }
    // SIGTERM: wait until the handler has run, as a real signal would have it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !crate::interrupt::interrupted() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
