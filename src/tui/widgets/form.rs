//! A small form: labelled text fields and choices, with completion suggestions under the focused
//! field and an inline message for refusals. Its values can be saved as a draft and restored.

use crate::strings::Lang;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use serde::{Deserialize, Serialize};

use super::text_field::{Edit, TextField};
use crate::text::{cell, sanitize, width};
use crate::tui::theme::Theme;

/// Every field any form of the desk has; labels come from `strings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldId {
    Enterprise,
    Contact,
    Category,
    Text,
    Departments,
    Outcome,
    Answer,
    Steward,
    Lead,
    Co,
    Due,
    Reason,
    Note,
    Level,
    To,
    Rating,
    Comment,
    Date,
    Venue,
    Host,
    PeriodFrom,
    PeriodTo,
    Person,
    Name,
    Phone,
    Team,
    CreditCode,
    Town,
    Industry,
}

/// What each field is called: the words of the desk's forms live with the forms.
impl FieldId {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FieldId::Enterprise => lang.pick("企业", "Enterprise"),
            FieldId::Contact => lang.pick("联系人", "Contact"),
            FieldId::Category => lang.pick("类别", "Category"),
            FieldId::Text => lang.pick("诉求内容", "Appeal"),
            FieldId::Departments => lang.pick("涉及部门", "Departments"),
            FieldId::Outcome => lang.pick("处理结果", "Outcome"),
            FieldId::Answer => lang.pick("当场答复", "Answer given"),
            FieldId::Steward => lang.pick("服务管家", "Steward"),
            FieldId::Lead => lang.pick("主办部门", "Lead dept"),
            FieldId::Co => lang.pick("协办部门", "Co-handling"),
            FieldId::Due => lang.pick("期限/工作日", "Due / days"),
            FieldId::Reason => lang.pick("理由", "Reason"),
            FieldId::Note => lang.pick("说明", "Note"),
            FieldId::Level => lang.pick("上报层级", "Level"),
            FieldId::To => lang.pick("上报对象", "To"),
            FieldId::Rating => lang.pick("满意度", "Satisfaction"),
            FieldId::Comment => lang.pick("回访意见", "Comment"),
            FieldId::Date => lang.pick("日期", "Date"),
            FieldId::Venue => lang.pick("地点", "Venue"),
            FieldId::Host => lang.pick("主持", "Host"),
            FieldId::PeriodFrom => lang.pick("自", "From"),
            FieldId::PeriodTo => lang.pick("至", "To"),
            FieldId::Person => lang.pick("姓名", "Name"),
            FieldId::Name => lang.pick("名称", "Name"),
            FieldId::Phone => lang.pick("电话", "Phone"),
            FieldId::Team => lang.pick("管家团", "Team"),
            FieldId::CreditCode => lang.pick("信用代码", "Credit code"),
            FieldId::Town => lang.pick("镇街/园区", "Town/park"),
            FieldId::Industry => lang.pick("行业", "Industry"),
        }
    }

    /// The label of the text field of a step's form: what it holds (进展内容, 答复内容).
    pub fn text_label(kind: crate::domain::ChangeKind, lang: Lang) -> &'static str {
        match kind {
            crate::domain::ChangeKind::Note => lang.pick("进展内容", "Progress"),
            crate::domain::ChangeKind::Answer => lang.pick("答复内容", "Answer"),
            _ => FieldId::Text.label(lang),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Text(TextField),
    Choice {
        options: Vec<String>,
        selected: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormField {
    pub id: FieldId,
    pub label: String,
    pub input: Input,
    pub hidden: bool,
    /// Completions for what is typed; `picked` is the highlighted one.
    pub suggestions: Vec<String>,
    pub picked: Option<usize>,
    /// A remark shown after the input, e.g. the due date that working days give.
    pub note: Option<String>,
}

impl FormField {
    pub fn text(id: FieldId, label: &str) -> FormField {
        FormField {
            id,
            label: label.to_string(),
            input: Input::Text(TextField::single()),
            hidden: false,
            suggestions: Vec::new(),
            picked: None,
            note: None,
        }
    }

    pub fn multiline(id: FieldId, label: &str) -> FormField {
        FormField {
            input: Input::Text(TextField::multiline()),
            ..FormField::text(id, label)
        }
    }

    pub fn choice(id: FieldId, label: &str, options: Vec<String>, selected: usize) -> FormField {
        FormField {
            input: Input::Choice { options, selected },
            ..FormField::text(id, label)
        }
    }

    pub fn with_text(mut self, text: &str) -> FormField {
        if let Input::Text(t) = &mut self.input {
            t.set_text(text);
        }
        self
    }

    fn rows(&self) -> u16 {
        match &self.input {
            Input::Text(t) if t.is_multiline() => 4,
            _ => 1,
        }
    }
}

/// What a key did to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEvent {
    /// A field's value changed (completions may need refreshing).
    Changed(FieldId),
    /// The focus moved to another field (a moment to save the draft).
    FocusMoved,
    /// Only a caret or a highlight moved.
    Moved,
    /// Ctrl-S, or Enter on the last field.
    Submit,
    Ignored,
}

/// The values of a form, for drafts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    pub values: Vec<(FieldId, String, usize)>,
    pub focus: usize,
}

