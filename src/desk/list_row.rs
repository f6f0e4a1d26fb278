//! What the desk in the terminal holds for each appeal of the list: only what the list shows,
//! sorts and filters on, with names shared between rows. A million appeals fit in a few hundred
//! megabytes this way (a whole summary is about five times the size), and they are read in
//! batches so that the first screen does not wait for the last appeal.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::{Desk, DeskError};
use crate::domain::card::days_overdue;
use crate::domain::{AppealId, Brief, Calendar, Card, Status};
use crate::search::{Name, Query};
use crate::store::BriefCursor;

/// One appeal as the list holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub id: AppealId,
    pub number: u64,
    pub status: Status,
    pub card: Card,
    pub days_overdue: i64,
    pub enterprise: Arc<Name>,
    pub category: Arc<Name>,
    pub steward: Option<Arc<Name>>,
    pub lead_dept: Option<Arc<Name>>,
    pub due: Option<NaiveDate>,
    /// Seconds since the epoch: the order of capture.
    pub captured_at: i64,
    pub captured_on: NaiveDate,
    pub urges: u32,
    pub meeting: Option<u64>,
    /// The first characters of the appeal's text, lower-cased: matched by the filter, not shown.
    pub text: Box<str>,
}

impl ListRow {
    pub fn matches(&self, query: &Query) -> bool {
        query.matches(
            Some(self.number),
            &self.enterprise,
            &[
                Some(&self.category),
                self.steward.as_deref(),
                self.lead_dept.as_deref(),
            ],
            &self.text,
        )
    }
}

/// One shared [`Name`] per distinct text.
#[derive(Default)]
pub struct Names(HashMap<Box<str>, Arc<Name>>);

impl Names {
    /// Takes in the names another reader met.
    pub fn absorb(&mut self, other: Names) {
        for (text, name) in other.0 {
            self.0.entry(text).or_insert(name);
        }
    }

    pub fn get(&mut self, text: &str) -> Arc<Name> {
        if let Some(n) = self.0.get(text) {
            return Arc::clone(n);
        }
        let name = Arc::new(Name::new(text));
        self.0.insert(text.into(), Arc::clone(&name));
        name
    }
}

/// What a card is worked out against: the desk's today and its rules.
#[derive(Clone)]
pub struct CardRules {
    today: NaiveDate,
    calendar: Calendar,
    warning_days: u32,
}

impl CardRules {
    pub fn card(&self, due: Option<NaiveDate>) -> (Card, i64) {
        (
            Card::of(due, self.today, &self.calendar, self.warning_days),
            days_overdue(due, self.today),
        )
    }

    pub fn list_row(&self, b: &Brief<'_>, names: &mut Names) -> ListRow {
        let (card, days_overdue) = self.card(b.running_due());
        ListRow {
            id: b.id,
            number: b.number,
            status: b.status,
            card,
            days_overdue,
            enterprise: names.get(b.enterprise),
            category: names.get(b.category),
            steward: b.steward.map(|s| names.get(s)),
            lead_dept: b.lead_dept.map(|d| names.get(d)),
            due: b.due,
            captured_at: b.captured_at,
            captured_on: b.captured_on,
            urges: b.urges,
            meeting: b.meeting,
            text: lower(b.text),
        }
    }
}

/// The text lower-cased, copied as it is when nothing in it has a case (most Chinese text),
/// which is several times quicker than lower-casing it.
fn lower(text: &str) -> Box<str> {
    if text.chars().any(char::is_uppercase) {
        text.to_lowercase().into()
    } else {
        text.into()
    }
}

/// Reads its share of the appeals' rows in batches, on any thread: it owns what it reads.
pub struct ListLoader {
    cursor: BriefCursor,
    rules: CardRules,
    names: Names,
}

impl ListLoader {
    /// The next rows, at most `max`; empty once every appeal is read.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<ListRow>, DeskError> {
        let mut rows = Vec::with_capacity(max.min(4096));
        while rows.len() < max {
            let (rules, names) = (&self.rules, &mut self.names);
            match self.cursor.next_with(|b| rules.list_row(&b, names)) {
                Some(row) => rows.push(row?),
                None => break,
            }
        }
        Ok(rows)
    }

    /// The names met while reading, for the rows added later to share.
    pub fn into_names(self) -> Names {
        self.names
    }
}

/// The order the open appeals are read in: the tab the list opens on (in progress) first.
const OPEN_FIRST: [Status; 5] = [
    Status::Assigned,
    Status::InProgress,
    Status::Listed,
    Status::Answered,
    Status::Captured,
];

impl Desk {
    pub fn card_rules(&self) -> CardRules {
        CardRules {
            today: self.clock.today(),
            calendar: self.calendar.clone(),
            warning_days: self.settings.rules.warning_days,
        }
    }

    /// Loaders that read every appeal's row once between them: the first reads the open
    /// appeals first (the list opens on them) and then the closed ones of the lower half of
    /// the numbers; the second the closed ones of the upper half and the withdrawn. On two cores
    /// a million are in after 2.3 s instead of 3.1 s.
    pub fn list_loaders(&self) -> [ListLoader; 2] {
        let all = 0..=u64::MAX;
        let middle = self.store.last_number() / 2;
        let mut first: Vec<_> = OPEN_FIRST.iter().map(|s| (*s, all.clone())).collect();
        first.push((Status::Closed, 0..=middle));
        let second = vec![
            (Status::Closed, middle.saturating_add(1)..=u64::MAX),
            (Status::Withdrawn, all),
        ];
        [first, second].map(|order| ListLoader {
            cursor: self.store.briefs_in(order),
            rules: self.card_rules(),
            names: Names::default(),
        })
    }

    /// One appeal's summary, as the list's neighbours (the meeting's tally) show it.
    pub fn summary_row(&self, id: AppealId) -> Result<Option<super::Row>, DeskError> {
        Ok(self.store.summary(id)?.map(|a| self.row(a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shared() {
        let mut names = Names::default();
        let a = names.get("圆通速递");
        let b = names.get("圆通速递");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &names.get("中通快递")));
    }

    #[test]
    fn the_open_states_are_those_that_are_open() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, Status::OPEN);
    }

    #[test]
    fn the_open_appeals_are_read_in_every_open_state_once() {
        for s in Status::OPEN {
            assert_eq!(OPEN_FIRST.iter().filter(|x| **x == s).count(), 1, "{s:?}");
        }
        assert_eq!(OPEN_FIRST.len(), Status::OPEN.len());
    }
}
