//! The built-in release-directory driver for a single host:
//!
//! ```text
//! <root>/releases/<tag>/   the exported tree of a release (no .git), with a completion marker
//! <root>/current  -> releases/<tag>    the live release
//! <root>/previous -> releases/<tag>    the release live before it
//! ```
//!
//! A release is exported into a temporary directory and renamed into place when complete, so a
//! release directory is either whole or absent. `current` is switched by renaming a new link
//! over the old one, so it always exists and always points at a whole release.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::shell;
use crate::git::Reader;
use crate::git::export::ExportError;
use crate::model::{Oid, TagName};

/// The file inside a release directory that says it is a complete export, of which commit.
pub const MARKER: &str = ".git-rollback-release";

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(
        "`{path}` is not a symbolic link: the release-directory driver only switches a `current` link (move the directory away, or deploy it once by hand as a link)"
    )]
    CurrentNotALink { path: PathBuf },
    #[error("`{path}` exists but is not a complete export of {tag} ({commit}); remove it and deploy again")]
    Incomplete { path: PathBuf, tag: TagName, commit: Oid },
    #[error("cannot export {tag}: {source}")]
    Export { tag: TagName, source: ExportError },
    #[error("the check command failed in {path} ({status}): {command}")]
    Check {
        path: PathBuf,
        command: String,
        status: String,
        output: String,
    },
    #[error("cannot {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> DriverError + 'a {
    move |source| DriverError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// The directory name of a release (a tag may contain `/`).
pub fn dir_name(tag: &TagName) -> String {
    tag.as_str().replace('%', "%25").replace('/', "%2F")
}

/// What a switch did, for the record and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switched {
    pub tag: TagName,
    pub previous: Option<String>,
    /// The release had to be exported (it was not on disk).
    pub exported: bool,
    pub pruned: Vec<String>,
    pub check: Option<shell::Run>,
    /// What went wrong after `current` was switched (the switch stands).
    pub warnings: Vec<String>,
}

impl Switched {
    /// One line for the record's trailer.
    pub fn summary(&self, root: &Path) -> String {
        let mut s = format!("current -> releases/{} in {}", dir_name(&self.tag), root.display());
        if self.exported {
            s.push_str(" (exported)");
        }
        s
    }
}

/// A release-directory root.
pub struct Releases {
    root: PathBuf,
}

