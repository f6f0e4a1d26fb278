//! Where the desk keeps things: `--data-dir`, else `ZHUQI_DATA_DIR`, else the XDG data directory.

use std::path::{Path, PathBuf};

/// The data directory to use, from the option, the environment, or the platform's default.
pub fn data_dir(option: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = option {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ZHUQI_DATA_DIR").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "zhuqi").map(|d| d.data_dir().to_path_buf())
}

/// The configuration file: `--config`, else `ZHUQI_CONFIG`, else `config.toml` in the XDG
/// config directory.
pub fn config_file(option: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = option {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ZHUQI_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "zhuqi").map(|d| d.config_dir().join("config.toml"))
}

/// Creates the directory (and its parents) readable by the owner only: appeals name people.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Whether this process can write in `dir`.
pub fn writable(dir: &Path) -> bool {
    tempfile::tempfile_in(dir).is_ok()
}

/// A private copy (owner only) of what a desk reads in `dir`: the journal, the calendar, the
/// hub link and the store. For reading a desk this process cannot write (a backup on a
/// read-only medium): the engine opens nothing read-only.
pub fn private_copy(dir: &Path) -> std::io::Result<tempfile::TempDir> {
    let copy = tempfile::Builder::new().prefix("zhuqi-read-").tempdir()?;
    for name in [
        "journal.jsonl",
        "calendar.toml",
        "hub.toml",
        "desk.key",
        "trusted.toml",
    ] {
        let from = dir.join(name);
        if from.is_file() {
            copy_private(&from, &copy.path().join(name))?;
        }
    }
    for tree in ["store", "journal.sealed"] {
        let from = dir.join(tree);
        if from.is_dir() {
            copy_tree(&from, &copy.path().join(tree))?;
        }
    }
    Ok(copy)
}

/// Copies a folder and all it holds, each file readable by its owner only.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    create_private_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            copy_private(&entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Copies a file to a new one readable (and writable) by its owner only, whatever the
/// original's mode or the umask, and waits until it is on disk.
pub fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut target = options.open(to)?;
    std::io::copy(&mut source, &mut target)?;
    target.sync_all()
}

/// Writes a file readable by its owner only, whatever the umask (what the desk writes names
/// people: exports, notices, bundles, reports), and waits until it is on disk. It is written
/// under a temporary name and renamed over `path` once whole: a write that fails (a full disk)
/// leaves what was there as it was.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    prepare_private(path, bytes)?.put_in_place()
}

/// As [`write_private`], the file's bytes given a part at a time by `write` (an export of a
/// million appeals need not be held whole). Nothing is put in place unless `write` succeeds.
pub fn write_private_with<E>(
    path: &Path,
    io: impl Fn(std::io::Error) -> E,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), E>,
) -> Result<(), E> {
    use std::io::Write;
    let mut prepared = prepare_private(path, b"").map_err(&io)?;
    match &mut prepared {
        Prepared::Temp { temp, .. } => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, temp.as_file_mut());
            write(&mut out)?;
            out.flush().map_err(&io)?;
            drop(out);
            temp.as_file().sync_all().map_err(&io)?;
        }
        Prepared::Direct { path, .. } => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&*path)
                .map_err(&io)?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            return out.flush().map_err(io);
        }
    }
    prepared.put_in_place().map_err(io)
}

/// A file written whole under a temporary name beside where it goes, not there yet.
pub enum Prepared {
    Temp {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
        dir: PathBuf,
    },
    /// A terminal or a pipe (`-o /dev/stdout`): nothing to replace, written when put in place.
    Direct { path: PathBuf, bytes: Vec<u8> },
}

/// Writes `bytes` (synced, owner only) under a temporary name beside `path`: proof that the
/// file can be written before anything that depends on it is done.
pub fn prepare_private(path: &Path, bytes: &[u8]) -> std::io::Result<Prepared> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Ok(Prepared::Direct {
            path: path.to_path_buf(),
            bytes: bytes.to_vec(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".zhuqi-")
        .suffix(".partial")
        .tempfile_in(&dir)?;
    // tempfile creates it 0600 on Unix; said again in case that ever changes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    let mut prepared = Prepared::Temp {
        temp,
        path: path.to_path_buf(),
        dir,
    };
    prepared.replace_with(bytes)?;
    Ok(prepared)
}

impl Prepared {
    /// What the file will hold, written anew (synced).
    pub fn replace_with(&mut self, new: &[u8]) -> std::io::Result<()> {
        use std::io::{Seek, Write};
        match self {
            Prepared::Temp { temp, .. } => {
                let f = temp.as_file_mut();
                f.set_len(0)?;
                f.rewind()?;
                f.write_all(new)?;
                f.sync_all()
            }
            Prepared::Direct { bytes, .. } => {
                *bytes = new.to_vec();
                Ok(())
            }
        }
    }

    /// Renames it over its path, and makes the rename durable.
    pub fn put_in_place(self) -> std::io::Result<()> {
        use std::io::Write;
        match self {
            Prepared::Temp { temp, path, dir } => {
                temp.persist(&path).map_err(|e| e.error)?;
                std::fs::File::open(&dir).and_then(|d| d.sync_all())
            }
            Prepared::Direct { path, bytes } => std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(&bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_in_parts_is_put_in_place_whole_and_owner_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("out.jsonl");
        write_private_with(
            &path,
            |e| e,
            |out| {
                for part in ["一\n", "二\n", "三\n"] {
                    out.write_all(part.as_bytes())?;
                }
                Ok(())
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("一\n二\n三\n")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
    }

    #[test]
    fn a_write_in_parts_that_fails_half_way_leaves_what_was_there() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "before\n").unwrap_or_else(|e| panic!("{e}"));
        let failed = write_private_with(
            &path,
            |e| e.to_string(),
            |out| {
                out.write_all(b"half of it\n").map_err(|e| e.to_string())?;
                Err("the desk could not read an appeal".to_string())
            },
        );
        assert_eq!(failed, Err("the desk could not read an appeal".to_string()));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("before\n")
        );
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names, vec![std::ffi::OsString::from("out.csv")]);
    }
}
