//! An appeal's [`Brief`], stored as the value of its status-index entry (after the appeal's id,
//! which index readers take from the first 16 bytes): the desk in the terminal reads its list in
//! one pass over that index, open appeals first, without fetching and decoding summaries.
//! Dates are stored as day numbers and the strings are read in place, which makes a brief
//! several times quicker to read than a summary.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::SCHEMA_VERSION;
use super::keys::{id_key, read_id, read_status_key};
use crate::domain::{Brief, Status};

#[derive(Serialize)]
struct Stored<'a> {
    enterprise: &'a str,
    category: &'a str,
    steward: Option<&'a str>,
    lead_dept: Option<&'a str>,
    #[serde(borrow)]
    co_depts: Vec<&'a str>,
    due: Option<i32>,
    captured_at: i64,
    captured_on: i32,
    urges: u32,
    meeting: Option<u64>,
    text: &'a str,
    closed_on: Option<i32>,
}

/// [`Stored`] as it is read: the same fields and bytes (postcard writes a string and a byte
/// string alike), the strings checked as UTF-8 by `simdutf8`. A million briefs are read for the
/// list, and checking their strings one byte at a time was a tenth of it.
#[derive(Deserialize)]
struct Read<'a> {
    enterprise: &'a [u8],
    category: &'a [u8],
    #[serde(borrow)]
    steward: Option<&'a [u8]>,
    #[serde(borrow)]
    lead_dept: Option<&'a [u8]>,
    #[serde(borrow)]
    co_depts: Vec<&'a [u8]>,
    due: Option<i32>,
    captured_at: i64,
    captured_on: i32,
    urges: u32,
    meeting: Option<u64>,
    text: &'a [u8],
    closed_on: Option<i32>,
}

fn text(bytes: &[u8]) -> Result<&str, StoreError> {
    simdutf8::basic::from_utf8(bytes)
        .map_err(|_| StoreError::Corrupt("a brief holds text that is not UTF-8".into()))
}

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn date(days: i32) -> Result<NaiveDate, StoreError> {
    NaiveDate::from_num_days_from_ce_opt(days)
        .ok_or_else(|| StoreError::Corrupt(format!("a brief has an impossible day {days}")))
}

/// The index entry's value: the id, the schema version, the brief.
pub fn encode(b: &Brief<'_>) -> Result<Vec<u8>, StoreError> {
    let mut out = id_key(b.id).to_vec();
    out.push(SCHEMA_VERSION);
    let stored = Stored {
        enterprise: b.enterprise,
        category: b.category,
        steward: b.steward,
        lead_dept: b.lead_dept,
        co_depts: b.co_depts.clone(),
        due: b.due.map(day),
        captured_at: b.captured_at,
        captured_on: day(b.captured_on),
        urges: b.urges,
        meeting: b.meeting,
        text: b.text,
        closed_on: b.closed_on.map(day),
    };
    postcard::to_extend(&stored, out)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a brief: {e}")))
}

/// Reads a status-index entry (key: status code and number) back into a brief that borrows
/// its strings from `value`.
pub fn decode<'a>(key: &[u8], value: &'a [u8]) -> Result<Brief<'a>, StoreError> {
    let (status, number) = read_status_key(key).ok_or_else(corrupt)?;
    decode_entry(status, number, value)
}

fn corrupt() -> StoreError {
    StoreError::Corrupt("a status index entry is unreadable".into())
}

/// As [`decode`], the key's status and number given (an entry on a shelf has no key of its
/// own).
pub fn decode_entry<'a>(
    status: Status,
    number: u64,
    value: &'a [u8],
) -> Result<Brief<'a>, StoreError> {
    let id = read_id(value).ok_or_else(corrupt)?;
    let body = match value.get(16..).and_then(|v| v.split_first()) {
        Some((&SCHEMA_VERSION, body)) => body,
        Some((&v, _)) if v > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        _ => return Err(corrupt()),
    };
    let s: Read<'a> = postcard::from_bytes(body)
        .map_err(|e| StoreError::Corrupt(format!("cannot read a brief: {e}")))?;
    Ok(Brief {
        id,
        number,
        status,
        enterprise: text(s.enterprise)?,
        category: text(s.category)?,
        steward: s.steward.map(text).transpose()?,
        lead_dept: s.lead_dept.map(text).transpose()?,
        co_depts: s.co_depts.into_iter().map(text).collect::<Result<_, _>>()?,
        due: s.due.map(date).transpose()?,
        captured_at: s.captured_at,
        captured_on: date(s.captured_on)?,
        urges: s.urges,
        meeting: s.meeting,
        text: text(s.text)?,
        closed_on: s.closed_on.map(date).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::status_key;

    #[test]
    fn a_brief_reads_back_as_it_was_written() -> Result<(), StoreError> {
        let b = Brief {
            id: ulid::Ulid(0x0123_4567_89ab_cdef_0011_2233_4455_6677),
            number: 4711,
            status: Status::InProgress,
            enterprise: "嘉兴市南湖纺织有限公司",
            category: "消防",
            steward: Some("朱洁"),
            lead_dept: Some("区住建局"),
            co_depts: vec!["区消防大队", "区应急管理局"],
            due: NaiveDate::from_ymd_opt(2024, 2, 29),
            captured_at: 1_706_000_000,
            captured_on: NaiveDate::from_ymd_opt(2024, 1, 23)
                .ok_or_else(|| StoreError::Corrupt("test date".into()))?,
            urges: 2,
            meeting: Some(9),
            text: "厂区东侧道路施工已三个月",
            closed_on: None,
        };
        let key = status_key(b.status, b.number);
        let value = encode(&b)?;
        assert_eq!(
            read_id(&value),
            Some(b.id),
            "index readers find the id first"
        );
        assert_eq!(decode(&key, &value)?, b);
        let mut newer = value.clone();
        newer[16] = SCHEMA_VERSION + 1;
        assert!(matches!(
            decode(&key, &newer),
            Err(StoreError::NewerSchema { .. })
        ));
        assert!(decode(&key, &value[..20]).is_err());
        // A byte that breaks a name's UTF-8 is damage, said as such.
        let name = "嘉兴市南湖纺织有限公司".as_bytes();
        let at = value
            .windows(name.len())
            .position(|w| w == name)
            .ok_or_else(|| StoreError::Corrupt("the name is not in the entry".into()))?;
        let mut broken = value.clone();
        broken[at + 1] = 0xFF;
        assert!(
            matches!(decode(&key, &broken), Err(StoreError::Corrupt(why)) if why.contains("UTF-8"))
        );
        Ok(())
    }
}
