//! The appeals filed by day: which were captured, closed and escalated on each day. A period's
//! figures and the weekly report read the days of their period, not every appeal: at a million
//! appeals a week is a few thousand. One entry per kind and day, holding the identities of its
//! appeals in order — an entry per appeal would add a node per 16 appeals to what sled loads on
//! every open (as the tree of numbers did, layout 3).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::*;

/// What a day's entry lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayKind {
    /// Appeals captured that day (the cohort of the figures).
    Captured,
    /// Appeals closed that day and closed still.
    Closed,
    /// Appeals with an escalation that day in their timeline.
    Escalated,
}

impl DayKind {
    const ALL: [DayKind; 3] = [DayKind::Captured, DayKind::Closed, DayKind::Escalated];

    fn code(self) -> u8 {
        match self {
            DayKind::Captured => b'c',
            DayKind::Closed => b'x',
            DayKind::Escalated => b'e',
        }
    }

    fn name(self) -> &'static str {
        match self {
            DayKind::Captured => "captured",
            DayKind::Closed => "closed",
            DayKind::Escalated => "escalated",
        }
    }
}

type Mark = (DayKind, NaiveDate);

/// The days an appeal is filed under: its capture, its closing while it stays closed, and every
/// escalation in its timeline. An appeal whose capture is not in yet is filed under none.
pub(super) fn marks<'a>(
    appeal: Option<&Appeal>,
    events: impl IntoIterator<Item = &'a Event>,
) -> BTreeSet<Mark> {
    let mut out = BTreeSet::new();
    let Some(a) = appeal else {
        return out;
    };
    out.insert((DayKind::Captured, a.captured_at.date_naive()));
    if a.status == Status::Closed
        && let Some(closed) = a.closed_at
    {
        out.insert((DayKind::Closed, closed.date_naive()));
    }
    for e in events {
        if let EventBody::Appeal {
            change: AppealChange::Escalated { .. },
            ..
        } = &e.body
        {
            out.insert((DayKind::Escalated, e.at.date_naive()));
        }
    }
    out
}

/// `kind ‖ day`, the day as days from the common era (big-endian: in order).
fn key(kind: DayKind, day: NaiveDate) -> [u8; 5] {
    let mut k = [0u8; 5];
    k[0] = kind.code();
    let n = u32::try_from(day.num_days_from_ce()).unwrap_or(0);
    k[1..].copy_from_slice(&n.to_be_bytes());
    k
}

fn day_of(key: &[u8]) -> Result<NaiveDate, StoreError> {
    key.get(1..5)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .and_then(|b| i32::try_from(u32::from_be_bytes(b)).ok())
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| StoreError::Corrupt("a day entry's key".into()))
}

/// A day's appeals: their identities, 16 bytes each, in order.
fn decode(value: &[u8]) -> Result<Vec<u128>, StoreError> {
    if !value.len().is_multiple_of(16) {
        return Err(StoreError::Corrupt("a day entry is cut short".into()));
    }
    Ok(value
        .chunks_exact(16)
        .filter_map(|c| <[u8; 16]>::try_from(c).ok())
        .map(u128::from_be_bytes)
        .collect())
}

fn encode(ids: &BTreeSet<u128>) -> Vec<u8> {
    ids.iter().flat_map(|id| id.to_be_bytes()).collect()
}

/// What a command changes in the days' entries, gathered over the appeals it touches: each
/// entry is read and written once per command, however many of its appeals the command brings.
#[derive(Default)]
pub(super) struct DayEdits(BTreeMap<[u8; 5], (BTreeSet<u128>, BTreeSet<u128>)>);

impl DayEdits {
    /// An appeal filed under `before` and now under `after`.
    pub(super) fn note(&mut self, id: AppealId, before: &BTreeSet<Mark>, after: &BTreeSet<Mark>) {
        for &(kind, day) in before.difference(after) {
            self.0.entry(key(kind, day)).or_default().0.insert(id.0);
        }
        for &(kind, day) in after.difference(before) {
            self.0.entry(key(kind, day)).or_default().1.insert(id.0);
        }
    }

    /// The entries as they will be, read from `days` and edited; an emptied entry goes.
    pub(super) fn ops(&self, days: &sled::Tree) -> Result<Vec<Op>, StoreError> {
        let mut ops = Vec::with_capacity(self.0.len());
        for (k, (out, into)) in &self.0 {
            let mut ids: BTreeSet<u128> = match days.get(k)? {
                Some(v) => decode(&v)?.into_iter().collect(),
                None => BTreeSet::new(),
            };
            ids.retain(|id| !out.contains(id));
            ids.extend(into);
            ops.push(if ids.is_empty() {
                Op::Del(DAYS, k.to_vec())
            } else {
                Op::Put(DAYS, k.to_vec(), encode(&ids))
            });
        }
        Ok(ops)
    }
}

