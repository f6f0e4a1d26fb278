//! Keys become acts through the one key table (`tui::keymap`), and acts change the desk's state:
//! screen by screen, box by box. A key the table has nothing for goes to the focused field.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::{ACTION_DRAFT, App, Effect, MessageKind, Modal, Pending, Screen};
use crate::desk::clock::parse_date;
use crate::desk::{Action, DeskError};
use crate::domain::ChangeKind;
use crate::tui::component::{Component, Do};
use crate::tui::keymap::{self, Act, Context};
use crate::tui::screens::action::ActionForm;
use crate::tui::screens::detail::allowed;
use crate::tui::widgets::form::{FieldId, Form, FormField, last_item};

impl App {
    /// Where keys go now.
    pub fn context(&self) -> Context {
        match &self.modal {
            Some(
                Modal::Action(_)
                | Modal::NewMeeting(_)
                | Modal::Period(_)
                | Modal::WhoAreYou(_)
                | Modal::Record { .. },
            ) => Context::Form,
            Some(Modal::PickMeeting { .. } | Modal::Conflicts { .. }) => Context::Picker,
            Some(Modal::Confirm { .. }) => Context::Confirm,
            Some(Modal::DraftOffer { .. }) => Context::Draft,
            Some(Modal::Duplicate { .. }) => Context::Duplicate,
            Some(Modal::Notice { .. }) => Context::Notice,
            None => match self.screen {
                Screen::Welcome => Context::Welcome,
                Screen::Meeting if self.meeting.editing => Context::Capture,
                Screen::Meeting => Context::Meeting,
                Screen::List if self.list.filtering => Context::Filter,
                Screen::List => Context::List,
                Screen::Detail => Context::Detail,
                Screen::Board => Context::Board,
                Screen::Figures => Context::Figures,
                Screen::Records => Context::Records,
            },
        }
    }

    /// Which acts are offered now (the detail screen offers the steps the state allows).
    pub fn offered(&self, act: Act) -> bool {
        match act {
            Act::Step(kind) => self
                .detail
                .as_ref()
                .is_some_and(|d| allowed(&d.row.appeal, kind)),
            _ => true,
        }
    }

    /// The hint line's keys: from the table.
    pub fn keys(&self) -> Vec<(String, String)> {
        keymap::hints(self.context(), self.lang, |a| self.offered(a))
    }

    /// The help's keys: from the table.
    pub fn help_keys(&self) -> Vec<(String, String)> {
        keymap::help(self.context(), self.lang, |a| self.offered(a))
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if self.help {
            match keymap::dispatch(Context::Help, &key) {
                Some(Act::CloseHelp) => self.help = false,
                Some(Act::Quit) => self.request_quit(),
                _ => {}
            }
            return;
        }
        let context = self.context();
        let act = keymap::dispatch(context, &key);
        match act {
            Some(Act::Quit) => return self.request_quit(),
            Some(Act::Help) => {
                self.help = true;
                return;
            }
            Some(
                a @ (Act::ToMeeting | Act::ToList | Act::ToBoard | Act::ToFigures | Act::ToRecords),
            ) => {
                return self.go(a);
            }
            _ => {}
        }
        match context {
            Context::Welcome
            | Context::Meeting
            | Context::Capture
            | Context::List
            | Context::Filter
            | Context::Detail
            | Context::Board
            | Context::Figures
            | Context::Records => self.on_component(act, key),
            Context::Form
            | Context::Picker
            | Context::Confirm
            | Context::Draft
            | Context::Duplicate
            | Context::Notice => self.on_box(act, key),
            Context::Help => {}
        }
    }

    /// To another screen (the board and the figures are worked out when shown).
    fn go(&mut self, to: Act) {
        if to != Act::ToMeeting {
            self.meeting.editing = false;
        }
        match to {
            Act::ToMeeting => self.screen = Screen::Meeting,
            Act::ToList => self.screen = Screen::List,
            Act::ToRecords => {
                self.records.load(&self.registry);
                self.screen = Screen::Records;
            }
            Act::ToBoard => {
                self.screen = Screen::Board;
                if self.board.stale
                    && let Err(e) = self.board.start(&self.desk)
                {
                    self.error(&e);
                }
            }
            _ => {
                self.screen = Screen::Figures;
                if self.figures.stale
                    && let Err(e) = self.figures.compute(&self.desk)
                {
                    self.error(&e);
                }
            }
        }
    }

    /// Hands an act (or, without one, the key) to the box over the screen and carries out what
    /// it asks for.
    fn on_box(&mut self, act: Option<Act>, key: KeyEvent) {
        let mut queue = Vec::new();
        if let Some(m) = self.modal.as_mut() {
            match act {
                Some(act) => m.handle(act, &mut queue),
                None => m.type_key(key, &mut queue),
            }
        }
        for what in queue {
            self.carry_out(what);
        }
    }

