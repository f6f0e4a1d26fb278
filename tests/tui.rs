//! The terminal desk, headless: key events in, the store and the screen checked.
//! Screens are snapshot-tested (insta) at 80×24 and 120×40 with Chinese data.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Position;
use zhuqi::domain::{ClosedHow, Status};
use zhuqi::strings::Lang;
use zhuqi::tui::app::{App, Modal, Screen};
use zhuqi::tui::theme::Theme;
use zhuqi::tui::ui;

const NOW: &str = "2026-11-27T10:00";

fn app_in(dir: &Path, now: &str, lang: Lang) -> App {
    let desk = common::open(dir, now);
    let mut app = match App::new(desk, lang, Theme { color: false }) {
        Ok(a) => a,
        Err(e) => panic!("the app would not start: {e}"),
    };
    app.finish_reading()
        .unwrap_or_else(|e| panic!("the list was not read: {e}"));
    app
}

fn demo_app(dir: &Path) -> App {
    demo_app_in(dir, Lang::Zh)
}

fn demo_app_in(dir: &Path, lang: Lang) -> App {
    {
        let mut desk = common::open(dir, NOW);
        zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
    }
    app_in(dir, NOW, lang)
}

/// The files the view's exports wrote into the data directory.
fn exports(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir.join("exports"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The appeal sheet of an exported workbook.
fn appeal_sheet(file: &Path) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file).unwrap_or_else(|e| panic!("{e}"));
    wb.worksheet_range("诉求清单")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    while app.work() {}
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    while app.work() {}
}

/// Types text key by key, as an IME delivers committed characters.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    t.draw(|f| ui::draw(app, f))
        .unwrap_or_else(|e| panic!("{e}"));
    t
}

fn screen_text(app: &App, w: u16, h: u16) -> String {
    render(app, w, h).backend().to_string()
}

fn cursor(app: &App) -> Position {
    let mut t = render(app, 80, 24);
    t.backend_mut()
        .get_cursor_position()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Both sizes the desk must work at.
fn snap(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24).backend());
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40).backend());
}

/// Every screen at both sizes in `lang`; snapshot names end with `sfx`.
fn screens_in(lang: Lang, sfx: &str) {
    let name = |n: &str| format!("{n}{sfx}");
    let dir = common::tempdir();
    let empty = app_in(dir.path(), NOW, lang);
    snap(&name("welcome"), &empty);
    drop(empty);

    let dir = common::tempdir();
    let mut app = demo_app_in(dir.path(), lang);
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.screen, Screen::List);
    // The in-progress tab, with red and yellow cards.
    snap(&name("list_in_progress"), &app);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    snap(&name("list_overdue"), &app);
    press(&mut app, KeyCode::Char('?'));
    snap(&name("help_list"), &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "ytjt");
    snap(&name("list_filtered"), &app);
    press(&mut app, KeyCode::Esc);

    app.open_detail(1, Screen::List);
    snap(&name("detail_airport"), &app);

    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "浙江圆通");
    snap(&name("meeting_completion"), &app);
    // The registry, and the help inside a form (with how completion works).
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::F(6));
    snap(&name("records_stewards"), &app);
    press(&mut app, KeyCode::F(4));
    snap(&name("tour_board"), &app);
    press(&mut app, KeyCode::F(5));
    snap(&name("tour_figures"), &app);
    app.open_detail(11, Screen::List);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::F(1));
    snap(&name("help_form"), &app);
}

#[test]
fn screens_at_both_sizes() {
    screens_in(Lang::Zh, "");
}

#[test]
fn screens_at_both_sizes_in_english() {
    screens_in(Lang::En, "_en");
}

#[test]
fn each_action_form_in_english() {
    let dir = common::tempdir();
    let mut app = demo_app_in(dir.path(), Lang::En);
    for (number, key, name) in [
        (11, 'a', "assign"),
        (4, 'n', "note"),
        (4, 'w', "answer"),
        (12, 'f', "feedback"),
    ] {
        app.open_detail(number, Screen::List);
        press(&mut app, KeyCode::Char(key));
        assert!(matches!(app.modal, Some(Modal::Action(_))), "{name}");
        snap(&format!("action_{name}_en"), &app);
        press(&mut app, KeyCode::Esc);
    }
}

#[test]
fn each_action_form_and_a_refusal() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    // Appeal 11 is listed, 19 assigned, 4 in progress (overdue), 12 answered, 1 closed.
    let cases: [(u64, char, &str); 13] = [
        (11, 'a', "assign"),
        (19, 'k', "acknowledge"),
        (19, 'b', "return"),
        (19, 'r', "reassign"),
        (4, 'n', "note"),
        (4, 'e', "escalate"),
        (4, 'x', "extend"),
        (4, 'u', "urge"),
        (4, 'w', "answer"),
        (12, 'f', "feedback"),
        (1, 'o', "reopen"),
        (11, 'd', "withdraw"),
        (12, 'c', "close"),
    ];
    for (number, key, name) in cases {
        app.open_detail(number, Screen::List);
        press(&mut app, KeyCode::Char(key));
        assert!(
            matches!(app.modal, Some(Modal::Action(_))),
            "{name}: no form for appeal {number}"
        );
        snap(&format!("action_{name}"), &app);
        press(&mut app, KeyCode::Esc);
        assert!(app.modal.is_none());
    }
    // Appeal 4 is overdue: an extension is refused, inline, and nothing is written.
    app.open_detail(4, Screen::List);
    let events_before = app.detail.as_ref().map(|d| d.events.len());
    press(&mut app, KeyCode::Char('x'));
    type_text(&mut app, "2026-12-10");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "等待审批");
    ctrl(&mut app, 's');
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("延期须在到期前申请"), "{screen}");
    snap("refusal_extend", &app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.detail.as_ref().map(|d| d.events.len()), events_before);
    // A step the state does not allow is not offered: no answer before acknowledgement.
    app.open_detail(19, Screen::List);
    press(&mut app, KeyCode::Char('w'));
    assert!(app.modal.is_none());
}

