//! The supervisors' desk: every figure on a hand-built fixture worked out by hand, the empty
//! cases, the board's order across a weekend and a public holiday, the spreadsheet read back.

mod common;

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;
use zhuqi::desk::clock::parse_local;
use zhuqi::desk::{Action, CaptureInput, Clock, Desk, Due};
use zhuqi::domain::Card;
use zhuqi::domain::figures::{Dimension, Period};
use zhuqi::domain::{Level, Satisfaction};

fn at(desk: &mut Desk, time: &str) {
    desk.set_clock(Clock::fixed(
        parse_local(time).unwrap_or_else(|| panic!("bad time {time}")),
    ));
}

fn capture(desk: &Desk, enterprise: &str, text: &str, on_spot: bool) -> String {
    let a = desk
        .capture(&CaptureInput {
            enterprise: enterprise.into(),
            category: "消防".into(),
            text: text.into(),
            resolved: on_spot.then(|| "当场答复".to_string()),
            ..CaptureInput::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    a.number.to_string()
}

fn act(desk: &Desk, n: &str, action: Action) {
    desk.act(n, action)
        .unwrap_or_else(|e| panic!("appeal {n}: {e}"));
}

fn assign(desk: &Desk, n: &str, steward: &str, due: Due) {
    act(
        desk,
        n,
        Action::Assign {
            steward: steward.into(),
            lead: "区住建局".into(),
            co: vec![],
            due,
        },
    );
}

fn answer(desk: &Desk, n: &str) {
    act(
        desk,
        n,
        Action::Answer {
            text: "已答复".into(),
        },
    );
}

/// The fixture of the week of Monday 2024-01-08; "today" is Friday 2024-01-12, 17:00.
///
/// | # | captured | what happened | now |
/// |---|---|---|---|
/// | 1 | 01-03 (last week) | assigned to 王海峰, due 01-05 | red, 7 days overdue |
/// | 2 | 01-08 | resolved on the spot | closed |
/// | 3 | 01-08 | assigned (due 01-10), ack, answered 01-09, 非常满意 | closed on time, 1 working day |
/// | 4 | 01-08 | assigned (due 01-09), ack, urged, answered 01-10, closed 01-11 without rating | closed late, 3 working days |
/// | 5 | 01-09 | assigned (due 01-12), ack, answered 01-10, 不满意 → reopened | in progress |
/// | 6 | 01-10 | withdrawn | withdrawn |
/// | 7 | 01-11 | assigned, due 01-12 | yellow |
/// | 8 | 01-11 | on the list | listed |
fn fixture(dir: &Path) -> Desk {
    let mut d = common::open(dir, "2024-01-03T09:00");
    d.add_steward("朱洁", "区住建局", None, None)
        .unwrap_or_else(|e| panic!("{e}"));
    d.add_steward("王海峰", "区自然资源和规划分局", None, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let a7 = capture(&d, "嘉兴佳利电子有限公司", "用地指标", false);
    at(&mut d, "2024-01-03T10:00");
    assign(
        &d,
        &a7,
        "王海峰",
        Due::Date(chrono::NaiveDate::from_ymd_opt(2024, 1, 5).unwrap_or_default()),
    );

    at(&mut d, "2024-01-08T09:00");
    let a1 = capture(&d, "浙江圆通航空投资发展有限公司", "临时用电", true);
    at(&mut d, "2024-01-08T09:10");
    let a2 = capture(&d, "浙江圆通航空投资发展有限公司", "消防审批", false);
    let a3 = capture(&d, "嘉兴禾润食品有限公司", "冷库消防验收", false);
    at(&mut d, "2024-01-08T11:00");
    assign(&d, &a2, "朱洁", Due::WorkingDays(2));
    assign(&d, &a3, "朱洁", Due::WorkingDays(1));
    at(&mut d, "2024-01-09T09:00");
    act(&d, &a2, Action::Acknowledge);
    act(&d, &a3, Action::Acknowledge);
    act(
        &d,
        &a3,
        Action::Urge {
            note: Some("请加快".into()),
        },
    );
    let a4 = capture(&d, "嘉兴天盛纺织有限公司", "厂房消防改造", false);
    assign(&d, &a4, "王海峰", Due::WorkingDays(3));
    at(&mut d, "2024-01-09T15:00");
    answer(&d, &a2);
    act(
        &d,
        &a2,
        Action::Feedback {
            rating: Satisfaction::VerySatisfied,
            comment: None,
        },
    );
    at(&mut d, "2024-01-10T10:00");
    answer(&d, &a3);
    act(&d, &a4, Action::Acknowledge);
    answer(&d, &a4);
    act(
        &d,
        &a4,
        Action::Feedback {
            rating: Satisfaction::Dissatisfied,
            comment: Some("没解决".into()),
        },
    );
    let a5 = capture(&d, "嘉兴锦程印染有限公司", "排污指标", false);
    act(
        &d,
        &a5,
        Action::Withdraw {
            reason: "企业已自行解决".into(),
        },
    );
    at(&mut d, "2024-01-11T10:00");
    act(
        &d,
        &a3,
        Action::Close {
            note: "电话回访三次无人接听".into(),
        },
    );
    let a6 = capture(&d, "嘉兴博远智能装备有限公司", "消防通道", false);
    assign(&d, &a6, "王海峰", Due::WorkingDays(1));
    let a8 = capture(&d, "嘉兴数联科技有限公司", "消防设施", false);
    at(&mut d, "2024-01-12T17:00");
    assert_eq!(
        [a1, a2, a3, a4, a5, a6, a7, a8].join(","),
        "2,3,4,5,6,7,1,8",
        "numbers as the fixture's table says"
    );
    d
}

fn week() -> Period {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    Period {
        from: d("2024-01-08"),
        to: d("2024-01-14"),
    }
}

#[test]
fn every_figure_worked_out_by_hand() {
    let dir = common::tempdir();
    let desk = fixture(dir.path());
    let f = desk.figures(week()).unwrap_or_else(|e| panic!("{e}"));
    // Captured in the week: #2..#8 but #1 (last week) — seven appeals.
    assert_eq!(f.captured, 7);
    // On the spot: #2 of 7.
    assert_eq!((f.on_spot_rate.num, f.on_spot_rate.den), (1, 7));
    // Closed: #2 (on the spot), #3, #4 — withdrawn #6 does not count.
    assert_eq!((f.close_rate.num, f.close_rate.den), (3, 7));
    // Closed from the list: #3 (on time) and #4 (late).
    assert_eq!((f.on_time_rate.num, f.on_time_rate.den), (1, 2));
    // Rated: #3 非常满意, #5 不满意.
    assert_eq!((f.satisfaction_rate.num, f.satisfaction_rate.den), (1, 2));
    // Answered from the list: #3, #4, #5; reopened: #5; with feedback: #3, #5.
    assert_eq!((f.reopen_rate.num, f.reopen_rate.den), (1, 3));
    assert_eq!((f.followup_rate.num, f.followup_rate.den), (2, 3));
    // Put on the list: #3..#8 (six); urged: #4.
    assert_eq!((f.urge_rate.num, f.urge_rate.den), (1, 6));
    // Working days from listing to close: #3 one, #4 three (01-08 → 01-11).
    assert_eq!(
        (f.median_days_to_close, f.p90_days_to_close),
        (Some(1), Some(3))
    );
    // Today: open #1 (red), #5, #7 (yellow: due today), #8.
    assert_eq!((f.open, f.red, f.yellow), (4, 1, 1));

    let appeals = desk.all_appeals().unwrap_or_default();
    let refs: Vec<_> = appeals.iter().collect();
    let by_steward = desk
        .figures_context(week())
        .breakdown(&refs, Dimension::Steward);
    let group = |name: &str| {
        by_steward
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f.clone())
            .unwrap_or_default()
    };
    let zhu = group("朱洁");
    assert_eq!(
        (
            zhu.captured,
            zhu.close_rate.num,
            zhu.on_time_rate.num,
            zhu.on_time_rate.den,
            zhu.open
        ),
        (2, 2, 1, 2, 0)
    );
    let wang = group("王海峰");
    assert_eq!(
        (wang.captured, wang.open, wang.red, wang.yellow),
        (2, 3, 1, 1)
    );
    let nobody = group("—");
    assert_eq!(
        (nobody.captured, nobody.on_spot_rate.num, nobody.open),
        (3, 1, 1)
    );
}

#[test]
fn the_report_as_json_markdown_and_the_empty_cases() {
    let dir = common::tempdir();
    drop(fixture(dir.path()));
    let out = common::zhuqi(
        dir.path(),
        &[
            "--now",
            "2024-01-12T17:00",
            "report",
            "--week",
            "--date",
            "2024-01-10",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let r: Value = serde_json::from_str(&common::stdout(&out)).unwrap_or_default();
    assert_eq!(r["captured"], 7);
    assert_eq!(r["on_spot_rate"].as_f64(), Some(1.0 / 7.0));
    assert_eq!(r["on_time_rate"].as_f64(), Some(0.5));
    assert_eq!(r["urge_rate"].as_f64(), Some(1.0 / 6.0));
    assert_eq!(
        (
            r["median_days_to_close"].as_u64(),
            r["p90_days_to_close"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(
        (r["open"].as_u64(), r["red"].as_u64(), r["yellow"].as_u64()),
        (Some(4), Some(1), Some(1))
    );
    for key in [
        "by_dept",
        "by_steward",
        "by_category",
        "by_meeting",
        "by_enterprise",
    ] {
        assert!(r[key].is_array(), "{key}");
    }
    assert_eq!(r["red_list"][0]["number"], 1);
    assert_eq!(r["red_list"][0]["days_overdue"], 7);
    assert_eq!(r["escalated"].as_array().map(|a| a.len()), Some(0));
    assert_eq!(r["closed"].as_array().map(|a| a.len()), Some(3));

    // A week with nothing captured: rates are null, not 0 or NaN, and "—" in the text.
    let out = common::zhuqi(
        dir.path(),
        &[
            "--now",
            "2024-01-12T17:00",
            "report",
            "--from",
            "2023-06-05",
            "--to",
            "2023-06-11",
            "--format",
            "json",
        ],
    );
    let r: Value = serde_json::from_str(&common::stdout(&out)).unwrap_or_default();
    assert_eq!(r["captured"], 0);
    for key in [
        "on_spot_rate",
        "close_rate",
        "on_time_rate",
        "satisfaction_rate",
        "reopen_rate",
        "urge_rate",
        "followup_rate",
        "median_days_to_close",
    ] {
        assert!(r[key].is_null(), "{key} should be null: {}", r[key]);
    }
    assert_eq!(
        r["open"], 4,
        "what is open today does not depend on the period"
    );
    let md = common::stdout(&common::zhuqi(
        dir.path(),
        &[
            "--lang",
            "zh",
            "--now",
            "2024-01-12T17:00",
            "report",
            "--from",
            "2023-06-05",
            "--to",
            "2023-06-11",
        ],
    ));
    assert!(md.contains("| 满意率 | — |"), "{md}");
    assert!(!md.contains("NaN") && !md.contains("| 满意率 | 0"), "{md}");
    let md = common::stdout(&common::zhuqi(
        dir.path(),
        &["--lang", "zh", "--now", "2024-01-12T17:00", "report"],
    ));
    assert!(md.contains("| 按时办结率 | 50.0% |"), "{md}");
    assert!(
        md.contains("| 1 | 嘉兴佳利电子有限公司 | 用地指标 | 王海峰 | 2024-01-05 | 7 |"),
        "{md}"
    );

    // A bad period is refused.
    let out = common::zhuqi(
        dir.path(),
        &["report", "--from", "2024-01-10", "--to", "2024-01-01"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("ends (2024-01-01) before it starts"));
}

#[test]
fn escalations_and_urges_reach_the_report_and_the_notice() {
    let dir = common::tempdir();
    let desk = fixture(dir.path());
    desk.act(
        "5",
        Action::Escalate {
            level: Level::Province,
            to: "省住建厅".into(),
            note: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(desk);
    let out = common::zhuqi(
        dir.path(),
        &[
            "--lang",
            "zh",
            "--actor",
            "李斌",
            "--now",
            "2024-01-12T17:30",
            "urge",
            "1",
            "--note",
            "本周内答复",
            "-o",
            dir.path().join("notice.txt").to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let notice = std::fs::read_to_string(dir.path().join("notice.txt")).unwrap_or_default();
    assert!(notice.contains("诉求编号：1"), "{notice}");
    assert!(notice.contains("企业：嘉兴佳利电子有限公司"));
    assert!(notice.contains("办理期限：2024-01-05（已超期 7 天）"));
    assert!(notice.contains("本次为第 1 次督办"));
    assert!(common::stdout(&out).contains("催办通知"));
    // A second urge names the first.
    let out = common::zhuqi(
        dir.path(),
        &["--lang", "zh", "--now", "2024-01-12T18:00", "urge", "1"],
    );
    let text = common::stdout(&out);
    assert!(text.contains("本次为第 2 次督办"), "{text}");
    assert!(text.contains("2024-01-12 17:30 李斌 本周内答复"), "{text}");
    let r: Value = serde_json::from_str(&common::stdout(&common::zhuqi(
        dir.path(),
        &["--now", "2024-01-12T18:00", "report", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(r["escalated"][0]["to"], "省住建厅");
    assert_eq!(r["escalated"][0]["number"], 5);
    assert_eq!(r["red_list"][0]["urges"], 2);
}

#[test]
fn the_board_orders_by_urgency_across_a_weekend_and_a_holiday() {
    let dir = common::tempdir();
    let mut d = common::open(dir.path(), "2024-02-01T09:00");
    d.add_steward("朱洁", "区住建局", None, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    // Due dates around the 2024 Spring Festival: off 02-10..02-17, Sunday 02-18 worked.
    let dues = [
        "2024-02-20",
        "2024-02-19",
        "2024-02-05",
        "2024-02-18",
        "2024-02-09",
        "2024-02-08",
    ];
    for (i, due) in dues.iter().enumerate() {
        let n = capture(&d, &format!("企业{i}"), "诉求", false);
        assign(&d, &n, "朱洁", Due::Date(day(due)));
        if i != 2 {
            act(&d, &n, Action::Acknowledge);
        }
    }
    let listed = capture(&d, "企业L", "未交办", false);
    at(&mut d, "2024-02-09T10:00"); // Friday, the eve of the holiday
    let board = d.board().unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<(String, Card, i64, u32, bool)> = board
        .iter()
        .map(|e| {
            (
                e.appeal
                    .running_due()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                e.card,
                e.days_overdue,
                e.working_days_left,
                e.ack_late,
            )
        })
        .collect();
    let expected: Vec<(String, Card, i64, u32, bool)> = vec![
        ("2024-02-05".into(), Card::Red, 4, 0, true), // never acknowledged: flagged
        ("2024-02-08".into(), Card::Red, 1, 0, false),
        ("2024-02-09".into(), Card::Yellow, 0, 0, false), // due today
        ("2024-02-18".into(), Card::Yellow, 0, 1, false), // the make-up Sunday is the next working day
        ("2024-02-19".into(), Card::Yellow, 0, 2, false), // two working days away: the last yellow
        ("2024-02-20".into(), Card::None, 0, 3, false),
        (String::new(), Card::None, 0, 0, false), // on the list, not yet assigned
    ];
    assert_eq!(order, expected);
    assert_eq!(
        board.last().map(|e| e.appeal.number.to_string()),
        Some(listed)
    );
    // Over the weekend: on Friday 2024-03-08 a Tuesday due date is yellow, a Wednesday one is not.
    at(&mut d, "2024-03-04T09:00");
    let tue = capture(&d, "企业T", "诉求", false);
    assign(&d, &tue, "朱洁", Due::Date(day("2024-03-12")));
    let wed = capture(&d, "企业W", "诉求", false);
    assign(&d, &wed, "朱洁", Due::Date(day("2024-03-13")));
    at(&mut d, "2024-03-08T09:00");
    let cards: Vec<(String, Card)> = d
        .board()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.appeal.enterprise == "企业T" || e.appeal.enterprise == "企业W")
        .map(|e| (e.appeal.enterprise.clone(), e.card))
        .collect();
    assert_eq!(
        cards,
        vec![
            ("企业T".to_string(), Card::Yellow),
            ("企业W".to_string(), Card::None)
        ]
    );
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> Data {
    range.get((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn the_spreadsheet_read_back() {
    let dir = common::tempdir();
    drop(fixture(dir.path()));
    let file = dir.path().join("清单.xlsx");
    let out = common::zhuqi(
        dir.path(),
        &[
            "--lang",
            "zh",
            "--now",
            "2024-01-12T17:00",
            "export",
            "--format",
            "xlsx",
            "--from",
            "2024-01-08",
            "--to",
            "2024-01-14",
            "-o",
            file.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::stdout(&out).contains("已导出 8 条诉求"));
    let mut wb: Xlsx<_> = open_workbook(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        wb.sheet_names(),
        vec!["诉求清单".to_string(), "统计".to_string()]
    );
    let list = wb
        .worksheet_range("诉求清单")
        .unwrap_or_else(|e| panic!("{e}"));
    let headers: Vec<String> = (0..25).map(|c| cell(&list, 0, c).to_string()).collect();
    assert_eq!(
        headers[..7],
        ["编号", "状态", "牌", "超期天数", "企业", "类别", "诉求内容"]
    );
    assert_eq!(headers[9], "登记时间");
    assert_eq!(headers[14], "办理期限");
    // Row of appeal 1 (sorted by number: the first data row).
    assert_eq!(cell(&list, 1, 0).to_string(), "1");
    assert_eq!(cell(&list, 1, 2).to_string(), "红牌");
    assert_eq!(cell(&list, 1, 3), Data::Float(7.0));
    assert_eq!(cell(&list, 1, 4).to_string(), "嘉兴佳利电子有限公司");
    match cell(&list, 1, 9) {
        Data::DateTime(dt) => assert_eq!(
            dt.as_datetime().map(|t| t.to_string()).as_deref(),
            Some("2024-01-03 09:00:00")
        ),
        other => panic!("the capture time is not a date: {other:?}"),
    }
    match cell(&list, 1, 14) {
        Data::DateTime(dt) => assert_eq!(
            dt.as_datetime().map(|t| t.date().to_string()).as_deref(),
            Some("2024-01-05")
        ),
        other => panic!("the due date is not a date: {other:?}"),
    }
    // Appeal 7 carries the yellow card.
    assert_eq!(cell(&list, 7, 0).to_string(), "7");
    assert_eq!(cell(&list, 7, 2).to_string(), "黄牌");
    assert_eq!(list.height(), 9);

    // The figures sheet says what `zhuqi report` says for the same period.
    let report: Value = serde_json::from_str(&common::stdout(&common::zhuqi(
        dir.path(),
        &[
            "--now",
            "2024-01-12T17:00",
            "report",
            "--from",
            "2024-01-08",
            "--to",
            "2024-01-14",
            "--format",
            "json",
        ],
    )))
    .unwrap_or_default();
    let figures = wb.worksheet_range("统计").unwrap_or_else(|e| panic!("{e}"));
    let keys = [
        "captured",
        "on_spot_rate",
        "close_rate",
        "on_time_rate",
        "satisfaction_rate",
        "reopen_rate",
        "urge_rate",
        "followup_rate",
        "median_days_to_close",
        "p90_days_to_close",
        "open",
        "red",
        "yellow",
    ];
    for (i, key) in keys.iter().enumerate() {
        let sheet = cell(&figures, i + 1, 1);
        match (&report[*key], &sheet) {
            (Value::Null, Data::String(s)) => assert_eq!(s, "—", "{key}"),
            (Value::Number(n), Data::Float(f)) => assert!(
                (n.as_f64().unwrap_or(f64::NAN) - f).abs() < 1e-9,
                "{key}: {n} vs {f}"
            ),
            (want, got) => panic!("{key}: report {want}, sheet {got:?}"),
        }
    }
    assert_eq!(cell(&figures, 4, 0).to_string(), "按时办结率");

    // CSV with a BOM for Excel, and JSON Lines.
    let csv = dir.path().join("清单.csv");
    common::zhuqi(
        dir.path(),
        &[
            "--now",
            "2024-01-12T17:00",
            "export",
            "--format",
            "csv",
            "--bom",
            "--overdue",
            "-o",
            csv.to_str().unwrap_or_default(),
        ],
    );
    let bytes = std::fs::read(&csv).unwrap_or_default();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8_lossy(&bytes[3..]).into_owned();
    assert_eq!(
        text.lines().count(),
        2,
        "the header and the one overdue appeal"
    );
    assert!(text.contains("嘉兴佳利电子有限公司"));
    let jsonl = dir.path().join("清单.jsonl");
    common::zhuqi(
        dir.path(),
        &[
            "--now",
            "2024-01-12T17:00",
            "export",
            "--format",
            "jsonl",
            "--status",
            "closed",
            "-o",
            jsonl.to_str().unwrap_or_default(),
        ],
    );
    let lines: Vec<Value> = std::fs::read_to_string(&jsonl)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["number"].as_u64().unwrap_or(0))
            .collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
}

#[test]
fn a_desk_says_which_steps_it_wrote_and_keeps_no_more_than_a_handful() {
    let dir = common::tempdir();
    let mut desk = common::open(dir.path(), "2024-01-10T09:00");
    at(&mut desk, "2024-01-10T09:00");
    let start = desk.journal_len();
    let n = capture(&desk, "嘉兴佳利电子有限公司", "用地指标", false);
    act(
        &desk,
        &n,
        Action::Note {
            text: "现场查看".into(),
        },
    );
    let written = desk.take_steps_written();
    assert_eq!(written.journal_bytes, desk.journal_len() - start);
    assert!(!written.too_many);
    // The appeal as each step left it: captured, then noted.
    let events: Vec<u32> = written.appeals.iter().map(|a| a.events).collect();
    let now = desk.find(&n).map(|a| a.events).ok();
    assert_eq!(events.len(), 2);
    assert_eq!(Some(events[1]), now);
    assert_eq!(events[0] + 1, events[1]);
    assert_eq!(desk.take_steps_written().journal_bytes, 0, "taken once");
    // Past a handful, the desk keeps only that there were too many.
    let start = desk.journal_len();
    for i in 0..70 {
        act(
            &desk,
            &n,
            Action::Note {
                text: format!("第{i}次进展"),
            },
        );
    }
    let written = desk.take_steps_written();
    assert!(written.too_many);
    assert!(written.appeals.is_empty());
    assert_eq!(written.journal_bytes, desk.journal_len() - start);
}

#[test]
fn a_desk_counts_the_commands_that_change_its_registry_and_no_others() {
    let dir = common::tempdir();
    let mut desk = common::open(dir.path(), "2024-01-10T09:00");
    at(&mut desk, "2024-01-10T09:00");
    let start = desk.registry_writes();
    // A capture naming an enterprise new to the desk saves it.
    let n = capture(&desk, "嘉兴佳利电子有限公司", "用地指标", false);
    let after_new = desk.registry_writes();
    assert!(after_new > start, "a new enterprise is a registry write");
    // Steps on the appeal, and a capture for an enterprise on record, change nothing there.
    act(
        &desk,
        &n,
        Action::Note {
            text: "现场查看".into(),
        },
    );
    act(&desk, &n, Action::Urge { note: None });
    capture(&desk, "嘉兴佳利电子有限公司", "电力增容", false);
    assert_eq!(desk.registry_writes(), after_new);
    // A department and a meeting do.
    desk.add_department("区数据局")
        .unwrap_or_else(|e| panic!("{e}"));
    let after_department = desk.registry_writes();
    assert!(after_department > after_new);
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default();
    desk.add_meeting(day, "王店镇企业服务中心", None, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(desk.registry_writes() > after_department);
}
