//! Bulk writes (an import, a generated demo) are all or nothing across crashes: a mark in the
//! store says where in the journal one began, and it is taken away when the bulk write ends. A
//! store opened with the mark still there was left by a process killed mid-way: the journal is
//! cut back to where the bulk write began (what was cut is kept beside) and the store laid out
//! anew from it.

use super::*;

const BULK_MARK: &str = "bulk_from";

/// A bulk write killed mid-way and undone on opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndoneBulk {
    /// The appeals it had written, now taken out.
    pub appeals: usize,
    /// The journal lines it had written, kept here.
    pub kept_in: PathBuf,
}

impl Store {
    /// Marks the start of a bulk write (durably, before its first command). Each appeal it
    /// captures is new, as an import's and a demo's are (identities made here): it is not
    /// looked for in the store first.
    pub fn begin_bulk(&self) -> Result<(), StoreError> {
        // A mark further on would leave the abandoned bulk write's part in place.
        self.refuse_if_cut_short()?;
        let mut w = self.writer();
        self.engine()?.trees[META].insert(BULK_MARK, &u64_key(w.journal.len())[..])?;
        self.sync()?;
        // Its journal is sealed as it grows, not all at its end (`journal/ahead.rs`).
        if let Err(e) = w.journal.seal_ahead() {
            tracing::warn!(error = %e, "the journal is not sealed ahead; it is sealed at the end");
        }
        // Killed mid-way it is undone whole: its closed appeals can go straight to the archive.
        self.set_direct_to_archive(true);
        Ok(())
    }

    /// The bulk write is whole: the mark goes, and a journal it made long, or began to seal
    /// ahead, is sealed (its cost is the bulk write's, not the next opening's).
    pub fn end_bulk(&self) -> Result<(), StoreError> {
        self.end_bulk_mark()?;
        let ahead = match self.writer().journal.stop_sealing_ahead() {
            Some(Ok(ahead)) => Some(ahead),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "sealing the journal ahead failed; it is sealed at the end if long enough");
                None
            }
            None => None,
        };
        let _ = self.seal_journal_if_long_after(SEAL_AT, ahead);
        Ok(())
    }

    fn end_bulk_mark(&self) -> Result<(), StoreError> {
        let _w = self.writer();
        // What is in the archive is on disk before the mark goes: both databases synced, then
        // every blob file written while their syncs were deferred (from here on, one written,
        // as sled's flusher cleaning a terminal's database may, is synced as it is written).
        self.sync()?;
        self.set_direct_to_archive(false);
        self.sync_deferred_blobs()?;
        self.engine()?.trees[META].remove(BULK_MARK)?;
        self.sync()?;
        // Appeals it closed that were open in the live database go to the archive too (a move
        // killed half-way is finished on opening).
        self.archive_closed(true).map(|_| ())
    }

    /// The bulk write stopped with an error and its mark stays: the next open takes out what
    /// it wrote — and would take out any step written after it, so none is written until then.
    pub fn abandon_bulk(&self) {
        self.set_direct_to_archive(false);
        // What it sealed ahead is of a journal to be cut back.
        let mut w = self.writer();
        if let Some(Ok(ahead)) = w.journal.stop_sealing_ahead() {
            journal::remove_sealed_ahead(w.journal.path(), &ahead);
        }
        drop(w);
        self.cut_short
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Refuses a write after a bulk write was abandoned (see [`Store::abandon_bulk`]).
    pub(super) fn refuse_if_cut_short(&self) -> Result<(), StoreError> {
        match self.cut_short.load(std::sync::atomic::Ordering::Relaxed) {
            true => Err(StoreError::BulkCutShort),
            false => Ok(()),
        }
    }

    /// Where an unfinished bulk write began, if one was left.
    pub(super) fn bulk_from(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.engine()?.trees[META]
            .get(BULK_MARK)?
            .and_then(|v| read_u64(&v)))
    }
}

/// Takes out what an unfinished bulk write put in the journal from `from` on, keeping it beside,
/// and lays the store out anew from the journal without it. The caller holds the desk lock and
/// has closed the store.
pub(super) fn undo(data_dir: &Path, from: u64) -> Result<UndoneBulk, StoreError> {
    let path = data_dir.join(JOURNAL_FILE);
    // Only what the bulk write added is read: the journal before it can be large.
    let mut tail = Vec::new();
    // Past the sealed parts: the journal is never sealed while a bulk write's mark is there.
    let live = journal::Live::of(&path)?;
    if from < live.base {
        return Err(StoreError::Corrupt(format!(
            "a bulk write began at byte {from} of the journal, in its sealed part"
        )));
    }
    let from_in_file = from - live.base + live.header;
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = File::open(&path).map_err(io_err(format!("reading {}", path.display())))?;
        file.seek(SeekFrom::Start(from_in_file))
            .and_then(|_| file.read_to_end(&mut tail))
            .map_err(io_err(format!("reading {}", path.display())))?;
    }
    let tail = tail.as_slice();
    let appeals = tail
        .split(|&b| b == b'\n')
        .filter(|l| {
            let mark = br#""captured":"#;
            l.windows(mark.len()).any(|w| w == mark)
        })
        .count();
    let kept_in = aside(data_dir, "journal.jsonl.undone");
    crate::desk::paths::write_private(&kept_in, tail).map_err(io_err(format!(
        "keeping the undone lines in {}",
        kept_in.display()
    )))?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(io_err(format!("opening {}", path.display())))?;
    file.set_len(from_in_file)
        .and_then(|()| file.sync_all())
        .map_err(io_err(format!("cutting {} back", path.display())))?;
    // The store with the partial write in it is of no use: the journal and the lines kept say
    // everything it held.
    let old = super::open::lay_out_anew(data_dir, "undone")?;
    if let Err(e) = std::fs::remove_dir_all(&old) {
        tracing::warn!(old = %old.display(), error = %e, "the store laid aside could not be removed");
    }
    Ok(UndoneBulk { appeals, kept_in })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{capture, event};
    use super::*;

    #[test]
    fn after_a_bulk_write_stopped_by_an_error_nothing_is_written_until_it_is_taken_out()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (before, during) = (ulid::Ulid(100), ulid::Ulid(200));
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(before, 1)])?;
            store.begin_bulk()?;
            store.append(vec![capture(during, 2)])?;
            // The bulk write's own error came here; its mark stays.
            store.abandon_bulk();
            let refused = store.append(vec![event(before, 3, AppealChange::Listed)]);
            assert!(
                matches!(refused, Err(AppendError::Store(StoreError::BulkCutShort))),
                "{refused:?}"
            );
            assert!(matches!(store.begin_bulk(), Err(StoreError::BulkCutShort)));
        }
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report.undone_bulk.map(|u| u.appeals), Some(1));
        assert!(store.appeal(during)?.is_none());
        store.append(vec![event(before, 3, AppealChange::Listed)])?;
        assert_eq!(
            store.appeal(before)?.map(|a| a.status),
            Some(Status::Listed)
        );
        Ok(())
    }
}