#[test]
fn the_airport_story_by_keyboard() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), "2024-01-10T09:00");
        desk.add_steward("朱洁", "区住建局", None, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), "2024-01-10T09:00", Lang::Zh);
    // Not empty (a steward exists): straight to the list; open meeting mode and a new meeting.
    press(&mut app, KeyCode::F(2));
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "嘉兴机场建设工地");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "区住建局、区自然资源和规划分局");
    app.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(
        !app.list.reading(),
        "a new meeting changes no appeal: the list is not read again"
    );
    assert!(
        app.registry
            .meetings
            .iter()
            .any(|m| m.venue == "嘉兴机场建设工地"),
        "the new meeting is offered for completion"
    );
    assert!(app.modal.is_none(), "the meeting form did not close");
    assert_eq!(
        app.meeting.meeting.as_ref().map(|m| m.venue.as_str()),
        Some("嘉兴机场建设工地")
    );

    // First capture: resolved on the spot, after a confirmation.
    type_text(&mut app, "浙江圆通航空投资发展有限公司");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "宋敏生");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "水电气");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "施工临时用电报装");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "供电公司现场受理");
    ctrl(&mut app, 's');
    // An enterprise the desk does not know is said to be new before it is created.
    assert!(app.modal.is_none());
    let said = screen_text(&app, 120, 40);
    assert!(
        said.contains("新企业“浙江圆通航空投资发展有限公司”"),
        "{said}"
    );
    assert!(
        app.desk.find("1").is_err(),
        "nothing is saved before the second Ctrl-S"
    );
    ctrl(&mut app, 's');
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    press(&mut app, KeyCode::Char('y'));
    let first = app.desk.find("1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (first.status, first.closed_how),
        (Status::Closed, Some(ClosedHow::OnSpot))
    );
    assert_eq!(first.meeting, Some(1));

    // Second capture: onto the list. The enterprise now completes from its initials.
    type_text(&mut app, "zjyt");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.meeting
            .form
            .value(zhuqi::tui::widgets::form::FieldId::Contact),
        "宋敏生"
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "消防");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "空港物流园区特殊消防审批进度慢");
    ctrl(&mut app, 's');
    let second = app.desk.find("2").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.status, Status::Listed);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("已保存：诉求 2，待交办。"), "{screen}");
    assert!(
        screen.contains("共 2 条 · 当场解决 1 · 列入清单 1"),
        "{screen}"
    );

    // Follow it on the list to its close.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::F(3));
    press(&mut app, KeyCode::Left); // the listed tab
    assert_eq!(app.list.selected_number(), Some(2));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
    let step = |app: &mut App, key: char, fields: &[&str]| {
        press(app, KeyCode::Char(key));
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                press(app, KeyCode::Tab);
            }
            type_text(app, f);
        }
        ctrl(app, 's');
    };
    step(&mut app, 'a', &["朱洁"]); // the lead department follows the steward; due: the category's 15 days
    let a = app.desk.find("2").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.lead_dept.as_deref(), Some("区住建局"));
    assert_eq!(a.due.map(|d| d.to_string()).as_deref(), Some("2024-01-31"));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    step(&mut app, 'n', &["住建、国土现场踏勘完毕"]);
    step(&mut app, 'e', &["", "省住建厅", "区政府提交省级部门"]);
    step(&mut app, 'w', &["省住建厅已出具审查意见"]);
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Left); // 非常满意
    ctrl(&mut app, 's');
    assert!(
        matches!(app.modal, Some(Modal::Confirm { .. })),
        "feedback asks first"
    );
    press(&mut app, KeyCode::Char('y'));

    let a = app.desk.find("2").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.status, Status::Closed);
    assert_eq!(a.rating.map(|r| r.score()), Some(5));
    assert_eq!(a.escalated_to.as_deref(), Some("省住建厅"));
    assert_eq!(a.events, 8);
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("[已办结]"), "{screen}");
    assert!(screen.contains("上报：省级 · 省住建厅"), "{screen}");
    assert!(app.desk.verify().unwrap_or_default().is_empty());
}

