//! The figures kept as they go: for each day, what the appeals captured that day add to the
//! figures (`CohortSums`), in all and by department, steward, category and meeting, changed in
//! the same transaction as each step. A period's figures are then the sum of its days' — at a
//! million appeals, all time is a few thousand small entries instead of every summary. By
//! enterprise they are not kept (thousands of names a day): that breakdown reads the appeals.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::domain::figures::{CohortSums, Dimension};

/// The groups of one kind of entry: a day's figures in all (one group, ""), or by a dimension.
type Groups = BTreeMap<String, CohortSums>;

/// Which entries a dimension has (`None`: not kept); the figures in all are 0.
fn code(by: Option<Dimension>) -> Option<u8> {
    match by {
        None => Some(0),
        Some(Dimension::Dept) => Some(1),
        Some(Dimension::Steward) => Some(2),
        Some(Dimension::Category) => Some(3),
        Some(Dimension::Meeting) => Some(4),
        Some(Dimension::Enterprise) => None,
    }
}

const KEPT: [Option<Dimension>; 5] = [
    None,
    Some(Dimension::Dept),
    Some(Dimension::Steward),
    Some(Dimension::Category),
    Some(Dimension::Meeting),
];

/// `dimension ‖ day of capture`: one dimension's days together, in order.
fn key(code: u8, day: NaiveDate) -> [u8; 5] {
    let mut k = [0u8; 5];
    k[0] = code;
    let n = u32::try_from(day.num_days_from_ce()).unwrap_or(0);
    k[1..].copy_from_slice(&n.to_be_bytes());
    k
}

