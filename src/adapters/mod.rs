//! Effects only, no policy: each adapter takes its base path or URL and turns the world into
//! the plan's types (or carries out what a job decided).

pub mod actions;
pub mod cargo;
pub mod crate_file;
pub mod git;
pub mod github;
pub mod index;
pub mod oidc;
pub mod registry;
pub mod registry_api;
pub mod retry;
pub mod semver_checks;
pub mod toolchain;

/// Every HTTP client of ours says who it is (crates.io asks for it).
pub const USER_AGENT: &str = concat!(
    "releasekit-cargo/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/releasekit/releasekit-cargo)"
);

/// An error and its sources on one line (reqwest and hyper hide the cause in the chain).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}
