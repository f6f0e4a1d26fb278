//! The store: the only module that knows sled. Events go to the journal first (fsynced), then
//! one sled transaction writes the events, the projections, the indexes and the counters of the
//! command together; success is reported after `flush()` and an fsync of sled's data file.

mod brief;
mod codec;
mod history;
pub mod journal;
mod keys;
mod lock;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::domain::{
    Appeal, AppealChange, AppealId, Enterprise, Event, EventBody, Meeting, Refusal, Status,
    Steward, number,
};
use journal::Journal;
use keys::{id_key, read_id, read_u64, status_key, u64_key};
use lock::DeskLock;

pub use codec::SCHEMA_VERSION;
pub use journal::JOURNAL_VERSION;

const STORE_DIR: &str = "store";
const JOURNAL_FILE: &str = "journal.jsonl";

/// How much of the store sled keeps in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cache {
    /// For commands and bulk writes: an import of 100,000 appeals takes 12-14 s with it (48 MB
    /// or 64 MB alike, 25 MB less memory with 48), 21 s with the lean one.
    #[default]
    Ample,
    /// For the desk in the terminal, which holds its own list and stays open for hours.
    Lean,
}

impl Cache {
    fn bytes(self) -> u64 {
        match self {
            Cache::Ample => 48 * 1024 * 1024,
            Cache::Lean => 16 * 1024 * 1024,
        }
    }
}
/// Events replayed from the journal per transaction.
const REPLAY_BATCH_EVENTS: usize = 10_000;
/// How the trees are laid out. 1: three keys per event, whole projections; 2: one history per
/// appeal, and the `appeals` tree holds summaries (the whole appeal is the fold of its history);
/// 3: briefs in the status index; 4: no tree of numbers; 5: values of schema 2 (times, dates and
/// identities as numbers); 6: histories packed (`history::pack`); 7: events name their desk and
/// carry the hub's stamp, appeals count their steps not in effect. A store of an older layout is
/// rebuilt from the journal on open.
const LAYOUT: u64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store in {} is already open{}; close the other zhuqi first (or use another --data-dir)",
        dir.display(),
        pid.map(|p| format!(" by process {p}")).unwrap_or_default()
    )]
    AlreadyOpen { dir: PathBuf, pid: Option<u32> },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the storage engine failed: {0}")]
    Engine(String),
    #[error("the store is damaged: {0}; rebuild it from the journal with `zhuqi rebuild`")]
    Corrupt(String),
    #[error(
        "this data was written by a newer zhuqi (schema {found}, this one reads up to {supported}); update zhuqi"
    )]
    NewerSchema { found: u8, supported: u8 },
    #[error("the journal {} cannot be read at line {line}: {message}", path.display())]
    Journal {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "the journal is shorter ({journal} bytes) than the store has applied ({applied} bytes): \
         it was truncated or replaced; restore it from a backup"
    )]
    JournalBehind { journal: u64, applied: u64 },
    #[error(
        "the journal holds an event the lifecycle refuses ({0:?}); restore the journal from a backup"
    )]
    Replay(Refusal),
    #[error("appeal number {0} is already taken")]
    NumberTaken(u64),
    #[error(
        "a write failed half-way and could not be undone; restart zhuqi to recover from the journal"
    )]
    Poisoned,
    #[error("{} already exists and is not empty; choose a new directory", .0.display())]
    TargetNotEmpty(PathBuf),
    /// Internal: the store was written in an older layout (rebuilt on open, never shown).
    #[error("the store was written by an older zhuqi; rebuild it with `zhuqi rebuild`")]
    OldLayout { journal_len: u64 },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            sled::Error::Corruption { .. } => StoreError::Corrupt(e.to_string()),
            other => StoreError::Engine(other.to_string()),
        }
    }
}

/// Why an append did not happen. Either way, nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// This desk's own commands read from the journal, each with the offset just after it, and the
/// offset where reading stopped.
pub type OwnCommands = (Vec<(Vec<Event>, u64)>, u64);

/// What taking in the hub's events did.
#[derive(Debug, Default)]
pub struct HubIntake {
    /// The appeals the events touched, as they are now.
    pub appeals: Vec<Appeal>,
    /// Appeals whose number changed (provisional → final): (before, after).
    pub renumbered: Vec<(u64, u64)>,
    /// Appeals the store did not hold before.
    pub new_appeals: usize,
    /// Steps found not in effect.
    pub new_conflicts: u32,
}

/// What opening found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Commands found in the journal but not in the store, now applied.
    pub replayed: usize,
    /// Bytes of a command torn by a crash, cut from the journal's end.
    pub torn_bytes: u64,
    /// The store was of an older layout and was rebuilt from the journal; the old one is here.
    pub upgraded_from: Option<PathBuf>,
}

// Tree positions in the transaction slice. An appeal's events live in its history; `events` and
// `event_ids` hold the others (enterprises, stewards, departments, meetings), which are few.
// An appeal is found by its number in `by_status` (one look per status): a tree of its own for
// numbers cost a quarter of sled's open, in time and memory (layout 3).
const EVENTS: usize = 0;
const HISTORIES: usize = 1;
const APPEALS: usize = 2;
const BY_STATUS: usize = 3;
const ENTERPRISES: usize = 4;
const STEWARDS: usize = 5;
const DEPARTMENTS: usize = 6;
const MEETINGS: usize = 7;
const META: usize = 8;
const EVENT_IDS: usize = 9;
const EXTERNAL_IDS: usize = 10;
const ALIASES: usize = 11;
/// Appeals with steps not in effect (a handful): the desk lists them without reading the rest.
const CONFLICTED: usize = 12;
const TREE_NAMES: [&str; 13] = [
    "events",
    "histories",
    "appeals",
    "by_status",
    "enterprises",
    "stewards",
    "departments",
    "meetings",
    "meta",
    "event_ids",
    "external_ids",
    "aliases",
    "conflicted",
];

/// Counters kept in the `meta` tree, changed in the same transaction as the data they count.
#[derive(Clone, Copy, Debug, Default)]
struct Meta {
    next_seq: u64,
    last_number: u64,
    last_meeting: u64,
    appeals: u64,
    journal_len: u64,
    /// The last place in the hub's history this store holds.
    hub_seq: u64,
    /// Provisional numbers given on this desk (appeals, meetings) while on a hub.
    last_provisional: u64,
    last_provisional_meeting: u64,
    /// Appeals with steps not in effect.
    conflicted: u64,
}

