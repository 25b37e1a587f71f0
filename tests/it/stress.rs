//! Bed changes under load: many officers placing, moving and discharging at once through
//! the routes they use, and two opposite transfers stepped by hand, statement by statement.
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{PgPool, Postgres, Transaction};

use crate::common::*;
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::auth::policy::CaseScope;
use simlontar::error::AppError;
use simlontar::shelter::store;

/// `n` cases waiting for a bed, numbered from 1: unidentified men of about 70, picked up
/// in Surabaya (one statement, not `n` fixtures, to keep the set-up short).
async fn elderly_men(owner: &PgPool, n: i32) -> Vec<i64> {
    sqlx::query_scalar(
        "WITH i AS (
            INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, stated_name,
                                name_quality, sex, birth_date_quality, estimated_age)
            SELECT gen_random_uuid(), $2, r.seat_point, r.code, 'Tanpa Nama', 'full', 'male', 'approximate', 70
              FROM region r, generate_series(1, $1) WHERE r.code = '35.78'
            RETURNING id)
         INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         SELECT 'OT-3578-2026-' || lpad((row_number() OVER (ORDER BY id))::text, 6, '0'), id,
                'unidentified', $2, $2
           FROM i
         RETURNING id",
    )
    .bind(n)
    .bind(now())
    .fetch_all(owner)
    .await
    .unwrap()
}

fn number(person: usize) -> String {
    format!("OT-3578-2026-{:06}", person + 1)
}

/// The first `n` men's elderly wards, each cut down to `beds` beds, by id.
async fn mens_wards(owner: &PgPool, n: i64, beds: i32) -> Vec<i64> {
    let mut wards: Vec<i64> = sqlx::query_scalar(
        "UPDATE ward SET beds = $2 WHERE id IN
           (SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'male' ORDER BY id LIMIT $1)
         RETURNING id",
    )
    .bind(n)
    .bind(beds)
    .fetch_all(owner)
    .await
    .unwrap();
    wards.sort();
    assert_eq!(wards.len(), n as usize);
    wards
}

mod load {
    use super::*;

