//! The files the user edits: `config.toml` (categories and limits, warning window) and
//! `calendar.toml` (holidays). A mistake in either stops the program with the file, the line and
//! what is expected; there is no silent fallback to defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::calendar::{Calendar, DEFAULT_TOML};
use crate::domain::rules::{Category, Rules};

/// A mistake in a file the user edits.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    district: Option<String>,
    warning_days: Option<u32>,
    ack_days: Option<u32>,
    #[serde(default, rename = "category")]
    categories: Vec<CategoryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryEntry {
    name: String,
    days: u32,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub district: Option<String>,
    pub rules: Rules,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn read(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|e| FileError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })
}

/// Parses a configuration text; `path` is only for messages.
pub fn parse_settings(text: &str, path: &Path) -> Result<Settings, FileError> {
    let at = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        FileError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let mut rules = Rules::default();
    if !file.categories.is_empty() {
        let mut cats: Vec<Category> = Vec::new();
        for c in file.categories {
            let name = c.name.trim().to_string();
            let offset = text.find(&c.name).unwrap_or(0);
            if name.is_empty() {
                return Err(at(offset, "a category needs a name".to_string()));
            }
            if c.days == 0 {
                return Err(at(
                    offset,
                    format!("category {name}: days must be at least 1"),
                ));
            }
            if cats.iter().any(|k| k.name == name) {
                return Err(at(offset, format!("category {name} is listed twice")));
            }
            cats.push(Category { name, days: c.days });
        }
        rules.categories = cats;
    }
    if let Some(w) = file.warning_days {
        rules.warning_days = w;
    }
    if let Some(a) = file.ack_days {
        rules.ack_days = a;
    }
    Ok(Settings {
        district: file.district,
        rules,
    })
}

/// Loads the configuration, or the defaults when there is no file.
pub fn load_settings(path: Option<&Path>) -> Result<Settings, FileError> {
    match path {
        Some(p) if p.exists() => parse_settings(&read(p)?, p),
        _ => Ok(Settings {
            district: None,
            rules: Rules::default(),
        }),
    }
}

/// The calendar file of a data directory; the shipped one is written there on first run.
pub fn load_calendar(data_dir: &Path) -> Result<(Calendar, PathBuf), FileError> {
    let path = data_dir.join("calendar.toml");
    if !path.exists() {
        std::fs::write(&path, DEFAULT_TOML).map_err(|e| FileError {
            path: path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot write the default calendar: {e}"),
        })?;
    }
    let text = read(&path)?;
    let cal = Calendar::parse(&text).map_err(|e| FileError {
        path: path.clone(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    Ok((cal, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, FileError> {
        parse_settings(text, Path::new("config.toml"))
    }

    #[test]
    fn categories_replace_the_defaults() -> Result<(), FileError> {
        let s = parse("warning_days = 3\n[[category]]\nname = \"消防\"\ndays = 7\n")?;
        assert_eq!(s.rules.days_for("消防"), 7);
        assert_eq!(s.rules.categories.len(), 1);
        assert_eq!(s.rules.warning_days, 3);
        Ok(())
    }

    #[test]
    fn mistakes_name_their_line() {
        let unknown = parse("district = \"秀洲区\"\nwarning_dayz = 2\n").err();
        assert!(unknown.is_some_and(|e| e.line == 2 && e.message.contains("warning_dayz")));
        let negative = parse("warning_days = -1\n").err();
        assert!(negative.is_some_and(|e| e.line == 1));
        let no_limit = parse("[[category]]\nname = \"消防\"\n").err();
        assert!(no_limit.is_some_and(|e| e.message.contains("days")));
        let twice = parse(
            "[[category]]\nname = \"消防\"\ndays = 5\n[[category]]\nname = \"消防\"\ndays = 6\n",
        )
        .err();
        assert!(twice.is_some_and(|e| e.message.contains("twice")));
    }
}
