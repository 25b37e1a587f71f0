//! The social-assistance programmes a register may name (PKH, PKH Plus, BPNT, PBI-JK,
//! PBIN, PBID, BLT, ASPD…): a table seeded by a migration and extended by an administrator
//! (`simlontar registry programme add`), not a list in the code. A register's cell may
//! hold a code or an alias in any case, with blanks or hyphens ("PKH Plus", "pbi-jkn").
use std::collections::HashMap;

use serde_json::json;
use sqlx::PgPool;

use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;

/// What a register's cell may say → the programme's code.
#[derive(Debug, Clone, Default)]
pub struct Programmes {
    by_name: HashMap<String, String>,
    codes: Vec<String>,
}

/// A cell as compared: upper case, blanks and underscores as hyphens.
fn normal(typed: &str) -> String {
    typed
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_uppercase()
}

impl Programmes {
    /// From (code, aliases) pairs.
    pub fn of<'a>(list: impl IntoIterator<Item = (&'a str, &'a [String])>) -> Programmes {
        let mut p = Programmes::default();
        for (code, aliases) in list {
            p.codes.push(code.to_string());
            p.by_name.insert(normal(code), code.to_string());
            for a in aliases {
                p.by_name.insert(normal(a), code.to_string());
            }
        }
        p.codes.sort();
        p
    }

    /// The code a cell names, if it names a known programme.
    pub fn code_of(&self, typed: &str) -> Option<&str> {
        self.by_name.get(&normal(typed)).map(String::as_str)
    }

    /// The known codes, for messages.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
}

/// SQL for a register row's programmes (`registry_person` as `r`) by name in `lang`,
/// "Program Keluarga Harapan (PKH)", in the register's order; a code no longer known stays.
pub fn named_sql(lang: simlontar_templates::Lang) -> &'static str {
    match lang {
        simlontar_templates::Lang::Id => {
            "ARRAY(SELECT coalesce(p.name_id || ' (' || x.code || ')', x.code)
                     FROM unnest(r.programmes) WITH ORDINALITY AS x(code, n)
                     LEFT JOIN assistance_programme p ON p.code = x.code ORDER BY x.n)"
        }
        simlontar_templates::Lang::En => {
            "ARRAY(SELECT coalesce(p.name_en || ' (' || x.code || ')', x.code)
                     FROM unnest(r.programmes) WITH ORDINALITY AS x(code, n)
                     LEFT JOIN assistance_programme p ON p.code = x.code ORDER BY x.n)"
        }
    }
}

pub async fn load(pool: &PgPool) -> sqlx::Result<Programmes> {
    let rows: Vec<(String, Vec<String>)> =
        sqlx::query_as("SELECT code, aliases FROM assistance_programme ORDER BY code")
            .fetch_all(pool)
            .await?;
    Ok(Programmes::of(
        rows.iter().map(|(c, a)| (c.as_str(), a.as_slice())),
    ))
}

/// Whether `add` made a new programme, renamed one, or found it as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    Renamed,
    Unchanged,
}

/// Adds a programme (or renames it: same code, new names), audited as the administrator.
pub async fn add(
    pool: &PgPool,
    actor: &Principal,
    code: &str,
    (name_id, name_en): (&str, &str),
    aliases: &[String],
) -> anyhow::Result<Added> {
    let code = normal(code);
    let ok = |s: &str| !s.is_empty() && s.len() <= 20;
    if !ok(&code) || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        anyhow::bail!(
            "`{code}` is not a programme code (letters, digits and hyphens, e.g. PKH-PLUS)"
        );
    }
    let (name_id, name_en) = (name_id.trim(), name_en.trim());
    if name_id.is_empty() || name_en.is_empty() {
        anyhow::bail!("both names are needed (--name-id and --name-en)");
    }
    let aliases: Vec<String> = aliases
        .iter()
        .map(|a| normal(a))
        .filter(|a| !a.is_empty())
        .collect();
    let mut tx = pool.begin().await?;
    let before: Option<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT name_id, name_en, aliases FROM assistance_programme WHERE code = $1 FOR UPDATE",
    )
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await?;
    let added = match &before {
        None => Added::New,
        Some((i, e, a)) if i == name_id && e == name_en && a == &aliases => {
            return Ok(Added::Unchanged)
        }
        Some(_) => Added::Renamed,
    };
    sqlx::query(
        "INSERT INTO assistance_programme (code, name_id, name_en, aliases, added_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name_id = EXCLUDED.name_id, name_en = EXCLUDED.name_en,
             aliases = EXCLUDED.aliases",
    )
    .bind(&code)
    .bind(name_id)
    .bind(name_en)
    .bind(&aliases)
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    let origin = Origin {
        actor_id: Some(actor.user_id),
        ..Default::default()
    };
    audit::record(
        &mut *tx,
        &origin,
        "create",
        "assistance_programme",
        Some(&code),
        json!({"via": "cli", "name_id": name_id, "name_en": name_en, "aliases": aliases,
               "before": before.map(|(i, e, a)| json!({"name_id": i, "name_en": e, "aliases": a}))}),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_name_programmes_by_code_or_alias_in_any_spelling() {
        let aliases = ["PBI-JK".to_string(), "PBI-JKN".to_string()];
        let p = Programmes::of([("PKH-PLUS", &[][..]), ("PBI", &aliases[..])]);
        assert_eq!(p.code_of("PKH Plus"), Some("PKH-PLUS"));
        assert_eq!(p.code_of(" pkh_plus "), Some("PKH-PLUS"));
        assert_eq!(p.code_of("pbi-jkn"), Some("PBI"));
        assert_eq!(p.code_of("PKH"), None);
    }
}
