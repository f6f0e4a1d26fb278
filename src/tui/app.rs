//! The desk's state; what each key does to it is in `dispatch`. Drawing lives in `ui.rs` and reads this state
//! only; nothing here touches the terminal, so the whole app runs headless in tests.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

mod dispatch;
#[cfg(test)]
mod full_disk_tests;

use super::registry::Registry;
use super::screens::action::{ActionForm, irreversible};
use super::screens::board::BoardScreen;
use super::screens::detail::{DetailScreen, allowed};
use super::screens::figures::FiguresScreen;
use super::screens::list::ListScreen;
use super::screens::meeting::MeetingScreen;
use super::theme::Theme;
use super::widgets::form::{FieldId, Form, FormDraft, FormEvent, FormField, split_list};
use crate::desk::clock::parse_date;
use crate::desk::{Action, Desk, DeskError};
use crate::domain::ChangeKind;
use crate::domain::similar::{DUPLICATE_THRESHOLD, similarity};
use crate::strings::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Meeting,
    List,
    Detail,
    Board,
    Figures,
    Records,
}

/// What waits for a "yes".
pub enum Pending {
    Capture,
    Act(ActionForm),
}

pub enum Modal {
    DraftOffer {
        key: String,
        summary: String,
    },
    Duplicate {
        number: u64,
        text: String,
    },
    Confirm {
        prompt: String,
        pending: Pending,
    },
    Action(ActionForm),
    NewMeeting(Form),
    PickMeeting {
        selected: usize,
        meetings: Vec<crate::domain::Meeting>,
    },
    /// The 催办 notice produced by an urge, to copy or write to a file.
    Notice {
        number: u64,
        text: String,
    },
    /// The custom period of the figures.
    Period(Form),
    /// The person at this desk, asked once at the first start.
    WhoAreYou(Form),
    /// A registry record, new (`key` none) or being corrected.
    Record {
        shelf: super::screens::records::Shelf,
        key: Option<String>,
        form: Form,
    },
    /// Steps not in effect on this desk's appeals (conflicts between desks): the appeal's number
    /// and a line saying what and why.
    Conflicts {
        entries: Vec<(u64, String)>,
        selected: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Saved,
    Refused,
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// Work that needs the terminal itself; the run loop carries it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Edit the focused multi-line text in `$EDITOR`.
    EditText,
}

const CAPTURE_DRAFT: &str = "capture";
/// A registry record or a new meeting being typed.
const BOX_DRAFT: &str = "box";
/// The list's tab last used (a preference kept with the drafts).
const LIST_TAB: &str = "ui.list_tab";
const ACTION_DRAFT: &str = "action";
/// A form idle this long is saved as a draft.
pub const DRAFT_IDLE: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
struct CaptureDraft {
    meeting: Option<u64>,
    form: FormDraft,
}

/// A registry record's form, or a new meeting's, as typed.
#[derive(Serialize, Deserialize)]
struct BoxDraft {
    /// 0 stewards, 1 enterprises, 2 departments, 3 meetings; `None` for a new meeting.
    shelf: Option<usize>,
    key: Option<String>,
    form: FormDraft,
}

#[derive(Serialize, Deserialize)]
struct ActionDraft {
    number: u64,
    kind: usize,
    form: FormDraft,
}

pub struct App {
    pub desk: Desk,
    pub lang: Lang,
    pub theme: Theme,
    pub screen: Screen,
    /// Where the detail view goes back to.
    back_to: Screen,
    pub modal: Option<Modal>,
    pub meeting: MeetingScreen,
    pub list: ListScreen,
    pub detail: Option<DetailScreen>,
    pub board: BoardScreen,
    pub figures: FiguresScreen,
    /// The view's export, written on another thread.
    pub exporting: super::export::Exporting,
    pub records: super::screens::records::RecordsScreen,
    pub welcome: super::screens::welcome::WelcomeScreen,
    pub registry: Registry,
    /// The desk's count of registry writes when the registry was last read.
    registry_read_at: Option<u64>,
    /// Sync with the hub, in the background.
    pub sync: super::sync::Sync,
    /// Commands run on this data directory while the desk is open, and who carries them out.
    pub commands: Option<(crate::remote::Listener, super::Serve)>,
    pub message: Option<Message>,
    /// The help is shown over whatever has the keys (its keys are that context's).
    pub help: bool,
    pub quit: bool,
    pub effect: Option<Effect>,
    /// When the capture form last changed without being saved as a draft.
    dirty_since: Option<Instant>,
}

impl BoxDraft {
    fn form_has_text(&self) -> bool {
        self.form.has_text()
    }
}

impl App {
    pub fn new(desk: Desk, lang: Lang, theme: Theme) -> Result<App, DeskError> {
        let sync = super::sync::Sync::new(&desk);
        let mut app = App {
            sync,
            commands: None,
            lang,
            theme,
            screen: Screen::List,
            back_to: Screen::List,
            modal: None,
            meeting: MeetingScreen::new(lang),
            list: ListScreen::new(),
            detail: None,
            board: BoardScreen::default(),
            figures: FiguresScreen::default(),
            exporting: Default::default(),
            records: Default::default(),
            welcome: Default::default(),
            registry: Registry::default(),
            registry_read_at: None,
            message: None,
            help: false,
            quit: false,
            effect: None,
            dirty_since: None,
            desk,
        };
        app.list.prefix = app.desk.number_prefix().to_string();
        // The list opens on the tab last used (else on the first that has appeals).
        if let Some(tab) = app
            .desk
            .draft(LIST_TAB)
            .ok()
            .flatten()
            .and_then(|t| t.trim().parse::<usize>().ok())
            .and_then(|i| super::screens::list::Tab::ALL.get(i).copied())
        {
            app.list.tab = tab;
            app.list.tab_chosen = true;
        }
        app.refresh()?;
        let today = app.desk.clock().today();
        app.meeting.meeting = app
            .registry
            .meetings
            .iter()
            .find(|m| m.date == today)
            .cloned();
        app.refresh_tally();
        app.screen = if app.desk.is_empty() {
            Screen::Welcome
        } else if app.meeting.meeting.is_some() {
            Screen::Meeting
        } else {
            Screen::List
        };
        app.offer_drafts()?;
        if app.modal.is_none() && !app.desk.actor_said() {
            app.ask_who();
        }
        Ok(app)
    }

