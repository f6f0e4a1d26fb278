//! A full disk in the middle of a step typed at the desk: refused, saying why, the text kept in
//! the form and as a draft; once there is room the same step is saved.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{ACTION_DRAFT, App, MessageKind, Modal, Screen};
use crate::desk::{Desk, DeskOptions};
use crate::strings::Lang;
use crate::tui::theme::Theme;

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.on_key(KeyEvent::new(code, modifiers));
    while app.work() {}
}

#[test]
fn a_step_refused_by_a_full_disk_keeps_its_text_and_goes_through_once_there_is_room()
-> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let options = DeskOptions {
        data_dir: Some(dir.path().to_path_buf()),
        config: Some(dir.path().join("no-config.toml")),
        now: crate::desk::clock::parse_local("2026-11-27T10:00"),
        actor: Some("测试员".into()),
        ..DeskOptions::default()
    };
    let mut desk = Desk::open(&options)?;
    crate::desk::demo::load(&mut desk)?;
    let mut app = App::new(desk, Lang::En, Theme { color: false })?;
    app.finish_reading()?;
    app.open_detail(4, Screen::List);
    let before = app.detail.as_ref().map(|d| d.events.len());
    press(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    let text = "磁盘满时写的进展";
    for c in text.chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    app.desk.store().fail_journal_writes_after(Some(10));
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let said = app.message.as_ref().map(|m| (m.kind, m.text.clone()));
    assert!(
        matches!(&said, Some((MessageKind::Error, t)) if t.contains("disk is full")),
        "{said:?}"
    );
    let Some(Modal::Action(form)) = &app.modal else {
        panic!("the form was closed");
    };
    assert!(
        form.form.draft().values.iter().any(|(_, v, _)| v == text),
        "the text stays in the form"
    );
    let draft = app.desk.draft(ACTION_DRAFT)?.unwrap_or_default();
    assert!(draft.contains(text), "and is kept as a draft: {draft}");

    // Room again: the same form is saved, once.
    app.desk.store().fail_journal_writes_after(None);
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.modal.is_none(),
        "{:?}",
        app.message.as_ref().map(|m| &m.text)
    );
    let after = app.detail.as_ref().map(|d| d.events.len());
    assert_eq!(after, before.map(|n| n + 1));
    assert!(app.desk.verify()?.is_empty());
    Ok(())
}
