//! What the benchmarks share: a database of their own on the server named by DATABASE_URL.
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Executor, PgPool};

/// Drops and re-creates the database `name` on the server in DATABASE_URL (the database the
/// URL names is untouched, and this one is kept afterwards for inspection), migrates it and
/// returns its owner pool with the options for more pools. The connections are named as
/// Simlontar's own, so the seeding is not audited as changes made from outside.
pub async fn fresh_database(name: &str) -> anyhow::Result<(PgPool, PgConnectOptions)> {
    let url =
        std::env::var("DATABASE_URL").expect("DATABASE_URL names a PostgreSQL server with PostGIS");
    let server: PgConnectOptions = url.parse()?;
    let mut admin = server.clone().connect().await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let options = server.database(name).application_name("simlontar-bench");
    let owner = PgPool::connect_with(options.clone()).await?;
    simlontar::db::migrate(&owner).await?;
    Ok((owner, options))
}
