//! Writing many new objects as one pack instead of one loose file each.
//!
//! A range revert creates a commit and a few trees per reverted commit. Written loose, each is
//! a file (and often a fan-out directory) of its own, and creating those inodes was half of the
//! time of `run --strategy revert` (bench/RESULTS-revert.md). Here the objects are encoded as an
//! undeltified pack in memory and handed to gix's `Bundle::write_to_directory` (what `git
//! index-pack` does): it verifies the stream, writes the `.pack` and its `.idx` as temporary
//! files, creates a `.keep`, and renames the `.pack` and then the `.idx` into `objects/pack/`.
//! Git uses a pack only through its index, so a process killed on the way leaves nothing git
//! reads, but it can leave files behind: a temporary file, or a `.pack` with its `.keep` and no
//! `.idx` (`git count-objects -v` counts them as garbage; `git fsck` stays clean). No ref
//! points at these objects until the ref transaction that follows.

use std::sync::atomic::AtomicBool;

use gix::odb::pack;
use gix::zlib::stream::deflate::{Compress, FlushCompress};

use super::GitError;

/// Encodes `objects` (kind and content) as a version-2 pack stream.
fn encode(objects: &[(gix::objs::Kind, &[u8])], hash: gix::hash::Kind) -> Result<Vec<u8>, GitError> {
    let mut out = Vec::with_capacity(12 + objects.iter().map(|(_, d)| d.len() / 2 + 16).sum::<usize>());
    out.extend_from_slice(b"PACK");
    out.extend_from_slice(&2u32.to_be_bytes());
    let count = u32::try_from(objects.len()).map_err(|e| GitError::other("counting the pack's objects", e))?;
    out.extend_from_slice(&count.to_be_bytes());
    // One compressor for all objects: setting one up is costlier than compressing a small tree.
    let mut z = Compress::new(gix::zlib::Compression::BEST_SPEED);
    let mut buf = vec![0u8; 32 * 1024];
    for (kind, data) in objects {
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
        deflate(&mut z, data, &mut buf, &mut out)?;
    }
    let mut hasher = gix::hash::hasher(hash);
    hasher.update(&out);
    let checksum = hasher
        .try_finalize()
        .map_err(|e| GitError::other("hashing the pack", e))?;
    out.extend_from_slice(checksum.as_slice());
    Ok(out)
}

/// Appends `data` to `out` as one zlib stream.
fn deflate(z: &mut Compress, mut data: &[u8], buf: &mut [u8], out: &mut Vec<u8>) -> Result<(), GitError> {
    z.reset();
    loop {
        let (read, written) = (z.total_in(), z.total_out());
        let status = z
            .compress(data, buf, FlushCompress::Finish)
            .map_err(|e| GitError::other("compressing an object", e))?;
        out.extend_from_slice(&buf[..(z.total_out() - written) as usize]);
        data = &data[(z.total_in() - read) as usize..];
        if matches!(status, gix::zlib::Status::StreamEnd) {
            return Ok(());
        }
    }
}

/// Writes `objects` into the repository as one pack with its index. Nothing is written for an
/// empty list.
pub(super) fn write(repo: &gix::Repository, objects: &[(gix::objs::Kind, &[u8])]) -> Result<(), GitError> {
    if objects.is_empty() {
        return Ok(());
    }
    let stream = encode(objects, repo.object_hash())?;
    let directory = repo.objects.store_ref().path().join("pack");
    std::fs::create_dir_all(&directory).map_err(|e| GitError::other("creating objects/pack", e))?;
    let outcome = pack::Bundle::write_to_directory(
        &mut stream.as_slice(),
        Some(&directory),
        &mut gix::progress::Discard,
        &AtomicBool::new(false),
        None::<gix::OdbHandle>,
        repo.object_hash(),
        pack::bundle::write::Options {
            thread_limit: Some(1),
            ..Default::default()
        },
    )
    .map_err(|e| GitError::other("writing the pack", e))?;
    // gix leaves a `.keep` so that a concurrent gc cannot drop the pack before refs point at it;
    // loose objects have no such protection either, and a kept pack would never be repacked.
    if let Some(keep) = outcome.keep_path {
        std::fs::remove_file(&keep).map_err(|e| GitError::other("removing the pack's .keep file", e))?;
    }
    Ok(())
}
