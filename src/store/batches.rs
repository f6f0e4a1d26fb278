//! Batch after batch of commands (an import's), each planned while the one before is journaled
//! and committed on another thread: the two halves take about as long as each other, and a
//! batch that only brings new appeals reads nothing the one before writes.

use std::collections::{HashSet, VecDeque};
use std::sync::mpsc;

use super::*;

impl Store {
    /// Appends each batch `batches` yields (the events of its commands, one after another) as
    /// [`Store::append_batch`] would, one after the other. A batch that only brings new appeals
    /// (none of them in a batch not yet committed) is planned while those before it are
    /// committed; any other waits until they are. Stops at the first batch refused or not
    /// written: those before it are written. Each batch's events, once written, are handed to
    /// `let_go`, which may send them back to the thread that made them.
    pub fn append_batches(
        &self,
        batches: impl Iterator<Item = Vec<Event>>,
        mut let_go: impl FnMut(Vec<Event>),
    ) -> Result<(), AppendError> {
        self.refuse_if_cut_short()?;
        let mut w = self.writer();
        self.recover_if_failed(&mut w)?;
        let mut meta = w.meta;
        let w = &mut *w;
        // Room for one: a batch planned waits there while the one before is committed, and the
        // planner goes on (an import of 100k 4.7-5.3 s with no room, 4.6-4.9 s with it).
        let (to_commit, planned) = mpsc::sync_channel::<(Vec<Event>, Plan)>(1);
        let (report, committed) = mpsc::channel::<Result<(), StoreError>>();
        // A batch written goes back to the planner to be let go there: a plan's thousands of
        // keys and values are freed quicker by the thread that made them (mimalloc frees a
        // block another thread gave through a slower, shared path).
        let (give_back, spent) = mpsc::channel::<(Vec<Event>, Plan)>();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for (events, plan) in planned {
                    // As `append_batch` does before each batch: an engine that failed is caught
                    // up from the journal first, or nothing more is written.
                    let done = self
                        .recover_if_failed(w)
                        .and_then(|()| self.journal_and_commit(w, &events, plan));
                    let failed = done.is_err();
                    let done = done.map(|plan| {
                        // The planner may be done and gone: the batch is then let go here.
                        let _ = give_back.send((events, plan));
                    });
                    if report.send(done).is_err() || failed {
                        break;
                    }
                }
            });
            // Batches written since the last are let go here (see `give_back`): the plan, and
            // the events through `let_go`.
            let mut let_go_spent = || {
                for (events, plan) in spent.try_iter() {
                    drop(plan);
                    let_go(events);
                }
            };
            let mut waiting = Waiting::default();
            let mut outcome = Ok(());
            for mut events in batches {
                let_go_spent();
                let appeals = match only_new_appeals(&events) {
                    Some(appeals) if waiting.none_of(&appeals) => appeals,
                    _ => {
                        // It may read what the batches before it write.
                        if let Err(e) = waiting.until_committed(&committed) {
                            outcome = Err(e.into());
                            break;
                        }
                        HashSet::new()
                    }
                };
                if let Err(e) = waiting.any_failure(&committed) {
                    outcome = Err(e.into());
                    break;
                }
                let plan = match self.plan(&mut events, meta) {
                    Ok(plan) => plan,
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                };
                meta = plan.meta;
                if to_commit.send((events, plan)).is_err() {
                    // The committer stopped: its report says why.
                    break;
                }
                waiting.sent(appeals);
            }
            drop(to_commit);
            // What was handed on is committed (or failed) before this returns.
            let last = waiting.until_committed(&committed);
            // The committer gives a batch back before it reports it: every one written is here.
            let_go_spent();
            outcome.and(last.map_err(AppendError::from))
        })
    }
}

/// The batches handed to the committer and not yet reported on (it reports them in order):
/// the appeals of each.
#[derive(Default)]
struct Waiting(VecDeque<HashSet<AppealId>>);

impl Waiting {
    fn sent(&mut self, appeals: HashSet<AppealId>) {
        self.0.push_back(appeals);
    }

