//! The raid calendar: operations Satpol PP announce ahead (before Lebaran, Christmas,
//! 17 August, or any other), each with the demand it is expected to bring as a multiple of
//! the usual, kept in `capacity_raid` and read by the live forecast (`ahead::announced`).
//!
//! It is edited as one spreadsheet: `simlontar capacity razia` prints the calendar as CSV,
//! `simlontar capacity razia FILE.csv` makes the calendar exactly the file's rows (in one
//! transaction; a file with any error changes nothing). The people who keep it are Dinas
//! Sosial staff, so the file and every message speak Bahasa Indonesia and name a need by
//! its Indonesian name, never by its code: columns `mulai,selesai,faktor,kebutuhan,catatan`
//! (the last two may be left out; an empty `kebutuhan` means every ward).
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::csv_lines::Lines;

pub const HEADER: [&str; 5] = ["mulai", "selesai", "faktor", "kebutuhan", "catatan"];
/// The first three columns are required.
const REQUIRED: usize = 3;
/// The longest operation (days, inclusive of both ends less one), as the table's CHECK.
const MAX_DAYS: i64 = 92;

#[derive(Debug, Clone, PartialEq)]
pub struct Raid {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub factor: f64,
    /// The wards of one need only; `None`: every ward.
    pub need_code: Option<String>,
    pub note: String,
}

/// A need as the file names it: its code (stored) and its Indonesian name (written).
#[derive(Debug, Clone)]
pub struct Need {
    pub code: String,
    pub name: String,
}

/// Reads a calendar file; `needs` are the needs the database knows. Every error names the
/// file, the line and the column, in Bahasa Indonesia.
pub fn read(bytes: &[u8], name: &str, needs: &[Need]) -> anyhow::Result<Vec<Raid>> {
    let lines = Lines::of(bytes);
    let unreadable = |e: &csv::Error| {
        anyhow::anyhow!(
            "{name}: baris {}: tidak terbaca sebagai CSV (simpan sebagai CSV UTF-8, dipisah koma)",
            lines.of_error(e)
        )
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let head: Vec<String> = (r.headers())
        .map_err(|e| unreadable(&e))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    anyhow::ensure!(
        head.len() >= REQUIRED && head.len() <= HEADER.len() && head == HEADER[..head.len()],
        "{name}: baris 1: judul kolom harus {} (dua yang terakhir boleh tidak ada)",
        HEADER.join(",")
    );
    let mut out: Vec<Raid> = Vec::new();
    let mut seen: Vec<u64> = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| unreadable(&e))?;
        let line = lines.of_record(&rec);
        let bad =
            |col: &str, why: String| anyhow::anyhow!("{name}: baris {line}, kolom {col}: {why}");
        anyhow::ensure!(
            rec.len() == head.len(),
            "{name}: baris {line}: ada {} kolom, padahal judulnya {} kolom",
            rec.len(),
            head.len()
        );
        let date = |i: usize| {
            date(&rec[i]).ok_or_else(|| {
                bad(
                    HEADER[i],
                    format!(
                        "\"{}\" bukan tanggal (tulis TTTT-BB-HH atau HH/BB/TTTT, misalnya 2027-02-15)",
                        &rec[i]
                    ),
                )
            })
        };
        let (starts_on, ends_on) = (date(0)?, date(1)?);
        if ends_on < starts_on {
            return Err(bad("selesai", "lebih awal dari tanggal mulai".into()));
        }
        if (ends_on - starts_on).num_days() > MAX_DAYS {
            return Err(bad(
                "selesai",
                format!("satu operasi paling lama {} hari", MAX_DAYS + 1),
            ));
        }
        let factor: f64 = (rec[2].replace(',', ".").parse().ok())
            .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= 10.0)
            .ok_or_else(|| {
                bad(
                    "faktor",
                    format!(
                        "\"{}\" bukan angka di atas 0 dan paling besar 10 (2,5 berarti dua setengah kali kedatangan biasa)",
                        &rec[2]
                    ),
                )
            })?;
        let written = rec.get(3).unwrap_or("");
        let need_code = if written.is_empty() {
            None
        } else {
            let found = needs.iter().find(|n| n.name.eq_ignore_ascii_case(written));
            match found {
                Some(n) => Some(n.code.clone()),
                None => {
                    let names: Vec<&str> = needs.iter().map(|n| n.name.as_str()).collect();
                    return Err(bad(
                        "kebutuhan",
                        format!(
                            "\"{written}\" tidak dikenal; tulis salah satu dari: {}, atau kosongkan untuk semua wisma",
                            names.join("; ")
                        ),
                    ));
                }
            }
        };
        if let Some(first) = (out.iter().zip(&seen))
            .find(|(o, _)| {
                (o.starts_on, o.ends_on, &o.need_code) == (starts_on, ends_on, &need_code)
            })
            .map(|(_, l)| *l)
        {
            return Err(anyhow::anyhow!(
                "{name}: baris {line}: operasi dengan tanggal dan kebutuhan yang sama sudah ada di baris {first}"
            ));
        }
        out.push(Raid {
            starts_on,
            ends_on,
            factor,
            need_code,
            note: rec.get(4).unwrap_or("").to_string(),
        });
        seen.push(line);
    }
    Ok(out)
}

/// A date as a clerk writes it: 2027-02-15 or 15/02/2027.
fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// The calendar as a file `read` takes back (operations by first day).
pub fn write(raids: &[Raid], needs: &[Need]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).expect("in memory");
    for r in raids {
        let need = (r.need_code.as_deref())
            .map(|c| {
                needs
                    .iter()
                    .find(|n| n.code == c)
                    .map_or("", |n| n.name.as_str())
            })
            .unwrap_or("");
        w.write_record([
            r.starts_on.to_string(),
            r.ends_on.to_string(),
            r.factor.to_string(),
            need.to_string(),
            r.note.clone(),
        ])
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

async fn needs(pool: &PgPool) -> sqlx::Result<Vec<Need>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name_id FROM need ORDER BY name_id")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name)| Need { code, name })
        .collect())
}

