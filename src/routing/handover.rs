//! Carrying out the route: the officer's decision on the proposal, the stored plan, the
//! hand-over notice to the receiving office (through the outbox, no personal data, a
//! link with a random token kept only as its hash), departure, arrival, refusals and
//! escalation of notices nobody acknowledged.
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::escort::EscortNeed;
use super::proposal::{best_home, propose, CaseFacts, HomeEvidence, KnownHome, Route, Sex};
use super::store::plan_to;
use super::TransportPlan;
use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::cases::model::State;
use crate::clock::local_date;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::contradict::{standing, NikStanding, Recorded};
use crate::notify::mailer::{Email, Priority};
use crate::notify::outbox;
use crate::shelter::model::age_on;
use crate::shelter::referral;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

type Tx<'a> = Transaction<'a, Postgres>;

/// How long the link in a notice works.
pub const LINK_DAYS: i64 = 14;

/// What routing needs to know about a case.
pub struct Facts {
    pub case_id: i64,
    pub number: String,
    pub state: State,
    pub facts: CaseFacts,
    /// Where the trip starts: the UPT of an open stay, else the pick-up point (lat, lon).
    pub from: (f64, f64),
    pub destination: Option<String>,
    pub conditions: Vec<String>,
}

/// Ages are counted on the local day (`tz`: `settings.time_zone`). The identity and the
/// home come from the best evidence the case holds (`proposal::best_home`): DP3AK's match,
/// then the intake's NIK only when nothing contradicts it, then the assistance register,
/// then what the person said.
pub async fn facts(
    tx: &mut Tx<'_>,
    case_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Facts> {
    facts_of_many(tx, &[case_id], now, tz)
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)
}

/// [`facts`] of several cases in one statement (lists that read many cases, such as a
/// ward's decongestion list), in no particular order; cases out of sight are left out.
pub async fn facts_of_many(
    tx: &mut Tx<'_>,
    case_ids: &[i64],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Vec<Facts>> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.state, i.sex, i.birth_date, i.estimated_age, i.birth_date_quality, i.found_at,
                i.conditions, i.nik, i.home_village_code, i.home_region_code, i.home_province_code,
                ST_Y(coalesce(u.location, i.found_point)) AS lat, ST_X(coalesce(u.location, i.found_point)) AS lon,
                m.matched IS NOT NULL AS matched, m.village_code AS dp3ak_village,
                g.linked IS NOT NULL AS registered, g.village_code AS register_village,
                (SELECT t.family_village FROM case_task t
                  WHERE t.case_id = c.id AND t.kind = 'tracing' AND t.outcome = 'family_found'
                  ORDER BY t.answered_at DESC, t.id DESC LIMIT 1) AS traced_village,
                EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'refused') AS refused
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN placement p ON p.case_id = c.id AND p.ended_at IS NULL
           LEFT JOIN ward w ON w.id = p.ward_id LEFT JOIN upt u ON u.code = w.upt_code
           -- The newest accepted DP3AK match, and the newest accepted register link.
           LEFT JOIN LATERAL (
                SELECT 1 AS matched, k.village_code FROM record_link l JOIN identity_check k ON k.id = l.left_id
                 WHERE l.left_kind = 'check' AND l.right_kind = 'intake' AND l.right_id = i.id AND l.state = 'accepted'
                 ORDER BY l.decided_at DESC NULLS LAST, l.id DESC LIMIT 1) m ON true
           LEFT JOIN LATERAL (
                SELECT 1 AS linked, rp.village_code FROM record_link l JOIN registry_person rp ON rp.id = l.right_id
                 WHERE l.left_kind = 'intake' AND l.left_id = i.id AND l.right_kind = 'registry' AND l.state = 'accepted'
                 ORDER BY l.decided_at DESC NULLS LAST, l.id DESC LIMIT 1) g ON true
          WHERE c.id = ANY($1)",
    )
    .bind(case_ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.iter().map(|r| facts_of_row(r, now, tz)).collect())
}