    /// Asks for the person at this desk (once: the answer is kept in the configuration).
    fn ask_who(&mut self) {
        let form = Form::new(vec![
            FormField::text(FieldId::Person, FieldId::Person.label(self.lang))
                .with_text(self.desk.actor()),
        ]);
        self.modal = Some(Modal::WhoAreYou(form));
    }

    fn offer_drafts(&mut self) -> Result<(), DeskError> {
        for key in [CAPTURE_DRAFT, ACTION_DRAFT, BOX_DRAFT] {
            if let Some(body) = self.desk.draft(key)? {
                let summary = draft_summary(&body);
                self.modal = Some(Modal::DraftOffer {
                    key: key.to_string(),
                    summary,
                });
                return Ok(());
            }
        }
        Ok(())
    }

    /// Reads again what the screens show: at start, and after the demo is loaded. The list is
    /// read on another thread; [`App::work`] takes its rows in as they come.
    pub fn refresh(&mut self) -> Result<(), DeskError> {
        self.registry_reload()?;
        self.list.start_reading(
            super::screens::list::row::list_loaders(&self.desk),
            self.desk.appeal_count(),
        )?;
        self.meeting.tally.clear();
        // The board and the figures are worked out when their screens are shown.
        self.board.stale = true;
        self.figures.stale = true;
        self.refresh_shown()?;
        self.reload_detail()
    }

    /// Waits until the list is read whole (tests and benchmarks; the desk itself never waits).
    pub fn finish_reading(&mut self) -> Result<(), DeskError> {
        let first = self.list.entries.len();
        let result = self.list.finish_reading();
        self.add_to_tally(first);
        result
    }

    /// The board or the figures again, if they are on screen.
    fn refresh_shown(&mut self) -> Result<(), DeskError> {
        match self.screen {
            Screen::Board => self.board.start(&self.desk),
            Screen::Figures => self.figures.compute(&self.desk),
            _ => Ok(()),
        }
    }

    fn refresh_tally(&mut self) {
        self.meeting.tally.clear();
        self.add_to_tally(0);
    }

    /// Adds the rows of the list from `first` on that belong to the meeting in hand.
    fn add_to_tally(&mut self, first: usize) {
        let Some(number) = self.meeting.meeting.as_ref().map(|m| m.number) else {
            return;
        };
        let ids: Vec<_> = self.list.entries[first.min(self.list.entries.len())..]
            .iter()
            .filter(|r| r.meeting() == Some(number))
            .map(|r| r.id)
            .collect();
        if ids.is_empty() {
            return;
        }
        for id in ids {
            match self.desk.summary_row(id) {
                Ok(Some(row)) => self.meeting.tally.push(row),
                Ok(None) => {}
                Err(e) => return self.error(&e),
            }
        }
        self.meeting
            .tally
            .sort_by_key(|r| std::cmp::Reverse(r.appeal.number));
    }

    fn after_write(&mut self) {
        self.sync.want();
        if let Err(e) = self.refresh() {
            self.error(&e);
        }
    }

    /// After a step on one appeal: that appeal is put in place, the board and the tally follow,
    /// and nothing else is read again — at a hundred thousand appeals a full reload takes a second.
    fn after_change(&mut self, appeal: crate::domain::Appeal) {
        self.after_changes(std::slice::from_ref(&appeal));
    }

    /// As [`App::after_change`], for steps on several appeals.
    fn after_changes(&mut self, appeals: &[crate::domain::Appeal]) {
        self.sync.want();
        self.put_in_place(appeals);
    }

