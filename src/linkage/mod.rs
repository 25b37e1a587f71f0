//! The matching engine: pure, no database and no I/O outside `cli`. Records are parsed
//! once (`record`, `table`), compared field by field into agreement levels (`compare`),
//! paired by blocking rules (`block`), weighed by a Fellegi–Sunter model learned without
//! labels (`em`), scored and explained (`score`), and within one file joined through
//! confident chains (`cluster`). Invariant: a pair whose verified NIKs differ (by even one
//! digit) is never a link; a typed NIK's slips weigh as learned levels.
pub mod block;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod em;
pub mod link;
pub mod normalise;
pub mod parse;
pub mod person;
pub mod record;
pub mod register;
pub mod score;
pub mod spec;
pub mod synth;
pub mod table;
