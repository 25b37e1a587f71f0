//! Integration tests: one binary (linking once), one module per capability. Each
//! `#[sqlx::test]` gets a fresh database built from the migrations.
mod common;

mod api_fuzz;
mod audit;
mod auth;
mod authz;
mod backup;
mod browser;
mod capacity;
mod capacity_alerts;
mod capacity_screen;
mod cli;
mod cluster;
mod config;
mod crash;
mod demo;
mod faults;
mod handover;
mod hostile;
mod identity;
mod intake;
mod inventory;
mod jobs;
mod linkage;
mod mail;
mod mfa;
mod notify;
mod passwords;
mod places;
mod retention;
mod routing;
mod scope;
mod scope_cost;
mod shelter;
mod stress;
mod web;
