//! A screen of the desk as a component: it answers the acts of its part of the key table, changes
//! its own state, and draws itself. What reaches beyond it (open an appeal, show a box, say
//! something, work the figures out again) it asks for through one queue that the app carries out,
//! as gitui's components do.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

use super::app::Screen;
use super::keymap::{Act, Context};
use super::theme::Theme;
use crate::domain::{Appeal, ChangeKind};
use crate::strings::Lang;

/// What a component asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Do {
    /// Open an appeal by its number; Esc comes back to `back_to`.
    Open {
        number: u64,
        back_to: Screen,
    },
    /// Open the form of a step on an appeal (if its state allows it).
    Step {
        kind: ChangeKind,
        appeal: Box<Appeal>,
    },
    /// Leave the appeal for the screen it was opened from.
    Back,
    ExportView,
    ShowConflicts,
    /// The figures again, for another period or breakdown.
    Recompute,
    /// Ask for a custom period of the figures.
    AskPeriod,
    /// Keep the list's tab for the next start (the list opens on the tab last used).
    RememberTab(usize),
    /// Open the form of a registry record: a new one, or the one with this key.
    Record {
        shelf: crate::tui::screens::records::Shelf,
        key: Option<String>,
    },
    /// Ask for a new meeting, or to pick one.
    NewMeeting,
    PickMeeting,
    /// The capture form: a field changed, the focus moved, it was left, it is to be saved.
    CaptureChanged(crate::tui::widgets::form::FieldId),
    CaptureFocusMoved,
    CaptureLeft,
    SubmitCapture,
    /// Hand the focused long text to `$EDITOR`.
    EditText,
    /// The welcome's two ways in.
    LoadDemo,
    StartEmpty,
    // What the boxes ask for.
    CloseBox,
    ChooseMeeting(crate::domain::Meeting),
    Confirmed,
    Declined,
    RestoreDraft(String),
    DiscardDraft(String),
    CaptureAnyway,
    AddAsNote(u64),
    WriteNotice,
    SubmitBox,
    CancelBox,
    BoxChanged(crate::tui::widgets::form::FieldId),
    BoxFocusMoved,
}

/// What drawing needs besides the component's own state.
#[derive(Clone, Debug)]
pub struct View {
    pub lang: Lang,
    pub theme: Theme,
    pub today: NaiveDate,
    /// Whether the screen has the keys (no box over it): only then does it show its caret.
    pub active: bool,
    /// The district's prefix of appeal numbers, for the labels drawn.
    pub prefix: String,
}

pub trait Component {
    /// The part of the key table it answers.
    fn context(&self) -> Context;
    /// Answers an act; anything beyond itself goes on the queue.
    fn handle(&mut self, act: Act, queue: &mut Vec<Do>);
    /// A key the table has no act for, where the component takes text (a form, a filter).
    fn type_key(&mut self, _key: ratatui::crossterm::event::KeyEvent, _queue: &mut Vec<Do>) {}
    /// Draws itself; returns where the terminal's cursor goes, if it has a caret.
    fn draw_in(&self, frame: &mut Frame, area: Rect, view: &View) -> Option<Position>;
}
