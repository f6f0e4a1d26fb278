//! The supervisors' figures, each defined once, with its formula beside it. The terminal desk, the
//! report and the exports all read these definitions.
//!
//! A period is a range of calendar days, both ends included. Most figures follow the **cohort** of
//! appeals captured in the period, as they stand now; `open`, `red` and `yellow` are the state of
//! every appeal today.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::appeal::{Appeal, ClosedHow, Status};
use super::calendar::Calendar;
use super::card::Card;

/// A range of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

impl Period {
    /// From the day of the first capture (today when there is none) to today.
    pub fn since(first_capture: Option<NaiveDate>, today: NaiveDate) -> Period {
        Period {
            from: first_capture.unwrap_or(today).min(today),
            to: today,
        }
    }

    /// Monday to Sunday of the week holding `today`.
    pub fn week_of(today: NaiveDate) -> Period {
        let from = monday_of(today);
        Period {
            from,
            to: from + Days::new(6),
        }
    }

    pub fn last_week(today: NaiveDate) -> Period {
        Period::week_of(today - Days::new(7))
    }

    pub fn month_of(today: NaiveDate) -> Period {
        let from = today.with_day(1).unwrap_or(today);
        let next = from
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(from);
        Period {
            from,
            to: next.pred_opt().unwrap_or(next),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A rate: `num` of `den`. With nothing to count (`den` = 0) it has no value — shown as "—",
/// never as 0% or NaN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub num: usize,
    pub den: usize,
}

impl Ratio {
    pub fn value(self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 / self.den as f64)
    }

    /// `87.5%`, or `—` when there was nothing to count.
    pub fn percent(self) -> String {
        self.value()
            .map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Appeals captured in the period.
    pub captured: usize,
    /// 当场解决率 = resolved on the spot ÷ captured.
    pub on_spot_rate: Ratio,
    /// 办结率 = closed (on the spot or after an answer; not withdrawn) ÷ captured.
    pub close_rate: Ratio,
    /// 按时办结率 = closed from the list on or before the due date in force ÷ closed from the list.
    pub on_time_rate: Ratio,
    /// 满意率 = rated 基本满意 or better ÷ rated.
    pub satisfaction_rate: Ratio,
    /// 重办率 = reopened at least once ÷ answered (from the list).
    pub reopen_rate: Ratio,
    /// 催办率 = urged at least once ÷ put on the list.
    pub urge_rate: Ratio,
    /// 回访率 = with feedback ÷ answered (from the list).
    pub followup_rate: Ratio,
    /// Working days from listing to closing, over the appeals closed from the list: the median
    /// and the 90th percentile by nearest rank (the value at rank ⌈p·n⌉ of the sorted days).
    pub median_days_to_close: Option<u32>,
    pub p90_days_to_close: Option<u32>,
    /// Open appeals today (any status but closed and withdrawn), and of them those with a red
    /// or a yellow card.
    pub open: usize,
    pub red: usize,
    pub yellow: usize,
}

/// The value at rank ⌈p·n⌉ (1-based) of `sorted`.
pub fn nearest_rank(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied()
}

fn from_list(a: &Appeal) -> bool {
    a.listed_at.is_some()
}

fn answered_from_list(a: &Appeal) -> bool {
    from_list(a) && a.answered_at.is_some()
}

/// What appeals add to the figures of the period they were captured in — everything but today's
/// open, red and yellow — as sums that add up and take away. The store keeps them by day of
/// capture as steps are taken, so that a period's figures are the sum of its days' and not a
/// pass over every appeal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortSums {
    pub captured: i64,
    pub on_spot: i64,
    pub closed: i64,
    /// `[numerator, denominator]` of each rate.
    pub on_time: [i64; 2],
    pub satisfied: [i64; 2],
    pub reopened: [i64; 2],
    pub urged: [i64; 2],
    pub followed_up: [i64; 2],
    /// Appeals closed from the list, by (day listed, day closed) as days from the common era:
    /// the working days between are counted when read, with the calendar then in force.
    pub closings: BTreeMap<(i32, i32), i64>,
}

impl CohortSums {
    /// What one appeal adds to the figures of its capture's period.
    pub fn of(a: &Appeal) -> CohortSums {
        let mut c = CohortSums {
            captured: 1,
            ..CohortSums::default()
        };
        let closed = a.status == Status::Closed;
        let on_spot = a.closed_how == Some(ClosedHow::OnSpot);
        c.on_spot = i64::from(on_spot);
        c.closed = i64::from(closed);
        if closed && !on_spot && from_list(a) {
            let in_time = matches!((a.closed_at, a.due), (Some(c), Some(d)) if c.date_naive() <= d);
            c.on_time = [i64::from(in_time), 1];
            if let (Some(listed), Some(closed_at)) = (a.listed_at, a.closed_at) {
                let day =
                    |t: chrono::DateTime<chrono::FixedOffset>| t.date_naive().num_days_from_ce();
                c.closings.insert((day(listed), day(closed_at)), 1);
            }
        }
        if let Some(r) = a.rating {
            c.satisfied = [i64::from(r.closes()), 1];
        }
        if answered_from_list(a) {
            c.reopened = [i64::from(a.reopens > 0), 1];
            c.followed_up = [i64::from(a.rating.is_some()), 1];
        }
        if from_list(a) {
            c.urged = [i64::from(a.urges > 0), 1];
        }
        c
    }

