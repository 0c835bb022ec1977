//! Writing many new objects as one pack instead of one loose file each.
//!
//! A range revert creates a commit and a few trees per reverted commit, and the record's tag.
//! Written loose, each is a file (and often a fan-out directory) of its own, and creating
//! those inodes was half of the time of `run --strategy revert` (bench/RESULTS-revert.md).
//! Here the objects are encoded in memory as a version-2 pack, without deltas or compression
//! (`git gc` deltifies most trees; commits and tags it copies as they are), with its version-2
//! index, and each is written to a temporary file in `objects/pack/` and renamed into place:
//! the `.pack` first, then the `.idx`. Git finds a pack only through its index, so a process
//! killed on the way leaves nothing git reads, though it can leave a temporary file or a
//! `.pack` without its `.idx` behind (`git count-objects -v` counts them as garbage; `git
//! fsck` stays clean). No ref points at these objects until the ref transaction that follows.

use std::io::Write;

use super::GitError;

/// One object to write: its id, kind and content.
pub(super) type Object<'a> = (gix::ObjectId, gix::objs::Kind, &'a [u8]);

/// A pack stream and what its index needs: each object's id, offset and the CRC-32 of its
/// entry (header and compressed data).
struct Encoded {
    pack: Vec<u8>,
    entries: Vec<(gix::ObjectId, u64, u32)>,
    checksum: gix::ObjectId,
}