    /// Appeals' new states put in the list, and everything that shows them follows.
    fn put_in_place(&mut self, appeals: &[crate::domain::Appeal]) {
        let rules = super::screens::list::row::card_rules(&self.desk);
        let rows = appeals
            .iter()
            .map(|appeal| self.list.row(&rules, &appeal.brief()))
            .collect();
        self.list.update(rows);
        self.follow_changes();
    }

    /// After appeals were put in place: the tally, the board and the figures, the registry and
    /// the appeal on screen follow.
    fn follow_changes(&mut self) {
        self.refresh_tally();
        self.board.stale = true;
        self.figures.stale = true;
        // Most steps name no one new: at a million appeals and 20,000 enterprises reading the
        // registry again was most of what a step cost the desk.
        let registry = if self.registry_read_at == Some(self.desk.registry_writes()) {
            Ok(())
        } else {
            self.registry_reload()
        };
        let result = registry
            .and_then(|_| self.refresh_shown())
            .and_then(|_| self.reload_detail());
        if let Err(e) = result {
            self.error(&e);
        }
    }

    fn registry_reload(&mut self) -> Result<(), DeskError> {
        self.registry_read_at = Some(self.desk.registry_writes());
        self.registry = Registry::load(&self.desk)?;
        // The records screen is filled as it is shown: at a million appeals its lines for
        // 20,000 enterprises are megabytes the desk need not hold until then.
        if self.screen == Screen::Records {
            self.records.load(&self.registry);
        }
        Ok(())
    }

    fn reload_detail(&mut self) -> Result<(), DeskError> {
        if let Some(d) = &self.detail {
            let number = d.row.appeal.id.to_string();
            let (appeal, events) = self.desk.show(&number)?;
            let scroll = d.scroll;
            self.detail = Some(DetailScreen {
                not_in_effect: self.desk.not_in_effect(&appeal, &events),
                row: self.desk.row(appeal),
                events,
                scroll,
            });
        }
        Ok(())
    }

    pub fn say(&mut self, kind: MessageKind, text: String) {
        self.message = Some(Message { kind, text });
    }

    fn error(&mut self, e: &DeskError) {
        let kind = if matches!(e, DeskError::Refused(_)) {
            MessageKind::Refused
        } else {
            MessageKind::Error
        };
        self.say(kind, self.lang.error(e));
    }

    /// Whether keys are going into a text (so letters are text, not commands).
    pub fn typing(&self) -> bool {
        self.context().typing()
    }

    /// Work between keystrokes: takes in the rows read so far and the board or figures worked
    /// out on other threads, and does one slice of filtering; returns whether more remains.
    /// Carries out the commands that came over the socket (`zhuqi note 3 …` run in another
    /// terminal), then shows what they changed.
    fn serve_commands(&mut self) {
        let Some((listener, serve)) = &mut self.commands else {
            return;
        };
        let mut done = Vec::new();
        let start = self.desk.journal_len();
        let _ = self.desk.take_steps_written();
        while let Ok(incoming) = listener.requests.try_recv() {
            let argv = incoming.request.argv.clone();
            let reply = serve(&mut self.desk, incoming.request);
            let ok = reply.code == 0;
            let _ = incoming.reply.send(reply);
            done.push((argv, ok));
        }
        if done.is_empty() {
            return;
        }
        if let Some((argv, ok)) = done.last() {
            let kind = if *ok {
                MessageKind::Info
            } else {
                MessageKind::Refused
            };
            self.say(kind, self.lang.command_done(argv));
        }
        // Only what the commands changed is read again: a step on one appeal puts that appeal
        // in place, as the desk's own steps do, where reading every appeal again takes a second
        // at a million; a command that wrote nothing reads nothing.
        let steps = self.desk.take_steps_written();
        let moved = self.desk.journal_len().saturating_sub(start);
        if moved == 0 {
            return;
        }
        if steps.too_many || steps.journal_bytes != moved {
            self.after_write();
            return;
        }
        self.after_changes(&steps.appeals);
    }

    pub fn work(&mut self) -> bool {
        self.serve_commands();
        if self.list.reading() {
            let first = self.list.entries.len();
            if let Err(e) = self.list.receive() {
                self.error(&e);
            }
            self.add_to_tally(first);
        }
        let board = self.board.receive().unwrap_or_else(|e| {
            self.error(&e);
            false
        });
        let figures = self.figures.receive().unwrap_or_else(|e| {
            self.error(&e);
            false
        });
        if let Some((kind, text)) = self.exporting.receive(self.lang) {
            self.say(kind, text);
            if self.exporting.quit_when_written {
                self.quit = true;
            }
        }
        self.list.work() || self.list.reading() || board || figures || self.exporting.under_way()
    }

