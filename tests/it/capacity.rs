//! `simlontar capacity replay` (and `score`), run as the real binary; no database needed.
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use simlontar::capacity::history::{self, DayRow, WardSeries};
use simlontar::capacity::score;
use simlontar::capacity::synth::{self, SynthConfig};

const OUT_HEADER: &str = "date,upt,ward,level,days_to_full,probability";

fn capacity(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simlontar"))
        .arg("capacity")
        .args(args)
        .env_clear()
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_history(dir: &Path, name: &str, wards: &[WardSeries]) -> String {
    let path = dir.join(name);
    let mut buf = Vec::new();
    history::write(&mut buf, wards).unwrap();
    std::fs::write(&path, buf).unwrap();
    path.to_str().unwrap().to_string()
}

fn generated(upts: usize, days: usize, seed: u64) -> Vec<WardSeries> {
    synth::generate(&SynthConfig {
        upts,
        days,
        seed,
        ..SynthConfig::default()
    })
    .wards
}

/// A ward that is calm for 150 days (10 of 20 beds, one in and one out a day) and then
/// takes three a day while one leaves: it fills on day 155.
fn filling_ward() -> WardSeries {
    let d0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut occ = 10;
    let days = (0..170)
        .map(|i| {
            let (adm, dis) = if i < 150 || occ >= 20 { (1, 1) } else { (3, 1) };
            occ = (occ + adm - dis).min(20);
            DayRow {
                date: d0 + chrono::Duration::days(i),
                capacity: 20,
                occupancy: occ,
                admissions: adm,
                discharges: dis,
                turned_away: 0,
            }
        })
        .collect();
    WardSeries {
        upt: "UPT-X".into(),
        ward: "laki-laki".into(),
        days,
    }
}

#[test]
fn replay_prints_the_header_and_one_row_per_raised_alert() {
    let dir = tempfile::tempdir().unwrap();
    let wards = generated(2, 240, 7);
    let file = write_history(dir.path(), "history.csv", &wards);
    let (ok, out, err) = capacity(&["replay", &file]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(OUT_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty(), "no alert in {} wards", wards.len());
    for r in &rows {
        assert_eq!(r.len(), 6, "{r:?}");
        NaiveDate::parse_from_str(r[0], "%Y-%m-%d").unwrap();
        assert!(wards.iter().any(|w| w.upt == r[1] && w.ward == r[2]));
        assert!(["watch", "warning", "critical", "full"].contains(&r[3]));
        assert!(r[4].is_empty() || r[4].parse::<u32>().is_ok());
        let p: f64 = r[5].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    assert!(err.contains("alerts raised"), "{err}");
}

#[test]
fn generated_fills_are_warned_before_they_happen() {
    let dir = tempfile::tempdir().unwrap();
    let wards = generated(3, 300, 4);
    let file = write_history(dir.path(), "h.csv", &wards);
    let (ok, out, err) = capacity(&["replay", &file]);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = (out.lines().skip(1))
        .map(|l| l.split(',').collect())
        .collect();
    let (mut events, mut warned) = (0, 0);
    for w in &wards {
        let after_warm_up = w.days[90].date;
        for onset in score::fill_events(w)
            .into_iter()
            .filter(|&e| e >= after_warm_up)
        {
            events += 1;
            let ahead = rows.iter().any(|r| {
                let d = NaiveDate::parse_from_str(r[0], "%Y-%m-%d").unwrap();
                r[1] == w.upt
                    && r[2] == w.ward
                    && (r[3] == "warning" || r[3] == "critical")
                    && d < onset
                    && (onset - d).num_days() <= 45
            });
            warned += ahead as usize;
            // The fill itself is always reported, on its day.
            assert!(
                rows.iter().any(|r| r[0] == onset.to_string()
                    && r[1] == w.upt
                    && r[2] == w.ward
                    && r[3] == "full"),
                "{onset} {}",
                w.key()
            );
        }
    }
    assert!(events >= 3, "only {events} fills generated");
    assert!(2 * warned >= events, "{warned} of {events} fills warned");
}

#[test]
fn a_bad_row_is_named_and_nothing_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "date,upt,ward,capacity,occupancy,admissions,discharges\n\
         2026-01-01,UPT-A,,10,5,1,0\n\
         2026-01-02,UPT-A,,10,6,1,0\n\
         2026-01-03,UPT-A,,10,12,6,0\n",
    )
    .unwrap();
    let (ok, out, err) = capacity(&["replay", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("bad.csv: line 4, column `occupancy`"), "{err}");

    std::fs::write(
        &path,
        "date,upt,ward,capacity,occupancy,admissions,discharges\n2026-02-30,UPT-A,,10,5,1,0\n",
    )
    .unwrap();
    let (ok, _, err) = capacity(&["replay", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("line 2, column `date`"), "{err}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let (ok, out, err) = capacity(&["replay", "/nonexistent/HISTORY.csv"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("/nonexistent/HISTORY.csv"), "{err}");
}

#[test]
fn lead_days_outside_the_horizon_are_refused() {
    let (ok, _, err) = capacity(&["replay", "x.csv", "--lead-days", "31"]);
    assert!(!ok);
    assert!(err.contains("lead-days"), "{err}");
}

#[test]
fn rows_after_a_day_do_not_change_the_output_up_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let wards = generated(2, 200, 21);
    let cut = wards[0].days[120].date;
    let mut changed = wards.clone();
    for w in &mut changed {
        for d in w.days.iter_mut().filter(|d| d.date > cut) {
            d.occupancy = d.capacity;
            d.admissions += 4;
        }
    }
    let a = write_history(dir.path(), "a.csv", &wards);
    let b = write_history(dir.path(), "b.csv", &changed);
    let upto = |out: &str| -> Vec<String> {
        (out.lines().skip(1))
            .filter(|l| NaiveDate::parse_from_str(&l[..10], "%Y-%m-%d").unwrap() <= cut)
            .map(str::to_string)
            .collect()
    };
    let (ok_a, out_a, err) = capacity(&["replay", &a, "--lead-days", "10"]);
    assert!(ok_a, "{err}");
    let (ok_b, out_b, _) = capacity(&["replay", &b, "--lead-days", "10"]);
    assert!(ok_b);
    assert_eq!(upto(&out_a), upto(&out_b));
    // The change is visible after the cut: the test could fail.
    assert_ne!(out_a, out_b);
}

#[test]
fn a_replay_can_be_scored_against_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_history(dir.path(), "h.csv", &[filling_ward()]);
    let (ok, out, _) = capacity(&["replay", &file]);
    assert!(ok);
    let alerts = dir.path().join("alerts.csv");
    std::fs::write(&alerts, out).unwrap();
    let (ok, out, err) = capacity(&[
        "score",
        &file,
        alerts.to_str().unwrap(),
        "--warm-up-days",
        "30",
    ]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("fill_events,warned_14d_ahead"));
    let fields: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(fields[0], "1", "{out}");
}
