//! The boxes over a screen (a step's form, a new meeting, a record, a period, the person's name,
//! a choice of meetings or conflicts, a confirmation, a draft, a possible duplicate, a notice)
//! as one component: each answers the acts of its part of the key table, keeps its own state
//! (a form's fields, a list's selection) and draws itself; what reaches beyond it — saving,
//! closing, restoring — it asks the app for through the queue.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};

use super::app::Modal;
use super::component::{Component, Do, View};
use super::keymap::{Act, Context};
use super::widgets::form::{FieldId, Form, FormEvent};

impl Modal {
    /// The form a box holds, if it holds one.
    pub fn form(&self) -> Option<&Form> {
        match self {
            Modal::Action(a) => Some(&a.form),
            Modal::NewMeeting(f) | Modal::Period(f) | Modal::WhoAreYou(f) => Some(f),
            Modal::Record { form, .. } => Some(form),
            _ => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self {
            Modal::Action(a) => Some(&mut a.form),
            Modal::NewMeeting(f) | Modal::Period(f) | Modal::WhoAreYou(f) => Some(f),
            Modal::Record { form, .. } => Some(form),
            _ => None,
        }
    }
}

impl Component for Modal {
    fn context(&self) -> Context {
        match self {
            Modal::Action(_)
            | Modal::NewMeeting(_)
            | Modal::Period(_)
            | Modal::WhoAreYou(_)
            | Modal::Record { .. } => Context::Form,
            Modal::PickMeeting { .. } | Modal::Conflicts { .. } => Context::Picker,
            Modal::Confirm { .. } => Context::Confirm,
            Modal::DraftOffer { .. } => Context::Draft,
            Modal::Duplicate { .. } => Context::Duplicate,
            Modal::Notice { .. } => Context::Notice,
        }
    }

    fn handle(&mut self, act: Act, queue: &mut Vec<Do>) {
        if let Some(form) = self.form() {
            let picking = form.fields.iter().any(|f| f.picked.is_some());
            let on_text = form.focused_id() == Some(FieldId::Text);
            match act {
                Act::Save => queue.push(Do::SubmitBox),
                // Esc first drops a highlighted completion, then closes the box.
                Act::Cancel if picking => {
                    self.type_key(KeyEvent::from(KeyCode::Esc), queue);
                }
                Act::Cancel => queue.push(Do::CancelBox),
                Act::EditInEditor if on_text => queue.push(Do::EditText),
                _ => {}
            }
            return;
        }
        match self {
            Modal::PickMeeting { selected, meetings } => match act {
                Act::Up => *selected = selected.saturating_sub(1),
                Act::Down => *selected = (*selected + 1).min(meetings.len().saturating_sub(1)),
                Act::Choose => match meetings.get(*selected) {
                    Some(m) => queue.push(Do::ChooseMeeting(m.clone())),
                    None => queue.push(Do::CloseBox),
                },
                Act::Cancel => queue.push(Do::CloseBox),
                _ => {}
            },
            Modal::Conflicts { entries, selected } => match act {
                Act::Up => *selected = selected.saturating_sub(1),
                Act::Down => *selected = (*selected + 1).min(entries.len().saturating_sub(1)),
                Act::Choose => {
                    if let Some((number, _)) = entries.get(*selected) {
                        queue.push(Do::CloseBox);
                        queue.push(Do::Open {
                            number: *number,
                            back_to: super::app::Screen::List,
                        });
                    }
                }
                Act::Cancel => queue.push(Do::CloseBox),
                _ => {}
            },
            Modal::Confirm { .. } => match act {
                Act::Yes => queue.push(Do::Confirmed),
                Act::No => queue.push(Do::Declined),
                _ => {}
            },
            Modal::DraftOffer { key, .. } => match act {
                Act::Restore => queue.push(Do::RestoreDraft(key.clone())),
                Act::Discard => queue.push(Do::DiscardDraft(key.clone())),
                _ => {}
            },
            Modal::Duplicate { number, .. } => match act {
                Act::SaveAsNew => queue.push(Do::CaptureAnyway),
                Act::AddAsNote => queue.push(Do::AddAsNote(*number)),
                Act::Cancel => queue.push(Do::CloseBox),
                _ => {}
            },
            Modal::Notice { .. } => match act {
                Act::WriteNotice => queue.push(Do::WriteNotice),
                Act::Cancel => queue.push(Do::CloseBox),
                _ => {}
            },
            _ => {}
        }
    }

    fn type_key(&mut self, key: KeyEvent, queue: &mut Vec<Do>) {
        // A step with nothing to fill in (acknowledge) is taken with Enter.
        if let Modal::Action(a) = self
            && a.form.fields.is_empty()
            && key.code == KeyCode::Enter
        {
            return queue.push(Do::SubmitBox);
        }
        let Some(form) = self.form_mut() else {
            return;
        };
        match form.handle_key(key) {
            FormEvent::Changed(id) => queue.push(Do::BoxChanged(id)),
            FormEvent::FocusMoved => queue.push(Do::BoxFocusMoved),
            FormEvent::Submit => queue.push(Do::SubmitBox),
            FormEvent::Moved | FormEvent::Ignored => {}
        }
    }

    fn draw_in(&self, frame: &mut Frame, area: Rect, view: &View) -> Option<Position> {
        super::ui::draw_box(self, frame, area, view)
    }
}
