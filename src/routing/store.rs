//! The network and destinations from the database, and `plan_to`, the one call that makes
//! a plan. The network is read on each call: 76 hubs and 97 links are two small queries.
use geo::Point;
use sqlx::PgPool;

use super::escort::EscortNeed;
use super::map::{route_map, Seat};
use super::network::{Hub, Link, Mode, Network, NetworkError};
use super::plan::{
    build_plan, Destination, DestinationKind, Home, PlanError, PlanInput, Regency, RelayRule,
    TransportPlan,
};
use crate::places::model::in_indonesia;
use crate::places::{store as places, Geom};

#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error(
        "the pick-up point ({lat}, {lon}) is not in Indonesia (latitude and longitude swapped?)"
    )]
    OutsideIndonesia { lat: f64, lon: f64 },
    #[error("{0:?} is not a region code: give a village (35.10.01.2001), district (35.10.01), regency (35.10) or province (11) code")]
    MalformedCode(String),
    #[error("unknown region code {0}")]
    UnknownCode(String),
    #[error("35 is East Java as a whole: give the regency or village of the home")]
    WholeEastJava,
    #[error("no relay rule for province {0} (geo/relay.csv)")]
    NoRelayRule(String),
    #[error("the transport network in the database is inconsistent: {0}")]
    Network(#[from] NetworkError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Hubs and links as loaded from geo/ (`simlontar geo load`).
pub async fn load_network(pool: &PgPool) -> Result<Network, RoutingError> {
    let hubs: Vec<(String, String, String, Geom)> =
        sqlx::query_as("SELECT code, name, province_code, location FROM hub ORDER BY code")
            .fetch_all(pool)
            .await?;
    let links: Vec<(String, String, String, i32, i32)> =
        sqlx::query_as("SELECT from_hub, to_hub, mode, minutes, fare_idr FROM link ORDER BY id")
            .fetch_all(pool)
            .await?;
    let hubs = hubs
        .into_iter()
        .filter_map(|(code, name, province_code, at)| {
            let (lon, lat) = at.as_lon_lat()?;
            Some(Hub {
                code,
                name,
                province_code,
                point: Point::new(lon, lat),
            })
        })
        .collect();
    let links = links
        .into_iter()
        .filter_map(|(from, to, mode, minutes, fare)| {
            Some(Link {
                from,
                to,
                // The table's CHECK allows only the four link modes.
                mode: Mode::from_link(&mode)?,
                minutes: u32::try_from(minutes).ok()?,
                fare_idr: u64::try_from(fare).ok()?,
            })
        })
        .collect();
    Ok(Network::new(hubs, links)?)
}

/// The levels of a Kemendagri code: 2 (province), 2.2, 2.2.2, 2.2.2.4 digits.
fn code_level(code: &str) -> Option<DestinationKind> {
    let parts: Vec<&str> = code.split('.').collect();
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    match lens.as_slice() {
        [2] => Some(DestinationKind::Province),
        [2, 2] => Some(DestinationKind::Regency),
        [2, 2, 2] => Some(DestinationKind::District),
        [2, 2, 2, 4] => Some(DestinationKind::Village),
        _ => None,
    }
}

fn point(g: &Geom) -> Option<Point<f64>> {
    g.as_lon_lat().map(|(lon, lat)| Point::new(lon, lat))
}

/// The destination of `code` and whose home it is; notes for any fallback taken.
pub async fn resolve(
    pool: &PgPool,
    code: &str,
) -> Result<(Destination, Home, Vec<String>), RoutingError> {
    // Dotted (Kemendagri) or undotted (BPS, DTKS): read once, then in the dotted form.
    let code = crate::vocab::RegionCode::parse(code)
        .map_err(|_| RoutingError::MalformedCode(code.trim().to_string()))?
        .into_string();
    let code = code.as_str();
    let kind = code_level(code).ok_or_else(|| RoutingError::MalformedCode(code.to_string()))?;
    let province = &code[..2];
    let unknown = || RoutingError::UnknownCode(code.to_string());
    if kind == DestinationKind::Province {
        if province == "35" {
            return Err(RoutingError::WholeEastJava);
        }
        return resolve_relay(pool, code, kind, None).await;
    }
    // Every other level starts with its regency (32.03, 35.10), in any province: geo/
    // holds all of Indonesia, so a home is resolved as deep as it is known everywhere.
    let regency_code = &code[..5];
    let (name, dinsos_email, seat, seat_point, estimated): (
        String,
        Option<String>,
        Option<String>,
        Geom,
        bool,
    ) = sqlx::query_as(
        "SELECT name, (SELECT email FROM office WHERE region_code = r.code), seat, seat_point,
                seat_point_estimated
           FROM region r WHERE code = $1",
    )
    .bind(regency_code)
    .fetch_optional(pool)
    .await?
    .ok_or_else(unknown)?;
    // "Kabupaten Pacitan (Pacitan)"; a regency whose seat town is not known is only named.
    let seat = match &seat {
        Some(town) => format!("{name} ({town})"),
        None => name.clone(),
    };
    let seat_point = point(&seat_point).ok_or_else(unknown)?;
    let regency = Regency {
        code: regency_code.to_string(),
        name: name.clone(),
        dinsos_email,
    };
    let mut notes = Vec::new();
    let (label, at) = match kind {
        DestinationKind::Province => return Err(RoutingError::WholeEastJava),
        DestinationKind::Regency => {
            if estimated {
                notes.push(format!(
                    "{name}: titik tujuan adalah perkiraan (tengah desa-desanya atau ibu kota provinsi)."
                ));
            }
            (seat.clone(), seat_point)
        }
        DestinationKind::District => {
            // A district has no point of its own: the middle of its villages' centroids.
            let (dname, mid): (String, Option<Geom>) = sqlx::query_as(
                "SELECT d.name, ST_Centroid(ST_Collect(v.centroid))
                   FROM district d LEFT JOIN village v ON v.district_code = d.code
                  WHERE d.code = $1 GROUP BY d.name",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
            .ok_or_else(unknown)?;
            let label = format!("Kec. {dname}, {name}");
            match mid.as_ref().and_then(point) {
                Some(p) => (label, p),
                None => {
                    notes.push(format!("Kec. {dname} tidak punya titik desa: rencana menuju pusat pemerintahan {seat}."));
                    (label, seat_point)
                }
            }
        }
        DestinationKind::Village => {
            let (vname, dname, centroid, district_mid): (
                String,
                String,
                Option<Geom>,
                Option<Geom>,
            ) = sqlx::query_as(
                "SELECT v.name, d.name, v.centroid,
                            (SELECT ST_Centroid(ST_Collect(o.centroid)) FROM village o
                              WHERE o.district_code = v.district_code)
                       FROM village v JOIN district d ON d.code = v.district_code
                      WHERE v.code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
            .ok_or_else(unknown)?;
            // The fourth segment starts with 1 for a kelurahan, 2 for a desa.
            let prefix = if code.as_bytes()[9] == b'1' {
                "Kel."
            } else {
                "Desa"
            };
            let vname = format!("{prefix} {vname}");
            let label = format!("{vname}, Kec. {dname}, {name}");
            match (
                centroid.as_ref().and_then(point),
                district_mid.as_ref().and_then(point),
            ) {
                (Some(p), _) => (label, p),
                (None, Some(p)) => {
                    notes.push(format!(
                        "{vname} tidak punya titik pusat desa: rencana menuju tengah Kec. {dname}."
                    ));
                    (label, p)
                }
                (None, None) => {
                    notes.push(format!("{vname} tidak punya titik pusat desa: rencana menuju pusat pemerintahan {seat}."));
                    (label, seat_point)
                }
            }
        }
    };
    let destination = Destination {
        code: code.to_string(),
        kind,
        name: label,
        point: at,
    };
    if province != "35" {
        let (_, home, relay_notes) =
            resolve_relay(pool, code, kind, Some(regency.name.clone())).await?;
        notes.extend(relay_notes);
        return Ok((destination, home, notes));
    }
    Ok((destination, Home::EastJava { regency }, notes))
}

/// A province, its relay rule and the hand-over province (None where the rule is missing).
#[derive(sqlx::FromRow)]
struct RelayRow {
    name: String,
    capital: Option<Geom>,
    handover: Option<String>,
    handover_name: Option<String>,
    handover_capital: Option<Geom>,
    note: Option<String>,
}

/// A home outside East Java: its province's relay rule decides who takes over; the home
/// regency (when the code names one) is carried along so the notice can name it.
async fn resolve_relay(
    pool: &PgPool,
    code: &str,
    kind: DestinationKind,
    home_regency: Option<String>,
) -> Result<(Destination, Home, Vec<String>), RoutingError> {
    let province = &code[..2];
    let row: Option<RelayRow> = sqlx::query_as(
        "SELECT p.name, p.capital_point AS capital, r.handover_province_code AS handover,
                h.name AS handover_name, h.capital_point AS handover_capital, r.note
           FROM province p
           LEFT JOIN relay_rule r ON r.province_code = p.code
           LEFT JOIN province h ON h.code = r.handover_province_code
          WHERE p.code = $1",
    )
    .bind(province)
    .fetch_optional(pool)
    .await?;
    let RelayRow {
        name,
        capital,
        handover,
        handover_name,
        handover_capital,
        note,
    } = row.ok_or_else(|| RoutingError::UnknownCode(code.to_string()))?;
    let no_rule = || RoutingError::NoRelayRule(province.to_string());
    let handover_capital = handover_capital
        .as_ref()
        .and_then(point)
        .ok_or_else(no_rule)?;
    Ok((
        Destination {
            code: code.to_string(),
            kind,
            name: format!("Provinsi {name}"),
            point: capital.as_ref().and_then(point).unwrap_or(handover_capital),
        },
        Home::Relay(RelayRule {
            home_province_code: province.to_string(),
            home_province_name: name,
            handover_province_code: handover.ok_or_else(no_rule)?,
            handover_province_name: handover_name.ok_or_else(no_rule)?,
            handover_capital,
            home_regency,
            note: note.unwrap_or_default(),
        }),
        Vec::new(),
    ))
}

/// The transport plan from a pick-up point (lat, lon) to the home of region `to`.
pub async fn plan_to(
    pool: &PgPool,
    from: (f64, f64),
    to: &str,
    escort: EscortNeed,
) -> Result<TransportPlan, RoutingError> {
    let (lat, lon) = from;
    if !lat.is_finite() || !lon.is_finite() || !in_indonesia(lon, lat) {
        return Err(RoutingError::OutsideIndonesia { lat, lon });
    }
    let (destination, home, mut notes) = resolve(pool, to).await?;
    let net = load_network(pool).await?;
    let from_point = Point::new(lon, lat);
    let from_province = places::region_at(pool, &Geom::point(lon, lat))
        .await?
        .map(|r| r[..2].to_string());
    if from_province.is_none() {
        notes.push("Titik penjemputan tidak dekat desa mana pun: hub keberangkatan dipilih dari semua provinsi.".into());
    }
    Ok(build_plan(
        &net,
        PlanInput {
            from: from_point,
            from_province,
            destination,
            home,
            escort,
            notes,
        },
    )?)
}

/// The seats of East Java's regencies, for the map.
pub async fn load_seats(pool: &PgPool) -> Result<Vec<Seat>, RoutingError> {
    let rows: Vec<(String, Geom)> = sqlx::query_as(
        "SELECT name, seat_point FROM region WHERE province_code = '35' ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, at)| {
            Some(Seat {
                name,
                point: point(&at)?,
            })
        })
        .collect())
}

/// The plan's map (SVG) for the case page.
pub async fn map_of(pool: &PgPool, plan: &TransportPlan) -> Result<maud::Markup, RoutingError> {
    let net = load_network(pool).await?;
    let seats = load_seats(pool).await?;
    Ok(route_map(plan, &net, &seats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_levels_are_read_from_the_dotted_form() {
        assert_eq!(code_level("35"), Some(DestinationKind::Province));
        assert_eq!(code_level("35.10"), Some(DestinationKind::Regency));
        assert_eq!(code_level("35.10.01"), Some(DestinationKind::District));
        assert_eq!(code_level("35.10.01.2001"), Some(DestinationKind::Village));
        for bad in [
            "",
            "3510",
            "35.1",
            "35.10.01.201",
            "3a.10",
            "35..10",
            "35.10.",
        ] {
            assert_eq!(code_level(bad), None, "{bad}");
        }
    }
}
