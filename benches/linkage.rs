//! Linkage quality and speed, side by side with Splink's published figures.
//!
//!     cargo bench --bench linkage                              # everything
//!     SIMLONTAR_BENCH_QUICK=1 cargo bench --bench linkage      # skip 100k×100k, 100k register
//!
//! Under `cargo test` (no `--bench` argument) it runs a small smoke version only.
//! The public set is read from `../shared/benchmarks/historical_50k.csv` (or the path in
//! `SIMLONTAR_HISTORICAL`); its `cluster` column is read here, for scoring, and never
//! handed to the engine.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use simlontar::linkage::block::Mode;
use simlontar::linkage::cli::{self, LinkArgs};
use simlontar::linkage::link::{self, unpack};
use simlontar::linkage::register::Register;
use simlontar::linkage::spec::Spec;
use simlontar::linkage::synth::{self, SynthSet};
use simlontar::linkage::table::Table;

const HISTORICAL_SPEC: &str = r#"id = "unique_id"
[[field]]
column = "first_name"
kind = "given_name"
[[field]]
column = "surname"
kind = "family_name"
[[field]]
column = "dob"
kind = "date"
format = "%Y-%m-%d"
[[field]]
column = "birth_place"
kind = "address"
[[field]]
column = "postcode_fake"
kind = "postcode"
[[field]]
column = "gender"
kind = "sex"
[[field]]
column = "occupation"
kind = "text"
"#;

fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var_os("SIMLONTAR_BENCH_QUICK").is_some();
    let dir = tempfile::tempdir()?;
    if full {
        historical()?;
        synthetic_f1(10_000)?;
        end_to_end(dir.path(), 5_000)?;
        if !quick {
            end_to_end(dir.path(), 100_000)?;
        }
        register(if quick { 100_000 } else { 1_000_000 }, 1_000)?;
    } else {
        println!("smoke run (cargo bench --bench linkage for the real figures)");
        synthetic_f1(200)?;
        end_to_end(dir.path(), 200)?;
        register(500, 10)?;
    }
    Ok(())
}

/// Peak resident memory of this process so far, from the kernel.
fn peak_mb() -> f64 {
    status_kb("VmHWM:") / 1024.0
}

fn rss_mb() -> f64 {
    status_kb("VmRSS:") / 1024.0
}

fn status_kb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0.0)
}

/// Precision, recall and F1 of found pairs against the truth (both sorted).
fn prf(found: &[u64], truth: &[u64]) -> (f64, f64, f64) {
    let hits = found
        .iter()
        .filter(|p| truth.binary_search(p).is_ok())
        .count() as f64;
    let p = hits / found.len().max(1) as f64;
    let r = hits / truth.len().max(1) as f64;
    (
        p,
        r,
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    )
}

fn packed(pairs: &[(usize, usize, f64)]) -> Vec<u64> {
    let mut v: Vec<u64> = pairs
        .iter()
        .map(|(i, j, _)| (*i as u64) << 32 | *j as u64)
        .collect();
    v.sort_unstable();
    v
}

fn historical() -> anyhow::Result<()> {
    let path = std::env::var_os("SIMLONTAR_HISTORICAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/benchmarks/historical_50k.csv"));
    if !path.exists() {
        println!("historical_50k: {} not found; skipped", path.display());
        return Ok(());
    }
    let spec = Spec::parse(HISTORICAL_SPEC)?;
    let start = Instant::now();
    let (table, mode) = cli::load(&spec, &[path.as_path()])?;
    let linkage = link::run(&table, mode)?;
    let at_half = linkage.pairs(&table, 0.5);
    let seconds = start.elapsed().as_secs_f64();
    let peak = peak_mb();

    // The truth, read apart from the engine.
    let mut reader = csv::Reader::from_path(&path)?;
    let col = reader
        .headers()?
        .iter()
        .position(|h| h == "cluster")
        .unwrap();
    let mut by_cluster: HashMap<String, Vec<u64>> = HashMap::new();
    for (i, row) in reader.records().enumerate() {
        by_cluster
            .entry(row?[col].to_string())
            .or_default()
            .push(i as u64);
    }
    let mut truth: Vec<u64> = by_cluster
        .values()
        .flat_map(|m| {
            m.iter()
                .enumerate()
                .flat_map(move |(k, a)| m[k + 1..].iter().map(move |b| a << 32 | b))
        })
        .collect();
    truth.sort_unstable();
    let blocked = linkage
        .candidates
        .iter()
        .filter(|c| truth.binary_search(c).is_ok())
        .count() as f64
        / truth.len() as f64;
    let (p, r, f) = prf(&packed(&at_half), &truth);
    let mut best = (0.0, 0.0, 0.0, 0.0);
    for t in (1..=99).step_by(2).map(|t| t as f64 / 100.0) {
        let (bp, br, bf) = prf(&packed(&linkage.pairs(&table, t)), &truth);
        if bf > best.2 {
            best = (bp, br, bf, t);
        }
    }
    println!(
        "\nhistorical_50k ({} records, {} true pairs), dedupe",
        table.len(),
        truth.len()
    );
    println!("| figure | Simlontar | Splink 5.0.0 |");
    println!("| --- | --- | --- |");
    println!(
        "| candidate pairs scored | {} | 450,741 |",
        linkage.candidates.len()
    );
    println!("| blocking recall | {blocked:.3} | 0.670 |");
    println!("| precision / recall / F1 at p ≥ 0.5 | {p:.3} / {r:.3} / **{f:.3}** | 0.975 / 0.600 / 0.743 |");
    println!(
        "| best F1 over thresholds | **{:.3}** (P {:.3}, R {:.3}, at {:.2}) | 0.767 (P 0.935, R 0.650) |",
        best.2, best.0, best.1, best.3
    );
    println!("| load + train + predict | {seconds:.2} s, {peak:.0} MB peak | 8.7 s, 848 MB peak |");
    Ok(())
}

