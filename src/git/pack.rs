//! Writing many new objects as one pack instead of one loose file each.
//!
//! A range revert creates a commit and a few trees per reverted commit, and the record's tag.
//! Written loose, each is a file (and often a fan-out directory) of its own, and creating
//! those inodes was half of the time of `run --strategy revert` (bench/RESULTS-revert.md).
//! Here the objects are encoded by gix's pack writer (each compressed with zlib at git's level:
//! `pack.compression`, else `core.compression`, else zlib's default; no deltas: `git gc`
//! deltifies most trees), the index is made by gix's index writer from that stream, and each is
//! written to a temporary file in `objects/pack/` (made ahead by `apply::groundwork`), fsynced,
//! and renamed into place: the `.pack`
//! first, then the `.idx`; then the directory is fsynced. Git finds a pack only through its
//! index, so a process killed on the way leaves nothing git reads, though it can leave a
//! temporary file or a `.pack` without its `.idx` behind (`git count-objects -v` counts them as
//! garbage; `git fsck` stays clean). No ref points at these objects until the ref transaction
//! that follows.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use super::GitError;

/// One object to write: its id, kind and content.
pub(super) type Object<'a> = (gix::ObjectId, gix::objs::Kind, &'a [u8]);

/// The compression level git uses for pack entries: `pack.compression`, else
/// `core.compression`, else zlib's default (git's -1).
fn compression(repo: &gix::Repository) -> gix::zlib::Compression {
    let config = repo.config_snapshot();
    ["pack.compression", "core.compression"]
        .into_iter()
        .find_map(|key| config.integer(key))
        .and_then(|level| i32::try_from(level).ok())
        .filter(|level| *level != -1)
        .and_then(gix::zlib::Compression::new)
        .unwrap_or(gix::zlib::Compression::DEFAULT)
}

/// `objects` as a version-2 pack stream, by gix's encoder. Each entry is compressed by one
/// zlib compressor, reset between entries: a new compressor for each (gix's
/// `output::Entry::from_data`) allocates and clears its tables every time, which cost about
/// 2 ms for the 60 objects of a 20-commit revert.
fn encode(objects: &[Object<'_>], hash: gix::hash::Kind, level: gix::zlib::Compression) -> Result<Vec<u8>, GitError> {
    use gix_pack::data::output;
    let mut compressor = gix::zlib::stream::deflate::Compress::new(level);
    let entries = objects
        .iter()
        .map(|(id, kind, data)| {
            Ok(output::Entry {
                id: *id,
                kind: output::entry::Kind::Base(*kind),
                decompressed_size: data.len(),
                compressed_data: deflate(&mut compressor, data)?,
            })
        })
        .collect::<Result<Vec<_>, GitError>>()?;
    let count = u32::try_from(entries.len()).map_err(|e| GitError::other("counting the pack's objects", e))?;
    let mut stream = Vec::new();
    let mut writer = output::bytes::FromEntriesIter::new(
        std::iter::once(Ok(entries)),
        &mut stream,
        count,
        gix_pack::data::Version::V2,
        hash,
    );
    for written in &mut writer {
        written.map_err(|e| GitError::other("encoding the pack", e))?;
    }
    drop(writer);
    Ok(stream)
}

/// `data` as one zlib stream.
fn deflate(compressor: &mut gix::zlib::stream::deflate::Compress, data: &[u8]) -> Result<Vec<u8>, GitError> {
    use gix::zlib::Status;
    use gix::zlib::stream::deflate::FlushCompress;
    compressor.reset();
    let (start_in, start_out) = (compressor.total_in(), compressor.total_out());
    // zlib's compressBound, and more if it is ever short.
    let mut out = vec![0u8; data.len() + (data.len() >> 12) + (data.len() >> 14) + 64];
    loop {
        let consumed = (compressor.total_in() - start_in) as usize;
        let written = (compressor.total_out() - start_out) as usize;
        let status = compressor
            .compress(&data[consumed..], &mut out[written..], FlushCompress::Finish)
            .map_err(|e| GitError::other("compressing an object", e))?;
        let written = (compressor.total_out() - start_out) as usize;
        match status {
            Status::StreamEnd => {
                out.truncate(written);
                return Ok(out);
            }
            Status::Ok | Status::BufError => out.resize(out.len() * 2, 0),
        }
    }
}

/// The version-2 index of `pack`, by gix's index writer; and the pack's checksum.
fn index(pack: &[u8], hash: gix::hash::Kind) -> Result<(Vec<u8>, gix::ObjectId), GitError> {
    use gix_pack::data::input;
    let bad = |e| GitError::other("indexing the pack", e);
    let mut entries = input::BytesToEntriesIter::new_from_header(
        std::io::BufReader::new(pack),
        input::Mode::Verify,
        input::EntryDataMode::Crc32,
        hash,
    )
    .map_err(bad)?;
    let mut idx = Vec::new();
    let outcome = gix_pack::index::write_data_iter_to_stream(
        gix_pack::index::Version::V2,
        || Ok((entry_bytes, pack)),
        &mut entries,
        Some(1),
        &mut gix::progress::Discard,
        &mut idx,
        &AtomicBool::new(false),
        hash,
        None,
        gix_pack::data::Version::V2,
    )
    .map_err(bad)?;
    Ok((idx, outcome.data_hash))
}

/// The bytes of one entry of the pack being indexed.
fn entry_bytes<'r>(range: gix_pack::data::EntryRange, pack: &'r &[u8]) -> Option<&'r [u8]> {
    pack.get(range.start as usize..range.end as usize)
}

