//! From an aggregate daily history (capacity, occupancy, admissions, discharges) to the
//! forecast's input, one day at a time.
//!
//! Individual stays are not in such a history, so they are reconstructed: each discharge
//! removes a resident chosen at random (a deterministic RNG per ward). Why not first-in
//! first-out: FIFO makes every stay about equally long, so the forecast would think it knows
//! which day each resident leaves and become over-confident; random order is the assumption
//! that adds no information (and for Poisson arrivals the departures are Poisson whatever the
//! stay distribution, so the counts it predicts are right). People present on the first day
//! have unknown admission dates: their stays are censored at what was seen, never counted as
//! completed. When occupancy disagrees with yesterday + admissions − discharges (transfers,
//! corrections), occupancy wins. Demand is admissions plus the people turned away; a history
//! without `turned_away` under-counts a full ward's demand (the database side counts them).
//!
//! `push` takes one day; nothing here can see a later day than the last one pushed.
use std::collections::VecDeque;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::history::DayRow;
use crate::capacity::engine::forecast::{self, Resident, WardInput};
use crate::capacity::engine::survival::Survival;

/// Completed stays older than this are forgotten (A2: the last 2–3 years).
const STAY_MEMORY_DAYS: i64 = 3 * 365;
/// The length-of-stay curve is re-estimated this often (it changes slowly).
const SURVIVAL_REFRESH_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy)]
struct Stay {
    admitted: i64,
    /// Admitted before the history starts (or added by a correction): the true admission is
    /// earlier or unknown, so its stay is never counted as completed.
    known: bool,
}

/// The reconstructed state of one ward after the days pushed so far.
pub struct Reconstruction {
    key: String,
    rng: ChaCha8Rng,
    present: Vec<Stay>,
    completed: VecDeque<(i64, u32)>,
    arrivals: Vec<u32>,
    /// Occupancy and discharges per day, for the Little's-law fallback mean stay.
    occupancy: VecDeque<(u32, u32)>,
    last: Option<(NaiveDate, DayRow)>,
    survival: Option<(i64, Survival)>,
    residents: Vec<Resident>,
}

impl Reconstruction {
    pub fn new(key: &str) -> Reconstruction {
        Reconstruction {
            key: key.to_string(),
            rng: ChaCha8Rng::seed_from_u64(forecast::seed(key, NaiveDate::MIN)),
            present: Vec::new(),
            completed: VecDeque::new(),
            arrivals: Vec::new(),
            occupancy: VecDeque::new(),
            last: None,
            survival: None,
            residents: Vec::new(),
        }
    }

    /// Adds the next day (later than any before). Missing days in between count as days
    /// without arrivals or discharges.
    pub fn push(&mut self, row: &DayRow) {
        let today = day_number(row.date);
        if let Some((prev, _)) = self.last {
            assert!(row.date > prev, "days must be pushed in order");
            for _ in 1..(row.date - prev).num_days() {
                self.arrivals.push(0);
            }
        }
        // Demand: everyone sent here, whether or not a bed was free.
        self.arrivals
            .push(row.admissions.saturating_add(row.turned_away));
        for _ in 0..row.discharges.min(self.present.len() as u32) {
            self.leave(today);
        }
        for _ in 0..row.admissions {
            self.present.push(Stay {
                admitted: today,
                known: true,
            });
        }
        // Occupancy is the truth; on the first day the difference is who was already there.
        while self.present.len() > row.occupancy as usize {
            self.leave(today);
        }
        while self.present.len() < row.occupancy as usize {
            self.present.push(Stay {
                admitted: today,
                known: false,
            });
        }
        while self
            .completed
            .front()
            .is_some_and(|&(d, _)| d < today - STAY_MEMORY_DAYS)
        {
            self.completed.pop_front();
        }
        self.occupancy.push_back((row.occupancy, row.discharges));
        if self.occupancy.len() > 365 {
            self.occupancy.pop_front();
        }
        self.last = Some((row.date, row.clone()));
    }

    fn leave(&mut self, today: i64) {
        let i = self.rng.random_range(0..self.present.len());
        let stay = self.present.swap_remove(i);
        if stay.known {
            self.completed
                .push_back((today, (today - stay.admitted) as u32));
        }
    }

