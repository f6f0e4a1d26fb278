//! The files the user edits: `config.toml` (the district's categories and limits, windows,
//! departments, language, colours) and `calendar.toml` (holidays). A mistake in either stops the
//! program with the file, the line and what is expected; there is no silent fallback to defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::calendar::{Calendar, DEFAULT_TOML};
use crate::domain::rules::{Category, Rules};

/// The configuration written on first run, with a comment on every setting.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.toml");

/// A mistake in a file the user edits.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageSetting {
    #[default]
    Auto,
    Zh,
    En,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorSetting {
    #[default]
    Auto,
    Never,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    district: Option<String>,
    actor: Option<String>,
    desk: Option<String>,
    number_prefix: Option<String>,
    warning_days: Option<u32>,
    ack_days: Option<u32>,
    language: Option<LanguageSetting>,
    color: Option<ColorSetting>,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default, rename = "category")]
    categories: Vec<toml::Spanned<CategoryEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryEntry {
    name: String,
    days: u32,
}

/// What is in force: the file's settings, or the defaults when there is no file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub district: Option<String>,
    /// The person at this desk, written on every step (`--actor` overrides it).
    pub actor: Option<String>,
    /// This desk's name (the laptop or office); the hub's name for it once joined.
    pub desk: Option<String>,
    pub number_prefix: String,
    #[serde(skip)]
    pub rules: Rules,
    pub language: LanguageSetting,
    pub color: ColorSetting,
    pub departments: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            district: None,
            actor: None,
            desk: None,
            number_prefix: String::new(),
            rules: Rules::default(),
            language: LanguageSetting::Auto,
            color: ColorSetting::Auto,
            departments: Vec::new(),
        }
    }
}

impl FileError {
    /// A mistake at byte `offset` of `text`, with its 1-based line and column.
    pub fn at(path: &Path, text: &str, offset: usize, message: String) -> FileError {
        let before = &text[..offset.min(text.len())];
        FileError {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message,
        }
    }
}

fn unreadable(path: &Path, what: &str, e: std::io::Error) -> FileError {
    FileError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot {what} the file: {e}"),
    }
}

