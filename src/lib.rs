//! Simlontar: bringing stranded people in East Java home, or to a shelter bed that fits.
pub mod auth;
pub mod capacity;
pub mod clock;
pub mod config;
pub mod csv_lines;
pub mod db;
pub mod demo;
pub mod error;
pub mod identity;
pub mod intake;
pub mod jobs;
pub mod linkage;
pub mod logs;
pub mod notify;
pub mod places;
pub mod retention;
pub mod routing;
pub mod shelter;
pub mod web;

pub use web::{app, AppState};

#[cfg(test)]
mod hostile;