    /// The lengths of the stays seen to end (those begun within the days pushed).
    pub fn completed_stays(&self) -> Vec<u32> {
        self.completed.iter().map(|&(_, l)| l).collect()
    }

    /// The day last pushed, with its row.
    pub fn last(&self) -> Option<&(NaiveDate, DayRow)> {
        self.last.as_ref()
    }

    /// The forecast input as of the last day pushed. `None` before any day.
    pub fn input(&mut self) -> Option<WardInput<'_>> {
        let (date, row) = self.last.clone()?;
        let today = day_number(date);
        let stale = self
            .survival
            .as_ref()
            .is_none_or(|(built, _)| today - built >= SURVIVAL_REFRESH_DAYS);
        if stale {
            let completed: Vec<u32> = self.completed.iter().map(|&(_, l)| l).collect();
            let censored: Vec<u32> = (self.present.iter())
                .map(|s| (today - s.admitted) as u32)
                .collect();
            let (occ, dis) = (self.occupancy.iter())
                .fold((0.0, 0.0), |(o, d), &(a, b)| (o + a as f64, d + b as f64));
            // Little's law: mean stay = mean occupancy / mean departures per day.
            let mean = occ / dis.max(1.0);
            let curve = Survival::choose(&completed, &censored, None, mean);
            self.survival = Some((today, curve));
        }
        self.residents.clear();
        self.residents.extend(self.present.iter().map(|s| Resident {
            elapsed_days: (today - s.admitted) as u32,
            planned_departure_in: None,
        }));
        Some(WardInput {
            today: date,
            capacity: row.capacity,
            capacity_ahead: None,
            residents: &self.residents,
            survival: &self.survival.as_ref()?.1,
            arrivals: &self.arrivals,
            waiting: 0,
            expected: &[],
            announced: &[],
            known_rates: None,
            seed: forecast::seed(&self.key, date),
        })
    }
}

fn day_number(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u32, cap: u32, occ: u32, adm: u32, dis: u32) -> DayRow {
        DayRow {
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
            capacity: cap,
            occupancy: occ,
            admissions: adm,
            discharges: dis,
            turned_away: 0,
        }
    }

    #[test]
    fn residents_follow_the_occupancy_and_elapsed_days_grow() {
        let mut r = Reconstruction::new("A/L");
        r.push(&row(1, 10, 4, 1, 0));
        r.push(&row(2, 10, 5, 2, 1));
        r.push(&row(4, 10, 5, 0, 0));
        let input = r.input().unwrap();
        assert_eq!(input.residents.len(), 5);
        assert_eq!(input.capacity, 10);
        // A missing day (3 January) counts as a day without arrivals.
        assert_eq!(input.arrivals, &[1, 2, 0, 0]);
        let mut elapsed: Vec<u32> = input.residents.iter().map(|r| r.elapsed_days).collect();
        elapsed.sort();
        assert_eq!(elapsed, [2, 2, 3, 3, 3]);
    }

    #[test]
    fn people_turned_away_count_as_demand_but_take_no_bed() {
        let mut r = Reconstruction::new("A/L");
        r.push(&DayRow {
            turned_away: 3,
            ..row(1, 4, 4, 4, 0)
        });
        // Any number a file holds, however absurd, is added without overflowing.
        r.push(&DayRow {
            turned_away: u32::MAX,
            ..row(2, 4, 4, 1, 1)
        });
        let input = r.input().unwrap();
        assert_eq!(input.arrivals, &[7, u32::MAX]);
        assert_eq!(input.residents.len(), 4);
    }

    #[test]
    fn only_stays_with_a_known_start_are_completed() {
        let mut r = Reconstruction::new("A");
        r.push(&row(1, 10, 3, 0, 0));
        // The three people of day 1 leave: none of their stays is known.
        r.push(&row(5, 10, 0, 0, 3));
        assert!(r.completed.is_empty());
        r.push(&row(6, 10, 1, 1, 0));
        r.push(&row(9, 10, 0, 0, 1));
        assert_eq!(r.completed.iter().map(|c| c.1).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn the_same_history_gives_the_same_reconstruction() {
        let run = || {
            let mut r = Reconstruction::new("A");
            for d in 1..=20 {
                r.push(&row(d, 30, 10 + d % 5, 2, 1 + d % 3));
            }
            let i = r.input().unwrap();
            i.residents.to_vec()
        };
        assert_eq!(run(), run());
    }
}
