//! The store: the only module that knows sled. Events go to the journal first (fsynced), then
//! one sled transaction writes the events, the projections, the indexes and the counters of the
//! command together; success is reported after `flush()` and an fsync of sled's data file.

mod archive;
mod batches;
mod brief;
mod bulk;
mod codec;
mod cohorts;
mod cursor;
mod days;
mod dictionary;
mod drawer;
mod history;
pub mod journal;
mod keys;
mod ledger_numbers;
mod lock;
mod packing;

mod check;
mod error;
mod open;
mod read;
mod recover;
mod rewrite;
mod shelf;
mod write;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::domain::{
    Appeal, AppealChange, AppealId, Enterprise, Event, EventBody, Meeting, Status, Steward, number,
};
use dictionary::Dictionaries;
use journal::Journal;
use keys::{id_key, read_id, read_u64, status_key, u64_key};
use lock::DeskLock;

pub use bulk::UndoneBulk;
pub use codec::SCHEMA_VERSION;
pub use cursor::BriefCursor;
pub use days::{DayIndex, DayKind};
pub use error::{AppendError, StoreError, disk_full};
pub use journal::JOURNAL_VERSION;
pub use read::AppealReader;
pub use rewrite::{Rewritten, Undone};

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
    /// For the terminal's archive, read once for the list and seldom after.
    Scant,
}

