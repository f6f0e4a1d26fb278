//! What `rebuild` must never do — throw away history it cannot replace — and the ways back:
//! the journal written anew from the store's histories (they hold every event), and a replaced
//! store brought back.

use super::*;

/// What writing the journal anew did.
#[derive(Debug)]
pub struct Rewritten {
    pub events: usize,
    /// The journal it replaced (cut short or from elsewhere), kept beside; none if it was missing.
    pub old_journal: Option<PathBuf>,
}

/// A store brought back in place of the current one.
#[derive(Debug)]
pub struct Undone {
    pub restored: PathBuf,
    /// Where the store it replaced went.
    pub set_aside: PathBuf,
}

/// Refuses when the journal (missing counts as empty) is shorter than `applied` bytes.
pub(super) fn journal_covers(data_dir: &Path, applied: u64) -> Result<(), StoreError> {
    let journal = journal::journal_len(&data_dir.join(JOURNAL_FILE))?;
    if journal < applied {
        return Err(StoreError::JournalBehind { journal, applied });
    }
    Ok(())
}

impl Store {
    /// Refuses to rebuild when the journal is missing or shorter than what the current store
    /// has applied: a rebuild would lose what only the store still holds.
    pub(super) fn check_journal_covers_store(data_dir: &Path) -> Result<(), StoreError> {
        let current = data_dir.join(STORE_DIR);
        if !current.exists() {
            return Ok(());
        }
        let applied = match super::open::open_parts(data_dir, &current, Cache::Ample) {
            Ok((_, meta)) => meta.journal_len,
            Err(StoreError::OldLayout { journal_len }) => journal_len,
            // A store that does not open holds nothing a rebuild could keep; it is kept aside.
            Err(StoreError::Corrupt(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        journal_covers(data_dir, applied)
    }

    /// Writes the journal anew from the store: every event of every history and of the
    /// registry, in the order they happened. The journal it replaces is kept beside.
    pub fn rewrite_journal(data_dir: &Path) -> Result<Rewritten, StoreError> {
        let lock = DeskLock::acquire(data_dir)?;
        let current = data_dir.join(STORE_DIR);
        let (engine, mut meta) = super::open::open_parts(data_dir, &current, Cache::Ample)?;
        let mut registry = Vec::new();
        for kv in engine.trees[EVENTS].iter() {
            let (_, v) = kv?;
            registry.push(codec::decode::<Event>(&v, "an event")?);
        }
        let mut lists: Vec<std::collections::VecDeque<Event>> = vec![registry.into()];
        let archived = current.join(super::archive::ARCHIVE_DIR);
        let archive = match archived.exists() {
            true => Some(super::archive::open_archive(
                data_dir,
                &archived,
                Cache::Ample,
            )?),
            false => None,
        };
        let histories = engine.keyed(HISTORIES).iter();
        let histories = match &archive {
            Some(a) => super::archive::merged(histories, a.keyed(HISTORIES).iter()),
            None => histories,
        };
        let dictionaries = engine.dictionaries.get();
        for kv in histories {
            let (_, stored) = kv?;
            lists.push(
                history::events(&packing::history(&stored, dictionaries.as_deref())?)?.into(),
            );
        }
        // Each list keeps its own order; across them the earliest head goes first (the
        // registry first on a tie: a steward exists before the step that names them).
        let mut lines = Vec::new();
        let mut events = 0usize;
        loop {
            let next = lists
                .iter()
                .enumerate()
                .filter_map(|(i, l)| l.front().map(|e| (e.at, i)))
                .min();
            let Some((_, i)) = next else { break };
            let Some(event) = lists[i].pop_front() else {
                break;
            };
            lines.extend(journal::encode(std::slice::from_ref(&event))?);
            events += 1;
        }
        let path = data_dir.join(JOURNAL_FILE);
        let fresh = data_dir.join("journal.jsonl.rewriting");
        crate::desk::paths::write_private(&fresh, &lines)
            .map_err(io_err(format!("writing {}", fresh.display())))?;
        let old_journal = if path.exists() {
            let old = aside(data_dir, "journal.jsonl.replaced");
            std::fs::rename(&path, &old)
                .map_err(io_err(format!("moving {} aside", path.display())))?;
            Some(old)
        } else {
            None
        };
        std::fs::rename(&fresh, &path).map_err(io_err(format!(
            "putting the new journal at {}",
            path.display()
        )))?;
        // The old journal's sealed parts go beside it (the new one is whole: nothing reads
        // them, were this stopped before they go).
        let sealed = data_dir.join(journal::SEALED_DIR);
        if sealed.exists() {
            let old = aside(data_dir, "journal.sealed.replaced");
            std::fs::rename(&sealed, &old)
                .map_err(io_err(format!("moving {} aside", sealed.display())))?;
        }
        meta.journal_len = lines.len() as u64;
        engine.trees[META].insert("journal_len", &u64_key(meta.journal_len)[..])?;
        engine.sync()?;
        drop(lock);
        Ok(Rewritten {
            events,
            old_journal,
        })
    }

    /// Brings back the store the last rebuild (or the last repair of a damaged store) replaced;
    /// the current one is set aside in its turn.
    pub fn undo_rebuild(data_dir: &Path) -> Result<Undone, StoreError> {
        let _lock = DeskLock::acquire(data_dir)?;
        let mut kept: Vec<(String, PathBuf)> = std::fs::read_dir(data_dir)
            .map_err(io_err(format!("reading {}", data_dir.display())))?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                ["store.replaced-", "store.damaged-"]
                    .iter()
                    .find_map(|p| name.strip_prefix(p))
                    .map(|time| (time.to_string(), entry.path()))
            })
            .collect();
        kept.sort();
        let Some((_, restored)) = kept.pop() else {
            return Err(StoreError::NothingToUndo(data_dir.to_path_buf()));
        };
        let current = data_dir.join(STORE_DIR);
        let set_aside = aside(data_dir, "store.undone");
        if current.exists() {
            std::fs::rename(&current, &set_aside)
                .map_err(io_err(format!("moving {} aside", current.display())))?;
        }
        std::fs::rename(&restored, &current)
            .map_err(io_err(format!("bringing back {}", restored.display())))?;
        Ok(Undone {
            restored,
            set_aside,
        })
    }
}
