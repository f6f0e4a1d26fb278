//! Opening the store (taking the desk lock, laying an older layout out anew, applying the
//! journal's commands it lacks) and rebuilding it from the journal.

use super::*;

pub(super) fn open_engine(
    path: &Path,
    data_dir: &Path,
    cache: Cache,
) -> Result<sled::Db, StoreError> {
    // Callers hold the desk lock, so no other zhuqi has this store open. But a sled database just
    // closed by this process (a rebuild reopens the one it built) lets go of its file only when
    // its last background writes finish: wait for that, briefly.
    let mut waited = std::time::Duration::ZERO;
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache.bytes())
            // Every write here is flushed and synced before it is reported (`Store::sync`), so
            // sled's flusher thread is left only to clean sled's segments (the only place sled
            // 0.34 does): the terminal, open for hours, keeps it; a command does without, and is
            // the quicker (BENCHMARKS.md, eighth round).
            .flush_every_ms(match cache {
                Cache::Ample => None,
                Cache::Lean | Cache::Scant => Some(FLUSH_EVERY_MS),
            })
            .open()
        {
            Ok(db) => return Ok(db),
            Err(e) if is_lock_error(&e) && waited < ENGINE_RELEASE_WAIT => {
                std::thread::sleep(ENGINE_RETRY);
                waited += ENGINE_RETRY;
            }
            Err(e) if is_lock_error(&e) => {
                return Err(StoreError::AlreadyOpen {
                    dir: data_dir.to_path_buf(),
                    pid: None,
                });
            }
            Err(e) => return Err(StoreError::from(e)),
        }
    }
}

/// sled reports a database held elsewhere only as an I/O error with this text.
pub(super) fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// How often the terminal's sled databases clean their segments (sled's default).
const FLUSH_EVERY_MS: u64 = 500;

pub(super) const ENGINE_RETRY: std::time::Duration = std::time::Duration::from_millis(20);
pub(super) const ENGINE_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The engine at `path` with its trees, and the counters it keeps. A store of an older layout
/// is refused with [`StoreError::OldLayout`] (laid out anew by the caller).
pub(super) fn open_parts(
    data_dir: &Path,
    path: &Path,
    cache: Cache,
) -> Result<(Engine, Meta), StoreError> {
    let db = open_engine(path, data_dir, cache)?;
    let trees = TREE_NAMES
        .iter()
        .map(|name| db.open_tree(name))
        .collect::<Result<Vec<_>, _>>()?;
    let drafts = db.open_tree("drafts")?;
    let dictionary_tree = db.open_tree(dictionary::TREE)?;
    let mut meta = Meta::default();
    let meta_tree = &trees[META];
    let mut values = [0u64; 9];
    for (slot, key) in values.iter_mut().zip(META_KEYS) {
        if let Some(v) = meta_tree.get(key)? {
            *slot = read_u64(&v)
                .ok_or_else(|| StoreError::Corrupt(format!("counter {key} is unreadable")))?;
        }
    }
    meta.set(values);
    // A store without a layout mark but with data is of layout 1.
    let layout = match meta_tree.get("layout")? {
        Some(v) => read_u64(&v)
            .ok_or_else(|| StoreError::Corrupt("the layout mark is unreadable".into()))?,
        None if meta.next_seq == 0 => LAYOUT,
        None => 1,
    };
    if layout > LAYOUT {
        return Err(StoreError::NewerSchema {
            found: u8::try_from(layout).unwrap_or(u8::MAX),
            supported: u8::try_from(LAYOUT).unwrap_or(u8::MAX),
        });
    }
    if layout < LAYOUT {
        return Err(StoreError::OldLayout {
            journal_len: meta.journal_len,
        });
    }
    let dictionaries = dictionary::Dictionaries::kept_in(&dictionary_tree)?;
    Ok((
        Engine {
            db,
            trees,
            drafts,
            shelved: false,
            dictionaries: Arc::new(dictionary::Slot::holding(dictionaries)),
            dictionary_tree,
        },
        meta,
    ))
}

impl Store {
    /// Opens (or creates) the store in `data_dir`, taking the desk lock, and applies any
    /// journal commands the store lacks.
    pub fn open(data_dir: &Path) -> Result<(Store, OpenReport), StoreError> {
        Store::open_with(data_dir, Cache::default())
    }

