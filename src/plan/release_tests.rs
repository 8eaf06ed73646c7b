//! Tests of the plan assembly (see release.rs).
