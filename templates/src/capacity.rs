//! The UPT capacity wall screen, its refreshable panel, the UPT page (chart and bed
//! holds) and the origin-flow page. Counts only: no person's name appears here.
use maud::{html, Markup};

use crate::capacity_svg::{
    flow_map, occupancy_chart, province_map, Basemap, ChartView, FlowDot, FlowLine, MapUpt, Risk,
};
use crate::i18n::{tr, Lang, Text};
use crate::layout::{page, NavUser, Page, Section};

pub struct Forecast {
    pub p7: f64,
    pub p14: f64,
    pub p30: f64,
    pub days_to_full: Option<f64>,
    /// First day ahead the 80 % interval's pessimistic end (lo free beds) reaches full.
    pub early: Option<i32>,
    /// First day ahead even the optimistic end (hi free beds) reaches full.
    pub late: Option<i32>,
    /// Days the forecast covers.
    pub horizon: i32,
    pub computed: String,
}

pub struct Alert {
    /// The level's label, and its style (`level-watch`…).
    pub level: Text,
    pub level_class: &'static str,
    pub acknowledged: bool,
    pub since: String,
}

pub struct WardRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub sex: Text,
    /// The ward's need, by name in the page's language.
    pub need: String,
    pub beds: i64,
    pub occupied: i64,
    pub held: i64,
    pub waiting: i64,
    pub admissions: i64,
    pub discharges: i64,
    pub updated: String,
    pub forecast: Option<Forecast>,
    pub alert: Option<Alert>,
    pub risk: Risk,
    /// When the ward is temporarily closed: why and until when, in the page's language.
    pub closed: Option<String>,
}

impl WardRow {
    /// Beds a person could be given now: none in a closed ward.
    pub fn free(&self) -> i64 {
        if self.closed.is_some() {
            return 0;
        }
        (self.beds - self.occupied - self.held).max(0)
    }
}

pub struct UptRow {
    pub code: String,
    pub name: String,
    pub town: String,
    pub wards: Vec<WardRow>,
    /// The whole-UPT forecast and alert (rows with no ward), when there are any.
    pub forecast: Option<Forecast>,
    pub alert: Option<Alert>,
    pub risk: Risk,
}

impl UptRow {
    pub fn beds(&self) -> i64 {
        self.wards.iter().map(|w| w.beds).sum()
    }
    pub fn occupied(&self) -> i64 {
        self.wards.iter().map(|w| w.occupied).sum()
    }
    pub fn held(&self) -> i64 {
        self.wards.iter().map(|w| w.held).sum()
    }
}

pub struct PanelView {
    /// UPTs in the wall's order: the viewer's own first, then the worst.
    pub upts: Vec<UptRow>,
    pub basemap: Basemap,
    pub map: Vec<MapUpt>,
    /// People on the waiting list (each counted once).
    pub waiting_total: i64,
    /// When these figures were read: the date and time, and the time alone, large.
    pub generated: String,
    pub time: String,
    /// The viewer's own UPT (UPT staff), shown first.
    pub own_upt: Option<String>,
    /// Open alerts grouped by level, worst first: one line each.
    pub alert_groups: Vec<AlertGroup>,
}

pub struct AlertGroup {
    pub level: Text,
    pub level_class: &'static str,
    pub wards: i64,
    /// Alerts about a whole UPT (no ward).
    pub upts: i64,
}

