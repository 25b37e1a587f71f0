//! Links between records (a check and an intake, two intakes, a person and a register
//! entry): proposed with their evidence, accepted or rejected by a person, undone, or
//! marked as two different people — which is never proposed again. Never a merge.
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::contradict::Contradiction;
use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::cases::model::State;
use crate::error::AppError;

/// One piece of evidence for or against a link: a field, its weight (log2 of how much more
/// likely the observation is for the same person than for two different ones) and a note.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Contribution {
    pub field: String,
    pub weight: f64,
    /// The note in English, as the engine gives it.
    pub note: String,
    /// The note in Bahasa Indonesia (rows stored before it was kept have none: the page
    /// then finds a level label's words from the English).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note_id: String,
}

impl Contribution {
    /// The note in `lang`.
    pub fn note_in(&self, lang: simlontar_templates::Lang) -> String {
        use simlontar_templates::Lang;
        match lang {
            Lang::En => self.note.clone(),
            Lang::Id if !self.note_id.is_empty() => self.note_id.clone(),
            Lang::Id => crate::linkage::compare::level_text_of(&self.note)
                .map_or_else(|| self.note.clone(), |t| t.id.to_string()),
        }
    }
}

/// The engine's account of a pair as stored evidence: the fields both sides had.
pub fn from_engine(e: &crate::linkage::score::Explanation) -> Vec<Contribution> {
    (e.contributions.iter())
        .filter(|x| x.level.is_some())
        .map(|x| Contribution {
            field: x.field.clone(),
            weight: x.log2_bf,
            note: x.label.to_string(),
            note_id: crate::linkage::compare::level_text_of(x.label)
                .map(|t| t.id.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// The evidence of a biometric match against its intake: the score (weighed against the
/// acceptance threshold) and every contradiction, each counting against.
pub fn check_contributions(score: f32, accept: f32, found: &[Contradiction]) -> Vec<Contribution> {
    let mut out = vec![Contribution {
        field: "biometric".into(),
        // Scores at the threshold weigh 10 bits (about 1000:1); each 5 points more or less
        // moves that by 2 bits. A reading aid, not a calibrated likelihood ratio.
        weight: 10.0 + (score - accept) as f64 * 0.4,
        note: format!("score {score:.1} (threshold {accept:.0})"),
        note_id: format!("skor {score:.1} (ambang {accept:.0})"),
    }];
    for c in found {
        let (field, weight) = match c {
            Contradiction::Sex { .. } => ("sex", -12.0),
            Contradiction::BirthDate { .. } => ("birth_date", -8.0),
            Contradiction::Age { .. } => ("age", -3.0),
            Contradiction::HomeRegion { .. } => ("home_region", -1.0),
        };
        out.push(Contribution {
            field: field.into(),
            weight,
            note: c.describe(false),
            note_id: c.describe(true),
        });
    }
    out
}

/// Proposes the link check → intake. Returns its state, or `None` when the pair was
/// already marked as two different people (then nothing changes).
pub async fn propose(
    tx: &mut Transaction<'_, Postgres>,
    check_id: i64,
    intake_id: i64,
    probability: f64,
    contributions: &[Contribution],
    certain: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    let state = if certain { "accepted" } else { "candidate" };
    sqlx::query_scalar(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability,
                                  contributions, created_at, decided_at)
         VALUES ('check', $1, 'intake', $2, $3, $4, $5, $6, CASE WHEN $3 = 'candidate' THEN NULL ELSE $6 END)
         ON CONFLICT (left_kind, left_id, right_kind, right_id) DO NOTHING
         RETURNING state",
    )
    .bind(check_id)
    .bind(intake_id)
    .bind(state)
    .bind(probability.clamp(0.0, 1.0))
    .bind(json!(contributions))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// An accepted check ↔ intake link identifies the case: an event, and the move to
/// `identified` where the lifecycle allows it. What it changed is kept
/// (`identity_application`) so that an undo can put the case back (`undo::unapply`).
pub async fn apply_identity(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    actor: Option<&Principal>,
    check_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // Read under the case's lock: a state read before it could be stale by the move.
    let before = lifecycle::lock_case(tx, case_id).await?;
    let mut state = before;
    if state == State::Received {
        lifecycle::transition(tx, case_id, State::IdentityPending, None, "", now).await?;
    }
    if matches!(
        state,
        State::Received | State::IdentityPending | State::Unidentified
    ) {
        lifecycle::transition(
            tx,
            case_id,
            State::Identified,
            None,
            "DP3AK biometric match",
            now,
        )
        .await?;
        state = State::Identified;
    }
    // A check from a batch learns its intake here.
    let set_check_intake = sqlx::query(
        "UPDATE identity_check SET intake_id = (SELECT intake_id FROM ot_case WHERE id = $2)
          WHERE id = $1 AND intake_id IS NULL",
    )
    .bind(check_id)
    .bind(case_id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        > 0;
    let event = Event::note(
        "identity_linked",
        "DP3AK check linked",
        json!({"check": check_id}),
    );
    events::record(tx, case_id, actor, &event, now).await?;
    super::undo::remember(
        tx,
        case_id,
        check_id,
        (before, state),
        set_check_intake,
        now,
    )
    .await?;
    Ok(())
}

/// A person's decision on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
    /// Two different people: never proposed again.
    Distinct,
    /// Back to a candidate, undoing what the decision did (an accept's identity too).
    Undo,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        Some(match s {
            "accept" => Decision::Accept,
            "reject" => Decision::Reject,
            "distinct" => Decision::Distinct,
            "undo" => Decision::Undo,
            _ => return None,
        })
    }
}

/// Applies a decision; the case (for a check ↔ intake link) gets an event, and an accept
/// identifies it; an undo of an accept puts the case back as it was, or is refused when
/// something later rests on that identity. Only a reviewer decides. Returns the case id
/// touched, for the audit row.
pub async fn decide(
    pool: &PgPool,
    scope: &crate::auth::policy::CaseScope,
    p: &Principal,
    link_id: i64,
    d: Decision,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    crate::auth::policy::require(p, crate::auth::policy::Action::ReviewLinks)?;
    let mut tx = scope.begin(pool).await?;
    let row = sqlx::query(
        "SELECT l.state, l.left_kind, l.left_id, l.right_kind, l.right_id, l.probability, c.id AS case_id
           FROM record_link l
           LEFT JOIN ot_case c ON c.intake_id = CASE l.right_kind WHEN 'intake' THEN l.right_id
                                                     WHEN 'registry' THEN l.left_id END
          WHERE l.id = $1 FOR UPDATE OF l",
    )
    .bind(link_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let from: String = row.get("state");
    let to = match (from.as_str(), d) {
        ("candidate", Decision::Accept) => "accepted",
        ("candidate", Decision::Reject) => "rejected",
        ("candidate" | "rejected", Decision::Distinct) => "known_distinct",
        ("accepted" | "rejected" | "known_distinct", Decision::Undo) => "candidate",
        // Undone already (twice, or from two tabs): nothing left to undo.
        ("candidate", Decision::Undo) => {
            tx.commit().await?;
            return Ok(row.get("case_id"));
        }
        _ => {
            return Err(AppError::Conflict(format!(
                "a {from} link cannot take that decision"
            )))
        }
    };
    sqlx::query(
        "UPDATE record_link SET state = $2,
                decided_at = CASE WHEN $2 = 'candidate' THEN NULL ELSE $3 END,
                decided_by = CASE WHEN $2 = 'candidate' THEN NULL ELSE $4 END
          WHERE id = $1",
    )
    .bind(link_id)
    .bind(to)
    .bind(now)
    .bind(p.user_id)
    .execute(&mut *tx)
    .await?;
    let case_id: Option<i64> = row.get("case_id");
    // Two intakes of one person: both cases learn of the repeat pick-up.
    if to == "accepted" && row.get::<String, _>("left_kind") == "intake" {
        let pair = (row.get("left_id"), row.get("right_id"));
        super::reintake::flag_repeat(&mut tx, pair, row.get("probability"), now).await?;
    }
    if let Some(case_id) = case_id {
        let check_id: i64 = row.get("left_id");
        let is_check = row.get::<String, _>("left_kind") == "check";
        if to == "accepted" && is_check {
            apply_identity(&mut tx, case_id, Some(p), check_id, now).await?;
        } else {
            if from == "accepted" && is_check {
                super::undo::unapply(&mut tx, case_id, p, check_id, now).await?;
            }
            let reason = format!("{from} → {to}");
            let event = Event::note("link_decision", &reason, json!({"link": link_id}));
            events::record(&mut tx, case_id, Some(p), &event, now).await?;
        }
    }
    tx.commit().await?;
    Ok(case_id)
}

/// A candidate link as the review queue shows it: both records side by side.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
    /// The case the link would change (the newer intake's).
    pub case_number: Option<String>,
    pub intake: Value,
    /// The other record: a DP3AK check, or an earlier intake.
    pub other: Value,
    pub other_is_check: bool,
    /// The earlier case, when the other record is an intake.
    pub other_case: Option<String>,
}

const INTAKE_JSON: &str = "json_build_object('name', i.stated_name, 'aliases', i.aliases, 'sex', i.sex,
    'birth_date', i.birth_date, 'birth_quality', i.birth_date_quality, 'age', i.estimated_age, 'home', coalesce(i.home_village_code, i.home_region_code),
    'found', i.found_region_code, 'nik', i.nik,
    'photos', (SELECT coalesce(json_agg(f.id ORDER BY f.id), '[]') FROM intake_photo f WHERE f.intake_id = i.id))";

pub async fn candidates(
    pool: &PgPool,
    scope: &crate::auth::policy::CaseScope,
) -> sqlx::Result<Vec<Candidate>> {
    let mut tx = scope.begin(pool).await?;
    let earlier = INTAKE_JSON.replace("i.", "o.");
    let rows = sqlx::query(&format!(
        "SELECT l.id, l.probability, l.contributions, c.number, {INTAKE_JSON} AS intake,
                CASE WHEN l.left_kind = 'check' THEN
                  json_build_object('name', k.name, 'sex', k.sex, 'birth_date', k.birth_date,
                    'birth_place', k.birth_place, 'home', k.village_code, 'nik', k.nik,
                    'method', k.method, 'score', k.score, 'mother', k.mother_name)
                WHEN l.right_kind = 'registry' THEN
                  json_build_object('name', g.name, 'sex', g.sex, 'birth_date', g.birth_date,
                    'home', g.village_code, 'nik', g.nik, 'register', g.source, 'programmes', g.programmes)
                ELSE {earlier} END AS other,
                l.left_kind = 'check' AS other_is_check, oc.number AS other_case
           FROM record_link l
           JOIN intake i ON i.id = CASE l.right_kind WHEN 'intake' THEN l.right_id
                                                     WHEN 'registry' THEN l.left_id END
           JOIN ot_case c ON c.intake_id = i.id
           LEFT JOIN identity_check k ON l.left_kind = 'check' AND k.id = l.left_id
           LEFT JOIN intake o ON l.left_kind = 'intake' AND l.right_kind = 'intake' AND o.id = l.left_id
           LEFT JOIN ot_case oc ON oc.intake_id = o.id
           LEFT JOIN registry_person g ON l.right_kind = 'registry' AND g.id = l.right_id
          WHERE l.state = 'candidate' AND (k.id IS NOT NULL OR o.id IS NOT NULL OR g.id IS NOT NULL)
          ORDER BY l.created_at, l.id
          LIMIT 100"
    ))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut found = Vec::with_capacity(rows.len());
    for r in rows {
        let mut c = Candidate {
            id: r.get("id"),
            probability: r.get("probability"),
            contributions: serde_json::from_value(r.get("contributions")).unwrap_or_default(),
            case_number: r.get("number"),
            intake: r.get("intake"),
            other: r.get("other"),
            other_is_check: r.get("other_is_check"),
            other_case: r.get("other_case"),
        };
        for record in [&mut c.intake, &mut c.other] {
            for_reading(pool, record).await?;
        }
        found.push(c);
    }
    Ok(found)
}

/// A record as a person reads it: the home by the region's name (a code nobody knows
/// stays), a birth date known only by its year as that year.
async fn for_reading(pool: &PgPool, record: &mut Value) -> sqlx::Result<()> {
    if let (Some(q), Some(d)) = (
        record["birth_quality"].as_str(),
        record["birth_date"].as_str(),
    ) {
        if let Ok(date) = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            record["birth_date"] = Value::String(crate::vocab::BirthQuality::show(q, date));
        }
    }
    if let Some(code) = record["home"].as_str().map(str::to_string) {
        if let Some(name) = crate::places::store::region_name(pool, &code).await? {
            record["home"] = Value::String(name);
        }
    }
    Ok(())
}
