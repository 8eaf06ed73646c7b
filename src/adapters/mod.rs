//! Effects only, no policy: each adapter takes its base path or URL and turns the world into
//! the plan's types (or carries out what a job decided).

pub mod actions;
pub mod cargo;
pub mod git;
pub mod github;