    const OFFICERS: usize = 2;
    const TABS: usize = 8;
    const OPS_PER_CLIENT: usize = 63;
    const PEOPLE: usize = 240;
    /// Four men's wards of three beds, and (index 4) a women's ward every man is refused.
    const MEN: usize = 4;
    const WOMEN: usize = MEN;
    const BEDS: i32 = 3;
    const SEED: u64 = 0x5_1a4e;
    const APP_NAME: &str = "simlontar-stress";

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Place(usize, usize),
        Transfer(usize, usize),
        Discharge(usize),
    }

    /// The answers each kind of operation may give; anything else fails the test.
    fn expected(op: Op, status: StatusCode) -> bool {
        use StatusCode as S;
        match op {
            Op::Place(..) => matches!(status, S::CREATED | S::CONFLICT | S::UNPROCESSABLE_ENTITY),
            Op::Transfer(..) => {
                matches!(status, S::SEE_OTHER | S::CONFLICT | S::UNPROCESSABLE_ENTITY)
            }
            Op::Discharge(_) => matches!(status, S::SEE_OTHER | S::CONFLICT),
        }
    }

    /// Transfers and discharges mostly pick someone last seen in a bed (a shared hint,
    /// often stale), so that they act on residents rather than on people never placed.
    fn choose(rng: &mut ChaCha8Rng, in_bed: &[usize]) -> Op {
        let ward = if rng.random_ratio(1, 20) {
            WOMEN
        } else {
            rng.random_range(0..MEN)
        };
        let resident = if in_bed.is_empty() || rng.random_ratio(1, 10) {
            rng.random_range(0..PEOPLE)
        } else {
            in_bed[rng.random_range(0..in_bed.len())]
        };
        match rng.random_range(0..20) {
            0..=8 => Op::Place(rng.random_range(0..PEOPLE), ward),
            9..=15 => Op::Transfer(resident, ward),
            _ => Op::Discharge(resident),
        }
    }

    #[derive(Debug, Default)]
    struct Tally {
        /// Per kind (place, transfer, discharge): successes and refusals (409).
        done: [usize; 3],
        refused: [usize; 3],
        unexpected: Vec<(Op, StatusCode, String)>,
    }

    /// Row 5 of the reliability checklist. 16 clients (two officers, eight tabs each) run
    /// 1,008 random bed changes at once — placements through the API, transfers in both
    /// directions and discharges through the case page's forms — on four wards of three beds,
    /// so that most are refused. No answer may be a 5xx (a serialization failure or deadlock
    /// would surface as one) and the database may count no deadlock at all; each success the
    /// clients saw must be in the database and nothing more; afterwards the counters, beds,
    /// placements and waiting list must agree. The seed fixes each client's choices given the
    /// answers it gets (the interleaving is the scheduler's).
    #[sqlx::test]
    async fn a_thousand_random_bed_changes_at_once_give_no_server_error_and_keep_the_books_straight(
        owner: PgPool,
    ) {
        load_geo(&owner).await;
        let mut wards = mens_wards(&owner, MEN as i64, BEDS).await;
        wards.push(
            sqlx::query_scalar(
                "SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'female' ORDER BY id LIMIT 1",
            )
            .fetch_one(&owner)
            .await
            .unwrap(),
        );
        elderly_men(&owner, PEOPLE as i32).await;
        // Three people in transit hold a bed each: the counters must count them too, and a
        // placement into the held ward turns the hold into the stay.
        sqlx::query(
            "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at)
             SELECT ($1::bigint[])[n], c.id, $2, $2 + interval '2 days'
               FROM generate_series(1, 3) n JOIN ot_case c ON c.number = 'OT-3578-2026-' || lpad(n::text, 6, '0')",
        )
        .bind(&wards)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();

        // One app (one pool, as the server has) for every officer's session and token; each
        // officer works in several tabs at once (clients sharing the session cookie). Fewer
        // officers than clients keep the sign-ins' password hashing out of the run time. The
        // pool is named so that the end can wait for its connections to close: a backend
        // reports the deadlocks it met (the capacity evaluation's too, which users never see)
        // to pg_stat_database when it exits.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let options = (*owner.connect_options()).clone();
        let pool = simlontar::db::connect_as_app(options.application_name(APP_NAME))
            .await
            .unwrap();
        let app = simlontar::app(simlontar::AppState {
            pool: pool.clone(),
            settings: Arc::new(settings()),
            clock: Arc::new(simlontar::clock::FixedClock(now())),
        });
        let mut clients = vec![];
        for i in 0..OFFICERS {
            let name = format!("co.stress{i}");
            let id = user(&owner, &name, Role::CaseOfficer, None).await;
            let mut page = Client {
                router: app.clone(),
                cookie: None,
                csrf: None,
            };
            let res = page.sign_in(&name, PASSWORD).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
            page.get("/").await;
            let (_, bearer) = simlontar::auth::store::create_token(&owner, id, "stress")
                .await
                .unwrap();
            for _ in 0..TABS {
                let tab = Client {
                    router: app.clone(),
                    cookie: page.cookie.clone(),
                    csrf: page.csrf.clone(),
                };
                clients.push((tab, bearer.clone()));
            }
        }

        let in_bed = Arc::new(Mutex::new(Vec::<usize>::new()));
        let started = Instant::now();
        let tasks: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, (mut page, bearer))| {
                let (wards, in_bed) = (wards.clone(), in_bed.clone());
                tokio::spawn(async move {
                    let mut rng = ChaCha8Rng::seed_from_u64(SEED + i as u64);
                    let mut tally = Tally::default();
                    for _ in 0..OPS_PER_CLIENT {
                        let op = choose(&mut rng, &in_bed.lock().unwrap());
                        let (kind, person, res) = match op {
                            Op::Place(p, w) => {
                                let uri = format!("/api/v1/cases/{}/placement", number(p));
                                let body = serde_json::json!({ "ward_id": wards[w] });
                                (
                                    0,
                                    p,
                                    send(&page.router, api("POST", &uri, &bearer, None, body))
                                        .await,
                                )
                            }
                            Op::Transfer(p, w) => {
                                let uri = format!("/cases/{}/transfer", number(p));
                                let ward = wards[w].to_string();
                                let fields = [("ward_id", ward.as_str()), ("reason", "uji beban")];
                                (1, p, page.post(&uri, &fields).await)
                            }
                            Op::Discharge(p) => {
                                let uri = format!("/cases/{}/discharge", number(p));
                                (
                                    2,
                                    p,
                                    page.post(&uri, &[("reason", "home"), ("confirm", "yes")])
                                        .await,
                                )
                            }
                        };
                        // A redirect anywhere but back to the case (to the sign-in page, say)
                        // is not a success; the case page confirms what was done.
                        let back = format!("/cases/{}?done=", number(person));
                        let ok = res.status == StatusCode::CREATED
                            || (res.status == StatusCode::SEE_OTHER
                                && res.location().starts_with(&back));
                        if !expected(op, res.status) || (res.status == StatusCode::SEE_OTHER && !ok)
                        {
                            tally.unexpected.push((op, res.status, res.body));
                            continue;
                        }
                        let mut hint = in_bed.lock().unwrap();
                        if ok {
                            tally.done[kind] += 1;
                            hint.retain(|&x| x != person);
                            if !matches!(op, Op::Discharge(_)) {
                                hint.push(person);
                            }
                        } else if res.status == StatusCode::CONFLICT {
                            tally.refused[kind] += 1;
                            if res.body.contains("not placed") {
                                hint.retain(|&x| x != person);
                            }
                        }
                    }
                    tally
                })
            })
            .collect();
        let mut all = Tally::default();
        for t in tasks {
            let t = t.await.unwrap();
            for k in 0..3 {
                all.done[k] += t.done[k];
                all.refused[k] += t.refused[k];
            }
            all.unexpected.extend(t.unexpected);
        }
        let took = started.elapsed();
        // Once the background capacity evaluations are done, the app's connections are ended:
        // a backend reports the deadlocks it met to pg_stat_database as it exits.
        let deadline = Instant::now() + Duration::from_secs(10);
        let deadlocks: i64 = loop {
            let (busy, open, deadlocks): (i64, i64, i64) = sqlx::query_as(
                "SELECT count(*) FILTER (WHERE state <> 'idle'), count(*),
                        (SELECT deadlocks FROM pg_stat_database WHERE datname = current_database())
                   FROM pg_stat_activity WHERE application_name = $1",
            )
            .bind(APP_NAME)
            .fetch_one(&owner)
            .await
            .unwrap();
            if open == 0 {
                break deadlocks;
            }
            if busy == 0 {
                pool.close().await;
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                )
                .bind(APP_NAME)
                .execute(&owner)
                .await
                .unwrap();
            }
            assert!(Instant::now() < deadline, "{open} app connections left");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        if let Some((op, status, body)) =
            all.unexpected.iter().find(|(_, s, _)| s.is_server_error())
        {
            panic!("{op:?} answered {status}: {body}");
        }
        assert!(
            all.unexpected.is_empty(),
            "unexpected answers: {:?}",
            all.unexpected
        );
        let summary = format!("{all:?} in {took:?}");
        assert_eq!(deadlocks, 0, "deadlocks in the database; {summary}");
        // Not a pass by refusing everything: every kind succeeded often and was refused often.
        for k in 0..3 {
            assert!(all.done[k] >= 20 && all.refused[k] >= 20, "{summary}");
        }

        // Each success the clients saw is in the database, and nothing more.
        let (placed, transferred, discharged, from_waiting): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM case_event WHERE kind = 'placed'),
                    (SELECT count(*) FROM placement WHERE end_reason = 'transfer'),
                    (SELECT count(*) FROM ot_case WHERE state = 'discharged'),
                    (SELECT count(*) FROM waiting_list WHERE resolved_at IS NOT NULL)",
        )
        .fetch_one(&owner)
        .await
        .unwrap();
        assert_eq!(
            [placed, transferred, discharged].map(|n| n as usize),
            all.done,
            "{summary}"
        );
        // Re-placements: people refused for a full ward got a bed later.
        assert!(
            from_waiting >= 10,
            "{from_waiting} placed from the waiting list; {summary}"
        );

        // Every ward's counters are its open placements and live holds, within its beds.
        let counters: Vec<(i64, i32, i32, i32, i64, i64)> = sqlx::query_as(
            "SELECT w.id, w.beds, w.occupied, w.held,
                    (SELECT count(*) FROM placement p WHERE p.ward_id = w.id AND p.ended_at IS NULL),
                    (SELECT count(*) FROM bed_hold h WHERE h.ward_id = w.id AND h.released_at IS NULL)
               FROM ward w ORDER BY w.id",
        )
        .fetch_all(&owner)
        .await
        .unwrap();
        for (ward, beds, occupied, held, open, holds) in counters {
            assert_eq!(
                (occupied as i64, held as i64),
                (open, holds),
                "ward {ward}: counters against rows"
            );
            assert!(occupied + held <= beds, "ward {ward} over its {beds} beds");
        }
        // Every person: at most one open placement; in a bed exactly when the case says
        // placed; waiting only while never placed (so never placed and waiting at once).
        let people: Vec<(String, String, i64, bool)> = sqlx::query_as(
            "SELECT c.number, c.state,
                    (SELECT count(*) FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL),
                    EXISTS (SELECT 1 FROM waiting_list l WHERE l.case_id = c.id AND l.resolved_at IS NULL)
               FROM ot_case c ORDER BY c.number",
        )
        .fetch_all(&owner)
        .await
        .unwrap();
        for (number, state, open, waiting) in people {
            assert!(open <= 1, "{number}: {open} open placements");
            assert_eq!(
                state == "placed",
                open == 1,
                "{number}: {state}, {open} open"
            );
            assert!(
                !waiting || state == "unidentified",
                "{number}: {state} and on the waiting list"
            );
        }
    }
}