    /// What a sync round brought: the appeals it changed are put in place (all read again when
    /// there are many, as on a first pull) and marked until looked at; new numbers are said.
    fn after_sync(&mut self, settled: super::sync::Settled) {
        let report = settled.report;
        if !report.renumbered.is_empty() {
            let said: Vec<String> = report
                .renumbered
                .iter()
                .map(|(b, a)| format!("{} → {}", self.desk.label(*b), self.desk.label(*a)))
                .collect();
            self.say(MessageKind::Info, self.lang.renumbered(&said.join("  ")));
        }
        self.list.changed_elsewhere = self.sync.changed_elsewhere.clone();
        if settled.appeals.is_empty() {
            return;
        }
        if settled.appeals.len() > 2_000 || !report.renumbered.is_empty() {
            if let Err(e) = self.refresh() {
                self.error(&e);
            }
            return;
        }
        // Not `after_changes`: what a sync brought is not for the hub again.
        self.put_in_place(&settled.appeals);
    }

    /// Called regularly: saves an idle form as a draft; syncs with the hub when due.
    pub fn tick(&mut self, now: Instant) {
        if let Some(recovery) = self.desk.take_recovery() {
            let text = self
                .lang
                .recovered(recovery.rebuilt_from_damaged.as_deref());
            self.say(MessageKind::Info, text);
        }
        match self.sync.tick(&self.desk, now) {
            Ok(Some(settled)) => self.after_sync(settled),
            Ok(None) => {}
            Err(e) => self.error(&e),
        }
        if let Some(since) = self.dirty_since
            && now.duration_since(since) >= DRAFT_IDLE
        {
            self.save_capture_draft();
        }
    }

    pub fn save_capture_draft(&mut self) {
        self.dirty_since = None;
        let draft = CaptureDraft {
            meeting: self.meeting.meeting.as_ref().map(|m| m.number),
            form: self.meeting.form.draft(),
        };
        let keep = self.meeting.form.has_text();
        self.store_draft(CAPTURE_DRAFT, keep, &draft);
    }

    fn save_action_draft(&mut self) {
        let Some(Modal::Action(a)) = &self.modal else {
            return;
        };
        let draft = ActionDraft {
            number: a.number,
            kind: ChangeKind::ALL
                .iter()
                .position(|k| *k == a.kind)
                .unwrap_or(0),
            form: a.form.draft(),
        };
        let keep = a.form.has_text();
        self.store_draft(ACTION_DRAFT, keep, &draft);
    }

    /// Writes a draft, or removes it when the form holds nothing worth keeping.
    /// Keeps a registry record's form, or a new meeting's, as typed (every form keeps a draft).
    pub(super) fn save_box_draft(&mut self) {
        let draft = match &self.modal {
            Some(Modal::NewMeeting(form)) => BoxDraft {
                shelf: None,
                key: None,
                form: form.draft(),
            },
            Some(Modal::Record { shelf, key, form }) => BoxDraft {
                shelf: super::screens::records::Shelf::ALL
                    .iter()
                    .position(|s| s == shelf),
                key: key.clone(),
                form: form.draft(),
            },
            _ => return,
        };
        let keep = draft.form_has_text();
        self.store_draft(BOX_DRAFT, keep, &draft);
    }

    fn store_draft<T: Serialize>(&mut self, key: &str, keep: bool, draft: &T) {
        let result = match serde_json::to_string(draft) {
            Ok(json) if keep => self.desk.save_draft(key, &json),
            Ok(_) => self.desk.discard_draft(key),
            // Our own plain structs always serialise; nothing to keep otherwise.
            Err(_) => Ok(()),
        };
        if let Err(e) = result {
            self.error(&e);
        }
    }

    fn discard(&mut self, key: &str) {
        if let Err(e) = self.desk.discard_draft(key) {
            self.error(&e);
        }
    }

    /// Quitting keeps whatever is half typed as a draft.
    pub fn request_quit(&mut self) {
        if self.meeting.form.has_text() {
            self.save_capture_draft();
        }
        self.save_action_draft();
        if self.exporting.under_way() && !self.exporting.quit_when_written {
            // An export asked for is not dropped by a quit: the desk waits for it, unless told
            // again.
            self.exporting.quit_when_written = true;
            self.say(MessageKind::Info, self.lang.quit_after_export().to_string());
            return;
        }
        self.quit = true;
    }

    pub fn on_paste(&mut self, text: &str) {
        match &mut self.modal {
            Some(Modal::Action(a)) => {
                if let FormEvent::Changed(id) = a.form.paste(text) {
                    self.on_action_change(id);
                }
            }
            Some(Modal::NewMeeting(f)) => {
                f.paste(text);
            }
            Some(_) => {}
            None => match self.screen {
                Screen::Meeting => {
                    self.meeting.editing = true;
                    if let FormEvent::Changed(id) = self.meeting.form.paste(text) {
                        self.meeting.on_change(id, &self.registry);
                        self.dirty_since.get_or_insert_with(Instant::now);
                    }
                }
                Screen::List if self.list.filtering => {
                    self.list.filter.insert_str(text);
                    self.list.restart();
                }
                _ => {}
            },
        }
    }

