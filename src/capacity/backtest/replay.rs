//! Replaying a history through the same forecast and alert code the daily job runs, one
//! day at a time. The loop in `replay_ward` hands each day's row to the reconstruction and
//! then evaluates: no value from a later row exists yet when a day is evaluated.
use std::io::Write;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::history::{DayRow, WardSeries};
use super::reconstruct::Reconstruction;
use crate::capacity::engine::alert::{self, AlertState, Evaluation, Level, Thresholds, Transition};
use crate::capacity::engine::demand::Announced;
use crate::capacity::engine::forecast::{
    filled_by, Forecast, ForecastConfig, Forecaster, StopRule, HORIZON,
};
use crate::capacity::engine::survival::Survival;
use crate::csv_lines::Lines;

/// One alert raised (a new alert or a raised level): a row of the replay's output.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub date: NaiveDate,
    pub upt: String,
    pub ward: String,
    pub level: Level,
    pub days_to_full: Option<u32>,
    /// P(full within the lead time), as forecast that day.
    pub probability: f64,
}

pub const HEADER: [&str; 6] = [
    "date",
    "upt",
    "ward",
    "level",
    "days_to_full",
    "probability",
];

/// Replays one ward. `on_day` sees each day's row and forecast (the benchmark scores them).
/// With a `StopRule` in `cfg`, each day's forecast stops once today's alert step is settled
/// (`WardAlerts::settled`); a step that raises an alert never is, so a row's probability is
/// always that of a full run.
pub fn replay_ward(
    series: &WardSeries,
    cfg: &ForecastConfig,
    th: &Thresholds,
    on_day: impl FnMut(&DayRow, &Forecast),
) -> Vec<AlertRow> {
    replay_ward_knowing(series, &Known::default(), cfg, th, on_day)
}

/// What a replay may know besides the history.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'t> {
    /// Surges announced ahead, sorted by their first day; each is seen from
    /// `ANNOUNCED_AHEAD` days before it starts.
    pub announced: &'t [Announced],
    /// The true law of stays, for the known-rates ceiling.
    pub stay: Option<&'t Survival>,
    /// The true expected demand of every day of the history and `HORIZON` days after it,
    /// for the known-rates ceiling.
    pub rates: Option<&'t [f64]>,
}

/// Days before its first day that a raid operation is announced (the backtest's assumption).
pub const ANNOUNCED_AHEAD: i64 = 30;

/// `replay_ward`, knowing `known` as well.
pub fn replay_ward_knowing(
    series: &WardSeries,
    known: &Known,
    cfg: &ForecastConfig,
    th: &Thresholds,
    mut on_day: impl FnMut(&DayRow, &Forecast),
) -> Vec<AlertRow> {
    let mut recon = Reconstruction::new(&series.key());
    let mut forecaster = Forecaster::default();
    let mut alerts = WardAlerts::new(series, *th);
    // One day at a time: the reconstruction has seen only the rows up to `today`.
    for (i, today) in series.days.iter().enumerate() {
        recon.push(today);
        let mut input = recon.input().expect("a day was pushed");
        let said = (known.announced)
            .partition_point(|a| (a.from - today.date).num_days() <= ANNOUNCED_AHEAD);
        input.announced = &known.announced[..said];
        if let Some(stay) = known.stay {
            input.survival = stay;
        }
        if let Some(rates) = known.rates {
            input.known_rates = rates.get(i + 1..);
        }
        let f = match cfg.stop {
            Some(rule) => forecaster.run_until(&input, cfg, &|filled, n| {
                alerts.settled(today, &rule, filled, n)
            }),
            None => forecaster.run(&input, cfg),
        };
        on_day(today, &f);
        alerts.step(today, &f);
    }
    alerts.rows
}

/// The alert side of a replay for one ward: its state between days and the rows raised.
pub struct WardAlerts<'a> {
    series: &'a WardSeries,
    th: Thresholds,
    state: AlertState,
    pub rows: Vec<AlertRow>,
}

impl<'a> WardAlerts<'a> {
    pub fn new(series: &'a WardSeries, th: Thresholds) -> Self {
        WardAlerts {
            series,
            th,
            state: AlertState::default(),
            rows: Vec::new(),
        }
    }

    fn evaluation(&self, today: &DayRow, f: &Forecast) -> Evaluation {
        let (date, occ, cap) = (today.date, today.occupancy, today.capacity);
        Evaluation::new(date, date, occ, cap, 0, f, &self.th)
    }

