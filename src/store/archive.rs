//! Closed and withdrawn appeals kept apart from the open ones. The store's sled database
//! (`store/`) holds the open appeals, the registry, the days' entries and the counters; a second
//! one inside it (`store/archive/`) holds the closed and withdrawn appeals — their histories,
//! summaries, list entries and ledger ids. sled's open reads and rewrites in proportion to the
//! whole database, so a step on an open appeal, which never opens the archive, costs what it
//! costs on a desk of a few thousand appeals however many are closed.
//!
//! Appeals move both ways, and every move survives being killed half-way:
//! - Closed ones go to the archive once `ARCHIVE_AT` of them are in the live database, and all
//!   of them after a bulk write. Marks in the live database name them first; the archive takes
//!   them (durably); then one transaction of the live database lets them go with their marks.
//!   Found on opening, marks make the move be finished (each part can be done twice).
//! - A step on an archived appeal (a reopening, a late feedback) reads it from the archive and
//!   writes it to the live database with a mark, in the step's own transaction; the archive then
//!   lets it go and the mark goes. Found on opening, the mark makes the archive let it go.
//!
//! Every appeal is in exactly one of the two (`verify` checks it), archived ones closed or
//! withdrawn.

use super::*;

pub(super) const ARCHIVE_DIR: &str = "archive";
/// Closed appeals in the live database that set a move to the archive going.
#[cfg(not(test))]
const ARCHIVE_AT: usize = 500;
#[cfg(test)]
const ARCHIVE_AT: usize = 3;
/// Appeals moved per pair of writes.
const MOVE_BATCH: usize = 10_000;
/// Marks in the live database's `meta`, each followed by an identity.
const TO_ARCHIVE: &[u8] = b"move-to-archive:";
const FROM_ARCHIVE: &[u8] = b"move-from-archive:";

fn mark(prefix: &[u8], id: AppealId) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.extend_from_slice(&id_key(id));
    k
}

/// Entries of two trees in key order, as one (each key is in one of them).
pub(super) type Entries =
    Box<dyn Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + Send>;

pub(super) fn merged(a: Entries, b: Entries) -> Entries {
    struct Merged {
        a: std::iter::Peekable<Entries>,
        b: std::iter::Peekable<Entries>,
    }
    impl Iterator for Merged {
        type Item = Result<(sled::IVec, sled::IVec), StoreError>;
        fn next(&mut self) -> Option<Self::Item> {
            let first = match (self.a.peek(), self.b.peek()) {
                (None, None) => return None,
                (Some(_), None) | (Some(Err(_)), _) => true,
                (None, Some(_)) | (_, Some(Err(_))) => false,
                (Some(Ok((ka, _))), Some(Ok((kb, _)))) => ka <= kb,
            };
            if first { self.a.next() } else { self.b.next() }
        }
    }
    Box::new(Merged {
        a: a.peekable(),
        b: b.peekable(),
    })
}

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// Where the archive is and, once opened, the archive: shared by the store and the readers it
/// hands out, which open it only when they come to closed appeals (sled refuses a second open
/// of one database, so there is one slot).
#[derive(Clone)]
pub(super) struct ArchiveSlot {
    slot: Arc<Mutex<Option<Arc<Engine>>>>,
    path: PathBuf,
    dir: PathBuf,
    cache: Cache,
    /// A bulk write or a laying out is under way: closed appeals go straight to the archive,
    /// and its blob files' syncs are deferred, also once it is opened
    /// (`Store::set_direct_to_archive`).
    direct: Arc<std::sync::atomic::AtomicBool>,
}

impl ArchiveSlot {
    /// The archive of the engine at `engine_path` (inside it).
    pub(super) fn new(engine_path: &Path, data_dir: &Path, cache: Cache) -> ArchiveSlot {
        ArchiveSlot {
            slot: Default::default(),
            path: engine_path.join(ARCHIVE_DIR),
            dir: data_dir.to_path_buf(),
            cache: match cache {
                Cache::Lean => Cache::Scant,
                other => other,
            },
            direct: Default::default(),
        }
    }

    fn direct(&self) -> bool {
        self.direct.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Closed appeals go straight to it, its blob files' syncs deferred, or no longer.
    fn set_direct(&self, on: bool) {
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        self.direct.store(on, std::sync::atomic::Ordering::Relaxed);
        if let Some(archive) = slot.as_ref() {
            archive.db.defer_blob_syncs(on);
        }
    }

    /// The archive, opened the first time it is needed. `None` when there is none yet and
    /// `create` is false: a read has nothing to find there.
    pub(super) fn get(&self, create: bool) -> Result<Option<Arc<Engine>>, StoreError> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(archive) = slot.as_ref() {
            return Ok(Some(archive.clone()));
        }
        if !create && !self.path.exists() {
            return Ok(None);
        }
        let engine = Arc::new(open_archive(&self.dir, &self.path, self.cache)?);
        engine.db.defer_blob_syncs(self.direct());
        *slot = Some(engine.clone());
        Ok(Some(engine))
    }

