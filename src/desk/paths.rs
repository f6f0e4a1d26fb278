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

/// Writes a file readable by its owner only, whatever the umask (what the desk writes names
/// people: exports, notices, bundles, reports), and waits until it is on disk.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    // A file that was there before keeps its mode on open: set it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()
}