    /// Adds `other` (`sign` 1) or takes it away (`sign` -1).
    pub fn add(&mut self, other: &CohortSums, sign: i64) {
        self.captured += sign * other.captured;
        self.on_spot += sign * other.on_spot;
        self.closed += sign * other.closed;
        for (mine, theirs) in [
            (&mut self.on_time, &other.on_time),
            (&mut self.satisfied, &other.satisfied),
            (&mut self.reopened, &other.reopened),
            (&mut self.urged, &other.urged),
            (&mut self.followed_up, &other.followed_up),
        ] {
            mine[0] += sign * theirs[0];
            mine[1] += sign * theirs[1];
        }
        for (pair, n) in &other.closings {
            let slot = self.closings.entry(*pair).or_default();
            *slot += sign * n;
            if *slot == 0 {
                self.closings.remove(pair);
            }
        }
    }

    /// Nothing counted (what an appeal taken away leaves).
    pub fn is_empty(&self) -> bool {
        *self == CohortSums::default()
    }
}

fn ratio([num, den]: [i64; 2]) -> Ratio {
    Ratio {
        num: usize::try_from(num).unwrap_or(0),
        den: usize::try_from(den).unwrap_or(0),
    }
}

/// The value at rank ⌈p·n⌉ (1-based) of values given with how often each occurs, sorted.
fn nearest_rank_weighted(sorted: &[(u32, i64)], p: f64) -> Option<u32> {
    let n: i64 = sorted.iter().map(|(_, k)| *k).sum();
    if n <= 0 {
        return None;
    }
    let rank = ((p * n as f64).ceil() as i64).clamp(1, n);
    let mut seen = 0;
    sorted.iter().find_map(|(v, k)| {
        seen += k;
        (seen >= rank).then_some(*v)
    })
}

/// What the figures need to know besides the appeals.
pub struct Context<'a> {
    pub period: Period,
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub warning_days: u32,
}

