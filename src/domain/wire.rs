//! How times, dates and identities are written: as text where people read them (the journal,
//! exports and JSON output) and as numbers in the store (postcard), where the text forms were a
//! fifth of every value and parsing them much of the time of reading one. The format says which:
//! `is_human_readable`. Used as `#[serde(with = "…")]` on the fields that hold them.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ulid::Ulid;

/// A time as (seconds since the epoch, nanoseconds, offset east of UTC in seconds).
type TimeParts = (i64, u32, i32);

fn time_parts(t: &DateTime<FixedOffset>) -> TimeParts {
    (
        t.timestamp(),
        t.timestamp_subsec_nanos(),
        t.offset().local_minus_utc(),
    )
}

fn from_time_parts<E: Error>((secs, nanos, offset): TimeParts) -> Result<DateTime<FixedOffset>, E> {
    FixedOffset::east_opt(offset)
        .and_then(|tz| tz.timestamp_opt(secs, nanos).single())
        .ok_or_else(|| E::custom("a time out of range"))
}

/// A time as chrono writes it for people (RFC 3339, `2021-12-08T09:30:00+08:00`), written here
/// for the times nearly all are (whole seconds, a year of four digits, an offset of whole minutes
/// east or west of UTC): chrono's own goes through `fmt` a character at a time, about a sixth
/// of the time of writing a journal line. `None` for any other, which chrono writes.
fn rfc3339(t: &DateTime<FixedOffset>) -> Option<[u8; 25]> {
    use chrono::{Datelike, Timelike};
    let offset = t.offset().local_minus_utc();
    let local = t.naive_local();
    if t.timestamp_subsec_nanos() != 0
        || offset == 0
        || offset % 60 != 0
        || !(0..=9999).contains(&local.year())
    {
        return None;
    }
    let mut out = *b"0000-00-00T00:00:00+00:00";
    let mut put = |at: usize, n: u32, digits: usize| {
        let mut n = n;
        for i in (at..at + digits).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, local.year().unsigned_abs(), 4);
    put(5, local.month(), 2);
    put(8, local.day(), 2);
    put(11, local.hour(), 2);
    put(14, local.minute(), 2);
    put(17, local.second(), 2);
    let minutes = offset.unsigned_abs() / 60;
    put(20, minutes / 60, 2);
    put(23, minutes % 60, 2);
    if offset < 0 {
        out[19] = b'-';
    }
    Some(out)
}

/// A time written for people, as chrono writes it.
struct Text<'a>(&'a DateTime<FixedOffset>);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match rfc3339(self.0) {
            // Only ASCII digits and signs are written.
            Some(text) => s.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
            None => self.0.serialize(s),
        }
    }
}

fn from_days<E: Error>(days: i32) -> Result<NaiveDate, E> {
    NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| E::custom("a date out of range"))
}

pub mod time {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            Text(t).serialize(s)
        } else {
            time_parts(t).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        if d.is_human_readable() {
            DateTime::deserialize(d)
        } else {
            from_time_parts(TimeParts::deserialize(d)?)
        }
    }
}

pub mod time_opt {
    use super::*;

    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            t.as_ref().map(Text).serialize(s)
        } else {
            t.as_ref().map(time_parts).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        if d.is_human_readable() {
            Option::deserialize(d)
        } else {
            Option::<TimeParts>::deserialize(d)?
                .map(from_time_parts)
                .transpose()
        }
    }
}

pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            day.serialize(s)
        } else {
            chrono::Datelike::num_days_from_ce(day).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() {
            NaiveDate::deserialize(d)
        } else {
            from_days(i32::deserialize(d)?)
        }
    }
}

pub mod date_opt {
    use super::*;

    pub fn serialize<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            day.serialize(s)
        } else {
            day.map(|d| chrono::Datelike::num_days_from_ce(&d))
                .serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            Option::deserialize(d)
        } else {
            Option::<i32>::deserialize(d)?.map(from_days).transpose()
        }
    }
}

/// A ULID as its 16 bytes (26 characters as text).
pub mod id {
    use super::*;