#[test]
fn the_caret_sits_where_the_ime_composes() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), NOW);
        desk.add_steward("朱洁", "区住建局", None, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    let start = cursor(&app);
    type_text(&mut app, "企业诉求ab");
    let after = cursor(&app);
    assert_eq!((after.x - start.x, after.y), (10, start.y));
    // Left over "b", "a" and one CJK character: 1 + 1 + 2 columns.
    for _ in 0..3 {
        press(&mut app, KeyCode::Left);
    }
    assert_eq!(cursor(&app).x - start.x, 6);
    // A name wider than its box scrolls; the caret stays in the box and no character is split.
    press(&mut app, KeyCode::End);
    type_text(&mut app, &"浙江圆通航空投资发展有限公司".repeat(3));
    let mut t = render(&app, 80, 24);
    let caret = t
        .backend_mut()
        .get_cursor_position()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(caret.x < 79 && caret.y == start.y);
    let row: String = (0..80)
        .map(|x| t.backend().buffer()[(x, start.y)].symbol().to_string())
        .collect();
    // (A wide character's second column is a blank cell.)
    assert!(
        row.replace(' ', "").contains("有限公司"),
        "the end of the text is in view: {row}"
    );
    // The multi-line text: the caret follows onto the second line.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "第一行");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "第二");
    let c = cursor(&app);
    assert_eq!((c.x - start.x, c.y), (4, start.y + 4));
}

#[test]
fn a_paste_is_text_and_escape_sequences_never_reach_the_screen() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), NOW);
        desk.save_enterprise(&zhuqi::desk::EnterpriseInput {
            name: "恶意\u{1b}[2J企业".into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    app.on_paste("圆通\r\n航空\u{7}集团");
    assert_eq!(
        app.meeting
            .form
            .value(zhuqi::tui::widgets::form::FieldId::Enterprise),
        "圆通 航空集团"
    );
    // The stored name with an escape sequence is drawn with the escape replaced.
    app.meeting
        .form
        .set_value(zhuqi::tui::widgets::form::FieldId::Enterprise, "");
    type_text(&mut app, "恶意");
    let t = render(&app, 80, 24);
    let all: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol().to_string())
        .collect();
    assert!(!all.contains('\u{1b}'));
    assert!(
        all.replace(' ', "").contains("\u{FFFD}[2J企业"),
        "the suggestion is shown, made harmless"
    );
}

#[test]
fn an_idle_form_is_kept_as_a_draft_and_offered_back() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), NOW);
        desk.add_steward("朱洁", "区住建局", None, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    {
        let mut app = app_in(dir.path(), NOW, Lang::Zh);
        press(&mut app, KeyCode::F(2));
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "嘉兴佳利电子有限公司");
        press(&mut app, KeyCode::Tab); // a field change saves at once
        assert!(
            app.desk
                .draft("capture")
                .ok()
                .flatten()
                .is_some_and(|d| d.contains("嘉兴佳利电子有限公司"))
        );
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "二期用地指标");
        // Not yet a second idle: the text is not in the draft.
        app.tick(Instant::now());
        assert!(
            !app.desk
                .draft("capture")
                .ok()
                .flatten()
                .unwrap_or_default()
                .contains("二期用地指标")
        );
        app.tick(Instant::now() + Duration::from_millis(1100));
        assert!(
            app.desk
                .draft("capture")
                .ok()
                .flatten()
                .unwrap_or_default()
                .contains("二期用地指标")
        );
        // Dropped without quitting, as a crash would.
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    assert!(matches!(app.modal, Some(Modal::DraftOffer { .. })));
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("嘉兴佳利电子有限公司"), "{screen}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Meeting);
    assert_eq!(
        app.meeting
            .form
            .value(zhuqi::tui::widgets::form::FieldId::Enterprise),
        "嘉兴佳利电子有限公司"
    );
    assert_eq!(
        app.meeting
            .form
            .value(zhuqi::tui::widgets::form::FieldId::Text),
        "二期用地指标"
    );
    // Saving the appeal clears the draft (the enterprise is new: the form says so first).
    press(&mut app, KeyCode::BackTab);
    type_text(&mut app, "用地");
    ctrl(&mut app, 's');
    assert!(app.desk.find("1").is_err());
    ctrl(&mut app, 's');
    assert!(app.desk.find("1").is_ok());
    assert_eq!(app.desk.draft("capture").ok().flatten(), None);
}

#[test]
fn a_possible_duplicate_can_become_a_note() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(2));
    ctrl(&mut app, 'o');
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    // Appeal 4: 嘉兴市油车港物流有限公司, 园区道路限高影响货车通行，请求调整 (open).
    type_text(&mut app, "嘉兴市油车港物流有限公司");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "交通物流");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "园区道路限高影响货车通行");
    ctrl(&mut app, 's');
    assert!(matches!(
        app.modal,
        Some(Modal::Duplicate { number: 4, .. })
    ));
    snap("duplicate", &app);
    let before = app.desk.find("4").map(|a| a.events).unwrap_or(0);
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(
        app.desk.find("4").map(|a| a.events).unwrap_or(0),
        before + 1
    );
    assert!(app.desk.find("33").is_err(), "no new appeal was made");
}

#[test]
fn english_when_asked() {
    let dir = common::tempdir();
    {
        let mut desk = common::open(dir.path(), NOW);
        zhuqi::desk::demo::load(&mut desk).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), NOW, Lang::En);
    press(&mut app, KeyCode::F(3));
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("In progress"), "{screen}");
    assert!(screen.contains("● 39d late"), "{screen}");
    assert!(screen.contains("Enter open"), "{screen}");
    assert!(
        screen.contains("Urged"),
        "every column has its header: {screen}"
    );
}