    /// As [`Store::open`], with the cache given.
    pub fn open_with(data_dir: &Path, cache: Cache) -> Result<(Store, OpenReport), StoreError> {
        if data_dir.join(super::check::INCOMPLETE_MARK).exists() {
            return Err(StoreError::IncompleteBackup(data_dir.to_path_buf()));
        }
        let lock = DeskLock::acquire(data_dir)?;
        let current = data_dir.join(STORE_DIR);
        let mut report = OpenReport::default();
        let mut store = match Store::open_locked(data_dir, &current, None, cache) {
            Ok(store) => store,
            Err(StoreError::OldLayout { journal_len }) => {
                // The journal holds everything: lay the store out anew from it — unless it is
                // shorter than what the store holds.
                super::rewrite::journal_covers(data_dir, journal_len)?;
                let old = lay_out_anew(data_dir, "replaced")?;
                tracing::info!(old = %old.display(), "store of an older layout rebuilt from the journal");
                report.upgraded_from = Some(old);
                Store::open_locked(data_dir, &current, None, cache)?
            }
            Err(StoreError::Corrupt(why)) => {
                // A write cut short (a full disk, a crash of the machine) left the engine's
                // files unreadable; the journal has every command it acknowledged. The damaged
                // store is kept aside, and the journal must read whole for this to go ahead.
                tracing::warn!(%why, "the store no longer opens; laying it out anew from the journal");
                let old = lay_out_anew(data_dir, "damaged")?;
                report.rebuilt_from_damaged = Some(old);
                Store::open_locked(data_dir, &current, None, cache)?
            }
            Err(e) => return Err(e),
        };
        if let Some(from) = store.bulk_from()? {
            let journal = journal::journal_len(&data_dir.join(JOURNAL_FILE))?;
            if journal > from {
                drop(store);
                report.undone_bulk = Some(super::bulk::undo(data_dir, from)?);
                store = Store::open_locked(data_dir, &current, None, cache)?;
            } else {
                store.end_bulk()?;
            }
        }
        store._lock = Some(lock);
        let caught = store.catch_up()?;
        store.finish_moves()?;
        report.sealed_to = store.seal_journal_if_long(SEAL_AT);
        report.replayed = caught.replayed;
        report.torn_bytes = caught.torn_bytes;
        Ok((store, report))
    }

    /// Seals the live journal file once it is long (see [`Store::seal_journal_if_long`]): after
    /// a sync that pulled much, so that the next opening does not pay for it.
    pub fn seal_journal_if_due(&self) {
        let _ = self.seal_journal_if_long(SEAL_AT);
    }

    /// Seals the live journal file once it holds `at` bytes or more (see [`journal::seal`]),
    /// unless a bulk write's mark is there (undoing it cuts the live file back). A seal that
    /// fails (a full disk) leaves the journal as it was: said in the log, tried next time.
    pub(super) fn seal_journal_if_long(&self, at: u64) -> Option<u64> {
        self.seal_journal_if_long_after(at, None)
    }

    /// As [`Store::seal_journal_if_long`], taking the parts written `ahead` of it: with some,
    /// the live file is sealed however short (most of the work is done).
    pub(super) fn seal_journal_if_long_after(
        &self,
        at: u64,
        ahead: Option<journal::Ahead>,
    ) -> Option<u64> {
        let mut w = self.writer();
        let begun = ahead.as_ref().is_some_and(|a| !a.parts.is_empty());
        if (w.journal.live_len() < at && !begun) || !matches!(self.bulk_from(), Ok(None)) {
            // Parts written ahead for a seal that does not happen now are not kept for one.
            if let Some(ahead) = ahead {
                journal::remove_sealed_ahead(w.journal.path(), &ahead);
            }
            return None;
        }
        Store::seal_locked(&mut w, ahead)
            .inspect_err(
                |e| tracing::warn!(error = %e, "the journal was not sealed; tried again next time"),
            )
            .ok()
    }

    /// Seals the live journal file's whole commands now, whatever its length; returns where
    /// the sealed parts end, or `None` when it held none. Refused during a bulk write.
    pub fn seal_journal_now(&self) -> Result<Option<u64>, StoreError> {
        let mut w = self.writer();
        if self.bulk_from()?.is_some() {
            return Err(StoreError::BulkCutShort);
        }
        if w.journal.live_len() == 0 {
            return Ok(None);
        }
        Store::seal_locked(&mut w, None).map(Some)
    }

    fn seal_locked(w: &mut Writer, ahead: Option<journal::Ahead>) -> Result<u64, StoreError> {
        let path = w.journal.path().to_path_buf();
        journal::seal_after(&path, w.journal.len(), ahead)?;
        w.journal = Journal::open(&path)?;
        tracing::info!(to = w.journal.len(), "journal sealed");
        Ok(w.journal.len())
    }

    /// Opens the engine at `path`; the caller holds the desk lock (`lock` is kept, if given).
    pub(super) fn open_locked(
        data_dir: &Path,
        path: &Path,
        lock: Option<DeskLock>,
        cache: Cache,
    ) -> Result<Store, StoreError> {
        let (engine, meta) = open_parts(data_dir, path, cache)?;
        let journal = Journal::open(&data_dir.join(JOURNAL_FILE))?;
        Ok(Store {
            provisional: std::sync::atomic::AtomicBool::new(false),
            engine: RwLock::new(Some(Arc::new(engine))),
            archive: super::archive::ArchiveSlot::new(path, data_dir, cache),
            cut_short: std::sync::atomic::AtomicBool::new(false),
            registry_writes: std::sync::atomic::AtomicU64::new(0),
            dir: data_dir.to_path_buf(),
            writer: Mutex::new(Writer {
                journal,
                meta,
                engine_failed: false,
            }),
            recovered: Mutex::new(None),
            #[cfg(test)]
            faults: Default::default(),
            _lock: lock,
        })
    }

