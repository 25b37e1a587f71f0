//! Integration tests: one binary (linking once), one module per capability. Each
//! `#[sqlx::test]` gets a fresh database built from the migrations.
mod common;

mod audit;
mod auth;
mod browser;
mod capacity;
mod cli;
mod config;
mod demo;
mod faults;
mod identity;
mod intake;
mod linkage;
mod mfa;
mod places;
mod scope;
mod web;
