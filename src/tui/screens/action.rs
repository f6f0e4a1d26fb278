//! A lifecycle step as a small form: exactly the fields the transition needs.

use chrono::NaiveDate;

use crate::desk::clock::parse_date;
use crate::desk::{Action, DeskError, Due};
use crate::domain::{Appeal, Calendar, ChangeKind, Level, Satisfaction};
use crate::strings::Lang;
use crate::tui::registry::Registry;
use crate::tui::widgets::form::{FieldId, Form, FormField, last_item, split_list};

pub struct ActionForm {
    pub kind: ChangeKind,
    pub number: u64,
    pub category: String,
    pub form: Form,
}

/// Steps that cannot be taken back ask for a confirmation first.
pub fn irreversible(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::Withdraw | ChangeKind::Close | ChangeKind::Feedback
    )
}

/// `2024-01-24`, `10` (working days), or nothing (the category's limit).
pub fn parse_due(text: &str) -> Result<Due, DeskError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Due::CategoryDefault);
    }
    if let Ok(k) = t.parse::<u32>() {
        return Ok(Due::WorkingDays(k));
    }
    parse_date(t)
        .map(Due::Date)
        .ok_or_else(|| DeskError::BadDate(t.to_string()))
}

/// The date a due field means today.
pub fn resolve_due(due: Due, today: NaiveDate, cal: &Calendar, category_days: u32) -> NaiveDate {
    match due {
        Due::Date(d) => d,
        Due::WorkingDays(k) => cal.add_working_days(today, k),
        Due::CategoryDefault => cal.add_working_days(today, category_days),
    }
}

impl ActionForm {
    /// The form for a step offered on the detail screen (`None` for capture-time steps).
    pub fn new(
        kind: ChangeKind,
        appeal: &Appeal,
        lang: Lang,
        category_days: u32,
    ) -> Option<ActionForm> {
        let l = |id: FieldId| id.label(lang);
        let fields = match kind {
            ChangeKind::Assign => vec![
                FormField::text(FieldId::Steward, l(FieldId::Steward)),
                FormField::text(FieldId::Lead, l(FieldId::Lead)),
                FormField::text(FieldId::Co, l(FieldId::Co)),
                FormField::text(FieldId::Due, l(FieldId::Due))
                    .with_text(&category_days.to_string()),
            ],
            ChangeKind::Return | ChangeKind::Withdraw => {
                vec![FormField::text(FieldId::Reason, l(FieldId::Reason))]
            }
            ChangeKind::Reopen => vec![
                FormField::text(FieldId::Reason, l(FieldId::Reason)),
                FormField::text(FieldId::Due, l(FieldId::Due))
                    .with_text(&category_days.to_string()),
            ],
            ChangeKind::Reassign => vec![
                FormField::text(FieldId::Steward, l(FieldId::Steward)),
                FormField::text(FieldId::Lead, l(FieldId::Lead)),
            ],
            ChangeKind::Note | ChangeKind::Answer => vec![FormField::multiline(
                FieldId::Text,
                FieldId::text_label(kind, lang),
            )],
            ChangeKind::Escalate => vec![
                FormField::choice(FieldId::Level, l(FieldId::Level), lang.levels(), 1),
                FormField::text(FieldId::To, l(FieldId::To)),
                FormField::text(FieldId::Note, l(FieldId::Note)),
            ],
            ChangeKind::Extend => vec![
                FormField::text(FieldId::Due, l(FieldId::Due)),
                FormField::text(FieldId::Reason, l(FieldId::Reason)),
            ],
            ChangeKind::Urge | ChangeKind::Close => {
                vec![FormField::text(FieldId::Note, l(FieldId::Note))]
            }
            ChangeKind::Feedback => vec![
                FormField::choice(
                    FieldId::Rating,
                    l(FieldId::Rating),
                    Satisfaction::ALL
                        .iter()
                        .map(|s| lang.satisfaction(*s).to_string())
                        .collect(),
                    1,
                ),
                FormField::text(FieldId::Comment, l(FieldId::Comment)),
            ],
            ChangeKind::Acknowledge => Vec::new(),
            ChangeKind::Capture | ChangeKind::ResolveOnSpot | ChangeKind::List => return None,
        };
        Some(ActionForm {
            kind,
            number: appeal.number,
            category: appeal.category.clone(),
            form: Form::new(fields),
        })
    }

    /// Keeps completions and the due-date preview in step with what was typed.
    pub fn on_change(
        &mut self,
        id: FieldId,
        registry: &Registry,
        lang: Lang,
        today: NaiveDate,
        cal: &Calendar,
        category_days: u32,
    ) {
        let value = self.form.value(id);
        match id {
            FieldId::Steward => {
                self.form.set_suggestions(id, registry.stewards_for(&value));
                // The steward's own department is the usual lead.
                if let Some(s) = registry.steward(&value)
                    && self.form.value(FieldId::Lead).is_empty()
                {
                    let dept = s.dept.clone();
                    self.form.set_value(FieldId::Lead, &dept);
                }
            }
            FieldId::Lead => self
                .form
                .set_suggestions(id, registry.departments_for(&value)),
            FieldId::Co => {
                let raw = self.form.raw(id);
                self.form
                    .set_suggestions(id, registry.departments_for(last_item(&raw)));
            }
            FieldId::Due => {
                // The preview is the date the step will get: an extension has no default.
                let note = match parse_due(&value) {
                    Ok(Due::CategoryDefault) if self.kind == ChangeKind::Extend => {
                        lang.due_hint().to_string()
                    }
                    Ok(due) => lang.due_preview(resolve_due(due, today, cal, category_days)),
                    Err(_) => lang.due_hint().to_string(),
                };
                self.form.set_note(id, Some(note));
            }
            _ => {}
        }
    }