impl Cache {
    fn bytes(self) -> u64 {
        match self {
            Cache::Ample => 48 * 1024 * 1024,
            Cache::Lean => 16 * 1024 * 1024,
            Cache::Scant => 4 * 1024 * 1024,
        }
    }
}
/// Events replayed from the journal per transaction.
const REPLAY_BATCH_EVENTS: usize = 10_000;
/// A live journal file this long is sealed when the desk opens or a bulk write ends (about
/// 300,000 events).
#[cfg(not(test))]
const SEAL_AT: u64 = 64 * 1024 * 1024;
/// Small in the store's own tests, so that they run on sealed journals too.
#[cfg(test)]
const SEAL_AT: u64 = 16 * 1024;
/// How the trees are laid out. 1: three keys per event, whole projections; 2: one history per
/// appeal, and the `appeals` tree holds summaries (the whole appeal is the fold of its history);
/// 3: briefs in the status index; 4: no tree of numbers; 5: values of schema 2 (times, dates and
/// identities as numbers); 6: histories packed (`history::pack`); 7: events name their desk and
/// carry the hub's stamp, appeals count their steps not in effect; 8: briefs hold the day of
/// closing; 9: captures and appeals say which of a ledger's times were days only; 10: the appeals
/// filed by day (`days`); 11: the figures kept by day of capture (`cohorts`); 12: closed and
/// withdrawn appeals in an archive of their own (`archive`); 13: the archive's status index on
/// shelves (`shelf`); 14: summaries packed, histories and summaries with the store's
/// dictionaries (`packing`, `dictionary`); 15: the archive's histories and summaries in drawers
/// (`drawer`); 16: the archive's ledger ids that end in a number in drawers of their own
/// (`ledger_numbers`). A store of an older layout is rebuilt from the journal on open.
const LAYOUT: u64 = 16;

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
    /// The store no longer opened (a write cut short) and was laid out anew from the journal;
    /// the damaged one is here.
    pub rebuilt_from_damaged: Option<PathBuf>,
    /// A bulk write (an import, a demo) was killed mid-way; what it wrote was taken out.
    pub undone_bulk: Option<UndoneBulk>,
    /// The live journal file had grown long and was sealed: where its sealed parts now end.
    pub sealed_to: Option<u64>,
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
/// The appeals captured, closed and escalated on each day (`days::DayIndex`).
const DAYS: usize = 13;
/// What the appeals captured on each day add to the figures (`cohorts`).
const COHORTS: usize = 14;
/// The archive's ledger ids that end in a number, in drawers (`ledger_numbers`); empty in the
/// live database.
const LEDGER_NUMBERS: usize = 15;
const TREE_NAMES: [&str; 16] = [
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
    "days",
    "cohorts",
    "ledger_numbers",
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

impl Op {
    /// Whether it writes what the desk completes names from.
    fn is_registry(&self) -> bool {
        let (Op::Put(tree, ..) | Op::Del(tree, _)) = self;
        matches!(*tree, ENTERPRISES | STEWARDS | DEPARTMENTS | MEETINGS)
    }
}

/// Everything one command writes, worked out before the transaction so that its closure is pure.
struct Plan {
    ops: Vec<Op>,
    /// What goes to the archive (a bulk write's closed appeals), applied before `ops`.
    archive_ops: Vec<Op>,
    meta: Meta,
    /// The appeals it touches (`after`: as it leaves them).
    touched: Vec<Touched>,
    /// What it changes in the days' entries and the figures kept by day: made into operations
    /// when it is committed, from the entries as they are then (a batch planned while the one
    /// before is committed finds that one's changes in them).
    day_edits: days::DayEdits,
    cohort_edits: cohorts::CohortEdits,
    /// Appeals whose number changed: (before, after), as the hub gave final numbers.
    renumbered: Vec<(u64, u64)>,
    /// Appeals this command brought that the store did not hold.
    new_appeals: usize,
    /// Steps this command put out of effect (or brought in out of effect).
    new_conflicts: u32,
    /// Appeals it brings back from the archive (which lets them go once it is committed).
    unarchived: Vec<AppealId>,
    /// It leaves an appeal closed or withdrawn (a move to the archive may be due).
    closes: bool,
}

impl Plan {
    /// The appeals as the command leaves them (taken out of the plan).
    fn appeals(&mut self) -> Vec<Appeal> {
        std::mem::take(&mut self.touched)
            .into_iter()
            .filter_map(|t| t.after)
            .collect()
    }
}

/// One appeal a command changes.
struct Touched {
    id: AppealId,
    before: Option<Appeal>,
    after: Option<Appeal>,
    /// Its events as stored, and any from the hub this command brings.
    events: Vec<Event>,
    /// This command's own events for it, after `events`: their places in the command, not
    /// copies (an import copied each of its 600,000 events here, and dropped both).
    own: Vec<usize>,
    /// Events from the hub came in since `after` was folded: it is folded again (once) before
    /// it is read. `own` is empty then.
    unfolded: bool,
    /// The days it was filed under before the command (`days::marks`).
    filed: std::collections::BTreeSet<(DayKind, chrono::NaiveDate)>,
    /// It was read from the archive: the command brings it back to the live database.
    archived: bool,
}

impl Touched {
    /// Every event of the appeal, in order; `command` is the command's events (those before the
    /// one being planned will do).
    fn all_events<'a>(&'a self, command: &'a [Event]) -> impl Iterator<Item = &'a Event> {
        self.events
            .iter()
            .chain(self.own.iter().map(|&i| &command[i]))
    }

    /// The command's own events made copies in `events`, before one from the hub joins them
    /// there (a pull's; a command of this desk brings none).
    fn own_events_cloned(&mut self, command: &[Event]) {
        self.events
            .extend(self.own.drain(..).map(|i| command[i].clone()));
    }

    /// Puts the events in the district's order and folds them, if hub events came in.
    fn fold(&mut self) {
        debug_assert!(self.own.is_empty() || !self.unfolded);
        if self.unfolded {
            crate::domain::appeal::order_events(&mut self.events);
            self.after = crate::domain::appeal::fold(self.id, &self.events).appeal;
            self.unfolded = false;
        }
    }

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
    /// A write failed in the engine after its command was journaled: the engine is reopened
    /// (and caught up from the journal) before anything else is written.
    engine_failed: bool,
}

/// sled and what is opened from it: replaced whole when the engine is reopened after a failure.
pub(super) struct Engine {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    drafts: sled::Tree,
    /// The archive: its status index keeps its entries on shelves (`shelf`), its histories and
    /// summaries in drawers (`drawer`).
    shelved: bool,
    /// The live database's dictionaries, once trained (the archive's slot stays empty: the
    /// live database's serve both).
    dictionaries: Arc<dictionary::Slot>,
    /// Where they are kept: a tree of their own, not the meta tree, which every step rewrites.
    dictionary_tree: sled::Tree,
}

impl Engine {
    /// Operations on the engine's trees, all of `parts` in one transaction. In the archive,
    /// those on the status index are written to their shelves, those on histories and
    /// summaries to their drawers, and ledger ids that end in a number to theirs (read first:
    /// its writers hold the store's writer, so nothing changes them in between).
    fn apply(&self, parts: &[&[Op]]) -> Result<(), StoreError> {
        let mut filed = Vec::new();
        if self.shelved {
            filed = shelf::shelve(parts, |k| Ok(self.trees[BY_STATUS].get(k)?))?;
            let numbered = self.file_ledger_numbers(parts)?;
            let parts: Vec<&[Op]> = parts.iter().copied().chain([numbered.as_slice()]).collect();
            for tree in drawer::DRAWN {
                filed.extend(self.keyed(tree).file(&parts, tree)?);
            }
        }
        let ops = parts
            .iter()
            .flat_map(|ops| ops.iter())
            .filter(|op| {
                !(self.shelved
                    && (shelf::on_the_index(op)
                        || drawer::in_drawers(op)
                        || ledger_numbers::filed_here(op)))
            })
            .chain(&filed);
        let trees: Vec<&sled::Tree> = self.trees.iter().collect();
        let result: Result<(), TransactionError<()>> = trees.as_slice().transaction(|tx| {
            for op in ops.clone() {
                match op {
                    Op::Put(t, k, v) => {
                        tx[*t].insert(k.as_slice(), v.as_slice())?;
                    }
                    Op::Del(t, k) => {
                        tx[*t].remove(k.as_slice())?;
                    }
                }
            }
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

    /// A tree read one key a value (through its drawers, in the archive).
    fn keyed(&self, tree: usize) -> drawer::Keyed {
        drawer::Keyed::new(
            self.trees[tree].clone(),
            self.shelved && drawer::DRAWN.contains(&tree),
        )
    }

    /// The value of a status index entry (from its shelf, in the archive).
    fn entry(&self, status: Status, number: u64) -> Result<Option<sled::IVec>, StoreError> {
        match self.shelved {
            true => shelf::get(&self.trees[BY_STATUS], status, number),
            false => Ok(self.trees[BY_STATUS].get(status_key(status, number))?),
        }
    }

    /// How many entries the status index holds.
    fn entries(&self) -> Result<usize, StoreError> {
        match self.shelved {
            true => shelf::count(&self.trees[BY_STATUS]),
            false => Ok(self.trees[BY_STATUS].len()),
        }
    }

    /// sled's flush does not fsync on Linux (upstream issue 1452): its data file is synced after
    /// (`flush_and_sync`, in `vendor/sled`).
    pub(super) fn sync(&self) -> Result<(), StoreError> {
        self.db.flush_and_sync()?;
        Ok(())
    }
}

pub struct Store {
    /// Captures and meetings get provisional numbers (the desk is on a hub).
    provisional: std::sync::atomic::AtomicBool,
    /// `None` only while the engine is being (or could not be) reopened after a failure.
    engine: RwLock<Option<Arc<Engine>>>,
    /// The closed and withdrawn appeals (`archive`), opened when first needed.
    archive: archive::ArchiveSlot,
    /// A bulk write stopped with an error, its mark left: nothing more is written until the
    /// store is opened again (and the bulk write taken out).
    cut_short: std::sync::atomic::AtomicBool,
    /// How many commands this store has committed that wrote to the registry (enterprises,
    /// stewards, departments, meetings): a desk reads its registry again only when this moved.
    registry_writes: std::sync::atomic::AtomicU64,
    dir: PathBuf,
    writer: Mutex<Writer>,
    /// What bringing the engine back did, for the desk to say once.
    recovered: Mutex<Option<Recovery>>,
    #[cfg(test)]
    faults: recover::Faults,
    _lock: Option<DeskLock>,
}

/// The engine was brought back after a write failed in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// It no longer opened and was laid out anew from the journal; the damaged one is here.
    pub rebuilt_from_damaged: Option<PathBuf>,
}

/// See [`Store::summaries_apart`].
pub type SummariesApart = Box<dyn Iterator<Item = Result<Appeal, StoreError>> + Send>;

/// A name in `data_dir` for something set aside now (`{stem}-20261130-101500`), never one
/// already there: two rebuilds in one second keep both.
fn aside(data_dir: &Path, stem: &str) -> PathBuf {
    let base = format!("{stem}-{}", chrono::Local::now().format("%Y%m%d-%H%M%S"));
    let mut path = data_dir.join(&base);
    let mut n = 2;
    while path.exists() {
        path = data_dir.join(format!("{base}-{n}"));
        n += 1;
    }
    path
}

fn io_err(what: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

impl Store {
    fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock leaves the data on disk intact; carry on.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store's dictionaries, if it has them (see `dictionary`).
    pub(super) fn dictionaries(&self) -> Option<Arc<Dictionaries>> {
        self.engine().ok().and_then(|e| e.dictionaries.get())
    }

    /// The engine as it is now (reads hold it only as long as they need it).
    pub(super) fn engine(&self) -> Result<Arc<Engine>, StoreError> {
        self.engine
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(StoreError::EngineDown)
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL_FILE)
    }
}

/// An appeal from its events, as stored (in the district's order): the same fold as on the way
/// in. A history with no capture in effect is damage.
fn fold(id: AppealId, events: &[Event]) -> Result<Appeal, StoreError> {
    crate::domain::appeal::fold(id, events)
        .appeal
        .ok_or_else(|| StoreError::Corrupt(format!("appeal {id} has no capture in effect")))
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

    /// Steps that take a captured appeal to closed after an answer (event ids from `first`).
    pub(super) fn answered_and_closed(a: AppealId, first: u128) -> Vec<Event> {
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 9).unwrap_or_default();
        vec![
            event(a, first, AppealChange::Listed),
            event(
                a,
                first + 1,
                AppealChange::Assigned(crate::domain::Assignment {
                    steward: "李娜".into(),
                    lead_dept: "区发改局".into(),
                    co_depts: vec![],
                    due,
                }),
            ),
            event(a, first + 2, AppealChange::Acknowledged),
            event(
                a,
                first + 3,
                AppealChange::Answered {
                    text: "已协调".into(),
                },
            ),
            event(
                a,
                first + 4,
                AppealChange::Closed {
                    note: "办结".into(),
                },
            ),
        ]
    }

    pub(super) fn capture(appeal: AppealId, id: u128) -> Event {
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
                day_only: Default::default(),
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
            store.engine()?.trees[META].remove("layout")?;
            store.engine()?.trees[HISTORIES].clear()?;
            store
                .engine()?
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
            store.engine()?.trees[META].remove("layout")?;
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
        store.engine()?.trees[BY_STATUS].insert(
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
            store.engine()?.trees[BY_STATUS]
                .insert(status_key(appeal.status, appeal.number), &id_key(a)[..])?;
            store.engine()?.trees[META].insert("layout", &u64_key(2)[..])?;
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
            store.engine()?.trees[META].insert("layout", &u64_key(3)[..])?;
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
        store.engine()?.trees[APPEALS].insert(
            id_key(b),
            packing::pack_summary(&codec::encode(&clash)?, None)?,
        )?;
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
