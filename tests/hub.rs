//! The team desk against a real PostgreSQL hub (a throwaway cluster started by the tests): the
//! hub's schema, desks and their rights, sync, final numbers, conflicts, convergence of three
//! desks under random offline steps, a sync killed half-way, the hub stopped half-way.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use zhuqi::desk::{Action, CaptureInput, Desk, Due, Filter};
use zhuqi::hub::{DeskRole, InitReport, Outgoing, Session};

use pg_harness::Cluster;

#[path = "common/pg.rs"]
mod pg_harness;

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(Cluster::start)
}

/// A new hub (its own database) with its schema.
fn new_hub(cluster: &Cluster) -> String {
    let admin = cluster.new_database();
    let created = zhuqi::hub::init(&admin).unwrap_or_else(|e| panic!("hub init: {e}"));
    assert!(matches!(created, InitReport::Created { version: 1 }));
    admin
}

fn add_desk(admin: &str, name: &str, role: DeskRole) -> String {
    zhuqi::hub::add_desk(admin, name, role)
        .unwrap_or_else(|e| panic!("desk add {name}: {e}"))
        .url
}

/// A desk in `dir` joined to the hub as `name`.
fn joined_desk(dir: &Path, admin: &str, name: &str, role: DeskRole) -> Desk {
    let url = add_desk(admin, name, role);
    let mut desk = common::open(dir, "2026-11-25T10:00");
    desk.join_hub(&url)
        .unwrap_or_else(|e| panic!("join {name}: {e}"));
    desk
}

fn capture(desk: &Desk, text: &str) -> zhuqi::domain::Appeal {
    desk.capture(&CaptureInput {
        enterprise: "浙江圆通航空投资发展有限公司".into(),
        category: "消防".into(),
        text: text.into(),
        ..CaptureInput::default()
    })
    .unwrap_or_else(|e| panic!("capture: {e}"))
}

fn sync(desk: &Desk) -> zhuqi::desk::sync::SyncReport {
    desk.sync().unwrap_or_else(|e| panic!("sync: {e}"))
}

/// Everything a person can see of a desk's appeals: each appeal whole, its timeline in order,
/// and the steps not in effect; plus the figures and the board.
fn state(desk: &Desk) -> String {
    let mut rows = desk
        .list(&Filter::default())
        .unwrap_or_else(|e| panic!("list: {e}"));
    rows.sort_by_key(|r| r.appeal.number);
    let mut out = String::new();
    for r in rows {
        let (a, events) = desk
            .show(&r.appeal.id.to_string())
            .unwrap_or_else(|e| panic!("show: {e}"));
        let nie = desk.not_in_effect(&a, &events);
        out.push_str(&format!("{a:?}\n"));
        for e in &events {
            out.push_str(&format!(
                "  {} {:?} {:?}\n",
                e.id,
                e.body,
                e.hub.map(|h| h.seq)
            ));
        }
        out.push_str(&format!("  not in effect: {nie:?}\n"));
    }
    out.push_str(&format!(
        "{:?}\n",
        desk.figures_all_time().map_err(|e| e.to_string())
    ));
    out.push_str(&format!("{:?}\n", desk.board().map_err(|e| e.to_string())));
    out
}