    pub fn serialize<S: Serializer>(id: &Ulid, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            id.serialize(s)
        } else {
            id.0.to_be_bytes().serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ulid, D::Error> {
        if d.is_human_readable() {
            Ulid::deserialize(d)
        } else {
            Ok(Ulid(u128::from_be_bytes(<[u8; 16]>::deserialize(d)?)))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(with = "id")]
        id: Ulid,
        #[serde(with = "time")]
        at: DateTime<FixedOffset>,
        #[serde(with = "time_opt", default)]
        closed: Option<DateTime<FixedOffset>>,
        #[serde(with = "time_opt", default)]
        never: Option<DateTime<FixedOffset>>,
        #[serde(with = "date")]
        due: NaiveDate,
        #[serde(with = "date_opt", default)]
        reopen: Option<NaiveDate>,
    }

    fn sample() -> Result<Sample, Box<dyn std::error::Error>> {
        Ok(Sample {
            id: Ulid::from_string("01JDQ6W7N3ZB4Y8K5M2X9R1T0V")?,
            at: DateTime::parse_from_rfc3339("2024-02-09T09:30:00.123+08:00")?,
            closed: Some(DateTime::parse_from_rfc3339("2024-02-18T16:00:00-05:00")?),
            never: None,
            due: NaiveDate::from_ymd_opt(2024, 2, 29).ok_or("no date")?,
            reopen: NaiveDate::from_ymd_opt(1, 1, 1),
        })
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Times written here are written as chrono writes them: any instant, any offset.
        #[test]
        fn times_are_written_as_chrono_writes_them(
            secs in -70_000_000_000i64..300_000_000_000,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
            offset in proptest::prop_oneof![
                proptest::strategy::Just(8 * 3600),
                proptest::strategy::Just(0),
                (-1439i32..1440).prop_map(|m| m * 60),
                -86_399i32..86_400,
            ],
        ) {
            let Some(t) = FixedOffset::east_opt(offset)
                .and_then(|tz| tz.timestamp_opt(secs, nanos).single())
            else {
                return Ok(());
            };
            proptest::prop_assert_eq!(
                serde_json::to_string(&Text(&t)).ok(),
                serde_json::to_string(&t).ok()
            );
        }
    }

    #[test]
    fn people_read_text() -> Result<(), Box<dyn std::error::Error>> {
        let json = serde_json::to_value(sample()?)?;
        assert_eq!(
            json,
            serde_json::json!({
                "id": "01JDQ6W7N3ZB4Y8K5M2X9R1T0V",
                "at": "2024-02-09T09:30:00.123+08:00",
                "closed": "2024-02-18T16:00:00-05:00",
                "never": null,
                "due": "2024-02-29",
                "reopen": "0001-01-01",
            })
        );
        assert_eq!(serde_json::from_value::<Sample>(json)?, sample()?);
        Ok(())
    }

    #[test]
    fn the_store_keeps_numbers_and_reads_them_back_exactly()
    -> Result<(), Box<dyn std::error::Error>> {
        let bytes = postcard::to_stdvec(&sample()?)?;
        let back: Sample = postcard::from_bytes(&bytes)?;
        assert_eq!(back, sample()?);
        // The offsets survive, not only the instants.
        assert_eq!(back.at.to_rfc3339(), "2024-02-09T09:30:00.123+08:00");
        // 16 bytes of id instead of 27, a few bytes a time instead of 26.
        assert!(bytes.len() < 50, "{} bytes", bytes.len());
        Ok(())
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        let bad_offset = postcard::to_stdvec(&(0i64, 0u32, 90_000i32)).unwrap_or_default();
        let parsed: Result<DateTime<FixedOffset>, _> =
            time::deserialize(&mut postcard::Deserializer::from_bytes(&bad_offset));
        assert!(parsed.is_err());
        let bad_day = postcard::to_stdvec(&i32::MAX).unwrap_or_default();
        let parsed: Result<NaiveDate, _> =
            date::deserialize(&mut postcard::Deserializer::from_bytes(&bad_day));
        assert!(parsed.is_err());
    }
}
