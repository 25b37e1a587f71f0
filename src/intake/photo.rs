//! Face photos as they are stored: every upload is decoded, turned upright, scaled down and
//! written again as a plain JPEG. Nothing of the file the phone sent survives but the
//! picture: its EXIF (the officer's GPS position, the phone's make and model, the time)
//! and any other metadata are gone, a file that only starts like an image is refused, and
//! whatever the phone sent, a stored photo is at most `MAX_STORED_BYTES`.
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
    RgbImage,
};

/// A photo as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What a phone may send: a file of at most 5 MiB.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// What is stored: at most 500 kB a photo (the database checks it too).
pub const MAX_STORED_BYTES: usize = 500_000;
/// The long side of a stored photo: enough to recognise a face on a case page or in print.
pub const MAX_SIDE: u32 = 1600;
/// Decoding limits, against decompression bombs (a small file declaring a huge picture):
/// no side over 12,000 pixels (a 100-megapixel phone's is 12,000 × 9,000) and at most
/// 256 MiB for the decoded picture.
const MAX_INPUT_SIDE: u32 = 12_000;
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Why an upload was refused: the message in Indonesian and in English.
pub type Refusal = (&'static str, &'static str);

/// Decodes an upload and returns the photo to store, or why it cannot be one. CPU-bound
/// (a 5 MB JPEG takes tens of milliseconds): call it through [`clean_blocking`] from async code.
pub fn clean(bytes: &[u8]) -> Result<Photo, Refusal> {
    if bytes.is_empty() {
        return Err(("berkas kosong", "empty file"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(("foto lebih dari 5 MB", "photo larger than 5 MB"));
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => {
            return Err((
                "hanya foto JPEG, PNG atau WebP",
                "only JPEG, PNG or WebP photos",
            ))
        }
    };
    let upright = decode(bytes, format).map_err(|e| match e {
        ImageError::Limits(_) => (
            "gambar terlalu besar (paling banyak 12.000 piksel per sisi)",
            "the picture is too large (at most 12,000 pixels a side)",
        ),
        _ => (
            "foto rusak atau tidak terbaca",
            "the photo is damaged or unreadable",
        ),
    })?;
    Ok(Photo {
        content_type: "image/jpeg",
        bytes: encode_within(upright, MAX_STORED_BYTES),
    })
}

/// The picture, turned as the phone's EXIF orientation says (the only thing taken from
/// the metadata before it is dropped), scaled to `MAX_SIDE` and without transparency.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<RgbImage, ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut budget = limits.clone();
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    // `into_decoder` checks the sides; the size of the decoded picture is checked here,
    // before anything is decoded.
    budget.reserve(decoder.total_bytes())?;
    // A damaged EXIF block is no reason to refuse the picture: it is then left as it is.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder)?;
    if picture.width().max(picture.height()) > MAX_SIDE {
        picture = picture.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    picture.apply_orientation(orientation);
    Ok(flatten(picture))
}

/// RGB on white: a transparent PNG's background would otherwise turn black in a JPEG.
fn flatten(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let on_white = |c: u8| ((c as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
        image::Rgb([on_white(r), on_white(g), on_white(b)])
    })
}

/// JPEG at quality 85, or 70, that fits in `limit` bytes; if neither does, the picture is
/// made smaller by about the share it is over (at least a quarter off a side) and tried
/// again. A phone photo at 1600 px fits at the first try; noise, the worst case, takes two
/// rounds. A JPEG of 128 px a side fits any sensible limit, so this ends.
fn encode_within(mut picture: RgbImage, limit: usize) -> Vec<u8> {
    loop {
        let mut smallest = vec![];
        for quality in [85, 70] {
            smallest = jpeg(&picture, quality);
            if smallest.len() <= limit {
                return smallest;
            }
        }
        let side = picture.width().max(picture.height());
        if side <= 128 {
            return smallest;
        }
        // Bytes grow with the area: scale the side by the square root of what is over.
        let share = (0.95 * (limit as f64 / smallest.len() as f64).sqrt()).min(0.75);
        let target = ((side as f64 * share) as u32).max(128);
        picture = DynamicImage::ImageRgb8(picture)
            .thumbnail(target, target)
            .into_rgb8();
    }
}

fn jpeg(picture: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = vec![];
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            picture.as_raw(),
            picture.width(),
            picture.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encoding into memory does not fail");
    out
}

/// At most this many photos are decoded at once: each may hold up to `MAX_DECODED_BYTES`,
/// and the machine has few cores to give them.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`clean`] on the blocking pool, a few at a time, so a burst of uploads neither stalls
/// the server's other requests nor holds many decoded pictures in memory at once.
pub async fn clean_blocking(bytes: Vec<u8>) -> Result<Photo, Refusal> {
    let _permit = DECODING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || clean(&bytes))
        .await
        .expect("photo cleaning does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, Rgb};

    /// A picture with some detail, smooth like a photo (not one flat colour, which any
    /// encoder shrinks to nothing, nor noise).
    fn picture(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            Rgb([
                (x / 7 % 256) as u8,
                (y / 5 % 256) as u8,
                (((x / 40) ^ (y / 40)) * 16 % 256) as u8,
            ])
        })
    }

    /// Noise: the worst case for JPEG size. A small generator of our own, so the test
    /// needs no randomness crate and is the same every run.
    fn noise(w: u32, h: u32) -> RgbImage {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        RgbImage::from_fn(w, h, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let b = state.to_le_bytes();
            Rgb([b[0], b[1], b[2]])
        })
    }

    /// An EXIF block (big-endian TIFF): orientation 6 (turn 90° clockwise to view), the
    /// phone's make, and a GPS directory holding a latitude reference.
    fn exif() -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        // IFD0 at 8: three entries.
        t.extend_from_slice(&3u16.to_be_bytes());
        // Make (0x010F), ASCII, 8 bytes at offset 50.
        t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 8, 0, 0, 0, 50]);
        // Orientation (0x0112), SHORT, 1: 6.
        t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        // GPS IFD pointer (0x8825), LONG, 1: offset 58.
        t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 58]);
        t.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(t.len(), 50);
        t.extend_from_slice(b"SAMSUNG\0");
        // GPS IFD at 58: GPSLatitudeRef 'S'.
        t.extend_from_slice(&1u16.to_be_bytes());
        t.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]);
        t.extend_from_slice(&0u32.to_be_bytes());
        let mut block = b"Exif\0\0".to_vec();
        block.extend_from_slice(&t);
        block
    }

    /// A JPEG as a phone writes it: the EXIF block in an APP1 segment after SOI.
    pub fn phone_jpeg(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(&picture(w, h), 90);
        let app1 = exif();
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn decoded(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap()
    }

    #[test]
    fn a_phone_photo_loses_its_exif_and_is_turned_upright() {
        let sent = phone_jpeg(400, 300);
        // The test photo does carry what must go.
        let reader = ImageReader::with_format(Cursor::new(&sent), ImageFormat::Jpeg);
        let mut decoder = reader.into_decoder().unwrap();
        assert!(decoder.exif_metadata().unwrap().is_some());
        assert!(sent.windows(7).any(|w| w == b"SAMSUNG"));

        let stored = clean(&sent).unwrap();
        assert_eq!(stored.content_type, "image/jpeg");
        assert!(stored.bytes.len() <= MAX_STORED_BYTES);
        for gone in [&b"Exif"[..], b"SAMSUNG", b"MM\0\x2a"] {
            assert!(
                !stored.bytes.windows(gone.len()).any(|w| w == gone),
                "{gone:?} survived"
            );
        }
        // No APP1 (EXIF/XMP) segment at all, and the orientation was applied: 400 × 300
        // turned a quarter is 300 × 400.
        assert!(!stored.bytes.windows(2).any(|w| w == [0xFF, 0xE1]));
        let reader = ImageReader::with_format(Cursor::new(&stored.bytes), ImageFormat::Jpeg);
        assert!(reader
            .into_decoder()
            .unwrap()
            .exif_metadata()
            .unwrap()
            .is_none());
        assert_eq!(decoded(&stored.bytes).dimensions(), (300, 400));
    }

    #[test]
    fn a_large_photo_is_scaled_to_the_long_side_and_stored_small() {
        let sent = jpeg(&picture(3200, 2400), 95);
        let stored = clean(&sent).unwrap();
        assert!(stored.bytes.len() <= MAX_STORED_BYTES);
        assert_eq!(decoded(&stored.bytes).dimensions(), (1600, 1200));
    }

    #[test]
    fn a_five_megabyte_photo_of_noise_still_fits_in_the_limit() {
        // Noise at quality 95: the hardest picture to make small, near the upload limit.
        let sent = jpeg(&noise(1500, 1200), 97);
        assert!(
            sent.len() > 2 * 1024 * 1024 && sent.len() <= MAX_UPLOAD_BYTES,
            "{}",
            sent.len()
        );
        let stored = clean(&sent).unwrap();
        assert!(
            stored.bytes.len() <= MAX_STORED_BYTES,
            "{}",
            stored.bytes.len()
        );
        let (w, h) = decoded(&stored.bytes).dimensions();
        assert!(
            w < 1500 && (w * 4).abs_diff(h * 5) <= 5,
            "smaller, the shape kept: {w} × {h}"
        );
    }

    #[test]
    fn a_png_with_transparency_becomes_a_jpeg_on_white() {
        let rgba = image::RgbaImage::from_pixel(20, 10, image::Rgba([0, 0, 0, 0]));
        let mut png = vec![];
        DynamicImage::ImageRgba8(rgba)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let stored = clean(&png).unwrap();
        let back = decoded(&stored.bytes).into_rgb8();
        assert_eq!(back.dimensions(), (20, 10));
        assert!(back.pixels().all(|p| p.0.iter().all(|&c| c > 240)));
    }

    #[test]
    fn files_that_only_start_like_images_are_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend_from_slice(b"#!/bin/sh\necho this is not a photo\n");
        assert_eq!(clean(&fake).unwrap_err().0, "foto rusak atau tidak terbaca");
        let mut png_header = b"\x89PNG\r\n\x1a\n".to_vec();
        png_header.extend_from_slice(b"not a chunk in sight");
        assert_eq!(
            clean(&png_header).unwrap_err().0,
            "foto rusak atau tidak terbaca"
        );
        let pdf = b"%PDF-1.4\n";
        assert_eq!(clean(pdf).unwrap_err().0, "hanya foto JPEG, PNG atau WebP");
        assert_eq!(clean(b"").unwrap_err().0, "berkas kosong");
        assert_eq!(
            clean(&vec![0xFF; MAX_UPLOAD_BYTES + 1]).unwrap_err().0,
            "foto lebih dari 5 MB"
        );
    }

    /// CRC-32 as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    }

    /// A PNG of a few hundred bytes declaring `w` × `h` pixels of RGBA.
    pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(chunk(b"IHDR", &ihdr));
        // A zlib stream of one empty stored block: the decoder would go on asking for rows.
        out.extend(chunk(b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF]));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn decompression_bombs_are_refused_before_they_are_decoded() {
        // 60,000 × 60,000 RGBA would be 14 GB; 11,000 × 11,000 (within the side limit)
        // 484 MB, over the memory limit.
        for (w, h) in [(60_000, 60_000), (11_000, 11_000), (12_001, 10)] {
            let bomb = png_bomb(w, h);
            assert!(bomb.len() < 100);
            assert_eq!(
                clean(&bomb).unwrap_err().0,
                "gambar terlalu besar (paling banyak 12.000 piksel per sisi)",
                "{w} × {h}"
            );
        }
        // A JPEG whose frame header declares 65,000 × 65,000.
        let mut jpeg_bomb = jpeg(&picture(16, 16), 90);
        let sof = jpeg_bomb
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        jpeg_bomb[sof + 5..sof + 9].copy_from_slice(&[0xFD, 0xE8, 0xFD, 0xE8]);
        assert_eq!(
            clean(&jpeg_bomb).unwrap_err().0,
            "gambar terlalu besar (paling banyak 12.000 piksel per sisi)"
        );
    }
}