fn synthetic_f1(n: usize) -> anyhow::Result<()> {
    let set = synth::link_set(n, 2026);
    let table = set.table();
    let start = Instant::now();
    let linkage = link::run(
        &table,
        Mode::Link {
            split: set.left.len(),
        },
    )?;
    let found = packed(&linkage.pairs(&table, 0.5));
    let seconds = start.elapsed().as_secs_f64();
    let truth = set.true_pairs();
    let (p, r, f) = prf(&found, &truth);
    let contradicting = found
        .iter()
        .filter(|c| {
            let (i, j) = unpack(**c);
            linkage.comparer.contradicts(&table, table.row(i), table.row(j))
        })
        .count();
    println!(
        "\nsynthetic Indonesian {n}×{n} link: P {p:.4} R {r:.4} F1 {f:.4} (target ≥ 0.97); \
         {} candidates; train+score {seconds:.2} s; links with contradicting valid NIKs: {contradicting}",
        linkage.candidates.len()
    );
    Ok(())
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec!["rec_id"];
    header.extend(simlontar::linkage::person::COLUMNS);
    w.write_record(&header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(())
}

/// `simlontar link` as a data officer runs it: files in, pairs file out.
fn end_to_end(dir: &Path, n: usize) -> anyhow::Result<()> {
    let set: SynthSet = synth::link_set(n, 7);
    let (left, right, spec, out) = (
        dir.join(format!("left{n}.csv")),
        dir.join(format!("right{n}.csv")),
        dir.join("spec.toml"),
        dir.join(format!("pairs{n}.csv")),
    );
    write_csv(&left, &set.left)?;
    write_csv(&right, &set.right)?;
    std::fs::write(&spec, synth::SPEC)?;
    let args = LinkArgs {
        files: vec![left, right],
        dedupe: None,
        spec,
        out: Some(out.clone()),
        threshold: 0.5,
    };
    let start = Instant::now();
    let summary = cli::run(&args)?;
    let seconds = start.elapsed().as_secs_f64();
    let target = if n <= 5_000 { "< 2 s" } else { "< 60 s" };
    let mut found = Vec::new();
    for row in csv::Reader::from_path(&out)?.records() {
        let row = row?;
        let i: u64 = row[0][1..].parse()?;
        let j: u64 = row[1][1..].parse()?;
        found.push(i << 32 | (n as u64 + j));
    }
    found.sort_unstable();
    let (p, r, f) = prf(&found, &set.true_pairs());
    println!(
        "end to end {n}×{n} (read, learn, block, score, write): {seconds:.2} s (target {target}); \
         {} candidates; P {p:.4} R {r:.4} F1 {f:.4}",
        summary.candidates
    );
    Ok(())
}

/// One new intake against a register of `n` people.
fn register(n: usize, queries: usize) -> anyhow::Result<()> {
    let train_set = synth::link_set(10_000.min(n), 99);
    let train_table = train_set.table();
    let linkage = link::run(
        &train_table,
        Mode::Link {
            split: train_set.left.len(),
        },
    )?;

    let mut rng = ChaCha8Rng::seed_from_u64(1_000_000);
    let people: Vec<synth::Person> = (0..n as u32).map(|i| synth::person(&mut rng, i)).collect();
    let before = rss_mb();
    let start = Instant::now();
    let mut table = Table::new(synth::schema());
    for (i, p) in people.iter().enumerate() {
        let row = synth::registry_row(&mut rng, format!("R{i}"), p);
        let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
        table.push(row[0].clone(), &cells);
    }
    let register = Register::new(
        table,
        linkage.model.clone(),
        linkage.matches_per_record(&train_table),
    );
    let build = start.elapsed().as_secs_f64();
    let memory = rss_mb() - before;

    let mut times = Vec::with_capacity(queries);
    let mut right = 0;
    let mut known = 0;
    for q in 0..queries {
        let (who, p) = if rng.random_bool(0.8) {
            let i = rng.random_range(0..n);
            (Some(i), people[i].clone())
        } else {
            (None, synth::person(&mut rng, (n + q) as u32))
        };
        let row = synth::intake_row(&mut rng, format!("Q{q}"), &p);
        let cells: Vec<&str> = row[1..].iter().map(String::as_str).collect();
        let t = Instant::now();
        let found = register.match_cells(&cells, 0.5);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if let Some(i) = who {
            known += 1;
            if found.first().is_some_and(|c| c.index == i) {
                right += 1;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "one intake vs a register of {n}: p50 {:.2} ms, p95 {:.2} ms (target < 50 ms), p99 {:.2} ms; \
         build {build:.1} s, register memory ≈ {memory:.0} MB; right person first with p ≥ 0.5 for {right} of {known}",
        pct(0.5),
        pct(0.95),
        pct(0.99)
    );
    Ok(())
}
