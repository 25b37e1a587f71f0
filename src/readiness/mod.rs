//! What still blocks a real start (issue 24): offices without an address, wards whose bed
//! counts are estimates, UPTs nobody works in, no administrator with one-time codes, mail
//! that cannot reach the SMTP server. One list, read by `simlontar readiness` (which
//! exits non-zero while it is not empty) and by the administrator's "Kesiapan" page.
pub mod pages;

use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;

use sqlx::PgPool;

use crate::auth::policy::{gate, Action};
use crate::config::Settings;
use crate::notify::mailer::Mailer;
use crate::state::AppState;
use simlontar_templates::i18n::tr;
use simlontar_templates::Lang;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/readiness", get(pages::show_readiness))
        .route_layer(from_fn_with_state(Action::ManageOffices, gate))
}

/// How long the mail check waits for the SMTP server.
const MAIL_TIMEOUT: Duration = Duration::from_secs(5);

/// A kind of blocker, with what to do about it and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OfficeAddress,
    EstimatedBeds,
    UptWithoutStaff,
    NoAdminMfa,
    MailUnreachable,
}

impl Kind {
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Kind::OfficeAddress => tr(
                lang,
                "Kantor tanpa alamat surel",
                "Offices without an email address",
            ),
            Kind::EstimatedBeds => tr(
                lang,
                "Bangsal dengan jumlah tempat tidur perkiraan",
                "Wards whose bed count is an estimate",
            ),
            Kind::UptWithoutStaff => tr(
                lang,
                "UPT tanpa akun petugas aktif",
                "UPTs with no active staff account",
            ),
            Kind::NoAdminMfa => tr(
                lang,
                "Belum ada administrator dengan kode sekali pakai",
                "No active administrator with one-time codes",
            ),
            Kind::MailUnreachable => tr(
                lang,
                "Server surel tidak dapat dihubungi",
                "The mail (SMTP) server cannot be reached",
            ),
        }
    }

    pub fn todo(self, lang: Lang) -> &'static str {
        match self {
            Kind::OfficeAddress => tr(
                lang,
                "Isi alamat surel kantor di halaman Kantor Dinas Sosial. Sampai itu, surat dikirim ke alamat contoh yang tidak dibaca siapa pun.",
                "Enter the office's address on the Offices page, or load them with `simlontar import offices FILE.csv`. Until then mail goes to the stand-in address below, which nobody reads.",
            ),
            Kind::EstimatedBeds => tr(
                lang,
                "Hitung tempat tidur yang sebenarnya dan catat di halaman bangsalnya.",
                "Count the real beds and record them on the ward's page.",
            ),
            Kind::UptWithoutStaff => tr(
                lang,
                "Buat akun petugas UPT (peran petugas UPT) untuk UPT ini di halaman Pengguna.",
                "Create a UPT staff account for this UPT on the Users page.",
            ),
            Kind::NoAdminMfa => tr(
                lang,
                "Seorang administrator masuk dan memasang aplikasi autentikator (kode sekali pakai).",
                "An administrator signs in and sets up an authenticator app (one-time codes).",
            ),
            Kind::MailUnreachable => tr(
                lang,
                "Periksa pengaturan SMTP (host, port, keamanan, akun) dan jaringan ke server surel.",
                "Check the SMTP settings (SIMLONTAR_SMTP_HOST, port, security, account) and the network path to the server.",
            ),
        }
    }
}

/// One thing that blocks, e.g. (office address, "Kabupaten Nganjuk", its page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub kind: Kind,
    /// What is concerned, named ("Kabupaten Nganjuk — alamat sekarang: …").
    pub subject: String,
    /// Where to fix it in the app.
    pub link: String,
}

