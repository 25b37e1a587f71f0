//! Face photos (issue 22, findings 7 and 9): each view is audited like any other read of
//! a case; what is stored is the server's own JPEG of the picture — upright, at most
//! 500 kB, without the EXIF block in which a phone writes where and with what it was taken;
//! and what does not decode, or would decode into gigabytes, is refused beside the field.
use std::io::Cursor;

use axum::http::{header, StatusCode};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, Rgb, RgbImage};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::{two_regions, SBY};
use crate::common::*;
use simlontar::auth::model::Role;

const STORED_LIMIT: usize = 500_000;

fn jpeg(picture: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(vec![]);
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            picture.as_raw(),
            picture.width(),
            picture.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out.into_inner()
}

/// What a phone sends: a JPEG with an EXIF block holding the make and a GPS position.
fn phone_photo() -> Vec<u8> {
    let picture = RgbImage::from_fn(1200, 900, |x, y| {
        Rgb([(x / 5 % 256) as u8, (y / 4 % 256) as u8, 90])
    });
    let plain = jpeg(&picture, 92);
    // Big-endian TIFF: IFD0 with Make and the GPS pointer; the GPS IFD with "S" and "E".
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 8, 0, 0, 0, 38]);
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 46]);
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(b"XIAOMI!\0");
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]);
    t.extend_from_slice(&[0x00, 0x03, 0, 2, 0, 0, 0, 2, b'E', 0, 0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A photo of nearly 5 MB: noise, the hardest picture to make small.
fn five_megabytes() -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let noise = RgbImage::from_fn(1500, 1200, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let b = state.to_le_bytes();
        Rgb([b[0], b[1], b[2]])
    });
    jpeg(&noise, 97)
}

fn desk_fields(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("idempotency_key", key.to_string()),
        ("found_at", "2026-11-23T08:15".into()),
        ("found_address", "Terminal Joyoboyo".into()),
        ("found_lat", "-7.2980".into()),
        ("found_lon", "112.7380".into()),
        ("unit", "Satpol PP Surabaya".into()),
        ("officer_name", "Budi".into()),
        ("stated_name", "Mbah Gimbal".into()),
        ("name_quality", "alias".into()),
        ("sex", "male".into()),
        ("estimated_age", "70".into()),
        ("birth_date_quality", "approximate".into()),
    ]
}

async fn post_desk(c: &mut Client, photos: &[&[u8]]) -> Res {
    c.get("/intake").await;
    let fields = desk_fields(&Uuid::new_v4().to_string());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_multipart("/intake", &fields, photos).await
}

/// The stored photos of case `number`: (id, content type, bytes).
async fn stored(pool: &PgPool, number: &str) -> Vec<(i64, String, Vec<u8>)> {
    sqlx::query_as(
        "SELECT p.id, p.content_type, p.bytes FROM intake_photo p
           JOIN ot_case c ON c.intake_id = p.intake_id WHERE c.number = $1 ORDER BY p.id",
    )
    .bind(number)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[sqlx::test]
async fn a_desk_photo_is_stored_small_and_without_the_phones_exif(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let sent = phone_photo();
    assert!(contains(&sent, b"Exif\0\0") && contains(&sent, b"XIAOMI"));
    let big = five_megabytes();
    assert!(big.len() > 4 * 1024 * 1024 && big.len() <= 5 * 1024 * 1024);
    let res = post_desk(&mut c, &[&sent, &big]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let number = res.location().rsplit('/').next().unwrap().to_string();

    let photos = stored(&pool, &number).await;
    assert_eq!(photos.len(), 2);
    for (id, kind, bytes) in &photos {
        assert_eq!(kind, "image/jpeg");
        assert!(bytes.len() <= STORED_LIMIT, "photo {id}: {}", bytes.len());
        // No EXIF, no APP1 segment, nothing of the phone's.
        for gone in [&b"Exif"[..], b"XIAOMI", b"MM\0\x2a", &[0xFF, 0xE1]] {
            assert!(!contains(bytes, gone), "photo {id}: {gone:?} survived");
        }
        let picture = image::load_from_memory(bytes).unwrap();
        assert!(picture.width().max(picture.height()) <= 1600);
        // Served as stored.
        let served = c.get(&format!("/cases/{number}/photos/{id}")).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.headers[header::CONTENT_TYPE], "image/jpeg");
    }
    assert!(photos[1].2.len() < big.len() / 8, "the 5 MB photo shrank");
}

#[sqlx::test]
async fn a_file_that_only_looks_like_a_photo_or_would_decode_into_gigabytes_is_refused(
    pool: PgPool,
) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    // A JPEG's first bytes, then a script.
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.extend_from_slice(b"<?php system($_GET['c']); ?>");
    // A small JPEG whose frame header declares 60,000 × 60,000 pixels.
    let mut bomb = jpeg(&RgbImage::new(16, 16), 90);
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 9].copy_from_slice(&60_000u16.to_be_bytes().repeat(2));
    for (file, message) in [
        (&fake, "foto rusak atau tidak terbaca"),
        (&bomb, "gambar terlalu besar"),
    ] {
        let res = post_desk(&mut c, &[file]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Beside the photo field, in Indonesian.
        let beside = res
            .body
            .find(r#"id="photos-error""#)
            .expect("a photo error");
        assert!(
            res.body[beside..]
                .split("</span>")
                .next()
                .unwrap()
                .contains(message),
            "{}",
            &res.body[beside..]
        );
    }
    let (cases, staged): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ot_case), (SELECT count(*) FROM intake_upload)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((cases, staged), (0, 0));
}

#[sqlx::test]
async fn viewing_a_photo_is_a_read_in_the_audit_trail(pool: PgPool) {
    two_regions(&pool).await;
    let photo: i64 = sqlx::query_scalar(
        "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
         SELECT intake_id, sha256($2), 'image/png', $2 FROM ot_case WHERE number = $1 RETURNING id",
    )
    .bind(SBY)
    .bind(PNG)
    .fetch_one(&pool)
    .await
    .unwrap();
    let path = format!("/cases/{SBY}/photos/{photo}");
    let rows = |action: &'static str, username: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, serde_json::Value)>(
                "SELECT a.entity_id, a.detail FROM audit_log a JOIN app_user u ON u.id = a.actor_id
                  WHERE a.action = $1 AND u.username = $2",
            )
            .bind(action)
            .bind(username)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };

    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    assert_eq!(officer.get(&path).await.status, StatusCode::OK);
    assert_eq!(officer.get(&path).await.status, StatusCode::OK);
    let read = rows("read_photo", "officer1").await;
    assert_eq!(read.len(), 2, "one row per view");
    assert_eq!(read[0].0.as_deref(), Some(SBY));
    assert_eq!(read[0].1["photo"], photo);

    // Outside one's scope the photo does not exist, and the look-up is kept.
    let mut outside = signed_in(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;
    assert_eq!(outside.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(rows("read_photo", "viewer.bwi").await.is_empty());
    assert_eq!(rows("read_denied", "viewer.bwi").await.len(), 1);

    // The access report names the case among what the officer read.
    let mut admin = signed_in(&pool, "root", Role::Admin, None).await;
    let report = admin
        .get("/admin/audit/accessed?user=officer1&from=2000-01-01T00:00&to=2100-01-01T00:00")
        .await;
    assert!(
        report.body.contains(SBY) && report.body.contains("read_photo"),
        "{}",
        report.body
    );
}