#[test]
fn a_half_typed_action_form_is_offered_back() {
    let dir = common::tempdir();
    {
        let mut app = demo_app(dir.path());
        app.open_detail(4, Screen::List);
        press(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "已协调交警大队现场查看");
        // Dropped without quitting, as a crash would.
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    assert!(matches!(app.modal, Some(Modal::DraftOffer { .. })));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
    match &app.modal {
        Some(Modal::Action(a)) => {
            assert_eq!(a.number, 4);
            assert_eq!(
                a.form.value(zhuqi::tui::widgets::form::FieldId::Text),
                "已协调交警大队现场查看"
            );
        }
        _ => panic!("the note form was not restored"),
    }
    ctrl(&mut app, 's');
    assert_eq!(
        app.desk.find("4").ok().and_then(|a| a.last_note).as_deref(),
        Some("已协调交警大队现场查看")
    );
    assert_eq!(app.desk.draft("action").ok().flatten(), None);
}

#[test]
fn the_board_and_the_figures_screens() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(4));
    assert_eq!(app.screen, Screen::Board);
    snap("board", &app);
    // The board's first entry is the most overdue; urging it records the urge and shows the notice.
    let first = app.board.selected_number().unwrap_or(0);
    let urges_before = app
        .desk
        .find(&first.to_string())
        .map(|a| a.urges)
        .unwrap_or(99);
    press(&mut app, KeyCode::Char('u'));
    type_text(&mut app, "请本周内答复");
    ctrl(&mut app, 's');
    assert!(
        matches!(app.modal, Some(Modal::Notice { .. })),
        "no notice after the urge"
    );
    assert_eq!(
        app.desk.find(&first.to_string()).map(|a| a.urges).ok(),
        Some(urges_before + 1)
    );
    let screen = screen_text(&app, 80, 24);
    assert!(
        screen.contains("催办通知") && screen.contains("请本周内答复"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('w'));
    let notices: Vec<_> = std::fs::read_dir(dir.path().join("notices"))
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert_eq!(notices.len(), 1);
    press(&mut app, KeyCode::Esc);
    // The message names a temporary path; the snapshots below are of the screens alone.
    app.message = None;

    press(&mut app, KeyCode::F(5));
    assert_eq!(app.screen, Screen::Figures);
    snap("figures_this_week", &app);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    snap("figures_all_time_by_steward", &app);
    assert_eq!(app.figures.figures.captured, 32);
    // By meeting: each named by its date and venue.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let by_meeting = screen_text(&app, 120, 40);
    let first = app
        .desk
        .meetings()
        .unwrap_or_default()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the demo has meetings"));
    assert!(
        by_meeting.contains(&format!("#{} {}", first.number, first.date.format("%m-%d"))),
        "{by_meeting}"
    );
}

#[test]
fn the_current_view_exports_as_a_spreadsheet() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(3));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right); // the overdue tab
    let shown = app.list.view.len();
    assert!(shown > 0);
    press(&mut app, KeyCode::Char('x'));
    let files = exports(dir.path());
    assert_eq!(files.len(), 1);
    let range = appeal_sheet(&files[0]);
    assert_eq!(
        range.height(),
        shown + 1,
        "the header and exactly the rows in view"
    );
    assert!(screen_text(&app, 120, 40).contains(&format!("已导出 {shown} 条诉求")));
}

#[test]
fn the_view_is_exported_while_the_desk_answers_keys_and_a_quit_waits_for_it() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(3));
    let shown = app.list.view.len();
    // The key only starts it: the desk says so and takes the next keys at once.
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert!(app.exporting.under_way());
    assert!(
        screen_text(&app, 120, 40).contains(&format!("正在导出 {shown} 条诉求")),
        "{}",
        screen_text(&app, 120, 40)
    );
    let selected = app.list.selected;
    app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    assert_eq!(
        app.list.selected,
        selected + 1,
        "keys are answered meanwhile"
    );
    // A second export waits for the first; a quit waits for it to be written.
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert!(screen_text(&app, 120, 40).contains("上一次导出尚未完成"));
    app.on_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
    assert!(!app.quit, "the export asked for is not dropped");
    assert!(screen_text(&app, 120, 40).contains("导出完成后自动退出"));
    while app.work() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(app.quit, "quit once written");
    let files = exports(dir.path());
    assert_eq!(files.len(), 1, "one export: the second was refused");
    let range = appeal_sheet(&files[0]);
    assert_eq!(
        range.height(),
        shown + 1,
        "the rows in view when x was pressed"
    );
    assert!(screen_text(&app, 120, 40).contains(&format!("已导出 {shown} 条诉求")));
}

#[test]
fn a_second_q_quits_without_waiting_for_the_export() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(3));
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
    assert!(!app.quit);
    app.on_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE));
    assert!(app.quit, "told again, the desk quits at once");
}

