//! releasekit-cargo: release the crates of a Cargo workspace.
//!
//! `plan` is the pure core, `adapters` touch the world, `jobs` orchestrate, `config` turns inputs
//! into one validated [`config::Config`].

pub mod plan;
