//! No code words where a person reads (issue 23): every demo role signs in and visits every
//! page it may see — each GET route of the source (the route inventory fills in its
//! parameters, and fails on one it does not know), a case in each state, and forms with a
//! validation error — in Bahasa Indonesia and in English. The visible text (innerText) may
//! hold no snake_case token, no raw code of the vocabulary tables, and no word of the other
//! language's stop list; names from the records (places, UPTs, people, what officers typed)
//! are allowed. Screenshots: target/artifacts/words-<role>-<page>.png (360 × 800) and
//! words-desk-<role>-<page>.png (1366 × 900), in Bahasa Indonesia.
use std::collections::{BTreeSet, HashSet};

use axum::http::{header, StatusCode};
use chrono::NaiveDate;
use sqlx::PgPool;

use super::{Browser, DESKTOP, PHONE};
use crate::common::*;
use crate::inventory::{everything, requests};
use simlontar::demo::accounts::{ACCOUNTS, DEMO_PASSWORD};
use simlontar_templates::Lang;

/// English words that have no place on a page in Bahasa Indonesia.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "with",
    "from",
    "for",
    "is",
    "are",
    "was",
    "not",
    "this",
    "that",
    "by",
    "within",
    "years",
    "year",
    "same",
    "village",
    "full",
    "exact",
    "partial",
    "approximate",
    "female",
    "male",
    "unknown",
    "pending",
    "accepted",
    "proposed",
    "rejected",
    "candidate",
    "road",
    "rail",
    "ferry",
    "ship",
    "home",
    "other",
    "none",
    "open",
    "closed",
    "placed",
    "identified",
    "received",
    "date",
    "name",
    "case",
    "cases",
    "match",
    "matched",
    "yes",
    "disability",
    "elderly",
    "child",
    "sick",
    "pregnant",
    "picked",
    "before",
    "linked",
    "warning",
    "critical",
    "watch",
    "stale",
    "women",
    "men",
    "mixed",
    "days",
    "hours",
];

/// Indonesian function words that have no place on a page in English.
const INDONESIAN: &[&str] = &[
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "untuk",
    "dengan",
    "tidak",
    "belum",
    "sudah",
    "atau",
    "ini",
    "itu",
    "pada",
    "oleh",
    "akan",
    "harus",
    "kasus",
    "nama",
    "tanggal",
    "laki-laki",
    "perempuan",
    "diterima",
    "ditolak",
    "lengkap",
    "perkiraan",
    "tahun",
    "hari",
    "bulan",
    "orang",
    "belum",
    "baru",
    "cari",
    "simpan",
    "kembali",
    "keluar",
    "masuk",
    "usulan",
];

/// GET routes that are not pages: files, scripts, machine endpoints, redirects.
fn not_a_page(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/static/")
        || path.starts_with("/lang/")
        || path.ends_with(".js")
        || path.ends_with(".svg")
        || matches!(path, "/healthz" | "/readyz" | "/logout")
        || path.contains("/photos/")
}

