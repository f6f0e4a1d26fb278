//! The mapping file of an import: which column becomes which field, the date formats to accept,
//! how source statuses map onto the lifecycle, and defaults for what the source lacks.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::FixedOffset;
use serde::Deserialize;

use crate::desk::settings::FileError;

/// One column, or several joined (e.g. a title and a body).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Columns {
    One(String),
    Many(Vec<String>),
}

impl Columns {
    pub fn names(&self) -> Vec<&str> {
        match self {
            Columns::One(c) => vec![c.as_str()],
            Columns::Many(cs) => cs.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    pub external_id: Option<String>,
    pub enterprise: Option<String>,
    pub contact: Option<String>,
    pub category: Option<String>,
    pub text: Option<Columns>,
    pub received: Option<String>,
    pub due: Option<String>,
    pub department: Option<String>,
    pub steward: Option<String>,
    pub status: Option<String>,
    pub answer: Option<String>,
    pub answered: Option<String>,
    pub rating: Option<String>,
}

/// Where a source row ends up in the lifecycle.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Resolved on the spot, with the answer given.
    OnSpot,
    Listed,
    Assigned,
    InProgress,
    Answered,
    Closed,
    Withdrawn,
}

impl Target {
    pub fn key(self) -> &'static str {
        match self {
            Target::OnSpot => "on_spot",
            Target::Listed => "listed",
            Target::Assigned => "assigned",
            Target::InProgress => "in_progress",
            Target::Answered => "answered",
            Target::Closed => "closed",
            Target::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub enterprise: Option<String>,
    pub category: Option<String>,
    pub status: Option<Target>,
    pub department: Option<String>,
    pub steward: Option<String>,
    /// Who the imported events are recorded as done by.
    pub actor: Option<String>,
    /// The answer of a row that must have one (answered, closed) when the ledger gives none.
    pub answer: Option<String>,
    /// When a closed (or answered) row the ledger gives no time for was answered: `"received"`
    /// (the time it was received) or a day (`"2024-06-30"`). Said in its timeline.
    pub closed_at: Option<String>,
}

/// When a row without its answer time is taken to have been answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedAt {
    Received,
    Day(chrono::NaiveDate),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    source: String,
    sheet: Option<String>,
    #[serde(default = "default_formats")]
    date_formats: Vec<String>,
    /// A fixed offset (`+08:00`, the default) …
    utc_offset: Option<String>,
    /// … or a place (`America/New_York`), its summer time included.
    timezone: Option<String>,
    #[serde(default = "default_separator")]
    text_separator: String,
    columns: ColumnMap,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    status_map: BTreeMap<String, Target>,
    /// The ledger's words for categories → the district's categories.
    #[serde(default)]
    category_map: BTreeMap<String, String>,
    /// The ledger's words for departments → the district's departments.
    #[serde(default)]
    department_map: BTreeMap<String, String>,
    /// Lines (or sheet rows) above the header.
    #[serde(default)]
    skip_lines: usize,
    /// utf-8, gb18030 (gbk), big5 or utf-16; found out when not given.
    encoding: Option<String>,
}

fn default_formats() -> Vec<String> {
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d",
    ]
    .map(String::from)
    .to_vec()
}

/// How a ledger's local times are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// China's time, when the mapping says nothing.
    pub fn default_china() -> Zone {
        match FixedOffset::east_opt(8 * 3600) {
            Some(o) => Zone::Fixed(o),
            None => Zone::Named(chrono_tz::Asia::Shanghai),
        }
    }

    /// The time a ledger's local time was, or `None` for a time that does not exist there (the
    /// hour skipped when summer time begins). An hour that happens twice is taken the first time.
    pub fn local(&self, d: chrono::NaiveDateTime) -> Option<chrono::DateTime<FixedOffset>> {
        use chrono::TimeZone;
        match self {
            Zone::Fixed(o) => o.from_local_datetime(&d).earliest(),
            Zone::Named(tz) => tz
                .from_local_datetime(&d)
                .earliest()
                .map(|t| t.fixed_offset()),
        }
    }

    /// As people read it: `+08:00`, `America/New_York`.
    pub fn said(&self) -> String {
        match self {
            Zone::Fixed(o) => o.to_string(),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }
}

fn default_separator() -> String {
    "\n".to_string()
}

