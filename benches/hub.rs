//! The team desk against a real hub: a throwaway PostgreSQL cluster (as the tests start it), a
//! desk that generates N appeals and sends them up, a fresh desk's first full pull, incremental
//! syncs of 100 new events, and many desks writing and syncing at once. Not timed assertions: it
//! prints what it measured (BENCHMARKS.md has the runs).
//!
//!     cargo bench --bench hub -- [APPEALS] [DESKS] [SOAK_SECS]      (defaults 10000 20 300)

#[path = "../tests/common/pg.rs"]
mod pg;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use zhuqi::desk::{Action, CaptureInput, Desk, DeskOptions, Filter};
use zhuqi::hub::DeskRole;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len().max(1));
    samples.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The bytes the files under `dir` take on disk, in MB.
fn dir_mb(dir: &Path) -> f64 {
    fn bytes(dir: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => bytes(&e.path()),
                    Ok(m) => m.blocks() * 512,
                    Err(_) => 0,
                })
                .sum()
        })
    }
    bytes(dir) as f64 / 1e6
}

fn open(dir: &Path, actor: &str) -> Desk {
    let options = DeskOptions {
        data_dir: Some(dir.to_path_buf()),
        config: Some(dir.join("config.toml")),
        actor: Some(actor.to_string()),
        ..DeskOptions::default()
    };
    Desk::open(&options).unwrap_or_else(|e| panic!("open {}: {e}", dir.display()))
}

fn joined(dir: &Path, admin: &str, name: &str) -> Desk {
    let url = zhuqi::hub::add_desk(admin, name, DeskRole::Supervisor)
        .unwrap_or_else(|e| panic!("desk add: {e}"))
        .url;
    let mut desk = open(dir, name);
    desk.join_hub(&url).unwrap_or_else(|e| panic!("join: {e}"));
    desk
}

