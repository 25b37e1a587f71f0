//! The backtest: aggregate daily histories (`history`, generated ones in `synth`), rebuilt
//! into the engine's input one day at a time (`reconstruct`), replayed through the engine
//! (`replay`), scored (`score`) beside the simple rules (`baseline`), held to the targets of
//! the reliability reference (`gate`), and the database-free commands (`cli`).
//! Invariants: pure apart from the CLI's files; a replayed day sees no later row; the
//! replay raises the same alerts as the engine would on each day.
pub mod baseline;
pub mod cli;
pub mod gate;
pub mod history;
pub mod reconstruct;
pub mod replay;
pub mod score;
pub mod synth;
pub mod versus;
pub mod worlds;
