//! The rows of the `geo/` reference files, as read from CSV, and their checks.
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ProvinceRow {
    pub code: String,
    pub name: String,
    pub iso_code: String,
    pub capital: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Deserialize)]
pub struct RelayRow {
    pub province_code: String,
    pub handover_province_code: String,
    pub note: String,
}

#[derive(Debug, Deserialize)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The seat town; empty outside East Java, where it was not checked.
    pub seat: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// `lat`/`lon` is an estimate (village-centroid mean or the province capital).
    #[serde(default)]
    pub estimated_location: bool,
}

#[derive(Debug, Deserialize)]
pub struct DistrictRow {
    pub code: String,
    pub regency_code: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct VillageRow {
    pub code: String,
    pub district_code: String,
    pub name: String,
    pub postal_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct UptRow {
    pub code: String,
    pub name: String,
    pub regency_code: String,
    pub town: String,
    pub lat: f64,
    pub lon: f64,
    /// Semicolon-separated need codes.
    pub services: String,
    pub estimated_location: bool,
}

#[derive(Debug, Deserialize)]
pub struct WardRow {
    pub upt_code: String,
    pub ward_code: String,
    pub name: String,
    pub sex: String,
    pub need: String,
    pub beds: i32,
    pub beds_estimated: bool,
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub struct HubRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// A regency code (35.78) for hubs in East Java, a province code (33) elsewhere.
    pub regency_code: String,
    pub lat: f64,
    pub lon: f64,
    pub estimated_location: bool,
}

impl HubRow {
    /// (province code, regency code if any).
    pub fn place(&self) -> (String, Option<String>) {
        match self.regency_code.split_once('.') {
            Some((province, _)) => (province.to_string(), Some(self.regency_code.clone())),
            None => (self.regency_code.clone(), None),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkRow {
    pub from_code: String,
    pub to_code: String,
    pub mode: String,
    pub minutes: i32,
    pub fare_idr: i32,
    pub estimated: bool,
}

/// The province Simlontar serves (Jawa Timur): its Satpol PP pick people up inside it.
pub const SERVED_PROVINCE: &str = "35";

/// Whether a region code (any level) lies in the served province.
pub fn in_served_province(code: &str) -> bool {
    code.split('.').next() == Some(SERVED_PROVINCE)
}

/// Is (lon, lat) a plausible WGS 84 point inside Indonesia's bounding box?
pub fn in_indonesia(lon: f64, lat: f64) -> bool {
    (94.0..=142.0).contains(&lon) && (-11.5..=6.5).contains(&lat)
}

/// A region code from a boundary file's property: `35.78`, `3578` or `35 78`.
pub fn normalise_region_code(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits.len() == 4
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ' '))
    .then(|| format!("{}.{}", &digits[..2], &digits[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_from_boundary_files_are_normalised() {
        assert_eq!(normalise_region_code("3578").as_deref(), Some("35.78"));
        assert_eq!(normalise_region_code("35.78").as_deref(), Some("35.78"));
        assert_eq!(normalise_region_code("35.78.01"), None);
        assert_eq!(normalise_region_code("KOTA"), None);
    }

    #[test]
    fn points_outside_indonesia_are_refused() {
        assert!(in_indonesia(112.75, -7.25));
        assert!(!in_indonesia(-7.25, 112.75));
        assert!(!in_indonesia(0.0, 0.0));
    }
}
