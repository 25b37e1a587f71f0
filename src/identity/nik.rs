//! NIK (Nomor Induk Kependudukan): 16 digits, `PP KK CC DDMMYY SSSS` — province, regency
//! and district of registration, birth date with 40 added to the day for women, serial.
use chrono::{Datelike, NaiveDate};

/// Province codes in use (Kemendagri).
const PROVINCES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nik {
    digits: String,
    pub province: String,
    /// Regency code of registration, dotted: `35.78`.
    pub region: String,
    pub female: bool,
    pub birth_day: u32,
    pub birth_month: u32,
    /// Two-digit year; the century is for the caller to decide.
    pub birth_yy: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikError {
    NotSixteenDigits,
    UnknownProvince,
    ZeroRegion,
    BadBirthDate,
    ZeroSerial,
}

impl NikError {
    pub fn message_id(self) -> &'static str {
        match self {
            NikError::NotSixteenDigits => "NIK harus tepat 16 angka",
            NikError::UnknownProvince => "dua angka pertama NIK bukan kode provinsi",
            NikError::ZeroRegion => "kode kabupaten/kota atau kecamatan dalam NIK tidak boleh 00",
            NikError::BadBirthDate => "tanggal lahir dalam NIK (angka 7–12) tidak mungkin",
            NikError::ZeroSerial => "nomor urut NIK (4 angka terakhir) tidak boleh 0000",
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            NikError::NotSixteenDigits => "a NIK has exactly 16 digits",
            NikError::UnknownProvince => "the first two digits are not a province code",
            NikError::ZeroRegion => "the regency or district code in the NIK is 00",
            NikError::BadBirthDate => "the birth date in digits 7–12 is impossible",
            NikError::ZeroSerial => "the serial (last 4 digits) is 0000",
        }
    }
}

