//! Who may do what, in one place. Handlers ask `require`; list and read queries take the
//! principal's `CaseScope` and filter in SQL, so an out-of-scope row is never fetched.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};

use super::model::{Principal, Role};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageUsers,
    ViewAudit,
    ViewCases,
    CreateIntake,
    RecordIdentity,
    /// Decide uncertain links in the review queue.
    ReviewLinks,
    DecideCase,
    /// Move a case between states; which moves each role may make is `lifecycle::may`.
    MoveCases,
    ManagePlacements,
    /// Read a case's route proposal through the API: those who decide routes, the
    /// regency offices that receive people (each in its scope), administrators.
    ViewRouting,
    /// Open the UPT capacity wall screen, its maps and charts (counts, no person).
    ViewCapacity,
    /// Use a NIK as a search or matching key: see [`NikKey`].
    SearchByNik,
    /// Export everything held about one person (UU PDP subject access): administrators.
    ExportSubjectData,
    /// Keep the offices' addresses and see what blocks going live: administrators.
    ManageOffices,
    /// Bring the province's state in at go-live (residents, occupancy history, assistance
    /// programmes) from the command line: administrators.
    ImportState,
    /// Answer a hand-over to one's own office (accept, decline, another date, collect,
    /// received): regency officers, for the hand-overs addressed to their regency (the
    /// scope's `offices`).
    ReceiveHandover,
    /// Give an unidentified resident's family tracing to a regency office or a TKSK:
    /// case officers and UPT staff (each in their scope).
    AssignTracing,
    /// See and answer the tasks given to one's own office (follow-ups after a hand-over,
    /// family tracing): regency officers, for the offices of their grants.
    AnswerTasks,
}

pub fn allows(p: &Principal, action: Action) -> bool {
    use Role::*;
    let any = |roles: &[Role]| roles.iter().any(|r| p.has(*r));
    match action {
        Action::ManageUsers | Action::ViewAudit | Action::ExportSubjectData => any(&[Admin]),
        Action::ManageOffices | Action::ImportState => any(&[Admin]),
        Action::ViewCases => any(&[
            IntakeOfficer,
            IdentityOfficer,
            CaseOfficer,
            UptStaff,
            RegencyViewer,
            Admin,
        ]),
        Action::CreateIntake => any(&[IntakeOfficer, CaseOfficer]),
        Action::RecordIdentity => any(&[IdentityOfficer]),
        Action::ReviewLinks => any(&[IdentityOfficer, CaseOfficer]),
        Action::DecideCase => any(&[CaseOfficer]),
        Action::MoveCases => any(&[CaseOfficer, IdentityOfficer, IntakeOfficer, UptStaff]),
        Action::ManagePlacements => any(&[CaseOfficer, UptStaff]),
        Action::ViewRouting => any(&[CaseOfficer, RegencyViewer, Admin]),
        Action::ViewCapacity => any(&[CaseOfficer, UptStaff, RegencyViewer, Admin]),
        Action::SearchByNik => sees_full_identity(p),
        Action::ReceiveHandover => any(&[RegencyOfficer]),
        Action::AssignTracing => any(&[CaseOfficer, UptStaff]),
        Action::AnswerTasks => any(&[RegencyOfficer]),
    }
}

