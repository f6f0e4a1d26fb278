//! Key encodings: fixed-width and big-endian, so that sled's byte order is the order we mean.

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

/// `status ‖ number`: the appeals of one status, in number order.
pub fn status_key(status: Status, number: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = status.code();
    k[1..].copy_from_slice(&u64_key(number));
    k
}

/// The status and number of a `status ‖ number` key.
pub fn read_status_key(key: &[u8]) -> Option<(Status, u64)> {
    let (code, number) = key.split_first()?;
    let status = Status::ALL.into_iter().find(|s| s.code() == *code)?;
    Some((status, read_u64(number)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ids_round_trip() {
        assert_eq!(read_u64(&u64_key(258)), Some(258));
        let id = ulid::Ulid::from_parts(1_700_000_000_000, 42);
        assert_eq!(read_id(&id_key(id)), Some(id));
        assert!(status_key(Status::Listed, 2) < status_key(Status::Listed, 10));
        assert_eq!(
            read_status_key(&status_key(Status::Closed, 77)),
            Some((Status::Closed, 77))
        );
        assert_eq!(read_status_key(&[0xFF; 9]), None);
        assert!(status_key(Status::Listed, 99) < status_key(Status::Assigned, 1));
    }
}
