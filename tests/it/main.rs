//! Integration tests: one binary (linking once), one module per capability. Each
//! `#[sqlx::test]` gets a fresh database built from the migrations.
mod common;

mod auth;
mod browser;
mod cli;
mod config;
mod demo;
mod intake;
mod linkage;
mod places;
mod web;
