//! The one error a run ends with: which layer failed, its hint, and the exit code
//! (2: the input or configuration is wrong and nothing was done; 1: a stage failed).

use std::path::PathBuf;

use crate::adapters::actions::ActionsError;
use crate::adapters::cargo::CargoError;
use crate::adapters::crate_file::CrateFileError;
use crate::adapters::git::GitError;
use crate::adapters::github::GitHubError;
use crate::adapters::index::IndexError;
use crate::adapters::oidc::OidcError;
use crate::adapters::registry::RegistryError;
use crate::adapters::registry_api::RegistryApiError;
use crate::adapters::toolchain::ToolchainError;
use crate::config::ConfigError;
use crate::hint::Hint;
use crate::plan::manifest::ManifestError;
use crate::plan::merged::ReleaseError;
use crate::plan::pr::PrError;
use crate::plan::publish::Problem;
use crate::plan::refname::RefNameError;
use crate::plan::release::PlanError;
use crate::plan::toolchain::TooOld;
use crate::plan::yank::YankError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Cargo(#[from] CargoError),
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    #[error(transparent)]
    RustVersion(#[from] TooOld),
    #[error(transparent)]
    Actions(#[from] ActionsError),
    /// A runner file that cannot be written, found before anything was done.
    #[error(transparent)]
    RunnerFile(ActionsError),
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Pr(#[from] PrError),
    #[error(transparent)]
    Release(#[from] ReleaseError),
    #[error(
        "the Release PR body for {branch} cannot fit GitHub's 65,536 characters: its manifest of {crates} crates alone is too long"
    )]
    PrBodyTooLong { branch: String, crates: usize },
    #[error("`auto` needs the GitHub event: GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set")]
    NoEvent,
    #[error("{path} cannot be edited: {source}")]
    Manifest {
        path: PathBuf,
        #[source]
        source: ManifestError,
    },
    #[error("could not {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the {what} {name:?} is no name git accepts: {why}")]
    BadRefName {
        what: &'static str,
        name: String,
        why: RefNameError,
    },
    #[error("refusing to write {}: {why}", path.display())]
    UnsafeWrite { path: PathBuf, why: &'static str },
    #[error("cargo's target directory {} cannot be used: {problem}", path.display())]
    TargetDir {
        path: PathBuf,
        problem: TargetDirProblem,
    },
    #[error(
        "`cargo update --workspace` failed after the manifests were edited; {}",
        restored(files, not_restored)
    )]
    LockfileRefresh {
        files: Vec<PathBuf>,
        not_restored: Vec<PathBuf>,
        #[source]
        source: Box<CargoError>,
    },
    #[error("could not read published versions from {path}: {message}")]
    PublishedFile { path: PathBuf, message: String },
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Oidc(#[from] OidcError),
    #[error(transparent)]
    RegistryApi(#[from] RegistryApiError),
    #[error(transparent)]
    CrateFile(#[from] CrateFileError),
    #[error("pre-flight stopped the release before any upload: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Preflight { problems: Vec<Problem> },
    #[error("publishing is not finished: {} not published", left.join(", "))]
    PublishIncomplete { left: Vec<String> },
    #[error("repository_dispatch failed for {}", failed.join("; "))]
    NotifyIncomplete { failed: Vec<String> },
    #[error("the GitHub Release body template fails for {name}: {message}")]
    ReleaseBody { name: String, message: String },
    #[error("API check could not run (semver_checks = \"required\"): {}", failures.iter().map(|(name, why)| format!("{name}: {why}")).collect::<Vec<_>>().join("; "))]
    ApiCheckRequired { failures: Vec<(String, String)> },
    #[error(transparent)]
    Yank(#[from] YankError),
    #[error("yank needs the registry's token: {variable} is not set")]
    YankNeedsToken { variable: String },
    #[error("the yank is not finished; left as they were: {}", left.join(", "))]
    YankIncomplete { left: Vec<String> },
}

/// What is wrong with cargo's target directory (`jobs::target_dir::check`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetDirProblem {
    #[error("it is a link that leads outside the repository, to {}", .to.display())]
    LeadsOutside { to: PathBuf },
    #[error("git tracks {count} file(s) in it, such as {first}")]
    Tracked { first: String, count: usize },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(e) => u8::try_from(e.exit_code()).unwrap_or(2),
            Error::Plan(_) | Error::Manifest { .. } | Error::PublishedFile { .. } => 2,
            Error::UnsafeWrite { .. } | Error::BadRefName { .. } | Error::TargetDir { .. } => 2,
            Error::NoEvent | Error::Pr(_) => 2,
            Error::Release(_) | Error::Registry(_) | Error::RunnerFile(_) => 2,
            Error::RustVersion(_) => 2,
            Error::YankNeedsToken { .. } | Error::Yank(_) => 2,
            Error::Preflight { problems } if problems.iter().all(Problem::is_input) => 2,
            Error::GitHub(e) if e.is_input() => 2,
            Error::Git(GitError::NotARepository { .. } | GitError::Shallow { .. }) => 2,
            Error::Cargo(e) if e.is_input() => 2,
            _ => 1,
        }
    }
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::Config(e) => e.hint(),
            Error::Plan(e) => e.hint(),
            Error::Git(e) => e.hint(),
            Error::Cargo(e) => e.hint(),
            Error::Toolchain(e) => e.hint(),
            Error::RustVersion(e) => e.hint(),
            Error::Manifest { .. } => Some("fix the TOML syntax at the place named above".into()),
            Error::BadRefName { .. } => Some("tags are made from tag_format in releasekit.toml, release branches from the group name, the base branch is GITHUB_REF's or the checkout's; each must be a name `git check-ref-format` accepts; nothing was pushed or created".into()),
            Error::UnsafeWrite { .. } => Some("releasekit-cargo writes manifests, changelogs and Cargo.lock only as regular files inside the repository: replace the link with the file itself, or keep the crate inside the repository; nothing was written".into()),
            Error::TargetDir { path, problem: TargetDirProblem::Tracked { .. } } => Some(format!(
                "the API checks cache their baselines there and cargo builds there, so nothing in it may come from the repository: remove it from git (`git rm -r --cached {0}`) and ignore it (`/{0}` in .gitignore), or set CARGO_TARGET_DIR to a directory outside the repository; nothing was done",
                path.display()
            )),
            Error::TargetDir { path, problem: TargetDirProblem::LeadsOutside { .. } } => Some(format!(
                "releasekit-cargo writes only inside the repository: remove the link (`git rm {}` when it is committed), or set CARGO_TARGET_DIR to the directory you want; nothing was written",
                path.display()
            )),
            Error::LockfileRefresh { source, .. } => source.hint().or_else(|| Some("run `cargo update --workspace` yourself to see why it fails, fix that, and run again".into())),
            Error::PublishedFile { .. } => {
                Some("the file must be JSON mapping crate names to lists of versions: {\"foo\": [\"1.0.0\"]}".into())
            }
            Error::GitHub(e) => e.hint(),
            Error::Pr(e) => e.hint(),
            Error::Release(e) => e.hint(),
            Error::PrBodyTooLong { .. } => Some("split the workspace into release groups ([groups.<name>] in releasekit.toml): each group gets its own Release PR".into()),
            Error::NoEvent => Some("run a stage by name (`releasekit-cargo plan`, `prepare`, `release`), or run inside GitHub Actions".into()),
            Error::Registry(e) => e.hint(),
            Error::Index(e) => e.hint(),
            Error::Oidc(e) => e.hint(),
            Error::RegistryApi(e) => e.hint(),
            Error::CrateFile(_) => Some("the package cargo wrote cannot be read back: report it with the message above".into()),
            Error::Preflight { .. } => Some("fix each problem listed above (all were found in one pass), then re-run: nothing was uploaded".into()),
            Error::PublishIncomplete { .. } => Some("the job summary lists what failed and what it blocked; fix it and re-run: crates already in the index are skipped".into()),
            Error::NotifyIncomplete { .. } => Some("the token needs `contents: write` on each repository to notify (GITHUB_TOKEN covers only this one: use a GitHub App token or a fine-grained PAT for others); re-run notify alone with `action: notify`".into()),
            Error::Yank(e) => e.hint(),
            Error::YankNeedsToken { variable } => Some(format!("set {variable} to a registry token of an owner with the yank scope (a GitHub token cannot yank); nothing was changed")),
            Error::YankIncomplete { .. } => Some("the summary lists what failed; fix it and run yank again: what is done already is kept, a re-run finishes the rest".into()),
            Error::RunnerFile(_) => Some("GITHUB_OUTPUT and GITHUB_STEP_SUMMARY must name files this step can append to (the runner sets them; a workflow that sets them itself must name writable files); nothing was done".into()),
            Error::ApiCheckRequired { .. } => Some("fix what stops the check (install cargo-semver-checks, make the release tag's tree build), or set `semver_checks = \"auto\"` for the crate in releasekit.toml to release with a note instead".into()),
            Error::ReleaseBody { .. } => Some("fix `body` in [github_release] (or [package.<name>.github_release]) of releasekit.toml, then re-run the release: tags and releases that exist are kept".into()),
            Error::Actions(_) | Error::Io { .. } => None,
        }
    }
}

/// What a failed refresh left behind, for its message.
fn restored(files: &[PathBuf], not_restored: &[PathBuf]) -> String {
    let list = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if not_restored.is_empty() {
        format!("every file was put back as it was ({})", list(files))
    } else {
        format!(
            "these files could not be put back and hold the new text: {}",
            list(not_restored)
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