    /// Writes the rows in view (tab, filter and sort as shown) to a spreadsheet in the data
    /// directory, with the figures of all time: read and written on another thread, the
    /// appeals as they are when it starts.
    fn export_view(&mut self) {
        if self.exporting.under_way() {
            return self.say(MessageKind::Info, self.lang.export_under_way().to_string());
        }
        let ids = self
            .list
            .view
            .iter()
            .map(|&i| self.list.entries[i].id)
            .collect();
        let dir = self.desk.data_dir().join("exports");
        let path = dir.join(format!(
            "诉求清单-{}.xlsx",
            self.desk.clock().now().format("%Y%m%d-%H%M%S")
        ));
        if let Err(source) = crate::desk::paths::create_private_dir(&dir) {
            return self.error(&DeskError::DataDir { path: dir, source });
        }
        let started = self.desk.view_export(ids).and_then(|export| {
            let n = export.len();
            self.exporting.start(export, self.lang, path).map(|()| n)
        });
        match started {
            Ok(n) => self.say(MessageKind::Info, self.lang.exporting(n)),
            Err(e) => self.error(&e),
        }
    }

    fn submit_capture(&mut self) {
        // A name the desk does not know is saved only once the form has said it is new.
        let mut new = self.registry.new_names(&self.meeting.form, self.lang);
        // Without a meeting the form says so plainly first (Ctrl-N records today's).
        if self.meeting.meeting.is_none() {
            new.insert(0, self.lang.outside_a_meeting().to_string());
        }
        let lang = self.lang;
        if !self.meeting.form.new_names_said(new, |n| lang.new_names(n)) {
            return;
        }
        let input = self.meeting.capture_input();
        // A similar open appeal of the same enterprise is pointed out first. The list holds
        // briefs, so those few appeals are read whole to compare the whole texts.
        let same_enterprise: Result<Vec<_>, DeskError> = self
            .list
            .entries
            .iter()
            .filter(|r| r.status.is_open() && r.enterprise.as_str() == input.enterprise)
            .map(|r| self.desk.whole_row(r.id).map(|r| r.appeal))
            .collect();
        let same_enterprise = match same_enterprise {
            Ok(a) => a,
            Err(e) => return self.error(&e),
        };
        let duplicate = same_enterprise
            .iter()
            .map(|a| (similarity(&a.text, &input.text), a))
            .filter(|(s, _)| *s >= DUPLICATE_THRESHOLD)
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .map(|(_, a)| (a.number, a.text.clone()));
        if let Some((number, text)) = duplicate {
            self.modal = Some(Modal::Duplicate { number, text });
            return;
        }
        self.capture_or_confirm();
    }

    fn capture_or_confirm(&mut self) {
        if self.meeting.on_spot() {
            let answer = self.meeting.capture_input().resolved.unwrap_or_default();
            let prompt = self.lang.confirm_on_spot(&answer);
            self.modal = Some(Modal::Confirm {
                prompt,
                pending: Pending::Capture,
            });
        } else {
            self.do_capture();
        }
    }

    fn do_capture(&mut self) {
        self.modal = None;
        let input = self.meeting.capture_input();
        let result = self.desk.capture(&input);
        self.finish_capture(result, |app, a| {
            app.lang.saved(app.desk.label(a.number), a.status)
        });
    }

    /// What happens after the capture form is saved — as a new appeal or as a note on a
    /// similar one: a fresh form and no draft, or the refusal shown in the form.
    fn finish_capture(
        &mut self,
        result: Result<crate::domain::Appeal, DeskError>,
        saved: impl FnOnce(&Self, &crate::domain::Appeal) -> String,
    ) {
        match result {
            Ok(a) => {
                let message = saved(self, &a);
                self.say(MessageKind::Saved, message);
                self.meeting.clear(self.lang);
                self.dirty_since = None;
                self.discard(CAPTURE_DRAFT);
                self.after_change(a);
            }
            Err(e) => {
                // A write that failed (a full disk): what was typed is kept as a draft too, in
                // case the desk is closed before it can be saved.
                if !matches!(e, DeskError::Refused(_)) {
                    self.save_capture_draft();
                }
                self.meeting.form.error = Some(self.lang.error(&e));
                self.error(&e);
            }
        }
    }

    pub fn open_detail(&mut self, number: u64, back_to: Screen) {
        match self.desk.show(&number.to_string()) {
            Ok((appeal, events)) => {
                self.sync.seen(appeal.id);
                self.list.changed_elsewhere = self.sync.changed_elsewhere.clone();
                self.detail = Some(DetailScreen {
                    not_in_effect: self.desk.not_in_effect(&appeal, &events),
                    row: self.desk.row(appeal),
                    events,
                    scroll: 0,
                });
                self.back_to = back_to;
                self.screen = Screen::Detail;
            }
            Err(e) => self.error(&e),
        }
    }

    fn on_action_change(&mut self, id: FieldId) {
        let today = self.desk.clock().today();
        if let Some(Modal::Action(a)) = &mut self.modal {
            let days = self.desk.rules().days_for(&a.category);
            a.on_change(
                id,
                &self.registry,
                self.lang,
                today,
                self.desk.calendar(),
                days,
            );
        }
    }