    /// Whether `filled` of `n` paths (see `Forecaster::run_until`) settle today's step.
    /// Each threshold of `rule` whose side the paths leave open is tried on both sides,
    /// with the paths' estimates for the other horizons, and the step must come out the
    /// same every way. So a threshold that cannot change anything today (a level's release
    /// while it is closed, its firing while it is open, any while the ward is full) costs
    /// no paths; one that can is settled as `StopRule` settles it. A step that raises an
    /// alert is never settled: its row carries the full forecast's probability.
    pub fn settled(&self, today: &DayRow, rule: &StopRule, filled: &[u32], n: u32) -> bool {
        let horizons = [7, self.th.lead_days, HORIZON];
        let tries: Vec<Vec<f64>> = (horizons.iter())
            .map(|&h| {
                let c = filled_by(filled, h);
                let mut ps = vec![c as f64 / n as f64];
                for &(_, t) in rule.decisions.iter().filter(|d| d.0 == h) {
                    if !StopRule::decided(n, c, t) {
                        ps.extend([t, t - 1e-9]);
                    }
                }
                ps
            })
            .collect();
        let blank = Forecast {
            p_within: vec![0.0; HORIZON as usize],
            days_to_full: None,
            free_beds: Vec::new(),
            demand: Default::default(),
            paths: n,
        };
        let mut e = self.evaluation(today, &blank);
        let mut first = None;
        for &p7 in &tries[0] {
            for &p_lead in &tries[1] {
                for &p30 in &tries[2] {
                    (e.p7, e.p_lead, e.p30) = (p7, p_lead, p30);
                    let step = alert::evaluate(&self.state, &e, &self.th);
                    if step.1.iter().any(|&t| Self::raised(t).is_some()) {
                        return false;
                    }
                    match &first {
                        None => first = Some(step),
                        Some(s) if *s != step => return false,
                        Some(_) => {}
                    }
                }
            }
        }
        true
    }

    /// The level a transition puts in the output, if any.
    fn raised(t: Transition) -> Option<Level> {
        match t {
            Transition::Raised { level } => Some(level),
            Transition::Escalated { to, .. } => Some(to),
            _ => None,
        }
    }

    /// Evaluates one day from its row and forecast; a row per alert raised or escalated.
    pub fn step(&mut self, today: &DayRow, f: &Forecast) {
        let e = self.evaluation(today, f);
        let (next, transitions) = alert::evaluate(&self.state, &e, &self.th);
        self.state = next;
        for level in transitions.into_iter().filter_map(Self::raised) {
            self.rows.push(AlertRow {
                date: today.date,
                upt: self.series.upt.clone(),
                ward: self.series.ward.clone(),
                level,
                days_to_full: e.days_to_full,
                probability: e.p_lead,
            });
        }
    }
}

/// Replays every ward (in parallel: wards are independent) and returns the rows in date,
/// UPT, ward order. `tick` is called after each ward (progress).
pub fn replay(
    wards: &[WardSeries],
    cfg: &ForecastConfig,
    th: &Thresholds,
    tick: &(dyn Fn() + Sync),
) -> Vec<AlertRow> {
    let mut rows: Vec<AlertRow> = wards
        .par_iter()
        .flat_map_iter(|w| {
            let r = replay_ward(w, cfg, th, |_, _| {});
            tick();
            r
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.date, &a.upt, &a.ward, a.level).cmp(&(b.date, &b.upt, &b.ward, b.level))
    });
    rows
}

