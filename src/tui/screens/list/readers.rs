//! Reading every appeal's row on other threads, batch by batch, while the desk answers keys.

use super::*;

/// How many rows the reader sends at a time.
const BATCH: usize = 10_000;

/// One reader's work: batches of rows until its share is read, then the names it met.
fn read_rows(mut loader: ListLoader, send: &Sender<Batch>) {
    loop {
        let batch = match loader.next_batch(BATCH) {
            Ok(batch) if batch.rows.is_empty() => break,
            Ok(batch) => Batch::Rows(batch),
            Err(e) => Batch::Failed(e),
        };
        let failed = matches!(batch, Batch::Failed(_));
        // A send fails only when the list was read anew: this reader is not needed.
        if send.send(batch).is_err() || failed {
            return;
        }
    }
    let _ = send.send(Batch::Done(loader.into_names()));
}

/// What a reader thread sends.
pub(super) enum Batch {
    Rows(RowBatch),
    Done(Names),
    Failed(DeskError),
}

/// The rows still being read on another thread.
pub(super) struct Reading {
    pub(super) batches: Receiver<Batch>,
    pub(super) total: u64,
    /// Appeals changed here while the readers were going: their copies of them are older.
    pub(super) changed: HashSet<AppealId>,
    /// Readers not yet done.
    pub(super) readers: usize,
}

impl super::ListScreen {
    /// Reads every row again, on other threads (one a loader): the list fills batch by batch
    /// while the desk answers keys.
    pub fn start_reading(
        &mut self,
        loaders: impl IntoIterator<Item = ListLoader>,
        total: u64,
    ) -> Result<(), DeskError> {
        let (send, batches) = channel();
        self.entries = Vec::new();
        self.texts.clear();
        // Room for every row at once: growing by doubling would hold two copies at the end. The
        // count comes from the store, so a room that cannot be had is simply not made.
        let room = usize::try_from(total).unwrap_or(0).saturating_add(64);
        let _ = self.entries.try_reserve_exact(room);
        self.view.clear();
        self.counts = [0; 6];
        self.job = None;
        self.reading = Some(Reading {
            batches,
            total,
            changed: HashSet::new(),
            readers: 0,
        });
        for loader in loaders {
            let send = send.clone();
            let reader = move || read_rows(loader, &send);
            if let Err(e) = std::thread::Builder::new()
                .name("list reader".into())
                .spawn(reader)
            {
                tracing::error!("cannot start a list reader: {e}");
                self.reading = None;
                return Err(DeskError::ListUnread);
            }
            if let Some(r) = &mut self.reading {
                r.readers += 1;
            }
        }
        Ok(())
    }

    /// Whether rows are still being read.
    pub fn reading(&self) -> bool {
        self.reading.is_some()
    }

    /// Takes in what the reader has sent so far; returns whether it has more to send.
    pub fn receive(&mut self) -> Result<bool, DeskError> {
        loop {
            let Some(reading) = &self.reading else {
                return Ok(false);
            };
            match reading.batches.try_recv() {
                Ok(batch) => self.take(batch)?,
                Err(TryRecvError::Empty) => return Ok(true),
                Err(TryRecvError::Disconnected) => {
                    self.reading = None;
                    return Err(DeskError::ListUnread);
                }
            }
        }
    }

    /// Waits until every row is read and the filter has run (tests, benchmarks).
    pub fn finish_reading(&mut self) -> Result<(), DeskError> {
        while let Some(reading) = &self.reading {
            match reading.batches.recv() {
                Ok(batch) => self.take(batch)?,
                Err(_) => {
                    self.reading = None;
                    return Err(DeskError::ListUnread);
                }
            }
        }
        self.settle();
        Ok(())
    }

    fn take(&mut self, batch: Batch) -> Result<(), DeskError> {
        match batch {
            Batch::Rows(RowBatch { mut rows, texts }) => {
                let first = self.entries.len();
                if let Some(r) = self.reading.as_ref().filter(|r| !r.changed.is_empty()) {
                    rows.retain(|row| !r.changed.contains(&row.id));
                }
                self.texts.append(texts, &mut rows);
                for row in &rows {
                    self.count(row, 1);
                }
                self.entries.extend(rows);
                // The filter goes on over the new rows; what it found so far stays.
                if self.job.is_none() {
                    self.job = Some(Job {
                        query: Query::new(&self.filter.text()),
                        next: first,
                        found: self.view.clone(),
                        keep: self.selected_number(),
                        matched: self.matched,
                    });
                }
                Ok(())
            }
            Batch::Done(names) => {
                self.names.absorb(names);
                if let Some(r) = &mut self.reading {
                    r.readers = r.readers.saturating_sub(1);
                    if r.readers == 0 {
                        self.reading = None;
                        // Every appeal is in: an empty tab gives way to one with appeals.
                        self.open_on_a_tab_with_appeals();
                    }
                }
                Ok(())
            }
            Batch::Failed(e) => {
                self.reading = None;
                Err(e)
            }
        }
    }
}