/// One of the mapping's date formats, read once (chrono's `parse_from_str` reads its format
/// again for every cell: about a sixth of checking an import's rows went to its dates).
#[derive(Clone, Debug)]
pub struct DateFormat(Vec<chrono::format::Item<'static>>);

impl DateFormat {
    /// A strftime format (`%Y-%m-%d %H:%M`), or `None` if it is not one.
    pub fn new(format: &str) -> Option<DateFormat> {
        chrono::format::StrftimeItems::new(format)
            .parse_to_owned()
            .ok()
            .map(DateFormat)
    }

    /// `text` as a date and time, or as a date alone (`true`: it named no time), in this format.
    pub fn read(&self, text: &str) -> Option<(chrono::NaiveDateTime, bool)> {
        let mut parsed = chrono::format::Parsed::new();
        chrono::format::parse(&mut parsed, text, self.0.iter()).ok()?;
        // What `NaiveDateTime::parse_from_str` and `NaiveDate::parse_from_str` make of it.
        match parsed.to_naive_datetime_with_offset(0) {
            Ok(d) => Some((d, false)),
            Err(_) => parsed
                .to_naive_date()
                .ok()
                .map(|d| (d.and_time(chrono::NaiveTime::MIN), true)),
        }
    }
}

/// A checked mapping.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The prefix of remembered ids: a row with id 2549 is remembered as `source:2549`.
    pub source: String,
    pub sheet: Option<String>,
    pub date_formats: Vec<DateFormat>,
    pub zone: Zone,
    /// Whether the mapping said the zone (not the default +08:00).
    pub zone_given: bool,
    pub text_separator: String,
    pub columns: ColumnMap,
    pub defaults: Defaults,
    pub status_map: BTreeMap<String, Target>,
    pub category_map: BTreeMap<String, String>,
    pub department_map: BTreeMap<String, String>,
    pub skip_lines: usize,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub closed_at: Option<ClosedAt>,
}

impl Mapping {
    pub fn parse(text: &str, path: &Path) -> Result<Mapping, FileError> {
        let file: MappingFile = toml::from_str(text).map_err(|e| {
            FileError::at(
                path,
                text,
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        let at = |key: &str| text.find(key).unwrap_or(0);
        if file.source.trim().is_empty() || file.source.contains(':') {
            return Err(FileError::at(
                path,
                text,
                at("source"),
                "source must be a short name without ':' (it prefixes remembered ids)".into(),
            ));
        }
        let zone = match (&file.utc_offset, &file.timezone) {
            (Some(_), Some(_)) => {
                return Err(FileError::at(
                    path,
                    text,
                    at("timezone"),
                    "give utc_offset or timezone, not both".into(),
                ));
            }
            (Some(o), None) => Zone::Fixed(o.parse().map_err(|_| {
                FileError::at(
                    path,
                    text,
                    at("utc_offset"),
                    format!("\"{o}\" is not an offset like +08:00"),
                )
            })?),
            (None, Some(name)) => Zone::Named(name.parse().map_err(|_| {
                FileError::at(
                    path,
                    text,
                    at("timezone"),
                    format!("\"{name}\" is not a place's time zone (an IANA name like Asia/Shanghai or America/New_York)"),
                )
            })?),
            (None, None) => Zone::default_china(),
        };
        let zone_given = file.utc_offset.is_some() || file.timezone.is_some();
        if file.columns.text.is_none() {
            return Err(FileError::at(
                path,
                text,
                at("[columns]"),
                "columns.text is needed: the column (or columns) holding the appeal".into(),
            ));
        }
        if file.columns.received.is_none() {
            return Err(FileError::at(
                path,
                text,
                at("[columns]"),
                "columns.received is needed: the column with the time the appeal was received"
                    .into(),
            ));
        }
        if file.columns.enterprise.is_none() && file.defaults.enterprise.is_none() {
            return Err(FileError::at(
                path,
                text,
                at("[columns]"),
                "give columns.enterprise, or defaults.enterprise".into(),
            ));
        }
        if file.columns.status.is_none() && file.defaults.status.is_none() {
            return Err(FileError::at(
                path,
                text,
                at("[columns]"),
                "give columns.status (with [status_map]) or defaults.status".into(),
            ));
        }
        let mut date_formats = Vec::with_capacity(file.date_formats.len());
        for f in &file.date_formats {
            match DateFormat::new(f) {
                Some(format) => date_formats.push(format),
                None => {
                    return Err(FileError::at(
                        path,
                        text,
                        at(f),
                        format!(
                            "\"{f}\" is not a date format (use %Y-%m-%d %H:%M:%S and the like)"
                        ),
                    ));
                }
            }
        }
        let encoding = match file
            .encoding
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => None,
            Some("utf-8" | "utf8") => Some(encoding_rs::UTF_8),
            Some("gb18030" | "gbk" | "gb2312") => Some(encoding_rs::GB18030),
            Some("big5") => Some(encoding_rs::BIG5),
            Some("utf-16" | "utf-16le" | "utf16") => Some(encoding_rs::UTF_16LE),
            Some("utf-16be") => Some(encoding_rs::UTF_16BE),
            Some(other) => {
                return Err(FileError::at(
                    path,
                    text,
                    at("encoding"),
                    format!(
                        "\"{other}\" is not an encoding zhuqi reads: utf-8, gb18030, big5 or utf-16"
                    ),
                ));
            }
        };
        let closed_at = match file.defaults.closed_at.as_deref().map(str::trim) {
            None => None,
            Some("received") => Some(ClosedAt::Received),
            Some(day) => Some(ClosedAt::Day(
                chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                    FileError::at(
                        path,
                        text,
                        at("closed_at"),
                        format!(
                            "closed_at is \"received\" or a day like 2024-06-30, not \"{day}\""
                        ),
                    )
                })?,
            )),
        };
        Ok(Mapping {
            category_map: file.category_map,
            department_map: file.department_map,
            skip_lines: file.skip_lines,
            encoding,
            closed_at,
            source: file.source.trim().to_string(),
            sheet: file.sheet,
            date_formats,
            zone,
            zone_given,
            text_separator: file.text_separator,
            columns: file.columns,
            defaults: file.defaults,
            status_map: file.status_map,
        })
    }