/// The days' entries and the summaries, owned so that a period's appeals can be read on another
/// thread.
pub struct DayIndex {
    days: sled::Tree,
    cohorts: sled::Tree,
    appeals: super::drawer::Keyed,
    /// The archive (closed and withdrawn appeals), opened when one of them is read.
    archive: super::archive::ArchiveSlot,
    /// The store's dictionaries, as they are when read (trained by a later write).
    dictionaries: Arc<super::dictionary::Slot>,
    by_status: sled::Tree,
}

impl DayIndex {
    /// The first and the last day with an entry of `kind`.
    pub fn span(&self, kind: DayKind) -> Result<Option<(NaiveDate, NaiveDate)>, StoreError> {
        let mut entries = self.days.scan_prefix([kind.code()]).keys();
        let Some(first) = entries.next() else {
            return Ok(None);
        };
        let first = day_of(&first?)?;
        let last = match entries.next_back() {
            Some(k) => day_of(&k?)?,
            None => first,
        };
        Ok(Some((first, last)))
    }

    /// The appeals filed under `kind` from `from` to `to` (both included), each once, in order
    /// of identity.
    pub fn ids(
        &self,
        kind: DayKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeSet<AppealId>, StoreError> {
        let mut out = BTreeSet::new();
        for kv in self.days.range(key(kind, from)..=key(kind, to)) {
            let (_, v) = kv?;
            out.extend(decode(&v)?.into_iter().map(ulid::Ulid));
        }
        Ok(out)
    }

    /// How many appeals are filed under `kind` on each day from `from` to `to` that has any.
    pub fn counts(
        &self,
        kind: DayKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, usize)>, StoreError> {
        self.days
            .range(key(kind, from)..=key(kind, to))
            .map(|kv| {
                let (k, v) = kv?;
                Ok((day_of(&k)?, v.len() / 16))
            })
            .collect()
    }

    /// The appeals open today (any state but closed and withdrawn).
    pub fn open_ids(&self) -> Result<BTreeSet<AppealId>, StoreError> {
        let mut out = BTreeSet::new();
        for status in Status::OPEN {
            for kv in self.by_status.scan_prefix([status.code()]) {
                let (_, v) = kv?;
                out.insert(
                    read_id(&v).ok_or_else(|| StoreError::Corrupt("an index entry".into()))?,
                );
            }
        }
        Ok(out)
    }

    /// The summaries of the appeals named.
    pub fn summaries<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a AppealId>,
    ) -> Result<Vec<Appeal>, StoreError> {
        let dictionaries = self.dictionaries.get();
        ids.into_iter()
            .map(|id| {
                let key = id_key(*id);
                let found = match self.appeals.get(&key)? {
                    Some(v) => Some(v),
                    None => match self.archive.get(false)? {
                        Some(archive) => archive.keyed(APPEALS).get(&key)?,
                        None => None,
                    },
                };
                match found {
                    Some(v) => super::packing::summary(&v, dictionaries.as_deref()),
                    None => Err(StoreError::Corrupt(format!(
                        "the day index names a missing appeal {id}"
                    ))),
                }
            })
            .collect()
    }

    /// The figures of the appeals captured from `from` to `to`, kept as they go: in all (one
    /// group, "") or by the groups of a dimension; `None` for a dimension not kept.
    pub fn sums(
        &self,
        by: Option<crate::domain::figures::Dimension>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<BTreeMap<String, crate::domain::figures::CohortSums>>, StoreError> {
        super::cohorts::sums(&self.cohorts, by, from, to)
    }

    /// Every appeal's summary, in parts to be read side by side (as [`Store::summaries_apart`]).
    pub fn all(&self) -> Vec<SummariesApart> {
        match self.archive.get(false) {
            Ok(archive) => super::read::halves(
                self.appeals.clone(),
                archive.map(|a| a.keyed(APPEALS)),
                self.dictionaries.get(),
            ),
            Err(e) => vec![Box::new(std::iter::once(Err(e)))],
        }
    }
}

/// The days' entries the appeals call for, gathered while `verify` reads each appeal once.
#[derive(Default)]
pub(super) struct ExpectedDays(BTreeMap<[u8; 5], BTreeSet<u128>>);

impl ExpectedDays {
    pub(super) fn add(&mut self, id: AppealId, appeal: Option<&Appeal>, events: &[Event]) {
        for (kind, day) in marks(appeal, events) {
            self.0.entry(key(kind, day)).or_default().insert(id.0);
        }
    }
}

impl Store {
    /// The days' entries, to read a period's appeals with.
    pub fn day_index(&self) -> Result<DayIndex, StoreError> {
        let engine = self.engine()?;
        Ok(DayIndex {
            days: engine.trees[DAYS].clone(),
            cohorts: engine.trees[COHORTS].clone(),
            appeals: engine.keyed(APPEALS),
            archive: self.archive.clone(),
            dictionaries: engine.dictionaries.clone(),
            by_status: engine.trees[BY_STATUS].clone(),
        })
    }

