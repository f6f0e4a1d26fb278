//! What the forms complete from: enterprises, stewards, departments, meetings and categories,
//! read from the desk once and again after each write, never on the draw path.

use crate::desk::{Desk, DeskError};
use crate::domain::{Enterprise, Meeting, Steward};
use crate::search::SearchKey;

#[derive(Default)]
pub struct Registry {
    pub enterprises: Vec<(Enterprise, SearchKey)>,
    pub stewards: Vec<Steward>,
    pub departments: Vec<String>,
    pub meetings: Vec<Meeting>,
    pub categories: Vec<String>,
}

const MAX_SUGGESTIONS: usize = 6;

/// Names that match what was typed, the typed text itself left out.
fn suggest<'a>(names: impl Iterator<Item = (&'a str, SearchKey)>, typed: &str) -> Vec<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Vec::new();
    }
    names
        .filter(|(name, key)| *name != typed && key.matches(typed))
        .map(|(name, _)| name.to_string())
        .take(MAX_SUGGESTIONS)
        .collect()
}

impl Registry {
    pub fn load(desk: &Desk) -> Result<Registry, DeskError> {
        let enterprises = desk
            .enterprises()?
            .into_iter()
            .map(|e| {
                let code = e
                    .credit_code
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                let key = SearchKey::new(&e.name, &[&code], None);
                (e, key)
            })
            .collect();
        let mut meetings = desk.meetings()?;
        meetings.sort_by_key(|m| std::cmp::Reverse((m.date, m.number)));
        Ok(Registry {
            enterprises,
            stewards: desk.stewards()?,
            departments: desk.known_departments()?,
            meetings,
            categories: desk
                .rules()
                .categories
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        })
    }

    /// Enterprises by name, pinyin initials or credit code.
    pub fn enterprises_for(&self, typed: &str) -> Vec<String> {
        suggest(
            self.enterprises
                .iter()
                .map(|(e, k)| (e.name.as_str(), k.clone())),
            typed,
        )
    }

    pub fn enterprise(&self, name: &str) -> Option<&Enterprise> {
        self.enterprises
            .iter()
            .map(|(e, _)| e)
            .find(|e| e.name == name.trim())
    }

    pub fn stewards_for(&self, typed: &str) -> Vec<String> {
        suggest(
            self.stewards
                .iter()
                .map(|s| (s.name.as_str(), SearchKey::new(&s.name, &[&s.dept], None))),
            typed,
        )
    }

    pub fn steward(&self, name: &str) -> Option<&Steward> {
        self.stewards.iter().find(|s| s.name == name.trim())
    }

    pub fn departments_for(&self, typed: &str) -> Vec<String> {
        suggest(
            self.departments
                .iter()
                .map(|d| (d.as_str(), SearchKey::new(d, &[], None))),
            typed,
        )
    }

    pub fn knows_department(&self, name: &str) -> bool {
        self.departments.iter().any(|d| d == name.trim())
    }

    /// The names a form holds that the desk does not know yet, as "what: name" for the form to
    /// say before they are created.
    pub fn new_names(
        &self,
        form: &crate::tui::widgets::form::Form,
        lang: crate::strings::Lang,
    ) -> Vec<String> {
        use crate::tui::widgets::form::{FieldId, split_list};
        let mut new = Vec::new();
        for f in form.fields.iter().filter(|f| !f.hidden) {
            let value = form.value(f.id);
            let names: Vec<String> = match f.id {
                FieldId::Departments | FieldId::Co => {
                    split_list(&value).into_iter().map(String::from).collect()
                }
                FieldId::Enterprise | FieldId::Steward | FieldId::Lead => {
                    vec![value.trim().to_string()]
                }
                _ => continue,
            };
            for n in names.into_iter().filter(|n| !n.is_empty()) {
                let known = match f.id {
                    FieldId::Enterprise => self.enterprise(&n).is_some(),
                    FieldId::Steward => self.steward(&n).is_some(),
                    _ => self.knows_department(&n),
                };
                if !known {
                    new.push(format!("{}“{n}”", lang.new_what(f.id)));
                }
            }
        }
        new
    }

    /// Every category, for a category field before anything is typed in it.
    pub fn all_categories(&self) -> Vec<String> {
        self.categories.clone()
    }

    pub fn categories_for(&self, typed: &str) -> Vec<String> {
        suggest(
            self.categories
                .iter()
                .map(|c| (c.as_str(), SearchKey::new(c, &[], None))),
            typed,
        )
    }
}