    /// The screen in front, as a component.
    fn component(&mut self) -> Option<&mut dyn Component> {
        match self.screen {
            Screen::Meeting => Some(&mut self.meeting),
            Screen::List => Some(&mut self.list),
            Screen::Board => Some(&mut self.board),
            Screen::Figures => Some(&mut self.figures),
            Screen::Detail => self.detail.as_mut().map(|d| d as &mut dyn Component),
            Screen::Records => Some(&mut self.records),
            Screen::Welcome => Some(&mut self.welcome),
        }
    }

    /// Hands an act (or, without one, the key) to the screen in front and carries out what it
    /// asks for.
    fn on_component(&mut self, act: Option<Act>, key: KeyEvent) {
        let mut queue = Vec::new();
        match self.component() {
            Some(c) => match act {
                Some(act) => c.handle(act, &mut queue),
                None => c.type_key(key, &mut queue),
            },
            None => {
                // An appeal no longer there: back where it was opened from.
                self.screen = self.back_to;
                return;
            }
        }
        for what in queue {
            self.carry_out(what);
        }
    }

    fn carry_out(&mut self, what: Do) {
        match what {
            Do::Open { number, back_to } => self.open_detail(number, back_to),
            Do::Step { kind, appeal } => self.open_step(kind, &appeal),
            Do::Back => {
                self.screen = self.back_to;
                self.detail = None;
            }
            Do::ExportView => self.export_view(),
            Do::ShowConflicts => self.show_conflicts(),
            Do::Recompute => {
                if let Err(e) = self.figures.compute(&self.desk) {
                    self.error(&e);
                }
            }
            Do::Record { shelf, key } => {
                let form = self.record_form(shelf, key.as_deref());
                self.modal = Some(Modal::Record { shelf, key, form });
            }
            Do::NewMeeting => self.modal = Some(Modal::NewMeeting(self.meeting_form())),
            Do::PickMeeting => {
                self.modal = Some(Modal::PickMeeting {
                    selected: 0,
                    meetings: self.registry.meetings.clone(),
                })
            }
            Do::LoadDemo => {
                match crate::desk::demo::load(&mut self.desk) {
                    Ok(n) => self.say(MessageKind::Saved, self.lang.demo_loaded(n)),
                    Err(e) => self.error(&e),
                }
                self.after_write();
                self.screen = Screen::List;
            }
            Do::StartEmpty => {
                self.screen = Screen::Meeting;
                self.modal = Some(Modal::NewMeeting(self.meeting_form()));
            }
            Do::CloseBox => self.modal = None,
            Do::ChooseMeeting(m) => {
                self.modal = None;
                self.meeting.meeting = Some(m);
                self.refresh_tally();
                self.screen = Screen::Meeting;
            }
            Do::Confirmed => {
                if let Some(Modal::Confirm { pending, .. }) = self.modal.take() {
                    match pending {
                        Pending::Capture => self.do_capture(),
                        Pending::Act(form) => self.do_act(form),
                    }
                }
            }
            Do::Declined => {
                if let Some(Modal::Confirm {
                    pending: Pending::Act(form),
                    ..
                }) = self.modal.take()
                {
                    self.modal = Some(Modal::Action(form));
                }
            }
            Do::RestoreDraft(key) => {
                self.modal = None;
                self.restore_draft(&key);
            }
            Do::DiscardDraft(key) => {
                self.modal = None;
                self.discard(&key);
                self.say(MessageKind::Info, self.lang.draft_discarded().to_string());
                let _ = self.offer_drafts();
            }
            Do::CaptureAnyway => {
                self.modal = None;
                self.capture_or_confirm();
            }
            Do::AddAsNote(number) => {
                self.modal = None;
                let note = self.meeting.form.value(FieldId::Text);
                let result = self
                    .desk
                    .act(&number.to_string(), Action::Note { text: note });
                self.finish_capture(result, |app, a| app.lang.noted_on(app.desk.label(a.number)));
            }
            Do::WriteNotice => self.write_notice(),
            Do::SubmitBox => self.submit_box(),
            Do::CancelBox => match self.modal.take() {
                Some(Modal::Action(_)) => self.discard(ACTION_DRAFT),
                Some(Modal::NewMeeting(_) | Modal::Record { .. }) => self.discard(super::BOX_DRAFT),
                _ => {}
            },
            Do::BoxChanged(id) => self.box_changed(id),
            Do::BoxFocusMoved => {
                if matches!(self.modal, Some(Modal::Action(_))) {
                    self.save_action_draft();
                }
            }
            Do::CaptureChanged(id) => {
                self.meeting.on_change(id, &self.registry);
                self.dirty_since.get_or_insert_with(std::time::Instant::now);
            }
            Do::CaptureFocusMoved => {
                self.meeting.on_focus(&self.registry);
                if self.dirty_since.is_some() {
                    self.save_capture_draft();
                }
            }
            Do::CaptureLeft => self.save_capture_draft(),
            Do::SubmitCapture => self.submit_capture(),
            Do::EditText => self.effect = Some(Effect::EditText),
            Do::RememberTab(i) => {
                // A preference, not an event: kept beside the drafts; losing it loses nothing.
                let _ = self.desk.save_draft(super::LIST_TAB, &i.to_string());
            }
            Do::AskPeriod => {
                let today = self.desk.clock().today().to_string();
                let f = &self.figures;
                let from = f
                    .custom
                    .map_or_else(|| today.clone(), |p| p.from.to_string());
                let to = f.custom.map_or(today, |p| p.to.to_string());
                let l = |id: FieldId| id.label(self.lang);
                self.modal = Some(Modal::Period(Form::new(vec![
                    FormField::text(FieldId::PeriodFrom, l(FieldId::PeriodFrom)).with_text(&from),
                    FormField::text(FieldId::PeriodTo, l(FieldId::PeriodTo)).with_text(&to),
                ])));
            }
        }
    }