impl FormDraft {
    /// Whether anything was typed (a draft of nothing is not kept).
    pub fn has_text(&self) -> bool {
        self.values.iter().any(|(_, t, _)| !t.trim().is_empty())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// A refusal or a mistake, shown under the fields until the next change.
    pub error: Option<String>,
    /// Names the form has said are new (not known to the desk), and the person saved again:
    /// a new name is saved only once it has been said.
    pub said_new: Vec<String>,
}

impl Form {
    pub fn new(fields: Vec<FormField>) -> Form {
        Form {
            fields,
            focus: 0,
            error: None,
            said_new: Vec::new(),
        }
    }

    pub fn field(&self, id: FieldId) -> Option<&FormField> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn field_mut(&mut self, id: FieldId) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    /// The text of a text field, trimmed ("" for a missing one).
    pub fn value(&self, id: FieldId) -> String {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Text(t)) => t.text().trim().to_string(),
            Some(Input::Choice { options, selected }) => {
                options.get(*selected).cloned().unwrap_or_default()
            }
            None => String::new(),
        }
    }

    /// The text of a text field exactly as typed (not trimmed).
    pub fn raw(&self, id: FieldId) -> String {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Text(t)) => t.text(),
            _ => String::new(),
        }
    }

    pub fn choice(&self, id: FieldId) -> usize {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    pub fn set_value(&mut self, id: FieldId, text: &str) {
        if let Some(Input::Text(t)) = self.field_mut(id).map(|f| &mut f.input) {
            t.set_text(text);
        }
    }

    pub fn focused_id(&self) -> Option<FieldId> {
        self.fields.get(self.focus).map(|f| f.id)
    }

    pub fn focus_on(&mut self, id: FieldId) {
        if let Some(i) = self.fields.iter().position(|f| f.id == id) {
            self.focus = i;
        }
    }

    pub fn set_hidden(&mut self, id: FieldId, hidden: bool) {
        if let Some(f) = self.field_mut(id) {
            f.hidden = hidden;
        }
    }

    /// Offers completions under a field. Once something is typed the first is highlighted, so
    /// that Enter takes what is shown (Esc drops the highlight to keep what was typed); before
    /// anything is typed they are only listed (↓ picks one).
    pub fn set_suggestions(&mut self, id: FieldId, suggestions: Vec<String>) {
        let raw = self.raw(id);
        let typed = match id {
            FieldId::Departments | FieldId::Co => last_item(&raw),
            _ => raw.as_str(),
        };
        let typed = !typed.trim().is_empty();
        if let Some(f) = self.field_mut(id) {
            f.picked = (typed && !suggestions.is_empty()).then_some(0);
            f.suggestions = suggestions;
        }
    }

    /// Whether the form has said these names are new (and may save them now); says so if not.
    /// `new` holds, for each field, the names it holds that the desk does not know.
    pub fn new_names_said(
        &mut self,
        new: Vec<String>,
        say: impl FnOnce(&[String]) -> String,
    ) -> bool {
        if new.iter().all(|n| self.said_new.contains(n)) {
            return true;
        }
        self.error = Some(say(&new));
        self.said_new = new;
        false
    }

    pub fn set_note(&mut self, id: FieldId, note: Option<String>) {
        if let Some(f) = self.field_mut(id) {
            f.note = note;
        }
    }

    fn step(&mut self, dir: isize) -> FormEvent {
        let n = self.fields.len() as isize;
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + dir).rem_euclid(n);
            if !self.fields[i as usize].hidden {
                break;
            }
        }
        self.focus = i as usize;
        FormEvent::FocusMoved
    }

    fn is_last(&self) -> bool {
        self.fields[self.focus + 1..].iter().all(|f| f.hidden)
    }

    /// Inserts pasted text into the focused text field.
    pub fn paste(&mut self, text: &str) -> FormEvent {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return FormEvent::Ignored;
        };
        match &mut f.input {
            Input::Text(t) => {
                t.insert_str(text);
                self.error = None;
                FormEvent::Changed(f.id)
            }
            Input::Choice { .. } => FormEvent::Ignored,
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> FormEvent {
        if self.fields.is_empty() {
            return FormEvent::Ignored;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('s') {
            return FormEvent::Submit;
        }
        match key.code {
            KeyCode::Tab => return self.step(1),
            KeyCode::BackTab => return self.step(-1),
            _ => {}
        }
        let last = self.is_last();
        let f = &mut self.fields[self.focus];
        // Completion: ↑/↓ pick a suggestion, Enter accepts it.
        if !f.suggestions.is_empty() {
            let n = f.suggestions.len();
            match key.code {
                KeyCode::Down => {
                    f.picked = Some(f.picked.map_or(0, |p| (p + 1) % n));
                    return FormEvent::Moved;
                }
                KeyCode::Up => {
                    f.picked = Some(f.picked.map_or(n - 1, |p| (p + n - 1) % n));
                    return FormEvent::Moved;
                }
                KeyCode::Enter if f.picked.is_some() => {
                    let chosen = f.picked.and_then(|p| f.suggestions.get(p).cloned());
                    if let (Some(chosen), Input::Text(t)) = (chosen, &mut f.input) {
                        let text = accept_completion(f.id, &t.text(), &chosen);
                        t.set_text(&text);
                    }
                    f.suggestions.clear();
                    f.picked = None;
                    let id = f.id;
                    self.error = None;
                    if id == FieldId::Departments || id == FieldId::Co {
                        return FormEvent::Changed(id);
                    }
                    self.step(1);
                    return FormEvent::Changed(id);
                }
                KeyCode::Esc if f.picked.is_some() => {
                    f.picked = None;
                    return FormEvent::Moved;
                }
                _ => {}
            }
        }
        match &mut f.input {
            Input::Choice { options, selected } => match key.code {
                KeyCode::Left | KeyCode::Char('h') => {
                    *selected = (*selected + options.len() - 1) % options.len().max(1);
                    FormEvent::Changed(f.id)
                }
                KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                    *selected = (*selected + 1) % options.len().max(1);
                    FormEvent::Changed(f.id)
                }
                KeyCode::Char(c) if c.is_ascii_digit() => {
                    let i = c.to_digit(10).unwrap_or(0) as usize;
                    if (1..=options.len()).contains(&i) {
                        *selected = i - 1;
                        FormEvent::Changed(f.id)
                    } else {
                        FormEvent::Ignored
                    }
                }
                KeyCode::Enter if last => FormEvent::Submit,
                KeyCode::Enter | KeyCode::Down => self.step(1),
                KeyCode::Up => self.step(-1),
                _ => FormEvent::Ignored,
            },
            Input::Text(t) => {
                let multiline = t.is_multiline();
                match key.code {
                    KeyCode::Enter if !multiline && last => FormEvent::Submit,
                    KeyCode::Enter | KeyCode::Down if !multiline => self.step(1),
                    KeyCode::Up if !multiline => self.step(-1),
                    _ => match t.handle_key(key) {
                        Edit::Changed => {
                            let id = f.id;
                            self.error = None;
                            FormEvent::Changed(id)
                        }
                        Edit::Moved => FormEvent::Moved,
                        Edit::Ignored => FormEvent::Ignored,
                    },
                }
            }
        }
    }

    pub fn draft(&self) -> FormDraft {
        FormDraft {
            values: self
                .fields
                .iter()
                .map(|f| match &f.input {
                    Input::Text(t) => (f.id, t.text(), 0),
                    Input::Choice { selected, .. } => (f.id, String::new(), *selected),
                })
                .collect(),
            focus: self.focus,
        }
    }

    pub fn restore(&mut self, draft: &FormDraft) {
        for (id, text, choice) in &draft.values {
            if let Some(f) = self.field_mut(*id) {
                match &mut f.input {
                    Input::Text(t) => t.set_text(text),
                    Input::Choice { options, selected } => {
                        *selected = (*choice).min(options.len().saturating_sub(1));
                    }
                }
            }
        }
        self.focus = draft.focus.min(self.fields.len().saturating_sub(1));
    }

    /// Whether anything has been typed (a draft worth keeping).
    pub fn has_text(&self) -> bool {
        self.fields.iter().any(|f| match &f.input {
            Input::Text(t) => !t.is_empty(),
            Input::Choice { .. } => false,
        })
    }

    /// Rows the visible fields need, with the message line.
    pub fn height(&self) -> u16 {
        self.fields
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| f.rows())
            .sum::<u16>()
            + 2
            // Room for a refusal to wrap.
            + if self.error.is_some() { 2 } else { 0 }
    }

    /// Draws the form; returns the caret of the focused field when `active`.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        active: bool,
    ) -> Option<Position> {
        let label_w = self
            .fields
            .iter()
            .map(|f| width(&f.label))
            .max()
            .unwrap_or(0)
            .min(16) as u16
            + 1;
        let mut y = area.y;
        let mut caret = None;
        let mut popup: Option<(Rect, &FormField)> = None;
        for (i, f) in self.fields.iter().enumerate() {
            if f.hidden {
                continue;
            }
            let rows = f.rows();
            if y + rows > area.bottom() {
                break;
            }
            let focused = active && i == self.focus;
            let label_style = if focused {
                theme.focused_label()
            } else {
                theme.label()
            };
            buf.set_stringn(
                area.x,
                y,
                cell(&f.label, label_w as usize),
                label_w as usize,
                label_style,
            );
            let input_x = area.x + label_w + 1;
            let note_w = f.note.as_ref().map_or(0, |n| (width(n) + 1) as u16);
            let input_w = area.width.saturating_sub(label_w + 1 + note_w).max(4);
            let input_area = Rect::new(
                input_x,
                y,
                input_w.min(area.right().saturating_sub(input_x)),
                rows,
            );
            let style = theme.input(focused);
            buf.set_style(input_area, style);
            match &f.input {
                Input::Text(t) => {
                    let pos = t.render(input_area, buf, style);
                    if focused {
                        caret = Some(pos);
                    }
                }
                Input::Choice { options, selected } => {
                    let mut x = input_area.x;
                    for (k, o) in options.iter().enumerate() {
                        let text = if k == *selected {
                            format!("[{o}]")
                        } else {
                            format!(" {o} ")
                        };
                        let s = if k == *selected {
                            theme.selected()
                        } else {
                            style
                        };
                        let w = width(&text) as u16;
                        if x + w > input_area.right() {
                            break;
                        }
                        buf.set_string(x, y, &text, s);
                        x += w + 1;
                    }
                }
            }
            if let Some(note) = &f.note {
                let x = input_area.right() + 1;
                if x < area.right() {
                    buf.set_stringn(
                        x,
                        y,
                        sanitize(note),
                        (area.right() - x) as usize,
                        theme.dim(),
                    );
                }
            }
            if focused && !f.suggestions.is_empty() {
                popup = Some((Rect::new(input_x, y + rows, input_area.width, 0), f));
            }
            y += rows;
        }
        if let Some(err) = &self.error {
            // A refusal wraps inside the box, every word of it.
            let lines = crate::text::wrap(&format!("✗ {err}"), area.width as usize);
            for (k, line) in lines.iter().enumerate() {
                let row = y + 1 + k as u16;
                if row >= area.bottom() {
                    break;
                }
                buf.set_stringn(area.x, row, line, area.width as usize, theme.error());
            }
        }
        if let Some((at, f)) = popup {
            // The list drops down under its field across the whole form, so that the fields
            // it covers cannot be taken for its values; more than fit are counted.
            let shown = f.suggestions.len().min(6) as u16;
            let more = f.suggestions.len().saturating_sub(shown as usize);
            let h = (shown + u16::from(more > 0)).min(area.bottom().saturating_sub(at.y));
            let r = Rect::new(area.x, at.y, area.width, h);
            super::clear_overlay(r, buf);
            let rows = if more > 0 { h.saturating_sub(1) } else { h };
            let first = f
                .picked
                .map_or(0, |p| p.saturating_sub(rows.saturating_sub(1) as usize));
            for (k, s) in f
                .suggestions
                .iter()
                .enumerate()
                .skip(first)
                .take(rows as usize)
            {
                let style: Style = if f.picked == Some(k) {
                    theme.selected()
                } else {
                    theme.dim()
                };
                buf.set_stringn(
                    at.x,
                    r.y + (k - first) as u16,
                    cell(&format!("› {s}"), at.width as usize),
                    at.width as usize,
                    style,
                );
            }
            if more > 0 && h > rows {
                buf.set_stringn(
                    at.x,
                    r.y + rows,
                    format!("  … +{more} ↓"),
                    at.width as usize,
                    theme.dim(),
                );
            }
        }
        caret
    }
}

