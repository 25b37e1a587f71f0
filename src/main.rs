//! The `simlontar` command line: parse, load settings, call into the library.
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use simlontar::clock::SystemClock;
use simlontar::config::Settings;
use simlontar::{db, demo, places};

mod admin;

#[derive(Parser)]
#[command(
    name = "simlontar",
    version,
    about = "Repatriation and shelter management for stranded people in East Java"
)]
struct Cli {
    /// Settings file (TOML). Environment variables override it.
    #[arg(long, global = true, default_value = "simlontar.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API.
    Serve,
    /// Apply database migrations.
    Migrate,
    /// Reference geography.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Synthetic demonstration data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// People who sign in.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for other systems.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Link two CSV files, or find duplicates within one (needs no database).
    Link(simlontar::linkage::cli::LinkArgs),
    /// UPT capacity forecasts and alerts (replay and score need no database).
    Capacity(simlontar::capacity::cli::CapacityArgs),
    /// DP3AK identity checks.
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Social-assistance registers (DTKS-style).
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// The transport plan home, as JSON (needs the geo data loaded).
    Plan {
        /// The pick-up point: LAT,LON in WGS 84 (e.g. -7.2575,112.7521).
        #[arg(long, value_parser = parse_lat_lon, allow_hyphen_values = true)]
        from: (f64, f64),
        /// The home: a village (35.10.01.2001), district, regency (35.10) or, outside East
        /// Java, a province (11) code; dotted or undotted (3510, 3510012001).
        #[arg(long, value_parser = parse_region)]
        to: String,
        /// Conditions calling for an escort: psychosocial, elderly, child, sick, pregnant,
        /// disability, other (comma-separated).
        #[arg(long, value_parser = parse_conditions, default_value = "")]
        escort: Conditions,
        /// The person's age in years (under 18 or 60 and over also call for an escort).
        #[arg(long)]
        age: Option<u32>,
        /// Also write the route map (SVG) to this file.
        #[arg(long)]
        map: Option<PathBuf>,
    },
    /// A monthly or yearly report (or the period's case list) as CSV or XLSX.
    Report(simlontar::reports::cli::ReportArgs),
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Go-live imports of the province's state before Simlontar: each checks the whole file
    /// first (every bad row by line and column), writes nothing unless all rows are good,
    /// changes nothing when run twice, and is recorded for an administrator (`--as`).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// What still blocks a real start; exits non-zero while anything does.
    Readiness,
}

/// One variant per import, each calling its capability's `run`.
#[derive(Subcommand)]
enum ImportCommand {
    /// Offices' addresses: code,office,email,phone,contact.
    Offices(simlontar::notify::office_import::ImportArgs),
    /// Daily occupancy of UPT wards before Simlontar, in the `capacity replay` format
    /// (date,upt,ward,capacity,occupancy,admissions,discharges[,turned_away]); the forecast
    /// learns from it as from days lived in the system.
    Occupancy(ImportFile),
    /// People already living in the UPTs (upt,ward,admitted_on,full_name,sex,birth_year,
    /// home_region,nik,notes): each becomes a case placed in that ward since admitted_on.
    Residents(ImportFile),
}