const META_KEYS: [&str; 9] = [
    "next_seq",
    "last_number",
    "last_meeting",
    "appeals",
    "journal_len",
    "hub_seq",
    "last_provisional",
    "last_provisional_meeting",
    "conflicted",
];

impl Meta {
    fn values(&self) -> [u64; 9] {
        [
            self.next_seq,
            self.last_number,
            self.last_meeting,
            self.appeals,
            self.journal_len,
            self.hub_seq,
            self.last_provisional,
            self.last_provisional_meeting,
            self.conflicted,
        ]
    }

    fn set(&mut self, values: [u64; 9]) {
        [
            self.next_seq,
            self.last_number,
            self.last_meeting,
            self.appeals,
            self.journal_len,
            self.hub_seq,
            self.last_provisional,
            self.last_provisional_meeting,
            self.conflicted,
        ] = values;
    }
}

enum Op {
    Put(usize, Vec<u8>, Vec<u8>),
    Del(usize, Vec<u8>),
}

/// Everything one command writes, worked out before the transaction so that its closure is pure.
struct Plan {
    ops: Vec<Op>,
    meta: Meta,
    appeals: Vec<Appeal>,
    /// Appeals whose number changed: (before, after), as the hub gave final numbers.
    renumbered: Vec<(u64, u64)>,
    /// Appeals this command brought that the store did not hold.
    new_appeals: usize,
    /// Steps this command put out of effect (or brought in out of effect).
    new_conflicts: u32,
}

/// One appeal a command changes.
struct Touched {
    id: AppealId,
    before: Option<Appeal>,
    after: Option<Appeal>,
    events: Vec<Event>,
}

impl Touched {
    fn number(&self) -> Option<u64> {
        self.after.as_ref().map(|a| a.number)
    }
}

/// `kind ‖ number` in the aliases tree: `a` an appeal's earlier number (→ its identity), `m` a
/// meeting's earlier number (→ its number now).
fn alias_key(kind: u8, number: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = kind;
    k[1..].copy_from_slice(&u64_key(number));
    k
}

struct Writer {
    journal: Journal,
    meta: Meta,
    poisoned: bool,
}

pub struct Store {
    /// Captures and meetings get provisional numbers (the desk is on a hub).
    provisional: std::sync::atomic::AtomicBool,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    drafts: sled::Tree,
    db_file: File,
    dir: PathBuf,
    writer: Mutex<Writer>,
    _lock: Option<DeskLock>,
}

/// See [`Store::summaries_apart`].
pub type SummariesApart = Box<dyn Iterator<Item = Result<Appeal, StoreError>> + Send>;

/// Briefs read state by state; see [`Store::briefs`].
pub struct BriefCursor {
    by_status: sled::Tree,
    order: std::vec::IntoIter<(Status, RangeInclusive<u64>)>,
    current: Option<sled::Iter>,
}

