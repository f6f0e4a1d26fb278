//! The working-day calendar (工作日历): weekends and listed public holidays are off, listed
//! make-up working days (调休) are worked. Parsed from a TOML text the user can edit; a mistake
//! is reported with its line and column, never ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use toml::Spanned;

/// The calendar shipped with zhuqi, written to the data directory on first run.
pub const DEFAULT_TOML: &str = include_str!("../../assets/calendar.toml");

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

/// A mistake in a calendar file, with the 1-based line and column where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    years: BTreeMap<String, Spanned<Year>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Year {
    #[serde(default)]
    holidays: Vec<Spanned<String>>,
    #[serde(default)]
    workdays: Vec<Spanned<String>>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn error_at(text: &str, span: Range<usize>, message: String) -> CalendarError {
    let (line, column) = position(text, span.start);
    CalendarError {
        line,
        column,
        message,
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// "2024-02-10" or "2024-02-10..2024-02-17" (both ends included).
fn parse_days(s: &str) -> Result<Vec<NaiveDate>, String> {
    let (from, to) = match s.split_once("..") {
        Some((a, b)) => (a, b),
        None => (s, s),
    };
    let bad = |part: &str| format!("\"{}\" is not a date that exists (YYYY-MM-DD)", part.trim());
    let from = parse_day(from).ok_or_else(|| bad(from))?;
    let to = parse_day(to).ok_or_else(|| bad(to))?;
    if to < from {
        return Err(format!("the range \"{s}\" ends before it starts"));
    }
    if (to - from).num_days() > 366 {
        return Err(format!("the range \"{s}\" is longer than a year"));
    }
    Ok(from.iter_days().take_while(|d| *d <= to).collect())
}

impl Calendar {
    pub fn parse(text: &str) -> Result<Calendar, CalendarError> {
        let file: File = toml::from_str(text).map_err(|e| {
            error_at(
                text,
                e.span().unwrap_or(0..0),
                e.message().trim().to_string(),
            )
        })?;
        let mut cal = Calendar::default();
        // Where each day was first listed, to name both places when a day is listed as both.
        let mut seen: BTreeMap<NaiveDate, (bool, Range<usize>)> = BTreeMap::new();
        for (year, spanned) in &file.years {
            let y: i32 = year
                .parse()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| {
                    error_at(
                        text,
                        spanned.span(),
                        format!("\"{year}\" is not a year (write [years.2025])"),
                    )
                })?;
            cal.years.insert(y);
            let lists = [
                (true, &spanned.get_ref().holidays),
                (false, &spanned.get_ref().workdays),
            ];
            for (is_holiday, list) in lists {
                for entry in list {
                    let days =
                        parse_days(entry.get_ref()).map_err(|m| error_at(text, entry.span(), m))?;
                    for day in days {
                        if let Some((was_holiday, first)) = seen.get(&day)
                            && *was_holiday != is_holiday
                        {
                            let (line, _) = position(text, first.start);
                            return Err(error_at(
                                text,
                                entry.span(),
                                format!(
                                    "{day} is listed both as a holiday and as a working day \
                                     (also on line {line})"
                                ),
                            ));
                        }
                        seen.insert(day, (is_holiday, entry.span()));
                        if is_holiday {
                            cal.holidays.insert(day);
                        } else {
                            cal.workdays.insert(day);
                        }
                    }
                }
            }
        }
        Ok(cal)
    }

    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.holidays.contains(&day)
    }

    pub fn is_makeup_workday(&self, day: NaiveDate) -> bool {
        self.workdays.contains(&day)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Whether the calendar lists this day's year (otherwise only weekends are known to be off).
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.years.contains(&day.year())
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// The K-th working day after `from` (the day after receipt is day 1); `from` itself for 0.
    pub fn add_working_days(&self, from: NaiveDate, k: u32) -> NaiveDate {
        let mut day = from;
        let mut left = k;
        while left > 0 {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`: how many working days `to` lies after `from` (0 if not after).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap_or_else(|| panic!("bad test date {s}"))
    }

    fn shipped() -> Calendar {
        match Calendar::parse(DEFAULT_TOML) {
            Ok(c) => c,
            Err(e) => panic!("shipped calendar is broken: {e:?}"),
        }
    }

    #[test]
    fn ten_working_days_from_a_wednesday_is_the_wednesday_two_weeks_on() {
        // ARCHITECTURE.md: 10 working days from Wednesday 2024-01-10 is Wednesday 2024-01-24.
        assert_eq!(
            shipped().add_working_days(d("2024-01-10"), 10),
            d("2024-01-24")
        );
    }

    #[test]
    fn weekends_are_skipped() {
        let cal = Calendar::default();
        // Friday + 1 working day = Monday.
        assert_eq!(cal.add_working_days(d("2024-03-08"), 1), d("2024-03-11"));
        // Saturday + 1 = Monday too: the weekend does not count.
        assert_eq!(cal.add_working_days(d("2024-03-09"), 1), d("2024-03-11"));
        assert_eq!(cal.add_working_days(d("2024-03-09"), 0), d("2024-03-09"));
    }

    #[test]
    fn holidays_are_skipped_and_makeup_days_count() {
        let cal = shipped();
        // 2024 Spring Festival: off 02-10..02-17, Sunday 02-04 and Sunday 02-18 worked.
        assert!(cal.is_working_day(d("2024-02-04")));
        assert!(!cal.is_working_day(d("2024-02-12")));
        assert!(cal.is_working_day(d("2024-02-18")));
        // Friday 2024-02-09 + 1 working day = Sunday 02-18 (make-up day), not Monday 02-12.
        assert_eq!(cal.add_working_days(d("2024-02-09"), 1), d("2024-02-18"));
        // Saturday 2024-02-03 + 1 = the make-up Sunday 02-04.
        assert_eq!(cal.add_working_days(d("2024-02-03"), 1), d("2024-02-04"));
        // National Day 2024: off 10-01..10-07; Saturday 10-12 worked.
        assert_eq!(cal.add_working_days(d("2024-09-30"), 1), d("2024-10-08"));
        assert_eq!(cal.add_working_days(d("2024-10-11"), 1), d("2024-10-12"));
    }

    #[test]
    fn year_boundary() {
        let cal = shipped();
        // 2022-12-30 (Fri) + 1: 12-31..01-02 are the 2023 New Year holiday.
        assert_eq!(cal.add_working_days(d("2022-12-30"), 1), d("2023-01-03"));
        // 2025-12-31 (Wed) + 1: 2026-01-01..03 off, Sunday 01-04 worked.
        assert_eq!(cal.add_working_days(d("2025-12-31"), 1), d("2026-01-04"));
        assert_eq!(cal.add_working_days(d("2025-12-31"), 2), d("2026-01-05"));
        assert!(cal.covers(d("2026-06-01")));
        assert!(!cal.covers(d("2027-01-04")));
        assert_eq!(
            cal.years().collect::<Vec<_>>(),
            vec![2023, 2024, 2025, 2026]
        );
    }

    #[test]
    fn working_days_between_counts_the_later_end_only() {
        let cal = shipped();
        assert_eq!(
            cal.working_days_between(d("2024-01-10"), d("2024-01-24")),
            10
        );
        assert_eq!(
            cal.working_days_between(d("2024-01-24"), d("2024-01-10")),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2024-02-09"), d("2024-02-18")),
            1
        );
    }

    #[test]
    fn a_day_that_does_not_exist_is_refused_with_its_line() {
        let text = "[years.2025]\nholidays = [\n  \"2025-01-01\",\n  \"2025-02-30\",\n]\n";
        let err = Calendar::parse(text).err();
        assert_eq!(err.as_ref().map(|e| (e.line, e.column)), Some((4, 3)));
        assert!(err.is_some_and(|e| e.message.contains("2025-02-30")));
    }

    #[test]
    fn a_day_both_holiday_and_working_day_is_refused() {
        let text =
            "[years.2025]\nholidays = [\"2025-01-28..2025-02-04\"]\nworkdays = [\"2025-02-01\"]\n";
        let err = Calendar::parse(text).err();
        assert_eq!(err.as_ref().map(|e| e.line), Some(3));
        assert!(
            err.is_some_and(|e| e.message.contains("2025-02-01") && e.message.contains("line 2"))
        );
    }

    #[test]
    fn bad_toml_unknown_keys_and_reversed_ranges_are_refused() {
        let bad_toml = Calendar::parse("[years.2025\n").err();
        assert_eq!(bad_toml.map(|e| e.line), Some(1));
        let unknown = Calendar::parse("[years.2025]\nholiday = []\n").err();
        assert!(unknown.is_some_and(|e| e.line == 2 && e.message.contains("holiday")));
        let reversed =
            Calendar::parse("[years.2025]\nholidays = [\"2025-05-05..2025-05-01\"]\n").err();
        assert!(reversed.is_some_and(|e| e.message.contains("ends before")));
        let year = Calendar::parse("[years.next]\n").err();
        assert!(year.is_some_and(|e| e.message.contains("next")));
    }
}