    /// Checks the days' entries against what the appeals call for (for `verify`).
    pub(super) fn verify_days(&self, expected: ExpectedDays) -> Result<Vec<String>, StoreError> {
        let mut expected = expected.0;
        let mut problems = Vec::new();
        let name = |k: &[u8]| -> String {
            let kind = DayKind::ALL
                .into_iter()
                .find(|d| k.first() == Some(&d.code()))
                .map_or("?", DayKind::name);
            match day_of(k) {
                Ok(day) => format!("{kind} on {day}"),
                Err(_) => format!("{kind} on an unreadable day"),
            }
        };
        for kv in self.engine()?.trees[DAYS].iter() {
            let (k, v) = kv?;
            let held: BTreeSet<u128> = decode(&v)?.into_iter().collect();
            match expected.remove(k.as_ref()) {
                Some(ids) if ids == held => {}
                _ => problems.push(format!(
                    "the day index of appeals {} differs from the appeals",
                    name(&k)
                )),
            }
        }
        for k in expected.keys() {
            problems.push(format!(
                "the day index lacks the appeals {}",
                name(k.as_slice())
            ));
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{capture, event};
    use super::*;
    use crate::domain::Level;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn keys_are_in_the_order_of_days() {
        let (a, b) = (
            key(DayKind::Closed, day("2026-11-30")),
            key(DayKind::Closed, day("2027-01-02")),
        );
        assert!(a < b);
        assert_eq!(day_of(&a).ok(), Some(day("2026-11-30")));
        assert!(key(DayKind::Captured, day("2030-01-01")) < a, "kinds apart");
    }

    #[test]
    fn appeals_are_filed_under_their_days_as_they_change() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let (a, b) = (ulid::Ulid(100), ulid::Ulid(200));
        let nov25 = day("2026-11-25");
        store.append(vec![capture(a, 1)])?;
        store.append(vec![capture(b, 2)])?;
        let index = store.day_index()?;
        let ids = |kind| index.ids(kind, nov25, nov25);
        assert_eq!(ids(DayKind::Captured)?, BTreeSet::from([a, b]));
        assert!(ids(DayKind::Closed)?.is_empty());
        assert_eq!(index.span(DayKind::Captured)?, Some((nov25, nov25)));
        assert_eq!(index.open_ids()?, BTreeSet::from([a, b]));

        store.append(vec![event(
            a,
            3,
            AppealChange::ResolvedOnSpot {
                answer: "已解决".into(),
            },
        )])?;
        store.append(vec![event(b, 6, AppealChange::Listed)])?;
        store.append(vec![event(
            b,
            7,
            AppealChange::Assigned(crate::domain::Assignment {
                steward: "李娜".into(),
                lead_dept: "区发改局".into(),
                co_depts: vec![],
                due: day("2026-12-09"),
            }),
        )])?;
        store.append(vec![event(
            b,
            4,
            AppealChange::Escalated {
                level: Level::City,
                to: "市发改委".into(),
                note: None,
            },
        )])?;
        assert_eq!(ids(DayKind::Closed)?, BTreeSet::from([a]));
        assert_eq!(ids(DayKind::Escalated)?, BTreeSet::from([b]));
        assert_eq!(index.counts(DayKind::Captured, nov25, nov25)?, [(nov25, 2)]);
        assert_eq!(index.open_ids()?, BTreeSet::from([b]));
        assert!(store.verify()?.is_empty());

        // Answered, closed, then reopened: no longer filed as closed.
        store.append(vec![event(b, 8, AppealChange::Acknowledged)])?;
        store.append(vec![event(
            b,
            9,
            AppealChange::Answered {
                text: "已协调".into(),
            },
        )])?;
        store.append(vec![event(
            b,
            10,
            AppealChange::Closed {
                note: "办结".into(),
            },
        )])?;
        assert_eq!(ids(DayKind::Closed)?, BTreeSet::from([a, b]));
        assert!(store.verify()?.is_empty());
        store.append(vec![event(
            b,
            11,
            AppealChange::Reopened {
                reason: "未解决".into(),
                due: day("2026-12-09"),
            },
        )])?;
        assert_eq!(ids(DayKind::Closed)?, BTreeSet::from([a]));
        assert_eq!(
            ids(DayKind::Escalated)?,
            BTreeSet::from([b]),
            "the escalation stays"
        );
        assert_eq!(
            index
                .summaries(&ids(DayKind::Captured)?)?
                .iter()
                .map(|x| x.id)
                .collect::<Vec<_>>(),
            [a, b]
        );
        assert!(store.verify()?.is_empty());
        Ok(())
    }

    #[test]
    fn verify_names_a_day_entry_that_differs() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        store.append(vec![capture(ulid::Ulid(100), 1)])?;
        let k = key(DayKind::Captured, day("2026-11-25"));
        store.engine()?.trees[DAYS].insert(k, encode(&BTreeSet::from([7u128])))?;
        let problems = store.verify()?;
        assert_eq!(
            problems,
            ["the day index of appeals captured on 2026-11-25 differs from the appeals"]
        );
        store.engine()?.trees[DAYS].remove(k)?;
        assert_eq!(
            store.verify()?,
            ["the day index lacks the appeals captured on 2026-11-25"]
        );
        Ok(())
    }
}
