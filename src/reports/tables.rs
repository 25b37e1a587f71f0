//! The report as labelled tables: what the page shows and the exports write, so a figure
//! on paper and in a spreadsheet is the same figure. Labels, never codes (a code may
//! stand small beside a region's name).
use crate::cases::model::State;
use crate::vocab::{self, Condition, DischargeReason, Sex};
use chrono_tz::Tz;
use simlontar_templates::i18n::tr;
use simlontar_templates::reports::{Chart, Table, Value};
use simlontar_templates::Lang;

use super::model::{age_group, Outcome, PayerKind, Report, Spread, AGE_GROUPS};
use super::store::{CaseRow, Names};
use crate::clock::format_local;

/// A condition's label; "no particular condition" for the empty code (reports group by it).
pub fn condition_label(lang: Lang, c: &str) -> &'static str {
    match Condition::parse(c) {
        Some(c) => c.label().get(lang),
        None => tr(lang, "Tanpa kondisi khusus", "No particular condition"),
    }
}

pub fn age_label(lang: Lang, g: &str) -> &'static str {
    match g {
        "0-17" => tr(lang, "0–17 tahun (anak)", "0–17 (children)"),
        "18-29" => tr(lang, "18–29 tahun", "18–29"),
        "30-44" => tr(lang, "30–44 tahun", "30–44"),
        "45-59" => tr(lang, "45–59 tahun", "45–59"),
        "60+" => tr(lang, "60 tahun ke atas (lansia)", "60 and over (elderly)"),
        _ => tr(lang, "Usia tidak diketahui", "Age not known"),
    }
}

pub fn outcome_label(lang: Lang, o: Outcome) -> &'static str {
    match o {
        Outcome::HomeEastJava => tr(
            lang,
            "Pulang ke daerah asal di Jawa Timur",
            "Home within East Java",
        ),
        Outcome::HomeRelay => tr(
            lang,
            "Pulang ke provinsi lain (estafet)",
            "Home to another province (relay)",
        ),
        Outcome::Upt => tr(lang, "Masih dirawat di UPT", "Still in a UPT"),
        Outcome::Hospital => tr(lang, "Dirujuk ke rumah sakit", "Referred to hospital"),
        Outcome::Died => tr(lang, "Meninggal", "Died"),
        Outcome::RanAway => tr(lang, "Melarikan diri", "Ran away"),
        Outcome::ClosedOther => tr(
            lang,
            "Ditutup karena alasan lain",
            "Closed for another reason",
        ),
        Outcome::Open => tr(lang, "Masih diproses", "Still open"),
    }
}

pub fn discharge_label(lang: Lang, r: &str) -> &'static str {
    vocab::label_of(DischargeReason::parse, DischargeReason::label, r).get(lang)
}

fn sex_label(lang: Lang, s: &str) -> &'static str {
    vocab::label_of(Sex::parse, Sex::label, s).get(lang)
}

fn state_label(lang: Lang, s: &str) -> &'static str {
    vocab::label_of(State::parse, State::label, s).get(lang)
}

pub fn payer_label(lang: Lang, k: PayerKind) -> &'static str {
    match k {
        PayerKind::Province => tr(lang, "Provinsi Jawa Timur", "East Java province"),
        PayerKind::Regency => tr(lang, "Kabupaten/kota asal", "Home regency"),
        PayerKind::RelayProvince => tr(lang, "Provinsi penerima estafet", "Relay province"),
    }
}

const DISCHARGE_REASONS: &[&str] = DischargeReason::CODES;

fn region(names: &Names, lang: Lang, code: &str) -> String {
    match names.regions.get(code) {
        Some(n) => n.clone(),
        None if code.is_empty() => tr(lang, "Tidak diketahui", "Not known").into(),
        None => code.to_string(),
    }
}

fn province(names: &Names, lang: Lang, code: &str) -> String {
    match names.provinces.get(code) {
        Some(n) => n.clone(),
        None if code.is_empty() => tr(lang, "Tidak diketahui", "Not known").into(),
        None => code.to_string(),
    }
}

