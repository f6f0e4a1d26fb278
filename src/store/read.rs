//! Reading: appeals whole and as summaries, briefs for the list, the registry, what sync needs.

use super::*;
use drawer::{Keyed, LastDrawer};

impl Store {
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
        Ok(self.engine()?.trees[ALIASES]
            .get(alias_key(b'm', number))?
            .and_then(|v| read_u64(&v)))
    }

    /// The appeals with steps not in effect (conflicts for a person to settle), with them.
    pub fn conflicts(&self) -> Result<Vec<crate::domain::Conflicted>, StoreError> {
        let mut out = Vec::new();
        for key in self.engine()?.trees[CONFLICTED].iter().keys() {
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
            _ => Ok(self.engine()?.trees[EVENT_IDS].contains_key(event.id.0.to_be_bytes())?),
        }
    }

    /// The appeal imported from a ledger row with this `source:id`.
    pub fn appeal_by_external_id(&self, external_id: &str) -> Result<Option<Appeal>, StoreError> {
        match self
            .get_either(EXTERNAL_IDS, external_id.as_bytes(), true)?
            .map(|(id, _)| id)
        {
            Some(id) => match read_id(&id) {
                Some(id) => self.appeal(id),
                None => Err(StoreError::Corrupt("an external id entry".into())),
            },
            None => Ok(None),
        }
    }

    /// Whether any appeal came from a ledger (it has a ledger id), here or in the archive.
    pub fn holds_ledger_ids(&self) -> Result<bool, StoreError> {
        if self.engine()?.trees[EXTERNAL_IDS].first()?.is_some() {
            return Ok(true);
        }
        match self.archive(false)? {
            Some(archive) => Ok(archive.trees[LEDGER_NUMBERS].first()?.is_some()
                || archive.trees[EXTERNAL_IDS].first()?.is_some()),
            None => Ok(false),
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
    pub(super) fn id_by_number(&self, number: u64) -> Result<Option<AppealId>, StoreError> {
        // Most appeals are closed: that state is looked at first.
        // The live database holds the open appeals (and the few closed ones not yet moved):
        // a step on an open appeal never opens the archive. There most appeals are closed.
        let unreadable =
            || StoreError::Corrupt(format!("the entry of number {number} is unreadable"));
        for status in Status::ALL {
            if let Some(v) = self.engine()?.trees[BY_STATUS].get(status_key(status, number))? {
                return read_id(&v).map(Some).ok_or_else(unreadable);
            }
        }
        if let Some(archive) = self.archive(false)? {
            for status in [Status::Closed, Status::Withdrawn] {
                if let Some(v) = archive.entry(status, number)? {
                    return read_id(&v).map(Some).ok_or_else(unreadable);
                }
            }
        }
        Ok(None)
    }

    // ----- reading -----

    pub(super) fn get<T: serde::de::DeserializeOwned>(
        &self,
        tree: usize,
        key: &[u8],
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.engine()?.trees[tree].get(key)? {
            Some(v) => codec::decode(&v, what).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn values<T: serde::de::DeserializeOwned>(
        &self,
        tree: usize,
        what: &'static str,
    ) -> impl Iterator<Item = Result<T, StoreError>> + '_ {
        self.tree_iter(tree).map(move |kv| {
            let (_, v) = kv?;
            codec::decode(&v, what)
        })
    }

    /// Every entry of a tree; with the engine down, that error alone.
    fn tree_iter(
        &self,
        tree: usize,
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + use<> {
        entries_or_error(self.engine().map(|engine| engine.keyed(tree).iter()))
    }

    /// The whole appeal: the fold of its history.
    pub fn appeal(&self, id: AppealId) -> Result<Option<Appeal>, StoreError> {
        let history = self.history(id)?;
        if history.is_empty() {
            return Ok(None);
        }
        fold(id, &history::events(&history)?).map(Some)
    }

    /// The appeals with these identities, whole, in the order given (as
    /// [`AppealReader::appeals_of`]).
    pub fn appeals_of(&self, ids: &[AppealId]) -> Result<Vec<Appeal>, StoreError> {
        self.appeal_reader()?.appeals_of(ids)
    }

    /// A reader of appeals whole that owns what it reads with, for another thread (the
    /// terminal's export of its view). It reads the databases as they are when it reads.
    pub fn appeal_reader(&self) -> Result<AppealReader, StoreError> {
        Ok(AppealReader {
            live: self.engine()?,
            archive: self.archive.clone(),
        })
    }

    /// The appeal's summary (every field but the long texts), as the `appeals` tree keeps it.
    pub fn summary(&self, id: AppealId) -> Result<Option<Appeal>, StoreError> {
        match self.get_either(APPEALS, &id_key(id), true)? {
            Some((v, _)) => packing::summary(&v, self.dictionaries().as_deref()).map(Some),
            None => Ok(None),
        }
    }

    /// The appeal with this number, or that had it on this desk before the hub numbered it
    /// (provisional numbers are still accepted once final ones are given).
    pub fn appeal_by_number(&self, number: u64) -> Result<Option<Appeal>, StoreError> {
        match self.id_by_number(number)? {
            Some(id) => self.appeal(id),
            None => match self.engine()?.trees[ALIASES].get(alias_key(b'a', number))? {
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
        let dictionaries = self.dictionaries();
        self.both_iter(HISTORIES).map(move |kv| {
            let (k, stored) = kv?;
            let id = read_id(&k).ok_or_else(|| StoreError::Corrupt("a history key".into()))?;
            fold(
                id,
                &history::events(&packing::history(&stored, dictionaries.as_deref())?)?,
            )
        })
    }

    /// Every appeal's summary, in order of identity: what the list and the figures read.
    pub fn summaries(&self) -> impl Iterator<Item = Result<Appeal, StoreError>> + '_ {
        let dictionaries = self.dictionaries();
        self.both_iter(APPEALS).map(move |kv| {
            let (_, v) = kv?;
            packing::summary(&v, dictionaries.as_deref())
        })
    }

    /// Every entry of a tree in the live database and the archive, in key order; with the
    /// engine down, that error alone.
    pub(super) fn both_iter(
        &self,
        tree: usize,
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + use<> {
        entries_or_error(self.both(tree))
    }

    /// The summaries of the appeals in the states given (all of them when `states` is `None`),
    /// owning what they read so that they can be read on other threads: in parts, to be read
    /// side by side and put together in the order given.
    pub fn summaries_apart(&self, states: Option<&[Status]>) -> Vec<SummariesApart> {
        let engine = match self.engine() {
            Ok(engine) => engine,
            Err(e) => return vec![Box::new(std::iter::once(Err(e)))],
        };
        // Only a read that comes to closed appeals opens the archive (the board's does not).
        let closed = states.is_none_or(|s| {
            s.iter()
                .any(|s| matches!(s, Status::Closed | Status::Withdrawn))
        });
        let archive = match closed.then(|| self.archive(false)).transpose() {
            Ok(archive) => archive.flatten(),
            Err(e) => return vec![Box::new(std::iter::once(Err(e)))],
        };
        let appeals = engine.keyed(APPEALS);
        let archived = archive.as_ref().map(|a| a.keyed(APPEALS));
        let dictionaries = engine.dictionaries.get();
        match states {
            None => halves(appeals, archived, dictionaries),
            Some(states) => {
                // Each part is one database's: an appeal's entry and summary are in the same.
                let mut parts: Vec<SummariesApart> = Vec::new();
                let dbs = std::iter::once(&*engine).chain(archive.as_deref());
                for db in dbs {
                    let (by_status, appeals) = (db.trees[BY_STATUS].clone(), db.keyed(APPEALS));
                    let shelved = db.shelved;
                    let dictionaries = dictionaries.clone();
                    parts.push(Box::new(Vec::from(states).into_iter().flat_map(move |s| {
                        let appeals = appeals.clone();
                        let dictionaries = dictionaries.clone();
                        let ids: Box<dyn Iterator<Item = Result<AppealId, StoreError>> + Send> =
                            match shelved {
                                true => Box::new(shelf::ids(&by_status, s)),
                                false => Box::new(by_status.scan_prefix([s.code()]).map(|kv| {
                                    let (_, v) = kv?;
                                    read_id(&v)
                                        .ok_or_else(|| StoreError::Corrupt("an index entry".into()))
                                })),
                            };
                        ids.map(move |id| {
                            let id = id?;
                            match appeals.get(&id_key(id))? {
                                Some(v) => packing::summary(&v, dictionaries.as_deref()),
                                None => Err(StoreError::Corrupt(format!(
                                    "the index names a missing appeal {id}"
                                ))),
                            }
                        })
                    })));
                }
                parts
            }
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
        match self.engine() {
            Ok(engine) => BriefCursor {
                by_status: Some(engine.trees[BY_STATUS].clone()),
                archive: Some(self.archive.clone()),
                order: order.into_iter(),
                current: None,
                down: None,
            },
            Err(e) => BriefCursor {
                by_status: None,
                archive: None,
                order: Vec::new().into_iter(),
                current: None,
                down: Some(e),
            },
        }
    }

    /// One appeal's history, its frames unpacked (empty for an appeal the store does not hold).
    pub(super) fn history(&self, id: AppealId) -> Result<Vec<u8>, StoreError> {
        Ok(self.history_where(id, true)?.0)
    }

    /// One appeal's history and whether it is in the archive (looked in only when asked).
    pub(super) fn history_where(
        &self,
        id: AppealId,
        look_in_archive: bool,
    ) -> Result<(Vec<u8>, bool), StoreError> {
        match self.get_either(HISTORIES, &id_key(id), look_in_archive)? {
            Some((stored, archived)) => Ok((
                packing::history(&stored, self.dictionaries().as_deref())?.into_owned(),
                archived,
            )),
            None => Ok((Vec::new(), false)),
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
        Ok(self.engine()?.trees[DEPARTMENTS].contains_key(name.as_bytes())?)
    }

    pub fn departments(&self) -> Result<Vec<String>, StoreError> {
        self.engine()?.trees[DEPARTMENTS]
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

    pub fn draft(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .engine()?
            .drafts
            .get(key.as_bytes())?
            .map(|v| v.to_vec()))
    }

    pub fn draft_keys(&self) -> Result<Vec<String>, StoreError> {
        self.engine()?
            .drafts
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }
}

/// Every summary of `appeals`, in two halves of the identities (which begin with the time of
/// capture), to be read side by side.
pub(super) fn halves(
    appeals: Keyed,
    archived: Option<Keyed>,
    dictionaries: Option<Arc<Dictionaries>>,
) -> Vec<SummariesApart> {
    let decode = |dictionaries: Option<Arc<Dictionaries>>| {
        move |kv: Result<(sled::IVec, sled::IVec), StoreError>| {
            let (_, v) = kv?;
            packing::summary(&v, dictionaries.as_deref())
        }
    };
    let ends = |t: &Keyed| {
        let (first, last) = t.ends().ok().flatten()?;
        read_id(&first).zip(read_id(&last))
    };
    let both = |range: (std::ops::Bound<[u8; 16]>, std::ops::Bound<[u8; 16]>)| {
        let live = appeals.range(range);
        match &archived {
            Some(a) => super::archive::merged(live, a.range(range)),
            None => live,
        }
    };
    let spans: Vec<(AppealId, AppealId)> = std::iter::once(ends(&appeals))
        .chain(archived.as_ref().map(ends))
        .flatten()
        .collect();
    let first = spans.iter().map(|(f, _)| *f).min();
    let last = spans.iter().map(|(_, l)| *l).max();
    let Some((first, last)) = first.zip(last) else {
        return vec![Box::new(std::iter::empty())];
    };
    use std::ops::Bound::{Excluded, Included, Unbounded};
    let middle = id_key(ulid::Ulid(first.0 / 2 + last.0 / 2));
    vec![
        Box::new(both((Unbounded, Excluded(middle))).map(decode(dictionaries.clone()))),
        Box::new(both((Included(middle), Unbounded)).map(decode(dictionaries))),
    ]
}

/// The entries, or the error that kept them from being read, alone.
fn entries_or_error(
    entries: Result<super::archive::Entries, StoreError>,
) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> {
    let (entries, down) = match entries {
        Ok(entries) => (Some(entries), None),
        Err(e) => (None, Some(Err(e))),
    };
    down.into_iter().chain(entries.into_iter().flatten())
}

/// Reads appeals whole by identity: see [`Store::appeal_reader`].
pub struct AppealReader {
    live: Arc<Engine>,
    archive: super::archive::ArchiveSlot,
}

impl AppealReader {
    /// The appeals with these identities, whole, in the order given: what a list or an export
    /// reads a part at a time (the databases are looked up once for the part, not once an
    /// appeal; the archive only if an appeal is not in the live database, so that a list of
    /// open appeals never opens it). An identity the store does not hold is damage: it came
    /// from the status index.
    pub fn appeals_of(&self, ids: &[AppealId]) -> Result<Vec<Appeal>, StoreError> {
        let mut archive = None;
        let mut last_drawer = LastDrawer::default();
        let dictionaries = self.live.dictionaries.get();
        let mut appeals = Vec::with_capacity(ids.len());
        for id in ids {
            let key = id_key(*id);
            let stored = match self.live.trees[HISTORIES].get(key)? {
                Some(v) => Some(v),
                None => {
                    if archive.is_none() {
                        archive = Some(self.archive.get(false)?.map(|a| a.keyed(HISTORIES)));
                    }
                    match archive.as_ref().and_then(|a| a.as_ref()) {
                        Some(a) => a.get_near(&key, &mut last_drawer)?,
                        None => None,
                    }
                }
            };
            appeals.push(match stored {
                Some(stored) => fold(
                    *id,
                    &history::events(&packing::history(&stored, dictionaries.as_deref())?)?,
                )?,
                None => return Err(StoreError::Corrupt(format!("appeal {id} is missing"))),
            });
        }
        Ok(appeals)
    }
}