fn facts_of_row(r: &sqlx::postgres::PgRow, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Facts {
    let found: DateTime<Utc> = r.get("found_at");
    let age = age_on(
        r.get("birth_date"),
        r.get("estimated_age"),
        local_date(found, tz),
        local_date(now, tz),
    );
    let conditions: Vec<String> = r.get("conditions");
    let village: Option<String> = r.get("home_village_code");
    let region: Option<String> = r.get("home_region_code");
    let province: Option<String> = r.get("home_province_code");
    let sex_code: String = r.get("sex");
    let quality: String = r.get("birth_date_quality");
    let recorded = Recorded {
        sex: &sex_code,
        birth_date: r.get("birth_date"),
        estimated_age: r.get::<Option<i16>, _>("estimated_age").map(i32::from),
        birth_date_quality: &quality,
        home_region: region.as_deref(),
        on: local_date(found, tz),
    };
    let nik = standing(r.get::<Option<String>, _>("nik").as_deref(), &recorded);
    let evidence = HomeEvidence {
        dp3ak_match: r.get("matched"),
        dp3ak_village: r.get("dp3ak_village"),
        nik,
        register_link: r.get("registered"),
        register_village: r.get("register_village"),
        stated: KnownHome::from_codes(
            village.as_deref(),
            region.as_deref().or(province.as_deref()),
        ),
        traced_village: r.get("traced_village"),
    };
    let (identity, home, home_source) = best_home(&evidence);
    let sex = Sex::parse(&sex_code);
    let escort = EscortNeed::from_codes(&conditions, age.map(|a| a.max(0) as u32));
    Facts {
        case_id: r.get("id"),
        number: r.get("number"),
        state: State::parse(&r.get::<String, _>("state")).unwrap_or(State::Received),
        destination: home.code().map(str::to_string),
        facts: CaseFacts {
            identity,
            home,
            home_source,
            nik_contradicted: evidence.nik == NikStanding::Contradicted,
            conditions: escort.conditions,
            sex,
            age: age.map(|a| a.max(0) as u32),
            // Sickness needs a doctor's word before travel; the officer can override.
            fit_to_travel: !conditions.iter().any(|c| c == "sick"),
            family_refused: r.get("refused"),
        },
        from: (r.get("lat"), r.get("lon")),
        conditions,
    }
}

pub fn route_code(r: &Route) -> &'static str {
    match r {
        Route::Home => "home",
        Route::Upt { .. } => "upt",
    }
}