/// Parses a configuration text; `path` is only for messages.
pub fn parse_settings(text: &str, path: &Path) -> Result<Settings, FileError> {
    let at = |offset: usize, message: String| FileError::at(path, text, offset, message);
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let mut rules = Rules::default();
    if !file.categories.is_empty() {
        let mut cats: Vec<Category> = Vec::new();
        for entry in &file.categories {
            let offset = entry.span().start;
            let c = entry.get_ref();
            let name = c.name.trim().to_string();
            if name.is_empty() {
                return Err(at(
                    offset,
                    "a category needs a name, e.g. name = \"消防\"".to_string(),
                ));
            }
            if c.days == 0 {
                return Err(at(
                    offset,
                    format!("category {name}: days must be at least 1 working day"),
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
    let prefix = file.number_prefix.unwrap_or_default().trim().to_string();
    if prefix
        .chars()
        .any(|c| c.is_ascii_digit() || c.is_whitespace() || c == '#')
    {
        let offset = text.find("number_prefix").unwrap_or(0);
        return Err(at(
            offset,
            format!("number_prefix \"{prefix}\" must not contain digits, spaces or #"),
        ));
    }
    Ok(Settings {
        district: file.district.filter(|d| !d.trim().is_empty()),
        actor: crate::domain::records::non_empty(file.actor.as_deref()),
        desk: crate::domain::records::non_empty(file.desk.as_deref()),
        number_prefix: prefix,
        rules,
        language: file.language.unwrap_or_default(),
        color: file.color.unwrap_or_default(),
        departments: crate::domain::appeal::clean_names(&file.departments),
    })
}

/// Loads the configuration at `path`; on first run (no file yet) writes the commented default
/// there. Without a path (no home directory) the defaults are in force.
pub fn load_settings(path: Option<&Path>) -> Result<Settings, FileError> {
    load_settings_named(path, false)
}

/// As [`load_settings`]; a file the person named (`--config`, `ZHUQI_CONFIG`) is never created
/// where it is missing: the defaults are used and the path is left as it was.
pub fn load_settings_named(path: Option<&Path>, named: bool) -> Result<Settings, FileError> {
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    if !path.exists() && named {
        return parse_settings(DEFAULT_CONFIG, path);
    }
    if !path.exists() {
        if let Some(parent) = path.parent() {
            let _ = super::paths::create_private_dir(parent);
        }
        if let Err(e) = std::fs::write(path, DEFAULT_CONFIG) {
            // A read-only home is no reason to stop: the defaults are what the file would say.
            tracing::warn!(path = %path.display(), error = %e, "could not write the default configuration");
            return parse_settings(DEFAULT_CONFIG, path);
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, "read", e))?;
    parse_settings(&text, path)
}

/// Sets a top-level `key = "value"` in the configuration file at `path` (the desk asks for its
/// person once and keeps the answer there): an existing line for the key is replaced, otherwise
/// the line goes above the first table. The file is written whole under a temporary name and
/// renamed, and must still parse.
pub fn set_config_value(path: &Path, key: &str, value: &str) -> Result<Settings, FileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_CONFIG.to_string(),
        Err(e) => return Err(unreadable(path, "read", e)),
    };
    let line = format!("{key} = {}", toml::Value::String(value.to_string()));
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let is_key = |l: &str| {
        l.split_once('=')
            .is_some_and(|(k, _)| k.trim() == key && !l.trim_start().starts_with('#'))
    };
    let first_table = lines
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .unwrap_or(lines.len());
    match lines[..first_table].iter().position(|l| is_key(l)) {
        Some(i) => lines[i] = line,
        None => {
            lines.insert(first_table, String::new());
            lines.insert(first_table, line);
        }
    }
    let mut new_text = lines.join("\n");
    new_text.push('\n');
    let settings = parse_settings(&new_text, path)?;
    if let Some(parent) = path.parent() {
        let _ = super::paths::create_private_dir(parent);
    }
    let tmp = path.with_extension("toml.new");
    std::fs::write(&tmp, &new_text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| unreadable(path, "write", e))?;
    Ok(settings)
}

/// Checks a calendar text as `calendar check` does.
pub fn parse_calendar(text: &str, path: &Path) -> Result<Calendar, FileError> {
    Calendar::parse(text).map_err(|e| FileError {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// The calendar file of a data directory; the shipped one is written there on first run.
pub fn load_calendar(data_dir: &Path) -> Result<(Calendar, PathBuf), FileError> {
    let path = data_dir.join("calendar.toml");
    if !path.exists() {
        std::fs::write(&path, DEFAULT_TOML).map_err(|e| unreadable(&path, "write", e))?;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, "read", e))?;
    Ok((parse_calendar(&text, &path)?, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, FileError> {
        parse_settings(text, Path::new("config.toml"))
    }

    #[test]
    fn the_shipped_file_says_what_the_defaults_are() -> Result<(), FileError> {
        let shipped = parse(DEFAULT_CONFIG)?;
        assert_eq!(shipped.rules, Rules::default());
        assert_eq!(shipped.language, LanguageSetting::Auto);
        assert_eq!(shipped.color, ColorSetting::Auto);
        assert!(shipped.departments.contains(&"区住建局".to_string()));
        Ok(())
    }

    #[test]
    fn the_person_and_the_desk_are_kept_in_the_file() -> Result<(), FileError> {
        let dir = tempfile::tempdir().map_err(|e| unreadable(Path::new("tmp"), "create", e))?;
        let path = dir.path().join("config.toml");
        std::fs::write(&path, DEFAULT_CONFIG).map_err(|e| unreadable(&path, "write", e))?;
        let s = set_config_value(&path, "actor", "朱洁")?;
        assert_eq!(s.actor.as_deref(), Some("朱洁"));
        let s = set_config_value(&path, "actor", "李斌 \"首席\"")?;
        assert_eq!(s.actor.as_deref(), Some("李斌 \"首席\""));
        let s = set_config_value(&path, "desk", "xz-laptop-3")?;
        assert_eq!(s.desk.as_deref(), Some("xz-laptop-3"));
        let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, "read", e))?;
        assert_eq!(
            text.lines().filter(|l| l.starts_with("actor = ")).count(),
            1
        );
        // What was there before is kept.
        assert_eq!(load_settings(Some(&path))?.rules, Rules::default());
        Ok(())
    }

    #[test]
    fn categories_replace_the_defaults() -> Result<(), FileError> {
        let s = parse(
            "warning_days = 3\nnumber_prefix = \"XZ\"\n[[category]]\nname = \"消防\"\ndays = 7\n",
        )?;
        assert_eq!(s.rules.days_for("消防"), 7);
        assert_eq!(s.rules.categories.len(), 1);
        assert_eq!(s.rules.warning_days, 3);
        assert_eq!(s.number_prefix, "XZ");
        Ok(())
    }

    #[test]
    fn mistakes_name_their_line_and_what_is_expected() {
        let unknown = parse("district = \"秀洲区\"\nwarning_dayz = 2\n").err();
        assert!(unknown.is_some_and(|e| e.line == 2
            && e.message.contains("warning_dayz")
            && e.message.contains("expected")));
        let negative = parse("warning_days = -1\n").err();
        assert!(negative.is_some_and(|e| e.line == 1 && e.message.contains("u32")));
        let wrong_type = parse("\n\nack_days = \"one\"\n").err();
        assert!(wrong_type.is_some_and(|e| e.line == 3));
        let no_limit =
            parse("[[category]]\nname = \"审批\"\ndays = 5\n\n[[category]]\nname = \"消防\"\n")
                .err();
        assert!(no_limit.is_some_and(|e| e.message.contains("days") && e.line >= 5));
        let twice = parse(
            "[[category]]\nname = \"消防\"\ndays = 5\n[[category]]\nname = \"消防\"\ndays = 6\n",
        )
        .err();
        assert!(twice.is_some_and(|e| e.message.contains("twice") && e.line == 4));
        let bad_language = parse("language = \"fr\"\n").err();
        assert!(bad_language.is_some_and(|e| e.message.contains("zh")));
        let bad_toml = parse("district = \"秀洲区\n").err();
        assert!(bad_toml.is_some_and(|e| e.line == 1));
    }
}
