//! Which Rust toolchain a run uses, installed with rustup when it is missing.
//!
//! rustup decides, as it would for cargo itself: the `toolchain` input (passed as
//! `RUSTUP_TOOLCHAIN`, which beats everything else), else the workspace's `rust-toolchain.toml`
//! or `rust-toolchain`, else rustup's default (the image's stable). A toolchain rustup does not
//! have is installed once, with the minimal profile, within [`INSTALL_TIMEOUT`]. The result is a
//! [`Cargo`] that starts every cargo child with that toolchain, and the [`Toolchain`] that names
//! it. Effects only: whether it is new enough is `plan::toolchain`'s business.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::adapters::cargo::{Cargo, CargoError};
use crate::config::CargoSetup;
use crate::hint::Hint;
use crate::plan::toolchain::Toolchain;

/// Longest a toolchain install may take (a nightly with a few components takes a minute or two
/// on a hosted runner).
pub const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Why the toolchain the run needs could not be found or installed (exit code 1: the input may
/// be right, the machine could not provide it).
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    #[error("the toolchain {wanted} was asked for, but rustup is not installed")]
    NoRustup { wanted: String },
    #[error("could not install the Rust toolchain {wanted} with rustup: {stderr}")]
    Install { wanted: String, stderr: String },
    #[error("rustup did not finish installing the Rust toolchain {wanted} within {} minutes", .timeout.as_secs() / 60)]
    InstallTimedOut { wanted: String, timeout: Duration },
    #[error("could not run rustup")]
    Spawn(#[source] std::io::Error),
    #[error("cargo does not run with the toolchain {toolchain}")]
    Cargo {
        toolchain: String,
        #[source]
        source: CargoError,
    },
}

impl Hint for ToolchainError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ToolchainError::NoRustup { .. } => {
                "install rustup (https://rustup.rs), or leave the `toolchain` input (`--toolchain`) \
                 empty to use the cargo on PATH"
                    .into()
            }
            ToolchainError::Install { .. } | ToolchainError::InstallTimedOut { .. } => {
                "check the toolchain's name (stable, beta, nightly, 1.97, 1.97.0, \
                 nightly-2026-10-01) in the `toolchain` input or rust-toolchain.toml, and that \
                 this machine reaches static.rust-lang.org; `rustup toolchain list` shows what is \
                 installed"
                    .into()
            }
            ToolchainError::Spawn(_) => "make sure rustup is on PATH".into(),
            ToolchainError::Cargo { .. } => {
                "`rustup component add cargo` for that toolchain, or choose another one".into()
            }
        })
    }
}

/// rustup's answer to "which toolchain applies here".
enum Active {
    /// Its name, and why (`default`, `overridden by '…/rust-toolchain.toml'`).
    Found { name: String, reason: String },
    /// rustup has no such toolchain (or none applies); its message.
    Missing(String),
    /// There is no rustup: cargo is whatever is on PATH.
    NoRustup,
}

/// Find the toolchain for the workspace at `dir`, install it when rustup lacks it, and start
/// cargo with it.
pub fn resolve(setup: &CargoSetup, dir: &Path) -> Result<(Cargo, Toolchain), ToolchainError> {
    let wanted = setup.toolchain.as_deref();
    let (name, reason) = match active(setup, dir)? {
        Active::NoRustup => match wanted {
            Some(wanted) => {
                return Err(ToolchainError::NoRustup {
                    wanted: wanted.to_owned(),
                });
            }
            None => (None, "cargo on PATH, no rustup".to_owned()),
        },
        Active::Found { name, reason } => (Some(name), reason),
        Active::Missing(why) => {
            let wanted = wanted.map_or_else(|| named_in(&why), str::to_owned);
            install(setup, dir, &wanted)?;
            match active(setup, dir)? {
                Active::Found { name, reason } => (Some(name), reason),
                Active::Missing(stderr) => {
                    return Err(ToolchainError::Install { wanted, stderr });
                }
                Active::NoRustup => return Err(ToolchainError::NoRustup { wanted }),
            }
        }
    };
    let reason = match wanted {
        Some(_) => "the toolchain input".to_owned(),
        None => reason,
    };
    let cargo = Cargo::new(name.clone(), setup.home.clone(), setup.target_dir.clone())
        .hiding(&setup.hidden);
    let cargo_version = cargo.version().map_err(|source| ToolchainError::Cargo {
        toolchain: name.clone().unwrap_or_else(|| "on PATH".into()),
        source,
    })?;
    Ok((
        cargo,
        Toolchain {
            name,
            reason,
            cargo_version,
        },
    ))
}

