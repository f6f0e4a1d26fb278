//! Checking the store against its events, and copying it whole.

use super::*;

pub(super) fn ensure_empty_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(io_err(format!("reading {}", dir.display())))?;
        if entries.next().is_some() {
            return Err(StoreError::TargetNotEmpty(dir.to_path_buf()));
        }
    } else {
        std::fs::create_dir_all(dir).map_err(io_err(format!("creating {}", dir.display())))?;
    }
    Ok(())
}

impl Store {
    // ----- integrity, backup, rebuild -----

    /// Checks that every projection is the fold of its events and that the indexes agree with
    /// the projections. Returns the problems found (empty when all is well).
    pub fn verify(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut by_status = 0usize;
        let mut count = 0u64;
        let mut numbers = HashSet::new();
        let mut days = super::days::ExpectedDays::default();
        let mut cohorts = super::cohorts::ExpectedCohorts::default();
        for appeal in self.summaries() {
            let appeal = appeal?;
            count += 1;
            let events = self.events_of(appeal.id)?;
            let whole = fold(appeal.id, &events);
            days.add(appeal.id, whole.as_ref().ok(), &events);
            cohorts.add(&appeal);
            match whole {
                Ok(whole) if whole.summary() == appeal => {}
                Ok(_) => problems.push(format!(
                    "appeal {}: projection differs from its events",
                    appeal.number
                )),
                Err(e) => problems.push(format!("appeal {}: {e}", appeal.number)),
            }
            if !numbers.insert(appeal.number) {
                problems.push(format!("number {} is given to two appeals", appeal.number));
            }
            match self
                .get_either(BY_STATUS, &status_key(appeal.status, appeal.number), true)?
                .map(|(v, _)| v)
            {
                None => problems.push(format!(
                    "appeal {}: missing from the status index",
                    appeal.number
                )),
                Some(v) if *v != brief::encode(&appeal.brief())? => problems.push(format!(
                    "appeal {}: its entry in the list differs from it",
                    appeal.number
                )),
                Some(_) => {}
            }
            by_status += 1;
        }
        let archive = self.archive(false)?;
        let archived_entries = match &archive {
            Some(a) => a.entries()?,
            None => 0,
        };
        if self.engine()?.entries()? + archived_entries != by_status {
            problems.push("the status index has entries for no appeal".to_string());
        }
        if let Some(archive) = &archive {
            let live = self.engine()?;
            let dictionaries = live.dictionaries.get();
            for tree in drawer::DRAWN {
                problems.extend(archive.keyed(tree).check_drawers(TREE_NAMES[tree])?);
            }
            for kv in archive.keyed(APPEALS).iter() {
                let (k, v) = kv?;
                let appeal = packing::summary(&v, dictionaries.as_deref())?;
                if live.trees[HISTORIES].contains_key(&k)? {
                    problems.push(format!(
                        "appeal {} is both in the store and in its archive",
                        appeal.number
                    ));
                }
                if !matches!(appeal.status, Status::Closed | Status::Withdrawn) {
                    problems.push(format!("appeal {} is archived but open", appeal.number));
                }
            }
        }
        if self.appeal_count() != count {
            problems.push("the appeal count disagrees with the appeals".to_string());
        }
        for kv in self.both_iter(HISTORIES) {
            let (k, _) = kv?;
            if let Some(id) = read_id(&k)
                && self.summary(id)?.is_none()
            {
                problems.push(format!("events of appeal {id} have no projection"));
            }
        }
        problems.extend(self.verify_days(days)?);
        problems.extend(self.verify_cohorts(cohorts)?);
        Ok(problems)
    }

    /// Reads the journal whole and compares it with the store: every line must be whole and
    /// unchanged (its checksum), and hold an event the store has, as the store has it; every
    /// event of the store must be in the journal. The first problem names the first line that
    /// differs.
    pub fn verify_journal(&self) -> Result<Vec<String>, StoreError> {
        // What the journal says, event by event (a later line with the same event — the hub's
        // stamp added — replaces an earlier one, as it does in the store).
        let mut said: HashMap<u128, (usize, u64)> = HashMap::new();
        let mut problems: Vec<(usize, String)> = Vec::new();
        let path = self.journal_path();
        journal::scan(&path, |line, event| match event {
            Ok(event) => {
                said.insert(event.id.0, (line, digest(&event)));
            }
            Err(why) => problems.push((line, format!("journal line {line} {why}"))),
        })?;
        let mut check = |event: &Event, whose: &dyn Fn() -> String| match said.remove(&event.id.0) {
            Some((_, d)) if d == digest(event) => {}
            Some((line, _)) => problems.push((
                line,
                format!("journal line {line} differs from {} in the store", whose()),
            )),
            None => problems.push((
                usize::MAX,
                format!("{} in the store is in no line of the journal", whose()),
            )),
        };
        let engine = self.engine()?;
        let dictionaries = engine.dictionaries.get();
        for kv in self.both_iter(HISTORIES) {
            let (k, stored) = kv?;
            let id = read_id(&k).ok_or_else(|| StoreError::Corrupt("a history key".into()))?;
            let events = history::events(&packing::history(&stored, dictionaries.as_deref())?)?;
            let number = fold(id, &events).map(|a| a.number).unwrap_or(0);
            for event in &events {
                check(event, &|| format!("an event of appeal {number}"));
            }
        }
        for kv in engine.trees[EVENTS].iter() {
            let (_, v) = kv?;
            let event: Event = codec::decode(&v, "an event")?;
            check(&event, &|| "a registry event".to_string());
        }
        for (line, _) in said.into_values() {
            problems.push((
                line,
                format!("journal line {line} holds an event the store lacks"),
            ));
        }
        problems.sort_by_key(|(line, _)| *line);
        let mut out: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
        if let Some(first) = out.first_mut() {
            *first = format!("the journal and the store first differ here: {first}");
        }
        Ok(out)
    }