/// The officer accepts the proposal or overrides it (with a reason). Home: the plan is
/// made and stored, the case is routed home and the notice is queued, all in `tx`. UPT:
/// the person is referred to `upt` (the proposal's UPT when none is picked), which lets
/// that UPT's staff see them and hold a bed. The case is locked and its state compared
/// with the one the facts were read in: a case that moved meanwhile is refused.
pub async fn decide(
    tx: &mut Tx<'_>,
    (pool, settings): (&PgPool, &Settings),
    f: &Facts,
    (choice, reason, upt): (&str, &str, &str),
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let proposal = propose(&f.facts);
    let proposed = route_code(&proposal.route);
    if choice != "home" && choice != "upt" {
        return Err(AppError::Invalid(vec![FieldError::new(
            "choice",
            "pilih pulang atau UPT / choose home or UPT",
        )]));
    }
    if choice != proposed && reason.trim().chars().count() < 10 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            "menyimpang dari usulan perlu alasan (paling sedikit 10 huruf) / overriding the proposal needs a reason (10 characters or more)",
        )]));
    }
    let locked = lifecycle::lock_case(tx, f.case_id).await?;
    if locked != f.state {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    if locked.is_final() {
        return Err(AppError::Conflict(FINISHED.into()));
    }
    let reasons: Vec<&str> = proposal.reasons.iter().map(|r| r.code).collect();
    let mut detail = json!({"proposed": proposed, "chosen": choice, "reasons": reasons});
    let mut plan_id = None;
    if choice == "upt" {
        if live_plan(tx, f.case_id).await?.is_some() {
            return Err(AppError::Conflict(
                "rencana pulang masih berlaku; catat penolakannya dulu / a plan home still stands: record the refusal first".into(),
            ));
        }
        let upt = match upt.trim() {
            "" => crate::shelter::store::proposed_upt(tx, f.case_id, now, settings.time_zone).await?.ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "upt",
                    "tidak ada UPT yang melayani kebutuhan ini; pilih UPT / no UPT serves this need: choose one",
                )])
            })?,
            picked => picked.to_string(),
        };
        referral::refer(tx, f.case_id, &upt, actor, now).await?;
        detail["upt"] = json!(upt);
    }
    if choice == "home" {
        if !f.state.next().contains(&State::RoutedHome) {
            return Err(AppError::Conflict(format!(
                "{} → routed_home is not allowed",
                f.state.as_str()
            )));
        }
        let to = f.destination.as_deref().ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "choice",
                "alamat rumah belum diketahui / the home is not known",
            )])
        })?;
        let escort = EscortNeed::from_codes(&f.conditions, f.facts.age);
        let plan = plan_to(pool, f.from, to, escort)
            .await
            .map_err(|e| AppError::Invalid(vec![FieldError::new("choice", e.to_string())]))?;
        let id = store_plan(tx, f.case_id, &plan, to, actor, now).await?;
        lifecycle::transition(tx, f.case_id, State::RoutedHome, Some(actor), reason, now).await?;
        referral::withdraw(tx, f.case_id, referral::End::Home, now).await?;
        notify(tx, settings, f, id, &plan, now).await?;
        detail["plan_id"] = json!(id);
        plan_id = Some(id);
    }
    if !reason.trim().is_empty() {
        detail["override_reason"] = json!(reason.trim());
    }
    events::record(
        tx,
        f.case_id,
        Some(actor),
        &Event::note("route_decided", reason, detail),
        now,
    )
    .await?;
    Ok(plan_id)
}

