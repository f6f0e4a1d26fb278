//! Red and yellow cards (红牌 / 黄牌): how late an open appeal is against its due date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Card {
    None,
    Yellow,
    Red,
}

impl Card {
    pub fn key(self) -> &'static str {
        match self {
            Card::None => "none",
            Card::Yellow => "yellow",
            Card::Red => "red",
        }
    }

    /// Red once `today` is past the due date (the due date itself is still in time); yellow when
    /// the due date is at most `warning_days` working days away.
    pub fn of(due: Option<NaiveDate>, today: NaiveDate, cal: &Calendar, warning_days: u32) -> Card {
        match due {
            None => Card::None,
            Some(due) if today > due => Card::Red,
            Some(due) if due <= cal.add_working_days(today, warning_days) => Card::Yellow,
            Some(_) => Card::None,
        }
    }
}

/// Calendar days past the due date; 0 when not overdue.
pub fn days_overdue(due: Option<NaiveDate>, today: NaiveDate) -> i64 {
    due.map_or(0, |due| (today - due).num_days().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn cards_at_the_edges() {
        let cal = Calendar::default();
        let today = d("2024-03-06"); // a Wednesday
        // Due today: still in time, inside the window.
        assert_eq!(Card::of(Some(today), today, &cal, 2), Card::Yellow);
        // Due Friday = 2 working days away: the last yellow day.
        assert_eq!(
            Card::of(Some(d("2024-03-08")), today, &cal, 2),
            Card::Yellow
        );
        // Due Monday = 3 working days away: no card.
        assert_eq!(Card::of(Some(d("2024-03-11")), today, &cal, 2), Card::None);
        // Due yesterday: red, one day overdue.
        assert_eq!(Card::of(Some(d("2024-03-05")), today, &cal, 2), Card::Red);
        assert_eq!(days_overdue(Some(d("2024-03-05")), today), 1);
        assert_eq!(days_overdue(Some(d("2024-03-08")), today), 0);
        assert_eq!(Card::of(None, today, &cal, 2), Card::None);
    }

    #[test]
    fn the_warning_window_skips_the_weekend() {
        let cal = Calendar::default();
        let friday = d("2024-03-08");
        // Friday + 2 working days = Tuesday: Tuesday is yellow, Wednesday is not.
        assert_eq!(
            Card::of(Some(d("2024-03-12")), friday, &cal, 2),
            Card::Yellow
        );
        assert_eq!(Card::of(Some(d("2024-03-13")), friday, &cal, 2), Card::None);
        // A window of 0 makes only the due day itself yellow.
        assert_eq!(Card::of(Some(friday), friday, &cal, 0), Card::Yellow);
        assert_eq!(Card::of(Some(d("2024-03-11")), friday, &cal, 0), Card::None);
    }
}