    /// Closes it (sled lets go of its files once the last reader drops it).
    pub(super) fn close(&self) {
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    #[cfg(test)]
    fn is_open(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

/// The archive at `path` (of the store in `data_dir`), its status index on shelves and its
/// histories and summaries in drawers.
pub(super) fn open_archive(
    data_dir: &Path,
    path: &Path,
    cache: Cache,
) -> Result<Engine, StoreError> {
    let (mut engine, _) = super::open::open_parts(data_dir, path, cache)?;
    engine.shelved = true;
    Ok(engine)
}

impl Store {
    /// See [`ArchiveSlot::get`].
    pub(super) fn archive(&self, create: bool) -> Result<Option<Arc<Engine>>, StoreError> {
        self.archive.get(create)
    }

    /// Whether the archive has been opened by this process (tests: a step on an open appeal
    /// must not open it).
    #[cfg(test)]
    pub(super) fn archive_is_open(&self) -> bool {
        self.archive.is_open()
    }

    /// One tree's entries in the live database and the archive together, in key order.
    pub(super) fn both(&self, tree: usize) -> Result<Entries, StoreError> {
        let live: Entries = self.engine()?.keyed(tree).iter();
        Ok(match self.archive(false)? {
            Some(archive) => merged(live, archive.keyed(tree).iter()),
            None => live,
        })
    }

    /// A key's value in the live database, else in the archive, and whether it came from there.
    pub(super) fn get_either(
        &self,
        tree: usize,
        key: &[u8],
        look_in_archive: bool,
    ) -> Result<Option<(sled::IVec, bool)>, StoreError> {
        if let Some(v) = self.engine()?.trees[tree].get(key)? {
            return Ok(Some((v, false)));
        }
        if !look_in_archive {
            return Ok(None);
        }
        let Some(archive) = self.archive(false)? else {
            return Ok(None);
        };
        let found = match tree {
            BY_STATUS => match keys::read_status_key(key) {
                Some((status, number)) => archive.entry(status, number)?,
                None => return Err(corrupt("a status index key".into())),
            },
            EXTERNAL_IDS => archive.archived_ledger_id(key)?,
            _ => archive.keyed(tree).get(key)?,
        };
        Ok(found.map(|v| (v, true)))
    }

    /// Moves the closed and withdrawn appeals of the live database to the archive: all of
    /// them (`all`: after a bulk write), or once there are `ARCHIVE_AT`. The caller holds the
    /// writer. Returns how many moved.
    pub(super) fn archive_closed(&self, all: bool) -> Result<usize, StoreError> {
        let engine = self.engine()?;
        let closed = || {
            [Status::Closed, Status::Withdrawn]
                .into_iter()
                .flat_map(|s| engine.trees[BY_STATUS].scan_prefix([s.code()]))
        };
        if !all && closed().take(ARCHIVE_AT).count() < ARCHIVE_AT {
            return Ok(0);
        }
        let mut moved = 0;
        loop {
            let mut ids = Vec::new();
            for kv in closed().take(MOVE_BATCH) {
                let (_, v) = kv?;
                ids.push(read_id(&v).ok_or_else(|| corrupt("an index entry".into()))?);
            }
            if ids.is_empty() {
                break;
            }
            // The marks first: killed from here on, the next open finishes the move.
            let mut marks = sled::Batch::default();
            for id in &ids {
                marks.insert(mark(TO_ARCHIVE, *id), &[][..]);
            }
            engine.trees[META].apply_batch(marks)?;
            self.sync()?;
            self.move_to_archive(&ids)?;
            moved += ids.len();
        }
        Ok(moved)
    }

    /// The marked appeals go from the live database to the archive, and their marks go.
    fn move_to_archive(&self, ids: &[AppealId]) -> Result<(), StoreError> {
        let engine = self.engine()?;
        let archive = self
            .archive(true)?
            .ok_or_else(|| corrupt("the archive could not be made".into()))?;
        let live = &engine.trees;
        let dictionaries = engine.dictionaries.get();
        let mut puts: Vec<Op> = Vec::new();
        let mut dels: Vec<Op> = Vec::new();
        // Appeals packed before the store had its dictionaries: where their history is in
        // `puts` (the summary next), its frames and the encoded summary.
        let mut without_dictionaries = Vec::new();
        for id in ids {
            let key = id_key(*id);
            dels.push(Op::Del(META, mark(TO_ARCHIVE, *id)));
            // Gone already: moved before the process was killed, only the mark was left.
            let Some(history) = live[HISTORIES].get(key)? else {
                continue;
            };
            let summary = live[APPEALS]
                .get(key)?
                .ok_or_else(|| corrupt(format!("appeal {id} has no summary")))?;
            let appeal = packing::summary(&summary, dictionaries.as_deref())?;
            if !matches!(appeal.status, Status::Closed | Status::Withdrawn) {
                // Reopened since it was marked (a move that failed was finished later).
                continue;
            }
            // A step that brought it back earlier has nothing left to take from the archive.
            dels.push(Op::Del(META, mark(FROM_ARCHIVE, *id)));
            let entry = status_key(appeal.status, appeal.number);
            let brief = live[BY_STATUS]
                .get(entry)?
                .ok_or_else(|| corrupt(format!("appeal {} has no list entry", appeal.number)))?;
            if dictionaries.is_none()
                || !packing::with_dictionary(&history)
                || !packing::with_dictionary(&summary)
            {
                without_dictionaries.push((
                    puts.len(),
                    packing::history(&history, dictionaries.as_deref())?.into_owned(),
                    codec::encode(&appeal)?,
                ));
            }
            puts.push(Op::Put(HISTORIES, key.to_vec(), history.to_vec()));
            puts.push(Op::Put(APPEALS, key.to_vec(), summary.to_vec()));
            puts.push(Op::Put(BY_STATUS, entry.to_vec(), brief.to_vec()));
            for tree in [HISTORIES, APPEALS] {
                dels.push(Op::Del(tree, key.to_vec()));
            }
            dels.push(Op::Del(BY_STATUS, entry.to_vec()));
            if let Some(ext) = &appeal.external_id {
                puts.push(Op::Put(EXTERNAL_IDS, ext.as_bytes().to_vec(), key.to_vec()));
                dels.push(Op::Del(EXTERNAL_IDS, ext.as_bytes().to_vec()));
            }
        }
        // On their way they are packed with the store's dictionaries (the first move of a
        // desk that has none teaches it them).
        if !without_dictionaries.is_empty()
            && let Some(d) = self.dictionaries_from(
                without_dictionaries
                    .iter()
                    .map(|(_, h, s)| (h.as_slice(), s.as_slice())),
            )?
        {
            for (at, history, summary) in &without_dictionaries {
                if let Some(Op::Put(_, _, stored)) = puts.get_mut(*at) {
                    *stored = packing::pack_history(history, Some(&d))?;
                }
                if let Some(Op::Put(_, _, stored)) = puts.get_mut(at + 1) {
                    *stored = packing::pack_summary(summary, Some(&d))?;
                }
            }
        }
        // The archive holds them, on disk, before the live database lets them go.
        archive.apply(&[&puts])?;
        archive.sync()?;
        self.apply(&dels)?;
        self.sync()
    }

    /// The archive lets go of appeals a step brought back to the live database, and their marks
    /// go.
    pub(super) fn release_from_archive(&self, ids: &[AppealId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let archive = self
            .archive(true)?
            .ok_or_else(|| corrupt("the archive could not be opened".into()))?;
        let mut dels: Vec<Op> = Vec::new();
        let live = self.engine()?;
        for id in ids {
            let key = id_key(*id);
            if !live.trees[HISTORIES].contains_key(key)? {
                // Only a copy the live database holds too is let go of.
                continue;
            }
            if let Some(summary) = archive.keyed(APPEALS).get(&key)? {
                let appeal = packing::summary(&summary, live.dictionaries.get().as_deref())?;
                dels.push(Op::Del(
                    BY_STATUS,
                    status_key(appeal.status, appeal.number).to_vec(),
                ));
                if let Some(ext) = &appeal.external_id {
                    // The live database has the appeal's ledger id now; the archive's goes.
                    dels.push(Op::Del(EXTERNAL_IDS, ext.as_bytes().to_vec()));
                }
            }
            for tree in [HISTORIES, APPEALS] {
                dels.push(Op::Del(tree, key.to_vec()));
            }
        }
        archive.apply(&[&dels])?;
        archive.sync()?;
        let marks: Vec<Op> = ids
            .iter()
            .map(|id| Op::Del(META, mark(FROM_ARCHIVE, *id)))
            .collect();
        self.apply(&marks)?;
        self.sync()
    }

    /// Finishes the moves a killed process left half-done (their marks say which).
    pub(super) fn finish_moves(&self) -> Result<(), StoreError> {
        let marked = |prefix: &[u8]| -> Result<Vec<AppealId>, StoreError> {
            self.engine()?.trees[META]
                .scan_prefix(prefix)
                .keys()
                .map(|k| {
                    let k = k?;
                    k.get(prefix.len()..)
                        .and_then(read_id)
                        .ok_or_else(|| corrupt("a move's mark".into()))
                })
                .collect()
        };
        // Back from the archive first: an appeal brought back and closed again since is in
        // the live database, and its move to the archive comes after.
        let from_archive = marked(FROM_ARCHIVE)?;
        if !from_archive.is_empty() {
            tracing::info!(
                appeals = from_archive.len(),
                "finishing a move from the archive"
            );
            self.release_from_archive(&from_archive)?;
        }
        let to_archive = marked(TO_ARCHIVE)?;
        if !to_archive.is_empty() {
            tracing::info!(
                appeals = to_archive.len(),
                "finishing a move to the archive"
            );
            self.move_to_archive(&to_archive)?;
        }
        Ok(())
    }

    /// Deletions in the live database, in one transaction.
    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        self.engine()?.apply(&[ops])
    }

    /// Closed appeals go straight to the archive (in a bulk write, or laying a store out).
    pub(super) fn direct_to_archive(&self) -> bool {
        self.archive.direct()
    }

    /// Also defers the syncs of sled's blob files (its largest pages, the archive's drawers and
    /// shelves among them) in both databases, as the write is undone whole if it is cut short:
    /// they are synced together before it ends (`sync_deferred_blobs`), not each as written.
    pub(super) fn set_direct_to_archive(&self, on: bool) {
        self.archive.set_direct(on);
        if let Ok(engine) = self.engine() {
            engine.db.defer_blob_syncs(on);
        }
    }

    /// Syncs the blob files written while their syncs were deferred, in both databases.
    pub(super) fn sync_deferred_blobs(&self) -> Result<(), StoreError> {
        self.engine()?.db.sync_deferred_blobs()?;
        if let Some(archive) = self.archive(false)? {
            archive.db.sync_deferred_blobs()?;
        }
        Ok(())
    }

    /// The mark a step on an archived appeal writes in its own transaction.
    pub(super) fn from_archive_mark(id: AppealId) -> Op {
        Op::Put(META, mark(FROM_ARCHIVE, id), Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{answered_and_closed, capture, event};
    use super::*;
    use std::ops::RangeInclusive;

    fn in_archive(store: &Store, id: AppealId) -> Result<bool, StoreError> {
        Ok(match store.archive(false)? {
            Some(a) => a.keyed(HISTORIES).contains_key(&id_key(id))?,
            None => false,
        })
    }

    fn in_live(store: &Store, id: AppealId) -> Result<bool, StoreError> {
        Ok(store.engine()?.trees[HISTORIES].contains_key(id_key(id))?)
    }

    #[test]
    fn closed_appeals_go_to_the_archive_and_come_back_when_reopened()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let ids: Vec<AppealId> = (1..=5u128).map(|i| ulid::Ulid(i * 100)).collect();
        {
            let (store, _) = Store::open(dir.path())?;
            for (i, id) in ids.iter().enumerate() {
                store.append(vec![capture(*id, 1000 + i as u128)])?;
            }
            // Two closed: below the mark, they stay.
            for (i, id) in ids[..2].iter().enumerate() {
                store.append(answered_and_closed(*id, 2000 + 10 * i as u128))?;
            }
            assert!(!in_archive(&store, ids[0])?);
            // The third sets the move going: all three go.
            store.append(answered_and_closed(ids[2], 3000))?;
            for id in &ids[..3] {
                assert!(in_archive(&store, *id)? && !in_live(&store, *id)?, "{id}");
            }
            assert!(in_live(&store, ids[3])?);
            // Read as if nothing had moved: by number, in order of identity, state by state.
            assert_eq!(
                store.appeal_by_number(1)?.map(|a| a.status),
                Some(Status::Closed)
            );
            let order: Vec<AppealId> = store
                .summaries()
                .map(|a| a.map(|a| a.id))
                .collect::<Result<_, _>>()?;
            assert_eq!(order, ids);
            let mut cursor = store.briefs(&[Status::Closed, Status::Captured]);
            let mut numbers = Vec::new();
            while let Some(n) = cursor.next_with(|b| b.number) {
                numbers.push(n?);
            }
            assert_eq!(numbers, [1, 2, 3, 4, 5]);
            // Read a part at a time, from either database, in the order asked, each whole.
            let asked = [ids[4], ids[0], ids[3], ids[2]];
            let read = store.appeals_of(&asked)?;
            assert_eq!(read.iter().map(|a| a.id).collect::<Vec<_>>(), asked);
            for a in &read {
                assert_eq!(Some(a), store.appeal(a.id)?.as_ref());
            }
            let unknown = store.appeals_of(&[ids[1], ulid::Ulid(9)]);
            assert!(
                matches!(&unknown, Err(StoreError::Corrupt(why)) if why.contains("missing")),
                "{unknown:?}"
            );
            assert_eq!(store.appeal_count(), 5);
            assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
            assert!(store.verify_journal()?.is_empty());
        }
        // A step on an open appeal does not open the archive.
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![event(ids[3], 4000, AppealChange::Listed)])?;
        assert!(!store.archive_is_open());
        // Nor does reading open appeals whole.
        assert_eq!(store.appeals_of(&ids[3..])?.len(), 2);
        assert!(!store.archive_is_open());
        // A reopening brings an archived appeal back.
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap_or_default();
        let reopened = store.append(vec![event(
            ids[1],
            4001,
            AppealChange::Reopened {
                reason: "未解决".into(),
                due,
            },
        )])?;
        assert_eq!(reopened[0].status, Status::InProgress);
        assert!(in_live(&store, ids[1])? && !in_archive(&store, ids[1])?);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        // Its marks are gone: nothing is moved again on opening.
        drop(store);
        let (store, _) = Store::open(dir.path())?;
        assert!(!store.archive_is_open());
        assert_eq!(
            store.appeal_by_number(2)?.map(|a| a.status),
            Some(Status::InProgress)
        );
        Ok(())
    }

    #[test]
    fn archived_entries_on_shelves_are_read_with_the_live_ones_in_number_order()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        // Numbers 1..=200 span four shelves; every ninth stays open.
        let id = |n: u64| ulid::Ulid(u128::from(n) * 100);
        let stays_open = |n: u64| n.is_multiple_of(9);
        let closed_numbers = |store: &Store, ranges: Vec<RangeInclusive<u64>>| {
            let mut cursor =
                store.briefs_in(ranges.into_iter().map(|r| (Status::Closed, r)).collect());
            let mut numbers = Vec::new();
            while let Some(n) = cursor.next_with(|b| (b.number, b.id, b.status)) {
                numbers.push(n?);
            }
            Ok::<_, StoreError>(numbers)
        };
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap_or_default();
        let reopened = [62u64, 64, 128, 130];
        {
            let (store, _) = Store::open(dir.path())?;
            for n in 1..=200u64 {
                let mut events = vec![capture(id(n), u128::from(n) * 10_000)];
                if !stays_open(n) {
                    events.extend(answered_and_closed(id(n), u128::from(n) * 10_000 + 1));
                }
                store.append(events)?;
            }
            // Four brought back around the shelves' edges, one of them closed again (it stays
            // in the live database: fewer than the mark).
            for (i, n) in reopened.iter().enumerate() {
                store.append(vec![event(
                    id(*n),
                    5_000_000 + i as u128,
                    AppealChange::Reopened {
                        reason: "未解决".into(),
                        due,
                    },
                )])?;
            }
            store.append(vec![
                event(
                    id(64),
                    6_000_000,
                    AppealChange::Answered {
                        text: "已再次协调".into(),
                    },
                ),
                event(
                    id(64),
                    6_000_001,
                    AppealChange::Closed {
                        note: "办结".into(),
                    },
                ),
            ])?;
            let archive = store.archive(false)?.ok_or("no archive")?;
            assert!(in_live(&store, id(64))? && !in_archive(&store, id(64))?);
            assert_eq!(
                archive.entry(Status::Closed, 62)?,
                None,
                "taken off its shelf"
            );
            assert!(archive.entry(Status::Closed, 61)?.is_some());
            assert!(
                archive.trees[BY_STATUS].len() < 10,
                "shelves, not an entry per appeal"
            );
        }
        let (store, _) = Store::open(dir.path())?;
        let expected = |range: RangeInclusive<u64>| -> Vec<(u64, AppealId, Status)> {
            range
                .filter(|n| !stays_open(*n) && (*n == 64 || !reopened.contains(n)))
                .map(|n| (n, id(n), Status::Closed))
                .collect()
        };
        assert_eq!(
            closed_numbers(&store, vec![0..=u64::MAX])?,
            expected(1..=200)
        );
        assert_eq!(
            closed_numbers(&store, vec![60..=70, 120..=140, 1..=2])?,
            [expected(60..=70), expected(120..=140), expected(1..=2)].concat(),
            "ranges across shelves, in the order asked"
        );
        assert!(closed_numbers(&store, vec![201..=u64::MAX])?.is_empty());
        for n in 1..=200u64 {
            let status = match n {
                _ if stays_open(n) => Status::Captured,
                62 | 128 | 130 => Status::InProgress,
                _ => Status::Closed,
            };
            assert_eq!(
                store.appeal_by_number(n)?.map(|a| (a.id, a.status)),
                Some((id(n), status)),
                "number {n}"
            );
        }
        let board: Vec<u64> = store
            .summaries_apart(Some(&[Status::Closed]))
            .into_iter()
            .flatten()
            .map(|a| a.map(|a| a.number))
            .collect::<Result<_, _>>()?;
        let mut board = board;
        board.sort_unstable();
        let all: Vec<u64> = expected(1..=200).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(board, all);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn a_bulk_write_and_a_rebuild_put_closed_appeals_straight_into_the_archive()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (open, closed) = (ulid::Ulid(100), ulid::Ulid(200));
        {
            let (store, _) = Store::open(dir.path())?;
            store.begin_bulk()?;
            let mut closing = vec![capture(closed, 1)];
            closing.extend(answered_and_closed(closed, 10));
            store.append_batch(vec![vec![capture(open, 2)], closing])?;
            // Never in the live database: nothing there to be cleaned away.
            assert!(in_archive(&store, closed)? && !in_live(&store, closed)?);
            assert!(in_live(&store, open)? && !in_archive(&store, open)?);
            store.end_bulk()?;
            assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        }
        let (store, _) = Store::rebuild(dir.path())?;
        assert!(in_archive(&store, closed)? && !in_live(&store, closed)?);
        assert!(in_live(&store, open)?);
        assert_eq!(store.appeal_count(), 2);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        // After the bulk write, steps land in the live database again.
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap_or_default();
        let reopen = AppealChange::Reopened {
            reason: "未解决".into(),
            due,
        };
        store.append(vec![event(closed, 50, reopen)])?;
        assert!(in_live(&store, closed)? && !in_archive(&store, closed)?);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn ledger_ids_are_found_in_the_live_database_and_in_the_archive()
    -> Result<(), Box<dyn std::error::Error>> {
        let (live, archived) = (tempfile::tempdir()?, tempfile::tempdir()?);
        for (dir, close) in [(&live, false), (&archived, true)] {
            let (store, _) = Store::open(dir.path())?;
            store.begin_bulk()?;
            // An appeal typed in has no ledger id.
            store.append_batch(vec![vec![capture(ulid::Ulid(1), 1)]])?;
            assert!(!store.holds_ledger_ids()?);
            let (a, from_ledger) = captured(1);
            let mut command = vec![from_ledger];
            if close {
                command.extend(answered_and_closed(a, 10));
            }
            store.append_batch(vec![command])?;
            store.end_bulk()?;
            assert_eq!(
                (in_archive(&store, a)?, in_live(&store, a)?),
                (close, !close)
            );
            assert!(store.holds_ledger_ids()?, "closed: {close}");
        }
        Ok(())
    }

    /// The appeal the archive itself files `ledger_id` under, if any.
    fn archived_ledger_id(store: &Store, ledger_id: &str) -> Result<Option<AppealId>, StoreError> {
        let archive = store
            .archive(false)?
            .ok_or_else(|| corrupt("no archive".into()))?;
        let found = archive.archived_ledger_id(ledger_id.as_bytes())?;
        Ok(found.as_deref().and_then(read_id))
    }

    #[test]
    fn ledger_ids_ending_in_a_number_are_filed_in_drawers_and_follow_their_appeal()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        // `7` and `007` share a drawer's key; `#3fa9` (a hash, as a ledger without ids is given)
        // is a key of its own.
        let ledger_ids = ["zj:7", "zj:007", "zj:#3fa9", "zj:8", "hz:7"];
        let (store, _) = Store::open(dir.path())?;
        store.begin_bulk()?;
        let mut ids = Vec::new();
        let mut commands = Vec::new();
        for (i, ledger_id) in ledger_ids.iter().enumerate() {
            let (a, mut c) = captured(i as u128);
            if let EventBody::Appeal {
                change: AppealChange::Captured(c),
                ..
            } = &mut c.body
            {
                c.external_id = Some(ledger_id.to_string());
            }
            let mut command = vec![c];
            command.extend(answered_and_closed(a, 1000 + 10 * i as u128));
            commands.push(command);
            ids.push(a);
        }
        store.append_batch(commands)?;
        store.end_bulk()?;
        let archive = store.archive(false)?.ok_or("no archive")?;
        assert_eq!(
            archive.trees[EXTERNAL_IDS].len(),
            1,
            "only `zj:#3fa9` a key of its own"
        );
        assert!(!archive.trees[LEDGER_NUMBERS].is_empty());
        for (ledger_id, a) in ledger_ids.iter().zip(&ids) {
            assert_eq!(
                archived_ledger_id(&store, ledger_id)?,
                Some(*a),
                "{ledger_id}"
            );
            let found = store.appeal_by_external_id(ledger_id)?;
            assert_eq!(found.map(|f| f.id), Some(*a), "{ledger_id}");
        }
        assert!(store.appeal_by_external_id("zj:0007")?.is_none());
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);

        // Reopened, `zj:7` goes back to the live database and the archive lets go of its id;
        // `zj:007`, under the same key, stays.
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap_or_default();
        let reopen = AppealChange::Reopened {
            reason: "未解决".into(),
            due,
        };
        store.append(vec![event(ids[0], 50, reopen)])?;
        assert!(in_live(&store, ids[0])?);
        assert_eq!(archived_ledger_id(&store, "zj:7")?, None);
        assert_eq!(archived_ledger_id(&store, "zj:007")?, Some(ids[1]));
        assert_eq!(
            store.appeal_by_external_id("zj:7")?.map(|f| f.id),
            Some(ids[0])
        );
        // Closed again and moved (a bulk write's end moves every closed appeal), it is filed
        // here again.
        store.append(answered_and_closed(ids[0], 60)[3..].to_vec())?;
        store.begin_bulk()?;
        store.end_bulk()?;
        assert!(in_archive(&store, ids[0])?);
        assert_eq!(archived_ledger_id(&store, "zj:7")?, Some(ids[0]));
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        // The same after a reopen of the store.
        drop((archive, store));
        let (store, _) = Store::open(dir.path())?;
        for (ledger_id, a) in ledger_ids.iter().zip(&ids) {
            let found = store.appeal_by_external_id(ledger_id)?;
            assert_eq!(found.map(|f| f.id), Some(*a), "{ledger_id}");
        }
        Ok(())
    }

    /// Appeal `i` captured, with words of its own (the dictionaries learn what appeals share).
    fn captured(i: u128) -> (AppealId, Event) {
        let a = ulid::Ulid(10_000 + i);
        let mut e = capture(a, 100_000 + i * 100);
        if let EventBody::Appeal {
            change: AppealChange::Captured(c),
            ..
        } = &mut e.body
        {
            let why = ["需要增容", "线路老化", "报装排队", "电价核定"][(i % 4) as usize];
            c.text = format!("第{i}号诉求：厂区变压器容量不足，{why}，影响二期投产");
            c.enterprise = format!("嘉兴市南湖第{i}纺织有限公司");
            // Ledger ids of several lengths, not in the order of the identities.
            c.external_id = Some(format!("12345:{}", (i * 37) % 1000));
        }
        (a, e)
    }

    /// Every appeal whole and every summary, as the store reads them.
    fn read_back(store: &Store) -> Result<(Vec<Appeal>, Vec<Appeal>), StoreError> {
        Ok((
            store.appeals().collect::<Result<_, _>>()?,
            store.summaries().collect::<Result<_, _>>()?,
        ))
    }

    /// Whether each of the archive's histories and summaries long enough to pack is packed
    /// with the store's dictionaries (and how many there are).
    fn archived_with_dictionaries(store: &Store) -> Result<(bool, usize), StoreError> {
        let archive = store
            .archive(false)?
            .ok_or_else(|| corrupt("no archive".into()))?;
        let (mut all, mut n) = (true, 0);
        for tree in [HISTORIES, APPEALS] {
            for kv in archive.keyed(tree).iter() {
                let (_, v) = kv?;
                all &= v.first() == Some(&packing::ZSTD_DICTIONARY);
                n += 1;
            }
        }
        Ok((all, n))
    }

    #[test]
    fn a_bulk_write_teaches_the_store_its_dictionaries_and_what_it_packs_reads_back()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let n = dictionary::TRAIN_FROM as u128 + 5;
        let before = {
            let (store, _) = Store::open(dir.path())?;
            assert!(store.dictionaries().is_none());
            store.begin_bulk()?;
            let commands = (0..n)
                .map(|i| {
                    let (a, c) = captured(i);
                    let mut steps = vec![c];
                    steps.extend(answered_and_closed(a, 200_000 + i * 10));
                    steps
                })
                .collect();
            store.append_batch(commands)?;
            store.end_bulk()?;
            assert!(store.dictionaries().is_some());
            assert_eq!(archived_with_dictionaries(&store)?, (true, 2 * n as usize));
            assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
            // In drawers: a key for several appeals; each found by its ledger id.
            let archive = store.archive(false)?.ok_or("no archive")?;
            for tree in drawer::DRAWN {
                let drawers = archive.trees[tree].len();
                assert!(drawers > 1 && drawers <= (n as usize).div_ceil(drawer::SPAN));
            }
            for i in 0..n {
                let found = store.appeal_by_external_id(&format!("12345:{}", (i * 37) % 1000))?;
                assert_eq!(found.map(|a| a.id), Some(captured(i).0));
            }
            assert!(store.appeal_by_external_id("12345:1000")?.is_none());
            read_back(&store)?
        };
        assert_eq!(before.0.len(), n as usize);
        // Kept: read back the same after a reopen, and a step then packs with them too.
        let (store, _) = Store::open(dir.path())?;
        assert!(store.dictionaries().is_some());
        assert_eq!(read_back(&store)?, before);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        let (fresh, c) = captured(n);
        store.append(vec![c])?;
        let live = store.engine()?.trees[APPEALS]
            .get(id_key(fresh))?
            .ok_or("no summary")?;
        assert_eq!(live.first(), Some(&packing::ZSTD_DICTIONARY));
        drop(store);
        // Laid out anew from the journal, the store learns dictionaries of its own.
        let (store, _) = Store::rebuild(dir.path())?;
        assert!(store.dictionaries().is_some());
        let (appeals, summaries) = read_back(&store)?;
        assert_eq!(appeals[..n as usize], before.0[..]);
        assert_eq!(summaries[..n as usize], before.1[..]);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        // One of the two gone is damage: the store is laid out anew from the journal.
        store
            .engine()?
            .dictionary_tree
            .remove(dictionary::SUMMARIES_KEY)?;
        store.sync()?;
        drop(store);
        let (store, report) = Store::open(dir.path())?;
        assert!(report.rebuilt_from_damaged.is_some());
        let (appeals, _) = read_back(&store)?;
        assert_eq!(appeals[..n as usize], before.0[..]);
        Ok(())
    }