/// The calendar as stored, by first day.
pub async fn calendar(pool: &PgPool) -> sqlx::Result<Vec<Raid>> {
    let rows: Vec<(NaiveDate, NaiveDate, f64, Option<String>, String)> = sqlx::query_as(
        "SELECT starts_on, ends_on, factor, need_code, note FROM capacity_raid ORDER BY starts_on, ends_on, need_code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(starts_on, ends_on, factor, need_code, note)| Raid {
            starts_on,
            ends_on,
            factor,
            need_code,
            note,
        })
        .collect())
}

/// `simlontar capacity razia [FILE]`: without a file prints the calendar; with one, makes
/// the calendar the file and says so (both in Bahasa Indonesia).
pub async fn run(
    pool: &PgPool,
    args: &super::cli::CapacityArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let super::cli::CapacityCommand::Raids { file } = &args.command else {
        return super::cli::run(args);
    };
    match file {
        None => print!("{}", write(&calendar(pool).await?, &needs(pool).await?)),
        Some(path) => {
            let n = load_path(pool, path, now).await?;
            eprintln!("Kalender razia diperbarui: {n} operasi.");
        }
    }
    Ok(())
}

/// Makes the stored calendar exactly the file's operations, in one transaction; returns
/// how many. A file that cannot be read, or with any error, changes nothing.
pub async fn load_path(
    pool: &PgPool,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|_| anyhow::anyhow!("{name}: berkas tidak dapat dibuka"))?;
    let rows = read(&bytes, &name, &needs(pool).await?)?;
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM capacity_raid")
        .execute(&mut *tx)
        .await?;
    for r in &rows {
        sqlx::query(
            "INSERT INTO capacity_raid (starts_on, ends_on, factor, need_code, note, loaded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.starts_on)
        .bind(r.ends_on)
        .bind(r.factor)
        .bind(&r.need_code)
        .bind(&r.note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> Vec<Need> {
        [
            ("homeless", "Gelandangan dan orang terlantar"),
            ("women", "Perempuan rentan"),
        ]
        .iter()
        .map(|(c, n)| Need {
            code: c.to_string(),
            name: n.to_string(),
        })
        .collect()
    }

    #[test]
    fn a_calendar_reads_with_or_without_the_optional_columns_and_writes_back() {
        let full = "mulai,selesai,faktor,kebutuhan,catatan\n2027-02-15,2027-03-07,2.5,Perempuan rentan,Operasi Ramadan\n10/12/2027,2027-12-23,\"1,6\",,\n";
        let rows = read(full.as_bytes(), "r.csv", &needs()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].need_code.as_deref(), Some("women"));
        assert_eq!(
            rows[1].starts_on,
            NaiveDate::from_ymd_opt(2027, 12, 10).unwrap()
        );
        assert_eq!((rows[1].need_code.clone(), rows[1].factor), (None, 1.6));
        let short = b"Mulai,Selesai,Faktor\n2027-08-01,2027-08-16,1.8\n";
        assert_eq!(read(short, "r.csv", &needs()).unwrap()[0].note, "");
        // What `write` prints reads back the same, and names the need, not its code.
        let out = write(&rows, &needs());
        assert!(
            out.contains("Perempuan rentan") && !out.contains("women"),
            "{out}"
        );
        assert_eq!(read(out.as_bytes(), "r.csv", &needs()).unwrap(), rows);
    }

    #[test]
    fn each_bad_field_is_named_with_its_line_in_indonesian() {
        let err = |body: &str| {
            let file =
                format!("mulai,selesai,faktor,kebutuhan\n2027-01-01,2027-01-05,2,\n{body}\n");
            read(file.as_bytes(), "r.csv", &needs())
                .unwrap_err()
                .to_string()
        };
        assert!(err("2027-13-01,2027-01-05,2,")
            .contains("baris 3, kolom mulai: \"2027-13-01\" bukan tanggal"));
        assert!(err("2027-01-05,2027-01-01,2,").contains("kolom selesai: lebih awal"));
        assert!(err("2027-01-01,2027-06-01,2,").contains("paling lama 93 hari"));
        assert!(err("2027-01-01,2027-01-05,0,").contains("kolom faktor"));
        assert!(err("2027-01-01,2027-01-05,NaN,").contains("kolom faktor"));
        assert!(err("2027-01-01,2027-01-05,11,").contains("kolom faktor"));
        // A need by its code is not known: the message lists the names, and no code.
        let need = err("2027-01-01,2027-01-05,2,homeless");
        assert!(
            need.contains("kolom kebutuhan: \"homeless\" tidak dikenal"),
            "{need}"
        );
        assert!(
            need.contains("Gelandangan dan orang terlantar") && !need.contains("women"),
            "{need}"
        );
        assert!(err("2027-01-01,2027-01-05").contains("baris 3: ada 2 kolom"));
        assert!(err("2027-01-01,2027-01-05,3,").contains(
            "baris 3: operasi dengan tanggal dan kebutuhan yang sama sudah ada di baris 2"
        ));
        let head = read(b"starts_on,ends_on,factor\n", "r.csv", &needs())
            .unwrap_err()
            .to_string();
        assert!(
            head.contains("baris 1: judul kolom harus mulai,selesai,faktor"),
            "{head}"
        );
    }
}