impl Releases {
    pub fn new(root: &Path) -> Releases {
        Releases {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn releases(&self) -> PathBuf {
        self.root.join("releases")
    }

    fn link(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The directory name `name` (`current`, `previous`) points at, if it is a link.
    pub fn pointed(&self, name: &str) -> Result<Option<String>, DriverError> {
        let path = self.link(name);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read", &path)(e)),
            Ok(m) if !m.file_type().is_symlink() => Err(DriverError::CurrentNotALink { path }),
            Ok(_) => {
                let target = std::fs::read_link(&path).map_err(io("read", &path))?;
                Ok(target.file_name().map(|n| n.to_string_lossy().into_owned()))
            }
        }
    }

    /// Whether `releases/<tag>` is a complete export of `commit`.
    fn complete(&self, tag: &TagName, commit: &Oid) -> Result<bool, DriverError> {
        let dir = self.releases().join(dir_name(tag));
        if !dir.exists() {
            return Ok(false);
        }
        let marker = std::fs::read_to_string(dir.join(MARKER)).unwrap_or_default();
        if marker.lines().nth(1) == Some(commit.as_str()) {
            Ok(true)
        } else {
            Err(DriverError::Incomplete {
                path: dir,
                tag: tag.clone(),
                commit: *commit,
            })
        }
    }

    /// Exports the release unless a complete export is there; returns whether it exported.
    pub fn ensure(&self, reader: &Reader, tag: &TagName, commit: &Oid) -> Result<bool, DriverError> {
        let releases = self.releases();
        std::fs::create_dir_all(&releases).map_err(io("create", &releases))?;
        if self.complete(tag, commit)? {
            return Ok(false);
        }
        let tmp = releases.join(format!(".tmp-{}-{}", dir_name(tag), std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io("remove", &tmp))?;
        }
        std::fs::create_dir(&tmp).map_err(io("create", &tmp))?;
        let exported = reader.export_tree(commit, &tmp, MARKER).and_then(|_| {
            // Written last, and never through a link (the tree cannot hold this name).
            let marker = tmp.join(MARKER);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&marker)
                .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{tag}\n{commit}\n").as_bytes()))
                .map_err(|source| ExportError::Io { path: marker, source })
        });
        if let Err(source) = exported {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(DriverError::Export {
                tag: tag.clone(),
                source,
            });
        }
        let dir = releases.join(dir_name(tag));
        std::fs::rename(&tmp, &dir).map_err(io("move into place", &dir))?;
        Ok(true)
    }

    /// Runs the release's check command inside its directory.
    pub fn check(
        &self,
        tag: &TagName,
        command: &str,
        timeout: Duration,
        cancel: &dyn Fn() -> bool,
    ) -> Result<shell::Run, DriverError> {
        let dir = self.releases().join(dir_name(tag));
        let opts = shell::Options::new(timeout, cancel);
        let run = shell::run(&dir, command, &[("GIT_ROLLBACK_RELEASE", tag.as_str())], &opts);
        if run.succeeded() {
            Ok(run)
        } else {
            Err(DriverError::Check {
                path: dir,
                command: command.to_owned(),
                status: run.status_text(timeout),
                output: run.output,
            })
        }
    }

    /// Points `name` at `releases/<dir>` by renaming a new link over it: it never disappears.
    fn point(&self, name: &str, dir: &str) -> Result<(), DriverError> {
        let link = self.link(name);
        let tmp = self.link(&format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let target = Path::new("releases").join(dir);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, &tmp).map_err(io("create", &tmp))?;
        #[cfg(not(unix))]
        return Err(io("create", &tmp)(std::io::Error::other(
            "symbolic links need a Unix system",
        )));
        std::fs::rename(&tmp, &link).map_err(io("switch", &link))
    }

    /// Switches `current` to `releases/<tag>` (which must be complete), keeping what was
    /// live as `previous` (a failure there is returned as a warning: the switch stands).
    pub fn switch(&self, tag: &TagName, commit: &Oid) -> Result<(Option<String>, Option<String>), DriverError> {
        if !self.complete(tag, commit)? {
            return Err(DriverError::Incomplete {
                path: self.releases().join(dir_name(tag)),
                tag: tag.clone(),
                commit: *commit,
            });
        }
        let old = self.pointed("current")?;
        let new = dir_name(tag);
        self.point("current", &new)?;
        // The marker's time says when the release was last made live (for pruning).
        let marker = self.releases().join(&new).join(MARKER);
        if let Ok(f) = std::fs::OpenOptions::new().append(true).open(&marker) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        let mut warning = None;
        if let Some(old) = &old
            && old != &new
            && let Err(e) = self.point("previous", old)
        {
            warning = Some(format!("`current` was switched, but `previous` was not updated: {e}"));
        }
        Ok((old, warning))
    }

    /// Removes release directories (only complete exports, with a marker) beyond the `keep`
    /// most recently live, never the ones `current` and `previous` point at.
    pub fn prune(&self, keep: usize) -> Result<Vec<String>, DriverError> {
        let releases = self.releases();
        let protect: Vec<String> = ["current", "previous"]
            .iter()
            .filter_map(|l| self.pointed(l).ok().flatten())
            .collect();
        let mut dirs: Vec<(std::time::SystemTime, String)> = Vec::new();
        for e in std::fs::read_dir(&releases).map_err(io("read", &releases))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            // Only directories this driver made: a marker (a file, not a link) inside.
            let Ok(marker) = std::fs::symlink_metadata(e.path().join(MARKER)) else {
                continue;
            };
            if !marker.is_file() {
                continue;
            }
            dirs.push((marker.modified().unwrap_or(std::time::UNIX_EPOCH), name));
        }
        dirs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut pruned = Vec::new();
        for (_, name) in dirs.into_iter().skip(keep) {
            if protect.contains(&name) {
                continue;
            }
            let path = releases.join(&name);
            // Out of the way first (one rename), then removed.
            let trash = releases.join(format!(".trash-{name}-{}", std::process::id()));
            std::fs::rename(&path, &trash).map_err(io("move away", &path))?;
            std::fs::remove_dir_all(&trash).map_err(io("remove", &trash))?;
            pruned.push(name);
        }
        Ok(pruned)
    }

    /// Deploys (or rolls back to) a release: export if needed, check, switch, prune.
    #[allow(clippy::too_many_arguments)]
    pub fn deploy(
        &self,
        reader: &Reader,
        tag: &TagName,
        commit: &Oid,
        check: Option<&str>,
        keep: usize,
        timeout: Duration,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Switched, DriverError> {
        // Refuse a `current` or `previous` that is not a link before writing anything.
        self.pointed("current")?;
        self.pointed("previous")?;
        let exported = self.ensure(reader, tag, commit)?;
        let check = check.map(|c| self.check(tag, c, timeout, cancel)).transpose()?;
        let (previous, warning) = self.switch(tag, commit)?;
        let mut warnings: Vec<String> = warning.into_iter().collect();
        // Pruning after the switch: a failure is reported, the switch stands.
        let pruned = self.prune(keep).unwrap_or_else(|e| {
            warnings.push(format!("`current` was switched, but pruning old releases failed: {e}"));
            Vec::new()
        });
        Ok(Switched {
            tag: tag.clone(),
            previous,
            exported,
            pruned,
            check,
            warnings,
        })
    }
}
