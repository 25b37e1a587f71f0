//! `simlontar link`: CSV files in, a CSV of linked pairs out. The only part of the
//! engine that touches files; errors name the file, the line and the column.
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use indicatif::ProgressBar;

use super::block::Mode;
use super::link;
use super::record::Source;
use super::spec::Spec;
use super::table::Table;
use crate::csv_lines::Lines;

/// Link two CSV files, or find duplicates within one. Needs no database.
#[derive(Debug, Clone, clap::Args)]
pub struct LinkArgs {
    /// LEFT.csv RIGHT.csv (or nothing, with --dedupe).
    pub files: Vec<PathBuf>,
    /// Find duplicates within this one file.
    #[arg(long)]
    pub dedupe: Option<PathBuf>,
    /// SPEC.toml: the id column and the fields to compare.
    #[arg(long)]
    pub spec: PathBuf,
    /// Where to write `left_id,right_id,probability` (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Lowest match probability written.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
}

/// What a run did, for the summary line and the benchmark.
#[derive(Debug, Clone)]
pub struct Summary {
    pub records: usize,
    pub candidates: usize,
    pub pairs_written: usize,
}

pub fn run(args: &LinkArgs) -> anyhow::Result<Summary> {
    let files: Vec<&Path> = match (&args.dedupe, args.files.as_slice()) {
        (Some(one), []) => vec![one],
        (None, [left, right]) => vec![left, right],
        (Some(_), _) => bail!("with --dedupe give one file and no LEFT/RIGHT files"),
        (None, _) => bail!("give two files to link (LEFT.csv RIGHT.csv) or --dedupe DATA.csv"),
    };
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        bail!("--threshold must be above 0 and at most 1");
    }
    let spec_text = std::fs::read_to_string(&args.spec)
        .with_context(|| format!("{}: cannot read the spec", args.spec.display()))?;
    let spec = Spec::parse(&spec_text).with_context(|| format!("{}", args.spec.display()))?;

    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    progress.set_message("reading");
    let (table, mode) = load(&spec, &files)?;
    progress.set_message("blocking, learning weights and scoring");
    let linkage = link::run(&table, mode)?;
    progress.set_message("writing pairs");
    let pairs = linkage.pairs(&table, args.threshold);
    let written = write(args.out.as_deref(), &table, &pairs)?;
    progress.finish_and_clear();
    eprintln!(
        "{} records, {} candidate pairs compared, {} pairs with probability ≥ {} written",
        table.len(),
        linkage.candidates.len(),
        written,
        args.threshold
    );
    Ok(Summary {
        records: table.len(),
        candidates: linkage.candidates.len(),
        pairs_written: written,
    })
}

/// Reads one file (dedupe) or two (link: the left file first) into one table.
pub fn load(spec: &Spec, files: &[&Path]) -> anyhow::Result<(Table, Mode)> {
    let mut table = Table::new(spec.schema.clone());
    let mut split = 0;
    for (k, file) in files.iter().enumerate() {
        read(file, spec, spec.verified.source(k), &mut table)?;
        if k == 0 {
            split = table.len();
        }
    }
    let mode = if files.len() == 1 {
        Mode::Dedupe
    } else {
        Mode::Link { split }
    };
    Ok((table, mode))
}

/// Values of one column that could not be read, in one file.
struct Unreadable {
    count: usize,
    filled: usize,
    first: Option<(u64, String)>,
}

fn read(file: &Path, spec: &Spec, source: Source, table: &mut Table) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let input = std::fs::File::open(file).with_context(|| format!("{name}: cannot open"))?;
    read_records_from(std::io::BufReader::new(input), &name, spec, source, table)
}

/// Adds one CSV file's records, identifiers typed, to the table; `name` is used in
/// messages.
pub fn read_records(
    input: impl std::io::Read,
    name: &str,
    spec: &Spec,
    table: &mut Table,
) -> anyhow::Result<()> {
    read_records_from(input, name, spec, Source::Typed, table)
}

