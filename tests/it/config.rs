//! The binary refuses bad settings with a message naming the setting.
use std::process::Command;

fn simlontar(envs: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_simlontar"));
    cmd.current_dir(dir.path()).args(args).env_clear();
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DB: (&str, &str) = ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none");

#[test]
fn a_missing_database_url_is_named() {
    let (ok, err) = simlontar(&[], &["migrate"]);
    assert!(!ok);
    assert!(err.contains("database_url"), "{err}");
}

#[test]
fn a_bad_listen_address_is_named() {
    let (ok, err) = simlontar(&[DB, ("SIMLONTAR_ADDR", "port eighty")], &["serve"]);
    assert!(!ok);
    assert!(
        err.contains("`addr`") && err.contains("port eighty"),
        "{err}"
    );
}

#[test]
fn a_bad_time_zone_is_named() {
    let (ok, err) = simlontar(&[DB, ("SIMLONTAR_TIME_ZONE", "Asia/Surabaya")], &["serve"]);
    assert!(!ok);
    assert!(err.contains("time_zone"), "{err}");
}

#[test]
fn matching_thresholds_out_of_order_are_named() {
    let (ok, err) = simlontar(
        &[
            DB,
            ("SIMLONTAR_REINTAKE_REVIEW", "0.995"),
            ("SIMLONTAR_REINTAKE_ACCEPT", "0.99"),
        ],
        &["serve"],
    );
    assert!(!ok);
    assert!(err.contains("reintake_review"), "{err}");
    let (ok, err) = simlontar(
        &[DB, ("SIMLONTAR_IDENTITY_ACCEPT_SCORE", "120")],
        &["serve"],
    );
    assert!(!ok);
    assert!(err.contains("identity_accept_score"), "{err}");
}

#[test]
fn a_wrongly_typed_setting_in_the_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, "[smtp]\nport = \"twenty-five\"\n").unwrap();
    let (ok, err) = simlontar(&[DB], &["--config", file.to_str().unwrap(), "serve"]);
    assert!(!ok);
    assert!(err.contains("smtp.port"), "{err}");
}

#[test]
fn a_named_config_file_must_exist() {
    let (ok, err) = simlontar(&[DB], &["--config", "/nonexistent/simlontar.toml", "serve"]);
    assert!(!ok);
    assert!(err.contains("/nonexistent/simlontar.toml"), "{err}");
}

#[test]
fn an_unreachable_database_is_reported_plainly() {
    let (ok, err) = simlontar(&[DB], &["migrate"]);
    assert!(!ok);
    assert!(err.contains("cannot connect to the database"), "{err}");
}

#[test]
fn the_environment_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, "addr = \"not an address\"\n").unwrap();
    // The file's bad address is overridden by a good one from the environment, so the
    // run gets as far as the (unreachable) database.
    let (ok, err) = simlontar(
        &[DB, ("SIMLONTAR_ADDR", "127.0.0.1:0")],
        &["--config", file.to_str().unwrap(), "migrate"],
    );
    assert!(!ok);
    assert!(err.contains("cannot connect to the database"), "{err}");
}

#[test]
fn retention_periods_out_of_order_or_zero_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "[retention]\ncase_days = 30\nphoto_days = 60\nmail_days = 90\n",
    )
    .unwrap();
    let (ok, err) = simlontar(&[DB], &["--config", file.to_str().unwrap(), "serve"]);
    assert!(!ok);
    assert!(err.contains("retention.photo_days"), "{err}");
    // The environment overrides one period of the file's.
    let (ok, err) = simlontar(
        &[
            DB,
            ("SIMLONTAR_RETENTION__MAIL_DAYS", "0"),
            ("SIMLONTAR_RETENTION__PHOTO_DAYS", "30"),
        ],
        &["--config", file.to_str().unwrap(), "serve"],
    );
    assert!(!ok);
    assert!(err.contains("retention.mail_days"), "{err}");
}

#[test]
fn trusted_proxies_are_none_by_default_and_read_as_a_list_or_one_string() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, "database_url = \"postgres://x@127.0.0.1/db\"\n").unwrap();
    let s = simlontar::config::Settings::load(&file, true).unwrap();
    assert!(s.trusted_proxies.is_empty());
    for text in [
        "trusted_proxies = [\"10.0.0.5\", \"2001:db8::/32\"]",
        "trusted_proxies = \"10.0.0.5, 2001:db8::/32\"",
    ] {
        std::fs::write(&file, format!("{text}\n")).unwrap();
        let s = simlontar::config::Settings::load(&file, true).unwrap();
        let shown: Vec<String> = s.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.5/32", "2001:db8::/32"], "{text}");
    }
}

#[test]
fn a_trusted_proxy_that_is_not_an_address_is_named() {
    let (ok, err) = simlontar(
        &[DB, ("SIMLONTAR_TRUSTED_PROXIES", "10.0.0.5,proxy.local")],
        &["serve"],
    );
    assert!(!ok);
    assert!(
        err.contains("trusted_proxies") && err.contains("proxy.local"),
        "{err}"
    );
}
