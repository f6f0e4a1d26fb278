//! Each desk's key pair, and the desks it trusts: a bundle is signed by the desk that wrote it
//! and taken in only from a desk this one was told to trust (`zhuqi bundle trust`). The secret
//! half stays in the data directory (`desk.key`, owner only); the public half is what another
//! desk is given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::DeskError;

const KEY_FILE: &str = "desk.key";
const TRUSTED_FILE: &str = "trusted.toml";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// A public key as people compare it over the phone: its first 16 hex digits in fours.
pub fn fingerprint(public: &str) -> String {
    public
        .chars()
        .take(16)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// This desk's key pair.
pub struct DeskKey(SigningKey);

impl DeskKey {
    /// The desk's key, made (from the operating system's randomness) the first time it is needed.
    pub fn load_or_create(dir: &Path) -> Result<DeskKey, DeskError> {
        let path = dir.join(KEY_FILE);
        let bad = |why: &str| DeskError::BadKeyFile {
            path: path.clone(),
            why: why.to_string(),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let seed = unhex::<32>(&text).ok_or_else(|| bad("it does not hold a key"))?;
                Ok(DeskKey(SigningKey::from_bytes(&seed)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| bad(&e.to_string()))?;
                super::paths::write_private(&path, format!("{}\n", hex(&seed)).as_bytes())
                    .map_err(|source| DeskError::WriteFile {
                        path: path.clone(),
                        source,
                    })?;
                Ok(DeskKey(SigningKey::from_bytes(&seed)))
            }
            Err(e) => Err(bad(&e.to_string())),
        }
    }

    /// The public half, in hex: what another desk is told to trust.
    pub fn public(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex(&self.0.sign(message).to_bytes())
    }
}

/// Whether `signature` (hex) is `public`'s (hex) signature of `message`.
pub fn verify(public: &str, message: &[u8], signature: &str) -> bool {
    let (Some(public), Some(signature)) = (unhex::<32>(public), unhex::<64>(signature)) else {
        return false;
    };
    VerifyingKey::from_bytes(&public)
        .map(|key| {
            key.verify(message, &Signature::from_bytes(&signature))
                .is_ok()
        })
        .unwrap_or(false)
}

/// Whether text is a public key at all.
pub fn is_public_key(text: &str) -> bool {
    unhex::<32>(text).is_some_and(|k| VerifyingKey::from_bytes(&k).is_ok())
}

/// The desks this one takes bundles from: name → public key.
pub fn trusted(dir: &Path) -> Result<BTreeMap<String, String>, DeskError> {
    let path = dir.join(TRUSTED_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(DeskError::BadKeyFile {
                path,
                why: e.to_string(),
            });
        }
    };
    toml::from_str::<BTreeMap<String, String>>(&text).map_err(|e| DeskError::BadKeyFile {
        path: path.clone(),
        why: e.message().to_string(),
    })
}

/// Trusts a desk's public key under a name (replacing what that name had). Returns the file.
pub fn trust(dir: &Path, name: &str, public: &str) -> Result<PathBuf, DeskError> {
    let public = public.trim().to_ascii_lowercase();
    if !is_public_key(&public) {
        return Err(DeskError::NotAKey(public));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().any(crate::text::is_hazard) {
        return Err(DeskError::Empty("name"));
    }
    let mut desks = trusted(dir)?;
    desks.insert(name.to_string(), public);
    let path = dir.join(TRUSTED_FILE);
    let text = toml::to_string(&desks).map_err(|e| DeskError::BadKeyFile {
        path: path.clone(),
        why: e.to_string(),
    })?;
    super::paths::write_private(&path, text.as_bytes()).map_err(|source| DeskError::WriteFile {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_message_and_key_only() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let key = DeskKey::load_or_create(dir.path())?;
        let again = DeskKey::load_or_create(dir.path())?;
        assert_eq!(key.public(), again.public(), "kept, not made anew");
        let signature = key.sign(b"bundle");
        assert!(verify(&key.public(), b"bundle", &signature));
        assert!(!verify(&key.public(), b"bundlf", &signature));
        let other = DeskKey::load_or_create(tempfile::tempdir()?.path())?;
        assert!(!verify(&other.public(), b"bundle", &signature));
        assert!(!verify("zz", b"bundle", &signature));
        Ok(())
    }

    #[test]
    fn trusted_desks_are_kept_by_name() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let key = DeskKey::load_or_create(tempfile::tempdir()?.path())?;
        assert!(trusted(dir.path())?.is_empty());
        trust(dir.path(), "王店镇", &key.public())?;
        assert_eq!(trusted(dir.path())?.get("王店镇"), Some(&key.public()));
        assert!(matches!(
            trust(dir.path(), "x", "not a key"),
            Err(DeskError::NotAKey(_))
        ));
        Ok(())
    }
}