/// Encodes `objects` as a version-2 pack stream.
fn encode(objects: &[Object<'_>], hash: gix::hash::Kind) -> Result<Encoded, GitError> {
    let mut out = Vec::with_capacity(32 + objects.iter().map(|(_, _, d)| d.len() + 32).sum::<usize>());
    out.extend_from_slice(b"PACK");
    out.extend_from_slice(&2u32.to_be_bytes());
    let count = u32::try_from(objects.len()).map_err(|e| GitError::other("counting the pack's objects", e))?;
    out.extend_from_slice(&count.to_be_bytes());
    let mut entries = Vec::with_capacity(objects.len());
    for (id, kind, data) in objects {
        let offset = out.len();
        let code: u8 = match kind {
            gix::objs::Kind::Commit => 1,
            gix::objs::Kind::Tree => 2,
            gix::objs::Kind::Blob => 3,
            gix::objs::Kind::Tag => 4,
        };
        // Type and size: the low four bits of the size first, then seven bits a byte.
        let mut size = data.len() as u64;
        let mut byte = (code << 4) | (size & 0x0f) as u8;
        size >>= 4;
        while size != 0 {
            out.push(byte | 0x80);
            byte = (size & 0x7f) as u8;
            size >>= 7;
        }
        out.push(byte);
        zlib_stored(data, &mut out);
        entries.push((*id, offset as u64, crc32fast::hash(&out[offset..])));
    }
    let checksum = sha(hash, &out)?;
    out.extend_from_slice(checksum.as_slice());
    Ok(Encoded {
        pack: out,
        entries,
        checksum,
    })
}

fn sha(hash: gix::hash::Kind, data: &[u8]) -> Result<gix::ObjectId, GitError> {
    let mut hasher = gix::hash::hasher(hash);
    hasher.update(data);
    hasher
        .try_finalize()
        .map_err(|e| GitError::other("hashing the pack", e))
}

/// Appends `data` to `out` as one zlib stream of stored (uncompressed) blocks. Compressing
/// saved a few kilobytes of a pack that gc rewrites anyway, and cost a millisecond per run:
/// the compressor clears its tables for every object.
fn zlib_stored(data: &[u8], out: &mut Vec<u8>) {
    // Header: deflate with a 32 KiB window, no dictionary, fastest (0x78 0x01: a multiple of 31).
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(0xffff).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        // BFINAL on the last block, BTYPE 00 (stored), then LEN and its complement.
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
}

/// The Adler-32 checksum zlib ends a stream with.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow `b` before the modulo.
    for chunk in data.chunks(5552) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// The version-2 index of `pack` (git's `pack-format.txt`): the fan-out table, the sorted ids,
/// their CRC-32s and offsets (offsets of 2 GiB and more in a table of their own), the pack's
/// checksum and the index's own. Sorts the pack's entries by id.
fn index(pack: &mut Encoded, hash: gix::hash::Kind) -> Result<Vec<u8>, GitError> {
    pack.entries.sort_by_key(|a| a.0);
    let entries = &pack.entries;
    let mut out = Vec::with_capacity(8 + 256 * 4 + entries.len() * (hash.len_in_bytes() + 8) + 2 * hash.len_in_bytes());
    out.extend_from_slice(b"\xfftOc");
    out.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for (id, _, _) in entries {
        fanout[id.as_slice()[0] as usize] += 1;
    }
    let mut total = 0u32;
    for n in fanout {
        total += n;
        out.extend_from_slice(&total.to_be_bytes());
    }
    for (id, _, _) in entries {
        out.extend_from_slice(id.as_slice());
    }
    for (_, _, crc) in entries {
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for (_, offset, _) in entries {
        let small = match u32::try_from(*offset) {
            Ok(o) if o < 0x8000_0000 => o,
            _ => {
                large.push(*offset);
                0x8000_0000 | (large.len() as u32 - 1)
            }
        };
        out.extend_from_slice(&small.to_be_bytes());
    }
    for offset in large {
        out.extend_from_slice(&offset.to_be_bytes());
    }
    out.extend_from_slice(pack.checksum.as_slice());
    let own = sha(hash, &out)?;
    out.extend_from_slice(own.as_slice());
    Ok(out)
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

/// Makes the temporary files of a pack in `dir` (created if missing), read-only as git makes
/// pack files (0444, less what the umask takes; the open handles still write).
pub fn pack_files(dir: &std::path::Path) -> std::io::Result<PackFiles> {
    std::fs::create_dir_all(dir)?;
    let file = || {
        let mut builder = tempfile::Builder::new();
        builder.prefix("tmp_pack_");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o444));
        builder.tempfile_in(dir)
    };
    Ok(PackFiles {
        pack: file()?,
        idx: file()?,
    })
}

/// Writes `data` to the temporary file `tmp` in `dir` and renames it to `name`.
fn put(dir: &std::path::Path, mut tmp: tempfile::NamedTempFile, name: &str, data: &[u8]) -> Result<(), GitError> {
    let err = |e: std::io::Error| GitError::other("writing the pack", e);
    tmp.write_all(data).map_err(err)?;
    #[cfg(not(unix))]
    {
        let mut permissions = tmp.as_file().metadata().map_err(err)?.permissions();
        permissions.set_readonly(true);
        tmp.as_file().set_permissions(permissions).map_err(err)?;
    }
    tmp.persist(dir.join(name)).map_err(|e| err(e.error))?;
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
    let mut pack = encode(objects, hash)?;
    let idx = index(&mut pack, hash)?;
    let directory = objects_pack(repo);
    let files = match files {
        Some(files) => files,
        None => pack_files(&directory).map_err(|e| GitError::other("creating the pack's files", e))?,
    };
    let name = format!("pack-{}", pack.checksum);
    put(&directory, files.pack, &format!("{name}.pack"), &pack.pack)?;
    if let Err(e) = put(&directory, files.idx, &format!("{name}.idx"), &idx) {
        // Without its index the pack is garbage to git: remove it rather than leave it.
        if !directory.join(format!("{name}.idx")).exists() {
            let _ = std::fs::remove_file(directory.join(format!("{name}.pack")));
        }
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// zlib (through gix) reads back what `zlib_stored` wrote, with the stream's length exactly
    /// consumed: empty, one block, and several blocks (over 64 KiB).
    #[test]
    fn stored_zlib_streams_inflate_to_their_data() {
        for len in [0usize, 1, 100, 65535, 65536, 200_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 13) as u8).collect();
            let mut stream = Vec::new();
            zlib_stored(&data, &mut stream);
            stream.extend_from_slice(b"after");
            let mut out = vec![0u8; len + 16];
            let (status, consumed, written) = gix::zlib::Inflate::default()
                .once(&stream, &mut out)
                .unwrap_or_else(|e| panic!("{len} bytes: {e}"));
            assert!(matches!(status, gix::zlib::Status::StreamEnd), "{len} bytes");
            assert_eq!(
                (consumed, &out[..written]),
                (stream.len() - 5, data.as_slice()),
                "{len} bytes"
            );
        }
    }
}
