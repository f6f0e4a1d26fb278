//! Reading the appeal list: filters, cards and days overdue as of the desk's "now".

use crate::domain::{Appeal, AppealId, Brief, Card, Status, card::days_overdue};

use super::{Desk, DeskError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Is(Status),
    /// Every state but closed and withdrawn.
    Open,
}

impl StatusFilter {
    /// `listed`, `in_progress` (or `in-progress`), …, or `open`.
    pub fn parse(text: &str) -> Option<StatusFilter> {
        if text.trim() == "open" {
            return Some(StatusFilter::Open);
        }
        Status::from_key(text).map(StatusFilter::Is)
    }

    fn admits(self, s: Status) -> bool {
        match self {
            StatusFilter::Is(x) => x == s,
            StatusFilter::Open => s.is_open(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<StatusFilter>,
    pub steward: Option<String>,
    /// Lead or co-handling department.
    pub dept: Option<String>,
    pub category: Option<String>,
    pub meeting: Option<u64>,
    pub enterprise: Option<String>,
    /// Red cards only.
    pub overdue: bool,
}

/// An appeal as the list shows it today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub appeal: Appeal,
    /// The number as people read it, with the district's prefix.
    pub label: String,
    pub card: Card,
    pub days_overdue: i64,
}

/// An appeal's row as of `today`: its label, card and lateness.
pub(super) fn row_of(
    appeal: Appeal,
    today: chrono::NaiveDate,
    calendar: &crate::domain::Calendar,
    warning_days: u32,
    prefix: &str,
) -> Row {
    let due = appeal.running_due();
    Row {
        label: super::label(prefix, appeal.number),
        card: Card::of(due, today, calendar, warning_days),
        days_overdue: days_overdue(due, today),
        appeal,
    }
}

impl Filter {
    fn admits(&self, a: &Brief<'_>) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w.trim()))
        };
        self.status.is_none_or(|s| s.admits(a.status))
            && eq(&self.steward, a.steward)
            && eq(&self.category, Some(a.category))
            && eq(&self.enterprise, Some(a.enterprise))
            && self.meeting.is_none_or(|m| a.meeting == Some(m))
            && self.dept.as_deref().is_none_or(|d| {
                let d = d.trim();
                a.lead_dept == Some(d) || a.co_depts.contains(&d)
            })
    }

    /// The states whose appeals can pass.
    fn states(&self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|s| self.status.is_none_or(|f| f.admits(*s)))
            // Only running appeals can be overdue.
            .filter(|s| !self.overdue || matches!(s, Status::Assigned | Status::InProgress))
            .collect()
    }
}

impl Desk {
    /// The card and lateness of an appeal as of the desk's today.
    pub fn row(&self, appeal: Appeal) -> Row {
        row_of(
            appeal,
            self.clock.today(),
            &self.calendar,
            self.settings.rules.warning_days,
            &self.settings.number_prefix,
        )
    }

    /// One appeal read whole, with its card.
    pub fn whole_row(&self, id: AppealId) -> Result<Row, DeskError> {
        Ok(self.row(self.appeal_by_id(id)?))
    }

    pub(super) fn appeal_by_id(&self, id: AppealId) -> Result<Appeal, DeskError> {
        Ok(self
            .store
            .appeal(id)?
            .ok_or_else(|| crate::store::StoreError::Corrupt(format!("appeal {id} is missing")))?)
    }

