//! "Now": the system clock, unless `--now` or `ZHUQI_NOW` fixes it (tests and demos move it).

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    fixed: Option<DateTime<FixedOffset>>,
}

/// Parses a local date or date-time as people type it: `2024-01-30`, `2024-01-30T10:00`,
/// `2024-01-30 10:00` (seconds optional). A date alone means 09:00, the start of a working day.
pub fn parse_local(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        parse_date(t).map(|d| d.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()))
    })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|dt| dt.fixed_offset())
}

/// `YYYY-MM-DD`, a day that exists.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(at: DateTime<FixedOffset>) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        self.fixed.unwrap_or_else(|| Local::now().fixed_offset())
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn parses_what_people_type_and_refuses_days_that_do_not_exist() {
        let at = parse_local("2024-01-30T10:00");
        assert_eq!(
            at.map(|a| (a.date_naive().to_string(), a.hour())),
            Some(("2024-01-30".into(), 10))
        );
        assert_eq!(parse_local("2024-01-30").map(|a| a.hour()), Some(9));
        assert_eq!(
            parse_local(" 2024-01-30 14:05 ").map(|a| a.minute()),
            Some(5)
        );
        assert!(parse_local("2024-02-30").is_none());
        assert!(parse_local("2024-13-01T10:00").is_none());
        assert!(parse_local("tomorrow").is_none());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-02-29").is_some());
    }
}