async fn store_plan(
    tx: &mut Tx<'_>,
    case_id: i64,
    plan: &TransportPlan,
    to: &str,
    actor: &Principal,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO transport_plan (case_id, created_at, state, legs, total_minutes, total_fare_idr, escort,
                                     receiving_office, plan, destination_code, decided_by)
         VALUES ($1, $2, 'accepted', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(now)
    .bind(json!(plan.legs))
    .bind(plan.total_minutes as i32)
    .bind(plan.total_fare_idr as i64)
    .bind(plan.escort.as_ref().map(|e| e.who))
    .bind(&plan.handover.office)
    .bind(json!(plan))
    .bind(to)
    .bind(actor.user_id)
    .fetch_one(&mut **tx)
    .await
}

/// The receiving office's code: the home regency, or for a relay the hand-over province.
pub fn office_code(plan: &TransportPlan) -> String {
    match &plan.relay {
        Some(r) => r.handover_province_code.clone(),
        None => plan.destination.code.chars().take(5).collect(),
    }
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Queues the hand-over notice with its link. The email says what is asked and when,
/// and names the case only by its number.
async fn notify(
    tx: &mut Tx<'_>,
    settings: &Settings,
    f: &Facts,
    plan_id: i64,
    plan: &TransportPlan,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let code = office_code(plan);
    let to = crate::notify::office_address(tx, settings, &code).await?;
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let expires = now + Duration::days(LINK_DAYS);
    let notice: i64 = sqlx::query_scalar(
        "INSERT INTO handover_notice (plan_id, case_id, office, office_code, to_address, token_sha256, sent_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(plan_id)
    .bind(f.case_id)
    .bind(&plan.handover.office)
    .bind(&code)
    .bind(&to)
    .bind(hash(&token))
    .bind(now)
    .bind(expires)
    .fetch_one(&mut **tx)
    .await?;
    let link = format!(
        "{}/handover/{token}",
        settings.base_url.trim_end_matches('/')
    );
    // The arrival follows from the departure, which is scheduled later (`departure::schedule`
    // tells the office then); a guess here would be a date nobody set.
    let arrive = format!(
        "menunggu jadwal keberangkatan (perjalanan ± {} jam; tanggalnya akan dikabarkan lewat surel)",
        plan.total_minutes.div_ceil(60)
    );
    let until = crate::clock::format_local(expires, settings.time_zone);
    let email =
        simlontar_templates::mail::handover_notice(&simlontar_templates::mail::HandoverNotice {
            number: &f.number,
            office: &plan.handover.office,
            at: &plan.handover.at,
            arrive: &arrive,
            link: &link,
            until: &until,
            onward: plan.relay.as_ref().map(|r| r.onward.as_str()),
        });
    outbox::enqueue(
        tx,
        &Email {
            dedupe_key: format!("handover:{notice}"),
            priority: Priority::Normal,
            to,
            subject: email.subject,
            text: email.text,
            html: email.html,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The live plan of a case: (id, state, plan JSON).
pub async fn live_plan(
    tx: &mut Tx<'_>,
    case_id: i64,
) -> sqlx::Result<Option<(i64, String, Value)>> {
    sqlx::query_as(
        "SELECT id, state, plan FROM transport_plan WHERE case_id = $1 AND state IN ('proposed', 'accepted', 'in_transit')",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The person sets off with the escort: the case and its plan are locked, and the plan
/// must still be accepted (not cancelled by a refusal, not left already).
pub async fn depart(
    tx: &mut Tx<'_>,
    case_id: i64,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<()> {
    lifecycle::lock_case(tx, case_id).await?;
    let (plan, state): (i64, String) = sqlx::query_as(
        "SELECT id, state FROM transport_plan
          WHERE case_id = $1 AND state IN ('proposed', 'accepted', 'in_transit') FOR UPDATE",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| {
        AppError::Conflict(
            "tidak ada rencana perjalanan yang berlaku / no live transport plan".into(),
        )
    })?;
    if state != "accepted" {
        return Err(AppError::Conflict(format!(
            "rencana perjalanan tidak menunggu keberangkatan / the plan is {state}"
        )));
    }
    // Whoever travels with the person is named before they leave (the hand-over form and
    // the receiving office's card show it).
    let (needs_escort, escort): (bool, Option<String>) = sqlx::query_as(
        "SELECT plan -> 'escort' IS NOT NULL AND plan -> 'escort' <> 'null'::jsonb, escort_name FROM transport_plan WHERE id = $1",
    )
    .bind(plan)
    .fetch_one(&mut **tx)
    .await?;
    if needs_escort && escort.is_none() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "escort_name",
            "tuliskan dulu nama pendamping pada jadwal keberangkatan / name the escort in the departure schedule first",
        )]));
    }
    sqlx::query("UPDATE transport_plan SET state = 'in_transit', departs_at = $2 WHERE id = $1")
        .bind(plan)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE placement SET ended_at = $2, end_reason = 'home' WHERE case_id = $1 AND ended_at IS NULL")
        .bind(case_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    lifecycle::transition(tx, case_id, State::InTransit, Some(actor), "", now).await?;
    Ok(())
}

/// The family or the home government will not receive the person: recorded, the plan
/// cancelled, and the case falls back to a UPT placement. Later talks are `negotiation`.
pub async fn refuse(
    tx: &mut Tx<'_>,
    case_id: i64,
    kind: &str,
    by: &str,
    reason: &str,
    actor: Option<&Principal>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !matches!(kind, "refused" | "negotiation") || !matches!(by, "family" | "government") {
        return Err(AppError::Invalid(vec![FieldError::new(
            "by",
            "pilih keluarga atau pemerintah daerah / family or home government",
        )]));
    }
    if reason.trim().chars().count() < 5 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            "tuliskan apa yang terjadi / say what happened",
        )]));
    }
    if lifecycle::lock_case(tx, case_id).await?.is_final() {
        return Err(AppError::Conflict(FINISHED.into()));
    }
    let office: Option<String> = sqlx::query_scalar(
        "SELECT n.office_code FROM handover_notice n JOIN transport_plan t ON t.id = n.plan_id
          WHERE t.case_id = $1 ORDER BY n.id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?;
    if kind == "refused" {
        sqlx::query("UPDATE transport_plan SET state = 'cancelled' WHERE case_id = $1 AND state IN ('proposed', 'accepted', 'in_transit')")
            .bind(case_id)
            .execute(&mut **tx)
            .await?;
    }
    events::record(
        tx,
        case_id,
        actor,
        &Event::note(kind, reason, json!({"by": by, "office_code": office})),
        now,
    )
    .await?;
    Ok(())
}