    /// Opens the form of a lifecycle step on an appeal, if its state allows the step.
    fn open_step(&mut self, kind: ChangeKind, appeal: &crate::domain::Appeal) {
        if !allowed(appeal, kind) {
            return;
        }
        let days = self.desk.rules().days_for(&appeal.category);
        if let Some(mut form) = ActionForm::new(kind, appeal, self.lang, days) {
            // Show the due date the default working days give.
            if form.form.field(FieldId::Due).is_some() {
                form.on_change(
                    FieldId::Due,
                    &self.registry,
                    self.lang,
                    self.desk.clock().today(),
                    self.desk.calendar(),
                    days,
                );
            }
            self.modal = Some(Modal::Action(form));
        }
    }
    /// Saves what a box's form holds: the step, the meeting, the record, the period, the name.
    fn submit_box(&mut self) {
        match self.modal.take() {
            Some(m @ Modal::Action(_)) => {
                self.modal = Some(m);
                self.submit_action();
            }
            Some(Modal::NewMeeting(form)) => self.add_meeting(form),
            Some(Modal::Record { shelf, key, form }) => self.save_record(shelf, key, form),
            Some(Modal::WhoAreYou(form)) => {
                let name = form.value(FieldId::Person);
                match self.desk.remember_actor(&name) {
                    Ok(()) => self.say(MessageKind::Saved, self.lang.who_saved(&name)),
                    Err(e) => {
                        self.modal = Some(Modal::WhoAreYou(form));
                        self.error(&e);
                    }
                }
            }
            Some(Modal::Period(mut form)) => {
                let (from, to) = (
                    form.value(FieldId::PeriodFrom),
                    form.value(FieldId::PeriodTo),
                );
                let period = match (parse_date(&from), parse_date(&to)) {
                    (Some(f), Some(t)) if f <= t => {
                        crate::domain::figures::Period { from: f, to: t }
                    }
                    (Some(_), Some(_)) => {
                        form.error = Some(self.lang.error(&DeskError::BadPeriod(from, to)));
                        self.modal = Some(Modal::Period(form));
                        return;
                    }
                    _ => {
                        let bad = if parse_date(&from).is_none() {
                            from
                        } else {
                            to
                        };
                        form.error = Some(self.lang.error(&DeskError::BadDate(bad)));
                        self.modal = Some(Modal::Period(form));
                        return;
                    }
                };
                self.figures.custom = Some(period);
                self.figures.choice = crate::tui::screens::figures::PeriodChoice::ALL.len() - 1;
                if let Err(e) = self.figures.compute(&self.desk) {
                    self.error(&e);
                }
            }
            other => self.modal = other,
        }
    }

    /// A field of a box's form changed: completions follow, and the draft is kept.
    fn box_changed(&mut self, id: FieldId) {
        match &mut self.modal {
            Some(Modal::Action(_)) => {
                self.on_action_change(id);
                self.save_action_draft();
            }
            Some(Modal::NewMeeting(form)) => {
                if id == FieldId::Departments {
                    let raw = form.raw(FieldId::Departments);
                    form.set_suggestions(
                        FieldId::Departments,
                        self.registry.departments_for(last_item(&raw)),
                    );
                }
                self.save_box_draft();
            }
            Some(Modal::Record { form, .. }) => {
                if id == FieldId::Lead {
                    let value = form.value(FieldId::Lead);
                    form.set_suggestions(FieldId::Lead, self.registry.departments_for(&value));
                }
                self.save_box_draft();
            }
            _ => {}
        }
    }

    /// Writes the 催办 notice shown to a file in the data directory.
    fn write_notice(&mut self) {
        let Some(Modal::Notice { number, text }) = self.modal.take() else {
            return;
        };
        {
            {
                let dir = self.desk.data_dir().join("notices");
                let name = format!(
                    "催办-{}-{}.txt",
                    self.desk.label(number),
                    self.desk.clock().now().format("%Y%m%d-%H%M")
                );
                let path = dir.join(name);
                let written = crate::desk::paths::create_private_dir(&dir)
                    .and_then(|_| crate::desk::paths::write_private(&path, text.as_bytes()));
                match written {
                    Ok(()) => self.say(
                        MessageKind::Saved,
                        self.lang.written(&path.display().to_string()),
                    ),
                    Err(source) => self.error(&DeskError::WriteFile { path, source }),
                }
            }
        }
    }
}
