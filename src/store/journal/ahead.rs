//! Sealing ahead: while a bulk write goes on, the journal's parts are cut and compressed as soon
//! as its commands fill them, on a thread of their own, so that the seal at the bulk write's end
//! only has its last part left to do.
//!
//! Why: sealing the 100k import's journal (13 parts) took its last half second, two parts at a
//! time after every batch was written, while during the batches the machine's two cores were
//! not quite full (BENCHMARKS.md, fourteenth round).
//!
//! It begins with the bulk write's first part and runs at the lowest priority (nice 19): the
//! reading, planning and committing threads are the bulk write's pace, and sealing takes what
//! they leave of the cores (a quarter of them in an import's first second) instead of taking
//! turns with them. Whatever it has not done when the bulk write ends, the seal at the end does
//! at the usual priority. A bulk write that sealed parts ahead is sealed at its end however
//! short it is (its parts are written already); one shorter than a part seals nothing.
//!
//! A part written ahead is what a seal writes: the journal's exact bytes from one offset to
//! another, ending with the first end of a command at or past [`PART_SIZE`], compressed and
//! synced under its name. Until the seal replaces the live file it lies past the live file's
//! base, where nothing reads it and a later seal writes it anew: a bulk write undone or killed
//! leaves nothing behind that is read. Only bytes the journal has taken (appended and synced,
//! ending with a command) are read, and the journal never changes them while the store is open.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::sealed::{
    Live, PART_ROOM, PART_SIZE, cut_part, make_ready, part_name, sealed_dir, write_part,
};
use super::{StoreError, io};

/// The parts written ahead of a seal: the journal's bytes from the live file's base to `end`,
/// in `parts`, each `(start, end)`.
#[derive(Debug, PartialEq, Eq)]
pub struct Ahead {
    /// The live file they were cut from.
    pub live: Live,
    /// Where the last of them ends (the base when there are none).
    pub end: u64,
    pub parts: Vec<(u64, u64)>,
}

impl Ahead {
    /// None yet, from the live file's base.
    pub(super) fn none(live: Live) -> Ahead {
        Ahead {
            live,
            end: live.base,
            parts: Vec::new(),
        }
    }

    /// Whether these parts are the start of a seal of the live file `live` up to `len`: cut
    /// from it, one after the other from its base, ending by `len`, each still in `dir`. None
    /// is not a start: the seal then makes its folder ready itself.
    pub(super) fn goes_with(&self, live: Live, len: u64, dir: &Path) -> bool {
        let mut at = live.base;
        let joined = self.parts.iter().all(|&(start, end)| {
            let follows = start == at && end > start;
            at = end;
            follows && dir.join(part_name(start, end)).is_file()
        });
        !self.parts.is_empty() && self.live == live && joined && at == self.end && self.end <= len
    }
}

/// The thread sealing ahead, told each length the journal reaches.
pub struct SealAhead {
    reached: Option<mpsc::Sender<u64>>,
    thread: Option<JoinHandle<Result<Ahead, StoreError>>>,
}

impl SealAhead {
    /// Starts sealing the journal at `path` ahead, from the live file's base.
    pub fn start(path: &Path) -> Result<SealAhead, StoreError> {
        let live = Live::of(path)?;
        let path = path.to_path_buf();
        let (reached, lengths) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("zhuqi-seal-ahead".into())
            .spawn(move || seal_ahead(&path, live, &lengths))
            .map_err(io("starting the thread that seals the journal ahead".into()))?;
        Ok(SealAhead {
            reached: Some(reached),
            thread: Some(thread),
        })
    }

    /// The journal has taken whole commands up to `len`.
    pub fn reached(&self, len: u64) {
        if let Some(reached) = &self.reached {
            // Stopped after an error: its join says what it was.
            let _ = reached.send(len);
        }
    }

    /// Stops once the part in hand is written; the parts written ahead.
    pub fn finish(mut self) -> Result<Ahead, StoreError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<Ahead, StoreError> {
        drop(self.reached.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(done)) => done,
            // A panic there is a bug: it goes on here, as it would have on this thread.
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Err(StoreError::Engine(
                "sealing ahead was already stopped".into(),
            )),
        }
    }
}

impl Drop for SealAhead {
    /// Not finished (a bulk write stopped by an error): the part in hand is written before the
    /// process can end, so that no temporary file is left in the parts' folder.
    fn drop(&mut self) {
        if self.thread.is_some()
            && let Err(e) = self.stop()
        {
            tracing::warn!(error = %e, "sealing the journal ahead stopped");
        }
    }
}

