//! The pre-flight checks only cargo can make: the release build, and every crate to upload
//! packaged and built from its package together, before anything is public. The packaged files
//! verified here are the files uploaded.
//!
//! With a lockfile in the workspace, every cargo command here keeps to it (`--locked`): one
//! the manifests no longer match stops pre-flight and is left as it is. Without one, cargo
//! resolves fresh (as `cargo publish` does) and the lockfile it writes is removed again: a
//! repository that has none gets none from us.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use semver::Version;

use crate::adapters::cargo::{self, CargoOutput, PackageMode, StrayLockfile};
use crate::adapters::crate_file::CrateFile;
use crate::adapters::git::Git;
use crate::error::{Error, Result};
use crate::jobs::Context;
use crate::jobs::apply::{Place, confined};
use crate::plan::manifest::unversion_dev_deps;
use crate::plan::publish::preflight::{MAX_CRATE_BYTES, unordered_dev_deps};
use crate::plan::publish::{Lockfile, Problem, PublishPlan};

use super::gather::Target;
use super::uploads::Job;

/// What pre-flight found, and the verified files to upload.
pub(super) struct Checked {
    pub problems: Vec<Problem>,
    /// Per crate, its verified package. A crate missing here is packaged from the release's
    /// own manifests just before its upload: verification had to make some of its versioned
    /// dev-dependencies path-only (see [`verify`]).
    pub files: BTreeMap<String, CrateFile>,
}

pub(super) fn preflight(
    ctx: &mut Context<'_>,
    target: &Target,
    plan: &PublishPlan,
) -> Result<Checked> {
    super::begin(ctx, "pre-flight")?;
    let mut problems = Vec::new();
    let lockfile = StrayLockfile::watch(&target.root, plan.lockfile == Lockfile::Absent);
    let locked = plan.lockfile == Lockfile::Present;
    let command = format!(
        "cargo build --release{} --workspace",
        if locked { " --locked" } else { "" }
    );
    let packages: Vec<(String, Version)> = plan
        .uploads()
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    let verifying = format!(
        "cargo package (verifying {} crates together)",
        packages.len()
    );
    let (built, verified) = if locked {
        // With a lockfile neither command writes one, and the release build (target/release)
        // and verification (target/package, target/debug) lock different build directories:
        // they run at once, and both must pass as before.
        super::say(
            ctx,
            &format!("{command}\n{verifying}, alongside the build\n"),
        )?;
        std::thread::scope(|scope| {
            let build = scope.spawn(|| target.cargo.build_release(&target.dir, locked));
            let verified = verify(target, plan, &packages);
            let built = build
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (built, verified)
        })
    } else {
        // Without one, each resolves fresh and writes `Cargo.lock`: one after the other, so
        // that they never write it together, and it is removed after each.
        super::say(ctx, &format!("{command}\n"))?;
        let built = target.cargo.build_release(&target.dir, locked);
        remove(&lockfile)?;
        super::say(ctx, &format!("{verifying}\n"))?;
        (built, verify(target, plan, &packages))
    };
    remove(&lockfile)?;
    if let Err(CargoOutput { stderr }) = built? {
        problems.push(Problem::Build {
            command,
            output: tail(&stderr, 40),
        });
    }
    let mut files = BTreeMap::new();
    match verified? {
        Ok((packaged, edited)) => {
            let index = target
                .spec
                .name
                .as_ref()
                .map(|_| target.spec.index_url.as_str());
            for file in packaged {
                if file.bytes > MAX_CRATE_BYTES {
                    problems.push(Problem::TooLarge {
                        krate: file.name.clone(),
                        bytes: file.bytes,
                    });
                }
                if !edited.contains(&file.name) {
                    files.insert(file.name.clone(), CrateFile::read(&file.path, index)?);
                }
            }
        }
        Err(CargoOutput { stderr }) => problems.push(Problem::Verify {
            output: tail(&stderr, 40),
        }),
    }
    super::end(ctx)?;
    Ok(Checked { problems, files })
}

/// The packages verification wrote, and the crates whose packages lack dev-dependencies (see
/// [`verify`]); or what cargo said when it failed.
type Verified = Result<(Vec<cargo::Packaged>, BTreeSet<String>), CargoOutput>;