/// The toolchain rustup's message names (`toolchain 'nightly-…' is not installed`), else the
/// message itself.
fn named_in(why: &str) -> String {
    let mut quoted = why.split('\'');
    match (quoted.next(), quoted.next()) {
        (Some(_), Some(name)) if !name.is_empty() => name.to_owned(),
        _ => format!("for this workspace ({why})"),
    }
}

/// rustup run for `setup` in `dir`: the wanted toolchain as `RUSTUP_TOOLCHAIN`, no automatic
/// installs, no backtraces in its messages.
fn rustup(setup: &CargoSetup, dir: &Path) -> Command {
    let mut cmd = Command::new("rustup");
    for name in &setup.hidden {
        cmd.env_remove(name);
    }
    cmd.current_dir(dir)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .env("RUST_BACKTRACE", "0");
    if let Some(toolchain) = &setup.toolchain {
        cmd.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    if let Some(home) = &setup.home {
        cmd.env("CARGO_HOME", home);
    }
    cmd
}

/// `rustup show active-toolchain`: `NAME (REASON)` on one line.
fn active(setup: &CargoSetup, dir: &Path) -> Result<Active, ToolchainError> {
    let out = match rustup(setup, dir)
        .args(["show", "active-toolchain"])
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Active::NoRustup),
        Err(e) => return Err(ToolchainError::Spawn(e)),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or("").trim();
    if !out.status.success() || line.is_empty() {
        return Ok(Active::Missing(message(&out)));
    }
    let (name, reason) = match line.split_once(" (") {
        Some((name, rest)) => (name, rest.strip_suffix(')').unwrap_or(rest)),
        None => (line, ""),
    };
    Ok(Active::Found {
        name: name.to_owned(),
        reason: reason.to_owned(),
    })
}

/// `rustup toolchain install`: the named toolchain, or (no name) what the workspace's toolchain
/// file asks for, components and targets included.
fn install(setup: &CargoSetup, dir: &Path, wanted: &str) -> Result<(), ToolchainError> {
    let mut cmd = rustup(setup, dir);
    cmd.args(["toolchain", "install"]);
    if let Some(toolchain) = &setup.toolchain {
        cmd.arg(toolchain);
    }
    cmd.args(["--profile", "minimal", "--no-self-update"]);
    let out = run_bounded(cmd, INSTALL_TIMEOUT).map_err(|e| match e {
        Bounded::Spawn(e) => ToolchainError::Spawn(e),
        Bounded::TimedOut => ToolchainError::InstallTimedOut {
            wanted: wanted.to_owned(),
            timeout: INSTALL_TIMEOUT,
        },
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ToolchainError::Install {
            wanted: wanted.to_owned(),
            stderr: message(&out),
        })
    }
}

/// What rustup said, on one line, without its `error: ` prefixes.
fn message(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("info:"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    if lines.is_empty() {
        format!("rustup exited with {}", out.status)
    } else {
        lines.join(" ")
    }
}

enum Bounded {
    Spawn(std::io::Error),
    TimedOut,
}

/// Run `cmd` to its end, or kill it after `timeout`.
fn run_bounded(mut cmd: Command, timeout: Duration) -> Result<Output, Bounded> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Bounded::Spawn)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(Bounded::Spawn)? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Bounded::TimedOut);
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_time_is_killed() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        assert!(matches!(
            run_bounded(cmd, Duration::from_millis(200)),
            Err(Bounded::TimedOut)
        ));
    }

    #[test]
    fn the_missing_toolchain_is_read_from_rustups_message() {
        assert_eq!(
            named_in(
                "override toolchain 'nightly-2026-10-01-x86_64-unknown-linux-gnu' is not installed: \
                 the toolchain file at '/ws/rust-toolchain.toml' specifies an uninstalled toolchain"
            ),
            "nightly-2026-10-01-x86_64-unknown-linux-gnu"
        );
        assert_eq!(
            named_in("no active toolchain"),
            "for this workspace (no active toolchain)"
        );
    }

    #[test]
    fn a_command_in_time_gives_its_output() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo 'error: broken' >&2; exit 3"]);
        let out = run_bounded(cmd, Duration::from_secs(20)).ok().unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
        assert_eq!(message(&out), "broken");
    }
}