    pub fn load(path: &Path) -> Result<Mapping, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the mapping: {e}"),
        })?;
        Mapping::parse(&text, path)
    }

    /// Every column the mapping names, for checking against the file's header.
    pub fn named_columns(&self) -> Vec<&str> {
        let c = &self.columns;
        let mut out: Vec<&str> = [
            &c.external_id,
            &c.enterprise,
            &c.contact,
            &c.category,
            &c.received,
            &c.due,
            &c.department,
            &c.steward,
            &c.status,
            &c.answer,
            &c.answered,
            &c.rating,
        ]
        .into_iter()
        .filter_map(|o| o.as_deref())
        .collect();
        if let Some(t) = &c.text {
            out.extend(t.names());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    use proptest::prelude::*;

    use super::DateFormat;

    /// What the import read before formats were read once: chrono's `parse_from_str`, as a
    /// date and time, else as a date alone.
    fn as_before(text: &str, format: &str) -> Option<(NaiveDateTime, bool)> {
        NaiveDateTime::parse_from_str(text, format)
            .map(|d| (d, false))
            .or_else(|_| {
                NaiveDate::parse_from_str(text, format).map(|d| (d.and_time(NaiveTime::MIN), true))
            })
            .ok()
    }

    const FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y年%m月%d日",
        "%d.%m.%Y %H:%M",
    ];

    proptest! {
        #[test]
        fn a_format_read_once_reads_each_cell_as_chrono_did(
            format in prop::sample::select(FORMATS.to_vec()),
            year in 1990i32..2040, month in 0u32..14, day in 0u32..33,
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
            shape in 0usize..8,
            junk in "[ 0-9:/年月日a-]{0,3}",
        ) {
            let text = match shape {
                0 => format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02}"),
                1 => format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"),
                2 => format!("{year}-{month}-{day}"),
                3 => format!("{year}/{month:02}/{day:02}"),
                4 => format!("{year}年{month}月{day}日"),
                5 => format!("{day:02}.{month:02}.{year} {hour}:{minute:02}"),
                6 => format!("{year}-{month:02}-{day:02}{junk}"),
                _ => junk.clone(),
            };
            let read = DateFormat::new(format);
            prop_assert!(read.is_some());
            if let Some(read) = read {
                prop_assert_eq!(read.read(&text), as_before(&text, format), "{:?} in {}", text, format);
            }
        }
    }

    #[test]
    fn a_date_alone_is_read_at_midnight_and_said_to_name_no_time() {
        let formats: Vec<DateFormat> = ["%Y-%m-%d %H:%M", "%Y-%m-%d"]
            .iter()
            .filter_map(|f| DateFormat::new(f))
            .collect();
        let read = |t: &str| formats.iter().find_map(|f| f.read(t));
        let day = NaiveDate::from_ymd_opt(2024, 2, 29);
        assert_eq!(
            read("2024-02-29 09:30"),
            day.and_then(|d| d.and_hms_opt(9, 30, 0))
                .map(|d| (d, false))
        );
        assert_eq!(
            read("2024-02-29"),
            day.map(|d| (d.and_time(NaiveTime::MIN), true))
        );
        // A day that does not exist is no date in any format.
        assert_eq!(read("2023-02-29"), None);
    }
}