/// The entries an appeal counts in, each with its group.
fn places(a: &Appeal) -> impl Iterator<Item = ([u8; 5], Cow<'_, str>)> + '_ {
    let day = a.captured_at.date_naive();
    KEPT.into_iter().filter_map(move |by| {
        let group = by.map_or(Cow::Borrowed(""), |d| d.key(a));
        code(by).map(|c| (key(c, day), group))
    })
}

/// Adds (`sign` 1) or takes away (-1) what an appeal counts, in each entry it counts in.
fn file_under(
    entries: &mut BTreeMap<[u8; 5], Groups>,
    appeal: &Appeal,
    sums: &CohortSums,
    sign: i64,
) {
    for (k, group) in places(appeal) {
        let groups = entries.entry(k).or_default();
        // A group's name is copied only the first time it is met.
        match groups.get_mut(group.as_ref()) {
            Some(sums_there) => sums_there.add(sums, sign),
            None => groups
                .entry(group.into_owned())
                .or_default()
                .add(sums, sign),
        }
    }
}

/// What a command changes in the entries, gathered over its appeals: each entry is read and
/// written once per command. A step that changes no figure (a note) changes no entry.
#[derive(Default)]
pub(super) struct CohortEdits(BTreeMap<[u8; 5], Groups>);

impl CohortEdits {
    pub(super) fn note(&mut self, before: Option<&Appeal>, after: Option<&Appeal>) {
        let sums = |a: Option<&Appeal>| a.map(CohortSums::of);
        let (was, is) = (sums(before), sums(after));
        let same_places = match (before, after) {
            (Some(b), Some(a)) => places(b).eq(places(a)),
            (None, None) => true,
            _ => false,
        };
        if was == is && same_places {
            return;
        }
        for (appeal, sums, sign) in [(before, was, -1), (after, is, 1)] {
            if let (Some(appeal), Some(sums)) = (appeal, sums) {
                file_under(&mut self.0, appeal, &sums, sign);
            }
        }
    }

    /// The entries as they will be, read from `cohorts` and changed; a group left with nothing
    /// goes, and an entry left with no group.
    pub(super) fn ops(&self, cohorts: &sled::Tree) -> Result<Vec<Op>, StoreError> {
        let mut ops = Vec::with_capacity(self.0.len());
        for (k, changes) in &self.0 {
            let mut groups: Groups = match cohorts.get(k)? {
                Some(v) => codec::decode(&v, "a day's figures")?,
                None => Groups::new(),
            };
            for (group, change) in changes {
                let sums = groups.entry(group.clone()).or_default();
                sums.add(change, 1);
                if sums.is_empty() {
                    groups.remove(group);
                }
            }
            ops.push(if groups.is_empty() {
                Op::Del(COHORTS, k.to_vec())
            } else {
                Op::Put(COHORTS, k.to_vec(), codec::encode(&groups)?)
            });
        }
        Ok(ops)
    }
}

/// The figures of the appeals captured from `from` to `to` by group of `by` (in all: one group,
/// ""), summed over the days' entries of `cohorts`; `None` where they are not kept.
pub(super) fn sums(
    cohorts: &sled::Tree,
    by: Option<Dimension>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<Groups>, StoreError> {
    let Some(c) = code(by) else {
        return Ok(None);
    };
    let mut out = Groups::new();
    for kv in cohorts.range(key(c, from)..=key(c, to)) {
        let (_, v) = kv?;
        let groups: Groups = codec::decode(&v, "a day's figures")?;
        for (group, sums) in groups {
            out.entry(group).or_default().add(&sums, 1);
        }
    }
    Ok(Some(out))
}

/// The days' figures the appeals call for, gathered while `verify` reads each appeal once.
#[derive(Default)]
pub(super) struct ExpectedCohorts(BTreeMap<[u8; 5], Groups>);

impl ExpectedCohorts {
    pub(super) fn add(&mut self, appeal: &Appeal) {
        file_under(&mut self.0, appeal, &CohortSums::of(appeal), 1);
    }
}

impl Store {
    /// Checks the days' figures against the appeals (for `verify`).
    pub(super) fn verify_cohorts(
        &self,
        expected: ExpectedCohorts,
    ) -> Result<Vec<String>, StoreError> {
        let mut expected = expected.0;
        let mut problems = Vec::new();
        let name = |k: &[u8]| {
            let day = k
                .get(1..5)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .and_then(|b| i32::try_from(u32::from_be_bytes(b)).ok())
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .map_or_else(|| "an unreadable day".to_string(), |d| d.to_string());
            let by = match k.first() {
                Some(0) => "in all",
                Some(1) => "by department",
                Some(2) => "by steward",
                Some(3) => "by category",
                Some(4) => "by meeting",
                _ => "by an unknown dimension",
            };
            format!("the figures of the appeals captured on {day}, {by},")
        };
        for kv in self.engine()?.trees[COHORTS].iter() {
            let (k, v) = kv?;
            let held: Option<Groups> = codec::decode(&v, "a day's figures").ok();
            match expected.remove(k.as_ref()) {
                Some(groups) if Some(&groups) == held.as_ref() => {}
                _ => problems.push(format!("{} differ from the appeals", name(&k))),
            }
        }
        for k in expected.keys() {
            problems.push(format!("{} are missing", name(k.as_slice())));
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{capture, event};
    use super::*;

    #[test]
    fn a_days_figures_follow_its_appeals_and_verify_knows_when_they_do_not()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let (a, b) = (ulid::Ulid(100), ulid::Ulid(200));
        store.append(vec![capture(a, 1)])?;
        store.append(vec![capture(b, 2)])?;
        store.append(vec![event(
            a,
            3,
            AppealChange::ResolvedOnSpot {
                answer: "已解决".into(),
            },
        )])?;
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).ok_or("a day")?;
        let cohorts = store.engine()?.trees[COHORTS].clone();
        let all = sums(&cohorts, None, day, day)?.ok_or("kept")?;
        let total = all.get("").ok_or("no figures")?;
        assert_eq!((total.captured, total.on_spot, total.closed), (2, 1, 1));
        let by_category = sums(&cohorts, Some(Dimension::Category), day, day)?.ok_or("kept")?;
        assert_eq!(by_category.get("用电").map(|s| s.captured), Some(2));
        assert!(sums(&cohorts, Some(Dimension::Enterprise), day, day)?.is_none());
        let before = day.pred_opt().ok_or("a day")?;
        assert!(
            sums(&cohorts, None, before, before)?
                .ok_or("kept")?
                .is_empty()
        );
        assert!(store.verify()?.is_empty());

        // A note changes no figure, and so no entry.
        let held = cohorts.get(key(0, day))?;
        store.append(vec![event(b, 4, AppealChange::Listed)])?;
        assert_ne!(cohorts.get(key(0, day))?, held, "listing counts");
        let held = cohorts.get(key(0, day))?;
        store.append(vec![event(
            b,
            5,
            AppealChange::Noted {
                text: "已联系".into(),
            },
        )])?;
        assert_eq!(cohorts.get(key(0, day))?, held);

        // An entry that no longer adds up is named.
        cohorts.insert(key(3, day), codec::encode(&Groups::new())?)?;
        assert_eq!(
            store.verify()?,
            [
                "the figures of the appeals captured on 2026-11-25, by category, differ from the appeals"
            ]
        );
        Ok(())
    }
}