/// Row 6 of the reliability checklist: opposite transfers stepped by hand on two
/// transactions opened as the handlers open theirs (the app's role, the officer's scope).
/// `lock_for_change` is private, so each step is a whole `store::transfer`, and where a
/// transaction waits is read from PostgreSQL (`pg_blocking_pids`).
mod interleaving {
    use super::*;

    async fn officer(owner: &PgPool) -> Principal {
        Principal {
            user_id: user(owner, "co.stepper", Role::CaseOfficer, None).await,
            username: "co.stepper".into(),
            display_name: "Case officer".into(),
            grants: vec![Grant::new(Role::CaseOfficer, None).unwrap()],
            via_token: false,
        }
    }

    /// Two men's wards (the lower id first) of two beds; X lies in the first, Y in the second.
    async fn two_residents(owner: &PgPool, actor: &Principal) -> ([i64; 2], i64, i64) {
        load_geo(owner).await;
        let wards = mens_wards(owner, 2, 2).await;
        let mut people = elderly_men(owner, 2).await;
        people.sort();
        let (x, y) = (people[0], people[1]);
        for (case, ward) in [(x, wards[0]), (y, wards[1])] {
            let mut tx = owner.begin().await.unwrap();
            store::place(
                &mut tx,
                case,
                ward,
                actor,
                (now(), chrono_tz::Asia::Jakarta),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        ([wards[0], wards[1]], x, y)
    }

    async fn begin(app: &PgPool, actor: &Principal) -> (Transaction<'static, Postgres>, i32) {
        let mut tx = CaseScope::of(actor, now()).begin(app).await.unwrap();
        let pid = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        (tx, pid)
    }

    async fn transfer_and_commit(
        mut tx: Transaction<'static, Postgres>,
        case: i64,
        ward: i64,
        actor: &Principal,
    ) -> Result<i64, AppError> {
        let placement = store::transfer(
            &mut tx,
            case,
            ward,
            actor,
            "uji",
            (now(), chrono_tz::Asia::Jakarta),
        )
        .await?;
        tx.commit().await?;
        Ok(placement)
    }

    /// Polls `step` until backend `pid` waits for a lock and returns whom it waits for;
    /// fails if the step finishes first, or if it has not waited within 10 s.
    async fn until_blocked<F>(owner: &PgPool, pid: i32, step: &mut F) -> Vec<i32>
    where
        F: Future + Unpin,
        F::Output: std::fmt::Debug,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let blockers: Vec<i32> = sqlx::query_scalar("SELECT pg_blocking_pids($1)")
                .bind(pid)
                .fetch_one(owner)
                .await
                .unwrap();
            if !blockers.is_empty() {
                return blockers;
            }
            assert!(Instant::now() < deadline, "backend {pid} never waited");
            tokio::select! {
                out = &mut *step => panic!("finished without waiting: {out:?}"),
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    }

    /// Each ward with its counter and the cases with an open placement in it.
    async fn beds(owner: &PgPool, wards: [i64; 2]) -> Vec<(i64, i32, Vec<i64>)> {
        sqlx::query_as(
            "SELECT w.id, w.occupied,
                    coalesce(array_agg(p.case_id ORDER BY p.case_id) FILTER (WHERE p.id IS NOT NULL), '{}')
               FROM ward w LEFT JOIN placement p ON p.ward_id = w.id AND p.ended_at IS NULL
              WHERE w.id = ANY($1) GROUP BY w.id ORDER BY w.id",
        )
        .bind(wards)
        .fetch_all(owner)
        .await
        .unwrap()
    }

    /// A moves X from ward 1 to ward 2 and keeps its transaction open; B, moving Y from
    /// ward 2 to ward 1, then waits for A alone (no deadlock is detected, nothing fails), and
    /// goes on once A commits: both moves stand and each ward counts one resident.
    #[sqlx::test]
    async fn a_transfer_waits_for_the_opposite_one_holding_both_wards_then_both_commit(
        owner: PgPool,
    ) {
        let actor = officer(&owner).await;
        let ([w1, w2], x, y) = two_residents(&owner, &actor).await;
        let app = app_pool(&owner).await;
        let (mut a, a_pid) = begin(&app, &actor).await;
        let (b, b_pid) = begin(&app, &actor).await;

        store::transfer(
            &mut a,
            x,
            w2,
            &actor,
            "uji",
            (now(), chrono_tz::Asia::Jakarta),
        )
        .await
        .unwrap();
        let mut b_moves = Box::pin(transfer_and_commit(b, y, w1, &actor));
        assert_eq!(until_blocked(&owner, b_pid, &mut b_moves).await, [a_pid]);
        // Still waiting a while later: B does not get past A's locks while A is open.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), &mut b_moves)
                .await
                .is_err(),
            "B finished while A held the wards"
        );
        a.commit().await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), b_moves)
            .await
            .expect("B goes on once A commits")
            .expect("B's transfer");

