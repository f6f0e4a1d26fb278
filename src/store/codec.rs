//! Values in the store: one schema-version byte, then postcard. A value from a newer schema is
//! refused rather than misread.

use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;

/// 2: times, dates and identities as numbers (`domain::wire`), not text.
pub const SCHEMA_VERSION: u8 = 2;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(128);
    encode_into(&mut out, value)?;
    Ok(out)
}

/// As [`encode`], appended to `out`: postcard's own vector grew as it wrote and was then copied
/// into the history, a third of the time an import's planning spent encoding (BENCHMARKS.md,
/// eighteenth round).
pub fn encode_into<T: Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), StoreError> {
    out.push(SCHEMA_VERSION);
    postcard::to_extend(value, Appending(out))
        .map(|_| ())
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a value: {e}")))
}

/// A vector borrowed for postcard to append to.
struct Appending<'a>(&'a mut Vec<u8>);

impl Extend<u8> for Appending<'_> {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, bytes: I) {
        self.0.extend(bytes);
    }
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&SCHEMA_VERSION, body)) => postcard::from_bytes(body)
            .map_err(|e| StoreError::Corrupt(format!("cannot read {what}: {e}"))),
        Some((&v, _)) if v > SCHEMA_VERSION => Err(StoreError::NewerSchema {
            found: v,
            supported: SCHEMA_VERSION,
        }),
        _ => Err(StoreError::Corrupt(format!("{what} has no schema version"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_version_checks() -> Result<(), StoreError> {
        let bytes = encode(&("企业", 7u32))?;
        assert_eq!(bytes[0], SCHEMA_VERSION);
        assert_eq!(
            decode::<(String, u32)>(&bytes, "t")?,
            ("企业".to_string(), 7)
        );
        let mut newer = bytes.clone();
        newer[0] = SCHEMA_VERSION + 1;
        assert!(matches!(
            decode::<(String, u32)>(&newer, "t"),
            Err(StoreError::NewerSchema { found, .. }) if found == SCHEMA_VERSION + 1
        ));
        assert!(matches!(
            decode::<u32>(&[], "t"),
            Err(StoreError::Corrupt(_))
        ));
        Ok(())
    }
}