fn hub_count(admin: &str) -> (i64, i64) {
    let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    c.query_one("SELECT count(*), count(DISTINCT id) FROM zhuqi_events", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap_or((-1, -1))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let appeals: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let desks: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let soak = Duration::from_secs(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(300));
    let work = tempfile::Builder::new()
        .prefix("zhuqi-hub-bench-")
        .tempdir()
        .unwrap_or_else(|e| panic!("{e}"));
    let cluster = pg::Cluster::start();
    let admin = cluster.new_database();
    zhuqi::hub::init(&admin).unwrap_or_else(|e| panic!("init: {e}"));
    println!(
        "# hub benchmark: {appeals} appeals, {desks} desks, soak {} s",
        soak.as_secs()
    );

    // 1. A desk with N appeals sends them up.
    let seed_dir = work.path().join("seed");
    let seed = open(&seed_dir, "生成器");
    let texts = zhuqi::io::generate::load_texts(Path::new("../shared/data/tipdm2020c"));
    let started = Instant::now();
    let events = zhuqi::io::generate::generate(&seed, appeals, 1, &texts, |_| {})
        .unwrap_or_else(|e| panic!("generate: {e}"));
    println!(
        "generated: {events} appeals in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(seed);
    let url = zhuqi::hub::add_desk(&admin, "seed", DeskRole::Officer)
        .unwrap_or_else(|e| panic!("{e}"))
        .url;
    let mut seed = open(&seed_dir, "生成器");
    seed.join_hub(&url).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let pushed = seed.sync().unwrap_or_else(|e| panic!("push: {e}"));
    let push = started.elapsed();
    println!(
        "first push: {} events sent, {} taken back, in {:.1} s ({:.0} events/s)",
        pushed.pushed,
        pushed.pulled,
        push.as_secs_f64(),
        pushed.pushed as f64 / push.as_secs_f64()
    );
    let (count, distinct) = hub_count(&admin);
    println!("hub holds {count} events ({distinct} distinct)");

    // 2. A fresh desk's first full pull.
    let fresh_dir = work.path().join("fresh");
    let fresh = joined(&fresh_dir, &admin, "fresh");
    let rss_before = rss_mb();
    let started = Instant::now();
    let pulled = fresh.sync().unwrap_or_else(|e| panic!("pull: {e}"));
    let pull = started.elapsed();
    println!(
        "first full pull: {} events, {} appeals in {:.1} s ({:.0} events/s); peak RSS of this process {:.0} MB (before {:.0} MB)",
        pulled.pulled,
        pulled.new_appeals,
        pull.as_secs_f64(),
        pulled.pulled as f64 / pull.as_secs_f64(),
        rss_mb(),
        rss_before
    );
    assert_eq!(fresh.appeal_count(), seed.appeal_count());

    // 3. Incremental: 100 new events on the seed desk, then one sync of the fresh desk.
    let open_ids: Vec<String> = seed
        .list(&Filter {
            status: zhuqi::desk::StatusFilter::parse("open"),
            ..Filter::default()
        })
        .unwrap_or_default()
        .iter()
        .take(100)
        .map(|r| r.appeal.id.to_string())
        .collect();
    let fresh_url = fresh
        .hub_link()
        .ok()
        .flatten()
        .map(|l| l.url)
        .unwrap_or_default();
    let mut session = zhuqi::hub::Session::open(&fresh_url).unwrap_or_else(|e| panic!("{e}"));
    let mut incremental = Vec::new();
    let mut kept_open = Vec::new();
    let mut noted = 0;
    for round in 0..10 {
        noted = 0;
        for (i, id) in open_ids.iter().enumerate() {
            let note = Action::Note {
                text: format!("第{round}轮进展{i}"),
            };
            noted += usize::from(seed.act(id, note).is_ok());
        }
        seed.sync().unwrap_or_else(|e| panic!("{e}"));
        // Half the rounds open a connection (as `zhuqi sync` does), half keep one (as the desk
        // in the terminal does).
        let started = Instant::now();
        let r = if round % 2 == 0 {
            let r = fresh.sync().unwrap_or_else(|e| panic!("{e}"));
            incremental.push(started.elapsed());
            r
        } else {
            let r = fresh
                .sync_with(&mut session)
                .unwrap_or_else(|e| panic!("{e}"));
            kept_open.push(started.elapsed());
            r
        };
        assert_eq!(r.pulled, noted);
    }
    println!(
        "incremental sync of {noted} new events, in-process, 5 rounds each: a new connection p50 {}, max {}; a connection kept p50 {}, max {}",
        ms(percentile(&mut incremental.clone(), 0.5)),
        ms(percentile(&mut incremental, 1.0)),
        ms(percentile(&mut kept_open.clone(), 0.5)),
        ms(percentile(&mut kept_open, 1.0))
    );
    drop(fresh);
    drop(seed);

    // 4. The pulled desk as the command line meets it: opened for one durable note each time
    // (sled's open costs in proportion to what its files hold).
    let mut reopened = Vec::new();
    for i in 0..5 {
        let started = Instant::now();
        let desk = open(&fresh_dir, "fresh");
        let note = Action::Note {
            text: format!("重新打开{i}"),
        };
        desk.act(&open_ids[i % open_ids.len().max(1)], note)
            .unwrap_or_else(|e| panic!("note: {e}"));
        drop(desk);
        reopened.push(started.elapsed());
    }
    let store = fresh_dir.join("store");
    println!(
        "the pulled desk opened for one durable note, 5 times: p50 {}, max {}; live database {:.0} MB, archive {:.0} MB",
        ms(percentile(&mut reopened.clone(), 0.5)),
        ms(percentile(&mut reopened, 1.0)),
        dir_mb(&store) - dir_mb(&store.join("archive")),
        dir_mb(&store.join("archive")),
    );

    if desks == 0 || soak.is_zero() {
        return;
    }
    // 5. Many desks writing and syncing every 2 s, on a hub of their own (so that each does not
    // first pull everything above).
    let admin = cluster.new_database();
    zhuqi::hub::init(&admin).unwrap_or_else(|e| panic!("init: {e}"));
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for d in 0..desks {
        let dir = work.path().join(format!("desk-{d}"));
        let desk = joined(&dir, &admin, &format!("desk-{d}"));
        let stop = stop.clone();
        let written = written.clone();
        let url = desk
            .hub_link()
            .ok()
            .flatten()
            .map(|l| l.url)
            .unwrap_or_default();
        handles.push(std::thread::spawn(move || {
            // Each desk keeps its connection, as the desk in the terminal does.
            let mut session = zhuqi::hub::Session::open(&url).ok();
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let tick = Instant::now();
                n += 1;
                if let Ok(a) = desk.capture(&CaptureInput {
                    enterprise: format!("企业{d}"),
                    category: "消防".into(),
                    text: format!("工作台{d}的第{n}件诉求"),
                    ..CaptureInput::default()
                }) {
                    // Capture, listing and (the first time) the enterprise.
                    written.fetch_add(2 + usize::from(n == 1), Ordering::Relaxed);
                    if desk
                        .act(
                            &a.id.to_string(),
                            Action::Note {
                                text: "已受理".into(),
                            },
                        )
                        .is_ok()
                    {
                        written.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let started = Instant::now();
                let result = match session.as_mut() {
                    Some(s) => desk.sync_with(s),
                    None => desk.sync(),
                };
                match result {
                    Ok(_) => latencies.push(started.elapsed()),
                    Err(_) => {
                        failures += 1;
                        session = zhuqi::hub::Session::open(&url).ok();
                    }
                }
                if let Some(rest) = Duration::from_secs(2).checked_sub(tick.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
            (desk, latencies, failures)
        }));
    }
    std::thread::sleep(soak);
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut failures = 0;
    let mut finished = Vec::new();
    for h in handles {
        if let Ok((desk, l, f)) = h.join() {
            all.extend(l);
            failures += f;
            finished.push(desk);
        }
    }
    for d in &finished {
        let _ = d.sync();
    }
    let mut counts = Vec::new();
    for d in &finished {
        let _ = d.sync();
        counts.push(d.appeal_count());
    }
    let (count, distinct) = hub_count(&admin);
    println!(
        "{desks} desks for {} s: {} syncs, p50 {}, p99 {}, max {}; {} failed",
        soak.as_secs(),
        all.len(),
        ms(percentile(&mut all.clone(), 0.5)),
        ms(percentile(&mut all.clone(), 0.99)),
        ms(percentile(&mut all, 1.0)),
        failures
    );
    let written = written.load(Ordering::Relaxed) as i64;
    println!(
        "hub: {count} events, {distinct} distinct (doubled: {}); written by the desks: {written}; lost: {}",
        count - distinct,
        written - distinct
    );
    let same = counts.windows(2).all(|w| w[0] == w[1]);
    println!(
        "every desk holds the same number of appeals after a last sync: {same} ({:?})",
        counts.first()
    );
}
