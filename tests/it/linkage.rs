//! `simlontar link`, run as the real binary on small CSV files; no database needed.
use std::path::Path;
use std::process::Command;

const SPEC: &str = r#"id = "rec_id"
[[field]]
column = "nama"
kind = "full_name"
[[field]]
column = "tgl_lahir"
kind = "date"
format = "%Y%m%d"
[[field]]
column = "jk"
kind = "sex"
[[field]]
column = "wilayah"
kind = "region_code"
"#;

const HEADER: &str = "rec_id,nama,tgl_lahir,jk,wilayah\n";

/// Forty distinct people, in the registry's spelling.
fn people() -> Vec<[String; 4]> {
    let first = [
        "Slamet", "Sutrisno", "Bambang", "Kartini", "Siti", "Sumiati", "Joko", "Ahmad",
    ];
    let second = ["Riyadi", "Santoso", "Wahyuni", "Rahayu", "Hidayat"];
    (0..40)
        .map(|i| {
            [
                format!("{} {}", first[i % 8], second[i / 8]),
                format!("19{:02}{:02}{:02}", 40 + i, 1 + i % 12, 1 + i % 28),
                (if i % 8 >= 3 && i % 8 <= 5 { "P" } else { "L" }).to_string(),
                format!("35.{:02}.{:02}.2001", 1 + i % 29, 1 + i % 20),
            ]
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn csv(prefix: &str, rows: &[[String; 4]]) -> String {
    let mut s = HEADER.to_string();
    for (i, r) in rows.iter().enumerate() {
        s += &format!("{prefix}{i},{},{},{},{}\n", r[0], r[1], r[2], r[3]);
    }
    s
}

fn link(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simlontar"))
        .args(["link"])
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

/// The registry, and intakes of the first twenty people written as officers write them.
fn two_files(dir: &Path) -> (String, String, String) {
    let reg = people();
    let intakes: Vec<[String; 4]> = reg[..20]
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r[0] = format!("Pak {}", r[0].replace('u', "oe"));
            r[3] = r[3][..5].to_string();
            r
        })
        .collect();
    (
        write(dir, "left.csv", &csv("R", &reg)),
        write(dir, "right.csv", &csv("I", &intakes)),
        write(dir, "spec.toml", SPEC),
    )
}

#[test]
fn link_finds_each_person_in_the_other_file() {
    let dir = tempfile::tempdir().unwrap();
    let (left, right, spec) = two_files(dir.path());
    let (ok, out, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("left_id,right_id,probability"));
    let pairs: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for i in 0..20 {
        let want = (format!("R{i}"), format!("I{i}"));
        assert!(
            pairs.iter().any(|p| p[0] == want.0 && p[1] == want.1),
            "missing {want:?} in {out}"
        );
    }
    assert!(pairs.iter().all(|p| p[0][1..] == p[1][1..]), "{out}");
    assert!(pairs.iter().all(|p| p[2].parse::<f64>().unwrap() >= 0.5));
}

#[test]
fn dedupe_finds_duplicates_within_one_file_and_writes_to_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = people();
    rows.push(rows[3].clone());
    rows[40][0] = "Bu Kartini Riyadi".into();
    let data = write(dir.path(), "data.csv", &csv("D", &rows));
    let spec = write(dir.path(), "spec.toml", SPEC);
    let out = dir.path().join("pairs.csv");
    let (ok, stdout, err) = link(&[
        "--dedupe",
        &data,
        "--spec",
        &spec,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(stdout.is_empty());
    let written = std::fs::read_to_string(out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "left_id,right_id,probability");
    assert_eq!(lines.len(), 2, "{written}");
    assert!(lines[1].starts_with("D3,D40,"), "{written}");
}

#[test]
fn a_higher_threshold_writes_fewer_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (left, right, spec) = two_files(dir.path());
    let count = |t: &str| {
        let (ok, out, err) = link(&[&left, &right, "--spec", &spec, "--threshold", t]);
        assert!(ok, "{err}");
        out.lines().count() - 1
    };
    let (low, high) = (count("0.01"), count("0.999999"));
    assert!(low > high, "{low} {high}");
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec, "--threshold", "0"]);
    assert!(!ok && err.contains("--threshold"), "{err}");
}

#[test]
fn a_missing_column_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, spec) = two_files(dir.path());
    let right = write(
        dir.path(),
        "bad.csv",
        "rec_id,nama,tgl_lahir,jk\nI0,Siti,19800101,P\n",
    );
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(!ok);
    assert!(
        err.contains("bad.csv") && err.contains("no column `wilayah`"),
        "{err}"
    );
}

#[test]
fn a_ragged_row_is_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, spec) = two_files(dir.path());
    let right = write(
        dir.path(),
        "ragged.csv",
        &format!("{HEADER}I0,Siti,19800101,P,35.78\nI1,Sri,19800101,P\n"),
    );
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(!ok);
    assert!(
        err.contains("ragged.csv") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn an_unreadable_date_format_in_the_spec_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (left, right, _) = two_files(dir.path());
    let spec = write(dir.path(), "bad.toml", &SPEC.replace("%Y%m%d", "%Q%m"));
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(!ok);
    assert!(
        err.contains("bad.toml") && err.contains("tgl_lahir") && err.contains("%Q%m"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, spec) = two_files(dir.path());
    let (ok, _, err) = link(&[&left, "/nonexistent/right.csv", "--spec", &spec]);
    assert!(!ok);
    assert!(
        err.contains("/nonexistent/right.csv") && err.contains("cannot open"),
        "{err}"
    );
}

#[test]
fn impossible_dates_are_missing_and_reported_but_a_column_of_them_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, spec) = two_files(dir.path());
    let mut rows = people();
    rows[0][1] = "19400230".into();
    let right = write(dir.path(), "some.csv", &csv("I", &rows));
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(ok, "{err}");
    assert!(
        err.contains("some.csv") && err.contains("`tgl_lahir`") && err.contains("19400230"),
        "{err}"
    );

    for r in rows.iter_mut() {
        r[1] = "1940-03-04".into();
    }
    let right = write(dir.path(), "most.csv", &csv("I", &rows));
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(!ok);
    assert!(
        err.contains("most.csv") && err.contains("`tgl_lahir`") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn empty_cells_and_sex_encodings_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (left, _, spec) = two_files(dir.path());
    let right = write(
        dir.path(),
        "sparse.csv",
        &format!("{HEADER}I0,Slamet Riyadi,,laki-laki,\nI1,,,perempuan,\nI2,Siti,,F,35\nI3,Joko,,male,\n"),
    );
    let (ok, _, err) = link(&[&left, &right, "--spec", &spec]);
    assert!(ok, "{err}");
    assert!(!err.contains("could not be read"), "{err}");
}