fn pct(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

/// When a forecast says a ward or UPT fills, in whole words: "penuh sekarang", "penuh
/// dalam sekitar 5 hari (antara 3 dan 9 hari)", or that it is not expected to fill.
pub fn fill_words(lang: Lang, f: &Forecast) -> String {
    let t = lang.t();
    let mut out = fill_short(lang, f);
    let days = |x: Option<i32>| {
        x.map(|d| d.to_string())
            .unwrap_or_else(|| format!("> {}", f.horizon))
    };
    if f.days_to_full.is_some_and(|d| d >= 0.5)
        && f.early != f.late
        && (f.early.is_some() || f.late.is_some())
    {
        out += &format!(
            " ({} {} {} {} {})",
            t.cap_between,
            days(f.early),
            t.cap_and,
            days(f.late),
            t.cap_days
        );
    }
    out
}

/// The same without the interval, for a wall tile.
pub fn fill_short(lang: Lang, f: &Forecast) -> String {
    let t = lang.t();
    match f.days_to_full {
        Some(d) if d < 0.5 => t.cap_full_now.to_string(),
        Some(d) => format!("{} {d:.0} {}", t.cap_full_in, t.cap_days),
        None => format!("{} {} {}", t.cap_not_full_within, f.horizon, t.cap_days),
    }
}

pub fn forecast_cell(lang: Lang, f: &Option<Forecast>) -> Markup {
    let t = lang.t();
    html! {
        @match f {
            None => { span.muted { (t.cap_no_forecast) } }
            Some(f) => {
                span.probs {
                    (t.cap_chance_full) " 7 " (t.cap_days) ": " strong { (pct(f.p7)) }
                    " · 14 " (t.cap_days) ": " strong { (pct(f.p14)) }
                    " · 30 " (t.cap_days) ": " strong { (pct(f.p30)) }
                }
                br;
                (fill_words(lang, f))
                br;
                span.updated { (tr(lang, "prakiraan ", "forecast ")) (f.computed) }
            }
        }
    }
}

pub fn alert_cell(lang: Lang, a: &Option<Alert>) -> Markup {
    html! {
        @match a {
            None => { span.muted { "–" } }
            Some(a) => {
                strong.(a.level_class) { (a.level.get(lang)) }
                " " @if a.acknowledged { (tr(lang, "(sudah ditanggapi)", "(acknowledged)")) } @else { (tr(lang, "(belum ditanggapi)", "(not acknowledged)")) }
                br; span.updated { (tr(lang, "sejak ", "since ")) (a.since) }
            }
        }
    }
}

/// The wards of one UPT as a table that becomes one card per ward on a phone.
pub fn ward_table(lang: Lang, wards: &[WardRow]) -> Markup {
    let h = [
        tr(lang, "Bangsal", "Ward"),
        tr(lang, "Kapasitas", "Beds"),
        tr(lang, "Terisi", "Occupied"),
        tr(lang, "Ditahan", "Held"),
        tr(lang, "Kosong", "Free"),
        tr(lang, "Menunggu", "Waiting"),
        tr(lang, "Masuk 30 hari", "Admitted 30 days"),
        tr(lang, "Keluar 30 hari", "Discharged 30 days"),
        tr(lang, "Prakiraan penuh", "Forecast of filling"),
        tr(lang, "Peringatan", "Alert"),
        tr(lang, "Diperbarui", "Updated"),
    ];
    html! {
        table.wards tabindex="0" {
            thead { tr { @for l in h { th scope="col" { (l) } } } }
            tbody {
                @for w in wards {
                    tr.(w.risk.class()) data-ward=(w.code) {
                        th scope="row" data-label=(h[0]) {
                            (w.name) br; span.muted { (w.need) " · " (w.sex.get(lang)) " · " (w.code) }
                            @if let Some(c) = &w.closed { br; span.badge.closed { (c) } }
                        }
                        td.num data-label=(h[1]) { (w.beds) }
                        td.num.occupied data-label=(h[2]) { (w.occupied) }
                        td.num.held data-label=(h[3]) { (w.held) }
                        td.num.free data-label=(h[4]) {
                            @if w.closed.is_some() { (tr(lang, "ditutup", "closed")) } @else { (w.free()) }
                        }
                        td.num.waiting data-label=(h[5]) { (w.waiting) }
                        td.num data-label=(h[6]) { (w.admissions) }
                        td.num data-label=(h[7]) { (w.discharges) }
                        td.forecast data-label=(h[8]) { (forecast_cell(lang, &w.forecast)) }
                        td.alert data-label=(h[9]) { (alert_cell(lang, &w.alert)) }
                        td.updated data-label=(h[10]) { (w.updated) }
                    }
                }
            }
        }
    }
}

/// A tile's third line: full wards now, else when the UPT (or its soonest ward) fills.
fn tile_outlook(lang: Lang, u: &UptRow) -> String {
    let t = lang.t();
    let full = u
        .wards
        .iter()
        .filter(|w| w.beds > 0 && w.closed.is_none() && w.free() == 0)
        .count();
    if full > 0 {
        return format!("{full} {} {}", t.cap_wards, t.cap_full_now);
    }
    let soonest = u
        .wards
        .iter()
        .filter_map(|w| w.forecast.as_ref())
        .filter(|f| f.days_to_full.is_some())
        .min_by(|a, b| {
            a.days_to_full
                .partial_cmp(&b.days_to_full)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    match (&u.forecast, soonest) {
        (_, Some(f)) => format!(
            "{}: {}",
            tr(lang, "bangsal tercepat", "soonest ward"),
            fill_words(lang, f)
        ),
        (Some(f), None) => fill_words(lang, f),
        (None, None) => t.cap_no_forecast.to_string(),
    }
}

/// A UPT's name without its office type ("UPT Pelayanan Sosial …"), which every tile would
/// repeat: what is left ("Tresna Werdha Blitar") tells the UPTs apart on a wall. The full
/// name stays in the link's title and on the UPT's page.
pub fn short_name(name: &str) -> &str {
    const OFFICE: [&str; 5] = [
        "UPT Perlindungan dan Pelayanan Sosial ",
        "UPT Perlindungan dan Rehabilitasi Sosial ",
        "UPT Pelayanan Sosial ",
        "UPT Rehabilitasi Sosial ",
        "Balai Pelayanan dan Rehabilitasi Sosial ",
    ];
    OFFICE
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

fn tile(lang: Lang, u: &UptRow, own: bool) -> Markup {
    let t = lang.t();
    let free = u.wards.iter().map(|w| w.free()).sum::<i64>();
    html! {
        li.tile.(u.risk.class()).own[own] data-upt=(u.code) {
            @if own { span.own-mark { (t.cap_your_upt) } }
            a href={ "/capacity/upt/" (u.code) } title=(u.name) { (short_name(&u.name)) }
            span.tile-line {
                // Without a forecast the outlook line says so; a badge would repeat it.
                @if u.risk != crate::capacity_svg::Risk::Unknown { span.badge { (u.risk.label(lang)) } " " }
                strong { (u.occupied()) } " / " (u.beds()) " " (t.cap_occupied)
            }
            span.tile-line { strong { (free) } " " (t.cap_free) " · " (tile_outlook(lang, u)) }
        }
    }
}

/// The part of the wall screen that refreshes itself (also served alone at /capacity/panel):
/// sized for 1920×1080 without scrolling; the ward tables are on each UPT's page.
pub fn panel(lang: Lang, v: &PanelView) -> Markup {
    let t = lang.t();
    let beds: i64 = v.upts.iter().map(|u| u.beds()).sum();
    let occupied: i64 = v.upts.iter().map(|u| u.occupied()).sum();
    let held: i64 = v.upts.iter().map(|u| u.held()).sum();
    html! {
        div.wall-head {
            p.data-time { (t.cap_data_as_of) " " strong { (v.time) } span.generated { (v.generated) } }
            p.totals {
                strong { (occupied) } " / " (beds) " " (t.cap_occupied) " · "
                strong { ((beds - occupied - held).max(0)) } " " (t.cap_free) " · "
                strong { (held) } " " (tr(lang, "ditahan", "held")) " · "
                strong { (v.waiting_total) } " " (tr(lang, "dalam daftar tunggu", "on the waiting list"))
            }
        }
        div.wall-grid {
            ul.tiles aria-label=(tr(lang, "UPT, yang paling berisiko lebih dulu", "UPTs, most at risk first")) {
                @for u in &v.upts { (tile(lang, u, v.own_upt.as_deref() == Some(u.code.as_str()))) }
            }
            div.wall-side {
                (province_map(lang, &v.basemap, &v.map))
                h2 { a href="/capacity/alerts" { (tr(lang, "Peringatan terbuka", "Open alerts")) } }
                @if v.alert_groups.is_empty() {
                    p.muted { (tr(lang, "Tidak ada peringatan terbuka.", "No open alerts.")) }
                } @else {
                    ul.alert-groups {
                        @for g in &v.alert_groups {
                            li {
                                strong.(g.level_class) { (g.level.get(lang)) }
                                @if g.wards > 0 { " · " (g.wards) " " (t.cap_wards) }
                                @if g.upts > 0 { " · " (g.upts) " UPT" }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn screen(lang: Lang, user: &NavUser, v: &PanelView) -> Markup {
    let title = tr(lang, "Kapasitas UPT", "UPT capacity");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Capacity),
            path: "/capacity",
            user: Some(user),
        },
        html! {
            // Without JavaScript the whole page reloads each minute instead.
            noscript { meta http-equiv="refresh" content="60"; }
            div.wall {
                div.wall-title {
                    h1 { (title) }
                    p.hint {
                        (tr(lang, "Diperbarui otomatis setiap menit. Pilih UPT untuk melihat bangsalnya. ", "Refreshes every minute. Choose a UPT to see its wards. "))
                        a href="/capacity/flows" { (tr(lang, "Peta asal orang telantar", "Map of where people come from")) }
                    }
                }
                p #capacity-stale.error-message hidden role="status" {
                    (tr(lang, "Gagal memperbarui; angka di bawah mungkin sudah lama.", "Refresh failed; the figures below may be stale."))
                }
                div #capacity-panel data-src="/capacity/panel" { (panel(lang, v)) }
            }
            script src="/capacity/refresh.js" defer {}
        },
    )
}

pub struct HoldRow {
    pub id: i64,
    pub ward: String,
    /// The case number, or empty when the case lies outside the viewer's scope.
    pub case_number: String,
    pub held_at: String,
    pub expires: String,
}

#[derive(Default, Clone)]
pub struct HoldForm {
    pub case_number: String,
    pub ward_id: String,
    pub hours: String,
}

pub struct UptView {
    pub upt: UptRow,
    pub chart: ChartView,
    /// (day, occupancy) rows for the table beside the chart.
    pub chart_rows: Vec<(String, i64)>,
    pub chart_note: Option<&'static str>,
    pub holds: Vec<HoldRow>,
    /// Whether the viewer may hold and release beds here.
    pub may_hold: bool,
    /// Whether the viewer may change the wards (beds, closures, admission rules).
    pub may_manage: bool,
    pub form: HoldForm,
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub generated: String,
}

fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn hold_form(lang: Lang, user: &NavUser, v: &UptView) -> Markup {
    let e = |f: &str| error_for(&v.errors, f);
    html! {
        form.card.hold method="post" action={ "/capacity/upt/" (v.upt.code) "/holds" } {
            h3 { (tr(lang, "Tahan tempat tidur untuk kasus dalam perjalanan", "Hold a bed for a case in transit")) }
            @if let Some(m) = e("form") { p.error-message role="alert" { (m) } }
            input type="hidden" name="csrf" value=(user.csrf);
            label for="case_number" { (tr(lang, "Nomor kasus", "Case number")) }
            input #case_number name="case_number" value=(v.form.case_number) placeholder="OT-3578-2026-000123"
                aria-invalid=[e("case_number").map(|_| "true")] required;
            @if let Some(m) = e("case_number") { span.field-error role="alert" { (m) } }
            label for="ward_id" { (tr(lang, "Bangsal", "Ward")) }
            select #ward_id name="ward_id" aria-invalid=[e("ward_id").map(|_| "true")] {
                @for w in &v.upt.wards {
                    option value=(w.id) selected[v.form.ward_id == w.id.to_string()] {
                        (w.name) " (" (w.free()) " " (tr(lang, "kosong", "free")) ")"
                    }
                }
            }
            @if let Some(m) = e("ward_id") { span.field-error role="alert" { (m) } }
            label for="hours" { (tr(lang, "Berlaku (jam, paling lama 168)", "Valid for (hours, at most 168)")) }
            input #hours name="hours" type="number" min="1" max="168" value=(v.form.hours)
                aria-invalid=[e("hours").map(|_| "true")];
            @if let Some(m) = e("hours") { span.field-error role="alert" { (m) } }
            button type="submit" { (tr(lang, "Tahan", "Hold")) }
        }
    }
}

pub fn upt_page(lang: Lang, user: &NavUser, v: &UptView) -> Markup {
    let u = &v.upt;
    page(
        &Page {
            title: &u.name,
            lang,
            section: Some(Section::Capacity),
            path: &format!("/capacity/upt/{}", u.code),
            user: Some(user),
        },
        html! {
            p { a href="/capacity" { "← " (tr(lang, "Semua UPT", "All UPTs")) } }
            h1 { (u.name) " " span.badge.(u.risk.class()) { (u.risk.label(lang)) } }
            p.updated { (tr(lang, "Angka per ", "Figures as of ")) (v.generated) }
            @if let Some(n) = &v.notice { p.notice role="status" { (n) } }
            p.summary { (u.town) " · " strong { (u.occupied()) } " / " (u.beds()) " " (tr(lang, "terisi", "occupied"))
                " · " (u.held()) " " (tr(lang, "ditahan", "held")) }
            p.upt-outlook { (tr(lang, "Seluruh UPT: ", "Whole UPT: ")) (forecast_cell(lang, &u.forecast)) }
            (ward_table(lang, &u.wards))
            @if v.may_manage {
                nav.ward-admin aria-label=(tr(lang, "Atur bangsal", "Manage wards")) {
                    h2 { (tr(lang, "Atur bangsal", "Manage wards")) }
                    p.hint { (tr(lang, "Ubah jumlah tempat tidur, catat penutupan sementara, atau atur siapa yang diterima.",
                                 "Change the bed count, record a temporary closure, or set whom a ward takes.")) }
                    ul {
                        @for w in &u.wards {
                            li { a href={ "/capacity/wards/" (w.id) } { (tr(lang, "Atur ", "Manage ")) (w.name) } }
                        }
                    }
                }
            }
            h2 { (tr(lang, "Riwayat dan prakiraan hunian", "Occupancy history and forecast")) }
            figure.chart { (occupancy_chart(lang, &v.chart)) }
            @if let Some(n) = v.chart_note { p.hint { (n) } }
            details {
                summary { (tr(lang, "Tabel hunian harian", "Daily occupancy table")) }
                table tabindex="0" {
                    thead { tr { th { (tr(lang, "Tanggal", "Date")) } th { (tr(lang, "Terisi", "Occupied")) } } }
                    tbody { @for (d, n) in &v.chart_rows { tr { td { (d) } td.num { (n) } } } }
                }
            }
            h2 { (tr(lang, "Tempat tidur yang ditahan", "Held beds")) }
            @if v.holds.is_empty() {
                p.muted { (tr(lang, "Tidak ada tempat tidur yang ditahan.", "No beds are held.")) }
            } @else {
                table.holds tabindex="0" {
                    thead { tr {
                        th { (tr(lang, "Bangsal", "Ward")) } th { (tr(lang, "Kasus", "Case")) }
                        th { (tr(lang, "Sejak", "Since")) } th { (tr(lang, "Berakhir", "Expires")) } th {}
                    } }
                    tbody {
                        @for h in &v.holds {
                            tr {
                                td { (h.ward) }
                                td { @if h.case_number.is_empty() { em { (tr(lang, "di luar cakupan Anda", "outside your scope")) } } @else { (h.case_number) } }
                                td { (h.held_at) } td { (h.expires) }
                                td {
                                    @if v.may_hold {
                                        form.inline method="post" action={ "/capacity/holds/" (h.id) "/release" } {
                                            input type="hidden" name="csrf" value=(user.csrf);
                                            button.secondary type="submit" { (tr(lang, "Lepaskan", "Release")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if v.may_hold { (hold_form(lang, user, v)) }
        },
    )
}

pub struct RegionCount {
    pub name: String,
    pub from_here: i64,
    pub picked_up_here: i64,
}

pub struct FlowView {
    pub basemap: Basemap,
    pub dots: Vec<FlowDot>,
    pub lines: Vec<FlowLine>,
    /// Regencies by people from there, most first.
    pub ranking: Vec<RegionCount>,
    pub total: i64,
    pub home_unknown: i64,
    pub home_elsewhere: i64,
    pub period: String,
    pub generated: String,
}

pub fn flows_page(lang: Lang, user: &NavUser, v: &FlowView) -> Markup {
    let title = tr(
        lang,
        "Asal orang telantar",
        "Where stranded people come from",
    );
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Capacity),
            path: "/capacity/flows",
            user: Some(user),
        },
        html! {
            p { a href="/capacity" { "← " (tr(lang, "Kapasitas UPT", "UPT capacity")) } }
            h1 { (title) }
            p.hint {
                (tr(lang, "Penjangkauan ", "Pick-ups ")) (v.period) ". "
                (tr(lang, "Hanya jumlah, tanpa nama. Angka mencakup seluruh Jawa Timur, apa pun cakupan akun Anda, agar pencegahan dapat diarahkan ke daerah asal terbanyak.",
                         "Counts only, no names. The figures cover all of East Java whatever your account's scope, so prevention can be aimed at the regencies that send most."))
            }
            p.updated { (tr(lang, "Angka per ", "Figures as of ")) (v.generated) }
            dl.stats {
                div { dt { (tr(lang, "Dijangkau", "Picked up")) } dd #flow-total { (v.total) } }
                div { dt { (tr(lang, "Asal di luar Jawa Timur", "Home outside East Java")) } dd { (v.home_elsewhere) } }
                div { dt { (tr(lang, "Asal tidak diketahui", "Home unknown")) } dd { (v.home_unknown) } }
            }
            (flow_map(lang, &v.basemap, &v.dots, &v.lines))
            h2 { (tr(lang, "Daerah asal terbanyak", "Regencies that send most")) }
            table.ranking tabindex="0" {
                thead { tr {
                    th { "#" } th { (tr(lang, "Kabupaten/kota asal", "Home regency")) }
                    th { (tr(lang, "Orang dari daerah ini", "People from here")) }
                    th { (tr(lang, "Dijangkau di daerah ini", "Picked up here")) }
                } }
                tbody {
                    @for (i, r) in v.ranking.iter().enumerate() {
                        tr { td { (i + 1) } td { (r.name) } td.num.from-here { (r.from_here) } td.num { (r.picked_up_here) } }
                    }
                }
            }
            h2 { (tr(lang, "Arus terbesar", "Largest flows")) }
            @if v.lines.is_empty() {
                p.muted { (tr(lang, "Belum ada arus antardaerah.", "No flows between regencies yet.")) }
            } @else {
                table.flows tabindex="0" {
                    thead { tr { th { (tr(lang, "Dari", "From")) } th { (tr(lang, "Dijangkau di", "Picked up in")) } th { (tr(lang, "Orang", "People")) } } }
                    tbody { @for l in &v.lines { tr { td { (l.from_name) } td { (l.to_name) } td.num { (l.count) } } } }
                }
            }
        },
    )
}

pub struct AlertRow {
    pub id: i64,
    pub upt: String,
    pub ward: String,
    pub level: Text,
    pub level_class: &'static str,
    pub since: String,
    pub detail: String,
    /// "name, time" once a case officer acknowledged it.
    pub acknowledged: Option<String>,
}

/// Open alerts, most severe first, with the case officer's acknowledgement.
pub fn alerts(lang: Lang, user: &NavUser, rows: &[AlertRow], may_ack: bool) -> Markup {
    let title = tr(lang, "Peringatan kapasitas", "Capacity alerts");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Capacity),
            path: "/capacity/alerts",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { a href="/capacity" { "← " (tr(lang, "Layar kapasitas", "Capacity screen")) } }
            @if rows.is_empty() { p { (tr(lang, "Tidak ada peringatan terbuka.", "No open alerts.")) } }
            @else {
                table tabindex="0" {
                    thead { tr {
                        th scope="col" { "UPT" } th scope="col" { (tr(lang, "Bangsal", "Ward")) }
                        th scope="col" { (tr(lang, "Tingkat", "Level")) } th scope="col" { (tr(lang, "Sejak", "Since")) }
                        th scope="col" { (tr(lang, "Prakiraan", "Forecast")) } th scope="col" { (tr(lang, "Tanggapan", "Acknowledged")) }
                    } }
                    tbody { @for r in rows { tr {
                        td { (r.upt) } td { a href={ "/capacity/alerts/" (r.id) } { (r.ward) } }
                        td { strong.(r.level_class) { (r.level.get(lang)) } }
                        td { (r.since) } td { (r.detail) }
                        td {
                            @if let Some(a) = &r.acknowledged { (a) }
                            @else if may_ack {
                                a.button href={ "/capacity/alerts/" (r.id) "#ack" } { (tr(lang, "Tanggapi", "Acknowledge")) }
                            } @else { "–" }
                        }
                    } } }
                }
            }
        },
    )
}
