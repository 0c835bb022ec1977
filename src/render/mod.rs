//! Everything the user sees: human tables and JSON documents on stdout, status lines,
//! warnings and errors on stderr. Repository text passes through `ui::sanitize` here.

pub mod check;
pub mod demo;
pub mod drill;
pub mod history;
pub mod json;
pub mod markdown;
pub mod outcome;
pub mod releases;
pub mod report;
pub mod show;
pub mod status;
mod style;
mod table;
pub mod undo;
pub mod warnings;
pub mod write;

use std::io::{self, IsTerminal, Write};

pub use style::Styles;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The output channels of one command run.
pub struct Output {
    /// When set, everything is written here instead of stdout/stderr (for in-process tests).
    capture: Option<std::cell::RefCell<String>>,
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub out_styles: Styles,
    pub err_styles: Styles,
    /// Whether stderr (where prompts are) gets colour.
    pub err_color: bool,
}

impl Output {
    pub fn new(color: ColorChoice, json: bool, quiet: bool, verbose: u8) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && !dumb,
        };
        Output {
            capture: None,
            json,
            quiet,
            verbose,
            out_styles: Styles::new(decide(io::stdout().is_terminal()) && !json),
            err_styles: Styles::new(decide(io::stderr().is_terminal())),
            err_color: decide(io::stderr().is_terminal()),
        }
    }

    /// An output that collects everything in memory, uncoloured (see `captured`).
    pub fn capturing() -> Self {
        Output {
            capture: Some(Default::default()),
            ..Output::new(ColorChoice::Never, false, false, 0)
        }
    }

    /// What a capturing output collected so far.
    pub fn captured(&self) -> String {
        self.capture.as_ref().map(|c| c.borrow().clone()).unwrap_or_default()
    }

    fn captures(&self, text: &str) -> bool {
        match &self.capture {
            Some(c) => {
                c.borrow_mut().push_str(text);
                true
            }
            None => false,
        }
    }

    /// Data for stdout (a table, a document). Write errors are returned (broken pipe included).
    pub fn data(&self, text: &str) -> io::Result<()> {
        if self.captures(text) {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// One JSON document on stdout.
    pub fn json_doc<T: serde::Serialize>(&self, doc: &T) -> io::Result<()> {
        let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, doc).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// A status line on stderr (dropped by `-q` and in JSON mode).
    pub fn status(&self, text: &str) {
        if !self.quiet && !self.json && !self.captures(&format!("{text}\n")) {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// A warning on stderr (kept with `-q`; in JSON mode it is part of the document instead).
    pub fn warn(&self, text: &str) {
        if !self.json && !self.captures(&format!("warning: {text}\n")) {
            let s = &self.err_styles;
            let _ = writeln!(
                io::stderr().lock(),
                "{} {}",
                s.warn.apply_to("warning:"),
                crate::ui::sanitize::text(text)
            );
        }
    }

    /// A hint on stderr.
    pub fn hint(&self, text: &str) {
        if !self.json && !self.quiet && !self.captures(&format!("hint: {text}\n")) {
            let s = &self.err_styles;
            let _ = writeln!(
                io::stderr().lock(),
                "{} {}",
                s.hint.apply_to("hint:"),
                crate::ui::sanitize::text(text)
            );
        }
    }

    /// An error, as `error:` / `caused by:` / `hint:` lines, or as a JSON object on stderr.
    pub fn error(&self, report: &ErrorReport) {
        let mut err = io::stderr().lock();
        if self.json {
            let doc = serde_json::json!({ "error": {
                "kind": report.kind, "message": report.message, "causes": report.causes, "hints": report.hints } });
            let _ = writeln!(err, "{doc}");
            return;
        }
        // Errors quote repository text (tags, paths, command output): never raw to a terminal.
        let clean = |t: &str| crate::ui::sanitize::text(t).into_owned();
        let s = &self.err_styles;
        let _ = writeln!(err, "{} {}", s.bad.apply_to("error:"), clean(&report.message));
        for c in &report.causes {
            let _ = writeln!(err, "{} {}", s.dim.apply_to("caused by:"), clean(c));
        }
        for h in &report.hints {
            let _ = writeln!(err, "{} {}", s.hint.apply_to("hint:"), clean(h));
        }
    }
}

/// An error as shown to the user (built by the CLI from its error type).
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub kind: &'static str,
    pub message: String,
    pub causes: Vec<String>,
    pub hints: Vec<String>,
}