/// The thread: each time the journal grows a part or more past the last part written, the next
/// parts are cut from the live file and written.
fn seal_ahead(path: &Path, live: Live, lengths: &mpsc::Receiver<u64>) -> Result<Ahead, StoreError> {
    let dir = sealed_dir(path);
    lowest_priority();
    // The live file is not replaced while the bulk write goes on: opened once, read part by part.
    let mut file = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    let mut ahead = Ahead::none(live);
    // The parts' folder is made ready with the first part.
    let mut ready = false;
    let mut part = Vec::with_capacity(PART_ROOM);
    while let Ok(mut len) = lengths.recv() {
        // `len` ends a command: a part's worth past the last part holds one whole part.
        loop {
            // Only the latest length matters; once told to stop, the seal at the end cuts the
            // rest, on all the cores.
            match lengths.try_recv() {
                Ok(newer) => len = len.max(newer),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => return Ok(ahead),
            }
            if len.saturating_sub(ahead.end) < PART_SIZE {
                break;
            }
            if !ready {
                make_ready(path, live)?;
                ready = true;
            }
            file.seek(SeekFrom::Start(live.in_file(ahead.end)))
                .map_err(io(format!("reading {}", path.display())))?;
            let mut source = BufReader::with_capacity(1 << 20, (&file).take(len - ahead.end));
            if !cut_part(&mut source, path, &mut part)? {
                // The live file was not what the journal said it took: the seal at the end
                // cuts its parts itself.
                return Err(StoreError::Corrupt(format!(
                    "{} ended before the length the journal reached",
                    path.display()
                )));
            }
            let end = ahead.end + part.len() as u64;
            write_part(&dir, ahead.end, &part)?;
            ahead.parts.push((ahead.end, end));
            ahead.end = end;
        }
    }
    Ok(ahead)
}

/// The nice value sealing ahead runs at: the lowest.
const NICE: libc::c_int = 19;

/// Puts the calling thread at the lowest priority (nice 19): it takes little of a core another
/// thread wants, but is never starved, as Linux's `SCHED_IDLE` could be by other programs
/// keeping every core busy while the bulk write waits for its part in hand (and an
/// unprivileged thread cannot come back from it). Elsewhere, or refused, it stays as it was.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `gettid` has no preconditions; `setpriority` on Linux changes the nice value
        // of the one thread named, and raising it needs no privilege.
        let done =
            unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, NICE) };
        if done != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "sealing ahead at the usual priority");
        }
    }
}

