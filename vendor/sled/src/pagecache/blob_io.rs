use crate::pagecache::*;
use crate::*;

pub(crate) fn read_blob(
    blob_ptr: Lsn,
    config: &Config,
) -> Result<(MessageKind, Vec<u8>)> {
    let path = config.blob_path(blob_ptr);
    let f_res = std::fs::OpenOptions::new().read(true).open(&path);

    if let Err(e) = &f_res {
        debug!("failed to open file for blob read at {}: {:?}", blob_ptr, e);
    }

    let mut f = f_res?;

    let mut crc_expected_bytes = [0_u8; std::mem::size_of::<u32>()];

    if let Err(e) = f.read_exact(&mut crc_expected_bytes) {
        debug!(
            "failed to read the initial CRC bytes in the blob at {}: {:?}",
            blob_ptr, e,
        );
        return Err(e.into());
    }

    let crc_expected = arr_to_u32(&crc_expected_bytes);

    let mut kind_byte = [0_u8];

    if let Err(e) = f.read_exact(&mut kind_byte) {
        debug!(
            "failed to read the initial CRC bytes in the blob at {}: {:?}",
            blob_ptr, e,
        );
        return Err(e.into());
    }

    let mut buf = vec![];

    if let Err(e) = f.read_to_end(&mut buf) {
        debug!(
            "failed to read data after the CRC bytes in blob at {}: {:?}",
            blob_ptr, e,
        );
        return Err(e.into());
    }

    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&kind_byte);
    hasher.update(&buf);
    let crc_actual = hasher.finalize();

    if crc_expected == crc_actual {
        let buf =
            if config.use_compression { maybe_decompress(buf)? } else { buf };
        Ok((MessageKind::from(kind_byte[0]), buf))
    } else {
        warn!("blob {} failed crc check!", blob_ptr);

        Err(Error::corruption(Some(DiskPtr::Blob(0, blob_ptr))))
    }
}

pub(crate) fn write_blob<T: Serialize>(
    config: &Config,
    kind: MessageKind,
    id: Lsn,
    item: &T,
) -> Result<()> {
    let path = config.blob_path(id);
    let mut f =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;

    let kind_buf = &[kind.into()];

    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind_buf);

    let data = {
        let _ = Measure::new(&M.serialize);
        item.serialize()
    };

    hasher.update(&data);
    let crc = u32_to_arr(hasher.finalize());

    io_fail!(config, "write_blob write crc");
    f.write_all(&crc)?;
    io_fail!(config, "write_blob write kind_byte");
    f.write_all(kind_buf)?;
    io_fail!(config, "write_blob write buf");
    f.write_all(&data)?;
    // zhuqi: a blob is on disk, and its name in its folder, before the log's message that points
    // to it can be: sled never synced blob files, so a crash could leave the store pointing to
    // a blob that was never written (see ZHUQI.md). While syncs are deferred, it is listed to
    // be synced with the others.
    io_fail!(config, "write_blob sync");
    if !config.blob_syncs.defer(&path) {
        f.sync_all()?;
        if let Some(folder) = path.parent() {
            std::fs::File::open(folder)?.sync_all()?;
        }
    }
    trace!("successfully wrote blob at {:?}", path);
    Ok(())
}

/// zhuqi: whether a database's blobs are synced as they are written, and those written while
/// their syncs were deferred (`Tree::defer_blob_syncs`).
#[derive(Debug, Default)]
pub struct BlobSyncs {
    deferred: std::sync::atomic::AtomicBool,
    pending: std::sync::Mutex<Vec<std::path::PathBuf>>,
}

impl BlobSyncs {
    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<std::path::PathBuf>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lists the blob at `path` when syncs are deferred; whether it did. Decided under the
    /// list's lock: once `set_deferred(false)` has returned, no blob is listed any more, so
    /// `sync_deferred` after it syncs every blob left unsynced (sled's flusher writes blobs
    /// of its own while it cleans segments).
    fn defer(&self, path: &std::path::Path) -> bool {
        let mut pending = self.pending();
        let deferred = self.deferred.load(std::sync::atomic::Ordering::Acquire);
        if deferred {
            pending.push(path.to_path_buf());
        }
        deferred
    }

    pub(crate) fn set_deferred(&self, defer: bool) {
        let _pending = self.pending();
        self.deferred.store(defer, std::sync::atomic::Ordering::Release);
    }

    /// Syncs the blobs listed (those since removed are passed over) and their folder. What
    /// fails to sync stays listed.
    pub(crate) fn sync_deferred(&self) -> std::io::Result<()> {
        let mut pending = self.pending();
        let mut folders = std::collections::BTreeSet::new();
        for path in pending.iter() {
            if let Some(folder) = path.parent() {
                folders.insert(folder.to_path_buf());
            }
        }
        // Several at once: each sync mostly waits on the disk, and syncs that wait together
        // share the file system's commits (an import of 100k: 380 blobs, 0.18 s one by one).
        let chunk = pending.len().div_ceil(SYNC_THREADS).max(1);
        std::thread::scope(|scope| {
            let syncing: Vec<_> = pending
                .chunks(chunk)
                .map(|paths| scope.spawn(move || sync_each(paths)))
                .collect();
            syncing.into_iter().try_for_each(|s| {
                s.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        })?;
        for folder in folders {
            std::fs::File::open(folder)?.sync_all()?;
        }
        pending.clear();
        Ok(())
    }
}

/// zhuqi: blob files synced at once by `BlobSyncs::sync_deferred`, at most.
const SYNC_THREADS: usize = 8;

/// zhuqi: syncs each blob file of `paths` (one since removed is passed over).
fn sync_each(paths: &[std::path::PathBuf]) -> std::io::Result<()> {
    for path in paths {
        match std::fs::File::open(path) {
            Ok(f) => f.sync_all()?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub(crate) fn gc_blobs(config: &Config, stable_lsn: Lsn) -> Result<()> {
    let mut base_dir = config.get_path();
    base_dir.push("blobs");
    let blob_dir = base_dir;
    let blobs = std::fs::read_dir(blob_dir)?;

    debug!("gc_blobs removing any blob with an lsn above {}", stable_lsn);

    let mut to_remove = vec![];
    for blob in blobs {
        let path = blob?.path();
        let lsn_str = path.file_name().unwrap().to_str().unwrap();
        let lsn_res: std::result::Result<Lsn, _> = lsn_str.parse();

        if let Err(e) = lsn_res {
            warn!(
                "blobs directory contains \
                 unparsable path ({:?}): {}",
                path, e
            );
            continue;
        }

        let lsn = lsn_res.unwrap();

        if lsn >= stable_lsn {
            to_remove.push(path);
        }
    }

    if !to_remove.is_empty() {
        warn!(
            "removing {} blobs that have \
             a higher lsn than our stable log: {:?}",
            to_remove.len(),
            stable_lsn
        );
    }

    for path in to_remove {
        std::fs::remove_file(&path)?;
    }

    Ok(())
}

pub(crate) fn remove_blob(id: Lsn, config: &Config) -> Result<()> {
    let path = config.blob_path(id);
    if let Err(e) = std::fs::remove_file(&path) {
        debug!("removing blob at {:?} failed: {}", path, e);
    } else {
        trace!("successfully removed blob at {:?}", path);
    }

    // TODO return a future
    Ok(())
}
