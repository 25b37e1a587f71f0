//! Photos that came with a desk form that was sent back (an error, a map pick) wait here
//! until the form is saved, so the officer does not choose them again. They are kept under
//! the form's idempotency key *and* the officer: another officer sending the same key
//! neither sees nor takes them (the hourly housekeeping drops what waits over a day).
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::photo::Photo;

/// One officer's photos waiting under one form's key.
pub struct Staged<'a> {
    pub pool: &'a PgPool,
    pub officer: i64,
    pub key: Uuid,
}

impl Staged<'_> {
    /// Keeps a photo (already cleaned); the same photo twice is kept once.
    pub async fn add(&self, photo: &Photo) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO intake_upload (officer_id, idempotency_key, sha256, content_type, bytes)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (officer_id, idempotency_key, sha256) DO NOTHING",
        )
        .bind(self.officer)
        .bind(self.key)
        .bind(Sha256::digest(&photo.bytes).to_vec())
        .bind(photo.content_type)
        .bind(&photo.bytes)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn count(&self) -> sqlx::Result<usize> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM intake_upload WHERE officer_id = $1 AND idempotency_key = $2",
        )
        .bind(self.officer)
        .bind(self.key)
        .fetch_one(self.pool)
        .await?;
        Ok(n as usize)
    }

    /// The photos in the order they came.
    pub async fn photos(&self) -> sqlx::Result<Vec<Photo>> {
        Ok(sqlx::query(
            "SELECT content_type, bytes FROM intake_upload
              WHERE officer_id = $1 AND idempotency_key = $2 ORDER BY id",
        )
        .bind(self.officer)
        .bind(self.key)
        .fetch_all(self.pool)
        .await?
        .into_iter()
        .map(|r| Photo {
            content_type: if r.get::<String, _>("content_type") == "image/png" {
                "image/png"
            } else {
                "image/jpeg"
            },
            bytes: r.get("bytes"),
        })
        .collect())
    }

    /// Once the intake holds them.
    pub async fn clear(&self) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM intake_upload WHERE officer_id = $1 AND idempotency_key = $2")
            .bind(self.officer)
            .bind(self.key)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}
