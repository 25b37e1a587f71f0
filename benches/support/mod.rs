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

/// Folds every `Set-Cookie` of an answer into `jar`, the `Cookie` header a browser would send
/// next (a cookie replaced by name; one given `Max-Age=0` dropped). The sign-in sets more than
/// one cookie (the session and the double-submit CSRF cookie), so keeping only the last loses one.
#[allow(dead_code)] // not every benchmark signs in
pub fn keep_cookies(jar: &mut String, headers: &axum::http::HeaderMap) {
    for set in headers.get_all(axum::http::header::SET_COOKIE) {
        let Ok(set) = set.to_str() else { continue };
        let pair = set.split(';').next().unwrap_or_default().trim();
        let name = pair.split('=').next().unwrap_or_default();
        let removed = set
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        let mut pairs: Vec<&str> = jar
            .split("; ")
            .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
            .collect();
        if !removed {
            pairs.push(pair);
        }
        *jar = pairs.join("; ");
    }
}
