//! Meeting mode, the officer's screen: the meeting at hand, the capture form, and the meeting's
//! captures so far beside it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::desk::{CaptureInput, Row};
use crate::domain::{Meeting, Status};
use crate::strings::Lang;
use crate::text::{cell, sanitize};
use crate::tui::registry::Registry;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{FieldId, Form, FormField, last_item, split_list};

pub struct MeetingScreen {
    pub form: Form,
    /// Whether keys go into the form.
    pub editing: bool,
    pub meeting: Option<Meeting>,
    /// The appeals captured at this meeting, newest first.
    pub tally: Vec<Row>,
}

impl MeetingScreen {
    pub fn new(lang: Lang) -> MeetingScreen {
        MeetingScreen {
            form: capture_form(lang),
            editing: false,
            meeting: None,
            tally: Vec::new(),
        }
    }

    /// A fresh form, for the next appeal.
    pub fn clear(&mut self, lang: Lang) {
        self.form = capture_form(lang);
    }

    /// Keeps completions and the answer field in step with what was typed.
    pub fn on_change(&mut self, id: FieldId, registry: &Registry) {
        let value = self.form.value(id);
        match id {
            FieldId::Enterprise => {
                self.form
                    .set_suggestions(id, registry.enterprises_for(&value));
                // A known enterprise brings its contact along.
                if let Some(e) = registry.enterprise(&value)
                    && self.form.value(FieldId::Contact).is_empty()
                    && let Some(c) = &e.contact
                {
                    self.form.set_value(FieldId::Contact, c);
                }
            }
            FieldId::Category => self
                .form
                .set_suggestions(id, registry.categories_for(&value)),
            FieldId::Departments => {
                let raw = self.form.raw(id);
                self.form
                    .set_suggestions(id, registry.departments_for(last_item(&raw)));
            }
            FieldId::Outcome => self.sync_outcome(),
            _ => {}
        }
    }

    /// A field just got the focus: an empty category field lists every category (↓ picks one).
    pub fn on_focus(&mut self, registry: &Registry) {
        if self.form.focused_id() == Some(FieldId::Category)
            && self.form.value(FieldId::Category).is_empty()
        {
            self.form
                .set_suggestions(FieldId::Category, registry.all_categories());
        }
    }

    pub fn sync_outcome(&mut self) {
        let on_spot = self.form.choice(FieldId::Outcome) == 1;
        self.form.set_hidden(FieldId::Answer, !on_spot);
    }

    pub fn on_spot(&self) -> bool {
        self.form.choice(FieldId::Outcome) == 1
    }