/// What the link page shows: the notice, its case number and where its plan stands.
pub struct Notice {
    pub id: i64,
    pub case_id: i64,
    pub number: String,
    pub office: String,
    pub at: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    /// The plan's state: a notice lives only as long as its plan.
    pub plan_state: String,
    /// Whether the person's departure is recorded.
    pub departed: bool,
    /// When the person is expected, once a departure is scheduled or recorded.
    pub arrival: Option<DateTime<Utc>>,
    /// When the office accepted the hand-over, if it did.
    pub accepted_at: Option<DateTime<Utc>>,
    /// The UPT where the office collects the person instead, if it chose to.
    pub collect_upt: Option<String>,
    pub office_code: String,
}

impl Notice {
    /// The plan was called off (a refusal): the link no longer does anything.
    pub fn cancelled(&self) -> bool {
        self.plan_state == "cancelled"
    }
}

pub async fn notice_by_id(tx: &mut Tx<'_>, id: i64) -> sqlx::Result<Option<Notice>> {
    notice_by(tx, By::Id(id)).await
}

pub async fn notice_by_token(tx: &mut Tx<'_>, token: &str) -> sqlx::Result<Option<Notice>> {
    notice_by(tx, By::Token(hash(token))).await
}

pub(super) enum By {
    Id(i64),
    Token(Vec<u8>),
}

pub(super) async fn notice_by(tx: &mut Tx<'_>, by: By) -> sqlx::Result<Option<Notice>> {
    let cond = match by {
        By::Id(_) => "n.id = $1",
        By::Token(_) => "n.token_sha256 = $1",
    };
    let sql = format!(
        "SELECT n.id, n.case_id, c.number, n.office, t.plan #>> '{{handover,at}}' AS at, n.sent_at,
                n.expires_at, n.acknowledged_at, n.received_at, t.state AS plan_state,
                t.departs_at IS NOT NULL AS departed, t.plan, t.planned_departure, t.departs_at,
                n.accepted_at, n.collect_upt, n.office_code
           FROM handover_notice n JOIN ot_case c ON c.id = n.case_id JOIN transport_plan t ON t.id = n.plan_id
          WHERE {cond}"
    );
    let q = sqlx::query(&sql);
    let q = match by {
        By::Id(id) => q.bind(id),
        By::Token(h) => q.bind(h),
    };
    let row = q.fetch_optional(&mut **tx).await?;
    Ok(row.map(|r| Notice {
        id: r.get("id"),
        case_id: r.get("case_id"),
        number: r.get("number"),
        office: r.get("office"),
        at: r.get::<Option<String>, _>("at").unwrap_or_default(),
        sent_at: r.get("sent_at"),
        expires_at: r.get("expires_at"),
        acknowledged_at: r.get("acknowledged_at"),
        received_at: r.get("received_at"),
        plan_state: r.get("plan_state"),
        departed: r.get("departed"),
        arrival: super::departure::arrival_of(
            &r.get::<Value, _>("plan"),
            r.get("planned_departure"),
            r.get("departs_at"),
        ),
        accepted_at: r.get("accepted_at"),
        collect_upt: r.get("collect_upt"),
        office_code: r.get("office_code"),
    }))
}

