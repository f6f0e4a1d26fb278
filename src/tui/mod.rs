//! The desk in the terminal: ratatui + crossterm. The terminal is taken only after the panic
//! hook is in place, and given back on every way out: quit, error, panic, and around `$EDITOR`.

pub mod app;
pub mod background;
mod boxes;
pub mod component;
pub mod export;
pub mod keymap;
pub mod registry;
pub mod screens;
pub mod sync;
pub mod theme;
pub mod ui;
pub mod widgets;
mod words;

use std::io::{self, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use crate::desk::settings::ColorSetting;
use crate::desk::{Desk, DeskError};
use crate::strings::Lang;
use app::{App, Effect};
use theme::Theme;

/// How long to wait for input when there is no work in hand.
const IDLE_POLL: Duration = Duration::from_millis(200);
/// How long to wait for input while the list is still being read.
const READ_POLL: Duration = Duration::from_millis(20);
/// How often a frame is drawn while work goes on between keystrokes: the list's filter runs in
/// 3 ms slices, and a frame after each made a million appeals take 0.15 s longer to come in.
const BUSY_FRAME: Duration = Duration::from_millis(16);

/// When the next frame is due: at once after input, and when work in hand is done; while it goes
/// on, once every `BUSY_FRAME`.
struct Pacing {
    last_frame: Option<Instant>,
    input: bool,
}

impl Pacing {
    fn new() -> Pacing {
        Pacing {
            last_frame: None,
            input: false,
        }
    }

    /// Whether to draw now, `working` being whether work remains after the last slice.
    fn due(&self, now: Instant, working: bool) -> bool {
        self.input
            || !working
            || self
                .last_frame
                .is_none_or(|t| now.duration_since(t) >= BUSY_FRAME)
    }

    fn drawn(&mut self, now: Instant) {
        self.last_frame = Some(now);
        self.input = false;
    }

    fn input(&mut self) {
        self.input = true;
    }
}

/// What can stop the desk in the terminal: the desk itself, or the terminal.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error("the desk needs a terminal")]
    NoTerminal,
    #[error("the terminal failed: {0}")]
    Terminal(#[source] std::io::Error),
}

/// Carries out a command that came over the data directory's socket, on the open desk.
pub type Serve = Box<dyn FnMut(&mut Desk, crate::remote::Request) -> crate::remote::Reply>;

/// Takes the terminal, opens the desk with `open`, and runs it until the user quits; commands
/// run meanwhile on the same data directory are carried out by `serve`.
pub fn run(
    open: impl FnOnce() -> Result<Desk, DeskError>,
    lang: Lang,
    color: ColorSetting,
    serve: Serve,
) -> Result<(), TuiError> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(TuiError::NoTerminal);
    }
    // Bracketed paste is switched off again on a panic too (ratatui's hook restores the rest).
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        previous(info);
    }));
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(TuiError::Terminal(e));
        }
    };
    let _ = execute!(io::stdout(), EnableBracketedPaste);
    let result = open_and_run(&mut terminal, open, lang, color, serve);
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

fn open_and_run(
    terminal: &mut DefaultTerminal,
    open: impl FnOnce() -> Result<Desk, DeskError>,
    lang: Lang,
    color: ColorSetting,
    serve: Serve,
) -> Result<(), TuiError> {
    // The store of a large desk takes a moment to open (and an older one longer, to be laid out
    // anew): the terminal says so, and keys typed meanwhile come to the desk instead of being
    // echoed by the shell's terminal.
    terminal
        .draw(|f| ui::draw_opening(f, lang))
        .map_err(TuiError::Terminal)?;
    let desk = open()?;
    let upgraded = desk.open_report().upgraded_from.clone();
    let damaged = desk.open_report().rebuilt_from_damaged.clone();
    let undone = desk.open_report().undone_bulk.clone();
    // Commands on this data directory come to this desk while it is open.
    let listener = match crate::remote::listen(desk.data_dir(), wake_the_terminal) {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!("commands cannot reach the open desk: {e}");
            None
        }
    };
    let mut app = App::new(desk, lang, Theme::from_env(color))?;
    app.commands = listener.map(|l| (l, serve));
    if let Some(old) = upgraded {
        app.say(app::MessageKind::Info, lang.upgraded(&old));
    }
    if let Some(old) = damaged {
        app.say(app::MessageKind::Info, lang.rebuilt_from_damaged(&old));
    }
    if let Some(undone) = undone {
        app.say(app::MessageKind::Info, lang.undone_bulk(&undone));
    }
    event_loop(terminal, &mut app).map_err(TuiError::Terminal)
}

