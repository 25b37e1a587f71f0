//! A PostgreSQL+PostGIS server of a test's own, for tests that stop or restart the
//! database: the shared test cluster serves every other test at the same time, so it
//! must never be restarted. Started from the binaries `.ci/env.sh` chose
//! (`SIMLONTAR_PG_BIN`) or else the newest installed major; as root the server runs as
//! `postgres`, as initdb demands.
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::postgres::PgConnectOptions;

pub struct Cluster {
    bin: PathBuf,
    data: tempfile::TempDir,
    pub port: u16,
}

pub fn pg_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("SIMLONTAR_PG_BIN") {
        return bin.into();
    }
    let mut majors: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed by .ci/test")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    majors.sort();
    let major = majors
        .last()
        .expect("a PostgreSQL major under /usr/lib/postgresql");
    PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

impl Cluster {
    /// initdb, configure for loopback on a free port, start, and create database `app`.
    pub fn start() -> Cluster {
        let data = tempfile::Builder::new()
            .prefix("simlontar-fault-pg-")
            .tempdir_in("/var/tmp")
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = Cluster {
            bin: pg_bin(),
            data,
            port,
        };
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(c.data.path())
                .status()
                .unwrap();
            assert!(ok.success());
        }
        c.pg(
            "initdb",
            &[
                "-D",
                c.dir(),
                "-U",
                "simlontar",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\ntimezone = 'UTC'\n",
            c.dir()
        );
        let path = c.data.path().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&conf);
        std::fs::write(&path, text).unwrap();
        c.ctl(&["start"]);
        c.pg(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "simlontar",
                "app",
            ],
        );
        c
    }

    fn dir(&self) -> &str {
        self.data.path().to_str().unwrap()
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        let out = self.run(tool, args);
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn run(&self, tool: &str, args: &[&str]) -> std::process::Output {
        let exe = self.bin.join(tool);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(Path::new("/")).output().unwrap()
    }

    fn ctl(&self, args: &[&str]) {
        let log = self.data.path().join("server.log");
        let mut all = vec![
            "-D",
            self.dir(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-t",
            "60",
        ];
        all.extend_from_slice(args);
        self.pg("pg_ctl", &all);
    }

    /// A fast restart: sessions are cut (their transactions roll back), then it starts again.
    pub fn restart(&self) {
        self.ctl(&["-m", "fast", "restart"]);
    }

    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::new()
            .host("127.0.0.1")
            .port(self.port)
            .username("simlontar")
            .database("app")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", self.dir(), "-m", "immediate", "stop"]);
    }
}
