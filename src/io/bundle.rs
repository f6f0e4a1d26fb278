//! Bundles carry appeals between desks (an officer's offline laptop and the district desk): a
//! header line naming the desk's public key, the journal lines of the commands, and a trailer
//! with the number of lines, their SHA-256 and the desk's signature of the header and that
//! digest. A bundle that is truncated, edited, unsigned, signed by a desk this one does not
//! trust, from a newer zhuqi, or not a bundle at all is refused before anything is written.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::desk::merge::MergeReport;
use crate::desk::{Desk, DeskError};

pub const BUNDLE_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Header {
    zhuqi_bundle: u32,
    created: String,
    since: Option<String>,
    commands: usize,
    /// The signing desk's public key (format 2 on).
    #[serde(default)]
    signer: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    zhuqi_bundle_end: End,
}

#[derive(Serialize, Deserialize)]
struct End {
    lines: usize,
    sha256: String,
    /// The signer's signature of the header line, a newline and `sha256`.
    #[serde(default)]
    signature: Option<String>,
}

/// What a bundle's signature covers.
fn signed_part(header_line: &[u8], sha256: &str) -> Vec<u8> {
    let mut message = header_line.to_vec();
    message.push(b'\n');
    message.extend_from_slice(sha256.as_bytes());
    message
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bad(msg: impl Into<String>) -> DeskError {
    DeskError::BadBundle(msg.into())
}

/// The bundle of this desk's commands since a day (all of them without one).
pub fn export(desk: &Desk, since: Option<NaiveDate>) -> Result<(Vec<u8>, usize), DeskError> {
    let (body, commands) = desk.journal_commands(since)?;
    let key = crate::desk::keys::DeskKey::load_or_create(desk.data_dir())?;
    let header = Header {
        zhuqi_bundle: BUNDLE_VERSION,
        created: desk.clock().now().to_rfc3339(),
        since: since.map(|s| s.to_string()),
        commands,
        signer: Some(key.public()),
    };
    let header_line = serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(&body));
    let trailer = Trailer {
        zhuqi_bundle_end: End {
            lines: body.iter().filter(|&&b| b == b'\n').count(),
            signature: Some(key.sign(&signed_part(&header_line, &sha256))),
            sha256,
        },
    };
    let mut out = header_line;
    out.push(b'\n');
    out.extend_from_slice(&body);
    out.extend(serde_json::to_vec(&trailer).map_err(|e| bad(e.to_string()))?);
    out.push(b'\n');
    Ok((out, commands))
}

/// Checks a bundle whole — its digest, its signature, that its signer is this desk or one it
/// trusts — then merges it (or, with `dry_run`, says what merging would do).
pub fn import(desk: &Desk, bytes: &[u8], dry_run: bool) -> Result<MergeReport, DeskError> {
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let (first, rest) = match text.iter().position(|&b| b == b'\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &[][..]),
    };
    let header: Header = serde_json::from_slice(first).map_err(|_| DeskError::NotABundle)?;
    if header.zhuqi_bundle > BUNDLE_VERSION {
        return Err(DeskError::NewerBundle(header.zhuqi_bundle));
    }
    let (body, last) = match rest.iter().rposition(|&b| b == b'\n') {
        Some(i) => (&rest[..=i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let trailer: Trailer = serde_json::from_slice(last).map_err(|_| DeskError::TruncatedBundle)?;
    let lines = body.iter().filter(|&&b| b == b'\n').count();
    if lines != trailer.zhuqi_bundle_end.lines
        || hex(&Sha256::digest(body)) != trailer.zhuqi_bundle_end.sha256
    {
        return Err(DeskError::AlteredBundle);
    }
    let (Some(signer), Some(signature)) = (&header.signer, &trailer.zhuqi_bundle_end.signature)
    else {
        return Err(DeskError::UnsignedBundle);
    };
    let own = crate::desk::keys::DeskKey::load_or_create(desk.data_dir())?.public();
    let trusted = crate::desk::keys::trusted(desk.data_dir())?;
    if *signer != own && !trusted.values().any(|k| k == signer) {
        return Err(DeskError::UntrustedBundle {
            key: signer.clone(),
        });
    }
    let message = signed_part(first, &trailer.zhuqi_bundle_end.sha256);
    if !crate::desk::keys::verify(signer, &message, signature) {
        return Err(DeskError::AlteredBundle);
    }
    desk.merge_commands(body, dry_run)
}