    /// Lists the steps not in effect, for a person to settle (the same on every desk).
    fn show_conflicts(&mut self) {
        let found = match self.desk.conflicts() {
            Ok(f) => f,
            Err(e) => return self.error(&e),
        };
        let mut entries = Vec::new();
        for c in &found {
            for n in &c.not_in_effect {
                if let Some(e) = c.events.iter().find(|e| e.id == n.event) {
                    let who = match &e.desk {
                        Some(d) => format!("{} @ {d}", e.actor),
                        None => e.actor.clone(),
                    };
                    entries.push((
                        c.appeal.number,
                        format!(
                            "{}  {}  {}  {}：{}",
                            self.desk.label(c.appeal.number),
                            who,
                            self.lang.describe(&e.body),
                            self.lang.not_in_effect(),
                            self.lang.refusal(&n.refusal)
                        ),
                    ));
                }
            }
        }
        if entries.is_empty() {
            self.say(MessageKind::Info, self.lang.no_conflicts());
        } else {
            self.modal = Some(Modal::Conflicts {
                entries,
                selected: 0,
            });
        }
    }

    /// The form of a registry record: empty for a new one, filled for a correction.
    pub fn record_form(&self, shelf: super::screens::records::Shelf, key: Option<&str>) -> Form {
        use super::screens::records::Shelf;
        let lang = self.lang;
        let f = |id: FieldId, text: &str| FormField::text(id, id.label(lang)).with_text(text);
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        match shelf {
            Shelf::Stewards => {
                let s = key.and_then(|k| self.registry.steward(k)).cloned();
                Form::new(vec![
                    f(FieldId::Name, s.as_ref().map_or("", |s| s.name.as_str())),
                    f(FieldId::Lead, s.as_ref().map_or("", |s| s.dept.as_str())),
                    f(
                        FieldId::Phone,
                        &s.as_ref().map(|s| opt(&s.phone)).unwrap_or_default(),
                    ),
                    f(
                        FieldId::Team,
                        &s.as_ref().map(|s| opt(&s.team)).unwrap_or_default(),
                    ),
                ])
            }
            Shelf::Enterprises => {
                let e = key.and_then(|k| self.registry.enterprise(k)).cloned();
                let code = e
                    .as_ref()
                    .and_then(|e| e.credit_code.as_ref().map(|c| c.to_string()))
                    .unwrap_or_default();
                Form::new(vec![
                    f(FieldId::Name, e.as_ref().map_or("", |e| e.name.as_str())),
                    f(FieldId::CreditCode, &code),
                    f(
                        FieldId::Contact,
                        &e.as_ref().map(|e| opt(&e.contact)).unwrap_or_default(),
                    ),
                    f(
                        FieldId::Phone,
                        &e.as_ref().map(|e| opt(&e.phone)).unwrap_or_default(),
                    ),
                    f(
                        FieldId::Town,
                        &e.as_ref().map(|e| opt(&e.town)).unwrap_or_default(),
                    ),
                    f(
                        FieldId::Industry,
                        &e.as_ref().map(|e| opt(&e.industry)).unwrap_or_default(),
                    ),
                ])
            }
            Shelf::Departments => Form::new(vec![f(FieldId::Name, key.unwrap_or(""))]),
            Shelf::Meetings => {
                let m = key
                    .and_then(|k| k.parse::<u64>().ok())
                    .and_then(|n| self.registry.meetings.iter().find(|m| m.number == n))
                    .cloned();
                match m {
                    None => self.meeting_form(),
                    Some(m) => Form::new(vec![
                        f(FieldId::Venue, &m.venue),
                        f(FieldId::Host, &opt(&m.host)),
                        f(FieldId::Departments, &m.depts.join("、")),
                    ]),
                }
            }
        }
    }

    /// Saves a registry record from its form; a refusal stays in the form.
    fn save_record(
        &mut self,
        shelf: super::screens::records::Shelf,
        key: Option<String>,
        mut form: Form,
    ) {
        use super::screens::records::Shelf;
        let v = |id| form.value(id);
        let opt = |id| Some(form.value(id)).filter(|s: &String| !s.is_empty());
        let result: Result<String, DeskError> = match (shelf, key.as_deref()) {
            (Shelf::Stewards, None) => self
                .desk
                .add_steward(
                    &v(FieldId::Name),
                    &v(FieldId::Lead),
                    opt(FieldId::Phone).as_deref(),
                    opt(FieldId::Team).as_deref(),
                )
                .map(|s| s.name),
            (Shelf::Stewards, Some(name)) => self
                .desk
                .edit_steward(
                    name,
                    &v(FieldId::Lead),
                    opt(FieldId::Phone).as_deref(),
                    opt(FieldId::Team).as_deref(),
                )
                .map(|s| s.name),
            (Shelf::Enterprises, _) => self
                .desk
                .save_enterprise(&crate::desk::EnterpriseInput {
                    name: key.clone().unwrap_or_else(|| v(FieldId::Name)),
                    credit_code: opt(FieldId::CreditCode),
                    contact: opt(FieldId::Contact),
                    phone: opt(FieldId::Phone),
                    town: opt(FieldId::Town),
                    industry: opt(FieldId::Industry),
                })
                .map(|e| e.name),
            (Shelf::Departments, _) => self.desk.add_department(&v(FieldId::Name)),
            (Shelf::Meetings, None) => return self.add_meeting(form),
            (Shelf::Meetings, Some(number)) => {
                let depts: Vec<String> = split_list(&v(FieldId::Departments))
                    .into_iter()
                    .filter(|d| !d.is_empty())
                    .map(String::from)
                    .collect();
                match number.parse::<u64>() {
                    Ok(n) => self
                        .desk
                        .edit_meeting(n, &v(FieldId::Venue), opt(FieldId::Host).as_deref(), &depts)
                        .map(|m| format!("#{} {}", m.number, m.venue)),
                    Err(_) => Err(DeskError::UnknownMeeting(number.to_string())),
                }
            }
        };
        match result {
            Ok(name) => {
                self.discard(BOX_DRAFT);
                self.say(MessageKind::Saved, self.lang.record_saved(&name));
                if let Err(e) = self.registry_reload() {
                    self.error(&e);
                }
            }
            Err(e) => {
                form.error = Some(self.lang.error(&e));
                self.modal = Some(Modal::Record { shelf, key, form });
            }
        }
    }

