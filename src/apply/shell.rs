//! Running a shell command (`sh -c`) for the deployment layer and for drills: stdout and stderr
//! captured together in the order written (the last `OUTPUT_LIMIT` bytes kept), with a
//! timeout, and cancellable. The command runs in a process group of its own (process-wrap),
//! killed whole on a timeout, a cancel (Ctrl-C is forwarded through `cancel`) and after it
//! exits, so nothing it started outlives it.

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

/// How to run a command.
pub struct Options<'a> {
    /// Killed after this long (`Duration::MAX`: never).
    pub timeout: Duration,
    /// Polled while it runs; `true` kills it.
    pub cancel: &'a dyn Fn() -> bool,
    /// Environment variables it must not see.
    pub env_remove: &'a [&'a str],
}

impl<'a> Options<'a> {
    /// Killed after `timeout` or when `cancel()` says so; sees the caller's environment.
    pub fn new(timeout: Duration, cancel: &'a dyn Fn() -> bool) -> Options<'a> {
        Options {
            timeout,
            cancel,
            env_remove: &[],
        }
    }
}

/// How long the output is still read after the command ended (a process that escaped the
/// group may hold the pipe open forever).
const DRAIN: Duration = Duration::from_secs(2);

/// Runs `command` with `sh -c` in `dir`, with extra environment variables.
pub fn run(dir: &Path, command: &str, env: &[(&str, &str)], opts: &Options<'_>) -> Run {
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
    for v in opts.env_remove {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut cmd = process_wrap::std::CommandWrap::from(cmd);
    #[cfg(unix)]
    cmd.wrap(process_wrap::std::ProcessGroup::leader());
    let spawned = cmd.spawn();
    // The write ends must close in this process, or reading never ends.
    drop(cmd);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return not_started(e.to_string()),
    };
    // The reader keeps the end of the output in `kept`, and says when the pipe closed.
    let kept = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), false)));
    let (done, closed) = std::sync::mpsc::channel::<()>();
    let sink = kept.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let mut guard = sink.lock().unwrap_or_else(|p| p.into_inner());
            let (buf, truncated) = &mut *guard;
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > 2 * OUTPUT_LIMIT {
                buf.drain(..buf.len() - OUTPUT_LIMIT);
                *truncated = true;
            }
        }
        let _ = done.send(());
    });
    // Killing the child kills its whole process group (process-wrap's `ProcessGroup`).
    let stop = |child: &mut Box<dyn process_wrap::std::ChildWrapper>| {
        let _ = child.start_kill();
        let _ = child.wait();
    };
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                // Whatever it left running in its group still holds the output open.
                let _ = child.start_kill();
                break Ok(Ended::Exited(status.code()));
            }
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        if (opts.cancel)() {
            stop(&mut child);
            break Ok(Ended::Cancelled);
        }
        if start.elapsed() >= opts.timeout {
            stop(&mut child);
            break Ok(Ended::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let ended = ended.unwrap_or_else(|e| {
        stop(&mut child);
        Ended::NotStarted(e.to_string())
    });
    let _ = closed.recv_timeout(DRAIN);
    let (mut bytes, mut truncated) = std::mem::take(&mut *kept.lock().unwrap_or_else(|p| p.into_inner()));
    if bytes.len() > OUTPUT_LIMIT {
        bytes.drain(..bytes.len() - OUTPUT_LIMIT);
        truncated = true;
    }
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
        let opts = Options {
            timeout: Duration::from_millis(timeout_ms),
            cancel: &|| false,
            env_remove: &["HOME"],
        };
        run(Path::new("."), command, &[("DRILL_X", "x y")], &opts)
    }

    #[test]
    fn captures_both_streams_in_order_and_the_exit_code() {
        let r = sh(
            "echo one; echo two >&2; echo \"$DRILL_X\" \"${HOME:-no home}\"; exit 3",
            10_000,
        );
        assert_eq!(r.ended, Ended::Exited(Some(3)));
        assert_eq!(r.output, "one\ntwo\nx y no home\n");
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
        let r = run(Path::new("."), "sleep 30", &[], &Options::new(Duration::MAX, &|| true));
        assert_eq!(r.ended, Ended::Cancelled);
    }

    #[test]
    fn a_process_that_escapes_the_group_does_not_hold_the_run() {
        if Command::new("setsid").arg("true").status().is_err() {
            return; // no setsid(1) here: nothing can escape the group this way
        }
        let started = Instant::now();
        let r = sh("setsid sleep 5 >/dev/null 2>&1 & sleep 5 & echo started; sleep 30", 300);
        assert_eq!(r.ended, Ended::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        assert_eq!(r.output, "started\n");
        // Output held open by an escaped process: the run ends after the drain time.
        let started = Instant::now();
        let r = sh("setsid sleep 8 & echo out", 10_000);
        assert!(r.succeeded());
        assert_eq!(r.output, "out\n");
        assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    }
}