/// Text that comes from the records, not from the app: names of places, UPTs, wards,
/// people, and what officers typed. Such text may be in either language.
async fn record_words(pool: &PgPool) -> Vec<String> {
    let sql = "SELECT name FROM province UNION SELECT name FROM region UNION SELECT name FROM district
               UNION SELECT name FROM village UNION SELECT name FROM upt UNION SELECT town FROM upt
               UNION SELECT name FROM ward UNION SELECT display_name FROM app_user
               UNION SELECT username FROM app_user
               UNION SELECT name FROM api_token
               UNION SELECT stated_name FROM intake UNION SELECT stated_home FROM intake
               UNION SELECT found_address FROM intake UNION SELECT unit FROM intake
               UNION SELECT officer_name FROM intake UNION SELECT notes FROM intake
               UNION SELECT belongings FROM intake UNION SELECT unnest(aliases) FROM intake
               UNION SELECT reason FROM case_event
                WHERE kind NOT IN ('placed', 'referred', 'transferred', 'discharged', 'waiting_list',
                                   'identity_check', 'link_decision', 'reintake_linked', 'identity_linked')
               UNION SELECT reason FROM break_glass UNION SELECT office FROM handover_notice
               UNION SELECT name FROM hub UNION SELECT name FROM identity_check WHERE name IS NOT NULL
               UNION SELECT mother_name FROM identity_check WHERE mother_name IS NOT NULL
               UNION SELECT birth_place FROM identity_check WHERE birth_place IS NOT NULL
               UNION SELECT address FROM identity_check WHERE address IS NOT NULL";
    let mut words: Vec<String> = sqlx::query_scalar::<_, String>(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .filter(|w| w.trim().len() > 1)
        .collect();
    // Longest first, so a longer name covers the shorter one inside it.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
}

/// What is wrong with the text of a page read in `lang`: each offending word with a little
/// of its context.
fn code_words(text: &str, lang: Lang, records: &[String]) -> Vec<String> {
    // Byte ranges covered by names from the records.
    let mut covered = vec![false; text.len()];
    for w in records {
        for (at, _) in text.match_indices(w.as_str()) {
            covered[at..at + w.len()].iter_mut().for_each(|c| *c = true);
        }
    }
    // An email address is an address, not a code ("desk@…" is the provincial desk's).
    let mut from = 0;
    for part in text.split(char::is_whitespace) {
        let start = text[from..].find(part).map_or(from, |i| from + i);
        if part.contains('@') {
            covered[start..start + part.len()]
                .iter_mut()
                .for_each(|c| *c = true);
        }
        from = start + part.len();
    }
    let vocab = simlontar::vocab::every_code();
    let label_words: HashSet<String> = vocab
        .iter()
        .flat_map(|(_, t)| {
            t.get(lang)
                .split(|c: char| !c.is_alphanumeric() && c != '_')
        })
        .map(str::to_string)
        .collect();
    let codes: HashSet<&str> = vocab.iter().map(|(c, _)| *c).collect();
    let stop: HashSet<&str> = match lang {
        Lang::Id => ENGLISH.iter().copied().collect(),
        Lang::En => INDONESIAN.iter().copied().collect(),
    };
    let mut found = BTreeSet::new();
    let mut at = 0;
    for token in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')) {
        let start = at;
        at += token.len()
            + text[start + token.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if token.is_empty() || covered[start..start + token.len()].iter().any(|c| *c) {
            continue;
        }
        let word = token.trim_matches('-');
        let lower = word.to_lowercase();
        let why = if word.contains('_') && word.chars().any(|c| c.is_ascii_lowercase()) {
            "snake_case"
        } else if lang == Lang::Id && codes.contains(word) && !label_words.contains(word) {
            // Codes are English words: on an English page "full" may be the word itself.
            "a code"
        } else if stop.contains(lower.as_str()) {
            "the other language"
        } else {
            continue;
        };
        let from = text[..start]
            .char_indices()
            .rev()
            .nth(30)
            .map_or(0, |(i, _)| i);
        let to = text[start..]
            .char_indices()
            .nth(word.chars().count() + 30)
            .map_or(text.len(), |(i, _)| start + i);
        found.insert(format!(
            "{word:?} ({why}) in «{}»",
            text[from..to].replace('\n', " ⏎ ")
        ));
    }
    // A region is read by its name; its code is not shown, not even beside the name.
    for (_, code) in region_codes(text) {
        found.insert(format!("{code:?} (a region code)"));
    }
    found.into_iter().collect()
}

/// Dotted region codes in a text ("35.78", "35.10.01", "35.10.01.2001") with their byte
/// offsets: two-digit groups joined by dots (a village's last group has four digits), not
/// part of a longer number.
fn region_codes(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        from + n <= b.len() && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let edge =
        |i: usize| i >= b.len() || !(b[i].is_ascii_digit() || b[i] == b'.' && digits(i + 1, 1));
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let starts = digits(i, 2) && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.'));
        if starts && b.get(i + 2) == Some(&b'.') && digits(i + 3, 2) {
            let mut end = i + 5;
            for width in [2, 4] {
                if b.get(end) == Some(&b'.') && digits(end + 1, width) {
                    end += 1 + width;
                }
            }
            if edge(end) {
                out.push((i, &text[i..end]));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The pages to visit: every GET page route filled in by the inventory, and a case in each
/// state (the demo year has them all).
async fn pages(pool: &PgPool, f: &crate::inventory::Fixture) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = requests(f, |path, m| m == "get" && !not_a_page(path))
        .into_iter()
        .map(|c| (c.path.clone(), c.uri))
        .collect();
    let by_state: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (c.state) c.state, c.number FROM ot_case c
          ORDER BY c.state, (SELECT count(*) FROM case_event e WHERE e.case_id = c.id) DESC, c.number",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        by_state.len() >= 8,
        "the demo year lacks states: {by_state:?}"
    );
    for (state, number) in by_state {
        out.push((format!("case-{state}"), format!("/cases/{number}")));
    }
    out
}

/// A short file name for a page.
fn slug(path: &str) -> String {
    let s: String = path
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if s.is_empty() {
        "home".into()
    } else {
        s
    }
}

impl Browser {
    /// Signs in with a demo account's password and lands on the home page.
    async fn sign_in_demo(&self, base: &str, username: &str) {
        self.goto(&format!("{base}/login?next=/")).await;
        self.fill("#username", username).await;
        self.fill("#password", DEMO_PASSWORD).await;
        self.click_and_load("form.card button[type=submit]").await;
        self.wait_for_path("/").await;
    }

    /// The visible text, without parts marked as in another language than the page's
    /// (the berita acara is an Indonesian document on every page).
    async fn body_text(&self) -> String {
        self.c
            .execute(
                "const page = document.documentElement.lang;
                 const hidden = [...document.body.querySelectorAll('[lang]')]
                   .filter(e => e.lang !== page);
                 hidden.forEach(e => e.dataset.wordsDisplay = e.style.display);
                 hidden.forEach(e => e.style.display = 'none');
                 const text = document.body.innerText;
                 hidden.forEach(e => e.style.display = e.dataset.wordsDisplay);
                 return text;",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(super::artifacts().join(format!("{name}.png")), png).unwrap();
    }
}

/// Posts the forms each role may fill with nothing in them, and reads each page that comes
/// back with its errors: (page, visible text).
async fn forms_with_errors(
    b: &Browser,
    base: &str,
    role: &str,
    shot: Option<&str>,
) -> Vec<(String, String)> {
    let mut shown = vec![];
    let mut forms: Vec<(&str, &str)> = match role {
        "satpol.surabaya" => vec![("/intake", "form.intake button[name=save]")],
        "dp3ak" => vec![("/identity/checks/new", "form.card > button[type=submit]")],
        "admin" => vec![("/admin/subject-access", "form.card button")],
        _ => vec![],
    };
    // Every role may change its password.
    forms.push(("/account/password", "form.card button[type=submit]"));
    for (page, button) in &forms {
        b.goto(&format!("{base}{page}")).await;
        // The browser's own checks would stop the post before the server sees it.
        b.c.execute(
            "document.querySelectorAll('form').forEach(f => f.noValidate = true);",
            vec![],
        )
        .await
        .unwrap();
        b.click_and_load(button).await;
        let marked = b
            .c
            .execute(
                "return document.querySelectorAll('.error-summary, .error-message, .field-error, [aria-invalid=true]').length;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            marked.as_u64().unwrap() > 0,
            "{page}: the empty form came back without an error"
        );
        let name = format!("{page} (error)");
        if let Some(journey) = shot {
            b.shot(&format!("{journey}-{role}-{}", slug(&name))).await;
        }
        shown.push((name, b.body_text().await));
    }
    shown
}

/// Each of `accounts` visits every page it may open, in each of `langs`; screenshots are
/// taken in Bahasa Indonesia.
async fn tour(
    pool: &PgPool,
    base: &str,
    pages: &[(String, String)],
    records: &[String],
    (journey, size): (&'static str, (u32, u32)),
    accounts: &[&str],
    langs: &[Lang],
) -> Vec<String> {
    let mut problems = vec![];
    for username in accounts {
        // What this role may open: asked of the app first (a download is not a page).
        let mut client = Client::new(pool).await;
        assert_eq!(
            client.sign_in(username, DEMO_PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let mut visible = vec![];
        for (name, uri) in pages {
            let res = client.get(uri).await;
            let html = res
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
            let attachment = res.headers.contains_key(header::CONTENT_DISPOSITION);
            if res.status == StatusCode::OK && html && !attachment {
                visible.push((name.clone(), uri.clone()));
            }
        }
        let b = Browser::start_sized(journey, size).await;
        b.sign_in_demo(base, username).await;
        for &lang in langs {
            if lang == Lang::En {
                b.goto(&format!("{base}/lang/en?back=/")).await;
            }
            for (name, uri) in &visible {
                b.goto(&format!("{base}{uri}")).await;
                let text = b.body_text().await;
                for p in code_words(&text, lang, records) {
                    problems.push(format!("{username} {:?} {uri}: {p}", lang));
                }
                if lang == Lang::Id {
                    b.shot(&format!("{journey}-{username}-{}", slug(name)))
                        .await;
                    // Every page, not only the journeys' steps, fits the screen and the
                    // thumb; the wall's panel is a fragment the wall screen swaps in.
                    let fragment = uri == "/capacity/panel";
                    for p in b.layout_problems().await.into_iter().filter(|_| !fragment) {
                        problems.push(format!("{username} {uri}: {p}"));
                    }
                }
            }
            let shot = (lang == Lang::Id).then_some(journey);
            for (page, text) in forms_with_errors(&b, base, username, shot).await {
                for p in code_words(&text, lang, records) {
                    problems.push(format!("{username} {:?} {page}: {p}", lang));
                }
            }
        }
        b.c.close().await.unwrap();
    }
    problems
}

#[sqlx::test]
async fn every_role_reads_labels_not_codes_in_both_languages(pool: PgPool) {
    // The demo year (ending before the fixture's cases are numbered): cases in every
    // state with their history, the demo accounts. Then the inventory's records for every
    // kind of path parameter.
    load_geo(&pool).await;
    simlontar::demo::seed(
        &pool,
        7,
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        false,
    )
    .await
    .unwrap();
    // The inventory shrinks the first women's elderly ward to five beds: empty it first.
    sqlx::query(
        "UPDATE placement SET ended_at = $1, end_reason = 'home'
          WHERE ended_at IS NULL AND ward_id = (SELECT id FROM ward WHERE need_code = 'elderly'
                                                   AND sex = 'female' ORDER BY id LIMIT 1)",
    )
    .bind(chrono::Utc::now().min(now()))
    .execute(&pool)
    .await
    .unwrap();
    let (fixture, _) = everything(&pool).await;
    let pages = pages(&pool, &fixture).await;
    let records = record_words(&pool).await;
    let base = spawn(&pool).await;
    let every: Vec<&str> = ACCOUNTS.iter().map(|a| a.0).collect();
    let mut problems = tour(
        &pool,
        &base,
        &pages,
        &records,
        ("words", PHONE),
        &every,
        &[Lang::Id, Lang::En],
    )
    .await;
    // At a desk, in Bahasa Indonesia: the roles that work at one all day.
    problems.extend(
        tour(
            &pool,
            &base,
            &pages,
            &records,
            ("words-desk", DESKTOP),
            &["dinsos.jatim", "admin", "upt.rsbl.pasuruan"],
            &[Lang::Id],
        )
        .await,
    );
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problem(s): code words where a person reads, or pages that do not fit:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_finds_codes_snake_case_and_the_other_language() {
    let records = vec!["Panti Werdha Full House".to_string()];
    let found = code_words(
        "Nama: Moh. Joko (full) · route_decided · Panti Werdha Full House · perempuan",
        Lang::Id,
        &records,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("\"full\""), "{found:?}");
    assert!(found[1].contains("route_decided"), "{found:?}");
    let found = code_words("Name: Joko · Status: yang lain", Lang::En, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(code_words("Kondisi: Lanjut usia, Sakit · bus", Lang::Id, &[]).is_empty());
    // Region codes are found, bare or beside their name; money and times are not.
    let found = code_words(
        "Asal: 35.10 · desa 35.10.01.2001 · Kota Surabaya (35.78)",
        Lang::Id,
        &[],
    );
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found.iter().any(|f| f.contains("\"35.10.01.2001\"")),
        "{found:?}"
    );
    // An email address is not a code, the same word outside one is.
    let found = code_words(
        "Meja provinsi: desk@dinsos.jatimprov.go.id · full",
        Lang::Id,
        &[],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"full\""), "{found:?}");
    assert!(code_words(
        "Rp 12.500 · 1.250 orang · 07-12-2026 09:21 WIB · 3,5",
        Lang::Id,
        &[]
    )
    .is_empty());
}
