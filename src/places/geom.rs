//! `Geom`: a `geo` geometry that travels to and from PostGIS as EWKB through geozero,
//! always tagged SRID 4326 (geozero's stock encoder writes SRID 0, and PostGIS refuses
//! to compare geometries of mixed SRIDs).
use geo_types::{Geometry, Point};
use geozero::wkb::{FromWkb, WkbDialect};
use geozero::{CoordDimensions, ToWkb};
use sqlx::encode::IsNull;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

pub const SRID: i32 = 4326;

#[derive(Debug, Clone, PartialEq)]
pub struct Geom(pub Geometry<f64>);

impl Geom {
    pub fn point(lon: f64, lat: f64) -> Geom {
        Geom(Geometry::Point(Point::new(lon, lat)))
    }

    /// (lon, lat) when this is a point.
    pub fn as_lon_lat(&self) -> Option<(f64, f64)> {
        match &self.0 {
            Geometry::Point(p) => Some((p.x(), p.y())),
            _ => None,
        }
    }
}

impl Type<Postgres> for Geom {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("geometry")
    }
}

impl PgHasArrayType for Geom {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("_geometry")
    }
}

impl Encode<'_, Postgres> for Geom {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> Result<IsNull, Box<dyn std::error::Error + Send + Sync>> {
        let bytes = self.0.to_ewkb(CoordDimensions::xy(), Some(SRID))?;
        buf.extend_from_slice(&bytes);
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Geom {
    fn decode(value: PgValueRef<'r>) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let mut bytes = <&[u8] as Decode<Postgres>>::decode(value)?;
        Ok(Geom(Geometry::from_wkb(&mut bytes, WkbDialect::Ewkb)?))
    }
}
