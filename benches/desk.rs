//! In-process measurements of the desk on a prepared data directory (`bench/run.sh` makes them
//! with `zhuqi demo --appeals N`). Not timed assertions: it prints what it measured.
//!
//!     cargo bench --bench desk -- DATA_DIR [--now 2026-11-27T10:00]
//!
//! 1. open → first screen: `Desk::open`, `App::new` (which starts reading the list on another
//!    thread) and the first frame drawn into a 120×40 `TestBackend` — the app's own startup path,
//!    in-process; then until every open appeal is in, and until every appeal is in;
//! 2. keystroke → frame while typing a filter (`/` then pinyin initials, and back), and while
//!    scrolling: key handled, one slice of filtering, frame drawn;
//! 3. keystroke → filter results complete;
//! 5. one durable lifecycle action (a progress note), p50 and p99.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zhuqi::desk::clock::parse_local;
use zhuqi::desk::{Action, Desk, DeskOptions};
use zhuqi::strings::Lang;
use zhuqi::tui::app::{App, Screen};
use zhuqi::tui::theme::Theme;
use zhuqi::tui::ui;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len().max(1));
    samples.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(dir) = args.first().cloned() else {
        eprintln!("usage: cargo bench --bench desk -- DATA_DIR [--now TIME]");
        return;
    };
    let now = args
        .iter()
        .position(|a| a == "--now")
        .and_then(|i| args.get(i + 1))
        .and_then(|t| parse_local(t));
    let options = DeskOptions {
        data_dir: Some(dir.clone().into()),
        config: Some(std::path::PathBuf::from(&dir).join("bench-config.toml")),
        now,
        actor: Some("bench".into()),
        // As the desk in the terminal opens it.
        cache: zhuqi::store::Cache::Lean,
        reads_only: false,
    };

    // 1. open → first screen, five times (each a fresh open of the store): the first frame
    // (drawn before the list's rows are in: they are read on another thread), the frame once
    // every open appeal is in (the tabs the list opens on are complete then: open appeals are
    // read first), and the frame once every appeal is in and the filter has run.
    let mut opens = Vec::new();
    let mut open_tabs = Vec::new();
    let mut whole = Vec::new();
    let mut app = None;
    for _ in 0..5 {
        drop(app.take());
        let started = Instant::now();
        let desk = match Desk::open(&options) {
            Ok(d) => d,
            Err(e) => return eprintln!("cannot open {dir}: {e}"),
        };
        let mut a = match App::new(desk, Lang::Zh, Theme { color: true }) {
            Ok(a) => a,
            Err(e) => return eprintln!("{e}"),
        };
        a.screen = Screen::List;
        let mut t = match Terminal::new(TestBackend::new(120, 40)) {
            Ok(t) => t,
            Err(e) => return eprintln!("{e}"),
        };
        let _ = t.draw(|f| ui::draw(&a, f));
        opens.push(started.elapsed());
        let mut seen = 0;
        let mut open_done = false;
        while a.work() {
            if !a.list.busy() {
                // Only waiting for the reader: the desk's own loop waits on input here rather
                // than spinning, and so does this.
                std::thread::sleep(Duration::from_millis(1));
            }
            if !open_done {
                let rows = &a.list.entries;
                open_done = rows[seen..].iter().any(|r| !r.status.is_open());
                seen = rows.len();
                if open_done {
                    while a.list.work() {}
                    let _ = t.draw(|f| ui::draw(&a, f));
                    open_tabs.push(started.elapsed());
                }
            }
        }
        if !open_done {
            open_tabs.push(started.elapsed());
        }
        let _ = t.draw(|f| ui::draw(&a, f));
        whole.push(started.elapsed());
        app = Some(a);
    }
    let Some(mut app) = app else { return };
    let appeals = app.list.entries.len();
    let mut term = match Terminal::new(TestBackend::new(120, 40)) {
        Ok(t) => t,
        Err(e) => return eprintln!("{e}"),
    };

    // 2 and 3. Typing a filter: each key, then one slice of work and a frame (what the person
    // sees), and separately the time until the results are complete.
    app.screen = Screen::List;
    key(&mut app, KeyCode::Char('/'));
    let mut frames = Vec::new();
    let mut complete = Vec::new();
    for round in 0..40 {
        let typed: &[char] = if round % 2 == 0 {
            &['j', 'x', 'f']
        } else {
            &['嘉', '兴']
        };
        for c in typed
            .iter()
            .copied()
            .chain(std::iter::repeat_n('\u{8}', typed.len()))
        {
            let started = Instant::now();
            if c == '\u{8}' {
                key(&mut app, KeyCode::Backspace);
            } else {
                key(&mut app, KeyCode::Char(c));
            }
            let more = app.work();
            let _ = term.draw(|f| ui::draw(&app, f));
            frames.push(started.elapsed());
            if more {
                while app.work() {}
            }
            complete.push(started.elapsed());
        }
    }
    key(&mut app, KeyCode::Enter);
    // Scrolling the full list.
    app.list.set_tab(zhuqi::tui::screens::list::Tab::All);
    while app.work() {}
    let mut scroll = Vec::new();
    for i in 0..400 {
        let started = Instant::now();
        key(
            &mut app,
            if i % 100 < 70 {
                KeyCode::Down
            } else {
                KeyCode::PageDown
            },
        );
        let _ = term.draw(|f| ui::draw(&app, f));
        scroll.push(started.elapsed());
    }

    // The screens worked out when first shown: the board (F4) and the figures (F5), then the
    // figures' other periods (→), each worked out from the sums of its days.
    let mut shown = Vec::new();
    for (name, code) in [
        ("board (F4)", KeyCode::F(4)),
        ("figures (F5)", KeyCode::F(5)),
        ("figures, last week (→)", KeyCode::Right),
        ("figures, this month (→)", KeyCode::Right),
        ("figures, all time (→)", KeyCode::Right),
    ] {
        let started = Instant::now();
        key(&mut app, code);
        let _ = term.draw(|f| ui::draw(&app, f));
        let frame = started.elapsed();
        // Worked out on another thread: the key's frame comes at once, the result later.
        while app.work() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = term.draw(|f| ui::draw(&app, f));
        shown.push((name, frame, started.elapsed()));
    }
    key(&mut app, KeyCode::F(3));

    // 5. One durable action, in-process: a progress note on an open appeal.
    let target = app
        .list
        .entries
        .iter()
        .find(|r| r.status.is_open() && r.status != zhuqi::domain::Status::Captured)
        .map(|r| r.number.to_string());
    let mut actions = Vec::new();
    if let Some(n) = target {
        for i in 0..100 {
            let started = Instant::now();
            if let Err(e) = app.desk.act(
                &n,
                Action::Note {
                    text: format!("测量 {i}"),
                },
            ) {
                eprintln!("note refused: {e}");
                break;
            }
            actions.push(started.elapsed());
        }
    }

    println!("| measure ({appeals} appeals) | p50 | p99 |");
    println!("|---|---|---|");
    println!(
        "| open → first screen (in-process, TestBackend 120×40), 5 opens | {} | max {} |",
        ms(percentile(&mut opens.clone(), 0.5)),
        ms(percentile(&mut opens, 1.0))
    );
    println!(
        "| open → every open appeal in (the tabs the list opens on complete) | {} | max {} |",
        ms(percentile(&mut open_tabs.clone(), 0.5)),
        ms(percentile(&mut open_tabs, 1.0))
    );
    println!(
        "| open → every appeal in, filter run, frame drawn | {} | max {} |",
        ms(percentile(&mut whole.clone(), 0.5)),
        ms(percentile(&mut whole, 1.0))
    );
    println!(
        "| keystroke → frame, typing a filter | {} | {} |",
        ms(percentile(&mut frames.clone(), 0.5)),
        ms(percentile(&mut frames, 0.99))
    );
    println!(
        "| keystroke → filter results complete | {} | {} |",
        ms(percentile(&mut complete.clone(), 0.5)),
        ms(percentile(&mut complete, 0.99))
    );
    println!(
        "| keystroke → frame, scrolling | {} | {} |",
        ms(percentile(&mut scroll.clone(), 0.5)),
        ms(percentile(&mut scroll, 0.99))
    );
    for (name, frame, done) in shown {
        println!(
            "| key → the {name}: its first frame | {} | worked out and drawn: {} |",
            ms(frame),
            ms(done)
        );
    }
    if !actions.is_empty() {
        println!(
            "| durable note (journal fsync + transaction + flush + fsync) | {} | {} |",
            ms(percentile(&mut actions.clone(), 0.5)),
            ms(percentile(&mut actions, 0.99))
        );
    }
}