/// Said to whoever uses the link of a plan that was called off.
pub const CANCELLED: &str = "Serah terima ini dibatalkan: rencana perjalanannya tidak berlaku lagi, sehingga tautan ini tidak dapat dipakai. Hubungi Dinas Sosial Provinsi Jawa Timur. / This hand-over was called off: its transport plan no longer stands, so this link does nothing.";
/// Said when the person is confirmed received before anyone recorded their departure.
pub const NOT_DEPARTED: &str = "Warga belum dapat diterima: keberangkatan belum dicatat oleh Dinas Sosial Provinsi. / The person cannot be received yet: no departure is recorded.";
const CHANGED: &str = "kasus ini berubah sementara itu; muat ulang halamannya / the case changed meanwhile: reload the page";
const FINISHED: &str = "kasus sudah selesai / the case is finished";

/// Who received the person, as the receiving office states it with "received".
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    pub name: String,
    /// The receiving officer's NIP, or the relative's relation to the person.
    pub reference: String,
    /// The office ticked that the person was received in person (the confirmation step).
    pub confirmed: bool,
}

impl Receiver {
    /// What is missing, by field, in the reader's language (the link page shows each
    /// beside its field).
    fn problems(&self, lang: Lang) -> Vec<FieldError> {
        let mut out = vec![];
        if self.name.trim().chars().count() < 3 {
            out.push(FieldError::new(
                "receiver_name",
                tr(
                    lang,
                    "tuliskan nama orang yang menerima warga (paling sedikit 3 huruf)",
                    "write the name of who received the person (at least 3 letters)",
                ),
            ));
        }
        if self.reference.trim().chars().count() < 2 {
            out.push(FieldError::new(
                "receiver_ref",
                tr(
                    lang,
                    "tuliskan NIP petugas, atau hubungan keluarga dengan warga (mis. kakak kandung)",
                    "write the officer's NIP, or the relation to the person (e.g. elder brother)",
                ),
            ));
        }
        if !self.confirmed {
            out.push(FieldError::new(
                "confirm",
                tr(
                    lang,
                    "centang pernyataan bahwa warga sudah diterima langsung",
                    "tick the statement that the person was received in person",
                ),
            ));
        }
        out
    }
}

