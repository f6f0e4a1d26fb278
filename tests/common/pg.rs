//! A throwaway PostgreSQL cluster for the hub tests: Debian's binaries (installed from Debian's
//! packages when missing), `initdb` into a temporary directory as an unprivileged user when run
//! as root (initdb refuses root), password authentication, and a unix socket in that directory
//! (no TCP port). Stopped when dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ADMIN: &str = "zhuqi_admin";
const PASSWORD: &str = "admin-secret";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    owner: Option<String>,
    next_db: AtomicUsize,
    /// With TLS: the loopback port it listens on too (a free one, found at start).
    tls_port: Option<u16>,
}

/// The directory of Debian's PostgreSQL binaries, installing the packages if none is there.
fn binaries() -> PathBuf {
    let find = || {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
            .collect();
        versions.sort();
        versions.pop()
    };
    if let Some(bin) = find() {
        return bin;
    }
    let _ = Command::new("sh")
        .args([
            "-c",
            "(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1",
        ])
        .status();
    find().unwrap_or_else(|| {
        panic!("PostgreSQL is needed for the hub tests (apt-get install postgresql) and could not be installed")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    /// Starts a new cluster.
    pub fn start() -> Cluster {
        Cluster::start_with(false)
    }

    /// Starts a new cluster that also listens on a loopback port with TLS (a self-signed
    /// certificate made here with `openssl`).
    pub fn start_with_tls() -> Cluster {
        Cluster::start_with(true)
    }

    fn start_with(tls: bool) -> Cluster {
        let bin = binaries();
        let dir = tempfile::Builder::new()
            .prefix("zhuqi-pg-")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let owner = is_root().then(|| "nobody".to_string());
        if let Some(user) = &owner {
            let ok = Command::new("chown")
                .args([user.as_str(), &dir.path().display().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "cannot give the cluster's directory to {user}");
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap_or_else(|e| panic!("{e}"));
        if let Some(user) = &owner {
            let _ = Command::new("chown")
                .args([user.as_str(), &pwfile.display().to_string()])
                .status();
        }
        let tls_port = tls.then(|| {
            let ok = Command::new("openssl")
                .args([
                    "req",
                    "-new",
                    "-x509",
                    "-days",
                    "2",
                    "-nodes",
                    "-subj",
                    "/CN=localhost",
                    "-out",
                    "server.crt",
                    "-keyout",
                    "server.key",
                ])
                .current_dir(dir.path())
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(ok, "openssl could not make a certificate for the TLS test");
            for f in ["server.crt", "server.key"] {
                let p = dir.path().join(f);
                if let Some(user) = &owner {
                    let _ = Command::new("chown")
                        .args([user.as_str(), &p.display().to_string()])
                        .status();
                }
                let _ = Command::new("chmod")
                    .args(["600", &p.display().to_string()])
                    .status();
            }
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .unwrap_or_else(|e| panic!("no free port: {e}"))
        });
        let cluster = Cluster {
            dir,
            bin,
            owner,
            next_db: AtomicUsize::new(0),
            tls_port,
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                ADMIN,
                "--pwfile",
                &pwfile.display().to_string(),
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.start_server();
        cluster.watch_over();
        cluster
    }

    /// A cluster kept in a `static` is never dropped: a watchdog stops it, and removes its
    /// directory, once this process has ended, however it ended.
    fn watch_over(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = match &self.owner {
            Some(user) => format!("runuser -u {user} -- {}", pg_ctl.display()),
            None => pg_ctl.display().to_string(),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            data = self.data_dir().display(),
            dir = self.dir.path().display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let program = self.bin.join(tool);
        let mut cmd = match &self.owner {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts the server (again, after `stop`).
    pub fn start_server(&self) {
        let mut opts = format!(
            "-k {} -c fsync=off -c max_connections=100",
            self.socket_dir().display()
        );
        match self.tls_port {
            Some(port) => opts.push_str(&format!(
                " -c listen_addresses=127.0.0.1 -p {port} -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key",
                d = self.dir.path().display()
            )),
            None => opts.push_str(" -c listen_addresses=''"),
        }
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-l",
                &self.dir.path().join("log").display().to_string(),
                "-o",
                &opts,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server at once (as a crash or a pulled cable would).
    pub fn stop_server(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// The administrator's connection string for database `db`.
    pub fn admin_url(&self, db: &str) -> String {
        match self.tls_port {
            Some(port) => format!(
                "host={} port={port} user={ADMIN} password={PASSWORD} dbname={db}",
                self.socket_dir().display()
            ),
            None => format!(
                "host={} user={ADMIN} password={PASSWORD} dbname={db}",
                self.socket_dir().display()
            ),
        }
    }

    /// The administrator's connection string over loopback TCP with TLS required.
    pub fn admin_url_tls(&self, db: &str) -> Option<String> {
        self.tls_port.map(|port| {
            format!("host=127.0.0.1 port={port} user={ADMIN} password={PASSWORD} dbname={db} sslmode=require")
        })
    }

    /// A new empty database; returns its administrator's connection string.
    pub fn new_database(&self) -> String {
        let n = self.next_db.fetch_add(1, Ordering::SeqCst);
        let db = format!("hub{n}");
        let mut client = postgres::Client::connect(&self.admin_url("postgres"), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test cluster: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .unwrap_or_else(|e| panic!("{e}"));
        self.admin_url(&db)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let program = self.bin.join("pg_ctl");
        let mut cmd = match &self.owner {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let _ = cmd
            .args(["-D", &data.display().to_string(), "-m", "immediate", "stop"])
            .output();
    }
}
