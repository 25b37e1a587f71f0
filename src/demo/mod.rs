//! `simlontar demo seed`: a synthetic but realistic year of Simlontar's work, for
//! demonstrations and load tests. Clearly synthetic (invented names, NIKs that decode
//! but belong to no one) and deterministic for a given `--seed` and `--until`.
pub mod accounts;
pub mod generate;
pub mod names;
pub mod store;

use chrono::NaiveDate;
use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    pub cases: usize,
    pub placements_open: usize,
    pub skipped: bool,
}

/// Seeds the demo year ending on `until`. With `if_empty`, does nothing when intakes
/// already exist (so the run command can be run again and again).
pub async fn seed(
    pool: &PgPool,
    seed: u64,
    until: NaiveDate,
    if_empty: bool,
) -> anyhow::Result<SeedSummary> {
    let world = store::world(pool).await?;
    anyhow::ensure!(
        world.regions.len() == 38 && !world.wards.is_empty(),
        "the reference geography is not loaded: run `simlontar geo load` first"
    );
    accounts::ensure(pool).await?;
    if if_empty {
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM intake")
            .fetch_one(pool)
            .await?;
        if existing > 0 {
            return Ok(SeedSummary {
                cases: 0,
                placements_open: 0,
                skipped: true,
            });
        }
    }
    let cases = generate::generate(&world, seed, until);
    store::write(pool, &cases).await?;
    Ok(SeedSummary {
        cases: cases.len(),
        placements_open: cases
            .iter()
            .filter(|c| c.placement.as_ref().is_some_and(|p| p.end.is_none()))
            .count(),
        skipped: false,
    })
}