fn admin_client(admin: &str) -> postgres::Client {
    postgres::Client::connect(admin, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn hub_init_twice_changes_nothing() {
    let c = cluster();
    let admin = new_hub(c);
    let objects = |admin: &str| -> i64 {
        admin_client(admin)
            .query_one(
                "SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'zhuqi%') \
                 + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'zhuqi%') \
                 + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zhuqi%')",
                &[],
            )
            .map(|r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = objects(&admin);
    assert!(before > 5);
    assert_eq!(
        zhuqi::hub::init(&admin).ok(),
        Some(InitReport::AlreadyCurrent { version: 1 })
    );
    assert_eq!(objects(&admin), before);
    // The command says what it did, both times.
    let dir = common::tempdir();
    let again = common::zhuqi(dir.path(), &["hub", "init", &admin]);
    assert!(again.status.success());
    assert!(common::stdout(&again).contains("nothing changed"));
}

#[test]
fn provisional_numbers_become_final_and_both_are_accepted() {
    let c = cluster();
    let admin = new_hub(c);
    let (da, db) = (common::tempdir(), common::tempdir());
    let z = |dir: &Path, args: &[&str]| common::zhuqi(dir, args);
    for (dir, name) in [(da.path(), "laptop-1"), (db.path(), "district")] {
        let added = z(
            dir,
            &["hub", "desk", "add", &admin, name, "--format", "json"],
        );
        assert!(added.status.success(), "{}", common::stderr(&added));
        let v: serde_json::Value =
            serde_json::from_str(&common::stdout(&added)).unwrap_or_default();
        assert_eq!(v["desk"], name);
        assert_eq!(v["role"], "officer");
        let url = v["url"].as_str().unwrap_or_default().to_string();
        let joined = z(dir, &["hub", "join", &url]);
        assert!(joined.status.success(), "{}", common::stderr(&joined));
        assert!(common::stdout(&joined).contains(name));
        // The link holds a password: its owner alone reads it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("hub.toml"))
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }
    // The district desk captures first, so the laptop's appeal cannot keep its own number.
    let first = z(
        db.path(),
        &[
            "capture",
            "--enterprise",
            "甲",
            "--category",
            "消防",
            "--text",
            "审批慢",
        ],
    );
    assert!(first.status.success());
    assert!(z(db.path(), &["sync"]).status.success());
    let offline = z(
        da.path(),
        &[
            "capture",
            "--enterprise",
            "乙",
            "--category",
            "消防",
            "--text",
            "验收慢",
        ],
    );
    assert!(
        common::stdout(&offline).contains("临1"),
        "{}",
        common::stdout(&offline)
    );
    let listed = z(da.path(), &["list", "--format", "json"]);
    let rows: serde_json::Value =
        serde_json::from_str(&common::stdout(&listed)).unwrap_or_default();
    assert_eq!(rows[0]["provisional"], true);
    assert_eq!(rows[0]["label"], "临1");
    let synced = z(da.path(), &["sync"]);
    assert!(synced.status.success(), "{}", common::stderr(&synced));
    assert!(
        common::stdout(&synced).contains("临1 → 2"),
        "{}",
        common::stdout(&synced)
    );
    for reference in ["临1", "2"] {
        let shown = z(da.path(), &["show", reference, "--format", "json"]);
        assert!(
            shown.status.success(),
            "{reference}: {}",
            common::stderr(&shown)
        );
        let v: serde_json::Value =
            serde_json::from_str(&common::stdout(&shown)).unwrap_or_default();
        assert_eq!(v["text"], "验收慢");
        assert_eq!(v["provisional"], false);
        assert_eq!(v["number"], 2);
    }
    // The district desk has it under the same number, and its own appeal as 1 on both.
    let pulled = z(db.path(), &["sync", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&pulled)).unwrap_or_default();
    assert_eq!(v["new_appeals"], 1);
    let on_b = z(db.path(), &["show", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&on_b)).unwrap_or_default();
    assert_eq!(v["text"], "验收慢");
    let on_a = z(da.path(), &["show", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&on_a)).unwrap_or_default();
    assert_eq!(v["text"], "审批慢");
    for d in [&da, &db] {
        let verified = z(d.path(), &["verify"]);
        assert!(verified.status.success(), "{}", common::stderr(&verified));
    }
}

#[test]
fn a_step_made_impossible_is_kept_not_in_effect_on_every_desk() {
    let c = cluster();
    let admin = new_hub(c);
    let (da, db) = (common::tempdir(), common::tempdir());
    let supervisor = joined_desk(da.path(), &admin, "supervisor", DeskRole::Supervisor);
    let steward = joined_desk(db.path(), &admin, "steward", DeskRole::Steward);
    for name in ["朱洁", "王磊"] {
        supervisor
            .add_steward(name, "区住建局", None, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let a = capture(&supervisor, "空港物流园区特殊消防审批进度慢");
    let id = a.id.to_string();
    supervisor
        .act(
            &id,
            Action::Assign {
                steward: "朱洁".into(),
                lead: "区住建局".into(),
                co: vec![],
                due: Due::WorkingDays(10),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    sync(&supervisor);
    sync(&steward);
    steward
        .act(&id, Action::Acknowledge)
        .unwrap_or_else(|e| panic!("{e}"));
    sync(&steward);
    sync(&supervisor);
    // Offline, both: the steward answers; the supervisor hands it to another steward.
    steward
        .act(
            &id,
            Action::Answer {
                text: "省住建厅已出具审查意见".into(),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    supervisor
        .act(
            &id,
            Action::Reassign {
                steward: "王磊".into(),
                lead: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    // The steward's answer reaches the hub first: the reassignment no longer holds.
    sync(&steward);
    let report = sync(&supervisor);
    assert_eq!(report.conflicts, 1, "{report:?}");
    sync(&steward);
    for desk in [&supervisor, &steward] {
        let found = desk.conflicts().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.len(), 1);
        let (appeal, events, nie) = (&found[0].appeal, &found[0].events, &found[0].not_in_effect);
        assert_eq!(appeal.status, zhuqi::domain::Status::Answered);
        assert_eq!(appeal.steward.as_deref(), Some("朱洁"));
        assert_eq!(nie.len(), 1);
        let step = events.iter().find(|e| e.id == nie[0].event);
        assert!(matches!(
            step.map(|e| &e.body),
            Some(zhuqi::domain::EventBody::Appeal {
                change: zhuqi::domain::AppealChange::Reassigned { .. },
                ..
            })
        ));
    }
    assert_eq!(state(&supervisor), state(&steward));
    // In the desk: `c` on the list lists it, Enter opens the appeal with the step marked.
    let mut app = zhuqi::tui::app::App::new(
        steward,
        zhuqi::strings::Lang::Zh,
        zhuqi::tui::theme::Theme::from_env(zhuqi::desk::settings::ColorSetting::Never),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    app.finish_reading().unwrap_or_else(|e| panic!("{e}"));
    app.screen = zhuqi::tui::app::Screen::List;
    let key = |app: &mut zhuqi::tui::app::App, code| {
        app.on_key(ratatui::crossterm::event::KeyEvent::new(
            code,
            ratatui::crossterm::event::KeyModifiers::NONE,
        ))
    };
    let screen = |app: &zhuqi::tui::app::App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40))
            .unwrap_or_else(|e| panic!("{e}"));
        t.draw(|f| zhuqi::tui::ui::draw(app, f))
            .unwrap_or_else(|e| panic!("{e}"));
        t.backend().to_string()
    };
    key(&mut app, ratatui::crossterm::event::KeyCode::Char('c'));
    let listed = screen(&app);
    assert!(listed.contains("冲突：未生效的步骤"), "{listed}");
    assert!(
        listed.contains("李斌 @ supervisor") || listed.contains("@ supervisor"),
        "{listed}"
    );
    key(&mut app, ratatui::crossterm::event::KeyCode::Enter);
    let opened = screen(&app);
    assert!(opened.contains("⚠ 未生效"), "{opened}");
    drop(app);
    // And the command says so on either desk.
    drop(supervisor);
    let listed = common::zhuqi(da.path(), &["conflicts", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&listed)).unwrap_or_default();
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["desk"], "supervisor");
}

#[test]
fn forged_future_and_viewer_events_are_refused_and_named() {
    let c = cluster();
    let admin = new_hub(c);
    let url_a = add_desk(&admin, "desk-a", DeskRole::Officer);
    add_desk(&admin, "desk-b", DeskRole::Officer);
    let url_v = add_desk(&admin, "viewer", DeskRole::Viewer);
    let mut session = Session::open(&url_a).unwrap_or_else(|e| panic!("{e}"));
    let event = |id: &str, desk: Option<&str>, at: &str| Outgoing {
        id: id.into(),
        body: serde_json::json!({
            "id": id, "at": at, "actor": "李斌",
            "body": {"department_added": {"name": "区消防救援大队"}},
            "desk": desk,
        })
        .to_string(),
        local_meeting: false,
    };
    let now = chrono::Local::now().fixed_offset();
    let ok_at = now.to_rfc3339();
    let ahead = (now + chrono::Duration::days(3)).to_rfc3339();
    let pushed = session
        .push(&[
            event("01HZZZZZZZZZZZZZZZZZZZZZZ1", Some("desk-b"), &ok_at),
            event("01HZZZZZZZZZZZZZZZZZZZZZZ2", None, &ok_at),
            event("01HZZZZZZZZZZZZZZZZZZZZZZ3", Some("desk-a"), &ahead),
            event("01HZZZZZZZZZZZZZZZZZZZZZZ4", Some("desk-a"), &ok_at),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pushed.taken, 2, "{pushed:?}");
    assert_eq!(pushed.refused.len(), 2);
    assert!(pushed.refused[0].reason.contains("names desk desk-b"));
    assert!(pushed.refused[1].reason.contains("ahead of the hub"));
    // Sent again: taken once.
    let again = session
        .push(&[event("01HZZZZZZZZZZZZZZZZZZZZZZ4", Some("desk-a"), &ok_at)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.taken, again.already), (0, 1));
    // The one that named no desk carries the sender's name.
    let pulled = session.pull(0, 10).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pulled.len(), 2);
    assert!(
        pulled
            .iter()
            .all(|p| p.body.contains("\"desk\": \"desk-a\""))
    );
    // A viewer reads, and may not write.
    let mut viewer = Session::open(&url_v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(viewer.pull(0, 10).map(|p| p.len()).ok(), Some(2));
    let refused = viewer
        .push(&[event("01HZZZZZZZZZZZZZZZZZZZZZZ5", None, &ok_at)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.refused.len(), 1);
    // No desk may change or remove an event; not even the administrator.
    let mut as_desk = zhuqi::hub::connect(&url_a).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        as_desk
            .execute("UPDATE zhuqi_events SET actor = '区长'", &[])
            .is_err()
    );
    assert!(as_desk.execute("DELETE FROM zhuqi_events", &[]).is_err());
    let mut admin_c = admin_client(&admin);
    let err = admin_c
        .execute("UPDATE zhuqi_events SET actor = '区长'", &[])
        .err()
        .map(|e| {
            e.as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_default()
        });
    assert!(err.is_some_and(|m| m.contains("append-only")));
    assert!(admin_c.execute("DELETE FROM zhuqi_events", &[]).is_err());
}

#[test]
fn sync_names_a_refused_step_exits_1_and_sends_the_rest() {
    let c = cluster();
    let admin = new_hub(c);
    let dir = common::tempdir();
    let url = add_desk(&admin, "laptop", DeskRole::Officer);
    let z = |args: &[&str]| common::zhuqi(dir.path(), args);
    assert!(z(&["hub", "join", &url]).status.success());
    assert!(
        z(&[
            "capture",
            "--enterprise",
            "甲",
            "--category",
            "消防",
            "--text",
            "一"
        ])
        .status
        .success()
    );
    // An appeal captured on another desk, carried here in a bundle before that desk synced: its
    // events name that desk, and only that desk may send them.
    let away_dir = common::tempdir();
    let za = |args: &[&str]| common::zhuqi(away_dir.path(), args);
    assert!(
        za(&["hub", "join", &add_desk(&admin, "away", DeskRole::Officer)])
            .status
            .success()
    );
    assert!(
        za(&[
            "capture",
            "--enterprise",
            "丙",
            "--category",
            "消防",
            "--text",
            "三"
        ])
        .status
        .success()
    );
    let bundle = away_dir.path().join("away.bundle");
    assert!(
        za(&[
            "bundle",
            "export",
            "--all",
            "-o",
            &bundle.display().to_string()
        ])
        .status
        .success()
    );
    let key = common::stdout(&za(&["bundle", "key"]));
    assert!(z(&["bundle", "trust", "away", key.trim()]).status.success());
    assert!(
        z(&["bundle", "import", &bundle.display().to_string()])
            .status
            .success()
    );
    assert!(
        z(&[
            "capture",
            "--enterprise",
            "乙",
            "--category",
            "消防",
            "--text",
            "二"
        ])
        .status
        .success()
    );
    let synced = z(&["sync", "--format", "json"]);
    assert_eq!(synced.status.code(), Some(1));
    assert!(
        common::stderr(&synced).contains("names desk away"),
        "{}",
        common::stderr(&synced)
    );
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&synced)).unwrap_or_default();
    assert!(
        v["refused"].as_array().is_some_and(|r| !r.is_empty()),
        "{v}"
    );
    // This desk's own captures went: they have final numbers.
    let listed = z(&["list", "--format", "json"]);
    let rows: serde_json::Value =
        serde_json::from_str(&common::stdout(&listed)).unwrap_or_default();
    let own: Vec<&serde_json::Value> = rows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["enterprise"] != "丙")
        .collect();
    assert_eq!(own.len(), 2);
    assert!(own.iter().all(|r| r["provisional"] == false), "{rows}");
    // The next sync names it again.
    let again = z(&["sync"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(common::stderr(&again).contains("names desk away"));

    // A viewer's desk may take steps on its own, but the hub takes none of them.
    let vdir = common::tempdir();
    let vurl = add_desk(&admin, "viewer", DeskRole::Viewer);
    let zv = |args: &[&str]| common::zhuqi(vdir.path(), args);
    assert!(zv(&["hub", "join", &vurl]).status.success());
    assert!(zv(&["sync"]).status.success());
    let noted = zv(&["note", "1", "查看"]);
    assert!(noted.status.success(), "{}", common::stderr(&noted));
    let refused = zv(&["sync"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr(&refused).contains("viewer"),
        "{}",
        common::stderr(&refused)
    );
}

#[test]
fn the_hub_stopped_mid_way_the_desk_goes_on_offline_then_catches_up() {
    // A cluster of its own: this test stops it.
    let c = Cluster::start();
    let admin = new_hub(&c);
    let dir = common::tempdir();
    let url = add_desk(&admin, "laptop", DeskRole::Officer);
    let z = |args: &[&str]| common::zhuqi(dir.path(), args);
    assert!(z(&["hub", "join", &url]).status.success());
    assert!(
        z(&[
            "capture",
            "--enterprise",
            "甲",
            "--category",
            "消防",
            "--text",
            "一"
        ])
        .status
        .success()
    );
    assert!(z(&["sync"]).status.success());
    c.stop_server();
    assert!(z(&["note", "1", "离线记录的进展"]).status.success());
    let offline = z(&["sync"]);
    assert_eq!(offline.status.code(), Some(1));
    let said = common::stderr(&offline);
    assert!(
        said.contains("cannot be reached") && said.contains("offline: 1 events"),
        "{said}"
    );
    // Work goes on offline.
    let captured = z(&[
        "capture",
        "--enterprise",
        "乙",
        "--category",
        "消防",
        "--text",
        "二",
    ]);
    assert!(common::stdout(&captured).contains("临"));
    c.start_server();
    let back = z(&["sync", "--format", "json"]);
    assert!(back.status.success(), "{}", common::stderr(&back));
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&back)).unwrap_or_default();
    // The note, and the capture with its enterprise and its listing; numbered without a gap
    // although the hub stopped as in a crash.
    assert_eq!(v["pushed"], 4, "{v}");
    assert_eq!(v["renumbered"][0]["to"], "2", "{v}");
    let count: i64 = admin_client(&admin)
        .query_one("SELECT count(*) FROM zhuqi_events", &[])
        .map(|r| r.get(0))
        .unwrap_or(-1);
    assert_eq!(count, 7);
}

#[test]
fn a_sync_killed_half_way_resumes_with_nothing_lost_or_doubled() {
    let c = cluster();
    let admin = new_hub(c);
    let dir = common::tempdir();
    let url = add_desk(&admin, "laptop", DeskRole::Officer);
    let z = |args: &[&str]| common::zhuqi(dir.path(), args);
    // The demo story and its thirty appeals, taken before the desk joined the hub.
    assert!(z(&["demo"]).status.success());
    assert!(z(&["hub", "join", &url]).status.success());
    let local_events = std::fs::read_to_string(common::journal(dir.path()))
        .map(|j| j.lines().count())
        .unwrap_or(0);
    assert!(local_events > 100);
    let mut rng = 7u64;
    for round in 0..8 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zhuqi"))
            .args(["sync"])
            .env("ZHUQI_DATA_DIR", dir.path())
            .env("ZHUQI_CONFIG", dir.path().join("no-config.toml"))
            .env("ZHUQI_LOG_FILE", dir.path().join("zhuqi.log"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(std::time::Duration::from_millis(
            5 + (rng >> 33) % 60 + round,
        ));
        let _ = child.kill();
        let _ = child.wait();
    }
    let done = z(&["sync"]);
    assert!(done.status.success(), "{}", common::stderr(&done));
    let mut client = admin_client(&admin);
    let (count, distinct): (i64, i64) = client
        .query_one("SELECT count(*), count(DISTINCT id) FROM zhuqi_events", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap_or((-1, -2));
    assert_eq!(count, distinct);
    assert_eq!(count as usize, local_events);
    assert!(z(&["verify"]).status.success());
    // A fresh desk that pulls everything shows the same list.
    let other = common::tempdir();
    let url2 = add_desk(&admin, "district", DeskRole::Supervisor);
    let zo = |args: &[&str]| common::zhuqi(other.path(), args);
    assert!(zo(&["hub", "join", &url2]).status.success());
    assert!(zo(&["sync"]).status.success());
    // Its journal (every line pulled) and its store agree, line by line.
    let verified = zo(&["verify"]);
    assert!(verified.status.success(), "{}", common::stderr(&verified));
    let list = |f: &dyn Fn(&[&str]) -> std::process::Output| {
        common::stdout(&f(&["list", "--format", "json"]))
    };
    assert_eq!(list(&z), list(&zo));
}

#[test]
fn a_desk_that_pulls_a_closed_history_moves_it_to_its_archive_and_shows_it_the_same() {
    let c = cluster();
    let admin = new_hub(c);
    let seed = common::tempdir();
    let z = |args: &[&str]| common::zhuqi(seed.path(), args);
    // More closed appeals than the live database keeps before moving them (500).
    let demo = z(&[
        "demo",
        "--appeals",
        "800",
        "--mix",
        "realistic",
        "--seed",
        "3",
    ]);
    assert!(demo.status.success(), "{}", common::stderr(&demo));
    let url = add_desk(&admin, "seed", DeskRole::Officer);
    assert!(z(&["hub", "join", &url]).status.success());
    let pushed = z(&["sync"]);
    assert!(pushed.status.success(), "{}", common::stderr(&pushed));
    let other = common::tempdir();
    let zo = |args: &[&str]| common::zhuqi(other.path(), args);
    let url2 = add_desk(&admin, "district", DeskRole::Supervisor);
    assert!(zo(&["hub", "join", &url2]).status.success());
    assert!(!other.path().join("store/archive").exists());
    let pulled = zo(&["sync"]);
    assert!(pulled.status.success(), "{}", common::stderr(&pulled));
    // The pull brought them through the live database; they moved on as they closed.
    assert!(other.path().join("store/archive/db").exists());
    let closed = common::stdout(&zo(&["list", "--status", "closed", "--format", "csv"]));
    assert!(closed.lines().count() > 500, "{closed}");
    for f in [&z as &dyn Fn(&[&str]) -> std::process::Output, &zo] {
        let verified = f(&["verify"]);
        assert!(verified.status.success(), "{}", common::stderr(&verified));
    }
    let list = |f: &dyn Fn(&[&str]) -> std::process::Output| {
        common::stdout(&f(&["list", "--format", "json"]))
    };
    assert_eq!(list(&z), list(&zo));
    let report = |f: &dyn Fn(&[&str]) -> std::process::Output| {
        common::stdout(&f(&["report", "--format", "json"]))
    };
    assert_eq!(report(&z), report(&zo));
}

/// One step a person might take on a desk, offline.
#[derive(Clone, Debug)]
enum Step {
    Capture,
    Assign(usize),
    Ack(usize),
    Note(usize),
    Answer(usize),
    Reassign(usize),
    Withdraw(usize),
    Feedback(usize),
    Sync,
}

fn step() -> impl Strategy<Value = (usize, Step)> {
    let pick = 0usize..6;
    (
        0usize..3,
        prop_oneof![
            2 => Just(Step::Capture),
            2 => pick.clone().prop_map(Step::Assign),
            2 => pick.clone().prop_map(Step::Ack),
            1 => pick.clone().prop_map(Step::Note),
            2 => pick.clone().prop_map(Step::Answer),
            2 => pick.clone().prop_map(Step::Reassign),
            1 => pick.clone().prop_map(Step::Withdraw),
            1 => pick.prop_map(Step::Feedback),
            3 => Just(Step::Sync),
        ],
    )
}

fn take(desk: &Desk, step: &Step) {
    let ids: Vec<String> = {
        let mut rows = desk.list(&Filter::default()).unwrap_or_default();
        rows.sort_by_key(|r| r.appeal.id);
        rows.iter().map(|r| r.appeal.id.to_string()).collect()
    };
    let on = |i: usize| ids.get(i % ids.len().max(1)).cloned();
    // A refusal is the desk saying no to a person: nothing to do.
    let _ = match step {
        Step::Capture => {
            capture(desk, "厂房消防验收");
            Ok(())
        }
        Step::Sync => {
            sync(desk);
            Ok(())
        }
        Step::Assign(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Assign {
                    steward: "朱洁".into(),
                    lead: "区住建局".into(),
                    co: vec![],
                    due: Due::WorkingDays(10),
                },
            )
            .map(drop)
        }),
        Step::Ack(i) => on(*i).map_or(Ok(()), |id| desk.act(&id, Action::Acknowledge).map(drop)),
        Step::Note(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Note {
                    text: "已联系".into(),
                },
            )
            .map(drop)
        }),
        Step::Answer(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Answer {
                    text: "已办结".into(),
                },
            )
            .map(drop)
        }),
        Step::Reassign(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Reassign {
                    steward: "王磊".into(),
                    lead: None,
                },
            )
            .map(drop)
        }),
        Step::Withdraw(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Withdraw {
                    reason: "企业撤回".into(),
                },
            )
            .map(drop)
        }),
        Step::Feedback(i) => on(*i).map_or(Ok(()), |id| {
            desk.act(
                &id,
                Action::Feedback {
                    rating: zhuqi::domain::Satisfaction::Satisfied,
                    comment: None,
                },
            )
            .map(drop)
        }),
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Three desks take random steps offline and sync at random; once each has synced after the
    /// last step, they show the same appeals, timelines, conflicts, figures and board.
    #[test]
    fn three_desks_converge(steps in prop::collection::vec(step(), 1..40)) {
        let c = cluster();
        let admin = new_hub(c);
        let dirs = [common::tempdir(), common::tempdir(), common::tempdir()];
        let desks: Vec<Desk> = dirs
            .iter()
            .enumerate()
            .map(|(i, d)| joined_desk(d.path(), &admin, &format!("desk-{i}"), DeskRole::Supervisor))
            .collect();
        for name in ["朱洁", "王磊"] {
            desks[0].add_steward(name, "区住建局", None, None).unwrap_or_else(|e| panic!("{e}"));
        }
        sync(&desks[0]);
        sync(&desks[1]);
        sync(&desks[2]);
        for (who, s) in &steps {
            take(&desks[*who], s);
        }
        for d in &desks { sync(d); }
        for d in &desks { sync(d); }
        let first = state(&desks[0]);
        prop_assert_eq!(&first, &state(&desks[1]));
        prop_assert_eq!(&first, &state(&desks[2]));
        for d in &desks {
            prop_assert_eq!(d.waiting_to_send().unwrap_or(usize::MAX), 0);
            // What each desk's journal holds is what its store holds, provisional numbers
            // made final and steps out of effect included.
            prop_assert_eq!(d.verify().map_err(|e| e.to_string()), Ok(Vec::new()));
        }
    }
}