    /// Writes a consistent copy (journal, store, and the files `also` names) into `target`,
    /// which must be new or empty. Holds the write lock throughout, so no command lands half in
    /// the copy. The copy is made under another name, marked incomplete, and put in place only
    /// once whole: a copy cut short (a full disk) is never taken for a desk.
    pub fn backup(&self, target: &Path, also: &[&Path]) -> Result<(), StoreError> {
        let w = self.writer();
        if target.exists() {
            ensure_empty_dir(target)?;
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "backup".into());
        let partial = target.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let made = self.backup_into(&w, &partial, also).and_then(|()| {
            std::fs::remove_file(partial.join(INCOMPLETE_MARK))
                .map_err(io_err(format!("finishing {}", partial.display())))?;
            if target.exists() {
                std::fs::remove_dir(target)
                    .map_err(io_err(format!("replacing the empty {}", target.display())))?;
            }
            std::fs::rename(&partial, target)
                .map_err(io_err(format!("putting the copy at {}", target.display())))?;
            sync_parent(target)
        });
        if made.is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
        made
    }

    fn backup_into(&self, w: &Writer, dir: &Path, also: &[&Path]) -> Result<(), StoreError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io_err(format!("removing {}", dir.display())))?;
        }
        crate::desk::paths::create_private_dir(dir)
            .map_err(io_err(format!("creating {}", dir.display())))?;
        crate::desk::paths::write_private(&dir.join(INCOMPLETE_MARK), b"a backup being written\n")
            .map_err(io_err(format!("creating {}", dir.display())))?;
        let journal_copy = dir.join(JOURNAL_FILE);
        copy_private(w.journal.path(), &journal_copy)?;
        let sealed = self.dir.join(journal::SEALED_DIR);
        if sealed.is_dir() {
            let to = dir.join(journal::SEALED_DIR);
            crate::desk::paths::copy_tree(&sealed, &to).map_err(io_err(format!(
                "copying {} to {}",
                sealed.display(),
                to.display()
            )))?;
        }
        for file in also {
            if let Some(name) = file.file_name() {
                copy_private(file, &dir.join(name))?;
            }
        }
        let store = dir.join(STORE_DIR);
        copy_engine(&self.engine()?.db, &store, dir)?;
        if let Some(archive) = self.archive(false)? {
            copy_engine(&archive.db, &store.join(super::archive::ARCHIVE_DIR), dir)?;
        }
        Ok(())
    }
}

/// A copy of a sled database at `path` (new) in the data directory `dir`, on disk when done.
fn copy_engine(db: &sled::Db, path: &Path, dir: &Path) -> Result<(), StoreError> {
    let copy = super::open::open_engine(path, dir, Cache::Ample)?;
    copy.import(db.export());
    copy.flush()?;
    File::open(path.join("db"))
        .and_then(|f| f.sync_all())
        .map_err(io_err(format!("syncing the copy in {}", dir.display())))
}

/// In a data directory, this file says a backup was being written there and never finished.
pub const INCOMPLETE_MARK: &str = "BACKUP-INCOMPLETE";

/// Copies a file readable by its owner only (see [`crate::desk::paths::copy_private`]).
fn copy_private(from: &Path, to: &Path) -> Result<(), StoreError> {
    crate::desk::paths::copy_private(from, to).map_err(io_err(format!(
        "copying {} to {}",
        from.display(),
        to.display()
    )))
}

/// Makes a rename in `path`'s directory durable.
fn sync_parent(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io_err(format!("syncing {}", parent.display())))?;
    }
    Ok(())
}

/// An event's fingerprint, the same for the journal's copy and the store's.
fn digest(event: &Event) -> u64 {
    use sha2::Digest;
    let text = serde_json::to_vec(&event.as_text()).unwrap_or_default();
    let d = sha2::Sha256::digest(&text);
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}