/// The two temporary files a pack and its index are written to before they are renamed into
/// place; removed if dropped. Made ahead of the pack (`apply::groundwork`), or when writing it.
pub struct PackFiles {
    pack: tempfile::NamedTempFile,
    idx: tempfile::NamedTempFile,
}

/// Where packs go: `objects/pack` of the repository's object database.
pub fn pack_dir(reader: &super::Reader) -> std::path::PathBuf {
    objects_pack(&reader.repo)
}

fn objects_pack(repo: &gix::Repository) -> std::path::PathBuf {
    repo.objects.store_ref().path().join("pack")
}

/// The temporary files of this tool's packs: git's `tmp_pack_` (which `git gc` and `git
/// count-objects` know), and a name of our own, so that ours, and only ours, are cleaned up.
const TMP_PREFIX: &str = "tmp_pack_git-rollback_";

/// How old a temporary pack file of ours must be to count as the leftover of a killed run (a
/// run's pack lives for milliseconds; a concurrent run's is young).
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temporary pack files a killed run of this tool left in `dir`; returns how many.
pub fn remove_leftovers(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > LEFTOVER_AGE));
        if old
            && entry.file_name().to_string_lossy().starts_with(TMP_PREFIX)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Makes the temporary files of a pack in `dir` (created if missing), read-only as git makes
/// pack files (0444, less what the umask takes; the open handles still write).
pub fn pack_files(dir: &std::path::Path) -> std::io::Result<PackFiles> {
    std::fs::create_dir_all(dir)?;
    let file = || {
        let mut builder = tempfile::Builder::new();
        builder.prefix(TMP_PREFIX);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o444));
        builder.tempfile_in(dir)
    };
    Ok(PackFiles {
        pack: file()?,
        idx: file()?,
    })
}