impl BriefCursor {
    /// Hands the next brief to `f` (its strings live only as long as the call); `None` once
    /// every state named is read.
    pub fn next_with<R>(
        &mut self,
        f: impl FnOnce(crate::domain::Brief<'_>) -> R,
    ) -> Option<Result<R, StoreError>> {
        loop {
            if let Some(entry) = self.current.as_mut().and_then(|it| it.next()) {
                return Some(
                    entry
                        .map_err(StoreError::from)
                        .and_then(|(k, v)| brief::decode(&k, &v).map(f)),
                );
            }
            let (status, numbers) = self.order.next()?;
            let (first, last) = numbers.into_inner();
            self.current = Some(
                self.by_status
                    .range(status_key(status, first)..=status_key(status, last)),
            );
        }
    }
}

fn io_err(what: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

fn open_engine(path: &Path, data_dir: &Path, cache: Cache) -> Result<sled::Db, StoreError> {
    // Callers hold the desk lock, so no other zhuqi has this store open. But a sled database just
    // closed by this process (a rebuild reopens the one it built) lets go of its file only when
    // its last background writes finish: wait for that, briefly.
    let mut waited = std::time::Duration::ZERO;
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache.bytes())
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
fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

const ENGINE_RETRY: std::time::Duration = std::time::Duration::from_millis(20);
const ENGINE_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Store {
    /// Opens (or creates) the store in `data_dir`, taking the desk lock, and applies any
    /// journal commands the store lacks.
    pub fn open(data_dir: &Path) -> Result<(Store, OpenReport), StoreError> {
        Store::open_with(data_dir, Cache::default())
    }

    /// As [`Store::open`], with the cache given.
    pub fn open_with(data_dir: &Path, cache: Cache) -> Result<(Store, OpenReport), StoreError> {
        let lock = DeskLock::acquire(data_dir)?;
        match Store::open_locked(data_dir, &data_dir.join(STORE_DIR), Some(lock), cache) {
            Ok(store) => {
                let report = store.catch_up()?;
                Ok((store, report))
            }
            Err(StoreError::OldLayout { journal_len }) => {
                // The journal holds everything: lay the store out anew from it — unless it is
                // shorter than what the store holds.
                let journal = std::fs::metadata(data_dir.join(JOURNAL_FILE))
                    .map(|m| m.len())
                    .unwrap_or(0);
                if journal < journal_len {
                    return Err(StoreError::JournalBehind {
                        journal,
                        applied: journal_len,
                    });
                }
                let (store, old) = Store::rebuild_with(data_dir, cache)?;
                tracing::info!(old = %old.display(), "store of an older layout rebuilt from the journal");
                let report = OpenReport {
                    upgraded_from: Some(old),
                    ..OpenReport::default()
                };
                Ok((store, report))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens the engine at `path`; the caller holds the desk lock (`lock` is kept, if given).
    fn open_locked(
        data_dir: &Path,
        path: &Path,
        lock: Option<DeskLock>,
        cache: Cache,
    ) -> Result<Store, StoreError> {
        let db = open_engine(path, data_dir, cache)?;
        let trees = TREE_NAMES
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()?;
        let drafts = db.open_tree("drafts")?;
        let db_file = File::open(path.join("db"))
            .map_err(io_err(format!("opening {}", path.join("db").display())))?;
        let journal = Journal::open(&data_dir.join(JOURNAL_FILE))?;
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
        Ok(Store {
            provisional: std::sync::atomic::AtomicBool::new(false),
            db,
            trees,
            drafts,
            db_file,
            dir: data_dir.to_path_buf(),
            writer: Mutex::new(Writer {
                journal,
                meta,
                poisoned: false,
            }),
            _lock: lock,
        })
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock leaves the data on disk intact; carry on.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL_FILE)
    }

    /// Applies the journal commands the store does not have yet; cuts a torn tail.
    fn catch_up(&self) -> Result<OpenReport, StoreError> {
        let mut w = self.writer();
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

    /// Validates `events` against the lifecycle, journals them and commits them in one
    /// transaction. Capture and meeting numbers left at 0 are given the next number.
    /// Returns the appeals as they are after the command.
    pub fn append(&self, events: Vec<Event>) -> Result<Vec<Appeal>, AppendError> {
        self.append_batch(vec![events])
    }

    /// Several commands in one journal write, one transaction and one fsync: the way imports
    /// stay fast. All or nothing: a refusal anywhere writes none of them.
    pub fn append_batch(&self, mut commands: Vec<Vec<Event>>) -> Result<Vec<Appeal>, AppendError> {
        let mut w = self.writer();
        if w.poisoned {
            return Err(StoreError::Poisoned.into());
        }
        // Planned over all the events at once; the journal keeps each command's grouping, so a
        // replay applies them one by one to the same result.
        let mut flat: Vec<Event> = commands.iter().flatten().cloned().collect();
        let mut plan = self.plan(&mut flat, w.meta)?;
        // The plan filled in numbers: carry them back into the commands for the journal.
        let mut filled = flat.into_iter();
        let mut lines = Vec::new();
        for c in commands.iter_mut() {
            for e in c.iter_mut() {
                if let Some(f) = filled.next() {
                    *e = f;
                }
            }
            lines.extend(journal::encode(c)?);
        }
        let before = w.journal.len();
        plan.meta.journal_len = w.journal.append(&lines)?;
        if let Err(e) = self.commit(&plan).and_then(|_| self.sync()) {
            // The store did not take it: take it back out of the journal too.
            if w.journal.truncate(before).is_err() {
                w.poisoned = true;
            }
            return Err(e.into());
        }
        w.meta = plan.meta;
        Ok(plan.appeals)
    }

    /// Captures and meetings from now on get provisional numbers (the desk is on a hub) or the
    /// desk's own next numbers.
    pub fn set_provisional_numbers(&self, on: bool) {
        self.provisional
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes in events from the hub (each with its stamp), in the hub's order, as one command:
    /// journaled first, then one transaction. Events already here get their stamp and their
    /// place; a step the hub's order makes impossible stays in its appeal's timeline, not in
    /// effect. Returns the appeals as they are now and those whose number changed.
    pub fn take_from_hub(&self, events: Vec<Event>) -> Result<HubIntake, StoreError> {
        let mut w = self.writer();
        if w.poisoned {
            return Err(StoreError::Poisoned);
        }
        let mut events = events;
        let mut plan = self.plan(&mut events, w.meta).map_err(|e| match e {
            AppendError::Refused(r) => StoreError::Replay(r),
            AppendError::Store(s) => s,
        })?;
        let lines = journal::encode(&events)?;
        let before = w.journal.len();
        plan.meta.journal_len = w.journal.append(&lines)?;
        if let Err(e) = self.commit(&plan).and_then(|_| self.sync()) {
            if w.journal.truncate(before).is_err() {
                w.poisoned = true;
            }
            return Err(e);
        }
        w.meta = plan.meta;
        Ok(HubIntake {
            appeals: plan.appeals,
            renumbered: plan.renumbered,
            new_appeals: plan.new_appeals,
            new_conflicts: plan.new_conflicts,
        })
    }

    /// How many appeals have steps not in effect.
    pub fn conflicted(&self) -> u64 {
        self.writer().meta.conflicted
    }

    /// The last place in the hub's history this store holds (0 before the first pull).
    pub fn hub_seq(&self) -> u64 {
        self.writer().meta.hub_seq
    }

    /// Commands of this desk's own (not from the hub) in the journal from `offset` on, at most
    /// about `max_events` events, each with the offset just after it; and the offset where
    /// reading stopped (the journal's end when it was read to the end).
    pub fn own_commands(&self, offset: u64, max_events: usize) -> Result<OwnCommands, StoreError> {
        let mut out = Vec::new();
        let mut count = 0usize;
        let len = self.writer().journal.len();
        if offset >= len {
            return Ok((out, offset));
        }
        let tail = journal::read_commands_while(&self.journal_path(), offset, |events, end| {
            if events.iter().all(|e| e.hub.is_none()) {
                count += events.len();
                out.push((events, end));
            }
            Ok(count < max_events && end < len)
        })?;
        Ok((out, tail.end.min(len).max(offset)))
    }

    /// The journal's length: where this desk's next command will begin.
    pub fn journal_len(&self) -> u64 {
        self.writer().journal.len()
    }

    /// A meeting's number now, given a number it had on this desk before the hub numbered it.
    pub fn meeting_alias(&self, number: u64) -> Result<Option<u64>, StoreError> {
        Ok(self.trees[ALIASES]
            .get(alias_key(b'm', number))?
            .and_then(|v| read_u64(&v)))
    }

    /// The appeals with steps not in effect (conflicts for a person to settle), with them.
    pub fn conflicts(&self) -> Result<Vec<crate::domain::Conflicted>, StoreError> {
        let mut out = Vec::new();
        for key in self.trees[CONFLICTED].iter().keys() {
            let id =
                read_id(&key?).ok_or_else(|| StoreError::Corrupt("a conflict entry".into()))?;
            let events = self.events_of(id)?;
            let folded = crate::domain::appeal::fold(id, &events);
            if let Some(appeal) = folded.appeal {
                out.push(crate::domain::Conflicted {
                    appeal,
                    events,
                    not_in_effect: folded.not_in_effect,
                });
            }
        }
        Ok(out)
    }

    /// Whether this event (by its identity) is already in the store (bundles merge by it).
    pub fn has_event(&self, event: &Event) -> Result<bool, StoreError> {
        match &event.body {
            EventBody::Appeal { appeal, .. } => {
                history::contains(&self.history(*appeal)?, event.id)
            }
            _ => Ok(self.trees[EVENT_IDS].contains_key(event.id.0.to_be_bytes())?),
        }
    }

    /// The appeal imported from a ledger row with this `source:id`.
    pub fn appeal_by_external_id(&self, external_id: &str) -> Result<Option<Appeal>, StoreError> {
        match self.trees[EXTERNAL_IDS].get(external_id.as_bytes())? {
            Some(id) => match read_id(&id) {
                Some(id) => self.appeal(id),
                None => Err(StoreError::Corrupt("an external id entry".into())),
            },
            None => Ok(None),
        }
    }

    /// The highest appeal number given so far.
    pub fn last_number(&self) -> u64 {
        self.writer().meta.last_number
    }

    /// Whether an appeal number is in use.
    pub fn number_taken(&self, number: u64) -> Result<bool, StoreError> {
        Ok(self.id_by_number(number)?.is_some())
    }

    /// The appeal that has `number`, looked up in the status index state by state.
    fn id_by_number(&self, number: u64) -> Result<Option<AppealId>, StoreError> {
        // Most appeals are closed: that state is looked at first.
        let states = std::iter::once(Status::Closed)
            .chain(Status::ALL.into_iter().filter(|s| *s != Status::Closed));
        for status in states {
            if let Some(v) = self.trees[BY_STATUS].get(status_key(status, number))? {
                return read_id(&v).map(Some).ok_or_else(|| {
                    StoreError::Corrupt(format!("the entry of number {number} is unreadable"))
                });
            }
        }
        Ok(None)
    }

    fn plan(&self, events: &mut [Event], mut meta: Meta) -> Result<Plan, AppendError> {
        let provisional = self.provisional.load(std::sync::atomic::Ordering::Relaxed);
        let mut ops = Vec::new();
        let mut renumbered = Vec::new();
        // Appeals touched by this command: as they were before it, their events with this
        // command's added, and as they are now.
        let mut touched: Vec<Touched> = Vec::new();
        let mut index: HashMap<AppealId, usize> = HashMap::new();
        for event in events.iter_mut() {
            let seq = meta.next_seq;
            meta.next_seq += 1;
            if let Some(stamp) = event.hub {
                meta.hub_seq = meta.hub_seq.max(stamp.seq);
            }
            if let (Some(stamp), EventBody::Appeal { appeal, .. }) = (event.hub, &event.body) {
                // From the hub: put it in its place and fold again in the hub's order; a step
                // it makes impossible stays in the timeline, not in effect.
                let appeal = *appeal;
                let i = self.touched_slot(appeal, &mut touched, &mut index)?;
                if let Some(n) = stamp.number {
                    meta.last_number = meta.last_number.max(n);
                }
                let t = &mut touched[i];
                match t.events.iter().position(|e| e.id == event.id) {
                    Some(at) => t.events[at] = event.clone(),
                    None => t.events.push(event.clone()),
                }
                crate::domain::appeal::order_events(&mut t.events);
                t.after = crate::domain::appeal::fold(appeal, &t.events).appeal;
                continue;
            }
            match &mut event.body {
                EventBody::Appeal { appeal, change } => {
                    let i = self.touched_slot(*appeal, &mut touched, &mut index)?;
                    if let AppealChange::Captured(c) = change {
                        if c.number == 0 {
                            c.number = if provisional {
                                meta.last_provisional += 1;
                                number::provisional(meta.last_provisional)
                            } else {
                                meta.last_number + 1
                            };
                        } else if self.number_taken(c.number)?
                            || touched.iter().any(|t| t.number() == Some(c.number))
                        {
                            return Err(StoreError::NumberTaken(c.number).into());
                        }
                        if !number::is_provisional(c.number) {
                            meta.last_number = meta.last_number.max(c.number);
                        }
                    }
                    let t = &mut touched[i];
                    let next =
                        Appeal::apply(t.after.as_ref(), *appeal, event.at, &event.actor, change)
                            .map_err(AppendError::Refused)?;
                    t.after = Some(next);
                    t.events.push(event.clone());
                    continue;
                }
                EventBody::EnterpriseSaved(e) => {
                    ops.push(Op::Put(
                        ENTERPRISES,
                        e.name.as_bytes().to_vec(),
                        codec::encode(e)?,
                    ));
                }
                EventBody::StewardSaved(s) => {
                    ops.push(Op::Put(
                        STEWARDS,
                        s.name.as_bytes().to_vec(),
                        codec::encode(s)?,
                    ));
                }
                EventBody::DepartmentAdded { name } => {
                    ops.push(Op::Put(DEPARTMENTS, name.as_bytes().to_vec(), Vec::new()));
                }
                EventBody::MeetingAdded(m) => {
                    if let Some(n) = event.hub.and_then(|h| h.number) {
                        // One of ours the hub numbered: its provisional (or older) number goes.
                        if let Some(own) = self.registry_event(event.id)?
                            && let EventBody::MeetingAdded(before) = own.body
                            && before.number != n
                        {
                            ops.push(Op::Del(MEETINGS, u64_key(before.number).to_vec()));
                            ops.push(Op::Put(
                                ALIASES,
                                alias_key(b'm', before.number).to_vec(),
                                u64_key(n).to_vec(),
                            ));
                        }
                        m.number = n;
                    } else if m.number == 0 {
                        m.number = if provisional {
                            meta.last_provisional_meeting += 1;
                            number::provisional(meta.last_provisional_meeting)
                        } else {
                            meta.last_meeting + 1
                        };
                    }
                    if !number::is_provisional(m.number) {
                        meta.last_meeting = meta.last_meeting.max(m.number);
                    }
                    ops.push(Op::Put(
                        MEETINGS,
                        u64_key(m.number).to_vec(),
                        codec::encode(m)?,
                    ));
                }
            }
            // An event of ours coming back from the hub keeps its place (and gets its stamp).
            let seq = match self.trees[EVENT_IDS]
                .get(event.id.0.to_be_bytes())
                .map_err(StoreError::from)?
            {
                Some(old) if event.hub.is_some() => read_u64(&old).unwrap_or(seq),
                _ => seq,
            };
            ops.push(Op::Put(
                EVENTS,
                u64_key(seq).to_vec(),
                codec::encode(&*event)?,
            ));
            ops.push(Op::Put(
                EVENT_IDS,
                event.id.0.to_be_bytes().to_vec(),
                u64_key(seq).to_vec(),
            ));
        }
        // Index entries are taken out before any is put in: an appeal numbered by the hub may
        // take a number another appeal of this command gives up.
        let mut puts = Vec::new();
        let (mut new_appeals, mut new_conflicts) = (0usize, 0u32);
        for t in &touched {
            let mut history = Vec::new();
            for e in &t.events {
                history::push(&mut history, e)?;
            }
            let id = id_key(t.id).to_vec();
            puts.push(Op::Put(HISTORIES, id.clone(), history::pack(&history)?));
            if let Some(b) = &t.before {
                ops.push(Op::Del(BY_STATUS, status_key(b.status, b.number).to_vec()));
            }
            let Some(after) = &t.after else {
                // Steps of an appeal whose capture has not come yet: kept, not shown.
                if t.before.is_some() {
                    ops.push(Op::Del(APPEALS, id.clone()));
                    meta.appeals = meta.appeals.saturating_sub(1);
                }
                continue;
            };
            if t.before.is_none() {
                meta.appeals += 1;
                new_appeals += 1;
            }
            let before_conflicts = t.before.as_ref().map_or(0, |b| b.conflicts);
            new_conflicts += after.conflicts.saturating_sub(before_conflicts);
            match (before_conflicts > 0, after.conflicts > 0) {
                (false, true) => {
                    meta.conflicted += 1;
                    puts.push(Op::Put(CONFLICTED, id.clone(), Vec::new()));
                }
                (true, false) => {
                    meta.conflicted = meta.conflicted.saturating_sub(1);
                    ops.push(Op::Del(CONFLICTED, id.clone()));
                }
                _ => {}
            }
            if let Some(b) = &t.before
                && b.number != after.number
            {
                renumbered.push((b.number, after.number));
                puts.push(Op::Put(
                    ALIASES,
                    alias_key(b'a', b.number).to_vec(),
                    id.clone(),
                ));
            }
            if let Some(ext) = &after.external_id {
                puts.push(Op::Put(EXTERNAL_IDS, ext.as_bytes().to_vec(), id.clone()));
            }
            puts.push(Op::Put(
                APPEALS,
                id.clone(),
                codec::encode(&after.summary())?,
            ));
            puts.push(Op::Put(
                BY_STATUS,
                status_key(after.status, after.number).to_vec(),
                brief::encode(&after.brief())?,
            ));
        }
        ops.extend(puts);
        for (key, value) in META_KEYS.iter().zip(meta.values()) {
            ops.push(Op::Put(
                META,
                key.as_bytes().to_vec(),
                u64_key(value).to_vec(),
            ));
        }
        Ok(Plan {
            ops,
            meta,
            appeals: touched.into_iter().filter_map(|t| t.after).collect(),
            renumbered,
            new_appeals,
            new_conflicts,
        })
    }

    /// Where the appeal is among those a command touches (read from the store the first time).
    fn touched_slot(
        &self,
        appeal: AppealId,
        touched: &mut Vec<Touched>,
        index: &mut HashMap<AppealId, usize>,
    ) -> Result<usize, StoreError> {
        if let Some(&i) = index.get(&appeal) {
            return Ok(i);
        }
        touched.push(self.touch(appeal)?);
        index.insert(appeal, touched.len() - 1);
        Ok(touched.len() - 1)
    }

    /// An appeal about to be changed: its events and its fold, as the store holds them.
    fn touch(&self, id: AppealId) -> Result<Touched, StoreError> {
        let history = self.history(id)?;
        let events = history::events(&history)?;
        let before = if events.is_empty() {
            None
        } else {
            crate::domain::appeal::fold(id, &events).appeal
        };
        Ok(Touched {
            id,
            after: before.clone(),
            before,
            events,
        })
    }

    /// A registry event (not an appeal's) by its identity.
    fn registry_event(&self, id: crate::domain::EventId) -> Result<Option<Event>, StoreError> {
        match self.trees[EVENT_IDS].get(id.0.to_be_bytes())? {
            Some(seq) => self.get(EVENTS, &seq, "an event"),
            None => Ok(None),
        }
    }

    fn commit(&self, plan: &Plan) -> Result<(), StoreError> {
        // The journal length is part of the same transaction: the store knows exactly which
        // journal lines it holds.
        let journal_len = u64_key(plan.meta.journal_len);
        let trees: Vec<&sled::Tree> = self.trees.iter().collect();
        let result: Result<(), TransactionError<()>> = trees.as_slice().transaction(|tx| {
            for op in &plan.ops {
                match op {
                    Op::Put(t, k, v) => {
                        tx[*t].insert(k.as_slice(), v.as_slice())?;
                    }
                    Op::Del(t, k) => {
                        tx[*t].remove(k.as_slice())?;
                    }
                }
            }
            tx[META].insert("journal_len", &journal_len[..])?;
            tx[META].insert("layout", &u64_key(LAYOUT)[..])?;
            Ok::<(), ConflictableTransactionError<()>>(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Storage(e)) => Err(e.into()),
            Err(TransactionError::Abort(())) => {
                Err(StoreError::Engine("transaction aborted".to_string()))
            }
        }
    }

    /// sled's flush does not fsync on Linux (upstream issue 1452): sync its data file after it.
    fn sync(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.db_file
            .sync_all()
            .map_err(io_err("syncing the store to disk".to_string()))
    }

    // ----- reading -----

    fn get<T: serde::de::DeserializeOwned>(
        &self,
        tree: usize,
        key: &[u8],
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.trees[tree].get(key)? {
            Some(v) => codec::decode(&v, what).map(Some),
            None => Ok(None),
        }
    }

    fn values<T: serde::de::DeserializeOwned>(
        &self,
        tree: usize,
        what: &'static str,
    ) -> impl Iterator<Item = Result<T, StoreError>> + '_ {
        self.trees[tree].iter().map(move |kv| {
            let (_, v) = kv?;
            codec::decode(&v, what)
        })
    }

    /// The whole appeal: the fold of its history.
    pub fn appeal(&self, id: AppealId) -> Result<Option<Appeal>, StoreError> {
        let history = self.history(id)?;
        if history.is_empty() {
            return Ok(None);
        }
        fold(id, &history::events(&history)?).map(Some)
    }

    /// The appeal's summary (every field but the long texts), as the `appeals` tree keeps it.
    pub fn summary(&self, id: AppealId) -> Result<Option<Appeal>, StoreError> {
        self.get(APPEALS, &id_key(id), "an appeal")
    }

    /// The appeal with this number, or that had it on this desk before the hub numbered it
    /// (provisional numbers are still accepted once final ones are given).
    pub fn appeal_by_number(&self, number: u64) -> Result<Option<Appeal>, StoreError> {
        match self.id_by_number(number)? {
            Some(id) => self.appeal(id),
            None => match self.trees[ALIASES].get(alias_key(b'a', number))? {
                Some(v) => match read_id(&v) {
                    Some(id) => self.appeal(id),
                    None => Err(StoreError::Corrupt("an alias entry".into())),
                },
                None => Ok(None),
            },
        }
    }

    /// Every appeal whole, in order of identity (which is capture order on one desk).
    pub fn appeals(&self) -> impl Iterator<Item = Result<Appeal, StoreError>> + '_ {
        self.trees[HISTORIES].iter().map(|kv| {
            let (k, stored) = kv?;
            let id = read_id(&k).ok_or_else(|| StoreError::Corrupt("a history key".into()))?;
            fold(id, &history::events(&history::unpack(&stored)?)?)
        })
    }

    /// Every appeal's summary, in order of identity: what the list and the figures read.
    pub fn summaries(&self) -> impl Iterator<Item = Result<Appeal, StoreError>> + '_ {
        self.values(APPEALS, "an appeal")
    }

    /// The summaries of the appeals in the states given (all of them when `states` is `None`),
    /// owning what they read so that they can be read on other threads: in parts, to be read
    /// side by side and put together in the order given.
    pub fn summaries_apart(&self, states: Option<&[Status]>) -> Vec<SummariesApart> {
        let appeals = self.trees[APPEALS].clone();
        let decode = |kv: sled::Result<(sled::IVec, sled::IVec)>| {
            let (_, v) = kv?;
            codec::decode(&v, "an appeal")
        };
        match states {
            None => {
                // Two halves of the identities, which begin with the time of capture.
                let first = appeals
                    .first()
                    .ok()
                    .flatten()
                    .and_then(|(k, _)| read_id(&k));
                let last = appeals.last().ok().flatten().and_then(|(k, _)| read_id(&k));
                let Some((first, last)) = first.zip(last) else {
                    return vec![Box::new(appeals.iter().map(decode))];
                };
                let middle = id_key(ulid::Ulid(first.0 / 2 + last.0 / 2));
                vec![
                    Box::new(appeals.range(..middle).map(decode)),
                    Box::new(appeals.range(middle..).map(decode)),
                ]
            }
            Some(states) => vec![{
                let by_status = self.trees[BY_STATUS].clone();
                Box::new(Vec::from(states).into_iter().flat_map(move |s| {
                    let appeals = appeals.clone();
                    by_status.scan_prefix([s.code()]).map(move |kv| {
                        let (_, v) = kv?;
                        let id = read_id(&v)
                            .ok_or_else(|| StoreError::Corrupt("an index entry".into()))?;
                        match appeals.get(id_key(id))? {
                            Some(v) => codec::decode(&v, "an appeal"),
                            None => Err(StoreError::Corrupt(format!(
                                "the index names a missing appeal {id}"
                            ))),
                        }
                    })
                }))
            }],
        }
    }

    pub fn appeal_count(&self) -> u64 {
        self.writer().meta.appeals
    }

    /// Every appeal's [`Brief`](crate::domain::Brief), state by state in the order given, in
    /// one pass over the status index; it owns what it reads so that it can be read on another
    /// thread while the desk goes on. States not named are not read.
    pub fn briefs(&self, order: &[Status]) -> BriefCursor {
        self.briefs_in(order.iter().map(|s| (*s, 0..=u64::MAX)).collect())
    }

    /// As [`Store::briefs`], each state's appeals limited to a range of numbers: two readers
    /// can split one state between them.
    pub fn briefs_in(&self, order: Vec<(Status, RangeInclusive<u64>)>) -> BriefCursor {
        BriefCursor {
            by_status: self.trees[BY_STATUS].clone(),
            order: order.into_iter(),
            current: None,
        }
    }

    /// One appeal's history, its frames unpacked (empty for an appeal the store does not hold).
    fn history(&self, id: AppealId) -> Result<Vec<u8>, StoreError> {
        match self.trees[HISTORIES].get(id_key(id))? {
            Some(stored) => history::unpack(&stored),
            None => Ok(Vec::new()),
        }
    }

    /// One appeal's events, in the order they were recorded.
    pub fn events_of(&self, id: AppealId) -> Result<Vec<Event>, StoreError> {
        history::events(&self.history(id)?)
    }

    pub fn enterprise(&self, name: &str) -> Result<Option<Enterprise>, StoreError> {
        self.get(ENTERPRISES, name.as_bytes(), "an enterprise")
    }

    pub fn enterprises(&self) -> impl Iterator<Item = Result<Enterprise, StoreError>> + '_ {
        self.values(ENTERPRISES, "an enterprise")
    }

    pub fn steward(&self, name: &str) -> Result<Option<Steward>, StoreError> {
        self.get(STEWARDS, name.as_bytes(), "a steward")
    }

    pub fn stewards(&self) -> impl Iterator<Item = Result<Steward, StoreError>> + '_ {
        self.values(STEWARDS, "a steward")
    }

    pub fn has_department(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.trees[DEPARTMENTS].contains_key(name.as_bytes())?)
    }

    pub fn departments(&self) -> Result<Vec<String>, StoreError> {
        self.trees[DEPARTMENTS]
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    pub fn meeting(&self, number: u64) -> Result<Option<Meeting>, StoreError> {
        self.get(MEETINGS, &u64_key(number), "a meeting")
    }

    pub fn meetings(&self) -> impl Iterator<Item = Result<Meeting, StoreError>> + '_ {
        self.values(MEETINGS, "a meeting")
    }

    /// Whether the store holds nothing at all (a first start).
    pub fn is_empty(&self) -> bool {
        self.writer().meta.next_seq == 0
    }

    // ----- drafts: half-typed forms, not events; never journaled -----

    pub fn save_draft(&self, key: &str, body: &[u8]) -> Result<(), StoreError> {
        self.drafts.insert(key.as_bytes(), body)?;
        self.sync()
    }

    pub fn draft(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.drafts.get(key.as_bytes())?.map(|v| v.to_vec()))
    }

