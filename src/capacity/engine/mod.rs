//! The forecasting engine: demand (`demand`), length of stay (`survival`), the Monte Carlo
//! forecast (`forecast`, draws in `sample`) and the alert state machine (`alert`).
//! Invariants: pure — no database, no clock, no I/O; a forecast reads nothing dated after
//! its `today`; the same input and seed give the same forecast on any machine. The daily
//! job (`capacity::evaluate`) and the backtest (`capacity::backtest`) call the same code.
pub mod alert;
pub mod change;
pub mod demand;
pub mod forecast;
pub mod sample;
pub mod survival;
