//! One demonstration account per role (and per scope where it matters). Demo mode only:
//! they all share a password that is printed on the screen.
use sqlx::PgPool;

use crate::auth::model::{Grant, Role};
use crate::auth::store::{self, UserError};

pub const DEMO_PASSWORD: &str = "demo-simlontar";

/// (username, display name, role, scope)
pub const ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "Administrator", Role::Admin, None),
    (
        "satpol.surabaya",
        "Satpol PP Kota Surabaya",
        Role::IntakeOfficer,
        Some("35.78"),
    ),
    (
        "satpol.banyuwangi",
        "Satpol PP Kab. Banyuwangi",
        Role::IntakeOfficer,
        Some("35.10"),
    ),
    ("dp3ak", "Petugas DP3AK", Role::IdentityOfficer, None),
    (
        "dinsos.jatim",
        "Petugas Kasus Dinsos Jatim",
        Role::CaseOfficer,
        None,
    ),
    (
        "upt.rsbl.pasuruan",
        "Staf UPT RSBL Pasuruan",
        Role::UptStaff,
        Some("RSBL-PASURUAN"),
    ),
    (
        "dinsos.banyuwangi",
        "Dinsos Kab. Banyuwangi",
        Role::RegencyViewer,
        Some("35.10"),
    ),
    (
        "petugas.banyuwangi",
        "Petugas Dinsos Kab. Banyuwangi",
        Role::RegencyOfficer,
        Some("35.10"),
    ),
    (
        "dinsos.surabaya",
        "Dinsos Kota Surabaya",
        Role::RegencyViewer,
        Some("35.78"),
    ),
];

/// Creates the accounts that do not exist yet; returns how many were made.
pub async fn ensure(pool: &PgPool) -> anyhow::Result<usize> {
    let mut made = 0;
    for (username, name, role, scope) in ACCOUNTS {
        let grant = Grant::new(*role, scope.map(String::from)).map_err(anyhow::Error::msg)?;
        match store::create(pool, username, name, DEMO_PASSWORD, &grant).await {
            Ok(_) => made += 1,
            Err(UserError::Exists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(made)
}

/// The sign-in table the run command prints in demo mode.
pub fn sign_in_help(base_url: &str) -> String {
    let mut out =
        format!("Demo accounts at {base_url}/login (password for all: {DEMO_PASSWORD}):\n");
    for (username, name, role, scope) in ACCOUNTS {
        out.push_str(&format!(
            "  {username:<20} {:<17} {:<14} {name}\n",
            role.as_str(),
            scope.unwrap_or("")
        ));
    }
    out
}