    /// Whether no batch still to be committed has any of `appeals`.
    fn none_of(&self, appeals: &HashSet<AppealId>) -> bool {
        self.0.iter().all(|batch| batch.is_disjoint(appeals))
    }

    /// Waits until every batch handed on is reported on; the first failure, if any.
    fn until_committed(
        &mut self,
        committed: &mpsc::Receiver<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        while self.0.pop_front().is_some() {
            let report = committed.recv().unwrap_or_else(|_| {
                Err(StoreError::Engine(
                    "the thread committing the batches stopped".into(),
                ))
            });
            if report.is_err() {
                // The committer stops at a failure: nothing more will be reported.
                self.0.clear();
                return report;
            }
        }
        Ok(())
    }

    /// A failure already reported, without waiting for one.
    fn any_failure(
        &mut self,
        committed: &mpsc::Receiver<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        while let Ok(report) = committed.try_recv() {
            self.0.pop_front();
            if report.is_err() {
                self.0.clear();
                return report;
            }
        }
        Ok(())
    }
}

/// The appeals of a batch that only brings new ones: each captured in it, numbered when it is
/// written, with no event from the hub and no meeting's. Such a batch reads nothing of the
/// store that a batch before it (with none of its appeals) writes, but the days' entries and
/// figures, which are read when it is committed.
fn only_new_appeals(events: &[Event]) -> Option<HashSet<AppealId>> {
    let mut captured = HashSet::new();
    let mut named = Vec::new();
    for e in events {
        if e.hub.is_some() {
            return None;
        }
        match &e.body {
            EventBody::Appeal {
                appeal,
                change: AppealChange::Captured(c),
            } => {
                if c.number != 0 || !captured.insert(*appeal) {
                    return None;
                }
            }
            EventBody::Appeal { appeal, .. } => named.push(*appeal),
            EventBody::EnterpriseSaved(_)
            | EventBody::StewardSaved(_)
            | EventBody::DepartmentAdded { .. } => {}
            EventBody::MeetingAdded(_) | EventBody::MeetingEdited(_) => return None,
        }
    }
    named
        .iter()
        .all(|a| captured.contains(a))
        .then_some(captured)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{answered_and_closed, capture, event};
    use super::*;

    /// Six batches: most bring only new appeals (some closed, some listed), three take steps on
    /// appeals of a batch before them, which must wait for it.
    fn six_batches() -> Vec<Vec<Vec<Event>>> {
        let mut batches = Vec::new();
        let mut id = 1_000u128;
        for b in 0..6u128 {
            let mut batch = Vec::new();
            for i in 0..5u128 {
                let a = ulid::Ulid(b * 100 + i + 1);
                let mut command = vec![capture(a, id)];
                match i % 3 {
                    0 => command.extend(answered_and_closed(a, id + 1)),
                    1 => command.push(event(a, id + 1, AppealChange::Listed)),
                    _ => {}
                }
                id += 10;
                batch.push(command);
            }
            if b == 2 || b == 4 {
                // The batch before's third appeal, listed and then closed.
                let before = ulid::Ulid((b - 1) * 100 + 3);
                batch.push(answered_and_closed(before, id));
                id += 10;
            }
            if b == 5 {
                // The second appeal of the batch before the one before (listed there), closed.
                let listed = ulid::Ulid((b - 2) * 100 + 2);
                batch.push(answered_and_closed(listed, id).split_off(1));
                id += 10;
            }
            batches.push(batch);
        }
        batches
    }

    fn what_it_holds(store: &Store) -> Result<Vec<(AppealId, u64, Status)>, StoreError> {
        let mut held: Vec<_> = store
            .appeals()
            .map(|a| a.map(|a| (a.id, a.number, a.status)))
            .collect::<Result<_, _>>()?;
        held.sort();
        Ok(held)
    }

    #[test]
    fn batches_written_while_the_next_is_planned_leave_the_store_as_one_after_another()
    -> Result<(), Box<dyn std::error::Error>> {
        let (one_by_one, together) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let (store, _) = Store::open(one_by_one.path())?;
        store.begin_bulk()?;
        for batch in six_batches() {
            store.append_batch(batch)?;
        }
        store.end_bulk()?;
        let expected = what_it_holds(&store)?;
        let (store, _) = Store::open(together.path())?;
        store.begin_bulk()?;
        let sent: Vec<Vec<Event>> = six_batches().into_iter().map(|b| b.concat()).collect();
        let mut given_back = Vec::new();
        store.append_batches(sent.clone().into_iter(), |events| given_back.push(events))?;
        store.end_bulk()?;
        // Every batch comes back once written, in order, to be let go by its maker.
        let ids = |batches: &[Vec<Event>]| -> Vec<Vec<crate::domain::EventId>> {
            batches
                .iter()
                .map(|b| b.iter().map(|e| e.id).collect())
                .collect()
        };
        assert_eq!(ids(&given_back), ids(&sent));
        let held = what_it_holds(&store)?;
        assert_eq!(held, expected);
        assert_eq!(held.len(), 30);
        // The steps on the batch before's appeals were taken, and numbers given in order.
        let closed = held.iter().filter(|(.., s)| *s == Status::Closed).count();
        assert_eq!(closed, 12 + 3);
        let mut numbers: Vec<u64> = held.iter().map(|(_, n, _)| *n).collect();
        numbers.sort();
        assert_eq!(numbers, (1..=30).collect::<Vec<u64>>());
        // Projections, indexes, days' entries and figures agree with the events.
        assert_eq!(store.verify()?, Vec::<String>::new());
        drop(store);
        // And the journal says the same: the store laid out anew from it holds the same.
        let (store, _) = Store::rebuild(together.path())?;
        assert_eq!(what_it_holds(&store)?, expected);
        assert_eq!(store.verify()?, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn an_appeal_captured_again_in_the_next_batch_is_refused_as_one_after_another_would_be()
    -> Result<(), Box<dyn std::error::Error>> {
        let a = ulid::Ulid(1);
        let batches = || {
            vec![
                vec![vec![capture(a, 1)], vec![capture(ulid::Ulid(2), 2)]],
                vec![vec![capture(a, 3)]],
            ]
        };
        let (one_by_one, together) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let (store, _) = Store::open(one_by_one.path())?;
        let mut each = batches().into_iter();
        store.append_batch(each.next().unwrap_or_default())?;
        let expected = store.append_batch(each.next().unwrap_or_default());
        assert!(
            matches!(expected, Err(AppendError::Refused(_))),
            "{expected:?}"
        );
        let (store, _) = Store::open(together.path())?;
        // The second batch only brings a capture, but of an appeal the first is writing: it
        // waits for it, and is refused.
        let refused = store.append_batches(batches().into_iter().map(|b| b.concat()), drop);
        assert!(
            matches!(refused, Err(AppendError::Refused(_))),
            "{refused:?}"
        );
        assert_eq!(what_it_holds(&store)?.len(), 2);
        assert_eq!(store.events_of(a)?.len(), 1);
        assert_eq!(store.verify()?, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn a_batch_refused_stops_the_batches_with_those_before_it_written()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, _) = Store::open(dir.path())?;
        let mut batches = six_batches();
        // The fourth batch closes an appeal never captured: refused.
        batches[3].push(vec![event(ulid::Ulid(9_999), 99_999, AppealChange::Listed)]);
        let mut given_back = 0;
        let refused =
            store.append_batches(batches.into_iter().map(|b| b.concat()), |_| given_back += 1);
        assert!(
            matches!(refused, Err(AppendError::Refused(_))),
            "{refused:?}"
        );
        // Those written come back; the refused one and those after it were never written.
        assert_eq!(given_back, 3);
        // The first three batches (15 appeals), nothing of the fourth or after.
        let held = what_it_holds(&store)?;
        assert_eq!(held.len(), 15, "{held:?}");
        assert!(held.iter().all(|(id, ..)| id.0 < 300));
        assert_eq!(store.verify()?, Vec::<String>::new());
        // The store takes writes after it.
        store.append(vec![capture(ulid::Ulid(7_777), 77_777)])?;
        assert_eq!(what_it_holds(&store)?.len(), 16);
        Ok(())
    }
}