    /// The appeals the filter admits, whole, in number order (read as [`Desk::render_rows`]
    /// reads them).
    pub fn list(&self, filter: &Filter) -> Result<Vec<Row>, DeskError> {
        let mut rows = Vec::new();
        self.render_rows(filter, Ok::<_, DeskError>, |part| {
            rows.extend(part);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The identities of the appeals the filter admits, in number order. The briefs of the
    /// states concerned are sifted in one pass over the status index, nothing read whole: the
    /// lower half of the numbers on this thread, the upper half on another (on a desk of
    /// 100,000 this pass was a fifth of an export, with the second core idle).
    fn admitted(&self, filter: &Filter) -> Result<Vec<AppealId>, DeskError> {
        let middle = self.last_number() / 2;
        let states = filter.states();
        let half = |numbers: std::ops::RangeInclusive<u64>| {
            self.sift(
                filter,
                states.iter().map(|s| (*s, numbers.clone())).collect(),
            )
        };
        let (lower, upper) = std::thread::scope(|scope| {
            let upper = scope.spawn(|| half(middle.saturating_add(1)..=u64::MAX));
            (half(0..=middle), upper.join())
        });
        // A panic on the other thread is passed on as it would be on this one.
        let upper = upper.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(lower?.into_iter().chain(upper?).collect())
    }

    /// The identities of the appeals the filter admits among those given (states, each with a
    /// range of numbers), in number order.
    fn sift(
        &self,
        filter: &Filter,
        order: Vec<(Status, std::ops::RangeInclusive<u64>)>,
    ) -> Result<Vec<AppealId>, DeskError> {
        let today = self.clock.today();
        let warning_days = self.settings.rules.warning_days;
        let red = |b: &Brief<'_>| {
            Card::of(b.running_due(), today, &self.calendar, warning_days) == Card::Red
        };
        let mut briefs = self.store.briefs_in(order);
        let mut found = Vec::new();
        while let Some(admitted) = briefs.next_with(|b| {
            (filter.admits(&b) && (!filter.overdue || red(&b))).then_some((b.number, b.id))
        }) {
            if let Some(found_one) = admitted? {
                found.push(found_one);
            }
        }
        // Stable: a number given to two appeals (which `verify` reports) keeps both, in the
        // order of their states.
        found.sort_by_key(|(number, _)| *number);
        Ok(found.into_iter().map(|(_, id)| id).collect())
    }

    fn rows_of(&self, ids: &[AppealId]) -> Result<Vec<Row>, DeskError> {
        let appeals = self.store.appeals_of(ids)?;
        Ok(appeals.into_iter().map(|a| self.row(a)).collect())
    }

    /// The appeals the filter admits, whole and in number order, a part at a time: what an
    /// export writes without holding them all. Reading an appeal whole (its history unpacked
    /// and folded) is most of an export's time, so two threads read the parts (a lone part is
    /// read on the caller's thread) and `render` each; `take` gets what was rendered, part after
    /// part, in order. Each thread hands over one part at a time, so no more than a few parts
    /// are in memory. Returns how many appeals there were.
    pub fn render_rows<T: Send, E: From<DeskError> + Send>(
        &self,
        filter: &Filter,
        render: impl Fn(Vec<Row>) -> Result<T, E> + Sync,
        mut take: impl FnMut(T) -> Result<(), E>,
    ) -> Result<usize, E> {
        const READERS: usize = 2;
        const PART: usize = 256;
        let ids = self.admitted(filter)?;
        let parts: Vec<&[AppealId]> = ids.chunks(PART).collect();
        if parts.len() < 2 {
            // Not worth a thread.
            for part in parts {
                take(render(self.rows_of(part)?)?)?;
            }
            return Ok(ids.len());
        }
        let render = &render;
        std::thread::scope(|scope| {
            // Reader k reads parts k, k + READERS, …; taking from the readers in turn keeps the
            // order without sorting anything.
            let lanes: Vec<_> = (0..READERS)
                .map(|k| {
                    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<T, E>>(1);
                    let parts = &parts;
                    scope.spawn(move || {
                        for part in parts.iter().skip(k).step_by(READERS) {
                            let rendered = self.rows_of(part).map_err(E::from).and_then(render);
                            let failed = rendered.is_err();
                            // A closed lane: the taker stopped at a failure.
                            if tx.send(rendered).is_err() || failed {
                                break;
                            }
                        }
                    });
                    rx
                })
                .collect();
            for i in 0..parts.len() {
                match lanes[i % READERS].recv() {
                    Ok(rendered) => take(rendered?)?,
                    // The reader panicked; the scope passes its panic on.
                    Err(_) => break,
                }
            }
            Ok(ids.len())
        })
    }
}

impl Desk {
    /// One appeal's summary, as the list's neighbours (the meeting's tally) show it.
    pub fn summary_row(&self, id: crate::domain::AppealId) -> Result<Option<Row>, DeskError> {
        Ok(self.store.summary(id)?.map(|a| self.row(a)))
    }

    /// The highest appeal number given on this desk.
    pub fn last_number(&self) -> u64 {
        self.store.last_number()
    }

    /// The briefs of the states given, each within a range of numbers, in that order: what the
    /// list's readers read on their own threads.
    pub fn briefs_in(
        &self,
        order: Vec<(crate::domain::Status, std::ops::RangeInclusive<u64>)>,
    ) -> super::BriefCursor {
        self.store.briefs_in(order)
    }
}