/// The receiving office confirms: `acknowledge` the notice, or `received` the person
/// (which acknowledges too and closes the case as handed over), naming who received them
/// and ticking that they did (`receiver`; checked after the departure, so a press before
/// any departure is told that first; the problems in `lang`). The case, the plan and
/// the notice are locked in that order (the order every change of a case takes) and read
/// again under the locks: a notice dies with its plan, and "received" needs a recorded
/// departure. Confirming what is already confirmed changes nothing. "Received" also
/// gives the office its follow-up tasks, 30 and 90 local days (`tz`) after that day.
pub async fn confirm(
    tx: &mut Tx<'_>,
    notice_id: i64,
    action: &str,
    receiver: &Receiver,
    lang: Lang,
    (now, tz): (DateTime<Utc>, chrono_tz::Tz),
) -> AppResult<()> {
    if !matches!(action, "acknowledge" | "received") {
        return Err(AppError::Invalid(vec![FieldError::new(
            "action",
            "unknown action",
        )]));
    }
    let case_id: i64 = sqlx::query_scalar("SELECT case_id FROM handover_notice WHERE id = $1")
        .bind(notice_id)
        .fetch_one(&mut **tx)
        .await?;
    lifecycle::lock_case(tx, case_id).await?;
    sqlx::query(
        "SELECT 1 FROM transport_plan t JOIN handover_notice n ON n.plan_id = t.id
          WHERE n.id = $1 FOR UPDATE OF t, n",
    )
    .bind(notice_id)
    .execute(&mut **tx)
    .await?;
    let n = notice_by(tx, By::Id(notice_id))
        .await?
        .ok_or(AppError::NotFound)?;
    if n.cancelled() {
        return Err(AppError::Conflict(CANCELLED.into()));
    }
    if n.received_at.is_some() || n.plan_state == "handed_over" {
        return Ok(());
    }
    match action {
        "acknowledge" => {
            if n.acknowledged_at.is_none() {
                sqlx::query("UPDATE handover_notice SET acknowledged_at = $2 WHERE id = $1")
                    .bind(n.id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                events::record(
                    tx,
                    n.case_id,
                    None,
                    &Event::note("handover_acknowledged", &n.office, json!({"notice": n.id})),
                    now,
                )
                .await?;
            }
        }
        _ => {
            if n.plan_state != "in_transit" || !n.departed {
                return Err(AppError::Conflict(NOT_DEPARTED.into()));
            }
            let problems = receiver.problems(lang);
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            sqlx::query(
                "UPDATE handover_notice SET acknowledged_at = coalesce(acknowledged_at, $2), received_at = $2,
                        received_by = $3, received_by_ref = $4 WHERE id = $1",
            )
            .bind(n.id)
            .bind(now)
            .bind(receiver.name.trim())
            .bind(receiver.reference.trim())
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE transport_plan SET state = 'handed_over' WHERE id = (SELECT plan_id FROM handover_notice WHERE id = $1)")
                .bind(n.id)
                .execute(&mut **tx)
                .await?;
            lifecycle::transition(tx, n.case_id, State::HandedOver, None, &n.office, now).await?;
            events::record(
                tx,
                n.case_id,
                None,
                &Event::note("handed_over", &n.office, json!({"notice": n.id})),
                now,
            )
            .await?;
            crate::tasks::store::create_follow_ups(tx, n.case_id, n.id, &n.office_code, (now, tz))
                .await?;
        }
    }
    Ok(())
}

/// Notices nobody acknowledged in time go to the provincial desk, again after each
/// further period. Returns how many escalated.
pub async fn escalate(
    pool: &PgPool,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let after = Duration::hours(settings.escalate_after_hours.into());
    let mut tx = crate::auth::policy::CaseScope::system(now)
        .begin(pool)
        .await?;
    let due: Vec<(i64, i64, String, String, i32)> = sqlx::query_as(
        "SELECT n.id, n.case_id, c.number, n.office, n.escalations FROM handover_notice n JOIN ot_case c ON c.id = n.case_id
           JOIN transport_plan t ON t.id = n.plan_id
          WHERE n.acknowledged_at IS NULL AND n.received_at IS NULL
            -- A notice dies with its plan: nobody is chased for a called-off hand-over.
            AND t.state IN ('proposed', 'accepted', 'in_transit')
            AND n.sent_at + $2 * (n.escalations + 1) <= $1
          ORDER BY n.id FOR UPDATE OF n SKIP LOCKED",
    )
    .bind(now)
    .bind(after)
    .fetch_all(&mut *tx)
    .await?;
    for (id, case_id, number, office, n) in &due {
        let mail = simlontar_templates::mail::escalation(
            number,
            office,
            settings.escalate_after_hours * (*n as u32 + 1),
            &settings.base_url,
        );
        outbox::enqueue(
            &mut tx,
            &Email {
                dedupe_key: format!("escalation:{id}:{}", n + 1),
                priority: Priority::Urgent,
                to: settings.escalation_email.clone(),
                subject: mail.subject,
                text: mail.text,
                html: mail.html,
            },
            now,
        )
        .await?;
        sqlx::query("UPDATE handover_notice SET escalations = escalations + 1, last_escalated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        events::record(
            &mut tx,
            *case_id,
            None,
            &Event::note(
                "handover_escalated",
                office,
                json!({"notice": id, "escalation": n + 1}),
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