/// `cargo package` of every crate to upload, together. When a versioned dev-dependency among
/// them is no publish edge (the registry satisfies it: serde's shape), cargo's own ordering
/// would stall on it, so the crates are packaged from a scratch worktree of HEAD in which
/// those dev-dependencies are path-only; verification builds no dev-dependency either way.
/// Returns the packages and the crates whose manifests were edited so (their packages lack
/// those dev-dependencies and are not uploaded).
fn verify(target: &Target, plan: &PublishPlan, packages: &[(String, Version)]) -> Result<Verified> {
    let Target {
        cargo,
        dir,
        root,
        target_dir,
        workspace,
        spec,
        trust,
        ..
    } = target;
    let registry = spec.name.as_deref();
    let selected: BTreeSet<String> = packages.iter().map(|(n, _)| n.clone()).collect();
    let unversion = unordered_dev_deps(workspace, plan.edges(), &selected);
    let locked = plan.lockfile == Lockfile::Present;
    let verify = PackageMode {
        allow_dirty: false,
        verify: true,
        locked,
    };
    if unversion.is_empty() {
        let packaged = cargo.package(dir, target_dir, packages, registry, verify)?;
        return Ok(packaged.map(|files| (files, BTreeSet::new())));
    }
    let git = Git::discover(dir, trust)?;
    let tree = git.worktree("verify", "HEAD")?;
    let scratch = tree.dir();
    let scratch_root = scratch.join(crate::jobs::relative_to(root, git.root()));
    let place = Place {
        fence: scratch,
        root: &scratch_root,
    };
    if locked {
        // The lockfile the build keeps to, committed or not: HEAD's tree may lack it.
        let from = root.join("Cargo.lock");
        let to = confined(place, Path::new("Cargo.lock"))?;
        std::fs::copy(&from, &to).map_err(|source| Error::Io {
            action: "copy",
            path: from.clone(),
            source,
        })?;
    }
    let mut edited = BTreeSet::new();
    for (manifest, deps) in unversion {
        if let Some(member) = workspace.members.iter().find(|m| m.manifest == manifest) {
            edited.insert(member.name.clone());
        }
        let paths: BTreeMap<String, String> = deps
            .iter()
            .filter_map(|d| workspace.member(d.as_str()))
            .map(|m| {
                (
                    m.name.clone(),
                    scratch_root.join(&m.dir).display().to_string(),
                )
            })
            .collect();
        let path = confined(place, Path::new(&manifest))?;
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let new = unversion_dev_deps(&text, &paths).map_err(|source| Error::Manifest {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, new).map_err(|source| Error::Io {
            action: "write",
            path: path.clone(),
            source,
        })?;
    }
    let packaged = cargo.package(
        &scratch.join(crate::jobs::relative_to(dir, git.root())),
        target_dir,
        packages,
        registry,
        PackageMode {
            allow_dirty: true,
            verify: true,
            locked,
        },
    )?;
    Ok(packaged.map(|files| (files, edited)))
}

/// Package one crate from the release's own manifests, unverified (it was verified with the
/// others): for a crate whose verified package lacks dev-dependencies, just before its upload,
/// when every crate it depends on is in the registry.
pub(super) fn package_one(
    job: &Job,
    name: &str,
    version: &Version,
) -> std::result::Result<CrateFile, String> {
    let own = job.target_dir.join("releasekit-package").join(name);
    let crates = [(name.to_owned(), version.clone())];
    let mode = PackageMode {
        allow_dirty: false,
        verify: false,
        locked: job.locked,
    };
    let registry = job.registry.as_deref();
    match job.cargo.package(&job.dir, &own, &crates, registry, mode) {
        Ok(Ok(files)) => {
            let path: PathBuf = files[0].path.clone();
            CrateFile::read(&path, job.registry_index.as_deref()).map_err(|e| e.to_string())
        }
        Ok(Err(CargoOutput { stderr })) => {
            Err(format!("cargo package failed: {}", tail(&stderr, 5)))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Remove the lockfile cargo wrote into a workspace that had none.
fn remove(stray: &StrayLockfile) -> Result<()> {
    stray.remove().map_err(|(path, source)| Error::Io {
        action: "remove",
        path,
        source,
    })
}

/// The last `n` lines of cargo's output.
pub(super) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
