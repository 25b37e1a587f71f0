//! Reports: the monthly and yearly figures (tables with bar charts, printable), the open
//! figures for the public and the subject-access export form. Tables arrive labelled; the
//! same tables are written to CSV and XLSX by the app.
use maud::{html, Markup, PreEscaped};

use crate::i18n::{tr, Lang};
use crate::layout::{page, NavUser, Page, Section};

/// A cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// Hours or days, shown with one decimal.
    Num(f64),
    /// Rupiah.
    Money(i64),
    /// No value (no case to measure): shown as a dash.
    Missing,
    /// Withheld on the public page (a small count, or its complement).
    Suppressed,
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn opt_num(v: Option<f64>) -> Value {
        v.map_or(Value::Missing, Value::Num)
    }

    /// As shown on a page and written to CSV (Indonesian digit grouping).
    pub fn shown(&self, lang: Lang) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(n) => group(*n, lang),
            Value::Num(x) => {
                let s = format!("{x:.1}");
                match lang {
                    Lang::Id => s.replace('.', ","),
                    Lang::En => s,
                }
            }
            Value::Money(n) => format!("Rp {}", group(*n, lang)),
            Value::Missing => "–".into(),
            Value::Suppressed => "*".into(),
        }
    }

    fn numeric(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::Num(_) | Value::Money(_) | Value::Suppressed
        )
    }
}

/// 1525 → "1.525" (Indonesian) or "1,525".
pub fn group(n: i64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// Bars for a table's chart: label and count.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub bars: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A short machine name: the XLSX sheet and the CSV's section column.
    pub key: &'static str,
    pub title: String,
    /// What the table counts and anything a reader must know to read it right.
    pub note: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub chart: Option<Chart>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Monthly,
    Yearly,
}

pub struct ReportView {
    pub kind: Kind,
    /// `2026-11` or `2026`.
    pub period_code: String,
    /// "November 2026".
    pub period_label: String,
    /// Whose cases the figures count ("seluruh Jawa Timur", "Kota Surabaya").
    pub scope_label: String,
    /// When the figures were computed, in WIB.
    pub generated: String,
    pub headline: Vec<(String, String)>,
    pub tables: Vec<Table>,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Monthly => "/reports/monthly",
            Kind::Yearly => "/reports/yearly",
        }
    }
    fn param(self) -> &'static str {
        match self {
            Kind::Monthly => "month",
            Kind::Yearly => "year",
        }
    }
}

pub fn report_page(lang: Lang, user: &NavUser, v: &ReportView) -> Markup {
    let title = match v.kind {
        Kind::Monthly => tr(lang, "Laporan bulanan", "Monthly report"),
        Kind::Yearly => tr(lang, "Laporan tahunan", "Yearly report"),
    };
    let q = format!("{}={}", v.kind.param(), v.period_code);
    let path = format!("{}?{q}", v.kind.path());
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Reports),
            path: &path,
            user: Some(user),
        },
        html! {
            article.report {
                h1 { (title) " · " (v.period_label) }
                p.scope { (tr(lang, "Cakupan: ", "Covers: ")) strong { (v.scope_label) }
                    " · " span.updated { (tr(lang, "dihitung ", "computed ")) (v.generated) " WIB" } }
                (period_form(lang, v.kind, &v.period_code))
                section.downloads.no-print aria-labelledby="unduh" {
                    h2 #unduh { (tr(lang, "Unduh", "Download")) }
                    ul {
                        li { (tr(lang, "Angka laporan ini: ", "This report's figures: "))
                            a href={ (v.kind.path()) "?" (q) "&format=csv" } { "CSV" } " · "
                            a href={ (v.kind.path()) "?" (q) "&format=xlsx" } { "Excel (XLSX)" } }
                        li { (tr(lang, "Daftar kasus periode ini (satu baris per orang): ", "The period's case list (one row per person): "))
                            a href={ "/reports/cases?" (q) "&format=csv" } { "CSV" } " · "
                            a href={ "/reports/cases?" (q) "&format=xlsx" } { "Excel (XLSX)" } }
                    }
                    p.hint { (tr(lang, "Setiap unduhan dicatat di jejak audit. Untuk kertas, gunakan menu Cetak peramban: halaman ini punya tata letak cetak.",
                        "Every download is recorded in the audit trail. For paper, use the browser's Print: this page has a print layout.")) }
                }
                dl.stats {
                    @for (label, value) in &v.headline { div { dt { (label) } dd { (value) } } }
                }
                nav.toc.no-print aria-label=(tr(lang, "Isi laporan", "Contents")) {
                    h2 { (tr(lang, "Isi", "Contents")) }
                    ol { @for t in &v.tables { li { a href={ "#" (t.key) } { (t.title) } } } }
                }
                @for t in &v.tables { (table_section(lang, t)) }
            }
        },
    )
}