    pub fn discard_draft(&self, key: &str) -> Result<(), StoreError> {
        self.drafts.remove(key.as_bytes())?;
        self.sync()
    }

    pub fn draft_keys(&self) -> Result<Vec<String>, StoreError> {
        self.drafts
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    // ----- integrity, backup, rebuild -----

    /// Checks that every projection is the fold of its events and that the indexes agree with
    /// the projections. Returns the problems found (empty when all is well).
    pub fn verify(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut by_status = 0usize;
        let mut count = 0u64;
        let mut numbers = HashSet::new();
        for appeal in self.summaries() {
            let appeal = appeal?;
            count += 1;
            match fold(appeal.id, &self.events_of(appeal.id)?) {
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
            match self.trees[BY_STATUS].get(status_key(appeal.status, appeal.number))? {
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
        if self.trees[BY_STATUS].len() != by_status {
            problems.push("the status index has entries for no appeal".to_string());
        }
        if self.appeal_count() != count {
            problems.push("the appeal count disagrees with the appeals".to_string());
        }
        for kv in self.trees[HISTORIES].iter() {
            let (k, _) = kv?;
            if let Some(id) = read_id(&k)
                && self.summary(id)?.is_none()
            {
                problems.push(format!("events of appeal {id} have no projection"));
            }
        }
        Ok(problems)
    }

    /// Writes a consistent copy (journal and store) into `target`, which must be new or empty.
    /// Holds the write lock throughout, so no command lands half in the copy.
    pub fn backup(&self, target: &Path) -> Result<(), StoreError> {
        let w = self.writer();
        ensure_empty_dir(target)?;
        let journal_copy = target.join(JOURNAL_FILE);
        std::fs::copy(w.journal.path(), &journal_copy).map_err(io_err(format!(
            "copying the journal to {}",
            journal_copy.display()
        )))?;
        File::open(&journal_copy)
            .and_then(|f| f.sync_all())
            .map_err(io_err(format!("syncing {}", journal_copy.display())))?;
        let copy = open_engine(&target.join(STORE_DIR), target, Cache::Ample)?;
        copy.import(self.db.export());
        copy.flush()?;
        File::open(target.join(STORE_DIR).join("db"))
            .and_then(|f| f.sync_all())
            .map_err(io_err(format!("syncing the copy in {}", target.display())))?;
        Ok(())
    }

    /// Recreates the store of `data_dir` from its journal alone. The old store is kept beside it
    /// (its path is returned) until the user removes it.
    pub fn rebuild(data_dir: &Path) -> Result<(Store, PathBuf), StoreError> {
        Store::rebuild_with(data_dir, Cache::default())
    }

    /// As [`Store::rebuild`]; the store returned has the cache given (the rebuild itself, all
    /// writes, has the ample one).
    fn rebuild_with(data_dir: &Path, cache: Cache) -> Result<(Store, PathBuf), StoreError> {
        let lock = DeskLock::acquire(data_dir)?;
        let fresh = data_dir.join("store.rebuilding");
        if fresh.exists() {
            std::fs::remove_dir_all(&fresh)
                .map_err(io_err(format!("removing {}", fresh.display())))?;
        }
        {
            let store = Store::open_locked(data_dir, &fresh, None, Cache::Ample)?;
            store.catch_up()?;
            // Dropped here: sled closes the fresh store before it is moved into place.
        }
        let old = data_dir.join(format!(
            "store.replaced-{}",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ));
        let current = data_dir.join(STORE_DIR);
        if current.exists() {
            std::fs::rename(&current, &old)
                .map_err(io_err(format!("moving {} aside", current.display())))?;
        }
        std::fs::rename(&fresh, &current).map_err(io_err(format!(
            "moving the rebuilt store to {}",
            current.display()
        )))?;
        let store = Store::open_locked(data_dir, &current, Some(lock), cache)?;
        store.catch_up()?;
        Ok((store, old))
    }
}

/// An appeal from its events, as stored (in the district's order): the same fold as on the way
/// in. A history with no capture in effect is damage.
fn fold(id: AppealId, events: &[Event]) -> Result<Appeal, StoreError> {
    crate::domain::appeal::fold(id, events)
        .appeal
        .ok_or_else(|| StoreError::Corrupt(format!("appeal {id} has no capture in effect")))
}

fn ensure_empty_dir(dir: &Path) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, FixedOffset};

    use super::*;
    use crate::domain::Capture;

    /// An event of `appeal` by 王磊 on 2026-11-25 (the history tests use it too).
    pub(super) fn event(appeal: AppealId, id: u128, change: AppealChange) -> Event {
        let at: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339("2026-11-25T10:00:00+08:00").unwrap_or_default();
        Event {
            id: ulid::Ulid(id),
            at,
            actor: "王磊".into(),
            body: EventBody::Appeal { appeal, change },
            desk: None,
            hub: None,
        }
    }

    fn capture(appeal: AppealId, id: u128) -> Event {
        event(
            appeal,
            id,
            AppealChange::Captured(Capture {
                number: 0,
                external_id: None,
                enterprise: "嘉兴市南湖纺织有限公司".into(),
                category: "用电".into(),
                text: "厂区变压器容量不足".into(),
                contact: None,
                meeting: None,
                departments: vec![],
            }),
        )
    }

    #[test]
    fn a_store_of_the_older_layout_is_rebuilt_from_the_journal_on_open()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(a, 1)])?;
            store.append(vec![event(a, 2, AppealChange::Listed)])?;
            // What layout 1 looked like to this check: data, no layout mark, no histories.
            store.trees[META].remove("layout")?;
            store.trees[HISTORIES].clear()?;
            store
                .db
                .open_tree("appeal_events")?
                .insert([1u8; 24], &[])?;
            store.sync()?;
        }
        let (store, report) = Store::open(dir.path())?;
        let old = report.upgraded_from.ok_or("the store was not upgraded")?;
        assert!(old.join("db").exists(), "the old store is kept beside");
        let events = store.events_of(a)?;
        assert_eq!(events.iter().map(|e| e.id.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(store.appeal(a)?.map(|x| x.status), Some(Status::Listed));
        assert!(store.verify()?.is_empty());
        drop(store);
        // Once upgraded, it opens as it is.
        let (_, report) = Store::open(dir.path())?;
        assert_eq!(report, OpenReport::default());
        Ok(())
    }

    #[test]
    fn an_older_layout_with_a_shortened_journal_is_refused_not_emptied()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(ulid::Ulid(100), 1)])?;
            store.trees[META].remove("layout")?;
            store.sync()?;
        }
        std::fs::write(dir.path().join(JOURNAL_FILE), b"")?;
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::JournalBehind { journal: 0, .. })
        ));
        Ok(())
    }

    #[test]
    fn briefs_come_state_by_state_and_verify_knows_a_stale_one()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let (a, b) = (ulid::Ulid(100), ulid::Ulid(200));
        store.append(vec![capture(a, 1)])?;
        store.append(vec![capture(b, 2)])?;
        store.append(vec![event(b, 3, AppealChange::Listed)])?;
        let mut cursor = store.briefs(&[Status::Listed, Status::Captured]);
        let mut read = Vec::new();
        while let Some(brief) = cursor.next_with(|x| (x.id, x.status, x.text.to_string())) {
            read.push(brief?);
        }
        let text = "厂区变压器容量不足".to_string();
        assert_eq!(
            read,
            [
                (b, Status::Listed, text.clone()),
                (a, Status::Captured, text)
            ]
        );
        assert!(store.verify()?.is_empty());

        // An entry that no longer says what its appeal says is reported.
        let appeal = store.summary(a)?.ok_or("no appeal")?;
        let stale = Appeal {
            urges: 3,
            ..appeal.clone()
        };
        store.trees[BY_STATUS].insert(
            status_key(appeal.status, appeal.number),
            brief::encode(&stale.brief())?,
        )?;
        let problems = store.verify()?;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("differs"), "{problems:?}");
        Ok(())
    }

    #[test]
    fn briefs_can_be_read_by_ranges_of_numbers() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        for i in 1..=3u128 {
            store.append(vec![capture(ulid::Ulid(100 * i), i)])?;
        }
        let numbers = |ranges: Vec<(Status, RangeInclusive<u64>)>| -> Result<Vec<u64>, StoreError> {
            let mut cursor = store.briefs_in(ranges);
            let mut out = Vec::new();
            while let Some(n) = cursor.next_with(|b| b.number) {
                out.push(n?);
            }
            Ok(out)
        };
        assert_eq!(numbers(vec![(Status::Captured, 0..=1)])?, [1]);
        assert_eq!(numbers(vec![(Status::Captured, 2..=u64::MAX)])?, [2, 3]);
        assert_eq!(
            numbers(vec![(Status::Captured, 3..=3), (Status::Captured, 0..=2)])?,
            [3, 1, 2],
            "in the order asked"
        );
        assert!(numbers(vec![(Status::Listed, 0..=u64::MAX)])?.is_empty());
        Ok(())
    }

    #[test]
    fn a_store_of_layout_2_gets_its_briefs_on_open() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(a, 1)])?;
            let appeal = store.summary(a)?.ok_or("no appeal")?;
            // Layout 2 kept only the id in the status index.
            store.trees[BY_STATUS]
                .insert(status_key(appeal.status, appeal.number), &id_key(a)[..])?;
            store.trees[META].insert("layout", &u64_key(2)[..])?;
            store.sync()?;
        }
        let (store, report) = Store::open(dir.path())?;
        assert!(report.upgraded_from.is_some());
        let mut cursor = store.briefs(&Status::ALL);
        let first = cursor.next_with(|x| x.id).ok_or("no brief")??;
        assert_eq!(first, a);
        assert!(store.verify()?.is_empty());
        Ok(())
    }

    #[test]
    fn an_appeal_is_found_by_its_number_in_every_state() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let a = ulid::Ulid(100);
        {
            let (store, _) = Store::open(dir.path())?;
            store.append(vec![capture(a, 1)])?; // numbered 1
            assert_eq!(store.appeal_by_number(1)?.map(|x| x.id), Some(a));
            store.append(vec![event(a, 2, AppealChange::Listed)])?;
            assert_eq!(
                store.appeal_by_number(1)?.map(|x| x.status),
                Some(Status::Listed)
            );
            assert!(store.number_taken(1)?);
            assert!(!store.number_taken(2)?);
            assert!(store.appeal_by_number(2)?.is_none());
            // A store of layout 3 (numbers in a tree of their own) is laid out anew.
            store.trees[META].insert("layout", &u64_key(3)[..])?;
            store.sync()?;
        }
        let (store, report) = Store::open(dir.path())?;
        assert!(report.upgraded_from.is_some());
        assert_eq!(store.appeal_by_number(1)?.map(|x| x.id), Some(a));
        assert!(store.verify()?.is_empty());
        Ok(())
    }

    #[test]
    fn a_number_given_twice_is_reported() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let (a, b) = (ulid::Ulid(100), ulid::Ulid(200));
        store.append(vec![capture(a, 1)])?;
        store.append(vec![capture(b, 2)])?;
        let second = store.summary(b)?.ok_or("no appeal")?;
        let clash = Appeal {
            number: 1,
            ..second
        };
        store.trees[APPEALS].insert(id_key(b), codec::encode(&clash)?)?;
        let problems = store.verify()?;
        assert!(
            problems
                .iter()
                .any(|p| p.contains("number 1 is given to two appeals")),
            "{problems:?}"
        );
        Ok(())
    }

    #[test]
    fn merging_knows_an_appeal_event_by_its_identity() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let a = ulid::Ulid(100);
        store.append(vec![capture(a, 1)])?;
        assert!(store.has_event(&capture(a, 1))?);
        assert!(!store.has_event(&event(a, 9, AppealChange::Listed))?);
        assert!(!store.has_event(&capture(ulid::Ulid(101), 1))?);
        Ok(())
    }
}
