//! Sign-in, user administration and the audit trail screens.
use maud::{html, Markup};

use crate::i18n::{tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

pub struct LoginView<'a> {
    pub csrf: &'a str,
    pub next: &'a str,
    pub username: &'a str,
    pub failed: bool,
}

pub fn login(lang: Lang, v: &LoginView) -> Markup {
    let title = tr(lang, "Masuk", "Sign in");
    page(
        &Page {
            title,
            lang,
            section: None,
            path: "/login",
            user: None,
        },
        html! {
            h1 { (title) }
            form.card method="post" action="/login" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="next" value=(v.next);
                @if v.failed {
                    p.error-message role="alert" {
                        (tr(lang, "Nama pengguna atau kata sandi salah.", "Wrong username or password."))
                    }
                }
                label for="username" { (tr(lang, "Nama pengguna", "Username")) }
                input #username name="username" type="text" autocomplete="username" required value=(v.username);
                label for="password" { (tr(lang, "Kata sandi", "Password")) }
                input #password name="password" type="password" autocomplete="current-password" required;
                button type="submit" { (title) }
            }
        },
    )
}

pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub disabled: bool,
    /// Has set up an authenticator app.
    pub mfa: bool,
    /// The administrator looking at the list.
    pub is_self: bool,
}

pub struct TokenRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

pub struct UsersView<'a> {
    pub users: &'a [UserRow],
    pub tokens: &'a [TokenRow],
    /// The roles to grant: (form value, label).
    pub roles: &'a [(&'static str, Text)],
    /// A message after an action (e.g. a new token, shown once).
    pub notice: Option<String>,
    pub error: Option<String>,
}