/// Wakes the desk's wait for a key, so that a command run in another terminal is answered at
/// once rather than at the next idle poll (`IDLE_POLL`; a note took 0.3 s that way). crossterm's
/// blocking poll wakes only for the terminal's input and for SIGWINCH: a command raises the
/// latter, which the desk reads as a resize to the size it has (and draws again, as it does after
/// a command anyway).
fn wake_the_terminal() {
    #[cfg(unix)]
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGWINCH);
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    let inject_panic = std::env::var_os("ZHUQI_INJECT_PANIC").is_some();
    let mut pacing = Pacing::new();
    loop {
        // The work in hand goes first, so that its last slice is drawn before input is waited on.
        let working = app.work();
        let now = Instant::now();
        if pacing.due(now, working) {
            terminal.draw(|f| ui::draw(app, f))?;
            pacing.drawn(now);
        }
        if inject_panic {
            // A test hook: proves the terminal is given back when the desk panics.
            panic!("ZHUQI_INJECT_PANIC is set");
        }
        if app.quit {
            return Ok(());
        }
        if let Some(Effect::EditText) = app.effect.take() {
            edit_in_editor(terminal, app)?;
            pacing.input();
            continue;
        }
        let timeout = if !working {
            IDLE_POLL
        } else if app.list.busy() {
            Duration::ZERO
        } else {
            // Only waiting for rows from the reader: look again soon, without spinning.
            READ_POLL
        };
        if event::poll(timeout)? {
            match event::read()? {
                Event::Key(key) => app.on_key(key),
                Event::Paste(text) => app.on_paste(&text),
                _ => {}
            }
            pacing.input();
        }
        app.tick(Instant::now());
    }
}

/// Hands the terminal to `$EDITOR` (or `$VISUAL`, or `vi`) for the focused multi-line text.
fn edit_in_editor(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    let Some(text) = app.editor_text() else {
        return Ok(());
    };
    let mut file = tempfile::Builder::new()
        .prefix("zhuqi-")
        .suffix(".txt")
        .tempfile()?;
    file.write_all(text.as_bytes())?;
    file.flush()?;
    let editor = std::env::var("EDITOR")
        .or_else(|_| std::env::var("VISUAL"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi").to_string();
    let args: Vec<&str> = parts.collect();

    execute!(io::stdout(), DisableBracketedPaste, LeaveAlternateScreen)?;
    disable_raw_mode()?;
    let status = Command::new(&program).args(&args).arg(file.path()).status();
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    terminal.clear()?;

    match status {
        Ok(s) if s.success() => {
            let edited = std::fs::read_to_string(file.path())?;
            app.set_editor_text(&edited);
        }
        Ok(s) => app.say(
            app::MessageKind::Error,
            app.lang.editor_failed(&s.to_string()),
        ),
        Err(e) => app.say(
            app::MessageKind::Error,
            app.lang.editor_failed(&e.to_string()),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_work_goes_on_a_frame_is_drawn_once_every_busy_frame() {
        let start = Instant::now();
        let mut pacing = Pacing::new();
        assert!(pacing.due(start, true), "the first frame comes at once");
        pacing.drawn(start);
        let soon = start + BUSY_FRAME / 4;
        assert!(!pacing.due(soon, true), "a slice later, no frame yet");
        assert!(
            pacing.due(start + BUSY_FRAME, true),
            "one BUSY_FRAME later, a frame"
        );
    }

    #[test]
    fn input_and_the_end_of_the_work_are_drawn_at_once() {
        let start = Instant::now();
        let mut pacing = Pacing::new();
        pacing.drawn(start);
        let soon = start + Duration::from_millis(1);
        assert!(
            pacing.due(soon, false),
            "the work's last slice is drawn before waiting for keys"
        );
        pacing.input();
        assert!(
            pacing.due(soon, true),
            "a key is answered while work goes on"
        );
        pacing.drawn(soon);
        assert!(!pacing.due(soon, true), "and then paced again");
    }
}