    /// What the form says, as the desk takes it (the desk checks the rest).
    pub fn capture_input(&self) -> CaptureInput {
        let f = &self.form;
        let answer = f.value(FieldId::Answer);
        CaptureInput {
            enterprise: f.value(FieldId::Enterprise),
            category: f.value(FieldId::Category),
            text: f.value(FieldId::Text),
            contact: Some(f.value(FieldId::Contact)).filter(|c| !c.is_empty()),
            meeting: self.meeting.as_ref().map(|m| m.number),
            departments: split_list(&f.value(FieldId::Departments))
                .into_iter()
                .filter(|d| !d.is_empty())
                .map(String::from)
                .collect(),
            resolved: self.on_spot().then_some(answer),
        }
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        lang: Lang,
        theme: Theme,
        active: bool,
    ) -> Option<Position> {
        let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let meeting = match &self.meeting {
            Some(m) => Line::from(vec![
                Span::styled(
                    lang.meeting_line(m.number, &m.date.to_string(), &sanitize(&m.venue)),
                    theme.title(),
                ),
                Span::styled(
                    format!(
                        "  {}",
                        lang.tally(
                            self.tally.len(),
                            self.on_spot_count(),
                            self.tally.len() - self.on_spot_count()
                        )
                    ),
                    theme.dim(),
                ),
            ]),
            None => Line::styled(lang.no_meeting(), theme.yellow()),
        };
        frame.render_widget(Paragraph::new(meeting), top);
        let wide = body.width >= 100;
        let (form_area, tally_area) = if wide {
            let [a, b] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .areas(body);
            (a, b)
        } else {
            let h = (self.form.height() + 2).min(body.height.saturating_sub(3));
            let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(body);
            (a, b)
        };
        let form_style = if self.editing && active {
            theme.focused_label()
        } else {
            theme.dim()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(form_style)
            .title(Span::styled(
                format!(" {} ", lang.capture_title()),
                form_style,
            ));
        let inner = block.inner(form_area);
        frame.render_widget(block, form_area);
        let caret = self
            .form
            .render(inner, frame.buffer_mut(), theme, self.editing && active);

        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.dim())
            .title(format!(" {} ", lang.tally_title()));
        let inner = block.inner(tally_area);
        frame.render_widget(block, tally_area);
        let lines: Vec<Line> = self
            .tally
            .iter()
            .take(inner.height as usize)
            .map(|r| {
                let a = &r.appeal;
                let status_style = if a.status == Status::Closed {
                    theme.ok()
                } else {
                    theme.yellow()
                };
                let text_w = (inner.width as usize).saturating_sub(6 + 10 + 20);
                Line::from(vec![
                    Span::raw(cell(&format!("#{}", r.label), 6)),
                    Span::styled(cell(lang.status(a.status), 8), status_style),
                    Span::raw("  "),
                    Span::raw(cell(&a.enterprise, 18)),
                    Span::raw("  "),
                    Span::styled(cell(&a.text, text_w), theme.dim()),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        caret
    }

    fn on_spot_count(&self) -> usize {
        self.tally
            .iter()
            .filter(|r| r.appeal.closed_how == Some(crate::domain::ClosedHow::OnSpot))
            .count()
    }
}

pub fn capture_form(lang: Lang) -> Form {
    let mut form = Form::new(vec![
        FormField::text(FieldId::Enterprise, FieldId::Enterprise.label(lang)),
        FormField::text(FieldId::Contact, FieldId::Contact.label(lang)),
        FormField::text(FieldId::Category, FieldId::Category.label(lang)),
        FormField::multiline(FieldId::Text, FieldId::Text.label(lang)),
        FormField::text(FieldId::Departments, FieldId::Departments.label(lang)),
        FormField::choice(
            FieldId::Outcome,
            FieldId::Outcome.label(lang),
            lang.outcome_options(),
            0,
        ),
        FormField::text(FieldId::Answer, FieldId::Answer.label(lang)),
    ]);
    form.set_hidden(FieldId::Answer, true);
    form
}

impl crate::tui::component::Component for MeetingScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        if self.editing {
            crate::tui::keymap::Context::Capture
        } else {
            crate::tui::keymap::Context::Meeting
        }
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        match act {
            Act::StartCapture => self.editing = true,
            Act::NewMeeting => queue.push(Do::NewMeeting),
            Act::PickMeeting => queue.push(Do::PickMeeting),
            Act::LeaveForm => {
                self.editing = false;
                queue.push(Do::CaptureLeft);
            }
            Act::Save => queue.push(Do::SubmitCapture),
            Act::EditInEditor if self.form.focused_id() == Some(FieldId::Text) => {
                queue.push(Do::EditText);
            }
            _ => {}
        }
    }

    fn type_key(
        &mut self,
        key: ratatui::crossterm::event::KeyEvent,
        queue: &mut Vec<crate::tui::component::Do>,
    ) {
        use crate::tui::component::Do;
        use crate::tui::widgets::form::FormEvent;
        match self.form.handle_key(key) {
            FormEvent::Changed(id) => queue.push(Do::CaptureChanged(id)),
            FormEvent::FocusMoved => queue.push(Do::CaptureFocusMoved),
            FormEvent::Submit => queue.push(Do::SubmitCapture),
            FormEvent::Moved | FormEvent::Ignored => {}
        }
    }

    fn draw_in(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &crate::tui::component::View,
    ) -> Option<Position> {
        MeetingScreen::draw(self, frame, area, view.lang, view.theme, view.active)
    }
}