/// A two-column count table, largest first, with its chart.
fn counts(
    key: &'static str,
    title: String,
    note: Option<String>,
    header: &str,
    lang: Lang,
    rows: Vec<(String, i64)>,
    chart: bool,
) -> Table {
    let mut rows = rows;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Table {
        key,
        title,
        note,
        headers: vec![header.to_string(), tr(lang, "Orang", "People").into()],
        chart: chart.then(|| Chart {
            bars: rows.iter().take(15).cloned().collect(),
        }),
        rows: rows
            .into_iter()
            .map(|(l, n)| vec![Value::Text(l), Value::Int(n)])
            .collect(),
    }
}

/// A row of durations measured in hours, shown in units of `per` hours (24: days).
fn spread_row(label: &str, s: &Spread, per: f64) -> Vec<Value> {
    let v = |x: Option<f64>| Value::opt_num(x.map(|h| h / per));
    vec![
        Value::text(label),
        Value::Int(s.n as i64),
        v(s.median),
        v(s.p90),
    ]
}

pub fn headline(r: &Report, lang: Lang) -> Vec<(String, String)> {
    let home = r.outcomes[&Outcome::HomeEastJava] + r.outcomes[&Outcome::HomeRelay];
    let g = |n: i64| simlontar_templates::reports::group(n, lang);
    vec![
        (
            tr(lang, "Orang dijemput", "People picked up").into(),
            g(r.picked_up),
        ),
        (tr(lang, "Sudah pulang", "Home").into(), g(home)),
        (
            tr(lang, "Masih di UPT", "Still in a UPT").into(),
            g(r.outcomes[&Outcome::Upt]),
        ),
        (
            tr(
                lang,
                "Dijemput lagi dalam 12 bulan",
                "Picked up again within 12 months",
            )
            .into(),
            g(r.picked_up_again),
        ),
    ]
}