/// Writes rows as CSV with `HEADER`.
pub fn write(out: impl Write, rows: &[AlertRow]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for r in rows {
        w.write_record([
            r.date.to_string(),
            r.upt.clone(),
            r.ward.clone(),
            r.level.as_str().to_string(),
            r.days_to_full.map(|d| d.to_string()).unwrap_or_default(),
            format!("{:.3}", r.probability),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows written by `write` (for scoring). Errors name the line.
pub fn read(mut input: impl std::io::Read, name: &str) -> anyhow::Result<Vec<AlertRow>> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let lines = Lines::of(&bytes);
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let head: Vec<String> = (r.headers())
        .map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?
        .iter()
        .map(str::to_string)
        .collect();
    anyhow::ensure!(
        head == HEADER,
        "{name}: line 1: the header must be {}",
        HEADER.join(",")
    );
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| anyhow::anyhow!("{name}: {}", lines.describe(&e)))?;
        let line = lines.of_record(&rec);
        let bad = |col: &str| anyhow::anyhow!("{name}: line {line}, column `{col}`: unreadable");
        rows.push(AlertRow {
            date: NaiveDate::parse_from_str(&rec[0], "%Y-%m-%d").map_err(|_| bad("date"))?,
            upt: rec[1].to_string(),
            ward: rec[2].to_string(),
            level: Level::parse(&rec[3]).ok_or_else(|| bad("level"))?,
            days_to_full: match &rec[4] {
                "" => None,
                s => Some(s.parse().map_err(|_| bad("days_to_full"))?),
            },
            probability: rec[5].parse().map_err(|_| bad("probability"))?,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::backtest::synth;

    #[test]
    fn rows_written_read_back() {
        let row = AlertRow {
            date: NaiveDate::from_ymd_opt(2026, 2, 3).unwrap(),
            upt: "UPT-A".into(),
            ward: String::new(),
            level: Level::Warning,
            days_to_full: Some(12),
            probability: 0.5,
        };
        let mut buf = Vec::new();
        write(&mut buf, std::slice::from_ref(&row)).unwrap();
        assert_eq!(read(buf.as_slice(), "x").unwrap(), [row]);
    }

    /// The replay's shortcuts (fewer paths where the alerts are settled, paths that end when
    /// they fill) raise the same rows as the full forecast on a generated history.
    #[test]
    fn quick_and_full_runs_raise_the_same_alerts() {
        let set = synth::generate(&synth::SynthConfig {
            upts: 2,
            days: 300,
            seed: 21,
            ..synth::SynthConfig::default()
        });
        let th = Thresholds::default();
        let full = ForecastConfig::default();
        let quick = ForecastConfig {
            stop: Some(th.stop_rule()),
            free_beds: false,
            ..ForecastConfig::default()
        };
        let (mut days, mut stopped, mut rows) = (0, 0, 0);
        for w in &set.wards {
            let fast = replay_ward(w, &quick, &th, |_, f| {
                days += 1;
                stopped += (f.paths < full.paths) as usize;
            });
            assert_eq!(fast, replay_ward(w, &full, &th, |_, _| {}), "{}", w.key());
            rows += fast.len();
        }
        assert!(
            rows > 5 && stopped * 3 > days,
            "{rows} rows, {stopped} of {days} days stopped"
        );
    }

    #[test]
    fn later_days_do_not_change_earlier_alerts() {
        let set = synth::generate(&synth::SynthConfig {
            upts: 1,
            days: 260,
            seed: 11,
            ..synth::SynthConfig::default()
        });
        let ward = &set.wards[0];
        let cut = 150;
        let mut changed = ward.clone();
        for d in &mut changed.days[cut + 1..] {
            d.occupancy = d.capacity;
            d.admissions += 5;
        }
        let cfg = ForecastConfig::default();
        let th = Thresholds::default();
        let day = ward.days[cut].date;
        let before = |w: &WardSeries| -> Vec<AlertRow> {
            replay_ward(w, &cfg, &th, |_, _| {})
                .into_iter()
                .filter(|r| r.date <= day)
                .collect()
        };
        assert_eq!(before(ward), before(&changed));
        assert_ne!(
            replay_ward(ward, &cfg, &th, |_, _| {}),
            replay_ward(&changed, &cfg, &th, |_, _| {})
        );
    }

    mod properties {
        use super::super::*;
        use crate::hostile::csv_bytes;
        use proptest::prelude::*;

        fn alert() -> impl Strategy<Value = AlertRow> {
            (
                0i64..1000,
                "[A-Z][A-Z0-9-]{0,8}",
                "([A-Za-z][A-Za-z ,\"]{0,6}[a-z])?",
                proptest::sample::select(Level::ALL.to_vec()),
                proptest::option::of(0u32..400),
                0u32..=1000,
            )
                .prop_map(|(day, upt, ward, level, days_to_full, p)| AlertRow {
                    date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                        + chrono::Duration::days(day),
                    upt,
                    ward,
                    level,
                    days_to_full,
                    // Written with three decimals.
                    probability: f64::from(p) / 1000.0,
                })
        }

        proptest! {
            #[test]
            fn any_bytes_give_alerts_or_an_error_with_a_line(bytes in csv_bytes(
                "date,upt,ward,level,days_to_full,probability"
            )) {
                if let Err(e) = read(bytes.as_slice(), "a.csv") {
                    prop_assert!(crate::hostile::names_a_line(&e.to_string()), "{e}");
                }
            }

            #[test]
            fn written_alerts_read_back(rows in proptest::collection::vec(alert(), 0..8)) {
                let mut buf = vec![];
                write(&mut buf, &rows).unwrap();
                prop_assert_eq!(read(buf.as_slice(), "a.csv").unwrap(), rows);
            }
        }
    }
}
