//! The Rust toolchain a run uses: whether it is new enough for every member's `rust-version`,
//! and how the log and the job summary name it.
//!
//! Pure: `adapters::toolchain` finds (and installs) the toolchain and reads cargo's own
//! `--version` line; `adapters::cargo` reads each member's `rust-version`.

use crate::hint::Hint;
use semver::Version;

/// The toolchain every cargo command of a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// rustup's name for it (`stable-x86_64-unknown-linux-gnu`); `None`: the `cargo` on PATH is
    /// not managed by rustup.
    pub name: Option<String>,
    /// Why this one: `the toolchain input`, or rustup's words (`default`,
    /// `overridden by '/ws/rust-toolchain.toml'`).
    pub reason: String,
    /// cargo's own `--version` line, e.g. `cargo 1.95.0 (f2d3ce0bd 2026-03-21)`.
    pub cargo_version: String,
}

impl Toolchain {
    /// The Rust version, from cargo's version line, pre-release dropped: cargo compares
    /// `rust-version` with a nightly's version the same way.
    pub fn version(&self) -> Option<Version> {
        let word = self.cargo_version.split_whitespace().nth(1)?;
        let v = Version::parse(word).ok()?;
        Some(Version::new(v.major, v.minor, v.patch))
    }

    /// `cargo 1.95.0 (f2d3ce0bd 2026-03-21), toolchain stable-x86_64-unknown-linux-gnu (default)`
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("{}, toolchain {name} ({})", self.cargo_version, self.reason),
            None => format!("{} ({})", self.cargo_version, self.reason),
        }
    }

    /// The job summary's line.
    pub fn markdown(&self) -> String {
        let name = match &self.name {
            Some(name) => format!(", toolchain `{name}`"),
            None => String::new(),
        };
        format!(
            "\n**Toolchain:** `{}`{name} ({})\n",
            self.cargo_version, self.reason
        )
    }
}

/// A member's `rust-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustVersion {
    pub krate: String,
    pub rust_version: Version,
    /// Its manifest, relative to the workspace root.
    pub manifest: String,
}

/// Members that need a newer Rust than the toolchain in use; cargo would refuse to build them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}, but the toolchain in use is {}",
    .too_new.iter().map(|n| format!(
        "{} needs Rust {} (rust-version in {})", n.krate, short(&n.rust_version), n.manifest
    )).collect::<Vec<_>>().join(", "),
    .toolchain.describe()
)]
pub struct TooOld {
    /// Highest first.
    pub too_new: Vec<RustVersion>,
    pub toolchain: Toolchain,
}

impl Hint for TooOld {
    fn hint(&self) -> Option<String> {
        let needed = self
            .too_new
            .first()
            .map(|n| short(&n.rust_version))
            .unwrap_or_default();
        Some(format!(
            "use Rust {needed} or newer: set the `toolchain` input (`--toolchain {needed}` on the \
             command line), or name it in the workspace's rust-toolchain.toml; or lower rust-version"
        ))
    }
}

/// `1.97` for 1.97.0, as `rust-version` is usually written.
fn short(v: &Version) -> String {
    if v.patch == 0 {
        format!("{}.{}", v.major, v.minor)
    } else {
        v.to_string()
    }
}

/// Refuse members whose `rust-version` is above the toolchain's version. A version that cannot
/// be read from cargo's line is not judged (cargo will say it when it builds).
pub fn check(members: &[RustVersion], toolchain: &Toolchain) -> Result<(), TooOld> {
    let Some(version) = toolchain.version() else {
        return Ok(());
    };
    let mut too_new: Vec<RustVersion> = members
        .iter()
        .filter(|m| m.rust_version > version)
        .cloned()
        .collect();
    if too_new.is_empty() {
        return Ok(());
    }
    too_new.sort_by(|a, b| {
        b.rust_version
            .cmp(&a.rust_version)
            .then(a.krate.cmp(&b.krate))
    });
    Err(TooOld {
        too_new,
        toolchain: toolchain.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolchain(line: &str) -> Toolchain {
        Toolchain {
            name: Some("stable-x86_64-unknown-linux-gnu".into()),
            reason: "default".into(),
            cargo_version: line.into(),
        }
    }

    fn member(krate: &str, rust_version: &str) -> RustVersion {
        RustVersion {
            krate: krate.into(),
            rust_version: Version::parse(rust_version).unwrap(),
            manifest: format!("crates/{krate}/Cargo.toml"),
        }
    }

    #[test]
    fn version_comes_from_cargos_line_without_the_nightly_label() {
        let stable = toolchain("cargo 1.95.0 (f2d3ce0bd 2026-03-21)");
        assert_eq!(stable.version(), Some(Version::new(1, 95, 0)));
        let nightly = toolchain("cargo 1.97.0-nightly (0123abcd 2026-09-30)");
        assert_eq!(nightly.version(), Some(Version::new(1, 97, 0)));
        assert_eq!(toolchain("cargo-ish").version(), None);
    }

    #[test]
    fn members_at_or_below_the_toolchain_pass() {
        let tc = toolchain("cargo 1.97.0-nightly (0123abcd 2026-09-30)");
        assert_eq!(
            check(&[member("a", "1.97.0"), member("b", "1.60.0")], &tc),
            Ok(())
        );
    }

    #[test]
    fn members_above_the_toolchain_are_named_highest_first_with_the_fix() {
        let tc = toolchain("cargo 1.95.0 (f2d3ce0bd 2026-03-21)");
        let err = check(
            &[
                member("alpha", "1.96.0"),
                member("beta", "1.80.0"),
                member("gamma", "1.97.1"),
            ],
            &tc,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "gamma needs Rust 1.97.1 (rust-version in crates/gamma/Cargo.toml), alpha needs Rust \
             1.96 (rust-version in crates/alpha/Cargo.toml), but the toolchain in use is cargo \
             1.95.0 (f2d3ce0bd 2026-03-21), toolchain stable-x86_64-unknown-linux-gnu (default)"
        );
        assert_eq!(
            err.hint().unwrap(),
            "use Rust 1.97.1 or newer: set the `toolchain` input (`--toolchain 1.97.1` on the \
             command line), or name it in the workspace's rust-toolchain.toml; or lower rust-version"
        );
    }

    #[test]
    fn an_unreadable_version_is_not_judged() {
        assert_eq!(
            check(&[member("a", "9.0.0")], &toolchain("cargo unknown")),
            Ok(())
        );
    }

    #[test]
    fn summary_line_names_cargos_version_the_toolchain_and_why() {
        let tc = Toolchain {
            name: Some("rk-pinned".into()),
            reason: "overridden by '/ws/rust-toolchain.toml'".into(),
            cargo_version: "cargo 1.95.0 (f2d3ce0bd 2026-03-21)".into(),
        };
        assert_eq!(
            tc.markdown(),
            "\n**Toolchain:** `cargo 1.95.0 (f2d3ce0bd 2026-03-21)`, toolchain `rk-pinned` \
             (overridden by '/ws/rust-toolchain.toml')\n"
        );
        let plain = Toolchain {
            name: None,
            reason: "cargo on PATH, no rustup".into(),
            ..tc
        };
        assert_eq!(
            plain.describe(),
            "cargo 1.95.0 (f2d3ce0bd 2026-03-21) (cargo on PATH, no rustup)"
        );
    }
}
