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
        let today = self.clock.today();
        let due = appeal.running_due();
        Row {
            label: self.label(appeal.number),
            card: Card::of(due, today, &self.calendar, self.settings.rules.warning_days),
            days_overdue: days_overdue(due, today),
            appeal,
        }
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

    /// The appeals the filter admits, whole, in number order.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Row>, DeskError> {
        // The briefs of the states concerned are sifted in one pass over the status index;
        // only the appeals admitted are read whole.
        let mut briefs = self.store.briefs(&filter.states());
        let mut rows = Vec::new();
        while let Some(admitted) = briefs.next_with(|b| filter.admits(&b).then_some(b.id)) {
            let Some(id) = admitted? else { continue };
            let row = self.whole_row(id)?;
            if filter.overdue && row.card != Card::Red {
                continue;
            }
            rows.push(row);
        }
        rows.sort_by_key(|r| r.appeal.number);
        Ok(rows)
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
