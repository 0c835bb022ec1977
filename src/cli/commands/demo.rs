//! `git rollback demo [DIR]`: builds a sandbox repository to try the tool in.

use std::path::PathBuf;

use crate::cli::args::DemoArgs;
use crate::cli::context::Context;
use crate::cli::error::{CommandError, CommandResult, ErrorKind};
use crate::demo::{self, DemoError};
use crate::model::Timestamp;
use crate::render;

pub fn run(ctx: &Context, args: &DemoArgs) -> CommandResult {
    let (dir, created) = match &args.dir {
        Some(d) => (d.clone(), !d.exists()),
        None => {
            let tmp = tempfile::Builder::new().prefix("git-rollback-demo-").tempdir()?;
            (tmp.keep(), true)
        }
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    ctx.out
        .status(&format!("Building a demo repository in {} …", dir.display()));
    match demo::build(&dir, Timestamp::now()) {
        Ok(summary) => {
            if ctx.global.json {
                return Ok(ctx.out.json_doc(&render::demo::doc(&dir, &summary))?);
            }
            ctx.out.data(&render::demo::human(&ctx.out, &dir, &summary))?;
            Ok(())
        }
        Err(e) => {
            cleanup(&dir, created, &e);
            let kind = match e {
                DemoError::NotEmpty(_) => ErrorKind::Input,
                _ => ErrorKind::Repository,
            };
            let hint = "give a new or empty directory: git rollback demo <DIR>";
            Err(CommandError::new(kind, format!("the demo could not be built: {e}")).hint(hint))
        }
    }
}

/// A failed demo leaves nothing behind: the directory is removed if this run created it,
/// else emptied (it was empty before).
fn cleanup(dir: &PathBuf, created: bool, error: &DemoError) {
    if matches!(error, DemoError::NotEmpty(_)) {
        return;
    }
    if created {
        let _ = std::fs::remove_dir_all(dir);
    } else if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}
