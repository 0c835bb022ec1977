//! Running a shell command (`sh -c`) for the deployment layer and for drills: stdout and stderr
//! captured together in the order written (the last `OUTPUT_LIMIT` bytes kept), with a
//! timeout, and cancellable. The command runs in its own process group, so a timeout or a
//! cancel kills everything it started, not only the shell.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How much of a command's output is kept (its end).
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code (`None`: killed by a signal it did not get from us).
    Exited(Option<i32>),
    /// It ran past the timeout and was killed.
    TimedOut,
    /// It was cancelled (Ctrl-C) and killed.
    Cancelled,
    /// It could not be started.
    NotStarted(String),
}

/// One command's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: String,
    pub ended: Ended,
    pub duration: Duration,
    /// Stdout and stderr interleaved (lossy UTF-8), at most `OUTPUT_LIMIT` bytes: the end.
    pub output: String,
    /// Whether the start of the output was cut.
    pub truncated: bool,
}

impl Run {
    pub fn succeeded(&self) -> bool {
        self.ended == Ended::Exited(Some(0))
    }

    /// `exit 0`, `exit 3`, `killed by a signal`, `timed out after 30 s`, …
    pub fn status_text(&self, timeout: Duration) -> String {
        match &self.ended {
            Ended::Exited(Some(code)) => format!("exit {code}"),
            Ended::Exited(None) => "killed by a signal".to_owned(),
            Ended::TimedOut => format!("timed out after {} s, killed", timeout.as_secs()),
            Ended::Cancelled => "interrupted, killed".to_owned(),
            Ended::NotStarted(why) => format!("not started: {why}"),
        }
    }
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    // The child leads its own process group (`process_group(0)`): signal the whole group. A
    // group that is already gone is not an error worth reporting.
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

/// Runs `command` with `sh -c` in `dir`, with extra environment variables; kills it after
/// `timeout` or as soon as `cancel()` says so.
pub fn run(dir: &Path, command: &str, env: &[(&str, &str)], timeout: Duration, cancel: &dyn Fn() -> bool) -> Run {
    let start = Instant::now();
    let not_started = |why: String| Run {
        command: command.to_owned(),
        ended: Ended::NotStarted(why),
        duration: start.elapsed(),
        output: String::new(),
        truncated: false,
    };
    let (mut reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return not_started(e.to_string()),
    };
    let writer_err = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return not_started(e.to_string()),
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_err);
    for (k, v) in env {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let spawned = cmd.spawn();
    // The write ends must close in this process, or reading never ends.
    drop(cmd);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return not_started(e.to_string()),
    };
    let collector = std::thread::spawn(move || {
        let (mut kept, mut truncated) = (Vec::new(), false);
        let mut chunk = [0u8; 8192];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            kept.extend_from_slice(&chunk[..n]);
            if kept.len() > 2 * OUTPUT_LIMIT {
                kept.drain(..kept.len() - OUTPUT_LIMIT);
                truncated = true;
            }
        }
        if kept.len() > OUTPUT_LIMIT {
            kept.drain(..kept.len() - OUTPUT_LIMIT);
            truncated = true;
        }
        (kept, truncated)
    });
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ended::Exited(status.code()),
            Ok(None) => {}
            Err(e) => {
                kill_group(child.id());
                let _ = child.wait();
                break Ended::NotStarted(e.to_string());
            }
        }
        if cancel() || start.elapsed() >= timeout {
            kill_group(child.id());
            let _ = child.wait();
            break if cancel() { Ended::Cancelled } else { Ended::TimedOut };
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Whatever the shell left running in the background still holds the output open.
    kill_group(child.id());
    let (bytes, truncated) = collector.join().unwrap_or_default();
    Run {
        command: command.to_owned(),
        ended,
        duration: start.elapsed(),
        output: String::from_utf8_lossy(&bytes).into_owned(),
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(command: &str, timeout_ms: u64) -> Run {
        run(
            Path::new("."),
            command,
            &[("DRILL_X", "x y")],
            Duration::from_millis(timeout_ms),
            &|| false,
        )
    }

    #[test]
    fn captures_both_streams_in_order_and_the_exit_code() {
        let r = sh("echo one; echo two >&2; echo \"$DRILL_X\"; exit 3", 10_000);
        assert_eq!(r.ended, Ended::Exited(Some(3)));
        assert_eq!(r.output, "one\ntwo\nx y\n");
        assert!(!r.succeeded());
        assert!(sh("true", 10_000).succeeded());
    }

    #[test]
    fn a_hanging_command_and_what_it_started_are_killed_at_the_timeout() {
        let r = sh("sleep 30 & sleep 30; echo never", 300);
        assert_eq!(r.ended, Ended::TimedOut);
        assert!(r.duration < Duration::from_secs(10), "{:?}", r.duration);
        assert_eq!(r.output, "");
    }

    #[test]
    fn keeps_the_end_of_long_output() {
        let r = sh("i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done", 30_000);
        assert!(r.truncated);
        assert!(r.output.len() <= OUTPUT_LIMIT);
        assert!(r.output.ends_with("line-19999\n"));
    }

    #[test]
    fn a_cancel_kills_it() {
        let r = run(Path::new("."), "sleep 30", &[], Duration::from_secs(60), &|| true);
        assert_eq!(r.ended, Ended::Cancelled);
    }
}