/// Adds one CSV file's records, identifiers from `source`, to the table.
pub fn read_records_from(
    mut input: impl std::io::Read,
    name: &str,
    spec: &Spec,
    source: Source,
    table: &mut Table,
) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .with_context(|| format!("{name}: cannot read"))?;
    let lines = Lines::of(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .with_context(|| format!("{name}: cannot read the header line"))?
        .clone();
    let column = |c: &str| -> anyhow::Result<usize> {
        headers.iter().position(|h| h.trim() == c).with_context(|| {
            let have: Vec<&str> = headers.iter().collect();
            format!(
                "{name}: no column `{c}` (the header has: {})",
                have.join(", ")
            )
        })
    };
    let id_col = column(&spec.id)?;
    let cols: Vec<usize> = (spec.schema.fields.iter())
        .map(|f| column(&f.name))
        .collect::<anyhow::Result<_>>()?;
    let mut bad: Vec<Unreadable> = (0..cols.len())
        .map(|_| Unreadable {
            count: 0,
            filled: 0,
            first: None,
        })
        .collect();
    for row in reader.records() {
        let row = row.map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?;
        let line = lines.of_record(&row);
        let id = row[id_col].trim();
        if id.is_empty() {
            bail!(
                "{name}: line {line}: column `{}` (the id) is empty",
                spec.id
            );
        }
        let cells: Vec<&str> = cols.iter().map(|&c| &row[c]).collect();
        for (f, cell) in cells.iter().enumerate() {
            if !cell.trim().is_empty() {
                bad[f].filled += 1;
            }
        }
        for f in table.push_from(id.to_string(), &cells, source) {
            let b = &mut bad[f];
            b.count += 1;
            b.first.get_or_insert_with(|| (line, cells[f].to_string()));
        }
    }
    for (f, b) in bad.iter().enumerate() {
        let Some((line, value)) = &b.first else {
            continue;
        };
        let col = &spec.schema.fields[f].name;
        if b.count * 2 > b.filled {
            bail!(
                "{name}: column `{col}`: {} of {} values cannot be read as {:?} (first at line {line}: `{value}`); check the kind and format in the spec",
                b.count,
                b.filled,
                spec.schema.fields[f].kind
            );
        }
        eprintln!(
            "{name}: column `{col}`: {} values could not be read and count as missing (first at line {line}: `{value}`)",
            b.count
        );
    }
    Ok(())
}

fn write(
    out: Option<&Path>,
    table: &Table,
    pairs: &[(usize, usize, f64)],
) -> anyhow::Result<usize> {
    let sink: Box<dyn Write> = match out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
    w.write_record(["left_id", "right_id", "probability"])?;
    for (i, j, p) in pairs {
        w.write_record([&table.ids[*i], &table.ids[*j], &format!("{p:.6}")])?;
    }
    w.flush()?;
    Ok(pairs.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostile::{csv_bytes, names_a_line};
    use proptest::prelude::*;

    /// One field of every kind, so every cell parser meets the noise.
    const SPEC: &str = r#"
id = "id"
[[field]]
column = "name"
kind = "full_name"
[[field]]
column = "born"
kind = "date"
[[field]]
column = "age"
kind = "age"
[[field]]
column = "sex"
kind = "sex"
[[field]]
column = "nik"
kind = "nik"
[[field]]
column = "region"
kind = "region_code"
[[field]]
column = "post"
kind = "postcode"
[[field]]
column = "note"
kind = "text"
"#;

    proptest! {
        #[test]
        fn any_bytes_give_records_or_an_error_that_names_the_file(
            bytes in csv_bytes("id,name,born,age,sex,nik,region,post,note")
        ) {
            let spec = Spec::parse(SPEC).unwrap();
            let mut table = Table::new(spec.schema.clone());
            if let Err(e) = read_records(bytes.as_slice(), "in.csv", &spec, &mut table) {
                let m = format!("{e:#}");
                prop_assert!(m.starts_with("in.csv: "), "{m}");
                // Whole-column complaints name the column and the first line.
                prop_assert!(names_a_line(&m) || m.contains("header"), "{m}");
            }
        }
    }
}
