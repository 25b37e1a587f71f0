//! `simlontar capacity …`: the database-free commands. Results go to standard output as CSV;
//! progress and summaries to standard error (progress only on a terminal).
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{history, replay, score};
use crate::capacity::engine::alert::Thresholds;
use crate::capacity::engine::forecast::{ForecastConfig, HORIZON};

#[derive(Debug, Clone, clap::Args)]
pub struct CapacityArgs {
    #[command(subcommand)]
    pub command: CapacityCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum CapacityCommand {
    /// Run the daily forecast and alert evaluation over a history, one day at a time, each
    /// day seeing only the rows up to it. Prints `date,upt,ward,level,days_to_full,probability`,
    /// one row per alert raised (a new alert or a raised level).
    Replay {
        /// HISTORY.csv: date,upt,ward,capacity,occupancy,admissions,discharges and optionally
        /// turned_away, people sent who found no bed (one row per ward per day; an empty ward
        /// is a whole UPT).
        history: PathBuf,
        /// The warning horizon in days: a WARNING is raised when the probability of being
        /// full within this many days reaches the warning threshold, and the `probability`
        /// column reports that probability. CRITICAL always looks 7 days ahead, WATCH 30.
        /// The default is the tuned horizon (21).
        #[arg(long, default_value_t = Thresholds::default().lead_days, value_parser = clap::value_parser!(u32).range(1..=HORIZON as i64))]
        lead_days: u32,
    },
    /// Kalender razia Satpol PP (perlu basis data). Tanpa berkas: mencetak kalender sebagai
    /// CSV. Dengan berkas CSV `mulai,selesai,faktor[,kebutuhan[,catatan]]`: kalender menjadi
    /// persis isi berkas (tanggal TTTT-BB-HH; faktor = kali kedatangan biasa; kebutuhan =
    /// nama kebutuhan wisma, kosong untuk semua wisma). Berkas dengan kesalahan tidak
    /// mengubah apa pun.
    #[command(name = "razia", alias = "raids")]
    Raids { file: Option<PathBuf> },
    /// Score a replay's output against its history: fill events warned ahead, lead time,
    /// false warnings (a warning or critical row not followed by a fill within 45 days).
    Score {
        history: PathBuf,
        alerts: PathBuf,
        /// Days at the start of each ward left out (the forecast needs some history).
        #[arg(long, default_value_t = 90)]
        warm_up_days: i64,
    },
}

impl CapacityArgs {
    /// Whether the command needs the database (then `raids::run` runs it, after connecting).
    pub fn needs_database(&self) -> bool {
        matches!(self.command, CapacityCommand::Raids { .. })
    }
}

pub fn run(args: &CapacityArgs) -> anyhow::Result<()> {
    match &args.command {
        CapacityCommand::Raids { .. } => anyhow::bail!("kalender razia memerlukan basis data"),
        CapacityCommand::Replay { history, lead_days } => {
            let wards = history::read_path(history)?;
            let th = Thresholds {
                lead_days: *lead_days,
                ..Thresholds::default()
            };
            let progress = if std::io::stderr().is_terminal() {
                ProgressBar::new(wards.len() as u64).with_style(
                    ProgressStyle::with_template("{bar:30} {pos}/{len} wards {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                )
            } else {
                ProgressBar::hidden()
            };
            // Alerts read only probabilities: fewer paths where they are settled, and each
            // path ends when it fills.
            let cfg = ForecastConfig {
                stop: Some(th.stop_rule()),
                free_beds: false,
                ..ForecastConfig::default()
            };
            let rows = replay::replay(&wards, &cfg, &th, &|| progress.inc(1));
            progress.finish_and_clear();
            let stdout = std::io::stdout();
            replay::write(stdout.lock(), &rows).context("cannot write to standard output")?;
            let days: usize = wards.iter().map(|w| w.days.len()).sum();
            eprintln!(
                "{} wards, {} ward-days replayed, {} alerts raised",
                wards.len(),
                days,
                rows.len()
            );
            Ok(())
        }
        CapacityCommand::Score {
            history,
            alerts,
            warm_up_days,
        } => {
            let wards = history::read_path(history)?;
            let file = std::fs::File::open(alerts)
                .with_context(|| format!("{}: cannot open", alerts.display()))?;
            let rows = replay::read(file, &alerts.display().to_string())?;
            let s = score::score(&wards, &rows, *warm_up_days);
            println!("fill_events,warned_14d_ahead,share_warned_14d_ahead,median_lead_days,warnings,false_warnings,false_per_ward_quarter");
            println!(
                "{},{},{:.3},{},{},{},{:.3}",
                s.events,
                s.warned_ahead,
                s.share_warned_ahead(),
                s.median_lead()
                    .map(|m| format!("{m:.1}"))
                    .unwrap_or_default(),
                s.warnings,
                s.false_warnings,
                s.false_per_ward_quarter()
            );
            Ok(())
        }
    }
}