#[test]
fn an_export_of_the_view_has_the_whole_texts_the_list_clips() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    app.desk
        .capture(&zhuqi::desk::CaptureInput {
            enterprise: "嘉兴市南湖纺织有限公司".into(),
            category: "交通物流".into(),
            text: "厂区东侧道路施工已三个月，货车无法进出，原料堆积在门外，影响正常生产，\
                   请求协调施工单位分段放行，并明确完工时间。"
                .into(),
            ..zhuqi::desk::CaptureInput::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    app.refresh().unwrap_or_else(|e| panic!("{e}"));
    press(&mut app, KeyCode::F(3));
    press(&mut app, KeyCode::Left); // the listed tab, where the new appeal is
    press(&mut app, KeyCode::Char('x'));
    let files = exports(dir.path());
    let range = appeal_sheet(&files[0]);
    let mut long = 0;
    for row in range.rows().skip(1) {
        let label = row[0].to_string();
        let appeal = app
            .desk
            .find(&label)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(row[6].to_string(), appeal.text, "text of {label}");
        long += usize::from(appeal.text.chars().count() > zhuqi::domain::SUMMARY_TEXT_CHARS);
    }
    assert!(long > 0, "some texts are longer than the list keeps");
}

#[test]
fn a_custom_period_for_the_figures() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(5));
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.modal, Some(Modal::Period(_))));
    // Clear the offered dates and give an impossible range first.
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-01");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-10-01");
    ctrl(&mut app, 's');
    match &app.modal {
        Some(Modal::Period(form)) => assert!(
            form.error
                .as_deref()
                .is_some_and(|e| e.contains("结束日期 2026-10-01 早于开始日期 2026-11-01"))
        ),
        _ => panic!("the refused period closed the form"),
    }
    assert!(screen_text(&app, 80, 24).contains("✗ 时间段有误"));
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-30");
    ctrl(&mut app, 's');
    assert!(app.modal.is_none());
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    let period = zhuqi::domain::figures::Period {
        from: day("2026-11-01"),
        to: day("2026-11-30"),
    };
    assert_eq!(app.figures.period, Some(period));
    assert_eq!(
        Some(app.figures.figures.clone()),
        app.desk.figures(period).ok()
    );
    assert!(screen_text(&app, 120, 40).contains("2026-11-01 – 2026-11-30"));
}

#[test]
fn while_the_store_opens_the_terminal_says_so() {
    for (lang, text) in [
        (Lang::Zh, "助企 · 正在打开诉求库…"),
        (Lang::En, "zhuqi · opening the desk…"),
    ] {
        // One column in, padded to the terminal's 37 columns (CJK counts two).
        let line = format!(" {text}{}", " ".repeat(36 - zhuqi::text::width(text)));
        let mut t = match Terminal::new(TestBackend::new(37, 2)) {
            Ok(t) => t,
            Err(never) => match never {},
        };
        if let Err(never) = t.draw(|f| ui::draw_opening(f, lang)) {
            match never {}
        }
        let buffer = t.backend().buffer();
        let expected = ratatui::buffer::Buffer::with_lines([line.as_str(), ""]);
        assert_eq!(
            buffer
                .content()
                .iter()
                .map(|c| c.symbol())
                .collect::<String>(),
            expected
                .content()
                .iter()
                .map(|c| c.symbol())
                .collect::<String>()
        );
        assert!(
            buffer[(1, 0)]
                .modifier
                .contains(ratatui::style::Modifier::DIM),
            "the note is dim"
        );
    }
}

#[test]
fn enter_takes_the_suggestion_shown_and_a_new_steward_is_said_first() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), NOW);
        desk.add_steward("朱洁", "区住建局", None, None)
            .unwrap_or_else(|e| panic!("{e}"));
        desk.capture(&zhuqi::desk::CaptureInput {
            enterprise: "嘉兴佳利电子有限公司".into(),
            category: "消防".into(),
            text: "厂房消防验收".into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    app.open_detail(1, Screen::List);
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "王磊");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "区住");
    // The suggestion shown is highlighted: Enter takes it, not the half-typed name.
    press(&mut app, KeyCode::Enter);
    let Some(Modal::Action(form)) = &app.modal else {
        panic!("the assign form closed");
    };
    assert_eq!(
        form.form.value(zhuqi::tui::widgets::form::FieldId::Lead),
        "区住建局"
    );
    // 王磊 is not known: the form says so, and nothing is saved yet.
    ctrl(&mut app, 's');
    let said = screen_text(&app, 120, 40);
    assert!(said.contains("新服务管家“王磊”"), "{said}");
    let before = app.desk.find("1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.status, Status::Listed);
    // Saved again: the steward joins the registry in the lead department, and is assigned.
    ctrl(&mut app, 's');
    let after = app.desk.find("1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.status, Status::Assigned);
    assert_eq!(after.steward.as_deref(), Some("王磊"));
    let stewards = app.desk.stewards().unwrap_or_default();
    assert!(
        stewards
            .iter()
            .any(|s| s.name == "王磊" && s.dept == "区住建局")
    );
}

#[test]
fn the_category_field_lists_every_category_before_anything_is_typed() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let screen = screen_text(&app, 120, 40);
    for category in ["审批", "消防", "用地"] {
        assert!(
            screen.contains(&format!("› {category}")),
            "{category}: {screen}"
        );
    }
    assert!(screen.contains("… +"), "the rest are counted: {screen}");
    // The list covers the fields under it: nothing there looks like its value.
    for line in screen.lines().filter(|l| l.contains('›')) {
        assert!(
            !line.contains("诉求内容") && !line.contains("涉及部门"),
            "{line}"
        );
    }
    // ↓ goes down the list (past those shown), Enter picks one.
    for _ in 0..7 {
        press(&mut app, KeyCode::Down);
    }
    let scrolled = screen_text(&app, 120, 40);
    assert!(!scrolled.contains("› 审批"), "{scrolled}");
    press(&mut app, KeyCode::Enter);
    let picked = app
        .meeting
        .form
        .value(zhuqi::tui::widgets::form::FieldId::Category);
    assert!(!picked.is_empty() && picked != "审批", "{picked}");
    // Typed, the list narrows and Enter takes what is shown.
    press(&mut app, KeyCode::BackTab);
    for _ in 0..picked.chars().count() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "水");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.meeting
            .form
            .value(zhuqi::tui::widgets::form::FieldId::Category),
        "水电气"
    );
}

