//! The export of the list's view (`x`), read and written on another thread: a view of the whole
//! list at 100,000 appeals takes seconds to read whole, and the desk keeps answering keys.

use std::path::PathBuf;

use super::app::MessageKind;
use super::background::Background;
use crate::desk::DeskError;
use crate::desk::view_export::ViewExport;
use crate::io::export::{ExportError, ExportFormat};
use crate::strings::Lang;

type Written = Result<usize, ExportError>;

#[derive(Default)]
pub struct Exporting {
    job: Option<(PathBuf, Background<Written>)>,
    /// `q` came while the export was being written: the desk quits once it is.
    pub quit_when_written: bool,
}

impl Exporting {
    pub fn under_way(&self) -> bool {
        self.job.is_some()
    }

    /// Reads the appeals of `export` whole and writes them with the figures to `path` as a
    /// workbook, on another thread.
    pub fn start(
        &mut self,
        export: ViewExport,
        lang: Lang,
        path: PathBuf,
    ) -> Result<(), DeskError> {
        let target = path.clone();
        let job = Background::start("the export", move || {
            let (rows, figures) = export.read()?;
            let format = ExportFormat::Xlsx;
            Ok(
                crate::io::export::export(&rows, &figures, lang, format, false, &target)
                    .map(|()| rows.len()),
            )
        })?;
        self.job = Some((path, job));
        Ok(())
    }

    /// What to say once the export is written or has failed; `None` while it is under way or
    /// when there is none.
    pub fn receive(&mut self, lang: Lang) -> Option<(MessageKind, String)> {
        let (path, job) = self.job.as_ref()?;
        let said = match job.take()? {
            Ok(Ok(n)) => (
                MessageKind::Saved,
                lang.exported(n, &path.display().to_string()),
            ),
            Ok(Err(e)) => (MessageKind::Error, lang.export_error(&e)),
            Err(e) => (MessageKind::Error, lang.error(&e)),
        };
        if said.0 != MessageKind::Saved {
            // The failure is said, not quit over.
            self.quit_when_written = false;
        }
        self.job = None;
        Some(said)
    }
}