/// What every import takes.
#[derive(clap::Args)]
struct ImportFile {
    file: PathBuf,
    /// The administrator the import is recorded for.
    #[arg(long = "as")]
    admin: String,
    /// Check the file and say what would change, writing nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Record a CSV file of check results on behalf of a DP3AK user; matches without a case
    /// number are matched to intakes and wait in the review queue.
    ImportChecks {
        file: PathBuf,
        /// The DP3AK user (identity_officer) the results are recorded for.
        #[arg(long = "as")]
        officer: String,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Load a register from CSV (id,nik,name,birth_date,sex,village_code,address,programmes).
    Import {
        file: PathBuf,
        /// The register's name, e.g. DTKS-2026-10; a re-import of it updates its rows.
        #[arg(long)]
        source: String,
        /// Import the good rows and list the bad ones, instead of stopping at any.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// The assistance programmes a register may name.
    Programme {
        #[command(subcommand)]
        command: ProgrammeCommand,
    },
}

#[derive(Subcommand)]
enum ProgrammeCommand {
    /// Add a programme (or rename one) so registers may name it, e.g.
    /// `registry programme add ASLUT --name-id "Asistensi Sosial Lanjut Usia" --name-en "…" --as admin`.
    Add {
        code: String,
        #[arg(long)]
        name_id: String,
        #[arg(long)]
        name_en: String,
        /// Other ways registers write it (repeatable).
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// The administrator the change is recorded for.
        #[arg(long = "as")]
        admin: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the audit trail's hash chain; exits non-zero when a row was tampered with.
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user with one role; the password is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// Regency code (35.78) for regional roles, UPT code for UPT staff.
        #[arg(long)]
        scope: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Give a user another role.
    Grant {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: Option<String>,
    },
    /// Stop a user signing in; their sessions and tokens stop working at once.
    Disable { username: String },
    /// Let a disabled user sign in again.
    Enable { username: String },
    /// Set a new password (from standard input); ends the user's sessions.
    ResetPassword {
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Forget the user's authenticator app (a lost phone); they set up a new one at their
    /// next sign-in. Ends the user's sessions.
    ResetMfa { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new API token for the user on standard output (it is not stored).
    Create {
        username: String,
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// Revoke a token by its number.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Load (or reload) the reference data from a geo/ folder; safe to run again.
    Load {
        #[arg(long, default_value = "geo")]
        dir: PathBuf,
        /// An official boundary file (GeoJSON FeatureCollection) for the regions.
        #[arg(long)]
        boundaries: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Generate a year of synthetic pick-ups, cases and UPT stays.
    Seed {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Last day of the generated year (default: today).
        #[arg(long)]
        until: Option<NaiveDate>,
        /// Do nothing when the database already holds intakes.
        #[arg(long)]
        if_empty: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Link(args) = &cli.command {
        return simlontar::linkage::cli::run(args).map(drop);
    }
    if let Command::Capacity(args) = &cli.command {
        if !args.needs_database() {
            return simlontar::capacity::cli::run(args);
        }
    }
    simlontar::logs::init();
    let explicit = std::env::args().any(|a| a == "--config" || a.starts_with("--config="));
    let settings = Settings::load(&cli.config, explicit)?;
    let pool = db::connect(settings.database_url()).await?;

    match cli.command {
        Command::Serve => serve(settings, pool).await,
        Command::User { command } => admin::user(&pool, command).await,
        Command::Token { command } => admin::token(&pool, command).await,
        Command::Identity {
            command: IdentityCommand::ImportChecks { file, officer },
        } => {
            let s = admin::import_checks(&pool, &settings, &file, &officer).await?;
            eprintln!(
                "{} results recorded ({} already recorded); {} matches without a case proposed for review, {} like no intake",
                s.recorded, s.repeated, s.proposed, s.unplaced
            );
            Ok(())
        }
        Command::Registry {
            command:
                RegistryCommand::Import {
                    file,
                    source,
                    skip_invalid,
                },
        } => {
            let s =
                simlontar::identity::registry::import(&pool, &file, &source, skip_invalid).await?;
            eprintln!(
                "{source}: {} rows imported, {} bad rows skipped, {} village codes unknown (kept as missing)",
                s.imported, s.skipped, s.unknown_villages
            );
            // Who already receives assistance, also without a NIK: link the intakes now.
            let app = db::connect_as_app((*pool.connect_options()).clone()).await?;
            let t = simlontar::identity::reintake::Thresholds::of(&settings);
            let l =
                simlontar::identity::assistance::link_register(&app, t, chrono::Utc::now()).await?;
            eprintln!(
                "linked with the intakes: {} links accepted, {} for review",
                l.accepted, l.candidates
            );
            Ok(())
        }
        Command::Import { command } => match command {
            ImportCommand::Offices(args) => {
                simlontar::notify::office_import::run(&pool, &args, chrono::Utc::now()).await
            }
            ImportCommand::Occupancy(f) => {
                simlontar::capacity::import::run(&pool, &settings, &f.file, (&f.admin, f.dry_run))
                    .await
            }
            ImportCommand::Residents(f) => {
                admin::import_residents(&pool, &settings, &f.file, &f.admin, f.dry_run).await
            }
        },
        Command::Registry {
            command:
                RegistryCommand::Programme {
                    command:
                        ProgrammeCommand::Add {
                            code,
                            name_id,
                            name_en,
                            aliases,
                            admin,
                        },
                },
        } => {
            use simlontar::identity::programmes::{add, Added};
            let actor = simlontar::auth::store::acting(
                &pool,
                &admin,
                simlontar::auth::policy::Action::ImportState,
            )
            .await?;
            let done = add(&pool, &actor, &code, (&name_id, &name_en), &aliases).await?;
            eprintln!(
                "programme {}: {}",
                code.to_uppercase(),
                match done {
                    Added::New => "added",
                    Added::Renamed => "names changed",
                    Added::Unchanged => "already known as given; nothing changed",
                }
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let r = simlontar::auth::audit::verify_chain(&pool).await?;
            match r.first_break {
                None => {
                    println!("audit chain intact: {} rows", r.rows);
                    Ok(())
                }
                Some(seq) => anyhow::bail!(
                    "audit chain broken at row {seq} (of {}): it was changed or removed after it was written",
                    r.rows
                ),
            }
        }
        Command::Plan {
            from,
            to,
            escort,
            age,
            map,
        } => {
            let need = simlontar::routing::EscortNeed {
                conditions: escort.0,
                age,
            };
            let plan = simlontar::routing::plan_to(&pool, from, &to, need).await?;
            if let Some(file) = map {
                let svg = simlontar::routing::map_of(&pool, &plan).await?;
                std::fs::write(&file, svg.into_string())
                    .with_context(|| format!("cannot write {}", file.display()))?;
            }
            println!("{}", serde_json::to_string_pretty(&plan)?);
            Ok(())
        }
        Command::Report(args) => {
            let app = db::connect_as_app((*pool.connect_options()).clone()).await?;
            let rows =
                simlontar::reports::cli::run(&app, &settings, &args, chrono::Utc::now()).await?;
            eprintln!("{}: {rows} rows written", args.out.display());
            Ok(())
        }
        Command::Link(_) => unreachable!("linking runs before connecting"),
        Command::Capacity(args) => {
            // The raid calendar is kept by Dinas Sosial staff: its errors in their language.
            if let Err(e) = simlontar::capacity::raids::run(&pool, &args, chrono::Utc::now()).await
            {
                eprintln!("Gagal: {e:#}");
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Readiness => simlontar::readiness::run(&pool, &settings).await,
        Command::Migrate => {
            db::migrate(&pool).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Geo {
            command: GeoCommand::Load { dir, boundaries },
        } => {
            let s = places::load::load_dir(&pool, &dir).await?;
            eprintln!(
                "geo loaded: {} provinces, {} regions, {} districts, {} villages, {} UPTs, {} wards, {} hubs, {} links",
                s.provinces, s.regions, s.districts, s.villages, s.upts, s.wards, s.hubs, s.links
            );
            eprintln!(
                "district areas for the maps: {} (built in {:.1} s)",
                s.district_areas,
                s.areas_took.as_secs_f64()
            );
            if let Some(file) = boundaries {
                let n = places::load::load_boundaries(&pool, &file).await?;
                eprintln!("boundaries loaded for {n} regions");
            }
            Ok(())
        }
        Command::Demo {
            command:
                DemoCommand::Seed {
                    seed,
                    until,
                    if_empty,
                },
        } => {
            let until = until.unwrap_or_else(|| {
                simlontar::clock::local_date(chrono::Utc::now(), settings.time_zone)
            });
            let s = demo::seed(&pool, seed, until, if_empty).await?;
            if s.skipped {
                eprintln!("demo data already present; nothing seeded");
            } else {
                eprintln!(
                    "demo seeded: {} cases up to {until}, {} people in UPT beds now",
                    s.cases, s.placements_open
                );
            }
            Ok(())
        }
    }
}

/// `LAT,LON` as two finite numbers.
/// A region code dotted or undotted, in the dotted form the app keeps.
fn parse_region(s: &str) -> Result<String, String> {
    simlontar::vocab::RegionCode::parse(s)
        .map(simlontar::vocab::RegionCode::into_string)
        .map_err(|_| format!("not a region code: {s:?} (e.g. 35.10 or 3510)"))
}

fn parse_lat_lon(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{s:?} is not LAT,LON (two numbers, e.g. -7.2575,112.7521)");
    let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !lat.is_finite() || !lon.is_finite() {
        return Err(bad());
    }
    Ok((lat, lon))
}

/// A list of conditions (a newtype: clap would read a bare `Vec` as a repeated option).
#[derive(Clone)]
struct Conditions(Vec<simlontar::routing::Condition>);

fn parse_conditions(s: &str) -> Result<Conditions, String> {
    simlontar::routing::EscortNeed::parse_list(s)
        .map(Conditions)
        .map_err(|w| format!("unknown condition {w:?} (psychosocial, elderly, child, sick, pregnant, disability, other)"))
}

async fn serve(settings: Settings, owner: sqlx::PgPool) -> anyhow::Result<()> {
    let addr = settings.addr;
    if settings.demo {
        eprint!("{}", demo::accounts::sign_in_help(&settings.base_url));
        if settings.mfa_required {
            eprintln!("Each account sets up an authenticator app (TOTP) at its first sign-in.");
        } else {
            eprintln!("One-time codes (TOTP) are off for this demo; SIMLONTAR_MFA_REQUIRED=true turns them on.");
        }
    } else if !simlontar::auth::store::any_admin(&owner).await? {
        tracing::warn!(
            "no administrator yet: create one with `simlontar user add NAME --role admin --password-stdin`"
        );
    }
    let pool = db::connect_as_app((*owner.connect_options()).clone()).await?;
    owner.close().await;
    // Expired sessions are removed in the background.
    let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    tokio::spawn(
        tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
            store,
            std::time::Duration::from_secs(600),
        ),
    );
    let settings = Arc::new(settings);
    // The demo's mail goes to a local SMTP server whose mailbox is a page of the app.
    let _sink = if settings.demo {
        demo_mailbox(&settings, &pool).await
    } else {
        None
    };
    let jobs = simlontar::jobs::Ctx {
        pool: pool.clone(),
        settings: settings.clone(),
        mailer: simlontar::notify::mailer::Mailer::from_settings(&settings.smtp)?,
        clock: Arc::new(SystemClock),
        instance: format!("{}:{}", hostname(), std::process::id()),
    };
    let _scheduler = simlontar::jobs::start(jobs).await?;
    let state = simlontar::AppState {
        pool,
        settings,
        clock: Arc::new(SystemClock),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, "serving");
    axum::serve(
        listener,
        simlontar::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")
}

async fn demo_mailbox(
    settings: &Settings,
    pool: &sqlx::PgPool,
) -> Option<simlontar::notify::sink::Sink> {
    use simlontar::notify::{mailbox::KeepInDatabase, sink::Sink};
    let addr = format!("{}:{}", settings.smtp.host, settings.smtp.port);
    let keep = Arc::new(KeepInDatabase(pool.clone()));
    match addr.parse() {
        Ok(addr) => match Sink::start(addr, keep).await {
            Ok(sink) => {
                eprintln!(
                    "Demo mail is received on {addr} and shown at {}/demo/mailbox",
                    settings.base_url
                );
                Some(sink)
            }
            Err(e) => {
                tracing::warn!(%addr, error = %e, "demo mailbox not started");
                None
            }
        },
        Err(_) => None,
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "simlontar".into())
}

/// Finish in-flight requests on Ctrl-C or SIGTERM, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