    /// Applies the journal commands the store does not have yet; cuts a torn tail.
    pub(super) fn catch_up(&self) -> Result<OpenReport, StoreError> {
        self.catch_up_locked(&mut self.writer())
    }

    /// As [`Store::catch_up`], the writer held by the caller.
    pub(super) fn catch_up_locked(&self, w: &mut Writer) -> Result<OpenReport, StoreError> {
        let applied = w.meta.journal_len;
        let len = w.journal.len();
        if len < applied {
            return Err(StoreError::JournalBehind {
                journal: len,
                applied,
            });
        }
        let mut report = OpenReport::default();
        if len == applied {
            return Ok(report);
        }
        let path = w.journal.path().to_path_buf();
        let mut meta = w.meta;
        // Commands are applied in batches, each one transaction that ends at a command's end in
        // the journal: a rebuild of a long journal does not pay a transaction per command.
        let mut batch: Vec<Event> = Vec::new();
        let mut batch_end = applied;
        let flush = |batch: &mut Vec<Event>, end: u64, meta: &mut Meta| {
            if batch.is_empty() {
                return Ok(());
            }
            let mut plan = self.plan(batch, *meta).map_err(|e| match e {
                AppendError::Refused(r) => StoreError::Replay(r),
                AppendError::Store(s) => s,
            })?;
            plan.meta.journal_len = end;
            self.commit(&plan)?;
            *meta = plan.meta;
            batch.clear();
            Ok::<(), StoreError>(())
        };
        let tail = journal::read_commands(&path, applied, |events, end| {
            batch.extend(events);
            batch_end = end;
            report.replayed += 1;
            if batch.len() >= REPLAY_BATCH_EVENTS {
                flush(&mut batch, batch_end, &mut meta)?;
            }
            Ok(())
        })?;
        flush(&mut batch, batch_end, &mut meta)?;
        w.meta = meta;
        if tail.torn > 0 {
            w.journal.truncate(tail.end)?;
            report.torn_bytes = tail.torn;
        }
        self.sync()?;
        Ok(report)
    }

    /// Recreates the store of `data_dir` from its journal alone. The old store is kept beside it
    /// (its path is returned) until the user removes it.
    pub fn rebuild(data_dir: &Path) -> Result<(Store, PathBuf), StoreError> {
        Store::rebuild_with(data_dir, Cache::default())
    }

    /// As [`Store::rebuild`]; the store returned has the cache given (the rebuild itself, all
    /// writes, has the ample one).
    pub(super) fn rebuild_with(
        data_dir: &Path,
        cache: Cache,
    ) -> Result<(Store, PathBuf), StoreError> {
        let lock = DeskLock::acquire(data_dir)?;
        Store::check_journal_covers_store(data_dir)?;
        let old = lay_out_anew(data_dir, "replaced")?;
        let current = data_dir.join(STORE_DIR);
        let store = Store::open_locked(data_dir, &current, Some(lock), cache)?;
        store.catch_up()?;
        store.finish_moves()?;
        Ok((store, old))
    }
}

/// Builds a store from the journal beside the current one, then puts it in its place; the
/// current one is moved aside as `store.{why}-{time}` (returned). The caller holds the desk
/// lock and has no engine open on the current store.
pub(super) fn lay_out_anew(data_dir: &Path, why: &str) -> Result<PathBuf, StoreError> {
    let fresh = data_dir.join("store.rebuilding");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(io_err(format!("removing {}", fresh.display())))?;
    }
    {
        let store = Store::open_locked(data_dir, &fresh, None, Cache::Ample)?;
        // Killed while laying out, the fresh store is thrown away: closed appeals can go
        // straight to the archive.
        store.set_direct_to_archive(true);
        store.catch_up()?;
        // As a bulk write's end (`Store::end_bulk`).
        store.sync()?;
        store.set_direct_to_archive(false);
        store.sync_deferred_blobs()?;
        // Dropped here: sled closes the fresh store before it is moved into place.
    }
    let old = aside(data_dir, &format!("store.{why}"));
    let current = data_dir.join(STORE_DIR);
    if current.exists() {
        std::fs::rename(&current, &old)
            .map_err(io_err(format!("moving {} aside", current.display())))?;
    }
    std::fs::rename(&fresh, &current).map_err(io_err(format!(
        "moving the rebuilt store to {}",
        current.display()
    )))?;
    Ok(old)
}