        assert_eq!(
            beds(&owner, [w1, w2]).await,
            [(w1, 1, vec![y]), (w2, 1, vec![x])]
        );
    }

    /// The capacity evaluation that follows every bed change writes a forecast row naming
    /// each ward, and that row's foreign-key check takes a key-share lock on the ward. A bed
    /// change holding the ward must not make it wait: when it did (the wards were locked FOR
    /// UPDATE), the two deadlocked now and then on a ward row a third change had just
    /// updated — the load test above met it as a 500 on a placement.
    #[sqlx::test]
    async fn the_capacity_evaluation_does_not_wait_for_a_transfer_holding_its_wards(owner: PgPool) {
        let actor = officer(&owner).await;
        let ([w1, w2], x, _) = two_residents(&owner, &actor).await;
        let app = app_pool(&owner).await;
        let (mut a, _) = begin(&app, &actor).await;
        store::transfer(
            &mut a,
            x,
            w2,
            &actor,
            "uji",
            (now(), chrono_tz::Asia::Jakarta),
        )
        .await
        .unwrap();

        let evaluated = tokio::time::timeout(
            Duration::from_secs(10),
            simlontar::capacity::evaluate::run(&app, &settings(), Some(w1), now()),
        )
        .await
        .expect("the evaluation waited for the transfer's lock on the ward")
        .unwrap();
        assert_eq!(evaluated.wards, 1);
        a.commit().await.unwrap();
    }

    /// The interleaving that deadlocks when each transfer locks the ward it leaves first (as
    /// the occupancy trigger meets it): A (X, ward 1 → 2) and B (Y, ward 2 → 1) both start
    /// while a third transaction holds ward 1. Both then wait for ward 1 and neither holds
    /// ward 2 — B did not take the ward it leaves out of order — so when ward 1 is let go
    /// they pass one after the other and both commit.
    #[sqlx::test]
    async fn opposite_transfers_queued_on_a_locked_ward_take_their_wards_in_one_order_and_both_commit(
        owner: PgPool,
    ) {
        let actor = officer(&owner).await;
        let ([w1, w2], x, y) = two_residents(&owner, &actor).await;
        let app = app_pool(&owner).await;
        // C: a third change holding ward 1, as a bed change there does.
        let mut c = owner.begin().await.unwrap();
        let c_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        sqlx::query("SELECT 1 FROM ward WHERE id = $1 FOR NO KEY UPDATE")
            .bind(w1)
            .execute(&mut *c)
            .await
            .unwrap();

        let (a, a_pid) = begin(&app, &actor).await;
        let mut a_moves = Box::pin(transfer_and_commit(a, x, w2, &actor));
        assert_eq!(until_blocked(&owner, a_pid, &mut a_moves).await, [c_pid]);
        let (b, b_pid) = begin(&app, &actor).await;
        let mut b_moves = Box::pin(transfer_and_commit(b, y, w1, &actor));
        until_blocked(&owner, b_pid, &mut b_moves).await;
        let ward_2 = sqlx::query("SELECT 1 FROM ward WHERE id = $1 FOR UPDATE NOWAIT")
            .bind(w2)
            .execute(&owner)
            .await;
        assert!(
            ward_2.is_ok(),
            "ward 2 is locked while both wait for ward 1: {ward_2:?}"
        );

        c.commit().await.unwrap();
        let (a_done, b_done) = tokio::time::timeout(Duration::from_secs(10), async {
            tokio::join!(a_moves, b_moves)
        })
        .await
        .expect("both go on once ward 1 is free");
        a_done.expect("A's transfer");
        b_done.expect("B's transfer");
        assert_eq!(
            beds(&owner, [w1, w2]).await,
            [(w1, 1, vec![y]), (w2, 1, vec![x])]
        );
    }
}