impl Context<'_> {
    pub fn card(&self, a: &Appeal) -> Card {
        Card::of(
            a.running_due(),
            self.today,
            self.calendar,
            self.warning_days,
        )
    }

    /// The figures of a set of appeals.
    pub fn figures<'a>(&self, appeals: impl IntoIterator<Item = &'a Appeal>) -> Figures {
        let mut cohort = CohortSums::default();
        let mut open = Vec::new();
        for a in appeals {
            if a.status.is_open() {
                open.push(a);
            }
            if self.period.contains(a.captured_at.date_naive()) {
                cohort.add(&CohortSums::of(a), 1);
            }
        }
        self.figures_of(&cohort, open)
    }

    /// The figures from the sums of the period's cohort and the appeals open today.
    pub fn figures_of<'a>(
        &self,
        cohort: &CohortSums,
        open: impl IntoIterator<Item = &'a Appeal>,
    ) -> Figures {
        let mut f = Figures::default();
        for a in open {
            f.open += 1;
            match self.card(a) {
                Card::Red => f.red += 1,
                Card::Yellow => f.yellow += 1,
                Card::None => {}
            }
        }
        f.captured = usize::try_from(cohort.captured).unwrap_or(0);
        f.on_spot_rate = ratio([cohort.on_spot, cohort.captured]);
        f.close_rate = ratio([cohort.closed, cohort.captured]);
        f.on_time_rate = ratio(cohort.on_time);
        f.satisfaction_rate = ratio(cohort.satisfied);
        f.reopen_rate = ratio(cohort.reopened);
        f.urge_rate = ratio(cohort.urged);
        f.followup_rate = ratio(cohort.followed_up);
        let mut days: Vec<(u32, i64)> = cohort
            .closings
            .iter()
            .filter_map(|(&(listed, closed), &n)| {
                let listed = NaiveDate::from_num_days_from_ce_opt(listed)?;
                let closed = NaiveDate::from_num_days_from_ce_opt(closed)?;
                Some((self.calendar.working_days_between(listed, closed), n))
            })
            .collect();
        days.sort_unstable();
        f.median_days_to_close = nearest_rank_weighted(&days, 0.5);
        f.p90_days_to_close = nearest_rank_weighted(&days, 0.9);
        f
    }

    /// The figures for each value of a dimension, most captured first.
    pub fn breakdown(&self, appeals: &[&Appeal], by: Dimension) -> Vec<(String, Figures)> {
        let mut groups: BTreeMap<String, CohortSums> = BTreeMap::new();
        let mut open = Vec::new();
        for a in appeals {
            if a.status.is_open() {
                open.push(*a);
            }
            if self.period.contains(a.captured_at.date_naive()) {
                groups
                    .entry(by.key(a).into_owned())
                    .or_default()
                    .add(&CohortSums::of(a), 1);
            }
        }
        self.breakdown_of(groups, &open, by)
    }

    /// The figures for each value of a dimension from each value's cohort sums and the
    /// appeals open today, most captured first; values with neither are left out.
    pub fn breakdown_of(
        &self,
        mut groups: BTreeMap<String, CohortSums>,
        open: &[&Appeal],
        by: Dimension,
    ) -> Vec<(String, Figures)> {
        let mut open_by: BTreeMap<String, Vec<&Appeal>> = BTreeMap::new();
        for a in open {
            open_by.entry(by.key(a).into_owned()).or_default().push(a);
        }
        for k in open_by.keys() {
            groups.entry(k.clone()).or_default();
        }
        let mut rows: Vec<(String, Figures)> = groups
            .into_iter()
            .map(|(k, sums)| {
                let open = open_by.get(&k).map(Vec::as_slice).unwrap_or_default();
                let f = self.figures_of(&sums, open.iter().copied());
                (k, f)
            })
            .filter(|(_, f)| f.captured > 0 || f.open > 0)
            .collect();
        rows.sort_by(|a, b| {
            b.1.captured
                .cmp(&a.1.captured)
                .then(b.1.open.cmp(&a.1.open))
                .then(a.0.cmp(&b.0))
        });
        rows
    }
}

/// What the figures are broken down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Dept,
    Steward,
    Category,
    Meeting,
    Enterprise,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Dept,
        Dimension::Steward,
        Dimension::Category,
        Dimension::Meeting,
        Dimension::Enterprise,
    ];

    /// The group an appeal falls in; "—" where it has none (not yet assigned, no meeting).
    /// Borrowed from the appeal where it can be: the store files every appeal a step changes.
    pub fn key(self, a: &Appeal) -> Cow<'_, str> {
        const NONE: &str = "—";
        match self {
            Dimension::Dept => Cow::Borrowed(a.lead_dept.as_deref().unwrap_or(NONE)),
            Dimension::Steward => Cow::Borrowed(a.steward.as_deref().unwrap_or(NONE)),
            Dimension::Category => Cow::Borrowed(&a.category),
            Dimension::Meeting => a
                .meeting
                .map_or(Cow::Borrowed(NONE), |m| Cow::Owned(m.to_string())),
            Dimension::Enterprise => Cow::Borrowed(&a.enterprise),
        }
    }
}

/// The days of the weekly trend: from the Monday `weeks - 1` weeks before the one holding
/// `today` to the Sunday of today's week.
pub fn trend_span(today: NaiveDate, weeks: usize) -> Period {
    let last = Period::week_of(today);
    Period {
        from: last.from - Days::new(7 * (weeks.max(1) as u64 - 1)),
        to: last.to,
    }
}