fn period_form(lang: Lang, kind: Kind, code: &str) -> Markup {
    html! {
        form.filters.no-print method="get" action=(kind.path()) {
            @match kind {
                Kind::Monthly => label { (tr(lang, "Bulan", "Month")) " "
                    input type="month" name="month" value=(code) min="2016-01" required; }
                Kind::Yearly => label { (tr(lang, "Tahun", "Year")) " "
                    input type="number" inputmode="numeric" name="year" value=(code) min="2016" max="2999" required; }
            }
            button type="submit" { (tr(lang, "Tampilkan", "Show")) }
            @match kind {
                Kind::Monthly => a href="/reports" { (tr(lang, "atau laporan tahunan", "or the yearly report")) },
                Kind::Yearly => a href="/reports" { (tr(lang, "atau laporan bulanan", "or the monthly report")) },
            }
        }
    }
}

/// One table with its title, note and (when it has one) its bar chart beside it.
pub fn table_section(lang: Lang, t: &Table) -> Markup {
    html! {
        section.report-table id=(t.key) {
            h2 { (t.title) }
            @if let Some(n) = &t.note { p.hint { (n) } }
            @if let Some(c) = &t.chart { @if c.bars.iter().any(|b| b.1 > 0) { (bar_chart(lang, &t.title, c)) } }
            @if t.rows.is_empty() {
                p { (tr(lang, "Tidak ada data untuk periode ini.", "Nothing to count in this period.")) }
            } @else {
                table tabindex="0" {
                    thead { tr { @for h in &t.headers { th scope="col" { (h) } } } }
                    tbody {
                        @for row in &t.rows {
                            tr { @for (i, v) in row.iter().enumerate() {
                                @if i == 0 { th scope="row" { (v.shown(lang)) } }
                                @else if v.numeric() { td.num { (v.shown(lang)) } }
                                @else { td { (v.shown(lang)) } }
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// Horizontal bars, longest first as given; the numbers are written beside the bars so
/// the chart is read without the table.
pub fn bar_chart(lang: Lang, title: &str, c: &Chart) -> Markup {
    let max = c.bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let (row, label_w, bar_w) = (22.0, 270.0, 300.0);
    let h = row * c.bars.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg">"#,
        w = label_w + bar_w + 70.0,
        t = maud::html! { (title) }.into_string()
    );
    for (i, (label, n)) in c.bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (*n as f64 / max * bar_w).max(if *n > 0 { 1.0 } else { 0.0 });
        // Long labels are cut with an ellipsis; the table below has them whole.
        let short: String = if label.chars().count() > 40 {
            label.chars().take(39).chain(['…']).collect()
        } else {
            label.clone()
        };
        svg.push_str(&format!(
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="12">{label}</text><rect class="bar-fill" x="{x}" y="{y}" width="{w:.1}" height="{bh}"/><text x="{nx:.1}" y="{ty}" font-size="12">{n}</text>"#,
            lx = label_w - 6.0,
            ty = y + 14.0,
            label = maud::html! { (short) }.into_string(),
            x = label_w,
            bh = row - 6.0,
            nx = label_w + w + 4.0,
            n = group(*n, lang),
        ));
    }
    svg.push_str("</svg>");
    // Built from escaped text only (labels pass through maud's escaping above).
    html! { figure.chart { (PreEscaped(svg)) } }
}

/// The reports' start page: pick a month or a year.
pub fn index(lang: Lang, user: &NavUser, month: &str, year: &str) -> Markup {
    let title = tr(lang, "Laporan", "Reports");
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Reports),
            path: "/reports",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang, "Angka kerja pemulangan dan UPT dari catatan Simlontar: penjemputan, asal, hasil, waktu, UPT dan biaya perjalanan. Anda hanya melihat kasus dalam wewenang Anda.",
                "Figures of the repatriation and UPT work from Simlontar's records: pick-ups, origins, outcomes, times, UPTs and travel costs. You see only the cases within your remit.")) }
            div.row {
                section { h2 { (tr(lang, "Laporan bulanan", "Monthly report")) } (period_form(lang, Kind::Monthly, month)) }
                section { h2 { (tr(lang, "Laporan tahunan", "Yearly report")) } (period_form(lang, Kind::Yearly, year)) }
            }
            p { a href="/angka" { (tr(lang, "Angka terbuka untuk publik", "Open figures for the public")) }
                " " span.hint { (tr(lang, "(tanpa masuk, angka kecil disembunyikan)", "(no sign-in, small counts withheld)")) } }
        },
    )
}

/// The open figures: counts by month and origin, small cells withheld.
pub struct PublicView {
    pub year: i32,
    pub years: Vec<i32>,
    pub generated: String,
    pub tables: Vec<Table>,
}

pub fn public_page(lang: Lang, v: &PublicView) -> Markup {
    let title = tr(
        lang,
        "Angka terbuka pemulangan orang terlantar",
        "Open figures on repatriation",
    );
    let path = format!("/angka?year={}", v.year);
    page(
        &Page {
            title,
            lang,
            section: None,
            path: &path,
            user: None,
        },
        html! {
            article.report.public {
                h1 { (title) " · " (v.year) }
                p { (tr(lang, "Dinas Sosial Provinsi Jawa Timur menjemput, mengenali dan memulangkan orang terlantar ke daerah asalnya, atau merawat mereka di UPT. Tabel ini menghitung orang per bulan dan per provinsi asal, langsung dari catatan Simlontar, untuk seluruh Jawa Timur.",
                    "The East Java social service picks up, identifies and takes stranded people home, or cares for them in its shelters (UPT). These tables count people per month and origin province, straight from Simlontar's records, for the whole of East Java.")) }
                form.filters.no-print method="get" action="/angka" {
                    label { (tr(lang, "Tahun", "Year")) " "
                        select name="year" { @for y in &v.years { option value=(y) selected[*y == v.year] { (y) } } } }
                    button type="submit" { (tr(lang, "Tampilkan", "Show")) }
                }
                aside.notice #kerahasiaan {
                    h2 { (tr(lang, "Mengapa ada tanda *", "Why some cells show *")) }
                    p { (tr(lang, "Angka 1 sampai 4 bisa menunjuk orang tertentu (\"satu orang asal NTT dijemput bulan Maret\"). Karena itu setiap sel berisi 1–4 orang diganti tanda *. Agar angka itu tidak bisa dihitung kembali dari jumlah baris atau kolom, sel lain di baris, kolom atau jumlah yang sama juga disembunyikan (paling sedikit dua sel, bersama-sama paling sedikit 5 orang). Angka 0 tetap ditampilkan: tidak menunjuk siapa pun.",
                        "Counts of 1 to 4 can point to a particular person (\"one person from NTT was picked up in March\"). So every cell of 1–4 people shows *. So that such a count cannot be worked out from a row or column total, other cells of the same row, column or total are withheld too (at least two cells, together at least 5 people). Zero is shown: it points to nobody.")) }
                }
                @for t in &v.tables { (table_section(lang, t)) }
                p.updated { (tr(lang, "Dihitung ", "Computed ")) (v.generated) " WIB. "
                    (tr(lang, "Orang tanpa provinsi asal yang diketahui dihitung di baris \"tidak diketahui\".",
                        "People whose origin province is not known are counted in the \"not known\" row.")) }
            }
        },
    )
}

