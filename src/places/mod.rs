//! Regions, villages, UPTs and the transport network: loading `geo/` and PostGIS
//! look-ups. Invariant: every point stored is WGS 84 (SRID 4326) and inside Indonesia.
pub mod areas;
pub mod backdrop;
pub mod geom;
pub mod load;
pub mod model;
pub mod store;

pub use geom::Geom;