impl Nik {
    pub fn parse(s: &str) -> Result<Nik, NikError> {
        let s = s.trim();
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NikError::NotSixteenDigits);
        }
        let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap();
        if !PROVINCES.contains(&(n(0, 2) as u8)) {
            return Err(NikError::UnknownProvince);
        }
        if n(2, 4) == 0 || n(4, 6) == 0 {
            return Err(NikError::ZeroRegion);
        }
        let (raw_day, month, yy) = (n(6, 8), n(8, 10), n(10, 12));
        let female = raw_day > 40;
        let day = if female { raw_day - 40 } else { raw_day };
        // 29 February is possible in some year of either century; check against 2000.
        if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
            return Err(NikError::BadBirthDate);
        }
        if n(12, 16) == 0 {
            return Err(NikError::ZeroSerial);
        }
        Ok(Nik {
            province: s[..2].to_string(),
            region: format!("{}.{}", &s[..2], &s[2..4]),
            digits: s.to_string(),
            female,
            birth_day: day,
            birth_month: month,
            birth_yy: yy,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The birth date, placing the two-digit year in the century that makes the person
    /// no older than 110 and not born after `today`.
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let this_century = today.year() / 100 * 100;
        [this_century, this_century - 100]
            .into_iter()
            .filter_map(|c| {
                NaiveDate::from_ymd_opt(c + self.birth_yy as i32, self.birth_month, self.birth_day)
            })
            .find(|d| *d <= today && today.year() - d.year() <= 110)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_womans_nik_decodes_with_day_plus_forty() {
        let nik = Nik::parse("3578015208900001").unwrap();
        assert!(nik.female);
        assert_eq!(nik.region, "35.78");
        assert_eq!(
            nik.birth_date(today()),
            NaiveDate::from_ymd_opt(1990, 8, 12)
        );
    }

    #[test]
    fn a_mans_nik_in_this_century() {
        let nik = Nik::parse("3510011203150002").unwrap();
        assert!(!nik.female);
        assert_eq!(
            nik.birth_date(today()),
            NaiveDate::from_ymd_opt(2015, 3, 12)
        );
    }

    #[test]
    fn impossible_niks_say_why() {
        assert_eq!(
            Nik::parse("35780152089000"),
            Err(NikError::NotSixteenDigits)
        );
        assert_eq!(
            Nik::parse("357801520890000a"),
            Err(NikError::NotSixteenDigits)
        );
        assert_eq!(
            Nik::parse("9978015208900001"),
            Err(NikError::UnknownProvince)
        );
        assert_eq!(Nik::parse("3500015208900001"), Err(NikError::ZeroRegion));
        assert_eq!(Nik::parse("3578013213900001"), Err(NikError::BadBirthDate));
        assert_eq!(Nik::parse("3578017302900001"), Err(NikError::BadBirthDate));
        assert_eq!(Nik::parse("3578015208900000"), Err(NikError::ZeroSerial));
    }

    #[test]
    fn the_29th_of_february_is_allowed() {
        assert!(Nik::parse("3578012902000001").is_ok());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// The digits a NIK has for these parts (the encoder the decoder must invert).
        fn encode(
            province: u8,
            regency: u8,
            district: u8,
            date: NaiveDate,
            female: bool,
            serial: u16,
        ) -> String {
            let day = date.day() + if female { 40 } else { 0 };
            format!(
                "{province:02}{regency:02}{district:02}{day:02}{:02}{:02}{serial:04}",
                date.month(),
                date.year() % 100
            )
        }

        fn birth_date() -> impl Strategy<Value = NaiveDate> {
            (1917i32..=2026, 1u32..=366).prop_filter_map("a real day", |(y, d)| {
                NaiveDate::from_yo_opt(y, d)
                    .filter(|d| *d <= NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            })
        }

        proptest! {
            #[test]
            fn any_text_decodes_or_is_refused_without_panic(s in "\\PC*") {
                if let Ok(nik) = Nik::parse(&s) {
                    prop_assert_eq!(nik.as_str(), s.trim());
                }
            }

            #[test]
            fn any_sixteen_digits_get_a_decoded_nik_or_a_typed_reason(s in "[0-9]{16}") {
                match Nik::parse(&s) {
                    Ok(nik) => {
                        prop_assert_eq!(nik.as_str(), s.as_str());
                        prop_assert!(PROVINCES.contains(&s[..2].parse::<u8>().unwrap()));
                        prop_assert!((1..=31).contains(&nik.birth_day));
                        prop_assert!((1..=12).contains(&nik.birth_month));
                    }
                    Err(e) => prop_assert_ne!(e, NikError::NotSixteenDigits),
                }
            }

            #[test]
            fn anything_but_sixteen_digits_is_refused_as_such(s in "[0-9]{0,15}|[0-9]{17,20}|[0-9]{0,8}[^0-9 \\t\\n\\r][0-9]{0,8}") {
                prop_assert_eq!(Nik::parse(&s), Err(NikError::NotSixteenDigits));
            }

            #[test]
            fn an_encoded_nik_decodes_to_its_parts(
                province in proptest::sample::select(PROVINCES.to_vec()),
                regency in 1u8..=99, district in 1u8..=99,
                date in birth_date(), female in any::<bool>(), serial in 1u16..=9999,
            ) {
                let digits = encode(province, regency, district, date, female, serial);
                let nik = Nik::parse(&digits).unwrap();
                prop_assert_eq!(nik.as_str(), digits.as_str());
                prop_assert_eq!(&nik.province, &format!("{province:02}"));
                prop_assert_eq!(&nik.region, &format!("{province:02}.{regency:02}"));
                prop_assert_eq!(nik.female, female);
                prop_assert_eq!((nik.birth_day, nik.birth_month), (date.day(), date.month()));
                // Anyone up to 110 years old gets their century back.
                let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
                if today.year() - date.year() < 100 {
                    prop_assert_eq!(nik.birth_date(today), Some(date));
                }
            }

            #[test]
            fn a_woman_is_a_man_with_forty_added_to_the_day(
                province in proptest::sample::select(PROVINCES.to_vec()),
                date in birth_date(), serial in 1u16..=9999,
            ) {
                let man = Nik::parse(&encode(province, 1, 1, date, false, serial)).unwrap();
                let woman = Nik::parse(&encode(province, 1, 1, date, true, serial)).unwrap();
                prop_assert!(!man.female && woman.female);
                let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
                prop_assert_eq!(man.birth_date(today), woman.birth_date(today));
                let raw_day = |n: &Nik| n.as_str()[6..8].parse::<u32>().unwrap();
                prop_assert_eq!(raw_day(&woman), raw_day(&man) + 40);
            }
        }
    }
}
