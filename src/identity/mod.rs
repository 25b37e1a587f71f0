//! Identity: NIK rules now; DP3AK checks, linkage and the review queue to come.
pub mod nik;