#[test]
fn the_filter_counts_its_matches_in_every_tab_and_the_list_remembers_its_tab() {
    use zhuqi::tui::screens::list::Tab;
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(3));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "嘉兴市");
    app.list.settle();
    let all = app.list.shown_in(Tab::All);
    assert!(all >= 2 && all < app.list.entries.len(), "{all}");
    let by_tab: usize = [Tab::Listed, Tab::InProgress, Tab::Answered, Tab::Closed]
        .into_iter()
        .map(|t| app.list.shown_in(t))
        .sum();
    assert!(by_tab <= all && by_tab > 0, "{by_tab} of {all}");
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains(&format!("全部 {all}")), "{screen}");
    // The current tab is marked in text, not only in colour.
    assert!(screen.contains("[办理中 "), "{screen}");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.list.tab, Tab::Overdue);
    drop(app);
    // The next start opens on the tab last used.
    let again = app_in(dir.path(), NOW, Lang::Zh);
    assert_eq!(again.list.tab, Tab::Overdue);
}

/// What a column of the screen says, its spaces taken out: wrapped lines read on as one text.
fn column_text(app: &App, w: u16, h: u16, from: u16, to: u16) -> String {
    let t = render(app, w, h);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in from..to.min(w) {
            out.push_str(buf[(x, y)].symbol());
        }
    }
    out.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn nothing_of_the_airport_story_is_cut_at_either_size() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    app.open_detail(1, Screen::List);
    let (appeal, events) = app.desk.show("1").unwrap_or_else(|e| panic!("{e}"));
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        // Side by side at 120 columns: the fields on the left half, the timeline on the right.
        let (fields_col, timeline_col) = if w >= 110 {
            ((0, w / 2), (w / 2, w))
        } else {
            ((0, w), (0, w))
        };
        let mut fields_seen = String::new();
        let mut timeline_seen = String::new();
        for _ in 0..40 {
            fields_seen.push_str(&column_text(&app, w, h, fields_col.0, fields_col.1));
            timeline_seen.push_str(&column_text(&app, w, h, timeline_col.0, timeline_col.1));
            press(&mut app, KeyCode::Down);
        }
        for _ in 0..40 {
            press(&mut app, KeyCode::Up);
        }
        for e in &events {
            let said = squeeze(&Lang::Zh.describe(&e.body));
            assert!(
                timeline_seen.contains(&said),
                "{w}×{h}: the timeline cuts {said}"
            );
        }
        for (label, value) in Lang::Zh.appeal_fields(&appeal) {
            let said = squeeze(&value);
            assert!(
                fields_seen.contains(&said),
                "{w}×{h}: {label} is cut: {said}"
            );
        }
    }
}

#[test]
fn a_capture_outside_a_meeting_says_so_before_it_is_saved() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(2));
    assert!(
        app.meeting.meeting.is_none(),
        "the demo has no meeting today"
    );
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "浙江圆通航空投资发展有限公司");
    press(&mut app, KeyCode::Esc); // keep what was typed, not a completion
    app.meeting.editing = true;
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "消防");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "仓库消防通道改造");
    let before = app.desk.appeal_count();
    ctrl(&mut app, 's');
    let said = screen_text(&app, 120, 40);
    assert!(said.contains("未选现场会"), "{said}");
    assert_eq!(app.desk.appeal_count(), before, "nothing saved yet");
    ctrl(&mut app, 's');
    assert_eq!(app.desk.appeal_count(), before + 1);
    let newest = app.desk.find(&app.desk.last_number().to_string());
    assert_eq!(newest.map(|a| a.meeting).ok(), Some(None));
}

#[test]
fn the_registry_in_the_desk_adds_and_corrects_without_leaving_it() {
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(6));
    assert_eq!(app.screen, Screen::Records);
    snap("records_stewards", &app);
    // A new steward.
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "王磊");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "区科技局");
    ctrl(&mut app, 's');
    assert!(app.modal.is_none(), "the form closed");
    let stewards = app.desk.stewards().unwrap_or_default();
    assert!(
        stewards
            .iter()
            .any(|s| s.name == "王磊" && s.dept == "区科技局")
    );
    // Corrected: a phone number.
    let at = app
        .registry
        .stewards
        .iter()
        .position(|s| s.name == "王磊")
        .unwrap_or_else(|| panic!("王磊 is not on the shelf"));
    for _ in 0..at {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "0573-82000001");
    ctrl(&mut app, 's');
    let corrected = app.desk.stewards().unwrap_or_default();
    assert!(
        corrected
            .iter()
            .any(|s| s.name == "王磊" && s.phone.as_deref() == Some("0573-82000001"))
    );
    // A department.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "区科协");
    ctrl(&mut app, 's');
    assert!(
        app.desk
            .departments()
            .unwrap_or_default()
            .contains(&"区科协".to_string())
    );
    // A meeting corrected: its venue.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    let Some(Modal::Record { key, .. }) = &app.modal else {
        panic!("no meeting form");
    };
    let number: u64 = key.as_deref().and_then(|k| k.parse().ok()).unwrap_or(0);
    for _ in 0..30 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "嘉兴机场航站楼工地");
    ctrl(&mut app, 's');
    let m = app
        .desk
        .find_meeting(&number.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.venue, "嘉兴机场航站楼工地");
    // A second meeting on the same day at the same venue is pointed out first.
    press(&mut app, KeyCode::Char('n'));
    let Some(Modal::Record { form, .. }) = &mut app.modal else {
        panic!("no meeting form");
    };
    form.set_value(
        zhuqi::tui::widgets::form::FieldId::Date,
        &m.date.to_string(),
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "嘉兴机场航站楼工地");
    let meetings = app.desk.meetings().unwrap_or_default().len();
    ctrl(&mut app, 's');
    let said = screen_text(&app, 120, 40);
    assert!(
        said.contains(&format!("同一天同一地点已有现场会 #{number}")),
        "{said}"
    );
    assert_eq!(app.desk.meetings().unwrap_or_default().len(), meetings);
    ctrl(&mut app, 's');
    assert_eq!(app.desk.meetings().unwrap_or_default().len(), meetings + 1);
}