/// Every table of the report, in the order the page shows them.
pub fn tables(r: &Report, names: &Names, lang: Lang, tz: Tz) -> Vec<Table> {
    let people = tr(lang, "Orang", "People");
    let mut out = vec![
        counts(
            "pickup_region",
            tr(
                lang,
                "Penjemputan menurut kabupaten/kota penjemputan",
                "Pick-ups by pick-up regency",
            )
            .into(),
            None,
            tr(lang, "Kabupaten/kota", "Regency"),
            lang,
            r.by_pickup_region
                .iter()
                .map(|(c, n)| (region(names, lang, c), *n))
                .collect(),
            true,
        ),
        counts(
            "origin_province",
            tr(lang, "Menurut provinsi asal", "By origin province").into(),
            Some(
                tr(
                    lang,
                    "Provinsi tempat tinggal yang dinyatakan atau dikenali.",
                    "The home province stated or identified.",
                )
                .into(),
            ),
            tr(lang, "Provinsi asal", "Origin province"),
            lang,
            r.by_origin_province
                .iter()
                .map(|(c, n)| (province(names, lang, c), *n))
                .collect(),
            true,
        ),
        counts(
            "origin_region",
            tr(lang, "Menurut kabupaten/kota asal", "By origin regency").into(),
            None,
            tr(lang, "Kabupaten/kota asal", "Origin regency"),
            lang,
            r.by_origin_region
                .iter()
                .map(|(c, n)| (region(names, lang, c), *n))
                .collect(),
            false,
        ),
        counts(
            "sex",
            tr(lang, "Menurut jenis kelamin", "By sex").into(),
            None,
            tr(lang, "Jenis kelamin", "Sex"),
            lang,
            r.by_sex
                .iter()
                .map(|(c, n)| (sex_label(lang, c).to_string(), *n))
                .collect(),
            true,
        ),
    ];
    out.push(Table {
        key: "age_group",
        title: tr(lang, "Menurut kelompok umur", "By age group").into(),
        note: Some(
            tr(
                lang,
                "Umur saat dijemput: dari tanggal lahir, atau perkiraan petugas.",
                "Age at pick-up: from the birth date, or the officer's estimate.",
            )
            .into(),
        ),
        headers: vec![tr(lang, "Kelompok umur", "Age group").into(), people.into()],
        chart: Some(Chart {
            bars: AGE_GROUPS
                .iter()
                .map(|g| (age_label(lang, g).to_string(), r.by_age_group[g]))
                .collect(),
        }),
        rows: AGE_GROUPS
            .iter()
            .map(|g| {
                vec![
                    Value::text(age_label(lang, g)),
                    Value::Int(r.by_age_group[g]),
                ]
            })
            .collect(),
    });
    out.push(counts("condition", tr(lang, "Menurut kondisi", "By condition").into(),
        Some(tr(lang, "Satu orang bisa punya lebih dari satu kondisi, jadi jumlahnya bisa melebihi jumlah orang.", "One person may have several conditions, so the column may add up to more than the people.").into()),
        tr(lang, "Kondisi", "Condition"), lang,
        r.by_condition.iter().map(|(c, n)| (condition_label(lang, c).to_string(), *n)).collect(), true));
    out.push(Table {
        key: "cause",
        title: tr(lang, "Menurut penyebab", "By cause").into(),
        note: Some(tr(lang, "Formulir penjemputan belum mencatat penyebab (kehabisan bekal, penipuan kerja, konflik keluarga…); kolom ini akan terisi setelah penyebab dicatat di formulir.",
            "The intake form does not record a cause yet (out of money, job fraud, family conflict…); this will fill once the form records it.").into()),
        headers: vec![tr(lang, "Penyebab", "Cause").into(), people.into()],
        chart: None,
        rows: vec![vec![Value::text(tr(lang, "Tidak dicatat", "Not recorded")), Value::Int(r.cause_not_recorded)]],
    });
    out.push(Table {
        key: "outcome",
        title: tr(lang, "Hasil penanganan", "Outcomes").into(),
        note: Some(
            tr(
                lang,
                "Keadaan terakhir orang-orang yang dijemput pada periode ini.",
                "Where the people picked up in the period stand now.",
            )
            .into(),
        ),
        headers: vec![tr(lang, "Hasil", "Outcome").into(), people.into()],
        chart: Some(Chart {
            bars: r
                .outcomes
                .iter()
                .map(|(o, n)| (outcome_label(lang, *o).to_string(), *n))
                .collect(),
        }),
        rows: r
            .outcomes
            .iter()
            .map(|(o, n)| vec![Value::text(outcome_label(lang, *o)), Value::Int(*n)])
            .collect(),
    });
    out.push(Table {
        key: "times",
        title: tr(lang, "Waktu penanganan (hari)", "Handling times (days)").into(),
        note: Some(tr(lang, "Dari penjemputan. Median: separuh orang lebih cepat dari ini. Persentil 90: 9 dari 10 orang lebih cepat dari ini.",
            "From pick-up. Median: half the people were faster. 90th percentile: 9 in 10 were faster.").into()),
        headers: vec![tr(lang, "Sampai", "Until").into(), people.into(), tr(lang, "Median (hari)", "Median (days)").into(), tr(lang, "Persentil 90 (hari)", "90th percentile (days)").into()],
        chart: None,
        rows: vec![spread_row(tr(lang, "Keputusan rute (pulang atau UPT)", "Route decision (home or UPT)"), &r.to_decision, 24.0),
                   spread_row(tr(lang, "Serah terima di daerah asal", "Hand-over at home"), &r.to_handover, 24.0)],
    });
    out.push(Table {
        key: "picked_up_again",
        title: tr(lang, "Dijemput lagi dalam 12 bulan", "Picked up again within 12 months").into(),
        note: Some(tr(lang, "Orang yang catatannya ditautkan (otomatis atau setelah diperiksa petugas) dengan penjemputan sebelumnya kurang dari 12 bulan sebelumnya.",
            "People whose record was linked (automatically or after review) to a pick-up less than 12 months earlier.").into()),
        headers: vec!["".into(), people.into()],
        chart: None,
        rows: vec![vec![Value::text(tr(lang, "Dijemput lagi", "Picked up again")), Value::Int(r.picked_up_again)]],
    });
    out.push(counts("refusals", tr(lang, "Penolakan menerima menurut daerah", "Refusals to receive by region").into(),
        Some(tr(lang, "Keluarga atau pemerintah daerah asal menolak menerima (dicatat pada periode ini).", "The family or home government refused to receive the person (recorded in the period).").into()),
        tr(lang, "Daerah", "Region"), lang,
        r.refusals_by_region.iter().map(|(c, n)| (if c.len() == 2 { province(names, lang, c) } else { region(names, lang, c) }, *n)).collect(), false));
    out.push(Table {
        key: "acknowledgements",
        title: tr(
            lang,
            "Konfirmasi serah terima per kantor",
            "Hand-over acknowledgements per office",
        )
        .into(),
        note: Some(
            tr(
                lang,
                "Jam dari pemberitahuan dikirim sampai kantor penerima mengonfirmasi.",
                "Hours from the notice being sent until the receiving office acknowledged it.",
            )
            .into(),
        ),
        headers: vec![
            tr(lang, "Kantor penerima", "Receiving office").into(),
            tr(lang, "Pemberitahuan", "Notices").into(),
            tr(lang, "Belum dikonfirmasi", "Not yet acknowledged").into(),
            tr(lang, "Median (jam)", "Median (hours)").into(),
            tr(lang, "Persentil 90 (jam)", "90th percentile (hours)").into(),
        ],
        chart: None,
        rows: r
            .acknowledgements
            .iter()
            .map(|a| {
                vec![
                    Value::text(&a.office),
                    Value::Int(a.notices),
                    Value::Int(a.open),
                    Value::opt_num(a.hours.median),
                    Value::opt_num(a.hours.p90),
                ]
            })
            .collect(),
    });
    let months: Vec<String> = r
        .occupancy_at
        .iter()
        .map(|t| {
            format_local(*t - chrono::Duration::seconds(1), tz)
                .chars()
                .take(10)
                .collect()
        })
        .collect();
    let mut occ_headers = vec![tr(lang, "UPT", "UPT").to_string()];
    occ_headers.extend(
        months
            .iter()
            .map(|m| format!("{} {m}", tr(lang, "per", "at"))),
    );
    out.push(Table {
        key: "upt_occupancy",
        title: tr(lang, "Penghuni UPT per akhir bulan", "UPT residents at each month's end").into(),
        note: Some(tr(lang, "Orang yang menempati tempat tidur pada akhir hari tersebut (bulan berjalan: sampai sekarang).", "People in a bed at the end of that day (the month under way: until now).").into()),
        headers: occ_headers,
        chart: Some(Chart { bars: months.iter().enumerate().map(|(i, m)| (m.clone(), r.upts.iter().map(|u| u.occupancy[i]).sum())).collect() }),
        rows: r.upts.iter().map(|u| std::iter::once(Value::text(&u.upt)).chain(u.occupancy.iter().map(|n| Value::Int(*n))).collect()).collect(),
    });
    let mut upt_headers: Vec<String> = vec![
        tr(lang, "UPT", "UPT").into(),
        tr(lang, "Masuk", "Admitted").into(),
    ];
    upt_headers.extend(DISCHARGE_REASONS.iter().map(|d| {
        format!(
            "{}: {}",
            tr(lang, "Keluar", "Left"),
            discharge_label(lang, d)
        )
    }));
    upt_headers.extend([
        tr(lang, "Median lama tinggal (hari)", "Median stay (days)").to_string(),
        tr(lang, "Tinggal lebih dari 1 tahun", "Resident over 1 year").into(),
        tr(lang, "Meninggal", "Deaths").into(),
    ]);
    out.push(Table {
        key: "upt_flow",
        title: tr(
            lang,
            "UPT: masuk, keluar, lama tinggal",
            "UPTs: admissions, discharges, length of stay",
        )
        .into(),
        note: Some(
            tr(
                lang,
                "Lama tinggal dihitung dari orang yang keluar pada periode ini.",
                "Length of stay is of the people who left in the period.",
            )
            .into(),
        ),
        headers: upt_headers,
        chart: None,
        rows: r
            .upts
            .iter()
            .map(|u| {
                let mut row = vec![Value::text(&u.upt), Value::Int(u.admissions)];
                row.extend(
                    DISCHARGE_REASONS
                        .iter()
                        .map(|d| Value::Int(u.discharges.get(*d).copied().unwrap_or(0))),
                );
                row.extend([
                    Value::opt_num(u.stay_days.median),
                    Value::Int(u.past_one_year),
                    Value::Int(u.deaths),
                ]);
                row
            })
            .collect(),
    });
    out.push(Table {
        key: "waiting_list",
        title: tr(lang, "Daftar tunggu UPT", "UPT waiting list").into(),
        note: Some(
            tr(
                lang,
                "Orang yang menunggu tempat tidur yang sesuai pada akhir periode.",
                "People waiting for a fitting bed at the end of the period.",
            )
            .into(),
        ),
        headers: vec!["".into(), people.into()],
        chart: None,
        rows: vec![vec![
            Value::text(tr(lang, "Menunggu", "Waiting")),
            Value::Int(r.waiting_at_end),
        ]],
    });
    out.push(Table {
        key: "transport_cost",
        title: tr(lang, "Biaya perjalanan pulang menurut pembayar", "Travel home by payer").into(),
        note: Some(tr(lang, "Dari rencana perjalanan yang benar-benar berangkat pada periode ini (setiap ruas mencatat kantor dan anggarannya). Ruas estafet sesudah provinsi penerima tidak dihitung oleh Jawa Timur.",
            "From the travel plans that actually departed in the period (each leg records its office and budget). Relay legs beyond the receiving province are not costed by East Java.").into()),
        headers: vec![tr(lang, "Anggaran", "Budget").into(), tr(lang, "Jenis pembayar", "Payer").into(), tr(lang, "Biaya", "Cost").into()],
        chart: None,
        rows: r.money.iter().map(|(p, k, v)| vec![Value::text(p), Value::text(payer_label(lang, *k)), Value::Money(*v)]).collect(),
    });
    out
}