#[path = "common/tmux.rs"]
mod tmux;

#[test]
fn a_hub_reached_with_sslmode_require_is_reached_over_tls() {
    let c = Cluster::start_with_tls();
    let admin = new_hub(&c);
    let db = admin
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("dbname="))
        .unwrap_or_default()
        .to_string();
    let Some(tls_admin) = c.admin_url_tls(&db) else {
        panic!("the cluster has no TLS port");
    };
    // The desk's address keeps sslmode=require; the desk joins and syncs over it.
    let desk_url = add_desk(&tls_admin, "remote", DeskRole::Officer);
    assert!(
        desk_url.contains("host=127.0.0.1") && desk_url.contains("sslmode=require"),
        "{desk_url}"
    );
    let ssl_of = |url: &str| -> bool {
        let mut client = zhuqi::hub::connect(url).unwrap_or_else(|e| panic!("{e}"));
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .map(|r| r.get(0))
            .unwrap_or(false)
    };
    assert!(ssl_of(&desk_url));
    assert!(!ssl_of(
        &desk_url.replace("sslmode=require", "sslmode=disable")
    ));
    let dir = common::tempdir();
    let mut desk = common::open(dir.path(), "2026-11-25T10:00");
    desk.join_hub(&desk_url).unwrap_or_else(|e| panic!("{e}"));
    capture(&desk, "经 TLS 同步");
    let r = sync(&desk);
    assert_eq!(r.pushed, 3);
}