#[test]
fn the_days_column_says_age_for_open_appeals_and_days_to_close_for_closed_ones() {
    use zhuqi::tui::screens::list::Tab;
    let dir = common::tempdir();
    let mut app = demo_app(dir.path());
    press(&mut app, KeyCode::F(3));
    app.list.set_tab(Tab::InProgress);
    app.list.settle();
    let open = screen_text(&app, 120, 40);
    assert!(open.contains("已受理"), "{open}");
    app.list.set_tab(Tab::Closed);
    app.list.settle();
    let closed = screen_text(&app, 120, 40);
    assert!(closed.contains("用时✓"), "{closed}");
    // The airport appeal: captured 09-30, closed 10-19 — 19 days.
    let airport = app.desk.find("1").unwrap_or_else(|e| panic!("{e}"));
    let took = airport
        .closed_at
        .map(|c| (c.date_naive() - airport.captured_at.date_naive()).num_days())
        .unwrap_or(-1);
    assert!(closed.contains(&format!("✓{took}")), "{took}: {closed}");
}

#[test]
fn a_half_typed_registry_record_or_meeting_is_offered_back() {
    let dir = common::tempdir();
    {
        let mut app = demo_app(dir.path());
        press(&mut app, KeyCode::F(6));
        press(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "赵敏");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "区商务局");
        // Dropped without saving, as a crash would.
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    assert!(matches!(app.modal, Some(Modal::DraftOffer { .. })));
    press(&mut app, KeyCode::Enter);
    let Some(Modal::Record { form, key, .. }) = &app.modal else {
        panic!("the record's form was not offered back");
    };
    assert_eq!(key, &None);
    assert_eq!(form.value(zhuqi::tui::widgets::form::FieldId::Name), "赵敏");
    ctrl(&mut app, 's');
    assert!(
        app.desk
            .stewards()
            .unwrap_or_default()
            .iter()
            .any(|s| s.name == "赵敏")
    );
    drop(app);
    // Saved: nothing is offered any more.
    let app = app_in(dir.path(), NOW, Lang::Zh);
    assert!(app.modal.is_none());
    drop(app);
    // A new meeting's form, the same.
    {
        let mut app = app_in(dir.path(), NOW, Lang::Zh);
        press(&mut app, KeyCode::F(2));
        ctrl(&mut app, 'n');
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "秀洲高新区管委会");
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    press(&mut app, KeyCode::Enter);
    let Some(Modal::NewMeeting(form)) = &app.modal else {
        panic!("the meeting's form was not offered back");
    };
    assert_eq!(
        form.value(zhuqi::tui::widgets::form::FieldId::Venue),
        "秀洲高新区管委会"
    );
    // Cancelled: the draft goes with it.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.desk.draft("box").ok().flatten(), None);
}