/// Appeals captured and closed (and closed still) in each of the `weeks` weeks up to the one
/// holding `today`, from how many there were on each day; days outside the weeks are left out.
pub fn weekly_trend(
    captured: &[(NaiveDate, usize)],
    closed: &[(NaiveDate, usize)],
    today: NaiveDate,
    weeks: usize,
) -> Vec<(NaiveDate, usize, usize)> {
    let span = trend_span(today, weeks);
    let mut out: Vec<(NaiveDate, usize, usize)> = (0..weeks.max(1) as u64)
        .map(|w| (span.from + Days::new(7 * w), 0, 0))
        .collect();
    let slot = |d: NaiveDate| {
        span.contains(d)
            .then(|| ((d - span.from).num_days() / 7) as usize)
    };
    for &(day, n) in captured {
        if let Some(i) = slot(day) {
            out[i].1 += n;
        }
    }
    for &(day, n) in closed {
        if let Some(i) = slot(day) {
            out[i].2 += n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(nearest_rank(&[], 0.5), None);
        assert_eq!(nearest_rank(&[7], 0.9), Some(7));
        // n = 4: the median is rank 2, the 90th percentile rank 4.
        assert_eq!(nearest_rank(&[1, 2, 3, 10], 0.5), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 10], 0.9), Some(10));
        // n = 10: the 90th percentile is rank 9.
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 0.9), Some(9));
    }

    #[test]
    fn the_weighted_rank_is_the_rank_of_the_values_written_out() {
        let weighted = [(1u32, 3i64), (2, 1), (5, 4), (9, 2)];
        let written: Vec<u32> = weighted
            .iter()
            .flat_map(|(v, k)| std::iter::repeat_n(*v, *k as usize))
            .collect();
        for p in [0.1, 0.3, 0.5, 0.75, 0.9, 1.0] {
            assert_eq!(
                nearest_rank_weighted(&weighted, p),
                nearest_rank(&written, p),
                "p = {p}"
            );
        }
        assert_eq!(nearest_rank_weighted(&[], 0.5), None);
    }

    #[test]
    fn an_appeals_sums_taken_away_leave_nothing() {
        let mut sums = CohortSums::default();
        let closing = CohortSums {
            captured: 1,
            closed: 1,
            on_time: [1, 1],
            closings: BTreeMap::from([((738_000, 738_003), 1)]),
            ..CohortSums::default()
        };
        sums.add(&closing, 1);
        sums.add(&closing, 1);
        assert_eq!(sums.closings.get(&(738_000, 738_003)), Some(&2));
        sums.add(&closing, -1);
        sums.add(&closing, -1);
        assert!(sums.is_empty(), "{sums:?}");
    }

    #[test]
    fn empty_rates_have_no_value() {
        let r = Ratio::default();
        assert_eq!(r.value(), None);
        assert_eq!(r.percent(), "—");
        assert_eq!(Ratio { num: 1, den: 8 }.percent(), "12.5%");
    }

    #[test]
    fn the_trend_counts_each_day_in_its_week() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let today = d("2024-01-11"); // a Thursday
        assert_eq!(
            trend_span(today, 2),
            Period {
                from: d("2024-01-01"),
                to: d("2024-01-14")
            }
        );
        let captured = [
            (d("2023-12-31"), 9),
            (d("2024-01-01"), 2),
            (d("2024-01-08"), 3),
        ];
        let closed = [
            (d("2024-01-07"), 1),
            (d("2024-01-14"), 4),
            (d("2024-01-15"), 8),
        ];
        assert_eq!(
            weekly_trend(&captured, &closed, today, 2),
            [(d("2024-01-01"), 2, 1), (d("2024-01-08"), 3, 4)]
        );
    }

    #[test]
    fn periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let thu = d("2024-01-11");
        assert_eq!(
            Period::week_of(thu),
            Period {
                from: d("2024-01-08"),
                to: d("2024-01-14")
            }
        );
        assert_eq!(
            Period::last_week(thu),
            Period {
                from: d("2024-01-01"),
                to: d("2024-01-07")
            }
        );
        assert_eq!(
            Period::month_of(d("2024-02-10")),
            Period {
                from: d("2024-02-01"),
                to: d("2024-02-29")
            }
        );
    }
}