pub fn users(lang: Lang, user: &NavUser, v: &UsersView) -> Markup {
    let title = tr(lang, "Pengguna dan token", "Users and tokens");
    let csrf = user.csrf.as_str();
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/users",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p {
                a href="/admin/audit" { (tr(lang, "Jejak audit", "Audit trail")) } " · "
                a href="/admin/operations" { (tr(lang, "Operasional (tugas dan surel)", "Operations (jobs and email)")) } " · "
                a href="/admin/subject-access" { (tr(lang, "Data pribadi seseorang (UU PDP)", "A person's own data (UU PDP)")) } " · "
                a href="/admin/offices" { (tr(lang, "Kantor Dinas Sosial", "Social offices")) } " · "
                a href="/admin/readiness" { (tr(lang, "Kesiapan", "Readiness")) }
            }
            @if let Some(n) = &v.notice { p.notice role="status" { (n) } }
            @if let Some(e) = &v.error { p.error-message role="alert" { (e) } }
            table tabindex="0" {
                thead { tr {
                    th { (tr(lang, "Nama pengguna", "Username")) }
                    th { (tr(lang, "Nama", "Name")) }
                    th { (tr(lang, "Peran", "Roles")) }
                    th { (tr(lang, "Status", "Status")) }
                    th { (tr(lang, "Tindakan", "Actions")) }
                } }
                tbody {
                    @for u in v.users {
                        tr {
                            td { (u.username) }
                            td { (u.display_name) }
                            td { (u.roles) }
                            td { @if u.disabled { (tr(lang, "nonaktif", "disabled")) } @else { (tr(lang, "aktif", "active")) } }
                            td {
                                // Nobody disables their own account (the rule refuses it too).
                                @if !u.is_self {
                                    form.inline method="post" action={ "/admin/users/" (u.username) "/status" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="disabled" value=(if u.disabled { "false" } else { "true" });
                                        button type="submit" {
                                            @if u.disabled { (tr(lang, "Aktifkan", "Enable")) } @else { (tr(lang, "Nonaktifkan…", "Disable…")) }
                                        }
                                    }
                                }
                                @if u.mfa {
                                    form.inline method="post" action={ "/admin/users/" (u.username) "/mfa" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" { (tr(lang, "Atur ulang autentikator", "Reset authenticator")) }
                                    }
                                }
                                form.inline method="post" action={ "/admin/users/" (u.username) "/tokens" } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="name" value="api";
                                    button type="submit" { (tr(lang, "Buat token API", "Create API token")) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (tr(lang, "Tambah pengguna", "Add a user")) }
            form.card method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(csrf);
                label for="nu" { (tr(lang, "Nama pengguna", "Username")) }
                input #nu name="username" required pattern="[a-z0-9][a-z0-9._-]{2,39}";
                label for="nd" { (tr(lang, "Nama lengkap", "Full name")) }
                input #nd name="display_name";
                (role_fields(lang, v.roles, "n"))
                label for="np" { (tr(lang, "Kata sandi (minimal 8, disarankan 15 karakter)", "Password (at least 8, 15 recommended)")) }
                input #np name="password" type="password" autocomplete="new-password" required minlength="8";
                button type="submit" { (tr(lang, "Tambah", "Add")) }
            }
            h2 { (tr(lang, "Beri peran", "Grant a role")) }
            form.card method="post" action="/admin/grants" {
                input type="hidden" name="csrf" value=(csrf);
                label for="gu" { (tr(lang, "Nama pengguna", "Username")) }
                input #gu name="username" required;
                (role_fields(lang, v.roles, "g"))
                button type="submit" { (tr(lang, "Beri", "Grant")) }
            }
            h2 { (tr(lang, "Atur ulang kata sandi", "Reset a password")) }
            form.card method="post" action="/admin/passwords" {
                input type="hidden" name="csrf" value=(csrf);
                label for="pu" { (tr(lang, "Nama pengguna", "Username")) }
                input #pu name="username" required;
                label for="pp" { (tr(lang, "Kata sandi baru", "New password")) }
                input #pp name="password" type="password" autocomplete="new-password" required minlength="8";
                button type="submit" { (tr(lang, "Simpan", "Save")) }
            }
            h2 { (tr(lang, "Token API", "API tokens")) }
            table tabindex="0" {
                thead { tr {
                    th { "#" } th { (tr(lang, "Pengguna", "User")) } th { (tr(lang, "Nama", "Name")) }
                    th { (tr(lang, "Dibuat", "Created")) } th { (tr(lang, "Terakhir dipakai", "Last used")) } th {}
                } }
                tbody {
                    @for t in v.tokens {
                        tr {
                            td { (t.id) } td { (t.username) } td { (t.name) } td { (t.created) } td { (t.last_used) }
                            td {
                                @if t.revoked { (tr(lang, "dicabut", "revoked")) } @else {
                                    form.inline method="post" action={ "/admin/tokens/" (t.id) "/revoke" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" { (tr(lang, "Cabut", "Revoke")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn role_fields(lang: Lang, roles: &[(&'static str, Text)], prefix: &str) -> Markup {
    html! {
        label for={ (prefix) "r" } { (tr(lang, "Peran", "Role")) }
        select id={ (prefix) "r" } name="role" {
            @for (value, label) in roles { option value=(value) { (label.get(lang)) } }
        }
        label for={ (prefix) "s" } { (tr(lang, "Cakupan: nama kabupaten/kota atau UPT (bila perannya perlu)", "Scope: name of the regency/city or UPT (where the role needs one)")) }
        input id={ (prefix) "s" } name="scope" placeholder=(tr(lang, "mis. Nganjuk atau Bina Laras Pasuruan", "e.g. Nganjuk or Bina Laras Pasuruan"));
    }
}

pub struct AuditRowView {
    pub at: String,
    pub actor: String,
    pub action: Text,
    pub entity: Text,
    pub entity_id: String,
    pub remote_addr: String,
}

pub struct AuditView<'a> {
    pub rows: &'a [AuditRowView],
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub next_offset: Option<i64>,
}

pub fn audit(lang: Lang, user: &NavUser, v: &AuditView) -> Markup {
    let title = tr(lang, "Jejak audit", "Audit trail");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/audit",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p {
                a href="/admin/break-glass" { (tr(lang, "Tinjauan mingguan akses darurat", "Weekly review of emergency access")) }
                " · "
                a href="/admin/audit/accessed" { (tr(lang, "Data yang diakses seorang pengguna", "Records one user accessed")) }
            }
            form.filters method="get" action="/admin/audit" {
                label { (tr(lang, "Pengguna", "User")) " " input name="actor" value=(v.actor); }
                label { (tr(lang, "Tindakan", "Action")) " " input name="action" value=(v.action); }
                label { (tr(lang, "Jenis data", "Record type")) " " input name="entity" value=(v.entity); }
                label { (tr(lang, "Nomor data", "Record id")) " " input name="entity_id" value=(v.entity_id); }
                button type="submit" { (tr(lang, "Cari", "Search")) }
            }
            table tabindex="0" {
                thead { tr {
                    th { (tr(lang, "Waktu", "Time")) } th { (tr(lang, "Pengguna", "User")) }
                    th { (tr(lang, "Tindakan", "Action")) } th { (tr(lang, "Data", "Record")) } th { (tr(lang, "Alamat", "Address")) }
                } }
                tbody {
                    @for r in v.rows {
                        tr { td { (r.at) } td { (r.actor) } td { (r.action.get(lang)) } td { (r.entity.get(lang)) " " (r.entity_id) } td { (r.remote_addr) } }
                    }
                }
            }
            @if let Some(o) = v.next_offset {
                p { a href={ "/admin/audit?offset=" (o) "&actor=" (v.actor) "&action=" (v.action) "&entity=" (v.entity) "&entity_id=" (v.entity_id) } { (tr(lang, "Berikutnya", "Next")) } }
            }
        },
    )
}

pub struct TotpEnrol<'a> {
    pub secret: &'a str,
    /// The `otpauth://` address as an SVG QR code (made on the server, no script).
    pub qr_svg: &'a str,
}

pub struct TotpView<'a> {
    pub csrf: &'a str,
    pub next: &'a str,
    /// Present on first sign-in, when the authenticator app is set up.
    pub enrol: Option<TotpEnrol<'a>>,
    pub failed: bool,
}

pub fn totp(lang: Lang, v: &TotpView) -> Markup {
    let title = tr(lang, "Kode verifikasi", "Verification code");
    page(
        &Page {
            title,
            lang,
            section: None,
            path: "/login/totp",
            user: None,
        },
        html! {
            h1 { (title) }
            @if let Some(e) = &v.enrol {
                section.card {
                    h2 { (tr(lang, "Pasang aplikasi autentikator", "Set up your authenticator app")) }
                    p { (tr(lang,
                        "Akun ini melindungi data pribadi yang sensitif, jadi setiap masuk memerlukan kode dari aplikasi autentikator di ponsel Anda (misalnya Google Authenticator, Aegis, atau FreeOTP). Pindai kode QR ini dengan aplikasi tersebut, lalu ketik kode 6 angka yang muncul.",
                        "This account protects sensitive personal data, so every sign-in needs a code from an authenticator app on your phone (for example Google Authenticator, Aegis or FreeOTP). Scan this QR code with it, then type the 6-digit code it shows.")) }
                    div.qr role="img" aria-label=(tr(lang, "Kode QR untuk aplikasi autentikator", "QR code for the authenticator app")) {
                        (maud::PreEscaped(e.qr_svg))
                    }
                    p { (tr(lang, "Atau ketik kunci ini:", "Or type this key:")) " " code.secret { (e.secret) } }
                }
            }
            form.card method="post" action="/login/totp" {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="next" value=(v.next);
                @if v.failed {
                    p.error-message role="alert" {
                        (tr(lang, "Kode salah atau sudah dipakai. Tunggu kode berikutnya lalu coba lagi.",
                                  "Wrong or already used code. Wait for the next code and try again."))
                    }
                }
                label for="code" { (tr(lang, "Kode 6 angka", "6-digit code")) }
                input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9 ]{6,7}" maxlength="7" required autofocus;
                button type="submit" { (tr(lang, "Lanjut", "Continue")) }
            }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(v.csrf);
                button.link type="submit" { (tr(lang, "Batal dan keluar", "Cancel and sign out")) }
            }
        },
    )
}

/// One line of the access report.
pub struct AccessRow {
    pub record: String,
    pub first: String,
    pub last: String,
    pub times: i64,
    pub actions: String,
}

pub struct AccessReportView<'a> {
    pub user: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// (field, message) for each bad input.
    pub errors: &'a [(String, String)],
    /// The answer, once asked: the rows shown and how many there are in all.
    pub rows: Option<(&'a [AccessRow], usize)>,
    /// The same report as a CSV file.
    pub csv_href: &'a str,
}

/// "Which records did this user touch between two times?", for a breach report.
pub fn access_report(lang: Lang, user: &NavUser, v: &AccessReportView) -> Markup {
    use crate::intake::text_field;
    let title = tr(
        lang,
        "Data yang diakses pengguna",
        "Records a user accessed",
    );
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/audit",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang,
                "Untuk laporan kegagalan pelindungan data pribadi (UU PDP Pasal 46, paling lambat 3×24 jam): setiap data yang dibaca atau diubah pengguna dalam rentang waktu ini, menurut jejak audit. Waktu dalam WIB; akhir rentang tidak termasuk.",
                "For a personal-data breach report (UU PDP Art. 46, within 3×24 hours): every record the user read or changed in this period, from the audit trail. Times in WIB; the end is excluded.")) }
            form.filters method="get" action="/admin/audit/accessed" novalidate {
                (text_field(lang, v.errors, "user", "Nama pengguna", "Username", v.user, "text"))
                (text_field(lang, v.errors, "from", "Dari (WIB)", "From (WIB)", v.from, "datetime-local"))
                (text_field(lang, v.errors, "to", "Sampai (WIB)", "To (WIB)", v.to, "datetime-local"))
                button type="submit" { (tr(lang, "Tampilkan", "Show")) }
            }
            @if let Some((rows, total)) = v.rows {
                p role="status" {
                    (total) " " (tr(lang, "data diakses", "records accessed"))
                    @if rows.len() < total {
                        " · " (tr(lang, "ditampilkan", "showing")) " " (rows.len()) "; " (tr(lang, "berkas CSV memuat semuanya", "the CSV file has them all"))
                    }
                    " · " a href=(v.csv_href) download { (tr(lang, "Unduh CSV", "Download CSV")) }
                }
                @if total > 0 {
                    table tabindex="0" {
                        thead { tr {
                            th { (tr(lang, "Data", "Record")) } th { (tr(lang, "Pertama", "First")) }
                            th { (tr(lang, "Terakhir", "Last")) } th { (tr(lang, "Kali", "Times")) }
                            th { (tr(lang, "Tindakan", "Actions")) }
                        } }
                        tbody {
                            @for r in rows {
                                tr { td { (r.record) } td { (r.first) } td { (r.last) } td { (r.times) } td { (r.actions) } }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub struct PasswordChangeView<'a> {
    /// Each bad field with its message.
    pub errors: &'a [(String, String)],
    /// The password was just changed.
    pub done: bool,
}

/// A signed-in person changes their own password; their other sessions end.
pub fn password_change(lang: Lang, user: &NavUser, v: &PasswordChangeView) -> Markup {
    use crate::intake::field_error;
    let title = tr(lang, "Ganti kata sandi", "Change password");
    let field =
        |name: &'static str, id: &'static str, en: &'static str, autocomplete: &'static str| {
            let invalid = v.errors.iter().any(|(f, _)| f == name);
            html! {
                div.field {
                    label for=(name) { (tr(lang, id, en)) }
                    input id=(name) name=(name) type="password" autocomplete=(autocomplete) required
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then(|| format!("{name}-error"))];
                    (field_error(v.errors, name))
                }
            }
        };
    page(
        &Page {
            title,
            lang,
            section: None,
            path: "/account/password",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            @if v.done {
                p.notice role="status" {
                    (tr(lang,
                        "Kata sandi sudah diganti. Semua sesi lain akun ini telah berakhir.",
                        "Your password is changed. Every other session of this account has ended."))
                }
            }
            p { (tr(lang,
                "Minimal 8 karakter; kalimat panjang yang mudah diingat lebih baik daripada kata pendek yang rumit.",
                "At least 8 characters; a long sentence you can remember beats a short, complicated word.")) }
            form.card method="post" action="/account/password" novalidate {
                input type="hidden" name="csrf" value=(user.csrf);
                (field("current", "Kata sandi sekarang", "Current password", "current-password"))
                (field("new", "Kata sandi baru", "New password", "new-password"))
                (field("confirm", "Ulangi kata sandi baru", "Repeat the new password", "new-password"))
                button type="submit" { (title) }
            }
        },
    )
}
