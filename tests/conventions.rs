//! Conventions of a well-made command-line tool: a configuration that is never silently ignored,
//! a checked calendar, completions, a manual, `--version` with the paths, a log file.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{stderr, stdout, tempdir};

/// zhuqi with an explicit configuration file.
fn with_config(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhuqi"))
        .args(args)
        .env("ZHUQI_DATA_DIR", dir)
        .env("ZHUQI_CONFIG", config)
        .env("ZHUQI_LOG_FILE", dir.join("zhuqi.log"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("ZHUQI_NOW")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_kind_of_broken_configuration_stops_with_its_line() {
    let dir = tempdir();
    let config = dir.path().join("config.toml");
    let cases: [(&str, &str); 6] = [
        ("district = \"秀洲区\n", "config.toml:1:"),
        (
            "district = \"秀洲区\"\nwarning_dayz = 2\n",
            "config.toml:2:1: unknown field `warning_dayz`, expected one of",
        ),
        ("ack_days = \"one\"\n", "config.toml:1:"),
        (
            "[[category]]\nname = \"审批\"\ndays = 5\n\n[[category]]\nname = \"消防\"\n",
            "missing field `days`",
        ),
        ("warning_days = -2\n", "config.toml:1:16"),
        (
            "color = \"rainbow\"\n",
            "config.toml:1:9: unknown variant `rainbow`, expected `auto` or `never`",
        ),
    ];
    for (text, message) in cases {
        std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
        for args in [&["list"][..], &["config", "check"][..]] {
            let out = with_config(dir.path(), &config, args);
            assert_eq!(out.status.code(), Some(1), "{text:?} {args:?}");
            assert!(stderr(&out).contains(message), "{text:?}: {}", stderr(&out));
        }
    }
    // No data was touched by a refused start.
    assert!(!dir.path().join("journal.jsonl").exists());
}

#[test]
fn the_first_run_writes_a_commented_configuration_that_check_accepts() {
    let dir = tempdir();
    let config = dir.path().join("cfg").join("config.toml");
    let out = with_config(dir.path(), &config, &["config", "check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    assert!(text.contains("# Yellow card"), "the file explains itself");
    assert!(text.contains("[[category]]"));
    let path = with_config(dir.path(), &config, &["config", "path"]);
    assert_eq!(stdout(&path).trim(), config.display().to_string());
    let show = stdout(&with_config(dir.path(), &config, &["config", "show"]));
    assert!(
        show.contains("warning_days = 2") && show.contains("name = \"水电气\"\ndays = 5"),
        "{show}"
    );
}

#[test]
fn a_category_limit_in_the_configuration_moves_the_due_date() {
    let dir = tempdir();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[category]]\nname = \"消防\"\ndays = 3\n[[category]]\nname = \"其他\"\ndays = 10\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        let out = with_config(dir.path(), &config, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    run(&["steward", "add", "朱洁", "--dept", "区住建局"]);
    run(&[
        "--now",
        "2024-01-10T09:00",
        "capture",
        "--enterprise",
        "圆通",
        "--category",
        "消防",
        "--text",
        "审批慢",
    ]);
    run(&[
        "--now",
        "2024-01-10T10:00",
        "assign",
        "1",
        "--steward",
        "朱洁",
        "--lead",
        "区住建局",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["show", "1", "--format", "json"])).unwrap_or_default();
    // Three working days from Wednesday 2024-01-10.
    assert_eq!(shown["due"].as_str(), Some("2024-01-15"));
    // The same appeal with the shipped limit of 15 days would have been due 2024-01-31.
    std::fs::write(&config, "").unwrap_or_else(|e| panic!("{e}"));
    run(&[
        "--now",
        "2024-01-10T11:00",
        "capture",
        "--enterprise",
        "圆通",
        "--category",
        "消防",
        "--text",
        "另一件",
    ]);
    run(&[
        "--now",
        "2024-01-10T11:00",
        "assign",
        "2",
        "--steward",
        "朱洁",
        "--lead",
        "区住建局",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["show", "2", "--format", "json"])).unwrap_or_default();
    assert_eq!(shown["due"].as_str(), Some("2024-01-31"));
    // An unknown category is refused, naming the configured ones.
    let out = with_config(
        dir.path(),
        &config,
        &[
            "capture",
            "--enterprise",
            "圆通",
            "--category",
            "吃饭",
            "--text",
            "x",
        ],
    );
    assert!(stderr(&out).contains("消防, 用地"), "{}", stderr(&out));
}

#[test]
fn a_number_prefix_shows_on_appeals_and_is_accepted_back() {
    let dir = tempdir();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "number_prefix = \"XZ\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = with_config(
        dir.path(),
        &config,
        &[
            "--now",
            "2024-01-10",
            "capture",
            "--enterprise",
            "圆通",
            "--category",
            "消防",
            "--text",
            "审批慢",
        ],
    );
    assert_eq!(stdout(&out), "saved: appeal XZ-1, listed.\n");
    for reference in ["XZ-1", "xz-1", "1", "#1"] {
        let out = with_config(dir.path(), &config, &["show", reference]);
        assert!(
            stdout(&out).starts_with("Appeal XZ-1"),
            "{reference}: {}",
            stderr(&out)
        );
    }
    std::fs::write(&config, "number_prefix = \"X 1\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = with_config(dir.path(), &config, &["list"]);
    assert!(
        stderr(&out).contains("config.toml:1:1: number_prefix"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_calendar_is_shown_and_checked_with_line_numbers() {
    let dir = tempdir();
    let d = dir.path();
    let show = common::zhuqi(d, &["calendar", "show", "--year", "2024"]);
    let text = stdout(&show);
    // 2024-02-04 was a make-up Sunday, 2024-02-10..17 the Spring Festival.
    assert!(
        text.contains("2024-02\n") && text.contains("  4 +") && text.contains(" 12 *"),
        "{text}"
    );
    assert!(text.contains("2024 has 251 working days."), "{text}");
    let uncovered = stdout(&common::zhuqi(d, &["calendar", "show", "--year", "2030"]));
    assert!(uncovered.contains("no holidays for 2030"), "{uncovered}");
    assert!(stdout(&common::zhuqi(d, &["calendar", "check"])).contains("2023, 2024, 2025, 2026"));

    let cases: [(&str, &str); 3] = [
        (
            "[years.2025]\nholidays = [\n  \"2025-01-01\",\n  \"2025-02-29\",\n]\n",
            "calendar.toml:4:3: \"2025-02-29\" is not a date that exists",
        ),
        (
            "[years.2025]\nholidays = [\"2025-10-01..2025-10-08\"]\nworkdays = [\"2025-10-04\"]\n",
            "calendar.toml:3:13: 2025-10-04 is listed both as a holiday and as a working day (also on line 2)",
        ),
        (
            "[years.2025]\nholidays = [\"2025-10-08..2025-10-01\"]\n",
            "calendar.toml:2:13: the range \"2025-10-08..2025-10-01\" ends before it starts",
        ),
    ];
    for (text, message) in cases {
        std::fs::write(d.join("calendar.toml"), text).unwrap_or_else(|e| panic!("{e}"));
        for args in [&["calendar", "check"][..], &["list"][..]] {
            let out = common::zhuqi(d, args);
            assert_eq!(out.status.code(), Some(1));
            assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        }
    }
}

#[test]
fn completions_and_the_manual() {
    let dir = tempdir();
    let bash = stdout(&common::zhuqi(dir.path(), &["completions", "bash"]));
    for sub in [
        "capture",
        "assign",
        "escalate",
        "feedback",
        "calendar",
        "completions",
    ] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    for shell in ["zsh", "fish", "powershell"] {
        let out = common::zhuqi(dir.path(), &["completions", shell]);
        assert!(
            out.status.success() && stdout(&out).contains("capture"),
            "{shell}"
        );
    }
    let man = stdout(&common::zhuqi(dir.path(), &["man"]));
    assert!(man.contains(".TH zhuqi 1"), "{man}");
    assert!(man.contains(".SH \"EXIT STATUS\""));
    // Rendered by the system's man, where there is one.
    let page = dir.path().join("zhuqi.1");
    std::fs::write(&page, &man).unwrap_or_else(|e| panic!("{e}"));
    if let Ok(out) = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout).replace("\u{8}", "");
        assert!(
            out.status.success(),
            "man -l failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("EXIT STATUS") && text.contains("capture"),
            "{text}"
        );
    }
}

#[test]
fn version_lists_the_paths_in_use() {
    let dir = tempdir();
    let out = common::zhuqi(dir.path(), &["--version"]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("zhuqi {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("data:     {}\n", dir.path().display())),
        "{text}"
    );
    assert!(text.contains(&format!(
        "journal:  {}\n",
        dir.path().join("journal.jsonl").display()
    )));
    assert!(text.contains("config:   ") && text.contains("log:      "));
    let other = dir.path().join("other");
    let flag = stdout(&common::zhuqi(
        dir.path(),
        &[
            "--data-dir",
            other.to_str().unwrap_or_default(),
            "--version",
        ],
    ));
    assert!(
        flag.contains(&format!("data:     {}\n", other.display())),
        "{flag}"
    );
    assert_eq!(stdout(&common::zhuqi(dir.path(), &["-V"])), text);
}

#[test]
fn commands_and_refusals_are_logged_with_the_appeal_number() {
    let dir = tempdir();
    let d = dir.path();
    let ok = common::zhuqi(
        d,
        &[
            "--now",
            "2024-01-10",
            "capture",
            "--enterprise",
            "圆通",
            "--category",
            "消防",
            "--text",
            "审批慢",
        ],
    );
    assert!(ok.status.success());
    let refused = common::zhuqi(d, &["--now", "2024-01-10T10:00", "answer", "1", "x"]);
    assert_eq!(refused.status.code(), Some(1));
    let log = std::fs::read_to_string(d.join("zhuqi.log")).unwrap_or_default();
    assert!(
        log.contains("saved appeal=1 events=[\"enterprise\", \"capture\", \"list\"]"),
        "{log}"
    );
    assert!(
        log.contains("refused appeal=Some(1) events=[\"answer\"] refusal=NotAllowed"),
        "{log}"
    );
    assert!(log.contains("command command=Capture"), "{log}");
    // Nothing of it reached the terminal.
    assert!(!stderr(&ok).contains("INFO") && !stdout(&ok).contains("INFO"));
}