/// Refuses with 403 unless the principal may take the action.
pub fn require(p: &Principal, action: Action) -> Result<(), AppError> {
    if allows(p, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Middleware for a route layer, `from_fn_with_state(action, gate)`: refuses a signed-in
/// principal whose roles do not allow `action` before any extractor reads the request,
/// so a refused person gets 403, never a validation error about a form they may not send.
/// Handlers still `require` the action; this moves the refusal ahead of the body.
/// Signing in is `require_login`'s.
pub async fn gate(State(action): State<Action>, req: Request, next: Next) -> Response {
    match req.extensions().get::<Principal>() {
        Some(p) if !allows(p, action) => AppError::Forbidden.into_response(),
        _ => next.run(req).await,
    }
}

/// Whether the principal needs NIKs and registry details in full. Others see them masked.
pub fn sees_full_identity(p: &Principal) -> bool {
    p.has(Role::IdentityOfficer) || p.has(Role::CaseOfficer) || p.has(Role::Admin)
}

/// A NIK that may be used as a search or matching key, for a principal who sees NIKs whole.
/// Nobody else gets one: a role that sees `3578**********01` beside the person's home
/// village and birth date is missing two serial digits, and any answer that tells whether a
/// guessed NIK is on record (a search hit, a "same NIK" hint, a different message) recovers
/// the whole number in at most 100 tries. A throttle only slows that down, so these roles
/// have no NIK search at all; they find people by name or case number. The store's NIK
/// filter takes only this type, so no path can forget the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikKey(String);

impl NikKey {
    /// `nik` as a key for `p`, or `None` when `p` sees NIKs masked.
    pub fn for_principal(p: &Principal, nik: &str) -> Option<NikKey> {
        allows(p, Action::SearchByNik).then(|| NikKey(nik.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which cases a principal may see: the union over their roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseScope {
    pub all: bool,
    /// Intake officers: people picked up in these regencies.
    pub pickup_regions: Vec<String>,
    /// Regency viewers: people picked up in, or coming from, these regencies.
    pub home_or_pickup_regions: Vec<String>,
    /// UPT staff: people placed (now or before) in these UPTs, or referred to one of them
    /// (on their way in, to be admitted). A bed hold opens nothing by itself.
    pub upts: Vec<String>,
    /// Regency officers: the people handed over to these offices (regency codes), while
    /// the hand-over stands or after it was carried out.
    pub offices: Vec<String>,
    /// Whose break-glass grants count, and at what moment.
    pub user_id: Option<i64>,
    pub at: DateTime<Utc>,
}

impl CaseScope {
    pub fn of(p: &Principal, at: DateTime<Utc>) -> CaseScope {
        CaseScope {
            all: p.has(Role::CaseOfficer) || p.has(Role::IdentityOfficer) || p.has(Role::Admin),
            pickup_regions: p.scopes(Role::IntakeOfficer),
            home_or_pickup_regions: p.scopes(Role::RegencyViewer),
            upts: p.scopes(Role::UptStaff),
            offices: p.scopes(Role::RegencyOfficer),
            user_id: Some(p.user_id),
            at,
        }
    }

    /// The system's own scope (writes already authorised, jobs): every case.
    pub fn system(at: DateTime<Utc>) -> CaseScope {
        CaseScope {
            all: true,
            pickup_regions: vec![],
            home_or_pickup_regions: vec![],
            upts: vec![],
            offices: vec![],
            user_id: None,
            at,
        }
    }

    /// Opens a transaction in which the database's row-level security admits exactly this
    /// scope (`SET LOCAL simlontar.scope`). Every query over `intake` or `ot_case` runs
    /// in one; outside it the app's role sees no person.
    pub async fn begin(&self, pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
        let mut tx = pool.begin().await?;
        let setting = json!({
            "all": self.all,
            "pickup": self.pickup_regions,
            "home": self.home_or_pickup_regions,
            "upts": self.upts,
            "offices": self.offices,
            "user": self.user_id,
            "at": self.at,
        });
        sqlx::query("SELECT set_config('simlontar.scope', $1, true)")
            .bind(setting.to_string())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// The SQL condition over `ot_case c` joined to `intake i`, with its four parameters
    /// numbered from `first`. Bind them with [`CaseScope::bind`] in the same order. Run it
    /// inside [`CaseScope::begin`]: break-glass grants are read from that setting.
    pub fn sql(first: usize) -> String {
        let mut out = String::new();
        for (text, slot) in condition_parts() {
            out.push_str(text);
            if let Some(slot) = slot {
                out.push_str(&format!("${}", first + slot));
            }
        }
        out
    }

    /// The same condition pushed onto a query being built, its values bound in place.
    pub fn push_sql(&self, q: &mut QueryBuilder<'_, Postgres>) {
        for (text, slot) in condition_parts() {
            q.push(text);
            match slot {
                Some(0) => q.push_bind(self.all),
                Some(1) => q.push_bind(self.pickup_regions.clone()),
                Some(2) => q.push_bind(self.home_or_pickup_regions.clone()),
                Some(3) => q.push_bind(self.upts.clone()),
                _ => q,
            };
        }
    }

    pub fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
        q.bind(self.all)
            .bind(&self.pickup_regions)
            .bind(&self.home_or_pickup_regions)
            .bind(&self.upts)
    }
}

/// The scope condition; `{0}`–`{3}` stand for its values (all, pick-up regions, home or
/// pick-up regions, UPTs), written once for both `CaseScope::sql` and `CaseScope::push_sql`.
/// The cases admitted by what happened to them (placements in the UPTs, open referrals to them, the
/// viewer's break-glass grants, hand-overs to the scope's `offices`, read from the setting) come from the database's `scope_admitted_cases`, the set the
/// read policies use too (migrations/20261207004000_scope_sets.sql): an uncorrelated
/// sub-select, computed once per statement and hashed, where a sub-query per row made a
/// scoped page take a second. A new way into a scope is a branch of that function.
const CONDITION: &str = "({0}::bool OR i.found_region_code = ANY({1}::text[])
   OR i.found_region_code = ANY({2}::text[]) OR i.home_region_code = ANY({2}::text[])
   OR c.id IN (SELECT scope_admitted_cases({3}::text[], scope_user(), scope_at())))";

/// `CONDITION` as pieces of text, each followed by the value it is bound to (if any).
fn condition_parts() -> impl Iterator<Item = (&'static str, Option<usize>)> {
    let mut rest = CONDITION;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find('{') {
            Some(at) => {
                let (text, slot) = (&rest[..at], rest.as_bytes()[at + 1] - b'0');
                rest = &rest[at + 3..];
                Some((text, Some(slot as usize)))
            }
            None => Some((std::mem::take(&mut rest), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::Grant;

    fn principal(grants: &[(Role, Option<&str>)]) -> Principal {
        Principal {
            user_id: 1,
            username: "t".into(),
            display_name: "t".into(),
            grants: grants
                .iter()
                .map(|(r, s)| Grant {
                    role: *r,
                    scope: s.map(String::from),
                })
                .collect(),
            via_token: false,
        }
    }

    #[test]
    fn a_regency_viewer_sees_only_their_regency_and_cannot_act() {
        let p = principal(&[(Role::RegencyViewer, Some("35.10"))]);
        let s = CaseScope::of(&p, Utc::now());
        assert!(!s.all);
        assert_eq!(s.home_or_pickup_regions, vec!["35.10"]);
        assert!(allows(&p, Action::ViewCases));
        assert!(!allows(&p, Action::CreateIntake));
        assert!(!allows(&p, Action::ManageUsers));
        assert!(!sees_full_identity(&p));
    }

    #[test]
    fn roles_add_up() {
        let p = principal(&[
            (Role::IntakeOfficer, Some("35.78")),
            (Role::UptStaff, Some("RSBL-KEDIRI")),
        ]);
        let s = CaseScope::of(&p, Utc::now());
        assert_eq!(s.pickup_regions, vec!["35.78"]);
        assert_eq!(s.upts, vec!["RSBL-KEDIRI"]);
        assert!(allows(&p, Action::CreateIntake) && allows(&p, Action::ManagePlacements));
    }

    /// The gate before the move forms admits exactly the roles the lifecycle gives a move.
    #[test]
    fn the_gate_on_moves_admits_exactly_the_roles_with_some_move() {
        use crate::cases::model::{may, STATES};
        for role in crate::auth::model::ROLES {
            let p = principal(&[(role, None)]);
            let some_move = STATES
                .iter()
                .any(|from| from.next().iter().any(|to| may(&p, *from, *to)));
            assert_eq!(allows(&p, Action::MoveCases), some_move, "{role:?}");
        }
    }

    /// Only the roles that see NIKs whole may use one as a key; the others get no key.
    #[test]
    fn only_roles_that_see_niks_whole_may_search_by_nik() {
        for role in crate::auth::model::ROLES {
            let p = principal(&[(role, Some("35.78"))]);
            let full = matches!(
                role,
                Role::IdentityOfficer | Role::CaseOfficer | Role::Admin
            );
            assert_eq!(sees_full_identity(&p), full, "{role:?}");
            assert_eq!(allows(&p, Action::SearchByNik), full, "{role:?}");
            assert_eq!(
                NikKey::for_principal(&p, "3578015208900001").is_some(),
                full,
                "{role:?}"
            );
        }
        // A masked role held beside a full one: the full one decides.
        let both = principal(&[
            (Role::RegencyViewer, Some("35.10")),
            (Role::CaseOfficer, None),
        ]);
        assert!(NikKey::for_principal(&both, "3578015208900001").is_some());
    }

    #[test]
    fn only_admins_manage_users_and_read_the_audit_trail() {
        for role in crate::auth::model::ROLES {
            let p = principal(&[(role, None)]);
            assert_eq!(allows(&p, Action::ManageUsers), role == Role::Admin);
            assert_eq!(allows(&p, Action::ViewAudit), role == Role::Admin);
        }
    }

    #[test]
    fn the_scope_condition_numbers_its_values_from_the_first_given() {
        let sql = CaseScope::sql(5);
        for (n, count) in [(5, 1), (6, 1), (7, 2), (8, 1)] {
            assert_eq!(
                sql.matches(&format!("${n}:")).count(),
                count,
                "${n} in {sql}"
            );
        }
        assert!(!sql.contains(['{', '}']) && !sql.contains("$9"), "{sql}");
        let scope = CaseScope::of(&principal(&[(Role::UptStaff, Some("U1"))]), Utc::now());
        let mut q = QueryBuilder::<Postgres>::new("SELECT 1 WHERE ");
        scope.push_sql(&mut q);
        // Each use of a value is a bind of its own: five.
        let built = q.sql();
        assert!(
            built.contains("$5") && !built.contains("$6") && !built.contains('{'),
            "{built}"
        );
    }
}