#[test]
fn bidi_overrides_and_zero_width_characters_never_reach_the_terminal() {
    let dir = common::tempdir();
    {
        let desk = common::open(dir.path(), NOW);
        desk.capture(&zhuqi::desk::CaptureInput {
            enterprise: "恶意\u{202e}公司\u{200d}".into(),
            category: "其他".into(),
            text: "看\u{200b}不\u{2066}见\u{feff}的\u{061c}字".into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut app = app_in(dir.path(), NOW, Lang::Zh);
    let hazard = |c: char| {
        c.is_control()
            || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    let cells = |app: &App| -> String {
        render(app, 100, 30)
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol().to_string())
            .collect()
    };
    press(&mut app, KeyCode::F(3));
    let list = cells(&app);
    assert!(
        list.replace(' ', "").contains("恶意"),
        "the appeal is on the list"
    );
    assert_eq!(list.chars().find(|c| hazard(*c)), None, "{list:?}");
    app.open_detail(1, zhuqi::tui::app::Screen::List);
    let detail = cells(&app);
    assert!(detail.replace(' ', "").contains("字"), "{detail}");
    assert_eq!(detail.chars().find(|c| hazard(*c)), None, "{detail:?}");
}

/// Sends `argv` to the desk's socket and lets the desk work until it has answered.
fn sent_to_the_desk(app: &mut App, dir: &Path, argv: &[&str]) -> zhuqi::remote::Reply {
    let request = zhuqi::remote::Request {
        argv: argv.iter().map(|a| a.to_string()).collect(),
        lang: "zh".into(),
    };
    let data_dir = dir.to_path_buf();
    let asker = std::thread::spawn(move || zhuqi::remote::ask(&data_dir, &request));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !asker.is_finished() {
        assert!(Instant::now() < deadline, "the desk did not answer");
        app.work();
        std::thread::sleep(Duration::from_millis(5));
    }
    asker
        .join()
        .unwrap_or_else(|_| panic!("the asker panicked"))
        .unwrap_or_else(|| panic!("no desk answered"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The demo's desk, taking the commands sent to its data directory as the desk in a terminal
/// does.
fn demo_app_taking_commands(d: &Path) -> App {
    let mut app = demo_app(d);
    let listener = zhuqi::remote::listen(d, || {}).unwrap_or_else(|e| panic!("{e}"));
    app.commands = Some((listener, Box::new(zhuqi::cli::serve)));
    app
}

/// An appeal in progress in the list: its number and how often it was urged.
fn in_progress(app: &App) -> (u64, u16) {
    app.list
        .entries
        .iter()
        .find(|r| r.status == Status::InProgress)
        .map(|r| (r.number, r.urges))
        .unwrap_or_else(|| panic!("the demo has an appeal in progress"))
}

/// A ledger of one row (`编号,企业,类别,诉求,受理时间`) and its mapping, written in `d`: their
/// paths, for an import.
fn ledger_of_one(d: &Path, row: &str) -> (String, String) {
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"desk\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\nexternal_id = \"编号\"\n\
         enterprise = \"企业\"\ncategory = \"类别\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n\
         [defaults]\nstatus = \"listed\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ledger = d.join("台账.csv");
    std::fs::write(&ledger, format!("编号,企业,类别,诉求,受理时间\n{row}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    (ledger.display().to_string(), map.display().to_string())
}

#[test]
fn a_step_sent_to_the_open_desk_is_put_in_place_and_the_list_read_again_only_when_needed() {
    let dir = common::tempdir();
    let d = dir.path();
    let mut app = demo_app_taking_commands(d);
    let urged = in_progress(&app);
    let rows = app.list.entries.len();
    let number = urged.0.to_string();
    // A step on one appeal: that appeal's row changes, the list is not read again.
    let reply = sent_to_the_desk(&mut app, d, &["zhuqi", "--now", NOW, "urge", &number]);
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert!(!app.list.reading(), "the list is read again for one step");
    let row = app.list.entries.iter().find(|r| r.number == urged.0);
    assert_eq!(row.map(|r| r.urges), Some(urged.1 + 1));
    assert_eq!(app.list.entries.len(), rows);
    // A command that reads: nothing is read again.
    let reply = sent_to_the_desk(&mut app, d, &["zhuqi", "show", &number]);
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert!(!app.list.reading());
    // A command that writes more than steps on single appeals (an import): the list is read
    // again, and the new appeal comes into it.
    let (ledger, map) = ledger_of_one(d, "A-1,嘉兴庚企业,消防,厂房消防验收,2026-11-20 09:00");
    let reply = sent_to_the_desk(
        &mut app,
        d,
        &["zhuqi", "--now", NOW, "import", &ledger, "--map", &map],
    );
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert!(app.list.reading(), "the list is read again after an import");
    app.finish_reading()
        .unwrap_or_else(|e| panic!("the list was not read: {e}"));
    assert_eq!(app.list.entries.len(), rows + 1);
}

#[test]
fn a_step_sent_to_the_open_desk_reads_the_registry_again_only_when_it_changed() {
    let dir = common::tempdir();
    let d = dir.path();
    let mut app = demo_app_taking_commands(d);
    let number = in_progress(&app).0.to_string();
    // The registry as read: read again, it would be new vectors.
    let read = app.registry.enterprises.as_ptr();
    let enterprises = app.registry.enterprises.len();
    assert!(enterprises > 0, "the demo has enterprises");
    let reply = sent_to_the_desk(&mut app, d, &["zhuqi", "--now", NOW, "urge", &number]);
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert_eq!(
        app.registry.enterprises.as_ptr(),
        read,
        "the registry was read again for an urge"
    );
    // A capture for an enterprise new to the desk: the forms complete it at once.
    let reply = sent_to_the_desk(
        &mut app,
        d,
        &[
            "zhuqi",
            "--now",
            NOW,
            "capture",
            "--enterprise",
            "嘉兴辛新材料有限公司",
            "--text",
            "厂房消防验收",
            "--category",
            "消防",
        ],
    );
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert_eq!(app.registry.enterprises.len(), enterprises + 1);
    assert!(
        app.registry
            .enterprises_for("嘉兴辛新")
            .contains(&"嘉兴辛新材料有限公司".to_string())
    );
    // An import sent while the registry's screen is shown reads everything again: the screen
    // shows the enterprise it brought.
    press(&mut app, KeyCode::F(6));
    app.records.shelf = 1;
    let (ledger, map) = ledger_of_one(
        d,
        "B-1,嘉兴壬导入企业有限公司,消防,厂房消防验收,2026-11-20 09:00",
    );
    assert!(!screen_text(&app, 160, 200).contains("嘉兴壬导入企业有限公司"));
    let reply = sent_to_the_desk(
        &mut app,
        d,
        &["zhuqi", "--now", NOW, "import", &ledger, "--map", &map],
    );
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert!(screen_text(&app, 160, 200).contains("嘉兴壬导入企业有限公司"));
}