/// Removes the parts written ahead (the seal they were for did not happen).
pub fn remove(path: &Path, ahead: &Ahead) {
    let dir = sealed_dir(path);
    for &(start, end) in &ahead.parts {
        let part = dir.join(part_name(start, end));
        if let Err(e) = std::fs::remove_file(&part) {
            tracing::warn!(part = %part.display(), error = %e, "a part sealed ahead was not removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::SEALED_DIR;
    use super::super::sealed::tests::{commands, joined_to, parts, store_with};
    use super::super::sealed::{Live, PART_SIZE, part_range};
    use crate::store::tests::capture;
    use crate::store::*;

    /// Appends captures numbered from `first` until the journal holds `len` bytes or more.
    fn captures_to(store: &Store, first: u128, len: u64) -> Result<u128, StoreError> {
        let mut n = first;
        while store.journal_len() < len {
            store
                .append(vec![capture(ulid::Ulid(n * 1000), n * 1000 + 1)])
                .map_err(|e| StoreError::Engine(e.to_string()))?;
            n += 1;
        }
        Ok(n)
    }

    /// Waits (a while at most) until the parts' folder holds more than `before` parts.
    fn parts_written_ahead(dir: &Path, before: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        while parts(dir).len() <= before {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// Each sealed part's name and bytes, unpacked.
    type Unpacked = Vec<(String, Vec<u8>)>;

    fn unpacked(dir: &Path) -> Result<Unpacked, Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        for name in parts(dir) {
            let packed = std::fs::read(dir.join(SEALED_DIR).join(&name))?;
            out.push((name, zstd::stream::decode_all(packed.as_slice())?));
        }
        Ok(out)
    }

    #[test]
    fn parts_sealed_ahead_during_a_bulk_write_are_what_a_seal_at_its_end_writes()
    -> Result<(), Box<dyn std::error::Error>> {
        let (ahead, whole) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let path = ahead.path().join(JOURNAL_FILE);
        let (store, _) = Store::open(ahead.path())?;
        store.begin_bulk()?;
        let n = captures_to(&store, 1, 3 * SEAL_AT)?;
        // Written while the bulk write goes on; the live file is not replaced until it ends
        // (undoing it cuts the live file back).
        assert!(
            parts_written_ahead(ahead.path(), 0),
            "no part was sealed ahead"
        );
        assert_eq!(Live::of(&path)?, Live::default());
        assert_eq!(commands(&path, 0)?.len() as u128, n - 1);
        let len = store.journal_len();
        store.end_bulk()?;
        let ranges = joined_to(ahead.path(), len);
        assert!(ranges.len() > 3, "{ranges:?}");
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);

        // The same commands, not in bulk, sealed whole at once.
        let (store, _) = Store::open(whole.path())?;
        captures_to(&store, 1, 3 * SEAL_AT)?;
        store.seal_journal_now()?;
        assert_eq!(unpacked(ahead.path())?, unpacked(whole.path())?);
        assert_eq!(
            commands(&path, 0)?,
            commands(&whole.path().join(JOURNAL_FILE), 0)?
        );
        Ok(())
    }

    #[test]
    fn a_bulk_write_shorter_than_a_part_seals_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        store.begin_bulk()?;
        captures_to(&store, 1, PART_SIZE / 2)?;
        assert!(store.journal_len() < PART_SIZE);
        store.end_bulk()?;
        assert!(!dir.path().join(SEALED_DIR).exists());
        assert_eq!(Live::of(&dir.path().join(JOURNAL_FILE))?, Live::default());
        Ok(())
    }

    #[test]
    fn a_bulk_write_that_sealed_parts_ahead_is_sealed_at_its_end_however_short()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let (store, _) = Store::open(dir.path())?;
        store.begin_bulk()?;
        // Parts' worth, short of the length a desk's opening seals at.
        captures_to(&store, 1, SEAL_AT - PART_SIZE)?;
        assert!(
            parts_written_ahead(dir.path(), 0),
            "no part was sealed ahead"
        );
        let (len, before) = (store.journal_len(), commands(&path, 0)?);
        assert!((2 * PART_SIZE..SEAL_AT).contains(&len), "{len}");
        store.end_bulk()?;
        // The live file replaced: the parts run to its base, the last part cut at the end.
        assert_eq!(Live::of(&path)?.base, len);
        assert!(joined_to(dir.path(), len).len() >= 2);
        assert_eq!(commands(&path, 0)?, before);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn sealing_ahead_runs_at_the_lowest_priority() -> Result<(), Box<dyn std::error::Error>> {
        // SAFETY: `gettid` and `getpriority` only read the calling thread's id and nice value.
        let nice =
            || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = nice();
        let (usual, lowest) = std::thread::spawn(move || {
            let usual = nice();
            super::lowest_priority();
            (usual, nice())
        })
        .join()
        .map_err(|_| "the thread panicked")?;
        assert_eq!(usual, before);
        assert_eq!(lowest, super::NICE);
        // The thread that asked is the only one changed.
        assert_eq!(nice(), before);
        Ok(())
    }

    #[test]
    fn a_bulk_write_stopped_or_killed_leaves_no_part_sealed_ahead_to_be_read()
    -> Result<(), Box<dyn std::error::Error>> {
        for killed in [false, true] {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join(JOURNAL_FILE);
            // A journal sealed once before: its live file starts past 0.
            let store = store_with(dir.path(), 40, 1)?;
            store.seal_journal_now()?;
            let (before, sealed) = (commands(&path, 0)?, parts(dir.path()));
            store.begin_bulk()?;
            captures_to(&store, 100, store.journal_len() + 3 * SEAL_AT)?;
            assert!(parts_written_ahead(dir.path(), sealed.len()));
            if killed {
                // Killed: the parts written ahead stay, past the live file's base.
                drop(store);
            } else {
                // Stopped by an error: they go.
                store.abandon_bulk();
                assert_eq!(parts(dir.path()), sealed);
                drop(store);
            }
            let (store, report) = Store::open(dir.path())?;
            assert!(report.undone_bulk.is_some());
            assert_eq!(commands(&path, 0)?, before);
            // Other commands at the same offsets, sealed: none of the old parts is taken.
            let n = captures_to(&store, 500, store.journal_len() + 3 * SEAL_AT)?;
            store.seal_journal_now()?;
            let len = store.journal_len();
            joined_to(dir.path(), len);
            let after = commands(&path, 0)?;
            assert_eq!(after[..before.len()], before[..]);
            let ids: Vec<u128> = after[before.len()..].iter().map(|c| c.0[0]).collect();
            assert_eq!(ids, (500..n).map(|i| i * 1000 + 1).collect::<Vec<_>>());
            assert!(
                parts(dir.path())
                    .iter()
                    .filter_map(|p| part_range(p))
                    .all(|(_, end)| end <= len)
            );
            assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        }
        Ok(())
    }
}