/// Writes `data` to the temporary file `tmp` in `dir`, makes it durable, and renames it to
/// `name`.
fn put(dir: &std::path::Path, mut tmp: tempfile::NamedTempFile, name: &str, data: &[u8]) -> Result<(), GitError> {
    let err = |e: std::io::Error| GitError::other("writing the pack", e);
    tmp.write_all(data).map_err(err)?;
    #[cfg(not(unix))]
    {
        let mut permissions = tmp.as_file().metadata().map_err(err)?.permissions();
        permissions.set_readonly(true);
        tmp.as_file().set_permissions(permissions).map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(dir.join(name)).map_err(|e| err(e.error))?;
    Ok(())
}

/// Makes the renames in `dir` durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &std::path::Path) -> Result<(), GitError> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| GitError::other("writing the pack", e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// New objects held in memory (a repository handle with an object memory), to be written as
/// one pack by [`write_reachable`].
pub struct NewObjects(pub(super) gix::Repository);

/// Writes the objects of `new` that `roots` reach (through commits' trees and parents, and
/// trees' entries, as far as they are new) as one pack. Scratch trees a preview or a merge left
/// in memory are not written, nor objects the repository already has (a revert of the newest
/// commits rebuilds trees that history holds), nor what only those lead to.
pub(super) fn write_reachable(
    repo: &gix::Repository,
    mut new: NewObjects,
    roots: &[gix::ObjectId],
    files: Option<PackFiles>,
) -> Result<(), GitError> {
    let stored = new.0.objects.take_object_memory().unwrap_or_default();
    let hash = repo.object_hash();
    let (mut seen, mut todo, mut objects) = (std::collections::HashSet::new(), roots.to_vec(), Vec::new());
    while let Some(id) = todo.pop() {
        let Some((kind, data)) = stored.get(&id) else { continue };
        if !seen.insert(id) || repo.objects.exists_without_refresh(&id) {
            continue;
        }
        objects.push((id, *kind, data.as_slice()));
        let bad = |e| GitError::other("reading a new object", e);
        match kind {
            gix::objs::Kind::Commit => {
                let commit = gix::objs::CommitRef::from_bytes(data, hash).map_err(bad)?;
                todo.push(commit.tree());
                todo.extend(commit.parents());
            }
            gix::objs::Kind::Tree => {
                for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
                    todo.push(entry.map_err(bad)?.oid.to_owned());
                }
            }
            gix::objs::Kind::Tag => {
                todo.push(gix::objs::TagRef::from_bytes(data, hash).map_err(bad)?.target());
            }
            gix::objs::Kind::Blob => {}
        }
    }
    write(repo, &objects, files)
}

/// Writes `objects` (each id once) into the repository as one pack with its index. Nothing is
/// written for an empty list.
fn write(repo: &gix::Repository, objects: &[Object<'_>], files: Option<PackFiles>) -> Result<(), GitError> {
    if objects.is_empty() {
        return Ok(());
    }
    let hash = repo.object_hash();
    let pack = encode(objects, hash, compression(repo))?;
    let (idx, checksum) = index(&pack, hash)?;
    let directory = objects_pack(repo);
    let files = match files {
        Some(files) => files,
        None => pack_files(&directory).map_err(|e| GitError::other("creating the pack's files", e))?,
    };
    let name = format!("pack-{checksum}");
    put(&directory, files.pack, &format!("{name}.pack"), &pack)?;
    if let Err(e) = put(&directory, files.idx, &format!("{name}.idx"), &idx) {
        // Without its index the pack is garbage to git: remove it rather than leave it.
        if !directory.join(format!("{name}.idx")).exists() {
            let _ = std::fs::remove_file(directory.join(format!("{name}.pack")));
        }
        return Err(e);
    }
    sync_dir(&directory)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pack and index gix writes hold every object, compressed, and the index's checksum
    /// names the pack: read back through a fresh handle, and `git verify-pack` accepts them.
    #[test]
    fn a_written_pack_holds_its_objects_compressed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let ok = std::process::Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(ok.success());
        let repo = gix::open(dir).unwrap();
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {}\n", i % 7).into_bytes())
            .collect();
        let blob = gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, &text).unwrap();
        let empty = gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, b"").unwrap();
        write(
            &repo,
            &[
                (blob, gix::objs::Kind::Blob, &text),
                (empty, gix::objs::Kind::Blob, b""),
            ],
            None,
        )
        .unwrap();
        let fresh = gix::open(dir).unwrap();
        assert_eq!(fresh.find_object(blob).unwrap().data, text);
        assert!(fresh.find_object(empty).unwrap().data.is_empty());
        let pack_dir = dir.join("objects/pack");
        let idx = std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        let pack = idx.with_extension("pack");
        assert!(
            std::fs::metadata(&pack).unwrap().len() < text.len() as u64 / 10,
            "compressed"
        );
        let out = std::process::Command::new("git")
            .args(["verify-pack", "-v"])
            .arg(&idx)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listing = String::from_utf8_lossy(&out.stdout);
        let line = listing.lines().find(|l| l.starts_with(&blob.to_string())).unwrap();
        // <id> blob <size> <size in pack> <offset>
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (size, packed): (u64, u64) = (fields[2].parse().unwrap(), fields[3].parse().unwrap());
        assert_eq!(size, text.len() as u64);
        assert!(packed < size / 10, "{line}");
        assert!(
            !std::fs::read_dir(&pack_dir).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("tmp_")),
            "no temporary file is left"
        );
    }
}