/// The period's case list, one row per person, the NIK as the viewer sees it on pages.
pub fn case_table(rows: &[CaseRow], names: &Names, lang: Lang, tz: Tz, full_nik: bool) -> Table {
    Table {
        key: "cases",
        title: tr(lang, "Daftar kasus", "Case list").into(),
        note: None,
        headers: [
            tr(lang, "Nomor kasus", "Case number"),
            tr(lang, "Dijemput (WIB)", "Picked up (WIB)"),
            tr(lang, "Kab/kota penjemputan", "Pick-up regency"),
            tr(lang, "Nama", "Name"),
            tr(lang, "Jenis kelamin", "Sex"),
            tr(lang, "Umur", "Age"),
            tr(lang, "Kelompok umur", "Age group"),
            tr(lang, "Kab/kota asal", "Home regency"),
            tr(lang, "Provinsi asal", "Home province"),
            "NIK",
            tr(lang, "Kondisi", "Conditions"),
            tr(lang, "Status", "State"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        chart: None,
        rows: rows
            .iter()
            .map(|c| {
                vec![
                    Value::text(&c.number),
                    Value::Text(format_local(c.found_at, tz)),
                    Value::Text(region(names, lang, &c.found_region)),
                    Value::text(&c.stated_name),
                    Value::text(sex_label(lang, &c.sex)),
                    c.age.map_or(Value::Missing, |a| Value::Int(a.into())),
                    Value::text(age_label(lang, age_group(c.age))),
                    Value::Text(region(names, lang, c.home_region.as_deref().unwrap_or(""))),
                    Value::Text(province(
                        names,
                        lang,
                        c.home_province.as_deref().unwrap_or(""),
                    )),
                    c.nik.as_deref().map_or(Value::Missing, |n| {
                        Value::Text(if full_nik {
                            n.to_string()
                        } else {
                            crate::auth::model::mask_nik(n)
                        })
                    }),
                    Value::Text(
                        c.conditions
                            .iter()
                            .map(|x| condition_label(lang, x))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Value::text(state_label(lang, &c.state)),
                ]
            })
            .collect(),
    }
}