/// Everything that blocks a real start, grouped by kind in a fixed order; empty when ready.
pub async fn check(pool: &PgPool, settings: &Settings, lang: Lang) -> anyhow::Result<Vec<Blocker>> {
    let mut out = vec![];
    let mut conn = pool.acquire().await?;
    for o in crate::notify::offices::list(&mut conn).await? {
        if o.required && o.email.is_none() {
            // The stand-in the mail goes to meanwhile (UPT heads get none: no mail at all).
            let now_to = if o.kind == "upt" {
                tr(
                    lang,
                    "peringatan kapasitas tidak terkirim ke kepala UPT",
                    "capacity alerts do not reach the head",
                )
                .to_string()
            } else {
                format!(
                    "{} {}",
                    tr(
                        lang,
                        "surat sementara ke alamat contoh",
                        "mail goes to the stand-in"
                    ),
                    crate::notify::office_address(&mut conn, settings, &o.code).await?
                )
            };
            let whose = if o.kind == "upt" {
                format!("{} {}", tr(lang, "Kepala", "Head of"), o.place)
            } else {
                o.place.clone()
            };
            out.push(Blocker {
                kind: Kind::OfficeAddress,
                subject: format!("{whose} — {now_to}"),
                link: format!("/admin/offices/edit?place={}", o.code),
            });
        }
    }
    let wards: Vec<(i64, String, String, i32)> = sqlx::query_as(
        "SELECT w.id, u.name, w.name, w.beds FROM ward w JOIN upt u ON u.code = w.upt_code
          WHERE w.beds_estimated ORDER BY u.name, w.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (ward_id, upt_name, ward, beds) in wards {
        out.push(Blocker {
            kind: Kind::EstimatedBeds,
            subject: format!(
                "{upt_name} · {ward}: {beds} {}",
                tr(lang, "tempat tidur (perkiraan)", "beds (estimated)")
            ),
            // The ward's page, where its bed count is set (no longer an estimate).
            link: format!("/capacity/wards/{ward_id}"),
        });
    }
    let unstaffed: Vec<String> = sqlx::query_scalar(
        "SELECT t.name FROM upt t
          WHERE NOT EXISTS (SELECT 1 FROM user_role r JOIN app_user u ON u.id = r.user_id
                             WHERE r.role = 'upt_staff' AND r.scope_upt = t.code AND u.disabled_at IS NULL)
          ORDER BY t.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for name in unstaffed {
        out.push(Blocker {
            kind: Kind::UptWithoutStaff,
            subject: name,
            link: "/admin/users".into(),
        });
    }
    let admin_mfa: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM app_user u JOIN user_role r ON r.user_id = u.id
                         WHERE r.role = 'admin' AND u.disabled_at IS NULL AND u.totp_secret IS NOT NULL)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !admin_mfa {
        out.push(Blocker {
            kind: Kind::NoAdminMfa,
            subject: tr(
                lang,
                "Tidak ada administrator aktif yang sudah memasang aplikasi autentikator",
                "No active administrator has set up an authenticator app",
            )
            .into(),
            link: "/admin/users".into(),
        });
    }
    drop(conn);
    let smtp = &settings.smtp;
    let server = format!("{}:{}", smtp.host, smtp.port);
    let reached = match Mailer::from_settings(smtp) {
        Ok(m) => m.reachable(MAIL_TIMEOUT).await,
        Err(e) => Err(e.to_string()),
    };
    if let Err(why) = reached {
        out.push(Blocker {
            kind: Kind::MailUnreachable,
            // The system's own words (English) only where English is read: the command line.
            subject: match lang {
                Lang::En => format!("{server}: {why}"),
                Lang::Id => format!("{server}: server surat tidak menjawab"),
            },
            link: "/admin/operations".into(),
        });
    }
    Ok(out)
}

/// `simlontar readiness`: prints what blocks, in English; exits 1 while anything does.
pub async fn run(pool: &PgPool, settings: &Settings) -> anyhow::Result<()> {
    let blockers = check(pool, settings, Lang::En).await?;
    if blockers.is_empty() {
        println!("ready: nothing blocks a real start");
        return Ok(());
    }
    print!("{}", describe(&blockers, Lang::En));
    std::process::exit(1);
}

/// The blockers as text, grouped by kind, each group with what to do.
pub fn describe(blockers: &[Blocker], lang: Lang) -> String {
    let mut text = format!(
        "{} {}\n",
        blockers.len(),
        tr(
            lang,
            "hal masih menghalangi mulai:",
            "thing(s) still block a real start:"
        )
    );
    let mut last = None;
    for b in blockers {
        if last != Some(b.kind) {
            text.push_str(&format!(
                "\n{}\n  {}\n",
                b.kind.title(lang),
                b.kind.todo(lang)
            ));
            last = Some(b.kind);
        }
        text.push_str(&format!("  - {}\n", b.subject));
    }
    text
}
