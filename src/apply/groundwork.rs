//! The directories and files an operation's writes will create, made on another thread while
//! its objects are computed.
//!
//! Creating an inode (a directory, a lock file, a temporary file) is the costliest step of
//! writing: on the benchmark machine about half a millisecond each, a third of `run --strategy
//! revert` (bench/RESULTS-revert.md). The directories of the new refs and their reflogs, the
//! journal's file and the pack's temporary files do not depend on the objects, so they are made
//! once the plan has passed its checks and is being applied, in parallel with the reverts. Only
//! what is left empty if the operation then fails can be made ahead: directories (git ignores
//! empty ones), the empty journal, and temporary files, which are removed when dropped. The lock
//! files and the reflog of the new branch stay in the ref transaction. The temporary pack files
//! a killed run left (older than ten minutes) are removed here too.

use std::path::PathBuf;

use crate::background::Background;
use crate::git::{self, PackFiles, Reader};

/// Starts making the directories of `new_refs` (full names) and their reflogs, the journal,
/// and, with `pack`, the temporary files of a pack; the result is those files, if asked for and
/// made. Nothing here is required: whatever fails is made (or reported) by the write that
/// needs it.
pub fn start(reader: &Reader, new_refs: &[String], pack: bool) -> Background<Option<PackFiles>> {
    let dirs: Vec<PathBuf> = git::ref_dirs(reader, new_refs);
    let git_dir = reader.git_dir().to_path_buf();
    let pack_dir = pack.then(|| git::pack_dir(reader));
    Background::spawn(move || {
        for dir in dirs {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = super::journal::prepare(&git_dir);
        pack_dir.and_then(|dir| {
            git::remove_pack_leftovers(&dir);
            git::pack_files(&dir).ok()
        })
    })
}