    /// The step the form asks for; the desk and the lifecycle judge the rest. An extension's
    /// date may be given as working days from `today`.
    pub fn action(&self, today: NaiveDate, cal: &Calendar) -> Result<Action, DeskError> {
        let v = |id| self.form.value(id);
        let opt = |id| Some(self.form.value(id)).filter(|s: &String| !s.is_empty());
        Ok(match self.kind {
            ChangeKind::Assign => Action::Assign {
                steward: v(FieldId::Steward),
                lead: v(FieldId::Lead),
                co: split_list(&v(FieldId::Co))
                    .into_iter()
                    .filter(|d| !d.is_empty())
                    .map(String::from)
                    .collect(),
                due: parse_due(&v(FieldId::Due))?,
            },
            ChangeKind::Acknowledge => Action::Acknowledge,
            ChangeKind::Return => Action::Return {
                reason: v(FieldId::Reason),
            },
            ChangeKind::Reassign => Action::Reassign {
                steward: v(FieldId::Steward),
                lead: opt(FieldId::Lead),
            },
            ChangeKind::Note => Action::Note {
                text: v(FieldId::Text),
            },
            ChangeKind::Escalate => Action::Escalate {
                level: if self.form.choice(FieldId::Level) == 0 {
                    Level::City
                } else {
                    Level::Province
                },
                to: v(FieldId::To),
                note: opt(FieldId::Note),
            },
            ChangeKind::Extend => {
                let text = v(FieldId::Due);
                let due = match parse_due(&text)? {
                    Due::CategoryDefault => return Err(DeskError::BadDate(text)),
                    due => resolve_due(due, today, cal, 0),
                };
                Action::Extend {
                    due,
                    reason: v(FieldId::Reason),
                }
            }
            ChangeKind::Urge => Action::Urge {
                note: opt(FieldId::Note),
            },
            ChangeKind::Answer => Action::Answer {
                text: v(FieldId::Text),
            },
            ChangeKind::Feedback => Action::Feedback {
                rating: Satisfaction::ALL[self.form.choice(FieldId::Rating).min(4)],
                comment: opt(FieldId::Comment),
            },
            ChangeKind::Reopen => Action::Reopen {
                reason: v(FieldId::Reason),
                due: parse_due(&v(FieldId::Due))?,
            },
            ChangeKind::Withdraw => Action::Withdraw {
                reason: v(FieldId::Reason),
            },
            ChangeKind::Close => Action::Close {
                note: v(FieldId::Note),
            },
            // `new` builds no form for the steps of capture.
            ChangeKind::Capture | ChangeKind::ResolveOnSpot | ChangeKind::List => {
                Action::Acknowledge
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an extension form shows as the new date is the date it asks for, or none when it
    /// would refuse.
    #[test]
    fn an_extension_preview_and_its_result_agree() {
        let cal = Calendar::default();
        let today = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default();
        let appeal = crate::domain::Appeal::apply(
            None,
            ulid::Ulid(1),
            chrono::DateTime::parse_from_rfc3339("2024-01-10T09:00:00+08:00").unwrap_or_default(),
            "t",
            &crate::domain::AppealChange::Captured(crate::domain::Capture {
                number: 1,
                external_id: None,
                enterprise: "甲".into(),
                category: "消防".into(),
                text: "x".into(),
                contact: None,
                meeting: None,
                departments: vec![],
                day_only: Default::default(),
            }),
        )
        .unwrap_or_else(|r| panic!("{r:?}"));
        let registry = Registry::default();
        for typed in ["", "5", "12", "2024-02-01", "2024-02-30", "x"] {
            let Some(mut form) = ActionForm::new(ChangeKind::Extend, &appeal, Lang::En, 15) else {
                panic!("no extension form");
            };
            form.form.set_value(FieldId::Due, typed);
            form.on_change(FieldId::Due, &registry, Lang::En, today, &cal, 15);
            let note = form
                .form
                .field(FieldId::Due)
                .and_then(|f| f.note.clone())
                .unwrap_or_default();
            match form.action(today, &cal) {
                Ok(Action::Extend { due, .. }) => {
                    assert!(
                        note.contains(&due.to_string()),
                        "{typed:?}: {note} vs {due}"
                    )
                }
                Ok(other) => panic!("{other:?}"),
                Err(_) => assert!(!note.contains("→"), "{typed:?}: {note}"),
            }
        }
    }

    #[test]
    fn due_fields_take_dates_working_days_or_nothing() {
        assert!(matches!(parse_due("10"), Ok(Due::WorkingDays(10))));
        assert!(matches!(parse_due(""), Ok(Due::CategoryDefault)));
        assert!(matches!(parse_due("2024-01-24"), Ok(Due::Date(_))));
        assert!(matches!(
            parse_due("2024-02-30"),
            Err(DeskError::BadDate(_))
        ));
        let cal = Calendar::default();
        let wed = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default();
        assert_eq!(
            resolve_due(Due::WorkingDays(10), wed, &cal, 5).to_string(),
            "2024-01-24"
        );
        assert_eq!(
            resolve_due(Due::CategoryDefault, wed, &cal, 5).to_string(),
            "2024-01-17"
        );
    }
}