    #[test]
    fn the_first_move_of_a_desk_without_dictionaries_teaches_it_them_and_packs_the_moved()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let n = dictionary::TRAIN_FROM as u128 + 5;
        let (store, _) = Store::open(dir.path())?;
        // Captured one at a time, as at a meeting: too few at once to learn from.
        let mut ids = Vec::new();
        for i in 0..n {
            let (a, c) = captured(i);
            store.append(vec![c])?;
            ids.push(a);
        }
        assert!(store.dictionaries().is_none());
        let (open, _) = read_back(&store)?;
        // All closed in one command: they move to the archive together, and the move learns.
        let closing = ids
            .iter()
            .zip(0u128..)
            .flat_map(|(a, i)| answered_and_closed(*a, 200_000 + i * 10))
            .collect();
        store.append(closing)?;
        assert!(store.dictionaries().is_some());
        assert!(ids.iter().all(|a| in_archive(&store, *a).unwrap_or(false)));
        assert_eq!(archived_with_dictionaries(&store)?, (true, 2 * n as usize));
        let (closed, summaries) = read_back(&store)?;
        assert_eq!(closed.len(), open.len());
        for (before, after) in open.iter().zip(&closed) {
            assert_eq!((before.id, &before.text), (after.id, &after.text));
            assert_eq!(after.status, Status::Closed);
        }
        assert_eq!(
            summaries.iter().map(|s| s.number).collect::<Vec<_>>(),
            closed.iter().map(|a| a.number).collect::<Vec<_>>()
        );
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        drop(store);
        let (store, _) = Store::open(dir.path())?;
        assert_eq!(read_back(&store)?, (closed, summaries));
        Ok(())
    }

    #[test]
    fn on_a_hub_desk_closed_appeals_move_as_well() -> Result<(), Box<dyn std::error::Error>> {
        // A hub desk's pulls bring a district's closed history through its live database; moved
        // as it comes (sled reuses the space a small move frees), the live database stays small.
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        store.set_provisional_numbers(true);
        let ids: Vec<AppealId> = (1..=4u128).map(|i| ulid::Ulid(i * 100)).collect();
        for (i, id) in ids.iter().enumerate() {
            store.append(vec![capture(*id, 1000 + i as u128)])?;
            store.append(answered_and_closed(*id, 2000 + 10 * i as u128))?;
        }
        // The third closing set the move going; the fourth goes with a bulk write's end.
        for id in &ids[..3] {
            assert!(in_archive(&store, *id)? && !in_live(&store, *id)?, "{id}");
        }
        assert!(in_live(&store, ids[3])?);
        store.begin_bulk()?;
        store.end_bulk()?;
        assert!(in_archive(&store, ids[3])? && !in_live(&store, ids[3])?);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn own_steps_sent_back_stamped_by_the_hub_leave_an_archived_appeal_in_the_archive()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let ids: Vec<AppealId> = (1..=3u128).map(|i| ulid::Ulid(i * 100)).collect();
        for (i, id) in ids.iter().enumerate() {
            store.append(vec![capture(*id, 1000 + i as u128)])?;
            store.append(answered_and_closed(*id, 2000 + 10 * i as u128))?;
        }
        // The archive is looked up each time: the store reopens it when it brings the engine
        // back.
        let stored = |id: AppealId| -> Result<Vec<Event>, Box<dyn std::error::Error>> {
            let archive = store.archive(false)?.ok_or("no archive")?;
            let h = archive
                .keyed(HISTORIES)
                .get(&id_key(id))?
                .ok_or("no history")?;
            Ok(history::events(&packing::history(
                &h,
                store.dictionaries().as_deref(),
            )?)?)
        };
        let mut seq = 0;
        let mut stamped = |id: AppealId| -> Result<Vec<Event>, Box<dyn std::error::Error>> {
            let mut events = stored(id)?;
            for e in &mut events {
                seq += 1;
                e.hub = Some(crate::domain::HubStamp {
                    seq,
                    number: None,
                    meeting: None,
                });
            }
            Ok(events)
        };
        let figures = store.verify()?;
        assert!(figures.is_empty(), "{figures:?}");
        // The hub sends the first back: stamped in the archive, never in the live database.
        store.take_from_hub(stamped(ids[0])?)?;
        assert!(in_archive(&store, ids[0])? && !in_live(&store, ids[0])?);
        assert!(stored(ids[0])?.iter().all(|e| e.hub.is_some()));
        // The second, killed after the archive took its part: the command is taken in again
        // from the journal, and nothing is counted twice.
        store
            .faults
            .live_commits
            .store(1, std::sync::atomic::Ordering::SeqCst);
        store.take_from_hub(stamped(ids[1])?)?;
        assert!(
            store.take_recovery().is_some(),
            "the engine was brought back"
        );
        assert!(in_archive(&store, ids[1])? && !in_live(&store, ids[1])?);
        assert!(stored(ids[1])?.iter().all(|e| e.hub.is_some()));
        assert_eq!(store.appeal_count(), 3);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        drop(store);
        let (store, _) = Store::open(dir.path())?;
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        assert_eq!(store.appeal_count(), 3);
        Ok(())
    }

    #[test]
    fn moves_killed_half_way_are_finished_on_opening() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (a, b, c) = (ulid::Ulid(100), ulid::Ulid(200), ulid::Ulid(300));
        {
            let (store, _) = Store::open(dir.path())?;
            for (i, id) in [a, b, c].iter().enumerate() {
                store.append(vec![capture(*id, 1 + i as u128)])?;
                store.append(answered_and_closed(*id, 100 + 10 * i as u128))?;
            }
            // All three in the archive. Then, as a killed process would leave them: `a` back in
            // the live database with its mark (a step's transaction done, the archive's part
            // not), and `b` and `c` marked for the archive again with `b` copied to the live
            // database (a move whose marks were written, the live part not done).
            assert!(in_archive(&store, a)? && in_archive(&store, b)?);
            let archive = store.archive(false)?.ok_or("no archive")?;
            let engine = store.engine()?;
            for id in [a, b] {
                let key = id_key(id);
                let summary = archive.keyed(APPEALS).get(&key)?.ok_or("no summary")?;
                let appeal = packing::summary(&summary, store.dictionaries().as_deref())?;
                let entry = status_key(appeal.status, appeal.number);
                engine.trees[HISTORIES]
                    .insert(key, archive.keyed(HISTORIES).get(&key)?.ok_or("h")?)?;
                engine.trees[APPEALS].insert(key, summary)?;
                engine.trees[BY_STATUS].insert(
                    entry,
                    archive.entry(appeal.status, appeal.number)?.ok_or("b")?,
                )?;
            }
            engine.trees[META].insert(mark(FROM_ARCHIVE, a), &[][..])?;
            engine.trees[META].insert(mark(TO_ARCHIVE, b), &[][..])?;
            engine.trees[META].insert(mark(TO_ARCHIVE, c), &[][..])?;
            store.sync()?;
            assert!(!store.verify()?.is_empty(), "both places");
        }
        let (store, _) = Store::open(dir.path())?;
        assert!(
            in_live(&store, a)? && !in_archive(&store, a)?,
            "a stays back"
        );
        assert!(!in_live(&store, b)? && in_archive(&store, b)?, "b moved");
        assert!(!in_live(&store, c)? && in_archive(&store, c)?, "c stays");
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        let marks = store.engine()?.trees[META].scan_prefix(b"move-").count();
        assert_eq!(marks, 0);
        Ok(())
    }
}