    fn restore_draft(&mut self, key: &str) {
        let body = match self.desk.draft(key) {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => return self.error(&e),
        };
        if key == BOX_DRAFT {
            if let Ok(d) = serde_json::from_str::<BoxDraft>(&body) {
                let mut form = match d
                    .shelf
                    .and_then(|i| super::screens::records::Shelf::ALL.get(i))
                {
                    Some(shelf) => self.record_form(*shelf, d.key.as_deref()),
                    None => self.meeting_form(),
                };
                form.restore(&d.form);
                self.modal = Some(
                    match d
                        .shelf
                        .and_then(|i| super::screens::records::Shelf::ALL.get(i))
                    {
                        Some(shelf) => Modal::Record {
                            shelf: *shelf,
                            key: d.key,
                            form,
                        },
                        None => Modal::NewMeeting(form),
                    },
                );
                self.say(MessageKind::Info, self.lang.draft_restored().to_string());
            }
            return;
        }
        if key == CAPTURE_DRAFT {
            if let Ok(d) = serde_json::from_str::<CaptureDraft>(&body) {
                self.meeting.form.restore(&d.form);
                self.meeting.sync_outcome();
                if let Some(m) = d
                    .meeting
                    .and_then(|n| self.registry.meetings.iter().find(|m| m.number == n))
                {
                    self.meeting.meeting = Some(m.clone());
                    self.refresh_tally();
                }
                self.screen = Screen::Meeting;
                self.meeting.editing = true;
                self.say(MessageKind::Info, self.lang.draft_restored().to_string());
            }
        } else if let Ok(d) = serde_json::from_str::<ActionDraft>(&body) {
            let kind = ChangeKind::ALL
                .get(d.kind)
                .copied()
                .unwrap_or(ChangeKind::Note);
            self.open_detail(d.number, Screen::List);
            if let Some(detail) = &self.detail {
                let days = self.desk.rules().days_for(&detail.row.appeal.category);
                if allowed(&detail.row.appeal, kind)
                    && let Some(mut form) =
                        ActionForm::new(kind, &detail.row.appeal, self.lang, days)
                {
                    form.form.restore(&d.form);
                    self.modal = Some(Modal::Action(form));
                    self.say(MessageKind::Info, self.lang.draft_restored().to_string());
                    return;
                }
            }
            self.discard(ACTION_DRAFT);
        }
    }

    fn submit_action(&mut self) {
        let Some(Modal::Action(mut form)) = self.modal.take() else {
            return;
        };
        let new = self.registry.new_names(&form.form, self.lang);
        let lang = self.lang;
        if !form.form.new_names_said(new, |n| lang.new_names(n)) {
            self.modal = Some(Modal::Action(form));
            return;
        }
        if irreversible(form.kind) {
            // Check what can be checked before asking.
            if let Err(e) = form.action(self.desk.clock().today(), self.desk.calendar()) {
                return self.refuse_in_form(form, &e);
            }
            let prompt = match form.action(self.desk.clock().today(), self.desk.calendar()) {
                Ok(action) => self
                    .lang
                    .confirm_step(&self.desk.label(form.number), &action),
                Err(_) => self.lang.confirm(self.lang.change(form.kind)),
            };
            self.modal = Some(Modal::Confirm {
                prompt,
                pending: Pending::Act(form),
            });
        } else {
            self.do_act(form);
        }
    }

    fn refuse_in_form(&mut self, mut form: ActionForm, e: &DeskError) {
        form.form.error = Some(self.lang.error(e));
        self.modal = Some(Modal::Action(form));
        if !matches!(e, DeskError::Refused(_)) {
            // A write that failed: what was typed is kept as a draft too.
            self.save_action_draft();
            self.error(e);
        }
    }