#[test]
fn the_desk_in_the_terminal_syncs_in_the_background_and_marks_what_others_changed() {
    let c = cluster();
    let admin = new_hub(c);
    let (ta, tb) = (common::tempdir(), common::tempdir());
    let (da, db) = (ta.path().join("laptop"), tb.path().join("district"));
    let za = |args: &[&str]| common::zhuqi(&da, args);
    let zb = |args: &[&str]| common::zhuqi(&db, args);
    assert!(
        za(&[
            "hub",
            "join",
            &add_desk(&admin, "laptop", DeskRole::Steward)
        ])
        .status
        .success()
    );
    assert!(
        zb(&[
            "hub",
            "join",
            &add_desk(&admin, "district", DeskRole::Supervisor)
        ])
        .status
        .success()
    );
    let captured = zb(&[
        "capture",
        "--enterprise",
        "甲",
        "--category",
        "消防",
        "--text",
        "消防审批慢",
    ]);
    assert!(captured.status.success());
    assert!(zb(&["sync"]).status.success());
    assert!(za(&["sync"]).status.success());

    let term = tmux::Tmux::start(&da);
    term.text(&format!(
        "ZHUQI_SYNC_SECS=1 ZHUQI_CONFIG={cfg} {bin} --data-dir {dir} --lang zh --actor 朱洁",
        cfg = da.join("no-config.toml").display(),
        bin = env!("CARGO_BIN_EXE_zhuqi"),
        dir = da.display()
    ));
    term.keys(&["Enter"]);
    let first = term.wait_for("已同步");
    assert!(
        first
            .lines()
            .next()
            .is_some_and(|l| l.contains("朱洁 @ laptop")),
        "{first}"
    );
    term.keys(&["Left"]);
    // Elsewhere: a note on appeal 1 and a new appeal, synced.
    assert!(zb(&["note", "1", "住建局已受理"]).status.success());
    assert!(
        zb(&[
            "capture",
            "--enterprise",
            "乙",
            "--category",
            "消防",
            "--text",
            "验收慢"
        ])
        .status
        .success()
    );
    assert!(zb(&["sync"]).status.success());
    let changed = term.wait_for("2*");
    assert!(changed.contains("乙"), "{changed}");
    assert!(
        changed.contains("1*"),
        "appeal 1 is marked as changed elsewhere:\n{changed}"
    );
    // A step taken here goes up at once.
    term.keys(&["Enter"]);
    term.wait_for("时间线");
    term.keys(&["n"]);
    term.text("已电话联系企业");
    term.keys(&["C-s"]);
    term.wait_for("已保存");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        assert!(zb(&["sync"]).status.success());
        let listed = common::stdout(&zb(&["list", "--format", "json"]));
        if listed.contains("已电话联系企业") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the note never reached the other desk"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    term.keys(&["Escape", "q"]);
    term.wait_for_shell();
}
