//! A period's figures and report read only the appeals filed under the period's days and those
//! open today, or the figures kept by day, not every appeal. Whatever the period, they must be what a pass over every
//! appeal gives — after a bulk generation and after single steps (escalations, closings,
//! reopenings) — and the trend's counts by day what counting every appeal gives.

mod common;

use chrono::{Days, NaiveDate};
use common::{open, tempdir};
use zhuqi::desk::query::Filter;
use zhuqi::desk::{Action, Desk, Due};
use zhuqi::domain::figures::{Dimension, Figures, Period};
use zhuqi::domain::{Appeal, AppealChange, Card, EventBody, Level, Status};
use zhuqi::io::generate::{Mix, generate_mix, load_texts};

type Breakdowns = Vec<(Dimension, Vec<(String, Figures)>)>;

/// What the report said before the days' entries: everything worked out from every appeal.
struct Everything {
    figures: Figures,
    breakdowns: Breakdowns,
    red: Vec<u64>,
    closed: Vec<u64>,
    escalated: Vec<(u64, String, String)>,
    trend: Vec<(NaiveDate, usize, usize)>,
    first_capture: Option<NaiveDate>,
}

fn every_appeal(desk: &Desk, period: Period) -> Everything {
    let all: Vec<Appeal> = desk.all_appeals().unwrap_or_else(|e| panic!("{e}"));
    let ctx = desk.figures_context(period);
    let refs: Vec<&Appeal> = all.iter().collect();
    let in_period = |t: Option<chrono::DateTime<chrono::FixedOffset>>| {
        t.is_some_and(|t| period.contains(t.date_naive()))
    };
    let mut closed: Vec<&Appeal> = all
        .iter()
        .filter(|a| a.status == Status::Closed && in_period(a.closed_at))
        .collect();
    closed.sort_by_key(|a| a.closed_at);
    let mut escalated = Vec::new();
    for a in all.iter().filter(|a| a.escalated_to.is_some()) {
        let (_, events) = desk
            .show(&a.number.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        for e in events {
            if let EventBody::Appeal {
                change: AppealChange::Escalated { to, .. },
                ..
            } = e.body
                && period.contains(e.at.date_naive())
            {
                escalated.push((a.number, to, e.at.to_rfc3339()));
            }
        }
    }
    escalated.sort_by(|a, b| a.2.cmp(&b.2));
    // The trend, counted appeal by appeal: eight weeks up to today's.
    let today = ctx.today;
    let monday = |d: NaiveDate| {
        d - Days::new(u64::from(
            chrono::Datelike::weekday(&d).num_days_from_monday(),
        ))
    };
    let trend = (0..8u64)
        .rev()
        .map(|w| {
            let week = monday(today) - Days::new(7 * w);
            let captured = all
                .iter()
                .filter(|a| monday(a.captured_at.date_naive()) == week)
                .count();
            let closed = all
                .iter()
                .filter(|a| {
                    a.status == Status::Closed
                        && a.closed_at.is_some_and(|c| monday(c.date_naive()) == week)
                })
                .count();
            (week, captured, closed)
        })
        .collect();
    Everything {
        figures: ctx.figures(&all),
        breakdowns: Dimension::ALL
            .iter()
            .map(|d| (*d, ctx.breakdown(&refs, *d)))
            .collect(),
        red: desk
            .board()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter(|e| e.card == Card::Red)
            .map(|e| e.appeal.number)
            .collect(),
        closed: closed.iter().map(|a| a.number).collect(),
        escalated,
        trend,
        first_capture: all.iter().map(|a| a.captured_at.date_naive()).min(),
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Periods of every kind: this week, last week, this month, all time, one in the middle of the
/// history, one before it, one reaching into the future, a single day.
fn periods(today: NaiveDate, first: NaiveDate) -> Vec<Period> {
    vec![
        Period::week_of(today),
        Period::last_week(today),
        Period::month_of(today),
        Period::since(Some(first), today),
        Period {
            from: first + Days::new(30),
            to: first + Days::new(60),
        },
        Period {
            from: first - Days::new(400),
            to: first - Days::new(1),
        },
        Period {
            from: today - Days::new(3),
            to: today + Days::new(90),
        },
        Period {
            from: today - Days::new(2),
            to: today - Days::new(2),
        },
    ]
}

fn same_as_every_appeal(desk: &Desk) -> usize {
    let source = desk.figures_source().unwrap_or_else(|e| panic!("{e}"));
    let today = source.today;
    let all_time = source.all_time().unwrap_or_else(|e| panic!("{e}"));
    let first = every_appeal(desk, all_time).first_capture;
    assert_eq!(all_time, Period::since(first, today), "all time");
    let mut compared = 0;
    for period in periods(today, all_time.from) {
        let expected = every_appeal(desk, period);
        let report = desk.report(period).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.figures, expected.figures, "figures of {period:?}");
        assert_eq!(
            report.breakdowns, expected.breakdowns,
            "breakdowns of {period:?}"
        );
        assert_eq!(
            report
                .red
                .iter()
                .map(|e| e.appeal.number)
                .collect::<Vec<_>>(),
            expected.red
        );
        assert_eq!(
            report.closed.iter().map(|a| a.number).collect::<Vec<_>>(),
            expected.closed,
            "closed in {period:?}"
        );
        assert_eq!(
            report
                .escalated
                .iter()
                .map(|e| (e.number, e.to.clone(), e.at.to_rfc3339()))
                .collect::<Vec<_>>(),
            expected.escalated,
            "escalated in {period:?}"
        );
        assert_eq!(
            desk.figures(period).unwrap_or_else(|e| panic!("{e}")),
            expected.figures
        );
        // The screen's figures: the sums kept by day, each dimension.
        for (by, rows) in &expected.breakdowns {
            let (figures, breakdown) = source
                .figures(period, *by)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(figures, expected.figures, "kept figures of {period:?}");
            assert_eq!(&breakdown, rows, "kept figures of {period:?} by {by:?}");
        }
        assert_eq!(
            source.trend(8).unwrap_or_else(|e| panic!("{e}")),
            expected.trend
        );
        compared += expected.figures.captured + expected.closed.len() + expected.escalated.len();
    }
    compared
}

#[test]
fn a_periods_figures_and_report_are_those_of_every_appeal() {
    let dir = tempdir();
    let desk = open(dir.path(), "2026-11-27T10:00");
    let texts = load_texts(std::path::Path::new("/nonexistent"));
    generate_mix(&desk, 3000, 11, &texts, Mix::Backlog, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        same_as_every_appeal(&desk) > 3000,
        "the periods hold appeals"
    );

    // Single steps today: escalations, an answer closed, a closed appeal reopened, a capture.
    let rows = desk
        .list(&Filter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let number_in = |status: Status, skip: usize| {
        rows.iter()
            .filter(|r| r.appeal.status == status)
            .nth(skip)
            .map(|r| r.appeal.number.to_string())
            .unwrap_or_else(|| panic!("no appeal {status:?}"))
    };
    for skip in 0..3 {
        let n = number_in(Status::InProgress, skip);
        let escalate = Action::Escalate {
            level: Level::City,
            to: format!("市发改委{skip}"),
            note: None,
        };
        desk.act(&n, escalate).unwrap_or_else(|e| panic!("{e}"));
    }
    let answered = number_in(Status::Answered, 0);
    let close = Action::Close {
        note: "办结".into(),
    };
    desk.act(&answered, close).unwrap_or_else(|e| panic!("{e}"));
    let closed = number_in(Status::Closed, 5);
    let reopen = Action::Reopen {
        reason: "企业反映未解决".into(),
        due: Due::Date(day("2026-12-11")),
    };
    desk.act(&closed, reopen).unwrap_or_else(|e| panic!("{e}"));
    let report = desk
        .report(Period::week_of(day("2026-11-27")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.escalated.len(),
        3,
        "today's escalations are in the week"
    );
    assert!(
        report
            .closed
            .iter()
            .any(|a| a.number.to_string() == answered)
    );
    assert!(report.closed.iter().all(|a| a.number.to_string() != closed));
    same_as_every_appeal(&desk);
    assert_eq!(desk.verify().unwrap_or_default(), Vec::<String>::new());
}

#[test]
fn an_empty_desk_has_empty_figures_for_any_period() {
    let dir = tempdir();
    let desk = open(dir.path(), "2026-11-27T10:00");
    let source = desk.figures_source().unwrap_or_else(|e| panic!("{e}"));
    let today = day("2026-11-27");
    assert_eq!(
        source.all_time().unwrap_or_else(|e| panic!("{e}")),
        Period {
            from: today,
            to: today
        }
    );
    assert!(
        source
            .appeals(Period::week_of(today))
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
    let trend = source.trend(8).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(trend.len(), 8);
    assert!(trend.iter().all(|(_, c, x)| *c == 0 && *x == 0));
    assert_eq!(
        desk.figures(Period::week_of(today))
            .unwrap_or_else(|e| panic!("{e}")),
        Figures::default()
    );
}