    fn do_act(&mut self, form: ActionForm) {
        let action = match form.action(self.desk.clock().today(), self.desk.calendar()) {
            Ok(a) => a,
            Err(e) => return self.refuse_in_form(form, &e),
        };
        // A steward named for the first time (the form said so) joins the registry first, in
        // the lead department.
        if let Action::Assign { steward, lead, .. }
        | Action::Reassign {
            steward,
            lead: Some(lead),
        } = &action
            && self.registry.steward(steward).is_none()
        {
            if let Err(e) = self.desk.add_steward(steward, lead, None, None) {
                return self.refuse_in_form(form, &e);
            }
            if let Err(e) = self.registry_reload() {
                self.error(&e);
            }
        }
        match self.desk.act(&form.number.to_string(), action) {
            Ok(a) => {
                self.modal = None;
                self.discard(ACTION_DRAFT);
                // An urge produces the notice for the steward.
                if form.kind == ChangeKind::Urge {
                    match crate::io::urge_notice(&self.desk, self.lang, &a.number.to_string()) {
                        Ok(text) => {
                            self.modal = Some(Modal::Notice {
                                number: a.number,
                                text,
                            })
                        }
                        Err(e) => self.error(&e),
                    }
                }
                self.say(
                    MessageKind::Saved,
                    self.lang.saved(self.desk.label(a.number), a.status),
                );
                self.after_change(a);
            }
            Err(e) => self.refuse_in_form(form, &e),
        }
    }

    pub fn meeting_form(&self) -> Form {
        let l = |id: FieldId| id.label(self.lang);
        Form::new(vec![
            FormField::text(FieldId::Date, l(FieldId::Date))
                .with_text(&self.desk.clock().today().to_string()),
            FormField::text(FieldId::Venue, l(FieldId::Venue)),
            FormField::text(FieldId::Host, l(FieldId::Host)).with_text(self.desk.actor()),
            FormField::text(FieldId::Departments, l(FieldId::Departments)),
        ])
    }

    fn add_meeting(&mut self, mut form: Form) {
        let date_text = form.value(FieldId::Date);
        let Some(date) = parse_date(&date_text) else {
            form.error = Some(self.lang.error(&DeskError::BadDate(date_text)));
            self.modal = Some(Modal::NewMeeting(form));
            return;
        };
        let depts: Vec<String> = split_list(&form.value(FieldId::Departments))
            .into_iter()
            .filter(|d| !d.is_empty())
            .map(String::from)
            .collect();
        let host = Some(form.value(FieldId::Host)).filter(|h| !h.is_empty());
        // A second meeting on the same day at the same venue is pointed out first.
        if let Ok(Some(same)) = self.desk.same_meeting(date, &form.value(FieldId::Venue)) {
            let lang = self.lang;
            let said = lang.same_meeting(same.number);
            if !form.new_names_said(vec![said], |n| lang.new_names(n)) {
                self.modal = Some(Modal::NewMeeting(form));
                return;
            }
        }
        match self
            .desk
            .add_meeting(date, &form.value(FieldId::Venue), host.as_deref(), &depts)
        {
            Ok(m) => {
                self.discard(BOX_DRAFT);
                self.say(
                    MessageKind::Saved,
                    self.lang
                        .meeting_added(m.number, &m.date.to_string(), &m.venue),
                );
                self.meeting.meeting = Some(m);
                self.meeting.editing = true;
                self.screen = Screen::Meeting;
                // A new meeting changes no appeal: the registry and the (empty) tally follow,
                // the list is not read again.
                self.refresh_tally();
                if let Err(e) = self.registry_reload() {
                    self.error(&e);
                }
            }
            Err(e) => {
                form.error = Some(self.lang.error(&e));
                self.modal = Some(Modal::NewMeeting(form));
            }
        }
    }

    // ----- $EDITOR -----

    /// The multi-line text the editor should open with.
    pub fn editor_text(&self) -> Option<String> {
        let form = match &self.modal {
            Some(Modal::Action(a)) => &a.form,
            _ => &self.meeting.form,
        };
        form.field(FieldId::Text).map(|_| form.raw(FieldId::Text))
    }

    pub fn set_editor_text(&mut self, text: &str) {
        let text = text.trim_end_matches('\n');
        match &mut self.modal {
            Some(Modal::Action(a)) => {
                a.form.set_value(FieldId::Text, text);
                self.save_action_draft();
            }
            _ => {
                self.meeting.form.set_value(FieldId::Text, text);
                self.save_capture_draft();
            }
        }
    }
}

/// One line saying what a stored draft holds.
fn draft_summary(body: &str) -> String {
    let values: Vec<String> = serde_json::from_str::<CaptureDraft>(body)
        .map(|d| d.form)
        .or_else(|_| serde_json::from_str::<ActionDraft>(body).map(|d| d.form))
        .map(|f| {
            f.values
                .into_iter()
                .map(|(_, v, _)| v)
                .filter(|v| !v.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    crate::text::truncate(&crate::text::sanitize(&values.join(" · ")), 60)
}