/// The text a field gets when a completion is accepted: the whole value, or for a list of
/// departments, the last name in the list.
fn accept_completion(id: FieldId, current: &str, chosen: &str) -> String {
    if id == FieldId::Departments || id == FieldId::Co {
        let mut parts: Vec<&str> = split_list(current);
        parts.pop();
        parts.push(chosen);
        return parts.join("、") + "、";
    }
    chosen.to_string()
}

/// A list typed as `住建局、国土局` (or with commas or spaces).
pub fn split_list(text: &str) -> Vec<&str> {
    text.split(['、', ',', '，', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .chain(if text.ends_with(['、', ',', '，', ';', '；', ' ']) {
            Some("")
        } else {
            None
        })
        .collect()
}

/// The last, unfinished name of a typed list (what completion works on).
pub fn last_item(text: &str) -> &str {
    split_list(text).last().copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn form() -> Form {
        Form::new(vec![
            FormField::text(FieldId::Enterprise, "企业"),
            FormField::multiline(FieldId::Text, "诉求"),
            FormField::choice(
                FieldId::Outcome,
                "结果",
                vec!["列入清单".into(), "当场解决".into()],
                0,
            ),
            FormField::text(FieldId::Answer, "答复"),
        ])
    }

    #[test]
    fn enter_moves_on_completion_is_accepted_and_the_last_enter_submits() {
        let mut f = form();
        f.set_suggestions(
            FieldId::Enterprise,
            vec!["浙江圆通航空投资发展有限公司".into()],
        );
        assert_eq!(f.handle_key(key(KeyCode::Down)), FormEvent::Moved);
        assert_eq!(
            f.handle_key(key(KeyCode::Enter)),
            FormEvent::Changed(FieldId::Enterprise)
        );
        assert_eq!(f.value(FieldId::Enterprise), "浙江圆通航空投资发展有限公司");
        assert_eq!(f.focused_id(), Some(FieldId::Text));
        // Enter in the multi-line text is a new line; Tab leaves it.
        f.paste("第一行");
        f.handle_key(key(KeyCode::Enter));
        f.paste("第二行");
        assert_eq!(f.value(FieldId::Text), "第一行\n第二行");
        f.handle_key(key(KeyCode::Tab));
        assert_eq!(
            f.handle_key(key(KeyCode::Right)),
            FormEvent::Changed(FieldId::Outcome)
        );
        assert_eq!(f.choice(FieldId::Outcome), 1);
        f.handle_key(key(KeyCode::Enter));
        assert_eq!(f.handle_key(key(KeyCode::Enter)), FormEvent::Submit);
        // Hidden fields are skipped: with the answer hidden, the choice is the last field.
        f.set_hidden(FieldId::Answer, true);
        f.focus_on(FieldId::Outcome);
        assert_eq!(f.handle_key(key(KeyCode::Enter)), FormEvent::Submit);
    }

    #[test]
    fn a_draft_restores_every_value_and_the_focus() {
        let mut f = form();
        f.paste("嘉兴佳利电子");
        f.handle_key(key(KeyCode::Tab));
        f.paste("用地指标\n尚未落实");
        let draft = f.draft();
        let json = serde_json::to_string(&draft).unwrap_or_default();
        let back: FormDraft = serde_json::from_str(&json).unwrap_or_default();
        let mut g = form();
        g.restore(&back);
        assert_eq!(g.value(FieldId::Enterprise), "嘉兴佳利电子");
        assert_eq!(g.value(FieldId::Text), "用地指标\n尚未落实");
        assert_eq!(g.focused_id(), Some(FieldId::Text));
    }

    #[test]
    fn department_lists_complete_their_last_name() {
        assert_eq!(split_list("住建局、国土局"), vec!["住建局", "国土局"]);
        assert_eq!(last_item("住建局、国"), "国");
        assert_eq!(last_item("住建局、"), "");
        assert_eq!(
            accept_completion(FieldId::Departments, "住建局、国", "区自然资源和规划分局"),
            "住建局、区自然资源和规划分局、"
        );
    }
}
