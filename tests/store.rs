//! The store: records survive a reopen, indexes agree with projections, the journal alone
//! rebuilds everything, a torn journal tail is cut, and backups are complete.

mod common;

use std::io::Write;

use chrono::Duration;
use common::{open, options, tempdir};
use proptest::prelude::*;
use zhuqi::desk::{
    Action, CaptureInput, Clock, Desk, DeskError, Due, EnterpriseInput, Filter, StatusFilter,
};
use zhuqi::domain::{Card, Level, Satisfaction, Status};
use zhuqi::store::StoreError;

fn capture(desk: &Desk, enterprise: &str, text: &str) -> u64 {
    match desk.capture(&CaptureInput {
        enterprise: enterprise.into(),
        category: "消防".into(),
        text: text.into(),
        ..CaptureInput::default()
    }) {
        Ok(a) => a.number,
        Err(e) => panic!("capture refused: {e}"),
    }
}

/// Everything a desk holds that a person could see, for comparing two desks.
fn snapshot(desk: &Desk) -> String {
    let mut out = String::new();
    let rows = desk
        .list(&Filter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    for r in rows {
        let (appeal, events) = desk
            .show(&r.appeal.number.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        out.push_str(&format!("{appeal:?}\n{events:?}\n"));
    }
    out.push_str(&format!(
        "{:?}\n",
        desk.stewards().unwrap_or_else(|e| panic!("{e}"))
    ));
    out.push_str(&format!(
        "{:?}\n",
        desk.enterprises().unwrap_or_else(|e| panic!("{e}"))
    ));
    out.push_str(&format!(
        "{:?}\n",
        desk.meetings().unwrap_or_else(|e| panic!("{e}"))
    ));
    out.push_str(&format!(
        "{:?}\n",
        desk.departments().unwrap_or_else(|e| panic!("{e}"))
    ));
    out
}

#[test]
fn every_record_kind_survives_a_reopen() {
    let dir = tempdir();
    let before;
    {
        let desk = open(dir.path(), "2024-01-10T09:00");
        desk.add_steward(
            "朱洁",
            "住建局",
            Some("0573-82000000"),
            Some("审批服务管家团"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let saved = desk
            .save_enterprise(&EnterpriseInput {
                name: "华为技术有限公司".into(),
                credit_code: Some("914403001922038216".into()),
                contact: Some("联系人".into()),
                phone: Some("0755-1".into()),
                town: Some("秀洲高新区".into()),
                industry: Some("通信".into()),
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            saved.credit_code.map(|c| c.to_string()),
            Some("914403001922038216".into())
        );
        let m = desk
            .add_meeting(
                chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default(),
                "嘉兴机场",
                Some("李斌"),
                &["住建局".into(), "国土局".into()],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.number, 1);
        let n = capture(&desk, "华为技术有限公司", "审批慢");
        desk.act(
            &n.to_string(),
            Action::Assign {
                steward: "朱洁".into(),
                lead: "住建局".into(),
                co: vec!["消防救援大队".into()],
                due: Due::WorkingDays(10),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        desk.save_draft("capture", "{\"text\":\"半截诉求\"}")
            .unwrap_or_else(|e| panic!("{e}"));
        before = snapshot(&desk);
        assert_eq!(
            desk.departments().unwrap_or_default(),
            vec!["住建局", "国土局", "消防救援大队"]
        );
    }
    let desk = open(dir.path(), "2024-01-10T09:00");
    assert_eq!(snapshot(&desk), before);
    assert_eq!(
        desk.draft("capture").unwrap_or_default().as_deref(),
        Some("{\"text\":\"半截诉求\"}")
    );
    assert_eq!(
        desk.drafts().unwrap_or_default(),
        vec!["capture".to_string()]
    );
    desk.discard_draft("capture")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(desk.draft("capture").unwrap_or_default(), None);
    let due = desk
        .find("1")
        .map(|a| a.due)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(due.map(|d| d.to_string()).as_deref(), Some("2024-01-24"));
    assert!(desk.verify().unwrap_or_default().is_empty());
}

#[test]
fn the_journal_alone_rebuilds_the_same_desk() {
    let dir = tempdir();
    let before = {
        let mut desk = open(dir.path(), "2026-11-27T10:00");
        zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
        snapshot(&desk)
    };
    let (count, old) = zhuqi::desk::rebuild(&options(dir.path(), "2026-11-27T10:00"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 32);
    assert!(old.join("db").exists(), "the replaced store is kept");
    let desk = open(dir.path(), "2026-11-27T10:00");
    assert_eq!(snapshot(&desk), before);
    assert!(desk.verify().unwrap_or_default().is_empty());

    // A second data directory with only the journal: opening it replays everything.
    let other = tempdir();
    std::fs::copy(common::journal(dir.path()), common::journal(other.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    let copy = open(other.path(), "2026-11-27T10:00");
    assert!(copy.open_report().replayed > 32);
    assert_eq!(snapshot(&copy), before);
}

#[test]
fn a_torn_journal_tail_is_cut_and_a_damaged_line_is_named() {
    let dir = tempdir();
    let len;
    {
        let desk = open(dir.path(), "2024-01-10T09:00");
        capture(&desk, "嘉兴佳利电子有限公司", "用地指标");
        len = std::fs::metadata(common::journal(dir.path()))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    // A crash in the middle of writing a command: one complete line that says more follows, then half a line.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(common::journal(dir.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    let first_line = std::fs::read_to_string(common::journal(dir.path())).unwrap_or_default();
    // Written as a line of format 1 (no checksum), which is still read.
    let last = first_line.lines().last().unwrap_or_default();
    let line = last[..last.rfind(",\"ck\":").unwrap_or(last.len() - 1)].replacen(
        "{\"v\":2,",
        "{\"v\":1,\"more\":true,",
        1,
    ) + "}";
    writeln!(f, "{line}")
        .and_then(|_| write!(f, "{{\"v\":1,\"id\":\"01H"))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(f);
    {
        let desk = open(dir.path(), "2024-01-10T09:00");
        assert!(desk.open_report().torn_bytes > 0);
        assert_eq!(desk.open_report().replayed, 0);
        assert_eq!(
            desk.list(&Filter::default()).map(|r| r.len()).unwrap_or(0),
            1
        );
        assert!(desk.verify().unwrap_or_default().is_empty());
    }
    assert_eq!(
        std::fs::metadata(common::journal(dir.path()))
            .map(|m| m.len())
            .unwrap_or(0),
        len
    );

    // A damaged line in the middle is never skipped silently.
    let other = tempdir();
    let text = std::fs::read_to_string(common::journal(dir.path())).unwrap_or_default();
    std::fs::write(
        common::journal(other.path()),
        format!("{}\nnot json\n{text}", text.trim_end()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    match Desk::open(&options(other.path(), "2024-01-10T09:00")) {
        Err(DeskError::Store(StoreError::Journal { line, .. })) => {
            assert_eq!(line, text.lines().count() + 1)
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a damaged journal was accepted"),
    }
}

#[test]
fn a_backup_is_a_complete_desk_and_never_overwrites() {
    let dir = tempdir();
    let target = tempdir();
    let backup_dir = target.path().join("backup");
    let before = {
        let mut desk = open(dir.path(), "2026-11-27T10:00");
        zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
        desk.backup(&backup_dir).unwrap_or_else(|e| panic!("{e}"));
        let again = desk.backup(&backup_dir);
        assert!(matches!(
            again,
            Err(DeskError::Store(StoreError::TargetNotEmpty(_)))
        ));
        snapshot(&desk)
    };
    // The demo's closed appeals are in the store's archive: the copy has one too.
    assert!(dir.path().join("store/archive/db").exists());
    assert!(backup_dir.join("store/archive/db").exists());
    let restored = open(&backup_dir, "2026-11-27T10:00");
    assert_eq!(
        restored.open_report().replayed,
        0,
        "the copied store already holds the journal"
    );
    assert_eq!(snapshot(&restored), before);
    assert!(restored.verify().unwrap_or_default().is_empty());
    assert!(backup_dir.join("calendar.toml").exists());
}

#[derive(Clone, Debug)]
enum Op {
    Capture(u8),
    Assign(u8, u8),
    Ack(u8),
    Answer(u8),
    Feedback(u8, u8),
    Return(u8),
    Withdraw(u8),
    Extend(u8, u8),
    Escalate(u8),
    Urge(u8),
    Reopen(u8),
    Wait(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..4).prop_map(Op::Capture),
        (1u8..8, 1u8..15).prop_map(|(a, d)| Op::Assign(a, d)),
        (1u8..8).prop_map(Op::Ack),
        (1u8..8).prop_map(Op::Answer),
        (1u8..8, 1u8..=5).prop_map(|(a, r)| Op::Feedback(a, r)),
        (1u8..8).prop_map(Op::Return),
        (1u8..8).prop_map(Op::Withdraw),
        (1u8..8, 1u8..20).prop_map(|(a, d)| Op::Extend(a, d)),
        (1u8..8).prop_map(Op::Escalate),
        (1u8..8).prop_map(Op::Urge),
        (1u8..8).prop_map(Op::Reopen),
        (1u8..5).prop_map(Op::Wait),
    ]
}

fn run(desk: &mut Desk, op: &Op) {
    let now = desk.clock().now();
    let today = desk.clock().today();
    let result = match op {
        Op::Capture(e) => desk
            .capture(&CaptureInput {
                enterprise: format!("企业{e}"),
                category: "审批".into(),
                text: "诉求".into(),
                ..CaptureInput::default()
            })
            .map(|_| ()),
        Op::Assign(a, d) => desk
            .act(
                &a.to_string(),
                Action::Assign {
                    steward: "朱洁".into(),
                    lead: "住建局".into(),
                    co: vec![],
                    due: Due::WorkingDays(u32::from(*d)),
                },
            )
            .map(|_| ()),
        Op::Ack(a) => desk.act(&a.to_string(), Action::Acknowledge).map(|_| ()),
        Op::Answer(a) => desk
            .act(
                &a.to_string(),
                Action::Answer {
                    text: "已办".into(),
                },
            )
            .map(|_| ()),
        Op::Feedback(a, r) => desk
            .act(
                &a.to_string(),
                Action::Feedback {
                    rating: Satisfaction::from_score(*r).unwrap_or(Satisfaction::Basic),
                    comment: None,
                },
            )
            .map(|_| ()),
        Op::Return(a) => desk
            .act(
                &a.to_string(),
                Action::Return {
                    reason: "非本部门".into(),
                },
            )
            .map(|_| ()),
        Op::Withdraw(a) => desk
            .act(
                &a.to_string(),
                Action::Withdraw {
                    reason: "撤回".into(),
                },
            )
            .map(|_| ()),
        Op::Extend(a, d) => desk
            .act(
                &a.to_string(),
                Action::Extend {
                    due: today + Duration::days(i64::from(*d)),
                    reason: "等待".into(),
                },
            )
            .map(|_| ()),
        Op::Escalate(a) => desk
            .act(
                &a.to_string(),
                Action::Escalate {
                    level: Level::City,
                    to: "市住建局".into(),
                    note: None,
                },
            )
            .map(|_| ()),
        Op::Urge(a) => desk
            .act(&a.to_string(), Action::Urge { note: None })
            .map(|_| ()),
        Op::Reopen(a) => desk
            .act(
                &a.to_string(),
                Action::Reopen {
                    reason: "未解决".into(),
                    due: Due::CategoryDefault,
                },
            )
            .map(|_| ()),
        Op::Wait(days) => {
            desk.set_clock(Clock::fixed(now + Duration::days(i64::from(*days))));
            Ok(())
        }
    };
    match result {
        Ok(()) | Err(DeskError::Refused(_)) | Err(DeskError::AppealNotFound(_)) => {}
        Err(e) => panic!("{op:?} failed: {e}"),
    }
}

fn check_indexes(desk: &Desk) -> Result<(), TestCaseError> {
    let problems = desk
        .verify()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(problems.is_empty(), "{:?}", problems);
    let all = desk
        .list(&Filter::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for status in Status::ALL {
        let by_index = desk
            .list(&Filter {
                status: Some(StatusFilter::Is(status)),
                ..Filter::default()
            })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let by_scan: Vec<_> = all
            .iter()
            .filter(|r| r.appeal.status == status)
            .cloned()
            .collect();
        prop_assert_eq!(by_index, by_scan);
    }
    let overdue = desk
        .list(&Filter {
            overdue: true,
            ..Filter::default()
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let red: Vec<_> = all
        .iter()
        .filter(|r| r.card == Card::Red)
        .cloned()
        .collect();
    prop_assert_eq!(overdue, red);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn indexes_agree_with_projections_after_random_operations(ops in proptest::collection::vec(op(), 1..60)) {
        let dir = tempdir();
        {
            let mut desk = open(dir.path(), "2024-03-04T09:00");
            desk.add_steward("朱洁", "住建局", None, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for o in &ops {
                run(&mut desk, o);
            }
            check_indexes(&desk)?;
        }
        let desk = open(dir.path(), "2024-05-04T09:00");
        check_indexes(&desk)?;
    }
}

#[test]
fn lists_hold_summaries_and_every_reader_of_an_appeal_gets_it_whole() {
    let dir = tempdir();
    let desk = open(dir.path(), "2024-01-10T09:00");
    desk.add_steward("朱洁", "住建局", None, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = "厂区东侧道路施工已三个月，货车无法进出，原料堆积在门外，影响正常生产，\
                请求协调施工单位分段放行，并明确完工时间，企业愿意配合调整进货时段。";
    assert!(text.chars().count() > zhuqi::domain::SUMMARY_TEXT_CHARS);
    let n = capture(&desk, "嘉兴市南湖纺织有限公司", text);
    let number = n.to_string();
    let act = |action| desk.act(&number, action).unwrap_or_else(|e| panic!("{e}"));
    act(Action::Assign {
        steward: "朱洁".into(),
        lead: "住建局".into(),
        co: vec![],
        due: Due::WorkingDays(10),
    });
    act(Action::Acknowledge);
    let note = "已约施工单位现场协调，拟每日 6 时至 8 时放行货车。";
    act(Action::Note { text: note.into() });

    // What the desk in the terminal holds: the text's start, no notes.
    let summary = desk
        .summaries()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|a| a.number == n)
        .unwrap_or_else(|| panic!("appeal {n} not among the summaries"));
    let start: String = text
        .chars()
        .take(zhuqi::domain::SUMMARY_TEXT_CHARS)
        .collect();
    assert_eq!(summary.text, start);
    assert_eq!(summary.last_note, None);
    assert_eq!(summary.steward.as_deref(), Some("朱洁"));

    // Everything that prints or exports an appeal has it whole, before and after a reopen.
    check_whole(&desk, n, text, note);
    drop(desk);
    let desk = open(dir.path(), "2024-01-10T09:00");
    check_whole(&desk, n, text, note);
    assert_eq!(
        desk.verify().unwrap_or_else(|e| panic!("{e}")),
        Vec::<String>::new()
    );
}

fn check_whole(desk: &Desk, n: u64, text: &str, note: &str) {
    let listed = desk
        .list(&Filter {
            status: Some(StatusFilter::Is(Status::InProgress)),
            ..Filter::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].appeal.text, text);
    assert_eq!(listed[0].appeal.last_note.as_deref(), Some(note));
    let all = desk.all_appeals().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all[0].text, text);
    let shown = desk.find(&n.to_string()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.text, text);
    assert_eq!(shown.last_note.as_deref(), Some(note));
}

#[test]
fn the_list_reads_every_appeal_once_open_ones_first_as_its_summary_says() {
    let dir = tempdir();
    let mut desk = open(dir.path(), "2026-11-27T10:00");
    zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
    let summaries = desk.summaries().unwrap_or_else(|e| panic!("{e}"));
    assert!(summaries.iter().any(|a| a.status.is_open()));
    assert!(summaries.iter().any(|a| !a.status.is_open()));

    assert_eq!(desk.appeal_count(), summaries.len() as u64);
    // Two loaders share the appeals between them; each is read to its end.
    let mut shares = Vec::new();
    let mut texts = zhuqi::tui::screens::list::row::Texts::default();
    for mut loader in zhuqi::tui::screens::list::row::list_loaders(&desk) {
        let mut rows = Vec::new();
        loop {
            // A small batch, so that reading goes over many batches.
            let mut batch = loader.next_batch(7).unwrap_or_else(|e| panic!("{e}"));
            if batch.rows.is_empty() {
                break;
            }
            assert!(batch.rows.len() <= 7);
            texts.append(batch.texts, &mut batch.rows);
            rows.extend(batch.rows);
        }
        shares.push(rows);
    }
    let first = &shares[0];
    let first_closed = first
        .iter()
        .position(|r| !r.status.is_open())
        .unwrap_or(first.len());
    assert!(first_closed > 0, "the first loader reads the open appeals");
    assert!(
        first[first_closed..].iter().all(|r| !r.status.is_open()),
        "open appeals come first"
    );
    assert!(shares[1].iter().all(|r| !r.status.is_open()));
    assert!(!shares[1].is_empty(), "the second loader has a share");
    let rows: Vec<_> = shares.concat();
    assert_eq!(rows.len(), summaries.len(), "every appeal once");
    for a in &summaries {
        let r = rows
            .iter()
            .find(|r| r.id == a.id)
            .unwrap_or_else(|| panic!("appeal {} was not read", a.number));
        let whole = desk.row(a.clone());
        assert_eq!(r.number, a.number);
        assert_eq!(r.status, a.status);
        assert_eq!(
            (r.card, r.days_overdue(desk.clock().today())),
            (whole.card, whole.days_overdue)
        );
        assert_eq!(r.enterprise.as_str(), a.enterprise);
        assert_eq!(r.category.as_str(), a.category);
        assert_eq!(r.steward.as_ref().map(|s| s.as_str()), a.steward.as_deref());
        assert_eq!(
            r.lead_dept.as_ref().map(|s| s.as_str()),
            a.lead_dept.as_deref()
        );
        assert_eq!(
            (r.due, u32::from(r.urges), r.meeting()),
            (a.due, a.urges, a.meeting)
        );
        assert_eq!(r.captured_on, a.captured_at.date_naive());
        let text = String::from_utf16(texts.get(r.text)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, a.text.to_lowercase());
    }
    // One name is kept once by a loader, however many of its rows carry it.
    let same_category: Vec<_> = shares[0]
        .iter()
        .filter(|r| r.category.as_str() == "消防")
        .collect();
    assert!(same_category.len() > 1);
    assert!(
        same_category
            .windows(2)
            .all(|w| std::sync::Arc::ptr_eq(&w[0].category, &w[1].category))
    );
}

#[test]
fn a_list_by_department_finds_co_handling_departments_too() {
    let dir = tempdir();
    let desk = open(dir.path(), "2024-01-10T09:00");
    desk.add_steward("朱洁", "区住建局", None, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let n = capture(
        &desk,
        "嘉兴市南湖纺织有限公司",
        "厂区道路施工，货车无法进出",
    );
    capture(&desk, "嘉兴市秀洲印染有限公司", "用电容量不足");
    desk.act(
        &n.to_string(),
        Action::Assign {
            steward: "朱洁".into(),
            lead: "区住建局".into(),
            co: vec!["区交通局".into()],
            due: Due::WorkingDays(10),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let numbers = |dept: &str, status: Option<StatusFilter>| -> Vec<u64> {
        desk.list(&Filter {
            dept: Some(dept.into()),
            status,
            ..Filter::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|r| r.appeal.number)
        .collect()
    };
    assert_eq!(numbers("区住建局", None), [n]);
    assert_eq!(numbers("区交通局", None), [n], "a co-handling department");
    assert_eq!(numbers(" 区交通局 ", Some(StatusFilter::Open)), [n]);
    assert_eq!(
        numbers("区交通局", Some(StatusFilter::Is(Status::Assigned))),
        [n]
    );
    assert!(numbers("区交通局", Some(StatusFilter::Is(Status::Listed))).is_empty());
    assert!(numbers("区经信局", None).is_empty());
}

#[test]
fn the_board_and_figures_read_every_summary_once_in_parts() {
    let dir = tempdir();
    let mut desk = open(dir.path(), "2026-11-27T10:00");
    zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
    let summaries = desk.summaries().unwrap_or_else(|e| panic!("{e}"));
    // All of them, read in two halves side by side: the same appeals, in the same order.
    let mut all = desk.supervision(false);
    assert_eq!(all.appeals().unwrap_or_else(|e| panic!("{e}")), summaries);
    assert!(
        all.appeals().unwrap_or_else(|e| panic!("{e}")).is_empty(),
        "read once"
    );
    // The open ones only, for the board.
    let mut open: Vec<_> = desk
        .supervision(true)
        .appeals()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|a| a.number)
        .collect();
    open.sort_unstable();
    let mut expected: Vec<_> = summaries
        .iter()
        .filter(|a| a.status.is_open())
        .map(|a| a.number)
        .collect();
    expected.sort_unstable();
    assert!(!expected.is_empty());
    assert_eq!(open, expected);
}

#[test]
fn the_realistic_mix_leaves_nearly_everything_closed_and_the_backlog_mix_does_not() {
    use zhuqi::io::generate::{Mix, generate_mix, load_texts};
    let texts = load_texts(std::path::Path::new("/nonexistent"));
    let open_share = |mix: Mix| {
        let dir = tempdir();
        let desk = open(dir.path(), "2026-11-27T10:00");
        generate_mix(&desk, 4000, 7, &texts, mix, |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let rows = desk
            .list(&Filter::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let open = rows
            .iter()
            .filter(|r| {
                !matches!(
                    r.appeal.status,
                    zhuqi::domain::Status::Closed | zhuqi::domain::Status::Withdrawn
                )
            })
            .count();
        assert!(desk.verify().unwrap_or_default().is_empty());
        open as f64 / 4000.0
    };
    let (backlog, realistic) = (open_share(Mix::Backlog), open_share(Mix::Realistic));
    // 4,000 appeals span a few weeks, so the recent share (open in both) is large; at 100,000
    // the realistic mix leaves 0.6% open (BENCHMARKS.md).
    assert!(
        realistic < backlog / 2.0,
        "realistic {realistic}, backlog {backlog}"
    );
}

#[test]
fn five_hundred_closings_move_to_the_archive_and_read_as_before() {
    let dir = tempdir();
    let desk = open(dir.path(), "2026-11-27T10:00");
    let archive = dir.path().join("store/archive/db");
    for i in 0..500 {
        common::capture_resolved(&desk, i);
        // Below the mark the closed appeals stay in the store itself.
        assert_eq!(archive.exists(), i == 499, "after {} closings", i + 1);
    }
    let open_one = desk
        .capture(&zhuqi::desk::CaptureInput {
            enterprise: "嘉兴秀洲机械有限公司".into(),
            category: "消防".into(),
            text: "厂房消防设施验收咨询".into(),
            ..zhuqi::desk::CaptureInput::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = desk
        .list(&Filter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 501);
    assert_eq!(
        rows.iter().map(|r| r.appeal.number).collect::<Vec<_>>(),
        (1..=501).collect::<Vec<u64>>()
    );
    let (first, _) = desk.show("1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.status, Status::Closed);
    assert_eq!(open_one.status, Status::Listed);
    assert!(desk.verify().unwrap_or_default().is_empty());
    drop(desk);
    // Opened again: the same, and `rebuild` lays it out the same way.
    let desk = open(dir.path(), "2026-11-27T10:00");
    assert_eq!(
        desk.list(&Filter::default()).map(|r| r.len()).ok(),
        Some(501)
    );
    drop(desk);
    let out = common::zhuqi(dir.path(), &["rebuild"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let desk = open(dir.path(), "2026-11-27T10:00");
    assert_eq!(
        desk.list(&Filter::default()).map(|r| r.len()).ok(),
        Some(501)
    );
    assert!(desk.verify().unwrap_or_default().is_empty());
}

#[test]
fn appeals_read_a_part_at_a_time_come_in_number_order_and_a_failed_part_stops_them() {
    use zhuqi::io::generate::{Mix, generate_mix, load_texts};
    let dir = tempdir();
    // Late in the generated history's span, so that some running appeals are overdue.
    let desk = open(dir.path(), "2026-11-27T10:00");
    let texts = load_texts(std::path::Path::new("/nonexistent"));
    generate_mix(&desk, 1500, 3, &texts, Mix::Backlog, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let overdue = Filter {
        overdue: true,
        ..Filter::default()
    };
    for filter in [Filter::default(), overdue.clone()] {
        let listed = desk.list(&filter).unwrap_or_else(|e| panic!("{e}"));
        let mut parts = 0;
        let mut read = Vec::new();
        let count = desk
            .render_rows(&filter, Ok::<_, DeskError>, |rows| {
                parts += 1;
                read.extend(rows);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count, read.len());
        assert_eq!(read, listed);
        assert!(
            read.windows(2)
                .all(|w| w[0].appeal.number < w[1].appeal.number)
        );
        if filter.overdue {
            // Sifted on the briefs: the same red cards as the whole appeals carry.
            let red: Vec<_> = desk
                .list(&Filter::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .filter(|r| r.card == Card::Red)
                .collect();
            assert!(!red.is_empty());
            assert_eq!(read, red);
        } else {
            assert_eq!(read.len(), 1500);
            assert!(parts > 2, "{parts} parts");
        }
    }
    // A part that cannot be rendered stops the reading: what came before it was taken, in
    // order, and nothing after it.
    let mut taken = Vec::new();
    let failed = desk.render_rows(
        &Filter::default(),
        |rows| {
            if rows.iter().any(|r| r.appeal.number == 600) {
                Err(DeskError::DemoNeedsEmpty)
            } else {
                Ok(rows.iter().map(|r| r.appeal.number).collect::<Vec<_>>())
            }
        },
        |numbers| {
            taken.extend(numbers);
            Ok(())
        },
    );
    assert!(
        matches!(failed, Err(DeskError::DemoNeedsEmpty)),
        "{failed:?}"
    );
    assert!(!taken.is_empty() && taken.len() < 600, "{}", taken.len());
    assert!(taken.iter().enumerate().all(|(i, n)| *n == i as u64 + 1));
}

#[test]
fn a_desk_writing_batches_stops_at_one_with_an_implausible_event() {
    use zhuqi::domain::{AppealChange, Capture, Event, EventBody, Refusal};
    let dir = tempdir();
    let desk = open(dir.path(), "2026-11-25T10:00");
    let now = desk.clock().now();
    let capture = |i: u128, at| {
        vec![Event {
            id: ulid::Ulid::new(),
            at,
            actor: "测试员".into(),
            body: EventBody::Appeal {
                appeal: ulid::Ulid(i),
                change: AppealChange::Captured(Capture {
                    number: 0,
                    external_id: None,
                    enterprise: format!("嘉兴南湖纺织{i}有限公司"),
                    category: "消防".into(),
                    text: format!("消防通道第{i}处被占用"),
                    contact: None,
                    meeting: None,
                    departments: vec![],
                    day_only: Default::default(),
                }),
            },
            desk: None,
            hub: None,
        }]
    };
    // Before 2000: no desk could have written it.
    let long_ago = now - Duration::days(365 * 40);
    let batches = vec![
        vec![capture(1, now), capture(2, now)],
        vec![capture(3, now), capture(4, long_ago)],
        vec![capture(5, now)],
    ];
    let refused = desk.append_batches(batches.into_iter().map(|b| b.concat()), drop);
    assert!(
        matches!(
            refused,
            Err(DeskError::Refused(Refusal::ImplausibleTime { .. }))
        ),
        "{refused:?}"
    );
    // The batch before it written, nothing of it or after it.
    assert_eq!(desk.appeal_count(), 2);
    let mut texts: Vec<String> = desk
        .list(&Filter::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|r| r.appeal.text.clone())
        .collect();
    texts.sort();
    assert_eq!(texts, ["消防通道第1处被占用", "消防通道第2处被占用"]);
    assert_eq!(
        desk.verify().unwrap_or_else(|e| panic!("{e}")),
        Vec::<String>::new()
    );
}
