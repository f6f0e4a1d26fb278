//! Bringing the engine back after a write failed in it (a full disk, most often). The journal
//! holds every command the desk said it saved, so the engine is closed, opened again — laid out
//! anew from the journal when it no longer opens — and caught up.

use super::*;

impl Store {
    /// Reopens the engine if a write failed in it; refuses (nothing written) while it cannot be.
    pub(super) fn recover_if_failed(&self, w: &mut Writer) -> Result<(), StoreError> {
        if !w.engine_failed {
            return Ok(());
        }
        #[cfg(test)]
        self.faults.reopen()?;
        // sled lets go of its files once the last handle is dropped.
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = None;
        self.archive.close();
        let path = self.dir.join(STORE_DIR);
        let (engine, meta, rebuilt) = match super::open::open_parts(&self.dir, &path, Cache::Ample)
        {
            Ok((engine, meta)) => (engine, meta, None),
            Err(StoreError::Corrupt(why)) => {
                tracing::warn!(%why, "the store no longer opens; laying it out anew from the journal");
                let old = super::open::lay_out_anew(&self.dir, "damaged")?;
                let (engine, meta) = super::open::open_parts(&self.dir, &path, Cache::Ample)?;
                (engine, meta, Some(old))
            }
            Err(e) => return Err(e),
        };
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(engine));
        w.meta = meta;
        self.catch_up_locked(w)?;
        self.finish_moves()?;
        w.engine_failed = false;
        *self.recovered.lock().unwrap_or_else(|p| p.into_inner()) = Some(Recovery {
            rebuilt_from_damaged: rebuilt,
        });
        Ok(())
    }

    /// Makes the journal's writes fail after `room` more bytes, as a full disk would (tests).
    #[cfg(test)]
    pub(crate) fn fail_journal_writes_after(&self, room: Option<usize>) {
        self.writer().journal.fail_after = room;
    }

    /// What bringing the engine back did, once (the desk says it).
    pub fn take_recovery(&self) -> Option<Recovery> {
        self.recovered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// Failures a test makes happen in the engine.
#[cfg(test)]
#[derive(Default)]
pub(super) struct Faults {
    /// Commits that fail before reaching sled.
    pub commits: std::sync::atomic::AtomicU32,
    /// Reopenings that fail (the disk still full).
    pub reopens: std::sync::atomic::AtomicU32,
    /// Live transactions that fail after the archive took the command's part.
    pub live_commits: std::sync::atomic::AtomicU32,
}

#[cfg(test)]
impl Faults {
    fn take(counter: &std::sync::atomic::AtomicU32) -> bool {
        use std::sync::atomic::Ordering;
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    pub fn commit(&self) -> Result<(), StoreError> {
        if Faults::take(&self.commits) {
            return Err(StoreError::Engine(
                "injected: no space left on device".into(),
            ));
        }
        Ok(())
    }

    pub fn live_commit(&self) -> Result<(), StoreError> {
        match Faults::take(&self.live_commits) {
            true => Err(StoreError::Engine(
                "injected: killed after the archive".into(),
            )),
            false => Ok(()),
        }
    }

    pub fn reopen(&self) -> Result<(), StoreError> {
        if Faults::take(&self.reopens) {
            return Err(StoreError::Engine(
                "injected: no space left on device".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{capture, event};
    use super::*;
    use crate::domain::AppealChange;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn note(appeal: AppealId, id: u128, text: &str) -> Event {
        event(appeal, id, AppealChange::Noted { text: text.into() })
    }

    fn journal_bytes(dir: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(dir.join(JOURNAL_FILE))
    }

    fn event_ids(store: &Store, a: AppealId) -> Result<Vec<u128>, StoreError> {
        Ok(store.events_of(a)?.iter().map(|e| e.id.0).collect())
    }

    #[test]
    fn a_journal_write_cut_short_anywhere_leaves_the_journal_as_it_was() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![capture(a, 1)])?;
        store.append(vec![event(a, 2, AppealChange::Listed)])?;
        let before = journal_bytes(dir.path())?;
        let lines = journal::encode(&[note(a, 3, "已联系供电公司")])?.len();
        // A full disk stops the write at every byte of the line (and before the first).
        for room in [0, 1, lines / 2, lines - 1] {
            store.writer().journal.fail_after = Some(room);
            let refused = store.append(vec![note(a, 3, "已联系供电公司")]);
            match refused {
                Err(AppendError::Store(StoreError::Io { source, .. })) => {
                    assert!(disk_full(&source), "{source}")
                }
                other => panic!("a failed write must be refused, got {other:?}"),
            }
            assert_eq!(journal_bytes(dir.path())?, before, "cut back (room {room})");
            assert_eq!(event_ids(&store, a)?, [1, 2]);
        }
        // Space is back: the same step is saved once, and nothing torn is found on opening.
        store.writer().journal.fail_after = None;
        store.append(vec![note(a, 3, "已联系供电公司")])?;
        drop(store);
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report, OpenReport::default());
        assert_eq!(event_ids(&store, a)?, [1, 2, 3]);
        assert!(store.verify()?.is_empty());
        Ok(())
    }

    #[test]
    fn bytes_a_failed_write_left_are_cut_before_the_next_write() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![capture(a, 1), event(a, 9, AppealChange::Listed)])?;
        let before = journal_bytes(dir.path())?;
        {
            let mut w = store.writer();
            w.journal.fail_after = Some(10);
            w.journal.fail_cuts = 1; // and cutting them off fails too
        }
        assert!(store.append(vec![note(a, 2, "第一条")]).is_err());
        let torn = journal_bytes(dir.path())?;
        assert_eq!(
            torn.len(),
            before.len() + 10,
            "the torn bytes are still there"
        );
        store.writer().journal.fail_after = None;
        store.append(vec![note(a, 3, "第二条")])?;
        let after = journal_bytes(dir.path())?;
        assert_eq!(&after[..before.len()], &before[..]);
        assert_eq!(
            &after[before.len()..],
            &journal::encode(&[note(a, 3, "第二条")])?[..],
            "the next command follows the last whole one, not the torn bytes"
        );
        drop(store);
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report.torn_bytes, 0);
        assert_eq!(event_ids(&store, a)?, [1, 9, 3]);
        Ok(())
    }

    #[test]
    fn a_step_the_journal_took_is_saved_when_the_engine_fails_and_the_engine_comes_back()
    -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![capture(a, 1)])?;
        store
            .faults
            .commits
            .store(1, std::sync::atomic::Ordering::SeqCst);
        let appeals = store.append(vec![event(a, 2, AppealChange::Listed)])?;
        assert_eq!(appeals[0].status, Status::Listed);
        assert_eq!(
            store.take_recovery(),
            Some(Recovery {
                rebuilt_from_damaged: None
            })
        );
        assert_eq!(store.take_recovery(), None, "said once");
        assert_eq!(event_ids(&store, a)?, [1, 2], "caught up from the journal");
        store.append(vec![note(a, 3, "进展")])?;
        assert!(store.verify()?.is_empty());
        drop(store);
        let (store, _) = Store::open(dir.path())?;
        assert_eq!(event_ids(&store, a)?, [1, 2, 3]);
        Ok(())
    }

    #[test]
    fn while_the_engine_cannot_be_reopened_nothing_is_written_then_it_catches_up() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![capture(a, 1), event(a, 9, AppealChange::Listed)])?;
        store
            .faults
            .commits
            .store(1, std::sync::atomic::Ordering::SeqCst);
        store
            .faults
            .reopens
            .store(2, std::sync::atomic::Ordering::SeqCst);
        // Journaled, so saved, though the engine did not take it and cannot be reopened yet.
        store.append(vec![note(a, 2, "第一条")])?;
        let journaled = journal_bytes(dir.path())?;
        // The disk is still full: refused before the journal is touched.
        assert!(store.append(vec![note(a, 3, "第二条")]).is_err());
        assert_eq!(journal_bytes(dir.path())?, journaled);
        // Space is back: the engine is reopened, caught up, and the step goes through.
        store.append(vec![note(a, 4, "第三条")])?;
        assert_eq!(event_ids(&store, a)?, [1, 9, 2, 4]);
        assert!(store.take_recovery().is_some());
        assert!(store.verify()?.is_empty());
        Ok(())
    }

    #[test]
    fn a_store_that_no_longer_opens_is_laid_out_anew_from_the_journal() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(a, 1), event(a, 9, AppealChange::Listed)])?;
            store.append(vec![note(a, 2, "进展")])?;
        }
        // What a full disk left behind in a real run: a snapshot begun and never written, which
        // sled 0.34 then refuses to open ("Read corrupted data").
        std::fs::write(
            dir.path()
                .join(STORE_DIR)
                .join("snap.00000000FFFFFFFF.generating"),
            b"",
        )?;
        let (store, report) = Store::open(dir.path())?;
        let old = report
            .rebuilt_from_damaged
            .ok_or("the damaged store was not laid out anew")?;
        assert!(old.join("db").exists(), "the damaged store is kept aside");
        assert_eq!(event_ids(&store, a)?, [1, 9, 2]);
        assert!(store.verify()?.is_empty());
        Ok(())
    }
}