/// The administrator's form for a subject-access export (UU PDP).
pub fn subject_page(lang: Lang, user: &NavUser, number: &str, error: Option<&str>) -> Markup {
    let title = tr(
        lang,
        "Data pribadi seseorang (UU PDP)",
        "A person's own data (UU PDP)",
    );
    page(
        &Page {
            title,
            lang,
            section: Some(Section::Admin),
            path: "/admin/subject-access",
            user: Some(user),
        },
        html! {
            h1 { (title) }
            p { (tr(lang, "Unduh semua yang disimpan Simlontar tentang satu orang, untuk permintaan akses subjek data (UU 27/2022). Masukkan nomor kasus orang itu.",
                "Download everything Simlontar holds about one person, for a data-subject access request (UU 27/2022). Give the person's case number.")) }
            form.card method="post" action="/admin/subject-access" {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="number" { (tr(lang, "Nomor kasus", "Case number")) }
                @if let Some(e) = error {
                    p.field-error #number-error { (e) }
                    input #number name="number" value=(number) required autocomplete="off"
                        placeholder="OT-3578-2026-000123" aria-invalid="true" aria-describedby="number-error";
                } @else {
                    input #number name="number" value=(number) required autocomplete="off"
                        placeholder="OT-3578-2026-000123" aria-describedby="number-hint";
                    p.hint #number-hint { (tr(lang, "Nomor kasus tertera di halaman kasus, misalnya OT-3578-2026-000123.", "The case number is on the case page, e.g. OT-3578-2026-000123.")) }
                }
                button type="submit" { (tr(lang, "Unduh arsip ZIP", "Download the ZIP archive")) }
            }
            h2 { (tr(lang, "Isi arsip ZIP", "What the ZIP archive holds")) }
            ul {
                li { (tr(lang, "RINGKASAN.txt: ringkasan yang bisa dibaca, untuk diserahkan kepada orang tersebut", "RINGKASAN.txt: a readable summary, to hand to the person")) }
                li { (tr(lang, "data.json: catatan penjemputan, riwayat kasus, pemeriksaan identitas, tautan catatan, penempatan UPT, rencana perjalanan, dan siapa saja yang pernah membuka datanya", "data.json: pick-up records, case history, identity checks, record links, UPT placements, travel plans, and everyone who opened the data")) }
                li { (tr(lang, "foto/: foto-foto orang tersebut", "foto/: the person's photos")) }
            }
            p.hint { (tr(lang, "Penjemputan lain atas orang yang sama, yang sudah ditautkan sebagai orang yang sama, ikut disertakan; data orang lain tidak. Setiap ekspor dicatat di jejak audit atas nama Anda.",
                "Other pick-ups of the same person, linked as the same person, are included; nobody else's data is. Every export is recorded in the audit trail under your name.")) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_for_the_reader() {
        assert_eq!(group(1525, Lang::Id), "1.525");
        assert_eq!(group(8097, Lang::En), "8,097");
        assert_eq!(group(999, Lang::Id), "999");
        assert_eq!(group(-1234567, Lang::Id), "-1.234.567");
        assert_eq!(Value::Num(12.25).shown(Lang::Id), "12,2");
    }

    #[test]
    fn chart_labels_are_escaped() {
        let svg = bar_chart(
            Lang::Id,
            "t",
            &Chart {
                bars: vec![("<b>".into(), 3)],
            },
        )
        .into_string();
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }
}
