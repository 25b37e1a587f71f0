//! UPT capacity: forecasting when a ward fills, and the alerts that say so in time.
//! Everything here is pure (no database, no clock): the daily job and the screen build a
//! `forecast::WardInput` from the database, `simlontar capacity replay` builds it from a
//! daily history (`history`, `reconstruct`), and both run the same `forecast::forecast`
//! and `alert::evaluate`. Invariant: a day's forecast reads nothing dated after that day.
pub mod alert;
pub mod baseline;
pub mod cli;
pub mod demand;
pub mod digest;
pub mod evaluate;
pub mod forecast;
pub mod history;
pub mod reconstruct;
pub mod replay;
pub mod sample;
pub mod score;
pub mod survival;
pub mod synth;
