//! Key encodings: fixed-width and big-endian, so that sled's byte order is the order we mean.

use chrono::{Datelike, NaiveDate};

use crate::domain::{AppealId, Status};

pub fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn read_u64(bytes: &[u8]) -> Option<u64> {
    bytes.get(..8)?.try_into().ok().map(u64::from_be_bytes)
}

pub fn id_key(id: AppealId) -> [u8; 16] {
    id.0.to_be_bytes()
}

pub fn read_id(bytes: &[u8]) -> Option<AppealId> {
    let raw: [u8; 16] = bytes.get(..16)?.try_into().ok()?;
    Some(ulid::Ulid(u128::from_be_bytes(raw)))
}

/// Days from the common era, sign bit flipped so that earlier dates sort first.
pub fn date_key(d: NaiveDate) -> [u8; 4] {
    ((d.num_days_from_ce() as u32) ^ 0x8000_0000).to_be_bytes()
}

/// `status ‖ number`: the appeals of one status, in number order.
pub fn status_key(status: Status, number: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = status.code();
    k[1..].copy_from_slice(&u64_key(number));
    k
}

/// `due ‖ number`: running appeals, earliest due first.
pub fn due_key(due: NaiveDate, number: u64) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&date_key(due));
    k[4..].copy_from_slice(&u64_key(number));
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_sort_in_time_order_across_eras() {
        let days = [
            "0001-01-01",
            "1999-12-31",
            "2024-01-10",
            "2024-01-24",
            "2100-06-01",
        ];
        let keys: Vec<[u8; 4]> = days
            .iter()
            .filter_map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(date_key)
            .collect();
        assert_eq!(keys.len(), days.len());
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn numbers_and_ids_round_trip() {
        assert_eq!(read_u64(&u64_key(258)), Some(258));
        let id = ulid::Ulid::from_parts(1_700_000_000_000, 42);
        assert_eq!(read_id(&id_key(id)), Some(id));
        assert!(status_key(Status::Listed, 2) < status_key(Status::Listed, 10));
        assert!(status_key(Status::Listed, 99) < status_key(Status::Assigned, 1));
    }
}
